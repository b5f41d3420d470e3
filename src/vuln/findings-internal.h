/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/* Shared by the findings engine's files (never included outside src/vuln/). */
#include <jansson.h>

#include "core/error.h"
#include "store/store-finding.h"
#include "vuln/match.h"

/* Runs the matcher on one stored affected entry and adds the record
 * ({source, id, affected}) to the explanation. A malformed entry is an error
 * naming the record. */
int vuln_findings_eval_entry(const struct vuln_component *vc, const struct store_finding_entry *e,
                             enum vuln_match_result *r, json_t **expl, struct error *err);

/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/* Inside the matcher: the OSV range evaluator and the NVD configuration
 * evaluator behind vuln_match_entry (match.c). */
#include <jansson.h>
#include <stdbool.h>

#include "core/error.h"
#include "vuln/cpe.h"
#include "vuln/match.h"
#include "vuln/version.h"

#define VULN_MATCH_MAX_RANGES 1024      /* per OSV affected entry */
#define VULN_MATCH_MAX_EVENTS 4096      /* per range */
#define VULN_MATCH_MAX_VERSIONS 100000  /* versions[] entries */
#define VULN_MATCH_MAX_NODES 256        /* per NVD configuration */
#define VULN_MATCH_MAX_CPEMATCH 20000   /* per node */
#define VULN_MATCH_MAX_COMPARISONS 64   /* recorded in an explanation */

/* Appends one comparison {a, op, b, holds} to expl's "comparisons". */
void vuln_expl_comparison(json_t *expl, const char *a, const char *op, const char *b, bool holds);

/* Checks the shape of an OSV affected object (ranges, events, versions). */
int vuln_osv_affected_check(const json_t *affected, struct error *err);

/* Is `version` inside the affected object's versions[] or ranges, for the
 * ecosystem's scheme? Sets *result to VULN_MATCH_PURL (affected; the caller
 * relabels), VULN_MATCH_NO or VULN_MATCH_UNEVALUABLE and writes the range,
 * comparisons and reason into expl. The entry has passed
 * vuln_osv_affected_check. */
void vuln_osv_evaluate(const json_t *affected, const char *ecosystem, const char *version,
                       enum vuln_match_result *result, json_t *expl);

/* Checks the shape of an NVD 2.0 configuration. */
int vuln_nvd_config_check(const json_t *config, struct error *err);

/* Does the component (its parsed CPEs; or, when ncpes is 0, its name against
 * the criteria product) fall inside a vulnerable cpeMatch of config with
 * the configuration as a whole not ruled out? *result is VULN_MATCH_CPE (or
 * VULN_MATCH_NAME when by_name), VULN_MATCH_NO or VULN_MATCH_UNEVALUABLE. */
void vuln_nvd_evaluate(const json_t *config, const struct cpe *cpes, const char *const *cpe_texts, size_t ncpes,
                       const char *name, const char *version, bool by_name, enum vuln_match_result *result,
                       json_t *expl);

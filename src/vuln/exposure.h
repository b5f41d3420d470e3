/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/*
 * Exposure (issue 9, section 5): from a vulnerability to the devices still
 * running it (docs/vulnerabilities.md, "Findings, monitoring and exposure").
 *
 * Affected releases: those with a live finding of the vulnerability that is
 * not dismissed (in_triage or affected; not not_affected, false_positive or
 * fixed). Exposed devices: active devices of the release's product that run
 * its version (installed version, else initial firmware), counted by
 * product, release, hardware revision, member state (a product's, as
 * campaigns use them: devices carry no country) and batch. Patched devices:
 * active devices of an affected product that run a later release (version
 * order of core/version.h) that is not affected, with the time of their
 * successful update to it (null: they left the factory with it).
 */
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "store/store.h"

#define VULN_EXPOSURE_LIST_MAX 1000

struct vuln_exposure_query {
        const char *vuln;     /* canonical id or any alias */
        bool list_patched;    /* the device list: patched devices instead of exposed ones */
        int64_t after_id;     /* device list cursor */
        size_t limit;         /* device list page (0 = 100, at most VULN_EXPOSURE_LIST_MAX) */
};

/* ERROR_NOT_FOUND for an unknown vulnerability. See docs/openapi.json
 * (Exposure) for the answer's shape. */
int vuln_exposure(struct store *s, const struct vuln_exposure_query *q, json_t **out, struct error *err);

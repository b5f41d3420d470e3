/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/*
 * CVSS vectors (issue 9). Feeds often carry only a vector (OSV `severity`,
 * CSAF without a score): the v3.x base score is computed here, following the
 * FIRST CVSS v3.1 specification (section 7, with its Roundup) and v3.0's
 * (plain round-up to one decimal). v4.0 vectors are parsed and validated
 * (mandatory base metrics, known values); their score is taken from the feed
 * (scoring v4.0 is issue 10). Scores are kept x10 as integers (9.8 -> 98).
 */
#include <stdbool.h>

#include "core/error.h"

enum cvss_version { CVSS_V30 = 30, CVSS_V31 = 31, CVSS_V40 = 40 };

/* Parses a vector ("CVSS:3.1/AV:N/..." or "CVSS:4.0/AV:N/..."): every
 * metric known for its version, each at most once, all base metrics
 * present. For 3.x sets *score10 to the base score x10; for 4.0 *score10 is
 * -1 (not computed). Errors name the vector and the metric at fault. */
int cvss_parse(const char *vector, enum cvss_version *version, int *score10, struct error *err);

/* The qualitative rating of a score x10 (specification section 5):
 * "none" (0), "low" (0.1-3.9), "medium", "high", "critical" (9.0-10.0). */
const char *cvss_severity(int score10);

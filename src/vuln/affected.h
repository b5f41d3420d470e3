/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/*
 * The lookup keys of one affected entry (vuln_affected.match_key/name_key,
 * migration 10), from the identifiers the matcher itself parses (match.h):
 *  - kind "purl", an OSV `affected` object: the key of its package.purl, or
 *    of the purl its ecosystem and name stand for (vuln_osv_package_match_key);
 *    an ecosystem without a purl type (Linux, OSS-Fuzz) gets an empty match
 *    key and is found by name only;
 *  - kind "cpe", one NVD configuration: one key per distinct vendor:product
 *    of a *vulnerable* cpeMatch anywhere in its nodes. "Running on"
 *    (vulnerable: false) platforms get no key: a component that is only the
 *    platform must not even be looked up (grype #2770).
 */
#include <jansson.h>

#include "core/error.h"

/* *keys: a new array of distinct [match_key, name_key] pairs (may be
 * empty: such an entry is never looked up). -1 when the entry is malformed. */
int vuln_affected_keys(const char *kind, json_t *data, json_t **keys, struct error *err);


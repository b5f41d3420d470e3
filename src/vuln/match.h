/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/*
 * The matcher's contract (issue 9): does one SBOM component fall inside one
 * affected entry of a vulnerability record, and why.
 *
 * Both sides meet in standard shapes, so feeds, SBOM parsers and the findings
 * engine need no shared C structs:
 *  - the component is its name, version and identifiers as written (purl and
 *    CPE strings); the matcher parses them;
 *  - an affected entry is what vuln_affected.data holds: for kind "purl" one
 *    OSV `affected` object (package {ecosystem, name, purl}, ranges, versions,
 *    database_specific / ecosystem_specific ignored); for kind "cpe" one NVD
 *    CVE API 2.0 configuration ({operator?, negate?, nodes: [...]}).
 *
 * Order of evidence: purl first, then CPE, then - only when the component has
 * no usable identifier for that entry - name and version, labelled
 * low-confidence. The explanation says which record field, which identifier,
 * which range and which version comparisons decided it; a non-match can be
 * explained the same way (vuln_match_entry always fills `explanation`).
 */
#include <jansson.h>
#include <stddef.h>

#include "core/error.h"

struct vuln_component {
        const char *name;
        const char *version;                    /* NULL when the SBOM has none */
        const char *const *purls;
        size_t npurls;
        const char *const *cpes;
        size_t ncpes;
};

enum vuln_match_result {
        VULN_MATCH_NO = 0,                      /* the entry does not apply */
        VULN_MATCH_PURL,                        /* matched through a purl and its ecosystem's versions */
        VULN_MATCH_CPE,                         /* matched through a CPE against an NVD configuration */
        VULN_MATCH_NAME,                        /* low-confidence candidate: name and version only */
        VULN_MATCH_UNEVALUABLE,                 /* applies to the package but cannot be decided (e.g. GIT ranges) */
};

const char *vuln_match_result_name(enum vuln_match_result r); /* "no", "purl", "cpe", "name", "unevaluable" */

/* kind is "purl" or "cpe" (the vuln_affected.kind). On success returns 0,
 * sets *result and *explanation (a new JSON object the caller owns, also for
 * VULN_MATCH_NO). A malformed entry is an error naming what is wrong, not a
 * non-match. */
int vuln_match_entry(const struct vuln_component *c, const char *kind, const json_t *entry,
                     enum vuln_match_result *result, json_t **explanation, struct error *err);

/* The lookup key shared by sbom_component_idents.match_key and
 * vuln_affected.match_key (migration 10): a purl gives "type/namespace/name"
 * (namespace omitted when empty), a CPE (2.2 URI or 2.3 formatted string)
 * gives "vendor:product", lowercased. Returns 0 with *key set (caller frees),
 * 0 with *key NULL when the identifier is valid but must never be looked up
 * (a '*' or '-' vendor or product), or -1 when it is malformed (err names
 * the fault). kind is "purl" or "cpe". */
int vuln_ident_match_key(const char *kind, const char *value, char **key, struct error *err);

/* The key a component without identifiers is looked up by for the
 * low-confidence name match: its name, lowercased (caller frees). */
char *vuln_name_match_key(const char *name);

/* Additions (matcher stream) - not in the first contract, for the feeds side: */

/* The match_key of an OSV affected entry's package: its purl's key when it
 * has one, else derived from ecosystem and name the way a component purl of
 * that ecosystem would give it ("Debian:12"/"openssl" -> "deb/debian/openssl",
 * "Maven"/"g:a" -> "maven/g/a", "PyPI"/"Foo_Bar" -> "pypi/foo-bar").
 * Returns 0 with *key NULL for ecosystems without a purl type (Linux,
 * OSS-Fuzz: found by name only), -1 for an unknown ecosystem. */
int vuln_osv_package_match_key(const char *ecosystem, const char *name, const char *purl, char **key,
                               struct error *err);

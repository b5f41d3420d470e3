/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/*
 * Version schemes (issue 9 §3): each ecosystem orders its versions by its own
 * rules, and a range is only as right as the comparison under it. One entry
 * point compares two versions in a named scheme; the scheme files
 * (version-<scheme>.c) hold the rules and docs/vulnerabilities.md
 * "## Matching" describes them.
 */
#include <stdbool.h>

#include "core/error.h"

#define VULN_VERSION_MAX_LEN 256        /* a longer version string is refused */

enum vuln_version_scheme {
        VULN_SCHEME_GENERIC = 0,        /* C projects: numeric segments first, then letters (1.1.1w) */
        VULN_SCHEME_SEMVER,             /* SemVer 2.0.0 */
        VULN_SCHEME_DEBIAN,             /* Debian Policy 5.6.12: epoch:upstream-revision, '~' */
        VULN_SCHEME_RPM,                /* rpmvercmp, epoch:version-release, '~' and '^' */
        VULN_SCHEME_PEP440,             /* PyPI */
        VULN_SCHEME_NPM,                /* node-semver: SemVer with a leading 'v'/'=' tolerated */
        VULN_SCHEME_GO,                 /* Go modules: v-prefixed SemVer, +incompatible, pseudo-versions */
        VULN_SCHEME_MAVEN,              /* Maven ComparableVersion */
        VULN_SCHEME_ALPINE,             /* apk-tools: letters, _alpha.._p suffixes, -rN */
        _VULN_SCHEME_MAX,
};

const char *vuln_version_scheme_name(enum vuln_version_scheme s); /* "generic", "semver", ... */

/* Compares a and b in scheme s: *cmp < 0, 0, > 0. Returns 0, or -1 with err
 * naming the version and why it is not one of that scheme (an invalid
 * version is never silently "older" or "newer"). */
int vuln_version_compare(enum vuln_version_scheme s, const char *a, const char *b, int *cmp,
                         struct error *err);

/* Is v a valid version in scheme s? (err names the fault when not.) */
bool vuln_version_valid(enum vuln_version_scheme s, const char *v, struct error *err);

/* The scheme of an OSV ecosystem ("Debian:12", "PyPI", "Go", ...), matched
 * on the part before ':'. Returns 0, or -1 when the ecosystem is unknown. */
int vuln_version_scheme_for_ecosystem(const char *ecosystem, enum vuln_version_scheme *s);

/* The scheme of a purl type ("deb", "pypi", "golang", ...); GENERIC for
 * types with no scheme of their own (generic, github, conan, ...). */
enum vuln_version_scheme vuln_version_scheme_for_purl_type(const char *type);

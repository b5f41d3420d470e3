/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/*
 * OSV ecosystems and purl types: which purl type (and, for a Linux
 * distribution, which purl namespace) an OSV ecosystem names, which version
 * scheme orders its versions, and whether a distribution-specific range
 * ("Debian:12") applies to a component's purl (its `distro` qualifier), so a
 * distribution's own fixed versions - its backports - decide for its
 * packages.
 */
#include <stdbool.h>

#include "core/error.h"
#include "vuln/purl.h"
#include "vuln/version.h"

struct vuln_ecosystem {
        const char *osv;                /* OSV ecosystem name, before any ':' */
        const char *purl_type;          /* NULL: no purl type (OSS-Fuzz, Linux, ...) */
        const char *purl_namespace;     /* distributions: the purl namespace ("debian") */
        enum vuln_version_scheme scheme;
};

/* The table row of an OSV ecosystem ("Debian:12" finds "Debian"), or NULL. */
const struct vuln_ecosystem *vuln_ecosystem_find(const char *ecosystem);

/* Is this a distribution package type whose versions carry backports
 * (deb, rpm, apk)? */
bool vuln_purl_type_is_distro(const char *type);

/* Does the OSV ecosystem `ecosystem` (e.g. "Debian:12", "Alpine:v3.18",
 * "Ubuntu:22.04:LTS") apply to purl p? *why receives a sentence (static or
 * p-owned) that says why not, or what was assumed. Only the release part is
 * checked here; name and type are the caller's. */
bool vuln_ecosystem_release_applies(const char *ecosystem, const struct purl *p, const char **why);

/* The package name and version a distribution package is tracked by: a
 * syft-style `upstream` qualifier ("openssl@3.0.11-1~deb12u2") names the
 * source package, which is what distribution advisories list. Otherwise the
 * purl's own name and version. The strings point into p or into *buf
 * (caller frees *buf). */
void vuln_purl_tracked_name(const struct purl *p, const char **name, const char **version, char **buf);

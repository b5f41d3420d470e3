/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/*
 * Package URLs (purl specification, github.com/package-url/purl-spec):
 *   pkg:type/namespace/name@version?qualifiers#subpath
 * parsed into their decoded components. The parser is strict where a match
 * could go wrong (a bad percent escape, a duplicate qualifier, a missing name)
 * and names the fault; it applies the spec's type-specific normalisation that
 * matching depends on (lowercased type; pypi names lowercased with '_' as
 * '-'; github/bitbucket/npm... see purl.c).
 */
#include <stddef.h>

#include "core/error.h"

#define PURL_MAX_LEN 4096               /* a purl longer than this is refused */
#define PURL_MAX_QUALIFIERS 32

struct purl_qualifier {
        char *key;                      /* lowercased */
        char *value;                    /* percent-decoded, never empty */
};

struct purl {
        char *type;                     /* lowercased, required */
        char *namespace_;               /* decoded segments joined by '/', NULL when none */
        char *name;                     /* decoded, required */
        char *version;                  /* decoded, NULL when none */
        struct purl_qualifier *qualifiers; /* sorted by key, keys unique */
        size_t nqualifiers;
        char *subpath;                  /* decoded segments joined by '/', NULL when none */
};

/* Parses s into *p (zeroed first). Returns 0, or -1 with err naming the
 * purl and the fault (and *p left empty). */
int purl_parse(const char *s, struct purl *p, struct error *err);
void purl_free(struct purl *p);

/* The value of qualifier key (lowercase), or NULL. */
const char *purl_qualifier(const struct purl *p, const char *key);

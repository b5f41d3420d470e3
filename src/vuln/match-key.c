/* SPDX-License-Identifier: Apache-2.0 */
/* The lookup keys of migration 10 (sbom_component_idents.match_key,
 * vuln_affected.match_key and name_key): what an SBOM identifier and a feed's
 * affected entry are found by, before the matcher decides. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "core/cleanup.h"
#include "core/strutil.h"
#include "vuln/cpe.h"
#include "vuln/ecosystem.h"
#include "vuln/match.h"
#include "vuln/match-key.h"
#include "vuln/purl.h"

static char *lower_dup(const char *s) {
        char *d = str_dup(s);
        for (char *c = d; c && *c; c++) *c = (char) tolower((unsigned char) *c);
        return d;
}

char *vuln_purl_key(const struct purl *p) {
        const char *name, *version;
        _cleanup_free_ char *buf = NULL;
        vuln_purl_tracked_name(p, &name, &version, &buf);
        char *k = p->namespace_ ? str_printf("%s/%s/%s", p->type, p->namespace_, name)
                                : str_printf("%s/%s", p->type, name);
        for (char *c = k; *c; c++) *c = (char) tolower((unsigned char) *c);
        return k;
}

char *vuln_cpe_key(const struct cpe *c) {
        const struct cpe_attr *v = &c->a[CPE_VENDOR], *p = &c->a[CPE_PRODUCT];
        /* A '*' or '-' vendor or product names no package: it must never be
         * looked up, let alone match everything (Dependency-Track #3178,
         * #3146, #3268). */
        if (v->kind != CPE_AV_VALUE || p->kind != CPE_AV_VALUE || v->wild || p->wild) return NULL;
        return str_printf("%s:%s", v->value, p->value);
}

int vuln_ident_match_key(const char *kind, const char *value, char **key, struct error *err) {
        *key = NULL;
        if (str_eq(kind, "purl")) {
                struct purl p;
                if (purl_parse(value, &p, err) < 0) return -1;
                *key = vuln_purl_key(&p);
                purl_free(&p);
                return 0;
        }
        if (str_eq(kind, "cpe")) {
                struct cpe c;
                if (cpe_parse(value, &c, err) < 0) return -1;
                *key = vuln_cpe_key(&c);
                cpe_free(&c);
                return 0;
        }
        return error_set(err, ERROR_INVALID, "identifier kind \"%s\": neither \"purl\" nor \"cpe\"",
                         kind ? kind : "(null)");
}

char *vuln_name_match_key(const char *name) {
        if (!name) return NULL;
        /* trim: SBOM names come with stray spaces */
        while (isspace((unsigned char) *name)) name++;
        char *k = lower_dup(name);
        size_t n = strlen(k);
        while (n && isspace((unsigned char) k[n - 1])) k[--n] = '\0';
        return k;
}

int vuln_osv_package_match_key(const char *ecosystem, const char *name, const char *purl, char **key,
                               struct error *err) {
        *key = NULL;
        /* OSV's ecosystem and name are authoritative; the optional purl is
         * derived and sometimes wrong in real records ("pkg:alpine/mariadb"
         * in Alpine ones, where the type is apk). The purl decides only
         * when the ecosystem is not one this table knows. */
        const struct vuln_ecosystem *e = ecosystem ? vuln_ecosystem_find(ecosystem) : NULL;
        if ((!e || !name || !*name) && purl && *purl) return vuln_ident_match_key("purl", purl, key, err);
        if (!ecosystem || !name || !*name)
                return error_set(err, ERROR_INVALID, "OSV package: needs an ecosystem and a name, or a purl");
        if (!e) {
                char shown[64];
                str_sanitize(ecosystem, strlen(ecosystem), shown, sizeof shown);
                return error_set(err, ERROR_INVALID, "OSV package: unknown ecosystem \"%s\"", shown);
        }
        if (!e->purl_type) return 0; /* no purl type: found by name only */
        _cleanup_free_ char *n = lower_dup(name);
        if (strcmp(e->purl_type, "maven") == 0) {
                char *colon = strchr(n, ':');
                if (colon) *colon = '/';
        }
        if (strcmp(e->purl_type, "pypi") == 0) {
                char *o = n;
                for (const char *c = n; *c; c++) {
                        if (*c == '_' || *c == '.' || *c == '-') {
                                if (o == n || o[-1] != '-') *o++ = '-';
                        } else {
                                *o++ = *c;
                        }
                }
                *o = '\0';
        }
        *key = e->purl_namespace ? str_printf("%s/%s/%s", e->purl_type, e->purl_namespace, n)
                                 : str_printf("%s/%s", e->purl_type, n);
        return 0;
}

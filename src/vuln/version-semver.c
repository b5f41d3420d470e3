/* SPDX-License-Identifier: Apache-2.0 */
/*
 * SemVer 2.0.0 precedence (semver.org §11), and the two ecosystems built on
 * it: npm (node-semver tolerates a leading 'v' or '=') and Go modules (a
 * 'v' prefix, "+incompatible" as build metadata that precedence ignores,
 * pseudo-versions v0.0.0-yyyymmddhhmmss-abcdef123456 being pre-releases
 * that order by their timestamp under the same rules).
 */
#include <ctype.h>
#include <stdbool.h>
#include <string.h>

#include "core/cleanup.h"
#include "core/strutil.h"
#include "vuln/version-internal.h"

struct semver {
        const char *core[3];
        size_t core_len[3];
        const char *pre;                /* NULL when none */
        size_t pre_len;
};

static bool all_digits(const char *s, size_t n) {
        for (size_t i = 0; i < n; i++)
                if (!isdigit((unsigned char) s[i])) return false;
        return n > 0;
}

static int semver_parse(const char *scheme, const char *orig, const char *v, struct semver *sv,
                        struct error *err) {
        const char *p = v;
        memset(sv, 0, sizeof *sv);
        for (int i = 0; i < 3; i++) {
                const char *s = p;
                while (isdigit((unsigned char) *p)) p++;
                if (p == s) VERSION_FAIL(err, scheme, orig, "%s is not a number", i == 0 ? "major" : i == 1 ? "minor" : "patch");
                if (p - s > 1 && *s == '0') VERSION_FAIL(err, scheme, orig, "a number has a leading zero");
                sv->core[i] = s;
                sv->core_len[i] = (size_t) (p - s);
                if (i < 2) {
                        if (*p != '.') VERSION_FAIL(err, scheme, orig, "is not MAJOR.MINOR.PATCH");
                        p++;
                }
        }
        if (*p == '-') {
                sv->pre = ++p;
                while (*p && *p != '+') p++;
                sv->pre_len = (size_t) (p - sv->pre);
                /* identifiers: [0-9A-Za-z-]+, numeric ones without leading zeros */
                const char *s = sv->pre, *e = sv->pre + sv->pre_len;
                while (1) {
                        const char *d = s;
                        while (d < e && *d != '.') d++;
                        if (d == s) VERSION_FAIL(err, scheme, orig, "has an empty pre-release identifier");
                        for (const char *c = s; c < d; c++)
                                if (!isalnum((unsigned char) *c) && *c != '-')
                                        VERSION_FAIL(err, scheme, orig, "pre-release has '%c'", *c);
                        if (all_digits(s, (size_t) (d - s)) && d - s > 1 && *s == '0')
                                VERSION_FAIL(err, scheme, orig, "a numeric pre-release identifier has a leading zero");
                        if (d == e) break;
                        s = d + 1;
                }
        }
        if (*p == '+') {
                const char *s = ++p;
                if (!*s) VERSION_FAIL(err, scheme, orig, "has empty build metadata");
                for (; *p; p++)
                        if (!isalnum((unsigned char) *p) && *p != '-' && *p != '.')
                                VERSION_FAIL(err, scheme, orig, "build metadata has '%c'", *p);
                if (strstr(s, "..") || s[strlen(s) - 1] == '.')
                        VERSION_FAIL(err, scheme, orig, "has an empty build identifier");
        }
        if (*p) VERSION_FAIL(err, scheme, orig, "has '%c' where '-', '+' or the end belongs", *p);
        return 0;
}

static int semver_cmp(const struct semver *a, const struct semver *b) {
        for (int i = 0; i < 3; i++) {
                int c = vuln_digits_cmp(a->core[i], a->core_len[i], b->core[i], b->core_len[i]);
                if (c) return c;
        }
        if (!a->pre || !b->pre) return (!a->pre && !b->pre) ? 0 : (a->pre ? -1 : 1);
        const char *pa = a->pre, *ea = a->pre + a->pre_len, *pb = b->pre, *eb = b->pre + b->pre_len;
        while (1) {
                const char *da = pa, *db = pb;
                while (da < ea && *da != '.') da++;
                while (db < eb && *db != '.') db++;
                size_t la = (size_t) (da - pa), lb = (size_t) (db - pb);
                bool na = all_digits(pa, la), nb = all_digits(pb, lb);
                int c;
                if (na && nb) c = vuln_digits_cmp(pa, la, pb, lb);
                else if (na != nb) c = na ? -1 : 1; /* numeric identifiers are lower */
                else {
                        size_t n = la < lb ? la : lb;
                        c = memcmp(pa, pb, n);
                        c = c ? (c < 0 ? -1 : 1) : (la == lb ? 0 : (la < lb ? -1 : 1));
                }
                if (c) return c;
                if (da == ea || db == eb) return (da == ea && db == eb) ? 0 : (da == ea ? -1 : 1);
                pa = da + 1;
                pb = db + 1;
        }
}

static int cmp_with(const char *scheme, const char *a, const char *sa, const char *b, const char *sb,
                    int *cmp, struct error *err) {
        struct semver x, y;
        if (semver_parse(scheme, a, sa, &x, err) < 0 || semver_parse(scheme, b, sb, &y, err) < 0) return -1;
        *cmp = semver_cmp(&x, &y);
        return 0;
}

int vuln_version_cmp_semver(const char *a, const char *b, int *cmp, struct error *err) {
        return cmp_with("semver", a, a, b, b, cmp, err);
}

static const char *npm_strip(const char *v) {
        while (*v == '=' || *v == 'v' || *v == 'V') v++;
        return v;
}

int vuln_version_cmp_npm(const char *a, const char *b, int *cmp, struct error *err) {
        return cmp_with("npm", a, npm_strip(a), b, npm_strip(b), cmp, err);
}

int vuln_version_cmp_go(const char *a, const char *b, int *cmp, struct error *err) {
        /* OSV writes Go versions without the 'v' the module system requires;
         * both spellings are the same version. */
        return cmp_with("go", a, *a == 'v' ? a + 1 : a, b, *b == 'v' ? b + 1 : b, cmp, err);
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Alpine (apk-tools) versions:
 *   N(.N)*[letter](_suffix[N])*[~hash][-rN]
 * with suffixes ordered _alpha < _beta < _pre < _rc < (none) < _cvs < _svn <
 * _git < _hg < _p. Numbers compare by value, a missing number part is
 * older (1.2 < 1.2.1), a letter is newer than none (1.2 < 1.2a), then the
 * suffixes, then the -rN package revision (missing = r0). A "~hash" commit
 * part is not ordered and is ignored.
 */
#include <ctype.h>
#include <stdbool.h>
#include <string.h>

#include "core/cleanup.h"
#include "core/strutil.h"
#include "vuln/version-internal.h"

#define APK_MAX_PARTS 16

struct apkver {
        const char *num[APK_MAX_PARTS];
        size_t num_len[APK_MAX_PARTS];
        size_t nnum;
        char letter;
        int suf[APK_MAX_PARTS];          /* rank: alpha 0 ... rc 3, cvs 5 ... p 9; none is 4 */
        const char *suf_n[APK_MAX_PARTS];
        size_t suf_n_len[APK_MAX_PARTS];
        size_t nsuf;
        const char *rev;
        size_t rev_len;
};

static const struct {
        const char *name;
        int rank;
} apk_suffixes[] = {
        {"alpha", 0}, {"beta", 1}, {"pre", 2}, {"rc", 3}, {"cvs", 5}, {"svn", 6}, {"git", 7}, {"hg", 8}, {"p", 9},
};
#define APK_NO_SUFFIX 4

static int apk_parse(const char *v, struct apkver *r, struct error *err) {
        const char *p = v;
        memset(r, 0, sizeof *r);
        while (1) {
                const char *s = p;
                while (isdigit((unsigned char) *p)) p++;
                if (p == s) VERSION_FAIL(err, "alpine", v, "expected a number at \"%.20s\"", s);
                if (r->nnum == APK_MAX_PARTS) VERSION_FAIL(err, "alpine", v, "more than %d numbers", APK_MAX_PARTS);
                r->num[r->nnum] = s;
                r->num_len[r->nnum++] = (size_t) (p - s);
                if (*p != '.') break;
                p++;
        }
        if (islower((unsigned char) *p)) r->letter = *p++;
        while (*p == '_') {
                p++;
                size_t k;
                for (k = 0; k < ELEMENTSOF(apk_suffixes); k++) {
                        size_t n = strlen(apk_suffixes[k].name);
                        if (strncmp(p, apk_suffixes[k].name, n) == 0 && !islower((unsigned char) p[n])) {
                                p += n;
                                break;
                        }
                }
                if (k == ELEMENTSOF(apk_suffixes)) VERSION_FAIL(err, "alpine", v, "unknown suffix \"_%.12s\"", p);
                if (r->nsuf == APK_MAX_PARTS) VERSION_FAIL(err, "alpine", v, "more than %d suffixes", APK_MAX_PARTS);
                const char *s = p;
                while (isdigit((unsigned char) *p)) p++;
                r->suf[r->nsuf] = apk_suffixes[k].rank;
                r->suf_n[r->nsuf] = p > s ? s : "0";
                r->suf_n_len[r->nsuf++] = p > s ? (size_t) (p - s) : 1;
        }
        if (*p == '~') {
                p++;
                const char *s = p;
                while (isxdigit((unsigned char) *p)) p++;
                if (p == s) VERSION_FAIL(err, "alpine", v, "'~' is not followed by a commit hash");
        }
        if (*p == '-') {
                if (p[1] != 'r') VERSION_FAIL(err, "alpine", v, "'-' is not followed by 'r' and a revision");
                p += 2;
                const char *s = p;
                while (isdigit((unsigned char) *p)) p++;
                if (p == s) VERSION_FAIL(err, "alpine", v, "'-r' is not followed by a number");
                r->rev = s;
                r->rev_len = (size_t) (p - s);
        }
        if (*p) VERSION_FAIL(err, "alpine", v, "unexpected \"%.20s\"", p);
        return 0;
}

static int apk_cmp(const struct apkver *x, const struct apkver *y) {
        size_t n = x->nnum < y->nnum ? x->nnum : y->nnum;
        for (size_t i = 0; i < n; i++) {
                int c = vuln_digits_cmp(x->num[i], x->num_len[i], y->num[i], y->num_len[i]);
                if (c) return c;
        }
        if (x->nnum != y->nnum) {
                /* 1.2 < 1.2.1, but 1.2_rc1 < ... the longer number wins */
                return x->nnum < y->nnum ? -1 : 1;
        }
        if (x->letter != y->letter) return (unsigned char) x->letter < (unsigned char) y->letter ? -1 : 1;
        size_t m = x->nsuf > y->nsuf ? x->nsuf : y->nsuf;
        for (size_t i = 0; i < m; i++) {
                int rx = i < x->nsuf ? x->suf[i] : APK_NO_SUFFIX, ry = i < y->nsuf ? y->suf[i] : APK_NO_SUFFIX;
                if (rx != ry) return rx < ry ? -1 : 1;
                if (i < x->nsuf && i < y->nsuf) {
                        int c = vuln_digits_cmp(x->suf_n[i], x->suf_n_len[i], y->suf_n[i], y->suf_n_len[i]);
                        if (c) return c;
                }
        }
        return vuln_digits_cmp(x->rev ? x->rev : "0", x->rev ? x->rev_len : 1, y->rev ? y->rev : "0",
                               y->rev ? y->rev_len : 1);
}

int vuln_version_cmp_alpine(const char *a, const char *b, int *cmp, struct error *err) {
        struct apkver x, y;
        if (apk_parse(a, &x, err) < 0 || apk_parse(b, &y, err) < 0) return -1;
        *cmp = apk_cmp(&x, &y);
        return 0;
}

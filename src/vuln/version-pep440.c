/* SPDX-License-Identifier: Apache-2.0 */
/*
 * PyPI versions per PEP 440 (and its normalisation rules):
 *   [v][N!]N(.N)*[{a|b|rc}N][.postN][.devN][+local]
 * case-insensitive, '.', '-', '_' accepted between parts, the long spellings
 * (alpha, beta, c, pre, preview; rev, r) and implicit numbers (1.0a = 1.0a0,
 * 1.0-1 = 1.0.post1). Order: epoch; release (trailing zeros ignored, 1.0 ==
 * 1.0.0); then 1.0.dev1 < 1.0a1.dev1 < 1.0a1 < 1.0b1 < 1.0rc1 < 1.0 <
 * 1.0.post1.dev1 < 1.0.post1; then the local label (none < any; numeric
 * segments above alphanumeric ones).
 */
#include <ctype.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "core/cleanup.h"
#include "core/strutil.h"
#include "vuln/version-internal.h"

#define PEP440_MAX_RELEASE 32

struct pep440 {
        const char *rel[PEP440_MAX_RELEASE];
        size_t rel_len[PEP440_MAX_RELEASE];
        size_t nrel;
        const char *epoch;
        size_t epoch_len;
        int pre_kind;                   /* 0 none, 1 a, 2 b, 3 rc */
        const char *pre_n;
        size_t pre_n_len;
        bool post, dev;
        const char *post_n, *dev_n;
        size_t post_n_len, dev_n_len;
        const char *local;              /* after '+', NULL when none */
};

static bool sep(char c) {
        return c == '.' || c == '-' || c == '_';
}

static bool take_word(const char **p, const char *w) {
        size_t n = strlen(w);
        if (strncasecmp(*p, w, n) != 0) return false;
        *p += n;
        return true;
}

/* Optional separator then digits; none means 0. */
static void take_num(const char **p, const char **n, size_t *len) {
        const char *q = *p;
        if (sep(*q) && isdigit((unsigned char) q[1])) q++;
        const char *s = q;
        while (isdigit((unsigned char) *q)) q++;
        if (q > s) {
                *n = s;
                *len = (size_t) (q - s);
                *p = q;
        } else {
                *n = "0";
                *len = 1;
        }
}

static int pep440_parse(const char *v, struct pep440 *r, struct error *err) {
        const char *p = v;
        memset(r, 0, sizeof *r);
        if (*p == 'v' || *p == 'V') p++;
        /* epoch or first release number */
        const char *s = p;
        while (isdigit((unsigned char) *p)) p++;
        if (p == s) VERSION_FAIL(err, "pep440", v, "does not start with a number");
        if (*p == '!') {
                r->epoch = s;
                r->epoch_len = (size_t) (p - s);
                s = ++p;
                while (isdigit((unsigned char) *p)) p++;
                if (p == s) VERSION_FAIL(err, "pep440", v, "no release number after the epoch");
        }
        r->rel[0] = s;
        r->rel_len[0] = (size_t) (p - s);
        r->nrel = 1;
        while (*p == '.' && isdigit((unsigned char) p[1])) {
                if (r->nrel == PEP440_MAX_RELEASE) VERSION_FAIL(err, "pep440", v, "more than %d release numbers", PEP440_MAX_RELEASE);
                s = ++p;
                while (isdigit((unsigned char) *p)) p++;
                r->rel[r->nrel] = s;
                r->rel_len[r->nrel++] = (size_t) (p - s);
        }
        /* pre-release */
        {
                const char *q = sep(*p) ? p + 1 : p;
                int kind = 0;
                if (take_word(&q, "alpha")) kind = 1;
                else if (take_word(&q, "a")) kind = 1;
                else if (take_word(&q, "beta")) kind = 2;
                else if (take_word(&q, "b")) kind = 2;
                else if (take_word(&q, "preview") || take_word(&q, "pre") || take_word(&q, "rc") || take_word(&q, "c")) kind = 3;
                if (kind) {
                        r->pre_kind = kind;
                        p = q;
                        take_num(&p, &r->pre_n, &r->pre_n_len);
                }
        }
        /* post-release: ".post1", "-1", "rev1", "r1" */
        {
                const char *q = sep(*p) ? p + 1 : p;
                if (take_word(&q, "post") || take_word(&q, "rev") || take_word(&q, "r")) {
                        r->post = true;
                        p = q;
                        take_num(&p, &r->post_n, &r->post_n_len);
                } else if (*p == '-' && isdigit((unsigned char) p[1])) {
                        r->post = true;
                        s = ++p;
                        while (isdigit((unsigned char) *p)) p++;
                        r->post_n = s;
                        r->post_n_len = (size_t) (p - s);
                }
        }
        /* dev-release */
        {
                const char *q = sep(*p) ? p + 1 : p;
                if (take_word(&q, "dev")) {
                        r->dev = true;
                        p = q;
                        take_num(&p, &r->dev_n, &r->dev_n_len);
                }
        }
        if (*p == '+') {
                r->local = ++p;
                if (!*p) VERSION_FAIL(err, "pep440", v, "the local label after '+' is empty");
                for (; *p; p++) {
                        if (!isalnum((unsigned char) *p) && !sep(*p)) VERSION_FAIL(err, "pep440", v, "the local label has '%c'", *p);
                        if (sep(*p) && (sep(p[1]) || !p[1])) VERSION_FAIL(err, "pep440", v, "the local label has an empty segment");
                }
        }
        if (*p) VERSION_FAIL(err, "pep440", v, "unexpected \"%.20s\"", p);
        return 0;
}

static int local_cmp(const char *a, const char *b) {
        if (!a || !b) return (!a && !b) ? 0 : (a ? 1 : -1);
        while (1) {
                size_t la = 0, lb = 0;
                while (a[la] && !sep(a[la])) la++;
                while (b[lb] && !sep(b[lb])) lb++;
                bool na = true, nb = true;
                for (size_t i = 0; i < la; i++) na = na && isdigit((unsigned char) a[i]);
                for (size_t i = 0; i < lb; i++) nb = nb && isdigit((unsigned char) b[i]);
                int c;
                if (na && nb) c = vuln_digits_cmp(a, la, b, lb);
                else if (na != nb) c = na ? 1 : -1;
                else {
                        size_t n = la < lb ? la : lb;
                        c = strncasecmp(a, b, n);
                        c = c ? (c < 0 ? -1 : 1) : (la == lb ? 0 : (la < lb ? -1 : 1));
                }
                if (c) return c;
                a += la;
                b += lb;
                if (!*a || !*b) return (!*a && !*b) ? 0 : (*a ? 1 : -1);
                a++, b++;
        }
}

/* The phase of a version between its release and its local label, as a
 * pair (rank, number) per part. */
static int pep440_cmp(const struct pep440 *x, const struct pep440 *y) {
        int c = vuln_digits_cmp(x->epoch ? x->epoch : "0", x->epoch ? x->epoch_len : 1, y->epoch ? y->epoch : "0",
                                y->epoch ? y->epoch_len : 1);
        if (c) return c;
        size_t n = x->nrel > y->nrel ? x->nrel : y->nrel;
        for (size_t i = 0; i < n; i++) {
                c = vuln_digits_cmp(i < x->nrel ? x->rel[i] : "0", i < x->nrel ? x->rel_len[i] : 1,
                                    i < y->nrel ? y->rel[i] : "0", i < y->nrel ? y->rel_len[i] : 1);
                if (c) return c;
        }
        /* pre: a dev-only release sorts before any pre-release; none after all */
        int rx = x->pre_kind ? x->pre_kind : (!x->post && x->dev ? -1 : 4);
        int ry = y->pre_kind ? y->pre_kind : (!y->post && y->dev ? -1 : 4);
        if (rx != ry) return rx < ry ? -1 : 1;
        if (x->pre_kind && (c = vuln_digits_cmp(x->pre_n, x->pre_n_len, y->pre_n, y->pre_n_len))) return c;
        if (x->post != y->post) return x->post ? 1 : -1;
        if (x->post && (c = vuln_digits_cmp(x->post_n, x->post_n_len, y->post_n, y->post_n_len))) return c;
        if (x->dev != y->dev) return x->dev ? -1 : 1;
        if (x->dev && (c = vuln_digits_cmp(x->dev_n, x->dev_n_len, y->dev_n, y->dev_n_len))) return c;
        return local_cmp(x->local, y->local);
}

int vuln_version_cmp_pep440(const char *a, const char *b, int *cmp, struct error *err) {
        struct pep440 x, y;
        if (pep440_parse(a, &x, err) < 0 || pep440_parse(b, &y, err) < 0) return -1;
        *cmp = pep440_cmp(&x, &y);
        return 0;
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The "generic" scheme, for C projects that follow no package ecosystem
 * (what an embedded SBOM mostly holds: OpenSSL, BusyBox, zlib, ...), and for
 * CPE versions:
 *  - a leading 'v' is dropped; case is ignored;
 *  - the version is cut into tokens: runs of digits and runs of letters;
 *    '.', '-', '_', '+', '~' only separate;
 *  - tokens compare left to right: numbers by value (so 2.8.123e > 2.8.75,
 *    Dependency-Track #2803, where a string compare says otherwise), words
 *    alphabetically, a number above a word;
 *  - a pre-release word (alpha, beta, pre, rc, dev, snapshot, and the
 *    preview, test) is below anything, including the end of the version:
 *    1.0rc1 < 1.0, 1.0-alpha < 1.0-beta;
 *  - when one version runs out, a missing number counts as 0 (2.0 ==
 *    2.0.0), and otherwise the longer one is newer unless its next token is
 *    a pre-release word: OpenSSL's letter releases are patch
 *    releases, 1.1.1 < 1.1.1k < 1.1.1w (syft misses these), and 1.0-rc1 <
 *    1.0.
 */
#include <ctype.h>
#include <stdbool.h>
#include <string.h>

#include "core/cleanup.h"
#include "core/strutil.h"
#include "vuln/version-internal.h"

struct gtok {
        const char *s;
        size_t len;
        bool num;
};

static bool is_sep(char c) {
        return c == '.' || c == '-' || c == '_' || c == '+' || c == '~';
}

static bool next_tok(const char **p, struct gtok *t) {
        while (**p && is_sep(**p)) (*p)++;
        if (!**p) return false;
        t->s = *p;
        t->num = isdigit((unsigned char) **p);
        while (**p && !is_sep(**p) && (isdigit((unsigned char) **p) != 0) == t->num) (*p)++;
        t->len = (size_t) (*p - t->s);
        return true;
}

static bool word_is(const struct gtok *t, const char *w) {
        return t->len == strlen(w) && strncasecmp(t->s, w, t->len) == 0;
}

static bool is_prerelease(const struct gtok *t) {
        static const char *const words[] = {"alpha", "beta", "pre", "rc", "dev", "snapshot", "preview", "test"};
        if (t->num) return false;
        for (size_t i = 0; i < ELEMENTSOF(words); i++)
                if (word_is(t, words[i])) return true;
        return false;
}

static int word_cmp(const struct gtok *a, const struct gtok *b) {
        size_t n = a->len < b->len ? a->len : b->len;
        int c = strncasecmp(a->s, b->s, n);
        if (c) return c < 0 ? -1 : 1;
        return a->len == b->len ? 0 : (a->len < b->len ? -1 : 1);
}

static int generic_check(const char *v, struct error *err) {
        bool digit = false;
        for (const char *c = v; *c; c++) {
                if (isdigit((unsigned char) *c)) digit = true;
                else if (!isalpha((unsigned char) *c) && !is_sep(*c))
                        VERSION_FAIL(err, "generic", v, "'%c' is not a letter, digit or one of . - _ + ~", *c);
        }
        if (!digit) VERSION_FAIL(err, "generic", v, "has no digit");
        return 0;
}

int vuln_version_cmp_generic(const char *a, const char *b, int *cmp, struct error *err) {
        if (*a == 'v' || *a == 'V') a++;
        if (*b == 'v' || *b == 'V') b++;
        if (generic_check(a, err) < 0 || generic_check(b, err) < 0) return -1;
        const char *pa = a, *pb = b;
        while (1) {
                struct gtok ta, tb;
                bool ha = next_tok(&pa, &ta), hb = next_tok(&pb, &tb);
                if (!ha && !hb) {
                        *cmp = 0;
                        return 0;
                }
                if (!ha || !hb) {
                        const struct gtok *rest = ha ? &ta : &tb;
                        int longer = ha ? 1 : -1;
                        /* a missing number is 0: 2.0 == 2.0.0 */
                        if (rest->num && vuln_digits_cmp(rest->s, rest->len, "0", 1) == 0) continue;
                        *cmp = is_prerelease(rest) ? -longer : longer;
                        return 0;
                }
                bool pra = is_prerelease(&ta), prb = is_prerelease(&tb);
                int c;
                if (ta.num && tb.num) c = vuln_digits_cmp(ta.s, ta.len, tb.s, tb.len);
                else if (pra != prb) c = pra ? -1 : 1;
                else if (ta.num != tb.num) c = ta.num ? 1 : -1;
                else c = word_cmp(&ta, &tb);
                if (c) {
                        *cmp = c;
                        return 0;
                }
        }
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Maven versions, ordered as Maven's ComparableVersion does (rules restated
 * from its documentation, code written here):
 *  - lowercased, cut at '.' and '-' and at every switch between digits and
 *    letters; a '-' or a switch opens a sub-list ("1-1" is 1,[1]);
 *  - trailing "null" items (0, "", "final", "ga", "release") are dropped
 *    from each list, so 1.0 == 1 == 1.0.0 == 1-ga;
 *  - qualifiers order alpha < beta < milestone < rc = cr < snapshot <
 *    (release) < sp, then unknown qualifiers alphabetically; "a1", "b1",
 *    "m1" are alpha 1, beta 1, milestone 1;
 *  - a number is above a qualifier and above a sub-list; a sub-list is above
 *    a qualifier.
 */
#include <ctype.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "core/cleanup.h"
#include "core/strutil.h"
#include "vuln/version-internal.h"

enum mitem_kind { MI_INT, MI_STR, MI_LIST };

struct mitem {
        enum mitem_kind kind;
        char *text;                     /* MI_INT: digits without leading zeros; MI_STR: comparable qualifier */
        struct mitem **kids;            /* MI_LIST */
        size_t nkids;
};

static void mitem_free(struct mitem *m) {
        if (!m) return;
        for (size_t i = 0; i < m->nkids; i++) mitem_free(m->kids[i]);
        free(m->kids);
        free(m->text);
        free(m);
}

static struct mitem *mitem_new(enum mitem_kind k) {
        struct mitem *m = xcalloc(1, sizeof *m);
        m->kind = k;
        return m;
}

static void mitem_add(struct mitem *list, struct mitem *m) {
        list->kids = xrealloc(list->kids, (list->nkids + 1) * sizeof *list->kids);
        list->kids[list->nkids++] = m;
}

static const char *const maven_qualifiers[] = {"alpha", "beta", "milestone", "rc", "snapshot", "", "sp"};
#define MAVEN_RELEASE_INDEX 5

static struct mitem *mitem_string(const char *s, size_t n, bool followed_by_digit) {
        _cleanup_free_ char *v = str_printf("%.*s", (int) n, s);
        if (followed_by_digit && n == 1) {
                if (v[0] == 'a') v = (free(v), str_dup("alpha"));
                else if (v[0] == 'b') v = (free(v), str_dup("beta"));
                else if (v[0] == 'm') v = (free(v), str_dup("milestone"));
        }
        if (!strcmp(v, "ga") || !strcmp(v, "final") || !strcmp(v, "release")) v[0] = '\0';
        else if (!strcmp(v, "cr")) strcpy(v, "rc");
        struct mitem *m = mitem_new(MI_STR);
        for (size_t i = 0; i < ELEMENTSOF(maven_qualifiers); i++)
                if (!strcmp(v, maven_qualifiers[i])) {
                        m->text = str_printf("%zu", i);
                        return m;
                }
        m->text = str_printf("%zu-%s", ELEMENTSOF(maven_qualifiers), v);
        return m;
}

static struct mitem *mitem_parse_item(bool digit, const char *s, size_t n) {
        if (!digit) return mitem_string(s, n, false);
        struct mitem *m = mitem_new(MI_INT);
        while (n > 1 && *s == '0') s++, n--;
        m->text = str_printf("%.*s", (int) n, s);
        return m;
}

static bool mitem_is_null(const struct mitem *m) {
        switch (m->kind) {
        case MI_INT: return strcmp(m->text, "0") == 0;
        case MI_STR: return strcmp(m->text, "5") == 0; /* the release qualifier "" */
        default: return m->nkids == 0;
        }
}

/* Drops null items from the end backwards, stepping over non-null
 * sub-lists (ComparableVersion's normalize: "1.0-1" is 1,[1]). */
static void mitem_normalize(struct mitem *list) {
        for (size_t i = list->nkids; i-- > 0;) {
                struct mitem *m = list->kids[i];
                if (mitem_is_null(m)) {
                        mitem_free(m);
                        memmove(&list->kids[i], &list->kids[i + 1], (list->nkids - i - 1) * sizeof *list->kids);
                        list->nkids--;
                } else if (m->kind != MI_LIST) {
                        break;
                }
        }
}

#define MAVEN_MAX_DEPTH 128

static struct mitem *maven_parse(const char *v) {
        struct mitem *root = mitem_new(MI_LIST), *stack[MAVEN_MAX_DEPTH + 1];
        size_t depth = 0, start = 0, n = strlen(v);
        struct mitem *list = root;
        bool digit = false;
        char lower[VULN_VERSION_MAX_LEN + 1];

        for (size_t i = 0; i < n && i < VULN_VERSION_MAX_LEN; i++) lower[i] = (char) tolower((unsigned char) v[i]);
        lower[n] = '\0';
        stack[depth++] = root;
        for (size_t i = 0; i < n; i++) {
                char c = lower[i];
                if (c == '.' || c == '-') {
                        if (i == start) mitem_add(list, mitem_parse_item(true, "0", 1));
                        else mitem_add(list, mitem_parse_item(digit, lower + start, i - start));
                        start = i + 1;
                        if (c == '-' && depth <= MAVEN_MAX_DEPTH) {
                                struct mitem *sub = mitem_new(MI_LIST);
                                mitem_add(list, sub);
                                list = stack[depth++] = sub;
                        }
                } else if (isdigit((unsigned char) c)) {
                        if (!digit && i > start) {
                                mitem_add(list, mitem_string(lower + start, i - start, true));
                                start = i;
                                if (depth <= MAVEN_MAX_DEPTH) {
                                        struct mitem *sub = mitem_new(MI_LIST);
                                        mitem_add(list, sub);
                                        list = stack[depth++] = sub;
                                }
                        }
                        digit = true;
                } else {
                        if (digit && i > start) {
                                mitem_add(list, mitem_parse_item(true, lower + start, i - start));
                                start = i;
                                if (depth <= MAVEN_MAX_DEPTH) {
                                        struct mitem *sub = mitem_new(MI_LIST);
                                        mitem_add(list, sub);
                                        list = stack[depth++] = sub;
                                }
                        }
                        digit = false;
                }
        }
        if (n > start) mitem_add(list, mitem_parse_item(digit, lower + start, n - start));
        while (depth) mitem_normalize(stack[--depth]);
        return root;
}

static int strcmp3(const char *a, const char *b) {
        int c = strcmp(a, b);
        return c < 0 ? -1 : c > 0;
}

static int mitem_cmp(const struct mitem *a, const struct mitem *b);

/* a compared with "nothing" (the other list ran out) */
static int mitem_cmp_null(const struct mitem *a) {
        switch (a->kind) {
        case MI_INT: return strcmp(a->text, "0") ? 1 : 0;
        case MI_STR: return strcmp3(a->text, "5");
        default: return a->nkids ? mitem_cmp_null(a->kids[0]) : 0;
        }
}

static int mitem_cmp(const struct mitem *a, const struct mitem *b) {
        if (a->kind == MI_INT) {
                if (b->kind != MI_INT) return 1;
                return vuln_digits_cmp(a->text, strlen(a->text), b->text, strlen(b->text));
        }
        if (a->kind == MI_STR) {
                if (b->kind != MI_STR) return -1;
                return strcmp3(a->text, b->text);
        }
        if (b->kind == MI_INT) return -1;
        if (b->kind == MI_STR) return 1;
        size_t n = a->nkids > b->nkids ? a->nkids : b->nkids;
        for (size_t i = 0; i < n; i++) {
                const struct mitem *l = i < a->nkids ? a->kids[i] : NULL, *r = i < b->nkids ? b->kids[i] : NULL;
                int c = !l ? -mitem_cmp_null(r) : !r ? mitem_cmp_null(l) : mitem_cmp(l, r);
                if (c) return c;
        }
        return 0;
}

static int maven_check(const char *v, struct error *err) {
        for (const char *c = v; *c; c++)
                if (!isalnum((unsigned char) *c) && !strchr(".-_+", *c))
                        VERSION_FAIL(err, "maven", v, "has '%c'", *c);
        return 0;
}

int vuln_version_cmp_maven(const char *a, const char *b, int *cmp, struct error *err) {
        if (maven_check(a, err) < 0 || maven_check(b, err) < 0) return -1;
        struct mitem *x = maven_parse(a), *y = maven_parse(b);
        *cmp = mitem_cmp(x, y);
        mitem_free(x);
        mitem_free(y);
        return 0;
}

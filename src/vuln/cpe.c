/* SPDX-License-Identifier: Apache-2.0 */
#include "vuln/cpe.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "core/cleanup.h"
#include "core/strutil.h"

static const char *const cpe_field_names[CPE_NFIELDS] = {
        "part", "vendor", "product", "version", "update", "edition",
        "language", "sw_edition", "target_sw", "target_hw", "other",
};

const char *cpe_field_name(enum cpe_field f) {
        return (unsigned) f < CPE_NFIELDS ? cpe_field_names[f] : "?";
}

#define CPE_FAIL(err, s, ...)                                                              \
        do {                                                                               \
                char shown_[96];                                                           \
                str_sanitize((s), strlen(s), shown_, sizeof shown_);                       \
                _cleanup_free_ char *why_ = str_printf(__VA_ARGS__);                       \
                return error_set((err), ERROR_INVALID, "CPE \"%s\": %s", shown_, why_);    \
        } while (0)

/* A buffer allocated once for the worst case (cpe_parse is on the matcher's
 * hot path: growing one byte at a time cost more than the parse). */
struct sbuf {
        char *p;
        size_t n;
};

static void sbuf_add(struct sbuf *b, const void *d, size_t n) {
        memcpy(b->p + b->n, d, n);
        b->n += n;
}

static char *sbuf_steal(struct sbuf *b) {
        b->p[b->n] = '\0';
        char *r = b->p;
        b->p = NULL;
        return r;
}

static void sbuf_free(struct sbuf *b) {
        free(b->p);
        b->p = NULL;
}

/* Builds one attribute from a component already split out, in 2.3 formatted
 * string syntax. Returns NULL on success, else the fault. */
static const char *cpe_attr_from_fs(const char *v, size_t len, struct cpe_attr *a, bool *unquoted) {
        if (len == 0) return "is empty (write '*' for any value)";
        if (len == 1 && v[0] == '*') {
                a->kind = CPE_AV_ANY;
                return NULL;
        }
        if (len == 1 && v[0] == '-') {
                a->kind = CPE_AV_NA;
                return NULL;
        }
        /* worst case: every character quoted */
        struct sbuf lit = {xmalloc(len + 1), 0}, quoted = {xmalloc(2 * len + 1), 0};
        bool wild = false;
        for (size_t i = 0; i < len; i++) {
                unsigned char c = (unsigned char) v[i];
                if (c == '\\') {
                        if (i + 1 == len) {
                                sbuf_free(&lit), sbuf_free(&quoted);
                                return "ends in a lone backslash";
                        }
                        unsigned char n = (unsigned char) v[++i];
                        char lc = (char) tolower(n);
                        sbuf_add(&lit, &lc, 1);
                        if (isalnum(n) || n == '_') {
                                sbuf_add(&quoted, &lc, 1);
                        } else {
                                sbuf_add(&quoted, "\\", 1);
                                sbuf_add(&quoted, &lc, 1);
                        }
                        continue;
                }
                if (c == '*' || c == '?') {
                        /* NISTIR 7695: '*' once and '?' in runs, only at the
                         * start or the end of a value. */
                        size_t j = i;
                        while (j < len && v[j] == (char) c) j++;
                        bool at_edge = (i == 0) || (j == len);
                        if (!at_edge || (c == '*' && j - i > 1)) {
                                sbuf_free(&lit), sbuf_free(&quoted);
                                return c == '*' ? "has an unquoted '*' that is not a single wildcard at its start or end"
                                                : "has an unquoted '?' that is not at its start or end";
                        }
                        if (len == j - i) {
                                sbuf_free(&lit), sbuf_free(&quoted);
                                return "is only wildcards";
                        }
                        sbuf_add(&quoted, v + i, j - i);
                        wild = true;
                        i = j - 1;
                        continue;
                }
                char lc = (char) tolower(c);
                sbuf_add(&lit, &lc, 1);
                if (isalnum(c) || c == '_') {
                        sbuf_add(&quoted, &lc, 1);
                } else {
                        if (c != '-' && c != '.') *unquoted = true;
                        sbuf_add(&quoted, "\\", 1);
                        sbuf_add(&quoted, &lc, 1);
                }
        }
        a->kind = CPE_AV_VALUE;
        a->wild = wild;
        if (wild) {
                a->value = sbuf_steal(&quoted);
                sbuf_free(&lit);
        } else {
                a->value = sbuf_steal(&lit);
                sbuf_free(&quoted);
        }
        return NULL;
}

static int cpe_parse_fs(const char *s, struct cpe *c, struct error *err) {
        const char *p = s + 8; /* after "cpe:2.3:" */
        size_t n = 0;

        c->binding = 23;
        while (1) {
                const char *q = p;
                while (*q && *q != ':') {
                        if (*q == '\\' && q[1]) q++;
                        q++;
                }
                if (n == CPE_NFIELDS) CPE_FAIL(err, s, "has more than 13 components");
                const char *why = cpe_attr_from_fs(p, (size_t) (q - p), &c->a[n], &c->unquoted);
                if (why) CPE_FAIL(err, s, "%s (component %zu) %s", cpe_field_names[n], n + 3, why);
                n++;
                if (!*q) break;
                p = q + 1;
        }
        if (n != CPE_NFIELDS) CPE_FAIL(err, s, "has %zu components, a CPE 2.3 name has 13", n + 2);
        return 0;
}

/* 2.2 URI: one component (not the packed edition). */
static const char *cpe_attr_from_uri(const char *v, size_t len, struct cpe_attr *a) {
        if (len == 0) {
                a->kind = CPE_AV_ANY;
                return NULL;
        }
        if (len == 1 && v[0] == '-') {
                a->kind = CPE_AV_NA;
                return NULL;
        }
        struct sbuf lit = {xmalloc(len + 1), 0}, quoted = {xmalloc(2 * len + 1), 0};
        bool wild = false;
        for (size_t i = 0; i < len; i++) {
                unsigned char ch = (unsigned char) v[i];
                if (ch == '%') {
                        if (i + 2 >= len || !isxdigit((unsigned char) v[i + 1]) || !isxdigit((unsigned char) v[i + 2])) {
                                sbuf_free(&lit), sbuf_free(&quoted);
                                return "has a '%' not followed by two hex digits";
                        }
                        char hex[3] = {v[i + 1], v[i + 2], 0};
                        unsigned d = (unsigned) strtoul(hex, NULL, 16);
                        i += 2;
                        if (d == 1 || d == 2) { /* %01 '?', %02 '*': wildcards at the edges only */
                                bool edge = (i - 2 == 0) || (i + 1 == len);
                                if (!edge) {
                                        sbuf_free(&lit), sbuf_free(&quoted);
                                        return "has a %01/%02 wildcard that is not at its start or end";
                                }
                                char w = d == 1 ? '?' : '*';
                                sbuf_add(&quoted, &w, 1);
                                wild = true;
                                continue;
                        }
                        if (d < 0x21 || d > 0x7e || isalnum((int) d)) {
                                sbuf_free(&lit), sbuf_free(&quoted);
                                return "percent-encodes a character that is not printable punctuation";
                        }
                        char lc = (char) d;
                        sbuf_add(&lit, &lc, 1);
                        sbuf_add(&quoted, "\\", 1);
                        sbuf_add(&quoted, &lc, 1);
                        continue;
                }
                if (!isalnum(ch) && ch != '.' && ch != '-' && ch != '_') {
                        sbuf_free(&lit), sbuf_free(&quoted);
                        return "has a character a CPE 2.2 URI must percent-encode";
                }
                char lc = (char) tolower(ch);
                sbuf_add(&lit, &lc, 1);
                if (!isalnum(ch) && ch != '_') sbuf_add(&quoted, "\\", 1);
                sbuf_add(&quoted, &lc, 1);
        }
        a->kind = CPE_AV_VALUE;
        a->wild = wild;
        if (wild && !lit.n) {
                sbuf_free(&lit), sbuf_free(&quoted);
                return "is only wildcards";
        }
        a->value = wild ? sbuf_steal(&quoted) : sbuf_steal(&lit);
        sbuf_free(wild ? &lit : &quoted);
        return NULL;
}

static int cpe_parse_uri(const char *s, struct cpe *c, struct error *err) {
        static const enum cpe_field order[] = {CPE_PART, CPE_VENDOR, CPE_PRODUCT, CPE_VERSION,
                                               CPE_UPDATE, CPE_EDITION, CPE_LANGUAGE};
        const char *p = s + 5; /* after "cpe:/" */
        size_t n = 0;

        c->binding = 22;
        while (1) {
                const char *q = strchr(p, ':');
                size_t len = q ? (size_t) (q - p) : strlen(p);
                if (n == ELEMENTSOF(order)) CPE_FAIL(err, s, "has more than 7 components (part to language)");
                enum cpe_field f = order[n];
                if (f == CPE_PART) {
                        if (len == 0) c->a[f].kind = CPE_AV_ANY;
                        else if (len == 1 && strchr("aoh", tolower((unsigned char) *p))) {
                                c->a[f].kind = CPE_AV_VALUE;
                                c->a[f].value = str_printf("%c", tolower((unsigned char) *p));
                        } else CPE_FAIL(err, s, "part \"%.*s\" is not a, o or h", len > 20 ? 20 : (int) len, p);
                } else if (f == CPE_EDITION && len > 0 && p[0] == '~') {
                        /* packed: ~edition~sw_edition~target_sw~target_hw~other */
                        static const enum cpe_field packed[] = {CPE_EDITION, CPE_SW_EDITION, CPE_TARGET_SW,
                                                                CPE_TARGET_HW, CPE_OTHER};
                        const char *r = p + 1, *end = p + len;
                        for (size_t k = 0; k < ELEMENTSOF(packed); k++) {
                                const char *t = memchr(r, '~', (size_t) (end - r));
                                if (!t && k + 1 < ELEMENTSOF(packed))
                                        CPE_FAIL(err, s, "packed edition has fewer than 5 '~'-separated parts");
                                if (t && k + 1 == ELEMENTSOF(packed))
                                        CPE_FAIL(err, s, "packed edition has more than 5 '~'-separated parts");
                                const char *e = t ? t : end;
                                const char *why = cpe_attr_from_uri(r, (size_t) (e - r), &c->a[packed[k]]);
                                if (why) CPE_FAIL(err, s, "%s %s", cpe_field_names[packed[k]], why);
                                r = e + 1;
                        }
                } else {
                        if (memchr(p, '~', len))
                                CPE_FAIL(err, s, "%s has a '~' (only a packed edition may)", cpe_field_names[f]);
                        const char *why = cpe_attr_from_uri(p, len, &c->a[f]);
                        if (why) CPE_FAIL(err, s, "%s %s", cpe_field_names[f], why);
                }
                n++;
                if (!q) break;
                p = q + 1;
        }
        return 0;
}

int cpe_parse(const char *s, struct cpe *c, struct error *err) {
        memset(c, 0, sizeof *c);
        if (!s) return error_set(err, ERROR_INVALID, "CPE: missing");
        size_t len = strlen(s);
        if (len > CPE_MAX_LEN) {
                char shown[64];
                str_sanitize(s, len, shown, sizeof shown);
                return error_set(err, ERROR_TOO_LARGE, "CPE \"%s\": longer than %d bytes", shown, CPE_MAX_LEN);
        }
        for (size_t i = 0; i < len; i++)
                if ((unsigned char) s[i] <= ' ' || (unsigned char) s[i] >= 0x7f) {
                        cpe_free(c);
                        CPE_FAIL(err, s, "contains a space, control or non-ASCII byte at offset %zu", i);
                }
        int r;
        if (strncasecmp(s, "cpe:2.3:", 8) == 0) r = cpe_parse_fs(s, c, err);
        else if (strncasecmp(s, "cpe:/", 5) == 0) r = cpe_parse_uri(s, c, err);
        else {
                cpe_free(c);
                CPE_FAIL(err, s, "starts with neither \"cpe:2.3:\" (CPE 2.3) nor \"cpe:/\" (CPE 2.2)");
        }
        if (r == 0 && c->binding == 23) {
                const struct cpe_attr *part = &c->a[CPE_PART];
                if (part->kind == CPE_AV_VALUE &&
                    (part->wild || strlen(part->value) != 1 || !strchr("aoh", part->value[0]))) {
                        cpe_free(c);
                        CPE_FAIL(err, s, "part is not a, o, h or '*'");
                }
        }
        if (r < 0) cpe_free(c);
        return r;
}

void cpe_free(struct cpe *c) {
        if (!c) return;
        for (size_t i = 0; i < CPE_NFIELDS; i++) free(c->a[i].value);
        memset(c, 0, sizeof *c);
}

const char *cpe_attr_text(const struct cpe_attr *a) {
        switch (a->kind) {
        case CPE_AV_ANY: return "*";
        case CPE_AV_NA: return "-";
        default: return a->value;
        }
}

/* Matches quoted pattern p (wildcards '*' = any run, '?' = one char, '\x' =
 * literal x) against literal text t. */
static bool cpe_wild_match(const char *p, const char *t) {
        if (!*p) return !*t;
        if (*p == '*') {
                for (const char *u = t;; u++) {
                        if (cpe_wild_match(p + 1, u)) return true;
                        if (!*u) return false;
                }
        }
        if (!*t) return false;
        if (*p == '?') return cpe_wild_match(p + 1, t + 1);
        if (*p == '\\' && p[1]) p++;
        return *p == *t && cpe_wild_match(p + 1, t + 1);
}

bool cpe_attr_matches(const struct cpe_attr *pattern, const struct cpe_attr *value) {
        if (pattern->kind == CPE_AV_ANY) return true;
        if (pattern->kind == CPE_AV_NA) return value->kind == CPE_AV_NA;
        if (value->kind != CPE_AV_VALUE || value->wild) return false;
        if (pattern->wild) return cpe_wild_match(pattern->value, value->value);
        return strcmp(pattern->value, value->value) == 0;
}

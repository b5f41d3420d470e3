/* SPDX-License-Identifier: Apache-2.0 */
#include "vuln/purl.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "core/cleanup.h"
#include "core/strutil.h"

/* Fails with the purl (sanitised, cut) in the message. */
#define PURL_FAIL(err, s, ...)                                                             \
        do {                                                                               \
                char shown_[96];                                                           \
                str_sanitize((s), strlen(s), shown_, sizeof shown_);                       \
                _cleanup_free_ char *why_ = str_printf(__VA_ARGS__);                       \
                return error_set((err), ERROR_INVALID, "purl \"%s\": %s", shown_, why_);   \
        } while (0)

static int hexval(char c) {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
}

/* Percent-decodes s[0..len) into a new string. Returns NULL with *why set on
 * a truncated or non-hex escape, or an escape that decodes to NUL. */
static char *purl_decode(const char *s, size_t len, const char **why) {
        char *out = xmalloc(len + 1);
        size_t o = 0;

        for (size_t i = 0; i < len; i++) {
                if (s[i] != '%') {
                        out[o++] = s[i];
                        continue;
                }
                if (i + 2 >= len) {
                        free(out);
                        *why = "a '%' escape is cut short";
                        return NULL;
                }
                int hi = hexval(s[i + 1]), lo = hexval(s[i + 2]);
                if (hi < 0 || lo < 0) {
                        free(out);
                        *why = "a '%' escape is not followed by two hex digits";
                        return NULL;
                }
                if (hi == 0 && lo == 0) {
                        free(out);
                        *why = "a '%00' escape (NUL) is not allowed";
                        return NULL;
                }
                out[o++] = (char) (hi * 16 + lo);
                i += 2;
        }
        out[o] = '\0';
        return out;
}

static void lower(char *s) {
        for (; s && *s; s++) *s = (char) tolower((unsigned char) *s);
}

/* Decodes a '/'-separated path, dropping empty, "." and ".." segments (spec
 * rule for subpaths; for namespaces only empty ones occur). NULL result with
 * *why NULL means no segment was left. */
static char *purl_decode_path(const char *s, size_t len, bool drop_dots, const char **why) {
        struct buf b = {0};
        size_t i = 0;

        *why = NULL;
        while (i < len) {
                size_t j = i;
                while (j < len && s[j] != '/') j++;
                if (j > i) {
                        _cleanup_free_ char *seg = purl_decode(s + i, j - i, why);
                        if (!seg) {
                                buf_free(&b);
                                return NULL;
                        }
                        if (strchr(seg, '/')) {
                                buf_free(&b);
                                *why = "a path segment contains an encoded '/'";
                                return NULL;
                        }
                        if (!(drop_dots && (strcmp(seg, ".") == 0 || strcmp(seg, "..") == 0))) {
                                if (b.len) buf_append(&b, "/", 1);
                                buf_append(&b, seg, strlen(seg));
                        }
                }
                i = j + 1;
        }
        if (!b.len) {
                buf_free(&b);
                return NULL;
        }
        return buf_steal(&b);
}

static int qualifier_cmp(const void *a, const void *b) {
        return strcmp(((const struct purl_qualifier *) a)->key, ((const struct purl_qualifier *) b)->key);
}

static bool purl_type_valid(const char *t, size_t len) {
        if (len == 0 || isdigit((unsigned char) t[0])) return false;
        for (size_t i = 0; i < len; i++) {
                unsigned char c = (unsigned char) t[i];
                if (!isalnum(c) && c != '.' && c != '+' && c != '-') return false;
        }
        return true;
}

static bool purl_key_valid(const char *k) {
        if (!*k || isdigit((unsigned char) k[0])) return false;
        for (; *k; k++) {
                unsigned char c = (unsigned char) *k;
                if (!isalnum(c) && c != '.' && c != '-' && c != '_') return false;
        }
        return true;
}

/* The spec's per-type normalisation that decides whether two purls name the
 * same package. */
static void purl_normalise(struct purl *p) {
        static const char *const lower_ns_name[] = {"github", "bitbucket", "npm", "composer", "deb",
                                                    "apk", "hex"};
        for (size_t i = 0; i < ELEMENTSOF(lower_ns_name); i++) {
                if (strcmp(p->type, lower_ns_name[i]) == 0) {
                        lower(p->namespace_);
                        lower(p->name);
                }
        }
        if (strcmp(p->type, "pypi") == 0) {
                /* PEP 503: runs of '-', '_', '.' are one '-', case-insensitive. */
                lower(p->name);
                char *o = p->name;
                for (const char *c = p->name; *c; c++) {
                        if (*c == '_' || *c == '.' || *c == '-') {
                                if (o == p->name || o[-1] != '-') *o++ = '-';
                        } else {
                                *o++ = *c;
                        }
                }
                *o = '\0';
        }
}

static int purl_parse_qualifiers(const char *s, const char *q, size_t len, struct purl *p,
                                 struct error *err) {
        size_t i = 0;

        while (i < len) {
                size_t j = i;
                while (j < len && q[j] != '&') j++;
                if (j > i) {
                        const char *eq = memchr(q + i, '=', j - i);
                        if (!eq) PURL_FAIL(err, s, "qualifier \"%.*s\" has no '='", (int) (j - i), q + i);
                        _cleanup_free_ char *key = xmalloc((size_t) (eq - (q + i)) + 1);
                        memcpy(key, q + i, (size_t) (eq - (q + i)));
                        key[eq - (q + i)] = '\0';
                        lower(key);
                        if (!purl_key_valid(key))
                                PURL_FAIL(err, s, "qualifier key \"%.40s\" is not a valid key", key);
                        const char *why = NULL;
                        _cleanup_free_ char *val = purl_decode(eq + 1, (size_t) (q + j - eq - 1), &why);
                        if (!val) PURL_FAIL(err, s, "qualifier \"%s\": %s", key, why);
                        if (*val) { /* the spec drops a qualifier with an empty value */
                                for (size_t k = 0; k < p->nqualifiers; k++)
                                        if (strcmp(p->qualifiers[k].key, key) == 0)
                                                PURL_FAIL(err, s, "qualifier \"%s\" appears twice", key);
                                if (p->nqualifiers == PURL_MAX_QUALIFIERS)
                                        PURL_FAIL(err, s, "more than %d qualifiers", PURL_MAX_QUALIFIERS);
                                p->qualifiers = xrealloc(p->qualifiers,
                                                         (p->nqualifiers + 1) * sizeof *p->qualifiers);
                                p->qualifiers[p->nqualifiers].key = steal_ptr(key);
                                p->qualifiers[p->nqualifiers].value = steal_ptr(val);
                                p->nqualifiers++;
                        }
                }
                i = j + 1;
        }
        if (p->nqualifiers > 1) qsort(p->qualifiers, p->nqualifiers, sizeof *p->qualifiers, qualifier_cmp);
        return 0;
}

static int purl_parse_inner(const char *s, struct purl *p, struct error *err) {
        size_t len = strlen(s);
        const char *why = NULL;

        if (len > PURL_MAX_LEN) {
                char shown[64];
                str_sanitize(s, len, shown, sizeof shown);
                return error_set(err, ERROR_TOO_LARGE, "purl \"%s\": longer than %d bytes", shown, PURL_MAX_LEN);
        }
        for (size_t i = 0; i < len; i++)
                if ((unsigned char) s[i] <= ' ' || (unsigned char) s[i] >= 0x7f)
                        PURL_FAIL(err, s, "contains a space, control or non-ASCII byte at offset %zu "
                                          "(such characters must be percent-encoded)", i);
        if (strncasecmp(s, "pkg:", 4) != 0) PURL_FAIL(err, s, "does not start with the scheme \"pkg:\"");

        const char *start = s + 4, *end = s + len;
        while (*start == '/') start++; /* "pkg://type" is tolerated, as the spec says */

        /* subpath: after the rightmost '#' */
        const char *hash = memchr(start, '#', (size_t) (end - start));
        if (hash) {
                p->subpath = purl_decode_path(hash + 1, (size_t) (end - hash - 1), true, &why);
                if (!p->subpath && why) PURL_FAIL(err, s, "subpath: %s", why);
                end = hash;
        }
        /* qualifiers: after the first '?' of what is left */
        const char *qm = memchr(start, '?', (size_t) (end - start));
        if (qm) {
                if (purl_parse_qualifiers(s, qm + 1, (size_t) (end - qm - 1), p, err) < 0) return -1;
                end = qm;
        }
        /* type: up to the first '/' */
        const char *slash = memchr(start, '/', (size_t) (end - start));
        if (!slash) PURL_FAIL(err, s, "has no '/' after the type (no name)");
        if (!purl_type_valid(start, (size_t) (slash - start)))
                PURL_FAIL(err, s, "type \"%.*s\" is empty or has a character other than letters, digits, "
                                  "'.', '+', '-' (or starts with a digit)",
                          (int) (slash - start) > 40 ? 40 : (int) (slash - start), start);
        p->type = xmalloc((size_t) (slash - start) + 1);
        memcpy(p->type, start, (size_t) (slash - start));
        p->type[slash - start] = '\0';
        lower(p->type);
        start = slash + 1;
        while (end > start && end[-1] == '/') end--;

        /* version: after the rightmost '@' */
        const char *at = NULL;
        for (const char *c = start; c < end; c++)
                if (*c == '@') at = c;
        if (at) {
                if (at + 1 == end) PURL_FAIL(err, s, "'@' is not followed by a version");
                p->version = purl_decode(at + 1, (size_t) (end - at - 1), &why);
                if (!p->version) PURL_FAIL(err, s, "version: %s", why);
                end = at;
        }
        /* name: after the rightmost '/'; namespace before it */
        const char *nslash = NULL;
        for (const char *c = start; c < end; c++)
                if (*c == '/') nslash = c;
        const char *nstart = nslash ? nslash + 1 : start;
        if (nstart == end) PURL_FAIL(err, s, "has no name");
        p->name = purl_decode(nstart, (size_t) (end - nstart), &why);
        if (!p->name) PURL_FAIL(err, s, "name: %s", why);
        if (!*p->name) PURL_FAIL(err, s, "has no name");
        if (strchr(p->name, '/')) PURL_FAIL(err, s, "name contains an encoded '/'");
        if (nslash) {
                p->namespace_ = purl_decode_path(start, (size_t) (nslash - start), false, &why);
                if (!p->namespace_ && why) PURL_FAIL(err, s, "namespace: %s", why);
        }
        purl_normalise(p);
        return 0;
}

int purl_parse(const char *s, struct purl *p, struct error *err) {
        memset(p, 0, sizeof *p);
        if (!s) return error_set(err, ERROR_INVALID, "purl: missing");
        if (purl_parse_inner(s, p, err) < 0) {
                purl_free(p);
                return -1;
        }
        return 0;
}

void purl_free(struct purl *p) {
        if (!p) return;
        free(p->type);
        free(p->namespace_);
        free(p->name);
        free(p->version);
        for (size_t i = 0; i < p->nqualifiers; i++) {
                free(p->qualifiers[i].key);
                free(p->qualifiers[i].value);
        }
        free(p->qualifiers);
        free(p->subpath);
        memset(p, 0, sizeof *p);
}

const char *purl_qualifier(const struct purl *p, const char *key) {
        for (size_t i = 0; i < p->nqualifiers; i++)
                if (strcmp(p->qualifiers[i].key, key) == 0) return p->qualifiers[i].value;
        return NULL;
}

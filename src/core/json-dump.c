/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cr_json_dump: the compact, key-sorted text of a JSON tree, byte for byte
 * what jansson's json_dumps(JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY)
 * writes, but faster for what responses hold.
 *
 * Why: jansson decodes every character of every string as UTF-8 and tests
 * it against its flags one code point at a time; a device's whoami answer
 * carries its certificate's PEM, and dumping it was 13 % of a kept-alive
 * whoami request (perf, issue 8; about 13 us for 1.4 KB). Here a string is
 * copied in runs between the characters that need escaping.
 *
 * Only what is cheap to get exactly right is done here: objects, arrays,
 * ASCII strings, integers, true, false, null. Anything else -- a byte
 * above 0x7F (UTF-8, which jansson validates), a real, a key with a NUL,
 * nesting deeper than DUMP_MAX_DEPTH (or a cycle) -- hands the whole tree
 * to jansson, so the output is jansson's in every case
 * (tests/unit/test-core-json.c compares both over generated trees).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/json.h"
#include "core/strutil.h"

#define DUMP_MAX_DEPTH 64
#define DUMP_SORT_STACK 32

struct dump_buf {
        char *p;
        size_t len, cap;
};

static void put(struct dump_buf *b, const char *s, size_t n) {
        if (b->len + n + 1 > b->cap) {
                size_t cap = b->cap ? b->cap : 1024;
                while (b->len + n + 1 > cap)
                        cap *= 2;
                b->p = xrealloc(b->p, cap);
                b->cap = cap;
        }
        memcpy(b->p + b->len, s, n);
        b->len += n;
}

/* jansson's escapes: the two-character ones, else \u00XX below 0x20. */
static bool put_string(struct dump_buf *b, const char *s, size_t n) {
        put(b, "\"", 1);
        size_t run = 0;
        for (size_t i = 0; i < n; i++) {
                unsigned char c = (unsigned char) s[i];
                if (c >= 0x80)
                        return false;
                if (c >= 0x20 && c != '"' && c != '\\')
                        continue;
                put(b, s + run, i - run);
                run = i + 1;
                switch (c) {
                case '"': put(b, "\\\"", 2); break;
                case '\\': put(b, "\\\\", 2); break;
                case '\b': put(b, "\\b", 2); break;
                case '\f': put(b, "\\f", 2); break;
                case '\n': put(b, "\\n", 2); break;
                case '\r': put(b, "\\r", 2); break;
                case '\t': put(b, "\\t", 2); break;
                default: {
                        char seq[8];
                        snprintf(seq, sizeof(seq), "\\u%04X", (unsigned) c);
                        put(b, seq, 6);
                }
                }
        }
        put(b, s + run, n - run);
        put(b, "\"", 1);
        return true;
}

struct dump_member {
        const char *key;
        json_t *value;
};

static int member_cmp(const void *a, const void *b) {
        return strcmp(((const struct dump_member *) a)->key, ((const struct dump_member *) b)->key);
}

static bool put_value(struct dump_buf *b, json_t *v, unsigned depth);

static bool put_object(struct dump_buf *b, json_t *v, unsigned depth) {
        size_t n = json_object_size(v);
        struct dump_member stack[DUMP_SORT_STACK];
        struct dump_member *m = n <= DUMP_SORT_STACK ? stack : xmalloc(n * sizeof(*m));
        size_t i = 0;
        bool ok = true;
        for (void *it = json_object_iter(v); it && i < n; it = json_object_iter_next(v, it)) {
                m[i].key = json_object_iter_key(it);
                m[i].value = json_object_iter_value(it);
                /* A key with a NUL in it sorts differently for jansson. */
                if (strlen(m[i].key) != json_object_iter_key_len(it))
                        ok = false;
                i++;
        }
        if (ok && i == n) {
                qsort(m, n, sizeof(*m), member_cmp);
                put(b, "{", 1);
                for (i = 0; ok && i < n; i++) {
                        if (i > 0)
                                put(b, ",", 1);
                        ok = put_string(b, m[i].key, strlen(m[i].key));
                        if (ok) {
                                put(b, ":", 1);
                                ok = put_value(b, m[i].value, depth + 1);
                        }
                }
                put(b, "}", 1);
        } else {
                ok = false;
        }
        if (m != stack)
                free(m);
        return ok;
}

static bool put_value(struct dump_buf *b, json_t *v, unsigned depth) {
        if (!v || depth > DUMP_MAX_DEPTH)
                return false;
        switch (json_typeof(v)) {
        case JSON_OBJECT:
                return put_object(b, v, depth);
        case JSON_ARRAY: {
                put(b, "[", 1);
                for (size_t i = 0; i < json_array_size(v); i++) {
                        if (i > 0)
                                put(b, ",", 1);
                        if (!put_value(b, json_array_get(v, i), depth + 1))
                                return false;
                }
                put(b, "]", 1);
                return true;
        }
        case JSON_STRING:
                return put_string(b, json_string_value(v), json_string_length(v));
        case JSON_INTEGER: {
                char num[32];
                int len = snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT, json_integer_value(v));
                put(b, num, (size_t) len);
                return true;
        }
        case JSON_TRUE:
                put(b, "true", 4);
                return true;
        case JSON_FALSE:
                put(b, "false", 5);
                return true;
        case JSON_NULL:
                put(b, "null", 4);
                return true;
        case JSON_REAL:
                break;
        }
        return false;
}

char *cr_json_dump(json_t *value) {
        struct dump_buf b = {0};
        if (put_value(&b, value, 0)) {
                b.p[b.len] = '\0';
                return b.p;
        }
        free(b.p);
        char *s = json_dumps(value, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
        /* Fails only on OOM or a cyclic tree, both broken invariants. */
        if (!s)
                abort();
        return s;
}

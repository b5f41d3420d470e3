/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Canonical JSON, the OLPC form that TUF signs (as produced by python-tuf's
 * securesystemslib.formats.encode_canonical, and by go-tuf and tuf-js):
 *  - object keys sorted by their UTF-8 bytes (equal to code point order);
 *  - no whitespace at all;
 *  - strings written as raw UTF-8 with only '"' and '\' escaped, so control
 *    characters appear literally;
 *  - integers only: a real has no single canonical spelling, so it is refused;
 *  - null, true, false as themselves.
 * Signatures are over these bytes, so every detail here is interoperability.
 */
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "core/strutil.h"

/* jansson trees are not guaranteed acyclic (json_object_set can build a
 * cycle); the limit turns a cycle into an error instead of a stack overflow. */
#define CANONICAL_MAX_DEPTH 512

struct key_ref {
        const char *key;
        size_t len;
        json_t *value;
};

static int key_cmp(const void *a, const void *b) {
        const struct key_ref *x = a, *y = b;
        size_t n = x->len < y->len ? x->len : y->len;
        int r = memcmp(x->key, y->key, n);

        if (r != 0)
                return r;
        return x->len < y->len ? -1 : x->len > y->len;
}

static void append_string(struct buf *b, const char *s, size_t len) {
        size_t start = 0;

        buf_append(b, "\"", 1);
        for (size_t i = 0; i < len; i++) {
                if (s[i] != '"' && s[i] != '\\')
                        continue;
                buf_append(b, s + start, i - start);
                buf_append(b, "\\", 1);
                start = i; /* the quote or backslash itself follows */
        }
        buf_append(b, s + start, len - start);
        buf_append(b, "\"", 1);
}

static int encode(struct buf *b, json_t *v, unsigned depth, struct error *err) {
        if (depth > CANONICAL_MAX_DEPTH)
                return error_set(err, ERROR_INVALID,
                                 "canonical JSON: nested deeper than %d levels", CANONICAL_MAX_DEPTH);

        switch (json_typeof(v)) {
        case JSON_NULL:
                buf_append(b, "null", 4);
                return 0;
        case JSON_TRUE:
                buf_append(b, "true", 4);
                return 0;
        case JSON_FALSE:
                buf_append(b, "false", 5);
                return 0;
        case JSON_INTEGER:
                buf_appendf(b, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
                return 0;
        case JSON_REAL:
                return error_set(err, ERROR_INVALID,
                                 "canonical JSON: real numbers are not allowed (found %g)",
                                 json_real_value(v));
        case JSON_STRING:
                append_string(b, json_string_value(v), json_string_length(v));
                return 0;
        case JSON_ARRAY: {
                size_t i;
                json_t *e;

                buf_append(b, "[", 1);
                json_array_foreach(v, i, e) {
                        if (i > 0)
                                buf_append(b, ",", 1);
                        if (encode(b, e, depth + 1, err) < 0)
                                return -1;
                }
                buf_append(b, "]", 1);
                return 0;
        }
        case JSON_OBJECT: {
                size_t n = json_object_size(v), i = 0;
                struct key_ref *keys;
                void *it;
                int r = 0;

                keys = xcalloc(n ? n : 1, sizeof(*keys));
                for (it = json_object_iter(v); it && i < n; it = json_object_iter_next(v, it), i++)
                        keys[i] = (struct key_ref) {
                                .key = json_object_iter_key(it),
                                .len = json_object_iter_key_len(it),
                                .value = json_object_iter_value(it),
                        };
                n = i;
                qsort(keys, n, sizeof(*keys), key_cmp);

                buf_append(b, "{", 1);
                for (i = 0; i < n && r == 0; i++) {
                        if (i > 0)
                                buf_append(b, ",", 1);
                        append_string(b, keys[i].key, keys[i].len);
                        buf_append(b, ":", 1);
                        r = encode(b, keys[i].value, depth + 1, err);
                }
                buf_append(b, "}", 1);
                free(keys);
                return r;
        }
        }
        return error_set(err, ERROR_INTERNAL, "canonical JSON: unknown value type");
}

char *cr_json_canonical(json_t *value, size_t *len_out, struct error *err) {
        struct buf b = { 0 };

        if (!value) {
                error_set(err, ERROR_INTERNAL, "canonical JSON: no value");
                return NULL;
        }
        if (encode(&b, value, 0, err) < 0) {
                buf_free(&b);
                return NULL;
        }
        if (len_out)
                *len_out = b.len;
        return buf_steal(&b);
}

/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/*
 * JSON helpers over jansson (prefixed cr_json_ because jansson owns json_*).
 *  - parsing outside input with size and depth limits, duplicate keys refused
 *  - declarative field checking: required/optional, type, unknown fields refused
 *  - canonical JSON (the OLPC form TUF uses) for hashing and signing
 */
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "core/error.h"

#define CR_JSON_DEFAULT_MAX_DEPTH 32

/* Parses `len` bytes. Refuses more than max_len bytes (ERROR_TOO_LARGE),
 * nesting deeper than max_depth, trailing data, duplicate keys, and invalid
 * UTF-8; messages name line and column ("line 3, column 7: ..."). `what`
 * names the input in messages ("request body"). max_depth 0 means
 * CR_JSON_DEFAULT_MAX_DEPTH; the top level must be an object or an array;
 * strings containing \u0000 are refused. */
json_t *cr_json_parse(const char *what, const char *buf, size_t len, size_t max_len,
                      size_t max_depth, struct error *err);

enum cr_json_type {
        CR_JSON_STRING, CR_JSON_INTEGER, CR_JSON_BOOL, CR_JSON_OBJECT, CR_JSON_ARRAY,
        CR_JSON_STRING_ARRAY, /* array of strings */
};

struct cr_json_field {
        const char *name;
        enum cr_json_type type;
        bool required;
        size_t max_len;   /* strings: max bytes; arrays: max elements; 0 = default (4096 / 256) */
        bool allow_null;  /* null accepted (treated as "clear") */
};

/* Checks that `obj` is an object, every required field is present, every
 * present field has the declared type and size, and no other field exists.
 * Errors name the field: "field 'name': expected a string". */
int cr_json_check_object(const char *what, json_t *obj, const struct cr_json_field *fields,
                         size_t n_fields, struct error *err);

/* Convenience getters; return NULL/def when absent or of another type. */
const char *cr_json_get_string(json_t *obj, const char *key);
int64_t cr_json_get_int(json_t *obj, const char *key, int64_t def);

/* Canonical JSON: keys sorted by byte value, no insignificant whitespace,
 * strings escape only '"' and '\\', integers only (reals refused). Returns a
 * heap string, or NULL with err set. */
char *cr_json_canonical(json_t *value, size_t *len_out, struct error *err);

/* Compact, sorted dump for responses (heap string): exactly jansson's
 * JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY text (json-dump.c). */
char *cr_json_dump(json_t *value);

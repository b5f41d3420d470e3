/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Parsing and checking JSON from outside: request bodies, TUF metadata, SBOMs,
 * feeds. jansson does the parsing; this file adds the limits (size, depth),
 * the strictness (duplicate keys, trailing data, NUL in strings) and error
 * messages that say where the input is wrong.
 */
#include <string.h>

#include "core/cleanup.h"
#include "core/json.h"
#include "core/strutil.h"

#define FIELD_DEFAULT_MAX_STRING 4096
#define FIELD_DEFAULT_MAX_ELEMENTS 256

/*
 * jansson has its own nesting limit (2048), far deeper than any of our
 * documents and deep enough to cost real stack. A linear pre-scan enforces
 * ours before jansson recurses. Brackets inside strings do not count, and a
 * backslash escapes the next character, so "\"[" is not an opening bracket.
 */
static int check_depth(const char *what, const char *buf, size_t len, size_t max_depth,
                       struct error *err) {
        size_t depth = 0;
        bool in_string = false, escaped = false;
        int line = 1, column = 0;

        for (size_t i = 0; i < len; i++) {
                unsigned char c = (unsigned char) buf[i];

                /* Columns count characters as jansson does: UTF-8
                 * continuation bytes do not advance. */
                if (c == '\n') {
                        line++;
                        column = 0;
                } else if ((c & 0xc0) != 0x80) {
                        column++;
                }

                if (in_string) {
                        if (escaped)
                                escaped = false;
                        else if (c == '\\')
                                escaped = true;
                        else if (c == '"')
                                in_string = false;
                        continue;
                }
                switch (c) {
                case '"':
                        in_string = true;
                        break;
                case '[':
                case '{':
                        if (++depth > max_depth)
                                return error_set(err, ERROR_INVALID,
                                                 "%s: line %d, column %d: nested deeper than %zu levels",
                                                 what, line, column, max_depth);
                        break;
                case ']':
                case '}':
                        /* Unbalanced input is jansson's to report. */
                        if (depth > 0)
                                depth--;
                        break;
                }
        }
        return 0;
}

json_t *cr_json_parse(const char *what, const char *buf, size_t len, size_t max_len,
                      size_t max_depth, struct error *err) {
        json_error_t jerr;
        json_t *j;

        if (!what)
                what = "JSON input";
        if (max_depth == 0)
                max_depth = CR_JSON_DEFAULT_MAX_DEPTH;
        if (len > max_len) {
                error_set(err, ERROR_TOO_LARGE, "%s: too large (%zu bytes, at most %zu)", what, len,
                          max_len);
                return NULL;
        }
        if (!buf && len > 0) {
                error_set(err, ERROR_INTERNAL, "%s: no buffer", what);
                return NULL;
        }
        if (check_depth(what, buf, len, max_depth, err) < 0)
                return NULL;

        /* Without JSON_DISABLE_EOF_CHECK jansson refuses trailing data, and
         * without JSON_DECODE_ANY only an object or array is a document.
         * Without JSON_ALLOW_NUL "\u0000" is refused: every consumer treats
         * strings as C strings and would silently truncate at it. */
        j = json_loadb(buf ? buf : "", len, JSON_REJECT_DUPLICATES, &jerr);
        if (!j) {
                char text[sizeof(jerr.text)];

                /* jansson quotes the input near the error: keep it printable. */
                str_sanitize(jerr.text, strnlen(jerr.text, sizeof(jerr.text)), text, sizeof(text));
                if (jerr.line > 0)
                        error_set(err, ERROR_INVALID, "%s: line %d, column %d: %s", what, jerr.line,
                                  jerr.column, text);
                else
                        error_set(err, ERROR_INVALID, "%s: %s", what, text);
                return NULL;
        }
        return j;
}

static const char *type_name(enum cr_json_type t) {
        switch (t) {
        case CR_JSON_STRING:
                return "a string";
        case CR_JSON_INTEGER:
                return "an integer";
        case CR_JSON_BOOL:
                return "a boolean";
        case CR_JSON_OBJECT:
                return "an object";
        case CR_JSON_ARRAY:
                return "an array";
        case CR_JSON_STRING_ARRAY:
                return "an array of strings";
        }
        return "a value";
}

static int check_string(const char *what, const char *name, json_t *v, size_t max_len,
                        const char *where, struct error *err) {
        size_t n = json_string_length(v);

        /* A document built in code (not parsed) may still hold a NUL. */
        if (memchr(json_string_value(v), '\0', n))
                return error_set(err, ERROR_INVALID, "%s: field '%s'%s: contains a NUL character",
                                 what, name, where);
        if (n > max_len)
                return error_set(err, ERROR_INVALID, "%s: field '%s'%s: longer than %zu bytes", what,
                                 name, where, max_len);
        return 0;
}

static int check_field(const char *what, const struct cr_json_field *f, json_t *v,
                       struct error *err) {
        size_t max_string = FIELD_DEFAULT_MAX_STRING, max_elements = FIELD_DEFAULT_MAX_ELEMENTS;
        bool ok;

        if (json_is_null(v)) {
                if (f->allow_null)
                        return 0;
                return error_set(err, ERROR_INVALID, "%s: field '%s': expected %s, not null", what,
                                 f->name, type_name(f->type));
        }

        switch (f->type) {
        case CR_JSON_STRING:
                ok = json_is_string(v);
                break;
        case CR_JSON_INTEGER:
                ok = json_is_integer(v);
                break;
        case CR_JSON_BOOL:
                ok = json_is_boolean(v);
                break;
        case CR_JSON_OBJECT:
                ok = json_is_object(v);
                break;
        case CR_JSON_ARRAY:
        case CR_JSON_STRING_ARRAY:
                ok = json_is_array(v);
                break;
        default:
                ok = false;
        }
        if (!ok)
                return error_set(err, ERROR_INVALID, "%s: field '%s': expected %s", what, f->name,
                                 type_name(f->type));

        if (f->type == CR_JSON_STRING)
                return check_string(what, f->name, v, f->max_len ? f->max_len : max_string, "", err);

        if (f->type == CR_JSON_ARRAY || f->type == CR_JSON_STRING_ARRAY) {
                size_t limit = f->max_len ? f->max_len : max_elements;
                if (json_array_size(v) > limit)
                        return error_set(err, ERROR_INVALID, "%s: field '%s': more than %zu elements",
                                         what, f->name, limit);
        }
        if (f->type == CR_JSON_STRING_ARRAY) {
                size_t i;
                json_t *e;

                json_array_foreach(v, i, e) {
                        char where[48];

                        snprintf(where, sizeof(where), " element %zu", i);
                        if (!json_is_string(e))
                                return error_set(err, ERROR_INVALID,
                                                 "%s: field '%s'%s: expected a string", what,
                                                 f->name, where);
                        if (check_string(what, f->name, e, max_string, where, err) < 0)
                                return -1;
                }
        }
        return 0;
}

int cr_json_check_object(const char *what, json_t *obj, const struct cr_json_field *fields,
                         size_t n_fields, struct error *err) {
        const char *key;
        json_t *v;

        if (!what)
                what = "JSON input";
        if (!json_is_object(obj))
                return error_set(err, ERROR_INVALID, "%s: expected a JSON object", what);

        /* Unknown fields first: a misspelt optional field would otherwise be
         * ignored silently, which is the mistake this check exists for. */
        json_object_foreach(obj, key, v) {
                bool known = false;

                for (size_t i = 0; i < n_fields && !known; i++)
                        known = strcmp(fields[i].name, key) == 0;
                if (!known) {
                        char shown[72];

                        str_sanitize(key, strlen(key), shown, sizeof(shown));
                        return error_set(err, ERROR_INVALID, "%s: unknown field '%s'", what, shown);
                }
        }

        for (size_t i = 0; i < n_fields; i++) {
                v = json_object_get(obj, fields[i].name);
                if (!v) {
                        if (fields[i].required)
                                return error_set(err, ERROR_INVALID,
                                                 "%s: missing required field '%s'", what,
                                                 fields[i].name);
                        continue;
                }
                if (check_field(what, &fields[i], v, err) < 0)
                        return -1;
        }
        return 0;
}

const char *cr_json_get_string(json_t *obj, const char *key) {
        return json_string_value(json_object_get(obj, key));
}

int64_t cr_json_get_int(json_t *obj, const char *key, int64_t def) {
        json_t *v = json_object_get(obj, key);

        return json_is_integer(v) ? (int64_t) json_integer_value(v) : def;
}

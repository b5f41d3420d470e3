/* SPDX-License-Identifier: Apache-2.0 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "core/cleanup.h"
#include "core/json.h"
#include "core/strutil.h"

#define MAX (64 * 1024)

static json_t *parse(const char *text, struct error *err) {
        return cr_json_parse("request body", text, strlen(text), MAX, CR_JSON_DEFAULT_MAX_DEPTH, err);
}

/* Refused as ERROR_INVALID with a message containing `part`. */
static void assert_refused(const char *text, const char *part) {
        struct error err = { 0 };
        json_t *j = parse(text, &err);

        if (j) {
                json_decref(j);
                fail_msg("accepted: %s", text);
        }
        assert_int_equal(err.kind, ERROR_INVALID);
        if (!strstr(err.msg, part))
                fail_msg("'%s': message '%s' lacks '%s'", text, err.msg, part);
}

static void test_parse_valid(void **state) {
        struct error err = { 0 };
        _cleanup_json_ json_t *j = parse("{\"name\": \"x\", \"n\": 5, \"list\": [1, {\"k\": \"[{\\\"\"}]}", &err);

        (void) state;
        assert_non_null(j);
        assert_string_equal(cr_json_get_string(j, "name"), "x");
        assert_int_equal(cr_json_get_int(j, "n", -1), 5);
        assert_int_equal(cr_json_get_int(j, "name", -1), -1);
        assert_int_equal(cr_json_get_int(j, "missing", 7), 7);
        assert_null(cr_json_get_string(j, "n"));
        assert_null(cr_json_get_string(NULL, "n"));
}

static void test_malformed_and_truncated(void **state) {
        (void) state;
        assert_refused("{\"a\":}", "request body: line 1, column 6: ");
        assert_refused("{\"a\": [1, 2", "request body: line 1, column ");
        assert_refused("{\"a\": \"unterminated", "request body: line 1");
        assert_refused("", "request body: ");
        assert_refused("{'a': 1}", "line 1, column 2");
        assert_refused("{\"a\": tru}", "invalid token");
        assert_refused("{\n  \"a\": 1,\n  \"b\": ]\n}", "request body: line 3, column 8: ");
        assert_refused("{\"a\": 99999999999999999999}", "too big integer");
}

static void test_trailing_garbage(void **state) {
        (void) state;
        assert_refused("{} x", "end of file expected");
        assert_refused("{}{}", "end of file expected");
        assert_refused("[1] ]", "end of file expected");
}

static void test_duplicates_nul_utf8_scalars(void **state) {
        (void) state;
        assert_refused("{\"a\": 1, \"a\": 2}", "duplicate object key");
        assert_refused("{\"x\": {\"a\": 1, \"b\": {}, \"a\": 2}}", "duplicate object key");
        assert_refused("{\"a\": \"x\\u0000y\"}", "\\u0000 is not allowed");
        assert_refused("{\"a\": \"\xff\xfe\"}", "unable to decode byte 0xff");
        assert_refused("\"just a string\"", "'[' or '{' expected");
        assert_refused("42", "'[' or '{' expected");
}

static void test_message_is_printable(void **state) {
        struct error err = { 0 };

        (void) state;
        assert_null(parse("{\"a\": \x1b[31m}", &err));
        for (const char *p = err.msg; *p; p++)
                assert_true(*p >= 0x20 && *p < 0x7f);
}

static char *nested(size_t depth, const char *inner) {
        struct buf b = { 0 };

        for (size_t i = 0; i < depth; i++)
                buf_append(&b, "[", 1);
        buf_append(&b, inner, strlen(inner));
        for (size_t i = 0; i < depth; i++)
                buf_append(&b, "]", 1);
        return buf_steal(&b);
}

static void test_depth_limit(void **state) {
        _cleanup_free_ char *ok = nested(32, "1");
        _cleanup_free_ char *deep = nested(33, "1");
        _cleanup_free_ char *very_deep = nested(100000, "");
        _cleanup_free_ char *strings = str_printf("[\"%s\", \"\\\"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\"]",
                                                  "{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{");
        struct error err = { 0 };
        json_t *j;

        (void) state;
        j = parse(ok, &err);
        assert_non_null(j);
        json_decref(j);

        assert_null(parse(deep, &err));
        assert_int_equal(err.kind, ERROR_INVALID);
        assert_string_equal(err.msg, "request body: line 1, column 33: nested deeper than 32 levels");
        assert_null(cr_json_parse("request body", very_deep, strlen(very_deep), 1024 * 1024,
                                  CR_JSON_DEFAULT_MAX_DEPTH, &err));
        assert_non_null(strstr(err.msg, "nested deeper than 32 levels"));

        /* Brackets inside strings, also after an escaped quote, do not count. */
        j = parse(strings, &err);
        if (!j)
                fail_msg("%s", err.msg);
        json_decref(j);

        /* A lower limit from the caller; 0 means the default. */
        j = cr_json_parse("doc", "[[[1]]]", 7, 100, 2, &err);
        assert_null(j);
        assert_string_equal(err.msg, "doc: line 1, column 3: nested deeper than 2 levels");
        j = cr_json_parse("doc", ok, strlen(ok), 100, 0, &err);
        assert_non_null(j);
        json_decref(j);
}

static void test_size_limit(void **state) {
        struct error err = { 0 };
        const char *text = "{\"a\": \"0123456789\"}";
        json_t *j;

        (void) state;
        j = cr_json_parse("request body", text, strlen(text), strlen(text), 32, &err);
        assert_non_null(j);
        json_decref(j);
        j = cr_json_parse("request body", text, strlen(text), strlen(text) - 1, 32, &err);
        assert_null(j);
        assert_int_equal(err.kind, ERROR_TOO_LARGE);
        assert_string_equal(err.msg, "request body: too large (19 bytes, at most 18)");

        /* Only len bytes are read: the buffer need not be NUL-terminated. */
        j = cr_json_parse("request body", "{}garbage", 2, 100, 32, &err);
        assert_non_null(j);
        json_decref(j);
}

static const struct cr_json_field fields[] = {
        { "name", CR_JSON_STRING, true, 8, false },
        { "count", CR_JSON_INTEGER, false, 0, false },
        { "enabled", CR_JSON_BOOL, false, 0, false },
        { "tags", CR_JSON_STRING_ARRAY, false, 2, false },
        { "meta", CR_JSON_OBJECT, false, 0, false },
        { "list", CR_JSON_ARRAY, false, 0, false },
        { "note", CR_JSON_STRING, false, 0, true },
};

static void assert_check(const char *text, const char *expected) {
        struct error err = { 0 };
        _cleanup_json_ json_t *j = parse(text, &err);
        int r;

        if (!j)
                fail_msg("parse: %s", err.msg);
        r = cr_json_check_object("request body", j, fields, ELEMENTSOF(fields), &err);
        if (!expected) {
                if (r < 0)
                        fail_msg("%s: %s", text, err.msg);
                return;
        }
        if (r == 0)
                fail_msg("accepted: %s", text);
        assert_int_equal(err.kind, ERROR_INVALID);
        assert_string_equal(err.msg, expected);
}

static void test_check_object(void **state) {
        (void) state;
        assert_check("{\"name\": \"abc\"}", NULL);
        assert_check("{\"name\": \"12345678\", \"count\": -3, \"enabled\": false, \"tags\": [\"a\", \"b\"],"
                     " \"meta\": {\"x\": 1}, \"list\": [1, \"two\"], \"note\": null}", NULL);
        assert_check("{}", "request body: missing required field 'name'");
        assert_check("{\"name\": 1}", "request body: field 'name': expected a string");
        assert_check("{\"name\": null}", "request body: field 'name': expected a string, not null");
        assert_check("{\"name\": \"123456789\"}", "request body: field 'name': longer than 8 bytes");
        assert_check("{\"name\": \"a\", \"extra\": 1}", "request body: unknown field 'extra'");
        assert_check("{\"name\": \"a\", \"\\u001b[31m\": 1}", "request body: unknown field '?[31m'");
        assert_check("{\"name\": \"a\", \"count\": 1.5}", "request body: field 'count': expected an integer");
        assert_check("{\"name\": \"a\", \"count\": \"1\"}", "request body: field 'count': expected an integer");
        assert_check("{\"name\": \"a\", \"enabled\": \"true\"}", "request body: field 'enabled': expected a boolean");
        assert_check("{\"name\": \"a\", \"meta\": []}", "request body: field 'meta': expected an object");
        assert_check("{\"name\": \"a\", \"list\": {}}", "request body: field 'list': expected an array");
        assert_check("{\"name\": \"a\", \"tags\": \"x\"}", "request body: field 'tags': expected an array of strings");
        assert_check("{\"name\": \"a\", \"tags\": [\"x\", 1]}", "request body: field 'tags' element 1: expected a string");
        assert_check("{\"name\": \"a\", \"tags\": [\"x\", \"y\", \"z\"]}", "request body: field 'tags': more than 2 elements");
        assert_check("[]", "request body: expected a JSON object");
}

static void test_check_object_defaults_and_nul(void **state) {
        static const struct cr_json_field f[] = { { "s", CR_JSON_STRING, true, 0, false },
                                                  { "a", CR_JSON_ARRAY, false, 0, false } };
        _cleanup_json_ json_t *o = json_object();
        _cleanup_free_ char *long_s = xmalloc(4098);
        struct error err = { 0 };

        (void) state;
        memset(long_s, 'x', 4097);
        long_s[4097] = '\0';
        json_object_set_new(o, "s", json_string(long_s));
        assert_int_equal(cr_json_check_object("x", o, f, 2, &err), -1);
        assert_string_equal(err.msg, "x: field 's': longer than 4096 bytes");
        long_s[4096] = '\0';
        json_object_set_new(o, "s", json_string(long_s));
        assert_int_equal(cr_json_check_object("x", o, f, 2, &err), 0);

        json_t *arr = json_array();
        for (int i = 0; i < 257; i++)
                json_array_append_new(arr, json_integer(i));
        json_object_set_new(o, "a", arr);
        assert_int_equal(cr_json_check_object("x", o, f, 2, &err), -1);
        assert_string_equal(err.msg, "x: field 'a': more than 256 elements");
        json_object_del(o, "a");

        /* Built in code, a string can hold a NUL: refused. */
        json_object_set_new(o, "s", json_stringn("a\0b", 3));
        assert_int_equal(cr_json_check_object("x", o, f, 2, &err), -1);
        assert_string_equal(err.msg, "x: field 's': contains a NUL character");
        assert_int_equal(cr_json_check_object("x", NULL, f, 2, &err), -1);
}

static void test_canonical(void **state) {
        static const char input[] =
                "{\"b\": [1, -2, {\"z\": null, \"a\": true}], \"a\": \"\\u00e9\\\"\\\\\\n\\u0001/\", "
                "\"\\u00e9\": false, \"Z\": 0, \"\\ufffd\": 1, \"\\ud83d\\ude00\": 2, "
                "\"num\": 9007199254740993}";
        /* Keys by UTF-8 bytes: U+FFFD (EF BF BD) sorts before U+1F600 (F0 ...),
         * the reverse of UTF-16 order. Only '"' and '\' are escaped; the
         * newline and U+0001 appear raw. Checked against securesystemslib. */
        static const char expected[] =
                "{\"Z\":0,\"a\":\"\xc3\xa9\\\"\\\\\n\x01/\",\"b\":[1,-2,{\"a\":true,\"z\":null}],"
                "\"num\":9007199254740993,\"\xc3\xa9\":false,\"\xef\xbf\xbd\":1,"
                "\"\xf0\x9f\x98\x80\":2}";
        struct error err = { 0 };
        _cleanup_json_ json_t *j = parse(input, &err);
        _cleanup_free_ char *c = NULL;
        size_t len = 0;

        (void) state;
        if (!j)
                fail_msg("%s", err.msg);
        c = cr_json_canonical(j, &len, &err);
        assert_non_null(c);
        assert_int_equal(len, sizeof(expected) - 1);
        assert_memory_equal(c, expected, len);
        assert_int_equal(strlen(c), len);
}

static void test_canonical_scalars_and_refusals(void **state) {
        struct error err = { 0 };
        _cleanup_json_ json_t *real = json_pack("{s:[i,f]}", "x", 1, 1.5);
        _cleanup_json_ json_t *empty = json_pack("{s:{},s:[],s:s}", "o", "a", "s", "");
        _cleanup_json_ json_t *big = json_pack("[I,I]", (json_int_t) INT64_MIN, (json_int_t) INT64_MAX);
        _cleanup_json_ json_t *prefix = json_pack("{s:i,s:i,s:i}", "ab", 1, "a", 2, "b", 3);
        _cleanup_free_ char *c = NULL;

        (void) state;
        assert_null(cr_json_canonical(real, NULL, &err));
        assert_int_equal(err.kind, ERROR_INVALID);
        assert_string_equal(err.msg, "canonical JSON: real numbers are not allowed (found 1.5)");
        assert_null(cr_json_canonical(NULL, NULL, &err));

        c = cr_json_canonical(empty, NULL, &err);
        assert_string_equal(c, "{\"a\":[],\"o\":{},\"s\":\"\"}");
        free(steal_ptr(c));
        c = cr_json_canonical(big, NULL, &err);
        assert_string_equal(c, "[-9223372036854775808,9223372036854775807]");
        free(steal_ptr(c));
        /* A key that is a prefix of another sorts first. */
        c = cr_json_canonical(prefix, NULL, &err);
        assert_string_equal(c, "{\"a\":2,\"ab\":1,\"b\":3}");
}

static void test_canonical_refuses_cycles(void **state) {
        struct error err = { 0 };
        json_t *a = json_array(), *b = json_array();

        (void) state;
        json_array_append(a, b);
        json_array_append(b, a); /* a cycle: a -> b -> a */
        assert_null(cr_json_canonical(a, NULL, &err));
        assert_non_null(strstr(err.msg, "nested deeper than"));
        json_array_clear(b); /* break the cycle so both can be freed */
        json_decref(a);
        json_decref(b);
}

static void test_dump(void **state) {
        _cleanup_json_ json_t *j = json_pack("{s:i,s:s,s:[]}", "z", 1, "a", "x\"y", "m");
        _cleanup_free_ char *s = cr_json_dump(j);

        (void) state;
        assert_string_equal(s, "{\"a\":\"x\\\"y\",\"m\":[],\"z\":1}");
}

/* cr_json_dump writes its own text for the common case (json-dump.c) and
 * must write exactly what jansson writes. Generated trees, from a fixed
 * seed, mix everything that takes either path: every control character,
 * quotes, backslashes, slashes, DEL, UTF-8, empty strings and containers,
 * keys sharing prefixes, integer extremes, reals, NUL inside strings and
 * keys, one shared subtree twice, and nesting beyond the fast path's depth. */
static uint64_t rng_state = 0x9E3779B97F4A7C15ULL;

static uint32_t rnd(uint32_t n) {
        rng_state ^= rng_state << 13;
        rng_state ^= rng_state >> 7;
        rng_state ^= rng_state << 17;
        return (uint32_t) (rng_state % n);
}

static size_t random_text(char *buf, size_t max) {
        static const char *const pieces[] = {
                "a", "b", "ab", "Z", "0", "9", " ", "-", "\"", "\\", "/", "\x7f", "\n", "\r", "\t", "\b", "\f",
                "\x01", "\x1f", "\x0b", "\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80", "-----BEGIN CERTIFICATE-----",
                "MIIBszCCAVmgAwIBAgIU+/x=", "{", "}", "[", ",", ":", "key", "serial", "~",
        };
        size_t len = 0, n = rnd(6);
        for (size_t i = 0; i < n; i++) {
                const char *p = pieces[rnd(sizeof(pieces) / sizeof(pieces[0]))];
                size_t l = strlen(p);
                if (len + l >= max)
                        break;
                memcpy(buf + len, p, l);
                len += l;
        }
        if (rnd(20) == 0 && len + 1 < max)
                buf[len++] = '\0'; /* a NUL inside (json_stringn, json_object_setn) */
        buf[len] = '\0';
        return len;
}

static json_t *random_tree(unsigned depth) {
        char text[128];
        switch (rnd(depth > 4 ? 6 : 9)) {
        case 0: {
                static const json_int_t ints[] = { 0, 1, -1, 42, INT64_MAX, INT64_MIN, 1000000007 };
                return json_integer(ints[rnd(7)]);
        }
        case 1: {
                size_t n = random_text(text, sizeof(text));
                return json_stringn(text, n);
        }
        case 2: return rnd(2) ? json_true() : json_false();
        case 3: return json_null();
        case 4: return json_real(rnd(2) ? 0.5 : -1e300);
        case 5: return json_string("");
        case 6:
        case 7: {
                json_t *o = json_object();
                for (size_t i = 0, n = rnd(7); i < n; i++) {
                        size_t kn = random_text(text, sizeof(text));
                        json_object_setn_new(o, text, kn, random_tree(depth + 1));
                }
                return o;
        }
        default: {
                json_t *a = json_array();
                for (size_t i = 0, n = rnd(5); i < n; i++)
                        json_array_append_new(a, random_tree(depth + 1));
                return a;
        }
        }
}

static void assert_dump_is_janssons(json_t *j) {
        _cleanup_free_ char *ours = cr_json_dump(j);
        _cleanup_free_ char *theirs = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
        assert_non_null(theirs);
        if (strcmp(ours, theirs) != 0)
                fail_msg("cr_json_dump differs from jansson:\n ours   %s\n theirs %s", ours, theirs);
}

static void test_dump_is_janssons(void **state) {
        (void) state;
        for (int i = 0; i < 5000; i++) {
                _cleanup_json_ json_t *j = random_tree(0);
                assert_dump_is_janssons(j);
        }
        /* Every byte below 0x80 in one string. */
        char all[128];
        for (int c = 0; c < 128; c++)
                all[c] = (char) c;
        _cleanup_json_ json_t *s = json_stringn(all, sizeof(all));
        assert_dump_is_janssons(s);
        _cleanup_free_ char *text = cr_json_dump(s);
        assert_non_null(strstr(text, "\"\\u0000\\u0001"));
        assert_non_null(strstr(text, "\\u001F !\\\"#"));
        /* A subtree shared twice is written twice. */
        _cleanup_json_ json_t *shared = json_pack("{s:i}", "k", 1);
        _cleanup_json_ json_t *twice = json_pack("[O,O]", shared, shared);
        assert_dump_is_janssons(twice);
        /* Deeper than the fast path goes: jansson's text all the same. */
        json_t *deep = json_pack("{s:s}", "leaf", "x");
        for (int i = 0; i < 100; i++)
                deep = json_pack("{s:o}", i % 2 ? "b" : "a", deep);
        assert_dump_is_janssons(deep);
        json_decref(deep);
        /* More keys than fit the sort's stack array. */
        _cleanup_json_ json_t *wide = json_object();
        for (int i = 0; i < 100; i++) {
                char key[16];
                snprintf(key, sizeof(key), "k%d", (i * 37) % 100);
                json_object_set_new(wide, key, json_integer(i));
        }
        assert_dump_is_janssons(wide);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_parse_valid),
                cmocka_unit_test(test_malformed_and_truncated),
                cmocka_unit_test(test_trailing_garbage),
                cmocka_unit_test(test_duplicates_nul_utf8_scalars),
                cmocka_unit_test(test_message_is_printable),
                cmocka_unit_test(test_depth_limit),
                cmocka_unit_test(test_size_limit),
                cmocka_unit_test(test_check_object),
                cmocka_unit_test(test_check_object_defaults_and_nul),
                cmocka_unit_test(test_canonical),
                cmocka_unit_test(test_canonical_scalars_and_refusals),
                cmocka_unit_test(test_canonical_refuses_cycles),
                cmocka_unit_test(test_dump),
                cmocka_unit_test(test_dump_is_janssons),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

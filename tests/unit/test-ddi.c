/* SPDX-License-Identifier: Apache-2.0 */
/*
 * hawkBit DDI parsers: the lenient JSON (raw control characters inside
 * strings only), feedback checks and limits, the mapping onto the history
 * (success, failure, "Skipped Update.", cancel, downloading/installing), and
 * configData checks, quotas and the allow-list. One test per way the input
 * can be wrong.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/cleanup.h"
#include "core/json.h"
#include "core/strutil.h"
#include "ddi/ddi.h"

static json_t *parse(const char *s, enum error_kind want_err) {
        struct error err = {0};
        json_t *doc = ddi_json_parse("body", s, strlen(s), &err);
        if (want_err != ERROR_NONE) {
                assert_null(doc);
                assert_int_equal(err.kind, want_err);
        } else if (!doc) {
                fail_msg("parse failed: %s", err.msg);
        }
        return doc;
}

static void test_lenient_json(void **state) {
        (void) state;
        /* A raw newline and tab inside a string: kept, as the characters. */
        _cleanup_json_ json_t *a = parse("{\"s\":\"a\nb\tc\"}", ERROR_NONE);
        assert_string_equal(json_string_value(json_object_get(a, "s")), "a\nb\tc");
        /* Escapes stay escapes; a quote after a backslash does not end the string. */
        _cleanup_json_ json_t *b = parse("{\"s\":\"x\\\"\n\\\\\",\"t\":1}", ERROR_NONE);
        assert_string_equal(json_string_value(json_object_get(b, "s")), "x\"\n\\");
        /* Outside strings, JSON whitespace still works, other control bytes do not. */
        _cleanup_json_ json_t *c = parse("{\n\t\"s\" :\r\n 1 }", ERROR_NONE);
        assert_non_null(c);
        parse("{\"s\":1\x01}", ERROR_INVALID);
        parse("[1,2]", ERROR_INVALID);            /* not an object */
        parse("{\"s\":", ERROR_INVALID);           /* truncated */
        parse("{\"s\":\"\\u0000\"}", ERROR_INVALID); /* NUL refused as ever */
        parse("{\"a\":1,\"a\":2}", ERROR_INVALID); /* duplicate key */
        char *deep = xmalloc(64);
        memset(deep, '[', 20);
        snprintf(deep + 20, 44, "]");
        _cleanup_free_ char *nested = str_printf("{\"a\":%s}", deep);
        free(deep);
        parse(nested, ERROR_INVALID);              /* deeper than DDI_JSON_MAX_DEPTH */
        char *big = xmalloc(DDI_BODY_MAX + 16);
        memset(big, ' ', DDI_BODY_MAX + 15);
        big[0] = '{';
        big[DDI_BODY_MAX + 14] = '}';
        big[DDI_BODY_MAX + 15] = '\0';
        parse(big, ERROR_TOO_LARGE);
        free(big);
}

static int feedback(const char *s, struct ddi_feedback_doc *f, json_t **keep, enum error_kind want) {
        struct error err = {0};
        *keep = parse(s, ERROR_NONE);
        int rc = ddi_feedback_check(*keep, NULL, f, &err);
        if (want == ERROR_NONE && rc < 0)
                fail_msg("feedback refused: %s", err.msg);
        if (want != ERROR_NONE) {
                assert_int_equal(rc, -1);
                assert_int_equal(err.kind, want);
        }
        return rc;
}

static void test_feedback_refused(void **state) {
        (void) state;
        static const struct {
                const char *body;
                enum error_kind want;
        } cases[] = {
                { "{}", ERROR_INVALID },                                                  /* no status */
                { "{\"status\":1}", ERROR_INVALID },                                      /* status not an object */
                { "{\"status\":{}}", ERROR_INVALID },                                     /* no execution */
                { "{\"status\":{\"execution\":7}}", ERROR_INVALID },                      /* execution not a string */
                { "{\"status\":{\"execution\":\"done\"}}", ERROR_INVALID },               /* unknown execution */
                { "{\"status\":{\"execution\":\"closed\"}}", ERROR_INVALID },             /* closed, no result */
                { "{\"status\":{\"execution\":\"closed\",\"result\":{\"finished\":\"none\"}}}", ERROR_INVALID },
                { "{\"status\":{\"execution\":\"proceeding\",\"result\":{\"finished\":\"ok\"}}}", ERROR_INVALID },
                { "{\"status\":{\"execution\":\"proceeding\",\"result\":[]}}", ERROR_INVALID },
                { "{\"status\":{\"execution\":\"proceeding\",\"result\":{\"progress\":{\"cnt\":-1}}}}", ERROR_INVALID },
                { "{\"status\":{\"execution\":\"proceeding\",\"result\":{\"progress\":{\"of\":\"2\"}}}}", ERROR_INVALID },
                { "{\"status\":{\"execution\":\"proceeding\",\"details\":\"x\"}}", ERROR_INVALID },
                { "{\"status\":{\"execution\":\"proceeding\",\"details\":[1]}}", ERROR_INVALID },
                { "{\"status\":{\"execution\":\"proceeding\",\"code\":\"200\"}}", ERROR_INVALID },
                { "{\"id\":\"12a\",\"status\":{\"execution\":\"proceeding\"}}", ERROR_INVALID },
                { "{\"id\":-3,\"status\":{\"execution\":\"proceeding\"}}", ERROR_INVALID },
                { "{\"id\":[],\"status\":{\"execution\":\"proceeding\"}}", ERROR_INVALID },
                { "{\"time\":5,\"status\":{\"execution\":\"proceeding\"}}", ERROR_INVALID },
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                struct ddi_feedback_doc f;
                _cleanup_json_ json_t *doc = NULL;
                feedback(cases[i].body, &f, &doc, cases[i].want);
        }
}

static void test_feedback_limits(void **state) {
        (void) state;
        struct ddi_config cfg;
        ddi_config_defaults(&cfg);
        cfg.feedback_lines_max = 3;
        cfg.feedback_line_max = 64;
        struct error err = {0};
        struct ddi_feedback_doc f;
        _cleanup_json_ json_t *lines = parse("{\"status\":{\"execution\":\"proceeding\",\"details\":[\"a\",\"b\",\"c\",\"d\"]}}",
                                             ERROR_NONE);
        assert_int_equal(ddi_feedback_check(lines, &cfg, &f, &err), -1);
        assert_int_equal(err.kind, ERROR_TOO_LARGE);
        assert_non_null(strstr(err.msg, "feedback_lines_max"));
        _cleanup_free_ char *longline = str_printf("{\"status\":{\"execution\":\"proceeding\",\"details\":[\"%065d\"]}}", 0);
        _cleanup_json_ json_t *lng = parse(longline, ERROR_NONE);
        assert_int_equal(ddi_feedback_check(lng, &cfg, &f, &err), -1);
        assert_int_equal(err.kind, ERROR_TOO_LARGE);
        assert_non_null(strstr(err.msg, "feedback_line_max"));
        /* At the limits: taken. */
        _cleanup_free_ char *at = str_printf("{\"status\":{\"execution\":\"proceeding\",\"details\":[\"a\",\"b\",\"%064d\"]}}", 0);
        _cleanup_json_ json_t *ok = parse(at, ERROR_NONE);
        assert_int_equal(ddi_feedback_check(ok, &cfg, &f, &err), 0);
        assert_int_equal(f.n_details, 3);
}

static void map(const char *body, enum ddi_feedback_kind kind, const char *stage, const char *reason_part) {
        struct ddi_feedback_doc f;
        _cleanup_json_ json_t *doc = NULL;
        feedback(body, &f, &doc, ERROR_NONE);
        struct ddi_feedback_mapping m;
        ddi_feedback_map(&f, kind, &m);
        if (!stage)
                assert_null(m.stage);
        else
                assert_string_equal(m.stage, stage);
        if (reason_part) {
                assert_non_null(m.reason);
                if (!strstr(m.reason, reason_part))
                        fail_msg("reason '%s' lacks '%s'", m.reason, reason_part);
        }
        free(m.reason);
}

static void test_feedback_mapping(void **state) {
        (void) state;
        const enum ddi_feedback_kind D = DDI_FEEDBACK_DEPLOYMENT, C = DDI_FEEDBACK_CANCEL;
        map("{\"status\":{\"execution\":\"closed\",\"result\":{\"finished\":\"success\"},\"details\":[\"Update Installed.\"]}}",
            D, "success", NULL);
        /* Suricatta's answer to update=skip never counts as installed. */
        map("{\"status\":{\"execution\":\"closed\",\"result\":{\"finished\":\"success\"},\"details\":[\"Skipped Update.\"]}}",
            D, "rejected", "nothing was installed");
        map("{\"status\":{\"execution\":\"closed\",\"result\":{\"finished\":\"success\"},\"details\":[\"x\",\" Skipped Update.\"]}}",
            D, "rejected", NULL);
        /* Failure: the lines joined, control characters escaped. */
        map("{\"status\":{\"execution\":\"closed\",\"result\":{\"finished\":\"failure\"},\"details\":[\"a\nb\",\"\",\"c\"]}}",
            D, "failure", "a\\nb | c");
        map("{\"status\":{\"execution\":\"closed\",\"result\":{\"finished\":\"failure\"}}}", D, "failure", "without details");
        map("{\"status\":{\"execution\":\"canceled\"}}", D, "canceled", NULL);
        map("{\"status\":{\"execution\":\"rejected\"}}", D, "rejected", NULL);
        /* In progress: downloading until a part is done. */
        map("{\"status\":{\"execution\":\"proceeding\",\"result\":{\"progress\":{\"cnt\":0,\"of\":1}}}}", D, "downloading", NULL);
        map("{\"status\":{\"execution\":\"proceeding\",\"result\":{\"progress\":{\"cnt\":9,\"of\":0}}}}", D, "downloading", NULL);
        map("{\"status\":{\"execution\":\"proceeding\",\"result\":{\"progress\":{\"cnt\":1,\"of\":1}}}}", D, "installing", NULL);
        map("{\"status\":{\"execution\":\"downloaded\"}}", D, "installing", NULL);
        map("{\"status\":{\"execution\":\"download\"}}", D, "downloading", NULL);
        /* Cancel feedback: only a confirmation closes it. */
        map("{\"status\":{\"execution\":\"closed\",\"result\":{\"finished\":\"success\"}}}", C, "canceled", "confirmed");
        map("{\"status\":{\"execution\":\"canceled\"}}", C, "canceled", NULL);
        map("{\"status\":{\"execution\":\"rejected\"}}", C, NULL, NULL);
        map("{\"status\":{\"execution\":\"closed\",\"result\":{\"finished\":\"failure\"}}}", C, NULL, NULL);
        map("{\"status\":{\"execution\":\"proceeding\"}}", C, NULL, NULL);
}

static void test_feedback_lenient_fields(void **state) {
        (void) state;
        struct ddi_feedback_doc f;
        _cleanup_json_ json_t *a = NULL, *b = NULL, *c = NULL;
        feedback("{\"id\":\"42\",\"status\":{\"execution\":\"proceeding\"}}", &f, &a, ERROR_NONE);
        assert_true(f.has_id);
        assert_int_equal(f.id, 42);
        feedback("{\"id\":\"\",\"extra\":{\"x\":1},\"status\":{\"execution\":\"proceeding\",\"vendor\":true}}", &f, &b,
                 ERROR_NONE);
        assert_false(f.has_id);
        feedback("{\"id\":42,\"status\":{\"execution\":\"proceeding\",\"result\":{\"progress\":{\"cnt\":5,\"of\":0}}}}", &f,
                 &c, ERROR_NONE);
        assert_int_equal(f.cnt, 5);
        assert_int_equal(f.of, 0);
}

static void config(const char *body, const struct ddi_config *cfg, enum error_kind want) {
        struct error err = {0};
        struct ddi_config_doc cd;
        _cleanup_json_ json_t *doc = parse(body, ERROR_NONE);
        int rc = ddi_config_check(doc, cfg, &cd, &err);
        if (want == ERROR_NONE) {
                if (rc < 0)
                        fail_msg("configData refused: %s", err.msg);
        } else {
                assert_int_equal(rc, -1);
                assert_int_equal(err.kind, want);
        }
}

static void test_config_data(void **state) {
        (void) state;
        struct ddi_config cfg;
        ddi_config_defaults(&cfg);
        cfg.config_keys_max = 2;
        cfg.config_key_max = 8;
        cfg.config_value_max = 4;
        config("{\"data\":{\"a\":\"1\",\"b\":\"2\"}}", &cfg, ERROR_NONE);
        config("{\"mode\":\"replace\",\"data\":{}}", &cfg, ERROR_NONE);
        config("{\"mode\":null,\"data\":{}}", &cfg, ERROR_NONE);
        config("{}", &cfg, ERROR_INVALID);                                   /* no data */
        config("{\"data\":[]}", &cfg, ERROR_INVALID);                        /* data not an object */
        config("{\"mode\":\"swap\",\"data\":{}}", &cfg, ERROR_INVALID);      /* unknown mode */
        config("{\"mode\":1,\"data\":{}}", &cfg, ERROR_INVALID);             /* mode not a string */
        config("{\"data\":{\"a\":1}}", &cfg, ERROR_INVALID);                 /* value not a string */
        config("{\"data\":{\"\":\"1\"}}", &cfg, ERROR_INVALID);              /* empty key */
        config("{\"data\":{\"a b\":\"1\"}}", &cfg, ERROR_INVALID);           /* space in a key */
        config("{\"data\":{\"a\\u00e9\":\"1\"}}", &cfg, ERROR_INVALID);      /* non-ASCII key */
        config("{\"data\":{\"a\":\"1\",\"b\":\"2\",\"c\":\"3\"}}", &cfg, ERROR_TOO_LARGE); /* keys quota */
        config("{\"data\":{\"abcdefghi\":\"1\"}}", &cfg, ERROR_TOO_LARGE);   /* key size */
        config("{\"data\":{\"a\":\"12345\"}}", &cfg, ERROR_TOO_LARGE);       /* value size */
        assert_true(ddi_config_allowed("board, hw_revision", "hw_revision"));
        assert_true(ddi_config_allowed("board,hw_revision", "board"));
        assert_false(ddi_config_allowed("board,hw_revision", "boar"));
        assert_false(ddi_config_allowed("board,hw_revision", "mac"));
        assert_false(ddi_config_allowed("", "mac"));
        assert_false(ddi_config_allowed(NULL, "mac"));
}

static void test_text_escape(void **state) {
        (void) state;
        _cleanup_free_ char *a = ddi_text_escape("a\nb\\c\x01", 0);
        assert_string_equal(a, "a\\nb\\\\c\\u0001");
        /* A cut never splits a UTF-8 character. */
        _cleanup_free_ char *b = ddi_text_escape("abc\xc3\xa9\xc3\xa9\xc3\xa9", 10);
        _cleanup_json_ json_t *s = json_string(b);
        assert_non_null(s);
        assert_non_null(strstr(b, "..."));
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_lenient_json),       cmocka_unit_test(test_feedback_refused),
                cmocka_unit_test(test_feedback_limits),    cmocka_unit_test(test_feedback_mapping),
                cmocka_unit_test(test_feedback_lenient_fields), cmocka_unit_test(test_config_data),
                cmocka_unit_test(test_text_escape),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

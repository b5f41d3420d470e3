/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/cleanup.h"
#include "core/fileio.h"
#include "core/log.h"
#include "core/strutil.h"
#include "core/time.h"

/* Runs fn with stderr redirected to a temp file; returns what it wrote. */
static char *capture(void (*fn)(void)) {
        char path[] = "/tmp/cradle-test-log-XXXXXX";
        int fd = mkstemp(path), saved = dup(STDERR_FILENO);
        char *out = NULL;

        assert_true(fd >= 0);
        assert_true(saved >= 0);
        assert_int_equal(dup2(fd, STDERR_FILENO), STDERR_FILENO);
        fn();
        assert_int_equal(dup2(saved, STDERR_FILENO), STDERR_FILENO);
        close(saved);
        close(fd);
        assert_int_equal(file_read_all(path, 1024 * 1024, &out, NULL, NULL), 0);
        unlink(path);
        return out;
}

static void log_hostile(void) {
        static char longmsg[6000];

        log_setup(LOG_LEVEL_DEBUG, LOG_FORMAT_JSON);
        log_msg(LOG_LEVEL_INFO, "req-1", "plain %s %d", "message", 42);
        log_msg(LOG_LEVEL_WARN, NULL, "quote \" backslash \\ newline \n tab \t esc \x1b[31m del \x7f");
        log_msg(LOG_LEVEL_ERROR, "id\"with\nnasties", "invalid utf-8 \xff\xfe \xc3 \xed\xa0\x80 ok \xc3\xa9 \xf0\x9f\x98\x80");
        log_debug("debug %s", "shown");
        memset(longmsg, '"', sizeof(longmsg) - 1);
        log_msg(LOG_LEVEL_INFO, NULL, "%s", longmsg);
        memset(longmsg, '\x01', sizeof(longmsg) - 1);
        log_msg(LOG_LEVEL_INFO, NULL, "%s", longmsg);
        memset(longmsg, 0, sizeof(longmsg));
        for (size_t i = 0; i + 4 < sizeof(longmsg); i += 4)
                memcpy(longmsg + i, "\xf0\x9f\x98\x80", 4);
        log_msg(LOG_LEVEL_INFO, NULL, "%s", longmsg);
        log_msg(LOG_LEVEL_INFO, NULL, "%s", "");
}

static void test_json_lines_are_valid_json(void **state) {
        _cleanup_free_ char *out = capture(log_hostile);
        int n = 0;

        (void) state;
        for (char *line = out, *nl; (nl = strchr(line, '\n')); line = nl + 1) {
                json_error_t jerr;
                int64_t t;

                *nl = '\0';
                assert_true(strlen(line) < 8192);
                _cleanup_json_ json_t *j = json_loads(line, JSON_REJECT_DUPLICATES, &jerr);
                if (!j)
                        fail_msg("line %d not JSON (%s): %s", n + 1, jerr.text, line);
                assert_int_equal(time_parse_rfc3339(json_string_value(json_object_get(j, "time")), &t, NULL), 0);
                assert_true(json_is_string(json_object_get(j, "level")));
                assert_true(json_is_string(json_object_get(j, "msg")));
                switch (n) {
                case 0:
                        assert_string_equal(json_string_value(json_object_get(j, "level")), "info");
                        assert_string_equal(json_string_value(json_object_get(j, "request_id")), "req-1");
                        assert_string_equal(json_string_value(json_object_get(j, "msg")), "plain message 42");
                        assert_int_equal(json_object_size(j), 4);
                        break;
                case 1:
                        assert_string_equal(json_string_value(json_object_get(j, "level")), "warn");
                        assert_null(json_object_get(j, "request_id"));
                        assert_string_equal(json_string_value(json_object_get(j, "msg")),
                                            "quote \" backslash \\ newline \n tab \t esc \x1b[31m del \x7f");
                        break;
                case 2:
                        assert_string_equal(json_string_value(json_object_get(j, "level")), "error");
                        assert_string_equal(json_string_value(json_object_get(j, "request_id")),
                                            "id\"with\nnasties");
                        assert_string_equal(json_string_value(json_object_get(j, "msg")),
                                            "invalid utf-8 \xef\xbf\xbd\xef\xbf\xbd \xef\xbf\xbd "
                                            "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd ok \xc3\xa9 \xf0\x9f\x98\x80");
                        break;
                case 3:
                        assert_string_equal(json_string_value(json_object_get(j, "level")), "debug");
                        break;
                case 4: /* cut short, but still one valid line */
                case 5:
                case 6:
                        assert_true(json_string_length(json_object_get(j, "msg")) > 1000);
                        break;
                case 7:
                        assert_string_equal(json_string_value(json_object_get(j, "msg")), "");
                        break;
                }
                n++;
        }
        assert_int_equal(n, 8);
}

static void log_text(void) {
        log_setup(LOG_LEVEL_INFO, LOG_FORMAT_TEXT);
        log_msg(LOG_LEVEL_INFO, "req-9", "hello %s", "world");
        log_msg(LOG_LEVEL_ERROR, NULL, "evil\nFAKE LINE\x1b[2J");
        log_debug("not shown");
}

static void test_text_format(void **state) {
        _cleanup_free_ char *out = capture(log_text);
        char *second;

        (void) state;
        /* "2026-11-21T10:00:00Z INFO [req-9] hello world" */
        assert_true(strlen(out) > 21);
        assert_int_equal(out[20], ' ');
        out[20] = '\0';
        assert_int_equal(time_parse_rfc3339(out, &(int64_t) { 0 }, NULL), 0);
        second = strchr(out + 21, '\n');
        assert_non_null(second);
        *second++ = '\0';
        assert_string_equal(out + 21, "INFO [req-9] hello world");
        assert_string_equal(second + 21, "ERROR evil\\x0aFAKE LINE\\x1b[2J\n");
}

static void log_filtered(void) {
        log_setup(LOG_LEVEL_WARN, LOG_FORMAT_JSON);
        log_info("dropped");
        log_debug("dropped");
        errno = 1234;
        log_warn("kept");
        assert_int_equal(errno, 1234); /* logging does not clobber errno */
        log_error("kept");
        /* AUTO: a file is not a terminal, so JSON. */
        log_setup(LOG_LEVEL_INFO, LOG_FORMAT_AUTO);
        log_info("auto");
}

static void test_level_filter_and_auto(void **state) {
        _cleanup_free_ char *out = capture(log_filtered);
        int lines = 0;

        (void) state;
        for (char *p = out; *p; p++)
                lines += *p == '\n';
        assert_int_equal(lines, 3);
        assert_null(strstr(out, "dropped"));
        assert_non_null(strstr(out, "\"level\":\"warn\",\"msg\":\"kept\"}\n"));
        assert_non_null(strstr(out, "\"msg\":\"auto\"}\n"));
}

static void test_parse_names(void **state) {
        enum log_level level;
        enum log_format format;
        struct error err = { 0 };

        (void) state;
        assert_int_equal(log_level_parse("debug", &level, &err), 0);
        assert_int_equal(level, LOG_LEVEL_DEBUG);
        assert_int_equal(log_level_parse("WARNING", &level, &err), 0);
        assert_int_equal(level, LOG_LEVEL_WARN);
        assert_int_equal(log_level_parse("error", &level, &err), 0);
        assert_int_equal(level, LOG_LEVEL_ERROR);
        assert_int_equal(log_level_parse("loud", &level, &err), -1);
        assert_string_equal(err.msg, "unknown log level 'loud' (use debug, info, warn or error)");
        assert_int_equal(log_level_parse(NULL, &level, &err), -1);

        assert_int_equal(log_format_parse("json", &format, &err), 0);
        assert_int_equal(format, LOG_FORMAT_JSON);
        assert_int_equal(log_format_parse("text", &format, &err), 0);
        assert_int_equal(format, LOG_FORMAT_TEXT);
        assert_int_equal(log_format_parse("auto", &format, &err), 0);
        assert_int_equal(format, LOG_FORMAT_AUTO);
        assert_int_equal(log_format_parse("xml", &format, &err), -1);
        assert_string_equal(err.msg, "unknown log format 'xml' (use auto, text or json)");
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_json_lines_are_valid_json),
                cmocka_unit_test(test_text_format),
                cmocka_unit_test(test_level_filter_and_auto),
                cmocka_unit_test(test_parse_names),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What `cradle` prints for people: aligned tables, key/value blocks, error
 * lines from problem documents, and text from the server made safe for a
 * terminal. Checked byte for byte.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/output.h"
#include "cli/problem.h"

#define ROW(...) ((const char *const[]) { __VA_ARGS__ })

static char *render(struct cli_table *t) {
        char *s = cli_table_render(t);
        cli_table_free(t);
        return s;
}

static void test_table_aligns_columns(void **state) {
        (void) state;
        struct cli_table *t = cli_table_new(3, ROW("ID", "NAME", "ROLE"));
        cli_table_add_row(t, ROW("1", "admin", "admin"));
        cli_table_add_row(t, ROW("12", "ci", "release-manager"));
        char *s = render(t);
        assert_string_equal(s,
                            "ID  NAME   ROLE\n"
                            "1   admin  admin\n"
                            "12  ci     release-manager\n");
        free(s);
}

static void test_table_empty_has_header_only(void **state) {
        (void) state;
        struct cli_table *t = cli_table_new(2, ROW("ID", "MODEL"));
        assert_int_equal(cli_table_rows(t), 0);
        char *s = render(t);
        assert_string_equal(s, "ID  MODEL\n");
        free(s);
}

static void test_table_absent_cell_is_dash(void **state) {
        (void) state;
        struct cli_table *t = cli_table_new(3, ROW("NAME", "REVOKED", "BY"));
        cli_table_add_row(t, ROW("ci", NULL, "admin"));
        char *s = render(t);
        assert_string_equal(s,
                            "NAME  REVOKED  BY\n"
                            "ci    -        admin\n");
        free(s);
}

static void test_table_no_trailing_spaces(void **state) {
        (void) state;
        struct cli_table *t = cli_table_new(2, ROW("A", "B"));
        cli_table_add_row(t, ROW("long value", ""));
        char *s = render(t);
        assert_string_equal(s,
                            "A           B\n"
                            "long value\n");
        free(s);
}

static void test_table_long_value_widens_column(void **state) {
        (void) state;
        char long_name[301];
        memset(long_name, 'x', 300);
        long_name[300] = '\0';
        struct cli_table *t = cli_table_new(2, ROW("NAME", "ID"));
        cli_table_add_row(t, ROW(long_name, "1"));
        cli_table_add_row(t, ROW("a", "2"));
        char *s = render(t);
        /* header padded to 300 + gap */
        assert_int_equal(strcspn(s, "\n"), 300 + 2 + 2);
        assert_memory_equal(s + 302, "ID\n", 3);
        char *row2 = strstr(s, "\na ");
        assert_non_null(row2);
        assert_int_equal(strcspn(row2 + 1, "\n"), 300 + 2 + 1);
        free(s);
}

static void test_table_max_width_truncates_with_ellipsis(void **state) {
        (void) state;
        struct cli_table *t = cli_table_new(2, ROW("SEQ", "DETAILS"));
        cli_table_set_max_width(t, 1, 10);
        cli_table_add_row(t, ROW("1", "{\"changes\":{\"name\":\"x\"}}"));
        cli_table_add_row(t, ROW("2", "short"));
        cli_table_add_row(t, ROW("3", "exactly10!"));
        char *s = render(t);
        assert_string_equal(s,
                            "SEQ  DETAILS\n"
                            "1    {\"chang...\n"
                            "2    short\n"
                            "3    exactly10!\n");
        free(s);
}

static void test_table_truncation_keeps_utf8_whole(void **state) {
        (void) state;
        struct cli_table *t = cli_table_new(1, ROW("N"));
        cli_table_set_max_width(t, 0, 5);
        cli_table_add_row(t, ROW("\xc3\xa4\xc3\xb6\xc3\xbc\xc3\x9f\xc3\xa9\xc3\xa8")); /* äöüßéè */
        char *s = render(t);
        assert_string_equal(s, "N\n\xc3\xa4\xc3\xb6...\n");
        free(s);
}

static void test_table_utf8_counts_code_points(void **state) {
        (void) state;
        struct cli_table *t = cli_table_new(2, ROW("NAME", "X"));
        cli_table_add_row(t, ROW("M\xc3\xbcller", "1")); /* Müller: 6 characters, 7 bytes */
        cli_table_add_row(t, ROW("Smith", "2"));
        char *s = render(t);
        assert_string_equal(s,
                            "NAME    X\n"
                            "M\xc3\xbcller  1\n"
                            "Smith   2\n");
        free(s);
}

static void test_table_sanitises_control_characters(void **state) {
        (void) state;
        struct cli_table *t = cli_table_new(2, ROW("NAME", "X"));
        cli_table_add_row(t, ROW("\x1b[2Jevil\r", "a\tb\nc"));
        char *s = render(t);
        assert_string_equal(s,
                            "NAME       X\n"
                            "?[2Jevil?  a b c\n");
        assert_null(strchr(s, '\x1b'));
        free(s);
}

static void test_sanitise_invalid_utf8_and_bidi(void **state) {
        (void) state;
        char *s;

        s = cli_text_sanitize("a\xff" "b\xc3", false); /* stray byte, truncated sequence */
        assert_string_equal(s, "a?b?");
        free(s);
        s = cli_text_sanitize("\xc0\xaf", false); /* overlong '/' */
        assert_string_equal(s, "??");
        free(s);
        s = cli_text_sanitize("x\xe2\x80\xaey", false); /* U+202E RIGHT-TO-LEFT OVERRIDE */
        assert_string_equal(s, "x?y");
        free(s);
        s = cli_text_sanitize("c1\xc2\x9b" "31m", false); /* C1 CSI */
        assert_string_equal(s, "c1?31m");
        free(s);
        s = cli_text_sanitize("line1\nline2\x7f", true);
        assert_string_equal(s, "line1\nline2?");
        free(s);
        s = cli_text_sanitize("\xf0\x9f\x98\x80 ok", false); /* emoji stays */
        assert_string_equal(s, "\xf0\x9f\x98\x80 ok");
        assert_int_equal(cli_text_width(s), 4);
        free(s);
}

static void test_kv_aligns_values(void **state) {
        (void) state;
        const char *keys[] = { "id", "name", "support end" };
        const char *values[] = { "1", "Thermostat T1", NULL };
        char *s = cli_kv_render(3, keys, values);
        assert_string_equal(s,
                            "id:           1\n"
                            "name:         Thermostat T1\n"
                            "support end:  -\n");
        free(s);
}

static void test_kv_multiline_value_is_indented(void **state) {
        (void) state;
        const char *keys[] = { "address", "id" };
        const char *values[] = { "Hauptstr. 1\n10115 Berlin", "7" };
        char *s = cli_kv_render(2, keys, values);
        assert_string_equal(s,
                            "address:  Hauptstr. 1\n"
                            "          10115 Berlin\n"
                            "id:       7\n");
        free(s);
}

static void test_json_text(void **state) {
        (void) state;
        json_t *doc = json_pack("{s:I, s:s, s:[s,s], s:n, s:{s:s}, s:b, s:[i]}", "id", (json_int_t) 42,
                                "name", "T1", "member_states", "DE", "FR", "revoked_at",
                                "manufacturer", "name", "Acme", "ok", 1, "nums", 3);
        char *s;

        s = cli_json_text(json_object_get(doc, "id"));
        assert_string_equal(s, "42");
        free(s);
        s = cli_json_text(json_object_get(doc, "name"));
        assert_string_equal(s, "T1");
        free(s);
        s = cli_json_text(json_object_get(doc, "member_states"));
        assert_string_equal(s, "DE, FR");
        free(s);
        assert_null(cli_json_text(json_object_get(doc, "revoked_at")));
        assert_null(cli_json_text(json_object_get(doc, "missing")));
        s = cli_json_text(cli_json_at(doc, "manufacturer.name"));
        assert_string_equal(s, "Acme");
        free(s);
        assert_null(cli_json_at(doc, "manufacturer.address"));
        assert_null(cli_json_at(doc, "name.deeper"));
        s = cli_json_text(json_object_get(doc, "manufacturer"));
        assert_string_equal(s, "{\"name\":\"Acme\"}");
        free(s);
        s = cli_json_text(json_object_get(doc, "nums"));
        assert_string_equal(s, "[3]");
        free(s);
        json_decref(doc);
}

/* ---- error lines ---- */

static const char problem_404[] =
        "{\"type\":\"urn:cradle:problem:not-found\",\"title\":\"Not Found\",\"status\":404,"
        "\"detail\":\"no product with id 9\",\"instance\":\"/api/v1/products/9\","
        "\"request_id\":\"r-123\"}";

static void test_problem_title_detail_request_id(void **state) {
        (void) state;
        char *s = cli_problem_format(404, "application/problem+json", problem_404,
                                     strlen(problem_404), "r-header", "GET",
                                     "https://h/api/v1/products/9");
        assert_string_equal(s,
                            "error: Not Found: no product with id 9\n"
                            "request id: r-123\n");
        free(s);
        assert_int_equal(cli_problem_exit_code(404), CLI_EXIT_REFUSED);
        assert_int_equal(cli_problem_exit_code(400), CLI_EXIT_REFUSED);
        assert_int_equal(cli_problem_exit_code(500), CLI_EXIT_SERVER);
        assert_int_equal(cli_problem_exit_code(503), CLI_EXIT_SERVER);
}

static void test_problem_401_has_hint_and_header_request_id(void **state) {
        (void) state;
        const char *body = "{\"title\":\"Unauthorized\",\"status\":401,\"detail\":\"token revoked\"}";
        char *s = cli_problem_format(401, "application/problem+json; charset=utf-8", body,
                                     strlen(body), "r-9", "GET", "https://h/api/v1/whoami");
        assert_true(strncmp(s, "error: Unauthorized: token revoked\nrequest id: r-9\nhint: ", 57) == 0);
        free(s);
}

static void test_problem_non_problem_answer(void **state) {
        (void) state;
        const char *body = "upstream timed out\nmore";
        char *s = cli_problem_format(502, "text/plain", body, strlen(body), NULL, "POST",
                                     "https://h/api/v1/tokens");
        assert_string_equal(s, "error: HTTP 502 Bad Gateway from POST https://h/api/v1/tokens: "
                               "upstream timed out\n");
        free(s);
        s = cli_problem_format(500, "text/html", "<html>", 6, NULL, "GET", "https://h/x");
        assert_string_equal(s, "error: HTTP 500 Internal Server Error from GET https://h/x\n");
        free(s);
        /* JSON that is not a problem document, and a broken one */
        s = cli_problem_format(418, "application/json", "[1,2]", 5, NULL, "GET", "https://h/x");
        assert_string_equal(s, "error: HTTP 418 from GET https://h/x: [1,2]\n");
        free(s);
        s = cli_problem_format(400, "application/problem+json", "{\"title\":", 9, NULL, "GET",
                               "https://h/x");
        assert_string_equal(s, "error: HTTP 400 Bad Request from GET https://h/x: {\"title\":\n");
        free(s);
}

static void test_problem_text_is_sanitised(void **state) {
        (void) state;
        const char *body = "{\"title\":\"Bad\\u001b[31m\",\"detail\":\"x\\ny\"}";
        char *s = cli_problem_format(400, "application/problem+json", body, strlen(body), NULL,
                                     "GET", "https://h/x");
        assert_string_equal(s, "error: Bad?[31m: x y\n");
        free(s);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_table_aligns_columns),
                cmocka_unit_test(test_table_empty_has_header_only),
                cmocka_unit_test(test_table_absent_cell_is_dash),
                cmocka_unit_test(test_table_no_trailing_spaces),
                cmocka_unit_test(test_table_long_value_widens_column),
                cmocka_unit_test(test_table_max_width_truncates_with_ellipsis),
                cmocka_unit_test(test_table_truncation_keeps_utf8_whole),
                cmocka_unit_test(test_table_utf8_counts_code_points),
                cmocka_unit_test(test_table_sanitises_control_characters),
                cmocka_unit_test(test_sanitise_invalid_utf8_and_bidi),
                cmocka_unit_test(test_kv_aligns_values),
                cmocka_unit_test(test_kv_multiline_value_is_indented),
                cmocka_unit_test(test_json_text),
                cmocka_unit_test(test_problem_title_detail_request_id),
                cmocka_unit_test(test_problem_401_has_hint_and_header_request_id),
                cmocka_unit_test(test_problem_non_problem_answer),
                cmocka_unit_test(test_problem_text_is_sanitised),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

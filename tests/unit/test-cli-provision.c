/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The serial list of `cradle provision` is outside input (a factory MES
 * export): every shape it legitimately takes parses, and every way it can be
 * wrong is refused naming the line -- bad characters, duplicates, field
 * counts, quoting, and the size limits.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cli/provision-csv.h"
#include "core/cleanup.h"
#include "core/strutil.h"

static struct provision_csv parse_ok(const char *text) {
        struct provision_csv c;
        struct error err = {0};
        if (provision_csv_parse(text, strlen(text), &c, &err) < 0)
                fail_msg("refused: %s\n--- input:\n%s", err.msg, text);
        return c;
}

static void expect_error(const char *text, size_t len, enum error_kind kind, const char *words) {
        struct provision_csv c = { .rows = (void *) 1 };
        struct error err = {0};
        if (provision_csv_parse(text, len, &c, &err) == 0)
                fail_msg("accepted: %.200s", text);
        if (err.kind != kind)
                fail_msg("kind %d, want %d: %s", err.kind, kind, err.msg);
        if (!strstr(err.msg, words))
                fail_msg("'%s' does not say '%s'", err.msg, words);
        assert_null(c.rows);
        assert_int_equal(c.n_rows, 0);
}

#define EXPECT_ERROR(text, kind, words) expect_error(text, strlen(text), kind, words)

static void test_minimal(void **state) {
        (void) state;
        struct provision_csv c = parse_ok("serial\nSN-1\nSN-2\n");
        assert_int_equal(c.n_rows, 2);
        assert_string_equal(c.rows[0].serial, "SN-1");
        assert_int_equal(c.rows[0].line, 2);
        assert_string_equal(c.rows[0].station, "");
        assert_string_equal(c.rows[1].serial, "SN-2");
        assert_int_equal(c.rows[1].line, 3);
        provision_csv_free(&c);
}

static void test_shapes_exports_take(void **state) {
        (void) state;
        /* CRLF, a BOM, blank lines, no final newline, header case and blanks. */
        struct provision_csv c = parse_ok("\xef\xbb\xbf Serial , MAC\r\n\r\nA.1_x-Y,00:11\r\n  \r\nB2 ,\"22\"");
        assert_int_equal(c.n_rows, 2);
        assert_string_equal(c.rows[0].serial, "A.1_x-Y");
        assert_int_equal(c.rows[0].line, 3);
        assert_string_equal(c.rows[1].serial, "B2");
        assert_int_equal(c.rows[1].line, 5);
        provision_csv_free(&c);

        /* Quoted fields with commas and doubled quotes; serial not first; station per row. */
        c = parse_ok("note,serial,station\n\"a, \"\"b\"\"\",\"SN-9\",line-4\nx,SN-10,\n");
        assert_int_equal(c.n_rows, 2);
        assert_string_equal(c.rows[0].serial, "SN-9");
        assert_string_equal(c.rows[0].station, "line-4");
        assert_string_equal(c.rows[1].serial, "SN-10");
        assert_string_equal(c.rows[1].station, "");
        provision_csv_free(&c);

        /* The longest serial. */
        char text[128];
        char serial[PROVISION_NAME_MAX + 1];
        memset(serial, 'S', PROVISION_NAME_MAX);
        serial[PROVISION_NAME_MAX] = '\0';
        snprintf(text, sizeof(text), "serial\n%s\n", serial);
        c = parse_ok(text);
        assert_string_equal(c.rows[0].serial, serial);
        provision_csv_free(&c);
}

static void test_bad_serials(void **state) {
        (void) state;
        EXPECT_ERROR("serial\nSN-1\nAB/1\n", ERROR_INVALID, "line 3: serial 'AB/1': character '/' is not allowed");
        EXPECT_ERROR("serial\nA B\n", ERROR_INVALID, "byte 0x20 at position 2");
        EXPECT_ERROR("serial\nSN\xc3\xa9\n", ERROR_INVALID, "byte 0xc3");
        EXPECT_ERROR("serial\nSN\x1b[2J\n", ERROR_INVALID, "byte 0x1b");
        EXPECT_ERROR("serial\nSN\tX\n", ERROR_INVALID, "byte 0x09");
        EXPECT_ERROR("serial\n..\n", ERROR_INVALID, "'..' is not allowed");
        EXPECT_ERROR("serial\n.\n", ERROR_INVALID, "'.' is not allowed");
        EXPECT_ERROR("serial,x\n,1\n", ERROR_INVALID, "line 2: serial is empty");
        EXPECT_ERROR("serial\n\"\"\n", ERROR_INVALID, "serial is empty");
        char text[160];
        char serial[PROVISION_NAME_MAX + 2];
        memset(serial, 'S', PROVISION_NAME_MAX + 1);
        serial[PROVISION_NAME_MAX + 1] = '\0';
        snprintf(text, sizeof(text), "serial\n%s\n", serial);
        EXPECT_ERROR(text, ERROR_INVALID, "longer than 64");
        EXPECT_ERROR("serial,station\nSN-1,line/2\n", ERROR_INVALID, "line 2: station 'line/2'");
}

static void test_duplicate_serials(void **state) {
        (void) state;
        EXPECT_ERROR("serial\nA\nB\nA\n", ERROR_INVALID, "line 4: serial 'A' is listed twice (first on line 2)");
        /* The first repeat in file order is named, whatever sorts first. */
        EXPECT_ERROR("serial\nZ\nA\nZ\nA\n", ERROR_INVALID, "line 4: serial 'Z' is listed twice (first on line 2)");
        EXPECT_ERROR("serial\nA\nA\nA\n", ERROR_INVALID, "line 3: serial 'A' is listed twice (first on line 2)");
        /* Case matters: serials are exact. */
        struct provision_csv c = parse_ok("serial\nab\nAB\n");
        assert_int_equal(c.n_rows, 2);
        provision_csv_free(&c);
}

static void test_structure(void **state) {
        (void) state;
        EXPECT_ERROR("", ERROR_INVALID, "empty");
        EXPECT_ERROR("\n\r\n  \n", ERROR_INVALID, "empty");
        EXPECT_ERROR("serial\n", ERROR_INVALID, "no serials");
        EXPECT_ERROR("id,mac\n1,2\n", ERROR_INVALID, "line 1: the header has no 'serial' column");
        EXPECT_ERROR("SN-1\nSN-2\n", ERROR_INVALID, "no 'serial' column");
        EXPECT_ERROR("serial,SERIAL\nA,B\n", ERROR_INVALID, "column 'SERIAL' appears twice");
        EXPECT_ERROR("serial,station\nA\n", ERROR_INVALID, "line 2: 1 field, the header has 2");
        EXPECT_ERROR("serial\nA,B\n", ERROR_INVALID, "line 2: 2 fields, the header has 1");
        EXPECT_ERROR("serial\n\"A\n", ERROR_INVALID, "line 2, field 1: a quoted field is not closed");
        EXPECT_ERROR("serial\n\"A\"B\n", ERROR_INVALID, "text after the closing quote");
        EXPECT_ERROR("serial\nA\"B\n", ERROR_INVALID, "a quote inside an unquoted field");
        expect_error("serial\nA\0B\n", 10, ERROR_INVALID, "line 2: contains a NUL byte");
}

static void test_limits(void **state) {
        (void) state;
        /* Line length: 1024 bytes pass, 1025 do not (a CR does not count). */
        size_t len = strlen("serial,note\nSN,") + PROVISION_CSV_MAX_LINE + 8;
        char *text = xcalloc(1, len + 1);
        strcpy(text, "serial,note\nSN,");
        size_t pad = PROVISION_CSV_MAX_LINE - 3;
        memset(text + strlen(text), 'x', pad);
        strcat(text, "\r\n");
        struct provision_csv c = parse_ok(text);
        provision_csv_free(&c);
        strcpy(text, "serial,note\nSN,");
        memset(text + strlen(text), 'x', pad + 1);
        strcat(text, "\n");
        EXPECT_ERROR(text, ERROR_TOO_LARGE, "line 2: longer than 1024 bytes");
        free(text);

        /* Too many fields on a line. */
        struct buf b = {0};
        buf_appendf(&b, "serial");
        for (int i = 0; i < PROVISION_CSV_MAX_COLUMNS; i++)
                buf_appendf(&b, ",c%d", i);
        buf_appendf(&b, "\n");
        char *wide = buf_steal(&b);
        EXPECT_ERROR(wide, ERROR_TOO_LARGE, "line 1: more than 32 fields");
        free(wide);

        /* Row count: the limit passes, one more does not. */
        b = (struct buf) {0};
        buf_appendf(&b, "serial\n");
        for (int i = 0; i < PROVISION_CSV_MAX_ROWS; i++)
                buf_appendf(&b, "S%d\n", i);
        char *rows = buf_steal(&b);
        c = parse_ok(rows);
        assert_int_equal(c.n_rows, PROVISION_CSV_MAX_ROWS);
        assert_string_equal(c.rows[PROVISION_CSV_MAX_ROWS - 1].serial, "S99999");
        provision_csv_free(&c);
        b = (struct buf) {0};
        buf_append(&b, rows, strlen(rows));
        buf_appendf(&b, "S-extra\n");
        free(rows);
        rows = buf_steal(&b);
        EXPECT_ERROR(rows, ERROR_TOO_LARGE, "more than 100000 serials");
        free(rows);

        /* The whole file. */
        expect_error("serial\n", PROVISION_CSV_MAX_BYTES + 1, ERROR_TOO_LARGE, "larger than 8 MiB");
}

static void test_name_check(void **state) {
        (void) state;
        struct error err = {0};
        assert_int_equal(provision_name_check("--station", "line-1.A_b", &err), 0);
        assert_int_equal(provision_name_check("--station", "", &err), -1);
        assert_non_null(strstr(err.msg, "--station is empty"));
        assert_int_equal(provision_name_check("--station", "a b", &err), -1);
        assert_non_null(strstr(err.msg, "--station 'a b'"));
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_minimal),
                cmocka_unit_test(test_shapes_exports_take),
                cmocka_unit_test(test_bad_serials),
                cmocka_unit_test(test_duplicate_serials),
                cmocka_unit_test(test_structure),
                cmocka_unit_test(test_limits),
                cmocka_unit_test(test_name_check),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

/* SPDX-License-Identifier: Apache-2.0 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/cleanup.h"
#include "core/config.h"
#include "core/fileio.h"
#include "core/strutil.h"

struct settings {
        char *listen;
        int64_t port;
        bool tls;
        int64_t offset;
        uint64_t max_body;
        int64_t timeout;
        char *db_path;
};

static const struct config_key schema[] = {
        { "server", "listen", CONFIG_STRING, offsetof(struct settings, listen), 0, 0, "127.0.0.1",
          "Address to listen on." },
        { "server", "port", CONFIG_INT, offsetof(struct settings, port), 1, 65535, "8443",
          "TCP port." },
        { "server", "tls", CONFIG_BOOL, offsetof(struct settings, tls), 0, 0, "true",
          "Serve HTTPS." },
        { "server", "offset", CONFIG_INT, offsetof(struct settings, offset), -10, 10, "0", NULL },
        { "limits", "max_body", CONFIG_SIZE, offsetof(struct settings, max_body), 1024,
          1024 * 1024 * 1024, "1M", "Largest request body." },
        { "limits", "timeout", CONFIG_DURATION, offsetof(struct settings, timeout), 1, 86400, "30s",
          "Request timeout." },
        { "store", "path", CONFIG_STRING, offsetof(struct settings, db_path), 0, 0, NULL,
          "Database file." },
};

static int parse(const char *text, struct settings *s, struct error *err) {
        *s = (struct settings) { 0 };
        return config_parse_buffer("test.ini", text, strlen(text), schema, ELEMENTSOF(schema), s,
                                   err);
}

/* The text is refused with exactly this message, and nothing is left allocated. */
static void assert_refused(const char *text, const char *expected) {
        struct settings s;
        struct error err = { 0 };

        if (parse(text, &s, &err) == 0)
                fail_msg("accepted:\n%s", text);
        if (strcmp(err.msg, expected) != 0)
                fail_msg("message\n  '%s'\nexpected\n  '%s'", err.msg, expected);
        assert_int_equal(err.kind, ERROR_INVALID);
        assert_null(s.listen);
        assert_null(s.db_path);
        config_free(schema, ELEMENTSOF(schema), &s); /* safe after failure */
}

static void test_defaults(void **state) {
        struct settings s;
        struct error err = { 0 };

        (void) state;
        assert_int_equal(parse("", &s, &err), 0);
        assert_string_equal(s.listen, "127.0.0.1");
        assert_int_equal(s.port, 8443);
        assert_true(s.tls);
        assert_int_equal(s.max_body, 1024 * 1024);
        assert_int_equal(s.timeout, 30);
        assert_null(s.db_path);
        config_free(schema, ELEMENTSOF(schema), &s);
        assert_null(s.listen);
}

static void test_valid_file(void **state) {
        struct settings s;
        struct error err = { 0 };
        const char *text =
                "\xef\xbb\xbf# comment\r\n"
                "; another comment\n"
                "\n"
                "[server]   ; trailing comment\n"
                "listen = 0.0.0.0 ; inline comment\n"
                "   port=9000\n"
                "tls = Off\n"
                "offset = -10\n"
                "[limits]\n"
                "max_body = 64K\r\n"
                "timeout = 2h\n"
                "[store]\n"
                "path = /var/lib/cradle/cradle.db\n";

        (void) state;
        if (parse(text, &s, &err) < 0)
                fail_msg("%s", err.msg);
        assert_string_equal(s.listen, "0.0.0.0");
        assert_int_equal(s.port, 9000);
        assert_false(s.tls);
        assert_int_equal(s.offset, -10);
        assert_int_equal(s.max_body, 65536);
        assert_int_equal(s.timeout, 7200);
        assert_string_equal(s.db_path, "/var/lib/cradle/cradle.db");
        config_free(schema, ELEMENTSOF(schema), &s);
}

static void test_value_forms(void **state) {
        static const struct {
                const char *text;
                uint64_t size;
                int64_t seconds;
                bool tls;
        } cases[] = {
                { "[limits]\nmax_body = 1024\ntimeout = 1\n[server]\ntls = yes\n", 1024, 1, true },
                { "[limits]\nmax_body = 1G\ntimeout = 1d\n[server]\ntls = 0\n", 1073741824, 86400, false },
                { "[limits]\nmax_body = 10M\ntimeout = 5m\n[server]\ntls = ON\n", 10485760, 300, true },
                { "[limits]\nmax_body = 2048\ntimeout = 59s\n[server]\ntls = FALSE\n", 2048, 59, false },
        };

        (void) state;
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                struct settings s;
                struct error err = { 0 };
                if (parse(cases[i].text, &s, &err) < 0)
                        fail_msg("case %zu: %s", i, err.msg);
                assert_int_equal(s.max_body, cases[i].size);
                assert_int_equal(s.timeout, cases[i].seconds);
                assert_int_equal(s.tls, cases[i].tls);
                config_free(schema, ELEMENTSOF(schema), &s);
        }
}

static void test_unknown_key(void **state) {
        (void) state;
        assert_refused("# c\n[server]\nprot = 1\n", "test.ini:3: unknown key 'prot' in section [server]");
        /* A key known in another section is still unknown here. */
        assert_refused("[limits]\n\nport = 1\n", "test.ini:3: unknown key 'port' in section [limits]");
}

static void test_unknown_section(void **state) {
        (void) state;
        assert_refused("[server]\nport = 1\n[sever]\n", "test.ini:3: unknown section [sever]");
        /* Even when empty, and even beyond libinih's 49-byte section names. */
        assert_refused("[server]\n[serverxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx]\nport = 2\n",
                       "test.ini:2: unknown section [serverxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx]");
        assert_refused("[ server ]\n", "test.ini:1: unknown section [ server ]");
        assert_refused("[]\n", "test.ini:1: unknown section []");
}

static void test_duplicates(void **state) {
        (void) state;
        assert_refused("[server]\nport = 1\n\nport = 2\n",
                       "test.ini:4: duplicate key 'port' in section [server] (first set on line 2)");
        assert_refused("[server]\nport = 1\n[limits]\n[server]\n",
                       "test.ini:4: section [server] appears twice (first on line 1)");
}

static void test_bad_int(void **state) {
        (void) state;
        assert_refused("[server]\nport = abc\n", "test.ini:2: [server] port = 'abc': not an integer");
        assert_refused("[server]\nport = 80 80\n", "test.ini:2: [server] port = '80 80': not an integer");
        assert_refused("[server]\nport =\n", "test.ini:2: [server] port = '': not an integer");
        assert_refused("[server]\nport = 0x50\n", "test.ini:2: [server] port = '0x50': not an integer");
}

static void test_out_of_range(void **state) {
        (void) state;
        assert_refused("[server]\nport = 70000\n",
                       "test.ini:2: [server] port = '70000': out of range (1..65535)");
        assert_refused("[server]\nport = 0\n", "test.ini:2: [server] port = '0': out of range (1..65535)");
        assert_refused("[server]\nport = 99999999999999999999\n",
                       "test.ini:2: [server] port = '99999999999999999999': out of range (1..65535)");
        assert_refused("[limits]\nmax_body = 2G\n",
                       "test.ini:2: [limits] max_body = '2G': out of range (1024..1073741824 bytes)");
        assert_refused("[limits]\nmax_body = 1\n",
                       "test.ini:2: [limits] max_body = '1': out of range (1024..1073741824 bytes)");
        assert_refused("[limits]\nmax_body = 99999999999999999999G\n",
                       "test.ini:2: [limits] max_body = '99999999999999999999G': out of range (1024..1073741824 bytes)");
        assert_refused("[limits]\ntimeout = 2d\n",
                       "test.ini:2: [limits] timeout = '2d': out of range (1..86400 seconds)");
}

static void test_bad_bool(void **state) {
        (void) state;
        assert_refused("[server]\ntls = maybe\n",
                       "test.ini:2: [server] tls = 'maybe': not a boolean (use true/false, yes/no, on/off or 1/0)");
        assert_refused("[server]\ntls = 2\n",
                       "test.ini:2: [server] tls = '2': not a boolean (use true/false, yes/no, on/off or 1/0)");
}

static void test_bad_size_and_duration(void **state) {
        (void) state;
        assert_refused("[limits]\nmax_body = 10X\n",
                       "test.ini:2: [limits] max_body = '10X': bad size suffix (use K, M or G)");
        assert_refused("[limits]\nmax_body = 10KB\n",
                       "test.ini:2: [limits] max_body = '10KB': bad size suffix (use K, M or G)");
        assert_refused("[limits]\nmax_body = 10 K\n",
                       "test.ini:2: [limits] max_body = '10 K': bad size suffix (use K, M or G)");
        assert_refused("[limits]\nmax_body = K\n",
                       "test.ini:2: [limits] max_body = 'K': not a size (e.g. 512, 64K, 10M, 1G)");
        assert_refused("[limits]\nmax_body = -5\n",
                       "test.ini:2: [limits] max_body = '-5': not a size (e.g. 512, 64K, 10M, 1G)");
        assert_refused("[limits]\ntimeout = 5y\n",
                       "test.ini:2: [limits] timeout = '5y': bad duration suffix (use s, m, h or d)");
        assert_refused("[limits]\ntimeout = soon\n",
                       "test.ini:2: [limits] timeout = 'soon': not a duration (e.g. 30s, 5m, 12h, 7d)");
}

static void test_key_outside_section(void **state) {
        (void) state;
        assert_refused("port = 1\n[server]\n",
                       "test.ini:1: key 'port' is outside any section (add a [section] line above it)");
        assert_refused("# header\n\nlisten = x\n",
                       "test.ini:3: key 'listen' is outside any section (add a [section] line above it)");
}

static void test_syntax_errors(void **state) {
        char line[400];

        (void) state;
        assert_refused("[server]\nport 8443\n",
                       "test.ini:2: syntax error (expected '[section]' or 'key = value')");
        assert_refused("[server\nport = 1\n", "test.ini:1: expected ']' at the end of the section name");
        assert_refused("[server] port = 1\n", "test.ini:1: unexpected text after ']'");
        {
                static const char nul[] = "[server]\n\nlisten = a\0b\n";
                struct settings s = { 0 };
                struct error err = { 0 };
                assert_int_equal(config_parse_buffer("test.ini", nul, sizeof(nul) - 1, schema,
                                                     ELEMENTSOF(schema), &s, &err), -1);
                assert_string_equal(err.msg, "test.ini:3: contains a NUL byte");
        }

        memset(line, 'x', sizeof(line));
        memcpy(line, "[server]\nlisten = ", 18);
        line[sizeof(line) - 1] = '\0';
        assert_refused(line, "test.ini:2: line is too long (at most 199 characters)");
        assert_refused("[server]\nlisten = a\x01z\n",
                       "test.ini:2: [server] listen = 'a?z': contains a control character");
        /* The first error is the one reported. */
        assert_refused("[server]\nbogus\nport = x\n",
                       "test.ini:2: syntax error (expected '[section]' or 'key = value')");
}

static void test_oversized(void **state) {
        _cleanup_free_ char *big = xmalloc(CONFIG_MAX_FILE_SIZE + 2);
        struct settings s = { 0 };
        struct error err = { 0 };

        (void) state;
        memset(big, '#', CONFIG_MAX_FILE_SIZE + 1);
        big[CONFIG_MAX_FILE_SIZE + 1] = '\0';
        assert_int_equal(config_parse_buffer("big.ini", big, CONFIG_MAX_FILE_SIZE + 1, schema,
                                             ELEMENTSOF(schema), &s, &err), -1);
        assert_int_equal(err.kind, ERROR_TOO_LARGE);
        assert_string_equal(err.msg, "big.ini: file is too large (262145 bytes, at most 262144)");
        assert_null(s.listen);
}

static void test_load_file(void **state) {
        char dir[] = "/tmp/cradle-test-config-XXXXXX";
        struct settings s = { 0 };
        struct error err = { 0 };
        _cleanup_free_ char *big = xmalloc(CONFIG_MAX_FILE_SIZE + 1);

        (void) state;
        assert_non_null(mkdtemp(dir));
        _cleanup_free_ char *path = path_join(dir, "cradled.ini");
        _cleanup_free_ char *expected = NULL;

        assert_int_equal(config_load(path, schema, ELEMENTSOF(schema), &s, &err), -1);
        assert_int_equal(err.kind, ERROR_NOT_FOUND);

        assert_int_equal(file_write_atomic(path, "[server]\nport = 1\nport = 2\n", 27, 0600, &err), 0);
        assert_int_equal(config_load(path, schema, ELEMENTSOF(schema), &s, &err), -1);
        expected = str_printf("%s:3: duplicate key 'port' in section [server] (first set on line 2)",
                              path);
        assert_string_equal(err.msg, expected);

        assert_int_equal(file_write_atomic(path, "[server]\nport = 2\n", 18, 0600, &err), 0);
        assert_int_equal(config_load(path, schema, ELEMENTSOF(schema), &s, &err), 0);
        assert_int_equal(s.port, 2);
        assert_string_equal(s.listen, "127.0.0.1");
        config_free(schema, ELEMENTSOF(schema), &s);

        memset(big, '\n', CONFIG_MAX_FILE_SIZE + 1);
        assert_int_equal(file_write_atomic(path, big, CONFIG_MAX_FILE_SIZE + 1, 0600, &err), 0);
        assert_int_equal(config_load(path, schema, ELEMENTSOF(schema), &s, &err), -1);
        assert_int_equal(err.kind, ERROR_TOO_LARGE);

        assert_int_equal(unlink(path), 0);
        assert_int_equal(rmdir(dir), 0);
}

static void test_write_defaults_round_trips(void **state) {
        _cleanup_free_ char *out = NULL;
        struct settings s;
        struct error err = { 0 };

        (void) state;
        assert_int_equal(config_write_defaults(schema, ELEMENTSOF(schema), &out), 0);
        assert_non_null(strstr(out, "[server]\n# Address to listen on.\n# (string)\n#listen = 127.0.0.1\n"));
        assert_non_null(strstr(out, "# TCP port.\n# (integer, 1..65535)\n#port = 8443\n"));
        assert_non_null(strstr(out, "[limits]\n"));
        assert_non_null(strstr(out, "#timeout = 30s\n"));
        assert_non_null(strstr(out, "[store]\n# Database file.\n# (string)\n#path = \n"));
        /* Each section once. */
        assert_null(strstr(strstr(out, "[server]") + 1, "[server]"));
        if (parse(out, &s, &err) < 0)
                fail_msg("%s", err.msg);
        assert_int_equal(s.port, 8443);
        config_free(schema, ELEMENTSOF(schema), &s);
}

static void test_bad_default_is_internal(void **state) {
        static const struct config_key bad[] = {
                { "a", "n", CONFIG_INT, 0, 0, 10, "11", NULL },
        };
        int64_t n = 0;
        struct error err = { 0 };

        (void) state;
        assert_int_equal(config_apply_defaults(bad, 1, &n, &err), -1);
        assert_int_equal(err.kind, ERROR_INTERNAL);
        assert_string_equal(err.msg, "default for [a] n = '11': out of range (0..10)");
}

static void test_long_section_name(void **state) {
        /* Longer than the 49 bytes libinih keeps: still matched in full. */
        static const struct config_key long_schema[] = {
                { "a-section-name-that-is-much-longer-than-the-buffer-libinih-keeps", "n", CONFIG_INT,
                  0, 0, 100, NULL, NULL },
        };
        const char *text = "[a-section-name-that-is-much-longer-than-the-buffer-libinih-keeps]\nn = 7\n";
        int64_t n = 0;
        struct error err = { 0 };

        (void) state;
        if (config_parse_buffer("t", text, strlen(text), long_schema, 1, &n, &err) < 0)
                fail_msg("%s", err.msg);
        assert_int_equal(n, 7);
        text = "[a-section-name-that-is-much-longer-than-the-buffer-libinih-keepsX]\nn = 7\n";
        assert_int_equal(config_parse_buffer("t", text, strlen(text), long_schema, 1, &n, &err), -1);
        assert_non_null(strstr(err.msg, "t:1: unknown section"));
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_defaults),
                cmocka_unit_test(test_valid_file),
                cmocka_unit_test(test_value_forms),
                cmocka_unit_test(test_unknown_key),
                cmocka_unit_test(test_unknown_section),
                cmocka_unit_test(test_duplicates),
                cmocka_unit_test(test_bad_int),
                cmocka_unit_test(test_out_of_range),
                cmocka_unit_test(test_bad_bool),
                cmocka_unit_test(test_bad_size_and_duration),
                cmocka_unit_test(test_key_outside_section),
                cmocka_unit_test(test_syntax_errors),
                cmocka_unit_test(test_oversized),
                cmocka_unit_test(test_load_file),
                cmocka_unit_test(test_write_defaults_round_trips),
                cmocka_unit_test(test_bad_default_is_internal),
                cmocka_unit_test(test_long_section_name),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

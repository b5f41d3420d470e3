/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Where `cradle` takes its server URL, CA and token from: flags beat the
 * environment, which beats the config file; a token in a file others may read
 * is refused; a config file is checked strictly, with the line named.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/settings.h"
#include "core/strutil.h"

#define TOKEN_A "cradle_0123456789abcdef_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
#define TOKEN_B "cradle_fedcba9876543210_BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB"

static const mode_t private_mode = S_IFREG | 0600;
static const mode_t shared_mode = S_IFREG | 0644;

/* ---- precedence ---- */

static struct cli_file_config file_all(void) {
        return (struct cli_file_config) {
                .url = (char *) "https://file.example",
                .ca = (char *) "/file/ca.pem",
                .token_file = NULL,
                .token = (char *) TOKEN_B,
        };
}

static void test_flags_beat_env_and_file(void **state) {
        (void) state;
        struct cli_flags flags = { .url = "https://flag.example", .ca = "/flag/ca.pem",
                                   .token_file = "/flag/token" };
        struct cli_env env = { .url = "https://env.example", .ca = "/env/ca.pem", .token = TOKEN_A };
        struct cli_file_config file = file_all();
        struct cli_settings s;

        assert_int_equal(cli_settings_resolve(&flags, &env, &file, &s, NULL), 0);
        assert_string_equal(s.url, "https://flag.example");
        assert_string_equal(s.url_from, "--url");
        assert_string_equal(s.ca, "/flag/ca.pem");
        assert_string_equal(s.ca_from, "--ca");
        assert_int_equal(s.token_source, CLI_TOKEN_FLAG_FILE);
        assert_string_equal(s.token_file, "/flag/token");
        assert_null(s.token); /* read later, from the file */
        cli_settings_free(&s);
}

static void test_env_beats_file(void **state) {
        (void) state;
        struct cli_flags flags = { 0 };
        struct cli_env env = { .url = "https://env.example", .ca = "/env/ca.pem", .token = TOKEN_A };
        struct cli_file_config file = file_all();
        struct cli_settings s;

        assert_int_equal(cli_settings_resolve(&flags, &env, &file, &s, NULL), 0);
        assert_string_equal(s.url, "https://env.example");
        assert_string_equal(s.url_from, "CRADLE_URL");
        assert_string_equal(s.ca, "/env/ca.pem");
        assert_string_equal(s.ca_from, "CRADLE_CA");
        assert_int_equal(s.token_source, CLI_TOKEN_ENV);
        assert_string_equal(s.token, TOKEN_A);
        cli_settings_free(&s);
}

static void test_file_is_the_fallback(void **state) {
        (void) state;
        struct cli_flags flags = { 0 };
        struct cli_env env = { 0 };
        struct cli_file_config file = file_all();
        struct cli_settings s;

        assert_int_equal(cli_settings_resolve(&flags, &env, &file, &s, NULL), 0);
        assert_string_equal(s.url, "https://file.example");
        assert_string_equal(s.url_from, "config");
        assert_string_equal(s.ca, "/file/ca.pem");
        assert_int_equal(s.token_source, CLI_TOKEN_CONFIG);
        assert_string_equal(s.token, TOKEN_B);
        cli_settings_free(&s);
}

static void test_empty_env_counts_as_unset(void **state) {
        (void) state;
        struct cli_flags flags = { 0 };
        struct cli_env env = { .url = "", .token = "", .token_file = "", .ca = "" };
        struct cli_file_config file = file_all();
        struct cli_settings s;

        assert_int_equal(cli_settings_resolve(&flags, &env, &file, &s, NULL), 0);
        assert_string_equal(s.url, "https://file.example");
        assert_int_equal(s.token_source, CLI_TOKEN_CONFIG);
        cli_settings_free(&s);
}

static void test_token_source_order(void **state) {
        (void) state;
        struct cli_flags flags = { 0 };
        struct cli_env env = { 0 };
        struct cli_file_config file = { .token_file = (char *) "/file/token" };
        struct cli_settings s;

        /* config token_file only */
        cli_settings_resolve(&flags, &env, &file, &s, NULL);
        assert_int_equal(s.token_source, CLI_TOKEN_CONFIG_FILE);
        assert_string_equal(s.token_file, "/file/token");
        cli_settings_free(&s);

        /* CRADLE_TOKEN_FILE beats the config */
        env.token_file = "/env/token";
        cli_settings_resolve(&flags, &env, &file, &s, NULL);
        assert_int_equal(s.token_source, CLI_TOKEN_ENV_FILE);
        assert_string_equal(s.token_file, "/env/token");
        cli_settings_free(&s);

        /* CRADLE_TOKEN beats CRADLE_TOKEN_FILE */
        env.token = TOKEN_A;
        cli_settings_resolve(&flags, &env, &file, &s, NULL);
        assert_int_equal(s.token_source, CLI_TOKEN_ENV);
        assert_string_equal(s.token, TOKEN_A);
        assert_null(s.token_file);
        cli_settings_free(&s);

        /* --token-file beats them all */
        flags.token_file = "/flag/token";
        cli_settings_resolve(&flags, &env, &file, &s, NULL);
        assert_int_equal(s.token_source, CLI_TOKEN_FLAG_FILE);
        assert_null(s.token);
        cli_settings_free(&s);
}

static void test_nothing_set(void **state) {
        (void) state;
        struct cli_flags flags = { 0 };
        struct cli_env env = { 0 };
        struct cli_settings s;

        assert_int_equal(cli_settings_resolve(&flags, &env, NULL, &s, NULL), 0);
        assert_null(s.url);
        assert_null(s.ca);
        assert_int_equal(s.token_source, CLI_TOKEN_NONE);
        cli_settings_free(&s);
}

static void test_default_config_path(void **state) {
        (void) state;
        struct cli_env env = { .xdg_config_home = "/xdg", .home = "/home/op" };
        char *p;

        p = cli_config_default_path(&env);
        assert_string_equal(p, "/xdg/cradle/config");
        free(p);

        env.xdg_config_home = "relative/ignored"; /* the XDG spec: ignore a relative path */
        p = cli_config_default_path(&env);
        assert_string_equal(p, "/home/op/.config/cradle/config");
        free(p);

        env.xdg_config_home = NULL;
        p = cli_config_default_path(&env);
        assert_string_equal(p, "/home/op/.config/cradle/config");
        free(p);

        env.home = NULL;
        assert_null(cli_config_default_path(&env));
}

/* ---- the config file ---- */

static int parse(const char *text, mode_t mode, struct cli_file_config *c, struct error *err) {
        return cli_config_parse("/etc/op/config", text, strlen(text), mode, "/etc/op", c, err);
}

static void test_config_parses_and_resolves_relative_paths(void **state) {
        (void) state;
        struct cli_file_config c;
        struct error err = { 0 };

        assert_int_equal(parse("# operator settings\n"
                               "[server]\n"
                               "url = https://cradle.example:8443\n"
                               "ca = tls/ca.pem\n"
                               "token_file = /abs/token\n",
                               shared_mode, &c, &err),
                         0);
        assert_string_equal(c.url, "https://cradle.example:8443");
        assert_string_equal(c.ca, "/etc/op/tls/ca.pem");
        assert_string_equal(c.token_file, "/abs/token");
        assert_null(c.token);
        cli_file_config_free(&c);
}

static void test_config_unknown_key_names_line(void **state) {
        (void) state;
        struct cli_file_config c;
        struct error err = { 0 };

        assert_int_equal(parse("[server]\nurl = https://x\ntokn_file = /t\n", private_mode, &c, &err), -1);
        assert_non_null(strstr(err.msg, "/etc/op/config:3:"));
        assert_non_null(strstr(err.msg, "tokn_file"));
        assert_null(c.url); /* nothing half-applied */
}

static void test_config_unknown_section_names_line(void **state) {
        (void) state;
        struct cli_file_config c;
        struct error err = { 0 };

        assert_int_equal(parse("[server]\nurl = https://x\n\n[client]\nx = 1\n", private_mode, &c, &err), -1);
        assert_non_null(strstr(err.msg, "/etc/op/config:4:"));
        assert_non_null(strstr(err.msg, "client"));
}

static void test_config_duplicate_key_refused(void **state) {
        (void) state;
        struct cli_file_config c;
        struct error err = { 0 };

        assert_int_equal(parse("[server]\nurl = https://a\nurl = https://b\n", private_mode, &c, &err), -1);
        assert_non_null(strstr(err.msg, ":3:"));
}

static void test_config_with_token_must_be_private(void **state) {
        (void) state;
        struct cli_file_config c;
        struct error err = { 0 };
        const char *text = "[server]\nurl = https://x\ntoken = " TOKEN_A "\n";

        assert_int_equal(parse(text, shared_mode, &c, &err), -1);
        assert_non_null(strstr(err.msg, "/etc/op/config"));
        assert_non_null(strstr(err.msg, "0644"));
        assert_non_null(strstr(err.msg, "chmod 600"));
        assert_null(strstr(err.msg, TOKEN_A)); /* never echoed */

        assert_int_equal(parse(text, S_IFREG | 0640, &c, &err), -1);
        assert_int_equal(parse(text, S_IFREG | 0604, &c, &err), -1);

        assert_int_equal(parse(text, private_mode, &c, &err), 0);
        assert_string_equal(c.token, TOKEN_A);
        cli_file_config_free(&c);
}

static void test_config_without_token_may_be_shared(void **state) {
        (void) state;
        struct cli_file_config c;
        struct error err = { 0 };

        assert_int_equal(parse("[server]\nurl = https://x\ntoken_file = t\n", shared_mode, &c, &err), 0);
        assert_string_equal(c.token_file, "/etc/op/t");
        cli_file_config_free(&c);
}

static void test_config_token_and_token_file_conflict(void **state) {
        (void) state;
        struct cli_file_config c;
        struct error err = { 0 };

        assert_int_equal(parse("[server]\ntoken = " TOKEN_A "\ntoken_file = /t\n", private_mode, &c, &err), -1);
        assert_non_null(strstr(err.msg, "both token and token_file"));
}

/* ---- token files ---- */

static void test_token_file_shared_is_refused(void **state) {
        (void) state;
        char *tok = NULL;
        struct error err = { 0 };
        const char *text = TOKEN_A "\n";

        assert_int_equal(cli_token_parse("/home/op/t", text, strlen(text), shared_mode, &tok, &err), -1);
        assert_null(tok);
        assert_non_null(strstr(err.msg, "/home/op/t"));
        assert_non_null(strstr(err.msg, "0644"));
        assert_null(strstr(err.msg, TOKEN_A));
        /* group-readable only, and other-writable only, are refused too */
        assert_int_equal(cli_token_parse("t", text, strlen(text), S_IFREG | 0640, &tok, &err), -1);
        assert_int_equal(cli_token_parse("t", text, strlen(text), S_IFREG | 0602, &tok, &err), -1);
}

static void test_token_file_private_is_read_and_trimmed(void **state) {
        (void) state;
        char *tok = NULL;
        struct error err = { 0 };
        const char *text = "  " TOKEN_A "\r\n\n";

        assert_int_equal(cli_token_parse("t", text, strlen(text), private_mode, &tok, &err), 0);
        assert_string_equal(tok, TOKEN_A);
        free(tok);
        /* owner-only read (0400) is fine as well */
        assert_int_equal(cli_token_parse("t", TOKEN_A, strlen(TOKEN_A), S_IFREG | 0400, &tok, &err), 0);
        free(tok);
}

static void test_token_file_bad_contents(void **state) {
        (void) state;
        char *tok = NULL;
        struct error err = { 0 };
        static const char *const bad[] = {
                "", "\n\n", TOKEN_A "\n" TOKEN_B "\n", "cradle_abc def", "cradle_\x01x", "t\xc3\xa9",
        };

        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                err = (struct error) { 0 };
                assert_int_equal(cli_token_parse("t", bad[i], strlen(bad[i]), private_mode, &tok, &err), -1);
                assert_null(tok);
                assert_true(err.msg[0] != '\0');
        }
        /* an embedded NUL */
        assert_int_equal(cli_token_parse("t", "ab\0cd", 5, private_mode, &tok, &err), -1);
}

static void test_token_check(void **state) {
        (void) state;
        struct error err = { 0 };
        char long_token[CLI_TOKEN_MAX + 2];

        assert_int_equal(cli_token_check("CRADLE_TOKEN", TOKEN_A, &err), 0);
        assert_int_equal(cli_token_check("CRADLE_TOKEN", "abc\r\nX-Evil: 1", &err), -1);
        assert_non_null(strstr(err.msg, "CRADLE_TOKEN"));
        assert_int_equal(cli_token_check("CRADLE_TOKEN", "", &err), -1);
        memset(long_token, 'a', sizeof(long_token) - 1);
        long_token[sizeof(long_token) - 1] = '\0';
        assert_int_equal(cli_token_check("CRADLE_TOKEN", long_token, &err), -1);
}

/* ---- with real files: the I/O around the pure functions ---- */

struct tmp {
        char dir[64];
};

static int tmp_setup(void **state) {
        struct tmp *t = calloc(1, sizeof(*t));
        snprintf(t->dir, sizeof(t->dir), "/tmp/cradle-cli-test.XXXXXX");
        if (!mkdtemp(t->dir))
                return -1;
        *state = t;
        return 0;
}

static int tmp_teardown(void **state) {
        struct tmp *t = *state;
        char *cmd = str_printf("rm -rf '%s'", t->dir);
        int r = system(cmd);
        free(cmd);
        free(t);
        return r == 0 ? 0 : -1;
}

static char *write_file(const struct tmp *t, const char *name, const char *text, mode_t mode) {
        char *path = str_printf("%s/%s", t->dir, name);
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        assert_true(fd >= 0);
        assert_int_equal(write(fd, text, strlen(text)), (ssize_t) strlen(text));
        assert_int_equal(fchmod(fd, mode), 0);
        close(fd);
        return path;
}

static void test_load_reads_token_file(void **state) {
        struct tmp *t = *state;
        char *tok = write_file(t, "token", TOKEN_A "\n", 0600);
        struct cli_flags flags = { .url = "https://x", .token_file = tok };
        struct cli_env env = { .home = t->dir }; /* no default config there */
        struct cli_settings s;
        struct error err = { 0 };

        assert_int_equal(cli_settings_load(&flags, &env, &s, &err), 0);
        assert_string_equal(s.token, TOKEN_A);
        assert_null(s.config_path);
        cli_settings_free(&s);
        free(tok);
}

static void test_load_refuses_shared_token_file(void **state) {
        struct tmp *t = *state;
        char *tok = write_file(t, "token", TOKEN_A "\n", 0644);
        struct cli_flags flags = { .url = "https://x" };
        struct cli_env env = { .home = t->dir, .token_file = tok };
        struct cli_settings s;
        struct error err = { 0 };

        assert_int_equal(cli_settings_load(&flags, &env, &s, &err), -1);
        assert_non_null(strstr(err.msg, tok));
        assert_non_null(strstr(err.msg, "chmod 600"));
        assert_null(s.token);
        free(tok);
}

static void test_load_missing_token_file(void **state) {
        struct tmp *t = *state;
        char *missing = str_printf("%s/nope", t->dir);
        struct cli_flags flags = { .url = "https://x", .token_file = missing };
        struct cli_env env = { .home = t->dir };
        struct cli_settings s;
        struct error err = { 0 };

        assert_int_equal(cli_settings_load(&flags, &env, &s, &err), -1);
        assert_non_null(strstr(err.msg, "token file"));
        assert_non_null(strstr(err.msg, missing));
        free(missing);
}

static void test_load_explicit_config_must_exist(void **state) {
        struct tmp *t = *state;
        char *missing = str_printf("%s/none.ini", t->dir);
        struct cli_flags flags = { .config = missing };
        struct cli_env env = { 0 };
        struct cli_settings s;
        struct error err = { 0 };

        assert_int_equal(cli_settings_load(&flags, &env, &s, &err), -1);
        assert_non_null(strstr(err.msg, missing));
        free(missing);
}

static void test_load_default_config_and_precedence(void **state) {
        struct tmp *t = *state;
        char *xdg = str_printf("%s/xdg", t->dir);
        char *cdir = str_printf("%s/xdg/cradle", t->dir);
        assert_int_equal(mkdir(xdg, 0700), 0);
        assert_int_equal(mkdir(cdir, 0700), 0);
        char *tok = write_file(t, "xdg/cradle/token", TOKEN_B, 0600);
        char *cfg = write_file(t, "xdg/cradle/config",
                               "[server]\nurl = https://file.example\ntoken_file = token\n", 0644);
        struct cli_flags flags = { 0 };
        struct cli_env env = { .xdg_config_home = xdg };
        struct cli_settings s;
        struct error err = { 0 };

        assert_int_equal(cli_settings_load(&flags, &env, &s, &err), 0);
        assert_string_equal(s.url, "https://file.example");
        assert_string_equal(s.config_path, cfg);
        assert_int_equal(s.token_source, CLI_TOKEN_CONFIG_FILE);
        assert_string_equal(s.token_file, tok); /* relative to the config's directory */
        assert_string_equal(s.token, TOKEN_B);
        cli_settings_free(&s);

        /* the environment wins over it, the flag over both */
        env.url = "https://env.example";
        env.token = TOKEN_A;
        assert_int_equal(cli_settings_load(&flags, &env, &s, &err), 0);
        assert_string_equal(s.url, "https://env.example");
        assert_string_equal(s.token, TOKEN_A);
        cli_settings_free(&s);
        flags.url = "https://flag.example";
        assert_int_equal(cli_settings_load(&flags, &env, &s, &err), 0);
        assert_string_equal(s.url, "https://flag.example");
        cli_settings_free(&s);

        free(tok);
        free(cfg);
        free(cdir);
        free(xdg);
}

static void test_load_bad_config_names_file_and_line(void **state) {
        struct tmp *t = *state;
        char *cfg = write_file(t, "bad.ini", "[server]\n\nurl = https://x\nverbose = yes\n", 0600);
        struct cli_flags flags = { .config = cfg };
        struct cli_env env = { 0 };
        struct cli_settings s;
        struct error err = { 0 };

        assert_int_equal(cli_settings_load(&flags, &env, &s, &err), -1);
        char *want = str_printf("%s:4:", cfg);
        assert_non_null(strstr(err.msg, want));
        assert_non_null(strstr(err.msg, "verbose"));
        free(want);
        free(cfg);
}

static void test_load_config_token_mode_checked_on_disk(void **state) {
        struct tmp *t = *state;
        char *cfg = write_file(t, "tok.ini", "[server]\ntoken = " TOKEN_A "\n", 0640);
        struct cli_flags flags = { .config = cfg };
        struct cli_env env = { 0 };
        struct cli_settings s;
        struct error err = { 0 };

        assert_int_equal(cli_settings_load(&flags, &env, &s, &err), -1);
        assert_non_null(strstr(err.msg, "0640"));
        assert_int_equal(chmod(cfg, 0600), 0);
        assert_int_equal(cli_settings_load(&flags, &env, &s, &err), 0);
        assert_int_equal(s.token_source, CLI_TOKEN_CONFIG);
        assert_string_equal(s.token, TOKEN_A);
        cli_settings_free(&s);
        free(cfg);
}

static void test_file_read_limits(void **state) {
        struct tmp *t = *state;
        char *big = write_file(t, "big", "0123456789", 0600);
        char *buf = NULL;
        size_t len = 0;
        mode_t mode = 0;
        struct error err = { 0 };

        assert_int_equal(cli_file_read("token file", big, 9, &buf, &len, &mode, &err), -1);
        assert_non_null(strstr(err.msg, "larger than 9 bytes"));
        assert_int_equal(cli_file_read("token file", big, 10, &buf, &len, &mode, &err), 0);
        assert_int_equal(len, 10);
        assert_string_equal(buf, "0123456789");
        assert_int_equal(mode & 07777, 0600);
        free(buf);
        /* a directory is not a token file */
        assert_int_equal(cli_file_read("token file", t->dir, 100, &buf, &len, &mode, &err), -1);
        assert_non_null(strstr(err.msg, "not a regular file"));
        free(big);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_flags_beat_env_and_file),
                cmocka_unit_test(test_env_beats_file),
                cmocka_unit_test(test_file_is_the_fallback),
                cmocka_unit_test(test_empty_env_counts_as_unset),
                cmocka_unit_test(test_token_source_order),
                cmocka_unit_test(test_nothing_set),
                cmocka_unit_test(test_default_config_path),
                cmocka_unit_test(test_config_parses_and_resolves_relative_paths),
                cmocka_unit_test(test_config_unknown_key_names_line),
                cmocka_unit_test(test_config_unknown_section_names_line),
                cmocka_unit_test(test_config_duplicate_key_refused),
                cmocka_unit_test(test_config_with_token_must_be_private),
                cmocka_unit_test(test_config_without_token_may_be_shared),
                cmocka_unit_test(test_config_token_and_token_file_conflict),
                cmocka_unit_test(test_token_file_shared_is_refused),
                cmocka_unit_test(test_token_file_private_is_read_and_trimmed),
                cmocka_unit_test(test_token_file_bad_contents),
                cmocka_unit_test(test_token_check),
                cmocka_unit_test_setup_teardown(test_load_reads_token_file, tmp_setup, tmp_teardown),
                cmocka_unit_test_setup_teardown(test_load_refuses_shared_token_file, tmp_setup, tmp_teardown),
                cmocka_unit_test_setup_teardown(test_load_missing_token_file, tmp_setup, tmp_teardown),
                cmocka_unit_test_setup_teardown(test_load_explicit_config_must_exist, tmp_setup, tmp_teardown),
                cmocka_unit_test_setup_teardown(test_load_default_config_and_precedence, tmp_setup, tmp_teardown),
                cmocka_unit_test_setup_teardown(test_load_bad_config_names_file_and_line, tmp_setup, tmp_teardown),
                cmocka_unit_test_setup_teardown(test_load_config_token_mode_checked_on_disk, tmp_setup, tmp_teardown),
                cmocka_unit_test_setup_teardown(test_file_read_limits, tmp_setup, tmp_teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

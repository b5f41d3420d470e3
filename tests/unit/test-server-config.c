/* SPDX-License-Identifier: Apache-2.0 */
/* cradled.conf: defaults, overrides, and every kind of bad value refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/cleanup.h"
#include "core/strutil.h"
#include "server-config.h"

static void test_defaults(void **state) {
        (void) state;
        struct server_config c;
        struct error err = {0};
        assert_int_equal(server_config_defaults(&c, &err), 0);
        assert_string_equal(c.listen, "127.0.0.1");
        assert_int_equal(c.port, 8443);
        assert_int_equal(c.threads, 4);
        assert_int_equal(c.max_connections, 512);
        assert_int_equal(c.max_connections_per_ip, 64);
        assert_int_equal(c.connection_timeout, 30);
        assert_int_equal(c.header_timeout, 10);
        assert_int_equal(c.min_body_rate, 1024);
        assert_int_equal(c.max_body, 1024 * 1024);
        assert_int_equal(c.shutdown_grace, 30);
        assert_string_equal(c.tls_cert, "tls/server.pem");
        assert_string_equal(c.tls_key, "tls/server.key");
        assert_string_equal(c.tls_ca, "tls/ca.pem");
        assert_string_equal(c.store_path, "cradle.db");
        assert_string_equal(c.log_level, "info");
        assert_string_equal(c.log_format, "auto");
        assert_int_equal(c.auth_max_failures, 5);
        assert_int_equal(c.auth_failure_window, 60);
        assert_int_equal(c.auth_max_lockout, 300);
        assert_int_equal(server_config_check(&c, &err), 0);
        server_config_free(&c);
}

static void test_empty_file_is_defaults(void **state) {
        (void) state;
        struct server_config c;
        struct error err = {0};
        assert_int_equal(server_config_parse("cradled.conf", "", 0, &c, &err), 0);
        assert_int_equal(c.port, 8443);
        server_config_free(&c);
}

static void test_values_override(void **state) {
        (void) state;
        const char *text =
                "[server]\n"
                "listen = ::\n"
                "port = 0\n"
                "threads = 16\n"
                "max_body = 64K\n"
                "connection_timeout = 2m\n"
                "max_connections_per_ip = 0\n"
                "[tls]\n"
                "cert = /etc/cradle/cert.pem\n"
                "[log]\n"
                "level = debug\n"
                "format = json\n"
                "[auth]\n"
                "max_lockout = 1h\n";
        struct server_config c;
        struct error err = {0};
        if (server_config_parse("cradled.conf", text, strlen(text), &c, &err) < 0)
                fail_msg("%s", err.msg);
        assert_string_equal(c.listen, "::");
        assert_int_equal(c.port, 0);
        assert_int_equal(c.threads, 16);
        assert_int_equal(c.max_body, 64 * 1024);
        assert_int_equal(c.connection_timeout, 120);
        assert_int_equal(c.max_connections_per_ip, 0);
        assert_string_equal(c.tls_cert, "/etc/cradle/cert.pem");
        assert_string_equal(c.tls_key, "tls/server.key");
        assert_string_equal(c.log_level, "debug");
        assert_int_equal(c.auth_max_lockout, 3600);
        server_config_free(&c);
}

static void test_bad_values_refused(void **state) {
        (void) state;
        static const struct {
                const char *text;
                const char *names;   /* substring the message must contain */
        } cases[] = {
                { "[server]\nport = 70000\n", "port" },
                { "[server]\nport = -1\n", "port" },
                { "[server]\nport = https\n", "port" },
                { "[server]\nthreads = 0\n", "threads" },
                { "[server]\nthreads = 1000\n", "threads" },
                { "[server]\nmax_body = 10\n", "max_body" },
                { "[server]\nmax_body = 1T\n", "max_body" },
                { "[server]\nmax_body = 1G\n", "max_body" },
                { "[server]\nconnection_timeout = 0\n", "connection_timeout" },
                { "[server]\nconnection_timeout = soon\n", "connection_timeout" },
                { "[server]\nheader_timeout = 0\n", "header_timeout" },
                { "[server]\nmin_body_rate = 2G\n", "min_body_rate" },
                { "[server]\nshutdown_grace = 2h\n", "shutdown_grace" },
                { "[server]\nlisten = localhost\n", "listen" },
                { "[server]\nlisten = 10.0.0.256\n", "listen" },
                { "[server]\nlisten =\n", "listen" },
                { "[server]\nporrt = 1\n", "porrt" },
                { "[serve]\nport = 1\n", "serve" },
                { "[server]\nport = 1\nport = 2\n", "port" },
                { "[log]\nlevel = loud\n", "level" },
                { "[log]\nformat = xml\n", "format" },
                { "[auth]\nmax_failures = 0\n", "max_failures" },
                { "[auth]\nfailure_window = 0\n", "failure_window" },
                { "[tls]\nkey =\n", "key" },
                { "[store]\npath =\n", "path" },
                { "port = 1\n", "port" },
                /* [cvd]: security.txt must follow RFC 9116 (fix/cvd) */
                { "[cvd]\nexpires = 2020-01-01T00:00:00Z\n", "[cvd] expires" },
                { "[cvd]\nexpires = 2999-01-01T00:00:00Z\n", "[cvd] expires" },
                { "[cvd]\ncontact = security@acme.example\n", "[cvd] contact" },
                { "[cvd]\nvalidity = 400d\n", "validity" },
                { "[cvd]\npolicy = http://acme.example/p\n", "[cvd] policy" },
                { "[cvd]\nbase_url = https://cvd.example/\n", "[cvd] base_url" },
                { "[cvd]\npreferred_languages = en;q=1\n", "[cvd] preferred_languages" },
                { "[cases]\nack_days = 0\n", "ack_days" },
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                struct server_config c;
                struct error err = {0};
                if (server_config_parse("cradled.conf", cases[i].text, strlen(cases[i].text), &c, &err) == 0)
                        fail_msg("accepted: %s", cases[i].text);
                assert_int_equal(err.kind, ERROR_INVALID);
                if (!strstr(err.msg, cases[i].names))
                        fail_msg("message '%s' for '%s' does not name '%s'", err.msg, cases[i].text,
                                 cases[i].names);
        }
}

static void test_defaults_text_documents_every_key(void **state) {
        (void) state;
        struct error err = {0};
        _cleanup_free_ char *text = server_config_defaults_text(&err);
        assert_non_null(text);
        size_t n;
        const struct config_key *schema = server_config_schema(&n);
        for (size_t i = 0; i < n; i++) {
                _cleanup_free_ char *key = str_printf("#%s = ", schema[i].key);
                _cleanup_free_ char *section = str_printf("[%s]", schema[i].section);
                assert_non_null(strstr(text, key));
                assert_non_null(strstr(text, section));
                assert_non_null(schema[i].doc);
        }
        /* As printed (all commented out) it is a valid, default configuration. */
        struct server_config c;
        assert_int_equal(server_config_parse("defaults", text, strlen(text), &c, &err), 0);
        assert_int_equal(c.port, 8443);
        server_config_free(&c);
}

static void test_init_text_sets_every_key(void **state) {
        (void) state;
        struct error err = {0};
        _cleanup_free_ char *text = server_config_text("0.0.0.0", 18443, &err);
        if (!text)
                fail_msg("%s", err.msg);
        assert_non_null(strstr(text, "\nlisten = 0.0.0.0\n"));
        assert_non_null(strstr(text, "\nport = 18443\n"));
        assert_non_null(strstr(text, "\nconnection_timeout = 30\n"));
        assert_non_null(strstr(text, "\nmax_connections_per_ip = 64\n"));
        assert_non_null(strstr(text, "\ncert = tls/server.pem\n"));
        /* init makes a KEK file and points [kek] ref at it (issue 11 section 6) */
        assert_non_null(strstr(text, "\n[kek]\n"));
        assert_non_null(strstr(text, "\nref = " SERVER_INIT_KEK_FILE "\n"));
        struct server_config c;
        assert_int_equal(server_config_parse("cradled.conf", text, strlen(text), &c, &err), 0);
        assert_string_equal(c.listen, "0.0.0.0");
        assert_int_equal(c.port, 18443);
        server_config_free(&c);

        _cleanup_free_ char *plain = server_config_text(NULL, -1, &err);
        assert_non_null(plain);
        assert_non_null(strstr(plain, "\nlisten = 127.0.0.1\n"));
        assert_non_null(strstr(plain, "\nport = 8443\n"));
}

static void test_listen_literals(void **state) {
        (void) state;
        bool v6;
        assert_int_equal(server_config_parse_listen("127.0.0.1", &v6, NULL), 0);
        assert_false(v6);
        assert_int_equal(server_config_parse_listen("::1", &v6, NULL), 0);
        assert_true(v6);
        assert_int_equal(server_config_parse_listen("fe80::1%eth0", &v6, NULL), -1);
        assert_int_equal(server_config_parse_listen("example.com", &v6, NULL), -1);
        assert_int_equal(server_config_parse_listen("", &v6, NULL), -1);
}

static void test_paths_relative_to_data_dir(void **state) {
        (void) state;
        _cleanup_free_ char *a = server_config_path("/srv/cradle", "tls/ca.pem");
        _cleanup_free_ char *b = server_config_path("/srv/cradle", "/etc/ca.pem");
        assert_string_equal(a, "/srv/cradle/tls/ca.pem");
        assert_string_equal(b, "/etc/ca.pem");
}

/* [identity]: certificate lifetimes, the claim limiter, and the CRL URL
 * written into every device certificate. */
static void test_identity_section(void **state) {
        (void) state;
        struct server_config c;
        struct error err = {0};
        assert_int_equal(server_config_defaults(&c, &err), 0);
        assert_string_equal(c.crl_base_url, "");
        assert_int_equal(c.birth_days, 7300);
        assert_int_equal(c.operational_days, 365);
        assert_int_equal(c.claim_max_failures, 5);
        assert_int_equal(c.claim_failure_window, 3600);
        assert_int_equal(c.claim_max_lockout, 3600);
        /* Empty: derived from where the server listens. */
        _cleanup_free_ char *url = server_config_crl_base_url(&c, 8443);
        assert_string_equal(url, "https://127.0.0.1:8443/pki/crl");
        free(c.listen);
        c.listen = str_dup("::1");
        _cleanup_free_ char *url6 = server_config_crl_base_url(&c, 9000);
        assert_string_equal(url6, "https://[::1]:9000/pki/crl");
        server_config_free(&c);

        const char *text = "[identity]\ncrl_base_url = https://pki.acme.example/crl//\nbirth_days = 9000\n"
                           "claim_max_failures = 3\nclaim_failure_window = 10m\n";
        assert_int_equal(server_config_parse("cradled.conf", text, strlen(text), &c, &err), 0);
        _cleanup_free_ char *configured = server_config_crl_base_url(&c, 1);
        assert_string_equal(configured, "https://pki.acme.example/crl");
        assert_int_equal(c.birth_days, 9000);
        assert_int_equal(c.claim_max_failures, 3);
        assert_int_equal(c.claim_failure_window, 600);
        server_config_free(&c);

        const struct { const char *text; const char *words; } bad[] = {
                { "[identity]\ncrl_base_url = ftp://x/crl\n", "not an http:// or https:// URL" },
                { "[identity]\ncrl_base_url = pki.acme.example\n", "not an http:// or https:// URL" },
                { "[identity]\ncrl_base_url = https:///crl\n", "has no host" },
                { "[identity]\ncrl_base_url = https://x/crl?a=b\n", "query" },
                { "[identity]\ncrl_base_url = https://x/a b\n", "blanks" },
                { "[identity]\nbirth_days = 0\n", "birth_days" },
                { "[identity]\noperational_days = 4000\n", "operational_days" },
                { "[identity]\nclaim_max_failures = 0\n", "claim_max_failures" },
        };
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                error_clear(&err);
                if (server_config_parse("cradled.conf", bad[i].text, strlen(bad[i].text), &c, &err) == 0)
                        fail_msg("accepted: %s", bad[i].text);
                if (!strstr(err.msg, bad[i].words))
                        fail_msg("'%s' does not say '%s'", err.msg, bad[i].words);
        }
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_defaults),
                cmocka_unit_test(test_empty_file_is_defaults),
                cmocka_unit_test(test_values_override),
                cmocka_unit_test(test_bad_values_refused),
                cmocka_unit_test(test_defaults_text_documents_every_key),
                cmocka_unit_test(test_init_text_sets_every_key),
                cmocka_unit_test(test_listen_literals),
                cmocka_unit_test(test_paths_relative_to_data_dir),
                cmocka_unit_test(test_identity_section),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

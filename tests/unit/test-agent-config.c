/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The agent's INI configuration: defaults, required keys, each backend's own
 * keys, values that are wrong, and the serial taken from the device
 * certificate's subject serialNumber when the file does not give one.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/wait.h>

#include <cmocka.h>

#include "agent/backoff.h"
#include "agent/config.h"
#include "testutil-agent.h"

#define BASE                                                                                  \
        "[server]\nurl = https://updates.example:8443/\n"                                     \
        "[identity]\ncert = /etc/cradle/device.pem\nkey = pkcs11:token=dev;object=id\n"       \
        "[product]\nmodel = T1-EU\nhardware_revision = r2\nserial = SN-0001\n"               \
        "[trust]\nimage_root = /etc/cradle/image-root.json\n"                                 \
        "director_root = /etc/cradle/director-root.json\n"                                    \
        "[state]\ndir = /var/lib/cradle-agent\n"

static int parse(const char *text, struct agent_config *cfg, struct error *err) {
        return agent_config_parse("agent.conf", text, strlen(text), cfg, err);
}

static void defaults(void **state) {
        struct agent_config cfg;
        struct error err = { 0 };
        (void) state;

        assert_ok(parse(BASE "[ab-dir]\ndir = /var/lib/slots\n", &cfg, &err), err);
        assert_string_equal(cfg.server_url, "https://updates.example:8443");
        assert_string_equal(cfg.identity_key, "pkcs11:token=dev;object=id");
        assert_string_equal(cfg.serial, "SN-0001");
        assert_int_equal(cfg.poll_interval, 300);
        assert_true(cfg.poll_jitter > 0.19 && cfg.poll_jitter < 0.21);
        assert_int_equal(cfg.backoff_max, 6 * 3600);
        assert_int_equal(cfg.backend, AGENT_BACKEND_ABDIR);
        assert_int_equal(cfg.health_timeout, 120);
        assert_int_equal(cfg.max_boot_attempts, 3);
        assert_int_equal(cfg.low_speed_time, 60);
        assert_int_equal(cfg.max_image_size, 4ULL * 1024 * 1024 * 1024);
        assert_string_equal(cfg.boot_id_file, "/proc/sys/kernel/random/boot_id");
        agent_config_free(&cfg);
}

static void every_key(void **state) {
        struct agent_config cfg;
        struct error err = { 0 };
        (void) state;

        assert_ok(parse(BASE "[poll]\ninterval = 1h\njitter = 0.5\nbackoff_min = 10s\nbackoff_max = 2h\n"
                             "[download]\nmax_image_size = 512M\nlow_speed_limit = 100\nlow_speed_time = 30s\n"
                             "timeout = 2h\nconnect_timeout = 5\n"
                             "[install]\nbackend = uboot\n"
                             "[uboot]\nconfig = /etc/fw_env.config\ndevice_a = /dev/mmcblk0p2\n"
                             "device_b = /dev/mmcblk0p3\nbootlimit = 5\n"
                             "[health]\ncommand = /usr/bin/health --quick\ntimeout = 30s\nmax_boot_attempts = 2\n"
                             "[log]\nlevel = debug\n",
                        &cfg, &err),
                  err);
        assert_int_equal(cfg.poll_interval, 3600);
        assert_int_equal(cfg.backoff_min, 10);
        assert_int_equal(cfg.max_image_size, 512ULL * 1024 * 1024);
        assert_int_equal(cfg.backend, AGENT_BACKEND_UBOOT);
        assert_string_equal(cfg.uboot_slot_var, "boot_slot");
        assert_int_equal(cfg.uboot_bootlimit, 5);
        assert_string_equal(cfg.health_command, "/usr/bin/health --quick");
        assert_int_equal(cfg.max_boot_attempts, 2);
        agent_config_free(&cfg);
}

static void refused(const char *text, const char *msg) {
        struct agent_config cfg;
        struct error err = { 0 };

        if (parse(text, &cfg, &err) == 0) {
                agent_config_free(&cfg);
                fail_msg("accepted: %s", text);
        }
        if (!strstr(err.msg, msg))
                fail_msg("error \"%s\" does not contain \"%s\"", err.msg, msg);
}

static void wrong_configurations(void **state) {
        (void) state;
        refused("[server]\nurl = https://x\n", "[identity] cert: required");
        refused(BASE "[ab-dir]\ndir = /x\n[server]\nca = /x\n", "");
        refused(BASE "[ab-dir]\ndir = /x\n[poll]\njitter = 1.5\n", "[poll] jitter");
        refused(BASE "[ab-dir]\ndir = /x\n[poll]\njitter = lots\n", "[poll] jitter");
        refused(BASE "[ab-dir]\ndir = /x\n[poll]\ninterval = 0\n", "interval");
        refused(BASE "[ab-dir]\ndir = /x\n[poll]\nbackoff_min = 2h\nbackoff_max = 1h\n", "backoff_min is larger");
        refused(BASE "[ab-dir]\ndir = /x\n[install]\nbackend = floppy\n", "[install] backend: 'floppy'");
        refused(BASE, "[ab-dir] dir (backend ab-dir): required");
        refused(BASE "[install]\nbackend = uboot\n", "[uboot] device_a");
        refused(BASE "[install]\nbackend = uboot\n[uboot]\ndevice_a = /a\ndevice_b = /b\nslot_b = A\n",
                "slot_a and slot_b are the same");
        refused(BASE "[install]\nbackend = script\n[script]\ninstall = /i\n", "[script] activate");
        refused(BASE "[ab-dir]\ndir = /x\n[health]\nmax_boot_attempts = 0\n", "max_boot_attempts");
        refused(BASE "[ab-dir]\ndir = /x\n[health]\ntimout = 5\n", "timout");
        refused(BASE "[ab-dir]\ndir = /x\n[helth]\n", "helth");
        refused(BASE "[ab-dir]\ndir = /x\n[log]\nlevel = loud\n", "[log] level");
        refused("[server]\nurl = ftp://x\n[identity]\ncert = /c\nkey = /k\n[product]\nmodel = M\n"
                "hardware_revision = r\nserial = s\n[trust]\nimage_root = /i\ndirector_root = /d\n"
                "[ab-dir]\ndir = /x\n",
                "is not an https:// URL");
        refused("[server]\nurl = https://x\n[identity]\ncert = /c\nkey = /k\n[product]\nmodel = ../etc\n"
                "hardware_revision = r\nserial = s\n[trust]\nimage_root = /i\ndirector_root = /d\n"
                "[ab-dir]\ndir = /x\n",
                "[product] model");
}

static int run_openssl(const char *dir, const char *subj) {
        _cleanup_free_ char *key = path_join(dir, "dev.key"), *crt = path_join(dir, "dev.pem");
        pid_t pid = fork();
        int status = 0;

        if (pid == 0) {
                int null = open("/dev/null", O_WRONLY);
                dup2(null, 1);
                dup2(null, 2);
                execlp("openssl", "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                       "ec_paramgen_curve:P-256", "-nodes", "-keyout", key, "-out", crt, "-days", "1", "-subj",
                       subj, (char *) NULL);
                _exit(127);
        }
        waitpid(pid, &status, 0);
        return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void serial_from_certificate(void **state) {
        _cleanup_free_ char *dir = tu_tmpdir("agent-config");
        _cleanup_free_ char *text = NULL;
        struct agent_config cfg;
        struct error err = { 0 };
        (void) state;

        if (run_openssl(dir, "/serialNumber=T1-000042/CN=T1-000042") != 0) {
                tu_rmtree(dir);
                skip();
        }
        text = str_printf("[server]\nurl = https://x\n[identity]\ncert = %s/dev.pem\nkey = %s/dev.key\n"
                          "[product]\nmodel = T1-EU\nhardware_revision = r2\n[trust]\nimage_root = /i\n"
                          "director_root = /d\n[state]\ndir = /s\n[ab-dir]\ndir = /x\n",
                          dir, dir);
        assert_ok(parse(text, &cfg, &err), err);
        assert_string_equal(cfg.serial, "T1-000042");
        agent_config_free(&cfg);

        /* Without a serialNumber and without [product] serial: refused. */
        assert_int_equal(run_openssl(dir, "/CN=nobody"), 0);
        assert_int_equal(parse(text, &cfg, &err), -1);
        assert_error_contains(err, "has no subject serialNumber");
        tu_rmtree(dir);
}

static void help_config_documents_every_section(void **state) {
        size_t n;
        const struct config_key *schema = agent_config_schema(&n);
        _cleanup_free_ char *out = NULL;
        (void) state;

        assert_int_equal(config_write_defaults(schema, n, &out), 0);
        for (size_t i = 0; i < n; i++) {
                assert_non_null(schema[i].doc);
                assert_true(strlen(schema[i].doc) > 10);
        }
        static const char *sections[] = { "[server]", "[identity]", "[product]", "[trust]", "[state]", "[poll]",
                                          "[download]", "[install]", "[ab-dir]", "[uboot]", "[script]", "[rauc]",
                                          "[health]", "[log]" };
        for (size_t i = 0; i < ELEMENTSOF(sections); i++)
                if (!strstr(out, sections[i]))
                        fail_msg("--help-config lacks %s", sections[i]);
}

static void backoff_doubles_to_the_cap_with_jitter(void **state) {
        struct agent_config cfg;
        struct error err = { 0 };
        int64_t prev = 0;
        (void) state;

        assert_ok(parse(BASE "[ab-dir]\ndir = /x\n", &cfg, &err), err);
        /* No jitter: the exact sequence. */
        cfg.poll_jitter = 0;
        assert_int_equal(agent_backoff_delay(&cfg, 0, 0.5), 300);
        assert_int_equal(agent_backoff_delay(&cfg, 1, 0.5), 30);
        assert_int_equal(agent_backoff_delay(&cfg, 2, 0.5), 60);
        assert_int_equal(agent_backoff_delay(&cfg, 3, 0.5), 120);
        for (unsigned n = 1; n < 100; n++) {
                int64_t d = agent_backoff_delay(&cfg, n, 0.5);
                assert_true(d >= prev);
                assert_true(d <= 6 * 3600);
                prev = d;
        }
        assert_int_equal(prev, 6 * 3600);
        /* Jitter 0.2: within 80%..120%, never below one second. */
        cfg.poll_jitter = 0.2;
        assert_int_equal(agent_backoff_delay(&cfg, 0, 0.0), 240);
        assert_int_equal(agent_backoff_delay(&cfg, 0, 0.999999), 359);
        cfg.backoff_min = 1;
        cfg.poll_jitter = 0.99;
        assert_true(agent_backoff_delay(&cfg, 1, 0.0) >= 1);
        agent_config_free(&cfg);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(defaults),
                cmocka_unit_test(every_key),
                cmocka_unit_test(wrong_configurations),
                cmocka_unit_test(serial_from_certificate),
                cmocka_unit_test(help_config_documents_every_section),
                cmocka_unit_test(backoff_doubles_to_the_cap_with_jitter),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

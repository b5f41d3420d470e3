/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The uboot backend against a file-backed U-Boot environment (fw_env.config
 * pointing at a regular file), with U-Boot's side played by the test: at
 * each boot, when upgrade_available=1, bootcount is incremented and, past
 * bootlimit, altbootcmd switches the slot back and clears upgrade_available.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <libuboot.h>

#include "agent/backend.h"
#include "crypto/encoding.h"
#include "crypto/hash.h"
#include "testutil-agent.h"

#define ENV_SIZE 0x4000

struct fixture {
        char *dir, *envfile, *fwcfg, *image;
        struct agent_config cfg;
        struct agent_backend *b;
        struct agent_image img;
};

static uint32_t crc32_le(const uint8_t *p, size_t n) {
        uint32_t c = 0xffffffffu;
        for (size_t i = 0; i < n; i++) {
                c ^= p[i];
                for (int k = 0; k < 8; k++)
                        c = (c >> 1) ^ (0xedb88320u & (uint32_t) -(int32_t) (c & 1));
        }
        return ~c;
}

/* A valid single-copy environment holding `vars` ("a=1\0b=2\0"). */
static void write_env(const char *path, const char *vars, size_t len) {
        uint8_t *buf = xcalloc(1, ENV_SIZE);
        uint32_t crc;
        int fd;

        memcpy(buf + 4, vars, len);
        crc = crc32_le(buf + 4, ENV_SIZE - 4);
        memcpy(buf, &crc, 4); /* little-endian host */
        fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        assert_true(fd >= 0);
        assert_int_equal(write(fd, buf, ENV_SIZE), ENV_SIZE);
        close(fd);
        free(buf);
}

static char *env_get(struct fixture *f, const char *name) {
        struct uboot_ctx *ctx = NULL;
        char *v;
        assert_int_equal(libuboot_initialize(&ctx, NULL), 0);
        assert_int_equal(libuboot_read_config(ctx, f->fwcfg), 0);
        assert_int_equal(libuboot_open(ctx), 0);
        v = libuboot_get_env(ctx, name);
        libuboot_close(ctx);
        libuboot_exit(ctx);
        return v;
}

/* U-Boot's part of a boot (bootcount + altbootcmd). Returns the slot. */
static char *uboot_boot(struct fixture *f) {
        struct uboot_ctx *ctx = NULL;
        char *slot;
        assert_int_equal(libuboot_initialize(&ctx, NULL), 0);
        assert_int_equal(libuboot_read_config(ctx, f->fwcfg), 0);
        assert_int_equal(libuboot_open(ctx), 0);
        _cleanup_free_ char *upgrade = libuboot_get_env(ctx, "upgrade_available");
        if (upgrade && strcmp(upgrade, "1") == 0) {
                _cleanup_free_ char *count = libuboot_get_env(ctx, "bootcount");
                _cleanup_free_ char *limit = libuboot_get_env(ctx, "bootlimit");
                int n = (count ? atoi(count) : 0) + 1;
                char buf[16];
                snprintf(buf, sizeof(buf), "%d", n);
                libuboot_set_env(ctx, "bootcount", buf);
                if (limit && n > atoi(limit)) {
                        /* altbootcmd */
                        _cleanup_free_ char *cur = libuboot_get_env(ctx, "boot_slot");
                        libuboot_set_env(ctx, "boot_slot", cur && strcmp(cur, "B") == 0 ? "A" : "B");
                        libuboot_set_env(ctx, "upgrade_available", "0");
                }
                assert_int_equal(libuboot_env_store(ctx), 0);
        }
        slot = libuboot_get_env(ctx, "boot_slot");
        libuboot_close(ctx);
        libuboot_exit(ctx);
        return slot;
}

static int setup(void **state) {
        struct fixture *f = xcalloc(1, sizeof(*f));
        struct error err = { 0 };
        static const char vars[] = "bootcmd=run boot_${boot_slot}\0boot_slot=A\0";
        _cleanup_free_ char *line = NULL;
        const char *content = "firmware 2.0.0 for slot B";
        uint8_t sha[SHA256_LEN];

        f->dir = tu_tmpdir("agent-uboot");
        f->envfile = path_join(f->dir, "uboot.env");
        f->fwcfg = path_join(f->dir, "fw_env.config");
        f->image = path_join(f->dir, "download.part");
        write_env(f->envfile, vars, sizeof(vars));
        line = str_printf("%s 0x0 0x%x\n", f->envfile, ENV_SIZE);
        tu_write_str(f->dir, "fw_env.config", line);
        tu_write_str(f->dir, "partA", "firmware 1.0.0");
        tu_write_str(f->dir, "partB", "old junk in B, longer than the new image itself");
        tu_write_str(f->dir, "download.part", content);

        f->cfg.backend = AGENT_BACKEND_UBOOT;
        f->cfg.uboot_config = f->fwcfg;
        f->cfg.uboot_slot_var = "boot_slot";
        f->cfg.uboot_slot_a = "A";
        f->cfg.uboot_slot_b = "B";
        f->cfg.uboot_device_a = path_join(f->dir, "partA");
        f->cfg.uboot_device_b = path_join(f->dir, "partB");
        f->cfg.uboot_bootlimit = 2;
        hash_sha256(content, strlen(content), sha);
        snprintf(f->img.version, sizeof(f->img.version), "2.0.0");
        f->img.length = (int64_t) strlen(content);
        hex_encode(sha, SHA256_LEN, f->img.sha256);
        if (agent_backend_open(&f->cfg, &f->b, &err) < 0)
                fail_msg("%s", err.msg);
        *state = f;
        return 0;
}

static int teardown(void **state) {
        struct fixture *f = *state;
        agent_backend_free(f->b);
        tu_rmtree(f->dir);
        free(f->dir);
        free(f->envfile);
        free(f->fwcfg);
        free(f->image);
        free(f->cfg.uboot_device_a);
        free(f->cfg.uboot_device_b);
        free(f);
        return 0;
}

static enum agent_boot_state boot_state(struct fixture *f, char *why, size_t size) {
        struct error err = { 0 };
        enum agent_boot_state bs;
        assert_ok(f->b->ops->boot_state(f->b, &bs, why, size, &err), err);
        return bs;
}

static void assert_env(struct fixture *f, const char *name, const char *want) {
        _cleanup_free_ char *v = env_get(f, name);
        if (!want)
                assert_null(v);
        else if (!v || strcmp(v, want) != 0)
                fail_msg("%s=%s, expected %s", name, v ? v : "(unset)", want);
}

static void install_writes_the_inactive_device(void **state) {
        struct fixture *f = *state;
        struct error err = { 0 };
        _cleanup_free_ char *a = NULL, *b = NULL;

        assert_ok(f->b->ops->install(f->b, f->image, &f->img, &err), err);
        a = tu_read(f->dir, "partA", NULL);
        b = tu_read(f->dir, "partB", NULL);
        assert_string_equal(a, "firmware 1.0.0");
        assert_string_equal(b, "firmware 2.0.0 for slot B");
        assert_env(f, "boot_slot", "A");
        assert_env(f, "upgrade_available", NULL);
}

static void activate_trial_confirm(void **state) {
        struct fixture *f = *state;
        struct error err = { 0 };
        char why[256];

        assert_ok(f->b->ops->install(f->b, f->image, &f->img, &err), err);
        assert_ok(f->b->ops->activate(f->b, &f->img, &err), err);
        assert_env(f, "boot_slot", "B");
        assert_env(f, "upgrade_available", "1");
        assert_env(f, "bootcount", "0");
        assert_env(f, "bootlimit", "2");
        /* Activating again (after a crash) changes nothing. */
        assert_ok(f->b->ops->activate(f->b, &f->img, &err), err);
        assert_env(f, "boot_slot", "B");

        _cleanup_free_ char *slot = uboot_boot(f);
        assert_string_equal(slot, "B");
        assert_int_equal(boot_state(f, why, sizeof(why)), AGENT_BOOT_TRIAL);
        assert_ok(f->b->ops->confirm(f->b, &f->img, &err), err);
        assert_env(f, "boot_slot", "B");
        assert_env(f, "upgrade_available", "0");
        assert_env(f, "bootcount", "0");
        assert_env(f, "cradle_trial_slot", NULL);
        assert_int_equal(boot_state(f, why, sizeof(why)), AGENT_BOOT_NORMAL);
        {
                _cleanup_free_ char *again = uboot_boot(f);
                assert_string_equal(again, "B");
        }
}

static void bootlimit_exceeded_falls_back(void **state) {
        struct fixture *f = *state;
        struct error err = { 0 };
        char why[256];

        assert_ok(f->b->ops->install(f->b, f->image, &f->img, &err), err);
        assert_ok(f->b->ops->activate(f->b, &f->img, &err), err);
        for (int i = 0; i < 2; i++) {
                _cleanup_free_ char *s = uboot_boot(f);
                assert_string_equal(s, "B");
        }
        {
                _cleanup_free_ char *s = uboot_boot(f);
                assert_string_equal(s, "A");
        }
        assert_int_equal(boot_state(f, why, sizeof(why)), AGENT_BOOT_FELL_BACK);
        assert_non_null(strstr(why, "fell back"));
        assert_ok(f->b->ops->rollback(f->b, &f->img, "fell back", &err), err);
        /* altbootcmd switched already: the rollback keeps A. */
        assert_env(f, "boot_slot", "A");
        assert_env(f, "cradle_trial_slot", NULL);
        assert_int_equal(boot_state(f, why, sizeof(why)), AGENT_BOOT_NORMAL);
}

static void rollback_during_trial_switches_back(void **state) {
        struct fixture *f = *state;
        struct error err = { 0 };

        assert_ok(f->b->ops->install(f->b, f->image, &f->img, &err), err);
        assert_ok(f->b->ops->activate(f->b, &f->img, &err), err);
        free(uboot_boot(f));
        assert_ok(f->b->ops->rollback(f->b, &f->img, "health check failed", &err), err);
        assert_env(f, "boot_slot", "A");
        assert_env(f, "upgrade_available", "0");
        {
                _cleanup_free_ char *s = uboot_boot(f);
                assert_string_equal(s, "A");
        }
}

static void corrupt_environment_is_refused_and_left_alone(void **state) {
        struct fixture *f = *state;
        struct error err = { 0 };
        struct agent_backend *b = NULL;
        _cleanup_free_ char *before = NULL, *after = NULL;
        size_t l1 = 0, l2 = 0;

        /* Flip a byte of the data: the CRC no longer matches. */
        {
                int fd = open(f->envfile, O_RDWR);
                char c = 'X';
                assert_int_equal(pwrite(fd, &c, 1, 10), 1);
                close(fd);
        }
        before = tu_read(f->dir, "uboot.env", &l1);
        assert_int_equal(agent_backend_open(&f->cfg, &b, &err), -1);
        assert_error_contains(err, "bad CRC");
        assert_int_equal(f->b->ops->activate(f->b, &f->img, &err), -1);
        after = tu_read(f->dir, "uboot.env", &l2);
        assert_int_equal(l1, l2);
        assert_memory_equal(before, after, l1);
}

static void wrong_slot_value_is_refused(void **state) {
        struct fixture *f = *state;
        struct error err = { 0 };
        static const char vars[] = "boot_slot=C\0";

        write_env(f->envfile, vars, sizeof(vars));
        assert_int_equal(f->b->ops->install(f->b, f->image, &f->img, &err), -1);
        assert_error_contains(err, "neither 'A' nor 'B'");
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(install_writes_the_inactive_device, setup, teardown),
                cmocka_unit_test_setup_teardown(activate_trial_confirm, setup, teardown),
                cmocka_unit_test_setup_teardown(bootlimit_exceeded_falls_back, setup, teardown),
                cmocka_unit_test_setup_teardown(rollback_during_trial_switches_back, setup, teardown),
                cmocka_unit_test_setup_teardown(corrupt_environment_is_refused_and_left_alone, setup, teardown),
                cmocka_unit_test_setup_teardown(wrong_slot_value_is_refused, setup, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

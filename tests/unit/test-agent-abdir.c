/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The ab-dir backend and its simulated bootloader: install writes only the
 * inactive slot and checks it, activate makes it pending, `boot` tries the
 * pending slot max_boot_attempts times and then falls back to the active
 * one, confirm makes the trial slot active, rollback drops it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "agent/backend-abdir.h"
#include "agent/backend.h"
#include "crypto/encoding.h"
#include "crypto/hash.h"
#include "testutil-agent.h"

struct fixture {
        char *dir, *slots;
        struct agent_config cfg;
        struct agent_backend *b;
        struct agent_image img;
        char *image_path;
};

static void make_image(struct fixture *f, const char *content) {
        uint8_t sha[SHA256_LEN];
        hash_sha256(content, strlen(content), sha);
        memset(&f->img, 0, sizeof(f->img));
        snprintf(f->img.version, sizeof(f->img.version), "2.0.0");
        f->img.security_version = 5;
        snprintf(f->img.path, sizeof(f->img.path), "2.0.0/rootfs.img");
        f->img.length = (int64_t) strlen(content);
        hex_encode(sha, SHA256_LEN, f->img.sha256);
        tu_write_str(f->dir, "download.part", content);
}

static int setup(void **state) {
        struct fixture *f = xcalloc(1, sizeof(*f));
        struct error err = { 0 };

        f->dir = tu_tmpdir("agent-abdir");
        f->slots = path_join(f->dir, "slots");
        f->image_path = path_join(f->dir, "download.part");
        f->cfg.abdir_dir = f->slots;
        f->cfg.max_boot_attempts = 3;
        f->cfg.backend = AGENT_BACKEND_ABDIR;
        if (agent_backend_open(&f->cfg, &f->b, &err) < 0)
                fail_msg("%s", err.msg);
        tu_write_str(f->slots, "slotA", "factory image 1.0.0");
        make_image(f, "new image 2.0.0");
        *state = f;
        return 0;
}

static int teardown(void **state) {
        struct fixture *f = *state;
        agent_backend_free(f->b);
        tu_rmtree(f->dir);
        free(f->dir);
        free(f->slots);
        free(f->image_path);
        free(f);
        return 0;
}

static void status(struct fixture *f, struct agent_abdir_status *st) {
        struct error err = { 0 };
        assert_ok(agent_abdir_read(f->slots, st, &err), err);
}

static char boot(struct fixture *f) {
        struct error err = { 0 };
        char booted = 0;
        assert_ok(agent_abdir_boot(f->slots, f->cfg.max_boot_attempts, &booted, &err), err);
        return booted;
}

static enum agent_boot_state boot_state(struct fixture *f, char *why, size_t size) {
        struct error err = { 0 };
        enum agent_boot_state bs;
        assert_ok(f->b->ops->boot_state(f->b, &bs, why, size, &err), err);
        return bs;
}

static void fresh_device_boots_slot_a(void **state) {
        struct fixture *f = *state;
        struct agent_abdir_status st;
        char why[256];

        assert_int_equal(boot(f), 'A');
        status(f, &st);
        assert_int_equal(st.active, 'A');
        assert_int_equal(st.pending, 0);
        assert_int_equal(boot_state(f, why, sizeof(why)), AGENT_BOOT_NORMAL);
}

static void install_writes_only_the_inactive_slot(void **state) {
        struct fixture *f = *state;
        struct error err = { 0 };
        _cleanup_free_ char *a = NULL, *b = NULL;

        assert_ok(f->b->ops->install(f->b, f->image_path, &f->img, &err), err);
        a = tu_read(f->slots, "slotA", NULL);
        b = tu_read(f->slots, "slotB", NULL);
        assert_string_equal(a, "factory image 1.0.0");
        assert_string_equal(b, "new image 2.0.0");
        assert_false(tu_exists(f->slots, "pending"));
        assert_false(tu_exists(f->slots, "slotB.tmp"));
}

static void install_refuses_an_image_that_does_not_match(void **state) {
        struct fixture *f = *state;
        struct error err = { 0 };

        tu_write_str(f->dir, "download.part", "new image 2.0.X"); /* same length, other bytes */
        assert_int_equal(f->b->ops->install(f->b, f->image_path, &f->img, &err), -1);
        assert_error_contains(err, "SHA-256");
        assert_false(tu_exists(f->slots, "slotB"));
        assert_false(tu_exists(f->slots, "slotB.tmp"));

        error_clear(&err);
        tu_write_str(f->dir, "download.part", "new image 2.0.0 and more");
        assert_int_equal(f->b->ops->install(f->b, f->image_path, &f->img, &err), -1);
        assert_error_contains(err, "longer than the target");
        assert_false(tu_exists(f->slots, "slotB"));
}

static void trial_then_confirm(void **state) {
        struct fixture *f = *state;
        struct error err = { 0 };
        struct agent_abdir_status st;
        char why[256], id1[64], id2[64];

        assert_ok(f->b->ops->install(f->b, f->image_path, &f->img, &err), err);
        assert_ok(f->b->ops->activate(f->b, &f->img, &err), err);
        status(f, &st);
        assert_int_equal(st.pending, 'B');
        assert_int_equal(boot_state(f, why, sizeof(why)), AGENT_BOOT_NOT_REBOOTED);
        assert_ok(agent_backend_boot_id(f->b, id1, sizeof(id1), &err), err);

        assert_int_equal(boot(f), 'B');
        assert_ok(agent_backend_boot_id(f->b, id2, sizeof(id2), &err), err);
        assert_string_not_equal(id1, id2);
        status(f, &st);
        assert_int_equal(st.boot_count, 1);
        assert_int_equal(boot_state(f, why, sizeof(why)), AGENT_BOOT_TRIAL);

        assert_ok(f->b->ops->confirm(f->b, &f->img, &err), err);
        status(f, &st);
        assert_int_equal(st.active, 'B');
        assert_int_equal(st.pending, 0);
        assert_int_equal(st.boot_count, 0);
        assert_int_equal(boot_state(f, why, sizeof(why)), AGENT_BOOT_NORMAL);
        /* From now on B boots, and the next install goes to A. */
        assert_int_equal(boot(f), 'B');
        make_image(f, "third image");
        assert_ok(f->b->ops->install(f->b, f->image_path, &f->img, &err), err);
        {
                _cleanup_free_ char *a = tu_read(f->slots, "slotA", NULL);
                assert_string_equal(a, "third image");
        }
}

static void boot_count_exhausted_falls_back(void **state) {
        struct fixture *f = *state;
        struct error err = { 0 };
        struct agent_abdir_status st;
        char why[256];

        assert_ok(f->b->ops->install(f->b, f->image_path, &f->img, &err), err);
        assert_ok(f->b->ops->activate(f->b, &f->img, &err), err);
        for (int i = 1; i <= 3; i++) {
                assert_int_equal(boot(f), 'B');
                status(f, &st);
                assert_int_equal(st.boot_count, i);
        }
        /* The fourth boot: the bootloader gives up on B. */
        assert_int_equal(boot(f), 'A');
        status(f, &st);
        assert_int_equal(st.pending, 0);
        assert_int_equal(st.active, 'A');
        assert_int_equal(boot_state(f, why, sizeof(why)), AGENT_BOOT_FELL_BACK);
        assert_non_null(strstr(why, "did not confirm within 3 boots"));
        /* Confirming is impossible now; rollback clears the fallback. */
        assert_int_equal(f->b->ops->confirm(f->b, &f->img, &err), -1);
        assert_ok(f->b->ops->rollback(f->b, &f->img, "fell back", &err), err);
        assert_int_equal(boot_state(f, why, sizeof(why)), AGENT_BOOT_NORMAL);
        assert_int_equal(boot(f), 'A');
}

static void rollback_during_trial_returns_to_active_at_next_boot(void **state) {
        struct fixture *f = *state;
        struct error err = { 0 };
        char why[256];

        assert_ok(f->b->ops->install(f->b, f->image_path, &f->img, &err), err);
        assert_ok(f->b->ops->activate(f->b, &f->img, &err), err);
        assert_int_equal(boot(f), 'B');
        assert_ok(f->b->ops->rollback(f->b, &f->img, "health check failed", &err), err);
        assert_int_equal(boot(f), 'A');
        assert_int_equal(boot_state(f, why, sizeof(why)), AGENT_BOOT_NORMAL);
}

static void install_cancels_a_stale_pending_slot(void **state) {
        struct fixture *f = *state;
        struct error err = { 0 };

        tu_write_str(f->slots, "pending", "B\n");
        assert_ok(f->b->ops->install(f->b, f->image_path, &f->img, &err), err);
        assert_false(tu_exists(f->slots, "pending"));
}

static void interrupted_confirm_reads_as_confirmed(void **state) {
        struct fixture *f = *state;
        struct agent_abdir_status st;

        /* active written, pending not yet removed. */
        tu_write_str(f->slots, "active", "B\n");
        tu_write_str(f->slots, "pending", "B\n");
        tu_write_str(f->slots, "booted", "B\n");
        status(f, &st);
        assert_int_equal(st.active, 'B');
        assert_int_equal(st.pending, 0);
        assert_int_equal(boot(f), 'B');
}

static void corrupt_markers_are_errors(void **state) {
        struct fixture *f = *state;
        struct agent_abdir_status st;
        struct error err = { 0 };

        tu_write_str(f->slots, "active", "C\n");
        assert_int_equal(agent_abdir_read(f->slots, &st, &err), -1);
        assert_error_contains(err, "is not A or B");
        tu_write_str(f->slots, "active", "A\n");
        tu_write_str(f->slots, "boot_count", "many\n");
        assert_int_equal(agent_abdir_read(f->slots, &st, &err), -1);
        assert_error_contains(err, "not a count");
}

static void activate_is_idempotent(void **state) {
        struct fixture *f = *state;
        struct error err = { 0 };
        struct agent_abdir_status st;

        assert_ok(f->b->ops->install(f->b, f->image_path, &f->img, &err), err);
        assert_ok(f->b->ops->activate(f->b, &f->img, &err), err);
        assert_ok(f->b->ops->activate(f->b, &f->img, &err), err);
        status(f, &st);
        assert_int_equal(st.pending, 'B');
        assert_int_equal(st.boot_count, 0);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(fresh_device_boots_slot_a, setup, teardown),
                cmocka_unit_test_setup_teardown(install_writes_only_the_inactive_slot, setup, teardown),
                cmocka_unit_test_setup_teardown(install_refuses_an_image_that_does_not_match, setup, teardown),
                cmocka_unit_test_setup_teardown(trial_then_confirm, setup, teardown),
                cmocka_unit_test_setup_teardown(boot_count_exhausted_falls_back, setup, teardown),
                cmocka_unit_test_setup_teardown(rollback_during_trial_returns_to_active_at_next_boot, setup, teardown),
                cmocka_unit_test_setup_teardown(install_cancels_a_stale_pending_slot, setup, teardown),
                cmocka_unit_test_setup_teardown(interrupted_confirm_reads_as_confirmed, setup, teardown),
                cmocka_unit_test_setup_teardown(corrupt_markers_are_errors, setup, teardown),
                cmocka_unit_test_setup_teardown(activate_is_idempotent, setup, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

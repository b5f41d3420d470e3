/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Verification before anything is downloaded: the director's root chain and
 * targets (rotation, replay, expiry, wrong keys) over a directory fetcher,
 * and every cross-check between the director and the image repository, each
 * failure with its own message.
 */
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "agent/verify.h"
#include "testutil-agent.h"
#include "testutil-agent-repo.h"
#include "tuf/fetcher.h"

#define SERIAL "T1-000007"
#define HWID "T1-EU/r2"

static const struct tu_image v120 = { "1.2.0", "rootfs.img", "root file system 1.2.0", 7, NULL, NULL };

struct fixture {
        char *dir, *store, *trusted;
        struct tu_repo *r;
        struct tuf_dir_fetcher df;
        struct tuf_fetcher f;
        int64_t min_version;
};

static int setup(void **state) {
        struct fixture *f = xcalloc(1, sizeof(*f));
        f->dir = tu_tmpdir("agent-verify");
        f->r = tu_repo_new(f->dir);
        f->store = path_join(f->dir, "state/director");
        f->trusted = path_join(f->dir, "trust/director-root.json");
        tu_publish_director_root(f->r);
        f->df.base_dir = f->r->www_director;
        f->f = tuf_dir_fetcher(&f->df);
        *state = f;
        return 0;
}

static int teardown(void **state) {
        struct fixture *f = *state;
        tu_repo_free(f->r);
        tu_rmtree(f->dir);
        free(f->dir);
        free(f->store);
        free(f->trusted);
        free(f);
        return 0;
}

static int refresh(struct fixture *f, struct tuf_metadata **out, struct error *err) {
        return agent_director_refresh(&f->f, f->store, f->trusted, 1024 * 1024, 0, &f->min_version, NULL, NULL, out, err);
}

static void refresh_ok(struct fixture *f, int64_t want_version) {
        struct tuf_metadata *md = NULL;
        struct error err = { 0 };
        assert_ok(refresh(f, &md, &err), err);
        assert_int_equal(md->version, want_version);
        assert_int_equal(f->min_version, want_version);
        tuf_metadata_free(md);
}

static void refresh_refused(struct fixture *f, const char *msg) {
        struct tuf_metadata *md = NULL;
        struct error err = { 0 };
        if (refresh(f, &md, &err) == 0) {
                tuf_metadata_free(md);
                fail_msg("accepted; expected \"%s\"", msg);
        }
        assert_error_contains(err, msg);
}

static void director(struct fixture *f, int64_t version, int64_t expires, int signer) {
        tu_publish_director(f->r, &v120, 1, version, expires, SERIAL, HWID, signer);
}

static void accepts_current_targets_and_keeps_the_baseline(void **state) {
        struct fixture *f = *state;

        director(f, 3, f->r->now + TU_DAY, DK_TGT);
        refresh_ok(f, 3);
        assert_true(tu_exists(f->store, "root.json"));
        assert_true(tu_exists(f->store, "targets.json"));
        /* The same version again is fine (the director re-serves it). */
        refresh_ok(f, 3);
        director(f, 4, f->r->now + TU_DAY, DK_TGT);
        refresh_ok(f, 4);
}

static void replay_is_refused_even_after_the_state_is_lost(void **state) {
        struct fixture *f = *state;

        director(f, 5, f->r->now + TU_DAY, DK_TGT);
        refresh_ok(f, 5);
        director(f, 4, f->r->now + TU_DAY, DK_TGT);
        refresh_refused(f, "version 4 is lower than the trusted version 5 (replayed director metadata)");
        /* The stored targets.json is a baseline of its own. */
        f->min_version = 0;
        refresh_refused(f, "replayed director metadata");
}

static void expired_targets_are_refused(void **state) {
        struct fixture *f = *state;

        director(f, 1, f->r->now - 1, DK_TGT);
        refresh_refused(f, "director targets.json expired");
}

static void targets_by_another_key_are_refused(void **state) {
        struct fixture *f = *state;

        director(f, 1, f->r->now + TU_DAY, K_EVIL);
        refresh_refused(f, "targets signatures: 0 valid of threshold 1");
        director(f, 1, f->r->now + TU_DAY, DK_ROOT);
        refresh_refused(f, "targets signatures: 0 valid of threshold 1");
}

static void missing_targets_is_an_error(void **state) {
        struct fixture *f = *state;
        refresh_refused(f, "director targets.json");
}

static void root_rotation(void **state) {
        struct fixture *f = *state;
        static const int new_tgt[] = { K_EVIL };
        size_t len;

        director(f, 7, f->r->now + TU_DAY, DK_TGT);
        refresh_ok(f, 7);
        /* 2.root.json hands the targets role to a new key, signed by the old
         * root key (old threshold) and the new root key (RK_ROOT). */
        {
                int signers[] = { DK_ROOT, RK_ROOT };
                _cleanup_free_ char *b = tu_sign(
                        f->r, tu_root_signed(f->r, 2, f->r->now + 365 * TU_DAY, RK_ROOT, new_tgt, 1, 1, RK_ROOT, RK_ROOT),
                        signers, 2, &len);
                tu_put(f->r->www_director, "2.root.json", b, len);
        }
        /* The new key starts again at version 1: allowed, because the targets
         * keys changed (the old baseline may come from a compromised key). */
        director(f, 1, f->r->now + TU_DAY, K_EVIL);
        f->min_version = 0;
        refresh_ok(f, 1);
        {
                _cleanup_free_ char *root = tu_read(f->store, "root.json", NULL);
                assert_non_null(strstr(root, "\"version\":2"));
        }
}

static void rotation_without_the_old_threshold_is_refused(void **state) {
        struct fixture *f = *state;
        static const int new_tgt[] = { K_EVIL };
        int signers[] = { K_EVIL };
        size_t len;
        _cleanup_free_ char *b = tu_sign(
                f->r, tu_root_signed(f->r, 2, f->r->now + 365 * TU_DAY, K_EVIL, new_tgt, 1, 1, K_EVIL, K_EVIL), signers,
                1, &len);

        tu_put(f->r->www_director, "2.root.json", b, len);
        director(f, 1, f->r->now + TU_DAY, K_EVIL);
        refresh_refused(f, "not signed by the trusted root's threshold");
}

static void rotation_skipping_a_version_is_refused(void **state) {
        struct fixture *f = *state;
        static const int tgt[] = { DK_TGT };
        int signers[] = { DK_ROOT };
        size_t len;
        _cleanup_free_ char *b = tu_sign(
                f->r, tu_root_signed(f->r, 3, f->r->now + 365 * TU_DAY, DK_ROOT, tgt, 1, 1, DK_TGT, DK_TGT), signers, 1,
                &len);

        /* Served as 2.root.json but says version 3. */
        tu_put(f->r->www_director, "2.root.json", b, len);
        director(f, 1, f->r->now + TU_DAY, DK_TGT);
        refresh_refused(f, "has version 3, expected 2");
}

/* ---- cross-checks --------------------------------------------------------------- */

struct xc {
        json_t *dcustom, *icustom;
        struct tuf_target d, i;
        struct agent_cross_check_input in;
};

static void xc_init(struct xc *x) {
        memset(x, 0, sizeof(*x));
        x->dcustom = json_pack("{s:s, s:s, s:s, s:I}", "serial", SERIAL, "hardware_id", HWID, "release", "1.2.0",
                               "security_version", (json_int_t) 7);
        x->icustom = json_pack("{s:s, s:I, s:[s,s], s:s}", "release", "1.2.0", "security_version", (json_int_t) 7,
                               "hardware_revisions", "r2", "r3", "product", "T1-EU");
        x->d = (struct tuf_target) { .path = "1.2.0/rootfs.img", .length = 1000, .custom = x->dcustom };
        hash_sha256("image", 5, x->d.sha256);
        x->i = x->d;
        x->i.custom = x->icustom;
        x->in = (struct agent_cross_check_input) { .serial = SERIAL, .model = "T1-EU", .hardware_revision = "r2",
                                                   .floor = 3, .max_image_size = 1 << 20, .director_target = &x->d,
                                                   .image_target = &x->i };
}

static void xc_free(struct xc *x) {
        json_decref(x->dcustom);
        json_decref(x->icustom);
}

static void xc_refused(struct xc *x, const char *msg) {
        struct agent_image out;
        struct error err = { 0 };
        if (agent_cross_check(&x->in, &out, &err) == 0)
                fail_msg("cross-check passed; expected \"%s\"", msg);
        assert_error_contains(err, msg);
        xc_free(x);
        xc_init(x);
}

static void cross_check_passes_and_fills_the_image(void **state) {
        struct xc x;
        struct agent_image out;
        struct error err = { 0 };
        char hex[SHA256_HEX_LEN];
        (void) state;

        xc_init(&x);
        assert_ok(agent_cross_check(&x.in, &out, &err), err);
        assert_string_equal(out.version, "1.2.0");
        assert_int_equal(out.security_version, 7);
        assert_string_equal(out.path, "1.2.0/rootfs.img");
        assert_int_equal(out.length, 1000);
        hex_encode(x.d.sha256, SHA256_LEN, hex);
        assert_string_equal(out.sha256, hex);
        /* Equal to the floor is fine. */
        x.in.floor = 7;
        assert_ok(agent_cross_check(&x.in, &out, &err), err);
        xc_free(&x);
}

static void cross_check_failures_are_named(void **state) {
        struct xc x;
        (void) state;

        xc_init(&x);
        json_object_set_new(x.dcustom, "serial", json_string("T1-000999"));
        xc_refused(&x, "is for device 'T1-000999', not this device 'T1-000007' (director metadata for another device)");
        json_object_del(x.dcustom, "serial");
        xc_refused(&x, "director metadata for another device");
        json_object_set_new(x.dcustom, "hardware_id", json_string("T1-EU/r9"));
        xc_refused(&x, "is for hardware id 'T1-EU/r9', this device is 'T1-EU/r2' (image for another hardware id)");
        x.in.image_target = NULL;
        xc_refused(&x, "the image repository does not list '1.2.0/rootfs.img' (director and image repository disagree)");
        x.i.length = 999;
        xc_refused(&x, "director and image repository disagree on the length of '1.2.0/rootfs.img' (1000 vs 999 bytes)");
        x.i.sha256[0] ^= 1;
        xc_refused(&x, "director and image repository disagree on the SHA-256");
        json_object_set_new(x.icustom, "product", json_string("T2-US"));
        xc_refused(&x, "is an image of product 'T2-US', this device is a 'T1-EU' (wrong software installation)");
        json_object_set_new(x.icustom, "hardware_revisions", json_pack("[s]", "r3"));
        xc_refused(&x, "is not released for hardware revision 'r2'");
        json_object_del(x.icustom, "hardware_revisions");
        xc_refused(&x, "is not released for hardware revision 'r2'");
        json_object_del(x.icustom, "security_version");
        xc_refused(&x, "gives no security_version");
        json_object_set_new(x.icustom, "security_version", json_string("7"));
        xc_refused(&x, "gives no security_version");
        json_object_del(x.icustom, "release");
        xc_refused(&x, "gives no release version");
        json_object_set_new(x.dcustom, "security_version", json_integer(9));
        xc_refused(&x, "director and image repository disagree on the security version");
        json_object_set_new(x.dcustom, "release", json_string("1.2.1"));
        xc_refused(&x, "director and image repository disagree on the release of '1.2.0/rootfs.img' ('1.2.1' vs '1.2.0')");
        x.in.floor = 8;
        xc_refused(&x, "has security version 7, below this device's floor 8 (rollback attack?)");
        x.in.max_image_size = 999;
        xc_refused(&x, "more than [download] max_image_size 999");
        xc_free(&x);
}

static void pick_the_image_to_install(void **state) {
        struct tuf_target ts[2] = { { .path = "1.2.0/rootfs.img" }, { .path = "1.2.0/bootloader.bin" } };
        struct tuf_metadata md = { .targets = ts, .n_targets = 2 };
        const struct tuf_target *t = NULL;
        struct error err = { 0 };
        (void) state;

        assert_int_equal(agent_director_pick(&md, "", &t, &err), -1);
        assert_error_contains(err, "set [install] image");
        assert_ok(agent_director_pick(&md, "bootloader.bin", &t, &err), err);
        assert_ptr_equal(t, &ts[1]);
        assert_int_equal(agent_director_pick(&md, "kernel", &t, &err), -1);
        assert_error_contains(err, "no image named 'kernel'");
        md.n_targets = 1;
        assert_ok(agent_director_pick(&md, "", &t, &err), err);
        assert_ptr_equal(t, &ts[0]);
        md.n_targets = 0;
        assert_ok(agent_director_pick(&md, "", &t, &err), err);
        assert_null(t);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(accepts_current_targets_and_keeps_the_baseline, setup, teardown),
                cmocka_unit_test_setup_teardown(replay_is_refused_even_after_the_state_is_lost, setup, teardown),
                cmocka_unit_test_setup_teardown(expired_targets_are_refused, setup, teardown),
                cmocka_unit_test_setup_teardown(targets_by_another_key_are_refused, setup, teardown),
                cmocka_unit_test_setup_teardown(missing_targets_is_an_error, setup, teardown),
                cmocka_unit_test_setup_teardown(root_rotation, setup, teardown),
                cmocka_unit_test_setup_teardown(rotation_without_the_old_threshold_is_refused, setup, teardown),
                cmocka_unit_test_setup_teardown(rotation_skipping_a_version_is_refused, setup, teardown),
                cmocka_unit_test(cross_check_passes_and_fills_the_image),
                cmocka_unit_test(cross_check_failures_are_named),
                cmocka_unit_test(pick_the_image_to_install),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Whole update cycles of the agent against a repository built here and
 * served by a local HTTP server: a TUF image repository (targets 2-of-2) and
 * a director, both as cradled publishes them. The device uses the ab-dir
 * backend. Covered: install into the inactive slot, simulated reboot,
 * health-checked confirm with the floor raised, rollback on a failing health
 * check and after too many boots, resumed downloads, status reports queued
 * while the server is down, and each attack the cross-check and the TUF
 * workflow refuse — with the slot left untouched.
 */
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "agent/agent.h"
#include "agent/backend-abdir.h"
#include "agent/boot.h"
#include "agent/cycle.h"
#include "testutil-agent.h"
#include "testutil-agent-repo.h"

#define SERIAL "T1-000007"
#include "testutil-agent-fixture.h"
#define HWID "T1-EU/r2"

static const struct tu_image v120 = { "1.2.0", "rootfs.img", "root file system 1.2.0 -- fixes CVE-2026-0001", 7,
                                      NULL, NULL };
static const struct tu_image v110 = { "1.1.0", "rootfs.img", "root file system 1.1.0", 5, NULL, NULL };
static const struct tu_image v130 = { "1.3.0", "rootfs.img", "root file system 1.3.0, the next one", 8, NULL, NULL };

static int setup(void **state) {
        return tu_agent_fixture_setup(state, "agent-cycle");
}

/* The director assigns `im` to this device (a new version each time). */
static void assign(struct fixture *f, const struct tu_image *im) {
        tu_publish_director(f->repo, im, 1, ++f->director_version, f->repo->now + TU_DAY, SERIAL, HWID, DK_TGT);
}

static void publish(struct fixture *f, const struct tu_image *ims, size_t n) {
        tu_publish_images(f->repo, ims, n);
}

static char boot(struct fixture *f) {
        struct error err = { 0 };
        char booted = 0;
        assert_ok(agent_abdir_boot(f->cfg.abdir_dir, f->cfg.max_boot_attempts, &booted, &err), err);
        return booted;
}

static const char *confirm(struct fixture *f) {
        struct error err = { 0 };
        const char *outcome = NULL;
        assert_ok(agent_boot_confirm(&f->a, &outcome, &err), err);
        return outcome;
}

static void cycle_ok(struct fixture *f) {
        struct error err = { 0 };
        assert_ok(agent_cycle(&f->a, &err), err);
}

static void cycle_refused(struct fixture *f, const char *reason) {
        struct error err = { 0 };
        if (agent_cycle(&f->a, &err) == 0)
                fail_msg("the cycle succeeded; expected a refusal naming \"%s\"", reason);
        if (!strstr(err.msg, reason))
                fail_msg("error \"%s\" does not contain \"%s\"", err.msg, reason);
}

static void assert_slots_untouched(struct fixture *f) {
        struct agent_abdir_status st;
        struct error err = { 0 };
        _cleanup_free_ char *slots = path_join(f->dir, "slots");

        assert_ok(agent_abdir_read(slots, &st, &err), err);
        assert_int_equal(st.active, 'A');
        assert_int_equal(st.pending, 0);
        assert_false(tu_exists(slots, "slotB"));
        assert_int_equal(f->a.st.phase, AGENT_PHASE_IDLE);
}

static char *slot(struct fixture *f, const char *name) {
        _cleanup_free_ char *slots = path_join(f->dir, "slots");
        return tu_read(slots, name, NULL);
}

static bool requested(struct fixture *f, const char *what) {
        _cleanup_free_ char *log = tu_httpd_requests(f->httpd);
        return strstr(log, what) != NULL;
}

/* ---- the happy path and its variations ------------------------------------------ */

static void installs_boots_confirms_and_raises_the_floor(void **state) {
        struct fixture *f = *state;
        struct agent_abdir_status st;
        struct error err = { 0 };
        _cleanup_free_ char *b = NULL, *log = NULL;

        publish(f, &v120, 1);
        assign(f, &v120);
        cycle_ok(f);
        assert_int_equal(f->a.st.phase, AGENT_PHASE_AWAITING_REBOOT);
        assert_int_equal(f->a.st.floor, 0);
        b = slot(f, "slotB");
        assert_non_null(b);
        assert_string_equal(b, v120.content);
        assert_ok(agent_abdir_read(f->cfg.abdir_dir, &st, &err), err);
        assert_int_equal(st.pending, 'B');
        assert_false(tu_exists(f->cfg.state_dir, "download.part"));
        /* Not rebooted yet: nothing to confirm. */
        assert_string_equal(confirm(f), "not-rebooted");

        assert_int_equal(boot(f), 'B');
        assert_string_equal(confirm(f), "confirmed");
        assert_int_equal(f->a.st.phase, AGENT_PHASE_IDLE);
        assert_int_equal(f->a.st.floor, 7);
        assert_string_equal(f->a.st.current.version, "1.2.0");
        assert_ok(agent_abdir_read(f->cfg.abdir_dir, &st, &err), err);
        assert_int_equal(st.active, 'B');
        assert_int_equal(st.pending, 0);
        {
                _cleanup_free_ char *floor = tu_read(f->cfg.state_dir, "floor", NULL);
                assert_string_equal(floor, "7\n");
        }
        /* Every stage reached the server, in order. */
        log = tu_httpd_requests(f->httpd);
        const char *p1 = strstr(log, "\"stage\":\"downloading\"");
        const char *p2 = strstr(log, "\"stage\":\"installing\"");
        const char *p3 = strstr(log, "\"stage\":\"awaiting-reboot\"");
        const char *p4 = strstr(log, "\"stage\":\"success\"");
        assert_true(p1 && p2 && p3 && p4 && p1 < p2 && p2 < p3 && p3 < p4);
        assert_non_null(strstr(log, "POST /device/v1/status {\"security_version\":7,\"stage\":\"success\",\"to_version\":\"1.2.0\"}"));
        assert_int_equal(json_array_size(f->a.st.reports), 0);

        /* The next cycle: up to date, nothing downloaded. */
        tu_httpd_clear_log(f->httpd);
        assign(f, &v120);
        cycle_ok(f);
        assert_false(requested(f, "rootfs.img"));
        assert_int_equal(boot(f), 'B');
}

static void failing_health_check_rolls_back(void **state) {
        struct fixture *f = *state;
        _cleanup_free_ char *log = NULL;

        publish(f, &v120, 1);
        assign(f, &v120);
        cycle_ok(f);
        set_health(f, 1);
        assert_int_equal(boot(f), 'B');
        assert_string_equal(confirm(f), "rolled-back");
        assert_int_equal(f->a.st.phase, AGENT_PHASE_IDLE);
        assert_int_equal(f->a.st.floor, 0);
        assert_string_equal(f->a.st.failed_sha256, f->a.st.failed_sha256);
        assert_non_null(strstr(f->a.st.last_error, "health check"));
        assert_non_null(strstr(f->a.st.last_error, "exited with 1"));
        log = tu_httpd_requests(f->httpd);
        assert_non_null(strstr(log, "\"stage\":\"rolled-back\""));
        assert_non_null(strstr(log, "exited with 1"));
        /* The next boot runs the old slot; the failed image is not retried. */
        assert_int_equal(boot(f), 'A');
        tu_httpd_clear_log(f->httpd);
        assign(f, &v120);
        cycle_ok(f);
        assert_false(requested(f, "rootfs.img"));
        assert_int_equal(f->a.st.phase, AGENT_PHASE_IDLE);
        /* A newer release is installed again. */
        publish(f, (struct tu_image[]) { v120, v130 }, 2);
        assign(f, &v130);
        set_health(f, 0);
        cycle_ok(f);
        assert_int_equal(f->a.st.phase, AGENT_PHASE_AWAITING_REBOOT);
        assert_int_equal(boot(f), 'B');
        assert_string_equal(confirm(f), "confirmed");
        assert_int_equal(f->a.st.floor, 8);
}

static void too_many_boots_fall_back(void **state) {
        struct fixture *f = *state;

        publish(f, &v120, 1);
        assign(f, &v120);
        cycle_ok(f);
        /* Three boots of the new slot that never reach the confirmation... */
        for (int i = 0; i < 3; i++)
                assert_int_equal(boot(f), 'B');
        /* ...and the bootloader falls back. */
        assert_int_equal(boot(f), 'A');
        assert_string_equal(confirm(f), "rolled-back");
        assert_non_null(strstr(f->a.st.last_error, "did not confirm within 3 boots"));
        assert_int_equal(f->a.st.floor, 0);
        assert_int_equal(boot(f), 'A');
}

static void health_check_timeout_rolls_back(void **state) {
        struct fixture *f = *state;
        _cleanup_free_ char *body = str_printf("#!/bin/sh\nsleep 30\n");

        tu_write(f->dir, "health.sh", body, strlen(body), 0755);
        f->cfg.health_timeout = 1;
        publish(f, &v120, 1);
        assign(f, &v120);
        cycle_ok(f);
        assert_int_equal(boot(f), 'B');
        assert_string_equal(confirm(f), "rolled-back");
        assert_non_null(strstr(f->a.st.last_error, "timed out"));
        assert_int_equal(f->a.st.floor, 0);
}

static void interrupted_download_resumes_with_range(void **state) {
        struct fixture *f = *state;
        struct error err = { 0 };
        _cleanup_free_ char *log = NULL;

        publish(f, &v120, 1);
        assign(f, &v120);
        tu_httpd_mode(f->httpd, "cut=10");
        assert_int_equal(agent_cycle(&f->a, &err), -1);
        assert_int_equal(err.kind, ERROR_UNAVAILABLE);
        assert_int_equal(f->a.st.phase, AGENT_PHASE_DOWNLOADING);
        assert_true(tu_exists(f->cfg.state_dir, "download.part"));
        /* The agent restarts (a new process) and resumes. */
        tu_httpd_mode(f->httpd, "");
        write_config(f, f->httpd->url);
        assert_int_equal(f->a.st.phase, AGENT_PHASE_DOWNLOADING);
        cycle_ok(f);
        assert_int_equal(f->a.st.phase, AGENT_PHASE_AWAITING_REBOOT);
        log = tu_httpd_requests(f->httpd);
        assert_non_null(strstr(log, ".rootfs.img range=10"));
}

static void reports_wait_for_a_server_that_is_down(void **state) {
        struct fixture *f = *state;
        _cleanup_free_ char *log = NULL;

        publish(f, &v120, 1);
        assign(f, &v120);
        cycle_ok(f);
        assert_int_equal(boot(f), 'B');
        /* The server goes away before the confirmation. */
        write_config(f, "http://127.0.0.1:1");
        assert_string_equal(confirm(f), "confirmed");
        assert_int_equal(json_array_size(f->a.st.reports), 1);
        /* A cycle against the dead server fails and keeps the report. */
        cycle_refused(f, "127.0.0.1:1");
        assert_int_equal(json_array_size(f->a.st.reports), 1);
        /* Back: the queued report is sent first. */
        write_config(f, f->httpd->url);
        assert_int_equal(json_array_size(f->a.st.reports), 1);
        tu_httpd_clear_log(f->httpd);
        cycle_ok(f);
        assert_int_equal(json_array_size(f->a.st.reports), 0);
        log = tu_httpd_requests(f->httpd);
        assert_non_null(strstr(log, "\"stage\":\"success\""));
}

static void server_errors_fail_the_cycle_without_changes(void **state) {
        struct fixture *f = *state;

        publish(f, &v120, 1);
        assign(f, &v120);
        tu_httpd_mode(f->httpd, "status=503");
        cycle_refused(f, "HTTP 503");
        assert_slots_untouched(f);
        tu_httpd_mode(f->httpd, "status=404");
        cycle_refused(f, "HTTP 404");
        assert_slots_untouched(f);
}

static void nothing_assigned_is_up_to_date(void **state) {
        struct fixture *f = *state;

        publish(f, &v120, 1);
        tu_publish_director(f->repo, NULL, 0, ++f->director_version, f->repo->now + TU_DAY, SERIAL, HWID, DK_TGT);
        cycle_ok(f);
        assert_slots_untouched(f);
}

/* ---- attacks: each refused with its reason, the slot untouched --------------------- */

static void attack_director_metadata_for_another_device(void **state) {
        struct fixture *f = *state;

        publish(f, &v120, 1);
        tu_publish_director(f->repo, &v120, 1, 1, f->repo->now + TU_DAY, "T1-000999", HWID, DK_TGT);
        cycle_refused(f, "director metadata for another device");
        assert_slots_untouched(f);
        assert_false(requested(f, "rootfs.img"));
}

static void attack_image_for_another_hardware_id(void **state) {
        struct fixture *f = *state;

        publish(f, &v120, 1);
        tu_publish_director(f->repo, &v120, 1, 1, f->repo->now + TU_DAY, SERIAL, "T1-EU/r9", DK_TGT);
        cycle_refused(f, "image for another hardware id");
        assert_slots_untouched(f);
}

static void attack_wrong_software_for_this_revision(void **state) {
        struct fixture *f = *state;
        struct tu_image other = v120;

        other.hw_revs = "[\"r3\"]";
        publish(f, &other, 1);
        assign(f, &other);
        cycle_refused(f, "not released for hardware revision 'r2'");
        assert_slots_untouched(f);
}

static void attack_director_and_image_repository_disagree(void **state) {
        struct fixture *f = *state;
        struct tu_image evil = v120;

        /* The director (online key, compromised) names other bytes under
         * the released path. */
        evil.content = "malware pretending to be 1.2.0";
        publish(f, &v120, 1);
        assign(f, &evil);
        cycle_refused(f, "director and image repository disagree");
        assert_slots_untouched(f);
        assert_false(requested(f, "rootfs.img"));
}

static void attack_director_names_an_unreleased_image(void **state) {
        struct fixture *f = *state;
        struct tu_image unreleased = { "6.6.6", "rootfs.img", "never released", 99, NULL, NULL };

        publish(f, &v120, 1);
        assign(f, &unreleased);
        cycle_refused(f, "the image repository does not list '6.6.6/rootfs.img'");
        assert_slots_untouched(f);
}

static void attack_targets_signed_below_threshold(void **state) {
        struct fixture *f = *state;
        static const int one[] = { RK_TGT1 };

        /* One release manager's key (or a stolen server) is not enough. */
        tu_publish_images_signed(f->repo, &v120, 1, one, 1);
        assign(f, &v120);
        cycle_refused(f, "targets signatures: 1 valid of threshold 2");
        assert_slots_untouched(f);
}

static void attack_director_signed_by_another_key(void **state) {
        struct fixture *f = *state;

        publish(f, &v120, 1);
        tu_publish_director(f->repo, &v120, 1, 1, f->repo->now + TU_DAY, SERIAL, HWID, K_EVIL);
        cycle_refused(f, "director targets.json: targets signatures: 0 valid of threshold 1");
        assert_slots_untouched(f);
}

static void attack_replayed_director_metadata(void **state) {
        struct fixture *f = *state;

        publish(f, (struct tu_image[]) { v110, v120 }, 2);
        f->director_version = 4;
        assign(f, &v120); /* version 5 */
        cycle_ok(f);
        assert_int_equal(boot(f), 'B');
        assert_string_equal(confirm(f), "confirmed");
        /* An old director document (version 3, still unexpired) comes back. */
        tu_publish_director(f->repo, &v110, 1, 3, f->repo->now + TU_DAY, SERIAL, HWID, DK_TGT);
        cycle_refused(f, "replayed director metadata");
        assert_string_equal(f->a.st.current.version, "1.2.0");
        assert_int_equal(boot(f), 'B');
}

static void attack_expired_director_metadata(void **state) {
        struct fixture *f = *state;

        publish(f, &v120, 1);
        tu_publish_director(f->repo, &v120, 1, 1, f->repo->now - 60, SERIAL, HWID, DK_TGT);
        cycle_refused(f, "expired");
        assert_slots_untouched(f);
}

static void attack_rollback_below_the_floor(void **state) {
        struct fixture *f = *state;

        publish(f, (struct tu_image[]) { v110, v120 }, 2);
        assign(f, &v120);
        cycle_ok(f);
        assert_int_equal(boot(f), 'B');
        assert_string_equal(confirm(f), "confirmed");
        assert_int_equal(f->a.st.floor, 7);
        /* 1.1.0 is properly signed and published, but older. */
        assign(f, &v110);
        cycle_refused(f, "below this device's floor 7 (rollback attack?)");
        assert_int_equal(f->a.st.floor, 7);
        {
                _cleanup_free_ char *a = slot(f, "slotA");
                assert_string_equal(a, "factory image 1.0.0");
        }
}

static void attack_tampered_image_on_the_mirror(void **state) {
        struct fixture *f = *state;
        uint8_t sha[SHA256_LEN];
        char hex[SHA256_HEX_LEN];

        publish(f, &v120, 1);
        assign(f, &v120);
        hash_sha256(v120.content, strlen(v120.content), sha);
        hex_encode(sha, SHA256_LEN, hex);
        {
                _cleanup_free_ char *name = str_printf("targets/1.2.0/%s.rootfs.img", hex);
                char evil[64];
                snprintf(evil, sizeof(evil), "%s", v120.content);
                evil[0] ^= 0x20; /* same length, other bytes */
                tu_put(f->repo->www_repo, name, evil, strlen(evil));
        }
        cycle_refused(f, "does not match");
        assert_slots_untouched(f);
        assert_false(tu_exists(f->cfg.state_dir, "download.part"));
        {
                _cleanup_free_ char *log = tu_httpd_requests(f->httpd);
                assert_non_null(strstr(log, "\"stage\":\"failure\""));
        }
}

static void attack_endless_image(void **state) {
        struct fixture *f = *state;

        publish(f, &v120, 1);
        assign(f, &v120);
        tu_httpd_mode(f->httpd, "extra");
        cycle_refused(f, "endless data");
        assert_slots_untouched(f);
}

/* ---- key separation between the two repositories (issue 7, finding 1) ---------------- */

/* A signed root: root key `root_key`, targets `tgt` (threshold thr),
 * snapshot and timestamp keys, and x-cradle-repository `marker` (NULL: none). */
static char *root_doc(struct fixture *f, int64_t version, int root_key, const int *tgt, size_t n_tgt, unsigned thr,
                      int snap, int ts, const char *marker, const int *signers, size_t n_signers, size_t *len) {
        json_t *s = tu_root_signed(f->repo, version, f->repo->now + 365 * TU_DAY, root_key, tgt, n_tgt, thr, snap, ts);
        struct error err = { 0 };

        if (marker)
                assert_ok(tuf_root_set_repository(s, marker, &err), err);
        return tu_sign(f->repo, s, signers, n_signers, len);
}

static const int image_tgt[] = { RK_TGT1, RK_TGT2 };
static const int director_tgt[] = { DK_TGT };

/* The device's trusted director root: root key `root_key`, the online key
 * DK_TGT for the rest (what `cradle director init` makes). */
static void install_director_root(struct fixture *f, int root_key, const char *marker) {
        const int signer[] = { root_key };
        size_t len;
        _cleanup_free_ char *b = root_doc(f, 1, root_key, director_tgt, 1, 1, DK_TGT, DK_TGT, marker, signer, 1, &len);

        tu_put(f->repo->www_director, "1.root.json", b, len);
        tu_put(f->dir, "trust/director-root.json", b, len);
}

static void install_image_root(struct fixture *f, const char *marker) {
        const int signer[] = { RK_ROOT };
        size_t len;
        _cleanup_free_ char *b = root_doc(f, 1, RK_ROOT, image_tgt, 2, 2, RK_SNAP, RK_TS, marker, signer, 1, &len);

        tu_put(f->repo->www_repo, "1.root.json", b, len);
        tu_put(f->dir, "trust/image-root.json", b, len);
}

static int64_t stored_root_version(struct fixture *f, const char *store) {
        _cleanup_free_ char *dir = path_join(f->cfg.state_dir, store);
        size_t len = 0;
        _cleanup_free_ char *data = tu_read(dir, "root.json", &len);
        _cleanup_tuf_metadata_ struct tuf_metadata *md = NULL;
        struct error err = { 0 };

        assert_ok(tuf_metadata_parse("root.json", data, len, 0, TUF_ROLE_ROOT, &md, &err), err);
        return md->version;
}

/* A device provisioned when nothing stopped the operator from using one
 * root key for both repositories: refused from the first cycle. */
static void shared_root_key_at_install_is_refused(void **state) {
        struct fixture *f = *state;

        install_director_root(f, RK_ROOT, NULL);
        publish(f, &v120, 1);
        assign(f, &v120);
        cycle_refused(f, "director root.json (version 1) shares key");
        assert_slots_untouched(f);
}

/* A director rotation that brings in a key of the image repository is
 * refused, and the trusted director root stays as it was. */
static void director_rotation_sharing_a_key_is_refused(void **state) {
        struct fixture *f = *state;
        static const int signers[] = { DK_ROOT, RK_ROOT };
        size_t len;
        _cleanup_free_ char *d2 = root_doc(f, 2, RK_ROOT, director_tgt, 1, 1, DK_TGT, DK_TGT, NULL, signers, 2, &len);

        publish(f, &v120, 1);
        assign(f, &v120);
        tu_put(f->repo->www_director, "2.root.json", d2, len);
        cycle_refused(f, "director 2.root.json (version 2) shares key");
        assert_slots_untouched(f);
        assert_int_equal(stored_root_version(f, "director"), 1);
}

/* The attack of issue 7: the two roots shared a root key; `cradle director
 * rotate` (the documented recovery) moved the director to a fresh root key,
 * signing version 2 with the shared one. An attacker who holds only the
 * director's online key serves that director root as the image
 * repository's 2.root.json — it carries the shared key's signature, so TUF
 * alone accepts it — with image metadata signed by the director key: an
 * unpublished image with security version 99. */
static void attack_director_root_replayed_as_image_root(void **state) {
        struct fixture *f = *state;
        static const struct tu_image evil = { "6.6.6", "rootfs.img", "unpublished image", 99, NULL, NULL };
        static const int d2_signers[] = { RK_ROOT, DK_ROOT };
        static const int online[] = { DK_TGT };
        size_t len;
        _cleanup_free_ char *d2 = NULL;

        install_director_root(f, RK_ROOT, NULL);
        d2 = root_doc(f, 2, DK_ROOT, director_tgt, 1, 1, DK_TGT, DK_TGT, NULL, d2_signers, 2, &len);
        tu_put(f->repo->www_director, "2.root.json", d2, len);
        /* The genuine repositories work: the device follows the director to
         * version 2, which shares nothing with the image root. */
        publish(f, &v110, 1);
        assign(f, &v110);
        cycle_ok(f);
        assert_int_equal(boot(f), 'B');
        assert_string_equal(confirm(f), "confirmed");
        assert_int_equal(f->a.st.floor, 5);
        assert_int_equal(stored_root_version(f, "director"), 2);

        /* The attack. */
        tu_put(f->repo->www_repo, "2.root.json", d2, len);
        tu_publish_images_with(f->repo, &evil, 1, online, 1, DK_TGT, DK_TGT);
        assign(f, &evil);
        cycle_refused(f, "image repository 2.root.json (version 2) shares key");
        assert_int_equal(f->a.st.phase, AGENT_PHASE_IDLE);
        assert_int_equal(f->a.st.floor, 5);
        assert_string_equal(f->a.st.current.version, "1.1.0");
        assert_int_equal(stored_root_version(f, "image-repo"), 1);
        assert_int_equal(boot(f), 'B');
        {
                _cleanup_free_ char *b = slot(f, "slotB");
                assert_string_equal(b, v110.content);
        }

        /* The attacker gone, the genuine next release installs. */
        {
                _cleanup_free_ char *p = path_join(f->repo->www_repo, "2.root.json");
                assert_int_equal(unlink(p), 0);
        }
        publish(f, (struct tu_image[]) { v110, v120 }, 2);
        assign(f, &v120);
        cycle_ok(f);
        assert_int_equal(f->a.st.phase, AGENT_PHASE_AWAITING_REBOOT);
        assert_string_equal(f->a.st.target.version, "1.2.0");
}

/* A root that says it belongs to the director is never an image root, even
 * with keys of its own and the image root key's signature. */
static void image_root_naming_the_director_is_refused(void **state) {
        struct fixture *f = *state;
        static const int signers[] = { RK_ROOT, K_EVIL };
        static const int tgt[] = { RK_TGT1, RK_TGT2 };
        size_t len;
        _cleanup_free_ char *r2 = root_doc(f, 2, K_EVIL, tgt, 2, 2, RK_SNAP, RK_TS, "director", signers, 2, &len);

        publish(f, &v120, 1);
        assign(f, &v120);
        tu_put(f->repo->www_repo, "2.root.json", r2, len);
        cycle_refused(f, "is the root of repository 'director', not of 'image:T1-EU'");
        assert_slots_untouched(f);
        assert_int_equal(stored_root_version(f, "image-repo"), 1);
}

/* The installed image root itself is checked too: [trust] image_root set to
 * a root that says it is the director's is refused from the first cycle. */
static void installed_image_root_of_another_repository_is_refused(void **state) {
        struct fixture *f = *state;

        install_image_root(f, "director");
        write_config(f, f->httpd->url);
        publish(f, &v120, 1);
        assign(f, &v120);
        cycle_refused(f, "image repository root.json (version 1) is the root of repository 'director'");
        assert_slots_untouched(f);
}

/* Once the trusted root states its repository, a new root must too; one
 * that states it correctly is accepted. */
static void repository_marker_once_present_is_required(void **state) {
        struct fixture *f = *state;
        static const int signer[] = { RK_ROOT };
        size_t len;
        _cleanup_free_ char *bare = NULL, *marked = NULL;

        install_image_root(f, "image:T1-EU");
        install_director_root(f, DK_ROOT, "director");
        write_config(f, f->httpd->url);
        publish(f, &v120, 1);
        assign(f, &v120);
        bare = root_doc(f, 2, RK_ROOT, image_tgt, 2, 2, RK_SNAP, RK_TS, NULL, signer, 1, &len);
        tu_put(f->repo->www_repo, "2.root.json", bare, len);
        cycle_refused(f, "no x-cradle-repository");
        assert_slots_untouched(f);
        assert_int_equal(stored_root_version(f, "image-repo"), 1);
        marked = root_doc(f, 2, RK_ROOT, image_tgt, 2, 2, RK_SNAP, RK_TS, "image:T1-EU", signer, 1, &len);
        tu_put(f->repo->www_repo, "2.root.json", marked, len);
        cycle_ok(f);
        assert_int_equal(stored_root_version(f, "image-repo"), 2);
        assert_int_equal(f->a.st.phase, AGENT_PHASE_AWAITING_REBOOT);
}

/* An online key that is also an offline key would give a stolen server
 * key offline power: a root that does that is refused. */
static void online_key_with_offline_power_is_refused(void **state) {
        struct fixture *f = *state;
        static const int signer[] = { RK_ROOT };
        size_t len;
        /* The timestamp key is also a targets key. */
        _cleanup_free_ char *r2 = root_doc(f, 2, RK_ROOT, image_tgt, 2, 2, RK_SNAP, RK_TGT1, NULL, signer, 1, &len);

        publish(f, &v120, 1);
        assign(f, &v120);
        tu_put(f->repo->www_repo, "2.root.json", r2, len);
        cycle_refused(f, "is listed by the offline and the online roles (targets, timestamp)");
        assert_slots_untouched(f);
        assert_int_equal(stored_root_version(f, "image-repo"), 1);
}

/* ---- interrupted installs (issue 7, related finding) ---------------------------------- */

/* The state a power cut during `installing` leaves: the download complete
 * and checked, the phase saved; then the agent starts again. */
static void interrupted_install_of(struct fixture *f, const struct tu_image *im) {
        struct error err = { 0 };
        uint8_t sha[SHA256_LEN];
        _cleanup_free_ char *part = agent_download_path(&f->a);

        memset(&f->a.st.target, 0, sizeof(f->a.st.target));
        snprintf(f->a.st.target.version, sizeof(f->a.st.target.version), "%s", im->release);
        snprintf(f->a.st.target.path, sizeof(f->a.st.target.path), "%s/%s", im->release, im->name);
        f->a.st.target.security_version = im->security_version;
        f->a.st.target.length = (int64_t) strlen(im->content);
        hash_sha256(im->content, strlen(im->content), sha);
        hex_encode(sha, SHA256_LEN, f->a.st.target.sha256);
        tu_write(f->cfg.state_dir, "download.part", im->content, strlen(im->content), 0600);
        (void) part;
        f->a.st.phase = AGENT_PHASE_INSTALLING;
        assert_ok(agent_save(&f->a, &err), err);
        write_config(f, f->httpd->url);
        assert_int_equal(f->a.st.phase, AGENT_PHASE_INSTALLING);
}

/* Withdrawn while the install was interrupted: the director no longer
 * assigns it, so it never reaches a slot. */
static void interrupted_install_of_a_withdrawn_release_is_abandoned(void **state) {
        struct fixture *f = *state;

        publish(f, &v120, 1);
        assign(f, &v120);
        interrupted_install_of(f, &v120);
        tu_publish_director(f->repo, NULL, 0, ++f->director_version, f->repo->now + TU_DAY, SERIAL, HWID, DK_TGT);
        cycle_ok(f);
        assert_slots_untouched(f);
        assert_false(tu_exists(f->cfg.state_dir, "download.part"));
        /* The abandonment is reported (the only report of this cycle: the
         * install never started). */
        assert_true(requested(f, "/device/v1/status"));
        assert_int_equal(f->a.st.floor, 0);
}

/* Still assigned: the install goes on after the metadata verified again. */
static void interrupted_install_goes_on_when_still_assigned(void **state) {
        struct fixture *f = *state;

        publish(f, &v120, 1);
        assign(f, &v120);
        interrupted_install_of(f, &v120);
        cycle_ok(f);
        assert_int_equal(f->a.st.phase, AGENT_PHASE_AWAITING_REBOOT);
        assert_true(requested(f, "/device/v1/director/targets.json"));
        assert_int_equal(boot(f), 'B');
}

/* Reassigned while the install was interrupted: the old download is
 * dropped and the image assigned now is installed instead. */
static void interrupted_install_of_a_reassigned_image_takes_the_new_one(void **state) {
        struct fixture *f = *state;

        publish(f, (struct tu_image[]) { v120, v130 }, 2);
        assign(f, &v120);
        interrupted_install_of(f, &v120);
        assign(f, &v130);
        cycle_ok(f);
        assert_int_equal(f->a.st.phase, AGENT_PHASE_AWAITING_REBOOT);
        assert_string_equal(f->a.st.target.version, "1.3.0");
        assert_int_equal(boot(f), 'B');
        {
                _cleanup_free_ char *b = slot(f, "slotB");
                assert_string_equal(b, v130.content);
        }
}

/* The metadata cannot be fetched: nothing changes, the next cycle retries. */
static void interrupted_install_waits_for_metadata(void **state) {
        struct fixture *f = *state;

        publish(f, &v120, 1);
        assign(f, &v120);
        interrupted_install_of(f, &v120);
        tu_httpd_mode(f->httpd, "status=503");
        cycle_refused(f, "resuming the install of 1.2.0: metadata not verified");
        assert_int_equal(f->a.st.phase, AGENT_PHASE_INSTALLING);
        assert_true(tu_exists(f->cfg.state_dir, "download.part"));
        assert_false(tu_exists(f->dir, "slots/slotB"));
        tu_httpd_mode(f->httpd, "");
        cycle_ok(f);
        assert_int_equal(f->a.st.phase, AGENT_PHASE_AWAITING_REBOOT);
}

static void unknown_trial_after_lost_state_is_rolled_back(void **state) {
        struct fixture *f = *state;

        publish(f, &v120, 1);
        assign(f, &v120);
        cycle_ok(f);
        assert_int_equal(boot(f), 'B');
        /* state.json is destroyed; the device must not confirm a slot it
         * cannot trace to verified metadata. */
        tu_write_str(f->cfg.state_dir, "state.json", "{\"format\": 1, \"phase\": \"awai");
        write_config(f, f->httpd->url);
        assert_true(f->a.st.recovered);
        assert_string_equal(confirm(f), "rolled-back");
        assert_int_equal(boot(f), 'A');
        assert_int_equal(f->a.st.floor, 0);
}

static void power_cut_after_the_backend_confirmed(void **state) {
        struct fixture *f = *state;
        struct error err = { 0 };

        publish(f, &v120, 1);
        assign(f, &v120);
        cycle_ok(f);
        assert_int_equal(boot(f), 'B');
        /* The health check passed, the phase became confirming, the backend
         * made slot B permanent — and the power went before the state
         * recorded it. */
        f->a.st.phase = AGENT_PHASE_CONFIRMING;
        assert_ok(agent_save(&f->a, &err), err);
        assert_ok(f->a.backend->ops->confirm(f->a.backend, &f->a.st.target, &err), err);
        write_config(f, f->httpd->url);
        assert_int_equal(f->a.st.phase, AGENT_PHASE_CONFIRMING);
        assert_int_equal(f->a.st.floor, 0);
        assert_string_equal(confirm(f), "confirmed");
        assert_int_equal(f->a.st.floor, 7);
        assert_string_equal(f->a.st.current.version, "1.2.0");
        assert_int_equal(boot(f), 'B');
}

static void power_cut_while_rolling_back(void **state) {
        struct fixture *f = *state;
        struct error err = { 0 };

        publish(f, &v120, 1);
        assign(f, &v120);
        cycle_ok(f);
        assert_int_equal(boot(f), 'B');
        f->a.st.phase = AGENT_PHASE_ROLLING_BACK;
        snprintf(f->a.st.last_error, sizeof(f->a.st.last_error), "health check failed");
        assert_ok(agent_save(&f->a, &err), err);
        write_config(f, f->httpd->url);
        /* Any cycle finishes the rollback first. */
        cycle_ok(f);
        assert_int_equal(f->a.st.phase, AGENT_PHASE_IDLE);
        assert_int_equal(f->a.st.floor, 0);
        assert_int_equal(boot(f), 'A');
}

int main(void) {
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
        const struct CMUnitTest tests[] = {
                T(installs_boots_confirms_and_raises_the_floor),
                T(failing_health_check_rolls_back),
                T(too_many_boots_fall_back),
                T(health_check_timeout_rolls_back),
                T(interrupted_download_resumes_with_range),
                T(reports_wait_for_a_server_that_is_down),
                T(server_errors_fail_the_cycle_without_changes),
                T(nothing_assigned_is_up_to_date),
                T(attack_director_metadata_for_another_device),
                T(attack_image_for_another_hardware_id),
                T(attack_wrong_software_for_this_revision),
                T(attack_director_and_image_repository_disagree),
                T(attack_director_names_an_unreleased_image),
                T(attack_targets_signed_below_threshold),
                T(attack_director_signed_by_another_key),
                T(attack_replayed_director_metadata),
                T(attack_expired_director_metadata),
                T(attack_rollback_below_the_floor),
                T(attack_tampered_image_on_the_mirror),
                T(attack_endless_image),
                T(shared_root_key_at_install_is_refused),
                T(director_rotation_sharing_a_key_is_refused),
                T(attack_director_root_replayed_as_image_root),
                T(image_root_naming_the_director_is_refused),
                T(installed_image_root_of_another_repository_is_refused),
                T(repository_marker_once_present_is_required),
                T(online_key_with_offline_power_is_refused),
                T(interrupted_install_of_a_withdrawn_release_is_abandoned),
                T(interrupted_install_goes_on_when_still_assigned),
                T(interrupted_install_of_a_reassigned_image_takes_the_new_one),
                T(interrupted_install_waits_for_metadata),
                T(unknown_trial_after_lost_state_is_rolled_back),
                T(power_cut_after_the_backend_confirmed),
                T(power_cut_while_rolling_back),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

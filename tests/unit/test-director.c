/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The director: its online key, its root chain (install, rotation and every
 * refusal), assignments and tags, and the per-device targets metadata a device
 * verifies (exactly its images, signed by the online key under the director
 * root, version growing on change, stored bytes reused, expiry, withdrawn
 * releases no longer offered).
 */
#include <stdlib.h>
#include <sys/stat.h>

#include "testutil-director.h"

static int setup(void **state) {
        *state = dfx_new();
        return 0;
}

static int teardown(void **state) {
        dfx_free(*state);
        return 0;
}

static const char *const rootfs[] = {"rootfs.img", NULL};

/* A published release 1.2.0 for rev-C and two devices, D1 assigned to it. */
static int64_t setup_assigned(struct dfx *f) {
        dfx_init(f);
        dfx_enroll(f, "D1");
        dfx_enroll(f, "D2");
        int64_t rel = dfx_release(f, f->id->product_id, "1.2.0", 7, "[\"rev-B\",\"rev-C\"]", "published", rootfs);
        char body[96];
        snprintf(body, sizeof(body), "{\"release_id\": %lld, \"devices\": [\"D1\"]}", (long long) rel);
        struct error err;
        if (dfx_assign(f, body, &err) != ERROR_NONE)
                fail_msg("assign: %s", err.msg);
        return rel;
}

/* ---- the online key ---- */

static void test_online_key_generated_once(void **state) {
        struct dfx *f = *state;
        json_t *st = NULL;
        struct error err = {0};
        assert_int_equal(director_status(&f->dc, &st, &err), 0);
        assert_true(json_is_null(json_object_get(st, "online_keyid")));
        assert_true(json_is_null(json_object_get(st, "root")));
        assert_int_equal(json_integer_value(json_object_get(st, "targets_expiry_seconds")), 86400);
        json_decref(st);

        dfx_online_key(f);
        char *path = str_printf("%s/director-keys/targets.key", f->id->data_dir);
        struct stat sb;
        assert_int_equal(stat(path, &sb), 0);
        assert_int_equal(sb.st_mode & 0777, 0600);
        char *dir = str_printf("%s/director-keys", f->id->data_dir);
        assert_int_equal(stat(dir, &sb), 0);
        assert_int_equal(sb.st_mode & 0777, 0700);
        assert_int_equal(tuf_key_type(f->online), TUF_KEY_ED25519);
        char keyid[TUF_KEYID_HEX_LEN];
        snprintf(keyid, sizeof(keyid), "%s", tuf_key_id(f->online));

        /* A second call returns the same key and is not audited again. */
        dfx_online_key(f);
        assert_string_equal(tuf_key_id(f->online), keyid);
        assert_int_equal(idfx_audit_count(f->id, "director.online-key.create", keyid), 1);
        assert_int_equal(director_status(&f->dc, &st, &err), 0);
        assert_string_equal(json_string_value(json_object_get(st, "online_keyid")), keyid);
        json_decref(st);
        free(path);
        free(dir);
}

static void test_configured_key_never_generated(void **state) {
        struct dfx *f = *state;
        f->dc.key_ref = "elsewhere/director.key";
        json_t *out = NULL;
        struct error err = {0};
        assert_int_equal(director_online_keys(&f->dc, &idfx_admin, &out, &err), -1);
        assert_error(err, ERROR_CONFLICT, "does not exist");
        assert_null(out);
}

/* ---- the root chain ---- */

static void test_root_install_and_serve(void **state) {
        struct dfx *f = *state;
        dfx_init(f);
        struct error err = {0};
        json_t *st = NULL;
        assert_int_equal(director_status(&f->dc, &st, &err), 0);
        json_t *root = json_object_get(st, "root");
        assert_int_equal(json_integer_value(json_object_get(root, "version")), 1);
        assert_int_equal(json_integer_value(json_object_get(root, "threshold")), 2);
        assert_int_equal(json_array_size(json_object_get(root, "keyids")), 2);
        json_decref(st);
        assert_int_equal(idfx_audit_count(f->id, "director.root.install", NULL), 1);

        /* root.json and 1.root.json are the same bytes; 2.root.json does not exist. */
        char *a = NULL, *b = NULL;
        size_t la, lb;
        assert_int_equal(director_root_document(&f->dc, 0, &a, &la, &err), 0);
        assert_int_equal(director_root_document(&f->dc, 1, &b, &lb, &err), 0);
        assert_int_equal(la, lb);
        assert_memory_equal(a, b, la);
        free(b);
        assert_int_equal(director_root_document(&f->dc, 2, &b, &lb, &err), -1);
        assert_error(err, ERROR_NOT_FOUND, "no director root version 2");
        free(a);

        /* The served root verifies with its own keys (what a device's trust anchor is). */
        struct tuf_metadata *md = dfx_root_md(f, 1);
        assert_int_equal(tuf_verify_role(md, TUF_ROLE_ROOT, md, NULL, &err), 0);
        assert_true(tuf_root_role_has_key(md, TUF_ROLE_TARGETS, tuf_key_id(f->online)));
        tuf_metadata_free(md);
}

static void test_root_refusals(void **state) {
        struct dfx *f = *state;
        struct error err = {0};
        json_t *root;

        /* No online key yet. */
        f->online = NULL;
        tuf_key_from_crypto_key(f->root_keys[2], &f->online, &err);
        root = dfx_root(f, 1, DFX_NOW + 86400, 0, 2, 2, NULL, (const int[]){0, 1, -1});
        assert_int_equal(dfx_install(f, root, &err), ERROR_CONFLICT);
        assert_error(err, ERROR_CONFLICT, "no online key yet");
        json_decref(root);
        tuf_key_free(f->online);
        f->online = NULL;
        dfx_online_key(f);

        /* Targets role is not the online key. */
        root = dfx_root(f, 1, DFX_NOW + 86400, 0, 2, 2, f->root_tkeys[2], (const int[]){0, 1, -1});
        assert_int_equal(dfx_install(f, root, &err), ERROR_INVALID);
        assert_error(err, ERROR_INVALID, "targets role must be exactly the server's online key");
        json_decref(root);

        /* Below its own threshold. */
        root = dfx_root(f, 1, DFX_NOW + 86400, 0, 2, 2, NULL, (const int[]){0, -1});
        assert_int_equal(dfx_install(f, root, &err), ERROR_UNAUTHENTICATED);
        assert_error(err, ERROR_UNAUTHENTICATED, "root signatures: 1 valid of threshold 2");
        json_decref(root);

        /* A tampered signed part. */
        root = dfx_root(f, 1, DFX_NOW + 86400, 0, 2, 2, NULL, (const int[]){0, 1, -1});
        json_object_set_new(json_object_get(root, "signed"), "consistent_snapshot", json_true());
        assert_int_equal(dfx_install(f, root, &err), ERROR_UNAUTHENTICATED);
        json_decref(root);

        /* Expired. */
        root = dfx_root(f, 1, DFX_NOW - 1, 0, 2, 2, NULL, (const int[]){0, 1, -1});
        assert_int_equal(dfx_install(f, root, &err), ERROR_INVALID);
        assert_error(err, ERROR_INVALID, "expired");
        json_decref(root);

        /* The first root must be version 1. */
        root = dfx_root(f, 2, DFX_NOW + 86400, 0, 2, 2, NULL, (const int[]){0, 1, -1});
        assert_int_equal(dfx_install(f, root, &err), ERROR_INVALID);
        assert_error(err, ERROR_INVALID, "must be version 1");
        json_decref(root);

        /* Malformed: not TUF root metadata. */
        json_t *junk = idfx_json("{\"signed\": {\"_type\": \"targets\"}, \"signatures\": []}");
        assert_int_equal(dfx_install(f, junk, &err), ERROR_INVALID);
        json_decref(junk);
        json_t *body = idfx_json("{\"root\": {}, \"extra\": 1}");
        json_t *out = NULL;
        assert_int_equal(director_root_install(&f->dc, &idfx_admin, body, &out, &err), -1);
        assert_error(err, ERROR_INVALID, "extra");
        json_decref(body);

        /* The online key in the root role: a stolen server key could rotate the root. */
        struct tuf_key *online = f->online;
        const char *ids[2] = {tuf_key_id(f->root_tkeys[0]), tuf_key_id(online)};
        struct tuf_key *keys[2] = {f->root_tkeys[0], online};
        const char *online_id[1] = {tuf_key_id(online)};
        struct tuf_role_spec roles[_TUF_ROLE_MAX] = {
                [TUF_ROLE_ROOT] = {ids, 2, 1}, [TUF_ROLE_TARGETS] = {online_id, 1, 1},
                [TUF_ROLE_SNAPSHOT] = {online_id, 1, 1}, [TUF_ROLE_TIMESTAMP] = {online_id, 1, 1},
        };
        json_t *signed_obj = tuf_build_root(1, DFX_NOW + 86400, false, keys, 2, roles, &err);
        assert_non_null(signed_obj);
        root = tuf_metadata_wrap(signed_obj);
        json_decref(signed_obj);
        assert_int_equal(tuf_sign(root, f->root_keys[0], &err), 0);
        assert_int_equal(dfx_install(f, root, &err), ERROR_INVALID);
        assert_error(err, ERROR_INVALID, "root role must not include the server's online key");
        json_decref(root);

        assert_int_equal(idfx_audit_count(f->id, "director.root.install", NULL), 0);
        assert_int_equal(raw_int(f->id->t->db, "SELECT count(*) FROM director_roots"), 0);
}

static void test_root_rotation(void **state) {
        struct dfx *f = *state;
        dfx_init(f); /* v1: keys 0,1 threshold 2 */
        struct error err = {0};
        json_t *root;

        /* v2 with keys 1,2 signed only by the new keys: not the old threshold. */
        root = dfx_root(f, 2, DFX_NOW + 86400, 1, 2, 2, NULL, (const int[]){1, 2, -1});
        assert_int_equal(dfx_install(f, root, &err), ERROR_UNAUTHENTICATED);
        assert_error(err, ERROR_UNAUTHENTICATED, "threshold of version 1");
        json_decref(root);

        /* v2 signed by the old keys only: not its own threshold. */
        root = dfx_root(f, 2, DFX_NOW + 86400, 1, 2, 2, NULL, (const int[]){0, 1, -1});
        assert_int_equal(dfx_install(f, root, &err), ERROR_UNAUTHENTICATED);
        json_decref(root);

        /* v3 skips a version. */
        root = dfx_root(f, 3, DFX_NOW + 86400, 1, 2, 2, NULL, (const int[]){0, 1, 2, -1});
        assert_int_equal(dfx_install(f, root, &err), ERROR_INVALID);
        assert_error(err, ERROR_INVALID, "the next must be 2");
        json_decref(root);

        /* Old and new thresholds: accepted. */
        root = dfx_root(f, 2, DFX_NOW + 86400, 1, 2, 2, NULL, (const int[]){0, 1, 2, -1});
        assert_int_equal(dfx_install(f, root, &err), ERROR_NONE);
        /* The same version again is a conflict. */
        assert_int_equal(dfx_install(f, root, &err), ERROR_CONFLICT);
        json_decref(root);
        assert_int_equal(idfx_audit_count(f->id, "director.root.rotate", NULL), 1);

        /* The chain verifies as a device walks it: 2 by 1's threshold and its own. */
        struct tuf_metadata *r1 = dfx_root_md(f, 1), *r2 = dfx_root_md(f, 2), *newest = dfx_root_md(f, 0);
        assert_int_equal(tuf_verify_role(r1, TUF_ROLE_ROOT, r2, NULL, &err), 0);
        assert_int_equal(tuf_verify_role(r2, TUF_ROLE_ROOT, r2, NULL, &err), 0);
        assert_int_equal(newest->version, 2);
        tuf_metadata_free(r1);
        tuf_metadata_free(r2);
        tuf_metadata_free(newest);
}

/* ---- targets ---- */

static void test_targets_exactly_the_device_image(void **state) {
        struct dfx *f = *state;
        setup_assigned(f);
        struct tuf_metadata *md = dfx_targets(f, "D1");
        assert_int_equal(md->version, DFX_NOW);
        assert_int_equal(md->expires, DFX_NOW + 86400);
        assert_int_equal(md->n_targets, 1);
        const struct tuf_target *t = tuf_metadata_find_target(md, "1.2.0/rootfs.img");
        assert_non_null(t);
        const char *content = "1.2.0/rootfs.img";
        uint8_t sha[SHA256_LEN];
        hash_sha256(content, strlen(content), sha);
        assert_int_equal(t->length, strlen(content));
        assert_memory_equal(t->sha256, sha, SHA256_LEN);
        assert_string_equal(cr_json_get_string(t->custom, "serial"), "D1");
        assert_string_equal(cr_json_get_string(t->custom, "hardware_id"), "T1-EU/rev-C");
        assert_string_equal(cr_json_get_string(t->custom, "product"), "T1-EU");
        assert_string_equal(cr_json_get_string(t->custom, "release"), "1.2.0");
        assert_int_equal(json_integer_value(json_object_get(t->custom, "security_version")), 7);
        assert_int_equal(json_array_size(json_object_get(t->custom, "hardware_revisions")), 2);

        /* Signed by the online key, which the director root names as targets key:
         * exactly what a device verifies. */
        struct error err = {0};
        struct tuf_metadata *root = dfx_root_md(f, 0);
        struct tuf_verify_result vr;
        assert_int_equal(tuf_verify_role(root, TUF_ROLE_TARGETS, md, &vr, &err), 0);
        assert_int_equal(vr.valid, 1);
        assert_int_equal(json_array_size(md->signatures), 1);
        assert_string_equal(json_string_value(json_object_get(json_array_get(md->signatures, 0), "keyid")),
                            tuf_key_id(f->online));
        /* Not verifiable as another role (the online key is targets only). */
        assert_int_equal(tuf_verify_role(root, TUF_ROLE_ROOT, md, NULL, &err), -1);
        tuf_metadata_free(root);
        tuf_metadata_free(md);

        /* Another device gets no targets, but valid metadata of its own. */
        md = dfx_targets(f, "D2");
        assert_int_equal(md->n_targets, 0);
        assert_int_equal(md->version, DFX_NOW);
        tuf_metadata_free(md);

        /* Seen. */
        assert_int_equal(raw_int(f->id->t->db, "SELECT last_seen FROM device_update_state s JOIN devices d "
                                               "ON d.id = s.device_id WHERE d.serial = 'D1'"),
                         DFX_NOW);
}

static void test_targets_reused_until_half_life(void **state) {
        struct dfx *f = *state;
        setup_assigned(f);
        char *a = dfx_targets_bytes(f, "D1");
        char *b = dfx_targets_bytes(f, "D1");
        assert_string_equal(a, b); /* the stored bytes: same version, same signature */
        f->dc.now = DFX_NOW + 43199;
        char *c = dfx_targets_bytes(f, "D1");
        assert_string_equal(a, c);
        assert_int_equal(raw_int(f->id->t->db, "SELECT count(*) FROM director_targets"), 1);

        /* Past half its lifetime: a new version with a new expiry. */
        f->dc.now = DFX_NOW + 43200;
        struct tuf_metadata *md = dfx_targets(f, "D1");
        assert_int_equal(md->version, DFX_NOW + 43200);
        assert_int_equal(md->expires, DFX_NOW + 43200 + 86400);
        assert_int_equal(md->n_targets, 1);
        tuf_metadata_free(md);

        /* A configured expiry applies to the next signature. */
        f->dc.expiry = 3600;
        f->dc.now = DFX_NOW + 43200 + 43200;
        md = dfx_targets(f, "D1");
        assert_int_equal(md->version, DFX_NOW + 86400);
        assert_int_equal(md->expires, f->dc.now + 3600);
        tuf_metadata_free(md);
        free(a);
        free(b);
        free(c);
}

/* Per-device metadata whose commit fails is not served; the device keeps
 * the version it had, and the next request signs and serves a higher one. */
static void test_targets_commit_failure(void **state) {
#ifndef CRADLE_FAULT_INJECTION
        skip();
#endif
        struct dfx *f = *state;
        setup_assigned(f);
        char *a = dfx_targets_bytes(f, "D1");
        f->dc.now = DFX_NOW + 43200; /* due for a new version */
        setenv("CRADLE_FAULT", "director.targets.commit:fail", 1);
        char *bytes = NULL;
        size_t len = 0;
        struct error err = {0};
        assert_int_equal(director_targets_for_device(&f->dc, "D1", &bytes, &len, &err), -1);
        unsetenv("CRADLE_FAULT");
        assert_null(bytes);
        assert_int_equal(err.kind, ERROR_DB);
        assert_int_equal(raw_int(f->id->t->db, "SELECT version FROM director_targets"), DFX_NOW);
        struct tuf_metadata *md = dfx_targets(f, "D1");
        assert_int_equal(md->version, DFX_NOW + 43200);
        tuf_metadata_free(md);
        free(a);
}

static void test_targets_version_grows_on_change(void **state) {
        struct dfx *f = *state;
        int64_t r1 = setup_assigned(f);
        struct tuf_metadata *md = dfx_targets(f, "D1");
        assert_int_equal(md->version, DFX_NOW);
        tuf_metadata_free(md);

        /* A newer release assigned: new content, next version. */
        const char *const two[] = {"boot.img", "rootfs.img", NULL};
        int64_t r2 = dfx_release(f, f->id->product_id, "1.3.0", 8, "[\"rev-C\"]", "published", two);
        char body[96];
        snprintf(body, sizeof(body), "{\"release_id\": %lld, \"devices\": [\"D1\"]}", (long long) r2);
        struct error err;
        assert_int_equal(dfx_assign(f, body, &err), ERROR_NONE);
        md = dfx_targets(f, "D1");
        assert_int_equal(md->version, DFX_NOW + 1);
        assert_int_equal(md->n_targets, 2);
        assert_non_null(tuf_metadata_find_target(md, "1.3.0/boot.img"));
        assert_non_null(tuf_metadata_find_target(md, "1.3.0/rootfs.img"));
        assert_null(tuf_metadata_find_target(md, "1.2.0/rootfs.img"));
        tuf_metadata_free(md);

        /* Back to the first release: content changes again, the version still only grows. */
        snprintf(body, sizeof(body), "{\"release_id\": %lld, \"devices\": [\"D1\"]}", (long long) r1);
        assert_int_equal(dfx_assign(f, body, &err), ERROR_NONE);
        md = dfx_targets(f, "D1");
        assert_int_equal(md->version, DFX_NOW + 2);
        assert_non_null(tuf_metadata_find_target(md, "1.2.0/rootfs.img"));
        tuf_metadata_free(md);

        /* A root rotation re-signs under the new root, with the next version. */
        json_t *root = dfx_root(f, 2, DFX_NOW + 86400, 1, 2, 2, NULL, (const int[]){0, 1, 2, -1});
        assert_int_equal(dfx_install(f, root, &err), ERROR_NONE);
        json_decref(root);
        md = dfx_targets(f, "D1");
        assert_int_equal(md->version, DFX_NOW + 3);
        struct tuf_metadata *r2md = dfx_root_md(f, 2);
        assert_int_equal(tuf_verify_role(r2md, TUF_ROLE_TARGETS, md, NULL, &err), 0);
        tuf_metadata_free(r2md);
        tuf_metadata_free(md);

        /* Never behind the clock: a device that polls for the first time an hour
         * later gets a version above anything signed for another device before. */
        dfx_enroll(f, "D3");
        f->dc.now = DFX_NOW + 3600;
        md = dfx_targets(f, "D3");
        assert_int_equal(md->version, DFX_NOW + 3600);
        tuf_metadata_free(md);
        /* and the next change for D1 jumps to the clock too */
        snprintf(body, sizeof(body), "{\"release_id\": %lld, \"devices\": [\"D1\"]}", (long long) r2);
        assert_int_equal(dfx_assign(f, body, &err), ERROR_NONE);
        md = dfx_targets(f, "D1");
        assert_int_equal(md->version, DFX_NOW + 3600);
        tuf_metadata_free(md);
}

static void test_withdrawn_release_no_longer_offered(void **state) {
        struct dfx *f = *state;
        int64_t rel = setup_assigned(f);
        struct tuf_metadata *md = dfx_targets(f, "D1");
        assert_int_equal(md->n_targets, 1);
        tuf_metadata_free(md);
        dfx_release_status(f, rel, "withdrawn");
        md = dfx_targets(f, "D1");
        assert_int_equal(md->n_targets, 0);
        assert_int_equal(md->version, DFX_NOW + 1);
        tuf_metadata_free(md);

        /* And it can no longer be assigned. */
        char body[96];
        snprintf(body, sizeof(body), "{\"release_id\": %lld, \"devices\": [\"D2\"]}", (long long) rel);
        struct error err;
        assert_int_equal(dfx_assign(f, body, &err), ERROR_CONFLICT);
        assert_error(err, ERROR_CONFLICT, "is withdrawn; only a published release can be assigned");
}

static void test_targets_without_root_or_device(void **state) {
        struct dfx *f = *state;
        dfx_enroll(f, "D1");
        char *bytes = NULL;
        size_t len;
        struct error err = {0};
        assert_int_equal(director_targets_for_device(&f->dc, "D1", &bytes, &len, &err), -1);
        assert_error(err, ERROR_NOT_FOUND, "no root yet");
        dfx_init(f);
        assert_int_equal(director_targets_for_device(&f->dc, "NOPE", &bytes, &len, &err), -1);
        assert_error(err, ERROR_NOT_FOUND, "no device with serial 'NOPE'");
        assert_null(bytes);
}

/* ---- assignments and tags ---- */

static void test_assign_refusals(void **state) {
        struct dfx *f = *state;
        dfx_init(f);
        dfx_enroll(f, "D1");
        dfx_enroll(f, "D2");
        struct error err;
        char body[160];
        int64_t wrong_hw = dfx_release(f, f->id->product_id, "2.0.0", 9, "[\"rev-A\",\"rev-B\"]", "published", rootfs);
        snprintf(body, sizeof(body), "{\"release_id\": %lld, \"devices\": [\"D1\"]}", (long long) wrong_hw);
        assert_int_equal(dfx_assign(f, body, &err), ERROR_CONFLICT);
        assert_error(err, ERROR_CONFLICT, "device D1 has hardware revision rev-C; release");
        assert_error(err, ERROR_CONFLICT, "supports rev-A, rev-B");

        int64_t other_product = idfx_product_create(f->id, "T2-US");
        int64_t other = dfx_release(f, other_product, "1.0.0", 1, "[\"rev-C\"]", "published", rootfs);
        snprintf(body, sizeof(body), "{\"release_id\": %lld, \"devices\": [\"D2\"]}", (long long) other);
        assert_int_equal(dfx_assign(f, body, &err), ERROR_CONFLICT);
        assert_error(err, ERROR_CONFLICT, "device D2 is a T1-EU; release");
        assert_error(err, ERROR_CONFLICT, "is for T2-US");

        int64_t draft = dfx_release(f, f->id->product_id, "2.1.0", 9, "[\"rev-C\"]", "draft", rootfs);
        int64_t signed_rel = dfx_release(f, f->id->product_id, "2.2.0", 9, "[\"rev-C\"]", "signed", rootfs);
        snprintf(body, sizeof(body), "{\"release_id\": %lld, \"devices\": [\"D1\"]}", (long long) draft);
        assert_int_equal(dfx_assign(f, body, &err), ERROR_CONFLICT);
        assert_error(err, ERROR_CONFLICT, "is draft");
        snprintf(body, sizeof(body), "{\"release_id\": %lld, \"devices\": [\"D1\"]}", (long long) signed_rel);
        assert_int_equal(dfx_assign(f, body, &err), ERROR_CONFLICT);
        assert_error(err, ERROR_CONFLICT, "is signed");

        int64_t good = dfx_release(f, f->id->product_id, "1.2.0", 7, "[\"rev-C\"]", "published", rootfs);
        /* All or nothing: one unknown serial refuses the list. */
        snprintf(body, sizeof(body), "{\"release_id\": %lld, \"devices\": [\"D1\", \"D9\"]}", (long long) good);
        assert_int_equal(dfx_assign(f, body, &err), ERROR_NOT_FOUND);
        assert_error(err, ERROR_NOT_FOUND, "no device with serial 'D9'");
        assert_int_equal(raw_int(f->id->t->db, "SELECT count(*) FROM device_assignments"), 0);
        assert_int_equal(idfx_audit_count(f->id, "device.assign", NULL), 0);

        static const struct {
                const char *body;
                enum error_kind kind;
                const char *msg;
        } bad[] = {
                {"{\"release_id\": 999, \"devices\": [\"D1\"]}", ERROR_NOT_FOUND, "no release with id 999"},
                {"{\"release_id\": 1}", ERROR_INVALID, "not neither"},
                {"{\"release_id\": 1, \"devices\": [\"D1\"], \"tag\": \"x\"}", ERROR_INVALID, "not both"},
                {"{\"release_id\": 0, \"devices\": [\"D1\"]}", ERROR_INVALID, "positive integer"},
                {"{\"release_id\": \"1\", \"devices\": [\"D1\"]}", ERROR_INVALID, "release_id"},
                {"{\"release_id\": 1, \"devices\": []}", ERROR_INVALID, "at least one"},
                {"{\"release_id\": 1, \"devices\": [\"D1\", \"D1\"]}", ERROR_INVALID, "given twice"},
                {"{\"release_id\": 1, \"devices\": [\"D 1\"]}", ERROR_INVALID, "element 0"},
                {"{\"release_id\": 1, \"devices\": [7]}", ERROR_INVALID, "expected a string"},
                {"{\"release_id\": 1, \"tag\": \"Upper\"}", ERROR_INVALID, "is not a tag"},
                {"{\"release_id\": 1, \"tag\": \"nobody\"}", ERROR_NOT_FOUND, "no device has tag 'nobody'"},
                {"{\"release_id\": 1, \"devices\": [\"D1\"], \"when\": 1}", ERROR_INVALID, "when"},
        };
        /* (release 1 is 2.0.0, published: the body checks come first for the shapes above) */
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                enum error_kind k = dfx_assign(f, bad[i].body, &err);
                if (k != bad[i].kind || !strstr(err.msg, bad[i].msg))
                        fail_msg("%s: got kind %d '%s', expected %d '%s'", bad[i].body, (int) k, err.msg,
                                 (int) bad[i].kind, bad[i].msg);
        }
        /* A decommissioned device is refused by name. */
        assert_int_equal(identity_decommission(&f->id->ic, &idfx_admin, "D2", &err), 0);
        snprintf(body, sizeof(body), "{\"release_id\": %lld, \"devices\": [\"D2\"]}", (long long) good);
        assert_int_equal(dfx_assign(f, body, &err), ERROR_CONFLICT);
        assert_error(err, ERROR_CONFLICT, "device D2 is decommissioned");
}

static void test_assign_by_tag_and_tags(void **state) {
        struct dfx *f = *state;
        dfx_init(f);
        dfx_enroll(f, "D1");
        dfx_enroll(f, "D2");
        dfx_enroll(f, "D3");
        struct error err;
        assert_int_equal(dfx_tags(f, "D1", "{\"tags\": [\"pilot\", \"eu-west\"]}", &err), ERROR_NONE);
        assert_int_equal(dfx_tags(f, "D2", "{\"tags\": [\"pilot\"]}", &err), ERROR_NONE);
        assert_int_equal(dfx_tags(f, "D3", "{\"tags\": [\"field\"]}", &err), ERROR_NONE);
        assert_int_equal(idfx_audit_count(f->id, "device.tags.set", "pilot"), 2);

        /* Tags show on the device record, sorted. */
        json_t *dev = NULL;
        assert_int_equal(identity_device_get(f->id->s, "D1", &dev, &err), 0);
        json_t *tags = json_object_get(dev, "tags");
        assert_int_equal(json_array_size(tags), 2);
        assert_string_equal(json_string_value(json_array_get(tags, 0)), "eu-west");
        assert_string_equal(json_string_value(json_array_get(tags, 1)), "pilot");
        assert_true(json_is_null(json_object_get(dev, "assigned_release_id")));
        json_decref(dev);

        int64_t rel = dfx_release(f, f->id->product_id, "1.2.0", 7, "[\"rev-C\"]", "published", rootfs);
        char body[96];
        snprintf(body, sizeof(body), "{\"release_id\": %lld, \"tag\": \"pilot\"}", (long long) rel);
        json_t *b = idfx_json(body), *out = NULL;
        assert_int_equal(director_assign(f->id->s, &dfx_release_manager, b, &out, &err), 0);
        assert_string_equal(json_string_value(json_object_get(out, "tag")), "pilot");
        assert_int_equal(json_array_size(json_object_get(out, "devices")), 2);
        json_decref(b);
        json_decref(out);
        assert_int_equal(idfx_audit_count(f->id, "device.assign", "\"tag\":\"pilot\""), 2);
        assert_int_equal(raw_int(f->id->t->db, "SELECT count(*) FROM audit_log WHERE action = 'device.assign' "
                                               "AND object = 'device:D1' AND actor_name = 'rm-1'"),
                         1);

        struct tuf_metadata *md = dfx_targets(f, "D2");
        assert_int_equal(md->n_targets, 1);
        tuf_metadata_free(md);
        md = dfx_targets(f, "D3");
        assert_int_equal(md->n_targets, 0);
        tuf_metadata_free(md);
        assert_int_equal(identity_device_get(f->id->s, "D2", &dev, &err), 0);
        assert_int_equal(json_integer_value(json_object_get(dev, "assigned_release_id")), rel);
        json_decref(dev);

        /* Replacing tags; clearing them. */
        assert_int_equal(dfx_tags(f, "D1", "{\"tags\": []}", &err), ERROR_NONE);
        assert_int_equal(raw_int(f->id->t->db, "SELECT count(*) FROM device_tags t JOIN devices d ON d.id = "
                                               "t.device_id WHERE d.serial = 'D1'"),
                         0);

        static const struct {
                const char *serial, *body;
                enum error_kind kind;
                const char *msg;
        } bad[] = {
                {"D1", "{\"tags\": [\"a\", \"a\"]}", ERROR_INVALID, "given twice"},
                {"D1", "{\"tags\": [\"A\"]}", ERROR_INVALID, "is not a tag"},
                {"D1", "{\"tags\": [\"\"]}", ERROR_INVALID, "1..32 characters"},
                {"D1", "{\"tags\": [\"abcdefghijklmnopqrstuvwxyz0123456\"]}", ERROR_INVALID, "1..32 characters"},
                {"D1", "{\"tags\": [\"a/b\"]}", ERROR_INVALID, "is not a tag"},
                {"D1", "{\"tags\": \"a\"}", ERROR_INVALID, "tags"},
                {"D1", "{}", ERROR_INVALID, "tags"},
                {"D1", "{\"tags\": [\"a\"], \"x\": 1}", ERROR_INVALID, "x"},
                {"D9", "{\"tags\": [\"a\"]}", ERROR_NOT_FOUND, "no device with serial 'D9'"},
        };
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                enum error_kind k = dfx_tags(f, bad[i].serial, bad[i].body, &err);
                if (k != bad[i].kind || !strstr(err.msg, bad[i].msg))
                        fail_msg("%s: got kind %d '%s', expected %d '%s'", bad[i].body, (int) k, err.msg,
                                 (int) bad[i].kind, bad[i].msg);
        }
        /* 33 tags are too many. */
        struct buf many = {0};
        buf_appendf(&many, "{\"tags\": [");
        for (int i = 0; i < 33; i++)
                buf_appendf(&many, "%s\"t%d\"", i ? ", " : "", i);
        buf_appendf(&many, "]}");
        char *text = buf_steal(&many);
        assert_int_equal(dfx_tags(f, "D2", text, &err), ERROR_INVALID);
        assert_error(err, ERROR_INVALID, "more than 32");
        free(text);
}

/* A hardware revision that changes after assignment (re-provisioning) stops the offer. */
static void test_targets_follow_hardware(void **state) {
        struct dfx *f = *state;
        setup_assigned(f);
        struct tuf_metadata *md = dfx_targets(f, "D1");
        assert_int_equal(md->n_targets, 1);
        tuf_metadata_free(md);
        raw_exec(f->id->t->db, "UPDATE devices SET hardware_revision = 'rev-Z' WHERE serial = 'D1'");
        md = dfx_targets(f, "D1");
        assert_int_equal(md->n_targets, 0);
        tuf_metadata_free(md);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_online_key_generated_once, setup, teardown),
                cmocka_unit_test_setup_teardown(test_configured_key_never_generated, setup, teardown),
                cmocka_unit_test_setup_teardown(test_root_install_and_serve, setup, teardown),
                cmocka_unit_test_setup_teardown(test_root_refusals, setup, teardown),
                cmocka_unit_test_setup_teardown(test_root_rotation, setup, teardown),
                cmocka_unit_test_setup_teardown(test_targets_exactly_the_device_image, setup, teardown),
                cmocka_unit_test_setup_teardown(test_targets_reused_until_half_life, setup, teardown),
                cmocka_unit_test_setup_teardown(test_targets_commit_failure, setup, teardown),
                cmocka_unit_test_setup_teardown(test_targets_version_grows_on_change, setup, teardown),
                cmocka_unit_test_setup_teardown(test_withdrawn_release_no_longer_offered, setup, teardown),
                cmocka_unit_test_setup_teardown(test_targets_without_root_or_device, setup, teardown),
                cmocka_unit_test_setup_teardown(test_assign_refusals, setup, teardown),
                cmocka_unit_test_setup_teardown(test_assign_by_tag_and_tags, setup, teardown),
                cmocka_unit_test_setup_teardown(test_targets_follow_hardware, setup, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

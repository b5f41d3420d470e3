/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The per-product TUF image repository end to end on a temp data directory:
 * root installation and its refusals, prepare -> 2-of-3 offline signatures ->
 * publish, the files a client sees (checked with the TUF client of
 * src/tuf/client.h over a directory fetcher), the publish conflict, the
 * re-signing of timestamp and snapshot by repo_maintain, repairs, and root
 * rotation (accepted, refused, with new online keys).
 */
#include "testutil-ota.h"
#include "director/director.h"
#include "testutil-softhsm.h"

#include <sys/stat.h>

#include "core/time.h"
#include "store/store-release.h"
#include "tuf/client.h"
#include "tuf/fetcher.h"
#include "tuf/verify.h"

#define NOW 1800000000 /* 2027-01-15 */

#define assert_error_contains(e, s)                                                         \
        do {                                                                                \
                if (!strstr((e).msg, (s)))                                                  \
                        fail_msg("error \"%s\" does not contain \"%s\"", (e).msg, (s));     \
        } while (0)

static int setup(void **state) {
        *state = ota_fx_new(NOW);
        return 0;
}

static int teardown(void **state) {
        ota_fx_free(*state);
        return 0;
}

static bool repo_has(struct ota_fx *f, const char *name) {
        _cleanup_free_ char *p = ota_fx_repo_path(f, name);
        return file_exists(p);
}

static char *repo_read(struct ota_fx *f, const char *name, size_t *len) {
        _cleanup_free_ char *p = ota_fx_repo_path(f, name);
        struct error err = { 0 };
        char *data = NULL;
        ota_fx_ok(file_read_all(p, 16 << 20, &data, len, &err), err);
        return data;
}

static int64_t file_version(struct ota_fx *f, const char *name) {
        size_t len;
        _cleanup_free_ char *data = repo_read(f, name, &len);
        _cleanup_json_ json_t *j = json_loads(data, 0, NULL);
        return json_integer_value(json_object_get(json_object_get(j, "signed"), "version"));
}

static const char *jstr(json_t *j, const char *k) {
        return json_string_value(json_object_get(j, k));
}

static int64_t jint(json_t *j, const char *k) {
        return json_integer_value(json_object_get(j, k));
}

/* A client refresh against the published repository: the image is found
 * with its length, hash and custom fields, and fetched. */
struct client_run {
        char store[300];
        struct tuf_dir_fetcher meta, tgt;
        char tgt_dir[300];
};

static struct tuf_client *client_open(struct ota_fx *f, struct client_run *cr, int64_t now) {
        struct error err = { 0 };
        snprintf(cr->store, sizeof(cr->store), "%s/client", f->t->dir);
        ota_fx_ok(dir_create(cr->store, 0700, &err), err);
        ota_fx_ok(tuf_client_store_init(cr->store, f->root_json, f->root_len, &err), err);
        cr->meta.base_dir = str_printf("%s/repo/" OTA_FX_MODEL, f->t->dir);
        snprintf(cr->tgt_dir, sizeof(cr->tgt_dir), "%s/repo/" OTA_FX_MODEL "/targets", f->t->dir);
        cr->tgt.base_dir = cr->tgt_dir;
        struct tuf_client_config cfg = {
                .store_dir = cr->store,
                .metadata = tuf_dir_fetcher(&cr->meta),
                .targets = tuf_dir_fetcher(&cr->tgt),
                .now = now,
        };
        struct tuf_client *c = NULL;
        ota_fx_ok(tuf_client_new(&cfg, &c, &err), err);
        return c;
}

static void client_close(struct tuf_client *c, struct client_run *cr) {
        tuf_client_free(c);
        free((char *) cr->meta.base_dir);
}

/* ---- root installation ---- */

static void test_online_keys_once(void **state) {
        struct ota_fx *f = *state;
        struct error err = { 0 };
        _cleanup_json_ json_t *a = NULL, *b = NULL;
        ota_fx_ok(repo_online_keys(&f->c, &ota_fx_actor, OTA_FX_MODEL, &a, &err), err);
        ota_fx_ok(repo_online_keys(&f->c, &ota_fx_actor, OTA_FX_MODEL, &b, &err), err);
        assert_string_equal(jstr(json_object_get(a, "snapshot"), "keyid"), tuf_key_id(f->snapshot_tk));
        assert_string_equal(jstr(json_object_get(a, "timestamp"), "keyid"), tuf_key_id(f->timestamp_tk));
        assert_true(json_equal(a, b));
        assert_true(json_is_null(json_object_get(a, "next")));
        /* The key files are private, and generated once. */
        _cleanup_free_ char *path = str_printf("%s/repo-keys/" OTA_FX_MODEL "/snapshot.key", f->t->dir);
        struct stat st;
        assert_int_equal(stat(path, &st), 0);
        assert_int_equal(st.st_mode & 0777, 0600);
        assert_int_equal(raw_int(f->t->db, "SELECT count(*) FROM audit_log WHERE action = 'repo.online-keys'"), 1);
        /* The unknown product. */
        _cleanup_json_ json_t *c = NULL;
        assert_int_equal(repo_online_keys(&f->c, &ota_fx_actor, "NOPE", &c, &err), -1);
        assert_int_equal(err.kind, ERROR_NOT_FOUND);
}

static void test_root_installed(void **state) {
        struct ota_fx *f = *state;
        assert_true(repo_has(f, "1.root.json"));
        assert_true(repo_has(f, "root.json"));
        assert_false(repo_has(f, "timestamp.json")); /* nothing published yet */
        struct error err = { 0 };
        _cleanup_json_ json_t *st = NULL;
        ota_fx_ok(repo_status(&f->c, OTA_FX_MODEL, &st, &err), err);
        assert_int_equal(jint(json_object_get(st, "root"), "version"), 1);
        assert_int_equal(jint(json_object_get(st, "targets"), "threshold"), 2);
        assert_int_equal(json_array_size(json_object_get(json_object_get(st, "targets"), "keyids")), 3);
        assert_int_equal(jint(json_object_get(st, "targets"), "version"), 0);
        assert_string_equal(jstr(st, "url"), "/repo/" OTA_FX_MODEL "/");
        assert_true(json_is_true(json_object_get(st, "consistent_snapshot")));
        /* A second repository for the product is refused. */
        static const int ri[] = { 0 }, ti[] = { 0 }, sg[] = { 0 };
        json_t *root = ota_fx_root(f, 1, NOW + OTA_FX_DAY, ri, 1, 1, ti, 1, 1, f->snapshot_tk, f->timestamp_tk, sg, 1);
        _cleanup_json_ json_t *req = json_pack("{s:s, s:o}", "product", OTA_FX_MODEL, "root", root);
        _cleanup_json_ json_t *out = NULL;
        assert_int_equal(repo_create(&f->c, &ota_fx_actor, req, &out, &err), -1);
        assert_int_equal(err.kind, ERROR_CONFLICT);
        assert_error_contains(err, "rotate");
}

/* A second product to install roots on. */
static void add_product(struct ota_fx *f, const char *model) {
        struct error err = { 0 };
        _cleanup_free_ char *text = str_printf(
                "{\"name\": \"X\", \"model\": \"%s\", \"manufacturer\": {\"name\": \"Acme\", \"address\": \"A\","
                " \"contact\": \"security@acme.example\"}, \"support\": {\"start\": \"2026-01-01\", \"end\":"
                " \"2031-12-31\"}, \"member_states\": [\"DE\"]}",
                model);
        _cleanup_json_ json_t *body = json_loads(text, 0, NULL), *out = NULL;
        ota_fx_ok(product_create(f->s, &ota_fx_actor, body, &out, &err), err);
}

static void expect_root_refused(struct ota_fx *f, const char *model, json_t *root, enum error_kind kind,
                                const char *msg) {
        struct error err = { 0 };
        _cleanup_json_ json_t *req = json_pack("{s:s, s:o}", "product", model, "root", root);
        _cleanup_json_ json_t *out = NULL;
        if (repo_create(&f->c, &ota_fx_actor, req, &out, &err) == 0)
                fail_msg("root accepted; expected a refusal with \"%s\"", msg);
        assert_int_equal(err.kind, kind);
        assert_error_contains(err, msg);
}

static void test_root_refusals(void **state) {
        struct ota_fx *f = *state;
        struct error err = { 0 };
        add_product(f, "T2");
        static const int r0[] = { 0 }, r01[] = { 0, 1 }, t0[] = { 0 }, s0[] = { 0 }, s1[] = { 1 };

        /* No online keys yet for T2. */
        expect_root_refused(f, "T2", ota_fx_root(f, 1, NOW + OTA_FX_DAY, r0, 1, 1, t0, 1, 1, f->snapshot_tk,
                                                 f->timestamp_tk, s0, 1),
                            ERROR_CONFLICT, "online-keys");
        _cleanup_json_ json_t *keys = NULL;
        ota_fx_ok(repo_online_keys(&f->c, &ota_fx_actor, "T2", &keys, &err), err);
        struct tuf_key *snap = ota_fx_online_key(keys, "snapshot"), *ts = ota_fx_online_key(keys, "timestamp");

        /* Another product's online keys. */
        expect_root_refused(f, "T2", ota_fx_root(f, 1, NOW + OTA_FX_DAY, r0, 1, 1, t0, 1, 1, f->snapshot_tk,
                                                 f->timestamp_tk, s0, 1),
                            ERROR_INVALID, "online key");
        /* Snapshot and timestamp swapped. */
        expect_root_refused(f, "T2", ota_fx_root(f, 1, NOW + OTA_FX_DAY, r0, 1, 1, t0, 1, 1, ts, snap, s0, 1),
                            ERROR_INVALID, "online key");
        /* Not signed by its own threshold: 2 of 2, one signature; a wrong signer. */
        expect_root_refused(f, "T2", ota_fx_root(f, 1, NOW + OTA_FX_DAY, r01, 2, 2, t0, 1, 1, snap, ts, s0, 1),
                            ERROR_INVALID, "1 valid of threshold 2");
        expect_root_refused(f, "T2", ota_fx_root(f, 1, NOW + OTA_FX_DAY, r0, 1, 1, t0, 1, 1, snap, ts, s1, 1),
                            ERROR_INVALID, "0 valid of threshold 1");
        /* Expired; a version other than 1. */
        expect_root_refused(f, "T2", ota_fx_root(f, 1, NOW - 1, r0, 1, 1, t0, 1, 1, snap, ts, s0, 1), ERROR_INVALID,
                            "expired");
        expect_root_refused(f, "T2", ota_fx_root(f, 2, NOW + OTA_FX_DAY, r0, 1, 1, t0, 1, 1, snap, ts, s0, 1),
                            ERROR_INVALID, "version 1");
        /* Not metadata at all. */
        expect_root_refused(f, "T2", json_pack("{s:{s:s}, s:[]}", "signed", "_type", "root", "signatures"),
                            ERROR_INVALID, "root");

        /* The right one works. */
        json_t *good = ota_fx_root(f, 1, NOW + OTA_FX_DAY, r0, 1, 1, t0, 1, 1, snap, ts, s0, 1);
        _cleanup_json_ json_t *req = json_pack("{s:s, s:o}", "product", "T2", "root", good), *out = NULL;
        ota_fx_ok(repo_create(&f->c, &ota_fx_actor, req, &out, &err), err);
        tuf_key_free(snap);
        tuf_key_free(ts);
}

/* ---- the signing flow ---- */

static void test_prepare_sign_publish(void **state) {
        struct ota_fx *f = *state;
        struct error err = { 0 };
        const char *content = "firmware image 1.0.0 for the T1";
        int64_t id = ota_fx_draft(f, "1.0.0", 1, "rootfs.img", content);

        /* Signing before prepare is refused. */
        _cleanup_json_ json_t *none = NULL;
        assert_int_equal(ota_fx_sign(f, id, 0, &none, &err), -1);
        assert_int_equal(err.kind, ERROR_CONFLICT);
        assert_error_contains(err, "prepare");

        _cleanup_json_ json_t *prep = NULL;
        ota_fx_ok(repo_release_prepare(&f->c, &ota_fx_actor, id, &prep, &err), err);
        assert_int_equal(jint(prep, "version"), 1);
        assert_int_equal(jint(prep, "threshold"), 2);
        assert_int_equal(jint(prep, "valid_signatures"), 0);
        json_t *signed_obj = json_object_get(prep, "signed");
        assert_string_equal(jstr(signed_obj, "_type"), "targets");
        json_t *t = json_object_get(json_object_get(signed_obj, "targets"), "1.0.0/rootfs.img");
        assert_non_null(t);
        assert_int_equal(jint(t, "length"), (int64_t) strlen(content));
        char hex[SHA256_HEX_LEN];
        hash_sha256_hex(content, strlen(content), hex);
        assert_string_equal(jstr(json_object_get(t, "hashes"), "sha256"), hex);
        json_t *custom = json_object_get(t, "custom");
        assert_string_equal(jstr(custom, "release"), "1.0.0");
        assert_int_equal(jint(custom, "security_version"), 1);
        assert_string_equal(jstr(custom, "product"), OTA_FX_MODEL);
        assert_int_equal(json_array_size(json_object_get(custom, "hardware_revisions")), 2);
        /* Expires after [ota] targets_expiry (365 days by default). */
        char want[TIME_RFC3339_LEN];
        time_format_rfc3339(NOW + 365 * OTA_FX_DAY, want);
        assert_string_equal(jstr(signed_obj, "expires"), want);

        /* Publishing a draft is refused. */
        _cleanup_json_ json_t *p0 = NULL;
        assert_int_equal(repo_release_publish(&f->c, &ota_fx_actor, id, &p0, &err), -1);
        assert_error_contains(err, "draft");

        /* Key 0: one of two, still a draft. */
        _cleanup_json_ json_t *s1 = NULL, *s1b = NULL, *s2 = NULL, *s3 = NULL;
        ota_fx_ok(ota_fx_sign(f, id, 0, &s1, &err), err);
        assert_string_equal(jstr(s1, "status"), "draft");
        assert_int_equal(jint(s1, "valid_signatures"), 1);
        /* The same key again: refused. */
        assert_int_equal(ota_fx_sign(f, id, 0, &s1b, &err), -1);
        assert_int_equal(err.kind, ERROR_CONFLICT);
        assert_error_contains(err, "already signed");
        /* A root key is not a targets key. */
        {
                _cleanup_json_ json_t *md = NULL;
                ota_fx_ok(repo_release_targets_metadata(&f->c, id, &md, &err), err);
                _cleanup_json_ json_t *doc = json_pack("{s:O, s:[]}", "signed", json_object_get(md, "signed"),
                                                       "signatures");
                size_t len;
                _cleanup_free_ char *bytes = tuf_signed_bytes(doc, &len, &err);
                char keyid[TUF_KEYID_HEX_LEN];
                _cleanup_free_ char *sig = NULL;
                ota_fx_ok(tuf_sign_bytes(f->root[0], bytes, len, keyid, &sig, &err), err);
                _cleanup_json_ json_t *body = json_pack("{s:s, s:s}", "keyid", keyid, "sig", sig), *out = NULL;
                assert_int_equal(repo_release_sign(&f->c, &ota_fx_actor, id, body, &out, &err), -1);
                assert_int_equal(err.kind, ERROR_INVALID);
                assert_error_contains(err, "targets");
                /* Key 2's keyid with key 0's signature: does not verify. */
                _cleanup_free_ char *sig0 = NULL;
                ota_fx_ok(tuf_sign_bytes(f->targets[0], bytes, len, keyid, &sig0, &err), err);
                _cleanup_json_ json_t *forged = json_pack("{s:s, s:s}", "keyid", tuf_key_id(f->targets_tk[2]), "sig",
                                                          sig0),
                                      *out2 = NULL;
                assert_int_equal(repo_release_sign(&f->c, &ota_fx_actor, id, forged, &out2, &err), -1);
                assert_int_equal(err.kind, ERROR_INVALID);
                assert_error_contains(err, "does not verify");
                /* Malformed input. */
                _cleanup_json_ json_t *bad = json_pack("{s:s, s:s}", "keyid", "xyz", "sig", "00"), *out3 = NULL;
                assert_int_equal(repo_release_sign(&f->c, &ota_fx_actor, id, bad, &out3, &err), -1);
                assert_int_equal(err.kind, ERROR_INVALID);
        }
        /* Key 1: the threshold. */
        ota_fx_ok(ota_fx_sign(f, id, 1, &s2, &err), err);
        assert_string_equal(jstr(s2, "status"), "signed");
        assert_int_equal(jint(s2, "valid_signatures"), 2);
        /* A third signature is still welcome while it is not published. */
        ota_fx_ok(ota_fx_sign(f, id, 2, &s3, &err), err);
        assert_int_equal(jint(s3, "valid_signatures"), 3);
        assert_int_equal(raw_int(f->t->db, "SELECT count(*) FROM audit_log WHERE action = 'release.signature'"), 3);
        assert_int_equal(raw_int(f->t->db, "SELECT count(*) FROM audit_log WHERE action = 'release.signed'"), 1);

        _cleanup_json_ json_t *pub = NULL;
        ota_fx_ok(repo_release_publish(&f->c, &ota_fx_actor, id, &pub, &err), err);
        assert_string_equal(jstr(pub, "status"), "published");
        assert_non_null(jstr(pub, "retain_until"));

        assert_true(repo_has(f, "1.targets.json"));
        assert_true(repo_has(f, "1.snapshot.json"));
        assert_true(repo_has(f, "timestamp.json"));
        _cleanup_free_ char *target = str_printf("targets/1.0.0/%s.rootfs.img", hex);
        assert_true(repo_has(f, target));
        /* A hard link to the stored image, not a copy. */
        _cleanup_free_ char *tp = ota_fx_repo_path(f, target);
        _cleanup_free_ char *ip = str_printf("%s/images/%s", f->t->dir, hex);
        struct stat a, b;
        assert_int_equal(stat(tp, &a), 0);
        assert_int_equal(stat(ip, &b), 0);
        assert_true(a.st_ino == b.st_ino);

        /* What a TUF client makes of it. */
        struct client_run cr = { 0 };
        struct tuf_client *c = client_open(f, &cr, NOW + 60);
        ota_fx_ok(tuf_client_refresh(c, &err), err);
        const struct tuf_target *tt = NULL;
        ota_fx_ok(tuf_client_find_target(c, "1.0.0/rootfs.img", &tt, &err), err);
        assert_int_equal(tt->length, (int64_t) strlen(content));
        assert_int_equal(json_integer_value(json_object_get(tt->custom, "security_version")), 1);
        _cleanup_free_ char *name = tuf_client_target_name(c, tt);
        assert_string_equal(name, target + strlen("targets/"));
        _cleanup_free_ char *bytes = NULL;
        size_t len = 0;
        ota_fx_ok(tuf_client_fetch_target(c, tt, &bytes, &len, &err), err);
        assert_memory_equal(bytes, content, len);
        client_close(c, &cr);

        /* Published: no more signatures, no second publication, no new image. */
        _cleanup_json_ json_t *late = NULL, *again = NULL, *img = NULL;
        assert_int_equal(ota_fx_sign(f, id, 2, &late, &err), -1);
        assert_int_equal(repo_release_publish(&f->c, &ota_fx_actor, id, &again, &err), -1);
        assert_int_equal(err.kind, ERROR_CONFLICT);
        struct release_upload up;
        _cleanup_free_ char *upath = ota_fx_upload(f, "x", 1, &up);
        assert_int_equal(release_add_image(&f->c, &ota_fx_actor, id, "other.img", &up, &img, &err), -1);
        assert_int_equal(err.kind, ERROR_CONFLICT);
}

static void test_second_release_keeps_first(void **state) {
        struct ota_fx *f = *state;
        struct error err = { 0 };
        ota_fx_publish(f, "1.0.0", 1, "rootfs.img", "one");
        int64_t id2 = ota_fx_publish(f, "1.1.0", 2, "rootfs.img", "two");
        assert_int_equal(file_version(f, "2.targets.json"), 2);
        assert_int_equal(file_version(f, "timestamp.json"), 2);
        struct client_run cr = { 0 };
        struct tuf_client *c = client_open(f, &cr, NOW + 60);
        ota_fx_ok(tuf_client_refresh(c, &err), err);
        const struct tuf_target *t1 = NULL, *t2 = NULL;
        ota_fx_ok(tuf_client_find_target(c, "1.0.0/rootfs.img", &t1, &err), err);
        ota_fx_ok(tuf_client_find_target(c, "1.1.0/rootfs.img", &t2, &err), err);
        client_close(c, &cr);

        /* Withdrawn: the next targets metadata leaves it out. */
        _cleanup_json_ json_t *w = NULL, *prep = NULL;
        ota_fx_ok(release_withdraw(&f->c, &ota_fx_actor, id2, "boot loop on r3", &w, &err), err);
        assert_string_equal(jstr(w, "status"), "withdrawn");
        int64_t id3 = ota_fx_draft(f, "1.1.1", 2, "rootfs.img", "three");
        ota_fx_ok(repo_release_prepare(&f->c, &ota_fx_actor, id3, &prep, &err), err);
        json_t *targets = json_object_get(json_object_get(prep, "signed"), "targets");
        assert_non_null(json_object_get(targets, "1.0.0/rootfs.img"));
        assert_null(json_object_get(targets, "1.1.0/rootfs.img"));
        assert_non_null(json_object_get(targets, "1.1.1/rootfs.img"));
        assert_int_equal(jint(prep, "version"), 3);
}

static void test_publish_conflict(void **state) {
        struct ota_fx *f = *state;
        struct error err = { 0 };
        int64_t a = ota_fx_draft(f, "2.0.0", 5, "rootfs.img", "a");
        int64_t b = ota_fx_draft(f, "2.0.1", 5, "rootfs.img", "b");
        _cleanup_json_ json_t *pa = NULL, *pb = NULL, *o = NULL, *pub = NULL, *again = NULL, *pub2 = NULL;
        ota_fx_ok(repo_release_prepare(&f->c, &ota_fx_actor, a, &pa, &err), err);
        ota_fx_ok(repo_release_prepare(&f->c, &ota_fx_actor, b, &pb, &err), err);
        assert_int_equal(jint(pa, "version"), 1);
        assert_int_equal(jint(pb, "version"), 1);
        for (int k = 0; k < 2; k++) {
                _cleanup_json_ json_t *x = NULL, *y = NULL;
                ota_fx_ok(ota_fx_sign(f, a, k, &x, &err), err);
                ota_fx_ok(ota_fx_sign(f, b, k, &y, &err), err);
        }
        ota_fx_ok(repo_release_publish(&f->c, &ota_fx_actor, a, &pub, &err), err);
        assert_int_equal(repo_release_publish(&f->c, &ota_fx_actor, b, &o, &err), -1);
        assert_int_equal(err.kind, ERROR_CONFLICT);
        assert_error_contains(err, "prepare and sign again");
        /* The repository is untouched by the refusal. */
        assert_int_equal(file_version(f, "timestamp.json"), 1);
        assert_false(repo_has(f, "2.targets.json"));
        /* Prepare again: version 2 with both releases, signed anew. */
        ota_fx_ok(repo_release_prepare(&f->c, &ota_fx_actor, b, &again, &err), err);
        assert_int_equal(jint(again, "version"), 2);
        assert_string_equal(jstr(again, "status"), "draft");
        assert_int_equal(json_array_size(json_object_get(again, "signatures")), 0);
        for (int k = 1; k < 3; k++) {
                _cleanup_json_ json_t *x = NULL;
                ota_fx_ok(ota_fx_sign(f, b, k, &x, &err), err);
        }
        ota_fx_ok(repo_release_publish(&f->c, &ota_fx_actor, b, &pub2, &err), err);
        assert_int_equal(file_version(f, "2.targets.json"), 2);
}

static void test_prepare_refusals(void **state) {
        struct ota_fx *f = *state;
        struct error err = { 0 };
        _cleanup_json_ json_t *out = NULL, *r = NULL, *o2 = NULL;
        /* No images. */
        _cleanup_json_ json_t *body = json_pack("{s:s, s:s, s:I, s:[s]}", "product", OTA_FX_MODEL, "version", "9.0",
                                                "security_version", (json_int_t) 1, "hardware_revisions", "r2");
        ota_fx_ok(release_create(&f->c, &ota_fx_actor, body, &r, &err), err);
        int64_t id = jint(r, "id");
        assert_int_equal(repo_release_prepare(&f->c, &ota_fx_actor, id, &out, &err), -1);
        assert_error_contains(err, "no images");
        /* A product without a repository. */
        add_product(f, "T3");
        _cleanup_json_ json_t *body3 = json_pack("{s:s, s:s, s:I, s:[s]}", "product", "T3", "version", "1.0",
                                                 "security_version", (json_int_t) 1, "hardware_revisions", "r1"),
                              *r3 = NULL;
        ota_fx_ok(release_create(&f->c, &ota_fx_actor, body3, &r3, &err), err);
        struct release_upload up;
        _cleanup_free_ char *p = ota_fx_upload(f, "img", 3, &up);
        _cleanup_json_ json_t *r3b = NULL;
        ota_fx_ok(release_add_image(&f->c, &ota_fx_actor, jint(r3, "id"), "a.img", &up, &r3b, &err), err);
        assert_int_equal(repo_release_prepare(&f->c, &ota_fx_actor, jint(r3, "id"), &o2, &err), -1);
        assert_int_equal(err.kind, ERROR_CONFLICT);
        assert_error_contains(err, "cradle repo init");
}

/* An image uploaded after prepare drops the prepared metadata and its signatures. */
static void test_change_after_prepare(void **state) {
        struct ota_fx *f = *state;
        struct error err = { 0 };
        int64_t id = ota_fx_draft(f, "3.0", 1, "rootfs.img", "a");
        _cleanup_json_ json_t *p = NULL, *s = NULL, *img = NULL, *md = NULL;
        ota_fx_ok(repo_release_prepare(&f->c, &ota_fx_actor, id, &p, &err), err);
        ota_fx_ok(ota_fx_sign(f, id, 0, &s, &err), err);
        struct release_upload up;
        _cleanup_free_ char *path = ota_fx_upload(f, "bootloader", 10, &up);
        ota_fx_ok(release_add_image(&f->c, &ota_fx_actor, id, "boot.img", &up, &img, &err), err);
        assert_true(json_is_null(json_object_get(img, "targets")));
        assert_int_equal(repo_release_targets_metadata(&f->c, id, &md, &err), -1);
        assert_int_equal(err.kind, ERROR_CONFLICT);
}

/* ---- maintenance ---- */

static void test_maintain_resigns_timestamp(void **state) {
        struct ota_fx *f = *state;
        struct error err = { 0 };
        struct repo_maintain_report rep;
        /* Nothing published: nothing to do. */
        ota_fx_ok(repo_maintain(&f->c, &rep, &err), err);
        assert_int_equal(rep.repos, 0);
        assert_int_equal(rep.timestamps, 0);

        ota_fx_publish(f, "1.0.0", 1, "rootfs.img", "one");
        assert_int_equal(file_version(f, "timestamp.json"), 1);
        /* Fresh: nothing to do. */
        ota_fx_ok(repo_maintain(&f->c, &rep, &err), err);
        assert_int_equal(rep.repos, 1);
        assert_int_equal(rep.timestamps, 0);

        /* 13 h later: less than half of the 1-day timestamp is left. */
        f->c.now = NOW + 13 * 3600;
        ota_fx_ok(repo_maintain(&f->c, &rep, &err), err);
        assert_int_equal(rep.timestamps, 1);
        assert_int_equal(rep.snapshots, 0);
        assert_int_equal(file_version(f, "timestamp.json"), 2);
        assert_int_equal(raw_int(f->t->db, "SELECT count(*) FROM audit_log WHERE action = 'repo.resign' AND "
                                           "actor_name = 'system'"),
                         1);
        /* A client a day after publication (the original timestamp expired)
         * still refreshes. */
        struct client_run cr = { 0 };
        struct tuf_client *c = client_open(f, &cr, NOW + OTA_FX_DAY + 3600);
        ota_fx_ok(tuf_client_refresh(c, &err), err);
        client_close(c, &cr);

        /* 4 days in: the snapshot (7 days) is due too. */
        f->c.now = NOW + 4 * OTA_FX_DAY;
        ota_fx_ok(repo_maintain(&f->c, &rep, &err), err);
        assert_int_equal(rep.snapshots, 1);
        assert_int_equal(rep.timestamps, 1);
        assert_true(repo_has(f, "2.snapshot.json"));
        assert_int_equal(file_version(f, "timestamp.json"), 3);
        struct client_run cr2 = { 0 };
        struct tuf_client *c2 = client_open(f, &cr2, NOW + 4 * OTA_FX_DAY + 60);
        ota_fx_ok(tuf_client_refresh(c2, &err), err);
        client_close(c2, &cr2);
}

static void test_maintain_repairs_files(void **state) {
        struct ota_fx *f = *state;
        struct error err = { 0 };
        struct repo_maintain_report rep;
        ota_fx_publish(f, "1.0.0", 1, "rootfs.img", "one");
        _cleanup_free_ char *ts = ota_fx_repo_path(f, "timestamp.json");
        _cleanup_free_ char *tg = ota_fx_repo_path(f, "1.targets.json");
        _cleanup_free_ char *rt = ota_fx_repo_path(f, "1.root.json");
        assert_int_equal(unlink(ts), 0);
        assert_int_equal(unlink(tg), 0);
        assert_int_equal(unlink(rt), 0);
        ota_fx_ok(repo_maintain(&f->c, &rep, &err), err);
        assert_int_equal(rep.repaired, 2);
        assert_int_equal(rep.timestamps, 1);
        assert_true(repo_has(f, "timestamp.json"));
        assert_true(repo_has(f, "1.targets.json"));
        assert_true(repo_has(f, "1.root.json"));
        /* The timestamp never goes back to a version a client may have seen. */
        assert_int_equal(file_version(f, "timestamp.json"), 2);
        struct client_run cr = { 0 };
        struct tuf_client *c = client_open(f, &cr, NOW + 60);
        ota_fx_ok(tuf_client_refresh(c, &err), err);
        client_close(c, &cr);
}

/* ---- root rotation ---- */

static int rotate(struct ota_fx *f, json_t *root, json_t **out, struct error *err) {
        json_t *body = json_pack("{s:o}", "root", root);
        int rc = repo_rotate_root(&f->c, &ota_fx_actor, OTA_FX_MODEL, body, out, err);
        json_decref(body);
        return rc;
}

static void test_root_rotation(void **state) {
        struct ota_fx *f = *state;
        struct error err = { 0 };
        ota_fx_publish(f, "1.0.0", 1, "rootfs.img", "one");
        static const int r0[] = { 0 }, r12[] = { 1, 2 }, t012[] = { 0, 1, 2 }, t12[] = { 1, 2 };
        static const int s0[] = { 0 }, s12[] = { 1, 2 }, s012[] = { 0, 1, 2 }, s1[] = { 1 };
        _cleanup_json_ json_t *o1 = NULL, *o2 = NULL, *o3 = NULL, *o4 = NULL, *ok = NULL;

        /* New root keys 1+2 (2 of 2), signed only by the new keys: the old
         * threshold is missing. */
        assert_int_equal(rotate(f, ota_fx_root(f, 2, NOW + 365 * OTA_FX_DAY, r12, 2, 2, t012, 3, 2, f->snapshot_tk,
                                               f->timestamp_tk, s12, 2),
                                &o1, &err),
                         -1);
        assert_error_contains(err, "threshold of the current root");
        /* Signed by the old key and only one of the two new ones. */
        static const int s01[] = { 0, 1 };
        assert_int_equal(rotate(f, ota_fx_root(f, 2, NOW + 365 * OTA_FX_DAY, r12, 2, 2, t012, 3, 2, f->snapshot_tk,
                                               f->timestamp_tk, s01, 2),
                                &o2, &err),
                         -1);
        assert_error_contains(err, "own root threshold");
        /* Skipping a version. */
        assert_int_equal(rotate(f, ota_fx_root(f, 3, NOW + 365 * OTA_FX_DAY, r12, 2, 2, t012, 3, 2, f->snapshot_tk,
                                               f->timestamp_tk, s012, 3),
                                &o3, &err),
                         -1);
        assert_error_contains(err, "version must be 2");
        /* Only root key 1 signs: not the old key 0. */
        assert_int_equal(rotate(f, ota_fx_root(f, 2, NOW + 365 * OTA_FX_DAY, r12, 2, 1, t012, 3, 2, f->snapshot_tk,
                                               f->timestamp_tk, s1, 1),
                                &o4, &err),
                         -1);
        assert_int_equal(err.kind, ERROR_INVALID);

        /* Old and new thresholds, and the targets keys rotate (0 leaves). */
        ota_fx_ok(rotate(f, ota_fx_root(f, 2, NOW + 365 * OTA_FX_DAY, r12, 2, 2, t12, 2, 2, f->snapshot_tk,
                                        f->timestamp_tk, s012, 3),
                         &ok, &err),
                  err);
        assert_int_equal(jint(json_object_get(ok, "root"), "version"), 2);
        assert_true(repo_has(f, "2.root.json"));
        /* Targets signed by keys 0+1 now has 1 valid of 2: the server says so. */
        assert_int_equal(json_array_size(json_object_get(ok, "warnings")), 1);
        _cleanup_free_ char *rj = NULL;
        size_t rl;
        rj = repo_read(f, "root.json", &rl);
        _cleanup_json_ json_t *rdoc = json_loads(rj, 0, NULL);
        assert_int_equal(json_integer_value(json_object_get(json_object_get(rdoc, "signed"), "version")), 2);

        /* A client with root 1 follows the chain; it refuses targets until a
         * release is signed with the new keys. */
        struct client_run cr = { 0 };
        struct tuf_client *c = client_open(f, &cr, NOW + 60);
        assert_int_equal(tuf_client_refresh(c, &err), -1);
        assert_error_contains(err, "targets");
        client_close(c, &cr);
        int64_t id = ota_fx_draft(f, "1.0.1", 1, "rootfs.img", "fixed");
        _cleanup_json_ json_t *p = NULL, *sg = NULL, *pub = NULL, *bad = NULL;
        ota_fx_ok(repo_release_prepare(&f->c, &ota_fx_actor, id, &p, &err), err);
        /* Key 0 is no targets key any more. */
        assert_int_equal(ota_fx_sign(f, id, 0, &bad, &err), -1);
        for (int k = 1; k < 3; k++) {
                _cleanup_json_ json_t *x = NULL;
                ota_fx_ok(ota_fx_sign(f, id, k, &x, &err), err);
        }
        ota_fx_ok(repo_release_publish(&f->c, &ota_fx_actor, id, &pub, &err), err);
        struct client_run cr2 = { 0 };
        struct tuf_client *c2 = client_open(f, &cr2, NOW + 60);
        ota_fx_ok(tuf_client_refresh(c2, &err), err);
        assert_int_equal(tuf_client_trusted(c2, TUF_ROLE_ROOT)->version, 2);
        client_close(c2, &cr2);
        (void) s0;
        (void) r0;
}

static void test_rotation_to_new_online_keys(void **state) {
        struct ota_fx *f = *state;
        struct error err = { 0 };
        ota_fx_publish(f, "1.0.0", 1, "rootfs.img", "one");
        _cleanup_json_ json_t *next = NULL, *twice = NULL, *ok = NULL, *cur = NULL;
        ota_fx_ok(repo_online_keys_next(&f->c, &ota_fx_actor, OTA_FX_MODEL, &next, &err), err);
        assert_int_equal(repo_online_keys_next(&f->c, &ota_fx_actor, OTA_FX_MODEL, &twice, &err), -1);
        assert_int_equal(err.kind, ERROR_CONFLICT);
        json_t *n = json_object_get(next, "next");
        struct tuf_key *snap = ota_fx_online_key(n, "snapshot"), *ts = ota_fx_online_key(n, "timestamp");
        static const int r0[] = { 0 }, t012[] = { 0, 1, 2 }, s0[] = { 0 };
        ota_fx_ok(rotate(f, ota_fx_root(f, 2, NOW + 365 * OTA_FX_DAY, r0, 1, 1, t012, 3, 2, snap, ts, s0, 1), &ok,
                         &err),
                  err);
        assert_int_equal(json_array_size(json_object_get(ok, "warnings")), 0);
        /* Snapshot and timestamp were re-signed with the new keys at once. */
        assert_int_equal(jint(json_object_get(ok, "timestamp"), "version"), 2);
        ota_fx_ok(repo_online_keys(&f->c, &ota_fx_actor, OTA_FX_MODEL, &cur, &err), err);
        assert_string_equal(jstr(json_object_get(cur, "timestamp"), "keyid"), tuf_key_id(ts));
        assert_true(json_is_null(json_object_get(cur, "next")));
        struct client_run cr = { 0 };
        struct tuf_client *c = client_open(f, &cr, NOW + 60);
        ota_fx_ok(tuf_client_refresh(c, &err), err);
        client_close(c, &cr);
        tuf_key_free(snap);
        tuf_key_free(ts);
}

/* An online key that shows up as a root or targets key is refused. */
static void test_online_key_not_offline_role(void **state) {
        struct ota_fx *f = *state;
        struct error err = { 0 };
        /* Build a root by hand whose targets role is the timestamp key. */
        const char *root_ids[] = { tuf_key_id(f->root_tk[0]) }, *ts_id[] = { tuf_key_id(f->timestamp_tk) },
                   *sn_id[] = { tuf_key_id(f->snapshot_tk) };
        struct tuf_key *keys[] = { f->root_tk[0], f->snapshot_tk, f->timestamp_tk };
        struct tuf_role_spec roles[_TUF_ROLE_MAX] = {
                [TUF_ROLE_ROOT] = { root_ids, 1, 1 },
                [TUF_ROLE_TARGETS] = { ts_id, 1, 1 },
                [TUF_ROLE_SNAPSHOT] = { sn_id, 1, 1 },
                [TUF_ROLE_TIMESTAMP] = { ts_id, 1, 1 },
        };
        _cleanup_json_ json_t *s = tuf_build_root(2, NOW + OTA_FX_DAY, true, keys, 3, roles, &err);
        assert_non_null(s);
        json_t *doc = tuf_metadata_wrap(s);
        ota_fx_ok(tuf_sign(doc, f->root[0], &err), err);
        _cleanup_json_ json_t *out = NULL;
        assert_int_equal(rotate(f, doc, &out, &err), -1);
        assert_error_contains(err, "must not be a root or targets key");
}

/* ---- online keys on a PKCS#11 token ([ota] online_key_pkcs11) ---- */

/* The token of testutil-softhsm.h plus the two online keys of T1-EU. NULL
 * when SoftHSM2 or its tools are missing. */
static const struct softhsm *token_with_online_keys(void) {
        const struct softhsm *h = softhsm_get();
        static bool made;
        if (!h || made)
                return h;
        made = true;
        _cleanup_free_ char *log_path = str_printf("%s/tools.log", h->dir);
        static const char *const roles[] = { "snapshot", "timestamp" };
        for (size_t i = 0; i < 2; i++) {
                char label[64], id[8];
                snprintf(label, sizeof(label), "repo-" OTA_FX_MODEL "-%s", roles[i]);
                snprintf(id, sizeof(id), "1%zu", i);
                char *argv[] = { "pkcs11-tool", "--module", SOFTHSM_MODULE, "--login", "--pin", SOFTHSM_PIN,
                                 "--keypairgen", "--key-type", "EC:prime256v1", "--label", label, "--id", id, NULL };
                if (softhsm_run(log_path, argv) != 0)
                        fail_msg("pkcs11-tool could not make %s (see %s)", label, log_path);
        }
        return h;
}

static int group_teardown(void **state) {
        (void) state;
        softhsm_cleanup();
        return 0;
}

/* ---- key separation from the director (issue 7, finding 1) ---- */

/* A director root as `cradle director init` makes it: root key `root_tk`,
 * the online key for the rest; signed by `signer`. */
static json_t *director_root(int64_t version, struct tuf_key *root_tk, struct tuf_key *online,
                             struct crypto_key *signer, const char *marker) {
        struct error err = { 0 };
        struct tuf_key *keys[2] = { root_tk, online };
        const char *root_id[1] = { tuf_key_id(root_tk) }, *online_id[1] = { tuf_key_id(online) };
        struct tuf_role_spec roles[_TUF_ROLE_MAX] = {
                [TUF_ROLE_ROOT] = { root_id, 1, 1 },
                [TUF_ROLE_TARGETS] = { online_id, 1, 1 },
                [TUF_ROLE_SNAPSHOT] = { online_id, 1, 1 },
                [TUF_ROLE_TIMESTAMP] = { online_id, 1, 1 },
        };
        json_t *s = tuf_build_root(version, NOW + 365 * OTA_FX_DAY, false, keys, 2, roles, &err);
        if (!s)
                fail_msg("tuf_build_root: %s", err.msg);
        if (marker)
                ota_fx_ok(tuf_root_set_repository(s, marker, &err), err);
        json_t *doc = tuf_metadata_wrap(s);
        json_decref(s);
        ota_fx_ok(tuf_sign(doc, signer, &err), err);
        return doc;
}

static int director_install(struct director_ctx *dc, json_t *root, struct error *err) {
        _cleanup_json_ json_t *body = json_pack("{s:o}", "root", root), *out = NULL;
        return director_root_install(dc, &ota_fx_actor, body, &out, err);
}

/* The server refuses to let the two repositories share a key, in either
 * order, and records the refusal; other keys go through. */
static void test_root_keys_shared_with_director(void **state) {
        struct ota_fx *f = *state;
        struct error err = { 0 };
        struct director_ctx dc = { .store = f->s, .data_dir = f->t->dir, .now = NOW };
        struct crypto_key *droot = NULL;
        struct tuf_key *droot_tk = NULL, *online = NULL;
        _cleanup_json_ json_t *keys = NULL, *o1 = NULL, *o2 = NULL, *o3 = NULL;
        static const int r0[] = { 0 }, t012[] = { 0, 1, 2 }, s0[] = { 0 };

        ota_fx_ok(director_online_keys(&dc, &ota_fx_actor, &keys, &err), err);
        ota_fx_ok(tuf_key_from_json("online", json_object_get(json_object_get(keys, "targets"), "key"), &online, &err),
                  err);
        ota_fx_key(f, "droot", CRYPTO_KEY_EC_P256, &droot, &droot_tk);

        /* The director root made with the image repository's root key. */
        assert_int_equal(director_install(&dc, director_root(1, f->root_tk[0], online, f->root[0], NULL), &err), -1);
        assert_int_equal(err.kind, ERROR_INVALID);
        assert_error_contains(err, "director root version 1 shares key");
        assert_error_contains(err, "with the image repository root of T1-EU (version 1)");
        assert_int_equal(raw_int(f->t->db, "SELECT count(*) FROM director_roots"), 0);
        assert_int_equal(raw_int(f->t->db, "SELECT count(*) FROM audit_log WHERE action = 'director.root.refused'"), 1);
        /* A root that says it is an image repository's. */
        assert_int_equal(director_install(&dc, director_root(1, droot_tk, online, droot, "image:T1-EU"), &err), -1);
        assert_error_contains(err, "is the root of repository 'image:T1-EU', not of 'director'");
        /* Its own key: accepted. */
        ota_fx_ok(director_install(&dc, director_root(1, droot_tk, online, droot, "director"), &err), err);

        /* The image root rotated to the director's root key, or to the
         * director's online key as a targets key: refused, root unchanged. */
        struct tuf_key *saved = f->root_tk[1];
        struct crypto_key *saved_k = f->root[1];
        f->root_tk[1] = droot_tk;
        f->root[1] = droot;
        static const int r01[] = { 0, 1 }, s01[] = { 0, 1 };
        assert_int_equal(rotate(f, ota_fx_root(f, 2, NOW + 365 * OTA_FX_DAY, r01, 2, 1, t012, 3, 2, f->snapshot_tk,
                                               f->timestamp_tk, s01, 2),
                                &o1, &err),
                         -1);
        f->root_tk[1] = saved;
        f->root[1] = saved_k;
        assert_int_equal(err.kind, ERROR_INVALID);
        assert_error_contains(err, "root version 2 of T1-EU shares key");
        assert_error_contains(err, "with the director root version 1");
        assert_int_equal(raw_int(f->t->db, "SELECT count(*) FROM audit_log WHERE action = 'repo.root.refused'"), 1);
        assert_int_equal(raw_int(f->t->db, "SELECT max(version) FROM repo_roots"), 1);

        /* Wrong marker for an image root. */
        {
                json_t *doc = ota_fx_root(f, 2, NOW + 365 * OTA_FX_DAY, r0, 1, 1, t012, 3, 2, f->snapshot_tk,
                                          f->timestamp_tk, s0, 1);
                json_t *s = json_object_get(doc, "signed");
                ota_fx_ok(tuf_root_set_repository(s, "image:T2", &err), err);
                json_object_set_new(doc, "signatures", json_array());
                ota_fx_ok(tuf_sign(doc, f->root[0], &err), err);
                assert_int_equal(rotate(f, doc, &o2, &err), -1);
                assert_error_contains(err, "is the root of repository 'image:T2', not of 'image:T1-EU'");
        }
        /* A root with no key of the director's: accepted. */
        ota_fx_ok(rotate(f, ota_fx_root(f, 2, NOW + 365 * OTA_FX_DAY, r0, 1, 1, t012, 3, 2, f->snapshot_tk,
                                        f->timestamp_tk, s0, 1),
                         &o3, &err),
                  err);
        crypto_key_free(droot);
        tuf_key_free(droot_tk);
        tuf_key_free(online);
}

/* Across products: offline keys may be shared (one manufacturer's root and
 * targets keys), an online key never. */
static void test_root_keys_across_products(void **state) {
        struct ota_fx *f = *state;
        struct error err = { 0 };
        add_product(f, "T2");
        _cleanup_json_ json_t *keys = NULL, *out = NULL;
        ota_fx_ok(repo_online_keys(&f->c, &ota_fx_actor, "T2", &keys, &err), err);
        struct tuf_key *snap = ota_fx_online_key(keys, "snapshot"), *ts = ota_fx_online_key(keys, "timestamp");
        static const int r0[] = { 0 }, t0[] = { 0 }, s0[] = { 0 };

        /* T1-EU's snapshot key as a T2 targets key. */
        struct tuf_key *saved = f->targets_tk[2];
        f->targets_tk[2] = f->snapshot_tk;
        static const int t02[] = { 0, 2 };
        json_t *bad = ota_fx_root(f, 1, NOW + OTA_FX_DAY, r0, 1, 1, t02, 2, 1, snap, ts, s0, 1);
        f->targets_tk[2] = saved;
        expect_root_refused(f, "T2", bad, ERROR_INVALID, "an online key is never shared across products");
        /* The same offline root and targets keys as T1-EU: accepted. */
        json_t *good = ota_fx_root(f, 1, NOW + OTA_FX_DAY, r0, 1, 1, t0, 1, 1, snap, ts, s0, 1);
        _cleanup_json_ json_t *req = json_pack("{s:s, s:o}", "product", "T2", "root", good);
        ota_fx_ok(repo_create(&f->c, &ota_fx_actor, req, &out, &err), err);
        tuf_key_free(snap);
        tuf_key_free(ts);
}

static void test_online_keys_pkcs11(void **state) {
        (void) state;
        if (!token_with_online_keys())
                skip();
        struct ota_config cfg = {
                .online_key_pkcs11 = "pkcs11:token=" SOFTHSM_TOKEN ";object=repo-{model}-{role};type=private",
        };
        struct ota_fx *f = ota_fx_new_with(NOW, &cfg);
        struct error err = { 0 };
        _cleanup_json_ json_t *keys = NULL;
        ota_fx_ok(repo_online_keys(&f->c, &ota_fx_actor, OTA_FX_MODEL, &keys, &err), err);
        assert_string_equal(jstr(json_object_get(keys, "snapshot"), "storage"), "pkcs11");
        assert_string_equal(jstr(json_object_get(keys, "timestamp"), "type"), "ECDSA P-256");
        /* No key file was made. */
        _cleanup_free_ char *dir = str_printf("%s/repo-keys", f->t->dir);
        assert_false(file_exists(dir));
        /* Snapshot and timestamp are signed on the token; a client accepts them. */
        ota_fx_publish(f, "1.0.0", 1, "rootfs.img", "signed with token keys");
        struct client_run cr = { 0 };
        struct tuf_client *c = client_open(f, &cr, NOW + 60);
        ota_fx_ok(tuf_client_refresh(c, &err), err);
        client_close(c, &cr);
        ota_fx_free(f);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_online_keys_once, setup, teardown),
                cmocka_unit_test_setup_teardown(test_root_installed, setup, teardown),
                cmocka_unit_test_setup_teardown(test_root_refusals, setup, teardown),
                cmocka_unit_test_setup_teardown(test_prepare_sign_publish, setup, teardown),
                cmocka_unit_test_setup_teardown(test_second_release_keeps_first, setup, teardown),
                cmocka_unit_test_setup_teardown(test_publish_conflict, setup, teardown),
                cmocka_unit_test_setup_teardown(test_prepare_refusals, setup, teardown),
                cmocka_unit_test_setup_teardown(test_change_after_prepare, setup, teardown),
                cmocka_unit_test_setup_teardown(test_maintain_resigns_timestamp, setup, teardown),
                cmocka_unit_test_setup_teardown(test_maintain_repairs_files, setup, teardown),
                cmocka_unit_test_setup_teardown(test_root_rotation, setup, teardown),
                cmocka_unit_test_setup_teardown(test_rotation_to_new_online_keys, setup, teardown),
                cmocka_unit_test_setup_teardown(test_online_key_not_offline_role, setup, teardown),
                cmocka_unit_test_setup_teardown(test_root_keys_shared_with_director, setup, teardown),
                cmocka_unit_test_setup_teardown(test_root_keys_across_products, setup, teardown),
                /* GnuTLS starts PKCS#11 once per process: the token test comes last. */
                cmocka_unit_test(test_online_keys_pkcs11),
        };
        return cmocka_run_group_tests(tests, NULL, group_teardown);
}

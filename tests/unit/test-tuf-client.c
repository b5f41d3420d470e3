/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The TUF client workflow against a real repository built in a temp dir with
 * file keys: root 2-of-3, targets 2-of-3 (Ed25519 and P-256 mixed), one
 * online snapshot key and one online timestamp key. Each attack of the TUF
 * specification's threat model that the client must stop has a test that
 * builds the tampered repository and asserts the refusal and its reason.
 *
 * "The attacker" in these tests holds what a compromised server holds: the
 * online snapshot and timestamp keys, and write access to every served file.
 * Root and targets keys are offline, so only tests that say so use them.
 */

#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/cleanup.h"
#include "core/fileio.h"
#include "core/strutil.h"
#include "core/time.h"
#include "crypto/encoding.h"
#include "crypto/hash.h"
#include "crypto/key.h"
#include "tuf/client.h"
#include "tuf/fetcher.h"
#include "tuf/metadata.h"
#include "tuf/sign.h"

#define DAY (24 * 3600)

#define assert_error_contains(e, s)                                                         \
        do {                                                                                \
                if (!strstr((e).msg, (s)))                                                  \
                        fail_msg("error \"%s\" does not contain \"%s\"", (e).msg, (s));     \
        } while (0)

#define assert_ok(call, e)                                                                  \
        do {                                                                                \
                if ((call) < 0)                                                             \
                        fail_msg("%s failed: %s", #call, (e).msg);                          \
        } while (0)

enum { K_ROOT0, K_ROOT1, K_ROOT2, K_ROOT3, K_TGT0, K_TGT1, K_TGT2, K_SNAP, K_TS, K_TS_NEW,
       K_EVIL, K_MAX };

static const enum crypto_key_type key_types[K_MAX] = {
        [K_ROOT0] = CRYPTO_KEY_ED25519, [K_ROOT1] = CRYPTO_KEY_EC_P256,
        [K_ROOT2] = CRYPTO_KEY_ED25519, [K_ROOT3] = CRYPTO_KEY_EC_P256,
        [K_TGT0] = CRYPTO_KEY_EC_P256,  [K_TGT1] = CRYPTO_KEY_ED25519,
        [K_TGT2] = CRYPTO_KEY_EC_P256,  [K_SNAP] = CRYPTO_KEY_EC_P256,
        [K_TS] = CRYPTO_KEY_ED25519,    [K_TS_NEW] = CRYPTO_KEY_EC_P256,
        [K_EVIL] = CRYPTO_KEY_ED25519,
};

struct target_file {
        char path[64];
        char content[128];
};

struct repo {
        char base[64];
        char *meta, *tgt, *store;
        struct crypto_key *k[K_MAX];
        struct tuf_key *tk[K_MAX];
        /* The roles the next root gets: key indexes and thresholds. */
        int role_keys[_TUF_ROLE_MAX][4];
        size_t n_role_keys[_TUF_ROLE_MAX];
        unsigned threshold[_TUF_ROLE_MAX];
        bool consistent;
        int64_t now;
        struct target_file files[8];
        size_t n_files;
        struct tuf_dir_fetcher meta_fetcher, tgt_fetcher;
};

/* ---- repository building ---------------------------------------------------- */

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
        (void) st, (void) flag, (void) ftw;
        return remove(path);
}

static void put(const char *dir, const char *name, const void *data, size_t len) {
        _cleanup_free_ char *path = path_join(dir, name);
        _cleanup_free_ char *parent = str_dup(path);
        struct error err = { 0 };

        *strrchr(parent, '/') = '\0';
        assert_ok(dir_create(parent, 0755, &err), err);
        assert_ok(file_write_atomic(path, data, len, 0644, &err), err);
}

static char *get(const char *dir, const char *name, size_t *len) {
        _cleanup_free_ char *path = path_join(dir, name);
        struct error err = { 0 };
        char *data = NULL;

        assert_ok(file_read_all(path, 64 * 1024 * 1024, &data, len, &err), err);
        return data;
}

static void put_str(const char *dir, const char *name, const char *s) {
        put(dir, name, s, strlen(s));
}

/* Wraps, signs with the given keys and serialises (takes signed_obj). */
static char *sign_doc(struct repo *r, json_t *signed_obj, const int *signers, size_t n,
                      size_t *len) {
        _cleanup_json_ json_t *doc = NULL;
        struct error err = { 0 };
        char *bytes;

        assert_non_null(signed_obj);
        doc = tuf_metadata_wrap(signed_obj);
        json_decref(signed_obj);
        for (size_t i = 0; i < n; i++)
                assert_ok(tuf_sign(doc, r->k[signers[i]], &err), err);
        bytes = tuf_metadata_serialize(doc, len, &err);
        assert_non_null(bytes);
        return bytes;
}

static json_t *root_signed(struct repo *r, int64_t version, int64_t expires) {
        const char *ids[_TUF_ROLE_MAX][4];
        struct tuf_role_spec roles[_TUF_ROLE_MAX];
        struct tuf_key *keys[K_MAX];
        size_t n_keys = 0;
        struct error err = { 0 };
        json_t *s;

        for (int role = 0; role < _TUF_ROLE_MAX; role++) {
                for (size_t i = 0; i < r->n_role_keys[role]; i++) {
                        int k = r->role_keys[role][i];
                        bool have = false;

                        ids[role][i] = tuf_key_id(r->tk[k]);
                        for (size_t j = 0; j < n_keys; j++)
                                have |= keys[j] == r->tk[k];
                        if (!have)
                                keys[n_keys++] = r->tk[k];
                }
                roles[role] = (struct tuf_role_spec) { ids[role], r->n_role_keys[role],
                                                       r->threshold[role] };
        }
        s = tuf_build_root(version, expires, r->consistent, keys, n_keys, roles, &err);
        if (!s)
                fail_msg("tuf_build_root: %s", err.msg);
        return s;
}

static void publish_root(struct repo *r, int64_t version, const int *signers, size_t n) {
        size_t len;
        _cleanup_free_ char *bytes = sign_doc(r, root_signed(r, version, r->now + 365 * DAY), signers,
                                              n, &len);
        _cleanup_free_ char *name = str_printf("%lld.root.json", (long long) version);

        put(r->meta, name, bytes, len);
}

static void add_file(struct repo *r, const char *path, const char *content) {
        struct target_file *f = &r->files[r->n_files++];

        snprintf(f->path, sizeof(f->path), "%s", path);
        snprintf(f->content, sizeof(f->content), "%s", content);
}

static char *make_targets(struct repo *r, int64_t version, int64_t expires, const int *signers,
                          size_t n, size_t *len) {
        struct tuf_target_spec specs[8];
        struct error err = { 0 };
        json_t *s;

        for (size_t i = 0; i < r->n_files; i++) {
                specs[i] = (struct tuf_target_spec) { .path = r->files[i].path,
                                                      .length = (int64_t) strlen(r->files[i].content) };
                hash_sha256(r->files[i].content, strlen(r->files[i].content), specs[i].sha256);
        }
        s = tuf_build_targets(version, expires, specs, r->n_files, &err);
        if (!s)
                fail_msg("tuf_build_targets: %s", err.msg);
        return sign_doc(r, s, signers, n, len);
}

/* A METAFILES entry for `version`, described by `bytes` when given. */
static struct tuf_meta_file meta_entry(const char *name, int64_t version, const char *bytes,
                                       size_t len) {
        struct tuf_meta_file mf = { .name = (char *) name, .version = version, .length = -1 };

        if (bytes)
                tuf_meta_file_describe(&mf, bytes, len);
        return mf;
}

static char *make_snapshot(struct repo *r, int64_t version, int64_t expires, int64_t targets_v,
                           const char *targets_bytes, size_t targets_len, size_t *len) {
        struct tuf_meta_file mf = meta_entry("targets.json", targets_v, targets_bytes, targets_len);
        struct error err = { 0 };
        json_t *s = tuf_build_snapshot(version, expires, &mf, 1, &err);
        static const int signers[] = { K_SNAP };

        if (!s)
                fail_msg("tuf_build_snapshot: %s", err.msg);
        return sign_doc(r, s, signers, 1, len);
}

static char *make_timestamp_by(struct repo *r, int signer, int64_t version, int64_t expires,
                               int64_t snapshot_v, const char *snapshot_bytes, size_t snapshot_len,
                               size_t *len) {
        struct tuf_meta_file mf = meta_entry("snapshot.json", snapshot_v, snapshot_bytes, snapshot_len);
        struct error err = { 0 };
        json_t *s = tuf_build_timestamp(version, expires, &mf, &err);

        if (!s)
                fail_msg("tuf_build_timestamp: %s", err.msg);
        return sign_doc(r, s, &signer, 1, len);
}

static char *make_timestamp(struct repo *r, int64_t version, int64_t expires, int64_t snapshot_v,
                            const char *snapshot_bytes, size_t snapshot_len, size_t *len) {
        return make_timestamp_by(r, K_TS, version, expires, snapshot_v, snapshot_bytes, snapshot_len,
                                 len);
}

static void put_versioned(struct repo *r, const char *role, int64_t version, const char *bytes,
                          size_t len) {
        _cleanup_free_ char *name = str_printf("%lld.%s.json", (long long) version, role);
        _cleanup_free_ char *plain = str_printf("%s.json", role);

        put(r->meta, name, bytes, len);
        put(r->meta, plain, bytes, len);
}

static void put_target_files(struct repo *r) {
        for (size_t i = 0; i < r->n_files; i++) {
                struct target_file *f = &r->files[i];
                char hex[SHA256_HEX_LEN];
                _cleanup_free_ char *dir = str_dup(f->path), *name = NULL;
                char *slash = strrchr(dir, '/');

                hash_sha256_hex(f->content, strlen(f->content), hex);
                if (slash) {
                        *slash = '\0';
                        name = str_printf("%s/%s.%s", dir, hex, slash + 1);
                } else {
                        name = str_printf("%s.%s", hex, f->path);
                }
                put_str(r->tgt, name, f->content);
                put_str(r->tgt, f->path, f->content);
        }
}

/* A complete, honest release: targets (2 of 3), snapshot, timestamp. */
static void publish(struct repo *r, int64_t version) {
        static const int tgt_signers[] = { K_TGT0, K_TGT1 };
        size_t tl, sl, tsl;
        _cleanup_free_ char *t = make_targets(r, version, r->now + 90 * DAY, tgt_signers, 2, &tl);
        _cleanup_free_ char *s = make_snapshot(r, version, r->now + 7 * DAY, version, t, tl, &sl);
        _cleanup_free_ char *ts = make_timestamp(r, version, r->now + DAY, version, s, sl, &tsl);

        put_target_files(r);
        put_versioned(r, "targets", version, t, tl);
        put_versioned(r, "snapshot", version, s, sl);
        put(r->meta, "timestamp.json", ts, tsl);
}

static int setup(void **state) {
        struct repo *r = xcalloc(1, sizeof(*r));
        struct error err = { 0 };

        snprintf(r->base, sizeof(r->base), "/tmp/cradle-tuf-client-XXXXXX");
        assert_non_null(mkdtemp(r->base));
        r->meta = str_printf("%s/repo/metadata", r->base);
        r->tgt = str_printf("%s/repo/targets", r->base);
        r->store = str_printf("%s/store", r->base);
        assert_ok(dir_create(r->meta, 0755, &err), err);
        assert_ok(dir_create(r->tgt, 0755, &err), err);
        for (int i = 0; i < K_MAX; i++) {
                _cleanup_free_ char *path = str_printf("%s/key%d.pem", r->base, i);
                assert_ok(crypto_key_generate_file(path, key_types[i], &err), err);
                assert_ok(crypto_key_load(path, &r->k[i], &err), err);
                assert_ok(tuf_key_from_crypto_key(r->k[i], &r->tk[i], &err), err);
        }
        r->role_keys[TUF_ROLE_ROOT][0] = K_ROOT0;
        r->role_keys[TUF_ROLE_ROOT][1] = K_ROOT1;
        r->role_keys[TUF_ROLE_ROOT][2] = K_ROOT2;
        r->n_role_keys[TUF_ROLE_ROOT] = 3;
        r->threshold[TUF_ROLE_ROOT] = 2;
        r->role_keys[TUF_ROLE_TARGETS][0] = K_TGT0;
        r->role_keys[TUF_ROLE_TARGETS][1] = K_TGT1;
        r->role_keys[TUF_ROLE_TARGETS][2] = K_TGT2;
        r->n_role_keys[TUF_ROLE_TARGETS] = 3;
        r->threshold[TUF_ROLE_TARGETS] = 2;
        r->role_keys[TUF_ROLE_SNAPSHOT][0] = K_SNAP;
        r->n_role_keys[TUF_ROLE_SNAPSHOT] = 1;
        r->threshold[TUF_ROLE_SNAPSHOT] = 1;
        r->role_keys[TUF_ROLE_TIMESTAMP][0] = K_TS;
        r->n_role_keys[TUF_ROLE_TIMESTAMP] = 1;
        r->threshold[TUF_ROLE_TIMESTAMP] = 1;
        r->consistent = true;
        r->now = time_now();
        r->meta_fetcher.base_dir = r->meta;
        r->tgt_fetcher.base_dir = r->tgt;
        *state = r;
        return 0;
}

static int teardown(void **state) {
        struct repo *r = *state;

        for (int i = 0; i < K_MAX; i++) {
                crypto_key_free(r->k[i]);
                tuf_key_free(r->tk[i]);
        }
        nftw(r->base, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
        free(r->meta);
        free(r->tgt);
        free(r->store);
        free(r);
        return 0;
}

/* Root v1 signed by 2 of 3, installed into the device's store, and release 1. */
static void init_repo(struct repo *r) {
        static const int signers[] = { K_ROOT0, K_ROOT1 };
        struct error err = { 0 };
        size_t len;
        _cleanup_free_ char *root = NULL;

        publish_root(r, 1, signers, 2);
        root = get(r->meta, "1.root.json", &len);
        assert_ok(tuf_client_store_init(r->store, root, len, &err), err);
        add_file(r, "fw/image.bin", "firmware version 1");
        publish(r, 1);
}

static struct tuf_client *client_at(struct repo *r, int64_t now) {
        struct tuf_client_config cfg = {
                .store_dir = r->store,
                .metadata = tuf_dir_fetcher(&r->meta_fetcher),
                .targets = tuf_dir_fetcher(&r->tgt_fetcher),
                .now = now,
        };
        struct tuf_client *c = NULL;
        struct error err = { 0 };

        assert_ok(tuf_client_new(&cfg, &c, &err), err);
        return c;
}

static struct tuf_client *client(struct repo *r) {
        return client_at(r, r->now);
}

static void refresh_ok(struct repo *r) {
        _cleanup_tuf_client_ struct tuf_client *c = client(r);
        struct error err = { 0 };

        assert_ok(tuf_client_refresh(c, &err), err);
}

/* Refreshes and expects a refusal naming `reason`; the client then refuses
 * to look targets up. */
static void refresh_refused(struct repo *r, const char *reason) {
        _cleanup_tuf_client_ struct tuf_client *c = client(r);
        const struct tuf_target *t = NULL;
        struct error err = { 0 };

        if (tuf_client_refresh(c, &err) == 0)
                fail_msg("refresh succeeded, expected a refusal with \"%s\"", reason);
        assert_error_contains(err, reason);
        assert_int_equal(tuf_client_find_target(c, "fw/image.bin", &t, &err), -1);
        assert_error_contains(err, "last TUF refresh did not succeed");
}

static int64_t stored_version(struct repo *r, const char *name) {
        _cleanup_free_ char *data = NULL;
        _cleanup_(tuf_metadata_freep) struct tuf_metadata *md = NULL;
        struct error err = { 0 };
        size_t len;

        data = get(r->store, name, &len);
        assert_ok(tuf_metadata_parse(name, data, len, 0, TUF_ROLE_ANY, &md, &err), err);
        return md->version;
}

/* ---- the honest path ------------------------------------------------------- */

static void test_update_and_download(void **state) {
        struct repo *r = *state;
        _cleanup_tuf_client_ struct tuf_client *c = NULL;
        _cleanup_free_ char *name = NULL, *data = NULL;
        const struct tuf_target *t = NULL;
        struct error err = { 0 };
        uint8_t digest[SHA256_LEN];
        char hex[SHA256_HEX_LEN];
        size_t len = 0;

        init_repo(r);
        c = client(r);
        assert_ok(tuf_client_refresh(c, &err), err);
        assert_ok(tuf_client_find_target(c, "fw/image.bin", &t, &err), err);
        assert_int_equal(t->length, strlen("firmware version 1"));
        hash_sha256("firmware version 1", strlen("firmware version 1"), digest);
        assert_memory_equal(t->sha256, digest, SHA256_LEN);

        /* Consistent snapshots: the hash goes before the file name. */
        hex_encode(digest, SHA256_LEN, hex);
        name = tuf_client_target_name(c, t);
        {
                _cleanup_free_ char *expect = str_printf("fw/%s.image.bin", hex);
                assert_string_equal(name, expect);
        }
        assert_ok(tuf_client_fetch_target(c, t, &data, &len, &err), err);
        assert_int_equal(len, t->length);
        assert_memory_equal(data, "firmware version 1", len);

        assert_int_equal(tuf_client_find_target(c, "fw/other.bin", &t, &err), -1);
        assert_int_equal(err.kind, ERROR_NOT_FOUND);
        assert_string_equal(err.msg, "no target 'fw/other.bin' in targets version 1");

        /* Everything accepted is in the store. */
        assert_int_equal(stored_version(r, "timestamp.json"), 1);
        assert_int_equal(stored_version(r, "snapshot.json"), 1);
        assert_int_equal(stored_version(r, "targets.json"), 1);

        /* Nothing new: the same timestamp version is not an error. */
        assert_ok(tuf_client_refresh(c, &err), err);
        assert_ok(tuf_client_find_target(c, "fw/image.bin", &t, &err), err);

        /* Release 2 reaches the same client. */
        r->files[0] = (struct target_file) { "fw/image.bin", "firmware version 2" };
        publish(r, 2);
        assert_ok(tuf_client_refresh(c, &err), err);
        assert_ok(tuf_client_find_target(c, "fw/image.bin", &t, &err), err);
        assert_int_equal(t->length, strlen("firmware version 2"));
        free(data);
        data = NULL;
        assert_ok(tuf_client_fetch_target(c, t, &data, &len, &err), err);
        assert_memory_equal(data, "firmware version 2", len);
        assert_int_equal(tuf_client_trusted(c, TUF_ROLE_TARGETS)->version, 2);
        assert_int_equal(stored_version(r, "targets.json"), 2);
}

static void test_no_consistent_snapshots(void **state) {
        struct repo *r = *state;
        _cleanup_tuf_client_ struct tuf_client *c = NULL;
        _cleanup_free_ char *name = NULL, *data = NULL;
        const struct tuf_target *t = NULL;
        struct error err = { 0 };
        size_t len;

        r->consistent = false;
        init_repo(r);
        /* Only the plain names exist. */
        for (int v = 1; v <= 1; v++) {
                _cleanup_free_ char *a = str_printf("%s/%d.snapshot.json", r->meta, v);
                _cleanup_free_ char *b = str_printf("%s/%d.targets.json", r->meta, v);
                unlink(a);
                unlink(b);
        }
        c = client(r);
        assert_ok(tuf_client_refresh(c, &err), err);
        assert_ok(tuf_client_find_target(c, "fw/image.bin", &t, &err), err);
        name = tuf_client_target_name(c, t);
        assert_string_equal(name, "fw/image.bin");
        assert_ok(tuf_client_fetch_target(c, t, &data, &len, &err), err);
        assert_memory_equal(data, "firmware version 1", len);
}

static void test_store_init(void **state) {
        struct repo *r = *state;
        _cleanup_free_ char *root1 = NULL, *stored = NULL;
        struct error err = { 0 };
        size_t len, slen;
        static const int one_signer[] = { K_ROOT0 };

        init_repo(r);
        root1 = get(r->meta, "1.root.json", &len);
        /* A store that has a root keeps it (it may be newer). */
        assert_ok(tuf_client_store_init(r->store, "garbage", 7, &err), err);
        stored = get(r->store, "root.json", &slen);
        assert_int_equal(slen, len);

        /* A root below its own threshold is not installed. */
        publish_root(r, 9, one_signer, 1);
        {
                _cleanup_free_ char *bad = get(r->meta, "9.root.json", &len);
                _cleanup_free_ char *dir = str_printf("%s/store2", r->base);
                assert_int_equal(tuf_client_store_init(dir, bad, len, &err), -1);
                assert_error_contains(err, "not signed by its own root keys: root signatures: 1 valid "
                                           "of threshold 2");
        }
        {
                _cleanup_free_ char *path = str_printf("%s/9.root.json", r->meta);
                unlink(path);
        }
        /* A client needs a root in its store. */
        {
                _cleanup_free_ char *dir = str_printf("%s/empty-store", r->base);
                struct tuf_client_config cfg = { .store_dir = dir,
                                                 .metadata = tuf_dir_fetcher(&r->meta_fetcher) };
                struct tuf_client *c = NULL;

                assert_ok(dir_create(dir, 0755, &err), err);
                assert_int_equal(tuf_client_new(&cfg, &c, &err), -1);
                assert_int_equal(err.kind, ERROR_NOT_FOUND);
                assert_error_contains(err, "trusted root: ");
        }
}

/* ---- arbitrary installation ------------------------------------------------ */

static void test_arbitrary_installation_bad_timestamp_key(void **state) {
        struct repo *r = *state;
        size_t sl, tsl;
        _cleanup_free_ char *s = NULL, *ts = NULL;

        init_repo(r);
        s = get(r->meta, "1.snapshot.json", &sl);
        /* Signed by a key that root does not list for timestamp. */
        ts = make_timestamp_by(r, K_EVIL, 2, r->now + DAY, 1, s, sl, &tsl);
        put(r->meta, "timestamp.json", ts, tsl);
        refresh_refused(r, "timestamp.json: timestamp signatures: 0 valid of threshold 1");
}

static void test_arbitrary_installation_tampered_targets(void **state) {
        struct repo *r = *state;
        _cleanup_free_ char *t = NULL, *s = NULL, *ts = NULL;
        size_t tl, sl, tsl;
        char *p;

        init_repo(r);
        refresh_ok(r);
        /* The attacker edits the signed targets (keeping the signatures) to
         * point at its own image, and re-signs snapshot and timestamp with
         * the stolen online keys so that every hash matches. */
        t = get(r->meta, "1.targets.json", &tl);
        p = strstr(t, "\"version\":1");
        assert_non_null(p);
        p[10] = '2';
        put(r->meta, "2.targets.json", t, tl);
        s = make_snapshot(r, 2, r->now + 7 * DAY, 2, t, tl, &sl);
        put(r->meta, "2.snapshot.json", s, sl);
        ts = make_timestamp(r, 2, r->now + DAY, 2, s, sl, &tsl);
        put(r->meta, "timestamp.json", ts, tsl);
        refresh_refused(r, "2.targets.json: targets signatures: 0 valid of threshold 2");
}

static void test_arbitrary_installation_attacker_targets(void **state) {
        struct repo *r = *state;
        static const int evil_signers[] = { K_EVIL, K_SNAP, K_TS };
        _cleanup_free_ char *t = NULL, *s = NULL, *ts = NULL;
        size_t tl, sl, tsl;

        init_repo(r);
        refresh_ok(r);
        /* New targets signed by keys that are not targets keys: the online
         * keys alone do not make a release. */
        r->files[0] = (struct target_file) { "fw/image.bin", "malware" };
        t = make_targets(r, 2, r->now + 90 * DAY, evil_signers, 3, &tl);
        s = make_snapshot(r, 2, r->now + 7 * DAY, 2, t, tl, &sl);
        ts = make_timestamp(r, 2, r->now + DAY, 2, s, sl, &tsl);
        put_target_files(r);
        put(r->meta, "2.targets.json", t, tl);
        put(r->meta, "2.snapshot.json", s, sl);
        put(r->meta, "timestamp.json", ts, tsl);
        refresh_refused(r, "targets signatures: 0 valid of threshold 2");
        /* The trusted targets stay at version 1. */
        assert_int_equal(stored_version(r, "targets.json"), 1);
}

/* ---- keys compromised below the threshold ---------------------------------- */

static void test_targets_below_threshold(void **state) {
        struct repo *r = *state;
        static const int one_targets_key[] = { K_TGT2 };
        _cleanup_free_ char *t = NULL, *s = NULL, *ts = NULL;
        size_t tl, sl, tsl;

        init_repo(r);
        r->files[0] = (struct target_file) { "fw/image.bin", "malware" };
        t = make_targets(r, 2, r->now + 90 * DAY, one_targets_key, 1, &tl);
        s = make_snapshot(r, 2, r->now + 7 * DAY, 2, t, tl, &sl);
        ts = make_timestamp(r, 2, r->now + DAY, 2, s, sl, &tsl);
        put(r->meta, "2.targets.json", t, tl);
        put(r->meta, "2.snapshot.json", s, sl);
        put(r->meta, "timestamp.json", ts, tsl);
        refresh_refused(r, "targets signatures: 1 valid of threshold 2");
}

static void test_duplicate_signature_refused(void **state) {
        struct repo *r = *state;
        static const int one_targets_key[] = { K_TGT0 };
        _cleanup_json_ json_t *doc = NULL;
        _cleanup_free_ char *t = NULL, *t2 = NULL, *s = NULL, *ts = NULL;
        struct error err = { 0 };
        size_t tl, t2l, sl, tsl;
        json_t *sigs;

        init_repo(r);
        /* One targets key signs, and its signature is listed twice: it
         * must not count as two of the 2-of-3. */
        t = make_targets(r, 2, r->now + 90 * DAY, one_targets_key, 1, &tl);
        doc = json_loadb(t, tl, 0, NULL);
        assert_non_null(doc);
        sigs = json_object_get(doc, "signatures");
        json_array_append_new(sigs, json_deep_copy(json_array_get(sigs, 0)));
        t2 = tuf_metadata_serialize(doc, &t2l, &err);
        s = make_snapshot(r, 2, r->now + 7 * DAY, 2, t2, t2l, &sl);
        ts = make_timestamp(r, 2, r->now + DAY, 2, s, sl, &tsl);
        put(r->meta, "2.targets.json", t2, t2l);
        put(r->meta, "2.snapshot.json", s, sl);
        put(r->meta, "timestamp.json", ts, tsl);
        refresh_refused(r, "already signed in signatures[0] (one signature per key)");
}

/* ---- endless data ------------------------------------------------------------ */

static void test_endless_data(void **state) {
        struct repo *r = *state;
        _cleanup_free_ char *big = xmalloc(TUF_CLIENT_TIMESTAMP_MAX_DEFAULT + 1);

        init_repo(r);
        memset(big, ' ', TUF_CLIENT_TIMESTAMP_MAX_DEFAULT + 1);
        put(r->meta, "timestamp.json", big, TUF_CLIENT_TIMESTAMP_MAX_DEFAULT + 1);
        refresh_refused(r, "timestamp.json is larger than the 16384 bytes allowed (endless data");
}

static void test_endless_snapshot(void **state) {
        struct repo *r = *state;
        _cleanup_free_ char *s = NULL, *longer = NULL;
        size_t sl;

        init_repo(r);
        /* One byte more than the length the timestamp lists. */
        s = get(r->meta, "1.snapshot.json", &sl);
        longer = xmalloc(sl + 1);
        memcpy(longer, s, sl);
        longer[sl] = '\n';
        put(r->meta, "1.snapshot.json", longer, sl + 1);
        {
                _cleanup_free_ char *msg = str_printf("1.snapshot.json is larger than the %zu bytes "
                                                      "allowed (endless data attack?)",
                                                      sl);
                refresh_refused(r, msg);
        }
}

static void test_endless_root(void **state) {
        struct repo *r = *state;
        _cleanup_tuf_client_ struct tuf_client *c = NULL;
        _cleanup_free_ char *big = xmalloc(4096);
        struct tuf_client_config cfg = {
                .store_dir = r->store,
                .metadata = tuf_dir_fetcher(&r->meta_fetcher),
                .root_max_len = 4000,
                .now = r->now,
        };
        struct error err = { 0 };

        init_repo(r);
        memset(big, '{', 4096);
        put(r->meta, "2.root.json", big, 4096);
        assert_ok(tuf_client_new(&cfg, &c, &err), err);
        assert_int_equal(tuf_client_refresh(c, &err), -1);
        assert_int_equal(err.kind, ERROR_TOO_LARGE);
        assert_string_equal(err.msg,
                            "2.root.json is larger than the 4000 bytes allowed (endless data attack?)");
}

static void test_endless_target(void **state) {
        struct repo *r = *state;
        _cleanup_tuf_client_ struct tuf_client *c = NULL;
        _cleanup_free_ char *name = NULL, *data = NULL;
        const struct tuf_target *t = NULL;
        struct error err = { 0 };
        size_t len = 0;

        init_repo(r);
        c = client(r);
        assert_ok(tuf_client_refresh(c, &err), err);
        assert_ok(tuf_client_find_target(c, "fw/image.bin", &t, &err), err);
        name = tuf_client_target_name(c, t);
        put_str(r->tgt, name, "firmware version 1 and then some more bytes");
        assert_int_equal(tuf_client_fetch_target(c, t, &data, &len, &err), -1);
        assert_int_equal(err.kind, ERROR_TOO_LARGE);
        assert_error_contains(err, "is larger than the 18 bytes allowed (endless data attack?)");
        assert_null(data);
}

/* ---- wrong software: hashes and lengths ----------------------------------- */

static void test_wrong_target_hash_and_length(void **state) {
        struct repo *r = *state;
        _cleanup_tuf_client_ struct tuf_client *c = NULL;
        _cleanup_free_ char *name = NULL, *data = NULL;
        const struct tuf_target *t = NULL;
        struct error err = { 0 };
        size_t len = 0;

        init_repo(r);
        c = client(r);
        assert_ok(tuf_client_refresh(c, &err), err);
        assert_ok(tuf_client_find_target(c, "fw/image.bin", &t, &err), err);
        name = tuf_client_target_name(c, t);

        put_str(r->tgt, name, "firmware version X"); /* same length */
        assert_int_equal(tuf_client_fetch_target(c, t, &data, &len, &err), -1);
        assert_string_equal(err.msg, "target 'fw/image.bin': SHA-256 does not match the targets "
                                     "metadata (wrong or altered file)");

        put_str(r->tgt, name, "firmware"); /* shorter */
        assert_int_equal(tuf_client_fetch_target(c, t, &data, &len, &err), -1);
        assert_string_equal(err.msg, "target 'fw/image.bin' has 8 bytes, targets metadata says 18 "
                                     "(wrong or altered file)");
        assert_null(data);
}

static void test_snapshot_hash_mismatch(void **state) {
        struct repo *r = *state;
        _cleanup_free_ char *t = NULL, *s = NULL, *ts = NULL;
        struct error err = { 0 };
        struct tuf_meta_file mf = { .name = "snapshot.json", .version = 1, .length = -1 };
        static const int ts_signer[] = { K_TS };
        size_t tl, sl, tsl;

        init_repo(r);
        /* The timestamp describes (by hash only) another snapshot 1, validly
         * signed, than the one served. */
        t = get(r->meta, "1.targets.json", &tl);
        s = make_snapshot(r, 1, r->now + 7 * DAY - 1, 1, t, tl, &sl);
        tuf_meta_file_describe(&mf, s, sl);
        mf.length = -1;
        ts = sign_doc(r, tuf_build_timestamp(2, r->now + DAY, &mf, &err), ts_signer, 1, &tsl);
        put(r->meta, "timestamp.json", ts, tsl);
        refresh_refused(r, "snapshot hash does not match timestamp");
}

static void test_targets_length_mismatch(void **state) {
        struct repo *r = *state;
        _cleanup_free_ char *t = NULL, *s = NULL, *ts = NULL;
        size_t tl, sl, tsl;
        static const int signers[] = { K_TGT0, K_TGT1, K_TGT2 };

        init_repo(r);
        /* 2.targets.json is listed with the length of another file. */
        t = make_targets(r, 2, r->now + 90 * DAY, signers, 3, &tl);
        {
                struct tuf_meta_file mf = { .name = "targets.json", .version = 2,
                                            .length = (int64_t) tl + 5 };
                struct error err = { 0 };
                static const int snap[] = { K_SNAP };
                s = sign_doc(r, tuf_build_snapshot(2, r->now + 7 * DAY, &mf, 1, &err), snap, 1, &sl);
        }
        ts = make_timestamp(r, 2, r->now + DAY, 2, s, sl, &tsl);
        put(r->meta, "2.targets.json", t, tl);
        put(r->meta, "2.snapshot.json", s, sl);
        put(r->meta, "timestamp.json", ts, tsl);
        {
                _cleanup_free_ char *msg = str_printf("targets length %zu does not match the %zu bytes "
                                                      "listed in snapshot",
                                                      tl, tl + 5);
                refresh_refused(r, msg);
        }
}

/* ---- mix-and-match ----------------------------------------------------------- */

static void test_mix_and_match_snapshot_version(void **state) {
        struct repo *r = *state;
        _cleanup_free_ char *s = NULL, *ts = NULL;
        size_t sl, tsl;

        init_repo(r);
        /* The timestamp says snapshot 2 (no hash, as the specification
         * allows); the file served as 2.snapshot.json is snapshot 1. */
        s = get(r->meta, "1.snapshot.json", &sl);
        put(r->meta, "2.snapshot.json", s, sl);
        ts = make_timestamp(r, 2, r->now + DAY, 2, NULL, 0, &tsl);
        put(r->meta, "timestamp.json", ts, tsl);
        refresh_refused(r, "snapshot version 1 does not match the version 2 listed in timestamp "
                           "(mix-and-match?)");
}

static void test_mix_and_match_targets_version(void **state) {
        struct repo *r = *state;
        _cleanup_free_ char *t = NULL, *s = NULL, *ts = NULL;
        size_t tl, sl, tsl;

        init_repo(r);
        t = get(r->meta, "1.targets.json", &tl);
        put(r->meta, "2.targets.json", t, tl);
        s = make_snapshot(r, 2, r->now + 7 * DAY, 2, NULL, 0, &sl);
        put(r->meta, "2.snapshot.json", s, sl);
        ts = make_timestamp(r, 2, r->now + DAY, 2, s, sl, &tsl);
        put(r->meta, "timestamp.json", ts, tsl);
        refresh_refused(r, "targets version 1 does not match the version 2 listed in snapshot "
                           "(mix-and-match?)");
}

/* ---- rollback ------------------------------------------------------------------ */

static void test_rollback_timestamp(void **state) {
        struct repo *r = *state;
        _cleanup_free_ char *old_ts = NULL;
        size_t len;

        init_repo(r);
        old_ts = get(r->meta, "timestamp.json", &len);
        publish(r, 2);
        refresh_ok(r);
        assert_int_equal(stored_version(r, "timestamp.json"), 2);
        /* A mirror replays timestamp 1: still signed, still fresh. */
        put(r->meta, "timestamp.json", old_ts, len);
        refresh_refused(r, "timestamp version 1 is lower than the trusted version 2 (rollback)");
        assert_int_equal(stored_version(r, "timestamp.json"), 2);
}

static void test_rollback_snapshot_in_timestamp(void **state) {
        struct repo *r = *state;
        _cleanup_free_ char *s1 = NULL, *ts = NULL;
        size_t sl, tsl;

        init_repo(r);
        s1 = get(r->meta, "1.snapshot.json", &sl);
        publish(r, 2);
        refresh_ok(r);
        /* A new timestamp that points back at snapshot 1. */
        ts = make_timestamp(r, 3, r->now + DAY, 1, s1, sl, &tsl);
        put(r->meta, "timestamp.json", ts, tsl);
        refresh_refused(r, "timestamp lists snapshot version 1, lower than the trusted version 2 "
                           "(rollback)");
}

static void test_rollback_targets_in_snapshot(void **state) {
        struct repo *r = *state;
        _cleanup_free_ char *t1 = NULL, *s = NULL, *ts = NULL;
        size_t tl, sl, tsl;

        init_repo(r);
        t1 = get(r->meta, "1.targets.json", &tl);
        publish(r, 2);
        refresh_ok(r);
        /* The online keys sign a new snapshot listing the old targets. */
        s = make_snapshot(r, 3, r->now + 7 * DAY, 1, t1, tl, &sl);
        ts = make_timestamp(r, 3, r->now + DAY, 3, s, sl, &tsl);
        put(r->meta, "3.snapshot.json", s, sl);
        put(r->meta, "timestamp.json", ts, tsl);
        refresh_refused(r, "snapshot lists targets.json version 1, lower than the trusted version 2 "
                           "(rollback)");
        assert_int_equal(stored_version(r, "snapshot.json"), 2);
}

/* ---- indefinite freeze ------------------------------------------------------- */

static void test_freeze_timestamp(void **state) {
        struct repo *r = *state;
        _cleanup_tuf_client_ struct tuf_client *c = NULL;
        struct error err = { 0 };

        init_repo(r);
        /* The mirror keeps serving release 1 past the timestamp's expiry. */
        c = client_at(r, r->now + 2 * DAY);
        assert_int_equal(tuf_client_refresh(c, &err), -1);
        assert_error_contains(err, "timestamp.json expired at ");
        assert_error_contains(err, "(freeze attack?)");
}

static void test_freeze_snapshot_and_targets(void **state) {
        struct repo *r = *state;
        _cleanup_free_ char *t = NULL, *s = NULL, *ts = NULL;
        size_t tl, sl, tsl;
        static const int signers[] = { K_TGT0, K_TGT2 };
        char when[TIME_RFC3339_LEN];

        init_repo(r);
        /* Fresh timestamp over an expired snapshot. */
        t = get(r->meta, "1.targets.json", &tl);
        s = make_snapshot(r, 2, r->now - 1, 1, t, tl, &sl);
        ts = make_timestamp(r, 2, r->now + DAY, 2, s, sl, &tsl);
        put(r->meta, "2.snapshot.json", s, sl);
        put(r->meta, "timestamp.json", ts, tsl);
        time_format_rfc3339(r->now - 1, when);
        {
                _cleanup_free_ char *msg = str_printf("snapshot.json expired at %s", when);
                refresh_refused(r, msg);
        }
        free(t);
        free(s);
        free(ts);
        /* Fresh timestamp and snapshot over expired targets. */
        t = make_targets(r, 3, r->now - 1, signers, 2, &tl);
        s = make_snapshot(r, 3, r->now + 7 * DAY, 3, t, tl, &sl);
        ts = make_timestamp(r, 3, r->now + DAY, 3, s, sl, &tsl);
        put(r->meta, "3.targets.json", t, tl);
        put(r->meta, "3.snapshot.json", s, sl);
        put(r->meta, "timestamp.json", ts, tsl);
        {
                _cleanup_free_ char *msg = str_printf("targets.json expired at %s", when);
                refresh_refused(r, msg);
        }
}

static void test_freeze_root(void **state) {
        struct repo *r = *state;
        _cleanup_tuf_client_ struct tuf_client *c = NULL;
        struct error err = { 0 };

        init_repo(r);
        c = client_at(r, r->now + 400 * DAY);
        assert_int_equal(tuf_client_refresh(c, &err), -1);
        assert_error_contains(err, "root.json expired at ");
        assert_error_contains(err, "(version 1, now ");
}

/* ---- root rotation -------------------------------------------------------------- */

static void test_root_rotation(void **state) {
        struct repo *r = *state;
        _cleanup_tuf_client_ struct tuf_client *c = NULL;
        struct error err = { 0 };
        /* v2 replaces root key 2 with key 3: signed by 2 of the old keys
         * (0, 1) and 2 of the new ones (1, 3). */
        static const int v2_signers[] = { K_ROOT0, K_ROOT1, K_ROOT3 };
        static const int v3_signers[] = { K_ROOT1, K_ROOT3 };

        init_repo(r);
        refresh_ok(r);
        r->role_keys[TUF_ROLE_ROOT][2] = K_ROOT3;
        publish_root(r, 2, v2_signers, 3);
        publish_root(r, 3, v3_signers, 2);
        c = client(r);
        assert_ok(tuf_client_refresh(c, &err), err);
        assert_int_equal(tuf_client_trusted(c, TUF_ROLE_ROOT)->version, 3);
        assert_int_equal(stored_version(r, "root.json"), 3);
        /* No timestamp/snapshot key change: the stored ones stay. */
        assert_int_equal(stored_version(r, "timestamp.json"), 1);
}

/* Adds a key of a type Cradle does not support (RSA) to a root "signed"
 * object and lists it for the root role; returns its keyid (static). */
static const char *add_unsupported_root_key(json_t *signed_obj) {
        static char keyid[TUF_KEYID_HEX_LEN];
        struct error err = { 0 };
        json_t *key = json_pack("{s:s, s:s, s:{s:s}}", "keytype", "rsa", "scheme", "rsassa-pss-sha256", "keyval",
                                "public", "-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOC\n-----END PUBLIC KEY-----\n");

        assert_ok(tuf_keyid_compute(key, keyid, &err), err);
        json_object_set_new(json_object_get(signed_obj, "keys"), keyid, key);
        json_array_append_new(json_object_get(json_object_get(json_object_get(signed_obj, "roles"), "root"), "keyids"),
                              json_string(keyid));
        return keyid;
}

/* Issue 7: a rotation that adds a key of an unsupported type beside
 * supported ones at threshold is accepted; the new key simply never counts. */
static void test_root_rotation_adds_unsupported_key(void **state) {
        struct repo *r = *state;
        _cleanup_tuf_client_ struct tuf_client *c = NULL;
        static const int signers[] = { K_ROOT0, K_ROOT1 };
        struct error err = { 0 };
        json_t *s;
        size_t len;

        init_repo(r);
        refresh_ok(r);
        s = root_signed(r, 2, r->now + 365 * DAY);
        add_unsupported_root_key(s);
        {
                _cleanup_free_ char *bytes = sign_doc(r, s, signers, 2, &len);
                put(r->meta, "2.root.json", bytes, len);
        }
        c = client(r);
        assert_ok(tuf_client_refresh(c, &err), err);
        assert_int_equal(tuf_client_trusted(c, TUF_ROLE_ROOT)->version, 2);
        assert_int_equal(tuf_client_trusted(c, TUF_ROLE_ROOT)->root.roles[TUF_ROLE_ROOT].n_keyids, 4);
        assert_int_equal(stored_version(r, "root.json"), 2);
}

/* ...and it does not count: threshold 3 of {0, 1, 2, rsa} signed by 0, 1 and
 * a garbage "signature" under the RSA keyid is 2 valid, refused. */
static void test_unsupported_key_does_not_count(void **state) {
        struct repo *r = *state;
        static const int signers[] = { K_ROOT0, K_ROOT1 };
        json_t *s, *doc;
        const char *rsa;
        size_t len;
        struct error err = { 0 };

        init_repo(r);
        r->threshold[TUF_ROLE_ROOT] = 3;
        s = root_signed(r, 2, r->now + 365 * DAY);
        rsa = add_unsupported_root_key(s);
        {
                _cleanup_free_ char *bytes = sign_doc(r, s, signers, 2, &len);
                _cleanup_free_ char *out = NULL;
                doc = json_loadb(bytes, len, 0, NULL);
                json_array_append_new(json_object_get(doc, "signatures"),
                                      json_pack("{s:s, s:s}", "keyid", rsa, "sig", "abcd"));
                out = tuf_metadata_serialize(doc, &len, &err);
                json_decref(doc);
                put(r->meta, "2.root.json", out, len);
        }
        refresh_refused(r, "2.root.json: not signed by its own root keys: root signatures: 2 valid of threshold 3");
        assert_int_equal(stored_version(r, "root.json"), 1);
}

static int refuse_version_2(void *ud, const char *name, const struct tuf_metadata *current,
                            const struct tuf_metadata *next, struct error *err) {
        (*(int *) ud)++;
        assert_int_equal(current->version + 1, next->version);
        if (next->version == 2)
                return error_set(err, ERROR_FORBIDDEN, "%s: refused by the caller's rule", name);
        return 0;
}

/* The caller's root_check runs for each new root before it is stored. */
static void test_root_check_hook_refuses_rotation(void **state) {
        struct repo *r = *state;
        _cleanup_tuf_client_ struct tuf_client *c = NULL;
        static const int signers[] = { K_ROOT0, K_ROOT1 };
        int calls = 0;
        struct tuf_client_config cfg = {
                .metadata = tuf_dir_fetcher(&r->meta_fetcher),
                .root_check = refuse_version_2,
        };
        struct error err = { 0 };

        init_repo(r);
        publish_root(r, 2, signers, 2);
        cfg.store_dir = r->store;
        cfg.now = r->now;
        cfg.root_check_ud = &calls;
        assert_ok(tuf_client_new(&cfg, &c, &err), err);
        assert_int_equal(tuf_client_refresh(c, &err), -1);
        assert_error_contains(err, "2.root.json: refused by the caller's rule");
        assert_int_equal(calls, 1);
        assert_int_equal(tuf_client_trusted(c, TUF_ROLE_ROOT)->version, 1);
        assert_int_equal(stored_version(r, "root.json"), 1);
}

static void test_root_rotation_max(void **state) {
        struct repo *r = *state;
        _cleanup_tuf_client_ struct tuf_client *c = NULL;
        static const int signers[] = { K_ROOT0, K_ROOT1 };
        struct tuf_client_config cfg = {
                .metadata = tuf_dir_fetcher(&r->meta_fetcher),
                .max_root_rotations = 2,
        };
        struct error err = { 0 };

        init_repo(r);
        for (int v = 2; v <= 5; v++)
                publish_root(r, v, signers, 2);
        cfg.store_dir = r->store;
        cfg.now = r->now;
        assert_ok(tuf_client_new(&cfg, &c, &err), err);
        assert_ok(tuf_client_refresh(c, &err), err);
        assert_int_equal(tuf_client_trusted(c, TUF_ROLE_ROOT)->version, 3);
        assert_ok(tuf_client_refresh(c, &err), err);
        assert_int_equal(tuf_client_trusted(c, TUF_ROLE_ROOT)->version, 5);
}

static void test_root_rotation_without_old_threshold(void **state) {
        struct repo *r = *state;
        /* New root keys 3 (and 1): signed by 1 old key only. */
        static const int signers[] = { K_ROOT1, K_ROOT3 };

        init_repo(r);
        r->role_keys[TUF_ROLE_ROOT][0] = K_ROOT3;
        r->n_role_keys[TUF_ROLE_ROOT] = 2;
        publish_root(r, 2, signers, 2);
        refresh_refused(r, "2.root.json: not signed by the trusted root (version 1): root "
                           "signatures: 1 valid of threshold 2");
        assert_int_equal(stored_version(r, "root.json"), 1);
}

static void test_root_rotation_without_new_threshold(void **state) {
        struct repo *r = *state;
        /* The new root's keys are 1, 3 (threshold 2); only the old keys
         * 0 and 2, and new key 1, sign: one new signature is not enough. */
        static const int signers[] = { K_ROOT0, K_ROOT2, K_ROOT1 };

        init_repo(r);
        r->role_keys[TUF_ROLE_ROOT][0] = K_ROOT1;
        r->role_keys[TUF_ROLE_ROOT][1] = K_ROOT3;
        r->n_role_keys[TUF_ROLE_ROOT] = 2;
        publish_root(r, 2, signers, 3);
        refresh_refused(r, "2.root.json: not signed by its own root keys: root signatures: 1 valid of "
                           "threshold 2");
        assert_int_equal(stored_version(r, "root.json"), 1);
}

static void test_root_rotation_version_skip(void **state) {
        struct repo *r = *state;
        static const int signers[] = { K_ROOT0, K_ROOT1 };
        _cleanup_free_ char *v3 = NULL;
        size_t len;

        init_repo(r);
        /* 2.root.json holds version 3. */
        publish_root(r, 3, signers, 2);
        v3 = get(r->meta, "3.root.json", &len);
        put(r->meta, "2.root.json", v3, len);
        refresh_refused(r, "2.root.json has version 3, expected exactly 2 (rollback or fast-forward");
}

/* ---- fast-forward -------------------------------------------------------------- */

static void test_fast_forward_recovery(void **state) {
        struct repo *r = *state;
        _cleanup_free_ char *s = NULL, *ts = NULL;
        static const int root_signers[] = { K_ROOT0, K_ROOT1 };
        size_t sl, tsl;

        init_repo(r);
        refresh_ok(r);
        /* With the stolen timestamp key the attacker pushes the client's
         * trusted timestamp to version 1000. */
        s = get(r->meta, "1.snapshot.json", &sl);
        ts = make_timestamp(r, 1000, r->now + DAY, 1, s, sl, &tsl);
        put(r->meta, "timestamp.json", ts, tsl);
        refresh_ok(r);
        assert_int_equal(stored_version(r, "timestamp.json"), 1000);

        /* The repository recovers with timestamp 2 under the same key: the
         * client is stuck, which is the fast-forward attack. */
        publish(r, 2);
        refresh_refused(r, "timestamp version 2 is lower than the trusted version 1000 (rollback)");

        /* Rotating the timestamp key in root clears the stored timestamp
         * and snapshot on the client; the honest timestamp 2 is accepted. */
        r->role_keys[TUF_ROLE_TIMESTAMP][0] = K_TS_NEW;
        publish_root(r, 2, root_signers, 2);
        free(ts);
        free(s);
        s = get(r->meta, "2.snapshot.json", &sl);
        ts = make_timestamp_by(r, K_TS_NEW, 2, r->now + DAY, 2, s, sl, &tsl);
        put(r->meta, "timestamp.json", ts, tsl);
        refresh_ok(r);
        assert_int_equal(stored_version(r, "timestamp.json"), 2);
        assert_int_equal(stored_version(r, "root.json"), 2);
        assert_int_equal(stored_version(r, "targets.json"), 2);
}

/* ---- transport failures ------------------------------------------------------- */

static void test_missing_timestamp(void **state) {
        struct repo *r = *state;
        _cleanup_free_ char *path = NULL;

        init_repo(r);
        path = path_join(r->meta, "timestamp.json");
        unlink(path);
        refresh_refused(r, "cannot fetch timestamp.json: ");
}

static void test_garbage_metadata(void **state) {
        struct repo *r = *state;

        init_repo(r);
        put_str(r->meta, "timestamp.json", "{\"signed\": {}}");
        refresh_refused(r, "timestamp.json: missing required field 'signatures'");
        put_str(r->meta, "timestamp.json", "not json");
        refresh_refused(r, "timestamp.json: line 1");
        /* A snapshot served as timestamp. */
        {
                size_t len;
                _cleanup_free_ char *s = get(r->meta, "1.snapshot.json", &len);
                put(r->meta, "timestamp.json", s, len);
        }
        refresh_refused(r, "timestamp.json: signed._type is 'snapshot', expected 'timestamp'");
}

int main(void) {
        const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
                T(test_update_and_download),
                T(test_no_consistent_snapshots),
                T(test_store_init),
                T(test_arbitrary_installation_bad_timestamp_key),
                T(test_arbitrary_installation_tampered_targets),
                T(test_arbitrary_installation_attacker_targets),
                T(test_targets_below_threshold),
                T(test_duplicate_signature_refused),
                T(test_endless_data),
                T(test_endless_snapshot),
                T(test_endless_root),
                T(test_endless_target),
                T(test_wrong_target_hash_and_length),
                T(test_snapshot_hash_mismatch),
                T(test_targets_length_mismatch),
                T(test_mix_and_match_snapshot_version),
                T(test_mix_and_match_targets_version),
                T(test_rollback_timestamp),
                T(test_rollback_snapshot_in_timestamp),
                T(test_rollback_targets_in_snapshot),
                T(test_freeze_timestamp),
                T(test_freeze_snapshot_and_targets),
                T(test_freeze_root),
                T(test_root_rotation),
                T(test_root_rotation_adds_unsupported_key),
                T(test_unsupported_key_does_not_count),
                T(test_root_check_hook_refuses_rotation),
                T(test_root_rotation_max),
                T(test_root_rotation_without_old_threshold),
                T(test_root_rotation_without_new_threshold),
                T(test_root_rotation_version_skip),
                T(test_fast_forward_recovery),
                T(test_missing_timestamp),
                T(test_garbage_metadata),
#undef T
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

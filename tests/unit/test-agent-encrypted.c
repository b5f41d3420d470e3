/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Encrypted update payloads on the device (docs/ota.md, "Encrypted
 * payloads"): whole agent cycles against a repository built here, as in
 * test-agent-cycle.c, with images in the chunked AES-256-GCM container and
 * the content key wrapped to the device's P-256 key in the director's
 * custom. Covered: an install that decrypts into the slot; a resumed
 * download; and every refusal leaving the slot unactivated: a key wrapped for
 * another device, a director without a wrapped key, a one-byte change, a
 * swapped chunk and a truncated container that the metadata nevertheless
 * lists (so only the decryption can catch them), a wrong signed plaintext
 * hash, an Ed25519 device key, and the two repositories disagreeing on the
 * encryption.
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
#include "crypto/ota-crypt.h"
#include "crypto/ota-wrap.h"
#include "crypto/random.h"
#include "testutil-agent.h"
#include "testutil-agent-repo.h"

#define SERIAL "T1-000007"
#include "testutil-agent-fixture.h"
#define HWID "T1-EU/r2"
#define PATH "1.2.0/rootfs.img"
#define PLAIN_LEN (3 * OTA_CRYPT_CHUNK_MIN + 123)

static int setup(void **state) {
        return tu_agent_fixture_setup(state, "agent-encrypted");
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


static char *slot(struct fixture *f, const char *name) {
        _cleanup_free_ char *slots = path_join(f->dir, "slots");
        return tu_read(slots, name, NULL);
}



#define assert_error_msg(e, substr)                                                       \
        do {                                                                              \
                if (!strstr((e).msg, (substr)))                                           \
                        fail_msg("error \"%s\" lacks \"%s\"", (e).msg, (substr));       \
        } while (0)

static bool mem_contains_bytes(const uint8_t *hay, size_t n, const uint8_t *needle, size_t m) {
        for (size_t i = 0; i + m <= n; i++)
                if (memcmp(hay + i, needle, m) == 0)
                        return true;
        return false;
}

/* An encrypted 1.2.0: the container, its customs, and the plaintext. */
struct enc_image {
        struct tu_image im;
        struct tu_image_enc enc;
        uint8_t *container;
        size_t container_len;
        uint8_t *plain;
        uint8_t key[OTA_CRYPT_KEY_LEN];
};

static void enc_free(struct enc_image *e) {
        json_decref(e->enc.encryption);
        json_decref(e->enc.encryption_key);
        free(e->container);
        free(e->plain);
}

/* Encrypts PLAIN_LEN bytes under a fresh key; wraps it to `wrap_to` (NULL:
 * the device's own key) for `serial`. */
static void enc_make(struct fixture *f, struct enc_image *e, const char *wrap_to, const char *serial) {
        struct error err = { 0 };
        _cleanup_free_ char *plain_path = path_join(f->dir, "plain.img"), *enc_path = path_join(f->dir, "enc.img");
        memset(e, 0, sizeof(*e));
        e->plain = malloc(PLAIN_LEN);
        for (size_t i = 0; i < PLAIN_LEN; i++)
                e->plain[i] = (uint8_t) ("root file system 1.2.0, encrypted "[i % 34]);
        tu_write(f->dir, "plain.img", e->plain, PLAIN_LEN, 0600);
        assert_ok(random_bytes(e->key, sizeof(e->key), &err), err);
        int fd = open(enc_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        assert_true(fd >= 0);
        struct ota_crypt_result res;
        assert_ok(ota_crypt_encrypt_file(e->key, OTA_CRYPT_CHUNK_MIN, plain_path, fd, &res, &err), err);
        close(fd);
        e->container = (uint8_t *) tu_read(f->dir, "enc.img", &e->container_len);
        char hex[SHA256_HEX_LEN];
        hex_encode(res.plain_sha256, SHA256_LEN, hex);
        e->im = (struct tu_image) { "1.2.0", "rootfs.img", (const char *) e->container, 7, NULL, NULL };
        e->enc.content_len = e->container_len;
        e->enc.encryption = json_pack("{s:s, s:s, s:I, s:I}", "scheme", OTA_CRYPT_SCHEME, "plaintext_sha256", hex,
                                     "plaintext_length", (json_int_t) PLAIN_LEN, "chunk_size",
                                     (json_int_t) OTA_CRYPT_CHUNK_MIN);
        _cleanup_free_ char *kpath = path_join(f->dir, wrap_to ? wrap_to : "device.key");
        struct crypto_key *k = NULL;
        assert_ok(crypto_key_load(kpath, &k, &err), err);
        assert_ok(ota_wrap_key(crypto_key_pubkey(k), serial ? serial : SERIAL, PATH, e->key, &e->enc.encryption_key,
                               &err),
                  err);
        crypto_key_free(k);
}

static void publish_enc(struct fixture *f, struct enc_image *e) {
        static const int both[] = { RK_TGT1, RK_TGT2 };
        tu_publish_images_with_enc(f->repo, &e->im, &e->enc, 1, both, 2, RK_SNAP, RK_TS);
        tu_publish_director_enc(f->repo, &e->im, &e->enc, 1, ++f->director_version, f->repo->now + TU_DAY, SERIAL,
                                HWID, DK_TGT);
}

static void make_key(struct fixture *f, const char *name, enum crypto_key_type type) {
        struct error err = { 0 };
        _cleanup_free_ char *p = path_join(f->dir, name);
        unlink(p);
        assert_ok(crypto_key_generate_file(p, type, &err), err);
}

static int setup_enc(void **state) {
        setup(state);
        struct fixture *f = *state;
        make_key(f, "device.key", CRYPTO_KEY_EC_P256);
        make_key(f, "other.key", CRYPTO_KEY_EC_P256);
        return 0;
}

static void assert_not_activated(struct fixture *f) {
        struct agent_abdir_status st;
        struct error err = { 0 };
        _cleanup_free_ char *slots = path_join(f->dir, "slots");
        assert_ok(agent_abdir_read(slots, &st, &err), err);
        assert_int_equal(st.active, 'A');
        assert_int_equal(st.pending, 0);
        assert_int_equal(f->a.st.phase, AGENT_PHASE_IDLE);
        _cleanup_free_ char *a = slot(f, "slotA");
        assert_string_equal(a, "factory image 1.0.0");
        assert_false(tu_exists(f->cfg.state_dir, "download.part.plain"));
}

static void installs_an_encrypted_image(void **state) {
        struct fixture *f = *state;
        struct enc_image e;
        enc_make(f, &e, NULL, NULL);
        publish_enc(f, &e);
        cycle_ok(f);
        assert_int_equal(f->a.st.phase, AGENT_PHASE_AWAITING_REBOOT);
        size_t len = 0;
        _cleanup_free_ char *slots = path_join(f->dir, "slots");
        _cleanup_free_ char *b = tu_read(slots, "slotB", &len);
        assert_int_equal(len, PLAIN_LEN);
        assert_memory_equal(b, e.plain, PLAIN_LEN);
        /* The mirror only ever served the container. */
        assert_false(mem_contains_bytes(e.container, e.container_len, e.plain, 34));
        assert_int_equal(boot(f), 'B');
        assert_string_equal(confirm(f), "confirmed");
        assert_int_equal(f->a.st.floor, 7);
        enc_free(&e);
}

static void resumes_an_encrypted_download(void **state) {
        struct fixture *f = *state;
        struct error err = { 0 };
        struct enc_image e;
        enc_make(f, &e, NULL, NULL);
        publish_enc(f, &e);
        /* Cut inside the second chunk: the partial file is ciphertext. */
        tu_httpd_mode(f->httpd, "cut=5000");
        assert_int_equal(agent_cycle(&f->a, &err), -1);
        assert_int_equal(err.kind, ERROR_UNAVAILABLE);
        assert_int_equal(f->a.st.phase, AGENT_PHASE_DOWNLOADING);
        tu_httpd_mode(f->httpd, "");
        write_config(f, f->httpd->url); /* a new process */
        cycle_ok(f);
        assert_int_equal(f->a.st.phase, AGENT_PHASE_AWAITING_REBOOT);
        _cleanup_free_ char *log = tu_httpd_requests(f->httpd);
        assert_non_null(strstr(log, ".rootfs.img range=5000"));
        size_t len = 0;
        _cleanup_free_ char *slots = path_join(f->dir, "slots");
        _cleanup_free_ char *b = tu_read(slots, "slotB", &len);
        assert_int_equal(len, PLAIN_LEN);
        assert_memory_equal(b, e.plain, PLAIN_LEN);
        enc_free(&e);
}

static void refuses_a_key_wrapped_for_another_device(void **state) {
        struct fixture *f = *state;
        struct enc_image e;
        enc_make(f, &e, "other.key", NULL);
        publish_enc(f, &e);
        cycle_refused(f, "does not unwrap with this device's key");
        assert_not_activated(f);
        enc_free(&e);
}

static void refuses_a_key_wrapped_for_another_serial(void **state) {
        struct fixture *f = *state;
        struct enc_image e;
        enc_make(f, &e, NULL, "T1-000008");
        publish_enc(f, &e);
        cycle_refused(f, "does not unwrap with this device's key");
        assert_not_activated(f);
        enc_free(&e);
}

static void refuses_a_director_without_a_wrapped_key(void **state) {
        struct fixture *f = *state;
        struct enc_image e;
        enc_make(f, &e, NULL, NULL);
        json_decref(e.enc.encryption_key);
        e.enc.encryption_key = NULL;
        publish_enc(f, &e);
        cycle_refused(f, "the director gives no wrapped content key for this device");
        assert_not_activated(f);
        enc_free(&e);
}

/* The metadata lists the damaged container (as a compromised signing path
 * would), so the TUF hashes pass and only the decryption refuses it. */
static void refuses_damaged_container(struct fixture *f, void (*damage)(struct enc_image *), const char *why) {
        struct enc_image e;
        enc_make(f, &e, NULL, NULL);
        damage(&e);
        publish_enc(f, &e);
        cycle_refused(f, why);
        assert_not_activated(f);
        enc_free(&e);
}

static void flip_one_byte(struct enc_image *e) {
        e->container[OTA_CRYPT_HEADER_LEN + OTA_CRYPT_CHUNK_MIN + OTA_CRYPT_TAG_LEN + 9] ^= 0x01;
}

static void swap_chunks(struct enc_image *e) {
        size_t cs = OTA_CRYPT_CHUNK_MIN + OTA_CRYPT_TAG_LEN;
        uint8_t *tmp = malloc(cs), *c0 = e->container + OTA_CRYPT_HEADER_LEN;
        memcpy(tmp, c0, cs);
        memcpy(c0, c0 + cs, cs);
        memcpy(c0 + cs, tmp, cs);
        free(tmp);
}

/* The last chunk cut off, and the header's length changed to match what is
 * left (so the lengths agree and the cut is at a chunk boundary). */
static void truncate_container(struct enc_image *e) {
        size_t cs = OTA_CRYPT_CHUNK_MIN + OTA_CRYPT_TAG_LEN;
        e->container_len = OTA_CRYPT_HEADER_LEN + 3 * cs;
        e->enc.content_len = e->container_len;
        uint64_t pl = 3 * OTA_CRYPT_CHUNK_MIN;
        for (int i = 7; i >= 0; i--, pl >>= 8)
                e->container[20 + i] = (uint8_t) pl;
        json_object_set_new(e->enc.encryption, "plaintext_length", json_integer(3 * OTA_CRYPT_CHUNK_MIN));
}

static void refuses_a_flipped_byte(void **state) {
        refuses_damaged_container(*state, flip_one_byte, "chunk 1 of 4 does not authenticate");
}

static void refuses_swapped_chunks(void **state) {
        refuses_damaged_container(*state, swap_chunks, "chunk 0 of 4 does not authenticate");
}

static void refuses_a_truncated_container(void **state) {
        refuses_damaged_container(*state, truncate_container, "chunk 0 of 3 does not authenticate");
}

static void wrong_plaintext_hash(struct enc_image *e) {
        json_object_set_new(e->enc.encryption, "plaintext_sha256", json_string("00000000000000000000000000000000"
                                                                               "00000000000000000000000000000000"));
}

static void refuses_a_wrong_plaintext_hash(void **state) {
        refuses_damaged_container(*state, wrong_plaintext_hash, "the signed plaintext is");
}

static void refuses_an_ed25519_device_key(void **state) {
        struct fixture *f = *state;
        struct enc_image e;
        enc_make(f, &e, NULL, NULL);
        make_key(f, "device.key", CRYPTO_KEY_ED25519);
        publish_enc(f, &e);
        cycle_refused(f, "Ed25519");
        assert_not_activated(f);
        enc_free(&e);
}

static void refuses_disagreeing_encryption(void **state) {
        struct fixture *f = *state;
        struct enc_image e;
        enc_make(f, &e, NULL, NULL);
        static const int both[] = { RK_TGT1, RK_TGT2 };
        tu_publish_images_with_enc(f->repo, &e.im, &e.enc, 1, both, 2, RK_SNAP, RK_TS);
        /* The director's copy of "encryption" names another plaintext hash. */
        json_t *saved = e.enc.encryption;
        e.enc.encryption = json_deep_copy(saved);
        json_object_set_new(e.enc.encryption, "plaintext_sha256",
                            json_string("1111111111111111111111111111111111111111111111111111111111111111"));
        tu_publish_director_enc(f->repo, &e.im, &e.enc, 1, ++f->director_version, f->repo->now + TU_DAY, SERIAL, HWID,
                                DK_TGT);
        json_decref(e.enc.encryption);
        e.enc.encryption = saved;
        cycle_refused(f, "director and image repository disagree on the encryption");
        assert_not_activated(f);
        enc_free(&e);
}

/* The backend checks the container against the target itself while it
 * decrypts (the cycle checked it just before; a file changed in between must
 * still not reach a slot). */
static void write_slot_checks_the_container_hash(void **state) {
        struct fixture *f = *state;
        struct enc_image e;
        struct error err = { 0 };
        enc_make(f, &e, NULL, NULL);
        tu_write(f->dir, "container", e.container, e.container_len, 0600);
        _cleanup_free_ char *path = path_join(f->dir, "container"), *slot_path = path_join(f->dir, "slot");
        struct agent_image t = { .length = (int64_t) e.container_len, .plain_length = PLAIN_LEN };
        hash_sha256_hex(e.container, e.container_len, t.sha256);
        snprintf(t.plain_sha256, sizeof(t.plain_sha256), "%s",
                 json_string_value(json_object_get(e.enc.encryption, "plaintext_sha256")));
        struct agent_backend b = { .content_key = e.key };
        int fd = open(slot_path, O_RDWR | O_CREAT | O_TRUNC, 0600);
        assert_true(fd >= 0);
        assert_ok(agent_backend_write_slot(&b, path, fd, "slot", &t, &err), err);
        t.sha256[0] = t.sha256[0] == '0' ? '1' : '0';
        assert_int_equal(agent_backend_write_slot(&b, path, fd, "slot", &t, &err), -1);
        assert_error_msg(err, "is not the target's");
        close(fd);
        enc_free(&e);
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup_enc, teardown)

int main(void) {
        const struct CMUnitTest tests[] = {
                T(installs_an_encrypted_image),
                T(resumes_an_encrypted_download),
                T(refuses_a_key_wrapped_for_another_device),
                T(refuses_a_key_wrapped_for_another_serial),
                T(refuses_a_director_without_a_wrapped_key),
                T(refuses_a_flipped_byte),
                T(refuses_swapped_chunks),
                T(refuses_a_truncated_container),
                T(refuses_a_wrong_plaintext_hash),
                T(refuses_an_ed25519_device_key),
                T(refuses_disagreeing_encryption),
                T(write_slot_checks_the_container_hash),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

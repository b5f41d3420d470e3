/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Encrypted update payloads, in process (bench/ota-encrypt.sh runs it):
 *   plain      the agent's write of a plain image into a slot (hash while
 *              writing, fsync, read back and hash again: agent_backend_write_image)
 *   encrypt    the server's encryption of the upload into the container
 *              (ota_crypt_encrypt_file: read, AES-256-GCM per 64 KiB chunk, two
 *              SHA-256, write)
 *   decrypt    the agent's decryption into the slot (agent_backend_write_slot:
 *              container SHA-256, per-chunk GCM, plaintext SHA-256, fsync,
 *              read back)
 *   wrap       the director's per-device cost at signing: ota_wrap_key
 *              (ephemeral key, ECDH, HKDF, AES-KW) for P-256 and P-384, and
 *              the device's ota_unwrap_key
 *   token      with env CRADLE_BENCH_TOKEN_KEY (a pkcs11: URI of an EC
 *              device key, PIN and module as crypto/key.h reads them): the
 *              unwrap with the ECDH on the token (a session per unwrap, as
 *              cradle-agent does it)
 * Usage: bench-ota-crypt IMAGE WORKDIR
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "agent/backend.h"
#include "core/error.h"
#include "core/strutil.h"
#include "crypto/encoding.h"
#include "crypto/hash.h"
#include "crypto/key.h"
#include "crypto/ota-crypt.h"
#include "crypto/ota-wrap.h"
#include "crypto/random.h"

static double now_s(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

static void die(const char *what, const struct error *e) {
        fprintf(stderr, "%s: %s\n", what, e->msg);
        exit(1);
}

static int slot_open(const char *dir) {
        char *p = str_printf("%s/slot", dir);
        int fd = open(p, O_RDWR | O_CREAT | O_TRUNC, 0600);
        free(p);
        if (fd < 0) {
                perror("slot");
                exit(1);
        }
        return fd;
}

static void wraps(enum crypto_key_type type, const char *dir, int n) {
        struct error err = { 0 };
        char *path = str_printf("%s/dev-%s.key", dir, crypto_key_type_name(type));
        unlink(path);
        struct crypto_key *k = NULL;
        if (crypto_key_generate_file(path, type, &err) < 0 || crypto_key_load(path, &k, &err) < 0)
                die("device key", &err);
        uint8_t key[OTA_CRYPT_KEY_LEN], got[OTA_CRYPT_KEY_LEN];
        random_bytes(key, sizeof(key), &err);
        json_t *w = NULL;
        double t0 = now_s();
        for (int i = 0; i < n; i++) {
                json_decref(w);
                if (ota_wrap_key(crypto_key_pubkey(k), "T1-000001", "1.0.0/rootfs.img", key, &w, &err) < 0)
                        die("wrap", &err);
        }
        double t1 = now_s();
        for (int i = 0; i < n; i++)
                if (ota_unwrap_key(k, "T1-000001", "1.0.0/rootfs.img", w, got, &err) < 0)
                        die("unwrap", &err);
        double t2 = now_s();
        printf("wrap %-6s %8.0f wraps/s (%.3f ms each)   unwrap %8.0f/s (%.3f ms)\n", crypto_key_type_name(type),
               n / (t1 - t0), (t1 - t0) * 1e3 / n, n / (t2 - t1), (t2 - t1) * 1e3 / n);
        json_decref(w);
        crypto_key_free(k);
        unlink(path);
        free(path);
}

/* The agent's unwrap when its key is on a PKCS#11 token. */
static void token_unwraps(const char *uri, int n) {
        struct error err = { 0 };
        struct crypto_key *k = NULL;
        if (crypto_key_load(uri, &k, &err) < 0)
                die("token device key", &err);
        uint8_t key[OTA_CRYPT_KEY_LEN], got[OTA_CRYPT_KEY_LEN];
        random_bytes(key, sizeof(key), &err);
        json_t *w = NULL;
        if (ota_wrap_key(crypto_key_pubkey(k), "T1-000001", "1.0.0/rootfs.img", key, &w, &err) < 0)
                die("wrap", &err);
        double t0 = now_s();
        for (int i = 0; i < n; i++)
                if (ota_unwrap_key(k, "T1-000001", "1.0.0/rootfs.img", w, got, &err) < 0)
                        die("token unwrap", &err);
        double t1 = now_s();
        printf("unwrap %s on the token  %8.0f/s (%.3f ms each, session and login included)\n",
               crypto_key_describe(k), n / (t1 - t0), (t1 - t0) * 1e3 / n);
        json_decref(w);
        crypto_key_free(k);
}

/* What the director already spends per device: one signature of its targets
 * metadata with the online key (Ed25519 by default), for scale. */
static void signatures(const char *dir, int n) {
        struct error err = { 0 };
        char *path = str_printf("%s/online.key", dir);
        unlink(path);
        struct crypto_key *k = NULL;
        if (crypto_key_generate_file(path, CRYPTO_KEY_ED25519, &err) < 0 || crypto_key_load(path, &k, &err) < 0)
                die("online key", &err);
        static uint8_t doc[1024];
        gnutls_datum_t data = { doc, sizeof(doc) }, sig = { 0 };
        double t0 = now_s();
        for (int i = 0; i < n; i++) {
                doc[0] = (uint8_t) i;
                if (gnutls_privkey_sign_data2(crypto_key_privkey(k), GNUTLS_SIGN_EDDSA_ED25519, 0, &data, &sig) < 0) {
                        fprintf(stderr, "sign failed\n");
                        exit(1);
                }
                gnutls_free(sig.data);
        }
        double t1 = now_s();
        printf("director signature Ed25519 %8.0f sigs/s  (%.3f ms each, for scale)\n", n / (t1 - t0),
               (t1 - t0) * 1e3 / n);
        crypto_key_free(k);
        unlink(path);
        free(path);
}

int main(int argc, char **argv) {
        if (argc != 3) {
                fprintf(stderr, "usage: %s IMAGE WORKDIR\n", argv[0]);
                return 2;
        }
        const char *image = argv[1], *dir = argv[2];
        struct error err = { 0 };
        struct stat st;
        if (stat(image, &st) < 0) {
                perror(image);
                return 1;
        }
        double mb = (double) st.st_size / (1024.0 * 1024.0);

        /* plain: the target is the image itself */
        struct agent_image t = { 0 };
        uint8_t sha[SHA256_LEN];
        t.length = st.st_size;
        {
                /* the SHA-256 a plain target needs, timed as the in-process reference */
                double t0 = now_s();
                FILE *f = fopen(image, "rb");
                if (!f) {
                        perror(image);
                        return 1;
                }
                struct hash_sha256_ctx *h = hash_sha256_new();
                static uint8_t buf[1 << 16];
                size_t n;
                while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
                        hash_sha256_update(h, buf, n);
                fclose(f);
                hash_sha256_final(h, sha);
                double t1 = now_s();
                printf("sha256 (in process)         %8.1f MB/s\n", mb / (t1 - t0));
        }
        hex_encode(sha, SHA256_LEN, t.sha256);
        {
                int fd = slot_open(dir);
                double t0 = now_s();
                if (agent_backend_write_image(image, fd, "slot", &t, &err) < 0)
                        die("plain write", &err);
                double t1 = now_s();
                close(fd);
                printf("plain: write into the slot  %8.1f MB/s\n", mb / (t1 - t0));
        }
        /* encrypted */
        uint8_t key[OTA_CRYPT_KEY_LEN];
        random_bytes(key, sizeof(key), &err);
        char *enc = str_printf("%s/image.enc", dir);
        struct ota_crypt_result res;
        {
                int fd = open(enc, O_WRONLY | O_CREAT | O_TRUNC, 0600);
                double t0 = now_s();
                if (ota_crypt_encrypt_file(key, 0, image, fd, &res, &err) < 0)
                        die("encrypt", &err);
                if (fsync(fd) < 0)
                        perror("fsync");
                double t1 = now_s();
                close(fd);
                printf("encrypt (server, upload)    %8.1f MB/s   container +%.3f%%\n", mb / (t1 - t0),
                       100.0 * (double) (res.cipher_length - res.plain_length) / (double) res.plain_length);
        }
        struct agent_image te = t;
        te.length = (int64_t) res.cipher_length;
        hex_encode(res.cipher_sha256, SHA256_LEN, te.sha256);
        te.plain_length = (int64_t) res.plain_length;
        hex_encode(res.plain_sha256, SHA256_LEN, te.plain_sha256);
        {
                struct agent_backend b = { .content_key = key };
                int fd = slot_open(dir);
                double t0 = now_s();
                if (agent_backend_write_slot(&b, enc, fd, "slot", &te, &err) < 0)
                        die("decrypt into the slot", &err);
                double t1 = now_s();
                close(fd);
                printf("decrypt into the slot       %8.1f MB/s\n", mb / (t1 - t0));
        }
        unlink(enc);
        free(enc);
        char *slot = str_printf("%s/slot", dir);
        unlink(slot);
        free(slot);
        wraps(CRYPTO_KEY_EC_P256, dir, 2000);
        wraps(CRYPTO_KEY_EC_P384, dir, 500);
        const char *token = getenv("CRADLE_BENCH_TOKEN_KEY");
        if (token && *token)
                token_unwraps(token, 200);
        signatures(dir, 2000);
        return 0;
}

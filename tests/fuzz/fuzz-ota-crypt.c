/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The encrypted-image container (crypto/ota-crypt.h) and the wrapped-key
 * object (crypto/ota-wrap.h), against any bytes. The first byte picks:
 *   even: a container, decrypted with a fixed key, fed in pieces of
 *         (byte >> 1) + 1 bytes; it must never crash, and success means
 *         exactly the header's plaintext length came out;
 *   odd:  a wrapped-key JSON object, unwrapped with a fixed P-256 key.
 * Seeds: corpus/fuzz-ota-crypt (made with tests/fuzz/make-ota-seeds.py, key
 * 0x01..0x20 as in tests/unit/test-crypto-ota.c).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <gnutls/abstract.h>
#include <jansson.h>

#include "core/cleanup.h"
#include "crypto/key.h"
#include "crypto/ota-crypt.h"
#include "crypto/ota-wrap.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int count_sink(void *ud, const uint8_t *d, size_t n, struct error *err) {
        (void) d, (void) err;
        *(uint64_t *) ud += n;
        return 0;
}

/* One P-256 device key for the whole run, made in memory. */
static const struct crypto_key *device_key(void) {
        static struct crypto_key *k;
        if (!k) {
                char *pem = NULL;
                size_t len = 0;
                struct error err = { 0 };
                if (crypto_key_generate_pem(CRYPTO_KEY_EC_P256, &pem, &len, &err) < 0 ||
                    crypto_key_load_pem("fuzz device key", pem, len, &k, &err) < 0)
                        abort();
                free_secret(pem);
        }
        return k;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        static const uint8_t key[OTA_CRYPT_KEY_LEN] = { 1,  2,  3,  4,  5,  6,  7,  8,  9,  10, 11,
                                                        12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22,
                                                        23, 24, 25, 26, 27, 28, 29, 30, 31, 32 };
        if (size < 1)
                return 0;
        uint8_t mode = data[0];
        data++;
        size--;
        struct error err = { 0 };
        if ((mode & 1) == 0) {
                size_t step = (size_t) (mode >> 1) + 1;
                struct ota_decrypt *d = ota_decrypt_new(key);
                uint64_t out = 0, plen = 0;
                int r = 0;
                for (size_t off = 0; off < size && r == 0; off += step)
                        r = ota_decrypt_update(d, data + off, size - off < step ? size - off : step, count_sink, &out,
                                               &err);
                if (r == 0 && ota_decrypt_finish(d, NULL, &plen, &err) == 0) {
                        const struct ota_crypt_header *h = ota_decrypt_header(d);
                        if (!h || out != plen || plen != h->plain_length || ota_crypt_file_length(h) != size)
                                abort();
                }
                ota_decrypt_free(d);
                return 0;
        }
        json_t *j = json_loadb((const char *) data, size, 0, NULL);
        if (!j)
                return 0;
        uint8_t k[OTA_CRYPT_KEY_LEN];
        (void) ota_unwrap_key(device_key(), "T1-0001", "1.0/rootfs.img", j, k, &err);
        json_decref(j);
        return 0;
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * SHA-256 through GnuTLS (and so nettle's optimised code). With valid
 * arguments the digest cannot fail short of a broken library or no memory,
 * which are broken invariants: the functions abort rather than return
 * errors nobody could act on.
 */
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <stdlib.h>

#include "core/strutil.h"
#include "crypto/encoding.h"
#include "crypto/hash.h"

struct hash_sha256_ctx {
        gnutls_hash_hd_t hd;
};

void hash_sha256(const void *data, size_t len, uint8_t out[SHA256_LEN]) {
        /* GnuTLS may read from data even when len is 0; give it a valid pointer. */
        if (gnutls_hash_fast(GNUTLS_DIG_SHA256, data ? data : "", len, out) < 0)
                abort();
}

void hash_sha256_hex(const void *data, size_t len, char out[SHA256_HEX_LEN]) {
        uint8_t digest[SHA256_LEN];

        hash_sha256(data, len, digest);
        hex_encode(digest, sizeof(digest), out);
}

struct hash_sha256_ctx *hash_sha256_new(void) {
        struct hash_sha256_ctx *c = xmalloc(sizeof(*c));

        if (gnutls_hash_init(&c->hd, GNUTLS_DIG_SHA256) < 0)
                abort();
        return c;
}

void hash_sha256_update(struct hash_sha256_ctx *c, const void *data, size_t len) {
        if (len == 0)
                return;
        if (gnutls_hash(c->hd, data, len) < 0)
                abort();
}

void hash_sha256_final(struct hash_sha256_ctx *c, uint8_t out[SHA256_LEN]) {
        /* gnutls_hash_deinit writes the digest, then frees the handle. */
        gnutls_hash_deinit(c->hd, out);
        free(c);
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * GnuTLS callbacks for the debug verifier, and the key id / algorithm rules
 * shared with the signer (anchor-gnutls.h).
 */
#include <gnutls/gnutls.h>
#include <stdlib.h>

#include "core/cleanup.h"
#include "core/fileio.h"
#include "crypto/hash.h"
#include "debug/anchor-gnutls.h"

int debug_key_id(gnutls_pubkey_t pub, uint8_t out[DEBUG_KEY_ID_LEN], struct error *err) {
        gnutls_datum_t der = { NULL, 0 };
        int r = gnutls_pubkey_export2(pub, GNUTLS_X509_FMT_DER, &der);
        if (r < 0)
                return error_set(err, ERROR_CRYPTO, "debug-auth key: cannot export the public key: %s",
                                 gnutls_strerror(r));
        hash_sha256(der.data, der.size, out);
        gnutls_free(der.data);
        return 0;
}

int debug_sign_algorithm(gnutls_pubkey_t pub, gnutls_sign_algorithm_t *out, struct error *err) {
        unsigned bits = 0;
        int pk = gnutls_pubkey_get_pk_algorithm(pub, &bits);
        if (pk == GNUTLS_PK_EDDSA_ED25519) {
                *out = GNUTLS_SIGN_EDDSA_ED25519;
                return 0;
        }
        if (pk == GNUTLS_PK_ECDSA) {
                gnutls_ecc_curve_t curve = GNUTLS_ECC_CURVE_INVALID;
                if (gnutls_pubkey_export_ecc_raw(pub, &curve, NULL, NULL) >= 0 && curve == GNUTLS_ECC_CURVE_SECP256R1) {
                        *out = GNUTLS_SIGN_ECDSA_SHA256;
                        return 0;
                }
        }
        return error_set(err, ERROR_INVALID, "debug-auth key: must be ECDSA P-256 or Ed25519");
}

static bool gnutls_verify_cb(const void *ctx, const uint8_t *msg, size_t msg_len, const uint8_t *sig,
                             size_t sig_len) {
        gnutls_pubkey_t pub = (gnutls_pubkey_t) ctx;
        gnutls_sign_algorithm_t algo;
        if (debug_sign_algorithm(pub, &algo, NULL) < 0)
                return false;
        gnutls_datum_t m = { (unsigned char *) msg, (unsigned) msg_len };
        gnutls_datum_t s = { (unsigned char *) sig, (unsigned) sig_len };
        return gnutls_pubkey_verify_data2(pub, algo, 0, &m, &s) >= 0;
}

static void sha256_cb(const void *data, size_t len, uint8_t out[DEBUG_HASH_LEN]) {
        hash_sha256(data, len, out);
}

int debug_anchor_from_pubkey(gnutls_pubkey_t pub, struct debug_anchor *out, struct error *err) {
        gnutls_sign_algorithm_t algo;
        if (debug_sign_algorithm(pub, &algo, err) < 0 || debug_key_id(pub, out->key_id, err) < 0)
                return -1;
        out->verify = gnutls_verify_cb;
        out->sha256 = sha256_cb;
        out->ctx = pub;
        return 0;
}

int debug_pubkey_load(const char *path, gnutls_pubkey_t *out, struct error *err) {
        _cleanup_free_ char *pem = NULL;
        size_t len = 0;
        gnutls_pubkey_t pub = NULL;
        if (file_read_all(path, 64 * 1024, &pem, &len, err) < 0)
                return error_prefix(err, "debug trust anchor: ");
        gnutls_datum_t d = { (unsigned char *) pem, (unsigned) len };
        int r = gnutls_pubkey_init(&pub);
        if (r >= 0)
                r = gnutls_pubkey_import(pub, &d, GNUTLS_X509_FMT_PEM);
        if (r < 0) {
                if (pub)
                        gnutls_pubkey_deinit(pub);
                return error_set(err, ERROR_INVALID, "debug trust anchor '%s': not a PEM public key: %s", path,
                                 gnutls_strerror(r));
        }
        *out = pub;
        return 0;
}

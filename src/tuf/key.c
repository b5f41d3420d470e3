/* SPDX-License-Identifier: Apache-2.0 */
/*
 * TUF key objects over GnuTLS public keys.
 *
 * The JSON object is kept exactly as it was parsed (or built): the keyid is a
 * hash of it, so re-spelling it (say, re-wrapping the PEM) would change the
 * keyid. The imported gnutls_pubkey_t and its SPKI DER live beside it; the
 * DER is what tells two spellings of one key apart from two keys.
 */
#include <string.h>

#include <gnutls/gnutls.h>

#include "core/cleanup.h"
#include "core/json.h"
#include "core/strutil.h"
#include "crypto/encoding.h"
#include "crypto/hash.h"
#include "tuf/key.h"

#define PEM_PUBLIC_HEADER "-----BEGIN PUBLIC KEY-----"
#define ED25519_LEN 32

struct tuf_key {
        enum tuf_key_type type;
        char keyid[TUF_KEYID_HEX_LEN];
        json_t *json;
        gnutls_pubkey_t pub;
        gnutls_datum_t spki; /* DER, for comparing keys */
};

void tuf_key_free(struct tuf_key *k) {
        if (!k)
                return;
        json_decref(k->json);
        if (k->pub)
                gnutls_pubkey_deinit(k->pub);
        gnutls_free(k->spki.data);
        free(k);
}

const char *tuf_key_id(const struct tuf_key *k) {
        return k->keyid;
}

enum tuf_key_type tuf_key_type(const struct tuf_key *k) {
        return k->type;
}

json_t *tuf_key_json(const struct tuf_key *k) {
        return k->json;
}

gnutls_pubkey_t tuf_key_pubkey(const struct tuf_key *k) {
        return k->pub;
}

bool tuf_key_supported(const struct tuf_key *k) {
        return k->type != TUF_KEY_UNSUPPORTED;
}

bool tuf_key_fingerprint(const struct tuf_key *k, uint8_t out[SHA256_LEN]) {
        if (k->type == TUF_KEY_UNSUPPORTED || !k->spki.data)
                return false;
        hash_sha256(k->spki.data, k->spki.size, out);
        return true;
}

bool tuf_key_same_public(const struct tuf_key *a, const struct tuf_key *b) {
        if (a->type == TUF_KEY_UNSUPPORTED || b->type == TUF_KEY_UNSUPPORTED)
                return false;
        return a->type == b->type && a->spki.size == b->spki.size &&
               memcmp(a->spki.data, b->spki.data, a->spki.size) == 0;
}

gnutls_sign_algorithm_t tuf_key_sign_algorithm(enum tuf_key_type type) {
        if (type == TUF_KEY_UNSUPPORTED)
                return GNUTLS_SIGN_UNKNOWN;
        return type == TUF_KEY_ED25519 ? GNUTLS_SIGN_EDDSA_ED25519 : GNUTLS_SIGN_ECDSA_SHA256;
}

int tuf_keyid_compute(json_t *key_obj, char out[TUF_KEYID_HEX_LEN], struct error *err) {
        size_t len = 0;
        _cleanup_free_ char *canon = cr_json_canonical(key_obj, &len, err);

        if (!canon)
                return -1;
        hash_sha256_hex(canon, len, out);
        return 0;
}

/* Checks the imported key is what the keytype promises and records its DER. */
static int key_finish(const char *what, struct tuf_key *k, struct error *err) {
        unsigned bits = 0;
        int pk = gnutls_pubkey_get_pk_algorithm(k->pub, &bits);
        int rc;

        if (k->type == TUF_KEY_ED25519) {
                if (pk != GNUTLS_PK_EDDSA_ED25519)
                        return error_set(err, ERROR_INVALID, "%s: keyval.public is not an Ed25519 key",
                                         what);
        } else {
                gnutls_ecc_curve_t curve = GNUTLS_ECC_CURVE_INVALID;

                if (pk != GNUTLS_PK_ECDSA ||
                    gnutls_pubkey_export_ecc_raw2(k->pub, &curve, NULL, NULL, 0) < 0 ||
                    curve != GNUTLS_ECC_CURVE_SECP256R1)
                        return error_set(err, ERROR_INVALID,
                                         "%s: keyval.public is not an ECDSA P-256 key (scheme "
                                         "ecdsa-sha2-nistp256 needs one)",
                                         what);
        }
        rc = gnutls_pubkey_export2(k->pub, GNUTLS_X509_FMT_DER, &k->spki);
        if (rc < 0)
                return error_set(err, ERROR_CRYPTO, "%s: cannot export the public key: %s", what,
                                 gnutls_strerror(rc));
        return 0;
}

static int import_ed25519_hex(const char *what, struct tuf_key *k, const char *hex,
                              struct error *err) {
        uint8_t raw[ED25519_LEN];
        gnutls_datum_t x = { raw, sizeof(raw) };
        struct error herr = { 0 };
        int rc;

        if (strlen(hex) != 2 * ED25519_LEN || hex_decode(hex, raw, sizeof(raw), &herr) < 0)
                return error_set(err, ERROR_INVALID,
                                 "%s: keyval.public must be 64 hex digits (a raw Ed25519 key)", what);
        rc = gnutls_pubkey_import_ecc_raw(k->pub, GNUTLS_ECC_CURVE_ED25519, &x, NULL);
        if (rc < 0)
                return error_set(err, ERROR_INVALID, "%s: keyval.public: not an Ed25519 key: %s", what,
                                 gnutls_strerror(rc));
        return 0;
}

static int import_pem(const char *what, struct tuf_key *k, const char *pem, struct error *err) {
        gnutls_datum_t d = { (unsigned char *) pem, (unsigned) strlen(pem) };
        int rc;

        if (!str_startswith(pem, PEM_PUBLIC_HEADER))
                return error_set(err, ERROR_INVALID,
                                 "%s: keyval.public must be a PEM public key (\"" PEM_PUBLIC_HEADER
                                 "\" ...)",
                                 what);
        rc = gnutls_pubkey_import(k->pub, &d, GNUTLS_X509_FMT_PEM);
        if (rc < 0)
                return error_set(err, ERROR_INVALID, "%s: keyval.public: cannot read the PEM key: %s",
                                 what, gnutls_strerror(rc));
        return 0;
}

int tuf_key_from_json(const char *what, json_t *obj, struct tuf_key **out, struct error *err) {
        static const struct cr_json_field key_fields[] = {
                { "keytype", CR_JSON_STRING, true, 64, false },
                { "scheme", CR_JSON_STRING, true, 64, false },
                { "keyval", CR_JSON_OBJECT, true, 0, false },
                /* Written by securesystemslib before 0.20; part of the keyid. */
                { "keyid_hash_algorithms", CR_JSON_STRING_ARRAY, false, 8, false },
        };
        static const struct cr_json_field keyval_fields[] = {
                { "public", CR_JSON_STRING, true, TUF_KEY_PUBLIC_MAX, false },
        };
        struct tuf_key *k;
        const char *keytype, *scheme, *pub;
        json_t *keyval;
        char safe[72];
        int rc;

        if (!what)
                what = "key";
        if (cr_json_check_object(what, obj, key_fields, ELEMENTSOF(key_fields), err) < 0)
                return -1;
        keyval = json_object_get(obj, "keyval");
        {
                _cleanup_free_ char *kv_what = str_printf("%s: keyval", what);
                if (cr_json_check_object(kv_what, keyval, keyval_fields, ELEMENTSOF(keyval_fields),
                                         err) < 0)
                        return -1;
        }
        keytype = cr_json_get_string(obj, "keytype");
        scheme = cr_json_get_string(obj, "scheme");
        pub = cr_json_get_string(keyval, "public");

        k = xcalloc(1, sizeof(*k));
        if (str_eq(keytype, "ed25519")) {
                k->type = TUF_KEY_ED25519;
                if (!str_eq(scheme, "ed25519")) {
                        str_sanitize(scheme, strlen(scheme), safe, sizeof(safe));
                        rc = error_set(err, ERROR_INVALID,
                                       "%s: scheme '%s' does not go with keytype 'ed25519' "
                                       "(expected 'ed25519')",
                                       what, safe);
                        goto fail;
                }
        } else if (str_eq(keytype, "ecdsa") || str_eq(keytype, "ecdsa-sha2-nistp256")) {
                k->type = TUF_KEY_ECDSA_P256;
                if (!str_eq(scheme, "ecdsa-sha2-nistp256")) {
                        str_sanitize(scheme, strlen(scheme), safe, sizeof(safe));
                        rc = error_set(err, ERROR_INVALID,
                                       "%s: scheme '%s' is not supported for keytype '%s' "
                                       "(expected 'ecdsa-sha2-nistp256')",
                                       what, safe, keytype);
                        goto fail;
                }
        } else {
                str_sanitize(keytype, strlen(keytype), safe, sizeof(safe));
                rc = error_set(err, ERROR_UNSUPPORTED,
                               "%s: keytype '%s' is not supported (expected 'ed25519' or 'ecdsa')",
                               what, safe);
                goto fail;
        }

        rc = gnutls_pubkey_init(&k->pub);
        if (rc < 0) {
                rc = error_set(err, ERROR_CRYPTO, "%s: %s", what, gnutls_strerror(rc));
                goto fail;
        }
        if (k->type == TUF_KEY_ED25519)
                rc = import_ed25519_hex(what, k, pub, err);
        else
                rc = import_pem(what, k, pub, err);
        if (rc < 0 || key_finish(what, k, err) < 0 || tuf_keyid_compute(obj, k->keyid, err) < 0)
                goto fail;
        k->json = json_incref(obj);
        *out = k;
        return 0;
fail:
        tuf_key_free(k);
        return -1;
}

/* True for the (keytype, scheme) pairs tuf_key_from_json understands. */
static bool pair_supported(const char *keytype, const char *scheme) {
        return (str_eq(keytype, "ed25519") && str_eq(scheme, "ed25519")) ||
               ((str_eq(keytype, "ecdsa") || str_eq(keytype, "ecdsa-sha2-nistp256")) &&
                str_eq(scheme, "ecdsa-sha2-nistp256"));
}

int tuf_key_from_json_any(const char *what, json_t *obj, struct tuf_key **out, struct error *err) {
        const char *keytype = json_is_object(obj) ? cr_json_get_string(obj, "keytype") : NULL;
        const char *scheme = json_is_object(obj) ? cr_json_get_string(obj, "scheme") : NULL;
        struct tuf_key *k;

        if (!what)
                what = "key";
        /* Anything that does not even name a type and scheme, and every
         * supported pair, goes through the strict parser (and its messages). */
        if (!keytype || !scheme || pair_supported(keytype, scheme))
                return tuf_key_from_json(what, obj, out, err);
        if (strlen(keytype) > 64 || strlen(scheme) > 64 || !json_is_object(json_object_get(obj, "keyval")))
                return error_set(err, ERROR_INVALID,
                                 "%s: a key needs \"keytype\" and \"scheme\" (strings of at most 64 "
                                 "characters) and a \"keyval\" object",
                                 what);
        k = xcalloc(1, sizeof(*k));
        k->type = TUF_KEY_UNSUPPORTED;
        if (tuf_keyid_compute(obj, k->keyid, err) < 0) {
                tuf_key_free(k);
                return -1;
        }
        k->json = json_incref(obj);
        *out = k;
        return 0;
}

int tuf_key_from_pubkey(gnutls_pubkey_t pub, struct tuf_key **out, struct error *err) {
        unsigned bits = 0;
        int pk = gnutls_pubkey_get_pk_algorithm(pub, &bits);
        _cleanup_json_ json_t *obj = NULL;
        char public_hex[2 * ED25519_LEN + 1];
        int rc;

        if (pk == GNUTLS_PK_EDDSA_ED25519) {
                gnutls_datum_t x = { 0 };
                gnutls_ecc_curve_t curve = GNUTLS_ECC_CURVE_INVALID;

                rc = gnutls_pubkey_export_ecc_raw2(pub, &curve, &x, NULL, 0);
                if (rc < 0)
                        return error_set(err, ERROR_CRYPTO, "cannot export the Ed25519 key: %s",
                                         gnutls_strerror(rc));
                if (x.size != ED25519_LEN) {
                        gnutls_free(x.data);
                        return error_set(err, ERROR_CRYPTO, "Ed25519 key has %u bytes, expected %d",
                                         x.size, ED25519_LEN);
                }
                hex_encode(x.data, x.size, public_hex);
                gnutls_free(x.data);
                obj = json_pack("{s:s, s:s, s:{s:s}}", "keytype", "ed25519", "scheme", "ed25519",
                                "keyval", "public", public_hex);
        } else if (pk == GNUTLS_PK_ECDSA) {
                gnutls_ecc_curve_t curve = GNUTLS_ECC_CURVE_INVALID;
                gnutls_datum_t pem = { 0 };
                _cleanup_free_ char *pem_str = NULL;

                if (gnutls_pubkey_export_ecc_raw2(pub, &curve, NULL, NULL, 0) < 0 ||
                    curve != GNUTLS_ECC_CURVE_SECP256R1) {
                        const char *name = gnutls_ecc_curve_get_name(curve);
                        return error_set(err, ERROR_UNSUPPORTED,
                                         "TUF keys must be Ed25519 or ECDSA P-256, not ECDSA %s",
                                         name ? name : "(unknown curve)");
                }
                rc = gnutls_pubkey_export2(pub, GNUTLS_X509_FMT_PEM, &pem);
                if (rc < 0)
                        return error_set(err, ERROR_CRYPTO, "cannot export the ECDSA key: %s",
                                         gnutls_strerror(rc));
                pem_str = xmalloc(pem.size + 1);
                memcpy(pem_str, pem.data, pem.size);
                pem_str[pem.size] = '\0';
                gnutls_free(pem.data);
                obj = json_pack("{s:s, s:s, s:{s:s}}", "keytype", "ecdsa", "scheme",
                                "ecdsa-sha2-nistp256", "keyval", "public", pem_str);
        } else {
                const char *name = pk >= 0 ? gnutls_pk_get_name((gnutls_pk_algorithm_t) pk) : NULL;
                return error_set(err, ERROR_UNSUPPORTED,
                                 "TUF keys must be Ed25519 or ECDSA P-256, not %s %u",
                                 name ? name : "(unknown)", bits);
        }
        if (!obj)
                abort(); /* json_pack fails only on OOM with these constant formats */
        return tuf_key_from_json("key", obj, out, err);
}

int tuf_key_verify(const struct tuf_key *k, const void *data, size_t len, const char *sig_hex,
                   struct error *err) {
        _cleanup_free_ uint8_t *sig = NULL;
        size_t hex_len, sig_len;
        gnutls_datum_t d = { (unsigned char *) data, (unsigned) len };
        gnutls_datum_t s;
        int rc;

        if (k->type == TUF_KEY_UNSUPPORTED)
                return error_set(err, ERROR_UNSUPPORTED,
                                 "key type not supported by this client (the key does not count)");
        if (len > UINT32_MAX)
                return error_set(err, ERROR_TOO_LARGE, "data to verify is too large");
        if (!sig_hex)
                return error_set(err, ERROR_INVALID, "no signature");
        hex_len = strnlen(sig_hex, TUF_SIG_HEX_MAX + 1);
        if (hex_len == 0 || hex_len > TUF_SIG_HEX_MAX || hex_len % 2 != 0)
                return error_set(err, ERROR_INVALID,
                                 "signature must be an even number of hex digits (at most %d)",
                                 TUF_SIG_HEX_MAX);
        sig_len = hex_len / 2;
        if (k->type == TUF_KEY_ED25519 && sig_len != 64)
                return error_set(err, ERROR_INVALID, "Ed25519 signature has %zu bytes, expected 64",
                                 sig_len);
        sig = xmalloc(sig_len);
        if (hex_decode(sig_hex, sig, sig_len, err) < 0)
                return error_prefix(err, "signature: ");
        s = (gnutls_datum_t) { sig, (unsigned) sig_len };
        rc = gnutls_pubkey_verify_data2(k->pub, tuf_key_sign_algorithm(k->type), 0, &d, &s);
        if (rc < 0)
                return error_set(err, ERROR_UNAUTHENTICATED, "signature does not verify");
        return 0;
}

/* SPDX-License-Identifier: Apache-2.0 */
#include "crypto/ota-wrap.h"

#include <gmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nettle/aes.h>
#include <nettle/ecc-curve.h>
#include <nettle/ecc.h>
#include <nettle/hkdf.h>
#include <nettle/hmac.h>
#include <nettle/nist-keywrap.h>

#include "core/cleanup.h"
#include "core/strutil.h"
#include "crypto/ct.h"
#include "crypto/encoding.h"
#include "crypto/p11.h"

#define WRAP_INFO_LABEL "cradle-ota-wrap-v1"
#define FIELD_MAX 48 /* P-384 */
#define POINT_MAX (1 + 2 * FIELD_MAX)
#define WRAP_TEXT_MAX 1024

static const uint8_t KW_IV[8] = { 0xA6, 0xA6, 0xA6, 0xA6, 0xA6, 0xA6, 0xA6, 0xA6 };

struct wrap_curve {
        const char *name;
        gnutls_ecc_curve_t gnutls;
        const struct ecc_curve *(*nettle)(void);
        size_t field;
};

static const struct wrap_curve CURVES[] = {
        { "P-256", GNUTLS_ECC_CURVE_SECP256R1, nettle_get_secp_256r1, 32 },
        { "P-384", GNUTLS_ECC_CURVE_SECP384R1, nettle_get_secp_384r1, 48 },
};

static const struct wrap_curve *curve_by_gnutls(gnutls_ecc_curve_t c) {
        for (size_t i = 0; i < sizeof(CURVES) / sizeof(CURVES[0]); i++)
                if (CURVES[i].gnutls == c)
                        return &CURVES[i];
        return NULL;
}

static const struct wrap_curve *curve_by_name(const char *n) {
        for (size_t i = 0; i < sizeof(CURVES) / sizeof(CURVES[0]); i++)
                if (strcmp(CURVES[i].name, n) == 0)
                        return &CURVES[i];
        return NULL;
}

/* Frees what gnutls_*_export_ecc_raw2 gave; the private scalar is wiped first. */
static void ecc_raw_free(gnutls_datum_t *x, gnutls_datum_t *y, gnutls_datum_t *k) {
        if (k->data) {
                ct_wipe(k->data, k->size);
                gnutls_free(k->data);
        }
        gnutls_free(x->data);
        gnutls_free(y->data);
}

/* A big-endian integer from GnuTLS (maybe with leading zeros) right-aligned
 * into `size` bytes; false when it does not fit. */
static bool to_fixed(const gnutls_datum_t *d, uint8_t *out, size_t size) {
        const uint8_t *p = d->data;
        size_t n = d->size;
        while (n > 0 && *p == 0) {
                p++;
                n--;
        }
        if (n > size)
                return false;
        memset(out, 0, size - n);
        memcpy(out + size - n, p, n);
        return true;
}

bool ota_wrap_pubkey_usable(gnutls_pubkey_t pub, char *why, size_t why_size) {
        unsigned bits = 0;
        int alg = gnutls_pubkey_get_pk_algorithm(pub, &bits);
        gnutls_ecc_curve_t curve = GNUTLS_ECC_CURVE_INVALID;
        if (alg == GNUTLS_PK_ECDSA) {
                gnutls_datum_t x = { 0 }, y = { 0 };
                if (gnutls_pubkey_export_ecc_raw2(pub, &curve, &x, &y, 0) == 0) {
                        gnutls_free(x.data);
                        gnutls_free(y.data);
                        if (curve_by_gnutls(curve))
                                return true;
                }
                if (why)
                        snprintf(why, why_size, "an ECDSA key on %s (encrypted updates need P-256 or P-384)",
                                 gnutls_ecc_curve_get_name(curve) ? gnutls_ecc_curve_get_name(curve) : "an unknown curve");
                return false;
        }
        if (why) {
                if (alg == GNUTLS_PK_EDDSA_ED25519)
                        snprintf(why, why_size,
                                 "an Ed25519 key (it signs only; encrypted updates need a P-256 or P-384 device key)");
                else
                        snprintf(why, why_size, "a %s key (encrypted updates need P-256 or P-384)",
                                 gnutls_pk_get_name((gnutls_pk_algorithm_t) alg) ? gnutls_pk_get_name((gnutls_pk_algorithm_t) alg) : "non-EC");
        }
        return false;
}

/* Z = x(k * P), fixed size. P is checked to be on the curve. */
static int ecdh(const struct wrap_curve *c, const uint8_t *k, size_t klen, const uint8_t *px, const uint8_t *py,
                uint8_t *z, struct error *err) {
        const struct ecc_curve *ecc = c->nettle();
        mpz_t mx, my, mk, rx, ry;
        struct ecc_point p, r;
        struct ecc_scalar s;
        int rc = -1;
        mpz_inits(mx, my, mk, rx, ry, NULL);
        mpz_import(mx, c->field, 1, 1, 1, 0, px);
        mpz_import(my, c->field, 1, 1, 1, 0, py);
        mpz_import(mk, klen, 1, 1, 1, 0, k);
        ecc_point_init(&p, ecc);
        ecc_point_init(&r, ecc);
        ecc_scalar_init(&s, ecc);
        if (!ecc_point_set(&p, mx, my)) {
                error_set(err, ERROR_INVALID, "the public key is not a point on %s", c->name);
                goto out;
        }
        if (!ecc_scalar_set(&s, mk)) {
                error_set(err, ERROR_CRYPTO, "the private key is out of range for %s", c->name);
                goto out;
        }
        ecc_point_mul(&r, &s, &p);
        ecc_point_get(&r, rx, ry);
        if (mpz_sizeinbase(rx, 256) > c->field) {
                error_set(err, ERROR_CRYPTO, "ECDH result out of range");
                goto out;
        }
        {
                size_t n = 0;
                uint8_t tmp[FIELD_MAX];
                mpz_export(tmp, &n, 1, 1, 1, 0, rx);
                memset(z, 0, c->field - n);
                memcpy(z + c->field - n, tmp, n);
                ct_wipe(tmp, sizeof(tmp));
        }
        rc = 0;
out:
        ecc_point_clear(&p);
        ecc_point_clear(&r);
        ecc_scalar_clear(&s);
        mpz_clears(mx, my, mk, rx, ry, NULL);
        return rc;
}

/* KEK = HKDF-SHA256(Z, info) per the header. */
static void derive_kek(const struct wrap_curve *c, const uint8_t *z, const char *serial, const char *target,
                       const uint8_t *epk, const uint8_t *dpk, uint8_t kek[32]) {
        size_t plen = 1 + 2 * c->field;
        size_t info_len = strlen(WRAP_INFO_LABEL) + 1 + strlen(c->name) + 1 + strlen(serial) + 1 + strlen(target) +
                          1 + 2 * plen;
        uint8_t *info = xmalloc(info_len), *q = info;
#define PUT(s, n) (memcpy(q, (s), (n)), q += (n))
        PUT(WRAP_INFO_LABEL, strlen(WRAP_INFO_LABEL) + 1);
        PUT(c->name, strlen(c->name) + 1);
        PUT(serial, strlen(serial) + 1);
        PUT(target, strlen(target) + 1);
        PUT(epk, plen);
        PUT(dpk, plen);
#undef PUT
        static const uint8_t salt[SHA256_DIGEST_SIZE] = { 0 };
        uint8_t prk[SHA256_DIGEST_SIZE];
        struct hmac_sha256_ctx h;
        hmac_sha256_set_key(&h, sizeof(salt), salt);
        hkdf_extract(&h, (nettle_hash_update_func *) hmac_sha256_update,
                     (nettle_hash_digest_func *) hmac_sha256_digest, SHA256_DIGEST_SIZE, c->field, z, prk);
        hmac_sha256_set_key(&h, sizeof(prk), prk);
        hkdf_expand(&h, (nettle_hash_update_func *) hmac_sha256_update,
                    (nettle_hash_digest_func *) hmac_sha256_digest, SHA256_DIGEST_SIZE, info_len, info, 32, kek);
        ct_wipe(prk, sizeof(prk));
        ct_wipe(&h, sizeof(h));
        free(info);
}

/* 04 | x | y of a GnuTLS public key on a supported curve. */
static int pub_point(gnutls_pubkey_t pub, const struct wrap_curve **c_out, uint8_t *point, struct error *err) {
        char why[160];
        if (!ota_wrap_pubkey_usable(pub, why, sizeof(why)))
                return error_set(err, ERROR_UNSUPPORTED, "the device key cannot receive encrypted updates: %s", why);
        gnutls_ecc_curve_t curve;
        gnutls_datum_t x = { 0 }, y = { 0 };
        if (gnutls_pubkey_export_ecc_raw2(pub, &curve, &x, &y, 0) < 0)
                return error_set(err, ERROR_CRYPTO, "cannot read the device's EC public key");
        const struct wrap_curve *c = curve_by_gnutls(curve);
        bool ok = c && to_fixed(&x, point + 1, c->field) && to_fixed(&y, point + 1 + c->field, c->field);
        gnutls_free(x.data);
        gnutls_free(y.data);
        if (!ok)
                return error_set(err, ERROR_CRYPTO, "the device's EC public key has a bad size");
        point[0] = 0x04;
        *c_out = c;
        return 0;
}

int ota_wrap_key(gnutls_pubkey_t pub, const char *serial, const char *target, const uint8_t key[OTA_CRYPT_KEY_LEN],
                 json_t **out, struct error *err) {
        *out = NULL;
        const struct wrap_curve *c = NULL;
        uint8_t dpk[POINT_MAX], epk[POINT_MAX], z[FIELD_MAX], kek[32], k[FIELD_MAX], wrapped[OTA_WRAP_WRAPPED_LEN];
        /* Declared before the first goto: the cleanup must never see an
         * uninitialised pointer. */
        _cleanup_free_ char *epk_b64 = NULL, *w_b64 = NULL;
        if (pub_point(pub, &c, dpk, err) < 0)
                return -1;
        gnutls_privkey_t eph = NULL;
        gnutls_datum_t ex = { 0 }, ey = { 0 }, ek = { 0 };
        gnutls_ecc_curve_t ecurve;
        int rc = -1;
        if (gnutls_privkey_init(&eph) < 0 ||
            gnutls_privkey_generate2(eph, GNUTLS_PK_ECDSA, GNUTLS_CURVE_TO_BITS(c->gnutls), 0, NULL, 0) < 0 ||
            gnutls_privkey_export_ecc_raw2(eph, &ecurve, &ex, &ey, &ek, 0) < 0 || ecurve != c->gnutls ||
            !to_fixed(&ex, epk + 1, c->field) || !to_fixed(&ey, epk + 1 + c->field, c->field) ||
            !to_fixed(&ek, k, c->field)) {
                error_set(err, ERROR_CRYPTO, "cannot make an ephemeral %s key", c->name);
                goto out;
        }
        epk[0] = 0x04;
        if (ecdh(c, k, c->field, dpk + 1, dpk + 1 + c->field, z, err) < 0)
                goto out;
        derive_kek(c, z, serial, target, epk, dpk, kek);
        {
                struct aes256_ctx a;
                aes256_set_encrypt_key(&a, kek);
                aes256_keywrap(&a, KW_IV, sizeof(wrapped), wrapped, key);
                ct_wipe(&a, sizeof(a));
        }
        epk_b64 = base64_encode(epk, 1 + 2 * c->field);
        w_b64 = base64_encode(wrapped, sizeof(wrapped));
        *out = json_pack("{s:s, s:s, s:s, s:s}", "alg", OTA_WRAP_ALG, "crv", c->name, "epk", epk_b64, "wrapped_key",
                         w_b64);
        if (!*out) {
                error_set(err, ERROR_INTERNAL, "cannot build the wrapped key");
                goto out;
        }
        rc = 0;
out:
        ecc_raw_free(&ex, &ey, &ek);
        if (eph)
                gnutls_privkey_deinit(eph);
        ct_wipe(k, sizeof(k));
        ct_wipe(z, sizeof(z));
        ct_wipe(kek, sizeof(kek));
        return rc;
}

static int b64_field(const json_t *o, const char *name, uint8_t **out, size_t *len, struct error *err) {
        const json_t *v = json_object_get(o, name);
        if (!json_is_string(v))
                return error_set(err, ERROR_INVALID, "encryption_key: '%s' is missing or not a string", name);
        const char *s = json_string_value(v);
        size_t n = strlen(s);
        if (n == 0 || n > WRAP_TEXT_MAX)
                return error_set(err, ERROR_INVALID, "encryption_key: '%s' is empty or longer than %d characters", name,
                                 WRAP_TEXT_MAX);
        struct error e = { 0 };
        if (base64_decode(s, n, out, len, &e) < 0)
                return error_set(err, ERROR_INVALID, "encryption_key: '%s' is not base64", name);
        return 0;
}

/* An uncompressed point from outside is on the curve. Checked here, before
 * any key touches it, and not left to a token: a token that skipped the check
 * would answer an invalid-curve attack with bits of the device key. */
static int point_check(const struct wrap_curve *c, const uint8_t *point, struct error *err) {
        const struct ecc_curve *ecc = c->nettle();
        mpz_t mx, my;
        struct ecc_point p;
        mpz_inits(mx, my, NULL);
        mpz_import(mx, c->field, 1, 1, 1, 0, point + 1);
        mpz_import(my, c->field, 1, 1, 1, 0, point + 1 + c->field);
        ecc_point_init(&p, ecc);
        bool ok = ecc_point_set(&p, mx, my);
        ecc_point_clear(&p);
        mpz_clears(mx, my, NULL);
        return ok ? 0 : error_set(err, ERROR_INVALID, "the public key is not a point on %s", c->name);
}

/* Z with a private key in a file: GnuTLS exports the scalar, nettle multiplies. */
static int ecdh_file(const struct crypto_key *key, const struct wrap_curve *c, const uint8_t *epk, uint8_t *z,
                     struct error *err) {
        gnutls_ecc_curve_t curve;
        gnutls_datum_t x = { 0 }, y = { 0 }, k = { 0 };
        uint8_t kbuf[FIELD_MAX];
        int rc = -1;
        if (gnutls_privkey_export_ecc_raw2(crypto_key_privkey(key), &curve, &x, &y, &k, 0) < 0) {
                error_set(err, ERROR_UNSUPPORTED, "the device key cannot be used for ECDH (not exportable)");
                goto out;
        }
        if (curve != c->gnutls || !to_fixed(&k, kbuf, c->field)) {
                error_set(err, ERROR_CRYPTO, "the device key has a bad size");
                goto out;
        }
        rc = ecdh(c, kbuf, c->field, epk + 1, epk + 1 + c->field, z, err);
out:
        ecc_raw_free(&x, &y, &k);
        ct_wipe(kbuf, sizeof(kbuf));
        return rc;
}

/* Z with a private key on a PKCS#11 token: CKM_ECDH1_DERIVE through p11-kit
 * (crypto/p11.h), in a session of its own beside GnuTLS's. */
static int ecdh_token(const struct crypto_key *key, const struct wrap_curve *c, const uint8_t *epk, uint8_t *z,
                      struct error *err) {
        _cleanup_crypto_p11_ struct crypto_p11 *p = NULL;
        CK_OBJECT_HANDLE priv;
        if (crypto_p11_open(crypto_key_ref(key), "device key", false, &p, err) < 0 ||
            crypto_p11_find_one(p, CKO_PRIVATE_KEY, "private key", &priv, err) < 0 ||
            crypto_p11_ecdh(p, priv, epk, 1 + 2 * c->field, z, c->field, err) < 0)
                return -1;
        return 0;
}

int ota_unwrap_key(const struct crypto_key *dev, const char *serial, const char *target, const json_t *wrapped,
                   uint8_t key[OTA_CRYPT_KEY_LEN], struct error *err) {
        if (!json_is_object(wrapped))
                return error_set(err, ERROR_INVALID, "encryption_key: not a JSON object");
        const char *name;
        json_t *v;
        json_object_foreach((json_t *) wrapped, name, v) {
                if (strcmp(name, "alg") && strcmp(name, "crv") && strcmp(name, "epk") && strcmp(name, "wrapped_key")) {
                        char safe[64];
                        str_sanitize(name, strlen(name), safe, sizeof(safe));
                        return error_set(err, ERROR_INVALID, "encryption_key: unknown field '%s'", safe);
                }
        }
        const char *alg = json_string_value(json_object_get(wrapped, "alg"));
        if (!alg || strcmp(alg, OTA_WRAP_ALG) != 0)
                return error_set(err, ERROR_INVALID, "encryption_key: 'alg' must be \"%s\"", OTA_WRAP_ALG);
        const char *crv = json_string_value(json_object_get(wrapped, "crv"));
        const struct wrap_curve *c = crv ? curve_by_name(crv) : NULL;
        if (!c)
                return error_set(err, ERROR_INVALID, "encryption_key: 'crv' must be \"P-256\" or \"P-384\"");
        /* The device's own point and curve, from its public key (for a token
         * key, the public object or what GnuTLS derived: crypto/key.h). */
        const struct wrap_curve *dc = NULL;
        uint8_t dpk[POINT_MAX], z[FIELD_MAX], kek[32];
        if (pub_point(crypto_key_pubkey(dev), &dc, dpk, err) < 0)
                return -1;
        if (dc != c)
                return error_set(err, ERROR_INVALID, "encryption_key: wrapped for %s, but the device key is on %s",
                                 c->name, dc->name);
        _cleanup_free_ uint8_t *epk = NULL, *wk = NULL;
        size_t epk_len = 0, wk_len = 0;
        int rc = -1;
        if (b64_field(wrapped, "epk", &epk, &epk_len, err) < 0 ||
            b64_field(wrapped, "wrapped_key", &wk, &wk_len, err) < 0)
                return -1;
        if (epk_len != 1 + 2 * c->field || epk[0] != 0x04)
                return error_set(err, ERROR_INVALID, "encryption_key: 'epk' is not an uncompressed %s point", c->name);
        if (wk_len != OTA_WRAP_WRAPPED_LEN)
                return error_set(err, ERROR_INVALID, "encryption_key: 'wrapped_key' is %zu bytes, not %d", wk_len,
                                 OTA_WRAP_WRAPPED_LEN);
        if (point_check(c, epk, err) < 0)
                return error_prefix(err, "encryption_key: 'epk': ");
        if ((crypto_key_is_pkcs11(dev) ? ecdh_token(dev, c, epk, z, err) : ecdh_file(dev, c, epk, z, err)) < 0)
                goto out;
        derive_kek(c, z, serial, target, epk, dpk, kek);
        {
                struct aes256_ctx a;
                aes256_set_decrypt_key(&a, kek);
                int ok = aes256_keyunwrap(&a, KW_IV, OTA_CRYPT_KEY_LEN, key, wk);
                ct_wipe(&a, sizeof(a));
                if (!ok) {
                        ct_wipe(key, OTA_CRYPT_KEY_LEN);
                        error_set(err, ERROR_INVALID,
                                  "encryption_key does not unwrap with this device's key (wrapped for another "
                                  "device, target or key)");
                        goto out;
                }
        }
        rc = 0;
out:
        ct_wipe(z, sizeof(z));
        ct_wipe(kek, sizeof(kek));
        return rc;
}

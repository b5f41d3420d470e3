/* SPDX-License-Identifier: Apache-2.0 */
#include <string.h>
#include <time.h>

#include "core/strutil.h"
#include "core/time.h"
#include "crypto/random.h"
#include "pki/cert.h"
#include "pki/x509-internal.h"

#define GTLS(call, step)                                                                                       \
        do {                                                                                                   \
                int _rc = (call);                                                                              \
                if (_rc < 0)                                                                                   \
                        return error_set(err, ERROR_CRYPTO, "%s: %s: %s", what, (step), gnutls_strerror(_rc)); \
        } while (0)

int pki_x509_begin(gnutls_x509_crt_t crt, gnutls_pubkey_t pub, unsigned validity_days,
                   gnutls_x509_crt_t issuer, const char *what, struct error *err) {
        if (validity_days == 0 || validity_days > PKI_VALIDITY_DAYS_MAX)
                return error_set(err, ERROR_INVALID, "%s: validity of %u days is outside 1..%d", what,
                                 validity_days, PKI_VALIDITY_DAYS_MAX);
        uint8_t serial[16];
        if (random_bytes(serial, sizeof(serial), err) < 0)
                return -1;
        /* Positive DER INTEGER, and the top byte non-zero so all 16 bytes stay
         * (a CA/Browser-style 120+ bits of entropy). */
        serial[0] &= 0x7f;
        serial[0] |= 0x40;

        int64_t now = time_now();
        int64_t not_before = now - PKI_BACKDATE_SECS;
        int64_t not_after = now + (int64_t) validity_days * 86400;
        if (issuer) {
                time_t issuer_end = gnutls_x509_crt_get_expiration_time(issuer);
                if (issuer_end == (time_t) -1)
                        return error_set(err, ERROR_INVALID, "%s: the issuer has no readable expiry", what);
                if ((int64_t) issuer_end <= now)
                        return error_set(err, ERROR_INVALID, "%s: the issuing CA certificate has expired", what);
                /* A certificate outliving its issuer cannot be verified past
                 * the issuer's end anyway: say so in the certificate. */
                if (not_after > (int64_t) issuer_end)
                        not_after = (int64_t) issuer_end;
        }
        GTLS(gnutls_x509_crt_set_version(crt, 3), "setting the version");
        GTLS(gnutls_x509_crt_set_serial(crt, serial, sizeof(serial)), "setting the serial");
        GTLS(gnutls_x509_crt_set_activation_time(crt, (time_t) not_before), "setting notBefore");
        GTLS(gnutls_x509_crt_set_expiration_time(crt, (time_t) not_after), "setting notAfter");
        GTLS(gnutls_x509_crt_set_pubkey(crt, pub), "setting the public key");
        uint8_t kid[64];
        size_t kid_len = sizeof(kid);
        GTLS(gnutls_pubkey_get_key_id(pub, GNUTLS_KEYID_USE_SHA1, kid, &kid_len), "computing the key id");
        GTLS(gnutls_x509_crt_set_subject_key_id(crt, kid, kid_len), "setting the subject key id");
        return 0;
}

int pki_x509_key_id(gnutls_x509_crt_t crt, uint8_t *out, size_t *len) {
        unsigned critical;
        size_t cap = *len;
        if (gnutls_x509_crt_get_subject_key_id(crt, out, len, &critical) >= 0)
                return 0;
        *len = cap;
        return gnutls_x509_crt_get_key_id(crt, GNUTLS_KEYID_USE_SHA1, out, len) < 0 ? -1 : 0;
}

int pki_x509_set_aki(gnutls_x509_crt_t crt, gnutls_x509_crt_t issuer, const char *what, struct error *err) {
        uint8_t kid[64];
        size_t kid_len = sizeof(kid);
        if (pki_x509_key_id(issuer, kid, &kid_len) < 0)
                return error_set(err, ERROR_CRYPTO, "%s: cannot read the issuer's key id", what);
        GTLS(gnutls_x509_crt_set_authority_key_id(crt, kid, kid_len), "setting the authority key id");
        return 0;
}

int pki_x509_sign(gnutls_x509_crt_t crt, gnutls_x509_crt_t issuer, const struct crypto_key *key,
                  const char *what, struct error *err) {
        int rc = gnutls_x509_crt_privkey_sign(crt, issuer, crypto_key_privkey(key), crypto_key_sign_hash(key), 0);
        if (rc < 0)
                return error_set(err, ERROR_CRYPTO, "%s: signing with %s key '%s' failed: %s", what,
                                 crypto_key_describe(key), crypto_key_is_pkcs11(key) ? "PKCS#11" : "file",
                                 gnutls_strerror(rc));
        return 0;
}

int pki_x509_check_issuer(const struct crypto_key *key, gnutls_x509_crt_t ca_cert, struct error *err) {
        if (!key || !ca_cert)
                return error_set(err, ERROR_INVALID, "no CA key or CA certificate given");
        if (!pki_cert_is_ca(ca_cert))
                return error_set(err, ERROR_INVALID, "the issuing certificate is not a CA (basicConstraints CA:FALSE)");
        unsigned usage = 0, critical = 0;
        if (gnutls_x509_crt_get_key_usage(ca_cert, &usage, &critical) >= 0 && !(usage & GNUTLS_KEY_KEY_CERT_SIGN))
                return error_set(err, ERROR_INVALID, "the issuing CA certificate lacks keyUsage keyCertSign");
        if (!pki_cert_matches_pubkey(ca_cert, crypto_key_pubkey(key)))
                return error_set(err, ERROR_INVALID,
                                 "the CA key (%s) does not belong to the CA certificate (different public key)",
                                 crypto_key_describe(key));
        return 0;
}

int pki_x509_pem(gnutls_x509_crt_t crt, char **pem_out, struct error *err) {
        char *pem = pki_cert_export_pem(crt, err);
        if (!pem)
                return -1;
        *pem_out = pem;
        return 0;
}

int pki_x509_dirstring(const uint8_t *der, size_t len, char *out, size_t out_size) {
        out[0] = '\0';
        if (len < 2)
                return -1;
        uint8_t tag = der[0];
        if (tag != 0x0c /* UTF8String */ && tag != 0x13 /* PrintableString */ && tag != 0x16 /* IA5String */)
                return -1;
        size_t n, hdr;
        if (der[1] < 0x80) {
                n = der[1];
                hdr = 2;
        } else if (der[1] == 0x81 && len >= 3) {
                n = der[2];
                hdr = 3;
        } else if (der[1] == 0x82 && len >= 4) {
                n = (size_t) der[2] << 8 | der[3];
                hdr = 4;
        } else {
                return -1;
        }
        if (hdr + n != len || memchr(der + hdr, 0, n))
                return -1;
        if (n >= out_size)
                return -2;
        memcpy(out, der + hdr, n);
        out[n] = '\0';
        return (int) n;
}

bool pki_x509_is_pem(const void *data, size_t len) {
        return len > 0 && ((const uint8_t *) data)[0] != 0x30;
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Version 2 CRLs (RFC 5280 §5) with reason codes.
 *
 * GnuTLS can write a CRL but not CRL entry extensions, and without the
 * reasonCode a relying party cannot tell a key compromise from a routine
 * supersession. So the TBSCertList is built here in DER, signed through the
 * key abstraction (file or PKCS#11 alike) with gnutls_privkey_sign_data2, and
 * then read back and verified by GnuTLS against the CA certificate before it
 * is handed out: a CRL that does not verify is never published.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <gnutls/abstract.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "core/cleanup.h"
#include "core/strutil.h"
#include "crypto/encoding.h"
#include "pki/cert.h"
#include "pki/crl.h"
#include "pki/der.h"
#include "pki/x509-internal.h"

#define OID_AKI "2.5.29.35"
#define OID_CRL_NUMBER "2.5.29.20"
#define OID_REASON "2.5.29.21"
#define CRL_MAX_ENTRIES 1000000

static const char *const reason_names[] = {
        [PKI_CRL_REASON_UNSPECIFIED] = "unspecified",
        [PKI_CRL_REASON_KEY_COMPROMISE] = "keyCompromise",
        [PKI_CRL_REASON_CA_COMPROMISE] = "cACompromise",
        [PKI_CRL_REASON_AFFILIATION_CHANGED] = "affiliationChanged",
        [PKI_CRL_REASON_SUPERSEDED] = "superseded",
        [PKI_CRL_REASON_CESSATION_OF_OPERATION] = "cessationOfOperation",
        [PKI_CRL_REASON_CERTIFICATE_HOLD] = "certificateHold",
        /* 7 is not used (RFC 5280 §5.3.1) */
        [PKI_CRL_REASON_REMOVE_FROM_CRL] = "removeFromCRL",
        [PKI_CRL_REASON_PRIVILEGE_WITHDRAWN] = "privilegeWithdrawn",
        [PKI_CRL_REASON_AA_COMPROMISE] = "aACompromise",
};

const char *pki_crl_reason_name(int reason) {
        if (reason < 0 || (size_t) reason >= ELEMENTSOF(reason_names))
                return NULL;
        return reason_names[reason];
}

int pki_crl_reason_parse(const char *name, int *out, struct error *err) {
        if (name && *name) {
                int64_t v;
                if (str_to_int64(name, 0, 10, &v) == 0 && pki_crl_reason_name((int) v)) {
                        *out = (int) v;
                        return 0;
                }
                for (size_t i = 0; i < ELEMENTSOF(reason_names); i++)
                        if (reason_names[i] && strcasecmp(name, reason_names[i]) == 0) {
                                *out = (int) i;
                                return 0;
                        }
        }
        char safe[64];
        str_sanitize(name ? name : "", name ? strlen(name) : 0, safe, sizeof(safe));
        return error_set(err, ERROR_INVALID,
                         "unknown revocation reason '%s' (expected unspecified, keyCompromise, cACompromise, "
                         "affiliationChanged, superseded, cessationOfOperation, certificateHold, removeFromCRL, "
                         "privilegeWithdrawn, aACompromise, or 0-10 except 7)", safe);
}

/* Extension ::= SEQUENCE { extnID, critical BOOLEAN DEFAULT FALSE, extnValue OCTET STRING } */
static int ext_add(struct buf *exts, const char *oid, struct buf *value, struct error *err) {
        struct buf e = {0};
        if (der_oid(&e, oid, err) < 0) {
                buf_free(&e);
                buf_free(value);
                return -1;
        }
        der_wrap(&e, DER_OCTET_STRING, value);
        der_wrap(exts, DER_SEQUENCE, &e);
        return 0;
}

/* AlgorithmIdentifier of the CA key's signature. */
static int sig_alg(const struct crypto_key *key, gnutls_sign_algorithm_t *sign, struct buf *out,
                   struct error *err) {
        unsigned bits;
        int pk = gnutls_pubkey_get_pk_algorithm(crypto_key_pubkey(key), &bits);
        gnutls_digest_algorithm_t dig = crypto_key_sign_hash(key);
        *sign = gnutls_pk_to_sign((gnutls_pk_algorithm_t) pk, dig);
        const char *oid = *sign != GNUTLS_SIGN_UNKNOWN ? gnutls_sign_get_oid(*sign) : NULL;
        if (!oid || (pk != GNUTLS_PK_RSA && pk != GNUTLS_PK_ECDSA && pk != GNUTLS_PK_EDDSA_ED25519))
                return error_set(err, ERROR_UNSUPPORTED, "CRL: cannot sign with a %s key", crypto_key_describe(key));
        struct buf a = {0};
        if (der_oid(&a, oid, err) < 0) {
                buf_free(&a);
                return -1;
        }
        /* RSA PKCS#1 v1.5 identifiers carry an explicit NULL (RFC 4055 §5);
         * ECDSA and EdDSA ones have no parameters (RFC 5758, RFC 8410). */
        if (pk == GNUTLS_PK_RSA)
                der_tlv(&a, DER_NULL, NULL, 0);
        der_wrap(out, DER_SEQUENCE, &a);
        return 0;
}

static int entry_add(struct buf *list, const struct pki_revoked *r, size_t i, struct error *err) {
        char hex[41];
        if (!r->serial_hex || pki_serial_hex_normalize(r->serial_hex, hex, err) < 0)
                return error_set(err, ERROR_INVALID, "CRL entry %zu: bad certificate serial", i);
        if (!pki_crl_reason_name(r->reason))
                return error_set(err, ERROR_INVALID, "CRL entry %zu (serial %s): invalid reason code %d", i, hex,
                                 r->reason);
        uint8_t serial[20];
        size_t slen = strlen(hex) / 2;
        if (hex_decode(hex, serial, slen, err) < 0)
                return -1;
        struct buf e = {0};
        der_integer_raw(&e, serial, slen);
        if (der_time(&e, r->revoked_at, err) < 0) {
                buf_free(&e);
                return error_prefix(err, "CRL entry %zu (serial %s): ", i, hex);
        }
        /* RFC 5280 §5.3.1: reason "unspecified" SHOULD be expressed by
         * leaving the reasonCode out. */
        if (r->reason != PKI_CRL_REASON_UNSPECIFIED) {
                struct buf exts = {0}, v = {0};
                uint8_t code = (uint8_t) r->reason;
                der_tlv(&v, DER_ENUMERATED, &code, 1);
                if (ext_add(&exts, OID_REASON, &v, err) < 0) {
                        buf_free(&e);
                        buf_free(&exts);
                        return -1;
                }
                der_wrap(&e, DER_SEQUENCE, &exts);
        }
        der_wrap(list, DER_SEQUENCE, &e);
        return 0;
}

static void crl_freep(gnutls_x509_crl_t *c) {
        if (*c)
                gnutls_x509_crl_deinit(*c);
}

int pki_crl_verify(const void *data, size_t len, gnutls_x509_crt_t ca_cert, gnutls_x509_crl_t *out,
                   struct error *err) {
        if (!data || len == 0)
                return error_set(err, ERROR_INVALID, "CRL is empty");
        if (len > PKI_CRL_MAX_DER)
                return error_set(err, ERROR_TOO_LARGE, "CRL is too large (%zu bytes)", len);
        _cleanup_(crl_freep) gnutls_x509_crl_t crl = NULL;
        int rc = gnutls_x509_crl_init(&crl);
        if (rc < 0)
                return error_set(err, ERROR_CRYPTO, "CRL: %s", gnutls_strerror(rc));
        gnutls_datum_t d = {(unsigned char *) data, (unsigned) len};
        bool pem = pki_x509_is_pem(data, len);
        rc = gnutls_x509_crl_import(crl, &d, pem ? GNUTLS_X509_FMT_PEM : GNUTLS_X509_FMT_DER);
        if (rc < 0)
                return error_set(err, ERROR_INVALID, "CRL does not parse: %s", gnutls_strerror(rc));
        unsigned status = 0;
        rc = gnutls_x509_crl_verify(crl, &ca_cert, 1, GNUTLS_VERIFY_DISABLE_TIME_CHECKS, &status);
        if (rc < 0)
                return error_set(err, ERROR_CRYPTO, "CRL cannot be verified: %s", gnutls_strerror(rc));
        /* Freshness is the caller's call (it has the clock and the policy);
         * this checks issuer and signature. */
        status &= ~(unsigned) (GNUTLS_CERT_REVOCATION_DATA_SUPERSEDED | GNUTLS_CERT_REVOCATION_DATA_ISSUED_IN_FUTURE);
        if (status == GNUTLS_CERT_INVALID)
                status = 0;
        if (status != 0) {
                gnutls_datum_t msg = {0};
                if (gnutls_certificate_verification_status_print(status, GNUTLS_CRT_X509, &msg, 0) >= 0) {
                        error_set(err, ERROR_INVALID, "CRL does not verify against the CA: %s", msg.data);
                        gnutls_free(msg.data);
                        return -1;
                }
                return error_set(err, ERROR_INVALID, "CRL does not verify against the CA (status 0x%x)", status);
        }
        if (out)
                *out = steal_ptr(crl);
        return 0;
}

int pki_crl_generate(const struct crypto_key *ca_key, gnutls_x509_crt_t ca_cert,
                     const struct pki_revoked *revoked, size_t n, uint64_t crl_number,
                     int64_t now, int64_t next_update_secs, uint8_t **der_out, size_t *len_out,
                     struct error *err) {
        if (n > CRL_MAX_ENTRIES)
                return error_set(err, ERROR_TOO_LARGE, "CRL: %zu entries (at most %d)", n, CRL_MAX_ENTRIES);
        if (n && !revoked)
                return error_set(err, ERROR_INVALID, "CRL: no entries given");
        if (next_update_secs <= 0 || next_update_secs > 366LL * 86400)
                return error_set(err, ERROR_INVALID, "CRL: nextUpdate must be 1 s to 366 days after thisUpdate");
        if (pki_x509_check_issuer(ca_key, ca_cert, err) < 0)
                return error_prefix(err, "CRL: ");
        unsigned usage = 0, critical = 0;
        if (gnutls_x509_crt_get_key_usage(ca_cert, &usage, &critical) >= 0 && !(usage & GNUTLS_KEY_CRL_SIGN))
                return error_set(err, ERROR_INVALID, "CRL: the CA certificate lacks keyUsage cRLSign");

        int ret = -1;
        struct buf tbs = {0}, alg = {0}, body = {0}, list = {0}, exts = {0}, v = {0}, full = {0};
        gnutls_datum_t issuer = {0}, sig = {0};
        gnutls_sign_algorithm_t sign;

        if (sig_alg(ca_key, &sign, &alg, err) < 0)
                goto out;
        int rc = gnutls_x509_crt_get_raw_dn(ca_cert, &issuer);
        if (rc < 0) {
                error_set(err, ERROR_CRYPTO, "CRL: cannot read the CA subject: %s", gnutls_strerror(rc));
                goto out;
        }
        uint8_t kid[64];
        size_t kid_len = sizeof(kid);
        if (pki_x509_key_id(ca_cert, kid, &kid_len) < 0) {
                error_set(err, ERROR_CRYPTO, "CRL: cannot read the CA key id");
                goto out;
        }

        /* TBSCertList ::= SEQUENCE { version v2(1), signature, issuer, thisUpdate,
         *   nextUpdate, revokedCertificates SEQUENCE OF ... OPTIONAL, crlExtensions [0] } */
        der_uint(&body, 1);
        buf_append(&body, alg.data, alg.len);
        buf_append(&body, issuer.data, issuer.size);
        if (der_time(&body, now, err) < 0 || der_time(&body, now + next_update_secs, err) < 0) {
                error_prefix(err, "CRL: ");
                goto out;
        }
        for (size_t i = 0; i < n; i++)
                if (entry_add(&list, &revoked[i], i, err) < 0)
                        goto out;
        /* An empty list is left out rather than encoded empty (RFC 5280 §5.1.2.6). */
        if (n)
                der_wrap(&body, DER_SEQUENCE, &list);

        /* AuthorityKeyIdentifier ::= SEQUENCE { keyIdentifier [0] IMPLICIT OCTET STRING } */
        {
                struct buf aki = {0};
                der_tlv(&aki, DER_CONTEXT_PRIM(0), kid, kid_len);
                der_wrap(&v, DER_SEQUENCE, &aki);
                if (ext_add(&exts, OID_AKI, &v, err) < 0)
                        goto out;
                der_uint(&v, crl_number);
                if (ext_add(&exts, OID_CRL_NUMBER, &v, err) < 0)
                        goto out;
                struct buf seq = {0};
                der_wrap(&seq, DER_SEQUENCE, &exts);
                der_wrap(&body, DER_CONTEXT_CONS(0), &seq);
        }
        der_wrap(&tbs, DER_SEQUENCE, &body);

        gnutls_datum_t tbs_d = {(unsigned char *) tbs.data, (unsigned) tbs.len};
        rc = gnutls_privkey_sign_data2(crypto_key_privkey(ca_key), sign, 0, &tbs_d, &sig);
        if (rc < 0) {
                error_set(err, ERROR_CRYPTO, "CRL: signing with %s key failed: %s", crypto_key_describe(ca_key),
                          gnutls_strerror(rc));
                goto out;
        }

        /* CertificateList ::= SEQUENCE { tbsCertList, signatureAlgorithm, signatureValue BIT STRING } */
        buf_append(&body, tbs.data, tbs.len);
        buf_append(&body, alg.data, alg.len);
        {
                struct buf bits = {0};
                uint8_t unused = 0;
                buf_append(&bits, &unused, 1);
                buf_append(&bits, sig.data, sig.size);
                der_wrap(&body, DER_BIT_STRING, &bits);
        }
        der_wrap(&full, DER_SEQUENCE, &body);

        /* Read it back the way a relying party would. */
        if (pki_crl_verify(full.data, full.len, ca_cert, NULL, err) < 0) {
                error_prefix(err, "CRL: generated CRL failed its self-check: ");
                goto out;
        }
        *len_out = full.len;
        *der_out = (uint8_t *) buf_steal(&full);
        ret = 0;
out:
        buf_free(&tbs);
        buf_free(&alg);
        buf_free(&body);
        buf_free(&list);
        buf_free(&exts);
        buf_free(&v);
        buf_free(&full);
        gnutls_free(issuer.data);
        gnutls_free(sig.data);
        return ret;
}

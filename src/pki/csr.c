/* SPDX-License-Identifier: Apache-2.0 */
/*
 * PKCS#10 requests. Parsing is for outside input (factory stations, devices,
 * fuzzed): it is bounded in size, verifies the self-signature before trusting
 * anything in the request, and applies the key policy.
 */
#include <stdlib.h>
#include <string.h>

#include <gnutls/abstract.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "core/cleanup.h"
#include "core/strutil.h"
#include "pki/csr.h"
#include "pki/x509-internal.h"

#define OID_CN "2.5.4.3"
#define OID_SERIAL "2.5.4.5"
#define UB_NAME 64 /* RFC 5280 ub-common-name, ub-serial-number */

static void pubkey_freep(gnutls_pubkey_t *k) {
        if (*k)
                gnutls_pubkey_deinit(*k);
}

/* Reads one subject attribute into out (UB_NAME + 1 bytes). Absent: "".
 * Refuses duplicates, over-long values and control characters: these strings
 * end up in database rows, file names of logs and certificate subjects. */
static int subject_attr(gnutls_x509_crq_t crq, const char *oid, const char *what, char *out, size_t out_size,
                        struct error *err) {
        out[0] = '\0';
        /* raw: the DER string, because the cooked form escapes RFC 4514
         * specials ("a,b" comes back as "a\\,b"). */
        uint8_t raw[256];
        size_t len = sizeof(raw);
        int rc = gnutls_x509_crq_get_dn_by_oid(crq, oid, 0, 1, raw, &len);
        if (rc == GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE)
                return 0;
        if (rc == GNUTLS_E_SHORT_MEMORY_BUFFER)
                return error_set(err, ERROR_INVALID, "CSR subject %s is longer than %d bytes", what, UB_NAME);
        if (rc < 0)
                return error_set(err, ERROR_INVALID, "CSR subject %s cannot be read: %s", what, gnutls_strerror(rc));
        int n = pki_x509_dirstring(raw, len, out, out_size);
        if (n == -2)
                return error_set(err, ERROR_INVALID, "CSR subject %s is longer than %d bytes", what, UB_NAME);
        if (n < 0)
                return error_set(err, ERROR_INVALID,
                                 "CSR subject %s is not a UTF8String, PrintableString or IA5String without NUL bytes",
                                 what);
        for (int i = 0; i < n; i++)
                if ((unsigned char) out[i] < 0x20 || out[i] == 0x7f) {
                        out[0] = '\0';
                        return error_set(err, ERROR_INVALID, "CSR subject %s contains control characters", what);
                }
        uint8_t dup[8];
        size_t dup_len = sizeof(dup);
        rc = gnutls_x509_crq_get_dn_by_oid(crq, oid, 1, 1, dup, &dup_len);
        if (rc != GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE) {
                out[0] = '\0';
                return error_set(err, ERROR_INVALID, "CSR subject has more than one %s", what);
        }
        return 0;
}

int pki_csr_pubkey(gnutls_x509_crq_t csr, gnutls_pubkey_t *out, struct error *err) {
        gnutls_pubkey_t pub;
        int rc = gnutls_pubkey_init(&pub);
        if (rc < 0)
                return error_set(err, ERROR_CRYPTO, "CSR: %s", gnutls_strerror(rc));
        rc = gnutls_pubkey_import_x509_crq(pub, csr, 0);
        if (rc < 0) {
                gnutls_pubkey_deinit(pub);
                return error_set(err, ERROR_INVALID, "CSR public key cannot be read: %s", gnutls_strerror(rc));
        }
        *out = pub;
        return 0;
}

int pki_csr_parse(const void *data, size_t len, gnutls_x509_crq_t *out, struct pki_csr_info *info,
                  struct error *err) {
        struct pki_csr_info scratch;
        if (!info)
                info = &scratch;
        memset(info, 0, sizeof(*info));
        if (!data || len == 0)
                return error_set(err, ERROR_INVALID, "CSR is empty");

        bool pem = pki_x509_is_pem(data, len);
        /* PEM carries 4/3 of the DER plus line breaks and armour; allow for that. */
        size_t limit = pem ? PKI_CSR_MAX_DER * 2 : PKI_CSR_MAX_DER;
        if (len > limit)
                return error_set(err, ERROR_TOO_LARGE, "CSR is too large (%zu bytes, at most %zu)", len, limit);

        _cleanup_pki_crq_ gnutls_x509_crq_t crq = NULL;
        int rc = gnutls_x509_crq_init(&crq);
        if (rc < 0)
                return error_set(err, ERROR_CRYPTO, "CSR: %s", gnutls_strerror(rc));
        gnutls_datum_t d = {(unsigned char *) data, (unsigned) len};
        rc = gnutls_x509_crq_import(crq, &d, pem ? GNUTLS_X509_FMT_PEM : GNUTLS_X509_FMT_DER);
        if (rc < 0)
                return error_set(err, ERROR_INVALID, "CSR is not a PKCS#10 request (%s): %s", pem ? "PEM" : "DER",
                                 gnutls_strerror(rc));
        if (pem) {
                /* The DER inside must obey the same limit. */
                gnutls_datum_t der = {0};
                rc = gnutls_x509_crq_export2(crq, GNUTLS_X509_FMT_DER, &der);
                size_t der_len = der.size;
                gnutls_free(der.data);
                if (rc < 0)
                        return error_set(err, ERROR_INVALID, "CSR cannot be re-encoded: %s", gnutls_strerror(rc));
                if (der_len > PKI_CSR_MAX_DER)
                        return error_set(err, ERROR_TOO_LARGE, "CSR is too large (%zu bytes DER, at most %d)",
                                         der_len, PKI_CSR_MAX_DER);
        }

        /* Proof of possession first: nothing in an unsigned request is worth reading. */
        rc = gnutls_x509_crq_verify(crq, 0);
        if (rc == GNUTLS_E_PK_SIG_VERIFY_FAILED)
                return error_set(err, ERROR_INVALID, "CSR signature does not verify");
        if (rc < 0)
                return error_set(err, ERROR_INVALID, "CSR signature cannot be checked: %s", gnutls_strerror(rc));

        _cleanup_(pubkey_freep) gnutls_pubkey_t pub = NULL;
        if (pki_csr_pubkey(crq, &pub, err) < 0)
                return -1;
        crypto_pubkey_describe(pub, info->key_desc, sizeof(info->key_desc));
        char why[96];
        info->key_in_policy = crypto_pubkey_in_policy(pub, why, sizeof(why));

        if (subject_attr(crq, OID_SERIAL, "serialNumber", info->serial_number, sizeof(info->serial_number), err) < 0 ||
            subject_attr(crq, OID_CN, "commonName", info->common_name, sizeof(info->common_name), err) < 0)
                return -1;

        if (!info->key_in_policy)
                return error_set(err, ERROR_INVALID, "key %s is outside policy (%s): %s", info->key_desc,
                                 CRYPTO_KEY_POLICY, why);
        *out = steal_ptr(crq);
        return 0;
}

static int name_ok(const char *what, const char *v, struct error *err) {
        size_t n = strlen(v);
        if (n == 0 || n > UB_NAME)
                return error_set(err, ERROR_INVALID, "%s must be 1 to %d bytes long", what, UB_NAME);
        for (size_t i = 0; i < n; i++)
                if ((unsigned char) v[i] < 0x20 || v[i] == 0x7f)
                        return error_set(err, ERROR_INVALID, "%s contains control characters", what);
        return 0;
}

int pki_csr_create(const struct crypto_key *key, const char *common_name, const char *serial_number,
                   char **pem_out, struct error *err) {
        if (!key)
                return error_set(err, ERROR_INVALID, "CSR: no key given");
        if (name_ok("CSR common name", common_name ? common_name : "", err) < 0)
                return -1;
        bool with_serial = serial_number && *serial_number;
        if (with_serial && name_ok("CSR serial number", serial_number, err) < 0)
                return -1;

        _cleanup_pki_crq_ gnutls_x509_crq_t crq = NULL;
        gnutls_datum_t pem = {0};
        int rc = gnutls_x509_crq_init(&crq);
        const char *step = "initialising";
        if (rc >= 0) {
                step = "setting the version";
                rc = gnutls_x509_crq_set_version(crq, 1);
        }
        if (rc >= 0) {
                step = "setting the common name";
                rc = gnutls_x509_crq_set_dn_by_oid(crq, OID_CN, 0, common_name, (unsigned) strlen(common_name));
        }
        if (rc >= 0 && with_serial) {
                step = "setting the serial number";
                rc = gnutls_x509_crq_set_dn_by_oid(crq, OID_SERIAL, 0, serial_number,
                                                   (unsigned) strlen(serial_number));
        }
        if (rc >= 0) {
                step = "setting the public key";
                rc = gnutls_x509_crq_set_pubkey(crq, crypto_key_pubkey(key));
        }
        if (rc >= 0) {
                step = "signing";
                rc = gnutls_x509_crq_privkey_sign(crq, crypto_key_privkey(key), crypto_key_sign_hash(key), 0);
        }
        if (rc >= 0) {
                step = "exporting";
                rc = gnutls_x509_crq_export2(crq, GNUTLS_X509_FMT_PEM, &pem);
        }
        if (rc < 0)
                return error_set(err, ERROR_CRYPTO, "CSR for '%s' with key %s: %s: %s", common_name,
                                 crypto_key_describe(key), step, gnutls_strerror(rc));
        char *s = xmalloc(pem.size + 1);
        memcpy(s, pem.data, pem.size);
        s[pem.size] = '\0';
        gnutls_free(pem.data);
        *pem_out = s;
        return 0;
}

int pki_csr_pem_to_der(const char *pem, uint8_t **der_out, size_t *len_out, struct error *err) {
        if (!pem)
                return error_set(err, ERROR_INVALID, "CSR is empty");
        size_t len = strlen(pem);
        if (len > PKI_CSR_MAX_DER * 2)
                return error_set(err, ERROR_TOO_LARGE, "CSR is too large (%zu bytes)", len);
        _cleanup_pki_crq_ gnutls_x509_crq_t crq = NULL;
        gnutls_datum_t in = {(unsigned char *) pem, (unsigned) len}, der = {0};
        int rc = gnutls_x509_crq_init(&crq);
        if (rc >= 0)
                rc = gnutls_x509_crq_import(crq, &in, GNUTLS_X509_FMT_PEM);
        if (rc < 0)
                return error_set(err, ERROR_INVALID, "CSR is not a PEM PKCS#10 request: %s", gnutls_strerror(rc));
        rc = gnutls_x509_crq_export2(crq, GNUTLS_X509_FMT_DER, &der);
        if (rc < 0)
                return error_set(err, ERROR_CRYPTO, "CSR cannot be encoded: %s", gnutls_strerror(rc));
        uint8_t *p = xmalloc(der.size ? der.size : 1);
        memcpy(p, der.data, der.size);
        *der_out = p;
        *len_out = der.size;
        gnutls_free(der.data);
        return 0;
}

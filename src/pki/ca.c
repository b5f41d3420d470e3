/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The manufacturer's offline root and its device-issuing intermediates.
 * Path lengths are fixed by design: root (pathlen 1) -> intermediate
 * (pathlen 0) -> device. A stolen intermediate key can then never mint
 * another CA.
 */
#include <string.h>

#include <gnutls/abstract.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "core/cleanup.h"
#include "core/strutil.h"
#include "pki/ca.h"
#include "pki/cert.h"
#include "pki/csr.h"
#include "pki/x509-internal.h"

#define OID_CN "2.5.4.3"
#define OID_O "2.5.4.10"
#define UB_NAME 64

#define GTLS(call, step)                                                                                       \
        do {                                                                                                   \
                int _rc = (call);                                                                              \
                if (_rc < 0)                                                                                   \
                        return error_set(err, ERROR_CRYPTO, "%s: %s: %s", what, (step), gnutls_strerror(_rc)); \
        } while (0)

static void pubkey_freep(gnutls_pubkey_t *k) {
        if (*k)
                gnutls_pubkey_deinit(*k);
}

static int dn_value_ok(const char *what, const char *v, struct error *err) {
        size_t n = v ? strlen(v) : 0;
        if (n == 0 || n > UB_NAME)
                return error_set(err, ERROR_INVALID, "%s must be 1 to %d bytes long", what, UB_NAME);
        for (size_t i = 0; i < n; i++)
                if ((unsigned char) v[i] < 0x20 || v[i] == 0x7f)
                        return error_set(err, ERROR_INVALID, "%s contains control characters", what);
        return 0;
}

int pki_ca_check_key(const struct crypto_key *key, gnutls_x509_crt_t ca_cert, struct error *err) {
        return pki_x509_check_issuer(key, ca_cert, err);
}

int pki_root_create(const struct crypto_key *key, const char *common_name, const char *organization,
                    unsigned validity_days, char **pem_out, struct error *err) {
        static const char what[] = "root CA";
        if (!key)
                return error_set(err, ERROR_INVALID, "root CA: no key given");
        if (dn_value_ok("root CA common name", common_name, err) < 0 ||
            (organization && *organization && dn_value_ok("root CA organization", organization, err) < 0))
                return -1;

        _cleanup_pki_crt_ gnutls_x509_crt_t crt = NULL;
        GTLS(gnutls_x509_crt_init(&crt), "initialising");
        if (pki_x509_begin(crt, crypto_key_pubkey(key), validity_days, NULL, what, err) < 0)
                return -1;
        /* RDNs in encoding order: O then CN ("CN=..,O=.." in RFC 4514 text). */
        if (organization && *organization)
                GTLS(gnutls_x509_crt_set_dn_by_oid(crt, OID_O, 0, organization, (unsigned) strlen(organization)),
                     "setting the organization");
        GTLS(gnutls_x509_crt_set_dn_by_oid(crt, OID_CN, 0, common_name, (unsigned) strlen(common_name)),
             "setting the common name");
        GTLS(gnutls_x509_crt_set_basic_constraints(crt, 1, 1), "setting basicConstraints");
        GTLS(gnutls_x509_crt_set_key_usage(crt, GNUTLS_KEY_KEY_CERT_SIGN | GNUTLS_KEY_CRL_SIGN), "setting keyUsage");
        if (pki_x509_sign(crt, crt, key, what, err) < 0)
                return -1;
        return pki_x509_pem(crt, pem_out, err);
}

int pki_sign_intermediate(const struct crypto_key *root_key, gnutls_x509_crt_t root_cert,
                          gnutls_x509_crq_t csr, unsigned validity_days, char **pem_out, struct error *err) {
        static const char what[] = "intermediate CA";
        if (!csr)
                return error_set(err, ERROR_INVALID, "intermediate CA: no CSR given");
        if (pki_x509_check_issuer(root_key, root_cert, err) < 0)
                return error_prefix(err, "intermediate CA: ");

        /* The subject comes from the CSR; it must at least name the CA. */
        char dn[512];
        size_t dn_len = sizeof(dn);
        int rc = gnutls_x509_crq_get_dn(csr, dn, &dn_len);
        if (rc < 0 || dn_len == 0 || dn[0] == '\0')
                return error_set(err, ERROR_INVALID, "intermediate CA: the CSR has an empty or unreadable subject");

        _cleanup_(pubkey_freep) gnutls_pubkey_t pub = NULL;
        if (pki_csr_pubkey(csr, &pub, err) < 0)
                return -1;
        if (pki_cert_matches_pubkey(root_cert, pub))
                return error_set(err, ERROR_INVALID, "intermediate CA: the CSR uses the root's own key");

        _cleanup_pki_crt_ gnutls_x509_crt_t crt = NULL;
        GTLS(gnutls_x509_crt_init(&crt), "initialising");
        if (pki_x509_begin(crt, pub, validity_days, root_cert, what, err) < 0)
                return -1;
        /* Copies the subject exactly as requested (DER, not via text) and the
         * key (the same one the SKI above was computed from). It also checks
         * the CSR's signature once more. */
        GTLS(gnutls_x509_crt_set_crq(crt, csr), "copying the CSR subject");
        GTLS(gnutls_x509_crt_set_basic_constraints(crt, 1, 0), "setting basicConstraints");
        GTLS(gnutls_x509_crt_set_key_usage(crt, GNUTLS_KEY_KEY_CERT_SIGN | GNUTLS_KEY_CRL_SIGN), "setting keyUsage");
        if (pki_x509_set_aki(crt, root_cert, what, err) < 0 || pki_x509_sign(crt, root_cert, root_key, what, err) < 0)
                return -1;
        return pki_x509_pem(crt, pem_out, err);
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Device certificates. One profile for birth (IDevID-like, long-lived, from
 * the factory) and operational certificates (renewed in the field); they
 * differ only in validity. The subject and SAN are built from the profile,
 * never copied from the CSR: a device asks for a key to be certified, the
 * CA decides what name it gets.
 */
#include <string.h>

#include <gnutls/abstract.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "core/cleanup.h"
#include "core/strutil.h"
#include "pki/cert.h"
#include "pki/csr.h"
#include "pki/issue.h"
#include "pki/x509-internal.h"

#define OID_CN "2.5.4.3"
#define OID_SERIAL "2.5.4.5"
#define OID_O "2.5.4.10"
#define URN_PREFIX "urn:cradle:device:"
#define CRL_URL_MAX 1024

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

static bool name_char(char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
               c == '-';
}

int pki_name_check(const char *what, const char *value, struct error *err) {
        size_t n = value ? strlen(value) : 0;
        if (n == 0)
                return error_set(err, ERROR_INVALID, "%s is empty", what);
        char safe[80];
        str_sanitize(value, n, safe, sizeof(safe));
        if (n > PKI_NAME_MAX)
                return error_set(err, ERROR_INVALID, "%s '%s' is longer than %d bytes", what, safe, PKI_NAME_MAX);
        for (size_t i = 0; i < n; i++)
                if (!name_char(value[i]))
                        return error_set(err, ERROR_INVALID,
                                         "%s '%s' may only contain letters, digits, '.', '_' and '-'", what, safe);
        return 0;
}

char *pki_device_urn(const char *product_model, const char *device_serial) {
        return str_printf(URN_PREFIX "%s:%s", product_model, device_serial);
}

/* http(s) URL without spaces or control characters; the CRL DP is read by
 * every relying party, so a malformed one breaks revocation checking. */
static int crl_url_check(const char *url, struct error *err) {
        size_t n = strlen(url);
        char safe[120];
        str_sanitize(url, n, safe, sizeof(safe));
        if (n > CRL_URL_MAX)
                return error_set(err, ERROR_INVALID, "CRL URL '%s' is longer than %d bytes", safe, CRL_URL_MAX);
        if (!str_startswith(url, "http://") && !str_startswith(url, "https://"))
                return error_set(err, ERROR_INVALID, "CRL URL '%s' is not an http:// or https:// URL", safe);
        for (size_t i = 0; i < n; i++)
                if ((unsigned char) url[i] <= 0x20 || (unsigned char) url[i] >= 0x7f)
                        return error_set(err, ERROR_INVALID, "CRL URL '%s' contains spaces or non-ASCII bytes", safe);
        return 0;
}

int pki_issue_device_cert(const struct crypto_key *ca_key, gnutls_x509_crt_t ca_cert,
                          gnutls_x509_crq_t csr, const struct pki_device_profile *p,
                          gnutls_x509_crt_t *out, struct error *err) {
        static const char what[] = "device certificate";
        if (!p || !csr)
                return error_set(err, ERROR_INVALID, "device certificate: no profile or CSR given");
        if (p->kind != PKI_CERT_BIRTH && p->kind != PKI_CERT_OPERATIONAL)
                return error_set(err, ERROR_INVALID, "device certificate: unknown kind %d", (int) p->kind);
        if (pki_name_check("product model", p->product_model, err) < 0 ||
            pki_name_check("device serial", p->device_serial, err) < 0)
                return -1;
        if (p->crl_url && *p->crl_url && crl_url_check(p->crl_url, err) < 0)
                return -1;
        if (pki_x509_check_issuer(ca_key, ca_cert, err) < 0)
                return error_prefix(err, "device certificate: ");

        _cleanup_(pubkey_freep) gnutls_pubkey_t pub = NULL;
        if (pki_csr_pubkey(csr, &pub, err) < 0)
                return -1;
        if (pki_cert_matches_pubkey(ca_cert, pub))
                return error_set(err, ERROR_INVALID, "device certificate: the CSR uses the CA's own key");

        _cleanup_pki_crt_ gnutls_x509_crt_t crt = NULL;
        GTLS(gnutls_x509_crt_init(&crt), "initialising");
        if (pki_x509_begin(crt, pub, p->validity_days, ca_cert, what, err) < 0)
                return -1;
        /* Encoding order O, serialNumber, CN; RFC 4514 text reads
         * "CN=<serial>,serialNumber=<serial>,O=<model>". */
        GTLS(gnutls_x509_crt_set_dn_by_oid(crt, OID_O, 0, p->product_model, (unsigned) strlen(p->product_model)),
             "setting the organization");
        GTLS(gnutls_x509_crt_set_dn_by_oid(crt, OID_SERIAL, 0, p->device_serial, (unsigned) strlen(p->device_serial)),
             "setting the serial number");
        GTLS(gnutls_x509_crt_set_dn_by_oid(crt, OID_CN, 0, p->device_serial, (unsigned) strlen(p->device_serial)),
             "setting the common name");

        _cleanup_free_ char *urn = pki_device_urn(p->product_model, p->device_serial);
        GTLS(gnutls_x509_crt_set_subject_alt_name(crt, GNUTLS_SAN_URI, urn, (unsigned) strlen(urn), GNUTLS_FSAN_SET),
             "setting subjectAltName");
        GTLS(gnutls_x509_crt_set_basic_constraints(crt, 0, -1), "setting basicConstraints");
        GTLS(gnutls_x509_crt_set_key_usage(crt, GNUTLS_KEY_DIGITAL_SIGNATURE), "setting keyUsage");
        GTLS(gnutls_x509_crt_set_key_purpose_oid(crt, GNUTLS_KP_TLS_WWW_CLIENT, 0), "setting extendedKeyUsage");
        if (p->crl_url && *p->crl_url)
                GTLS(gnutls_x509_crt_set_crl_dist_points(crt, GNUTLS_SAN_URI, p->crl_url, 0),
                     "setting the CRL distribution point");
        if (pki_x509_set_aki(crt, ca_cert, what, err) < 0 || pki_x509_sign(crt, ca_cert, ca_key, what, err) < 0)
                return -1;
        /* Hand out a freshly parsed copy: GnuTLS caches some fields (the SAN)
         * at import, so a just-built object answers some getters wrongly. */
        _cleanup_pki_datum_ gnutls_datum_t der = {0};
        if (pki_cert_export_der(crt, &der, err) < 0)
                return -1;
        return pki_cert_import(der.data, der.size, out, err);
}

int pki_device_cert_identity(gnutls_x509_crt_t crt, char model[PKI_NAME_MAX + 1], char serial[PKI_NAME_MAX + 1],
                             struct error *err) {
        model[0] = serial[0] = '\0';
        for (unsigned i = 0; i < 16; i++) {
                char san[256];
                size_t len = sizeof(san);
                unsigned critical;
                int type = gnutls_x509_crt_get_subject_alt_name(crt, i, san, &len, &critical);
                if (type == GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE)
                        break;
                if (type != GNUTLS_SAN_URI || len != strlen(san) || !str_startswith(san, URN_PREFIX))
                        continue;
                const char *rest = san + strlen(URN_PREFIX);
                const char *colon = strchr(rest, ':');
                if (!colon)
                        continue;
                size_t ml = (size_t) (colon - rest), sl = strlen(colon + 1);
                if (ml == 0 || ml > PKI_NAME_MAX || sl == 0 || sl > PKI_NAME_MAX)
                        continue;
                memcpy(model, rest, ml);
                model[ml] = '\0';
                memcpy(serial, colon + 1, sl + 1);
                if (pki_name_check("product model", model, NULL) < 0 ||
                    pki_name_check("device serial", serial, NULL) < 0) {
                        model[0] = serial[0] = '\0';
                        continue;
                }
                return 0;
        }
        return error_set(err, ERROR_INVALID, "certificate has no urn:cradle:device: subjectAltName");
}

/* SPDX-License-Identifier: Apache-2.0 */
/* Shared X.509 certificate helpers. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include <gnutls/abstract.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "core/cleanup.h"
#include "core/strutil.h"
#include "crypto/encoding.h"
#include "pki/cert.h"
#include "pki/x509-internal.h"

int pki_cert_import(const void *data, size_t len, gnutls_x509_crt_t *out, struct error *err) {
        if (!data || len == 0)
                return error_set(err, ERROR_INVALID, "certificate is empty");
        if (len > PKI_CERT_MAX)
                return error_set(err, ERROR_TOO_LARGE, "certificate is too large (%zu bytes, at most %d)", len,
                                 PKI_CERT_MAX);
        gnutls_x509_crt_t crt;
        int rc = gnutls_x509_crt_init(&crt);
        if (rc < 0)
                return error_set(err, ERROR_CRYPTO, "certificate: %s", gnutls_strerror(rc));
        gnutls_datum_t d = {(unsigned char *) data, (unsigned) len};
        bool pem = pki_x509_is_pem(data, len);
        rc = gnutls_x509_crt_import(crt, &d, pem ? GNUTLS_X509_FMT_PEM : GNUTLS_X509_FMT_DER);
        if (rc < 0) {
                gnutls_x509_crt_deinit(crt);
                return error_set(err, ERROR_INVALID, "certificate (%s) does not parse: %s", pem ? "PEM" : "DER",
                                 gnutls_strerror(rc));
        }
        *out = crt;
        return 0;
}

char *pki_cert_export_pem(gnutls_x509_crt_t crt, struct error *err) {
        gnutls_datum_t d = {0};
        int rc = gnutls_x509_crt_export2(crt, GNUTLS_X509_FMT_PEM, &d);
        if (rc < 0) {
                error_set(err, ERROR_CRYPTO, "cannot export a certificate: %s", gnutls_strerror(rc));
                return NULL;
        }
        char *s = xmalloc(d.size + 1);
        memcpy(s, d.data, d.size);
        s[d.size] = '\0';
        gnutls_free(d.data);
        return s;
}

int pki_cert_export_der(gnutls_x509_crt_t crt, gnutls_datum_t *out, struct error *err) {
        int rc = gnutls_x509_crt_export2(crt, GNUTLS_X509_FMT_DER, out);
        if (rc < 0)
                return error_set(err, ERROR_CRYPTO, "cannot export a certificate: %s", gnutls_strerror(rc));
        return 0;
}

int pki_cert_serial_hex(gnutls_x509_crt_t crt, char out[41]) {
        uint8_t serial[40];
        size_t len = sizeof(serial);
        out[0] = '\0';
        if (gnutls_x509_crt_get_serial(crt, serial, &len) < 0)
                return -1;
        /* RFC 5280 caps serials at 20 octets. */
        if (len == 0 || len > 20)
                return -1;
        hex_encode(serial, len, out);
        return 0;
}

int pki_cert_fingerprint_sha256(gnutls_x509_crt_t crt, char out[65]) {
        uint8_t fp[32];
        size_t len = sizeof(fp);
        out[0] = '\0';
        if (gnutls_x509_crt_get_fingerprint(crt, GNUTLS_DIG_SHA256, fp, &len) < 0 || len != sizeof(fp))
                return -1;
        hex_encode(fp, len, out);
        return 0;
}

void pki_datum_array_free(gnutls_datum_t *a, size_t n) {
        if (!a)
                return;
        for (size_t i = 0; i < n; i++)
                gnutls_free(a[i].data);
        free(a);
}

int pki_cert_bundle_to_der(const void *data, size_t len, size_t max, gnutls_datum_t **out, size_t *n,
                           struct error *err) {
        *out = NULL;
        *n = 0;
        if (!data || len == 0)
                return error_set(err, ERROR_INVALID, "certificate bundle is empty");
        if (len > PKI_CERT_MAX * (max ? max : 1))
                return error_set(err, ERROR_TOO_LARGE, "certificate bundle is too large (%zu bytes)", len);
        if (!pki_x509_is_pem(data, len)) {
                gnutls_x509_crt_t crt;
                if (pki_cert_import(data, len, &crt, err) < 0)
                        return -1;
                gnutls_datum_t *a = xcalloc(1, sizeof(*a));
                int rc = gnutls_x509_crt_export2(crt, GNUTLS_X509_FMT_DER, &a[0]);
                gnutls_x509_crt_deinit(crt);
                if (rc < 0) {
                        free(a);
                        return error_set(err, ERROR_CRYPTO, "cannot export a certificate: %s",
                                         gnutls_strerror(rc));
                }
                *out = a;
                *n = 1;
                return 0;
        }
        gnutls_x509_crt_t *crts = NULL;
        unsigned count = 0;
        gnutls_datum_t d = {(unsigned char *) data, (unsigned) len};
        int rc = gnutls_x509_crt_list_import2(&crts, &count, &d, GNUTLS_X509_FMT_PEM,
                                              0);
        if (rc < 0)
                return error_set(err, ERROR_INVALID, "certificate bundle does not parse: %s", gnutls_strerror(rc));
        if (count == 0 || (max && count > max)) {
                for (unsigned i = 0; i < count; i++)
                        gnutls_x509_crt_deinit(crts[i]);
                gnutls_free(crts);
                if (count == 0)
                        return error_set(err, ERROR_INVALID, "certificate bundle holds no certificate");
                return error_set(err, ERROR_TOO_LARGE, "certificate bundle holds %u certificates (at most %zu)",
                                 count, max);
        }
        gnutls_datum_t *a = xcalloc(count, sizeof(*a));
        int ret = 0;
        for (unsigned i = 0; i < count; i++) {
                if (ret == 0) {
                        rc = gnutls_x509_crt_export2(crts[i], GNUTLS_X509_FMT_DER, &a[i]);
                        if (rc < 0)
                                ret = error_set(err, ERROR_CRYPTO, "cannot export a certificate: %s",
                                                gnutls_strerror(rc));
                }
                gnutls_x509_crt_deinit(crts[i]);
        }
        gnutls_free(crts);
        if (ret < 0) {
                pki_datum_array_free(a, count);
                return -1;
        }
        *out = a;
        *n = count;
        return 0;
}

int pki_serial_hex_normalize(const char *in, char out[41], struct error *err) {
        size_t o = 0;
        out[0] = '\0';
        if (!in)
                return error_set(err, ERROR_INVALID, "certificate serial is empty");
        for (const char *p = in; *p; p++) {
                if (*p == ':')
                        continue;
                if (!isxdigit((unsigned char) *p) || o >= 40) {
                        char safe[64];
                        str_sanitize(in, strlen(in), safe, sizeof(safe));
                        out[0] = '\0';
                        return error_set(err, ERROR_INVALID,
                                         "certificate serial '%s' is not hexadecimal of at most 20 bytes", safe);
                }
                out[o++] = (char) tolower((unsigned char) *p);
        }
        out[o] = '\0';
        if (o == 0 || o % 2) {
                out[0] = '\0';
                return error_set(err, ERROR_INVALID, "certificate serial must be an even, non-zero number of "
                                                     "hex digits");
        }
        return 0;
}

bool pki_cert_matches_pubkey(gnutls_x509_crt_t crt, gnutls_pubkey_t pub) {
        uint8_t a[64], b[64];
        size_t la = sizeof(a), lb = sizeof(b);
        if (gnutls_x509_crt_get_key_id(crt, GNUTLS_KEYID_USE_SHA256, a, &la) < 0 ||
            gnutls_pubkey_get_key_id(pub, GNUTLS_KEYID_USE_SHA256, b, &lb) < 0)
                return false;
        return la == lb && memcmp(a, b, la) == 0;
}

bool pki_cert_is_ca(gnutls_x509_crt_t crt) {
        unsigned critical = 0;
        return gnutls_x509_crt_get_basic_constraints(crt, &critical, NULL, NULL) > 0;
}

int pki_cert_subject_serial(gnutls_x509_crt_t crt, char *out, size_t out_size) {
        uint8_t raw[256];
        size_t len = sizeof(raw);
        out[0] = '\0';
        int rc = gnutls_x509_crt_get_dn_by_oid(crt, "2.5.4.5", 0, 1, raw, &len);
        if (rc == GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE)
                return 0;
        if (rc < 0)
                return -1;
        return pki_x509_dirstring(raw, len, out, out_size) < 0 ? -1 : 0;
}

int pki_cert_chain_order(gnutls_datum_t *certs, size_t n, struct error *err) {
        enum { MAX = 16 };
        if (n == 0)
                return error_set(err, ERROR_INVALID, "no certificates to order");
        if (n > MAX)
                return error_set(err, ERROR_INVALID, "too many certificates to order (%zu, at most %d)", n, MAX);
        gnutls_x509_crt_t crts[MAX] = {0};
        int ret = 0;
        for (size_t i = 0; i < n && ret == 0; i++)
                ret = pki_cert_import(certs[i].data, certs[i].size, &crts[i], err);
        if (ret < 0)
                goto out;
        /* The leaf issues none of the others. */
        size_t leaf = n;
        for (size_t i = 0; i < n; i++) {
                bool issues = false;
                for (size_t j = 0; j < n && !issues; j++)
                        issues = i != j && gnutls_x509_crt_check_issuer(crts[j], crts[i]);
                if (!issues) {
                        if (leaf != n) {
                                ret = error_set(err, ERROR_INVALID, "certificates do not form a single chain");
                                goto out;
                        }
                        leaf = i;
                }
        }
        if (leaf == n) {
                ret = error_set(err, ERROR_INVALID, "certificates do not form a single chain (a loop)");
                goto out;
        }
        size_t order[MAX];
        bool used[MAX] = {false};
        order[0] = leaf;
        used[leaf] = true;
        for (size_t k = 1; k < n; k++) {
                size_t next = n;
                for (size_t j = 0; j < n && next == n; j++)
                        if (!used[j] && gnutls_x509_crt_check_issuer(crts[order[k - 1]], crts[j]))
                                next = j;
                if (next == n) {
                        ret = error_set(err, ERROR_INVALID, "certificates do not form a single chain");
                        goto out;
                }
                order[k] = next;
                used[next] = true;
        }
        gnutls_datum_t sorted[MAX];
        for (size_t k = 0; k < n; k++)
                sorted[k] = certs[order[k]];
        memcpy(certs, sorted, n * sizeof(*certs));
out:
        for (size_t i = 0; i < n; i++)
                if (crts[i])
                        gnutls_x509_crt_deinit(crts[i]);
        return ret;
}

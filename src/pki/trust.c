/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Device chain verification. GnuTLS checks signatures, CA flags, path
 * length constraints, key usage and the clientAuth purpose; it cannot verify
 * at a caller-given time, so its time checks are switched off and every
 * certificate on the path (anchor included) is checked against `now` here.
 * That keeps the verdict reproducible in tests and lets the server use one
 * clock for the whole request.
 */
#include <stdlib.h>
#include <string.h>

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "core/cleanup.h"
#include "core/strutil.h"
#include "core/time.h"
#include "pki/cert.h"
#include "pki/trust.h"

#define TRUST_MAX_ANCHORS 1024

struct pki_trust {
        gnutls_x509_trust_list_t tl;
        size_t count;
};

int pki_trust_new(struct pki_trust **out, struct error *err) {
        struct pki_trust *t = xcalloc(1, sizeof(*t));
        int rc = gnutls_x509_trust_list_init(&t->tl, 0);
        if (rc < 0) {
                free(t);
                return error_set(err, ERROR_CRYPTO, "trust list: %s", gnutls_strerror(rc));
        }
        *out = t;
        return 0;
}

void pki_trust_free(struct pki_trust *t) {
        if (!t)
                return;
        gnutls_x509_trust_list_deinit(t->tl, 1);
        free(t);
}

size_t pki_trust_count(const struct pki_trust *t) {
        return t->count;
}

static void subject_cn(gnutls_x509_crt_t crt, char *out, size_t out_size) {
        size_t len = out_size;
        if (gnutls_x509_crt_get_dn_by_oid(crt, GNUTLS_OID_X520_COMMON_NAME, 0, 0, out, &len) < 0) {
                snprintf(out, out_size, "(no common name)");
                return;
        }
        char safe[96];
        str_sanitize(out, strlen(out), safe, sizeof(safe));
        snprintf(out, out_size, "%s", safe);
}

int pki_trust_add_pem(struct pki_trust *t, const char *pem, struct error *err) {
        if (!pem || !*pem)
                return error_set(err, ERROR_INVALID, "trust: no CA certificate given");
        size_t len = strlen(pem);
        if (len > (size_t) PKI_CERT_MAX * 64)
                return error_set(err, ERROR_TOO_LARGE, "trust: CA bundle is too large (%zu bytes)", len);
        gnutls_x509_crt_t *crts = NULL;
        unsigned n = 0;
        gnutls_datum_t d = {(unsigned char *) pem, (unsigned) len};
        int rc = gnutls_x509_crt_list_import2(&crts, &n, &d, GNUTLS_X509_FMT_PEM, 0);
        if (rc < 0)
                return error_set(err, ERROR_INVALID, "trust: CA bundle does not parse: %s", gnutls_strerror(rc));
        int ret = 0;
        if (n == 0)
                ret = error_set(err, ERROR_INVALID, "trust: CA bundle holds no certificate");
        else if (t->count + n > TRUST_MAX_ANCHORS)
                ret = error_set(err, ERROR_TOO_LARGE, "trust: more than %d CA certificates", TRUST_MAX_ANCHORS);
        for (unsigned i = 0; ret == 0 && i < n; i++)
                if (!pki_cert_is_ca(crts[i])) {
                        char cn[128];
                        subject_cn(crts[i], cn, sizeof(cn));
                        ret = error_set(err, ERROR_INVALID, "trust: certificate '%s' is not a CA certificate", cn);
                }
        if (ret == 0) {
                /* The list takes ownership of the certificates. */
                rc = gnutls_x509_trust_list_add_cas(t->tl, crts, n, 0);
                if (rc < 0)
                        ret = error_set(err, ERROR_CRYPTO, "trust: cannot add CA certificates: %s",
                                        gnutls_strerror(rc));
                else
                        t->count += (size_t) rc;
                /* add_cas took all of them (also on a short count). */
                gnutls_free(crts);
                return ret;
        }
        for (unsigned i = 0; i < n; i++)
                gnutls_x509_crt_deinit(crts[i]);
        gnutls_free(crts);
        return ret;
}

/* Maps GnuTLS status bits to one message a person can act on, most telling
 * problem first. */
static int status_error(unsigned status, struct error *err) {
        static const struct {
                unsigned bit;
                const char *msg;
        } map[] = {
                {GNUTLS_CERT_SIGNER_NOT_FOUND, "certificate is not signed by a known device CA"},
                {GNUTLS_CERT_SIGNATURE_FAILURE, "certificate signature does not verify"},
                {GNUTLS_CERT_SIGNER_NOT_CA, "certificate issuer is not a CA"},
                {GNUTLS_CERT_SIGNER_CONSTRAINTS_FAILURE,
                 "certificate issuer may not issue it (CA path length or key usage constraints)"},
                {GNUTLS_CERT_INSECURE_ALGORITHM, "certificate uses an insecure signature algorithm"},
                {GNUTLS_CERT_PURPOSE_MISMATCH, "certificate is not for TLS client authentication"},
                {GNUTLS_CERT_REVOKED, "certificate revoked"},
                {GNUTLS_CERT_EXPIRED, "certificate expired"},
                {GNUTLS_CERT_NOT_ACTIVATED, "certificate is not yet valid"},
                {GNUTLS_CERT_UNEXPECTED_OWNER, "certificate owner is unexpected"},
        };
        for (size_t i = 0; i < ELEMENTSOF(map); i++)
                if (status & map[i].bit)
                        return error_set(err, ERROR_UNAUTHENTICATED, "%s", map[i].msg);
        gnutls_datum_t msg = {0};
        if (gnutls_certificate_verification_status_print(status, GNUTLS_CRT_X509, &msg, 0) >= 0) {
                error_set(err, ERROR_UNAUTHENTICATED, "certificate chain does not verify: %s", msg.data);
                gnutls_free(msg.data);
                return -1;
        }
        return error_set(err, ERROR_UNAUTHENTICATED, "certificate chain does not verify (status 0x%x)", status);
}

static int check_time(gnutls_x509_crt_t crt, bool leaf, int64_t now, struct error *err) {
        time_t start = gnutls_x509_crt_get_activation_time(crt);
        time_t end = gnutls_x509_crt_get_expiration_time(crt);
        char when[TIME_RFC3339_LEN], cn[128];
        if (start == (time_t) -1 || end == (time_t) -1)
                return error_set(err, ERROR_UNAUTHENTICATED, "certificate validity cannot be read");
        if (now > (int64_t) end) {
                time_format_rfc3339((int64_t) end, when);
                if (leaf)
                        return error_set(err, ERROR_UNAUTHENTICATED, "certificate expired at %s", when);
                subject_cn(crt, cn, sizeof(cn));
                return error_set(err, ERROR_UNAUTHENTICATED, "issuing CA certificate '%s' expired at %s", cn, when);
        }
        if (now < (int64_t) start) {
                time_format_rfc3339((int64_t) start, when);
                if (leaf)
                        return error_set(err, ERROR_UNAUTHENTICATED, "certificate is not yet valid (valid from %s)",
                                         when);
                subject_cn(crt, cn, sizeof(cn));
                return error_set(err, ERROR_UNAUTHENTICATED, "issuing CA certificate '%s' is not yet valid (from %s)",
                                 cn, when);
        }
        return 0;
}

static void crt_array_free(gnutls_x509_crt_t *crts, size_t n) {
        for (size_t i = 0; i < n; i++)
                if (crts[i])
                        gnutls_x509_crt_deinit(crts[i]);
}

static int verify(struct pki_trust *t, gnutls_x509_crt_t *crts, size_t n, int64_t now, struct error *err) {
        for (size_t i = 0; i + 1 < n; i++)
                if (!gnutls_x509_crt_check_issuer(crts[i], crts[i + 1]))
                        return error_set(err, ERROR_UNAUTHENTICATED,
                                         "certificate chain is not in order (certificate %zu does not issue "
                                         "certificate %zu)", i + 2, i + 1);
        if (pki_cert_is_ca(crts[0]))
                return error_set(err, ERROR_UNAUTHENTICATED, "certificate is a CA certificate, not a device's");

        /* Find where the presented chain meets the trust list, to bound the
         * path length before any signature is checked. */
        gnutls_x509_crt_t anchor = NULL;
        size_t last = 0, path = 0;
        for (size_t i = 0; i < n && !anchor; i++) {
                gnutls_x509_crt_t issuer = NULL;
                if (gnutls_x509_trust_list_get_issuer(t->tl, crts[i], &issuer, GNUTLS_TL_GET_COPY) >= 0 && issuer) {
                        anchor = issuer;
                        last = i;
                        path = i + 1 + (gnutls_x509_crt_equals(issuer, crts[i]) ? 0 : 1);
                }
        }
        if (!anchor)
                return error_set(err, ERROR_UNAUTHENTICATED, "certificate is not signed by a known device CA");
        int ret = 0;
        if (path > PKI_TRUST_MAX_CHAIN) {
                ret = error_set(err, ERROR_UNAUTHENTICATED, "certificate chain too long (%zu certificates to the "
                                                            "trust anchor, at most %d)", path, PKI_TRUST_MAX_CHAIN);
                goto out;
        }

        gnutls_typed_vdata_st purpose = {
                .type = GNUTLS_DT_KEY_PURPOSE_OID,
                .data = (void *) GNUTLS_KP_TLS_WWW_CLIENT,
                .size = 0,
        };
        unsigned status = 0;
        unsigned flags = GNUTLS_VERIFY_DISABLE_TIME_CHECKS | GNUTLS_VERIFY_DISABLE_TRUSTED_TIME_CHECKS |
                         GNUTLS_VERIFY_DO_NOT_ALLOW_UNSORTED_CHAIN;
        int rc = gnutls_x509_trust_list_verify_crt2(t->tl, crts, (unsigned) n, &purpose, 1, flags, &status, NULL);
        if (rc < 0) {
                ret = error_set(err, ERROR_UNAUTHENTICATED, "certificate chain cannot be verified: %s",
                                gnutls_strerror(rc));
                goto out;
        }
        if (status) {
                ret = status_error(status, err);
                goto out;
        }
        for (size_t i = 0; i <= last; i++)
                if ((ret = check_time(crts[i], i == 0, now, err)) < 0)
                        goto out;
        ret = check_time(anchor, false, now, err);
out:
        gnutls_x509_crt_deinit(anchor);
        return ret;
}

int pki_trust_verify_chain(struct pki_trust *t, const gnutls_datum_t *chain, size_t n, int64_t now,
                           struct error *err) {
        if (!t)
                return error_set(err, ERROR_INTERNAL, "trust: no trust list");
        if (n == 0 || !chain)
                return error_set(err, ERROR_UNAUTHENTICATED, "no client certificate presented");
        if (n > PKI_TRUST_MAX_CHAIN)
                return error_set(err, ERROR_UNAUTHENTICATED,
                                 "certificate chain too long (%zu certificates, at most %d)", n, PKI_TRUST_MAX_CHAIN);
        gnutls_x509_crt_t crts[PKI_TRUST_MAX_CHAIN] = {0};
        int ret = 0;
        for (size_t i = 0; i < n && ret == 0; i++) {
                if (!chain[i].data || chain[i].size == 0 || chain[i].size > PKI_CERT_MAX) {
                        ret = error_set(err, ERROR_UNAUTHENTICATED, "certificate %zu of the chain is empty or too large",
                                        i + 1);
                        break;
                }
                int rc = gnutls_x509_crt_init(&crts[i]);
                if (rc >= 0)
                        rc = gnutls_x509_crt_import(crts[i], &chain[i], GNUTLS_X509_FMT_DER);
                if (rc < 0)
                        ret = error_set(err, ERROR_UNAUTHENTICATED, "certificate %zu of the chain does not parse: %s",
                                        i + 1, gnutls_strerror(rc));
        }
        if (ret == 0)
                ret = verify(t, crts, n, now, err);
        crt_array_free(crts, n);
        return ret;
}

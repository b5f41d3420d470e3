/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The local CA `cradled init` creates: enough PKI for HTTPS on the first start,
 * not a device CA. Everything is generated in memory first and only then
 * written, so a failure (a bad extra name, a crypto error) leaves no files.
 */
#include <arpa/inet.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <string.h>
#include <time.h>
#include "core/cleanup.h"
#include "core/fileio.h"
#include "core/time.h"
#include "crypto/ct.h"
#include "crypto/random.h"
#include "pki/localca.h"

#define CA_DAYS (10 * 365 + 3)
#define SERVER_DAYS (2 * 365)
#define BACKDATE 300 /* seconds; tolerates a little clock skew between hosts */
#define DNS_NAME_MAX 253

static void privkey_freep(gnutls_x509_privkey_t *k) {
        if (*k)
                gnutls_x509_privkey_deinit(*k);
}
static void crt_freep(gnutls_x509_crt_t *c) {
        if (*c)
                gnutls_x509_crt_deinit(*c);
}
static void datum_freep(gnutls_datum_t *d) {
        if (d->data)
                gnutls_free(d->data);
}
static void datum_secret_freep(gnutls_datum_t *d) {
        if (d->data) {
                ct_wipe(d->data, d->size);
                gnutls_free(d->data);
        }
}
#define _cleanup_privkey_ __attribute__((cleanup(privkey_freep)))
#define _cleanup_crt_ __attribute__((cleanup(crt_freep)))
#define _cleanup_datum_ __attribute__((cleanup(datum_freep)))
#define _cleanup_datum_secret_ __attribute__((cleanup(datum_secret_freep)))

static int gtls_fail(struct error *err, int rc, const char *what) {
        return error_set(err, ERROR_CRYPTO, "local CA: %s: %s", what, gnutls_strerror(rc));
}
#define GTLS(call, what)                                        \
        do {                                                    \
                int _rc = (call);                               \
                if (_rc < 0)                                    \
                        return gtls_fail(err, _rc, (what));     \
        } while (0)

static int key_generate(gnutls_x509_privkey_t *out, struct error *err) {
        GTLS(gnutls_x509_privkey_init(out), "initialising a key");
        GTLS(gnutls_x509_privkey_generate(*out, GNUTLS_PK_ECDSA,
                                          GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP256R1), 0),
             "generating an ECDSA P-256 key");
        return 0;
}

/* Common to both certificates: v3, a random positive 128-bit serial, validity,
 * subject, public key, subject key identifier. */
static int crt_base(gnutls_x509_crt_t crt, gnutls_x509_privkey_t key, const char *dn, int days,
                    struct error *err) {
        uint8_t serial[16];
        if (random_bytes(serial, sizeof(serial), err) < 0)
                return -1;
        serial[0] &= 0x7f; /* DER INTEGER stays positive */
        serial[0] |= 0x40; /* and keeps all 16 bytes (no leading zero) */
        time_t now = (time_t) time_now();
        const char *bad = NULL;
        GTLS(gnutls_x509_crt_set_version(crt, 3), "setting the version");
        GTLS(gnutls_x509_crt_set_serial(crt, serial, sizeof(serial)), "setting the serial");
        GTLS(gnutls_x509_crt_set_activation_time(crt, now - BACKDATE), "setting the start time");
        GTLS(gnutls_x509_crt_set_expiration_time(crt, now + (time_t) days * 86400), "setting the end time");
        GTLS(gnutls_x509_crt_set_dn(crt, dn, &bad), "setting the subject");
        GTLS(gnutls_x509_crt_set_key(crt, key), "setting the public key");
        uint8_t kid[64];
        size_t kid_len = sizeof(kid);
        GTLS(gnutls_x509_crt_get_key_id(crt, GNUTLS_KEYID_USE_SHA1, kid, &kid_len), "computing the key id");
        GTLS(gnutls_x509_crt_set_subject_key_id(crt, kid, kid_len), "setting the subject key id");
        return 0;
}

static int ca_create(gnutls_x509_crt_t *crt, gnutls_x509_privkey_t key, struct error *err) {
        GTLS(gnutls_x509_crt_init(crt), "initialising the CA certificate");
        if (crt_base(*crt, key, "CN=Cradle local CA", CA_DAYS, err) < 0)
                return -1;
        GTLS(gnutls_x509_crt_set_basic_constraints(*crt, 1, 0), "setting basicConstraints");
        GTLS(gnutls_x509_crt_set_key_usage(*crt, GNUTLS_KEY_KEY_CERT_SIGN | GNUTLS_KEY_CRL_SIGN),
             "setting keyUsage");
        GTLS(gnutls_x509_crt_sign2(*crt, *crt, key, GNUTLS_DIG_SHA256, 0), "self-signing the CA");
        return 0;
}

static bool dns_name_valid(const char *s) {
        size_t n = strlen(s);
        if (n == 0 || n > DNS_NAME_MAX || s[0] == '.' || s[0] == '-' || s[n - 1] == '.')
                return false;
        size_t label = 0;
        for (size_t i = 0; i < n; i++) {
                char c = s[i];
                if (c == '.') {
                        if (label == 0)
                                return false;
                        label = 0;
                        continue;
                }
                bool wildcard = c == '*' && i == 0 && s[1] == '.';
                if (!wildcard && !((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                                   (c >= '0' && c <= '9') || c == '-'))
                        return false;
                if (++label > 63)
                        return false;
        }
        return true;
}

static int san_add(gnutls_x509_crt_t crt, const char *name, struct error *err) {
        unsigned char ip[16];
        if (inet_pton(AF_INET, name, ip) == 1) {
                GTLS(gnutls_x509_crt_set_subject_alt_name(crt, GNUTLS_SAN_IPADDRESS, ip, 4, GNUTLS_FSAN_APPEND),
                     "adding an IP address to subjectAltName");
                return 0;
        }
        if (inet_pton(AF_INET6, name, ip) == 1) {
                GTLS(gnutls_x509_crt_set_subject_alt_name(crt, GNUTLS_SAN_IPADDRESS, ip, 16, GNUTLS_FSAN_APPEND),
                     "adding an IP address to subjectAltName");
                return 0;
        }
        if (!dns_name_valid(name))
                return error_set(err, ERROR_INVALID, "server name '%.100s' is neither an IP address nor a DNS name",
                                 name);
        GTLS(gnutls_x509_crt_set_subject_alt_name(crt, GNUTLS_SAN_DNSNAME, name, (unsigned) strlen(name),
                                                  GNUTLS_FSAN_APPEND),
             "adding a DNS name to subjectAltName");
        return 0;
}

static int server_create(gnutls_x509_crt_t *crt, gnutls_x509_privkey_t key, gnutls_x509_crt_t ca,
                         gnutls_x509_privkey_t ca_key, const char *const *extra_names, struct error *err) {
        GTLS(gnutls_x509_crt_init(crt), "initialising the server certificate");
        if (crt_base(*crt, key, "CN=localhost", SERVER_DAYS, err) < 0)
                return -1;
        static const char *const defaults[] = {"localhost", "127.0.0.1", "::1"};
        for (size_t i = 0; i < ELEMENTSOF(defaults); i++)
                if (san_add(*crt, defaults[i], err) < 0)
                        return -1;
        for (size_t i = 0; extra_names && extra_names[i]; i++) {
                bool dup = false;
                for (size_t k = 0; k < ELEMENTSOF(defaults); k++)
                        dup = dup || strcmp(extra_names[i], defaults[k]) == 0;
                if (!dup && san_add(*crt, extra_names[i], err) < 0)
                        return -1;
        }
        GTLS(gnutls_x509_crt_set_basic_constraints(*crt, 0, -1), "setting basicConstraints");
        GTLS(gnutls_x509_crt_set_key_usage(*crt, GNUTLS_KEY_DIGITAL_SIGNATURE), "setting keyUsage");
        GTLS(gnutls_x509_crt_set_key_purpose_oid(*crt, GNUTLS_KP_TLS_WWW_SERVER, 0), "setting extendedKeyUsage");
        uint8_t kid[64];
        size_t kid_len = sizeof(kid);
        unsigned critical;
        GTLS(gnutls_x509_crt_get_subject_key_id(ca, kid, &kid_len, &critical), "reading the CA key id");
        GTLS(gnutls_x509_crt_set_authority_key_id(*crt, kid, kid_len), "setting the authority key id");
        GTLS(gnutls_x509_crt_sign2(*crt, ca, ca_key, GNUTLS_DIG_SHA256, 0), "signing the server certificate");
        return 0;
}

static int crt_pem(gnutls_x509_crt_t crt, gnutls_datum_t *out, struct error *err) {
        GTLS(gnutls_x509_crt_export2(crt, GNUTLS_X509_FMT_PEM, out), "exporting a certificate");
        return 0;
}

static int key_pem(gnutls_x509_privkey_t key, gnutls_datum_t *out, struct error *err) {
        GTLS(gnutls_x509_privkey_export2_pkcs8(key, GNUTLS_X509_FMT_PEM, NULL, GNUTLS_PKCS_PLAIN, out),
             "exporting a key");
        return 0;
}

int pki_localca_create(const struct pki_localca_paths *paths, const char *const *extra_names,
                       struct error *err) {
        if (!paths || !paths->ca_cert || !paths->ca_key || !paths->server_cert || !paths->server_key)
                return error_set(err, ERROR_INVALID, "local CA: all four file paths are required");
        _cleanup_privkey_ gnutls_x509_privkey_t ca_key = NULL, srv_key = NULL;
        _cleanup_crt_ gnutls_x509_crt_t ca = NULL, srv = NULL;
        if (key_generate(&ca_key, err) < 0 || ca_create(&ca, ca_key, err) < 0 ||
            key_generate(&srv_key, err) < 0 ||
            server_create(&srv, srv_key, ca, ca_key, extra_names, err) < 0)
                return -1;

        _cleanup_datum_ gnutls_datum_t ca_pem = {0}, srv_pem = {0};
        _cleanup_datum_secret_ gnutls_datum_t ca_key_pem = {0}, srv_key_pem = {0};
        if (crt_pem(ca, &ca_pem, err) < 0 || crt_pem(srv, &srv_pem, err) < 0 ||
            key_pem(ca_key, &ca_key_pem, err) < 0 || key_pem(srv_key, &srv_key_pem, err) < 0)
                return -1;

        /* Keys before certificates: a certificate on disk always has its key. */
        if (file_write_atomic(paths->ca_key, ca_key_pem.data, ca_key_pem.size, 0600, err) < 0 ||
            file_write_atomic(paths->server_key, srv_key_pem.data, srv_key_pem.size, 0600, err) < 0 ||
            file_write_atomic(paths->ca_cert, ca_pem.data, ca_pem.size, 0644, err) < 0 ||
            file_write_atomic(paths->server_cert, srv_pem.data, srv_pem.size, 0644, err) < 0)
                return -1;
        return 0;
}

/* SPDX-License-Identifier: Apache-2.0 */
/* Encrypted images in the director: which key a device's content keys are
 * wrapped to (docs/ota.md, "Encrypted payloads"). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gnutls/x509.h>

#include "core/cleanup.h"
#include "crypto/encoding.h"
#include "crypto/hash.h"
#include "crypto/ota-wrap.h"
#include "director/internal.h"
#include "pki/cert.h"

bool director_release_encrypted(const struct director_release *r) {
        for (size_t i = 0; i < r->n_images; i++)
                if (r->images[i].encrypted)
                        return true;
        return false;
}

/* The wrap key in a device's certificate (`pem`; NULL: it has no valid one). */
static int cert_wrap_key(const char *serial, const char *pem, gnutls_pubkey_t *out, char fp[65], struct error *err) {
        *out = NULL;
        if (!pem)
                return error_set(err, ERROR_CONFLICT,
                                 "device %s has no valid certificate, so no key to wrap an encrypted release's "
                                 "content key to",
                                 serial);
        int rc = -1;
        gnutls_x509_crt_t crt = NULL;
        gnutls_pubkey_t pub = NULL;
        if (pki_cert_import(pem, strlen(pem), &crt, err) < 0)
                goto out;
        if (gnutls_pubkey_init(&pub) < 0 || gnutls_pubkey_import_x509(pub, crt, 0) < 0) {
                error_set(err, ERROR_CRYPTO, "device %s: cannot read the key of its certificate", serial);
                goto out;
        }
        char why[160];
        if (!ota_wrap_pubkey_usable(pub, why, sizeof(why))) {
                error_set(err, ERROR_CONFLICT, "device %s cannot receive encrypted releases: its key is %s", serial,
                          why);
                goto out;
        }
        gnutls_datum_t der = { 0 };
        if (gnutls_pubkey_export2(pub, GNUTLS_X509_FMT_DER, &der) < 0) {
                error_set(err, ERROR_CRYPTO, "device %s: cannot export its public key", serial);
                goto out;
        }
        hash_sha256_hex(der.data, der.size, fp);
        gnutls_free(der.data);
        *out = pub;
        pub = NULL;
        rc = 0;
out:
        if (pub)
                gnutls_pubkey_deinit(pub);
        if (crt)
                gnutls_x509_crt_deinit(crt);
        return rc;
}

int director_device_wrap_key(struct store *s, const struct store_device *d, gnutls_pubkey_t *out, char fp[65],
                             struct error *err) {
        struct store_certificate *certs = NULL;
        size_t n = 0;
        *out = NULL;
        if (store_certificate_list_by_device(s, d->id, &certs, &n, err) < 0)
                return -1;
        /* Newest first: the first valid one is the key the device uses now. */
        const struct store_certificate *c = NULL;
        for (size_t i = 0; i < n && !c; i++)
                if (certs[i].status == STORE_CERT_VALID && certs[i].pem)
                        c = &certs[i];
        int rc = cert_wrap_key(d->serial, c ? c->pem : NULL, out, fp, err);
        store_certificate_list_free(certs, n);
        return rc;
}

int director_device_cert_wrappable(const char *serial, const char *pem, struct error *err) {
        gnutls_pubkey_t pub = NULL;
        char fp[SHA256_HEX_LEN];
        if (cert_wrap_key(serial, pem, &pub, fp, err) < 0)
                return -1;
        gnutls_pubkey_deinit(pub);
        return 0;
}

int director_release_has_encrypted_image(struct store *s, int64_t release_id, bool *out, struct error *err) {
        _cleanup_release_ struct director_release rel = { 0 };
        if (director_release_load(s, release_id, &rel, err) < 0)
                return -1;
        *out = director_release_encrypted(&rel);
        return 0;
}

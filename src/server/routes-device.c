/* SPDX-License-Identifier: Apache-2.0 */
/*
 * /device/v1: the API devices call themselves.
 *   GET  /device/v1/whoami   (mTLS) the device's record and the certificate
 *                            it authenticated with
 *   POST /device/v1/claim    (public, rate limited per source) migration of a
 *                            fielded device off the shared fleet credential:
 *                            {product, serial, batch, shared_credential,
 *                             device_secret, csr (base64 DER)}
 *                            -> {certificate (PEM), chain (PEM)}
 */
#include <gnutls/gnutls.h>
#include <stdlib.h>
#include <string.h>

#include "core/cleanup.h"
#include "core/log.h"
#include "ddi/ddi.h"
#include "core/json.h"
#include "core/strutil.h"
#include "identity/device-ca.h"
#include "identity/devices.h"
#include "identity/migrate.h"
#include "identity/peer.h"
#include "pki/cert.h"
#include "pki/csr.h"
#include "pki/pkcs7.h"
#include "route-io.h"
#include "routes.h"

int routes_device_whoami(struct route_ctx *ctx, struct http_response *resp, struct error *err) {
        const struct identity_device_peer *peer = ctx->device;
        struct store *s = route_store(ctx, err);
        _cleanup_json_ json_t *dev = NULL;
        /* The device sees the certificate it came with, not its whole history. */
        if (!s || identity_device_whoami(s, peer->serial, peer->cert_serial, &dev, err) < 0)
                return -1;
        if (json_is_null(json_object_get(dev, "certificate")))
                json_object_set_new(dev, "certificate",
                                    json_pack("{s:s, s:s}", "serial", peer->cert_serial, "kind",
                                              peer->kind == PKI_CERT_BIRTH ? "birth" : "operational"));
        route_respond_json(resp, 200, dev);
        return 0;
}

#define CLAIM_SECRET_MAX 512

static const struct cr_json_field claim_fields[] = {
        { .name = "product", .type = CR_JSON_STRING, .required = true, .max_len = 64 },
        { .name = "serial", .type = CR_JSON_STRING, .required = true, .max_len = 64 },
        { .name = "batch", .type = CR_JSON_STRING, .required = true, .max_len = 64 },
        { .name = "shared_credential", .type = CR_JSON_STRING, .required = true, .max_len = CLAIM_SECRET_MAX },
        { .name = "device_secret", .type = CR_JSON_STRING, .required = true, .max_len = 128 },
        /* base64 of at most PKI_CSR_MAX_DER bytes, with line breaks */
        { .name = "csr", .type = CR_JSON_STRING, .required = true, .max_len = 32768 },
        /* true: also a hawkBit DDI TargetToken, for a client that cannot use the certificate yet */
        { .name = "ddi_token", .type = CR_JSON_BOOL },
};

int routes_device_claim(struct route_ctx *ctx, struct http_response *resp, struct error *err) {
        _cleanup_json_ json_t *body = NULL;
        if (route_read_json_body(ctx, &body, err) < 0 ||
            cr_json_check_object("request body", body, claim_fields, ELEMENTSOF(claim_fields), err) < 0)
                return -1;
        const char *csr_b64 = cr_json_get_string(body, "csr");
        _cleanup_free_ uint8_t *csr = NULL;
        size_t csr_len = 0;
        if (pki_est_decode_body(csr_b64, strlen(csr_b64), PKI_CSR_MAX_DER, &csr, &csr_len, err) < 0)
                return error_prefix(err, "field 'csr' (base64 of a DER PKCS#10 request): ");

        struct identity_ctx ic;
        if (route_identity(ctx, &ic, err) < 0)
                return -1;
        const struct identity_claim claim = {
                .product_model = cr_json_get_string(body, "product"),
                .serial = cr_json_get_string(body, "serial"),
                .batch = cr_json_get_string(body, "batch"),
                .shared_credential = cr_json_get_string(body, "shared_credential"),
                .device_secret_hex = cr_json_get_string(body, "device_secret"),
                .source = ctx->req->client_ip ? ctx->req->client_ip : "unknown",
                .csr_der = csr,
                .csr_len = csr_len,
        };
        _cleanup_pki_datum_ gnutls_datum_t cert_der = {0};
        if (identity_migration_claim(&ic, &claim, &cert_der, err) < 0)
                return -1;

        _cleanup_pki_crt_ gnutls_x509_crt_t crt = NULL;
        _cleanup_free_ char *cert_pem = NULL, *chain_pem = NULL;
        if (pki_cert_import(cert_der.data, cert_der.size, &crt, err) < 0 ||
            !(cert_pem = pki_cert_export_pem(crt, err)) ||
            identity_ca_chain_pem(ic.store, claim.product_model, &chain_pem, err) < 0)
                return -1;
        _cleanup_json_ json_t *out = json_pack("{s:s, s:s}", "certificate", cert_pem, "chain", chain_pem);
        if (json_is_true(json_object_get(body, "ddi_token"))) {
                /* The claim is granted and recorded (one per serial): a token
                 * that cannot be issued must not cost the device its
                 * certificate, so the answer says null and the log why. */
                _cleanup_json_ json_t *tok = NULL;
                char actor_name[96];
                snprintf(actor_name, sizeof(actor_name), "device:%s", claim.serial);
                const struct audit_actor actor = { .name = actor_name, .role = "device" };
                struct error terr = {0};
                if (ddi_token_issue(ic.store, &actor, claim.serial, 0, &tok, &terr) < 0)
                        log_msg(LOG_LEVEL_WARN, ctx->req->request_id, "claim of %s: no DDI token: %s", claim.serial,
                                terr.msg);
                json_object_set(out, "ddi_token", tok ? json_object_get(tok, "token") : json_null());
        }
        route_respond_json(resp, 200, out);
        return 0;
}

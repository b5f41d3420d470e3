/* SPDX-License-Identifier: Apache-2.0 */
/*
 * /.well-known/est: Enrollment over Secure Transport (RFC 7030). The label
 * is the product model. Wire format in est.h; every rule in identity/.
 *   GET  /cacerts, /{label}/cacerts       the issuing CA(s) and their chains
 *   GET  /{label}/csrattrs                what a CSR must hold
 *   POST /{label}/simpleenroll            factory: a birth certificate
 *        ?serial=&batch=&station=&reprovision=
 *   POST /{label}/simplereenroll          a device (mTLS): an operational one
 */
#include <gnutls/gnutls.h>
#include <stdlib.h>

#include "core/cleanup.h"
#include "core/strutil.h"
#include "est.h"
#include "identity/device-ca.h"
#include "identity/enroll.h"
#include "pki/cert.h"
#include "route-io.h"
#include "routes.h"
#include "store/store-identity.h"

static int respond_cacerts(struct route_ctx *ctx, const char *model, struct http_response *resp,
                           struct error *err) {
        struct store *s = route_store(ctx, err);
        gnutls_datum_t *certs = NULL;
        size_t n = 0;
        if (!s || identity_cacerts(s, model, &certs, &n, err) < 0)
                return -1;
        int r = est_respond_certs(resp, certs, n, err);
        pki_datum_array_free(certs, n);
        return r;
}

int routes_est_cacerts(struct route_ctx *ctx, struct http_response *resp, struct error *err) {
        return respond_cacerts(ctx, NULL, resp, err);
}

int routes_est_cacerts_label(struct route_ctx *ctx, struct http_response *resp, struct error *err) {
        return respond_cacerts(ctx, route_param(ctx, "label"), resp, err);
}

int routes_est_csrattrs(struct route_ctx *ctx, struct http_response *resp, struct error *err) {
        struct store *s = route_store(ctx, err);
        int64_t product_id;
        if (!s || store_identity_product_by_model(s, route_param(ctx, "label"), &product_id, err) < 0)
                return -1;
        est_respond_csrattrs(resp);
        return 0;
}

static int respond_issued(struct http_response *resp, gnutls_datum_t *cert, struct error *err) {
        int r = est_respond_certs(resp, cert, 1, err);
        gnutls_free(cert->data);
        cert->data = NULL;
        return r;
}

int routes_est_simpleenroll(struct route_ctx *ctx, struct http_response *resp, struct error *err) {
        const struct http_request *req = ctx->req;
        _cleanup_free_ uint8_t *csr = NULL;
        _cleanup_free_ char *serial = NULL, *batch = NULL, *station = NULL;
        size_t csr_len = 0;
        bool reprovision = false;
        struct identity_ctx ic;

        if (route_query_string(ctx, "serial", &serial, err) < 0 ||
            route_query_string(ctx, "batch", &batch, err) < 0 ||
            route_query_string(ctx, "station", &station, err) < 0 ||
            route_query_bool(ctx, "reprovision", false, &reprovision, err) < 0)
                return -1;
        if (est_read_csr(req->content_type, req->body, req->body_len, &csr, &csr_len, err) < 0)
                return -1;
        if (route_identity(ctx, &ic, err) < 0)
                return -1;
        struct audit_actor actor = route_actor(ctx);
        const struct identity_enroll_request r = {
                .product_model = route_param(ctx, "label"),
                .serial = serial,
                .batch = batch,
                .station = station,
                .reprovision = reprovision,
                .csr_der = csr,
                .csr_len = csr_len,
        };
        gnutls_datum_t cert = {0};
        if (identity_enroll(&ic, &actor, &r, &cert, err) < 0)
                return -1;
        return respond_issued(resp, &cert, err);
}

int routes_est_simplereenroll(struct route_ctx *ctx, struct http_response *resp, struct error *err) {
        const struct http_request *req = ctx->req;
        _cleanup_free_ uint8_t *csr = NULL;
        size_t csr_len = 0;
        struct identity_ctx ic;

        if (est_read_csr(req->content_type, req->body, req->body_len, &csr, &csr_len, err) < 0)
                return -1;
        /* The label must be the device's own product: a device renews under
         * its product's CA, never another's. */
        const char *label = route_param(ctx, "label");
        if (!str_eq(label, ctx->device->product_model))
                return error_set(err, ERROR_FORBIDDEN,
                                 "device %s belongs to product '%s', not '%.64s'; renew at "
                                 "/.well-known/est/%s/simplereenroll",
                                 ctx->device->serial, ctx->device->product_model, label,
                                 ctx->device->product_model);
        if (route_identity(ctx, &ic, err) < 0)
                return -1;
        gnutls_datum_t cert = {0};
        if (identity_reenroll(&ic, ctx->device, csr, csr_len, &cert, err) < 0)
                return -1;
        return respond_issued(resp, &cert, err);
}

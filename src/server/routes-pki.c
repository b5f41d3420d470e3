/* SPDX-License-Identifier: Apache-2.0 */
/*
 * /pki/crl/{ca}.crl: the CRL of each device CA (the distribution point in
 * every device certificate), DER as RFC 5280 section 4.2.1.13 asks. The
 * router matches whole segments, so the parameter is the file name and the
 * ".crl" suffix is taken off here.
 */
#include <stdlib.h>
#include <string.h>

#include "core/strutil.h"
#include "identity/revoke.h"
#include "route-io.h"
#include "routes.h"

#define CRL_SUFFIX ".crl"

int routes_pki_crl_get(struct route_ctx *ctx, struct http_response *resp, struct error *err) {
        const char *file = route_param(ctx, "file");
        size_t len = strlen(file), suffix = strlen(CRL_SUFFIX);
        if (len <= suffix || strcmp(file + len - suffix, CRL_SUFFIX) != 0)
                return error_set(err, ERROR_NOT_FOUND,
                                 "no such CRL: '%.80s' (CRLs are at /pki/crl/<CA name>.crl)", file);
        char *name = str_dup(file);
        name[len - suffix] = '\0';
        struct identity_ctx ic;
        uint8_t *der = NULL;
        size_t der_len = 0;
        int r = route_identity(ctx, &ic, err);
        if (r == 0)
                r = identity_crl_get(&ic, name, &der, &der_len, err);
        free(name);
        if (r < 0)
                return -1;
        http_response_set_body(resp, 200, "application/pkix-crl", (char *) der, der_len);
        return 0;
}

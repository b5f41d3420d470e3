/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Per-device TargetTokens for DDI clients that have no client certificate
 * yet. The token has 256 random bits, so a plain SHA-256 is enough to store
 * it (no slow hash: nothing to brute-force); the presented token is hashed
 * and compared in constant time with the stored digest of the device the
 * URL names, so device A's token on device B's URL is refused by
 * construction. Failures are rate limited per source by the router.
 */
#include <stdio.h>
#include <string.h>
#include "audit/audit.h"
#include "core/cleanup.h"
#include "core/strutil.h"
#include "core/time.h"
#include "crypto/ct.h"
#include "crypto/encoding.h"
#include "crypto/hash.h"
#include "crypto/random.h"
#include "ddi/ddi.h"
#include "store/store-ddi.h"
#include "store/store-identity.h"

#define DDI_TOKEN_SECRET_LEN 32
#define DDI_TOKEN_MAX 128

static inline void device_clearp(struct store_device *d) { store_device_clear(d); }
#define _cleanup_device_ __attribute__((cleanup(device_clearp)))

int ddi_token_issue(struct store *s, const struct audit_actor *a, const char *serial, int64_t now, json_t **out,
                    struct error *err) {
        _cleanup_device_ struct store_device d = {0};
        uint8_t secret[DDI_TOKEN_SECRET_LEN];
        char hash[SHA256_HEX_LEN];
        *out = NULL;
        if (!serial || !*serial)
                return error_set(err, ERROR_INVALID, "device serial: is required");
        if (random_bytes(secret, sizeof(secret), err) < 0)
                return -1;
        _cleanup_free_ char *b64 = base64url_encode(secret, sizeof(secret));
        ct_wipe(secret, sizeof(secret));
        _cleanup_free_ char *token = str_printf(DDI_TOKEN_PREFIX "%s", b64);
        hash_sha256_hex(token, strlen(token), hash);
        if (store_tx_begin(s, err) < 0)
                goto wipe;
        if (store_device_get_by_serial(s, serial, &d, err) < 0)
                goto fail;
        if (d.status == STORE_DEVICE_DECOMMISSIONED) {
                error_set(err, ERROR_CONFLICT, "device %s is decommissioned", d.serial);
                goto fail;
        }
        if (store_ddi_token_put(s, d.id, hash, now ? now : time_now(), a->name, err) < 0)
                goto fail;
        char object[96];
        snprintf(object, sizeof(object), "device:%s", d.serial);
        if (audit_append(s, a, "device.ddi-token.issue", object, NULL, err) < 0)
                goto fail;
        if (store_tx_commit(s, err) < 0)
                goto wipe;
        *out = json_pack("{s:s, s:s, s:s}", "serial", d.serial, "tenant", d.product_model, "token", token);
        ct_wipe(token, strlen(token));
        return 0;
fail:
        store_tx_rollback(s);
wipe:
        ct_wipe(token, strlen(token));
        return -1;
}

int ddi_token_revoke(struct store *s, const struct audit_actor *a, const char *serial, struct error *err) {
        _cleanup_device_ struct store_device d = {0};
        bool removed;
        if (store_tx_begin(s, err) < 0)
                return -1;
        if (store_device_get_by_serial(s, serial, &d, err) < 0 || store_ddi_token_delete(s, d.id, &removed, err) < 0)
                goto fail;
        if (!removed) {
                error_set(err, ERROR_NOT_FOUND, "device %s has no DDI target token", d.serial);
                goto fail;
        }
        char object[96];
        snprintf(object, sizeof(object), "device:%s", d.serial);
        if (audit_append(s, a, "device.ddi-token.revoke", object, NULL, err) < 0)
                goto fail;
        return store_tx_commit(s, err);
fail:
        store_tx_rollback(s);
        return -1;
}

int ddi_token_authenticate(struct store *s, const char *tenant, const char *controller_id, const char *token,
                           struct store_device *out, struct error *err) {
        _cleanup_device_ struct store_device d = {0};
        char stored[SHA256_HEX_LEN], presented[SHA256_HEX_LEN];
        bool found;
        memset(out, 0, sizeof(*out));
        size_t n = token ? strlen(token) : 0;
        if (n == 0 || n > DDI_TOKEN_MAX)
                return error_set(err, ERROR_UNAUTHENTICATED, "TargetToken: empty or malformed");
        if (store_device_find_by_serial(s, controller_id, &d, &found, err) < 0)
                return -1;
        /* One answer for every refusal: which part failed is not told. */
        const char *refused = "TargetToken: not valid for this controller";
        if (!found || !str_eq(d.product_model, tenant) || d.status == STORE_DEVICE_DECOMMISSIONED)
                return error_set(err, ERROR_UNAUTHENTICATED, "%s", refused);
        if (store_ddi_token_get(s, d.id, stored, &found, err) < 0)
                return -1;
        if (!found)
                return error_set(err, ERROR_UNAUTHENTICATED, "%s", refused);
        hash_sha256_hex(token, n, presented);
        bool ok = ct_equal(stored, presented, SHA256_HEX_LEN - 1);
        ct_wipe(presented, sizeof(presented));
        if (!ok)
                return error_set(err, ERROR_UNAUTHENTICATED, "%s", refused);
        *out = d;
        memset(&d, 0, sizeof(d));
        return 0;
}

int ddi_gateway_authenticate(struct store *s, const struct ddi_config *cfg, const char *tenant,
                             const char *controller_id, const char *token, struct store_device *out,
                             struct error *err) {
        _cleanup_device_ struct store_device d = {0};
        char presented[SHA256_HEX_LEN];
        bool found;
        memset(out, 0, sizeof(*out));
        const char *want = cfg ? cfg->gateway_token_sha256 : NULL;
        if (!want || strlen(want) != SHA256_HEX_LEN - 1)
                return error_set(err, ERROR_UNAUTHENTICATED,
                                 "GatewayToken authentication is off on this server ([ddi] gateway_token_sha256)");
        size_t n = token ? strlen(token) : 0;
        if (n == 0 || n > DDI_TOKEN_MAX)
                return error_set(err, ERROR_UNAUTHENTICATED, "GatewayToken: empty or malformed");
        hash_sha256_hex(token, n, presented);
        bool ok = ct_equal(want, presented, SHA256_HEX_LEN - 1);
        ct_wipe(presented, sizeof(presented));
        if (!ok)
                return error_set(err, ERROR_UNAUTHENTICATED, "GatewayToken: not valid");
        if (store_device_find_by_serial(s, controller_id, &d, &found, err) < 0)
                return -1;
        bool device_ok = found && str_eq(d.product_model, tenant) && d.status != STORE_DEVICE_DECOMMISSIONED;
        if (!device_ok)
                return error_set(err, ERROR_UNAUTHENTICATED, "GatewayToken: no active device %.64s of %.64s",
                                 controller_id, tenant);
        *out = d;
        memset(&d, 0, sizeof(d));
        return 0;
}

/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/*
 * What the OTA domains (src/release, src/repo) get from their caller: the
 * store connection, the data directory their files live under, the clock,
 * and the [ota] settings. Built per request by the server (route_ota) and
 * directly by tests and the maintenance thread.
 *
 * Files under the data directory:
 *   images/<sha256>                  every image and SBOM, once
 *   repo/<model>/                    the product's static TUF repository
 *   repo-keys/<model>/<role>.key     online snapshot and timestamp keys (0600)
 *   tmp/                             streamed uploads in progress
 */
#include <stdint.h>
#include "store/store.h"

#define OTA_TARGETS_EXPIRY_DEFAULT (365 * 86400)
#define OTA_SNAPSHOT_EXPIRY_DEFAULT (7 * 86400)
#define OTA_TIMESTAMP_EXPIRY_DEFAULT (86400)
/* Art. 13(9): updates stay available at least this long after publication. */
#define OTA_RETENTION_YEARS 10

struct ota_config {
        int64_t targets_expiry;          /* seconds; 0 = OTA_TARGETS_EXPIRY_DEFAULT */
        int64_t snapshot_expiry;         /* 0 = OTA_SNAPSHOT_EXPIRY_DEFAULT */
        int64_t timestamp_expiry;        /* 0 = OTA_TIMESTAMP_EXPIRY_DEFAULT */
        const char *online_key_type;     /* "ed25519" (NULL/"") or "p256" */
        /* "" / NULL: online keys are files generated under repo-keys/. Else a
         * pkcs11: URI template in which "{model}" and "{role}" are replaced
         * (e.g. "pkcs11:token=cradle;object=repo-{model}-{role}"); the objects
         * must exist on the token. */
        const char *online_key_pkcs11;
};

struct ota_ctx {
        struct store *store;
        const char *data_dir;
        int64_t now;                     /* 0 = the clock */
        const struct ota_config *cfg;    /* NULL = every default */
};

int64_t ota_now(const struct ota_ctx *c);
int64_t ota_targets_expiry(const struct ota_ctx *c);
int64_t ota_snapshot_expiry(const struct ota_ctx *c);
int64_t ota_timestamp_expiry(const struct ota_ctx *c);

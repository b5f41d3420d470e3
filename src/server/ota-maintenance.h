/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/*
 * The server side of the image repositories that is not a request:
 *  - the upload directory (<data>/tmp) for streamed bodies, emptied of what
 *    an earlier run left behind;
 *  - a thread that calls repo_maintain (repo/repo.h) at start and then every
 *    interval, so each product's timestamp and snapshot are re-signed with
 *    the online keys before they expire. It stops promptly on shutdown.
 */
#include "core/error.h"
#include "release/encrypt.h"

struct store_pool;
struct ota_config;
struct ota_maintenance;

#define OTA_MAINTENANCE_INTERVAL_S 60
#define OTA_UPLOAD_DIR RELEASE_UPLOAD_DIR

/* Creates <data_dir>/tmp (0700) and removes stale "upload-*" files from it
 * (RELEASE_UPLOAD_PREFIX: streamed bodies and encryption containers).
 * *dir_out is heap. */
int ota_upload_dir_prepare(const char *data_dir, char **dir_out, struct error *err);

/* Starts the thread; pool, data_dir and cfg must outlive it. */
int ota_maintenance_start(struct store_pool *pool, const char *data_dir, const struct ota_config *cfg,
                          unsigned interval_s, struct ota_maintenance **out, struct error *err);
/* Wakes the thread, waits for it to finish its current round, frees it. NULL is fine. */
void ota_maintenance_stop(struct ota_maintenance *m);

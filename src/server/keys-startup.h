/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
#include "server-config.h"
#include "store/store.h"

/* Registers, at start, every key cradled knows of (keys-startup.c). */
void server_keys_register(struct store_pool *pool, const struct server_config *cfg, const char *data_dir);

/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/*
 * What every subcommand works with: the configuration, the persisted state,
 * the installer backend and (created on first use, because `boot` and
 * `status` need no network) the HTTP client.
 */
#include "agent/backend.h"
#include "agent/config.h"
#include "agent/fetch.h"
#include "agent/state.h"
#include "core/error.h"

struct agent {
        const struct agent_config *cfg;
        struct agent_state st;
        struct agent_backend *backend;
        struct agent_http *http;
};

/* Loads the state (falling back to the safe state when it is corrupt) and
 * opens the backend. */
int agent_open(const struct agent_config *cfg, struct agent *a, struct error *err);
void agent_close(struct agent *a);
/* Saves the state; a failure is logged and returned. */
int agent_save(struct agent *a, struct error *err);
/* The HTTP client (created on first call). */
int agent_http(struct agent *a, struct agent_http **out, struct error *err);
/* The download file of the update in progress (heap). */
char *agent_download_path(const struct agent *a);

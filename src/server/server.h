/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/*
 * `cradled run`: loads DIR/cradled.conf, opens the store pool, serves HTTPS
 * until SIGTERM or SIGINT, then shuts down gracefully: stop accepting, wait
 * for requests in progress (up to [server] shutdown_grace), close.
 */
#include <stdint.h>

#include "core/error.h"

struct server_overrides {
        const char *listen;   /* NULL = from the configuration */
        int64_t port;         /* -1 = from the configuration */
};

/* Returns 0 after a clean shutdown; -1 with err set when the server could not
 * start (the caller prints it and exits 1). */
int server_run(const char *data_dir, const struct server_overrides *ov, struct error *err);

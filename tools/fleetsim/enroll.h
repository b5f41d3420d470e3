/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/* `cradle-fleetsim enroll`: a fleet through EST (see enroll.c). */
#include <stddef.h>

#include "core/error.h"

struct fleetsim_enroll_config {
        const char *url;      /* without a trailing slash */
        const char *cacert;
        const char *label;    /* EST label = product model */
        const char *batch;    /* an open batch of that product */
        const char *dir;
        const char *prefix;
        const char *token;    /* factory (or admin) bearer token */
        size_t count;
        size_t parallel;
};

struct fleetsim_enroll_result {
        size_t enrolled, skipped, failed, unreachable;
};

/* Serial number i of count (1-based); -1 when it would not fit. */
int fleetsim_enroll_serial(const char *prefix, size_t i, size_t count, char *out, size_t size);
/* 0 (see res for what happened to each device), or -1 for a setup failure. */
int fleetsim_enroll(const struct fleetsim_enroll_config *cfg, struct fleetsim_enroll_result *res, struct error *err);

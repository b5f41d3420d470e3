/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/*
 * `cradle-fleetsim run`: many simulated devices in one thread, one libcurl
 * multi handle, a timer heap. See docs/fleetsim.md for what is simulated.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

#include "sched.h"

#define FLEETSIM_RULES_MAX 16

enum fleetsim_mode { FLEETSIM_MODE_AGENT, FLEETSIM_MODE_DDI };

struct fleetsim_run_config {
        const char *url;          /* without a trailing slash */
        const char *cacert;
        const char *dir;          /* enrolled devices: DIR/<serial>/{cert,key}.pem */
        const char *product;      /* the product model: repository path, DDI tenant */
        size_t devices;           /* 0 = all in DIR */
        double seconds;
        double interval;
        double jitter_pct;
        double install_delay;
        double progress_every;    /* 0 = no progress lines */
        enum fleetsim_mode mode;
        struct fleetsim_rule fail[FLEETSIM_RULES_MAX], rollback[FLEETSIM_RULES_MAX];
        size_t n_fail, n_rollback;
        uint64_t seed;
        const char *initial_version; /* NULL: ask the server (whoami) at the first poll */
        const char *until_installed; /* stop early once every device runs this version */
        const char *until_reported;  /* ... once every device has reported this stage */
        bool json;
        bool download;             /* GET the image (discarded) as the agent would */
        bool honour_server_sleep;  /* DDI: poll at config.polling.sleep instead of --interval */
        bool tls_resume;           /* keep each device's TLS session (curl share) */
        bool tls12;                /* TLS 1.2 at most */
        bool warm;                 /* start with the repository's current metadata versions */
        unsigned max_inflight;
        unsigned source_ips;       /* > 1: device i binds 127.0.0.(2 + i % N) */
        long timeout;              /* seconds per request */
};

/* The index of a stage name ("downloading" ... "skipped"), -1 when unknown. */
int fleetsim_stage_parse(const char *name);

/* Runs until cfg->seconds have passed or SIGINT/SIGTERM; prints progress and
 * the summary to stdout. 0, or -1 with err set for a setup failure (no
 * device, no libcurl); failed requests are counted, never fatal. */
int fleetsim_run(const struct fleetsim_run_config *cfg, struct error *err);

/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/*
 * cradle-agent's configuration: one strict INI file (core/config.h), every key
 * documented in the schema (`cradle-agent --help-config` prints it) and in
 * docs/agent.md. agent_config_load applies the defaults, parses the file, then
 * checks what the schema cannot: required keys, the backend's own keys,
 * URLs, the jitter fraction.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "core/config.h"
#include "core/error.h"

enum agent_backend_kind { AGENT_BACKEND_ABDIR, AGENT_BACKEND_UBOOT, AGENT_BACKEND_SCRIPT,
                          AGENT_BACKEND_RAUC };

struct agent_config {
        /* [server] */
        char *server_url;       /* https://host:port, no trailing slash after load */
        char *server_ca;        /* PEM trust anchors for the server's TLS certificate */
        /* [identity] */
        char *identity_cert;    /* PEM certificate (chain) of the device */
        char *identity_key;     /* PEM file (0600) or pkcs11: URI */
        /* [product] */
        char *model;
        char *hardware_revision;
        char *serial;           /* empty: the subject serialNumber of identity_cert */
        /* [trust] */
        char *image_root;       /* installed root.json of the image repository */
        char *director_root;    /* installed root.json of the director */
        /* [state] */
        char *state_dir;
        char *boot_id_file;
        /* [poll] */
        int64_t poll_interval;
        char *poll_jitter_str;
        double poll_jitter;     /* parsed from poll_jitter_str, 0 <= j < 1 */
        int64_t backoff_min;
        int64_t backoff_max;
        /* [download] */
        uint64_t max_image_size;
        uint64_t max_metadata_size;
        int64_t low_speed_limit; /* bytes per second */
        int64_t low_speed_time;  /* seconds below the limit before giving up */
        int64_t connect_timeout;
        int64_t timeout;         /* whole transfer, metadata and images */
        /* [install] */
        char *backend_name;
        enum agent_backend_kind backend;
        char *reboot_command;
        char *image_name;        /* which image of a release to install; "": the only one */
        /* [ab-dir] */
        char *abdir_dir;
        /* [uboot] */
        char *uboot_config;      /* fw_env.config */
        char *uboot_slot_var;
        char *uboot_slot_a, *uboot_slot_b;   /* values of slot_var */
        char *uboot_device_a, *uboot_device_b; /* where each slot's image is written */
        int64_t uboot_bootlimit;
        /* [script] */
        char *script_install, *script_activate, *script_confirm, *script_rollback;
        int64_t script_timeout;
        /* [rauc] */
        char *rauc_command;
        int64_t rauc_timeout;
        /* [health] */
        char *health_command;
        int64_t health_timeout;
        int64_t max_boot_attempts;
        /* [log] */
        char *log_level;
        /* [debug] (issue 11: debug-authorisation tokens) */
        char *debug_trust_anchor; /* PEM public key of the debug-auth key; "": verify refuses */
        char *debug_uid_file;     /* the device-unique id */
        int64_t debug_max_validity;
};

const struct config_key *agent_config_schema(size_t *n_out);
/* Loads and checks `path`; on failure the message names the file, line and key. */
int agent_config_load(const char *path, struct agent_config *cfg, struct error *err);
/* The same from a buffer (tests). */
int agent_config_parse(const char *name, const char *buf, size_t len, struct agent_config *cfg,
                       struct error *err);
/* The checks agent_config_load runs after parsing. */
int agent_config_check(struct agent_config *cfg, struct error *err);
void agent_config_free(struct agent_config *cfg);
const char *agent_backend_kind_name(enum agent_backend_kind k);

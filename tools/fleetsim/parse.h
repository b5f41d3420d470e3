/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/*
 * What the fleet simulator reads from the server's answers, and nothing more:
 * the simulator does not verify TUF signatures (it measures the server, it
 * does not protect a device), but every answer is parsed with the size and
 * depth limits of cr_json_parse and every field it uses is type- and
 * length-checked. Pure (jansson only), unit-tested and fuzzed
 * (tests/fuzz/fuzz-fleetsim-parse.c).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

/* Largest answer the simulator reads (metadata, DDI documents). */
#define FLEETSIM_RESPONSE_MAX (1024 * 1024)
#define FLEETSIM_VERSION_MAX 64
#define FLEETSIM_PATH_MAX 256
#define FLEETSIM_HREF_MAX 1024
#define FLEETSIM_ACTION_ID_MAX 64

/* {"signed": {"version": N, ...}}: any TUF role's version (>= 1). */
int fleetsim_parse_tuf_version(const char *buf, size_t len, int64_t *version, struct error *err);

/* An update the director offers this device (custom.release of its target). */
struct fleetsim_offer {
        bool available;
        char release[FLEETSIM_VERSION_MAX + 1];
        int64_t security_version;              /* -1 when the director gives none */
        char path[FLEETSIM_PATH_MAX + 1];       /* "1.0.0/rootfs.img" */
        char sha256[65];                        /* hex, "" when absent */
        int64_t length;
};
/* Director targets.json: no target = no offer; with several targets the first
 * path in byte order is taken (all of one release). A target without a
 * string custom.release of 1..64 bytes is a parse error. */
int fleetsim_parse_director_targets(const char *buf, size_t len, struct fleetsim_offer *out, struct error *err);

/* timestamp.json: its version and the snapshot version it lists. */
int fleetsim_parse_timestamp(const char *buf, size_t len, int64_t *version, int64_t *snapshot_version,
                             struct error *err);
/* <N>.snapshot.json: the targets.json version it lists. */
int fleetsim_parse_snapshot(const char *buf, size_t len, int64_t *targets_version, struct error *err);

/* GET /device/v1/whoami: the version the server believes the device runs
 * (installed_version, else initial_firmware_version; "" when neither) and its
 * security version (-1 when none). */
int fleetsim_parse_whoami(const char *buf, size_t len, char version[FLEETSIM_VERSION_MAX + 1], int64_t *security_version,
                          struct error *err);

/* ---- hawkBit DDI ---- */

/* "HH:MM:SS" (hawkBit's config.polling.sleep) in seconds; -1 when malformed. */
int64_t fleetsim_ddi_parse_sleep(const char *s);

/* The base poll: GET {url}/ddi/{tenant}/controller/v1/{controllerId}. */
struct fleetsim_ddi_base {
        int64_t sleep_s;                             /* -1 when not given */
        char deployment[FLEETSIM_HREF_MAX + 1];      /* _links.deploymentBase.href or "" */
        char cancel[FLEETSIM_HREF_MAX + 1];          /* _links.cancelAction.href or "" */
};
int fleetsim_ddi_parse_base(const char *buf, size_t len, struct fleetsim_ddi_base *out, struct error *err);

enum fleetsim_ddi_mode { FLEETSIM_DDI_FORCED, FLEETSIM_DDI_ATTEMPT, FLEETSIM_DDI_SKIP };

/* deploymentBase/{actionId}: the action and its first chunk. */
struct fleetsim_ddi_deployment {
        char id[FLEETSIM_ACTION_ID_MAX + 1];         /* "id": string or integer */
        enum fleetsim_ddi_mode download, update;
        char version[FLEETSIM_VERSION_MAX + 1];      /* chunks[0].version */
        char artifact[FLEETSIM_HREF_MAX + 1];        /* chunks[0].artifacts[0] download-http, else download; or "" */
};
int fleetsim_ddi_parse_deployment(const char *buf, size_t len, struct fleetsim_ddi_deployment *out,
                                  struct error *err);

/* cancelAction/{id}: {"id", "cancelAction": {"stopId"}}. */
int fleetsim_ddi_parse_cancel(const char *buf, size_t len, char id[FLEETSIM_ACTION_ID_MAX + 1],
                              char stop_id[FLEETSIM_ACTION_ID_MAX + 1], struct error *err);

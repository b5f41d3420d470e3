/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/*
 * hawkBit Direct Device Integration (DDI), mapped onto Cradle's director:
 * existing hawkBit clients (SWUpdate's suricatta, rauc-hawkbit-updater,
 * Zephyr's hawkBit client) talk to cradled with only their server URL
 * changed. See docs/ddi.md for the wire format and what a DDI device does and
 * does not get compared with cradle-agent.
 *
 *  - tenant = the device's product model; controllerId = the device serial.
 *  - An action is a director update action (director/action.h): actionId is
 *    its id, never reused. The base poll links deploymentBase/{id} while the
 *    device's active action is open and its release is offered (published,
 *    fits the device), cancelAction/{id} while it is canceling.
 *  - A chunk is the action's release (part "os", version, name = product
 *    model); its artifacts are the release's images, with size and SHA-1,
 *    MD5 and SHA-256 (images are stored by SHA-256; SHA-1 and MD5 are
 *    computed once and kept, ddi_image_digests). softwaremodules/{moduleId}
 *    is the release id.
 *  - Feedback goes through director_report_record, the path cradle-agent's
 *    status reports take, so history, installed and security version, audit
 *    and actions are the same (mapping in feedback.c and docs/ddi.md).
 *
 * Every function here works on a device the router authenticated (mTLS or
 * TargetToken, router.c): `d` is that device's row. Errors: ERROR_NOT_FOUND
 * for an action that is not this device's (another device's action looks
 * exactly like a missing one), ERROR_GONE for one that is closed.
 */
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "audit/audit.h"
#include "core/error.h"
#include "store/store.h"

struct store_device;

/* [ddi] settings (server-config.c has the documented schema). */
struct ddi_config {
        int64_t polling_sleep;        /* seconds, what config.polling.sleep says */
        int64_t feedback_lines_max;   /* detail lines in one feedback */
        int64_t feedback_line_max;    /* bytes of one detail line */
        int64_t action_feedback_max;  /* in-progress feedback per action */
        int64_t action_lines_max;     /* detail lines per action */
        int64_t config_keys_max;      /* configData keys per device */
        int64_t config_key_max;       /* bytes of a key */
        int64_t config_value_max;     /* bytes of a value */
        const char *config_allow;     /* comma-separated keys kept from configData */
        const char *gateway_token_sha256; /* hex SHA-256 of the GatewayToken; NULL or "" = off */
};

#define DDI_POLLING_SLEEP_DEFAULT 300
#define DDI_FEEDBACK_LINES_MAX 64
#define DDI_FEEDBACK_LINE_MAX 4096
#define DDI_ACTION_FEEDBACK_MAX 1000
#define DDI_ACTION_LINES_MAX 10000
#define DDI_CONFIG_KEYS_MAX 100
#define DDI_CONFIG_KEY_MAX 128
#define DDI_CONFIG_VALUE_MAX 512
#define DDI_CONFIG_ALLOW_DEFAULT \
        "board,hw_revision,hwrevision,hardware_revision,sw_version,swversion,firmware_version," \
        "bootloader_version,kernel_version,os_version,client,client_version"
/* Largest feedback or configData body parsed (the transport's max_body applies first). */
#define DDI_BODY_MAX (512 * 1024)
#define DDI_JSON_MAX_DEPTH 8

void ddi_config_defaults(struct ddi_config *c);

struct ddi_ctx {
        struct store *store;
        const char *data_dir;           /* images are <data_dir>/images/<sha256> */
        const struct ddi_config *cfg;   /* NULL = defaults */
        const char *base_url;           /* "https://host:port", links are absolute */
        int64_t now;                    /* 0 = the clock */
};

/* GET /ddi/{tenant}/controller/v1/{controllerId}: the base poll. Records
 * that the device was seen. */
int ddi_base_poll(struct ddi_ctx *c, const struct store_device *d, json_t **out, struct error *err);
/* GET .../deploymentBase/{actionId}: ERROR_GONE unless the action is open
 * and offered. */
int ddi_deployment_base(struct ddi_ctx *c, const struct store_device *d, int64_t action_id, json_t **out,
                        struct error *err);
/* GET .../installedBase/{actionId}: a succeeded action of the device. */
int ddi_installed_base(struct ddi_ctx *c, const struct store_device *d, int64_t action_id, json_t **out,
                       struct error *err);
/* GET .../cancelAction/{actionId}: {"id", "cancelAction": {"stopId"}} while canceling. */
int ddi_cancel_action(struct ddi_ctx *c, const struct store_device *d, int64_t action_id, json_t **out,
                      struct error *err);

enum ddi_feedback_kind { DDI_FEEDBACK_DEPLOYMENT, DDI_FEEDBACK_CANCEL };
/* POST .../deploymentBase/{id}/feedback and .../cancelAction/{id}/feedback:
 * the raw body (parsed leniently, see ddi_feedback_parse). *out = {"action_id",
 * "status", "recorded": stage|null}. */
int ddi_feedback(struct ddi_ctx *c, const struct store_device *d, int64_t action_id, enum ddi_feedback_kind kind,
                 const char *body, size_t len, json_t **out, struct error *err);

/* PUT .../configData. *out = {"stored": [keys], "ignored": [keys], "removed": [keys]}. */
int ddi_config_data(struct ddi_ctx *c, const struct store_device *d, const char *body, size_t len, json_t **out,
                    struct error *err);
/* The device's stored configData {"serial", "attributes": {k: v}, "updated_at"} (operators). */
int ddi_config_data_get(struct store *s, const char *serial, json_t **out, struct error *err);

/* An artifact a device may download: an image of the release of its active
 * action or of a succeeded action. file_name may end in ".MD5SUM". */
struct ddi_artifact {
        char *path;                   /* <data_dir>/images/<sha256> */
        int64_t size;
        char sha256[65];
        char md5[33];
        bool md5sum;                  /* the ".MD5SUM" file was asked for */
        char *file_name;              /* the image name */
};
void ddi_artifact_clear(struct ddi_artifact *a);
int ddi_artifact_find(struct ddi_ctx *c, const struct store_device *d, int64_t module_id, const char *file_name,
                      struct ddi_artifact *out, struct error *err);
/* The SHA-1 and MD5 of a stored image, computed from the file once and kept. */
int ddi_image_digests(struct ddi_ctx *c, const char *sha256, char sha1[41], char md5[33], struct error *err);

/* ---- TargetTokens (token.c) ----
 * "ddi_" + 43 base64url characters (32 random bytes). Only the SHA-256 is
 * stored; the token is shown once. A new token replaces the old one. */
#define DDI_TOKEN_PREFIX "ddi_"
/* POST /api/v1/devices/{serial}/ddi-token: {"serial", "token"}; audited device.ddi-token.issue. */
int ddi_token_issue(struct store *s, const struct audit_actor *a, const char *serial, int64_t now, json_t **out,
                    struct error *err);
/* DELETE /api/v1/devices/{serial}/ddi-token; audited device.ddi-token.revoke. ERROR_NOT_FOUND without one. */
int ddi_token_revoke(struct store *s, const struct audit_actor *a, const char *serial, struct error *err);
/* Authenticates "TargetToken <token>" for the device named by the URL
 * (controllerId, tenant): ERROR_UNAUTHENTICATED unless that device exists, is
 * a `tenant`, is not decommissioned and holds this token (constant-time
 * compare of SHA-256 digests). *out = the device. */
int ddi_token_authenticate(struct store *s, const char *tenant, const char *controller_id, const char *token,
                           struct store_device *out, struct error *err);
/* "GatewayToken <token>": one shared token for a gateway that speaks for many
 * devices; off unless configured. ERROR_UNAUTHENTICATED when off or wrong,
 * or when {controllerId} is not a device of product {tenant}. */
int ddi_gateway_authenticate(struct store *s, const struct ddi_config *cfg, const char *tenant,
                             const char *controller_id, const char *token, struct store_device *out,
                             struct error *err);

/* ---- parsers of device input (feedback.c, config-data.c, lenient.c) ---- */

/* Some clients (suricatta 2022.12) put raw control characters (a newline in
 * an error message) inside JSON strings. On the DDI endpoints only, such a
 * byte inside a string is rewritten as its \u00XX escape before parsing, so
 * it is kept (escaped) instead of refusing the report (a 400 makes suricatta
 * resend it forever). Everything else is as strict as cr_json_parse. */
json_t *ddi_json_parse(const char *what, const char *buf, size_t len, struct error *err);

enum ddi_execution {
        DDI_EXEC_CLOSED, DDI_EXEC_PROCEEDING, DDI_EXEC_CANCELED, DDI_EXEC_SCHEDULED, DDI_EXEC_REJECTED,
        DDI_EXEC_RESUMED, DDI_EXEC_DOWNLOAD, DDI_EXEC_DOWNLOADED,
};
enum ddi_finished { DDI_FINISHED_NONE, DDI_FINISHED_SUCCESS, DDI_FINISHED_FAILURE };

struct ddi_feedback_doc {
        bool has_id;
        int64_t id;                   /* "id" as number or digit string; absent/"" = no id */
        enum ddi_execution execution;
        enum ddi_finished finished;
        bool has_progress;
        int64_t cnt, of;              /* as sent: cnt may exceed of, of may be 0 */
        json_t *details;              /* borrowed from the parsed document: array of strings, or NULL */
        size_t n_details;
};
/* Checks a parsed feedback document against the limits (lines, line size). */
int ddi_feedback_check(json_t *doc, const struct ddi_config *cfg, struct ddi_feedback_doc *out, struct error *err);

/* What a feedback means for the history: stage/result as director_report
 * takes them, or stage NULL for nothing to record. reason is heap or NULL. */
struct ddi_feedback_mapping {
        const char *stage;
        const char *result;
        char *reason;
        bool closes;
};
void ddi_feedback_map(const struct ddi_feedback_doc *f, enum ddi_feedback_kind kind,
                      struct ddi_feedback_mapping *out);

struct ddi_config_doc {
        enum { DDI_CONFIG_MERGE, DDI_CONFIG_REPLACE, DDI_CONFIG_REMOVE } mode;
        json_t *data;                 /* borrowed: object of strings */
};
int ddi_config_check(json_t *doc, const struct ddi_config *cfg, struct ddi_config_doc *out, struct error *err);
/* True when `key` is on the comma-separated allow list. */
bool ddi_config_allowed(const char *allow, const char *key);
/* Control characters (and backslash) escaped as \n, \t, \\, \u00XX: how device text is stored. Heap. */
char *ddi_text_escape(const char *s, size_t max_out);

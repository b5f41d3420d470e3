/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/*
 * cradled.conf: the server's configuration, described by one schema table
 * (core/config.h) that gives defaults, ranges and the documentation printed by
 * `cradled config-defaults`. Relative paths are relative to the data directory.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/config.h"
#include "core/error.h"
#include "core/log.h"

#define SERVER_CONFIG_FILE "cradled.conf"

struct server_config {
        /* [server] */
        char *listen;                 /* IPv4 or IPv6 address literal */
        int64_t port;                 /* 0 = any free port (logged at start) */
        int64_t threads;
        int64_t max_connections;
        int64_t max_connections_per_ip; /* 0 = no per-address limit */
        int64_t connection_timeout;   /* seconds without progress */
        int64_t header_timeout;       /* seconds, total, to the end of the headers */
        uint64_t min_body_rate;       /* bytes per second */
        uint64_t max_body;            /* bytes */
        int64_t shutdown_grace;       /* seconds */
        /* [tls] */
        char *tls_cert;
        char *tls_key;
        char *tls_ca;
        /* [store] */
        char *store_path;
        /* [log] */
        char *log_level;
        char *log_format;
        /* [auth] */
        int64_t auth_max_failures;
        int64_t auth_failure_window;  /* seconds */
        int64_t auth_max_lockout;     /* seconds */
        /* [identity] */
        char *crl_base_url;           /* "" = https://<listen>:<port>/pki/crl */
        int64_t birth_days;
        int64_t operational_days;
        int64_t claim_max_failures;
        int64_t claim_failure_window; /* seconds */
        int64_t claim_max_lockout;    /* seconds */
        /* [ota], the director (issue 4) */
        int64_t director_expiry;      /* seconds */
        int64_t campaign_evaluate_interval; /* seconds */
        int64_t vuln_match_interval;        /* seconds (issue 9) */
        char *director_key;           /* "" = <data>/director-keys/targets.key */
        /* [ota], releases and image repositories (issue 4) */
        uint64_t max_image_size;      /* bytes */
        int64_t targets_expiry_days;
        int64_t snapshot_expiry;      /* seconds */
        int64_t timestamp_expiry;     /* seconds */
        char *online_key_type;        /* "ed25519" | "p256" */
        char *online_key_pkcs11;      /* "" = files; else a pkcs11: URI template */
        /* [ddi], hawkBit DDI (issue 8) */
        int64_t ddi_polling_sleep;    /* seconds */
        int64_t ddi_feedback_lines_max;
        int64_t ddi_feedback_line_max;
        int64_t ddi_action_feedback_max;
        int64_t ddi_action_lines_max;
        int64_t ddi_config_keys_max;
        int64_t ddi_config_key_max;
        int64_t ddi_config_value_max;
        char *ddi_config_data_allow;
        char *ddi_gateway_token_sha256; /* "" = GatewayToken off */
        char *ddi_base_url;           /* "" = https://<Host header> */
        /* [vulns], the scheduled feed import (issue 9) */
        char *vuln_import_dir;        /* "" = off */
        int64_t vuln_import_interval; /* seconds */
        /* [cases], the Art. 14 reminders (issue 10) */
        int64_t case_reminder_interval; /* seconds */
        char *case_reminder_points;     /* "50,80,overdue" */
        char *case_webhook_url;         /* "" = no webhook */
        char *case_webhook_secret_file; /* the HMAC key, mode 0600 */
        /* [support], end-of-support reminders (issue 10 section 6) */
        char *support_remind;           /* "12m,6m" */
        int64_t case_ack_days;          /* the acknowledgement clock of a new case (fix/cvd) */
        int64_t case_disclosure_days;   /* the disclosure target of a new case (fix/cvd) */
        /* [cvd], the public CVD intake and security.txt (issue 10 section 4) */
        char *cvd_base_url;             /* "" = https://<the request's Host> */
        char *cvd_contact;              /* comma-separated URIs; "" = the intake form */
        char *cvd_expires;              /* RFC 3339; "" = now + cvd_validity */
        int64_t cvd_validity;           /* seconds */
        char *cvd_policy;
        char *cvd_preferred_languages;
        char *cvd_encryption;
        char *cvd_acknowledgments;
        bool cvd_csaf;
        uint64_t cvd_max_report;        /* bytes of a report's details */
        uint64_t cvd_max_message;       /* bytes of a follow-up message */
        int64_t cvd_max_actions;        /* reports and messages per address within cvd_window */
        int64_t cvd_window;             /* seconds */
        /* [approval], M-of-N approvals (issue 11; docs/keys.md) */
        int64_t approval_approvers;   /* per governed operation; 0 = governance off */
        char *approval_roles;         /* comma-separated roles an approver may act with */
        char *approval_governed;      /* comma-separated operations */
        int64_t approval_expiry;      /* seconds */
        /* [kek], secrets at rest (issue 11 section 6; docs/keys.md) */
        char *kek_ref;                /* "" = none; a key file (relative to the data directory) or a pkcs11: URI */
        /* [keys], the key registry's rotation periods (issue 11), in keys_classes order */
        int64_t keys_rotate[12];      /* seconds; 0 = no rotation period */
        /* [debug], debug-authorisation tokens (issue 11 section 4; docs/keys.md) */
        char *debug_key;              /* "" = <data_dir>/debug-auth.key; a path or a pkcs11: URI */
        int64_t debug_validity;       /* seconds from issue to not-after */
        /* [csaf], advisories and the provider directory (issue 10 section 5) */
        char *csaf_base_url;          /* "" = publication off */
        char *csaf_publisher_name;    /* "" = the product's manufacturer */
        char *csaf_publisher_namespace; /* "" = base_url */
        bool csaf_list_on_aggregators;
        bool csaf_mirror_on_aggregators;
        /* [audit], signed audit checkpoints (issue 11 section 6; docs/security.md) */
        int64_t audit_checkpoint_every;    /* entries */
        int64_t audit_checkpoint_interval; /* seconds */
        char *audit_checkpoint_key;        /* file (relative to the data directory) or pkcs11: URI */
        char *audit_checkpoint_key_type;   /* p256, p384, ed25519, rsa3072: for the key made on first start */
        char *audit_witness_file;          /* "" = none */
        char *audit_witness_url;           /* "" = none */
        bool audit_witness_syslog;
};

#define SERVER_CRL_PATH "/pki/crl"
#define SERVER_URL_MAX 512

const struct config_key *server_config_schema(size_t *n_out);

/* [keys] rotate.<class> as the key registry's policy. */
struct keys_policy;
int server_config_keys_policy(const struct server_config *c, struct keys_policy *p, struct error *err);

/* Defaults only. */
int server_config_defaults(struct server_config *c, struct error *err);
/* Loads and checks a file (config_load + the checks below). */
int server_config_load(const char *path, struct server_config *c, struct error *err);
/* Loads from a buffer; `name` appears in messages (tests). */
int server_config_parse(const char *name, const char *buf, size_t len, struct server_config *c,
                        struct error *err);
/* Checks what the schema cannot: listen is an address literal, log level and
 * format are known names. */
int server_config_check(const struct server_config *c, struct error *err);
void server_config_free(struct server_config *c);

/* The commented default file (heap). */
char *server_config_defaults_text(struct error *err);
/* The file `cradled init` writes: the defaults, with listen and port as given
 * (NULL / -1 keep the default) and [kek] ref = SERVER_INIT_KEK_FILE (init makes
 * that key file). The result is checked by parsing it back. */
#define SERVER_INIT_KEK_FILE "kek.key"
char *server_config_text(const char *listen, int64_t port, struct error *err);

/* Absolute path for a configured path: returned as is when absolute, else
 * joined to data_dir. Heap. */
char *server_config_path(const char *data_dir, const char *configured);

/* The CRL distribution point base: [identity] crl_base_url without trailing
 * slashes, or https://<listen>:<port>/pki/crl (IPv6 in brackets) when it is
 * empty; `port` is the port actually bound. Heap. */
char *server_config_crl_base_url(const struct server_config *c, uint16_t port);

/* [cvd]: the base URL and security.txt's settings under RFC 9116 at time
 * now (cvd/security-txt.h); part of server_config_check. */
int server_config_check_cvd(const struct server_config *c, int64_t now, struct error *err);
#include "cvd/security-txt.h"
struct cvd_security_txt server_config_security_txt(const struct server_config *c);

/* Checks an address literal for [server] listen / --listen; *is_ipv6 tells which. */
int server_config_parse_listen(const char *s, bool *is_ipv6, struct error *err);

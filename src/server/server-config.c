/* SPDX-License-Identifier: Apache-2.0 */
#include "server-config.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/cleanup.h"
#include "core/fileio.h"
#include "core/strutil.h"
#include "ddi/ddi.h"
#include "approval/approval.h"
#include "keys/keys.h"
#include "debug/issue.h"
#include "auth/role.h"
#include "core/time.h"
#include "cvd/security-txt.h"
#include "crypto/key.h"

#define K(section, key, type, field, min, max, def, doc) \
        { section, key, type, offsetof(struct server_config, field), min, max, def, doc }

static const struct config_key schema[] = {
        K("server", "listen", CONFIG_STRING, listen, 0, 0, "127.0.0.1",
          "IPv4 or IPv6 address to listen on (0.0.0.0 or :: for all)"),
        K("server", "port", CONFIG_INT, port, 0, 65535, "8443",
          "TCP port for HTTPS (0 picks a free port, logged at start)"),
        K("server", "threads", CONFIG_INT, threads, 1, 256, "4",
          "worker threads, each with its own event loop and database connection"),
        K("server", "max_connections", CONFIG_INT, max_connections, 1, 65536, "512",
          "client connections open at once, over all addresses"),
        K("server", "max_connections_per_ip", CONFIG_INT, max_connections_per_ip, 0, 65536, "64",
          "client connections open at once from one address (0 = no limit)"),
        K("server", "connection_timeout", CONFIG_DURATION, connection_timeout, 1, 3600, "30",
          "close a connection that makes no progress at all (sends and reads nothing) this long"),
        K("server", "header_timeout", CONFIG_DURATION, header_timeout, 1, 3600, "10",
          "total time for the TLS handshake, request line and headers, from accept or from the "
          "previous answer on a kept-alive connection (so also the longest keep-alive idle time)"),
        K("server", "min_body_rate", CONFIG_SIZE, min_body_rate, 0, 1024 * 1024 * 1024, "1K",
          "bytes per second a request body must average after a first header_timeout; slower "
          "uploads are closed (0 = no minimum)"),
        K("server", "max_body", CONFIG_SIZE, max_body, 1024, 64 * 1024 * 1024, "1M",
          "largest request body accepted; larger ones get 413"),
        K("server", "shutdown_grace", CONFIG_DURATION, shutdown_grace, 0, 3600, "30",
          "on SIGTERM, wait this long for requests in progress before closing"),
        K("tls", "cert", CONFIG_STRING, tls_cert, 0, 0, "tls/server.pem",
          "server certificate (PEM), relative to the data directory"),
        K("tls", "key", CONFIG_STRING, tls_key, 0, 0, "tls/server.key",
          "server private key (PEM, mode 0600), relative to the data directory"),
        K("tls", "ca", CONFIG_STRING, tls_ca, 0, 0, "tls/ca.pem",
          "CA certificate that issued the server certificate; clients trust this file"),
        K("store", "path", CONFIG_STRING, store_path, 0, 0, "cradle.db",
          "SQLite database, relative to the data directory"),
        K("log", "level", CONFIG_STRING, log_level, 0, 0, "info",
          "debug, info, warn or error"),
        K("log", "format", CONFIG_STRING, log_format, 0, 0, "auto",
          "auto (text on a terminal, else JSON lines), text or json"),
        K("auth", "max_failures", CONFIG_INT, auth_max_failures, 1, 1000, "5",
          "failed authentications from one address allowed within failure_window"),
        K("auth", "failure_window", CONFIG_DURATION, auth_failure_window, 1, 86400, "60",
          "window in which failed authentications are counted"),
        K("auth", "max_lockout", CONFIG_DURATION, auth_max_lockout, 1, 86400, "300",
          "longest lockout of an address; it doubles with each further failure"),
        K("identity", "crl_base_url", CONFIG_STRING, crl_base_url, 0, 0, "",
          "URL devices fetch CRLs from (<url>/<CA name>.crl), written into every device "
          "certificate; empty = https://<listen>:<port>/pki/crl, which is only right when "
          "devices reach this address"),
        K("identity", "birth_days", CONFIG_INT, birth_days, 1, 36500, "7300",
          "validity of birth (factory) device certificates, in days"),
        K("identity", "operational_days", CONFIG_INT, operational_days, 1, 3650, "365",
          "validity of operational (renewed) device certificates, in days"),
        K("identity", "claim_max_failures", CONFIG_INT, claim_max_failures, 1, 1000, "5",
          "refused migration claims from one address allowed within claim_failure_window"),
        K("identity", "claim_failure_window", CONFIG_DURATION, claim_failure_window, 1, 86400, "1h",
          "window in which refused migration claims are counted"),
        K("identity", "claim_max_lockout", CONFIG_DURATION, claim_max_lockout, 1, 86400, "1h",
          "longest lockout of an address from migration claims; it doubles with each refusal"),
        /* the director (issue 4, engineer B) */
        K("ota", "director_expiry", CONFIG_DURATION, director_expiry, 300, 30 * 86400, "24h",
          "lifetime of each device's director targets metadata; it is re-signed after half of it"),
        K("ota", "director_key", CONFIG_STRING, director_key, 0, 0, "",
          "the director's online targets key: a PEM file (relative to the data directory) or a "
          "pkcs11: URI; empty = director-keys/targets.key, generated on first use"),
        /* releases and image repositories (issue 4, engineer A) */
        K("ota", "max_image_size", CONFIG_SIZE, max_image_size, 1024, (int64_t) 1 << 40, "4G",
          "largest image or SBOM upload (streamed to disk); larger ones get 413"),
        K("ota", "targets_expiry_days", CONFIG_INT, targets_expiry_days, 1, 3650, "365",
          "lifetime of prepared targets metadata; its keys are offline, so publish a release before then"),
        K("ota", "snapshot_expiry", CONFIG_DURATION, snapshot_expiry, 3600, 365 * 86400, "7d",
          "lifetime of snapshot metadata; the server re-signs it when less than half is left"),
        K("ota", "timestamp_expiry", CONFIG_DURATION, timestamp_expiry, 300, 30 * 86400, "1d",
          "lifetime of timestamp metadata; the server re-signs it when less than half is left"),
        K("ota", "online_key_type", CONFIG_STRING, online_key_type, 0, 0, "ed25519",
          "type of the snapshot and timestamp keys the server generates per product: ed25519 or p256"),
        K("ota", "online_key_pkcs11", CONFIG_STRING, online_key_pkcs11, 0, 0, "",
          "empty: online keys are files under repo-keys/<model>/; else a pkcs11: URI template with "
          "{model} and {role} (snapshot, timestamp) naming keys that exist on the token"),
        /* rollout campaigns (issue 8) */
        K("campaigns", "evaluate_interval", CONFIG_DURATION, campaign_evaluate_interval, 1, 3600, "10s",
          "how often the campaign evaluator reads device reports, checks gates and limits, and makes offers"),
        /* hawkBit DDI (issue 8; docs/ddi.md) */
        K("ddi", "polling_sleep", CONFIG_DURATION, ddi_polling_sleep, 1, 86399, "5m",
          "how long DDI clients sleep between polls (config.polling.sleep of the base poll)"),
        K("ddi", "feedback_lines_max", CONFIG_INT, ddi_feedback_lines_max, 1, 10000, "64",
          "detail lines accepted in one DDI feedback; more get 413"),
        K("ddi", "feedback_line_max", CONFIG_INT, ddi_feedback_line_max, 64, 65536, "4096",
          "bytes of one DDI feedback detail line; longer ones get 413"),
        K("ddi", "action_feedback_max", CONFIG_INT, ddi_action_feedback_max, 1, 1000000, "1000",
          "in-progress DDI feedback reports taken per action; later ones get 413 (a closing report is always taken)"),
        K("ddi", "action_lines_max", CONFIG_INT, ddi_action_lines_max, 1, 10000000, "10000",
          "DDI feedback detail lines taken per action; later in-progress reports get 413"),
        K("ddi", "config_keys_max", CONFIG_INT, ddi_config_keys_max, 1, 10000, "100",
          "configData keys kept per device (and accepted per request)"),
        K("ddi", "config_key_max", CONFIG_INT, ddi_config_key_max, 1, 1024, "128",
          "bytes of a configData key"),
        K("ddi", "config_value_max", CONFIG_INT, ddi_config_value_max, 1, 65536, "512",
          "bytes of a configData value (control characters are stored escaped)"),
        K("ddi", "config_data_allow", CONFIG_STRING, ddi_config_data_allow, 0, 0, DDI_CONFIG_ALLOW_DEFAULT,
          "comma-separated configData keys that are kept; others are answered as ignored and never "
          "stored (data minimisation); empty = keep none"),
        K("ddi", "gateway_token_sha256", CONFIG_STRING, ddi_gateway_token_sha256, 0, 0, "",
          "hex SHA-256 of the one DDI GatewayToken that may speak for every device; empty = "
          "GatewayToken refused (the default)"),
        K("ddi", "base_url", CONFIG_STRING, ddi_base_url, 0, 0, "",
          "https://host:port that links in DDI documents start with; empty = https://<the request's Host>"),
        /* findings and continuous monitoring (issue 9) */
        K("vulns", "match_interval", CONFIG_DURATION, vuln_match_interval, 1, 3600, "10s",
          "how often the vulnerability monitor matches new SBOMs and changed vulnerabilities and raises findings events"),
        /* vulnerability feeds (issue 9; docs/vulnerabilities.md) */
        K("vulns", "import_dir", CONFIG_STRING, vuln_import_dir, 0, 0, "",
          "directory (relative to the data directory, or absolute) whose feed files cradled imports "
          "when they change; empty = no scheduled import"),
        K("vulns", "import_interval", CONFIG_DURATION, vuln_import_interval, 1, 7 * 86400, "1h",
          "how often import_dir is scanned for new or changed feed files"),
        /* CRA Art. 14 reminders (issue 10; docs/reporting.md) */
        K("cases", "reminder_interval", CONFIG_DURATION, case_reminder_interval, 1, 3600, "1m",
          "how often cradled evaluates the Art. 14 reminders"),
        K("cases", "reminder_points", CONFIG_STRING, case_reminder_points, 0, 0, "50,80,overdue",
          "when a reminder fires: percentages (1-99, ascending) of each clock's period, and 'overdue'"),
        K("cases", "webhook_url", CONFIG_STRING, case_webhook_url, 0, 0, "",
          "http(s) URL each reminder is POSTed to, signed with HMAC-SHA256 (X-Cradle-Signature); empty = no webhook"),
        K("cases", "webhook_secret_file", CONFIG_STRING, case_webhook_secret_file, 0, 0, "",
          "file (mode 0600; relative to the data directory, or absolute) holding the webhook's HMAC secret"),
        /* end of support, CRA Art. 13(19) (issue 10 section 6; docs/reporting.md) */
        K("support", "remind", CONFIG_STRING, support_remind, 0, 0, "12m,6m",
          "when end-of-support reminders fire: months before each product's support end (descending, e.g. "
          "12m,6m); empty = none"),
        /* the CVD intake's case clocks and [cvd] (issue 10 section 4, fix/cvd; docs/reporting.md) */
        K("cases", "ack_days", CONFIG_INT, case_ack_days, 1, 365, "7",
          "days a new case has until it is acknowledged (leaves 'received'); shown to the reporter"),
        K("cases", "disclosure_days", CONFIG_INT, case_disclosure_days, 1, 3650, "90",
          "days from a new case to its disclosure target date; shown to the reporter"),
        K("cvd", "base_url", CONFIG_STRING, cvd_base_url, 0, 0, "",
          "https://host[:port] of the public intake: security.txt's Canonical and CSAF lines and the "
          "follow-up links start with it; empty = https://<the request's Host>"),
        K("cvd", "contact", CONFIG_STRING, cvd_contact, 0, 0, "",
          "security.txt Contact: comma-separated mailto:, https:// or tel: URIs; empty = the intake form "
          "(<base_url>/cvd/report)"),
        K("cvd", "expires", CONFIG_STRING, cvd_expires, 0, 0, "",
          "security.txt Expires as an RFC 3339 time, in the future and less than a year ahead (checked at "
          "start); empty = each answer's time plus validity"),
        K("cvd", "validity", CONFIG_DURATION, cvd_validity, 1, 364 * 86400, "180d",
          "security.txt Expires, when expires is empty: this long after the request"),
        K("cvd", "policy", CONFIG_STRING, cvd_policy, 0, 0, "",
          "security.txt Policy: https:// URL of the CVD policy (docs/reporting.md has a template); empty = none"),
        K("cvd", "preferred_languages", CONFIG_STRING, cvd_preferred_languages, 0, 0, "en",
          "security.txt Preferred-Languages: comma-separated language tags"),
        K("cvd", "encryption", CONFIG_STRING, cvd_encryption, 0, 0, "",
          "security.txt Encryption: https:// URL or openpgp4fpr: URI of the contact key; empty = "
          "<base_url>/cvd/openpgp-key.asc when a key was imported (cradled cvd-key), else none"),
        K("cvd", "acknowledgments", CONFIG_STRING, cvd_acknowledgments, 0, 0, "",
          "security.txt Acknowledgments: https:// URL of the page thanking reporters; empty = none"),
        K("cvd", "csaf", CONFIG_BOOL, cvd_csaf, 0, 0, "true",
          "security.txt carries CSAF: <base_url>/.well-known/csaf/provider-metadata.json"),
        K("cvd", "max_report", CONFIG_SIZE, cvd_max_report, 1024, 1024 * 1024, "64K",
          "largest report (its details) the form accepts; larger ones get 413 with a page saying so"),
        K("cvd", "max_message", CONFIG_SIZE, cvd_max_message, 1024, 1024 * 1024, "64K",
          "largest follow-up message, from a reporter or the team"),
        K("cvd", "max_actions", CONFIG_INT, cvd_max_actions, 1, 10000, "10",
          "reports, messages and wrong follow-up links one source address may send per window; "
          "beyond it the address gets 429 until its window ends"),
        K("cvd", "window", CONFIG_DURATION, cvd_window, 60, 7 * 86400, "1h",
          "the fixed window in which max_actions is counted per source address"),
        /* M-of-N approvals (issue 11; docs/keys.md) */
        K("approval", "approvers", CONFIG_INT, approval_approvers, 0, APPROVAL_APPROVERS_MAX, "2",
          "distinct users (never the requester) who must approve each governed operation without a "
          "policy of its own (cradle approval policy set); 0 = governance off, for single-operator test setups only"),
        K("approval", "roles", CONFIG_STRING, approval_roles, 0, 0, APPROVAL_ROLES_DEFAULT,
          "comma-separated roles an approver's token may act with, for operations without a policy of their own"),
        K("approval", "governed", CONFIG_STRING, approval_governed, 0, 0, APPROVAL_GOVERNED_DEFAULT,
          "comma-separated operations that need approval: device-ca.retire, campaign.security-start, "
          "debug.issue, migration.open, image.delete, approval.policy-set"),
        K("approval", "expiry", CONFIG_DURATION, approval_expiry, 60, 30 * 86400, "72h",
          "how long an approval request stays open; an expired request can be neither approved nor run"),
        /* secrets at rest (issue 11 section 6; docs/keys.md "Secrets at rest") */
        K("kek", "ref", CONFIG_STRING, kek_ref, 0, 0, "",
          "key-encryption key sealing migration keys, online key files and content keys: a pkcs11: URI "
          "(AES-256) or a key file (0600, not in the database's backups); empty = none (docs/keys.md)"),
        /* The key registry's rotation policy per class (issue 11; docs/keys.md "Rotation policies"),
         * in keys_classes order. */
        K("keys", "rotate.firmware-signing", CONFIG_DURATION, keys_rotate[0], 0, 36500LL * 86400, "730d",
          "a firmware-signing key is due for rotation this long after its activation (0 = no rotation period)"),
        K("keys", "rotate.tuf-root", CONFIG_DURATION, keys_rotate[1], 0, 36500LL * 86400, "365d",
          "a tuf-root key is due for rotation this long after its activation (0 = no rotation period)"),
        K("keys", "rotate.tuf-online", CONFIG_DURATION, keys_rotate[2], 0, 36500LL * 86400, "90d",
          "a tuf-online key is due for rotation this long after its activation (0 = no rotation period)"),
        K("keys", "rotate.director", CONFIG_DURATION, keys_rotate[3], 0, 36500LL * 86400, "365d",
          "a director key is due for rotation this long after its activation (0 = no rotation period)"),
        K("keys", "rotate.device-ca", CONFIG_DURATION, keys_rotate[4], 0, 36500LL * 86400, "1825d",
          "a device-ca key is due for rotation this long after its activation (0 = no rotation period)"),
        K("keys", "rotate.root-ca", CONFIG_DURATION, keys_rotate[5], 0, 36500LL * 86400, "3650d",
          "a root-ca key is due for rotation this long after its activation (0 = no rotation period)"),
        K("keys", "rotate.tls", CONFIG_DURATION, keys_rotate[6], 0, 36500LL * 86400, "365d",
          "a tls key is due for rotation this long after its activation (0 = no rotation period)"),
        K("keys", "rotate.ota-encryption", CONFIG_DURATION, keys_rotate[7], 0, 36500LL * 86400, "365d",
          "a ota-encryption key is due for rotation this long after its activation (0 = no rotation period)"),
        K("keys", "rotate.debug-auth", CONFIG_DURATION, keys_rotate[8], 0, 36500LL * 86400, "365d",
          "a debug-auth key is due for rotation this long after its activation (0 = no rotation period)"),
        K("keys", "rotate.audit-checkpoint", CONFIG_DURATION, keys_rotate[9], 0, 36500LL * 86400, "365d",
          "a audit-checkpoint key is due for rotation this long after its activation (0 = no rotation period)"),
        K("keys", "rotate.migration", CONFIG_DURATION, keys_rotate[10], 0, 36500LL * 86400, "90d",
          "a migration key is due for rotation this long after its activation (0 = no rotation period)"),
        K("keys", "rotate.kek", CONFIG_DURATION, keys_rotate[11], 0, 36500LL * 86400, "730d",
          "a kek key is due for rotation this long after its activation (0 = no rotation period)"),
        /* Debug-authorisation tokens (issue 11 section 4; docs/keys.md "## Debug tokens") */
        K("debug", "key", CONFIG_STRING, debug_key, 0, 0, "",
          "the debug-auth signing key: a file (relative to the data directory, or absolute) or a pkcs11: URI; "
          "generated (ECDSA P-256) on first use when missing; empty = debug-auth.key in the data directory"),
        K("debug", "validity", CONFIG_DURATION, debug_validity, 60, DEBUG_VALIDITY_MAX, "24h",
          "how long an issued debug token is valid (not-after minus not-before); devices refuse more than "
          "their own [debug] max_validity (24 h by default)"),
        /* CSAF advisories and the provider directory (issue 10 section 5; docs/reporting.md) */
        K("csaf", "base_url", CONFIG_STRING, csaf_base_url, 0, 0, "",
          "https://host[:port] the CSAF provider directory (/.well-known/csaf/) is reached at; it goes into every "
          "published advisory and provider-metadata.json; empty = advisories cannot be published"),
        K("csaf", "publisher_name", CONFIG_STRING, csaf_publisher_name, 0, 0, "",
          "document.publisher.name of the advisories; empty = the affected product's manufacturer"),
        K("csaf", "publisher_namespace", CONFIG_STRING, csaf_publisher_namespace, 0, 0, "",
          "document.publisher.namespace (an https URL of the maker); empty = base_url"),
        K("csaf", "list_on_aggregators", CONFIG_BOOL, csaf_list_on_aggregators, 0, 0, "false",
          "provider-metadata.json list_on_CSAF_aggregators: whether CSAF aggregators may list this provider"),
        K("csaf", "mirror_on_aggregators", CONFIG_BOOL, csaf_mirror_on_aggregators, 0, 0, "false",
          "provider-metadata.json mirror_on_CSAF_aggregators: whether CSAF aggregators may mirror the documents"),
        /* signed audit checkpoints (issue 11 section 6; docs/security.md, "Audit checkpoints") */
        K("audit", "checkpoint_every", CONFIG_INT, audit_checkpoint_every, 1, 100000000, "1000",
          "sign a checkpoint once this many audit entries follow the last one"),
        K("audit", "checkpoint_interval", CONFIG_DURATION, audit_checkpoint_interval, 1, 7 * 86400, "15m",
          "sign a checkpoint this long after the last one when the log has grown since"),
        K("audit", "checkpoint_key", CONFIG_STRING, audit_checkpoint_key, 0, 0, "keys/audit-checkpoint.key",
          "the audit-checkpoint signing key: a PEM file (relative to the data directory, or absolute; made "
          "on first start when absent) or a pkcs11: URI (PIN from CRADLE_PKCS11_PIN or CRADLE_PKCS11_PIN_FILE)"),
        K("audit", "checkpoint_key_type", CONFIG_STRING, audit_checkpoint_key_type, 0, 0, "p256",
          "type of the key made on first start: p256, p384, ed25519 or rsa3072"),
        K("audit", "witness_file", CONFIG_STRING, audit_witness_file, 0, 0, "",
          "file each checkpoint is appended to as a JSON line (fsync'd); put it on other storage; empty = none"),
        K("audit", "witness_url", CONFIG_STRING, audit_witness_url, 0, 0, "",
          "http(s) URL each checkpoint's JSON is POSTed to, retried with backoff until a 2xx answer; empty = none"),
        K("audit", "witness_syslog", CONFIG_BOOL, audit_witness_syslog, 0, 0, "false",
          "log each checkpoint as one syslog line (facility auth, ident cradled-audit)"),
};

_Static_assert(sizeof(((struct server_config *) 0)->keys_rotate) / sizeof(int64_t) == KEYS_CLASS_COUNT,
               "[keys] rotate.<class>: one value per key class");

int server_config_keys_policy(const struct server_config *c, struct keys_policy *p, struct error *err) {
        /* By the schema rows' names, so a row and its class cannot drift apart. */
        keys_policy_init(p);
        size_t found = 0;
        for (size_t i = 0; i < ELEMENTSOF(schema); i++) {
                if (strcmp(schema[i].section, "keys") != 0 || strncmp(schema[i].key, "rotate.", 7) != 0)
                        continue;
                const int64_t *v = (const int64_t *) ((const char *) c + schema[i].offset);
                if (keys_policy_set(p, schema[i].key + 7, *v, err) < 0)
                        return error_prefix(err, "[keys] %s: ", schema[i].key);
                found++;
        }
        if (found != KEYS_CLASS_COUNT)
                return error_set(err, ERROR_INTERNAL, "[keys]: %zu rotation periods for %d key classes", found,
                                 KEYS_CLASS_COUNT);
        return 0;
}

const struct config_key *server_config_schema(size_t *n_out) {
        *n_out = ELEMENTSOF(schema);
        return schema;
}

/* [approval]: every role and operation named must exist, so a typo does not
 * silently leave an operation ungoverned. */
static int server_config_check_approval(const struct server_config *c, struct error *err) {
        _cleanup_free_ char *roles = str_dup(c->approval_roles ? c->approval_roles : "");
        char *save = NULL;
        size_t n = 0;
        for (char *t = strtok_r(roles, ", ", &save); t; t = strtok_r(NULL, ", ", &save), n++) {
                enum role r;
                if (role_parse(t, &r, err) < 0)
                        return error_prefix(err, "[approval] roles: ");
        }
        if (!n)
                return error_set(err, ERROR_INVALID, "[approval] roles: at least one role is required");
        _cleanup_free_ char *ops = str_dup(c->approval_governed ? c->approval_governed : "");
        for (char *t = strtok_r(ops, ", ", &save); t; t = strtok_r(NULL, ", ", &save))
                if (!approval_operation_known(t))
                        return error_set(err, ERROR_INVALID, "[approval] governed: '%.64s' is not an operation "
                                         "(" APPROVAL_GOVERNED_DEFAULT ")", t);
        return 0;
}

/* [cvd]: security.txt must follow RFC 9116 (security-txt.h), so a setting
 * that would serve an invalid or stale file stops cradled at start. */
int server_config_check_cvd(const struct server_config *c, int64_t now, struct error *err) {
        if (c->cvd_base_url && *c->cvd_base_url && cvd_base_url_check(c->cvd_base_url, err) < 0)
                return -1;
        const struct cvd_security_txt t = server_config_security_txt(c);
        return cvd_security_txt_check(&t, now, err);
}

struct cvd_security_txt server_config_security_txt(const struct server_config *c) {
        return (struct cvd_security_txt) {
                .contact = c->cvd_contact, .expires = c->cvd_expires, .validity = c->cvd_validity,
                .policy = c->cvd_policy, .preferred_languages = c->cvd_preferred_languages,
                .encryption = c->cvd_encryption, .acknowledgments = c->cvd_acknowledgments, .csaf = c->cvd_csaf,
        };
}

int server_config_parse_listen(const char *s, bool *is_ipv6, struct error *err) {
        struct in_addr a4;
        struct in6_addr a6;
        if (s && inet_pton(AF_INET, s, &a4) == 1) {
                *is_ipv6 = false;
                return 0;
        }
        if (s && inet_pton(AF_INET6, s, &a6) == 1) {
                *is_ipv6 = true;
                return 0;
        }
        return error_set(err, ERROR_INVALID,
                         "listen: '%s' is not an IPv4 or IPv6 address (host names are not resolved)",
                         s ? s : "");
}

int server_config_check(const struct server_config *c, struct error *err) {
        bool v6;
        enum log_level level;
        enum log_format format;
        if (server_config_parse_listen(c->listen, &v6, err) < 0)
                return error_prefix(err, "[server] ");
        if (log_level_parse(c->log_level, &level, err) < 0)
                return error_prefix(err, "[log] level: ");
        if (log_format_parse(c->log_format, &format, err) < 0)
                return error_prefix(err, "[log] format: ");
        const char *gw = c->ddi_gateway_token_sha256;
        if (gw && *gw) {
                bool hex = strlen(gw) == 64;
                for (size_t i = 0; hex && i < 64; i++)
                        hex = (gw[i] >= '0' && gw[i] <= '9') || (gw[i] >= 'a' && gw[i] <= 'f');
                if (!hex)
                        return error_set(err, ERROR_INVALID, "[ddi] gateway_token_sha256: must be empty or 64 "
                                         "lowercase hex digits (the SHA-256 of the token, never the token)");
        }
        const char *bu = c->ddi_base_url;
        if (bu && *bu && (strncmp(bu, "https://", 8) != 0 || bu[strlen(bu) - 1] == '/'))
                return error_set(err, ERROR_INVALID, "[ddi] base_url: must be empty or https://host[:port] without "
                                 "a trailing slash");
        /* [csaf] base_url goes into every published advisory for good. */
        const char *cu = c->csaf_base_url;
        if (cu && *cu && (strncmp(cu, "https://", 8) != 0 || strlen(cu) < 9 || cu[strlen(cu) - 1] == '/' ||
                          strpbrk(cu, " \t\"<>\\^`{|}?#")))
                return error_set(err, ERROR_INVALID, "[csaf] base_url: must be empty or https://host[:port] "
                                 "without a trailing slash, query or fragment");
        const char *ns = c->csaf_publisher_namespace;
        if (ns && *ns && (strncmp(ns, "https://", 8) != 0 || strpbrk(ns, " \t\"<>\\^`{|}")))
                return error_set(err, ERROR_INVALID, "[csaf] publisher_namespace: must be empty or an https:// URL");
        if (server_config_check_approval(c, err) < 0)
                return -1;
        if (server_config_check_cvd(c, time_now(), err) < 0)
                return -1;
        /* [audit]: checked at load, so a typo stops cradled instead of leaving checkpoints unsigned. */
        enum crypto_key_type kt;
        if (crypto_key_type_parse(c->audit_checkpoint_key_type ? c->audit_checkpoint_key_type : "", &kt, err) < 0)
                return error_prefix(err, "[audit] checkpoint_key_type: ");
        if (!c->audit_checkpoint_key || !*c->audit_checkpoint_key)
                return error_set(err, ERROR_INVALID, "[audit] checkpoint_key: must not be empty");
        const char *wu = c->audit_witness_url;
        if (wu && *wu && strncmp(wu, "https://", 8) != 0 && strncmp(wu, "http://", 7) != 0)
                return error_set(err, ERROR_INVALID, "[audit] witness_url: '%.200s' is not an http(s) URL", wu);
        const struct { const char *name; const char *v; } paths[] = {
                { "[tls] cert", c->tls_cert }, { "[tls] key", c->tls_key },
                { "[tls] ca", c->tls_ca }, { "[store] path", c->store_path },
        };
        for (size_t i = 0; i < ELEMENTSOF(paths); i++)
                if (!paths[i].v || !paths[i].v[0])
                        return error_set(err, ERROR_INVALID, "%s: must not be empty", paths[i].name);
        if (!str_eq(c->online_key_type, "ed25519") && !str_eq(c->online_key_type, "p256"))
                return error_set(err, ERROR_INVALID, "[ota] online_key_type: '%.32s' is not ed25519 or p256",
                                 c->online_key_type ? c->online_key_type : "");
        if (c->online_key_pkcs11 && c->online_key_pkcs11[0] && !str_startswith(c->online_key_pkcs11, "pkcs11:"))
                return error_set(err, ERROR_INVALID, "[ota] online_key_pkcs11: must be empty or a pkcs11: URI template");
        const char *url = c->crl_base_url ? c->crl_base_url : "";
        if (url[0]) {
                if (!str_startswith(url, "https://") && !str_startswith(url, "http://"))
                        return error_set(err, ERROR_INVALID,
                                         "[identity] crl_base_url: '%.80s' is not an http:// or https:// URL",
                                         url);
                if (strlen(url) > SERVER_URL_MAX)
                        return error_set(err, ERROR_INVALID,
                                         "[identity] crl_base_url: longer than %d characters", SERVER_URL_MAX);
                const char *host = strchr(url, ':') + 3;
                if (!host[0] || host[0] == '/')
                        return error_set(err, ERROR_INVALID, "[identity] crl_base_url: '%.80s' has no host",
                                         url);
                for (const char *p = url; *p; p++)
                        if (*p == ' ' || *p == '\t' || *p == '?' || *p == '#' || *p == '"')
                                return error_set(err, ERROR_INVALID,
                                                 "[identity] crl_base_url: '%.80s' must not contain "
                                                 "blanks, quotes, a query or a fragment",
                                                 url);
        }
        return 0;
}

char *server_config_crl_base_url(const struct server_config *c, uint16_t port) {
        if (c->crl_base_url && c->crl_base_url[0]) {
                char *url = str_dup(c->crl_base_url);
                size_t n = strlen(url);
                while (n > 0 && url[n - 1] == '/')
                        url[--n] = '\0';
                return url;
        }
        bool v6 = strchr(c->listen, ':') != NULL;
        return str_printf("https://%s%s%s:%u" SERVER_CRL_PATH, v6 ? "[" : "", c->listen, v6 ? "]" : "",
                          (unsigned) port);
}

int server_config_defaults(struct server_config *c, struct error *err) {
        memset(c, 0, sizeof(*c));
        return config_apply_defaults(schema, ELEMENTSOF(schema), c, err);
}

int server_config_load(const char *path, struct server_config *c, struct error *err) {
        memset(c, 0, sizeof(*c));
        if (config_load(path, schema, ELEMENTSOF(schema), c, err) < 0 ||
            server_config_check(c, err) < 0) {
                if (err && !str_startswith(err->msg, path))
                        error_prefix(err, "%s: ", path);
                server_config_free(c);
                return -1;
        }
        return 0;
}

int server_config_parse(const char *name, const char *buf, size_t len, struct server_config *c,
                        struct error *err) {
        memset(c, 0, sizeof(*c));
        if (config_parse_buffer(name, buf, len, schema, ELEMENTSOF(schema), c, err) < 0 ||
            server_config_check(c, err) < 0) {
                server_config_free(c);
                return -1;
        }
        return 0;
}

void server_config_free(struct server_config *c) {
        config_free(schema, ELEMENTSOF(schema), c);
        memset(c, 0, sizeof(*c));
}

char *server_config_defaults_text(struct error *err) {
        char *out = NULL;
        if (config_write_defaults(schema, ELEMENTSOF(schema), &out) < 0) {
                error_set(err, ERROR_INTERNAL, "cannot render the default configuration");
                return NULL;
        }
        return out;
}

char *server_config_path(const char *data_dir, const char *configured) {
        if (configured[0] == '/')
                return str_dup(configured);
        return path_join(data_dir, configured);
}

/* Turns the commented "#key = value" line of [section] into a setting. */
static bool uncomment_key(char *text, const char *section, const char *key) {
        _cleanup_free_ char *header = str_printf("\n[%s]\n", section);
        _cleanup_free_ char *line = str_printf("\n#%s = ", key);
        char *sec = strstr(text, header);
        if (!sec)
                return false;
        char *next_sec = strstr(sec + strlen(header), "\n[");
        char *l = strstr(sec, line);
        if (!l || (next_sec && l > next_sec))
                return false;
        /* Drop the '#' by shifting the rest of the text left by one. */
        memmove(l + 1, l + 2, strlen(l + 2) + 1);
        return true;
}

char *server_config_text(const char *listen, int64_t port, struct error *err) {
        struct config_key custom[ELEMENTSOF(schema)];
        char port_text[24];
        memcpy(custom, schema, sizeof(schema));
        snprintf(port_text, sizeof(port_text), "%" PRId64, port);
        for (size_t i = 0; i < ELEMENTSOF(custom); i++) {
                if (listen && str_eq(custom[i].section, "server") && str_eq(custom[i].key, "listen"))
                        custom[i].default_value = listen;
                if (port >= 0 && str_eq(custom[i].section, "server") && str_eq(custom[i].key, "port"))
                        custom[i].default_value = port_text;
                if (str_eq(custom[i].section, "kek") && str_eq(custom[i].key, "ref"))
                        custom[i].default_value = SERVER_INIT_KEK_FILE;
        }
        _cleanup_free_ char *defaults = NULL;
        if (config_write_defaults(custom, ELEMENTSOF(custom), &defaults) < 0 || !defaults) {
                error_set(err, ERROR_INTERNAL, "cannot render the configuration");
                return NULL;
        }
        /* The defaults are rendered as comments; init makes every one an
         * explicit setting, so an operator edits a value rather than
         * uncommenting it (and a later change of a default does not silently
         * change a running installation). */
        for (size_t i = 0; i < ELEMENTSOF(custom); i++)
                uncomment_key(defaults, custom[i].section, custom[i].key);
        const char *body = defaults;
        if (str_startswith(body, "# Every key") && strchr(body, '\n'))
                body = strchr(body, '\n') + 1; /* "...commented out": no longer true */
        char *text = str_printf("# cradled configuration, written by 'cradled init'.\n"
                                "# Relative paths are relative to this file's directory.\n"
                                "# 'cradled config-defaults' prints the defaults.\n%s",
                                body);

        struct server_config check;
        if (server_config_parse(SERVER_CONFIG_FILE, text, strlen(text), &check, err) < 0) {
                free(text);
                return NULL;
        }
        bool ok = (!listen || str_eq(check.listen, listen)) && (port < 0 || check.port == port);
        server_config_free(&check);
        if (!ok) {
                free(text);
                error_set(err, ERROR_INTERNAL, "the rendered configuration does not set listen and port");
                return NULL;
        }
        return text;
}

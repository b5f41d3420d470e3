/* SPDX-License-Identifier: Apache-2.0 */
#include "server.h"

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <string.h>
#include <time.h>

#include "auth/ratelimit.h"
#include "core/cleanup.h"
#include "core/fileio.h"
#include "core/log.h"
#include "core/strutil.h"
#include "ddi/ddi.h"
#include "core/time.h"
#include "cradle-version.h"
#include "crypto/ct.h"
#include "http.h"
#include "identity/peer.h"
#include "campaign-evaluator.h"
#include "case-reminders.h"
#include "audit-checkpointer.h"
#include "vuln-importer.h"
#include "vuln-importer.h"
#include "vuln-monitor.h"
#include "metrics.h"
#include "director-worker.h"
#include "director/seen.h"
#include "ota-maintenance.h"
#include "release/ota.h"
#include "router.h"
#include "approval/approval.h"
#include "keys/keys.h"
#include "keys-startup.h"
#include "csaf/csaf-publish.h"
#include "cvd/cvd.h"
#include "cvd/limit.h"
#include "debug/issue.h"
#include "routes.h"
#include "keys/keys.h"
#include "secret/kek.h"
#include "secret/seal-existing.h"
#include "server-config.h"
#include "store/store.h"

#define SERVER_PEM_MAX (1024 * 1024)
#define SERVER_RATELIMIT_CAPACITY 4096
/* After the grace period: how long answers of finished handlers may still take to leave. */
#define SERVER_SHUTDOWN_FLUSH_MS 1000

struct server {
        struct server_config cfg;
        struct store_pool *pool;
        struct auth_ratelimit *ratelimit;
        struct auth_ratelimit *claim_ratelimit;
        struct identity_trust_cache *trust_cache;
        char *data_dir;
        char *crl_base_url;
        struct metrics *metrics;
        struct router router;
        struct http_server *http;
        char *cert_pem;
        char *key_pem;
        size_t key_len;
        /* releases and image repositories (issue 4) */
        struct ota_config ota;
        struct ddi_config ddi;
        struct approval_defaults approval;
        struct keys_policy keys_policy; /* [keys] rotation periods (issue 11) */
        struct debug_config debug;      /* [debug] (issue 11 section 4) */
        char *debug_key;
        struct csaf_config csaf;
        char *upload_dir;
        struct ota_maintenance *ota_maintenance;
        struct campaign_evaluator *campaign_evaluator;
        struct vuln_monitor *vuln_monitor; /* findings (issue 9) */
        /* director: last_seen written in groups, targets signed ahead (issue 8) */
        struct director_seen *director_seen;
        struct director_worker *director_worker;
        /* the scheduled vulnerability feed import (issue 9) */
        struct vuln_importer *vuln_importer;
        struct case_reminders *case_reminders;
        /* the public CVD intake (issue 10 section 4) */
        struct cvd_settings cvd;
        struct cvd_limit *cvd_limit;
        char *cvd_key_path;
        /* the KEK of [kek] ref (issue 11 section 6): the process-wide kek_default() */
        struct kek *kek;
        /* signed audit checkpoints and their witnesses (issue 11 section 6) */
        struct audit_checkpointer *audit_checkpointer;
};

static void server_free(struct server *s) {
        http_server_stop(s->http);
        vuln_importer_stop(s->vuln_importer);
        case_reminders_stop(s->case_reminders);
        audit_checkpointer_stop(s->audit_checkpointer);
        campaign_evaluator_stop(s->campaign_evaluator);
        vuln_monitor_stop(s->vuln_monitor);
        ota_maintenance_stop(s->ota_maintenance);
        /* After the HTTP server: no poll notes last_seen any more, and the
         * worker's last flush writes what the answered ones noted. */
        director_worker_stop(s->director_worker);
        director_seen_free(s->director_seen);
        free(s->upload_dir);
        store_pool_close(s->pool);
        auth_ratelimit_free(s->ratelimit);
        auth_ratelimit_free(s->claim_ratelimit);
        cvd_limit_free(s->cvd_limit);
        free(s->cvd_key_path);
        if (s->trust_cache)
                identity_trust_cache_free(s->trust_cache);
        free(s->data_dir);
        free(s->debug_key);
        free(s->crl_base_url);
        metrics_free(s->metrics);
        free(s->cert_pem);
        if (s->key_pem)
                ct_wipe(s->key_pem, s->key_len);
        free(s->key_pem);
        kek_free(s->kek); /* after every thread that seals or opens */
        server_config_free(&s->cfg);
        memset(s, 0, sizeof(*s));
}

static int load_config(const char *data_dir, const struct server_overrides *ov,
                       struct server_config *cfg, struct error *err) {
        _cleanup_free_ char *path = path_join(data_dir, SERVER_CONFIG_FILE);
        if (!file_exists(path))
                return error_set(err, ERROR_NOT_FOUND,
                                 "%s is not initialised (no %s); run 'cradled init --data-dir %s' first",
                                 data_dir, path, data_dir);
        if (server_config_load(path, cfg, err) < 0)
                return -1;
        if (ov && ov->listen) {
                free(cfg->listen);
                cfg->listen = str_dup(ov->listen);
        }
        if (ov && ov->port >= 0)
                cfg->port = ov->port;
        return server_config_check(cfg, err);
}

static int load_tls(struct server *s, const char *data_dir, struct error *err) {
        _cleanup_free_ char *cert = server_config_path(data_dir, s->cfg.tls_cert);
        _cleanup_free_ char *key = server_config_path(data_dir, s->cfg.tls_key);
        size_t len;
        if (file_read_all(cert, SERVER_PEM_MAX, &s->cert_pem, &len, err) < 0)
                return error_prefix(err, "[tls] cert: ");
        if (file_check_private(key, err) < 0)
                return error_prefix(err, "[tls] key: ");
        if (file_read_all(key, SERVER_PEM_MAX, &s->key_pem, &s->key_len, err) < 0)
                return error_prefix(err, "[tls] key: ");
        return 0;
}

/* [kek] ref: loaded before any thread starts, and made the process-wide KEK.
 * A configured KEK that does not load stops the start: running on would
 * refuse every sealed secret later, far from the cause. Without one, a
 * warning (docs/keys.md "Secrets at rest": what is refused then). */
static int load_kek(struct server *s, const char *data_dir, struct error *err) {
        const char *ref = s->cfg.kek_ref;
        if (!ref || !*ref) {
                log_warn("no KEK configured ([kek] ref): new migration keys and content keys are refused, new "
                         "online key files are written unsealed; see docs/keys.md \"Secrets at rest\"");
                return 0;
        }
        _cleanup_free_ char *path = str_startswith(ref, "pkcs11:") || ref[0] == '/' ? str_dup(ref)
                                                                                     : path_join(data_dir, ref);
        if (kek_load(path, &s->kek, err) < 0)
                return error_prefix(err, "[kek] ref: ");
        kek_set_default(s->kek);
        log_info("KEK %s loaded (%s)", kek_fingerprint(s->kek), kek_is_pkcs11(s->kek) ? "PKCS#11" : "key file");

        /* Seal what a deployment from before secrets at rest keeps in clear.
         * A failure leaves those secrets as they were (each step is atomic)
         * and is retried at the next start; it does not stop the server. */
        struct store *st = store_pool_acquire(s->pool);
        struct secret_seal_report rep;
        struct error e = {0};
        int r = secret_seal_existing(st, s->kek, data_dir, s->cfg.director_key, &rep, &e);
        if (r == 0) {
                /* The KEK is a key like the others: in the registry (class kek),
                 * by its fingerprint (a key check value, never the key). */
                const struct keys_new kn = {
                        .class = "kek",
                        .purpose = "key-encryption key: seals migration keys, online key files and content keys at rest",
                        .fingerprint = kek_fingerprint(s->kek),
                        .algorithm = "AES-256-GCM",
                        .storage = kek_is_pkcs11(s->kek) ? "pkcs11" : "file",
                        .ref = path,
                };
                int64_t key_id;
                struct error ke = {0};
                if (keys_register(st, &kn, "system", &key_id, &ke) < 0)
                        log_warn("the KEK is not in the key registry: %s", ke.msg);
        }
        store_pool_release(s->pool, st);
        if (r < 0 && e.kind == ERROR_CRYPTO)
                /* The wrong KEK: nothing sealed would open. */
                return error_set(err, ERROR_CRYPTO, "[kek] ref: %s", e.msg);
        if (r < 0)
                log_error("sealing existing secrets under the KEK failed (retried at the next start): %s", e.msg);
        else if (rep.migration_keys || rep.key_files)
                log_info("sealed under the KEK: %zu migration key(s), %zu key file(s)", rep.migration_keys,
                         rep.key_files);
        return 0;
}

static int server_start(struct server *s, const char *data_dir, struct error *err) {
        _cleanup_free_ char *db = server_config_path(data_dir, s->cfg.store_path);
        if (!file_exists(db))
                return error_set(err, ERROR_NOT_FOUND,
                                 "[store] path: %s does not exist (was the data directory initialised with 'cradled init'?)",
                                 db);
        if (load_tls(s, data_dir, err) < 0)
                return -1;
        if (store_pool_open(db, (unsigned) s->cfg.threads, &s->pool, err) < 0)
                return -1;
        if (load_kek(s, data_dir, err) < 0)
                return -1;
        if (server_config_keys_policy(&s->cfg, &s->keys_policy, err) < 0)
                return -1;
        /* Before any request: every key cradled knows of is in the registry. */
        server_keys_register(s->pool, &s->cfg, data_dir);
        s->ratelimit = auth_ratelimit_new((unsigned) s->cfg.auth_max_failures,
                                          s->cfg.auth_failure_window, s->cfg.auth_max_lockout,
                                          SERVER_RATELIMIT_CAPACITY);
        s->claim_ratelimit = auth_ratelimit_new((unsigned) s->cfg.claim_max_failures,
                                                s->cfg.claim_failure_window, s->cfg.claim_max_lockout,
                                                SERVER_RATELIMIT_CAPACITY);
        s->trust_cache = identity_trust_cache_new();
        s->metrics = metrics_new(CRADLE_VERSION);
        s->data_dir = str_dup(data_dir);
        /* With port 0 the URL needs the bound port: it is set once bound. */
        bool url_known = (s->cfg.crl_base_url && s->cfg.crl_base_url[0]) || s->cfg.port != 0;
        if (url_known)
                s->crl_base_url = server_config_crl_base_url(&s->cfg, (uint16_t) s->cfg.port);
        s->router = (struct router) {
                .pool = s->pool,
                .ratelimit = s->ratelimit,
                .metrics = s->metrics,
                .max_body = (size_t) s->cfg.max_body,
                .data_dir = s->data_dir,
                .crl_base_url = s->crl_base_url,
                .birth_days = (unsigned) s->cfg.birth_days,
                .operational_days = (unsigned) s->cfg.operational_days,
                .trust_cache = s->trust_cache,
                .claim_ratelimit = s->claim_ratelimit,
                .director_expiry = s->cfg.director_expiry,
                .director_key = s->cfg.director_key,
                .ota = &s->ota,
                .ddi = &s->ddi,
                .ddi_base_url = s->cfg.ddi_base_url,
                .approval = &s->approval,
                .case_webhook = s->cfg.case_webhook_url && *s->cfg.case_webhook_url,
                .cvd = &s->cvd,
                .case_ack_days = (int) s->cfg.case_ack_days,
                .case_disclosure_days = (int) s->cfg.case_disclosure_days,
                .keys_policy = &s->keys_policy,
                .debug = &s->debug,
                .csaf = &s->csaf,
        };
        /* A pkcs11: URI is kept as it is; a file is relative to the data directory. */
        s->debug_key = strncmp(s->cfg.debug_key, "pkcs11:", 7) == 0 ? str_dup(s->cfg.debug_key)
                                                                     : server_config_path(s->data_dir, s->cfg.debug_key);
        s->debug = (struct debug_config) {
                .key_ref = s->cfg.debug_key && *s->cfg.debug_key ? s->debug_key : NULL,
                .data_dir = s->data_dir,
                .validity = s->cfg.debug_validity,
        };
        s->csaf = (struct csaf_config) {
                .base_url = s->cfg.csaf_base_url,
                .publisher_name = s->cfg.csaf_publisher_name,
                .publisher_namespace = s->cfg.csaf_publisher_namespace,
                .list_on_aggregators = s->cfg.csaf_list_on_aggregators,
                .mirror_on_aggregators = s->cfg.csaf_mirror_on_aggregators,
        };
        s->cvd_limit = cvd_limit_new((unsigned) s->cfg.cvd_max_actions, s->cfg.cvd_window, SERVER_RATELIMIT_CAPACITY);
        s->router.cvd_limit = s->cvd_limit;
        s->cvd_key_path = path_join(s->data_dir, CVD_KEY_FILE);
        s->cvd = (struct cvd_settings) {
                .base_url = s->cfg.cvd_base_url,
                .txt = server_config_security_txt(&s->cfg),
                .limits = { .max_report = (size_t) s->cfg.cvd_max_report, .max_message = (size_t) s->cfg.cvd_max_message,
                            .ack_days = (int) s->cfg.case_ack_days, .disclosure_days = (int) s->cfg.case_disclosure_days },
                .key_path = s->cvd_key_path,
        };
        s->approval = (struct approval_defaults) {
                .approvers = s->cfg.approval_approvers,
                .roles = s->cfg.approval_roles,
                .governed = s->cfg.approval_governed,
                .expiry = s->cfg.approval_expiry,
        };
        /* Documented for single-operator test setups only (docs/keys.md): say
         * so loudly, so it is not left on in production by accident. */
        if (s->cfg.approval_approvers == 0)
                log_warn("approvals are off ([approval] approvers = 0): governed operations (%s) run at one "
                         "person's word unless a stored policy says otherwise",
                         s->cfg.approval_governed && *s->cfg.approval_governed ? s->cfg.approval_governed : "none");
        s->ddi = (struct ddi_config) {
                .polling_sleep = s->cfg.ddi_polling_sleep,
                .feedback_lines_max = s->cfg.ddi_feedback_lines_max,
                .feedback_line_max = s->cfg.ddi_feedback_line_max,
                .action_feedback_max = s->cfg.ddi_action_feedback_max,
                .action_lines_max = s->cfg.ddi_action_lines_max,
                .config_keys_max = s->cfg.ddi_config_keys_max,
                .config_key_max = s->cfg.ddi_config_key_max,
                .config_value_max = s->cfg.ddi_config_value_max,
                .config_allow = s->cfg.ddi_config_data_allow,
                .gateway_token_sha256 = s->cfg.ddi_gateway_token_sha256,
        };
        s->director_seen = director_seen_new(0);
        s->router.director_seen = s->director_seen;
        s->router.routes = routes_table(&s->router.n_routes);
        s->ota = (struct ota_config) {
                .targets_expiry = s->cfg.targets_expiry_days * 86400,
                .snapshot_expiry = s->cfg.snapshot_expiry,
                .timestamp_expiry = s->cfg.timestamp_expiry,
                .online_key_type = s->cfg.online_key_type,
                .online_key_pkcs11 = s->cfg.online_key_pkcs11,
        };
        if (ota_upload_dir_prepare(s->data_dir, &s->upload_dir, err) < 0)
                return -1;

        /* The CSAF directory is files that must agree with csaf_revisions:
         * rewritten from the rows before anything is served (a crash
         * between a publication's commit and its switch left them behind). */
        if (s->cfg.csaf_base_url && *s->cfg.csaf_base_url) {
                struct error cerr = {0};
                struct store *cs = store_pool_acquire(s->pool);
                if (!cs || csaf_directory_sync(cs, &s->csaf, s->data_dir, &cerr) < 0)
                        log_error("CSAF: the provider directory was not rebuilt: %s", cerr.msg);
                if (cs)
                        store_pool_release(s->pool, cs);
        }

        struct http_server_options o = {
                .listen = s->cfg.listen,
                .port = (uint16_t) s->cfg.port,
                .threads = (unsigned) s->cfg.threads,
                .max_connections = (unsigned) s->cfg.max_connections,
                .max_connections_per_ip = (unsigned) s->cfg.max_connections_per_ip,
                .connection_timeout = (unsigned) s->cfg.connection_timeout,
                .header_timeout = (unsigned) s->cfg.header_timeout,
                .min_body_rate = s->cfg.min_body_rate,
                .max_body = (size_t) s->cfg.max_body,
                .stream_dir = s->upload_dir,
                .max_stream_body = s->cfg.max_image_size,
                .cert_pem = s->cert_pem,
                .key_pem = s->key_pem,
        };
        if (http_server_start(&o, &s->router, s->metrics, &s->http, err) < 0)
                return -1;
        if (ota_maintenance_start(s->pool, s->data_dir, &s->ota, OTA_MAINTENANCE_INTERVAL_S, &s->ota_maintenance,
                                  err) < 0)
                return -1;
        if (campaign_evaluator_start(s->pool, s->metrics, (unsigned) s->cfg.campaign_evaluate_interval,
                                     &s->campaign_evaluator, err) < 0)
                return -1;
        if (vuln_monitor_start(s->pool, s->metrics, (unsigned) s->cfg.vuln_match_interval, &s->vuln_monitor, err) < 0)
                return -1;
        if (s->cfg.vuln_import_dir && *s->cfg.vuln_import_dir) {
                _cleanup_free_ char *dir = s->cfg.vuln_import_dir[0] == '/' ? str_dup(s->cfg.vuln_import_dir)
                                                                              : path_join(s->data_dir,
                                                                                          s->cfg.vuln_import_dir);
                if (vuln_importer_start(s->pool, dir, (unsigned) s->cfg.vuln_import_interval, &s->vuln_importer,
                                        err) < 0)
                        return -1;
        }
        {
                _cleanup_free_ char *secret = NULL;
                const char *sf = s->cfg.case_webhook_secret_file;
                if (sf && *sf)
                        secret = sf[0] == '/' ? str_dup(sf) : path_join(s->data_dir, sf);
                const struct case_reminders_config rc = {
                        .pool = s->pool, .metrics = s->metrics, .interval_s = (unsigned) s->cfg.case_reminder_interval,
                        .points = s->cfg.case_reminder_points, .webhook_url = s->cfg.case_webhook_url,
                        .webhook_secret_file = secret, .support_points = s->cfg.support_remind,
                };
                if (case_reminders_start(&rc, &s->case_reminders, err) < 0)
                        return -1;
        }
        {
                const struct audit_checkpointer_config ac = {
                        .pool = s->pool, .data_dir = s->data_dir, .every = s->cfg.audit_checkpoint_every,
                        .interval = s->cfg.audit_checkpoint_interval, .key_ref = s->cfg.audit_checkpoint_key,
                        .key_type = s->cfg.audit_checkpoint_key_type, .witness_file = s->cfg.audit_witness_file,
                        .witness_url = s->cfg.audit_witness_url, .witness_syslog = s->cfg.audit_witness_syslog,
                };
                if (audit_checkpointer_start(&ac, &s->audit_checkpointer, err) < 0)
                        return -1;
        }
        const struct director_worker_config dw = {
                .pool = s->pool, .data_dir = s->data_dir, .key_ref = s->cfg.director_key,
                .expiry = s->cfg.director_expiry, .seen = s->director_seen,
        };
        if (director_worker_start(&dw, &s->director_worker, err) < 0)
                return -1;
        if (!url_known) {
                s->crl_base_url = server_config_crl_base_url(&s->cfg, http_server_port(s->http));
                atomic_store(&s->router.crl_base_url, s->crl_base_url);
        }
        log_info("device certificates name CRLs at %s/<CA name>.crl", s->crl_base_url);
        return 0;
}

static void sleep_msec(long ms) {
        struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L };
        while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
                ;
}

/* Waits for SIGTERM or SIGINT (blocked in every thread, so only this
 * sigwait sees them). SIGHUP is logged and otherwise ignored. */
static int wait_for_stop_signal(const sigset_t *set) {
        for (;;) {
                int sig = 0;
                if (sigwait(set, &sig) != 0)
                        continue;
                if (sig == SIGHUP) {
                        log_info("SIGHUP ignored: restart cradled to apply a changed configuration");
                        continue;
                }
                return sig;
        }
}

int server_run(const char *data_dir, const struct server_overrides *ov, struct error *err) {
        struct server s = {0};
        sigset_t set;

        if (load_config(data_dir, ov, &s.cfg, err) < 0) {
                server_free(&s);
                return -1;
        }
        enum log_level level = LOG_LEVEL_INFO;
        enum log_format format = LOG_FORMAT_AUTO;
        log_level_parse(s.cfg.log_level, &level, NULL);
        log_format_parse(s.cfg.log_format, &format, NULL);
        log_setup(level, format);

        /* Block the stop signals before any thread exists so every thread
         * inherits the mask; a broken client socket must not kill us. */
        sigemptyset(&set);
        sigaddset(&set, SIGTERM);
        sigaddset(&set, SIGINT);
        sigaddset(&set, SIGHUP);
        pthread_sigmask(SIG_BLOCK, &set, NULL);
        signal(SIGPIPE, SIG_IGN);

        if (server_start(&s, data_dir, err) < 0) {
                server_free(&s);
                return -1;
        }
        uint16_t port = http_server_port(s.http);
        bool v6 = strchr(s.cfg.listen, ':') != NULL;
        log_info("cradled %s listening on https://%s%s%s:%u (data directory %s, %" PRId64 " threads)",
                 CRADLE_VERSION, v6 ? "[" : "", s.cfg.listen, v6 ? "]" : "", (unsigned) port,
                 data_dir, s.cfg.threads);

        int sig = wait_for_stop_signal(&set);
        /* New requests (also on kept-alive connections) are refused from
         * here, idle connections closed, and answers close their connection,
         * so the requests in flight only go down. Counted after the switch:
         * none but these can still be carried out. */
        http_server_quiesce(s.http);
        log_info("shutting down (%s): no new connections or requests; waiting up to %" PRId64
                 "s for %u request(s) in progress",
                 sig == SIGTERM ? "SIGTERM" : "SIGINT", s.cfg.shutdown_grace,
                 http_server_in_flight(s.http));
        int64_t deadline = time_monotonic_usec() + s.cfg.shutdown_grace * 1000000;
        while (http_server_in_flight(s.http) > 0 && time_monotonic_usec() < deadline)
                sleep_msec(10);
        unsigned left = http_server_in_flight(s.http);
        if (left > 0) {
                /* Slow uploads and slow readers are cut off, but a handler that
                 * is running may be committing: let it finish and give its
                 * answer a moment to leave, and start no other. */
                http_server_close_handlers(s.http);
                while (http_server_handlers_running(s.http) > 0)
                        sleep_msec(10);
                int64_t flush = time_monotonic_usec() + SERVER_SHUTDOWN_FLUSH_MS * 1000;
                while (http_server_in_flight(s.http) > 0 && time_monotonic_usec() < flush)
                        sleep_msec(10);
                left = http_server_in_flight(s.http);
                log_warn("shutdown grace period over; closing %u request(s) still in progress "
                         "(uploads or answers not read)", left);
        }
        server_free(&s);
        log_info("stopped");
        return 0;
}

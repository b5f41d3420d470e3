/* SPDX-License-Identifier: Apache-2.0 */
/* The Art. 14 reminder thread and its webhook (case-reminders.h). */
#include "case-reminders.h"

#include <gnutls/crypto.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "case/reminder.h"
#include "core/cleanup.h"
#include "core/fileio.h"
#include "core/log.h"
#include "core/strutil.h"
#include "core/time.h"
#include "crypto/encoding.h"
#include "http-post.h"
#include "metrics.h"
#include "notify/support.h"
#include "periodic.h"
#include "store/store-case.h"
#include "store/store-notify.h"
#include "store/store.h"

#define SECRET_MAX 4096
#define WEBHOOK_BATCH 50

struct case_reminders {
        struct periodic *worker;
        struct store_pool *pool;
        struct metrics *metrics;
        struct case_reminder_points points;
        struct notify_support_points support_points;
        char *webhook_url;
        uint8_t *secret;
        size_t secret_len;
};

static int64_t reminders_now(void) {
#ifdef CRADLE_FAULT_INJECTION
        const char *f = getenv("CRADLE_TEST_CLOCK_FILE");
        if (f && *f) {
                char *text = NULL;
                size_t len;
                int64_t t;
                if (file_read_all(f, 64, &text, &len, NULL) == 0) {
                        while (len && (text[len - 1] == '\n' || text[len - 1] == ' '))
                                text[--len] = '\0';
                        bool ok = str_to_int64(text, 1, INT64_MAX, &t) == 0;
                        free(text);
                        if (ok)
                                return t;
                }
        }
#endif
        return time_now();
}

int case_webhook_sign(const uint8_t *secret, size_t secret_len, const char *body, size_t len, char out[72],
                      struct error *err) {
        uint8_t mac[32];
        if (gnutls_hmac_fast(GNUTLS_MAC_SHA256, secret, secret_len, body, len, mac) < 0)
                return error_set(err, ERROR_CRYPTO, "webhook: HMAC-SHA256 failed");
        memcpy(out, "sha256=", 7);
        hex_encode(mac, sizeof(mac), out + 7);
        out[7 + 64] = '\0';
        return 0;
}

static int post(struct case_reminders *r, const char *event, const char *body, char *why, size_t why_size) {
        char sig[72];
        struct error err = {0};
        if (case_webhook_sign(r->secret, r->secret_len, body, strlen(body), sig, &err) < 0) {
                snprintf(why, why_size, "%.200s", err.msg);
                return -1;
        }
        _cleanup_free_ char *sig_header = str_printf("X-Cradle-Signature: %s", sig);
        _cleanup_free_ char *event_header = str_printf("X-Cradle-Event: %s", event);
        const char *const headers[] = { event_header, sig_header, NULL };
        return server_http_post_json(r->webhook_url, body, headers, why, why_size);
}

/* The wait before attempt `attempts` + 1: 30 s doubling, at most 1 h. */
static int64_t backoff_s(int64_t attempts) {
        int64_t backoff = 30;
        for (int64_t k = 1; k < attempts && backoff < 3600; k++)
                backoff *= 2;
        return backoff > 3600 ? 3600 : backoff;
}

/* The other events (webhook_outbox, migration 18): end-of-support reminders
 * and notification lists, signed and retried exactly as the reminders are. */
static void deliver_outbox(struct case_reminders *r, struct store *s, int64_t now) {
        struct store_webhook_item *l = NULL;
        size_t n = 0;
        struct error err = {0};
        if (store_webhook_outbox_due(s, now, WEBHOOK_BATCH, &l, &n, &err) < 0) {
                log_error("webhook outbox: %s", err.msg);
                return;
        }
        for (size_t i = 0; i < n; i++) {
                char why[256] = "";
                int64_t attempts = l[i].attempts + 1;
                const char *state = "sent";
                int64_t next = now;
                if (post(r, l[i].event, l[i].body, why, sizeof(why)) < 0) {
                        if (attempts >= CASE_WEBHOOK_ATTEMPTS_MAX) {
                                state = "failed";
                                log_error("webhook: %s delivery %lld given up after %lld attempts: %s", l[i].event,
                                          (long long) l[i].id, (long long) attempts, why);
                        } else {
                                state = "pending";
                                next = now + backoff_s(attempts);
                                log_info("webhook: %s attempt %lld failed (%s); next in %lld s", l[i].event,
                                         (long long) attempts, why, (long long) (next - now));
                        }
                }
                if (store_webhook_outbox_update(s, l[i].id, state, attempts, next, *why ? why : NULL, &err) < 0)
                        log_error("webhook outbox state: %s", err.msg);
        }
        store_webhook_items_free(l, n);
}

static void deliver(struct case_reminders *r, struct store *s, int64_t now) {
        struct store_case_webhook *l = NULL;
        size_t n = 0;
        struct error err = {0};
        if (store_case_webhook_due(s, now, WEBHOOK_BATCH, &l, &n, &err) < 0) {
                log_error("case reminders: webhook queue: %s", err.msg);
                return;
        }
        for (size_t i = 0; i < n; i++) {
                char why[256] = "";
                int64_t attempts = l[i].attempts + 1;
                const char *state = "sent";
                int64_t next = 0;
                if (post(r, "case.clock.reminder", l[i].body, why, sizeof(why)) < 0) {
                        if (attempts >= CASE_WEBHOOK_ATTEMPTS_MAX) {
                                state = "failed";
                                log_error("case reminders: webhook for case %lld %s %s given up after %lld attempts: %s",
                                          (long long) l[i].case_id, l[i].report, l[i].point, (long long) attempts, why);
                        } else {
                                state = "pending";
                                next = now + backoff_s(attempts);
                                log_info("case reminders: webhook attempt %lld failed (%s); next in %lld s",
                                         (long long) attempts, why, (long long) (next - now));
                        }
                }
                if (store_case_webhook_update(s, &l[i], state, attempts, next, *why ? why : NULL, &err) < 0)
                        log_error("case reminders: webhook state: %s", err.msg);
        }
        store_case_webhook_list_free(l, n);
}

static int reminders_pass(struct periodic *p, void *ctx, struct error *err) {
        (void) p;
        struct case_reminders *r = ctx;
        struct store *s = store_pool_acquire(r->pool);
        if (!s)
                return error_set(err, ERROR_DB, "no store connection");
        int64_t now = reminders_now();
        struct case_reminder_report rep;
        int rc = 0;
        if (case_reminders_evaluate(s, &r->points, now, r->webhook_url != NULL, &rep, err) < 0)
                rc = -1;
        else if (rep.fired)
                log_info("case reminders: %lld fired", (long long) rep.fired);
        if (r->metrics)
                metrics_set_cases(r->metrics, case_reminder_metrics(&rep));
        /* End of support (Art. 13(19)): its own step, so a failure of one
         * kind of reminder does not hold back the other. */
        int64_t support_fired = 0;
        struct error serr = {0};
        if (notify_support_reminders_evaluate(s, &r->support_points, now, r->webhook_url != NULL, &support_fired,
                                              &serr) < 0) {
                log_error("end-of-support reminders: %s", serr.msg);
                if (rc == 0) {
                        *err = serr;
                        rc = -1;
                }
        } else if (support_fired) {
                log_info("end-of-support reminders: %lld fired", (long long) support_fired);
        }
        if (r->webhook_url) {
                deliver(r, s, now);
                deliver_outbox(r, s, now);
        }
        store_pool_release(r->pool, s);
        return rc;
}

static void reminders_free(struct case_reminders *r) {
        if (r->secret) {
                memset(r->secret, 0, r->secret_len);
                free(r->secret);
        }
        free(r->webhook_url);
        free(r);
}

int case_reminders_start(const struct case_reminders_config *cfg, struct case_reminders **out, struct error *err) {
        *out = NULL;
        struct case_reminders *r = xcalloc(1, sizeof(*r));
        r->pool = cfg->pool;
        r->metrics = cfg->metrics;
        if (case_reminder_points_parse(cfg->points ? cfg->points : CASE_REMINDER_POINTS_DEFAULT, &r->points, err) < 0) {
                reminders_free(r);
                return error_prefix(err, "[cases] reminder_points: ");
        }
        if (notify_support_points_parse(cfg->support_points ? cfg->support_points : NOTIFY_SUPPORT_POINTS_DEFAULT,
                                        &r->support_points, err) < 0) {
                reminders_free(r);
                return error_prefix(err, "[support] remind: ");
        }
        if (cfg->webhook_url && *cfg->webhook_url) {
                if (strncmp(cfg->webhook_url, "https://", 8) != 0 && strncmp(cfg->webhook_url, "http://", 7) != 0) {
                        reminders_free(r);
                        return error_set(err, ERROR_INVALID, "[cases] webhook_url: '%s' is not an http(s) URL",
                                         cfg->webhook_url);
                }
                if (!cfg->webhook_secret_file || !*cfg->webhook_secret_file) {
                        reminders_free(r);
                        return error_set(err, ERROR_INVALID,
                                         "[cases] webhook_url needs webhook_secret_file (the HMAC key)");
                }
                char *secret = NULL;
                size_t len = 0;
                if (file_check_private(cfg->webhook_secret_file, err) < 0 ||
                    file_read_all(cfg->webhook_secret_file, SECRET_MAX, &secret, &len, err) < 0) {
                        reminders_free(r);
                        return error_prefix(err, "[cases] webhook_secret_file: ");
                }
                while (len && (secret[len - 1] == '\n' || secret[len - 1] == '\r'))
                        len--;
                if (len < 16) {
                        memset(secret, 0, len);
                        free(secret);
                        reminders_free(r);
                        return error_set(err, ERROR_INVALID,
                                         "[cases] webhook_secret_file: the secret is shorter than 16 bytes");
                }
                r->secret = (uint8_t *) secret;
                r->secret_len = len;
                r->webhook_url = str_dup(cfg->webhook_url);
        }
        if (periodic_start("case reminders", cfg->interval_s ? cfg->interval_s : 60, reminders_pass, r, &r->worker,
                           err) < 0) {
                reminders_free(r);
                return -1;
        }
        *out = r;
        return 0;
}

void case_reminders_stop(struct case_reminders *r) {
        if (!r)
                return;
        periodic_stop(r->worker);
        reminders_free(r);
}

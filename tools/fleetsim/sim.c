/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The run loop. One thread, one libcurl multi handle, one timer heap:
 *  - a device that waits has one entry in the heap (its next poll, or the
 *    end of its simulated install);
 *  - a device that acts owns a `struct sim_poll` (an easy handle, a response
 *    buffer) only while it acts, so an idle device costs its `struct
 *    sim_device` and 16 bytes of heap;
 *  - a poll is one new TLS connection carrying the requests cradle-agent (or
 *    a hawkBit DDI client) makes in one cycle: the easy handle is reused for
 *    each request of the poll and gets a connection cache of its own (a curl
 *    share), destroyed at the end of the poll so the connection closes then.
 *    With --tls-resume the device keeps a share of TLS sessions instead and
 *    its connection ends in the multi handle's cache, never reused by a later
 *    poll (CURLOPT_FRESH_CONNECT on a poll's first request, and
 *    CURLOPT_MAXAGE_CONN for the others).
 * At most --max-inflight devices act at once; a device due while all slots
 * are busy waits, and the wait is reported as "lag".
 */
#include "sim.h"

#include <curl/curl.h>
#include <gnutls/gnutls.h>
#include <inttypes.h>
#include <jansson.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "core/cleanup.h"
#include "core/fileio.h"
#include "core/strutil.h"
#include "cradle-version.h"
#include "devices.h"
#include "parse.h"
#include "sched.h"
#include "stats.h"

#define VERSIONS_MAX 256
#define ROOT_ROTATIONS_MAX 8
#define PLAN_MAX 4

enum stage {
        STAGE_NONE, STAGE_DOWNLOADING, STAGE_INSTALLING, STAGE_AWAITING_REBOOT, STAGE_SUCCESS, STAGE_FAILURE,
        STAGE_ROLLED_BACK, STAGE_CANCELED, STAGE_SKIPPED, _STAGE_MAX,
};

static const char *const stage_names[_STAGE_MAX] = {
        "none", "downloading", "installing", "awaiting-reboot", "success", "failure", "rolled-back",
        "canceled", "skipped",
};

int fleetsim_stage_parse(const char *name) {
        for (int i = 1; i < _STAGE_MAX; i++)
                if (strcmp(stage_names[i], name) == 0)
                        return i;
        return -1;
}

enum outcome { OUTCOME_SUCCESS, OUTCOME_FAILURE, OUTCOME_ROLLED_BACK };

struct sim_device {
        char serial[FLEETSIM_SERIAL_MAX + 1];
        uint64_t rng;
        int64_t installed_sv, target_sv;
        int32_t dir_root_v, img_root_v, ts_v, snap_v, tgt_v;
        uint16_t installed;  /* index in the version table; 0 = unknown */
        uint16_t target;     /* the release being installed; 0 = none */
        uint16_t refused;    /* rolled back once: not retried (as the agent's failed_sha256) */
        uint8_t last_stage;
        uint8_t outcome;
        bool busy, installing, known;
        bool reached;        /* reported --until-reported's stage in this run */
        CURLSH *tls;         /* --tls-resume: this device's TLS sessions */
        char action[FLEETSIM_ACTION_ID_MAX + 1];      /* DDI: the action in progress */
        char closed_action[FLEETSIM_ACTION_ID_MAX + 1]; /* DDI: the last action closed */
};

enum step {
        /* cradle-agent */
        STEP_WHOAMI, STEP_DIR_ROOT, STEP_DIR_TARGETS, STEP_IMG_ROOT, STEP_TIMESTAMP, STEP_SNAPSHOT, STEP_TARGETS,
        /* DDI */
        STEP_DDI_BASE, STEP_DDI_DEPLOYMENT, STEP_DDI_CANCEL, STEP_DDI_CANCEL_FEEDBACK,
        /* both: the plan */
        STEP_PLAN,
};

enum plan_kind { PLAN_REPORT, PLAN_DOWNLOAD };

struct plan_item {
        uint8_t kind;
        uint8_t stage;
};

struct sim;

struct sim_poll {
        struct sim *sim;
        uint32_t dev;
        CURL *easy;
        CURLSH *conn;            /* this poll's connection cache (without --tls-resume) */
        enum step step;
        struct buf body;
        bool too_large, discard, tls_checked;
        char *post;
        int64_t started_us, req_started_us;
        int root_rounds;
        unsigned n_requests;     /* made so far in this poll */
        int64_t server_sleep_s;  /* DDI: config.polling.sleep, -1 when none */
        uint16_t offer;          /* agent: the release the director assigns */
        int64_t offer_sv;
        struct sim_poll *prev, *next; /* in flight */
        struct plan_item plan[PLAN_MAX];
        unsigned n_plan, i_plan;
        char download_url[FLEETSIM_HREF_MAX + 1];
        char cancel_href[FLEETSIM_HREF_MAX + 1];
        char cancel_id[FLEETSIM_ACTION_ID_MAX + 1];
};

struct period {
        uint64_t polls, requests, errors[_FLEETSIM_ERR_MAX], tls_full, tls_resumed, reports;
        struct fleetsim_hist poll_lat, req_lat, lag;
};

struct sim {
        const struct fleetsim_run_config *cfg;
        CURLM *multi;
        struct curl_slist *json_headers;
        struct sim_device *dev;
        size_t n_dev;
        struct fleetsim_heap heap;
        unsigned inflight;
        struct sim_poll *polls; /* in flight */
        char versions[VERSIONS_MAX][FLEETSIM_VERSION_MAX + 1];
        size_t n_versions;
        uint16_t until;  /* --until-installed: its version index, 0 = none */
        size_t n_until;  /* devices running it */
        int until_stage; /* --until-reported: the stage, -1 = none */
        size_t n_reached; /* devices that reported it */
        uint64_t unfinished; /* polls cut off by the end of the run */
        struct period cur, total;
        int64_t t0_us;
        char *cert_path, *key_path; /* scratch for paths */
};

static volatile sig_atomic_t stop_requested;
static void on_signal(int sig) {
        (void) sig;
        stop_requested = 1;
}

static int64_t now_us(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (int64_t) ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* ---- versions --------------------------------------------------------------- */

/* Index of `v` in the version table (added when new); 0 when the table is full. */
static uint16_t version_intern(struct sim *s, const char *v) {
        for (size_t i = 1; i < s->n_versions; i++)
                if (strcmp(s->versions[i], v) == 0)
                        return (uint16_t) i;
        if (s->n_versions >= VERSIONS_MAX)
                return 0;
        snprintf(s->versions[s->n_versions], sizeof(s->versions[0]), "%s", v);
        return (uint16_t) s->n_versions++;
}

static void set_installed(struct sim *s, struct sim_device *d, uint16_t v) {
        if (s->until && d->installed == s->until)
                s->n_until--;
        d->installed = v;
        if (s->until && v == s->until)
                s->n_until++;
}

/* ---- requests ----------------------------------------------------------------- */

static size_t on_body(char *data, size_t size, size_t n, void *ud) {
        struct sim_poll *p = ud;
        size_t len = size * n;
        if (p->discard)
                return len;
        if (p->body.len + len > FLEETSIM_RESPONSE_MAX) {
                p->too_large = true;
                return 0;
        }
        buf_append(&p->body, data, len);
        return len;
}

/* The first header of a poll's first answer: the TLS session exists, so
 * whether the server resumed it can be asked. */
static size_t on_header(char *data, size_t size, size_t n, void *ud) {
        struct sim_poll *p = ud;
        (void) data;
        if (!p->tls_checked) {
                const struct curl_tlssessioninfo *info = NULL;
                p->tls_checked = true;
                if (curl_easy_getinfo(p->easy, CURLINFO_TLS_SSL_PTR, &info) == CURLE_OK && info &&
                    info->backend == CURLSSLBACKEND_GNUTLS && info->internals) {
                        if (gnutls_session_is_resumed((gnutls_session_t) info->internals))
                                p->sim->cur.tls_resumed++;
                        else
                                p->sim->cur.tls_full++;
                }
        }
        return size * n;
}

static void bind_source(struct sim *s, struct sim_poll *p) {
        if (s->cfg->source_ips > 1) {
                char iface[40];
                snprintf(iface, sizeof(iface), "host!127.0.0.%u", 2 + p->dev % s->cfg->source_ips);
                curl_easy_setopt(p->easy, CURLOPT_INTERFACE, iface);
        }
}

static int poll_easy_new(struct sim *s, struct sim_poll *p, struct error *err) {
        struct sim_device *d = &s->dev[p->dev];
        _cleanup_free_ char *cert = fleetsim_device_path(s->cfg->dir, d->serial, "cert.pem");
        _cleanup_free_ char *key = fleetsim_device_path(s->cfg->dir, d->serial, "key.pem");
        CURL *c = curl_easy_init();
        if (!c)
                return error_set(err, ERROR_INTERNAL, "cannot create a libcurl handle");
        p->easy = c;
        curl_easy_setopt(c, CURLOPT_PRIVATE, p);
        curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "https,http");
        curl_easy_setopt(c, CURLOPT_SSLVERSION,
                         (long) (CURL_SSLVERSION_TLSv1_2 | (s->cfg->tls12 ? CURL_SSLVERSION_MAX_TLSv1_2 : 0)));
        curl_easy_setopt(c, CURLOPT_CAINFO, s->cfg->cacert);
        curl_easy_setopt(c, CURLOPT_CAPATH, NULL);
        curl_easy_setopt(c, CURLOPT_SSLCERT, cert);
        curl_easy_setopt(c, CURLOPT_SSLCERTTYPE, "PEM");
        curl_easy_setopt(c, CURLOPT_SSLKEY, key);
        curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, s->cfg->timeout);
        curl_easy_setopt(c, CURLOPT_TIMEOUT, s->cfg->timeout);
        curl_easy_setopt(c, CURLOPT_USERAGENT, "cradle-fleetsim/" CRADLE_VERSION);
        curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
        curl_easy_setopt(c, CURLOPT_WRITEDATA, p);
        curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
        curl_easy_setopt(c, CURLOPT_HEADERDATA, p);
        bind_source(s, p);
        if (s->cfg->tls_resume) {
                if (!d->tls) {
                        d->tls = curl_share_init();
                        if (d->tls)
                                curl_share_setopt(d->tls, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
                }
                curl_easy_setopt(c, CURLOPT_SHARE, d->tls);
                curl_easy_setopt(c, CURLOPT_SSL_SESSIONID_CACHE, 1L);
                /* A later poll must open a new connection, as the agent's does. */
                curl_easy_setopt(c, CURLOPT_MAXAGE_CONN, 1L);
        } else {
                p->conn = curl_share_init();
                if (!p->conn)
                        return error_set(err, ERROR_INTERNAL, "cannot create a libcurl share");
                curl_share_setopt(p->conn, CURLSHOPT_SHARE, CURL_LOCK_DATA_CONNECT);
                curl_easy_setopt(c, CURLOPT_SHARE, p->conn);
                curl_easy_setopt(c, CURLOPT_SSL_SESSIONID_CACHE, 0L);
        }
        return 0;
}

/* Queues a request on the poll's handle: GET when body is NULL, else POST JSON. */
static void request(struct sim *s, struct sim_poll *p, const char *url, char *json_body, bool discard) {
        CURL *c = p->easy;
        buf_free(&p->body);
        p->too_large = false;
        p->discard = discard;
        free(p->post);
        p->post = json_body;
        curl_easy_setopt(c, CURLOPT_URL, url);
        if (json_body) {
                curl_easy_setopt(c, CURLOPT_HTTPHEADER, s->json_headers);
                curl_easy_setopt(c, CURLOPT_POSTFIELDS, json_body);
                curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t) strlen(json_body));
        } else {
                curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
                curl_easy_setopt(c, CURLOPT_HTTPHEADER, NULL);
        }
        /* --tls-resume: the poll's connections stay in the multi's cache;
         * the first request of a poll must not take an old one (the rest take
         * this poll's, the only one idle for less than CURLOPT_MAXAGE_CONN). */
        if (s->cfg->tls_resume)
                curl_easy_setopt(c, CURLOPT_FRESH_CONNECT, p->n_requests == 0 ? 1L : 0L);
        p->n_requests++;
        p->req_started_us = now_us();
        curl_multi_add_handle(s->multi, c);
}

/* The server URL followed by a path made from fmt. */
static char *url_printf(struct sim *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static char *url_printf(struct sim *s, const char *fmt, ...) {
        va_list ap;
        char tail[FLEETSIM_HREF_MAX];
        va_start(ap, fmt);
        vsnprintf(tail, sizeof(tail), fmt, ap);
        va_end(ap);
        return str_printf("%s%s", s->cfg->url, tail);
}

/* ---- the device's update story -------------------------------------------- */

static void roll_outcome(struct sim *s, struct sim_device *d) {
        const char *v = s->versions[d->target];
        double pf = fleetsim_rule_lookup(s->cfg->fail, s->cfg->n_fail, v);
        double pr = fleetsim_rule_lookup(s->cfg->rollback, s->cfg->n_rollback, v);
        double u = fleetsim_rng_unit(&d->rng);
        d->outcome = u < pf ? OUTCOME_FAILURE : u < pf + pr ? OUTCOME_ROLLED_BACK : OUTCOME_SUCCESS;
}

static const char *outcome_reason(struct sim *s, struct sim_device *d, char *buf, size_t size) {
        if (d->outcome == OUTCOME_FAILURE)
                snprintf(buf, size, "simulated install failure of %s (cradle-fleetsim --fail)", s->versions[d->target]);
        else
                snprintf(buf, size, "simulated health check failure after rebooting into %s; rolled back to %s "
                                    "(cradle-fleetsim --rollback)",
                         s->versions[d->target], d->installed ? s->versions[d->installed] : "the previous slot");
        return buf;
}

/* POST /device/v1/status, the body of src/director/device-status.h. */
static char *status_body(struct sim *s, struct sim_device *d, enum stage stage) {
        char reason[300];
        json_t *r = json_pack("{s:s, s:s}", "stage", stage_names[stage], "to_version", s->versions[d->target]);
        char *out;
        if (d->installed)
                json_object_set_new(r, "from_version", json_string(s->versions[d->installed]));
        if (d->target_sv >= 0)
                json_object_set_new(r, "security_version", json_integer(d->target_sv));
        if (stage == STAGE_FAILURE || stage == STAGE_ROLLED_BACK)
                json_object_set_new(r, "reason", json_string(outcome_reason(s, d, reason, sizeof(reason))));
        out = json_dumps(r, JSON_COMPACT);
        json_decref(r);
        return out;
}

/* hawkBit DDI feedback: the action id as a number when it is one. */
static char *ddi_feedback_body(const char *id, const char *execution, const char *finished, int cnt, int of,
                               const char *detail) {
        char *end = NULL;
        long long n = strtoll(id, &end, 10);
        json_t *jid = (*id && !*end && n >= 0) ? json_integer(n) : json_string(id);
        json_t *result = json_pack("{s:s}", "finished", finished);
        char *out;
        if (of > 0)
                json_object_set_new(result, "progress", json_pack("{s:i, s:i}", "cnt", cnt, "of", of));
        json_t *r = json_pack("{s:o, s:{s:s, s:o, s:[s]}}", "id", jid, "status", "execution", execution, "result",
                              result, "details", detail);
        out = json_dumps(r, JSON_COMPACT);
        json_decref(r);
        return out;
}

static char *ddi_url(struct sim *s, struct sim_device *d, const char *tail) {
        return str_printf("%s/ddi/%s/controller/v1/%s%s", s->cfg->url, s->cfg->product, d->serial, tail);
}

static void set_stage(struct sim *s, struct sim_device *d, enum stage st) {
        d->last_stage = (uint8_t) st;
        s->cur.reports++;
        if ((int) st == s->until_stage && !d->reached) {
                d->reached = true;
                s->n_reached++;
        }
}

/* The request for plan item p->i_plan. */
static void plan_request(struct sim *s, struct sim_poll *p) {
        struct sim_device *d = &s->dev[p->dev];
        const struct plan_item *it = &p->plan[p->i_plan];
        char detail[320];

        if (it->kind == PLAN_DOWNLOAD) {
                request(s, p, p->download_url, NULL, true);
                return;
        }
        if (s->cfg->mode == FLEETSIM_MODE_AGENT) {
                _cleanup_free_ char *url = url_printf(s, "/device/v1/status");
                request(s, p, url, status_body(s, d, it->stage), false);
                return;
        }
        /* DDI feedback for the action in progress. */
        _cleanup_free_ char *tail = str_printf("/deploymentBase/%s/feedback", d->action);
        _cleanup_free_ char *url = ddi_url(s, d, tail);
        const char *v = s->versions[d->target];
        char *body;
        switch (it->stage) {
        case STAGE_DOWNLOADING:
                snprintf(detail, sizeof(detail), "downloading %s", v);
                body = ddi_feedback_body(d->action, "proceeding", "none", 0, 2, detail);
                break;
        case STAGE_INSTALLING:
                snprintf(detail, sizeof(detail), "installing %s", v);
                body = ddi_feedback_body(d->action, "proceeding", "none", 1, 2, detail);
                break;
        case STAGE_SKIPPED:
                snprintf(detail, sizeof(detail), "downloaded %s; installation deferred (update: skip)", v);
                body = ddi_feedback_body(d->action, "proceeding", "none", 1, 2, detail);
                break;
        case STAGE_SUCCESS:
                snprintf(detail, sizeof(detail), "installed %s", v);
                body = ddi_feedback_body(d->action, "closed", "success", 2, 2, detail);
                break;
        default: /* failure, rolled-back */
                body = ddi_feedback_body(d->action, "closed", "failure", 2, 2,
                                         outcome_reason(s, d, detail, sizeof(detail)));
                break;
        }
        request(s, p, url, body, false);
}

/* A plan item is done: what it means for the device. */
static void plan_item_done(struct sim *s, struct sim_poll *p) {
        struct sim_device *d = &s->dev[p->dev];
        const struct plan_item *it = &p->plan[p->i_plan];
        if (it->kind != PLAN_REPORT)
                return;
        set_stage(s, d, it->stage);
        switch (it->stage) {
        case STAGE_SUCCESS:
                set_installed(s, d, d->target);
                d->installed_sv = d->target_sv;
                d->target = 0;
                d->installing = false;
                snprintf(d->closed_action, sizeof(d->closed_action), "%s", d->action);
                d->action[0] = '\0';
                break;
        case STAGE_FAILURE:
        case STAGE_ROLLED_BACK:
                if (it->stage == STAGE_ROLLED_BACK)
                        d->refused = d->target;
                d->target = 0;
                d->installing = false;
                snprintf(d->closed_action, sizeof(d->closed_action), "%s", d->action);
                d->action[0] = '\0';
                break;
        case STAGE_INSTALLING:
                d->installing = true; /* the install runs for --install-delay */
                break;
        default:
                break;
        }
}

/* The offer is new for this device: download and start installing. */
static void plan_install(struct sim *s, struct sim_poll *p, const char *download_url) {
        struct sim_device *d = &s->dev[p->dev];
        roll_outcome(s, d);
        p->n_plan = 0;
        p->i_plan = 0;
        p->plan[p->n_plan++] = (struct plan_item) { PLAN_REPORT, STAGE_DOWNLOADING };
        if (s->cfg->download && download_url && *download_url) {
                if (download_url != p->download_url)
                        snprintf(p->download_url, sizeof(p->download_url), "%s", download_url);
                p->plan[p->n_plan++] = (struct plan_item) { PLAN_DOWNLOAD, 0 };
        }
        p->plan[p->n_plan++] = (struct plan_item) { PLAN_REPORT, STAGE_INSTALLING };
        p->step = STEP_PLAN;
        plan_request(s, p);
}

/* The end of a simulated install: its outcome. */
static void plan_finish(struct sim *s, struct sim_poll *p) {
        struct sim_device *d = &s->dev[p->dev];
        p->n_plan = 0;
        p->i_plan = 0;
        if (d->outcome == OUTCOME_FAILURE) {
                p->plan[p->n_plan++] = (struct plan_item) { PLAN_REPORT, STAGE_FAILURE };
        } else {
                /* cradle-agent reports awaiting-reboot before it reboots;
                 * a DDI client says nothing until it is back. */
                if (s->cfg->mode == FLEETSIM_MODE_AGENT)
                        p->plan[p->n_plan++] = (struct plan_item) { PLAN_REPORT, STAGE_AWAITING_REBOOT };
                p->plan[p->n_plan++] = (struct plan_item) {
                        PLAN_REPORT, d->outcome == OUTCOME_SUCCESS ? STAGE_SUCCESS : STAGE_ROLLED_BACK };
        }
        p->step = STEP_PLAN;
        plan_request(s, p);
}

/* ---- cradle-agent on the wire ---------------------------------------------- */

static void agent_request(struct sim *s, struct sim_poll *p) {
        struct sim_device *d = &s->dev[p->dev];
        _cleanup_free_ char *url = NULL;
        char n[24];
        switch (p->step) {
        case STEP_WHOAMI:
                url = url_printf(s, "/device/v1/whoami");
                break;
        case STEP_DIR_ROOT:
                snprintf(n, sizeof(n), "%d", d->dir_root_v + 1);
                url = url_printf(s, "/device/v1/director/%s.root.json", n);
                break;
        case STEP_DIR_TARGETS:
                url = url_printf(s, "/device/v1/director/targets.json");
                break;
        case STEP_IMG_ROOT:
                snprintf(n, sizeof(n), "%d", d->img_root_v + 1);
                url = url_printf(s, "/repo/%s/%s.root.json", s->cfg->product, n);
                break;
        case STEP_TIMESTAMP:
                url = url_printf(s, "/repo/%s/timestamp.json", s->cfg->product);
                break;
        case STEP_SNAPSHOT:
                snprintf(n, sizeof(n), "%d", d->snap_v);
                url = url_printf(s, "/repo/%s/%s.snapshot.json", s->cfg->product, n);
                break;
        case STEP_TARGETS:
                snprintf(n, sizeof(n), "%d", d->tgt_v);
                url = url_printf(s, "/repo/%s/%s.targets.json", s->cfg->product, n);
                break;
        default:
                abort();
        }
        request(s, p, url, NULL, false);
}

/* Where the agent downloads a target: consistent-snapshot name in the image
 * repository (<dir>/<sha256>.<name>). */
static void agent_download_url(struct sim *s, const struct fleetsim_offer *o, char *out, size_t size) {
        const char *slash = strrchr(o->path, '/');
        if (!o->sha256[0]) {
                out[0] = '\0';
                return;
        }
        if (slash)
                snprintf(out, size, "%s/repo/%s/targets/%.*s/%s.%s", s->cfg->url, s->cfg->product,
                         (int) (slash - o->path), o->path, o->sha256, slash + 1);
        else
                snprintf(out, size, "%s/repo/%s/targets/%s.%s", s->cfg->url, s->cfg->product, o->sha256, o->path);
}

enum next { NEXT_REQUEST, NEXT_DONE, NEXT_ERROR };

/* The agent's image-repository refresh is over (the agent refreshes it
 * whenever the director assigns something, up to date or not): an offer
 * this device does not run yet goes ahead. */
static enum next agent_offer_go(struct sim *s, struct sim_poll *p) {
        struct sim_device *d = &s->dev[p->dev];
        if (p->offer == d->installed || p->offer == d->refused)
                return NEXT_DONE; /* up to date, or rolled back before */
        d->target = p->offer;
        d->target_sv = p->offer_sv;
        plan_install(s, p, p->download_url);
        return NEXT_REQUEST;
}

static enum next agent_done(struct sim *s, struct sim_poll *p, long status, enum fleetsim_error *kind,
                            struct error *err) {
        struct sim_device *d = &s->dev[p->dev];
        const char *b = p->body.data ? p->body.data : "";
        size_t blen = p->body.len;
        int64_t v1 = 0, v2 = 0;

        /* A missing next root is the expected answer. */
        if ((p->step == STEP_DIR_ROOT || p->step == STEP_IMG_ROOT) && status == 404) {
                p->step = p->step == STEP_DIR_ROOT ? STEP_DIR_TARGETS : STEP_TIMESTAMP;
                p->root_rounds = 0;
                agent_request(s, p);
                return NEXT_REQUEST;
        }
        if (fleetsim_error_from_status(status, kind))
                return NEXT_ERROR;
        *kind = FLEETSIM_ERR_PARSE;
        switch (p->step) {
        case STEP_WHOAMI: {
                char v[FLEETSIM_VERSION_MAX + 1];
                if (fleetsim_parse_whoami(b, blen, v, &v1, err) < 0)
                        return NEXT_ERROR;
                set_installed(s, d, v[0] ? version_intern(s, v) : 0);
                d->installed_sv = v1;
                d->known = true;
                p->step = STEP_DIR_ROOT;
                agent_request(s, p);
                return NEXT_REQUEST;
        }
        case STEP_DIR_ROOT:
        case STEP_IMG_ROOT: {
                int32_t *rv = p->step == STEP_DIR_ROOT ? &d->dir_root_v : &d->img_root_v;
                if (fleetsim_parse_tuf_version(b, blen, &v1, err) < 0)
                        return NEXT_ERROR;
                if (v1 != *rv + 1 || ++p->root_rounds > ROOT_ROTATIONS_MAX) {
                        error_set(err, ERROR_INVALID, "root version %" PRId64 " where %d was asked", v1, *rv + 1);
                        return NEXT_ERROR;
                }
                *rv = (int32_t) v1;
                agent_request(s, p);
                return NEXT_REQUEST;
        }
        case STEP_DIR_TARGETS: {
                struct fleetsim_offer o;
                uint16_t t;
                if (fleetsim_parse_director_targets(b, blen, &o, err) < 0)
                        return NEXT_ERROR;
                if (!o.available)
                        return NEXT_DONE;
                t = version_intern(s, o.release);
                if (!t) {
                        error_set(err, ERROR_INVALID, "more than %d releases offered", VERSIONS_MAX - 1);
                        return NEXT_ERROR;
                }
                p->offer = t;
                p->offer_sv = o.security_version;
                agent_download_url(s, &o, p->download_url, sizeof(p->download_url));
                p->step = STEP_IMG_ROOT;
                agent_request(s, p);
                return NEXT_REQUEST;
        }
        case STEP_TIMESTAMP:
                if (fleetsim_parse_timestamp(b, blen, &v1, &v2, err) < 0)
                        return NEXT_ERROR;
                if (v1 == d->ts_v)
                        return agent_offer_go(s, p); /* nothing new: the stored metadata stands */
                d->ts_v = (int32_t) v1;
                if (v2 == d->snap_v)
                        return agent_offer_go(s, p);
                d->snap_v = (int32_t) v2;
                p->step = STEP_SNAPSHOT;
                agent_request(s, p);
                return NEXT_REQUEST;
        case STEP_SNAPSHOT:
                if (fleetsim_parse_snapshot(b, blen, &v1, err) < 0)
                        return NEXT_ERROR;
                if (v1 == d->tgt_v)
                        return agent_offer_go(s, p);
                d->tgt_v = (int32_t) v1;
                p->step = STEP_TARGETS;
                agent_request(s, p);
                return NEXT_REQUEST;
        case STEP_TARGETS:
                if (fleetsim_parse_tuf_version(b, blen, &v1, err) < 0)
                        return NEXT_ERROR;
                return agent_offer_go(s, p);
        default:
                abort();
        }
}

/* ---- hawkBit DDI on the wire ------------------------------------------------ */

/* DDI feedback URL from an href: without the query, plus "/feedback". */
static char *href_feedback(const char *href) {
        size_t n = strcspn(href, "?#");
        return str_printf("%.*s/feedback", (int) n, href);
}

static enum next ddi_done(struct sim *s, struct sim_poll *p, long status, enum fleetsim_error *kind,
                          struct error *err) {
        struct sim_device *d = &s->dev[p->dev];
        const char *b = p->body.data ? p->body.data : "";
        size_t blen = p->body.len;

        if (fleetsim_error_from_status(status, kind))
                return NEXT_ERROR;
        *kind = FLEETSIM_ERR_PARSE;
        switch (p->step) {
        case STEP_DDI_BASE: {
                struct fleetsim_ddi_base base;
                if (fleetsim_ddi_parse_base(b, blen, &base, err) < 0)
                        return NEXT_ERROR;
                p->server_sleep_s = base.sleep_s; /* applied when the poll ends */
                if (base.cancel[0]) {
                        snprintf(p->cancel_href, sizeof(p->cancel_href), "%s", base.cancel);
                        p->step = STEP_DDI_CANCEL;
                        request(s, p, base.cancel, NULL, false);
                        return NEXT_REQUEST;
                }
                if (base.deployment[0] && !d->installing) {
                        p->step = STEP_DDI_DEPLOYMENT;
                        request(s, p, base.deployment, NULL, false);
                        return NEXT_REQUEST;
                }
                return NEXT_DONE;
        }
        case STEP_DDI_DEPLOYMENT: {
                struct fleetsim_ddi_deployment dep;
                uint16_t t;
                if (fleetsim_ddi_parse_deployment(b, blen, &dep, err) < 0)
                        return NEXT_ERROR;
                if (strcmp(dep.id, d->closed_action) == 0)
                        return NEXT_DONE; /* closed already; the server has not caught up */
                t = version_intern(s, dep.version);
                if (!t) {
                        error_set(err, ERROR_INVALID, "more than %d releases offered", VERSIONS_MAX - 1);
                        return NEXT_ERROR;
                }
                bool same_action = strcmp(dep.id, d->action) == 0;
                snprintf(d->action, sizeof(d->action), "%s", dep.id);
                d->target = t;
                d->target_sv = -1;
                if (dep.update == FLEETSIM_DDI_SKIP) {
                        /* Download allowed, installation not yet (maintenance window). */
                        if (same_action && d->last_stage == STAGE_SKIPPED)
                                return NEXT_DONE;
                        p->n_plan = 0;
                        p->i_plan = 0;
                        p->plan[p->n_plan++] = (struct plan_item) { PLAN_REPORT, STAGE_DOWNLOADING };
                        if (s->cfg->download && dep.artifact[0]) {
                                snprintf(p->download_url, sizeof(p->download_url), "%s", dep.artifact);
                                p->plan[p->n_plan++] = (struct plan_item) { PLAN_DOWNLOAD, 0 };
                        }
                        p->plan[p->n_plan++] = (struct plan_item) { PLAN_REPORT, STAGE_SKIPPED };
                        p->step = STEP_PLAN;
                        plan_request(s, p);
                        return NEXT_REQUEST;
                }
                plan_install(s, p, dep.artifact);
                return NEXT_REQUEST;
        }
        case STEP_DDI_CANCEL: {
                _cleanup_free_ char *url = NULL;
                char detail[128];
                char stop[FLEETSIM_ACTION_ID_MAX + 1];
                if (fleetsim_ddi_parse_cancel(b, blen, p->cancel_id, stop, err) < 0)
                        return NEXT_ERROR;
                /* The action to stop is dropped (the simulated device never
                 * gets a cancel while it installs: it does not poll then). */
                if (strcmp(stop, d->action) == 0 || !d->action[0]) {
                        snprintf(d->closed_action, sizeof(d->closed_action), "%s", stop);
                        d->action[0] = '\0';
                        d->target = 0;
                }
                snprintf(detail, sizeof(detail), "canceled by the server");
                url = href_feedback(p->cancel_href);
                p->step = STEP_DDI_CANCEL_FEEDBACK;
                request(s, p, url, ddi_feedback_body(p->cancel_id, "closed", "success", 0, 0, detail), false);
                return NEXT_REQUEST;
        }
        case STEP_DDI_CANCEL_FEEDBACK:
                set_stage(s, d, STAGE_CANCELED);
                return NEXT_DONE;
        default:
                abort();
        }
}

/* ---- polls -------------------------------------------------------------------- */

static void device_schedule(struct sim *s, uint32_t i, int64_t at) {
        fleetsim_heap_push(&s->heap, at, i);
}

static void poll_end(struct sim *s, struct sim_poll *p, bool count) {
        struct sim_device *d = &s->dev[p->dev];
        int64_t now = now_us();
        if (p->easy) {
                curl_multi_remove_handle(s->multi, p->easy);
                curl_easy_cleanup(p->easy);
        }
        if (p->conn)
                curl_share_cleanup(p->conn); /* closes this poll's connection */
        if (count) {
                s->cur.polls++;
                fleetsim_hist_add(&s->cur.poll_lat, (uint64_t) (now - p->started_us));
        }
        d->busy = false;
        if (d->installing) {
                device_schedule(s, p->dev, now + (int64_t) (s->cfg->install_delay * 1e6));
        } else {
                double interval = s->cfg->interval;
                if (s->cfg->mode == FLEETSIM_MODE_DDI && s->cfg->honour_server_sleep && p->server_sleep_s > 0)
                        interval = (double) p->server_sleep_s;
                device_schedule(s, p->dev, now + fleetsim_next_delay_us(&d->rng, interval, s->cfg->jitter_pct));
        }
        buf_free(&p->body);
        free(p->post);
        if (p->prev)
                p->prev->next = p->next;
        else
                s->polls = p->next;
        if (p->next)
                p->next->prev = p->prev;
        free(p);
        s->inflight--;
}

static void poll_fail(struct sim *s, struct sim_poll *p, enum fleetsim_error kind) {
        struct sim_device *d = &s->dev[p->dev];
        (void) d;
        s->cur.errors[kind]++;
        /* A failed request ends the poll. A report that did not arrive is
         * sent again: before "installing" arrived the next poll starts over
         * (as the agent does), after it the outcome is reported again after
         * --install-delay. */
        poll_end(s, p, false);
}

static void poll_start(struct sim *s, uint32_t i, int64_t due) {
        struct sim_device *d = &s->dev[i];
        struct sim_poll *p = xcalloc(1, sizeof(*p));
        struct error err = { 0 };
        int64_t now = now_us();

        p->sim = s;
        p->dev = i;
        p->started_us = now;
        p->server_sleep_s = -1;
        p->next = s->polls;
        if (s->polls)
                s->polls->prev = p;
        s->polls = p;
        d->busy = true;
        s->inflight++;
        fleetsim_hist_add(&s->cur.lag, (uint64_t) (now > due ? now - due : 0));
        if (poll_easy_new(s, p, &err) < 0) {
                poll_fail(s, p, FLEETSIM_ERR_OTHER);
                return;
        }
        if (d->installing) {
                plan_finish(s, p);
                return;
        }
        if (s->cfg->mode == FLEETSIM_MODE_DDI) {
                _cleanup_free_ char *url = ddi_url(s, d, "");
                p->step = STEP_DDI_BASE;
                request(s, p, url, NULL, false);
                return;
        }
        p->step = d->known ? STEP_DIR_ROOT : STEP_WHOAMI;
        agent_request(s, p);
}

static enum fleetsim_error curl_kind(CURLcode rc) {
        switch (rc) {
        case CURLE_OPERATION_TIMEDOUT:
                return FLEETSIM_ERR_TIMEOUT;
        case CURLE_COULDNT_CONNECT:
        case CURLE_COULDNT_RESOLVE_HOST:
        case CURLE_INTERFACE_FAILED:
                return FLEETSIM_ERR_CONNECT;
        case CURLE_SSL_CONNECT_ERROR:
        case CURLE_SSL_CERTPROBLEM:
        case CURLE_SSL_CIPHER:
        case CURLE_PEER_FAILED_VERIFICATION:
        case CURLE_SSL_CACERT_BADFILE:
        case CURLE_SSL_ISSUER_ERROR:
        case CURLE_SSL_SHUTDOWN_FAILED:
        case CURLE_SSL_CRL_BADFILE:
        case CURLE_USE_SSL_FAILED:
        case CURLE_SSL_ENGINE_INITFAILED:
                return FLEETSIM_ERR_TLS;
        case CURLE_RECV_ERROR:
        case CURLE_SEND_ERROR:
        case CURLE_GOT_NOTHING:
                /* A peer that drops the connection mid-handshake looks like this. */
                return FLEETSIM_ERR_TLS;
        default:
                return FLEETSIM_ERR_OTHER;
        }
}

static void on_done(struct sim *s, struct sim_poll *p, CURLcode rc) {
        long status = 0;
        enum fleetsim_error kind = FLEETSIM_ERR_OTHER;
        struct error err = { 0 };
        enum next next;

        s->cur.requests++;
        fleetsim_hist_add(&s->cur.req_lat, (uint64_t) (now_us() - p->req_started_us));
        curl_multi_remove_handle(s->multi, p->easy);
        if (rc != CURLE_OK) {
                poll_fail(s, p, p->too_large ? FLEETSIM_ERR_PARSE : curl_kind(rc));
                return;
        }
        curl_easy_getinfo(p->easy, CURLINFO_RESPONSE_CODE, &status);
        if (p->step == STEP_PLAN) {
                if (fleetsim_error_from_status(status, &kind)) {
                        poll_fail(s, p, kind);
                        return;
                }
                plan_item_done(s, p);
                if (++p->i_plan < p->n_plan) {
                        plan_request(s, p);
                        return;
                }
                poll_end(s, p, true);
                return;
        }
        next = s->cfg->mode == FLEETSIM_MODE_AGENT ? agent_done(s, p, status, &kind, &err)
                                                  : ddi_done(s, p, status, &kind, &err);
        if (next == NEXT_ERROR)
                poll_fail(s, p, kind);
        else if (next == NEXT_DONE)
                poll_end(s, p, true);
}

/* ---- output ------------------------------------------------------------------- */

static double cpu_seconds(void) {
        struct rusage ru;
        getrusage(RUSAGE_SELF, &ru);
        return (double) ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + (double) ru.ru_stime.tv_sec +
               ru.ru_stime.tv_usec / 1e6;
}

static long rss_max_kib(void) {
        struct rusage ru;
        getrusage(RUSAGE_SELF, &ru);
        return ru.ru_maxrss;
}

/* Devices by installed version and by last stage. */
static void fleet_counts(struct sim *s, json_t *versions, json_t *stages) {
        uint64_t by_v[VERSIONS_MAX] = { 0 }, by_s[_STAGE_MAX] = { 0 };
        for (size_t i = 0; i < s->n_dev; i++) {
                by_v[s->dev[i].installed]++;
                by_s[s->dev[i].last_stage]++;
        }
        for (size_t i = 0; i < s->n_versions; i++)
                if (by_v[i])
                        json_object_set_new(versions, i ? s->versions[i] : "unknown", json_integer((json_int_t) by_v[i]));
        for (size_t i = 0; i < _STAGE_MAX; i++)
                if (by_s[i])
                        json_object_set_new(stages, stage_names[i], json_integer((json_int_t) by_s[i]));
}

static json_t *period_json(struct sim *s, const struct period *pd, double secs, bool final, double cpu) {
        json_t *errors = json_object(), *versions = json_object(), *stages = json_object();
        uint64_t nerr = 0;
        for (int k = 0; k < _FLEETSIM_ERR_MAX; k++) {
                json_object_set_new(errors, fleetsim_error_name(k), json_integer((json_int_t) pd->errors[k]));
                nerr += pd->errors[k];
        }
        fleet_counts(s, versions, stages);
        json_t *j = json_pack("{s:s, s:f, s:I, s:f, s:I, s:f, s:f, s:f, s:f, s:f, s:I, s:I, s:I, s:I, s:I, s:o, s:o, s:o}",
                              "kind", final ? "summary" : "progress", "t", (now_us() - s->t0_us) / 1e6,
                              "polls", (json_int_t) pd->polls, "polls_per_s", secs > 0 ? pd->polls / secs : 0.0,
                              "requests", (json_int_t) pd->requests,
                              "poll_p50_ms", fleetsim_hist_quantile(&pd->poll_lat, 0.50) / 1e3,
                              "poll_p99_ms", fleetsim_hist_quantile(&pd->poll_lat, 0.99) / 1e3,
                              "req_p50_ms", fleetsim_hist_quantile(&pd->req_lat, 0.50) / 1e3,
                              "req_p99_ms", fleetsim_hist_quantile(&pd->req_lat, 0.99) / 1e3,
                              "lag_p99_ms", fleetsim_hist_quantile(&pd->lag, 0.99) / 1e3,
                              "reports", (json_int_t) pd->reports, "failed_polls", (json_int_t) nerr,
                              "tls_full", (json_int_t) pd->tls_full, "tls_resumed", (json_int_t) pd->tls_resumed,
                              "inflight", (json_int_t) s->inflight, "errors", errors, "versions", versions,
                              "stages", stages);
        if (final) {
                uint64_t started = pd->polls + nerr;
                json_object_set_new(j, "seconds", json_real(secs));
                json_object_set_new(j, "devices", json_integer((json_int_t) s->n_dev));
                json_object_set_new(j, "unfinished", json_integer((json_int_t) s->unfinished));
                json_object_set_new(j, "cpu_s", json_real(cpu));
                json_object_set_new(j, "cpu_ms_per_poll", json_real(started ? cpu * 1e3 / (double) started : 0.0));
                json_object_set_new(j, "rss_max_kib", json_integer(rss_max_kib()));
        }
        return j;
}

static void print_counts(FILE *f, json_t *obj) {
        const char *k;
        json_t *v;
        bool first = true;
        json_object_foreach(obj, k, v) {
                fprintf(f, "%s%s=%" JSON_INTEGER_FORMAT, first ? "" : ",", k, json_integer_value(v));
                first = false;
        }
        if (first)
                fputs("-", f);
}

static void print_period(struct sim *s, const struct period *pd, double secs, bool final, double cpu) {
        _cleanup_json_ json_t *j = period_json(s, pd, secs, final, cpu);
        if (s->cfg->json) {
                _cleanup_free_ char *line = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
                puts(line);
        } else {
                const char *k;
                json_t *v;
                printf("%s t=%.0fs polls=%" JSON_INTEGER_FORMAT " (%.1f/s) poll_p50=%.1fms poll_p99=%.1fms "
                       "req_p99=%.1fms lag_p99=%.0fms reports=%" JSON_INTEGER_FORMAT " tls=%" JSON_INTEGER_FORMAT
                       "/%" JSON_INTEGER_FORMAT " resumed errors:",
                       final ? "summary" : "progress", json_real_value(json_object_get(j, "t")),
                       json_integer_value(json_object_get(j, "polls")), json_real_value(json_object_get(j, "polls_per_s")),
                       json_real_value(json_object_get(j, "poll_p50_ms")), json_real_value(json_object_get(j, "poll_p99_ms")),
                       json_real_value(json_object_get(j, "req_p99_ms")), json_real_value(json_object_get(j, "lag_p99_ms")),
                       json_integer_value(json_object_get(j, "reports")),
                       json_integer_value(json_object_get(j, "tls_resumed")),
                       json_integer_value(json_object_get(j, "tls_full")) +
                               json_integer_value(json_object_get(j, "tls_resumed")));
                json_object_foreach(json_object_get(j, "errors"), k, v) if (json_integer_value(v))
                        printf(" %s=%" JSON_INTEGER_FORMAT, k, json_integer_value(v));
                if (json_integer_value(json_object_get(j, "failed_polls")) == 0)
                        fputs(" none", stdout);
                fputs(" versions:", stdout);
                print_counts(stdout, json_object_get(j, "versions"));
                fputs(" stages:", stdout);
                print_counts(stdout, json_object_get(j, "stages"));
                if (final)
                        printf(" devices=%zu cpu=%.2fs cpu_per_poll=%.3fms rss_max=%ldKiB", s->n_dev, cpu,
                               json_real_value(json_object_get(j, "cpu_ms_per_poll")), rss_max_kib());
                putchar('\n');
        }
        fflush(stdout);
}

static void period_fold(struct sim *s) {
        struct period *t = &s->total, *c = &s->cur;
        t->polls += c->polls;
        t->requests += c->requests;
        t->tls_full += c->tls_full;
        t->tls_resumed += c->tls_resumed;
        t->reports += c->reports;
        for (int k = 0; k < _FLEETSIM_ERR_MAX; k++)
                t->errors[k] += c->errors[k];
        fleetsim_hist_merge(&t->poll_lat, &c->poll_lat);
        fleetsim_hist_merge(&t->req_lat, &c->req_lat);
        fleetsim_hist_merge(&t->lag, &c->lag);
        memset(c, 0, sizeof(*c));
}

/* ---- the loop ------------------------------------------------------------------- */

static int load_devices(struct sim *s, struct error *err) {
        char **serials = NULL;
        size_t n = 0;
        if (fleetsim_devices_list(s->cfg->dir, &serials, &n, err) < 0)
                return -1;
        if (n == 0) {
                free(serials);
                return error_set(err, ERROR_NOT_FOUND, "%s: no enrolled device (run cradle-fleetsim enroll first)",
                                 s->cfg->dir);
        }
        if (s->cfg->devices > n) {
                fleetsim_devices_free(serials, n);
                return error_set(err, ERROR_INVALID, "--devices %zu: %s holds only %zu enrolled devices",
                                 s->cfg->devices, s->cfg->dir, n);
        }
        s->n_dev = s->cfg->devices ? s->cfg->devices : n;
        s->dev = xcalloc(s->n_dev, sizeof(*s->dev));
        for (size_t i = 0; i < s->n_dev; i++) {
                struct sim_device *d = &s->dev[i];
                snprintf(d->serial, sizeof(d->serial), "%s", serials[i]);
                d->rng = fleetsim_rng_seed(s->cfg->seed, d->serial);
                d->dir_root_v = 1;
                d->img_root_v = 1;
                d->installed_sv = -1;
                d->target_sv = -1;
                if (s->cfg->initial_version) {
                        set_installed(s, d, version_intern(s, s->cfg->initial_version));
                        d->known = true;
                }
                if (s->cfg->mode == FLEETSIM_MODE_DDI)
                        d->known = true; /* a DDI client never asks */
        }
        fleetsim_devices_free(serials, n);
        return 0;
}

/* One GET with the first device's identity, outside the loop (--warm). */
static int fetch_once(struct sim *s, const char *url, struct buf *out, struct error *err) {
        struct sim_poll p = { .sim = s, .dev = 0 };
        long status = 0;
        CURLcode rc;
        if (poll_easy_new(s, &p, err) < 0)
                goto fail;
        curl_easy_setopt(p.easy, CURLOPT_URL, url);
        rc = curl_easy_perform(p.easy);
        curl_easy_getinfo(p.easy, CURLINFO_RESPONSE_CODE, &status);
        if (rc != CURLE_OK || status != 200) {
                error_set(err, ERROR_UNAVAILABLE, "--warm: %s: %s", url,
                          rc != CURLE_OK ? curl_easy_strerror(rc) : "not 200");
                goto fail;
        }
        *out = p.body;
        p.body = (struct buf) { 0 };
        curl_easy_cleanup(p.easy);
        if (p.conn)
                curl_share_cleanup(p.conn);
        return 0;
fail:
        buf_free(&p.body);
        curl_easy_cleanup(p.easy);
        if (p.conn)
                curl_share_cleanup(p.conn);
        return -1;
}

/* --warm: every device starts with the image repository's current
 * timestamp, snapshot and targets versions, as a fleet that has polled
 * before; without it each device's first offer fetches all three. */
static int warm_metadata(struct sim *s, struct error *err) {
        _cleanup_free_ char *ts_url = url_printf(s, "/repo/%s/timestamp.json", s->cfg->product);
        _cleanup_free_ char *sn_url = NULL;
        struct buf b = { 0 };
        int64_t ts, snap, tgt;
        char n[24];
        int r;
        if (fetch_once(s, ts_url, &b, err) < 0)
                return -1;
        r = fleetsim_parse_timestamp(b.data, b.len, &ts, &snap, err);
        buf_free(&b);
        if (r < 0)
                return error_prefix(err, "--warm: ");
        snprintf(n, sizeof(n), "%" PRId64, snap);
        sn_url = url_printf(s, "/repo/%s/%s.snapshot.json", s->cfg->product, n);
        if (fetch_once(s, sn_url, &b, err) < 0)
                return -1;
        r = fleetsim_parse_snapshot(b.data, b.len, &tgt, err);
        buf_free(&b);
        if (r < 0)
                return error_prefix(err, "--warm: ");
        for (size_t i = 0; i < s->n_dev; i++) {
                s->dev[i].ts_v = (int32_t) ts;
                s->dev[i].snap_v = (int32_t) snap;
                s->dev[i].tgt_v = (int32_t) tgt;
        }
        return 0;
}

int fleetsim_run(const struct fleetsim_run_config *cfg, struct error *err) {
        struct sim *s = xcalloc(1, sizeof(*s));
        struct sigaction sa = { .sa_handler = on_signal };
        int64_t end, next_progress;
        double cpu0;
        int r = -1;

        s->cfg = cfg;
        s->n_versions = 1; /* index 0: unknown */
        if (cfg->until_installed)
                s->until = version_intern(s, cfg->until_installed);
        s->until_stage = cfg->until_reported ? fleetsim_stage_parse(cfg->until_reported) : -1;
        if (load_devices(s, err) < 0)
                goto out;
        if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
                error_set(err, ERROR_INTERNAL, "cannot initialise libcurl");
                goto out;
        }
        s->multi = curl_multi_init();
        if (!s->multi) {
                error_set(err, ERROR_INTERNAL, "cannot create a libcurl multi handle");
                goto out_global;
        }
        /* Connections that end in the multi's cache (--tls-resume) are capped
         * near what is in flight; the others live in per-poll shares. */
        curl_multi_setopt(s->multi, CURLMOPT_MAXCONNECTS, (long) cfg->max_inflight + 8);
        s->json_headers = curl_slist_append(NULL, "Content-Type: application/json");
        if (cfg->warm && cfg->mode == FLEETSIM_MODE_AGENT && warm_metadata(s, err) < 0) {
                curl_slist_free_all(s->json_headers);
                curl_multi_cleanup(s->multi);
                goto out_global;
        }
        memset(&s->cur, 0, sizeof(s->cur)); /* the warm-up fetches are not the run's */
        sigemptyset(&sa.sa_mask);
        sigaction(SIGINT, &sa, NULL);
        sigaction(SIGTERM, &sa, NULL);

        fleetsim_heap_init(&s->heap, s->n_dev);
        s->t0_us = now_us();
        for (size_t i = 0; i < s->n_dev; i++)
                device_schedule(s, (uint32_t) i, s->t0_us + fleetsim_first_delay_us(&s->dev[i].rng, cfg->interval));
        end = s->t0_us + (int64_t) (cfg->seconds * 1e6);
        next_progress = cfg->progress_every > 0 ? s->t0_us + (int64_t) (cfg->progress_every * 1e6) : INT64_MAX;
        cpu0 = cpu_seconds();
        int64_t period_start = s->t0_us;

        stop_requested = 0;
        while (!stop_requested) {
                int64_t now = now_us(), wake;
                int running = 0, left = 0, timeout_ms;
                CURLMsg *m;

                if (now >= end)
                        break;
                while (s->inflight < cfg->max_inflight) {
                        const struct fleetsim_timer *t = fleetsim_heap_peek(&s->heap);
                        if (!t || t->at_us > now)
                                break;
                        uint32_t dev = t->device;
                        int64_t due = t->at_us;
                        fleetsim_heap_pop(&s->heap);
                        poll_start(s, dev, due);
                }
                curl_multi_perform(s->multi, &running);
                while ((m = curl_multi_info_read(s->multi, &left))) {
                        struct sim_poll *p = NULL;
                        if (m->msg != CURLMSG_DONE)
                                continue;
                        curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **) &p);
                        on_done(s, p, m->data.result);
                }
                /* --until-installed / --until-reported: every device got there. */
                if ((s->until || s->until_stage >= 0) && (!s->until || s->n_until == s->n_dev) &&
                    (s->until_stage < 0 || s->n_reached == s->n_dev))
                        break;
                now = now_us();
                if (now >= next_progress) {
                        print_period(s, &s->cur, (now - period_start) / 1e6, false, 0);
                        period_fold(s);
                        period_start = now;
                        next_progress += (int64_t) (cfg->progress_every * 1e6);
                }
                wake = end < next_progress ? end : next_progress;
                if (s->inflight < cfg->max_inflight) {
                        const struct fleetsim_timer *t = fleetsim_heap_peek(&s->heap);
                        if (t && t->at_us < wake)
                                wake = t->at_us;
                }
                timeout_ms = wake <= now ? 0 : (int) ((wake - now + 999) / 1000);
                if (timeout_ms > 1000)
                        timeout_ms = 1000;
                if (timeout_ms > 0 || running > 0)
                        curl_multi_poll(s->multi, NULL, 0, timeout_ms, NULL);
        }
        /* Polls still in flight are neither done nor failed: "unfinished". */
        while (s->polls) {
                s->unfinished++;
                poll_end(s, s->polls, false);
        }
        period_fold(s);
        {
                double secs = (now_us() - s->t0_us) / 1e6;
                double cpu = cpu_seconds() - cpu0;
                /* Polls still in flight are neither done nor failed. */
                print_period(s, &s->total, secs, true, cpu);
        }
        r = 0;
        curl_slist_free_all(s->json_headers);
        fleetsim_heap_free(&s->heap);
        curl_multi_cleanup(s->multi);
out_global:
        for (size_t i = 0; i < s->n_dev; i++)
                if (s->dev[i].tls)
                        curl_share_cleanup(s->dev[i].tls);
        curl_global_cleanup();
out:
        free(s->dev);
        free(s);
        return r;
}

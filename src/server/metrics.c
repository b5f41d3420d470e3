/* SPDX-License-Identifier: Apache-2.0 */
#include "metrics.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "core/cleanup.h"
#include "core/strutil.h"

/* Upper bounds of the duration buckets, in microseconds, and as printed. */
static const int64_t bucket_usec[] = { 1000, 5000, 10000, 50000, 100000, 500000, 1000000, 5000000 };
static const char *const bucket_label[] = { "0.001", "0.005", "0.01", "0.05", "0.1", "0.5", "1", "5" };
#define N_BUCKETS ELEMENTSOF(bucket_usec)

static const char *const known_methods[] = {
        "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "CONNECT", "TRACE",
};

struct route_histogram {
        char *route;
        uint64_t buckets[N_BUCKETS]; /* per bucket, not cumulative; +Inf is `count` */
        uint64_t count;
        int64_t sum_usec;
};

struct request_series {
        char *route;
        const char *method; /* one of known_methods or "OTHER" */
        unsigned status;
        uint64_t count;
};

struct metrics {
        pthread_mutex_t lock;
        char *version;
        int64_t open_connections;
        uint64_t ended[4];      /* by reason, in the order of ended_reasons */
        uint64_t tls_sessions[2]; /* [0] full handshake, [1] resumed */
        struct route_histogram *histograms;
        size_t n_histograms;
        struct request_series *series;
        size_t n_series;
        char *campaigns;        /* the campaign gauges, rendered by the evaluator thread */
        char *findings;         /* the findings gauges, rendered by the vulnerability monitor */
        char *cases;            /* the Art. 14 clock gauges, rendered by the case reminder thread */
};

struct metrics *metrics_new(const char *version) {
        struct metrics *m = xcalloc(1, sizeof(*m));
        pthread_mutex_init(&m->lock, NULL);
        m->version = str_dup(version ? version : "unknown");
        m->histograms = xcalloc(METRICS_MAX_ROUTES, sizeof(*m->histograms));
        m->series = xcalloc(METRICS_MAX_SERIES, sizeof(*m->series));
        return m;
}

void metrics_free(struct metrics *m) {
        if (!m)
                return;
        for (size_t i = 0; i < m->n_histograms; i++)
                free(m->histograms[i].route);
        for (size_t i = 0; i < m->n_series; i++)
                free(m->series[i].route);
        free(m->histograms);
        free(m->series);
        free(m->version);
        free(m->campaigns);
        free(m->findings);
        free(m->cases);
        pthread_mutex_destroy(&m->lock);
        free(m);
}

static const char *method_label(const char *method) {
        for (size_t i = 0; i < ELEMENTSOF(known_methods); i++)
                if (str_eq(method, known_methods[i]))
                        return known_methods[i];
        return "OTHER";
}

static struct route_histogram *histogram_for(struct metrics *m, const char *route) {
        for (size_t i = 0; i < m->n_histograms; i++)
                if (str_eq(m->histograms[i].route, route))
                        return &m->histograms[i];
        if (m->n_histograms >= METRICS_MAX_ROUTES)
                return NULL;
        struct route_histogram *h = &m->histograms[m->n_histograms++];
        h->route = str_dup(route);
        return h;
}

static struct request_series *series_for(struct metrics *m, const char *route, const char *method,
                                         unsigned status) {
        for (size_t i = 0; i < m->n_series; i++) {
                struct request_series *s = &m->series[i];
                if (s->status == status && s->method == method && str_eq(s->route, route))
                        return s;
        }
        if (m->n_series >= METRICS_MAX_SERIES)
                return NULL;
        struct request_series *s = &m->series[m->n_series++];
        s->route = str_dup(route);
        s->method = method;
        s->status = status;
        return s;
}

void metrics_observe_request(struct metrics *m, const char *route, const char *method,
                             unsigned status, int64_t duration_usec) {
        if (!route)
                route = METRICS_ROUTE_UNMATCHED;
        if (duration_usec < 0)
                duration_usec = 0;
        const char *mlabel = method_label(method);
        pthread_mutex_lock(&m->lock);
        struct request_series *s = series_for(m, route, mlabel, status);
        if (s)
                s->count++;
        struct route_histogram *h = histogram_for(m, route);
        if (h) {
                for (size_t i = 0; i < N_BUCKETS; i++)
                        if (duration_usec <= bucket_usec[i]) {
                                h->buckets[i]++;
                                break;
                        }
                h->count++;
                h->sum_usec += duration_usec;
        }
        pthread_mutex_unlock(&m->lock);
}

void metrics_connection_opened(struct metrics *m) {
        pthread_mutex_lock(&m->lock);
        m->open_connections++;
        pthread_mutex_unlock(&m->lock);
}

static const char *const ended_reasons[4] = { "header_timeout", "body_too_slow", "evicted", "drained" };

void metrics_tls_session(struct metrics *m, bool resumed) {
        pthread_mutex_lock(&m->lock);
        m->tls_sessions[resumed ? 1 : 0]++;
        pthread_mutex_unlock(&m->lock);
}

void metrics_connection_ended(struct metrics *m, const char *reason) {
        for (size_t i = 0; i < 4; i++) {
                if (strcmp(reason, ended_reasons[i]) == 0) {
                        pthread_mutex_lock(&m->lock);
                        m->ended[i]++;
                        pthread_mutex_unlock(&m->lock);
                        return;
                }
        }
}

void metrics_connection_closed(struct metrics *m) {
        pthread_mutex_lock(&m->lock);
        if (m->open_connections > 0)
                m->open_connections--;
        pthread_mutex_unlock(&m->lock);
}

/* Label values escape backslash, double quote and newline (exposition format). */
static void append_label_value(struct buf *b, const char *v) {
        for (; *v; v++) {
                if (*v == '\\')
                        buf_append(b, "\\\\", 2);
                else if (*v == '"')
                        buf_append(b, "\\\"", 2);
                else if (*v == '\n')
                        buf_append(b, "\\n", 2);
                else
                        buf_append(b, v, 1);
        }
}

static int series_cmp(const void *a, const void *b) {
        const struct request_series *x = a, *y = b;
        int c = strcmp(x->route, y->route);
        if (c)
                return c;
        c = strcmp(x->method, y->method);
        if (c)
                return c;
        return (x->status > y->status) - (x->status < y->status);
}

static int histogram_cmp(const void *a, const void *b) {
        const struct route_histogram *x = a, *y = b;
        return strcmp(x->route, y->route);
}

char *metrics_render(struct metrics *m) {
        struct buf b = {0};
        pthread_mutex_lock(&m->lock);
        qsort(m->series, m->n_series, sizeof(*m->series), series_cmp);
        qsort(m->histograms, m->n_histograms, sizeof(*m->histograms), histogram_cmp);

        buf_appendf(&b, "# HELP cradle_http_requests_total HTTP requests handled, by route pattern, method and status.\n"
                        "# TYPE cradle_http_requests_total counter\n");
        for (size_t i = 0; i < m->n_series; i++) {
                const struct request_series *s = &m->series[i];
                buf_appendf(&b, "cradle_http_requests_total{route=\"");
                append_label_value(&b, s->route);
                buf_appendf(&b, "\",method=\"%s\",status=\"%u\"} %" PRIu64 "\n", s->method,
                            s->status, s->count);
        }

        buf_appendf(&b, "# HELP cradle_http_request_duration_seconds Time from a request's headers being received to its response being sent, by route pattern.\n"
                        "# TYPE cradle_http_request_duration_seconds histogram\n");
        for (size_t i = 0; i < m->n_histograms; i++) {
                const struct route_histogram *h = &m->histograms[i];
                uint64_t cumulative = 0;
                for (size_t k = 0; k <= N_BUCKETS; k++) {
                        cumulative = k < N_BUCKETS ? cumulative + h->buckets[k] : h->count;
                        buf_appendf(&b, "cradle_http_request_duration_seconds_bucket{route=\"");
                        append_label_value(&b, h->route);
                        buf_appendf(&b, "\",le=\"%s\"} %" PRIu64 "\n",
                                    k < N_BUCKETS ? bucket_label[k] : "+Inf", cumulative);
                }
                buf_appendf(&b, "cradle_http_request_duration_seconds_sum{route=\"");
                append_label_value(&b, h->route);
                buf_appendf(&b, "\"} %" PRId64 ".%06" PRId64 "\n", h->sum_usec / 1000000,
                            h->sum_usec % 1000000);
                buf_appendf(&b, "cradle_http_request_duration_seconds_count{route=\"");
                append_label_value(&b, h->route);
                buf_appendf(&b, "\"} %" PRIu64 "\n", h->count);
        }

        buf_appendf(&b, "# HELP cradle_http_open_connections Client connections currently open.\n"
                        "# TYPE cradle_http_open_connections gauge\n"
                        "cradle_http_open_connections %" PRId64 "\n", m->open_connections);
        buf_appendf(&b, "# HELP cradle_http_connections_ended_total Connections the server closed for a deadline, "
                        "for room in the pool, or at shutdown.\n"
                        "# TYPE cradle_http_connections_ended_total counter\n");
        for (size_t i = 0; i < 4; i++)
                buf_appendf(&b, "cradle_http_connections_ended_total{reason=\"%s\"} %" PRIu64 "\n", ended_reasons[i],
                            m->ended[i]);
        buf_appendf(&b, "# HELP cradle_tls_sessions_total TLS connections that carried a request, by whether "
                        "the session was resumed from a ticket.\n"
                        "# TYPE cradle_tls_sessions_total counter\n"
                        "cradle_tls_sessions_total{resumed=\"false\"} %" PRIu64 "\n"
                        "cradle_tls_sessions_total{resumed=\"true\"} %" PRIu64 "\n",
                        m->tls_sessions[0], m->tls_sessions[1]);
        buf_appendf(&b, "# HELP cradle_build_info Build information; the value is always 1.\n"
                        "# TYPE cradle_build_info gauge\n"
                        "cradle_build_info{version=\"");
        append_label_value(&b, m->version);
        buf_appendf(&b, "\"} 1\n");
        if (m->campaigns)
                buf_appendf(&b, "%s", m->campaigns);
        if (m->findings)
                buf_appendf(&b, "%s", m->findings);
        if (m->cases)
                buf_appendf(&b, "%s", m->cases);
        pthread_mutex_unlock(&m->lock);
        return buf_steal(&b);
}

void metrics_set_campaigns(struct metrics *m, char *text) {
        pthread_mutex_lock(&m->lock);
        free(m->campaigns);
        m->campaigns = text;
        pthread_mutex_unlock(&m->lock);
}

void metrics_set_findings(struct metrics *m, char *text) {
        pthread_mutex_lock(&m->lock);
        free(m->findings);
        m->findings = text;
        pthread_mutex_unlock(&m->lock);
}

void metrics_set_cases(struct metrics *m, char *text) {
        pthread_mutex_lock(&m->lock);
        free(m->cases);
        m->cases = text;
        pthread_mutex_unlock(&m->lock);
}

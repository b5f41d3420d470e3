/* SPDX-License-Identifier: Apache-2.0 */
#include "conn-guard.h"

#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/log.h"
#include "core/strutil.h"
#include "core/time.h"

enum conn_phase {
        CONN_WAITING,   /* for a request: handshake, request line, headers */
        CONN_BODY,      /* headers in, receiving the body */
        CONN_HANDLING,  /* handler running or answer being sent */
};

struct conn_guard_conn {
        struct conn_guard_conn *prev, *next;
        int fd;
        uint8_t addr[16];            /* IPv4 as IPv4-mapped IPv6; zeros when unknown */
        enum conn_phase phase;
        int64_t since_usec;          /* start of the phase */
        uint64_t body_bytes;
        bool ended;                  /* shut down by the guard; the transport closes it */
};

struct conn_guard {
        struct conn_guard_limits limits;
        pthread_mutex_t lock;
        struct conn_guard_conn *head;
        unsigned live;               /* tracked and not ended */
        bool draining;
        struct conn_guard_stats stats;
        /* the sweeper */
        pthread_t thread;
        bool thread_started;
        bool stopping;
        pthread_cond_t wake;
};

unsigned conn_guard_soft_limit(unsigned max_connections) {
        unsigned reserve = max_connections / 8;
        if (reserve == 0)
                reserve = 1;
        return max_connections > reserve ? max_connections - reserve : 0;
}

/* Ends a connection: the peer and the transport's event loop both see the end
 * of the stream. The descriptor stays open until the transport closes it,
 * which it does only after conn_guard_close (so fd is still ours here). */
static const char *end_reason(const struct conn_guard *g, const uint64_t *counter) {
        if (counter == &g->stats.header_timeouts)
                return "header_timeout";
        if (counter == &g->stats.body_too_slow)
                return "body_too_slow";
        if (counter == &g->stats.evicted)
                return "evicted";
        return "drained";
}

static void conn_end(struct conn_guard *g, struct conn_guard_conn *c, uint64_t *counter) {
        if (c->ended)
                return;
        c->ended = true;
        g->live--;
        (*counter)++;
        if (g->limits.on_end)
                g->limits.on_end(g->limits.on_end_cls, end_reason(g, counter));
        /* Draining ends only the reading side: a request that has already
         * arrived is still read and answered (503, Connection: close), so a
         * client never loses the answer to a request it managed to send; the
         * transport closes the connection when it reads the end of the stream.
         * A connection that broke a deadline loses both sides at once. */
        int how = counter == &g->stats.drained ? SHUT_RD : SHUT_RDWR;
        if (shutdown(c->fd, how) < 0 && errno != ENOTCONN)
                log_debug("connection guard: shutdown(%d): %s", c->fd, strerror(errno));
}

static void addr_key(const struct sockaddr *sa, uint8_t out[16]) {
        memset(out, 0, 16);
        if (!sa)
                return;
        if (sa->sa_family == AF_INET) {
                const struct sockaddr_in *in = (const struct sockaddr_in *) (const void *) sa;
                out[10] = 0xff;
                out[11] = 0xff;
                memcpy(out + 12, &in->sin_addr, 4);
        } else if (sa->sa_family == AF_INET6) {
                const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *) (const void *) sa;
                memcpy(out, &in6->sin6_addr, 16);
        }
}

static int cmp_by_addr(const void *a, const void *b) {
        const struct conn_guard_conn *x = *(struct conn_guard_conn *const *) a;
        const struct conn_guard_conn *y = *(struct conn_guard_conn *const *) b;
        return memcmp(x->addr, y->addr, 16);
}

/* The pool policy's victim: a waiting connection (never `except`) of the
 * address holding the most live connections, the one waiting longest. */
static struct conn_guard_conn *pick_victim(struct conn_guard *g, const struct conn_guard_conn *except) {
        struct conn_guard_conn **all = xcalloc(g->live ? g->live : 1, sizeof(*all));
        size_t n = 0;
        for (struct conn_guard_conn *c = g->head; c && n < g->live; c = c->next)
                if (!c->ended)
                        all[n++] = c;
        qsort(all, n, sizeof(*all), cmp_by_addr);
        struct conn_guard_conn *best = NULL;
        size_t best_count = 0;
        for (size_t i = 0; i < n;) {
                size_t j = i;
                struct conn_guard_conn *oldest = NULL;
                for (; j < n && memcmp(all[j]->addr, all[i]->addr, 16) == 0; j++) {
                        struct conn_guard_conn *c = all[j];
                        if (c == except || c->phase != CONN_WAITING)
                                continue;
                        if (!oldest || c->since_usec < oldest->since_usec)
                                oldest = c;
                }
                size_t count = j - i;
                if (oldest && (count > best_count ||
                               (count == best_count && oldest->since_usec < best->since_usec))) {
                        best = oldest;
                        best_count = count;
                }
                i = j;
        }
        free(all);
        return best;
}

struct conn_guard_conn *conn_guard_open(struct conn_guard *g, int fd, const struct sockaddr *addr,
                                        int64_t now_usec) {
        struct conn_guard_conn *c = xcalloc(1, sizeof(*c));
        c->fd = fd;
        addr_key(addr, c->addr);
        c->phase = CONN_WAITING;
        c->since_usec = now_usec;
        pthread_mutex_lock(&g->lock);
        c->next = g->head;
        if (g->head)
                g->head->prev = c;
        g->head = c;
        g->live++;
        if (g->draining) {
                conn_end(g, c, &g->stats.drained);
        } else if (g->live > conn_guard_soft_limit(g->limits.max_connections)) {
                struct conn_guard_conn *victim = pick_victim(g, c);
                if (victim)
                        conn_end(g, victim, &g->stats.evicted);
        }
        pthread_mutex_unlock(&g->lock);
        return c;
}

void conn_guard_close(struct conn_guard *g, struct conn_guard_conn *c) {
        if (!c)
                return;
        pthread_mutex_lock(&g->lock);
        if (c->prev)
                c->prev->next = c->next;
        else
                g->head = c->next;
        if (c->next)
                c->next->prev = c->prev;
        if (!c->ended)
                g->live--;
        pthread_mutex_unlock(&g->lock);
        free(c);
}

void conn_guard_request_headers(struct conn_guard *g, struct conn_guard_conn *c, int64_t now_usec) {
        if (!c)
                return;
        pthread_mutex_lock(&g->lock);
        c->phase = CONN_BODY;
        c->since_usec = now_usec;
        c->body_bytes = 0;
        pthread_mutex_unlock(&g->lock);
}

void conn_guard_request_body(struct conn_guard *g, struct conn_guard_conn *c, uint64_t n) {
        if (!c)
                return;
        pthread_mutex_lock(&g->lock);
        c->body_bytes += n;
        pthread_mutex_unlock(&g->lock);
}

void conn_guard_request_handling(struct conn_guard *g, struct conn_guard_conn *c) {
        if (!c)
                return;
        pthread_mutex_lock(&g->lock);
        c->phase = CONN_HANDLING;
        pthread_mutex_unlock(&g->lock);
}

void conn_guard_request_done(struct conn_guard *g, struct conn_guard_conn *c, int64_t now_usec) {
        if (!c)
                return;
        pthread_mutex_lock(&g->lock);
        c->phase = CONN_WAITING;
        c->since_usec = now_usec;
        if (g->draining)
                conn_end(g, c, &g->stats.drained);
        pthread_mutex_unlock(&g->lock);
}

static bool body_too_slow(const struct conn_guard_limits *l, const struct conn_guard_conn *c, int64_t now_usec) {
        if (l->min_body_rate == 0)
                return false;
        /* Allowed: the grace period plus one second per min_body_rate bytes. */
        uint64_t earned_sec = c->body_bytes / l->min_body_rate;
        int64_t allowed = l->header_timeout_usec;
        if (earned_sec > (uint64_t) (INT64_MAX / 2000000))
                return false;
        allowed += (int64_t) earned_sec * 1000000;
        return now_usec - c->since_usec > allowed;
}

unsigned conn_guard_sweep(struct conn_guard *g, int64_t now_usec) {
        unsigned ended = 0;
        pthread_mutex_lock(&g->lock);
        for (struct conn_guard_conn *c = g->head; c; c = c->next) {
                if (c->ended)
                        continue;
                if (c->phase == CONN_WAITING && g->draining) {
                        conn_end(g, c, &g->stats.drained);
                        ended++;
                } else if (c->phase == CONN_WAITING && now_usec - c->since_usec > g->limits.header_timeout_usec) {
                        conn_end(g, c, &g->stats.header_timeouts);
                        ended++;
                } else if (c->phase == CONN_BODY && body_too_slow(&g->limits, c, now_usec)) {
                        conn_end(g, c, &g->stats.body_too_slow);
                        ended++;
                }
        }
        pthread_mutex_unlock(&g->lock);
        return ended;
}

void conn_guard_drain(struct conn_guard *g) {
        pthread_mutex_lock(&g->lock);
        g->draining = true;
        pthread_mutex_unlock(&g->lock);
        conn_guard_sweep(g, time_monotonic_usec());
}

unsigned conn_guard_open_count(struct conn_guard *g) {
        pthread_mutex_lock(&g->lock);
        unsigned n = g->live;
        pthread_mutex_unlock(&g->lock);
        return n;
}

void conn_guard_stats(struct conn_guard *g, struct conn_guard_stats *out) {
        pthread_mutex_lock(&g->lock);
        *out = g->stats;
        pthread_mutex_unlock(&g->lock);
}

static void *sweeper_main(void *arg) {
        struct conn_guard *g = arg;
        pthread_mutex_lock(&g->lock);
        while (!g->stopping) {
                struct timespec ts;
                clock_gettime(CLOCK_MONOTONIC, &ts);
                int64_t ns = ts.tv_nsec + (int64_t) g->limits.sweep_interval_msec * 1000000;
                ts.tv_sec += (time_t) (ns / 1000000000);
                ts.tv_nsec = (long) (ns % 1000000000);
                pthread_cond_timedwait(&g->wake, &g->lock, &ts);
                if (g->stopping)
                        break;
                pthread_mutex_unlock(&g->lock);
                conn_guard_sweep(g, time_monotonic_usec());
                pthread_mutex_lock(&g->lock);
        }
        pthread_mutex_unlock(&g->lock);
        return NULL;
}

struct conn_guard *conn_guard_new(const struct conn_guard_limits *limits) {
        struct conn_guard *g = xcalloc(1, sizeof(*g));
        g->limits = *limits;
        pthread_mutex_init(&g->lock, NULL);
        pthread_condattr_t ca;
        pthread_condattr_init(&ca);
        pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
        pthread_cond_init(&g->wake, &ca);
        pthread_condattr_destroy(&ca);
        if (limits->sweep_interval_msec > 0) {
                if (pthread_create(&g->thread, NULL, sweeper_main, g) != 0)
                        abort(); /* out of resources at start-up */
                g->thread_started = true;
        }
        return g;
}

void conn_guard_free(struct conn_guard *g) {
        if (!g)
                return;
        if (g->thread_started) {
                pthread_mutex_lock(&g->lock);
                g->stopping = true;
                pthread_cond_signal(&g->wake);
                pthread_mutex_unlock(&g->lock);
                pthread_join(g->thread, NULL);
        }
        struct conn_guard_conn *c = g->head;
        while (c) {
                struct conn_guard_conn *next = c->next;
                free(c);
                c = next;
        }
        pthread_cond_destroy(&g->wake);
        pthread_mutex_destroy(&g->lock);
        free(g);
}

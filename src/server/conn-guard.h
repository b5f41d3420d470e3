/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/*
 * The connection guard: deadlines and the pool policy that libmicrohttpd
 * 0.9.75 does not have. Its connection timeout is an inactivity timer (every
 * byte resets it), so a client that sends one header byte a second, or a body
 * at a trickle, keeps its connection forever, and a full pool locks every
 * other client out. The guard tracks each connection through its phases and
 * ends the ones that break a rule by shutting their socket down (the
 * transport's event loop then sees the end of the stream and closes the
 * connection itself; the guard never closes a descriptor):
 *
 *  - waiting for a request (from accept, or from the end of the previous
 *    response on a kept-alive connection) -- TLS handshake, request line and
 *    headers must all be in within header_timeout;
 *  - receiving a body -- it must arrive within header_timeout plus
 *    one second per min_body_rate bytes received (an average rate, with a
 *    grace period at the start);
 *  - handling and answering -- no deadline here (the transport's inactivity
 *    timeout still applies to a client that does not read its answer).
 *
 * Pool policy: when a new connection brings the open connections above
 * max_connections minus a reserve (one eighth), the guard ends one connection
 * that is waiting for a request (idle or still sending headers) to keep room
 * for well-behaved clients: one of the address that holds the most
 * connections, the longest-waiting first. Connections in the middle of a
 * request are never evicted.
 *
 * Shutdown (conn_guard_drain): every connection waiting for a request is
 * ended at once, and so is each one whose request completes afterwards.
 *
 * The functions are thread-safe: the transport calls them from its worker
 * threads, and a sweeper thread applies the deadlines.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

struct conn_guard;
struct conn_guard_conn;

struct conn_guard_limits {
        int64_t header_timeout_usec;  /* > 0 */
        uint64_t min_body_rate;       /* bytes per second; 0 = no body rate */
        unsigned max_connections;     /* the transport's hard limit */
        unsigned sweep_interval_msec; /* 0 = no sweeper thread (tests call conn_guard_sweep) */
        /* Called (under the guard's lock) for each connection the guard ends, with
         * "header_timeout", "body_too_slow", "evicted" or "drained"; may be NULL. */
        void (*on_end)(void *cls, const char *reason);
        void *on_end_cls;
};

/* The open connections above which new ones evict a waiting connection. */
unsigned conn_guard_soft_limit(unsigned max_connections);

struct conn_guard *conn_guard_new(const struct conn_guard_limits *limits);
/* Stops the sweeper. Connections still tracked are forgotten, not touched. */
void conn_guard_free(struct conn_guard *g);

/* A new connection on socket `fd` from `addr` (may be NULL): it waits for its
 * first request from now. May evict another connection (pool policy). */
struct conn_guard_conn *conn_guard_open(struct conn_guard *g, int fd, const struct sockaddr *addr,
                                        int64_t now_usec);
/* The transport is about to close the connection's socket: forget it. */
void conn_guard_close(struct conn_guard *g, struct conn_guard_conn *c);

/* The request's headers are in; its body (if any) follows. */
void conn_guard_request_headers(struct conn_guard *g, struct conn_guard_conn *c, int64_t now_usec);
/* `n` more body bytes arrived. */
void conn_guard_request_body(struct conn_guard *g, struct conn_guard_conn *c, uint64_t n);
/* The request is complete (or being answered early): no deadline until it is done. */
void conn_guard_request_handling(struct conn_guard *g, struct conn_guard_conn *c);
/* The answer was sent: the connection waits for its next request from now
 * (or is ended, when draining). */
void conn_guard_request_done(struct conn_guard *g, struct conn_guard_conn *c, int64_t now_usec);

/* Ends the connections whose deadline has passed; returns how many. */
unsigned conn_guard_sweep(struct conn_guard *g, int64_t now_usec);
/* Shutdown: ends every connection waiting for a request, now and from now on. */
void conn_guard_drain(struct conn_guard *g);

/* Connections tracked and not yet ended by the guard. */
unsigned conn_guard_open_count(struct conn_guard *g);
/* Connections the guard ended so far, by reason. */
struct conn_guard_stats {
        uint64_t header_timeouts;
        uint64_t body_too_slow;
        uint64_t evicted;
        uint64_t drained;
};
void conn_guard_stats(struct conn_guard *g, struct conn_guard_stats *out);

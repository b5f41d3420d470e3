/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/*
 * The HTTPS transport: the only file that talks to libmicrohttpd. It accepts
 * connections (TLS 1.2/1.3, AEAD ciphers only), reads requests and their
 * bodies within the configured limits, hands each complete request to the
 * router as a plain struct http_request, sends the response with the headers
 * every response carries, and records metrics and one access log line per
 * request. Every handshake requests a client certificate (without naming
 * CAs) but none is required; the chain a client sends reaches the router
 * unverified in struct http_request (peer_chain).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

struct router;
struct metrics;
struct http_server;

/* TLS 1.3 and 1.2 only; ECDHE key exchange; AES-GCM and ChaCha20-Poly1305.
 * Groups: X25519 and P-256 first, the key shares GnuTLS and OpenSSL clients
 * (cradle-agent, curl) send in their first flight. With the server's own
 * order deciding (%SERVER_PRECEDENCE), a group the client offered but sent no
 * share for costs a HelloRetryRequest and a second key exchange; SECURE256's
 * order (P-384 first) made every TLS 1.3 handshake pay that. */
#define HTTP_TLS_PRIORITIES \
        "SECURE256:+SECURE128:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2:-CIPHER-ALL:+AES-256-GCM:" \
        "+AES-128-GCM:+CHACHA20-POLY1305:-SHA1:-RSA:-DHE-RSA:" \
        "-GROUP-ALL:+GROUP-X25519:+GROUP-SECP256R1:+GROUP-SECP384R1:+GROUP-SECP521R1:+GROUP-X448:" \
        "%SERVER_PRECEDENCE"

/* Per-connection memory for headers and buffers: raised for TLS records. */
#define HTTP_CONNECTION_MEMORY_LIMIT (256 * 1024)
#define HTTP_MAX_QUERY_PARAMS 64
#define HTTP_MAX_HEADER_FIELDS 256
#define HTTP_HEADER_TIMEOUT_DEFAULT 10
/* How often deadlines are checked: the precision of header_timeout. */
#define HTTP_GUARD_SWEEP_MSEC 200
#define HTTP_MAX_STREAM_BODY_DEFAULT ((uint64_t) 4 << 30)

struct http_server_options {
        const char *listen;           /* address literal */
        uint16_t port;                /* 0 = any free port */
        unsigned threads;
        unsigned max_connections;
        unsigned max_connections_per_ip; /* 0 = unlimited */
        unsigned connection_timeout;  /* seconds without any progress */
        unsigned header_timeout;      /* seconds from accept (or the previous answer) to the end of the headers */
        uint64_t min_body_rate;       /* bytes per second, on average, after header_timeout; 0 = none */
        size_t max_body;
        /* ROUTE_STREAM_BODY routes: where their bodies are written (NULL:
         * such routes answer 500) and how large they may be (0: the default). */
        const char *stream_dir;
        uint64_t max_stream_body;
        const char *cert_pem;         /* PEM text, NUL-terminated */
        const char *key_pem;
};

/* Starts listening. `router` and `metrics` must outlive the server. */
int http_server_start(const struct http_server_options *o, const struct router *router,
                      struct metrics *metrics, struct http_server **out, struct error *err);
/* The bound port (useful with port 0). */
uint16_t http_server_port(const struct http_server *s);
/* Shutdown: stops accepting connections and starting requests. Requests in
 * progress continue and their answers close their connections; requests that
 * arrive on kept-alive connections get 503, idle connections are closed. */
void http_server_quiesce(struct http_server *s);
/* Shutdown, after the grace period: no request handler starts any more
 * (requests still arriving get 503), so nothing is committed whose answer
 * would be cut off. Handlers already running finish. */
void http_server_close_handlers(struct http_server *s);
/* Request handlers running right now. */
unsigned http_server_handlers_running(const struct http_server *s);
/* Requests received but not yet completed. */
unsigned http_server_in_flight(const struct http_server *s);
/* Closes every connection, joins the threads and frees the server. */
void http_server_stop(struct http_server *s);

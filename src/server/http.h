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

/* TLS 1.3 and 1.2 only; ECDHE key exchange (X25519, P-256, P-384, P-521,
 * X448); AES-GCM and ChaCha20-Poly1305. Everything offered is strong, so
 * the client's order decides (no %SERVER_PRECEDENCE): a TLS 1.3 client sends
 * a key share for the group it prefers, and taking that group costs no
 * HelloRetryRequest. With the server's order deciding, every client whose
 * share was not the server's first choice paid a HelloRetryRequest and a
 * second key exchange -- with SECURE256's order (P-384 first) that was every
 * cradle-agent poll. A device without AES instructions that prefers
 * ChaCha20 now gets it, too. */
#define HTTP_TLS_PRIORITIES \
        "SECURE256:+SECURE128:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2:-CIPHER-ALL:+AES-256-GCM:" \
        "+AES-128-GCM:+CHACHA20-POLY1305:-SHA1:-RSA:-DHE-RSA:" \
        "-GROUP-ALL:+GROUP-X25519:+GROUP-SECP256R1:+GROUP-SECP384R1:+GROUP-SECP521R1:+GROUP-X448"

/* libmicrohttpd's memory pool per connection: the request line and headers
 * (parsed in place), the response headers, and the read buffer bodies pass
 * through in pieces (half the pool). libmicrohttpd 0.9.75 maps a fresh pool
 * for every connection and zeroes all of it (so every page is touched) after
 * each request: at 256 KiB that was about a fifth of the server's CPU for a
 * poll on a new connection (bench/device-path.sh). 64 KiB holds a header
 * section of up to HTTP_MAX_HEADER_BYTES (a larger one is answered 431) and
 * still reads uploads 32 KiB at a time (docs/operations.md,
 * tests/e2e/device-path.sh). */
#define HTTP_CONNECTION_MEMORY_LIMIT (64 * 1024)
/* The request line and header section a request may have (documented; the
 * pool above is what enforces it). */
#define HTTP_MAX_HEADER_BYTES (48 * 1024)
/* How long a TLS session ticket resumes a session (seconds). */
#define HTTP_TLS_TICKET_LIFETIME 3600
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

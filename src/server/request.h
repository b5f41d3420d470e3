/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/*
 * An HTTP request as the router and route handlers see it: plain data, no
 * libmicrohttpd types, so the router and every handler can be driven from
 * unit tests without a socket.
 */
#include <gnutls/gnutls.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One query-string parameter. The transport has split the query on '&' and
 * '=' and turned '+' into ' '; percent-escapes are still in place (the
 * consumer decodes, so a bad escape can be reported with the parameter name).
 * value is NULL for a parameter without '=' ("?limit"). */
struct http_query_param {
        const char *key;
        const char *value;
};

#define HTTP_REQUEST_ID_LEN 16 /* hex chars */
/* Longest client certificate chain handed to the router; a longer one is
 * passed on truncated, which cannot verify (the leaf's issuer chain is cut). */
#define HTTP_PEER_CHAIN_MAX 8

struct http_request {
        const char *method;
        const char *path;            /* as received: percent-encoded, without the query */
        const struct http_query_param *query;
        size_t n_query;
        const char *authorization;   /* header value, NULL if absent; never logged */
        const char *content_type;    /* header value, NULL if absent */
        const char *body;            /* NULL if none */
        size_t body_len;
        const char *client_ip;       /* textual address, for rate limiting */
        const char *request_id;      /* HTTP_REQUEST_ID_LEN hex chars */
        /* The TLS client's certificate chain as it sent it (DER, leaf first),
         * or NULL/0 when it sent none. Nothing about it is verified by the
         * transport: the router authenticates it for device routes. Owned by
         * the TLS session; valid while the request is handled. */
        const gnutls_datum_t *peer_chain;
        size_t n_peer_chain;
        /* Conditional and range headers (NULL when absent), for static files. */
        const char *range;
        const char *if_range;
        const char *if_none_match;
        /* The Host header (NULL when absent): absolute links in DDI documents. */
        const char *host;
        /* On a ROUTE_STREAM_BODY route: the body, already on disk; else NULL. */
        const struct http_stream_body *stream;
};

/* A request body streamed to a file by the transport. The file is the
 * transport's: it removes it after the response; a handler that keeps the
 * content links or copies it. */
struct http_stream_body {
        const char *path;
        uint64_t length;
        uint8_t sha256[32];
};

/* True when a Content-Type header value names application/json (any case,
 * parameters such as "; charset=utf-8" allowed). */
bool http_content_type_is_json(const char *content_type);

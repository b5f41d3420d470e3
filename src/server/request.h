/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/*
 * An HTTP request as the router and route handlers see it: plain data, no
 * libmicrohttpd types, so the router and every handler can be driven from
 * unit tests without a socket.
 */
#include <stdbool.h>
#include <stddef.h>

/* One query-string parameter. The transport has split the query on '&' and
 * '=' and turned '+' into ' '; percent-escapes are still in place (the
 * consumer decodes, so a bad escape can be reported with the parameter name).
 * value is NULL for a parameter without '=' ("?limit"). */
struct http_query_param {
        const char *key;
        const char *value;
};

#define HTTP_REQUEST_ID_LEN 16 /* hex chars */

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
};

/* True when a Content-Type header value names application/json (any case,
 * parameters such as "; charset=utf-8" allowed). */
bool http_content_type_is_json(const char *content_type);

/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/*
 * An HTTP response under construction: status, body, content type and a few
 * extra headers. Handlers fill it; the transport (http.c) sends it and adds
 * the headers every response carries (X-Request-Id, Cache-Control, ...).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#define HTTP_RESPONSE_MAX_HEADERS 12

struct http_header {
        char *name;
        char *value;
};

struct http_response {
        unsigned status;               /* 0 until set */
        const char *content_type;      /* static string */
        char *body;                    /* heap, owned */
        size_t body_len;
        struct http_header headers[HTTP_RESPONSE_MAX_HEADERS];
        size_t n_headers;
        const char *route_label;       /* metrics label: the route pattern or "unmatched" (static) */
        bool sensitive;                /* body holds a secret: wiped when freed */
        /* A body served from a file without reading it into memory: fd_len
         * bytes from fd_offset (http_response_set_file). The response owns fd. */
        bool has_fd;
        int fd;
        uint64_t fd_offset, fd_len;
};

#define HTTP_CONTENT_TYPE_JSON "application/json"
#define HTTP_CONTENT_TYPE_PROBLEM "application/problem+json"
#define HTTP_CONTENT_TYPE_PROMETHEUS "text/plain; version=0.0.4; charset=utf-8"

/* Replaces the body; `body` is stolen (may be NULL for an empty body). */
void http_response_set_body(struct http_response *r, unsigned status, const char *content_type,
                            char *body, size_t len);
/* Renders `value` compactly (does not steal the reference). */
void http_response_set_json(struct http_response *r, unsigned status, json_t *value);
/* Serves len bytes of the open file fd from offset (fd is stolen; body
 * and content type as given). */
void http_response_set_file(struct http_response *r, unsigned status, const char *content_type, int fd,
                            uint64_t offset, uint64_t len);
/* Copies name and value. More than HTTP_RESPONSE_MAX_HEADERS is a programming error. */
void http_response_add_header(struct http_response *r, const char *name, const char *value);
const char *http_response_get_header(const struct http_response *r, const char *name);
/* Frees the body and headers and resets the struct. */
void http_response_clear(struct http_response *r);

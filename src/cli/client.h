/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/*
 * The HTTP client of the operator API: one libcurl easy handle per
 * invocation (pages of one command reuse its connection), HTTPS with TLS 1.2
 * or newer, the bearer token in a header built in memory and wiped after use
 * (never logged, never in argv), connect timeout 10 s, total 60 s per
 * request, responses capped at 16 MiB, no redirects followed (they would
 * carry the token elsewhere).
 */
#include <jansson.h>

#include "cli/settings.h"
#include "core/error.h"

#define CLI_CLIENT_CONNECT_TIMEOUT_S 10L
#define CLI_CLIENT_TOTAL_TIMEOUT_S 60L
#define CLI_CLIENT_RESPONSE_MAX ((size_t) 16 * 1024 * 1024)

struct cli_client;

/* Checks the URL (http or https, a host, no user info, query or fragment;
 * plain http only to a loopback address) and the CA file. ERROR_INVALID for a
 * bad URL, ERROR_IO for an unreadable CA file. The token is copied. */
int cli_client_new(const struct cli_settings *s, struct cli_client **out, struct error *err);
void cli_client_free(struct cli_client *c);

/* Sends METHOD base-URL+path with `body` (may be NULL) as JSON. On a 2xx
 * response stores the parsed JSON in *out (NULL for an empty body) and
 * returns CLI_EXIT_OK. Otherwise prints what went wrong to stderr
 * ("error: <title>: <detail>", the request id, or curl's message and the
 * URL) and returns the exit code: CLI_EXIT_REFUSED for 4xx, CLI_EXIT_SERVER
 * for connection and TLS failures, 5xx, and malformed responses. */
int cli_client_request(struct cli_client *c, const char *method, const char *path, json_t *body,
                       json_t **out);

/* Sends the file `file` as the body of METHOD base-URL+path, streamed from
 * disk (CURLOPT_UPLOAD: the file is never read whole into memory), as
 * content_type. The answer is handled as cli_client_request does. No total
 * timeout applies; a transfer slower than CLI_CLIENT_UPLOAD_MIN_SPEED bytes/s
 * for CLI_CLIENT_UPLOAD_STALL_S seconds is cut. */
#define CLI_CLIENT_UPLOAD_MIN_SPEED 1L
#define CLI_CLIENT_UPLOAD_STALL_S 60L
int cli_client_upload(struct cli_client *c, const char *method, const char *path, const char *file,
                      const char *content_type, json_t **out);

/* A response as received, whatever its status (for non-JSON protocols such
 * as EST, and for callers that report refusals themselves). */
struct cli_raw_response {
        long status;
        char *content_type;   /* heap, NULL if none */
        char *body;           /* heap, NUL-terminated, NULL if empty */
        size_t len;
        char *request_id;     /* X-Request-Id, heap, NULL if none */
};

/* Sends METHOD base-URL+path with `body` (len bytes; NULL = no body) as
 * `content_type`, asking for `accept`. Fills *out for any HTTP status and
 * returns CLI_EXIT_OK; a transport failure (connection, TLS, timeout, a
 * response over the size limit) is printed and returns CLI_EXIT_SERVER. */
int cli_client_request_raw(struct cli_client *c, const char *method, const char *path,
                           const char *content_type, const void *body, size_t len,
                           const char *accept, struct cli_raw_response *out);
void cli_raw_response_clear(struct cli_raw_response *r);
/* The server's words for a refusal: the problem document's detail (else its
 * title, else "HTTP <status>"), sanitised for a terminal. Heap. */
char *cli_raw_response_reason(const struct cli_raw_response *r);

/* Percent-encodes a path segment or query value (heap string). */
char *cli_client_escape(const char *s);
/* Appends "?key=value" (or "&key=value") with the value escaped; NULL value: nothing. */
struct buf;
void cli_query_add(struct buf *q, const char *key, const char *value);

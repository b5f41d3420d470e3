/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/*
 * RFC 9457 problem details (application/problem+json):
 *   {"type": "urn:cradle:problem:<kind>", "title", "status", "detail",
 *    "instance": <request path>, "request_id"}
 * A failure of the server itself (ERROR_IO, ERROR_DB, ERROR_CRYPTO,
 * ERROR_INTERNAL) becomes a 500 with a generic detail; the real message goes
 * to the log with the request id, never to the client.
 */
#include <jansson.h>
#include "core/error.h"
#include "response.h"

#define PROBLEM_TYPE_PREFIX "urn:cradle:problem:"
#define PROBLEM_METHOD_NOT_ALLOWED "method-not-allowed"
#define PROBLEM_NOT_IMPLEMENTED "not-implemented"

/* HTTP status for an error kind (500 for the server's own failures). */
unsigned problem_status(enum error_kind kind);
/* True for kinds a client cannot cause (IO, DB, CRYPTO, INTERNAL, NONE). */
bool problem_kind_is_server_fault(enum error_kind kind);

/* Builds the problem object. instance and request_id may be NULL. */
json_t *problem_from_error(const struct error *err, const char *instance, const char *request_id);

/* Fills `resp` with the problem for `err` (and logs server faults). */
void problem_respond(struct http_response *resp, const struct error *err, const char *instance,
                     const char *request_id);
/* 405 with the Allow header (a comma-separated method list). */
void problem_respond_method_not_allowed(struct http_response *resp, const char *method,
                                        const char *allow, const char *instance,
                                        const char *request_id);
/* 501: the request uses an HTTP feature the server does not implement
 * (e.g. a transfer coding other than chunked); `detail` names it. */
void problem_respond_not_implemented(struct http_response *resp, const char *detail, const char *instance,
                                     const char *request_id);

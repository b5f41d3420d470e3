/* SPDX-License-Identifier: Apache-2.0 */
#include "problem.h"

#include <stdio.h>
#include <string.h>

#include "core/cleanup.h"
#include "core/log.h"
#include "core/strutil.h"
#include "crypto/percent.h"

bool problem_kind_is_server_fault(enum error_kind kind) {
        switch (kind) {
        case ERROR_INVALID:
        case ERROR_NOT_FOUND:
        case ERROR_CONFLICT:
        case ERROR_UNAUTHENTICATED:
        case ERROR_FORBIDDEN:
        case ERROR_TOO_LARGE:
        case ERROR_RATE_LIMITED:
        case ERROR_UNSUPPORTED:
        case ERROR_UNAVAILABLE:
        case ERROR_GONE:
                return false;
        default:
                return true;
        }
}

unsigned problem_status(enum error_kind kind) {
        switch (kind) {
        case ERROR_INVALID: return 400;
        case ERROR_UNAUTHENTICATED: return 401;
        case ERROR_FORBIDDEN: return 403;
        case ERROR_NOT_FOUND: return 404;
        case ERROR_CONFLICT: return 409;
        case ERROR_TOO_LARGE: return 413;
        case ERROR_UNSUPPORTED: return 415;
        case ERROR_RATE_LIMITED: return 429;
        case ERROR_UNAVAILABLE: return 503;
        case ERROR_NO_SPACE: return 507;
        case ERROR_GONE: return 410;
        default: return 500;
        }
}

static const char *problem_title(enum error_kind kind) {
        switch (kind) {
        case ERROR_INVALID: return "Invalid request";
        case ERROR_UNAUTHENTICATED: return "Authentication required";
        case ERROR_FORBIDDEN: return "Forbidden";
        case ERROR_NOT_FOUND: return "Not found";
        case ERROR_CONFLICT: return "Conflict";
        case ERROR_TOO_LARGE: return "Content too large";
        case ERROR_UNSUPPORTED: return "Unsupported media type";
        case ERROR_RATE_LIMITED: return "Too many requests";
        case ERROR_UNAVAILABLE: return "Service unavailable";
        case ERROR_NO_SPACE: return "Insufficient storage";
        case ERROR_GONE: return "Gone";
        default: return "Internal server error";
        }
}

/* The request path as received may hold any bytes the transport let
 * through; JSON needs valid UTF-8, so anything else is shown %-escaped. */
static json_t *json_string_clean(const char *s) {
        json_t *j = json_string(s);
        if (j)
                return j;
        struct buf b = {0};
        for (const unsigned char *p = (const unsigned char *) s; *p; p++) {
                if (*p < 0x20 || *p >= 0x7f)
                        buf_appendf(&b, "%%%02X", *p);
                else
                        buf_append(&b, p, 1);
        }
        _cleanup_free_ char *clean = buf_steal(&b);
        return json_string(clean ? clean : "");
}

static json_t *problem_build(const char *kind_name, const char *title, unsigned status,
                             const char *detail, const char *instance, const char *request_id) {
        json_t *p = json_object();
        _cleanup_free_ char *type = str_printf(PROBLEM_TYPE_PREFIX "%s", kind_name);
        json_object_set_new(p, "type", json_string(type));
        json_object_set_new(p, "title", json_string(title));
        json_object_set_new(p, "status", json_integer(status));
        json_object_set_new(p, "detail", json_string_clean(detail ? detail : ""));
        if (instance)
                json_object_set_new(p, "instance", json_string_clean(instance));
        if (request_id)
                json_object_set_new(p, "request_id", json_string(request_id));
        return p;
}

json_t *problem_from_error(const struct error *err, const char *instance, const char *request_id) {
        enum error_kind kind = err ? err->kind : ERROR_INTERNAL;
        if (kind == ERROR_NO_SPACE)
                /* RFC 4918 507: the client may retry later; which file or
                 * database is full is for the log, not for the client. */
                return problem_build(error_kind_name(kind), problem_title(kind), 507,
                                     "the server has no storage space left, so nothing can be written; "
                                     "reads still work. Retry once an operator has freed space",
                                     instance, request_id);
        if (problem_kind_is_server_fault(kind)) {
                _cleanup_free_ char *detail = str_printf(
                        "the server failed to handle this request; its log has the details under request id %s",
                        request_id ? request_id : "(none)");
                return problem_build(error_kind_name(ERROR_INTERNAL), problem_title(ERROR_INTERNAL),
                                     500, detail, instance, request_id);
        }
        return problem_build(error_kind_name(kind), problem_title(kind), problem_status(kind),
                             err->msg, instance, request_id);
}

static void respond_problem_json(struct http_response *resp, unsigned status, json_t *problem) {
        char *text = json_dumps(problem, JSON_COMPACT | JSON_SORT_KEYS);
        if (!text)
                abort();
        http_response_set_body(resp, status, HTTP_CONTENT_TYPE_PROBLEM, text, strlen(text));
}

void problem_respond(struct http_response *resp, const struct error *err, const char *instance,
                     const char *request_id) {
        enum error_kind kind = err ? err->kind : ERROR_INTERNAL;
        if (kind == ERROR_NO_SPACE)
                log_msg(LOG_LEVEL_ERROR, request_id, "%s refused, DISK FULL (answered 507): %s; free space "
                        "on that file system and writes resume",
                        instance ? instance : "request", err && err->msg[0] ? err->msg : "no error message");
        else if (problem_kind_is_server_fault(kind))
                log_msg(LOG_LEVEL_ERROR, request_id, "%s failed (%s): %s",
                        instance ? instance : "request", error_kind_name(kind),
                        err && err->msg[0] ? err->msg : "no error message");
        _cleanup_json_ json_t *p = problem_from_error(err, instance, request_id);
        respond_problem_json(resp, (unsigned) json_integer_value(json_object_get(p, "status")), p);
}

void problem_respond_method_not_allowed(struct http_response *resp, const char *method,
                                        const char *allow, const char *instance,
                                        const char *request_id) {
        _cleanup_free_ char *detail = str_printf("method %s is not allowed here; allowed: %s",
                                                 method, allow);
        _cleanup_json_ json_t *p = problem_build(PROBLEM_METHOD_NOT_ALLOWED, "Method not allowed",
                                                 405, detail, instance, request_id);
        respond_problem_json(resp, 405, p);
        http_response_add_header(resp, "Allow", allow);
}

void problem_respond_not_implemented(struct http_response *resp, const char *detail, const char *instance,
                                     const char *request_id) {
        _cleanup_json_ json_t *p = problem_build(PROBLEM_NOT_IMPLEMENTED, "Not implemented", 501, detail,
                                                 instance, request_id);
        respond_problem_json(resp, 501, p);
}

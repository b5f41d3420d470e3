/* SPDX-License-Identifier: Apache-2.0 */
/* Serving one file with ETag, conditional and range requests (see file-serve.h). */
#include "file-serve.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/cleanup.h"
#include "core/json.h"
#include "core/strutil.h"
#include "problem.h"
#include "range.h"
#include "router.h"

/* Weak comparison, as RFC 9110 13.1.2 asks for If-None-Match. */
bool route_etag_listed(const char *list, const char *etag) {
        if (!list)
                return false;
        size_t elen = strlen(etag);
        for (const char *p = list; *p;) {
                while (*p == ' ' || *p == '\t' || *p == ',')
                        p++;
                if (*p == '*')
                        return true;
                if (p[0] == 'W' && p[1] == '/')
                        p += 2;
                if (strncmp(p, etag, elen) == 0 && (p[elen] == '\0' || p[elen] == ',' || p[elen] == ' '))
                        return true;
                while (*p && *p != ',')
                        p++;
        }
        return false;
}

int route_serve_fd(struct route_ctx *ctx, struct http_response *resp, int fd_in, uint64_t size, const char *etag,
                   const char *ctype, const char *cache_control, struct error *err) {
        _cleanup_close_ int fd = fd_in;
        (void) err;
        if (route_etag_listed(ctx->req->if_none_match, etag)) {
                http_response_set_body(resp, 304, NULL, NULL, 0);
                http_response_add_header(resp, "ETag", etag);
                http_response_add_header(resp, "Cache-Control", cache_control);
                return 0;
        }
        struct http_range range = {0};
        enum http_range_result rr = http_range_parse(ctx->req->range, size, &range);
        /* If-Range: the range holds only for this very representation. A date
         * cannot be checked (no Last-Modified is sent): whole file. */
        if (rr != HTTP_RANGE_NONE && ctx->req->if_range && !str_eq(ctx->req->if_range, etag))
                rr = HTTP_RANGE_NONE;
        char cr[96];
        switch (rr) {
        case HTTP_RANGE_UNSATISFIABLE: {
                snprintf(cr, sizeof(cr), "bytes */%" PRIu64, size);
                struct error e = {0};
                error_set(&e, ERROR_INVALID, "range '%.64s' is not satisfiable: the file is %" PRIu64 " bytes",
                          ctx->req->range, size);
                _cleanup_json_ json_t *problem = problem_from_error(&e, ctx->req->path, ctx->req->request_id);
                json_object_set_new(problem, "status", json_integer(416));
                json_object_set_new(problem, "title", json_string("Range Not Satisfiable"));
                json_object_set_new(problem, "type", json_string(PROBLEM_TYPE_PREFIX "range-not-satisfiable"));
                char *text = cr_json_dump(problem);
                http_response_set_body(resp, 416, HTTP_CONTENT_TYPE_PROBLEM, text, text ? strlen(text) : 0);
                http_response_add_header(resp, "Content-Range", cr);
                http_response_add_header(resp, "Accept-Ranges", "bytes");
                return 0;
        }
        case HTTP_RANGE_OK:
                snprintf(cr, sizeof(cr), "bytes %" PRIu64 "-%" PRIu64 "/%" PRIu64, range.offset,
                         range.offset + range.length - 1, size);
                http_response_set_file(resp, 206, ctype, steal_fd(fd), range.offset, range.length);
                http_response_add_header(resp, "Content-Range", cr);
                break;
        case HTTP_RANGE_NONE:
                if (size == 0)
                        http_response_set_body(resp, 200, ctype, NULL, 0);
                else
                        http_response_set_file(resp, 200, ctype, steal_fd(fd), 0, size);
                break;
        }
        http_response_add_header(resp, "ETag", etag);
        http_response_add_header(resp, "Accept-Ranges", "bytes");
        http_response_add_header(resp, "Cache-Control", cache_control);
        return 0;
}

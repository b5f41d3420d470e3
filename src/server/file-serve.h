/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/*
 * Serving one file from its descriptor, as a static web server would: the
 * repositories (routes-repo.c) and DDI artifacts (routes-ddi.c).
 *  - ETag as given (quoted); If-None-Match naming it (weak comparison) -> 304;
 *  - one byte range per request (range.h): 206 + Content-Range; 416 +
 *    Content-Range: bytes STAR/size as a problem document; several ranges ->
 *    200 with the whole file; If-Range with another ETag (or a date) -> the
 *    whole file;
 *  - Accept-Ranges: bytes and Cache-Control on every answer; HEAD is the
 *    transport's (same headers, no body).
 * The file is sent from the descriptor, never read into memory.
 */
#include <stdbool.h>
#include <stdint.h>
#include "route.h"

/* Takes ownership of fd (closed on every path). Returns 0 with resp filled. */
int route_serve_fd(struct route_ctx *ctx, struct http_response *resp, int fd, uint64_t size, const char *etag,
                   const char *content_type, const char *cache_control, struct error *err);
/* Does a list of entity tags ("a", W/"b", *) name `etag`? */
bool route_etag_listed(const char *list, const char *etag);

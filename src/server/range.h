/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/*
 * HTTP Range requests (RFC 9110 section 14) for static files: one byte
 * range per request, which is what resuming downloads and TUF clients use.
 *
 *   bytes=a-b   bytes a..b (b past the end is cut to the last byte)
 *   bytes=a-    from a to the end
 *   bytes=-n    the last n bytes (all of them when n >= size)
 *
 * What the server does with the outcome (routes-repo.c):
 *   HTTP_RANGE_NONE            200 with the whole file: no Range header, a
 *                              unit other than bytes, a malformed or invalid
 *                              range (b < a), or several ranges ("bytes=0-1,5-6":
 *                              RFC 9110 lets a server ignore Range, and Cradle
 *                              does not send multipart/byteranges)
 *   HTTP_RANGE_OK              206 with Content-Range: bytes a-b/size
 *   HTTP_RANGE_UNSATISFIABLE   416 with Content-Range: bytes STAR/size (a >=
 *                              size, "-0", or any range of an empty file)
 * A header longer than HTTP_RANGE_HEADER_MAX is ignored (NONE).
 */
#include <stdint.h>

#define HTTP_RANGE_HEADER_MAX 256

enum http_range_result {
        HTTP_RANGE_NONE,
        HTTP_RANGE_OK,
        HTTP_RANGE_UNSATISFIABLE,
};

struct http_range {
        uint64_t offset;
        uint64_t length; /* >= 1 */
};

enum http_range_result http_range_parse(const char *header, uint64_t size, struct http_range *out);

/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/*
 * HTTP/1.1 message framing checks (RFC 9112 §6) that libmicrohttpd 0.9.75
 * leaves to the application, applied to a request's header fields before it
 * is routed. A request whose body length is ambiguous could be read one way
 * here and another way by a proxy or CDN in front (request smuggling), so it
 * is refused and its connection closed:
 *  - a field name with whitespace (or any non-token character), e.g.
 *    "Transfer-Encoding : chunked" -- libmicrohttpd keeps the space in the
 *    name and ignores the field, a proxy may not;
 *  - Content-Length values that disagree, or one that is not digits;
 *  - Content-Length together with Transfer-Encoding;
 *  - Transfer-Encoding in an HTTP/1.0 request;
 *  - a transfer coding other than a single "chunked" (501).
 */
#include <stdbool.h>
#include <stddef.h>

#include "core/error.h"

struct framing_field {
        const char *name;
        const char *value;
};

enum framing_verdict {
        FRAMING_OK = 0,
        FRAMING_BAD_REQUEST,      /* 400, close */
        FRAMING_NOT_IMPLEMENTED,  /* 501, close */
};

/* Checks the request's header fields (in the order received, duplicates
 * included) and its protocol version ("HTTP/1.1"). On anything but
 * FRAMING_OK, err says which field is wrong and why. */
enum framing_verdict framing_check(const struct framing_field *fields, size_t n, const char *version,
                                   struct error *err);

/* SPDX-License-Identifier: Apache-2.0 */
#include "range.h"

#include <stdbool.h>
#include <string.h>
#include <strings.h>

static bool is_ows(char c) {
        return c == ' ' || c == '\t';
}

/* Decimal digits at *p; saturates at UINT64_MAX (a huge first-pos is simply
 * unsatisfiable, a huge last-pos is cut to the end). False when none. */
static bool parse_number(const char **p, uint64_t *out) {
        const char *s = *p;
        uint64_t v = 0;
        bool any = false;
        for (; *s >= '0' && *s <= '9'; s++) {
                unsigned d = (unsigned) (*s - '0');
                v = v > (UINT64_MAX - d) / 10 ? UINT64_MAX : v * 10 + d;
                any = true;
        }
        *p = s;
        *out = v;
        return any;
}

enum http_range_result http_range_parse(const char *header, uint64_t size, struct http_range *out) {
        if (!header || strlen(header) > HTTP_RANGE_HEADER_MAX)
                return HTTP_RANGE_NONE;
        const char *p = header;
        while (is_ows(*p))
                p++;
        if (strncasecmp(p, "bytes", 5) != 0)
                return HTTP_RANGE_NONE;
        p += 5;
        while (is_ows(*p))
                p++;
        if (*p++ != '=')
                return HTTP_RANGE_NONE;
        while (is_ows(*p))
                p++;
        if (strchr(p, ','))
                return HTTP_RANGE_NONE; /* several ranges: served whole */

        uint64_t first = 0, last = 0;
        bool has_first = parse_number(&p, &first);
        if (*p++ != '-')
                return HTTP_RANGE_NONE;
        bool has_last = parse_number(&p, &last);
        while (is_ows(*p))
                p++;
        if (*p != '\0' || (!has_first && !has_last))
                return HTTP_RANGE_NONE;

        if (!has_first) {
                /* suffix: the last `last` bytes */
                if (last == 0 || size == 0)
                        return HTTP_RANGE_UNSATISFIABLE;
                uint64_t n = last < size ? last : size;
                out->offset = size - n;
                out->length = n;
                return HTTP_RANGE_OK;
        }
        if (has_last && last < first)
                return HTTP_RANGE_NONE; /* invalid: ignored, as RFC 9110 allows */
        if (first >= size)
                return HTTP_RANGE_UNSATISFIABLE;
        if (!has_last || last >= size)
                last = size - 1;
        out->offset = first;
        out->length = last - first + 1;
        return HTTP_RANGE_OK;
}

/* SPDX-License-Identifier: Apache-2.0 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pki/der.h"

static void der_len(struct buf *out, size_t len) {
        uint8_t b[9];
        if (len < 0x80) {
                b[0] = (uint8_t) len;
                buf_append(out, b, 1);
                return;
        }
        size_t n = 0;
        for (size_t v = len; v; v >>= 8)
                n++;
        b[0] = (uint8_t) (0x80 | n);
        for (size_t i = 0; i < n; i++)
                b[1 + i] = (uint8_t) (len >> (8 * (n - 1 - i)));
        buf_append(out, b, 1 + n);
}

void der_tlv(struct buf *out, uint8_t tag, const void *content, size_t len) {
        buf_append(out, &tag, 1);
        der_len(out, len);
        if (len)
                buf_append(out, content, len);
}

void der_wrap(struct buf *out, uint8_t tag, struct buf *inner) {
        der_tlv(out, tag, inner->data, inner->len);
        buf_free(inner);
        *inner = (struct buf){0};
}

void der_uint(struct buf *out, uint64_t v) {
        uint8_t b[9];
        size_t n = 0;
        /* Big-endian, minimal, with a leading 0 when the top bit is set. */
        uint8_t tmp[8];
        size_t k = 0;
        do {
                tmp[k++] = (uint8_t) (v & 0xff);
                v >>= 8;
        } while (v);
        if (tmp[k - 1] & 0x80)
                b[n++] = 0;
        while (k)
                b[n++] = tmp[--k];
        der_tlv(out, DER_INTEGER, b, n);
}

void der_integer_raw(struct buf *out, const uint8_t *content, size_t len) {
        der_tlv(out, DER_INTEGER, content, len);
}

int der_oid(struct buf *out, const char *dotted, struct error *err) {
        uint64_t arcs[32];
        size_t n = 0;
        const char *p = dotted;
        while (*p) {
                if (n == ELEMENTSOF(arcs) || *p < '0' || *p > '9')
                        return error_set(err, ERROR_INTERNAL, "bad OID '%s'", dotted);
                char *end;
                unsigned long long v = strtoull(p, &end, 10);
                arcs[n++] = v;
                if (*end == '.')
                        end++;
                else if (*end)
                        return error_set(err, ERROR_INTERNAL, "bad OID '%s'", dotted);
                p = end;
        }
        if (n < 2 || arcs[0] > 2 || (arcs[0] < 2 && arcs[1] > 39))
                return error_set(err, ERROR_INTERNAL, "bad OID '%s'", dotted);
        struct buf c = {0};
        arcs[1] += arcs[0] * 40;
        for (size_t i = 1; i < n; i++) {
                uint8_t b[10];
                size_t k = 0;
                uint64_t v = arcs[i];
                do {
                        b[k++] = (uint8_t) (v & 0x7f);
                        v >>= 7;
                } while (v);
                while (k) {
                        uint8_t byte = b[--k];
                        if (k)
                                byte |= 0x80;
                        buf_append(&c, &byte, 1);
                }
        }
        der_wrap(out, DER_OID, &c);
        return 0;
}

int der_time(struct buf *out, int64_t t, struct error *err) {
        time_t tt = (time_t) t;
        struct tm tm;
        if (!gmtime_r(&tt, &tm) || tm.tm_year + 1900 < 1950 || tm.tm_year + 1900 > 9999)
                return error_set(err, ERROR_INVALID, "time %lld cannot be encoded in X.509", (long long) t);
        char s[32];
        int year = tm.tm_year + 1900;
        if (year < 2050) {
                snprintf(s, sizeof(s), "%02d%02d%02d%02d%02d%02dZ", year % 100, tm.tm_mon + 1, tm.tm_mday,
                         tm.tm_hour, tm.tm_min, tm.tm_sec);
                der_tlv(out, DER_UTC_TIME, s, strlen(s));
        } else {
                snprintf(s, sizeof(s), "%04d%02d%02d%02d%02d%02dZ", year, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
                         tm.tm_min, tm.tm_sec);
                der_tlv(out, DER_GENERALIZED_TIME, s, strlen(s));
        }
        return 0;
}

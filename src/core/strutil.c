/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Small string and memory helpers. Running out of memory is treated as a
 * broken invariant: every caller would otherwise need an error path that can
 * never be tested, so the x* allocators abort instead.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/cleanup.h"
#include "core/strutil.h"

static void oom(void) {
        static const char msg[] = "cradle: out of memory\n";
        /* Best effort; nothing else is safe to do here. */
        ssize_t r = write(STDERR_FILENO, msg, sizeof(msg) - 1);
        (void) r;
        abort();
}

void *xmalloc(size_t n) {
        /* malloc(0) may return NULL; asking for one byte keeps NULL meaning OOM. */
        void *p = malloc(n ? n : 1);
        if (!p)
                oom();
        return p;
}

void *xcalloc(size_t n, size_t size) {
        void *p = calloc(n ? n : 1, size ? size : 1);
        if (!p)
                oom();
        return p;
}

void *xrealloc(void *p, size_t n) {
        void *q = realloc(p, n ? n : 1);
        if (!q)
                oom();
        return q;
}

char *str_printf(const char *fmt, ...) {
        va_list ap;
        char *s = NULL;
        int r;

        va_start(ap, fmt);
        r = vasprintf(&s, fmt, ap);
        va_end(ap);
        if (r < 0)
                oom();
        return s;
}

char *str_dup(const char *s) {
        if (!s)
                return NULL;
        size_t n = strlen(s) + 1;
        char *d = xmalloc(n);
        memcpy(d, s, n);
        return d;
}

bool str_eq(const char *a, const char *b) {
        if (!a || !b)
                return a == b;
        return strcmp(a, b) == 0;
}

bool str_startswith(const char *s, const char *prefix) {
        if (!s || !prefix)
                return false;
        return strncmp(s, prefix, strlen(prefix)) == 0;
}

int str_to_int64(const char *s, int64_t min, int64_t max, int64_t *out) {
        const char *p = s;
        bool negative = false;
        uint64_t v = 0, limit;

        if (!s || !*s)
                return -EINVAL;
        /* Only an optional '-' then digits: strtoll would also accept leading
         * whitespace, '+', and "0x" with base 0, none of which belongs in a
         * config file or a URL parameter. */
        if (*p == '-') {
                negative = true;
                p++;
        }
        if (!*p)
                return -EINVAL;
        limit = negative ? (uint64_t) INT64_MAX + 1 : (uint64_t) INT64_MAX;
        for (; *p; p++) {
                if (*p < '0' || *p > '9')
                        return -EINVAL;
                unsigned d = (unsigned) (*p - '0');
                if (v > (limit - d) / 10) {
                        /* Keep scanning: a non-digit later still makes this
                         * "not a number" rather than "out of range". */
                        for (p++; *p; p++)
                                if (*p < '0' || *p > '9')
                                        return -EINVAL;
                        return -ERANGE;
                }
                v = v * 10 + d;
        }

        int64_t r;
        if (negative)
                r = v == (uint64_t) INT64_MAX + 1 ? INT64_MIN : -(int64_t) v;
        else
                r = (int64_t) v;
        if (r < min || r > max)
                return -ERANGE;
        *out = r;
        return 0;
}

void str_sanitize(const char *in, size_t len, char *out, size_t out_size) {
        size_t o = 0;

        if (out_size == 0)
                return;
        if (!in) {
                out[0] = '\0';
                return;
        }
        for (size_t i = 0; i < len; i++) {
                if (o + 1 >= out_size) {
                        /* Mark the cut so a reader does not take the excerpt
                         * for the whole value. */
                        if (out_size >= 4) {
                                o = out_size - 4;
                                memcpy(out + o, "...", 3);
                                o += 3;
                        }
                        break;
                }
                unsigned char c = (unsigned char) in[i];
                out[o++] = (c >= 0x20 && c < 0x7f) ? (char) c : '?';
        }
        out[o] = '\0';
}

static void buf_reserve(struct buf *b, size_t extra) {
        if (extra > SIZE_MAX - b->len - 1)
                oom();
        size_t need = b->len + extra + 1; /* room for the NUL buf_steal adds */
        if (need <= b->cap)
                return;
        size_t cap = b->cap ? b->cap : 64;
        while (cap < need)
                cap = cap > SIZE_MAX / 2 ? need : cap * 2;
        b->data = xrealloc(b->data, cap);
        b->cap = cap;
}

void buf_append(struct buf *b, const void *data, size_t len) {
        buf_reserve(b, len);
        if (len)
                memcpy(b->data + b->len, data, len);
        b->len += len;
        b->data[b->len] = '\0';
}

void buf_appendf(struct buf *b, const char *fmt, ...) {
        va_list ap;
        char *s = NULL;
        int n;

        va_start(ap, fmt);
        n = vasprintf(&s, fmt, ap);
        va_end(ap);
        if (n < 0)
                oom();
        buf_append(b, s, (size_t) n);
        free(s);
}

void buf_free(struct buf *b) {
        free(b->data);
        *b = (struct buf) { 0 };
}

char *buf_steal(struct buf *b) {
        buf_reserve(b, 0);
        b->data[b->len] = '\0';
        char *s = b->data;
        *b = (struct buf) { 0 };
        return s;
}

void free_secret(char *s) {
        if (!s)
                return;
        /* explicit_bzero, unlike memset, is not removed as a dead store. */
        explicit_bzero(s, strlen(s));
        free(s);
}

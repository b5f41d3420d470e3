/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Heap printf; aborts on OOM (out of memory is a broken invariant here). */
char *str_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *str_dup(const char *s);         /* xstrdup; NULL -> NULL */
bool str_eq(const char *a, const char *b); /* NULL-safe */
bool str_startswith(const char *s, const char *prefix);
/* Parses a decimal integer, whole string, in range. Only an optional '-' and
 * digits are accepted (no spaces, '+' or "0x"). Returns 0, -EINVAL when s is
 * not a number, -ERANGE when it is outside [min, max]; *out is untouched on
 * failure. */
int str_to_int64(const char *s, int64_t min, int64_t max, int64_t *out);
/* Copies at most len bytes of untrusted text into out (out_size bytes, always
 * NUL-terminated) for use inside an error message: bytes outside printable
 * ASCII become '?', and a cut is marked with "...". */
void str_sanitize(const char *in, size_t len, char *out, size_t out_size);
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);

/* Growable byte buffer. */
struct buf { char *data; size_t len, cap; };
void buf_append(struct buf *b, const void *data, size_t len);
void buf_appendf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void buf_free(struct buf *b);
char *buf_steal(struct buf *b); /* NUL-terminated */

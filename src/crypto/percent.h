/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/*
 * Percent-decoding (RFC 3986 section 2.1) for path segments, query values and
 * the attribute values of pkcs11: URIs (RFC 7512).
 * The decoded text must be clean: valid UTF-8 without control characters, so
 * nothing downstream (SQL parameters, JSON, log lines) sees NUL bytes or
 * terminal escapes smuggled in as %00 or %1b.
 */
#include <stdbool.h>
#include <stddef.h>

enum percent_result {
        PERCENT_OK = 0,
        PERCENT_BAD_ESCAPE,   /* '%' not followed by two hex digits */
        PERCENT_BAD_TEXT,     /* decodes to invalid UTF-8 or a control character */
};

/* Decodes `len` bytes of `in` into a heap string (*out, NUL-terminated). */
enum percent_result percent_decode(const char *in, size_t len, char **out);
/* "invalid percent-encoding" / "not valid UTF-8 text" */
const char *percent_result_describe(enum percent_result r);
/* Valid UTF-8 (no overlongs, no surrogates) and no C0/DEL control characters. */
bool text_is_clean_utf8(const char *s, size_t len);

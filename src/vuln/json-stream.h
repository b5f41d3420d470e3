/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/*
 * A streaming splitter for large JSON feeds (issue 9). An NVD yearly file is
 * 100+ MB and a full KEV or EUVD dump thousands of records: loading one whole
 * would need memory in proportion to the feed. The splitter reads the file in
 * fixed chunks, walks the top-level object byte by byte, and hands each
 * element of one named top-level array (NVD 2.0 and KEV "vulnerabilities",
 * EUVD "items") to jansson on its own, so memory stays bounded by the largest
 * single record. Every other top-level member (format, version, timestamps)
 * is parsed whole, within a smaller limit, and handed over as it is met.
 *
 * Only the framing is checked here (strings, brackets, commas, depth, sizes,
 * truncation, trailing data); each piece is then parsed by jansson, which
 * checks the rest (escapes, numbers, UTF-8, duplicate keys). Errors name the
 * input, the byte offset and the element index.
 */
#include <jansson.h>
#include <stdio.h>

#include "core/error.h"

struct vuln_json_stream_limits {
        size_t max_element;   /* bytes of one array element (0: 16 MiB) */
        size_t max_member;    /* bytes of one other top-level member (0: 1 MiB) */
        size_t max_depth;     /* nesting inside an element or member (0: 32) */
        size_t max_elements;  /* elements of the array (0: 10,000,000) */
};

struct vuln_json_stream_ops {
        /* The top-level member whose array is streamed, or NULL when the
         * document itself is a top-level array to stream. */
        const char *array_key;
        /* Any other top-level member, parsed (may be NULL: ignored). The
         * value is borrowed for the call. */
        int (*on_member)(void *user, const char *key, json_t *value, struct error *err);
        /* Each element of the streamed array, parsed; must be an object. The
         * value is borrowed for the call; a negative return stops the walk. */
        int (*on_element)(void *user, json_t *element, size_t index, struct error *err);
};

/* Walks `f` from its current position to its end. Returns 0, or -1 with err
 * naming `what` (ERROR_INVALID for a malformed or truncated document,
 * ERROR_TOO_LARGE over a limit, or whatever a callback set). A document
 * without the array key is fine (no elements); the key twice is an error. */
int vuln_json_stream(const char *what, FILE *f, const struct vuln_json_stream_limits *limits,
                     const struct vuln_json_stream_ops *ops, void *user, struct error *err);

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The streaming splitter (json-stream.h). A small state machine over a
 * buffered reader: it knows JSON's framing (strings with escapes, brackets,
 * commas) and nothing else; jansson parses each captured piece.
 */
#include "vuln/json-stream.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "core/cleanup.h"
#include "core/json.h"
#include "core/strutil.h"

#define READ_CHUNK 65536

struct reader {
        FILE *f;
        const char *what;
        unsigned char buf[READ_CHUNK];
        size_t pos, len;
        size_t offset;          /* bytes consumed before buf[pos] */
        bool eof;
        bool io_error;
        /* The capture in progress: bytes from buf[span] on belong to it and
         * are copied in one piece when the buffer is refilled or the value
         * ends (a byte-by-byte copy was a tenth of an NVD import's time). */
        struct buf *cap;
        size_t cap_max;
        size_t span;
        bool cap_over;          /* the capture passed cap_max: stop */
};

static void flush_span(struct reader *r, size_t upto) {
        if (!r->cap || r->cap_over)
                return;
        size_t n = upto - r->span;
        if (r->cap->len + n > r->cap_max)
                r->cap_over = true;
        else if (n)
                buf_append(r->cap, r->buf + r->span, n);
        r->span = upto;
}

static int peek(struct reader *r) {
        if (r->pos == r->len) {
                if (r->eof)
                        return EOF;
                flush_span(r, r->len);
                r->offset += r->len;
                r->len = fread(r->buf, 1, sizeof(r->buf), r->f);
                r->pos = 0;
                r->span = 0;
                if (r->len == 0) {
                        r->eof = true;
                        r->io_error = ferror(r->f) != 0;
                        return EOF;
                }
        }
        return r->buf[r->pos];
}

static int next(struct reader *r) {
        int c = peek(r);
        if (c != EOF)
                r->pos++;
        return c;
}

static size_t where(const struct reader *r) {
        return r->offset + r->pos;
}

static void skip_ws(struct reader *r) {
        for (;;) {
                int c = peek(r);
                if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
                        return;
                r->pos++;
        }
}

static int fail_eof(struct reader *r, const char *inside, struct error *err) {
        if (r->io_error)
                return error_set(err, ERROR_IO, "%s: read error at byte %zu", r->what, where(r));
        return error_set(err, ERROR_INVALID, "%s: truncated at byte %zu (inside %s)", r->what, where(r), inside);
}

static int fail_char(struct reader *r, int c, const char *expected, struct error *err) {
        if (c == EOF)
                return fail_eof(r, expected, err);
        return error_set(err, ERROR_INVALID, "%s: byte %zu: expected %s, found '%c'", r->what, where(r), expected,
                         c >= 0x20 && c < 0x7f ? c : '?');
}

static int fail_over(struct reader *r, const char *label, struct error *err) {
        return error_set(err, ERROR_TOO_LARGE, "%s: %s at byte %zu is larger than %zu bytes", r->what, label, where(r),
                         r->cap_max);
}

static void capture_begin(struct reader *r, struct buf *b, size_t max) {
        b->len = 0;
        peek(r); /* a refill now, not in the middle of the span */
        r->cap = b;
        r->cap_max = max;
        r->span = r->pos;
        r->cap_over = false;
}

static int capture_end(struct reader *r, const char *label, struct error *err) {
        flush_span(r, r->pos);
        r->cap = NULL;
        return r->cap_over ? fail_over(r, label, err) : 0;
}

/* Scans one string (the opening quote is next). */
static int scan_string(struct reader *r, struct error *err) {
        r->pos++;
        for (;;) {
                /* the bytes up to the next quote or backslash, in one step */
                if (r->pos < r->len) {
                        const unsigned char *p = r->buf + r->pos, *end = r->buf + r->len;
                        while (p < end && *p != '"' && *p != '\\')
                                p++;
                        r->pos = (size_t) (p - r->buf);
                }
                if (r->cap_over)
                        return -1;
                int c = next(r);
                if (c == EOF)
                        return fail_eof(r, "a string", err);
                if (c == '"')
                        return 0;
                if (c == '\\' && next(r) == EOF)
                        return fail_eof(r, "a string", err);
        }
}

/* Captures one JSON value (whitespace already skipped) into b: a string, an
 * object or array up to its matching bracket, or a scalar up to the next
 * delimiter. Nesting deeper than max_depth is refused here, before jansson
 * sees it. */
static int capture_value(struct reader *r, struct buf *b, size_t max, size_t max_depth, const char *label,
                         struct error *err) {
        int c = peek(r);
        if (c == EOF)
                return fail_eof(r, label, err);
        capture_begin(r, b, max);
        int rc = -1;
        if (c == '"') {
                rc = scan_string(r, err);
        } else if (c != '{' && c != '[') {
                /* a scalar: letters, digits, sign, dot, exponent */
                size_t n = 0;
                while ((c = peek(r)) != EOF && c != ',' && c != '}' && c != ']' && c != ' ' && c != '\t' &&
                       c != '\n' && c != '\r' && !r->cap_over) {
                        r->pos++;
                        n++;
                }
                rc = n == 0 ? fail_char(r, c, "a value", err) : 0;
        } else {
                size_t depth = 0;
                for (;;) {
                        if (r->cap_over)
                                break;
                        c = peek(r);
                        if (c == EOF) {
                                fail_eof(r, label, err);
                                break;
                        }
                        if (c == '"') {
                                if (scan_string(r, err) < 0)
                                        break;
                                continue;
                        }
                        r->pos++;
                        if (c == '{' || c == '[') {
                                if (++depth > max_depth) {
                                        error_set(err, ERROR_INVALID, "%s: %s nests deeper than %zu at byte %zu",
                                                  r->what, label, max_depth, where(r));
                                        break;
                                }
                        } else if ((c == '}' || c == ']') && --depth == 0) {
                                rc = 0;
                                break;
                        }
                }
        }
        bool over_before = r->cap_over;
        int end = capture_end(r, label, over_before || rc == 0 ? err : NULL);
        if (over_before || r->cap_over)
                return -1; /* the size error wins: it is why the scan stopped */
        return rc < 0 ? -1 : end;
}

static json_t *parse_piece(struct reader *r, const struct buf *b, size_t start, const char *label,
                           struct error *err) {
        json_error_t je;
        json_t *v = json_loadb(b->data, b->len, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &je);
        if (!v) {
                error_set(err, ERROR_INVALID, "%s: %s at byte %zu: %s", r->what, label, start, je.text);
                return NULL;
        }
        return v;
}

static int stream_array(struct reader *r, const struct vuln_json_stream_limits *lim,
                        const struct vuln_json_stream_ops *ops, void *user, struct error *err) {
        int c = next(r);
        if (c != '[')
                return fail_char(r, c, ops->array_key ? "an array" : "'[' (a top-level array)", err);
        struct buf b = {0};
        size_t index = 0;
        int rc = -1;
        skip_ws(r);
        if (peek(r) == ']') {
                r->pos++;
                return 0;
        }
        for (;;) {
                skip_ws(r);
                char label[64];
                snprintf(label, sizeof(label), "element %zu", index);
                if (index >= lim->max_elements) {
                        error_set(err, ERROR_TOO_LARGE, "%s: more than %zu elements", r->what, lim->max_elements);
                        goto out;
                }
                size_t start = where(r);
                c = peek(r);
                if (c != '{') {
                        fail_char(r, c, "an object (an array element)", err);
                        goto out;
                }
                if (capture_value(r, &b, lim->max_element, lim->max_depth, label, err) < 0)
                        goto out;
                json_t *v = parse_piece(r, &b, start, label, err);
                if (!v)
                        goto out;
                int cr = ops->on_element(user, v, index, err);
                json_decref(v);
                if (cr < 0)
                        goto out;
                index++;
                skip_ws(r);
                c = next(r);
                if (c == ']')
                        break;
                if (c != ',') {
                        fail_char(r, c, "',' or ']' after an element", err);
                        goto out;
                }
        }
        rc = 0;
out:
        buf_free(&b);
        return rc;
}

/* Reads a member key: a short string decoded by jansson. */
static int read_key(struct reader *r, char **key, struct error *err) {
        struct buf b = {0};
        if (peek(r) != '"') {
                int c = peek(r);
                buf_free(&b);
                return fail_char(r, c, "a member name", err);
        }
        size_t start = where(r);
        if (capture_value(r, &b, 1024, 1, "a member name", err) < 0) {
                buf_free(&b);
                return -1;
        }
        json_t *v = parse_piece(r, &b, start, "member name", err);
        buf_free(&b);
        if (!v)
                return -1;
        *key = str_dup(json_string_value(v));
        json_decref(v);
        return 0;
}

static int stream_object(struct reader *r, const struct vuln_json_stream_limits *lim,
                         const struct vuln_json_stream_ops *ops, void *user, struct error *err) {
        int c = next(r);
        if (c != '{')
                return fail_char(r, c, "'{' (a top-level object)", err);
        bool seen_array = false;
        skip_ws(r);
        if (peek(r) == '}') {
                r->pos++;
                return 0;
        }
        for (;;) {
                skip_ws(r);
                _cleanup_free_ char *key = NULL;
                if (read_key(r, &key, err) < 0)
                        return -1;
                skip_ws(r);
                c = next(r);
                if (c != ':')
                        return fail_char(r, c, "':' after a member name", err);
                skip_ws(r);
                if (ops->array_key && strcmp(key, ops->array_key) == 0) {
                        if (seen_array)
                                return error_set(err, ERROR_INVALID, "%s: member '%s' given twice", r->what, key);
                        seen_array = true;
                        if (stream_array(r, lim, ops, user, err) < 0)
                                return -1;
                } else {
                        struct buf b = {0};
                        size_t start = where(r);
                        char label[96];
                        snprintf(label, sizeof(label), "member '%.64s'", key);
                        if (capture_value(r, &b, lim->max_member, lim->max_depth, label, err) < 0) {
                                buf_free(&b);
                                return -1;
                        }
                        json_t *v = parse_piece(r, &b, start, label, err);
                        buf_free(&b);
                        if (!v)
                                return -1;
                        int cr = ops->on_member ? ops->on_member(user, key, v, err) : 0;
                        json_decref(v);
                        if (cr < 0)
                                return -1;
                }
                skip_ws(r);
                c = next(r);
                if (c == '}')
                        return 0;
                if (c != ',')
                        return fail_char(r, c, "',' or '}' after a member", err);
        }
}

int vuln_json_stream(const char *what, FILE *f, const struct vuln_json_stream_limits *limits,
                     const struct vuln_json_stream_ops *ops, void *user, struct error *err) {
        struct vuln_json_stream_limits lim = limits ? *limits : (struct vuln_json_stream_limits){0};
        if (!lim.max_element)
                lim.max_element = 16u << 20;
        if (!lim.max_member)
                lim.max_member = 1u << 20;
        if (!lim.max_depth)
                lim.max_depth = CR_JSON_DEFAULT_MAX_DEPTH;
        if (!lim.max_elements)
                lim.max_elements = 10000000;
        struct reader *r = xcalloc(1, sizeof(*r));
        r->f = f;
        r->what = what;
        int rc;
        /* a UTF-8 byte order mark is tolerated: some exports write one */
        if (peek(r) == 0xEF) {
                r->pos++;
                if (next(r) != 0xBB || next(r) != 0xBF) {
                        rc = error_set(err, ERROR_INVALID, "%s: not UTF-8 JSON (a broken byte order mark)", what);
                        goto out;
                }
        }
        skip_ws(r);
        if (peek(r) == EOF) {
                rc = error_set(err, ERROR_INVALID, "%s: empty document", what);
                goto out;
        }
        rc = ops->array_key ? stream_object(r, &lim, ops, user, err) : stream_array(r, &lim, ops, user, err);
        if (rc == 0) {
                skip_ws(r);
                int c = peek(r);
                if (c != EOF)
                        rc = error_set(err, ERROR_INVALID, "%s: trailing data at byte %zu after the document", what,
                                       where(r));
                else if (r->io_error)
                        rc = fail_eof(r, "the document", err);
        }
out:
        free(r);
        return rc;
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Human output: tables, key/value blocks and terminal-safe text. JSON output
 * for scripts is the server's own document, pretty-printed.
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cli/output.h"
#include "core/cleanup.h"
#include "core/strutil.h"

struct cli_table {
        size_t n_cols;
        char **headers;
        size_t *max_width;
        size_t n_rows;
        char **cells;   /* n_rows * n_cols, row-major; NULL = absent */
};

/* Decodes one UTF-8 sequence at s (n bytes available). Returns its length
 * and sets *cp, or 0 for an invalid sequence (overlong, surrogate, too large,
 * truncated). */
static size_t utf8_decode(const unsigned char *s, size_t n, uint32_t *cp) {
        uint32_t c;
        size_t len;

        if (s[0] < 0x80) {
                *cp = s[0];
                return 1;
        }
        if (s[0] >= 0xc2 && s[0] <= 0xdf)
                len = 2, c = s[0] & 0x1f;
        else if (s[0] >= 0xe0 && s[0] <= 0xef)
                len = 3, c = s[0] & 0x0f;
        else if (s[0] >= 0xf0 && s[0] <= 0xf4)
                len = 4, c = s[0] & 0x07;
        else
                return 0;
        if (len > n)
                return 0;
        for (size_t i = 1; i < len; i++) {
                if ((s[i] & 0xc0) != 0x80)
                        return 0;
                c = (c << 6) | (s[i] & 0x3f);
        }
        if ((len == 3 && c < 0x800) || (len == 4 && c < 0x10000) || c > 0x10ffff ||
            (c >= 0xd800 && c <= 0xdfff))
                return 0;
        *cp = c;
        return len;
}

/* Code points that change how a terminal shows what follows. */
static bool codepoint_is_unsafe(uint32_t c) {
        return c < 0x20 || c == 0x7f || (c >= 0x80 && c <= 0x9f) || /* C0, DEL, C1 */
               (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069) || /* bidi */
               c == 0x200e || c == 0x200f || c == 0x061c;
}

char *cli_text_sanitize(const char *s, bool keep_newlines) {
        struct buf b = { 0 };
        const unsigned char *p = (const unsigned char *) s;
        size_t n = strlen(s);

        for (size_t i = 0; i < n;) {
                uint32_t cp;
                size_t len = utf8_decode(p + i, n - i, &cp);
                if (len == 0) {
                        buf_append(&b, "?", 1);
                        i++;
                        continue;
                }
                if (cp == '\n' && keep_newlines)
                        buf_append(&b, "\n", 1);
                else if (cp == '\n' || cp == '\t')
                        buf_append(&b, " ", 1);
                else if (codepoint_is_unsafe(cp))
                        buf_append(&b, "?", 1);
                else
                        buf_append(&b, p + i, len);
                i += len;
        }
        buf_append(&b, "", 0);
        return buf_steal(&b);
}

size_t cli_text_width(const char *s) {
        size_t w = 0;
        for (const unsigned char *p = (const unsigned char *) s; *p; p++)
                if ((*p & 0xc0) != 0x80)
                        w++;
        return w;
}

/* Cuts sanitised text to `width` code points, ending in "..." when cut. */
static char *truncate_text(char *s, size_t width) {
        size_t keep, w = 0;
        unsigned char *p = (unsigned char *) s;

        if (width == 0 || cli_text_width(s) <= width)
                return s;
        keep = width > 3 ? width - 3 : width;
        while (*p) {
                if ((*p & 0xc0) != 0x80) {
                        if (w == keep)
                                break;
                        w++;
                }
                p++;
        }
        *p = '\0';
        if (width > 3) {
                char *t = str_printf("%s...", s);
                free(s);
                return t;
        }
        return s;
}

struct cli_table *cli_table_new(size_t n_cols, const char *const *headers) {
        struct cli_table *t = xcalloc(1, sizeof(*t));

        t->n_cols = n_cols;
        t->headers = xcalloc(n_cols, sizeof(char *));
        t->max_width = xcalloc(n_cols, sizeof(size_t));
        for (size_t i = 0; i < n_cols; i++)
                t->headers[i] = str_dup(headers[i]);
        return t;
}

void cli_table_set_max_width(struct cli_table *t, size_t col, size_t width) {
        if (col < t->n_cols)
                t->max_width[col] = width;
}

void cli_table_add_row(struct cli_table *t, const char *const *cells) {
        t->cells = xrealloc(t->cells, (t->n_rows + 1) * t->n_cols * sizeof(char *));
        for (size_t i = 0; i < t->n_cols; i++)
                t->cells[t->n_rows * t->n_cols + i] = str_dup(cells[i]);
        t->n_rows++;
}

size_t cli_table_rows(const struct cli_table *t) {
        return t->n_rows;
}

static void append_line(struct buf *b, char **cells, const size_t *widths, size_t n_cols) {
        size_t start = b->len;

        for (size_t c = 0; c < n_cols; c++) {
                buf_append(b, cells[c], strlen(cells[c]));
                if (c + 1 == n_cols)
                        break;
                for (size_t w = cli_text_width(cells[c]); w < widths[c]; w++)
                        buf_append(b, " ", 1);
                buf_append(b, CLI_TABLE_GAP, strlen(CLI_TABLE_GAP));
        }
        /* An empty last column would leave the gap hanging. */
        while (b->len > start && b->data[b->len - 1] == ' ')
                b->len--;
        buf_append(b, "\n", 1);
}

char *cli_table_render(const struct cli_table *t) {
        size_t n = t->n_cols, total = (t->n_rows + 1) * n;
        char **text = xcalloc(total, sizeof(char *));
        size_t *widths = xcalloc(n, sizeof(size_t));
        struct buf b = { 0 };

        for (size_t i = 0; i < total; i++) {
                size_t col = i % n;
                const char *src = i < n ? t->headers[col] : t->cells[i - n];
                text[i] = truncate_text(cli_text_sanitize(src ? src : CLI_ABSENT, false),
                                        t->max_width[col]);
                size_t w = cli_text_width(text[i]);
                if (w > widths[col])
                        widths[col] = w;
        }
        for (size_t r = 0; r <= t->n_rows; r++)
                append_line(&b, text + r * n, widths, n);
        for (size_t i = 0; i < total; i++)
                free(text[i]);
        free(text);
        free(widths);
        buf_append(&b, "", 0);
        return buf_steal(&b);
}

void cli_table_free(struct cli_table *t) {
        if (!t)
                return;
        for (size_t i = 0; i < t->n_cols; i++)
                free(t->headers[i]);
        for (size_t i = 0; i < t->n_rows * t->n_cols; i++)
                free(t->cells[i]);
        free(t->headers);
        free(t->max_width);
        free(t->cells);
        free(t);
}

char *cli_kv_render(size_t n, const char *const *keys, const char *const *values) {
        size_t key_width = 0;
        struct buf b = { 0 };

        for (size_t i = 0; i < n; i++) {
                size_t w = cli_text_width(keys[i]) + 1; /* the colon */
                if (w > key_width)
                        key_width = w;
        }
        for (size_t i = 0; i < n; i++) {
                _cleanup_free_ char *key = cli_text_sanitize(keys[i], false);
                _cleanup_free_ char *val = cli_text_sanitize(values[i] ? values[i] : CLI_ABSENT, true);
                size_t indent = key_width + 2;

                buf_appendf(&b, "%s:", key);
                for (size_t w = cli_text_width(key) + 1; w < indent; w++)
                        buf_append(&b, " ", 1);
                for (const char *p = val; *p; p++) {
                        buf_append(&b, p, 1);
                        if (*p == '\n')
                                for (size_t w = 0; w < indent; w++)
                                        buf_append(&b, " ", 1);
                }
                buf_append(&b, "\n", 1);
        }
        buf_append(&b, "", 0);
        return buf_steal(&b);
}

json_t *cli_json_at(json_t *obj, const char *path) {
        const char *p = path;

        while (obj && json_is_object(obj)) {
                const char *dot = strchr(p, '.');
                if (!dot)
                        return json_object_get(obj, p);
                _cleanup_free_ char *part = strndup(p, (size_t) (dot - p));
                if (!part)
                        abort();
                obj = json_object_get(obj, part);
                p = dot + 1;
        }
        return NULL;
}

char *cli_json_text(json_t *v) {
        if (!v || json_is_null(v))
                return NULL;
        if (json_is_string(v))
                return str_dup(json_string_value(v));
        if (json_is_integer(v))
                return str_printf("%" JSON_INTEGER_FORMAT, json_integer_value(v));
        if (json_is_boolean(v))
                return str_dup(json_is_true(v) ? "yes" : "no");
        if (json_is_array(v)) {
                bool all_strings = true;
                size_t i;
                json_t *e;
                json_array_foreach(v, i, e)
                        if (!json_is_string(e))
                                all_strings = false;
                if (all_strings) {
                        struct buf b = { 0 };
                        json_array_foreach(v, i, e) {
                                if (i)
                                        buf_append(&b, ", ", 2);
                                buf_append(&b, json_string_value(e), strlen(json_string_value(e)));
                        }
                        buf_append(&b, "", 0);
                        return buf_steal(&b);
                }
        }
        char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
        if (!s)
                abort();
        return s;
}

int cli_json_print(FILE *f, json_t *j) {
        if (json_dumpf(j, f, JSON_INDENT(2) | JSON_ENCODE_ANY) < 0)
                return -1;
        if (fputc('\n', f) == EOF)
                return -1;
        return 0;
}

int cli_print(FILE *f, const char *text) {
        return fputs(text, f) == EOF ? -1 : 0;
}

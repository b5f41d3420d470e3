/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/*
 * What the CLI prints: aligned tables and key/value blocks for people, the
 * server's JSON (pretty) for scripts. Every string that came from the server
 * is sanitised before it reaches a terminal: control characters, invalid
 * UTF-8 and bidirectional overrides become '?', so a product name cannot
 * move the cursor or repaint the screen.
 *
 * Rendering returns heap strings so it can be tested byte for byte.
 */
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* Column separator and what an absent value prints as. */
#define CLI_TABLE_GAP "  "
#define CLI_ABSENT "-"

struct cli_table;

/* `headers` are copied. */
struct cli_table *cli_table_new(size_t n_cols, const char *const *headers);
/* Truncates the column's cells to `width` characters, the last three
 * being "..." (0 = no limit, the default). */
void cli_table_set_max_width(struct cli_table *t, size_t col, size_t width);
/* Copies n_cols cells; a NULL cell prints as CLI_ABSENT. */
void cli_table_add_row(struct cli_table *t, const char *const *cells);
size_t cli_table_rows(const struct cli_table *t);
/* Header line, then one line per row. Columns are as wide as their widest
 * cell (in code points; East Asian wide characters are not measured),
 * separated by CLI_TABLE_GAP; no trailing spaces. */
char *cli_table_render(const struct cli_table *t);
void cli_table_free(struct cli_table *t);

/* "key:  value" lines with the values aligned; a newline inside a value
 * continues on the next line at the value column. NULL value -> CLI_ABSENT. */
char *cli_kv_render(size_t n, const char *const *keys, const char *const *values);

/* Makes outside text safe for a terminal (see above). With keep_newlines,
 * '\n' stays; otherwise it becomes a space, as does '\t'. */
char *cli_text_sanitize(const char *s, bool keep_newlines);
/* Display width in code points of sanitised text. */
size_t cli_text_width(const char *s);

/* Value at a dotted path ("manufacturer.name") or NULL. */
json_t *cli_json_at(json_t *obj, const char *path);
/* A JSON value as a cell: strings as they are, integers in decimal, arrays of
 * strings joined by ", ", null/absent as NULL, anything else compact JSON. */
char *cli_json_text(json_t *v);

/* Pretty JSON (2-space indent) and a newline. Returns 0 or -1 on a write error. */
int cli_json_print(FILE *f, json_t *j);
/* Writes text; returns 0 or -1 on a write error. */
int cli_print(FILE *f, const char *text);

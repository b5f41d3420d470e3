/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/*
 * CSV as RFC 4180 writes it (CRLF line ends; a field with a comma, a double
 * quote, CR or LF is enclosed in double quotes, and its double quotes are
 * doubled), made safe to open in a spreadsheet: a cell that starts with
 * '=', '+', '-', '@', TAB or CR would be read as a formula (CSV/formula
 * injection), so it gets a leading apostrophe and is quoted. The data a
 * notification list carries (owner references, product models, versions)
 * comes from operators and devices, so every cell goes through this.
 */
#include <stddef.h>

struct notify_csv {
        char *buf;
        size_t len, cap;
};

/* Appends one cell (NULL: an empty cell); first says whether it opens a row. */
void notify_csv_cell(struct notify_csv *c, const char *text, int first);
void notify_csv_row_end(struct notify_csv *c);
/* Hands the text over (never NULL; "" when nothing was written). */
char *notify_csv_take(struct notify_csv *c);

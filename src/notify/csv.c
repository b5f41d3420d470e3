/* SPDX-License-Identifier: Apache-2.0 */
/* RFC 4180 CSV with formula-injection-safe cells (csv.h). */
#include "notify/csv.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "core/strutil.h"

static void put(struct notify_csv *c, const char *p, size_t n) {
        if (c->len + n + 1 > c->cap) {
                size_t cap = c->cap ? c->cap : 256;
                while (c->len + n + 1 > cap)
                        cap *= 2;
                c->buf = xrealloc(c->buf, cap);
                c->cap = cap;
        }
        memcpy(c->buf + c->len, p, n);
        c->len += n;
        c->buf[c->len] = '\0';
}

void notify_csv_cell(struct notify_csv *c, const char *text, int first) {
        if (!first)
                put(c, ",", 1);
        if (!text || !*text)
                return;
        /* A leading character a spreadsheet reads as the start of a formula. */
        bool formula = strchr("=+-@\t\r", text[0]) != NULL;
        bool quote = formula || strpbrk(text, ",\"\r\n") != NULL;
        if (quote)
                put(c, "\"", 1);
        if (formula)
                put(c, "'", 1);
        for (const char *p = text; *p; p++) {
                if (*p == '"')
                        put(c, "\"\"", 2);
                else
                        put(c, p, 1);
        }
        if (quote)
                put(c, "\"", 1);
}

void notify_csv_row_end(struct notify_csv *c) {
        put(c, "\r\n", 2);
}

char *notify_csv_take(struct notify_csv *c) {
        char *out = c->buf ? c->buf : str_dup("");
        c->buf = NULL;
        c->len = c->cap = 0;
        return out;
}

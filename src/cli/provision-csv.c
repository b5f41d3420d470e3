/* SPDX-License-Identifier: Apache-2.0 */
/* The serial list of `cradle provision` (format and limits in the header). */
#include "cli/provision-csv.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/strutil.h"

#define COL_IGNORED (-1)
#define COL_SERIAL 0
#define COL_STATION 1

int provision_name_check(const char *what, const char *value, struct error *err) {
        size_t n = strlen(value);
        if (n == 0)
                return error_set(err, ERROR_INVALID, "%s is empty", what);
        char safe[80];
        str_sanitize(value, n, safe, sizeof(safe));
        if (n > PROVISION_NAME_MAX)
                return error_set(err, ERROR_INVALID, "%s '%s' is longer than %d characters", what,
                                 safe, PROVISION_NAME_MAX);
        for (size_t i = 0; i < n; i++) {
                unsigned char c = (unsigned char) value[i];
                bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                          c == '.' || c == '_' || c == '-';
                if (ok)
                        continue;
                if (c > 0x20 && c < 0x7f)
                        return error_set(err, ERROR_INVALID,
                                         "%s '%s': character '%c' is not allowed; use [A-Za-z0-9._-]",
                                         what, safe, c);
                return error_set(err, ERROR_INVALID,
                                 "%s '%s': byte 0x%02x at position %zu is not allowed; use [A-Za-z0-9._-]",
                                 what, safe, c, i + 1);
        }
        /* It names a directory of the output. */
        if (strcmp(value, ".") == 0 || strcmp(value, "..") == 0)
                return error_set(err, ERROR_INVALID, "%s '%s' is not allowed", what, value);
        return 0;
}

/* One line split into fields (pointers into `scratch`, NUL-terminated). */
struct fields {
        char *f[PROVISION_CSV_MAX_COLUMNS];
        size_t n;
};

static bool is_blank(char c) {
        return c == ' ' || c == '\t';
}

/* Splits line[0..len) (no line end) into fields written into scratch (at
 * least len + 1 bytes). */
static int split_line(const char *line, size_t len, char *scratch, struct fields *out, size_t lineno,
                      struct error *err) {
        size_t i = 0, w = 0;
        out->n = 0;
        for (;;) {
                if (out->n >= PROVISION_CSV_MAX_COLUMNS)
                        return error_set(err, ERROR_TOO_LARGE, "line %zu: more than %d fields", lineno,
                                         PROVISION_CSV_MAX_COLUMNS);
                while (i < len && is_blank(line[i]))
                        i++;
                char *field = scratch + w;
                if (i < len && line[i] == '"') {
                        i++;
                        for (;;) {
                                if (i >= len)
                                        return error_set(err, ERROR_INVALID,
                                                         "line %zu, field %zu: a quoted field is not closed "
                                                         "(quoted fields cannot span lines)",
                                                         lineno, out->n + 1);
                                if (line[i] == '"') {
                                        if (i + 1 < len && line[i + 1] == '"') {
                                                scratch[w++] = '"';
                                                i += 2;
                                                continue;
                                        }
                                        i++;
                                        break;
                                }
                                scratch[w++] = line[i++];
                        }
                        while (i < len && is_blank(line[i]))
                                i++;
                        if (i < len && line[i] != ',')
                                return error_set(err, ERROR_INVALID,
                                                 "line %zu, field %zu: text after the closing quote",
                                                 lineno, out->n + 1);
                } else {
                        size_t start = w;
                        while (i < len && line[i] != ',') {
                                if (line[i] == '"')
                                        return error_set(err, ERROR_INVALID,
                                                         "line %zu, field %zu: a quote inside an unquoted field",
                                                         lineno, out->n + 1);
                                scratch[w++] = line[i++];
                        }
                        while (w > start && is_blank(scratch[w - 1]))
                                w--;
                }
                scratch[w++] = '\0';
                out->f[out->n++] = field;
                if (i >= len)
                        break;
                i++; /* the ',' */
        }
        return 0;
}

static int compare_rows(const void *a, const void *b) {
        const struct provision_row *const *x = a, *const *y = b;
        int c = strcmp((*x)->serial, (*y)->serial);
        if (c)
                return c;
        return (*x)->line < (*y)->line ? -1 : (*x)->line > (*y)->line;
}

/* Refuses a serial given twice, naming the first repeat in file order. */
static int check_duplicates(const struct provision_csv *c, struct error *err) {
        if (c->n_rows < 2)
                return 0;
        const struct provision_row **sorted = xcalloc(c->n_rows, sizeof(*sorted));
        for (size_t i = 0; i < c->n_rows; i++)
                sorted[i] = &c->rows[i];
        qsort(sorted, c->n_rows, sizeof(*sorted), compare_rows);
        const struct provision_row *repeat = NULL, *first = NULL;
        for (size_t i = 1; i < c->n_rows; i++) {
                if (strcmp(sorted[i]->serial, sorted[i - 1]->serial) != 0)
                        continue;
                /* sorted[i - 1] is an earlier line with the same serial; find
                 * that serial's first line. */
                size_t k = i - 1;
                while (k > 0 && strcmp(sorted[k - 1]->serial, sorted[i]->serial) == 0)
                        k--;
                if (!repeat || sorted[i]->line < repeat->line) {
                        repeat = sorted[i];
                        first = sorted[k];
                }
        }
        int r = 0;
        if (repeat)
                r = error_set(err, ERROR_INVALID, "line %zu: serial '%s' is listed twice (first on line %zu)",
                              repeat->line, repeat->serial, first->line);
        free(sorted);
        return r;
}

int provision_csv_parse(const char *data, size_t len, struct provision_csv *out, struct error *err) {
        int col_of[PROVISION_CSV_MAX_COLUMNS];
        size_t n_cols = 0, cap = 0, lineno = 0;
        bool have_header = false;
        char *scratch = xmalloc(PROVISION_CSV_MAX_LINE + 1);
        struct provision_csv c = {0};
        int r = -1;

        memset(out, 0, sizeof(*out));
        if (len > PROVISION_CSV_MAX_BYTES) {
                error_set(err, ERROR_TOO_LARGE, "the file is larger than %zu MiB",
                          PROVISION_CSV_MAX_BYTES / (1024 * 1024));
                goto out;
        }
        if (len >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0) {
                data += 3;
                len -= 3;
        }
        size_t pos = 0;
        while (pos < len) {
                const char *line = data + pos;
                const char *nl = memchr(line, '\n', len - pos);
                size_t n = nl ? (size_t) (nl - line) : len - pos;
                pos += n + (nl ? 1 : 0);
                lineno++;
                if (n > 0 && line[n - 1] == '\r')
                        n--;
                if (n > PROVISION_CSV_MAX_LINE) {
                        error_set(err, ERROR_TOO_LARGE, "line %zu: longer than %d bytes", lineno,
                                  PROVISION_CSV_MAX_LINE);
                        goto out;
                }
                if (memchr(line, '\0', n)) {
                        error_set(err, ERROR_INVALID, "line %zu: contains a NUL byte (not a text file?)",
                                  lineno);
                        goto out;
                }
                bool blank = true;
                for (size_t i = 0; i < n && blank; i++)
                        blank = is_blank(line[i]) || line[i] == '\r';
                if (blank)
                        continue;

                struct fields f;
                if (split_line(line, n, scratch, &f, lineno, err) < 0)
                        goto out;

                if (!have_header) {
                        bool have_serial = false, have_station = false;
                        for (size_t i = 0; i < f.n; i++) {
                                for (size_t k = 0; k < i; k++)
                                        if (strcasecmp(f.f[i], f.f[k]) == 0) {
                                                char safe[80];
                                                str_sanitize(f.f[i], strlen(f.f[i]), safe, sizeof(safe));
                                                error_set(err, ERROR_INVALID,
                                                          "line %zu (header): column '%s' appears twice",
                                                          lineno, safe);
                                                goto out;
                                        }
                                col_of[i] = COL_IGNORED;
                                if (strcasecmp(f.f[i], "serial") == 0) {
                                        col_of[i] = COL_SERIAL;
                                        have_serial = true;
                                } else if (strcasecmp(f.f[i], "station") == 0) {
                                        col_of[i] = COL_STATION;
                                        have_station = true;
                                }
                        }
                        (void) have_station;
                        if (!have_serial) {
                                error_set(err, ERROR_INVALID,
                                          "line %zu: the header has no 'serial' column (the first line names "
                                          "the columns, e.g. 'serial' or 'serial,station')",
                                          lineno);
                                goto out;
                        }
                        n_cols = f.n;
                        have_header = true;
                        continue;
                }

                if (f.n != n_cols) {
                        error_set(err, ERROR_INVALID, "line %zu: %zu field%s, the header has %zu", lineno,
                                  f.n, f.n == 1 ? "" : "s", n_cols);
                        goto out;
                }
                if (c.n_rows >= PROVISION_CSV_MAX_ROWS) {
                        error_set(err, ERROR_TOO_LARGE, "line %zu: more than %d serials in one file",
                                  lineno, PROVISION_CSV_MAX_ROWS);
                        goto out;
                }
                if (c.n_rows == cap) {
                        cap = cap ? cap * 2 : 64;
                        c.rows = xrealloc(c.rows, cap * sizeof(*c.rows));
                }
                struct provision_row *row = &c.rows[c.n_rows];
                memset(row, 0, sizeof(*row));
                row->line = lineno;
                for (size_t i = 0; i < f.n; i++) {
                        if (col_of[i] == COL_SERIAL) {
                                if (provision_name_check("serial", f.f[i], err) < 0) {
                                        error_prefix(err, "line %zu: ", lineno);
                                        goto out;
                                }
                                memcpy(row->serial, f.f[i], strlen(f.f[i]) + 1);
                        } else if (col_of[i] == COL_STATION && f.f[i][0]) {
                                if (provision_name_check("station", f.f[i], err) < 0) {
                                        error_prefix(err, "line %zu: ", lineno);
                                        goto out;
                                }
                                memcpy(row->station, f.f[i], strlen(f.f[i]) + 1);
                        }
                }
                c.n_rows++;
        }
        if (!have_header) {
                error_set(err, ERROR_INVALID, "the file is empty (expected a header line naming a 'serial' column)");
                goto out;
        }
        if (c.n_rows == 0) {
                error_set(err, ERROR_INVALID, "the file has a header but no serials");
                goto out;
        }
        if (check_duplicates(&c, err) < 0)
                goto out;
        *out = c;
        memset(&c, 0, sizeof(c));
        r = 0;
out:
        free(c.rows);
        free(scratch);
        return r;
}

void provision_csv_free(struct provision_csv *c) {
        if (!c)
                return;
        free(c->rows);
        memset(c, 0, sizeof(*c));
}

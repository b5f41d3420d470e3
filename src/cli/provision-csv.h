/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/*
 * The serial list of `cradle provision`: a CSV file a factory's MES exports,
 * so outside input with limits and an error per way it can be wrong.
 *
 *   serial,station,mac        <- header: names the columns; "serial" required
 *   SN-0001,line-3,00:11:22:33:44:55
 *   SN-0002,,00:11:22:33:44:56
 *
 * - The first non-blank line is the header. Column names are matched without
 *   regard to case or surrounding blanks; one must be "serial"; a name may
 *   appear once. Known optional columns: "station" (overrides --station for
 *   that row; empty = use --station). Any other column is accepted and
 *   ignored (MES exports carry more than we need).
 * - Fields are separated by ','; a field may be enclosed in double quotes
 *   (with "" for a quote inside); a quoted field cannot span lines. Blanks
 *   around unquoted fields are trimmed. Lines end in LF or CRLF. A UTF-8 BOM
 *   at the start is skipped. Blank lines are skipped.
 * - Every row has exactly as many fields as the header.
 * - A serial is 1..64 characters of [A-Za-z0-9._-] (it becomes the subject
 *   serialNumber and CN, a URN part and a directory name); a station is 1..64
 *   of the same.
 * - Serials are unique within the file.
 * Errors name the line ("line 12: serial 'AB/1': character '/' is not
 * allowed; use [A-Za-z0-9._-]").
 */
#include <stddef.h>

#include "core/error.h"

#define PROVISION_CSV_MAX_BYTES ((size_t) 8 * 1024 * 1024)
#define PROVISION_CSV_MAX_LINE 1024     /* bytes, without the line end */
#define PROVISION_CSV_MAX_ROWS 100000
#define PROVISION_CSV_MAX_COLUMNS 32
#define PROVISION_NAME_MAX 64

struct provision_row {
        char serial[PROVISION_NAME_MAX + 1];
        char station[PROVISION_NAME_MAX + 1]; /* "" = none given for this row */
        size_t line;                           /* 1-based line in the file */
};

struct provision_csv {
        struct provision_row *rows;
        size_t n_rows;
};

/* Parses the whole file. On failure nothing is allocated and err names the
 * line and what is wrong (ERROR_INVALID; ERROR_TOO_LARGE for the limits). */
int provision_csv_parse(const char *data, size_t len, struct provision_csv *out, struct error *err);
void provision_csv_free(struct provision_csv *c);

/* Checks a serial or station name: 1..64 of [A-Za-z0-9._-]. `what` names it
 * in the error. */
int provision_name_check(const char *what, const char *value, struct error *err);

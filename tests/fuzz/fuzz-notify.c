/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Outside input of informing users and end of support (issue 10 section 6)
 * that is not JSON: an owner reference (notify_owner_ref_check), the
 * [support] remind points (notify_support_points_parse) and a date for the
 * month arithmetic; and the CSV writer over the same bytes. Never a crash;
 * an accepted reference holds only [A-Za-z0-9._:-] and at most 64 bytes;
 * parsed points are strictly descending within 1..120; a CSV cell never
 * starts with a character a spreadsheet runs.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "notify/csv.h"
#include "notify/owner.h"
#include "notify/support.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        if (size > 4096)
                return 0;
        char *s = malloc(size + 1);
        if (!s)
                return 0;
        memcpy(s, data, size);
        s[size] = '\0';
        struct error err = {0};
        if (notify_owner_ref_check(s, &err) == 0) {
                if (strlen(s) > NOTIFY_OWNER_REF_MAX || strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                                                  "0123456789._:-") != strlen(s))
                        abort();
        }
        struct notify_support_points p;
        if (notify_support_points_parse(s, &p, &err) == 0) {
                for (size_t i = 0; i < p.n; i++)
                        if (p.months[i] < 1 || p.months[i] > 120 || (i && p.months[i] >= p.months[i - 1]))
                                abort();
        }
        char out[11];
        if (notify_support_date_minus_months(s, (int) (size % 121), out, &err) == 0 && strlen(out) != 10)
                abort();
        struct notify_csv c = {0};
        notify_csv_cell(&c, s, 1);
        notify_csv_row_end(&c);
        char *csv = notify_csv_take(&c);
        if (strchr("=+-@\t\r", csv[0]) && csv[0] != '\0' && csv[0] != '\r')
                abort(); /* a cell starts with a quote or a safe character (an empty cell: CRLF) */
        free(csv);
        free(s);
        return 0;
}

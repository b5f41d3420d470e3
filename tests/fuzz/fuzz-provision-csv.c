/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The serial list of `cradle provision` (a factory MES export). Beyond "no
 * crash": a refusal is a user error with a message; an accepted list holds
 * 1..PROVISION_CSV_MAX_ROWS rows, each serial (and station) a clean name,
 * line numbers strictly increasing, and no serial twice.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cli/provision-csv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        struct provision_csv c;
        struct error err = {0};
        if (provision_csv_parse((const char *) data, size, &c, &err) < 0) {
                if ((err.kind != ERROR_INVALID && err.kind != ERROR_TOO_LARGE) || !err.msg[0])
                        abort();
                return 0;
        }
        if (c.n_rows == 0 || c.n_rows > PROVISION_CSV_MAX_ROWS)
                abort();
        for (size_t i = 0; i < c.n_rows; i++) {
                if (provision_name_check("serial", c.rows[i].serial, NULL) < 0)
                        abort();
                if (c.rows[i].station[0] && provision_name_check("station", c.rows[i].station, NULL) < 0)
                        abort();
                if (i > 0 && c.rows[i].line <= c.rows[i - 1].line)
                        abort();
                /* Quadratic, but fuzz inputs are small. */
                for (size_t k = 0; k < i && c.n_rows < 2000; k++)
                        if (strcmp(c.rows[i].serial, c.rows[k].serial) == 0)
                                abort();
        }
        provision_csv_free(&c);
        return 0;
}

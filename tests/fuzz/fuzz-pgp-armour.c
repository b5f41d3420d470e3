/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The OpenPGP armour check (src/pgp/armour.c) against any bytes and each
 * kind: it must never crash or read past the text, and an accepted text's
 * decoded length is never more than the text could hold.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pgp/pgp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        /* an exact-size copy, so that a read past the end is ASan's to see */
        char *t = malloc(size ? size : 1);
        if (!t)
                return 0;
        if (size)
                memcpy(t, data, size);
        for (int k = PGP_ARMOUR_MESSAGE; k <= PGP_ARMOUR_SIGNATURE; k++) {
                struct pgp_armour_info info;
                if (pgp_armour_check(t, size, (enum pgp_armour_kind) k, &info, NULL) == 0 &&
                    info.body_len * 4 > size * 3)
                        abort();
        }
        free(t);
        return 0;
}

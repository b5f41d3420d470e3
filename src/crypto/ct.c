/* SPDX-License-Identifier: Apache-2.0 */
#include <string.h>

#include "crypto/ct.h"

bool ct_equal(const void *a, const void *b, size_t len) {
        /* volatile keeps the compiler from turning the loop into memcmp or
         * adding an early exit; every byte is read whatever the contents. */
        const volatile unsigned char *x = a, *y = b;
        unsigned char diff = 0;

        for (size_t i = 0; i < len; i++)
                diff |= x[i] ^ y[i];
        return diff == 0;
}

void ct_wipe(void *p, size_t len) {
        if (p && len)
                explicit_bzero(p, len);
}

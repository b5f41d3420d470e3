/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Every version scheme against any two strings: never a crash, and an order:
 * a version equals itself, and compare(a, b) is the opposite of compare(b, a).
 * Input: one byte choosing the scheme, then a and b separated by '\n'.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vuln/version.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int sign(int x) {
        return x < 0 ? -1 : x > 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        if (size < 1) return 0;
        enum vuln_version_scheme s = (enum vuln_version_scheme) (data[0] % _VULN_SCHEME_MAX);
        char *buf = malloc(size);
        if (!buf) return 0;
        memcpy(buf, data + 1, size - 1);
        buf[size - 1] = '\0';
        char *a = buf, *b = strchr(buf, '\n');
        if (b) *b++ = '\0';
        else b = a;
        int ab = 0, ba = 0, aa = 1;
        struct error err = {0};
        if (vuln_version_compare(s, a, b, &ab, &err) == 0) {
                if (vuln_version_compare(s, b, a, &ba, NULL) != 0) abort();
                if (sign(ab) != -sign(ba)) abort();
                if (vuln_version_compare(s, a, a, &aa, NULL) != 0 || aa != 0) abort();
        } else if (!err.msg[0]) {
                abort();
        }
        free(buf);
        return 0;
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The CPE parser (2.3 formatted string and 2.2 URI) against any bytes: never
 * a crash; a parsed value attribute always has text; a literal attribute
 * matches itself; the lookup key exists exactly when vendor and product are
 * literal values.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vuln/cpe.h"
#include "vuln/match.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        char *s = malloc(size + 1);
        if (!s) return 0;
        memcpy(s, data, size);
        s[size] = '\0';
        struct cpe c;
        struct error err = {0};
        if (cpe_parse(s, &c, &err) == 0) {
                for (int f = 0; f < CPE_NFIELDS; f++) {
                        const struct cpe_attr *a = &c.a[f];
                        if (a->kind == CPE_AV_VALUE && (!a->value || !*a->value)) abort();
                        if (a->kind == CPE_AV_VALUE && !a->wild && !cpe_attr_matches(a, a)) abort();
                }
                char *key = NULL;
                if (vuln_ident_match_key("cpe", s, &key, &err) != 0) abort();
                int literal = c.a[CPE_VENDOR].kind == CPE_AV_VALUE && !c.a[CPE_VENDOR].wild &&
                              c.a[CPE_PRODUCT].kind == CPE_AV_VALUE && !c.a[CPE_PRODUCT].wild;
                if (literal != (key != NULL)) abort();
                free(key);
                cpe_free(&c);
        } else if (!err.msg[0]) {
                abort();
        }
        free(s);
        return 0;
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The purl parser and its lookup key against any bytes: never a crash, and a
 * parsed purl always has a lowercase type and a non-empty name, sorted unique
 * qualifiers, and a key that starts with its type.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vuln/match.h"
#include "vuln/purl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        char *s = malloc(size + 1);
        if (!s) return 0;
        memcpy(s, data, size);
        s[size] = '\0';
        struct purl p;
        struct error err = {0};
        if (purl_parse(s, &p, &err) == 0) {
                if (!p.type || !*p.type || !p.name || !*p.name) abort();
                for (const char *c = p.type; *c; c++)
                        if (isupper((unsigned char) *c)) abort();
                for (size_t i = 1; i < p.nqualifiers; i++)
                        if (strcmp(p.qualifiers[i - 1].key, p.qualifiers[i].key) >= 0) abort();
                char *key = NULL;
                if (vuln_ident_match_key("purl", s, &key, &err) != 0 || !key) abort();
                if (strncmp(key, p.type, strlen(p.type)) != 0) abort();
                free(key);
                purl_free(&p);
        } else if (!err.msg[0]) {
                abort(); /* a refusal always says why */
        }
        free(s);
        return 0;
}

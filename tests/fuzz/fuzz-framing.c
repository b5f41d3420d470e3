/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The HTTP/1.1 framing checks against any header fields: lines of
 * "name:value" (split at the first colon; a line without one is a name with
 * an empty value), the first line being the protocol version. It must never
 * crash, and a request it lets through must have an unambiguous length: no
 * Content-Length beside Transfer-Encoding, and no field name with whitespace.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "server/framing.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_FIELDS 64

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        char *text = malloc(size + 1);
        if (!text)
                return 0;
        memcpy(text, data, size);
        text[size] = '\0';
        struct framing_field f[MAX_FIELDS];
        size_t n = 0;
        char *save = NULL;
        char *version = strtok_r(text, "\n", &save);
        for (char *line = strtok_r(NULL, "\n", &save); line && n < MAX_FIELDS; line = strtok_r(NULL, "\n", &save)) {
                char *colon = strchr(line, ':');
                if (colon)
                        *colon = '\0';
                f[n++] = (struct framing_field) { .name = line, .value = colon ? colon + 1 : "" };
        }
        struct error err = {0};
        if (framing_check(f, n, version, &err) == FRAMING_OK) {
                bool cl = false, te = false;
                for (size_t i = 0; i < n; i++) {
                        if (strpbrk(f[i].name, " \t"))
                                abort();
                        cl |= strcasecmp(f[i].name, "Content-Length") == 0;
                        te |= strcasecmp(f[i].name, "Transfer-Encoding") == 0;
                }
                if (cl && te)
                        abort();
        }
        free(text);
        return 0;
}

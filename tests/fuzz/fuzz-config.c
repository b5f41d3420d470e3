/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The configuration parser on arbitrary bytes: it must never crash, leak or
 * read out of bounds, and must leave nothing allocated when it refuses.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/cleanup.h"
#include "core/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct settings {
        char *listen;
        int64_t port;
        bool tls;
        uint64_t max_body;
        int64_t timeout;
        int64_t negative;
        char *path;
};

static const struct config_key schema[] = {
        { "server", "listen", CONFIG_STRING, offsetof(struct settings, listen), 0, 0, "127.0.0.1", "Address." },
        { "server", "port", CONFIG_INT, offsetof(struct settings, port), 1, 65535, "8443", "Port." },
        { "server", "tls", CONFIG_BOOL, offsetof(struct settings, tls), 0, 0, "true", NULL },
        { "limits", "max_body", CONFIG_SIZE, offsetof(struct settings, max_body), 1, 0, "1M", NULL },
        { "limits", "timeout", CONFIG_DURATION, offsetof(struct settings, timeout), 0, 86400, "30s", NULL },
        { "limits", "negative", CONFIG_INT, offsetof(struct settings, negative), INT64_MIN, -1, "-1", NULL },
        { "a-rather-long-section-name-beyond-what-libinih-keeps-in-its-buffer", "path", CONFIG_STRING,
          offsetof(struct settings, path), 0, 0, NULL, NULL },
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        struct settings s = { 0 };
        struct error err = { 0 };
        int r;

        r = config_parse_buffer("fuzz.ini", (const char *) data, size, schema, ELEMENTSOF(schema), &s,
                                &err);
        if (r < 0) {
                /* Refused: a message, and nothing left allocated. */
                if (!err.msg[0] || s.listen || s.path)
                        abort();
        } else {
                if (!s.listen || s.port < 1 || s.port > 65535 || s.timeout < 0 || s.timeout > 86400 ||
                    s.negative > -1 || s.max_body < 1)
                        abort();
        }
        config_free(schema, ELEMENTSOF(schema), &s);
        return 0;
}

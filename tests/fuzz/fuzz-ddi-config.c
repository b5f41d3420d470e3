/* SPDX-License-Identifier: Apache-2.0 */
/*
 * hawkBit DDI configData bodies (PUT .../configData): the lenient parser,
 * the mode, key and value checks and quotas, the allow-list and the escaping
 * a value is stored with. Beyond "no crash": a refused body carries a user
 * error (400 or 413), and every stored form of a value is free of raw control
 * characters and valid UTF-8.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/cleanup.h"
#include "core/json.h"
#include "ddi/ddi.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        struct error err = {0};
        _cleanup_json_ json_t *doc = ddi_json_parse("configData", (const char *) data, size, &err);
        if (!doc) {
                if (err.kind != ERROR_INVALID && err.kind != ERROR_TOO_LARGE)
                        abort();
                return 0;
        }
        struct ddi_config_doc cd;
        memset(&err, 0, sizeof(err));
        if (ddi_config_check(doc, NULL, &cd, &err) < 0) {
                if (err.kind != ERROR_INVALID && err.kind != ERROR_TOO_LARGE)
                        abort();
                return 0;
        }
        const char *key;
        json_t *v;
        json_object_foreach(cd.data, key, v) {
                (void) ddi_config_allowed(DDI_CONFIG_ALLOW_DEFAULT, key);
                char *stored = ddi_text_escape(json_string_value(v), 0);
                for (const unsigned char *p = (const unsigned char *) stored; *p; p++)
                        if (*p < 0x20 || *p == 0x7f)
                                abort();
                json_t *s = json_string(stored);
                if (!s)
                        abort();
                json_decref(s);
                free(stored);
        }
        return 0;
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * hawkBit DDI feedback bodies as a device sends them (POST
 * .../deploymentBase/{id}/feedback and .../cancelAction/{id}/feedback):
 * the lenient parser (raw control characters inside strings), the field
 * checks and limits, and the mapping onto the history for both kinds.
 * Beyond "no crash": a refused body carries a user error (400 or 413, never
 * a 500), and an accepted one maps onto a known stage with a reason that is
 * valid UTF-8 of bounded size and free of raw control characters.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/cleanup.h"
#include "core/json.h"
#include "ddi/ddi.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const stages[] = {
        "downloading", "installing", "success", "failure", "canceled", "rejected",
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        struct error err = {0};
        _cleanup_json_ json_t *doc = ddi_json_parse("feedback", (const char *) data, size, &err);
        if (!doc) {
                if (err.kind != ERROR_INVALID && err.kind != ERROR_TOO_LARGE)
                        abort();
                return 0;
        }
        struct ddi_feedback_doc f;
        memset(&err, 0, sizeof(err));
        if (ddi_feedback_check(doc, NULL, &f, &err) < 0) {
                if (err.kind != ERROR_INVALID && err.kind != ERROR_TOO_LARGE)
                        abort();
                return 0;
        }
        for (int kind = DDI_FEEDBACK_DEPLOYMENT; kind <= DDI_FEEDBACK_CANCEL; kind++) {
                struct ddi_feedback_mapping m;
                ddi_feedback_map(&f, (enum ddi_feedback_kind) kind, &m);
                if (m.stage) {
                        bool known = false;
                        for (size_t i = 0; i < sizeof(stages) / sizeof(stages[0]); i++)
                                known |= strcmp(stages[i], m.stage) == 0;
                        if (!known || !m.result)
                                abort();
                }
                if (m.reason) {
                        if (strlen(m.reason) > 1024 + 3)
                                abort();
                        for (const unsigned char *p = (const unsigned char *) m.reason; *p; p++)
                                if (*p < 0x20 || *p == 0x7f)
                                        abort();
                        json_t *s = json_string(m.reason); /* NULL = not valid UTF-8 */
                        if (!s)
                                abort();
                        json_decref(s);
                }
                free(m.reason);
        }
        return 0;
}

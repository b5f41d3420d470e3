/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A checkpoint file (`cradle audit verify --checkpoint FILE`: an export or a
 * witness file, outside input): audit_checkpoint_file_parse, then for each
 * checkpoint parsed the signature check against a fixed pinned key (base64
 * and SubjectPublicKeyInfo decoding of attacker bytes) and the comparison
 * with an empty chain. Properties beyond "no crash": a refusal carries a
 * message, an accepted file is non-empty, sorted by seq and within its
 * limits, and every accepted checkpoint renders to JSON that parses back to
 * the same fields.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "audit/checkpoint.h"
#include "core/cleanup.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The seed corpus's key (tests/fuzz/corpus/fuzz-audit-checkpoint). */
#define PINNED "dbd1284081218310cc8d138cd81ce91a4a8e0c972e3caa463cc17c1bf807c714"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        struct store_audit_checkpoint *list = NULL;
        size_t n = 0;
        struct error err = {0};
        if (audit_checkpoint_file_parse((const char *) data, size, &list, &n, &err) < 0) {
                if (!err.msg[0] || list)
                        abort();
                return 0;
        }
        if (n == 0 || n > AUDIT_CHECKPOINT_FILE_LINES_MAX)
                abort();
        for (size_t i = 0; i < n; i++) {
                if (list[i].seq < 1 || (i && list[i].seq < list[i - 1].seq))
                        abort();
                struct error verr = {0};
                if (audit_checkpoint_verify(&list[i], PINNED, &verr) < 0 && !verr.msg[0])
                        abort();
                json_t *j = audit_checkpoint_to_json(&list[i]);
                struct store_audit_checkpoint back;
                if (!j || audit_checkpoint_from_json(j, &back, &verr) < 0)
                        abort();
                if (back.seq != list[i].seq || back.time != list[i].time || strcmp(back.hash, list[i].hash) ||
                    strcmp(back.chain, list[i].chain) || strcmp(back.key, list[i].key) ||
                    strcmp(back.signature, list[i].signature) || strcmp(back.public_key, list[i].public_key))
                        abort();
                store_audit_checkpoint_clear(&back);
                json_decref(j);
        }
        struct audit_checkpoint_check c;
        audit_checkpoint_check_init(&c, list, n);
        if (audit_checkpoint_check_end(&c, 0, false)) /* an empty log never matches a checkpoint */
                abort();
        store_audit_checkpoint_list_free(list, n);
        return 0;
}

/* SPDX-License-Identifier: Apache-2.0 */
/* Owner references of devices and batches (owner.h). */
#include "notify/owner.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/cleanup.h"
#include "core/json.h"
#include "core/strutil.h"
#include "store/store-notify.h"

int notify_owner_ref_check(const char *ref, struct error *err) {
        if (!ref || !*ref)
                return error_set(err, ERROR_INVALID, "owner reference: is empty (give a reference, or clear it)");
        size_t n = strlen(ref);
        if (n > NOTIFY_OWNER_REF_MAX)
                return error_set(err, ERROR_INVALID, "owner reference: %zu characters, at most %d", n,
                                 NOTIFY_OWNER_REF_MAX);
        for (size_t i = 0; i < n; i++) {
                char c = ref[i];
                bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                          c == '_' || c == ':' || c == '-';
                if (!ok)
                        return error_set(err, ERROR_INVALID,
                                         "owner reference: character %zu (byte 0x%02x) is not allowed; a reference "
                                         "is a customer or account id of [A-Za-z0-9._:-], never a name or an e-mail",
                                         i + 1, (unsigned char) c);
        }
        return 0;
}

static int owner_set(struct store *s, const struct audit_actor *a, const char *action, const char *object,
                     const char *serial, int64_t batch_id, const char *ref, struct error *err) {
        /* Declared before the first goto: the cleanups run on every path. */
        _cleanup_free_ char *old = NULL;
        _cleanup_json_ json_t *details = NULL;
        bool found = false;
        if (ref && notify_owner_ref_check(ref, err) < 0)
                return -1;
        if (store_tx_begin(s, err) < 0)
                return -1;
        int rc = serial ? store_owner_device_set(s, serial, ref, &old, &found, err)
                        : store_owner_batch_set(s, batch_id, ref, &old, &found, err);
        if (rc < 0)
                goto fail;
        if (!found) {
                if (serial)
                        error_set(err, ERROR_NOT_FOUND, "device '%s' does not exist", serial);
                else
                        error_set(err, ERROR_NOT_FOUND, "batch %lld does not exist", (long long) batch_id);
                goto fail;
        }
        details = json_pack("{s:o, s:o}", "owner_ref", ref ? json_string(ref) : json_null(),
                                                   "previous", old ? json_string(old) : json_null());
        if (audit_append(s, a, action, object, details, err) < 0)
                goto fail;
        return store_tx_commit(s, err);
fail:
        store_tx_rollback(s);
        return -1;
}

int notify_owner_device_set(struct store *s, const struct audit_actor *a, const char *serial, const char *ref,
                            struct error *err) {
        _cleanup_free_ char *object = str_printf("device:%s", serial);
        return owner_set(s, a, "device.owner.set", object, serial, 0, ref, err);
}

int notify_owner_batch_set(struct store *s, const struct audit_actor *a, int64_t batch_id, const char *ref,
                           struct error *err) {
        char object[48];
        snprintf(object, sizeof(object), "batch:%lld", (long long) batch_id);
        return owner_set(s, a, "batch.owner.set", object, NULL, batch_id, ref, err);
}

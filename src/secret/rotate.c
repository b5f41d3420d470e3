/* SPDX-License-Identifier: Apache-2.0 */
/* KEK rotation: every sealed secret re-sealed under a new KEK (seal-existing.h). */
#include <string.h>

#include <jansson.h>

#include "audit/audit.h"
#include "core/cleanup.h"
#include "core/fileio.h"
#include "core/strutil.h"
#include "identity/batch.h"
#include "release/encrypt.h"
#include "secret/kek.h"
#include "secret/keyfile.h"
#include "secret/seal-existing.h"
#include "store/store.h"

static const struct audit_actor rotate_actor = { .name = "kek-rotate", .role = "system" };

struct rotate_ctx {
        struct store *s;
        const struct kek *from, *to;
        const char *data_dir;
        struct secret_rotate_report *r;
};

static int rotate_one(void *ctx, const char *path, const char *context_ref, struct error *err) {
        struct rotate_ctx *c = ctx;
        size_t n = strlen(c->data_dir);
        /* Only the files cradled made (inside the data directory) were sealed by it. */
        if (!file_exists(path) || strncmp(path, c->data_dir, n) != 0 || path[n] != '/')
                return 0;
        bool changed = false;
        if (secret_key_file_reseal(c->from, c->to, path, context_ref, &changed, err) < 0)
                return -1;
        if (!changed)
                return 0;
        c->r->key_files++;
        _cleanup_json_ json_t *details = json_pack("{s:s, s:s, s:s}", "path", path, "from", kek_fingerprint(c->from),
                                                   "to", kek_fingerprint(c->to));
        _cleanup_free_ char *object = str_printf("key-file:%s", context_ref);
        if (store_tx_begin(c->s, err) < 0)
                return -1;
        if (audit_append(c->s, &rotate_actor, "secret.key-file.resealed", object, details, err) < 0) {
                store_tx_rollback(c->s);
                return -1;
        }
        return store_tx_commit(c->s, err);
}

int secret_rotate(struct store *s, const struct kek *from, const struct kek *to, const char *data_dir,
                  const char *director_key_ref, struct secret_rotate_report *report, struct error *err) {
        memset(report, 0, sizeof(*report));
        if (!from || !to)
                return error_set(err, ERROR_INVALID, "a KEK rotation needs the current KEK and the new one");
        if (strcmp(kek_fingerprint(from), kek_fingerprint(to)) == 0)
                return error_set(err, ERROR_INVALID, "the new KEK is the current one (fingerprint %s)",
                                 kek_fingerprint(to));
        if (identity_batch_reseal(s, &rotate_actor, from, to, &report->migration_keys, err) < 0)
                return -1;
        /* The content keys of encrypted images (fix/otaenc). */
        if (release_content_keys_reseal(s, &rotate_actor, from, to, &report->content_keys, err) < 0)
                return -1;
        struct rotate_ctx c = { .s = s, .from = from, .to = to, .data_dir = data_dir, .r = report };
        return secret_each_key_file(s, data_dir, director_key_ref, rotate_one, &c, err);
}

/* SPDX-License-Identifier: Apache-2.0 */
/* Start-up sealing of an existing deployment's secrets (seal-existing.h). */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "audit/audit.h"
#include "core/cleanup.h"
#include "core/fileio.h"
#include "core/log.h"
#include "core/strutil.h"
#include "director/director.h"
#include "identity/batch.h"
#include "secret/kek.h"
#include "secret/keyfile.h"
#include "secret/seal-existing.h"
#include "store/store-identity.h"
#include "store/store-release.h"
#include "store/store.h"

static const struct audit_actor seal_actor = { .name = "system", .role = "system" };

/* true when path is inside dir (a plain prefix test on normalised input: the
 * paths here are built by joining the data directory). */
static bool path_inside(const char *path, const char *dir) {
        size_t n = strlen(dir);
        while (n > 1 && dir[n - 1] == '/')
                n--;
        return strncmp(path, dir, n) == 0 && path[n] == '/';
}

/* Seals one key file when it is plain, and audits it. A missing file is not an
 * error here (a key not generated yet; its loader reports it when used). */
static int seal_file(struct store *s, const struct kek *k, const char *data_dir, const char *path,
                     const char *context_ref, struct secret_seal_report *r, struct error *err) {
        if (!file_exists(path))
                return 0;
        {
                /* A file sealed under another KEK: the configured KEK is the
                 * wrong one (restored from the wrong backup, a token swapped). */
                _cleanup_secret_ char *text = NULL;
                size_t len = 0;
                if (file_read_all(path, KEK_SEALED_MAX, &text, &len, NULL) == 0 && kek_is_sealed(text)) {
                        _cleanup_free_ char *prefix = str_printf("kek1:%s:", kek_fingerprint(k));
                        if (strncmp(text, prefix, strlen(prefix)) != 0)
                                return error_set(err, ERROR_CRYPTO, "key file %s is sealed under KEK %.32s, but the "
                                                 "configured KEK is %s", path, strncmp(text, "kek1:", 5) == 0 ? text + 5
                                                 : "(another version)", kek_fingerprint(k));
                        return 0;
                }
        }
        if (!path_inside(path, data_dir)) {
                _cleanup_secret_ char *text = NULL;
                size_t len = 0;
                if (file_read_all(path, KEK_SEALED_MAX, &text, &len, NULL) == 0 && !kek_is_sealed(text)) {
                        log_warn("key file %s is outside the data directory and not sealed: it is left as it is "
                                 "(seal it by moving it onto a token, docs/keys.md \"Secrets at rest\")", path);
                        r->outside++;
                }
                return 0;
        }
        bool now = false;
        if (secret_key_file_seal(k, path, context_ref, &now, err) < 0)
                return error_prefix(err, "sealing %s: ", path);
        if (!now)
                return 0;
        r->key_files++;
        _cleanup_json_ json_t *details = json_pack("{s:s, s:s}", "path", path, "kek", kek_fingerprint(k));
        _cleanup_free_ char *object = str_printf("key-file:%s", context_ref);
        if (store_tx_begin(s, err) < 0)
                return -1;
        if (audit_append(s, &seal_actor, "secret.key-file.sealed", object, details, err) < 0) {
                store_tx_rollback(s);
                return -1;
        }
        return store_tx_commit(s, err);
}

/* Calls fn for every key file cradled keeps (a path and the ref its sealed
 * content is bound to): each product's online keys, the director's key, the
 * device CA keys. Stops at the first failure. */
int secret_each_key_file(struct store *s, const char *data_dir, const char *director_key_ref,
                         int (*fn)(void *ctx, const char *path, const char *context_ref, struct error *err),
                         void *ctx, struct error *err) {
        char **refs = NULL;
        size_t n = 0;
        if (store_online_key_file_refs(s, &refs, &n, err) < 0)
                return -1;
        int rc = 0;
        for (size_t i = 0; i < n && rc == 0; i++) {
                _cleanup_free_ char *path = refs[i][0] == '/' ? str_dup(refs[i]) : path_join(data_dir, refs[i]);
                rc = fn(ctx, path, refs[i], err);
        }
        store_strings_free(refs, n);
        if (rc < 0)
                return -1;

        const char *dref = director_key_ref && *director_key_ref ? director_key_ref
                                                                 : DIRECTOR_KEY_DIR "/" DIRECTOR_KEY_FILE;
        if (strncmp(dref, "pkcs11:", 7) != 0) {
                _cleanup_free_ char *path = dref[0] == '/' ? str_dup(dref) : path_join(data_dir, dref);
                if (fn(ctx, path, dref, err) < 0)
                        return -1;
        }

        struct store_device_ca *list = NULL;
        if (store_device_ca_list(s, 0, false, &list, &n, err) < 0)
                return -1;
        for (size_t i = 0; i < n && rc == 0; i++) {
                const char *ref = list[i].key_ref;
                if (ref && strncmp(ref, "pkcs11:", 7) != 0)
                        rc = fn(ctx, ref, ref, err);
        }
        store_device_ca_list_free(list, n);
        return rc;
}

struct seal_ctx {
        struct store *s;
        const struct kek *k;
        const char *data_dir;
        struct secret_seal_report *r;
};

static int seal_one(void *ctx, const char *path, const char *context_ref, struct error *err) {
        struct seal_ctx *c = ctx;
        return seal_file(c->s, c->k, c->data_dir, path, context_ref, c->r, err);
}

int secret_seal_existing(struct store *s, const struct kek *k, const char *data_dir, const char *director_key_ref,
                         struct secret_seal_report *report, struct error *err) {
        memset(report, 0, sizeof(*report));
        if (!k)
                return error_set(err, ERROR_INTERNAL, "sealing existing secrets needs a KEK");
        if (identity_batch_kek_check(s, k, err) < 0 ||
            identity_batch_seal_existing(s, &seal_actor, k, &report->migration_keys, err) < 0)
                return -1;
        struct seal_ctx c = { .s = s, .k = k, .data_dir = data_dir, .r = report };
        return secret_each_key_file(s, data_dir, director_key_ref, seal_one, &c, err);
        return 0;
}

/* SPDX-License-Identifier: Apache-2.0 */
/* Key separation between the image repositories and the director, on the server. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "audit/audit.h"
#include "core/cleanup.h"
#include "core/json.h"
#include "core/log.h"
#include "core/strutil.h"
#include "repo/root-keys.h"
#include "store/store-release.h"
#include "tuf/keysep.h"

/* Parses a stored root; a stored root that no longer parses is the
 * database's fault, not the caller's. */
static int stored_parse(const struct store_root_doc *d, const char *kind, struct tuf_metadata **out,
                        struct error *err) {
        char what[160];

        if (d->product_model)
                snprintf(what, sizeof(what), "stored %s root %s version %" PRId64, kind, d->product_model,
                         d->version);
        else
                snprintf(what, sizeof(what), "stored %s root version %" PRId64, kind, d->version);
        if (tuf_metadata_parse(what, d->document, strlen(d->document), 0, TUF_ROLE_ROOT, out, err) < 0) {
                if (err)
                        err->kind = ERROR_DB;
                return -1;
        }
        return 0;
}

/* Refuses when `root` shares a key with stored root d. cross_kind: the
 * other kind of repository (any shared key refused); otherwise another
 * product's image repository (shared only in offline roles on both sides). */
static int against_stored(const char *what, const struct tuf_metadata *root, const struct store_root_doc *d,
                          const char *kind, bool cross_kind, struct error *err) {
        _cleanup_tuf_metadata_ struct tuf_metadata *other = NULL;
        char other_what[160], ra[64], rb[64];

        if (stored_parse(d, kind, &other, err) < 0)
                return -1;
        if (d->product_model)
                snprintf(other_what, sizeof(other_what), "the image repository root of %s (version %" PRId64 ")",
                         d->product_model, d->version);
        else
                snprintf(other_what, sizeof(other_what), "the director root version %" PRId64, d->version);
        if (cross_kind) {
                if (tuf_root_check_disjoint(what, root, other_what, other, err) < 0) {
                        if (err)
                                err->kind = ERROR_INVALID;
                        return -1;
                }
                return 0;
        }
        for (size_t i = 0; i < root->root.n_keys; i++)
                for (size_t j = 0; j < other->root.n_keys; j++) {
                        const struct tuf_key *a = root->root.keys[i], *b = other->root.keys[j];
                        if (!tuf_key_same_public(a, b))
                                continue;
                        unsigned ma = tuf_root_key_roles(root, a), mb = tuf_root_key_roles(other, b);
                        if (((ma | mb) & ~TUF_IMAGE_OFFLINE_ROLES) == 0)
                                continue; /* offline keys shared across products: allowed */
                        return error_set(err, ERROR_INVALID,
                                         "%s shares key %.16s... (%s) with %s (as %.16s..., %s): an online "
                                         "key is never shared across products",
                                         what, tuf_key_id(a), tuf_role_mask_names(ma, ra, sizeof(ra)), other_what,
                                         tuf_key_id(b), tuf_role_mask_names(mb, rb, sizeof(rb)));
                }
        return 0;
}

static int identity_and_roles(const char *what, const struct tuf_metadata *root, const struct tuf_metadata *current,
                              const char *expected, unsigned offline, struct error *err) {
        if (tuf_root_check_role_separation(what, root, offline, err) < 0 ||
            tuf_root_check_repository(what, root, expected, current && current->root.repository, err) < 0) {
                if (err)
                        err->kind = ERROR_INVALID;
                return -1;
        }
        return 0;
}

int repo_root_keys_check_image(struct store *s, int64_t product_id, const char *model,
                               const struct tuf_metadata *root, const struct tuf_metadata *current,
                               struct error *err) {
        _cleanup_free_ char *what = str_printf("root version %" PRId64 " of %s", root->version, model);
        _cleanup_free_ char *expected = str_printf(TUF_ROOT_REPOSITORY_IMAGE_PREFIX "%s", model);
        struct store_root_doc *docs = NULL;
        size_t n = 0;
        int r = 0;

        if (identity_and_roles(what, root, current, expected, TUF_IMAGE_OFFLINE_ROLES, err) < 0)
                return -1;
        if (store_director_roots_all(s, &docs, &n, err) < 0)
                return -1;
        for (size_t i = 0; i < n && r == 0; i++)
                r = against_stored(what, root, &docs[i], "director", true, err);
        store_root_docs_free(docs, n);
        if (r < 0)
                return -1;
        if (store_repo_roots_all(s, &docs, &n, err) < 0)
                return -1;
        for (size_t i = 0; i < n && r == 0; i++)
                if (docs[i].product_id != product_id)
                        r = against_stored(what, root, &docs[i], "image repository", false, err);
        store_root_docs_free(docs, n);
        return r;
}

int repo_root_keys_check_director(struct store *s, const struct tuf_metadata *root,
                                  const struct tuf_metadata *current, struct error *err) {
        _cleanup_free_ char *what = str_printf("director root version %" PRId64, root->version);
        struct store_root_doc *docs = NULL;
        size_t n = 0;
        int r = 0;

        if (identity_and_roles(what, root, current, TUF_ROOT_REPOSITORY_DIRECTOR, TUF_DIRECTOR_OFFLINE_ROLES, err) < 0)
                return -1;
        if (store_repo_roots_all(s, &docs, &n, err) < 0)
                return -1;
        for (size_t i = 0; i < n && r == 0; i++)
                r = against_stored(what, root, &docs[i], "image repository", true, err);
        store_root_docs_free(docs, n);
        return r;
}

void repo_root_keys_audit_refusal(struct store *s, const struct audit_actor *a, const char *action,
                                  const char *object, int64_t version, const char *message) {
        char msg[ERROR_MSG_MAX];

        /* The refused root's transaction is rolled back by the caller; the
         * refusal is recorded on its own (a shared key is a security event:
         * someone signed a root that would have merged two trust domains). */
        str_sanitize(message ? message : "", message ? strlen(message) : 0, msg, sizeof(msg));
        _cleanup_json_ json_t *details = json_pack("{s:I, s:s}", "version", (json_int_t) version, "message", msg);
        audit_append_standalone(s, a, action, object, details);
}

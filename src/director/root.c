/* SPDX-License-Identifier: Apache-2.0 */
/* The director's online key (as operators see it) and its root chain. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "audit/audit.h"
#include "core/cleanup.h"
#include "core/json.h"
#include "core/strutil.h"
#include "director/internal.h"
#include "keys/keys.h"
#include "repo/root-keys.h"
#include "tuf/metadata.h"
#include "tuf/sign.h"
#include "tuf/verify.h"

static inline void store_director_root_clearp(struct store_director_root *r) { store_director_root_clear(r); }
#define _cleanup_root_row_ __attribute__((cleanup(store_director_root_clearp)))

int director_online_keys(struct director_ctx *dc, const struct audit_actor *a, json_t **out, struct error *err) {
        _cleanup_crypto_key_ struct crypto_key *key = NULL;
        _cleanup_tuf_key_ struct tuf_key *tk = NULL;
        bool created = false;
        *out = NULL;
        if (director_key_load(dc, true, &key, &tk, &created, err) < 0)
                return -1;
        if (created) {
                /* The key file exists from here on whatever the audit append
                 * does; the entry records who caused it. */
                _cleanup_json_ json_t *details =
                        json_pack("{s:s, s:s, s:s}", "role", "targets", "keyid", tuf_key_id(tk), "keytype", "ed25519");
                if (store_tx_begin(dc->store, err) < 0)
                        return -1;
                if (audit_append(dc->store, a, "director.online-key.create", "director", details, err) < 0) {
                        store_tx_rollback(dc->store);
                        return -1;
                }
                if (store_tx_commit(dc->store, err) < 0)
                        return -1;
        }
        *out = json_pack("{s:{s:s, s:O}}", "targets", "keyid", tuf_key_id(tk), "key", tuf_key_json(tk));
        return 0;
}

/* Checks what the director needs of any root it installs. */
static int root_check_roles(const struct tuf_metadata *md, const char *online_keyid, struct error *err) {
        const struct tuf_role_keys *targets = &md->root.roles[TUF_ROLE_TARGETS];
        if (targets->n_keyids != 1 || targets->threshold != 1 || strcmp(targets->keyids[0], online_keyid) != 0)
                return error_set(err, ERROR_INVALID,
                                 "director root: the targets role must be exactly the server's online key "
                                 "(keyid %s) with threshold 1: the director signs each device's targets itself",
                                 online_keyid);
        if (tuf_root_role_has_key(md, TUF_ROLE_ROOT, online_keyid))
                return error_set(err, ERROR_INVALID,
                                 "director root: the root role must not include the server's online key "
                                 "(keyid %s): a stolen server key could then rotate the root",
                                 online_keyid);
        return 0;
}

static json_t *status_root_json(const struct store_director_root *row) {
        _cleanup_tuf_metadata_ struct tuf_metadata *md = NULL;
        if (tuf_metadata_parse("director root", row->document, strlen(row->document), DIRECTOR_ROOT_MAX,
                               TUF_ROLE_ROOT, &md, NULL) < 0)
                return NULL;
        json_t *keyids = json_array();
        const struct tuf_role_keys *rk = &md->root.roles[TUF_ROLE_ROOT];
        for (size_t i = 0; i < rk->n_keyids; i++)
                json_array_append_new(keyids, json_string(rk->keyids[i]));
        return json_pack("{s:I, s:o, s:o, s:I, s:o, s:O}", "version", (json_int_t) row->version, "expires",
                         director_time_json(row->expires), "installed_at", director_time_json(row->installed_at),
                         "threshold", (json_int_t) rk->threshold, "keyids", keyids, "document", md->doc);
}

int director_status(struct director_ctx *dc, json_t **out, struct error *err) {
        _cleanup_root_row_ struct store_director_root row = {0};
        bool found;
        *out = NULL;
        if (store_director_root_get(dc->store, 0, &row, &found, err) < 0)
                return -1;
        json_t *root = json_null();
        if (found && !(root = status_root_json(&row)))
                return error_set(err, ERROR_DB, "director root version %lld does not parse",
                                 (long long) row.version);
        /* The online key is named when it exists; reading the status never creates it. */
        _cleanup_crypto_key_ struct crypto_key *key = NULL;
        _cleanup_tuf_key_ struct tuf_key *tk = NULL;
        struct error e = {0};
        json_t *keyid = json_null();
        if (director_key_load(dc, false, &key, &tk, NULL, &e) == 0)
                keyid = json_string(tuf_key_id(tk));
        *out = json_pack("{s:o, s:o, s:I}", "root", root, "online_keyid", keyid, "targets_expiry_seconds",
                         (json_int_t) (dc->expiry > 0 ? dc->expiry : DIRECTOR_EXPIRY_DEFAULT));
        return 0;
}

static const struct cr_json_field root_body_fields[] = {
        { .name = "root", .type = CR_JSON_OBJECT, .required = true },
};

int director_root_install(struct director_ctx *dc, const struct audit_actor *a, json_t *body, json_t **out,
                          struct error *err) {
        *out = NULL;
        if (cr_json_check_object("request body", body, root_body_fields, ELEMENTSOF(root_body_fields), err) < 0)
                return -1;
        json_t *doc = json_object_get(body, "root");
        _cleanup_free_ char *bytes = NULL;
        size_t len = 0;
        if (!(bytes = tuf_metadata_serialize(doc, &len, err)))
                return error_prefix(err, "director root: ");
        if (len > DIRECTOR_ROOT_MAX)
                return error_set(err, ERROR_TOO_LARGE, "director root: %zu bytes, more than the %d allowed", len,
                                 DIRECTOR_ROOT_MAX);
        _cleanup_tuf_metadata_ struct tuf_metadata *md = NULL;
        if (tuf_metadata_parse("director root", bytes, len, DIRECTOR_ROOT_MAX, TUF_ROLE_ROOT, &md, err) < 0)
                return -1;
        int64_t now = director_now(dc);
        if (md->expires <= now)
                return error_set(err, ERROR_INVALID, "director root: version %lld expired at %s",
                                 (long long) md->version, md->expires_str);

        _cleanup_crypto_key_ struct crypto_key *key = NULL;
        _cleanup_tuf_key_ struct tuf_key *tk = NULL;
        if (director_key_load(dc, false, &key, &tk, NULL, err) < 0 ||
            root_check_roles(md, tuf_key_id(tk), err) < 0)
                return -1;
        struct tuf_verify_result vr;
        if (tuf_verify_role(md, TUF_ROLE_ROOT, md, &vr, err) < 0)
                return error_prefix(err, "director root version %lld is not signed by its own root keys: ",
                                    (long long) md->version);

        _cleanup_root_row_ struct store_director_root current = {0};
        _cleanup_tuf_metadata_ struct tuf_metadata *current_md = NULL;
        _cleanup_json_ json_t *details = NULL;
        bool found;
        if (store_tx_begin(dc->store, err) < 0)
                return -1;
        if (store_director_root_get(dc->store, 0, &current, &found, err) < 0)
                goto fail;
        if (!found && md->version != 1) {
                error_set(err, ERROR_INVALID,
                          "director root: the first root must be version 1 (devices walk the chain from "
                          "1.root.json), got %lld",
                          (long long) md->version);
                goto fail;
        }
        if (found) {
                if (md->version != current.version + 1) {
                        error_set(err, md->version <= current.version ? ERROR_CONFLICT : ERROR_INVALID,
                                  "director root: version %lld given; the installed root is version %lld, so the "
                                  "next must be %lld",
                                  (long long) md->version, (long long) current.version,
                                  (long long) current.version + 1);
                        goto fail;
                }
                if (tuf_metadata_parse("installed director root", current.document, strlen(current.document),
                                       DIRECTOR_ROOT_MAX, TUF_ROLE_ROOT, &current_md, err) < 0)
                        goto fail;
                if (tuf_verify_role(current_md, TUF_ROLE_ROOT, md, NULL, err) < 0) {
                        error_prefix(err, "director root rotation to version %lld is not signed by the threshold "
                                          "of version %lld: ",
                                     (long long) md->version, (long long) current.version);
                        goto fail;
                }
        }
        /* No key shared with any image repository, ever (repo/root-keys.h). */
        if (repo_root_keys_check_director(dc->store, md, current_md, err) < 0) {
                if (err && err->kind == ERROR_INVALID)
                        repo_root_keys_audit_refusal(dc->store, a, "director.root.refused", "director", md->version,
                                                     err->msg);
                goto fail;
        }
        const struct store_director_root row = {
                .version = md->version, .document = bytes, .expires = md->expires, .installed_at = now,
        };
        if (store_director_root_insert(dc->store, &row, err) < 0)
                goto fail;
        /* Its keys join the key registry with it; keys the new root drops are
         * retired and the old root keys that signed it recorded (issue 11). */
        if (keys_register_tuf_root(dc->store, md, current_md, 0, NULL, crypto_key_ref(key), a, err) < 0)
                goto fail;
        json_t *keyids = json_array();
        const struct tuf_role_keys *rk = &md->root.roles[TUF_ROLE_ROOT];
        for (size_t i = 0; i < rk->n_keyids; i++)
                json_array_append_new(keyids, json_string(rk->keyids[i]));
        details = json_pack("{s:I, s:s, s:o, s:I, s:s}", "version", (json_int_t) md->version, "expires",
                            md->expires_str, "root_keyids", keyids, "root_threshold", (json_int_t) rk->threshold,
                            "targets_keyid", tuf_key_id(tk));
        if (audit_append(dc->store, a, found ? "director.root.rotate" : "director.root.install", "director",
                         details, err) < 0)
                goto fail;
        if (store_tx_commit(dc->store, err) < 0)
                return -1;
        return director_status(dc, out, err);
fail:
        store_tx_rollback(dc->store);
        return -1;
}

int director_root_document(struct director_ctx *dc, int64_t version, char **out, size_t *len,
                           struct error *err) {
        _cleanup_root_row_ struct store_director_root row = {0};
        bool found;
        *out = NULL;
        *len = 0;
        if (store_director_root_get(dc->store, version, &row, &found, err) < 0)
                return -1;
        if (!found) {
                if (version > 0)
                        return error_set(err, ERROR_NOT_FOUND, "no director root version %lld",
                                         (long long) version);
                return error_set(err, ERROR_NOT_FOUND, "the director has no root yet (cradle director init)");
        }
        *len = strlen(row.document);
        *out = steal_ptr(row.document);
        return 0;
}

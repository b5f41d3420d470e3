/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Counting signatures toward a threshold. The rule that matters: a key counts
 * once. Root's keyids are hashes of the key objects and root refuses one key
 * under two keyids (metadata.c), so "distinct keyids" is "distinct keys".
 */
#include <string.h>

#include "core/cleanup.h"
#include "core/strutil.h"
#include "tuf/verify.h"

/* Remembers why the first signature that did not count was skipped. Kept
 * whole (allocated), not cut to a fixed buffer: the reason is what an
 * operator reads to find the bad key. */
static void note(char **why, const char *keyid, const char *detail) {
        char safe[20];

        if (*why)
                return;
        str_sanitize(keyid ? keyid : "?", keyid ? strlen(keyid) : 1, safe, 12);
        *why = str_printf("keyid %s: %s", safe, detail);
}

int tuf_verify_signatures(const struct tuf_metadata *root, enum tuf_role role, const void *data,
                          size_t len, json_t *signatures, struct tuf_verify_result *result,
                          struct error *err) {
        const struct tuf_role_keys *rk;
        _cleanup_free_ bool *counted = NULL;
        _cleanup_free_ char *why = NULL;
        unsigned valid = 0;
        size_t i;
        json_t *s;

        if (!root || root->type != TUF_ROLE_ROOT || role < 0 || role >= _TUF_ROLE_MAX)
                return error_set(err, ERROR_INTERNAL, "verify: no trusted root or bad role");
        rk = &root->root.roles[role];
        if (rk->threshold < 1)
                return error_set(err, ERROR_INTERNAL, "verify: role %s has no threshold",
                                 tuf_role_name(role));
        counted = xcalloc(rk->n_keyids ? rk->n_keyids : 1, sizeof(*counted));

        json_array_foreach(signatures, i, s) {
                const char *keyid = json_string_value(json_object_get(s, "keyid"));
                const char *sig = json_string_value(json_object_get(s, "sig"));
                const struct tuf_key *key;
                struct error verr = { 0 };
                size_t slot = rk->n_keyids;

                if (!keyid || !sig) {
                        note(&why, keyid, "malformed signature entry");
                        continue;
                }
                for (size_t k = 0; k < rk->n_keyids; k++)
                        if (strcmp(rk->keyids[k], keyid) == 0)
                                slot = k;
                if (slot == rk->n_keyids)
                        continue; /* a key of another role, or unknown: not ours to count */
                if (counted[slot])
                        continue; /* the same key again: counts once */
                key = tuf_root_find_key(root, keyid);
                if (!key) {
                        note(&why, keyid, "not in root's keys");
                        continue;
                }
                if (tuf_key_verify(key, data, len, sig, &verr) < 0) {
                        note(&why, keyid, verr.msg);
                        continue;
                }
                counted[slot] = true;
                valid++;
        }

        if (result)
                *result = (struct tuf_verify_result) { .valid = valid, .threshold = rk->threshold };
        if (valid >= rk->threshold)
                return 0;
        if (why)
                return error_set(err, ERROR_UNAUTHENTICATED, "%s signatures: %u valid of threshold %u (%s)",
                                 tuf_role_name(role), valid, rk->threshold, why);
        return error_set(err, ERROR_UNAUTHENTICATED, "%s signatures: %u valid of threshold %u",
                         tuf_role_name(role), valid, rk->threshold);
}

int tuf_verify_role(const struct tuf_metadata *root, enum tuf_role role,
                    const struct tuf_metadata *md, struct tuf_verify_result *result,
                    struct error *err) {
        _cleanup_free_ char *bytes = NULL;
        size_t len = 0;

        if (!md)
                return error_set(err, ERROR_INTERNAL, "verify: no metadata");
        if (md->type != role)
                return error_set(err, ERROR_INVALID, "metadata of type %s given as %s",
                                 tuf_role_name(md->type), tuf_role_name(role));
        bytes = tuf_metadata_signed_bytes(md, &len, err);
        if (!bytes)
                return -1;
        return tuf_verify_signatures(root, role, bytes, len, md->signatures, result, err);
}

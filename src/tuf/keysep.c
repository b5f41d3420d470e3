/* SPDX-License-Identifier: Apache-2.0 */
/* Key separation between roots and inside one root (see keysep.h). */
#include <string.h>

#include "core/strutil.h"
#include "crypto/hash.h"
#include "tuf/keysep.h"

static bool same_material(const struct tuf_key *a, const struct tuf_key *b) {
        uint8_t fa[SHA256_LEN], fb[SHA256_LEN];

        /* Fingerprints rather than tuf_key_same_public: the same key under
         * two type names (a legacy "ecdsa-sha2-nistp256" keytype) is still
         * one key here. */
        return tuf_key_fingerprint(a, fa) && tuf_key_fingerprint(b, fb) && memcmp(fa, fb, SHA256_LEN) == 0;
}

bool tuf_roots_shared_key(const struct tuf_metadata *a, const struct tuf_metadata *b,
                          const struct tuf_key **ka, const struct tuf_key **kb) {
        for (size_t i = 0; i < a->root.n_keys; i++)
                for (size_t j = 0; j < b->root.n_keys; j++)
                        if (same_material(a->root.keys[i], b->root.keys[j])) {
                                if (ka)
                                        *ka = a->root.keys[i];
                                if (kb)
                                        *kb = b->root.keys[j];
                                return true;
                        }
        return false;
}

unsigned tuf_root_key_roles(const struct tuf_metadata *root, const struct tuf_key *key) {
        unsigned mask = 0;

        for (int r = 0; r < _TUF_ROLE_MAX; r++) {
                const struct tuf_role_keys *rk = &root->root.roles[r];
                for (size_t i = 0; i < rk->n_keyids; i++) {
                        const struct tuf_key *k = tuf_root_find_key(root, rk->keyids[i]);
                        if (k && (k == key || same_material(k, key)))
                                mask |= TUF_ROLE_BIT(r);
                }
        }
        return mask;
}

const char *tuf_role_mask_names(unsigned mask, char *buf, size_t size) {
        size_t used = 0;

        buf[0] = '\0';
        for (int r = 0; r < _TUF_ROLE_MAX; r++)
                if (mask & TUF_ROLE_BIT(r)) {
                        int n = snprintf(buf + used, size - used, "%s%s", used ? ", " : "", tuf_role_name(r));
                        if (n < 0 || (size_t) n >= size - used)
                                break;
                        used += (size_t) n;
                }
        if (!buf[0])
                snprintf(buf, size, "no role");
        return buf;
}

int tuf_root_check_role_separation(const char *what, const struct tuf_metadata *root,
                                   unsigned offline_roles, struct error *err) {
        for (size_t i = 0; i < root->root.n_keys; i++) {
                const struct tuf_key *k = root->root.keys[i];
                unsigned mask = tuf_root_key_roles(root, k);
                char names[64];

                if ((mask & offline_roles) && (mask & ~offline_roles))
                        return error_set(err, ERROR_FORBIDDEN,
                                         "%s: key %.16s... is listed by the offline and the online roles "
                                         "(%s): a stolen online key would carry offline power",
                                         what, tuf_key_id(k), tuf_role_mask_names(mask, names, sizeof(names)));
        }
        return 0;
}

int tuf_root_check_repository(const char *what, const struct tuf_metadata *root, const char *expected,
                              bool required, struct error *err) {
        char safe[TUF_ROOT_REPOSITORY_MAX + 8];
        const char *got = root->root.repository;

        if (!got) {
                if (required)
                        return error_set(err, ERROR_FORBIDDEN,
                                         "%s: no " TUF_ROOT_REPOSITORY_FIELD
                                         " (the trusted root states '%s'; every later root must)",
                                         what, expected);
                return 0;
        }
        if (!str_eq(got, expected)) {
                str_sanitize(got, strlen(got), safe, sizeof(safe));
                return error_set(err, ERROR_FORBIDDEN,
                                 "%s is the root of repository '%s', not of '%s' (a root of another "
                                 "repository replayed?)",
                                 what, safe, expected);
        }
        return 0;
}

int tuf_root_check_disjoint(const char *what, const struct tuf_metadata *root, const char *other_what,
                            const struct tuf_metadata *other, struct error *err) {
        const struct tuf_key *ka = NULL, *kb = NULL;
        char ra[64], rb[64];

        if (!tuf_roots_shared_key(root, other, &ka, &kb))
                return 0;
        return error_set(err, ERROR_FORBIDDEN,
                         "%s shares key %.16s... (%s) with %s (as %.16s..., %s): the two repositories "
                         "must never share a key, or a root of one could pass as a root of the other",
                         what, tuf_key_id(ka), tuf_role_mask_names(tuf_root_key_roles(root, ka), ra, sizeof(ra)),
                         other_what, tuf_key_id(kb),
                         tuf_role_mask_names(tuf_root_key_roles(other, kb), rb, sizeof(rb)));
}

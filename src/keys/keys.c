/* SPDX-License-Identifier: Apache-2.0 */
/* The key registry: registration, usage and lookup (keys.h). */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include "core/cleanup.h"
#include "core/strutil.h"
#include "core/time.h"
#include "crypto/encoding.h"
#include "crypto/hash.h"
#include "crypto/key.h"
#include "keys/keys-internal.h"
#include "keys/keys.h"

#define KEYS_PURPOSE_MAX 256
#define KEYS_FINGERPRINT_MAX 128
#define KEYS_WHAT_MAX 256

const char *const keys_classes[KEYS_CLASS_COUNT] = {
        "firmware-signing", "tuf-root",         "tuf-online", "director",  "device-ca", "root-ca",
        "tls",              "ota-encryption",   "debug-auth", "audit-checkpoint", "migration", "kek",
};

bool keys_class_known(const char *class) {
        for (size_t i = 0; class && i < KEYS_CLASS_COUNT; i++)
                if (strcmp(keys_classes[i], class) == 0)
                        return true;
        return false;
}

int keys_fingerprint_pubkey(gnutls_pubkey_t pub, char out[65], struct error *err) {
        out[0] = '\0';
        if (!pub)
                return error_set(err, ERROR_INVALID, "key fingerprint: no public key");
        gnutls_datum_t der = {0};
        int rc = gnutls_pubkey_export2(pub, GNUTLS_X509_FMT_DER, &der);
        if (rc < 0)
                return error_set(err, ERROR_CRYPTO, "key fingerprint: exporting the SubjectPublicKeyInfo: %s",
                                 gnutls_strerror(rc));
        hash_sha256_hex(der.data, der.size, out);
        gnutls_free(der.data);
        return 0;
}

static bool storage_known(const char *storage) {
        static const char *const names[] = {"pkcs11", "file", "offline", "sealed"};
        for (size_t i = 0; storage && i < ELEMENTSOF(names); i++)
                if (strcmp(names[i], storage) == 0)
                        return true;
        return false;
}

/* Printable one-line text of bounded length (purposes, reasons, uses). */
static int line_check(const char *what, const char *v, size_t max, bool required, struct error *err) {
        if (!v || !*v) {
                if (required)
                        return error_set(err, ERROR_INVALID, "%s is required", what);
                return 0;
        }
        size_t n = strlen(v);
        if (n > max)
                return error_set(err, ERROR_INVALID, "%s is %zu bytes, at most %zu are allowed", what, n, max);
        for (size_t i = 0; i < n; i++)
                if ((unsigned char) v[i] < 0x20 || v[i] == 0x7f)
                        return error_set(err, ERROR_INVALID, "%s has a control character at byte %zu", what, i);
        return 0;
}

static int new_check(const struct keys_new *k, struct error *err) {
        if (!keys_class_known(k->class))
                return error_set(err, ERROR_INVALID, "key class '%.64s' is not one of firmware-signing, tuf-root, "
                                 "tuf-online, director, device-ca, root-ca, tls, ota-encryption, debug-auth, "
                                 "audit-checkpoint, migration, kek", k->class ? k->class : "");
        if (line_check("key purpose", k->purpose, KEYS_PURPOSE_MAX, true, err) < 0)
                return -1;
        if (!storage_known(k->storage))
                return error_set(err, ERROR_INVALID, "key storage '%.32s' is not pkcs11, file, offline or sealed",
                                 k->storage ? k->storage : "");
        bool needs_ref = strcmp(k->storage, "pkcs11") == 0 || strcmp(k->storage, "file") == 0;
        if (needs_ref && (!k->ref || !*k->ref))
                return error_set(err, ERROR_INVALID, "a %s key needs its reference (a %s)", k->storage,
                                 strcmp(k->storage, "pkcs11") == 0 ? "PKCS#11 URI" : "file path");
        if (!needs_ref && k->ref && *k->ref)
                return error_set(err, ERROR_INVALID, "an %s key has no reference", k->storage);
        if (k->ref && strlen(k->ref) > CRYPTO_KEY_REF_MAX)
                return error_set(err, ERROR_INVALID, "key reference is longer than %d bytes", CRYPTO_KEY_REF_MAX);
        /* A PIN in the registry would be shown to every auditor. */
        if (k->ref && strncmp(k->ref, "pkcs11:", 7) == 0 && strstr(k->ref, "pin-"))
                return error_set(err, ERROR_INVALID, "a PKCS#11 URI in the key registry must not carry a PIN");
        if (!k->pubkey && (!k->fingerprint || !k->algorithm))
                return error_set(err, ERROR_INVALID, "a key without its public part needs a fingerprint and an algorithm");
        if (k->fingerprint) {
                if (line_check("key fingerprint", k->fingerprint, KEYS_FINGERPRINT_MAX, true, err) < 0)
                        return -1;
                for (const char *p = k->fingerprint; *p; p++)
                        if (!isxdigit((unsigned char) *p) || isupper((unsigned char) *p))
                                return error_set(err, ERROR_INVALID, "key fingerprint must be lower-case hex");
        }
        if (k->expires_at < 0)
                return error_set(err, ERROR_INVALID, "key expiry must not be negative");
        return 0;
}

static int register_state(struct store *s, const struct keys_new *k, const struct audit_actor *by,
                          const char *state, int64_t *id_out, struct error *err) {
        if (new_check(k, err) < 0)
                return -1;
        char fp[65], alg[64];
        const char *fingerprint = k->fingerprint, *algorithm = k->algorithm;
        if (!fingerprint) {
                if (keys_fingerprint_pubkey(k->pubkey, fp, err) < 0)
                        return -1;
                fingerprint = fp;
        }
        if (!algorithm) {
                crypto_pubkey_describe(k->pubkey, alg, sizeof(alg));
                algorithm = alg;
        }
        struct keys_tx a;
        if (keys_tx_begin(s, &a, err) < 0)
                return -1;
        struct store_key old;
        int found = store_keys_find(s, k->class, fingerprint, &old, err);
        if (found < 0)
                goto fail;
        int64_t id = old.id;
        store_key_clear(&old);
        if (!found) {
                int64_t now = time_now(), owner = 0;
                if (store_keys_owner_for_actor(s, by->user ? by->user : by->name, &owner, err) < 0)
                        goto fail;
                struct store_key row = {
                        .class = (char *) k->class,
                        .purpose = (char *) k->purpose,
                        .algorithm = (char *) algorithm,
                        .fingerprint = (char *) fingerprint,
                        .storage = (char *) k->storage,
                        .ref = (char *) (k->ref && *k->ref ? k->ref : NULL),
                        .owner_user_id = owner,
                        .state = (char *) state,
                        .created_at = now,
                        .created_by = (char *) by->name,
                        .activated_at = strcmp(state, "active") == 0 ? now : 0,
                        .expires_at = k->expires_at,
                        .state_changed_at = now,
                };
                if (store_keys_insert(s, &row, &id, err) < 0)
                        goto fail;
                _cleanup_free_ char *object = str_printf("key:%lld", (long long) id);
                json_t *details = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "class", k->class, "purpose",
                                            k->purpose, "fingerprint", fingerprint, "algorithm", algorithm,
                                            "storage", k->storage, "state", state);
                if (k->ref && *k->ref)
                        json_object_set_new(details, "ref", json_string(k->ref));
                int r = audit_append(s, by, "key.register", object, details, err);
                json_decref(details);
                if (r < 0)
                        goto fail;
        }
        if (k->product_id > 0 && store_keys_product_link(s, id, k->product_id, err) < 0)
                goto fail;
        if (keys_tx_commit(s, &a, err) < 0)
                return -1;
        if (id_out)
                *id_out = id;
        return 0;
fail:
        keys_tx_rollback(s, &a);
        return -1;
}

int keys_register_as(struct store *s, const struct keys_new *k, const struct audit_actor *by, int64_t *id_out,
                     struct error *err) {
        return register_state(s, k, by, "active", id_out, err);
}

int keys_register_planned(struct store *s, const struct keys_new *k, const struct audit_actor *by,
                          int64_t *id_out, struct error *err) {
        return register_state(s, k, by, "planned", id_out, err);
}

int keys_register(struct store *s, const struct keys_new *k, const char *actor, int64_t *id_out,
                  struct error *err) {
        const struct audit_actor by = {.name = actor && *actor ? actor : "system", .role = "system"};
        return keys_register_as(s, k, &by, id_out, err);
}

int keys_register_tuf(struct store *s, const struct keys_new *k, const char *tuf_keyid,
                      const struct audit_actor *by, int64_t *id_out, struct error *err) {
        int64_t id = 0;
        struct keys_tx a;
        if (keys_tx_begin(s, &a, err) < 0)
                return -1;
        if (keys_register_as(s, k, by, &id, err) < 0 ||
            (tuf_keyid && store_keys_set_tuf_keyid(s, id, tuf_keyid, err) < 0) ||
            keys_tx_commit(s, &a, err) < 0) {
                keys_tx_rollback(s, &a);
                return -1;
        }
        if (id_out)
                *id_out = id;
        return 0;
}

int keys_use_audited(struct store *s, int64_t key_id, const char *what, const char *actor, struct error *err) {
        if (line_check("key use", what, KEYS_WHAT_MAX, true, err) < 0)
                return -1;
        const struct audit_actor by = {.name = actor && *actor ? actor : "system", .role = "system"};
        struct keys_tx a;
        if (keys_tx_begin(s, &a, err) < 0)
                return -1;
        struct store_key k;
        if (store_keys_get(s, key_id, &k, err) < 0) {
                keys_tx_rollback(s, &a);
                return -1;
        }
        _cleanup_free_ char *object = str_printf("key:%lld", (long long) key_id);
        json_t *details = json_pack("{s:s, s:s, s:s}", "class", k.class, "fingerprint", k.fingerprint, "what", what);
        /* A use of a key that must not sign any more is recorded, and named
         * so in the entry, rather than refused here: the signer already
         * decided; the audit makes it visible. */
        if (strcmp(k.state, "active") != 0)
                json_object_set_new(details, "state", json_string(k.state));
        store_key_clear(&k);
        int r = audit_append(s, &by, "key.use", object, details, err);
        json_decref(details);
        if (r < 0 || store_keys_usage_add(s, key_id, what, 1, time_now(), err) < 0 ||
            keys_tx_commit(s, &a, err) < 0) {
                keys_tx_rollback(s, &a);
                return -1;
        }
        return 0;
}

int keys_usage_add(struct store *s, int64_t key_id, const char *what, int64_t count, struct error *err) {
        if (line_check("key use", what, KEYS_WHAT_MAX, true, err) < 0)
                return -1;
        if (count <= 0)
                return 0;
        return store_keys_usage_add(s, key_id, what, count, time_now(), err);
}

int keys_find_pubkey(struct store *s, const char *class, gnutls_pubkey_t pub, int64_t *id_out, struct error *err) {
        *id_out = 0;
        char fp[65];
        if (keys_fingerprint_pubkey(pub, fp, err) < 0)
                return -1;
        struct store_key k;
        int rc = store_keys_find(s, class, fp, &k, err);
        if (rc < 0)
                return -1;
        if (rc)
                *id_out = k.id;
        store_key_clear(&k);
        return 0;
}

int keys_link_product(struct store *s, int64_t id, int64_t product_id, struct error *err) {
        return store_keys_product_link(s, id, product_id, err);
}

int keys_lookup(struct store *s, const char *key, struct store_key *out, struct error *err) {
        memset(out, 0, sizeof(*out));
        if (!key || !*key)
                return error_set(err, ERROR_INVALID, "a key (an id, a fingerprint or a TUF keyid) is required");
        size_t n = strlen(key);
        bool digits = n <= 18, hex = n <= KEYS_FINGERPRINT_MAX;
        for (size_t i = 0; i < n; i++) {
                digits = digits && isdigit((unsigned char) key[i]);
                hex = hex && isxdigit((unsigned char) key[i]) && !isupper((unsigned char) key[i]);
        }
        if (digits && n < 8)
                return store_keys_get(s, strtoll(key, NULL, 10), out, err);
        if (!hex)
                return error_set(err, ERROR_INVALID, "key '%.80s' is neither an id nor a lower-case hex fingerprint",
                                 key);
        if (n < 8)
                return error_set(err, ERROR_INVALID, "a fingerprint prefix needs at least 8 hex digits");
        return store_keys_get_by_ref(s, key, out, err);
}

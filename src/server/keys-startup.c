/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cradled's start registers the keys it holds or knows (issue 11, the key
 * registry): what the database knows (keys_discover_store: a database from
 * before the registry gets every key listed; afterwards this changes
 * nothing), and what only the file system knows: the local TLS CA and the
 * server certificate of `cradled init`, and the director's online key.
 * A failure is logged and the server starts anyway: the registry lists keys,
 * it does not gate their use.
 */
#include "keys-startup.h"

#include "core/cleanup.h"
#include "core/fileio.h"
#include "core/log.h"
#include "core/strutil.h"
#include "crypto/key.h"
#include "director/director.h"
#include "keys/keys.h"
#include "secret/keyfile.h"
#include "store/store.h"

static const struct audit_actor system_actor = {.name = "system", .role = "system"};

/* The director online key's reference as the director resolves it
 * (director/key.c): configured, else the default file; NULL when the
 * default file does not exist yet. Heap. */
static char *director_ref(const struct server_config *cfg, const char *data_dir) {
        const char *k = cfg->director_key;
        if (!k || !*k) {
                char *path = str_printf("%s/" DIRECTOR_KEY_DIR "/" DIRECTOR_KEY_FILE, data_dir);
                if (!file_exists(path)) {
                        free(path);
                        return NULL;
                }
                return path;
        }
        if (str_startswith(k, "pkcs11:") || k[0] == '/')
                return str_dup(k);
        return str_printf("%s/%s", data_dir, k);
}

static void register_director_key(struct store *s, const struct server_config *cfg, const char *ref) {
        struct error e = {0};
        _cleanup_crypto_key_ struct crypto_key *key = NULL;
        /* The file is sealed under the KEK (secret/keyfile.h), bound to the
         * ref as configured, as director/key.c loads it. */
        const char *context_ref = cfg->director_key && cfg->director_key[0] ? cfg->director_key
                                                                            : DIRECTOR_KEY_DIR "/" DIRECTOR_KEY_FILE;
        if (secret_key_load(ref, context_ref, &key, &e) < 0) {
                log_warn("key registry: the director online key %s cannot be read: %s", ref, e.msg);
                return;
        }
        const struct keys_new k = {
                .class = "director",
                .purpose = "director online key (signs each device's targets metadata)",
                .pubkey = crypto_key_pubkey(key),
                .storage = crypto_key_is_pkcs11(key) ? "pkcs11" : "file",
                .ref = ref,
        };
        if (keys_register(s, &k, "system", NULL, &e) < 0)
                log_warn("key registry: registering the director online key: %s", e.msg);
}

void server_keys_register(struct store_pool *pool, const struct server_config *cfg, const char *data_dir) {
        struct store *s = store_pool_acquire(pool);
        struct error e = {0};
        _cleanup_free_ char *dref = director_ref(cfg, data_dir);
        if (keys_discover_store(s, dref, &system_actor, &e) < 0)
                log_error("key registry: registering the keys the database knows: %s", e.msg);
        _cleanup_free_ char *ca = server_config_path(data_dir, cfg->tls_ca);
        _cleanup_free_ char *ca_key = path_join(data_dir, "tls/ca.key");
        _cleanup_free_ char *cert = server_config_path(data_dir, cfg->tls_cert);
        _cleanup_free_ char *key = server_config_path(data_dir, cfg->tls_key);
        /* The CA of `cradled init` when it is the local one (its key beside
         * it); an operator's own CA is theirs to register. */
        if (file_exists(ca) && file_exists(ca_key)) {
                e = (struct error) {0};
                if (keys_register_cert_file(s, "tls", "local TLS CA of cradled init (issues the server certificate)",
                                            ca, ca_key, &system_actor, &e) < 0)
                        log_warn("key registry: the local TLS CA: %s", e.msg);
        }
        e = (struct error) {0};
        if (keys_register_cert_file(s, "tls", "cradled's TLS server key", cert, key, &system_actor, &e) < 0)
                log_warn("key registry: the TLS server key: %s", e.msg);
        if (dref)
                register_director_key(s, cfg, dref);
        store_pool_release(pool, s);
}

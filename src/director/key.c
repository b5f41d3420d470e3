/* SPDX-License-Identifier: Apache-2.0 */
/* The director's online key: where it lives, generating it once, loading it. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "audit/audit.h"
#include "core/cleanup.h"
#include "core/fileio.h"
#include "core/strutil.h"
#include "crypto/encoding.h"
#include "crypto/random.h"
#include "director/internal.h"
#include "secret/keyfile.h"
#include "tuf/sign.h"

/* The key's reference: the configured one (relative paths under data_dir), or
 * the default file. Heap. */
/* What a sealed key file is bound to: the ref as configured, or the default's
 * path relative to the data directory. */
static const char *key_context_ref(const struct director_ctx *dc) {
        return dc->key_ref && dc->key_ref[0] ? dc->key_ref : DIRECTOR_KEY_DIR "/" DIRECTOR_KEY_FILE;
}

static char *key_ref(const struct director_ctx *dc, bool *is_default) {
        *is_default = !dc->key_ref || !dc->key_ref[0];
        if (*is_default)
                return str_printf("%s/" DIRECTOR_KEY_DIR "/" DIRECTOR_KEY_FILE, dc->data_dir);
        if (str_startswith(dc->key_ref, "pkcs11:") || dc->key_ref[0] == '/')
                return str_dup(dc->key_ref);
        return str_printf("%s/%s", dc->data_dir, dc->key_ref);
}

/* Generates the default key file without ever replacing one: the new key is
 * written under a unique name and hard-linked into place, so of two requests
 * racing to create it, one wins and both load the winner. */
static int key_generate(const struct director_ctx *dc, const char *path, bool *created, struct error *err) {
        _cleanup_free_ char *dir = str_printf("%s/" DIRECTOR_KEY_DIR, dc->data_dir);
        uint8_t rnd[8];
        char hex[2 * sizeof(rnd) + 1];
        if (dir_create(dir, 0700, err) < 0 || random_bytes(rnd, sizeof(rnd), err) < 0)
                return -1;
        hex_encode(rnd, sizeof(rnd), hex);
        _cleanup_free_ char *tmp = str_printf("%s/.new-%s", dir, hex);
        if (secret_key_generate_file(tmp, key_context_ref(dc), CRYPTO_KEY_ED25519, err) < 0)
                return -1;
        int r = link(tmp, path);
        int e = errno;
        (void) unlink(tmp);
        if (r < 0 && e != EEXIST)
                return error_set_errno(err, ERROR_IO, e, "director online key %s", path);
        *created = r == 0;
        return dir_fsync(dir, err);
}

int director_key_load(const struct director_ctx *dc, bool create, struct crypto_key **key,
                      struct tuf_key **tkey, bool *created, struct error *err) {
        bool is_default, made = false;
        _cleanup_free_ char *ref = NULL;
        *key = NULL;
        if (tkey)
                *tkey = NULL;
        if (created)
                *created = false;
        /* Never fall back to the working directory for a key. */
        if (!dc->data_dir || !dc->data_dir[0])
                return error_set(err, ERROR_INTERNAL, "the director has no data directory configured");
        ref = key_ref(dc, &is_default);
        if (!str_startswith(ref, "pkcs11:") && !file_exists(ref)) {
                if (!is_default)
                        return error_set(err, ERROR_CONFLICT, "the director online key %s does not exist", ref);
                if (!create)
                        return error_set(err, ERROR_CONFLICT, "the director has no online key yet; GET "
                                         "/api/v1/director/online-keys (admin) generates it");
                if (key_generate(dc, ref, &made, err) < 0)
                        return -1;
        }
        _cleanup_crypto_key_ struct crypto_key *k = NULL;
        _cleanup_tuf_key_ struct tuf_key *tk = NULL;
        if (secret_key_load(ref, key_context_ref(dc), &k, err) < 0)
                return error_prefix(err, "director online key: ");
        if (tuf_key_from_crypto_key(k, &tk, err) < 0)
                return error_prefix(err, "director online key: ");
        *key = steal_ptr(k);
        if (tkey)
                *tkey = steal_ptr(tk);
        if (created)
                *created = made;
        return 0;
}

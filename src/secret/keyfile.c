/* SPDX-License-Identifier: Apache-2.0 */
/* Sealed key files (keyfile.h). */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/cleanup.h"
#include "core/fileio.h"
#include "core/strutil.h"
#include "crypto/ct.h"
#include "secret/kek.h"
#include "secret/keyfile.h"

/* A sealed PEM key is a few hundred bytes; the sealed text of the largest
 * secret is the most a key file may hold. */
#define KEYFILE_MAX KEK_SEALED_MAX

static char *context_for(const char *context_ref) {
        return str_printf("key-file:%s", context_ref);
}

/* Reads a key file that must be private (0600/0400). */
static int keyfile_read(const char *path, char **text, size_t *len, struct error *err) {
        if (file_check_private(path, err) < 0 || file_read_all(path, KEYFILE_MAX, text, len, err) < 0)
                return error_prefix(err, "key file: ");
        return 0;
}

int secret_key_load(const char *ref, const char *context_ref, struct crypto_key **out, struct error *err) {
        if (!ref || !*ref || strncasecmp(ref, "pkcs11:", 7) == 0)
                return crypto_key_load(ref, out, err);
        _cleanup_secret_ char *text = NULL;
        size_t len = 0;
        if (keyfile_read(ref, &text, &len, err) < 0)
                return -1;
        if (!kek_is_sealed(text))
                return crypto_key_load_pem(ref, text, len, out, err);
        _cleanup_free_ char *context = context_for(context_ref && *context_ref ? context_ref : ref);
        uint8_t *pem = NULL;
        size_t n = 0;
        /* The file is one line of sealed text, perhaps with a newline. */
        while (len > 0 && (text[len - 1] == '\n' || text[len - 1] == '\r'))
                text[--len] = '\0';
        if (kek_open(kek_default(), context, text, &pem, &n, err) < 0)
                return error_prefix(err, "key file '%s': ", ref);
        int r = crypto_key_load_pem(ref, pem, n, out, err);
        ct_wipe(pem, n);
        free(pem);
        return r;
}

int secret_key_generate_file(const char *path, const char *context_ref, enum crypto_key_type type,
                             struct error *err) {
        const struct kek *k = kek_default();
        if (!k)
                return crypto_key_generate_file(path, type, err);
        _cleanup_secret_ char *pem = NULL;
        size_t len = 0;
        if (crypto_key_generate_pem(type, &pem, &len, err) < 0)
                return -1;
        _cleanup_free_ char *context = context_for(context_ref && *context_ref ? context_ref : path);
        _cleanup_free_ char *sealed = NULL;
        if (kek_seal(k, context, (const uint8_t *) pem, len, &sealed, err) < 0)
                return -1;
        _cleanup_free_ char *line = str_printf("%s\n", sealed);
        return file_write_atomic(path, line, strlen(line), 0600, err);
}

int secret_key_file_seal(const struct kek *k, const char *path, const char *context_ref, bool *sealed_now,
                         struct error *err) {
        *sealed_now = false;
        _cleanup_secret_ char *text = NULL;
        size_t len = 0;
        if (keyfile_read(path, &text, &len, err) < 0)
                return -1;
        if (kek_is_sealed(text))
                return 0;
        /* Only a key that loads is sealed: a damaged file stays as it is, and
         * the error says which. */
        _cleanup_crypto_key_ struct crypto_key *key = NULL;
        if (crypto_key_load_pem(path, text, len, &key, err) < 0)
                return -1;
        _cleanup_free_ char *context = context_for(context_ref && *context_ref ? context_ref : path);
        _cleanup_free_ char *sealed = NULL;
        if (kek_seal(k, context, (const uint8_t *) text, len, &sealed, err) < 0)
                return -1;
        _cleanup_free_ char *line = str_printf("%s\n", sealed);
        if (file_write_atomic(path, line, strlen(line), 0600, err) < 0)
                return -1;
        *sealed_now = true;
        return 0;
}

/* "kek1:<fingerprint>:" of k. Heap. */
static char *sealed_prefix(const struct kek *k) {
        return str_printf("kek1:%s:", kek_fingerprint(k));
}

int secret_key_file_reseal(const struct kek *from, const struct kek *to, const char *path, const char *context_ref,
                           bool *changed, struct error *err) {
        *changed = false;
        _cleanup_secret_ char *text = NULL;
        size_t len = 0;
        if (keyfile_read(path, &text, &len, err) < 0)
                return -1;
        if (!kek_is_sealed(text))
                return secret_key_file_seal(to, path, context_ref, changed, err);
        _cleanup_free_ char *to_prefix = sealed_prefix(to);
        if (strncmp(text, to_prefix, strlen(to_prefix)) == 0)
                return 0;
        while (len > 0 && (text[len - 1] == '\n' || text[len - 1] == '\r'))
                text[--len] = '\0';
        _cleanup_free_ char *context = context_for(context_ref && *context_ref ? context_ref : path);
        uint8_t *pem = NULL;
        size_t n = 0;
        if (kek_open(from, context, text, &pem, &n, err) < 0)
                return error_prefix(err, "key file '%s': ", path);
        _cleanup_free_ char *sealed = NULL;
        int r = kek_seal(to, context, pem, n, &sealed, err);
        ct_wipe(pem, n);
        free(pem);
        if (r < 0)
                return -1;
        _cleanup_free_ char *line = str_printf("%s\n", sealed);
        if (file_write_atomic(path, line, strlen(line), 0600, err) < 0)
                return -1;
        *changed = true;
        return 0;
}

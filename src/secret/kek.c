/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The KEK and sealed secrets (kek.h).
 *
 * Sealed text: "kek1:" <32 hex: KEK fingerprint> ":" <base64: nonce(12) | ciphertext | tag(16)>
 * AES-256-GCM with a random 96-bit nonce per seal; the associated data is
 * "cradle-kek1\n" <fingerprint> "\n" <context>, so a value copied to another
 * row (another context) or sealed under another KEK does not open.
 *
 * Why GCM with random nonces: each KEK seals few values (a migration key per
 * batch, a content key per release, a handful of key files), far below the
 * 2^32 messages per key where random 96-bit nonces start to matter.
 *
 * PKCS#11: GnuTLS has no symmetric PKCS#11 operations, so the token is used
 * through p11-kit directly (crypto/p11.h: the same modules src/crypto/key.c
 * sees, in sessions of its own beside GnuTLS's), with CKM_AES_GCM on the key
 * object. One session is kept open and logged in for the process's life and
 * used under a mutex: seals are rare, and a session cannot run two operations
 * at once.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>

#include "core/cleanup.h"
#include "core/fileio.h"
#include "core/strutil.h"
#include "crypto/ct.h"
#include "crypto/encoding.h"
#include "crypto/key.h"
#include "crypto/p11.h"
#include "crypto/random.h"
#include "secret/kek.h"

#define KEK_KEY_LEN 32
#define KEK_FILE_MAX 4096
#define KEK_AAD_LABEL "cradle-kek1\n"
/* The key check value: a fixed block under a fixed nonce and label. The zero
 * nonce is never used by a seal (kek_seal draws again if it ever came up). */
#define KEK_CHECK_AAD "cradle kek fingerprint v1"

struct kek {
        char *ref;
        bool pkcs11;
        char fingerprint[KEK_FINGERPRINT_HEX + 1];
        /* file */
        uint8_t key[KEK_KEY_LEN];
        /* PKCS#11: one logged-in session (crypto/p11.h) and its module */
        struct crypto_p11 *p11;
        CK_FUNCTION_LIST *module;
        CK_SESSION_HANDLE session;
        CK_OBJECT_HANDLE object;
        pthread_mutex_t lock;
        bool lock_init;
};

static const struct kek *kek_default_value;

const struct kek *kek_default(void) {
        return kek_default_value;
}

void kek_set_default(const struct kek *k) {
        kek_default_value = k;
}

const char *kek_fingerprint(const struct kek *k) {
        return k ? k->fingerprint : NULL;
}

const char *kek_ref(const struct kek *k) {
        return k ? k->ref : NULL;
}

bool kek_is_pkcs11(const struct kek *k) {
        return k && k->pkcs11;
}

/* ---- the AEAD, either way --------------------------------------------------- */

/* One AES-256-GCM operation. Encrypt: out = ciphertext|tag (in_len + 16).
 * Decrypt: in = ciphertext|tag, out = plaintext (in_len - 16). A tag that does
 * not verify is ERROR_CRYPTO with *tag_failed set (the caller words it). */
static int kek_aead(const struct kek *k, bool encrypt, const uint8_t nonce[KEK_NONCE_LEN], const void *aad,
                    size_t aad_len, const uint8_t *in, size_t in_len, uint8_t *out, size_t *out_len,
                    bool *tag_failed, struct error *err) {
        *tag_failed = false;
        if (!encrypt && in_len < KEK_TAG_LEN)
                return error_set(err, ERROR_INVALID, "sealed value is shorter than its tag");
        size_t want = encrypt ? in_len + KEK_TAG_LEN : in_len - KEK_TAG_LEN;
        if (!k->pkcs11) {
                gnutls_aead_cipher_hd_t h = NULL;
                gnutls_datum_t key = { (unsigned char *) k->key, KEK_KEY_LEN };
                int rc = gnutls_aead_cipher_init(&h, GNUTLS_CIPHER_AES_256_GCM, &key);
                if (rc < 0)
                        return error_set(err, ERROR_CRYPTO, "KEK: AES-256-GCM: %s", gnutls_strerror(rc));
                size_t n = *out_len;
                rc = encrypt ? gnutls_aead_cipher_encrypt(h, nonce, KEK_NONCE_LEN, aad, aad_len, KEK_TAG_LEN, in,
                                                          in_len, out, &n)
                             : gnutls_aead_cipher_decrypt(h, nonce, KEK_NONCE_LEN, aad, aad_len, KEK_TAG_LEN, in,
                                                          in_len, out, &n);
                gnutls_aead_cipher_deinit(h);
                if (rc == GNUTLS_E_DECRYPTION_FAILED) {
                        *tag_failed = true;
                        return error_set(err, ERROR_CRYPTO, "tag does not verify");
                }
                if (rc < 0 || n != want)
                        return error_set(err, ERROR_CRYPTO, "KEK: AES-256-GCM: %s",
                                         rc < 0 ? gnutls_strerror(rc) : "unexpected length");
                *out_len = n;
                return 0;
        }

        CK_GCM_PARAMS gcm = {
                .pIv = (CK_BYTE_PTR) nonce, .ulIvLen = KEK_NONCE_LEN, .ulIvBits = KEK_NONCE_LEN * 8,
                .pAAD = (CK_BYTE_PTR) aad, .ulAADLen = aad_len, .ulTagBits = KEK_TAG_LEN * 8,
        };
        CK_MECHANISM mech = { CKM_AES_GCM, &gcm, sizeof(gcm) };
        struct kek *m = (struct kek *) k; /* the lock only: the object is heap, never const-defined */
        pthread_mutex_lock(&m->lock);
        CK_ULONG n = *out_len;
        CK_RV rv = encrypt ? k->module->C_EncryptInit(k->session, &mech, k->object)
                           : k->module->C_DecryptInit(k->session, &mech, k->object);
        const char *step = encrypt ? "C_EncryptInit" : "C_DecryptInit";
        if (rv == CKR_OK) {
                step = encrypt ? "C_Encrypt" : "C_Decrypt";
                rv = encrypt ? k->module->C_Encrypt(k->session, (CK_BYTE_PTR) in, in_len, out, &n)
                             : k->module->C_Decrypt(k->session, (CK_BYTE_PTR) in, in_len, out, &n);
        }
        pthread_mutex_unlock(&m->lock);
        if (!encrypt && (rv == CKR_ENCRYPTED_DATA_INVALID || rv == CKR_ENCRYPTED_DATA_LEN_RANGE ||
                         rv == CKR_GENERAL_ERROR || rv == CKR_FUNCTION_FAILED)) {
                /* Tokens report a GCM tag mismatch with any of these. */
                *tag_failed = true;
                return error_set(err, ERROR_CRYPTO, "tag does not verify (%s)", crypto_p11_rv_name(rv));
        }
        if (rv != CKR_OK)
                return error_set(err, ERROR_CRYPTO, "KEK '%s': %s: %s (0x%lx)", k->ref, step, crypto_p11_rv_name(rv),
                                 (unsigned long) rv);
        if (n != want)
                return error_set(err, ERROR_CRYPTO, "KEK '%s': %s returned %lu bytes, not %zu", k->ref, step,
                                 (unsigned long) n, want);
        *out_len = n;
        return 0;
}

static int kek_compute_fingerprint(struct kek *k, struct error *err) {
        static const uint8_t zero_nonce[KEK_NONCE_LEN];
        static const uint8_t block[16];
        uint8_t out[sizeof(block) + KEK_TAG_LEN], digest[32];
        size_t n = sizeof(out);
        bool tag_failed;
        if (kek_aead(k, true, zero_nonce, KEK_CHECK_AAD, strlen(KEK_CHECK_AAD), block, sizeof(block), out, &n,
                     &tag_failed, err) < 0)
                return -1;
        int rc = gnutls_hash_fast(GNUTLS_DIG_SHA256, out, n, digest);
        ct_wipe(out, sizeof(out));
        if (rc < 0)
                return error_set(err, ERROR_CRYPTO, "KEK fingerprint: %s", gnutls_strerror(rc));
        hex_encode(digest, KEK_FINGERPRINT_HEX / 2, k->fingerprint);
        return 0;
}

/* ---- loading ------------------------------------------------------------------ */

static int kek_load_file(struct kek *k, const char *path, struct error *err) {
        if (file_check_private(path, err) < 0)
                return error_prefix(err, "KEK file: ");
        _cleanup_secret_ char *text = NULL;
        size_t len = 0;
        if (file_read_all(path, KEK_FILE_MAX, &text, &len, err) < 0)
                return error_prefix(err, "KEK file: ");
        while (len > 0 && (text[len - 1] == '\n' || text[len - 1] == '\r' || text[len - 1] == ' '))
                text[--len] = '\0';
        if (len != 2 * KEK_KEY_LEN || hex_decode(text, k->key, KEK_KEY_LEN, NULL) < 0) {
                ct_wipe(k->key, sizeof(k->key));
                return error_set(err, ERROR_INVALID,
                                 "KEK file '%s' does not hold a key: want 64 hex digits (32 bytes; "
                                 "`cradle kek generate --file PATH` makes one)", path);
        }
        static const uint8_t zero[KEK_KEY_LEN];
        if (ct_equal(k->key, zero, sizeof(zero)))
                return error_set(err, ERROR_INVALID, "KEK file '%s': all zero bytes is not a key", path);
        return 0;
}

/* Adopts the session of an opened token (crypto/p11.h). */
static int kek_open_token(struct kek *k, const char *uri, bool rw, struct error *err) {
        if (crypto_p11_open(uri, "KEK", rw, &k->p11, err) < 0)
                return -1;
        k->module = crypto_p11_module(k->p11);
        k->session = crypto_p11_session(k->p11);
        return 0;
}

/* The KEK object must be what the contract says: AES, 32 bytes, sensitive,
 * not extractable. An extractable key could be copied off the token, which
 * defeats the reason to keep it there. */
static int kek_check_object(struct kek *k, struct error *err) {
        CK_KEY_TYPE type = 0;
        CK_ULONG len = 0;
        CK_BBOOL sensitive = CK_FALSE, extractable = CK_TRUE;
        CK_ATTRIBUTE a[] = {
                { CKA_KEY_TYPE, &type, sizeof(type) },
                { CKA_VALUE_LEN, &len, sizeof(len) },
                { CKA_SENSITIVE, &sensitive, sizeof(sensitive) },
                { CKA_EXTRACTABLE, &extractable, sizeof(extractable) },
        };
        CK_RV rv = k->module->C_GetAttributeValue(k->session, k->object, a, ELEMENTSOF(a));
        if (rv != CKR_OK)
                return error_set(err, ERROR_CRYPTO, "KEK '%.300s': C_GetAttributeValue: %s", k->ref, crypto_p11_rv_name(rv));
        if (type != CKK_AES || len != KEK_KEY_LEN)
                return error_set(err, ERROR_INVALID, "KEK '%.300s' is not an AES-256 key", k->ref);
        if (!sensitive || extractable)
                return error_set(err, ERROR_INVALID,
                                 "KEK '%.300s' is %s: a KEK on a token must be sensitive and not extractable "
                                 "(`cradle kek generate --pkcs11 URI` makes one)",
                                 k->ref, !sensitive ? "not sensitive" : "extractable");
        return 0;
}

static int kek_load_pkcs11(struct kek *k, const char *uri, struct error *err) {
        if (kek_open_token(k, uri, false, err) < 0 ||
            crypto_p11_find_one(k->p11, CKO_SECRET_KEY, "secret key", &k->object, err) < 0)
                return -1;
        return kek_check_object(k, err);
}

void kek_free(struct kek *k) {
        if (!k)
                return;
        if (kek_default_value == k)
                kek_default_value = NULL;
        crypto_p11_close(k->p11);
        if (k->lock_init)
                pthread_mutex_destroy(&k->lock);
        ct_wipe(k->key, sizeof(k->key));
        free(k->ref);
        free(k);
}

int kek_load(const char *ref, struct kek **out, struct error *err) {
        if (!ref || !*ref)
                return error_set(err, ERROR_INVALID, "no KEK given (a key file path or a pkcs11: URI)");
        if (strlen(ref) > CRYPTO_KEY_REF_MAX)
                return error_set(err, ERROR_INVALID, "KEK reference is too long (more than %d bytes)",
                                 CRYPTO_KEY_REF_MAX);
        _cleanup_kek_ struct kek *k = xcalloc(1, sizeof(*k));
        k->ref = str_dup(ref);
        k->pkcs11 = strncasecmp(ref, "pkcs11:", 7) == 0;
        pthread_mutex_init(&k->lock, NULL);
        k->lock_init = true;
        if ((k->pkcs11 ? kek_load_pkcs11(k, ref, err) : kek_load_file(k, ref, err)) < 0)
                return -1;
        /* Also the proof that the key works for AES-256-GCM before the server
         * relies on it. */
        if (kek_compute_fingerprint(k, err) < 0)
                return -1;
        *out = steal_ptr(k);
        return 0;
}

/* ---- sealed text ------------------------------------------------------------------ */

bool kek_is_sealed(const char *text) {
        if (!text || strncmp(text, "kek", 3) != 0)
                return false;
        const char *p = text + 3;
        if (*p < '1' || *p > '9')
                return false;
        while (*p >= '0' && *p <= '9')
                p++;
        return *p == ':';
}

static bool is_lower_hex(const char *s, size_t n) {
        for (size_t i = 0; i < n; i++)
                if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
                        return false;
        return true;
}

static bool is_base64_text(const char *s, size_t n) {
        for (size_t i = 0; i < n; i++) {
                char c = s[i];
                if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
                      c == '/' || c == '='))
                        return false;
        }
        return true;
}

int kek_sealed_parse(const char *sealed, char fingerprint_out[KEK_FINGERPRINT_HEX + 1], uint8_t **blob_out,
                     size_t *blob_len_out, struct error *err) {
        *blob_out = NULL;
        *blob_len_out = 0;
        if (!sealed || !*sealed)
                return error_set(err, ERROR_INVALID, "sealed value is empty");
        size_t len = strnlen(sealed, KEK_SEALED_MAX + 1);
        if (len > KEK_SEALED_MAX)
                return error_set(err, ERROR_TOO_LARGE, "sealed value is longer than %d bytes", (int) KEK_SEALED_MAX);
        if (!kek_is_sealed(sealed))
                return error_set(err, ERROR_INVALID, "not a sealed value (no \"kek1:\" prefix)");
        if (strncmp(sealed, "kek1:", 5) != 0)
                return error_set(err, ERROR_UNSUPPORTED, "sealed value has a version this server does not know "
                                 "(it knows kek1)");
        const char *fp = sealed + 5;
        if (len < KEK_SEALED_PREFIX_LEN || fp[KEK_FINGERPRINT_HEX] != ':' || !is_lower_hex(fp, KEK_FINGERPRINT_HEX))
                return error_set(err, ERROR_INVALID, "sealed value: the KEK fingerprint is not %d lower-case hex digits "
                                 "followed by ':'", KEK_FINGERPRINT_HEX);
        const char *b64 = sealed + KEK_SEALED_PREFIX_LEN;
        size_t b64_len = len - KEK_SEALED_PREFIX_LEN;
        /* base64_decode skips whitespace; sealed text has none. */
        if (b64_len == 0 || !is_base64_text(b64, b64_len))
                return error_set(err, ERROR_INVALID, "sealed value: the body is not base64");
        uint8_t *blob = NULL;
        size_t blob_len = 0;
        struct error e = {0};
        if (base64_decode(b64, b64_len, &blob, &blob_len, &e) < 0)
                return error_set(err, ERROR_INVALID, "sealed value: the body is not base64 (%s)", e.msg);
        if (blob_len < KEK_NONCE_LEN + KEK_TAG_LEN) {
                free(blob);
                return error_set(err, ERROR_INVALID, "sealed value is truncated: %zu bytes, at least %d expected",
                                 blob_len, KEK_NONCE_LEN + KEK_TAG_LEN);
        }
        memcpy(fingerprint_out, fp, KEK_FINGERPRINT_HEX);
        fingerprint_out[KEK_FINGERPRINT_HEX] = '\0';
        *blob_out = blob;
        *blob_len_out = blob_len;
        return 0;
}

static int context_check(const char *context, struct error *err) {
        if (!context || !*context)
                return error_set(err, ERROR_INVALID, "a sealed secret needs a context (what it is and whose)");
        size_t n = strnlen(context, KEK_CONTEXT_MAX + 1);
        if (n > KEK_CONTEXT_MAX)
                return error_set(err, ERROR_INVALID, "sealing context is longer than %d bytes", KEK_CONTEXT_MAX);
        for (size_t i = 0; i < n; i++)
                if (context[i] < 0x20 || context[i] > 0x7e)
                        return error_set(err, ERROR_INVALID, "sealing context has a byte outside printable ASCII");
        return 0;
}

/* "cradle-kek1\n" fingerprint "\n" context. Heap. */
static char *aad_make(const struct kek *k, const char *context, size_t *len) {
        char *aad = str_printf(KEK_AAD_LABEL "%s\n%s", k->fingerprint, context);
        *len = strlen(aad);
        return aad;
}

int kek_seal(const struct kek *k, const char *context, const uint8_t *secret, size_t n, char **sealed_out,
             struct error *err) {
        *sealed_out = NULL;
        /* CONFLICT: the server's state does not allow it (409, the message
         * shown), not a passing outage. */
        if (!k)
                return error_set(err, ERROR_CONFLICT,
                                 "no KEK is configured ([kek] ref in cradled.conf): secrets are not stored "
                                 "unsealed; see docs/keys.md \"Secrets at rest\"");
        if (context_check(context, err) < 0)
                return -1;
        if (!secret || n == 0)
                return error_set(err, ERROR_INVALID, "nothing to seal for %s", context);
        if (n > KEK_SECRET_MAX)
                return error_set(err, ERROR_TOO_LARGE, "secret for %s is larger than %d bytes", context, KEK_SECRET_MAX);
        size_t blob_len = KEK_NONCE_LEN + n + KEK_TAG_LEN;
        uint8_t *blob = xmalloc(blob_len);
        static const uint8_t zero_nonce[KEK_NONCE_LEN];
        int r = -1;
        /* Declared before the first goto: a jump past a _cleanup_ variable's
         * declaration would free an uninitialised pointer at return. */
        _cleanup_free_ char *aad = NULL, *b64 = NULL;
        do {
                if (random_bytes(blob, KEK_NONCE_LEN, err) < 0)
                        goto out;
        } while (ct_equal(blob, zero_nonce, KEK_NONCE_LEN)); /* reserved for the fingerprint */
        size_t aad_len;
        aad = aad_make(k, context, &aad_len);
        size_t ct_len = n + KEK_TAG_LEN;
        bool tag_failed;
        if (kek_aead(k, true, blob, aad, aad_len, secret, n, blob + KEK_NONCE_LEN, &ct_len, &tag_failed, err) < 0) {
                error_prefix(err, "sealing %s: ", context);
                goto out;
        }
        b64 = base64_encode(blob, blob_len);
        *sealed_out = str_printf("kek1:%s:%s", k->fingerprint, b64);
        r = 0;
out:
        ct_wipe(blob, blob_len);
        free(blob);
        return r;
}

int kek_open(const struct kek *k, const char *context, const char *sealed, uint8_t **secret_out, size_t *n_out,
             struct error *err) {
        *secret_out = NULL;
        *n_out = 0;
        if (!k)
                return error_set(err, ERROR_CONFLICT,
                                 "no KEK is configured ([kek] ref in cradled.conf): the sealed %s cannot be opened",
                                 context ? context : "secret");
        if (context_check(context, err) < 0)
                return -1;
        char fp[KEK_FINGERPRINT_HEX + 1];
        _cleanup_free_ uint8_t *blob = NULL;
        size_t blob_len = 0;
        if (kek_sealed_parse(sealed, fp, &blob, &blob_len, err) < 0)
                return error_prefix(err, "%s: ", context);
        if (strcmp(fp, k->fingerprint) != 0)
                return error_set(err, ERROR_CRYPTO,
                                 "%s was sealed under KEK %s, but the configured KEK is %s (%s): restore that KEK, "
                                 "or re-seal with `cradle kek rotate`",
                                 context, fp, k->fingerprint, k->pkcs11 ? "on a token" : "a file");
        size_t aad_len;
        _cleanup_free_ char *aad = aad_make(k, context, &aad_len);
        size_t ct_len = blob_len - KEK_NONCE_LEN;
        size_t pt_len = ct_len - KEK_TAG_LEN;
        /* +1: a NUL after the secret, for text secrets (key files); not counted. */
        uint8_t *pt = xmalloc(ct_len + 1);
        size_t got = ct_len;
        bool tag_failed = false;
        if (kek_aead(k, false, blob, aad, aad_len, blob + KEK_NONCE_LEN, ct_len, pt, &got, &tag_failed, err) < 0) {
                ct_wipe(pt, ct_len + 1);
                free(pt);
                if (tag_failed)
                        return error_set(err, ERROR_CRYPTO,
                                         "%s does not open: the sealed value was altered, or belongs to another "
                                         "row or purpose", context);
                return error_prefix(err, "opening %s: ", context);
        }
        pt[pt_len] = 0;
        *secret_out = pt;
        *n_out = pt_len;
        ct_wipe(blob, blob_len);
        return 0;
}

/* ---- generation ------------------------------------------------------------------ */

int kek_generate_file(const char *path, struct error *err) {
        if (!path || !*path)
                return error_set(err, ERROR_INVALID, "no KEK file path given");
        if (file_exists(path))
                return error_set(err, ERROR_CONFLICT, "%s exists already; not overwriting a KEK", path);
        uint8_t key[KEK_KEY_LEN];
        char hex[2 * KEK_KEY_LEN + 2];
        if (random_bytes(key, sizeof(key), err) < 0)
                return -1;
        hex_encode(key, sizeof(key), hex);
        ct_wipe(key, sizeof(key));
        size_t n = strlen(hex);
        hex[n] = '\n';
        int r = file_write_new(path, hex, n + 1, 0600, err);
        ct_wipe(hex, sizeof(hex));
        return r;
}

int kek_generate_pkcs11(const char *uri, struct error *err) {
        if (!uri || strncasecmp(uri, "pkcs11:", 7) != 0)
                return error_set(err, ERROR_INVALID, "KEK: '%.300s' is not a pkcs11: URI", uri ? uri : "");
        _cleanup_kek_ struct kek *k = xcalloc(1, sizeof(*k));
        k->ref = str_dup(uri);
        k->pkcs11 = true;
        if (kek_open_token(k, uri, true, err) < 0)
                return -1;
        const CK_ATTRIBUTE *label = crypto_p11_uri_attr(k->p11, CKA_LABEL), *id = crypto_p11_uri_attr(k->p11, CKA_ID);
        if (!label || label->ulValueLen == 0)
                return error_set(err, ERROR_INVALID, "KEK '%.300s': name the new key with object=LABEL", uri);
        CK_OBJECT_HANDLE found[1];
        CK_ULONG n = 0;
        CK_OBJECT_CLASS any_cls[] = { CKO_SECRET_KEY, CKO_PRIVATE_KEY, CKO_PUBLIC_KEY, CKO_DATA, CKO_CERTIFICATE };
        for (size_t i = 0; i < ELEMENTSOF(any_cls); i++) {
                CK_ATTRIBUTE t[] = { { CKA_CLASS, &any_cls[i], sizeof(any_cls[i]) }, *label };
                if (k->module->C_FindObjectsInit(k->session, t, ELEMENTSOF(t)) != CKR_OK)
                        return error_set(err, ERROR_CRYPTO, "KEK '%.300s': cannot search the token", uri);
                k->module->C_FindObjects(k->session, found, 1, &n);
                k->module->C_FindObjectsFinal(k->session);
                if (n)
                        return error_set(err, ERROR_CONFLICT, "KEK '%.300s': the token holds an object with that "
                                         "label already; not making another", uri);
        }
        CK_OBJECT_CLASS cls = CKO_SECRET_KEY;
        CK_KEY_TYPE kt = CKK_AES;
        CK_ULONG len = KEK_KEY_LEN;
        CK_BBOOL yes = CK_TRUE, no = CK_FALSE;
        CK_ATTRIBUTE tmpl[16] = {
                { CKA_CLASS, &cls, sizeof(cls) },
                { CKA_KEY_TYPE, &kt, sizeof(kt) },
                { CKA_VALUE_LEN, &len, sizeof(len) },
                { CKA_TOKEN, &yes, sizeof(yes) },
                { CKA_PRIVATE, &yes, sizeof(yes) },
                { CKA_SENSITIVE, &yes, sizeof(yes) },
                { CKA_EXTRACTABLE, &no, sizeof(no) },
                { CKA_ENCRYPT, &yes, sizeof(yes) },
                { CKA_DECRYPT, &yes, sizeof(yes) },
                { CKA_WRAP, &no, sizeof(no) },
                { CKA_UNWRAP, &no, sizeof(no) },
                { CKA_SIGN, &no, sizeof(no) },
                { CKA_VERIFY, &no, sizeof(no) },
                *label,
        };
        CK_ULONG t = 14;
        if (id)
                tmpl[t++] = *id;
        CK_MECHANISM mech = { CKM_AES_KEY_GEN, NULL, 0 };
        CK_OBJECT_HANDLE obj;
        CK_RV rv = k->module->C_GenerateKey(k->session, &mech, tmpl, t, &obj);
        if (rv != CKR_OK)
                return error_set(err, ERROR_CRYPTO, "KEK '%.300s': C_GenerateKey (AES-256): %s", uri, crypto_p11_rv_name(rv));
        return 0;
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The gpgme wrapper (pgp.h). Every gpgme error becomes a struct error that
 * names the keyring and the key; gpgme's own buffers are copied into heap
 * strings the caller frees with free().
 */
#include "pgp/pgp.h"

#include <errno.h>
#include <gpgme.h>
#include <pthread.h>
#include <string.h>
#include <sys/stat.h>

#include "core/cleanup.h"
#include "core/fileio.h"
#include "core/strutil.h"
#include "crypto/encoding.h"

struct pgp {
        gpgme_ctx_t ctx;
        char *home;
};

/* gpgme must be initialised once, before any context exists. */
static pthread_once_t pgp_init_once = PTHREAD_ONCE_INIT;
static bool pgp_init_ok;

static void pgp_init(void) {
        if (!gpgme_check_version(NULL))
                return;
        pgp_init_ok = gpgme_engine_check_version(GPGME_PROTOCOL_OpenPGP) == 0;
}

static int pgp_fail(struct error *err, enum error_kind kind, gpgme_error_t e, const char *what,
                    const struct pgp *p) {
        return error_set(err, kind, "OpenPGP keyring %s: %s: %s", p ? p->home : "?", what,
                         gpgme_strerror(e));
}

/* No passphrase is ever supplied: a protected key fails at once instead of
 * waiting on a pinentry no one will answer (pgp.h). */
static gpgme_error_t pgp_no_passphrase(void *hook, const char *uid_hint, const char *info,
                                       int prev_was_bad, int fd) {
        (void) hook; (void) uid_hint; (void) info; (void) prev_was_bad; (void) fd;
        return gpg_error(GPG_ERR_NO_PASSPHRASE);
}

char *pgp_home_path(const char *data_dir) {
        return path_join(data_dir, "gnupg");
}

/* Written once when the keyring is created: SHA-512 for signatures, and no
 * network lookups of keys when verifying. */
static const char pgp_gpg_conf[] =
        "# written by cradle (src/pgp/pgp.c)\n"
        "personal-digest-preferences SHA512 SHA384 SHA256\n"
        "cert-digest-algo SHA512\n"
        "no-auto-key-retrieve\n";

static int pgp_home_prepare(const char *home, struct error *err) {
        struct stat st;
        if (stat(home, &st) < 0) {
                if (errno != ENOENT)
                        return error_set_errno(err, ERROR_IO, errno, "OpenPGP keyring %s", home);
                if (dir_create(home, 0700, err) < 0)
                        return -1;
                if (chmod(home, 0700) < 0)
                        return error_set_errno(err, ERROR_IO, errno, "OpenPGP keyring %s", home);
                _cleanup_free_ char *conf = path_join(home, "gpg.conf");
                if (file_write_atomic(conf, pgp_gpg_conf, sizeof pgp_gpg_conf - 1, 0600, err) < 0)
                        return -1;
                return 0;
        }
        if (!S_ISDIR(st.st_mode))
                return error_set(err, ERROR_INVALID, "OpenPGP keyring %s: not a directory", home);
        if (st.st_mode & 077)
                return error_set(err, ERROR_INVALID,
                                 "OpenPGP keyring %s: mode %03o lets group or others in; "
                                 "it holds secret keys (chmod 700)", home,
                                 (unsigned) (st.st_mode & 0777));
        return 0;
}

int pgp_open(const char *home, struct pgp **out, struct error *err) {
        *out = NULL;
        if (!home || !*home)
                return error_set(err, ERROR_INVALID, "OpenPGP keyring: no directory given");
        pthread_once(&pgp_init_once, pgp_init);
        if (!pgp_init_ok)
                return error_set(err, ERROR_CRYPTO,
                                 "OpenPGP: gpgme or the gpg engine is not available (install gnupg)");
        if (pgp_home_prepare(home, err) < 0)
                return -1;
        struct pgp *p = xcalloc(1, sizeof *p);
        p->home = str_dup(home);
        gpgme_error_t e = gpgme_new(&p->ctx);
        if (e) {
                pgp_fail(err, ERROR_CRYPTO, e, "creating a context", p);
                pgp_close(p);
                return -1;
        }
        if ((e = gpgme_set_protocol(p->ctx, GPGME_PROTOCOL_OpenPGP)) ||
            (e = gpgme_ctx_set_engine_info(p->ctx, GPGME_PROTOCOL_OpenPGP, NULL, home)) ||
            (e = gpgme_set_pinentry_mode(p->ctx, GPGME_PINENTRY_MODE_LOOPBACK))) {
                pgp_fail(err, ERROR_CRYPTO, e, "setting up the context", p);
                pgp_close(p);
                return -1;
        }
        gpgme_set_armor(p->ctx, 1);
        gpgme_set_passphrase_cb(p->ctx, pgp_no_passphrase, NULL);
        *out = p;
        return 0;
}

void pgp_close(struct pgp *p) {
        if (!p)
                return;
        if (p->ctx)
                gpgme_release(p->ctx);
        free(p->home);
        free(p);
}

static bool pgp_fingerprint_ok(const char *fpr) {
        if (!fpr || strlen(fpr) != 40)
                return false;
        for (const char *c = fpr; *c; c++)
                if (hex_digit_value(*c) < 0)
                        return false;
        return true;
}

static int pgp_check_fingerprint(const char *fpr, struct error *err) {
        if (!pgp_fingerprint_ok(fpr))
                return error_set(err, ERROR_INVALID,
                                 "OpenPGP fingerprint '%s': expected 40 hexadecimal digits",
                                 fpr ? fpr : "");
        return 0;
}

static char *pgp_fpr_upper(const char *fpr) {
        char *s = str_dup(fpr);
        for (char *c = s; *c; c++)
                if (*c >= 'a' && *c <= 'f')
                        *c = (char) (*c - 'a' + 'A');
        return s;
}

/* Copies gpgme's buffer out as a NUL-terminated heap string. */
static char *pgp_data_take(gpgme_data_t d, size_t *len) {
        size_t n = 0;
        char *mem = gpgme_data_release_and_get_mem(d, &n);
        char *s = xmalloc(n + 1);
        if (n)
                memcpy(s, mem, n);
        s[n] = '\0';
        gpgme_free(mem);
        if (len)
                *len = n;
        return s;
}

static void pgp_data_releasep(gpgme_data_t *d) {
        if (*d)
                gpgme_data_release(*d);
}
static void pgp_key_unrefp(gpgme_key_t *k) {
        if (*k)
                gpgme_key_unref(*k);
}
#define _cleanup_data_ _cleanup_(pgp_data_releasep)
#define _cleanup_key_ _cleanup_(pgp_key_unrefp)

static int pgp_user_id_check(const char *uid, struct error *err) {
        if (!uid || !*uid)
                return error_set(err, ERROR_INVALID, "OpenPGP user id: empty");
        if (strlen(uid) > 256)
                return error_set(err, ERROR_INVALID, "OpenPGP user id: longer than 256 bytes");
        for (const unsigned char *c = (const unsigned char *) uid; *c; c++)
                if (*c < 0x20 || *c == 0x7f)
                        return error_set(err, ERROR_INVALID,
                                         "OpenPGP user id: control character at byte %zu",
                                         (size_t) (c - (const unsigned char *) uid));
        return 0;
}

int pgp_key_generate(struct pgp *p, const char *user_id, enum pgp_key_use use,
                     uint64_t expires_seconds, char **fingerprint, struct error *err) {
        *fingerprint = NULL;
        if (pgp_user_id_check(user_id, err) < 0)
                return -1;
        if (expires_seconds > (uint64_t) 100 * 366 * 86400)
                return error_set(err, ERROR_INVALID, "OpenPGP key expiry: more than 100 years");
        unsigned int flags = GPGME_CREATE_SIGN | GPGME_CREATE_CERT | GPGME_CREATE_NOPASSWD |
                             GPGME_CREATE_FORCE;
        if (expires_seconds == 0)
                flags |= GPGME_CREATE_NOEXPIRE;
        gpgme_error_t e = gpgme_op_createkey(p->ctx, user_id, "ed25519", 0,
                                             (unsigned long) expires_seconds, NULL, flags);
        if (e)
                return pgp_fail(err, ERROR_CRYPTO, e, "generating an Ed25519 key", p);
        gpgme_genkey_result_t r = gpgme_op_genkey_result(p->ctx);
        if (!r || !r->fpr)
                return error_set(err, ERROR_CRYPTO, "OpenPGP keyring %s: gpg made no key", p->home);
        _cleanup_free_ char *fpr = pgp_fpr_upper(r->fpr);
        if (use == PGP_KEY_SIGN_ENCRYPT) {
                _cleanup_key_ gpgme_key_t key = NULL;
                if ((e = gpgme_get_key(p->ctx, fpr, &key, 1)))
                        return pgp_fail(err, ERROR_CRYPTO, e, "reading the new key", p);
                unsigned int sflags = GPGME_CREATE_ENCR | GPGME_CREATE_NOPASSWD;
                if (expires_seconds == 0)
                        sflags |= GPGME_CREATE_NOEXPIRE;
                e = gpgme_op_createsubkey(p->ctx, key, "cv25519", 0,
                                          (unsigned long) expires_seconds, sflags);
                if (e)
                        return pgp_fail(err, ERROR_CRYPTO, e, "adding the Curve25519 encryption subkey", p);
        }
        *fingerprint = steal_ptr(fpr);
        return 0;
}

int pgp_key_import(struct pgp *p, const void *data, size_t len, char **fingerprint,
                   struct error *err) {
        *fingerprint = NULL;
        if (len == 0)
                return error_set(err, ERROR_INVALID, "OpenPGP key import: empty input");
        if (len > PGP_ARMOUR_MAX)
                return error_set(err, ERROR_TOO_LARGE, "OpenPGP key import: more than %zu bytes",
                                 PGP_ARMOUR_MAX);
        _cleanup_data_ gpgme_data_t in = NULL;
        gpgme_error_t e = gpgme_data_new_from_mem(&in, data, len, 0);
        if (e)
                return pgp_fail(err, ERROR_CRYPTO, e, "reading the key to import", p);
        if ((e = gpgme_op_import(p->ctx, in)))
                return pgp_fail(err, ERROR_INVALID, e, "importing a key", p);
        gpgme_import_result_t r = gpgme_op_import_result(p->ctx);
        const char *first = NULL;
        if (r)
                for (gpgme_import_status_t s = r->imports; s; s = s->next) {
                        if (s->result || !s->fpr)
                                continue;
                        if (!first)
                                first = s->fpr;
                        else if (strcasecmp(first, s->fpr) != 0)
                                return error_set(err, ERROR_INVALID,
                                                 "OpenPGP key import: the input holds more than one "
                                                 "key (%s and %s); import one at a time", first, s->fpr);
                }
        if (!first)
                return error_set(err, ERROR_INVALID,
                                 "OpenPGP key import: the input holds no usable OpenPGP key");
        *fingerprint = pgp_fpr_upper(first);
        return 0;
}

static int pgp_get_key(struct pgp *p, const char *fpr, bool secret, gpgme_key_t *key,
                       struct error *err) {
        *key = NULL;
        if (pgp_check_fingerprint(fpr, err) < 0)
                return -1;
        gpgme_error_t e = gpgme_get_key(p->ctx, fpr, key, secret ? 1 : 0);
        if (gpg_err_code(e) == GPG_ERR_EOF || (!e && !*key))
                return error_set(err, ERROR_NOT_FOUND, "OpenPGP keyring %s: no %skey %s", p->home,
                                 secret ? "secret " : "", fpr);
        if (e)
                return pgp_fail(err, ERROR_CRYPTO, e, fpr, p);
        return 0;
}

int pgp_key_has(struct pgp *p, const char *fingerprint, bool *present, bool *secret,
                struct error *err) {
        *present = *secret = false;
        _cleanup_key_ gpgme_key_t key = NULL;
        struct error e2 = { 0 };
        if (pgp_get_key(p, fingerprint, false, &key, &e2) < 0) {
                if (e2.kind == ERROR_NOT_FOUND)
                        return 0;
                if (err)
                        *err = e2;
                return -1;
        }
        *present = true;
        _cleanup_key_ gpgme_key_t skey = NULL;
        error_clear(&e2);
        if (pgp_get_key(p, fingerprint, true, &skey, &e2) < 0) {
                if (e2.kind == ERROR_NOT_FOUND)
                        return 0;
                if (err)
                        *err = e2;
                return -1;
        }
        *secret = true;
        return 0;
}

int pgp_key_find_secret(struct pgp *p, const char *user_id_part, char **fingerprint,
                        struct error *err) {
        *fingerprint = NULL;
        gpgme_error_t e = gpgme_op_keylist_start(p->ctx, NULL, 1);
        if (e)
                return pgp_fail(err, ERROR_CRYPTO, e, "listing secret keys", p);
        for (;;) {
                gpgme_key_t key = NULL;
                e = gpgme_op_keylist_next(p->ctx, &key);
                if (e)
                        break;
                bool match = !key->revoked && !key->expired && !key->disabled && !key->invalid &&
                             key->can_sign && key->fpr;
                bool named = false;
                for (gpgme_user_id_t u = key->uids; match && u; u = u->next)
                        if (u->uid && !u->revoked && strstr(u->uid, user_id_part ? user_id_part : ""))
                                named = true;
                if (match && named && !*fingerprint)
                        *fingerprint = pgp_fpr_upper(key->fpr);
                gpgme_key_unref(key);
        }
        gpgme_op_keylist_end(p->ctx);
        if (gpg_err_code(e) != GPG_ERR_EOF) {
                free(steal_ptr(*fingerprint));
                return pgp_fail(err, ERROR_CRYPTO, e, "listing secret keys", p);
        }
        return 0;
}

int pgp_key_export_public(struct pgp *p, const char *fingerprint, char **armoured, size_t *len,
                          struct error *err) {
        *armoured = NULL;
        if (len)
                *len = 0;
        _cleanup_key_ gpgme_key_t key = NULL;
        if (pgp_get_key(p, fingerprint, false, &key, err) < 0)
                return -1;
        gpgme_data_t out = NULL;
        gpgme_error_t e = gpgme_data_new(&out);
        if (e)
                return pgp_fail(err, ERROR_CRYPTO, e, "exporting", p);
        if ((e = gpgme_op_export(p->ctx, fingerprint, GPGME_EXPORT_MODE_MINIMAL, out))) {
                gpgme_data_release(out);
                return pgp_fail(err, ERROR_CRYPTO, e, fingerprint, p);
        }
        size_t n = 0;
        char *s = pgp_data_take(out, &n);
        if (n == 0) {
                free(s);
                return error_set(err, ERROR_NOT_FOUND, "OpenPGP keyring %s: no key %s to export",
                                 p->home, fingerprint);
        }
        *armoured = s;
        if (len)
                *len = n;
        return 0;
}

int pgp_sign_detached(struct pgp *p, const char *fingerprint, const void *data, size_t len,
                      char **signature, size_t *sig_len, struct error *err) {
        *signature = NULL;
        if (sig_len)
                *sig_len = 0;
        _cleanup_key_ gpgme_key_t key = NULL;
        if (pgp_get_key(p, fingerprint, true, &key, err) < 0)
                return -1;
        if (key->revoked || key->expired || key->disabled || key->invalid || !key->can_sign)
                return error_set(err, ERROR_CRYPTO,
                                 "OpenPGP keyring %s: key %s cannot sign (revoked, expired, "
                                 "disabled or without a signing key)", p->home, fingerprint);
        gpgme_signers_clear(p->ctx);
        gpgme_error_t e = gpgme_signers_add(p->ctx, key);
        if (e)
                return pgp_fail(err, ERROR_CRYPTO, e, fingerprint, p);
        _cleanup_data_ gpgme_data_t in = NULL;
        if ((e = gpgme_data_new_from_mem(&in, len ? data : "", len, 0))) {
                gpgme_signers_clear(p->ctx);
                return pgp_fail(err, ERROR_CRYPTO, e, "reading the data to sign", p);
        }
        gpgme_data_t out = NULL;
        if ((e = gpgme_data_new(&out))) {
                gpgme_signers_clear(p->ctx);
                return pgp_fail(err, ERROR_CRYPTO, e, "signing", p);
        }
        e = gpgme_op_sign(p->ctx, in, out, GPGME_SIG_MODE_DETACH);
        gpgme_signers_clear(p->ctx);
        gpgme_sign_result_t r = e ? NULL : gpgme_op_sign_result(p->ctx);
        if (e || !r || r->invalid_signers || !r->signatures) {
                gpgme_data_release(out);
                if (!e)
                        e = gpg_error(GPG_ERR_UNUSABLE_SECKEY);
                char what[96];
                snprintf(what, sizeof what, "signing with %s", fingerprint);
                return pgp_fail(err, ERROR_CRYPTO, e, what, p);
        }
        size_t n = 0;
        *signature = pgp_data_take(out, &n);
        if (sig_len)
                *sig_len = n;
        return 0;
}

static bool pgp_key_has_fpr(gpgme_key_t key, const char *fpr) {
        if (!fpr)
                return false;
        for (gpgme_subkey_t s = key->subkeys; s; s = s->next)
                if (s->fpr && strcasecmp(s->fpr, fpr) == 0)
                        return true;
        return false;
}

int pgp_verify_detached(struct pgp *p, const char *fingerprint, const void *data, size_t len,
                        const char *signature, size_t sig_len, struct error *err) {
        _cleanup_key_ gpgme_key_t key = NULL;
        if (pgp_get_key(p, fingerprint, false, &key, err) < 0)
                return -1;
        if (sig_len == 0 || sig_len > PGP_ARMOUR_MAX)
                return error_set(err, ERROR_INVALID, "OpenPGP signature: empty or larger than %zu bytes",
                                 PGP_ARMOUR_MAX);
        _cleanup_data_ gpgme_data_t sig = NULL, text = NULL;
        gpgme_error_t e = gpgme_data_new_from_mem(&sig, signature, sig_len, 0);
        if (!e)
                e = gpgme_data_new_from_mem(&text, len ? data : "", len, 0);
        if (e)
                return pgp_fail(err, ERROR_CRYPTO, e, "reading the signature", p);
        if ((e = gpgme_op_verify(p->ctx, sig, text, NULL)))
                return pgp_fail(err, ERROR_INVALID, e, "verifying the signature", p);
        gpgme_verify_result_t r = gpgme_op_verify_result(p->ctx);
        bool by_key = false;
        size_t n = 0;
        for (gpgme_signature_t s = r ? r->signatures : NULL; s; s = s->next, n++) {
                if (gpg_err_code(s->status) != GPG_ERR_NO_ERROR)
                        return error_set(err, ERROR_INVALID,
                                         "OpenPGP signature by %s does not verify: %s",
                                         s->fpr ? s->fpr : "an unknown key", gpgme_strerror(s->status));
                if (pgp_key_has_fpr(key, s->fpr))
                        by_key = true;
        }
        if (n == 0)
                return error_set(err, ERROR_INVALID, "OpenPGP signature: holds no signature");
        if (!by_key)
                return error_set(err, ERROR_INVALID, "OpenPGP signature: not made by key %s",
                                 fingerprint);
        return 0;
}

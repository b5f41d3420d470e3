/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/*
 * OpenPGP through GnuPG (gpgme), for the two places the CRA work needs it:
 * the CSAF provider's detached .asc signatures (issue 10 section 5) and the
 * CVD contact key that reporters encrypt to (section 4).
 *
 * Where the keys live and what that protects against:
 * - A keyring is a GnuPG home directory, by convention `<data_dir>/gnupg`
 *   (pgp_home_path). pgp_open creates it with mode 0700 on first use and
 *   refuses one that group or others can open (GnuPG itself only warns).
 * - Secret keys are in `<home>/private-keys-v1.d/`, written by gpg-agent
 *   (which pgp_open's first operation starts for that home), WITHOUT a
 *   passphrase: cradled signs unattended, and a passphrase it could read
 *   would sit beside the key anyway. Whoever can read the data directory
 *   (root, the cradled user, a backup of it) can therefore sign advisories
 *   and read encrypted reports, exactly as they can already read the
 *   database. What the key protects is the path between the provider and
 *   the reader (a CDN, a mirror, an aggregator): a file changed there no
 *   longer verifies. A maker who wants the key off the server signs
 *   elsewhere and imports only the public key (then publication fails with
 *   a message naming the missing secret key rather than publishing unsigned).
 * - No passphrase ever goes through argv or the logs: keys are generated
 *   with GPGME_CREATE_NOPASSWD, and a protected key imported by hand is
 *   refused at signing time (loopback pinentry with no passphrase: a clear
 *   error, never a pinentry waiting for a person the server does not have).
 *
 * A `struct pgp` is one gpgme context: use it from one thread at a time
 * (open one per request or per thread; they may share a home).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

struct pgp;

/* The conventional keyring directory under a data dir (heap string). */
char *pgp_home_path(const char *data_dir);

/* Opens the keyring in `home`, creating the directory (0700) when missing.
 * ERROR_INVALID when the directory is open to group or others, ERROR_CRYPTO
 * when gpgme or the gpg engine is missing. */
int pgp_open(const char *home, struct pgp **out, struct error *err);
void pgp_close(struct pgp *p);

/* The uses a generated key gets: sign (CSAF signatures) or sign and, on a
 * Curve25519 subkey, encrypt (the CVD contact key reporters encrypt to). */
enum pgp_key_use { PGP_KEY_SIGN = 0, PGP_KEY_SIGN_ENCRYPT };

/* Generates an Ed25519 primary key with this user id ("Name <mail>"),
 * unprotected (see above), expiring after `expires_seconds` (0: never), and
 * returns its fingerprint (40 upper-case hex digits, heap). */
int pgp_key_generate(struct pgp *p, const char *user_id, enum pgp_key_use use,
                     uint64_t expires_seconds, char **fingerprint, struct error *err);

/* Imports one armoured or binary key (public, or secret with its public
 * part) and returns the fingerprint of the (first) key it held. ERROR_INVALID
 * when the data holds no key, or more than one primary key (import them one
 * at a time, so the fingerprint returned is unambiguous). */
int pgp_key_import(struct pgp *p, const void *data, size_t len, char **fingerprint,
                   struct error *err);

/* Whether the keyring has this key, and whether with its secret part. A
 * fingerprint that is not 40 hex digits is ERROR_INVALID. */
int pgp_key_has(struct pgp *p, const char *fingerprint, bool *present, bool *secret,
                struct error *err);

/* The fingerprint of the first usable (not revoked, not expired) secret key
 * whose user id contains `user_id_part` (case-sensitive), or *fingerprint =
 * NULL when none. */
int pgp_key_find_secret(struct pgp *p, const char *user_id_part, char **fingerprint,
                        struct error *err);

/* The ASCII-armoured public key (heap, NUL-terminated). ERROR_NOT_FOUND
 * when the keyring does not have it. */
int pgp_key_export_public(struct pgp *p, const char *fingerprint, char **armoured,
                          size_t *len, struct error *err);

/* A detached, ASCII-armoured signature ("-----BEGIN PGP SIGNATURE-----") of
 * the bytes, made with the secret key of this fingerprint (SHA-512 digest).
 * ERROR_NOT_FOUND when the keyring has no such secret key, ERROR_CRYPTO when
 * gpg cannot sign with it (protected, expired, revoked), naming it. */
int pgp_sign_detached(struct pgp *p, const char *fingerprint, const void *data, size_t len,
                      char **signature, size_t *sig_len, struct error *err);

/* Checks a detached signature of `data` against this keyring: 0 when it is a
 * good signature by the key `fingerprint` (primary or subkey), ERROR_INVALID
 * when it is bad, by another key, or not a signature. */
int pgp_verify_detached(struct pgp *p, const char *fingerprint, const void *data, size_t len,
                        const char *signature, size_t sig_len, struct error *err);

/*
 * ASCII armour (RFC 4880 section 6.2), checked without gpg, for text that
 * comes from outside (a reporter's encrypted message, an uploaded key):
 * the BEGIN line of the expected kind, armour headers "Key: Value", an empty
 * line, base64 lines of at most 76 characters, the optional CRC-24 line ("=" and four base64 characters)
 * checksum (which must match), the END line of the same kind, nothing but
 * blank lines around it. The decoded data must start with a well-formed
 * OpenPGP packet header whose tag fits the kind (a message starts with an
 * encrypted-session-key, signature, one-pass, compressed or literal packet;
 * a key block with a public key; a signature block with a signature).
 * At most PGP_ARMOUR_MAX bytes and PGP_ARMOUR_MAX_HEADERS headers.
 */
#define PGP_ARMOUR_MAX ((size_t) 1 << 20)
#define PGP_ARMOUR_MAX_HEADERS 16

enum pgp_armour_kind { PGP_ARMOUR_MESSAGE = 0, PGP_ARMOUR_PUBLIC_KEY, PGP_ARMOUR_SIGNATURE };

struct pgp_armour_info {
        uint8_t first_tag;      /* the first packet's tag (1 = public-key encrypted session key) */
        bool encrypted;         /* a message whose first packet is a session key (tags 1, 3) */
        size_t body_len;        /* decoded bytes */
};

int pgp_armour_check(const char *text, size_t len, enum pgp_armour_kind kind,
                     struct pgp_armour_info *info, struct error *err);

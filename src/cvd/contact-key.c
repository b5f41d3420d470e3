/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The contact's OpenPGP key (issue 10 section 4): reporters encrypt to it,
 * security.txt names it (Encryption), cradled serves it. Only the PUBLIC key
 * is ever imported: the private half stays with the security team, off the
 * server, so whoever takes the server (or a backup of its data directory)
 * still cannot read an encrypted report. A private key block is refused
 * before gpg ever sees it.
 */
#include "cvd.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/cleanup.h"
#include "core/fileio.h"
#include "core/strutil.h"
#include "pgp/pgp.h"

static void pgp_closep(struct pgp **p) {
        if (*p)
                pgp_close(*p);
}

int cvd_contact_key_import(const char *data_dir, const char *armoured, size_t len, char **fingerprint,
                           struct error *err) {
        *fingerprint = NULL;
        if (strstr(armoured, "PRIVATE KEY BLOCK"))
                return error_set(err, ERROR_INVALID, "contact key: this is a private key; import only the public "
                                 "key (gpg --armor --export FINGERPRINT): the server must not hold the key that "
                                 "decrypts reports");
        struct pgp_armour_info info = {0};
        if (pgp_armour_check(armoured, len, PGP_ARMOUR_PUBLIC_KEY, &info, err) < 0)
                return error_prefix(err, "contact key: ");
        _cleanup_free_ char *dir = path_join(data_dir, "cvd");
        _cleanup_free_ char *home = path_join(data_dir, CVD_GNUPG_DIR);
        _cleanup_free_ char *out = path_join(data_dir, CVD_KEY_FILE);
        if (dir_create(dir, 0755, err) < 0)
                return -1;
        _cleanup_(pgp_closep) struct pgp *p = NULL;
        _cleanup_free_ char *fpr = NULL, *public = NULL;
        size_t plen = 0;
        bool present = false, secret = false;
        if (pgp_open(home, &p, err) < 0 || pgp_key_import(p, armoured, len, &fpr, err) < 0 ||
            pgp_key_has(p, fpr, &present, &secret, err) < 0)
                return error_prefix(err, "contact key: ");
        if (secret)
                return error_set(err, ERROR_INVALID, "contact key: the keyring holds the secret part of %s; "
                                 "remove %s and import only the public key", fpr, home);
        if (pgp_key_export_public(p, fpr, &public, &plen, err) < 0 ||
            file_write_atomic(out, public, plen, 0644, err) < 0)
                return error_prefix(err, "contact key: ");
        *fingerprint = steal_ptr(fpr);
        return 0;
}

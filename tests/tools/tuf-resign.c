/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Test tool for the attack suites: replaces the signatures of a TUF metadata
 * file with fresh ones by the given keys, after the test has edited "signed"
 * (with jq). It plays an attacker who holds those keys — an online key, or
 * fewer targets keys than the threshold.
 *
 *   tuf-resign IN OUT [KEY...]     (no KEY: write the document unsigned)
 *
 * The server's online key files are sealed under its KEK (docs/keys.md
 * "Secrets at rest"): an attacker who holds them holds the KEK too. With
 * TUF_RESIGN_KEK (the KEK file) and TUF_RESIGN_DATA_DIR (the data directory
 * the key refs are relative to) set, sealed key files are opened with it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/cleanup.h"
#include "core/fileio.h"
#include "core/json.h"
#include "core/strutil.h"
#include "crypto/key.h"
#include "secret/kek.h"
#include "secret/keyfile.h"
#include "tuf/metadata.h"
#include "tuf/sign.h"

int main(int argc, char **argv) {
        struct error err = {0};
        if (argc < 3) {
                fprintf(stderr, "usage: tuf-resign IN OUT [KEY...]\n");
                return 2;
        }
        _cleanup_free_ char *buf = NULL;
        size_t len;
        if (file_read_all(argv[1], 64u << 20, &buf, &len, &err) < 0) {
                fprintf(stderr, "tuf-resign: %s\n", err.msg);
                return 1;
        }
        _cleanup_json_ json_t *doc = cr_json_parse(argv[1], buf, len, 64u << 20, 64, &err);
        if (!doc) {
                fprintf(stderr, "tuf-resign: %s\n", err.msg);
                return 1;
        }
        _cleanup_kek_ struct kek *kek = NULL;
        const char *kek_path = getenv("TUF_RESIGN_KEK"), *data_dir = getenv("TUF_RESIGN_DATA_DIR");
        if (kek_path && *kek_path) {
                if (kek_load(kek_path, &kek, &err) < 0) {
                        fprintf(stderr, "tuf-resign: %s\n", err.msg);
                        return 1;
                }
                kek_set_default(kek);
        }
        json_object_set_new(doc, "signatures", json_array());
        for (int i = 3; i < argc; i++) {
                struct crypto_key *key = NULL;
                /* A sealed key file is bound to its ref relative to the data directory. */
                const char *ref = argv[i];
                size_t dl = data_dir ? strlen(data_dir) : 0;
                if (dl && strncmp(ref, data_dir, dl) == 0 && ref[dl] == '/')
                        ref += dl + 1;
                if (secret_key_load(argv[i], ref, &key, &err) < 0 || tuf_sign(doc, key, &err) < 0) {
                        fprintf(stderr, "tuf-resign: %s: %s\n", argv[i], err.msg);
                        crypto_key_free(key);
                        return 1;
                }
                crypto_key_free(key);
        }
        _cleanup_free_ char *out = tuf_metadata_serialize(doc, &len, &err);
        if (!out || file_write_atomic(argv[2], out, len, 0644, &err) < 0) {
                fprintf(stderr, "tuf-resign: %s\n", err.msg);
                return 1;
        }
        return 0;
}

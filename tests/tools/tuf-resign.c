/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Test tool for the attack suites: replaces the signatures of a TUF metadata
 * file with fresh ones by the given keys, after the test has edited "signed"
 * (with jq). It plays an attacker who holds those keys — an online key, or
 * fewer targets keys than the threshold.
 *
 *   tuf-resign IN OUT [KEY...]     (no KEY: write the document unsigned)
 */
#include <stdio.h>
#include <stdlib.h>
#include "core/cleanup.h"
#include "core/fileio.h"
#include "core/json.h"
#include "crypto/key.h"
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
        json_object_set_new(doc, "signatures", json_array());
        for (int i = 3; i < argc; i++) {
                struct crypto_key *key = NULL;
                if (crypto_key_load(argv[i], &key, &err) < 0 || tuf_sign(doc, key, &err) < 0) {
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

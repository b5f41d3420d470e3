/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The key registry's outside inputs (issue 11): the {key} of /api/v1/keys/
 * paths as keys_lookup resolves it (an id, a fingerprint prefix, a TUF
 * keyid; it ends up in a LIKE pattern, so a wildcard must never pass), and
 * a --due-within duration (keys_duration_parse), against a real store with
 * two registered keys that share a fingerprint prefix. The first byte picks
 * the parser; the rest, up to 512 bytes, is the text. A refusal is always a
 * user error with a message, and a found key is one of the two.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "keys/keys.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define RECREATE_EVERY 100000
#define FUZZ_SEED_NAME "fuzz-keys"
#include "fuzz-store-fixture.h"

#define TEXT_MAX 512

static void seed_keys(struct harness *h) {
        static const char *const fps[] = {
                "72a906234647c775b8b591f8bd1f11b9aacb11d879b5f73d5be7fe67345882d9",
                "72a906230000000000000000000000000000000000000000000000000000abcd",
        };
        for (size_t i = 0; i < 2; i++) {
                struct error err = {0};
                const struct keys_new k = {.class = "kek", .purpose = "fuzz", .fingerprint = fps[i],
                                           .algorithm = "AES-256", .storage = "sealed"};
                if (keys_register(h->store, &k, "fuzz", NULL, &err) < 0)
                        die("seed key", &err);
        }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        struct harness *h = &the_harness;
        (void) expect; /* the fixture's check of JSON answers; these parsers answer no JSON */
        if (!h->store || ++h->runs % RECREATE_EVERY == 0) {
                harness_close(h);
                harness_open(h);
                seed_keys(h);
        }
        if (size < 1 || size > TEXT_MAX + 1)
                return 0;
        char text[TEXT_MAX + 1];
        memcpy(text, data + 1, size - 1);
        text[size - 1] = '\0';
        struct error err = {0};
        if (data[0] & 1) {
                int64_t v = -1;
                if (keys_duration_parse("due_within", text, &v, &err) < 0) {
                        if (err.kind != ERROR_INVALID || !err.msg[0])
                                abort();
                } else if (v < 0 || v > 36500LL * 86400) {
                        abort();
                }
                return 0;
        }
        struct store_key k;
        if (keys_lookup(h->store, text, &k, &err) < 0) {
                if (!is_user_error(err.kind) || !err.msg[0])
                        abort();
                return 0;
        }
        if (k.id != 1 && k.id != 2)
                abort();
        store_key_clear(&k);
        return 0;
}

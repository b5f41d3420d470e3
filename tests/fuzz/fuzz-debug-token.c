/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The debug token parser and the device's verifier (src/debug) against any
 * bytes: never a crash, never a read outside the input; a token that parses
 * re-encodes to exactly its input (one encoding per content: what is signed
 * is what is parsed); the verifier, with a signature check that accepts
 * everything, reaches every later check and never accepts a token the parser
 * refused.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/hash.h"
#include "debug/token.h"
#include "debug/verify.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool accept_all(const void *ctx, const uint8_t *msg, size_t n, const uint8_t *sig, size_t sn) {
        (void) ctx; (void) msg; (void) n; (void) sig; (void) sn;
        return true;
}

static void sha256(const void *d, size_t n, uint8_t out[DEBUG_HASH_LEN]) {
        hash_sha256(d, n, out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        struct debug_token t;
        enum debug_status st = debug_token_parse(data, size, &t);
        if (st == DEBUG_OK) {
                uint8_t buf[DEBUG_TOKEN_MAX];
                size_t len = 0;
                if (t.signed_len >= size || debug_token_encode_tbs(&t, buf, sizeof(buf), &len) != DEBUG_OK ||
                    len != t.signed_len ||
                    debug_token_append_signature(buf, sizeof(buf), &len, t.signature.p, t.signature.n) != DEBUG_OK ||
                    len != size || memcmp(buf, data, size) != 0)
                        abort();
        }
        /* The verifier: an anchor whose key id is the token's own (when it
         * has one) and whose signature check accepts, a device that matches
         * the token's claims, a stored challenge of fixed content. */
        static const uint8_t challenge[] = "CRDC";
        struct debug_anchor a = { .verify = accept_all, .sha256 = sha256 };
        if (st == DEBUG_OK)
                memcpy(a.key_id, t.key_id.p, DEBUG_KEY_ID_LEN);
        struct debug_device dev = {
                .challenge = challenge, .challenge_len = sizeof(challenge) - 1, .serial = "SN1",
                .uid = (const uint8_t *) "uid", .uid_len = 3, .security_version = 1, .now = 1800000000,
        };
        enum debug_status vst = debug_token_verify(data, size, &dev, &a, NULL);
        if (st != DEBUG_OK && vst != st)
                abort();
        if (vst == DEBUG_OK) /* the stored challenge above is not a valid one */
                abort();
        (void) debug_status_string(vst);
        return 0;
}

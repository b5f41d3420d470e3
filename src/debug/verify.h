/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/*
 * The device's debug-token verifier (issue 11, section 4): what a bootloader
 * runs before it opens JTAG, a console or a root shell.
 *
 * It allocates nothing (the token and the outstanding challenge are the
 * caller's buffers) and links nothing but libc: the two cryptographic
 * primitives, SHA-256 and signature verification against the fixed trust
 * anchor, are the anchor's callbacks, so a bootloader plugs in its ROM's or
 * secure element's; anchor-gnutls.h gives the GnuTLS ones cradle-agent uses.
 *
 * Single use is the caller's half: the device keeps the outstanding challenge
 * (nonce included) in its own storage and erases it after one call of
 * debug_token_verify, whatever the result, before acting on the result. With
 * no outstanding challenge every token is refused (DEBUG_ERR_NO_CHALLENGE),
 * so a token, once presented, can never be presented again.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "debug/token.h"

struct debug_anchor {
        uint8_t key_id[DEBUG_KEY_ID_LEN]; /* SHA-256 of the public key's SubjectPublicKeyInfo DER */
        /* true when sig is a valid signature of msg by the anchor's key. */
        bool (*verify)(const void *ctx, const uint8_t *msg, size_t msg_len, const uint8_t *sig, size_t sig_len);
        void (*sha256)(const void *data, size_t len, uint8_t out[DEBUG_HASH_LEN]);
        const void *ctx;
};

/* What the device knows of itself, from its own storage, never from the token. */
struct debug_device {
        const uint8_t *challenge; /* the outstanding challenge as it was issued; NULL: none */
        size_t challenge_len;
        const char *serial;
        const uint8_t *uid; /* device-unique id */
        size_t uid_len;
        uint64_t security_version; /* of the firmware running now */
        int64_t now;               /* Unix seconds from the device's trusted clock */
        int64_t max_validity;      /* longest not-after minus not-before accepted; 0: DEBUG_VALIDITY_DEFAULT */
};

/* Checks, in this order: the format; the key id against the anchor; the
 * signature; an outstanding challenge; the challenge hash; serial and unique
 * id against both the device and the challenge; scope within the challenge's;
 * the window's length; not-before; not-after; the security version floor.
 * DEBUG_OK only when all hold; *out (may be NULL) gets the parsed token. */
enum debug_status debug_token_verify(const uint8_t *token, size_t len, const struct debug_device *dev,
                                     const struct debug_anchor *anchor, struct debug_token *out);

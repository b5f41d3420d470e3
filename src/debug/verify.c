/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The device's debug-token verifier (verify.h). libc only; no allocation.
 */
#include <string.h>

#include "debug/verify.h"

/* Constant time in the length: the hash comparison must not tell an attacker
 * how many leading bytes of a forged challenge hash were right. */
static bool same(const uint8_t *a, const uint8_t *b, size_t n) {
        uint8_t d = 0;
        for (size_t i = 0; i < n; i++)
                d |= (uint8_t) (a[i] ^ b[i]);
        return d == 0;
}

static bool bytes_equal(struct debug_bytes b, const uint8_t *p, size_t n) {
        return b.n == n && same(b.p, p, n);
}

enum debug_status debug_token_verify(const uint8_t *token, size_t len, const struct debug_device *dev,
                                     const struct debug_anchor *anchor, struct debug_token *out) {
        struct debug_token t;
        struct debug_challenge c;
        uint8_t hash[DEBUG_HASH_LEN];
        enum debug_status st = debug_token_parse(token, len, &t);
        if (st != DEBUG_OK)
                return st;
        if (out)
                *out = t;
        if (!bytes_equal(t.key_id, anchor->key_id, DEBUG_KEY_ID_LEN))
                return DEBUG_ERR_KEY;
        if (!anchor->verify(anchor->ctx, token, t.signed_len, t.signature.p, t.signature.n))
                return DEBUG_ERR_SIGNATURE;
        /* From here on the content is the server's. */
        if (!dev->challenge || dev->challenge_len == 0)
                return DEBUG_ERR_NO_CHALLENGE;
        if (debug_challenge_parse(dev->challenge, dev->challenge_len, &c) != DEBUG_OK)
                return DEBUG_ERR_NO_CHALLENGE; /* the device's own record is unreadable: nothing to match */
        anchor->sha256(dev->challenge, dev->challenge_len, hash);
        if (!bytes_equal(t.challenge_hash, hash, sizeof(hash)))
                return DEBUG_ERR_CHALLENGE;
        size_t serial_len = strlen(dev->serial);
        if (!bytes_equal(t.serial, (const uint8_t *) dev->serial, serial_len) ||
            !bytes_equal(t.uid, dev->uid, dev->uid_len) ||
            !bytes_equal(c.serial, (const uint8_t *) dev->serial, serial_len) ||
            !bytes_equal(c.uid, dev->uid, dev->uid_len))
                return DEBUG_ERR_DEVICE;
        if ((t.scope & ~c.scope) != 0)
                return DEBUG_ERR_SCOPE;
        int64_t max = dev->max_validity > 0 ? dev->max_validity : DEBUG_VALIDITY_DEFAULT;
        if (t.not_after < t.not_before || (uint64_t) t.not_after - (uint64_t) t.not_before > (uint64_t) max)
                return DEBUG_ERR_WINDOW;
        if (dev->now < t.not_before)
                return DEBUG_ERR_NOT_YET_VALID;
        if (dev->now > t.not_after)
                return DEBUG_ERR_EXPIRED;
        if (dev->security_version < t.security_floor)
                return DEBUG_ERR_SECURITY_VERSION;
        return DEBUG_OK;
}

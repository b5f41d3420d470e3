/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Hex and base64 (RFC 4648). Decoders are strict: a digest, key or token
 * that decodes "leniently" from two different strings is a source of
 * confusion in comparisons and signatures, so invalid characters, bad
 * lengths, misplaced padding and non-zero unused bits are all refused.
 */
#include <stdlib.h>
#include <string.h>

#include "core/cleanup.h"
#include "core/strutil.h"
#include "crypto/encoding.h"

static const char hex_digits[] = "0123456789abcdef";
static const char b64_std[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
static const char b64_url[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

void hex_encode(const uint8_t *in, size_t len, char *out) {
        for (size_t i = 0; i < len; i++) {
                out[2 * i] = hex_digits[in[i] >> 4];
                out[2 * i + 1] = hex_digits[in[i] & 0x0f];
        }
        out[2 * len] = '\0';
}

int hex_digit_value(char c) {
        if (c >= '0' && c <= '9')
                return c - '0';
        if (c >= 'a' && c <= 'f')
                return c - 'a' + 10;
        if (c >= 'A' && c <= 'F')
                return c - 'A' + 10;
        return -1;
}

int hex_decode(const char *in, uint8_t *out, size_t out_len, struct error *err) {
        size_t n;

        if (!in)
                return error_set(err, ERROR_INVALID, "missing hex string");
        /* strnlen: never scan further than a valid input could be. */
        n = strnlen(in, 2 * out_len + 1);
        if (n != 2 * out_len)
                return error_set(err, ERROR_INVALID, "hex string has %s%zu characters, expected %zu",
                                 n > 2 * out_len ? "more than " : "", n > 2 * out_len ? 2 * out_len : n,
                                 2 * out_len);
        for (size_t i = 0; i < out_len; i++) {
                int hi = hex_digit_value(in[2 * i]), lo = hex_digit_value(in[2 * i + 1]);
                if (hi < 0 || lo < 0)
                        return error_set(err, ERROR_INVALID,
                                         "invalid hex character at position %zu", hi < 0 ? 2 * i : 2 * i + 1);
                out[i] = (uint8_t) (hi << 4 | lo);
        }
        return 0;
}

static char *b64_encode(const uint8_t *in, size_t len, const char *alphabet, bool pad) {
        size_t out_len = (len + 2) / 3 * 4, o = 0;
        char *out = xmalloc(out_len + 1);

        for (size_t i = 0; i < len; i += 3) {
                uint32_t v = (uint32_t) in[i] << 16;
                size_t rest = len - i;

                if (rest > 1)
                        v |= (uint32_t) in[i + 1] << 8;
                if (rest > 2)
                        v |= in[i + 2];
                out[o++] = alphabet[(v >> 18) & 0x3f];
                out[o++] = alphabet[(v >> 12) & 0x3f];
                if (rest > 1)
                        out[o++] = alphabet[(v >> 6) & 0x3f];
                else if (pad)
                        out[o++] = '=';
                if (rest > 2)
                        out[o++] = alphabet[v & 0x3f];
                else if (pad)
                        out[o++] = '=';
        }
        out[o] = '\0';
        return out;
}

char *base64url_encode(const uint8_t *in, size_t len) {
        return b64_encode(in, len, b64_url, false);
}

char *base64_encode(const uint8_t *in, size_t len) {
        return b64_encode(in, len, b64_std, true);
}

static int b64_value(char c, const char *alphabet) {
        const char *p;

        if (c == '\0')
                return -1;
        p = strchr(alphabet, c);
        return p ? (int) (p - alphabet) : -1;
}

/*
 * Decodes `n` significant characters (padding and skipped whitespace
 * already removed); `pos` maps each back to its offset in the input so
 * errors point at the right place.
 */
static int b64_decode_chars(const char *what, const char *chars, const size_t *pos, size_t n,
                            const char *alphabet, uint8_t **out, size_t *out_len,
                            struct error *err) {
        uint8_t *o;
        size_t olen = 0;
        uint32_t acc = 0;
        int bits = 0;

        if (n % 4 == 1)
                return error_set(err, ERROR_INVALID, "%s: invalid length (%zu characters)", what, n);
        o = xmalloc(n / 4 * 3 + 3);
        for (size_t i = 0; i < n; i++) {
                int v = b64_value(chars[i], alphabet);
                if (v < 0) {
                        free(o);
                        return error_set(err, ERROR_INVALID,
                                         "%s: invalid character at position %zu", what, pos[i]);
                }
                acc = (acc << 6) | (uint32_t) v;
                bits += 6;
                if (bits >= 8) {
                        bits -= 8;
                        o[olen++] = (uint8_t) (acc >> bits);
                        acc &= (1u << bits) - 1;
                }
        }
        if (acc != 0) {
                free(o);
                return error_set(err, ERROR_INVALID,
                                 "%s: non-zero unused bits in the last character (not canonical)",
                                 what);
        }
        o[olen] = 0; /* convenience for text payloads; not counted in out_len */
        *out = o;
        *out_len = olen;
        return 0;
}

int base64_decode(const char *in, size_t in_len, uint8_t **out, size_t *out_len,
                  struct error *err) {
        static const char what[] = "base64";
        _cleanup_free_ char *chars = NULL;
        _cleanup_free_ size_t *pos = NULL;
        size_t n = 0, padding = 0;

        if (!in && in_len > 0)
                return error_set(err, ERROR_INVALID, "%s: missing input", what);
        chars = xmalloc(in_len + 1);
        pos = xmalloc((in_len + 1) * sizeof(size_t));
        for (size_t i = 0; i < in_len; i++) {
                char c = in[i];

                /* PEM and EST (RFC 7030) bodies wrap base64 in lines. */
                if (c == '\r' || c == '\n' || c == ' ')
                        continue;
                if (c == '=') {
                        padding++;
                        continue;
                }
                if (padding > 0)
                        return error_set(err, ERROR_INVALID, "%s: data after padding at position %zu",
                                         what, i);
                /* A stray character is a clearer message than the bad length it causes. */
                if (b64_value(c, b64_std) < 0)
                        return error_set(err, ERROR_INVALID, "%s: invalid character at position %zu",
                                         what, i);
                chars[n] = c;
                pos[n] = i;
                n++;
        }
        if (padding > 2 || (n + padding) % 4 != 0)
                return error_set(err, ERROR_INVALID,
                                 "%s: invalid length (%zu characters with padding, not a multiple of 4)",
                                 what, n + padding);
        return b64_decode_chars(what, chars, pos, n, b64_std, out, out_len, err);
}

int base64url_decode(const char *in, size_t in_len, uint8_t **out, size_t *out_len,
                     struct error *err) {
        static const char what[] = "base64url";
        _cleanup_free_ size_t *pos = NULL;

        if (!in && in_len > 0)
                return error_set(err, ERROR_INVALID, "%s: missing input", what);
        pos = xmalloc((in_len + 1) * sizeof(size_t));
        for (size_t i = 0; i < in_len; i++)
                pos[i] = i;
        /* No padding and no whitespace: tokens are compared as strings
         * before they are decoded, so only one spelling may be valid. */
        return b64_decode_chars(what, in ? in : "", pos, in_len, b64_url, out, out_len, err);
}

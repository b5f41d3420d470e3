/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
#include <stddef.h>
#include <stdint.h>
#include "core/error.h"
/* out must hold 2*len+1 */
void hex_encode(const uint8_t *in, size_t len, char *out);
/* The value of one hex digit (either case), or -1. */
int hex_digit_value(char c);
/* Decodes exactly out_len bytes from 2*out_len hex digits. */
int hex_decode(const char *in, uint8_t *out, size_t out_len, struct error *err);
/* RFC 4648 base64url without padding; returns heap string. */
char *base64url_encode(const uint8_t *in, size_t len);
/* RFC 4648 standard base64 with padding. Heap; decode ignores CR/LF (EST bodies). */
char *base64_encode(const uint8_t *in, size_t len);
int base64_decode(const char *in, size_t in_len, uint8_t **out, size_t *out_len, struct error *err);
/* Decoders refuse invalid characters, bad lengths, misplaced padding and
 * non-zero unused bits. base64_decode skips CR, LF and space. On success *out
 * is heap (free()), with a NUL after the *out_len bytes for convenience. */
/* RFC 4648 base64url without padding or whitespace (tokens). */
int base64url_decode(const char *in, size_t in_len, uint8_t **out, size_t *out_len,
                     struct error *err);

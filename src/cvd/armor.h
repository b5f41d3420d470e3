/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/*
 * Checks an ASCII-armoured OpenPGP message (RFC 9580 section 6.2) without
 * decrypting it: the intake stores encrypted reports as they are and the
 * security team decrypts them offline. Outside input, so every rule is
 * checked: the BEGIN/END lines of a "PGP MESSAGE", armour headers of the form
 * "Key: Value", a blank line, base64 lines of at most 76 characters, an
 * optional "=" + 4-character CRC-24 that must match, nothing after the END
 * line but blanks, and a first packet that is an encrypted session key
 * (public-key, tag 1, or symmetric, tag 3): a signed or plain message is not
 * an encrypted report.
 */
#include <stdbool.h>
#include <stddef.h>

#include "core/error.h"

#define CVD_ARMOR_MAX (1024 * 1024)

/* True when text (after leading blanks) starts with the BEGIN line of an
 * armoured message: the intake then treats it as one and checks it. */
bool cvd_armor_looks_like(const char *text);
int cvd_armor_check(const char *text, size_t len, struct error *err);

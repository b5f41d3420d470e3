/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/*
 * Debug-authorisation challenges and tokens (issue 11, section 4): the wire
 * format, shared by the server that signs tokens and the device that checks
 * them. docs/keys.md "## Debug tokens" is the specification.
 *
 * Both are a 4-byte magic followed by TLV fields: a 1-byte tag, a 2-byte
 * big-endian length, the value. Every field is required, appears once, in
 * ascending tag order, with a length inside its bounds, so there is exactly
 * one encoding of a given content (what is signed is what is parsed). The
 * version field comes first: a token of another version is refused as such
 * before its other fields are read. A token ends with the signature field;
 * the signature covers every byte before that field's tag.
 *
 * Device half of libcradle, and written for a bootloader: parsing and
 * encoding work on the caller's buffers (the parsed fields point into the
 * input), allocate nothing and use no library beyond libc.
 */
#include <stddef.h>
#include <stdint.h>

#define DEBUG_FORMAT_VERSION 1
#define DEBUG_MAGIC_LEN 4
#define DEBUG_CHALLENGE_MAGIC "CRDC" /* Cradle debug challenge */
#define DEBUG_TOKEN_MAGIC "CRDT"     /* Cradle debug token: a challenge can never pass for a token */

#define DEBUG_NONCE_MIN 16 /* 128 bits at least */
#define DEBUG_NONCE_MAX 64
#define DEBUG_NONCE_LEN 32 /* what cradle-agent makes */
#define DEBUG_SERIAL_MAX 64
#define DEBUG_UID_MAX 64
#define DEBUG_KEY_ID_LEN 32     /* SHA-256 of the debug-auth key's SubjectPublicKeyInfo DER */
#define DEBUG_TOKEN_ID_LEN 16
#define DEBUG_HASH_LEN 32       /* SHA-256 of the challenge, all of it */
#define DEBUG_APPROVERS_MAX 512 /* user names, comma-separated */
#define DEBUG_SIGNATURE_MAX 160 /* ECDSA P-256 DER (<= 72), Ed25519 (64), P-384 DER (<= 104) */
#define DEBUG_CHALLENGE_MAX 256 /* larger input is refused before parsing */
#define DEBUG_TOKEN_MAX 1024
#define DEBUG_VALIDITY_DEFAULT 86400 /* 24 h: not-after minus not-before */

/* Field tags. Challenge: VERSION, NONCE, SERIAL, UID, SCOPE, SECURITY_VERSION.
 * Token: VERSION, KEY_ID, TOKEN_ID, CHALLENGE_HASH, SERIAL, UID, SCOPE,
 * NOT_BEFORE, NOT_AFTER, SECURITY_VERSION (the floor), APPROVERS, SIGNATURE. */
enum debug_tag {
        DEBUG_TAG_VERSION = 0x01,
        DEBUG_TAG_KEY_ID = 0x02,
        DEBUG_TAG_TOKEN_ID = 0x03,
        DEBUG_TAG_NONCE = 0x04,
        DEBUG_TAG_CHALLENGE_HASH = 0x05,
        DEBUG_TAG_SERIAL = 0x06,
        DEBUG_TAG_UID = 0x07,
        DEBUG_TAG_SCOPE = 0x08,
        DEBUG_TAG_NOT_BEFORE = 0x09,
        DEBUG_TAG_NOT_AFTER = 0x0a,
        DEBUG_TAG_SECURITY_VERSION = 0x0b,
        DEBUG_TAG_APPROVERS = 0x0c,
        DEBUG_TAG_SIGNATURE = 0x7f,
};

/* Scope: a bit set (4 bytes, big-endian). Unknown bits are refused. */
enum debug_scope {
        DEBUG_SCOPE_JTAG = 1u << 0,           /* "jtag": JTAG/SWD */
        DEBUG_SCOPE_UART = 1u << 1,           /* "uart-console" */
        DEBUG_SCOPE_ROOT_SHELL = 1u << 2,     /* "root-shell" */
        DEBUG_SCOPE_FACTORY_UNLOCK = 1u << 3, /* "factory-unlock" */
};
#define DEBUG_SCOPE_ALL 0x0fu

/* Why a challenge or token is refused (debug_status_string says it in words). */
enum debug_status {
        DEBUG_OK = 0,
        DEBUG_ERR_SIZE,          /* empty, or larger than the format allows */
        DEBUG_ERR_MAGIC,         /* not a challenge / token */
        DEBUG_ERR_VERSION,       /* a format version this code does not know */
        DEBUG_ERR_TRUNCATED,     /* ends inside a field or before the last field */
        DEBUG_ERR_TAG,           /* a field missing, repeated, unknown or out of order */
        DEBUG_ERR_LENGTH,        /* a field's length outside its bounds */
        DEBUG_ERR_VALUE,         /* a field's value invalid (unknown scope bit, empty scope, control byte in a name) */
        DEBUG_ERR_TRAILING,      /* bytes after the last field */
        DEBUG_ERR_KEY,           /* signed by another key than the trust anchor */
        DEBUG_ERR_SIGNATURE,     /* the signature does not verify */
        DEBUG_ERR_NO_CHALLENGE,  /* the device has no outstanding challenge: replayed or never asked */
        DEBUG_ERR_CHALLENGE,     /* issued for another challenge */
        DEBUG_ERR_DEVICE,        /* issued for another device (serial or unique id) */
        DEBUG_ERR_SCOPE,         /* scope not within the one requested */
        DEBUG_ERR_NOT_YET_VALID, /* now < not-before */
        DEBUG_ERR_EXPIRED,       /* now > not-after */
        DEBUG_ERR_WINDOW,        /* not-after before not-before, or longer than the device accepts */
        DEBUG_ERR_SECURITY_VERSION, /* the device runs below the token's security version floor */
        _DEBUG_STATUS_MAX,
};
const char *debug_status_string(enum debug_status st);

struct debug_bytes {
        const uint8_t *p;
        size_t n;
};

struct debug_challenge {
        struct debug_bytes nonce;
        struct debug_bytes serial;
        struct debug_bytes uid;
        uint32_t scope;
        uint64_t security_version;
};

struct debug_token {
        struct debug_bytes key_id;
        struct debug_bytes token_id;
        struct debug_bytes challenge_hash;
        struct debug_bytes serial;
        struct debug_bytes uid;
        uint32_t scope;
        int64_t not_before, not_after; /* Unix seconds */
        uint64_t security_floor;
        struct debug_bytes approvers;
        struct debug_bytes signature;
        size_t signed_len; /* the signature covers bytes [0, signed_len) */
};

/* Parses; on success the fields point into buf. */
enum debug_status debug_challenge_parse(const uint8_t *buf, size_t len, struct debug_challenge *out);
enum debug_status debug_token_parse(const uint8_t *buf, size_t len, struct debug_token *out);

/* Encodes into buf (cap bytes); DEBUG_ERR_SIZE when it does not fit,
 * DEBUG_ERR_LENGTH / DEBUG_ERR_VALUE when a field is out of bounds. */
enum debug_status debug_challenge_encode(const struct debug_challenge *c, uint8_t *buf, size_t cap, size_t *len);
/* The signed part of a token (signature ignored): *len = signed_len. */
enum debug_status debug_token_encode_tbs(const struct debug_token *t, uint8_t *buf, size_t cap, size_t *len);
/* Appends the signature field to a signed part of *len bytes. */
enum debug_status debug_token_append_signature(uint8_t *buf, size_t cap, size_t *len, const uint8_t *sig,
                                               size_t sig_len);

/* "jtag,uart-console" <-> bits. Parse: 0 on success, -1 for an unknown or
 * empty name. Format: writes at most cap bytes, NUL-terminated. */
int debug_scope_parse(const char *text, uint32_t *out);
void debug_scope_format(uint32_t scope, char *out, size_t cap);

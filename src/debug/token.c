/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The debug challenge and token TLV codec (token.h). No allocation, no
 * library beyond libc: what a bootloader can carry.
 */
#include <string.h>

#include "debug/token.h"

static const char *const status_text[_DEBUG_STATUS_MAX] = {
        [DEBUG_OK] = "valid",
        [DEBUG_ERR_SIZE] = "empty or too large",
        [DEBUG_ERR_MAGIC] = "not a Cradle debug challenge or token (wrong magic)",
        [DEBUG_ERR_VERSION] = "unknown format version",
        [DEBUG_ERR_TRUNCATED] = "truncated",
        [DEBUG_ERR_TAG] = "a field is missing, repeated, unknown or out of order",
        [DEBUG_ERR_LENGTH] = "a field has a length outside its bounds",
        [DEBUG_ERR_VALUE] = "a field has an invalid value",
        [DEBUG_ERR_TRAILING] = "trailing bytes after the last field",
        [DEBUG_ERR_KEY] = "signed by another key than the device's trust anchor",
        [DEBUG_ERR_SIGNATURE] = "bad signature",
        [DEBUG_ERR_NO_CHALLENGE] = "no outstanding challenge on this device (replayed, or never asked)",
        [DEBUG_ERR_CHALLENGE] = "issued for another challenge",
        [DEBUG_ERR_DEVICE] = "issued for another device",
        [DEBUG_ERR_SCOPE] = "scope not within the one requested",
        [DEBUG_ERR_NOT_YET_VALID] = "not yet valid",
        [DEBUG_ERR_EXPIRED] = "expired",
        [DEBUG_ERR_WINDOW] = "validity window empty or longer than the device accepts",
        [DEBUG_ERR_SECURITY_VERSION] = "the device's security version is below the token's floor",
};

const char *debug_status_string(enum debug_status st) {
        if ((unsigned) st >= _DEBUG_STATUS_MAX)
                return "unknown status";
        return status_text[st];
}

struct field_spec {
        uint8_t tag;
        uint16_t min, max;
};

static const struct field_spec challenge_fields[] = {
        { DEBUG_TAG_VERSION, 1, 1 },
        { DEBUG_TAG_NONCE, DEBUG_NONCE_MIN, DEBUG_NONCE_MAX },
        { DEBUG_TAG_SERIAL, 1, DEBUG_SERIAL_MAX },
        { DEBUG_TAG_UID, 1, DEBUG_UID_MAX },
        { DEBUG_TAG_SCOPE, 4, 4 },
        { DEBUG_TAG_SECURITY_VERSION, 8, 8 },
};

static const struct field_spec token_fields[] = {
        { DEBUG_TAG_VERSION, 1, 1 },
        { DEBUG_TAG_KEY_ID, DEBUG_KEY_ID_LEN, DEBUG_KEY_ID_LEN },
        { DEBUG_TAG_TOKEN_ID, DEBUG_TOKEN_ID_LEN, DEBUG_TOKEN_ID_LEN },
        { DEBUG_TAG_CHALLENGE_HASH, DEBUG_HASH_LEN, DEBUG_HASH_LEN },
        { DEBUG_TAG_SERIAL, 1, DEBUG_SERIAL_MAX },
        { DEBUG_TAG_UID, 1, DEBUG_UID_MAX },
        { DEBUG_TAG_SCOPE, 4, 4 },
        { DEBUG_TAG_NOT_BEFORE, 8, 8 },
        { DEBUG_TAG_NOT_AFTER, 8, 8 },
        { DEBUG_TAG_SECURITY_VERSION, 8, 8 },
        { DEBUG_TAG_APPROVERS, 1, DEBUG_APPROVERS_MAX },
        { DEBUG_TAG_SIGNATURE, 1, DEBUG_SIGNATURE_MAX },
};
#define N_CHALLENGE_FIELDS (sizeof(challenge_fields) / sizeof(challenge_fields[0]))
#define N_TOKEN_FIELDS (sizeof(token_fields) / sizeof(token_fields[0]))

static uint64_t be_u64(const uint8_t *p) {
        uint64_t v = 0;
        for (int i = 0; i < 8; i++)
                v = (v << 8) | p[i];
        return v;
}

static uint32_t be_u32(const uint8_t *p) {
        return ((uint32_t) p[0] << 24) | ((uint32_t) p[1] << 16) | ((uint32_t) p[2] << 8) | p[3];
}

/* A serial or device id: printable ASCII only, so it prints safely and
 * compares byte for byte with what the device and server store. */
static int printable(struct debug_bytes b) {
        for (size_t i = 0; i < b.n; i++)
                if (b.p[i] < 0x21 || b.p[i] > 0x7e)
                        return 0;
        return 1;
}

/* Walks the fields of spec over buf after the magic; values[i] gets field i.
 * The version field is checked as soon as it is read. */
static enum debug_status parse_fields(const uint8_t *buf, size_t len, const char *magic, size_t max,
                                      const struct field_spec *spec, size_t n, struct debug_bytes *values,
                                      size_t *last_start) {
        if (len == 0 || len > max)
                return DEBUG_ERR_SIZE;
        if (len < DEBUG_MAGIC_LEN)
                return DEBUG_ERR_TRUNCATED;
        if (memcmp(buf, magic, DEBUG_MAGIC_LEN) != 0)
                return DEBUG_ERR_MAGIC;
        size_t off = DEBUG_MAGIC_LEN;
        for (size_t i = 0; i < n; i++) {
                if (len - off < 3)
                        return DEBUG_ERR_TRUNCATED;
                uint8_t tag = buf[off];
                size_t flen = ((size_t) buf[off + 1] << 8) | buf[off + 2];
                if (tag != spec[i].tag)
                        return DEBUG_ERR_TAG;
                if (flen < spec[i].min || flen > spec[i].max)
                        return DEBUG_ERR_LENGTH;
                if (len - off - 3 < flen)
                        return DEBUG_ERR_TRUNCATED;
                if (last_start)
                        *last_start = off;
                values[i] = (struct debug_bytes) { buf + off + 3, flen };
                off += 3 + flen;
                if (tag == DEBUG_TAG_VERSION && values[i].p[0] != DEBUG_FORMAT_VERSION)
                        return DEBUG_ERR_VERSION;
        }
        if (off != len)
                return DEBUG_ERR_TRAILING;
        return DEBUG_OK;
}

static enum debug_status check_scope(uint32_t scope) {
        if (scope == 0 || (scope & ~DEBUG_SCOPE_ALL) != 0)
                return DEBUG_ERR_VALUE;
        return DEBUG_OK;
}

enum debug_status debug_challenge_parse(const uint8_t *buf, size_t len, struct debug_challenge *out) {
        struct debug_bytes v[N_CHALLENGE_FIELDS];
        enum debug_status st = parse_fields(buf, len, DEBUG_CHALLENGE_MAGIC, DEBUG_CHALLENGE_MAX, challenge_fields,
                                            N_CHALLENGE_FIELDS, v, NULL);
        if (st != DEBUG_OK)
                return st;
        *out = (struct debug_challenge) {
                .nonce = v[1], .serial = v[2], .uid = v[3], .scope = be_u32(v[4].p),
                .security_version = be_u64(v[5].p),
        };
        if (!printable(out->serial) || !printable(out->uid))
                return DEBUG_ERR_VALUE;
        return check_scope(out->scope);
}

enum debug_status debug_token_parse(const uint8_t *buf, size_t len, struct debug_token *out) {
        struct debug_bytes v[N_TOKEN_FIELDS];
        size_t sig_start = 0;
        enum debug_status st = parse_fields(buf, len, DEBUG_TOKEN_MAGIC, DEBUG_TOKEN_MAX, token_fields,
                                            N_TOKEN_FIELDS, v, &sig_start);
        if (st != DEBUG_OK)
                return st;
        *out = (struct debug_token) {
                .key_id = v[1], .token_id = v[2], .challenge_hash = v[3], .serial = v[4], .uid = v[5],
                .scope = be_u32(v[6].p), .not_before = (int64_t) be_u64(v[7].p),
                .not_after = (int64_t) be_u64(v[8].p), .security_floor = be_u64(v[9].p), .approvers = v[10],
                .signature = v[11], .signed_len = sig_start,
        };
        if (!printable(out->serial) || !printable(out->uid) || !printable(out->approvers))
                return DEBUG_ERR_VALUE;
        return check_scope(out->scope);
}

/* --- encoding --- */

struct writer {
        uint8_t *buf;
        size_t cap, len;
        enum debug_status st;
};

static void put(struct writer *w, const struct field_spec *spec, const void *value, size_t n) {
        if (w->st != DEBUG_OK)
                return;
        if (n < spec->min || n > spec->max) {
                w->st = DEBUG_ERR_LENGTH;
                return;
        }
        if (w->cap - w->len < 3 + n) {
                w->st = DEBUG_ERR_SIZE;
                return;
        }
        w->buf[w->len] = spec->tag;
        w->buf[w->len + 1] = (uint8_t) (n >> 8);
        w->buf[w->len + 2] = (uint8_t) n;
        if (n)
                memcpy(w->buf + w->len + 3, value, n);
        w->len += 3 + n;
}

static void put_u64(struct writer *w, const struct field_spec *spec, uint64_t v) {
        uint8_t b[8];
        for (int i = 7; i >= 0; i--, v >>= 8)
                b[i] = (uint8_t) v;
        put(w, spec, b, 8);
}

static void put_u32(struct writer *w, const struct field_spec *spec, uint32_t v) {
        uint8_t b[4] = { (uint8_t) (v >> 24), (uint8_t) (v >> 16), (uint8_t) (v >> 8), (uint8_t) v };
        put(w, spec, b, 4);
}

static void put_magic(struct writer *w, const char *magic) {
        if (w->cap < DEBUG_MAGIC_LEN) {
                w->st = DEBUG_ERR_SIZE;
                return;
        }
        memcpy(w->buf, magic, DEBUG_MAGIC_LEN);
        w->len = DEBUG_MAGIC_LEN;
}

enum debug_status debug_challenge_encode(const struct debug_challenge *c, uint8_t *buf, size_t cap, size_t *len) {
        static const uint8_t version = DEBUG_FORMAT_VERSION;
        struct writer w = { buf, cap, 0, DEBUG_OK };
        if (check_scope(c->scope) != DEBUG_OK || !printable(c->serial) || !printable(c->uid))
                return DEBUG_ERR_VALUE;
        put_magic(&w, DEBUG_CHALLENGE_MAGIC);
        put(&w, &challenge_fields[0], &version, 1);
        put(&w, &challenge_fields[1], c->nonce.p, c->nonce.n);
        put(&w, &challenge_fields[2], c->serial.p, c->serial.n);
        put(&w, &challenge_fields[3], c->uid.p, c->uid.n);
        put_u32(&w, &challenge_fields[4], c->scope);
        put_u64(&w, &challenge_fields[5], c->security_version);
        if (w.st == DEBUG_OK && w.len > DEBUG_CHALLENGE_MAX)
                w.st = DEBUG_ERR_SIZE;
        *len = w.len;
        return w.st;
}

enum debug_status debug_token_encode_tbs(const struct debug_token *t, uint8_t *buf, size_t cap, size_t *len) {
        static const uint8_t version = DEBUG_FORMAT_VERSION;
        struct writer w = { buf, cap, 0, DEBUG_OK };
        if (check_scope(t->scope) != DEBUG_OK || !printable(t->serial) || !printable(t->uid) ||
            !printable(t->approvers))
                return DEBUG_ERR_VALUE;
        put_magic(&w, DEBUG_TOKEN_MAGIC);
        put(&w, &token_fields[0], &version, 1);
        put(&w, &token_fields[1], t->key_id.p, t->key_id.n);
        put(&w, &token_fields[2], t->token_id.p, t->token_id.n);
        put(&w, &token_fields[3], t->challenge_hash.p, t->challenge_hash.n);
        put(&w, &token_fields[4], t->serial.p, t->serial.n);
        put(&w, &token_fields[5], t->uid.p, t->uid.n);
        put_u32(&w, &token_fields[6], t->scope);
        put_u64(&w, &token_fields[7], (uint64_t) t->not_before);
        put_u64(&w, &token_fields[8], (uint64_t) t->not_after);
        put_u64(&w, &token_fields[9], t->security_floor);
        put(&w, &token_fields[10], t->approvers.p, t->approvers.n);
        *len = w.len;
        return w.st;
}

enum debug_status debug_token_append_signature(uint8_t *buf, size_t cap, size_t *len, const uint8_t *sig,
                                               size_t sig_len) {
        struct writer w = { buf, cap, *len, DEBUG_OK };
        put(&w, &token_fields[N_TOKEN_FIELDS - 1], sig, sig_len);
        if (w.st == DEBUG_OK && w.len > DEBUG_TOKEN_MAX)
                w.st = DEBUG_ERR_SIZE;
        *len = w.len;
        return w.st;
}

/* --- scope names --- */

static const struct {
        uint32_t bit;
        const char *name;
} scope_names[] = {
        { DEBUG_SCOPE_JTAG, "jtag" },
        { DEBUG_SCOPE_UART, "uart-console" },
        { DEBUG_SCOPE_ROOT_SHELL, "root-shell" },
        { DEBUG_SCOPE_FACTORY_UNLOCK, "factory-unlock" },
};
#define N_SCOPE_NAMES (sizeof(scope_names) / sizeof(scope_names[0]))

int debug_scope_parse(const char *text, uint32_t *out) {
        uint32_t scope = 0;
        const char *p = text;
        if (!text || !*text)
                return -1;
        for (;;) {
                size_t n = strcspn(p, ",");
                size_t i;
                for (i = 0; i < N_SCOPE_NAMES; i++)
                        if (strlen(scope_names[i].name) == n && memcmp(p, scope_names[i].name, n) == 0)
                                break;
                if (i == N_SCOPE_NAMES)
                        return -1;
                scope |= scope_names[i].bit;
                if (!p[n])
                        break;
                p += n + 1;
        }
        *out = scope;
        return 0;
}

void debug_scope_format(uint32_t scope, char *out, size_t cap) {
        size_t len = 0;
        if (!cap)
                return;
        out[0] = 0;
        for (size_t i = 0; i < N_SCOPE_NAMES; i++) {
                if (!(scope & scope_names[i].bit))
                        continue;
                size_t n = strlen(scope_names[i].name) + (len ? 1 : 0);
                if (len + n + 1 > cap)
                        return;
                if (len)
                        out[len++] = ',';
                memcpy(out + len, scope_names[i].name, strlen(scope_names[i].name) + 1);
                len += strlen(scope_names[i].name);
        }
}

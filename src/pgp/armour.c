/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ASCII armour (RFC 4880 section 6), checked without gpg (pgp.h). The text
 * comes from strangers (CVD reports), so this is a parser of outside input:
 * bounded in size and headers, every way it can be wrong named, fuzzed
 * (tests/fuzz/fuzz-pgp-armour.c).
 */
#include "pgp/pgp.h"

#include <string.h>

#include "core/cleanup.h"
#include "core/strutil.h"
#include "crypto/encoding.h"

static const char *const armour_names[] = {
        [PGP_ARMOUR_MESSAGE] = "MESSAGE",
        [PGP_ARMOUR_PUBLIC_KEY] = "PUBLIC KEY BLOCK",
        [PGP_ARMOUR_SIGNATURE] = "SIGNATURE",
};

/* CRC-24 of RFC 4880 section 6.1. */
static uint32_t armour_crc24(const uint8_t *d, size_t n) {
        uint32_t crc = 0xB704CEu;
        for (size_t i = 0; i < n; i++) {
                crc ^= (uint32_t) d[i] << 16;
                for (int b = 0; b < 8; b++) {
                        crc <<= 1;
                        if (crc & 0x1000000u)
                                crc ^= 0x1864CFBu;
                }
        }
        return crc & 0xFFFFFFu;
}

/* ASCII only, whatever the locale. */
static bool armour_alnum(char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

struct armour_line {
        const char *s;
        size_t len;     /* without the line end and trailing blanks */
        size_t no;      /* 1-based */
};

/* The next line from *pos, its end (LF or CRLF) and trailing spaces/tabs
 * stripped (RFC 4880 6.2: trailing whitespace is ignored). false at the end. */
static bool armour_next_line(const char *t, size_t len, size_t *pos, struct armour_line *l) {
        if (*pos >= len)
                return false;
        const char *s = t + *pos;
        const char *nl = memchr(s, '\n', len - *pos);
        size_t n = nl ? (size_t) (nl - s) : len - *pos;
        *pos += n + (nl ? 1 : 0);
        while (n > 0 && (s[n - 1] == '\r' || s[n - 1] == ' ' || s[n - 1] == '\t'))
                n--;
        l->s = s;
        l->len = n;
        l->no++;
        return true;
}

static bool armour_line_is(const struct armour_line *l, const char *what, const char *name) {
        char want[64];
        snprintf(want, sizeof want, "-----%s PGP %s-----", what, name);
        return l->len == strlen(want) && memcmp(l->s, want, l->len) == 0;
}

static bool armour_header_ok(const struct armour_line *l) {
        size_t i = 0;
        while (i < l->len && (armour_alnum(l->s[i]) || l->s[i] == '-'))
                i++;
        return i > 0 && i + 1 < l->len && l->s[i] == ':' && l->s[i + 1] == ' ';
}

static bool armour_b64_char(char c) {
        return armour_alnum(c) || c == '+' || c == '/' || c == '=';
}

/* The first packet's header (RFC 4880 section 4.2): its tag, and a length
 * that fits in what was decoded. */
static int armour_packet_check(const uint8_t *d, size_t n, uint8_t *tag, struct error *err) {
        if (n < 2 || !(d[0] & 0x80))
                return error_set(err, ERROR_INVALID,
                                 "OpenPGP armour: the data does not start with an OpenPGP packet");
        size_t hdr, body;
        if (d[0] & 0x40) {
                *tag = d[0] & 0x3f;
                uint8_t l0 = d[1];
                if (l0 < 192) {
                        hdr = 2; body = l0;
                } else if (l0 < 224) {
                        if (n < 3)
                                goto short_packet;
                        hdr = 3; body = ((size_t) (l0 - 192) << 8) + d[2] + 192;
                } else if (l0 == 255) {
                        if (n < 6)
                                goto short_packet;
                        hdr = 6;
                        body = ((size_t) d[2] << 24) | ((size_t) d[3] << 16) | ((size_t) d[4] << 8) | d[5];
                } else {
                        hdr = 2; body = (size_t) 1 << (l0 & 0x1f);   /* a partial body's first chunk */
                }
        } else {
                *tag = (d[0] >> 2) & 0x0f;
                switch (d[0] & 3) {
                case 0: hdr = 2; body = d[1]; break;
                case 1:
                        if (n < 3)
                                goto short_packet;
                        hdr = 3; body = ((size_t) d[1] << 8) | d[2];
                        break;
                case 2:
                        if (n < 5)
                                goto short_packet;
                        hdr = 5;
                        body = ((size_t) d[1] << 24) | ((size_t) d[2] << 16) | ((size_t) d[3] << 8) | d[4];
                        break;
                default: hdr = 1; body = n - 1; break;      /* indeterminate: to the end */
                }
        }
        if (*tag == 0)
                return error_set(err, ERROR_INVALID, "OpenPGP armour: packet tag 0 is reserved");
        if (body > n - hdr)
                goto short_packet;
        return 0;
short_packet:
        return error_set(err, ERROR_INVALID,
                         "OpenPGP armour: the first packet is longer than the data (truncated)");
}

static bool armour_tag_fits(enum pgp_armour_kind kind, uint8_t tag) {
        switch (kind) {
        case PGP_ARMOUR_MESSAGE:
                /* session keys, signature, one-pass, compressed, marker, literal */
                return tag == 1 || tag == 3 || tag == 2 || tag == 4 || tag == 8 || tag == 10 ||
                       tag == 11;
        case PGP_ARMOUR_PUBLIC_KEY:
                return tag == 6;
        case PGP_ARMOUR_SIGNATURE:
                return tag == 2;
        }
        return false;
}

int pgp_armour_check(const char *text, size_t len, enum pgp_armour_kind kind,
                     struct pgp_armour_info *info, struct error *err) {
        if (info)
                memset(info, 0, sizeof *info);
        if ((unsigned) kind > PGP_ARMOUR_SIGNATURE)
                return error_set(err, ERROR_INTERNAL, "OpenPGP armour: unknown kind %d", (int) kind);
        const char *name = armour_names[kind];
        if (!text || len == 0)
                return error_set(err, ERROR_INVALID, "OpenPGP armour: empty text");
        if (len > PGP_ARMOUR_MAX)
                return error_set(err, ERROR_TOO_LARGE, "OpenPGP armour: more than %zu bytes",
                                 PGP_ARMOUR_MAX);
        if (memchr(text, '\0', len))
                return error_set(err, ERROR_INVALID, "OpenPGP armour: contains a NUL byte");

        size_t pos = 0;
        struct armour_line l = { 0 };
        bool got;
        while ((got = armour_next_line(text, len, &pos, &l)) && l.len == 0)
                ;
        if (!got || !armour_line_is(&l, "BEGIN", name))
                return error_set(err, ERROR_INVALID,
                                 "OpenPGP armour: line %zu: expected '-----BEGIN PGP %s-----'",
                                 l.no ? l.no : 1, name);
        size_t headers = 0;
        for (;;) {
                if (!armour_next_line(text, len, &pos, &l))
                        return error_set(err, ERROR_INVALID,
                                         "OpenPGP armour: ends in the armour headers (no blank line)");
                if (l.len == 0)
                        break;
                if (!armour_header_ok(&l))
                        return error_set(err, ERROR_INVALID,
                                         "OpenPGP armour: line %zu: not an armour header 'Key: Value' "
                                         "(the blank line after the headers is missing?)", l.no);
                if (++headers > PGP_ARMOUR_MAX_HEADERS)
                        return error_set(err, ERROR_INVALID, "OpenPGP armour: more than %d headers",
                                         PGP_ARMOUR_MAX_HEADERS);
        }

        _cleanup_(buf_free) struct buf b64 = { 0 };
        bool have_crc = false, padded = false, ended = false;
        uint32_t crc_want = 0;
        while (armour_next_line(text, len, &pos, &l)) {
                if (armour_line_is(&l, "END", name)) {
                        ended = true;
                        break;
                }
                if (l.len >= 5 && memcmp(l.s, "-----", 5) == 0)
                        return error_set(err, ERROR_INVALID,
                                         "OpenPGP armour: line %zu: expected '-----END PGP %s-----'",
                                         l.no, name);
                if (have_crc)
                        return error_set(err, ERROR_INVALID,
                                         "OpenPGP armour: line %zu: expected the END line after the checksum",
                                         l.no);
                if (l.len == 0)
                        return error_set(err, ERROR_INVALID, "OpenPGP armour: line %zu: blank line in the data",
                                         l.no);
                if (l.len == 5 && l.s[0] == '=' && b64.len > 0) {
                        _cleanup_free_ uint8_t *c = NULL;
                        size_t cn = 0;
                        if (base64_decode(l.s + 1, 4, &c, &cn, NULL) < 0 || cn != 3)
                                return error_set(err, ERROR_INVALID,
                                                 "OpenPGP armour: line %zu: malformed checksum", l.no);
                        crc_want = ((uint32_t) c[0] << 16) | ((uint32_t) c[1] << 8) | c[2];
                        have_crc = true;
                        continue;
                }
                if (l.len > 76)
                        return error_set(err, ERROR_INVALID,
                                         "OpenPGP armour: line %zu: longer than 76 characters", l.no);
                if (padded)
                        return error_set(err, ERROR_INVALID,
                                         "OpenPGP armour: line %zu: data after the padding", l.no);
                for (size_t i = 0; i < l.len; i++) {
                        if (!armour_b64_char(l.s[i]))
                                return error_set(err, ERROR_INVALID,
                                                 "OpenPGP armour: line %zu: '%c' is not base64", l.no,
                                                 (l.s[i] >= 0x20 && l.s[i] < 0x7f) ? l.s[i] : '?');
                        if (l.s[i] == '=')
                                padded = true;
                }
                buf_append(&b64, l.s, l.len);
        }
        if (!ended)
                return error_set(err, ERROR_INVALID,
                                 "OpenPGP armour: no '-----END PGP %s-----' line", name);
        while (armour_next_line(text, len, &pos, &l))
                if (l.len != 0)
                        return error_set(err, ERROR_INVALID,
                                         "OpenPGP armour: line %zu: text after the END line", l.no);
        if (b64.len == 0)
                return error_set(err, ERROR_INVALID, "OpenPGP armour: no data between the lines");

        _cleanup_free_ uint8_t *data = NULL;
        size_t n = 0;
        struct error e2 = { 0 };
        if (base64_decode(b64.data, b64.len, &data, &n, &e2) < 0)
                return error_set(err, ERROR_INVALID, "OpenPGP armour: the data is not base64 (%s)", e2.msg);
        if (have_crc && armour_crc24(data, n) != crc_want)
                return error_set(err, ERROR_INVALID,
                                 "OpenPGP armour: the checksum does not match the data (altered or truncated)");
        uint8_t tag = 0;
        if (armour_packet_check(data, n, &tag, err) < 0)
                return -1;
        if (!armour_tag_fits(kind, tag))
                return error_set(err, ERROR_INVALID,
                                 "OpenPGP armour: a PGP %s cannot start with packet tag %u", name,
                                 (unsigned) tag);
        if (info) {
                info->first_tag = tag;
                info->encrypted = kind == PGP_ARMOUR_MESSAGE && (tag == 1 || tag == 3);
                info->body_len = n;
        }
        return 0;
}

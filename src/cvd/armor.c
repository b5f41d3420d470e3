/* SPDX-License-Identifier: Apache-2.0 */
#include "armor.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/strutil.h"
#include "crypto/encoding.h"

#define ARMOR_BEGIN "-----BEGIN PGP MESSAGE-----"
#define ARMOR_END "-----END PGP MESSAGE-----"
#define ARMOR_LINE_MAX 76

static const char *skip_blanks(const char *p, const char *end) {
        while (p < end && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n'))
                p++;
        return p;
}

bool cvd_armor_looks_like(const char *text) {
        if (!text)
                return false;
        const char *p = skip_blanks(text, text + strlen(text));
        return str_startswith(p, ARMOR_BEGIN);
}

/* The next line of [*p, end) without its CR LF / LF; false at the end. */
static bool next_line(const char **p, const char *end, const char **line, size_t *len) {
        if (*p >= end)
                return false;
        const char *nl = memchr(*p, '\n', (size_t) (end - *p));
        const char *stop = nl ? nl : end;
        *line = *p;
        *len = (size_t) (stop - *p);
        while (*len && ((*line)[*len - 1] == '\r' || (*line)[*len - 1] == ' ' || (*line)[*len - 1] == '\t'))
                (*len)--;
        *p = nl ? nl + 1 : end;
        return true;
}

static bool b64_char(char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/' ||
               c == '=';
}

static uint32_t crc24(const uint8_t *d, size_t n) {
        uint32_t crc = 0xB704CEu;
        for (size_t i = 0; i < n; i++) {
                crc ^= (uint32_t) d[i] << 16;
                for (int k = 0; k < 8; k++) {
                        crc <<= 1;
                        if (crc & 0x1000000u)
                                crc ^= 0x1864CFBu;
                }
        }
        return crc & 0xFFFFFFu;
}

int cvd_armor_check(const char *text, size_t len, struct error *err) {
        if (len > CVD_ARMOR_MAX)
                return error_set(err, ERROR_TOO_LARGE, "OpenPGP message: larger than %d bytes", CVD_ARMOR_MAX);
        const char *end = text + len, *p = skip_blanks(text, end), *line;
        size_t ll;
        if (!next_line(&p, end, &line, &ll) || ll != strlen(ARMOR_BEGIN) || memcmp(line, ARMOR_BEGIN, ll) != 0)
                return error_set(err, ERROR_INVALID, "OpenPGP message: does not start with '" ARMOR_BEGIN "'");
        /* Armour headers up to the blank line. */
        for (unsigned n = 0;; n++) {
                if (!next_line(&p, end, &line, &ll))
                        return error_set(err, ERROR_INVALID, "OpenPGP message: ends inside the armour headers");
                if (!ll)
                        break;
                const char *colon = memchr(line, ':', ll);
                if (!colon || colon == line || (size_t) (colon - line) + 1 >= ll || colon[1] != ' ' || n >= 16)
                        return error_set(err, ERROR_INVALID, "OpenPGP message: armour header line %u is not "
                                         "'Key: Value' (or a blank line is missing before the data)", n + 1);
        }
        struct buf b64 = {0};
        char crc_text[5] = "";
        bool ended = false;
        unsigned n = 0;
        while (next_line(&p, end, &line, &ll)) {
                n++;
                if (ll == strlen(ARMOR_END) && memcmp(line, ARMOR_END, ll) == 0) {
                        ended = true;
                        break;
                }
                if (crc_text[0]) {
                        buf_free(&b64);
                        return error_set(err, ERROR_INVALID, "OpenPGP message: data after the checksum line");
                }
                if (ll == 5 && line[0] == '=') {
                        memcpy(crc_text, line + 1, 4);
                        continue;
                }
                if (!ll || ll > ARMOR_LINE_MAX) {
                        buf_free(&b64);
                        return error_set(err, ERROR_INVALID, "OpenPGP message: data line %u is %s", n,
                                         ll ? "longer than 76 characters" : "empty");
                }
                for (size_t i = 0; i < ll; i++)
                        if (!b64_char(line[i])) {
                                buf_free(&b64);
                                return error_set(err, ERROR_INVALID, "OpenPGP message: data line %u has a "
                                                 "character outside base64", n);
                        }
                buf_append(&b64, line, ll);
        }
        if (!ended) {
                buf_free(&b64);
                return error_set(err, ERROR_INVALID, "OpenPGP message: no '" ARMOR_END "' line");
        }
        if (skip_blanks(p, end) != end) {
                buf_free(&b64);
                return error_set(err, ERROR_INVALID, "OpenPGP message: text after the END line");
        }
        uint8_t *data = NULL;
        size_t dlen = 0;
        int rc = b64.len ? base64_decode(b64.data, b64.len, &data, &dlen, NULL) : -1;
        buf_free(&b64);
        if (rc < 0 || !dlen) {
                free(data);
                return error_set(err, ERROR_INVALID, "OpenPGP message: the data is not valid base64 or is empty");
        }
        if (crc_text[0]) {
                uint8_t *c = NULL;
                size_t clen = 0;
                if (base64_decode(crc_text, 4, &c, &clen, NULL) < 0 || clen != 3) {
                        free(c);
                        free(data);
                        return error_set(err, ERROR_INVALID, "OpenPGP message: the checksum line is not base64");
                }
                uint32_t want = ((uint32_t) c[0] << 16) | ((uint32_t) c[1] << 8) | c[2];
                free(c);
                if (crc24(data, dlen) != want) {
                        free(data);
                        return error_set(err, ERROR_INVALID, "OpenPGP message: the CRC-24 checksum does not "
                                         "match the data (damaged in transit?)");
                }
        }
        /* The first packet's tag: new format 0b11tttttt, old 0b10ttttll. */
        unsigned tag = (data[0] & 0x40) ? (data[0] & 0x3fu) : ((data[0] >> 2) & 0x0fu);
        bool packet = (data[0] & 0x80) != 0;
        free(data);
        if (!packet || (tag != 1 && tag != 3))
                return error_set(err, ERROR_INVALID, "OpenPGP message: not an encrypted message (its first packet "
                                 "is not an encrypted session key)");
        return 0;
}

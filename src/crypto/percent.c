/* SPDX-License-Identifier: Apache-2.0 */
#include "crypto/percent.h"

#include <stdint.h>
#include <stdlib.h>

#include "core/strutil.h"
#include "crypto/encoding.h"

bool text_is_clean_utf8(const char *s, size_t len) {
        const unsigned char *p = (const unsigned char *) s;
        size_t i = 0;
        while (i < len) {
                unsigned char c = p[i];
                if (c < 0x80) {
                        if (c < 0x20 || c == 0x7f)
                                return false;
                        i++;
                        continue;
                }
                size_t n;
                uint32_t cp, min;
                if ((c & 0xe0) == 0xc0) {
                        n = 1; cp = c & 0x1f; min = 0x80;
                } else if ((c & 0xf0) == 0xe0) {
                        n = 2; cp = c & 0x0f; min = 0x800;
                } else if ((c & 0xf8) == 0xf0) {
                        n = 3; cp = c & 0x07; min = 0x10000;
                } else {
                        return false;
                }
                if (len - i - 1 < n)
                        return false;
                for (size_t k = 1; k <= n; k++) {
                        if ((p[i + k] & 0xc0) != 0x80)
                                return false;
                        cp = (cp << 6) | (p[i + k] & 0x3f);
                }
                if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
                        return false;
                /* C1 controls (U+0080..U+009F) are control characters too. */
                if (cp >= 0x80 && cp <= 0x9f)
                        return false;
                i += n + 1;
        }
        return true;
}

enum percent_result percent_decode(const char *in, size_t len, char **out) {
        char *d = xmalloc(len + 1);
        size_t o = 0;
        *out = NULL;
        for (size_t i = 0; i < len; i++) {
                if (in[i] != '%') {
                        d[o++] = in[i];
                        continue;
                }
                if (len - i < 3) {
                        free(d);
                        return PERCENT_BAD_ESCAPE;
                }
                int hi = hex_digit_value(in[i + 1]), lo = hex_digit_value(in[i + 2]);
                if (hi < 0 || lo < 0) {
                        free(d);
                        return PERCENT_BAD_ESCAPE;
                }
                d[o++] = (char) (hi << 4 | lo);
                i += 2;
        }
        d[o] = '\0';
        if (!text_is_clean_utf8(d, o)) {
                free(d);
                return PERCENT_BAD_TEXT;
        }
        *out = d;
        return PERCENT_OK;
}

const char *percent_result_describe(enum percent_result r) {
        switch (r) {
        case PERCENT_OK:
                return "ok";
        case PERCENT_BAD_ESCAPE:
                return "invalid percent-encoding ('%' must be followed by two hex digits)";
        case PERCENT_BAD_TEXT:
                return "not valid UTF-8 text, or contains control characters";
        }
        return "invalid";
}

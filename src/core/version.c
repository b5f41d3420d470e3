/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Version sort keys (version.h). Layout of a key, chosen so byte order is
 * version order:
 *   component   = one letter 'a'..'r' giving the digit count (1..18), then
 *                 the digits without leading zeros: a longer number sorts
 *                 higher, equal lengths compare digit by digit;
 *   separator   '.' (0x2E) between components;
 *   end marker  '!' (0x21) before a pre-release, '#' (0x23) for a plain
 *               release, '$' (0x24) before another tail; all sort below
 *               '.', so "1.2" < "1.2.1" and "1.2-rc1" < "1.2" < "1.2.1";
 *   fallback    '~' (0x7E) then the version itself: above every letter.
 */
#include "core/version.h"

#include <stdbool.h>
#include <string.h>

#define COMPONENT_DIGITS_MAX 18
#define COMPONENTS_MAX 16

struct keybuf {
        char *out;
        size_t size, len;
        bool overflow;
};

static void put(struct keybuf *k, const char *s, size_t n) {
        if (k->overflow || k->len + n + 1 > k->size) {
                k->overflow = true;
                return;
        }
        memcpy(k->out + k->len, s, n);
        k->len += n;
        k->out[k->len] = '\0';
}

static size_t fallback(struct keybuf *k, const char *version) {
        k->len = 0;
        k->overflow = false;
        put(k, "~", 1);
        put(k, version, strlen(version));
        return k->overflow ? 0 : k->len;
}

size_t version_sort_key(const char *version, char *out, size_t size) {
        struct keybuf k = { .out = out, .size = size };
        if (!version || !*version || size == 0)
                return 0;
        out[0] = '\0';
        const char *p = version;
        if (*p == 'v' && p[1] >= '0' && p[1] <= '9')
                p++;
        if (!(*p >= '0' && *p <= '9'))
                return fallback(&k, version);
        /* The components, remembering where the last non-zero one ends so
         * trailing ".0"s can be dropped. */
        size_t n_comp = 0, keep_len = 0;
        for (;;) {
                const char *start = p;
                while (*p >= '0' && *p <= '9')
                        p++;
                const char *digits = start;
                while (digits < p - 1 && *digits == '0')
                        digits++;
                size_t n = (size_t) (p - digits);
                if (n > COMPONENT_DIGITS_MAX || ++n_comp > COMPONENTS_MAX)
                        return fallback(&k, version);
                if (n_comp > 1)
                        put(&k, ".", 1);
                char len_letter = (char) ('a' + n - 1);
                put(&k, &len_letter, 1);
                put(&k, digits, n);
                if (!(n == 1 && digits[0] == '0') || n_comp == 1)
                        keep_len = k.len;
                if (p[0] == '.' && p[1] >= '0' && p[1] <= '9') {
                        p++;
                        continue;
                }
                break;
        }
        if (k.overflow)
                return 0;
        k.len = keep_len;
        out[k.len] = '\0';
        if (*p == '\0' || *p == '+')
                put(&k, "#", 1);
        else if (*p == '-' && p[1] != '\0') {
                const char *end = strchr(p, '+');
                put(&k, "!", 1);
                put(&k, p + 1, end ? (size_t) (end - p - 1) : strlen(p + 1));
        } else {
                put(&k, "$", 1);
                put(&k, p, strlen(p));
        }
        return k.overflow ? 0 : k.len;
}

/* SPDX-License-Identifier: Apache-2.0 */
#include "form.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/strutil.h"
#include "crypto/encoding.h"

bool cvd_utf8_valid(const char *str, size_t len) {
        const unsigned char *s = (const unsigned char *) str;
        size_t i = 0;
        while (i < len) {
                unsigned c = s[i];
                if (c < 0x80) {
                        i++;
                        continue;
                }
                size_t n;
                uint32_t cp, min;
                if (c >= 0xc2 && c <= 0xdf) { /* 0xc0, 0xc1 only start overlong forms */
                        n = 1, cp = c & 0x1f, min = 0x80;
                } else if ((c & 0xf0) == 0xe0) {
                        n = 2, cp = c & 0x0f, min = 0x800;
                } else if (c >= 0xf0 && c <= 0xf4) {
                        n = 3, cp = c & 0x07, min = 0x10000;
                } else {
                        return false;
                }
                if (len - i - 1 < n)
                        return false;
                for (size_t k = 1; k <= n; k++) {
                        if ((s[i + k] & 0xc0) != 0x80)
                                return false;
                        cp = (cp << 6) | (s[i + k] & 0x3f);
                }
                if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
                        return false;
                i += n + 1;
        }
        return true;
}

/* Decodes one name or value into a new heap string; *out_len its length. */
static int form_decode(const char *in, size_t len, const char *what, char **out, size_t *out_len,
                       struct error *err) {
        char *d = xmalloc(len + 1);
        size_t k = 0;
        for (size_t i = 0; i < len; i++) {
                char c = in[i];
                if (c == '+') {
                        d[k++] = ' ';
                } else if (c == '%') {
                        if (len - i < 3 || hex_digit_value(in[i + 1]) < 0 || hex_digit_value(in[i + 2]) < 0) {
                                free(d);
                                return error_set(err, ERROR_INVALID, "%s: a '%%' not followed by two hex digits",
                                                 what);
                        }
                        d[k++] = (char) (hex_digit_value(in[i + 1]) * 16 + hex_digit_value(in[i + 2]));
                        i += 2;
                } else {
                        d[k++] = c;
                }
        }
        d[k] = 0;
        if (!cvd_utf8_valid(d, k)) {
                free(d);
                return error_set(err, ERROR_INVALID, "%s: not valid UTF-8 (overlong or broken sequences are refused)",
                                 what);
        }
        for (size_t i = 0; i < k; i++) {
                unsigned char c = (unsigned char) d[i];
                if ((c < 0x20 && c != '\t' && c != '\r' && c != '\n') || c == 0x7f) {
                        free(d);
                        return error_set(err, ERROR_INVALID, "%s: contains a control character (0x%02x)", what, c);
                }
        }
        *out = d;
        *out_len = k;
        return 0;
}

static bool form_name_ok(const char *n) {
        size_t len = strlen(n);
        if (!len || len > CVD_FORM_NAME_MAX)
                return false;
        for (size_t i = 0; i < len; i++)
                if (!((n[i] >= 'a' && n[i] <= 'z') || (n[i] >= '0' && n[i] <= '9') || n[i] == '_'))
                        return false;
        return true;
}

int cvd_form_parse(const char *body, size_t len, struct cvd_form *out, struct error *err) {
        memset(out, 0, sizeof(*out));
        if (len > CVD_FORM_BODY_MAX)
                return error_set(err, ERROR_TOO_LARGE, "form: larger than %d bytes", CVD_FORM_BODY_MAX);
        if (len && !body)
                return error_set(err, ERROR_INVALID, "form: no body");
        size_t i = 0;
        while (i < len) {
                const char *amp = memchr(body + i, '&', len - i);
                size_t end = amp ? (size_t) (amp - body) : len;
                if (end == i)
                        return error_set(err, ERROR_INVALID, "form: an empty field (two '&' in a row, or a "
                                         "leading or trailing '&')");
                if (out->n == CVD_FORM_FIELDS_MAX)
                        return error_set(err, ERROR_TOO_LARGE, "form: more than %d fields", CVD_FORM_FIELDS_MAX);
                const char *eq = memchr(body + i, '=', end - i);
                if (!eq)
                        return error_set(err, ERROR_INVALID, "form: field %zu has no '='", out->n + 1);
                size_t nlen = (size_t) (eq - body) - i;
                if (nlen > CVD_FORM_NAME_MAX * 3)
                        return error_set(err, ERROR_INVALID, "form: field %zu: name longer than %d characters",
                                         out->n + 1, CVD_FORM_NAME_MAX);
                char *name = NULL;
                size_t name_len;
                if (form_decode(body + i, nlen, "form: a field name", &name, &name_len, err) < 0)
                        return -1;
                if (!form_name_ok(name) || strlen(name) != name_len) {
                        char shown[48];
                        str_sanitize(name, name_len, shown, sizeof(shown));
                        free(name);
                        return error_set(err, ERROR_INVALID, "form: field name '%s' is not 1-%d of a-z, 0-9, _",
                                         shown, CVD_FORM_NAME_MAX);
                }
                if (cvd_form_get(out, name)) {
                        error_set(err, ERROR_INVALID, "form: field '%s' given twice", name);
                        free(name);
                        return -1;
                }
                struct cvd_form_field *f = &out->fields[out->n];
                char what[CVD_FORM_NAME_MAX + 16];
                snprintf(what, sizeof(what), "form: %s", name);
                if (form_decode(eq + 1, end - (size_t) (eq + 1 - body), what, &f->value, &f->value_len, err) < 0) {
                        free(name);
                        return -1;
                }
                f->name = name;
                out->n++;
                i = amp ? end + 1 : len;
                if (amp && i == len)
                        return error_set(err, ERROR_INVALID, "form: a trailing '&'");
        }
        return 0;
}

void cvd_form_clear(struct cvd_form *f) {
        for (size_t i = 0; i < f->n; i++) {
                free(f->fields[i].name);
                free(f->fields[i].value);
        }
        memset(f, 0, sizeof(*f));
}

const char *cvd_form_get(const struct cvd_form *f, const char *name) {
        for (size_t i = 0; i < f->n; i++)
                if (str_eq(f->fields[i].name, name))
                        return f->fields[i].value;
        return NULL;
}

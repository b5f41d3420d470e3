/* SPDX-License-Identifier: Apache-2.0 */
#include "framing.h"

#include <string.h>
#include <strings.h>


/* RFC 9110 §5.6.2 tchar. */
static bool is_tchar(unsigned char c) {
        if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
                return true;
        return c != 0 && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

static bool all_digits(const char *s) {
        if (!*s)
                return false;
        for (; *s; s++)
                if (*s < '0' || *s > '9')
                        return false;
        return true;
}

/* Copies the next comma-separated element of *p (trimmed of SP/HTAB) into
 * out; returns false at the end. */
static bool next_element(const char **p, char *out, size_t out_len) {
        const char *s = *p;
        while (*s == ' ' || *s == '\t' || *s == ',')
                s++;
        if (!*s)
                return false;
        const char *e = s;
        while (*e && *e != ',')
                e++;
        const char *end = e;
        while (end > s && (end[-1] == ' ' || end[-1] == '\t'))
                end--;
        size_t n = (size_t) (end - s);
        if (n >= out_len)
                n = out_len - 1;
        memcpy(out, s, n);
        out[n] = '\0';
        *p = e;
        return true;
}

enum framing_verdict framing_check(const struct framing_field *fields, size_t n, const char *version,
                                   struct error *err) {
        const char *content_length = NULL;
        size_t n_chunked = 0;
        bool has_te = false;

        for (size_t i = 0; i < n; i++) {
                const char *name = fields[i].name ? fields[i].name : "";
                const char *value = fields[i].value ? fields[i].value : "";
                if (!*name) {
                        error_set(err, ERROR_INVALID, "a header field has an empty name");
                        return FRAMING_BAD_REQUEST;
                }
                for (const unsigned char *c = (const unsigned char *) name; *c; c++) {
                        if (is_tchar(*c))
                                continue;
                        if (*c == ' ' || *c == '\t')
                                error_set(err, ERROR_INVALID,
                                          "header field '%.64s': whitespace between the name and the colon is not allowed",
                                          name);
                        else
                                error_set(err, ERROR_INVALID,
                                          "header field name: character 0x%02x is not allowed", *c);
                        return FRAMING_BAD_REQUEST;
                }
                if (strcasecmp(name, "Content-Length") == 0) {
                        if (!all_digits(value)) {
                                error_set(err, ERROR_INVALID, "Content-Length: '%.32s' is not a number of bytes",
                                          value);
                                return FRAMING_BAD_REQUEST;
                        }
                        /* Equal values are one length said twice (RFC 9110 §8.6); leading
                         * zeros make "05" and "5" equal too, so compare as numbers. */
                        if (content_length) {
                                const char *a = content_length, *b = value;
                                while (*a == '0' && a[1])
                                        a++;
                                while (*b == '0' && b[1])
                                        b++;
                                if (strcmp(a, b) != 0) {
                                        error_set(err, ERROR_INVALID,
                                                  "Content-Length: two different values (%.32s and %.32s)",
                                                  content_length, value);
                                        return FRAMING_BAD_REQUEST;
                                }
                        }
                        content_length = value;
                } else if (strcasecmp(name, "Transfer-Encoding") == 0) {
                        has_te = true;
                        const char *p = value;
                        char coding[64];
                        bool any = false;
                        while (next_element(&p, coding, sizeof(coding))) {
                                any = true;
                                /* Parameters (";q=...") make no known coding either. */
                                if (strcasecmp(coding, "chunked") != 0) {
                                        error_set(err, ERROR_UNSUPPORTED,
                                                  "Transfer-Encoding: the coding '%.48s' is not implemented (only chunked is)",
                                                  coding);
                                        return FRAMING_NOT_IMPLEMENTED;
                                }
                                n_chunked++;
                        }
                        if (!any) {
                                error_set(err, ERROR_INVALID, "Transfer-Encoding: empty");
                                return FRAMING_BAD_REQUEST;
                        }
                }
        }
        if (has_te && n_chunked > 1) {
                error_set(err, ERROR_INVALID, "Transfer-Encoding: chunked is applied more than once");
                return FRAMING_BAD_REQUEST;
        }
        if (has_te && content_length) {
                error_set(err, ERROR_INVALID,
                          "Content-Length and Transfer-Encoding together: the body length is ambiguous");
                return FRAMING_BAD_REQUEST;
        }
        if (has_te && version && strcmp(version, "HTTP/1.0") == 0) {
                error_set(err, ERROR_INVALID, "Transfer-Encoding is not allowed in an HTTP/1.0 request");
                return FRAMING_BAD_REQUEST;
        }
        return FRAMING_OK;
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Logging to stderr: text for a person at a terminal, JSON lines for
 * journald and log shippers. A line is assembled in a fixed buffer and
 * written with one write(2), so lines from several threads never interleave
 * and logging allocates nothing.
 *
 * Messages may quote outside input, so both formats neutralise it: the JSON
 * form escapes control characters and replaces invalid UTF-8 (every line
 * stays valid JSON), the text form escapes control characters (no terminal
 * escape sequences, no forged extra lines).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "core/log.h"
#include "core/time.h"

#define LOG_MSG_MAX 4096
#define LOG_LINE_MAX 8192

/* The only global mutable state: set once at start-up, read afterwards. */
static enum log_level log_min_level = LOG_LEVEL_INFO;
static enum log_format log_format = LOG_FORMAT_AUTO;

void log_setup(enum log_level min_level, enum log_format format) {
        log_min_level = min_level;
        log_format = format;
}

int log_level_parse(const char *s, enum log_level *out, struct error *err) {
        static const struct {
                const char *name;
                enum log_level level;
        } names[] = {
                { "debug", LOG_LEVEL_DEBUG }, { "info", LOG_LEVEL_INFO },
                { "warn", LOG_LEVEL_WARN },   { "warning", LOG_LEVEL_WARN },
                { "error", LOG_LEVEL_ERROR },
        };

        for (size_t i = 0; s && i < sizeof(names) / sizeof(names[0]); i++)
                if (strcasecmp(s, names[i].name) == 0) {
                        *out = names[i].level;
                        return 0;
                }
        return error_set(err, ERROR_INVALID, "unknown log level '%.32s' (use debug, info, warn or error)",
                         s ? s : "");
}

int log_format_parse(const char *s, enum log_format *out, struct error *err) {
        if (s && strcasecmp(s, "auto") == 0)
                *out = LOG_FORMAT_AUTO;
        else if (s && strcasecmp(s, "text") == 0)
                *out = LOG_FORMAT_TEXT;
        else if (s && strcasecmp(s, "json") == 0)
                *out = LOG_FORMAT_JSON;
        else
                return error_set(err, ERROR_INVALID, "unknown log format '%.32s' (use auto, text or json)",
                                 s ? s : "");
        return 0;
}

/*
 * A bounded line: the header (time, level, request id) always fits, and the
 * message is cut, token by token, where the buffer ends. LINE_TAIL bytes stay
 * reserved for what closes the line ("\"}\n" or "\n"), so a cut line is
 * still a complete JSON object.
 */
#define LINE_TAIL 3
#define REQUEST_ID_MAX 128

struct line {
        char data[LOG_LINE_MAX];
        size_t len;
};

/* Appends n bytes if they fit before the reserved tail; false (and nothing
 * written) otherwise, so an escape sequence is never cut in half. */
static bool put(struct line *l, const char *s, size_t n) {
        if (n > sizeof(l->data) - LINE_TAIL - l->len)
                return false;
        memcpy(l->data + l->len, s, n);
        l->len += n;
        return true;
}

static bool put_str(struct line *l, const char *s) {
        return put(l, s, strlen(s));
}

/* Writes into the reserved tail; only for the line's closing bytes. */
static void put_tail(struct line *l, const char *s) {
        size_t n = strlen(s);

        if (n > sizeof(l->data) - l->len)
                n = sizeof(l->data) - l->len;
        memcpy(l->data + l->len, s, n);
        l->len += n;
}

/* Length of a valid UTF-8 sequence at s (n bytes left), 0 if invalid.
 * Refuses overlong forms, surrogates and code points above U+10FFFF, as a
 * strict JSON reader would. */
static size_t utf8_len(const unsigned char *s, size_t n) {
        unsigned char c = s[0];
        size_t len;
        uint32_t cp;

        if (c < 0x80)
                return 1;
        else if ((c & 0xe0) == 0xc0)
                len = 2, cp = c & 0x1f;
        else if ((c & 0xf0) == 0xe0)
                len = 3, cp = c & 0x0f;
        else if ((c & 0xf8) == 0xf0)
                len = 4, cp = c & 0x07;
        else
                return 0;
        if (len > n)
                return 0;
        for (size_t i = 1; i < len; i++) {
                if ((s[i] & 0xc0) != 0x80)
                        return 0;
                cp = (cp << 6) | (s[i] & 0x3f);
        }
        if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
            cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
                return 0;
        return len;
}

/* The string's content (no quotes), JSON-escaped, stopping where it no longer fits. */
static void put_json_chars(struct line *l, const char *s, size_t n) {
        const unsigned char *p = (const unsigned char *) s;

        while (n > 0) {
                char esc[8];
                size_t k;
                bool ok;

                if (*p == '"' || *p == '\\') {
                        esc[0] = '\\';
                        esc[1] = (char) *p;
                        ok = put(l, esc, 2);
                        k = 1;
                } else if (*p < 0x20 || *p == 0x7f) {
                        snprintf(esc, sizeof(esc), "\\u%04x", *p);
                        ok = put_str(l, esc);
                        k = 1;
                } else if ((k = utf8_len(p, n)) > 0) {
                        ok = put(l, (const char *) p, k);
                } else {
                        ok = put_str(l, "\\ufffd");
                        k = 1;
                }
                if (!ok)
                        return;
                p += k;
                n -= k;
        }
}

static void put_text_chars(struct line *l, const char *s, size_t n) {
        for (const unsigned char *p = (const unsigned char *) s; n > 0; p++, n--) {
                char esc[8];
                bool ok;

                if (*p < 0x20 || *p == 0x7f) {
                        snprintf(esc, sizeof(esc), "\\x%02x", *p);
                        ok = put_str(l, esc);
                } else {
                        ok = put(l, (const char *) p, 1);
                }
                if (!ok)
                        return;
        }
}

static void write_line(const char *data, size_t len) {
        while (len > 0) {
                ssize_t n = write(STDERR_FILENO, data, len);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n <= 0)
                        return; /* nowhere to report a failure to log */
                data += n;
                len -= (size_t) n;
        }
}

void log_msg(enum log_level level, const char *request_id, const char *fmt, ...) {
        static const char *const text_names[] = { "DEBUG", "INFO", "WARN", "ERROR" };
        static const char *const json_names[] = { "debug", "info", "warn", "error" };
        char msg[LOG_MSG_MAX], now[TIME_RFC3339_LEN];
        struct line l;
        enum log_format format = log_format;
        int saved_errno = errno;
        va_list ap;

        if (level < log_min_level)
                return;
        if ((unsigned) level > LOG_LEVEL_ERROR)
                level = LOG_LEVEL_ERROR;

        msg[0] = '\0';
        if (fmt) {
                va_start(ap, fmt);
                if (vsnprintf(msg, sizeof(msg), fmt, ap) < 0)
                        snprintf(msg, sizeof(msg), "(unformattable log message)");
                va_end(ap);
        }
        time_format_rfc3339(time_now(), now);

        /* Decided per line: stderr may be redirected after start-up. */
        if (format == LOG_FORMAT_AUTO)
                format = isatty(STDERR_FILENO) ? LOG_FORMAT_TEXT : LOG_FORMAT_JSON;

        l.len = 0;
        if (format == LOG_FORMAT_JSON) {
                put_str(&l, "{\"time\":\"");
                put_str(&l, now);
                put_str(&l, "\",\"level\":\"");
                put_str(&l, json_names[level]);
                put_str(&l, "\"");
                if (request_id) {
                        put_str(&l, ",\"request_id\":\"");
                        put_json_chars(&l, request_id, strnlen(request_id, REQUEST_ID_MAX));
                        put_str(&l, "\"");
                }
                put_str(&l, ",\"msg\":\"");
                put_json_chars(&l, msg, strlen(msg));
                put_tail(&l, "\"}\n");
        } else {
                put_str(&l, now);
                put_str(&l, " ");
                put_str(&l, text_names[level]);
                put_str(&l, " ");
                if (request_id) {
                        put_str(&l, "[");
                        put_text_chars(&l, request_id, strnlen(request_id, REQUEST_ID_MAX));
                        put_str(&l, "] ");
                }
                put_text_chars(&l, msg, strlen(msg));
                put_tail(&l, "\n");
        }
        write_line(l.data, l.len);
        errno = saved_errno;
}

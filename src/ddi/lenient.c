/* SPDX-License-Identifier: Apache-2.0 */
/* Lenient JSON for DDI bodies, and how device text is kept (see ddi.h). */
#include <stdio.h>
#include <string.h>
#include "core/json.h"
#include "core/strutil.h"
#include "ddi/ddi.h"

json_t *ddi_json_parse(const char *what, const char *buf, size_t len, struct error *err) {
        if (len > DDI_BODY_MAX) {
                error_set(err, ERROR_TOO_LARGE, "%s: %zu bytes; at most %d", what, len, DDI_BODY_MAX);
                return NULL;
        }
        /* One pass: inside a string (after an unescaped '"'), a byte below
         * 0x20 becomes \u00XX (6 bytes), so the output is at most 6x. */
        struct buf b = {0};
        bool in_string = false, escaped = false;
        for (size_t i = 0; i < len; i++) {
                unsigned char ch = (unsigned char) buf[i];
                if (in_string && ch < 0x20) {
                        buf_appendf(&b, "\\u%04x", ch);
                        escaped = false;
                        continue;
                }
                buf_append(&b, &buf[i], 1);
                if (!in_string) {
                        if (ch == '"')
                                in_string = true;
                } else if (escaped) {
                        escaped = false;
                } else if (ch == '\\') {
                        escaped = true;
                } else if (ch == '"') {
                        in_string = false;
                }
        }
        json_t *doc = cr_json_parse(what, b.data ? b.data : "", b.len, (size_t) 6 * DDI_BODY_MAX,
                                    DDI_JSON_MAX_DEPTH, err);
        free(b.data);
        if (doc && !json_is_object(doc)) {
                json_decref(doc);
                error_set(err, ERROR_INVALID, "%s: must be a JSON object", what);
                return NULL;
        }
        return doc;
}

char *ddi_text_escape(const char *s, size_t max_out) {
        struct buf b = {0};
        for (const unsigned char *p = (const unsigned char *) s; *p; p++) {
                if (max_out && b.len + 6 > max_out) {
                        /* Never cut inside a UTF-8 sequence. */
                        size_t n = b.len;
                        while (n > 0 && ((unsigned char) b.data[n - 1] & 0xC0) == 0x80)
                                n--;
                        if (n > 0 && (unsigned char) b.data[n - 1] >= 0xC0)
                                n--; /* drops the last character whole, complete or not */
                        b.len = n;
                        buf_appendf(&b, "...");
                        break;
                }
                switch (*p) {
                case '\n': buf_appendf(&b, "\\n"); break;
                case '\r': buf_appendf(&b, "\\r"); break;
                case '\t': buf_appendf(&b, "\\t"); break;
                case '\\': buf_appendf(&b, "\\\\"); break;
                default:
                        if (*p < 0x20 || *p == 0x7f)
                                buf_appendf(&b, "\\u%04x", *p);
                        else
                                buf_append(&b, (const char *) p, 1);
                }
        }
        if (!b.data)
                return str_dup("");
        return buf_steal(&b);
}

/* SPDX-License-Identifier: Apache-2.0 */
/* Helpers the feed parsers share (feed.h). */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "core/strutil.h"
#include "core/time.h"
#include "vuln/cvss.h"
#include "vuln/feed.h"

const char *vuln_feed_str(json_t *obj, const char *key) {
        return json_string_value(json_object_get(obj, key));
}

/* An id as feeds write them: 1..128 printable ASCII bytes without spaces. */
static bool id_ok(const char *id) {
        size_t n = 0;
        for (const char *p = id; *p; p++, n++)
                if (*p <= 0x20 || *p >= 0x7f)
                        return false;
        return n > 0 && n <= 128;
}

void vuln_feed_add_id(json_t *ids, const char *id) {
        if (!id || !id_ok(id))
                return;
        size_t i;
        json_t *v;
        json_array_foreach(ids, i, v) if (strcmp(json_string_value(v), id) == 0) return;
        json_array_append_new(ids, json_string(id));
}

bool vuln_feed_set_cvss(json_t *data, const char *vector, double given_score, const char *source) {
        enum cvss_version ver;
        int score10;
        if (cvss_parse(vector, &ver, &score10, NULL) < 0)
                return false;
        if (score10 < 0 && given_score >= 0 && given_score <= 10)
                score10 = (int) (given_score * 10 + 0.5);
        json_t *c = json_pack("{s:s, s:s, s:s}", "version", ver == CVSS_V40 ? "4.0" : ver == CVSS_V31 ? "3.1" : "3.0",
                              "vector", vector, "source", source ? source : "");
        if (score10 >= 0) {
                json_object_set_new(c, "score10", json_integer(score10));
                json_object_set_new(c, "severity", json_string(cvss_severity(score10)));
        }
        json_object_set_new(data, "cvss", c);
        return true;
}

static bool digits(const char *s, size_t n) {
        for (size_t i = 0; i < n; i++)
                if (!isdigit((unsigned char) s[i]))
                        return false;
        return true;
}

int vuln_feed_parse_time(const char *s, int64_t *out) {
        size_t n = s ? strlen(s) : 0;
        if (n < 10 || n > 40 || !digits(s, 4) || s[4] != '-' || !digits(s + 5, 2) || s[7] != '-' || !digits(s + 8, 2))
                return -1;
        if (n == 10)
                return time_parse_date(s, out, NULL);
        if (s[10] != 'T' && s[10] != ' ')
                return -1;
        /* normalise to "YYYY-MM-DDTHH:MM:SS<zone>" for time_parse_rfc3339 */
        char buf[48];
        const char *p = s + 11;
        if (!digits(p, 2) || p[2] != ':' || !digits(p + 3, 2))
                return -1;
        char hms[9];
        memcpy(hms, p, 5);
        p += 5;
        if (*p == ':' && digits(p + 1, 2)) {
                memcpy(hms + 5, p, 3);
                p += 3;
        } else {
                memcpy(hms + 5, ":00", 3);
        }
        hms[8] = '\0';
        if (*p == '.') {
                p++;
                while (isdigit((unsigned char) *p))
                        p++;
        }
        const char *zone = *p ? p : "Z";
        if (strlen(zone) > 6)
                return -1;
        snprintf(buf, sizeof(buf), "%.10sT%s%s", s, hms, zone);
        return time_parse_rfc3339(buf, out, NULL);
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ENISA's EU Vulnerability Database (EUVD) records as its API returns them:
 * one record, an array of records, or a search page {"items": [...],
 * "total": N} (streamed). What is reliable is imported: the EUVD id, the
 * aliases (a newline-separated string: CVE, GHSA), the description, the
 * base score and vector, the references, and the dates, which EUVD writes
 * as "Apr 15, 2025, 12:00:00 AM" (read as UTC). What is not is skipped and
 * said so in the summary's notes: the products and versions
 * (enisaIdProduct/enisaIdVendor hold free text such as "<=5.2" or
 * "unspecified", so no affected entry is made from them), EUVD's own EPSS
 * (the EPSS feed is the source) and exploitedSince (CISA KEV is).
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "core/cleanup.h"
#include "core/strutil.h"
#include "vuln/feed.h"
#include "vuln/json-stream.h"

struct euvd_state {
        struct vuln_import *imp;
        const char *what;
        json_t *single;         /* top-level members, when the document is one record */
        bool items_seen;
};

/* "Apr 15, 2025, 12:00:00 AM" -> "2025-04-15T00:00:00Z"; ISO dates pass through. */
static bool euvd_date(const char *s, char out[32]) {
        if (!s)
                return false;
        if (vuln_feed_parse_time(s, &(int64_t){0}) == 0) {
                snprintf(out, 32, "%s", s);
                return true;
        }
        static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                             "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
        char mon[4] = {0}, ampm[3] = {0};
        int day, year, h, m, sec, used = 0;
        if (sscanf(s, "%3s %d, %d, %d:%d:%d %2s%n", mon, &day, &year, &h, &m, &sec, ampm, &used) != 7 ||
            (size_t) used != strlen(s) || h < 1 || h > 12)
                return false;
        int mi = -1;
        for (int i = 0; i < 12; i++)
                if (strcmp(mon, months[i]) == 0)
                        mi = i;
        if (mi < 0 || (strcmp(ampm, "AM") != 0 && strcmp(ampm, "PM") != 0))
                return false;
        h = h % 12 + (ampm[0] == 'P' ? 12 : 0);
        snprintf(out, 32, "%04d-%02d-%02dT%02d:%02d:%02dZ", year, mi + 1, day, h, m, sec);
        return vuln_feed_parse_time(out, &(int64_t){0}) == 0;
}

/* Newline- or comma-separated ids. */
static void split_ids(json_t *ids, const char *s) {
        if (!s)
                return;
        while (*s) {
                size_t n = strcspn(s, "\n\r, ");
                if (n > 0 && n < 128) {
                        char id[128];
                        memcpy(id, s, n);
                        id[n] = '\0';
                        vuln_feed_add_id(ids, id);
                }
                s += n;
                while (*s && strchr("\n\r, ", *s))
                        s++;
        }
}

static int euvd_record(struct euvd_state *st, json_t *el, const char *where, struct error *err) {
        const char *id = vuln_feed_str(el, "id");
        if (!id || !str_startswith(id, "EUVD-")) {
                vuln_import_skip(st->imp, "euvd", where, "'id' is missing or not an EUVD id");
                return 0;
        }
        json_t *aliases = json_object_get(el, "aliases");
        if (aliases && !json_is_string(aliases) && !json_is_null(aliases)) {
                vuln_import_skip(st->imp, "euvd", id, "'aliases' is not a string");
                return 0;
        }
        char published[32], updated[32];
        bool has_pub = euvd_date(vuln_feed_str(el, "datePublished"), published);
        bool has_upd = euvd_date(vuln_feed_str(el, "dateUpdated"), updated);
        if (!has_pub && !has_upd) {
                vuln_import_skip(st->imp, "euvd", id, "neither datePublished nor dateUpdated is a date it can read");
                return 0;
        }
        _cleanup_json_ json_t *ids = json_array();
        vuln_feed_add_id(ids, id);
        split_ids(ids, json_string_value(aliases));
        _cleanup_json_ json_t *data = json_object();
        const char *desc = vuln_feed_str(el, "description");
        if (desc)
                json_object_set_new(data, "summary", json_string(desc));
        const char *assigner = vuln_feed_str(el, "assigner");
        if (assigner)
                json_object_set_new(data, "assigner", json_string(assigner));
        const char *vector = vuln_feed_str(el, "baseScoreVector");
        const char *ver = vuln_feed_str(el, "baseScoreVersion");
        json_t *score = json_object_get(el, "baseScore");
        if (vector && *vector) {
                char full[300];
                if (!str_startswith(vector, "CVSS:") && ver)
                        snprintf(full, sizeof(full), "CVSS:%.8s/%.256s", ver, vector);
                else
                        snprintf(full, sizeof(full), "%.290s", vector);
                if (!vuln_feed_set_cvss(data, full, json_is_number(score) ? json_number_value(score) : -1, "euvd"))
                        vuln_import_note(st->imp, "EUVD score vectors that are not CVSS 3.x/4.0 are left out");
        }
        json_t *refs = json_array();
        split_ids(refs, NULL);
        const char *r = vuln_feed_str(el, "references");
        while (r && *r) {
                size_t n = strcspn(r, "\n\r");
                if (n > 0 && n < 1024 && json_array_size(refs) < 64) {
                        char *u = xmalloc(n + 1);
                        memcpy(u, r, n);
                        u[n] = '\0';
                        json_t *js = json_string(u);
                        if (js)
                                json_array_append_new(refs, js);
                        free(u);
                }
                r += n;
                while (*r == '\n' || *r == '\r')
                        r++;
        }
        json_object_set_new(data, "references", refs);
        if (json_array_size(json_object_get(el, "enisaIdProduct")) > 0)
                vuln_import_note(st->imp, "EUVD products and versions are free text (e.g. '<=5.2', 'unspecified'): "
                                          "no affected entries are made from them");
        if (json_object_get(el, "exploitedSince") || json_object_get(el, "epss"))
                vuln_import_note(st->imp, "EUVD's exploitedSince and epss are not used: CISA KEV and the EPSS feed "
                                          "are the sources of those");
        struct vuln_feed_record rec = {
                .source = "euvd", .record_id = id, .modified = has_upd ? updated : published,
                .published = has_pub ? published : NULL, .ids = ids, .data = data,
        };
        return vuln_import_record(st->imp, &rec, err);
}

static int on_member(void *user, const char *key, json_t *value, struct error *err) {
        (void) err;
        struct euvd_state *st = user;
        json_object_set(st->single, key, value);
        return 0;
}

static int on_element(void *user, json_t *el, size_t index, struct error *err) {
        struct euvd_state *st = user;
        st->items_seen = true;
        char where[32];
        snprintf(where, sizeof(where), "item %zu", index);
        return euvd_record(st, el, where, err);
}

int vuln_feed_euvd(struct vuln_import *imp, const char *what, FILE *f, struct error *err) {
        const struct vuln_import_limits *lim = vuln_import_limits_of(imp);
        struct vuln_json_stream_limits sl = {.max_element = lim->max_record, .max_elements = lim->max_records};
        struct euvd_state st = {.imp = imp, .what = what, .single = json_object()};
        /* a top-level array or {"items": [...]}; else one record */
        int c;
        while ((c = fgetc(f)) != EOF && isspace(c))
                ;
        if (c != EOF)
                ungetc(c, f);
        struct vuln_json_stream_ops ops = {.array_key = c == '[' ? NULL : "items", .on_member = on_member,
                                           .on_element = on_element};
        int rc = vuln_json_stream(what, f, &sl, &ops, &st, err);
        if (rc == 0 && c != '[' && !st.items_seen && json_object_get(st.single, "id"))
                rc = euvd_record(&st, st.single, "the record", err);
        json_decref(st.single);
        return rc;
}

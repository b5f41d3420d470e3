/* SPDX-License-Identifier: Apache-2.0 */
/*
 * CISA's Known Exploited Vulnerabilities catalog (JSON): a top-level object
 * with catalogVersion, dateReleased, count and a `vulnerabilities` array,
 * streamed. Each entry is a record of source "kev" for its CVE; its
 * dateAdded sets the vulnerability's exploited_at ("actively exploited
 * since", the earliest when several), exploited_source "cisa-kev". KEV
 * entries carry no per-entry modified time: dateAdded stands for it and the
 * content hash notices any later edit (a changed dueDate or notes).
 */
#include <stdlib.h>
#include <string.h>

#include "core/cleanup.h"
#include "core/strutil.h"
#include "vuln/feed.h"
#include "vuln/json-stream.h"

struct kev_state {
        struct vuln_import *imp;
        const char *what;
        bool catalog_seen;
};

static int on_member(void *user, const char *key, json_t *value, struct error *err) {
        struct kev_state *st = user;
        if (strcmp(key, "catalogVersion") == 0) {
                if (!json_is_string(value))
                        return error_set(err, ERROR_INVALID, "%s: catalogVersion is not a string", st->what);
                st->catalog_seen = true;
        }
        return 0;
}

static const char *const kev_fields[] = {
        "vendorProject", "product", "vulnerabilityName", "shortDescription", "requiredAction", "dueDate",
        "knownRansomwareCampaignUse", "notes",
};

static int on_element(void *user, json_t *el, size_t index, struct error *err) {
        struct kev_state *st = user;
        if (index == 0 && !st->catalog_seen)
                return error_set(err, ERROR_INVALID, "%s: no catalogVersion before the vulnerabilities: not a KEV "
                                 "catalog", st->what);
        char where[32];
        snprintf(where, sizeof(where), "element %zu", index);
        const char *cve = vuln_feed_str(el, "cveID");
        const char *added = vuln_feed_str(el, "dateAdded");
        if (!cve || !str_startswith(cve, "CVE-")) {
                vuln_import_skip(st->imp, "kev", where, "'cveID' is missing or not a CVE id");
                return 0;
        }
        int64_t t;
        if (!added || strlen(added) != 10 || vuln_feed_parse_time(added, &t) < 0) {
                vuln_import_skip(st->imp, "kev", cve, "'dateAdded' is missing or not a YYYY-MM-DD date");
                return 0;
        }
        _cleanup_json_ json_t *data = json_object();
        for (size_t i = 0; i < sizeof(kev_fields) / sizeof(kev_fields[0]); i++) {
                json_t *v = json_object_get(el, kev_fields[i]);
                if (v && !json_is_string(v)) {
                        vuln_import_skip(st->imp, "kev", cve, "field '%s' is not a string", kev_fields[i]);
                        return 0;
                }
                if (v)
                        json_object_set(data, kev_fields[i], v);
        }
        json_t *cwes = json_object_get(el, "cwes");
        if (json_is_array(cwes))
                json_object_set(data, "cwes", cwes);
        _cleanup_json_ json_t *ids = json_array();
        vuln_feed_add_id(ids, cve);
        struct vuln_feed_record rec = {
                .source = "kev", .record_id = cve, .modified = added, .ids = ids, .data = data, .exploited = added,
        };
        return vuln_import_record(st->imp, &rec, err);
}

int vuln_feed_kev(struct vuln_import *imp, const char *what, FILE *f, struct error *err) {
        const struct vuln_import_limits *lim = vuln_import_limits_of(imp);
        struct vuln_json_stream_limits sl = {.max_element = 1u << 20, .max_elements = lim->max_records};
        struct vuln_json_stream_ops ops = {.array_key = "vulnerabilities", .on_member = on_member,
                                           .on_element = on_element};
        struct kev_state st = {.imp = imp, .what = what};
        if (vuln_json_stream(what, f, &sl, &ops, &st, err) < 0)
                return -1;
        if (!st.catalog_seen)
                return error_set(err, ERROR_INVALID, "%s: no catalogVersion: not a KEV catalog", what);
        return 0;
}

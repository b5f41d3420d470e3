/* SPDX-License-Identifier: Apache-2.0 */
/*
 * NVD CVE API 2.0 JSON (yearly feeds, modified deltas, API pages): a
 * top-level object with format "NVD_CVE", version "2.0" and a
 * `vulnerabilities` array of {"cve": {...}}, streamed element by element.
 * Per CVE: the English description, CWE ids, references, the best CVSS
 * metric (Primary v3.1, v4.0, v3.0, then Secondary in the same order),
 * published/lastModified, vulnStatus "Rejected" = withdrawn, and each
 * configuration as an affected entry of kind "cpe".
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "core/cleanup.h"
#include "core/strutil.h"
#include "vuln/feed.h"
#include "vuln/json-stream.h"

#define NVD_REFERENCES_MAX 64
#define NVD_CONFIGURATIONS_MAX 512

struct nvd_state {
        struct vuln_import *imp;
        const char *what;
        char *format, *version;
};

static bool cve_id_ok(const char *id) {
        if (!id || !str_startswith(id, "CVE-") || strlen(id) < 13 || strlen(id) > 24)
                return false;
        for (size_t i = 4; i < 8; i++)
                if (!isdigit((unsigned char) id[i]))
                        return false;
        if (id[8] != '-')
                return false;
        for (const char *p = id + 9; *p; p++)
                if (!isdigit((unsigned char) *p))
                        return false;
        return true;
}

static int on_member(void *user, const char *key, json_t *value, struct error *err) {
        struct nvd_state *st = user;
        (void) err;
        if (strcmp(key, "format") == 0 && json_is_string(value)) {
                free(st->format);
                st->format = str_dup(json_string_value(value));
        } else if (strcmp(key, "version") == 0 && json_is_string(value)) {
                free(st->version);
                st->version = str_dup(json_string_value(value));
        }
        return 0;
}

static int check_header(struct nvd_state *st, struct error *err) {
        if (!st->format || strcmp(st->format, "NVD_CVE") != 0)
                return error_set(err, ERROR_INVALID, "%s: format is '%s', expected 'NVD_CVE' (given before the "
                                 "vulnerabilities)", st->what, st->format ? st->format : "(none)");
        if (!st->version || strcmp(st->version, "2.0") != 0)
                return error_set(err, ERROR_UNSUPPORTED, "%s: NVD feed schema version '%s' is not supported "
                                 "(only 2.0)", st->what, st->version ? st->version : "(none)");
        return 0;
}

/* The best metric: Primary before Secondary, then v3.1, v4.0, v3.0. */
static void pick_cvss(json_t *metrics, json_t *data) {
        static const char *const keys[] = {"cvssMetricV31", "cvssMetricV40", "cvssMetricV30"};
        for (int pass = 0; pass < 2; pass++)
                for (size_t k = 0; k < 3; k++) {
                        size_t i;
                        json_t *m;
                        json_array_foreach(json_object_get(metrics, keys[k]), i, m) {
                                const char *type = vuln_feed_str(m, "type");
                                if ((pass == 0) != str_eq(type, "Primary"))
                                        continue;
                                json_t *cd = json_object_get(m, "cvssData");
                                json_t *score = json_object_get(cd, "baseScore");
                                if (vuln_feed_set_cvss(data, vuln_feed_str(cd, "vectorString"),
                                                       json_is_number(score) ? json_number_value(score) : -1,
                                                       vuln_feed_str(m, "source")))
                                        return;
                        }
                }
}

static const char *english(json_t *descriptions) {
        size_t i;
        json_t *d;
        json_array_foreach(descriptions, i, d) if (str_eq(vuln_feed_str(d, "lang"), "en")) return vuln_feed_str(d, "value");
        return NULL;
}

/* Why a CVE object cannot be read, or NULL. */
static const char *shape_fault(json_t *cve) {
        static const struct {
                const char *key;
                json_type type;
        } fields[] = {
                {"descriptions", JSON_ARRAY}, {"metrics", JSON_OBJECT}, {"weaknesses", JSON_ARRAY},
                {"configurations", JSON_ARRAY}, {"references", JSON_ARRAY}, {"vulnStatus", JSON_STRING},
                {"published", JSON_STRING},
        };
        static char msg[96];
        for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
                json_t *v = json_object_get(cve, fields[i].key);
                if (v && json_typeof(v) != fields[i].type) {
                        snprintf(msg, sizeof(msg), "field '%s' has the wrong type", fields[i].key);
                        return msg;
                }
        }
        return NULL;
}

static int on_element(void *user, json_t *el, size_t index, struct error *err) {
        struct nvd_state *st = user;
        if (index == 0 && check_header(st, err) < 0)
                return -1;
        json_t *cve = json_object_get(el, "cve");
        const char *id = vuln_feed_str(cve, "id");
        char where[32];
        snprintf(where, sizeof(where), "element %zu", index);
        if (!json_is_object(cve)) {
                vuln_import_skip(st->imp, "nvd", where, "no 'cve' object");
                return 0;
        }
        if (!cve_id_ok(id)) {
                vuln_import_skip(st->imp, "nvd", where, "'cve.id' is missing or not a CVE id");
                return 0;
        }
        const char *fault = shape_fault(cve);
        if (fault) {
                vuln_import_skip(st->imp, "nvd", id, "%s", fault);
                return 0;
        }
        json_t *configs = json_object_get(cve, "configurations");
        if (json_array_size(configs) > NVD_CONFIGURATIONS_MAX) {
                vuln_import_skip(st->imp, "nvd", id, "more than %d configurations", NVD_CONFIGURATIONS_MAX);
                return 0;
        }
        _cleanup_json_ json_t *affected = json_array();
        size_t i;
        json_t *c;
        json_array_foreach(configs, i, c) {
                if (!json_is_object(c) || !json_is_array(json_object_get(c, "nodes"))) {
                        vuln_import_skip(st->imp, "nvd", id, "configuration %zu has no 'nodes' array", i);
                        return 0;
                }
                json_array_append_new(affected, json_pack("{s:s, s:O}", "kind", "cpe", "data", c));
        }
        _cleanup_json_ json_t *data = json_object();
        const char *desc = english(json_object_get(cve, "descriptions"));
        if (desc)
                json_object_set_new(data, "summary", json_string(desc));
        const char *status = vuln_feed_str(cve, "vulnStatus");
        if (status)
                json_object_set_new(data, "status", json_string(status));
        json_t *cwes = json_array();
        json_t *w;
        json_array_foreach(json_object_get(cve, "weaknesses"), i, w) {
                size_t k;
                json_t *d;
                json_array_foreach(json_object_get(w, "description"), k, d) {
                        const char *v = vuln_feed_str(d, "value");
                        if (v && str_startswith(v, "CWE-"))
                                vuln_feed_add_id(cwes, v);
                }
        }
        json_object_set_new(data, "cwes", cwes);
        json_t *refs = json_array();
        json_t *r;
        json_array_foreach(json_object_get(cve, "references"), i, r) {
                const char *url = vuln_feed_str(r, "url");
                if (url && json_array_size(refs) < NVD_REFERENCES_MAX)
                        json_array_append_new(refs, json_string(url));
        }
        json_object_set_new(data, "references", refs);
        pick_cvss(json_object_get(cve, "metrics"), data);
        _cleanup_json_ json_t *ids = json_array();
        vuln_feed_add_id(ids, id);
        const char *modified = vuln_feed_str(cve, "lastModified");
        struct vuln_feed_record rec = {
                .source = "nvd", .record_id = id, .modified = modified,
                .published = vuln_feed_str(cve, "published"),
                .withdrawn = str_eq(status, "Rejected") ? (modified ? modified : "") : NULL,
                .ids = ids, .data = data, .affected = affected,
        };
        return vuln_import_record(st->imp, &rec, err);
}

int vuln_feed_nvd(struct vuln_import *imp, const char *what, FILE *f, struct error *err) {
        const struct vuln_import_limits *lim = vuln_import_limits_of(imp);
        struct vuln_json_stream_limits sl = {.max_element = lim->max_record, .max_elements = lim->max_records,
                                             .max_depth = 32};
        struct vuln_json_stream_ops ops = {.array_key = "vulnerabilities", .on_member = on_member,
                                           .on_element = on_element};
        struct nvd_state st = {.imp = imp, .what = what};
        int rc = vuln_json_stream(what, f, &sl, &ops, &st, err);
        if (rc == 0)
                rc = check_header(&st, err); /* an empty or absent array still needs the right schema */
        free(st.format);
        free(st.version);
        return rc;
}

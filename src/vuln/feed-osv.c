/* SPDX-License-Identifier: Apache-2.0 */
/*
 * OSV JSON (schema 1.x): one record per file, a top-level array of records
 * (streamed), or an ecosystem all.zip of one file per record (read entry by
 * entry with libarchive). Each record keeps its id, aliases, modified,
 * published, withdrawn, summary (or the first line of details), CWE ids,
 * references and the best severity vector; each `affected` object (minus
 * database_specific and ecosystem_specific, which the matcher ignores)
 * becomes an affected entry of kind "purl".
 */
#include <archive.h>
#include <archive_entry.h>
#include <stdlib.h>
#include <string.h>

#include "core/cleanup.h"
#include "core/json.h"
#include "core/strutil.h"
#include "vuln/feed.h"
#include "vuln/json-stream.h"

#define OSV_REFERENCES_MAX 64
#define OSV_AFFECTED_MAX 4096
#define OSV_SUMMARY_MAX 1024

static bool strings_only(json_t *a) {
        size_t i;
        json_t *v;
        json_array_foreach(a, i, v) if (!json_is_string(v)) return false;
        return true;
}

/* Why a record cannot be read, or NULL. */
static const char *osv_fault(json_t *doc, char *msg, size_t size) {
        if (!json_is_object(doc))
                return "not a JSON object";
        static const struct {
                const char *key;
                json_type type;
        } fields[] = {
                {"id", JSON_STRING}, {"modified", JSON_STRING}, {"published", JSON_STRING},
                {"withdrawn", JSON_STRING}, {"aliases", JSON_ARRAY}, {"summary", JSON_STRING},
                {"details", JSON_STRING}, {"severity", JSON_ARRAY}, {"affected", JSON_ARRAY},
                {"references", JSON_ARRAY}, {"schema_version", JSON_STRING},
        };
        for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
                json_t *v = json_object_get(doc, fields[i].key);
                if (v && !json_is_null(v) && json_typeof(v) != fields[i].type) {
                        snprintf(msg, size, "field '%s' has the wrong type", fields[i].key);
                        return msg;
                }
        }
        if (!vuln_feed_str(doc, "id"))
                return "no 'id'";
        if (!vuln_feed_str(doc, "modified"))
                return "no 'modified'";
        if (!strings_only(json_object_get(doc, "aliases")))
                return "'aliases' holds a non-string";
        const char *sv = vuln_feed_str(doc, "schema_version");
        if (sv && !str_startswith(sv, "1.")) {
                snprintf(msg, size, "schema_version '%.20s' is not supported (1.x)", sv);
                return msg;
        }
        if (json_array_size(json_object_get(doc, "affected")) > OSV_AFFECTED_MAX)
                return "more than 4096 affected entries";
        size_t i;
        json_t *a;
        json_array_foreach(json_object_get(doc, "affected"), i, a) {
                if (!json_is_object(a)) {
                        snprintf(msg, size, "affected[%zu] is not an object", i);
                        return msg;
                }
                json_t *pkg = json_object_get(a, "package");
                if (pkg && !json_is_object(pkg)) {
                        snprintf(msg, size, "affected[%zu].package is not an object", i);
                        return msg;
                }
                json_t *ranges = json_object_get(a, "ranges"), *versions = json_object_get(a, "versions");
                if ((ranges && !json_is_array(ranges)) || (versions && !json_is_array(versions)) ||
                    !strings_only(versions)) {
                        snprintf(msg, size, "affected[%zu]: 'ranges' or 'versions' has the wrong type", i);
                        return msg;
                }
        }
        return NULL;
}

static char *first_line(const char *s) {
        size_t n = strcspn(s, "\r\n");
        if (n > OSV_SUMMARY_MAX)
                n = OSV_SUMMARY_MAX;
        char *out = xmalloc(n + 1);
        memcpy(out, s, n);
        out[n] = '\0';
        return out;
}

int vuln_feed_osv_record(struct vuln_import *imp, const char *what, json_t *doc, struct error *err) {
        char msg[128];
        const char *fault = osv_fault(doc, msg, sizeof(msg));
        if (fault) {
                const char *id = json_is_object(doc) ? vuln_feed_str(doc, "id") : NULL;
                vuln_import_skip(imp, "osv", id ? id : what, "%s", fault);
                return 0;
        }
        const char *id = vuln_feed_str(doc, "id");
        _cleanup_json_ json_t *ids = json_array();
        vuln_feed_add_id(ids, id);
        size_t i;
        json_t *v;
        json_array_foreach(json_object_get(doc, "aliases"), i, v) vuln_feed_add_id(ids, json_string_value(v));
        _cleanup_json_ json_t *data = json_object();
        const char *summary = vuln_feed_str(doc, "summary");
        const char *details = vuln_feed_str(doc, "details");
        if (summary && *summary)
                json_object_set_new(data, "summary", json_string(summary));
        else if (details && *details) {
                _cleanup_free_ char *line = first_line(details);
                json_t *js = json_string(line); /* NULL when the cut split a UTF-8 sequence */
                if (js)
                        json_object_set_new(data, "summary", js);
        }
        /* the best severity: a v3 vector (scored here), then v4 */
        json_t *sev;
        for (int pass = 0; pass < 2 && !json_object_get(data, "cvss"); pass++)
                json_array_foreach(json_object_get(doc, "severity"), i, sev) {
                        const char *type = vuln_feed_str(sev, "type");
                        if (str_eq(type, pass == 0 ? "CVSS_V3" : "CVSS_V4") &&
                            vuln_feed_set_cvss(data, vuln_feed_str(sev, "score"), -1, "osv"))
                                break;
                }
        json_t *cwes = json_array();
        json_array_foreach(json_object_get(json_object_get(doc, "database_specific"), "cwe_ids"), i, v)
                vuln_feed_add_id(cwes, json_string_value(v));
        json_object_set_new(data, "cwes", cwes);
        json_t *refs = json_array();
        json_array_foreach(json_object_get(doc, "references"), i, v) {
                const char *url = vuln_feed_str(v, "url");
                if (url && json_array_size(refs) < OSV_REFERENCES_MAX)
                        json_array_append_new(refs, json_string(url));
        }
        json_object_set_new(data, "references", refs);
        _cleanup_json_ json_t *affected = json_array();
        bool pkgless = false;
        json_array_foreach(json_object_get(doc, "affected"), i, v) {
                json_t *a = json_deep_copy(v);
                json_object_del(a, "database_specific");
                json_object_del(a, "ecosystem_specific");
                pkgless |= !json_is_object(json_object_get(a, "package"));
                json_array_append_new(affected, json_pack("{s:s, s:o}", "kind", "purl", "data", a));
        }
        if (pkgless)
                vuln_import_note(imp, "OSV affected entries without a package (GIT repository ranges only) are kept "
                                      "in the record but cannot be looked up by a component");
        struct vuln_feed_record rec = {
                .source = "osv", .record_id = id, .modified = vuln_feed_str(doc, "modified"),
                .published = vuln_feed_str(doc, "published"), .withdrawn = vuln_feed_str(doc, "withdrawn"),
                .ids = ids, .data = data, .affected = affected,
        };
        return vuln_import_record(imp, &rec, err);
}

struct array_state {
        struct vuln_import *imp;
        const char *what;
};

static int on_osv_element(void *user, json_t *el, size_t index, struct error *err) {
        (void) index;
        struct array_state *st = user;
        return vuln_feed_osv_record(st->imp, st->what, el, err);
}

int vuln_feed_osv_array(struct vuln_import *imp, const char *what, FILE *f, struct error *err) {
        const struct vuln_import_limits *lim = vuln_import_limits_of(imp);
        struct vuln_json_stream_limits sl = {.max_element = lim->max_record, .max_elements = lim->max_records};
        struct vuln_json_stream_ops ops = {.array_key = NULL, .on_element = on_osv_element};
        struct array_state st = {imp, what};
        return vuln_json_stream(what, f, &sl, &ops, &st, err);
}

int vuln_feed_osv_zip(struct vuln_import *imp, const char *what, const char *path, struct error *err) {
        const struct vuln_import_limits *lim = vuln_import_limits_of(imp);
        struct archive *a = archive_read_new();
        archive_read_support_format_zip(a);
        int rc = -1;
        char *buf = NULL;
        if (archive_read_open_filename(a, path, 65536) != ARCHIVE_OK) {
                error_set(err, ERROR_INVALID, "%s: not a readable zip: %s", what, archive_error_string(a));
                goto out;
        }
        struct archive_entry *e;
        size_t entries = 0;
        int hr;
        while ((hr = archive_read_next_header(a, &e)) == ARCHIVE_OK) {
                const char *name = archive_entry_pathname(e);
                if (archive_entry_filetype(e) != AE_IFREG || !name || strlen(name) < 6 ||
                    strcmp(name + strlen(name) - 5, ".json") != 0)
                        continue;
                if (++entries > lim->max_records) {
                        error_set(err, ERROR_TOO_LARGE, "%s: more than %zu records", what, lim->max_records);
                        goto out;
                }
                char label[300];
                snprintf(label, sizeof(label), "%.100s: %.180s", what, name);
                int64_t size = archive_entry_size_is_set(e) ? archive_entry_size(e) : -1;
                if (size > (int64_t) lim->max_zip_entry) {
                        vuln_import_skip(imp, "osv", name, "larger than %zu bytes", lim->max_zip_entry);
                        continue;
                }
                /* read the entry with a hard cap, whatever its header claims */
                size_t cap = lim->max_zip_entry + 1, len = 0;
                buf = xrealloc(buf, cap);
                la_ssize_t n;
                while ((n = archive_read_data(a, buf + len, cap - len)) > 0) {
                        len += (size_t) n;
                        if (len == cap)
                                break;
                }
                if (n < 0) {
                        error_set(err, ERROR_INVALID, "%s: cannot read: %s", label, archive_error_string(a));
                        goto out;
                }
                if (len > lim->max_zip_entry) {
                        vuln_import_skip(imp, "osv", name, "larger than %zu bytes", lim->max_zip_entry);
                        continue;
                }
                struct error perr = {0};
                json_t *doc = cr_json_parse(label, buf, len, lim->max_zip_entry, 0, &perr);
                if (!doc) {
                        vuln_import_skip(imp, "osv", name, "%s", perr.msg);
                        continue;
                }
                int r = vuln_feed_osv_record(imp, label, doc, err);
                json_decref(doc);
                if (r < 0)
                        goto out;
        }
        if (hr != ARCHIVE_EOF) {
                error_set(err, ERROR_INVALID, "%s: a damaged or truncated zip: %s", what, archive_error_string(a));
                goto out;
        }
        rc = 0;
out:
        free(buf);
        archive_read_free(a);
        return rc;
}

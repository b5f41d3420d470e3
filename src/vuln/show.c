/* SPDX-License-Identifier: Apache-2.0 */
/* Reading vulnerabilities for the API and the CLI (import.h: vuln_show, vuln_list). */
#include <stdlib.h>
#include <string.h>

#include "core/cleanup.h"
#include "core/strutil.h"
#include "core/time.h"
#include "store/store-vuln.h"
#include "vuln/import.h"

static void set_time(json_t *o, const char *key, int64_t t) {
        if (!t) {
                json_object_set_new(o, key, json_null());
                return;
        }
        char buf[TIME_RFC3339_LEN];
        time_format_rfc3339(t, buf);
        json_object_set_new(o, key, json_string(buf));
}

static json_t *opt_string(const char *s) {
        return s ? json_string(s) : json_null();
}

static json_t *vuln_json(const struct store_vuln *v) {
        json_t *o = json_pack("{s:I, s:s, s:o, s:o, s:o, s:o}", "id", (json_int_t) v->id, "name", v->name, "summary",
                              opt_string(v->summary), "severity", opt_string(v->severity), "cvss_vector",
                              opt_string(v->cvss_vector), "exploited_source", opt_string(v->exploited_source));
        /* a score reads as the decimal the standard writes: 98 -> "9.8" */
        if (v->cvss_score10 >= 0) {
                char score[24];
                snprintf(score, sizeof(score), "%d.%d", v->cvss_score10 / 10, v->cvss_score10 % 10);
                json_object_set_new(o, "cvss_score", json_string(score));
        } else {
                json_object_set_new(o, "cvss_score", json_null());
        }
        json_object_set_new(o, "exploited", json_boolean(v->exploited_at != 0));
        set_time(o, "exploited_at", v->exploited_at);
        set_time(o, "published_at", v->published_at);
        set_time(o, "modified_at", v->modified_at);
        set_time(o, "withdrawn_at", v->withdrawn_at);
        json_object_set_new(o, "epss", opt_string(v->epss));
        json_object_set_new(o, "epss_percentile", opt_string(v->epss_percentile));
        return o;
}

int vuln_show(struct store *s, const char *alias, json_t **out, struct error *err) {
        struct store_vuln v = {0};
        int rc = store_vuln_get_by_alias(s, alias, &v, err);
        if (rc < 0)
                return -1;
        if (rc == 0)
                return error_set(err, ERROR_NOT_FOUND, "vulnerability '%.128s' is not known (no feed names it)", alias);
        json_t *o = vuln_json(&v);
        char **aliases = NULL;
        size_t na = 0, nr = 0, naf = 0;
        struct store_vuln_record *recs = NULL;
        struct store_vuln_affected *aff = NULL;
        if (store_vuln_aliases_of(s, v.id, &aliases, &na, err) < 0 ||
            store_vuln_records_of(s, v.id, &recs, &nr, err) < 0 || store_vuln_affected_of(s, v.id, &aff, &naf, err) < 0) {
                rc = -1;
                goto out;
        }
        json_t *ja = json_array();
        for (size_t i = 0; i < na; i++)
                json_array_append_new(ja, json_string(aliases[i]));
        json_object_set_new(o, "aliases", ja);
        json_t *jr = json_array();
        for (size_t i = 0; i < nr; i++) {
                json_error_t je;
                json_t *data = json_loads(recs[i].data, 0, &je);
                json_t *r = json_pack("{s:s, s:s, s:s, s:o}", "source", recs[i].source, "record_id",
                                      recs[i].record_id, "modified", recs[i].modified, "withdrawn",
                                      opt_string(recs[i].withdrawn));
                set_time(r, "imported_at", recs[i].imported_at);
                json_object_set_new(r, "data", data ? data : json_null());
                json_array_append_new(jr, r);
        }
        json_object_set_new(o, "records", jr);
        json_t *jf = json_array();
        for (size_t i = 0; i < naf; i++) {
                json_error_t je;
                json_t *data = json_loads(aff[i].data, 0, &je);
                json_array_append_new(jf, json_pack("{s:s, s:s, s:s, s:s, s:s, s:o}", "source", aff[i].source,
                                                    "record_id", aff[i].record_id, "kind", aff[i].kind, "match_key",
                                                    aff[i].match_key, "name_key", aff[i].name_key, "data",
                                                    data ? data : json_null()));
        }
        json_object_set_new(o, "affected", jf);
        *out = steal_ptr(o);
        rc = 0;
out:
        json_decref(o);
        store_vuln_strv_free(aliases, na);
        store_vuln_record_list_free(recs, nr);
        store_vuln_affected_list_free(aff, naf);
        store_vuln_clear(&v);
        return rc;
}

int vuln_list(struct store *s, const char *q, bool exploited, int64_t after, size_t limit, json_t **out,
              struct error *err) {
        struct store_vuln_filter f = {.q = q, .exploited = exploited, .after_id = after, .limit = limit};
        struct store_vuln *list = NULL;
        size_t n = 0;
        if (store_vuln_list(s, &f, &list, &n, err) < 0)
                return -1;
        json_t *a = json_array();
        for (size_t i = 0; i < n; i++)
                json_array_append_new(a, vuln_json(&list[i]));
        size_t page = f.limit == 0 || f.limit > 1000 ? 1000 : f.limit;
        *out = json_pack("{s:o, s:o}", "items", a, "next_after_id",
                         n == page && n > 0 ? json_integer(list[n - 1].id) : json_null());
        store_vuln_list_free(list, n);
        return 0;
}

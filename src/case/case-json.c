/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Cases as JSON (case.h): request bodies checked for shape and turned into
 * domain calls, and the views the API and the CLI show (a case with its
 * clocks and timeline; a page of cases with the next due clock). Times in
 * bodies are RFC 3339.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "case/case-internal.h"
#include "case/clock.h"
#include "core/cleanup.h"
#include "core/json.h"
#include "core/strutil.h"
#include "core/time.h"

static json_t *time_json(int64_t t) {
        if (!t)
                return json_null();
        char buf[TIME_RFC3339_LEN];
        time_format_rfc3339(t, buf);
        return json_string(buf);
}

/* A string field that must not carry a NUL (a C string would cut it). */
static int body_string(json_t *body, const char *key, const char **out, struct error *err) {
        json_t *v = json_object_get(body, key);
        *out = NULL;
        if (!v || json_is_null(v))
                return 0;
        if (strlen(json_string_value(v)) != json_string_length(v))
                return error_set(err, ERROR_INVALID, "%s: contains a NUL character", key);
        *out = json_string_value(v);
        return 0;
}

static int body_time(json_t *body, const char *key, int64_t *out, struct error *err) {
        const char *v;
        *out = 0;
        if (body_string(body, key, &v, err) < 0)
                return -1;
        if (v && time_parse_rfc3339(v, out, err) < 0)
                return error_prefix(err, "%s: ", key);
        return 0;
}

static int body_affected(json_t *body, struct case_affected **out, size_t *n, struct error *err) {
        *out = NULL;
        *n = 0;
        json_t *a = json_object_get(body, "affected");
        if (!a)
                return 0;
        size_t cnt = json_array_size(a);
        struct case_affected *list = xcalloc(cnt ? cnt : 1, sizeof(*list));
        size_t i;
        json_t *v;
        json_array_foreach(a, i, v) {
                const struct cr_json_field f[] = {
                        {"product_id", CR_JSON_INTEGER, true, 0, false},
                        {"release_id", CR_JSON_INTEGER, false, 0, true},
                };
                char what[32];
                snprintf(what, sizeof(what), "affected[%zu]", i);
                if (cr_json_check_object(what, v, f, ELEMENTSOF(f), err) < 0) {
                        free(list);
                        return -1;
                }
                list[i].product_id = cr_json_get_int(v, "product_id", 0);
                list[i].release_id = cr_json_get_int(v, "release_id", 0);
                if (list[i].product_id <= 0 || list[i].release_id < 0) {
                        free(list);
                        return error_set(err, ERROR_INVALID, "%s: ids must be positive", what);
                }
        }
        *out = list;
        *n = cnt;
        return 0;
}

#define STR(name, max) {name, CR_JSON_STRING, false, 4 * (max), true}

int case_create_json(struct store *s, const struct audit_actor *actor, json_t *body, int ack_days,
                     int disclosure_days, json_t **out, struct error *err) {
        *out = NULL;
        const struct cr_json_field f[] = {
                {"kind", CR_JSON_STRING, false, 32, false},
                {"title", CR_JSON_STRING, true, 4 * CASE_TITLE_MAX, false},
                {"summary", CR_JSON_STRING, true, 4 * CASE_SUMMARY_MAX, false},
                STR("owner", CASE_OWNER_MAX),
                STR("version_range", CASE_VERSION_RANGE_MAX),
                STR("reporter_credit", CASE_CREDIT_MAX),
                STR("cvss31_vector", 200),
                STR("cvss40_vector", 300),
                {"ids", CR_JSON_OBJECT, false, 0, false},
                {"affected", CR_JSON_ARRAY, false, CASE_AFFECTED_MAX, false},
                {"vuln_id", CR_JSON_INTEGER, false, 0, true},
                {"release_id", CR_JSON_INTEGER, false, 0, true},
                {"component_id", CR_JSON_INTEGER, false, 0, true},
                {"finding_id", CR_JSON_INTEGER, false, 0, true},
        };
        if (cr_json_check_object("case", body, f, ELEMENTSOF(f), err) < 0)
                return -1;
        struct case_new n = {.source = CASE_SOURCE_MANUAL};
        const char *kind = NULL;
        if (body_string(body, "kind", &kind, err) < 0 || (kind && case_kind_parse(kind, &n.kind, err) < 0) ||
            body_string(body, "title", &n.title, err) < 0 || body_string(body, "summary", &n.summary, err) < 0 ||
            body_string(body, "owner", &n.owner, err) < 0 ||
            body_string(body, "version_range", &n.version_range, err) < 0 ||
            body_string(body, "reporter_credit", &n.reporter_credit, err) < 0 ||
            body_string(body, "cvss31_vector", &n.cvss31_vector, err) < 0 ||
            body_string(body, "cvss40_vector", &n.cvss40_vector, err) < 0)
                return -1;
        n.ids = json_object_get(body, "ids");
        n.vuln_id = cr_json_get_int(body, "vuln_id", 0);
        n.release_id = cr_json_get_int(body, "release_id", 0);
        n.component_id = cr_json_get_int(body, "component_id", 0);
        n.finding_id = cr_json_get_int(body, "finding_id", 0);
        struct case_affected *aff = NULL;
        if (body_affected(body, &aff, &n.naffected, err) < 0)
                return -1;
        n.affected = aff;
        struct case_info c;
        int rc = case_create(s, actor, &n, ack_days, disclosure_days, &c, err);
        free(aff);
        if (rc < 0)
                return -1;
        *out = case_to_json(&c);
        case_info_free(&c);
        return 0;
}

static int respond(int rc, struct case_info *c, json_t **out) {
        if (rc < 0)
                return -1;
        *out = case_to_json(c);
        case_info_free(c);
        return 0;
}

int case_edit_json(struct store *s, const struct audit_actor *actor, const char *ref, json_t *body, json_t **out,
                   struct error *err) {
        *out = NULL;
        const struct cr_json_field f[] = {
                STR("title", CASE_TITLE_MAX),
                STR("summary", CASE_SUMMARY_MAX),
                STR("owner", CASE_OWNER_MAX),
                STR("impact", CASE_IMPACT_MAX),
                STR("version_range", CASE_VERSION_RANGE_MAX),
                STR("reporter_credit", CASE_CREDIT_MAX),
                STR("cvss31_vector", 200),
                STR("cvss40_vector", 300),
                STR("reason", CASE_REASON_MAX),
                {"add_ids", CR_JSON_OBJECT, false, 0, false},
                {"add_affected", CR_JSON_ARRAY, false, CASE_AFFECTED_MAX, false},
                {"vuln_id", CR_JSON_INTEGER, false, 0, false},
                {"release_id", CR_JSON_INTEGER, false, 0, false},
                {"component_id", CR_JSON_INTEGER, false, 0, false},
                {"finding_id", CR_JSON_INTEGER, false, 0, false},
        };
        if (cr_json_check_object("case", body, f, ELEMENTSOF(f), err) < 0)
                return -1;
        struct case_edit e = {0};
        /* null clears an optional field: "" is the domain's "clear" */
        static const char *const keys[] = {"title", "summary", "owner", "impact", "version_range",
                                           "reporter_credit", "cvss31_vector", "cvss40_vector", "reason"};
        const char **dst[] = {&e.title, &e.summary, &e.owner, &e.impact, &e.version_range,
                              &e.reporter_credit, &e.cvss31_vector, &e.cvss40_vector, &e.reason};
        for (size_t i = 0; i < ELEMENTSOF(keys); i++) {
                if (body_string(body, keys[i], dst[i], err) < 0)
                        return -1;
                if (json_is_null(json_object_get(body, keys[i])))
                        *dst[i] = "";
        }
        e.add_ids = json_object_get(body, "add_ids");
        e.vuln_id = cr_json_get_int(body, "vuln_id", 0);
        e.release_id = cr_json_get_int(body, "release_id", 0);
        e.component_id = cr_json_get_int(body, "component_id", 0);
        e.finding_id = cr_json_get_int(body, "finding_id", 0);
        struct case_affected *aff = NULL;
        json_t *wrap = json_pack("{s:O?}", "affected", json_object_get(body, "add_affected"));
        int rc = body_affected(wrap, &aff, &e.n_add_affected, err);
        json_decref(wrap);
        if (rc < 0)
                return -1;
        e.add_affected = aff;
        struct case_info c;
        rc = case_edit(s, actor, ref, &e, &c, err);
        free(aff);
        return respond(rc, &c, out);
}

int case_state_json(struct store *s, const struct audit_actor *actor, const char *ref, json_t *body, json_t **out,
                    struct error *err) {
        *out = NULL;
        const struct cr_json_field f[] = {
                {"state", CR_JSON_STRING, true, 64, false},
                {"reason", CR_JSON_STRING, true, 4 * CASE_REASON_MAX, false},
                {"duplicate_of", CR_JSON_STRING, false, 64, true},
        };
        if (cr_json_check_object("state change", body, f, ELEMENTSOF(f), err) < 0)
                return -1;
        const char *state, *reason, *dup;
        enum case_state to;
        if (body_string(body, "state", &state, err) < 0 || body_string(body, "reason", &reason, err) < 0 ||
            body_string(body, "duplicate_of", &dup, err) < 0 || case_state_parse(state, &to, err) < 0)
                return -1;
        struct case_info c;
        return respond(case_set_state(s, actor, ref, to, reason, dup, &c, err), &c, out);
}

int case_aware_json(struct store *s, const struct audit_actor *actor, const char *ref, json_t *body, json_t **out,
                    struct error *err) {
        *out = NULL;
        const struct cr_json_field f[] = {
                {"exploited", CR_JSON_BOOL, false, 0, false},
                {"severe_incident", CR_JSON_BOOL, false, 0, false},
                {"at", CR_JSON_STRING, false, 64, true},
                {"how", CR_JSON_STRING, true, 4 * CASE_HOW_MAX, false},
                {"occurred_at", CR_JSON_STRING, false, 64, true},
                STR("reason", CASE_REASON_MAX),
        };
        if (cr_json_check_object("awareness", body, f, ELEMENTSOF(f), err) < 0)
                return -1;
        const char *how, *reason;
        int64_t at, occurred;
        if (body_string(body, "how", &how, err) < 0 || body_string(body, "reason", &reason, err) < 0 ||
            body_time(body, "at", &at, err) < 0 || body_time(body, "occurred_at", &occurred, err) < 0)
                return -1;
        struct case_info c;
        return respond(case_mark_aware(s, actor, ref, json_is_true(json_object_get(body, "exploited")),
                                       json_is_true(json_object_get(body, "severe_incident")), at, how, occurred,
                                       reason, &c, err),
                       &c, out);
}

int case_link_json(struct store *s, const struct audit_actor *actor, const char *ref, json_t *body, json_t **out,
                   struct error *err) {
        *out = NULL;
        const struct cr_json_field f[] = {
                {"fix_release_id", CR_JSON_INTEGER, false, 0, false},
                {"campaign_id", CR_JSON_INTEGER, false, 0, false},
                {"mitigation_at", CR_JSON_STRING, false, 64, false},
                STR("reason", CASE_REASON_MAX),
        };
        if (cr_json_check_object("link", body, f, ELEMENTSOF(f), err) < 0)
                return -1;
        const char *reason;
        int64_t mit;
        if (body_string(body, "reason", &reason, err) < 0 || body_time(body, "mitigation_at", &mit, err) < 0)
                return -1;
        struct case_info c;
        return respond(case_link(s, actor, ref, cr_json_get_int(body, "fix_release_id", 0),
                                 cr_json_get_int(body, "campaign_id", 0), mit, reason, &c, err),
                       &c, out);
}

/* ---- clocks ---- */

void case_clock_input_of(const struct case_info *c, const int64_t submitted[CASE_CLOCK_N],
                         struct case_clock_input *in) {
        memset(in, 0, sizeof(*in));
        in->exploited = c->exploited;
        in->severe_incident = c->severe_incident;
        in->aware_at = c->aware_at;
        in->fix_available_at = c->fix_available_at;
        for (int i = 0; submitted && i < CASE_CLOCK_N; i++)
                in->submitted_at[i] = submitted[i];
}

json_t *case_clocks_json(const struct case_info *c, const int64_t submitted[CASE_CLOCK_N], int64_t now) {
        struct case_clock_input in;
        case_clock_input_of(c, submitted, &in);
        struct case_clock cl[2 * CASE_CLOCK_N];
        size_t n = case_clocks_compute(&in, cl);
        json_t *a = json_array();
        for (size_t i = 0; i < n; i++) {
                json_t *j = json_object();
                json_object_set_new(j, "track", json_string(case_clock_track_str(cl[i].track)));
                json_object_set_new(j, "report", json_string(case_clock_name_str(cl[i].name)));
                json_object_set_new(j, "basis", json_string(cl[i].basis));
                json_object_set_new(j, "known", json_boolean(cl[i].known));
                json_object_set_new(j, "provisional", json_boolean(cl[i].provisional));
                json_object_set_new(j, "due", time_json(cl[i].known ? cl[i].due : 0));
                json_object_set_new(j, "latest_reg_1182_71_art3", time_json(cl[i].known ? cl[i].latest : 0));
                json_object_set_new(j, "submitted_at", time_json(cl[i].submitted_at));
                int64_t late = cl[i].known ? case_clock_lateness(cl[i].due, cl[i].submitted_at, now) : 0;
                json_object_set_new(j, "late_seconds", json_integer(late));
                if (late) {
                        char d[64];
                        case_clock_format_duration(late, d, sizeof(d));
                        json_object_set_new(j, "late_by", json_string(d));
                } else
                        json_object_set_new(j, "late_by", json_null());
                json_object_set_new(j, "overdue", json_boolean(cl[i].known && !cl[i].submitted_at && now > cl[i].due));
                json_array_append_new(a, j);
        }
        return a;
}

int case_show_json(struct store *s, const char *ref, int64_t now, json_t **out, struct error *err) {
        *out = NULL;
        struct case_info c;
        if (case_get(s, ref, &c, err) < 0)
                return -1;
        json_t *tl = NULL;
        if (store_case_timeline_read(s, c.id, &tl, err) < 0) {
                case_info_free(&c);
                return -1;
        }
        json_t *j = case_to_json(&c);
        json_object_set_new(j, "clocks", case_clocks_json(&c, NULL, now));
        size_t i;
        json_t *e;
        json_array_foreach(tl, i, e) {
                json_t *t = json_object_get(e, "time");
                json_object_set_new(e, "time", time_json(json_integer_value(t)));
        }
        json_object_set_new(j, "timeline", tl);
        case_info_free(&c);
        *out = j;
        return 0;
}

int case_list_json(struct store *s, const char *state, int64_t before_id, int64_t limit, int64_t now, json_t **out,
                   struct error *err) {
        *out = NULL;
        if (state) {
                enum case_state st;
                if (case_state_parse(state, &st, err) < 0)
                        return -1;
        }
        if (limit <= 0 || limit > 500)
                limit = 100;
        struct store_case *rows = NULL;
        size_t n = 0;
        if (store_case_list(s, state, before_id, limit, &rows, &n, err) < 0)
                return -1;
        json_t *items = json_array();
        for (size_t i = 0; i < n; i++) {
                struct case_info c;
                struct error e2 = {0};
                if (case_load(s, &rows[i], &c, &e2) < 0)
                        continue;
                struct case_clock_input in;
                case_clock_input_of(&c, NULL, &in);
                struct case_clock cl[2 * CASE_CLOCK_N];
                size_t nc = case_clocks_compute(&in, cl);
                const struct case_clock *next;
                int64_t due = case_clocks_next_due(cl, nc, &next);
                json_t *j = json_pack("{s:I, s:s, s:s, s:s, s:s, s:s?, s:s?, s:b, s:b}", "id", (json_int_t) c.id,
                                      "reference", c.reference, "kind", case_kind_name(c.kind), "state",
                                      case_state_name(c.state), "title", c.title, "owner", c.owner, "severity",
                                      c.severity, "exploited", c.exploited, "severe_incident", c.severe_incident);
                json_object_set_new(j, "next_due", next ? json_pack("{s:s, s:o, s:b}", "report",
                                                                    case_clock_name_str(next->name), "due",
                                                                    time_json(due), "overdue", now > due)
                                                        : json_null());
                json_object_set_new(j, "next_due_at", time_json(due));
                json_object_set_new(j, "next_due_report", next ? json_string(case_clock_name_str(next->name))
                                                               : json_null());
                json_object_set_new(j, "ack_due_at", time_json(c.ack_due_at));
                json_object_set_new(j, "acknowledged_at", time_json(c.acknowledged_at));
                json_object_set_new(j, "disclosure_target_at", time_json(c.disclosure_target_at));
                json_object_set_new(j, "disclosed_at", time_json(c.disclosed_at));
                json_array_append_new(items, j);
                case_info_free(&c);
        }
        json_t *next_before = (int64_t) n == limit && n ? json_integer(rows[n - 1].id) : json_null();
        store_case_list_free(rows, n);
        *out = json_pack("{s:o, s:o}", "items", items, "next_before_id", next_before);
        return 0;
}

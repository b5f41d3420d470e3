/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Cases: creation, reading and the timeline (case.h). Validation happens
 * before the transaction; the case row, its ids and affected products, the
 * first timeline entry and the audit entry commit together.
 */
#include "case/case.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "case/case-internal.h"
#include "core/cleanup.h"
#include "core/strutil.h"
#include "core/time.h"
#include "store/store-case.h"
#include "vuln/cvss.h"
#include "vuln/cvss4.h"

static const char *const kind_names[] = {"vulnerability", "incident"};
static const char *const state_names[] = {"received", "triaging", "confirmed", "fix_in_progress",
                                          "fix_available", "disclosed", "closed", "rejected",
                                          "duplicate", "not_a_vulnerability"};
static const char *const source_names[] = {"cvd", "finding", "manual"};

const char *case_kind_name(enum case_kind k) {
        return (size_t) k < ELEMENTSOF(kind_names) ? kind_names[k] : "?";
}

const char *case_state_name(enum case_state s) {
        return (size_t) s < ELEMENTSOF(state_names) ? state_names[s] : "?";
}

const char *case_source_name(enum case_source s) {
        return (size_t) s < ELEMENTSOF(source_names) ? source_names[s] : "?";
}

static int parse_name(const char *what, const char *s, const char *const *names, size_t n, int *out,
                      struct error *err) {
        for (size_t i = 0; s && i < n; i++)
                if (strcmp(s, names[i]) == 0) {
                        *out = (int) i;
                        return 0;
                }
        char choices[256] = "";
        for (size_t i = 0; i < n; i++) {
                strncat(choices, names[i], sizeof(choices) - strlen(choices) - 1);
                if (i + 1 < n)
                        strncat(choices, ", ", sizeof(choices) - strlen(choices) - 1);
        }
        return error_set(err, ERROR_INVALID, "%s: '%s' is not one of %s", what, s ? s : "(none)", choices);
}

int case_kind_parse(const char *s, enum case_kind *out, struct error *err) {
        int v = 0;
        if (parse_name("kind", s, kind_names, ELEMENTSOF(kind_names), &v, err) < 0)
                return -1;
        *out = (enum case_kind) v;
        return 0;
}

int case_state_parse(const char *s, enum case_state *out, struct error *err) {
        int v = 0;
        if (parse_name("state", s, state_names, ELEMENTSOF(state_names), &v, err) < 0)
                return -1;
        *out = (enum case_state) v;
        return 0;
}

int case_source_parse(const char *s, enum case_source *out, struct error *err) {
        int v = 0;
        if (parse_name("source", s, source_names, ELEMENTSOF(source_names), &v, err) < 0)
                return -1;
        *out = (enum case_source) v;
        return 0;
}

/* ---- validation ---- */

static size_t utf8_chars(const char *s) {
        size_t n = 0;
        for (; *s; s++)
                if (((unsigned char) *s & 0xc0) != 0x80)
                        n++;
        return n;
}

static bool has_control(const char *s, bool multiline) {
        for (; *s; s++) {
                unsigned char c = (unsigned char) *s;
                if (multiline && (c == '\n' || c == '\r' || c == '\t'))
                        continue;
                if (c < 0x20 || c == 0x7f)
                        return true;
        }
        return false;
}

int case_text_check(const char *field, const char *v, size_t max_chars, bool required, bool multiline,
                    struct error *err) {
        if (!v) {
                if (required)
                        return error_set(err, ERROR_INVALID, "%s: is required", field);
                return 0;
        }
        if (required && !*v)
                return error_set(err, ERROR_INVALID, "%s: must not be empty", field);
        if (utf8_chars(v) > max_chars)
                return error_set(err, ERROR_INVALID, "%s: longer than %zu characters", field, max_chars);
        if (has_control(v, multiline))
                return error_set(err, ERROR_INVALID, "%s: contains a control character", field);
        return 0;
}

static bool all_digits(const char *s, size_t min) {
        size_t n = 0;
        for (; *s; s++, n++)
                if (*s < '0' || *s > '9')
                        return false;
        return n >= min;
}

/* "<PREFIX>-YYYY-<min+ digits>" */
static bool year_id(const char *v, const char *prefix, size_t min_digits) {
        size_t pl = strlen(prefix);
        if (strncmp(v, prefix, pl) != 0 || v[pl] != '-')
                return false;
        const char *y = v + pl + 1;
        for (int i = 0; i < 4; i++)
                if (y[i] < '0' || y[i] > '9')
                        return false;
        if (y[4] != '-' || y[0] == '0')
                return false;
        return all_digits(y + 5, min_digits) && strlen(y + 5) <= 19;
}

/* "GHSA-" then three dash-separated groups of four characters from the
 * alphabet GitHub uses (23456789cfghjmpqrvwx), e.g. GHSA-2c2h-2855-mf97. */
static bool ghsa_id(const char *v) {
        if (strncmp(v, "GHSA-", 5) != 0 || strlen(v) != 19)
                return false;
        for (int i = 5; i < 19; i++) {
                if ((i - 4) % 5 == 0) {
                        if (v[i] != '-')
                                return false;
                } else if (!strchr("23456789cfghjmpqrvwx", v[i]) || !v[i])
                        return false;
        }
        return true;
}

int case_id_check(const char *kind, const char *value, struct error *err) {
        if (!value || !*value || strlen(value) > 64)
                return error_set(err, ERROR_INVALID, "ids.%s: '%s' is empty or longer than 64 characters", kind,
                                 value ? value : "");
        if (strcmp(kind, "cve") == 0) {
                if (!year_id(value, "CVE", 4))
                        return error_set(err, ERROR_INVALID, "ids.cve: '%s' is not CVE-YYYY-NNNN (4 or more digits)",
                                         value);
        } else if (strcmp(kind, "euvd") == 0) {
                if (!year_id(value, "EUVD", 1))
                        return error_set(err, ERROR_INVALID, "ids.euvd: '%s' is not EUVD-YYYY-N", value);
        } else if (strcmp(kind, "cwe") == 0) {
                if (strncmp(value, "CWE-", 4) != 0 || !all_digits(value + 4, 1) || strlen(value) > 14)
                        return error_set(err, ERROR_INVALID, "ids.cwe: '%s' is not CWE-N", value);
        } else if (strcmp(kind, "ghsa") == 0) {
                if (!ghsa_id(value))
                        return error_set(err, ERROR_INVALID, "ids.ghsa: '%s' is not a GHSA id (GHSA- and three groups of four of 23456789cfghjmpqrvwx)", value);
        } else
                return error_set(err, ERROR_INVALID, "ids: '%s' is not one of cve, euvd, cwe, ghsa", kind);
        return 0;
}

int case_ids_check(const json_t *ids, struct error *err) {
        if (!ids)
                return 0;
        if (!json_is_object(ids))
                return error_set(err, ERROR_INVALID, "ids: expected an object of arrays");
        const char *kind;
        json_t *arr;
        json_object_foreach((json_t *) ids, kind, arr) {
                if (!json_is_array(arr))
                        return error_set(err, ERROR_INVALID, "ids.%s: expected an array of strings", kind);
                if (json_array_size(arr) > CASE_IDS_MAX)
                        return error_set(err, ERROR_INVALID, "ids.%s: more than %d ids", kind, CASE_IDS_MAX);
                size_t i;
                json_t *v;
                json_array_foreach(arr, i, v) {
                        if (!json_is_string(v))
                                return error_set(err, ERROR_INVALID, "ids.%s[%zu]: expected a string", kind, i);
                        if (case_id_check(kind, json_string_value(v), err) < 0)
                                return -1;
                }
        }
        return 0;
}

int case_cvss_check(const char *cvss31, const char *cvss40, const char **severity, struct error *err) {
        *severity = NULL;
        int score31 = -1, score40 = -1;
        if (cvss31) {
                enum cvss_version v;
                struct error e = {0};
                if (cvss_parse(cvss31, &v, &score31, &e) < 0)
                        return error_set(err, ERROR_INVALID, "cvss31_vector: %s", e.msg);
                if (v != CVSS_V31 && v != CVSS_V30)
                        return error_set(err, ERROR_INVALID, "cvss31_vector: '%s' is not a CVSS 3.x vector", cvss31);
        }
        if (cvss40) {
                enum cvss_version v;
                struct error e = {0};
                if (cvss_parse(cvss40, &v, &score40, &e) < 0)
                        return error_set(err, ERROR_INVALID, "cvss40_vector: %s", e.msg);
                if (v != CVSS_V40)
                        return error_set(err, ERROR_INVALID, "cvss40_vector: '%s' is not a CVSS 4.0 vector", cvss40);
                if (cvss40_score(cvss40, &score40, &e) < 0)
                        return error_set(err, ERROR_INVALID, "cvss40_vector: %s", e.msg);
        }
        /* The newer version rates the case when both are given. */
        if (score40 >= 0)
                *severity = cvss_severity(score40);
        else if (score31 >= 0)
                *severity = cvss_severity(score31);
        return 0;
}

/* ---- reading ---- */

void case_info_free(struct case_info *c) {
        if (!c)
                return;
        free(c->reference);
        free(c->title);
        free(c->summary);
        free(c->state_reason);
        free(c->owner);
        free(c->version_range);
        free(c->cvss31_vector);
        free(c->cvss40_vector);
        free(c->severity);
        free(c->impact);
        free(c->aware_how);
        free(c->reporter_credit);
        free(c->created_by);
        json_decref(c->ids);
        free(c->affected);
        memset(c, 0, sizeof(*c));
}

/* Moves the row's strings into out (row is left empty). */
static int info_from_row(struct store_case *r, struct case_info *out, struct error *err) {
        memset(out, 0, sizeof(*out));
        enum case_kind kind;
        enum case_state state;
        enum case_source source;
        if (case_kind_parse(r->kind, &kind, err) < 0 || case_state_parse(r->state, &state, err) < 0 ||
            case_source_parse(r->source, &source, err) < 0)
                return error_prefix(err, "case %lld: ", (long long) r->id);
        out->id = r->id;
        out->reference = steal_ptr(r->reference);
        out->kind = kind;
        out->state = state;
        out->source = source;
        out->title = steal_ptr(r->title);
        out->summary = steal_ptr(r->summary);
        out->state_reason = steal_ptr(r->state_reason);
        out->owner = steal_ptr(r->owner);
        out->version_range = steal_ptr(r->version_range);
        out->duplicate_of = r->duplicate_of;
        out->vuln_id = r->vuln_id;
        out->release_id = r->release_id;
        out->component_id = r->component_id;
        out->finding_id = r->finding_id;
        out->cvss31_vector = steal_ptr(r->cvss31_vector);
        out->cvss40_vector = steal_ptr(r->cvss40_vector);
        out->severity = steal_ptr(r->severity);
        out->impact = steal_ptr(r->impact);
        out->fix_release_id = r->fix_release_id;
        out->fix_campaign_id = r->fix_campaign_id;
        out->fix_available_at = r->fix_available_at;
        out->exploited = r->exploited;
        out->severe_incident = r->severe_incident;
        out->aware_at = r->aware_at;
        out->incident_occurred_at = r->incident_occurred_at;
        out->aware_how = steal_ptr(r->aware_how);
        out->ack_due_at = r->ack_due_at;
        out->acknowledged_at = r->acknowledged_at;
        out->disclosure_target_at = r->disclosure_target_at;
        out->disclosed_at = r->disclosed_at;
        out->reporter_credit = steal_ptr(r->reporter_credit);
        out->created_at = r->created_at;
        out->updated_at = r->updated_at;
        out->created_by = steal_ptr(r->created_by);
        return 0;
}

int case_load(struct store *s, struct store_case *row, struct case_info *out, struct error *err) {
        if (info_from_row(row, out, err) < 0)
                return -1;
        struct store_case_affected_row *aff = NULL;
        size_t n = 0;
        if (store_case_ids_read(s, out->id, &out->ids, err) < 0 ||
            store_case_affected_read(s, out->id, &aff, &n, err) < 0) {
                case_info_free(out);
                return -1;
        }
        out->affected = xcalloc(n ? n : 1, sizeof(*out->affected));
        for (size_t i = 0; i < n; i++) {
                out->affected[i].product_id = aff[i].product_id;
                out->affected[i].release_id = aff[i].release_id;
        }
        out->naffected = n;
        free(aff);
        return 0;
}

int case_get(struct store *s, const char *id_or_reference, struct case_info *out, struct error *err) {
        memset(out, 0, sizeof(*out));
        if (!id_or_reference || !*id_or_reference)
                return error_set(err, ERROR_INVALID, "case: an id or reference is required");
        struct store_case row = {0};
        int rc;
        if (all_digits(id_or_reference, 1)) {
                char *end;
                long long id = strtoll(id_or_reference, &end, 10);
                if (id <= 0 || strlen(id_or_reference) > 18)
                        return error_set(err, ERROR_NOT_FOUND, "no case '%s'", id_or_reference);
                rc = store_case_get(s, id, NULL, &row, err);
        } else
                rc = store_case_get(s, 0, id_or_reference, &row, err);
        if (rc < 0)
                return -1;
        rc = case_load(s, &row, out, err);
        store_case_clear(&row);
        return rc;
}

/* ---- timeline ---- */

int case_timeline_append(struct store *s, int64_t case_id, const struct audit_actor *actor, const char *action,
                         json_t *details, struct error *err) {
        if (!action || !*action)
                return error_set(err, ERROR_INTERNAL, "case_timeline_append: no action");
        _cleanup_free_ char *text = details ? json_dumps(details, JSON_COMPACT | JSON_SORT_KEYS) : str_dup("{}");
        if (!text)
                return error_set(err, ERROR_INTERNAL, "case %lld: timeline details cannot be serialised",
                                 (long long) case_id);
        return store_case_timeline_insert(s, case_id, time_now(), actor && actor->name ? actor->name : "system",
                                          action, text, err);
}

int case_record_change(struct store *s, const struct audit_actor *actor, const struct case_info *c,
                       const char *what, json_t *details, struct error *err) {
        if (case_timeline_append(s, c->id, actor, what, details, err) < 0)
                return -1;
        char action[64], object[96];
        snprintf(action, sizeof(action), "case.%s", what);
        snprintf(object, sizeof(object), "case/%s", c->reference);
        return audit_append(s, actor, action, object, details, err);
}

/* ---- create ---- */

static int affected_check(struct store *s, const struct case_affected *a, size_t n, struct error *err) {
        if (n > CASE_AFFECTED_MAX)
                return error_set(err, ERROR_INVALID, "affected: more than %d entries", CASE_AFFECTED_MAX);
        for (size_t i = 0; i < n; i++) {
                bool exists;
                int64_t product = 0;
                if (store_case_ref_exists(s, "product", a[i].product_id, NULL, &exists, err) < 0)
                        return -1;
                if (!exists)
                        return error_set(err, ERROR_INVALID, "affected[%zu]: no product with id %lld", i,
                                         (long long) a[i].product_id);
                if (a[i].release_id == 0)
                        continue;
                if (store_case_ref_exists(s, "release", a[i].release_id, &product, &exists, err) < 0)
                        return -1;
                if (!exists)
                        return error_set(err, ERROR_INVALID, "affected[%zu]: no release with id %lld", i,
                                         (long long) a[i].release_id);
                if (product != a[i].product_id)
                        return error_set(err, ERROR_INVALID,
                                         "affected[%zu]: release %lld belongs to product %lld, not %lld", i,
                                         (long long) a[i].release_id, (long long) product,
                                         (long long) a[i].product_id);
        }
        return 0;
}

int case_link_point_check(struct store *s, int64_t vuln_id, int64_t release_id, int64_t component_id,
                          int64_t finding_id, struct error *err) {
        const struct {
                const char *what, *field;
                int64_t id;
        } refs[] = {{"vuln", "vuln_id", vuln_id},
                    {"release", "release_id", release_id},
                    {"component", "component_id", component_id},
                    {"finding", "finding_id", finding_id}};
        for (size_t i = 0; i < ELEMENTSOF(refs); i++) {
                if (refs[i].id == 0)
                        continue;
                bool exists;
                if (refs[i].id < 0)
                        return error_set(err, ERROR_INVALID, "%s: %lld is not an id", refs[i].field,
                                         (long long) refs[i].id);
                if (store_case_ref_exists(s, refs[i].what, refs[i].id, NULL, &exists, err) < 0)
                        return -1;
                if (!exists)
                        return error_set(err, ERROR_INVALID, "%s: no %s with id %lld", refs[i].field, refs[i].what,
                                         (long long) refs[i].id);
        }
        return 0;
}

static int ids_write(struct store *s, int64_t case_id, const json_t *ids, struct error *err) {
        if (!ids)
                return 0;
        const char *kind;
        json_t *arr;
        json_object_foreach((json_t *) ids, kind, arr) {
                size_t i;
                json_t *v;
                json_array_foreach(arr, i, v) {
                        if (store_case_id_add(s, case_id, kind, json_string_value(v), err) < 0)
                                return -1;
                }
        }
        return 0;
}

static int new_reference(struct store *s, int64_t now, char *out, size_t size, struct error *err) {
        char date[TIME_DATE_LEN];
        time_format_date(now, date);
        char prefix[16];
        snprintf(prefix, sizeof(prefix), "CASE-%.4s-", date);
        int64_t max;
        if (store_case_max_number(s, prefix, &max, err) < 0)
                return -1;
        snprintf(out, size, "%s%04lld", prefix, (long long) (max + 1));
        return 0;
}

int case_create(struct store *s, const struct audit_actor *actor, const struct case_new *n, int ack_days,
                int disclosure_days, struct case_info *out, struct error *err) {
        memset(out, 0, sizeof(*out));
        const char *severity = NULL;
        if ((unsigned) n->kind > CASE_INCIDENT)
                return error_set(err, ERROR_INVALID, "kind: not vulnerability or incident");
        if ((unsigned) n->source > CASE_SOURCE_MANUAL)
                return error_set(err, ERROR_INVALID, "source: not cvd, finding or manual");
        if (ack_days < 0 || ack_days > 365 || disclosure_days < 0 || disclosure_days > 3650)
                return error_set(err, ERROR_INVALID, "case clocks: ack_days %d or disclosure_days %d out of range",
                                 ack_days, disclosure_days);
        if (case_text_check("title", n->title, CASE_TITLE_MAX, true, false, err) < 0 ||
            case_text_check("summary", n->summary, CASE_SUMMARY_MAX, true, true, err) < 0 ||
            case_text_check("owner", n->owner, CASE_OWNER_MAX, false, false, err) < 0 ||
            case_text_check("version_range", n->version_range, CASE_VERSION_RANGE_MAX, false, false, err) < 0 ||
            case_text_check("reporter_credit", n->reporter_credit, CASE_CREDIT_MAX, false, false, err) < 0 ||
            case_ids_check(n->ids, err) < 0 ||
            case_cvss_check(n->cvss31_vector, n->cvss40_vector, &severity, err) < 0)
                return -1;
        if (!n->affected && n->naffected)
                return error_set(err, ERROR_INVALID, "affected: entries announced but none given");

        int64_t now = time_now();
        struct store_case row = {
                .kind = (char *) case_kind_name(n->kind),
                .state = (char *) case_state_name(CASE_RECEIVED),
                .source = (char *) case_source_name(n->source),
                .title = (char *) n->title,
                .summary = (char *) n->summary,
                .owner = (char *) n->owner,
                .version_range = (char *) n->version_range,
                .vuln_id = n->vuln_id,
                .release_id = n->release_id,
                .component_id = n->component_id,
                .finding_id = n->finding_id,
                .cvss31_vector = (char *) n->cvss31_vector,
                .cvss40_vector = (char *) n->cvss40_vector,
                .severity = (char *) severity,
                .ack_due_at = now + (int64_t) (ack_days ? ack_days : CASE_ACK_DAYS_DEFAULT) * 86400,
                .disclosure_target_at =
                        now + (int64_t) (disclosure_days ? disclosure_days : CASE_DISCLOSURE_DAYS_DEFAULT) * 86400,
                .reporter_credit = (char *) n->reporter_credit,
                .created_at = now,
                .updated_at = now,
                .created_by = (char *) (actor && actor->name ? actor->name : "system"),
        };
        char reference[32];

        /* Inside a caller's transaction (the KEV path) the caller commits. */
        bool own_tx = !store_in_transaction(s);
        if (own_tx && store_tx_begin(s, err) < 0)
                return -1;
        int64_t id;
        struct store_case stored = {0};
        _cleanup_json_ json_t *details = NULL;
        if (affected_check(s, n->affected, n->naffected, err) < 0 ||
            case_link_point_check(s, n->vuln_id, n->release_id, n->component_id, n->finding_id, err) < 0 ||
            new_reference(s, now, reference, sizeof(reference), err) < 0)
                goto fail;
        row.reference = reference;
        if (store_case_insert(s, &row, &id, err) < 0 || ids_write(s, id, n->ids, err) < 0)
                goto fail;
        for (size_t i = 0; i < n->naffected; i++)
                if (store_case_affected_add(s, id, n->affected[i].product_id, n->affected[i].release_id, err) < 0)
                        goto fail;
        if (store_case_get(s, id, NULL, &stored, err) < 0)
                goto fail;
        if (case_load(s, &stored, out, err) < 0) {
                store_case_clear(&stored);
                goto fail;
        }
        store_case_clear(&stored);
        details = case_to_json(out);
        if (case_record_change(s, actor, out, "create", details, err) < 0)
                goto fail;
        if (own_tx && store_tx_commit(s, err) < 0) {
                case_info_free(out);
                return -1;
        }
        return 0;
fail:
        if (own_tx)
                store_tx_rollback(s);
        case_info_free(out);
        return -1;
}

/* ---- JSON ---- */

static json_t *time_or_null(int64_t t) {
        if (!t)
                return json_null();
        char buf[TIME_RFC3339_LEN];
        time_format_rfc3339(t, buf);
        return json_string(buf);
}

static json_t *str_or_null(const char *s) {
        return s ? json_string(s) : json_null();
}

static json_t *id_or_null(int64_t id) {
        return id ? json_integer(id) : json_null();
}

/* Scores are integers x10 (9.8 -> 98), as in src/vuln: the audit chain's
 * canonical JSON has no real numbers. */
json_t *case_to_json(const struct case_info *c) {
        json_t *j = json_object();
        json_object_set_new(j, "id", json_integer(c->id));
        json_object_set_new(j, "reference", json_string(c->reference));
        json_object_set_new(j, "kind", json_string(case_kind_name(c->kind)));
        json_object_set_new(j, "state", json_string(case_state_name(c->state)));
        json_object_set_new(j, "state_reason", str_or_null(c->state_reason));
        json_object_set_new(j, "duplicate_of", id_or_null(c->duplicate_of));
        json_object_set_new(j, "source", json_string(case_source_name(c->source)));
        json_object_set_new(j, "title", str_or_null(c->title));
        json_object_set_new(j, "summary", str_or_null(c->summary));
        json_object_set_new(j, "owner", str_or_null(c->owner));
        json_object_set_new(j, "ids", c->ids ? json_deep_copy(c->ids) : json_object());
        json_t *aff = json_array();
        for (size_t i = 0; i < c->naffected; i++)
                json_array_append_new(aff, json_pack("{s:I, s:o}", "product_id", (json_int_t) c->affected[i].product_id,
                                                     "release_id", id_or_null(c->affected[i].release_id)));
        json_object_set_new(j, "affected", aff);
        json_object_set_new(j, "version_range", str_or_null(c->version_range));
        json_object_set_new(j, "link", json_pack("{s:o, s:o, s:o, s:o}", "vuln_id", id_or_null(c->vuln_id),
                                                 "release_id", id_or_null(c->release_id), "component_id",
                                                 id_or_null(c->component_id), "finding_id",
                                                 id_or_null(c->finding_id)));
        json_object_set_new(j, "cvss31_vector", str_or_null(c->cvss31_vector));
        json_object_set_new(j, "cvss40_vector", str_or_null(c->cvss40_vector));
        int score = -1;
        enum cvss_version v;
        if (c->cvss31_vector && cvss_parse(c->cvss31_vector, &v, &score, NULL) == 0 && score >= 0)
                json_object_set_new(j, "cvss31_score10", json_integer(score));
        else
                json_object_set_new(j, "cvss31_score10", json_null());
        score = -1;
        if (c->cvss40_vector && cvss40_score(c->cvss40_vector, &score, NULL) == 0 && score >= 0)
                json_object_set_new(j, "cvss40_score10", json_integer(score));
        else
                json_object_set_new(j, "cvss40_score10", json_null());
        json_object_set_new(j, "severity", str_or_null(c->severity));
        json_object_set_new(j, "impact", str_or_null(c->impact));
        json_object_set_new(j, "fix_release_id", id_or_null(c->fix_release_id));
        json_object_set_new(j, "fix_campaign_id", id_or_null(c->fix_campaign_id));
        json_object_set_new(j, "fix_available_at", time_or_null(c->fix_available_at));
        json_object_set_new(j, "exploited", json_boolean(c->exploited));
        json_object_set_new(j, "severe_incident", json_boolean(c->severe_incident));
        json_object_set_new(j, "aware_at", time_or_null(c->aware_at));
        json_object_set_new(j, "aware_how", str_or_null(c->aware_how));
        json_object_set_new(j, "incident_occurred_at", time_or_null(c->incident_occurred_at));
        json_object_set_new(j, "ack_due_at", time_or_null(c->ack_due_at));
        json_object_set_new(j, "acknowledged_at", time_or_null(c->acknowledged_at));
        json_object_set_new(j, "disclosure_target_at", time_or_null(c->disclosure_target_at));
        json_object_set_new(j, "disclosed_at", time_or_null(c->disclosed_at));
        json_object_set_new(j, "reporter_credit", str_or_null(c->reporter_credit));
        json_object_set_new(j, "created_at", time_or_null(c->created_at));
        json_object_set_new(j, "created_by", str_or_null(c->created_by));
        json_object_set_new(j, "updated_at", time_or_null(c->updated_at));
        return j;
}

/* SPDX-License-Identifier: Apache-2.0 */
/* Cases, their ids, affected products and timeline (store-case.h). */
#include <stdlib.h>
#include <string.h>
#include "core/cleanup.h"
#include "core/strutil.h"
#include "store/store-case.h"
#include "store/store-private.h"

#define CASE_COLUMNS                                                                                  \
        "id, reference, kind, state, source, title, summary, state_reason, owner, version_range, "   \
        "duplicate_of, vuln_id, release_id, component_id, finding_id, cvss31_vector, cvss40_vector, " \
        "severity, impact, fix_release_id, fix_campaign_id, fix_available_at, exploited, "            \
        "severe_incident, aware_at, incident_occurred_at, aware_how, ack_due_at, acknowledged_at, "   \
        "disclosure_target_at, disclosed_at, reporter_credit, created_at, updated_at, created_by"

void store_case_clear(struct store_case *c) {
        if (!c)
                return;
        char **strs[] = {&c->reference, &c->kind, &c->state, &c->source, &c->title, &c->summary,
                         &c->state_reason, &c->owner, &c->version_range, &c->cvss31_vector, &c->cvss40_vector,
                         &c->severity, &c->impact, &c->aware_how, &c->reporter_credit, &c->created_by};
        for (size_t i = 0; i < ELEMENTSOF(strs); i++)
                free(*strs[i]);
        memset(c, 0, sizeof(*c));
}

/* 0 binds NULL: the link columns are foreign keys where 0 means none. */
static int bind_id(struct store *s, sqlite3_stmt *st, int idx, int64_t v, struct error *err) {
        if (v == 0) {
                if (sqlite3_bind_null(st, idx) != SQLITE_OK)
                        return store_fail(s, err, "binding a parameter");
                return 0;
        }
        return store_bind_int64(s, st, idx, v, err);
}

static int64_t column_id(sqlite3_stmt *st, int col) {
        return sqlite3_column_type(st, col) == SQLITE_NULL ? 0 : sqlite3_column_int64(st, col);
}

static void case_from_row(sqlite3_stmt *st, struct store_case *c) {
        memset(c, 0, sizeof(*c));
        int i = 0;
        c->id = sqlite3_column_int64(st, i++);
        c->reference = store_column_text(st, i++);
        c->kind = store_column_text(st, i++);
        c->state = store_column_text(st, i++);
        c->source = store_column_text(st, i++);
        c->title = store_column_text(st, i++);
        c->summary = store_column_text(st, i++);
        c->state_reason = store_column_text(st, i++);
        c->owner = store_column_text(st, i++);
        c->version_range = store_column_text(st, i++);
        c->duplicate_of = column_id(st, i++);
        c->vuln_id = column_id(st, i++);
        c->release_id = column_id(st, i++);
        c->component_id = column_id(st, i++);
        c->finding_id = column_id(st, i++);
        c->cvss31_vector = store_column_text(st, i++);
        c->cvss40_vector = store_column_text(st, i++);
        c->severity = store_column_text(st, i++);
        c->impact = store_column_text(st, i++);
        c->fix_release_id = column_id(st, i++);
        c->fix_campaign_id = column_id(st, i++);
        c->fix_available_at = column_id(st, i++);
        c->exploited = sqlite3_column_int64(st, i++) != 0;
        c->severe_incident = sqlite3_column_int64(st, i++) != 0;
        c->aware_at = column_id(st, i++);
        c->incident_occurred_at = column_id(st, i++);
        c->aware_how = store_column_text(st, i++);
        c->ack_due_at = column_id(st, i++);
        c->acknowledged_at = column_id(st, i++);
        c->disclosure_target_at = column_id(st, i++);
        c->disclosed_at = column_id(st, i++);
        c->reporter_credit = store_column_text(st, i++);
        c->created_at = sqlite3_column_int64(st, i++);
        c->updated_at = sqlite3_column_int64(st, i++);
        c->created_by = store_column_text(st, i++);
}

/* Binds the mutable columns at ?1..?28 (the order of the UPDATE and the
 * tail of the INSERT). */
static int bind_mutable(struct store *s, sqlite3_stmt *st, const struct store_case *c, struct error *err) {
        int i = 1;
        if (store_bind_text(s, st, i++, c->state, err) < 0 || store_bind_text(s, st, i++, c->title, err) < 0 ||
            store_bind_text(s, st, i++, c->summary, err) < 0 ||
            store_bind_text(s, st, i++, c->state_reason, err) < 0 ||
            store_bind_text(s, st, i++, c->owner, err) < 0 ||
            store_bind_text(s, st, i++, c->version_range, err) < 0 ||
            bind_id(s, st, i++, c->duplicate_of, err) < 0 || bind_id(s, st, i++, c->vuln_id, err) < 0 ||
            bind_id(s, st, i++, c->release_id, err) < 0 || bind_id(s, st, i++, c->component_id, err) < 0 ||
            bind_id(s, st, i++, c->finding_id, err) < 0 ||
            store_bind_text(s, st, i++, c->cvss31_vector, err) < 0 ||
            store_bind_text(s, st, i++, c->cvss40_vector, err) < 0 ||
            store_bind_text(s, st, i++, c->severity, err) < 0 || store_bind_text(s, st, i++, c->impact, err) < 0 ||
            bind_id(s, st, i++, c->fix_release_id, err) < 0 || bind_id(s, st, i++, c->fix_campaign_id, err) < 0 ||
            bind_id(s, st, i++, c->fix_available_at, err) < 0 ||
            store_bind_int64(s, st, i++, c->exploited ? 1 : 0, err) < 0 ||
            store_bind_int64(s, st, i++, c->severe_incident ? 1 : 0, err) < 0 ||
            bind_id(s, st, i++, c->aware_at, err) < 0 || bind_id(s, st, i++, c->incident_occurred_at, err) < 0 ||
            store_bind_text(s, st, i++, c->aware_how, err) < 0 || bind_id(s, st, i++, c->ack_due_at, err) < 0 ||
            bind_id(s, st, i++, c->acknowledged_at, err) < 0 ||
            bind_id(s, st, i++, c->disclosure_target_at, err) < 0 ||
            bind_id(s, st, i++, c->disclosed_at, err) < 0 ||
            store_bind_text(s, st, i++, c->reporter_credit, err) < 0 ||
            store_bind_int64(s, st, i++, c->updated_at, err) < 0)
                return -1;
        return 0;
}

int store_case_max_number(struct store *s, const char *prefix, int64_t *out, struct error *err) {
        *out = 0;
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        /* substr is 1-based: the digits start right after the prefix. */
        if (store_prepare(s, "SELECT MAX(CAST(substr(reference, length(?1) + 1) AS INTEGER)) FROM cases "
                             "WHERE substr(reference, 1, length(?1)) = ?1", &st, err) < 0 ||
            store_bind_text(s, st, 1, prefix, err) < 0)
                return -1;
        int rc = store_step_row(s, st, "numbering a case", err);
        if (rc < 0)
                return -1;
        if (rc == 1)
                *out = column_id(st, 0);
        return 0;
}

int store_case_insert(struct store *s, const struct store_case *c, int64_t *id_out, struct error *err) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        if (store_prepare(s, "INSERT INTO cases (state, title, summary, state_reason, owner, version_range, "
                             "duplicate_of, vuln_id, release_id, component_id, finding_id, cvss31_vector, "
                             "cvss40_vector, severity, impact, fix_release_id, fix_campaign_id, fix_available_at, "
                             "exploited, severe_incident, aware_at, incident_occurred_at, aware_how, ack_due_at, "
                             "acknowledged_at, disclosure_target_at, disclosed_at, reporter_credit, updated_at, "
                             "reference, kind, source, created_at, created_by) VALUES (?1, ?2, ?3, ?4, ?5, ?6, "
                             "?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, "
                             "?24, ?25, ?26, ?27, ?28, ?29, ?30, ?31, ?32, ?33, ?34)", &st, err) < 0 ||
            bind_mutable(s, st, c, err) < 0 || store_bind_text(s, st, 30, c->reference, err) < 0 ||
            store_bind_text(s, st, 31, c->kind, err) < 0 || store_bind_text(s, st, 32, c->source, err) < 0 ||
            store_bind_int64(s, st, 33, c->created_at, err) < 0 ||
            store_bind_text(s, st, 34, c->created_by, err) < 0)
                return -1;
        if (sqlite3_step(st) != SQLITE_DONE) {
                if (store_is_unique_violation(s, NULL, 0))
                        return error_set(err, ERROR_CONFLICT, "a case with reference '%s' exists already",
                                         c->reference);
                return store_fail(s, err, "inserting a case");
        }
        if (id_out)
                *id_out = sqlite3_last_insert_rowid(s->db);
        return 0;
}

int store_case_update(struct store *s, const struct store_case *c, struct error *err) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        if (store_prepare(s, "UPDATE cases SET state = ?1, title = ?2, summary = ?3, state_reason = ?4, "
                             "owner = ?5, version_range = ?6, duplicate_of = ?7, vuln_id = ?8, release_id = ?9, "
                             "component_id = ?10, finding_id = ?11, cvss31_vector = ?12, cvss40_vector = ?13, "
                             "severity = ?14, impact = ?15, fix_release_id = ?16, fix_campaign_id = ?17, "
                             "fix_available_at = ?18, exploited = ?19, severe_incident = ?20, aware_at = ?21, "
                             "incident_occurred_at = ?22, aware_how = ?23, ack_due_at = ?24, "
                             "acknowledged_at = ?25, disclosure_target_at = ?26, disclosed_at = ?27, "
                             "reporter_credit = ?28, updated_at = ?29 WHERE id = ?30", &st, err) < 0 ||
            bind_mutable(s, st, c, err) < 0 || store_bind_int64(s, st, 30, c->id, err) < 0)
                return -1;
        if (store_step_done(s, st, "updating a case", err) < 0)
                return -1;
        if (sqlite3_changes(s->db) == 0)
                return error_set(err, ERROR_NOT_FOUND, "no case with id %lld", (long long) c->id);
        return 0;
}

int store_case_get(struct store *s, int64_t id, const char *reference, struct store_case *out,
                   struct error *err) {
        memset(out, 0, sizeof(*out));
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        if (reference) {
                if (store_prepare(s, "SELECT " CASE_COLUMNS " FROM cases WHERE reference = ?1", &st, err) < 0 ||
                    store_bind_text(s, st, 1, reference, err) < 0)
                        return -1;
        } else if (store_prepare(s, "SELECT " CASE_COLUMNS " FROM cases WHERE id = ?1", &st, err) < 0 ||
                   store_bind_int64(s, st, 1, id, err) < 0)
                return -1;
        int rc = store_step_row(s, st, "reading a case", err);
        if (rc < 0)
                return -1;
        if (rc == 0)
                return reference ? error_set(err, ERROR_NOT_FOUND, "no case '%s'", reference)
                                 : error_set(err, ERROR_NOT_FOUND, "no case with id %lld", (long long) id);
        case_from_row(st, out);
        return 0;
}

int store_case_by_vuln(struct store *s, int64_t vuln_id, struct store_case *out, struct error *err) {
        memset(out, 0, sizeof(*out));
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        if (store_prepare(s, "SELECT " CASE_COLUMNS " FROM cases WHERE vuln_id = ?1 AND state NOT IN "
                             "('rejected', 'duplicate', 'not_a_vulnerability') ORDER BY id DESC LIMIT 1",
                          &st, err) < 0 ||
            store_bind_int64(s, st, 1, vuln_id, err) < 0)
                return -1;
        int rc = store_step_row(s, st, "finding the case of a vulnerability", err);
        if (rc == 1)
                case_from_row(st, out);
        return rc;
}

static int collect(struct store *s, sqlite3_stmt *st, struct store_case **out, size_t *n_out, struct error *err) {
        struct store_case *list = NULL;
        size_t n = 0;
        int rc;
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
                list = xrealloc(list, (n + 1) * sizeof(*list));
                case_from_row(st, &list[n++]);
        }
        if (rc != SQLITE_DONE) {
                store_case_list_free(list, n);
                return store_fail(s, err, "listing cases");
        }
        *out = list;
        *n_out = n;
        return 0;
}

int store_case_list(struct store *s, const char *state, int64_t before_id, int64_t limit, struct store_case **out,
                    size_t *n_out, struct error *err) {
        *out = NULL;
        *n_out = 0;
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        if (store_prepare(s, "SELECT " CASE_COLUMNS " FROM cases WHERE (?1 IS NULL OR state = ?1) "
                             "AND (?3 = 0 OR id < ?3) ORDER BY id DESC LIMIT ?2", &st, err) < 0 ||
            store_bind_text(s, st, 1, state, err) < 0 || store_bind_int64(s, st, 2, limit, err) < 0 ||
            store_bind_int64(s, st, 3, before_id, err) < 0)
                return -1;
        return collect(s, st, out, n_out, err);
}

int store_case_list_clocked(struct store *s, struct store_case **out, size_t *n_out, struct error *err) {
        *out = NULL;
        *n_out = 0;
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        if (store_prepare(s, "SELECT " CASE_COLUMNS " FROM cases WHERE (exploited = 1 OR severe_incident = 1) "
                             "AND aware_at IS NOT NULL AND state NOT IN ('closed', 'rejected', 'duplicate', "
                             "'not_a_vulnerability') ORDER BY id", &st, err) < 0)
                return -1;
        return collect(s, st, out, n_out, err);
}

void store_case_list_free(struct store_case *list, size_t n) {
        for (size_t i = 0; i < n; i++)
                store_case_clear(&list[i]);
        free(list);
}

int store_case_id_add(struct store *s, int64_t case_id, const char *kind, const char *value, struct error *err) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        if (store_prepare(s, "INSERT INTO case_ids (case_id, kind, value) VALUES (?1, ?2, ?3) "
                             "ON CONFLICT DO NOTHING", &st, err) < 0 ||
            store_bind_int64(s, st, 1, case_id, err) < 0 || store_bind_text(s, st, 2, kind, err) < 0 ||
            store_bind_text(s, st, 3, value, err) < 0)
                return -1;
        return store_step_done(s, st, "recording a case id", err);
}

int store_case_ids_read(struct store *s, int64_t case_id, json_t **out, struct error *err) {
        *out = NULL;
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        if (store_prepare(s, "SELECT kind, value FROM case_ids WHERE case_id = ?1 ORDER BY kind, value", &st,
                          err) < 0 ||
            store_bind_int64(s, st, 1, case_id, err) < 0)
                return -1;
        json_t *ids = json_object();
        int rc;
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
                const char *kind = (const char *) sqlite3_column_text(st, 0);
                const char *value = (const char *) sqlite3_column_text(st, 1);
                if (!kind || !value)
                        continue;
                json_t *a = json_object_get(ids, kind);
                if (!a) {
                        a = json_array();
                        json_object_set_new(ids, kind, a);
                }
                json_array_append_new(a, json_string(value));
        }
        if (rc != SQLITE_DONE) {
                json_decref(ids);
                return store_fail(s, err, "reading case ids");
        }
        *out = ids;
        return 0;
}

int store_case_affected_add(struct store *s, int64_t case_id, int64_t product_id, int64_t release_id,
                            struct error *err) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        if (store_prepare(s, "INSERT INTO case_affected (case_id, product_id, release_id) VALUES (?1, ?2, ?3) "
                             "ON CONFLICT DO NOTHING", &st, err) < 0 ||
            store_bind_int64(s, st, 1, case_id, err) < 0 || store_bind_int64(s, st, 2, product_id, err) < 0 ||
            bind_id(s, st, 3, release_id, err) < 0)
                return -1;
        return store_step_done(s, st, "recording an affected product", err);
}

int store_case_affected_read(struct store *s, int64_t case_id, struct store_case_affected_row **out, size_t *n_out,
                             struct error *err) {
        *out = NULL;
        *n_out = 0;
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        if (store_prepare(s, "SELECT product_id, release_id FROM case_affected WHERE case_id = ?1 "
                             "ORDER BY product_id, release_id", &st, err) < 0 ||
            store_bind_int64(s, st, 1, case_id, err) < 0)
                return -1;
        struct store_case_affected_row *rows = NULL;
        size_t n = 0;
        int rc;
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
                rows = xrealloc(rows, (n + 1) * sizeof(*rows));
                rows[n].product_id = sqlite3_column_int64(st, 0);
                rows[n].release_id = column_id(st, 1);
                n++;
        }
        if (rc != SQLITE_DONE) {
                free(rows);
                return store_fail(s, err, "reading affected products");
        }
        *out = rows;
        *n_out = n;
        return 0;
}

int store_case_timeline_insert(struct store *s, int64_t case_id, int64_t time, const char *actor,
                               const char *action, const char *details_json, struct error *err) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        if (store_prepare(s, "INSERT INTO case_timeline (case_id, time, actor, action, details) "
                             "VALUES (?1, ?2, ?3, ?4, ?5)", &st, err) < 0 ||
            store_bind_int64(s, st, 1, case_id, err) < 0 || store_bind_int64(s, st, 2, time, err) < 0 ||
            store_bind_text(s, st, 3, actor, err) < 0 || store_bind_text(s, st, 4, action, err) < 0 ||
            store_bind_text(s, st, 5, details_json, err) < 0)
                return -1;
        return store_step_done(s, st, "appending to a case timeline", err);
}

int store_case_timeline_read(struct store *s, int64_t case_id, json_t **out, struct error *err) {
        *out = NULL;
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        if (store_prepare(s, "SELECT time, actor, action, details FROM case_timeline WHERE case_id = ?1 "
                             "ORDER BY id", &st, err) < 0 ||
            store_bind_int64(s, st, 1, case_id, err) < 0)
                return -1;
        json_t *a = json_array();
        int rc;
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
                const char *details = (const char *) sqlite3_column_text(st, 3);
                json_t *d = details ? json_loads(details, 0, NULL) : NULL;
                json_array_append_new(a, json_pack("{s:I, s:s?, s:s?, s:o}", "time",
                                                   (json_int_t) sqlite3_column_int64(st, 0), "actor",
                                                   (const char *) sqlite3_column_text(st, 1), "action",
                                                   (const char *) sqlite3_column_text(st, 2), "details",
                                                   d ? d : json_object()));
        }
        if (rc != SQLITE_DONE) {
                json_decref(a);
                return store_fail(s, err, "reading a case timeline");
        }
        *out = a;
        return 0;
}

int store_case_ref_exists(struct store *s, const char *what, int64_t id, int64_t *product_id, bool *exists,
                          struct error *err) {
        *exists = false;
        /* Table names cannot be bound: one constant statement per kind. */
        static const struct {
                const char *what, *sql;
        } q[] = {
                {"product", "SELECT id, id FROM products WHERE id = ?1"},
                {"release", "SELECT id, product_id FROM releases WHERE id = ?1"},
                {"vuln", "SELECT id, 0 FROM vulns WHERE id = ?1"},
                {"component", "SELECT id, 0 FROM sbom_components WHERE id = ?1"},
                {"finding", "SELECT id, 0 FROM findings WHERE id = ?1"},
                {"campaign", "SELECT id, product_id FROM campaigns WHERE id = ?1"},
                {"case", "SELECT id, 0 FROM cases WHERE id = ?1"},
        };
        for (size_t i = 0; i < ELEMENTSOF(q); i++) {
                if (strcmp(q[i].what, what) != 0)
                        continue;
                _cleanup_stmt_ sqlite3_stmt *st = NULL;
                if (store_prepare(s, q[i].sql, &st, err) < 0 || store_bind_int64(s, st, 1, id, err) < 0)
                        return -1;
                int rc = store_step_row(s, st, "checking a reference", err);
                if (rc < 0)
                        return -1;
                *exists = rc == 1;
                if (rc == 1 && product_id)
                        *product_id = sqlite3_column_int64(st, 1);
                return 0;
        }
        return error_set(err, ERROR_INTERNAL, "store_case_ref_exists: unknown kind '%s'", what);
}

int store_case_release_published(struct store *s, int64_t release_id, bool *published, int64_t *published_at,
                                 struct error *err) {
        *published = false;
        *published_at = 0;
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        if (store_prepare(s, "SELECT status, published_at FROM releases WHERE id = ?1", &st, err) < 0 ||
            store_bind_int64(s, st, 1, release_id, err) < 0)
                return -1;
        int rc = store_step_row(s, st, "reading a release", err);
        if (rc < 0)
                return -1;
        if (rc == 0)
                return error_set(err, ERROR_NOT_FOUND, "no release with id %lld", (long long) release_id);
        const char *status = (const char *) sqlite3_column_text(st, 0);
        *published = status && strcmp(status, "published") == 0;
        *published_at = column_id(st, 1);
        return 0;
}

int store_case_vuln_id(struct store *s, const char *name, int64_t *id, struct error *err) {
        *id = 0;
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        if (store_prepare(s, "SELECT id FROM vulns WHERE name = ?1", &st, err) < 0 ||
            store_bind_text(s, st, 1, name, err) < 0)
                return -1;
        int rc = store_step_row(s, st, "finding a vulnerability", err);
        if (rc == 1)
                *id = sqlite3_column_int64(st, 0);
        return rc < 0 ? -1 : 0;
}

int store_case_vuln_cvss(struct store *s, int64_t vuln_id, char **vector, struct error *err) {
        *vector = NULL;
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        if (store_prepare(s, "SELECT cvss_vector FROM vulns WHERE id = ?1", &st, err) < 0 ||
            store_bind_int64(s, st, 1, vuln_id, err) < 0)
                return -1;
        int rc = store_step_row(s, st, "reading a vulnerability's CVSS vector", err);
        if (rc == 1 && sqlite3_column_type(st, 0) == SQLITE_TEXT)
                *vector = str_dup((const char *) sqlite3_column_text(st, 0));
        return rc < 0 ? -1 : 0;
}

int store_case_campaign_release(struct store *s, int64_t campaign_id, int64_t *release_id, struct error *err) {
        *release_id = 0;
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        if (store_prepare(s, "SELECT release_id FROM campaigns WHERE id = ?1", &st, err) < 0 ||
            store_bind_int64(s, st, 1, campaign_id, err) < 0)
                return -1;
        int rc = store_step_row(s, st, "reading a campaign", err);
        if (rc == 1)
                *release_id = sqlite3_column_int64(st, 0);
        return rc < 0 ? -1 : 0;
}

int store_case_reminder_insert(struct store *s, int64_t case_id, const char *track, const char *report,
                               const char *point, int64_t due_at, int64_t fired_at, const char *body,
                               bool webhook, bool *inserted, struct error *err) {
        *inserted = false;
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        if (store_prepare(s, "INSERT INTO case_reminders (case_id, track, report, point, due_at, fired_at, body, "
                             "webhook_state, webhook_next_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) "
                             "ON CONFLICT DO NOTHING", &st, err) < 0 ||
            store_bind_int64(s, st, 1, case_id, err) < 0 || store_bind_text(s, st, 2, track, err) < 0 ||
            store_bind_text(s, st, 3, report, err) < 0 || store_bind_text(s, st, 4, point, err) < 0 ||
            store_bind_int64(s, st, 5, due_at, err) < 0 || store_bind_int64(s, st, 6, fired_at, err) < 0 ||
            store_bind_text(s, st, 7, body, err) < 0 ||
            store_bind_text(s, st, 8, webhook ? "pending" : "none", err) < 0 ||
            bind_id(s, st, 9, webhook ? fired_at : 0, err) < 0)
                return -1;
        if (store_step_done(s, st, "recording a reminder", err) < 0)
                return -1;
        *inserted = sqlite3_changes(s->db) == 1;
        return 0;
}

int store_case_webhook_due(struct store *s, int64_t now, int64_t limit, struct store_case_webhook **out, size_t *n_out,
                           struct error *err) {
        *out = NULL;
        *n_out = 0;
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        if (store_prepare(s, "SELECT case_id, track, report, point, due_at, body, webhook_attempts FROM case_reminders "
                             "WHERE webhook_state = 'pending' AND webhook_next_at <= ?1 "
                             "ORDER BY fired_at, case_id LIMIT ?2", &st, err) < 0 ||
            store_bind_int64(s, st, 1, now, err) < 0 || store_bind_int64(s, st, 2, limit, err) < 0)
                return -1;
        struct store_case_webhook *l = NULL;
        size_t n = 0;
        int rc;
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
                l = xrealloc(l, (n + 1) * sizeof(*l));
                l[n].case_id = sqlite3_column_int64(st, 0);
                l[n].track = store_column_text(st, 1);
                l[n].report = store_column_text(st, 2);
                l[n].point = store_column_text(st, 3);
                l[n].due_at = sqlite3_column_int64(st, 4);
                l[n].body = store_column_text(st, 5);
                l[n].attempts = sqlite3_column_int64(st, 6);
                n++;
        }
        if (rc != SQLITE_DONE) {
                store_case_webhook_list_free(l, n);
                return store_fail(s, err, "listing webhook deliveries");
        }
        *out = l;
        *n_out = n;
        return 0;
}

void store_case_webhook_list_free(struct store_case_webhook *l, size_t n) {
        for (size_t i = 0; i < n; i++) {
                free(l[i].track);
                free(l[i].report);
                free(l[i].point);
                free(l[i].body);
        }
        free(l);
}

int store_case_webhook_update(struct store *s, const struct store_case_webhook *w, const char *state,
                              int64_t attempts, int64_t next_at, const char *error, struct error *err) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        if (store_prepare(s, "UPDATE case_reminders SET webhook_state = ?1, webhook_attempts = ?2, "
                             "webhook_next_at = ?3, webhook_last_error = ?4 WHERE case_id = ?5 AND track = ?6 AND "
                             "report = ?7 AND point = ?8 AND due_at = ?9", &st, err) < 0 ||
            store_bind_text(s, st, 1, state, err) < 0 || store_bind_int64(s, st, 2, attempts, err) < 0 ||
            bind_id(s, st, 3, next_at, err) < 0 || store_bind_text(s, st, 4, error, err) < 0 ||
            store_bind_int64(s, st, 5, w->case_id, err) < 0 || store_bind_text(s, st, 6, w->track, err) < 0 ||
            store_bind_text(s, st, 7, w->report, err) < 0 || store_bind_text(s, st, 8, w->point, err) < 0 ||
            store_bind_int64(s, st, 9, w->due_at, err) < 0)
                return -1;
        return store_step_done(s, st, "updating a webhook delivery", err);
}

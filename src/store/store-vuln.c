/* SPDX-License-Identifier: Apache-2.0 */
/* vulns, vuln_aliases, vuln_records, vuln_affected, vuln_match_queue rows (store-vuln.h). */
#include "store/store-vuln.h"

#include <stdlib.h>
#include <string.h>

#include "core/cleanup.h"
#include "core/strutil.h"
#include "store/store-identity-private.h"

#define VULN_COLUMNS                                                                                   \
        "v.id, v.name, v.summary, v.cvss_vector, v.cvss_score10, v.severity, v.published_at, "         \
        "v.modified_at, v.withdrawn_at, v.exploited_at, v.exploited_source, v.epss, v.epss_percentile, " \
        "v.updated_at"

static void read_vuln(sqlite3_stmt *st, struct store_vuln *v) {
        memset(v, 0, sizeof(*v));
        v->id = sqlite3_column_int64(st, 0);
        v->name = store_column_text(st, 1);
        v->summary = store_column_text(st, 2);
        v->cvss_vector = store_column_text(st, 3);
        v->cvss_score10 = sqlite3_column_type(st, 4) == SQLITE_NULL ? -1 : sqlite3_column_int(st, 4);
        v->severity = store_column_text(st, 5);
        v->published_at = store_column_opt_int64(st, 6);
        v->modified_at = store_column_opt_int64(st, 7);
        v->withdrawn_at = store_column_opt_int64(st, 8);
        v->exploited_at = store_column_opt_int64(st, 9);
        v->exploited_source = store_column_text(st, 10);
        v->epss = store_column_text(st, 11);
        v->epss_percentile = store_column_text(st, 12);
        v->updated_at = sqlite3_column_int64(st, 13);
}

void store_vuln_clear(struct store_vuln *v) {
        if (!v)
                return;
        free(v->name);
        free(v->summary);
        free(v->cvss_vector);
        free(v->severity);
        free(v->exploited_source);
        free(v->epss);
        free(v->epss_percentile);
        memset(v, 0, sizeof(*v));
}

void store_vuln_list_free(struct store_vuln *list, size_t n) {
        for (size_t i = 0; i < n; i++)
                store_vuln_clear(&list[i]);
        free(list);
}

static int get_one(struct store *s, const char *sql, int64_t id, const char *text, struct store_vuln *out,
                   struct error *err) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        if (store_prepare(s, sql, &st, err) < 0)
                return -1;
        if (text ? store_bind_text(s, st, 1, text, err) < 0 : store_bind_int64(s, st, 1, id, err) < 0)
                return -1;
        int rc = store_step_row(s, st, "reading a vulnerability", err);
        if (rc == 1)
                read_vuln(st, out);
        return rc;
}

int store_vuln_get(struct store *s, int64_t id, struct store_vuln *out, struct error *err) {
        return get_one(s, "SELECT " VULN_COLUMNS " FROM vulns v WHERE v.id = ?1", id, NULL, out, err);
}

int store_vuln_get_by_alias(struct store *s, const char *alias, struct store_vuln *out, struct error *err) {
        return get_one(s, "SELECT " VULN_COLUMNS " FROM vuln_aliases a JOIN vulns v ON v.id = a.vuln_id "
                          "WHERE a.alias = ?1", 0, alias, out, err);
}

int store_vuln_create(struct store *s, const char *name, int64_t now, int64_t *id, struct error *err) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        if (store_prepare(s, "INSERT INTO vulns (name, updated_at) VALUES (?1, ?2)", &st, err) < 0 ||
            store_bind_text(s, st, 1, name, err) < 0 || store_bind_int64(s, st, 2, now, err) < 0 ||
            store_step_done(s, st, "creating a vulnerability", err) < 0)
                return -1;
        *id = sqlite3_last_insert_rowid(s->db);
        return 0;
}

int store_vuln_rename(struct store *s, int64_t id, const char *name, int64_t now, struct error *err) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        if (store_prepare(s, "UPDATE vulns SET name = ?2, updated_at = ?3 WHERE id = ?1", &st, err) < 0 ||
            store_bind_int64(s, st, 1, id, err) < 0 || store_bind_text(s, st, 2, name, err) < 0 ||
            store_bind_int64(s, st, 3, now, err) < 0 || store_step_done(s, st, "renaming a vulnerability", err) < 0)
                return -1;
        return 0;
}

int store_vuln_update_derived(struct store *s, const struct store_vuln *v, struct error *err) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        if (store_prepare(s, "UPDATE vulns SET summary = ?2, cvss_vector = ?3, cvss_score10 = ?4, severity = ?5, "
                             "published_at = ?6, modified_at = ?7, withdrawn_at = ?8, exploited_at = ?9, "
                             "exploited_source = ?10, updated_at = ?11 WHERE id = ?1", &st, err) < 0 ||
            store_bind_int64(s, st, 1, v->id, err) < 0 || store_bind_text(s, st, 2, v->summary, err) < 0 ||
            store_bind_text(s, st, 3, v->cvss_vector, err) < 0)
                return -1;
        if (v->cvss_score10 < 0 ? sqlite3_bind_null(st, 4) != SQLITE_OK
                                : sqlite3_bind_int(st, 4, v->cvss_score10) != SQLITE_OK)
                return store_fail(s, err, "binding a score");
        if (store_bind_text(s, st, 5, v->severity, err) < 0 ||
            store_bind_opt_int64(s, st, 6, v->published_at, err) < 0 ||
            store_bind_opt_int64(s, st, 7, v->modified_at, err) < 0 ||
            store_bind_opt_int64(s, st, 8, v->withdrawn_at, err) < 0 ||
            store_bind_opt_int64(s, st, 9, v->exploited_at, err) < 0 ||
            store_bind_text(s, st, 10, v->exploited_source, err) < 0 ||
            store_bind_int64(s, st, 11, v->updated_at, err) < 0 ||
            store_step_done(s, st, "updating a vulnerability", err) < 0)
                return -1;
        return 0;
}

int store_vuln_set_epss(struct store *s, int64_t id, const char *epss, const char *percentile, int64_t now,
                        struct error *err) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        if (store_prepare(s, "UPDATE vulns SET epss = ?2, epss_percentile = ?3, updated_at = ?4 WHERE id = ?1", &st,
                          err) < 0 ||
            store_bind_int64(s, st, 1, id, err) < 0 || store_bind_text(s, st, 2, epss, err) < 0 ||
            store_bind_text(s, st, 3, percentile, err) < 0 || store_bind_int64(s, st, 4, now, err) < 0 ||
            store_step_done(s, st, "setting EPSS", err) < 0)
                return -1;
        return 0;
}

int store_vuln_list(struct store *s, const struct store_vuln_filter *f, struct store_vuln **out, size_t *n_out,
                    struct error *err) {
        *out = NULL;
        *n_out = 0;
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        /* q matches a substring of the name, any alias or the summary,
         * case-insensitively for ASCII (LOWER on both sides). */
        if (store_prepare(s, "SELECT " VULN_COLUMNS " FROM vulns v WHERE v.id > ?1 "
                             "AND (?2 = 0 OR v.exploited_at IS NOT NULL) "
                             "AND (?3 IS NULL OR LOWER(v.name) LIKE ?3 ESCAPE '\\' OR LOWER(v.summary) LIKE ?3 "
                             "ESCAPE '\\' OR EXISTS (SELECT 1 FROM vuln_aliases a WHERE a.vuln_id = v.id AND "
                             "LOWER(a.alias) LIKE ?3 ESCAPE '\\')) ORDER BY v.id LIMIT ?4", &st, err) < 0)
                return -1;
        _cleanup_free_ char *pattern = NULL;
        if (f->q) {
                struct buf b = {0};
                buf_append(&b, "%", 1);
                for (const char *p = f->q; *p; p++) {
                        char c = (char) ((*p >= 'A' && *p <= 'Z') ? *p + 32 : *p);
                        if (c == '%' || c == '_' || c == '\\')
                                buf_append(&b, "\\", 1);
                        buf_append(&b, &c, 1);
                }
                buf_append(&b, "%", 1);
                pattern = buf_steal(&b);
        }
        if (store_bind_int64(s, st, 1, f->after_id, err) < 0 || store_bind_int64(s, st, 2, f->exploited, err) < 0 ||
            store_bind_text(s, st, 3, pattern, err) < 0 ||
            store_bind_int64(s, st, 4, (int64_t) store_list_limit(f->limit), err) < 0)
                return -1;
        struct store_vuln *list = NULL;
        size_t n = 0, cap = 0;
        int rc;
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
                STORE_LIST_GROW(list, n, cap);
                read_vuln(st, &list[n++]);
        }
        if (rc != SQLITE_DONE) {
                store_vuln_list_free(list, n);
                return store_fail(s, err, "listing vulnerabilities");
        }
        *out = list;
        *n_out = n;
        return 0;
}

int store_vuln_alias_find(struct store *s, const char *alias, int64_t *vuln_id, struct error *err) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        if (store_prepare(s, "SELECT vuln_id FROM vuln_aliases WHERE alias = ?1", &st, err) < 0 ||
            store_bind_text(s, st, 1, alias, err) < 0)
                return -1;
        int rc = store_step_row(s, st, "looking up an alias", err);
        if (rc == 1)
                *vuln_id = sqlite3_column_int64(st, 0);
        return rc;
}

int store_vuln_alias_set(struct store *s, const char *alias, int64_t vuln_id, struct error *err) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        if (store_prepare(s, "INSERT INTO vuln_aliases (alias, vuln_id) VALUES (?1, ?2) "
                             "ON CONFLICT (alias) DO UPDATE SET vuln_id = excluded.vuln_id", &st, err) < 0 ||
            store_bind_text(s, st, 1, alias, err) < 0 || store_bind_int64(s, st, 2, vuln_id, err) < 0 ||
            store_step_done(s, st, "recording an alias", err) < 0)
                return -1;
        return 0;
}

void store_vuln_strv_free(char **v, size_t n) {
        for (size_t i = 0; i < n; i++)
                free(v[i]);
        free(v);
}

int store_vuln_aliases_of(struct store *s, int64_t vuln_id, char ***out, size_t *n_out, struct error *err) {
        *out = NULL;
        *n_out = 0;
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        if (store_prepare(s, "SELECT alias FROM vuln_aliases WHERE vuln_id = ?1 ORDER BY alias", &st, err) < 0 ||
            store_bind_int64(s, st, 1, vuln_id, err) < 0)
                return -1;
        char **list = NULL;
        size_t n = 0, cap = 0;
        int rc;
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
                STORE_LIST_GROW(list, n, cap);
                list[n++] = store_column_text(st, 0);
        }
        if (rc != SQLITE_DONE) {
                store_vuln_strv_free(list, n);
                return store_fail(s, err, "listing aliases");
        }
        *out = list;
        *n_out = n;
        return 0;
}

void store_vuln_record_clear(struct store_vuln_record *r) {
        if (!r)
                return;
        free(r->source);
        free(r->record_id);
        free(r->modified);
        free(r->withdrawn);
        free(r->content_sha256);
        free(r->data);
        memset(r, 0, sizeof(*r));
}

void store_vuln_record_list_free(struct store_vuln_record *list, size_t n) {
        for (size_t i = 0; i < n; i++)
                store_vuln_record_clear(&list[i]);
        free(list);
}

int store_vuln_record_find(struct store *s, const char *source, const char *record_id,
                           struct store_vuln_record *out, struct error *err) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        if (store_prepare(s, "SELECT id, vuln_id, modified, withdrawn, content_sha256, imported_at FROM vuln_records "
                             "WHERE source = ?1 AND record_id = ?2", &st, err) < 0 ||
            store_bind_text(s, st, 1, source, err) < 0 || store_bind_text(s, st, 2, record_id, err) < 0)
                return -1;
        int rc = store_step_row(s, st, "looking up a vulnerability record", err);
        if (rc == 1) {
                memset(out, 0, sizeof(*out));
                out->id = sqlite3_column_int64(st, 0);
                out->vuln_id = sqlite3_column_int64(st, 1);
                out->source = str_dup(source);
                out->record_id = str_dup(record_id);
                out->modified = store_column_text(st, 2);
                out->withdrawn = store_column_text(st, 3);
                out->content_sha256 = store_column_text(st, 4);
                out->imported_at = sqlite3_column_int64(st, 5);
        }
        return rc;
}

char *store_vuln_record_data(struct store *s, int64_t id, struct error *err) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        if (store_prepare(s, "SELECT data FROM vuln_records WHERE id = ?1", &st, err) < 0 ||
            store_bind_int64(s, st, 1, id, err) < 0)
                return NULL;
        int rc = store_step_row(s, st, "reading a vulnerability record", err);
        if (rc == 0)
                error_set(err, ERROR_NOT_FOUND, "vulnerability record %lld not found", (long long) id);
        return rc == 1 ? store_column_text(st, 0) : NULL;
}

int store_vuln_record_insert(struct store *s, const struct store_vuln_record *r, int64_t *id, struct error *err) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        if (store_prepare(s, "INSERT INTO vuln_records (vuln_id, source, record_id, modified, withdrawn, "
                             "content_sha256, data, imported_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)", &st,
                          err) < 0 ||
            store_bind_int64(s, st, 1, r->vuln_id, err) < 0 || store_bind_text(s, st, 2, r->source, err) < 0 ||
            store_bind_text(s, st, 3, r->record_id, err) < 0 || store_bind_text(s, st, 4, r->modified, err) < 0 ||
            store_bind_text(s, st, 5, r->withdrawn, err) < 0 ||
            store_bind_text(s, st, 6, r->content_sha256, err) < 0 || store_bind_text(s, st, 7, r->data, err) < 0 ||
            store_bind_int64(s, st, 8, r->imported_at, err) < 0 ||
            store_step_done(s, st, "recording a vulnerability record", err) < 0)
                return -1;
        *id = sqlite3_last_insert_rowid(s->db);
        return 0;
}

int store_vuln_record_update(struct store *s, const struct store_vuln_record *r, struct error *err) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        if (store_prepare(s, "UPDATE vuln_records SET vuln_id = ?2, modified = ?3, withdrawn = ?4, "
                             "content_sha256 = ?5, data = ?6, imported_at = ?7 WHERE id = ?1", &st, err) < 0 ||
            store_bind_int64(s, st, 1, r->id, err) < 0 || store_bind_int64(s, st, 2, r->vuln_id, err) < 0 ||
            store_bind_text(s, st, 3, r->modified, err) < 0 || store_bind_text(s, st, 4, r->withdrawn, err) < 0 ||
            store_bind_text(s, st, 5, r->content_sha256, err) < 0 || store_bind_text(s, st, 6, r->data, err) < 0 ||
            store_bind_int64(s, st, 7, r->imported_at, err) < 0 ||
            store_step_done(s, st, "updating a vulnerability record", err) < 0)
                return -1;
        return 0;
}

int store_vuln_records_of(struct store *s, int64_t vuln_id, struct store_vuln_record **out, size_t *n_out,
                          struct error *err) {
        *out = NULL;
        *n_out = 0;
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        if (store_prepare(s, "SELECT id, vuln_id, source, record_id, modified, withdrawn, content_sha256, data, "
                             "imported_at FROM vuln_records WHERE vuln_id = ?1 ORDER BY id", &st, err) < 0 ||
            store_bind_int64(s, st, 1, vuln_id, err) < 0)
                return -1;
        struct store_vuln_record *list = NULL;
        size_t n = 0, cap = 0;
        int rc;
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
                STORE_LIST_GROW(list, n, cap);
                struct store_vuln_record *r = &list[n++];
                r->id = sqlite3_column_int64(st, 0);
                r->vuln_id = sqlite3_column_int64(st, 1);
                r->source = store_column_text(st, 2);
                r->record_id = store_column_text(st, 3);
                r->modified = store_column_text(st, 4);
                r->withdrawn = store_column_text(st, 5);
                r->content_sha256 = store_column_text(st, 6);
                r->data = store_column_text(st, 7);
                r->imported_at = sqlite3_column_int64(st, 8);
        }
        if (rc != SQLITE_DONE) {
                store_vuln_record_list_free(list, n);
                return store_fail(s, err, "listing vulnerability records");
        }
        *out = list;
        *n_out = n;
        return 0;
}

int store_vuln_affected_delete(struct store *s, int64_t record_id, struct error *err) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        if (store_prepare(s, "DELETE FROM vuln_affected WHERE record_id = ?1", &st, err) < 0 ||
            store_bind_int64(s, st, 1, record_id, err) < 0 ||
            store_step_done(s, st, "removing affected entries", err) < 0)
                return -1;
        return 0;
}

int store_vuln_affected_insert(struct store *s, int64_t record_id, const char *kind, const char *match_key,
                               const char *name_key, const char *data, struct error *err) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        if (store_prepare(s, "INSERT INTO vuln_affected (record_id, kind, match_key, name_key, data) "
                             "VALUES (?1, ?2, ?3, ?4, ?5)", &st, err) < 0 ||
            store_bind_int64(s, st, 1, record_id, err) < 0 || store_bind_text(s, st, 2, kind, err) < 0 ||
            store_bind_text(s, st, 3, match_key, err) < 0 || store_bind_text(s, st, 4, name_key, err) < 0 ||
            store_bind_text(s, st, 5, data, err) < 0 ||
            store_step_done(s, st, "recording an affected entry", err) < 0)
                return -1;
        return 0;
}

void store_vuln_affected_list_free(struct store_vuln_affected *list, size_t n) {
        for (size_t i = 0; i < n; i++) {
                free(list[i].source);
                free(list[i].record_id);
                free(list[i].kind);
                free(list[i].match_key);
                free(list[i].name_key);
                free(list[i].data);
        }
        free(list);
}

int store_vuln_affected_of(struct store *s, int64_t vuln_id, struct store_vuln_affected **out, size_t *n_out,
                           struct error *err) {
        *out = NULL;
        *n_out = 0;
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        if (store_prepare(s, "SELECT r.source, r.record_id, a.kind, a.match_key, a.name_key, a.data "
                             "FROM vuln_affected a JOIN vuln_records r ON r.id = a.record_id "
                             "WHERE r.vuln_id = ?1 ORDER BY a.id LIMIT 1000", &st, err) < 0 ||
            store_bind_int64(s, st, 1, vuln_id, err) < 0)
                return -1;
        struct store_vuln_affected *list = NULL;
        size_t n = 0, cap = 0;
        int rc;
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
                STORE_LIST_GROW(list, n, cap);
                struct store_vuln_affected *a = &list[n++];
                a->source = store_column_text(st, 0);
                a->record_id = store_column_text(st, 1);
                a->kind = store_column_text(st, 2);
                a->match_key = store_column_text(st, 3);
                a->name_key = store_column_text(st, 4);
                a->data = store_column_text(st, 5);
        }
        if (rc != SQLITE_DONE) {
                store_vuln_affected_list_free(list, n);
                return store_fail(s, err, "listing affected entries");
        }
        *out = list;
        *n_out = n;
        return 0;
}

int store_vuln_queue(struct store *s, int64_t vuln_id, int64_t now, struct error *err) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        if (store_prepare(s, "INSERT INTO vuln_match_queue (vuln_id, queued_at) VALUES (?1, ?2) "
                             "ON CONFLICT (vuln_id) DO NOTHING", &st, err) < 0 ||
            store_bind_int64(s, st, 1, vuln_id, err) < 0 || store_bind_int64(s, st, 2, now, err) < 0 ||
            store_step_done(s, st, "queueing a vulnerability for matching", err) < 0)
                return -1;
        return 0;
}

static int exec2(struct store *s, const char *sql, int64_t from, int64_t into, const char *what, struct error *err) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        if (store_prepare(s, sql, &st, err) < 0 || store_bind_int64(s, st, 1, from, err) < 0 ||
            store_bind_int64(s, st, 2, into, err) < 0 || store_step_done(s, st, what, err) < 0)
                return -1;
        return 0;
}

/* A finding of `from` "twins" one of `into` when both are for the same
 * release and component (UNIQUE (release_id, component_id, vuln_id)). */
#define TWIN "(SELECT t.id FROM findings t WHERE t.vuln_id = ?2 AND t.release_id = findings.release_id " \
             "AND t.component_id = findings.component_id)"
#define LOSER(col) "(SELECT l." col " FROM findings l WHERE l.vuln_id = ?1 AND l.release_id = findings.release_id " \
                   "AND l.component_id = findings.component_id)"

int store_vuln_merge(struct store *s, int64_t from, int64_t into, struct error *err) {
        static const struct {
                const char *sql, *what;
        } steps[] = {
                {"UPDATE vuln_aliases SET vuln_id = ?2 WHERE vuln_id = ?1", "moving aliases"},
                {"UPDATE vuln_records SET vuln_id = ?2 WHERE vuln_id = ?1", "moving records"},
                /* a triaged state beats in_triage: the survivor takes the loser's */
                {"UPDATE findings SET state = " LOSER("state") ", justification = " LOSER("justification")
                 ", action_statement = " LOSER("action_statement") ", state_reason = " LOSER("state_reason")
                 ", state_by = " LOSER("state_by") ", state_at = " LOSER("state_at")
                 " WHERE vuln_id = ?2 AND state = 'in_triage' AND EXISTS (SELECT 1 FROM findings l WHERE "
                 "l.vuln_id = ?1 AND l.release_id = findings.release_id AND l.component_id = findings.component_id "
                 "AND l.state <> 'in_triage')", "merging finding states"},
                {"UPDATE findings SET first_seen_at = " LOSER("first_seen_at") " WHERE vuln_id = ?2 AND "
                 "first_seen_at > COALESCE(" LOSER("first_seen_at") ", first_seen_at)", "merging first-seen times"},
                /* findings carried from a twin now carry from its survivor */
                {"UPDATE findings SET carried_from = (SELECT t.id FROM findings l JOIN findings t ON t.vuln_id = ?2 "
                 "AND t.release_id = l.release_id AND t.component_id = l.component_id WHERE l.id = "
                 "findings.carried_from) WHERE carried_from IN (SELECT l.id FROM findings l WHERE l.vuln_id = ?1 AND "
                 "EXISTS (SELECT 1 FROM findings t WHERE t.vuln_id = ?2 AND t.release_id = l.release_id AND "
                 "t.component_id = l.component_id))", "re-pointing carried findings"},
                /* a CRA case (migration 11) that names a twin names its survivor */
                {"UPDATE cases SET finding_id = (SELECT t.id FROM findings l JOIN findings t ON t.vuln_id = ?2 "
                 "AND t.release_id = l.release_id AND t.component_id = l.component_id WHERE l.id = "
                 "cases.finding_id) WHERE finding_id IN (SELECT l.id FROM findings l WHERE l.vuln_id = ?1 AND "
                 "EXISTS (SELECT 1 FROM findings t WHERE t.vuln_id = ?2 AND t.release_id = l.release_id AND "
                 "t.component_id = l.component_id))", "re-pointing cases at surviving findings"},
                {"DELETE FROM findings WHERE vuln_id = ?1 AND " TWIN " IS NOT NULL", "removing twin findings"},
                {"UPDATE findings SET vuln_id = ?2 WHERE vuln_id = ?1", "moving findings"},
                {"UPDATE vulns SET epss = (SELECT f.epss FROM vulns f WHERE f.id = ?1), epss_percentile = (SELECT "
                 "f.epss_percentile FROM vulns f WHERE f.id = ?1) WHERE id = ?2 AND epss IS NULL", "keeping EPSS"},
                {"UPDATE cases SET vuln_id = ?2 WHERE vuln_id = ?1", "re-pointing cases"},
                {"DELETE FROM vuln_match_queue WHERE vuln_id = ?1 AND ?2 <> 0", "dequeueing a merged vulnerability"},
                {"DELETE FROM vulns WHERE id = ?1 AND ?2 <> 0", "removing a merged vulnerability"},
        };
        for (size_t i = 0; i < ELEMENTSOF(steps); i++)
                if (exec2(s, steps[i].sql, from, into, steps[i].what, err) < 0)
                        return -1;
        return 0;
}

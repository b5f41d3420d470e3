/* SPDX-License-Identifier: Apache-2.0 */
/* findings, the match queues and what the matcher reads (store-finding.h). */
#include "store/store-finding.h"

#include <stdlib.h>
#include <string.h>

#include "core/cleanup.h"
#include "core/strutil.h"
#include "store/store-identity-private.h"

/* ---- small readers ---- */

/* Reads column 0 of every row as an id. */
static int read_ids(struct store *s, sqlite3_stmt *st, const char *what, int64_t **ids, size_t *n,
                    struct error *err) {
        int64_t *list = NULL;
        size_t k = 0, cap = 0;
        int rc;
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
                STORE_LIST_GROW(list, k, cap);
                list[k++] = sqlite3_column_int64(st, 0);
        }
        if (rc != SQLITE_DONE) {
                free(list);
                return store_fail(s, err, what);
        }
        *ids = list;
        *n = k;
        return 0;
}

static int queue_take(struct store *s, const char *sql, size_t limit, int64_t **ids, size_t *n, struct error *err) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        *ids = NULL;
        *n = 0;
        if (store_prepare(s, sql, &st, err) < 0 || store_bind_int64(s, st, 1, (int64_t) limit, err) < 0)
                return -1;
        return read_ids(s, st, "reading a match queue", ids, n, err);
}

int store_finding_queue_documents(struct store *s, size_t limit, int64_t **ids, size_t *n, struct error *err) {
        return queue_take(s, "SELECT document_id FROM sbom_match_queue ORDER BY queued_at, document_id LIMIT ?1",
                          limit, ids, n, err);
}

int store_finding_queue_vulns(struct store *s, size_t limit, int64_t **ids, size_t *n, struct error *err) {
        return queue_take(s, "SELECT vuln_id FROM vuln_match_queue ORDER BY queued_at, vuln_id LIMIT ?1", limit, ids,
                          n, err);
}

static int exec_id(struct store *s, const char *sql, int64_t id, const char *what, struct error *err) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        if (store_prepare(s, sql, &st, err) < 0 || store_bind_int64(s, st, 1, id, err) < 0)
                return -1;
        return store_step_done(s, st, what, err);
}

int store_finding_queue_document_done(struct store *s, int64_t document_id, struct error *err) {
        return exec_id(s, "DELETE FROM sbom_match_queue WHERE document_id = ?1", document_id,
                       "dequeuing an SBOM document", err);
}

int store_finding_queue_vuln_done(struct store *s, int64_t vuln_id, struct error *err) {
        return exec_id(s, "DELETE FROM vuln_match_queue WHERE vuln_id = ?1", vuln_id, "dequeuing a vulnerability",
                       err);
}

/* ---- components ---- */

void store_finding_component_clear(struct store_finding_component *c) {
        if (!c)
                return;
        free(c->ref);
        free(c->name);
        free(c->version);
        for (size_t i = 0; i < c->n_idents; i++) {
                free(c->idents[i].kind);
                free(c->idents[i].value);
                free(c->idents[i].match_key);
        }
        free(c->idents);
        memset(c, 0, sizeof(*c));
}

void store_finding_components_free(struct store_finding_component *list, size_t n) {
        for (size_t i = 0; list && i < n; i++)
                store_finding_component_clear(&list[i]);
        free(list);
}

#define COMPONENT_COLS                                                                                           \
        "SELECT c.id, c.document_id, d.release_id, r.product_id, c.ref, c.name, c.version FROM sbom_components c " \
        "JOIN sbom_documents d ON d.id = c.document_id JOIN releases r ON r.id = d.release_id "

static void component_read(sqlite3_stmt *st, struct store_finding_component *c) {
        memset(c, 0, sizeof(*c));
        c->id = sqlite3_column_int64(st, 0);
        c->document_id = sqlite3_column_int64(st, 1);
        c->release_id = sqlite3_column_int64(st, 2);
        c->product_id = sqlite3_column_int64(st, 3);
        c->ref = store_column_text(st, 4);
        c->name = store_column_text(st, 5);
        c->version = store_column_text(st, 6);
}

static int component_idents(struct store *s, struct store_finding_component *c, struct error *err) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        if (store_prepare(s, "SELECT kind, value, match_key FROM sbom_component_idents WHERE component_id = ?1 "
                             "ORDER BY kind DESC, value", &st, err) < 0 ||
            store_bind_int64(s, st, 1, c->id, err) < 0)
                return -1;
        size_t cap = 0;
        int rc;
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
                STORE_LIST_GROW(c->idents, c->n_idents, cap);
                struct store_finding_ident *i = &c->idents[c->n_idents++];
                i->kind = store_column_text(st, 0);
                i->value = store_column_text(st, 1);
                i->match_key = store_column_text(st, 2);
        }
        if (rc != SQLITE_DONE)
                return store_fail(s, err, "reading component identifiers");
        return 0;
}

int store_finding_components_of_document(struct store *s, int64_t document_id,
                                         struct store_finding_component **out, size_t *n, struct error *err) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        *out = NULL;
        *n = 0;
        if (store_prepare(s, COMPONENT_COLS "WHERE c.document_id = ?1 ORDER BY c.id", &st, err) < 0 ||
            store_bind_int64(s, st, 1, document_id, err) < 0)
                return -1;
        struct store_finding_component *list = NULL;
        size_t k = 0, cap = 0;
        int rc;
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
                STORE_LIST_GROW(list, k, cap);
                component_read(st, &list[k++]);
        }
        if (rc != SQLITE_DONE) {
                store_finding_components_free(list, k);
                return store_fail(s, err, "reading an SBOM's components");
        }
        for (size_t i = 0; i < k; i++)
                if (component_idents(s, &list[i], err) < 0) {
                        store_finding_components_free(list, k);
                        return -1;
                }
        *out = list;
        *n = k;
        return 0;
}

int store_finding_component_get(struct store *s, int64_t component_id, struct store_finding_component *out,
                                struct error *err) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        memset(out, 0, sizeof(*out));
        if (store_prepare(s, COMPONENT_COLS "WHERE c.id = ?1", &st, err) < 0 ||
            store_bind_int64(s, st, 1, component_id, err) < 0)
                return -1;
        int rc = store_step_row(s, st, "reading a component", err);
        if (rc < 0)
                return -1;
        if (rc == 0)
                return error_set(err, ERROR_NOT_FOUND, "component %lld: no such SBOM component",
                                 (long long) component_id);
        component_read(st, out);
        if (component_idents(s, out, err) < 0) {
                store_finding_component_clear(out);
                return -1;
        }
        return 0;
}

int store_finding_components_by_name(struct store *s, int64_t release_id, const char *name, const char *version,
                                     int64_t **ids, size_t *n, struct error *err) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        *ids = NULL;
        *n = 0;
        if (store_prepare(s, "SELECT c.id FROM sbom_components c JOIN sbom_documents d ON d.id = c.document_id "
                             "WHERE d.release_id = ?1 AND c.name = ?2 AND (?3 IS NULL OR c.version = ?3) "
                             "ORDER BY c.id", &st, err) < 0 ||
            store_bind_int64(s, st, 1, release_id, err) < 0 || store_bind_text(s, st, 2, name, err) < 0 ||
            store_bind_text(s, st, 3, version, err) < 0)
                return -1;
        return read_ids(s, st, "finding components by name", ids, n, err);
}

int store_finding_candidate_components(struct store *s, int64_t vuln_id, int64_t **ids, size_t *n,
                                       struct error *err) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        *ids = NULL;
        *n = 0;
        if (store_prepare(s, "SELECT i.component_id FROM vuln_records vr JOIN vuln_affected va ON va.record_id = "
                             "vr.id JOIN sbom_component_idents i ON i.kind = va.kind AND i.match_key = va.match_key "
                             "WHERE vr.vuln_id = ?1 "
                             "UNION SELECT c.id FROM vuln_records vr JOIN vuln_affected va ON va.record_id = vr.id "
                             "JOIN sbom_components c ON lower(c.name) = va.name_key WHERE vr.vuln_id = ?1 AND NOT "
                             "EXISTS (SELECT 1 FROM sbom_component_idents i WHERE i.component_id = c.id AND "
                             "i.match_key IS NOT NULL) "
                             "UNION SELECT component_id FROM findings WHERE vuln_id = ?1 AND gone_at IS NULL "
                             "ORDER BY 1", &st, err) < 0 ||
            store_bind_int64(s, st, 1, vuln_id, err) < 0)
                return -1;
        return read_ids(s, st, "finding the components a vulnerability may concern", ids, n, err);
}

/* ---- entries ---- */

void store_finding_entries_free(struct store_finding_entry *list, size_t n) {
        for (size_t i = 0; list && i < n; i++) {
                free(list[i].kind);
                free(list[i].data);
                free(list[i].source);
                free(list[i].record_id);
                free(list[i].vuln_name);
        }
        free(list);
}

#define ENTRY_COLS                                                                                                \
        "SELECT va.id, vr.vuln_id, va.kind, va.data, vr.source, vr.record_id, v.name, "                          \
        "CASE WHEN vr.withdrawn IS NOT NULL OR v.withdrawn_at IS NOT NULL THEN 1 ELSE 0 END FROM vuln_affected va " \
        "JOIN vuln_records vr ON vr.id = va.record_id JOIN vulns v ON v.id = vr.vuln_id "

static int read_entries(struct store *s, sqlite3_stmt *st, struct store_finding_entry **out, size_t *n,
                        struct error *err) {
        struct store_finding_entry *list = NULL;
        size_t k = 0, cap = 0;
        int rc;
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
                STORE_LIST_GROW(list, k, cap);
                struct store_finding_entry *e = &list[k++];
                e->affected_id = sqlite3_column_int64(st, 0);
                e->vuln_id = sqlite3_column_int64(st, 1);
                e->kind = store_column_text(st, 2);
                e->data = store_column_text(st, 3);
                e->source = store_column_text(st, 4);
                e->record_id = store_column_text(st, 5);
                e->vuln_name = store_column_text(st, 6);
                e->withdrawn = sqlite3_column_int(st, 7) != 0;
        }
        if (rc != SQLITE_DONE) {
                store_finding_entries_free(list, k);
                return store_fail(s, err, "reading affected entries");
        }
        *out = list;
        *n = k;
        return 0;
}

int store_finding_entries_by_key(struct store *s, const char *kind, const char *key, int64_t vuln_id,
                                 struct store_finding_entry **out, size_t *n, struct error *err) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        *out = NULL;
        *n = 0;
        int rc = kind ? store_prepare(s, ENTRY_COLS "WHERE va.kind = ?1 AND va.match_key = ?2 AND (?3 = 0 OR "
                                                    "vr.vuln_id = ?3) ORDER BY va.id", &st, err)
                      : store_prepare(s, ENTRY_COLS "WHERE va.name_key = ?2 AND (?3 = 0 OR vr.vuln_id = ?3) AND "
                                                    "(?1 IS NULL) ORDER BY va.id", &st, err);
        if (rc < 0 || store_bind_text(s, st, 1, kind, err) < 0 || store_bind_text(s, st, 2, key, err) < 0 ||
            store_bind_int64(s, st, 3, vuln_id, err) < 0)
                return -1;
        return read_entries(s, st, out, n, err);
}

int store_finding_entries_of_vuln(struct store *s, int64_t vuln_id, struct store_finding_entry **out, size_t *n,
                                  struct error *err) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        *out = NULL;
        *n = 0;
        if (store_prepare(s, ENTRY_COLS "WHERE vr.vuln_id = ?1 ORDER BY va.id", &st, err) < 0 ||
            store_bind_int64(s, st, 1, vuln_id, err) < 0)
                return -1;
        return read_entries(s, st, out, n, err);
}

int store_finding_vuln_resolve(struct store *s, const char *alias, int64_t *vuln_id, struct error *err) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        *vuln_id = 0;
        if (store_prepare(s, "SELECT id FROM vulns WHERE name = ?1 UNION SELECT vuln_id FROM vuln_aliases WHERE "
                             "alias = ?1 LIMIT 1", &st, err) < 0 ||
            store_bind_text(s, st, 1, alias, err) < 0)
                return -1;
        int rc = store_step_row(s, st, "resolving a vulnerability id", err);
        if (rc == 1)
                *vuln_id = sqlite3_column_int64(st, 0);
        return rc;
}

/* ---- findings ---- */

void store_finding_clear(struct store_finding *f) {
        if (!f)
                return;
        char **texts[] = { &f->confidence, &f->explanation, &f->state, &f->justification, &f->action_statement,
                           &f->state_reason, &f->state_by, &f->product_model, &f->release_version,
                           &f->release_status, &f->component_ref, &f->component_name, &f->component_version,
                           &f->vuln_name, &f->severity };
        for (size_t i = 0; i < ELEMENTSOF(texts); i++)
                free(*texts[i]);
        memset(f, 0, sizeof(*f));
}

void store_finding_list_free(struct store_finding *list, size_t n) {
        for (size_t i = 0; list && i < n; i++)
                store_finding_clear(&list[i]);
        free(list);
}

#define FINDING_COLS                                                                                             \
        "SELECT f.id, f.release_id, f.component_id, f.vuln_id, f.confidence, f.explanation, f.state, "          \
        "f.justification, f.action_statement, f.state_reason, f.state_by, f.state_at, f.carried_from, "           \
        "f.first_seen_at, f.last_matched_at, f.gone_at, f.notified_at, f.exploited_notified_at, r.product_id, "  \
        "p.model, r.version, r.status, c.ref, c.name, c.version, v.name, v.severity, v.exploited_at "             \
        "FROM findings f JOIN releases r ON r.id = f.release_id JOIN products p ON p.id = r.product_id "          \
        "JOIN sbom_components c ON c.id = f.component_id JOIN vulns v ON v.id = f.vuln_id "

static void finding_read(sqlite3_stmt *st, struct store_finding *f) {
        memset(f, 0, sizeof(*f));
        f->id = sqlite3_column_int64(st, 0);
        f->release_id = sqlite3_column_int64(st, 1);
        f->component_id = sqlite3_column_int64(st, 2);
        f->vuln_id = sqlite3_column_int64(st, 3);
        f->confidence = store_column_text(st, 4);
        f->explanation = store_column_text(st, 5);
        f->state = store_column_text(st, 6);
        f->justification = store_column_text(st, 7);
        f->action_statement = store_column_text(st, 8);
        f->state_reason = store_column_text(st, 9);
        f->state_by = store_column_text(st, 10);
        f->state_at = store_column_opt_int64(st, 11);
        f->carried_from = store_column_opt_int64(st, 12);
        f->first_seen_at = sqlite3_column_int64(st, 13);
        f->last_matched_at = sqlite3_column_int64(st, 14);
        f->gone_at = store_column_opt_int64(st, 15);
        f->notified_at = store_column_opt_int64(st, 16);
        f->exploited_notified_at = store_column_opt_int64(st, 17);
        f->product_id = sqlite3_column_int64(st, 18);
        f->product_model = store_column_text(st, 19);
        f->release_version = store_column_text(st, 20);
        f->release_status = store_column_text(st, 21);
        f->component_ref = store_column_text(st, 22);
        f->component_name = store_column_text(st, 23);
        f->component_version = store_column_text(st, 24);
        f->vuln_name = store_column_text(st, 25);
        f->severity = store_column_text(st, 26);
        f->exploited_at = store_column_opt_int64(st, 27);
}

static int read_findings(struct store *s, sqlite3_stmt *st, struct store_finding **out, size_t *n, struct error *err) {
        struct store_finding *list = NULL;
        size_t k = 0, cap = 0;
        int rc;
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
                STORE_LIST_GROW(list, k, cap);
                finding_read(st, &list[k++]);
        }
        if (rc != SQLITE_DONE) {
                store_finding_list_free(list, k);
                return store_fail(s, err, "reading findings");
        }
        *out = list;
        *n = k;
        return 0;
}

static int read_one(struct store *s, sqlite3_stmt *st, struct store_finding *out, struct error *err) {
        int rc = store_step_row(s, st, "reading a finding", err);
        if (rc == 1)
                finding_read(st, out);
        return rc;
}

int store_finding_get(struct store *s, int64_t id, struct store_finding *out, struct error *err) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        memset(out, 0, sizeof(*out));
        if (store_prepare(s, FINDING_COLS "WHERE f.id = ?1", &st, err) < 0 || store_bind_int64(s, st, 1, id, err) < 0)
                return -1;
        return read_one(s, st, out, err);
}

int store_finding_by_triple(struct store *s, int64_t release_id, int64_t component_id, int64_t vuln_id,
                            struct store_finding *out, struct error *err) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        memset(out, 0, sizeof(*out));
        if (store_prepare(s, FINDING_COLS "WHERE f.release_id = ?1 AND f.component_id = ?2 AND f.vuln_id = ?3", &st,
                          err) < 0 ||
            store_bind_int64(s, st, 1, release_id, err) < 0 || store_bind_int64(s, st, 2, component_id, err) < 0 ||
            store_bind_int64(s, st, 3, vuln_id, err) < 0)
                return -1;
        return read_one(s, st, out, err);
}

int store_finding_insert(struct store *s, const struct store_finding *f, int64_t *id_out, struct error *err) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        if (store_prepare(s, "INSERT INTO findings (release_id, component_id, vuln_id, confidence, explanation, "
                             "state, justification, action_statement, state_reason, state_by, state_at, "
                             "carried_from, first_seen_at, last_matched_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, "
                             "?8, ?9, ?10, ?11, ?12, ?13, ?13)", &st, err) < 0 ||
            store_bind_int64(s, st, 1, f->release_id, err) < 0 || store_bind_int64(s, st, 2, f->component_id, err) < 0 ||
            store_bind_int64(s, st, 3, f->vuln_id, err) < 0 || store_bind_text(s, st, 4, f->confidence, err) < 0 ||
            store_bind_text(s, st, 5, f->explanation, err) < 0 || store_bind_text(s, st, 6, f->state, err) < 0 ||
            store_bind_text(s, st, 7, f->justification, err) < 0 ||
            store_bind_text(s, st, 8, f->action_statement, err) < 0 ||
            store_bind_text(s, st, 9, f->state_reason, err) < 0 || store_bind_text(s, st, 10, f->state_by, err) < 0 ||
            store_bind_opt_int64(s, st, 11, f->state_at, err) < 0 ||
            store_bind_opt_int64(s, st, 12, f->carried_from, err) < 0 ||
            store_bind_int64(s, st, 13, f->first_seen_at, err) < 0 ||
            store_step_done(s, st, "inserting a finding", err) < 0)
                return -1;
        if (id_out)
                *id_out = sqlite3_last_insert_rowid(s->db);
        return 0;
}

int store_finding_rematch(struct store *s, int64_t id, const char *confidence, const char *explanation, int64_t now,
                          struct error *err) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        if (store_prepare(s, "UPDATE findings SET confidence = ?2, explanation = ?3, last_matched_at = ?4, gone_at = "
                             "NULL WHERE id = ?1", &st, err) < 0 ||
            store_bind_int64(s, st, 1, id, err) < 0 || store_bind_text(s, st, 2, confidence, err) < 0 ||
            store_bind_text(s, st, 3, explanation, err) < 0 || store_bind_int64(s, st, 4, now, err) < 0)
                return -1;
        return store_step_done(s, st, "updating a finding's match", err);
}

int store_finding_gone(struct store *s, int64_t id, int64_t now, struct error *err) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        if (store_prepare(s, "UPDATE findings SET gone_at = ?2 WHERE id = ?1 AND gone_at IS NULL", &st, err) < 0 ||
            store_bind_int64(s, st, 1, id, err) < 0 || store_bind_int64(s, st, 2, now, err) < 0)
                return -1;
        return store_step_done(s, st, "ending a finding", err);
}

int store_finding_live_of_component(struct store *s, int64_t component_id, int64_t **ids, int64_t **vuln_ids,
                                    size_t *n, struct error *err) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        *ids = *vuln_ids = NULL;
        *n = 0;
        if (store_prepare(s, "SELECT id, vuln_id FROM findings WHERE component_id = ?1 AND gone_at IS NULL ORDER BY id",
                          &st, err) < 0 ||
            store_bind_int64(s, st, 1, component_id, err) < 0)
                return -1;
        size_t k = 0, cap = 0, cap2 = 0;
        int64_t *a = NULL, *b = NULL;
        int rc;
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
                size_t k2 = k;
                STORE_LIST_GROW(a, k, cap);
                STORE_LIST_GROW(b, k2, cap2);
                a[k] = sqlite3_column_int64(st, 0);
                b[k] = sqlite3_column_int64(st, 1);
                k++;
        }
        if (rc != SQLITE_DONE) {
                free(a);
                free(b);
                return store_fail(s, err, "reading a component's findings");
        }
        *ids = a;
        *vuln_ids = b;
        *n = k;
        return 0;
}

int store_finding_carry_source(struct store *s, int64_t release_id, int64_t component_id, int64_t vuln_id,
                               struct store_finding *out, struct error *err) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        memset(out, 0, sizeof(*out));
        /* Same product, an earlier release, same vulnerability, triaged; the
         * component equal by name, version and its set of purls. */
        if (store_prepare(s, FINDING_COLS "JOIN sbom_components n ON n.id = ?2 "
                             "WHERE r.product_id = (SELECT product_id FROM releases WHERE id = ?1) AND "
                             "f.release_id < ?1 AND f.vuln_id = ?3 AND f.state <> 'in_triage' AND "
                             "c.name = n.name AND (c.version = n.version OR (c.version IS NULL AND n.version IS "
                             "NULL)) AND NOT EXISTS (SELECT 1 FROM sbom_component_idents i WHERE i.component_id = "
                             "c.id AND i.kind = 'purl' AND NOT EXISTS (SELECT 1 FROM sbom_component_idents j WHERE "
                             "j.component_id = n.id AND j.kind = 'purl' AND j.value = i.value)) AND NOT EXISTS "
                             "(SELECT 1 FROM sbom_component_idents j WHERE j.component_id = n.id AND j.kind = "
                             "'purl' AND NOT EXISTS (SELECT 1 FROM sbom_component_idents i WHERE i.component_id = "
                             "c.id AND i.kind = 'purl' AND i.value = j.value)) "
                             "ORDER BY f.release_id DESC, f.state_at DESC, f.id DESC LIMIT 1", &st, err) < 0 ||
            store_bind_int64(s, st, 1, release_id, err) < 0 || store_bind_int64(s, st, 2, component_id, err) < 0 ||
            store_bind_int64(s, st, 3, vuln_id, err) < 0)
                return -1;
        return read_one(s, st, out, err);
}

int store_finding_set_state(struct store *s, const struct store_finding *f, struct error *err) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        if (store_prepare(s, "UPDATE findings SET state = ?2, justification = ?3, action_statement = ?4, "
                             "state_reason = ?5, state_by = ?6, state_at = ?7, carried_from = ?8 WHERE id = ?1",
                          &st, err) < 0 ||
            store_bind_int64(s, st, 1, f->id, err) < 0 || store_bind_text(s, st, 2, f->state, err) < 0 ||
            store_bind_text(s, st, 3, f->justification, err) < 0 ||
            store_bind_text(s, st, 4, f->action_statement, err) < 0 ||
            store_bind_text(s, st, 5, f->state_reason, err) < 0 || store_bind_text(s, st, 6, f->state_by, err) < 0 ||
            store_bind_opt_int64(s, st, 7, f->state_at, err) < 0 ||
            store_bind_opt_int64(s, st, 8, f->carried_from, err) < 0)
                return -1;
        return store_step_done(s, st, "setting a finding's state", err);
}

int store_finding_find(struct store *s, int64_t release_id, int64_t vuln_id, const char *ref_or_purl, int64_t *id,
                       struct error *err) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        *id = 0;
        if (store_prepare(s, "SELECT f.id FROM findings f JOIN sbom_components c ON c.id = f.component_id WHERE "
                             "f.release_id = ?1 AND f.vuln_id = ?2 AND (c.ref = ?3 OR EXISTS (SELECT 1 FROM "
                             "sbom_component_idents i WHERE i.component_id = c.id AND i.kind = 'purl' AND i.value = "
                             "?3)) ORDER BY CASE WHEN f.gone_at IS NULL THEN 0 ELSE 1 END, f.id LIMIT 1", &st,
                          err) < 0 ||
            store_bind_int64(s, st, 1, release_id, err) < 0 || store_bind_int64(s, st, 2, vuln_id, err) < 0 ||
            store_bind_text(s, st, 3, ref_or_purl, err) < 0)
                return -1;
        int rc = store_step_row(s, st, "finding a finding", err);
        if (rc == 1)
                *id = sqlite3_column_int64(st, 0);
        return rc;
}

int store_finding_list(struct store *s, const struct store_finding_filter *f, struct store_finding **out,
                       size_t *n, struct error *err) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        *out = NULL;
        *n = 0;
        if (store_prepare(s, FINDING_COLS "WHERE f.id > ?1 AND (?2 = 0 OR f.release_id = ?2) AND (?3 = 0 OR "
                             "f.vuln_id = ?3) AND (?4 IS NULL OR f.state = ?4) AND (?5 = 1 OR f.gone_at IS NULL) "
                             "AND (?6 = 0 OR (f.state = 'in_triage' AND f.state_at IS NULL)) ORDER BY f.id LIMIT ?7",
                          &st, err) < 0 ||
            store_bind_int64(s, st, 1, f->after_id, err) < 0 || store_bind_int64(s, st, 2, f->release_id, err) < 0 ||
            store_bind_int64(s, st, 3, f->vuln_id, err) < 0 || store_bind_text(s, st, 4, f->state, err) < 0 ||
            store_bind_int64(s, st, 5, f->include_gone ? 1 : 0, err) < 0 ||
            store_bind_int64(s, st, 6, f->only_new ? 1 : 0, err) < 0 ||
            store_bind_int64(s, st, 7, (int64_t) store_list_limit(f->limit), err) < 0)
                return -1;
        return read_findings(s, st, out, n, err);
}

/* ---- notifications ---- */

int store_finding_pending_events(struct store *s, size_t limit, struct store_finding **out, size_t *n,
                                 struct error *err) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        *out = NULL;
        *n = 0;
        if (store_prepare(s, FINDING_COLS "WHERE f.notified_at IS NULL AND f.gone_at IS NULL AND r.published_at IS "
                                          "NOT NULL ORDER BY f.id LIMIT ?1", &st, err) < 0 ||
            store_bind_int64(s, st, 1, (int64_t) limit, err) < 0)
                return -1;
        return read_findings(s, st, out, n, err);
}

int store_finding_mark_notified(struct store *s, int64_t id, int64_t now, struct error *err) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        if (store_prepare(s, "UPDATE findings SET notified_at = ?2 WHERE id = ?1", &st, err) < 0 ||
            store_bind_int64(s, st, 1, id, err) < 0 || store_bind_int64(s, st, 2, now, err) < 0)
                return -1;
        return store_step_done(s, st, "marking a finding notified", err);
}

int store_finding_pending_exploited(struct store *s, size_t limit, struct store_finding **out, size_t *n,
                                    struct error *err) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        *out = NULL;
        *n = 0;
        if (store_prepare(s, FINDING_COLS "WHERE v.exploited_at IS NOT NULL AND f.exploited_notified_at IS NULL AND "
                                          "f.gone_at IS NULL AND f.state IN ('in_triage', 'affected') AND "
                                          "r.published_at IS NOT NULL ORDER BY f.vuln_id, r.product_id, r.id, f.id "
                                          "LIMIT ?1", &st, err) < 0 ||
            store_bind_int64(s, st, 1, (int64_t) limit, err) < 0)
                return -1;
        return read_findings(s, st, out, n, err);
}

int store_finding_mark_exploited_notified(struct store *s, int64_t id, int64_t now, struct error *err) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        if (store_prepare(s, "UPDATE findings SET exploited_notified_at = ?2 WHERE id = ?1", &st, err) < 0 ||
            store_bind_int64(s, st, 1, id, err) < 0 || store_bind_int64(s, st, 2, now, err) < 0)
                return -1;
        return store_step_done(s, st, "marking a finding's exploitation notified", err);
}

/* ---- gauges ---- */

void store_finding_counts_free(struct store_finding_count *list, size_t n) {
        for (size_t i = 0; list && i < n; i++) {
                free(list[i].state);
                free(list[i].severity);
        }
        free(list);
}

int store_finding_counts(struct store *s, struct store_finding_count **out, size_t *n, struct error *err) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        *out = NULL;
        *n = 0;
        if (store_prepare(s, "SELECT f.state, COALESCE(v.severity, 'unknown'), COUNT(*) FROM findings f JOIN vulns v "
                             "ON v.id = f.vuln_id WHERE f.gone_at IS NULL GROUP BY f.state, COALESCE(v.severity, "
                             "'unknown') ORDER BY 1, 2", &st, err) < 0)
                return -1;
        struct store_finding_count *list = NULL;
        size_t k = 0, cap = 0;
        int rc;
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
                STORE_LIST_GROW(list, k, cap);
                list[k].state = store_column_text(st, 0);
                list[k].severity = store_column_text(st, 1);
                list[k].count = sqlite3_column_int64(st, 2);
                k++;
        }
        if (rc != SQLITE_DONE) {
                store_finding_counts_free(list, k);
                return store_fail(s, err, "counting findings");
        }
        *out = list;
        *n = k;
        return 0;
}

int store_finding_totals(struct store *s, int64_t *created, int64_t *exploited, struct error *err) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        if (store_prepare(s, "SELECT (SELECT COUNT(*) FROM findings), (SELECT COUNT(*) FROM findings f JOIN vulns v ON "
                             "v.id = f.vuln_id WHERE v.exploited_at IS NOT NULL AND f.gone_at IS NULL AND f.state IN "
                             "('in_triage', 'affected'))", &st, err) < 0 ||
            store_step_row(s, st, "counting findings", err) <= 0)
                return -1;
        *created = sqlite3_column_int64(st, 0);
        *exploited = sqlite3_column_int64(st, 1);
        return 0;
}

/* SPDX-License-Identifier: Apache-2.0 */
#include <stdlib.h>
#include <string.h>

#include "core/cleanup.h"
#include "core/strutil.h"
#include "store/store-private.h"
#include "store/store-sbom.h"

int store_sbom_document_insert(struct store *s, const struct store_sbom_document *d, int64_t *id,
                               struct error *err) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        if (store_prepare(s, "INSERT INTO sbom_documents (release_id, module, sha256, media_type, format, "
                             "spec_version, name, tool, document_created, component_count, quality_score, quality, "
                             "created_at, created_by) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, "
                             "?13, ?14)",
                          &st, err) < 0 ||
            store_bind_int64(s, st, 1, d->release_id, err) < 0 || store_bind_text(s, st, 2, d->module, err) < 0 ||
            store_bind_text(s, st, 3, d->sha256, err) < 0 || store_bind_text(s, st, 4, d->media_type, err) < 0 ||
            store_bind_text(s, st, 5, d->format, err) < 0 || store_bind_text(s, st, 6, d->spec_version, err) < 0 ||
            store_bind_text(s, st, 7, d->name, err) < 0 || store_bind_text(s, st, 8, d->tool, err) < 0 ||
            store_bind_text(s, st, 9, d->document_created, err) < 0 ||
            store_bind_int64(s, st, 10, d->component_count, err) < 0 ||
            store_bind_int64(s, st, 11, d->quality_score, err) < 0 || store_bind_text(s, st, 12, d->quality, err) < 0 ||
            store_bind_int64(s, st, 13, d->created_at, err) < 0 || store_bind_text(s, st, 14, d->created_by, err) < 0)
                return -1;
        if (sqlite3_step(st) != SQLITE_DONE) {
                if (store_is_unique_violation(s, NULL, 0))
                        return error_set(err, ERROR_CONFLICT, "the release already has an SBOM for module '%s'",
                                         d->module);
                return store_fail(s, err, "inserting an SBOM document");
        }
        *id = sqlite3_last_insert_rowid(s->db);
        return 0;
}

int store_sbom_component_insert(struct store *s, const struct store_sbom_component *c, int64_t *id,
                                struct error *err) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        if (store_prepare(s, "INSERT INTO sbom_components (document_id, ref, name, version, supplier, type, licenses, "
                             "hashes, patches, top_level) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                          &st, err) < 0 ||
            store_bind_int64(s, st, 1, c->document_id, err) < 0 || store_bind_text(s, st, 2, c->ref, err) < 0 ||
            store_bind_text(s, st, 3, c->name, err) < 0 || store_bind_text(s, st, 4, c->version, err) < 0 ||
            store_bind_text(s, st, 5, c->supplier, err) < 0 || store_bind_text(s, st, 6, c->type, err) < 0 ||
            store_bind_text(s, st, 7, c->licenses, err) < 0 || store_bind_text(s, st, 8, c->hashes, err) < 0 ||
            store_bind_text(s, st, 9, c->patches, err) < 0 ||
            store_bind_int64(s, st, 10, c->top_level ? 1 : 0, err) < 0 ||
            store_step_done(s, st, "inserting an SBOM component", err) < 0)
                return -1;
        *id = sqlite3_last_insert_rowid(s->db);
        return 0;
}

int store_sbom_ident_insert(struct store *s, int64_t component_id, const char *kind, const char *value, bool valid,
                            const char *match_key, struct error *err) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        return store_prepare(s, "INSERT INTO sbom_component_idents (component_id, kind, value, valid, match_key) "
                                "VALUES (?1, ?2, ?3, ?4, ?5)",
                             &st, err) < 0 ||
                               store_bind_int64(s, st, 1, component_id, err) < 0 ||
                               store_bind_text(s, st, 2, kind, err) < 0 || store_bind_text(s, st, 3, value, err) < 0 ||
                               store_bind_int64(s, st, 4, valid ? 1 : 0, err) < 0 ||
                               store_bind_text(s, st, 5, match_key, err) < 0 ||
                               store_step_done(s, st, "inserting an SBOM identifier", err) < 0
                       ? -1
                       : 0;
}

int store_sbom_dependency_insert(struct store *s, int64_t component_id, int64_t depends_on, struct error *err) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        return store_prepare(s, "INSERT INTO sbom_dependencies (component_id, depends_on) VALUES (?1, ?2)", &st,
                             err) < 0 ||
                               store_bind_int64(s, st, 1, component_id, err) < 0 ||
                               store_bind_int64(s, st, 2, depends_on, err) < 0 ||
                               store_step_done(s, st, "inserting an SBOM dependency", err) < 0
                       ? -1
                       : 0;
}

int store_sbom_match_queue_put(struct store *s, int64_t document_id, int64_t now, struct error *err) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        return store_prepare(s, "INSERT INTO sbom_match_queue (document_id, queued_at) VALUES (?1, ?2) "
                                "ON CONFLICT (document_id) DO UPDATE SET queued_at = excluded.queued_at",
                             &st, err) < 0 ||
                               store_bind_int64(s, st, 1, document_id, err) < 0 ||
                               store_bind_int64(s, st, 2, now, err) < 0 ||
                               store_step_done(s, st, "queueing an SBOM for matching", err) < 0
                       ? -1
                       : 0;
}

int store_sbom_document_find(struct store *s, int64_t release_id, const char *module, int64_t *id,
                             struct error *err) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        *id = 0;
        if (store_prepare(s, "SELECT id FROM sbom_documents WHERE release_id = ?1 AND module = ?2", &st, err) < 0 ||
            store_bind_int64(s, st, 1, release_id, err) < 0 || store_bind_text(s, st, 2, module, err) < 0)
                return -1;
        int r = store_step_row(s, st, "finding an SBOM document", err);
        if (r < 0)
                return -1;
        if (r > 0)
                *id = sqlite3_column_int64(st, 0);
        return 0;
}

static int exec_id(struct store *s, const char *sql, int64_t id, const char *what, struct error *err) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        return store_prepare(s, sql, &st, err) < 0 || store_bind_int64(s, st, 1, id, err) < 0 ||
                               store_step_done(s, st, what, err) < 0
                       ? -1
                       : 0;
}

int store_sbom_document_delete(struct store *s, int64_t id, int64_t *findings_dropped, struct error *err) {
        *findings_dropped = 0;
        {
                /* A case (issue 10) that names one of these components or their
                 * findings is evidence of its own: the SBOM stays while it does. */
                _cleanup_stmt_ sqlite3_stmt *st = NULL;
                if (store_prepare(s, "SELECT reference FROM cases WHERE component_id IN (SELECT id FROM "
                                     "sbom_components WHERE document_id = ?1) OR finding_id IN (SELECT f.id FROM "
                                     "findings f JOIN sbom_components c ON c.id = f.component_id WHERE "
                                     "c.document_id = ?1) ORDER BY id LIMIT 1",
                                  &st, err) < 0 ||
                    store_bind_int64(s, st, 1, id, err) < 0)
                        return -1;
                int r = store_step_row(s, st, "finding the cases of an SBOM", err);
                if (r < 0)
                        return -1;
                bool named_by_case = r > 0;
                if (named_by_case)
                        return error_set(err, ERROR_CONFLICT,
                                         "case %s refers to a component of this SBOM document (%lld): it is kept",
                                         (const char *) sqlite3_column_text(st, 0), (long long) id);
        }
        {
                _cleanup_stmt_ sqlite3_stmt *st = NULL;
                if (store_prepare(s, "SELECT COUNT(*) FROM findings WHERE component_id IN (SELECT id FROM "
                                     "sbom_components WHERE document_id = ?1)",
                                  &st, err) < 0 ||
                    store_bind_int64(s, st, 1, id, err) < 0 ||
                    store_step_row(s, st, "counting the findings of an SBOM", err) < 0)
                        return -1;
                *findings_dropped = sqlite3_column_int64(st, 0);
        }
        /* Children first: the foreign keys point at the components. A
         * finding carried from one of these (carried_from) loses the link,
         * not its state. */
        return exec_id(s, "UPDATE findings SET carried_from = NULL WHERE carried_from IN (SELECT f.id FROM findings f "
                          "JOIN sbom_components c ON c.id = f.component_id WHERE c.document_id = ?1)",
                       id, "unlinking carried findings", err) < 0 ||
                               exec_id(s, "DELETE FROM findings WHERE component_id IN (SELECT id FROM sbom_components "
                                          "WHERE document_id = ?1)",
                                       id, "removing the findings of an SBOM", err) < 0 ||
                               exec_id(s, "DELETE FROM sbom_dependencies WHERE component_id IN (SELECT id FROM "
                                          "sbom_components WHERE document_id = ?1)",
                                       id, "removing SBOM dependencies", err) < 0 ||
                               exec_id(s, "DELETE FROM sbom_component_idents WHERE component_id IN (SELECT id FROM "
                                          "sbom_components WHERE document_id = ?1)",
                                       id, "removing SBOM identifiers", err) < 0 ||
                               exec_id(s, "DELETE FROM sbom_components WHERE document_id = ?1", id,
                                       "removing SBOM components", err) < 0 ||
                               exec_id(s, "DELETE FROM sbom_match_queue WHERE document_id = ?1", id,
                                       "removing an SBOM from the match queue", err) < 0 ||
                               exec_id(s, "DELETE FROM sbom_documents WHERE id = ?1", id, "removing an SBOM document",
                                       err) < 0
                       ? -1
                       : 0;
}

int store_sbom_documents_of_file_delete_drafts(struct store *s, const char *sha256, struct error *err) {
        int64_t ids[64];
        size_t n;
        do {
                /* In rounds: a statement is not stepped while its rows are deleted. */
                n = 0;
                {
                        _cleanup_stmt_ sqlite3_stmt *st = NULL;
                        if (store_prepare(s, "SELECT d.id FROM sbom_documents d JOIN releases r ON r.id = "
                                             "d.release_id WHERE d.sha256 = ?1 AND r.status = 'draft' LIMIT 64",
                                          &st, err) < 0 ||
                            store_bind_text(s, st, 1, sha256, err) < 0)
                                return -1;
                        int rc;
                        while ((rc = sqlite3_step(st)) == SQLITE_ROW)
                                ids[n++] = sqlite3_column_int64(st, 0);
                        if (rc != SQLITE_DONE)
                                return store_fail(s, err, "finding the SBOMs of a file");
                }
                for (size_t i = 0; i < n; i++) {
                        int64_t dropped;
                        if (store_sbom_document_delete(s, ids[i], &dropped, err) < 0)
                                return -1;
                }
        } while (n == 64);
        return 0;
}

static json_t *col_json(sqlite3_stmt *st, int col) {
        if (sqlite3_column_type(st, col) == SQLITE_NULL)
                return json_null();
        return json_string((const char *) sqlite3_column_text(st, col));
}

/* A JSON-text column as its value (the store wrote it; a broken one reads as null). */
static json_t *col_parsed(sqlite3_stmt *st, int col) {
        if (sqlite3_column_type(st, col) == SQLITE_NULL)
                return json_null();
        json_t *v = json_loads((const char *) sqlite3_column_text(st, col), 0, NULL);
        return v ? v : json_null();
}

#define DOC_COLUMNS                                                                                             \
        "d.id, d.release_id, r.version, p.model, d.module, d.sha256, d.media_type, d.format, d.spec_version, " \
        "d.name, d.tool, d.document_created, d.component_count, d.quality_score, d.created_at, d.created_by, "  \
        "d.quality "                                                                                            \
        "FROM sbom_documents d JOIN releases r ON r.id = d.release_id JOIN products p ON p.id = r.product_id "

static json_t *doc_row(sqlite3_stmt *st, bool with_quality) {
        json_t *o = json_pack("{s:I, s:I, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:I, s:I, s:I, s:o}", "id",
                              (json_int_t) sqlite3_column_int64(st, 0), "release_id",
                              (json_int_t) sqlite3_column_int64(st, 1), "release", col_json(st, 2), "product",
                              col_json(st, 3), "module", col_json(st, 4), "sha256", col_json(st, 5), "media_type",
                              col_json(st, 6), "format", col_json(st, 7), "spec_version", col_json(st, 8), "name",
                              col_json(st, 9), "tool", col_json(st, 10), "document_created", col_json(st, 11),
                              "component_count", (json_int_t) sqlite3_column_int64(st, 12), "quality_score",
                              (json_int_t) sqlite3_column_int64(st, 13), "created_at",
                              (json_int_t) sqlite3_column_int64(st, 14), "created_by", col_json(st, 15));
        if (with_quality)
                json_object_set_new(o, "quality", col_parsed(st, 16));
        return o;
}

int store_sbom_document_json(struct store *s, int64_t id, bool with_quality, json_t **out, struct error *err) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        *out = NULL;
        if (store_prepare(s, "SELECT " DOC_COLUMNS "WHERE d.id = ?1", &st, err) < 0 ||
            store_bind_int64(s, st, 1, id, err) < 0)
                return -1;
        int r = store_step_row(s, st, "reading an SBOM document", err);
        if (r < 0)
                return -1;
        if (r == 0)
                return error_set(err, ERROR_NOT_FOUND, "no SBOM document with id %lld", (long long) id);
        *out = doc_row(st, with_quality);
        return 0;
}

int store_sbom_documents_json(struct store *s, int64_t release_id, json_t **items, struct error *err) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        *items = NULL;
        if (store_prepare(s, "SELECT " DOC_COLUMNS "WHERE d.release_id = ?1 ORDER BY d.module", &st, err) < 0 ||
            store_bind_int64(s, st, 1, release_id, err) < 0)
                return -1;
        json_t *arr = json_array();
        int rc;
        while ((rc = sqlite3_step(st)) == SQLITE_ROW)
                json_array_append_new(arr, doc_row(st, false));
        if (rc != SQLITE_DONE) {
                json_decref(arr);
                return store_fail(s, err, "listing SBOM documents");
        }
        *items = arr;
        return 0;
}

static int component_idents(struct store *s, int64_t id, json_t *item, struct error *err) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        if (store_prepare(s, "SELECT kind, value, valid, match_key FROM sbom_component_idents WHERE component_id = ?1 "
                             "ORDER BY kind, value",
                          &st, err) < 0 ||
            store_bind_int64(s, st, 1, id, err) < 0)
                return -1;
        json_t *purls = json_array(), *cpes = json_array();
        json_object_set_new(item, "purls", purls);
        json_object_set_new(item, "cpes", cpes);
        int rc;
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
                const char *kind = (const char *) sqlite3_column_text(st, 0);
                json_array_append_new(strcmp(kind, "purl") == 0 ? purls : cpes,
                                      json_pack("{s:o, s:b, s:o}", "value", col_json(st, 1), "valid",
                                                sqlite3_column_int(st, 2) != 0, "match_key", col_json(st, 3)));
        }
        if (rc != SQLITE_DONE)
                return store_fail(s, err, "reading SBOM identifiers");
        /* The first of each, for tables. */
        json_object_set(item, "purl", json_array_size(purls) ? json_object_get(json_array_get(purls, 0), "value") : json_null());
        json_object_set(item, "cpe", json_array_size(cpes) ? json_object_get(json_array_get(cpes, 0), "value") : json_null());
        return 0;
}

int store_sbom_components_json(struct store *s, const struct store_sbom_component_query *q, json_t **items,
                               bool *more, struct error *err) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        *items = NULL;
        *more = false;
        if (store_prepare(
                    s,
                    "SELECT c.id, c.document_id, d.release_id, r.version, p.model, d.module, c.ref, c.name, "
                    "c.version, c.supplier, c.type, c.licenses, c.hashes, c.patches, c.top_level "
                    "FROM sbom_components c JOIN sbom_documents d ON d.id = c.document_id "
                    "JOIN releases r ON r.id = d.release_id JOIN products p ON p.id = r.product_id "
                    "WHERE (?1 = 0 OR c.document_id = ?1) AND (?2 = 0 OR d.release_id = ?2) "
                    "AND (?3 IS NULL OR c.name = ?3) "
                    "AND (?4 IS NULL OR EXISTS (SELECT 1 FROM sbom_component_idents i WHERE i.component_id = c.id "
                    "AND i.kind = 'purl' AND (i.value = ?4 OR i.match_key = ?5))) "
                    "AND (?6 IS NULL OR EXISTS (SELECT 1 FROM sbom_component_idents i WHERE i.component_id = c.id "
                    "AND i.kind = 'cpe' AND (i.value = ?6 OR i.match_key = ?7))) "
                    "AND c.id > ?8 ORDER BY c.id LIMIT ?9",
                    &st, err) < 0 ||
            store_bind_int64(s, st, 1, q->document_id, err) < 0 || store_bind_int64(s, st, 2, q->release_id, err) < 0 ||
            store_bind_text(s, st, 3, q->name, err) < 0 || store_bind_text(s, st, 4, q->purl, err) < 0 ||
            store_bind_text(s, st, 5, q->purl_key, err) < 0 || store_bind_text(s, st, 6, q->cpe, err) < 0 ||
            store_bind_text(s, st, 7, q->cpe_key, err) < 0 || store_bind_int64(s, st, 8, q->after, err) < 0 ||
            store_bind_int64(s, st, 9, (int64_t) q->limit + 1, err) < 0)
                return -1;
        _cleanup_json_ json_t *arr = json_array();
        int rc;
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
                if (json_array_size(arr) == q->limit) {
                        *more = true;
                        break;
                }
                json_t *o = json_pack(
                        "{s:I, s:I, s:I, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:b}", "id",
                        (json_int_t) sqlite3_column_int64(st, 0), "document_id",
                        (json_int_t) sqlite3_column_int64(st, 1), "release_id", (json_int_t) sqlite3_column_int64(st, 2),
                        "release", col_json(st, 3), "product", col_json(st, 4), "module", col_json(st, 5), "ref",
                        col_json(st, 6), "name", col_json(st, 7), "version", col_json(st, 8), "supplier",
                        col_json(st, 9), "type", col_json(st, 10), "licenses", col_json(st, 11), "hashes",
                        col_parsed(st, 12), "patches", col_parsed(st, 13), "top_level", sqlite3_column_int(st, 14) != 0);
                json_array_append_new(arr, o);
        }
        if (rc != SQLITE_ROW && rc != SQLITE_DONE)
                return store_fail(s, err, "listing SBOM components");
        size_t i;
        json_t *o;
        json_array_foreach(arr, i, o) {
                if (component_idents(s, json_integer_value(json_object_get(o, "id")), o, err) < 0)
                        return -1;
        }
        *items = steal_ptr(arr);
        return 0;
}

int store_sbom_dependencies_json(struct store *s, int64_t document_id, json_t **pairs, struct error *err) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        *pairs = NULL;
        if (store_prepare(s, "SELECT a.ref, b.ref FROM sbom_dependencies x JOIN sbom_components a ON a.id = "
                             "x.component_id JOIN sbom_components b ON b.id = x.depends_on WHERE a.document_id = ?1 "
                             "ORDER BY a.id, b.id",
                          &st, err) < 0 ||
            store_bind_int64(s, st, 1, document_id, err) < 0)
                return -1;
        json_t *arr = json_array();
        int rc;
        while ((rc = sqlite3_step(st)) == SQLITE_ROW)
                json_array_append_new(arr, json_pack("[o, o]", col_json(st, 0), col_json(st, 1)));
        if (rc != SQLITE_DONE) {
                json_decref(arr);
                return store_fail(s, err, "reading SBOM dependencies");
        }
        *pairs = arr;
        return 0;
}

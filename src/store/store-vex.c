/* SPDX-License-Identifier: Apache-2.0 */
/* Reads for VEX import and export (migration 10 tables). */
#include <stdlib.h>
#include <string.h>
#include "core/cleanup.h"
#include "core/strutil.h"
#include "store/store-private.h"
#include "store/store-vex.h"

int store_vex_release_get(struct store *s, int64_t release_id, struct store_vex_release *out, struct error *err) {
        memset(out, 0, sizeof(*out));
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        if (store_prepare(s,
                          "SELECT p.name, p.model, r.version, p.manufacturer_name, p.manufacturer_contact, "
                          "r.created_at FROM releases r JOIN products p ON p.id = r.product_id WHERE r.id = ?1",
                          &st, err) < 0 ||
            store_bind_int64(s, st, 1, release_id, err) < 0)
                return -1;
        int rc = store_step_row(s, st, "reading a release for VEX", err);
        if (rc < 0)
                return -1;
        if (rc == 0)
                return error_set(err, ERROR_NOT_FOUND, "release %lld not found", (long long) release_id);
        out->product = store_column_text(st, 0);
        out->model = store_column_text(st, 1);
        out->version = store_column_text(st, 2);
        out->manufacturer = store_column_text(st, 3);
        out->contact = store_column_text(st, 4);
        out->created_at = sqlite3_column_int64(st, 5);
        return 0;
}

void store_vex_release_clear(struct store_vex_release *r) {
        free(r->product);
        free(r->model);
        free(r->version);
        free(r->manufacturer);
        free(r->contact);
        memset(r, 0, sizeof(*r));
}

void store_vex_findings_free(struct store_vex_finding *list, size_t n) {
        for (size_t i = 0; i < n; i++) {
                struct store_vex_finding *f = &list[i];
                free(f->vuln);
                for (size_t k = 0; k < f->n_aliases; k++)
                        free(f->aliases[k]);
                free(f->aliases);
                free(f->state);
                free(f->justification);
                free(f->action_statement);
                free(f->state_reason);
                free(f->ref);
                free(f->name);
                free(f->version);
                free(f->purl);
                free(f->cpe);
                free(f->cvss_vector);
                free(f->severity);
        }
        free(list);
}

static int read_aliases(struct store *s, int64_t vuln_id, const char *name, struct store_vex_finding *f,
                        struct error *err) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int rc;
        if (store_prepare(s, "SELECT alias FROM vuln_aliases WHERE vuln_id = ?1 ORDER BY alias", &st, err) < 0 ||
            store_bind_int64(s, st, 1, vuln_id, err) < 0)
                return -1;
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
                const char *a = (const char *) sqlite3_column_text(st, 0);
                if (!a || str_eq(a, name))
                        continue;
                f->aliases = xrealloc(f->aliases, (f->n_aliases + 1) * sizeof(*f->aliases));
                f->aliases[f->n_aliases++] = str_dup(a);
        }
        if (rc != SQLITE_DONE)
                return store_fail(s, err, "reading vulnerability aliases");
        return 0;
}

int store_vex_release_findings(struct store *s, int64_t release_id, struct store_vex_finding **out, size_t *n,
                               struct error *err) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        struct store_vex_finding *list = NULL;
        size_t cnt = 0, cap = 0;
        int rc;
        *out = NULL;
        *n = 0;
        /* The first valid purl and CPE of each component, by value, so the
         * same state always exports the same identifiers. */
        if (store_prepare(s,
                          "SELECT f.id, f.component_id, v.id, v.name, f.state, f.justification, f.action_statement, "
                          "f.state_reason, f.state_at, c.ref, c.name, c.version, "
                          "(SELECT MIN(i.value) FROM sbom_component_idents i WHERE i.component_id = c.id "
                          "AND i.kind = 'purl' AND i.valid = 1), "
                          "(SELECT MIN(i.value) FROM sbom_component_idents i WHERE i.component_id = c.id "
                          "AND i.kind = 'cpe' AND i.valid = 1), v.cvss_vector, coalesce(v.cvss_score10, -1), v.severity "
                          "FROM findings f JOIN vulns v ON v.id = f.vuln_id "
                          "JOIN sbom_components c ON c.id = f.component_id "
                          "WHERE f.release_id = ?1 AND f.gone_at IS NULL ORDER BY v.name, c.ref, c.id",
                          &st, err) < 0 ||
            store_bind_int64(s, st, 1, release_id, err) < 0)
                return -1;
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
                if (cnt == STORE_VEX_FINDINGS_MAX) {
                        store_vex_findings_free(list, cnt);
                        return error_set(err, ERROR_TOO_LARGE, "release %lld has more than %d findings",
                                         (long long) release_id, STORE_VEX_FINDINGS_MAX);
                }
                if (cnt == cap) {
                        cap = cap ? 2 * cap : 64;
                        list = xrealloc(list, cap * sizeof(*list));
                }
                struct store_vex_finding *f = &list[cnt++];
                memset(f, 0, sizeof(*f));
                f->id = sqlite3_column_int64(st, 0);
                f->component_id = sqlite3_column_int64(st, 1);
                f->vuln = store_column_text(st, 3);
                f->state = store_column_text(st, 4);
                f->justification = store_column_text(st, 5);
                f->action_statement = store_column_text(st, 6);
                f->state_reason = store_column_text(st, 7);
                f->state_at = sqlite3_column_int64(st, 8);
                f->ref = store_column_text(st, 9);
                f->name = store_column_text(st, 10);
                f->version = store_column_text(st, 11);
                f->purl = store_column_text(st, 12);
                f->cpe = store_column_text(st, 13);
                f->cvss_vector = store_column_text(st, 14);
                f->cvss_score10 = (int) sqlite3_column_int64(st, 15);
                f->severity = store_column_text(st, 16);
                if (read_aliases(s, sqlite3_column_int64(st, 2), f->vuln, f, err) < 0) {
                        store_vex_findings_free(list, cnt);
                        return -1;
                }
        }
        if (rc != SQLITE_DONE) {
                store_vex_findings_free(list, cnt);
                return store_fail(s, err, "listing a release's findings");
        }
        *out = list;
        *n = cnt;
        return 0;
}

int store_vex_finding_state(struct store *s, int64_t finding_id, char **state, char **justification,
                            char **action_statement, struct error *err) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        *state = *justification = *action_statement = NULL;
        if (store_prepare(s, "SELECT state, justification, action_statement FROM findings WHERE id = ?1", &st, err) <
                    0 ||
            store_bind_int64(s, st, 1, finding_id, err) < 0)
                return -1;
        int rc = store_step_row(s, st, "reading a finding's state", err);
        if (rc < 0)
                return -1;
        if (rc == 0)
                return error_set(err, ERROR_NOT_FOUND, "finding %lld not found", (long long) finding_id);
        *state = store_column_text(st, 0);
        *justification = store_column_text(st, 1);
        *action_statement = store_column_text(st, 2);
        return 0;
}

int store_vex_releases_with_purl(struct store *s, const char *purl, int64_t **ids, size_t *n, size_t max,
                                 struct error *err) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int64_t *list = NULL;
        size_t cnt = 0;
        int rc = SQLITE_DONE;
        *ids = NULL;
        *n = 0;
        if (store_prepare(s,
                          "SELECT DISTINCT d.release_id FROM sbom_component_idents i "
                          "JOIN sbom_components c ON c.id = i.component_id "
                          "JOIN sbom_documents d ON d.id = c.document_id "
                          "WHERE i.kind = 'purl' AND i.value = ?1 ORDER BY d.release_id",
                          &st, err) < 0 ||
            store_bind_text(s, st, 1, purl, err) < 0)
                return -1;
        while (cnt < max && (rc = sqlite3_step(st)) == SQLITE_ROW) {
                list = xrealloc(list, (cnt + 1) * sizeof(*list));
                list[cnt++] = sqlite3_column_int64(st, 0);
        }
        if (cnt < max && rc != SQLITE_DONE) {
                free(list);
                return store_fail(s, err, "finding the releases of a purl");
        }
        *ids = list;
        *n = cnt;
        return 0;
}

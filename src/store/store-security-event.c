/* SPDX-License-Identifier: Apache-2.0 */
/* security_events rows. */
#include <stdlib.h>
#include <string.h>
#include "core/cleanup.h"
#include "core/strutil.h"
#include "store/store-identity-private.h"

int store_security_event_insert(struct store *s, const struct store_security_event *e, int64_t *id_out,
                                struct error *err) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        if (store_prepare(s, "INSERT INTO security_events (time, kind, severity, product_id, device_serial, source, "
                             "details) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)", &st, err) < 0 ||
            store_bind_int64(s, st, 1, e->time, err) < 0 ||
            store_bind_text(s, st, 2, e->kind, err) < 0 ||
            store_bind_text(s, st, 3, e->severity, err) < 0 ||
            store_bind_opt_int64(s, st, 4, e->product_id, err) < 0 ||
            store_bind_text(s, st, 5, e->device_serial, err) < 0 ||
            store_bind_text(s, st, 6, e->source, err) < 0 ||
            store_bind_text(s, st, 7, e->details ? e->details : "{}", err) < 0 ||
            store_step_done(s, st, "recording a security event", err) < 0)
                return -1;
        if (id_out)
                *id_out = sqlite3_last_insert_rowid(s->db);
        return 0;
}

int store_security_event_list(struct store *s, const struct store_security_event_filter *f,
                              struct store_security_event **out, size_t *n_out, struct error *err) {
        *out = NULL;
        *n_out = 0;
        static const struct store_security_event_filter none = {0};
        if (!f)
                f = &none;
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        if (store_prepare(s, "SELECT e.id, e.time, e.kind, e.severity, e.product_id, e.device_serial, e.source, "
                             "e.details, p.model FROM security_events e LEFT JOIN products p ON p.id = e.product_id "
                             "WHERE (?1 IS NULL OR e.kind = ?1) AND (?2 = 0 OR e.time >= ?2) "
                             "AND (?3 = 0 OR e.product_id = ?3) AND e.id > ?4 ORDER BY e.id LIMIT ?5",
                          &st, err) < 0 ||
            store_bind_text(s, st, 1, f->kind, err) < 0 ||
            store_bind_int64(s, st, 2, f->since, err) < 0 ||
            store_bind_int64(s, st, 3, f->product_id, err) < 0 ||
            store_bind_int64(s, st, 4, f->after_id, err) < 0 ||
            store_bind_int64(s, st, 5, (int64_t) store_list_limit(f->limit), err) < 0)
                return -1;
        struct store_security_event *list = NULL;
        size_t n = 0, cap = 0;
        int rc;
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
                STORE_LIST_GROW(list, n, cap);
                struct store_security_event *e = &list[n];
                memset(e, 0, sizeof(*e));
                e->id = sqlite3_column_int64(st, 0);
                e->time = sqlite3_column_int64(st, 1);
                e->kind = store_column_text(st, 2);
                e->severity = store_column_text(st, 3);
                e->product_id = store_column_opt_int64(st, 4);
                e->device_serial = store_column_text(st, 5);
                e->source = store_column_text(st, 6);
                e->details = store_column_text(st, 7);
                e->product_model = store_column_text(st, 8);
                n++;
                if (!e->kind || !e->severity || !e->details) {
                        int64_t id = e->id;
                        store_security_event_list_free(list, n);
                        return error_set(err, ERROR_DB, "security event %lld has a malformed row", (long long) id);
                }
        }
        if (rc != SQLITE_DONE) {
                store_security_event_list_free(list, n);
                return store_fail(s, err, "listing security events");
        }
        *out = list;
        *n_out = n;
        return 0;
}

void store_security_event_clear(struct store_security_event *e) {
        if (!e)
                return;
        free(e->kind);
        free(e->severity);
        free(e->device_serial);
        free(e->source);
        free(e->details);
        free(e->product_model);
        memset(e, 0, sizeof(*e));
}

void store_security_event_list_free(struct store_security_event *list, size_t n) {
        for (size_t i = 0; i < n; i++)
                store_security_event_clear(&list[i]);
        free(list);
}

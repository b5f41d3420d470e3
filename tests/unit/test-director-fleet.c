/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The director at fleet scale (issue 8): last_seen written in groups from a
 * bounded pending set, and targets signed ahead of the poll from the queue
 * that opening and canceling actions fill, without a poll ever serving a
 * document that disagrees with the committed assignment.
 */
#include <sqlite3.h>
#include <stdlib.h>

#include "director/action.h"
#include "director/seen.h"
#include "store/store-director.h"
#include "store/store-identity.h"
#include "testutil-director.h"

static int setup(void **state) {
        *state = dfx_new();
        return 0;
}

static int teardown(void **state) {
        struct dfx *f = *state;
        director_seen_free(f->dc.seen);
        dfx_free(f);
        return 0;
}

static const char *const rootfs[] = {"rootfs.img", NULL};

/* Published release 1.2.0; devices D1..Dn; D1 assigned. */
static int64_t setup_fleet(struct dfx *f, int n) {
        dfx_init(f);
        for (int i = 1; i <= n; i++) {
                char serial[16];
                snprintf(serial, sizeof(serial), "D%d", i);
                dfx_enroll(f, serial);
        }
        int64_t rel = dfx_release(f, f->id->product_id, "1.2.0", 7, "[\"rev-C\"]", "published", rootfs);
        char body[96];
        snprintf(body, sizeof(body), "{\"release_id\": %lld, \"devices\": [\"D1\"]}", (long long) rel);
        struct error err;
        if (dfx_assign(f, body, &err) != ERROR_NONE)
                fail_msg("assign: %s", err.msg);
        return rel;
}

/* A second connection that sees other connections' commits: PRAGMA
 * data_version changes exactly when one of them committed a change. */
struct watch {
        sqlite3 *h;
};

static void watch_open(struct watch *w, struct dfx *f) {
        assert_int_equal(sqlite3_open_v2(f->id->t->db, &w->h, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
}

static int64_t watch_version(struct watch *w) {
        sqlite3_stmt *st = NULL;
        assert_int_equal(sqlite3_prepare_v2(w->h, "PRAGMA data_version", -1, &st, NULL), SQLITE_OK);
        assert_int_equal(sqlite3_step(st), SQLITE_ROW);
        int64_t v = sqlite3_column_int64(st, 0);
        sqlite3_finalize(st);
        return v;
}

static int64_t last_seen(struct dfx *f, const char *serial) {
        char sql[160];
        snprintf(sql, sizeof(sql),
                 "SELECT last_seen FROM device_update_state s JOIN devices d ON d.id = s.device_id "
                 "WHERE d.serial = '%s'", serial);
        return raw_int(f->id->t->db, sql);
}

/* First column of the first row as text (heap; NULL when no row). */
static char *raw_text(const char *db, const char *sql) {
        sqlite3 *h = NULL;
        sqlite3_stmt *st = NULL;
        assert_int_equal(sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
        if (sqlite3_prepare_v2(h, sql, -1, &st, NULL) != SQLITE_OK)
                fail_msg("raw SQL failed: %s: %s", sql, sqlite3_errmsg(h));
        char *v = sqlite3_step(st) == SQLITE_ROW ? str_dup((const char *) sqlite3_column_text(st, 0)) : NULL;
        sqlite3_finalize(st);
        sqlite3_close(h);
        return v;
}

static void poll(struct dfx *f, const char *serial) {
        free(dfx_targets_bytes(f, serial));
}

/* ---- last_seen in groups ---- */

static void test_seen_polls_write_nothing_until_flush(void **state) {
        struct dfx *f = *state;
        setup_fleet(f, 3);
        f->dc.seen = director_seen_new(0);
        struct error err = {0};
        size_t n_written = 0;
        /* First polls sign each device's targets (a write of its own); their
         * last_seen waits in the set. */
        poll(f, "D1");
        poll(f, "D2");
        poll(f, "D3");
        assert_int_equal(last_seen(f, "D1"), -1);
        assert_int_equal(director_seen_pending(f->dc.seen), 3);
        assert_int_equal(director_seen_flush(f->dc.seen, f->id->s, &n_written, &err), 0);
        assert_int_equal(n_written, 3);
        assert_int_equal(last_seen(f, "D2"), DFX_NOW);

        /* An interval later every device polls five times: each poll is a
         * read, and no transaction commits anything until the flush. */
        struct watch w;
        watch_open(&w, f);
        int64_t v0 = watch_version(&w);
        for (int k = 0; k < 5; k++) {
                f->dc.now = DFX_NOW + DIRECTOR_SEEN_INTERVAL + 1 + k;
                poll(f, "D1");
                poll(f, "D2");
                poll(f, "D3");
        }
        assert_int_equal(watch_version(&w), v0);
        assert_int_equal(last_seen(f, "D3"), DFX_NOW);
        assert_int_equal(director_seen_pending(f->dc.seen), 3);
        /* One transaction writes the latest time of each. */
        assert_int_equal(director_seen_flush(f->dc.seen, f->id->s, &n_written, &err), 0);
        assert_int_equal(n_written, 3);
        assert_true(watch_version(&w) != v0);
        for (const char *const *s = (const char *const[]){"D1", "D2", "D3", NULL}; *s; s++)
                assert_int_equal(last_seen(f, *s), DFX_NOW + DIRECTOR_SEEN_INTERVAL + 5);
        assert_int_equal(director_seen_pending(f->dc.seen), 0);
        /* Nothing pending: a flush writes nothing. */
        int64_t v1 = watch_version(&w);
        assert_int_equal(director_seen_flush(f->dc.seen, f->id->s, &n_written, &err), 0);
        assert_int_equal(n_written, 0);
        assert_int_equal(watch_version(&w), v1);

        /* Within the interval of the stored time, a poll notes nothing at all. */
        f->dc.now = DFX_NOW + DIRECTOR_SEEN_INTERVAL + 30;
        poll(f, "D1");
        assert_int_equal(director_seen_pending(f->dc.seen), 0);
        sqlite3_close(w.h);
}

static void test_seen_bounded(void **state) {
        struct dfx *f = *state;
        setup_fleet(f, 3);
        f->dc.seen = director_seen_new(2);
        poll(f, "D1");
        poll(f, "D2");
        assert_int_equal(director_seen_pending(f->dc.seen), 2);
        /* Full: the third device is written at once instead of being dropped. */
        poll(f, "D3");
        assert_int_equal(director_seen_pending(f->dc.seen), 2);
        assert_int_equal(last_seen(f, "D3"), DFX_NOW);
        assert_int_equal(last_seen(f, "D1"), -1);
        /* A device already in the set is still updated in place. */
        assert_true(director_seen_note(f->dc.seen, 1, DFX_NOW + 5));
        assert_false(director_seen_note(f->dc.seen, 99, DFX_NOW + 5));
}

/* A later time never goes back, and a device that no longer exists is skipped
 * without failing the others. */
static void test_seen_flush_keeps_later_and_skips_gone(void **state) {
        struct dfx *f = *state;
        setup_fleet(f, 2);
        struct error err = {0};
        struct store_device d1 = {0};
        assert_int_equal(store_device_get_by_serial(f->id->s, "D1", &d1, &err), 0);
        assert_int_equal(store_device_seen(f->id->s, d1.id, DFX_NOW + 100, 0, &err), 0);
        struct director_seen *ds = director_seen_new(0);
        assert_true(director_seen_note(ds, d1.id, DFX_NOW + 50));
        assert_true(director_seen_note(ds, 424242, DFX_NOW + 50));
        size_t n = 0;
        assert_int_equal(director_seen_flush(ds, f->id->s, &n, &err), 0);
        assert_int_equal(last_seen(f, "D1"), DFX_NOW + 100);
        assert_int_equal(raw_int(f->id->t->db, "SELECT count(*) FROM device_update_state WHERE device_id = 424242"),
                         0);
        director_seen_free(ds);
        store_device_clear(&d1);
}

/* ---- signing ahead ---- */

static int64_t queued(struct dfx *f) {
        return raw_int(f->id->t->db, "SELECT count(*) FROM director_sign_queue");
}

static void test_presign_then_poll_serves_stored(void **state) {
        struct dfx *f = *state;
        setup_fleet(f, 2);
        struct error err = {0};
        /* The assignment queued D1 in its own transaction. */
        assert_int_equal(queued(f), 1);
        size_t done = 0, n_signed = 0;
        assert_int_equal(director_presign_batch(&f->dc, 0, &done, &n_signed, &err), 0);
        assert_int_equal(done, 1);
        assert_int_equal(n_signed, 1);
        assert_int_equal(queued(f), 0);
        assert_int_equal(raw_int(f->id->t->db, "SELECT count(*) FROM director_targets"), 1);

        /* The poll serves those bytes and writes nothing. */
        struct watch w;
        watch_open(&w, f);
        int64_t v0 = watch_version(&w);
        f->dc.seen = director_seen_new(0);
        struct tuf_metadata *md = dfx_targets(f, "D1");
        assert_int_equal(watch_version(&w), v0);
        assert_int_equal(md->n_targets, 1);
        assert_non_null(tuf_metadata_find_target(md, "1.2.0/rootfs.img"));
        tuf_metadata_free(md);
        sqlite3_close(w.h);

        /* Nothing queued: a batch does nothing. */
        assert_int_equal(director_presign_batch(&f->dc, 0, &done, &n_signed, &err), 0);
        assert_int_equal(done, 0);
}

/* The worker signed D1 with the release; its assignment is then canceled
 * and D1 polls before the worker gets to it again: it must not be offered
 * the release. */
static void test_canceled_assignment_never_served_stale(void **state) {
        struct dfx *f = *state;
        setup_fleet(f, 1);
        struct error err = {0};
        size_t done = 0;
        assert_int_equal(director_presign_batch(&f->dc, 0, &done, NULL, &err), 0);
        char *before = raw_text(f->id->t->db, "SELECT document FROM director_targets");
        assert_non_null(strstr(before, "1.2.0/rootfs.img"));

        struct store_device d = {0};
        int64_t canceled = 0;
        assert_int_equal(store_device_get_by_serial(f->id->s, "D1", &d, &err), 0);
        assert_int_equal(store_tx_begin(f->id->s, &err), 0);
        assert_int_equal(director_action_cancel(f->id->s, d.id, "campaign aborted", DFX_NOW + 5, &canceled, &err), 0);
        assert_int_equal(store_tx_commit(f->id->s, &err), 0);
        assert_int_equal(queued(f), 1);

        f->dc.now = DFX_NOW + 10;
        struct tuf_metadata *md = dfx_targets(f, "D1");
        assert_int_equal(md->n_targets, 0);
        assert_true(md->version > DFX_NOW);
        tuf_metadata_free(md);

        /* The worker then finds the stored document already right. */
        size_t n_signed = 9;
        assert_int_equal(director_presign_batch(&f->dc, 0, &done, &n_signed, &err), 0);
        assert_int_equal(done, 1);
        assert_int_equal(n_signed, 0);
        md = dfx_targets(f, "D1");
        assert_int_equal(md->n_targets, 0);
        tuf_metadata_free(md);
        free(before);
        store_device_clear(&d);
}

/* Batches: many queued devices are taken `max` at a time, oldest first, and
 * each gets its own metadata. */
static void test_presign_batches(void **state) {
        struct dfx *f = *state;
        int64_t rel = setup_fleet(f, 5);
        struct error err = {0};
        char body[160];
        snprintf(body, sizeof(body), "{\"release_id\": %lld, \"devices\": [\"D2\", \"D3\", \"D4\", \"D5\"]}",
                 (long long) rel);
        assert_int_equal(dfx_assign(f, body, &err), ERROR_NONE);
        assert_int_equal(queued(f), 5);
        size_t done = 0, n_signed = 0;
        assert_int_equal(director_presign_batch(&f->dc, 2, &done, &n_signed, &err), 0);
        assert_int_equal(done, 2);
        assert_int_equal(queued(f), 3);
        assert_int_equal(director_presign_batch(&f->dc, 10, &done, &n_signed, &err), 0);
        assert_int_equal(done, 3);
        assert_int_equal(n_signed, 3);
        assert_int_equal(queued(f), 0);
        assert_int_equal(raw_int(f->id->t->db, "SELECT count(*) FROM director_targets WHERE document LIKE "
                                               "'%1.2.0/rootfs.img%'"),
                         5);
        struct tuf_metadata *md = dfx_targets(f, "D4");
        const struct tuf_target *t = tuf_metadata_find_target(md, "1.2.0/rootfs.img");
        assert_non_null(t);
        assert_string_equal(cr_json_get_string(t->custom, "serial"), "D4");
        tuf_metadata_free(md);
}

/* No root yet: the queue waits, nothing fails. */
static void test_presign_without_root(void **state) {
        struct dfx *f = *state;
        struct error err = {0};
        size_t done = 7;
        assert_int_equal(director_presign_batch(&f->dc, 0, &done, NULL, &err), 0);
        assert_int_equal(done, 0);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_seen_polls_write_nothing_until_flush, setup, teardown),
                cmocka_unit_test_setup_teardown(test_seen_bounded, setup, teardown),
                cmocka_unit_test_setup_teardown(test_seen_flush_keeps_later_and_skips_gone, setup, teardown),
                cmocka_unit_test_setup_teardown(test_presign_then_poll_serves_stored, setup, teardown),
                cmocka_unit_test_setup_teardown(test_canceled_assignment_never_served_stale, setup, teardown),
                cmocka_unit_test_setup_teardown(test_presign_batches, setup, teardown),
                cmocka_unit_test_setup_teardown(test_presign_without_root, setup, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

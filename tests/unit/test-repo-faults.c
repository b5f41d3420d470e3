/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The image repository under faults (docs/ota.md, "Files and rows"): a
 * failing commit, a full disk at each staging step, a switch that does not
 * happen after the commit, a database behind the served files. After each,
 * the served repository is the one before the fault (or a newer one), a
 * client that saw the state before the fault refreshes without a rollback
 * error, and a retry publishes. Faults are armed with CRADLE_FAULT
 * (core/fault.h); without fault injection in the build those tests skip.
 */
#include "testutil-ota.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>

#include "core/fault.h"
#include "tuf/client.h"
#include "tuf/fetcher.h"

#define NOW 1800000000 /* 2027-01-15 */

static int setup(void **state) {
        *state = ota_fx_new(NOW);
        return 0;
}

static int teardown(void **state) {
        unsetenv("CRADLE_FAULT");
        ota_fx_free(*state);
        return 0;
}

static void skip_without_faults(void) {
#ifndef CRADLE_FAULT_INJECTION
        skip();
#endif
}

static json_t *repo_json(struct ota_fx *f, const char *name) {
        _cleanup_free_ char *p = ota_fx_repo_path(f, name);
        _cleanup_free_ char *data = NULL;
        size_t len;
        struct error err = { 0 };
        ota_fx_ok(file_read_all(p, 16 << 20, &data, &len, &err), err);
        return json_loads(data, 0, NULL);
}

static int64_t signed_int(json_t *doc, const char *meta) {
        json_t *s = json_object_get(doc, "signed");
        if (!meta)
                return json_integer_value(json_object_get(s, "version"));
        return json_integer_value(json_object_get(json_object_get(json_object_get(s, "meta"), meta), "version"));
}

/* What the repository serves: timestamp, the snapshot it names, and the
 * targets version that snapshot names. */
struct served {
        int64_t ts, snap, targets;
};

static struct served served(struct ota_fx *f) {
        struct served r = { 0 };
        _cleanup_json_ json_t *ts = repo_json(f, "timestamp.json");
        r.ts = signed_int(ts, NULL);
        r.snap = signed_int(ts, "snapshot.json");
        char name[64];
        snprintf(name, sizeof(name), "%lld.snapshot.json", (long long) r.snap);
        _cleanup_json_ json_t *sn = repo_json(f, name);
        r.targets = signed_int(sn, "targets.json");
        return r;
}

static void assert_served(struct ota_fx *f, int64_t ts, int64_t snap, int64_t targets) {
        struct served s = served(f);
        if (s.ts != ts || s.snap != snap || s.targets != targets)
                fail_msg("served timestamp %lld -> snapshot %lld -> targets %lld; expected %lld -> %lld -> %lld",
                         (long long) s.ts, (long long) s.snap, (long long) s.targets, (long long) ts,
                         (long long) snap, (long long) targets);
}

/* Hidden (staged) files left in the repository directory. */
static int hidden_files(struct ota_fx *f) {
        _cleanup_free_ char *dir = str_printf("%s/repo/" OTA_FX_MODEL, f->t->dir);
        DIR *d = opendir(dir);
        assert_non_null(d);
        int n = 0;
        struct dirent *e;
        while ((e = readdir(d)))
                if (e->d_name[0] == '.' && strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
                        n++;
        closedir(d);
        return n;
}

/* A device's TUF client with its own trusted store (kept between refreshes,
 * as a device keeps it). Refreshes at `now`; returns tuf_client_refresh's
 * result with err set; *has_target tells whether `path` is listed. */
static int client_refresh(struct ota_fx *f, const char *who, int64_t now, const char *path, bool *has_target,
                          struct error *err) {
        struct error e = { 0 };
        _cleanup_free_ char *store = str_printf("%s/client-%s", f->t->dir, who);
        if (!file_exists(store)) {
                ota_fx_ok(dir_create(store, 0700, &e), e);
                ota_fx_ok(tuf_client_store_init(store, f->root_json, f->root_len, &e), e);
        }
        _cleanup_free_ char *meta = str_printf("%s/repo/" OTA_FX_MODEL, f->t->dir);
        _cleanup_free_ char *tgt = str_printf("%s/repo/" OTA_FX_MODEL "/targets", f->t->dir);
        struct tuf_dir_fetcher mf = { .base_dir = meta }, tf = { .base_dir = tgt };
        struct tuf_client_config cfg = {
                .store_dir = store,
                .metadata = tuf_dir_fetcher(&mf),
                .targets = tuf_dir_fetcher(&tf),
                .now = now,
        };
        struct tuf_client *c = NULL;
        ota_fx_ok(tuf_client_new(&cfg, &c, &e), e);
        int rc = tuf_client_refresh(c, err);
        if (has_target) {
                const struct tuf_target *t = NULL;
                struct error fe = { 0 };
                *has_target = rc == 0 && tuf_client_find_target(c, path, &t, &fe) == 0;
        }
        tuf_client_free(c);
        return rc;
}

/* The client refreshes without error; returns whether path is listed. */
static bool client_ok(struct ota_fx *f, const char *who, int64_t now, const char *path) {
        struct error err = { 0 };
        bool has = false;
        if (client_refresh(f, who, now, path, &has, &err) < 0)
                fail_msg("client %s refused the repository: %s", who, err.msg);
        return has;
}

static int64_t signed_release(struct ota_fx *f, const char *version, int64_t sv, const char *content) {
        struct error err = { 0 };
        int64_t id = ota_fx_draft(f, version, sv, "rootfs.img", content);
        _cleanup_json_ json_t *p = NULL;
        ota_fx_ok(repo_release_prepare(&f->c, &ota_fx_actor, id, &p, &err), err);
        for (int k = 0; k < 2; k++) {
                _cleanup_json_ json_t *x = NULL;
                ota_fx_ok(ota_fx_sign(f, id, k, &x, &err), err);
        }
        return id;
}

static const char *release_status(struct ota_fx *f, int64_t id, char buf[16]) {
        struct error err = { 0 };
        _cleanup_json_ json_t *r = NULL;
        ota_fx_ok(release_get(&f->c, id, &r, &err), err);
        snprintf(buf, 16, "%s", json_string_value(json_object_get(r, "status")));
        return buf;
}

static int64_t publish_audits(struct ota_fx *f) {
        return raw_int(f->t->db, "SELECT count(*) FROM audit_log WHERE action = 'release.publish'");
}

/* 1.0.0 published and seen by client "a"; 1.1.0 signed, ready to publish. */
static int64_t one_published_one_signed(struct ota_fx *f) {
        ota_fx_publish(f, "1.0.0", 1, "rootfs.img", "one");
        assert_true(client_ok(f, "a", NOW + 60, "1.0.0/rootfs.img"));
        return signed_release(f, "1.1.0", 2, "two");
}

/* Publishes release id with one fault point armed and checks that it failed
 * with `kind` and left everything as it was: still signed, version 1 of
 * every file served, no staged file left, nothing new for a client. */
static void publish_refused_unchanged(struct ota_fx *f, int64_t id, const char *fault, enum error_kind kind,
                                      struct error *err) {
        char st[16];
        _cleanup_json_ json_t *o = NULL;

        setenv("CRADLE_FAULT", fault, 1);
        assert_int_equal(repo_release_publish(&f->c, &ota_fx_actor, id, &o, err), -1);
        unsetenv("CRADLE_FAULT");
        assert_null(o);
        assert_int_equal(err->kind, kind);
        assert_string_equal(release_status(f, id, st), "signed");
        assert_served(f, 1, 1, 1);
        assert_int_equal(hidden_files(f), 0);
        assert_false(client_ok(f, "a", NOW + 60, "1.1.0/rootfs.img"));
}

/* ---- a failing commit ---- */

static void test_commit_failure_serves_nothing(void **state) {
        skip_without_faults();
        struct ota_fx *f = *state;
        struct error err = { 0 };
        char st[16];
        int64_t id = one_published_one_signed(f);
        _cleanup_json_ json_t *pub = NULL;

        /* An honest error (a database failure is a 500), nothing recorded,
         * nothing served. */
        publish_refused_unchanged(f, id, "repo.publish.commit:fail", ERROR_DB, &err);
        assert_int_equal(publish_audits(f), 1);

        /* A restart changes nothing served. */
        struct repo_maintain_report rep;
        ota_fx_ok(repo_maintain(&f->c, &rep, &err), err);
        assert_int_equal(rep.failed, 0);
        assert_int_equal(rep.timestamps, 0);
        assert_served(f, 1, 1, 1);

        /* The retry publishes; the snapshot version the failed attempt
         * wrote (unserved) is not reused. */
        ota_fx_ok(repo_release_publish(&f->c, &ota_fx_actor, id, &pub, &err), err);
        assert_string_equal(release_status(f, id, st), "published");
        assert_served(f, 2, 3, 2);
        assert_true(client_ok(f, "a", NOW + 60, "1.1.0/rootfs.img"));
        assert_true(client_ok(f, "fresh", NOW + 60, "1.1.0/rootfs.img"));
}

/* ---- a full disk at each staging step ---- */

static void test_disk_full_serves_nothing(void **state) {
        skip_without_faults();
        struct ota_fx *f = *state;
        struct error err = { 0 };
        int64_t id = one_published_one_signed(f);
        static const char *const points[] = { "repo.stage.targets:enospc", "repo.stage.snapshot:enospc",
                                              "repo.stage.timestamp:enospc" };
        for (size_t i = 0; i < ELEMENTSOF(points); i++) {
                publish_refused_unchanged(f, id, points[i], ERROR_NO_SPACE, &err);
                assert_non_null(strstr(err.msg, strerror(ENOSPC)));
        }
        assert_int_equal(publish_audits(f), 1);
        _cleanup_json_ json_t *pub = NULL;
        ota_fx_ok(repo_release_publish(&f->c, &ota_fx_actor, id, &pub, &err), err);
        struct served s = served(f);
        assert_int_equal(s.ts, 2);
        assert_int_equal(s.targets, 2);
        assert_true(s.snap >= 2);
        assert_true(client_ok(f, "a", NOW + 60, "1.1.0/rootfs.img"));
        assert_true(client_ok(f, "fresh", NOW + 60, "1.1.0/rootfs.img"));
}

/* ---- committed, not switched (the process died in between) ---- */

static void test_switch_missed_rolls_forward(void **state) {
        skip_without_faults();
        struct ota_fx *f = *state;
        struct error err = { 0 };
        char st[16];
        int64_t id = one_published_one_signed(f);
        setenv("CRADLE_FAULT", "repo.publish.switch:fail", 1);
        _cleanup_json_ json_t *pub = NULL;
        /* The publication committed: the answer says so. */
        ota_fx_ok(repo_release_publish(&f->c, &ota_fx_actor, id, &pub, &err), err);
        unsetenv("CRADLE_FAULT");
        assert_string_equal(release_status(f, id, st), "published");
        assert_served(f, 1, 1, 1);
        assert_true(client_ok(f, "a", NOW + 60, "1.0.0/rootfs.img"));
        /* The restart (or the next maintenance run) rolls the files forward
         * to the database, above the served timestamp. */
        struct repo_maintain_report rep;
        ota_fx_ok(repo_maintain(&f->c, &rep, &err), err);
        assert_int_equal(rep.failed, 0);
        assert_int_equal(rep.timestamps, 1);
        assert_served(f, 3, 2, 2);
        assert_true(client_ok(f, "a", NOW + 60, "1.1.0/rootfs.img"));
        assert_true(client_ok(f, "fresh", NOW + 60, "1.1.0/rootfs.img"));
}

/* ---- maintenance whose commit fails ---- */

static void test_maintain_commit_failure(void **state) {
        skip_without_faults();
        struct ota_fx *f = *state;
        struct error err = { 0 };
        struct repo_maintain_report rep;
        ota_fx_publish(f, "1.0.0", 1, "rootfs.img", "one");
        /* 4 days in: snapshot and timestamp are due. */
        f->c.now = NOW + 4 * OTA_FX_DAY;
        assert_true(client_ok(f, "a", NOW + 60, "1.0.0/rootfs.img"));
        setenv("CRADLE_FAULT", "repo.maintain.commit:fail", 1);
        ota_fx_ok(repo_maintain(&f->c, &rep, &err), err);
        unsetenv("CRADLE_FAULT");
        assert_int_equal(rep.failed, 1);
        assert_served(f, 1, 1, 1);
        assert_int_equal(hidden_files(f), 0);
        ota_fx_ok(repo_maintain(&f->c, &rep, &err), err);
        assert_int_equal(rep.failed, 0);
        /* Snapshot 2 was written by the failed run and never served: the
         * next run signs 3. */
        assert_served(f, 2, 3, 1);
        assert_true(client_ok(f, "a", NOW + 4 * OTA_FX_DAY + 60, "1.0.0/rootfs.img"));
}

/* ---- a root rotation whose commit fails ---- */

static void test_rotation_commit_failure(void **state) {
        skip_without_faults();
        struct ota_fx *f = *state;
        struct error err = { 0 };
        ota_fx_publish(f, "1.0.0", 1, "rootfs.img", "one");
        assert_true(client_ok(f, "a", NOW + 60, "1.0.0/rootfs.img"));
        _cleanup_json_ json_t *next = NULL, *o = NULL, *ok = NULL;
        ota_fx_ok(repo_online_keys_next(&f->c, &ota_fx_actor, OTA_FX_MODEL, &next, &err), err);
        json_t *n = json_object_get(next, "next");
        struct tuf_key *snap = ota_fx_online_key(n, "snapshot"), *ts = ota_fx_online_key(n, "timestamp");
        static const int r0[] = { 0 }, t012[] = { 0, 1, 2 }, s0[] = { 0 };
        json_t *body = json_pack("{s:o}", "root",
                                 ota_fx_root(f, 2, NOW + 365 * OTA_FX_DAY, r0, 1, 1, t012, 3, 2, snap, ts, s0, 1));
        setenv("CRADLE_FAULT", "repo.root.commit:fail", 1);
        assert_int_equal(repo_rotate_root(&f->c, &ota_fx_actor, OTA_FX_MODEL, body, &o, &err), -1);
        unsetenv("CRADLE_FAULT");
        /* Clients probe 2.root.json: it must not appear, nor a timestamp
         * signed by keys only root 2 trusts. */
        _cleanup_free_ char *r2 = ota_fx_repo_path(f, "2.root.json");
        assert_false(file_exists(r2));
        _cleanup_json_ json_t *root = repo_json(f, "root.json");
        assert_int_equal(signed_int(root, NULL), 1);
        assert_served(f, 1, 1, 1);
        assert_int_equal(hidden_files(f), 0);
        assert_true(client_ok(f, "a", NOW + 60, "1.0.0/rootfs.img"));
        struct repo_maintain_report rep;
        ota_fx_ok(repo_maintain(&f->c, &rep, &err), err);
        assert_served(f, 1, 1, 1);
        assert_true(client_ok(f, "a", NOW + 60, "1.0.0/rootfs.img"));
        /* The retry rotates; the client follows. */
        ota_fx_ok(repo_rotate_root(&f->c, &ota_fx_actor, OTA_FX_MODEL, body, &ok, &err), err);
        assert_true(file_exists(r2));
        assert_true(client_ok(f, "a", NOW + 60, "1.0.0/rootfs.img"));
        json_decref(body);
        tuf_key_free(snap);
        tuf_key_free(ts);
}

/* ---- files ahead of the database (no fault injection needed) ---- */

/* The state an older cradled left after a failed publication commit (or a
 * database restored from a backup): the files serve targets 2 through
 * snapshot 2 and timestamp 2, the database says 1/1/1 and the release is
 * still signed. A restart must not serve anything older; the retry of the
 * same release publishes above it. */
static void test_database_behind_files(void **state) {
        struct ota_fx *f = *state;
        struct error err = { 0 };
        char st[16];
        ota_fx_publish(f, "1.0.0", 1, "rootfs.img", "one");
        int64_t id = ota_fx_publish(f, "1.1.0", 2, "rootfs.img", "two");
        assert_served(f, 2, 2, 2);
        assert_true(client_ok(f, "a", NOW + 60, "1.1.0/rootfs.img"));
        char sql[256];
        raw_exec(f->t->db, "UPDATE repos SET targets_version = 1, snapshot_version = 1, timestamp_version = 1");
        snprintf(sql, sizeof(sql), "UPDATE releases SET status = 'signed', published_at = NULL WHERE id = %lld",
                 (long long) id);
        raw_exec(f->t->db, sql);

        struct repo_maintain_report rep;
        ota_fx_ok(repo_maintain(&f->c, &rep, &err), err);
        assert_int_equal(rep.failed, 1);
        assert_served(f, 2, 2, 2);
        assert_true(client_ok(f, "a", NOW + 60, "1.1.0/rootfs.img"));

        _cleanup_json_ json_t *pub = NULL;
        ota_fx_ok(repo_release_publish(&f->c, &ota_fx_actor, id, &pub, &err), err);
        assert_string_equal(release_status(f, id, st), "published");
        assert_served(f, 3, 3, 2);
        assert_true(client_ok(f, "a", NOW + 60, "1.1.0/rootfs.img"));
        assert_true(client_ok(f, "fresh", NOW + 60, "1.1.0/rootfs.img"));
        ota_fx_ok(repo_maintain(&f->c, &rep, &err), err);
        assert_int_equal(rep.failed, 0);
}

/* The same, when the files are ahead by a prepared release that was then
 * prepared again (other content at the served targets version): publishing
 * it is refused, and preparing again goes above the served version. */
static void test_database_behind_files_reprepared(void **state) {
        struct ota_fx *f = *state;
        struct error err = { 0 };
        ota_fx_publish(f, "1.0.0", 1, "rootfs.img", "one");
        int64_t id = ota_fx_publish(f, "1.1.0", 2, "rootfs.img", "two");
        assert_true(client_ok(f, "a", NOW + 60, "1.1.0/rootfs.img"));
        raw_exec(f->t->db, "UPDATE repos SET targets_version = 1, snapshot_version = 1, timestamp_version = 1");
        char sql[256];
        snprintf(sql, sizeof(sql), "UPDATE releases SET status = 'signed', published_at = NULL WHERE id = %lld",
                 (long long) id);
        raw_exec(f->t->db, sql);
        /* Prepared again later (new expiry: other bytes). */
        f->c.now = NOW + 600;
        _cleanup_json_ json_t *p = NULL, *o = NULL, *pub = NULL;
        ota_fx_ok(repo_release_prepare(&f->c, &ota_fx_actor, id, &p, &err), err);
        assert_int_equal(json_integer_value(json_object_get(p, "version")), 3);
        for (int k = 0; k < 2; k++) {
                _cleanup_json_ json_t *x = NULL;
                ota_fx_ok(ota_fx_sign(f, id, k, &x, &err), err);
        }
        ota_fx_ok(repo_release_publish(&f->c, &ota_fx_actor, id, &pub, &err), err);
        assert_served(f, 3, 3, 3);
        assert_true(client_ok(f, "a", NOW + 660, "1.1.0/rootfs.img"));
        (void) o;
}

/* Files ahead of the database by release X at targets version 2, and
 * another release Y prepared on the same base as version 2 too: Y would
 * serve version 2 again with other content, which is refused. */
static void test_database_behind_files_other_content(void **state) {
        struct ota_fx *f = *state;
        struct error err = { 0 };
        ota_fx_publish(f, "1.0.0", 1, "rootfs.img", "one");
        int64_t x = signed_release(f, "1.1.0", 2, "two");
        int64_t y = signed_release(f, "1.1.1", 2, "three");
        _cleanup_json_ json_t *px = NULL, *py = NULL, *again = NULL;
        ota_fx_ok(repo_release_publish(&f->c, &ota_fx_actor, x, &px, &err), err);
        assert_true(client_ok(f, "a", NOW + 60, "1.1.0/rootfs.img"));
        raw_exec(f->t->db, "UPDATE repos SET targets_version = 1, snapshot_version = 1, timestamp_version = 1");
        char sql[256];
        snprintf(sql, sizeof(sql), "UPDATE releases SET status = 'signed', published_at = NULL WHERE id = %lld",
                 (long long) x);
        raw_exec(f->t->db, sql);
        _cleanup_free_ char *t2 = ota_fx_repo_path(f, "2.targets.json");
        _cleanup_free_ char *before = NULL, *after = NULL;
        size_t bl = 0, al = 0;
        ota_fx_ok(file_read_all(t2, 1 << 20, &before, &bl, &err), err);
        assert_int_equal(repo_release_publish(&f->c, &ota_fx_actor, y, &py, &err), -1);
        assert_int_equal(err.kind, ERROR_CONFLICT);
        if (!strstr(err.msg, "already serves targets version 2 with other content"))
                fail_msg("unexpected error: %s", err.msg);
        ota_fx_ok(file_read_all(t2, 1 << 20, &after, &al, &err), err);
        assert_memory_equal(before, after, bl);
        assert_served(f, 2, 2, 2);
        assert_true(client_ok(f, "a", NOW + 60, "1.1.0/rootfs.img"));
        (void) again;
}

/* The state an older cradled left after a maintenance run whose commit
 * failed: snapshot 2 served, the row at snapshot 1. */
static void test_snapshot_behind_files(void **state) {
        struct ota_fx *f = *state;
        struct error err = { 0 };
        struct repo_maintain_report rep;
        ota_fx_publish(f, "1.0.0", 1, "rootfs.img", "one");
        f->c.now = NOW + 4 * OTA_FX_DAY;
        ota_fx_ok(repo_maintain(&f->c, &rep, &err), err);
        assert_served(f, 2, 2, 1);
        assert_true(client_ok(f, "a", f->c.now + 60, "1.0.0/rootfs.img"));
        raw_exec(f->t->db, "UPDATE repos SET snapshot_version = 1, timestamp_version = 1");
        ota_fx_ok(repo_maintain(&f->c, &rep, &err), err);
        assert_int_equal(rep.failed, 0);
        assert_served(f, 3, 3, 1);
        assert_true(client_ok(f, "a", f->c.now + 60, "1.0.0/rootfs.img"));
        /* Again, with a gap below the served snapshot (2.snapshot.json, no
         * longer referenced, removed): the next one is still above 3. */
        raw_exec(f->t->db, "UPDATE repos SET snapshot_version = 1, timestamp_version = 1");
        _cleanup_free_ char *s2 = ota_fx_repo_path(f, "2.snapshot.json");
        assert_int_equal(unlink(s2), 0);
        ota_fx_ok(repo_maintain(&f->c, &rep, &err), err);
        assert_served(f, 4, 4, 1);
        assert_true(client_ok(f, "a", f->c.now + 60, "1.0.0/rootfs.img"));
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_commit_failure_serves_nothing, setup, teardown),
                cmocka_unit_test_setup_teardown(test_disk_full_serves_nothing, setup, teardown),
                cmocka_unit_test_setup_teardown(test_switch_missed_rolls_forward, setup, teardown),
                cmocka_unit_test_setup_teardown(test_maintain_commit_failure, setup, teardown),
                cmocka_unit_test_setup_teardown(test_rotation_commit_failure, setup, teardown),
                cmocka_unit_test_setup_teardown(test_database_behind_files, setup, teardown),
                cmocka_unit_test_setup_teardown(test_database_behind_files_reprepared, setup, teardown),
                cmocka_unit_test_setup_teardown(test_database_behind_files_other_content, setup, teardown),
                cmocka_unit_test_setup_teardown(test_snapshot_behind_files, setup, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Releases: creation and its refusals, the monotonic security version
 * (anti-rollback), images stored once by SHA-256 (deduplicated, linked from
 * the upload, which stays the caller's), SBOMs kept unchanged, the states
 * draft -> signed -> published -> withdrawn with an audit entry for each
 * change, and CRA Art. 13(9): a published image may not be deleted for ten
 * years (or the rest of the support period), and the refusal says until when.
 */
#include "testutil-ota.h"

#include <sys/stat.h>

#include "core/time.h"

#define NOW 1800000000 /* 2027-01-15 */

#define assert_error_contains(e, s)                                                         \
        do {                                                                                \
                if (!strstr((e).msg, (s)))                                                  \
                        fail_msg("error \"%s\" does not contain \"%s\"", (e).msg, (s));     \
        } while (0)

static int setup(void **state) {
        *state = ota_fx_new(NOW);
        return 0;
}

static int teardown(void **state) {
        ota_fx_free(*state);
        return 0;
}

static const char *jstr(json_t *j, const char *k) {
        return json_string_value(json_object_get(j, k));
}

static int64_t jint(json_t *j, const char *k) {
        return json_integer_value(json_object_get(j, k));
}

static int create(struct ota_fx *f, const char *text, json_t **out, struct error *err) {
        json_error_t je;
        json_t *body = json_loads(text, 0, &je);
        if (!body)
                fail_msg("bad test JSON: %s: %s", je.text, text);
        int rc = release_create(&f->c, &ota_fx_actor, body, out, err);
        json_decref(body);
        return rc;
}

static void expect_create_refused(struct ota_fx *f, const char *text, enum error_kind kind, const char *msg) {
        struct error err = { 0 };
        _cleanup_json_ json_t *out = NULL;
        if (create(f, text, &out, &err) == 0)
                fail_msg("accepted: %s", text);
        assert_int_equal(err.kind, kind);
        assert_error_contains(err, msg);
}

#define BODY(version, sv) \
        "{\"product\": \"T1-EU\", \"version\": \"" version "\", \"security_version\": " #sv ", " \
        "\"hardware_revisions\": [\"r2\"]}"

static void test_create(void **state) {
        struct ota_fx *f = *state;
        struct error err = { 0 };
        _cleanup_json_ json_t *r = NULL, *got = NULL, *list = NULL;
        ota_fx_ok(create(f,
                         "{\"product\": \"T1-EU\", \"version\": \"1.2.0+build.7\", \"security_version\": 7, "
                         "\"hardware_revisions\": [\"r2\", \"r3\"], \"notes\": \"Fixes CVE-2026-1234.\\nAnd more.\"}",
                         &r, &err),
                  err);
        assert_string_equal(jstr(r, "status"), "draft");
        assert_string_equal(jstr(r, "product"), "T1-EU");
        assert_string_equal(jstr(r, "version"), "1.2.0+build.7");
        assert_int_equal(jint(r, "security_version"), 7);
        assert_int_equal(json_array_size(json_object_get(r, "hardware_revisions")), 2);
        assert_string_equal(jstr(r, "created_by"), "rm-1");
        assert_true(json_is_null(json_object_get(r, "sbom")));
        assert_true(json_is_null(json_object_get(r, "targets")));
        assert_int_equal(json_array_size(json_object_get(r, "images")), 0);
        ota_fx_ok(release_get(&f->c, jint(r, "id"), &got, &err), err);
        assert_true(json_equal(r, got));
        ota_fx_ok(release_list(&f->c, "T1-EU", 0, 0, &list, &err), err);
        assert_int_equal(json_array_size(json_object_get(list, "items")), 1);
        assert_true(json_is_null(json_object_get(list, "next_before_id")));
        assert_int_equal(raw_int(f->t->db, "SELECT count(*) FROM audit_log WHERE action = 'release.create'"), 1);
        /* The same version twice. */
        expect_create_refused(f, BODY("1.2.0+build.7", 7), ERROR_CONFLICT, "already has a release 1.2.0+build.7");
}

/* The list pages newest first: next_before_id continues it, null on the last page. */
static void test_list_pages(void **state) {
        struct ota_fx *f = *state;
        struct error err = { 0 };
        int64_t ids[3];
        const char *bodies[] = { BODY("1.0.0", 1), BODY("1.1.0", 2), BODY("1.2.0", 3) };
        for (size_t i = 0; i < 3; i++) {
                _cleanup_json_ json_t *r = NULL;
                ota_fx_ok(create(f, bodies[i], &r, &err), err);
                ids[i] = jint(r, "id");
        }
        _cleanup_json_ json_t *p1 = NULL, *p2 = NULL, *all = NULL;
        ota_fx_ok(release_list(&f->c, NULL, 0, 2, &p1, &err), err);
        json_t *items = json_object_get(p1, "items");
        assert_int_equal(json_array_size(items), 2);
        assert_int_equal(jint(json_array_get(items, 0), "id"), ids[2]);
        assert_int_equal(jint(json_array_get(items, 1), "id"), ids[1]);
        assert_int_equal(jint(p1, "next_before_id"), ids[1]);
        ota_fx_ok(release_list(&f->c, NULL, ids[1], 2, &p2, &err), err);
        items = json_object_get(p2, "items");
        assert_int_equal(json_array_size(items), 1);
        assert_int_equal(jint(json_array_get(items, 0), "id"), ids[0]);
        assert_true(json_is_null(json_object_get(p2, "next_before_id")));
        /* A page exactly as long as what is left says it is the last. */
        ota_fx_ok(release_list(&f->c, NULL, 0, 3, &all, &err), err);
        assert_int_equal(json_array_size(json_object_get(all, "items")), 3);
        assert_true(json_is_null(json_object_get(all, "next_before_id")));
}

static void test_create_refusals(void **state) {
        struct ota_fx *f = *state;
        expect_create_refused(f, "{\"product\": \"NOPE\", \"version\": \"1\", \"security_version\": 1, "
                                 "\"hardware_revisions\": [\"r2\"]}",
                              ERROR_NOT_FOUND, "NOPE");
        expect_create_refused(f, BODY("../1", 1), ERROR_INVALID, "version");
        expect_create_refused(f, BODY(".hidden", 1), ERROR_INVALID, "version");
        expect_create_refused(f, BODY("1/2", 1), ERROR_INVALID, "version");
        expect_create_refused(f, BODY("", 1), ERROR_INVALID, "version");
        expect_create_refused(f, BODY("1.0", -1), ERROR_INVALID, "security_version");
        expect_create_refused(f, BODY("1.0", 9007199254740992), ERROR_INVALID, "security_version");
        expect_create_refused(f, "{\"product\": \"T1-EU\", \"version\": \"1\", \"security_version\": 1, "
                                 "\"hardware_revisions\": []}",
                              ERROR_INVALID, "at least one");
        expect_create_refused(f, "{\"product\": \"T1-EU\", \"version\": \"1\", \"security_version\": 1, "
                                 "\"hardware_revisions\": [\"r2\", \"r2\"]}",
                              ERROR_INVALID, "twice");
        expect_create_refused(f, "{\"product\": \"T1-EU\", \"version\": \"1\", \"security_version\": 1, "
                                 "\"hardware_revisions\": [\"r 2\"]}",
                              ERROR_INVALID, "hardware_revisions");
        expect_create_refused(f, "{\"product\": \"T1-EU\", \"version\": \"1\", \"security_version\": \"1\", "
                                 "\"hardware_revisions\": [\"r2\"]}",
                              ERROR_INVALID, "security_version");
        expect_create_refused(f, "{\"product\": \"T1-EU\", \"version\": \"1\", \"security_version\": 1, "
                                 "\"hardware_revisions\": [\"r2\"], \"status\": \"published\"}",
                              ERROR_INVALID, "unknown field 'status'");
        expect_create_refused(f, "{\"product\": \"T1-EU\", \"version\": \"1\", \"security_version\": 1, "
                                 "\"hardware_revisions\": [\"r2\"], \"notes\": \"a\\u001bb\"}",
                              ERROR_INVALID, "notes");
}

static void test_security_version_monotonic(void **state) {
        struct ota_fx *f = *state;
        struct error err = { 0 };
        _cleanup_json_ json_t *a = NULL, *b = NULL, *c = NULL;
        ota_fx_ok(create(f, BODY("1.0", 5), &a, &err), err);
        ota_fx_ok(create(f, BODY("1.1", 5), &b, &err), err); /* equal is fine */
        expect_create_refused(f, BODY("0.9", 4), ERROR_INVALID,
                              "security_version: 4 is lower than 5 of release 1.1 of T1-EU");
        ota_fx_ok(create(f, BODY("2.0", 6), &c, &err), err);
        /* The floor is the highest of all releases so far. */
        expect_create_refused(f, BODY("1.9", 5), ERROR_INVALID, "lower than 6 of release 2.0");
        /* Products are independent. */
        struct error e2 = { 0 };
        _cleanup_json_ json_t *p = NULL, *body = json_loads(
                "{\"name\": \"X\", \"model\": \"T9\", \"manufacturer\": {\"name\": \"A\", \"address\": \"B\","
                " \"contact\": \"security@acme.example\"}, \"support\": {\"start\": \"2026-01-01\", \"end\":"
                " \"2031-12-31\"}, \"member_states\": [\"DE\"]}", 0, NULL);
        ota_fx_ok(product_create(f->s, &ota_fx_actor, body, &p, &e2), e2);
        _cleanup_json_ json_t *t9 = NULL;
        ota_fx_ok(create(f, "{\"product\": \"T9\", \"version\": \"0.1\", \"security_version\": 0, "
                            "\"hardware_revisions\": [\"a\"]}", &t9, &err), err);
}

static void test_images_stored_once(void **state) {
        struct ota_fx *f = *state;
        struct error err = { 0 };
        int64_t a = ota_fx_draft(f, "1.0", 1, "rootfs.img", "the same bytes");
        int64_t b = ota_fx_draft(f, "1.1", 1, "app.img", "the same bytes");
        char hex[SHA256_HEX_LEN];
        hash_sha256_hex("the same bytes", 14, hex);
        _cleanup_free_ char *path = str_printf("%s/images/%s", f->t->dir, hex);
        struct stat st;
        assert_int_equal(stat(path, &st), 0);
        assert_int_equal(st.st_size, 14);
        assert_int_equal(st.st_nlink, 1); /* one file; the uploads were removed */
        assert_int_equal(raw_int(f->t->db, "SELECT count(*) FROM images"), 1);
        assert_int_equal(raw_int(f->t->db, "SELECT count(*) FROM release_images"), 2);
        /* The upload file is the caller's: image_store_put links, never moves. */
        struct release_upload up;
        _cleanup_free_ char *tmp = ota_fx_upload(f, "the same bytes", 14, &up);
        _cleanup_json_ json_t *r = NULL;
        ota_fx_ok(release_add_image(&f->c, &ota_fx_actor, a, "rootfs.img", &up, &r, &err), err);
        assert_true(file_exists(tmp));
        json_t *img = json_array_get(json_object_get(r, "images"), 0);
        assert_string_equal(jstr(img, "sha256"), hex);
        assert_string_equal(jstr(img, "target"), "1.0/rootfs.img");
        /* Replacing an image of a draft by name. */
        _cleanup_free_ char *tmp2 = ota_fx_upload(f, "other bytes", 11, &up);
        _cleanup_json_ json_t *r2 = NULL;
        ota_fx_ok(release_add_image(&f->c, &ota_fx_actor, a, "rootfs.img", &up, &r2, &err), err);
        assert_int_equal(json_array_size(json_object_get(r2, "images")), 1);
        assert_int_equal(jint(json_array_get(json_object_get(r2, "images"), 0), "length"), 11);
        assert_int_equal(raw_int(f->t->db, "SELECT count(*) FROM images"), 2);
        (void) b;
}

static void test_image_refusals(void **state) {
        struct ota_fx *f = *state;
        struct error err = { 0 };
        int64_t id = ota_fx_draft(f, "1.0", 1, "rootfs.img", "x");
        struct release_upload up;
        _cleanup_free_ char *tmp = ota_fx_upload(f, "y", 1, &up);
        static const char *const bad[] = { "", ".hidden", "a/b", "..", "a b", "x\n" };
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                _cleanup_json_ json_t *r = NULL;
                assert_int_equal(release_add_image(&f->c, &ota_fx_actor, id, bad[i], &up, &r, &err), -1);
                assert_int_equal(err.kind, ERROR_INVALID);
                assert_error_contains(err, "image name");
        }
        _cleanup_json_ json_t *r = NULL, *r2 = NULL;
        struct release_upload empty = up;
        empty.length = 0;
        assert_int_equal(release_add_image(&f->c, &ota_fx_actor, id, "a.img", &empty, &r, &err), -1);
        assert_error_contains(err, "empty");
        assert_int_equal(release_add_image(&f->c, &ota_fx_actor, 999, "a.img", &up, &r2, &err), -1);
        assert_int_equal(err.kind, ERROR_NOT_FOUND);
}

static void test_sbom(void **state) {
        struct ota_fx *f = *state;
        struct error err = { 0 };
        int64_t id = ota_fx_draft(f, "1.0", 1, "rootfs.img", "x");
        const char *sbom = "{\"bomFormat\": \"CycloneDX\", \"specVersion\": \"1.5\"}  \n";
        struct release_upload up;
        _cleanup_free_ char *tmp = ota_fx_upload(f, sbom, strlen(sbom), &up);
        _cleanup_json_ json_t *r = NULL, *bad = NULL;
        ota_fx_ok(release_set_sbom(&f->c, &ota_fx_actor, id, "application/vnd.cyclonedx+json", &up, &r, &err), err);
        json_t *s = json_object_get(r, "sbom");
        assert_string_equal(jstr(s, "media_type"), "application/vnd.cyclonedx+json");
        assert_int_equal(jint(s, "length"), (int64_t) strlen(sbom));
        /* Stored unchanged, content-addressed. */
        _cleanup_free_ char *path = str_printf("%s/images/%s", f->t->dir, jstr(s, "sha256"));
        _cleanup_free_ char *data = NULL;
        size_t len;
        ota_fx_ok(file_read_all(path, 1 << 20, &data, &len, &err), err);
        assert_int_equal(len, strlen(sbom));
        assert_memory_equal(data, sbom, len);
        assert_int_equal(release_set_sbom(&f->c, &ota_fx_actor, id, "not a media type", &up, &bad, &err), -1);
        assert_int_equal(err.kind, ERROR_INVALID);
}

static int64_t audit_count(struct ota_fx *f, const char *action) {
        _cleanup_free_ char *sql = str_printf("SELECT count(*) FROM audit_log WHERE action = '%s'", action);
        return raw_int(f->t->db, sql);
}

static void test_states(void **state) {
        struct ota_fx *f = *state;
        struct error err = { 0 };
        int64_t id = ota_fx_draft(f, "1.0", 1, "rootfs.img", "x");
        _cleanup_json_ json_t *w0 = NULL, *p = NULL, *s1 = NULL, *s2 = NULL, *pub = NULL, *w = NULL, *w2 = NULL,
                              *got = NULL, *noreason = NULL;
        /* A draft cannot be withdrawn. */
        assert_int_equal(release_withdraw(&f->c, &ota_fx_actor, id, "no", &w0, &err), -1);
        assert_int_equal(err.kind, ERROR_CONFLICT);
        ota_fx_ok(repo_release_prepare(&f->c, &ota_fx_actor, id, &p, &err), err);
        ota_fx_ok(ota_fx_sign(f, id, 0, &s1, &err), err);
        assert_string_equal(jstr(s1, "status"), "draft");
        ota_fx_ok(ota_fx_sign(f, id, 2, &s2, &err), err);
        assert_string_equal(jstr(s2, "status"), "signed");
        ota_fx_ok(repo_release_publish(&f->c, &ota_fx_actor, id, &pub, &err), err);
        assert_string_equal(jstr(pub, "status"), "published");
        assert_int_equal(release_withdraw(&f->c, &ota_fx_actor, id, "", &noreason, &err), -1);
        assert_error_contains(err, "reason");
        ota_fx_ok(release_withdraw(&f->c, &ota_fx_actor, id, "bricks r3 boards", &w, &err), err);
        assert_string_equal(jstr(w, "status"), "withdrawn");
        assert_string_equal(jstr(w, "withdraw_reason"), "bricks r3 boards");
        assert_int_equal(release_withdraw(&f->c, &ota_fx_actor, id, "again", &w2, &err), -1);
        assert_error_contains(err, "already");
        ota_fx_ok(release_get(&f->c, id, &got, &err), err);
        assert_non_null(jstr(got, "prepared_at"));
        assert_non_null(jstr(got, "signed_at"));
        assert_non_null(jstr(got, "published_at"));
        assert_non_null(jstr(got, "withdrawn_at"));
        /* Every transition is on record. */
        assert_int_equal(audit_count(f, "release.create"), 1);
        assert_int_equal(audit_count(f, "release.image"), 1);
        assert_int_equal(audit_count(f, "release.prepare"), 1);
        assert_int_equal(audit_count(f, "release.signature"), 2);
        assert_int_equal(audit_count(f, "release.signed"), 1);
        assert_int_equal(audit_count(f, "release.publish"), 1);
        assert_int_equal(audit_count(f, "release.withdraw"), 1);
        struct audit_verify_state vs;
        ota_fx_ok(audit_verify_store(f->s, &vs, &err), err);
        assert_false(vs.broken);
}

static void test_delete_retention(void **state) {
        struct ota_fx *f = *state;
        struct error err = { 0 };
        int64_t id = ota_fx_publish(f, "1.0", 1, "rootfs.img", "published bytes");
        char hex[SHA256_HEX_LEN];
        hash_sha256_hex("published bytes", 15, hex);
        _cleanup_json_ json_t *o1 = NULL, *o2 = NULL, *o3 = NULL, *ok = NULL;

        /* Published on 2027-01-15: ten years run to 2037-01-15, longer than the
         * support period (2031-12-31). */
        assert_int_equal(image_delete(&f->c, &ota_fx_actor, hex, &o1, &err), -1);
        assert_int_equal(err.kind, ERROR_CONFLICT);
        assert_error_contains(err, "CRA Art. 13(9)");
        assert_error_contains(err, "release 1.0 of T1-EU");
        assert_error_contains(err, "it may be deleted from 2037-01-15");
        /* Withdrawing does not shorten it. */
        ota_fx_ok(release_withdraw(&f->c, &ota_fx_actor, id, "superseded", &o2, &err), err);
        f->c.now = NOW + 9 * 365 * OTA_FX_DAY;
        assert_int_equal(image_delete(&f->c, &ota_fx_actor, hex, &o3, &err), -1);
        assert_error_contains(err, "2037-01-15");
        _cleanup_free_ char *link = str_printf("%s/repo/T1-EU/targets/1.0/%s.rootfs.img", f->t->dir, hex);
        assert_true(file_exists(link));

        /* After it: deleted, file, link and all, and audited. */
        f->c.now = NOW + 10 * 366 * OTA_FX_DAY;
        ota_fx_ok(image_delete(&f->c, &ota_fx_actor, hex, &ok, &err), err);
        _cleanup_free_ char *path = str_printf("%s/images/%s", f->t->dir, hex);
        assert_false(file_exists(path));
        assert_false(file_exists(link));
        assert_int_equal(audit_count(f, "image.delete"), 1);
        _cleanup_json_ json_t *again = NULL;
        assert_int_equal(image_delete(&f->c, &ota_fx_actor, hex, &again, &err), -1);
        assert_int_equal(err.kind, ERROR_NOT_FOUND);
}

static void test_retention_support_period_longer(void **state) {
        (void) state;
        int64_t pub;
        assert_int_equal(time_parse_rfc3339("2027-01-15T10:00:00Z", &pub, NULL), 0);
        int64_t until = release_retain_until(pub, "2040-06-30");
        char day[TIME_DATE_LEN];
        time_format_date(until, day);
        assert_string_equal(day, "2040-07-01");
        until = release_retain_until(pub, "2030-01-01");
        time_format_date(until, day);
        assert_string_equal(day, "2037-01-15");
        assert_int_equal(release_retain_until(0, "2040-01-01"), 0);
}

static void test_delete_draft_and_signed(void **state) {
        struct ota_fx *f = *state;
        struct error err = { 0 };
        int64_t draft = ota_fx_draft(f, "1.0", 1, "rootfs.img", "draft bytes");
        char hex[SHA256_HEX_LEN];
        hash_sha256_hex("draft bytes", 11, hex);
        int64_t signed_id = ota_fx_draft(f, "1.1", 1, "rootfs.img", "signed bytes");
        _cleanup_json_ json_t *p = NULL, *a = NULL, *b = NULL, *o = NULL, *ok = NULL, *r = NULL, *bad = NULL;
        ota_fx_ok(repo_release_prepare(&f->c, &ota_fx_actor, signed_id, &p, &err), err);
        ota_fx_ok(ota_fx_sign(f, signed_id, 0, &a, &err), err);
        ota_fx_ok(ota_fx_sign(f, signed_id, 1, &b, &err), err);
        char shex[SHA256_HEX_LEN];
        hash_sha256_hex("signed bytes", 12, shex);
        assert_int_equal(image_delete(&f->c, &ota_fx_actor, shex, &o, &err), -1);
        assert_int_equal(err.kind, ERROR_CONFLICT);
        assert_error_contains(err, "signed");
        /* Only drafts carry it: it leaves them. */
        ota_fx_ok(image_delete(&f->c, &ota_fx_actor, hex, &ok, &err), err);
        assert_int_equal(jint(ok, "drafts_changed"), 1);
        ota_fx_ok(release_get(&f->c, draft, &r, &err), err);
        assert_int_equal(json_array_size(json_object_get(r, "images")), 0);
        assert_int_equal(image_delete(&f->c, &ota_fx_actor, "ABC", &bad, &err), -1);
        assert_int_equal(err.kind, ERROR_INVALID);
}

/* Files and rows agree after a crash (docs/ota.md, "Files and rows"):
 * image_reconcile removes a file without a row (its upload did not commit)
 * and one whose row is deleted (the deletion died before removing it), and
 * keeps one whose row an upload restored. */
static char *image_file(struct ota_fx *f, const char *content, char hex[SHA256_HEX_LEN]) {
        hash_sha256_hex(content, strlen(content), hex);
        return str_printf("%s/images/%s", f->t->dir, hex);
}

static void put_file(const char *path, const char *content) {
        struct error err = { 0 };
        ota_fx_ok(file_write_atomic(path, content, strlen(content), 0644, &err), err);
}

static void test_image_reconcile(void **state) {
        struct ota_fx *f = *state;
        struct error err = { 0 };
        unsigned removed = 99;
        char h_orphan[SHA256_HEX_LEN], h_gone[SHA256_HEX_LEN], h_back[SHA256_HEX_LEN], h_live[SHA256_HEX_LEN];
        ota_fx_draft(f, "1.0", 1, "rootfs.img", "live bytes");
        _cleanup_free_ char *live = image_file(f, "live bytes", h_live);
        /* Nothing to do on a consistent store. */
        ota_fx_ok(image_reconcile(&f->c, &removed, &err), err);
        assert_int_equal(removed, 0);
        assert_true(file_exists(live));

        /* An upload stored its file, then its commit failed. */
        _cleanup_free_ char *orphan = image_file(f, "orphan bytes", h_orphan);
        put_file(orphan, "orphan bytes");
        /* A deletion committed, then died before removing the file. */
        ota_fx_draft(f, "1.1", 1, "rootfs.img", "gone bytes");
        _cleanup_free_ char *gone = image_file(f, "gone bytes", h_gone);
        _cleanup_json_ json_t *d1 = NULL, *d2 = NULL;
        ota_fx_ok(image_delete(&f->c, &ota_fx_actor, h_gone, &d1, &err), err);
        assert_false(file_exists(gone));
        put_file(gone, "gone bytes");
        /* A deletion committed and, before its file went, the same image was
         * uploaded again: the restored row keeps its file. */
        ota_fx_draft(f, "1.2", 1, "rootfs.img", "back bytes");
        _cleanup_free_ char *back = image_file(f, "back bytes", h_back);
        ota_fx_ok(image_delete(&f->c, &ota_fx_actor, h_back, &d2, &err), err);
        put_file(back, "back bytes");
        ota_fx_draft(f, "1.3", 1, "rootfs.img", "back bytes");

        ota_fx_ok(image_reconcile(&f->c, &removed, &err), err);
        assert_int_equal(removed, 2);
        assert_false(file_exists(orphan));
        assert_false(file_exists(gone));
        assert_true(file_exists(back));
        assert_true(file_exists(live));
        /* Every live row has its file. */
        char sql[400];
        snprintf(sql, sizeof(sql), "SELECT count(*) FROM images WHERE deleted_at IS NULL AND sha256 IN ('%s', '%s')",
                 h_back, h_live);
        assert_int_equal(raw_int(f->t->db, sql), 2);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_list_pages, setup, teardown),
                cmocka_unit_test_setup_teardown(test_create, setup, teardown),
                cmocka_unit_test_setup_teardown(test_image_reconcile, setup, teardown),
                cmocka_unit_test_setup_teardown(test_create_refusals, setup, teardown),
                cmocka_unit_test_setup_teardown(test_security_version_monotonic, setup, teardown),
                cmocka_unit_test_setup_teardown(test_images_stored_once, setup, teardown),
                cmocka_unit_test_setup_teardown(test_image_refusals, setup, teardown),
                cmocka_unit_test_setup_teardown(test_sbom, setup, teardown),
                cmocka_unit_test_setup_teardown(test_states, setup, teardown),
                cmocka_unit_test_setup_teardown(test_delete_retention, setup, teardown),
                cmocka_unit_test(test_retention_support_period_longer),
                cmocka_unit_test_setup_teardown(test_delete_draft_and_signed, setup, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

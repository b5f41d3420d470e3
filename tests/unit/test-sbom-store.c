/* SPDX-License-Identifier: Apache-2.0 */
/*
 * SBOMs attached to releases (src/sbom/ingest.c, src/store/store-sbom.c):
 * an upload is parsed and normalised into migration 10's tables with the
 * match keys of src/vuln, queued for the findings engine and audited in one
 * transaction; an unparseable one leaves nothing behind; module SBOMs,
 * replacement rules, a stored file attached later, component search across
 * releases and the CycloneDX export.
 */
#include "testutil-ota.h"

#include "sbom/ingest.h"
#include "store/store-private.h"

#define NOW 1767225600 /* 2026-01-01 */

static int setup(void **state) {
        *state = ota_fx_new(NOW);
        return 0;
}

static int teardown(void **state) {
        ota_fx_free(*state);
        return 0;
}

static int64_t count(struct ota_fx *f, const char *sql) {
        sqlite3_stmt *st = NULL;
        if (sqlite3_prepare_v2(f->s->db, sql, -1, &st, NULL) != SQLITE_OK)
                fail_msg("%s: %s", sql, sqlite3_errmsg(f->s->db));
        assert_int_equal(sqlite3_step(st), SQLITE_ROW);
        int64_t n = sqlite3_column_int64(st, 0);
        sqlite3_finalize(st);
        return n;
}

static char *fixture(const char *name, size_t *len) {
        const char *root = getenv("CRADLE_SOURCE_ROOT");
        if (!root)
                fail_msg("CRADLE_SOURCE_ROOT is not set");
        _cleanup_free_ char *path = str_printf("%s/tests/data/sbom/%s", root, name);
        char *data = NULL;
        struct error err = { 0 };
        ota_fx_ok(file_read_all(path, SBOM_MAX_BYTES, &data, len, &err), err);
        return data;
}

static int upload(struct ota_fx *f, int64_t id, const char *module, const char *media_type, const void *data,
                  size_t len, json_t **out, struct error *err) {
        struct release_upload up;
        _cleanup_free_ char *path = ota_fx_upload(f, data, len, &up);
        int rc = release_set_sbom_module(&f->c, &ota_fx_actor, id, module, media_type, &up, out, err);
        unlink(path);
        return rc;
}

static int upload_fixture(struct ota_fx *f, int64_t id, const char *module, const char *name, json_t **out,
                          struct error *err) {
        size_t len;
        _cleanup_free_ char *data = fixture(name, &len);
        return upload(f, id, module, NULL, data, len, out, err);
}

static void test_upload_normalises(void **state) {
        struct ota_fx *f = *state;
        int64_t id = ota_fx_draft(f, "1.0.0", 1, "rootfs.img", "image bytes");
        struct error err = { 0 };
        _cleanup_json_ json_t *out = NULL;
        ota_fx_ok(upload_fixture(f, id, "", "buildroot.cdx.json", &out, &err), err);
        json_t *summary = json_object_get(out, "sbom_document");
        assert_int_equal(json_integer_value(json_object_get(summary, "components")), 7);
        assert_non_null(json_object_get(out, "sbom")); /* the file is still the release's SBOM, unchanged */
        assert_int_equal(count(f, "SELECT COUNT(*) FROM sbom_documents WHERE module = '' AND format = "
                                  "'cyclonedx-json' AND spec_version = '1.6'"),
                         1);
        assert_int_equal(count(f, "SELECT COUNT(*) FROM sbom_components"), 7);
        assert_int_equal(count(f, "SELECT COUNT(*) FROM sbom_components WHERE top_level = 1"), 5);
        assert_int_equal(count(f, "SELECT COUNT(*) FROM sbom_dependencies"), 8);
        /* the CPEs, valid, with their vendor:product keys */
        assert_int_equal(count(f, "SELECT COUNT(*) FROM sbom_component_idents WHERE kind = 'cpe' AND valid = 1"), 4);
        assert_int_equal(count(f, "SELECT COUNT(*) FROM sbom_component_idents WHERE match_key = 'busybox:busybox'"),
                         1);
        assert_int_equal(count(f, "SELECT COUNT(*) FROM sbom_components WHERE name = 'busybox' AND patches LIKE "
                                  "'%CVE-2023-42366%'"),
                         1);
        /* queued for the findings engine, audited, in the same transaction */
        assert_int_equal(count(f, "SELECT COUNT(*) FROM sbom_match_queue"), 1);
        assert_int_equal(count(f, "SELECT COUNT(*) FROM audit_log WHERE action = 'release.sbom' AND details LIKE "
                                  "'%\"quality_score\"%'"),
                         1);
}

static void test_unparseable_stores_nothing(void **state) {
        struct ota_fx *f = *state;
        int64_t id = ota_fx_draft(f, "1.0.0", 1, "rootfs.img", "image bytes");
        static const char bad[] = "{\"bomFormat\": \"CycloneDX\", \"specVersion\": \"1.6\", \"components\": "
                                  "[{\"type\": \"library\"}]}";
        struct error err = { 0 };
        _cleanup_json_ json_t *out = NULL;
        int64_t files = count(f, "SELECT COUNT(*) FROM images");
        assert_int_equal(upload(f, id, "", "application/vnd.cyclonedx+json", bad, strlen(bad), &out, &err), -1);
        assert_int_equal(err.kind, ERROR_INVALID);
        assert_non_null(strstr(err.msg, "/components/0/name: required"));
        assert_int_equal(count(f, "SELECT COUNT(*) FROM images"), files);
        assert_int_equal(count(f, "SELECT COUNT(*) FROM releases WHERE sbom_sha256 IS NOT NULL"), 0);
        assert_int_equal(count(f, "SELECT COUNT(*) FROM sbom_documents"), 0);
        assert_int_equal(count(f, "SELECT COUNT(*) FROM audit_log WHERE action = 'release.sbom'"), 0);
}

static void test_modules_and_replacement(void **state) {
        struct ota_fx *f = *state;
        int64_t id = ota_fx_draft(f, "1.0.0", 1, "rootfs.img", "image bytes");
        struct error err = { 0 };
        json_t *out = NULL;
        ota_fx_ok(upload_fixture(f, id, "", "buildroot.cdx.json", &out, &err), err);
        json_decref(out);
        ota_fx_ok(upload_fixture(f, id, "userland", "syft-image.spdx.json", &out, &err), err);
        json_decref(out);
        assert_int_equal(count(f, "SELECT COUNT(*) FROM sbom_documents"), 2);
        /* a draft's module SBOM may be replaced: the old rows go */
        ota_fx_ok(upload_fixture(f, id, "userland", "spdx-spec-example-v2.3.spdx", &out, &err), err);
        assert_true(json_is_integer(json_object_get(json_object_get(out, "sbom_document"), "replaced_document_id")));
        json_decref(out);
        assert_int_equal(count(f, "SELECT COUNT(*) FROM sbom_documents"), 2);
        assert_int_equal(count(f, "SELECT COUNT(*) FROM sbom_components"), 7 + 4);
        assert_int_equal(count(f, "SELECT COUNT(*) FROM sbom_match_queue"), 2);
        /* ... but not while a case (issue 10) names one of its components */
        sqlite3_exec(f->s->db,
                     "INSERT INTO cases (reference, kind, title, summary, state, source, component_id, created_at, "
                     "created_by, updated_at) SELECT 'CASE-2026-0001', 'vulnerability', 't', 's', 'received', "
                     "'manual', c.id, 1, 'x', 1 FROM sbom_components c JOIN sbom_documents d ON d.id = "
                     "c.document_id WHERE d.module = 'userland' LIMIT 1",
                     NULL, NULL, NULL);
        assert_int_equal(count(f, "SELECT COUNT(*) FROM cases"), 1);
        assert_int_equal(upload_fixture(f, id, "userland", "syft-image.spdx.json", &out, &err), -1);
        assert_int_equal(err.kind, ERROR_CONFLICT);
        assert_non_null(strstr(err.msg, "case CASE-2026-0001 refers to a component"));
        assert_int_equal(count(f, "SELECT COUNT(*) FROM sbom_components"), 7 + 4);
        /* a module name is checked */
        assert_int_equal(upload_fixture(f, id, "no/slash", "syft-image.spdx.json", &out, &err), -1);
        assert_non_null(strstr(err.msg, "module:"));
        /* the export merges both, refs prefixed by module */
        _cleanup_json_ json_t *bom = NULL;
        ota_fx_ok(sbom_export_cyclonedx(f->s, id, &bom, &err), err);
        assert_string_equal(json_string_value(json_object_get(bom, "specVersion")), "1.6");
        assert_int_equal(json_array_size(json_object_get(bom, "components")), 11);
        json_t *root = json_array_get(json_object_get(bom, "dependencies"), 0);
        assert_string_equal(json_string_value(json_object_get(root, "ref")),
                            json_string_value(json_object_get(json_object_get(json_object_get(bom, "metadata"),
                                                                              "component"),
                                                              "bom-ref")));
        _cleanup_free_ char *text = json_dumps(bom, 0);
        assert_non_null(strstr(text, "\"bom-ref\": \"release/busybox\""));
        assert_non_null(strstr(text, "\"bom-ref\": \"userland/SPDXRef-Saxon\""));
}

static void test_published_release(void **state) {
        struct ota_fx *f = *state;
        int64_t id = ota_fx_draft(f, "1.0.0", 1, "rootfs.img", "image bytes");
        struct error err = { 0 };
        json_t *out = NULL;
        ota_fx_ok(upload_fixture(f, id, "", "buildroot.cdx.json", &out, &err), err);
        json_decref(out);
        int64_t pub = ota_fx_publish(f, "2.0.0", 2, "rootfs.img", "other bytes");
        /* the release's own SBOM is part of what was published: no more changes */
        assert_int_equal(upload_fixture(f, pub, "", "buildroot.cdx.json", &out, &err), -1);
        assert_int_equal(err.kind, ERROR_CONFLICT);
        /* a module SBOM may follow a published release, once */
        ota_fx_ok(upload_fixture(f, pub, "bootloader", "syft-elixir.cdx.xml", &out, &err), err);
        json_decref(out);
        assert_int_equal(upload_fixture(f, pub, "bootloader", "syft-elixir.cdx.xml", &out, &err), -1);
        assert_int_equal(err.kind, ERROR_CONFLICT);
        assert_non_null(strstr(err.msg, "kept as they are"));
}

static void test_attach_stored_and_search(void **state) {
        struct ota_fx *f = *state;
        int64_t a = ota_fx_draft(f, "1.0.0", 1, "rootfs.img", "image bytes");
        int64_t b = ota_fx_draft(f, "1.1.0", 1, "rootfs.img", "image bytes 2");
        struct error err = { 0 };
        json_t *out = NULL;
        ota_fx_ok(upload_fixture(f, a, "", "syft-elixir.cdx.xml", &out, &err), err);
        const char *sha = json_string_value(json_object_get(json_object_get(out, "sbom"), "sha256"));
        json_t *body = json_pack("{s:s, s:s}", "sha256", sha, "module", "base");
        json_decref(out);
        /* the same stored file, attached to another release without uploading it again */
        _cleanup_json_ json_t *doc = NULL;
        ota_fx_ok(sbom_attach_stored(&f->c, &ota_fx_actor, b, body, &doc, &err), err);
        json_decref(body);
        assert_string_equal(json_string_value(json_object_get(doc, "format")), "cyclonedx-xml");
        assert_int_equal(json_integer_value(json_object_get(doc, "component_count")), 20);
        assert_non_null(json_object_get(json_object_get(doc, "quality"), "actions"));
        assert_int_equal(count(f, "SELECT COUNT(*) FROM audit_log WHERE action = 'sbom.attach'"), 1);
        /* an unknown file */
        body = json_pack("{s:s}", "sha256", "0000000000000000000000000000000000000000000000000000000000000000");
        assert_int_equal(sbom_attach_stored(&f->c, &ota_fx_actor, b, body, &out, &err), -1);
        assert_int_equal(err.kind, ERROR_NOT_FOUND);
        json_decref(body);
        /* components across releases: by purl match key (every version), exact name, CPE */
        struct sbom_component_filter q = { .purl = "pkg:deb/debian/bash" };
        _cleanup_json_ json_t *found = NULL;
        ota_fx_ok(sbom_components(f->s, &q, &found, &err), err);
        assert_int_equal(json_array_size(json_object_get(found, "items")), 2); /* both releases */
        json_decref(found);
        q = (struct sbom_component_filter) { .name = "apt", .release_id = b };
        ota_fx_ok(sbom_components(f->s, &q, &found, &err), err);
        assert_int_equal(json_array_size(json_object_get(found, "items")), 1);
        assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(found, "items"), 0),
                                                              "release")),
                            "1.1.0");
        json_decref(found);
        /* paging: 2 at a time through 40 components */
        q = (struct sbom_component_filter) { .limit = 2 };
        size_t seen = 0;
        for (int pages = 0; pages < 100; pages++) {
                ota_fx_ok(sbom_components(f->s, &q, &found, &err), err);
                seen += json_array_size(json_object_get(found, "items"));
                json_t *next = json_object_get(found, "next_after_id");
                bool more = json_is_integer(next);
                q.after = more ? json_integer_value(next) : 0;
                json_decref(found);
                found = NULL;
                if (!more)
                        break;
        }
        assert_int_equal(seen, 40);
        q = (struct sbom_component_filter) { .limit = SBOM_COMPONENTS_PAGE_MAX + 1 };
        assert_int_equal(sbom_components(f->s, &q, &found, &err), -1);
        assert_int_equal(err.kind, ERROR_INVALID);
}

/* A module SBOM's file is kept like the release's own: a published
 * release's (within Art. 13(9)'s period) cannot be deleted, and deleting a
 * draft's takes its parsed document with it. */
static void test_module_file_retention(void **state) {
        struct ota_fx *f = *state;
        struct error err = { 0 };
        json_t *out = NULL;
        int64_t pub = ota_fx_publish(f, "2.0.0", 2, "rootfs.img", "other bytes");
        size_t len;
        _cleanup_free_ char *data = fixture("syft-image.spdx.json", &len);
        char sha[SHA256_HEX_LEN];
        hash_sha256_hex(data, len, sha);
        ota_fx_ok(upload(f, pub, "userland", NULL, data, len, &out, &err), err);
        json_decref(out);
        assert_int_equal(image_delete(&f->c, &ota_fx_actor, sha, &out, &err), -1);
        assert_int_equal(err.kind, ERROR_CONFLICT);
        assert_non_null(strstr(err.msg, "release 2.0.0"));
        int64_t draft = ota_fx_draft(f, "3.0.0", 3, "rootfs.img", "image bytes");
        _cleanup_free_ char *other = fixture("spdx-spec-example-v2.3.spdx", &len);
        char sha2[SHA256_HEX_LEN];
        hash_sha256_hex(other, len, sha2);
        ota_fx_ok(upload(f, draft, "docs", NULL, other, len, &out, &err), err);
        json_decref(out);
        assert_int_equal(count(f, "SELECT COUNT(*) FROM sbom_documents WHERE module = 'docs'"), 1);
        ota_fx_ok(image_delete(&f->c, &ota_fx_actor, sha2, &out, &err), err);
        json_decref(out);
        assert_int_equal(count(f, "SELECT COUNT(*) FROM sbom_documents WHERE module = 'docs'"), 0);
        assert_int_equal(count(f, "SELECT COUNT(*) FROM sbom_components WHERE document_id NOT IN (SELECT id FROM "
                                  "sbom_documents)"),
                         0);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_upload_normalises, setup, teardown),
                cmocka_unit_test_setup_teardown(test_unparseable_stores_nothing, setup, teardown),
                cmocka_unit_test_setup_teardown(test_modules_and_replacement, setup, teardown),
                cmocka_unit_test_setup_teardown(test_published_release, setup, teardown),
                cmocka_unit_test_setup_teardown(test_attach_stored_and_search, setup, teardown),
                cmocka_unit_test_setup_teardown(test_module_file_retention, setup, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

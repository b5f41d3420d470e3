/* SPDX-License-Identifier: Apache-2.0 */
/*
 * CSAF publication (issue 10 section 5) against a real store and keyring:
 * a publication records a revision and writes the provider directory (the
 * document, .sha256, .sha512, .asc, index.txt, changes.csv,
 * provider-metadata.json, the public key); a second one after a change is
 * revision 2 and the first stays retrievable byte for byte; the refusals
 * (no base URL, draft, missing summary, final -> interim, WHITE -> AMBER);
 * TLP:AMBER stays out of the public directory; revisions cannot be edited
 * and an altered row is detected; the findings of the case's vulnerability
 * decide a release's product status; the VEX document. With
 * CRADLE_CSAF_SAMPLES set to a directory, every document made here is also
 * written there for tests/e2e/csaf-publish.sh to validate.
 */
#include "testutil-store.h"

#include "case/case.h"
#include "core/fileio.h"
#include "core/strutil.h"
#include "core/time.h"
#include "crypto/hash.h"
#include "csaf/csaf-publish.h"
#include "pgp/pgp.h"

struct fx {
        struct tdir *t;
        struct store *s;
        char ref[64];
        struct csaf_config cfg;
};

static const struct audit_actor so = {.name = "sec", .role = "security-officer", .user = "alice"};
#define BASE "https://psirt.acme.example"

static void sample(const char *name, const char *doc) {
        const char *dir = getenv("CRADLE_CSAF_SAMPLES");
        if (!dir || !*dir)
                return;
        _cleanup_free_ char *path = str_printf("%s/%s.json", dir, name);
        assert_int_equal(file_write_atomic(path, doc, strlen(doc), 0644, NULL), 0);
}

static void make_case(struct fx *f, const char *title, int64_t vuln_id, char *ref_out) {
        struct error err = {0};
        struct case_affected aff = {.product_id = 1, .release_id = 10};
        json_t *ids = json_pack("{s:[s], s:[s]}", "cve", "CVE-2026-12345", "cwe", "CWE-120");
        struct case_new n = {.kind = CASE_VULNERABILITY, .source = CASE_SOURCE_MANUAL, .title = title,
                             .summary = "A crafted manifest overflows a stack buffer in the OTA parser.",
                             .ids = ids, .affected = &aff, .naffected = 1,
                             .cvss31_vector = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
                             .reporter_credit = "Jane Doe (Example Labs)", .vuln_id = vuln_id};
        struct case_info c;
        if (case_create(f->s, &so, &n, 0, 0, &c, &err) < 0)
                fail_msg("case_create: %s", err.msg);
        json_decref(ids);
        snprintf(ref_out, 64, "%s", c.reference);
        case_info_free(&c);
        if (case_set_state(f->s, &so, ref_out, CASE_TRIAGING, "triage", NULL, NULL, &err) < 0 ||
            case_set_state(f->s, &so, ref_out, CASE_CONFIRMED, "reproduced", NULL, NULL, &err) < 0 ||
            case_link(f->s, &so, ref_out, 11, 0, 0, "the fix", NULL, &err) < 0)
                fail_msg("case setup: %s", err.msg);
}

static int setup(void **state) {
        struct fx *f = calloc(1, sizeof(*f));
        f->t = tdir_new();
        struct error err = {0};
        if (store_open(f->t->db, &f->s, &err) < 0)
                fail_msg("%s", err.msg);
        raw_exec(f->t->db,
                 "INSERT INTO products (id, name, model, manufacturer_name, manufacturer_address, "
                 "manufacturer_contact, support_start, support_end, created_at, updated_at) VALUES "
                 "(1, 'Thermostat', 'T1-EU', 'Acme GmbH', 'Berlin', 'sec@acme.example', '2026-01-01', '2031-01-01', "
                 "0, 0);"
                 "INSERT INTO releases (id, product_id, version, security_version, hardware_revisions, notes, "
                 "status, created_at, created_by, published_at) VALUES "
                 "(10, 1, '1.0.0', 1, '[]', '', 'published', 0, 'rel', 1700000000),"
                 "(11, 1, '1.1.0', 2, '[]', '', 'published', 0, 'rel', 1790000000);"
                 "INSERT INTO vulns (id, name, updated_at) VALUES (5, 'CVE-2026-12345', 0);");
        make_case(f, "Buffer overflow in the OTA parser", 0, f->ref);
        f->cfg = (struct csaf_config){.base_url = BASE};
        *state = f;
        return 0;
}

static int teardown(void **state) {
        struct fx *f = *state;
        store_close(f->s);
        _cleanup_free_ char *home = pgp_home_path(f->t->dir);
        _cleanup_free_ char *cmd = str_printf("gpgconf --homedir '%s' --kill gpg-agent >/dev/null 2>&1", home);
        if (system(cmd) < 0)
                fail_msg("gpgconf");
        tdir_free(f->t);
        free(f);
        return 0;
}

static char *read_file(struct fx *f, const char *rel) {
        _cleanup_free_ char *path = str_printf("%s/csaf/%s", f->t->dir, rel);
        char *data = NULL;
        size_t len = 0;
        struct error err = {0};
        if (file_read_all(path, 1 << 24, &data, &len, &err) < 0)
                fail_msg("%s", err.msg);
        return data;
}

static bool exists(struct fx *f, const char *rel) {
        _cleanup_free_ char *path = str_printf("%s/csaf/%s", f->t->dir, rel);
        return file_exists(path);
}

static json_t *publish(struct fx *f, const char *ref, enum csaf_status st, const char *summary, const char *tlp,
                       int64_t now) {
        struct csaf_publish_req req = {.status = st, .summary = summary, .tlp = tlp};
        json_t *out = NULL;
        struct error err = {0};
        if (csaf_publish(f->s, &so, &f->cfg, f->t->dir, ref, &req, now, &out, &err) < 0)
                fail_msg("publish %s: %s", ref, err.msg);
        return out;
}

static int publish_err(struct fx *f, const char *ref, enum csaf_status st, const char *summary, const char *tlp,
                       struct error *err) {
        struct csaf_publish_req req = {.status = st, .summary = summary, .tlp = tlp};
        json_t *out = NULL;
        error_clear(err);
        int rc = csaf_publish(f->s, &so, &f->cfg, f->t->dir, ref, &req, time_now(), &out, err);
        json_decref(out);
        return rc;
}

static void test_publish_and_revise(void **state) {
        struct fx *f = *state;
        int64_t t1 = 1796000000; /* 2026-11-30 */
        _cleanup_json_ json_t *r1 = publish(f, f->ref, CSAF_INTERIM, NULL, NULL, t1);
        assert_int_equal(json_integer_value(json_object_get(r1, "number")), 1);
        assert_string_equal(json_string_value(json_object_get(r1, "tlp")), "WHITE");
        const char *url = json_string_value(json_object_get(r1, "url"));
        _cleanup_free_ char *fname = str_printf("cradle-%s.json", f->ref);
        for (char *p = fname; *p; p++)
                if (*p >= 'A' && *p <= 'Z')
                        *p = (char) (*p - 'A' + 'a');
        _cleanup_free_ char *want_url = str_printf(BASE "/.well-known/csaf/white/2026/%s", fname);
        assert_string_equal(url, want_url);

        _cleanup_free_ char *rel = str_printf("white/2026/%s", fname);
        _cleanup_free_ char *doc1 = read_file(f, rel);
        sample("published-rev1", doc1);
        /* the file is the stored revision, its hashes as sha256sum writes them */
        char h[SHA256_HEX_LEN];
        hash_sha256_hex(doc1, strlen(doc1), h);
        assert_string_equal(json_string_value(json_object_get(r1, "sha256")), h);
        _cleanup_free_ char *rel256 = str_printf("%s.sha256", rel), *rel512 = str_printf("%s.sha512", rel),
                            *relasc = str_printf("%s.asc", rel);
        _cleanup_free_ char *s256 = read_file(f, rel256), *s512 = read_file(f, rel512), *asc = read_file(f, relasc);
        _cleanup_free_ char *want256 = str_printf("%s  %s\n", h, fname);
        assert_string_equal(s256, want256);
        assert_int_equal(strlen(s512), 128 + 2 + strlen(fname) + 1);
        /* the signature verifies with the published key */
        const char *fpr = json_string_value(json_object_get(r1, "key_fingerprint"));
        _cleanup_free_ char *home = pgp_home_path(f->t->dir);
        struct pgp *p = NULL;
        assert_int_equal(pgp_open(home, &p, NULL), 0);
        struct error err = {0};
        if (pgp_verify_detached(p, fpr, doc1, strlen(doc1), asc, strlen(asc), &err) < 0)
                fail_msg("%s", err.msg);
        pgp_close(p);
        _cleanup_free_ char *keyrel = str_printf("openpgp/%s.asc", fpr);
        _cleanup_free_ char *key = read_file(f, keyrel);
        assert_true(str_startswith(key, "-----BEGIN PGP PUBLIC KEY BLOCK-----"));
        /* index.txt and changes.csv (CSAF 7.1.13, 7.1.14) */
        _cleanup_free_ char *index = read_file(f, "white/index.txt"), *changes = read_file(f, "white/changes.csv");
        _cleanup_free_ char *want_index = str_printf("2026/%s\n", fname);
        assert_string_equal(index, want_index);
        _cleanup_free_ char *want_changes = str_printf("\"2026/%s\",\"2026-11-30T00:53:20Z\"\n", fname);
        assert_string_equal(changes, want_changes);
        /* provider-metadata.json */
        _cleanup_free_ char *pm_text = read_file(f, "provider-metadata.json");
        sample("provider-metadata", pm_text);
        _cleanup_json_ json_t *pm = json_loads(pm_text, 0, NULL);
        assert_string_equal(json_string_value(json_object_get(pm, "role")), "csaf_trusted_provider");
        assert_string_equal(json_string_value(json_object_get(pm, "canonical_url")),
                            BASE "/.well-known/csaf/provider-metadata.json");
        assert_true(json_is_false(json_object_get(pm, "list_on_CSAF_aggregators")));
        assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(pm, "distributions"), 0),
                                                              "directory_url")),
                            BASE "/.well-known/csaf/white/");
        json_t *k0 = json_array_get(json_object_get(pm, "public_openpgp_keys"), 0);
        assert_string_equal(json_string_value(json_object_get(k0, "fingerprint")), fpr);
        assert_string_equal(json_string_value(json_object_get(json_object_get(pm, "publisher"), "name")), "Acme GmbH");

        /* a change, then revision 2 (final) */
        struct case_edit e = {.summary = "A crafted manifest overflows a stack buffer; fixed in 1.1.0.",
                              .reason = "fix confirmed"};
        assert_int_equal(case_edit(f->s, &so, f->ref, &e, NULL, &err), 0);
        _cleanup_json_ json_t *r2 = publish(f, f->ref, CSAF_FINAL, "Fix confirmed.", NULL, t1 + 86400);
        assert_int_equal(json_integer_value(json_object_get(r2, "number")), 2);
        _cleanup_free_ char *doc2 = read_file(f, rel);
        sample("published-rev2", doc2);
        assert_string_not_equal(doc1, doc2);
        _cleanup_json_ json_t *d2 = json_loads(doc2, 0, NULL);
        json_t *tracking = json_object_get(json_object_get(d2, "document"), "tracking");
        assert_string_equal(json_string_value(json_object_get(tracking, "version")), "2");
        assert_string_equal(json_string_value(json_object_get(tracking, "status")), "final");
        assert_int_equal(json_array_size(json_object_get(tracking, "revision_history")), 2);
        _cleanup_json_ json_t *d1 = json_loads(doc1, 0, NULL);
        assert_true(json_equal(json_array_get(json_object_get(tracking, "revision_history"), 0),
                               json_array_get(json_object_get(json_object_get(json_object_get(d1, "document"),
                                                                              "tracking"), "revision_history"), 0)));
        /* the first revision stays retrievable, byte for byte */
        _cleanup_free_ char *back = NULL;
        size_t blen = 0;
        assert_int_equal(csaf_revision_document(f->s, f->ref, CSAF_CATEGORY_ADVISORY, 1, &back, &blen, &err), 0);
        assert_int_equal(blen, strlen(doc1));
        assert_memory_equal(back, doc1, blen);
        _cleanup_json_ json_t *list = NULL;
        assert_int_equal(csaf_revisions_json(f->s, &f->cfg, f->ref, CSAF_CATEGORY_ADVISORY, &list, &err), 0);
        assert_int_equal(json_array_size(json_object_get(list, "items")), 2);
        assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(list, "items"), 0),
                                                              "published_by")), "alice");
        _cleanup_free_ char *none = NULL;
        assert_int_equal(csaf_revision_document(f->s, f->ref, CSAF_CATEGORY_ADVISORY, 3, &none, &blen, &err), -1);
        assert_int_equal(err.kind, ERROR_NOT_FOUND);
        /* changes.csv names the new date */
        _cleanup_free_ char *changes2 = read_file(f, "white/changes.csv");
        assert_non_null(strstr(changes2, "2026-12-01T00:53:20Z"));

        /* the directory is rebuilt from the rows */
        _cleanup_free_ char *root = str_printf("%s/csaf/white", f->t->dir);
        _cleanup_free_ char *rm = str_printf("rm -rf '%s'", root);
        assert_int_equal(system(rm), 0);
        assert_false(exists(f, rel));
        assert_int_equal(csaf_directory_sync(f->s, &f->cfg, f->t->dir, &err), 0);
        _cleanup_free_ char *doc2b = read_file(f, rel);
        assert_string_equal(doc2b, doc2);
}

static void test_refusals(void **state) {
        struct fx *f = *state;
        struct error err;
        f->cfg.base_url = "";
        assert_int_equal(publish_err(f, f->ref, CSAF_INTERIM, NULL, NULL, &err), -1);
        assert_non_null(strstr(err.msg, "base_url"));
        f->cfg.base_url = BASE;
        assert_int_equal(publish_err(f, f->ref, CSAF_DRAFT, NULL, NULL, &err), -1);
        assert_int_equal(err.kind, ERROR_INVALID);
        assert_int_equal(publish_err(f, f->ref, CSAF_INTERIM, NULL, "PURPLE", &err), -1);
        assert_int_equal(err.kind, ERROR_INVALID);
        assert_int_equal(publish_err(f, "CASE-1999-0001", CSAF_INTERIM, NULL, NULL, &err), -1);
        assert_int_equal(err.kind, ERROR_NOT_FOUND);
        /* nothing was recorded by the refusals */
        json_t *list = NULL;
        assert_int_equal(csaf_revisions_json(f->s, &f->cfg, f->ref, CSAF_CATEGORY_ADVISORY, &list, &err), -1);
        assert_int_equal(err.kind, ERROR_NOT_FOUND);

        json_decref(publish(f, f->ref, CSAF_FINAL, NULL, NULL, time_now()));
        assert_int_equal(publish_err(f, f->ref, CSAF_FINAL, NULL, NULL, &err), -1);
        assert_non_null(strstr(err.msg, "summary"));
        assert_int_equal(publish_err(f, f->ref, CSAF_INTERIM, "back to interim", NULL, &err), -1);
        assert_int_equal(err.kind, ERROR_CONFLICT);
        assert_int_equal(publish_err(f, f->ref, CSAF_FINAL, "hide it", "AMBER", &err), -1);
        assert_int_equal(err.kind, ERROR_CONFLICT);
        assert_non_null(strstr(err.msg, "TLP:WHITE"));
        assert_int_equal(csaf_revisions_json(f->s, &f->cfg, f->ref, CSAF_CATEGORY_ADVISORY, &list, &err), 0);
        assert_int_equal(json_array_size(json_object_get(list, "items")), 1);
        json_decref(list);
}

/* TLP:AMBER is recorded and signed, never put in the public directory. */
static void test_tlp_amber_not_public(void **state) {
        struct fx *f = *state;
        char ref2[64];
        make_case(f, "Debug port left open", 0, ref2);
        json_decref(publish(f, f->ref, CSAF_INTERIM, NULL, NULL, time_now()));
        _cleanup_json_ json_t *r = publish(f, ref2, CSAF_INTERIM, NULL, "amber", time_now());
        assert_string_equal(json_string_value(json_object_get(r, "tlp")), "AMBER");
        assert_true(json_is_null(json_object_get(r, "url")));
        _cleanup_free_ char *index = read_file(f, "white/index.txt");
        _cleanup_free_ char *changes = read_file(f, "white/changes.csv");
        _cleanup_free_ char *lower = str_dup(ref2);
        for (char *p = lower; *p; p++)
                if (*p >= 'A' && *p <= 'Z')
                        *p = (char) (*p - 'A' + 'a');
        assert_null(strstr(index, lower));
        assert_null(strstr(changes, lower));
        _cleanup_free_ char *rel = str_printf("white/%s/cradle-%s.json", "2026", lower);
        assert_false(exists(f, rel));
        /* the WHITE one is there */
        size_t lines = 0;
        for (const char *c = index; *c; c++)
                lines += *c == '\n';
        assert_int_equal(lines, 1);
        /* operators still get the exact bytes */
        _cleanup_free_ char *doc = NULL;
        size_t len = 0;
        struct error err = {0};
        assert_int_equal(csaf_revision_document(f->s, ref2, CSAF_CATEGORY_ADVISORY, 1, &doc, &len, &err), 0);
        assert_non_null(strstr(doc, "\"AMBER\""));
        sample("published-amber", doc);
}

/* Published revisions cannot be changed; one altered behind the store's
 * back is detected when read. */
static void test_revisions_immutable(void **state) {
        struct fx *f = *state;
        json_decref(publish(f, f->ref, CSAF_INTERIM, NULL, NULL, time_now()));
        assert_int_not_equal(raw_exec_rc(f->t->db, "UPDATE csaf_revisions SET summary = 'rewritten'"), SQLITE_OK);
        assert_int_not_equal(raw_exec_rc(f->t->db, "DELETE FROM csaf_revisions"), SQLITE_OK);
        raw_exec(f->t->db, "DROP TRIGGER csaf_revisions_no_update;"
                           "UPDATE csaf_revisions SET document = replace(document, 'overflows', 'is fine');");
        _cleanup_free_ char *doc = NULL;
        size_t len = 0;
        struct error err = {0};
        assert_int_equal(csaf_revision_document(f->s, f->ref, CSAF_CATEGORY_ADVISORY, 1, &doc, &len, &err), -1);
        assert_int_equal(err.kind, ERROR_DB);
        assert_non_null(strstr(err.msg, "SHA-256"));
}

/* The findings of the case's vulnerability on the affected release decide
 * its status: not affected with a flag, though the case is confirmed. */
static void test_findings_decide_status(void **state) {
        struct fx *f = *state;
        char ref2[64];
        make_case(f, "Overflow in the bundled zlib", 5, ref2);
        struct error err = {0};
        _cleanup_free_ char *before = NULL;
        assert_int_equal(csaf_case_draft(f->s, &f->cfg, ref2, CSAF_CATEGORY_ADVISORY, time_now(), &before, &err), 0);
        assert_non_null(strstr(before, "known_affected"));
        raw_exec(f->t->db,
                 "INSERT INTO findings (release_id, component_id, vuln_id, confidence, explanation, state, "
                 "justification, state_reason, first_seen_at, last_matched_at) VALUES "
                 "(10, 99, 5, 'purl', '{}', 'not_affected', 'code_not_reachable', "
                 "'The inflate path is never called.', 0, 0)");
        _cleanup_free_ char *after = NULL;
        assert_int_equal(csaf_case_draft(f->s, &f->cfg, ref2, CSAF_CATEGORY_ADVISORY, time_now(), &after, &err), 0);
        _cleanup_json_ json_t *d = json_loads(after, 0, NULL);
        json_t *v = json_array_get(json_object_get(d, "vulnerabilities"), 0);
        json_t *ps = json_object_get(v, "product_status");
        assert_string_equal(json_string_value(json_array_get(json_object_get(ps, "known_not_affected"), 0)),
                            "CSAFPID-T1-EU-1.0.0");
        assert_null(json_object_get(ps, "known_affected"));
        assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(v, "flags"), 0), "label")),
                            "vulnerable_code_not_in_execute_path");
        assert_non_null(strstr(after, "The inflate path is never called."));
        sample("draft-findings-not-affected", after);
        /* one affected component makes the release affected again */
        raw_exec(f->t->db,
                 "INSERT INTO findings (release_id, component_id, vuln_id, confidence, explanation, state, "
                 "action_statement, first_seen_at, last_matched_at) VALUES "
                 "(10, 98, 5, 'purl', '{}', 'affected', 'Update to 1.1.0.', 0, 0)");
        _cleanup_free_ char *again = NULL;
        assert_int_equal(csaf_case_draft(f->s, &f->cfg, ref2, CSAF_CATEGORY_ADVISORY, time_now(), &again, &err), 0);
        assert_non_null(strstr(again, "known_affected"));
        assert_null(strstr(again, "vulnerable_code_not_in_execute_path"));
}

/* A csaf_vex document of the case, and a draft that publishes nothing. */
static void test_vex_and_draft(void **state) {
        struct fx *f = *state;
        struct error err = {0};
        _cleanup_free_ char *vex = NULL, *draft = NULL;
        assert_int_equal(csaf_case_draft(f->s, &f->cfg, f->ref, CSAF_CATEGORY_VEX, time_now(), &vex, &err), 0);
        _cleanup_json_ json_t *d = json_loads(vex, 0, NULL);
        json_t *doc = json_object_get(d, "document");
        assert_string_equal(json_string_value(json_object_get(doc, "category")), "csaf_vex");
        _cleanup_free_ char *tid = str_printf("CRADLE-VEX-%s", f->ref);
        assert_string_equal(json_string_value(json_object_get(json_object_get(doc, "tracking"), "id")), tid);
        sample("draft-vex", vex);
        assert_int_equal(csaf_case_draft(f->s, &f->cfg, f->ref, CSAF_CATEGORY_ADVISORY, time_now(), &draft, &err), 0);
        assert_non_null(strstr(draft, "\"draft\""));
        sample("draft-advisory", draft);
        assert_false(exists(f, "provider-metadata.json"));
        json_t *list = NULL;
        assert_int_equal(csaf_revisions_json(f->s, &f->cfg, f->ref, CSAF_CATEGORY_ADVISORY, &list, &err), -1);
        /* the VEX document publishes as its own advisory beside the other */
        struct csaf_publish_req req = {.category = CSAF_CATEGORY_VEX, .status = CSAF_FINAL};
        _cleanup_json_ json_t *out = NULL;
        assert_int_equal(csaf_publish(f->s, &so, &f->cfg, f->t->dir, f->ref, &req, time_now(), &out, &err), 0);
        assert_string_equal(json_string_value(json_object_get(out, "category")), "csaf_vex");
        _cleanup_free_ char *index = read_file(f, "white/index.txt");
        assert_non_null(strstr(index, "cradle-vex-"));
        _cleanup_free_ char *v1 = NULL;
        size_t len = 0;
        assert_int_equal(csaf_revision_document(f->s, f->ref, CSAF_CATEGORY_VEX, 1, &v1, &len, &err), 0);
        sample("published-vex", v1);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_publish_and_revise, setup, teardown),
                cmocka_unit_test_setup_teardown(test_refusals, setup, teardown),
                cmocka_unit_test_setup_teardown(test_tlp_amber_not_public, setup, teardown),
                cmocka_unit_test_setup_teardown(test_revisions_immutable, setup, teardown),
                cmocka_unit_test_setup_teardown(test_findings_decide_status, setup, teardown),
                cmocka_unit_test_setup_teardown(test_vex_and_draft, setup, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

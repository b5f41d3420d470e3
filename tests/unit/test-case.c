/* SPDX-License-Identifier: Apache-2.0 */
/* Cases (issue 10 section 1): create, read, timeline, validation. */
#include "testutil-store.h"

#include "case/case.h"
#include "core/time.h"

struct fx {
        struct tdir *t;
        struct store *s;
};

static const struct audit_actor so = {.name = "sec", .role = "security-officer"};

static int setup(void **state) {
        struct fx *f = calloc(1, sizeof(*f));
        f->t = tdir_new();
        struct error err = {0};
        if (store_open(f->t->db, &f->s, &err) < 0)
                fail_msg("%s", err.msg);
        raw_exec(f->t->db,
                 "INSERT INTO products (id, name, model, manufacturer_name, manufacturer_address, "
                 "manufacturer_contact, support_start, support_end, created_at, updated_at) VALUES "
                 "(1, 'T1', 'T1-EU', 'Acme', 'Berlin', 'sec@acme.example', '2026-01-01', '2031-01-01', 0, 0),"
                 "(2, 'T2', 'T2-EU', 'Acme', 'Berlin', 'sec@acme.example', '2026-01-01', '2031-01-01', 0, 0);"
                 "INSERT INTO releases (id, product_id, version, security_version, hardware_revisions, notes, "
                 "status, created_at, created_by, published_at) VALUES "
                 "(10, 1, '1.0.0', 1, '[]', '', 'published', 0, 'rel', 1700000000),"
                 "(20, 2, '2.0.0', 1, '[]', '', 'draft', 0, 'rel', NULL);");
        *state = f;
        return 0;
}

static int teardown(void **state) {
        struct fx *f = *state;
        store_close(f->s);
        tdir_free(f->t);
        free(f);
        return 0;
}

static struct case_new minimal(void) {
        return (struct case_new){.kind = CASE_VULNERABILITY,
                                 .source = CASE_SOURCE_MANUAL,
                                 .title = "Buffer overflow in the OTA parser",
                                 .summary = "A crafted manifest overflows a stack buffer.\nDetails follow."};
}

static void create_ok(struct fx *f, const struct case_new *n, struct case_info *out) {
        struct error err = {0};
        if (case_create(f->s, &so, n, 0, 0, out, &err) < 0)
                fail_msg("case_create: %s", err.msg);
}

static void create_fails(struct fx *f, const struct case_new *n, enum error_kind kind, const char *needle) {
        struct error err = {0};
        struct case_info c;
        int64_t before = raw_int(f->t->db, "SELECT count(*) FROM cases");
        assert_int_equal(case_create(f->s, &so, n, 0, 0, &c, &err), -1);
        assert_int_equal(err.kind, kind);
        if (!strstr(err.msg, needle))
                fail_msg("error '%s' does not name '%s'", err.msg, needle);
        /* nothing half-written */
        assert_int_equal(raw_int(f->t->db, "SELECT count(*) FROM cases"), before);
}

static void create_minimal(void **state) {
        struct fx *f = *state;
        struct case_new n = minimal();
        struct case_info c;
        int64_t t0 = time_now();
        create_ok(f, &n, &c);
        char want[32];
        char date[TIME_DATE_LEN];
        time_format_date(t0, date);
        snprintf(want, sizeof(want), "CASE-%.4s-0001", date);
        assert_string_equal(c.reference, want);
        assert_int_equal(c.state, CASE_RECEIVED);
        assert_int_equal(c.kind, CASE_VULNERABILITY);
        assert_int_equal(c.source, CASE_SOURCE_MANUAL);
        assert_string_equal(c.created_by, "sec");
        assert_false(c.exploited);
        assert_int_equal(c.aware_at, 0);
        /* default clocks: 7 and 90 days */
        assert_true(c.ack_due_at - c.created_at == 7 * 86400);
        assert_true(c.disclosure_target_at - c.created_at == 90 * 86400);
        assert_null(c.severity);
        /* one timeline entry and one audit entry */
        assert_int_equal(raw_int(f->t->db, "SELECT count(*) FROM case_timeline WHERE action = 'create'"), 1);
        assert_int_equal(raw_int(f->t->db, "SELECT count(*) FROM audit_log WHERE action = 'case.create' "
                                           "AND object = 'case/' || (SELECT reference FROM cases)"),
                         1);
        /* the next one counts on */
        struct case_info d;
        create_ok(f, &n, &d);
        snprintf(want, sizeof(want), "CASE-%.4s-0002", date);
        assert_string_equal(d.reference, want);
        case_info_free(&c);
        case_info_free(&d);
}

static void create_full_and_get(void **state) {
        struct fx *f = *state;
        struct case_new n = minimal();
        json_t *ids = json_pack("{s:[s,s], s:[s], s:[s]}", "cve", "CVE-2026-12345", "CVE-2021-44228", "euvd",
                                "EUVD-2026-1", "cwe", "CWE-787");
        struct case_affected aff[] = {{1, 10}, {2, 0}};
        n.ids = ids;
        n.affected = aff;
        n.naffected = 2;
        n.owner = "alice";
        n.version_range = "<1.0.1";
        n.reporter_credit = "Jane Researcher";
        n.cvss31_vector = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H";
        struct case_info c;
        struct error err = {0};
        if (case_create(f->s, &so, &n, 3, 30, &c, &err) < 0)
                fail_msg("case_create: %s", err.msg);
        assert_true(c.ack_due_at - c.created_at == 3 * 86400);
        assert_true(c.disclosure_target_at - c.created_at == 30 * 86400);
        assert_string_equal(c.severity, "critical"); /* 9.8 */

        struct case_info g;
        assert_int_equal(case_get(f->s, c.reference, &g, &err), 0);
        assert_int_equal(g.id, c.id);
        assert_string_equal(g.owner, "alice");
        assert_string_equal(g.version_range, "<1.0.1");
        assert_string_equal(g.reporter_credit, "Jane Researcher");
        assert_string_equal(g.cvss31_vector, n.cvss31_vector);
        assert_int_equal(g.naffected, 2);
        assert_int_equal(g.affected[0].product_id, 1);
        assert_int_equal(g.affected[0].release_id, 10);
        assert_int_equal(g.affected[1].product_id, 2);
        assert_int_equal(g.affected[1].release_id, 0);
        assert_int_equal(json_array_size(json_object_get(g.ids, "cve")), 2);
        assert_string_equal(json_string_value(json_array_get(json_object_get(g.ids, "cve"), 0)), "CVE-2021-44228");
        assert_string_equal(json_string_value(json_array_get(json_object_get(g.ids, "cwe"), 0)), "CWE-787");
        case_info_free(&g);

        char idtext[32];
        snprintf(idtext, sizeof(idtext), "%lld", (long long) c.id);
        assert_int_equal(case_get(f->s, idtext, &g, &err), 0);
        assert_string_equal(g.reference, c.reference);
        case_info_free(&g);

        json_t *j = case_to_json(&c);
        assert_string_equal(json_string_value(json_object_get(j, "state")), "received");
        assert_int_equal(json_integer_value(json_object_get(j, "cvss31_score10")), 98);
        json_decref(j);
        json_decref(ids);
        case_info_free(&c);
}

static void get_not_found(void **state) {
        struct fx *f = *state;
        struct case_info g;
        struct error err = {0};
        assert_int_equal(case_get(f->s, "CASE-2026-0099", &g, &err), -1);
        assert_int_equal(err.kind, ERROR_NOT_FOUND);
        assert_non_null(strstr(err.msg, "CASE-2026-0099"));
        assert_int_equal(case_get(f->s, "42", &g, &err), -1);
        assert_int_equal(err.kind, ERROR_NOT_FOUND);
        assert_int_equal(case_get(f->s, "", &g, &err), -1);
        assert_int_equal(err.kind, ERROR_INVALID);
}

static void create_refuses_bad_input(void **state) {
        struct fx *f = *state;
        struct case_new n = minimal();
        n.title = NULL;
        create_fails(f, &n, ERROR_INVALID, "title");
        n = minimal();
        char longtitle[300];
        memset(longtitle, 'a', sizeof(longtitle) - 1);
        longtitle[299] = 0;
        n.title = longtitle;
        create_fails(f, &n, ERROR_INVALID, "255");
        n = minimal();
        n.title = "two\nlines";
        create_fails(f, &n, ERROR_INVALID, "control");
        n = minimal();
        n.summary = "";
        create_fails(f, &n, ERROR_INVALID, "summary");

        const char *bad_ids[][2] = {
                {"cve", "CVE-26-1234"}, {"cve", "CVE-2026-123"}, {"cve", "cve-2026-1234"}, {"euvd", "EUVD-2026-"},
                {"cwe", "CWE-x"},       {"cwe", "787"},          {"ghsa", "GHSA-aaaa-bbbb-cccc"},
                {"nvd", "X"},
        };
        for (size_t i = 0; i < ELEMENTSOF(bad_ids); i++) {
                n = minimal();
                json_t *ids = json_pack("{s:[s]}", bad_ids[i][0], bad_ids[i][1]);
                n.ids = ids;
                create_fails(f, &n, ERROR_INVALID, bad_ids[i][1][0] == 'X' ? "nvd" : bad_ids[i][1]);
                json_decref(ids);
        }
        struct error err = {0};
        assert_int_equal(case_id_check("ghsa", "GHSA-jfh8-c2jp-5v3q", &err), 0);

        n = minimal();
        n.cvss31_vector = "CVSS:3.1/AV:N/AC:L";
        create_fails(f, &n, ERROR_INVALID, "cvss31_vector");
        n = minimal();
        n.cvss31_vector = "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N";
        create_fails(f, &n, ERROR_INVALID, "not a CVSS 3.x");

        n = minimal();
        struct case_affected wrong_product[] = {{99, 0}};
        n.affected = wrong_product;
        n.naffected = 1;
        create_fails(f, &n, ERROR_INVALID, "no product with id 99");
        struct case_affected foreign_release[] = {{1, 20}};
        n.affected = foreign_release;
        create_fails(f, &n, ERROR_INVALID, "belongs to product 2");
        n = minimal();
        n.vuln_id = 5;
        create_fails(f, &n, ERROR_INVALID, "vuln_id");
        assert_int_equal(raw_int(f->t->db, "SELECT count(*) FROM case_timeline"), 0);
}

static void timeline_append_in_callers_tx(void **state) {
        struct fx *f = *state;
        struct case_new n = minimal();
        struct case_info c;
        create_ok(f, &n, &c);
        struct error err = {0};
        assert_int_equal(store_tx_begin(f->s, &err), 0);
        json_t *d = json_pack("{s:s}", "stage", "early-warning");
        assert_int_equal(case_timeline_append(f->s, c.id, &so, "report.produced", d, &err), 0);
        assert_int_equal(case_timeline_append(f->s, c.id, NULL, "report.note", NULL, &err), 0);
        store_tx_rollback(f->s);
        assert_int_equal(raw_int(f->t->db, "SELECT count(*) FROM case_timeline"), 1);
        assert_int_equal(store_tx_begin(f->s, &err), 0);
        assert_int_equal(case_timeline_append(f->s, c.id, &so, "report.produced", d, &err), 0);
        assert_int_equal(store_tx_commit(f->s, &err), 0);
        assert_int_equal(raw_int(f->t->db, "SELECT count(*) FROM case_timeline WHERE action = 'report.produced' "
                                           "AND actor = 'sec' AND details = '{\"stage\":\"early-warning\"}'"),
                         1);
        json_decref(d);
        case_info_free(&c);
}

static void names_parse(void **state) {
        (void) state;
        enum case_state st;
        struct error err = {0};
        assert_int_equal(case_state_parse("fix_in_progress", &st, &err), 0);
        assert_int_equal(st, CASE_FIX_IN_PROGRESS);
        assert_int_equal(case_state_parse("open", &st, &err), -1);
        assert_non_null(strstr(err.msg, "'open'"));
        assert_non_null(strstr(err.msg, "not_a_vulnerability"));
        enum case_kind k;
        assert_int_equal(case_kind_parse("incident", &k, &err), 0);
        assert_int_equal(k, CASE_INCIDENT);
        assert_string_equal(case_source_name(CASE_SOURCE_CVD), "cvd");
        assert_string_equal(case_state_name(CASE_NOT_A_VULNERABILITY), "not_a_vulnerability");
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(create_minimal, setup, teardown),
                cmocka_unit_test_setup_teardown(create_full_and_get, setup, teardown),
                cmocka_unit_test_setup_teardown(get_not_found, setup, teardown),
                cmocka_unit_test_setup_teardown(create_refuses_bad_input, setup, teardown),
                cmocka_unit_test_setup_teardown(timeline_append_in_callers_tx, setup, teardown),
                cmocka_unit_test(names_parse),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

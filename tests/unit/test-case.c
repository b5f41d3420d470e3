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
        assert_true(json_is_null(json_object_get(j, "cvss40_score10")));
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


static void set_state(struct fx *f, const char *ref, enum case_state to, const char *reason, const char *dup,
                      int want_rc, enum error_kind kind) {
        struct error err = {0};
        struct case_info c;
        int rc = case_set_state(f->s, &so, ref, to, reason, dup, &c, &err);
        if (rc != want_rc)
                fail_msg("%s -> %s: rc %d (%s)", ref, case_state_name(to), rc, err.msg);
        if (rc == 0) {
                assert_int_equal(c.state, to);
                case_info_free(&c);
        } else
                assert_int_equal(err.kind, kind);
}

static void state_machine(void **state) {
        struct fx *f = *state;
        struct case_new n = minimal();
        struct case_info c, d;
        create_ok(f, &n, &c);
        create_ok(f, &n, &d);
        /* impossible transitions are refused, naming both states */
        struct error err = {0};
        struct case_info x;
        assert_int_equal(case_set_state(f->s, &so, c.reference, CASE_DISCLOSED, "why not", NULL, &x, &err), -1);
        assert_int_equal(err.kind, ERROR_CONFLICT);
        assert_non_null(strstr(err.msg, "from received to disclosed"));
        set_state(f, c.reference, CASE_CLOSED, "done", NULL, -1, ERROR_CONFLICT);
        /* a reason is required */
        set_state(f, c.reference, CASE_TRIAGING, NULL, NULL, -1, ERROR_INVALID);
        set_state(f, c.reference, CASE_TRIAGING, "", NULL, -1, ERROR_INVALID);
        set_state(f, c.reference, CASE_TRIAGING, "looking", NULL, 0, 0);
        assert_int_equal(raw_int(f->t->db, "SELECT acknowledged_at IS NOT NULL FROM cases WHERE id = 1"), 1);
        set_state(f, c.reference, CASE_CONFIRMED, "reproduced", NULL, 0, 0);
        set_state(f, c.reference, CASE_FIX_IN_PROGRESS, "patch under review", NULL, 0, 0);
        set_state(f, c.reference, CASE_FIX_AVAILABLE, "1.0.1 built", NULL, 0, 0);
        /* entering fix_available without a measure time records now */
        assert_int_equal(raw_int(f->t->db, "SELECT fix_available_at IS NOT NULL FROM cases WHERE id = 1"), 1);
        set_state(f, c.reference, CASE_DISCLOSED, "advisory out", NULL, 0, 0);
        set_state(f, c.reference, CASE_TRIAGING, "no", NULL, -1, ERROR_CONFLICT);
        set_state(f, c.reference, CASE_CLOSED, "all patched", NULL, 0, 0);
        /* duplicate needs the other case, and not itself */
        set_state(f, d.reference, CASE_DUPLICATE, "same as the other", NULL, -1, ERROR_INVALID);
        set_state(f, d.reference, CASE_DUPLICATE, "same", d.reference, -1, ERROR_INVALID);
        set_state(f, d.reference, CASE_REJECTED, "spam", c.reference, -1, ERROR_INVALID);
        set_state(f, d.reference, CASE_DUPLICATE, "same as the other", c.reference, 0, 0);
        assert_int_equal(raw_int(f->t->db, "SELECT duplicate_of FROM cases WHERE id = 2"), 1);
        assert_int_equal(raw_int(f->t->db, "SELECT count(*) FROM cases WHERE id = 2 AND "
                                           "state_reason = 'same as the other'"), 1);
        /* reopened */
        set_state(f, d.reference, CASE_TRIAGING, "not the same after all", NULL, 0, 0);
        assert_int_equal(raw_int(f->t->db, "SELECT duplicate_of IS NULL AND state_reason IS NULL FROM cases "
                                           "WHERE id = 2"), 1);
        set_state(f, d.reference, CASE_NOT_A_VULNERABILITY, "works as designed", NULL, 0, 0);
        /* every change audited with the user and the reason, and in the timeline */
        assert_int_equal(raw_int(f->t->db, "SELECT count(*) FROM audit_log WHERE action = 'case.state' "
                                           "AND actor_name = 'sec'"), 9);
        assert_int_equal(raw_int(f->t->db, "SELECT count(*) FROM audit_log WHERE action = 'case.state' "
                                           "AND details LIKE '%\"reason\":\"reproduced\"%'"), 1);
        assert_int_equal(raw_int(f->t->db, "SELECT count(*) FROM case_timeline WHERE action = 'state'"), 9);
        /* refused changes leave nothing behind */
        assert_int_equal(raw_int(f->t->db, "SELECT count(*) FROM case_timeline WHERE action = 'state' "
                                           "AND details LIKE '%why not%'"), 0);
        assert_true(case_transition_allowed(CASE_RECEIVED, CASE_TRIAGING));
        assert_false(case_transition_allowed(CASE_RECEIVED, CASE_FIX_AVAILABLE));
        assert_false(case_transition_allowed(CASE_CLOSED, CASE_DISCLOSED));
        case_info_free(&c);
        case_info_free(&d);
}

static void edit_fields(void **state) {
        struct fx *f = *state;
        struct case_new n = minimal();
        struct case_info c, e;
        create_ok(f, &n, &c);
        struct error err = {0};
        json_t *ids = json_pack("{s:[s]}", "cwe", "CWE-121");
        struct case_affected aff = {1, 10};
        struct case_edit ed = {.owner = "bob", .impact = "remote code execution",
                               .cvss31_vector = "CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:L/I:L/A:N",
                               .add_ids = ids, .add_affected = &aff, .n_add_affected = 1, .reason = "triage"};
        if (case_edit(f->s, &so, c.reference, &ed, &e, &err) < 0)
                fail_msg("%s", err.msg);
        assert_string_equal(e.owner, "bob");
        assert_string_equal(e.severity, "medium"); /* 5.4 */
        assert_int_equal(e.naffected, 1);
        assert_string_equal(json_string_value(json_array_get(json_object_get(e.ids, "cwe"), 0)), "CWE-121");
        case_info_free(&e);
        /* a 4.0 vector is scored too, and rates the case (8.7: high) */
        struct case_edit v4 = {.cvss40_vector = "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:N/VA:N/SC:N/SI:N/SA:N"};
        assert_int_equal(case_edit(f->s, &so, c.reference, &v4, &e, &err), 0);
        assert_string_equal(e.severity, "high");
        json_t *j = case_to_json(&e);
        assert_int_equal(json_integer_value(json_object_get(j, "cvss40_score10")), 87);
        json_decref(j);
        case_info_free(&e);
        struct case_edit clear = {.owner = ""};
        assert_int_equal(case_edit(f->s, &so, c.reference, &clear, &e, &err), 0);
        assert_null(e.owner);
        case_info_free(&e);
        struct case_edit bad = {.title = ""};
        assert_int_equal(case_edit(f->s, &so, c.reference, &bad, &e, &err), -1);
        assert_int_equal(err.kind, ERROR_INVALID);
        struct case_edit none = {.reason = "nothing"};
        assert_int_equal(case_edit(f->s, &so, c.reference, &none, &e, &err), -1);
        assert_non_null(strstr(err.msg, "nothing to change"));
        struct case_affected foreign = {2, 10};
        struct case_edit badaff = {.add_affected = &foreign, .n_add_affected = 1};
        assert_int_equal(case_edit(f->s, &so, c.reference, &badaff, &e, &err), -1);
        assert_non_null(strstr(err.msg, "not a release of product 2"));
        assert_int_equal(raw_int(f->t->db, "SELECT count(*) FROM case_affected"), 1);
        json_decref(ids);
        case_info_free(&c);
}

static void aware_marker(void **state) {
        struct fx *f = *state;
        struct case_new n = minimal();
        struct case_info c, e;
        create_ok(f, &n, &c);
        struct error err = {0};
        assert_int_equal(case_mark_aware(f->s, &so, c.reference, false, false, 0, "x", 0, NULL, &e, &err), -1);
        assert_int_equal(case_mark_aware(f->s, &so, c.reference, true, false, 0, "", 0, NULL, &e, &err), -1);
        assert_non_null(strstr(err.msg, "how"));
        assert_int_equal(case_mark_aware(f->s, &so, c.reference, true, false, time_now() + 86400, "future", 0,
                                         NULL, &e, &err), -1);
        int64_t t1 = time_now() - 3600;
        assert_int_equal(case_mark_aware(f->s, &so, c.reference, true, false, t1, "researcher saw it in the wild",
                                         0, "confirmed", &e, &err), 0);
        assert_true(e.exploited);
        assert_int_equal(e.aware_at, t1);
        case_info_free(&e);
        /* a later awareness never postpones the clocks; an earlier one moves them earlier */
        assert_int_equal(case_mark_aware(f->s, &so, c.reference, true, false, t1 + 600, "again", 0, NULL, &e, &err), 0);
        assert_int_equal(e.aware_at, t1);
        assert_string_equal(e.aware_how, "researcher saw it in the wild");
        case_info_free(&e);
        assert_int_equal(case_mark_aware(f->s, &so, c.reference, false, true, t1 - 600, "log review", t1 - 7200,
                                         NULL, &e, &err), 0);
        assert_int_equal(e.aware_at, t1 - 600);
        assert_true(e.severe_incident);
        assert_true(e.exploited);
        assert_int_equal(e.incident_occurred_at, t1 - 7200);
        case_info_free(&e);
        assert_int_equal(raw_int(f->t->db, "SELECT count(*) FROM audit_log WHERE action = 'case.aware'"), 3);
        case_info_free(&c);
}

static void link_fix(void **state) {
        struct fx *f = *state;
        struct case_new n = minimal();
        struct case_affected aff = {1, 0};
        n.affected = &aff;
        n.naffected = 1;
        struct case_info c, e;
        create_ok(f, &n, &c);
        struct error err = {0};
        /* a release of a product the case does not list */
        assert_int_equal(case_link(f->s, &so, c.reference, 20, 0, 0, NULL, &e, &err), -1);
        assert_non_null(strstr(err.msg, "does not list"));
        assert_int_equal(case_link(f->s, &so, c.reference, 99, 0, 0, NULL, &e, &err), -1);
        assert_int_equal(case_link(f->s, &so, c.reference, 0, 7, 0, NULL, &e, &err), -1);
        assert_non_null(strstr(err.msg, "no campaign"));
        /* an earlier mitigation time wins over the release's publication */
        assert_int_equal(case_link(f->s, &so, c.reference, 0, 0, 1690000000, "workaround published", &e, &err), 0);
        assert_int_equal(e.fix_available_at, 1690000000);
        case_info_free(&e);
        assert_int_equal(case_link(f->s, &so, c.reference, 10, 0, 0, NULL, &e, &err), 0);
        assert_int_equal(e.fix_release_id, 10);
        assert_int_equal(e.fix_available_at, 1690000000);
        case_info_free(&e);
        /* without one, the publication time of the published fixing release */
        struct case_info d;
        create_ok(f, &n, &d);
        assert_int_equal(case_link(f->s, &so, d.reference, 10, 0, 0, NULL, &e, &err), 0);
        assert_int_equal(e.fix_available_at, 1700000000);
        case_info_free(&e);
        /* a later mitigation time never moves it later */
        assert_int_equal(case_link(f->s, &so, d.reference, 0, 0, 1710000000, NULL, &e, &err), 0);
        assert_int_equal(e.fix_available_at, 1700000000);
        case_info_free(&e);
        case_info_free(&c);
        case_info_free(&d);
}

static void kev_path(void **state) {
        struct fx *f = *state;
        raw_exec(f->t->db, "INSERT INTO vulns (id, name, updated_at) VALUES (5, 'CVE-2024-3094', 0)");
        const struct audit_actor sys = {.name = "system", .role = "system"};
        struct case_exploited_vuln ev = {.vuln = "CVE-2024-3094", .product_id = 1, .learnt_at = 1765000000,
                                         .how = "KEV"};
        struct error err = {0};
        struct case_info c;
        bool created;
        if (case_vuln_exploited(f->s, &sys, &ev, &c, &created, &err) < 0)
                fail_msg("%s", err.msg);
        assert_true(created);
        assert_true(c.exploited);
        assert_int_equal(c.aware_at, 1765000000);
        assert_string_equal(c.aware_how, "KEV");
        assert_int_equal(c.vuln_id, 5);
        assert_int_equal(c.source, CASE_SOURCE_FINDING);
        assert_string_equal(json_string_value(json_array_get(json_object_get(c.ids, "cve"), 0)), "CVE-2024-3094");
        case_info_free(&c);
        /* idempotent, also inside the caller's transaction */
        assert_int_equal(store_tx_begin(f->s, &err), 0);
        ev.learnt_at = 1765100000;
        assert_int_equal(case_vuln_exploited(f->s, &sys, &ev, NULL, &created, &err), 0);
        assert_false(created);
        ev.product_id = 2;
        assert_int_equal(case_vuln_exploited(f->s, &sys, &ev, NULL, &created, &err), 0);
        assert_int_equal(store_tx_commit(f->s, &err), 0);
        assert_int_equal(raw_int(f->t->db, "SELECT count(*) FROM cases"), 1);
        assert_int_equal(raw_int(f->t->db, "SELECT aware_at FROM cases"), 1765000000);
        assert_int_equal(raw_int(f->t->db, "SELECT count(*) FROM case_affected"), 2);
        assert_int_equal(raw_int(f->t->db, "SELECT count(*) FROM audit_log WHERE action = 'case.aware'"), 1);
        /* an existing case not yet exploited is marked, not duplicated */
        raw_exec(f->t->db, "INSERT INTO vulns (id, name, updated_at) VALUES (6, 'CVE-2025-0001', 0)");
        struct case_new n = minimal();
        n.vuln_id = 6;
        struct case_info m;
        create_ok(f, &n, &m);
        ev.vuln = "CVE-2025-0001";
        assert_int_equal(case_vuln_exploited(f->s, &sys, &ev, &c, &created, &err), 0);
        assert_false(created);
        assert_int_equal(c.id, m.id);
        assert_true(c.exploited);
        case_info_free(&c);
        case_info_free(&m);
        ev.vuln = "CVE-2099-9999";
        assert_int_equal(case_vuln_exploited(f->s, &sys, &ev, &c, &created, &err), -1);
        assert_int_equal(err.kind, ERROR_INVALID);
}

/* The releases the findings are in become affected (product, release) rows,
 * so the SRP packages name the versions (before: only the product, and the
 * early warning lacked product_version); a later call adds only new ones. */
static void kev_path_affected_releases(void **state) {
        struct fx *f = *state;
        raw_exec(f->t->db, "INSERT INTO vulns (id, name, updated_at, cvss_vector) VALUES (7, 'CVE-2023-4863', 0, "
                           "'CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:H');"
                           "INSERT INTO vulns (id, name, updated_at, cvss_vector) VALUES (8, 'CVE-2023-0008', 0, "
                           "'CVSS:3.1/AV:X/garbage');"
                           "INSERT INTO releases (id, product_id, version, security_version, hardware_revisions, "
                           "notes, status, created_at, created_by, published_at) VALUES "
                           "(11, 1, '1.1.0', 2, '[]', '', 'published', 0, 'rel', 1700000100)");
        const struct audit_actor sys = {.name = "system", .role = "system"};
        const int64_t first[] = {10};
        struct case_exploited_vuln ev = {.vuln = "CVE-2023-4863", .product_id = 1, .release_ids = first,
                                         .n_release_ids = 1, .learnt_at = 1765000000, .how = "KEV"};
        struct error err = {0};
        bool created;
        assert_int_equal(case_vuln_exploited(f->s, &sys, &ev, NULL, &created, &err), 0);
        assert_true(created);
        assert_int_equal(raw_int(f->t->db, "SELECT count(*) FROM case_affected WHERE product_id = 1 AND release_id = 10"), 1);
        assert_int_equal(raw_int(f->t->db, "SELECT count(*) FROM case_affected"), 1);
        const int64_t both[] = {10, 11};
        ev.release_ids = both;
        ev.n_release_ids = 2;
        assert_int_equal(case_vuln_exploited(f->s, &sys, &ev, NULL, &created, &err), 0);
        assert_false(created);
        assert_int_equal(raw_int(f->t->db, "SELECT count(*) FROM case_affected WHERE release_id = 11"), 1);
        assert_int_equal(raw_int(f->t->db, "SELECT count(*) FROM case_affected"), 2);
        /* the vulnerability's CVSS vector comes with it (before: none, and the
         * advisory's known affected products had no score, CSAF 6.2.3) */
        assert_int_equal(raw_int(f->t->db, "SELECT count(*) FROM cases WHERE cvss31_vector = "
                                           "'CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:H' AND severity = 'high'"), 1);
        /* a vector the case cannot take is left out; the case still opens */
        ev.vuln = "CVE-2023-0008";
        assert_int_equal(case_vuln_exploited(f->s, &sys, &ev, NULL, &created, &err), 0);
        assert_true(created);
        assert_int_equal(raw_int(f->t->db, "SELECT count(*) FROM cases WHERE cvss31_vector IS NULL"), 1);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(create_minimal, setup, teardown),
                cmocka_unit_test_setup_teardown(create_full_and_get, setup, teardown),
                cmocka_unit_test_setup_teardown(get_not_found, setup, teardown),
                cmocka_unit_test_setup_teardown(create_refuses_bad_input, setup, teardown),
                cmocka_unit_test_setup_teardown(timeline_append_in_callers_tx, setup, teardown),
                cmocka_unit_test(names_parse),
                cmocka_unit_test_setup_teardown(state_machine, setup, teardown),
                cmocka_unit_test_setup_teardown(edit_fields, setup, teardown),
                cmocka_unit_test_setup_teardown(aware_marker, setup, teardown),
                cmocka_unit_test_setup_teardown(link_fix, setup, teardown),
                cmocka_unit_test_setup_teardown(kev_path, setup, teardown),
                cmocka_unit_test_setup_teardown(kev_path_affected_releases, setup, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

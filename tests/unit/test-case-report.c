/* SPDX-License-Identifier: Apache-2.0 */
/* SRP report packages (issue 10 section 3): the field table, prefill from a
 * seeded store, missing fields, length limits, later stages' defaults, and
 * submission evidence (immutable, due time and lateness). */
#include "testutil-store.h"

#include "campaign/campaign.h"
#include "case/case.h"
#include "case/report.h"
#include "case/srp-fields.h"
#include "core/strutil.h"
#include "core/time.h"
#include "crypto/hash.h"

struct fx {
        struct tdir *t;
        struct store *s;
        char ref[64];
        int64_t aware;
};

static const struct audit_actor so = {.name = "sec", .role = "security-officer"};
#define FIX_PUBLISHED 1790000000

static int setup(void **state) {
        struct fx *f = calloc(1, sizeof(*f));
        f->t = tdir_new();
        struct error err = {0};
        if (store_open(f->t->db, &f->s, &err) < 0)
                fail_msg("%s", err.msg);
        /* 3 devices run 1.0.0 from the factory, 2 updated to the fix 1.1.0,
         * 1 decommissioned (not counted). */
        raw_exec(f->t->db,
                 "INSERT INTO products (id, name, model, manufacturer_name, manufacturer_address, "
                 "manufacturer_contact, support_start, support_end, created_at, updated_at) VALUES "
                 "(1, 'Thermostat', 'T1-EU', 'Acme GmbH', 'Berlin', 'sec@acme.example', '2026-01-01', '2031-01-01', "
                 "0, 0);"
                 "INSERT INTO product_member_states (product_id, country) VALUES (1, 'FR'), (1, 'DE');"
                 "INSERT INTO releases (id, product_id, version, security_version, hardware_revisions, notes, "
                 "status, created_at, created_by, published_at) VALUES "
                 "(10, 1, '1.0.0', 1, '[]', '', 'published', 0, 'rel', 1700000000),"
                 "(11, 1, '1.1.0', 2, '[]', '', 'published', 0, 'rel', 1790000000);"
                 "INSERT INTO devices (id, serial, product_id, initial_firmware_version, status, origin, "
                 "created_at) VALUES (1, 'S1', 1, '1.0.0', 'active', 'factory', 0), (2, 'S2', 1, '1.0.0', "
                 "'active', 'factory', 0), (3, 'S3', 1, '1.0.0', 'active', 'factory', 0), (4, 'S4', 1, '1.0.0', "
                 "'active', 'factory', 0), (5, 'S5', 1, '1.0.0', 'active', 'factory', 0), (6, 'S6', 1, '1.0.0', "
                 "'decommissioned', 'factory', 0);"
                 "INSERT INTO device_update_state (device_id, installed_version, last_seen) VALUES "
                 "(4, '1.1.0', 1), (5, '1.1.0', 1);");
        struct case_affected aff = {.product_id = 1, .release_id = 10};
        json_t *ids = json_pack("{s:[s]}", "cve", "CVE-2026-12345");
        struct case_new n = {.kind = CASE_VULNERABILITY, .source = CASE_SOURCE_MANUAL,
                             .title = "Buffer overflow in the OTA parser", .summary = "A crafted manifest overflows.",
                             .ids = ids, .affected = &aff, .naffected = 1};
        struct case_info c;
        if (case_create(f->s, &so, &n, 0, 0, &c, &err) < 0)
                fail_msg("case_create: %s", err.msg);
        json_decref(ids);
        snprintf(f->ref, sizeof(f->ref), "%s", c.reference);
        case_info_free(&c);
        f->aware = time_now() - 30 * 3600; /* 30 h ago: the early warning is 6 h late */
        if (case_mark_aware(f->s, &so, f->ref, true, false, f->aware, "exploit seen in the wild", 0, "test", NULL,
                            &err) < 0)
                fail_msg("aware: %s", err.msg);
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

/* The required names of (stage, track, glossary), space separated, in order. */
static char *required(enum srp_stage st, enum srp_track t, enum srp_glossary g) {
        size_t n;
        const struct srp_field *fs = srp_fields(&n);
        struct buf b = {0};
        buf_appendf(&b, "%s", "");
        for (size_t i = 0; i < n; i++)
                if (srp_field_applies(&fs[i], g, t) && srp_field_required(&fs[i], st))
                        buf_appendf(&b, "%s%s", b.len ? " " : "", fs[i].name);
        return buf_steal(&b);
}

static void test_field_table(void **state) {
        (void) state;
        static const char *common = "notification_type title summary manufacturer member_states product_name "
                                    "product_version";
        static const char *later = " product_type category end_of_support mitigation_expected_shortly user_action "
                                   "sensitivity measures_taken measures_users_can_take";
        struct {
                enum srp_stage st;
                enum srp_track t;
                const char *tail;
        } rows[] = {
                {SRP_EARLY_WARNING, SRP_TRACK_VULNERABILITY, " awareness_time"},
                {SRP_NOTIFICATION, SRP_TRACK_VULNERABILITY, "* general_information awareness_time"},
                {SRP_INTERMEDIATE, SRP_TRACK_VULNERABILITY, "* general_information awareness_time"},
                {SRP_FINAL, SRP_TRACK_VULNERABILITY,
                 "* general_information measure_available_date update_details severity_impact awareness_time"},
                {SRP_EARLY_WARNING, SRP_TRACK_INCIDENT, " suspected_malicious awareness_time_incident"},
                {SRP_NOTIFICATION, SRP_TRACK_INCIDENT,
                 "* suspected_malicious nature mitigation awareness_time_incident initial_assessment"},
                {SRP_FINAL, SRP_TRACK_INCIDENT,
                 "* suspected_malicious nature mitigation severity_impact_incident threat_root_cause "
                 "awareness_time_incident"},
        };
        for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
                bool l = rows[i].tail[0] == '*';
                _cleanup_free_ char *want = str_printf("%s%s%s", common, l ? later : "", rows[i].tail + (l ? 1 : 0));
                _cleanup_free_ char *got = required(rows[i].st, rows[i].t, SRP_GLOSSARY_V1_3);
                assert_string_equal(got, want);
        }
        /* Limits from the issue. */
        assert_int_equal(srp_field_find("title")->max_len, 255);
        assert_int_equal(srp_field_find("summary")->max_len, 4000);
        assert_int_equal(srp_field_find("measures_taken")->max_len, 2000);
        assert_int_equal(srp_field_find("malicious_actor")->max_len, 100);
        /* The version difference: the EUVD id exists in v1.3 only. */
        assert_true(srp_field_applies(srp_field_find("euvd_id"), SRP_GLOSSARY_V1_3, SRP_TRACK_VULNERABILITY));
        assert_false(srp_field_applies(srp_field_find("euvd_id"), SRP_GLOSSARY_V1_1, SRP_TRACK_VULNERABILITY));
        enum srp_stage st;
        assert_int_equal(srp_stage_parse("early-warning", &st), 0);
        assert_int_equal(st, SRP_EARLY_WARNING);
        assert_int_equal(srp_stage_parse("early_warning", &st), -1);
}

static const char *field(const struct case_report *r, const char *k) {
        return json_string_value(json_object_get(json_object_get(r->package, "fields"), k));
}
static json_int_t ifield(const struct case_report *r, const char *k) {
        return json_integer_value(json_object_get(json_object_get(r->package, "fields"), k));
}

static bool missing_has(const struct case_report *r, const char *k) {
        size_t i;
        json_t *m;
        json_array_foreach(r->missing, i, m) if (strcmp(json_string_value(m), k) == 0) return true;
        return false;
}

static void build_ok(struct fx *f, enum srp_stage st, const char *fields_json, struct case_report *r) {
        struct error err = {0};
        json_t *op = fields_json ? json_loads(fields_json, 0, NULL) : NULL;
        if (case_report_build(f->s, f->ref, st, SRP_GLOSSARY_DEFAULT, op, r, &err) < 0)
                fail_msg("build: %s", err.msg);
        json_decref(op);
}

static void test_prefill(void **state) {
        struct fx *f = *state;
        struct case_report r;
        build_ok(f, SRP_EARLY_WARNING, NULL, &r);
        assert_string_equal(field(&r, "manufacturer"), "Acme GmbH");
        assert_string_equal(field(&r, "member_states"), "DE, FR");
        assert_string_equal(field(&r, "product_name"), "Thermostat (T1-EU)");
        assert_string_equal(field(&r, "product_version"), "1.0.0");
        assert_string_equal(field(&r, "end_of_support"), "2031-01-01");
        assert_string_equal(field(&r, "cve_id"), "CVE-2026-12345");
        assert_string_equal(field(&r, "notification_type"), "vulnerability: early warning");
        assert_non_null(field(&r, "awareness_time"));
        /* No fix linked: every active device counts as affected. */
        assert_int_equal(ifield(&r, "affected_units"), 5);
        assert_int_equal(ifield(&r, "patched_units"), 0);
        assert_int_equal(json_array_size(r.missing), 0);
        assert_non_null(strstr(r.markdown, "## 2. Title (required)\n`title`\n\nBuffer overflow in the OTA parser"));
        case_report_free(&r);

        struct error err = {0};
        if (case_link(f->s, &so, f->ref, 11, 0, 0, "fix", NULL, &err) < 0)
                fail_msg("link: %s", err.msg);
        build_ok(f, SRP_FINAL, NULL, &r);
        assert_int_equal(ifield(&r, "affected_units"), 3);
        assert_int_equal(ifield(&r, "patched_units"), 2);
        assert_string_equal(field(&r, "update_details"), "Release 1.1.0, published 2026-09-21T14:13:20Z");
        assert_string_equal(field(&r, "measure_available_date"), "2026-09-21T14:13:20Z");
        case_report_free(&r);
}

static void test_missing(void **state) {
        struct fx *f = *state;
        struct case_report r;
        build_ok(f, SRP_NOTIFICATION, NULL, &r);
        assert_true(missing_has(&r, "measures_taken"));
        assert_true(missing_has(&r, "sensitivity"));
        assert_false(missing_has(&r, "title"));
        assert_non_null(strstr(r.markdown, "**MISSING: required for this stage**"));
        assert_non_null(strstr(r.markdown, "Missing required fields:"));
        case_report_free(&r);
        build_ok(f, SRP_NOTIFICATION, "{\"measures_taken\": \"Patched the parser\"}", &r);
        assert_false(missing_has(&r, "measures_taken"));
        assert_true(missing_has(&r, "sensitivity"));
        case_report_free(&r);
        /* A required field blanked by the operator is missing again. */
        build_ok(f, SRP_EARLY_WARNING, "{\"member_states\": \"\"}", &r);
        assert_int_equal(json_array_size(r.missing), 1);
        assert_true(missing_has(&r, "member_states"));
        case_report_free(&r);
}

static void build_fails(struct fx *f, const char *fields_json, const char *needle) {
        struct error err = {0};
        struct case_report r;
        json_t *op = json_loads(fields_json, 0, NULL);
        assert_non_null(op);
        assert_int_equal(case_report_build(f->s, f->ref, SRP_FINAL, SRP_GLOSSARY_DEFAULT, op, &r, &err), -1);
        assert_int_equal(err.kind, ERROR_INVALID);
        if (!strstr(err.msg, needle))
                fail_msg("error \"%s\" lacks \"%s\"", err.msg, needle);
        json_decref(op);
}

static void test_lengths(void **state) {
        struct fx *f = *state;
        char a[4002];
        struct case_report r;
        memset(a, 'a', sizeof(a));
        struct {
                const char *name;
                size_t limit;
        } rows[] = {{"title", 255}, {"summary", 4000}, {"measures_taken", 2000}, {"malicious_actor", 100}};
        for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
                a[rows[i].limit] = 0; /* exactly at the limit: accepted */
                _cleanup_free_ char *ok = str_printf("{\"%s\": \"%s\"}", rows[i].name, a);
                build_ok(f, SRP_FINAL, ok, &r);
                assert_int_equal(strlen(field(&r, rows[i].name)), rows[i].limit);
                case_report_free(&r);
                a[rows[i].limit] = 'a';
                a[rows[i].limit + 1] = 0; /* one over: refused, naming the field and the limit */
                _cleanup_free_ char *bad = str_printf("{\"%s\": \"%s\"}", rows[i].name, a);
                _cleanup_free_ char *needle = str_printf("\"%s\" is %zu characters, over its limit of %zu",
                                                         rows[i].name, rows[i].limit + 1, rows[i].limit);
                build_fails(f, bad, needle);
                a[rows[i].limit + 1] = 'a';
        }
        /* Characters, not bytes: 255 two-byte characters fit the title. */
        struct buf b = {0};
        buf_appendf(&b, "{\"title\": \"");
        for (int i = 0; i < 255; i++)
                buf_appendf(&b, "\xc3\xa9");
        buf_appendf(&b, "\"}");
        build_ok(f, SRP_FINAL, b.data, &r);
        case_report_free(&r);
        buf_free(&b);
        build_fails(f, "{\"no_such_field\": \"x\"}", "unknown field \"no_such_field\"");
        build_fails(f, "{\"nature\": \"x\"}", "\"nature\" is not a field of the vulnerability track");
        build_fails(f, "{\"title\": [1]}", "\"title\" must be a string");
}

static void test_submission(void **state) {
        struct fx *f = *state;
        struct error err = {0};
        json_t *out = NULL;
        json_t *op = json_loads("{\"attack_vector\": \"network\"}", 0, NULL);
        int64_t now = time_now();
        if (case_report_submit(f->s, &so, f->ref, SRP_EARLY_WARNING, SRP_GLOSSARY_DEFAULT, op, "SRP-EW-1", 0, now,
                               &out, &err) < 0)
                fail_msg("submit: %s", err.msg);
        json_decref(op);
        json_t *it = json_array_get(json_object_get(out, "items"), 0);
        assert_string_equal(json_string_value(json_object_get(it, "srp_ref")), "SRP-EW-1");
        assert_string_equal(json_string_value(json_object_get(it, "submitted_by")), "sec");
        assert_true(json_is_true(json_object_get(it, "late")));
        /* aware 30 h before now, due at +24 h: 6 h late */
        assert_int_equal(json_integer_value(json_object_get(it, "late_by_seconds")), 6 * 3600);
        char due[TIME_RFC3339_LEN];
        time_format_rfc3339(f->aware + 24 * 3600, due);
        assert_string_equal(json_string_value(json_object_get(it, "due_at")), due);
        json_decref(out);
        /* The stored content's hash is the recorded one. */
        char *content = NULL;
        {
                sqlite3 *db;
                sqlite3_open(f->t->db, &db);
                sqlite3_stmt *st;
                sqlite3_prepare_v2(db, "SELECT content, content_sha256 FROM case_submissions", -1, &st, NULL);
                assert_int_equal(sqlite3_step(st), SQLITE_ROW);
                content = str_dup((const char *) sqlite3_column_text(st, 0));
                char sha[SHA256_HEX_LEN];
                hash_sha256_hex(content, strlen(content), sha);
                assert_string_equal(sha, (const char *) sqlite3_column_text(st, 1));
                sqlite3_finalize(st);
                sqlite3_close(db);
        }
        assert_non_null(strstr(content, "\"attack_vector\":\"network\""));
        free(content);
        /* Evidence: neither changed nor deleted. */
        assert_int_not_equal(raw_exec_rc(f->t->db, "UPDATE case_submissions SET late_by = 0"), 0);
        assert_int_not_equal(raw_exec_rc(f->t->db, "UPDATE case_submissions SET content = '{}'"), 0);
        assert_int_not_equal(raw_exec_rc(f->t->db, "DELETE FROM case_submissions"), 0);
        assert_int_equal(raw_int(f->t->db, "SELECT late_by FROM case_submissions"), 6 * 3600);
        /* The next stage defaults to the submitted values. */
        struct case_report r;
        build_ok(f, SRP_NOTIFICATION, NULL, &r);
        assert_string_equal(field(&r, "attack_vector"), "network");
        assert_string_equal(field(&r, "notification_type"), "vulnerability: notification");
        case_report_free(&r);
        /* Incomplete packages are refused, naming the missing fields. */
        assert_int_equal(case_report_submit(f->s, &so, f->ref, SRP_NOTIFICATION, SRP_GLOSSARY_DEFAULT, NULL, "X", 0,
                                            now, &out, &err),
                         -1);
        assert_non_null(strstr(err.msg, "lacks required fields: "));
        assert_non_null(strstr(err.msg, "measures_taken"));
        assert_int_equal(raw_int(f->t->db, "SELECT count(*) FROM case_submissions"), 1);
        /* The clocks read the submission records. */
        int64_t times[3];
        assert_int_equal(case_report_submitted_times(f->s, 1, times, &err), 0);
        assert_int_equal(times[0], now);
        assert_int_equal(times[1], 0);
}

static void test_final_due_from_fix(void **state) {
        struct fx *f = *state;
        struct error err = {0};
        if (case_link(f->s, &so, f->ref, 11, 0, 0, "fix", NULL, &err) < 0)
                fail_msg("link: %s", err.msg);
        json_t *op = json_loads("{\"general_information\": \"g\", \"product_type\": \"default\", \"category\": "
                                "\"c\", \"mitigation_expected_shortly\": false, \"user_action\": \"update\", "
                                "\"sensitivity\": \"TLP:AMBER\", \"measures_taken\": \"m\", "
                                "\"measures_users_can_take\": \"u\", \"severity_impact\": \"high\"}",
                                0, NULL);
        json_t *out = NULL;
        int64_t at = FIX_PUBLISHED + 15 * 86400; /* one day after fix + 14 days */
        /* A person's token: the record names the person, not the token. */
        static const struct audit_actor sam = {.name = "sam-laptop", .role = "security-officer", .user = "sam"};
        if (case_report_submit(f->s, &sam, f->ref, SRP_FINAL, SRP_GLOSSARY_DEFAULT, op, "SRP-F-1", at, time_now(), &out,
                               &err) < 0)
                fail_msg("submit: %s", err.msg);
        json_t *it = json_array_get(json_object_get(out, "items"), 0);
        assert_string_equal(json_string_value(json_object_get(it, "submitted_by")), "sam");
        assert_string_equal(json_string_value(json_object_get(it, "due_at")), "2026-10-05T14:13:20Z");
        assert_int_equal(json_integer_value(json_object_get(it, "late_by_seconds")), 86400);
        json_decref(out);
        json_decref(op);
}


/* The incident track: the final report is due one month after the 72 h
 * notification was SUBMITTED (the clocks read the submission records). */
static void test_incident_final_from_notification(void **state) {
        struct fx *f = *state;
        struct error err = {0};
        struct case_new n = {.kind = CASE_INCIDENT, .source = CASE_SOURCE_MANUAL, .title = "Build server breach",
                             .summary = "Signing host accessed."};
        struct case_affected aff = {.product_id = 1};
        n.affected = &aff;
        n.naffected = 1;
        struct case_info c;
        if (case_create(f->s, &so, &n, 0, 0, &c, &err) < 0)
                fail_msg("create: %s", err.msg);
        char ref[64];
        snprintf(ref, sizeof(ref), "%s", c.reference);
        case_info_free(&c);
        int64_t aware = 1796342400; /* 2026-12-04T00:00:00Z */
        if (case_mark_aware(f->s, &so, ref, false, true, aware, "SOC alert", 0, "t", NULL, &err) < 0)
                fail_msg("aware: %s", err.msg);
        json_t *op = json_loads("{\"product_version\": \"all\", \"suspected_malicious\": \"yes\", \"nature\": \"n\", \"mitigation\": \"m\", "
                                "\"initial_assessment\": \"i\", \"product_type\": \"default\", \"category\": \"c\", "
                                "\"mitigation_expected_shortly\": true, \"user_action\": \"none\", "
                                "\"sensitivity\": \"TLP:RED\", \"measures_taken\": \"m\", "
                                "\"measures_users_can_take\": \"u\", \"severity_impact_incident\": \"s\", "
                                "\"threat_root_cause\": \"t\"}",
                                0, NULL);
        int64_t at = aware + 48 * 3600; /* notified after 48 h: 2026-12-06T00:00:00Z */
        json_t *out = NULL;
        if (case_report_submit(f->s, &so, ref, SRP_NOTIFICATION, SRP_GLOSSARY_DEFAULT, op, "N-1", at, at + 60, &out,
                               &err) < 0)
                fail_msg("notification: %s", err.msg);
        json_decref(out);
        if (case_report_submit(f->s, &so, ref, SRP_FINAL, SRP_GLOSSARY_DEFAULT, op, "F-1", at + 86400, at + 86400,
                               &out, &err) < 0)
                fail_msg("final: %s", err.msg);
        json_t *it = json_array_get(json_object_get(out, "items"), 1);
        assert_string_equal(json_string_value(json_object_get(it, "track")), "incident");
        assert_string_equal(json_string_value(json_object_get(it, "due_at")), "2027-01-06T00:00:00Z");
        json_decref(out);
        json_decref(op);
}

/* A report draft saved with the case applies to later reports and
 * submissions; request fields still win; a bad draft is refused with the
 * field named; removal is audited too (issue 10 section 3). */
static void test_draft(void **state) {
        struct fx *f = *state;
        struct error err = {0};
        json_t *body = json_loads("{\"stage\": \"notification\", \"fields\": {\"measures_taken\": \"Parser hardened\", "
                                  "\"sensitivity\": \"TLP:AMBER\"}}",
                                  0, NULL);
        json_t *out = NULL;
        if (case_report_draft_json(f->s, &so, f->ref, body, 1000, &out, &err) < 0)
                fail_msg("draft: %s", err.msg);
        assert_string_equal(json_string_value(json_object_get(json_object_get(out, "fields"), "sensitivity")),
                            "TLP:AMBER");
        assert_string_equal(json_string_value(json_object_get(out, "updated_by")), "sec");
        json_decref(out);
        json_decref(body);
        struct case_report r;
        build_ok(f, SRP_NOTIFICATION, NULL, &r);
        assert_string_equal(field(&r, "measures_taken"), "Parser hardened");
        assert_false(missing_has(&r, "sensitivity"));
        case_report_free(&r);
        build_ok(f, SRP_NOTIFICATION, "{\"sensitivity\": \"TLP:RED\"}", &r);
        assert_string_equal(field(&r, "sensitivity"), "TLP:RED"); /* the request's fields win */
        case_report_free(&r);
        build_ok(f, SRP_EARLY_WARNING, NULL, &r); /* another stage's draft does not apply */
        assert_null(field(&r, "measures_taken"));
        case_report_free(&r);
        /* refusals: an unknown field, an incident field on the vulnerability track, a bad stage, too many fields */
        static const char *const bad[] = {
                "{\"stage\": \"notification\", \"fields\": {\"no_such_field\": \"x\"}}",
                "{\"stage\": \"notification\", \"fields\": {\"nature\": \"x\"}}",
                "{\"stage\": \"later\", \"fields\": {}}",
                "{\"stage\": \"notification\", \"fields\": [1]}",
                "{\"stage\": \"notification\", \"fields\": {}, \"extra\": 1}",
        };
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                body = json_loads(bad[i], 0, NULL);
                error_clear(&err);
                assert_int_equal(case_report_draft_json(f->s, &so, f->ref, body, 1000, &out, &err), -1);
                assert_int_equal(err.kind, ERROR_INVALID);
                assert_null(out);
                json_decref(body);
        }
        assert_non_null(strstr(err.msg, "extra"));
        json_t *many = json_object();
        for (int i = 0; i <= CASE_REPORT_DRAFT_FIELDS_MAX; i++) {
                char k[16];
                snprintf(k, sizeof(k), "f%d", i);
                json_object_set_new(many, k, json_string("x"));
        }
        body = json_pack("{s:s, s:o}", "stage", "notification", "fields", many);
        assert_int_equal(case_report_draft_json(f->s, &so, f->ref, body, 1000, &out, &err), -1);
        assert_non_null(strstr(err.msg, "at most 64"));
        json_decref(body);
        /* the draft feeds a submission */
        json_t *op = json_loads("{\"general_information\": \"g\", \"product_type\": \"default\", \"category\": "
                                "\"c\", \"mitigation_expected_shortly\": false, \"user_action\": \"update\", "
                                "\"measures_users_can_take\": \"u\"}",
                                0, NULL);
        if (case_report_submit(f->s, &so, f->ref, SRP_NOTIFICATION, SRP_GLOSSARY_DEFAULT, op, "SRP-N-1", 0, time_now(),
                               &out, &err) < 0)
                fail_msg("submit with the draft: %s", err.msg);
        json_decref(out);
        json_decref(op);
        /* removal */
        body = json_loads("{\"stage\": \"notification\", \"fields\": null}", 0, NULL);
        if (case_report_draft_json(f->s, &so, f->ref, body, 1001, &out, &err) < 0)
                fail_msg("remove: %s", err.msg);
        assert_true(json_is_null(json_object_get(out, "fields")));
        json_decref(out);
        json_decref(body);
        assert_int_equal(raw_int(f->t->db, "SELECT count(*) FROM audit_log WHERE action LIKE 'case.report-draft.%'"),
                         2);
}

/* campaign_progress comes from the linked campaign (issue 10 section 3). */
static void test_campaign_progress(void **state) {
        struct fx *f = *state;
        struct error err = {0};
        json_t *body = json_loads("{\"name\": \"fix-rollout\", \"release_id\": 11, \"dynamic\": true, \"selector\": {\"product\": "
                                  "\"T1-EU\"}}",
                                  0, NULL);
        json_t *out = NULL;
        if (campaign_create(f->s, &so, body, 1, &out, &err) < 0)
                fail_msg("campaign: %s", err.msg);
        int64_t cid = json_integer_value(json_object_get(out, "id"));
        json_decref(out);
        json_decref(body);
        struct case_report r;
        build_ok(f, SRP_FINAL, NULL, &r);
        assert_null(field(&r, "campaign_progress")); /* no campaign linked yet */
        case_report_free(&r);
        if (case_link(f->s, &so, f->ref, 11, cid, 0, "fix rollout", NULL, &err) < 0)
                fail_msg("link: %s", err.msg);
        build_ok(f, SRP_FINAL, NULL, &r);
        assert_non_null(field(&r, "campaign_progress"));
        assert_non_null(strstr(field(&r, "campaign_progress"), "Campaign \"fix-rollout\" (draft) rolling out release 1.1.0: 0 of"));
        case_report_free(&r);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_field_table),
                cmocka_unit_test_setup_teardown(test_prefill, setup, teardown),
                cmocka_unit_test_setup_teardown(test_missing, setup, teardown),
                cmocka_unit_test_setup_teardown(test_lengths, setup, teardown),
                cmocka_unit_test_setup_teardown(test_submission, setup, teardown),
                cmocka_unit_test_setup_teardown(test_final_due_from_fix, setup, teardown),
                cmocka_unit_test_setup_teardown(test_incident_final_from_notification, setup, teardown),
                cmocka_unit_test_setup_teardown(test_draft, setup, teardown),
                cmocka_unit_test_setup_teardown(test_campaign_progress, setup, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

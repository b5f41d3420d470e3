/* SPDX-License-Identifier: Apache-2.0 */
#include "testutil-store.h"

#include "core/time.h"
#include "product/product.h"

struct fx {
        struct tdir *t;
        struct store *s;
};

static const struct audit_actor rm = {.name = "rel", .role = "release-manager"};

static int setup(void **state) {
        struct fx *f = calloc(1, sizeof(*f));
        f->t = tdir_new();
        struct error err = {0};
        if (store_open(f->t->db, &f->s, &err) < 0)
                fail_msg("%s", err.msg);
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

static json_t *body_from(const char *text) {
        json_error_t je;
        json_t *j = json_loads(text, 0, &je);
        if (!j)
                fail_msg("bad test JSON: %s: %s", je.text, text);
        return j;
}

#define VALID_BODY                                                                                 \
        "{\"name\": \"Thermostat T1\", \"model\": \"T1-EU\","                                      \
        " \"manufacturer\": {\"name\": \"Acme GmbH\", \"address\": \"Hauptstr. 1\\n10115 Berlin\","  \
        "                    \"contact\": \"security@acme.example\"},"                             \
        " \"support\": {\"start\": \"2026-11-21\", \"end\": \"2031-11-21\"},"                       \
        " \"member_states\": [\"FR\", \"DE\"]}"

static json_t *valid_body(void) {
        return body_from(VALID_BODY);
}

static json_t *create_ok(struct store *s, json_t *body) {
        struct error err = {0};
        json_t *out = NULL;
        if (product_create(s, &rm, body, &out, &err) < 0)
                fail_msg("product_create: %s", err.msg);
        json_decref(body);
        return out;
}

static const char *jstr(json_t *j, const char *path) {
        /* "a.b" walks one level */
        char key[64];
        const char *dot = strchr(path, '.');
        if (dot) {
                snprintf(key, sizeof(key), "%.*s", (int) (dot - path), path);
                return json_string_value(json_object_get(json_object_get(j, key), dot + 1));
        }
        return json_string_value(json_object_get(j, path));
}

static int64_t audit_count(struct fx *f) {
        return raw_int(f->t->db, "SELECT count(*) FROM audit_log");
}

static void test_create_and_get(void **state) {
        struct fx *f = *state;
        struct error err = {0};
        json_t *p = create_ok(f->s, valid_body());
        int64_t id = json_integer_value(json_object_get(p, "id"));
        assert_true(id > 0);
        assert_string_equal(jstr(p, "name"), "Thermostat T1");
        assert_string_equal(jstr(p, "model"), "T1-EU");
        assert_string_equal(jstr(p, "manufacturer.name"), "Acme GmbH");
        assert_string_equal(jstr(p, "manufacturer.address"), "Hauptstr. 1\n10115 Berlin");
        assert_string_equal(jstr(p, "manufacturer.contact"), "security@acme.example");
        assert_string_equal(jstr(p, "support.start"), "2026-11-21");
        assert_string_equal(jstr(p, "support.end"), "2031-11-21");
        assert_true(json_is_null(json_object_get(json_object_get(p, "support"), "justification")));
        json_t *ms = json_object_get(p, "member_states");
        assert_int_equal(json_array_size(ms), 2);
        assert_string_equal(json_string_value(json_array_get(ms, 0)), "DE"); /* sorted */
        assert_string_equal(json_string_value(json_array_get(ms, 1)), "FR");
        assert_int_equal(strlen(jstr(p, "created_at")), 20);
        assert_string_equal(jstr(p, "created_at"), jstr(p, "updated_at"));

        json_t *g = NULL;
        assert_int_equal(product_get(f->s, id, &g, &err), 0);
        assert_true(json_equal(p, g));
        json_decref(g);
        assert_int_equal(product_get(f->s, 4242, &g, &err), -1);
        assert_error(err, ERROR_NOT_FOUND, "no product with id 4242");

        /* audited with the full product as details */
        assert_int_equal(audit_count(f), 1);
        assert_int_equal(raw_int(f->t->db, "SELECT count(*) FROM audit_log WHERE action = 'product.create' "
                                           "AND object = 'product:1' AND actor_name = 'rel' "
                                           "AND actor_role = 'release-manager'"), 1);
        struct store_audit_entry e;
        bool found;
        assert_int_equal(store_audit_last(f->s, &e, &found, &err), 0);
        json_t *details = json_loads(e.details, 0, NULL);
        assert_true(json_equal(details, p));
        json_decref(details);
        store_audit_entry_clear(&e);

        json_t *list = NULL;
        json_t *p2 = create_ok(f->s, body_from("{\"name\": \"Hub\", \"model\": \"HUB.2_x\", \"manufacturer\": "
                                               "{\"name\": \"A\", \"address\": \"B\", \"contact\": "
                                               "\"https://acme.example/security\"}, \"support\": {\"end\": "
                                               "\"2099-01-01\"}, \"member_states\": [\"AT\"]}"));
        assert_int_equal(product_list(f->s, &list, &err), 0);
        assert_int_equal(json_array_size(json_object_get(list, "items")), 2);
        assert_true(json_equal(json_array_get(json_object_get(list, "items"), 0), p));
        assert_true(json_equal(json_array_get(json_object_get(list, "items"), 1), p2));
        json_decref(list);
        /* start defaults to today */
        char today[TIME_DATE_LEN];
        time_format_date(time_now(), today);
        assert_string_equal(jstr(p2, "support.start"), today);
        json_decref(p2);
        json_decref(p);
}

struct bad_case {
        const char *body;   /* a complete body */
        enum error_kind kind;
        const char *expect; /* substring of the message */
};

#define MFR "\"manufacturer\": {\"name\": \"A\", \"address\": \"B\", \"contact\": \"a@b.example\"}"
#define SUP "\"support\": {\"start\": \"2026-01-01\", \"end\": \"2032-01-01\"}"
#define MS "\"member_states\": [\"DE\"]"
#define NM "\"name\": \"N\""
#define MD "\"model\": \"M1\""

static void test_validation_errors(void **state) {
        struct fx *f = *state;
        char long_name[600], name201[210];
        memset(name201, 'n', 201);
        name201[201] = '\0';
        snprintf(long_name, sizeof(long_name), "{\"name\": \"%s\", " MD ", " MFR ", " SUP ", " MS "}", name201);
        const struct bad_case cases[] = {
                {"[]", ERROR_INVALID, "expected a JSON object"},
                {"{" MD ", " MFR ", " SUP ", " MS "}", ERROR_INVALID, "name"},
                {"{\"name\": \"\", " MD ", " MFR ", " SUP ", " MS "}", ERROR_INVALID, "name: is required"},
                {long_name, ERROR_INVALID, "name: is 201 characters long"},
                {"{\"name\": 5, " MD ", " MFR ", " SUP ", " MS "}", ERROR_INVALID, "'name'"},
                {"{\"name\": \"a\\u0007b\", " MD ", " MFR ", " SUP ", " MS "}", ERROR_INVALID, "control character"},
                {"{" NM ", \"model\": \"T1 EU\", " MFR ", " SUP ", " MS "}", ERROR_INVALID, "model: 'T1 EU'"},
                {"{" NM ", \"model\": \"T1/EU\", " MFR ", " SUP ", " MS "}", ERROR_INVALID, "model: 'T1/EU'"},
                {"{" NM ", \"model\": \"\", " MFR ", " SUP ", " MS "}", ERROR_INVALID, "model: ''"},
                {"{" NM ", \"model\": \"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\", " MFR ", "
                 SUP ", " MS "}", ERROR_INVALID, "model:"},
                {"{" NM ", " MD ", " SUP ", " MS "}", ERROR_INVALID, "manufacturer"},
                {"{" NM ", " MD ", \"manufacturer\": \"Acme\", " SUP ", " MS "}", ERROR_INVALID, "'manufacturer'"},
                {"{" NM ", " MD ", \"manufacturer\": {\"name\": \"A\", \"contact\": \"a@b.example\"}, " SUP ", " MS "}",
                 ERROR_INVALID, "address"},
                {"{" NM ", " MD ", \"manufacturer\": {\"name\": \"A\", \"address\": \"B\"}, " SUP ", " MS "}",
                 ERROR_INVALID, "contact"},
                {"{" NM ", " MD ", \"manufacturer\": {\"address\": \"B\", \"contact\": \"a@b.example\"}, " SUP ", " MS "}",
                 ERROR_INVALID, "name"},
                {"{" NM ", " MD ", \"manufacturer\": {\"name\": \"A\", \"address\": \"B\", \"contact\": \"call us\"}, "
                 SUP ", " MS "}", ERROR_INVALID, "manufacturer.contact: 'call us' is neither an email address nor an http(s) URL"},
                {"{" NM ", " MD ", \"manufacturer\": {\"name\": \"A\", \"address\": \"B\", \"contact\": \"ftp://x.example\"}, "
                 SUP ", " MS "}", ERROR_INVALID, "manufacturer.contact"},
                {"{" NM ", " MD ", \"manufacturer\": {\"name\": \"A\", \"address\": \"B\", \"contact\": \"a@localhost\"}, "
                 SUP ", " MS "}", ERROR_INVALID, "manufacturer.contact"},
                {"{" NM ", " MD ", \"manufacturer\": {\"name\": \"A\", \"address\": \"B\", \"contact\": \"a@b.example\", "
                 "\"phone\": \"123\"}, " SUP ", " MS "}", ERROR_INVALID, "phone"},
                {"{" NM ", " MD ", " MFR ", " MS "}", ERROR_INVALID, "support"},
                {"{" NM ", " MD ", " MFR ", \"support\": {\"start\": \"2026-01-01\"}, " MS "}", ERROR_INVALID, "end"},
                {"{" NM ", " MD ", " MFR ", \"support\": {\"end\": \"2031-02-30\"}, " MS "}", ERROR_INVALID,
                 "support.end: '2031-02-30' is not a date"},
                {"{" NM ", " MD ", " MFR ", \"support\": {\"start\": \"21.11.2026\", \"end\": \"2032-01-01\"}, " MS "}",
                 ERROR_INVALID, "support.start: '21.11.2026' is not a date"},
                {"{" NM ", " MD ", " MFR ", \"support\": {\"start\": \"2026-01-01\", \"end\": \"2025-01-01\", "
                 "\"justification\": \"x\"}, " MS "}", ERROR_INVALID, "support.end: 2025-01-01 must be after support.start 2026-01-01"},
                {"{" NM ", " MD ", " MFR ", \"support\": {\"start\": \"2026-01-01\", \"end\": \"2026-01-01\", "
                 "\"justification\": \"x\"}, " MS "}", ERROR_INVALID, "must be after support.start"},
                {"{" NM ", " MD ", " MFR ", \"support\": {\"end\": \"2032-01-01\", \"until\": \"x\"}, " MS "}",
                 ERROR_INVALID, "until"},
                {"{" NM ", " MD ", " MFR ", \"support\": {\"end\": \"2032-01-01\", \"justification\": 3}, " MS "}",
                 ERROR_INVALID, "justification"},
                {"{" NM ", " MD ", " MFR ", " SUP "}", ERROR_INVALID, "member_states"},
                {"{" NM ", " MD ", " MFR ", " SUP ", \"member_states\": []}", ERROR_INVALID,
                 "member_states: at least one"},
                {"{" NM ", " MD ", " MFR ", " SUP ", \"member_states\": \"DE\"}", ERROR_INVALID, "member_states"},
                {"{" NM ", " MD ", " MFR ", " SUP ", \"member_states\": [\"DE\", 1]}", ERROR_INVALID, "member_states"},
                {"{" NM ", " MD ", " MFR ", " SUP ", \"member_states\": [\"DE\", \"XX\"]}", ERROR_INVALID,
                 "member_states: 'XX' is not an EU member state code (ISO 3166-1 alpha-2)"},
                {"{" NM ", " MD ", " MFR ", " SUP ", \"member_states\": [\"EL\"]}", ERROR_INVALID, "Greece is 'GR'"},
                {"{" NM ", " MD ", " MFR ", " SUP ", \"member_states\": [\"UK\"]}", ERROR_INVALID,
                 "United Kingdom is not an EU member state"},
                {"{" NM ", " MD ", " MFR ", " SUP ", \"member_states\": [\"GB\"]}", ERROR_INVALID,
                 "'GB' is not an EU member state code"},
                {"{" NM ", " MD ", " MFR ", " SUP ", \"member_states\": [\"de\"]}", ERROR_INVALID,
                 "codes are upper case: 'DE'"},
                {"{" NM ", " MD ", " MFR ", " SUP ", \"member_states\": [\"CH\"]}", ERROR_INVALID, "'CH' is not an EU"},
                {"{" NM ", " MD ", " MFR ", " SUP ", \"member_states\": [\"DE\", \"FR\", \"DE\"]}", ERROR_INVALID,
                 "member_states: 'DE' is listed more than once"},
                {"{" NM ", " MD ", " MFR ", " SUP ", " MS ", \"colour\": \"red\"}", ERROR_INVALID, "colour"},
                {"{" NM ", " MD ", " MFR ", " SUP ", " MS ", \"id\": 7}", ERROR_INVALID, "id: is set by the server"},
                {"{" NM ", " MD ", " MFR ", " SUP ", " MS ", \"created_at\": \"x\"}", ERROR_INVALID, "created_at"},
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                json_t *b = body_from(cases[i].body);
                json_t *out = (json_t *) 1;
                struct error err = {0};
                int r = product_create(f->s, &rm, b, &out, &err);
                json_decref(b);
                if (r != -1)
                        fail_msg("case %zu accepted: %s", i, cases[i].body);
                assert_null(out);
                if (err.kind != cases[i].kind || !strstr(err.msg, cases[i].expect))
                        fail_msg("case %zu: got kind %d '%s', want '%s'", i, err.kind, err.msg, cases[i].expect);
                assert_false(store_in_transaction(f->s));
        }
        /* nothing was written by any of them */
        assert_int_equal(raw_int(f->t->db, "SELECT count(*) FROM products"), 0);
        assert_int_equal(audit_count(f), 0);
        /* and the fixture itself is valid (so the cases fail for their own reason) */
        json_decref(create_ok(f->s, body_from("{" NM ", " MD ", " MFR ", " SUP ", " MS "}")));
}

static void test_all_eu_codes(void **state) {
        (void) state;
        const char *eu[] = {"AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE",
                            "IT", "LV", "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE"};
        assert_int_equal(ELEMENTSOF(eu), 27);
        for (size_t i = 0; i < ELEMENTSOF(eu); i++)
                assert_true(product_member_state_valid(eu[i]));
        const char *not_eu[] = {"EU", "EL", "UK", "GB", "CH", "NO", "IS", "LI", "TR", "de", "", "DEU", "D"};
        for (size_t i = 0; i < ELEMENTSOF(not_eu); i++)
                assert_false(product_member_state_valid(not_eu[i]));
        assert_false(product_member_state_valid(NULL));

        struct fx *f = *state;
        struct buf b = {0};
        buf_appendf(&b, "{" NM ", " MD ", " MFR ", " SUP ", \"member_states\": [");
        for (size_t i = 0; i < ELEMENTSOF(eu); i++)
                buf_appendf(&b, "%s\"%s\"", i ? ", " : "", eu[i]);
        buf_appendf(&b, "]}");
        char *text = buf_steal(&b);
        json_t *p = create_ok(f->s, body_from(text));
        free(text);
        assert_int_equal(json_array_size(json_object_get(p, "member_states")), 27);
        json_decref(p);
}

static void test_five_year_rule(void **state) {
        struct fx *f = *state;
        struct error err = {0};
        json_t *out = NULL;
        /* four years, no justification */
        json_t *b = body_from("{" NM ", \"model\": \"S1\", " MFR ", \"support\": {\"start\": \"2026-01-01\", "
                              "\"end\": \"2030-01-01\"}, " MS "}");
        assert_int_equal(product_create(f->s, &rm, b, &out, &err), -1);
        assert_error(err, ERROR_INVALID, "support.justification: required");
        assert_non_null(strstr(err.msg, "CRA Art. 13(8)"));
        assert_non_null(strstr(err.msg, "2026-01-01 to 2030-01-01"));
        /* one day short of five years */
        json_object_set_new(json_object_get(b, "support"), "end", json_string("2030-12-31"));
        assert_int_equal(product_create(f->s, &rm, b, &out, &err), -1);
        assert_error(err, ERROR_INVALID, "13(8)");
        /* a blank justification is no justification */
        json_object_set_new(json_object_get(b, "support"), "justification", json_string("  \n "));
        assert_int_equal(product_create(f->s, &rm, b, &out, &err), -1);
        assert_error(err, ERROR_INVALID, "13(8)");
        json_object_set_new(json_object_get(b, "support"), "justification", json_null());
        assert_int_equal(product_create(f->s, &rm, b, &out, &err), -1);
        assert_error(err, ERROR_INVALID, "13(8)");
        /* with one */
        json_object_set_new(json_object_get(b, "support"), "justification",
                            json_string("expected use time is 3 years (single-season device)"));
        assert_int_equal(product_create(f->s, &rm, b, &out, &err), 0);
        assert_string_equal(jstr(out, "support.justification"), "expected use time is 3 years (single-season device)");
        json_decref(out);
        json_decref(b);
        /* exactly five years needs none */
        json_decref(create_ok(f->s, body_from("{" NM ", \"model\": \"S2\", " MFR ", \"support\": {\"start\": "
                                              "\"2026-01-01\", \"end\": \"2031-01-01\"}, " MS "}")));
        /* leap day start: five years later is Feb 28 */
        json_decref(create_ok(f->s, body_from("{" NM ", \"model\": \"S3\", " MFR ", \"support\": {\"start\": "
                                              "\"2028-02-29\", \"end\": \"2033-02-28\"}, " MS "}")));
}

static void test_partial_update(void **state) {
        struct fx *f = *state;
        struct error err = {0};
        json_t *p = create_ok(f->s, valid_body());
        int64_t id = json_integer_value(json_object_get(p, "id"));
        json_t *out = NULL;

        json_t *patch = body_from("{\"name\": \"Thermostat T1 Pro\", \"manufacturer\": {\"contact\": "
                                  "\"https://acme.example/psirt\"}}");
        assert_int_equal(product_update(f->s, &rm, id, patch, &out, &err), 0);
        json_decref(patch);
        assert_string_equal(jstr(out, "name"), "Thermostat T1 Pro");
        assert_string_equal(jstr(out, "model"), "T1-EU");
        assert_string_equal(jstr(out, "manufacturer.name"), "Acme GmbH"); /* merged, not replaced */
        assert_string_equal(jstr(out, "manufacturer.address"), "Hauptstr. 1\n10115 Berlin");
        assert_string_equal(jstr(out, "manufacturer.contact"), "https://acme.example/psirt");
        assert_true(json_equal(json_object_get(out, "support"), json_object_get(p, "support")));
        assert_true(json_equal(json_object_get(out, "member_states"), json_object_get(p, "member_states")));
        assert_string_equal(jstr(out, "created_at"), jstr(p, "created_at"));
        assert_true(strcmp(jstr(out, "updated_at"), jstr(p, "updated_at")) >= 0);

        /* audit: product.update with exactly the changed fields */
        assert_int_equal(audit_count(f), 2);
        struct store_audit_entry e;
        bool found;
        assert_int_equal(store_audit_last(f->s, &e, &found, &err), 0);
        assert_string_equal(e.action, "product.update");
        assert_string_equal(e.object, "product:1");
        json_t *d = json_loads(e.details, 0, NULL);
        json_t *want = body_from("{\"changes\": {\"name\": {\"from\": \"Thermostat T1\", \"to\": \"Thermostat T1 Pro\"},"
                                 " \"manufacturer.contact\": {\"from\": \"security@acme.example\","
                                 " \"to\": \"https://acme.example/psirt\"}}}");
        if (!json_equal(d, want))
                fail_msg("details: %s", e.details);
        json_decref(d);
        json_decref(want);
        store_audit_entry_clear(&e);
        json_decref(out);

        /* member states replaced as a whole */
        patch = body_from("{\"member_states\": [\"SE\", \"AT\"]}");
        assert_int_equal(product_update(f->s, &rm, id, patch, &out, &err), 0);
        json_decref(patch);
        assert_int_equal(json_array_size(json_object_get(out, "member_states")), 2);
        assert_string_equal(json_string_value(json_array_get(json_object_get(out, "member_states"), 0)), "AT");
        json_decref(out);
        assert_int_equal(raw_int(f->t->db, "SELECT count(*) FROM audit_log WHERE action = 'product.update' "
                                           "AND details LIKE '%member_states%'"), 1);

        /* the five-year rule applies to the merged result */
        patch = body_from("{\"support\": {\"end\": \"2028-01-01\"}}");
        assert_int_equal(product_update(f->s, &rm, id, patch, &out, &err), -1);
        assert_error(err, ERROR_INVALID, "13(8)");
        assert_null(out);
        json_decref(patch);
        patch = body_from("{\"support\": {\"end\": \"2028-01-01\", \"justification\": \"pilot batch\"}}");
        assert_int_equal(product_update(f->s, &rm, id, patch, &out, &err), 0);
        json_decref(patch);
        assert_string_equal(jstr(out, "support.start"), "2026-11-21");
        json_decref(out);
        /* clearing the justification while the period is short is refused */
        patch = body_from("{\"support\": {\"justification\": null}}");
        assert_int_equal(product_update(f->s, &rm, id, patch, &out, &err), -1);
        assert_error(err, ERROR_INVALID, "13(8)");
        json_decref(patch);

        /* errors */
        patch = body_from("{\"name\": \"x\"}");
        assert_int_equal(product_update(f->s, &rm, 999, patch, &out, &err), -1);
        assert_error(err, ERROR_NOT_FOUND, "no product with id 999");
        json_decref(patch);
        patch = body_from("{\"colour\": \"red\"}");
        assert_int_equal(product_update(f->s, &rm, id, patch, &out, &err), -1);
        assert_error(err, ERROR_INVALID, "colour");
        json_decref(patch);
        patch = body_from("{\"model\": \"bad model\"}");
        assert_int_equal(product_update(f->s, &rm, id, patch, &out, &err), -1);
        assert_error(err, ERROR_INVALID, "model: 'bad model'");
        json_decref(patch);
        assert_false(store_in_transaction(f->s));
        assert_int_equal(audit_count(f), 4);
        json_decref(p);
}

static void test_noop_update_not_audited(void **state) {
        struct fx *f = *state;
        struct error err = {0};
        json_t *p = create_ok(f->s, valid_body());
        int64_t id = json_integer_value(json_object_get(p, "id"));
        const char *noops[] = {"{}", "{\"name\": \"Thermostat T1\"}", "{\"member_states\": [\"FR\", \"DE\"]}",
                               "{\"support\": {\"end\": \"2031-11-21\"}}", "{\"manufacturer\": {}}"};
        for (size_t i = 0; i < ELEMENTSOF(noops); i++) {
                json_t *patch = body_from(noops[i]), *out = NULL;
                assert_int_equal(product_update(f->s, &rm, id, patch, &out, &err), 0);
                assert_true(json_equal(out, p)); /* unchanged, updated_at included */
                json_decref(out);
                json_decref(patch);
        }
        assert_int_equal(audit_count(f), 1);
        json_decref(p);
}

static void test_duplicate_model_conflicts(void **state) {
        struct fx *f = *state;
        struct error err = {0};
        json_decref(create_ok(f->s, valid_body()));
        json_t *b = valid_body(), *out = NULL;
        assert_int_equal(product_create(f->s, &rm, b, &out, &err), -1);
        assert_error(err, ERROR_CONFLICT, "a product with model 'T1-EU' already exists");
        json_object_set_new(b, "model", json_string("T2-EU"));
        assert_int_equal(product_create(f->s, &rm, b, &out, &err), 0);
        int64_t id2 = json_integer_value(json_object_get(out, "id"));
        json_decref(out);
        json_decref(b);
        json_t *patch = body_from("{\"model\": \"T1-EU\"}");
        assert_int_equal(product_update(f->s, &rm, id2, patch, &out, &err), -1);
        assert_error(err, ERROR_CONFLICT, "model 'T1-EU'");
        json_decref(patch);
        assert_int_equal(audit_count(f), 2);
}

static void test_sql_shaped_strings_round_trip(void **state) {
        struct fx *f = *state;
        struct error err = {0};
        json_t *b = valid_body();
        const char *evil = "'; DROP TABLE products;--";
        const char *evil2 = "Robert\"); DELETE FROM audit_log; -- \\ % _ \xe2\x98\x83";
        json_object_set_new(b, "name", json_string(evil));
        json_object_set_new(json_object_get(b, "manufacturer"), "name", json_string(evil2));
        json_object_set_new(json_object_get(b, "manufacturer"), "address", json_string(evil));
        json_object_set_new(json_object_get(b, "support"), "justification", json_string(evil2));
        json_t *p = create_ok(f->s, b);
        int64_t id = json_integer_value(json_object_get(p, "id"));
        json_t *g = NULL;
        assert_int_equal(product_get(f->s, id, &g, &err), 0);
        assert_string_equal(jstr(g, "name"), evil);
        assert_string_equal(jstr(g, "manufacturer.name"), evil2);
        assert_string_equal(jstr(g, "manufacturer.address"), evil);
        assert_string_equal(jstr(g, "support.justification"), evil2);
        json_decref(g);
        json_decref(p);
        assert_int_equal(raw_int(f->t->db, "SELECT count(*) FROM products"), 1);
        assert_int_equal(audit_count(f), 1);
        struct audit_verify_state st;
        assert_int_equal(audit_verify_store(f->s, &st, &err), 0);
        assert_false(st.broken);
}

static void test_embedded_nul_refused(void **state) {
        struct fx *f = *state;
        struct error err = {0};
        json_t *b = valid_body(), *out = NULL;
        json_object_set_new(b, "name", json_stringn("abc\0def", 7));
        assert_int_equal(product_create(f->s, &rm, b, &out, &err), -1);
        assert_error(err, ERROR_INVALID, "NUL");
        json_decref(b);
}

/* Limits count characters, not bytes: 200 two-byte characters are fine, 201 are not. */
static void test_length_counts_characters(void **state) {
        struct fx *f = *state;
        struct error err = {0};
        struct buf name = {0};
        for (int i = 0; i < 200; i++)
                buf_append(&name, "\xc3\xa9", 2); /* é */
        json_t *b = valid_body(), *out = NULL;
        json_object_set_new(b, "name", json_stringn(name.data, name.len));
        assert_int_equal(product_create(f->s, &rm, b, &out, &err), 0);
        assert_int_equal(strlen(jstr(out, "name")), 400);
        json_decref(out);
        buf_append(&name, "\xc3\xa9", 2);
        json_object_set_new(b, "name", json_stringn(name.data, name.len));
        json_object_set_new(b, "model", json_string("T1-EU-2"));
        assert_int_equal(product_create(f->s, &rm, b, &out, &err), -1);
        assert_error(err, ERROR_INVALID, "name: is 201 characters long; at most 200");
        json_decref(b);
        buf_free(&name);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_create_and_get, setup, teardown),
                cmocka_unit_test_setup_teardown(test_validation_errors, setup, teardown),
                cmocka_unit_test_setup_teardown(test_all_eu_codes, setup, teardown),
                cmocka_unit_test_setup_teardown(test_five_year_rule, setup, teardown),
                cmocka_unit_test_setup_teardown(test_partial_update, setup, teardown),
                cmocka_unit_test_setup_teardown(test_noop_update_not_audited, setup, teardown),
                cmocka_unit_test_setup_teardown(test_duplicate_model_conflicts, setup, teardown),
                cmocka_unit_test_setup_teardown(test_sql_shaped_strings_round_trip, setup, teardown),
                cmocka_unit_test_setup_teardown(test_embedded_nul_refused, setup, teardown),
                cmocka_unit_test_setup_teardown(test_length_counts_characters, setup, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

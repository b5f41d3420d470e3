/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Device update reports: the history they build, the installed version that
 * only a success changes, last seen, the audit trail, and every way a report
 * can be wrong.
 */
#include "testutil-director.h"

static int setup(void **state) {
        struct dfx *f = dfx_new();
        dfx_enroll(f, "D1");
        dfx_enroll(f, "D2");
        *state = f;
        return 0;
}

static int teardown(void **state) {
        dfx_free(*state);
        return 0;
}

static enum error_kind report(struct dfx *f, const char *serial, const char *text, json_t **out_state,
                              struct error *err) {
        json_t *body = idfx_json(text), *out = NULL;
        error_clear(err);
        int r = director_status_report(&f->dc, serial, body, &out, err);
        json_decref(body);
        if (out_state)
                *out_state = out;
        else
                json_decref(out);
        return r < 0 ? err->kind : ERROR_NONE;
}

static json_t *history(struct dfx *f, const char *serial, int64_t after, size_t limit) {
        json_t *out = NULL;
        struct error err = {0};
        if (director_device_history(f->id->s, serial, after, limit, &out, &err) < 0)
                fail_msg("history: %s", err.msg);
        return out;
}

static json_t *device(struct dfx *f, const char *serial) {
        json_t *out = NULL;
        struct error err = {0};
        if (identity_device_get(f->id->s, serial, &out, &err) < 0)
                fail_msg("device: %s", err.msg);
        return out;
}

static void test_full_update_builds_history(void **state) {
        struct dfx *f = *state;
        struct error err;
        json_t *st = NULL;
        json_t *dev = device(f, "D1");
        assert_true(json_is_null(json_object_get(dev, "installed_version")));
        assert_true(json_is_null(json_object_get(dev, "security_version")));
        assert_true(json_is_null(json_object_get(dev, "last_seen")));
        json_decref(dev);

        static const char *const stages[] = {"downloading", "installing", "awaiting-reboot"};
        for (size_t i = 0; i < ELEMENTSOF(stages); i++) {
                f->dc.now = DFX_NOW + (int64_t) i * 10;
                char *text = str_printf("{\"stage\": \"%s\", \"from_version\": \"1.0.0\", \"to_version\": "
                                        "\"1.2.0\", \"security_version\": 7}",
                                        stages[i]);
                assert_int_equal(report(f, "D1", text, &st, &err), ERROR_NONE);
                free(text);
                /* In progress: the installed version does not move. */
                assert_true(json_is_null(json_object_get(st, "installed_version")));
                assert_string_equal(json_string_value(json_object_get(st, "last_stage")), stages[i]);
                json_decref(st);
        }
        f->dc.now = DFX_NOW + 100;
        assert_int_equal(report(f, "D1",
                                "{\"stage\": \"success\", \"from_version\": \"1.0.0\", \"to_version\": \"1.2.0\", "
                                "\"security_version\": 7}",
                                &st, &err),
                         ERROR_NONE);
        assert_string_equal(json_string_value(json_object_get(st, "installed_version")), "1.2.0");
        assert_int_equal(json_integer_value(json_object_get(st, "security_version")), 7);
        assert_string_equal(json_string_value(json_object_get(st, "last_seen")), "2027-01-01T00:01:40Z");
        assert_string_equal(json_string_value(json_object_get(st, "serial")), "D1");
        json_decref(st);

        json_t *h = history(f, "D1", 0, 0);
        json_t *items = json_object_get(h, "items");
        assert_int_equal(json_array_size(items), 4);
        json_t *first = json_array_get(items, 0), *last = json_array_get(items, 3);
        assert_string_equal(json_string_value(json_object_get(first, "stage")), "downloading");
        assert_string_equal(json_string_value(json_object_get(first, "result")), "in-progress");
        assert_string_equal(json_string_value(json_object_get(first, "time")), "2027-01-01T00:00:00Z");
        assert_string_equal(json_string_value(json_object_get(last, "stage")), "success");
        assert_string_equal(json_string_value(json_object_get(last, "result")), "success");
        assert_string_equal(json_string_value(json_object_get(last, "from_version")), "1.0.0");
        assert_string_equal(json_string_value(json_object_get(last, "to_version")), "1.2.0");
        assert_int_equal(json_integer_value(json_object_get(last, "security_version")), 7);
        assert_true(json_is_null(json_object_get(last, "reason")));
        assert_true(json_is_null(json_object_get(h, "next_after_id")));
        json_decref(h);

        /* Pages. */
        h = history(f, "D1", 0, 3);
        assert_int_equal(json_array_size(json_object_get(h, "items")), 3);
        int64_t next = json_integer_value(json_object_get(h, "next_after_id"));
        json_decref(h);
        h = history(f, "D1", next, 3);
        assert_int_equal(json_array_size(json_object_get(h, "items")), 1);
        json_decref(h);

        /* The device record carries what the director learnt. */
        dev = device(f, "D1");
        assert_string_equal(json_string_value(json_object_get(dev, "installed_version")), "1.2.0");
        assert_int_equal(json_integer_value(json_object_get(dev, "security_version")), 7);
        assert_string_equal(json_string_value(json_object_get(dev, "last_seen")), "2027-01-01T00:01:40Z");
        json_decref(dev);
        /* Other devices are untouched. */
        h = history(f, "D2", 0, 0);
        assert_int_equal(json_array_size(json_object_get(h, "items")), 0);
        json_decref(h);

        /* Audited as state changes, by the device itself. */
        assert_int_equal(idfx_audit_count(f->id, "device.update.downloading", NULL), 1);
        assert_int_equal(idfx_audit_count(f->id, "device.update.awaiting-reboot", NULL), 1);
        assert_int_equal(raw_int(f->id->t->db, "SELECT count(*) FROM audit_log WHERE action = 'device.update.success' "
                                               "AND actor_name = 'device:D1' AND actor_role = 'device' "
                                               "AND object = 'device:D1'"),
                         1);
        struct audit_verify_state vs;
        assert_int_equal(audit_verify_store(f->id->s, &vs, &err), 0);
        assert_false(vs.broken);
}

static void test_only_success_moves_installed_version(void **state) {
        struct dfx *f = *state;
        struct error err;
        json_t *st;
        assert_int_equal(report(f, "D1", "{\"stage\": \"success\", \"to_version\": \"1.2.0\", \"security_version\": 7}",
                                NULL, &err),
                         ERROR_NONE);
        assert_int_equal(report(f, "D1",
                                "{\"stage\": \"failure\", \"from_version\": \"1.2.0\", \"to_version\": \"1.3.0\", "
                                "\"security_version\": 8, \"reason\": \"sha256 mismatch\"}",
                                NULL, &err),
                         ERROR_NONE);
        assert_int_equal(report(f, "D1",
                                "{\"stage\": \"rolled-back\", \"from_version\": \"1.2.0\", \"to_version\": \"1.3.0\", "
                                "\"reason\": \"health check failed: exit 3\"}",
                                &st, &err),
                         ERROR_NONE);
        assert_string_equal(json_string_value(json_object_get(st, "installed_version")), "1.2.0");
        assert_int_equal(json_integer_value(json_object_get(st, "security_version")), 7);
        assert_string_equal(json_string_value(json_object_get(st, "last_stage")), "rolled-back");
        json_decref(st);
        json_t *h = history(f, "D1", 0, 0);
        json_t *rb = json_array_get(json_object_get(h, "items"), 2);
        assert_string_equal(json_string_value(json_object_get(rb, "result")), "rolled-back");
        assert_string_equal(json_string_value(json_object_get(rb, "reason")), "health check failed: exit 3");
        assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(h, "items"), 1),
                                                              "result")),
                            "failure");
        json_decref(h);
        assert_int_equal(raw_int(f->id->t->db, "SELECT count(*) FROM security_events"), 0);

        /* A success with a lower security version is recorded, and flagged. */
        assert_int_equal(report(f, "D1", "{\"stage\": \"success\", \"to_version\": \"1.1.0\", \"security_version\": 5}",
                                &st, &err),
                         ERROR_NONE);
        assert_int_equal(json_integer_value(json_object_get(st, "security_version")), 5);
        json_decref(st);
        assert_int_equal(raw_int(f->id->t->db, "SELECT count(*) FROM security_events WHERE kind = "
                                               "'ota.security-version-decrease' AND device_serial = 'D1' AND "
                                               "severity = 'high'"),
                         1);
}

static void test_bad_reports_refused(void **state) {
        struct dfx *f = *state;
        struct error err;
        char long_version[80], long_reason[1100], *text;
        memset(long_version, 'v', 65);
        long_version[65] = '\0';
        memset(long_reason, 'r', 1025);
        long_reason[1025] = '\0';
        static const struct {
                const char *body;
                const char *msg;
        } bad[] = {
                {"{\"stage\": \"done\", \"to_version\": \"1.2.0\"}", "'done' is not a stage"},
                {"{\"stage\": \"Success\", \"to_version\": \"1.2.0\", \"security_version\": 1}", "is not a stage"},
                {"{\"stage\": \"\", \"to_version\": \"1.2.0\"}", "is not a stage"},
                {"{\"stage\": 3, \"to_version\": \"1.2.0\"}", "stage"},
                {"{\"to_version\": \"1.2.0\"}", "stage"},
                {"{\"stage\": \"installing\"}", "to_version"},
                {"{\"stage\": \"installing\", \"to_version\": \"\"}", "must not be empty"},
                {"{\"stage\": \"installing\", \"to_version\": \"1.2 beta\"}", "visible ASCII"},
                {"{\"stage\": \"installing\", \"to_version\": \"1.2.0\", \"from_version\": \"a\\tb\"}", "visible ASCII"},
                {"{\"stage\": \"installing\", \"to_version\": \"1.2.0\", \"security_version\": -1}", "0..2^53-1"},
                {"{\"stage\": \"installing\", \"to_version\": \"1.2.0\", \"security_version\": 9007199254740992}",
                 "0..2^53-1"},
                {"{\"stage\": \"installing\", \"to_version\": \"1.2.0\", \"security_version\": \"7\"}",
                 "security_version"},
                {"{\"stage\": \"installing\", \"to_version\": \"1.2.0\", \"extra\": true}", "extra"},
                {"{\"stage\": \"success\", \"to_version\": \"1.2.0\"}", "required for stage 'success'"},
                {"{\"stage\": \"failure\", \"to_version\": \"1.2.0\"}", "required for stage 'failure'"},
                {"{\"stage\": \"rolled-back\", \"to_version\": \"1.2.0\"}", "required for stage 'rolled-back'"},
                {"{\"stage\": \"failure\", \"to_version\": \"1.2.0\", \"reason\": \"\"}", "must not be empty"},
                {"{\"stage\": \"failure\", \"to_version\": \"1.2.0\", \"reason\": \"line1\\nline2\"}",
                 "control character"},
                {"{\"stage\": \"failure\", \"to_version\": \"1.2.0\", \"reason\": \"esc\\u001b[2J\"}",
                 "control character"},
                {"[]", "request body"},
        };
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                enum error_kind k = report(f, "D1", bad[i].body, NULL, &err);
                if (k != ERROR_INVALID || !strstr(err.msg, bad[i].msg))
                        fail_msg("%s: got kind %d '%s', expected invalid '%s'", bad[i].body, (int) k, err.msg,
                                 bad[i].msg);
        }
        text = str_printf("{\"stage\": \"installing\", \"to_version\": \"%s\"}", long_version);
        assert_int_equal(report(f, "D1", text, NULL, &err), ERROR_INVALID);
        assert_error(err, ERROR_INVALID, "longer than 64 bytes");
        free(text);
        text = str_printf("{\"stage\": \"failure\", \"to_version\": \"1\", \"reason\": \"%s\"}", long_reason);
        assert_int_equal(report(f, "D1", text, NULL, &err), ERROR_INVALID);
        assert_error(err, ERROR_INVALID, "longer than 1024 bytes");
        free(text);
        /* Nothing was recorded for any of them. */
        assert_int_equal(raw_int(f->id->t->db, "SELECT count(*) FROM device_update_history"), 0);
        assert_int_equal(raw_int(f->id->t->db, "SELECT count(*) FROM device_update_state"), 0);
        assert_int_equal(raw_int(f->id->t->db, "SELECT count(*) FROM audit_log WHERE action LIKE 'device.update.%'"),
                         0);

        /* An unknown device (cannot happen over mTLS, but the domain says so). */
        assert_int_equal(report(f, "D9", "{\"stage\": \"installing\", \"to_version\": \"1\"}", NULL, &err),
                         ERROR_NOT_FOUND);
        json_t *out = NULL;
        assert_int_equal(director_device_history(f->id->s, "D9", 0, 0, &out, &err), -1);
        assert_error(err, ERROR_NOT_FOUND, "no device with serial 'D9'");
}

/* Polling marks the device seen, at most once a minute, and never writes history. */
static void test_poll_marks_seen(void **state) {
        struct dfx *f = *state;
        dfx_init(f);
        free(dfx_targets_bytes(f, "D2"));
        const char *sql = "SELECT last_seen FROM device_update_state s JOIN devices d ON d.id = s.device_id "
                          "WHERE d.serial = 'D2'";
        assert_int_equal(raw_int(f->id->t->db, sql), DFX_NOW);
        f->dc.now = DFX_NOW + 30;
        free(dfx_targets_bytes(f, "D2"));
        assert_int_equal(raw_int(f->id->t->db, sql), DFX_NOW);
        f->dc.now = DFX_NOW + 61;
        free(dfx_targets_bytes(f, "D2"));
        assert_int_equal(raw_int(f->id->t->db, sql), DFX_NOW + 61);
        assert_int_equal(raw_int(f->id->t->db, "SELECT count(*) FROM device_update_history"), 0);
        json_t *dev = device(f, "D2");
        assert_true(json_is_null(json_object_get(dev, "installed_version")));
        assert_string_equal(json_string_value(json_object_get(dev, "last_seen")), "2027-01-01T00:01:01Z");
        json_decref(dev);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_full_update_builds_history, setup, teardown),
                cmocka_unit_test_setup_teardown(test_only_success_moves_installed_version, setup, teardown),
                cmocka_unit_test_setup_teardown(test_bad_reports_refused, setup, teardown),
                cmocka_unit_test_setup_teardown(test_poll_marks_seen, setup, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

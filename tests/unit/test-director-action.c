/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Update actions: an assignment opens one, a new assignment supersedes it,
 * device reports close it (only when they name its release), cancel stops
 * the offer, and history rows name the action they answered.
 */
#include "director/action.h"
#include "store/store-identity.h"
#include "testutil-director.h"

static const char *const rootfs[] = {"rootfs.img", NULL};

struct afx {
        struct dfx *f;
        int64_t rel1, rel2;
};

static int setup(void **state) {
        struct afx *a = calloc(1, sizeof(*a));
        a->f = dfx_new();
        dfx_init(a->f);
        dfx_enroll(a->f, "D1");
        dfx_enroll(a->f, "D2");
        a->rel1 = dfx_release(a->f, a->f->id->product_id, "1.2.0", 7, "[\"rev-B\",\"rev-C\"]", "published", rootfs);
        a->rel2 = dfx_release(a->f, a->f->id->product_id, "1.3.0", 8, "[\"rev-B\",\"rev-C\"]", "published", rootfs);
        *state = a;
        return 0;
}

static int teardown(void **state) {
        struct afx *a = *state;
        dfx_free(a->f);
        free(a);
        return 0;
}

static void assign(struct afx *a, int64_t rel, const char *serial) {
        char body[128];
        struct error err;
        snprintf(body, sizeof(body), "{\"release_id\": %lld, \"devices\": [\"%s\"]}", (long long) rel, serial);
        if (dfx_assign(a->f, body, &err) != ERROR_NONE)
                fail_msg("assign: %s", err.msg);
}

static void report(struct afx *a, const char *serial, const char *stage, const char *to, const char *reason) {
        char *text = str_printf("{\"stage\": \"%s\", \"to_version\": \"%s\", \"security_version\": 7%s%s%s}", stage,
                                to, reason ? ", \"reason\": \"" : "", reason ? reason : "", reason ? "\"" : "");
        json_t *body = idfx_json(text), *out = NULL;
        struct error err = {0};
        if (director_status_report(&a->f->dc, serial, body, &out, &err) < 0)
                fail_msg("report %s: %s", stage, err.msg);
        json_decref(body);
        json_decref(out);
        free(text);
}

/* The device's actions, newest first. */
static json_t *actions(struct afx *a, const char *serial) {
        json_t *out = NULL;
        struct error err = {0};
        if (director_device_actions(a->f->id->s, serial, 0, &out, &err) < 0)
                fail_msg("actions: %s", err.msg);
        return out;
}

static const char *field(json_t *list, size_t i, const char *key) {
        return json_string_value(json_object_get(json_array_get(json_object_get(list, "items"), i), key));
}

static json_int_t int_field(json_t *list, size_t i, const char *key) {
        return json_integer_value(json_object_get(json_array_get(json_object_get(list, "items"), i), key));
}

static json_t *history(struct afx *a, const char *serial) {
        json_t *out = NULL;
        struct error err = {0};
        if (director_device_history(a->f->id->s, serial, 0, 0, &out, &err) < 0)
                fail_msg("history: %s", err.msg);
        return out;
}

static void test_assign_opens_and_success_closes(void **state) {
        struct afx *a = *state;
        assign(a, a->rel1, "D1");
        json_t *l = actions(a, "D1");
        assert_int_equal(json_array_size(json_object_get(l, "items")), 1);
        assert_string_equal(field(l, 0, "status"), "open");
        assert_string_equal(field(l, 0, "release"), "1.2.0");
        assert_true(json_is_null(json_object_get(json_array_get(json_object_get(l, "items"), 0), "closed_at")));
        json_int_t id = int_field(l, 0, "id");
        json_decref(l);

        report(a, "D1", "installing", "1.2.0", NULL);
        l = actions(a, "D1");
        assert_string_equal(field(l, 0, "status"), "open");
        assert_string_equal(field(l, 0, "last_stage"), "installing");
        json_decref(l);

        report(a, "D1", "success", "1.2.0", NULL);
        l = actions(a, "D1");
        assert_string_equal(field(l, 0, "status"), "succeeded");
        assert_non_null(field(l, 0, "closed_at"));
        json_decref(l);

        /* Both history rows name the action. */
        json_t *h = history(a, "D1");
        assert_int_equal(int_field(h, 0, "action_id"), id);
        assert_int_equal(int_field(h, 1, "action_id"), id);
        json_decref(h);
        /* The other device has none. */
        l = actions(a, "D2");
        assert_int_equal(json_array_size(json_object_get(l, "items")), 0);
        json_decref(l);
}

static void test_failure_and_rollback_close_failed(void **state) {
        struct afx *a = *state;
        assign(a, a->rel1, "D1");
        report(a, "D1", "failure", "1.2.0", "no space");
        json_t *l = actions(a, "D1");
        assert_string_equal(field(l, 0, "status"), "failed");
        assert_string_equal(field(l, 0, "reason"), "no space");
        json_decref(l);

        assign(a, a->rel1, "D2");
        report(a, "D2", "rolled-back", "1.2.0", "health check failed");
        l = actions(a, "D2");
        assert_string_equal(field(l, 0, "status"), "failed");
        json_decref(l);
}

static void test_new_assignment_supersedes(void **state) {
        struct afx *a = *state;
        assign(a, a->rel1, "D1");
        assign(a, a->rel2, "D1");
        json_t *l = actions(a, "D1");
        assert_int_equal(json_array_size(json_object_get(l, "items")), 2);
        assert_string_equal(field(l, 0, "release"), "1.3.0");
        assert_string_equal(field(l, 0, "status"), "open");
        assert_string_equal(field(l, 1, "status"), "superseded");
        json_int_t newest = int_field(l, 0, "id");
        json_decref(l);

        /* A late success for the old release is recorded but closes nothing. */
        report(a, "D1", "success", "1.2.0", NULL);
        l = actions(a, "D1");
        assert_string_equal(field(l, 0, "status"), "open");
        assert_string_equal(field(l, 1, "status"), "superseded");
        json_decref(l);
        json_t *h = history(a, "D1");
        assert_true(json_is_null(json_object_get(json_array_get(json_object_get(h, "items"), 0), "action_id")));
        json_decref(h);

        report(a, "D1", "success", "1.3.0", NULL);
        l = actions(a, "D1");
        assert_int_equal(int_field(l, 0, "id"), newest);
        assert_string_equal(field(l, 0, "status"), "succeeded");
        json_decref(l);
}

static void test_cancel_stops_the_offer(void **state) {
        struct afx *a = *state;
        struct error err = {0};
        assign(a, a->rel1, "D1");
        struct tuf_metadata *md = dfx_targets(a->f, "D1");
        assert_int_equal(md->n_targets, 1);
        tuf_metadata_free(md);

        struct store_device d = {0};
        assert_int_equal(store_device_get_by_serial(a->f->id->s, "D1", &d, &err), 0);
        int64_t canceled = 0;
        assert_int_equal(store_tx_begin(a->f->id->s, &err), 0);
        assert_int_equal(director_action_cancel(a->f->id->s, d.id, "campaign aborted", DFX_NOW + 5, &canceled, &err),
                         0);
        assert_int_equal(store_tx_commit(a->f->id->s, &err), 0);
        assert_true(canceled > 0);

        /* The director offers nothing any more. */
        a->f->dc.now = DFX_NOW + 10;
        md = dfx_targets(a->f, "D1");
        assert_int_equal(md->n_targets, 0);
        tuf_metadata_free(md);
        json_t *l = actions(a, "D1");
        assert_string_equal(field(l, 0, "status"), "canceling");
        assert_string_equal(field(l, 0, "reason"), "campaign aborted");
        json_decref(l);

        /* Canceling a device with no active action is no error, and changes nothing. */
        assert_int_equal(store_tx_begin(a->f->id->s, &err), 0);
        struct store_device d2 = {0};
        assert_int_equal(store_device_get_by_serial(a->f->id->s, "D2", &d2, &err), 0);
        assert_int_equal(director_action_cancel(a->f->id->s, d2.id, "x", DFX_NOW + 5, &canceled, &err), 0);
        assert_int_equal(canceled, 0);
        assert_int_equal(store_tx_commit(a->f->id->s, &err), 0);

        /* A new assignment supersedes the canceling action: one active per device. */
        assign(a, a->rel2, "D1");
        l = actions(a, "D1");
        assert_string_equal(field(l, 0, "status"), "open");
        assert_string_equal(field(l, 1, "status"), "superseded");
        json_decref(l);
        store_device_clear(&d);
        store_device_clear(&d2);
}

static void test_unknown_device(void **state) {
        struct afx *a = *state;
        json_t *out = NULL;
        struct error err = {0};
        assert_int_equal(director_device_actions(a->f->id->s, "NOPE", 0, &out, &err), -1);
        assert_int_equal(err.kind, ERROR_NOT_FOUND);
        assert_null(out);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_assign_opens_and_success_closes, setup, teardown),
                cmocka_unit_test_setup_teardown(test_failure_and_rollback_close_failed, setup, teardown),
                cmocka_unit_test_setup_teardown(test_new_assignment_supersedes, setup, teardown),
                cmocka_unit_test_setup_teardown(test_cancel_stops_the_offer, setup, teardown),
                cmocka_unit_test_setup_teardown(test_unknown_device, setup, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

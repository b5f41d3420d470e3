/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Rollout campaigns: version keys, selector and plan parsing (each bad input
 * names its field), wave sizing, reproducible membership, offers, reports
 * read back, auto-pause on failures and stuck devices, retries with backoff,
 * the maintenance window, conflicts, four eyes, abort and resume with a
 * fixed release. Time is driven by the test (campaign_evaluate's `now`).
 */
#include "auth/token.h"
#include "auth/user.h"
#include "campaign/campaign.h"
#include "campaign/plan.h"
#include "campaign/selector.h"
#include "core/version.h"
#include "director/action.h"
#include "store/store-audit.h"
#include "store/store-campaign.h"
#include "store/store-identity.h"
#include "store/store-director.h"
#include "testutil-director.h"

static const struct audit_actor rm1 = {.name = "rm-1", .role = "release-manager"};
static const struct audit_actor rm2 = {.name = "rm-2", .role = "release-manager"};
static const char *const rootfs[] = {"rootfs.img", NULL};
#define SEED "00112233445566778899aabbccddeeff"

struct cfx {
        struct dfx *f;
        int64_t rel1, rel2;
};

/* n devices D0000.. of the fixture's product, rev-C, initial firmware 1.0.0,
 * inserted as rows (enrolling each through EST is not what is tested here). */
static void add_devices(struct cfx *c, const char *prefix, int n, const char *hw) {
        struct error err = {0};
        assert_int_equal(store_tx_begin(c->f->id->s, &err), 0);
        for (int i = 0; i < n; i++) {
                char serial[32];
                snprintf(serial, sizeof(serial), "%s%04d", prefix, i);
                struct store_device d = {
                        .serial = serial, .product_id = c->f->id->product_id, .batch_id = c->f->id->batch_id,
                        .hardware_revision = (char *) hw, .production_date = (char *) "2026-01-15",
                        .initial_firmware_version = (char *) "1.0.0", .status = STORE_DEVICE_ACTIVE,
                        .origin = STORE_DEVICE_FACTORY, .created_at = DFX_NOW,
                };
                if (store_device_insert(c->f->id->s, &d, NULL, &err) < 0)
                        fail_msg("device insert: %s", err.msg);
        }
        assert_int_equal(store_tx_commit(c->f->id->s, &err), 0);
}

static int setup(void **state) {
        struct cfx *c = calloc(1, sizeof(*c));
        c->f = dfx_new();
        c->rel1 = dfx_release(c->f, c->f->id->product_id, "1.1.0", 7, "[\"rev-B\",\"rev-C\"]", "published", rootfs);
        c->rel2 = dfx_release(c->f, c->f->id->product_id, "1.1.1", 8, "[\"rev-B\",\"rev-C\"]", "published", rootfs);
        *state = c;
        return 0;
}

static int teardown(void **state) {
        struct cfx *c = *state;
        dfx_free(c->f);
        free(c);
        return 0;
}

/* ---- version keys ---- */

static int vcmp(const char *a, const char *b) {
        char ka[VERSION_KEY_MAX], kb[VERSION_KEY_MAX];
        assert_true(version_sort_key(a, ka, sizeof(ka)) > 0);
        assert_true(version_sort_key(b, kb, sizeof(kb)) > 0);
        int r = strcmp(ka, kb);
        return r < 0 ? -1 : r > 0;
}

static void test_version_order(void **state) {
        (void) state;
        assert_int_equal(vcmp("1.2", "1.10"), -1);
        assert_int_equal(vcmp("1.9.9", "1.10"), -1);
        assert_int_equal(vcmp("2", "10"), -1);
        assert_int_equal(vcmp("1.2", "1.2.0"), 0);
        assert_int_equal(vcmp("01.2", "1.2"), 0);
        assert_int_equal(vcmp("v1.3", "1.3"), 0);
        assert_int_equal(vcmp("1.2.0-rc1", "1.2.0"), -1);
        assert_int_equal(vcmp("1.2.0-rc1", "1.2.0-rc2"), -1);
        assert_int_equal(vcmp("1.2", "1.2.1"), -1);
        assert_int_equal(vcmp("1.2-rc1", "1.2.1"), -1);
        assert_int_equal(vcmp("1.2.0+build7", "1.2.0"), 0);
        assert_int_equal(vcmp("1.2p1", "1.2"), 1);
        assert_int_equal(vcmp("1.2p1", "1.3"), -1);
        assert_int_equal(vcmp("nightly", "999.0"), 1);
        char k[VERSION_KEY_MAX];
        assert_int_equal(version_sort_key("", k, sizeof(k)), 0);
}

/* ---- parsing ---- */

static void expect_selector_error(const char *json, const char *needle) {
        json_t *doc = idfx_json(json);
        struct campaign_selector sel;
        struct error err = {0};
        if (campaign_selector_parse(doc, &sel, &err) == 0)
                fail_msg("selector %s was accepted", json);
        assert_int_equal(err.kind, ERROR_INVALID);
        if (!strstr(err.msg, needle))
                fail_msg("selector %s: '%s' does not name '%s'", json, err.msg, needle);
        json_decref(doc);
}

static void test_selector_errors(void **state) {
        (void) state;
        expect_selector_error("{}", "'product'");
        expect_selector_error("{\"product\": \"\"}", "selector.product");
        expect_selector_error("{\"product\": 7}", "'product'");
        expect_selector_error("{\"product\": \"T1-EU\", \"colour\": \"red\"}", "'colour'");
        expect_selector_error("{\"product\": \"T1-EU\", \"hardware_revisions\": []}", "selector.hardware_revisions");
        expect_selector_error("{\"product\": \"T1-EU\", \"hardware_revisions\": [\"a\", \"a\"]}",
                              "selector.hardware_revisions");
        expect_selector_error("{\"product\": \"T1-EU\", \"hardware_revisions\": [\"a b\"]}",
                              "selector.hardware_revisions[0]");
        expect_selector_error("{\"product\": \"T1-EU\", \"tags\": [\"x\"]}", "'tags'");
        expect_selector_error("{\"product\": \"T1-EU\", \"tags\": {}}", "selector.tags");
        expect_selector_error("{\"product\": \"T1-EU\", \"tags\": {\"any\": [\"a\"], \"all\": [\"b\"]}}",
                              "selector.tags");
        expect_selector_error("{\"product\": \"T1-EU\", \"tags\": {\"some\": [\"a\"]}}", "'some'");
        expect_selector_error("{\"product\": \"T1-EU\", \"serials\": [\"\"]}", "selector.serials[0]");
        expect_selector_error("{\"product\": \"T1-EU\", \"installed_version\": {}}", "selector.installed_version");
        expect_selector_error("{\"product\": \"T1-EU\", \"installed_version\": {\"exact\": \"1\", \"min\": \"0\"}}",
                              "selector.installed_version");
        expect_selector_error("{\"product\": \"T1-EU\", \"installed_version\": {\"min\": \"2.0\", \"below\": \"1.0\"}}",
                              "'min'");
        expect_selector_error("{\"product\": \"T1-EU\", \"installed_version\": {\"min\": \"1 0\"}}",
                              "selector.installed_version.min");
        expect_selector_error("{\"product\": \"T1-EU\", \"production_date\": {\"from\": \"2026-13-01\"}}",
                              "selector.production_date.from");
        expect_selector_error("{\"product\": \"T1-EU\", \"production_date\": {\"from\": \"2026-02-01\", \"to\": "
                              "\"2026-01-01\"}}",
                              "selector.production_date");
        expect_selector_error("{\"product\": \"T1-EU\", \"member_states\": [\"de\"]}", "selector.member_states[0]");
        expect_selector_error("{\"product\": \"T1-EU\", \"last_seen\": {\"after\": \"yesterday\"}}",
                              "selector.last_seen.after");
        expect_selector_error("{\"product\": \"T1-EU\", \"last_seen\": {\"after\": \"2026-02-01T00:00:00Z\", "
                              "\"before\": \"2026-01-01T00:00:00Z\"}}",
                              "selector.last_seen");
}

static void expect_body_error(const char *json, const char *needle) {
        json_t *doc = idfx_json(json);
        struct error err = {0};
        if (campaign_body_check(doc, &err) == 0)
                fail_msg("body %s was accepted", json);
        assert_int_equal(err.kind, ERROR_INVALID);
        if (!strstr(err.msg, needle))
                fail_msg("body %s: '%s' does not name '%s'", json, err.msg, needle);
        json_decref(doc);
}

#define SEL "\"selector\": {\"product\": \"T1-EU\"}"
static void test_body_errors(void **state) {
        (void) state;
        expect_body_error("{\"release_id\": 1, " SEL "}", "'name'");
        expect_body_error("{\"name\": \"a b\", \"release_id\": 1, " SEL "}", "'name'");
        expect_body_error("{\"name\": \"42\", \"release_id\": 1, " SEL "}", "'name'");
        expect_body_error("{\"name\": \"c\", \"release_id\": 0, " SEL "}", "'release_id'");
        expect_body_error("{\"name\": \"c\", \"release_id\": 1}", "'selector'");
        expect_body_error("{\"name\": \"c\", \"release_id\": 1, " SEL ", \"waves\": []}", "'waves'");
        expect_body_error("{\"name\": \"c\", \"release_id\": 1, " SEL ", \"waves\": [{\"size\": \"0%\"}]}",
                          "waves[0].size");
        expect_body_error("{\"name\": \"c\", \"release_id\": 1, " SEL ", \"waves\": [{\"size\": \"101%\"}]}",
                          "waves[0].size");
        expect_body_error("{\"name\": \"c\", \"release_id\": 1, " SEL ", \"waves\": [{\"size\": 10}, {}, {}]}",
                          "waves[1].size");
        expect_body_error("{\"name\": \"c\", \"release_id\": 1, " SEL ", \"waves\": [{\"size\": 10}, {\"size\": 5}, "
                          "{}]}",
                          "waves[1].size");
        expect_body_error("{\"name\": \"c\", \"release_id\": 1, " SEL ", \"waves\": [{\"soak\": -1}]}",
                          "waves[0].soak");
        expect_body_error("{\"name\": \"c\", \"release_id\": 1, " SEL ", \"waves\": [{\"success_threshold\": 101}]}",
                          "waves[0].success_threshold");
        expect_body_error("{\"name\": \"c\", \"release_id\": 1, " SEL ", \"waves\": [{\"max_failures\": \"x\"}]}",
                          "waves[0].max_failures");
        expect_body_error("{\"name\": \"c\", \"release_id\": 1, " SEL ", \"waves\": [{\"stuck_after\": 0}]}",
                          "waves[0].stuck_after");
        expect_body_error("{\"name\": \"c\", \"release_id\": 1, " SEL ", \"waves\": [{\"gate\": \"later\"}]}",
                          "waves[0].gate");
        expect_body_error("{\"name\": \"c\", \"release_id\": 1, " SEL ", \"waves\": [{\"speed\": 1}]}", "'speed'");
        expect_body_error("{\"name\": \"c\", \"release_id\": 1, " SEL ", \"retry\": {\"limit\": 11}}", "retry.limit");
        expect_body_error("{\"name\": \"c\", \"release_id\": 1, " SEL ", \"retry\": {\"backoff\": 0}}",
                          "retry.backoff");
        expect_body_error("{\"name\": \"c\", \"release_id\": 1, " SEL ", \"window\": {\"start\": \"25:00\", \"end\": "
                          "\"01:00\"}}",
                          "window.start");
        expect_body_error("{\"name\": \"c\", \"release_id\": 1, " SEL ", \"window\": {\"start\": \"01:00\", \"end\": "
                          "\"01:00\"}}",
                          "window");
        expect_body_error("{\"name\": \"c\", \"release_id\": 1, " SEL ", \"security\": true, \"vulnerabilities\": "
                          "[\"cve 1\"]}",
                          "'vulnerabilities'");
        expect_body_error("{\"name\": \"c\", \"release_id\": 1, " SEL ", \"vulnerabilities\": [\"CVE-2026-1234\"]}",
                          "security");
        expect_body_error("{\"name\": \"c\", \"release_id\": 1, " SEL ", \"seed\": \"xyz\"}", "'seed'");
        expect_body_error("{\"name\": \"c\", \"release_id\": 1, \"selector\": {\"product\": \"T1-EU\", \"tags\": "
                          "{\"any\": [[[[[[[[[\"deep\"]]]]]]]]]}}}",
                          "deeper");
}

static void test_wave_targets(void **state) {
        (void) state;
        struct campaign_plan p;
        struct error err = {0};
        int64_t t[CAMPAIGN_WAVES_MAX];
        assert_int_equal(campaign_plan_parse(NULL, NULL, NULL, false, &p, &err), 0);
        assert_int_equal(p.n_waves, 4);
        campaign_plan_targets(&p, 1000, t);
        assert_int_equal(t[0], 10);
        assert_int_equal(t[1], 100);
        assert_int_equal(t[2], 500);
        assert_int_equal(t[3], 1000);
        campaign_plan_targets(&p, 50, t);  /* the canary is at least one device */
        assert_int_equal(t[0], 1);
        assert_int_equal(t[1], 5);
        assert_int_equal(t[2], 25);
        assert_int_equal(t[3], 50);
        campaign_plan_targets(&p, 1, t);
        assert_int_equal(t[0], 1);
        assert_int_equal(t[3], 1);
        /* Security campaigns soak for less. */
        struct campaign_plan sp;
        assert_int_equal(campaign_plan_parse(NULL, NULL, NULL, true, &sp, &err), 0);
        assert_true(sp.waves[0].soak < p.waves[0].soak);
        /* Counts are cumulative; the last wave takes the rest. */
        json_t *w = idfx_json("[{\"size\": 3}, {\"size\": 10}, {\"size\": 4}]");
        assert_int_equal(campaign_plan_parse(w, NULL, NULL, false, &p, &err), 0);
        campaign_plan_targets(&p, 7, t);
        assert_int_equal(t[0], 3);
        assert_int_equal(t[1], 7);
        assert_int_equal(t[2], 7);
        json_decref(w);
}

static void test_window(void **state) {
        (void) state;
        struct campaign_plan p;
        struct error err = {0};
        json_t *w = idfx_json("{\"start\": \"22:00\", \"end\": \"04:00\"}");
        assert_int_equal(campaign_plan_parse(NULL, NULL, w, false, &p, &err), 0);
        int64_t day = DFX_NOW; /* 00:00 UTC */
        assert_true(campaign_plan_window_open(&p, day + 3 * 3600));       /* 03:00 */
        assert_false(campaign_plan_window_open(&p, day + 4 * 3600));      /* 04:00 */
        assert_false(campaign_plan_window_open(&p, day + 12 * 3600));     /* 12:00 */
        assert_true(campaign_plan_window_open(&p, day + 22 * 3600 + 60)); /* 22:01 */
        json_decref(w);
}

/* ---- campaigns over devices ---- */

/* body_fmt with each "%lld" replaced by the first release's id. */
static char *with_release(const char *body_fmt, int64_t rel) {
        struct buf b = {0};
        const char *p = body_fmt, *q;
        while ((q = strstr(p, "%lld"))) {
                buf_append(&b, p, (size_t) (q - p));
                buf_appendf(&b, "%lld", (long long) rel);
                p = q + 4;
        }
        buf_appendf(&b, "%s", p);
        return buf_steal(&b);
}

static json_t *create(struct cfx *c, const struct audit_actor *a, const char *body_fmt, struct error *err) {
        char *text = with_release(body_fmt, c->rel1);
        json_t *body = idfx_json(text), *out = NULL;
        error_clear(err);
        int r = campaign_create(c->f->id->s, a, body, DFX_NOW, &out, err);
        json_decref(body);
        free(text);
        return r < 0 ? NULL : out;
}

static int64_t create_ok(struct cfx *c, const char *body_fmt) {
        struct error err;
        json_t *out = create(c, &rm1, body_fmt, &err);
        if (!out)
                fail_msg("campaign_create: %s", err.msg);
        int64_t id = json_integer_value(json_object_get(out, "id"));
        json_decref(out);
        return id;
}

typedef int (*action_fn)(struct store *s, const struct audit_actor *a, int64_t id, json_t *body, int64_t now,
                         json_t **out, struct error *err);

static enum error_kind act(struct cfx *c, action_fn fn, const struct audit_actor *a, int64_t id, const char *body,
                           int64_t now, struct error *err) {
        json_t *b = body ? idfx_json(body) : NULL, *out = NULL;
        error_clear(err);
        int r = fn(c->f->id->s, a, id, b, now, &out, err);
        json_decref(b);
        json_decref(out);
        return r < 0 ? err->kind : ERROR_NONE;
}

static void act_ok(struct cfx *c, action_fn fn, const struct audit_actor *a, int64_t id, const char *body,
                   int64_t now) {
        struct error err;
        if (act(c, fn, a, id, body, now, &err) != ERROR_NONE)
                fail_msg("campaign action: %s", err.msg);
}

static struct campaign_eval_report evaluate(struct cfx *c, int64_t now) {
        struct campaign_eval_report rep;
        struct error err = {0};
        if (campaign_evaluate(c->f->id->s, now, 7, 0, &rep, &err) < 0) /* small chunks: many commits */
                fail_msg("campaign_evaluate: %s", err.msg);
        return rep;
}

static json_t *show(struct cfx *c, int64_t id, int64_t now) {
        json_t *out = NULL;
        struct error err = {0};
        if (campaign_show(c->f->id->s, id, now, &out, &err) < 0)
                fail_msg("campaign_show: %s", err.msg);
        return out;
}

static const char *status_of(struct cfx *c, int64_t id) {
        static char buf[16];
        json_t *d = show(c, id, DFX_NOW);
        snprintf(buf, sizeof(buf), "%s", json_string_value(json_object_get(d, "status")));
        json_decref(d);
        return buf;
}

static int64_t count_of(struct cfx *c, int64_t id, int wave, const char *state) {
        json_t *d = show(c, id, DFX_NOW);
        json_t *counts = wave < 0 ? json_object_get(d, "devices")
                                  : json_object_get(json_array_get(json_object_get(d, "waves"), (size_t) wave), "devices");
        int64_t n = json_integer_value(json_object_get(counts, state));
        json_decref(d);
        return n;
}

/* The serial of each member of `wave`, in serial order, joined by ','. */
static char *wave_members(struct cfx *c, int64_t id, int wave, int n_devices, const char *prefix) {
        struct buf b = {0};
        for (int i = 0; i < n_devices; i++) {
                char serial[32];
                snprintf(serial, sizeof(serial), "%s%04d", prefix, i);
                struct store_device d;
                struct error err = {0};
                assert_int_equal(store_device_get_by_serial(c->f->id->s, serial, &d, &err), 0);
                json_t *acts = NULL;
                assert_int_equal(director_device_actions(c->f->id->s, serial, 0, &acts, &err), 0);
                /* offered devices have an action of this campaign */
                json_t *first = json_array_get(json_object_get(acts, "items"), 0);
                if (first && json_integer_value(json_object_get(first, "campaign_id")) == id)
                        buf_appendf(&b, "%s,", serial);
                json_decref(acts);
                store_device_clear(&d);
        }
        (void) wave;
        return buf_steal(&b);
}

/* A device's report, as cradle-agent sends it. */
static void report(struct cfx *c, const char *serial, const char *stage, const char *to) {
        bool needs_reason = str_eq(stage, "failure") || str_eq(stage, "rolled-back");
        char *text = str_printf("{\"stage\": \"%s\", \"to_version\": \"%s\", \"security_version\": 7%s}", stage, to,
                                needs_reason ? ", \"reason\": \"injected\"" : "");
        json_t *body = idfx_json(text), *out = NULL;
        struct error err = {0};
        if (director_status_report(&c->f->dc, serial, body, &out, &err) < 0)
                fail_msg("report %s %s: %s", serial, stage, err.msg);
        json_decref(body);
        json_decref(out);
        free(text);
}

/* Reports `stage` for every device whose open action is of campaign `id`. */
static int report_some_offered(struct cfx *c, int64_t id, const char *prefix, int n, const char *stage,
                               const char *to, int max) {
        int done = 0;
        for (int i = 0; i < n && done < max; i++) {
                char serial[32];
                struct error err = {0};
                snprintf(serial, sizeof(serial), "%s%04d", prefix, i);
                json_t *acts = NULL;
                assert_int_equal(director_device_actions(c->f->id->s, serial, 0, &acts, &err), 0);
                json_t *first = json_array_get(json_object_get(acts, "items"), 0);
                if (first && json_integer_value(json_object_get(first, "campaign_id")) == id &&
                    str_eq(json_string_value(json_object_get(first, "status")), "open")) {
                        report(c, serial, stage, to);
                        done++;
                }
                json_decref(acts);
        }
        return done;
}

static int report_all_offered(struct cfx *c, int64_t id, const char *prefix, int n, const char *stage,
                              const char *to) {
        return report_some_offered(c, id, prefix, n, stage, to, n);
}

static int count_audit(struct cfx *c, int64_t id, const char *action) {
        char object[32];
        snprintf(object, sizeof(object), "campaign:%lld", (long long) id);
        struct store_audit_filter f = {.object = object, .limit = 1000};
        struct store_audit_entry *list = NULL;
        size_t n = 0;
        struct error err = {0};
        assert_int_equal(store_audit_list(c->f->id->s, &f, &list, &n, &err), 0);
        int k = 0;
        for (size_t i = 0; i < n; i++)
                k += str_eq(list[i].action, action);
        store_audit_list_free(list, n);
        return k;
}

static void test_membership_reproducible(void **state) {
        struct cfx *c = *state;
        add_devices(c, "R", 60, "rev-C");
#define REPRO_BODY "{\"name\": \"%s\", \"release_id\": %%lld, \"selector\": {\"product\": \"T1-EU\"}, " \
                   "\"seed\": \"%s\", \"waves\": [{\"size\": 6}, {\"size\": \"100%%\"}]}"
        char *members[3];
        const char *seeds[3] = {SEED, SEED, "ffeeddccbbaa99887766554433221100"};
        for (int k = 0; k < 3; k++) {
                char name[16];
                snprintf(name, sizeof(name), "repro-%d", k);
                char *fmt = str_printf(REPRO_BODY, name, seeds[k]);
                int64_t id = create_ok(c, fmt);
                free(fmt);
                act_ok(c, campaign_start, &rm1, id, NULL, DFX_NOW);
                struct campaign_eval_report rep = evaluate(c, DFX_NOW);
                assert_int_equal(rep.offered, 6);
                members[k] = wave_members(c, id, 0, 60, "R");
                act_ok(c, campaign_abort, &rm1, id, NULL, DFX_NOW);
        }
        assert_string_equal(members[0], members[1]);  /* same seed, same canary */
        assert_string_not_equal(members[0], members[2]);
        for (int k = 0; k < 3; k++)
                free(members[k]);
}

static void test_waves_soak_and_completion(void **state) {
        struct cfx *c = *state;
        add_devices(c, "W", 20, "rev-C");
        int64_t id = create_ok(c, "{\"name\": \"two-waves\", \"release_id\": %lld, \"selector\": {\"product\": "
                                  "\"T1-EU\"}, \"waves\": [{\"size\": 5, \"soak\": 600}, {\"size\": \"100%\"}]}");
        assert_string_equal(status_of(c, id), "draft");
        assert_int_equal(count_of(c, id, 0, "pending"), 5);
        assert_int_equal(count_of(c, id, 1, "pending"), 15);
        /* A draft offers nothing. */
        assert_int_equal(evaluate(c, DFX_NOW).offered, 0);
        act_ok(c, campaign_start, &rm1, id, NULL, DFX_NOW);
        assert_int_equal(evaluate(c, DFX_NOW).offered, 5);
        assert_int_equal(count_of(c, id, 1, "offered"), 0);
        assert_int_equal(report_all_offered(c, id, "W", 20, "success", "1.1.0"), 5);
        evaluate(c, DFX_NOW + 10);
        assert_int_equal(count_of(c, id, 0, "succeeded"), 5);
        /* Threshold met, soak not over: wave 1 waits. */
        assert_int_equal(count_of(c, id, 1, "offered"), 0);
        struct campaign_eval_report rep = evaluate(c, DFX_NOW + 10 + 600);
        assert_int_equal(rep.waves_completed, 1);
        assert_int_equal(rep.offered, 15);
        assert_int_equal(report_all_offered(c, id, "W", 20, "success", "1.1.0"), 15);
        rep = evaluate(c, DFX_NOW + 700);
        assert_int_equal(rep.completed, 1);
        assert_string_equal(status_of(c, id), "completed");
        assert_int_equal(count_of(c, id, -1, "succeeded"), 20);
        assert_int_equal(count_audit(c, id, "campaign.wave.complete"), 2);
        assert_int_equal(count_audit(c, id, "campaign.wave.start"), 2);
        assert_int_equal(count_audit(c, id, "campaign.complete"), 1);
}

/* The last wave completes on its success threshold, before every device has
 * answered; what the rest report afterwards is still read back, without
 * retries. (Before: a completed campaign was never evaluated again, and its
 * late devices stayed "offered" although they had installed the release.) */
static void test_completed_campaign_reads_back_late_reports(void **state) {
        struct cfx *c = *state;
        add_devices(c, "L", 20, "rev-C");
        int64_t id = create_ok(c, "{\"name\": \"late\", \"release_id\": %lld, \"selector\": {\"product\": "
                                  "\"T1-EU\"}, \"retry\": {\"limit\": 2, \"backoff\": 1}, \"waves\": [{\"size\": "
                                  "\"100%\", \"soak\": 0, \"success_threshold\": 50, \"max_failures\": 5}]}");
        act_ok(c, campaign_start, &rm1, id, NULL, DFX_NOW);
        assert_int_equal(evaluate(c, DFX_NOW).offered, 20);
        assert_int_equal(report_some_offered(c, id, "L", 20, "success", "1.1.0", 12), 12);
        struct campaign_eval_report rep = evaluate(c, DFX_NOW + 1);
        assert_int_equal(rep.completed, 1);
        assert_string_equal(status_of(c, id), "completed");
        assert_int_equal(count_of(c, id, -1, "offered"), 8);
        /* The late ones answer: seven installed it, one failed. */
        assert_int_equal(report_some_offered(c, id, "L", 20, "success", "1.1.0", 7), 7);
        assert_int_equal(report_some_offered(c, id, "L", 20, "failure", "1.1.0", 1), 1);
        rep = evaluate(c, DFX_NOW + 100);
        assert_int_equal(count_of(c, id, -1, "succeeded"), 19);
        assert_int_equal(count_of(c, id, -1, "offered"), 0);
        /* A failure after completion is final: no retry is offered. */
        assert_int_equal(count_of(c, id, -1, "failed"), 1);
        assert_int_equal(count_of(c, id, -1, "retrying"), 0);
        assert_int_equal(rep.offered, 0);
        assert_int_equal(evaluate(c, DFX_NOW + 1000).offered, 0);
        assert_string_equal(status_of(c, id), "completed");
}

/* A device whose attempt failed and that then installed the release on its
 * own (it still held the assignment) is done at its retry: no new action is
 * opened, which it would never answer. (Before: the retry opened an action
 * that stayed open, and the member stayed "offered" for ever.) */
static void test_retry_of_a_device_that_already_runs_the_release(void **state) {
        struct cfx *c = *state;
        add_devices(c, "A", 4, "rev-C");
        int64_t id = create_ok(c, "{\"name\": \"already\", \"release_id\": %lld, \"selector\": {\"product\": "
                                  "\"T1-EU\"}, \"retry\": {\"limit\": 1, \"backoff\": 10}, \"waves\": [{\"size\": "
                                  "\"100%\", \"soak\": 0, \"max_failures\": 4}]}");
        act_ok(c, campaign_start, &rm1, id, NULL, DFX_NOW);
        assert_int_equal(evaluate(c, DFX_NOW).offered, 4);
        report(c, "A0000", "failure", "1.1.0");
        evaluate(c, DFX_NOW + 1);
        assert_int_equal(count_of(c, id, -1, "retrying"), 1);
        /* It installs 1.1.0 anyway, with no action open; the others too. */
        report(c, "A0000", "success", "1.1.0");
        assert_int_equal(report_all_offered(c, id, "A", 4, "success", "1.1.0"), 3);
        struct campaign_eval_report rep = evaluate(c, DFX_NOW + 100);
        assert_int_equal(rep.offered, 0);
        assert_int_equal(count_of(c, id, -1, "succeeded"), 4);
        assert_string_equal(status_of(c, id), "completed");
        json_t *acts = NULL;
        struct error err = {0};
        assert_int_equal(director_device_actions(c->f->id->s, "A0000", 0, &acts, &err), 0);
        assert_int_equal(json_array_size(json_object_get(acts, "items")), 1);
        json_decref(acts);
}

static void test_auto_pause_on_failures_and_resume_with_fix(void **state) {
        struct cfx *c = *state;
        add_devices(c, "F", 10, "rev-C");
        int64_t id = create_ok(c, "{\"name\": \"fails\", \"release_id\": %lld, \"selector\": {\"product\": "
                                  "\"T1-EU\"}, \"retry\": {\"limit\": 0}, \"waves\": [{\"size\": 4, \"soak\": 0, "
                                  "\"max_failures\": 1}, {\"size\": \"100%\"}]}");
        act_ok(c, campaign_start, &rm1, id, NULL, DFX_NOW);
        evaluate(c, DFX_NOW);
        /* One failure is allowed, two are not (failures and rollbacks alike). */
        assert_int_equal(report_some_offered(c, id, "F", 10, "failure", "1.1.0", 1), 1);
        struct campaign_eval_report rep = evaluate(c, DFX_NOW + 1);
        assert_int_equal(rep.paused, 0);
        assert_string_equal(status_of(c, id), "running");
        assert_int_equal(report_some_offered(c, id, "F", 10, "rolled-back", "1.1.0", 3), 3);
        rep = evaluate(c, DFX_NOW + 2);
        assert_int_equal(rep.paused, 1);
        assert_string_equal(status_of(c, id), "paused");
        json_t *d = show(c, id, DFX_NOW);
        assert_non_null(strstr(json_string_value(json_object_get(d, "pause_reason")), "failures"));
        json_decref(d);
        assert_int_equal(count_audit(c, id, "campaign.auto-pause"), 1);
        struct store_security_event_filter ef = {.kind = "campaign.auto-pause"};
        struct store_security_event *evs = NULL;
        size_t n_ev = 0;
        struct error err = {0};
        assert_int_equal(store_security_event_list(c->f->id->s, &ef, &evs, &n_ev, &err), 0);
        assert_int_equal(n_ev, 1);
        store_security_event_list_free(evs, n_ev);
        /* Paused: nothing more is offered. */
        assert_int_equal(evaluate(c, DFX_NOW + 100).offered, 0);
        /* Resume with the fixed release: the failed canary gets 1.1.1. */
        char body[64];
        snprintf(body, sizeof(body), "{\"release_id\": %lld}", (long long) c->rel2);
        act_ok(c, campaign_resume, &rm2, id, body, DFX_NOW + 200);
        rep = evaluate(c, DFX_NOW + 200);
        assert_int_equal(rep.offered, 4);
        assert_int_equal(report_all_offered(c, id, "F", 10, "success", "1.1.1"), 4);
        rep = evaluate(c, DFX_NOW + 201);
        assert_int_equal(rep.waves_completed, 1);
        assert_int_equal(rep.offered, 6);
        assert_int_equal(report_all_offered(c, id, "F", 10, "success", "1.1.1"), 6);
        evaluate(c, DFX_NOW + 202);
        assert_string_equal(status_of(c, id), "completed");
        assert_int_equal(count_of(c, id, -1, "succeeded"), 10);
}

/* A paused campaign still reads back what its offered devices report: the
 * operator deciding on a resume sees the wave as it is, and failures that
 * happened while paused count as seen by the resume. (Before: the evaluator
 * skipped paused campaigns; their progress froze, and the resume counted the
 * failures of the pause as new ones and paused again at once.) */
static void test_paused_campaign_reads_back_reports(void **state) {
        struct cfx *c = *state;
        add_devices(c, "P", 8, "rev-C");
        int64_t id = create_ok(c, "{\"name\": \"paused-sync\", \"release_id\": %lld, \"selector\": {\"product\": "
                                  "\"T1-EU\"}, \"retry\": {\"limit\": 0}, \"waves\": [{\"size\": 6, \"soak\": 0, "
                                  "\"max_failures\": 1}, {\"size\": \"100%\"}]}");
        act_ok(c, campaign_start, &rm1, id, NULL, DFX_NOW);
        assert_int_equal(evaluate(c, DFX_NOW).offered, 6);
        assert_int_equal(report_some_offered(c, id, "P", 8, "failure", "1.1.0", 2), 2);
        assert_int_equal(evaluate(c, DFX_NOW + 1).paused, 1);
        /* While paused, offered devices carry on: one succeeds, two fail. */
        assert_int_equal(report_some_offered(c, id, "P", 8, "success", "1.1.0", 1), 1);
        assert_int_equal(report_some_offered(c, id, "P", 8, "failure", "1.1.0", 2), 2);
        struct campaign_eval_report rep = evaluate(c, DFX_NOW + 50);
        assert_int_equal(rep.offered, 0);
        assert_string_equal(status_of(c, id), "paused");
        assert_int_equal(count_of(c, id, 0, "succeeded"), 1);
        assert_int_equal(count_of(c, id, 0, "failed"), 4);
        assert_int_equal(count_of(c, id, 0, "offered"), 1);
        /* Resume (no fix): the four failures were seen; it goes on. */
        act_ok(c, campaign_resume, &rm2, id, NULL, DFX_NOW + 200);
        evaluate(c, DFX_NOW + 201);
        assert_string_equal(status_of(c, id), "running");
        assert_int_equal(count_audit(c, id, "campaign.auto-pause"), 1);
}

/* A resume with a fixed release re-offers the failed and unfinished members,
 * not those whose report of success arrived after the last evaluation: the
 * resume reads back closed actions first. (Before: such a device was still
 * "offered" and got the fixed release although it runs the old one fine.) */
static void test_resume_reads_back_before_reoffer(void **state) {
        struct cfx *c = *state;
        add_devices(c, "Q", 8, "rev-C");
        int64_t id = create_ok(c, "{\"name\": \"resume-sync\", \"release_id\": %lld, \"selector\": {\"product\": "
                                  "\"T1-EU\"}, \"retry\": {\"limit\": 0}, \"waves\": [{\"size\": 6, \"soak\": 0, "
                                  "\"max_failures\": 1}, {\"size\": \"100%\"}]}");
        act_ok(c, campaign_start, &rm1, id, NULL, DFX_NOW);
        assert_int_equal(evaluate(c, DFX_NOW).offered, 6);
        assert_int_equal(report_some_offered(c, id, "Q", 8, "failure", "1.1.0", 2), 2);
        assert_int_equal(evaluate(c, DFX_NOW + 1).paused, 1);
        /* No evaluation between this report and the resume. */
        assert_int_equal(report_some_offered(c, id, "Q", 8, "success", "1.1.0", 1), 1);
        char body[64];
        snprintf(body, sizeof(body), "{\"release_id\": %lld}", (long long) c->rel2);
        act_ok(c, campaign_resume, &rm2, id, body, DFX_NOW + 2);
        assert_int_equal(count_of(c, id, 0, "succeeded"), 1);
        struct campaign_eval_report rep = evaluate(c, DFX_NOW + 3);
        assert_int_equal(rep.offered, 5); /* 2 failed + 3 unfinished, not the one that succeeded */
        assert_int_equal(count_of(c, id, 0, "succeeded"), 1);
}

static void test_retries_with_backoff(void **state) {
        struct cfx *c = *state;
        add_devices(c, "T", 1, "rev-C");
        int64_t id = create_ok(c, "{\"name\": \"retry\", \"release_id\": %lld, \"selector\": {\"product\": "
                                  "\"T1-EU\"}, \"retry\": {\"limit\": 2, \"backoff\": 100}, \"waves\": [{\"size\": "
                                  "\"100%\", \"max_failures\": \"100%\"}]}");
        act_ok(c, campaign_start, &rm1, id, NULL, DFX_NOW);
        assert_int_equal(evaluate(c, DFX_NOW).offered, 1);
        report(c, "T0000", "failure", "1.1.0");
        evaluate(c, DFX_NOW + 10);
        assert_int_equal(count_of(c, id, 0, "retrying"), 1);
        assert_int_equal(evaluate(c, DFX_NOW + 50).offered, 0);   /* backoff 100 s from +10 */
        assert_int_equal(evaluate(c, DFX_NOW + 110).offered, 1);
        assert_int_equal(count_audit(c, id, "campaign.retry"), 1);
        report(c, "T0000", "failure", "1.1.0");
        evaluate(c, DFX_NOW + 120);
        assert_int_equal(evaluate(c, DFX_NOW + 250).offered, 0);  /* doubled: 200 s from +120 */
        assert_int_equal(evaluate(c, DFX_NOW + 320).offered, 1);
        report(c, "T0000", "failure", "1.1.0");
        evaluate(c, DFX_NOW + 330);
        /* 1 + 2 attempts used: failed for good. */
        assert_int_equal(count_of(c, id, 0, "failed"), 1);
        assert_int_equal(evaluate(c, DFX_NOW + 100000).offered, 0);
}

static void test_stuck_devices_pause(void **state) {
        struct cfx *c = *state;
        add_devices(c, "S", 2, "rev-C");
        int64_t id = create_ok(c, "{\"name\": \"stuck\", \"release_id\": %lld, \"selector\": {\"product\": "
                                  "\"T1-EU\"}, \"waves\": [{\"size\": \"100%\", \"stuck_after\": 300, \"max_stuck\": "
                                  "1}]}");
        act_ok(c, campaign_start, &rm1, id, NULL, DFX_NOW);
        evaluate(c, DFX_NOW);
        report(c, "S0000", "downloading", "1.1.0");
        evaluate(c, DFX_NOW + 400);
        assert_string_equal(status_of(c, id), "running");  /* one stuck is allowed */
        report(c, "S0001", "installing", "1.1.0");
        evaluate(c, DFX_NOW + 401);
        assert_string_equal(status_of(c, id), "paused");
        json_t *d = show(c, id, DFX_NOW);
        assert_non_null(strstr(json_string_value(json_object_get(d, "pause_reason")), "stuck"));
        json_decref(d);
}

static void test_withdrawn_release_pauses(void **state) {
        struct cfx *c = *state;
        add_devices(c, "V", 4, "rev-C");
        int64_t id = create_ok(c, "{\"name\": \"withdrawn\", \"release_id\": %lld, \"selector\": {\"product\": "
                                  "\"T1-EU\"}, \"waves\": [{\"size\": 1, \"soak\": 0}, {\"size\": \"100%\"}]}");
        act_ok(c, campaign_start, &rm1, id, NULL, DFX_NOW);
        assert_int_equal(evaluate(c, DFX_NOW).offered, 1);
        dfx_release_status(c->f, c->rel1, "withdrawn");
        assert_int_equal(report_all_offered(c, id, "V", 4, "success", "1.1.0"), 1);
        struct campaign_eval_report rep = evaluate(c, DFX_NOW + 1);
        assert_int_equal(rep.offered, 0);
        assert_int_equal(rep.paused, 1);
        json_t *d = show(c, id, DFX_NOW);
        assert_non_null(strstr(json_string_value(json_object_get(d, "pause_reason")), "no longer published"));
        json_decref(d);
        char body[64];
        snprintf(body, sizeof(body), "{\"release_id\": %lld}", (long long) c->rel2);
        act_ok(c, campaign_resume, &rm1, id, body, DFX_NOW + 2);
        assert_int_equal(evaluate(c, DFX_NOW + 2).offered, 3);
}

static void test_window_holds_offers(void **state) {
        struct cfx *c = *state;
        add_devices(c, "N", 3, "rev-C");
        /* DFX_NOW is 00:00 UTC. */
        int64_t id = create_ok(c, "{\"name\": \"night\", \"release_id\": %lld, \"selector\": {\"product\": "
                                  "\"T1-EU\"}, \"window\": {\"start\": \"02:00\", \"end\": \"03:00\"}, \"waves\": "
                                  "[{\"size\": \"100%\"}]}");
        act_ok(c, campaign_start, &rm1, id, NULL, DFX_NOW);
        assert_int_equal(evaluate(c, DFX_NOW + 3600).offered, 0);
        assert_int_equal(evaluate(c, DFX_NOW + 2 * 3600 + 5).offered, 3);
}

static void test_list_pages(void **state) {
        struct cfx *c = *state;
        add_devices(c, "L", 3, "rev-C");
        int64_t ids[3];
        for (int i = 0; i < 3; i++) {
                char fmt[200];
                snprintf(fmt, sizeof(fmt),
                         "{\"name\": \"page-%d\", \"release_id\": %%lld, \"selector\": {\"product\": "
                         "\"T1-EU\", \"serials\": [\"L%04d\"]}}",
                         i, i);
                ids[i] = create_ok(c, fmt);
        }
        struct error err = {0};
        json_t *out = NULL;
        /* Two a page, newest first; the cursor continues below the last shown. */
        assert_int_equal(campaign_list(c->f->id->s, NULL, 0, 2, &out, &err), 0);
        json_t *items = json_object_get(out, "items");
        assert_int_equal(json_array_size(items), 2);
        assert_int_equal(json_integer_value(json_object_get(json_array_get(items, 0), "id")), ids[2]);
        assert_int_equal(json_integer_value(json_object_get(out, "next_before_id")), ids[1]);
        json_decref(out);
        assert_int_equal(campaign_list(c->f->id->s, NULL, ids[1], 2, &out, &err), 0);
        items = json_object_get(out, "items");
        assert_int_equal(json_array_size(items), 1);
        assert_int_equal(json_integer_value(json_object_get(json_array_get(items, 0), "id")), ids[0]);
        assert_true(json_is_null(json_object_get(out, "next_before_id")));
        json_decref(out);
        /* Exactly a page's worth: no cursor. */
        assert_int_equal(campaign_list(c->f->id->s, NULL, 0, 3, &out, &err), 0);
        assert_int_equal(json_array_size(json_object_get(out, "items")), 3);
        assert_true(json_is_null(json_object_get(out, "next_before_id")));
        json_decref(out);
}

static void test_conflict_names_campaign(void **state) {
        struct cfx *c = *state;
        add_devices(c, "C", 3, "rev-C");
        int64_t id = create_ok(c, "{\"name\": \"first\", \"release_id\": %lld, \"selector\": {\"product\": "
                                  "\"T1-EU\", \"serials\": [\"C0000\", \"C0001\"]}}");
        struct error err;
        json_t *out = create(c, &rm1,
                             "{\"name\": \"second\", \"release_id\": %lld, \"selector\": {\"product\": \"T1-EU\", "
                             "\"serials\": [\"C0001\", \"C0002\"]}}",
                             &err);
        assert_null(out);
        assert_int_equal(err.kind, ERROR_CONFLICT);
        assert_non_null(strstr(err.msg, "'first'"));
        assert_non_null(strstr(err.msg, "C0001"));
        /* Once the first is over, the device is free. */
        act_ok(c, campaign_abort, &rm1, id, NULL, DFX_NOW);
        out = create(c, &rm1,
                     "{\"name\": \"second\", \"release_id\": %lld, \"selector\": {\"product\": \"T1-EU\", "
                     "\"serials\": [\"C0001\", \"C0002\"]}}",
                     &err);
        assert_non_null(out);
        json_decref(out);
}

static void test_selector_terms(void **state) {
        struct cfx *c = *state;
        add_devices(c, "B", 4, "rev-B");
        add_devices(c, "X", 4, "rev-X"); /* a revision the release does not support */
        struct error err;
        struct {
                const char *selector;
                int64_t devices;
        } cases[] = {
                { "{\"product\": \"T1-EU\"}", 4 },
                { "{\"product\": \"T1-EU\", \"hardware_revisions\": [\"rev-B\"]}", 4 },
                { "{\"product\": \"T1-EU\", \"installed_version\": {\"exact\": \"1.0.0\"}}", 4 },
                { "{\"product\": \"T1-EU\", \"installed_version\": {\"min\": \"1.0\", \"below\": \"1.0.1\"}}", 4 },
                { "{\"product\": \"T1-EU\", \"installed_version\": {\"min\": \"1.0.1\"}}", 0 },
                { "{\"product\": \"T1-EU\", \"member_states\": [\"DE\"]}", 4 },
                { "{\"product\": \"T1-EU\", \"member_states\": [\"FR\"]}", 0 },
                { "{\"product\": \"T1-EU\", \"batches\": [\"" IDFX_BATCH "\"]}", 4 },
                { "{\"product\": \"T1-EU\", \"production_date\": {\"from\": \"2026-01-15\", \"to\": \"2026-01-15\"}}", 4 },
                { "{\"product\": \"T1-EU\", \"production_date\": {\"from\": \"2026-01-16\"}}", 0 },
                { "{\"product\": \"T1-EU\", \"serials\": [\"B0001\", \"X0001\"]}", 1 },
                { "{\"product\": \"T1-EU\", \"last_seen\": {\"after\": \"2020-01-01T00:00:00Z\"}}", 0 },
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                char *fmt = str_printf("{\"name\": \"sel-%zu\", \"release_id\": %%lld, \"dynamic\": true, "
                                       "\"selector\": %s}",
                                       i, cases[i].selector);
                json_t *out = create(c, &rm1, fmt, &err);
                free(fmt);
                if (!out)
                        fail_msg("case %zu: %s", i, err.msg);
                int64_t n = json_integer_value(json_object_get(json_object_get(out, "devices"), "total"));
                if (n != cases[i].devices)
                        fail_msg("case %zu (%s): %lld devices, expected %lld", i, cases[i].selector, (long long) n,
                                 (long long) cases[i].devices);
                int64_t id = json_integer_value(json_object_get(out, "id"));
                json_decref(out);
                act_ok(c, campaign_abort, &rm1, id, NULL, DFX_NOW);
        }
        /* A revision the release does not support is named. */
        json_t *out = create(c, &rm1,
                             "{\"name\": \"bad-hw\", \"release_id\": %lld, \"selector\": {\"product\": \"T1-EU\", "
                             "\"hardware_revisions\": [\"rev-X\"]}}",
                             &err);
        assert_null(out);
        assert_int_equal(err.kind, ERROR_INVALID);
        assert_non_null(strstr(err.msg, "selector.hardware_revisions[0]"));
        out = create(c, &rm1, "{\"name\": \"bad-product\", \"release_id\": %lld, \"selector\": {\"product\": \"Z9\"}}",
                     &err);
        assert_null(out);
        assert_non_null(strstr(err.msg, "selector.product"));
}

static void test_four_eyes_gate(void **state) {
        struct cfx *c = *state;
        add_devices(c, "G", 4, "rev-C");
        int64_t id = create_ok(c, "{\"name\": \"gated\", \"release_id\": %lld, \"selector\": {\"product\": "
                                  "\"T1-EU\"}, \"waves\": [{\"size\": 1, \"soak\": 0, \"gate\": \"manual\"}, "
                                  "{\"size\": \"100%\"}]}");
        struct error err;
        /* Approve needs a waiting campaign. */
        assert_int_equal(act(c, campaign_approve, &rm2, id, NULL, DFX_NOW, &err), ERROR_CONFLICT);
        act_ok(c, campaign_start, &rm1, id, NULL, DFX_NOW);
        evaluate(c, DFX_NOW);
        assert_int_equal(report_all_offered(c, id, "G", 4, "success", "1.1.0"), 1);
        evaluate(c, DFX_NOW + 1);
        assert_string_equal(status_of(c, id), "waiting");
        assert_int_equal(evaluate(c, DFX_NOW + 2).offered, 0);
        /* Paused and resumed at the gate, it waits at the gate again. */
        act_ok(c, campaign_pause, &rm1, id, NULL, DFX_NOW + 2);
        act_ok(c, campaign_resume, &rm1, id, NULL, DFX_NOW + 2);
        assert_int_equal(evaluate(c, DFX_NOW + 2).offered, 0);
        assert_string_equal(status_of(c, id), "waiting");
        /* The creator may not open the gate. */
        assert_int_equal(act(c, campaign_approve, &rm1, id, NULL, DFX_NOW + 3, &err), ERROR_FORBIDDEN);
        assert_non_null(strstr(err.msg, "four-eyes"));
        /* Nor with another token of theirs (issue 11: people, not tokens):
         * rm-1 and rm-1b belong to user rita. */
        {
                static const struct audit_actor root = {.name = "root", .role = "admin"};
                char *sec = NULL;
                struct store *st = c->f->id->s;
                assert_int_equal(auth_user_create(st, &root, "rita", "", ROLE_RELEASE_MANAGER, NULL, &err), 0);
                assert_int_equal(auth_token_create_for(st, &root, "rm-1", ROLE_RELEASE_MANAGER, "rita", &sec, NULL, &err), 0);
                free_secret(sec);
                assert_int_equal(auth_token_create_for(st, &root, "rm-1b", ROLE_RELEASE_MANAGER, "rita", &sec, NULL, &err), 0);
                free_secret(sec);
                const struct audit_actor rita2 = {.name = "rm-1b", .role = "release-manager", .user = "rita"};
                assert_int_equal(act(c, campaign_approve, &rita2, id, NULL, DFX_NOW + 3, &err), ERROR_FORBIDDEN);
                assert_non_null(strstr(err.msg, "four-eyes"));
        }
        assert_string_equal(status_of(c, id), "waiting");
        act_ok(c, campaign_approve, &rm2, id, NULL, DFX_NOW + 4);
        assert_string_equal(status_of(c, id), "running");
        assert_int_equal(evaluate(c, DFX_NOW + 5).offered, 3);
        json_t *d = show(c, id, DFX_NOW);
        assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(d, "waves"), 1),
                                                               "approved_by")),
                            "rm-2");
        json_decref(d);
}

static void test_abort_cancels_offers_only(void **state) {
        struct cfx *c = *state;
        add_devices(c, "A", 10, "rev-C");
        int64_t id = create_ok(c, "{\"name\": \"abort\", \"release_id\": %lld, \"selector\": {\"product\": "
                                  "\"T1-EU\"}, \"waves\": [{\"size\": 3}, {\"size\": \"100%\"}]}");
        act_ok(c, campaign_start, &rm1, id, NULL, DFX_NOW);
        evaluate(c, DFX_NOW);
        /* The wave's devices are queued for the director to sign ahead of their polls. */
        int64_t queued = -1;
        struct error qerr = {0};
        assert_int_equal(store_director_sign_queue_count(c->f->id->s, &queued, &qerr), 0);
        assert_int_equal(queued, 3);
        int64_t *ids = NULL;
        size_t n_ids = 0;
        assert_int_equal(store_director_sign_queue_take(c->f->id->s, 100, &ids, &n_ids, &qerr), 0);
        assert_int_equal(store_director_sign_queue_delete(c->f->id->s, ids, n_ids, &qerr), 0);
        free(ids);
        act_ok(c, campaign_abort, &rm2, id, "{\"reason\": \"bad build\"}", DFX_NOW + 5);
        /* ...and again when the abort takes their offer back. */
        assert_int_equal(store_director_sign_queue_count(c->f->id->s, &queued, &qerr), 0);
        assert_int_equal(queued, 3);
        assert_string_equal(status_of(c, id), "aborted");
        int canceling = 0, untouched = 0;
        for (int i = 0; i < 10; i++) {
                char serial[16];
                snprintf(serial, sizeof(serial), "A%04d", i);
                struct error err = {0};
                json_t *acts = NULL;
                assert_int_equal(director_device_actions(c->f->id->s, serial, 0, &acts, &err), 0);
                json_t *items = json_object_get(acts, "items");
                if (json_array_size(items) == 0)
                        untouched++;
                else if (str_eq(json_string_value(json_object_get(json_array_get(items, 0), "status")), "canceling"))
                        canceling++;
                /* No assignment is left: the director offers nothing. */
                struct store_device d;
                assert_int_equal(store_device_get_by_serial(c->f->id->s, serial, &d, &err), 0);
                assert_int_equal(d.assigned_release_id, 0);
                store_device_clear(&d);
                json_decref(acts);
        }
        assert_int_equal(canceling, 3);
        assert_int_equal(untouched, 7);
        assert_int_equal(evaluate(c, DFX_NOW + 10).offered, 0);
        struct error err;
        assert_int_equal(act(c, campaign_resume, &rm1, id, NULL, DFX_NOW, &err), ERROR_CONFLICT);
}

static void test_dynamic_join(void **state) {
        struct cfx *c = *state;
        add_devices(c, "Y", 2, "rev-C");
        int64_t id = create_ok(c, "{\"name\": \"dyn\", \"release_id\": %lld, \"dynamic\": true, \"selector\": "
                                  "{\"product\": \"T1-EU\"}, \"waves\": [{\"size\": \"100%\"}]}");
        act_ok(c, campaign_start, &rm1, id, NULL, DFX_NOW);
        assert_int_equal(evaluate(c, DFX_NOW).offered, 2);
        add_devices(c, "Z", 3, "rev-C");
        struct campaign_eval_report rep = evaluate(c, DFX_NOW + 1);
        assert_int_equal(rep.joined, 3);
        assert_int_equal(rep.offered, 3);
        assert_int_equal(count_of(c, id, 0, "total"), 5);
}

static void test_security_progress_per_member_state(void **state) {
        struct cfx *c = *state;
        add_devices(c, "P", 3, "rev-C");
        int64_t id = create_ok(c, "{\"name\": \"sec\", \"release_id\": %lld, \"security\": true, "
                                  "\"vulnerabilities\": [\"CVE-2026-1234\"], \"selector\": {\"product\": \"T1-EU\"}, "
                                  "\"waves\": [{\"size\": \"100%\"}]}");
        act_ok(c, campaign_start, &rm1, id, NULL, DFX_NOW);
        evaluate(c, DFX_NOW);
        report(c, "P0000", "success", "1.1.0");
        report(c, "P0001", "failure", "1.1.0");
        evaluate(c, DFX_NOW + 1);
        json_t *d = show(c, id, DFX_NOW + 1);
        json_t *ms = json_array_get(json_object_get(d, "member_states"), 0);
        assert_string_equal(json_string_value(json_object_get(ms, "member_state")), "DE");
        assert_int_equal(json_integer_value(json_object_get(ms, "patched")), 1);
        assert_int_equal(json_integer_value(json_object_get(ms, "remaining")), 1 + 1); /* one offered, one retrying */
        assert_string_equal(json_string_value(json_array_get(json_object_get(d, "vulnerabilities"), 0)),
                            "CVE-2026-1234");
        json_decref(d);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_version_order),
                cmocka_unit_test(test_selector_errors),
                cmocka_unit_test(test_body_errors),
                cmocka_unit_test(test_wave_targets),
                cmocka_unit_test(test_window),
                cmocka_unit_test_setup_teardown(test_membership_reproducible, setup, teardown),
                cmocka_unit_test_setup_teardown(test_waves_soak_and_completion, setup, teardown),
                cmocka_unit_test_setup_teardown(test_completed_campaign_reads_back_late_reports, setup, teardown),
                cmocka_unit_test_setup_teardown(test_retry_of_a_device_that_already_runs_the_release, setup, teardown),
                cmocka_unit_test_setup_teardown(test_auto_pause_on_failures_and_resume_with_fix, setup, teardown),
                cmocka_unit_test_setup_teardown(test_paused_campaign_reads_back_reports, setup, teardown),
                cmocka_unit_test_setup_teardown(test_resume_reads_back_before_reoffer, setup, teardown),
                cmocka_unit_test_setup_teardown(test_retries_with_backoff, setup, teardown),
                cmocka_unit_test_setup_teardown(test_stuck_devices_pause, setup, teardown),
                cmocka_unit_test_setup_teardown(test_window_holds_offers, setup, teardown),
                cmocka_unit_test_setup_teardown(test_withdrawn_release_pauses, setup, teardown),
                cmocka_unit_test_setup_teardown(test_conflict_names_campaign, setup, teardown),
                cmocka_unit_test_setup_teardown(test_list_pages, setup, teardown),
                cmocka_unit_test_setup_teardown(test_selector_terms, setup, teardown),
                cmocka_unit_test_setup_teardown(test_four_eyes_gate, setup, teardown),
                cmocka_unit_test_setup_teardown(test_abort_cancels_offers_only, setup, teardown),
                cmocka_unit_test_setup_teardown(test_dynamic_join, setup, teardown),
                cmocka_unit_test_setup_teardown(test_security_progress_per_member_state, setup, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

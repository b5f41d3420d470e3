/* SPDX-License-Identifier: Apache-2.0 */
/* Creating campaigns and the operator's actions on them (campaign.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "campaign/campaign.h"
#include "store/store-token.h"
#include "campaign/internal.h"
#include "core/cleanup.h"
#include "core/json.h"
#include "core/strutil.h"
#include "crypto/encoding.h"
#include "crypto/random.h"
#include "store/store-identity.h"

static const struct cr_json_field create_fields[] = {
        { .name = "name", .type = CR_JSON_STRING, .required = true, .max_len = CAMPAIGN_NAME_MAX },
        { .name = "release_id", .type = CR_JSON_INTEGER, .required = true },
        { .name = "selector", .type = CR_JSON_OBJECT, .required = true },
        { .name = "waves", .type = CR_JSON_ARRAY, .max_len = CAMPAIGN_WAVES_MAX },
        { .name = "retry", .type = CR_JSON_OBJECT },
        { .name = "window", .type = CR_JSON_OBJECT },
        { .name = "dynamic", .type = CR_JSON_BOOL },
        { .name = "security", .type = CR_JSON_BOOL },
        { .name = "vulnerabilities", .type = CR_JSON_STRING_ARRAY, .max_len = CAMPAIGN_VULNS_MAX },
        { .name = "seed", .type = CR_JSON_STRING, .max_len = 32 },
};

/* What a create body says, validated. */
struct create_req {
        const char *name;
        int64_t release_id;
        struct campaign_selector sel;
        struct campaign_plan plan;
        bool dynamic, security;
        json_t *vulns;                 /* borrowed */
        char seed[33];                 /* "" = draw one */
};

static int name_check(const char *name, struct error *err) {
        size_t n = strlen(name);
        if (n == 0)
                return error_set(err, ERROR_INVALID, "field 'name': must not be empty");
        for (size_t i = 0; i < n; i++) {
                char c = name[i];
                if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                      c == '_' || c == '-'))
                        return error_set(err, ERROR_INVALID, "field 'name': 1..%d characters of [A-Za-z0-9._-]",
                                         CAMPAIGN_NAME_MAX);
        }
        if (name[0] >= '0' && name[0] <= '9' && strspn(name, "0123456789") == n)
                return error_set(err, ERROR_INVALID, "field 'name': must not be a number (ids are numbers)");
        return 0;
}

/* A vulnerability identifier: CVE-YYYY-NNNN, GHSA-..., OSV ids: an upper-case
 * prefix, '-', then [A-Za-z0-9._:-]. */
static int vuln_check(size_t i, const char *v, json_t *list, struct error *err) {
        size_t n = strlen(v), p = 0;
        while (p < n && v[p] >= 'A' && v[p] <= 'Z')
                p++;
        bool ok = p >= 2 && p < n && v[p] == '-' && n > p + 1 && n <= 64;
        for (size_t k = p; ok && k < n; k++) {
                char c = v[k];
                ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                     c == '_' || c == ':' || c == '-';
        }
        if (!ok)
                return error_set(err, ERROR_INVALID,
                                 "field 'vulnerabilities' element %zu: expected an identifier such as CVE-2026-1234 "
                                 "(PREFIX-..., at most 64 characters)",
                                 i);
        for (size_t k = 0; k < i; k++)
                if (str_eq(json_string_value(json_array_get(list, k)), v))
                        return error_set(err, ERROR_INVALID, "field 'vulnerabilities': '%s' is given twice", v);
        return 0;
}

static size_t json_depth(json_t *v) {
        size_t d = 0, i;
        const char *k;
        json_t *x;
        if (json_is_object(v))
                json_object_foreach(v, k, x) {
                        size_t dx = json_depth(x);
                        d = dx > d ? dx : d;
                }
        else if (json_is_array(v))
                json_array_foreach(v, i, x) {
                        size_t dx = json_depth(x);
                        d = dx > d ? dx : d;
                }
        else
                return 0;
        return d + 1;
}

static int create_parse(json_t *body, struct create_req *r, struct error *err) {
        memset(r, 0, sizeof(*r));
        if (json_is_object(body) && json_depth(body) > CAMPAIGN_BODY_DEPTH)
                return error_set(err, ERROR_INVALID, "request body: nested deeper than %d levels", CAMPAIGN_BODY_DEPTH);
        if (cr_json_check_object("request body", body, create_fields, ELEMENTSOF(create_fields), err) < 0)
                return -1;
        r->name = cr_json_get_string(body, "name");
        r->release_id = json_integer_value(json_object_get(body, "release_id"));
        r->dynamic = json_is_true(json_object_get(body, "dynamic"));
        r->security = json_is_true(json_object_get(body, "security"));
        r->vulns = json_object_get(body, "vulnerabilities");
        if (name_check(r->name, err) < 0)
                return -1;
        if (r->release_id < 1)
                return error_set(err, ERROR_INVALID, "field 'release_id': expected a positive integer");
        size_t i;
        json_t *v;
        json_array_foreach(r->vulns, i, v)
                if (vuln_check(i, json_string_value(v), r->vulns, err) < 0)
                        return -1;
        if (r->vulns && json_array_size(r->vulns) && !r->security)
                return error_set(err, ERROR_INVALID,
                                 "field 'vulnerabilities': only a security campaign (\"security\": true) remediates "
                                 "vulnerabilities");
        const char *seed = cr_json_get_string(body, "seed");
        if (seed) {
                struct store_campaign_rank_keys k;
                if (campaign_rank_keys(seed, &k, err) < 0)
                        return -1;
                snprintf(r->seed, sizeof(r->seed), "%s", seed);
                for (char *p = r->seed; *p; p++)
                        if (*p >= 'A' && *p <= 'F')
                                *p = (char) (*p - 'A' + 'a');
        }
        json_t *window = json_object_get(body, "window");
        if (campaign_plan_parse(json_object_get(body, "waves"), json_object_get(body, "retry"), window, r->security,
                                &r->plan, err) < 0 ||
            campaign_selector_parse(json_object_get(body, "selector"), &r->sel, err) < 0)
                return -1;
        return 0;
}

int campaign_body_check(json_t *body, struct error *err) {
        struct create_req r;
        int rc = create_parse(body, &r, err);
        campaign_selector_clear(&r.sel);
        return rc;
}

/* The selector must fit the release: its product, and hardware revisions the
 * release supports. */
static int selector_fits_release(struct store *s, const struct create_req *r, const struct campaign_release *rel,
                                 struct error *err) {
        _cleanup_free_ char *model = NULL;
        if (store_identity_product_model(s, rel->product_id, &model, err) < 0)
                return -1;
        if (!str_eq(model, r->sel.product))
                return error_set(err, ERROR_INVALID, "selector.product: release %lld (%s) is for product %s, not %s",
                                 (long long) rel->id, rel->version, model, r->sel.product);
        for (size_t i = 0; i < r->sel.sel.hardware_revisions.n; i++) {
                const char *hw = r->sel.sel.hardware_revisions.v[i];
                size_t k = 0;
                while (k < rel->n_revs && !str_eq(rel->rev_list[k], hw))
                        k++;
                if (k == rel->n_revs)
                        return error_set(err, ERROR_INVALID,
                                         "selector.hardware_revisions[%zu]: release %lld (%s) does not support "
                                         "hardware revision '%s'",
                                         i, (long long) rel->id, rel->version, hw);
        }
        return 0;
}

static json_t *targets_json(const int64_t *t, size_t n) {
        json_t *a = json_array();
        for (size_t i = 0; i < n; i++)
                json_array_append_new(a, json_integer(t[i]));
        return a;
}

int campaign_create(struct store *s, const struct audit_actor *a, json_t *body, int64_t now, json_t **out,
                    struct error *err) {
        struct create_req r;
        _cleanup_campaign_release_ struct campaign_release rel = {0};
        _cleanup_free_ char *plan_text = NULL, *sel_text = NULL, *vulns_text = NULL, *other = NULL,
                           *serial = NULL;
        int64_t id = 0;
        *out = NULL;
        if (create_parse(body, &r, err) < 0)
                goto out;
        if (!r.seed[0]) {
                uint8_t b[16];
                if (random_bytes(b, sizeof(b), err) < 0)
                        goto out;
                hex_encode(b, sizeof(b), r.seed);
        }
        struct store_campaign_rank_keys keys;
        if (campaign_rank_keys(r.seed, &keys, err) < 0)
                goto out;
        {
                _cleanup_json_ json_t *pj = campaign_plan_to_json(&r.plan);
                _cleanup_json_ json_t *vj = r.vulns ? json_deep_copy(r.vulns) : json_array();
                plan_text = cr_json_dump(pj);
                sel_text = cr_json_dump(r.sel.doc);
                vulns_text = cr_json_dump(vj);
        }
        /* Version keys missing (devices enrolled since the evaluator's last
         * round) are computed first, in chunks with commits between, so the
         * write lock is never held for long. */
        if (r.sel.sel.version_min_key || r.sel.sel.version_below_key)
                for (;;) {
                        int64_t n_keys = 0;
                        if (store_tx_begin(s, err) < 0)
                                goto out;
                        if (store_version_keys_backfill(s, CAMPAIGN_CHUNK_DEFAULT, &n_keys, err) < 0)
                                goto fail;
                        if (store_tx_commit(s, err) < 0)
                                goto out;
                        if (n_keys < CAMPAIGN_CHUNK_DEFAULT)
                                break;
                }
        if (store_tx_begin(s, err) < 0)
                goto out;
        if (campaign_release_load(s, r.release_id, &rel, err) < 0)
                goto fail;
        if (!rel.published) {
                error_set(err, ERROR_CONFLICT, "release %lld (%s) is not published; a campaign rolls out a "
                          "published release", (long long) rel.id, rel.version);
                goto fail;
        }
        if (selector_fits_release(s, &r, &rel, err) < 0)
                goto fail;
        r.sel.sel.product_id = rel.product_id;
        r.sel.sel.release_revisions = (struct store_strlist) { .v = rel.rev_list, .n = rel.n_revs };
        bool found;
        if (store_campaign_select_conflict(s, &r.sel.sel, 0, &found, &other, &serial, err) < 0)
                goto fail;
        if (found) {
                error_set(err, ERROR_CONFLICT,
                          "device %s is in active campaign '%s'; a device belongs to at most one active campaign "
                          "(narrow the selector, or finish or abort '%s')",
                          serial, other, other);
                goto fail;
        }
        int64_t total;
        if (store_campaign_select_count(s, &r.sel.sel, &total, err) < 0)
                goto fail;
        if (total == 0 && !r.dynamic) {
                error_set(err, ERROR_CONFLICT,
                          "the selector matches no active device that release %lld (%s) fits (a dynamic campaign "
                          "may start empty)",
                          (long long) rel.id, rel.version);
                goto fail;
        }
        const struct store_campaign row = {
                .name = (char *) r.name, .product_id = rel.product_id, .release_id = rel.id, .selector = sel_text,
                .plan = plan_text, .seed = r.seed, .dynamic = r.dynamic, .security = r.security,
                .vulnerabilities = vulns_text, .status = "draft", .current_wave = -1, .acknowledged_at = now,
                .created_at = now, .created_by = (char *) a->name,
        };
        int64_t targets[CAMPAIGN_WAVES_MAX], inserted;
        campaign_plan_targets(&r.plan, total, targets);
        if (store_campaign_insert(s, &row, &id, err) < 0 || store_campaign_waves_init(s, id, r.plan.n_waves, err) < 0 ||
            store_campaign_members_insert(s, id, &r.sel.sel, &keys, targets, r.plan.n_waves, now, &inserted, err) < 0)
                goto fail;
        if (campaign_check_member_keys(s, id, rel.id, now, true, now, NULL, err) < 0)
                goto fail;
        {
                _cleanup_json_ json_t *details = json_pack(
                        "{s:s, s:I, s:s, s:I, s:o, s:O, s:b, s:b, s:o, s:s}", "name", r.name, "release_id",
                        (json_int_t) rel.id, "release", rel.version, "devices", (json_int_t) inserted, "wave_targets",
                        targets_json(targets, r.plan.n_waves), "selector", r.sel.doc, "dynamic", r.dynamic,
                        "security", r.security, "vulnerabilities", r.vulns ? json_incref(r.vulns) : json_array(), "seed",
                        r.seed);
                if (campaign_audit(s, a, "campaign.create", id, details, err) < 0)
                        goto fail;
        }
        if (store_tx_commit(s, err) < 0)
                goto out;
        campaign_selector_clear(&r.sel);
        return campaign_show(s, id, now, out, err);
fail:
        store_tx_rollback(s);
out:
        campaign_selector_clear(&r.sel);
        return -1;
}

static json_t *summary_json(const struct store_campaign *c) {
        return json_pack("{s:I, s:s, s:s, s:I, s:s, s:s, s:I, s:b, s:s}", "id", (json_int_t) c->id, "name", c->name,
                         "product", c->product_model ? c->product_model : "?", "release_id",
                         (json_int_t) c->release_id, "release", c->release_version ? c->release_version : "?",
                         "status", c->status, "current_wave", (json_int_t) c->current_wave, "security", c->security,
                         "created_by", c->created_by);
}

int campaign_list(struct store *s, const char *status, int64_t before, size_t limit, json_t **out,
                  struct error *err) {
        static const char *const statuses[] = { "draft", "running", "waiting", "paused", "completed", "aborted" };
        struct store_campaign *list = NULL;
        size_t n = 0;
        *out = NULL;
        if (status) {
                size_t i = 0;
                while (i < ELEMENTSOF(statuses) && !str_eq(statuses[i], status))
                        i++;
                if (i == ELEMENTSOF(statuses))
                        return error_set(err, ERROR_INVALID, "query 'status': expected one of draft, running, "
                                         "waiting, paused, completed, aborted");
        }
        if (limit == 0 || limit > CAMPAIGN_LIST_MAX)
                limit = CAMPAIGN_LIST_MAX;
        /* One more than asked tells whether another page follows. */
        if (store_campaign_list(s, status, before, limit + 1, &list, &n, err) < 0)
                return -1;
        bool more = n > limit;
        size_t shown = more ? limit : n;
        json_t *items = json_array();
        for (size_t i = 0; i < shown; i++)
                json_array_append_new(items, summary_json(&list[i]));
        json_t *next = more ? json_integer(list[shown - 1].id) : json_null();
        store_campaign_list_free(list, n);
        *out = json_pack("{s:o, s:o}", "items", items, "next_before_id", next);
        return 0;
}

/* ---- operator actions ---- */

static const struct cr_json_field reason_fields[] = {
        { .name = "reason", .type = CR_JSON_STRING, .max_len = 256 },
};

static const char *body_reason(json_t *body, const char *dflt, struct error *err, bool *bad) {
        *bad = false;
        if (!body)
                return dflt;
        if (cr_json_check_object("request body", body, reason_fields, ELEMENTSOF(reason_fields), err) < 0) {
                *bad = true;
                return NULL;
        }
        const char *r = cr_json_get_string(body, "reason");
        if (r) {
                for (const char *p = r; *p; p++)
                        if ((unsigned char) *p < 0x20 || *p == 0x7f) {
                                error_set(err, ERROR_INVALID, "field 'reason': one line of text, no control characters");
                                *bad = true;
                                return NULL;
                        }
        }
        return r && *r ? r : dflt;
}

/* Loads the campaign inside a new transaction and checks its status is one
 * of `allowed` (comma-separated); ERROR_CONFLICT naming it otherwise. */
static int begin_action(struct store *s, int64_t id, const char *verb, const char *allowed,
                        struct store_campaign *c, struct error *err) {
        if (store_tx_begin(s, err) < 0)
                return -1;
        if (store_campaign_get(s, id, c, err) < 0) {
                store_tx_rollback(s);
                return -1;
        }
        char list[96];
        snprintf(list, sizeof(list), ",%s,", allowed);
        char needle[24];
        snprintf(needle, sizeof(needle), ",%s,", c->status);
        if (!strstr(list, needle)) {
                store_tx_rollback(s);
                return error_set(err, ERROR_CONFLICT, "campaign %lld is %s; only a campaign that is %s can be %s",
                                 (long long) id, c->status, allowed, verb);
        }
        return 0;
}

static int finish_action(struct store *s, int64_t id, int64_t now, json_t **out, struct error *err) {
        if (store_tx_commit(s, err) < 0)
                return -1;
        return campaign_show(s, id, now, out, err);
}

/* Marks wave `idx` started and audits it. */
static int wave_start(struct store *s, const struct audit_actor *a, struct store_campaign *c, int64_t idx,
                      const char *approved_by, int64_t now, struct error *err) {
        struct store_campaign_wave *waves = NULL;
        size_t n = 0;
        if (store_campaign_waves_get(s, c->id, &waves, &n, err) < 0)
                return -1;
        if (idx < 0 || (size_t) idx >= n) {
                store_campaign_waves_free(waves, n);
                return error_set(err, ERROR_INTERNAL, "campaign %lld has no wave %lld", (long long) c->id,
                                 (long long) idx);
        }
        struct store_campaign_wave *w = &waves[idx];
        w->started_at = now;
        if (approved_by) {
                free(w->approved_by);
                w->approved_by = str_dup(approved_by);
                w->approved_at = now;
        }
        int rc = store_campaign_wave_update(s, w, err);
        store_campaign_waves_free(waves, n);
        if (rc < 0)
                return -1;
        c->current_wave = idx;
        c->status = str_dup("running");
        _cleanup_json_ json_t *d = json_pack("{s:I, s:o}", "wave", (json_int_t) idx, "approved_by",
                                             approved_by ? json_string(approved_by) : json_null());
        return campaign_audit(s, a, "campaign.wave.start", c->id, d, err);
}

int campaign_start(struct store *s, const struct audit_actor *a, int64_t id, json_t *body, int64_t now,
                   json_t **out, struct error *err) {
        __attribute__((cleanup(campaign_row_clearp))) struct store_campaign c = {0};
        _cleanup_campaign_release_ struct campaign_release rel = {0};
        *out = NULL;
        if (body && json_object_size(body) > 0)
                return error_set(err, ERROR_INVALID, "request body: start takes no fields");
        if (begin_action(s, id, "started", "draft", &c, err) < 0)
                return -1;
        if (campaign_release_load(s, c.release_id, &rel, err) < 0)
                goto fail;
        if (!rel.published) {
                error_set(err, ERROR_CONFLICT, "release %lld (%s) is no longer published", (long long) rel.id,
                          rel.version);
                goto fail;
        }
        free(c.status);
        c.status = NULL;
        c.started_at = c.updated_at = c.acknowledged_at = now;
        if (wave_start(s, a, &c, 0, NULL, now, err) < 0 || store_campaign_update(s, &c, err) < 0 ||
            campaign_audit(s, a, "campaign.start", id, NULL, err) < 0)
                goto fail;
        return finish_action(s, id, now, out, err);
fail:
        store_tx_rollback(s);
        return -1;
}

int campaign_pause(struct store *s, const struct audit_actor *a, int64_t id, json_t *body, int64_t now,
                   json_t **out, struct error *err) {
        __attribute__((cleanup(campaign_row_clearp))) struct store_campaign c = {0};
        bool bad;
        *out = NULL;
        const char *reason = body_reason(body, "paused by an operator", err, &bad);
        if (bad)
                return -1;
        if (begin_action(s, id, "paused", "running,waiting", &c, err) < 0)
                return -1;
        free(c.status);
        free(c.pause_reason);
        c.status = str_dup("paused");
        c.pause_reason = str_printf("operator: %s", reason);
        c.updated_at = now;
        _cleanup_json_ json_t *d = json_pack("{s:s}", "reason", reason);
        if (store_campaign_update(s, &c, err) < 0 || campaign_audit(s, a, "campaign.pause", id, d, err) < 0) {
                store_tx_rollback(s);
                return -1;
        }
        return finish_action(s, id, now, out, err);
}

static const struct cr_json_field resume_fields[] = {
        { .name = "release_id", .type = CR_JSON_INTEGER },
};

/* The fixed release must be published, of the same product, and support
 * every hardware revision the campaign's release supports. */
static int fixed_release_check(const struct campaign_release *old, const struct campaign_release *fix,
                               struct error *err) {
        if (!fix->published)
                return error_set(err, ERROR_CONFLICT, "field 'release_id': release %lld (%s) is not published",
                                 (long long) fix->id, fix->version);
        if (fix->product_id != old->product_id)
                return error_set(err, ERROR_INVALID, "field 'release_id': release %lld (%s) is for another product",
                                 (long long) fix->id, fix->version);
        for (size_t i = 0; i < old->n_revs; i++) {
                size_t k = 0;
                while (k < fix->n_revs && !str_eq(fix->rev_list[k], old->rev_list[i]))
                        k++;
                if (k == fix->n_revs)
                        return error_set(err, ERROR_INVALID,
                                         "field 'release_id': release %lld (%s) does not support hardware revision "
                                         "'%s' that the campaign's devices may have",
                                         (long long) fix->id, fix->version, old->rev_list[i]);
        }
        return 0;
}

int campaign_resume(struct store *s, const struct audit_actor *a, int64_t id, json_t *body, int64_t now,
                    json_t **out, struct error *err) {
        __attribute__((cleanup(campaign_row_clearp))) struct store_campaign c = {0};
        _cleanup_campaign_release_ struct campaign_release old = {0}, fix = {0};
        _cleanup_json_ json_t *d = NULL;
        int64_t release_id = 0, reoffered = 0;
        *out = NULL;
        if (body) {
                if (cr_json_check_object("request body", body, resume_fields, ELEMENTSOF(resume_fields), err) < 0)
                        return -1;
                release_id = cr_json_get_int(body, "release_id", 0);
                if (json_object_get(body, "release_id") && release_id < 1)
                        return error_set(err, ERROR_INVALID, "field 'release_id': expected a positive integer");
        }
        if (begin_action(s, id, "resumed", "paused", &c, err) < 0)
                return -1;
        if (campaign_sync_all(s, &c, now, err) < 0)
                goto fail;
        int64_t previous = c.release_id;
        if (release_id && release_id != c.release_id) {
                if (campaign_release_load(s, c.release_id, &old, err) < 0 ||
                    campaign_release_load(s, release_id, &fix, err) < 0 || fixed_release_check(&old, &fix, err) < 0 ||
                    store_campaign_reoffer(s, id, &reoffered, err) < 0)
                        goto fail;
                c.release_id = release_id;
        }
        free(c.status);
        free(c.pause_reason);
        c.status = str_dup("running");
        c.pause_reason = NULL;
        /* Failures and stuck devices seen so far were looked at: the
         * thresholds count what happens from now on. */
        c.acknowledged_at = now;
        c.updated_at = now;
        d = json_pack("{s:I, s:I, s:I}", "release_id", (json_int_t) c.release_id,
                                             "previous_release_id", (json_int_t) previous, "reoffered",
                                             (json_int_t) reoffered);
        if (store_campaign_update(s, &c, err) < 0 || campaign_audit(s, a, "campaign.resume", id, d, err) < 0)
                goto fail;
        return finish_action(s, id, now, out, err);
fail:
        store_tx_rollback(s);
        return -1;
}

/* Is the actor the person whose token `creator_token` is? The same token
 * always is; otherwise both tokens' users are compared. */
static int campaign_same_person(struct store *s, const struct audit_actor *a, const char *creator_token, bool *same,
                                struct error *err) {
        *same = str_eq(a->name, creator_token);
        if (*same || !a->user)
                return 0;
        struct store_token t;
        struct error e = {0};
        if (store_token_get_by_name(s, creator_token, &t, &e) < 0) {
                if (e.kind == ERROR_NOT_FOUND)
                        return 0; /* not a token (system): nobody's */
                if (err)
                        *err = e;
                return -1;
        }
        *same = t.user_name && str_eq(t.user_name, a->user);
        store_token_clear(&t);
        return 0;
}

int campaign_approve(struct store *s, const struct audit_actor *a, int64_t id, json_t *body, int64_t now,
                     json_t **out, struct error *err) {
        __attribute__((cleanup(campaign_row_clearp))) struct store_campaign c = {0};
        *out = NULL;
        if (body && json_object_size(body) > 0)
                return error_set(err, ERROR_INVALID, "request body: approve takes no fields");
        if (begin_action(s, id, "approved", "waiting", &c, err) < 0)
                return -1;
        /* Four eyes: the gate is opened by another person than the author of
         * the campaign. created_by is the author's token; a person with two
         * tokens is one user (issue 11), so the users are compared. */
        bool same_person;
        if (campaign_same_person(s, a, c.created_by, &same_person, err) < 0) {
                store_tx_rollback(s);
                return -1;
        }
        if (same_person) {
                store_tx_rollback(s);
                return error_set(err, ERROR_FORBIDDEN,
                                 "four-eyes rule: '%s' created campaign %lld and cannot approve its gate; another "
                                 "release manager or admin must",
                                 a->name, (long long) id);
        }
        free(c.status);
        c.status = NULL;
        c.updated_at = now;
        int64_t next = c.current_wave + 1;
        _cleanup_json_ json_t *d = json_pack("{s:I}", "wave", (json_int_t) next);
        if (campaign_audit(s, a, "campaign.approve", id, d, err) < 0 || wave_start(s, a, &c, next, a->name, now, err) < 0 ||
            store_campaign_update(s, &c, err) < 0) {
                store_tx_rollback(s);
                return -1;
        }
        return finish_action(s, id, now, out, err);
}

int campaign_abort(struct store *s, const struct audit_actor *a, int64_t id, json_t *body, int64_t now,
                   json_t **out, struct error *err) {
        __attribute__((cleanup(campaign_row_clearp))) struct store_campaign c = {0};
        _cleanup_json_ json_t *d = NULL;
        bool bad;
        *out = NULL;
        const char *reason = body_reason(body, "aborted by an operator", err, &bad);
        if (bad)
                return -1;
        if (begin_action(s, id, "aborted", "draft,running,waiting,paused", &c, err) < 0)
                return -1;
        int64_t canceled, members;
        _cleanup_free_ char *why = str_printf("campaign %lld aborted: %s", (long long) id, reason);
        if (store_campaign_cancel(s, id, why, now, &canceled, &members, err) < 0)
                goto fail;
        free(c.status);
        c.status = str_dup("aborted");
        c.updated_at = c.finished_at = now;
        d = json_pack("{s:s, s:I, s:I}", "reason", reason, "actions_canceled",
                                             (json_int_t) canceled, "members_canceled", (json_int_t) members);
        if (store_campaign_update(s, &c, err) < 0 || campaign_audit(s, a, "campaign.abort", id, d, err) < 0)
                goto fail;
        return finish_action(s, id, now, out, err);
fail:
        store_tx_rollback(s);
        return -1;
}

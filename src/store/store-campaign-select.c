/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The campaign selector as SQL. Each selector field is one term: a function
 * that appends " AND <condition>" with numbered parameters to the query
 * being built, or nothing when the field is not given. The SQL text is made
 * only of this file's constants and parameter numbers; every value is bound.
 *
 * A new term (the vulnerability issue's "affected_by": devices whose
 * installed release is affected and not yet patched) is one more field in
 * struct store_campaign_selector and one more function in `terms` below.
 */
#include <stdlib.h>
#include <string.h>
#include "core/cleanup.h"
#include "core/strutil.h"
#include "store/store-campaign.h"
#include "store/store-identity-private.h"

/* Parameters ?1..?9 belong to the statements; terms number from 10. */
#define SQLB_FIRST_PARAM 10

struct sqlb_bind {
        bool is_text;
        int64_t i;
        const char *s;
};

struct sqlb {
        struct buf sql;
        struct sqlb_bind *binds;
        size_t n, cap;
};

static void sqlb_free(struct sqlb *b) {
        buf_free(&b->sql);
        free(b->binds);
}

/* Appends a parameter for a value and returns its number. */
static int sqlb_param(struct sqlb *b, bool is_text, int64_t i, const char *s) {
        STORE_LIST_GROW(b->binds, b->n, b->cap);
        b->binds[b->n++] = (struct sqlb_bind) { .is_text = is_text, .i = i, .s = s };
        return SQLB_FIRST_PARAM + (int) b->n - 1;
}

/* Appends `prefix` and the parameter of a value ("... = ?12"). */
static void sqlb_text(struct sqlb *b, const char *prefix, const char *v) {
        buf_appendf(&b->sql, "%s?%d", prefix, sqlb_param(b, true, 0, v));
}

static void sqlb_int(struct sqlb *b, const char *prefix, int64_t v) {
        buf_appendf(&b->sql, "%s?%d", prefix, sqlb_param(b, false, v, NULL));
}

/* "(?10, ?11, ...)" */
static void sqlb_list(struct sqlb *b, const struct store_strlist *l) {
        buf_appendf(&b->sql, "(");
        for (size_t i = 0; i < l->n; i++)
                buf_appendf(&b->sql, "%s?%d", i ? ", " : "", sqlb_param(b, true, 0, l->v[i]));
        buf_appendf(&b->sql, ")");
}

static int sqlb_bind_all(struct store *s, const struct sqlb *b, sqlite3_stmt *st, struct error *err) {
        for (size_t i = 0; i < b->n; i++) {
                int idx = SQLB_FIRST_PARAM + (int) i;
                if ((b->binds[i].is_text ? store_bind_text(s, st, idx, b->binds[i].s, err)
                                         : store_bind_int64(s, st, idx, b->binds[i].i, err)) < 0)
                        return -1;
        }
        return 0;
}

/* ---- the terms (d = devices, st = device_update_state, b = batches) ---- */

typedef void (*selector_term_fn)(struct sqlb *q, const struct store_campaign_selector *sel);

static void term_product(struct sqlb *q, const struct store_campaign_selector *sel) {
        sqlb_int(q, " AND d.product_id = ", sel->product_id);
}

static void term_release_fits(struct sqlb *q, const struct store_campaign_selector *sel) {
        /* Always applied: a release is only offered to hardware it lists. */
        buf_appendf(&q->sql, " AND d.hardware_revision IN ");
        sqlb_list(q, &sel->release_revisions);
}

static void term_hardware_revisions(struct sqlb *q, const struct store_campaign_selector *sel) {
        if (!sel->hardware_revisions.n)
                return;
        buf_appendf(&q->sql, " AND d.hardware_revision IN ");
        sqlb_list(q, &sel->hardware_revisions);
}

static void term_tags_any(struct sqlb *q, const struct store_campaign_selector *sel) {
        if (!sel->tags_any.n)
                return;
        buf_appendf(&q->sql, " AND EXISTS (SELECT 1 FROM device_tags t WHERE t.device_id = d.id AND t.tag IN ");
        sqlb_list(q, &sel->tags_any);
        buf_appendf(&q->sql, ")");
}

static void term_tags_all(struct sqlb *q, const struct store_campaign_selector *sel) {
        if (!sel->tags_all.n)
                return;
        buf_appendf(&q->sql, " AND (SELECT COUNT(*) FROM device_tags t WHERE t.device_id = d.id AND t.tag IN ");
        sqlb_list(q, &sel->tags_all);
        sqlb_int(q, ") = ", (int64_t) sel->tags_all.n);
}

static void term_serials(struct sqlb *q, const struct store_campaign_selector *sel) {
        if (!sel->serials.n)
                return;
        buf_appendf(&q->sql, " AND d.serial IN ");
        sqlb_list(q, &sel->serials);
}

/* A device that never reported a successful update runs its initial firmware. */
static void term_version_exact(struct sqlb *q, const struct store_campaign_selector *sel) {
        if (sel->version_exact)
                sqlb_text(q, " AND COALESCE(st.installed_version, d.initial_firmware_version) = ",
                          sel->version_exact);
}

static void term_version_range(struct sqlb *q, const struct store_campaign_selector *sel) {
        if (sel->version_min_key)
                sqlb_text(q, " AND COALESCE(st.installed_version_key, d.initial_firmware_version_key) >= ",
                          sel->version_min_key);
        if (sel->version_below_key)
                sqlb_text(q, " AND COALESCE(st.installed_version_key, d.initial_firmware_version_key) < ",
                          sel->version_below_key);
}

static void term_batches(struct sqlb *q, const struct store_campaign_selector *sel) {
        if (!sel->batches.n)
                return;
        buf_appendf(&q->sql, " AND b.name IN ");
        sqlb_list(q, &sel->batches);
}

static void term_production_date(struct sqlb *q, const struct store_campaign_selector *sel) {
        if (sel->production_from)
                sqlb_text(q, " AND d.production_date >= ", sel->production_from);
        if (sel->production_to)
                sqlb_text(q, " AND d.production_date <= ", sel->production_to);
}

/* Member states are recorded per product (where it is sold), not per unit. */
static void term_member_states(struct sqlb *q, const struct store_campaign_selector *sel) {
        if (!sel->member_states.n)
                return;
        buf_appendf(&q->sql, " AND EXISTS (SELECT 1 FROM product_member_states pm WHERE pm.product_id = "
                             "d.product_id AND pm.country IN ");
        sqlb_list(q, &sel->member_states);
        buf_appendf(&q->sql, ")");
}

static void term_last_seen(struct sqlb *q, const struct store_campaign_selector *sel) {
        if (sel->last_seen_after)
                sqlb_int(q, " AND st.last_seen > ", sel->last_seen_after);
        if (sel->last_seen_before)
                sqlb_int(q, " AND st.last_seen < ", sel->last_seen_before);
}

/* issue 9: the device runs (installed, else initial firmware) a release of
 * its product with a live finding of the vulnerability that is not dismissed:
 * exposed and not patched (vuln/exposure.h says the same of the exposure). */
static void term_affected_by(struct sqlb *q, const struct store_campaign_selector *sel) {
        if (!sel->affected_by)
                return;
        int p = sqlb_param(q, true, 0, sel->affected_by);
        buf_appendf(&q->sql, " AND EXISTS (SELECT 1 FROM releases ar JOIN findings af ON af.release_id = ar.id "
                             "WHERE ar.product_id = d.product_id AND ar.version = COALESCE(st.installed_version, "
                             "d.initial_firmware_version) AND af.gone_at IS NULL AND af.state IN ('in_triage', "
                             "'affected') AND af.vuln_id = (SELECT id FROM vulns WHERE name = ?%d UNION SELECT "
                             "vuln_id FROM vuln_aliases WHERE alias = ?%d LIMIT 1))", p, p);
}

static const selector_term_fn terms[] = {
        term_product,       term_release_fits,  term_hardware_revisions, term_tags_any,
        term_tags_all,      term_serials,       term_version_exact,      term_version_range,
        term_batches,       term_production_date, term_member_states,    term_last_seen,
        term_affected_by,
};

/* "SELECT d.id AS id FROM ... WHERE <every term>" */
static void select_matching(struct sqlb *q, const struct store_campaign_selector *sel) {
        buf_appendf(&q->sql, "SELECT d.id AS id FROM devices d LEFT JOIN device_update_state st ON st.device_id = "
                             "d.id LEFT JOIN batches b ON b.id = d.batch_id WHERE d.status = 'active'");
        for (size_t i = 0; i < ELEMENTSOF(terms); i++)
                terms[i](q, sel);
}

/* The matching devices with their rank, keyed by ?1..?4 (a, b, c, m) over
 * P = 2^31 - 1: x = (id mod P) * a + b, y = x^2 + c, rank = y^2 + m * x, each
 * mod P. Integer arithmetic that never exceeds 2^63 on either backend. */
#define RANK_P "2147483647"
static void select_ranked(struct sqlb *q, const struct store_campaign_selector *sel) {
        buf_appendf(&q->sql, "SELECT id, ((y * y) %% " RANK_P " + x * ?4) %% " RANK_P " AS rank FROM ("
                             "SELECT id, x, (x * x + ?3) %% " RANK_P " AS y FROM ("
                             "SELECT id, ((id %% " RANK_P ") * ?1 + ?2) %% " RANK_P " AS x FROM (");
        select_matching(q, sel);
        buf_appendf(&q->sql, ") m0) m1) m2");
}

static int bind_rank(struct store *s, sqlite3_stmt *st, const struct store_campaign_rank_keys *k, struct error *err) {
        return store_bind_int64(s, st, 1, k->a, err) < 0 || store_bind_int64(s, st, 2, k->b, err) < 0 ||
                               store_bind_int64(s, st, 3, k->c, err) < 0 || store_bind_int64(s, st, 4, k->m, err) < 0
                       ? -1
                       : 0;
}

int store_campaign_select_count(struct store *s, const struct store_campaign_selector *sel, int64_t *n_out,
                                struct error *err) {
        __attribute__((cleanup(sqlb_free))) struct sqlb q = {0};
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        *n_out = 0;
        buf_appendf(&q.sql, "SELECT COUNT(*) FROM (");
        select_matching(&q, sel);
        buf_appendf(&q.sql, ") m");
        if (store_prepare(s, q.sql.data, &st, err) < 0 || sqlb_bind_all(s, &q, st, err) < 0)
                return -1;
        if (store_step_row(s, st, "counting the selected devices", err) <= 0)
                return -1;
        *n_out = sqlite3_column_int64(st, 0);
        return 0;
}

int store_campaign_select_conflict(struct store *s, const struct store_campaign_selector *sel, int64_t self_id,
                                   bool *found, char **campaign_name, char **serial, struct error *err) {
        __attribute__((cleanup(sqlb_free))) struct sqlb q = {0};
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        *found = false;
        *campaign_name = *serial = NULL;
        buf_appendf(&q.sql, "SELECT c.name, dv.serial FROM campaign_devices cd JOIN campaigns c ON c.id = "
                            "cd.campaign_id JOIN devices dv ON dv.id = cd.device_id WHERE c.status IN "
                            STORE_CAMPAIGN_ACTIVE_SQL " AND c.id <> ?1 AND cd.device_id IN (");
        select_matching(&q, sel);
        buf_appendf(&q.sql, ") ORDER BY cd.device_id LIMIT 1");
        if (store_prepare(s, q.sql.data, &st, err) < 0 || store_bind_int64(s, st, 1, self_id, err) < 0 ||
            sqlb_bind_all(s, &q, st, err) < 0)
                return -1;
        int rc = store_step_row(s, st, "checking campaign conflicts", err);
        if (rc <= 0)
                return rc;
        *found = true;
        *campaign_name = store_column_text(st, 0);
        *serial = store_column_text(st, 1);
        return 0;
}

int store_campaign_members_insert(struct store *s, int64_t campaign_id, const struct store_campaign_selector *sel,
                                  const struct store_campaign_rank_keys *keys, const int64_t *targets,
                                  size_t n_waves, int64_t now, int64_t *n_out, struct error *err) {
        __attribute__((cleanup(sqlb_free))) struct sqlb q = {0};
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        *n_out = 0;
        if (n_waves == 0)
                return error_set(err, ERROR_INTERNAL, "a campaign without waves");
        buf_appendf(&q.sql, "INSERT INTO campaign_devices (campaign_id, device_id, wave, rank, state, attempts, "
                            "joined_at) SELECT ?5, id, CASE WHEN rn < 0 THEN 0");
        for (size_t i = 0; i + 1 < n_waves; i++)
                buf_appendf(&q.sql, " WHEN rn <= ?%d THEN %zu", sqlb_param(&q, false, targets[i], NULL), i);
        buf_appendf(&q.sql, " ELSE %zu END, rank, 'pending', 0, ?6 FROM (SELECT id, rank, ROW_NUMBER() OVER "
                            "(ORDER BY rank, id) AS rn FROM (", n_waves - 1);
        select_ranked(&q, sel);
        buf_appendf(&q.sql, ") r) n WHERE 1 = 1");
        if (store_prepare(s, q.sql.data, &st, err) < 0 || bind_rank(s, st, keys, err) < 0 ||
            store_bind_int64(s, st, 5, campaign_id, err) < 0 || store_bind_int64(s, st, 6, now, err) < 0 ||
            sqlb_bind_all(s, &q, st, err) < 0 || store_step_done(s, st, "adding campaign members", err) < 0)
                return -1;
        *n_out = sqlite3_changes(s->db);
        return 0;
}

int store_campaign_members_join(struct store *s, int64_t campaign_id, const struct store_campaign_selector *sel,
                                const struct store_campaign_rank_keys *keys, int64_t wave, int64_t now,
                                int64_t *n_out, struct error *err) {
        __attribute__((cleanup(sqlb_free))) struct sqlb q = {0};
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        *n_out = 0;
        buf_appendf(&q.sql, "INSERT INTO campaign_devices (campaign_id, device_id, wave, rank, state, attempts, "
                            "joined_at) SELECT ?5, id, ?7, rank, 'pending', 0, ?6 FROM (");
        select_ranked(&q, sel);
        buf_appendf(&q.sql, ") r WHERE NOT EXISTS (SELECT 1 FROM campaign_devices cd JOIN campaigns c ON c.id = "
                            "cd.campaign_id WHERE cd.device_id = r.id AND (c.id = ?5 OR c.status IN "
                            STORE_CAMPAIGN_ACTIVE_SQL "))");
        if (store_prepare(s, q.sql.data, &st, err) < 0 || bind_rank(s, st, keys, err) < 0 ||
            store_bind_int64(s, st, 5, campaign_id, err) < 0 || store_bind_int64(s, st, 6, now, err) < 0 ||
            store_bind_int64(s, st, 7, wave, err) < 0 || sqlb_bind_all(s, &q, st, err) < 0 ||
            store_step_done(s, st, "adding late campaign members", err) < 0)
                return -1;
        *n_out = sqlite3_changes(s->db);
        return 0;
}

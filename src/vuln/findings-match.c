/* SPDX-License-Identifier: Apache-2.0 */
/* The findings engine: queues in, findings out (vuln/findings.h). */
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "core/cleanup.h"
#include "core/json.h"
#include "core/log.h"
#include "core/strutil.h"
#include "vuln/findings-internal.h"
#include "vuln/findings.h"
#include "vuln/match.h"

static const struct audit_actor matcher_actor = {.name = "vuln-matcher", .role = "system"};

/* The best evidence per vulnerability for one component. */
struct best_match {
        int64_t vuln_id;
        enum vuln_match_result result;
        json_t *explanation;
};

struct match_set {
        struct best_match *v;
        size_t n, cap;
        int64_t *seen; /* affected entries already evaluated */
        size_t n_seen, cap_seen;
};

static void match_set_clear(struct match_set *m) {
        for (size_t i = 0; i < m->n; i++)
                json_decref(m->v[i].explanation);
        free(m->v);
        free(m->seen);
        memset(m, 0, sizeof(*m));
}

static int rank(enum vuln_match_result r) {
        switch (r) {
        case VULN_MATCH_PURL:
                return 3;
        case VULN_MATCH_CPE:
                return 2;
        case VULN_MATCH_NAME:
                return 1;
        default:
                return 0;
        }
}

static bool seen_before(struct match_set *m, int64_t affected_id) {
        for (size_t i = 0; i < m->n_seen; i++)
                if (m->seen[i] == affected_id)
                        return true;
        if (m->n_seen == m->cap_seen) {
                m->cap_seen = m->cap_seen ? 2 * m->cap_seen : 16;
                m->seen = xrealloc(m->seen, m->cap_seen * sizeof(*m->seen));
        }
        m->seen[m->n_seen++] = affected_id;
        return false;
}

static void keep_best(struct match_set *m, int64_t vuln_id, enum vuln_match_result r, json_t *expl) {
        for (size_t i = 0; i < m->n; i++)
                if (m->v[i].vuln_id == vuln_id) {
                        if (rank(r) > rank(m->v[i].result)) {
                                json_decref(m->v[i].explanation);
                                m->v[i].result = r;
                                m->v[i].explanation = expl;
                        } else {
                                json_decref(expl);
                        }
                        return;
                }
        if (m->n == m->cap) {
                m->cap = m->cap ? 2 * m->cap : 8;
                m->v = xrealloc(m->v, m->cap * sizeof(*m->v));
        }
        m->v[m->n++] = (struct best_match){.vuln_id = vuln_id, .result = r, .explanation = expl};
}

/* The matcher's view of a component (points into c; free the arrays only). */
struct component_view {
        struct vuln_component vc;
        const char **purls, **cpes;
};

static void component_view_make(const struct store_finding_component *c, struct component_view *v) {
        memset(v, 0, sizeof(*v));
        v->purls = xcalloc(c->n_idents + 1, sizeof(*v->purls));
        v->cpes = xcalloc(c->n_idents + 1, sizeof(*v->cpes));
        for (size_t i = 0; i < c->n_idents; i++) {
                if (str_eq(c->idents[i].kind, "purl"))
                        v->purls[v->vc.npurls++] = c->idents[i].value;
                else if (str_eq(c->idents[i].kind, "cpe"))
                        v->cpes[v->vc.ncpes++] = c->idents[i].value;
        }
        v->vc.name = c->name;
        v->vc.version = c->version;
        v->vc.purls = v->purls;
        v->vc.cpes = v->cpes;
}

static void component_view_clear(struct component_view *v) {
        free(v->purls);
        free(v->cpes);
}

/* Runs the matcher on one entry. A malformed entry (the feed's fault) is
 * logged and skipped: it must not stop every other match. */
int vuln_findings_eval_entry(const struct vuln_component *vc, const struct store_finding_entry *e,
                             enum vuln_match_result *r, json_t **expl, struct error *err) {
        *r = VULN_MATCH_NO;
        *expl = NULL;
        json_error_t je;
        _cleanup_json_ json_t *data = json_loads(e->data ? e->data : "", 0, &je);
        if (!data)
                return error_set(err, ERROR_INVALID, "%s record %s, affected entry %lld: stored data is not JSON: %s",
                                 e->source, e->record_id, (long long) e->affected_id, je.text);
        if (vuln_match_entry(vc, e->kind, data, r, expl, err) < 0)
                return error_prefix(err, "%s record %s, affected entry %lld: ", e->source, e->record_id,
                                    (long long) e->affected_id);
        if (!*expl)
                *expl = json_object();
        json_object_set_new(*expl, "record", json_pack("{s:s, s:s, s:I}", "source", e->source ? e->source : "",
                                                       "id", e->record_id ? e->record_id : "", "affected",
                                                       (json_int_t) e->affected_id));
        return 0;
}

static int eval_entries(const struct vuln_component *vc, struct store_finding_entry *es, size_t n,
                        struct match_set *m) {
        for (size_t i = 0; i < n; i++) {
                if (es[i].withdrawn || seen_before(m, es[i].affected_id))
                        continue;
                enum vuln_match_result r;
                json_t *expl = NULL;
                struct error e2 = {0};
                if (vuln_findings_eval_entry(vc, &es[i], &r, &expl, &e2) < 0) {
                        log_warn("findings: %s: skipped", e2.msg);
                        continue;
                }
                if (rank(r) > 0)
                        keep_best(m, es[i].vuln_id, r, expl);
                else
                        json_decref(expl);
        }
        return 0;
}

/* Every match of one component (only_vuln 0 = against all vulnerabilities). */
static int component_matches(struct store *s, const struct store_finding_component *c, int64_t only_vuln,
                             struct match_set *m, struct error *err) {
        struct component_view v;
        component_view_make(c, &v);
        bool keyed = false;
        int rc = 0;
        for (size_t i = 0; i < c->n_idents && rc == 0; i++) {
                if (!c->idents[i].match_key)
                        continue;
                keyed = true;
                struct store_finding_entry *es = NULL;
                size_t n = 0;
                rc = store_finding_entries_by_key(s, c->idents[i].kind, c->idents[i].match_key, only_vuln, &es, &n,
                                                  err);
                if (rc == 0)
                        eval_entries(&v.vc, es, n, m);
                store_finding_entries_free(es, n);
        }
        if (rc == 0 && !keyed && c->name && *c->name) {
                _cleanup_free_ char *key = vuln_name_match_key(c->name);
                struct store_finding_entry *es = NULL;
                size_t n = 0;
                rc = store_finding_entries_by_key(s, NULL, key, only_vuln, &es, &n, err);
                if (rc == 0)
                        eval_entries(&v.vc, es, n, m);
                store_finding_entries_free(es, n);
        }
        component_view_clear(&v);
        return rc;
}

/* A new finding takes over an earlier release's triage of the same thing. */
static int carry_state(struct store *s, struct store_finding *nf, struct vuln_findings_report *rep,
                       struct error *err) {
        struct store_finding src;
        int rc = store_finding_carry_source(s, nf->release_id, nf->component_id, nf->vuln_id, &src, err);
        if (rc <= 0)
                return rc;
        nf->state = src.state;
        nf->justification = src.justification;
        nf->action_statement = src.action_statement;
        nf->state_reason = src.state_reason;
        nf->state_by = src.state_by;
        nf->state_at = src.state_at;
        nf->carried_from = src.id;
        src.state = src.justification = src.action_statement = src.state_reason = src.state_by = NULL;
        rep->carried++;
        store_finding_clear(&src);
        return 1;
}

static int apply_match(struct store *s, const struct store_finding_component *c, const struct best_match *b,
                       int64_t now, struct vuln_findings_report *rep, struct error *err) {
        _cleanup_free_ char *expl = json_dumps(b->explanation, JSON_COMPACT | JSON_SORT_KEYS);
        const char *conf = vuln_match_result_name(b->result);
        struct store_finding old;
        int rc = store_finding_by_triple(s, c->release_id, c->id, b->vuln_id, &old, err);
        if (rc < 0)
                return -1;
        if (rc == 1) {
                int64_t id = old.id;
                store_finding_clear(&old);
                if (store_finding_rematch(s, id, conf, expl, now, err) < 0)
                        return -1;
                rep->rematched++;
                return 0;
        }
        struct store_finding nf = {
                .release_id = c->release_id, .component_id = c->id, .vuln_id = b->vuln_id,
                .confidence = (char *) conf, .explanation = expl, .state = (char *) "in_triage",
                .first_seen_at = now,
        };
        int carried = carry_state(s, &nf, rep, err);
        int64_t id = 0;
        rc = carried < 0 ? -1 : store_finding_insert(s, &nf, &id, err);
        if (rc == 0 && carried == 1) {
                _cleanup_free_ char *object = str_printf("finding/%lld", (long long) id);
                _cleanup_json_ json_t *d = json_pack("{s:I, s:s, s:s?, s:s?}", "carried_from",
                                                     (json_int_t) nf.carried_from, "state", nf.state,
                                                     "justification", nf.justification, "action_statement",
                                                     nf.action_statement);
                rc = audit_append(s, &matcher_actor, "finding.carried", object, d, err);
        }
        if (carried == 1) {
                free(nf.state);
                free(nf.justification);
                free(nf.action_statement);
                free(nf.state_reason);
                free(nf.state_by);
        }
        if (rc == 0)
                rep->created++;
        return rc;
}

static bool in_set(const struct match_set *m, int64_t vuln_id) {
        for (size_t i = 0; i < m->n; i++)
                if (m->v[i].vuln_id == vuln_id)
                        return true;
        return false;
}

/* Matches one component and writes its findings. only_vuln != 0: only that
 * vulnerability's findings are touched. */
static int component_apply(struct store *s, const struct store_finding_component *c, int64_t only_vuln, int64_t now,
                           struct vuln_findings_report *rep, struct error *err) {
        struct match_set m = {0};
        int rc = component_matches(s, c, only_vuln, &m, err);
        for (size_t i = 0; rc == 0 && i < m.n; i++)
                rc = apply_match(s, c, &m.v[i], now, rep, err);
        int64_t *ids = NULL, *vids = NULL;
        size_t n = 0;
        if (rc == 0)
                rc = store_finding_live_of_component(s, c->id, &ids, &vids, &n, err);
        for (size_t i = 0; rc == 0 && i < n; i++) {
                if ((only_vuln && vids[i] != only_vuln) || in_set(&m, vids[i]))
                        continue;
                rc = store_finding_gone(s, ids[i], now, err);
                if (rc == 0)
                        rep->gone++;
        }
        free(ids);
        free(vids);
        match_set_clear(&m);
        return rc;
}

int vuln_findings_match_document(struct store *s, int64_t document_id, int64_t now, struct vuln_findings_report *rep,
                                 struct error *err) {
        struct store_finding_component *cs = NULL;
        size_t n = 0;
        if (store_tx_begin(s, err) < 0)
                return -1;
        int rc = store_finding_components_of_document(s, document_id, &cs, &n, err);
        for (size_t i = 0; rc == 0 && i < n; i++)
                rc = component_apply(s, &cs[i], 0, now, rep, err);
        store_finding_components_free(cs, n);
        if (rc == 0)
                rc = store_finding_queue_document_done(s, document_id, err);
        if (rc == 0)
                rc = store_tx_commit(s, err);
        if (rc < 0) {
                store_tx_rollback(s);
                return error_prefix(err, "matching SBOM document %lld: ", (long long) document_id);
        }
        rep->documents++;
        return 0;
}

int vuln_findings_match_vuln(struct store *s, int64_t vuln_id, int64_t now, struct vuln_findings_report *rep,
                             struct error *err) {
        int64_t *ids = NULL;
        size_t n = 0;
        if (store_tx_begin(s, err) < 0)
                return -1;
        int rc = store_finding_candidate_components(s, vuln_id, &ids, &n, err);
        for (size_t i = 0; rc == 0 && i < n; i++) {
                struct store_finding_component c;
                rc = store_finding_component_get(s, ids[i], &c, err);
                if (rc == 0)
                        rc = component_apply(s, &c, vuln_id, now, rep, err);
                store_finding_component_clear(&c);
        }
        free(ids);
        if (rc == 0)
                rc = store_finding_queue_vuln_done(s, vuln_id, err);
        if (rc == 0)
                rc = store_tx_commit(s, err);
        if (rc < 0) {
                store_tx_rollback(s);
                return error_prefix(err, "matching vulnerability %lld: ", (long long) vuln_id);
        }
        rep->vulns++;
        return 0;
}

int vuln_findings_drain(struct store *s, int64_t now, size_t chunk, struct vuln_findings_report *rep, bool *more,
                        struct error *err) {
        if (!chunk)
                chunk = VULN_FINDINGS_CHUNK;
        *more = false;
        int64_t *ids = NULL;
        size_t n = 0;
        if (store_finding_queue_documents(s, chunk, &ids, &n, err) < 0)
                return -1;
        for (size_t i = 0; i < n; i++)
                if (vuln_findings_match_document(s, ids[i], now, rep, err) < 0) {
                        free(ids);
                        return -1;
                }
        free(ids);
        *more = n == chunk;
        if (store_finding_queue_vulns(s, chunk, &ids, &n, err) < 0)
                return -1;
        for (size_t i = 0; i < n; i++)
                if (vuln_findings_match_vuln(s, ids[i], now, rep, err) < 0) {
                        free(ids);
                        return -1;
                }
        free(ids);
        *more = *more || n == chunk;
        return vuln_findings_notify(s, now, rep, err);
}

int vuln_findings_drain_all(struct store *s, int64_t now, struct vuln_findings_report *rep, struct error *err) {
        bool more = true;
        while (more)
                if (vuln_findings_drain(s, now, 0, rep, &more, err) < 0)
                        return -1;
        return 0;
}

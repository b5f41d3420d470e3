/* SPDX-License-Identifier: Apache-2.0 */
/* Findings: triage (vuln/finding.h) and the reads of vuln/findings.h. */
#include <stdlib.h>
#include <string.h>

#include "core/cleanup.h"
#include "core/json.h"
#include "core/strutil.h"
#include "core/time.h"
#include "vuln/finding.h"
#include "vuln/findings-internal.h"
#include "vuln/findings.h"
#include "vuln/match.h"

#define FINDING_REASON_MAX 1000
#define FINDING_ACTION_MAX 2000

static const char *const state_names[] = {
        [FINDING_IN_TRIAGE] = "in_triage",
        [FINDING_AFFECTED] = "affected",
        [FINDING_NOT_AFFECTED] = "not_affected",
        [FINDING_FIXED] = "fixed",
        [FINDING_FALSE_POSITIVE] = "false_positive",
};

static const char *const justification_names[] = {
        [FINDING_JUST_NONE] = "none",
        [FINDING_JUST_COMPONENT_NOT_PRESENT] = "component_not_present",
        [FINDING_JUST_CODE_NOT_PRESENT] = "code_not_present",
        [FINDING_JUST_CODE_NOT_REACHABLE] = "code_not_reachable",
        [FINDING_JUST_REQUIRES_CONFIGURATION] = "requires_configuration",
        [FINDING_JUST_REQUIRES_DEPENDENCY] = "requires_dependency",
        [FINDING_JUST_REQUIRES_ENVIRONMENT] = "requires_environment",
        [FINDING_JUST_PROTECTED_BY_COMPILER] = "protected_by_compiler",
        [FINDING_JUST_PROTECTED_AT_RUNTIME] = "protected_at_runtime",
        [FINDING_JUST_PROTECTED_AT_PERIMETER] = "protected_at_perimeter",
        [FINDING_JUST_PROTECTED_BY_MITIGATING_CONTROL] = "protected_by_mitigating_control",
        [FINDING_JUST_CANNOT_BE_CONTROLLED_BY_ADVERSARY] = "cannot_be_controlled_by_adversary",
        [FINDING_JUST_INLINE_MITIGATIONS_EXIST] = "inline_mitigations_exist",
};

const char *finding_state_name(enum finding_state s) {
        return (size_t) s < ELEMENTSOF(state_names) ? state_names[s] : "unknown";
}

const char *finding_justification_name(enum finding_justification j) {
        return (size_t) j < ELEMENTSOF(justification_names) ? justification_names[j] : "unknown";
}

static int name_parse(const char *what, const char *const *names, size_t n, size_t first, const char *s, int *out,
                      struct error *err) {
        for (size_t i = first; s && i < n; i++)
                if (strcmp(names[i], s) == 0) {
                        *out = (int) i;
                        return 0;
                }
        struct buf b = {0};
        for (size_t i = first; i < n; i++)
                buf_appendf(&b, "%s%s", i > first ? ", " : "", names[i]);
        _cleanup_free_ char *choices = buf_steal(&b);
        return error_set(err, ERROR_INVALID, "%s '%s' is not one of: %s", what, s ? s : "", choices);
}

int finding_state_parse(const char *s, enum finding_state *out, struct error *err) {
        int v;
        if (name_parse("state", state_names, ELEMENTSOF(state_names), 0, s, &v, err) < 0)
                return -1;
        *out = (enum finding_state) v;
        return 0;
}

int finding_justification_parse(const char *s, enum finding_justification *out, struct error *err) {
        int v;
        if (name_parse("justification", justification_names, ELEMENTSOF(justification_names), 1, s, &v, err) < 0)
                return -1;
        *out = (enum finding_justification) v;
        return 0;
}

static int text_check(const char *field, const char *v, size_t max, struct error *err) {
        size_t n = strlen(v);
        if (n == 0)
                return error_set(err, ERROR_INVALID, "field '%s' must not be empty", field);
        if (n > max)
                return error_set(err, ERROR_INVALID, "field '%s' is longer than %zu bytes", field, max);
        for (size_t i = 0; i < n; i++)
                if ((unsigned char) v[i] < 0x20 && v[i] != '\n' && v[i] != '\t')
                        return error_set(err, ERROR_INVALID, "field '%s' has a control character at byte %zu", field,
                                         i);
        return 0;
}

static int change_check(const struct finding_state_change *c, struct error *err) {
        if ((size_t) c->state >= ELEMENTSOF(state_names))
                return error_set(err, ERROR_INVALID, "field 'state': unknown state %d", (int) c->state);
        if ((size_t) c->justification >= ELEMENTSOF(justification_names))
                return error_set(err, ERROR_INVALID, "field 'justification': unknown justification %d",
                                 (int) c->justification);
        if (!c->reason || text_check("reason", c->reason, FINDING_REASON_MAX, err) < 0)
                return c->reason ? -1 : error_set(err, ERROR_INVALID, "field 'reason' is required: say why");
        if (c->state == FINDING_NOT_AFFECTED && c->justification == FINDING_JUST_NONE)
                return error_set(err, ERROR_INVALID,
                                 "field 'justification' is required for state not_affected (e.g. code_not_present)");
        if (c->state != FINDING_NOT_AFFECTED && c->justification != FINDING_JUST_NONE)
                return error_set(err, ERROR_INVALID, "field 'justification' applies to state not_affected only, not %s",
                                 finding_state_name(c->state));
        if (c->state == FINDING_AFFECTED && !c->action_statement)
                return error_set(err, ERROR_INVALID,
                                 "field 'action_statement' is required for state affected: what users must do");
        if (c->state != FINDING_AFFECTED && c->action_statement)
                return error_set(err, ERROR_INVALID,
                                 "field 'action_statement' applies to state affected only, not %s",
                                 finding_state_name(c->state));
        if (c->action_statement && text_check("action_statement", c->action_statement, FINDING_ACTION_MAX, err) < 0)
                return -1;
        return 0;
}

int finding_set_state(struct store *s, const struct audit_actor *actor, int64_t finding_id,
                      const struct finding_state_change *change, struct error *err) {
        if (change_check(change, err) < 0)
                return -1;
        const char *state = finding_state_name(change->state);
        const char *just = change->justification ? finding_justification_name(change->justification) : NULL;
        struct store_finding f;
        /* Inside a caller's transaction (a VEX import applies many changes
         * all or nothing) the change joins it: the caller commits, or rolls
         * everything back on any failure. */
        bool own_tx = !store_in_transaction(s);
        if (own_tx && store_tx_begin(s, err) < 0)
                return -1;
        int rc = store_finding_get(s, finding_id, &f, err);
        if (rc <= 0) {
                if (own_tx)
                        store_tx_rollback(s);
                return rc < 0 ? -1
                              : error_set(err, ERROR_NOT_FOUND, "finding %lld: no such finding", (long long) finding_id);
        }
        if (str_eq(f.state, state) && str_eq(f.justification, just) && str_eq(f.action_statement, change->action_statement)) {
                if (own_tx)
                        store_tx_rollback(s);
                store_finding_clear(&f);
                return 0; /* unchanged: nothing written, nothing audited */
        }
        _cleanup_json_ json_t *d = json_pack("{s:s, s:s, s:s?, s:s?, s:s, s:s, s:I, s:s}", "from", f.state, "to", state,
                                             "justification", just, "action_statement", change->action_statement,
                                             "reason", change->reason, "vulnerability", f.vuln_name, "release",
                                             (json_int_t) f.release_id, "component", f.component_name);
        struct store_finding upd = {
                .id = f.id, .state = (char *) state, .justification = (char *) just,
                .action_statement = (char *) change->action_statement, .state_reason = (char *) change->reason,
                .state_by = (char *) actor->name, .state_at = time_now(),
        };
        _cleanup_free_ char *object = str_printf("finding/%lld", (long long) f.id);
        store_finding_clear(&f);
        if (store_finding_set_state(s, &upd, err) < 0 || audit_append(s, actor, "finding.state", object, d, err) < 0 ||
            (own_tx && store_tx_commit(s, err) < 0)) {
                if (own_tx)
                        store_tx_rollback(s);
                return -1;
        }
        return 0;
}

int finding_find(struct store *s, int64_t release_id, const char *vuln_alias, const char *component_ref_or_purl,
                 int64_t *finding_id, struct error *err) {
        int64_t vid = 0;
        *finding_id = 0;
        int rc = store_finding_vuln_resolve(s, vuln_alias, &vid, err);
        if (rc < 0)
                return -1;
        if (rc == 0)
                return error_set(err, ERROR_NOT_FOUND, "vulnerability '%s' is not known", vuln_alias);
        rc = store_finding_find(s, release_id, vid, component_ref_or_purl, finding_id, err);
        if (rc < 0)
                return -1;
        if (rc == 0)
                return error_set(err, ERROR_NOT_FOUND, "release %lld has no finding of %s on component '%s'",
                                 (long long) release_id, vuln_alias, component_ref_or_purl);
        return 0;
}

/* ---- reads ---- */

static json_t *time_or_null(int64_t t) {
        if (!t)
                return json_null();
        char b[TIME_RFC3339_LEN];
        time_format_rfc3339(t, b);
        return json_string(b);
}

static json_t *str_or_null(const char *s) {
        return s ? json_string(s) : json_null();
}

json_t *vuln_finding_to_json(const struct store_finding *f) {
        json_error_t je;
        json_t *expl = f->explanation ? json_loads(f->explanation, 0, &je) : NULL;
        return json_pack("{s:I, s:{s:I, s:s, s:s, s:s}, s:{s:I, s:o, s:s, s:o}, s:{s:s, s:o, s:o}, s:s, s:o, "
                         "s:s, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o}",
                         "id", (json_int_t) f->id,
                         "release", "id", (json_int_t) f->release_id, "product", f->product_model, "version",
                         f->release_version, "status", f->release_status,
                         "component", "id", (json_int_t) f->component_id, "ref", str_or_null(f->component_ref),
                         "name", f->component_name, "version", str_or_null(f->component_version),
                         "vulnerability", "id", f->vuln_name, "severity", str_or_null(f->severity),
                         "exploited_at", time_or_null(f->exploited_at),
                         "confidence", f->confidence,
                         "explanation", expl ? expl : json_null(),
                         "state", f->state,
                         "justification", str_or_null(f->justification),
                         "action_statement", str_or_null(f->action_statement),
                         "reason", str_or_null(f->state_reason),
                         "state_by", str_or_null(f->state_by),
                         "state_at", time_or_null(f->state_at),
                         "carried_from", f->carried_from ? json_integer(f->carried_from) : json_null(),
                         "first_seen_at", time_or_null(f->first_seen_at),
                         "last_matched_at", time_or_null(f->last_matched_at),
                         "gone_at", time_or_null(f->gone_at),
                         "notified_at", time_or_null(f->notified_at));
}

int vuln_findings_list(struct store *s, struct store_finding_filter *filter, const char *vuln_alias, json_t **out,
                       struct error *err) {
        *out = NULL;
        if (vuln_alias) {
                int rc = store_finding_vuln_resolve(s, vuln_alias, &filter->vuln_id, err);
                if (rc < 0)
                        return -1;
                if (rc == 0)
                        return error_set(err, ERROR_NOT_FOUND, "vulnerability '%s' is not known", vuln_alias);
        }
        struct store_finding *fs = NULL;
        size_t n = 0;
        if (store_finding_list(s, filter, &fs, &n, err) < 0)
                return -1;
        json_t *items = json_array();
        for (size_t i = 0; i < n; i++)
                json_array_append_new(items, vuln_finding_to_json(&fs[i]));
        size_t limit = filter->limit ? filter->limit : 1000;
        json_t *next = n == limit && n > 0 ? json_integer(fs[n - 1].id) : json_null();
        store_finding_list_free(fs, n);
        *out = json_pack("{s:o, s:o}", "items", items, "next_after_id", next);
        return 0;
}

int vuln_finding_get(struct store *s, int64_t id, json_t **out, struct error *err) {
        struct store_finding f;
        *out = NULL;
        int rc = store_finding_get(s, id, &f, err);
        if (rc < 0)
                return -1;
        if (rc == 0)
                return error_set(err, ERROR_NOT_FOUND, "finding %lld: no such finding", (long long) id);
        *out = vuln_finding_to_json(&f);
        store_finding_clear(&f);
        return 0;
}

/* ---- explain ---- */


static int component_resolve(struct store *s, const char *component, int64_t release_id, int64_t *id,
                             struct error *err) {
        char *end = NULL;
        long long v = strtoll(component, &end, 10);
        if (*component >= '0' && *component <= '9' && end && *end == '\0' && v > 0) {
                *id = v;
                return 0;
        }
        const char *at = strrchr(component, '@');
        if (!at || at == component)
                return error_set(err, ERROR_INVALID,
                                 "component '%s': give a component id or NAME@VERSION (with a release)", component);
        if (!release_id)
                return error_set(err, ERROR_INVALID, "component '%s': NAME@VERSION needs a release (its id)",
                                 component);
        _cleanup_free_ char *name = strndup(component, (size_t) (at - component));
        if (!name)
                abort();
        int64_t *ids = NULL;
        size_t n = 0;
        if (store_finding_components_by_name(s, release_id, name, at[1] ? at + 1 : NULL, &ids, &n, err) < 0)
                return -1;
        *id = n ? ids[0] : 0;
        free(ids);
        if (n == 0)
                return error_set(err, ERROR_NOT_FOUND, "release %lld has no component %s", (long long) release_id,
                                 component);
        if (n > 1)
                return error_set(err, ERROR_INVALID,
                                 "release %lld has %zu components %s (one per SBOM module): give the component id",
                                 (long long) release_id, n, component);
        return 0;
}

int vuln_findings_explain(struct store *s, const char *component, int64_t release_id, const char *vuln_alias,
                          json_t **out, struct error *err) {
        *out = NULL;
        int64_t cid = 0, vid = 0;
        if (component_resolve(s, component, release_id, &cid, err) < 0)
                return -1;
        int rc = store_finding_vuln_resolve(s, vuln_alias, &vid, err);
        if (rc <= 0)
                return rc < 0 ? -1 : error_set(err, ERROR_NOT_FOUND, "vulnerability '%s' is not known", vuln_alias);
        struct store_finding_component c;
        if (store_finding_component_get(s, cid, &c, err) < 0)
                return -1;
        struct store_finding_entry *es = NULL;
        size_t n = 0;
        if (store_finding_entries_of_vuln(s, vid, &es, &n, err) < 0) {
                store_finding_component_clear(&c);
                return -1;
        }
        const char **purls = xcalloc(c.n_idents + 1, sizeof(*purls)), **cpes = xcalloc(c.n_idents + 1, sizeof(*cpes));
        struct vuln_component vc = {.name = c.name, .version = c.version, .purls = purls, .cpes = cpes};
        json_t *idents = json_array();
        for (size_t i = 0; i < c.n_idents; i++) {
                if (str_eq(c.idents[i].kind, "purl"))
                        purls[vc.npurls++] = c.idents[i].value;
                else
                        cpes[vc.ncpes++] = c.idents[i].value;
                json_array_append_new(idents, json_pack("{s:s, s:s, s:o}", "kind", c.idents[i].kind, "value",
                                                        c.idents[i].value, "match_key",
                                                        str_or_null(c.idents[i].match_key)));
        }
        json_t *entries = json_array();
        int best = 0;
        const char *best_name = NULL;
        for (size_t i = 0; i < n; i++) {
                enum vuln_match_result r;
                json_t *expl = NULL;
                struct error e2 = {0};
                json_t *row;
                if (vuln_findings_eval_entry(&vc, &es[i], &r, &expl, &e2) < 0) {
                        row = json_pack("{s:s, s:s, s:s, s:s}", "source", es[i].source, "record", es[i].record_id,
                                        "result", "error", "error", e2.msg);
                } else {
                        int rk = r == VULN_MATCH_PURL ? 3 : r == VULN_MATCH_CPE ? 2 : r == VULN_MATCH_NAME ? 1 : 0;
                        if (es[i].withdrawn)
                                rk = 0; /* a withdrawn record makes no finding */
                        if (rk > best) {
                                best = rk;
                                best_name = vuln_match_result_name(r);
                        }
                        row = json_pack("{s:s, s:s, s:s, s:s, s:b, s:o}", "source", es[i].source, "record",
                                        es[i].record_id, "kind", es[i].kind, "result", vuln_match_result_name(r),
                                        "withdrawn", es[i].withdrawn, "explanation", expl ? expl : json_null());
                }
                json_array_append_new(entries, row);
        }
        *out = json_pack("{s:{s:I, s:I, s:s, s:o, s:o}, s:s, s:b, s:o, s:o}", "component", "id", (json_int_t) c.id,
                         "release_id", (json_int_t) c.release_id, "name", c.name, "version", str_or_null(c.version),
                         "identifiers", idents, "vulnerability", es && n ? es[0].vuln_name : vuln_alias, "matched",
                         best > 0, "confidence", str_or_null(best_name), "entries", entries);
        free(purls);
        free(cpes);
        store_finding_entries_free(es, n);
        store_finding_component_clear(&c);
        return 0;
}

/* ---- metrics ---- */

int vuln_findings_metrics_render(struct store *s, char **text, struct error *err) {
        struct store_finding_count *cs = NULL;
        size_t n = 0;
        int64_t created = 0, exploited = 0;
        *text = NULL;
        if (store_finding_counts(s, &cs, &n, err) < 0)
                return -1;
        if (store_finding_totals(s, &created, &exploited, err) < 0) {
                store_finding_counts_free(cs, n);
                return -1;
        }
        struct buf b = {0};
        buf_appendf(&b, "# HELP cradle_findings Live vulnerability findings by triage state and CVSS severity.\n"
                        "# TYPE cradle_findings gauge\n");
        for (size_t i = 0; i < n; i++)
                buf_appendf(&b, "cradle_findings{state=\"%s\",severity=\"%s\"} %lld\n", cs[i].state, cs[i].severity,
                            (long long) cs[i].count);
        buf_appendf(&b, "# HELP cradle_findings_created_total Findings ever made (new findings).\n"
                        "# TYPE cradle_findings_created_total counter\n"
                        "cradle_findings_created_total %lld\n"
                        "# HELP cradle_findings_exploited Live, undismissed findings of actively exploited "
                        "(KEV-listed) vulnerabilities.\n"
                        "# TYPE cradle_findings_exploited gauge\n"
                        "cradle_findings_exploited %lld\n",
                    (long long) created, (long long) exploited);
        store_finding_counts_free(cs, n);
        *text = buf_steal(&b);
        return 0;
}

int vuln_finding_set_state_json(struct store *s, const struct audit_actor *actor, int64_t id, json_t *body,
                                json_t **out, struct error *err) {
        static const struct cr_json_field fields[] = {
                { .name = "state", .type = CR_JSON_STRING, .required = true, .max_len = 32 },
                { .name = "justification", .type = CR_JSON_STRING, .max_len = 64 },
                { .name = "action_statement", .type = CR_JSON_STRING, .max_len = FINDING_ACTION_MAX },
                { .name = "reason", .type = CR_JSON_STRING, .required = true, .max_len = FINDING_REASON_MAX },
        };
        *out = NULL;
        if (cr_json_check_object("request body", body, fields, ELEMENTSOF(fields), err) < 0)
                return -1;
        struct finding_state_change c = {
                .action_statement = cr_json_get_string(body, "action_statement"),
                .reason = cr_json_get_string(body, "reason"),
        };
        const char *just = cr_json_get_string(body, "justification");
        if (finding_state_parse(cr_json_get_string(body, "state"), &c.state, err) < 0)
                return error_prefix(err, "field 'state': ");
        if (just && finding_justification_parse(just, &c.justification, err) < 0)
                return error_prefix(err, "field 'justification': ");
        if (finding_set_state(s, actor, id, &c, err) < 0)
                return -1;
        return vuln_finding_get(s, id, out, err);
}

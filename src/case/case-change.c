/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Changes to a case (case.h): the state machine, edits, the markers, the
 * links to the fixing release and campaign, and the KEV path. Each change
 * reads the row, checks, writes, and records one timeline and one audit
 * entry carrying the actor and the reason, in one transaction.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "case/case-internal.h"
#include "core/cleanup.h"
#include "core/strutil.h"
#include "core/time.h"

/* from -> to. Terminal-ish states (closed, rejected, duplicate,
 * not_a_vulnerability) only reopen to triaging. */
static const unsigned transitions[] = {
        [CASE_RECEIVED] = 1u << CASE_TRIAGING | 1u << CASE_REJECTED | 1u << CASE_DUPLICATE |
                          1u << CASE_NOT_A_VULNERABILITY,
        [CASE_TRIAGING] = 1u << CASE_CONFIRMED | 1u << CASE_REJECTED | 1u << CASE_DUPLICATE |
                          1u << CASE_NOT_A_VULNERABILITY,
        [CASE_CONFIRMED] = 1u << CASE_FIX_IN_PROGRESS | 1u << CASE_FIX_AVAILABLE | 1u << CASE_DUPLICATE |
                           1u << CASE_NOT_A_VULNERABILITY,
        [CASE_FIX_IN_PROGRESS] = 1u << CASE_FIX_AVAILABLE | 1u << CASE_CONFIRMED,
        [CASE_FIX_AVAILABLE] = 1u << CASE_DISCLOSED | 1u << CASE_CLOSED | 1u << CASE_FIX_IN_PROGRESS,
        [CASE_DISCLOSED] = 1u << CASE_CLOSED,
        [CASE_CLOSED] = 1u << CASE_TRIAGING,
        [CASE_REJECTED] = 1u << CASE_TRIAGING,
        [CASE_DUPLICATE] = 1u << CASE_TRIAGING,
        [CASE_NOT_A_VULNERABILITY] = 1u << CASE_TRIAGING,
};

bool case_transition_allowed(enum case_state from, enum case_state to) {
        if ((size_t) from >= ELEMENTSOF(transitions) || (size_t) to > CASE_NOT_A_VULNERABILITY)
                return false;
        return (transitions[from] >> to) & 1u;
}

static int row_get(struct store *s, const char *ref, struct store_case *row, struct error *err) {
        if (!ref || !*ref)
                return error_set(err, ERROR_INVALID, "case: an id or reference is required");
        bool digits = strspn(ref, "0123456789") == strlen(ref) && strlen(ref) <= 18;
        if (digits)
                return store_case_get(s, strtoll(ref, NULL, 10), NULL, row, err);
        return store_case_get(s, 0, ref, row, err);
}

/* The transaction of one change: our own, or the caller's (the KEV hook). */
struct change {
        bool own_tx;
};

static int change_begin(struct store *s, struct change *c, struct error *err) {
        c->own_tx = !store_in_transaction(s);
        return c->own_tx ? store_tx_begin(s, err) : 0;
}

static void change_abort(struct store *s, struct change *c) {
        if (c->own_tx)
                store_tx_rollback(s);
}

/* Writes the row, reloads it, records the change, commits. */
static int change_finish(struct store *s, struct change *ch, const struct audit_actor *actor,
                         struct store_case *row, const char *what, json_t *details, struct case_info *out,
                         struct error *err) {
        struct case_info info = {0};
        struct store_case fresh = {0};
        row->updated_at = time_now();
        if (store_case_update(s, row, err) < 0 || store_case_get(s, row->id, NULL, &fresh, err) < 0)
                goto fail;
        if (case_load(s, &fresh, &info, err) < 0)
                goto fail;
        store_case_clear(&fresh);
        if (case_record_change(s, actor, &info, what, details, err) < 0)
                goto fail;
        if (ch->own_tx && store_tx_commit(s, err) < 0) {
                case_info_free(&info);
                return -1;
        }
        if (out)
                *out = info;
        else
                case_info_free(&info);
        return 0;
fail:
        store_case_clear(&fresh);
        case_info_free(&info);
        change_abort(s, ch);
        return -1;
}

static void set_str(char **dst, const char *v) {
        free(*dst);
        *dst = v && *v ? str_dup(v) : NULL;
}

static json_t *time_json(int64_t t) {
        if (!t)
                return json_null();
        char buf[TIME_RFC3339_LEN];
        time_format_rfc3339(t, buf);
        return json_string(buf);
}

/* ---- state ---- */

int case_set_state(struct store *s, const struct audit_actor *actor, const char *ref, enum case_state to,
                   const char *reason, const char *duplicate_of, struct case_info *out, struct error *err) {
        if (out)
                memset(out, 0, sizeof(*out));
        if ((unsigned) to > CASE_NOT_A_VULNERABILITY)
                return error_set(err, ERROR_INVALID, "state: out of range");
        if (case_text_check("reason", reason, CASE_REASON_MAX, true, true, err) < 0)
                return -1;
        if (to == CASE_DUPLICATE && (!duplicate_of || !*duplicate_of))
                return error_set(err, ERROR_INVALID, "duplicate_of: a duplicate names the case it duplicates");
        if (to != CASE_DUPLICATE && duplicate_of)
                return error_set(err, ERROR_INVALID, "duplicate_of: only for the state duplicate");

        struct change ch;
        if (change_begin(s, &ch, err) < 0)
                return -1;
        _cleanup_(store_case_clear) struct store_case row = {0};
        struct store_case dup = {0};
        _cleanup_json_ json_t *d = NULL;
        enum case_state from;
        if (row_get(s, ref, &row, err) < 0)
                goto fail;
        if (case_state_parse(row.state, &from, err) < 0)
                goto fail;
        if (!case_transition_allowed(from, to)) {
                error_set(err, ERROR_CONFLICT, "case %s: cannot go from %s to %s", row.reference,
                          case_state_name(from), case_state_name(to));
                goto fail;
        }
        int64_t now = time_now();
        row.duplicate_of = 0;
        if (to == CASE_DUPLICATE) {
                if (row_get(s, duplicate_of, &dup, err) < 0)
                        goto fail;
                if (dup.id == row.id) {
                        error_set(err, ERROR_INVALID, "duplicate_of: case %s cannot duplicate itself", row.reference);
                        store_case_clear(&dup);
                        goto fail;
                }
                row.duplicate_of = dup.id;
        }
        bool final_no = to == CASE_REJECTED || to == CASE_DUPLICATE || to == CASE_NOT_A_VULNERABILITY;
        set_str(&row.state_reason, final_no ? reason : NULL);
        free(row.state);
        row.state = str_dup(case_state_name(to));
        /* Leaving "received" is the acknowledgement the CVD clock waits for. */
        if (from == CASE_RECEIVED && !row.acknowledged_at)
                row.acknowledged_at = now;
        bool fix_recorded_now = false;
        if (to == CASE_FIX_AVAILABLE && !row.fix_available_at) {
                row.fix_available_at = now;
                fix_recorded_now = true;
        }
        if (to == CASE_DISCLOSED && !row.disclosed_at)
                row.disclosed_at = now;
        d = json_pack("{s:s, s:s, s:s}", "from", case_state_name(from), "to",
                                             case_state_name(to), "reason", reason);
        if (dup.id)
                json_object_set_new(d, "duplicate_of", json_string(dup.reference));
        if (fix_recorded_now)
                json_object_set_new(d, "fix_available_at", time_json(now));
        store_case_clear(&dup);
        return change_finish(s, &ch, actor, &row, "state", d, out, err);
fail:
        change_abort(s, &ch);
        return -1;
}

/* ---- edits ---- */

static void note_change(json_t *changes, const char *field, const char *from, const char *to) {
        if (str_eq(from, to))
                return;
        json_object_set_new(changes, field, json_pack("{s:s?, s:s?}", "from", from, "to", to));
}

static int edit_text(json_t *changes, const char *field, char **dst, const char *v, size_t max, bool required,
                     bool multiline, struct error *err) {
        if (!v)
                return 0;
        if (case_text_check(field, v, max, required, multiline, err) < 0)
                return -1;
        const char *nv = *v ? v : NULL;
        note_change(changes, field, *dst, nv);
        set_str(dst, nv);
        return 0;
}

int case_edit(struct store *s, const struct audit_actor *actor, const char *ref, const struct case_edit *e,
              struct case_info *out, struct error *err) {
        if (out)
                memset(out, 0, sizeof(*out));
        const char *sev = NULL;
        if (case_text_check("reason", e->reason, CASE_REASON_MAX, false, true, err) < 0 ||
            case_ids_check(e->add_ids, err) < 0)
                return -1;
        struct change ch;
        if (change_begin(s, &ch, err) < 0)
                return -1;
        _cleanup_(store_case_clear) struct store_case row = {0};
        _cleanup_json_ json_t *changes = json_object();
        _cleanup_json_ json_t *d = NULL;
        if (row_get(s, ref, &row, err) < 0 ||
            edit_text(changes, "title", &row.title, e->title, CASE_TITLE_MAX, true, false, err) < 0 ||
            edit_text(changes, "summary", &row.summary, e->summary, CASE_SUMMARY_MAX, true, true, err) < 0 ||
            edit_text(changes, "owner", &row.owner, e->owner, CASE_OWNER_MAX, false, false, err) < 0 ||
            edit_text(changes, "impact", &row.impact, e->impact, CASE_IMPACT_MAX, false, true, err) < 0 ||
            edit_text(changes, "version_range", &row.version_range, e->version_range, CASE_VERSION_RANGE_MAX,
                      false, false, err) < 0 ||
            edit_text(changes, "reporter_credit", &row.reporter_credit, e->reporter_credit, CASE_CREDIT_MAX, false,
                      false, err) < 0)
                goto fail;
        if (e->cvss31_vector || e->cvss40_vector) {
                const char *v31 = e->cvss31_vector ? e->cvss31_vector : row.cvss31_vector;
                const char *v40 = e->cvss40_vector ? e->cvss40_vector : row.cvss40_vector;
                if (v31 && !*v31)
                        v31 = NULL;
                if (v40 && !*v40)
                        v40 = NULL;
                if (case_cvss_check(v31, v40, &sev, err) < 0)
                        goto fail;
                note_change(changes, "cvss31_vector", row.cvss31_vector, v31);
                note_change(changes, "cvss40_vector", row.cvss40_vector, v40);
                note_change(changes, "severity", row.severity, sev);
                char *n31 = str_dup(v31), *n40 = str_dup(v40);
                free(row.cvss31_vector);
                free(row.cvss40_vector);
                row.cvss31_vector = n31;
                row.cvss40_vector = n40;
                set_str(&row.severity, sev);
        }
        if (e->vuln_id || e->release_id || e->component_id || e->finding_id) {
                if (case_link_point_check(s, e->vuln_id, e->release_id, e->component_id, e->finding_id, err) < 0)
                        goto fail;
                json_t *lp = json_object();
                if (e->vuln_id)
                        json_object_set_new(lp, "vuln_id", json_integer(row.vuln_id = e->vuln_id));
                if (e->release_id)
                        json_object_set_new(lp, "release_id", json_integer(row.release_id = e->release_id));
                if (e->component_id)
                        json_object_set_new(lp, "component_id", json_integer(row.component_id = e->component_id));
                if (e->finding_id)
                        json_object_set_new(lp, "finding_id", json_integer(row.finding_id = e->finding_id));
                json_object_set_new(changes, "link", lp);
        }
        if (e->add_ids) {
                const char *kind;
                json_t *arr;
                json_object_foreach((json_t *) e->add_ids, kind, arr) {
                        size_t i;
                        json_t *v;
                        json_array_foreach(arr, i, v) {
                                if (store_case_id_add(s, row.id, kind, json_string_value(v), err) < 0)
                                        goto fail;
                        }
                }
                json_object_set_new(changes, "add_ids", json_deep_copy(e->add_ids));
        }
        if (e->n_add_affected) {
                json_t *a = json_array();
                json_object_set_new(changes, "add_affected", a);
                for (size_t i = 0; i < e->n_add_affected; i++) {
                        bool exists;
                        int64_t product = 0;
                        const struct case_affected *x = &e->add_affected[i];
                        if (store_case_ref_exists(s, "product", x->product_id, NULL, &exists, err) < 0)
                                goto fail;
                        if (!exists) {
                                error_set(err, ERROR_INVALID, "affected[%zu]: no product with id %lld", i,
                                          (long long) x->product_id);
                                goto fail;
                        }
                        if (x->release_id) {
                                if (store_case_ref_exists(s, "release", x->release_id, &product, &exists, err) < 0)
                                        goto fail;
                                if (!exists || product != x->product_id) {
                                        error_set(err, ERROR_INVALID,
                                                  "affected[%zu]: release %lld is not a release of product %lld", i,
                                                  (long long) x->release_id, (long long) x->product_id);
                                        goto fail;
                                }
                        }
                        if (store_case_affected_add(s, row.id, x->product_id, x->release_id, err) < 0)
                                goto fail;
                        json_array_append_new(a, json_pack("{s:I, s:I}", "product_id", (json_int_t) x->product_id,
                                                           "release_id", (json_int_t) x->release_id));
                }
        }
        if (json_object_size(changes) == 0) {
                error_set(err, ERROR_INVALID, "case %s: nothing to change", row.reference);
                goto fail;
        }
        d = json_pack("{s:O, s:s?}", "changes", changes, "reason", e->reason);
        return change_finish(s, &ch, actor, &row, "edit", d, out, err);
fail:
        change_abort(s, &ch);
        return -1;
}

/* ---- markers ---- */

int case_mark_aware(struct store *s, const struct audit_actor *actor, const char *ref, bool exploited,
                    bool severe_incident, int64_t at, const char *how, int64_t occurred_at, const char *reason,
                    struct case_info *out, struct error *err) {
        if (out)
                memset(out, 0, sizeof(*out));
        if (!exploited && !severe_incident)
                return error_set(err, ERROR_INVALID, "aware: say --exploited or --severe-incident (or both)");
        if (case_text_check("how", how, CASE_HOW_MAX, true, true, err) < 0 ||
            case_text_check("reason", reason, CASE_REASON_MAX, false, true, err) < 0)
                return -1;
        int64_t now = time_now();
        if (!at)
                at = now;
        if (at > now + 300)
                return error_set(err, ERROR_INVALID, "at: the awareness time lies in the future");
        if (occurred_at > now + 300)
                return error_set(err, ERROR_INVALID, "occurred_at: lies in the future");
        struct change ch;
        if (change_begin(s, &ch, err) < 0)
                return -1;
        _cleanup_(store_case_clear) struct store_case row = {0};
        _cleanup_json_ json_t *d = NULL;
        if (row_get(s, ref, &row, err) < 0)
                goto fail;
        d = json_pack("{s:b, s:b, s:o, s:s, s:s?}", "exploited", exploited,
                                             "severe_incident", severe_incident, "aware_at_given", time_json(at),
                                             "how", how, "reason", reason);
        if (!row.aware_at || at < row.aware_at) {
                json_object_set_new(d, "aware_at_before", time_json(row.aware_at));
                row.aware_at = at;
                set_str(&row.aware_how, how);
        } else {
                /* Keeping the earlier awareness: a later one would postpone the deadlines. */
                json_object_set_new(d, "aware_at_kept", time_json(row.aware_at));
        }
        if (exploited)
                row.exploited = true;
        if (severe_incident)
                row.severe_incident = true;
        if (occurred_at)
                row.incident_occurred_at = occurred_at;
        return change_finish(s, &ch, actor, &row, "aware", d, out, err);
fail:
        change_abort(s, &ch);
        return -1;
}

/* ---- links ---- */

int case_link(struct store *s, const struct audit_actor *actor, const char *ref, int64_t fix_release_id,
              int64_t campaign_id, int64_t mitigation_at, const char *reason, struct case_info *out,
              struct error *err) {
        if (out)
                memset(out, 0, sizeof(*out));
        if (!fix_release_id && !campaign_id && !mitigation_at)
                return error_set(err, ERROR_INVALID, "link: give a fixing release, a campaign or a mitigation time");
        if (fix_release_id < 0 || campaign_id < 0)
                return error_set(err, ERROR_INVALID, "link: ids must be positive");
        if (case_text_check("reason", reason, CASE_REASON_MAX, false, true, err) < 0)
                return -1;
        int64_t now = time_now();
        if (mitigation_at > now + 300)
                return error_set(err, ERROR_INVALID, "mitigation_at: lies in the future");
        struct change ch;
        if (change_begin(s, &ch, err) < 0)
                return -1;
        _cleanup_(store_case_clear) struct store_case row = {0};
        struct store_case_affected_row *aff = NULL;
        size_t naff = 0;
        _cleanup_json_ json_t *d = NULL;
        int64_t release = 0, candidate = 0;
        const char *basis = NULL;
        if (row_get(s, ref, &row, err) < 0)
                goto fail;
        d = json_pack("{s:s?}", "reason", reason);
        release = fix_release_id ? fix_release_id : row.fix_release_id;
        if (fix_release_id) {
                bool exists;
                int64_t product = 0;
                if (store_case_ref_exists(s, "release", fix_release_id, &product, &exists, err) < 0)
                        goto fail;
                if (!exists) {
                        error_set(err, ERROR_INVALID, "fix_release: no release with id %lld",
                                  (long long) fix_release_id);
                        goto fail;
                }
                if (store_case_affected_read(s, row.id, &aff, &naff, err) < 0)
                        goto fail;
                bool ours = naff == 0;
                for (size_t i = 0; i < naff; i++)
                        ours = ours || aff[i].product_id == product;
                free(aff);
                aff = NULL;
                if (!ours) {
                        error_set(err, ERROR_INVALID,
                                  "fix_release: release %lld is of product %lld, which case %s does not list as "
                                  "affected",
                                  (long long) fix_release_id, (long long) product, row.reference);
                        goto fail;
                }
                row.fix_release_id = fix_release_id;
                json_object_set_new(d, "fix_release_id", json_integer(fix_release_id));
        }
        if (campaign_id) {
                int64_t crel;
                if (store_case_campaign_release(s, campaign_id, &crel, err) < 0)
                        goto fail;
                if (!crel) {
                        error_set(err, ERROR_INVALID, "campaign: no campaign with id %lld", (long long) campaign_id);
                        goto fail;
                }
                if (!release) {
                        error_set(err, ERROR_INVALID, "campaign: link the fixing release first (or with it)");
                        goto fail;
                }
                if (crel != release) {
                        error_set(err, ERROR_INVALID, "campaign: campaign %lld rolls out release %lld, not the "
                                  "fixing release %lld", (long long) campaign_id, (long long) crel, (long long) release);
                        goto fail;
                }
                row.fix_campaign_id = campaign_id;
                json_object_set_new(d, "fix_campaign_id", json_integer(campaign_id));
        }
        /* The measure's time only ever moves earlier: a later one would postpone the final report. */
        candidate = mitigation_at;
        basis = mitigation_at ? "mitigation recorded" : NULL;
        if (fix_release_id) {
                bool published;
                int64_t published_at;
                if (store_case_release_published(s, fix_release_id, &published, &published_at, err) < 0)
                        goto fail;
                if (published && published_at && (!candidate || published_at < candidate)) {
                        candidate = published_at;
                        basis = "fixing release published";
                }
        }
        if (candidate && (!row.fix_available_at || candidate < row.fix_available_at)) {
                json_object_set_new(d, "fix_available_at", time_json(candidate));
                json_object_set_new(d, "fix_available_basis", json_string(basis));
                row.fix_available_at = candidate;
        } else if (candidate) {
                json_object_set_new(d, "fix_available_at_kept", time_json(row.fix_available_at));
        }
        return change_finish(s, &ch, actor, &row, "link", d, out, err);
fail:
        free(aff);
        change_abort(s, &ch);
        return -1;
}

/* ---- the KEV path ---- */

/* The affected rows the findings give: one per release they are in, or the
 * whole product when no release is named. Heap array (*n rows; NULL, 0 when
 * there is no product). */
static struct case_affected *exploited_affected(const struct case_exploited_vuln *e, size_t *n) {
        *n = 0;
        if (!e->product_id)
                return NULL;
        struct case_affected *a = xcalloc(e->n_release_ids ? e->n_release_ids : 1, sizeof(*a));
        for (size_t i = 0; i < e->n_release_ids; i++)
                a[(*n)++] = (struct case_affected){.product_id = e->product_id, .release_id = e->release_ids[i]};
        if (*n == 0)
                a[(*n)++] = (struct case_affected){.product_id = e->product_id};
        return a;
}

int case_vuln_exploited(struct store *s, const struct audit_actor *actor, const struct case_exploited_vuln *e,
                        struct case_info *out, bool *created, struct error *err) {
        if (out)
                memset(out, 0, sizeof(*out));
        if (created)
                *created = false;
        if (!e->vuln || !*e->vuln || !e->how || !*e->how)
                return error_set(err, ERROR_INVALID, "case_vuln_exploited: vulnerability and how are required");
        struct change ch;
        if (change_begin(s, &ch, err) < 0)
                return -1;
        int64_t vuln_id;
        struct store_case row = {0};
        struct case_info info = {0};
        if (store_case_vuln_id(s, e->vuln, &vuln_id, err) < 0)
                goto fail;
        if (!vuln_id) {
                error_set(err, ERROR_INVALID, "vulnerability '%s' is not known", e->vuln);
                goto fail;
        }
        size_t naff_new = 0;
        int rc = store_case_by_vuln(s, vuln_id, &row, err);
        if (rc < 0)
                goto fail;
        char ref[40];
        if (rc == 0) {
                char title[CASE_TITLE_MAX + 1];
                snprintf(title, sizeof(title), "%s: actively exploited", e->vuln);
                _cleanup_free_ char *summary =
                        str_printf("Vulnerability management found %s in a released product, and it is listed as "
                                   "actively exploited (%s). Opened automatically; triage it.",
                                   e->vuln, e->how);
                _cleanup_json_ json_t *ids = NULL;
                if (case_id_check("cve", e->vuln, NULL) == 0)
                        ids = json_pack("{s:[s]}", "cve", e->vuln);
                else if (case_id_check("ghsa", e->vuln, NULL) == 0)
                        ids = json_pack("{s:[s]}", "ghsa", e->vuln);
                _cleanup_free_ struct case_affected *aff = exploited_affected(e, &naff_new);
                /* The vulnerability's own CVSS vector (NVD's first), so the
                 * case, its reports and its advisory carry a score from the
                 * start; one the case cannot take is left out, never an
                 * error: the hook must open the case. */
                _cleanup_free_ char *vector = NULL;
                if (store_case_vuln_cvss(s, vuln_id, &vector, err) < 0)
                        goto fail;
                const char *v31 = vector && strncmp(vector, "CVSS:3.", 7) == 0 ? vector : NULL;
                const char *v40 = vector && strncmp(vector, "CVSS:4.0/", 9) == 0 ? vector : NULL;
                struct error ignored = {0};
                const char *sev_unused;
                if ((v31 || v40) && case_cvss_check(v31, v40, &sev_unused, &ignored) < 0)
                        v31 = v40 = NULL;
                struct case_new n = {.kind = CASE_VULNERABILITY,
                                     .source = CASE_SOURCE_FINDING,
                                     .title = title,
                                     .summary = summary,
                                     .ids = ids,
                                     .affected = aff,
                                     .naffected = naff_new,
                                     .cvss31_vector = v31,
                                     .cvss40_vector = v40,
                                     .vuln_id = vuln_id,
                                     .finding_id = e->n_findings ? e->finding_ids[0] : 0};
                /* case_create takes its own transaction unless one is open: open one so both steps are one. */
                if (case_create(s, actor, &n, 0, 0, &info, err) < 0)
                        goto fail;
                if (created)
                        *created = true;
                snprintf(ref, sizeof(ref), "%s", info.reference);
                case_info_free(&info);
        } else {
                snprintf(ref, sizeof(ref), "%s", row.reference);
                struct store_case_affected_row *have = NULL;
                size_t nhave = 0;
                if (e->product_id && store_case_affected_read(s, row.id, &have, &nhave, err) < 0)
                        goto fail;
                /* Only what the case does not list yet: a product, or a release of it. */
                _cleanup_free_ struct case_affected *add = exploited_affected(e, &naff_new);
                size_t nadd = 0;
                for (size_t k = 0; k < naff_new; k++) {
                        bool listed = false;
                        for (size_t i = 0; i < nhave; i++)
                                listed = listed || (have[i].product_id == add[k].product_id &&
                                                    have[i].release_id == add[k].release_id);
                        if (!listed)
                                add[nadd++] = add[k];
                }
                free(have);
                if (nadd) {
                        struct case_edit ed = {.add_affected = add, .n_add_affected = nadd,
                                               .reason = "the actively exploited vulnerability was found in it"};
                        if (case_edit(s, actor, ref, &ed, NULL, err) < 0)
                                goto fail;
                }
                if (row.exploited) {
                        /* Idempotent: already marked; awareness stays the first one. */
                        store_case_clear(&row);
                        if (ch.own_tx && store_tx_commit(s, err) < 0)
                                return -1;
                        return out ? case_get(s, ref, out, err) : 0;
                }
        }
        store_case_clear(&row);
        if (case_mark_aware(s, actor, ref, true, false, e->learnt_at, e->how, 0,
                            "vulnerability management: listed as actively exploited", NULL, err) < 0)
                goto fail;
        if (ch.own_tx && store_tx_commit(s, err) < 0)
                return -1;
        return out ? case_get(s, ref, out, err) : 0;
fail:
        store_case_clear(&row);
        case_info_free(&info);
        change_abort(s, &ch);
        return -1;
}

/* SPDX-License-Identifier: Apache-2.0 */
/* SRP report packages and submission records (report.h). */
#include "case/report.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "campaign/campaign.h"
#include "case/clock.h"
#include "core/cleanup.h"
#include "core/strutil.h"
#include "core/time.h"
#include "crypto/hash.h"
#include "store/store-case.h"
#include "store/store-exposure.h"
#include "store/store-notify.h"
#include "store/store-srp.h"

void case_report_free(struct case_report *r) {
        json_decref(r->package);
        json_decref(r->missing);
        free(r->markdown);
        memset(r, 0, sizeof(*r));
}

static enum srp_track track_of(const struct case_info *c) {
        return (c->kind == CASE_INCIDENT || (c->severe_incident && !c->exploited)) ? SRP_TRACK_INCIDENT
                                                                                   : SRP_TRACK_VULNERABILITY;
}

static void put_str(json_t *f, const char *k, const char *v) {
        if (v && *v)
                json_object_set_new(f, k, json_string(v));
}

static void put_time(json_t *f, const char *k, int64_t t) {
        if (t <= 0)
                return;
        char b[TIME_RFC3339_LEN];
        time_format_rfc3339(t, b);
        json_object_set_new(f, k, json_string(b));
}

/* Code points of a UTF-8 string (jansson strings are valid UTF-8). */
static size_t utf8_len(const char *s) {
        size_t n = 0;
        for (; *s; s++)
                if (((unsigned char) *s & 0xC0) != 0x80)
                        n++;
        return n;
}

static const char *ids_first(const json_t *ids, const char *kind) {
        const json_t *a = json_object_get(ids, kind);
        return json_is_array(a) && json_array_size(a) ? json_string_value(json_array_get(a, 0)) : NULL;
}

/* Layer 1: the case and its first affected product. */
static int prefill_case(struct store *s, const struct case_info *c, enum srp_track t, json_t *f, struct error *err) {
        put_str(f, "title", c->title);
        put_str(f, "summary", c->summary);
        put_str(f, "cve_id", ids_first(c->ids, "cve"));
        put_str(f, "euvd_id", ids_first(c->ids, "euvd"));
        if (c->severity || c->impact) {
                char b[1024];
                snprintf(b, sizeof(b), "%s%s%s", c->severity ? c->severity : "", c->severity && c->impact ? "; " : "",
                         c->impact ? c->impact : "");
                put_str(f, t == SRP_TRACK_INCIDENT ? "severity_impact_incident" : "severity_impact", b);
        }
        put_time(f, t == SRP_TRACK_INCIDENT ? "awareness_time_incident" : "awareness_time", c->aware_at);
        if (t == SRP_TRACK_INCIDENT)
                put_time(f, "occurrence_time", c->incident_occurred_at);
        if (c->naffected == 0)
                return 0;
        struct store_srp_product p;
        if (store_srp_product_get(s, c->affected[0].product_id, &p, err) < 0)
                return -1;
        put_str(f, "manufacturer", p.manufacturer);
        put_str(f, "member_states", p.member_states);
        char b[600];
        snprintf(b, sizeof(b), "%s (%s)", p.name, p.model);
        put_str(f, "product_name", b);
        store_srp_product_clear(&p);
        if (c->version_range && *c->version_range) {
                put_str(f, "product_version", c->version_range);
                return 0;
        }
        struct buf v = {0};
        for (size_t i = 0; i < c->naffected; i++) {
                if (!c->affected[i].release_id)
                        continue;
                _cleanup_free_ char *ver = NULL;
                int64_t pub;
                if (store_srp_release_get(s, c->affected[i].release_id, &ver, &pub, err) < 0) {
                        buf_free(&v);
                        return -1;
                }
                buf_appendf(&v, "%s%s", v.len ? ", " : "", ver);
        }
        if (v.len)
                put_str(f, "product_version", v.data);
        buf_free(&v);
        return 0;
}

/* Layer 2: the fields of the latest earlier submission (of any stage). */
static int prefill_submitted(struct store *s, int64_t case_id, json_t *f, struct error *err) {
        struct store_srp_submission *l;
        size_t n;
        if (store_srp_submissions(s, case_id, &l, &n, err) < 0)
                return -1;
        for (size_t i = 0; i < n; i++) {
                json_t *pkg = json_loads(l[i].content, 0, NULL);
                json_t *fields = json_object_get(pkg, "fields");
                const char *k;
                json_t *v;
                json_object_foreach(fields, k, v) json_object_set(f, k, v);
                json_decref(pkg);
        }
        store_srp_submissions_free(l, n);
        return 0;
}

/* Layer 3: live data. Affected units run a version of an affected product
 * other than the fixing release's; patched units run the fixing release.
 * Counted by issue 9's exposure reads (store-exposure.h). */
static int prefill_live(struct store *s, const struct case_info *c, enum srp_stage stage, enum srp_track t,
                        json_t *f, struct error *err) {
        static const char *types[2][SRP_STAGE_N] = {
                {"vulnerability: early warning", "vulnerability: notification", "vulnerability: intermediate report",
                 "vulnerability: final report"},
                {"incident: early warning", "incident: notification", "incident: intermediate report",
                 "incident: final report"}};
        put_str(f, "notification_type", types[t][stage]);
        _cleanup_free_ char *fix_version = NULL;
        int64_t fix_pub = 0, fix_product = 0;
        if (c->fix_release_id) {
                if (store_srp_release_get(s, c->fix_release_id, &fix_version, &fix_pub, err) < 0)
                        return -1;
                bool exists;
                if (store_case_ref_exists(s, "release", c->fix_release_id, &fix_product, &exists, err) < 0)
                        return -1;
                if (fix_pub) {
                        char b[400];
                        char ts[TIME_RFC3339_LEN];
                        time_format_rfc3339(fix_pub, ts);
                        snprintf(b, sizeof(b), "Release %s, published %s", fix_version, ts);
                        if (!json_object_get(f, "update_details"))
                                put_str(f, "update_details", b);
                }
        }
        if (t == SRP_TRACK_VULNERABILITY)
                put_time(f, "measure_available_date", c->fix_available_at);
        if (c->naffected) {
                struct store_srp_product p;
                if (store_srp_product_get(s, c->affected[0].product_id, &p, err) < 0)
                        return -1;
                put_str(f, "end_of_support", p.support_end);
                store_srp_product_clear(&p);
        }
        int64_t affected = 0, patched = 0;
        for (size_t i = 0; i < c->naffected; i++) {
                if (i && c->affected[i].product_id == c->affected[i - 1].product_id)
                        continue;
                int64_t pid = c->affected[i].product_id;
                char **vers;
                size_t nv;
                if (store_exposure_product_versions(s, pid, &vers, &nv, err) < 0)
                        return -1;
                if (nv > STORE_EXPOSURE_VERSIONS_MAX)
                        nv = STORE_EXPOSURE_VERSIONS_MAX;
                struct store_exposure_group *g = NULL;
                size_t ng = 0;
                if (nv && store_exposure_count(s, pid, (const char *const *) vers, nv, &g, &ng, err) < 0) {
                        store_exposure_strings_free(vers, nv);
                        return -1;
                }
                for (size_t k = 0; k < ng; k++)
                        for (size_t j = 0; j < nv; j++) {
                                bool fixed = fix_version && pid == fix_product && strcmp(vers[j], fix_version) == 0;
                                if (fixed)
                                        patched += g[k].counts[j];
                                else
                                        affected += g[k].counts[j];
                        }
                store_exposure_groups_free(g, ng);
                store_exposure_strings_free(vers, nv);
        }
        if (c->naffected) {
                json_object_set_new(f, "affected_units", json_integer(affected));
                json_object_set_new(f, "patched_units", json_integer(patched));
        }
        /* The linked campaign's progress, as campaign show counts it. */
        if (c->fix_campaign_id) {
                json_t *cp = NULL;
                if (campaign_show(s, c->fix_campaign_id, time_now(), &cp, err) < 0)
                        return -1;
                json_t *d = json_object_get(cp, "devices");
                long long ok = (long long) json_integer_value(json_object_get(d, "succeeded"));
                long long failed = (long long) json_integer_value(json_object_get(d, "failed"));
                long long total = (long long) json_integer_value(json_object_get(d, "total"));
                char b[600];
                snprintf(b, sizeof(b), "Campaign \"%.200s\" (%s) rolling out release %.100s: %lld of %lld devices updated, "
                         "%lld failed, %lld not yet",
                         json_string_value(json_object_get(cp, "name")), json_string_value(json_object_get(cp, "status")),
                         json_string_value(json_object_get(cp, "release")), ok, total, failed, total - ok - failed);
                put_str(f, "campaign_progress", b);
                json_decref(cp);
        }
        return 0;
}

int case_report_fields_apply(const json_t *op, enum srp_glossary g, enum srp_track t, json_t *f, struct error *err) {
        if (!op)
                return 0;
        if (!json_is_object(op))
                return error_set(err, ERROR_INVALID, "report fields: expected a JSON object of field -> value");
        const char *k;
        json_t *v;
        json_object_foreach((json_t *) op, k, v) {
                const struct srp_field *fd = srp_field_find(k);
                if (!fd)
                        return error_set(err, ERROR_INVALID, "report fields: unknown field \"%s\"", k);
                if (!srp_field_applies(fd, g, t))
                        return error_set(err, ERROR_INVALID,
                                         "report fields: \"%s\" is not a field of the %s track in glossary %s", k,
                                         t == SRP_TRACK_INCIDENT ? "incident" : "vulnerability",
                                         srp_glossary_name(g));
                if (!json_is_string(v) && !json_is_integer(v) && !json_is_boolean(v) && !json_is_null(v))
                        return error_set(err, ERROR_INVALID,
                                         "report fields: \"%s\" must be a string, an integer or a boolean", k);
                if (json_is_null(v))
                        json_object_del(f, k);
                else
                        json_object_set(f, k, v);
        }
        return 0;
}

static bool has_value(const json_t *v) {
        return v && !json_is_null(v) && !(json_is_string(v) && json_string_length(v) == 0);
}

static char *value_text(const json_t *v) {
        if (json_is_string(v))
                return str_dup(json_string_value(v));
        if (json_is_integer(v))
                return str_printf("%lld", (long long) json_integer_value(v));
        if (json_is_boolean(v))
                return str_dup(json_is_true(v) ? "yes" : "no");
        return str_dup("");
}

/* Layer 4: the draft saved with the case for this stage (report-draft.c). */
static int prefill_draft(struct store *s, const struct case_info *c, enum srp_stage stage, enum srp_glossary g,
                         enum srp_track t, json_t *f, struct error *err) {
        _cleanup_free_ char *text = NULL;
        if (store_report_draft_get(s, c->id, srp_stage_name(stage), &text, NULL, NULL, err) < 0)
                return -1;
        if (!text)
                return 0;
        json_t *d = json_loads(text, 0, NULL);
        if (!d)
                return error_set(err, ERROR_INTERNAL, "the saved %s draft of %s cannot be read", srp_stage_name(stage),
                                 c->reference);
        int r = case_report_fields_apply(d, g, t, f, err);
        json_decref(d);
        if (r < 0)
                error_prefix(err, "the saved %s draft: ", srp_stage_name(stage));
        return r;
}

int case_report_build(struct store *s, const char *ref, enum srp_stage stage, enum srp_glossary g,
                      const json_t *operator_fields, struct case_report *out, struct error *err) {
        memset(out, 0, sizeof(*out));
        struct case_info c = {0};
        if (case_get(s, ref, &c, err) < 0)
                return -1;
        enum srp_track t = track_of(&c);
        json_t *f = json_object();
        if (prefill_case(s, &c, t, f, err) < 0 || prefill_submitted(s, c.id, f, err) < 0 ||
            prefill_live(s, &c, stage, t, f, err) < 0 || prefill_draft(s, &c, stage, g, t, f, err) < 0 ||
            case_report_fields_apply(operator_fields, g, t, f, err) < 0)
                goto fail;
        /* Keep only this track's and glossary's fields, in the form's order;
         * check lengths; name what is missing. */
        size_t nf;
        const struct srp_field *fs = srp_fields(&nf);
        json_t *ordered = json_object(), *missing = json_array();
        struct buf md = {0};
        buf_appendf(&md, "# SRP %s: %s\n\nCase %s, %s track, CRA SRP Glossary %s.\n\n", srp_stage_name(stage),
                    c.title, c.reference, t == SRP_TRACK_INCIDENT ? "incident" : "vulnerability",
                    srp_glossary_name(g));
        int pos = 0;
        for (size_t i = 0; i < nf; i++) {
                if (!srp_field_applies(&fs[i], g, t))
                        continue;
                json_t *v = json_object_get(f, fs[i].name);
                bool req = srp_field_required(&fs[i], stage);
                if (json_is_string(v) && fs[i].max_len && utf8_len(json_string_value(v)) > fs[i].max_len) {
                        error_set(err, ERROR_INVALID, "report field \"%s\" is %zu characters, over its limit of %zu",
                                  fs[i].name, utf8_len(json_string_value(v)), fs[i].max_len);
                        json_decref(ordered);
                        json_decref(missing);
                        buf_free(&md);
                        goto fail;
                }
                pos++;
                if (has_value(v)) {
                        json_object_set(ordered, fs[i].name, v);
                        _cleanup_free_ char *txt = value_text(v);
                        buf_appendf(&md, "## %d. %s%s\n`%s`\n\n%s\n\n", pos, fs[i].label, req ? " (required)" : "",
                                    fs[i].name, txt);
                } else {
                        if (req)
                                json_array_append_new(missing, json_string(fs[i].name));
                        buf_appendf(&md, "## %d. %s%s\n`%s`\n\n%s\n\n", pos, fs[i].label, req ? " (required)" : "",
                                    fs[i].name, req ? "**MISSING: required for this stage**" : "_not given_");
                }
        }
        if (json_array_size(missing)) {
                buf_appendf(&md, "---\nMissing required fields:");
                size_t i;
                json_t *m;
                json_array_foreach(missing, i, m) buf_appendf(&md, " %s", json_string_value(m));
                buf_appendf(&md, "\n");
        }
        out->package = json_pack("{s:s, s:s, s:s, s:s, s:o}", "case", c.reference, "stage", srp_stage_name(stage),
                                 "track", t == SRP_TRACK_INCIDENT ? "incident" : "vulnerability", "glossary",
                                 srp_glossary_name(g), "fields", ordered);
        out->missing = missing;
        out->markdown = buf_steal(&md);
        json_decref(f);
        case_info_free(&c);
        return 0;
fail:
        json_decref(f);
        case_info_free(&c);
        return -1;
}

static enum case_clock_name clock_of(const char *stage) {
        if (strcmp(stage, "early-warning") == 0)
                return CASE_CLOCK_EARLY_WARNING;
        if (strcmp(stage, "notification") == 0)
                return CASE_CLOCK_NOTIFICATION;
        if (strcmp(stage, "final") == 0)
                return CASE_CLOCK_FINAL;
        return CASE_CLOCK_N;
}

int case_report_submitted_times(struct store *s, int64_t case_id, int64_t out[3], struct error *err) {
        out[0] = out[1] = out[2] = 0;
        struct store_srp_submission *l;
        size_t n;
        if (store_srp_submissions(s, case_id, &l, &n, err) < 0)
                return -1;
        for (size_t i = 0; i < n; i++) {
                enum case_clock_name k = clock_of(l[i].stage);
                if (k < CASE_CLOCK_N && (!out[k] || l[i].submitted_at < out[k]))
                        out[k] = l[i].submitted_at;
        }
        store_srp_submissions_free(l, n);
        return 0;
}

int case_report_submit(struct store *s, const struct audit_actor *actor, const char *ref, enum srp_stage stage,
                       enum srp_glossary g, const json_t *operator_fields, const char *srp_ref, int64_t at,
                       int64_t now, json_t **out, struct error *err) {
        if (!srp_ref || !*srp_ref || strlen(srp_ref) > 200)
                return error_set(err, ERROR_INVALID, "submitted: --srp-ref is required (1-200 characters)");
        if (at == 0)
                at = now;
        if (at > now)
                return error_set(err, ERROR_INVALID, "submitted: the submission time is in the future");
        struct case_report r;
        if (case_report_build(s, ref, stage, g, operator_fields, &r, err) < 0)
                return -1;
        if (json_array_size(r.missing)) {
                struct buf b = {0};
                size_t i;
                json_t *m;
                json_array_foreach(r.missing, i, m) buf_appendf(&b, "%s%s", i ? ", " : "", json_string_value(m));
                error_set(err, ERROR_INVALID, "submitted: the %s package lacks required fields: %s",
                          srp_stage_name(stage), b.data);
                buf_free(&b);
                case_report_free(&r);
                return -1;
        }
        struct case_info c = {0};
        /* declared before the first goto: the error paths below run its cleanup */
        _cleanup_free_ char *object = NULL;
        _cleanup_free_ char *content = json_dumps(r.package, JSON_SORT_KEYS | JSON_COMPACT);
        const char *track =
                strcmp(json_string_value(json_object_get(r.package, "track")), "incident") == 0 ? "incident"
                                                                                                : "vulnerability";
        case_report_free(&r);
        if (case_get(s, ref, &c, err) < 0)
                return -1;
        bool own = !store_in_transaction(s);
        if (own && store_tx_begin(s, err) < 0)
                goto fail;
        struct case_clock_input in = {.exploited = c.exploited,
                                      .severe_incident = c.severe_incident,
                                      .aware_at = c.aware_at,
                                      .fix_available_at = c.fix_available_at};
        if (case_report_submitted_times(s, c.id, in.submitted_at, err) < 0)
                goto rollback;
        enum case_clock_name k = clock_of(srp_stage_name(stage));
        struct case_clock clocks[2 * CASE_CLOCK_N];
        size_t nc = case_clocks_compute(&in, clocks);
        int64_t due = 0;
        enum case_clock_track want = strcmp(track, "incident") == 0 ? CASE_TRACK_INCIDENT : CASE_TRACK_VULNERABILITY;
        for (size_t i = 0; k < CASE_CLOCK_N && i < nc; i++)
                if (clocks[i].track == want && clocks[i].name == k && clocks[i].known)
                        due = clocks[i].due;
        char sha[SHA256_HEX_LEN];
        hash_sha256_hex(content, strlen(content), sha);
        struct store_srp_submission sub = {
                .case_id = c.id, .stage = (char *) srp_stage_name(stage), .track = (char *) track,
                .glossary = (char *) srp_glossary_name(g), .srp_ref = (char *) srp_ref, .submitted_at = at,
                /* the person; a token without one (system) by its name */
                .submitted_by = (char *) (actor->user && *actor->user ? actor->user : actor->name),
                .recorded_at = now, .content = content, .content_sha256 = sha,
                .due_at = due, .late_by = due ? case_clock_lateness(due, at, now) : 0};
        int64_t id;
        if (store_srp_submission_insert(s, &sub, &id, err) < 0)
                goto rollback;
        char ts[TIME_RFC3339_LEN];
        time_format_rfc3339(at, ts);
        json_t *d = json_pack("{s:I, s:s, s:s, s:s, s:s, s:I}", "submission", (json_int_t) id, "stage",
                              srp_stage_name(stage), "srp_ref", srp_ref, "submitted_at", ts, "content_sha256", sha,
                              "late_by_seconds", (json_int_t) sub.late_by);
        object = str_printf("case/%s", c.reference);
        int rc = case_timeline_append(s, c.id, actor, "submitted", d, err) < 0 ||
                                 audit_append(s, actor, "case.submitted", object, d, err) < 0
                         ? -1
                         : 0;
        json_decref(d);
        if (rc < 0 || (own && store_tx_commit(s, err) < 0))
                goto rollback;
        int ret = case_submissions_json(s, c.reference, out, err);
        case_info_free(&c);
        return ret;
rollback:
        if (own)
                store_tx_rollback(s);
fail:
        case_info_free(&c);
        return -1;
}

int case_submissions_json(struct store *s, const char *ref, json_t **out, struct error *err) {
        struct case_info c = {0};
        if (case_get(s, ref, &c, err) < 0)
                return -1;
        struct store_srp_submission *l;
        size_t n;
        if (store_srp_submissions(s, c.id, &l, &n, err) < 0) {
                case_info_free(&c);
                return -1;
        }
        json_t *items = json_array();
        for (size_t i = 0; i < n; i++) {
                char at[TIME_RFC3339_LEN], rec[TIME_RFC3339_LEN], due[TIME_RFC3339_LEN], late[64];
                time_format_rfc3339(l[i].submitted_at, at);
                time_format_rfc3339(l[i].recorded_at, rec);
                if (l[i].due_at)
                        time_format_rfc3339(l[i].due_at, due);
                case_clock_format_duration(l[i].late_by, late, sizeof(late));
                json_t *pkg = json_loads(l[i].content, 0, NULL);
                json_array_append_new(
                        items,
                        json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:b, s:I, s:s, s:s, s:o, s:o}", "id",
                                  (json_int_t) l[i].id, "stage", l[i].stage, "track", l[i].track, "glossary",
                                  l[i].glossary, "srp_ref", l[i].srp_ref, "submitted_at", at, "submitted_by",
                                  l[i].submitted_by, "recorded_at", rec, "due_at",
                                  l[i].due_at ? json_string(due) : json_null(), "late", l[i].late_by > 0,
                                  "late_by_seconds", (json_int_t) l[i].late_by, "late_by", late, "content_sha256",
                                  l[i].content_sha256, "content", pkg ? pkg : json_string(l[i].content), "corrects",
                                  l[i].corrects ? json_integer(l[i].corrects) : json_null()));
        }
        store_srp_submissions_free(l, n);
        *out = json_pack("{s:s, s:o}", "case", c.reference, "items", items);
        case_info_free(&c);
        return 0;
}

/* SPDX-License-Identifier: Apache-2.0 */
/* SRP report drafts saved with a case, per stage (report.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "case/report.h"
#include "core/cleanup.h"
#include "core/json.h"
#include "core/strutil.h"
#include "core/time.h"
#include "store/store-notify.h"

static enum srp_track track_of(const struct case_info *c) {
        return (c->kind == CASE_INCIDENT || (c->severe_incident && !c->exploited)) ? SRP_TRACK_INCIDENT
                                                                                   : SRP_TRACK_VULNERABILITY;
}

static json_t *time_or_null(int64_t t) {
        if (!t)
                return json_null();
        char b[TIME_RFC3339_LEN];
        time_format_rfc3339(t, b);
        return json_string(b);
}

int case_report_draft_get_json(struct store *s, const char *ref, const char *stage, json_t **out, struct error *err) {
        *out = NULL;
        enum srp_stage st;
        if (!stage || srp_stage_parse(stage, &st) < 0)
                return error_set(err, ERROR_INVALID,
                                 "stage \"%s\" is not one of early-warning, notification, intermediate, final",
                                 stage ? stage : "");
        struct case_info c;
        if (case_get(s, ref, &c, err) < 0)
                return -1;
        _cleanup_free_ char *text = NULL, *by = NULL;
        int64_t at = 0;
        int rc = store_report_draft_get(s, c.id, srp_stage_name(st), &text, &at, &by, err);
        if (rc == 0) {
                json_t *fields = text ? json_loads(text, 0, NULL) : NULL;
                *out = json_pack("{s:s, s:s, s:o, s:o, s:o}", "case", c.reference, "stage", srp_stage_name(st), "fields",
                                 fields ? fields : json_null(), "updated_at", time_or_null(at), "updated_by",
                                 by ? json_string(by) : json_null());
        }
        case_info_free(&c);
        return rc;
}

int case_report_draft_json(struct store *s, const struct audit_actor *actor, const char *ref, const json_t *body,
                           int64_t now, json_t **out, struct error *err) {
        *out = NULL;
        if (!json_is_object(body))
                return error_set(err, ERROR_INVALID, "report draft: expected a JSON object");
        const char *k;
        json_t *v;
        json_object_foreach((json_t *) body, k, v) {
                if (strcmp(k, "stage") != 0 && strcmp(k, "glossary") != 0 && strcmp(k, "fields") != 0)
                        return error_set(err, ERROR_INVALID, "report draft: unknown member \"%s\"", k);
        }
        const char *stage = json_string_value(json_object_get(body, "stage"));
        enum srp_stage st;
        if (!stage || srp_stage_parse(stage, &st) < 0)
                return error_set(err, ERROR_INVALID,
                                 "report draft: stage \"%s\" is not one of early-warning, notification, intermediate, "
                                 "final",
                                 stage ? stage : "");
        enum srp_glossary g = SRP_GLOSSARY_DEFAULT;
        const json_t *gv = json_object_get(body, "glossary");
        if (gv && (!json_is_string(gv) || srp_glossary_parse(json_string_value(gv), &g) < 0))
                return error_set(err, ERROR_INVALID, "report draft: glossary is not one of v1.1, v1.3");
        const json_t *fields = json_object_get(body, "fields");
        if (!fields || (!json_is_object(fields) && !json_is_null(fields)))
                return error_set(err, ERROR_INVALID,
                                 "report draft: \"fields\" must be an object of field -> value, or null to remove "
                                 "the draft");
        if (json_is_object(fields) && json_object_size(fields) > CASE_REPORT_DRAFT_FIELDS_MAX)
                return error_set(err, ERROR_INVALID, "report draft: %zu fields, at most %d",
                                 json_object_size(fields), CASE_REPORT_DRAFT_FIELDS_MAX);
        struct case_info c;
        if (case_get(s, ref, &c, err) < 0)
                return -1;
        _cleanup_free_ char *text = NULL;
        if (json_is_object(fields)) {
                /* Checked as a request's fields are, so a saved draft never
                 * makes every later report fail. */
                json_t *scratch = json_object();
                int r = case_report_fields_apply(fields, g, track_of(&c), scratch, err);
                json_decref(scratch);
                if (r < 0) {
                        case_info_free(&c);
                        return error_prefix(err, "report draft: ");
                }
                text = json_dumps(fields, JSON_COMPACT | JSON_SORT_KEYS);
                if (!text || strlen(text) > CASE_REPORT_DRAFT_MAX) {
                        case_info_free(&c);
                        return error_set(err, ERROR_INVALID, "report draft: the fields exceed %d bytes",
                                         CASE_REPORT_DRAFT_MAX);
                }
        }
        _cleanup_free_ char *object = str_printf("case/%s", c.reference);
        _cleanup_json_ json_t *details = json_pack("{s:s, s:I}", "stage", srp_stage_name(st), "fields",
                                                   (json_int_t) (json_is_object(fields) ? json_object_size(fields)
                                                                                        : 0));
        const char *by = actor->user ? actor->user : actor->name;
        int rc = -1;
        if (store_tx_begin(s, err) < 0)
                goto out;
        if ((text ? store_report_draft_put(s, c.id, srp_stage_name(st), text, now, by, err)
                  : store_report_draft_delete(s, c.id, srp_stage_name(st), err)) < 0 ||
            case_timeline_append(s, c.id, actor, "report_draft", details, err) < 0 ||
            audit_append(s, actor, text ? "case.report-draft.saved" : "case.report-draft.removed", object, details,
                         err) < 0 ||
            store_tx_commit(s, err) < 0) {
                store_tx_rollback(s);
                goto out;
        }
        rc = case_report_draft_get_json(s, c.reference, srp_stage_name(st), out, err);
out:
        case_info_free(&c);
        return rc;
}

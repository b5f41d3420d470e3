/* SPDX-License-Identifier: Apache-2.0 */
/* SRP packages and submissions as the API takes and gives them (report.h). */
#include <string.h>

#include "case/report.h"
#include "core/time.h"

static int parse_common(const json_t *body, enum srp_stage *stage, enum srp_glossary *g, const json_t **fields,
                        struct error *err) {
        if (!json_is_object(body))
                return error_set(err, ERROR_INVALID, "report: expected a JSON object");
        const char *st = json_string_value(json_object_get(body, "stage"));
        if (!st || srp_stage_parse(st, stage) < 0)
                return error_set(err, ERROR_INVALID,
                                 "report: stage \"%s\" is not one of early-warning, notification, intermediate, final",
                                 st ? st : "");
        *g = SRP_GLOSSARY_DEFAULT;
        const json_t *gv = json_object_get(body, "glossary");
        if (gv && (!json_is_string(gv) || srp_glossary_parse(json_string_value(gv), g) < 0))
                return error_set(err, ERROR_INVALID, "report: glossary \"%s\" is not one of v1.1, v1.3",
                                 json_is_string(gv) ? json_string_value(gv) : "");
        *fields = json_object_get(body, "fields");
        return 0;
}

int case_report_json(struct store *s, const char *ref, const json_t *body, json_t **out, struct error *err) {
        enum srp_stage stage;
        enum srp_glossary g;
        const json_t *fields = NULL;
        if (parse_common(body, &stage, &g, &fields, err) < 0)
                return -1;
        struct case_report r;
        if (case_report_build(s, ref, stage, g, fields, &r, err) < 0)
                return -1;
        *out = json_pack("{s:O, s:O, s:s}", "package", r.package, "missing", r.missing, "markdown", r.markdown);
        case_report_free(&r);
        return 0;
}

int case_submit_json(struct store *s, const struct audit_actor *actor, const char *ref, const json_t *body,
                     json_t **out, struct error *err) {
        enum srp_stage stage;
        enum srp_glossary g;
        const json_t *fields = NULL;
        if (parse_common(body, &stage, &g, &fields, err) < 0)
                return -1;
        const char *srp_ref = json_string_value(json_object_get(body, "srp_ref"));
        int64_t at = 0;
        const char *ats = json_string_value(json_object_get(body, "at"));
        if (ats && time_parse_rfc3339(ats, &at, err) < 0)
                return -1;
        return case_report_submit(s, actor, ref, stage, g, fields, srp_ref, at, time_now(), out, err);
}

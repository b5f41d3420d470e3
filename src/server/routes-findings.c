/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Findings, triage and exposure (issue 9; vuln/findings.h, vuln/exposure.h).
 *   GET  /api/v1/findings                  list (?new, release, vuln, state, gone, after, limit)
 *   GET  /api/v1/findings/{id}             one finding with its explanation
 *   POST /api/v1/findings/{id}/state       triage: {"state", "justification"?, "action_statement"?, "reason"}
 *   POST /api/v1/findings/match            drain the match queues now (instead of waiting for the monitor)
 *   GET  /api/v1/exposure/{vuln}           affected releases and devices (?list=exposed|patched, after, limit)
 *   GET  /api/v1/vulns/{id}/explain        ?component=ID or NAME@VERSION&release=ID
 * Who may call each is in the route table only.
 */
#include <string.h>

#include "core/cleanup.h"
#include "core/time.h"
#include "route-io.h"
#include "routes.h"
#include "vuln/exposure.h"
#include "vuln/finding.h"
#include "vuln/findings.h"

#define FINDINGS_MAX_LIMIT 1000

int routes_findings_list(struct route_ctx *ctx, struct http_response *resp, struct error *err) {
        _cleanup_free_ char *vuln = NULL, *state = NULL;
        _cleanup_json_ json_t *out = NULL;
        int64_t after = 0, limit = 0, release = 0;
        bool have, only_new = false, gone = false;
        struct store *s;
        if (route_query_bool(ctx, "new", false, &only_new, err) < 0 ||
            route_query_bool(ctx, "gone", false, &gone, err) < 0 ||
            route_query_int(ctx, "release", 1, INT64_MAX, &release, &have, err) < 0 ||
            route_query_string(ctx, "vuln", &vuln, err) < 0 || route_query_string(ctx, "state", &state, err) < 0 ||
            route_query_int(ctx, "after", 0, INT64_MAX, &after, &have, err) < 0 ||
            route_query_int(ctx, "limit", 1, FINDINGS_MAX_LIMIT, &limit, &have, err) < 0)
                return -1;
        if (state) {
                enum finding_state st;
                if (finding_state_parse(state, &st, err) < 0)
                        return error_prefix(err, "query parameter 'state': ");
        }
        struct store_finding_filter f = {
                .only_new = only_new, .include_gone = gone, .release_id = release, .state = state,
                .after_id = after, .limit = (size_t) limit,
        };
        if (!(s = route_store(ctx, err)) || vuln_findings_list(s, &f, vuln, &out, err) < 0)
                return -1;
        route_respond_json(resp, 200, out);
        return 0;
}

int routes_findings_get(struct route_ctx *ctx, struct http_response *resp, struct error *err) {
        _cleanup_json_ json_t *out = NULL;
        int64_t id;
        struct store *s;
        if (route_param_id(ctx, "id", &id, err) < 0 || !(s = route_store(ctx, err)) ||
            vuln_finding_get(s, id, &out, err) < 0)
                return -1;
        route_respond_json(resp, 200, out);
        return 0;
}

int routes_findings_set_state(struct route_ctx *ctx, struct http_response *resp, struct error *err) {
        _cleanup_json_ json_t *body = NULL, *out = NULL;
        struct audit_actor a = route_actor(ctx);
        int64_t id;
        struct store *s;
        if (route_param_id(ctx, "id", &id, err) < 0 || route_read_json_body(ctx, &body, err) < 0 ||
            !(s = route_store(ctx, err)) || vuln_finding_set_state_json(s, &a, id, body, &out, err) < 0)
                return -1;
        route_respond_json(resp, 200, out);
        return 0;
}

int routes_findings_match(struct route_ctx *ctx, struct http_response *resp, struct error *err) {
        struct vuln_findings_report rep = {0};
        struct store *s;
        if (!(s = route_store(ctx, err)) || vuln_findings_drain_all(s, time_now(), &rep, err) < 0)
                return -1;
        _cleanup_json_ json_t *out = json_pack(
                "{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "documents", (json_int_t) rep.documents, "vulnerabilities",
                (json_int_t) rep.vulns, "created", (json_int_t) rep.created, "rematched", (json_int_t) rep.rematched,
                "gone", (json_int_t) rep.gone, "carried", (json_int_t) rep.carried, "events", (json_int_t) rep.events,
                "exploited_events", (json_int_t) rep.exploited_events);
        route_respond_json(resp, 200, out);
        return 0;
}

int routes_exposure_get(struct route_ctx *ctx, struct http_response *resp, struct error *err) {
        _cleanup_free_ char *list = NULL;
        _cleanup_json_ json_t *out = NULL;
        int64_t after = 0, limit = 0;
        bool have;
        struct store *s;
        if (route_query_string(ctx, "list", &list, err) < 0 ||
            route_query_int(ctx, "after", 0, INT64_MAX, &after, &have, err) < 0 ||
            route_query_int(ctx, "limit", 1, VULN_EXPOSURE_LIST_MAX, &limit, &have, err) < 0)
                return -1;
        if (list && strcmp(list, "exposed") != 0 && strcmp(list, "patched") != 0)
                return error_set(err, ERROR_INVALID, "query parameter 'list': '%s' is not exposed or patched", list);
        const struct vuln_exposure_query q = {
                .vuln = route_param(ctx, "vuln"), .list_patched = list && strcmp(list, "patched") == 0,
                .after_id = after, .limit = (size_t) limit,
        };
        if (!(s = route_store(ctx, err)) || vuln_exposure(s, &q, &out, err) < 0)
                return -1;
        route_respond_json(resp, 200, out);
        return 0;
}

int routes_vulns_explain(struct route_ctx *ctx, struct http_response *resp, struct error *err) {
        _cleanup_free_ char *component = NULL;
        _cleanup_json_ json_t *out = NULL;
        int64_t release = 0;
        bool have;
        struct store *s;
        if (route_query_string(ctx, "component", &component, err) < 0 ||
            route_query_int(ctx, "release", 1, INT64_MAX, &release, &have, err) < 0)
                return -1;
        if (!component)
                return error_set(err, ERROR_INVALID,
                                 "query parameter 'component' is required: a component id, or NAME@VERSION with release");
        if (!(s = route_store(ctx, err)) ||
            vuln_findings_explain(s, component, release, route_param(ctx, "id"), &out, err) < 0)
                return -1;
        route_respond_json(resp, 200, out);
        return 0;
}

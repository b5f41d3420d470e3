/* SPDX-License-Identifier: Apache-2.0 */
/* /api/v1/cases/{ref}/report and /submissions: SRP report packages and
 * their submission records (issue 10 section 3). Logic lives in case/report. */
#include "case/report.h"
#include "core/cleanup.h"
#include "core/time.h"
#include "route-io.h"
#include "routes.h"

int routes_cases_report(struct route_ctx *ctx, struct http_response *resp, struct error *err) {
        _cleanup_json_ json_t *req = NULL, *body = NULL;
        if (route_read_json_body(ctx, &req, err) < 0)
                return -1;
        struct store *s = route_store(ctx, err);
        if (!s || case_report_json(s, route_param(ctx, "ref"), req, &body, err) < 0)
                return -1;
        route_respond_json(resp, 200, body);
        return 0;
}

int routes_cases_submit(struct route_ctx *ctx, struct http_response *resp, struct error *err) {
        _cleanup_json_ json_t *req = NULL, *body = NULL;
        if (route_read_json_body(ctx, &req, err) < 0)
                return -1;
        struct store *s = route_store(ctx, err);
        if (!s)
                return -1;
        struct audit_actor actor = route_actor(ctx);
        if (case_submit_json(s, &actor, route_param(ctx, "ref"), req, &body, err) < 0)
                return -1;
        route_respond_json(resp, 201, body);
        return 0;
}

int routes_cases_submissions(struct route_ctx *ctx, struct http_response *resp, struct error *err) {
        struct store *s = route_store(ctx, err);
        _cleanup_json_ json_t *body = NULL;
        if (!s || case_submissions_json(s, route_param(ctx, "ref"), &body, err) < 0)
                return -1;
        route_respond_json(resp, 200, body);
        return 0;
}

/* Report drafts (issue 10 section 3): saved by case owners, read by case readers. */
int routes_cases_report_draft_put(struct route_ctx *ctx, struct http_response *resp, struct error *err) {
        _cleanup_json_ json_t *req = NULL, *body = NULL;
        if (route_read_json_body(ctx, &req, err) < 0)
                return -1;
        struct store *s = route_store(ctx, err);
        if (!s)
                return -1;
        struct audit_actor actor = route_actor(ctx);
        if (case_report_draft_json(s, &actor, route_param(ctx, "ref"), req, time_now(), &body, err) < 0)
                return -1;
        route_respond_json(resp, 200, body);
        return 0;
}

int routes_cases_report_draft_get(struct route_ctx *ctx, struct http_response *resp, struct error *err) {
        _cleanup_free_ char *stage = NULL;
        if (route_query_string(ctx, "stage", &stage, err) < 0)
                return -1;
        struct store *s = route_store(ctx, err);
        _cleanup_json_ json_t *body = NULL;
        if (!s || case_report_draft_get_json(s, route_param(ctx, "ref"), stage, &body, err) < 0)
                return -1;
        route_respond_json(resp, 200, body);
        return 0;
}

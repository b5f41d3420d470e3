/* SPDX-License-Identifier: Apache-2.0 */
/* /api/v1/audit: read the audit trail page by page, and verify its hash chain. */
#include "audit-query.h"
#include "audit/audit.h"
#include "audit/checkpoint.h"
#include <stdint.h>
#include "core/cleanup.h"
#include "route-io.h"
#include "routes.h"

int routes_audit_list(struct route_ctx *ctx, struct http_response *resp, struct error *err) {
        struct audit_query q;
        if (audit_query_parse(ctx->req->query, ctx->req->n_query, &q, err) < 0)
                return -1;
        struct store *s = route_store(ctx, err);
        struct store_audit_entry *list = NULL;
        size_t n = 0;
        if (!s || store_audit_list(s, &q.filter, &list, &n, err) < 0) {
                audit_query_clear(&q);
                return -1;
        }
        _cleanup_json_ json_t *items = json_array();
        for (size_t i = 0; i < n; i++)
                json_array_append_new(items, audit_entry_to_json(&list[i]));
        /* A full page means there may be more: the cursor is the last seq. */
        json_t *next = (n > 0 && n == q.filter.limit) ? json_integer(list[n - 1].seq) : json_null();
        store_audit_list_free(list, n);
        audit_query_clear(&q);
        _cleanup_json_ json_t *body = json_pack("{s:O, s:o}", "items", items, "next_after", next);
        route_respond_json(resp, 200, body);
        return 0;
}

int routes_audit_verify(struct route_ctx *ctx, struct http_response *resp, struct error *err) {
        struct store *s = route_store(ctx, err);
        struct audit_verify_state st;
        if (!s)
                return -1;
        audit_verify_init(&st);
        if (audit_verify_store(s, &st, err) < 0)
                return -1;
        _cleanup_json_ json_t *body = json_pack("{s:b, s:I}", "ok", !st.broken, "checked",
                                                (json_int_t) st.checked);
        if (st.broken) {
                json_object_set_new(body, "bad_seq", json_integer(st.bad_seq));
                json_object_set_new(body, "reason", json_string(st.reason));
        }
        route_respond_json(resp, 200, body);
        return 0;
}

/* GET /api/v1/audit/checkpoints?after=SEQ&limit=N: the signed checkpoints
 * (docs/security.md, "Audit checkpoints"), each self-contained. */
int routes_audit_checkpoints(struct route_ctx *ctx, struct http_response *resp, struct error *err) {
        int64_t after = 0, limit = 100;
        bool present;
        if (route_query_int(ctx, "after", 0, INT64_MAX, &after, &present, err) < 0 ||
            route_query_int(ctx, "limit", 1, 1000, &limit, &present, err) < 0)
                return -1;
        if (!present)
                limit = 100;
        struct store *s = route_store(ctx, err);
        struct store_audit_checkpoint *list = NULL;
        size_t n = 0;
        if (!s || store_audit_checkpoint_list(s, after, limit, &list, &n, err) < 0)
                return -1;
        _cleanup_json_ json_t *items = json_array();
        for (size_t i = 0; i < n; i++)
                json_array_append_new(items, audit_checkpoint_to_json(&list[i]));
        json_t *next = (n > 0 && n == (size_t) limit) ? json_integer(list[n - 1].seq) : json_null();
        store_audit_checkpoint_list_free(list, n);
        _cleanup_json_ json_t *body = json_pack("{s:O, s:o}", "items", items, "next_after", next);
        route_respond_json(resp, 200, body);
        return 0;
}

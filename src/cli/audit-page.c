/* SPDX-License-Identifier: Apache-2.0 */
/* Fetching and checking one page of the audit log. */
#include <inttypes.h>

#include "cli/audit-page.h"
#include "cli/cli.h"
#include "cli/client.h"
#include "core/cleanup.h"
#include "core/strutil.h"

int cli_audit_page_get(struct cli_client *c, const struct cli_audit_query *q, int64_t after,
                       struct cli_audit_page *out) {
        struct buf query = { 0 };
        int r;

        *out = (struct cli_audit_page) { 0 };
        cli_query_add(&query, "object", q->object);
        cli_query_add(&query, "actor", q->actor);
        cli_query_add(&query, "since", q->since);
        cli_query_add(&query, "until", q->until);
        if (q->limit > 0)
                buf_appendf(&query, "%climit=%" PRId64, query.len ? '&' : '?', q->limit);
        if (after >= 0)
                buf_appendf(&query, "%cafter=%" PRId64, query.len ? '&' : '?', after);
        _cleanup_free_ char *qs = buf_steal(&query);
        _cleanup_free_ char *path = str_printf("/api/v1/audit%s", qs);

        if ((r = cli_client_request(c, "GET", path, NULL, &out->doc)) != CLI_EXIT_OK)
                return r;
        if ((r = cli_expect_items(out->doc, "GET /api/v1/audit", &out->items)) != CLI_EXIT_OK) {
                cli_audit_page_clear(out);
                return r;
        }
        json_t *next = json_object_get(out->doc, "next_after");
        if (!next || json_is_null(next))
                return CLI_EXIT_OK;
        if (!json_is_integer(next) || json_integer_value(next) <= (after < 0 ? -1 : after) ||
            json_array_size(out->items) == 0) {
                cli_audit_page_clear(out);
                return cli_error(CLI_EXIT_SERVER,
                                 "GET %s: the server's \"next_after\" does not move past the "
                                 "page; stopping",
                                 path);
        }
        out->more = true;
        out->next_after = json_integer_value(next);
        return CLI_EXIT_OK;
}

void cli_audit_page_clear(struct cli_audit_page *p) {
        json_decref(p->doc);
        *p = (struct cli_audit_page) { 0 };
}

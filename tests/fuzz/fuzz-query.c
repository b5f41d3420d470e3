/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The request target as the router sees it: "<path>\n<query>". The path goes
 * through router_match on the real route table (segment splitting and
 * percent-decoding); the query is split the way the HTTP transport splits it
 * and parsed as GET /api/v1/audit parses it. Properties checked beyond "no
 * crash": a refusal always carries a user error with a message, a match has
 * clean (valid UTF-8, control-free) parameters, and an accepted audit query
 * is within its documented limits.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/cleanup.h"
#include "core/strutil.h"
#include "server/audit-query.h"
#include "crypto/percent.h"
#include "server/router.h"
#include "server/routes.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const methods[] = { "GET", "POST", "PATCH", "DELETE", "HEAD", "PUT" };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        if (size == 0)
                return 0;
        /* The transport hands over NUL-terminated strings. */
        char *copy = xmalloc(size);
        memcpy(copy, data + 1, size - 1);
        copy[size - 1] = '\0';
        const char *method = methods[data[0] % (sizeof(methods) / sizeof(methods[0]))];
        char *nl = strchr(copy, '\n');
        char *query = NULL;
        if (nl) {
                *nl = '\0';
                query = nl + 1;
        }

        size_t n_routes;
        const struct route *table = routes_table(&n_routes);
        struct router_match m;
        router_match(table, n_routes, method, copy, &m);
        switch (m.kind) {
        case ROUTER_MATCHED:
                for (size_t i = 0; i < m.n_params; i++)
                        if (!m.params[i].value[0] ||
                            !text_is_clean_utf8(m.params[i].value, strlen(m.params[i].value)))
                                abort();
                break;
        case ROUTER_METHOD_NOT_ALLOWED:
                if (!m.allow[0] || !m.route)
                        abort();
                break;
        case ROUTER_BAD_PATH:
                if (!m.reason[0])
                        abort();
                break;
        case ROUTER_NOT_FOUND:
                break;
        }
        router_match_clear(&m);

        if (query) {
                struct http_query_param *params = NULL;
                size_t n = 0;
                struct error err = {0};
                if (http_query_split(query, &params, &n, 64, &err) < 0) {
                        if (err.kind != ERROR_INVALID)
                                abort();
                } else {
                        struct audit_query q;
                        if (audit_query_parse(params, n, &q, &err) < 0) {
                                if (err.kind != ERROR_INVALID || !err.msg[0])
                                        abort();
                        } else {
                                if (q.filter.limit < 1 || q.filter.limit > AUDIT_QUERY_MAX_LIMIT ||
                                    q.filter.after_seq < 0 ||
                                    (q.filter.object && strlen(q.filter.object) > AUDIT_QUERY_MAX_VALUE) ||
                                    (q.filter.actor && strlen(q.filter.actor) > AUDIT_QUERY_MAX_VALUE))
                                        abort();
                                audit_query_clear(&q);
                        }
                        free(params);
                }
        }
        free(copy);
        return 0;
}

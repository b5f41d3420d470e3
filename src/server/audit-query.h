/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/*
 * The query string of GET /api/v1/audit, turned into a store filter:
 *   object=<exact object, e.g. product:12>   actor=<token name>
 *   since=<RFC 3339>   until=<RFC 3339>     (inclusive)
 *   after=<seq, >= 0>  (pagination cursor)  limit=<1..1000, default 100>
 * Every parameter may appear once; each bad one is refused naming it. Pure
 * (no HTTP, no store) so it can be fuzzed.
 */
#include <stddef.h>

#include "core/error.h"
#include "request.h"
#include "store/store-audit.h"

#define AUDIT_QUERY_DEFAULT_LIMIT 100
#define AUDIT_QUERY_MAX_LIMIT 1000
#define AUDIT_QUERY_MAX_VALUE 256 /* bytes, after decoding */

struct audit_query {
        struct store_audit_filter filter; /* object/actor point into the fields below */
        char *object;
        char *actor;
};

/* Parameters as the transport split them (percent-escapes still in place). */
int audit_query_parse(const struct http_query_param *params, size_t n, struct audit_query *out,
                      struct error *err);
void audit_query_clear(struct audit_query *q);

/* Splits a raw query string ("a=1&b=2", no '?') the way the HTTP transport
 * does: on '&' and the first '=', '+' becomes ' '. Pieces point into `buf`,
 * which is modified; *params_out is heap (free it). Used by tests and fuzzers
 * to reach audit_query_parse with raw bytes. */
int http_query_split(char *buf, struct http_query_param **params_out, size_t *n_out,
                     size_t max_params, struct error *err);

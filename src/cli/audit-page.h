/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/*
 * Paging through GET /api/v1/audit. The server answers a page of entries and
 * "next_after" (the seq to continue after, or null on the last page). The
 * cursor is checked to move forward, so a faulty or hostile server cannot
 * keep the CLI looping.
 */
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

struct cli_client;

/* Filters as query parameters; NULL / 0 = not sent. */
struct cli_audit_query {
        const char *object, *actor, *since, *until;
        int64_t limit;          /* 1..1000, 0 = server default */
};

struct cli_audit_page {
        json_t *doc;            /* the whole answer (owned) */
        json_t *items;          /* borrowed from doc */
        bool more;
        int64_t next_after;     /* valid when more */
};

/* Fetches the page after `after` (< 0: no cursor). Returns an exit code
 * (CLI_EXIT_OK or what went wrong, already printed). */
int cli_audit_page_get(struct cli_client *c, const struct cli_audit_query *q, int64_t after,
                       struct cli_audit_page *out);
void cli_audit_page_clear(struct cli_audit_page *p);

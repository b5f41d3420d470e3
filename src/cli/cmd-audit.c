/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cradle audit list: the tamper-evident audit log, filtered and paged
 * (--all follows every page). `audit verify` lives in cmd-audit-verify.c.
 */
#include <inttypes.h>
#include <stdio.h>

#include "cli/audit-page.h"
#include "cli/cli.h"
#include "cli/client.h"
#include "cli/command.h"
#include "cli/output.h"
#include "core/cleanup.h"
#include "core/strutil.h"
#include "core/time.h"

#define AUDIT_DETAILS_WIDTH 60

enum {
        OPT_OBJECT = CLI_OPT_LOCAL_BASE,
        OPT_ACTOR,
        OPT_SINCE,
        OPT_UNTIL,
        OPT_LIMIT,
        OPT_AFTER,
        OPT_ALL,
};

static int check_time(struct cli_ctx *ctx, const char *option, const char *v) {
        struct error err = { 0 };
        int64_t t;

        if (v && time_parse_rfc3339(v, &t, &err) < 0)
                return cli_usage_error(ctx,
                                       "option '%s': '%s' is not an RFC 3339 time such as "
                                       "2026-01-31T12:00:00Z (%s)",
                                       option, v, err.msg);
        return CLI_CONTINUE;
}

static char *audit_table(json_t *items) {
        static const char *const headers[] = { "SEQ", "TIME", "ACTOR", "ROLE", "ACTION", "OBJECT",
                                               "DETAILS" };
        static const char *const fields[] = { "seq", "time", "actor_name", "actor_role", "action",
                                              "object", "details" };
        struct cli_table *t = cli_table_new(ELEMENTSOF(headers), headers);
        json_t *item;
        size_t i;

        cli_table_set_max_width(t, 6, AUDIT_DETAILS_WIDTH);
        json_array_foreach(items, i, item) {
                char *cells[ELEMENTSOF(fields)];
                for (size_t f = 0; f < ELEMENTSOF(fields); f++)
                        cells[f] = cli_json_text(json_object_get(item, fields[f]));
                cli_table_add_row(t, (const char *const *) cells);
                for (size_t f = 0; f < ELEMENTSOF(fields); f++)
                        free(cells[f]);
        }
        char *text = cli_table_render(t);
        cli_table_free(t);
        return text;
}

static int audit_list_run(struct cli_ctx *ctx, int argc, char **argv) {
        static const struct option options[] = {
                CLI_GLOBAL_LONG_OPTIONS,
                { "object", required_argument, NULL, OPT_OBJECT },
                { "actor", required_argument, NULL, OPT_ACTOR },
                { "since", required_argument, NULL, OPT_SINCE },
                { "until", required_argument, NULL, OPT_UNTIL },
                { "limit", required_argument, NULL, OPT_LIMIT },
                { "after", required_argument, NULL, OPT_AFTER },
                { "all", no_argument, NULL, OPT_ALL },
                { 0 },
        };
        struct cli_audit_query q = { 0 };
        int64_t after = -1;
        bool all = false;
        struct cli_client *client;
        int c, r;

        while ((c = getopt_long(argc, argv, CLI_GLOBAL_SHORT_OPTIONS, options, NULL)) != -1) {
                switch (c) {
                case OPT_OBJECT: q.object = optarg; break;
                case OPT_ACTOR: q.actor = optarg; break;
                case OPT_SINCE: q.since = optarg; break;
                case OPT_UNTIL: q.until = optarg; break;
                case OPT_ALL: all = true; break;
                case OPT_LIMIT:
                        if (str_to_int64(optarg, 1, 1000, &q.limit) < 0)
                                return cli_usage_error(ctx, "option '--limit': '%s' is not a "
                                                            "number from 1 to 1000", optarg);
                        break;
                case OPT_AFTER:
                        if (str_to_int64(optarg, 0, INT64_MAX, &after) < 0)
                                return cli_usage_error(ctx, "option '--after': '%s' is not a "
                                                            "sequence number (0 or more)", optarg);
                        break;
                default:
                        r = cli_option_common(ctx, c, argc, argv);
                        if (r != CLI_CONTINUE)
                                return r;
                }
        }
        if ((r = cli_positional(ctx, argc, argv, 0, "")) != CLI_CONTINUE)
                return r;
        if ((r = check_time(ctx, "--since", q.since)) != CLI_CONTINUE ||
            (r = check_time(ctx, "--until", q.until)) != CLI_CONTINUE)
                return r;
        if ((r = cli_ctx_client(ctx, &client)) != CLI_EXIT_OK)
                return r;

        if (!all) {
                struct cli_audit_page page;
                if ((r = cli_audit_page_get(client, &q, after, &page)) != CLI_EXIT_OK)
                        return r;
                if (ctx->flags.json) {
                        cli_emit_json(page.doc);
                } else {
                        cli_emit_text(audit_table(page.items));
                        if (page.more)
                                fprintf(stderr,
                                        "more entries follow: use --after %" PRId64 " or --all\n",
                                        page.next_after);
                }
                cli_audit_page_clear(&page);
                return CLI_EXIT_OK;
        }

        _cleanup_json_ json_t *collected = json_array();
        for (;;) {
                struct cli_audit_page page;
                if ((r = cli_audit_page_get(client, &q, after, &page)) != CLI_EXIT_OK)
                        return r;
                json_array_extend(collected, page.items);
                bool more = page.more;
                after = page.next_after;
                cli_audit_page_clear(&page);
                if (!more)
                        break;
        }
        if (ctx->flags.json) {
                _cleanup_json_ json_t *doc = json_pack("{s:O, s:n}", "items", collected, "next_after");
                return cli_emit_json(doc);
        }
        return cli_emit_text(audit_table(collected));
}

static const struct cli_command audit_list = {
        .name = "list",
        .summary = "List audit log entries",
        .usage = "[--object OBJECT] [--actor NAME] [--since TIME] [--until TIME] [--limit N] "
                 "[--after SEQ] [--all]",
        .help = "Lists audit log entries in sequence order (GET /api/v1/audit; admin, auditor,\n"
                "security-officer). One page by default; a note on stderr says how to go on.\n\n"
                "Options:\n"
                "  --object OBJECT  only entries about OBJECT, e.g. product:1 or token:ci\n"
                "  --actor NAME     only entries by the token called NAME\n"
                "  --since TIME     only entries at or after TIME (RFC 3339, e.g.\n"
                "                   2026-01-31T00:00:00Z)\n"
                "  --until TIME     only entries at or before TIME (RFC 3339)\n"
                "  --limit N        entries per page, 1..1000 (server default 100)\n"
                "  --after SEQ      start after sequence number SEQ\n"
                "  --all            follow every page; --json then prints one document\n"
                "                   {\"items\": [...], \"next_after\": null}\n",
        .run = audit_list_run,
};

static const struct cli_command *const audit_subs[] = {
        &audit_list, &cli_cmd_audit_verify, &cli_cmd_audit_checkpoints, NULL,
};

const struct cli_command cli_cmd_audit = {
        .name = "audit",
        .summary = "Read and verify the tamper-evident audit log",
        .subs = audit_subs,
};

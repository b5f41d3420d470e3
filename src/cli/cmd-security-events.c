/* SPDX-License-Identifier: Apache-2.0 */
/* cradle security-events: what the fleet and the server flagged (duplicate claims, ...). */
#include <stdio.h>

#include "cli/cli.h"
#include "cli/client.h"
#include "cli/cmd-common.h"
#include "cli/command.h"
#include "core/cleanup.h"
#include "core/strutil.h"

enum { OPT_KIND = CLI_OPT_LOCAL_BASE, OPT_SINCE, OPT_PRODUCT };

static int security_events_run(struct cli_ctx *ctx, int argc, char **argv) {
        static const struct option options[] = {
                CLI_GLOBAL_LONG_OPTIONS,
                { "kind", required_argument, NULL, OPT_KIND },
                { "since", required_argument, NULL, OPT_SINCE },
                { "product", required_argument, NULL, OPT_PRODUCT },
                { 0 },
        };
        static const struct cli_field cols[] = {
                { "ID", "id" }, { "TIME", "time" }, { "SEVERITY", "severity" }, { "KIND", "kind" },
                { "PRODUCT", "product" }, { "DEVICE", "device_serial" }, { "SOURCE", "source" },
        };
        const char *kind = NULL, *since = NULL, *product = NULL;
        int c, r;
        while ((c = getopt_long(argc, argv, CLI_GLOBAL_SHORT_OPTIONS, options, NULL)) != -1) {
                switch (c) {
                case OPT_KIND: kind = optarg; break;
                case OPT_SINCE: since = optarg; break;
                case OPT_PRODUCT: product = optarg; break;
                default:
                        if ((r = cli_option_common(ctx, c, argc, argv)) != CLI_CONTINUE)
                                return r;
                }
        }
        if ((r = cli_positional(ctx, argc, argv, 0, "")) != CLI_CONTINUE)
                return r;
        struct buf q = {0};
        const char *keys[] = { "kind", "since", "product" };
        const char *values[] = { kind, since, product };
        for (size_t i = 0; i < ELEMENTSOF(keys); i++) {
                if (!values[i])
                        continue;
                _cleanup_free_ char *v = cli_client_escape(values[i]);
                buf_appendf(&q, "%c%s=%s", q.len ? '&' : '?', keys[i], v);
        }
        _cleanup_free_ char *query = buf_steal(&q);
        _cleanup_free_ char *path = str_printf("/api/v1/security-events%s", query ? query : "");
        return cli_send_list_paged(ctx, path, &cli_cursor_after_id, -1, false, cols, ELEMENTSOF(cols));
}

const struct cli_command cli_cmd_security_events = {
        .name = "security-events",
        .summary = "List security events",
        .usage = "[--kind KIND] [--since TIME] [--product MODEL]",
        .help = "Lists security events, such as migration.duplicate-claim (a device secret\n"
                "used twice: a cloned unit) (GET /api/v1/security-events; admin,\n"
                "security-officer, auditor).\n\n"
                "Options:\n"
                "  --kind KIND       only this kind\n"
                "  --since TIME      only events at or after TIME (RFC 3339, e.g.\n"
                "                    2026-11-21T00:00:00Z)\n"
                "  --product MODEL   only this product's\n",
        .run = security_events_run,
};

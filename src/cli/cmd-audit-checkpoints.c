/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cradle audit checkpoints: exports the server's signed audit checkpoints as
 * JSON lines, one self-contained checkpoint per line (the format of a witness
 * file), so a copy leaves the machine. `cradle audit verify --checkpoint`
 * reads such a file back.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "audit/checkpoint.h"
#include "cli/cli.h"
#include "cli/client.h"
#include "cli/command.h"
#include "cli/output.h"
#include "core/cleanup.h"
#include "core/fileio.h"
#include "core/strutil.h"

#define CHECKPOINTS_PAGE 1000

enum { OPT_SINCE = CLI_OPT_LOCAL_BASE, OPT_OUT };

/* Appends one page's lines to b; every item must be a well-formed checkpoint. */
static int page_lines(json_t *items, struct buf *b, size_t *count, int64_t *newest) {
        json_t *item;
        size_t i;
        json_array_foreach(items, i, item) {
                struct store_audit_checkpoint cp;
                struct error err = {0};
                if (audit_checkpoint_from_json(item, &cp, &err) < 0)
                        return cli_error(CLI_EXIT_SERVER, "GET /api/v1/audit/checkpoints: %s", err.msg);
                _cleanup_json_ json_t *j = audit_checkpoint_to_json(&cp);
                _cleanup_free_ char *line = j ? json_dumps(j, JSON_COMPACT) : NULL;
                *newest = cp.seq;
                store_audit_checkpoint_clear(&cp);
                if (!line)
                        return cli_error(CLI_EXIT_LOCAL, "cannot render a checkpoint");
                buf_appendf(b, "%s\n", line);
                (*count)++;
        }
        return CLI_EXIT_OK;
}

static int audit_checkpoints_run(struct cli_ctx *ctx, int argc, char **argv) {
        static const struct option options[] = {
                CLI_GLOBAL_LONG_OPTIONS,
                { "since", required_argument, NULL, OPT_SINCE },
                { "out", required_argument, NULL, OPT_OUT },
                { 0 },
        };
        int64_t since = 1;
        const char *out = NULL;
        struct cli_client *client;
        int c, r;

        while ((c = getopt_long(argc, argv, CLI_GLOBAL_SHORT_OPTIONS, options, NULL)) != -1) {
                switch (c) {
                case OPT_SINCE:
                        if (str_to_int64(optarg, 1, INT64_MAX, &since) < 0)
                                return cli_usage_error(ctx, "option '--since': '%s' is not a sequence number (1 or more)",
                                                       optarg);
                        break;
                case OPT_OUT: out = optarg; break;
                default:
                        r = cli_option_common(ctx, c, argc, argv);
                        if (r != CLI_CONTINUE)
                                return r;
                }
        }
        if ((r = cli_positional(ctx, argc, argv, 0, "")) != CLI_CONTINUE)
                return r;
        if (!out || !*out)
                return cli_usage_error(ctx, "option '--out FILE' is required ('-' for standard output)");
        if ((r = cli_ctx_client(ctx, &client)) != CLI_EXIT_OK)
                return r;

        struct buf b = {0};
        size_t count = 0;
        int64_t after = since - 1, newest = 0;
        for (;;) {
                _cleanup_free_ char *path = str_printf("/api/v1/audit/checkpoints?limit=%d&after=%" PRId64,
                                                       CHECKPOINTS_PAGE, after);
                _cleanup_json_ json_t *doc = NULL;
                json_t *items;
                if ((r = cli_client_request(client, "GET", path, NULL, &doc)) != CLI_EXIT_OK ||
                    (r = cli_expect_items(doc, "GET /api/v1/audit/checkpoints", &items)) != CLI_EXIT_OK ||
                    (r = page_lines(items, &b, &count, &newest)) != CLI_EXIT_OK) {
                        free(buf_steal(&b));
                        return r;
                }
                json_t *next = json_object_get(doc, "next_after");
                if (!next || json_is_null(next))
                        break;
                /* The cursor must move forward: a faulty server cannot keep us looping. */
                if (!json_is_integer(next) || json_integer_value(next) <= after || !json_array_size(items)) {
                        free(buf_steal(&b));
                        return cli_error(CLI_EXIT_SERVER, "GET %s: \"next_after\" does not move past the page", path);
                }
                after = json_integer_value(next);
        }
        _cleanup_free_ char *text = buf_steal(&b);
        size_t len = text ? strlen(text) : 0;
        if (strcmp(out, "-") == 0) {
                if (len)
                        fwrite(text, 1, len, stdout);
        } else {
                struct error err = {0};
                if (file_write_atomic(out, text ? text : "", len, 0644, &err) < 0)
                        return cli_error(CLI_EXIT_LOCAL, "%s", err.msg);
        }
        if (!count)
                fprintf(stderr, "no checkpoint at or after seq %" PRId64 " yet\n", since);
        else if (strcmp(out, "-") != 0)
                printf("%zu checkpoint(s) written to %s (the newest at seq %" PRId64 ")\n", count, out, newest);
        return CLI_EXIT_OK;
}

const struct cli_command cli_cmd_audit_checkpoints = {
        .name = "checkpoints",
        .summary = "Export the signed audit checkpoints as JSON lines",
        .usage = "[--since SEQ] --out FILE",
        .help = "Fetches the checkpoints cradled signed over the audit chain (GET\n"
                "/api/v1/audit/checkpoints; admin, auditor, security-officer) and writes them\n"
                "to FILE, one self-contained JSON object per line with its signature and the\n"
                "signing key (docs/security.md, \"Audit checkpoints\"). Keep the file off the\n"
                "server: `cradle audit verify --checkpoint FILE` then detects a truncation or\n"
                "a rewrite of the log behind any of them.\n\n"
                "Options:\n"
                "  --since SEQ  only checkpoints at or after audit entry SEQ\n"
                "  --out FILE   where to write ('-' for standard output); replaced atomically\n",
        .run = audit_checkpoints_run,
};

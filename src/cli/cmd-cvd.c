/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cradle cvd messages|reply: the security team's side of the public CVD
 * intake (issue 10 section 4; docs/reporting.md "CVD intake"). The reporter
 * reads the team's replies through their follow-up link.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/client.h"
#include "cli/cmd-common.h"
#include "cli/command.h"
#include "core/cleanup.h"
#include "core/strutil.h"

enum { OPT_FILE = CLI_OPT_LOCAL_BASE };

#define CVD_REPLY_MAX (1024 * 1024)

static int cvd_request(struct cli_ctx *ctx, const char *method, const char *ref, json_t *body, json_t **doc) {
        struct cli_client *client;
        _cleanup_free_ char *esc = cli_client_escape(ref);
        _cleanup_free_ char *path = str_printf("/api/v1/cases/%s/messages", esc);
        _cleanup_free_ char *what = str_printf("%s %s", method, path);
        int r;
        if ((r = cli_ctx_client(ctx, &client)) != CLI_EXIT_OK ||
            (r = cli_client_request(client, method, path, body, doc)) != CLI_EXIT_OK ||
            (r = cli_expect_object(*doc, what)) != CLI_EXIT_OK)
                return r;
        return CLI_EXIT_OK;
}

static void print_message(json_t *m) {
        const char *author = json_string_value(json_object_get(m, "author"));
        const char *name = json_string_value(json_object_get(m, "author_name"));
        printf("--- #%lld %s %s%s%s%s\n", (long long) json_integer_value(json_object_get(m, "id")),
               json_string_value(json_object_get(m, "created_at")), str_eq(author, "team") ? "team" : "reporter",
               name ? " (" : "", name ? name : "", name ? ")" : "");
        if (json_is_true(json_object_get(m, "encrypted")))
                printf("[OpenPGP-encrypted: decrypt it with the contact key's private half, offline]\n");
        const char *body = json_string_value(json_object_get(m, "body"));
        fputs(body ? body : "", stdout);
        if (body && *body && body[strlen(body) - 1] != '\n')
                fputc('\n', stdout);
}

static int cvd_messages_run(struct cli_ctx *ctx, int argc, char **argv) {
        static const struct option options[] = { CLI_GLOBAL_LONG_OPTIONS, { 0 } };
        int c, r;
        while ((c = getopt_long(argc, argv, CLI_GLOBAL_SHORT_OPTIONS, options, NULL)) != -1)
                if ((r = cli_option_common(ctx, c, argc, argv)) != CLI_CONTINUE)
                        return r;
        if ((r = cli_positional(ctx, argc, argv, 1, "CASE")) != CLI_CONTINUE)
                return r;
        _cleanup_json_ json_t *doc = NULL;
        if ((r = cvd_request(ctx, "GET", argv[optind], NULL, &doc)) != CLI_EXIT_OK)
                return r;
        if (ctx->flags.json)
                return cli_emit_json(doc);
        size_t i;
        json_t *m;
        json_array_foreach(json_object_get(doc, "items"), i, m) print_message(m);
        return CLI_EXIT_OK;
}

static int cvd_reply_run(struct cli_ctx *ctx, int argc, char **argv) {
        static const struct option options[] = {
                CLI_GLOBAL_LONG_OPTIONS,
                { "file", required_argument, NULL, OPT_FILE },
                { 0 },
        };
        int c, r;
        const char *file = NULL;
        while ((c = getopt_long(argc, argv, CLI_GLOBAL_SHORT_OPTIONS, options, NULL)) != -1) {
                if (c == OPT_FILE)
                        file = optarg;
                else if ((r = cli_option_common(ctx, c, argc, argv)) != CLI_CONTINUE)
                        return r;
        }
        if ((r = cli_positional(ctx, argc, argv, 1, "CASE")) != CLI_CONTINUE)
                return r;
        if (!file)
                return cli_usage_error(ctx, "--file is required (the message, as text; '-' reads stdin)");
        _cleanup_free_ char *text = NULL;
        size_t len;
        if ((r = cli_read_file("file", file, CVD_REPLY_MAX, &text, &len)) != CLI_EXIT_OK)
                return r;
        if (strlen(text) != len)
                return cli_usage_error(ctx, "option '--file': %s holds a NUL byte; the message must be text", file);
        _cleanup_json_ json_t *body = json_pack("{s:s}", "body", text), *doc = NULL;
        if (!body)
                return cli_usage_error(ctx, "option '--file': %s is not UTF-8 text", file);
        if ((r = cvd_request(ctx, "POST", argv[optind], body, &doc)) != CLI_EXIT_OK)
                return r;
        if (ctx->flags.json)
                return cli_emit_json(doc);
        printf("sent message #%lld to the reporter of %s\n", (long long) json_integer_value(json_object_get(doc, "id")),
               argv[optind]);
        return CLI_EXIT_OK;
}

static const struct cli_command cli_cmd_cvd_messages = {
        .name = "messages",
        .summary = "Show the exchange with a CVD case's reporter",
        .usage = "CASE [--json]",
        .help = "Prints the report and every message since, oldest first, with author and time. Encrypted\n"
                "(armoured OpenPGP) messages are printed as received: the server cannot read them\n"
                "(GET /api/v1/cases/CASE/messages; admin, security-officer, auditor).\n",
        .run = cvd_messages_run,
};

static const struct cli_command cli_cmd_cvd_reply = {
        .name = "reply",
        .summary = "Send a message to a CVD case's reporter",
        .usage = "CASE --file FILE",
        .help = "Sends the text of FILE ('-' = stdin; text or an armoured OpenPGP message) to the reporter,\n"
                "who reads it through their follow-up link. Audited as cvd.reply with your user and token\n"
                "(POST /api/v1/cases/CASE/messages; admin, security-officer).\n"
                "  --file FILE   the message\n",
        .run = cvd_reply_run,
};

static const struct cli_command *const cvd_subs[] = { &cli_cmd_cvd_messages, &cli_cmd_cvd_reply, NULL };

const struct cli_command cli_cmd_cvd = {
        .name = "cvd",
        .summary = "The public CVD intake: messages with reporters",
        .subs = cvd_subs,
};

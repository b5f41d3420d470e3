/* SPDX-License-Identifier: Apache-2.0 */
/* cradle whoami: which token the CLI is using, and its role. */
#include "cli/cli.h"
#include "cli/client.h"
#include "cli/command.h"
#include "cli/output.h"
#include "core/cleanup.h"

static int whoami_run(struct cli_ctx *ctx, int argc, char **argv) {
        struct cli_client *client;
        _cleanup_json_ json_t *doc = NULL;
        int r;
        if ((r = cli_parse_positional_only(ctx, argc, argv, 0, "")) != CLI_CONTINUE)
                return r;
        if ((r = cli_ctx_client(ctx, &client)) != CLI_EXIT_OK)
                return r;
        if ((r = cli_client_request(client, "GET", "/api/v1/whoami", NULL, &doc)) != CLI_EXIT_OK)
                return r;
        if ((r = cli_expect_object(doc, "GET /api/v1/whoami")) != CLI_EXIT_OK)
                return r;
        if (ctx->flags.json)
                return cli_emit_json(doc);

        _cleanup_free_ char *name = cli_json_text(json_object_get(doc, "name"));
        _cleanup_free_ char *role = cli_json_text(json_object_get(doc, "role"));
        const char *keys[] = { "name", "role" };
        const char *values[] = { name, role };
        return cli_emit_text(cli_kv_render(ELEMENTSOF(keys), keys, values));
}

const struct cli_command cli_cmd_whoami = {
        .name = "whoami",
        .summary = "Show the name and role of the token in use",
        .usage = "",
        .help = "Shows the name and role of the API token the CLI is using (GET /api/v1/whoami).\n"
                "Any role may call it.\n",
        .run = whoami_run,
};

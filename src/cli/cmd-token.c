/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cradle token create|list|revoke: API tokens. A new token's secret is shown
 * exactly once, on stdout alone, so `(umask 077; cradle token create ... > f)`
 * stores it without it passing through the terminal.
 */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/client.h"
#include "cli/command.h"
#include "cli/output.h"
#include "core/cleanup.h"
#include "core/strutil.h"

static const char *const token_roles[] = {
        "admin", "release-manager", "security-officer", "factory", "auditor", NULL,
};

static bool role_known(const char *r) {
        for (size_t i = 0; token_roles[i]; i++)
                if (strcmp(token_roles[i], r) == 0)
                        return true;
        return false;
}

enum { OPT_NAME = CLI_OPT_LOCAL_BASE, OPT_ROLE, OPT_USER };

static int token_create_run(struct cli_ctx *ctx, int argc, char **argv) {
        static const struct option options[] = {
                CLI_GLOBAL_LONG_OPTIONS,
                { "name", required_argument, NULL, OPT_NAME },
                { "role", required_argument, NULL, OPT_ROLE },
                { "user", required_argument, NULL, OPT_USER },
                { 0 },
        };
        const char *name = NULL, *role = NULL, *user = NULL;
        struct cli_client *client;
        _cleanup_json_ json_t *doc = NULL, *body = NULL;
        int c, r;

        while ((c = getopt_long(argc, argv, CLI_GLOBAL_SHORT_OPTIONS, options, NULL)) != -1) {
                switch (c) {
                case OPT_NAME:
                        name = optarg;
                        break;
                case OPT_ROLE:
                        role = optarg;
                        break;
                case OPT_USER:
                        user = optarg;
                        break;
                default:
                        r = cli_option_common(ctx, c, argc, argv);
                        if (r != CLI_CONTINUE)
                                return r;
                }
        }
        if ((r = cli_positional(ctx, argc, argv, 0, "")) != CLI_CONTINUE)
                return r;
        if (!name || !*name)
                return cli_usage_error(ctx, "missing required option '--name NAME'");
        if (!role || !*role)
                return cli_usage_error(ctx, "missing required option '--role ROLE'");
        if (!role_known(role))
                return cli_usage_error(ctx,
                                       "option '--role': '%s' is not a role (admin, "
                                       "release-manager, security-officer, factory, auditor)",
                                       role);

        body = json_pack("{s:s, s:s}", "name", name, "role", role);
        if (body && user)
                json_object_set_new(body, "user", json_string(user));
        if (!body || (user && !json_object_get(body, "user")))
                return cli_usage_error(ctx, "option '--name' is not valid UTF-8");
        if ((r = cli_ctx_client(ctx, &client)) != CLI_EXIT_OK)
                return r;
        if ((r = cli_client_request(client, "POST", "/api/v1/tokens", body, &doc)) != CLI_EXIT_OK)
                return r;
        if ((r = cli_expect_object(doc, "POST /api/v1/tokens")) != CLI_EXIT_OK)
                return r;
        if (ctx->flags.json)
                return cli_emit_json(doc);

        const char *secret = json_string_value(json_object_get(doc, "token"));
        if (!secret)
                return cli_error(CLI_EXIT_SERVER, "the server's answer has no \"token\"");
        _cleanup_free_ char *safe = cli_text_sanitize(secret, false);
        _cleanup_free_ char *n = cli_text_sanitize(name, false);
        fprintf(stderr, "created token '%s' with role %s\n", n, role);
        printf("%s\n", safe);
        fprintf(stderr, "warning: store this token now; it cannot be shown again\n");
        return CLI_EXIT_OK;
}

static int token_list_run(struct cli_ctx *ctx, int argc, char **argv) {
        struct cli_client *client;
        _cleanup_json_ json_t *doc = NULL;
        json_t *items, *item;
        size_t i;
        int r;
        if ((r = cli_parse_positional_only(ctx, argc, argv, 0, "")) != CLI_CONTINUE)
                return r;
        if ((r = cli_ctx_client(ctx, &client)) != CLI_EXIT_OK)
                return r;
        if ((r = cli_client_request(client, "GET", "/api/v1/tokens", NULL, &doc)) != CLI_EXIT_OK)
                return r;
        if ((r = cli_expect_items(doc, "GET /api/v1/tokens", &items)) != CLI_EXIT_OK)
                return r;
        if (ctx->flags.json)
                return cli_emit_json(doc);

        static const char *const headers[] = { "ID", "NAME", "ROLE", "USER", "CREATED", "CREATED BY",
                                               "REVOKED" };
        static const char *const fields[] = { "id", "name", "role", "user", "created_at", "created_by",
                                              "revoked_at" };
        struct cli_table *t = cli_table_new(ELEMENTSOF(headers), headers);
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
        return cli_emit_text(text);
}

static int token_revoke_run(struct cli_ctx *ctx, int argc, char **argv) {
        struct cli_client *client;
        _cleanup_json_ json_t *doc = NULL;
        int r;
        if ((r = cli_parse_positional_only(ctx, argc, argv, 1, "NAME")) != CLI_CONTINUE)
                return r;
        const char *name = argv[optind];
        if (!*name)
                return cli_usage_error(ctx, "NAME is empty");
        if ((r = cli_ctx_client(ctx, &client)) != CLI_EXIT_OK)
                return r;
        _cleanup_free_ char *escaped = cli_client_escape(name);
        _cleanup_free_ char *path = str_printf("/api/v1/tokens/%s", escaped);
        if ((r = cli_client_request(client, "DELETE", path, NULL, &doc)) != CLI_EXIT_OK)
                return r;
        if ((r = cli_expect_object(doc, "DELETE /api/v1/tokens")) != CLI_EXIT_OK)
                return r;
        if (ctx->flags.json)
                return cli_emit_json(doc);

        _cleanup_free_ char *n = cli_text_sanitize(name, false);
        _cleanup_free_ char *when = cli_json_text(json_object_get(doc, "revoked_at"));
        _cleanup_free_ char *safe_when = cli_text_sanitize(when ? when : CLI_ABSENT, false);
        printf("revoked token '%s' at %s\n", n, safe_when);
        return CLI_EXIT_OK;
}

static const struct cli_command token_create = {
        .name = "create",
        .summary = "Create a token (its secret is shown once)",
        .usage = "--name NAME --role ROLE [--user USER]",
        .help = "Creates an API token (POST /api/v1/tokens; admin only). The token is printed\n"
                "once, alone on stdout; it cannot be shown again. With --json the whole object\n"
                "is printed, the secret in \"token\". To store it without it appearing on the\n"
                "terminal:  (umask 077; cradle token create --name ci --role auditor > ci.token)\n"
                "\n"
                "Options:\n"
                "  --name NAME   the token's name (unique; appears in the audit log)\n"
                "  --role ROLE   admin, release-manager, security-officer, factory or auditor\n"
                "  --user USER   the existing user (cradle user create) the token acts for; the\n"
                "                user must hold ROLE. Without it a new user named NAME, holding\n"
                "                ROLE, is created for the token\n",
        .run = token_create_run,
};

static const struct cli_command token_list = {
        .name = "list",
        .summary = "List tokens (never their secrets)",
        .usage = "",
        .help = "Lists the API tokens with their roles, creation and revocation times\n"
                "(GET /api/v1/tokens; admin, auditor). Secrets are never shown.\n",
        .run = token_list_run,
};

static const struct cli_command token_revoke = {
        .name = "revoke",
        .summary = "Revoke a token by name",
        .usage = "NAME",
        .help = "Revokes the token called NAME (DELETE /api/v1/tokens/NAME; admin only).\n"
                "It stops working at once; the record stays, with its revocation time.\n",
        .run = token_revoke_run,
};

static const struct cli_command *const token_subs[] = {
        &token_create, &token_list, &token_revoke, NULL,
};

const struct cli_command cli_cmd_token = {
        .name = "token",
        .summary = "Manage API tokens",
        .subs = token_subs,
};

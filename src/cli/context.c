/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The invocation context: settings are resolved and the HTTP client opened
 * only when a command first talks to the server, so --help and usage errors
 * never need a config, a URL or a token.
 */
#include <stdio.h>
#include <stdlib.h>

#include "cli/cli.h"
#include "cli/client.h"
#include "cli/output.h"

int cli_ctx_client(struct cli_ctx *ctx, struct cli_client **out) {
        struct error err = { 0 };

        *out = NULL;
        if (ctx->client) {
                *out = ctx->client;
                return CLI_EXIT_OK;
        }
        if (!ctx->settings_loaded) {
                struct cli_env env;
                cli_env_from_process(&env);
                if (cli_settings_load(&ctx->flags, &env, &ctx->settings, &err) < 0)
                        return cli_error(CLI_EXIT_LOCAL, "%s", err.msg);
                ctx->settings_loaded = true;
        }
        if (!ctx->settings.url)
                return cli_usage_error(ctx, "no server URL: use --url URL, set CRADLE_URL, or set "
                                            "url in [server] of the config file");
        if (ctx->settings.token_source == CLI_TOKEN_NONE)
                return cli_usage_error(ctx, "no API token: set CRADLE_TOKEN, use --token-file "
                                            "FILE, set CRADLE_TOKEN_FILE, or set token_file in "
                                            "[server] of the config file");
        if (cli_client_new(&ctx->settings, &ctx->client, &err) < 0) {
                if (err.kind == ERROR_INVALID)
                        return cli_usage_error(ctx, "%s", err.msg);
                return cli_error(CLI_EXIT_LOCAL, "%s", err.msg);
        }
        *out = ctx->client;
        return CLI_EXIT_OK;
}

void cli_ctx_done(struct cli_ctx *ctx) {
        cli_client_free(ctx->client);
        ctx->client = NULL;
        cli_settings_free(&ctx->settings);
        ctx->settings_loaded = false;
}

int cli_emit_json(json_t *doc) {
        cli_json_print(stdout, doc);
        return CLI_EXIT_OK;
}

int cli_emit_text(char *text) {
        cli_print(stdout, text);
        free(text);
        return CLI_EXIT_OK;
}

int cli_expect_object(json_t *doc, const char *what) {
        if (!json_is_object(doc))
                return cli_error(CLI_EXIT_SERVER, "the server's answer to %s is not a JSON object",
                                 what);
        return CLI_EXIT_OK;
}

int cli_expect_items(json_t *doc, const char *what, json_t **items) {
        *items = NULL;
        if (!json_is_object(doc) || !json_is_array(json_object_get(doc, "items")))
                return cli_error(CLI_EXIT_SERVER,
                                 "the server's answer to %s is not an object with an \"items\" "
                                 "array",
                                 what);
        *items = json_object_get(doc, "items");
        return CLI_EXIT_OK;
}

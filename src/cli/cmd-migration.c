/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cradle migration open|close: the window in which fielded devices of a
 * product trade the shared fleet credential for their own certificate. The
 * credential is read from a 0600 file, never from argv.
 */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/client.h"
#include "cli/cmd-common.h"
#include "cli/command.h"
#include "core/cleanup.h"
#include "core/strutil.h"

enum { OPT_PRODUCT = CLI_OPT_LOCAL_BASE, OPT_CREDENTIAL_FILE };

static const struct cli_field state_fields[] = { { "product", "product" }, { "migration", "migration" } };

static int migration_run(struct cli_ctx *ctx, int argc, char **argv, bool open) {
        static const struct option options[] = {
                CLI_GLOBAL_LONG_OPTIONS,
                { "product", required_argument, NULL, OPT_PRODUCT },
                { "credential-file", required_argument, NULL, OPT_CREDENTIAL_FILE },
                { 0 },
        };
        const char *product = NULL, *cred_file = NULL;
        int c, r;
        while ((c = getopt_long(argc, argv, CLI_GLOBAL_SHORT_OPTIONS, options, NULL)) != -1) {
                switch (c) {
                case OPT_PRODUCT: product = optarg; break;
                case OPT_CREDENTIAL_FILE: cred_file = optarg; break;
                default:
                        if ((r = cli_option_common(ctx, c, argc, argv)) != CLI_CONTINUE)
                                return r;
                }
        }
        if ((r = cli_positional(ctx, argc, argv, 0, "")) != CLI_CONTINUE ||
            (r = cli_require(ctx, product, "--product MODEL")) != CLI_CONTINUE)
                return r;
        if (open && (r = cli_require(ctx, cred_file, "--credential-file FILE")) != CLI_CONTINUE)
                return r;
        if (!open && cred_file)
                return cli_usage_error(ctx, "closing takes no --credential-file");
        _cleanup_secret_ char *cred = NULL;
        if (open && (r = cli_read_secret_file("--credential-file", cred_file, 512, &cred)) != CLI_EXIT_OK)
                return r;
        int64_t id;
        if ((r = cli_product_id(ctx, product, &id)) != CLI_EXIT_OK)
                return r;
        _cleanup_free_ char *path = str_printf("/api/v1/products/%lld/migration", (long long) id);
        if (!open)
                return cli_send_show(ctx, "DELETE", path, NULL, state_fields, ELEMENTSOF(state_fields));
        /* The credential goes into a JSON tree only for the request. */
        _cleanup_json_ json_t *body = json_pack("{s:s}", "shared_credential", cred);
        return cli_send_show(ctx, "POST", path, body, state_fields, ELEMENTSOF(state_fields));
}

static int migration_open_run(struct cli_ctx *ctx, int argc, char **argv) {
        return migration_run(ctx, argc, argv, true);
}

static int migration_close_run(struct cli_ctx *ctx, int argc, char **argv) {
        return migration_run(ctx, argc, argv, false);
}

static const struct cli_command migration_open = {
        .name = "open",
        .summary = "Open a product's migration window",
        .usage = "--product MODEL --credential-file FILE",
        .help = "Lets fielded devices of the product claim their own certificate with the\n"
                "shared credential they hold (POST /api/v1/products/ID/migration; admin).\n"
                "Re-opening replaces the credential; the server stores only its hash.\n\n"
                "Options:\n"
                "  --product MODEL          the product\n"
                "  --credential-file FILE   the shared credential on one line; the file must\n"
                "                           not be accessible by group or others\n",
        .run = migration_open_run,
};

static const struct cli_command migration_close = {
        .name = "close",
        .summary = "Close a product's migration window",
        .usage = "--product MODEL",
        .help = "Ends migration claims for the product (DELETE\n"
                "/api/v1/products/ID/migration; admin).\n",
        .run = migration_close_run,
};

static const struct cli_command *const migration_subs[] = { &migration_open, &migration_close, NULL };

const struct cli_command cli_cmd_migration = {
        .name = "migration",
        .summary = "Migrate fielded devices off a shared credential",
        .subs = migration_subs,
};

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The command table, help at every level, and dispatch down the tree.
 */
#include <stdio.h>
#include <string.h>

#include "cli/command.h"
#include "core/cleanup.h"
#include "core/strutil.h"
#include "cradle-version.h"

const struct cli_command *const cli_commands[] = {
        &cli_cmd_whoami,
        &cli_cmd_token,
        &cli_cmd_product,
        &cli_cmd_audit,
        &cli_cmd_key,
        &cli_cmd_pki,
        &cli_cmd_ca,
        &cli_cmd_batch,
        &cli_cmd_provision,
        &cli_cmd_device,
        &cli_cmd_cert,
        &cli_cmd_migration,
        &cli_cmd_security_events,
        &cli_cmd_release,
        &cli_cmd_vuln, /* vulnerability feeds (issue 9) */
        &cli_cmd_repo,
        &cli_cmd_director,
        &cli_cmd_campaign,
        &cli_cmd_findings,
        &cli_cmd_exposure,
        /* SBOM ingestion (issue 9) */
        &cli_cmd_sbom,
        &cli_cmd_vex,
        &cli_cmd_case, /* CRA reporting cases (issue 10) */
        &cli_cmd_user,
        &cli_cmd_approval,
        &cli_cmd_cvd, /* the public CVD intake (issue 10 section 4) */
        &cli_cmd_kek, /* secrets at rest (issue 11 section 6) */
        NULL,
};

static const char global_options_help[] =
        "Global options (before or after the command):\n"
        "  --url URL          server base URL (https://host:port); env CRADLE_URL\n"
        "  --ca FILE          CA certificate (PEM) that issued the server's certificate;\n"
        "                     env CRADLE_CA\n"
        "  --token-file FILE  file holding the API token (mode 0600); env CRADLE_TOKEN_FILE.\n"
        "                     The token itself may come from env CRADLE_TOKEN, never from\n"
        "                     the command line.\n"
        "  --config FILE      config file (default $XDG_CONFIG_HOME/cradle/config or\n"
        "                     ~/.config/cradle/config)\n"
        "  --json             print the server's JSON instead of tables\n"
        "  -h, --help         show help for the program or the command\n";

static const char global_options_short[] =
        "Global options: --url URL, --ca FILE, --token-file FILE, --config FILE, --json\n"
        "(see 'cradle --help').\n";

static const char exit_status_help[] =
        "Exit status:\n"
        "  0  success\n"
        "  1  local error (files, config, permissions)\n"
        "  2  usage error (bad option or argument; nothing was sent)\n"
        "  3  the server refused the request (HTTP 4xx); provision: some serial refused\n"
        "  4  connection or TLS failure, server error (HTTP 5xx) or malformed answer\n"
        "  5  verification failure (audit chain broken; release sign: an image does not match)\n";

void cli_version_print(FILE *f) {
        fprintf(f, "cradle %s\n", CRADLE_VERSION);
}

static void list_commands(FILE *f, const struct cli_command *const *table) {
        size_t width = 0;

        for (size_t i = 0; table[i]; i++)
                if (strlen(table[i]->name) > width)
                        width = strlen(table[i]->name);
        for (size_t i = 0; table[i]; i++)
                fprintf(f, "  %-*s  %s\n", (int) width, table[i]->name, table[i]->summary);
}

void cli_help_print(FILE *f, const struct cli_command *cmd, const char *path) {
        if (!cmd) {
                fprintf(f, "Usage: cradle [global options] <command> [<subcommand>] [options]\n"
                           "       cradle --version\n\n"
                           "The operator CLI of Cradle: talks to cradled's REST API.\n\n"
                           "Commands:\n");
                list_commands(f, cli_commands);
                fprintf(f, "\n%s\n", global_options_help);
                fprintf(f, "Settings are taken from flags, then the environment (CRADLE_URL,\n"
                           "CRADLE_TOKEN, CRADLE_TOKEN_FILE, CRADLE_CA), then the config file\n"
                           "(INI: [server] url, ca, token_file).\n\n");
                fprintf(f, "%s\n", exit_status_help);
                fprintf(f, "Run 'cradle <command> --help' for a command's subcommands and options.\n"
                           "See docs/cli.md for the full reference.\n");
                return;
        }
        if (cmd->subs) {
                fprintf(f, "Usage: %s <subcommand> [options]\n\n%s.\n\nSubcommands:\n", path,
                        cmd->summary);
                list_commands(f, cmd->subs);
                fprintf(f, "\n%s\n%s\nRun '%s <subcommand> --help' for its options.\n",
                        global_options_short, exit_status_help, path);
                return;
        }
        fprintf(f, "Usage: %s%s%s\n\n%s\n%s\n%s", path, cmd->usage && *cmd->usage ? " " : "",
                cmd->usage ? cmd->usage : "", cmd->help, global_options_short, exit_status_help);
}

static const struct cli_command *find(const struct cli_command *const *table, const char *name) {
        for (size_t i = 0; table[i]; i++)
                if (strcmp(table[i]->name, name) == 0)
                        return table[i];
        return NULL;
}

static bool is_help(const char *arg) {
        return strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0;
}

int cli_dispatch(struct cli_ctx *ctx, const struct cli_command *const *table,
                 const char *parent_path, int argc, char **argv) {
        const struct cli_command *cmd;
        _cleanup_free_ char *path = NULL;

        if (argc < 1)
                return cli_usage_error(ctx, "missing command");
        cmd = find(table, argv[0]);
        if (!cmd) {
                if (argv[0][0] == '-')
                        return cli_usage_error(ctx, "unknown option '%s'", argv[0]);
                return cli_usage_error(ctx, "'%s' is not a command of '%s'", argv[0], parent_path);
        }
        path = str_printf("%s %s", parent_path, cmd->name);
        ctx->cmd = cmd;
        ctx->cmd_path = path;

        if (cmd->subs) {
                if (argc < 2) {
                        struct buf names = { 0 };
                        for (size_t i = 0; cmd->subs[i]; i++)
                                buf_appendf(&names, "%s%s", i ? ", " : "", cmd->subs[i]->name);
                        _cleanup_free_ char *list = buf_steal(&names);
                        return cli_usage_error(ctx, "missing subcommand (one of: %s)", list);
                }
                if (is_help(argv[1])) {
                        cli_help_print(stdout, cmd, path);
                        return CLI_EXIT_OK;
                }
                if (argv[1][0] == '-')
                        return cli_usage_error(ctx, "expected a subcommand of '%s' before '%s'",
                                               path, argv[1]);
                int r = cli_dispatch(ctx, cmd->subs, path, argc - 1, argv + 1);
                ctx->cmd_path = NULL; /* path is freed here */
                return r;
        }
        cli_getopt_reset();
        int r = cmd->run(ctx, argc, argv);
        ctx->cmd_path = NULL;
        return r;
}

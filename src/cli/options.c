/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What every command's option parsing shares: the global options, help,
 * and usage errors that name the option at fault (exit 2).
 */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/command.h"

void cli_getopt_reset(void) {
        /* glibc: optind = 0 re-initialises getopt for a new argv. Messages are ours. */
        optind = 0;
        opterr = 0;
}

int cli_error(int code, const char *fmt, ...) {
        va_list ap;

        fputs("error: ", stderr);
        va_start(ap, fmt);
        vfprintf(stderr, fmt, ap);
        va_end(ap);
        fputc('\n', stderr);
        return code;
}

int cli_usage_error(const struct cli_ctx *ctx, const char *fmt, ...) {
        va_list ap;
        const char *path = ctx && ctx->cmd_path ? ctx->cmd_path : "cradle";

        fputs("error: ", stderr);
        va_start(ap, fmt);
        vfprintf(stderr, fmt, ap);
        va_end(ap);
        fprintf(stderr, "\nTry '%s --help'.\n", path);
        return CLI_EXIT_USAGE;
}

/* The option as the user typed it, without any "=value". */
static const char *option_text(int argc, char **argv, char *scratch, size_t size) {
        if (optind < 1 || optind > argc || !argv[optind - 1])
                return "?";
        snprintf(scratch, size, "%s", argv[optind - 1]);
        char *eq = strchr(scratch, '=');
        if (eq && scratch[0] == '-' && scratch[1] == '-')
                *eq = '\0';
        return scratch;
}

int cli_option_common(struct cli_ctx *ctx, int c, int argc, char **argv) {
        char scratch[128];

        switch (c) {
        case CLI_OPT_URL:
                ctx->flags.url = optarg;
                return CLI_CONTINUE;
        case CLI_OPT_CA:
                ctx->flags.ca = optarg;
                return CLI_CONTINUE;
        case CLI_OPT_TOKEN_FILE:
                ctx->flags.token_file = optarg;
                return CLI_CONTINUE;
        case CLI_OPT_CONFIG:
                ctx->flags.config = optarg;
                return CLI_CONTINUE;
        case CLI_OPT_JSON:
                ctx->flags.json = true;
                return CLI_CONTINUE;
        case CLI_OPT_TOKEN_REFUSED:
                return cli_usage_error(ctx,
                                       "--token is not accepted: a token on the command line is "
                                       "visible to other users (ps, /proc) and stays in shell "
                                       "history; set CRADLE_TOKEN or use --token-file FILE");
        case CLI_OPT_HELP:
                cli_help_print(stdout, ctx->cmd, ctx->cmd_path ? ctx->cmd_path : "cradle");
                return CLI_EXIT_OK;
        case ':':
                return cli_usage_error(ctx, "option '%s' needs a value",
                                       option_text(argc, argv, scratch, sizeof(scratch)));
        case '?':
                /* An unknown short option is in optopt, maybe inside a cluster (-xv). */
                if (optopt > 0 && optopt < 0x80 && optopt != CLI_OPT_HELP)
                        return cli_usage_error(ctx, "unknown option '-%c'", optopt);
                if (optopt != 0 && optind >= 1 && optind <= argc && argv[optind - 1] &&
                    strchr(argv[optind - 1], '='))
                        return cli_usage_error(ctx, "option '%s' does not take a value",
                                               option_text(argc, argv, scratch, sizeof(scratch)));
                return cli_usage_error(ctx, "unknown option '%s'",
                                       option_text(argc, argv, scratch, sizeof(scratch)));
        default:
                return cli_usage_error(ctx, "option '%s' is not handled here",
                                       option_text(argc, argv, scratch, sizeof(scratch)));
        }
}

int cli_positional(const struct cli_ctx *ctx, int argc, char **argv, int n_expected,
                   const char *names) {
        int have = argc - optind;

        if (have < n_expected)
                return cli_usage_error(ctx, "missing %s", names);
        if (have > n_expected)
                return cli_usage_error(ctx, "unexpected argument '%s'", argv[optind + n_expected]);
        return CLI_CONTINUE;
}

int cli_parse_positional_only(struct cli_ctx *ctx, int argc, char **argv, int n_expected,
                              const char *names) {
        static const struct option options[] = { CLI_GLOBAL_LONG_OPTIONS, { 0 } };
        int c, r;
        while ((c = getopt_long(argc, argv, CLI_GLOBAL_SHORT_OPTIONS, options, NULL)) != -1)
                if ((r = cli_option_common(ctx, c, argc, argv)) != CLI_CONTINUE)
                        return r;
        return cli_positional(ctx, argc, argv, n_expected, names);
}

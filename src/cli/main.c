/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cradle: the operator CLI. Global options come first (and are accepted
 * again after the command), then `<command> [<subcommand>] [options]`.
 * The exit code tells a script what happened; see docs/cli.md.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/command.h"

int main(int argc, char **argv) {
        static const struct option options[] = {
                CLI_GLOBAL_LONG_OPTIONS,
                { "version", no_argument, NULL, 'V' },
                { 0 },
        };
        struct cli_ctx ctx = { .cmd_path = "cradle" };
        int c, r;

        cli_getopt_reset();
        /* '+': stop at the command name; its options are the command's to parse. */
        while ((c = getopt_long(argc, argv, "+" CLI_GLOBAL_SHORT_OPTIONS "V", options, NULL)) != -1) {
                if (c == 'V') {
                        cli_version_print(stdout);
                        return CLI_EXIT_OK;
                }
                r = cli_option_common(&ctx, c, argc, argv);
                if (r != CLI_CONTINUE)
                        return r;
        }
        if (optind >= argc) {
                cli_help_print(stderr, NULL, "cradle");
                return CLI_EXIT_USAGE;
        }
        if (strcmp(argv[optind], "help") == 0) {
                /* `cradle help [command [subcommand]]` is `... --help`. */
                char *args[4] = { NULL };
                int n = 0;
                for (int i = optind + 1; i < argc && n < 2; i++)
                        args[n++] = argv[i];
                if (n == 0) {
                        cli_help_print(stdout, NULL, "cradle");
                        return CLI_EXIT_OK;
                }
                args[n++] = (char *) "--help";
                r = cli_dispatch(&ctx, cli_commands, "cradle", n, args);
        } else {
                r = cli_dispatch(&ctx, cli_commands, "cradle", argc - optind, argv + optind);
        }
        cli_ctx_done(&ctx);

        /* Output that did not reach its destination (full disk, closed pipe)
         * is a failure a script must see. */
        if (fflush(stdout) != 0 || ferror(stdout)) {
                fprintf(stderr, "error: writing the output: %s\n", strerror(errno));
                if (r == CLI_EXIT_OK)
                        r = CLI_EXIT_LOCAL;
        }
        return r;
}

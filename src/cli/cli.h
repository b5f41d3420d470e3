/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/*
 * What every `cradle` command shares: the exit codes (a contract with scripts,
 * documented in docs/cli.md and --help), the invocation context, and the
 * global options that every command accepts anywhere on its command line.
 */
#include <stdbool.h>
#include <getopt.h>
#include <jansson.h>

#include "cli/settings.h"

enum cli_exit {
        CLI_EXIT_OK = 0,
        CLI_EXIT_LOCAL = 1,     /* other local error (files, config, memory) */
        CLI_EXIT_USAGE = 2,     /* bad command line; nothing was sent */
        CLI_EXIT_REFUSED = 3,   /* the server refused the request (4xx) */
        CLI_EXIT_SERVER = 4,    /* connection/TLS failure, server 5xx, bad response */
        CLI_EXIT_VERIFY = 5,    /* verification failure (audit chain broken) */
};

/* Returned by helpers that want the caller to go on parsing. */
#define CLI_CONTINUE (-1)

struct cli_command;
struct cli_client;

struct cli_ctx {
        const struct cli_command *cmd;  /* the leaf being run (for --help and messages) */
        const char *cmd_path;           /* "cradle token create" */
        struct cli_flags flags;         /* global options, wherever they were given */
        struct cli_settings settings;
        bool settings_loaded;
        struct cli_client *client;      /* created on first use; one per invocation */
};

void cli_ctx_done(struct cli_ctx *ctx);

/* Resolves settings and opens the client on first use. Prints the reason and
 * returns an exit code on failure, CLI_EXIT_OK on success. */
int cli_ctx_client(struct cli_ctx *ctx, struct cli_client **out);

/* Global options, accepted before the command and after it. */
enum {
        CLI_OPT_HELP = 'h',
        CLI_OPT_URL = 0x100,
        CLI_OPT_CA,
        CLI_OPT_TOKEN_FILE,
        CLI_OPT_CONFIG,
        CLI_OPT_JSON,
        CLI_OPT_TOKEN_REFUSED,  /* --token: refused with an explanation */
        CLI_OPT_LOCAL_BASE = 0x200, /* commands number their own options from here */
};

#define CLI_GLOBAL_LONG_OPTIONS                                                 \
        { "help", no_argument, NULL, CLI_OPT_HELP },                            \
        { "url", required_argument, NULL, CLI_OPT_URL },                        \
        { "ca", required_argument, NULL, CLI_OPT_CA },                          \
        { "token-file", required_argument, NULL, CLI_OPT_TOKEN_FILE },          \
        { "config", required_argument, NULL, CLI_OPT_CONFIG },                  \
        { "json", no_argument, NULL, CLI_OPT_JSON },                            \
        { "token", optional_argument, NULL, CLI_OPT_TOKEN_REFUSED }

/* Short options every command accepts; a command's optstring starts with this.
 * The leading ':' makes getopt report a missing value as ':'. */
#define CLI_GLOBAL_SHORT_OPTIONS ":h"

/* Prepares getopt_long for a fresh parse of a (sub)command's argv. */
void cli_getopt_reset(void);

/* Call for any option a command's getopt loop does not handle itself. Stores
 * global options, prints help, or reports an unknown option / missing value
 * (naming it). Returns CLI_CONTINUE to keep parsing, else the exit code. */
int cli_option_common(struct cli_ctx *ctx, int c, int argc, char **argv);

/* Prints "error: <msg>" and "Try '<cmd> --help'." to stderr; returns CLI_EXIT_USAGE. */
int cli_usage_error(const struct cli_ctx *ctx, const char *fmt, ...)
        __attribute__((format(printf, 2, 3)));

/* Prints "error: <msg>" to stderr and returns `code`. */
int cli_error(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Checks the number of positional arguments left after getopt. `names` is the
 * usage form of the expected ones ("NAME"); extra ones are refused. */
int cli_positional(const struct cli_ctx *ctx, int argc, char **argv, int n_expected,
                   const char *names);

/* For commands that take only the global options: parses them, then checks
 * the positional arguments as cli_positional does. */
int cli_parse_positional_only(struct cli_ctx *ctx, int argc, char **argv, int n_expected,
                              const char *names);

/* Prints `doc` as pretty JSON on stdout; returns CLI_EXIT_OK. */
int cli_emit_json(json_t *doc);
/* Prints rendered human text (heap string, freed) on stdout; returns CLI_EXIT_OK. */
int cli_emit_text(char *text);
/* Checks the shape of a 2xx answer: an object (and, for `items`, with an
 * "items" array, stored in *items). Prints and returns CLI_EXIT_SERVER if not. */
int cli_expect_object(json_t *doc, const char *what);
int cli_expect_items(json_t *doc, const char *what, json_t **items);

/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/*
 * Where the CLI finds its server, CA and token. Precedence, highest first:
 * command-line flags, environment (CRADLE_URL, CRADLE_TOKEN, CRADLE_TOKEN_FILE,
 * CRADLE_CA), the config file ([server] url, ca, token_file, token).
 *
 * The decision is pure (cli_settings_resolve, cli_config_parse,
 * cli_token_parse take values, not paths or getenv) so it can be tested
 * without a file system; cli_settings_load does the reading around it.
 *
 * A token is a secret: it never comes from argv, only from CRADLE_TOKEN or a
 * file, and a file that holds one (token file or config with `token =`) is
 * refused when group or others may access it.
 */
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "core/error.h"

#define CLI_TOKEN_MAX 512
#define CLI_CONFIG_MAX (64 * 1024)

/* Global options as given on the command line (borrowed from argv). */
struct cli_flags {
        const char *url;
        const char *ca;
        const char *token_file;
        const char *config;
        bool json;
};

/* The environment the CLI reads (borrowed; NULL or "" = unset). */
struct cli_env {
        const char *url;           /* CRADLE_URL */
        const char *token;         /* CRADLE_TOKEN */
        const char *token_file;    /* CRADLE_TOKEN_FILE */
        const char *ca;            /* CRADLE_CA */
        const char *xdg_config_home;
        const char *home;
};

/* The config file, parsed. Relative paths are already resolved against the
 * config file's directory. */
struct cli_file_config {
        char *url;
        char *ca;
        char *token_file;
        char *token;   /* secret */
};

enum cli_token_source {
        CLI_TOKEN_NONE,
        CLI_TOKEN_FLAG_FILE,    /* --token-file */
        CLI_TOKEN_ENV,          /* CRADLE_TOKEN */
        CLI_TOKEN_ENV_FILE,     /* CRADLE_TOKEN_FILE */
        CLI_TOKEN_CONFIG,       /* token = in the config */
        CLI_TOKEN_CONFIG_FILE,  /* token_file = in the config */
};

struct cli_settings {
        char *url;
        const char *url_from;        /* "--url", "CRADLE_URL", "config" (static) */
        char *ca;
        const char *ca_from;
        enum cli_token_source token_source;
        char *token_file;            /* set for the *_FILE sources */
        char *token;                 /* secret; set once known (ENV, CONFIG, or after loading the file) */
        char *config_path;           /* the config that was read, or NULL */
};

/* Reads the environment. */
void cli_env_from_process(struct cli_env *out);

/* $XDG_CONFIG_HOME/cradle/config, else $HOME/.config/cradle/config, else NULL. */
char *cli_config_default_path(const struct cli_env *env);

/* Parses a config file's contents. `mode` is the file's st_mode: a config
 * holding a token must not be accessible by group or others. `dir` (may be
 * NULL) anchors relative ca/token_file paths. */
int cli_config_parse(const char *name, const char *buf, size_t len, mode_t mode, const char *dir,
                     struct cli_file_config *out, struct error *err);
void cli_file_config_free(struct cli_file_config *c);

/* Checks and extracts a token from a token file's contents: file must not be
 * accessible by group or others; one line, surrounding whitespace dropped;
 * printable ASCII without spaces. `name` names the file in messages. */
int cli_token_parse(const char *name, const char *buf, size_t len, mode_t mode, char **out,
                    struct error *err);
/* Same character rules for a token from elsewhere (CRADLE_TOKEN). */
int cli_token_check(const char *name, const char *token, struct error *err);

/* Combines flags, environment and config (may be NULL) by precedence. Does
 * not read files: a *_FILE token source leaves settings->token NULL. */
int cli_settings_resolve(const struct cli_flags *flags, const struct cli_env *env,
                         const struct cli_file_config *file, struct cli_settings *out,
                         struct error *err);

/* Reads a regular file or a pipe of at most `max` bytes (NUL added) and
 * reports its mode. `what` names it in messages ("token file"). */
int cli_file_read(const char *what, const char *path, size_t max, char **out, size_t *len_out,
                  mode_t *mode_out, struct error *err);

/* The I/O around the above: reads the config (the --config one, or the
 * default one if it exists), resolves, and loads the token file. A missing
 * URL or token is not an error here (out->url NULL, CLI_TOKEN_NONE). */
int cli_settings_load(const struct cli_flags *flags, const struct cli_env *env,
                      struct cli_settings *out, struct error *err);

void cli_settings_free(struct cli_settings *s);

/* Wipes `len` bytes of a buffer that may hold a secret, then frees it. */
void cli_secret_free(char *buf, size_t len);

/* "--token-file", "CRADLE_TOKEN", ... for messages. */
const char *cli_token_source_name(enum cli_token_source src);

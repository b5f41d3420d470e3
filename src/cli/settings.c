/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Settings resolution for the CLI: flags > environment > config file.
 * Everything that decides is a pure function of its inputs; the reading of
 * files and the environment is kept to cli_file_read, cli_env_from_process
 * and cli_settings_load.
 */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/settings.h"
#include "core/cleanup.h"
#include "core/config.h"
#include "core/strutil.h"
#include "crypto/ct.h"

static const struct config_key cli_config_schema[] = {
        { "server", "url", CONFIG_STRING, offsetof(struct cli_file_config, url), 0, 0, NULL,
          "Base URL of cradled, e.g. https://cradle.example:8443" },
        { "server", "ca", CONFIG_STRING, offsetof(struct cli_file_config, ca), 0, 0, NULL,
          "PEM file of the CA that issued the server's certificate" },
        { "server", "token_file", CONFIG_STRING, offsetof(struct cli_file_config, token_file), 0, 0,
          NULL, "File holding the API token (mode 0600)" },
        { "server", "token", CONFIG_STRING, offsetof(struct cli_file_config, token), 0, 0, NULL,
          "The API token itself (the config file must then be mode 0600)" },
};

void cli_secret_free(char *buf, size_t len) {
        if (!buf)
                return;
        ct_wipe(buf, len);
        free(buf);
}

static bool is_set(const char *s) {
        return s && *s;
}

/* Group or others may read, write or run it. */
static bool mode_is_shared(mode_t mode) {
        return (mode & (S_IRWXG | S_IRWXO)) != 0;
}

void cli_env_from_process(struct cli_env *out) {
        *out = (struct cli_env) {
                .url = getenv("CRADLE_URL"),
                .token = getenv("CRADLE_TOKEN"),
                .token_file = getenv("CRADLE_TOKEN_FILE"),
                .ca = getenv("CRADLE_CA"),
                .xdg_config_home = getenv("XDG_CONFIG_HOME"),
                .home = getenv("HOME"),
        };
}

char *cli_config_default_path(const struct cli_env *env) {
        /* The XDG spec says a relative XDG_CONFIG_HOME is invalid and must be ignored. */
        if (is_set(env->xdg_config_home) && env->xdg_config_home[0] == '/')
                return str_printf("%s/cradle/config", env->xdg_config_home);
        if (is_set(env->home))
                return str_printf("%s/.config/cradle/config", env->home);
        return NULL;
}

static void resolve_relative(char **path, const char *dir) {
        if (!*path || !dir || (*path)[0] == '/' || (*path)[0] == '\0')
                return;
        char *joined = str_printf("%s/%s", dir, *path);
        free(*path);
        *path = joined;
}

void cli_file_config_free(struct cli_file_config *c) {
        if (!c)
                return;
        free(c->url);
        free(c->ca);
        free(c->token_file);
        free_secret(c->token);
        *c = (struct cli_file_config) { 0 };
}

int cli_config_parse(const char *name, const char *buf, size_t len, mode_t mode, const char *dir,
                     struct cli_file_config *out, struct error *err) {
        struct cli_file_config c = { 0 };

        *out = (struct cli_file_config) { 0 };
        if (config_parse_buffer(name, buf, len, cli_config_schema, ELEMENTSOF(cli_config_schema),
                                &c, err) < 0) {
                /* The token may have been parsed before the error: wipe it. */
                cli_file_config_free(&c);
                return -1;
        }
        if (is_set(c.token)) {
                if (mode_is_shared(mode)) {
                        cli_file_config_free(&c);
                        return error_set(err, ERROR_INVALID,
                                         "%s holds a token but group or others may access it "
                                         "(mode %04o); run: chmod 600 %s",
                                         name, (unsigned) (mode & 07777), name);
                }
                if (is_set(c.token_file)) {
                        cli_file_config_free(&c);
                        return error_set(err, ERROR_INVALID,
                                         "%s: [server] sets both token and token_file; keep one",
                                         name);
                }
                if (cli_token_check(name, c.token, err) < 0) {
                        cli_file_config_free(&c);
                        return -1;
                }
        }
        resolve_relative(&c.ca, dir);
        resolve_relative(&c.token_file, dir);
        *out = c;
        return 0;
}

int cli_token_check(const char *name, const char *token, struct error *err) {
        size_t n = strlen(token);

        if (n == 0)
                return error_set(err, ERROR_INVALID, "%s: the token is empty", name);
        if (n > CLI_TOKEN_MAX)
                return error_set(err, ERROR_INVALID, "%s: the token is longer than %d bytes", name,
                                 CLI_TOKEN_MAX);
        /* It goes into an HTTP header: anything but visible ASCII would break
         * or inject into it. The message never quotes the token. */
        for (size_t i = 0; i < n; i++) {
                unsigned char ch = (unsigned char) token[i];
                if (ch <= 0x20 || ch >= 0x7f)
                        return error_set(err, ERROR_INVALID,
                                         "%s: the token holds a space, control or non-ASCII "
                                         "character at byte %zu",
                                         name, i + 1);
        }
        return 0;
}

static bool is_space(char ch) {
        return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r';
}

int cli_token_parse(const char *name, const char *buf, size_t len, mode_t mode, char **out,
                    struct error *err) {
        *out = NULL;
        if (mode_is_shared(mode))
                return error_set(err, ERROR_INVALID,
                                 "token file %s: group or others may access it (mode %04o); "
                                 "run: chmod 600 %s",
                                 name, (unsigned) (mode & 07777), name);
        if (memchr(buf, '\0', len))
                return error_set(err, ERROR_INVALID, "token file %s: holds a NUL byte", name);

        size_t start = 0, end = len;
        while (start < end && is_space(buf[start]))
                start++;
        while (end > start && is_space(buf[end - 1]))
                end--;
        if (start == end)
                return error_set(err, ERROR_INVALID, "token file %s: is empty", name);
        if (memchr(buf + start, '\n', end - start))
                return error_set(err, ERROR_INVALID,
                                 "token file %s: holds more than one line; it must hold only the token",
                                 name);
        if (end - start > CLI_TOKEN_MAX)
                return error_set(err, ERROR_INVALID, "token file %s: the token is longer than %d bytes",
                                 name, CLI_TOKEN_MAX);

        char *token = xmalloc(end - start + 1);
        memcpy(token, buf + start, end - start);
        token[end - start] = '\0';
        _cleanup_free_ char *what = str_printf("token file %s", name);
        if (cli_token_check(what, token, err) < 0) {
                free_secret(token);
                return -1;
        }
        *out = token;
        return 0;
}

const char *cli_token_source_name(enum cli_token_source src) {
        switch (src) {
        case CLI_TOKEN_FLAG_FILE: return "--token-file";
        case CLI_TOKEN_ENV: return "CRADLE_TOKEN";
        case CLI_TOKEN_ENV_FILE: return "CRADLE_TOKEN_FILE";
        case CLI_TOKEN_CONFIG: return "token in the config file";
        case CLI_TOKEN_CONFIG_FILE: return "token_file in the config file";
        case CLI_TOKEN_NONE: break;
        }
        return "none";
}

/* First set value wins; `from` names where it came from. */
static void pick(char **out, const char **from_out, const char *v1, const char *f1, const char *v2,
                 const char *f2, const char *v3, const char *f3) {
        const char *v = NULL, *from = NULL;

        if (is_set(v1))
                v = v1, from = f1;
        else if (is_set(v2))
                v = v2, from = f2;
        else if (is_set(v3))
                v = v3, from = f3;
        *out = str_dup(v);
        if (from_out)
                *from_out = from;
}

int cli_settings_resolve(const struct cli_flags *flags, const struct cli_env *env,
                         const struct cli_file_config *file, struct cli_settings *out,
                         struct error *err) {
        static const struct cli_file_config none = { 0 };

        (void) err;
        if (!file)
                file = &none;
        *out = (struct cli_settings) { 0 };

        pick(&out->url, &out->url_from, flags->url, "--url", env->url, "CRADLE_URL", file->url,
             "config");
        pick(&out->ca, &out->ca_from, flags->ca, "--ca", env->ca, "CRADLE_CA", file->ca, "config");

        /* Token: flag, then environment (the value before a file, as the more
         * specific of the two), then the config file. */
        if (is_set(flags->token_file)) {
                out->token_source = CLI_TOKEN_FLAG_FILE;
                out->token_file = str_dup(flags->token_file);
        } else if (is_set(env->token)) {
                out->token_source = CLI_TOKEN_ENV;
                out->token = str_dup(env->token);
        } else if (is_set(env->token_file)) {
                out->token_source = CLI_TOKEN_ENV_FILE;
                out->token_file = str_dup(env->token_file);
        } else if (is_set(file->token)) {
                out->token_source = CLI_TOKEN_CONFIG;
                out->token = str_dup(file->token);
        } else if (is_set(file->token_file)) {
                out->token_source = CLI_TOKEN_CONFIG_FILE;
                out->token_file = str_dup(file->token_file);
        } else {
                out->token_source = CLI_TOKEN_NONE;
        }
        return 0;
}

int cli_file_read(const char *what, const char *path, size_t max, char **out, size_t *len_out,
                  mode_t *mode_out, struct error *err) {
        _cleanup_close_ int fd = -1;
        struct stat st;
        char *data;
        size_t len = 0;

        *out = NULL;
        fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
                return error_set_errno(err, ERROR_IO, errno, "%s %s", what, path);
        /* fstat on the open file: the mode checked is the mode of what is read. */
        if (fstat(fd, &st) < 0)
                return error_set_errno(err, ERROR_IO, errno, "%s %s", what, path);
        /* Pipes are allowed so that --token-file <(pass show cradle) works. */
        if (!S_ISREG(st.st_mode) && !S_ISFIFO(st.st_mode))
                return error_set(err, ERROR_IO, "%s %s: not a regular file", what, path);
        if (S_ISREG(st.st_mode) && (uint64_t) st.st_size > max)
                return error_set(err, ERROR_TOO_LARGE, "%s %s: larger than %zu bytes", what, path,
                                 max);

        /* One buffer of the maximum size: no reallocation leaves copies of a
         * secret behind in freed memory. */
        data = xmalloc(max + 2);
        for (;;) {
                ssize_t n = read(fd, data + len, max + 1 - len);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        int e = errno;
                        cli_secret_free(data, len);
                        return error_set_errno(err, ERROR_IO, e, "%s %s", what, path);
                }
                if (n == 0)
                        break;
                len += (size_t) n;
                if (len > max) {
                        cli_secret_free(data, len);
                        return error_set(err, ERROR_TOO_LARGE, "%s %s: larger than %zu bytes", what,
                                         path, max);
                }
        }
        data[len] = '\0';
        if (len_out)
                *len_out = len;
        if (mode_out)
                *mode_out = st.st_mode;
        *out = data;
        return 0;
}

void cli_settings_free(struct cli_settings *s) {
        if (!s)
                return;
        free(s->url);
        free(s->ca);
        free(s->token_file);
        free_secret(s->token);
        free(s->config_path);
        *s = (struct cli_settings) { 0 };
}

static char *dir_of(const char *path) {
        const char *slash = strrchr(path, '/');
        if (!slash)
                return str_dup(".");
        if (slash == path)
                return str_dup("/");
        char *d = xmalloc((size_t) (slash - path) + 1);
        memcpy(d, path, (size_t) (slash - path));
        d[slash - path] = '\0';
        return d;
}

static int load_config(const struct cli_flags *flags, const struct cli_env *env,
                       struct cli_file_config *file, char **path_out, struct error *err) {
        _cleanup_free_ char *path = NULL;
        _cleanup_free_ char *dir = NULL;
        char *buf = NULL;
        size_t len = 0;
        mode_t mode = 0;
        int r;

        *path_out = NULL;
        if (is_set(flags->config)) {
                path = str_dup(flags->config);
        } else {
                path = cli_config_default_path(env);
                /* The default config is optional; an explicit one is not. */
                if (!path || (access(path, F_OK) < 0 && errno == ENOENT))
                        return 0;
        }
        if (cli_file_read("config file", path, CLI_CONFIG_MAX, &buf, &len, &mode, err) < 0)
                return -1;
        dir = dir_of(path);
        r = cli_config_parse(path, buf, len, mode, dir, file, err);
        /* The buffer may hold a token. */
        cli_secret_free(buf, len);
        if (r < 0)
                return -1;
        *path_out = steal_ptr(path);
        return 0;
}

int cli_settings_load(const struct cli_flags *flags, const struct cli_env *env,
                      struct cli_settings *out, struct error *err) {
        struct cli_file_config file = { 0 };
        char *config_path = NULL;

        *out = (struct cli_settings) { 0 };
        if (load_config(flags, env, &file, &config_path, err) < 0)
                return -1;
        cli_settings_resolve(flags, env, &file, out, err);
        cli_file_config_free(&file);
        out->config_path = config_path;

        switch (out->token_source) {
        case CLI_TOKEN_NONE:
                break; /* the caller decides whether it needs one */
        case CLI_TOKEN_ENV:
                if (cli_token_check("CRADLE_TOKEN", out->token, err) < 0) {
                        cli_settings_free(out);
                        return -1;
                }
                break;
        case CLI_TOKEN_CONFIG:
                break; /* checked when the config was parsed */
        case CLI_TOKEN_FLAG_FILE:
        case CLI_TOKEN_ENV_FILE:
        case CLI_TOKEN_CONFIG_FILE: {
                char *buf = NULL;
                size_t len = 0;
                mode_t mode = 0;
                if (cli_file_read("token file", out->token_file, 4096, &buf, &len, &mode, err) < 0) {
                        cli_settings_free(out);
                        return -1;
                }
                int r = cli_token_parse(out->token_file, buf, len, mode, &out->token, err);
                cli_secret_free(buf, len);
                if (r < 0) {
                        cli_settings_free(out);
                        return -1;
                }
                break;
        }
        }
        return 0;
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cradled: the Cradle server.
 *   cradled init --data-dir DIR [--listen ADDR] [--port N] [--name SAN]... [--then-run]
 *   cradled [run] --data-dir DIR [--listen ADDR] [--port N]
 *   cradled routes            the route table as JSON (method, path, roles, auth)
 *   cradled config-defaults   the commented default cradled.conf
 *   cradled cvd-key import --data-dir DIR FILE   the CVD contact's public key
 *   cradled kek-rotate --data-dir DIR --to REF   re-seal every secret under a new KEK
 *   cradled --help | --version
 * Exit codes: 0 success, 1 failure, 2 usage error.
 */
#include <getopt.h>
#include <stdarg.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/cleanup.h"
#include "core/fileio.h"
#include "core/strutil.h"
#include "audit/audit.h"
#include "cradle-version.h"
#include "cvd/cvd.h"
#include "store/store.h"
#include "kek-rotate.h"
#include "routes.h"
#include "server-config.h"
#include "server-init.h"
#include "server.h"

#define EXIT_USAGE 2
#define MAX_EXTRA_NAMES 32

static void usage(FILE *f) {
        fprintf(f,
                "Usage:\n"
                "  cradled init --data-dir DIR [--listen ADDR] [--port N] [--name NAME]... [--then-run]\n"
                "      Create DIR with a configuration, a database, a local CA and server\n"
                "      certificate, and print the first admin token (once).\n"
                "      --name adds a DNS name or IP address to the server certificate.\n"
                "      --then-run serves DIR right away, as 'cradled run' does.\n"
                "  cradled [run] --data-dir DIR [--listen ADDR] [--port N]\n"
                "      Serve the API over HTTPS until SIGTERM or SIGINT.\n"
                "      --listen and --port override DIR/cradled.conf for this run.\n"
                "  cradled routes\n"
                "      Print the route table as JSON: [{\"method\",\"path\",\"roles\",\"auth\"}]\n"
                "      (auth: public, bearer, device or claim; device routes list roles [\"device\"]).\n"
                "  cradled config-defaults\n"
                "      Print the default cradled.conf with every key documented.\n"
                "  cradled cvd-key import --data-dir DIR FILE\n"
                "      Import the CVD contact's ASCII-armoured OpenPGP PUBLIC key (a private key is\n"
                "      refused: reports are decrypted off the server). cradled serves it at\n"
                "      /cvd/openpgp-key.asc and security.txt names it; audited.\n"
                "  cradled kek-rotate --data-dir DIR --to REF\n"
                "      With cradled stopped: re-seal every secret (migration keys, key files)\n"
                "      under the KEK REF (a key file or a pkcs11: URI) and point [kek] ref at it.\n"
                "  cradled --help | --version\n"
                "\n"
                "Exit status: 0 success, 1 failure, 2 usage error.\n");
}

__attribute__((format(printf, 1, 2)))
static int usage_error(const char *fmt, ...) {
        va_list ap;
        fprintf(stderr, "cradled: ");
        va_start(ap, fmt);
        vfprintf(stderr, fmt, ap);
        va_end(ap);
        fprintf(stderr, "\nTry 'cradled --help'.\n");
        return EXIT_USAGE;
}

struct cli_options {
        char *data_dir;
        const char *listen;
        int64_t port;
        const char *names[MAX_EXTRA_NAMES + 1];
        size_t n_names;
        bool then_run;
};

enum { OPT_DATA_DIR = 0x100, OPT_LISTEN, OPT_PORT, OPT_NAME, OPT_THEN_RUN, OPT_HELP, OPT_VERSION };

/* Parses the options of init (with_names) or run. Returns -1 on success, else an exit code. */
static int parse_options(int argc, char **argv, bool with_names, struct cli_options *o) {
        static const struct option longopts[] = {
                { "data-dir", required_argument, NULL, OPT_DATA_DIR },
                { "listen", required_argument, NULL, OPT_LISTEN },
                { "port", required_argument, NULL, OPT_PORT },
                { "name", required_argument, NULL, OPT_NAME },
                { "then-run", no_argument, NULL, OPT_THEN_RUN },
                { "help", no_argument, NULL, OPT_HELP },
                { "version", no_argument, NULL, OPT_VERSION },
                { NULL, 0, NULL, 0 },
        };
        bool v6;
        int c;
        opterr = 0;
        optind = 1;
        while ((c = getopt_long(argc, argv, ":", longopts, NULL)) != -1) {
                switch (c) {
                case OPT_DATA_DIR:
                        free(o->data_dir);
                        o->data_dir = str_dup(optarg);
                        break;
                case OPT_LISTEN:
                        if (server_config_parse_listen(optarg, &v6, NULL) < 0)
                                return usage_error("--listen: '%s' is not an IPv4 or IPv6 address", optarg);
                        o->listen = optarg;
                        break;
                case OPT_PORT:
                        if (str_to_int64(optarg, 0, 65535, &o->port) < 0)
                                return usage_error("--port: '%s' is not a port number (0-65535)", optarg);
                        break;
                case OPT_NAME:
                        if (!with_names)
                                return usage_error("%s: only 'cradled init' takes --name", "--name");
                        if (o->n_names >= MAX_EXTRA_NAMES)
                                return usage_error("%s: too many names", "--name");
                        if (!optarg[0])
                                return usage_error("%s: must not be empty", "--name");
                        o->names[o->n_names++] = optarg;
                        break;
                case OPT_THEN_RUN:
                        if (!with_names)
                                return usage_error("%s: only 'cradled init' takes it", "--then-run");
                        o->then_run = true;
                        break;
                case OPT_HELP:
                        usage(stdout);
                        return EXIT_SUCCESS;
                case OPT_VERSION:
                        printf("cradled %s\n", CRADLE_VERSION);
                        return EXIT_SUCCESS;
                case ':':
                        return usage_error("option '%s' needs a value", argv[optind - 1]);
                default:
                        return usage_error("unknown option '%s'", argv[optind - 1]);
                }
        }
        if (optind < argc)
                return usage_error("unexpected argument '%s'", argv[optind]);
        if (!o->data_dir)
                return usage_error("%s is required", "--data-dir DIR");
        if (!o->data_dir[0])
                return usage_error("%s must not be empty", "--data-dir");
        return -1;
}

/* DIR as an absolute path (it may not exist yet), so printed paths work from
 * any directory. */
static char *absolute_dir(const char *dir) {
        if (dir[0] == '/')
                return str_dup(dir);
        char cwd[PATH_MAX];
        if (!getcwd(cwd, sizeof(cwd)))
                return str_dup(dir);
        return path_join(cwd, dir);
}

/* The path of this program, so the printed start command works as pasted
 * (quickstart's cradled is in build/, not on PATH). argv0 if unknown. */
static char *program_path(const char *argv0) {
        char buf[PATH_MAX];
        ssize_t n = readlink("/proc/self/exe", buf, sizeof(buf) - 1);
        if (n <= 0)
                return str_dup(argv0);
        buf[n] = '\0';
        return str_dup(buf);
}

static int cmd_init(int argc, char **argv, const char *argv0) {
        struct cli_options o = { .port = -1 };
        int r = parse_options(argc, argv, true, &o);
        if (r >= 0) {
                free(o.data_dir);
                return r;
        }
        _cleanup_free_ char *dir = absolute_dir(o.data_dir);
        _cleanup_free_ char *program = program_path(argv0);
        free(o.data_dir);
        struct server_init_options io = {
                .data_dir = dir,
                .listen = o.listen,
                .port = o.port,
                .extra_names = o.names,
                .program = program,
                .then_run = o.then_run,
        };
        struct error err = {0};
        if (server_init(&io, stdout, &err) < 0) {
                fprintf(stderr, "cradled: %s\n", err.msg);
                return EXIT_FAILURE;
        }
        if (!o.then_run)
                return EXIT_SUCCESS;
        struct server_overrides ov = { .listen = o.listen, .port = o.port };
        if (server_run(dir, &ov, &err) < 0) {
                fprintf(stderr, "cradled: %s\n", err.msg);
                return EXIT_FAILURE;
        }
        return EXIT_SUCCESS;
}

static int cmd_run(int argc, char **argv) {
        struct cli_options o = { .port = -1 };
        int r = parse_options(argc, argv, false, &o);
        if (r >= 0) {
                free(o.data_dir);
                return r;
        }
        _cleanup_free_ char *dir = absolute_dir(o.data_dir);
        free(o.data_dir);
        struct server_overrides ov = { .listen = o.listen, .port = o.port };
        struct error err = {0};
        if (server_run(dir, &ov, &err) < 0) {
                fprintf(stderr, "cradled: %s\n", err.msg);
                return EXIT_FAILURE;
        }
        return EXIT_SUCCESS;
}

static int cmd_routes(int argc, char **argv) {
        (void) argv;
        if (argc > 1)
                return usage_error("routes: unexpected argument '%s'", argv[1]);
        size_t n;
        const struct route *table = routes_table(&n);
        _cleanup_json_ json_t *j = routes_to_json(table, n);
        _cleanup_free_ char *text = json_dumps(j, JSON_INDENT(2));
        printf("%s\n", text);
        return EXIT_SUCCESS;
}

static int cmd_config_defaults(int argc, char **argv) {
        if (argc > 1)
                return usage_error("config-defaults: unexpected argument '%s'", argv[1]);
        struct error err = {0};
        _cleanup_free_ char *text = server_config_defaults_text(&err);
        if (!text) {
                fprintf(stderr, "cradled: %s\n", err.msg);
                return EXIT_FAILURE;
        }
        fputs(text, stdout);
        return EXIT_SUCCESS;
}

/* cradled cvd-key import --data-dir DIR FILE: the contact key, with an
 * audit entry in the store (a change of what the server publishes). */
static int cmd_cvd_key(int argc, char **argv) {
        if (argc != 5 || !str_eq(argv[1], "import") || !str_eq(argv[2], "--data-dir"))
                return usage_error("%s", "usage: cradled cvd-key import --data-dir DIR FILE");
        const char *data_dir = argv[3], *file = argv[4];
        struct error err = {0};
        _cleanup_free_ char *text = NULL, *fpr = NULL, *conf = path_join(data_dir, SERVER_CONFIG_FILE);
        _cleanup_free_ char *db = NULL, *object = NULL;
        size_t len;
        struct server_config cfg = {0};
        struct store *s = NULL;
        int rc = EXIT_FAILURE;
        if (server_config_load(conf, &cfg, &err) < 0 || file_read_all(file, 1024 * 1024, &text, &len, &err) < 0)
                goto out;
        db = server_config_path(data_dir, cfg.store_path);
        if (store_open(db, &s, &err) < 0 || cvd_contact_key_import(data_dir, text, len, &fpr, &err) < 0)
                goto out;
        object = str_printf("cvd-key/%s", fpr);
        const struct audit_actor actor = { .name = "cradled", .role = "system" };
        if (store_tx_begin(s, &err) < 0)
                goto out;
        if (audit_append(s, &actor, "cvd.key-import", object, NULL, &err) < 0 || store_tx_commit(s, &err) < 0) {
                store_tx_rollback(s);
                goto out;
        }
        printf("imported the CVD contact key %s; cradled serves it at /cvd/openpgp-key.asc\n", fpr);
        rc = EXIT_SUCCESS;
out:
        if (rc != EXIT_SUCCESS)
                fprintf(stderr, "cradled: %s\n", err.msg);
        if (s)
                store_close(s);
        server_config_free(&cfg);
        return rc;
}

static int cmd_kek_rotate(int argc, char **argv) {
        const char *dir = NULL, *to = NULL;
        for (int i = 1; i < argc; i++) {
                const char **slot = str_eq(argv[i], "--data-dir") ? &dir : str_eq(argv[i], "--to") ? &to : NULL;
                if (!slot)
                        return usage_error("kek-rotate: unexpected argument '%s'", argv[i]);
                if (i + 1 >= argc || !argv[i + 1][0])
                        return usage_error("kek-rotate: option '%s' needs a value", argv[i]);
                *slot = argv[++i];
        }
        if (!dir || !to)
                return usage_error("%s", "kek-rotate: --data-dir DIR and --to REF are required");
        _cleanup_free_ char *abs = absolute_dir(dir);
        struct error err = {0};
        if (server_kek_rotate(abs, to, stdout, &err) < 0) {
                fprintf(stderr, "cradled: %s\n", err.msg);
                return EXIT_FAILURE;
        }
        return EXIT_SUCCESS;
}

int main(int argc, char **argv) {
        if (argc < 2)
                return usage_error("%s", "missing --data-dir DIR (or a command)");
        const char *cmd = argv[1];
        if (str_eq(cmd, "--help") || str_eq(cmd, "-h") || str_eq(cmd, "help")) {
                usage(stdout);
                return EXIT_SUCCESS;
        }
        if (str_eq(cmd, "--version")) {
                printf("cradled %s\n", CRADLE_VERSION);
                return EXIT_SUCCESS;
        }
        if (str_eq(cmd, "init"))
                return cmd_init(argc - 1, argv + 1, argv[0]);
        if (str_eq(cmd, "run"))
                return cmd_run(argc - 1, argv + 1);
        if (str_eq(cmd, "routes"))
                return cmd_routes(argc - 1, argv + 1);
        if (str_eq(cmd, "config-defaults"))
                return cmd_config_defaults(argc - 1, argv + 1);
        if (str_eq(cmd, "cvd-key"))
                return cmd_cvd_key(argc - 1, argv + 1);
        if (str_eq(cmd, "kek-rotate"))
                return cmd_kek_rotate(argc - 1, argv + 1);
        if (cmd[0] == '-')
                return cmd_run(argc, argv);
        return usage_error("unknown command '%s'", cmd);
}

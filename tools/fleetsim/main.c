/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cradle-fleetsim: enrolls a simulated fleet through EST and runs it against
 * cradled, each device polling like cradle-agent (or a hawkBit DDI client),
 * in one event-driven thread. See docs/fleetsim.md.
 *
 *   cradle-fleetsim enroll --url URL --cacert CA --est-label MODEL --batch NAME
 *                          --count N --dir DIR [--prefix SIM-] [--parallel P]
 *                          [--token-file FILE]          (else env CRADLE_TOKEN)
 *   cradle-fleetsim run --url URL --cacert CA --dir DIR [options]
 *
 * Exit status: 0 done; 1 a usage or setup error; 3 (enroll) some devices
 * were not enrolled.
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/cleanup.h"
#include "core/fileio.h"
#include "core/strutil.h"
#include "cradle-version.h"
#include "devices.h"
#include "enroll.h"
#include "sim.h"

#define TOKEN_FILE_MAX 4096

static void usage(FILE *f) {
        fputs("Usage: cradle-fleetsim enroll|run [OPTIONS]\n"
              "Simulates a fleet of devices against cradled (docs/fleetsim.md).\n"
              "\n"
              "cradle-fleetsim enroll: enrolls devices through EST (RFC 7030 simpleenroll)\n"
              "  --url URL            server URL (https://host:port)\n"
              "  --cacert FILE        CA certificate the server's TLS certificate chains to\n"
              "  --est-label MODEL    EST label: the product model\n"
              "  --batch NAME         open production batch of that product\n"
              "  --count N            number of devices (serials PREFIX000001...)\n"
              "  --dir DIR            where devices are kept: DIR/<serial>/{key,cert}.pem\n"
              "  --prefix TEXT        serial prefix (default SIM-)\n"
              "  --parallel P         enrollments at once (default 8)\n"
              "  --token-file FILE    factory token (first line); default env CRADLE_TOKEN\n"
              "  Devices already enrolled in DIR are skipped.\n"
              "\n"
              "cradle-fleetsim run: polls with every device until --seconds have passed\n"
              "  --url URL, --cacert FILE, --dir DIR   as for enroll\n"
              "  --devices N          simulate the first N devices of DIR (default all)\n"
              "  --seconds S          run time (default 60)\n"
              "  --until-installed V  stop earlier, once every device runs V\n"
              "  --until-reported STAGE  stop earlier, once every device has reported STAGE\n"
              "  --interval SECS      poll interval of each device (default 30)\n"
              "  --jitter PCT         interval +/- PCT percent, uniform (default 10)\n"
              "  --mode agent|ddi     speak as cradle-agent (default) or as a hawkBit DDI client\n"
              "  --product MODEL      product model: repository path and DDI tenant\n"
              "                       (default: the one enroll recorded in DIR/product)\n"
              "  --tenant NAME        the same as --product\n"
              "  --initial-version V  the version devices run at start (default: asked\n"
              "                       from the server at each device's first poll)\n"
              "  --install-delay SECS time from installing to the outcome (default 5)\n"
              "  --fail RELEASE:PROB  installs of RELEASE fail with probability PROB (repeatable)\n"
              "  --rollback RELEASE:PROB  installs of RELEASE roll back after the reboot (repeatable)\n"
              "  --seed N             seed of every device's random stream (default 1)\n"
              "  --progress-every SECS  a progress line every SECS (default 10; 0 = none)\n"
              "  --json               progress and summary as JSON lines\n"
              "  --download           also GET the offered image (discarded)\n"
              "  --warm               start with the image repository's current metadata, as a\n"
              "                       fleet that polled before (agent mode)\n"
              "  --honour-server-sleep  DDI: poll at the server's config.polling.sleep\n"
              "  --tls-resume         keep each device's TLS session for the next poll\n"
              "  --tls12              TLS 1.2 at most\n"
              "  --max-inflight N     devices acting at once (default 32)\n"
              "  --source-ips N       spread devices over N loopback addresses 127.0.0.2...\n"
              "  --timeout SECS       deadline of each request (default 30)\n"
              "\n"
              "  -h, --help           this help\n"
              "  --version            the version\n",
              f);
}

static int num(const char *opt, const char *v, double min, double max, double *out) {
        char *end = NULL;
        double d;
        errno = 0;
        d = strtod(v, &end);
        if (errno || !*v || *end || !isfinite(d) || d < min || d > max) {
                fprintf(stderr, "cradle-fleetsim: %s '%s': expected a number from %g to %g\n", opt, v, min, max);
                return -1;
        }
        *out = d;
        return 0;
}

static int integer(const char *opt, const char *v, int64_t min, int64_t max, int64_t *out) {
        if (str_to_int64(v, min, max, out) < 0) {
                fprintf(stderr, "cradle-fleetsim: %s '%s': expected an integer from %lld to %lld\n", opt, v,
                        (long long) min, (long long) max);
                return -1;
        }
        return 0;
}

static char *strip_slash(const char *url) {
        char *u = str_dup(url);
        size_t n = strlen(u);
        while (n > 0 && u[n - 1] == '/')
                u[--n] = '\0';
        return u;
}

/* The factory token: --token-file's first line, else env CRADLE_TOKEN. */
static char *read_token(const char *file) {
        if (file) {
                struct error err = { 0 };
                char *data = NULL;
                size_t len = 0;
                if (file_read_all(file, TOKEN_FILE_MAX, &data, &len, &err) < 0) {
                        fprintf(stderr, "cradle-fleetsim: --token-file: %s\n", err.msg);
                        return NULL;
                }
                data[strcspn(data, "\r\n")] = '\0';
                if (!*data) {
                        fprintf(stderr, "cradle-fleetsim: --token-file %s: empty\n", file);
                        free(data);
                        return NULL;
                }
                return data;
        }
        const char *env = getenv("CRADLE_TOKEN");
        if (!env || !*env) {
                fprintf(stderr, "cradle-fleetsim: enroll needs a factory token: env CRADLE_TOKEN or --token-file\n");
                return NULL;
        }
        return str_dup(env);
}

enum {
        O_URL = 256, O_CACERT, O_LABEL, O_BATCH, O_COUNT, O_DIR, O_PREFIX, O_PARALLEL, O_TOKEN_FILE,
        O_DEVICES, O_SECONDS, O_INTERVAL, O_JITTER, O_MODE, O_PRODUCT, O_INITIAL, O_INSTALL_DELAY, O_FAIL,
        O_ROLLBACK, O_SEED, O_PROGRESS, O_JSON, O_DOWNLOAD, O_HONOUR, O_RESUME, O_TLS12, O_INFLIGHT,
        O_SOURCES, O_TIMEOUT, O_VERSION, O_UNTIL, O_WARM, O_UNTIL_STAGE,
};

static const struct option enroll_opts[] = {
        { "url", required_argument, NULL, O_URL },
        { "cacert", required_argument, NULL, O_CACERT },
        { "est-label", required_argument, NULL, O_LABEL },
        { "batch", required_argument, NULL, O_BATCH },
        { "count", required_argument, NULL, O_COUNT },
        { "dir", required_argument, NULL, O_DIR },
        { "prefix", required_argument, NULL, O_PREFIX },
        { "parallel", required_argument, NULL, O_PARALLEL },
        { "token-file", required_argument, NULL, O_TOKEN_FILE },
        { "help", no_argument, NULL, 'h' },
        { 0 },
};

static int cmd_enroll(int argc, char **argv) {
        struct fleetsim_enroll_config cfg = { .prefix = "SIM-", .parallel = 8 };
        struct fleetsim_enroll_result res;
        struct error err = { 0 };
        const char *url = NULL, *token_file = NULL;
        _cleanup_free_ char *base = NULL;
        char *token = NULL;
        int64_t v;
        int c;

        while ((c = getopt_long(argc, argv, "h", enroll_opts, NULL)) != -1) {
                switch (c) {
                case O_URL: url = optarg; break;
                case O_CACERT: cfg.cacert = optarg; break;
                case O_LABEL: cfg.label = optarg; break;
                case O_BATCH: cfg.batch = optarg; break;
                case O_DIR: cfg.dir = optarg; break;
                case O_PREFIX: cfg.prefix = optarg; break;
                case O_TOKEN_FILE: token_file = optarg; break;
                case O_COUNT:
                        if (integer("--count", optarg, 1, 10000000, &v) < 0)
                                return 1;
                        cfg.count = (size_t) v;
                        break;
                case O_PARALLEL:
                        if (integer("--parallel", optarg, 1, 1024, &v) < 0)
                                return 1;
                        cfg.parallel = (size_t) v;
                        break;
                case 'h': usage(stdout); return 0;
                default: usage(stderr); return 1;
                }
        }
        if (optind < argc || !url || !cfg.cacert || !cfg.label || !cfg.batch || !cfg.count || !cfg.dir) {
                fprintf(stderr, "cradle-fleetsim enroll: --url, --cacert, --est-label, --batch, --count and --dir "
                                "are required\n");
                return 1;
        }
        base = strip_slash(url);
        cfg.url = base;
        if (!(token = read_token(token_file)))
                return 1;
        cfg.token = token;
        int r = fleetsim_enroll(&cfg, &res, &err);
        explicit_bzero(token, strlen(token));
        free(token);
        if (r < 0) {
                fprintf(stderr, "cradle-fleetsim enroll: %s\n", err.msg);
                return 1;
        }
        printf("enrolled=%zu skipped=%zu failed=%zu dir=%s\n", res.enrolled, res.skipped, res.failed, cfg.dir);
        return res.failed ? 3 : 0;
}

static const struct option run_opts[] = {
        { "url", required_argument, NULL, O_URL },
        { "cacert", required_argument, NULL, O_CACERT },
        { "dir", required_argument, NULL, O_DIR },
        { "devices", required_argument, NULL, O_DEVICES },
        { "seconds", required_argument, NULL, O_SECONDS },
        { "interval", required_argument, NULL, O_INTERVAL },
        { "jitter", required_argument, NULL, O_JITTER },
        { "mode", required_argument, NULL, O_MODE },
        { "product", required_argument, NULL, O_PRODUCT },
        { "tenant", required_argument, NULL, O_PRODUCT },
        { "initial-version", required_argument, NULL, O_INITIAL },
        { "install-delay", required_argument, NULL, O_INSTALL_DELAY },
        { "fail", required_argument, NULL, O_FAIL },
        { "rollback", required_argument, NULL, O_ROLLBACK },
        { "seed", required_argument, NULL, O_SEED },
        { "progress-every", required_argument, NULL, O_PROGRESS },
        { "json", no_argument, NULL, O_JSON },
        { "download", no_argument, NULL, O_DOWNLOAD },
        { "honour-server-sleep", no_argument, NULL, O_HONOUR },
        { "tls-resume", no_argument, NULL, O_RESUME },
        { "tls12", no_argument, NULL, O_TLS12 },
        { "max-inflight", required_argument, NULL, O_INFLIGHT },
        { "source-ips", required_argument, NULL, O_SOURCES },
        { "timeout", required_argument, NULL, O_TIMEOUT },
        { "until-installed", required_argument, NULL, O_UNTIL },
        { "warm", no_argument, NULL, O_WARM },
        { "until-reported", required_argument, NULL, O_UNTIL_STAGE },
        { "help", no_argument, NULL, 'h' },
        { 0 },
};

static int add_rule(const char *opt, const char *v, struct fleetsim_rule *rules, size_t *n) {
        struct error err = { 0 };
        if (*n >= FLEETSIM_RULES_MAX) {
                fprintf(stderr, "cradle-fleetsim: %s: at most %d\n", opt, FLEETSIM_RULES_MAX);
                return -1;
        }
        if (fleetsim_rule_parse(v, &rules[*n], &err) < 0) {
                fprintf(stderr, "cradle-fleetsim: %s %s\n", opt, err.msg);
                return -1;
        }
        (*n)++;
        return 0;
}

static int cmd_run(int argc, char **argv) {
        struct fleetsim_run_config cfg = {
                .seconds = 60, .interval = 30, .jitter_pct = 10, .install_delay = 5, .progress_every = 10,
                .seed = 1, .max_inflight = 32, .timeout = 30, .mode = FLEETSIM_MODE_AGENT,
        };
        struct error err = { 0 };
        const char *url = NULL;
        _cleanup_free_ char *base = NULL, *product = NULL;
        int64_t v;
        double d;
        int c;

        while ((c = getopt_long(argc, argv, "h", run_opts, NULL)) != -1) {
                switch (c) {
                case O_URL: url = optarg; break;
                case O_CACERT: cfg.cacert = optarg; break;
                case O_DIR: cfg.dir = optarg; break;
                case O_PRODUCT: cfg.product = optarg; break;
                case O_UNTIL:
                        if (!*optarg || strlen(optarg) > 64) {
                                fprintf(stderr, "cradle-fleetsim: --until-installed: 1..64 characters\n");
                                return 1;
                        }
                        cfg.until_installed = optarg;
                        break;
                case O_UNTIL_STAGE:
                        if (fleetsim_stage_parse(optarg) < 0) {
                                fprintf(stderr, "cradle-fleetsim: --until-reported '%s': not a stage (downloading, "
                                                "installing, awaiting-reboot, success, failure, rolled-back, canceled, "
                                                "skipped)\n", optarg);
                                return 1;
                        }
                        cfg.until_reported = optarg;
                        break;
                case O_INITIAL:
                        if (!*optarg || strlen(optarg) > 64) {
                                fprintf(stderr, "cradle-fleetsim: --initial-version: 1..64 characters\n");
                                return 1;
                        }
                        cfg.initial_version = optarg;
                        break;
                case O_DEVICES:
                        if (integer("--devices", optarg, 1, 10000000, &v) < 0)
                                return 1;
                        cfg.devices = (size_t) v;
                        break;
                case O_SECONDS:
                        if (num("--seconds", optarg, 0.1, 30 * 86400, &cfg.seconds) < 0)
                                return 1;
                        break;
                case O_INTERVAL:
                        if (num("--interval", optarg, 0.01, 30 * 86400, &cfg.interval) < 0)
                                return 1;
                        break;
                case O_JITTER:
                        if (num("--jitter", optarg, 0, 100, &cfg.jitter_pct) < 0)
                                return 1;
                        break;
                case O_INSTALL_DELAY:
                        if (num("--install-delay", optarg, 0, 86400, &cfg.install_delay) < 0)
                                return 1;
                        break;
                case O_PROGRESS:
                        if (num("--progress-every", optarg, 0, 86400, &cfg.progress_every) < 0)
                                return 1;
                        break;
                case O_TIMEOUT:
                        if (num("--timeout", optarg, 1, 3600, &d) < 0)
                                return 1;
                        cfg.timeout = (long) d;
                        break;
                case O_MODE:
                        if (strcmp(optarg, "agent") == 0)
                                cfg.mode = FLEETSIM_MODE_AGENT;
                        else if (strcmp(optarg, "ddi") == 0)
                                cfg.mode = FLEETSIM_MODE_DDI;
                        else {
                                fprintf(stderr, "cradle-fleetsim: --mode '%s': expected agent or ddi\n", optarg);
                                return 1;
                        }
                        break;
                case O_FAIL:
                        if (add_rule("--fail", optarg, cfg.fail, &cfg.n_fail) < 0)
                                return 1;
                        break;
                case O_ROLLBACK:
                        if (add_rule("--rollback", optarg, cfg.rollback, &cfg.n_rollback) < 0)
                                return 1;
                        break;
                case O_SEED:
                        if (integer("--seed", optarg, 0, INT64_MAX, &v) < 0)
                                return 1;
                        cfg.seed = (uint64_t) v;
                        break;
                case O_INFLIGHT:
                        if (integer("--max-inflight", optarg, 1, 100000, &v) < 0)
                                return 1;
                        cfg.max_inflight = (unsigned) v;
                        break;
                case O_SOURCES:
                        if (integer("--source-ips", optarg, 1, 250, &v) < 0)
                                return 1;
                        cfg.source_ips = (unsigned) v;
                        break;
                case O_JSON: cfg.json = true; break;
                case O_DOWNLOAD: cfg.download = true; break;
                case O_HONOUR: cfg.honour_server_sleep = true; break;
                case O_RESUME: cfg.tls_resume = true; break;
                case O_TLS12: cfg.tls12 = true; break;
                case O_WARM: cfg.warm = true; break;
                case 'h': usage(stdout); return 0;
                default: usage(stderr); return 1;
                }
        }
        if (optind < argc || !url || !cfg.cacert || !cfg.dir) {
                fprintf(stderr, "cradle-fleetsim run: --url, --cacert and --dir are required\n");
                return 1;
        }
        for (size_t i = 0; i < cfg.n_fail; i++)
                for (size_t j = 0; j < cfg.n_rollback; j++)
                        if (strcmp(cfg.fail[i].release, cfg.rollback[j].release) == 0 &&
                            cfg.fail[i].probability + cfg.rollback[j].probability > 1.0) {
                                fprintf(stderr, "cradle-fleetsim: --fail and --rollback of %s add up to more than 1\n",
                                        cfg.fail[i].release);
                                return 1;
                        }
        base = strip_slash(url);
        cfg.url = base;
        if (!cfg.product) {
                if (!(product = fleetsim_product_read(cfg.dir, &err))) {
                        fprintf(stderr, "cradle-fleetsim run: no --product and %s\n", err.msg);
                        return 1;
                }
                cfg.product = product;
        }
        if (fleetsim_run(&cfg, &err) < 0) {
                fprintf(stderr, "cradle-fleetsim run: %s\n", err.msg);
                return 1;
        }
        return 0;
}

int main(int argc, char **argv) {
        if (argc < 2) {
                usage(stderr);
                return 1;
        }
        if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
                usage(stdout);
                return 0;
        }
        if (strcmp(argv[1], "--version") == 0) {
                printf("cradle-fleetsim %s\n", CRADLE_VERSION);
                return 0;
        }
        if (strcmp(argv[1], "enroll") == 0)
                return cmd_enroll(argc - 1, argv + 1);
        if (strcmp(argv[1], "run") == 0)
                return cmd_run(argc - 1, argv + 1);
        fprintf(stderr, "cradle-fleetsim: unknown command '%s' (enroll or run)\n", argv[1]);
        usage(stderr);
        return 1;
}

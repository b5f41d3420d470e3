/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cradle-agent: the device half of Cradle's OTA. See docs/agent.md.
 *
 *   cradle-agent [-c FILE] run       poll, install, confirm, for ever
 *   cradle-agent [-c FILE] once      one update cycle (tests, cron)
 *   cradle-agent [-c FILE] confirm   after a reboot: health check, then
 *                                    confirm or roll back
 *   cradle-agent [-c FILE] boot      ab-dir only: play the bootloader once
 *   cradle-agent [-c FILE] status    the state as JSON
 *   cradle-agent [-c FILE] debug challenge --scope S [--out FILE]
 *   cradle-agent [-c FILE] debug verify --token FILE
 *                                    debug authorisation (docs/agent.md)
 *   cradle-agent --help-config       every configuration key
 *
 * Exit codes: 0 done, 1 failed (the reason on stderr), 2 usage or
 * configuration error.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "agent/agent.h"
#include "agent/backend-abdir.h"
#include "agent/boot.h"
#include "agent/config.h"
#include "agent/cycle.h"
#include "agent/debug.h"
#include "agent/backoff.h"
#include "core/cleanup.h"
#include "core/json.h"
#include "core/log.h"
#include "core/time.h"
#include "cradle-version.h"
#include "crypto/random.h"

#define DEFAULT_CONFIG "/etc/cradle/agent.conf"

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig) {
        (void) sig;
        stop_requested = 1;
}

static void usage(FILE *f) {
        fprintf(f,
                "usage: cradle-agent [-c FILE] run|once|confirm|boot|status\n"
                "       cradle-agent [-c FILE] debug challenge --scope S [--out FILE]\n"
                "       cradle-agent [-c FILE] debug verify --token FILE\n"
                "       cradle-agent --help-config | --version\n"
                "  -c, --config FILE   configuration (default " DEFAULT_CONFIG ")\n"
                "  run      poll for updates for ever (poll interval, jitter, backoff)\n"
                "  once     one update cycle\n"
                "  confirm  after a reboot: health check, confirm or roll back\n"
                "  boot     ab-dir backend: simulate one boot of the bootloader\n"
                "  status   print the agent state as JSON\n"
                "  debug challenge  a fresh debug challenge for scope S (jtag, uart-console, root-shell,\n"
                "                   factory-unlock; comma-separated), kept as the outstanding one; to FILE,\n"
                "                   or base64 on stdout\n"
                "  debug verify     check a debug token against the outstanding challenge (used up)\n");
}

/* cradle-agent debug challenge|verify: args are what follows "debug".
 * Exit 0 done / valid, 1 refused or failed, 2 usage or configuration. */
static int cmd_debug(const char *config_path, int argc, char **argv) {
        const char *sub = argc > 0 ? argv[0] : "";
        const char *scope = NULL, *out = NULL, *token = NULL;
        struct agent_config cfg;
        struct error err = { 0 };
        int rc = 0;

        for (int i = 1; i < argc; i += 2) {
                const char **dst = strcmp(argv[i], "--scope") == 0 ? &scope
                                   : strcmp(argv[i], "--out") == 0 ? &out
                                   : strcmp(argv[i], "--token") == 0 ? &token : NULL;
                if (!dst || i + 1 >= argc) {
                        fprintf(stderr, "cradle-agent: debug %s: unknown option or missing value '%s'\n", sub,
                                argv[i]);
                        return 2;
                }
                *dst = argv[i + 1];
        }
        if (strcmp(sub, "challenge") == 0 ? (!scope || token) : strcmp(sub, "verify") == 0 ? (!token || scope || out)
                                                                                           : true) {
                usage(stderr);
                return 2;
        }
        if (agent_config_load(config_path, &cfg, &err) < 0) {
                fprintf(stderr, "cradle-agent: %s\n", err.msg);
                return 2;
        }
        if (strcmp(sub, "challenge") == 0) {
                if (agent_debug_challenge(&cfg, scope, out, &err) < 0) {
                        fprintf(stderr, "cradle-agent: debug challenge: %s\n", err.msg);
                        rc = err.kind == ERROR_INVALID ? 2 : 1;
                }
        } else {
                _cleanup_free_ char *summary = NULL;
                if (agent_debug_verify(&cfg, token, time_now(), &summary, &err) < 0) {
                        fprintf(stderr, "cradle-agent: %s\n", err.msg);
                        rc = 1;
                } else {
                        printf("%s\n", summary);
                }
        }
        agent_config_free(&cfg);
        return rc;
}

static double uniform(void) {
        uint32_t v = 0;
        if (random_bytes(&v, sizeof(v), NULL) < 0)
                v = (uint32_t) time(NULL);
        return (double) v / 4294967296.0;
}

static int cmd_run(struct agent *a) {
        struct error err = { 0 };
        unsigned failures = 0;
        struct sigaction sa = { .sa_handler = on_signal };

        sigemptyset(&sa.sa_mask);
        sigaction(SIGTERM, &sa, NULL);
        sigaction(SIGINT, &sa, NULL);
        log_info("cradle-agent %s: %s, backend %s, polling every %lld s", CRADLE_VERSION, a->cfg->serial,
                 a->backend->ops->name, (long long) a->cfg->poll_interval);
        /* After a reboot into a new slot, decide about it first. */
        if (agent_boot_confirm(a, NULL, &err) < 0) {
                log_error("post-boot check: %s", err.msg);
                error_clear(&err);
        }
        while (!stop_requested) {
                int64_t delay;
                if (agent_cycle(a, &err) < 0) {
                        failures++;
                        log_warn("update cycle failed (%u in a row): %s", failures, err.msg);
                        error_clear(&err);
                } else {
                        failures = 0;
                }
                delay = agent_backoff_delay(a->cfg, failures, uniform());
                log_debug("next check in %lld s", (long long) delay);
                for (int64_t s = 0; s < delay && !stop_requested; s++) {
                        struct timespec ts = { 1, 0 };
                        nanosleep(&ts, NULL);
                }
        }
        log_info("stopping");
        return 0;
}

static int cmd_status(struct agent *a) {
        _cleanup_json_ json_t *o = agent_state_to_json(&a->st);
        _cleanup_free_ char *s = NULL;
        char boot_id[AGENT_BOOT_ID_MAX + 1] = "";
        struct error err = { 0 };

        json_object_set_new(o, "serial", json_string(a->cfg->serial));
        json_object_set_new(o, "backend", json_string(a->backend->ops->name));
        if (agent_backend_boot_id(a->backend, boot_id, sizeof(boot_id), &err) == 0)
                json_object_set_new(o, "boot_id", json_string(boot_id));
        if (a->cfg->backend == AGENT_BACKEND_ABDIR) {
                struct agent_abdir_status ab;
                if (agent_abdir_read(a->cfg->abdir_dir, &ab, &err) == 0) {
                        char act[2] = { ab.active, 0 }, pend[2] = { ab.pending, 0 }, booted[2] = { ab.booted, 0 };
                        json_object_set_new(o, "ab_dir",
                                            json_pack("{s:s, s:s, s:s, s:I, s:s}", "active", act, "pending",
                                                      pend, "booted", booted, "boot_count",
                                                      (json_int_t) ab.boot_count, "fallback", ab.fallback));
                }
        }
        s = json_dumps(o, JSON_INDENT(2) | JSON_SORT_KEYS);
        printf("%s\n", s ? s : "{}");
        return 0;
}

int main(int argc, char **argv) {
        static const struct option options[] = {
                { "config", required_argument, NULL, 'c' },
                { "help", no_argument, NULL, 'h' },
                { "help-config", no_argument, NULL, 'H' },
                { "version", no_argument, NULL, 'V' },
                { 0 },
        };
        const char *config_path = getenv("CRADLE_AGENT_CONFIG");
        struct agent_config cfg;
        struct agent a;
        struct error err = { 0 };
        enum log_level level = LOG_LEVEL_INFO;
        const char *cmd;
        int c, rc = 0;

        if (!config_path || !*config_path)
                config_path = DEFAULT_CONFIG;
        while ((c = getopt_long(argc, argv, "+c:hV", options, NULL)) != -1) {
                switch (c) {
                case 'c':
                        config_path = optarg;
                        break;
                case 'h':
                        usage(stdout);
                        return 0;
                case 'H': {
                        size_t n;
                        const struct config_key *schema = agent_config_schema(&n);
                        _cleanup_free_ char *out = NULL;
                        if (config_write_defaults(schema, n, &out) < 0)
                                return 1;
                        fputs(out, stdout);
                        return 0;
                }
                case 'V':
                        printf("cradle-agent %s\n", CRADLE_VERSION);
                        return 0;
                default:
                        usage(stderr);
                        return 2;
                }
        }
        if (optind < argc && strcmp(argv[optind], "debug") == 0)
                return cmd_debug(config_path, argc - optind - 1, argv + optind + 1);
        if (optind + 1 != argc) {
                usage(stderr);
                return 2;
        }
        cmd = argv[optind];
        if (strcmp(cmd, "run") != 0 && strcmp(cmd, "once") != 0 && strcmp(cmd, "confirm") != 0 &&
            strcmp(cmd, "boot") != 0 && strcmp(cmd, "status") != 0) {
                fprintf(stderr, "cradle-agent: unknown command '%s'\n", cmd);
                usage(stderr);
                return 2;
        }
        if (agent_config_load(config_path, &cfg, &err) < 0) {
                fprintf(stderr, "cradle-agent: %s\n", err.msg);
                return 2;
        }
        log_level_parse(cfg.log_level, &level, NULL);
        log_setup(level, LOG_FORMAT_AUTO);

        if (strcmp(cmd, "boot") == 0) {
                char booted = 0;
                if (cfg.backend != AGENT_BACKEND_ABDIR) {
                        fprintf(stderr, "cradle-agent: boot simulates the bootloader of the ab-dir backend only\n");
                        agent_config_free(&cfg);
                        return 2;
                }
                if (agent_abdir_boot(cfg.abdir_dir, cfg.max_boot_attempts, &booted, &err) < 0) {
                        fprintf(stderr, "cradle-agent: boot: %s\n", err.msg);
                        agent_config_free(&cfg);
                        return 1;
                }
                printf("booted slot %c\n", booted);
                agent_config_free(&cfg);
                return 0;
        }

        if (agent_open(&cfg, &a, &err) < 0) {
                fprintf(stderr, "cradle-agent: %s\n", err.msg);
                agent_config_free(&cfg);
                return 1;
        }
        if (strcmp(cmd, "run") == 0) {
                rc = cmd_run(&a);
        } else if (strcmp(cmd, "once") == 0) {
                if (agent_cycle(&a, &err) < 0) {
                        fprintf(stderr, "cradle-agent: %s\n", err.msg);
                        rc = 1;
                }
        } else if (strcmp(cmd, "confirm") == 0) {
                const char *outcome = NULL;
                if (agent_boot_confirm(&a, &outcome, &err) < 0) {
                        fprintf(stderr, "cradle-agent: %s\n", err.msg);
                        rc = 1;
                } else {
                        printf("%s\n", outcome ? outcome : "nothing");
                }
        } else {
                rc = cmd_status(&a);
        }
        agent_close(&a);
        agent_config_free(&cfg);
        return rc;
}

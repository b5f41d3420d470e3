/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cradle campaign create|list|show|start|pause|resume|approve|abort|status:
 * rollout campaigns (docs/campaigns.md). `status --watch` redraws a live
 * view on a terminal and prints one plain line per change otherwise (logs,
 * CI), until the campaign completes or is aborted.
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/client.h"
#include "cli/cmd-common.h"
#include "cli/command.h"
#include "core/cleanup.h"
#include "core/strutil.h"

enum {
        OPT_FILE = CLI_OPT_LOCAL_BASE, OPT_NAME, OPT_RELEASE, OPT_PRODUCT, OPT_STATUS, OPT_REASON, OPT_WATCH,
        OPT_INTERVAL, OPT_SECURITY, OPT_VULN, OPT_TAG, OPT_DYNAMIC,
};

#define CAMPAIGN_FILE_MAX (1u << 20)
#define WATCH_INTERVAL_DEFAULT 5

static const struct cli_field list_cols[] = {
        { "ID", "id" }, { "NAME", "name" }, { "PRODUCT", "product" }, { "RELEASE", "release" },
        { "STATUS", "status" }, { "WAVE", "current_wave" }, { "SECURITY", "security" }, { "CREATED BY", "created_by" },
};

static const struct cli_field show_fields[] = {
        { "id", "id" }, { "name", "name" }, { "product", "product" }, { "release", "release" },
        { "status", "status" }, { "pause reason", "pause_reason" }, { "current wave", "current_wave" },
        { "security", "security" }, { "vulnerabilities", "vulnerabilities" }, { "dynamic", "dynamic" },
        { "created by", "created_by" }, { "started at", "started_at" }, { "finished at", "finished_at" },
        { "devices", "devices.total" }, { "succeeded", "devices.succeeded" }, { "failed", "devices.failed" },
        { "eta", "eta" }, { "seed", "seed" },
};

static const struct cli_field wave_cols[] = {
        { "WAVE", "index" }, { "SIZE", "size" }, { "GATE", "gate" }, { "DEVICES", "devices.total" },
        { "PENDING", "devices.pending" }, { "OFFERED", "devices.offered" }, { "OK", "devices.succeeded" },
        { "FAILED", "devices.failed" }, { "RETRY", "devices.retrying" }, { "STARTED", "started_at" },
        { "COMPLETED", "completed_at" },
};

static int campaign_id_arg(struct cli_ctx *ctx, const char *arg, int64_t *id) {
        if (str_to_int64(arg, 1, INT64_MAX, id) < 0)
                return cli_usage_error(ctx, "'%s' is not a campaign id (a positive integer; 'cradle campaign list' "
                                            "shows them)",
                                       arg);
        return CLI_CONTINUE;
}

static int print_campaign(json_t *doc) {
        cli_print_object(doc, show_fields, ELEMENTSOF(show_fields));
        json_t *waves = json_object_get(doc, "waves");
        if (json_is_array(waves) && json_array_size(waves)) {
                printf("\n");
                cli_print_table(waves, wave_cols, ELEMENTSOF(wave_cols));
        }
        json_t *ms = json_object_get(doc, "member_states");
        if (json_is_array(ms) && json_array_size(ms)) {
                static const struct cli_field ms_cols[] = {
                        { "MEMBER STATE", "member_state" }, { "PATCHED", "patched" }, { "REMAINING", "remaining" },
                        { "FAILED", "failed" },
                };
                printf("\n");
                cli_print_table(ms, ms_cols, ELEMENTSOF(ms_cols));
        }
        return CLI_EXIT_OK;
}

static int campaign_send(struct cli_ctx *ctx, const char *method, const char *path, json_t *body, json_t **keep) {
        struct cli_client *client;
        _cleanup_json_ json_t *doc = NULL;
        _cleanup_free_ char *what = str_printf("%s %s", method, path);
        int r;
        if ((r = cli_ctx_client(ctx, &client)) != CLI_EXIT_OK ||
            (r = cli_client_request(client, method, path, body, &doc)) != CLI_EXIT_OK ||
            (r = cli_expect_object(doc, what)) != CLI_EXIT_OK)
                return r;
        if (keep) {
                *keep = steal_ptr(doc);
                return CLI_EXIT_OK;
        }
        if (ctx->flags.json)
                return cli_emit_json(doc);
        if (cli_approval_pending_print(doc)) /* a governed start (issue 11) */
                return CLI_EXIT_OK;
        return print_campaign(doc);
}

/* ---- create ---- */

static int campaign_create_run(struct cli_ctx *ctx, int argc, char **argv) {
        static const struct option options[] = {
                CLI_GLOBAL_LONG_OPTIONS,
                { "file", required_argument, NULL, OPT_FILE },
                { "name", required_argument, NULL, OPT_NAME },
                { "release", required_argument, NULL, OPT_RELEASE },
                { "product", required_argument, NULL, OPT_PRODUCT },
                { "tag", required_argument, NULL, OPT_TAG },
                { "security", no_argument, NULL, OPT_SECURITY },
                { "vulnerability", required_argument, NULL, OPT_VULN },
                { "dynamic", no_argument, NULL, OPT_DYNAMIC },
                { 0 },
        };
        const char *file = NULL, *name = NULL, *release = NULL, *product = NULL, *tag = NULL;
        const char *vulns[64];
        size_t n_vulns = 0;
        bool security = false, dynamic = false;
        int c, r;
        while ((c = getopt_long(argc, argv, CLI_GLOBAL_SHORT_OPTIONS, options, NULL)) != -1) {
                switch (c) {
                case OPT_FILE: file = optarg; break;
                case OPT_NAME: name = optarg; break;
                case OPT_RELEASE: release = optarg; break;
                case OPT_PRODUCT: product = optarg; break;
                case OPT_TAG: tag = optarg; break;
                case OPT_SECURITY: security = true; break;
                case OPT_DYNAMIC: dynamic = true; break;
                case OPT_VULN:
                        if (n_vulns == ELEMENTSOF(vulns))
                                return cli_usage_error(ctx, "at most %zu --vulnerability options", ELEMENTSOF(vulns));
                        vulns[n_vulns++] = optarg;
                        break;
                default:
                        if ((r = cli_option_common(ctx, c, argc, argv)) != CLI_CONTINUE)
                                return r;
                }
        }
        if ((r = cli_positional(ctx, argc, argv, 0, "")) != CLI_CONTINUE)
                return r;
        _cleanup_json_ json_t *body = NULL;
        if (file) {
                _cleanup_free_ char *text = NULL;
                size_t len;
                json_error_t jerr;
                if ((r = cli_read_file("--file", file, CAMPAIGN_FILE_MAX, &text, &len)) != CLI_EXIT_OK)
                        return r;
                body = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
                if (!json_is_object(body))
                        return cli_error(CLI_EXIT_LOCAL, "--file %s: not a JSON object (line %d: %s)", file, jerr.line,
                                         jerr.text);
        } else {
                if ((r = cli_require(ctx, name, "--name NAME (or --file FILE)")) != CLI_CONTINUE ||
                    (r = cli_require(ctx, release, "--release RELEASE-ID")) != CLI_CONTINUE ||
                    (r = cli_require(ctx, product, "--product MODEL")) != CLI_CONTINUE)
                        return r;
                body = json_object();
        }
        /* Options fill in or override the file's fields. */
        if (name)
                json_object_set_new(body, "name", json_string(name));
        if (release) {
                int64_t id;
                if ((r = campaign_id_arg(ctx, release, &id)) != CLI_CONTINUE)
                        return r;
                json_object_set_new(body, "release_id", json_integer(id));
        }
        if (product || tag) {
                json_t *sel = json_object_get(body, "selector");
                if (!json_is_object(sel)) {
                        sel = json_object();
                        json_object_set_new(body, "selector", sel);
                }
                if (product)
                        json_object_set_new(sel, "product", json_string(product));
                if (tag)
                        json_object_set_new(sel, "tags", json_pack("{s:[s]}", "any", tag));
        }
        if (security)
                json_object_set_new(body, "security", json_true());
        if (dynamic)
                json_object_set_new(body, "dynamic", json_true());
        if (n_vulns) {
                json_t *a = json_array();
                for (size_t i = 0; i < n_vulns; i++)
                        json_array_append_new(a, json_string(vulns[i]));
                json_object_set_new(body, "vulnerabilities", a);
        }
        return campaign_send(ctx, "POST", "/api/v1/campaigns", body, NULL);
}

/* ---- list, show ---- */

static int campaign_list_run(struct cli_ctx *ctx, int argc, char **argv) {
        static const struct option options[] = {
                CLI_GLOBAL_LONG_OPTIONS,
                { "status", required_argument, NULL, OPT_STATUS },
                { 0 },
        };
        const char *status = NULL;
        int c, r;
        while ((c = getopt_long(argc, argv, CLI_GLOBAL_SHORT_OPTIONS, options, NULL)) != -1) {
                switch (c) {
                case OPT_STATUS: status = optarg; break;
                default:
                        if ((r = cli_option_common(ctx, c, argc, argv)) != CLI_CONTINUE)
                                return r;
                }
        }
        if ((r = cli_positional(ctx, argc, argv, 0, "")) != CLI_CONTINUE)
                return r;
        if (status && strspn(status, "abcdefghijklmnopqrstuvwxyz") != strlen(status))
                return cli_usage_error(ctx, "--status: one of draft, running, waiting, paused, completed, aborted");
        _cleanup_free_ char *path = status ? str_printf("/api/v1/campaigns?status=%s", status)
                                           : str_dup("/api/v1/campaigns");
        /* Every page, newest first: the API gives at most 1000 a page. */
        return cli_send_list_paged(ctx, path, &cli_cursor_before_id, -1, false, list_cols, ELEMENTSOF(list_cols));
}

static int campaign_show_run(struct cli_ctx *ctx, int argc, char **argv) {
        int64_t id;
        int r;
        if ((r = cli_parse_positional_only(ctx, argc, argv, 1, "CAMPAIGN-ID")) != CLI_CONTINUE ||
            (r = campaign_id_arg(ctx, argv[optind], &id)) != CLI_CONTINUE)
                return r;
        _cleanup_free_ char *path = str_printf("/api/v1/campaigns/%lld", (long long) id);
        return campaign_send(ctx, "GET", path, NULL, NULL);
}

/* ---- the operator actions ---- */

static int campaign_action_run(struct cli_ctx *ctx, int argc, char **argv, const char *verb, bool takes_reason,
                               bool takes_release) {
        static const struct option options[] = {
                CLI_GLOBAL_LONG_OPTIONS,
                { "reason", required_argument, NULL, OPT_REASON },
                { "release", required_argument, NULL, OPT_RELEASE },
                { 0 },
        };
        const char *reason = NULL, *release = NULL;
        int c, r;
        while ((c = getopt_long(argc, argv, CLI_GLOBAL_SHORT_OPTIONS, options, NULL)) != -1) {
                switch (c) {
                case OPT_REASON: reason = optarg; break;
                case OPT_RELEASE: release = optarg; break;
                default:
                        if ((r = cli_option_common(ctx, c, argc, argv)) != CLI_CONTINUE)
                                return r;
                }
        }
        int64_t id;
        if ((r = cli_positional(ctx, argc, argv, 1, "CAMPAIGN-ID")) != CLI_CONTINUE ||
            (r = campaign_id_arg(ctx, argv[optind], &id)) != CLI_CONTINUE)
                return r;
        if (reason && !takes_reason)
                return cli_usage_error(ctx, "%s takes no --reason", verb);
        if (release && !takes_release)
                return cli_usage_error(ctx, "%s takes no --release (resume does)", verb);
        _cleanup_json_ json_t *body = NULL;
        if (reason) {
                body = json_pack("{s:s}", "reason", reason);
                if (!body)
                        return cli_usage_error(ctx, "--reason: not valid UTF-8");
        }
        if (release) {
                int64_t rel;
                if (str_to_int64(release, 1, INT64_MAX, &rel) < 0)
                        return cli_usage_error(ctx, "--release: '%s' is not a release id", release);
                body = json_pack("{s:I}", "release_id", (json_int_t) rel);
        }
        _cleanup_free_ char *path = str_printf("/api/v1/campaigns/%lld/%s", (long long) id, verb);
        return campaign_send(ctx, "POST", path, body, NULL);
}

static int campaign_start_run(struct cli_ctx *ctx, int argc, char **argv) {
        return campaign_action_run(ctx, argc, argv, "start", false, false);
}
static int campaign_pause_run(struct cli_ctx *ctx, int argc, char **argv) {
        return campaign_action_run(ctx, argc, argv, "pause", true, false);
}
static int campaign_resume_run(struct cli_ctx *ctx, int argc, char **argv) {
        return campaign_action_run(ctx, argc, argv, "resume", false, true);
}
static int campaign_approve_run(struct cli_ctx *ctx, int argc, char **argv) {
        return campaign_action_run(ctx, argc, argv, "approve", false, false);
}
static int campaign_abort_run(struct cli_ctx *ctx, int argc, char **argv) {
        return campaign_action_run(ctx, argc, argv, "abort", true, false);
}

/* ---- status ---- */

static long long count(json_t *doc, const char *state) {
        return (long long) json_integer_value(json_object_get(json_object_get(doc, "devices"), state));
}

/* One line: what a log or CI wants to see change. */
static char *status_line(json_t *doc) {
        json_t *waves = json_object_get(doc, "waves");
        const char *eta = json_string_value(json_object_get(doc, "eta"));
        const char *why = json_string_value(json_object_get(doc, "pause_reason"));
        return str_printf("campaign %lld %s: %s, wave %lld/%zu; %lld devices: %lld succeeded, %lld failed, %lld "
                          "retrying, %lld offered, %lld pending, %lld canceled%s%s%s%s",
                          (long long) json_integer_value(json_object_get(doc, "id")),
                          json_string_value(json_object_get(doc, "name")),
                          json_string_value(json_object_get(doc, "status")),
                          (long long) json_integer_value(json_object_get(doc, "current_wave")) + 1,
                          json_array_size(waves), count(doc, "total"), count(doc, "succeeded"), count(doc, "failed"),
                          count(doc, "retrying"), count(doc, "offered"), count(doc, "pending"), count(doc, "canceled"),
                          eta ? "; eta " : "", eta ? eta : "", why ? "; paused: " : "", why ? why : "");
}

static bool finished(json_t *doc) {
        const char *s = json_string_value(json_object_get(doc, "status"));
        return s && (strcmp(s, "completed") == 0 || strcmp(s, "aborted") == 0);
}

static void print_bar(long long part, long long total) {
        int width = 40, fill = total > 0 ? (int) (part * width / total) : 0;
        printf("[");
        for (int i = 0; i < width; i++)
                putchar(i < fill ? '#' : '.');
        printf("] %lld/%lld\n", part, total);
}

/* The live view: redrawn in place on a terminal. */
static void draw(json_t *doc) {
        printf("\033[H\033[2J");
        _cleanup_free_ char *line = status_line(doc);
        printf("%s\n\n", line);
        print_bar(count(doc, "succeeded"), count(doc, "total"));
        printf("\n");
        cli_print_table(json_object_get(doc, "waves"), wave_cols, ELEMENTSOF(wave_cols));
        fflush(stdout);
}

static int campaign_status_run(struct cli_ctx *ctx, int argc, char **argv) {
        static const struct option options[] = {
                CLI_GLOBAL_LONG_OPTIONS,
                { "watch", no_argument, NULL, OPT_WATCH },
                { "interval", required_argument, NULL, OPT_INTERVAL },
                { 0 },
        };
        bool watch = false;
        int64_t interval = WATCH_INTERVAL_DEFAULT;
        int c, r;
        while ((c = getopt_long(argc, argv, CLI_GLOBAL_SHORT_OPTIONS, options, NULL)) != -1) {
                switch (c) {
                case OPT_WATCH: watch = true; break;
                case OPT_INTERVAL:
                        if (str_to_int64(optarg, 1, 3600, &interval) < 0)
                                return cli_usage_error(ctx, "--interval: seconds, 1..3600");
                        break;
                default:
                        if ((r = cli_option_common(ctx, c, argc, argv)) != CLI_CONTINUE)
                                return r;
                }
        }
        int64_t id;
        if ((r = cli_positional(ctx, argc, argv, 1, "CAMPAIGN-ID")) != CLI_CONTINUE ||
            (r = campaign_id_arg(ctx, argv[optind], &id)) != CLI_CONTINUE)
                return r;
        _cleanup_free_ char *path = str_printf("/api/v1/campaigns/%lld", (long long) id);
        bool tty = isatty(STDOUT_FILENO) && !ctx->flags.json;
        _cleanup_free_ char *last = NULL;
        for (;;) {
                _cleanup_json_ json_t *doc = NULL;
                if ((r = campaign_send(ctx, "GET", path, NULL, &doc)) != CLI_EXIT_OK)
                        return r;
                if (ctx->flags.json) {
                        cli_emit_json(doc);
                } else if (watch && tty) {
                        draw(doc);
                } else {
                        char *line = status_line(doc);
                        if (!last || strcmp(line, last) != 0) {
                                printf("%s\n", line);
                                fflush(stdout);
                                free(last);
                                last = line;
                        } else {
                                free(line);
                        }
                }
                if (!watch || finished(doc))
                        return CLI_EXIT_OK;
                sleep((unsigned) interval);
        }
}

static const struct cli_command campaign_create = {
        .name = "create",
        .summary = "Create a campaign (a draft)",
        .usage = "--file FILE | --name NAME --release RELEASE-ID --product MODEL [options]",
        .help = "Creates a draft campaign (POST /api/v1/campaigns; admin, release-manager): a\n"
                "published release rolled out in waves to the devices the selector matches\n"
                "(docs/campaigns.md describes the file: selector, waves, retry, window).\n"
                "Without --file: the default plan (1%, 10%, 50%, 100%) over every device of\n"
                "the product. Options override the file's fields.\n\n"
                "Options:\n"
                "  --file FILE            the campaign as JSON (\"-\" = stdin)\n"
                "  --name NAME            its name ([A-Za-z0-9._-], not a number)\n"
                "  --release RELEASE-ID   the published release\n"
                "  --product MODEL        selector: the product\n"
                "  --tag TAG              selector: devices carrying the tag\n"
                "  --dynamic              devices that match later join the current wave\n"
                "  --security             a security campaign (short soak times)\n"
                "  --vulnerability ID     a vulnerability it remediates (repeat)\n",
        .run = campaign_create_run,
};

static const struct cli_command campaign_list = {
        .name = "list",
        .summary = "List campaigns",
        .usage = "[--status STATUS]",
        .help = "Lists campaigns, newest first (GET /api/v1/campaigns).\n\n"
                "Options:\n"
                "  --status STATUS   only draft, running, waiting, paused, completed or aborted ones\n",
        .run = campaign_list_run,
};

static const struct cli_command campaign_show = {
        .name = "show",
        .summary = "Show a campaign, its plan and progress",
        .usage = "CAMPAIGN-ID",
        .help = "Shows a campaign with each wave's counts and times (GET /api/v1/campaigns/ID).\n",
        .run = campaign_show_run,
};

static const struct cli_command campaign_start = {
        .name = "start",
        .summary = "Start a draft campaign",
        .usage = "CAMPAIGN-ID",
        .help = "Starts the first wave (POST /api/v1/campaigns/ID/start; admin, release-manager).\n",
        .run = campaign_start_run,
};

static const struct cli_command campaign_pause = {
        .name = "pause",
        .summary = "Pause a campaign",
        .usage = "CAMPAIGN-ID [--reason TEXT]",
        .help = "Makes no new offers until resumed (POST /api/v1/campaigns/ID/pause).\n\n"
                "Options:\n"
                "  --reason TEXT   recorded with the pause\n",
        .run = campaign_pause_run,
};

static const struct cli_command campaign_resume = {
        .name = "resume",
        .summary = "Resume a paused campaign",
        .usage = "CAMPAIGN-ID [--release RELEASE-ID]",
        .help = "Resumes the campaign (POST /api/v1/campaigns/ID/resume). Failures and stuck\n"
                "devices seen so far count as acknowledged.\n\n"
                "Options:\n"
                "  --release RELEASE-ID   a fixed release: failed and unfinished devices are\n"
                "                         offered it\n",
        .run = campaign_resume_run,
};

static const struct cli_command campaign_approve = {
        .name = "approve",
        .summary = "Open a manual gate",
        .usage = "CAMPAIGN-ID",
        .help = "Starts the next wave of a campaign waiting at a manual gate (POST\n"
                "/api/v1/campaigns/ID/approve). Four eyes: not by the campaign's creator.\n",
        .run = campaign_approve_run,
};

static const struct cli_command campaign_abort = {
        .name = "abort",
        .summary = "Abort a campaign",
        .usage = "CAMPAIGN-ID [--reason TEXT]",
        .help = "Cancels the campaign's open offers; devices not yet offered get nothing (POST\n"
                "/api/v1/campaigns/ID/abort).\n\n"
                "Options:\n"
                "  --reason TEXT   recorded with the abort\n",
        .run = campaign_abort_run,
};

static const struct cli_command campaign_status = {
        .name = "status",
        .summary = "A campaign's progress, once or live",
        .usage = "CAMPAIGN-ID [--watch] [--interval SECONDS]",
        .help = "Prints one line of progress. With --watch, keeps going until the campaign\n"
                "completes or is aborted: a live view on a terminal, a new line at each change\n"
                "otherwise.\n\n"
                "Options:\n"
                "  --watch              follow the campaign\n"
                "  --interval SECONDS   between refreshes (default 5)\n",
        .run = campaign_status_run,
};

static const struct cli_command *const campaign_subs[] = {
        &campaign_create, &campaign_list,    &campaign_show,  &campaign_start,  &campaign_pause,
        &campaign_resume, &campaign_approve, &campaign_abort, &campaign_status, NULL,
};

const struct cli_command cli_cmd_campaign = {
        .name = "campaign",
        .summary = "Roll a release out in waves",
        .subs = campaign_subs,
};

/* SPDX-License-Identifier: Apache-2.0 */
/* cradle exposure VULN: from a vulnerability to the devices still running it (issue 9). */
#include <stdio.h>

#include "cli/cli.h"
#include "cli/client.h"
#include "cli/cmd-common.h"
#include "cli/command.h"
#include "core/cleanup.h"
#include "core/strutil.h"

enum { OPT_PATCHED = CLI_OPT_LOCAL_BASE, OPT_AFTER, OPT_LIMIT };

static void section(const char *title) {
        printf("\n%s\n", title);
}

static int exposure_print(json_t *doc, bool patched) {
        static const struct cli_field head[] = {
                { "vulnerability", "vulnerability" }, { "exposed devices", "exposed.devices" },
                { "patched devices", "patched.devices" },
        };
        static const struct cli_field rel_cols[] = {
                { "PRODUCT", "product" }, { "RELEASE", "version" }, { "DEVICES", "devices" },
        };
        static const struct cli_field hw_cols[] = {
                { "PRODUCT", "product" }, { "HARDWARE", "hardware_revision" }, { "DEVICES", "devices" },
        };
        static const struct cli_field ms_cols[] = { { "MEMBER STATE", "member_state" }, { "DEVICES", "devices" } };
        static const struct cli_field batch_cols[] = {
                { "PRODUCT", "product" }, { "BATCH", "batch" }, { "DEVICES", "devices" },
        };
        static const struct cli_field dev_cols[] = {
                { "SERIAL", "serial" }, { "PRODUCT", "product" }, { "HARDWARE", "hardware_revision" },
                { "BATCH", "batch" }, { "VERSION", "version" }, { "SINCE", "since" },
        };
        int r;
        json_t *exposed = json_object_get(doc, "exposed");
        if ((r = cli_print_object(doc, head, ELEMENTSOF(head))) != CLI_EXIT_OK)
                return r;
        section("Exposed, by release:");
        cli_print_table(json_object_get(exposed, "by_release"), rel_cols, ELEMENTSOF(rel_cols));
        section("Exposed, by hardware revision:");
        cli_print_table(json_object_get(exposed, "by_hardware_revision"), hw_cols, ELEMENTSOF(hw_cols));
        section("Exposed, by member state:");
        cli_print_table(json_object_get(exposed, "by_member_state"), ms_cols, ELEMENTSOF(ms_cols));
        section("Exposed, by batch:");
        cli_print_table(json_object_get(exposed, "by_batch"), batch_cols, ELEMENTSOF(batch_cols));
        section("Patched, by release:");
        cli_print_table(json_object_get(json_object_get(doc, "patched"), "by_release"), rel_cols,
                        ELEMENTSOF(rel_cols));
        json_t *devices = json_object_get(doc, "devices");
        section(patched ? "Patched devices:" : "Exposed devices:");
        r = cli_print_table(json_object_get(devices, "items"), dev_cols, ELEMENTSOF(dev_cols) - (patched ? 0 : 1));
        json_t *next = json_object_get(devices, "next_after_id");
        if (json_is_integer(next))
                fprintf(stderr, "more devices follow: --after %" JSON_INTEGER_FORMAT "\n", json_integer_value(next));
        return r;
}

static int exposure_run(struct cli_ctx *ctx, int argc, char **argv) {
        static const struct option options[] = {
                CLI_GLOBAL_LONG_OPTIONS,
                { "patched", no_argument, NULL, OPT_PATCHED },
                { "after", required_argument, NULL, OPT_AFTER },
                { "limit", required_argument, NULL, OPT_LIMIT },
                { 0 },
        };
        const char *after = NULL, *limit = NULL;
        bool patched = false;
        int c, r;
        while ((c = getopt_long(argc, argv, CLI_GLOBAL_SHORT_OPTIONS, options, NULL)) != -1) {
                switch (c) {
                case OPT_PATCHED: patched = true; break;
                case OPT_AFTER: after = optarg; break;
                case OPT_LIMIT: limit = optarg; break;
                default:
                        if ((r = cli_option_common(ctx, c, argc, argv)) != CLI_CONTINUE)
                                return r;
                }
        }
        if ((r = cli_positional(ctx, argc, argv, 1, "VULN")) != CLI_CONTINUE)
                return r;
        int64_t v;
        if (after && str_to_int64(after, 0, INT64_MAX, &v) < 0)
                return cli_usage_error(ctx, "--after: '%s' is not a device id", after);
        if (limit && str_to_int64(limit, 1, 1000, &v) < 0)
                return cli_usage_error(ctx, "--limit: '%s' is not a number from 1 to 1000", limit);
        _cleanup_free_ char *vuln = cli_client_escape(argv[optind]);
        _cleanup_free_ char *path = str_printf("/api/v1/exposure/%s?list=%s%s%s%s%s", vuln,
                                               patched ? "patched" : "exposed", after ? "&after=" : "",
                                               after ? after : "", limit ? "&limit=" : "", limit ? limit : "");
        struct cli_client *client;
        _cleanup_json_ json_t *doc = NULL;
        if ((r = cli_ctx_client(ctx, &client)) != CLI_EXIT_OK ||
            (r = cli_client_request(client, "GET", path, NULL, &doc)) != CLI_EXIT_OK ||
            (r = cli_expect_object(doc, path)) != CLI_EXIT_OK)
                return r;
        if (ctx->flags.json)
                return cli_emit_json(doc);
        return exposure_print(doc, patched);
}

const struct cli_command cli_cmd_exposure = {
        .name = "exposure",
        .summary = "Which releases and devices a vulnerability affects",
        .usage = "VULN [--patched] [--after ID] [--limit N]",
        .help = "From a vulnerability (CVE, GHSA, OSV or EUVD id) to the releases it affects\n"
                "(live findings in triage or affected) and the active devices that run them\n"
                "and are not patched, counted by release, hardware revision, member state\n"
                "and batch, then listed; and the devices already patched, on a later release\n"
                "that is not affected (GET /api/v1/exposure/{vuln}; admin, release-manager,\n"
                "security-officer, auditor).\n\n"
                "Options:\n"
                "  --patched     list the patched devices (with since when) instead\n"
                "  --after ID    the device list continues after this device id\n"
                "  --limit N     devices listed (1..1000, default 100)\n",
        .run = exposure_run,
};

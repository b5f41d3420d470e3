/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cradle device ddi-token|cancel|config-data: what hawkBit DDI devices need
 * from an operator (issue 8, docs/ddi.md): a TargetToken for a device that
 * has no certificate yet, canceling an update action (a DDI client is sent
 * cancelAction), and the configData attributes a device sent.
 */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/client.h"
#include "cli/cmd-common.h"
#include "cli/cmd-ddi.h"
#include "cli/command.h"
#include "cli/output.h"
#include "core/cleanup.h"
#include "core/strutil.h"

enum { OPT_REVOKE = CLI_OPT_LOCAL_BASE, OPT_ACTION, OPT_REASON };

static int ddi_token_run(struct cli_ctx *ctx, int argc, char **argv) {
        static const struct option options[] = {
                CLI_GLOBAL_LONG_OPTIONS,
                { "revoke", no_argument, NULL, OPT_REVOKE },
                { 0 },
        };
        bool revoke = false;
        int c, r;
        while ((c = getopt_long(argc, argv, CLI_GLOBAL_SHORT_OPTIONS, options, NULL)) != -1) {
                if (c == OPT_REVOKE)
                        revoke = true;
                else if ((r = cli_option_common(ctx, c, argc, argv)) != CLI_CONTINUE)
                        return r;
        }
        if ((r = cli_positional(ctx, argc, argv, 1, "SERIAL")) != CLI_CONTINUE)
                return r;
        struct cli_client *client;
        _cleanup_json_ json_t *doc = NULL;
        _cleanup_free_ char *serial = cli_client_escape(argv[optind]);
        _cleanup_free_ char *path = str_printf("/api/v1/devices/%s/ddi-token", serial);
        if ((r = cli_ctx_client(ctx, &client)) != CLI_EXIT_OK ||
            (r = cli_client_request(client, revoke ? "DELETE" : "POST", path, NULL, &doc)) != CLI_EXIT_OK)
                return r;
        _cleanup_free_ char *who = cli_text_sanitize(argv[optind], false);
        if (revoke) {
                if (ctx->flags.json)
                        printf("{\"serial\": \"%s\", \"revoked\": true}\n", who);
                else
                        printf("revoked the DDI target token of device %s\n", who);
                return CLI_EXIT_OK;
        }
        if ((r = cli_expect_object(doc, "POST ddi-token")) != CLI_EXIT_OK)
                return r;
        if (ctx->flags.json)
                return cli_emit_json(doc);
        /* The token goes to stdout alone on its line, for a script to take. */
        _cleanup_free_ char *tenant_raw = cli_json_text(json_object_get(doc, "tenant"));
        _cleanup_free_ char *tenant = cli_text_sanitize(tenant_raw ? tenant_raw : "?", false);
        fprintf(stderr, "DDI target token of device %s (tenant %s); shown once, store it on the device:\n", who,
                tenant);
        printf("%s\n", json_string_value(json_object_get(doc, "token")));
        return CLI_EXIT_OK;
}

static int cancel_run(struct cli_ctx *ctx, int argc, char **argv) {
        static const struct option options[] = {
                CLI_GLOBAL_LONG_OPTIONS,
                { "action", required_argument, NULL, OPT_ACTION },
                { "reason", required_argument, NULL, OPT_REASON },
                { 0 },
        };
        static const struct cli_field fields[] = {
                { "serial", "serial" }, { "action", "action_id" }, { "status", "status" },
        };
        const char *action = NULL, *reason = NULL;
        int64_t v;
        int c, r;
        while ((c = getopt_long(argc, argv, CLI_GLOBAL_SHORT_OPTIONS, options, NULL)) != -1) {
                if (c == OPT_ACTION) {
                        if (str_to_int64(optarg, 1, INT64_MAX, &v) < 0)
                                return cli_usage_error(ctx, "option '--action': '%s' is not an action id", optarg);
                        action = optarg;
                } else if (c == OPT_REASON) {
                        reason = optarg;
                } else if ((r = cli_option_common(ctx, c, argc, argv)) != CLI_CONTINUE) {
                        return r;
                }
        }
        if ((r = cli_positional(ctx, argc, argv, 1, "SERIAL")) != CLI_CONTINUE ||
            (r = cli_require(ctx, action, "--action ID")) != CLI_CONTINUE)
                return r;
        _cleanup_json_ json_t *body = reason ? json_pack("{s:s}", "reason", reason) : json_object();
        if (!body)
                return cli_usage_error(ctx, "option '--reason' is not valid UTF-8");
        _cleanup_free_ char *serial = cli_client_escape(argv[optind]);
        _cleanup_free_ char *path = str_printf("/api/v1/devices/%s/actions/%s/cancel", serial, action);
        return cli_send_show(ctx, "POST", path, body, fields, ELEMENTSOF(fields));
}

static int config_data_run(struct cli_ctx *ctx, int argc, char **argv) {
        int r;
        if ((r = cli_parse_positional_only(ctx, argc, argv, 1, "SERIAL")) != CLI_CONTINUE)
                return r;
        struct cli_client *client;
        _cleanup_json_ json_t *doc = NULL;
        _cleanup_free_ char *serial = cli_client_escape(argv[optind]);
        _cleanup_free_ char *path = str_printf("/api/v1/devices/%s/config-data", serial);
        if ((r = cli_ctx_client(ctx, &client)) != CLI_EXIT_OK ||
            (r = cli_client_request(client, "GET", path, NULL, &doc)) != CLI_EXIT_OK ||
            (r = cli_expect_object(doc, "GET config-data")) != CLI_EXIT_OK)
                return r;
        if (ctx->flags.json)
                return cli_emit_json(doc);
        const char *key;
        json_t *v;
        json_object_foreach(json_object_get(doc, "attributes"), key, v) {
                _cleanup_free_ char *k = cli_text_sanitize(key, false);
                _cleanup_free_ char *val = cli_text_sanitize(json_string_value(v), false);
                printf("%s: %s\n", k, val);
        }
        return CLI_EXIT_OK;
}

const struct cli_command cli_cmd_device_ddi_token = {
        .name = "ddi-token",
        .summary = "Issue (or revoke) a device's hawkBit DDI TargetToken",
        .usage = "SERIAL [--revoke]",
        .help = "Issues a TargetToken for device SERIAL (POST /api/v1/devices/SERIAL/ddi-token;\n"
                "admin), for a hawkBit client without a client certificate (suricatta's\n"
                "'targettoken'). It is printed once, alone on stdout; only its SHA-256 is\n"
                "kept, and a new one replaces the old. It is valid only on the URL of this\n"
                "device (/ddi/MODEL/controller/v1/SERIAL). See docs/ddi.md.\n\n"
                "Options:\n"
                "  --revoke   remove the device's token instead (DELETE; exit 3 when none)\n",
        .run = ddi_token_run,
};

const struct cli_command cli_cmd_device_cancel = {
        .name = "cancel",
        .summary = "Cancel a device's open update action",
        .usage = "SERIAL --action ID [--reason TEXT]",
        .help = "Cancels update action ID of device SERIAL (POST\n"
                "/api/v1/devices/SERIAL/actions/ID/cancel; admin, release-manager). The\n"
                "director stops offering its release at once; a DDI client is sent\n"
                "cancelAction and its confirmation closes the action 'canceled'.\n\n"
                "Options:\n"
                "  --action ID     the action (GET /api/v1/devices/SERIAL/actions)\n"
                "  --reason TEXT   why (recorded on the action and in the audit trail)\n",
        .run = cancel_run,
};

const struct cli_command cli_cmd_device_config_data = {
        .name = "config-data",
        .summary = "Show the DDI configData a device sent",
        .usage = "SERIAL",
        .help = "Shows the attributes device SERIAL sent over hawkBit DDI, as kept after the\n"
                "[ddi] config_data_allow list (GET /api/v1/devices/SERIAL/config-data; any\n"
                "role).\n",
        .run = config_data_run,
};

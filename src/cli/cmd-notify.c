/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Informing users (issue 10 section 6; docs/reporting.md "Informing users"):
 * cradle device set-owner, cradle batch set-owner, cradle case notify-list.
 */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/client.h"
#include "cli/cmd-common.h"
#include "cli/command.h"
#include "core/cleanup.h"
#include "core/strutil.h"

enum { OPT_CLEAR = CLI_OPT_LOCAL_BASE, OPT_FORMAT, OPT_SEND };

static const struct cli_field owner_fields[] = {
        { "serial", "serial" }, { "batch", "id" }, { "owner reference", "owner_ref" },
};

/* ARG REF, or ARG --clear: the body {"owner_ref": REF|null}. */
static int parse_owner(struct cli_ctx *ctx, int argc, char **argv, const char *what, json_t **body) {
        static const struct option options[] = {
                CLI_GLOBAL_LONG_OPTIONS,
                { "clear", no_argument, NULL, OPT_CLEAR },
                { 0 },
        };
        bool clear = false;
        int c, r;
        while ((c = getopt_long(argc, argv, CLI_GLOBAL_SHORT_OPTIONS, options, NULL)) != -1) {
                if (c == OPT_CLEAR)
                        clear = true;
                else if ((r = cli_option_common(ctx, c, argc, argv)) != CLI_CONTINUE)
                        return r;
        }
        int want = clear ? 1 : 2;
        if (argc - optind != want)
                return cli_usage_error(ctx, clear ? "expected %s (and no reference with --clear)"
                                                  : "expected %s and REF (or --clear)",
                                       what);
        *body = json_pack("{s:o}", "owner_ref", clear ? json_null() : json_string(argv[optind + 1]));
        if (!*body)
                return cli_usage_error(ctx, "REF is not valid UTF-8");
        return CLI_CONTINUE;
}

static int device_set_owner_run(struct cli_ctx *ctx, int argc, char **argv) {
        _cleanup_json_ json_t *body = NULL;
        int r = parse_owner(ctx, argc, argv, "DEVICE", &body);
        if (r != CLI_CONTINUE)
                return r;
        _cleanup_free_ char *serial = cli_client_escape(argv[optind]);
        _cleanup_free_ char *path = str_printf("/api/v1/devices/%s/owner", serial);
        return cli_send_show(ctx, "PUT", path, body, owner_fields, ELEMENTSOF(owner_fields));
}

static int batch_set_owner_run(struct cli_ctx *ctx, int argc, char **argv) {
        _cleanup_json_ json_t *body = NULL;
        int r = parse_owner(ctx, argc, argv, "ID", &body);
        if (r != CLI_CONTINUE)
                return r;
        int64_t id;
        if (str_to_int64(argv[optind], 1, INT64_MAX, &id) < 0)
                return cli_usage_error(ctx, "ID '%s' is not a batch id (a positive integer; 'cradle batch list' "
                                            "shows them)",
                                       argv[optind]);
        _cleanup_free_ char *path = str_printf("/api/v1/batches/%lld/owner", (long long) id);
        return cli_send_show(ctx, "PUT", path, body, owner_fields, ELEMENTSOF(owner_fields));
}

static int notify_list_run(struct cli_ctx *ctx, int argc, char **argv) {
        static const struct option options[] = {
                CLI_GLOBAL_LONG_OPTIONS,
                { "format", required_argument, NULL, OPT_FORMAT },
                { "send", no_argument, NULL, OPT_SEND },
                { 0 },
        };
        const char *format = NULL;
        bool send = false;
        int c, r;
        while ((c = getopt_long(argc, argv, CLI_GLOBAL_SHORT_OPTIONS, options, NULL)) != -1) {
                if (c == OPT_FORMAT)
                        format = optarg;
                else if (c == OPT_SEND)
                        send = true;
                else if ((r = cli_option_common(ctx, c, argc, argv)) != CLI_CONTINUE)
                        return r;
        }
        if ((r = cli_positional(ctx, argc, argv, 1, "CASE")) != CLI_CONTINUE)
                return r;
        if (format && strcmp(format, "csv") != 0 && strcmp(format, "json") != 0)
                return cli_usage_error(ctx, "option '--format': '%s' is not csv or json", format);
        if (send && format)
                return cli_usage_error(ctx, "--send queues the list for the webhook; it takes no --format");
        _cleanup_free_ char *ref = cli_client_escape(argv[optind]);
        static const struct cli_field cols[] = {
                { "OWNER", "owner_ref" }, { "PRODUCT", "product" }, { "DEVICES", "devices" },
                { "FIXING RELEASE", "fixing_release" },
        };
        if (send || !format) {
                /* A table of the groups (the JSON with the global --json). */
                struct cli_client *client;
                _cleanup_json_ json_t *doc = NULL, *empty = json_object();
                _cleanup_free_ char *path = str_printf("/api/v1/cases/%s/notify-list%s", ref, send ? "/send" : "");
                if ((r = cli_ctx_client(ctx, &client)) != CLI_EXIT_OK ||
                    (r = cli_client_request(client, send ? "POST" : "GET", path, send ? empty : NULL, &doc)) !=
                            CLI_EXIT_OK ||
                    (r = cli_expect_object(doc, path)) != CLI_EXIT_OK)
                        return r;
                if (ctx->flags.json)
                        return cli_emit_json(doc);
                json_t *groups = json_object_get(doc, "groups");
                cli_print_table(groups, cols, ELEMENTSOF(cols));
                printf("\n%lld impacted device(s), %lld without an owner reference%s\n",
                       (long long) json_integer_value(json_object_get(doc, "devices_total")),
                       (long long) json_integer_value(json_object_get(doc, "devices_without_owner")),
                       send ? "; queued for the webhook" : "");
                return CLI_EXIT_OK;
        }
        /* --format csv|json: the document as the server sends it, unchanged. */
        struct cli_client *client;
        struct cli_raw_response resp;
        _cleanup_free_ char *path = str_printf("/api/v1/cases/%s/notify-list?format=%s", ref, format);
        if ((r = cli_ctx_client(ctx, &client)) != CLI_EXIT_OK ||
            (r = cli_client_request_raw(client, "GET", path, NULL, NULL, 0,
                                        strcmp(format, "csv") == 0 ? "text/csv, application/problem+json"
                                                                   : "application/json, application/problem+json",
                                        &resp)) != CLI_EXIT_OK)
                return r;
        if (resp.status < 200 || resp.status > 299) {
                _cleanup_free_ char *why = cli_raw_response_reason(&resp);
                fprintf(stderr, "error: GET %s: %s\n", path, why);
                r = resp.status >= 400 && resp.status < 500 ? CLI_EXIT_REFUSED : CLI_EXIT_SERVER;
                cli_raw_response_clear(&resp);
                return r;
        }
        if (resp.body)
                fwrite(resp.body, 1, resp.len, stdout);
        if (strcmp(format, "json") == 0)
                fputc('\n', stdout);
        cli_raw_response_clear(&resp);
        return CLI_EXIT_OK;
}

const struct cli_command cli_cmd_device_set_owner = {
        .name = "set-owner",
        .summary = "Set or clear a device's owner reference",
        .usage = "DEVICE REF | DEVICE --clear",
        .help = "Sets the owner reference of device DEVICE (PUT /api/v1/devices/SERIAL/owner;\n"
                "admin): a customer id or operator account in your own systems, from which\n"
                "'cradle case notify-list' groups the impacted devices. 1-64 characters of\n"
                "[A-Za-z0-9._:-]: never a name or an e-mail address. It wins over the\n"
                "device's batch's reference.\n\n"
                "Options:\n"
                "  --clear   remove the device's own reference (its batch's applies again)\n",
        .run = device_set_owner_run,
};

const struct cli_command cli_cmd_batch_set_owner = {
        .name = "set-owner",
        .summary = "Set or clear a batch's owner reference",
        .usage = "ID REF | ID --clear",
        .help = "Sets the owner reference of batch ID (PUT /api/v1/batches/ID/owner; admin):\n"
                "every device of the batch without a reference of its own has this owner\n"
                "(e.g. a batch made for one customer). Same rules as 'cradle device set-owner'.\n\n"
                "Options:\n"
                "  --clear   remove the batch's reference\n",
        .run = batch_set_owner_run,
};

const struct cli_command cli_cmd_case_notify_list = {
        .name = "notify-list",
        .summary = "The owners to inform of a case (CRA Art. 14(8))",
        .usage = "CASE [--format csv|json] | CASE --send",
        .help = "Lists the owners of the devices case CASE impacts: active devices of its\n"
                "affected products running an affected version other than the fixing\n"
                "release, grouped by owner reference and product, with the device count and\n"
                "the fixing release (GET /api/v1/cases/CASE/notify-list; security-officer,\n"
                "auditor, admin). Devices without a reference are one group without owner.\n\n"
                "Options:\n"
                "  --format csv|json   print the list as CSV (RFC 4180, spreadsheet-safe) or JSON\n"
                "  --send              queue the list for the [cases] webhook as the event\n"
                "                      case.notify_list (POST .../notify-list/send;\n"
                "                      security-officer, admin)\n",
        .run = notify_list_run,
};

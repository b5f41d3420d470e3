/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cradle batch create|list|close|set-migration-key: production batches. The
 * migration key is a secret: it is read from a 0600 file, never from argv.
 */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/client.h"
#include "cli/cmd-common.h"
#include "cli/command.h"
#include "core/cleanup.h"
#include "core/strutil.h"
#include "crypto/ct.h"

enum {
        OPT_PRODUCT = CLI_OPT_LOCAL_BASE,
        OPT_NAME,
        OPT_HW,
        OPT_DATE,
        OPT_STATION,
        OPT_FIRMWARE,
        OPT_KEY_FILE,
};

static const struct cli_field batch_fields[] = {
        { "id", "id" }, { "product", "product" }, { "name", "name" }, { "status", "status" },
        { "hardware revision", "hardware_revision" }, { "production date", "production_date" },
        { "station", "station" }, { "initial firmware", "initial_firmware_version" },
        { "migration key set", "migration_key_set" }, { "created at", "created_at" },
        { "closed at", "closed_at" },
};

static int parse_batch_id(struct cli_ctx *ctx, const char *s, int64_t *id) {
        if (str_to_int64(s, 1, INT64_MAX, id) < 0)
                return cli_usage_error(ctx, "ID '%s' is not a batch id (a positive integer; 'cradle batch "
                                            "list' shows them)",
                                       s);
        return CLI_CONTINUE;
}

static int batch_create_run(struct cli_ctx *ctx, int argc, char **argv) {
        static const struct option options[] = {
                CLI_GLOBAL_LONG_OPTIONS,
                { "product", required_argument, NULL, OPT_PRODUCT },
                { "name", required_argument, NULL, OPT_NAME },
                { "hardware-revision", required_argument, NULL, OPT_HW },
                { "production-date", required_argument, NULL, OPT_DATE },
                { "station", required_argument, NULL, OPT_STATION },
                { "firmware", required_argument, NULL, OPT_FIRMWARE },
                { 0 },
        };
        const char *product = NULL, *name = NULL, *hw = NULL, *date = NULL, *station = NULL, *fw = NULL;
        int c, r;
        while ((c = getopt_long(argc, argv, CLI_GLOBAL_SHORT_OPTIONS, options, NULL)) != -1) {
                switch (c) {
                case OPT_PRODUCT: product = optarg; break;
                case OPT_NAME: name = optarg; break;
                case OPT_HW: hw = optarg; break;
                case OPT_DATE: date = optarg; break;
                case OPT_STATION: station = optarg; break;
                case OPT_FIRMWARE: fw = optarg; break;
                default:
                        if ((r = cli_option_common(ctx, c, argc, argv)) != CLI_CONTINUE)
                                return r;
                }
        }
        if ((r = cli_positional(ctx, argc, argv, 0, "")) != CLI_CONTINUE ||
            (r = cli_require(ctx, product, "--product MODEL")) != CLI_CONTINUE ||
            (r = cli_require(ctx, name, "--name NAME")) != CLI_CONTINUE ||
            (r = cli_require(ctx, hw, "--hardware-revision REV")) != CLI_CONTINUE ||
            (r = cli_require(ctx, date, "--production-date YYYY-MM-DD")) != CLI_CONTINUE ||
            (r = cli_require(ctx, fw, "--firmware VERSION")) != CLI_CONTINUE)
                return r;
        _cleanup_json_ json_t *body = json_pack("{s:s, s:s, s:s, s:s, s:s}", "product", product, "name", name,
                                                "hardware_revision", hw, "production_date", date,
                                                "initial_firmware_version", fw);
        if (body && station)
                json_object_set_new(body, "station", json_string(station));
        if (!body)
                return cli_usage_error(ctx, "options must be valid UTF-8");
        return cli_send_show(ctx, "POST", "/api/v1/batches", body, batch_fields, ELEMENTSOF(batch_fields));
}

static int batch_list_run(struct cli_ctx *ctx, int argc, char **argv) {
        static const struct cli_field cols[] = {
                { "ID", "id" }, { "PRODUCT", "product" }, { "NAME", "name" }, { "STATUS", "status" },
                { "HW REV", "hardware_revision" }, { "PRODUCED", "production_date" },
                { "FIRMWARE", "initial_firmware_version" }, { "STATION", "station" },
                { "MIGRATION KEY", "migration_key_set" },
        };
        return cli_list_by_product(ctx, argc, argv, "/api/v1/batches", NULL, cols, ELEMENTSOF(cols));
}

static int batch_close_run(struct cli_ctx *ctx, int argc, char **argv) {
        int64_t id;
        int r;
        if ((r = cli_parse_positional_only(ctx, argc, argv, 1, "ID")) != CLI_CONTINUE ||
            (r = parse_batch_id(ctx, argv[optind], &id)) != CLI_CONTINUE)
                return r;
        _cleanup_free_ char *path = str_printf("/api/v1/batches/%lld/close", (long long) id);
        _cleanup_json_ json_t *body = json_object();
        return cli_send_show(ctx, "POST", path, body, batch_fields, ELEMENTSOF(batch_fields));
}

#define MIGRATION_KEY_HEX 64

static int batch_set_key_run(struct cli_ctx *ctx, int argc, char **argv) {
        static const struct option options[] = {
                CLI_GLOBAL_LONG_OPTIONS,
                { "key-file", required_argument, NULL, OPT_KEY_FILE },
                { 0 },
        };
        const char *key_file = NULL;
        int64_t id;
        int c, r;
        while ((c = getopt_long(argc, argv, CLI_GLOBAL_SHORT_OPTIONS, options, NULL)) != -1) {
                if (c == OPT_KEY_FILE)
                        key_file = optarg;
                else if ((r = cli_option_common(ctx, c, argc, argv)) != CLI_CONTINUE)
                        return r;
        }
        if ((r = cli_positional(ctx, argc, argv, 1, "ID")) != CLI_CONTINUE ||
            (r = parse_batch_id(ctx, argv[optind], &id)) != CLI_CONTINUE ||
            (r = cli_require(ctx, key_file, "--key-file FILE")) != CLI_CONTINUE)
                return r;
        _cleanup_secret_ char *hex = NULL;
        if ((r = cli_read_secret_file("--key-file", key_file, 4096, &hex)) != CLI_EXIT_OK)
                return r;
        bool ok = strlen(hex) == MIGRATION_KEY_HEX;
        for (size_t i = 0; ok && hex[i]; i++)
                ok = (hex[i] >= '0' && hex[i] <= '9') || (hex[i] >= 'a' && hex[i] <= 'f') ||
                     (hex[i] >= 'A' && hex[i] <= 'F');
        if (!ok)
                return cli_error(CLI_EXIT_LOCAL,
                                 "--key-file: %s must hold the 32-byte key as %d hex digits on one line "
                                 "(e.g. made with: (umask 077; openssl rand -hex 32 > %s))",
                                 key_file, MIGRATION_KEY_HEX, key_file);
        /* The JSON text is built by hand so the only copies of the key are
         * this buffer and curl's, both wiped. */
        _cleanup_secret_ char *payload = str_printf("{\"key\":\"%s\"}", hex);
        struct cli_client *client;
        struct cli_raw_response resp;
        _cleanup_free_ char *path = str_printf("/api/v1/batches/%lld/migration-key", (long long) id);
        if ((r = cli_ctx_client(ctx, &client)) != CLI_EXIT_OK ||
            (r = cli_client_request_raw(client, "PUT", path, "application/json", payload, strlen(payload),
                                        "application/json, application/problem+json", &resp)) != CLI_EXIT_OK)
                return r;
        if (resp.status < 200 || resp.status > 299) {
                _cleanup_free_ char *why = cli_raw_response_reason(&resp);
                fprintf(stderr, "error: PUT %s: %s\n", path, why);
                if (resp.request_id)
                        fprintf(stderr, "request id: %s\n", resp.request_id);
                r = resp.status >= 400 && resp.status < 500 ? CLI_EXIT_REFUSED : CLI_EXIT_SERVER;
                cli_raw_response_clear(&resp);
                return r;
        }
        cli_raw_response_clear(&resp);
        fprintf(stdout, "migration key of batch %lld set\n", (long long) id);
        return CLI_EXIT_OK;
}

static const struct cli_command batch_create = {
        .name = "create",
        .summary = "Create a production batch",
        .usage = "--product MODEL --name NAME --hardware-revision REV --production-date YYYY-MM-DD "
                 "--firmware VERSION [--station STATION]",
        .help = "Creates a production batch (POST /api/v1/batches; admin, factory). Devices\n"
                "enrolled into it inherit its hardware revision, production date and initial\n"
                "firmware version.\n\n"
                "Options:\n"
                "  --product MODEL                 the product\n"
                "  --name NAME                     batch name, unique per product ([A-Za-z0-9._-])\n"
                "  --hardware-revision REV         hardware revision of its units\n"
                "  --production-date YYYY-MM-DD    when they were made\n"
                "  --firmware VERSION              firmware version installed at the factory\n"
                "  --station STATION               default factory station of its enrollments\n",
        .run = batch_create_run,
};

static const struct cli_command batch_list = {
        .name = "list",
        .summary = "List production batches",
        .usage = "[--product MODEL]",
        .help = "Lists batches (GET /api/v1/batches; admin, factory, auditor).\n\n"
                "Options:\n"
                "  --product MODEL   only this product's\n",
        .run = batch_list_run,
};

static const struct cli_command batch_close = {
        .name = "close",
        .summary = "Close a batch: no more enrollments into it",
        .usage = "ID",
        .help = "Closes batch ID (POST /api/v1/batches/ID/close; admin).\n",
        .run = batch_close_run,
};

static const struct cli_command batch_set_key = {
        .name = "set-migration-key",
        .summary = "Set a batch's migration key (from a 0600 file)",
        .usage = "ID --key-file FILE",
        .help = "Sets the 32-byte key from which the batch's device secrets derive\n"
                "(device_secret = HMAC-SHA256(key, serial)) for migration claims\n"
                "(PUT /api/v1/batches/ID/migration-key; admin). The key is never shown again.\n\n"
                "Options:\n"
                "  --key-file FILE   64 hex digits on one line; the file must not be\n"
                "                    accessible by group or others (chmod 600). Never on\n"
                "                    the command line.\n",
        .run = batch_set_key_run,
};

static const struct cli_command *const batch_subs[] = {
        &batch_create, &batch_list, &batch_close, &batch_set_key,
        &cli_cmd_batch_set_owner, /* issue 10 section 6 */
        NULL,
};

const struct cli_command cli_cmd_batch = {
        .name = "batch",
        .summary = "Manage production batches",
        .subs = batch_subs,
};

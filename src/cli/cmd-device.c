/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cradle device list|show|revoke|decommission and cradle cert revoke: the
 * device register and revocation. A revocation takes effect at once: the
 * server refuses the certificate on its next request and publishes a new CRL.
 * cradle device assign|tag|history: what the director offers a device, and
 * what the device reported back (issue 4).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/client.h"
#include "cli/cmd-common.h"
#include "cli/cmd-ddi.h"
#include "cli/command.h"
#include "core/cleanup.h"
#include "core/strutil.h"

enum {
        OPT_PRODUCT = CLI_OPT_LOCAL_BASE, OPT_BATCH, OPT_STATUS, OPT_EXPIRING, OPT_REASON,
        OPT_RELEASE, OPT_DEVICE, OPT_TAG, OPT_CLEAR, OPT_AFTER, OPT_LIMIT, OPT_ADD, OPT_REMOVE, OPT_SERIALS_FILE,
};

/* Serials per POST /api/v1/devices/tags (the server's DIRECTOR_TAGS_BULK_MAX). */
#define DEVICE_TAG_CHUNK 1000
/* A line of a serials file longer than this is refused (serials are at most 64 bytes). */
#define DEVICE_SERIAL_LINE_MAX 256

static const struct cli_field device_fields[] = {
        { "serial", "serial" }, { "product", "product" }, { "batch", "batch" }, { "status", "status" },
        { "origin", "origin" }, { "hardware revision", "hardware_revision" },
        { "production date", "production_date" }, { "station", "station" },
        { "initial firmware", "initial_firmware_version" }, { "valid until", "valid_until" },
        { "created at", "created_at" }, { "decommissioned at", "decommissioned_at" },
        { "tags", "tags" }, { "installed version", "installed_version" },
        { "security version", "security_version" }, { "last seen", "last_seen" },
        { "assigned release", "assigned_release_id" },
        { "owner reference", "owner_ref" }, { "owner reference from", "owner_ref_from" },
};

static const struct cli_field cert_cols[] = {
        { "CERT SERIAL", "serial" }, { "KIND", "kind" }, { "STATUS", "status" }, { "CA", "ca" },
        { "NOT AFTER", "not_after" }, { "REVOKED AT", "revoked_at" }, { "REASON", "revocation_reason" },
};

/* Key/value lines, then the certificates as a table. */
static int print_device(json_t *doc) {
        cli_print_object(doc, device_fields, ELEMENTSOF(device_fields));
        json_t *certs = json_object_get(doc, "certificates");
        if (json_is_array(certs) && json_array_size(certs) > 0) {
                printf("\n");
                cli_print_table(certs, cert_cols, ELEMENTSOF(cert_cols));
        }
        return CLI_EXIT_OK;
}

static int send_device(struct cli_ctx *ctx, const char *method, const char *path, json_t *body) {
        struct cli_client *client;
        _cleanup_json_ json_t *doc = NULL;
        _cleanup_free_ char *what = str_printf("%s %s", method, path);
        int r;
        if ((r = cli_ctx_client(ctx, &client)) != CLI_EXIT_OK ||
            (r = cli_client_request(client, method, path, body, &doc)) != CLI_EXIT_OK ||
            (r = cli_expect_object(doc, what)) != CLI_EXIT_OK)
                return r;
        if (ctx->flags.json)
                return cli_emit_json(doc);
        return print_device(doc);
}

static int device_list_run(struct cli_ctx *ctx, int argc, char **argv) {
        static const struct option options[] = {
                CLI_GLOBAL_LONG_OPTIONS,
                { "product", required_argument, NULL, OPT_PRODUCT },
                { "batch", required_argument, NULL, OPT_BATCH },
                { "status", required_argument, NULL, OPT_STATUS },
                { "expiring-within", required_argument, NULL, OPT_EXPIRING },
                { 0 },
        };
        static const struct cli_field cols[] = {
                { "SERIAL", "serial" }, { "PRODUCT", "product" }, { "BATCH", "batch" },
                { "STATUS", "status" }, { "ORIGIN", "origin" }, { "VALID UNTIL", "valid_until" },
        };
        const char *product = NULL, *batch = NULL, *status = NULL, *expiring = NULL;
        int64_t days;
        int c, r;
        while ((c = getopt_long(argc, argv, CLI_GLOBAL_SHORT_OPTIONS, options, NULL)) != -1) {
                switch (c) {
                case OPT_PRODUCT: product = optarg; break;
                case OPT_BATCH: batch = optarg; break;
                case OPT_STATUS: status = optarg; break;
                case OPT_EXPIRING:
                        if (str_to_int64(optarg, 0, 36500, &days) < 0)
                                return cli_usage_error(ctx, "option '--expiring-within': '%s' is not a number "
                                                            "of days (0-36500)",
                                                       optarg);
                        expiring = optarg;
                        break;
                default:
                        if ((r = cli_option_common(ctx, c, argc, argv)) != CLI_CONTINUE)
                                return r;
                }
        }
        if ((r = cli_positional(ctx, argc, argv, 0, "")) != CLI_CONTINUE)
                return r;
        struct buf q = {0};
        cli_query_add(&q, "product", product);
        cli_query_add(&q, "batch", batch);
        cli_query_add(&q, "status", status);
        cli_query_add(&q, "expiring_within_days", expiring);
        _cleanup_free_ char *query = buf_steal(&q);
        _cleanup_free_ char *path = str_printf("/api/v1/devices%s", query ? query : "");
        return cli_send_list_paged(ctx, path, &cli_cursor_after_id, -1, false, cols, ELEMENTSOF(cols));
}

/* Options: globals, plus --reason when `reason` is not NULL. */
static int parse_serial_command(struct cli_ctx *ctx, int argc, char **argv, const char **reason) {
        static const struct option with_reason[] = {
                CLI_GLOBAL_LONG_OPTIONS,
                { "reason", required_argument, NULL, OPT_REASON },
                { 0 },
        };
        static const struct option plain[] = { CLI_GLOBAL_LONG_OPTIONS, { 0 } };
        int c, r;
        while ((c = getopt_long(argc, argv, CLI_GLOBAL_SHORT_OPTIONS, reason ? with_reason : plain, NULL)) != -1) {
                if (c == OPT_REASON && reason)
                        *reason = optarg;
                else if ((r = cli_option_common(ctx, c, argc, argv)) != CLI_CONTINUE)
                        return r;
        }
        if ((r = cli_positional(ctx, argc, argv, 1, "SERIAL")) != CLI_CONTINUE)
                return r;
        if (reason)
                return cli_require(ctx, *reason, "--reason REASON");
        return CLI_CONTINUE;
}

static int device_show_run(struct cli_ctx *ctx, int argc, char **argv) {
        int r = parse_serial_command(ctx, argc, argv, NULL);
        if (r != CLI_CONTINUE)
                return r;
        _cleanup_free_ char *serial = cli_client_escape(argv[optind]);
        _cleanup_free_ char *path = str_printf("/api/v1/devices/%s", serial);
        return send_device(ctx, "GET", path, NULL);
}

static int device_revoke_run(struct cli_ctx *ctx, int argc, char **argv) {
        const char *reason = NULL;
        int r = parse_serial_command(ctx, argc, argv, &reason);
        if (r != CLI_CONTINUE)
                return r;
        _cleanup_free_ char *serial = cli_client_escape(argv[optind]);
        _cleanup_free_ char *path = str_printf("/api/v1/devices/%s/revoke", serial);
        _cleanup_json_ json_t *body = json_pack("{s:s}", "reason", reason);
        if (!body)
                return cli_usage_error(ctx, "option '--reason' is not valid UTF-8");
        return send_device(ctx, "POST", path, body);
}

static int device_decommission_run(struct cli_ctx *ctx, int argc, char **argv) {
        int r = parse_serial_command(ctx, argc, argv, NULL);
        if (r != CLI_CONTINUE)
                return r;
        _cleanup_free_ char *serial = cli_client_escape(argv[optind]);
        _cleanup_free_ char *path = str_printf("/api/v1/devices/%s/decommission", serial);
        _cleanup_json_ json_t *body = json_object();
        return send_device(ctx, "POST", path, body);
}

static int cert_revoke_run(struct cli_ctx *ctx, int argc, char **argv) {
        static const struct cli_field fields[] = {
                { "serial", "serial" }, { "status", "status" }, { "reason", "reason" },
        };
        const char *reason = NULL;
        int r = parse_serial_command(ctx, argc, argv, &reason);
        if (r != CLI_CONTINUE)
                return r;
        _cleanup_free_ char *serial = cli_client_escape(argv[optind]);
        _cleanup_free_ char *path = str_printf("/api/v1/certificates/%s/revoke", serial);
        _cleanup_json_ json_t *body = json_pack("{s:s}", "reason", reason);
        if (!body)
                return cli_usage_error(ctx, "option '--reason' is not valid UTF-8");
        return cli_send_show(ctx, "POST", path, body, fields, ELEMENTSOF(fields));
}

/* ---- OTA: assignments, tags, update history (issue 4) ---- */

static int device_assign_run(struct cli_ctx *ctx, int argc, char **argv) {
        static const struct option options[] = {
                CLI_GLOBAL_LONG_OPTIONS,
                { "release", required_argument, NULL, OPT_RELEASE },
                { "device", required_argument, NULL, OPT_DEVICE },
                { "tag", required_argument, NULL, OPT_TAG },
                { 0 },
        };
        static const struct cli_field fields[] = {
                { "release id", "release_id" }, { "release", "release" }, { "product", "product" },
                { "tag", "tag" }, { "devices", "devices" },
        };
        const char *release = NULL, *tag = NULL;
        int64_t release_id = 0;
        _cleanup_json_ json_t *devices = json_array();
        int c, r;
        while ((c = getopt_long(argc, argv, CLI_GLOBAL_SHORT_OPTIONS, options, NULL)) != -1) {
                switch (c) {
                case OPT_RELEASE: release = optarg; break;
                case OPT_TAG:
                        if (tag)
                                return cli_usage_error(ctx, "option '--tag' given twice; assign one tag at a time");
                        tag = optarg;
                        break;
                case OPT_DEVICE: {
                        json_t *v = json_string(optarg);
                        if (!v)
                                return cli_usage_error(ctx, "option '--device': '%s' is not valid UTF-8", optarg);
                        json_array_append_new(devices, v);
                        break;
                }
                default:
                        if ((r = cli_option_common(ctx, c, argc, argv)) != CLI_CONTINUE)
                                return r;
                }
        }
        if ((r = cli_positional(ctx, argc, argv, 0, "")) != CLI_CONTINUE ||
            (r = cli_require(ctx, release, "--release ID")) != CLI_CONTINUE)
                return r;
        if (str_to_int64(release, 1, INT64_MAX, &release_id) < 0)
                return cli_usage_error(ctx, "option '--release': '%s' is not a release id (a positive integer)",
                                       release);
        if ((json_array_size(devices) > 0) == (tag != NULL))
                return cli_usage_error(ctx, "give either --device SERIAL (repeatable) or --tag TAG");
        _cleanup_json_ json_t *body = json_pack("{s:I}", "release_id", (json_int_t) release_id);
        if (tag) {
                json_t *v = json_string(tag);
                if (!v)
                        return cli_usage_error(ctx, "option '--tag': '%s' is not valid UTF-8", tag);
                json_object_set_new(body, "tag", v);
        } else {
                json_object_set(body, "devices", devices);
        }
        return cli_send_show(ctx, "POST", "/api/v1/assignments", body, fields, ELEMENTSOF(fields));
}

/* The running totals of a bulk tag operation. */
struct tag_bulk {
        struct cli_client *client;
        json_t *add, *remove;
        json_t *chunk;          /* serials not sent yet */
        size_t sent, changed, unchanged, requests;
};

/* Sends the pending chunk: one request, one transaction on the server. */
static int tag_bulk_flush(struct tag_bulk *b) {
        if (json_array_size(b->chunk) == 0)
                return CLI_EXIT_OK;
        _cleanup_json_ json_t *body = json_pack("{s:O, s:O, s:O}", "add", b->add, "remove", b->remove, "devices",
                                                b->chunk);
        _cleanup_json_ json_t *doc = NULL;
        int r = cli_client_request(b->client, "POST", "/api/v1/devices/tags", body, &doc);
        if (r == CLI_EXIT_OK)
                r = cli_expect_object(doc, "POST /api/v1/devices/tags");
        if (r != CLI_EXIT_OK) {
                /* What was sent before is committed; re-sending is harmless (add/remove are idempotent). */
                fprintf(stderr,
                        "stopped: the request for devices %zu-%zu was refused (nothing of it applied); the %zu "
                        "devices before it are tagged. Running the same command again is safe.\n",
                        b->sent + 1, b->sent + json_array_size(b->chunk), b->sent);
                return r;
        }
        b->sent += json_array_size(b->chunk);
        b->changed += json_array_size(json_object_get(doc, "changed"));
        b->unchanged += (size_t) json_integer_value(json_object_get(doc, "unchanged"));
        b->requests++;
        json_array_clear(b->chunk);
        return CLI_EXIT_OK;
}

static int tag_bulk_add_serial(struct tag_bulk *b, const char *serial) {
        json_t *v = json_string(serial);
        if (!v)
                return cli_error(CLI_EXIT_LOCAL, "serial '%s' is not valid UTF-8", serial);
        json_array_append_new(b->chunk, v);
        return json_array_size(b->chunk) >= DEVICE_TAG_CHUNK ? tag_bulk_flush(b) : CLI_EXIT_OK;
}

/* Streams FILE (one serial a line; blank lines and '#' comments skipped;
 * "-" = stdin) in chunks, so a file of any length needs one chunk of memory. */
static int tag_bulk_file(struct tag_bulk *b, const char *path) {
        bool is_stdin = str_eq(path, "-");
        FILE *f = is_stdin ? stdin : fopen(path, "r");
        if (!f)
                return cli_error(CLI_EXIT_LOCAL, "--serials-file: cannot open %s: %s", path, strerror(errno));
        char line[DEVICE_SERIAL_LINE_MAX + 2];
        size_t lineno = 0;
        int r = CLI_EXIT_OK;
        while (r == CLI_EXIT_OK && fgets(line, sizeof(line), f)) {
                lineno++;
                size_t n = strlen(line);
                if (n == sizeof(line) - 1 && line[n - 1] != '\n') {
                        r = cli_error(CLI_EXIT_LOCAL, "--serials-file: %s line %zu is longer than %d bytes", path,
                                      lineno, DEVICE_SERIAL_LINE_MAX);
                        break;
                }
                while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r' || line[n - 1] == ' ' ||
                                 line[n - 1] == '\t'))
                        line[--n] = '\0';
                char *p = line;
                while (*p == ' ' || *p == '\t')
                        p++;
                if (*p == '\0' || *p == '#')
                        continue;
                r = tag_bulk_add_serial(b, p);
        }
        if (r == CLI_EXIT_OK && ferror(f))
                r = cli_error(CLI_EXIT_LOCAL, "--serials-file: reading %s: %s", path, strerror(errno));
        if (!is_stdin)
                fclose(f);
        return r;
}

static int device_tag_bulk(struct cli_ctx *ctx, int argc, char **argv, json_t *add, json_t *remove,
                           const char *serials_file) {
        struct tag_bulk b = { .add = add, .remove = remove };
        _cleanup_json_ json_t *chunk = json_array();
        b.chunk = chunk;
        int r;
        if (!serials_file && optind >= argc)
                return cli_usage_error(ctx, "name the devices: SERIAL... or --serials-file FILE");
        if ((r = cli_ctx_client(ctx, &b.client)) != CLI_EXIT_OK)
                return r;
        for (int i = optind; i < argc; i++)
                if ((r = tag_bulk_add_serial(&b, argv[i])) != CLI_EXIT_OK)
                        return r;
        if (serials_file && (r = tag_bulk_file(&b, serials_file)) != CLI_EXIT_OK)
                return r;
        if ((r = tag_bulk_flush(&b)) != CLI_EXIT_OK)
                return r;
        if (b.sent == 0)
                return cli_error(CLI_EXIT_LOCAL, "--serials-file: %s names no device", serials_file);
        if (ctx->flags.json) {
                _cleanup_json_ json_t *doc = json_pack("{s:I, s:I, s:I, s:I}", "devices", (json_int_t) b.sent,
                                                       "changed", (json_int_t) b.changed, "unchanged",
                                                       (json_int_t) b.unchanged, "requests", (json_int_t) b.requests);
                return cli_emit_json(doc);
        }
        printf("%zu devices: %zu changed, %zu already so (%zu request%s)\n", b.sent, b.changed, b.unchanged,
               b.requests, b.requests == 1 ? "" : "s");
        return CLI_EXIT_OK;
}

static int device_tag_run(struct cli_ctx *ctx, int argc, char **argv) {
        static const struct option options[] = {
                CLI_GLOBAL_LONG_OPTIONS,
                { "tag", required_argument, NULL, OPT_TAG },
                { "clear", no_argument, NULL, OPT_CLEAR },
                { "add", required_argument, NULL, OPT_ADD },
                { "remove", required_argument, NULL, OPT_REMOVE },
                { "serials-file", required_argument, NULL, OPT_SERIALS_FILE },
                { 0 },
        };
        static const struct cli_field fields[] = { { "serial", "serial" }, { "tags", "tags" } };
        _cleanup_json_ json_t *tags = json_array(), *add = json_array(), *remove = json_array();
        const char *serials_file = NULL;
        bool clear = false;
        int c, r;
        while ((c = getopt_long(argc, argv, CLI_GLOBAL_SHORT_OPTIONS, options, NULL)) != -1) {
                switch (c) {
                case OPT_TAG:
                case OPT_ADD:
                case OPT_REMOVE: {
                        json_t *v = json_string(optarg);
                        if (!v)
                                return cli_usage_error(ctx, "option '--%s': '%s' is not valid UTF-8",
                                                       c == OPT_TAG ? "tag" : c == OPT_ADD ? "add" : "remove", optarg);
                        json_array_append_new(c == OPT_TAG ? tags : c == OPT_ADD ? add : remove, v);
                        break;
                }
                case OPT_CLEAR: clear = true; break;
                case OPT_SERIALS_FILE: serials_file = optarg; break;
                default:
                        if ((r = cli_option_common(ctx, c, argc, argv)) != CLI_CONTINUE)
                                return r;
                }
        }
        bool bulk = json_array_size(add) + json_array_size(remove) > 0;
        if (bulk && (json_array_size(tags) > 0 || clear))
                return cli_usage_error(ctx, "--add/--remove change some tags of many devices; --tag/--clear replace "
                                            "all tags of one: use one kind");
        if (bulk)
                return device_tag_bulk(ctx, argc, argv, add, remove, serials_file);
        if (serials_file)
                return cli_usage_error(ctx, "--serials-file goes with --add TAG or --remove TAG");
        if ((r = cli_positional(ctx, argc, argv, 1, "SERIAL")) != CLI_CONTINUE)
                return r;
        /* Replacing with nothing must be asked for: a forgotten --tag must not wipe them. */
        if ((json_array_size(tags) > 0) == clear)
                return cli_usage_error(ctx, "give the device's tags with --tag TAG (repeatable), or --clear; or "
                                            "change tags of many devices with --add/--remove");
        _cleanup_free_ char *serial = cli_client_escape(argv[optind]);
        _cleanup_free_ char *path = str_printf("/api/v1/devices/%s/tags", serial);
        _cleanup_json_ json_t *body = json_pack("{s:O}", "tags", tags);
        return cli_send_show(ctx, "POST", path, body, fields, ELEMENTSOF(fields));
}

static int device_history_run(struct cli_ctx *ctx, int argc, char **argv) {
        static const struct option options[] = {
                CLI_GLOBAL_LONG_OPTIONS,
                { "after", required_argument, NULL, OPT_AFTER },
                { "limit", required_argument, NULL, OPT_LIMIT },
                { 0 },
        };
        static const struct cli_field cols[] = {
                { "ID", "id" }, { "TIME", "time" }, { "STAGE", "stage" }, { "RESULT", "result" },
                { "FROM", "from_version" }, { "TO", "to_version" }, { "SECURITY", "security_version" },
                { "REASON", "reason" }, { "ACTION", "action_id" },
        };
        const char *limit = NULL;
        int64_t v, after = -1;
        int c, r;
        while ((c = getopt_long(argc, argv, CLI_GLOBAL_SHORT_OPTIONS, options, NULL)) != -1) {
                switch (c) {
                case OPT_AFTER:
                        if (str_to_int64(optarg, 0, INT64_MAX, &after) < 0)
                                return cli_usage_error(ctx, "option '--after': '%s' is not a history id", optarg);
                        break;
                case OPT_LIMIT:
                        if (str_to_int64(optarg, 1, 1000, &v) < 0)
                                return cli_usage_error(ctx, "option '--limit': '%s' is not a number from 1 to 1000",
                                                       optarg);
                        limit = optarg;
                        break;
                default:
                        if ((r = cli_option_common(ctx, c, argc, argv)) != CLI_CONTINUE)
                                return r;
                }
        }
        if ((r = cli_positional(ctx, argc, argv, 1, "SERIAL")) != CLI_CONTINUE)
                return r;
        struct buf q = {0};
        cli_query_add(&q, "limit", limit);
        _cleanup_free_ char *query = buf_steal(&q);
        _cleanup_free_ char *serial = cli_client_escape(argv[optind]);
        _cleanup_free_ char *path = str_printf("/api/v1/devices/%s/history%s", serial, query ? query : "");
        /* --limit asks for one page; otherwise every entry (from --after on). */
        return cli_send_list_paged(ctx, path, &cli_cursor_after_id, after, limit != NULL, cols, ELEMENTSOF(cols));
}

static int device_actions_run(struct cli_ctx *ctx, int argc, char **argv) {
        static const struct option options[] = {
                CLI_GLOBAL_LONG_OPTIONS,
                { 0 },
        };
        static const struct cli_field cols[] = {
                { "ID", "id" }, { "RELEASE", "release" }, { "CAMPAIGN", "campaign_id" }, { "STATUS", "status" },
                { "STAGE", "last_stage" }, { "CREATED", "created_at" }, { "CLOSED", "closed_at" },
                { "REASON", "reason" },
        };
        int c, r;
        while ((c = getopt_long(argc, argv, CLI_GLOBAL_SHORT_OPTIONS, options, NULL)) != -1)
                if ((r = cli_option_common(ctx, c, argc, argv)) != CLI_CONTINUE)
                        return r;
        if ((r = cli_positional(ctx, argc, argv, 1, "SERIAL")) != CLI_CONTINUE)
                return r;
        _cleanup_free_ char *serial = cli_client_escape(argv[optind]);
        _cleanup_free_ char *path = str_printf("/api/v1/devices/%s/actions", serial);
        return cli_send_list_paged(ctx, path, &cli_cursor_before_id, -1, false, cols, ELEMENTSOF(cols));
}

#define REASONS_HELP                                                                             \
        "  --reason REASON   RFC 5280 CRLReason: unspecified, keyCompromise, cACompromise,\n"    \
        "                    affiliationChanged, superseded, cessationOfOperation,\n"            \
        "                    certificateHold, privilegeWithdrawn, aACompromise (or 0-10)\n"

static const struct cli_command device_list = {
        .name = "list",
        .summary = "List devices",
        .usage = "[--product MODEL] [--batch NAME] [--status STATUS] [--expiring-within DAYS]",
        .help = "Lists devices (GET /api/v1/devices; any role).\n\n"
                "Options:\n"
                "  --product MODEL          only this product's\n"
                "  --batch NAME             only this batch's\n"
                "  --status STATUS          active or decommissioned\n"
                "  --expiring-within DAYS   only devices whose newest valid certificate\n"
                "                           expires within DAYS days (expired ones included)\n",
        .run = device_list_run,
};

static const struct cli_command device_show = {
        .name = "show",
        .summary = "Show a device and its certificates",
        .usage = "SERIAL",
        .help = "Shows device SERIAL with its certificates, newest first\n"
                "(GET /api/v1/devices/SERIAL; any role).\n",
        .run = device_show_run,
};

static const struct cli_command device_revoke = {
        .name = "revoke",
        .summary = "Revoke every certificate of a device",
        .usage = "SERIAL --reason REASON",
        .help = "Revokes every unexpired certificate of device SERIAL\n"
                "(POST /api/v1/devices/SERIAL/revoke; admin, security-officer). The device\n"
                "can no longer authenticate; the CRL is regenerated.\n\n"
                "Options:\n" REASONS_HELP,
        .run = device_revoke_run,
};

static const struct cli_command device_decommission = {
        .name = "decommission",
        .summary = "Decommission a device (revokes its certificates)",
        .usage = "SERIAL",
        .help = "Marks device SERIAL decommissioned and revokes its certificates with\n"
                "cessationOfOperation (POST /api/v1/devices/SERIAL/decommission; admin,\n"
                "security-officer).\n",
        .run = device_decommission_run,
};

static const struct cli_command device_assign = {
        .name = "assign",
        .summary = "Assign a published release to devices or a tag",
        .usage = "--release ID (--device SERIAL... | --tag TAG)",
        .help = "Assigns release ID to devices (POST /api/v1/assignments; admin,\n"
                "release-manager). The director then offers its images to each of them in\n"
                "their targets metadata. The release must be published; every device must be\n"
                "active, of the release's product and of one of its hardware revisions. One\n"
                "refusal refuses all (exit 3, naming the device and why). A tag is resolved\n"
                "now: devices tagged later are not assigned.\n\n"
                "Options:\n"
                "  --release ID      the release (see 'cradle release list')\n"
                "  --device SERIAL   a device; repeat for more (at most 1000)\n"
                "  --tag TAG         every device carrying TAG (at most 10000)\n",
        .run = device_assign_run,
};

static const struct cli_command device_tag = {
        .name = "tag",
        .summary = "Set a device's tags, or add and remove tags on many devices",
        .usage = "SERIAL (--tag TAG... | --clear)\n"
                 "       cradle device tag (--add TAG | --remove TAG)... (--serials-file FILE | SERIAL...)",
        .help = "With --tag or --clear: replaces the tags of device SERIAL\n"
                "(POST /api/v1/devices/SERIAL/tags). With --add and --remove: adds and removes\n"
                "those tags on every device named, keeping their other tags\n"
                "(POST /api/v1/devices/tags, 1000 devices per request, one transaction each;\n"
                "a file is streamed). Admin, release-manager. Tags are 1-32 characters of\n"
                "a-z, 0-9, '.', '_' and '-'; at most 32 per device. Every device whose tags\n"
                "change gets an audit entry (device.tags.set). If a request is refused (an\n"
                "unknown serial, too many tags), nothing of it is applied, the devices before\n"
                "it stay tagged, and running the command again is safe.\n"
                "'cradle device assign --tag' selects devices by tag.\n\n"
                "Options:\n"
                "  --tag TAG             a tag; repeat for more (replaces all of SERIAL's)\n"
                "  --clear               remove every tag of SERIAL\n"
                "  --add TAG             add TAG; repeatable\n"
                "  --remove TAG          remove TAG; repeatable\n"
                "  --serials-file FILE   one serial a line ('#' comments and blank lines\n"
                "                        skipped; '-' = stdin), besides any SERIAL given\n",
        .run = device_tag_run,
};

static const struct cli_command device_history = {
        .name = "history",
        .summary = "Show a device's update history",
        .usage = "SERIAL [--after ID] [--limit N]",
        .help = "Lists the update reports of device SERIAL, oldest first: stage, result, from\n"
                "and to version, security version, reason (GET /api/v1/devices/SERIAL/history;\n"
                "any role). 'cradle device show' gives the installed version and last seen.\n\n"
                "Options:\n"
                "  --after ID   only entries after history id ID\n"
                "  --limit N    one page of at most N entries (1-1000); a note on stderr\n"
                "               says how to go on. Without it every entry is shown.\n",
        .run = device_history_run,
};

static const struct cli_command device_actions = {
        .name = "actions",
        .summary = "Show a device's update actions",
        .usage = "SERIAL",
        .help = "Lists the update actions of device SERIAL, newest first: each offer of a\n"
                "release (a direct assignment or a campaign's), its status (open, canceling,\n"
                "canceled, succeeded, failed, rejected, superseded), the last stage reported for\n"
                "it, and when it was opened and closed (GET /api/v1/devices/SERIAL/actions; any\n"
                "role). The id is the hawkBit DDI actionId; 'cradle device history' names it\n"
                "per report.\n",
        .run = device_actions_run,
};

static const struct cli_command *const device_subs[] = {
        &device_list, &device_show, &device_revoke, &device_decommission, &device_assign, &device_tag,
        &device_history, &device_actions, &cli_cmd_device_ddi_token, &cli_cmd_device_cancel,
        &cli_cmd_device_config_data,
        &cli_cmd_device_set_owner, /* issue 10 section 6 */
        NULL,
};

const struct cli_command cli_cmd_device = {
        .name = "device",
        .summary = "Device register: list, show, revoke, decommission, assign, tag, history, actions, "
                   "ddi-token, cancel, config-data",
        .subs = device_subs,
};

static const struct cli_command cert_revoke = {
        .name = "revoke",
        .summary = "Revoke one certificate",
        .usage = "SERIAL --reason REASON",
        .help = "Revokes the certificate with serial number SERIAL (hex, as 'cradle device\n"
                "show' lists it; colons allowed) (POST /api/v1/certificates/SERIAL/revoke;\n"
                "admin, security-officer).\n\n"
                "Options:\n" REASONS_HELP,
        .run = cert_revoke_run,
};

static const struct cli_command *const cert_subs[] = { &cert_revoke, NULL };

const struct cli_command cli_cmd_cert = {
        .name = "cert",
        .summary = "Device certificates: revoke",
        .subs = cert_subs,
};

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cradle case advisory|publish: CSAF 2.0 advisories of a case (issue 10
 * section 5; docs/reporting.md "CSAF advisories"). `advisory` prints a
 * draft (publishes nothing), a stored revision's exact bytes, or the list
 * of revisions; `publish` adds a revision and puts it in the provider
 * directory.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/client.h"
#include "cli/cmd-common.h"
#include "cli/command.h"
#include "core/cleanup.h"
#include "core/strutil.h"

enum { OPT_TYPE = CLI_OPT_LOCAL_BASE, OPT_OUT, OPT_REVISION, OPT_REVISIONS, OPT_STATUS, OPT_SUMMARY, OPT_TLP, OPT_NOTIFY };

static const struct cli_field rev_cols[] = {
        { "REV", "number" }, { "STATUS", "status" }, { "TLP", "tlp" }, { "PUBLISHED", "published_at" },
        { "BY", "published_by" }, { "SUMMARY", "summary" }, { "URL", "url" },
};

static const struct cli_field rev_fields[] = {
        { "tracking id", "tracking_id" }, { "category", "category" }, { "revision", "number" },
        { "status", "status" }, { "tlp", "tlp" }, { "summary", "summary" }, { "published", "published_at" },
        { "by", "published_by" }, { "sha256", "sha256" }, { "key", "key_fingerprint" }, { "url", "url" },
};

static int check_type(struct cli_ctx *ctx, const char *t) {
        if (!str_eq(t, "security_advisory") && !str_eq(t, "vex"))
                return cli_usage_error(ctx, "option '--type': '%s' is not security_advisory or vex", t);
        return CLI_CONTINUE;
}

static int case_advisory_run(struct cli_ctx *ctx, int argc, char **argv) {
        static const struct option options[] = {
                CLI_GLOBAL_LONG_OPTIONS,
                { "type", required_argument, NULL, OPT_TYPE },
                { "out", required_argument, NULL, OPT_OUT },
                { "revision", required_argument, NULL, OPT_REVISION },
                { "revisions", no_argument, NULL, OPT_REVISIONS },
                { 0 },
        };
        const char *type = "security_advisory", *out = NULL, *revision = NULL;
        bool list = false;
        int c, r;
        while ((c = getopt_long(argc, argv, CLI_GLOBAL_SHORT_OPTIONS, options, NULL)) != -1) {
                switch (c) {
                case OPT_TYPE:
                        if ((r = check_type(ctx, optarg)) != CLI_CONTINUE)
                                return r;
                        type = optarg;
                        break;
                case OPT_OUT: out = optarg; break;
                case OPT_REVISION: {
                        int64_t n;
                        if (str_to_int64(optarg, 1, INT32_MAX, &n) < 0)
                                return cli_usage_error(ctx, "option '--revision': '%s' is not a revision number", optarg);
                        revision = optarg;
                        break;
                }
                case OPT_REVISIONS: list = true; break;
                default:
                        if ((r = cli_option_common(ctx, c, argc, argv)) != CLI_CONTINUE)
                                return r;
                }
        }
        if ((r = cli_positional(ctx, argc, argv, 1, "CASE")) != CLI_CONTINUE)
                return r;
        if (list && (revision || out))
                return cli_usage_error(ctx, "--revisions lists; it takes neither --revision nor --out");
        _cleanup_free_ char *esc = cli_client_escape(argv[optind]);
        struct buf q = {0};
        cli_query_add(&q, "type", type);
        _cleanup_free_ char *query = buf_steal(&q);
        _cleanup_free_ char *path = list ? str_printf("/api/v1/cases/%s/advisory/revisions%s", esc, query)
                                    : revision ? str_printf("/api/v1/cases/%s/advisory/revisions/%s%s", esc, revision,
                                                            query)
                                               : str_printf("/api/v1/cases/%s/advisory%s", esc, query);
        struct cli_client *client;
        if ((r = cli_ctx_client(ctx, &client)) != CLI_EXIT_OK)
                return r;
        if (list) {
                _cleanup_json_ json_t *doc = NULL;
                json_t *items;
                if ((r = cli_client_request(client, "GET", path, NULL, &doc)) != CLI_EXIT_OK ||
                    (r = cli_expect_items(doc, path, &items)) != CLI_EXIT_OK)
                        return r;
                if (ctx->flags.json)
                        return cli_emit_json(doc);
                return cli_print_table(items, rev_cols, ELEMENTSOF(rev_cols));
        }
        /* The document's bytes as the server has them (a stored revision is
         * the exact published file): never re-serialised here. */
        struct cli_raw_response resp = {0};
        if ((r = cli_client_request_raw(client, "GET", path, NULL, NULL, 0, "application/json", &resp)) != CLI_EXIT_OK)
                return r;
        if (resp.status != 200) {
                _cleanup_free_ char *why = cli_raw_response_reason(&resp);
                r = cli_error(CLI_EXIT_REFUSED, "GET %s: %s", path, why);
        } else if (out) {
                r = cli_write_file("--out", out, resp.body ? resp.body : "", resp.len, 0644, false);
        } else {
                fwrite(resp.body ? resp.body : "", 1, resp.len, stdout);
                r = CLI_EXIT_OK;
        }
        cli_raw_response_clear(&resp);
        return r;
}

static int case_publish_run(struct cli_ctx *ctx, int argc, char **argv) {
        static const struct option options[] = {
                CLI_GLOBAL_LONG_OPTIONS,
                { "type", required_argument, NULL, OPT_TYPE },
                { "status", required_argument, NULL, OPT_STATUS },
                { "summary", required_argument, NULL, OPT_SUMMARY },
                { "tlp", required_argument, NULL, OPT_TLP },
                { "notify", no_argument, NULL, OPT_NOTIFY },
                { 0 },
        };
        _cleanup_json_ json_t *body = json_object(), *doc = NULL;
        int c, r;
        while ((c = getopt_long(argc, argv, CLI_GLOBAL_SHORT_OPTIONS, options, NULL)) != -1) {
                switch (c) {
                case OPT_TYPE:
                        if ((r = check_type(ctx, optarg)) != CLI_CONTINUE)
                                return r;
                        json_object_set_new(body, "type", json_string(optarg));
                        break;
                case OPT_STATUS:
                        if (!str_eq(optarg, "interim") && !str_eq(optarg, "final"))
                                return cli_usage_error(ctx, "option '--status': '%s' is not interim or final", optarg);
                        json_object_set_new(body, "status", json_string(optarg));
                        break;
                case OPT_SUMMARY: json_object_set_new(body, "summary", json_string(optarg)); break;
                case OPT_TLP: json_object_set_new(body, "tlp", json_string(optarg)); break;
                case OPT_NOTIFY: json_object_set_new(body, "notify", json_true()); break;
                default:
                        if ((r = cli_option_common(ctx, c, argc, argv)) != CLI_CONTINUE)
                                return r;
                }
        }
        if ((r = cli_positional(ctx, argc, argv, 1, "CASE")) != CLI_CONTINUE)
                return r;
        if (!json_object_get(body, "status"))
                return cli_usage_error(ctx, "--status is required (interim or final)");
        _cleanup_free_ char *esc = cli_client_escape(argv[optind]);
        _cleanup_free_ char *path = str_printf("/api/v1/cases/%s/publish", esc);
        struct cli_client *client;
        if ((r = cli_ctx_client(ctx, &client)) != CLI_EXIT_OK ||
            (r = cli_client_request(client, "POST", path, body, &doc)) != CLI_EXIT_OK ||
            (r = cli_expect_object(doc, path)) != CLI_EXIT_OK)
                return r;
        if (ctx->flags.json)
                return cli_emit_json(doc);
        return cli_print_object(doc, rev_fields, ELEMENTSOF(rev_fields));
}

const struct cli_command cli_cmd_case_advisory = {
        .name = "advisory",
        .summary = "Show a case's CSAF advisory: a draft, a stored revision, or the revisions",
        .usage = "CASE [--type security_advisory|vex] [--revision N] [--revisions] [--out FILE]",
        .help = "Without --revision: a draft of the next revision as the case is now (CSAF 2.0, status\n"
                "draft), published nowhere (GET /api/v1/cases/CASE/advisory). --revision N: the exact bytes\n"
                "of published revision N, checked against its recorded SHA-256. --revisions: the list.\n"
                "--type vex: the csaf_vex document instead of the csaf_security_advisory. --out FILE writes\n"
                "the document to a new file (admin, security-officer, auditor).\n",
        .run = case_advisory_run,
};

const struct cli_command cli_cmd_case_publish = {
        .name = "publish",
        .summary = "Publish a case's CSAF advisory as a new revision in the provider directory",
        .usage = "CASE --status interim|final [--summary TEXT] [--tlp WHITE|GREEN|AMBER|RED] "
                 "[--type security_advisory|vex] [--notify]",
        .help = "Renders the advisory with every earlier revision in its history, signs it (OpenPGP,\n"
                "detached), records the exact bytes with their SHA-256 and SHA-512, and rewrites the\n"
                "provider directory /.well-known/csaf/ (index.txt, changes.csv, provider-metadata.json).\n"
                "--summary says what changed (required from the second revision on). Only TLP:WHITE goes\n"
                "into the public directory (the default, or the previous revision's label); another label\n"
                "is recorded and signed for distribution by hand. A final advisory stays final\n"
                "(POST /api/v1/cases/CASE/publish; admin, security-officer; audited).\n"
                "--notify also sends the case's notification list of impacted owners through the\n"
                "[cases] webhook once the advisory is out (as 'cradle case notify-list --send';\n"
                "refused before publishing when no webhook is configured).\n",
        .run = case_publish_run,
};

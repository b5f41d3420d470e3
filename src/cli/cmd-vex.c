/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cradle vex import|export (issue 9): VEX documents (CycloneDX VEX, OpenVEX
 * 0.2, CSAF 2.0 VEX) in and out of a release's findings.
 */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/client.h"
#include "cli/cmd-common.h"
#include "cli/command.h"
#include "core/cleanup.h"
#include "core/strutil.h"

enum { OPT_RELEASE = CLI_OPT_LOCAL_BASE, OPT_FORMAT, OPT_OUT, OPT_FORCE };

/* The server refuses more; the CLI says so before sending. */
#define CLI_VEX_MAX (16u * 1024 * 1024)

static int vex_import_run(struct cli_ctx *ctx, int argc, char **argv) {
        static const struct option options[] = {
                CLI_GLOBAL_LONG_OPTIONS,
                { "release", required_argument, NULL, OPT_RELEASE },
                { 0 },
        };
        static const struct cli_field fields[] = {
                { "format", "format" },       { "statements", "statements" }, { "applied", "applied" },
                { "unchanged", "unchanged" }, { "unmatched", "unmatched" },
        };
        static const struct cli_field cols[] = {
                { "STATEMENT", "statement" }, { "VULNERABILITY", "vulnerability" }, { "REF", "ref" },
                { "PURL", "purl" },           { "WHY", "reason" },
        };
        const char *release = NULL;
        int c, r;
        while ((c = getopt_long(argc, argv, CLI_GLOBAL_SHORT_OPTIONS, options, NULL)) != -1) {
                switch (c) {
                case OPT_RELEASE: release = optarg; break;
                default:
                        if ((r = cli_option_common(ctx, c, argc, argv)) != CLI_CONTINUE)
                                return r;
                }
        }
        if ((r = cli_positional(ctx, argc, argv, 1, "FILE")) != CLI_CONTINUE)
                return r;
        int64_t v;
        if (release && str_to_int64(release, 1, INT64_MAX, &v) < 0)
                return cli_usage_error(ctx, "--release: '%s' is not a release id", release);
        const char *file = argv[optind];
        _cleanup_free_ char *text = NULL;
        size_t len = 0;
        if ((r = cli_read_file("FILE", file, CLI_VEX_MAX, &text, &len)) != CLI_EXIT_OK)
                return r;
        const char *base = strrchr(file, '/');
        struct buf q = {0};
        cli_query_add(&q, "release", release);
        cli_query_add(&q, "name", base ? base + 1 : file);
        _cleanup_free_ char *query = buf_steal(&q);
        _cleanup_free_ char *path = str_printf("/api/v1/vex%s", query ? query : "");
        struct cli_client *client;
        struct cli_raw_response raw = { 0 };
        if ((r = cli_ctx_client(ctx, &client)) != CLI_EXIT_OK ||
            (r = cli_client_request_raw(client, "POST", path, "application/json", text, len, "application/json",
                                        &raw)) != CLI_EXIT_OK)
                return r;
        if (raw.status != 200) {
                _cleanup_free_ char *why = cli_raw_response_reason(&raw);
                r = cli_error(raw.status >= 500 ? CLI_EXIT_SERVER : CLI_EXIT_REFUSED, "vex import %s: %s", file, why);
                cli_raw_response_clear(&raw);
                return r;
        }
        json_error_t jerr;
        _cleanup_json_ json_t *doc = json_loadb(raw.body ? raw.body : "", raw.len, 0, &jerr);
        cli_raw_response_clear(&raw);
        if ((r = cli_expect_object(doc, path)) != CLI_EXIT_OK)
                return r;
        if (ctx->flags.json)
                return cli_emit_json(doc);
        if ((r = cli_print_object(doc, fields, ELEMENTSOF(fields))) != CLI_EXIT_OK)
                return r;
        json_t *un = json_object_get(doc, "unmatched_statements");
        if (json_array_size(un)) {
                printf("\n");
                return cli_print_table(un, cols, ELEMENTSOF(cols));
        }
        return CLI_EXIT_OK;
}

static const struct cli_command vex_import = {
        .name = "import",
        .summary = "Apply a VEX document to the findings of a release",
        .usage = "FILE [--release ID]",
        .help = "Reads a CycloneDX VEX (1.4-1.6, JSON), OpenVEX 0.2 or CSAF 2.0 VEX document\n"
                "(the format is recognised) and sets the state of every finding a statement\n"
                "names: by any of the vulnerability's ids, and the component's bom-ref or purl.\n"
                "All or nothing: a statement the server refuses applies none. Each change is\n"
                "audited with a reason naming the file. Prints how many statements applied,\n"
                "were unchanged or matched no finding, and why each of the latter did not\n"
                "(POST /api/v1/vex; admin, security-officer). The mapping of the formats'\n"
                "vocabularies is in docs/vulnerabilities.md.\n\n"
                "Options:\n"
                "  --release ID   the release whose findings the document speaks of; without\n"
                "                 it, a component named by purl is looked up in every release,\n"
                "                 and one named only by bom-ref matches nothing\n",
        .run = vex_import_run,
};

static int vex_export_run(struct cli_ctx *ctx, int argc, char **argv) {
        static const struct option options[] = {
                CLI_GLOBAL_LONG_OPTIONS,
                { "format", required_argument, NULL, OPT_FORMAT },
                { "out", required_argument, NULL, OPT_OUT },
                { "force", no_argument, NULL, OPT_FORCE },
                { 0 },
        };
        const char *format = NULL, *out = NULL;
        bool force = false;
        int c, r;
        while ((c = getopt_long(argc, argv, CLI_GLOBAL_SHORT_OPTIONS, options, NULL)) != -1) {
                switch (c) {
                case OPT_FORMAT: format = optarg; break;
                case OPT_OUT: out = optarg; break;
                case OPT_FORCE: force = true; break;
                default:
                        if ((r = cli_option_common(ctx, c, argc, argv)) != CLI_CONTINUE)
                                return r;
                }
        }
        if ((r = cli_positional(ctx, argc, argv, 1, "RELEASE")) != CLI_CONTINUE ||
            (r = cli_require(ctx, format, "--format")) != CLI_CONTINUE)
                return r;
        int64_t id;
        if (str_to_int64(argv[optind], 1, INT64_MAX, &id) < 0)
                return cli_usage_error(ctx, "'%s' is not a release id", argv[optind]);
        if (!str_eq(format, "cyclonedx") && !str_eq(format, "openvex") && !str_eq(format, "csaf"))
                return cli_usage_error(ctx, "--format: '%s' is not cyclonedx, openvex or csaf", format);
        _cleanup_free_ char *path = str_printf("/api/v1/releases/%lld/vex?format=%s", (long long) id, format);
        struct cli_client *client;
        struct cli_raw_response raw = { 0 };
        if ((r = cli_ctx_client(ctx, &client)) != CLI_EXIT_OK ||
            (r = cli_client_request_raw(client, "GET", path, NULL, NULL, 0, "application/json", &raw)) != CLI_EXIT_OK)
                return r;
        if (raw.status != 200) {
                _cleanup_free_ char *why = cli_raw_response_reason(&raw);
                r = cli_error(raw.status >= 500 ? CLI_EXIT_SERVER : CLI_EXIT_REFUSED, "vex export %lld: %s",
                              (long long) id, why);
        } else if (out) {
                r = cli_write_file("--out", out, raw.body ? raw.body : "", raw.len, 0644, force);
        } else {
                fwrite(raw.body ? raw.body : "", 1, raw.len, stdout);
                r = CLI_EXIT_OK;
        }
        cli_raw_response_clear(&raw);
        return r;
}

static const struct cli_command vex_export = {
        .name = "export",
        .summary = "Write a release's findings as a VEX document",
        .usage = "RELEASE --format cyclonedx|openvex|csaf [--out FILE [--force]]",
        .help = "Renders the triage state of every finding of RELEASE (those whose match still\n"
                "holds) as CycloneDX 1.6 VEX, OpenVEX 0.2 or CSAF 2.0 VEX (category csaf_vex),\n"
                "to standard output or FILE. The same state gives the same bytes\n"
                "(GET /api/v1/releases/{id}/vex; admin, security-officer, auditor).\n\n"
                "Options:\n"
                "  --format F   cyclonedx, openvex or csaf\n"
                "  --out FILE   write FILE (refused if it exists, unless --force)\n"
                "  --force      replace FILE\n",
        .run = vex_export_run,
};

static const struct cli_command *const vex_subs[] = { &vex_import, &vex_export, NULL };

const struct cli_command cli_cmd_vex = {
        .name = "vex",
        .summary = "VEX documents: import into and export from a release's findings",
        .subs = vex_subs,
};

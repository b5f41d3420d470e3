/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cradle sbom: attach SBOMs to releases (parsed on the server), list a
 * release's documents, read a document's quality report, find components
 * across every release, export a release's SBOM(s) as CycloneDX 1.6.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/client.h"
#include "cli/cmd-common.h"
#include "cli/command.h"
#include "core/cleanup.h"
#include "core/strutil.h"

enum {
        OPT_MODULE = CLI_OPT_LOCAL_BASE,
        OPT_TYPE,
        OPT_SHA256,
        OPT_NAME,
        OPT_PURL,
        OPT_CPE,
        OPT_RELEASE,
        OPT_AFTER,
        OPT_LIMIT,
        OPT_OUTPUT,
        OPT_FORCE,
};

static int id_arg(struct cli_ctx *ctx, const char *arg, const char *what, int64_t *id) {
        if (str_to_int64(arg, 1, INT64_MAX, id) < 0)
                return cli_usage_error(ctx, "'%s' is not %s (a positive integer)", arg, what);
        return CLI_CONTINUE;
}

/* The media type of an SBOM file by its name; the server reads the content
 * too, so an unknown name is sent as application/octet-stream. */
static const char *media_type_of(const char *file) {
        if (strstr(file, ".tar.zst"))
                return "application/zstd";
        if (strstr(file, ".cdx.json") || strstr(file, ".bom.json"))
                return "application/vnd.cyclonedx+json";
        if (strstr(file, ".cdx.xml") || strstr(file, ".bom.xml"))
                return "application/vnd.cyclonedx+xml";
        if (strstr(file, ".spdx.json") || strstr(file, ".spdx3.json"))
                return "application/spdx+json";
        if (strstr(file, ".spdx"))
                return "text/spdx";
        return "application/octet-stream";
}

static const struct cli_field document_fields[] = {
        { "document", "sbom_document.document_id" }, { "module", "sbom_document.module" },
        { "format", "sbom_document.format" },        { "spec version", "sbom_document.spec_version" },
        { "components", "sbom_document.components" }, { "quality score", "sbom_document.quality_score" },
        { "replaced", "sbom_document.replaced_document_id" },
};

static int upload_run(struct cli_ctx *ctx, int argc, char **argv) {
        static const struct option options[] = {
                CLI_GLOBAL_LONG_OPTIONS,
                { "module", required_argument, NULL, OPT_MODULE },
                { "type", required_argument, NULL, OPT_TYPE },
                { 0 },
        };
        const char *module = NULL, *type = NULL;
        int c, r;
        while ((c = getopt_long(argc, argv, CLI_GLOBAL_SHORT_OPTIONS, options, NULL)) != -1) {
                switch (c) {
                case OPT_MODULE: module = optarg; break;
                case OPT_TYPE: type = optarg; break;
                default:
                        if ((r = cli_option_common(ctx, c, argc, argv)) != CLI_CONTINUE)
                                return r;
                }
        }
        int64_t id;
        if ((r = cli_positional(ctx, argc, argv, 2, "RELEASE-ID FILE")) != CLI_CONTINUE ||
            (r = id_arg(ctx, argv[optind], "a release id", &id)) != CLI_CONTINUE)
                return r;
        const char *file = argv[optind + 1];
        _cleanup_free_ char *esc = module ? cli_client_escape(module) : NULL;
        _cleanup_free_ char *path = esc ? str_printf("/api/v1/releases/%" PRId64 "/sbom?module=%s", id, esc)
                                        : str_printf("/api/v1/releases/%" PRId64 "/sbom", id);
        struct cli_client *client;
        _cleanup_json_ json_t *doc = NULL;
        if ((r = cli_ctx_client(ctx, &client)) != CLI_EXIT_OK ||
            (r = cli_client_upload(client, "PUT", path, file, type ? type : media_type_of(file), &doc)) !=
                    CLI_EXIT_OK ||
            (r = cli_expect_object(doc, path)) != CLI_EXIT_OK)
                return r;
        if (ctx->flags.json)
                return cli_emit_json(doc);
        return cli_print_object(doc, document_fields, ELEMENTSOF(document_fields));
}

static const struct cli_field attached_fields[] = {
        { "document", "id" },       { "release", "release" },     { "module", "module" },
        { "format", "format" },     { "spec version", "spec_version" }, { "components", "component_count" },
        { "quality score", "quality_score" }, { "sha256", "sha256" },
};

static int attach_run(struct cli_ctx *ctx, int argc, char **argv) {
        static const struct option options[] = {
                CLI_GLOBAL_LONG_OPTIONS,
                { "module", required_argument, NULL, OPT_MODULE },
                { "sha256", required_argument, NULL, OPT_SHA256 },
                { "type", required_argument, NULL, OPT_TYPE },
                { 0 },
        };
        const char *module = NULL, *sha = NULL, *type = NULL;
        int c, r;
        while ((c = getopt_long(argc, argv, CLI_GLOBAL_SHORT_OPTIONS, options, NULL)) != -1) {
                switch (c) {
                case OPT_MODULE: module = optarg; break;
                case OPT_SHA256: sha = optarg; break;
                case OPT_TYPE: type = optarg; break;
                default:
                        if ((r = cli_option_common(ctx, c, argc, argv)) != CLI_CONTINUE)
                                return r;
                }
        }
        int64_t id;
        if ((r = cli_positional(ctx, argc, argv, 1, "RELEASE-ID")) != CLI_CONTINUE ||
            (r = id_arg(ctx, argv[optind], "a release id", &id)) != CLI_CONTINUE)
                return r;
        _cleanup_json_ json_t *body = json_object();
        if (module)
                json_object_set_new(body, "module", json_string(module));
        if (sha)
                json_object_set_new(body, "sha256", json_string(sha));
        if (type)
                json_object_set_new(body, "media_type", json_string(type));
        _cleanup_free_ char *path = str_printf("/api/v1/releases/%" PRId64 "/sboms", id);
        return cli_send_show(ctx, "POST", path, body, attached_fields, ELEMENTSOF(attached_fields));
}

static int show_run(struct cli_ctx *ctx, int argc, char **argv) {
        static const struct cli_field cols[] = {
                { "ID", "id" },         { "MODULE", "module" },         { "FORMAT", "format" },
                { "SPEC", "spec_version" }, { "COMPONENTS", "component_count" }, { "SCORE", "quality_score" },
                { "TOOL", "tool" },     { "NAME", "name" },
        };
        int r;
        int64_t id;
        if ((r = cli_parse_positional_only(ctx, argc, argv, 1, "RELEASE-ID")) != CLI_CONTINUE ||
            (r = id_arg(ctx, argv[optind], "a release id", &id)) != CLI_CONTINUE)
                return r;
        _cleanup_free_ char *path = str_printf("/api/v1/releases/%" PRId64 "/sboms", id);
        return cli_send_list(ctx, path, cols, ELEMENTSOF(cols));
}

static int quality_run(struct cli_ctx *ctx, int argc, char **argv) {
        int r;
        int64_t id;
        if ((r = cli_parse_positional_only(ctx, argc, argv, 1, "SBOM-ID")) != CLI_CONTINUE ||
            (r = id_arg(ctx, argv[optind], "an SBOM document id ('cradle sbom show RELEASE-ID' lists them)", &id)) !=
                    CLI_CONTINUE)
                return r;
        _cleanup_free_ char *path = str_printf("/api/v1/sboms/%" PRId64 "/quality", id);
        struct cli_client *client;
        _cleanup_json_ json_t *doc = NULL;
        if ((r = cli_ctx_client(ctx, &client)) != CLI_EXIT_OK ||
            (r = cli_client_request(client, "GET", path, NULL, &doc)) != CLI_EXIT_OK ||
            (r = cli_expect_object(doc, path)) != CLI_EXIT_OK)
                return r;
        if (ctx->flags.json)
                return cli_emit_json(doc);
        printf("score: %lld/100 (%s)\ncomponents: %lld, matchable: %lld, unmatchable: %lld\n\n",
               (long long) json_integer_value(json_object_get(doc, "score")),
               json_string_value(json_object_get(doc, "standard")),
               (long long) json_integer_value(json_object_get(doc, "components")),
               (long long) json_integer_value(json_object_get(doc, "matchable")),
               (long long) json_integer_value(json_object_get(doc, "unmatchable")));
        static const struct cli_field cols[] = {
                { "CHECK", "id" }, { "PASSED", "passed" }, { "FAILED", "failed" }, { "WEIGHT", "weight" },
        };
        if ((r = cli_print_table(json_object_get(doc, "checks"), cols, ELEMENTSOF(cols))) != CLI_EXIT_OK)
                return r;
        size_t i;
        json_t *a;
        json_t *actions = json_object_get(doc, "actions");
        if (json_array_size(actions))
                printf("\nto do:\n");
        json_array_foreach(actions, i, a) {
                printf("- %s", json_string_value(json_object_get(a, "message")));
                json_t *ex = json_object_get(a, "examples");
                size_t k;
                json_t *e;
                json_array_foreach(ex, k, e) printf("%s%s", k ? ", " : " (e.g. ", json_string_value(e));
                printf("%s\n", json_array_size(ex) ? ")" : "");
        }
        return CLI_EXIT_OK;
}

static int components_run(struct cli_ctx *ctx, int argc, char **argv) {
        static const struct option options[] = {
                CLI_GLOBAL_LONG_OPTIONS,
                { "name", required_argument, NULL, OPT_NAME },
                { "purl", required_argument, NULL, OPT_PURL },
                { "cpe", required_argument, NULL, OPT_CPE },
                { "release", required_argument, NULL, OPT_RELEASE },
                { "after", required_argument, NULL, OPT_AFTER },
                { "limit", required_argument, NULL, OPT_LIMIT },
                { 0 },
        };
        static const struct cli_field cols[] = {
                { "ID", "id" },          { "PRODUCT", "product" }, { "RELEASE", "release" }, { "MODULE", "module" },
                { "NAME", "name" },      { "VERSION", "version" }, { "SUPPLIER", "supplier" },
                { "PURL", "purl" }, { "CPE", "cpe" }, { "TOP", "top_level" },
        };
        const char *keys[] = { "name", "purl", "cpe", "release", "limit" };
        const char *values[ELEMENTSOF(keys)] = { 0 };
        int64_t after = -1;
        int c, r;
        while ((c = getopt_long(argc, argv, CLI_GLOBAL_SHORT_OPTIONS, options, NULL)) != -1) {
                switch (c) {
                case OPT_NAME: values[0] = optarg; break;
                case OPT_PURL: values[1] = optarg; break;
                case OPT_CPE: values[2] = optarg; break;
                case OPT_RELEASE: values[3] = optarg; break;
                case OPT_LIMIT: values[4] = optarg; break;
                case OPT_AFTER:
                        if (str_to_int64(optarg, 0, INT64_MAX, &after) < 0)
                                return cli_usage_error(ctx, "--after: '%s' is not a component id", optarg);
                        break;
                default:
                        if ((r = cli_option_common(ctx, c, argc, argv)) != CLI_CONTINUE)
                                return r;
                }
        }
        int left = argc - optind;
        int64_t doc = 0;
        if (left > 1)
                return cli_positional(ctx, argc, argv, 1, "[SBOM-ID]");
        if (left == 1) {
                if ((r = id_arg(ctx, argv[optind], "an SBOM document id", &doc)) != CLI_CONTINUE)
                        return r;
                for (size_t i = 0; i < 4; i++)
                        if (values[i])
                                return cli_usage_error(ctx, "--%s searches all releases; give no SBOM-ID with it",
                                                       keys[i]);
        }
        struct buf q = { 0 };
        for (size_t i = 0; i < ELEMENTSOF(keys); i++) {
                if (!values[i])
                        continue;
                _cleanup_free_ char *v = cli_client_escape(values[i]);
                buf_appendf(&q, "%c%s=%s", q.len ? '&' : '?', keys[i], v);
        }
        _cleanup_free_ char *query = buf_steal(&q);
        _cleanup_free_ char *path = doc ? str_printf("/api/v1/sboms/%" PRId64 "/components%s", doc, query)
                                        : str_printf("/api/v1/components%s", query);
        /* --limit or --after: the one page asked for; else every page. */
        bool one_page = values[4] || after >= 0;
        return cli_send_list_paged(ctx, path, &cli_cursor_after_id, after, one_page, cols, ELEMENTSOF(cols));
}

static int export_run(struct cli_ctx *ctx, int argc, char **argv) {
        static const struct option options[] = {
                CLI_GLOBAL_LONG_OPTIONS,
                { "output", required_argument, NULL, OPT_OUTPUT },
                { "force", no_argument, NULL, OPT_FORCE },
                { 0 },
        };
        const char *output = NULL;
        bool force = false;
        int c, r;
        while ((c = getopt_long(argc, argv, CLI_GLOBAL_SHORT_OPTIONS, options, NULL)) != -1) {
                switch (c) {
                case OPT_OUTPUT: output = optarg; break;
                case OPT_FORCE: force = true; break;
                default:
                        if ((r = cli_option_common(ctx, c, argc, argv)) != CLI_CONTINUE)
                                return r;
                }
        }
        int64_t id;
        if ((r = cli_positional(ctx, argc, argv, 1, "RELEASE-ID")) != CLI_CONTINUE ||
            (r = id_arg(ctx, argv[optind], "a release id", &id)) != CLI_CONTINUE)
                return r;
        _cleanup_free_ char *path = str_printf("/api/v1/releases/%" PRId64 "/sbom/export", id);
        struct cli_client *client;
        _cleanup_json_ json_t *doc = NULL;
        if ((r = cli_ctx_client(ctx, &client)) != CLI_EXIT_OK ||
            (r = cli_client_request(client, "GET", path, NULL, &doc)) != CLI_EXIT_OK ||
            (r = cli_expect_object(doc, path)) != CLI_EXIT_OK)
                return r;
        if (!output)
                return cli_emit_json(doc);
        _cleanup_free_ char *text = json_dumps(doc, JSON_INDENT(2));
        size_t n = strlen(text);
        text = xrealloc(text, n + 2);
        text[n] = '\n';
        text[n + 1] = 0;
        return cli_write_file("--output", output, text, n + 1, 0644, force);
}

static const struct cli_command sbom_upload = {
        .name = "upload",
        .summary = "Attach an SBOM file to a release (parsed on the server)",
        .usage = "RELEASE-ID FILE [--module NAME] [--type MEDIA-TYPE]",
        .help = "Uploads FILE as the release's SBOM (PUT /api/v1/releases/ID/sbom; admin,\n"
                "release-manager). The server keeps the file unchanged and parses it:\n"
                "CycloneDX 1.4-1.6 JSON or XML, SPDX 2.2/2.3 JSON or tag-value, SPDX 3.0.1\n"
                "JSON-LD, or Yocto's .spdx.tar.zst. A file it cannot parse is refused with\n"
                "the place and the fault, and nothing is stored.\n\n"
                "Options:\n"
                "  --module NAME     the module this SBOM describes (several per release);\n"
                "                    without it, the release's own SBOM (until published)\n"
                "  --type TYPE       the media type (default: from the file name)\n",
        .run = upload_run,
};

static const struct cli_command sbom_attach = {
        .name = "attach",
        .summary = "Parse a file already stored and attach it as an SBOM",
        .usage = "RELEASE-ID [--sha256 HEX] [--module NAME] [--type MEDIA-TYPE]",
        .help = "Parses a stored file and attaches it to the release (POST\n"
                "/api/v1/releases/ID/sboms; admin, release-manager): by default the\n"
                "release's own SBOM file, e.g. one uploaded before SBOMs were parsed.\n\n"
                "Options:\n"
                "  --sha256 HEX      the stored file (default: the release's SBOM file)\n"
                "  --module NAME     the module it describes (default: the whole release)\n"
                "  --type TYPE       its media type (default: as uploaded, else the content)\n",
        .run = attach_run,
};

static const struct cli_command sbom_show = {
        .name = "show",
        .summary = "List a release's SBOM documents",
        .usage = "RELEASE-ID",
        .help = "Lists the release's parsed SBOMs, one per module, with format, component\n"
                "count and quality score (GET /api/v1/releases/ID/sboms; admin,\n"
                "release-manager, security-officer, auditor).\n",
        .run = show_run,
};

static const struct cli_command sbom_quality = {
        .name = "quality",
        .summary = "Show an SBOM's quality report",
        .usage = "SBOM-ID",
        .help = "Shows the quality report of an SBOM document against BSI TR-03183-2\n"
                "v2.1.0 and the CRA minimum: the score (0-100), each check, and what to\n"
                "fix (GET /api/v1/sboms/ID/quality; admin, release-manager,\n"
                "security-officer, auditor).\n",
        .run = quality_run,
};

static const struct cli_command sbom_components = {
        .name = "components",
        .summary = "List an SBOM's components, or find components in all releases",
        .usage = "[SBOM-ID] [--name NAME] [--purl PURL] [--cpe CPE] [--release ID] [--after ID] [--limit N]",
        .help = "With SBOM-ID, lists that document's components (GET\n"
                "/api/v1/sboms/ID/components); without, finds components across every\n"
                "release and product (GET /api/v1/components). Admin, release-manager,\n"
                "security-officer, auditor.\n\n"
                "Options:\n"
                "  --name NAME       components with this name\n"
                "  --purl PURL       with this purl, or any version of its package\n"
                "  --cpe CPE         with this CPE, or any with its vendor and product\n"
                "  --release ID      only this release's\n"
                "  --after ID        continue after this component id (one page)\n"
                "  --limit N         at most N per page (one page)\n",
        .run = components_run,
};

static const struct cli_command sbom_export = {
        .name = "export",
        .summary = "Export a release's SBOM(s) as one CycloneDX 1.6 JSON",
        .usage = "RELEASE-ID [--output FILE [--force]]",
        .help = "Merges every parsed SBOM of the release into one CycloneDX 1.6 JSON BOM\n"
                "(GET /api/v1/releases/ID/sbom/export; admin, release-manager,\n"
                "security-officer, auditor) and prints it, or writes it to FILE.\n\n"
                "Options:\n"
                "  --output FILE     write to FILE instead of stdout\n"
                "  --force           overwrite FILE\n",
        .run = export_run,
};

static const struct cli_command *const sbom_subs[] = {
        &sbom_upload, &sbom_attach, &sbom_show, &sbom_quality, &sbom_components, &sbom_export, NULL,
};

const struct cli_command cli_cmd_sbom = {
        .name = "sbom",
        .summary = "Attach, inspect and export SBOMs",
        .subs = sbom_subs,
};

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cradle case report|submitted: ENISA SRP report packages and their
 * submission records (issue 10 section 3; docs/reporting.md "SRP report
 * packages"). The server builds and validates; the CLI reads --fields and
 * prints the Markdown (default) or the JSON package.
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
#include "core/time.h"

enum { OPT_STAGE = CLI_OPT_LOCAL_BASE, OPT_GLOSSARY, OPT_FIELDS, OPT_MARKDOWN, OPT_SRP_REF, OPT_AT,
       OPT_SAVE_DRAFT, OPT_DISCARD_DRAFT };

#define CASE_REPORT_FIELDS_MAX (256 * 1024)

static int fields_arg(struct cli_ctx *ctx, const char *path, json_t *body) {
        _cleanup_free_ char *text = NULL;
        size_t len;
        int r = cli_read_file("fields", path, CASE_REPORT_FIELDS_MAX, &text, &len);
        if (r != CLI_EXIT_OK)
                return r;
        json_error_t je;
        json_t *f = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
        if (!json_is_object(f)) {
                json_decref(f);
                return cli_usage_error(ctx, "option '--fields': %s is not a JSON object of field -> value (%s)", path,
                                       je.text);
        }
        json_object_set_new(body, "fields", f);
        return CLI_CONTINUE;
}

/* draft (report only; NULL for submitted): 1 = --save-draft, 2 = --discard-draft. */
static int parse(struct cli_ctx *ctx, int argc, char **argv, bool submit, json_t *body, bool *markdown, int *draft) {
        static const struct option options[] = {
                CLI_GLOBAL_LONG_OPTIONS,
                { "stage", required_argument, NULL, OPT_STAGE },
                { "glossary", required_argument, NULL, OPT_GLOSSARY },
                { "fields", required_argument, NULL, OPT_FIELDS },
                { "markdown", no_argument, NULL, OPT_MARKDOWN },
                { "srp-ref", required_argument, NULL, OPT_SRP_REF },
                { "at", required_argument, NULL, OPT_AT },
                { "save-draft", no_argument, NULL, OPT_SAVE_DRAFT },
                { "discard-draft", no_argument, NULL, OPT_DISCARD_DRAFT },
                { 0 },
        };
        int c, r;
        while ((c = getopt_long(argc, argv, CLI_GLOBAL_SHORT_OPTIONS, options, NULL)) != -1) {
                switch (c) {
                case OPT_STAGE: json_object_set_new(body, "stage", json_string(optarg)); break;
                case OPT_GLOSSARY: json_object_set_new(body, "glossary", json_string(optarg)); break;
                case OPT_FIELDS:
                        if ((r = fields_arg(ctx, optarg, body)) != CLI_CONTINUE)
                                return r;
                        break;
                case OPT_MARKDOWN: *markdown = true; break;
                case OPT_SAVE_DRAFT:
                case OPT_DISCARD_DRAFT:
                        if (!draft)
                                return cli_usage_error(ctx, "--save-draft and --discard-draft belong to 'cradle case report'");
                        if (*draft)
                                return cli_usage_error(ctx, "give --save-draft or --discard-draft, not both");
                        *draft = c == OPT_SAVE_DRAFT ? 1 : 2;
                        break;
                case OPT_SRP_REF:
                        if (!submit)
                                return cli_usage_error(ctx, "--srp-ref belongs to 'cradle case submitted'");
                        json_object_set_new(body, "srp_ref", json_string(optarg));
                        break;
                case OPT_AT: {
                        struct error err = { 0 };
                        int64_t t;
                        if (!submit)
                                return cli_usage_error(ctx, "--at belongs to 'cradle case submitted'");
                        if (time_parse_rfc3339(optarg, &t, &err) < 0)
                                return cli_usage_error(ctx, "option '--at': '%s' is not an RFC 3339 time", optarg);
                        json_object_set_new(body, "at", json_string(optarg));
                        break;
                }
                default:
                        if ((r = cli_option_common(ctx, c, argc, argv)) != CLI_CONTINUE)
                                return r;
                }
        }
        if ((r = cli_positional(ctx, argc, argv, 1, "CASE")) != CLI_CONTINUE)
                return r;
        if (!json_object_get(body, "stage"))
                return cli_usage_error(ctx, "--stage is required (early-warning, notification, intermediate, final)");
        if (submit && !json_object_get(body, "srp_ref"))
                return cli_usage_error(ctx, "--srp-ref is required (the reference the SRP gave the report)");
        if (draft && *draft == 1 && !json_object_get(body, "fields"))
                return cli_usage_error(ctx, "--save-draft saves the --fields FILE given with it");
        if (draft && *draft == 2 && json_object_get(body, "fields"))
                return cli_usage_error(ctx, "--discard-draft takes no --fields");
        return CLI_CONTINUE;
}

static int request(struct cli_ctx *ctx, const char *method, const char *ref, const char *tail, json_t *body,
                   json_t **doc) {
        struct cli_client *client;
        _cleanup_free_ char *esc = cli_client_escape(ref);
        _cleanup_free_ char *path = str_printf("/api/v1/cases/%s/%s", esc, tail);
        _cleanup_free_ char *what = str_printf("%s %s", method, path);
        int r;
        if ((r = cli_ctx_client(ctx, &client)) != CLI_EXIT_OK ||
            (r = cli_client_request(client, method, path, body, doc)) != CLI_EXIT_OK ||
            (r = cli_expect_object(*doc, what)) != CLI_EXIT_OK)
                return r;
        return CLI_EXIT_OK;
}

static int case_report_run(struct cli_ctx *ctx, int argc, char **argv) {
        _cleanup_json_ json_t *body = json_object(), *doc = NULL;
        bool markdown = false;
        int draft = 0;
        int r = parse(ctx, argc, argv, false, body, &markdown, &draft);
        if (r != CLI_CONTINUE)
                return r;
        if (draft) {
                /* The draft is saved (or removed) first; the report then
                 * reads it from the case, as every later one will. */
                _cleanup_json_ json_t *d = json_pack("{s:O, s:O}", "stage", json_object_get(body, "stage"), "fields",
                                                     draft == 1 ? json_object_get(body, "fields") : json_null());
                _cleanup_json_ json_t *saved = NULL;
                if (json_object_get(body, "glossary"))
                        json_object_set(d, "glossary", json_object_get(body, "glossary"));
                if ((r = request(ctx, "PUT", argv[optind], "report-draft", d, &saved)) != CLI_EXIT_OK)
                        return r;
                json_object_del(body, "fields");
                fprintf(stderr, "cradle: %s draft %s\n", json_string_value(json_object_get(body, "stage")),
                        draft == 1 ? "saved with the case" : "removed");
        }
        if ((r = request(ctx, "POST", argv[optind], "report", body, &doc)) != CLI_EXIT_OK)
                return r;
        json_t *missing = json_object_get(doc, "missing");
        if (json_array_size(missing)) {
                fprintf(stderr, "cradle: missing required fields:");
                size_t i;
                json_t *m;
                json_array_foreach(missing, i, m) fprintf(stderr, " %s", json_string_value(m));
                fprintf(stderr, "\n");
        }
        if (ctx->flags.json && !markdown)
                return cli_emit_json(doc);
        fputs(json_string_value(json_object_get(doc, "markdown")), stdout);
        return CLI_EXIT_OK;
}

static const struct cli_field sub_cols[] = {
        { "ID", "id" }, { "STAGE", "stage" }, { "SRP REF", "srp_ref" }, { "SUBMITTED", "submitted_at" },
        { "BY", "submitted_by" }, { "DUE", "due_at" }, { "LATE BY", "late_by" }, { "SHA-256", "content_sha256" },
};

static int case_submitted_run(struct cli_ctx *ctx, int argc, char **argv) {
        _cleanup_json_ json_t *body = json_object(), *doc = NULL;
        bool markdown = false;
        int r = parse(ctx, argc, argv, true, body, &markdown, NULL);
        if (r != CLI_CONTINUE)
                return r;
        if ((r = request(ctx, "POST", argv[optind], "submissions", body, &doc)) != CLI_EXIT_OK)
                return r;
        if (ctx->flags.json)
                return cli_emit_json(doc);
        return cli_print_table(json_object_get(doc, "items"), sub_cols, ELEMENTSOF(sub_cols));
}

const struct cli_command cli_cmd_case_report = {
        .name = "report",
        .summary = "Produce an ENISA SRP report package",
        .usage = "CASE --stage early-warning|notification|intermediate|final [--glossary v1.1|v1.3] [--fields FILE] "
                 "[--save-draft|--discard-draft] [--json|--markdown]",
        .help = "Builds the stage's package from what Cradle holds (product, Member States, releases, fleet\n"
                "exposure, the fixing release), earlier submissions and --fields (a JSON object of glossary\n"
                "field -> value). Prints Markdown in the platform's order (default) or the JSON package\n"
                "(--json); names every missing required field on stderr. Over-long values are refused\n"
                "(POST /api/v1/cases/CASE/report; admin, security-officer, auditor).\n\n"
                "The stage's draft saved with the case applies before --fields: --save-draft saves\n"
                "--fields as the draft (PUT /api/v1/cases/CASE/report-draft; admin, security-officer;\n"
                "audited), so later reports and 'case submitted' need no --fields; --discard-draft\n"
                "removes it.\n",
        .run = case_report_run,
};

const struct cli_command cli_cmd_case_submitted = {
        .name = "submitted",
        .summary = "Record a report submitted to the SRP (evidence, never edited)",
        .usage = "CASE --stage STAGE --srp-ref REF [--at TIME] [--fields FILE] [--glossary v1.1|v1.3]",
        .help = "Records who submitted, when (--at, default now), the SRP reference and the exact package\n"
                "with its SHA-256, the stage's due time and lateness. Incomplete packages are refused.\n"
                "A correction is a new record (POST /api/v1/cases/CASE/submissions; admin, security-officer).\n",
        .run = case_submitted_run,
};

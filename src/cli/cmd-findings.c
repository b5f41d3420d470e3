/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cradle findings list|show|set|match, and cradle vuln explain (issue 9):
 * the findings of the vulnerability matcher and their triage.
 */
#include <stdio.h>

#include "cli/cli.h"
#include "cli/client.h"
#include "cli/cmd-common.h"
#include "cli/command.h"
#include "core/cleanup.h"
#include "core/strutil.h"

enum {
        OPT_NEW = CLI_OPT_LOCAL_BASE, OPT_GONE, OPT_RELEASE, OPT_VULN, OPT_STATE, OPT_AFTER, OPT_LIMIT,
        OPT_JUSTIFICATION, OPT_ACTION, OPT_REASON,
};

static const struct cli_field finding_cols[] = {
        { "ID", "id" },
        { "PRODUCT", "release.product" },
        { "RELEASE", "release.version" },
        { "COMPONENT", "component.name" },
        { "VERSION", "component.version" },
        { "VULNERABILITY", "vulnerability.id" },
        { "SEVERITY", "vulnerability.severity" },
        { "BY", "confidence" },
        { "STATE", "state" },
};

static const struct cli_field finding_fields[] = {
        { "id", "id" },
        { "product", "release.product" },
        { "release", "release.version" },
        { "release id", "release.id" },
        { "component", "component.name" },
        { "component version", "component.version" },
        { "component id", "component.id" },
        { "vulnerability", "vulnerability.id" },
        { "severity", "vulnerability.severity" },
        { "exploited since", "vulnerability.exploited_at" },
        { "matched by", "confidence" },
        { "state", "state" },
        { "justification", "justification" },
        { "action statement", "action_statement" },
        { "reason", "reason" },
        { "set by", "state_by" },
        { "set at", "state_at" },
        { "carried from", "carried_from" },
        { "first seen", "first_seen_at" },
        { "last matched", "last_matched_at" },
        { "gone since", "gone_at" },
};

static void query_add(struct buf *q, const char *key, const char *value) {
        if (!value)
                return;
        _cleanup_free_ char *v = cli_client_escape(value);
        buf_appendf(q, "%c%s=%s", q->len ? '&' : '?', key, v);
}

static int findings_list_run(struct cli_ctx *ctx, int argc, char **argv) {
        static const struct option options[] = {
                CLI_GLOBAL_LONG_OPTIONS,
                { "new", no_argument, NULL, OPT_NEW },
                { "gone", no_argument, NULL, OPT_GONE },
                { "release", required_argument, NULL, OPT_RELEASE },
                { "vuln", required_argument, NULL, OPT_VULN },
                { "state", required_argument, NULL, OPT_STATE },
                { "after", required_argument, NULL, OPT_AFTER },
                { "limit", required_argument, NULL, OPT_LIMIT },
                { 0 },
        };
        const char *release = NULL, *vuln = NULL, *state = NULL, *after = NULL, *limit = NULL;
        bool only_new = false, gone = false;
        int c, r;
        while ((c = getopt_long(argc, argv, CLI_GLOBAL_SHORT_OPTIONS, options, NULL)) != -1) {
                switch (c) {
                case OPT_NEW: only_new = true; break;
                case OPT_GONE: gone = true; break;
                case OPT_RELEASE: release = optarg; break;
                case OPT_VULN: vuln = optarg; break;
                case OPT_STATE: state = optarg; break;
                case OPT_AFTER: after = optarg; break;
                case OPT_LIMIT: limit = optarg; break;
                default:
                        if ((r = cli_option_common(ctx, c, argc, argv)) != CLI_CONTINUE)
                                return r;
                }
        }
        if ((r = cli_positional(ctx, argc, argv, 0, "")) != CLI_CONTINUE)
                return r;
        int64_t v, start = -1;
        if (release && str_to_int64(release, 1, INT64_MAX, &v) < 0)
                return cli_usage_error(ctx, "--release: '%s' is not a release id", release);
        if (limit && str_to_int64(limit, 1, 1000, &v) < 0)
                return cli_usage_error(ctx, "--limit: '%s' is not a number from 1 to 1000", limit);
        if (after && str_to_int64(after, 0, INT64_MAX, &start) < 0)
                return cli_usage_error(ctx, "--after: '%s' is not a finding id", after);
        struct buf q = {0};
        query_add(&q, "new", only_new ? "true" : NULL);
        query_add(&q, "gone", gone ? "true" : NULL);
        query_add(&q, "release", release);
        query_add(&q, "vuln", vuln);
        query_add(&q, "state", state);
        query_add(&q, "limit", limit);
        _cleanup_free_ char *query = buf_steal(&q);
        _cleanup_free_ char *path = str_printf("/api/v1/findings%s", query ? query : "");
        return cli_send_list_paged(ctx, path, &cli_cursor_after_id, start, limit || after, finding_cols,
                                   ELEMENTSOF(finding_cols));
}

static int finding_id_arg(struct cli_ctx *ctx, const char *s, int64_t *id) {
        if (str_to_int64(s, 1, INT64_MAX, id) < 0)
                return cli_usage_error(ctx, "'%s' is not a finding id", s);
        return CLI_CONTINUE;
}

static int findings_show_run(struct cli_ctx *ctx, int argc, char **argv) {
        int r;
        int64_t id;
        if ((r = cli_parse_positional_only(ctx, argc, argv, 1, "FINDING-ID")) != CLI_CONTINUE ||
            (r = finding_id_arg(ctx, argv[optind], &id)) != CLI_CONTINUE)
                return r;
        _cleanup_free_ char *path = str_printf("/api/v1/findings/%lld", (long long) id);
        return cli_send_show(ctx, "GET", path, NULL, finding_fields, ELEMENTSOF(finding_fields));
}

static int findings_set_run(struct cli_ctx *ctx, int argc, char **argv) {
        static const struct option options[] = {
                CLI_GLOBAL_LONG_OPTIONS,
                { "state", required_argument, NULL, OPT_STATE },
                { "justification", required_argument, NULL, OPT_JUSTIFICATION },
                { "action", required_argument, NULL, OPT_ACTION },
                { "reason", required_argument, NULL, OPT_REASON },
                { 0 },
        };
        const char *state = NULL, *just = NULL, *action = NULL, *reason = NULL;
        int c, r;
        while ((c = getopt_long(argc, argv, CLI_GLOBAL_SHORT_OPTIONS, options, NULL)) != -1) {
                switch (c) {
                case OPT_STATE: state = optarg; break;
                case OPT_JUSTIFICATION: just = optarg; break;
                case OPT_ACTION: action = optarg; break;
                case OPT_REASON: reason = optarg; break;
                default:
                        if ((r = cli_option_common(ctx, c, argc, argv)) != CLI_CONTINUE)
                                return r;
                }
        }
        int64_t id;
        if ((r = cli_positional(ctx, argc, argv, 1, "FINDING-ID")) != CLI_CONTINUE ||
            (r = finding_id_arg(ctx, argv[optind], &id)) != CLI_CONTINUE ||
            (r = cli_require(ctx, state, "--state")) != CLI_CONTINUE ||
            (r = cli_require(ctx, reason, "--reason")) != CLI_CONTINUE)
                return r;
        _cleanup_json_ json_t *body = json_pack("{s:s, s:s}", "state", state, "reason", reason);
        if (body && just && json_object_set_new(body, "justification", json_string(just)) < 0)
                body = (json_decref(body), NULL);
        if (body && action && json_object_set_new(body, "action_statement", json_string(action)) < 0)
                body = (json_decref(body), NULL);
        if (!body)
                return cli_usage_error(ctx, "--state, --reason, --justification and --action must be valid UTF-8");
        _cleanup_free_ char *path = str_printf("/api/v1/findings/%lld/state", (long long) id);
        return cli_send_show(ctx, "POST", path, body, finding_fields, ELEMENTSOF(finding_fields));
}

static int findings_match_run(struct cli_ctx *ctx, int argc, char **argv) {
        static const struct cli_field fields[] = {
                { "documents", "documents" }, { "vulnerabilities", "vulnerabilities" }, { "new", "created" },
                { "matched again", "rematched" }, { "gone", "gone" }, { "carried", "carried" },
                { "events", "events" }, { "exploited events", "exploited_events" },
        };
        int r = cli_parse_positional_only(ctx, argc, argv, 0, "");
        if (r != CLI_CONTINUE)
                return r;
        return cli_send_show(ctx, "POST", "/api/v1/findings/match", NULL, fields, ELEMENTSOF(fields));
}

static const struct cli_command findings_list = {
        .name = "list",
        .summary = "List findings (release, component, vulnerability)",
        .usage = "[--new] [--release ID] [--vuln ID] [--state STATE] [--gone] [--after ID] [--limit N]",
        .help = "Lists findings, every page (GET /api/v1/findings; admin, release-manager,\n"
                "security-officer, auditor). Findings whose match no longer holds are left\n"
                "out unless --gone.\n\n"
                "Options:\n"
                "  --new             only untriaged ones: in_triage and never set by anyone\n"
                "  --release ID      only this release's\n"
                "  --vuln ID         only this vulnerability's (CVE, GHSA, OSV or EUVD id)\n"
                "  --state STATE     in_triage, affected, not_affected, fixed or false_positive\n"
                "  --gone            also findings whose match no longer holds\n"
                "  --after ID        start after this finding id (one page)\n"
                "  --limit N         one page of N (1..1000)\n",
        .run = findings_list_run,
};

static const struct cli_command findings_show = {
        .name = "show",
        .summary = "One finding with its match explanation",
        .usage = "FINDING-ID",
        .help = "Shows a finding; with --json, the explanation of its match too (which\n"
                "record, identifier, range and version comparisons decided it).\n",
        .run = findings_show_run,
};

static const struct cli_command findings_set = {
        .name = "set",
        .summary = "Triage a finding (security-officer)",
        .usage = "FINDING-ID --state STATE --reason TEXT [--justification J] [--action TEXT]",
        .help = "Sets a finding's state, audited with you and the reason\n"
                "(POST /api/v1/findings/{id}/state; admin, security-officer).\n\n"
                "Options:\n"
                "  --state STATE         in_triage, affected, not_affected, fixed or false_positive\n"
                "  --reason TEXT         why (required)\n"
                "  --justification J     required for not_affected: component_not_present,\n"
                "                        code_not_present, code_not_reachable,\n"
                "                        requires_configuration, requires_dependency,\n"
                "                        requires_environment, protected_by_compiler,\n"
                "                        protected_at_runtime, protected_at_perimeter,\n"
                "                        protected_by_mitigating_control,\n"
                "                        cannot_be_controlled_by_adversary,\n"
                "                        inline_mitigations_exist\n"
                "  --action TEXT         required for affected: what users must do\n",
        .run = findings_set_run,
};

static const struct cli_command findings_match = {
        .name = "match",
        .summary = "Match queued SBOMs and vulnerabilities now",
        .usage = "",
        .help = "Drains the match queues now rather than at the monitor's next round\n"
                "([vulns] match_interval) and prints what changed\n"
                "(POST /api/v1/findings/match; admin, security-officer).\n",
        .run = findings_match_run,
};

static const struct cli_command *const findings_subs[] = {
        &findings_list, &findings_show, &findings_set, &findings_match, NULL,
};

const struct cli_command cli_cmd_findings = {
        .name = "findings",
        .summary = "Vulnerability findings and their triage",
        .subs = findings_subs,
};

/* ---- cradle vuln explain ---- */

static int vuln_explain_run(struct cli_ctx *ctx, int argc, char **argv) {
        static const struct option options[] = {
                CLI_GLOBAL_LONG_OPTIONS,
                { "release", required_argument, NULL, OPT_RELEASE },
                { 0 },
        };
        static const struct cli_field fields[] = {
                { "component", "component.name" }, { "version", "component.version" },
                { "component id", "component.id" }, { "vulnerability", "vulnerability" },
                { "matched", "matched" },           { "matched by", "confidence" },
        };
        static const struct cli_field cols[] = {
                { "SOURCE", "source" }, { "RECORD", "record" }, { "KIND", "kind" },
                { "RESULT", "result" }, { "WITHDRAWN", "withdrawn" }, { "WHY", "explanation.reason" },
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
        if ((r = cli_positional(ctx, argc, argv, 2, "COMPONENT VULN")) != CLI_CONTINUE)
                return r;
        int64_t v;
        if (release && str_to_int64(release, 1, INT64_MAX, &v) < 0)
                return cli_usage_error(ctx, "--release: '%s' is not a release id", release);
        struct buf q = {0};
        query_add(&q, "component", argv[optind]);
        query_add(&q, "release", release);
        _cleanup_free_ char *query = buf_steal(&q);
        _cleanup_free_ char *vuln = cli_client_escape(argv[optind + 1]);
        _cleanup_free_ char *path = str_printf("/api/v1/vulns/%s/explain%s", vuln, query);
        struct cli_client *client;
        _cleanup_json_ json_t *doc = NULL;
        if ((r = cli_ctx_client(ctx, &client)) != CLI_EXIT_OK ||
            (r = cli_client_request(client, "GET", path, NULL, &doc)) != CLI_EXIT_OK ||
            (r = cli_expect_object(doc, path)) != CLI_EXIT_OK)
                return r;
        if (ctx->flags.json)
                return cli_emit_json(doc);
        if ((r = cli_print_object(doc, fields, ELEMENTSOF(fields))) != CLI_EXIT_OK)
                return r;
        printf("\n");
        return cli_print_table(json_object_get(doc, "entries"), cols, ELEMENTSOF(cols));
}

const struct cli_command cli_cmd_vuln_explain = {
        .name = "explain",
        .summary = "Why a component does or does not match a vulnerability",
        .usage = "COMPONENT VULN [--release ID]",
        .help = "Runs the matcher over every affected entry of VULN's records for one SBOM\n"
                "component and prints each result with its explanation (which identifier,\n"
                "range and version comparisons decided it), non-matches included\n"
                "(GET /api/v1/vulns/{id}/explain; admin, release-manager, security-officer,\n"
                "auditor). COMPONENT is a component id, or NAME@VERSION with --release.\n\n"
                "Options:\n"
                "  --release ID   the release whose SBOM holds NAME@VERSION\n",
        .run = vuln_explain_run,
};

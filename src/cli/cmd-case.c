/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cradle case create|list|show|set|link|aware: CRA reporting cases and their
 * Art. 14 clocks (issue 10; docs/reporting.md). Flags build the JSON body;
 * the server validates (ids, vectors, transitions) and names what is wrong.
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

enum {
        OPT_TITLE = CLI_OPT_LOCAL_BASE, OPT_SUMMARY, OPT_KIND, OPT_OWNER, OPT_CVE, OPT_EUVD, OPT_CWE, OPT_GHSA,
        OPT_AFFECTED, OPT_VERSION_RANGE, OPT_CVSS31, OPT_CVSS40, OPT_CREDIT, OPT_VULN_ID, OPT_FINDING_ID,
        OPT_STATE, OPT_REASON, OPT_DUPLICATE_OF, OPT_IMPACT, OPT_FIX_RELEASE, OPT_CAMPAIGN, OPT_MITIGATION_AT,
        OPT_EXPLOITED, OPT_SEVERE, OPT_AT, OPT_HOW, OPT_OCCURRED_AT, OPT_LIMIT, OPT_BEFORE,
};

#define CASE_OPTS_COMMON                                                                                    \
        { "title", required_argument, NULL, OPT_TITLE }, { "summary", required_argument, NULL, OPT_SUMMARY }, \
        { "owner", required_argument, NULL, OPT_OWNER }, { "cve", required_argument, NULL, OPT_CVE },         \
        { "euvd", required_argument, NULL, OPT_EUVD }, { "cwe", required_argument, NULL, OPT_CWE },           \
        { "ghsa", required_argument, NULL, OPT_GHSA }, { "affected", required_argument, NULL, OPT_AFFECTED }, \
        { "version-range", required_argument, NULL, OPT_VERSION_RANGE },                                     \
        { "cvss31", required_argument, NULL, OPT_CVSS31 }, { "cvss40", required_argument, NULL, OPT_CVSS40 }, \
        { "credit", required_argument, NULL, OPT_CREDIT }, { "vuln-id", required_argument, NULL, OPT_VULN_ID }, \
        { "finding-id", required_argument, NULL, OPT_FINDING_ID }

static int id_arg(struct cli_ctx *ctx, const char *opt, const char *v, int64_t *out) {
        if (str_to_int64(v, 1, INT64_MAX, out) < 0)
                return cli_usage_error(ctx, "option '--%s': '%s' is not a positive integer id", opt, v);
        return CLI_CONTINUE;
}

static int time_arg(struct cli_ctx *ctx, const char *opt, const char *v) {
        struct error err = { 0 };
        int64_t t;
        if (time_parse_rfc3339(v, &t, &err) < 0)
                return cli_usage_error(ctx, "option '--%s': '%s' is not an RFC 3339 time (2026-12-05T10:00:00Z)",
                                       opt, v);
        return CLI_CONTINUE;
}

static void add_id(json_t *body, const char *key, const char *kind, const char *v) {
        json_t *ids = json_object_get(body, key);
        if (!ids) {
                ids = json_object();
                json_object_set_new(body, key, ids);
        }
        json_t *a = json_object_get(ids, kind);
        if (!a) {
                a = json_array();
                json_object_set_new(ids, kind, a);
        }
        json_array_append_new(a, json_string(v));
}

/* --affected PRODUCT_ID[:RELEASE_ID] */
static int add_affected(struct cli_ctx *ctx, json_t *body, const char *key, const char *v) {
        int64_t p = 0, r = 0;
        _cleanup_free_ char *copy = str_dup(v);
        char *colon = strchr(copy, ':');
        if (colon)
                *colon = '\0';
        if (str_to_int64(copy, 1, INT64_MAX, &p) < 0 || (colon && str_to_int64(colon + 1, 1, INT64_MAX, &r) < 0))
                return cli_usage_error(ctx, "option '--affected': '%s' is not PRODUCT_ID or PRODUCT_ID:RELEASE_ID", v);
        json_t *a = json_object_get(body, key);
        if (!a) {
                a = json_array();
                json_object_set_new(body, key, a);
        }
        json_t *e = json_pack("{s:I}", "product_id", (json_int_t) p);
        if (r)
                json_object_set_new(e, "release_id", json_integer(r));
        json_array_append_new(a, e);
        return CLI_CONTINUE;
}

#define FIELD_NOT_OURS (-1000)

/* The options create and set share; `edit` names the add_ forms of a PATCH. */
static int field_option(struct cli_ctx *ctx, int c, json_t *body, bool edit) {
        int64_t id;
        int r;
        const char *ids_key = edit ? "add_ids" : "ids", *aff_key = edit ? "add_affected" : "affected";
        switch (c) {
        case OPT_TITLE: json_object_set_new(body, "title", json_string(optarg)); return CLI_CONTINUE;
        case OPT_SUMMARY: json_object_set_new(body, "summary", json_string(optarg)); return CLI_CONTINUE;
        case OPT_OWNER: json_object_set_new(body, "owner", json_string(optarg)); return CLI_CONTINUE;
        case OPT_VERSION_RANGE: json_object_set_new(body, "version_range", json_string(optarg)); return CLI_CONTINUE;
        case OPT_CVSS31: json_object_set_new(body, "cvss31_vector", json_string(optarg)); return CLI_CONTINUE;
        case OPT_CVSS40: json_object_set_new(body, "cvss40_vector", json_string(optarg)); return CLI_CONTINUE;
        case OPT_CREDIT: json_object_set_new(body, "reporter_credit", json_string(optarg)); return CLI_CONTINUE;
        case OPT_CVE: add_id(body, ids_key, "cve", optarg); return CLI_CONTINUE;
        case OPT_EUVD: add_id(body, ids_key, "euvd", optarg); return CLI_CONTINUE;
        case OPT_CWE: add_id(body, ids_key, "cwe", optarg); return CLI_CONTINUE;
        case OPT_GHSA: add_id(body, ids_key, "ghsa", optarg); return CLI_CONTINUE;
        case OPT_AFFECTED: return add_affected(ctx, body, aff_key, optarg);
        case OPT_VULN_ID:
                if ((r = id_arg(ctx, "vuln-id", optarg, &id)) != CLI_CONTINUE)
                        return r;
                json_object_set_new(body, "vuln_id", json_integer(id));
                return CLI_CONTINUE;
        case OPT_FINDING_ID:
                if ((r = id_arg(ctx, "finding-id", optarg, &id)) != CLI_CONTINUE)
                        return r;
                json_object_set_new(body, "finding_id", json_integer(id));
                return CLI_CONTINUE;
        default: return FIELD_NOT_OURS;
        }
}

static const struct cli_field show_fields[] = {
        { "reference", "reference" }, { "kind", "kind" }, { "state", "state" }, { "state reason", "state_reason" },
        { "title", "title" }, { "summary", "summary" }, { "owner", "owner" }, { "source", "source" },
        { "ids", "ids" }, { "affected", "affected" }, { "version range", "version_range" },
        { "cvss 3.1", "cvss31_vector" }, { "cvss 3.1 score x10", "cvss31_score10" }, { "cvss 4.0", "cvss40_vector" },
        { "cvss 4.0 score x10", "cvss40_score10" }, { "severity", "severity" }, { "impact", "impact" },
        { "exploited", "exploited" }, { "severe incident", "severe_incident" }, { "aware at", "aware_at" },
        { "aware how", "aware_how" }, { "fix release", "fix_release_id" }, { "fix campaign", "fix_campaign_id" },
        { "fix available at", "fix_available_at" }, { "ack due", "ack_due_at" },
        { "acknowledged", "acknowledged_at" }, { "disclosure target", "disclosure_target_at" },
        { "disclosed", "disclosed_at" }, { "reporter credit", "reporter_credit" }, { "link", "link" },
        { "created", "created_at" }, { "created by", "created_by" },
};

static const struct cli_field clock_cols[] = {
        { "TRACK", "track" }, { "REPORT", "report" }, { "DUE", "due" },
        { "LATEST (REG. 1182/71 ART. 3)", "latest_reg_1182_71_art3" }, { "SUBMITTED", "submitted_at" },
        { "LATE BY", "late_by" }, { "PROVISIONAL", "provisional" }, { "BASIS", "basis" },
};

static const struct cli_field timeline_cols[] = {
        { "TIME", "time" }, { "ACTOR", "actor" }, { "ACTION", "action" }, { "DETAILS", "details" },
};

static int print_case(json_t *doc) {
        cli_print_object(doc, show_fields, ELEMENTSOF(show_fields));
        json_t *clocks = json_object_get(doc, "clocks");
        if (json_is_array(clocks) && json_array_size(clocks)) {
                printf("\nArt. 14 clocks (UTC):\n");
                cli_print_table(clocks, clock_cols, ELEMENTSOF(clock_cols));
        }
        json_t *tl = json_object_get(doc, "timeline");
        if (json_is_array(tl) && json_array_size(tl)) {
                printf("\ntimeline:\n");
                cli_print_table(tl, timeline_cols, ELEMENTSOF(timeline_cols));
        }
        return CLI_EXIT_OK;
}

static int send_case(struct cli_ctx *ctx, const char *method, const char *path, json_t *body) {
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
        return print_case(doc);
}

static char *case_path(const char *ref, const char *tail) {
        _cleanup_free_ char *esc = cli_client_escape(ref);
        return str_printf("/api/v1/cases/%s%s", esc, tail);
}

static int case_create_run(struct cli_ctx *ctx, int argc, char **argv) {
        static const struct option options[] = {
                CLI_GLOBAL_LONG_OPTIONS, CASE_OPTS_COMMON, { "kind", required_argument, NULL, OPT_KIND }, { 0 },
        };
        _cleanup_json_ json_t *body = json_object();
        int c, r;
        while ((c = getopt_long(argc, argv, CLI_GLOBAL_SHORT_OPTIONS, options, NULL)) != -1) {
                if (c == OPT_KIND) {
                        json_object_set_new(body, "kind", json_string(optarg));
                        continue;
                }
                if ((r = field_option(ctx, c, body, false)) != FIELD_NOT_OURS) {
                        if (r != CLI_CONTINUE)
                                return r;
                        continue;
                }
                if ((r = cli_option_common(ctx, c, argc, argv)) != CLI_CONTINUE)
                        return r;
        }
        if ((r = cli_positional(ctx, argc, argv, 0, "")) != CLI_CONTINUE)
                return r;
        if (!json_object_get(body, "title") || !json_object_get(body, "summary"))
                return cli_usage_error(ctx, "--title and --summary are required");
        return send_case(ctx, "POST", "/api/v1/cases", body);
}

static const struct cli_field list_cols[] = {
        { "REFERENCE", "reference" }, { "STATE", "state" }, { "KIND", "kind" }, { "SEVERITY", "severity" },
        { "EXPLOITED", "exploited" }, { "NEXT DUE", "next_due_report" }, { "DUE AT", "next_due_at" },
        { "ACK DUE", "ack_due_at" }, { "ACKNOWLEDGED", "acknowledged_at" },
        { "DISCLOSURE TARGET", "disclosure_target_at" }, { "OWNER", "owner" }, { "TITLE", "title" },
};

static int case_list_run(struct cli_ctx *ctx, int argc, char **argv) {
        static const struct option options[] = {
                CLI_GLOBAL_LONG_OPTIONS,
                { "state", required_argument, NULL, OPT_STATE },
                { "limit", required_argument, NULL, OPT_LIMIT },
                { "before", required_argument, NULL, OPT_BEFORE },
                { 0 },
        };
        const char *state = NULL;
        int64_t limit = 0, before = -1;
        int c, r;
        while ((c = getopt_long(argc, argv, CLI_GLOBAL_SHORT_OPTIONS, options, NULL)) != -1) {
                switch (c) {
                case OPT_STATE: state = optarg; break;
                case OPT_LIMIT:
                        if (str_to_int64(optarg, 1, 500, &limit) < 0)
                                return cli_usage_error(ctx, "option '--limit': '%s' is not 1-500", optarg);
                        break;
                case OPT_BEFORE:
                        if ((r = id_arg(ctx, "before", optarg, &before)) != CLI_CONTINUE)
                                return r;
                        break;
                default:
                        if ((r = cli_option_common(ctx, c, argc, argv)) != CLI_CONTINUE)
                                return r;
                }
        }
        if ((r = cli_positional(ctx, argc, argv, 0, "")) != CLI_CONTINUE)
                return r;
        struct buf b = { 0 };
        buf_appendf(&b, "/api/v1/cases");
        char sep = '?';
        if (state) {
                _cleanup_free_ char *esc = cli_client_escape(state);
                buf_appendf(&b, "%cstate=%s", sep, esc);
                sep = '&';
        }
        if (limit)
                buf_appendf(&b, "%climit=%lld", sep, (long long) limit);
        _cleanup_free_ char *path = buf_steal(&b);
        return cli_send_list_paged(ctx, path, &cli_cursor_before_id, before, limit > 0 || before > 0, list_cols,
                                   ELEMENTSOF(list_cols));
}

static int case_show_run(struct cli_ctx *ctx, int argc, char **argv) {
        int r;
        if ((r = cli_parse_positional_only(ctx, argc, argv, 1, "CASE")) != CLI_CONTINUE)
                return r;
        _cleanup_free_ char *path = case_path(argv[optind], "");
        return send_case(ctx, "GET", path, NULL);
}

static int case_set_run(struct cli_ctx *ctx, int argc, char **argv) {
        static const struct option options[] = {
                CLI_GLOBAL_LONG_OPTIONS, CASE_OPTS_COMMON,
                { "state", required_argument, NULL, OPT_STATE },
                { "reason", required_argument, NULL, OPT_REASON },
                { "duplicate-of", required_argument, NULL, OPT_DUPLICATE_OF },
                { "impact", required_argument, NULL, OPT_IMPACT },
                { 0 },
        };
        _cleanup_json_ json_t *edit = json_object();
        const char *state = NULL, *reason = NULL, *dup = NULL;
        int c, r;
        while ((c = getopt_long(argc, argv, CLI_GLOBAL_SHORT_OPTIONS, options, NULL)) != -1) {
                switch (c) {
                case OPT_STATE: state = optarg; continue;
                case OPT_REASON: reason = optarg; continue;
                case OPT_DUPLICATE_OF: dup = optarg; continue;
                case OPT_IMPACT: json_object_set_new(edit, "impact", json_string(optarg)); continue;
                default: break;
                }
                if ((r = field_option(ctx, c, edit, true)) != FIELD_NOT_OURS) {
                        if (r != CLI_CONTINUE)
                                return r;
                        continue;
                }
                if ((r = cli_option_common(ctx, c, argc, argv)) != CLI_CONTINUE)
                        return r;
        }
        if ((r = cli_positional(ctx, argc, argv, 1, "CASE")) != CLI_CONTINUE)
                return r;
        if (!state && json_object_size(edit) == 0)
                return cli_usage_error(ctx, "nothing to set: give --state or a field option");
        if (state && !reason)
                return cli_usage_error(ctx, "--state needs --reason (every state change is audited with one)");
        if (dup && !state)
                return cli_usage_error(ctx, "--duplicate-of goes with --state duplicate");
        const char *ref = argv[optind];
        if (json_object_size(edit)) {
                if (reason)
                        json_object_set_new(edit, "reason", json_string(reason));
                _cleanup_free_ char *path = case_path(ref, "");
                if (!state)
                        return send_case(ctx, "PATCH", path, edit);
                struct cli_client *client;
                _cleanup_json_ json_t *doc = NULL;
                if ((r = cli_ctx_client(ctx, &client)) != CLI_EXIT_OK ||
                    (r = cli_client_request(client, "PATCH", path, edit, &doc)) != CLI_EXIT_OK)
                        return r;
        }
        _cleanup_json_ json_t *body = json_pack("{s:s, s:s}", "state", state, "reason", reason);
        if (dup)
                json_object_set_new(body, "duplicate_of", json_string(dup));
        _cleanup_free_ char *path = case_path(ref, "/state");
        return send_case(ctx, "POST", path, body);
}

static int case_link_run(struct cli_ctx *ctx, int argc, char **argv) {
        static const struct option options[] = {
                CLI_GLOBAL_LONG_OPTIONS,
                { "fix-release", required_argument, NULL, OPT_FIX_RELEASE },
                { "campaign", required_argument, NULL, OPT_CAMPAIGN },
                { "mitigation-at", required_argument, NULL, OPT_MITIGATION_AT },
                { "reason", required_argument, NULL, OPT_REASON },
                { 0 },
        };
        _cleanup_json_ json_t *body = json_object();
        int c, r;
        int64_t id;
        while ((c = getopt_long(argc, argv, CLI_GLOBAL_SHORT_OPTIONS, options, NULL)) != -1) {
                switch (c) {
                case OPT_FIX_RELEASE:
                        if ((r = id_arg(ctx, "fix-release", optarg, &id)) != CLI_CONTINUE)
                                return r;
                        json_object_set_new(body, "fix_release_id", json_integer(id));
                        break;
                case OPT_CAMPAIGN:
                        if ((r = id_arg(ctx, "campaign", optarg, &id)) != CLI_CONTINUE)
                                return r;
                        json_object_set_new(body, "campaign_id", json_integer(id));
                        break;
                case OPT_MITIGATION_AT:
                        if ((r = time_arg(ctx, "mitigation-at", optarg)) != CLI_CONTINUE)
                                return r;
                        json_object_set_new(body, "mitigation_at", json_string(optarg));
                        break;
                case OPT_REASON: json_object_set_new(body, "reason", json_string(optarg)); break;
                default:
                        if ((r = cli_option_common(ctx, c, argc, argv)) != CLI_CONTINUE)
                                return r;
                }
        }
        if ((r = cli_positional(ctx, argc, argv, 1, "CASE")) != CLI_CONTINUE)
                return r;
        if (!json_object_get(body, "fix_release_id") && !json_object_get(body, "campaign_id") &&
            !json_object_get(body, "mitigation_at"))
                return cli_usage_error(ctx, "give --fix-release, --campaign or --mitigation-at");
        _cleanup_free_ char *path = case_path(argv[optind], "/link");
        return send_case(ctx, "POST", path, body);
}

static int case_aware_run(struct cli_ctx *ctx, int argc, char **argv) {
        static const struct option options[] = {
                CLI_GLOBAL_LONG_OPTIONS,
                { "exploited", no_argument, NULL, OPT_EXPLOITED },
                { "severe-incident", no_argument, NULL, OPT_SEVERE },
                { "at", required_argument, NULL, OPT_AT },
                { "how", required_argument, NULL, OPT_HOW },
                { "occurred-at", required_argument, NULL, OPT_OCCURRED_AT },
                { "reason", required_argument, NULL, OPT_REASON },
                { 0 },
        };
        _cleanup_json_ json_t *body = json_object();
        int c, r;
        while ((c = getopt_long(argc, argv, CLI_GLOBAL_SHORT_OPTIONS, options, NULL)) != -1) {
                switch (c) {
                case OPT_EXPLOITED: json_object_set_new(body, "exploited", json_true()); break;
                case OPT_SEVERE: json_object_set_new(body, "severe_incident", json_true()); break;
                case OPT_AT:
                        if ((r = time_arg(ctx, "at", optarg)) != CLI_CONTINUE)
                                return r;
                        json_object_set_new(body, "at", json_string(optarg));
                        break;
                case OPT_OCCURRED_AT:
                        if ((r = time_arg(ctx, "occurred-at", optarg)) != CLI_CONTINUE)
                                return r;
                        json_object_set_new(body, "occurred_at", json_string(optarg));
                        break;
                case OPT_HOW: json_object_set_new(body, "how", json_string(optarg)); break;
                case OPT_REASON: json_object_set_new(body, "reason", json_string(optarg)); break;
                default:
                        if ((r = cli_option_common(ctx, c, argc, argv)) != CLI_CONTINUE)
                                return r;
                }
        }
        if ((r = cli_positional(ctx, argc, argv, 1, "CASE")) != CLI_CONTINUE)
                return r;
        if (!json_object_get(body, "exploited") && !json_object_get(body, "severe_incident"))
                return cli_usage_error(ctx, "give --exploited, --severe-incident or both");
        if (!json_object_get(body, "how"))
                return cli_usage_error(ctx, "--how is required (how the awareness came about)");
        _cleanup_free_ char *path = case_path(argv[optind], "/aware");
        return send_case(ctx, "POST", path, body);
}

#define FIELD_HELP                                                                                  \
        "  --title TEXT, --summary TEXT   (<= 255 and <= 4000 characters)\n"                          \
        "  --owner NAME                   who owns the case\n"                                        \
        "  --cve ID, --euvd ID, --cwe ID, --ghsa ID   (repeatable; CVE-YYYY-NNNN, EUVD-YYYY-N, CWE-N)\n" \
        "  --affected PRODUCT_ID[:RELEASE_ID]        (repeatable)\n"                                   \
        "  --version-range TEXT           affected versions as the maker states them\n"                \
        "  --cvss31 VECTOR, --cvss40 VECTOR          parsed and scored by the server\n"                \
        "  --credit TEXT                  the reporter's credit (goes into the advisory)\n"            \
        "  --vuln-id ID, --finding-id ID  the link point to vulnerability management\n"

static const struct cli_command case_create = {
        .name = "create",
        .summary = "Open a case by hand",
        .usage = "--title TEXT --summary TEXT [--kind vulnerability|incident] [field options]",
        .help = "Opens a case in state received (POST /api/v1/cases; admin, security-officer).\n"
                "The acknowledgement clock (7 days) and the disclosure target (90 days) start now.\n\n"
                "Options:\n"
                "  --kind KIND                    vulnerability (default) or incident\n" FIELD_HELP,
        .run = case_create_run,
};

static const struct cli_command case_list = {
        .name = "list",
        .summary = "List cases with their next due clock",
        .usage = "[--state STATE] [--limit N] [--before ID]",
        .help = "Lists cases, newest first (GET /api/v1/cases; admin, security-officer, auditor): the\n"
                "state, the next due Art. 14 report and its due time, the acknowledgement and\n"
                "disclosure dates. Every page is fetched unless --limit or --before is given.\n\n"
                "Options:\n"
                "  --state STATE   only cases in STATE\n"
                "  --limit N       one page of N (1-500)\n"
                "  --before ID     continue below case id ID\n",
        .run = case_list_run,
};

static const struct cli_command case_show = {
        .name = "show",
        .summary = "Show a case with its Art. 14 clocks and timeline",
        .usage = "CASE",
        .help = "Shows a case by reference (CASE-2026-0001) or id (GET /api/v1/cases/CASE; admin,\n"
                "security-officer, auditor): its fields, the Art. 14 clocks (the conservative due\n"
                "time and, beside it, the latest moment under Reg. (EEC, Euratom) No 1182/71\n"
                "Art. 3), lateness, and the timeline.\n",
        .run = case_show_run,
};

static const struct cli_command case_set = {
        .name = "set",
        .summary = "Change a case's state or fields",
        .usage = "CASE [--state STATE --reason TEXT [--duplicate-of CASE]] [field options] [--impact TEXT]",
        .help = "Changes the state (POST /api/v1/cases/CASE/state) and/or fields (PATCH\n"
                "/api/v1/cases/CASE); admin, security-officer. States: received, triaging,\n"
                "confirmed, fix_in_progress, fix_available, disclosed, closed, rejected,\n"
                "duplicate, not_a_vulnerability. An impossible transition is refused, naming\n"
                "both states. Every change is audited with the user and the reason.\n\n"
                "Options:\n"
                "  --state STATE          the new state (needs --reason)\n"
                "  --reason TEXT          why (required with --state)\n"
                "  --duplicate-of CASE    with --state duplicate: the case it duplicates\n"
                "  --impact TEXT          the impact\n" FIELD_HELP
                "Ids and affected products given here are added to the case.\n",
        .run = case_set_run,
};

static const struct cli_command case_link = {
        .name = "link",
        .summary = "Link the fixing release and campaign, or record a mitigation time",
        .usage = "CASE [--fix-release ID] [--campaign ID] [--mitigation-at TIME] [--reason TEXT]",
        .help = "Links the case to its fixing release and campaign (POST /api/v1/cases/CASE/link;\n"
                "admin, security-officer). A published fixing release sets the time the\n"
                "corrective measure became available to its publication time, unless an\n"
                "earlier mitigation time is recorded; that time only ever moves earlier. The\n"
                "final report of a vulnerability is due 14 days after it.\n\n"
                "Options:\n"
                "  --fix-release ID      the release that fixes it (of an affected product)\n"
                "  --campaign ID         the campaign that rolls that release out\n"
                "  --mitigation-at TIME  when a mitigating measure became available (RFC 3339)\n"
                "  --reason TEXT         recorded in the audit trail\n",
        .run = case_link_run,
};

static const struct cli_command case_aware = {
        .name = "aware",
        .summary = "Mark a case actively exploited or a severe incident",
        .usage = "CASE --exploited|--severe-incident --how TEXT [--at TIME] [--occurred-at TIME] [--reason TEXT]",
        .help = "Records that the vulnerability is actively exploited (--exploited) or that the\n"
                "case is a severe incident (--severe-incident), when the maker became aware\n"
                "(--at, default now) and how (POST /api/v1/cases/CASE/aware; admin,\n"
                "security-officer). The Art. 14 clocks start at the awareness time; a recorded\n"
                "one only ever moves earlier.\n\n"
                "Options:\n"
                "  --exploited          actively exploited (the vulnerability track)\n"
                "  --severe-incident    a severe incident (the incident track)\n"
                "  --at TIME            awareness time, RFC 3339 (default now)\n"
                "  --how TEXT           how the awareness came about (required)\n"
                "  --occurred-at TIME   when the incident occurred\n"
                "  --reason TEXT        recorded in the audit trail\n",
        .run = case_aware_run,
};

static const struct cli_command *const case_subs[] = {
        &case_create, &case_list, &case_show, &case_set, &case_link, &case_aware,
        &cli_cmd_case_report, &cli_cmd_case_submitted, /* SRP packages (issue 10 section 3) */
        &cli_cmd_case_notify_list, /* informing users (issue 10 section 6) */
        &cli_cmd_case_advisory, &cli_cmd_case_publish, /* CSAF advisories (issue 10 section 5) */
        NULL,
};

const struct cli_command cli_cmd_case = {
        .name = "case",
        .summary = "CRA reporting cases and their Art. 14 clocks",
        .subs = case_subs,
};

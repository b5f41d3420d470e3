/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cradle approval list|show|approve|reject and cradle approval policy
 * list|set (issue 11): M-of-N approvals. The last approval needed runs the
 * operation on the server; its answer is in the request's "result".
 */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/client.h"
#include "cli/cmd-common.h"
#include "cli/command.h"
#include "core/cleanup.h"
#include "core/strutil.h"

static const struct cli_field request_fields[] = {
        { "id", "id" }, { "operation", "operation" }, { "state", "state" }, { "expired", "expired" },
        { "params", "params" }, { "params sha256", "params_sha256" }, { "requester", "requester.user" },
        { "requester token", "requester.token" }, { "justification", "justification" },
        { "approvals", "approvals" }, { "approvers required", "approvers_required" }, { "roles", "roles" },
        { "votes", "votes" }, { "created", "created_at" }, { "expires", "expires_at" },
        { "executed", "executed_at" }, { "result", "result" },
};

static const struct cli_field request_cols[] = {
        { "ID", "id" }, { "OPERATION", "operation" }, { "STATE", "state" }, { "REQUESTER", "requester.user" },
        { "APPROVALS", "approvals" }, { "REQUIRED", "approvers_required" }, { "EXPIRES", "expires_at" },
};

static const struct cli_field policy_cols[] = {
        { "OPERATION", "operation" }, { "APPROVERS", "approvers" }, { "ROLES", "roles" },
        { "GOVERNED", "governed" }, { "SOURCE", "source" },
};

enum { OPT_STATE = CLI_OPT_LOCAL_BASE, OPT_COMMENT, OPT_APPROVERS, OPT_ROLES, OPT_JUSTIFICATION };

static int approval_list_run(struct cli_ctx *ctx, int argc, char **argv) {
        static const struct option options[] = {
                CLI_GLOBAL_LONG_OPTIONS,
                { "state", required_argument, NULL, OPT_STATE },
                { 0 },
        };
        const char *state = NULL;
        int c, r;
        while ((c = getopt_long(argc, argv, CLI_GLOBAL_SHORT_OPTIONS, options, NULL)) != -1) {
                if (c == OPT_STATE)
                        state = optarg;
                else if ((r = cli_option_common(ctx, c, argc, argv)) != CLI_CONTINUE)
                        return r;
        }
        if ((r = cli_positional(ctx, argc, argv, 0, "")) != CLI_CONTINUE)
                return r;
        struct buf q = {0};
        if (state)
                cli_query_add(&q, "state", state);
        _cleanup_free_ char *query = buf_steal(&q);
        _cleanup_free_ char *path = str_printf("/api/v1/approvals%s", query ? query : "");
        return cli_send_list(ctx, path, request_cols, ELEMENTSOF(request_cols));
}

static int id_arg(struct cli_ctx *ctx, const char *s, int64_t *id) {
        if (str_to_int64(s, 1, INT64_MAX, id) < 0)
                return cli_usage_error(ctx, "ID: '%s' is not a request id", s);
        return CLI_CONTINUE;
}

static int approval_show_run(struct cli_ctx *ctx, int argc, char **argv) {
        int r;
        int64_t id;
        if ((r = cli_parse_positional_only(ctx, argc, argv, 1, "ID")) != CLI_CONTINUE ||
            (r = id_arg(ctx, argv[optind], &id)) != CLI_CONTINUE)
                return r;
        _cleanup_free_ char *path = str_printf("/api/v1/approvals/%lld", (long long) id);
        return cli_send_show(ctx, "GET", path, NULL, request_fields, ELEMENTSOF(request_fields));
}

static int decide_run(struct cli_ctx *ctx, int argc, char **argv, const char *verb) {
        static const struct option options[] = {
                CLI_GLOBAL_LONG_OPTIONS,
                { "comment", required_argument, NULL, OPT_COMMENT },
                { 0 },
        };
        const char *comment = NULL;
        int c, r;
        int64_t id;
        while ((c = getopt_long(argc, argv, CLI_GLOBAL_SHORT_OPTIONS, options, NULL)) != -1) {
                if (c == OPT_COMMENT)
                        comment = optarg;
                else if ((r = cli_option_common(ctx, c, argc, argv)) != CLI_CONTINUE)
                        return r;
        }
        if ((r = cli_positional(ctx, argc, argv, 1, "ID")) != CLI_CONTINUE ||
            (r = id_arg(ctx, argv[optind], &id)) != CLI_CONTINUE)
                return r;
        _cleanup_json_ json_t *body = json_pack("{s:s}", "comment", comment ? comment : "");
        if (!body)
                return cli_usage_error(ctx, "option '--comment' must be valid UTF-8");
        _cleanup_free_ char *path = str_printf("/api/v1/approvals/%lld/%s", (long long) id, verb);
        return cli_send_show(ctx, "POST", path, body, request_fields, ELEMENTSOF(request_fields));
}

static int approval_approve_run(struct cli_ctx *ctx, int argc, char **argv) {
        return decide_run(ctx, argc, argv, "approve");
}

static int approval_reject_run(struct cli_ctx *ctx, int argc, char **argv) {
        return decide_run(ctx, argc, argv, "reject");
}

static int policy_list_run(struct cli_ctx *ctx, int argc, char **argv) {
        int r;
        if ((r = cli_parse_positional_only(ctx, argc, argv, 0, "")) != CLI_CONTINUE)
                return r;
        return cli_send_list(ctx, "/api/v1/approval-policies", policy_cols, ELEMENTSOF(policy_cols));
}

static int policy_set_run(struct cli_ctx *ctx, int argc, char **argv) {
        static const struct option options[] = {
                CLI_GLOBAL_LONG_OPTIONS,
                { "approvers", required_argument, NULL, OPT_APPROVERS },
                { "roles", required_argument, NULL, OPT_ROLES },
                { "justification", required_argument, NULL, OPT_JUSTIFICATION },
                { 0 },
        };
        const char *approvers = NULL, *roles = NULL, *why = NULL;
        int c, r;
        while ((c = getopt_long(argc, argv, CLI_GLOBAL_SHORT_OPTIONS, options, NULL)) != -1) {
                switch (c) {
                case OPT_APPROVERS: approvers = optarg; break;
                case OPT_ROLES: roles = optarg; break;
                case OPT_JUSTIFICATION: why = optarg; break;
                default:
                        if ((r = cli_option_common(ctx, c, argc, argv)) != CLI_CONTINUE)
                                return r;
                }
        }
        int64_t n;
        if ((r = cli_positional(ctx, argc, argv, 1, "OPERATION")) != CLI_CONTINUE ||
            (r = cli_require(ctx, approvers, "--approvers N")) != CLI_CONTINUE ||
            (r = cli_require(ctx, roles, "--roles ROLE[,ROLE...]")) != CLI_CONTINUE)
                return r;
        if (str_to_int64(approvers, 0, 10, &n) < 0)
                return cli_usage_error(ctx, "option '--approvers': '%s' is not a number from 0 to 10", approvers);
        _cleanup_json_ json_t *body = json_pack("{s:I, s:s}", "approvers", (json_int_t) n, "roles", roles);
        if (!body)
                return cli_usage_error(ctx, "option '--roles' must be valid UTF-8");
        struct buf q = {0};
        if (why)
                cli_query_add(&q, "justification", why);
        _cleanup_free_ char *query = buf_steal(&q);
        _cleanup_free_ char *op = cli_client_escape(argv[optind]);
        _cleanup_free_ char *path = str_printf("/api/v1/approval-policies/%s%s", op, query ? query : "");
        return cli_send_show(ctx, "PUT", path, body, policy_cols, ELEMENTSOF(policy_cols));
}

static const struct cli_command approval_list = {
        .name = "list",
        .summary = "List approval requests (newest first)",
        .usage = "[--state STATE]",
        .help = "Lists approval requests (GET /api/v1/approvals; every role).\n\n"
                "Options:\n"
                "  --state STATE   pending, approved, rejected, executing, executed or failed\n",
        .run = approval_list_run,
};

static const struct cli_command approval_show = {
        .name = "show",
        .summary = "Show an approval request: operation, exact parameters, votes, result",
        .usage = "ID",
        .help = "Shows approval request ID (GET /api/v1/approvals/ID; every role): the\n"
                "operation, its exact parameters and their SHA-256, the requester, the votes,\n"
                "and once run, the result.\n",
        .run = approval_show_run,
};

static const struct cli_command approval_approve = {
        .name = "approve",
        .summary = "Approve a request (the last approval needed runs it)",
        .usage = "ID [--comment TEXT]",
        .help = "Approves request ID (POST /api/v1/approvals/ID/approve). The requester cannot\n"
                "approve; each user votes once, whichever token; the token's role must be one\n"
                "the policy names. The approval that reaches the required number runs the\n"
                "operation at once, with the exact parameters requested; the answer shows the\n"
                "request executed (or failed) with the operation's result.\n\n"
                "Options:\n"
                "  --comment TEXT   recorded with the vote and in the audit log\n",
        .run = approval_approve_run,
};

static const struct cli_command approval_reject = {
        .name = "reject",
        .summary = "Reject a request (one rejection ends it)",
        .usage = "ID [--comment TEXT]",
        .help = "Rejects request ID (POST /api/v1/approvals/ID/reject); the request is closed.\n\n"
                "Options:\n"
                "  --comment TEXT   recorded with the vote and in the audit log\n",
        .run = approval_reject_run,
};

static const struct cli_command policy_list = {
        .name = "list",
        .summary = "List the approval policy of each governed operation",
        .usage = "",
        .help = "Lists every governed operation with its approvers and roles, from a policy\n"
                "or from the [approval] defaults of cradled.conf (GET /api/v1/approval-policies).\n",
        .run = policy_list_run,
};

static const struct cli_command policy_set = {
        .name = "set",
        .summary = "Change an operation's policy (itself needs approval)",
        .usage = "OPERATION --approvers N --roles ROLE[,ROLE...] [--justification TEXT]",
        .help = "Sets how many distinct users must approve OPERATION and with which roles\n"
                "(PUT /api/v1/approval-policies/OPERATION; admin). Changing a policy is\n"
                "governed (approval.policy-set): by default this creates an approval request.\n\n"
                "Options:\n"
                "  --approvers N            0 (not governed) to 10\n"
                "  --roles ROLE[,ROLE...]   roles an approver's token may act with\n"
                "  --justification TEXT     why; recorded in the request\n",
        .run = policy_set_run,
};

static const struct cli_command *const policy_subs[] = { &policy_list, &policy_set, NULL };

static const struct cli_command approval_policy = {
        .name = "policy",
        .summary = "Approval policies",
        .subs = policy_subs,
};

static const struct cli_command *const approval_subs[] = {
        &approval_list, &approval_show, &approval_approve, &approval_reject, &approval_policy, NULL,
};

const struct cli_command cli_cmd_approval = {
        .name = "approval",
        .summary = "M-of-N approvals of sensitive operations",
        .subs = approval_subs,
};

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cradle user create|list|show|add-role|remove-role|disable: operator users
 * (issue 11), the people behind tokens. Admin only, list/show also auditor.
 */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/client.h"
#include "cli/cmd-common.h"
#include "cli/command.h"
#include "core/cleanup.h"
#include "core/strutil.h"

static const struct cli_field user_fields[] = {
        { "id", "id" }, { "name", "name" }, { "contact", "contact" }, { "roles", "roles" },
        { "tokens", "tokens" }, { "created", "created_at" }, { "created by", "created_by" },
        { "disabled", "disabled_at" },
};

static const struct cli_field user_cols[] = {
        { "ID", "id" }, { "NAME", "name" }, { "CONTACT", "contact" }, { "ROLES", "roles" },
        { "DISABLED", "disabled_at" },
};

enum { OPT_NAME = CLI_OPT_LOCAL_BASE, OPT_CONTACT, OPT_ROLE };

static bool role_known(const char *r) {
        static const char *const roles[] = { "admin", "release-manager", "security-officer", "factory",
                                             "auditor" };
        for (size_t i = 0; i < ELEMENTSOF(roles); i++)
                if (strcmp(roles[i], r) == 0)
                        return true;
        return false;
}

static int user_create_run(struct cli_ctx *ctx, int argc, char **argv) {
        static const struct option options[] = {
                CLI_GLOBAL_LONG_OPTIONS,
                { "name", required_argument, NULL, OPT_NAME },
                { "contact", required_argument, NULL, OPT_CONTACT },
                { "role", required_argument, NULL, OPT_ROLE },
                { 0 },
        };
        const char *name = NULL, *contact = "";
        _cleanup_json_ json_t *roles = json_array();
        int c, r;
        while ((c = getopt_long(argc, argv, CLI_GLOBAL_SHORT_OPTIONS, options, NULL)) != -1) {
                switch (c) {
                case OPT_NAME:
                        name = optarg;
                        break;
                case OPT_CONTACT:
                        contact = optarg;
                        break;
                case OPT_ROLE:
                        if (!role_known(optarg))
                                return cli_usage_error(ctx, "option '--role': '%s' is not a role (admin, "
                                                       "release-manager, security-officer, factory, auditor)",
                                                       optarg);
                        json_array_append_new(roles, json_string(optarg));
                        break;
                default:
                        r = cli_option_common(ctx, c, argc, argv);
                        if (r != CLI_CONTINUE)
                                return r;
                }
        }
        if ((r = cli_positional(ctx, argc, argv, 0, "")) != CLI_CONTINUE)
                return r;
        if ((r = cli_require(ctx, name, "--name NAME")) != CLI_CONTINUE)
                return r;
        if (json_array_size(roles) == 0)
                return cli_usage_error(ctx, "missing required option '--role ROLE' (repeat it for more roles)");
        _cleanup_json_ json_t *body = json_pack("{s:s, s:s, s:O}", "name", name, "contact", contact,
                                                "roles", roles);
        if (!body)
                return cli_usage_error(ctx, "options '--name' and '--contact' must be valid UTF-8");
        return cli_send_show(ctx, "POST", "/api/v1/users", body, user_fields, ELEMENTSOF(user_fields));
}

static int user_list_run(struct cli_ctx *ctx, int argc, char **argv) {
        int r;
        if ((r = cli_parse_positional_only(ctx, argc, argv, 0, "")) != CLI_CONTINUE)
                return r;
        return cli_send_list(ctx, "/api/v1/users", user_cols, ELEMENTSOF(user_cols));
}

static char *user_path(const char *name, const char *tail) {
        _cleanup_free_ char *escaped = cli_client_escape(name);
        return str_printf("/api/v1/users/%s%s", escaped, tail);
}

static int user_show_run(struct cli_ctx *ctx, int argc, char **argv) {
        int r;
        if ((r = cli_parse_positional_only(ctx, argc, argv, 1, "NAME")) != CLI_CONTINUE)
                return r;
        _cleanup_free_ char *path = user_path(argv[optind], "");
        return cli_send_show(ctx, "GET", path, NULL, user_fields, ELEMENTSOF(user_fields));
}

static int user_role_run(struct cli_ctx *ctx, int argc, char **argv, bool add) {
        int r;
        if ((r = cli_parse_positional_only(ctx, argc, argv, 2, "NAME ROLE")) != CLI_CONTINUE)
                return r;
        const char *name = argv[optind], *role = argv[optind + 1];
        if (!role_known(role))
                return cli_usage_error(ctx, "ROLE: '%s' is not a role (admin, release-manager, "
                                       "security-officer, factory, auditor)", role);
        if (add) {
                _cleanup_free_ char *path = user_path(name, "/roles");
                _cleanup_json_ json_t *body = json_pack("{s:s}", "role", role);
                return cli_send_show(ctx, "POST", path, body, user_fields, ELEMENTSOF(user_fields));
        }
        _cleanup_free_ char *tail = str_printf("/roles/%s", role);
        _cleanup_free_ char *path = user_path(name, tail);
        return cli_send_show(ctx, "DELETE", path, NULL, user_fields, ELEMENTSOF(user_fields));
}

static int user_add_role_run(struct cli_ctx *ctx, int argc, char **argv) {
        return user_role_run(ctx, argc, argv, true);
}

static int user_remove_role_run(struct cli_ctx *ctx, int argc, char **argv) {
        return user_role_run(ctx, argc, argv, false);
}

static int user_disable_run(struct cli_ctx *ctx, int argc, char **argv) {
        int r;
        if ((r = cli_parse_positional_only(ctx, argc, argv, 1, "NAME")) != CLI_CONTINUE)
                return r;
        _cleanup_free_ char *path = user_path(argv[optind], "");
        return cli_send_show(ctx, "DELETE", path, NULL, user_fields, ELEMENTSOF(user_fields));
}

static const struct cli_command user_create = {
        .name = "create",
        .summary = "Create an operator user (a person) with one or more roles",
        .usage = "--name NAME --role ROLE [--role ROLE...] [--contact CONTACT]",
        .help = "Creates a user (POST /api/v1/users; admin only). A user is a person: approvals\n"
                "count distinct users. Give the user tokens with\n"
                "'cradle token create --name TOKEN --role ROLE --user NAME'; each token acts\n"
                "with one role the user holds.\n"
                "\n"
                "Options:\n"
                "  --name NAME        unique (1..64 of A-Z a-z 0-9 . _ @ -)\n"
                "  --role ROLE        admin, release-manager, security-officer, factory or\n"
                "                     auditor; repeat for more\n"
                "  --contact CONTACT  how to reach the person (e-mail, phone)\n",
        .run = user_create_run,
};

static const struct cli_command user_list = {
        .name = "list",
        .summary = "List users with their roles",
        .usage = "",
        .help = "Lists the users (GET /api/v1/users; admin, auditor).\n",
        .run = user_list_run,
};

static const struct cli_command user_show = {
        .name = "show",
        .summary = "Show a user, their roles and active tokens",
        .usage = "NAME",
        .help = "Shows the user NAME with roles and the names of their active tokens\n"
                "(GET /api/v1/users/NAME; admin, auditor).\n",
        .run = user_show_run,
};

static const struct cli_command user_add_role = {
        .name = "add-role",
        .summary = "Give a user a role",
        .usage = "NAME ROLE",
        .help = "Adds ROLE to the user NAME (POST /api/v1/users/NAME/roles; admin only).\n",
        .run = user_add_role_run,
};

static const struct cli_command user_remove_role = {
        .name = "remove-role",
        .summary = "Take a role from a user (their tokens with it stop working)",
        .usage = "NAME ROLE",
        .help = "Removes ROLE from the user NAME (DELETE /api/v1/users/NAME/roles/ROLE; admin\n"
                "only). Every token of the user that acts with ROLE stops authenticating at\n"
                "once. A user's last role cannot be removed: disable the user instead.\n",
        .run = user_remove_role_run,
};

static const struct cli_command user_disable = {
        .name = "disable",
        .summary = "Disable a user (all their tokens stop working)",
        .usage = "NAME",
        .help = "Disables the user NAME (DELETE /api/v1/users/NAME; admin only). Every\n"
                "token of the user stops authenticating at once; the record stays.\n",
        .run = user_disable_run,
};

static const struct cli_command *const user_subs[] = {
        &user_create, &user_list, &user_show, &user_add_role, &user_remove_role, &user_disable, NULL,
};

const struct cli_command cli_cmd_user = {
        .name = "user",
        .summary = "Manage operator users (people, their roles and tokens)",
        .subs = user_subs,
};

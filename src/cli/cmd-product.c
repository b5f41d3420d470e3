/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cradle product create|list|show|update: the products CRA obligations attach
 * to. Flags build the JSON body; --from-file supplies a whole (or partial)
 * body, which flags then override. The server validates the result; the CLI
 * only checks what it can name better itself (dates, country-code shape,
 * required flags).
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/client.h"
#include "cli/command.h"
#include "cli/output.h"
#include "core/cleanup.h"
#include "core/json.h"
#include "core/strutil.h"
#include "core/time.h"

#define PRODUCT_FILE_MAX (1024 * 1024)
#define MEMBER_STATES_MAX 64

enum {
        OPT_NAME = CLI_OPT_LOCAL_BASE,
        OPT_MODEL,
        OPT_M_NAME,
        OPT_M_ADDRESS,
        OPT_M_CONTACT,
        OPT_SUPPORT_START,
        OPT_SUPPORT_END,
        OPT_JUSTIFICATION,
        OPT_MEMBER_STATE,
        OPT_FROM_FILE,
};

static const struct option product_options[] = {
        CLI_GLOBAL_LONG_OPTIONS,
        { "name", required_argument, NULL, OPT_NAME },
        { "model", required_argument, NULL, OPT_MODEL },
        { "manufacturer-name", required_argument, NULL, OPT_M_NAME },
        { "manufacturer-address", required_argument, NULL, OPT_M_ADDRESS },
        { "manufacturer-contact", required_argument, NULL, OPT_M_CONTACT },
        { "support-start", required_argument, NULL, OPT_SUPPORT_START },
        { "support-end", required_argument, NULL, OPT_SUPPORT_END },
        { "justification", required_argument, NULL, OPT_JUSTIFICATION },
        { "member-state", required_argument, NULL, OPT_MEMBER_STATE },
        { "from-file", required_argument, NULL, OPT_FROM_FILE },
        { 0 },
};

struct product_args {
        const char *name, *model;
        const char *m_name, *m_address, *m_contact;
        const char *support_start, *support_end;
        const char *justification;
        char member_states[MEMBER_STATES_MAX][3];
        size_t n_member_states;
        const char *from_file;
};

static int parse_member_state(struct cli_ctx *ctx, struct product_args *a, const char *v) {
        if (a->n_member_states >= MEMBER_STATES_MAX)
                return cli_usage_error(ctx, "option '--member-state' given more than %d times",
                                       MEMBER_STATES_MAX);
        if (strlen(v) != 2 || !isalpha((unsigned char) v[0]) || !isalpha((unsigned char) v[1]))
                return cli_usage_error(ctx,
                                       "option '--member-state': '%s' is not a two-letter country "
                                       "code (ISO 3166-1 alpha-2, e.g. DE)",
                                       v);
        char *s = a->member_states[a->n_member_states++];
        s[0] = (char) toupper((unsigned char) v[0]);
        s[1] = (char) toupper((unsigned char) v[1]);
        s[2] = '\0';
        return CLI_CONTINUE;
}

static int check_date(struct cli_ctx *ctx, const char *option, const char *v) {
        struct error err = { 0 };
        int64_t t;

        if (!v)
                return CLI_CONTINUE;
        if (time_parse_date(v, &t, &err) < 0)
                return cli_usage_error(ctx, "option '%s': '%s' is not a date YYYY-MM-DD (%s)",
                                       option, v, err.msg);
        return CLI_CONTINUE;
}

/* Parses the options shared by create and update. */
static int product_parse(struct cli_ctx *ctx, int argc, char **argv, struct product_args *a) {
        int c, r;

        *a = (struct product_args) { 0 };
        while ((c = getopt_long(argc, argv, CLI_GLOBAL_SHORT_OPTIONS, product_options, NULL)) != -1) {
                switch (c) {
                case OPT_NAME: a->name = optarg; break;
                case OPT_MODEL: a->model = optarg; break;
                case OPT_M_NAME: a->m_name = optarg; break;
                case OPT_M_ADDRESS: a->m_address = optarg; break;
                case OPT_M_CONTACT: a->m_contact = optarg; break;
                case OPT_SUPPORT_START: a->support_start = optarg; break;
                case OPT_SUPPORT_END: a->support_end = optarg; break;
                case OPT_JUSTIFICATION: a->justification = optarg; break;
                case OPT_FROM_FILE: a->from_file = optarg; break;
                case OPT_MEMBER_STATE:
                        if ((r = parse_member_state(ctx, a, optarg)) != CLI_CONTINUE)
                                return r;
                        break;
                default:
                        r = cli_option_common(ctx, c, argc, argv);
                        if (r != CLI_CONTINUE)
                                return r;
                }
        }
        if ((r = check_date(ctx, "--support-start", a->support_start)) != CLI_CONTINUE ||
            (r = check_date(ctx, "--support-end", a->support_end)) != CLI_CONTINUE)
                return r;
        return CLI_CONTINUE;
}

/* Sets obj[key] (or obj[parent][key]) to a string from an option. */
static int set_string(struct cli_ctx *ctx, json_t *body, const char *parent, const char *key,
                      const char *option, const char *value) {
        json_t *obj = body;

        if (!value)
                return CLI_CONTINUE;
        if (parent) {
                obj = json_object_get(body, parent);
                if (!json_is_object(obj)) {
                        obj = json_object();
                        json_object_set_new(body, parent, obj);
                }
        }
        json_t *v = json_string(value);
        if (!v)
                return cli_usage_error(ctx, "option '%s' is not valid UTF-8", option);
        json_object_set_new(obj, key, v);
        return CLI_CONTINUE;
}

static int load_file(struct cli_ctx *ctx, const char *path, json_t **out) {
        struct error err = { 0 };
        _cleanup_free_ char *buf = NULL;
        size_t len = 0;
        const char *real = strcmp(path, "-") == 0 ? "/dev/stdin" : path;

        (void) ctx;
        *out = NULL;
        if (cli_file_read("product file", real, PRODUCT_FILE_MAX, &buf, &len, NULL, &err) < 0)
                return cli_error(CLI_EXIT_LOCAL, "%s", err.msg);
        _cleanup_free_ char *what = str_printf("product file %s", path);
        json_t *doc = cr_json_parse(what, buf, len, PRODUCT_FILE_MAX, CR_JSON_DEFAULT_MAX_DEPTH, &err);
        if (!doc)
                return cli_error(CLI_EXIT_LOCAL, "%s", err.msg);
        if (!json_is_object(doc)) {
                json_decref(doc);
                return cli_error(CLI_EXIT_LOCAL, "%s: expected a JSON object", what);
        }
        /* What `product show --json` prints can be edited and fed back: the
         * fields the server sets itself are dropped rather than refused. */
        json_object_del(doc, "id");
        json_object_del(doc, "created_at");
        json_object_del(doc, "updated_at");
        *out = doc;
        return CLI_CONTINUE;
}

/* The request body: the file (if any) with the flags laid over it. */
static int product_body(struct cli_ctx *ctx, const struct product_args *a, json_t **out) {
        json_t *body = NULL;
        int r;

        *out = NULL;
        if (a->from_file) {
                if ((r = load_file(ctx, a->from_file, &body)) != CLI_CONTINUE)
                        return r;
        } else {
                body = json_object();
        }
        if ((r = set_string(ctx, body, NULL, "name", "--name", a->name)) != CLI_CONTINUE ||
            (r = set_string(ctx, body, NULL, "model", "--model", a->model)) != CLI_CONTINUE ||
            (r = set_string(ctx, body, "manufacturer", "name", "--manufacturer-name", a->m_name)) != CLI_CONTINUE ||
            (r = set_string(ctx, body, "manufacturer", "address", "--manufacturer-address", a->m_address)) != CLI_CONTINUE ||
            (r = set_string(ctx, body, "manufacturer", "contact", "--manufacturer-contact", a->m_contact)) != CLI_CONTINUE ||
            (r = set_string(ctx, body, "support", "start", "--support-start", a->support_start)) != CLI_CONTINUE ||
            (r = set_string(ctx, body, "support", "end", "--support-end", a->support_end)) != CLI_CONTINUE) {
                json_decref(body);
                return r;
        }
        if (a->justification) {
                /* An empty justification clears it (JSON null). */
                if (!*a->justification) {
                        json_t *support = json_object_get(body, "support");
                        if (!json_is_object(support)) {
                                support = json_object();
                                json_object_set_new(body, "support", support);
                        }
                        json_object_set_new(support, "justification", json_null());
                } else if ((r = set_string(ctx, body, "support", "justification", "--justification",
                                           a->justification)) != CLI_CONTINUE) {
                        json_decref(body);
                        return r;
                }
        }
        if (a->n_member_states > 0) {
                json_t *states = json_array();
                for (size_t i = 0; i < a->n_member_states; i++)
                        json_array_append_new(states, json_string(a->member_states[i]));
                json_object_set_new(body, "member_states", states);
        }
        *out = body;
        return CLI_CONTINUE;
}

static int parse_id(struct cli_ctx *ctx, const char *s, int64_t *id) {
        if (str_to_int64(s, 1, INT64_MAX, id) < 0)
                return cli_usage_error(ctx, "ID '%s' is not a product id (a positive integer)", s);
        return CLI_CONTINUE;
}

static void print_product(json_t *p) {
        static const char *const keys[] = {
                "id", "name", "model", "manufacturer", "address", "contact", "support start",
                "support end", "justification", "member states", "created at", "updated at",
        };
        static const char *const paths[] = {
                "id", "name", "model", "manufacturer.name", "manufacturer.address",
                "manufacturer.contact", "support.start", "support.end", "support.justification",
                "member_states", "created_at", "updated_at",
        };
        char *values[ELEMENTSOF(paths)];

        for (size_t i = 0; i < ELEMENTSOF(paths); i++)
                values[i] = cli_json_text(cli_json_at(p, paths[i]));
        cli_emit_text(cli_kv_render(ELEMENTSOF(keys), keys, (const char *const *) values));
        for (size_t i = 0; i < ELEMENTSOF(paths); i++)
                free(values[i]);
}

/* Sends the request and prints the product it answers with. */
static int product_send(struct cli_ctx *ctx, const char *method, const char *path, json_t *body) {
        struct cli_client *client;
        _cleanup_json_ json_t *doc = NULL;
        _cleanup_free_ char *what = str_printf("%s %s", method, path);
        int r;

        if ((r = cli_ctx_client(ctx, &client)) != CLI_EXIT_OK)
                return r;
        if ((r = cli_client_request(client, method, path, body, &doc)) != CLI_EXIT_OK)
                return r;
        if ((r = cli_expect_object(doc, what)) != CLI_EXIT_OK)
                return r;
        if (ctx->flags.json)
                return cli_emit_json(doc);
        print_product(doc);
        return CLI_EXIT_OK;
}

static int product_create_run(struct cli_ctx *ctx, int argc, char **argv) {
        struct product_args a;
        _cleanup_json_ json_t *body = NULL;
        int r;

        if ((r = product_parse(ctx, argc, argv, &a)) != CLI_CONTINUE)
                return r;
        if ((r = cli_positional(ctx, argc, argv, 0, "")) != CLI_CONTINUE)
                return r;
        if (!a.from_file) {
                /* Without a file every required field must come from a flag. */
                const struct { const char *value, *option; } required[] = {
                        { a.name, "--name NAME" },
                        { a.model, "--model MODEL" },
                        { a.m_name, "--manufacturer-name NAME" },
                        { a.m_address, "--manufacturer-address ADDRESS" },
                        { a.m_contact, "--manufacturer-contact CONTACT" },
                        { a.support_end, "--support-end YYYY-MM-DD" },
                };
                for (size_t i = 0; i < ELEMENTSOF(required); i++)
                        if (!required[i].value)
                                return cli_usage_error(ctx, "missing required option '%s'",
                                                       required[i].option);
                if (a.n_member_states == 0)
                        return cli_usage_error(ctx, "missing required option '--member-state CC' "
                                                    "(give it once per EU member state)");
        }
        if ((r = product_body(ctx, &a, &body)) != CLI_CONTINUE)
                return r;
        return product_send(ctx, "POST", "/api/v1/products", body);
}

static int product_update_run(struct cli_ctx *ctx, int argc, char **argv) {
        struct product_args a;
        _cleanup_json_ json_t *body = NULL;
        int64_t id;
        int r;

        if ((r = product_parse(ctx, argc, argv, &a)) != CLI_CONTINUE)
                return r;
        if ((r = cli_positional(ctx, argc, argv, 1, "ID")) != CLI_CONTINUE)
                return r;
        if ((r = parse_id(ctx, argv[optind], &id)) != CLI_CONTINUE)
                return r;
        if ((r = product_body(ctx, &a, &body)) != CLI_CONTINUE)
                return r;
        if (json_object_size(body) == 0)
                return cli_usage_error(ctx, "nothing to update: give at least one option "
                                            "(e.g. --support-end) or --from-file");
        _cleanup_free_ char *path = str_printf("/api/v1/products/%lld", (long long) id);
        return product_send(ctx, "PATCH", path, body);
}

static int product_show_run(struct cli_ctx *ctx, int argc, char **argv) {
        int64_t id;
        int r;
        if ((r = cli_parse_positional_only(ctx, argc, argv, 1, "ID")) != CLI_CONTINUE)
                return r;
        if ((r = parse_id(ctx, argv[optind], &id)) != CLI_CONTINUE)
                return r;
        _cleanup_free_ char *path = str_printf("/api/v1/products/%lld", (long long) id);
        return product_send(ctx, "GET", path, NULL);
}

static int product_list_run(struct cli_ctx *ctx, int argc, char **argv) {
        struct cli_client *client;
        _cleanup_json_ json_t *doc = NULL;
        json_t *items, *item;
        size_t i;
        int r;
        if ((r = cli_parse_positional_only(ctx, argc, argv, 0, "")) != CLI_CONTINUE)
                return r;
        if ((r = cli_ctx_client(ctx, &client)) != CLI_EXIT_OK)
                return r;
        if ((r = cli_client_request(client, "GET", "/api/v1/products", NULL, &doc)) != CLI_EXIT_OK)
                return r;
        if ((r = cli_expect_items(doc, "GET /api/v1/products", &items)) != CLI_EXIT_OK)
                return r;
        if (ctx->flags.json)
                return cli_emit_json(doc);

        static const char *const headers[] = { "ID", "MODEL", "NAME", "MANUFACTURER",
                                               "SUPPORT END", "MEMBER STATES" };
        static const char *const paths[] = { "id", "model", "name", "manufacturer.name",
                                             "support.end", "member_states" };
        struct cli_table *t = cli_table_new(ELEMENTSOF(headers), headers);
        cli_table_set_max_width(t, 2, 40);
        cli_table_set_max_width(t, 3, 30);
        json_array_foreach(items, i, item) {
                char *cells[ELEMENTSOF(paths)];
                for (size_t f = 0; f < ELEMENTSOF(paths); f++)
                        cells[f] = cli_json_text(cli_json_at(item, paths[f]));
                cli_table_add_row(t, (const char *const *) cells);
                for (size_t f = 0; f < ELEMENTSOF(paths); f++)
                        free(cells[f]);
        }
        char *text = cli_table_render(t);
        cli_table_free(t);
        return cli_emit_text(text);
}

#define PRODUCT_FIELD_OPTIONS_HELP                                                              \
        "  --name NAME                     product name (1..200 characters)\n"                 \
        "  --model MODEL                   model identifier, unique ([A-Za-z0-9._-], 1..64)\n" \
        "  --manufacturer-name NAME        manufacturer's name\n"                              \
        "  --manufacturer-address ADDRESS  manufacturer's postal address\n"                    \
        "  --manufacturer-contact CONTACT  security contact: an email address or http(s) URL\n" \
        "  --support-start YYYY-MM-DD      start of the support period (default: today)\n"     \
        "  --support-end YYYY-MM-DD        end of the support period (CRA Art. 13(8))\n"       \
        "  --justification TEXT            why the support period is shorter than five\n"      \
        "                                  years (required then); \"\" clears it\n"            \
        "  --member-state CC               EU member state where it is sold (ISO 3166-1\n"     \
        "                                  alpha-2, e.g. DE); repeat for each\n"               \
        "  --from-file FILE                read the JSON body from FILE ('-' = stdin); the\n"  \
        "                                  options above override its fields; id,\n"          \
        "                                  created_at and updated_at are ignored\n"

static const struct cli_command product_create = {
        .name = "create",
        .summary = "Register a product",
        .usage = "--name NAME --model MODEL --manufacturer-name NAME --manufacturer-address "
                 "ADDRESS --manufacturer-contact CONTACT --support-end YYYY-MM-DD "
                 "[--support-start YYYY-MM-DD] [--justification TEXT] --member-state CC "
                 "[--member-state CC ...]\n"
                 "       cradle product create --from-file FILE [options]",
        .help = "Registers a product (POST /api/v1/products; admin, release-manager) and prints\n"
                "it. Without --from-file, every option but --support-start and --justification\n"
                "is required.\n\n"
                "Options:\n" PRODUCT_FIELD_OPTIONS_HELP,
        .run = product_create_run,
};

static const struct cli_command product_list = {
        .name = "list",
        .summary = "List products",
        .usage = "",
        .help = "Lists all products (GET /api/v1/products; any role).\n",
        .run = product_list_run,
};

static const struct cli_command product_show = {
        .name = "show",
        .summary = "Show one product",
        .usage = "ID",
        .help = "Shows the product with id ID (GET /api/v1/products/ID; any role).\n",
        .run = product_show_run,
};

static const struct cli_command product_update = {
        .name = "update",
        .summary = "Change fields of a product",
        .usage = "ID [options]",
        .help = "Changes the given fields of product ID (PATCH /api/v1/products/ID; admin,\n"
                "release-manager); the others keep their values. --member-state replaces the\n"
                "whole list. The server re-checks the result (e.g. the five-year rule).\n\n"
                "Options (all optional, at least one):\n" PRODUCT_FIELD_OPTIONS_HELP,
        .run = product_update_run,
};

static const struct cli_command *const product_subs[] = {
        &product_create, &product_list, &product_show, &product_update, NULL,
};

const struct cli_command cli_cmd_product = {
        .name = "product",
        .summary = "Manage products and their support periods",
        .subs = product_subs,
};

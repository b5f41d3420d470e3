/* SPDX-License-Identifier: Apache-2.0 */
#include "cli/cmd-common.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/client.h"
#include "cli/output.h"
#include "core/cleanup.h"
#include "core/fileio.h"
#include "core/strutil.h"
#include "crypto/ct.h"

int cli_print_object(json_t *obj, const struct cli_field *fields, size_t n) {
        const char **keys = xcalloc(n, sizeof(*keys));
        char **values = xcalloc(n, sizeof(*values));
        for (size_t i = 0; i < n; i++) {
                keys[i] = fields[i].title;
                values[i] = cli_json_text(cli_json_at(obj, fields[i].path));
        }
        int r = cli_emit_text(cli_kv_render(n, keys, (const char *const *) values));
        for (size_t i = 0; i < n; i++)
                free(values[i]);
        free(values);
        free(keys);
        return r;
}

int cli_print_table(json_t *items, const struct cli_field *cols, size_t n) {
        const char **headers = xcalloc(n, sizeof(*headers));
        char **cells = xcalloc(n, sizeof(*cells));
        for (size_t f = 0; f < n; f++)
                headers[f] = cols[f].title;
        struct cli_table *t = cli_table_new(n, headers);
        size_t i;
        json_t *item;
        json_array_foreach(items, i, item) {
                for (size_t f = 0; f < n; f++)
                        cells[f] = cli_json_text(cli_json_at(item, cols[f].path));
                cli_table_add_row(t, (const char *const *) cells);
                for (size_t f = 0; f < n; f++)
                        free(cells[f]);
        }
        char *text = cli_table_render(t);
        cli_table_free(t);
        free(cells);
        free(headers);
        return cli_emit_text(text);
}

int cli_send_show(struct cli_ctx *ctx, const char *method, const char *path, json_t *body,
                  const struct cli_field *fields, size_t n) {
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
        /* (not for the approval commands themselves, which show requests) */
        if (!str_startswith(path, "/api/v1/approvals") && cli_approval_pending_print(doc))
                return CLI_EXIT_OK;
        return cli_print_object(doc, fields, n);
}

bool cli_approval_pending_print(json_t *doc) {
        /* A governed operation answers 202 with an approval request (issue 11). */
        if (!json_is_string(json_object_get(doc, "params_sha256")) ||
            !json_is_integer(json_object_get(doc, "approvers_required")))
                return false;
        _cleanup_free_ char *op = cli_text_sanitize(json_string_value(json_object_get(doc, "operation")), false);
        _cleanup_free_ char *roles = cli_text_sanitize(json_string_value(json_object_get(doc, "roles")), false);
        json_int_t id = json_integer_value(json_object_get(doc, "id"));
        printf("approval request %" JSON_INTEGER_FORMAT " created: %s needs %" JSON_INTEGER_FORMAT
               " approval(s) by other users (roles: %s); it runs when the last one approves\n"
               "  cradle approval show %" JSON_INTEGER_FORMAT "\n",
               id, op ? op : "", json_integer_value(json_object_get(doc, "approvers_required")), roles ? roles : "", id);
        return true;
}

int cli_send_list(struct cli_ctx *ctx, const char *path, const struct cli_field *cols, size_t n) {
        struct cli_client *client;
        _cleanup_json_ json_t *doc = NULL;
        _cleanup_free_ char *what = str_printf("GET %s", path);
        json_t *items;
        int r;
        if ((r = cli_ctx_client(ctx, &client)) != CLI_EXIT_OK ||
            (r = cli_client_request(client, "GET", path, NULL, &doc)) != CLI_EXIT_OK ||
            (r = cli_expect_items(doc, what, &items)) != CLI_EXIT_OK)
                return r;
        if (ctx->flags.json)
                return cli_emit_json(doc);
        return cli_print_table(items, cols, n);
}

const struct cli_cursor cli_cursor_after_id = { "after", "next_after_id", false };
const struct cli_cursor cli_cursor_before_id = { "before", "next_before_id", true };

/* The answer's cursor: *more = false on null; else the value, which must be
 * a positive integer past `last` (when have_last) in the cursor's direction. */
static int page_cursor(json_t *doc, const char *what, const struct cli_cursor *cur, bool have_last, int64_t last,
                       size_t n_items, bool *more, int64_t *next) {
        json_t *v = json_object_get(doc, cur->field);
        *more = false;
        if (!v || json_is_null(v))
                return CLI_EXIT_OK;
        if (!json_is_integer(v) || json_integer_value(v) < 0)
                return cli_error(CLI_EXIT_SERVER, "%s: the server's \"%s\" is not an id", what, cur->field);
        *next = json_integer_value(v);
        if (n_items == 0 ||
            (have_last && (cur->descending ? *next >= last : *next <= last)))
                return cli_error(CLI_EXIT_SERVER,
                                 "%s: the server's \"%s\" (%" PRId64 ") does not move past the last page; "
                                 "stopping",
                                 what, cur->field, *next);
        *more = true;
        return CLI_EXIT_OK;
}

int cli_send_list_paged(struct cli_ctx *ctx, const char *path, const struct cli_cursor *cur, int64_t start,
                        bool one_page, const struct cli_field *cols, size_t n) {
        struct cli_client *client;
        _cleanup_json_ json_t *all = json_array();
        bool have_last = start >= 0, more = true;
        int64_t last = start;
        int r;
        if ((r = cli_ctx_client(ctx, &client)) != CLI_EXIT_OK)
                return r;
        while (more) {
                _cleanup_json_ json_t *doc = NULL;
                _cleanup_free_ char *page = have_last ? str_printf("%s%c%s=%" PRId64, path,
                                                                   strchr(path, '?') ? '&' : '?', cur->param, last)
                                                      : str_dup(path);
                _cleanup_free_ char *what = str_printf("GET %s", page);
                json_t *items;
                int64_t next = 0;
                if ((r = cli_client_request(client, "GET", page, NULL, &doc)) != CLI_EXIT_OK ||
                    (r = cli_expect_items(doc, what, &items)) != CLI_EXIT_OK ||
                    (r = page_cursor(doc, what, cur, have_last, last, json_array_size(items), &more, &next)) !=
                            CLI_EXIT_OK)
                        return r;
                if (one_page) {
                        /* What the user asked for is one page: say so when it is not all. */
                        if (more)
                                fprintf(stderr, "stopped after %zu entries; more follow: use --%s %" PRId64 "\n",
                                        json_array_size(items), cur->param, next);
                        if (ctx->flags.json)
                                return cli_emit_json(doc);
                        return cli_print_table(items, cols, n);
                }
                json_array_extend(all, items);
                have_last = true;
                last = next;
        }
        if (ctx->flags.json) {
                _cleanup_json_ json_t *doc = json_pack("{s:O}", "items", all);
                json_object_set_new(doc, cur->field, json_null());
                return cli_emit_json(doc);
        }
        return cli_print_table(all, cols, n);
}

int cli_read_file(const char *option, const char *path, size_t max, char **out, size_t *len) {
        struct error err = {0};
        *out = NULL;
        *len = 0;
        if (str_eq(path, "-"))
                path = "/dev/stdin";
        if (file_read_all(path, max, out, len, &err) < 0)
                return cli_error(CLI_EXIT_LOCAL, "%s: %s", option, err.msg);
        return CLI_EXIT_OK;
}

int cli_read_secret_file(const char *option, const char *path, size_t max, char **out) {
        struct error err = {0};
        char *data = NULL;
        size_t len = 0;
        *out = NULL;
        if (file_check_private(path, &err) < 0)
                return cli_error(CLI_EXIT_LOCAL, "%s: %s", option, err.msg);
        if (file_read_all(path, max, &data, &len, &err) < 0)
                return cli_error(CLI_EXIT_LOCAL, "%s: %s", option, err.msg);
        if (len > 0 && data[len - 1] == '\n')
                data[--len] = '\0';
        if (len > 0 && data[len - 1] == '\r')
                data[--len] = '\0';
        for (size_t i = 0; i < len; i++)
                if ((unsigned char) data[i] <= 0x20 || (unsigned char) data[i] >= 0x7f) {
                        ct_wipe(data, len);
                        free(data);
                        return cli_error(CLI_EXIT_LOCAL,
                                         "%s: %s must hold one line of visible ASCII without blanks "
                                         "(byte %zu is not)",
                                         option, path, i + 1);
                }
        if (len == 0) {
                free(data);
                return cli_error(CLI_EXIT_LOCAL, "%s: %s is empty", option, path);
        }
        *out = data;
        return CLI_EXIT_OK;
}

int cli_write_file(const char *option, const char *path, const void *data, size_t len, mode_t mode,
                   bool overwrite) {
        struct error err = {0};
        if (!overwrite && access(path, F_OK) == 0)
                return cli_error(CLI_EXIT_LOCAL, "%s: %s exists already; not overwriting it", option, path);
        if (file_write_atomic(path, data, len, mode, &err) < 0)
                return cli_error(CLI_EXIT_LOCAL, "%s: %s", option, err.msg);
        return CLI_EXIT_OK;
}

int cli_product_id(struct cli_ctx *ctx, const char *model, int64_t *id) {
        struct cli_client *client;
        _cleanup_json_ json_t *doc = NULL;
        json_t *items, *item;
        size_t i;
        int r;
        if ((r = cli_ctx_client(ctx, &client)) != CLI_EXIT_OK ||
            (r = cli_client_request(client, "GET", "/api/v1/products", NULL, &doc)) != CLI_EXIT_OK ||
            (r = cli_expect_items(doc, "GET /api/v1/products", &items)) != CLI_EXIT_OK)
                return r;
        json_array_foreach(items, i, item) {
                if (str_eq(json_string_value(json_object_get(item, "model")), model)) {
                        *id = json_integer_value(json_object_get(item, "id"));
                        if (*id > 0)
                                return CLI_EXIT_OK;
                }
        }
        _cleanup_free_ char *safe = cli_text_sanitize(model, false);
        return cli_error(CLI_EXIT_REFUSED, "no product with model '%s' ('cradle product list' shows them)", safe);
}

int cli_require(struct cli_ctx *ctx, const char *value, const char *option) {
        if (!value || !*value)
                return cli_usage_error(ctx, "missing required option '%s'", option);
        return CLI_CONTINUE;
}

int cli_list_by_product(struct cli_ctx *ctx, int argc, char **argv, const char *collection,
                        const struct cli_cursor *cur, const struct cli_field *cols, size_t n) {
        enum { OPT_PRODUCT = CLI_OPT_LOCAL_BASE };
        static const struct option options[] = {
                CLI_GLOBAL_LONG_OPTIONS,
                { "product", required_argument, NULL, OPT_PRODUCT },
                { 0 },
        };
        const char *product = NULL;
        int c, r;
        while ((c = getopt_long(argc, argv, CLI_GLOBAL_SHORT_OPTIONS, options, NULL)) != -1) {
                if (c == OPT_PRODUCT)
                        product = optarg;
                else if ((r = cli_option_common(ctx, c, argc, argv)) != CLI_CONTINUE)
                        return r;
        }
        if ((r = cli_positional(ctx, argc, argv, 0, "")) != CLI_CONTINUE)
                return r;
        struct buf path = { 0 };
        buf_append(&path, collection, strlen(collection));
        struct buf q = { 0 };
        cli_query_add(&q, "product", product);
        if (q.len)
                buf_append(&path, q.data, q.len);
        buf_free(&q);
        _cleanup_free_ char *p = buf_steal(&path);
        if (cur)
                return cli_send_list_paged(ctx, p, cur, -1, false, cols, n);
        return cli_send_list(ctx, p, cols, n);
}

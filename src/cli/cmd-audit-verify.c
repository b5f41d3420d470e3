/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cradle audit verify: recomputes the audit chain on this machine from the
 * entries the API returns (audit_verify_init / audit_verify_next), so a
 * server that was tampered with cannot simply say "ok". --server asks the
 * server's own check instead.
 *
 * What a local check cannot see: a server that hides the newest entries
 * presents a shorter chain that is still whole. The last seq and hash are
 * printed so they can be compared with a value recorded earlier.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "audit/audit.h"
#include "cli/audit-page.h"
#include "cli/cli.h"
#include "cli/client.h"
#include "cli/command.h"
#include "cli/output.h"
#include "core/cleanup.h"
#include "core/json.h"
#include "core/strutil.h"

/* The largest page the API allows: fewest round trips. */
#define VERIFY_PAGE_LIMIT 1000

enum { OPT_SERVER = CLI_OPT_LOCAL_BASE };

/* Feeds a page to the verifier. An entry that is not even well-formed
 * breaks the chain at that entry. Returns false once broken. */
static bool verify_items(struct audit_verify_state *st, json_t *items) {
        json_t *item;
        size_t i;

        json_array_foreach(items, i, item) {
                struct store_audit_entry e;
                struct error err = { 0 };
                if (audit_entry_from_json(item, &e, &err) < 0) {
                        json_t *seq = json_object_get(item, "seq");
                        st->broken = true;
                        st->bad_seq = json_is_integer(seq) ? json_integer_value(seq) : st->last_seq + 1;
                        /* Cut to fit the verifier's reason buffer. */
                        snprintf(st->reason, sizeof(st->reason), "malformed entry: %.200s", err.msg);
                        return false;
                }
                bool ok = audit_verify_next(st, &e);
                store_audit_entry_clear(&e);
                if (!ok)
                        return false;
        }
        return true;
}

/* The verifier's reasons start with "entry N: "; the summary line already says it. */
static const char *reason_without_entry(const char *reason, int64_t seq) {
        char prefix[48];
        snprintf(prefix, sizeof(prefix), "entry %" PRId64 ": ", seq);
        if (strncmp(reason, prefix, strlen(prefix)) == 0)
                return reason + strlen(prefix);
        return reason;
}

static int print_result(struct cli_ctx *ctx, bool ok, int64_t checked, int64_t bad_seq,
                        const char *reason, const char *suffix) {
        if (ok) {
                printf("audit chain OK: %" PRId64 " entries%s\n", checked, suffix);
                return CLI_EXIT_OK;
        }
        _cleanup_free_ char *safe = cli_text_sanitize(reason ? reason : "no reason given", false);
        printf("audit chain BROKEN at entry %" PRId64 ": %s%s\n", bad_seq,
               reason_without_entry(safe, bad_seq), suffix);
        (void) ctx;
        return CLI_EXIT_VERIFY;
}

static int verify_on_server(struct cli_ctx *ctx, struct cli_client *client) {
        _cleanup_json_ json_t *doc = NULL;
        int r;

        if ((r = cli_client_request(client, "GET", "/api/v1/audit/verify", NULL, &doc)) != CLI_EXIT_OK)
                return r;
        json_t *ok = json_object_get(doc, "ok"), *checked = json_object_get(doc, "checked");
        if (!json_is_object(doc) || !json_is_boolean(ok) || !json_is_integer(checked))
                return cli_error(CLI_EXIT_SERVER, "the server's answer to GET /api/v1/audit/verify "
                                                  "lacks \"ok\" or \"checked\"");
        if (ctx->flags.json) {
                cli_emit_json(doc);
                return json_is_true(ok) ? CLI_EXIT_OK : CLI_EXIT_VERIFY;
        }
        return print_result(ctx, json_is_true(ok), json_integer_value(checked),
                            cr_json_get_int(doc, "bad_seq", 0),
                            json_string_value(json_object_get(doc, "reason")),
                            " (checked by the server)");
}

static int verify_locally(struct cli_ctx *ctx, struct cli_client *client) {
        struct cli_audit_query q = { .limit = VERIFY_PAGE_LIMIT };
        struct audit_verify_state st;
        int64_t after = 0;
        int r;

        audit_verify_init(&st);
        for (;;) {
                struct cli_audit_page page;
                if ((r = cli_audit_page_get(client, &q, after, &page)) != CLI_EXIT_OK)
                        return r;
                bool ok = verify_items(&st, page.items);
                bool more = page.more;
                after = page.next_after;
                cli_audit_page_clear(&page);
                if (!ok || !more)
                        break;
        }

        if (ctx->flags.json) {
                _cleanup_json_ json_t *doc = NULL;
                if (st.broken)
                        doc = json_pack("{s:b, s:I, s:I, s:s}", "ok", 0, "checked",
                                        (json_int_t) st.checked, "bad_seq", (json_int_t) st.bad_seq,
                                        "reason", st.reason);
                else
                        doc = json_pack("{s:b, s:I, s:I, s:s}", "ok", 1, "checked",
                                        (json_int_t) st.checked, "last_seq",
                                        (json_int_t) st.last_seq, "last_hash", st.prev_hash);
                if (!doc) /* a reason quoting invalid UTF-8 from the server */
                        doc = json_pack("{s:b, s:I, s:I, s:s}", "ok", 0, "checked",
                                        (json_int_t) st.checked, "bad_seq", (json_int_t) st.bad_seq,
                                        "reason", "malformed entry");
                cli_emit_json(doc);
                return st.broken ? CLI_EXIT_VERIFY : CLI_EXIT_OK;
        }
        r = print_result(ctx, !st.broken, st.checked, st.bad_seq, st.reason, "");
        if (r == CLI_EXIT_OK && st.checked > 0)
                printf("last entry: seq %" PRId64 ", hash %s\n", st.last_seq, st.prev_hash);
        return r;
}

static int audit_verify_run(struct cli_ctx *ctx, int argc, char **argv) {
        static const struct option options[] = {
                CLI_GLOBAL_LONG_OPTIONS,
                { "server", no_argument, NULL, OPT_SERVER },
                { 0 },
        };
        bool on_server = false;
        struct cli_client *client;
        int c, r;

        while ((c = getopt_long(argc, argv, CLI_GLOBAL_SHORT_OPTIONS, options, NULL)) != -1) {
                if (c == OPT_SERVER) {
                        on_server = true;
                        continue;
                }
                r = cli_option_common(ctx, c, argc, argv);
                if (r != CLI_CONTINUE)
                        return r;
        }
        if ((r = cli_positional(ctx, argc, argv, 0, "")) != CLI_CONTINUE)
                return r;
        if ((r = cli_ctx_client(ctx, &client)) != CLI_EXIT_OK)
                return r;
        return on_server ? verify_on_server(ctx, client) : verify_locally(ctx, client);
}

const struct cli_command cli_cmd_audit_verify = {
        .name = "verify",
        .summary = "Recompute the audit chain and report the first broken entry",
        .usage = "[--server]",
        .help = "Fetches every audit entry (GET /api/v1/audit, page by page) and recomputes the\n"
                "hash chain on this machine, without trusting the server's word. Prints\n"
                "\"audit chain OK: N entries\" and the last entry's seq and hash (record them:\n"
                "a server hiding its newest entries still shows a whole, shorter chain), or\n"
                "\"audit chain BROKEN at entry N: reason\" and exits 5. Needs admin, auditor or\n"
                "security-officer. With --json: {\"ok\", \"checked\", \"last_seq\", \"last_hash\"} or\n"
                "{\"ok\": false, \"checked\", \"bad_seq\", \"reason\"}.\n\n"
                "Options:\n"
                "  --server  ask the server to check instead (GET /api/v1/audit/verify)\n",
        .run = audit_verify_run,
};

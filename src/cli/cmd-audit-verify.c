/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cradle audit verify: recomputes the audit chain on this machine from the
 * entries the API returns (audit_verify_init / audit_verify_next), so a
 * server that was tampered with cannot simply say "ok". --server asks the
 * server's own check instead.
 *
 * What a local check cannot see: a server that hides the newest entries
 * presents a shorter chain that is still whole. The last seq and hash are
 * printed so they can be compared with a value recorded earlier; --checkpoint
 * compares the chain with signed checkpoints kept off the server (a truncation
 * behind one, or a rewrite at or before one, shows; audit/checkpoint.h).
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <gnutls/abstract.h>
#include <gnutls/x509.h>

#include "audit/audit.h"
#include "audit/checkpoint.h"
#include "cli/audit-page.h"
#include "cli/cli.h"
#include "cli/client.h"
#include "cli/command.h"
#include "cli/output.h"
#include "core/cleanup.h"
#include "core/fileio.h"
#include "core/json.h"
#include "core/strutil.h"

/* The largest page the API allows: fewest round trips. */
#define VERIFY_PAGE_LIMIT 1000

enum { OPT_SERVER = CLI_OPT_LOCAL_BASE, OPT_CHECKPOINT, OPT_KEY, OPT_KEY_FINGERPRINT };

/* The checkpoints to compare the chain with (--checkpoint), if any. */
struct verify_checkpoints {
        struct store_audit_checkpoint *list;
        size_t n;
        struct audit_checkpoint_check check;
};

/* Feeds a page to the verifier. An entry that is not even well-formed
 * breaks the chain at that entry. Returns false once broken. */
static bool verify_items(struct audit_verify_state *st, json_t *items, struct verify_checkpoints *cps) {
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
                /* Only an entry whose hash is its content's is compared with the checkpoints. */
                if (ok && cps)
                        audit_checkpoint_check_entry(&cps->check, &e);
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

static int verify_locally(struct cli_ctx *ctx, struct cli_client *client, struct verify_checkpoints *cps) {
        struct cli_audit_query q = { .limit = VERIFY_PAGE_LIMIT };
        struct audit_verify_state st;
        int64_t after = 0;
        int r;

        audit_verify_init(&st);
        for (;;) {
                struct cli_audit_page page;
                if ((r = cli_audit_page_get(client, &q, after, &page)) != CLI_EXIT_OK)
                        return r;
                bool ok = verify_items(&st, page.items, cps);
                bool more = page.more;
                after = page.next_after;
                cli_audit_page_clear(&page);
                if (!ok || !more)
                        break;
        }

        bool cp_ok = true;
        if (cps)
                cp_ok = audit_checkpoint_check_end(&cps->check, st.last_seq, st.broken);
        bool failed = st.broken || !cp_ok;

        if (ctx->flags.json) {
                _cleanup_json_ json_t *doc = NULL;
                if (st.broken)
                        doc = json_pack("{s:b, s:I, s:I, s:s}", "ok", 0, "checked",
                                        (json_int_t) st.checked, "bad_seq", (json_int_t) st.bad_seq,
                                        "reason", st.reason);
                else
                        doc = json_pack("{s:b, s:I, s:I, s:s}", "ok", cp_ok, "checked",
                                        (json_int_t) st.checked, "last_seq",
                                        (json_int_t) st.last_seq, "last_hash", st.prev_hash);
                if (!doc) /* a reason quoting invalid UTF-8 from the server */
                        doc = json_pack("{s:b, s:I, s:I, s:s}", "ok", 0, "checked",
                                        (json_int_t) st.checked, "bad_seq", (json_int_t) st.bad_seq,
                                        "reason", "malformed entry");
                if (cps) {
                        json_t *c = json_pack("{s:b, s:I, s:I}", "ok", cp_ok, "given", (json_int_t) cps->n,
                                              "matched", (json_int_t) cps->check.matched);
                        if (!cp_ok) {
                                json_object_set_new(c, "bad_seq", json_integer(cps->check.bad_seq));
                                json_object_set_new(c, "reason", json_string(cps->check.reason));
                        }
                        json_object_set_new(doc, "checkpoints", c);
                }
                cli_emit_json(doc);
                return failed ? CLI_EXIT_VERIFY : CLI_EXIT_OK;
        }
        /* A checkpoint difference found before a break is the earlier, and the clearer, finding. */
        if (!cp_ok)
                printf("audit log DOES NOT MATCH the checkpoints: %s\n", cps->check.reason);
        r = print_result(ctx, !st.broken, st.checked, st.bad_seq, st.reason, "");
        if (r == CLI_EXIT_OK && st.checked > 0)
                printf("last entry: seq %" PRId64 ", hash %s\n", st.last_seq, st.prev_hash);
        if (cps && cp_ok && !st.broken)
                printf("checkpoints OK: %zu of %zu match the chain (the newest at seq %" PRId64 ")\n",
                       cps->check.matched, cps->n, cps->list[cps->n - 1].seq);
        return failed ? CLI_EXIT_VERIFY : r;
}

/* The pinned key's fingerprint from --key FILE: a PEM public key or certificate. */
static int key_file_fingerprint(const char *path, char out[65]) {
        _cleanup_free_ char *pem = NULL;
        size_t len = 0;
        struct error err = {0};
        if (file_read_all(path, 64 * 1024, &pem, &len, &err) < 0)
                return cli_error(CLI_EXIT_LOCAL, "--key: %s", err.msg);
        gnutls_datum_t d = {(unsigned char *) pem, (unsigned) len};
        gnutls_pubkey_t pub = NULL;
        gnutls_x509_crt_t crt = NULL;
        int rc = gnutls_pubkey_init(&pub);
        if (rc >= 0 && gnutls_pubkey_import(pub, &d, GNUTLS_X509_FMT_PEM) < 0) {
                rc = gnutls_x509_crt_init(&crt);
                if (rc >= 0)
                        rc = gnutls_x509_crt_import(crt, &d, GNUTLS_X509_FMT_PEM);
                if (rc >= 0)
                        rc = gnutls_pubkey_import_x509(pub, crt, 0);
                if (crt)
                        gnutls_x509_crt_deinit(crt);
        }
        if (rc < 0) {
                gnutls_pubkey_deinit(pub);
                return cli_error(CLI_EXIT_LOCAL, "--key: %s is neither a PEM public key nor a PEM certificate", path);
        }
        rc = audit_checkpoint_key_fingerprint(pub, out, &err);
        gnutls_pubkey_deinit(pub);
        return rc < 0 ? cli_error(CLI_EXIT_LOCAL, "--key: %s", err.msg) : CLI_EXIT_OK;
}

/* Reads the checkpoint file and checks every signature before the chain is fetched. */
static int load_checkpoints(const char *path, const char *pinned, struct verify_checkpoints *cps) {
        _cleanup_free_ char *text = NULL;
        size_t len = 0;
        struct error err = {0};
        if (file_read_all(path, AUDIT_CHECKPOINT_FILE_MAX, &text, &len, &err) < 0)
                return cli_error(CLI_EXIT_LOCAL, "--checkpoint: %s", err.msg);
        if (audit_checkpoint_file_parse(text, len, &cps->list, &cps->n, &err) < 0)
                return cli_error(CLI_EXIT_USAGE, "--checkpoint %s: %s", path, err.msg);
        for (size_t i = 0; i < cps->n; i++)
                if (audit_checkpoint_verify(&cps->list[i], pinned, &err) < 0) {
                        _cleanup_free_ char *safe = cli_text_sanitize(err.msg, false);
                        printf("checkpoint REFUSED: %s\n", safe);
                        return CLI_EXIT_VERIFY;
                }
        audit_checkpoint_check_init(&cps->check, cps->list, cps->n);
        return CLI_EXIT_OK;
}

static bool fingerprint_normalise(const char *in, char out[65]) {
        if (strlen(in) != 64)
                return false;
        for (size_t i = 0; i < 64; i++) {
                char ch = in[i];
                if (ch >= 'A' && ch <= 'F')
                        ch = (char) (ch - 'A' + 'a');
                if (!((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f')))
                        return false;
                out[i] = ch;
        }
        out[64] = '\0';
        return true;
}

static int audit_verify_run(struct cli_ctx *ctx, int argc, char **argv) {
        static const struct option options[] = {
                CLI_GLOBAL_LONG_OPTIONS,
                { "server", no_argument, NULL, OPT_SERVER },
                { "checkpoint", required_argument, NULL, OPT_CHECKPOINT },
                { "key", required_argument, NULL, OPT_KEY },
                { "key-fingerprint", required_argument, NULL, OPT_KEY_FINGERPRINT },
                { 0 },
        };
        bool on_server = false;
        const char *checkpoint = NULL, *key = NULL, *fp_arg = NULL;
        struct cli_client *client;
        int c, r;

        while ((c = getopt_long(argc, argv, CLI_GLOBAL_SHORT_OPTIONS, options, NULL)) != -1) {
                switch (c) {
                case OPT_SERVER: on_server = true; continue;
                case OPT_CHECKPOINT: checkpoint = optarg; continue;
                case OPT_KEY: key = optarg; continue;
                case OPT_KEY_FINGERPRINT: fp_arg = optarg; continue;
                default: break;
                }
                r = cli_option_common(ctx, c, argc, argv);
                if (r != CLI_CONTINUE)
                        return r;
        }
        if ((r = cli_positional(ctx, argc, argv, 0, "")) != CLI_CONTINUE)
                return r;
        char pinned[65] = "";
        if (checkpoint) {
                if (on_server)
                        return cli_usage_error(ctx, "--checkpoint is checked on this machine; it cannot be used with --server");
                if (!key == !fp_arg)
                        return cli_usage_error(ctx, "--checkpoint needs the pinned key: --key FILE or --key-fingerprint "
                                                    "HEX (one of them; a checkpoint's own key proves nothing)");
                if (fp_arg && !fingerprint_normalise(fp_arg, pinned))
                        return cli_usage_error(ctx, "option '--key-fingerprint': '%.80s' is not 64 hex digits (the "
                                                    "SHA-256 of the key's SubjectPublicKeyInfo)", fp_arg);
                if (key && (r = key_file_fingerprint(key, pinned)) != CLI_EXIT_OK)
                        return r;
        } else if (key || fp_arg) {
                return cli_usage_error(ctx, "--key and --key-fingerprint go with --checkpoint FILE");
        }
        struct verify_checkpoints cps = {0};
        if (checkpoint && (r = load_checkpoints(checkpoint, pinned, &cps)) != CLI_EXIT_OK) {
                store_audit_checkpoint_list_free(cps.list, cps.n);
                return r;
        }
        if ((r = cli_ctx_client(ctx, &client)) != CLI_EXIT_OK) {
                store_audit_checkpoint_list_free(cps.list, cps.n);
                return r;
        }
        r = on_server ? verify_on_server(ctx, client) : verify_locally(ctx, client, checkpoint ? &cps : NULL);
        store_audit_checkpoint_list_free(cps.list, cps.n);
        return r;
}

const struct cli_command cli_cmd_audit_verify = {
        .name = "verify",
        .summary = "Recompute the audit chain and report the first broken entry",
        .usage = "[--server] [--checkpoint FILE (--key FILE | --key-fingerprint HEX)]",
        .help = "Fetches every audit entry (GET /api/v1/audit, page by page) and recomputes the\n"
                "hash chain on this machine, without trusting the server's word. Prints\n"
                "\"audit chain OK: N entries\" and the last entry's seq and hash (record them:\n"
                "a server hiding its newest entries still shows a whole, shorter chain), or\n"
                "\"audit chain BROKEN at entry N: reason\" and exits 5. Needs admin, auditor or\n"
                "security-officer. With --json: {\"ok\", \"checked\", \"last_seq\", \"last_hash\"} or\n"
                "{\"ok\": false, \"checked\", \"bad_seq\", \"reason\"}.\n\n"
                "With --checkpoint FILE (an export of `cradle audit checkpoints` or a witness\n"
                "file), every checkpoint's signature is checked against the pinned key first,\n"
                "then the chain must still have each checkpoint's hash at its seq: a truncation\n"
                "behind a checkpoint, a rewrite at or before one, or a checkpoint of another\n"
                "deployment is reported as \"audit log DOES NOT MATCH the checkpoints: ...\"\n"
                "naming the seq (exit 5); a forged or altered checkpoint as \"checkpoint\n"
                "REFUSED: ...\" (exit 5).\n\n"
                "Options:\n"
                "  --server               ask the server to check instead (GET /api/v1/audit/verify)\n"
                "  --checkpoint FILE      compare the chain with the signed checkpoints in FILE\n"
                "  --key FILE             the audit-checkpoint public key (PEM key or certificate)\n"
                "  --key-fingerprint HEX  or its SHA-256 fingerprint (cradled logs it at start)\n",
        .run = audit_verify_run,
};

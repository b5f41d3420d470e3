/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cradle debug request|token|list|key (issue 11, section 4): debug
 * authorisation. A request is an approval request for debug.issue; the
 * approval that completes it (cradle approval approve) issues the token.
 */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/client.h"
#include "cli/cmd-common.h"
#include "cli/command.h"
#include "core/cleanup.h"
#include "core/strutil.h"
#include "crypto/encoding.h"
#include "debug/token.h"

static const struct cli_field token_fields[] = {
        { "token id", "token_id" }, { "serial", "serial" }, { "scope", "scope" },
        { "not before", "not_before" }, { "not after", "not_after" }, { "approvers", "approvers" },
        { "key fingerprint", "key_fingerprint" },
};

static const struct cli_field list_cols[] = {
        { "TOKEN", "token_id" }, { "SERIAL", "serial" }, { "SCOPE", "scope" }, { "ISSUED", "issued_at" },
        { "NOT AFTER", "not_after" }, { "REQUESTER", "requester" }, { "APPROVERS", "approvers" },
        { "REQUEST", "approval_id" },
};

enum { OPT_CHALLENGE = CLI_OPT_LOCAL_BASE, OPT_JUSTIFICATION, OPT_OUT, OPT_DEVICE };

/* The challenge file: the raw bytes cradle-agent wrote with --out, or the
 * base64 it printed without. */
static int challenge_b64(const char *path, char **out) {
        _cleanup_free_ char *data = NULL;
        size_t len = 0;
        int r = cli_read_file("--challenge", path, 4 * DEBUG_CHALLENGE_MAX, &data, &len);
        if (r != CLI_EXIT_OK)
                return r;
        if (len >= DEBUG_MAGIC_LEN && memcmp(data, DEBUG_CHALLENGE_MAGIC, DEBUG_MAGIC_LEN) == 0) {
                if (len > DEBUG_CHALLENGE_MAX)
                        return cli_error(CLI_EXIT_LOCAL, "--challenge: %s is larger than %d bytes", path,
                                         DEBUG_CHALLENGE_MAX);
                *out = base64_encode((const uint8_t *) data, len);
                return CLI_EXIT_OK;
        }
        size_t n = strcspn(data, "\r\n");
        if (data[n] && data[n + strspn(data + n, "\r\n")])
                return cli_error(CLI_EXIT_LOCAL, "--challenge: %s is neither a challenge nor one line of base64", path);
        data[n] = 0;
        *out = str_dup(data);
        return CLI_EXIT_OK;
}

static int debug_request_run(struct cli_ctx *ctx, int argc, char **argv) {
        static const struct option options[] = {
                CLI_GLOBAL_LONG_OPTIONS,
                { "challenge", required_argument, NULL, OPT_CHALLENGE },
                { "justification", required_argument, NULL, OPT_JUSTIFICATION },
                { 0 },
        };
        const char *challenge = NULL, *why = NULL;
        int c, r;
        while ((c = getopt_long(argc, argv, CLI_GLOBAL_SHORT_OPTIONS, options, NULL)) != -1) {
                switch (c) {
                case OPT_CHALLENGE: challenge = optarg; break;
                case OPT_JUSTIFICATION: why = optarg; break;
                default:
                        if ((r = cli_option_common(ctx, c, argc, argv)) != CLI_CONTINUE)
                                return r;
                }
        }
        if ((r = cli_positional(ctx, argc, argv, 0, "")) != CLI_CONTINUE ||
            (r = cli_require(ctx, challenge, "--challenge FILE")) != CLI_CONTINUE ||
            (r = cli_require(ctx, why, "--justification TEXT")) != CLI_CONTINUE)
                return r;
        _cleanup_free_ char *b64 = NULL;
        if ((r = challenge_b64(challenge, &b64)) != CLI_EXIT_OK)
                return r;
        _cleanup_json_ json_t *body = json_pack("{s:s, s:s}", "challenge", b64, "justification", why);
        if (!body)
                return cli_usage_error(ctx, "option '--justification' must be valid UTF-8");
        return cli_send_show(ctx, "POST", "/api/v1/debug/requests", body, token_fields, ELEMENTSOF(token_fields));
}

static int debug_token_run(struct cli_ctx *ctx, int argc, char **argv) {
        static const struct option options[] = {
                CLI_GLOBAL_LONG_OPTIONS,
                { "out", required_argument, NULL, OPT_OUT },
                { 0 },
        };
        const char *out = NULL;
        int c, r;
        int64_t id;
        while ((c = getopt_long(argc, argv, CLI_GLOBAL_SHORT_OPTIONS, options, NULL)) != -1) {
                if (c == OPT_OUT)
                        out = optarg;
                else if ((r = cli_option_common(ctx, c, argc, argv)) != CLI_CONTINUE)
                        return r;
        }
        if ((r = cli_positional(ctx, argc, argv, 1, "REQUEST")) != CLI_CONTINUE ||
            (r = cli_require(ctx, out, "--out FILE")) != CLI_CONTINUE)
                return r;
        if (str_to_int64(argv[optind], 1, INT64_MAX, &id) < 0)
                return cli_usage_error(ctx, "REQUEST: '%s' is not an approval request id", argv[optind]);
        struct cli_client *client;
        _cleanup_json_ json_t *doc = NULL;
        _cleanup_free_ char *path = str_printf("/api/v1/debug/requests/%lld/token", (long long) id);
        if ((r = cli_ctx_client(ctx, &client)) != CLI_EXIT_OK ||
            (r = cli_client_request(client, "GET", path, NULL, &doc)) != CLI_EXIT_OK)
                return r;
        const char *b64 = json_string_value(json_object_get(doc, "token"));
        _cleanup_free_ uint8_t *raw = NULL;
        size_t len = 0;
        struct error err = { 0 };
        if (!b64 || base64_decode(b64, strlen(b64), &raw, &len, &err) < 0)
                return cli_error(CLI_EXIT_SERVER, "GET %s: the answer has no valid \"token\"", path);
        if ((r = cli_write_file("--out", out, raw, len, 0600, false)) != CLI_EXIT_OK)
                return r;
        if (ctx->flags.json)
                return cli_emit_json(doc);
        fprintf(stderr, "wrote debug token %s (%zu bytes) to %s\n",
                json_string_value(json_object_get(doc, "token_id")), len, out);
        return cli_print_object(doc, token_fields, ELEMENTSOF(token_fields));
}

static int debug_list_run(struct cli_ctx *ctx, int argc, char **argv) {
        static const struct option options[] = {
                CLI_GLOBAL_LONG_OPTIONS,
                { "device", required_argument, NULL, OPT_DEVICE },
                { 0 },
        };
        const char *device = NULL;
        int c, r;
        while ((c = getopt_long(argc, argv, CLI_GLOBAL_SHORT_OPTIONS, options, NULL)) != -1) {
                if (c == OPT_DEVICE)
                        device = optarg;
                else if ((r = cli_option_common(ctx, c, argc, argv)) != CLI_CONTINUE)
                        return r;
        }
        if ((r = cli_positional(ctx, argc, argv, 0, "")) != CLI_CONTINUE)
                return r;
        struct buf q = {0};
        if (device)
                cli_query_add(&q, "device", device);
        _cleanup_free_ char *query = buf_steal(&q);
        _cleanup_free_ char *path = str_printf("/api/v1/debug/tokens%s", query ? query : "");
        return cli_send_list(ctx, path, list_cols, ELEMENTSOF(list_cols));
}

static int debug_key_run(struct cli_ctx *ctx, int argc, char **argv) {
        static const struct option options[] = {
                CLI_GLOBAL_LONG_OPTIONS,
                { "out", required_argument, NULL, OPT_OUT },
                { 0 },
        };
        const char *out = NULL;
        int c, r;
        while ((c = getopt_long(argc, argv, CLI_GLOBAL_SHORT_OPTIONS, options, NULL)) != -1) {
                if (c == OPT_OUT)
                        out = optarg;
                else if ((r = cli_option_common(ctx, c, argc, argv)) != CLI_CONTINUE)
                        return r;
        }
        if ((r = cli_positional(ctx, argc, argv, 0, "")) != CLI_CONTINUE ||
            (r = cli_require(ctx, out, "--out FILE")) != CLI_CONTINUE)
                return r;
        struct cli_client *client;
        _cleanup_json_ json_t *doc = NULL;
        if ((r = cli_ctx_client(ctx, &client)) != CLI_EXIT_OK ||
            (r = cli_client_request(client, "GET", "/api/v1/debug/key", NULL, &doc)) != CLI_EXIT_OK)
                return r;
        const char *pem = json_string_value(json_object_get(doc, "public_key"));
        if (!pem)
                return cli_error(CLI_EXIT_SERVER, "GET /api/v1/debug/key: the answer has no \"public_key\"");
        if ((r = cli_write_file("--out", out, pem, strlen(pem), 0644, true)) != CLI_EXIT_OK)
                return r;
        fprintf(stderr, "wrote the debug-auth public key to %s: install it as the devices' [debug] trust_anchor\n",
                out);
        return CLI_EXIT_OK;
}

static const struct cli_command debug_request = {
        .name = "request",
        .summary = "Ask for a debug token for a device's challenge (goes through approval)",
        .usage = "--challenge FILE --justification TEXT",
        .help = "Submits a challenge made on the device by 'cradle-agent debug challenge'\n"
                "(POST /api/v1/debug/requests; admin, release-manager, security-officer, factory).\n"
                "The device must be registered. The request is an approval request for the\n"
                "operation debug.issue: its parameters are the challenge and what it names\n"
                "(serial, device id, scope, security version), so approvers see exactly what\n"
                "the token will allow. The approval that completes it issues the token; fetch\n"
                "it with 'cradle debug token REQUEST --out FILE'.\n\n"
                "Options:\n"
                "  --challenge FILE       the challenge: raw bytes, or the base64 line the agent printed\n"
                "  --justification TEXT   why, e.g. a ticket reference (required; approvers see it)\n",
        .run = debug_request_run,
};

static const struct cli_command debug_token = {
        .name = "token",
        .summary = "Fetch the token an approved request issued",
        .usage = "REQUEST --out FILE",
        .help = "Writes the debug token issued by approval request REQUEST to FILE (raw bytes,\n"
                "mode 0600; an existing file is not replaced) for 'cradle-agent debug verify\n"
                "--token FILE' on the device (GET /api/v1/debug/requests/REQUEST/token).\n\n"
                "Options:\n"
                "  --out FILE   where to write the token\n",
        .run = debug_token_run,
};

static const struct cli_command debug_list = {
        .name = "list",
        .summary = "List issued debug tokens, with who asked and who approved",
        .usage = "[--device SERIAL]",
        .help = "Lists every debug token issued, newest first, with its scope, validity,\n"
                "requester and approvers (GET /api/v1/debug/tokens; every role).\n\n"
                "Options:\n"
                "  --device SERIAL   only the tokens of this device\n",
        .run = debug_list_run,
};

static const struct cli_command debug_key = {
        .name = "key",
        .summary = "Write the debug-auth public key (the devices' trust anchor)",
        .usage = "--out FILE",
        .help = "Writes the server's debug-auth public key as PEM to FILE (GET\n"
                "/api/v1/debug/key; every role). The key is made on first use and entered in\n"
                "the key registry (class debug-auth). Install it on devices as [debug]\n"
                "trust_anchor.\n\n"
                "Options:\n"
                "  --out FILE   where to write the PEM public key\n",
        .run = debug_key_run,
};

static const struct cli_command *const debug_subs[] = { &debug_request, &debug_token, &debug_list, &debug_key,
                                                        NULL };

const struct cli_command cli_cmd_debug = {
        .name = "debug",
        .summary = "Debug-authorisation tokens for devices (challenge-response)",
        .subs = debug_subs,
};

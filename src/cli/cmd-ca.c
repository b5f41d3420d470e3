/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cradle ca create|install|list: device-issuing CAs on the server. create
 * makes the CA's key on the server (or names one on its HSM) and returns a
 * CSR for the offline root ('cradle pki sign-intermediate'); install hands
 * the signed certificate back, which makes the CA active.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/client.h"
#include "cli/cmd-common.h"
#include "cli/command.h"
#include "cli/output.h"
#include "core/cleanup.h"
#include "core/strutil.h"

#define CA_PEM_MAX (64 * 1024)

enum { OPT_PRODUCT = CLI_OPT_LOCAL_BASE, OPT_NAME, OPT_KEY_REF, OPT_OUT_CSR, OPT_CERT, OPT_CHAIN, OPT_JUSTIFICATION };

static const struct cli_field ca_fields[] = {
        { "name", "name" }, { "product", "product" }, { "status", "status" }, { "key", "key_ref" },
        { "fingerprint", "fingerprint_sha256" }, { "not after", "not_after" },
        { "crl number", "crl_number" }, { "crl next update", "crl_next_update" },
        { "created at", "created_at" }, { "activated at", "activated_at" }, { "retired at", "retired_at" },
};

static int ca_create_run(struct cli_ctx *ctx, int argc, char **argv) {
        static const struct option options[] = {
                CLI_GLOBAL_LONG_OPTIONS,
                { "product", required_argument, NULL, OPT_PRODUCT },
                { "name", required_argument, NULL, OPT_NAME },
                { "key-ref", required_argument, NULL, OPT_KEY_REF },
                { "out-csr", required_argument, NULL, OPT_OUT_CSR },
                { 0 },
        };
        const char *product = NULL, *name = NULL, *key_ref = NULL, *out_csr = NULL;
        struct cli_client *client;
        _cleanup_json_ json_t *doc = NULL, *body = NULL;
        int c, r;

        while ((c = getopt_long(argc, argv, CLI_GLOBAL_SHORT_OPTIONS, options, NULL)) != -1) {
                switch (c) {
                case OPT_PRODUCT: product = optarg; break;
                case OPT_NAME: name = optarg; break;
                case OPT_KEY_REF: key_ref = optarg; break;
                case OPT_OUT_CSR: out_csr = optarg; break;
                default:
                        if ((r = cli_option_common(ctx, c, argc, argv)) != CLI_CONTINUE)
                                return r;
                }
        }
        if ((r = cli_positional(ctx, argc, argv, 0, "")) != CLI_CONTINUE ||
            (r = cli_require(ctx, product, "--product MODEL")) != CLI_CONTINUE ||
            (r = cli_require(ctx, name, "--name NAME")) != CLI_CONTINUE)
                return r;
        if (out_csr && strcmp(out_csr, "-") != 0 && access(out_csr, F_OK) == 0)
                return cli_error(CLI_EXIT_LOCAL, "--out-csr: %s exists already; not overwriting it", out_csr);
        body = json_pack("{s:s, s:s}", "product", product, "name", name);
        if (key_ref)
                json_object_set_new(body, "key_ref", json_string(key_ref));
        if (!body)
                return cli_usage_error(ctx, "options must be valid UTF-8");
        if ((r = cli_ctx_client(ctx, &client)) != CLI_EXIT_OK ||
            (r = cli_client_request(client, "POST", "/api/v1/device-cas", body, &doc)) != CLI_EXIT_OK ||
            (r = cli_expect_object(doc, "POST /api/v1/device-cas")) != CLI_EXIT_OK)
                return r;
        const char *csr = json_string_value(json_object_get(doc, "csr"));
        if (!csr || !str_startswith(csr, "-----BEGIN"))
                return cli_error(CLI_EXIT_SERVER, "the server's answer has no CSR");
        if (out_csr && (r = cli_write_file("--out-csr", out_csr, csr, strlen(csr), 0644, false)) != CLI_EXIT_OK)
                return r;
        if (ctx->flags.json)
                return cli_emit_json(doc);
        cli_print_object(doc, ca_fields, ELEMENTSOF(ca_fields));
        if (out_csr) {
                fprintf(stderr, "wrote the CSR to %s; sign it offline with\n"
                                "  cradle pki sign-intermediate --root-key REF --root-cert root.pem --csr %s --out ca.pem\n",
                        out_csr, out_csr);
        } else {
                _cleanup_free_ char *safe = cli_text_sanitize(csr, true);
                printf("%s", safe);
        }
        return CLI_EXIT_OK;
}

static int ca_install_run(struct cli_ctx *ctx, int argc, char **argv) {
        static const struct option options[] = {
                CLI_GLOBAL_LONG_OPTIONS,
                { "cert", required_argument, NULL, OPT_CERT },
                { "chain", required_argument, NULL, OPT_CHAIN },
                { "justification", required_argument, NULL, OPT_JUSTIFICATION },
                { 0 },
        };
        const char *cert = NULL, *chain = NULL, *why = NULL;
        int c, r;

        while ((c = getopt_long(argc, argv, CLI_GLOBAL_SHORT_OPTIONS, options, NULL)) != -1) {
                switch (c) {
                case OPT_CERT: cert = optarg; break;
                case OPT_CHAIN: chain = optarg; break;
                case OPT_JUSTIFICATION: why = optarg; break;
                default:
                        if ((r = cli_option_common(ctx, c, argc, argv)) != CLI_CONTINUE)
                                return r;
                }
        }
        if ((r = cli_positional(ctx, argc, argv, 1, "NAME")) != CLI_CONTINUE ||
            (r = cli_require(ctx, cert, "--cert FILE")) != CLI_CONTINUE ||
            (r = cli_require(ctx, chain, "--chain FILE")) != CLI_CONTINUE)
                return r;
        _cleanup_free_ char *cert_pem = NULL, *chain_pem = NULL;
        size_t len;
        if ((r = cli_read_file("--cert", cert, CA_PEM_MAX, &cert_pem, &len)) != CLI_EXIT_OK ||
            (r = cli_read_file("--chain", chain, CA_PEM_MAX, &chain_pem, &len)) != CLI_EXIT_OK)
                return r;
        _cleanup_json_ json_t *body = json_pack("{s:s, s:s}", "certificate", cert_pem, "chain", chain_pem);
        if (!body)
                return cli_error(CLI_EXIT_LOCAL, "--cert / --chain: not PEM text");
        _cleanup_free_ char *name = cli_client_escape(argv[optind]);
        struct buf q = {0};
        if (why)
                cli_query_add(&q, "justification", why);
        _cleanup_free_ char *query = buf_steal(&q);
        _cleanup_free_ char *path = str_printf("/api/v1/device-cas/%s/certificate%s", name, query ? query : "");
        return cli_send_show(ctx, "PUT", path, body, ca_fields, ELEMENTSOF(ca_fields));
}

static int ca_list_run(struct cli_ctx *ctx, int argc, char **argv) {
        static const struct cli_field cols[] = {
                { "NAME", "name" }, { "PRODUCT", "product" }, { "STATUS", "status" },
                { "NOT AFTER", "not_after" }, { "CRL", "crl_number" }, { "KEY", "key_ref" },
        };
        int r;
        if ((r = cli_parse_positional_only(ctx, argc, argv, 0, "")) != CLI_CONTINUE)
                return r;
        return cli_send_list(ctx, "/api/v1/device-cas", cols, ELEMENTSOF(cols));
}

static const struct cli_command ca_create = {
        .name = "create",
        .summary = "Create a device CA: its key and a CSR for the root",
        .usage = "--product MODEL --name NAME [--key-ref URI] [--out-csr FILE]",
        .help = "Creates a device-issuing CA for a product (POST /api/v1/device-cas; admin). The\n"
                "server generates an ECDSA P-256 key file in its data directory, or uses\n"
                "--key-ref (a pkcs11: URI on the server's HSM, or a key file there), and\n"
                "returns a CSR. The CA stays pending until 'cradle ca install'.\n\n"
                "Options:\n"
                "  --product MODEL   the product whose devices it issues for\n"
                "  --name NAME       the CA's name ([A-Za-z0-9._-], 1..64): its CRL is\n"
                "                    /pki/crl/NAME.crl\n"
                "  --key-ref URI     a key the server already has (pkcs11: URI or file)\n"
                "  --out-csr FILE    write the CSR to FILE (else it is printed)\n",
        .run = ca_create_run,
};

static const struct cli_command ca_install = {
        .name = "install",
        .summary = "Install a device CA's signed certificate",
        .usage = "NAME --cert FILE --chain FILE [--justification TEXT]",
        .help = "Installs the certificate the root signed for CA NAME, with its issuer chain\n"
                "(PUT /api/v1/device-cas/NAME/certificate; admin). The CA becomes the\n"
                "product's active one and is trusted for device authentication at once.\n"
                "When it replaces an active CA, that CA is retired: this is governed\n"
                "(device-ca.retire, docs/keys.md) and by default creates an approval request\n"
                "that runs once two other users approve it (cradle approval approve).\n\n"
                "Options:\n"
                "  --cert FILE            the CA certificate (PEM)\n"
                "  --chain FILE           its issuer chain up to the root (PEM bundle)\n"
                "  --justification TEXT   why (a ticket reference); recorded in the request\n",
        .run = ca_install_run,
};

static const struct cli_command ca_list = {
        .name = "list",
        .summary = "List device CAs",
        .usage = "",
        .help = "Lists the device CAs (GET /api/v1/device-cas; admin, auditor).\n",
        .run = ca_list_run,
};

static const struct cli_command *const ca_subs[] = { &ca_create, &ca_install, &ca_list, NULL };

const struct cli_command cli_cmd_ca = {
        .name = "ca",
        .summary = "Manage device-issuing CAs",
        .subs = ca_subs,
};

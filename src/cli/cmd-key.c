/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cradle key generate: the signing keys that `cradle repo init`, `release
 * sign`, `director init` and `pki root-create` take, made where they will be
 * used (a ceremony machine, a release manager's laptop, a token), never by
 * the server. Runs locally and talks to no server.
 *
 * The private key is never printed: what an operator records and hands over
 * is the TUF keyid and the public key (PEM), which is what `repo init
 * --targets-pubkey` reads.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gnutls/abstract.h>

#include "cli/cli.h"
#include "cli/cmd-common.h"
#include "cli/command.h"
#include "core/cleanup.h"
#include "core/fileio.h"
#include "core/json.h"
#include "core/strutil.h"
#include "crypto/key.h"
#include "tuf/key.h"
#include "tuf/sign.h"

enum {
        OPT_TYPE = CLI_OPT_LOCAL_BASE,
        OPT_OUT,
        OPT_PKCS11,
        OPT_PUBOUT,
};

/* TUF metadata takes Ed25519 and ECDSA P-256 keys only (tuf/key.h). */
static int parse_type(struct cli_ctx *ctx, const char *name, enum crypto_key_type *out) {
        if (strcasecmp(name, "ed25519") == 0) {
                *out = CRYPTO_KEY_ED25519;
                return CLI_CONTINUE;
        }
        if (strcasecmp(name, "p256") == 0 || strcasecmp(name, "ecdsa-p256") == 0) {
                *out = CRYPTO_KEY_EC_P256;
                return CLI_CONTINUE;
        }
        return cli_usage_error(ctx, "option '--type': '%s' is not a key type (ed25519 or p256)", name);
}

static void gnutls_datum_freep(gnutls_datum_t *d) {
        gnutls_free(d->data);
}

static int key_generate_run(struct cli_ctx *ctx, int argc, char **argv) {
        static const struct option options[] = {
                CLI_GLOBAL_LONG_OPTIONS,
                { "type", required_argument, NULL, OPT_TYPE },
                { "out", required_argument, NULL, OPT_OUT },
                { "pkcs11", required_argument, NULL, OPT_PKCS11 },
                { "pubout", required_argument, NULL, OPT_PUBOUT },
                { 0 },
        };
        const char *out = NULL, *uri = NULL, *pubout = NULL;
        enum crypto_key_type type = CRYPTO_KEY_ED25519;
        struct error err = { 0 };
        int c, r;

        while ((c = getopt_long(argc, argv, CLI_GLOBAL_SHORT_OPTIONS, options, NULL)) != -1) {
                switch (c) {
                case OPT_TYPE:
                        if ((r = parse_type(ctx, optarg, &type)) != CLI_CONTINUE)
                                return r;
                        break;
                case OPT_OUT: out = optarg; break;
                case OPT_PKCS11: uri = optarg; break;
                case OPT_PUBOUT: pubout = optarg; break;
                default:
                        if ((r = cli_option_common(ctx, c, argc, argv)) != CLI_CONTINUE)
                                return r;
                }
        }
        if ((r = cli_positional(ctx, argc, argv, 0, "")) != CLI_CONTINUE)
                return r;
        if (!out == !uri)
                return cli_usage_error(ctx, "give exactly one of '--out FILE' (a key file) or '--pkcs11 URI' "
                                            "(a key on a token)");
        if (out && !*out)
                return cli_usage_error(ctx, "option '--out' must not be empty");
        if (out && str_startswith(out, "pkcs11:"))
                return cli_usage_error(ctx, "--out takes a file name; for a token use --pkcs11 '%s'", out);
        if (uri && !str_startswith(uri, "pkcs11:"))
                return cli_usage_error(ctx, "option '--pkcs11': '%s' is not a pkcs11: URI "
                                            "(e.g. 'pkcs11:token=ceremony;object=root-1')", uri);
        if (pubout && file_exists(pubout))
                return cli_error(CLI_EXIT_LOCAL, "--pubout: %s exists already; not overwriting it", pubout);

        if (out) {
                if (crypto_key_generate_new_file(out, type, &err) < 0)
                        return cli_error(CLI_EXIT_LOCAL, "--out: %s", err.msg);
        } else if (crypto_key_generate_pkcs11(uri, type, &err) < 0) {
                if (type == CRYPTO_KEY_ED25519 && err.kind == ERROR_CRYPTO)
                        return cli_error(CLI_EXIT_LOCAL, "--pkcs11: %s (tokens that cannot make Ed25519 keys, "
                                                         "such as SoftHSM2 through GnuTLS, take --type p256)",
                                         err.msg);
                return cli_error(CLI_EXIT_LOCAL, "--pkcs11: %s", err.msg);
        }

        /* Load it back the way every signer will: proves it is usable and
         * gives the public half. */
        const char *ref = out ? out : uri;
        _cleanup_crypto_key_ struct crypto_key *key = NULL;
        _cleanup_tuf_key_ struct tuf_key *tk = NULL;
        if (crypto_key_load(ref, &key, &err) < 0 || tuf_key_from_crypto_key(key, &tk, &err) < 0)
                return cli_error(CLI_EXIT_LOCAL, "the new key %s: %s", ref, err.msg);
        _cleanup_(gnutls_datum_freep) gnutls_datum_t pem = { 0 };
        int rc = gnutls_pubkey_export2(crypto_key_pubkey(key), GNUTLS_X509_FMT_PEM, &pem);
        if (rc < 0)
                return cli_error(CLI_EXIT_LOCAL, "the new key %s: cannot export its public key: %s", ref,
                                 gnutls_strerror(rc));
        if (pubout && (r = cli_write_file("--pubout", pubout, pem.data, pem.size, 0644, false)) != CLI_EXIT_OK)
                return r;

        if (ctx->flags.json) {
                _cleanup_json_ json_t *doc = json_pack("{s:s, s:s, s:s, s:s%, s:b}", "key", ref, "type",
                                                       crypto_key_describe(key), "keyid", tuf_key_id(tk),
                                                       "public_key", (const char *) pem.data, (size_t) pem.size,
                                                       "pkcs11", uri != NULL);
                if (pubout)
                        json_object_set_new(doc, "pubout", json_string(pubout));
                return cli_emit_json(doc);
        }
        printf("key:    %s (%s%s)\n", ref, crypto_key_describe(key), out ? ", mode 0600" : ", on the token");
        printf("keyid:  %s\n", tuf_key_id(tk));
        if (pubout)
                printf("public: %s\n", pubout);
        printf("%.*s", (int) pem.size, (const char *) pem.data);
        return CLI_EXIT_OK;
}

static const struct cli_command cmd_key_generate = {
        .name = "generate",
        .summary = "Generate a signing key: a file (0600) or on a PKCS#11 token (local)",
        .usage = "(--out FILE | --pkcs11 URI) [--type ed25519|p256] [--pubout FILE]",
        .help = "Generates a signing key for the TUF image repository (repo init, release\n"
                "sign), the director (director init) or the offline PKI root, and prints its\n"
                "TUF keyid and public key. The private key is never printed. Runs locally\n"
                "and talks to no server.\n\n"
                "Options:\n"
                "  --out FILE        a new PKCS#8 PEM key file, mode 0600; an existing file is\n"
                "                    never overwritten\n"
                "  --pkcs11 URI      generate on a token instead: 'pkcs11:token=T;object=LABEL'\n"
                "                    (PIN from CRADLE_PKCS11_PIN or CRADLE_PKCS11_PIN_FILE;\n"
                "                    extra module from CRADLE_PKCS11_MODULE); the private key is\n"
                "                    sensitive and not extractable; a label in use is refused\n"
                "  --type TYPE       ed25519 (default) or p256 (ECDSA P-256; also 'ecdsa-p256')\n"
                "  --pubout FILE     also write the public key (PEM) to FILE, e.g. for\n"
                "                    'cradle repo init --targets-pubkey FILE'\n"
                "With --json: {\"key\", \"type\", \"keyid\", \"public_key\", \"pkcs11\"[, \"pubout\"]}.\n",
        .run = key_generate_run,
};

static const struct cli_command *const key_subs[] = { &cmd_key_generate, NULL };

const struct cli_command cli_cmd_key = {
        .name = "key",
        .summary = "Signing keys for repositories, releases and the director (local, no server)",
        .subs = key_subs,
};

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cradle kek generate: the server's key-encryption key (issue 11 section 6,
 * docs/keys.md "Secrets at rest"), made where it will live: a key file outside
 * the database's directory and backups, or an AES-256 key on a token that
 * never lets it out. Runs locally and talks to no server; cradled takes it
 * from [kek] ref.
 */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/cmd-common.h"
#include "cli/command.h"
#include "core/cleanup.h"
#include "core/json.h"
#include "core/strutil.h"
#include "secret/kek.h"

enum {
        OPT_FILE = CLI_OPT_LOCAL_BASE,
        OPT_PKCS11,
};

static int kek_generate_run(struct cli_ctx *ctx, int argc, char **argv) {
        static const struct option options[] = {
                CLI_GLOBAL_LONG_OPTIONS,
                { "file", required_argument, NULL, OPT_FILE },
                { "pkcs11", required_argument, NULL, OPT_PKCS11 },
                { 0 },
        };
        const char *file = NULL, *uri = NULL;
        struct error err = { 0 };
        int c, r;

        while ((c = getopt_long(argc, argv, CLI_GLOBAL_SHORT_OPTIONS, options, NULL)) != -1) {
                switch (c) {
                case OPT_FILE: file = optarg; break;
                case OPT_PKCS11: uri = optarg; break;
                default:
                        if ((r = cli_option_common(ctx, c, argc, argv)) != CLI_CONTINUE)
                                return r;
                }
        }
        if ((r = cli_positional(ctx, argc, argv, 0, "")) != CLI_CONTINUE)
                return r;
        if (!file == !uri)
                return cli_usage_error(ctx, "give exactly one of '--file PATH' (a key file) or '--pkcs11 URI' "
                                            "(an AES-256 key on a token)");
        if (file && (!*file || str_startswith(file, "pkcs11:")))
                return cli_usage_error(ctx, "--file takes a file name; for a token use --pkcs11 URI");
        if (uri && !str_startswith(uri, "pkcs11:"))
                return cli_usage_error(ctx, "option '--pkcs11': '%s' is not a pkcs11: URI "
                                            "(e.g. 'pkcs11:token=cradle;object=kek-1')", uri);
        if (file ? kek_generate_file(file, &err) < 0 : kek_generate_pkcs11(uri, &err) < 0)
                return cli_error(CLI_EXIT_LOCAL, "%s: %s", file ? "--file" : "--pkcs11", err.msg);

        /* Load it back the way cradled will: proves it works and gives the
         * fingerprint sealed values name. */
        const char *ref = file ? file : uri;
        _cleanup_kek_ struct kek *k = NULL;
        if (kek_load(ref, &k, &err) < 0)
                return cli_error(CLI_EXIT_LOCAL, "the new KEK %s: %s", ref, err.msg);
        if (ctx->flags.json) {
                _cleanup_json_ json_t *doc = json_pack("{s:s, s:s, s:b}", "kek", ref, "fingerprint",
                                                       kek_fingerprint(k), "pkcs11", uri != NULL);
                return cli_emit_json(doc);
        }
        printf("kek:          %s (%s)\n", ref, file ? "AES-256 key file, mode 0600" : "AES-256 on the token");
        printf("fingerprint:  %s\n", kek_fingerprint(k));
        printf("cradled.conf: [kek] ref = %s\n", ref);
        return CLI_EXIT_OK;
}

static const struct cli_command cmd_kek_generate = {
        .name = "generate",
        .summary = "Generate the server's key-encryption key: a file (0600) or on a PKCS#11 token (local)",
        .usage = "(--file PATH | --pkcs11 URI)",
        .help = "Generates the key-encryption key (KEK) that cradled seals its secrets under\n"
                "(migration batch keys, online key files, OTA content keys; docs/keys.md,\n"
                "\"Secrets at rest\") and prints its fingerprint. Runs locally and talks to no\n"
                "server; point [kek] ref in cradled.conf at it.\n\n"
                "Options:\n"
                "  --file PATH       a new key file (64 hex digits), mode 0600; an existing file\n"
                "                    is never overwritten. Keep it apart from the database and\n"
                "                    its backups.\n"
                "  --pkcs11 URI      an AES-256 secret key on a token instead:\n"
                "                    'pkcs11:token=T;object=LABEL' (PIN from CRADLE_PKCS11_PIN or\n"
                "                    CRADLE_PKCS11_PIN_FILE; extra module from CRADLE_PKCS11_MODULE);\n"
                "                    sensitive, not extractable, encrypt/decrypt only; a label in\n"
                "                    use is refused\n"
                "With --json: {\"kek\", \"fingerprint\", \"pkcs11\"}.\n",
        .run = kek_generate_run,
};

static const struct cli_command *const kek_subs[] = { &cmd_kek_generate, NULL };

const struct cli_command cli_cmd_kek = {
        .name = "kek",
        .summary = "The server's key-encryption key for secrets at rest (local, no server)",
        .subs = kek_subs,
};

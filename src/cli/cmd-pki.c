/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cradle pki root-create|sign-intermediate: the offline root. Runs on the
 * machine that holds the root key (a key file or a PKCS#11 token), never
 * talks to the server: the root key must not touch it. The device CA's CSR
 * comes from `cradle ca create`; the signed certificate goes back with
 * `cradle ca install`.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/cmd-common.h"
#include "cli/command.h"
#include "core/cleanup.h"
#include "core/fileio.h"
#include "core/strutil.h"
#include "crypto/key.h"
#include "pki/ca.h"
#include "pki/cert.h"
#include "pki/csr.h"

#define PKI_ROOT_DAYS_DEFAULT 9125          /* 25 years: outlives 20-year birth certificates */
#define PKI_INTERMEDIATE_DAYS_DEFAULT 8030  /* 22 years */
#define PKI_DAYS_MAX 36500
#define PKI_FILE_MAX (256 * 1024)

enum {
        OPT_KEY = CLI_OPT_LOCAL_BASE,
        OPT_GENERATE_KEY,
        OPT_KEY_TYPE,
        OPT_CN,
        OPT_ORG,
        OPT_DAYS,
        OPT_OUT,
        OPT_ROOT_KEY,
        OPT_ROOT_CERT,
        OPT_CSR,
};

static int parse_days(struct cli_ctx *ctx, const char *v, unsigned *out) {
        int64_t n;
        if (str_to_int64(v, 1, PKI_DAYS_MAX, &n) < 0)
                return cli_usage_error(ctx, "option '--days': '%s' is not a number of days (1-%d)", v,
                                       PKI_DAYS_MAX);
        *out = (unsigned) n;
        return CLI_CONTINUE;
}

static int load_key(const char *option, const char *ref, struct crypto_key **key) {
        struct error err = {0};
        if (crypto_key_load(ref, key, &err) < 0)
                return cli_error(CLI_EXIT_LOCAL, "%s: %s", option, err.msg);
        return CLI_EXIT_OK;
}

static int root_create_run(struct cli_ctx *ctx, int argc, char **argv) {
        static const struct option options[] = {
                CLI_GLOBAL_LONG_OPTIONS,
                { "key", required_argument, NULL, OPT_KEY },
                { "generate-key", no_argument, NULL, OPT_GENERATE_KEY },
                { "key-type", required_argument, NULL, OPT_KEY_TYPE },
                { "cn", required_argument, NULL, OPT_CN },
                { "org", required_argument, NULL, OPT_ORG },
                { "days", required_argument, NULL, OPT_DAYS },
                { "out", required_argument, NULL, OPT_OUT },
                { 0 },
        };
        const char *key_ref = NULL, *cn = NULL, *org = NULL, *out = NULL, *key_type = "p384";
        bool generate = false;
        unsigned days = PKI_ROOT_DAYS_DEFAULT;
        struct error err = {0};
        int c, r;

        while ((c = getopt_long(argc, argv, CLI_GLOBAL_SHORT_OPTIONS, options, NULL)) != -1) {
                switch (c) {
                case OPT_KEY: key_ref = optarg; break;
                case OPT_GENERATE_KEY: generate = true; break;
                case OPT_KEY_TYPE: key_type = optarg; break;
                case OPT_CN: cn = optarg; break;
                case OPT_ORG: org = optarg; break;
                case OPT_OUT: out = optarg; break;
                case OPT_DAYS:
                        if ((r = parse_days(ctx, optarg, &days)) != CLI_CONTINUE)
                                return r;
                        break;
                default:
                        if ((r = cli_option_common(ctx, c, argc, argv)) != CLI_CONTINUE)
                                return r;
                }
        }
        if ((r = cli_positional(ctx, argc, argv, 0, "")) != CLI_CONTINUE ||
            (r = cli_require(ctx, key_ref, "--key REF")) != CLI_CONTINUE ||
            (r = cli_require(ctx, cn, "--cn NAME")) != CLI_CONTINUE ||
            (r = cli_require(ctx, out, "--out FILE")) != CLI_CONTINUE)
                return r;
        enum crypto_key_type type;
        if (crypto_key_type_parse(key_type, &type, &err) < 0)
                return cli_usage_error(ctx, "option '--key-type': %s", err.msg);
        if (generate) {
                if (str_startswith(key_ref, "pkcs11:"))
                        return cli_usage_error(ctx, "--generate-key makes a key file; create keys on a "
                                                    "token with 'cradle key generate --pkcs11 URI'");
                if (file_exists(key_ref))
                        return cli_error(CLI_EXIT_LOCAL, "--key: %s exists already; not overwriting a key "
                                                         "(leave out --generate-key to use it)",
                                         key_ref);
                if (crypto_key_generate_new_file(key_ref, type, &err) < 0)
                        return cli_error(CLI_EXIT_LOCAL, "--key: %s", err.msg);
                fprintf(stderr, "generated %s key %s (mode 0600): keep it offline\n",
                        crypto_key_type_name(type), key_ref);
        }
        if (file_exists(out))
                return cli_error(CLI_EXIT_LOCAL, "--out: %s exists already; not overwriting it", out);
        _cleanup_crypto_key_ struct crypto_key *key = NULL;
        if ((r = load_key("--key", key_ref, &key)) != CLI_EXIT_OK)
                return r;
        _cleanup_free_ char *pem = NULL;
        if (pki_root_create(key, cn, org, days, &pem, &err) < 0)
                return cli_error(CLI_EXIT_LOCAL, "%s", err.msg);
        if ((r = cli_write_file("--out", out, pem, strlen(pem), 0644, false)) != CLI_EXIT_OK)
                return r;
        fprintf(stderr, "wrote root certificate %s (%s, %u days)\n", out, crypto_key_describe(key), days);
        return CLI_EXIT_OK;
}

static int sign_intermediate_run(struct cli_ctx *ctx, int argc, char **argv) {
        static const struct option options[] = {
                CLI_GLOBAL_LONG_OPTIONS,
                { "root-key", required_argument, NULL, OPT_ROOT_KEY },
                { "root-cert", required_argument, NULL, OPT_ROOT_CERT },
                { "csr", required_argument, NULL, OPT_CSR },
                { "days", required_argument, NULL, OPT_DAYS },
                { "out", required_argument, NULL, OPT_OUT },
                { 0 },
        };
        const char *root_key = NULL, *root_cert = NULL, *csr_path = NULL, *out = NULL;
        unsigned days = PKI_INTERMEDIATE_DAYS_DEFAULT;
        struct error err = {0};
        int c, r;

        while ((c = getopt_long(argc, argv, CLI_GLOBAL_SHORT_OPTIONS, options, NULL)) != -1) {
                switch (c) {
                case OPT_ROOT_KEY: root_key = optarg; break;
                case OPT_ROOT_CERT: root_cert = optarg; break;
                case OPT_CSR: csr_path = optarg; break;
                case OPT_OUT: out = optarg; break;
                case OPT_DAYS:
                        if ((r = parse_days(ctx, optarg, &days)) != CLI_CONTINUE)
                                return r;
                        break;
                default:
                        if ((r = cli_option_common(ctx, c, argc, argv)) != CLI_CONTINUE)
                                return r;
                }
        }
        if ((r = cli_positional(ctx, argc, argv, 0, "")) != CLI_CONTINUE ||
            (r = cli_require(ctx, root_key, "--root-key REF")) != CLI_CONTINUE ||
            (r = cli_require(ctx, root_cert, "--root-cert FILE")) != CLI_CONTINUE ||
            (r = cli_require(ctx, csr_path, "--csr FILE")) != CLI_CONTINUE ||
            (r = cli_require(ctx, out, "--out FILE")) != CLI_CONTINUE)
                return r;
        if (file_exists(out))
                return cli_error(CLI_EXIT_LOCAL, "--out: %s exists already; not overwriting it", out);

        _cleanup_free_ char *cert_pem = NULL, *csr_pem = NULL;
        size_t cert_len, csr_len;
        if ((r = cli_read_file("--root-cert", root_cert, PKI_FILE_MAX, &cert_pem, &cert_len)) != CLI_EXIT_OK ||
            (r = cli_read_file("--csr", csr_path, PKI_FILE_MAX, &csr_pem, &csr_len)) != CLI_EXIT_OK)
                return r;
        _cleanup_pki_crt_ gnutls_x509_crt_t root = NULL;
        if (pki_cert_import(cert_pem, cert_len, &root, &err) < 0)
                return cli_error(CLI_EXIT_LOCAL, "--root-cert: %s: %s", root_cert, err.msg);
        if (!pki_cert_is_ca(root))
                return cli_error(CLI_EXIT_LOCAL, "--root-cert: %s is not a CA certificate", root_cert);
        _cleanup_pki_crq_ gnutls_x509_crq_t csr = NULL;
        struct pki_csr_info info;
        if (pki_csr_parse(csr_pem, csr_len, &csr, &info, &err) < 0)
                return cli_error(CLI_EXIT_LOCAL, "--csr: %s: %s", csr_path, err.msg);
        _cleanup_crypto_key_ struct crypto_key *key = NULL;
        if ((r = load_key("--root-key", root_key, &key)) != CLI_EXIT_OK)
                return r;
        if (pki_ca_check_key(key, root, &err) < 0)
                return cli_error(CLI_EXIT_LOCAL, "--root-key does not belong to --root-cert: %s", err.msg);
        _cleanup_free_ char *pem = NULL;
        if (pki_sign_intermediate(key, root, csr, days, &pem, &err) < 0)
                return cli_error(CLI_EXIT_LOCAL, "%s", err.msg);
        if ((r = cli_write_file("--out", out, pem, strlen(pem), 0644, false)) != CLI_EXIT_OK)
                return r;
        fprintf(stderr, "wrote intermediate CA certificate %s for '%s' (%s); install it with\n"
                        "  cradle ca install %s --cert %s --chain %s\n",
                out, info.common_name, info.key_desc, info.common_name, out, root_cert);
        return CLI_EXIT_OK;
}

static const struct cli_command cmd_root_create = {
        .name = "root-create",
        .summary = "Create the offline root CA certificate (local)",
        .usage = "--key REF [--generate-key [--key-type TYPE]] --cn NAME [--org ORG] [--days N] --out FILE",
        .help = "Creates a self-signed root CA certificate (CA:TRUE, pathlen 1; keyCertSign,\n"
                "cRLSign) with the key REF and writes it (PEM) to FILE. Runs locally and talks\n"
                "to no server: keep the root key offline.\n\n"
                "Options:\n"
                "  --key REF         the root key: a PEM key file (mode 0600) or a pkcs11: URI\n"
                "                    (PIN from CRADLE_PKCS11_PIN or CRADLE_PKCS11_PIN_FILE)\n"
                "  --generate-key    first generate a new key file REF (refused if it exists)\n"
                "  --key-type TYPE   with --generate-key: p256, p384 (default), ed25519, rsa3072\n"
                "  --cn NAME         subject common name\n"
                "  --org ORG         subject organisation\n"
                "  --days N          validity in days (default 9125, 25 years)\n"
                "  --out FILE        where to write the certificate (refused if it exists)\n",
        .run = root_create_run,
};

static const struct cli_command cmd_sign_intermediate = {
        .name = "sign-intermediate",
        .summary = "Sign a device CA's CSR with the root (local)",
        .usage = "--root-key REF --root-cert FILE --csr FILE [--days N] --out FILE",
        .help = "Signs a device-issuing CA's CSR (from 'cradle ca create') with the root key:\n"
                "CA:TRUE, pathlen 0, keyCertSign and cRLSign; the validity is cut to the\n"
                "root's. Runs locally and talks to no server.\n\n"
                "Options:\n"
                "  --root-key REF    the root key: a PEM key file (mode 0600) or a pkcs11: URI\n"
                "  --root-cert FILE  the root certificate (PEM)\n"
                "  --csr FILE        the CA's CSR (PEM or DER)\n"
                "  --days N          validity in days (default 8030, 22 years)\n"
                "  --out FILE        where to write the CA certificate (refused if it exists)\n",
        .run = sign_intermediate_run,
};

static const struct cli_command *const pki_subs[] = { &cmd_root_create, &cmd_sign_intermediate, NULL };

const struct cli_command cli_cmd_pki = {
        .name = "pki",
        .summary = "Offline root CA: create it, sign device CAs (local, no server)",
        .subs = pki_subs,
};

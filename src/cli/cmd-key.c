/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cradle key generate: the signing keys that `cradle repo init`, `release
 * sign`, `director init` and `pki root-create` take, made where they will be
 * used (a ceremony machine, a release manager's laptop, a token), never by
 * the server. Runs locally and talks to no server.
 *
 * The private key is never printed: what an operator records and hands over
 * is the TUF keyid and the public key (PEM), which is what `repo init
 * --targets-pubkey` reads. *
 * cradle key list|show|rotate-due|set-owner|custodian|retire|compromised:
 * the key registry on the server (issue 11 section 2, /api/v1/keys).
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
#include "keys/keys.h"
#include "cli/client.h"
#include "cli/output.h"
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

/* ---- the key registry (issue 11 section 2; server) ---- */

static const struct cli_field key_cols[] = {
        { "ID", "id" }, { "CLASS", "class" }, { "STATE", "state" }, { "OWNER", "owner" },
        { "ALGORITHM", "algorithm" }, { "ROTATION DUE", "rotation.due_at" }, { "FINGERPRINT", "fingerprint" },
        { "PURPOSE", "purpose" },
};

static const struct cli_field key_fields[] = {
        { "id", "id" }, { "class", "class" }, { "purpose", "purpose" }, { "products", "products" },
        { "algorithm", "algorithm" }, { "fingerprint", "fingerprint" }, { "TUF keyid", "tuf_keyid" },
        { "storage", "storage" }, { "ref", "ref" }, { "owner", "owner" }, { "custodians", "custodians" },
        { "state", "state" }, { "state reason", "state_reason" }, { "created", "created_at" },
        { "created by", "created_by" }, { "activated", "activated_at" }, { "expires", "expires_at" },
        { "rotation period (days)", "rotation.period_days" }, { "rotation due", "rotation.due_at" },
        { "rotation overdue", "rotation.overdue" }, { "usage", "usage" },
};

enum { OPT_CLASS = OPT_PUBOUT + 1, OPT_STATE, OPT_DUE_WITHIN, OPT_REASON, OPT_GRACEFUL, OPT_ADD, OPT_REMOVE };

static char *key_path(const char *key, const char *tail) {
        _cleanup_free_ char *escaped = cli_client_escape(key);
        return str_printf("/api/v1/keys/%s%s", escaped, tail);
}

static int due_within_parse(struct cli_ctx *ctx, const char *v, int64_t *out) {
        struct error err = { 0 };
        if (keys_duration_parse("option '--due-within'", v, out, &err) < 0)
                return cli_usage_error(ctx, "%s", err.msg);
        if (*out <= 0)
                return cli_usage_error(ctx, "option '--due-within': must be more than 0");
        return CLI_CONTINUE;
}

/* Appends "?name=value" or "&name=value" (value: a known class or state
 * name, or digits: nothing to escape). */
static void query_add(char **path, const char *name, const char *value) {
        char *t = str_printf("%s%c%s=%s", *path, strchr(*path, '?') ? '&' : '?', name, value);
        free(*path);
        *path = t;
}

/* list and rotate-due: the same query, rotate-due with a default window. */
static int key_list_common(struct cli_ctx *ctx, int argc, char **argv, int64_t due_default) {
        static const struct option options[] = {
                CLI_GLOBAL_LONG_OPTIONS,
                { "class", required_argument, NULL, OPT_CLASS },
                { "state", required_argument, NULL, OPT_STATE },
                { "due-within", required_argument, NULL, OPT_DUE_WITHIN },
                { 0 },
        };
        const char *class = NULL, *state = NULL;
        int64_t due = due_default;
        int c, r;
        while ((c = getopt_long(argc, argv, CLI_GLOBAL_SHORT_OPTIONS, options, NULL)) != -1) {
                switch (c) {
                case OPT_CLASS: class = optarg; break;
                case OPT_STATE: state = optarg; break;
                case OPT_DUE_WITHIN:
                        if ((r = due_within_parse(ctx, optarg, &due)) != CLI_CONTINUE)
                                return r;
                        break;
                default:
                        if ((r = cli_option_common(ctx, c, argc, argv)) != CLI_CONTINUE)
                                return r;
                }
        }
        if ((r = cli_positional(ctx, argc, argv, 0, "")) != CLI_CONTINUE)
                return r;
        if (class && !keys_class_known(class))
                return cli_usage_error(ctx, "option '--class': '%s' is not a key class", class);
        if (state && !keys_state_known(state))
                return cli_usage_error(ctx, "option '--state': '%s' is not a key state (planned, active, "
                                       "retiring, retired, compromised, destroyed)", state);
        _cleanup_free_ char *path = str_dup("/api/v1/keys");
        if (class)
                query_add(&path, "class", class);
        if (state)
                query_add(&path, "state", state);
        if (due > 0) {
                char n[24];
                snprintf(n, sizeof(n), "%lld", (long long) due);
                query_add(&path, "due_within", n);
        }
        return cli_send_list(ctx, path, key_cols, ELEMENTSOF(key_cols));
}

static int key_list_run(struct cli_ctx *ctx, int argc, char **argv) {
        return key_list_common(ctx, argc, argv, 0);
}

static int key_rotate_due_run(struct cli_ctx *ctx, int argc, char **argv) {
        return key_list_common(ctx, argc, argv, 30 * 86400);
}

static int key_show_run(struct cli_ctx *ctx, int argc, char **argv) {
        int r;
        if ((r = cli_parse_positional_only(ctx, argc, argv, 1, "KEY")) != CLI_CONTINUE)
                return r;
        _cleanup_free_ char *path = key_path(argv[optind], "");
        return cli_send_show(ctx, "GET", path, NULL, key_fields, ELEMENTSOF(key_fields));
}

static int key_set_owner_run(struct cli_ctx *ctx, int argc, char **argv) {
        int r;
        if ((r = cli_parse_positional_only(ctx, argc, argv, 2, "KEY USER")) != CLI_CONTINUE)
                return r;
        _cleanup_free_ char *path = key_path(argv[optind], "/owner");
        _cleanup_json_ json_t *body = json_pack("{s:s}", "user", argv[optind + 1]);
        if (!body)
                return cli_usage_error(ctx, "USER must be valid UTF-8");
        return cli_send_show(ctx, "PUT", path, body, key_fields, ELEMENTSOF(key_fields));
}

static int key_custodian_run(struct cli_ctx *ctx, int argc, char **argv) {
        static const struct option options[] = {
                CLI_GLOBAL_LONG_OPTIONS,
                { "add", required_argument, NULL, OPT_ADD },
                { "remove", required_argument, NULL, OPT_REMOVE },
                { 0 },
        };
        const char *add = NULL, *remove = NULL;
        int c, r;
        while ((c = getopt_long(argc, argv, CLI_GLOBAL_SHORT_OPTIONS, options, NULL)) != -1) {
                switch (c) {
                case OPT_ADD: add = optarg; break;
                case OPT_REMOVE: remove = optarg; break;
                default:
                        if ((r = cli_option_common(ctx, c, argc, argv)) != CLI_CONTINUE)
                                return r;
                }
        }
        if ((r = cli_positional(ctx, argc, argv, 1, "KEY")) != CLI_CONTINUE)
                return r;
        if (!add == !remove)
                return cli_usage_error(ctx, "give exactly one of '--add USER' and '--remove USER'");
        if (add) {
                _cleanup_free_ char *path = key_path(argv[optind], "/custodians");
                _cleanup_json_ json_t *body = json_pack("{s:s}", "user", add);
                if (!body)
                        return cli_usage_error(ctx, "option '--add' must be valid UTF-8");
                return cli_send_show(ctx, "POST", path, body, key_fields, ELEMENTSOF(key_fields));
        }
        _cleanup_free_ char *user = cli_client_escape(remove);
        _cleanup_free_ char *tail = str_printf("/custodians/%s", user);
        _cleanup_free_ char *path = key_path(argv[optind], tail);
        return cli_send_show(ctx, "DELETE", path, NULL, key_fields, ELEMENTSOF(key_fields));
}

static int key_retire_run(struct cli_ctx *ctx, int argc, char **argv) {
        static const struct option options[] = {
                CLI_GLOBAL_LONG_OPTIONS,
                { "reason", required_argument, NULL, OPT_REASON },
                { "graceful", no_argument, NULL, OPT_GRACEFUL },
                { 0 },
        };
        const char *reason = NULL;
        bool graceful = false;
        int c, r;
        while ((c = getopt_long(argc, argv, CLI_GLOBAL_SHORT_OPTIONS, options, NULL)) != -1) {
                switch (c) {
                case OPT_REASON: reason = optarg; break;
                case OPT_GRACEFUL: graceful = true; break;
                default:
                        if ((r = cli_option_common(ctx, c, argc, argv)) != CLI_CONTINUE)
                                return r;
                }
        }
        if ((r = cli_positional(ctx, argc, argv, 1, "KEY")) != CLI_CONTINUE)
                return r;
        _cleanup_free_ char *path = key_path(argv[optind], "/state");
        _cleanup_json_ json_t *body = json_pack("{s:s}", "state", graceful ? "retiring" : "retired");
        if (reason) {
                json_t *rs = json_string(reason);
                if (!rs)
                        return cli_usage_error(ctx, "option '--reason' must be valid UTF-8");
                json_object_set_new(body, "reason", rs);
        }
        return cli_send_show(ctx, "POST", path, body, key_fields, ELEMENTSOF(key_fields));
}

static int key_compromised_run(struct cli_ctx *ctx, int argc, char **argv) {
        static const struct option options[] = {
                CLI_GLOBAL_LONG_OPTIONS,
                { "reason", required_argument, NULL, OPT_REASON },
                { 0 },
        };
        const char *reason = NULL;
        int c, r;
        while ((c = getopt_long(argc, argv, CLI_GLOBAL_SHORT_OPTIONS, options, NULL)) != -1) {
                switch (c) {
                case OPT_REASON: reason = optarg; break;
                default:
                        if ((r = cli_option_common(ctx, c, argc, argv)) != CLI_CONTINUE)
                                return r;
                }
        }
        if ((r = cli_positional(ctx, argc, argv, 1, "KEY")) != CLI_CONTINUE)
                return r;
        if ((r = cli_require(ctx, reason, "--reason TEXT")) != CLI_CONTINUE)
                return r;
        _cleanup_json_ json_t *body = json_pack("{s:s}", "reason", reason);
        if (!body)
                return cli_usage_error(ctx, "option '--reason' must be valid UTF-8");
        _cleanup_free_ char *path = key_path(argv[optind], "/compromised");
        struct cli_client *client;
        _cleanup_json_ json_t *doc = NULL;
        if ((r = cli_ctx_client(ctx, &client)) != CLI_EXIT_OK ||
            (r = cli_client_request(client, "POST", path, body, &doc)) != CLI_EXIT_OK)
                return r;
        if (ctx->flags.json)
                return cli_emit_json(doc);
        json_t *key = json_object_get(doc, "key");
        _cleanup_free_ char *class = cli_text_sanitize(json_string_value(json_object_get(key, "class")), false);
        _cleanup_free_ char *fp = cli_text_sanitize(json_string_value(json_object_get(key, "fingerprint")), false);
        _cleanup_free_ char *runbook = cli_text_sanitize(json_string_value(json_object_get(doc, "runbook")), false);
        printf("key %" JSON_INTEGER_FORMAT " (%s, %s) is marked compromised; a critical security event was "
               "raised.\nWhat must be done now:\n",
               json_integer_value(json_object_get(key, "id")), class ? class : "?", fp ? fp : "?");
        size_t i;
        json_t *a;
        json_array_foreach(json_object_get(doc, "actions"), i, a) {
                _cleanup_free_ char *line = cli_text_sanitize(json_string_value(a), false);
                printf("  %zu. %s\n", i + 1, line ? line : "");
        }
        printf("Runbook: %s\n", runbook ? runbook : "docs/keys.md#compromise-runbooks");
        return CLI_EXIT_OK;
}

static const struct cli_command cmd_key_list = {
        .name = "list",
        .summary = "List the key registry (server)",
        .usage = "[--class CLASS] [--state STATE] [--due-within DURATION]",
        .help = "Lists every key Cradle uses or knows of, with its owner, state and next\n"
                "rotation (GET /api/v1/keys; admin, security-officer, auditor).\n\n"
                "Options:\n"
                "  --class CLASS          firmware-signing, tuf-root, tuf-online, director,\n"
                "                         device-ca, root-ca, tls, ota-encryption, debug-auth,\n"
                "                         audit-checkpoint, migration or kek\n"
                "  --state STATE          planned, active, retiring, retired, compromised,\n"
                "                         destroyed\n"
                "  --due-within DURATION  only keys whose rotation is due within DURATION (30d,\n"
                "                         12h) or overdue\n"
                "With --json: {\"items\": [key...]} (docs/openapi.json, schema Key).\n",
        .run = key_list_run,
};

static const struct cli_command cmd_key_show = {
        .name = "show",
        .summary = "Show a key: owner, custodians, rotation, usage (server)",
        .usage = "KEY",
        .help = "Shows one registry entry with its products, custodians, rotation and the last\n"
                "30 days of usage (GET /api/v1/keys/KEY; admin, security-officer, auditor).\n"
                "KEY is the registry id, the fingerprint or a unique prefix of 8+ hex digits,\n"
                "or the TUF keyid.\n",
        .run = key_show_run,
};

static const struct cli_command cmd_key_rotate_due = {
        .name = "rotate-due",
        .summary = "List keys whose rotation is due (server)",
        .usage = "[--due-within DURATION] [--class CLASS] [--state STATE]",
        .help = "Lists the keys in use whose rotation is due within DURATION (default 30d) or\n"
                "overdue, by the [keys] rotate.<class> periods of cradled.conf (docs/keys.md,\n"
                "\"Rotation policies\").\n",
        .run = key_rotate_due_run,
};

static const struct cli_command cmd_key_set_owner = {
        .name = "set-owner",
        .summary = "Set the user who owns a key (server)",
        .usage = "KEY USER",
        .help = "Makes USER (an enabled user) the key's owner (PUT /api/v1/keys/KEY/owner;\n"
                "admin, security-officer). Audited.\n",
        .run = key_set_owner_run,
};

static const struct cli_command cmd_key_custodian = {
        .name = "custodian",
        .summary = "Add or remove a key's custodian (server)",
        .usage = "KEY (--add USER | --remove USER)",
        .help = "A custodian holds or guards the key: a smart card, a share of an offline\n"
                "key, the HSM's PIN (POST/DELETE /api/v1/keys/KEY/custodians; admin,\n"
                "security-officer). Audited.\n",
        .run = key_custodian_run,
};

static const struct cli_command cmd_key_retire = {
        .name = "retire",
        .summary = "Retire a key (server)",
        .usage = "KEY [--graceful] [--reason TEXT]",
        .help = "Moves the key to retired, or with --graceful to retiring (still trusted for\n"
                "what it signed, signs nothing new) (POST /api/v1/keys/KEY/state; admin,\n"
                "security-officer). Only the moves of docs/keys.md's state table are allowed;\n"
                "others are refused (409). Retiring a key in the registry does not replace it:\n"
                "rotate the role or CA first.\n",
        .run = key_retire_run,
};

static const struct cli_command cmd_key_compromised = {
        .name = "compromised",
        .summary = "Report a key compromised: marks it, raises a critical event, prints the runbook",
        .usage = "KEY --reason TEXT",
        .help = "Marks the key compromised, raises a critical security event (key.compromised)\n"
                "and prints what must be done for its class, with the runbook section of\n"
                "docs/keys.md (POST /api/v1/keys/KEY/compromised; admin, security-officer).\n"
                "With --json: {\"key\", \"actions\", \"runbook\"}.\n",
        .run = key_compromised_run,
};

static const struct cli_command *const key_subs[] = {
        &cmd_key_generate, &cmd_key_list, &cmd_key_show, &cmd_key_rotate_due, &cmd_key_set_owner,
        &cmd_key_custodian, &cmd_key_retire, &cmd_key_compromised, NULL,
};
const struct cli_command cli_cmd_key = {
        .name = "key",
        .summary = "Signing keys (generate, local) and the key registry (list, show, rotate-due, ...)",
        .subs = key_subs,
};

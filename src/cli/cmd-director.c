/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cradle director init|rotate|status: the director's root, made offline.
 *
 * The key ceremony: the server holds only the director's online targets key
 * (GET /api/v1/director/online-keys). The root keys stay wherever they live
 * (files or PKCS#11 tokens on the ceremony machine): `init` builds
 * 1.root.json with them (root role: those keys with the given threshold;
 * targets, snapshot and timestamp: the online key, threshold 1), signs it
 * with each of them locally and uploads only the signed document. `rotate`
 * makes N+1 from the installed root, signed by the old keys given and the new
 * ones, so it meets both thresholds. --out keeps a copy of what was uploaded:
 * 1.root.json is the trust anchor every cradle-agent is installed with.
 */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/client.h"
#include "cli/root-keys.h"
#include "cli/cmd-common.h"
#include "cli/command.h"
#include "core/cleanup.h"
#include "core/strutil.h"
#include "core/time.h"
#include "crypto/key.h"
#include "tuf/key.h"
#include "tuf/metadata.h"
#include "tuf/sign.h"

enum { OPT_ROOT_KEY = CLI_OPT_LOCAL_BASE, OPT_OLD_ROOT_KEY, OPT_THRESHOLD, OPT_EXPIRES_DAYS, OPT_OUT, OPT_NO_MARKER };

#define MAX_KEYS 16
#define EXPIRES_DAYS_DEFAULT 365

static const struct cli_field status_fields[] = {
        { "root version", "root.version" }, { "root expires", "root.expires" },
        { "root threshold", "root.threshold" }, { "root keyids", "root.keyids" },
        { "installed at", "root.installed_at" }, { "online keyid", "online_keyid" },
        { "targets expiry (s)", "targets_expiry_seconds" },
};

struct signers {
        struct crypto_key *keys[MAX_KEYS];
        struct tuf_key *tkeys[MAX_KEYS];
        size_t n;
};

static void signers_clear(struct signers *s) {
        for (size_t i = 0; i < s->n; i++) {
                crypto_key_free(s->keys[i]);
                tuf_key_free(s->tkeys[i]);
        }
        s->n = 0;
}

/* Loads --root-key / --old-root-key references; one key counts once. */
static int signers_load(const char *option, const char *const *refs, size_t n, struct signers *out) {
        for (size_t i = 0; i < n; i++) {
                struct crypto_key *k = NULL;
                struct tuf_key *tk = NULL;
                struct error err = {0};
                if (crypto_key_load(refs[i], &k, &err) < 0 || tuf_key_from_crypto_key(k, &tk, &err) < 0) {
                        crypto_key_free(k);
                        return cli_error(CLI_EXIT_LOCAL, "%s %s: %s", option, refs[i], err.msg);
                }
                for (size_t j = 0; j < out->n; j++)
                        if (tuf_key_same_public(out->tkeys[j], tk)) {
                                crypto_key_free(k);
                                tuf_key_free(tk);
                                return cli_error(CLI_EXIT_LOCAL, "%s %s: the same key is given twice", option,
                                                 refs[i]);
                        }
                out->keys[out->n] = k;
                out->tkeys[out->n++] = tk;
        }
        return CLI_EXIT_OK;
}

/* The online targets key from the server (admin). */
static int fetch_online_key(struct cli_client *client, struct tuf_key **out) {
        _cleanup_json_ json_t *doc = NULL;
        int r = cli_client_request(client, "GET", "/api/v1/director/online-keys", NULL, &doc);
        if (r != CLI_EXIT_OK)
                return r;
        struct error err = {0};
        json_t *key = json_object_get(json_object_get(doc, "targets"), "key");
        if (!json_is_object(key) || tuf_key_from_json("online targets key", key, out, &err) < 0)
                return cli_error(CLI_EXIT_SERVER, "GET /api/v1/director/online-keys: not a TUF key: %s",
                                 err.msg[0] ? err.msg : "missing targets.key");
        return CLI_EXIT_OK;
}

/* Refuses, before anything is signed, a key that an image repository's root
 * holds (cli/root-keys.h; the server checks too). */
static int check_against_repos(struct cli_client *client, const struct signers *root, const struct tuf_key *online,
                               const char *const *refs) {
        struct cli_root_key keys[MAX_KEYS + 1];
        size_t n = 0;
        char *labels[MAX_KEYS] = { 0 };
        for (size_t i = 0; i < root->n; i++) {
                labels[i] = str_printf("--root-key %s", refs[i]);
                keys[n++] = (struct cli_root_key) { root->tkeys[i], labels[i] };
        }
        keys[n++] = (struct cli_root_key) { online, "the server's online director key" };
        int r = cli_root_keys_check(client, "director", keys, n);
        for (size_t i = 0; i < root->n; i++)
                free(labels[i]);
        return r;
}

/* Builds root `version` with the new root keys and the online key, and signs it
 * with the new keys and then the old ones (a key in both signs once). */
static int build_and_sign(int64_t version, int64_t expires, const struct signers *root, unsigned threshold,
                          const struct signers *old, struct tuf_key *online, bool marker, json_t **out) {
        struct tuf_key *keys[MAX_KEYS + 1];
        const char *root_ids[MAX_KEYS];
        size_t n_keys = 0;
        for (size_t i = 0; i < root->n; i++) {
                if (tuf_key_same_public(root->tkeys[i], online))
                        return cli_error(CLI_EXIT_LOCAL,
                                         "--root-key: key %s is the server's online key; root keys must be offline",
                                         tuf_key_id(root->tkeys[i]));
                keys[n_keys++] = root->tkeys[i];
                root_ids[i] = tuf_key_id(root->tkeys[i]);
        }
        keys[n_keys++] = online;
        const char *online_id[1] = { tuf_key_id(online) };
        const struct tuf_role_spec roles[_TUF_ROLE_MAX] = {
                [TUF_ROLE_ROOT] = { root_ids, root->n, threshold },
                [TUF_ROLE_TARGETS] = { online_id, 1, 1 },
                [TUF_ROLE_SNAPSHOT] = { online_id, 1, 1 },
                [TUF_ROLE_TIMESTAMP] = { online_id, 1, 1 },
        };
        struct error err = {0};
        _cleanup_json_ json_t *signed_obj = tuf_build_root(version, expires, false, keys, n_keys, roles, &err);
        if (!signed_obj || (marker && tuf_root_set_repository(signed_obj, TUF_ROOT_REPOSITORY_DIRECTOR, &err) < 0))
                return cli_error(CLI_EXIT_LOCAL, "building the director root: %s", err.msg);
        _cleanup_json_ json_t *doc = tuf_metadata_wrap(signed_obj);
        for (size_t i = 0; i < root->n; i++)
                if (tuf_sign(doc, root->keys[i], &err) < 0)
                        return cli_error(CLI_EXIT_LOCAL, "signing with %s: %s", crypto_key_ref(root->keys[i]),
                                         err.msg);
        for (size_t i = 0; old && i < old->n; i++) {
                bool also_new = false;
                for (size_t j = 0; j < root->n; j++)
                        also_new |= tuf_key_same_public(old->tkeys[i], root->tkeys[j]);
                if (!also_new && tuf_sign(doc, old->keys[i], &err) < 0)
                        return cli_error(CLI_EXIT_LOCAL, "signing with %s: %s", crypto_key_ref(old->keys[i]),
                                         err.msg);
        }
        *out = steal_ptr(doc);
        return CLI_EXIT_OK;
}

/* POSTs the root; writes --out; prints the new status. */
static int upload(struct cli_ctx *ctx, struct cli_client *client, json_t *doc, const char *out_path) {
        _cleanup_json_ json_t *body = json_pack("{s:O}", "root", doc);
        _cleanup_json_ json_t *status = NULL;
        int r = cli_client_request(client, "POST", "/api/v1/director/root", body, &status);
        if (r != CLI_EXIT_OK || (r = cli_expect_object(status, "POST /api/v1/director/root")) != CLI_EXIT_OK)
                return r;
        if (out_path) {
                struct error err = {0};
                size_t len;
                _cleanup_free_ char *bytes = tuf_metadata_serialize(doc, &len, &err);
                if (!bytes)
                        return cli_error(CLI_EXIT_LOCAL, "--out: %s", err.msg);
                if ((r = cli_write_file("--out", out_path, bytes, len, 0644, false)) != CLI_EXIT_OK)
                        return r;
        }
        if (ctx->flags.json)
                return cli_emit_json(status);
        return cli_print_object(status, status_fields, ELEMENTSOF(status_fields));
}

struct root_options {
        const char *root_refs[MAX_KEYS], *old_refs[MAX_KEYS];
        size_t n_root, n_old;
        int64_t threshold, expires_days;
        const char *out;
        bool no_marker;   /* --no-repository-marker: for fleets with agents older than the marker */
};

static int parse_root_options(struct cli_ctx *ctx, int argc, char **argv, bool rotate, struct root_options *o) {
        static const struct option init_options[] = {
                CLI_GLOBAL_LONG_OPTIONS,
                { "root-key", required_argument, NULL, OPT_ROOT_KEY },
                { "root-threshold", required_argument, NULL, OPT_THRESHOLD },
                { "expires-days", required_argument, NULL, OPT_EXPIRES_DAYS },
                { "out", required_argument, NULL, OPT_OUT },
                { "no-repository-marker", no_argument, NULL, OPT_NO_MARKER },
                { 0 },
        };
        static const struct option rotate_options[] = {
                CLI_GLOBAL_LONG_OPTIONS,
                { "root-key", required_argument, NULL, OPT_ROOT_KEY },
                { "old-root-key", required_argument, NULL, OPT_OLD_ROOT_KEY },
                { "root-threshold", required_argument, NULL, OPT_THRESHOLD },
                { "expires-days", required_argument, NULL, OPT_EXPIRES_DAYS },
                { "out", required_argument, NULL, OPT_OUT },
                { "no-repository-marker", no_argument, NULL, OPT_NO_MARKER },
                { 0 },
        };
        int c, r;
        memset(o, 0, sizeof(*o));
        o->expires_days = EXPIRES_DAYS_DEFAULT;
        while ((c = getopt_long(argc, argv, CLI_GLOBAL_SHORT_OPTIONS, rotate ? rotate_options : init_options,
                                NULL)) != -1) {
                switch (c) {
                case OPT_ROOT_KEY:
                        if (o->n_root == MAX_KEYS)
                                return cli_usage_error(ctx, "at most %d --root-key options", MAX_KEYS);
                        o->root_refs[o->n_root++] = optarg;
                        break;
                case OPT_OLD_ROOT_KEY:
                        if (o->n_old == MAX_KEYS)
                                return cli_usage_error(ctx, "at most %d --old-root-key options", MAX_KEYS);
                        o->old_refs[o->n_old++] = optarg;
                        break;
                case OPT_THRESHOLD:
                        if (str_to_int64(optarg, 1, MAX_KEYS, &o->threshold) < 0)
                                return cli_usage_error(ctx, "option '--root-threshold': '%s' is not a number from 1 "
                                                            "to %d",
                                                       optarg, MAX_KEYS);
                        break;
                case OPT_EXPIRES_DAYS:
                        if (str_to_int64(optarg, 1, 3650, &o->expires_days) < 0)
                                return cli_usage_error(ctx, "option '--expires-days': '%s' is not a number of days "
                                                            "(1-3650)",
                                                       optarg);
                        break;
                case OPT_OUT: o->out = optarg; break;
                case OPT_NO_MARKER: o->no_marker = true; break;
                default:
                        if ((r = cli_option_common(ctx, c, argc, argv)) != CLI_CONTINUE)
                                return r;
                }
        }
        if ((r = cli_positional(ctx, argc, argv, 0, "")) != CLI_CONTINUE)
                return r;
        if (o->n_root == 0)
                return cli_usage_error(ctx, "missing --root-key REF (repeat it for each root key)");
        if (rotate && o->n_old == 0)
                return cli_usage_error(ctx, "missing --old-root-key REF: the new root must be signed by the "
                                            "installed root's threshold");
        if (o->threshold == 0)
                return cli_usage_error(ctx, "missing --root-threshold M");
        if ((size_t) o->threshold > o->n_root)
                return cli_usage_error(ctx, "--root-threshold %lld is more than the %zu root keys given "
                                            "(never satisfiable)",
                                       (long long) o->threshold, o->n_root);
        return CLI_CONTINUE;
}

static int director_init_run(struct cli_ctx *ctx, int argc, char **argv) {
        struct root_options o;
        int r = parse_root_options(ctx, argc, argv, false, &o);
        if (r != CLI_CONTINUE)
                return r;
        __attribute__((cleanup(signers_clear))) struct signers root = { 0 };
        _cleanup_tuf_key_ struct tuf_key *online = NULL;
        _cleanup_json_ json_t *doc = NULL;
        struct cli_client *client;
        if ((r = signers_load("--root-key", o.root_refs, o.n_root, &root)) != CLI_EXIT_OK ||
            (r = cli_ctx_client(ctx, &client)) != CLI_EXIT_OK || (r = fetch_online_key(client, &online)) != CLI_EXIT_OK ||
            (r = check_against_repos(client, &root, online, o.root_refs)) != CLI_EXIT_OK ||
            (r = build_and_sign(1, time_now() + o.expires_days * 86400, &root, (unsigned) o.threshold, NULL, online,
                                !o.no_marker, &doc)) != CLI_EXIT_OK)
                return r;
        return upload(ctx, client, doc, o.out);
}

static int director_rotate_run(struct cli_ctx *ctx, int argc, char **argv) {
        struct root_options o;
        int r = parse_root_options(ctx, argc, argv, true, &o);
        if (r != CLI_CONTINUE)
                return r;
        __attribute__((cleanup(signers_clear))) struct signers root = { 0 }, old = { 0 };
        _cleanup_tuf_key_ struct tuf_key *online = NULL;
        _cleanup_json_ json_t *status = NULL, *doc = NULL;
        struct cli_client *client;
        if ((r = signers_load("--root-key", o.root_refs, o.n_root, &root)) != CLI_EXIT_OK ||
            (r = signers_load("--old-root-key", o.old_refs, o.n_old, &old)) != CLI_EXIT_OK ||
            (r = cli_ctx_client(ctx, &client)) != CLI_EXIT_OK ||
            (r = cli_client_request(client, "GET", "/api/v1/director", NULL, &status)) != CLI_EXIT_OK ||
            (r = cli_expect_object(status, "GET /api/v1/director")) != CLI_EXIT_OK)
                return r;
        json_t *version = json_object_get(json_object_get(status, "root"), "version");
        if (!json_is_integer(version) || json_integer_value(version) < 1)
                return cli_error(CLI_EXIT_REFUSED, "the director has no root yet; run 'cradle director init' first");
        /* The old keys must be the installed root's root keys, so the server's
         * "signed by the old threshold" check can pass. */
        json_t *keyids = json_object_get(json_object_get(status, "root"), "keyids");
        for (size_t i = 0; i < old.n; i++) {
                bool listed = false;
                size_t k;
                json_t *v;
                json_array_foreach(keyids, k, v)
                        listed |= str_eq(json_string_value(v), tuf_key_id(old.tkeys[i]));
                if (!listed)
                        return cli_error(CLI_EXIT_LOCAL,
                                         "--old-root-key %s: keyid %s is not a root key of director root version %lld",
                                         o.old_refs[i], tuf_key_id(old.tkeys[i]),
                                         (long long) json_integer_value(version));
        }
        if ((r = fetch_online_key(client, &online)) != CLI_EXIT_OK ||
            (r = check_against_repos(client, &root, online, o.root_refs)) != CLI_EXIT_OK ||
            (r = build_and_sign(json_integer_value(version) + 1, time_now() + o.expires_days * 86400, &root,
                                (unsigned) o.threshold, &old, online, !o.no_marker, &doc)) != CLI_EXIT_OK)
                return r;
        return upload(ctx, client, doc, o.out);
}

static int director_status_run(struct cli_ctx *ctx, int argc, char **argv) {
        int r;
        if ((r = cli_parse_positional_only(ctx, argc, argv, 0, "")) != CLI_CONTINUE)
                return r;
        return cli_send_show(ctx, "GET", "/api/v1/director", NULL, status_fields, ELEMENTSOF(status_fields));
}

#define ROOT_KEY_HELP                                                                                   \
        "  --root-key REF          a root key: a PEM key file (mode 0600) or a pkcs11: URI\n"             \
        "                          (PIN from CRADLE_PKCS11_PIN or CRADLE_PKCS11_PIN_FILE); repeat it\n"  \
        "                          for each key (Ed25519 or ECDSA P-256)\n"                               \
        "  --root-threshold M      signatures a root needs (at most the number of root keys)\n"          \
        "  --expires-days N        the root's lifetime (default 365)\n"                                   \
        "  --out FILE              also write the signed root there (not overwritten)\n"                 \
        "  --no-repository-marker  leave out \"x-cradle-repository\": \"director\" (only while\n"         \
        "                          devices run cradle-agent older than the marker; docs/tuf.md)\n"

static const struct cli_command director_init = {
        .name = "init",
        .summary = "Create the director's first root (key ceremony)",
        .usage = "--root-key REF... --root-threshold M [--expires-days N] [--out FILE] [--no-repository-marker]",
        .help = "Builds the director's 1.root.json on this machine: root role = the --root-key\n"
                "keys with threshold M; targets, snapshot and timestamp = the server's online\n"
                "director key (fetched from GET /api/v1/director/online-keys, which generates it),\n"
                "threshold 1. Signs it with every root key here and uploads only the signed\n"
                "document (POST /api/v1/director/root; admin). Install the --out copy on each\n"
                "device as cradle-agent's trusted director root. A root key that any image\n"
                "repository's root holds is refused before anything is signed: the two\n"
                "repositories never share a key (docs/ota.md).\n\n"
                "Options:\n" ROOT_KEY_HELP,
        .run = director_init_run,
};

static const struct cli_command director_rotate = {
        .name = "rotate",
        .summary = "Rotate the director's root keys",
        .usage = "--old-root-key REF... --root-key REF... --root-threshold M [--expires-days N] [--out FILE] "
                 "[--no-repository-marker]",
        .help = "Builds root N+1 from the installed root N with new root keys (the online key\n"
                "stays), signs it with the new keys and with the old ones given, so it meets\n"
                "both thresholds, and uploads it (POST /api/v1/director/root; admin). Devices\n"
                "follow the chain at their next poll.\n\n"
                "Options:\n"
                "  --old-root-key REF      a root key of the installed root; give enough for its\n"
                "                          threshold\n" ROOT_KEY_HELP,
        .run = director_rotate_run,
};

static const struct cli_command director_status = {
        .name = "status",
        .summary = "Show the director's root and online key",
        .usage = "",
        .help = "Shows the installed director root (version, expiry, threshold, keyids), the\n"
                "online targets keyid and the lifetime of device targets metadata\n"
                "(GET /api/v1/director; any role).\n",
        .run = director_status_run,
};

static const struct cli_command *const director_subs[] = {
        &director_init, &director_rotate, &director_status, NULL,
};

const struct cli_command cli_cmd_director = {
        .name = "director",
        .summary = "The update director's root: init, rotate, status",
        .subs = director_subs,
};

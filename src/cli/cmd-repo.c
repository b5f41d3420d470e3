/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cradle repo init|rotate-root|status|online-keys: a product's TUF image
 * repository.
 *
 * init is the key ceremony (docs/ota.md): the server makes the online
 * snapshot and timestamp keys; this machine builds root version 1 naming
 * them, the offline root keys and the release managers' targets keys (public
 * halves only), signs it with every root key (files or PKCS#11) and uploads
 * the signed root. rotate-root does the same for version N+1, signed by the
 * current root keys and the new ones. No private key ever leaves this
 * machine or its tokens.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gnutls/abstract.h>

#include "cli/cli.h"
#include "cli/root-keys.h"
#include "cli/client.h"
#include "cli/cmd-common.h"
#include "cli/command.h"
#include "cli/output.h"
#include "core/cleanup.h"
#include "core/json.h"
#include "core/strutil.h"
#include "core/time.h"
#include "crypto/key.h"
#include "tuf/key.h"
#include "tuf/metadata.h"
#include "tuf/sign.h"

#define REPO_MAX_KEYS 16
#define REPO_PEM_MAX (64 * 1024)
#define REPO_ROOT_DOC_MAX (512 * 1024)
#define REPO_EXPIRES_DAYS_DEFAULT 365

enum {
        OPT_PRODUCT = CLI_OPT_LOCAL_BASE,
        OPT_ROOT_KEY,
        OPT_OLD_ROOT_KEY,
        OPT_ROOT_THRESHOLD,
        OPT_TARGETS_PUBKEY,
        OPT_TARGETS_KEY,
        OPT_TARGETS_THRESHOLD,
        OPT_EXPIRES_DAYS,
        OPT_ONLINE_KEYS,
        OPT_OUT,
        OPT_NO_MARKER,
        OPT_NEXT,
};

static const struct cli_field status_fields[] = {
        { "product", "product" }, { "url", "url" },
        { "root version", "root.version" }, { "root expires", "root.expires" },
        { "root threshold", "root.threshold" }, { "root keys", "root.keyids" },
        { "targets version", "targets.version" }, { "targets expires", "targets.expires" },
        { "targets threshold", "targets.threshold" }, { "targets keys", "targets.keyids" },
        { "snapshot version", "snapshot.version" }, { "snapshot expires", "snapshot.expires" },
        { "timestamp version", "timestamp.version" }, { "timestamp expires", "timestamp.expires" },
        { "published releases", "published_releases" },
};

static int print_status(json_t *doc) {
        cli_print_object(doc, status_fields, ELEMENTSOF(status_fields));
        json_t *w = json_object_get(doc, "warnings");
        size_t i;
        json_t *v;
        json_array_foreach(w, i, v) {
                _cleanup_free_ char *safe = cli_text_sanitize(json_string_value(v), false);
                fprintf(stderr, "warning: %s\n", safe ? safe : "?");
        }
        return CLI_EXIT_OK;
}

/* The options a root is built from (init and rotate-root). */
struct root_opts {
        const char *product;
        const char *root_keys[REPO_MAX_KEYS];
        size_t n_root_keys;
        const char *old_root_keys[REPO_MAX_KEYS];
        size_t n_old_root_keys;
        int64_t root_threshold;
        const char *targets_pubkeys[REPO_MAX_KEYS];
        size_t n_targets_pubkeys;
        const char *targets_keys[REPO_MAX_KEYS];
        size_t n_targets_keys;
        int64_t targets_threshold;
        int64_t expires_days;
        bool no_marker;             /* --no-repository-marker: for fleets with agents older than the marker */
        const char *online;
        const char *out;
};

/* Loaded keys: the signing ones, and every TUF key of the new root. */
struct root_keys {
        struct crypto_key *signers[2 * REPO_MAX_KEYS];
        size_t n_signers;
        struct tuf_key *owned[4 * REPO_MAX_KEYS + 2];
        size_t n_owned;
        const struct tuf_key *root[REPO_MAX_KEYS], *targets[REPO_MAX_KEYS];
        size_t n_root, n_targets;
        const struct tuf_key *snapshot, *timestamp;
};

static void root_keys_clear(struct root_keys *k) {
        for (size_t i = 0; i < k->n_signers; i++)
                crypto_key_free(k->signers[i]);
        for (size_t i = 0; i < k->n_owned; i++)
                tuf_key_free(k->owned[i]);
        memset(k, 0, sizeof(*k));
}

static int add_list(struct cli_ctx *ctx, const char **list, size_t *n, const char *v, const char *option) {
        if (*n >= REPO_MAX_KEYS)
                return cli_usage_error(ctx, "at most %d %s options", REPO_MAX_KEYS, option);
        list[(*n)++] = v;
        return CLI_CONTINUE;
}

static int parse_root_opts(struct cli_ctx *ctx, int argc, char **argv, bool rotate, struct root_opts *o) {
        static const struct option options[] = {
                CLI_GLOBAL_LONG_OPTIONS,
                { "product", required_argument, NULL, OPT_PRODUCT },
                { "root-key", required_argument, NULL, OPT_ROOT_KEY },
                { "old-root-key", required_argument, NULL, OPT_OLD_ROOT_KEY },
                { "root-threshold", required_argument, NULL, OPT_ROOT_THRESHOLD },
                { "targets-pubkey", required_argument, NULL, OPT_TARGETS_PUBKEY },
                { "targets-key", required_argument, NULL, OPT_TARGETS_KEY },
                { "targets-threshold", required_argument, NULL, OPT_TARGETS_THRESHOLD },
                { "expires-days", required_argument, NULL, OPT_EXPIRES_DAYS },
                { "online-keys", required_argument, NULL, OPT_ONLINE_KEYS },
                { "out", required_argument, NULL, OPT_OUT },
                { "no-repository-marker", no_argument, NULL, OPT_NO_MARKER },
                { 0 },
        };
        memset(o, 0, sizeof(*o));
        o->expires_days = REPO_EXPIRES_DAYS_DEFAULT;
        o->online = "current";
        int c, r;
        while ((c = getopt_long(argc, argv, CLI_GLOBAL_SHORT_OPTIONS, options, NULL)) != -1) {
                r = CLI_CONTINUE;
                switch (c) {
                case OPT_PRODUCT: o->product = optarg; break;
                case OPT_ROOT_KEY: r = add_list(ctx, o->root_keys, &o->n_root_keys, optarg, "--root-key"); break;
                case OPT_OLD_ROOT_KEY:
                        if (!rotate)
                                return cli_usage_error(ctx, "--old-root-key belongs to 'cradle repo rotate-root'");
                        r = add_list(ctx, o->old_root_keys, &o->n_old_root_keys, optarg, "--old-root-key");
                        break;
                case OPT_TARGETS_PUBKEY:
                        r = add_list(ctx, o->targets_pubkeys, &o->n_targets_pubkeys, optarg, "--targets-pubkey");
                        break;
                case OPT_TARGETS_KEY:
                        r = add_list(ctx, o->targets_keys, &o->n_targets_keys, optarg, "--targets-key");
                        break;
                case OPT_ROOT_THRESHOLD:
                case OPT_TARGETS_THRESHOLD:
                case OPT_EXPIRES_DAYS: {
                        int64_t v;
                        int64_t max = c == OPT_EXPIRES_DAYS ? 3650 : REPO_MAX_KEYS;
                        if (str_to_int64(optarg, 1, max, &v) < 0)
                                return cli_usage_error(ctx, "option '%s': '%s' is not a number from 1 to %lld",
                                                       argv[optind - 1], optarg, (long long) max);
                        if (c == OPT_ROOT_THRESHOLD)
                                o->root_threshold = v;
                        else if (c == OPT_TARGETS_THRESHOLD)
                                o->targets_threshold = v;
                        else
                                o->expires_days = v;
                        break;
                }
                case OPT_ONLINE_KEYS:
                        if (!rotate)
                                return cli_usage_error(ctx, "--online-keys belongs to 'cradle repo rotate-root'");
                        if (!str_eq(optarg, "current") && !str_eq(optarg, "next"))
                                return cli_usage_error(ctx, "option '--online-keys': 'current' or 'next'");
                        o->online = optarg;
                        break;
                case OPT_OUT: o->out = optarg; break;
                case OPT_NO_MARKER: o->no_marker = true; break;
                default:
                        r = cli_option_common(ctx, c, argc, argv);
                }
                if (r != CLI_CONTINUE)
                        return r;
        }
        if ((r = cli_positional(ctx, argc, argv, 0, "")) != CLI_CONTINUE ||
            (r = cli_require(ctx, o->product, "--product MODEL")) != CLI_CONTINUE)
                return r;
        if (o->n_root_keys == 0)
                return cli_usage_error(ctx, "missing required option '--root-key REF' (repeat it for each root key)");
        if (o->root_threshold == 0)
                o->root_threshold = (int64_t) o->n_root_keys;
        if ((size_t) o->root_threshold > o->n_root_keys)
                return cli_usage_error(ctx, "--root-threshold %lld is more than the %zu root keys",
                                       (long long) o->root_threshold, o->n_root_keys);
        size_t n_targets = o->n_targets_pubkeys + o->n_targets_keys;
        if (n_targets > REPO_MAX_KEYS)
                return cli_usage_error(ctx, "at most %d targets keys", REPO_MAX_KEYS);
        if (!rotate && n_targets == 0)
                return cli_usage_error(ctx, "missing required option '--targets-pubkey FILE' or '--targets-key REF' "
                                            "(the release managers' keys; repeat for each)");
        if (n_targets > 0 && o->targets_threshold == 0)
                return cli_usage_error(ctx, "missing required option '--targets-threshold M' (signatures needed to "
                                            "publish a release, e.g. 2 of 3)");
        if (n_targets == 0 && o->targets_threshold)
                return cli_usage_error(ctx, "--targets-threshold goes with new targets keys");
        if ((size_t) o->targets_threshold > n_targets && n_targets > 0)
                return cli_usage_error(ctx, "--targets-threshold %lld is more than the %zu targets keys",
                                       (long long) o->targets_threshold, n_targets);
        if (o->out && strcmp(o->out, "-") != 0 && access(o->out, F_OK) == 0)
                return cli_error(CLI_EXIT_LOCAL, "--out: %s exists already; not overwriting it", o->out);
        return CLI_CONTINUE;
}

static const struct tuf_key *own(struct root_keys *k, struct tuf_key *tk) {
        k->owned[k->n_owned++] = tk;
        return tk;
}

/* Loads a signing key (file or PKCS#11) and keeps it for signing. */
static int load_signer(struct root_keys *k, const char *option, const char *ref, const struct tuf_key **out) {
        struct error err = { 0 };
        struct crypto_key *key = NULL;
        struct tuf_key *tk = NULL;
        if (crypto_key_load(ref, &key, &err) < 0)
                return cli_error(CLI_EXIT_LOCAL, "%s %s: %s", option, ref, err.msg);
        if (tuf_key_from_crypto_key(key, &tk, &err) < 0) {
                crypto_key_free(key);
                return cli_error(CLI_EXIT_LOCAL, "%s %s: %s", option, ref, err.msg);
        }
        for (size_t i = 0; i < k->n_signers; i++) {
                _cleanup_tuf_key_ struct tuf_key *other = NULL;
                if (tuf_key_from_crypto_key(k->signers[i], &other, NULL) == 0 &&
                    str_eq(tuf_key_id(other), tuf_key_id(tk))) {
                        crypto_key_free(key); /* the same key given twice signs once */
                        key = NULL;
                        break;
                }
        }
        if (key)
                k->signers[k->n_signers++] = key;
        *out = own(k, tk);
        return CLI_EXIT_OK;
}

static int load_pubkey(struct root_keys *k, const char *file, const struct tuf_key **out) {
        _cleanup_free_ char *pem = NULL;
        size_t len;
        int r = cli_read_file("--targets-pubkey", file, REPO_PEM_MAX, &pem, &len);
        if (r != CLI_EXIT_OK)
                return r;
        gnutls_pubkey_t pub;
        if (gnutls_pubkey_init(&pub) < 0)
                return cli_error(CLI_EXIT_LOCAL, "out of memory");
        gnutls_datum_t d = { (unsigned char *) pem, (unsigned) len };
        int rc = gnutls_pubkey_import(pub, &d, GNUTLS_X509_FMT_PEM);
        if (rc < 0) {
                gnutls_pubkey_deinit(pub);
                return cli_error(CLI_EXIT_LOCAL, "--targets-pubkey %s: not a PEM public key (SubjectPublicKeyInfo): %s",
                                 file, gnutls_strerror(rc));
        }
        struct error err = { 0 };
        struct tuf_key *tk = NULL;
        rc = tuf_key_from_pubkey(pub, &tk, &err);
        gnutls_pubkey_deinit(pub);
        if (rc < 0)
                return cli_error(CLI_EXIT_LOCAL, "--targets-pubkey %s: %s", file, err.msg);
        *out = own(k, tk);
        return CLI_EXIT_OK;
}

/* A public-only key from a key ref (its private half is not needed here). */
static int load_targets_key(struct root_keys *k, const char *ref, const struct tuf_key **out) {
        struct error err = { 0 };
        _cleanup_crypto_key_ struct crypto_key *key = NULL;
        struct tuf_key *tk = NULL;
        if (crypto_key_load(ref, &key, &err) < 0 || tuf_key_from_crypto_key(key, &tk, &err) < 0)
                return cli_error(CLI_EXIT_LOCAL, "--targets-key %s: %s", ref, err.msg);
        *out = own(k, tk);
        return CLI_EXIT_OK;
}

static int online_key(struct root_keys *k, json_t *pair, const char *role, const struct tuf_key **out) {
        struct error err = { 0 };
        struct tuf_key *tk = NULL;
        if (tuf_key_from_json(role, json_object_get(json_object_get(pair, role), "key"), &tk, &err) < 0)
                return cli_error(CLI_EXIT_SERVER, "the server's online %s key: %s", role, err.msg);
        *out = own(k, tk);
        return CLI_EXIT_OK;
}

/* Refuses, before anything is signed, a key the director's root holds
 * (cli/root-keys.h; the server checks too). */
static int check_against_director(struct cli_ctx *ctx, const struct root_keys *k) {
        struct cli_root_key keys[2 * REPO_MAX_KEYS + 2];
        struct cli_client *client;
        size_t n = 0;
        int r;
        for (size_t i = 0; i < k->n_root; i++)
                keys[n++] = (struct cli_root_key) { k->root[i], "--root-key" };
        for (size_t i = 0; i < k->n_targets; i++)
                keys[n++] = (struct cli_root_key) { k->targets[i], "targets key" };
        keys[n++] = (struct cli_root_key) { k->snapshot, "the server's online snapshot key" };
        keys[n++] = (struct cli_root_key) { k->timestamp, "the server's online timestamp key" };
        if ((r = cli_ctx_client(ctx, &client)) != CLI_EXIT_OK)
                return r;
        return cli_root_keys_check(client, "image", keys, n);
}

/* Builds, signs and (with --out) saves a root. *doc_out is the document. */
static int build_root(const struct root_opts *o, struct root_keys *k, int64_t version, unsigned targets_threshold,
                      json_t **doc_out) {
        struct error err = { 0 };
        const struct tuf_key *all[4 * REPO_MAX_KEYS + 2];
        size_t n_all = 0;
        const char *root_ids[REPO_MAX_KEYS], *targets_ids[REPO_MAX_KEYS], *snap_id[1], *ts_id[1];
#define ADD_KEY(key)                                                                   \
        do {                                                                           \
                bool seen_ = false;                                                    \
                for (size_t j_ = 0; j_ < n_all; j_++)                                  \
                        seen_ |= str_eq(tuf_key_id(all[j_]), tuf_key_id(key));         \
                if (!seen_)                                                            \
                        all[n_all++] = (key);                                          \
        } while (0)
        for (size_t i = 0; i < k->n_root; i++) {
                ADD_KEY(k->root[i]);
                root_ids[i] = tuf_key_id(k->root[i]);
        }
        for (size_t i = 0; i < k->n_targets; i++) {
                ADD_KEY(k->targets[i]);
                targets_ids[i] = tuf_key_id(k->targets[i]);
        }
        ADD_KEY(k->snapshot);
        ADD_KEY(k->timestamp);
#undef ADD_KEY
        snap_id[0] = tuf_key_id(k->snapshot);
        ts_id[0] = tuf_key_id(k->timestamp);
        struct tuf_role_spec roles[_TUF_ROLE_MAX] = {
                [TUF_ROLE_ROOT] = { root_ids, k->n_root, (unsigned) o->root_threshold },
                [TUF_ROLE_TARGETS] = { targets_ids, k->n_targets, targets_threshold },
                [TUF_ROLE_SNAPSHOT] = { snap_id, 1, 1 },
                [TUF_ROLE_TIMESTAMP] = { ts_id, 1, 1 },
        };
        int64_t expires = time_now() + o->expires_days * 86400;
        _cleanup_json_ json_t *signed_obj =
                tuf_build_root(version, expires, true, (struct tuf_key *const *) all, n_all, roles, &err);
        if (!signed_obj)
                return cli_error(CLI_EXIT_LOCAL, "building the root: %s", err.msg);
        /* The root states whose it is (docs/tuf.md, "Repository identity"). */
        _cleanup_free_ char *repository = str_printf(TUF_ROOT_REPOSITORY_IMAGE_PREFIX "%s", o->product);
        if (!o->no_marker && tuf_root_set_repository(signed_obj, repository, &err) < 0)
                return cli_error(CLI_EXIT_LOCAL, "--product %s: %s", o->product, err.msg);
        _cleanup_json_ json_t *doc = tuf_metadata_wrap(signed_obj);
        for (size_t i = 0; i < k->n_signers; i++)
                if (tuf_sign(doc, k->signers[i], &err) < 0)
                        return cli_error(CLI_EXIT_LOCAL, "signing the root with %s: %s",
                                         crypto_key_ref(k->signers[i]), err.msg);
        if (o->out) {
                size_t len;
                _cleanup_free_ char *bytes = tuf_metadata_serialize(doc, &len, &err);
                if (!bytes)
                        return cli_error(CLI_EXIT_LOCAL, "%s", err.msg);
                if (str_eq(o->out, "-")) {
                        fwrite(bytes, 1, len, stdout);
                        fputc('\n', stdout);
                } else {
                        int r = cli_write_file("--out", o->out, bytes, len, 0644, false);
                        if (r != CLI_EXIT_OK)
                                return r;
                }
        }
        *doc_out = steal_ptr(doc);
        return CLI_EXIT_OK;
}

static int load_targets_options(const struct root_opts *o, struct root_keys *k) {
        int r;
        for (size_t i = 0; i < o->n_targets_pubkeys; i++)
                if ((r = load_pubkey(k, o->targets_pubkeys[i], &k->targets[k->n_targets++])) != CLI_EXIT_OK)
                        return r;
        for (size_t i = 0; i < o->n_targets_keys; i++)
                if ((r = load_targets_key(k, o->targets_keys[i], &k->targets[k->n_targets++])) != CLI_EXIT_OK)
                        return r;
        return CLI_EXIT_OK;
}

static int fetch_online_keys(struct cli_ctx *ctx, const char *model, json_t **out) {
        struct cli_client *client;
        _cleanup_free_ char *esc = cli_client_escape(model);
        _cleanup_free_ char *path = str_printf("/api/v1/repos/%s/online-keys", esc);
        int r;
        if ((r = cli_ctx_client(ctx, &client)) != CLI_EXIT_OK ||
            (r = cli_client_request(client, "GET", path, NULL, out)) != CLI_EXIT_OK ||
            (r = cli_expect_object(*out, path)) != CLI_EXIT_OK)
                return r;
        return CLI_EXIT_OK;
}

static int send_root(struct cli_ctx *ctx, const char *path, json_t *body) {
        struct cli_client *client;
        _cleanup_json_ json_t *doc = NULL;
        int r;
        if ((r = cli_ctx_client(ctx, &client)) != CLI_EXIT_OK ||
            (r = cli_client_request(client, "POST", path, body, &doc)) != CLI_EXIT_OK ||
            (r = cli_expect_object(doc, path)) != CLI_EXIT_OK)
                return r;
        if (ctx->flags.json)
                return cli_emit_json(doc);
        return print_status(doc);
}

static int repo_init_run(struct cli_ctx *ctx, int argc, char **argv) {
        struct root_opts o;
        struct root_keys k = { 0 };
        _cleanup_json_ json_t *online = NULL, *root = NULL;
        int r = parse_root_opts(ctx, argc, argv, false, &o);
        if (r != CLI_CONTINUE)
                return r;
        /* 1. The server's online keys (made on first request). */
        if ((r = fetch_online_keys(ctx, o.product, &online)) != CLI_EXIT_OK)
                goto out;
        if ((r = online_key(&k, online, "snapshot", &k.snapshot)) != CLI_EXIT_OK ||
            (r = online_key(&k, online, "timestamp", &k.timestamp)) != CLI_EXIT_OK)
                goto out;
        /* 2. The offline keys: root (signing) and targets (public halves). */
        for (size_t i = 0; i < o.n_root_keys; i++)
                if ((r = load_signer(&k, "--root-key", o.root_keys[i], &k.root[k.n_root++])) != CLI_EXIT_OK)
                        goto out;
        if ((r = load_targets_options(&o, &k)) != CLI_EXIT_OK)
                goto out;
        /* 3. Root version 1, signed by every root key, uploaded. */
        if ((r = check_against_director(ctx, &k)) != CLI_EXIT_OK ||
            (r = build_root(&o, &k, 1, (unsigned) o.targets_threshold, &root)) != CLI_EXIT_OK)
                goto out;
        {
                _cleanup_json_ json_t *body = json_pack("{s:s, s:O}", "product", o.product, "root", root);
                if (!body) {
                        r = cli_usage_error(ctx, "--product: not valid UTF-8");
                        goto out;
                }
                r = send_root(ctx, "/api/v1/repos", body);
        }
        if (r == CLI_EXIT_OK && !ctx->flags.json)
                fprintf(stderr,
                        "root version 1 installed: %zu root key(s) (threshold %lld), %zu targets key(s) (threshold "
                        "%lld)%s%s\n",
                        k.n_root, (long long) o.root_threshold, k.n_targets, (long long) o.targets_threshold,
                        o.out ? "; devices trust the root written to " : "",
                        o.out ? o.out : "");
out:
        root_keys_clear(&k);
        return r;
}

static int repo_rotate_root_run(struct cli_ctx *ctx, int argc, char **argv) {
        struct root_opts o;
        struct root_keys k = { 0 };
        _cleanup_json_ json_t *online = NULL, *root = NULL;
        _cleanup_tuf_metadata_ struct tuf_metadata *cur = NULL;
        struct cli_raw_response raw = { 0 };
        struct error err = { 0 };
        int r = parse_root_opts(ctx, argc, argv, true, &o);
        if (r != CLI_CONTINUE)
                return r;
        struct cli_client *client;
        _cleanup_free_ char *esc = cli_client_escape(o.product);
        _cleanup_free_ char *root_path = str_printf("/repo/%s/root.json", esc);
        if ((r = cli_ctx_client(ctx, &client)) != CLI_EXIT_OK ||
            (r = cli_client_request_raw(client, "GET", root_path, NULL, NULL, 0, "application/json", &raw)) !=
                    CLI_EXIT_OK)
                goto out;
        if (raw.status != 200) {
                _cleanup_free_ char *why = cli_raw_response_reason(&raw);
                r = cli_error(raw.status >= 500 ? CLI_EXIT_SERVER : CLI_EXIT_REFUSED, "GET %s: %s", root_path, why);
                goto out;
        }
        if (tuf_metadata_parse("root.json", raw.body ? raw.body : "", raw.len, REPO_ROOT_DOC_MAX, TUF_ROLE_ROOT, &cur,
                               &err) < 0) {
                r = cli_error(CLI_EXIT_SERVER, "the repository's current root: %s", err.msg);
                goto out;
        }
        if ((r = fetch_online_keys(ctx, o.product, &online)) != CLI_EXIT_OK)
                goto out;
        json_t *pair = str_eq(o.online, "next") ? json_object_get(online, "next") : online;
        if (!json_is_object(pair)) {
                r = cli_error(CLI_EXIT_REFUSED, "--online-keys next: the server has no next online keys for %s (POST "
                                                "/api/v1/repos/%s/online-keys makes them: 'cradle repo online-keys "
                                                "--next')",
                              o.product, o.product);
                goto out;
        }
        if ((r = online_key(&k, pair, "snapshot", &k.snapshot)) != CLI_EXIT_OK ||
            (r = online_key(&k, pair, "timestamp", &k.timestamp)) != CLI_EXIT_OK)
                goto out;
        for (size_t i = 0; i < o.n_root_keys; i++)
                if ((r = load_signer(&k, "--root-key", o.root_keys[i], &k.root[k.n_root++])) != CLI_EXIT_OK)
                        goto out;
        for (size_t i = 0; i < o.n_old_root_keys; i++) {
                const struct tuf_key *ignored;
                if ((r = load_signer(&k, "--old-root-key", o.old_root_keys[i], &ignored)) != CLI_EXIT_OK)
                        goto out;
        }
        unsigned targets_threshold = (unsigned) o.targets_threshold;
        if (o.n_targets_pubkeys + o.n_targets_keys > 0) {
                if ((r = load_targets_options(&o, &k)) != CLI_EXIT_OK)
                        goto out;
        } else {
                /* The targets keys stay as they are. */
                const struct tuf_role_keys *t = &cur->root.roles[TUF_ROLE_TARGETS];
                for (size_t i = 0; i < t->n_keyids && k.n_targets < REPO_MAX_KEYS; i++) {
                        const struct tuf_key *tk = tuf_root_find_key(cur, t->keyids[i]);
                        if (tk)
                                k.targets[k.n_targets++] = tk;
                }
                targets_threshold = t->threshold;
        }
        if ((r = check_against_director(ctx, &k)) != CLI_EXIT_OK ||
            (r = build_root(&o, &k, cur->version + 1, targets_threshold, &root)) != CLI_EXIT_OK)
                goto out;
        {
                _cleanup_json_ json_t *body = json_pack("{s:O}", "root", root);
                _cleanup_free_ char *path = str_printf("/api/v1/repos/%s/root", esc);
                r = send_root(ctx, path, body);
        }
        if (r == CLI_EXIT_OK && !ctx->flags.json)
                fprintf(stderr, "root version %lld installed (signed by %zu key(s))\n", (long long) cur->version + 1,
                        k.n_signers);
out:
        cli_raw_response_clear(&raw);
        root_keys_clear(&k);
        return r;
}

static int repo_status_run(struct cli_ctx *ctx, int argc, char **argv) {
        static const struct option options[] = {
                CLI_GLOBAL_LONG_OPTIONS,
                { "product", required_argument, NULL, OPT_PRODUCT },
                { 0 },
        };
        static const struct cli_field cols[] = {
                { "PRODUCT", "product" }, { "ROOT", "root.version" }, { "TARGETS", "targets.version" },
                { "TARGETS EXPIRES", "targets.expires" }, { "TIMESTAMP", "timestamp.version" },
                { "TIMESTAMP EXPIRES", "timestamp.expires" }, { "RELEASES", "published_releases" },
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
        if (!product)
                return cli_send_list(ctx, "/api/v1/repos", cols, ELEMENTSOF(cols));
        struct cli_client *client;
        _cleanup_json_ json_t *doc = NULL;
        _cleanup_free_ char *esc = cli_client_escape(product);
        _cleanup_free_ char *path = str_printf("/api/v1/repos/%s", esc);
        if ((r = cli_ctx_client(ctx, &client)) != CLI_EXIT_OK ||
            (r = cli_client_request(client, "GET", path, NULL, &doc)) != CLI_EXIT_OK ||
            (r = cli_expect_object(doc, path)) != CLI_EXIT_OK)
                return r;
        if (ctx->flags.json)
                return cli_emit_json(doc);
        return print_status(doc);
}

static int repo_online_keys_run(struct cli_ctx *ctx, int argc, char **argv) {
        static const struct option options[] = {
                CLI_GLOBAL_LONG_OPTIONS,
                { "product", required_argument, NULL, OPT_PRODUCT },
                { "next", no_argument, NULL, OPT_NEXT },
                { 0 },
        };
        static const struct cli_field fields[] = {
                { "product", "product" },
                { "snapshot key", "snapshot.keyid" }, { "snapshot type", "snapshot.type" },
                { "snapshot storage", "snapshot.storage" },
                { "timestamp key", "timestamp.keyid" }, { "timestamp type", "timestamp.type" },
                { "timestamp storage", "timestamp.storage" },
                { "next snapshot key", "next.snapshot.keyid" }, { "next timestamp key", "next.timestamp.keyid" },
        };
        const char *product = NULL;
        bool next = false;
        int c, r;
        while ((c = getopt_long(argc, argv, CLI_GLOBAL_SHORT_OPTIONS, options, NULL)) != -1) {
                if (c == OPT_PRODUCT)
                        product = optarg;
                else if (c == OPT_NEXT)
                        next = true;
                else if ((r = cli_option_common(ctx, c, argc, argv)) != CLI_CONTINUE)
                        return r;
        }
        if ((r = cli_positional(ctx, argc, argv, 0, "")) != CLI_CONTINUE ||
            (r = cli_require(ctx, product, "--product MODEL")) != CLI_CONTINUE)
                return r;
        _cleanup_free_ char *esc = cli_client_escape(product);
        _cleanup_free_ char *path = str_printf("/api/v1/repos/%s/online-keys", esc);
        _cleanup_json_ json_t *empty = next ? json_object() : NULL;
        return cli_send_show(ctx, next ? "POST" : "GET", path, empty, fields, ELEMENTSOF(fields));
}

static const struct cli_command repo_init = {
        .name = "init",
        .summary = "Key ceremony: create a product's image repository",
        .usage = "--product MODEL --root-key REF... [--root-threshold M] (--targets-pubkey FILE | "
                 "--targets-key REF)... --targets-threshold M [--expires-days N] [--out FILE] [--no-repository-marker]",
        .help = "Creates the product's TUF image repository (docs/ota.md, \"The key ceremony\"):\n"
                "  1. fetches the server's online snapshot and timestamp keys (GET\n"
                "     /api/v1/repos/MODEL/online-keys; the server makes them on first request);\n"
                "  2. builds root version 1 naming the root keys, the targets keys and the\n"
                "     online keys, with consistent snapshots;\n"
                "  3. signs it here with every --root-key (files or PKCS#11 tokens);\n"
                "  4. uploads the signed root (POST /api/v1/repos; admin).\n"
                "Only public keys and signatures leave this machine. A key that the director's\n"
                "root holds is refused before anything is signed: the two repositories never\n"
                "share a key (docs/ota.md). The root states \"x-cradle-repository\":\n"
                "\"image:MODEL\", which devices check.\n\n"
                "Options:\n"
                "  --product MODEL            the product\n"
                "  --root-key REF             an offline root key: PEM file (0600) or pkcs11: URI\n"
                "                             (repeat for each; all of them sign)\n"
                "  --root-threshold M         root signatures required (default: all root keys)\n"
                "  --targets-pubkey FILE      a release manager's public key (PEM\n"
                "                             SubjectPublicKeyInfo; Ed25519 or P-256), repeatable\n"
                "  --targets-key REF          the same from a key reference (its public half)\n"
                "  --targets-threshold M      signatures needed to publish a release (M of N)\n"
                "  --expires-days N           root lifetime (default 365)\n"
                "  --out FILE                 also write the signed 1.root.json (what devices\n"
                "                             install as their trusted root; '-' = stdout)\n"
                "  --no-repository-marker     leave out x-cradle-repository (only while devices\n"
                "                             run cradle-agent older than the marker; docs/tuf.md)\n",
        .run = repo_init_run,
};

static const struct cli_command repo_rotate_root = {
        .name = "rotate-root",
        .summary = "Rotate the root (and targets or online keys) of an image repository",
        .usage = "--product MODEL --root-key REF... [--old-root-key REF...] [--root-threshold M] "
                 "[(--targets-pubkey FILE | --targets-key REF)... --targets-threshold M] "
                 "[--online-keys current|next] [--expires-days N] [--out FILE] [--no-repository-marker]",
        .help = "Builds root version N+1 from the current root (GET /repo/MODEL/root.json), signs\n"
                "it with the new root keys and the --old-root-key ones, and uploads it (POST\n"
                "/api/v1/repos/MODEL/root; admin). The server accepts it only when it carries\n"
                "the threshold of the current root AND its own; devices follow the same chain.\n\n"
                "Options:\n"
                "  --root-key REF         a root key of the new root (repeatable; each signs)\n"
                "  --old-root-key REF     a key of the current root that signs too (repeatable);\n"
                "                         keys in both need to be given once, as --root-key\n"
                "  --root-threshold M     root signatures required (default: all root keys)\n"
                "  --targets-pubkey FILE, --targets-key REF, --targets-threshold M\n"
                "                         new targets keys; without them the current ones stay\n"
                "  --online-keys next     name the server's next online keys (made by 'cradle\n"
                "                         repo online-keys --next'); they replace the current ones\n"
                "  --expires-days N       root lifetime (default 365)\n"
                "  --out FILE             also write the signed N+1.root.json\n"
                "  --no-repository-marker leave out x-cradle-repository (refused by the server\n"
                "                         once the current root has it; docs/tuf.md)\n",
        .run = repo_rotate_root_run,
};

static const struct cli_command repo_status = {
        .name = "status",
        .summary = "Show image repositories: versions, expiries, keys",
        .usage = "[--product MODEL]",
        .help = "Shows one product's image repository (GET /api/v1/repos/MODEL), or lists them\n"
                "all (GET /api/v1/repos; every role).\n",
        .run = repo_status_run,
};

static const struct cli_command repo_online_keys = {
        .name = "online-keys",
        .summary = "Show (or make the next) online snapshot and timestamp keys",
        .usage = "--product MODEL [--next]",
        .help = "Shows the server's online keys of a product's repository (GET\n"
                "/api/v1/repos/MODEL/online-keys; admin; made on first request). With --next,\n"
                "makes a second pair to rotate to (POST; then 'cradle repo rotate-root\n"
                "--online-keys next').\n",
        .run = repo_online_keys_run,
};

static const struct cli_command *const repo_subs[] = { &repo_init, &repo_rotate_root, &repo_status, &repo_online_keys,
                                                       NULL };

const struct cli_command cli_cmd_repo = {
        .name = "repo",
        .summary = "Manage the products' TUF image repositories",
        .subs = repo_subs,
};

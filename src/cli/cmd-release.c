/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cradle release create|upload|prepare|sign|publish|withdraw|list|show.
 *
 * upload streams a file from disk (libcurl reads it as it sends). sign is
 * the offline half of the M-of-N release approval: it fetches the prepared
 * targets metadata, shows what is about to be signed, checks local image
 * files against it, signs the canonical "signed" bytes with a key that never
 * leaves this machine (a PEM file or a PKCS#11 token) and uploads only
 * {keyid, sig}.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/client.h"
#include "cli/cmd-common.h"
#include "cli/command.h"
#include "cli/output.h"
#include "core/cleanup.h"
#include "core/json.h"
#include "core/strutil.h"
#include "crypto/encoding.h"
#include "crypto/key.h"
#include "release/image-store.h"
#include "tuf/key.h"
#include "tuf/metadata.h"
#include "tuf/sign.h"

#define RELEASE_NOTES_FILE_MAX (64 * 1024)
#define RELEASE_MAX_IMAGES_CHECKED 32
#define RELEASE_MAX_HW 64

enum {
        OPT_PRODUCT = CLI_OPT_LOCAL_BASE,
        OPT_VERSION,
        OPT_SECURITY_VERSION,
        OPT_HW,
        OPT_NOTES,
        OPT_NOTES_FILE,
        OPT_NAME,
        OPT_SBOM,
        OPT_SBOM_TYPE,
        OPT_ENCRYPT,
        OPT_KEY,
        OPT_IMAGE,
        OPT_REASON,
};

static const struct cli_field release_fields[] = {
        { "id", "id" }, { "product", "product" }, { "version", "version" },
        { "security version", "security_version" }, { "hardware revisions", "hardware_revisions" },
        { "status", "status" }, { "targets version", "targets.version" }, { "signatures", "targets.signatures" },
        { "threshold", "targets.threshold" }, { "sbom", "sbom.sha256" }, { "created at", "created_at" },
        { "created by", "created_by" }, { "signed at", "signed_at" }, { "published at", "published_at" },
        { "withdrawn at", "withdrawn_at" }, { "withdraw reason", "withdraw_reason" },
        { "retain until", "retain_until" }, { "notes", "notes" },
};

static const struct cli_field image_cols[] = {
        { "IMAGE", "name" }, { "LENGTH", "length" }, { "SHA-256", "sha256" }, { "TARGET", "target" },
};

static int print_release(json_t *doc) {
        cli_print_object(doc, release_fields, ELEMENTSOF(release_fields));
        json_t *images = json_object_get(doc, "images");
        if (json_is_array(images) && json_array_size(images) > 0) {
                printf("\n");
                cli_print_table(images, image_cols, ELEMENTSOF(image_cols));
        }
        return CLI_EXIT_OK;
}

static int release_send(struct cli_ctx *ctx, const char *method, const char *path, json_t *body) {
        struct cli_client *client;
        _cleanup_json_ json_t *doc = NULL;
        _cleanup_free_ char *what = str_printf("%s %s", method, path);
        int r;
        if ((r = cli_ctx_client(ctx, &client)) != CLI_EXIT_OK ||
            (r = cli_client_request(client, method, path, body, &doc)) != CLI_EXIT_OK ||
            (r = cli_expect_object(doc, what)) != CLI_EXIT_OK)
                return r;
        if (ctx->flags.json)
                return cli_emit_json(doc);
        return print_release(doc);
}

/* The release id positional argument. */
static int release_id_arg(struct cli_ctx *ctx, const char *arg, int64_t *id) {
        if (str_to_int64(arg, 1, INT64_MAX, id) < 0)
                return cli_usage_error(ctx, "'%s' is not a release id (a positive integer; 'cradle release list' "
                                            "shows them)",
                                       arg);
        return CLI_CONTINUE;
}

/* Parses a leaf that takes only the global options and one release id. */
static int parse_id_only(struct cli_ctx *ctx, int argc, char **argv, int64_t *id) {
        int r;
        if ((r = cli_parse_positional_only(ctx, argc, argv, 1, "RELEASE-ID")) != CLI_CONTINUE)
                return r;
        return release_id_arg(ctx, argv[optind], id);
}

/* ---- create ---- */

static int release_create_run(struct cli_ctx *ctx, int argc, char **argv) {
        static const struct option options[] = {
                CLI_GLOBAL_LONG_OPTIONS,
                { "product", required_argument, NULL, OPT_PRODUCT },
                { "version", required_argument, NULL, OPT_VERSION },
                { "security-version", required_argument, NULL, OPT_SECURITY_VERSION },
                { "hardware-revision", required_argument, NULL, OPT_HW },
                { "notes", required_argument, NULL, OPT_NOTES },
                { "notes-file", required_argument, NULL, OPT_NOTES_FILE },
                { 0 },
        };
        const char *product = NULL, *version = NULL, *sv_text = NULL, *notes = NULL, *notes_file = NULL;
        const char *hw[RELEASE_MAX_HW];
        size_t n_hw = 0;
        int64_t sv = 0;
        int c, r;
        while ((c = getopt_long(argc, argv, CLI_GLOBAL_SHORT_OPTIONS, options, NULL)) != -1) {
                switch (c) {
                case OPT_PRODUCT: product = optarg; break;
                case OPT_VERSION: version = optarg; break;
                case OPT_SECURITY_VERSION:
                        if (str_to_int64(optarg, 0, 9007199254740991LL, &sv) < 0)
                                return cli_usage_error(ctx, "option '--security-version': '%s' is not an integer "
                                                            "from 0 to 2^53-1",
                                                       optarg);
                        sv_text = optarg;
                        break;
                case OPT_HW:
                        if (n_hw >= RELEASE_MAX_HW)
                                return cli_usage_error(ctx, "at most %d --hardware-revision options", RELEASE_MAX_HW);
                        hw[n_hw++] = optarg;
                        break;
                case OPT_NOTES: notes = optarg; break;
                case OPT_NOTES_FILE: notes_file = optarg; break;
                default:
                        if ((r = cli_option_common(ctx, c, argc, argv)) != CLI_CONTINUE)
                                return r;
                }
        }
        if ((r = cli_positional(ctx, argc, argv, 0, "")) != CLI_CONTINUE ||
            (r = cli_require(ctx, product, "--product MODEL")) != CLI_CONTINUE ||
            (r = cli_require(ctx, version, "--version VERSION")) != CLI_CONTINUE ||
            (r = cli_require(ctx, sv_text, "--security-version N")) != CLI_CONTINUE)
                return r;
        if (n_hw == 0)
                return cli_usage_error(ctx, "missing required option '--hardware-revision REV' (repeat it for each "
                                            "compatible revision)");
        if (notes && notes_file)
                return cli_usage_error(ctx, "give --notes or --notes-file, not both");
        _cleanup_free_ char *file_notes = NULL;
        if (notes_file) {
                size_t len;
                if ((r = cli_read_file("--notes-file", notes_file, RELEASE_NOTES_FILE_MAX, &file_notes, &len)) !=
                    CLI_EXIT_OK)
                        return r;
                notes = file_notes;
        }
        json_t *hw_arr = json_array();
        for (size_t i = 0; i < n_hw; i++)
                json_array_append_new(hw_arr, json_string(hw[i]));
        _cleanup_json_ json_t *body = json_pack("{s:s, s:s, s:I, s:o}", "product", product, "version", version,
                                                "security_version", (json_int_t) sv, "hardware_revisions", hw_arr);
        if (!body)
                return cli_usage_error(ctx, "options must be valid UTF-8");
        if (notes) {
                json_t *n = json_string(notes);
                if (!n)
                        return cli_usage_error(ctx, "--notes: not valid UTF-8");
                json_object_set_new(body, "notes", n);
        }
        return release_send(ctx, "POST", "/api/v1/releases", body);
}

/* ---- upload ---- */

static const char *base_name(const char *path) {
        const char *slash = strrchr(path, '/');
        return slash ? slash + 1 : path;
}

static int release_upload_run(struct cli_ctx *ctx, int argc, char **argv) {
        static const struct option options[] = {
                CLI_GLOBAL_LONG_OPTIONS,
                { "name", required_argument, NULL, OPT_NAME },
                { "sbom", required_argument, NULL, OPT_SBOM },
                { "sbom-type", required_argument, NULL, OPT_SBOM_TYPE },
                { "encrypt", no_argument, NULL, OPT_ENCRYPT },
                { 0 },
        };
        const char *name = NULL, *sbom = NULL, *sbom_type = NULL;
        bool encrypt = false;
        int c, r;
        while ((c = getopt_long(argc, argv, CLI_GLOBAL_SHORT_OPTIONS, options, NULL)) != -1) {
                switch (c) {
                case OPT_NAME: name = optarg; break;
                case OPT_SBOM: sbom = optarg; break;
                case OPT_SBOM_TYPE: sbom_type = optarg; break;
                case OPT_ENCRYPT: encrypt = true; break;
                default:
                        if ((r = cli_option_common(ctx, c, argc, argv)) != CLI_CONTINUE)
                                return r;
                }
        }
        int64_t id;
        const char *file = NULL;
        if (sbom) {
                if (name)
                        return cli_usage_error(ctx, "--name names an image; an SBOM has none");
                if (encrypt)
                        return cli_usage_error(ctx, "--encrypt is for images; an SBOM is stored as it is");
                if ((r = cli_positional(ctx, argc, argv, 1, "RELEASE-ID")) != CLI_CONTINUE ||
                    (r = release_id_arg(ctx, argv[optind], &id)) != CLI_CONTINUE)
                        return r;
                file = sbom;
                if (!sbom_type) {
                        /* The common SBOM formats by their file names. */
                        if (strstr(file, ".cdx.json") || strstr(file, "cyclonedx"))
                                sbom_type = "application/vnd.cyclonedx+json";
                        else if (strstr(file, ".spdx.json"))
                                sbom_type = "application/spdx+json";
                        else if (strstr(file, ".spdx"))
                                sbom_type = "text/spdx";
                        else
                                sbom_type = "application/json";
                }
        } else {
                if (sbom_type)
                        return cli_usage_error(ctx, "--sbom-type goes with --sbom");
                if ((r = cli_positional(ctx, argc, argv, 2, "RELEASE-ID FILE")) != CLI_CONTINUE ||
                    (r = release_id_arg(ctx, argv[optind], &id)) != CLI_CONTINUE)
                        return r;
                file = argv[optind + 1];
                if (!name)
                        name = base_name(file);
                if (!image_name_valid(name))
                        return cli_usage_error(ctx, "image name '%s' must be 1..%d characters of A-Z a-z 0-9 . _ - "
                                                    "and not start with '.' (give one with --name)",
                                               name, IMAGE_NAME_MAX);
        }
        struct cli_client *client;
        _cleanup_json_ json_t *doc = NULL, *rel = NULL;
        /* A refusal the server would give only after the whole body: ask first. */
        _cleanup_free_ char *rel_path = str_printf("/api/v1/releases/%lld", (long long) id);
        if ((r = cli_ctx_client(ctx, &client)) != CLI_EXIT_OK ||
            (r = cli_client_request(client, "GET", rel_path, NULL, &rel)) != CLI_EXIT_OK ||
            (r = cli_expect_object(rel, rel_path)) != CLI_EXIT_OK)
                return r;
        const char *status = json_string_value(json_object_get(rel, "status"));
        if (!str_eq(status, "draft") && (!sbom || !str_eq(status, "signed")))
                return cli_error(CLI_EXIT_REFUSED, "release %lld is %s; %s", (long long) id, status ? status : "?",
                                 sbom ? "its SBOM can be set until it is published"
                                      : "images can be added to a draft only (create a new release)");
        _cleanup_free_ char *esc = name ? cli_client_escape(name) : NULL;
        _cleanup_free_ char *path = sbom ? str_printf("/api/v1/releases/%lld/sbom", (long long) id)
                                         : str_printf("/api/v1/releases/%lld/images/%s%s", (long long) id, esc,
                                                      encrypt ? "?encrypt=true" : "");
        if ((r = cli_ctx_client(ctx, &client)) != CLI_EXIT_OK ||
            (r = cli_client_upload(client, "PUT", path, file, sbom ? sbom_type : "application/octet-stream", &doc)) !=
                    CLI_EXIT_OK ||
            (r = cli_expect_object(doc, path)) != CLI_EXIT_OK)
                return r;
        if (ctx->flags.json)
                return cli_emit_json(doc);
        return print_release(doc);
}

/* ---- prepare, publish, show ---- */

static int print_targets_metadata(json_t *md) {
        json_t *s = json_object_get(md, "signed");
        const char *release_version = json_string_value(json_object_get(md, "release_version"));
        printf("targets metadata version %lld of %s (release %s), expires %s\n",
               (long long) json_integer_value(json_object_get(s, "version")),
               json_string_value(json_object_get(md, "product")), release_version,
               json_string_value(json_object_get(s, "expires")));
        json_t *targets = json_object_get(s, "targets");
        const char *path;
        json_t *t;
        size_t added = 0;
        json_object_foreach(targets, path, t) {
                const char *rel = json_string_value(json_object_get(json_object_get(t, "custom"), "release"));
                bool mine = str_eq(rel, release_version);
                added += mine;
                _cleanup_free_ char *safe = cli_text_sanitize(path, false);
                printf("  %c %s  %lld bytes  sha256 %s\n", mine ? '+' : '=', safe,
                       (long long) json_integer_value(json_object_get(t, "length")),
                       json_string_value(json_object_get(json_object_get(t, "hashes"), "sha256")));
        }
        printf("%zu target(s), %zu from this release (+), the others already published (=)\n",
               json_object_size(targets), added);
        printf("signatures: %lld valid of threshold %lld\n",
               (long long) json_integer_value(json_object_get(md, "valid_signatures")),
               (long long) json_integer_value(json_object_get(md, "threshold")));
        return CLI_EXIT_OK;
}

static int release_prepare_run(struct cli_ctx *ctx, int argc, char **argv) {
        int64_t id;
        int r;
        if ((r = parse_id_only(ctx, argc, argv, &id)) != CLI_CONTINUE)
                return r;
        struct cli_client *client;
        _cleanup_json_ json_t *doc = NULL;
        _cleanup_free_ char *path = str_printf("/api/v1/releases/%lld/prepare", (long long) id);
        _cleanup_json_ json_t *empty = json_object();
        if ((r = cli_ctx_client(ctx, &client)) != CLI_EXIT_OK ||
            (r = cli_client_request(client, "POST", path, empty, &doc)) != CLI_EXIT_OK ||
            (r = cli_expect_object(doc, path)) != CLI_EXIT_OK)
                return r;
        if (ctx->flags.json)
                return cli_emit_json(doc);
        print_targets_metadata(doc);
        fprintf(stderr, "now each release manager signs it: cradle release sign %lld --key REF\n", (long long) id);
        return CLI_EXIT_OK;
}

static int release_publish_run(struct cli_ctx *ctx, int argc, char **argv) {
        int64_t id;
        int r;
        if ((r = parse_id_only(ctx, argc, argv, &id)) != CLI_CONTINUE)
                return r;
        _cleanup_free_ char *path = str_printf("/api/v1/releases/%lld/publish", (long long) id);
        _cleanup_json_ json_t *empty = json_object();
        return release_send(ctx, "POST", path, empty);
}

static int release_show_run(struct cli_ctx *ctx, int argc, char **argv) {
        int64_t id;
        int r;
        if ((r = parse_id_only(ctx, argc, argv, &id)) != CLI_CONTINUE)
                return r;
        _cleanup_free_ char *path = str_printf("/api/v1/releases/%lld", (long long) id);
        return release_send(ctx, "GET", path, NULL);
}

static int release_withdraw_run(struct cli_ctx *ctx, int argc, char **argv) {
        static const struct option options[] = {
                CLI_GLOBAL_LONG_OPTIONS,
                { "reason", required_argument, NULL, OPT_REASON },
                { 0 },
        };
        const char *reason = NULL;
        int c, r;
        while ((c = getopt_long(argc, argv, CLI_GLOBAL_SHORT_OPTIONS, options, NULL)) != -1) {
                if (c == OPT_REASON)
                        reason = optarg;
                else if ((r = cli_option_common(ctx, c, argc, argv)) != CLI_CONTINUE)
                        return r;
        }
        int64_t id;
        if ((r = cli_positional(ctx, argc, argv, 1, "RELEASE-ID")) != CLI_CONTINUE ||
            (r = release_id_arg(ctx, argv[optind], &id)) != CLI_CONTINUE ||
            (r = cli_require(ctx, reason, "--reason TEXT")) != CLI_CONTINUE)
                return r;
        _cleanup_json_ json_t *body = json_pack("{s:s}", "reason", reason);
        if (!body)
                return cli_usage_error(ctx, "--reason: not valid UTF-8");
        _cleanup_free_ char *path = str_printf("/api/v1/releases/%lld/withdraw", (long long) id);
        return release_send(ctx, "POST", path, body);
}

static int release_list_run(struct cli_ctx *ctx, int argc, char **argv) {
        static const struct cli_field cols[] = {
                { "ID", "id" }, { "PRODUCT", "product" }, { "VERSION", "version" },
                { "SECURITY", "security_version" }, { "STATUS", "status" }, { "SIGNATURES", "targets.signatures" },
                { "PUBLISHED", "published_at" },
        };
        return cli_list_by_product(ctx, argc, argv, "/api/v1/releases", &cli_cursor_before_id, cols, ELEMENTSOF(cols));
}

/* ---- sign ---- */

/* Checks a local image file against this release's target of the same file name
 * (reporting on `report` when not NULL). */
static int check_image(json_t *targets, const char *release_version, const char *file, FILE *report) {
        uint8_t sum[SHA256_LEN];
        int64_t len = 0;
        struct error err = { 0 };
        if (image_store_hash_file(file, sum, &len, &err) < 0)
                return cli_error(CLI_EXIT_LOCAL, "--image: %s", err.msg);
        char hex[SHA256_HEX_LEN];
        hex_encode(sum, SHA256_LEN, hex);
        _cleanup_free_ char *path = str_printf("%s/%s", release_version, base_name(file));
        json_t *t = json_object_get(targets, path);
        if (!t) {
                /* Any target of this release with these bytes (a renamed copy). */
                const char *p;
                json_t *v;
                json_object_foreach(targets, p, v) {
                        const char *rel = json_string_value(json_object_get(json_object_get(v, "custom"), "release"));
                        if (str_eq(rel, release_version) &&
                            str_eq(json_string_value(json_object_get(json_object_get(v, "hashes"), "sha256")), hex)) {
                                t = v;
                                break;
                        }
                }
                if (!t)
                        return cli_error(CLI_EXIT_VERIFY,
                                         "--image %s: the metadata has no target %s and no target of release %s "
                                         "with SHA-256 %s; do not sign",
                                         file, path, release_version, hex);
        }
        const char *want = json_string_value(json_object_get(json_object_get(t, "hashes"), "sha256"));
        int64_t want_len = json_integer_value(json_object_get(t, "length"));
        if (!str_eq(want, hex) || want_len != len)
                return cli_error(CLI_EXIT_VERIFY,
                                 "--image %s: %lld bytes with SHA-256 %s, but the metadata to be signed lists %lld "
                                 "bytes with SHA-256 %s; do not sign",
                                 file, (long long) len, hex, (long long) want_len, want ? want : "?");
        if (report)
                fprintf(report, "  checked %s: %lld bytes, SHA-256 %s matches\n", file, (long long) len, hex);
        return CLI_EXIT_OK;
}

static int release_sign_run(struct cli_ctx *ctx, int argc, char **argv) {
        static const struct option options[] = {
                CLI_GLOBAL_LONG_OPTIONS,
                { "key", required_argument, NULL, OPT_KEY },
                { "image", required_argument, NULL, OPT_IMAGE },
                { 0 },
        };
        const char *key_ref = NULL;
        const char *images[RELEASE_MAX_IMAGES_CHECKED];
        size_t n_images = 0;
        int c, r;
        while ((c = getopt_long(argc, argv, CLI_GLOBAL_SHORT_OPTIONS, options, NULL)) != -1) {
                switch (c) {
                case OPT_KEY: key_ref = optarg; break;
                case OPT_IMAGE:
                        if (n_images >= RELEASE_MAX_IMAGES_CHECKED)
                                return cli_usage_error(ctx, "at most %d --image options", RELEASE_MAX_IMAGES_CHECKED);
                        images[n_images++] = optarg;
                        break;
                default:
                        if ((r = cli_option_common(ctx, c, argc, argv)) != CLI_CONTINUE)
                                return r;
                }
        }
        int64_t id;
        if ((r = cli_positional(ctx, argc, argv, 1, "RELEASE-ID")) != CLI_CONTINUE ||
            (r = release_id_arg(ctx, argv[optind], &id)) != CLI_CONTINUE ||
            (r = cli_require(ctx, key_ref, "--key REF")) != CLI_CONTINUE)
                return r;

        struct cli_client *client;
        _cleanup_json_ json_t *md = NULL, *result = NULL;
        _cleanup_free_ char *md_path = str_printf("/api/v1/releases/%lld/targets-metadata", (long long) id);
        if ((r = cli_ctx_client(ctx, &client)) != CLI_EXIT_OK ||
            (r = cli_client_request(client, "GET", md_path, NULL, &md)) != CLI_EXIT_OK ||
            (r = cli_expect_object(md, md_path)) != CLI_EXIT_OK)
                return r;

        /* What is signed is exactly what is shown: a strictly valid targets
         * document (never a root or anything else a server might slip in). */
        struct error err = { 0 };
        _cleanup_json_ json_t *doc = json_pack("{s:O, s:[]}", "signed", json_object_get(md, "signed"), "signatures");
        _cleanup_tuf_metadata_ struct tuf_metadata *parsed = NULL;
        if (!doc || tuf_metadata_from_json("targets metadata", doc, TUF_ROLE_TARGETS, &parsed, &err) < 0)
                return cli_error(CLI_EXIT_SERVER, "the server's metadata to sign is not TUF targets metadata: %s",
                                 err.msg);
        const char *release_version = json_string_value(json_object_get(md, "release_version"));
        if (!release_version)
                return cli_error(CLI_EXIT_SERVER, "the server's answer names no release version");
        /* With --json, stdout carries only the server's answer. */
        FILE *report = ctx->flags.json ? NULL : stdout;
        if (report)
                print_targets_metadata(md);
        json_t *targets = json_object_get(json_object_get(md, "signed"), "targets");
        for (size_t i = 0; i < n_images; i++)
                if ((r = check_image(targets, release_version, images[i], report)) != CLI_EXIT_OK)
                        return r;

        _cleanup_crypto_key_ struct crypto_key *key = NULL;
        if (crypto_key_load(key_ref, &key, &err) < 0)
                return cli_error(CLI_EXIT_LOCAL, "--key: %s", err.msg);
        size_t len = 0;
        _cleanup_free_ char *bytes = tuf_signed_bytes(doc, &len, &err);
        if (!bytes)
                return cli_error(CLI_EXIT_LOCAL, "%s", err.msg);
        char keyid[TUF_KEYID_HEX_LEN];
        _cleanup_free_ char *sig = NULL;
        if (tuf_sign_bytes(key, bytes, len, keyid, &sig, &err) < 0)
                return cli_error(CLI_EXIT_LOCAL, "--key: %s", err.msg);
        bool known = false;
        size_t i;
        json_t *k;
        json_array_foreach(json_object_get(md, "keyids"), i, k) known |= str_eq(json_string_value(k), keyid);
        if (!known)
                return cli_error(CLI_EXIT_LOCAL,
                                 "--key: key %s (%s) is not one of the targets keys of the repository's root "
                                 "(version %lld); nothing was sent",
                                 keyid, crypto_key_describe(key),
                                 (long long) json_integer_value(json_object_get(md, "root_version")));
        _cleanup_json_ json_t *body = json_pack("{s:s, s:s}", "keyid", keyid, "sig", sig);
        _cleanup_free_ char *sig_path = str_printf("/api/v1/releases/%lld/signatures", (long long) id);
        if ((r = cli_client_request(client, "POST", sig_path, body, &result)) != CLI_EXIT_OK ||
            (r = cli_expect_object(result, sig_path)) != CLI_EXIT_OK)
                return r;
        if (ctx->flags.json)
                return cli_emit_json(result);
        const char *status = json_string_value(json_object_get(result, "status"));
        printf("signed with key %.16s... (%s): %lld of %lld signatures; release %s is %s\n", keyid,
               crypto_key_describe(key), (long long) json_integer_value(json_object_get(result, "valid_signatures")),
               (long long) json_integer_value(json_object_get(result, "threshold")), release_version,
               status ? status : "?");
        if (str_eq(status, "signed"))
                fprintf(stderr, "the targets threshold is met: cradle release publish %lld\n", (long long) id);
        return CLI_EXIT_OK;
}

/* ---- the table ---- */

static const struct cli_command release_create = {
        .name = "create",
        .summary = "Create a draft release",
        .usage = "--product MODEL --version VERSION --security-version N --hardware-revision REV... "
                 "[--notes TEXT | --notes-file FILE]",
        .help = "Creates a draft release of a product (POST /api/v1/releases; admin, release-manager).\n\n"
                "Options:\n"
                "  --product MODEL          the product\n"
                "  --version VERSION        unique per product: [A-Za-z0-9._+-], 1..64; it is the\n"
                "                           directory of the release's targets (VERSION/IMAGE)\n"
                "  --security-version N     anti-rollback counter: devices refuse an image whose\n"
                "                           security version is below the one they run; it may\n"
                "                           not be lower than any earlier release of the product\n"
                "  --hardware-revision REV  a compatible hardware revision (repeat for each)\n"
                "  --notes TEXT, --notes-file FILE\n"
                "                           release notes (up to 64 KiB)\n",
        .run = release_create_run,
};

static const struct cli_command release_upload = {
        .name = "upload",
        .summary = "Upload an image (or the SBOM) of a draft release",
        .usage = "RELEASE-ID FILE [--name NAME] [--encrypt] | RELEASE-ID --sbom FILE [--sbom-type MEDIA-TYPE]",
        .help = "Streams FILE to the server (PUT /api/v1/releases/ID/images/NAME; admin,\n"
                "release-manager). The file is never read whole into memory; the server hashes\n"
                "it on the way and stores it once by SHA-256 (up to [ota] max_image_size).\n"
                "Uploading a name again replaces that image; any change drops prepared metadata\n"
                "and its signatures.\n\n"
                "Options:\n"
                "  --name NAME             the image name (default: FILE's base name);\n"
                "                          [A-Za-z0-9._-], 1..100\n"
                "  --encrypt               store it encrypted (docs/ota.md, Encrypted payloads):\n"
                "                          the server encrypts it under a fresh content key sealed\n"
                "                          under its KEK; the director wraps that key to each\n"
                "                          device's certificate key (P-256/P-384 devices only)\n"
                "  --sbom FILE             upload the release's SBOM instead (stored unchanged;\n"
                "                          PUT /api/v1/releases/ID/sbom)\n"
                "  --sbom-type MEDIA-TYPE  its media type (default from the name: .cdx.json ->\n"
                "                          application/vnd.cyclonedx+json, .spdx.json ->\n"
                "                          application/spdx+json)\n",
        .run = release_upload_run,
};

static const struct cli_command release_prepare = {
        .name = "prepare",
        .summary = "Prepare the unsigned targets metadata of a release",
        .usage = "RELEASE-ID",
        .help = "Has the server build the targets metadata that will publish the release\n"
                "(POST /api/v1/releases/ID/prepare; admin, release-manager): the repository's\n"
                "next targets version, listing every published release's targets plus this\n"
                "release's images. Prints what it lists. Preparing again drops the signatures.\n",
        .run = release_prepare_run,
};

static const struct cli_command release_sign = {
        .name = "sign",
        .summary = "Sign a release's targets metadata with an offline targets key",
        .usage = "RELEASE-ID --key REF [--image FILE...]",
        .help = "Fetches the prepared targets metadata (GET /api/v1/releases/ID/targets-metadata),\n"
                "prints what it lists, checks each --image file's length and SHA-256 against\n"
                "it, signs it locally with REF and uploads only the signature {keyid, sig}\n"
                "(POST /api/v1/releases/ID/signatures; admin, release-manager). The release\n"
                "becomes signed when the targets threshold of the repository's root is met\n"
                "(for example 2 of 3 release managers).\n\n"
                "Options:\n"
                "  --key REF      the signing key: a PEM file (mode 0600) or a pkcs11: URI; the\n"
                "                 PIN comes from CRADLE_PKCS11_PIN or CRADLE_PKCS11_PIN_FILE\n"
                "  --image FILE   a local copy of an image of this release to check first\n"
                "                 (repeatable); a mismatch stops with exit 5 and signs nothing\n",
        .run = release_sign_run,
};

static const struct cli_command release_publish = {
        .name = "publish",
        .summary = "Publish a signed release into the product's image repository",
        .usage = "RELEASE-ID",
        .help = "Publishes a signed release (POST /api/v1/releases/ID/publish; admin,\n"
                "release-manager): writes N.targets.json, links the images, and has the server\n"
                "sign a new snapshot and timestamp. Refused when another release was published\n"
                "since this one was prepared: prepare and sign again.\n",
        .run = release_publish_run,
};

static const struct cli_command release_withdraw = {
        .name = "withdraw",
        .summary = "Withdraw a published release",
        .usage = "RELEASE-ID --reason TEXT",
        .help = "Withdraws a published release (POST /api/v1/releases/ID/withdraw; admin,\n"
                "release-manager, security-officer): devices are no longer offered it, and the\n"
                "next targets metadata prepared leaves it out. Its images stay stored (CRA Art.\n"
                "13(9)).\n\n"
                "Options:\n"
                "  --reason TEXT   why (required, recorded in the audit trail)\n",
        .run = release_withdraw_run,
};

static const struct cli_command release_list = {
        .name = "list",
        .summary = "List releases",
        .usage = "[--product MODEL]",
        .help = "Lists releases, newest first (GET /api/v1/releases; every role).\n\n"
                "Options:\n"
                "  --product MODEL   only this product's\n",
        .run = release_list_run,
};

static const struct cli_command release_show = {
        .name = "show",
        .summary = "Show a release",
        .usage = "RELEASE-ID",
        .help = "Shows a release with its images (GET /api/v1/releases/ID; every role).\n",
        .run = release_show_run,
};

static const struct cli_command *const release_subs[] = {
        &release_create, &release_upload, &release_prepare, &release_sign, &release_publish,
        &release_withdraw, &release_list, &release_show, NULL,
};

const struct cli_command cli_cmd_release = {
        .name = "release",
        .summary = "Manage releases and their offline signing",
        .subs = release_subs,
};

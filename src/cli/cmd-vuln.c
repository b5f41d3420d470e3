/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cradle vuln import|list|show: the vulnerability feeds (issue 9 section 2).
 * import streams each file to POST /api/v1/vulns/import as release image
 * uploads do (libcurl reads it as it sends); a directory sends each regular
 * file in it, in name order, one request each, so every file is its own
 * transaction and audit entry.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/cli.h"
#include "cli/client.h"
#include "cli/cmd-common.h"
#include "cli/command.h"
#include "cli/output.h"
#include "core/cleanup.h"
#include "core/strutil.h"

enum { OPT_EXPLOITED = CLI_OPT_LOCAL_BASE, OPT_Q };

static const char *base_name(const char *path) {
        const char *slash = strrchr(path, '/');
        return slash ? slash + 1 : path;
}

static void print_summary(json_t *sum) {
        _cleanup_free_ char *file = cli_text_sanitize(json_string_value(json_object_get(sum, "file")), false);
        printf("%s: %s\n", file ? file : "?", json_string_value(json_object_get(sum, "feed")));
        const char *src;
        json_t *c;
        json_object_foreach(json_object_get(sum, "sources"), src, c) {
                printf("  %-5s added %lld, updated %lld, unchanged %lld, withdrawn %lld, skipped %lld, merged %lld\n",
                       src, (long long) json_integer_value(json_object_get(c, "added")),
                       (long long) json_integer_value(json_object_get(c, "updated")),
                       (long long) json_integer_value(json_object_get(c, "unchanged")),
                       (long long) json_integer_value(json_object_get(c, "withdrawn")),
                       (long long) json_integer_value(json_object_get(c, "skipped")),
                       (long long) json_integer_value(json_object_get(c, "merged")));
        }
        printf("  queued for matching: %lld\n", (long long) json_integer_value(json_object_get(sum, "queued")));
        size_t i;
        json_t *v;
        json_array_foreach(json_object_get(sum, "skipped"), i, v) {
                _cleanup_free_ char *rec = cli_text_sanitize(json_string_value(json_object_get(v, "record")), false);
                _cleanup_free_ char *why = cli_text_sanitize(json_string_value(json_object_get(v, "reason")), false);
                printf("  skipped %s %s: %s\n", json_string_value(json_object_get(v, "source")), rec ? rec : "",
                       why ? why : "");
        }
        json_array_foreach(json_object_get(sum, "notes"), i, v) {
                _cleanup_free_ char *note = cli_text_sanitize(json_string_value(v), false);
                printf("  note: %s\n", note ? note : "");
        }
}

static int import_one(struct cli_ctx *ctx, const char *file, json_t *all) {
        struct cli_client *client;
        _cleanup_json_ json_t *doc = NULL;
        _cleanup_free_ char *esc = cli_client_escape(base_name(file));
        _cleanup_free_ char *path = str_printf("/api/v1/vulns/import?name=%s", esc);
        int r;
        if ((r = cli_ctx_client(ctx, &client)) != CLI_EXIT_OK ||
            (r = cli_client_upload(client, "POST", path, file, "application/octet-stream", &doc)) != CLI_EXIT_OK ||
            (r = cli_expect_object(doc, path)) != CLI_EXIT_OK)
                return r;
        if (ctx->flags.json)
                json_array_append(all, doc);
        else
                print_summary(doc);
        return CLI_EXIT_OK;
}

static int cmp_names(const void *a, const void *b) {
        return strcmp(*(char *const *) a, *(char *const *) b);
}

static int vuln_import_run(struct cli_ctx *ctx, int argc, char **argv) {
        int r;
        if ((r = cli_parse_positional_only(ctx, argc, argv, 1, "FILE|DIR")) != CLI_CONTINUE)
                return r;
        const char *arg = argv[optind];
        struct stat st;
        if (stat(arg, &st) < 0)
                return cli_error(CLI_EXIT_USAGE, "%s: no such file or directory", arg);
        _cleanup_json_ json_t *all = json_array();
        if (!S_ISDIR(st.st_mode)) {
                if ((r = import_one(ctx, arg, all)) != CLI_EXIT_OK)
                        return r;
                return ctx->flags.json ? cli_emit_json(json_array_get(all, 0)) : CLI_EXIT_OK;
        }
        DIR *d = opendir(arg);
        if (!d)
                return cli_error(CLI_EXIT_USAGE, "%s: cannot open the directory", arg);
        char **names = NULL;
        size_t n = 0, cap = 0;
        struct dirent *e;
        while ((e = readdir(d))) {
                if (e->d_name[0] == '.')
                        continue;
                char *p = str_printf("%s/%s", arg, e->d_name);
                struct stat fs;
                if (stat(p, &fs) < 0 || !S_ISREG(fs.st_mode)) {
                        free(p);
                        continue;
                }
                if (n == cap) {
                        cap = cap ? 2 * cap : 16;
                        names = xrealloc(names, cap * sizeof(*names));
                }
                names[n++] = p;
        }
        closedir(d);
        if (n > 0)
                qsort(names, n, sizeof(*names), cmp_names);
        int worst = CLI_EXIT_OK;
        /* one file failing (a truncated download) does not stop the others */
        for (size_t i = 0; i < n; i++) {
                r = import_one(ctx, names[i], all);
                if (r != CLI_EXIT_OK && worst == CLI_EXIT_OK)
                        worst = r;
                free(names[i]);
        }
        free(names);
        if (n == 0)
                return cli_error(CLI_EXIT_USAGE, "%s: no files to import", arg);
        if (ctx->flags.json) {
                _cleanup_json_ json_t *out = json_pack("{s:O}", "imports", all);
                int jr = cli_emit_json(out);
                return worst != CLI_EXIT_OK ? worst : jr;
        }
        return worst;
}

static const struct cli_field vuln_cols[] = {
        { "NAME", "name" }, { "SEVERITY", "severity" }, { "CVSS", "cvss_score" }, { "EXPLOITED", "exploited_at" },
        { "EPSS", "epss" }, { "WITHDRAWN", "withdrawn_at" }, { "SUMMARY", "summary" },
};

static int vuln_list_run(struct cli_ctx *ctx, int argc, char **argv) {
        static const struct option options[] = {
                CLI_GLOBAL_LONG_OPTIONS,
                { "exploited", no_argument, NULL, OPT_EXPLOITED },
                { "q", required_argument, NULL, OPT_Q },
                { 0 },
        };
        bool exploited = false;
        const char *q = NULL;
        int c, r;
        while ((c = getopt_long(argc, argv, CLI_GLOBAL_SHORT_OPTIONS, options, NULL)) != -1) {
                switch (c) {
                case OPT_EXPLOITED: exploited = true; break;
                case OPT_Q: q = optarg; break;
                default:
                        if ((r = cli_option_common(ctx, c, argc, argv)) != CLI_CONTINUE)
                                return r;
                }
        }
        if ((r = cli_positional(ctx, argc, argv, 0, "")) != CLI_CONTINUE)
                return r;
        struct buf b = {0};
        buf_appendf(&b, "/api/v1/vulns");
        char sep = '?';
        if (exploited) {
                buf_appendf(&b, "%cexploited=true", sep);
                sep = '&';
        }
        if (q) {
                _cleanup_free_ char *esc = cli_client_escape(q);
                buf_appendf(&b, "%cq=%s", sep, esc);
        }
        _cleanup_free_ char *path = buf_steal(&b);
        return cli_send_list_paged(ctx, path, &cli_cursor_after_id, -1, false, vuln_cols, ELEMENTSOF(vuln_cols));
}

static const struct cli_field vuln_fields[] = {
        { "name", "name" }, { "aliases", "aliases" }, { "summary", "summary" }, { "severity", "severity" },
        { "cvss", "cvss_score" }, { "vector", "cvss_vector" }, { "published", "published_at" },
        { "modified", "modified_at" }, { "withdrawn", "withdrawn_at" }, { "exploited", "exploited_at" },
        { "exploited source", "exploited_source" }, { "epss", "epss" }, { "epss percentile", "epss_percentile" },
};

static int vuln_show_run(struct cli_ctx *ctx, int argc, char **argv) {
        int r;
        if ((r = cli_parse_positional_only(ctx, argc, argv, 1, "ID")) != CLI_CONTINUE)
                return r;
        _cleanup_free_ char *esc = cli_client_escape(argv[optind]);
        _cleanup_free_ char *path = str_printf("/api/v1/vulns/%s", esc);
        struct cli_client *client;
        _cleanup_json_ json_t *doc = NULL;
        if ((r = cli_ctx_client(ctx, &client)) != CLI_EXIT_OK ||
            (r = cli_client_request(client, "GET", path, NULL, &doc)) != CLI_EXIT_OK ||
            (r = cli_expect_object(doc, path)) != CLI_EXIT_OK)
                return r;
        if (ctx->flags.json)
                return cli_emit_json(doc);
        if ((r = cli_print_object(doc, vuln_fields, ELEMENTSOF(vuln_fields))) != CLI_EXIT_OK)
                return r;
        size_t i;
        json_t *v;
        printf("records:\n");
        json_array_foreach(json_object_get(doc, "records"), i, v) {
                _cleanup_free_ char *id = cli_text_sanitize(json_string_value(json_object_get(v, "record_id")), false);
                _cleanup_free_ char *mod = cli_text_sanitize(json_string_value(json_object_get(v, "modified")), false);
                printf("  %-5s %s  modified %s%s\n", json_string_value(json_object_get(v, "source")), id ? id : "",
                       mod ? mod : "", json_is_string(json_object_get(v, "withdrawn")) ? "  (withdrawn)" : "");
        }
        printf("affected entries:\n");
        json_array_foreach(json_object_get(doc, "affected"), i, v) {
                _cleanup_free_ char *key = cli_text_sanitize(json_string_value(json_object_get(v, "match_key")), false);
                printf("  %-4s %s  (%s %s)\n", json_string_value(json_object_get(v, "kind")), key ? key : "",
                       json_string_value(json_object_get(v, "source")),
                       json_string_value(json_object_get(v, "record_id")));
        }
        return CLI_EXIT_OK;
}

static const struct cli_command vuln_import = {
        .name = "import",
        .summary = "Import a vulnerability feed file, or every file of a directory",
        .usage = "FILE|DIR",
        .help = "Streams FILE to the server (POST /api/v1/vulns/import; admin,\n"
                "security-officer), which detects the feed from its content: OSV JSON (a\n"
                "record, an array, an ecosystem all.zip), NVD CVE API 2.0 JSON (yearly feeds,\n"
                "modified deltas), CISA KEV JSON, EPSS CSV (plain or .gz), CSAF 2.0, EUVD JSON.\n"
                "A DIR sends each regular file in it, in name order, one request per file\n"
                "(a file that fails does not stop the others; the exit code is the first\n"
                "failure's). Importing again writes only what changed. Prints, per file and\n"
                "source, what was added, updated, unchanged, withdrawn and skipped (with the\n"
                "reasons), and what the source leaves out.\n",
        .run = vuln_import_run,
};

static const struct cli_command vuln_list = {
        .name = "list",
        .summary = "List known vulnerabilities",
        .usage = "[--exploited] [--q TEXT]",
        .help = "Lists vulnerabilities in import order (GET /api/v1/vulns; admin,\n"
                "release-manager, security-officer, auditor).\n\n"
                "Options:\n"
                "  --exploited   only those CISA KEV lists as actively exploited\n"
                "  --q TEXT      only those whose name, an alias or the summary contains TEXT\n",
        .run = vuln_list_run,
};

static const struct cli_command vuln_show = {
        .name = "show",
        .summary = "Show a vulnerability by any of its ids",
        .usage = "ID",
        .help = "Shows a vulnerability, its aliases, its records per source and its affected\n"
                "entries (GET /api/v1/vulns/ID; admin, release-manager, security-officer,\n"
                "auditor). ID is its name or any alias: CVE-..., GHSA-..., an OSV id, EUVD-...\n",
        .run = vuln_show_run,
};

static const struct cli_command *const vuln_subs[] = { &vuln_import, &vuln_list, &vuln_show,
                                                        &cli_cmd_vuln_explain, /* issue 9, findings stream */ NULL };

const struct cli_command cli_cmd_vuln = {
        .name = "vuln",
        .summary = "Import vulnerability feeds and look vulnerabilities up",
        .subs = vuln_subs,
};

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libcurl underneath the CLI. Everything a request can do wrong ends here as
 * one message on stderr and one exit code, so the commands stay about their
 * own job.
 */
#include <curl/curl.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/client.h"
#include "cli/output.h"
#include "cli/problem.h"
#include "core/cleanup.h"
#include "core/json.h"
#include "core/strutil.h"
#include "cradle-version.h"
#include "crypto/ct.h"

struct cli_client {
        CURL *curl;
        char *base_url;         /* scheme://host[:port][/prefix], no trailing slash */
        char *auth_header;      /* "Authorization: Bearer ..." (secret) */
        char errbuf[CURL_ERROR_SIZE];
};

struct response {
        struct buf body;
        bool too_large;
};

static size_t on_body(char *data, size_t size, size_t n, void *userdata) {
        struct response *r = userdata;
        size_t len = size * n;

        if (r->body.len + len > CLI_CLIENT_RESPONSE_MAX) {
                r->too_large = true;
                return 0; /* makes curl stop with CURLE_WRITE_ERROR */
        }
        buf_append(&r->body, data, len);
        return len;
}

static bool host_is_loopback(const char *host) {
        return strcasecmp(host, "localhost") == 0 || strncmp(host, "127.", 4) == 0 ||
               strcmp(host, "[::1]") == 0 || strcmp(host, "::1") == 0;
}

static int check_url(const char *url, const char *from, char **base_out, struct error *err) {
        CURLU *u = curl_url();
        char *scheme = NULL, *host = NULL, *user = NULL, *password = NULL, *query = NULL,
             *fragment = NULL, *full = NULL;
        int r = -1;

        *base_out = NULL;
        if (!u)
                abort();
        if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK) {
                error_set(err, ERROR_INVALID, "server URL '%s' (from %s) is not a valid URL", url, from);
                goto out;
        }
        curl_url_get(u, CURLUPART_SCHEME, &scheme, 0);
        curl_url_get(u, CURLUPART_HOST, &host, 0);
        curl_url_get(u, CURLUPART_USER, &user, 0);
        curl_url_get(u, CURLUPART_PASSWORD, &password, 0);
        curl_url_get(u, CURLUPART_QUERY, &query, 0);
        curl_url_get(u, CURLUPART_FRAGMENT, &fragment, 0);
        if (!scheme || (strcasecmp(scheme, "https") != 0 && strcasecmp(scheme, "http") != 0)) {
                error_set(err, ERROR_INVALID, "server URL '%s' (from %s): the scheme must be https", url, from);
                goto out;
        }
        if (!host || !*host) {
                error_set(err, ERROR_INVALID, "server URL '%s' (from %s) has no host", url, from);
                goto out;
        }
        if (user || password) {
                /* Not echoed: it may hold a password. */
                error_set(err, ERROR_INVALID,
                          "server URL (from %s) must not carry a user name or password; the "
                          "API token authenticates",
                          from);
                goto out;
        }
        if (query || fragment) {
                error_set(err, ERROR_INVALID, "server URL '%s' (from %s) must not have a query or fragment",
                          url, from);
                goto out;
        }
        if (strcasecmp(scheme, "http") == 0 && !host_is_loopback(host)) {
                error_set(err, ERROR_INVALID,
                          "server URL '%s' (from %s): plain http would send the token in "
                          "clear text; use https (http is accepted only for localhost)",
                          url, from);
                goto out;
        }
        if (curl_url_get(u, CURLUPART_URL, &full, 0) != CURLUE_OK) {
                error_set(err, ERROR_INVALID, "server URL '%s' (from %s) is not a valid URL", url, from);
                goto out;
        }
        size_t n = strlen(full);
        while (n > 0 && full[n - 1] == '/')
                full[--n] = '\0';
        *base_out = str_dup(full);
        r = 0;
out:
        curl_free(scheme);
        curl_free(host);
        curl_free(user);
        curl_free(password);
        curl_free(query);
        curl_free(fragment);
        curl_free(full);
        curl_url_cleanup(u);
        return r;
}

void cli_client_free(struct cli_client *c) {
        if (!c)
                return;
        if (c->curl)
                curl_easy_cleanup(c->curl);
        free(c->base_url);
        free_secret(c->auth_header);
        free(c);
        curl_global_cleanup();
}

int cli_client_new(const struct cli_settings *s, struct cli_client **out, struct error *err) {
        struct cli_client *c;
        char *base = NULL;

        *out = NULL;
        if (check_url(s->url, s->url_from ? s->url_from : "settings", &base, err) < 0)
                return -1;
        if (s->ca && access(s->ca, R_OK) < 0) {
                free(base);
                return error_set_errno(err, ERROR_IO, errno, "CA file %s (from %s)", s->ca,
                                       s->ca_from ? s->ca_from : "settings");
        }
        if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
                free(base);
                return error_set(err, ERROR_INTERNAL, "cannot initialise libcurl");
        }
        c = xcalloc(1, sizeof(*c));
        c->base_url = base;
        if (s->token)
                c->auth_header = str_printf("Authorization: Bearer %s", s->token);
        c->curl = curl_easy_init();
        if (!c->curl) {
                cli_client_free(c);
                return error_set(err, ERROR_INTERNAL, "cannot create a libcurl handle");
        }

        CURL *h = c->curl;
        curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(h, CURLOPT_ERRORBUFFER, c->errbuf);
        curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, CLI_CLIENT_CONNECT_TIMEOUT_S);
        curl_easy_setopt(h, CURLOPT_TIMEOUT, CLI_CLIENT_TOTAL_TIMEOUT_S);
        curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
        curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
        curl_easy_setopt(h, CURLOPT_SSLVERSION, (long) CURL_SSLVERSION_TLSv1_2);
        curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
        curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
        if (s->ca) {
                curl_easy_setopt(h, CURLOPT_CAINFO, s->ca);
                /* The configured CA only. libcurl keeps its built-in CA directory
                 * (/etc/ssl/certs on Debian) beside CAINFO unless told not to, so
                 * every public CA could vouch for "our" server, and each
                 * handshake first parsed the whole directory (~150 files) -- on
                 * a loaded machine long enough to hit the connect timeout. */
                curl_easy_setopt(h, CURLOPT_CAPATH, NULL);
        }
        curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t) CLI_CLIENT_RESPONSE_MAX);
        curl_easy_setopt(h, CURLOPT_USERAGENT, "cradle/" CRADLE_VERSION);
        curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
        *out = c;
        return 0;
}

char *cli_client_escape(const char *s) {
        char *e = curl_easy_escape(NULL, s, 0);
        if (!e)
                abort();
        char *copy = str_dup(e);
        curl_free(e);
        return copy;
}

/* curl copies header strings; wipe its copy of the token before it is freed. */
static void headers_free(struct curl_slist *list) {
        for (struct curl_slist *l = list; l; l = l->next)
                if (l->data)
                        ct_wipe(l->data, strlen(l->data));
        curl_slist_free_all(list);
}

static struct curl_slist *headers_add(struct curl_slist *list, const char *h) {
        struct curl_slist *n = curl_slist_append(list, h);
        if (!n)
                abort();
        return n;
}

static int report_transport_error(struct cli_client *c, CURLcode rc, const struct response *resp,
                                   const char *method, const char *url) {
        if (resp->too_large || rc == CURLE_FILESIZE_EXCEEDED)
                return cli_error(CLI_EXIT_SERVER, "the response to %s %s is larger than %zu MiB",
                                 method, url, CLI_CLIENT_RESPONSE_MAX / (1024 * 1024));
        const char *msg = c->errbuf[0] ? c->errbuf : curl_easy_strerror(rc);
        _cleanup_free_ char *safe = cli_text_sanitize(msg, false);
        fprintf(stderr, "error: %s %s: %s\n", method, url, safe);
        switch (rc) {
        case CURLE_PEER_FAILED_VERIFICATION:
        case CURLE_SSL_CACERT_BADFILE:
                fprintf(stderr, "hint: give the CA certificate that issued the server's "
                                "certificate with --ca FILE or CRADLE_CA\n");
                break;
        case CURLE_OPERATION_TIMEDOUT:
                fprintf(stderr, "hint: the connect timeout is %lds and the request timeout %lds\n",
                        CLI_CLIENT_CONNECT_TIMEOUT_S, CLI_CLIENT_TOTAL_TIMEOUT_S);
                break;
        default:
                break;
        }
        return CLI_EXIT_SERVER;
}

static int finish_json_response(struct cli_client *c, CURLcode rc, struct response *resp_in, const char *method,
                                const char *url, json_t **out);

int cli_client_request(struct cli_client *c, const char *method, const char *path, json_t *body,
                       json_t **out) {
        CURL *h = c->curl;
        _cleanup_free_ char *url = str_printf("%s%s", c->base_url, path);
        _cleanup_free_ char *payload = NULL;
        struct curl_slist *headers = NULL;
        struct response resp = { 0 };
        CURLcode rc;

        *out = NULL;
        c->errbuf[0] = '\0';
        headers = headers_add(headers, "Accept: application/json, application/problem+json");
        /* No "Expect: 100-continue" round trip for larger bodies. */
        headers = headers_add(headers, "Expect:");
        if (c->auth_header)
                headers = headers_add(headers, c->auth_header);

        curl_easy_setopt(h, CURLOPT_URL, url);
        curl_easy_setopt(h, CURLOPT_WRITEDATA, &resp);
        if (body) {
                payload = json_dumps(body, JSON_COMPACT);
                if (!payload)
                        abort();
                headers = headers_add(headers, "Content-Type: application/json");
                curl_easy_setopt(h, CURLOPT_POSTFIELDS, payload);
                curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t) strlen(payload));
                curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, strcmp(method, "POST") == 0 ? NULL : method);
        } else {
                curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
                curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, strcmp(method, "GET") == 0 ? NULL : method);
        }
        curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);

        rc = curl_easy_perform(h);

        curl_easy_setopt(h, CURLOPT_HTTPHEADER, NULL);
        headers_free(headers);
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, NULL);
        return finish_json_response(c, rc, &resp, method, url, out);
}

/* After curl_easy_perform: a transport failure, a refusal or a JSON answer
 * (see cli_client_request). Frees resp's body. */
static int finish_json_response(struct cli_client *c, CURLcode rc, struct response *resp_in, const char *method,
                                const char *url, json_t **out) {
        CURL *h = c->curl;
        struct response resp = *resp_in;
        long status = 0;
        char *content_type = NULL;
        struct curl_header *rid = NULL;
        int ret;

        if (rc != CURLE_OK) {
                ret = report_transport_error(c, rc, &resp, method, url);
                goto out;
        }
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
        curl_easy_getinfo(h, CURLINFO_CONTENT_TYPE, &content_type);

        if (status < 200 || status > 299) {
                const char *request_id = NULL;
                if (curl_easy_header(h, "X-Request-Id", 0, CURLH_HEADER, -1, &rid) == CURLHE_OK)
                        request_id = rid->value;
                _cleanup_free_ char *msg = cli_problem_format(status, content_type, resp.body.data,
                                                              resp.body.len, request_id, method, url);
                fputs(msg, stderr);
                ret = cli_problem_exit_code(status);
                goto out;
        }
        if (resp.body.len > 0) {
                struct error err = { 0 };
                json_t *doc = cr_json_parse("server response", resp.body.data, resp.body.len,
                                            CLI_CLIENT_RESPONSE_MAX, CR_JSON_DEFAULT_MAX_DEPTH, &err);
                if (!doc) {
                        _cleanup_free_ char *why = cli_text_sanitize(err.msg, false);
                        ret = cli_error(CLI_EXIT_SERVER,
                                        "%s %s: the server's answer is not valid JSON: %s", method,
                                        url, why);
                        goto out;
                }
                *out = doc;
        }
        ret = CLI_EXIT_OK;
out:
        /* A response can hold a secret (token create). */
        if (resp.body.data)
                ct_wipe(resp.body.data, resp.body.len);
        buf_free(&resp.body);
        return ret;
}

struct upload_source {
        FILE *f;
        bool failed;
};

static size_t on_upload_read(char *buf, size_t size, size_t n, void *userdata) {
        struct upload_source *src = userdata;
        size_t got = fread(buf, 1, size * n, src->f);
        if (got == 0 && ferror(src->f)) {
                src->failed = true;
                return CURL_READFUNC_ABORT;
        }
        return got;
}

int cli_client_upload(struct cli_client *c, const char *method, const char *path, const char *file,
                      const char *content_type, json_t **out) {
        CURL *h = c->curl;
        _cleanup_free_ char *url = str_printf("%s%s", c->base_url, path);
        _cleanup_free_ char *ct_header = str_printf("Content-Type: %s", content_type);
        struct curl_slist *headers = NULL;
        struct response resp = { 0 };
        struct stat st;

        *out = NULL;
        _cleanup_fclose_ FILE *f = fopen(file, "rb");
        if (!f)
                return cli_error(CLI_EXIT_LOCAL, "%s: %s", file, strerror(errno));
        if (fstat(fileno(f), &st) < 0 || !S_ISREG(st.st_mode))
                return cli_error(CLI_EXIT_LOCAL, "%s: not a regular file", file);
        struct upload_source src = { .f = f };
        c->errbuf[0] = '\0';
        headers = headers_add(headers, "Accept: application/json, application/problem+json");
        headers = headers_add(headers, ct_header);
        if (c->auth_header)
                headers = headers_add(headers, c->auth_header);
        curl_easy_setopt(h, CURLOPT_URL, url);
        curl_easy_setopt(h, CURLOPT_WRITEDATA, &resp);
        curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
        curl_easy_setopt(h, CURLOPT_READFUNCTION, on_upload_read);
        curl_easy_setopt(h, CURLOPT_READDATA, &src);
        curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, (curl_off_t) st.st_size);
        curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, strcmp(method, "PUT") == 0 ? NULL : method);
        /* Large files: no overall limit, but a stalled transfer is cut. */
        curl_easy_setopt(h, CURLOPT_TIMEOUT, 0L);
        curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, CLI_CLIENT_UPLOAD_MIN_SPEED);
        curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, CLI_CLIENT_UPLOAD_STALL_S);
        curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);

        CURLcode rc = curl_easy_perform(h);

        curl_easy_setopt(h, CURLOPT_HTTPHEADER, NULL);
        headers_free(headers);
        curl_easy_setopt(h, CURLOPT_UPLOAD, 0L);
        curl_easy_setopt(h, CURLOPT_READFUNCTION, NULL);
        curl_easy_setopt(h, CURLOPT_READDATA, NULL);
        curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, (curl_off_t) -1);
        curl_easy_setopt(h, CURLOPT_TIMEOUT, CLI_CLIENT_TOTAL_TIMEOUT_S);
        curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 0L);
        curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, 0L);
        if (src.failed) {
                buf_free(&resp.body);
                return cli_error(CLI_EXIT_LOCAL, "%s: read error while uploading", file);
        }
        return finish_json_response(c, rc, &resp, method, url, out);
}

void cli_raw_response_clear(struct cli_raw_response *r) {
        free(r->content_type);
        free(r->body);
        free(r->request_id);
        memset(r, 0, sizeof(*r));
}

int cli_client_request_raw(struct cli_client *c, const char *method, const char *path,
                           const char *content_type, const void *body, size_t len,
                           const char *accept, struct cli_raw_response *out) {
        CURL *h = c->curl;
        _cleanup_free_ char *url = str_printf("%s%s", c->base_url, path);
        _cleanup_free_ char *ct_header = NULL, *accept_header = NULL;
        struct curl_slist *headers = NULL;
        struct response resp = { 0 };
        char *ct = NULL;
        struct curl_header *rid = NULL;
        CURLcode rc;

        memset(out, 0, sizeof(*out));
        c->errbuf[0] = '\0';
        accept_header = str_printf("Accept: %s", accept ? accept : "*/*");
        headers = headers_add(headers, accept_header);
        headers = headers_add(headers, "Expect:");
        if (c->auth_header)
                headers = headers_add(headers, c->auth_header);
        curl_easy_setopt(h, CURLOPT_URL, url);
        curl_easy_setopt(h, CURLOPT_WRITEDATA, &resp);
        if (body) {
                ct_header = str_printf("Content-Type: %s", content_type ? content_type : "application/octet-stream");
                headers = headers_add(headers, ct_header);
                curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
                curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t) len);
                curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, strcmp(method, "POST") == 0 ? NULL : method);
        } else {
                curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
                curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, strcmp(method, "GET") == 0 ? NULL : method);
        }
        curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
        rc = curl_easy_perform(h);
        curl_easy_setopt(h, CURLOPT_HTTPHEADER, NULL);
        headers_free(headers);
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, NULL);
        if (rc != CURLE_OK) {
                int ret = report_transport_error(c, rc, &resp, method, url);
                buf_free(&resp.body);
                return ret;
        }
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &out->status);
        curl_easy_getinfo(h, CURLINFO_CONTENT_TYPE, &ct);
        out->content_type = str_dup(ct);
        if (curl_easy_header(h, "X-Request-Id", 0, CURLH_HEADER, -1, &rid) == CURLHE_OK)
                out->request_id = str_dup(rid->value);
        out->len = resp.body.len;
        out->body = resp.body.len ? buf_steal(&resp.body) : NULL;
        buf_free(&resp.body);
        return CLI_EXIT_OK;
}

char *cli_raw_response_reason(const struct cli_raw_response *r) {
        const char *title = NULL, *detail = NULL;
        _cleanup_json_ json_t *doc = NULL;
        if (r->body && r->len > 0 && r->len <= 64 * 1024 && r->content_type &&
            strncasecmp(r->content_type, "application/problem+json", 24) == 0) {
                doc = cr_json_parse("error response", r->body, r->len, 64 * 1024, CR_JSON_DEFAULT_MAX_DEPTH,
                                    NULL);
                title = cr_json_get_string(doc, "title");
                detail = cr_json_get_string(doc, "detail");
        }
        if (detail && *detail)
                return cli_text_sanitize(detail, false);
        if (title && *title)
                return cli_text_sanitize(title, false);
        return str_printf("HTTP %ld", r->status);
}

void cli_query_add(struct buf *q, const char *key, const char *value) {
        if (!value)
                return;
        _cleanup_free_ char *v = cli_client_escape(value);
        buf_appendf(q, "%c%s=%s", q->len ? '&' : '?', key, v);
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The public CVD intake (issue 10 section 4; docs/reporting.md, "CVD
 * intake"): security.txt, the report form, the reporter's follow-up view and
 * messages, the contact key; and the team's messages under /api/v1/cases.
 * Logic lives in src/cvd/.
 *
 * The public pages are HTML without JavaScript, sent with a Content-Security-
 * Policy that forbids scripts, frames and foreign form targets, and with no
 * Referer leaving them. They set no cookie and read none: the only
 * credential is the follow-up secret, which a cross-site page cannot know,
 * so there is nothing for a cross-site request to ride on (no CSRF token is
 * needed). Their errors are HTML pages too, and a server fault is logged
 * under the request id without the path (which may hold the secret).
 */
#include <fcntl.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "core/cleanup.h"
#include "core/log.h"
#include "core/strutil.h"
#include "core/time.h"
#include "crypto/ct.h"
#include "cvd/cvd.h"
#include "cvd/form.h"
#include "cvd/html.h"
#include "cvd/limit.h"
#include "cvd/security-txt.h"
#include "route-io.h"
#include "router.h"
#include "routes.h"

#define CVD_HTML "text/html; charset=utf-8"
#define CVD_CSP "default-src 'none'; script-src 'none'; style-src 'none'; img-src 'none'; form-action 'self'; " \
                "frame-ancestors 'none'; base-uri 'none'"

static void cvd_page(struct http_response *resp, unsigned status, char *html) {
        http_response_set_body(resp, status, CVD_HTML, html, strlen(html));
        http_response_add_header(resp, "Content-Security-Policy", CVD_CSP);
        http_response_add_header(resp, "Referrer-Policy", "no-referrer");
        http_response_add_header(resp, "X-Frame-Options", "DENY");
}

static unsigned cvd_status_of(enum error_kind k) {
        switch (k) {
        case ERROR_INVALID: return 400;
        case ERROR_NOT_FOUND: return 404;
        case ERROR_TOO_LARGE: return 413;
        case ERROR_UNSUPPORTED: return 415;
        case ERROR_RATE_LIMITED: return 429;
        case ERROR_UNAVAILABLE: return 503;
        default: return 500;
        }
}

/* An error as an HTML page; a server fault is logged (without the path) and
 * shown as a generic message with the request id. */
static int cvd_error_page(struct route_ctx *ctx, struct http_response *resp, const struct error *e) {
        unsigned status = cvd_status_of(e->kind);
        _cleanup_free_ char *msg = NULL;
        if (status >= 500) {
                log_msg(LOG_LEVEL_ERROR, ctx->req->request_id, "CVD intake (%s) failed (%s): %s", ctx->route->name,
                        error_kind_name(e->kind), e->msg);
                msg = str_printf("the server failed to handle this request; its log has the details under "
                                 "request id %s. Please try again later.", ctx->req->request_id);
        }
        cvd_page(resp, status, cvd_html_error_page(status, msg ? msg : e->msg));
        return 0;
}

static const struct cvd_settings *cvd_settings(struct route_ctx *ctx, struct http_response *resp) {
        const struct cvd_settings *c = ctx->router->cvd;
        if (!c) {
                struct error e = {0};
                error_set(&e, ERROR_NOT_FOUND, "this server has no vulnerability report intake");
                cvd_error_page(ctx, resp, &e);
        }
        return c;
}

/* A Host header fit to put into a link: host name or address and port only. */
static bool cvd_host_valid(const char *h) {
        size_t n = h ? strlen(h) : 0;
        if (n == 0 || n > 255)
                return false;
        for (size_t i = 0; i < n; i++) {
                char c = h[i];
                if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ||
                      c == '-' || c == ':' || c == '[' || c == ']'))
                        return false;
        }
        return true;
}

/* [cvd] base_url, or https://<Host>. Heap; NULL with err set. */
static char *cvd_base_url(struct route_ctx *ctx, const struct cvd_settings *c, struct error *err) {
        if (c->base_url && *c->base_url)
                return str_dup(c->base_url);
        if (cvd_host_valid(ctx->req->host))
                return str_printf("https://%s", ctx->req->host);
        error_set(err, ERROR_INVALID, "the Host header is missing or not a host name and port");
        return NULL;
}

/* The source's rate limit: true (with the 429 page filled) when it is over. */
static bool cvd_limited(struct route_ctx *ctx, struct http_response *resp) {
        struct cvd_limit *l = ctx->router->cvd_limit;
        int64_t wait = l ? cvd_limit_check(l, ctx->req->client_ip, time_now()) : 0;
        if (!wait)
                return false;
        char retry[24];
        snprintf(retry, sizeof(retry), "%lld", (long long) wait);
        _cleanup_free_ char *msg = str_printf("too many reports, messages or wrong links from your address; "
                                              "try again in %lld seconds", (long long) wait);
        cvd_page(resp, 429, cvd_html_error_page(429, msg));
        http_response_add_header(resp, "Retry-After", retry);
        return true;
}

static void cvd_count(struct route_ctx *ctx) {
        if (ctx->router->cvd_limit)
                cvd_limit_count(ctx->router->cvd_limit, ctx->req->client_ip, time_now());
}

/* The form body: only application/x-www-form-urlencoded (a multipart body
 * would be an attachment: refused), within the size limit, parsed strictly. */
static int cvd_read_form(struct route_ctx *ctx, size_t max_text, struct cvd_form *f, struct error *err) {
        memset(f, 0, sizeof(*f));
        const char *ct = ctx->req->content_type ? ctx->req->content_type : "";
        size_t tl = strlen("application/x-www-form-urlencoded");
        if (strncasecmp(ct, "multipart/", 10) == 0)
                return error_set(err, ERROR_UNSUPPORTED, "attachments are not accepted: paste the text of your "
                                 "report (or an ASCII-armoured OpenPGP message) into the form");
        if (strncasecmp(ct, "application/x-www-form-urlencoded", tl) != 0 || (ct[tl] && ct[tl] != ';'))
                return error_set(err, ERROR_UNSUPPORTED, "the body must be an HTML form "
                                 "(application/x-www-form-urlencoded), not '%.60s'", ct);
        /* Percent-encoding at most triples the text; the other fields are small. */
        size_t max_body = max_text * 3 + 8 * 1024;
        if (ctx->req->body_len > max_body)
                return error_set(err, ERROR_TOO_LARGE, "your text is larger than this server accepts (%zu bytes "
                                 "at most); shorten it, or send the rest in a follow-up message", max_text);
        return cvd_form_parse(ctx->req->body, ctx->req->body_len, f, err);
}

int routes_cvd_security_txt(struct route_ctx *ctx, struct http_response *resp, struct error *err) {
        const struct cvd_settings *c = ctx->router->cvd;
        if (!c)
                return error_set(err, ERROR_NOT_FOUND, "this server publishes no security.txt");
        _cleanup_free_ char *base = cvd_base_url(ctx, c, err);
        if (!base)
                return -1;
        bool key = c->key_path && access(c->key_path, R_OK) == 0;
        int64_t now = time_now(), expires;
        /* Checked at start; a fixed Expires can still pass while cradled runs. */
        if (c->txt.expires && *c->txt.expires && time_parse_rfc3339(c->txt.expires, &expires, NULL) == 0 &&
            expires <= now)
                log_msg(LOG_LEVEL_WARN, ctx->req->request_id, "security.txt: [cvd] expires %s has passed; "
                        "reporters may ignore the file (RFC 9116 section 2.5.5): set a later time", c->txt.expires);
        char *text = cvd_security_txt_render(&c->txt, base, key, now);
        http_response_set_body(resp, 200, "text/plain; charset=utf-8", text, strlen(text));
        return 0;
}

int routes_cvd_key(struct route_ctx *ctx, struct http_response *resp, struct error *err) {
        const struct cvd_settings *c = ctx->router->cvd;
        int fd = c && c->key_path ? open(c->key_path, O_RDONLY | O_CLOEXEC) : -1;
        if (fd < 0)
                return error_set(err, ERROR_NOT_FOUND, "no contact key is published (cradled cvd-key import)");
        off_t len = lseek(fd, 0, SEEK_END);
        if (len <= 0) {
                close(fd);
                return error_set(err, ERROR_NOT_FOUND, "no contact key is published (the key file is empty)");
        }
        http_response_set_file(resp, 200, "application/pgp-keys", fd, 0, (uint64_t) len);
        return 0;
}

int routes_cvd_form(struct route_ctx *ctx, struct http_response *resp, struct error *err) {
        (void) err;
        const struct cvd_settings *c = cvd_settings(ctx, resp);
        if (c)
                cvd_page(resp, 200, cvd_html_form_page(NULL, c->limits.max_report));
        return 0;
}

int routes_cvd_report(struct route_ctx *ctx, struct http_response *resp, struct error *err) {
        (void) err;
        const struct cvd_settings *c = cvd_settings(ctx, resp);
        if (!c || cvd_limited(ctx, resp))
                return 0;
        cvd_count(ctx);
        struct error e = {0};
        struct cvd_form f;
        struct cvd_receipt r = {0};
        _cleanup_free_ char *base = NULL, *url = NULL;
        struct store *s;
        if (cvd_read_form(ctx, c->limits.max_report, &f, &e) < 0)
                goto refused;
        for (size_t i = 0; i < f.n; i++) {
                const char *n = f.fields[i].name;
                if (!str_eq(n, "title") && !str_eq(n, "details") && !str_eq(n, "product") && !str_eq(n, "contact") &&
                    !str_eq(n, "credit")) {
                        error_set(&e, ERROR_INVALID, "form: unknown field '%s'", n);
                        goto refused;
                }
        }
        const struct cvd_report_in in = {
                .title = cvd_form_get(&f, "title"), .details = cvd_form_get(&f, "details"),
                .product = cvd_form_get(&f, "product"), .contact = cvd_form_get(&f, "contact"),
                .credit = cvd_form_get(&f, "credit"),
        };
        if (!(base = cvd_base_url(ctx, c, &e)) || !(s = route_store(ctx, &e)) ||
            cvd_report_submit(s, &in, &c->limits, &r, &e) < 0)
                goto refused;
        url = str_printf("%s/cvd/follow/%s/%s", base, r.reference, r.secret);
        ct_wipe(r.secret, sizeof(r.secret));
        cvd_form_clear(&f);
        cvd_page(resp, 201, cvd_html_receipt_page(r.reference, url));
        resp->sensitive = true;
        ct_wipe(url, strlen(url));
        return 0;
refused:
        cvd_form_clear(&f);
        if (e.kind == ERROR_INVALID) {
                /* The form again, with what was wrong above it. */
                cvd_page(resp, 400, cvd_html_form_page(e.msg, c->limits.max_report));
                return 0;
        }
        return cvd_error_page(ctx, resp, &e);
}

static int follow_render(struct route_ctx *ctx, struct http_response *resp, struct store *s, const char *ref,
                         const char *secret, const char *notice) {
        struct error e = {0};
        struct cvd_follow f;
        if (cvd_follow_open(s, ref, secret, &f, &e) < 0) {
                if (e.kind == ERROR_NOT_FOUND)
                        cvd_count(ctx); /* a wrong link: guesses cost */
                return cvd_error_page(ctx, resp, &e);
        }
        _cleanup_free_ char *post = str_printf("/cvd/follow/%s/messages", f.reference);
        const struct cvd_html_follow v = {
                .reference = f.reference, .title = f.title, .state = f.state, .received_at = f.created_at,
                .ack_due_at = f.ack_due_at, .acknowledged_at = f.acknowledged_at,
                .disclosure_target_at = f.disclosure_target_at, .disclosed_at = f.disclosed_at,
                .reporter_credit = f.reporter_credit, .messages = f.messages, .n_messages = f.n_messages,
                .post_url = post, .secret = secret, .notice = notice,
        };
        cvd_page(resp, 200, cvd_html_follow_page(&v));
        resp->sensitive = true;
        cvd_follow_clear(&f);
        return 0;
}

int routes_cvd_follow(struct route_ctx *ctx, struct http_response *resp, struct error *err) {
        (void) err;
        const struct cvd_settings *c = cvd_settings(ctx, resp);
        if (!c || cvd_limited(ctx, resp))
                return 0;
        struct error e = {0};
        struct store *s = route_store(ctx, &e);
        if (!s)
                return cvd_error_page(ctx, resp, &e);
        return follow_render(ctx, resp, s, route_param(ctx, "ref"), route_param(ctx, "secret"), NULL);
}

int routes_cvd_follow_message(struct route_ctx *ctx, struct http_response *resp, struct error *err) {
        (void) err;
        const struct cvd_settings *c = cvd_settings(ctx, resp);
        if (!c || cvd_limited(ctx, resp))
                return 0;
        cvd_count(ctx);
        struct error e = {0};
        struct cvd_form f;
        struct store *s = NULL;
        const char *ref = route_param(ctx, "ref");
        if (cvd_read_form(ctx, c->limits.max_message, &f, &e) < 0 || !(s = route_store(ctx, &e)))
                goto refused;
        for (size_t i = 0; i < f.n; i++)
                if (!str_eq(f.fields[i].name, "secret") && !str_eq(f.fields[i].name, "message")) {
                        error_set(&e, ERROR_INVALID, "form: unknown field '%s'", f.fields[i].name);
                        goto refused;
                }
        const char *secret = cvd_form_get(&f, "secret");
        if (cvd_follow_post(s, ref, secret, cvd_form_get(&f, "message"), &c->limits, &e) < 0)
                goto refused;
        follow_render(ctx, resp, s, ref, secret, "Your message was sent to the security team.");
        cvd_form_clear(&f);
        return 0;
refused:
        cvd_form_clear(&f);
        return cvd_error_page(ctx, resp, &e);
}

/* ---- the team's side ---- */

int routes_cases_messages(struct route_ctx *ctx, struct http_response *resp, struct error *err) {
        struct store *s = route_store(ctx, err);
        _cleanup_json_ json_t *body = NULL;
        if (!s || cvd_messages_json(s, route_param(ctx, "ref"), &body, err) < 0)
                return -1;
        route_respond_json(resp, 200, body);
        return 0;
}

int routes_cases_reply(struct route_ctx *ctx, struct http_response *resp, struct error *err) {
        _cleanup_json_ json_t *req = NULL, *body = NULL;
        if (route_read_json_body(ctx, &req, err) < 0)
                return -1;
        if (!json_is_object(req) || json_object_size(req) != 1 || !json_is_string(json_object_get(req, "body")))
                return error_set(err, ERROR_INVALID, "body: must be {\"body\": \"<message text>\"}");
        struct store *s = route_store(ctx, err);
        if (!s)
                return -1;
        const struct cvd_settings *c = ctx->router->cvd;
        struct audit_actor actor = route_actor(ctx);
        struct cvd_message m = {0};
        if (cvd_team_reply(s, &actor, route_param(ctx, "ref"), json_string_value(json_object_get(req, "body")),
                           c ? &c->limits : NULL, &m, err) < 0)
                return -1;
        body = cvd_message_to_json(&m);
        free(m.author);
        free(m.author_name);
        free(m.body);
        route_respond_created(resp, body, "/api/v1/cases/%s/messages", route_param(ctx, "ref"));
        return 0;
}

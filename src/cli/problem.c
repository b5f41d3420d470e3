/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Error responses as the operator sees them. The server's words are shown
 * (they name the field and what is wrong with it), never re-guessed here.
 */
#include <stdbool.h>
#include <string.h>
#include <strings.h>

#include "cli/cli.h"
#include "cli/output.h"
#include "cli/problem.h"
#include "core/cleanup.h"
#include "core/json.h"
#include "core/strutil.h"

/* A problem document is small; anything bigger is not one we print. */
#define PROBLEM_MAX (64 * 1024)
#define BODY_SNIPPET_MAX 200

int cli_problem_exit_code(long status) {
        if (status >= 400 && status < 500)
                return CLI_EXIT_REFUSED;
        return CLI_EXIT_SERVER;
}

static bool media_type_is(const char *content_type, const char *type) {
        size_t n = strlen(type);
        if (!content_type || strncasecmp(content_type, type, n) != 0)
                return false;
        return content_type[n] == '\0' || content_type[n] == ';' || content_type[n] == ' ';
}

static const char *reason_phrase(long status) {
        switch (status) {
        case 400: return "Bad Request";
        case 401: return "Unauthorized";
        case 403: return "Forbidden";
        case 404: return "Not Found";
        case 405: return "Method Not Allowed";
        case 409: return "Conflict";
        case 413: return "Content Too Large";
        case 415: return "Unsupported Media Type";
        case 429: return "Too Many Requests";
        case 500: return "Internal Server Error";
        case 502: return "Bad Gateway";
        case 503: return "Service Unavailable";
        case 504: return "Gateway Timeout";
        case 507: return "Insufficient Storage";
        default: return NULL;
        }
}

static void append_hint(struct buf *b, long status) {
        if (status == 401)
                buf_appendf(b, "hint: the server did not accept the token; check CRADLE_TOKEN, "
                               "--token-file, CRADLE_TOKEN_FILE or the config file\n");
        else if (status == 403)
                buf_appendf(b, "hint: the token's role may not do this; 'cradle whoami' shows it\n");
}

char *cli_problem_format(long status, const char *content_type, const char *body, size_t len,
                         const char *request_id_header, const char *method, const char *url) {
        struct buf b = { 0 };
        _cleanup_json_ json_t *doc = NULL;
        const char *title = NULL, *detail = NULL, *request_id = request_id_header;

        if (body && len > 0 && len <= PROBLEM_MAX &&
            (media_type_is(content_type, "application/problem+json") ||
             media_type_is(content_type, "application/json"))) {
                doc = cr_json_parse("error response", body, len, PROBLEM_MAX,
                                    CR_JSON_DEFAULT_MAX_DEPTH, NULL);
                if (doc && json_is_object(doc)) {
                        title = cr_json_get_string(doc, "title");
                        detail = cr_json_get_string(doc, "detail");
                        if (cr_json_get_string(doc, "request_id"))
                                request_id = cr_json_get_string(doc, "request_id");
                }
        }

        if (title && *title) {
                _cleanup_free_ char *t = cli_text_sanitize(title, false);
                if (detail && *detail) {
                        _cleanup_free_ char *d = cli_text_sanitize(detail, false);
                        buf_appendf(&b, "error: %s: %s\n", t, d);
                } else {
                        buf_appendf(&b, "error: %s\n", t);
                }
        } else {
                const char *phrase = reason_phrase(status);
                buf_appendf(&b, "error: HTTP %ld%s%s from %s %s", status, phrase ? " " : "",
                            phrase ? phrase : "", method, url);
                /* A proxy's or another server's short text answer helps; a page of HTML does not. */
                if (body && len > 0 && !media_type_is(content_type, "text/html")) {
                        size_t n = strcspn(body, "\r\n");
                        if (n > BODY_SNIPPET_MAX)
                                n = BODY_SNIPPET_MAX;
                        _cleanup_free_ char *line = strndup(body, n);
                        if (!line)
                                abort();
                        _cleanup_free_ char *safe = cli_text_sanitize(line, false);
                        if (*safe)
                                buf_appendf(&b, ": %s", safe);
                }
                if (status >= 300 && status < 400)
                        buf_appendf(&b, " (redirects are not followed; check the URL)");
                buf_append(&b, "\n", 1);
        }
        if (request_id && *request_id) {
                _cleanup_free_ char *id = cli_text_sanitize(request_id, false);
                buf_appendf(&b, "request id: %s\n", id);
        }
        append_hint(&b, status);
        buf_append(&b, "", 0);
        return buf_steal(&b);
}

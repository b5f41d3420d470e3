/* SPDX-License-Identifier: Apache-2.0 */
#include "html.h"

#include <stdbool.h>
#include <string.h>

#include "core/time.h"
#include "cvd.h"

void cvd_html_escape(struct buf *b, const char *s) {
        if (!s)
                return;
        const char *run = s;
        for (const char *p = s; *p; p++) {
                const char *rep;
                switch (*p) {
                case '&': rep = "&amp;"; break;
                case '<': rep = "&lt;"; break;
                case '>': rep = "&gt;"; break;
                case '"': rep = "&quot;"; break;
                case '\'': rep = "&#39;"; break;
                default: continue;
                }
                buf_append(b, run, (size_t) (p - run));
                buf_append(b, rep, strlen(rep));
                run = p + 1;
        }
        buf_append(b, run, strlen(run));
}

/* A URL for an href or action attribute: only https:// or a path on this
 * server; anything else (javascript:, data:, //elsewhere) becomes "#".
 * Escaped like any other text. */
static void html_url(struct buf *b, const char *url) {
        bool ok = url && (str_startswith(url, "https://") || (url[0] == '/' && url[1] != '/' && url[1] != '\\'));
        cvd_html_escape(b, ok ? url : "#");
}

static void html_head(struct buf *b, const char *title) {
        buf_appendf(b, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                       "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                       "<meta name=\"referrer\" content=\"no-referrer\">\n<title>");
        cvd_html_escape(b, title);
        buf_appendf(b, "</title>\n</head>\n<body>\n<main>\n");
}

static char *html_end(struct buf *b) {
        buf_appendf(b, "</main>\n</body>\n</html>\n");
        return buf_steal(b);
}

static void html_time(struct buf *b, int64_t t, const char *none) {
        if (!t) {
                cvd_html_escape(b, none);
                return;
        }
        char s[TIME_RFC3339_LEN];
        time_format_rfc3339(t, s);
        buf_appendf(b, "<time datetime=\"%s\">%s</time>", s, s);
}

char *cvd_html_form_page(const char *error, size_t max_report) {
        struct buf b = {0};
        html_head(&b, "Report a security vulnerability");
        buf_appendf(&b, "<h1>Report a security vulnerability</h1>\n");
        if (error) {
                buf_appendf(&b, "<p role=\"alert\"><strong>Your report was not accepted:</strong> ");
                cvd_html_escape(&b, error);
                buf_appendf(&b, "</p>\n");
        }
        buf_appendf(&b,
                    "<p>Tell us about a vulnerability in one of our products. You get a case reference and a "
                    "private follow-up link, through which you see the status of your report and exchange "
                    "messages with our security team. Keep the link secret: anyone who has it can read the "
                    "case. We send no e-mail: look at your link for news.</p>\n"
                    "<p>Text only: attachments are not accepted. To encrypt your report, paste an "
                    "ASCII-armoured OpenPGP message (encrypted to the key named in our security.txt) as the "
                    "details.</p>\n"
                    "<form method=\"post\" action=\"/cvd/report\" accept-charset=\"utf-8\" "
                    "enctype=\"application/x-www-form-urlencoded\">\n"
                    "<fieldset>\n<legend>The vulnerability</legend>\n"
                    "<p><label for=\"title\">Short title (required)</label><br>\n"
                    "<input type=\"text\" id=\"title\" name=\"title\" required maxlength=\"255\" size=\"60\"></p>\n"
                    "<p><label for=\"product\">Product and version, if you know them</label><br>\n"
                    "<input type=\"text\" id=\"product\" name=\"product\" maxlength=\"255\" size=\"60\"></p>\n"
                    "<p><label for=\"details\">Details: what you found, how to reproduce it, its impact "
                    "(required; at most %zu bytes)</label><br>\n"
                    "<textarea id=\"details\" name=\"details\" required rows=\"16\" cols=\"72\"></textarea></p>\n"
                    "</fieldset>\n"
                    "<fieldset>\n<legend>About you (optional)</legend>\n"
                    "<p><label for=\"contact\">How to reach you besides the follow-up link (e-mail or "
                    "other)</label><br>\n"
                    "<input type=\"text\" id=\"contact\" name=\"contact\" maxlength=\"255\" size=\"60\"></p>\n"
                    "<p><label for=\"credit\">Name to credit in the advisory (leave empty for none)</label><br>\n"
                    "<input type=\"text\" id=\"credit\" name=\"credit\" maxlength=\"255\" size=\"60\"></p>\n"
                    "</fieldset>\n"
                    "<p><button type=\"submit\">Send the report</button></p>\n"
                    "</form>\n",
                    max_report);
        return html_end(&b);
}

char *cvd_html_receipt_page(const char *reference, const char *follow_url) {
        struct buf b = {0};
        html_head(&b, "Report received");
        buf_appendf(&b, "<h1>Report received</h1>\n<p>Thank you. Your case reference is <strong id=\"reference\">");
        cvd_html_escape(&b, reference);
        buf_appendf(&b, "</strong>.</p>\n<p>Your private follow-up link (shown only this once; keep it secret, "
                        "bookmark it):<br>\n<a id=\"follow\" href=\"");
        html_url(&b, follow_url);
        buf_appendf(&b, "\">");
        cvd_html_escape(&b, follow_url);
        buf_appendf(&b, "</a></p>\n");
        return html_end(&b);
}

static const char *state_words(const char *state) {
        static const struct { const char *state, *words; } map[] = {
                { "received", "received, not yet triaged" },
                { "triaging", "being triaged" },
                { "confirmed", "confirmed as a vulnerability" },
                { "fix_in_progress", "confirmed; a fix is in progress" },
                { "fix_available", "fixed; the fix is available" },
                { "disclosed", "disclosed" },
                { "closed", "closed" },
                { "rejected", "rejected" },
                { "duplicate", "a duplicate of another report" },
                { "not_a_vulnerability", "not a vulnerability" },
        };
        for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
                if (str_eq(map[i].state, state))
                        return map[i].words;
        return state;
}

char *cvd_html_follow_page(const struct cvd_html_follow *v) {
        struct buf b = {0};
        html_head(&b, "Your vulnerability report");
        buf_appendf(&b, "<h1>Your vulnerability report <span id=\"reference\">");
        cvd_html_escape(&b, v->reference);
        buf_appendf(&b, "</span></h1>\n");
        if (v->notice) {
                buf_appendf(&b, "<p role=\"status\">");
                cvd_html_escape(&b, v->notice);
                buf_appendf(&b, "</p>\n");
        }
        buf_appendf(&b, "<dl>\n<dt>Title</dt><dd id=\"title\">");
        cvd_html_escape(&b, v->title);
        buf_appendf(&b, "</dd>\n<dt>Status</dt><dd id=\"state\">");
        cvd_html_escape(&b, state_words(v->state));
        buf_appendf(&b, "</dd>\n<dt>Received</dt><dd>");
        html_time(&b, v->received_at, "-");
        buf_appendf(&b, "</dd>\n<dt>Acknowledgement due</dt><dd id=\"ack-due\">");
        html_time(&b, v->ack_due_at, "-");
        buf_appendf(&b, "</dd>\n<dt>Acknowledged</dt><dd id=\"acknowledged\">");
        html_time(&b, v->acknowledged_at, "not yet");
        buf_appendf(&b, "</dd>\n<dt>Disclosure target</dt><dd id=\"disclosure-target\">");
        html_time(&b, v->disclosure_target_at, "-");
        buf_appendf(&b, "</dd>\n<dt>Disclosed</dt><dd id=\"disclosed\">");
        html_time(&b, v->disclosed_at, "not yet");
        buf_appendf(&b, "</dd>\n<dt>Credit in the advisory</dt><dd id=\"credit\">");
        cvd_html_escape(&b, v->reporter_credit && *v->reporter_credit ? v->reporter_credit : "none");
        buf_appendf(&b, "</dd>\n</dl>\n<h2>Messages</h2>\n<ol id=\"messages\">\n");
        for (size_t i = 0; i < v->n_messages; i++) {
                const struct cvd_message *m = &v->messages[i];
                buf_appendf(&b, "<li><p>");
                cvd_html_escape(&b, str_eq(m->author, "team") ? "Security team" : "You");
                buf_appendf(&b, ", ");
                html_time(&b, m->created_at, "-");
                buf_appendf(&b, "%s:</p>\n<pre>", m->encrypted ? " (OpenPGP-encrypted)" : "");
                cvd_html_escape(&b, m->body);
                buf_appendf(&b, "</pre></li>\n");
        }
        buf_appendf(&b, "</ol>\n<form method=\"post\" action=\"");
        html_url(&b, v->post_url);
        buf_appendf(&b, "\" accept-charset=\"utf-8\" enctype=\"application/x-www-form-urlencoded\">\n"
                        "<fieldset>\n<legend>Send a message to the security team</legend>\n"
                        "<input type=\"hidden\" name=\"secret\" value=\"");
        cvd_html_escape(&b, v->secret);
        buf_appendf(&b, "\">\n<p><label for=\"message\">Message (text, or an ASCII-armoured OpenPGP "
                        "message)</label><br>\n"
                        "<textarea id=\"message\" name=\"message\" required rows=\"10\" cols=\"72\"></textarea></p>\n"
                        "<p><button type=\"submit\">Send</button></p>\n</fieldset>\n</form>\n");
        return html_end(&b);
}

char *cvd_html_error_page(unsigned status, const char *message) {
        const char *title = status == 413   ? "Too large"
                            : status == 429 ? "Too many requests"
                            : status == 415 ? "Attachments are not accepted"
                            : status == 404 ? "Not found"
                            : status >= 500 ? "Something went wrong on our side"
                                            : "Your request was not accepted";
        struct buf b = {0};
        html_head(&b, title);
        buf_appendf(&b, "<h1>");
        cvd_html_escape(&b, title);
        buf_appendf(&b, "</h1>\n<p id=\"error\">");
        cvd_html_escape(&b, message);
        buf_appendf(&b, "</p>\n<p><a href=\"/cvd/report\">Back to the report form</a></p>\n");
        return html_end(&b);
}

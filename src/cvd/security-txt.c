/* SPDX-License-Identifier: Apache-2.0 */
#include "security-txt.h"

#include <string.h>

#include "core/cleanup.h"
#include "core/strutil.h"
#include "core/time.h"

#define URI_MAX 512

/* No blanks, controls, quotes or angle brackets, and a non-empty rest after
 * the scheme: one line of security.txt must stay one field. */
static bool uri_chars_ok(const char *u, size_t prefix) {
        size_t len = strlen(u);
        if (len <= prefix || len > URI_MAX)
                return false;
        for (size_t i = 0; i < len; i++) {
                unsigned char c = (unsigned char) u[i];
                if (c <= 0x20 || c >= 0x7f || c == '"' || c == '<' || c == '>' || c == '\\')
                        return false;
        }
        return true;
}

static bool https_url_ok(const char *u) {
        return str_startswith(u, "https://") && uri_chars_ok(u, 8) && u[8] != '/';
}

static int url_key_check(const char *key, const char *v, bool fpr_ok, struct error *err) {
        if (!v || !*v)
                return 0;
        if (https_url_ok(v) || (fpr_ok && str_startswith(v, "openpgp4fpr:") && uri_chars_ok(v, 12)))
                return 0;
        return error_set(err, ERROR_INVALID, "[cvd] %s: '%.80s' is not an https:// URL%s (RFC 9116)", key, v,
                         fpr_ok ? " or an openpgp4fpr: URI" : "");
}

int cvd_base_url_check(const char *url, struct error *err) {
        if (!url || !https_url_ok(url) || strchr(url + 8, '/') || strchr(url, '?') || strchr(url, '#'))
                return error_set(err, ERROR_INVALID, "[cvd] base_url: '%.80s' is not https://host[:port] (no path, "
                                 "no trailing slash)", url ? url : "");
        return 0;
}

static bool lang_tag_ok(const char *t, size_t len) {
        size_t seg = 0;
        bool first = true;
        for (size_t i = 0; i <= len; i++) {
                if (i == len || t[i] == '-') {
                        if (!seg || seg > 8)
                                return false;
                        seg = 0;
                        first = false;
                        continue;
                }
                char c = t[i];
                bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
                if (!alpha && !(!first && c >= '0' && c <= '9'))
                        return false;
                seg++;
        }
        return true;
}

int cvd_security_txt_check(const struct cvd_security_txt *c, int64_t now, struct error *err) {
        const char *contact = c->contact ? c->contact : "";
        _cleanup_free_ char *list = str_dup(contact);
        char *save = NULL;
        size_t n_contacts = 0;
        for (char *t = strtok_r(list, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
                while (*t == ' ')
                        t++;
                size_t l = strlen(t);
                while (l && t[l - 1] == ' ')
                        t[--l] = 0;
                if (!l)
                        continue;
                n_contacts++;
                bool ok = (str_startswith(t, "mailto:") && uri_chars_ok(t, 7) && strchr(t, '@')) ||
                          https_url_ok(t) || (str_startswith(t, "tel:") && uri_chars_ok(t, 4));
                if (!ok)
                        return error_set(err, ERROR_INVALID, "[cvd] contact: '%.80s' is not a mailto:, https:// or "
                                         "tel: URI (RFC 9116 section 2.5.3)", t);
        }
        if (*contact && !n_contacts)
                return error_set(err, ERROR_INVALID, "[cvd] contact: no URI given (leave it empty for the "
                                 "intake form)");
        const char *exp = c->expires ? c->expires : "";
        if (*exp) {
                int64_t t;
                struct error e = {0};
                if (time_parse_rfc3339(exp, &t, &e) < 0)
                        return error_set(err, ERROR_INVALID, "[cvd] expires: '%.40s' is not an RFC 3339 time (%s)",
                                         exp, e.msg);
                if (t <= now)
                        return error_set(err, ERROR_INVALID, "[cvd] expires: %s is in the past: security.txt "
                                         "would be stale (RFC 9116 section 2.5.5); set a later time", exp);
                if (t - now >= CVD_YEAR_SECONDS)
                        return error_set(err, ERROR_INVALID, "[cvd] expires: %s is a year or more ahead (RFC 9116 "
                                         "section 2.5.5 asks for less than a year)", exp);
        } else if (c->validity <= 0 || c->validity >= CVD_YEAR_SECONDS) {
                return error_set(err, ERROR_INVALID, "[cvd] validity: must be more than 0 and less than a year "
                                 "(RFC 9116 section 2.5.5)");
        }
        if (url_key_check("policy", c->policy, false, err) < 0 ||
            url_key_check("acknowledgments", c->acknowledgments, false, err) < 0 ||
            url_key_check("encryption", c->encryption, true, err) < 0)
                return -1;
        _cleanup_free_ char *langs = str_dup(c->preferred_languages ? c->preferred_languages : "");
        for (char *t = strtok_r(langs, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
                while (*t == ' ')
                        t++;
                size_t l = strlen(t);
                while (l && t[l - 1] == ' ')
                        l--;
                if (!lang_tag_ok(t, l))
                        return error_set(err, ERROR_INVALID, "[cvd] preferred_languages: '%.*s' is not a language "
                                         "tag (RFC 5646, e.g. en or de-AT)", (int) (l > 40 ? 40 : l), t);
        }
        return 0;
}

static void field_list(struct buf *b, const char *name, const char *csv) {
        _cleanup_free_ char *list = str_dup(csv);
        char *save = NULL;
        for (char *t = strtok_r(list, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
                while (*t == ' ')
                        t++;
                size_t l = strlen(t);
                while (l && t[l - 1] == ' ')
                        t[--l] = 0;
                if (l)
                        buf_appendf(b, "%s: %s\n", name, t);
        }
}

char *cvd_security_txt_render(const struct cvd_security_txt *c, const char *base_url, bool key_installed,
                              int64_t now) {
        struct buf b = {0};
        buf_appendf(&b, "# The security contact of %s (RFC 9116), generated by cradled.\n", base_url);
        buf_appendf(&b, "# Report a vulnerability through the form at %s" CVD_REPORT_PATH ".\n", base_url);
        if (c->contact && *c->contact)
                field_list(&b, "Contact", c->contact);
        else
                buf_appendf(&b, "Contact: %s" CVD_REPORT_PATH "\n", base_url);
        int64_t expires = now + c->validity;
        if (c->expires && *c->expires)
                (void) time_parse_rfc3339(c->expires, &expires, NULL);
        char t[TIME_RFC3339_LEN];
        time_format_rfc3339(expires, t);
        buf_appendf(&b, "Expires: %s\n", t);
        if (c->encryption && *c->encryption)
                buf_appendf(&b, "Encryption: %s\n", c->encryption);
        else if (key_installed)
                buf_appendf(&b, "Encryption: %s" CVD_KEY_PATH "\n", base_url);
        if (c->acknowledgments && *c->acknowledgments)
                buf_appendf(&b, "Acknowledgments: %s\n", c->acknowledgments);
        if (c->preferred_languages && *c->preferred_languages) {
                _cleanup_free_ char *l = str_dup(c->preferred_languages);
                buf_appendf(&b, "Preferred-Languages: %s\n", l);
        }
        buf_appendf(&b, "Canonical: %s" CVD_SECURITY_TXT_PATH "\n", base_url);
        if (c->policy && *c->policy)
                buf_appendf(&b, "Policy: %s\n", c->policy);
        if (c->csaf)
                buf_appendf(&b, "CSAF: %s" CVD_CSAF_METADATA_PATH "\n", base_url);
        return buf_steal(&b);
}

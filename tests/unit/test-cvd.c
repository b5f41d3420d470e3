/* SPDX-License-Identifier: Apache-2.0 */
/* The public CVD intake (issue 10 section 4): the form parser, the one HTML
 * escaping function against injection strings, the armour check,
 * security.txt's RFC 9116 rules, the per-source limit, and reports with
 * their follow-up secrets (two reporters see only their own case). */
#include "testutil-store.h"

#include <string.h>

#include "case/case.h"
#include "core/time.h"
#include "crypto/hash.h"
#include "cvd/cvd.h"
#include "cvd/form.h"
#include "cvd/html.h"
#include "cvd/limit.h"
#include "cvd/security-txt.h"

/* A real symmetric-key OpenPGP message (gpg --symmetric --armor). */
static const char ENCRYPTED[] =
        "-----BEGIN PGP MESSAGE-----\n"
        "\n"
        "jA0ECQMCp6p6bPT2XSf/0kMB4ZKhFpjADcHQl35rBpHc5NOA3mECSx2MTqUyg5sP\n"
        "A+jP132tYMt+y6vJDSrTt6KFx7brIQdtLxADVE4eNsaeNCGX\n"
        "=fNsa\n"
        "-----END PGP MESSAGE-----\n";

/* ---- the form parser ---- */

static void form_ok(const char *body, struct cvd_form *f) {
        struct error err = {0};
        if (cvd_form_parse(body, strlen(body), f, &err) < 0)
                fail_msg("'%s': %s", body, err.msg);
}

static void form_bad(const char *body, enum error_kind kind, const char *needle) {
        struct error err = {0};
        struct cvd_form f;
        assert_int_equal(cvd_form_parse(body, strlen(body), &f, &err), -1);
        cvd_form_clear(&f);
        assert_int_equal(err.kind, kind);
        if (!strstr(err.msg, needle))
                fail_msg("'%s': message '%s' lacks '%s'", body, err.msg, needle);
}

static void form_parses(void **state) {
        (void) state;
        struct cvd_form f;
        form_ok("title=Heap+overflow&details=a%0D%0Ab%20c%C3%A9&credit=", &f);
        assert_int_equal(f.n, 3);
        assert_string_equal(cvd_form_get(&f, "title"), "Heap overflow");
        assert_string_equal(cvd_form_get(&f, "details"), "a\r\nb c\xc3\xa9");
        assert_string_equal(cvd_form_get(&f, "credit"), "");
        assert_null(cvd_form_get(&f, "contact"));
        cvd_form_clear(&f);
        form_ok("", &f);
        assert_int_equal(f.n, 0);
        cvd_form_clear(&f);
}

static void form_refuses(void **state) {
        (void) state;
        form_bad("title", ERROR_INVALID, "has no '='");
        form_bad("title=a&&details=b", ERROR_INVALID, "empty field");
        form_bad("&title=a", ERROR_INVALID, "empty field");
        form_bad("title=a&", ERROR_INVALID, "trailing");
        form_bad("title=100%", ERROR_INVALID, "two hex digits");
        form_bad("title=%zz", ERROR_INVALID, "two hex digits");
        form_bad("title=%4", ERROR_INVALID, "two hex digits");
        form_bad("title=a&title=b", ERROR_INVALID, "given twice");
        form_bad("Title=a", ERROR_INVALID, "field name");
        form_bad("ti%00tle=a", ERROR_INVALID, "control character");
        form_bad("=a", ERROR_INVALID, "field name");
        form_bad("title=a%00b", ERROR_INVALID, "control character");
        form_bad("title=a%1Bb", ERROR_INVALID, "control character");
        form_bad("title=a%7Fb", ERROR_INVALID, "control character");
        /* overlong '<' (C0 BC), overlong NUL (C0 80), 3-byte overlong '/',
         * a surrogate, beyond U+10FFFF, a cut sequence, a stray continuation */
        form_bad("title=%C0%BCscript", ERROR_INVALID, "UTF-8");
        form_bad("title=%C0%80", ERROR_INVALID, "UTF-8");
        form_bad("title=%E0%80%AF", ERROR_INVALID, "UTF-8");
        form_bad("title=%ED%A0%80", ERROR_INVALID, "UTF-8");
        form_bad("title=%F4%90%80%80", ERROR_INVALID, "UTF-8");
        form_bad("title=%E2%82", ERROR_INVALID, "UTF-8");
        form_bad("title=%80", ERROR_INVALID, "UTF-8");
        /* 17 fields */
        form_bad("a=1&b=1&c=1&d=1&e=1&f=1&g=1&h=1&i=1&j=1&k=1&l=1&m=1&n=1&o=1&p=1&q=1", ERROR_TOO_LARGE,
                 "more than 16 fields");
        size_t big_len = CVD_FORM_BODY_MAX + 7;
        char *big = malloc(big_len + 1);
        assert_non_null(big);
        memset(big, 'a', big_len);
        memcpy(big, "title=", 6);
        big[big_len] = 0;
        struct error err = {0};
        struct cvd_form f;
        assert_int_equal(cvd_form_parse(big, strlen(big), &f, &err), -1);
        assert_int_equal(err.kind, ERROR_TOO_LARGE);
        cvd_form_clear(&f);
        free(big);
}

/* ---- escaping: every view's text goes through cvd_html_escape ---- */

static const char *const INJECTIONS[] = {
        "<script>alert(1)</script>",
        "\"><img src=x onerror=alert(1)>",
        "' onmouseover='alert(1)",
        "<a href=\"javascript:alert(1)\">x</a>",
        "javascript:alert(1)",
        "+ADw-script+AD4-alert(1)+ADw-/script+AD4-", /* UTF-7 */
        "</textarea><script>alert(1)</script>",
        "<!--", "]]><svg onload=alert(1)>",
};

/* No raw '<', '>', '"' or '\'' of the input survives in the output. */
static void assert_inert(const char *html, const char *needle_raw) {
        if (strstr(html, needle_raw) && (strchr(needle_raw, '<') || strchr(needle_raw, '"') || strchr(needle_raw, '\'')))
                fail_msg("raw injection '%s' in: %s", needle_raw, html);
}

static void escape_injections(void **state) {
        (void) state;
        struct buf b = {0};
        cvd_html_escape(&b, "<script>&\"'");
        char *s = buf_steal(&b);
        assert_string_equal(s, "&lt;script&gt;&amp;&quot;&#39;");
        free(s);
        for (size_t i = 0; i < sizeof(INJECTIONS) / sizeof(INJECTIONS[0]); i++) {
                const char *x = INJECTIONS[i];
                struct cvd_message m = {.author = "reporter", .body = (char *) x, .created_at = 1};
                const struct cvd_html_follow v = {
                        .reference = x, .title = x, .state = x, .reporter_credit = x, .messages = &m,
                        .n_messages = 1, .post_url = x, .secret = x, .notice = x,
                };
                char *pages[] = { cvd_html_follow_page(&v), cvd_html_receipt_page(x, x), cvd_html_error_page(400, x),
                                  cvd_html_form_page(x, 100) };
                for (size_t k = 0; k < 4; k++) {
                        assert_inert(pages[k], x);
                        /* Only our own markup: one <script is never present. */
                        assert_null(strstr(pages[k], "<script"));
                        assert_null(strstr(pages[k], "<img"));
                        assert_null(strstr(pages[k], "<svg"));
                        assert_null(strstr(pages[k], "href=\"javascript"));
                        free(pages[k]);
                }
        }
}

/* ---- armour ---- */

static void armor_check(void **state) {
        (void) state;
        struct error err = {0};
        assert_true(cvd_looks_armoured("\n  " "-----BEGIN PGP MESSAGE-----\n"));
        assert_false(cvd_looks_armoured("hello"));
        assert_int_equal(cvd_encrypted_check(ENCRYPTED, &err), 0);
        /* CR LF line ends are the same message */
        struct buf b = {0};
        for (const char *p = ENCRYPTED; *p; p++)
                buf_append(&b, *p == '\n' ? "\r\n" : p, *p == '\n' ? 2 : 1);
        char *crlf = buf_steal(&b);
        assert_int_equal(cvd_encrypted_check(crlf, &err), 0);
        free(crlf);
        struct { const char *from, *to, *needle; } bad[] = {
                { "=fNsa", "=fNsb", "checksum does not match" },
                { "jA0E", "jA0#", "not base64" },
                { "-----END PGP MESSAGE-----\n", "", "no '-----END" },
                { "-----END PGP MESSAGE-----\n", "-----END PGP MESSAGE-----\n<script>", "after the END" },
                { "-----BEGIN PGP MESSAGE-----\n\n", "-----BEGIN PGP MESSAGE-----\nnot a header\n\n", "armour header" },
                { "-----BEGIN PGP MESSAGE-----", "-----BEGIN PGP SIGNATURE-----", "expected '-----BEGIN PGP MESSAGE" },
                /* a compressed (signed) message, tag 8: not an encrypted report */
                { "jA0ECQMCp6p6bPT2XSf/0kMB4ZKhFpjADcHQl35rBpHc5NOA3mECSx2MTqUyg5sP\n"
                  "A+jP132tYMt+y6vJDSrTt6KFx7brIQdtLxADVE4eNsaeNCGX\n=fNsa\n",
                  "owGbwMvMwCG2xrMl5P+hPFbG05xJDNnCK+IyMrk6SlkYxDgYZMUUWaZ/ns9b+Hzn\n", "not encrypted" },
        };
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                struct buf t = {0};
                const char *at = strstr(ENCRYPTED, bad[i].from);
                assert_non_null(at);
                buf_append(&t, ENCRYPTED, (size_t) (at - ENCRYPTED));
                buf_append(&t, bad[i].to, strlen(bad[i].to));
                buf_append(&t, at + strlen(bad[i].from), strlen(at + strlen(bad[i].from)));
                char *x = buf_steal(&t);
                error_clear(&err);
                assert_int_equal(cvd_encrypted_check(x, &err), -1);
                if (!strstr(err.msg, bad[i].needle))
                        fail_msg("case %zu: '%s' lacks '%s'", i, err.msg, bad[i].needle);
                free(x);
        }
}

/* ---- security.txt ---- */

#define NOW 1800000000LL /* 2027-01-15 */

static struct cvd_security_txt txt_default(void) {
        return (struct cvd_security_txt) {
                .contact = "", .expires = "", .validity = 180 * 86400, .policy = "", .preferred_languages = "en, de",
                .encryption = "", .acknowledgments = "", .csaf = true,
        };
}

static void txt_bad(struct cvd_security_txt t, const char *needle) {
        struct error err = {0};
        assert_int_equal(cvd_security_txt_check(&t, NOW, &err), -1);
        if (!strstr(err.msg, needle))
                fail_msg("'%s' lacks '%s'", err.msg, needle);
}

static void security_txt_rules(void **state) {
        (void) state;
        struct error err = {0};
        struct cvd_security_txt t = txt_default();
        assert_int_equal(cvd_security_txt_check(&t, NOW, &err), 0);
        char *s = cvd_security_txt_render(&t, "https://cvd.example:8443", false, NOW);
        assert_non_null(strstr(s, "\nContact: https://cvd.example:8443/cvd/report\n"));
        assert_non_null(strstr(s, "\nExpires: 2027-07-14T08:00:00Z\n"));
        assert_non_null(strstr(s, "\nCanonical: https://cvd.example:8443/.well-known/security.txt\n"));
        assert_non_null(strstr(s, "\nCSAF: https://cvd.example:8443/.well-known/csaf/provider-metadata.json\n"));
        assert_non_null(strstr(s, "\nPreferred-Languages: en, de\n"));
        assert_null(strstr(s, "Encryption:"));
        assert_null(strchr(s, '\r'));
        free(s);
        t.contact = "mailto:security@acme.example, https://acme.example/security";
        t.expires = "2027-06-01T00:00:00Z";
        t.policy = "https://acme.example/cvd-policy";
        t.csaf = false;
        assert_int_equal(cvd_security_txt_check(&t, NOW, &err), 0);
        s = cvd_security_txt_render(&t, "https://cvd.example", true, NOW);
        assert_non_null(strstr(s, "\nContact: mailto:security@acme.example\nContact: https://acme.example/security\n"));
        assert_non_null(strstr(s, "\nExpires: 2027-06-01T00:00:00Z\n"));
        assert_non_null(strstr(s, "\nEncryption: https://cvd.example/cvd/openpgp-key.asc\n"));
        assert_non_null(strstr(s, "\nPolicy: https://acme.example/cvd-policy\n"));
        assert_null(strstr(s, "CSAF:"));
        /* exactly one Expires */
        assert_null(strstr(strstr(s, "Expires:") + 1, "Expires:"));
        free(s);

        t = txt_default();
        t.expires = "2027-01-14T00:00:00Z";
        txt_bad(t, "in the past");
        t.expires = "2028-01-15T08:00:00Z"; /* exactly a year */
        txt_bad(t, "a year or more");
        t.expires = "next week";
        txt_bad(t, "not an RFC 3339");
        t = txt_default();
        t.validity = 365 * 86400;
        txt_bad(t, "less than a year");
        t = txt_default();
        t.contact = "security@acme.example";
        txt_bad(t, "not a mailto:");
        t.contact = "http://acme.example/security";
        txt_bad(t, "not a mailto:");
        t.contact = "mailto:sec@acme.example\nExpires: 2099-01-01T00:00:00Z";
        txt_bad(t, "not a mailto:");
        t.contact = " , ";
        txt_bad(t, "no URI");
        t = txt_default();
        t.policy = "http://acme.example/policy";
        txt_bad(t, "[cvd] policy");
        t = txt_default();
        t.encryption = "https://acme.example/key asc";
        txt_bad(t, "[cvd] encryption");
        t.encryption = "openpgp4fpr:5f2de5521c63a801ab59ccb603d49de44b29100f";
        assert_int_equal(cvd_security_txt_check(&t, NOW, &err), 0);
        t = txt_default();
        t.preferred_languages = "en, 12";
        txt_bad(t, "language tag");
        t.preferred_languages = "en;q=1";
        txt_bad(t, "language tag");
        assert_int_equal(cvd_base_url_check("https://cvd.example:8443", &err), 0);
        assert_int_equal(cvd_base_url_check("https://cvd.example/", &err), -1);
        assert_int_equal(cvd_base_url_check("http://cvd.example", &err), -1);
        assert_int_equal(cvd_base_url_check("https://cvd.example/x", &err), -1);
}

/* ---- the per-source limit ---- */

static void limit_per_source(void **state) {
        (void) state;
        struct cvd_limit *l = cvd_limit_new(2, 3600, 2);
        assert_int_equal(cvd_limit_check(l, "10.0.0.1", 100), 0);
        cvd_limit_count(l, "10.0.0.1", 100);
        assert_int_equal(cvd_limit_check(l, "10.0.0.1", 100), 0);
        cvd_limit_count(l, "10.0.0.1", 110);
        assert_int_equal(cvd_limit_check(l, "10.0.0.1", 200), 3500);  /* over: until the window ends */
        assert_int_equal(cvd_limit_check(l, "10.0.0.2", 200), 0);     /* another source is not touched */
        assert_int_equal(cvd_limit_check(l, "10.0.0.1", 3700), 0);    /* a new window */
        cvd_limit_count(l, "10.0.0.2", 300);
        cvd_limit_count(l, "10.0.0.3", 400);                          /* evicts the stalest (10.0.0.1) */
        assert_int_equal(cvd_limit_check(l, "10.0.0.1", 400), 0);
        cvd_limit_free(l);
}

/* ---- reports and follow-up links ---- */

struct fx {
        struct tdir *t;
        struct store *s;
};

static int setup(void **state) {
        struct fx *f = calloc(1, sizeof(*f));
        f->t = tdir_new();
        struct error err = {0};
        if (store_open(f->t->db, &f->s, &err) < 0)
                fail_msg("%s", err.msg);
        *state = f;
        return 0;
}

static int teardown(void **state) {
        struct fx *f = *state;
        store_close(f->s);
        tdir_free(f->t);
        free(f);
        return 0;
}

static const struct audit_actor so = {.name = "sec-token", .role = "security-officer", .user = "alice"};

static void submit(struct fx *f, const char *title, const char *details, struct cvd_receipt *r) {
        struct error err = {0};
        const struct cvd_report_in in = {.title = title, .details = details, .product = "T1 1.0", .credit = "Eve"};
        const struct cvd_limits lim = {.ack_days = 5, .disclosure_days = 60};
        if (cvd_report_submit(f->s, &in, &lim, r, &err) < 0)
                fail_msg("cvd_report_submit: %s", err.msg);
}

static void report_and_follow(void **state) {
        struct fx *f = *state;
        struct cvd_receipt a, b;
        int64_t before = time_now();
        submit(f, "XSS in the portal", "line 1\r\nline 2 <script>alert(1)</script>", &a);
        submit(f, "Second finding", "other text", &b);
        assert_int_equal(strlen(a.secret), CVD_SECRET_HEX_LEN);
        assert_string_not_equal(a.secret, b.secret);
        /* the secret is stored only as its SHA-256 */
        char want[SHA256_HEX_LEN];
        hash_sha256_hex(a.secret, CVD_SECRET_HEX_LEN, want);
        char *q = str_printf("SELECT count(*) FROM cvd_reports WHERE secret_sha256 = '%s'", want);
        assert_int_equal(raw_int(f->t->db, q), 1);
        free(q);
        q = str_printf("SELECT count(*) FROM cvd_reports WHERE secret_sha256 LIKE '%%%s%%'", a.secret);
        assert_int_equal(raw_int(f->t->db, q), 0);
        free(q);
        /* the case: source cvd, state received, clocks from the limits */
        struct case_info c;
        struct error err = {0};
        assert_int_equal(case_get(f->s, a.reference, &c, &err), 0);
        assert_int_equal(c.source, CASE_SOURCE_CVD);
        assert_int_equal(c.state, CASE_RECEIVED);
        assert_string_equal(c.reporter_credit, "Eve");
        assert_in_range(c.ack_due_at - before, 5 * 86400, 5 * 86400 + 5);
        assert_in_range(c.disclosure_target_at - before, 60 * 86400, 60 * 86400 + 5);
        assert_non_null(strstr(c.summary, "Product: T1 1.0\n\nline 1\nline 2"));
        case_info_free(&c);
        assert_int_equal(raw_int(f->t->db, "SELECT count(*) FROM audit_log WHERE action = 'cvd.report'"), 2);

        /* each reporter sees their own case, never the other's */
        struct cvd_follow v;
        assert_int_equal(cvd_follow_open(f->s, a.reference, a.secret, &v, &err), 0);
        assert_string_equal(v.reference, a.reference);
        assert_string_equal(v.title, "XSS in the portal");
        assert_string_equal(v.state, "received");
        assert_int_equal(v.n_messages, 1);
        assert_string_equal(v.messages[0].body, "line 1\nline 2 <script>alert(1)</script>");
        cvd_follow_clear(&v);
        assert_int_equal(cvd_follow_open(f->s, b.reference, b.secret, &v, &err), 0);
        assert_string_equal(v.title, "Second finding");
        cvd_follow_clear(&v);
        /* A's secret on B's case, B's on A's, a changed digit, a malformed one: all the same 404 */
        char other[CVD_SECRET_HEX_LEN + 1];
        memcpy(other, a.secret, sizeof(other));
        other[10] = other[10] == '0' ? '1' : '0';
        const struct { const char *ref, *secret; } wrong[] = {
                { b.reference, a.secret }, { a.reference, b.secret }, { a.reference, other },
                { a.reference, "short" }, { a.reference, NULL }, { "CASE-1999-0001", a.secret },
        };
        for (size_t i = 0; i < sizeof(wrong) / sizeof(wrong[0]); i++) {
                error_clear(&err);
                assert_int_equal(cvd_follow_open(f->s, wrong[i].ref, wrong[i].secret, &v, &err), -1);
                assert_int_equal(err.kind, ERROR_NOT_FOUND);
                assert_string_equal(err.msg, "no report matches this link (check that it was copied whole)");
        }
        error_clear(&err);
        assert_int_equal(cvd_follow_post(f->s, a.reference, b.secret, "let me in", NULL, &err), -1);
        assert_int_equal(err.kind, ERROR_NOT_FOUND);
        assert_int_equal(raw_int(f->t->db, "SELECT count(*) FROM cvd_messages"), 2);

        /* messages both ways */
        assert_int_equal(cvd_follow_post(f->s, a.reference, a.secret, "any news?", NULL, &err), 0);
        struct cvd_message m = {0};
        assert_int_equal(cvd_team_reply(f->s, &so, a.reference, "Confirmed, fix in 1.1", NULL, &m, &err), 0);
        assert_string_equal(m.author_name, "alice (sec-token)");
        free(m.author);
        free(m.author_name);
        free(m.body);
        assert_int_equal(cvd_follow_open(f->s, a.reference, a.secret, &v, &err), 0);
        assert_int_equal(v.n_messages, 3);
        assert_string_equal(v.messages[1].author, "reporter");
        assert_string_equal(v.messages[2].author, "team");
        assert_string_equal(v.messages[2].body, "Confirmed, fix in 1.1");
        cvd_follow_clear(&v);
        assert_int_equal(cvd_follow_open(f->s, b.reference, b.secret, &v, &err), 0);
        assert_int_equal(v.n_messages, 1); /* B sees none of A's exchange */
        cvd_follow_clear(&v);
        assert_int_equal(raw_int(f->t->db, "SELECT count(*) FROM audit_log WHERE action = 'cvd.reply' AND "
                                           "actor_name = 'sec-token'"), 1);
        assert_int_equal(raw_int(f->t->db, "SELECT count(*) FROM audit_log WHERE action = 'cvd.message'"), 1);
        struct cvd_message *list = NULL;
        size_t n = 0;
        assert_int_equal(cvd_messages_list(f->s, a.reference, &list, &n, &err), 0);
        assert_int_equal(n, 3);
        cvd_messages_free(list, n);
}

static void report_refusals(void **state) {
        struct fx *f = *state;
        struct error err = {0};
        struct cvd_receipt r;
        const struct cvd_limits small = {.max_report = 16};
        struct cvd_report_in in = {.title = "t", .details = "0123456789abcdefg"};
        assert_int_equal(cvd_report_submit(f->s, &in, &small, &r, &err), -1);
        assert_int_equal(err.kind, ERROR_TOO_LARGE);
        in = (struct cvd_report_in) {.title = "", .details = "x"};
        assert_int_equal(cvd_report_submit(f->s, &in, NULL, &r, &err), -1);
        assert_non_null(strstr(err.msg, "title: is required"));
        in = (struct cvd_report_in) {.title = "a\nb", .details = "x"};
        assert_int_equal(cvd_report_submit(f->s, &in, NULL, &r, &err), -1);
        assert_non_null(strstr(err.msg, "title: contains a control character"));
        in = (struct cvd_report_in) {.title = "t", .details = "x\x01"};
        assert_int_equal(cvd_report_submit(f->s, &in, NULL, &r, &err), -1);
        in = (struct cvd_report_in) {.title = "t", .details = "\xc0\xbc"};
        assert_int_equal(cvd_report_submit(f->s, &in, NULL, &r, &err), -1);
        assert_non_null(strstr(err.msg, "UTF-8"));
        in = (struct cvd_report_in) {.title = "t", .details = "-----BEGIN PGP MESSAGE-----\n\nnot base64!\n"};
        assert_int_equal(cvd_report_submit(f->s, &in, NULL, &r, &err), -1);
        assert_non_null(strstr(err.msg, "details: OpenPGP armour"));
        assert_int_equal(raw_int(f->t->db, "SELECT count(*) FROM cases"), 0);
        /* an encrypted report is stored as is */
        in = (struct cvd_report_in) {.title = "Encrypted", .details = ENCRYPTED};
        assert_int_equal(cvd_report_submit(f->s, &in, NULL, &r, &err), 0);
        struct cvd_follow v;
        assert_int_equal(cvd_follow_open(f->s, r.reference, r.secret, &v, &err), 0);
        assert_true(v.messages[0].encrypted);
        assert_string_equal(v.messages[0].body, ENCRYPTED);
        cvd_follow_clear(&v);
        /* a long report: the summary is cut, the message whole */
        char *big = malloc(9001);
        memset(big, 'x', 9000);
        big[9000] = 0;
        in = (struct cvd_report_in) {.title = "Long", .details = big};
        assert_int_equal(cvd_report_submit(f->s, &in, NULL, &r, &err), 0);
        struct case_info c;
        assert_int_equal(case_get(f->s, r.reference, &c, &err), 0);
        assert_true(strlen(c.summary) <= 4000);
        assert_non_null(strstr(c.summary, "[cut: the whole report"));
        case_info_free(&c);
        free(big);
        /* the team can only talk on intake cases */
        struct case_new n = {.kind = CASE_VULNERABILITY, .source = CASE_SOURCE_MANUAL, .title = "m", .summary = "m"};
        assert_int_equal(case_create(f->s, &so, &n, 0, 0, &c, &err), 0);
        assert_int_equal(cvd_team_reply(f->s, &so, c.reference, "hello", NULL, NULL, &err), -1);
        assert_int_equal(err.kind, ERROR_CONFLICT);
        case_info_free(&c);
}

static void secret_compare(void **state) {
        (void) state;
        const char *secret = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
        char h[SHA256_HEX_LEN];
        hash_sha256_hex(secret, strlen(secret), h);
        assert_true(cvd_secret_matches(secret, h));
        h[63] = h[63] == '0' ? '1' : '0';
        assert_false(cvd_secret_matches(secret, h));
        assert_false(cvd_secret_matches("0011", h));
        assert_false(cvd_secret_matches(NULL, h));
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(form_parses),
                cmocka_unit_test(form_refuses),
                cmocka_unit_test(escape_injections),
                cmocka_unit_test(armor_check),
                cmocka_unit_test(security_txt_rules),
                cmocka_unit_test(limit_per_source),
                cmocka_unit_test(secret_compare),
                cmocka_unit_test_setup_teardown(report_and_follow, setup, teardown),
                cmocka_unit_test_setup_teardown(report_refusals, setup, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

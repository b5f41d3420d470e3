/* SPDX-License-Identifier: Apache-2.0 */
/* purl and CPE parsing and the lookup keys of migration 10 (issue 9 §3). */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/cleanup.h"
#include "vuln/cpe.h"
#include "vuln/ecosystem.h"
#include "vuln/match.h"
#include "vuln/purl.h"

static void test_purl_full(void **state) {
        struct purl p;
        struct error err = {0};
        (void) state;
        assert_int_equal(purl_parse("pkg:DEB/debian/curl@7.88.1-10%2Bdeb12u5?distro=debian-12&arch=amd64#sub/./dir/../x",
                                    &p, &err), 0);
        assert_string_equal(p.type, "deb");
        assert_string_equal(p.namespace_, "debian");
        assert_string_equal(p.name, "curl");
        assert_string_equal(p.version, "7.88.1-10+deb12u5");
        assert_int_equal(p.nqualifiers, 2);
        assert_string_equal(p.qualifiers[0].key, "arch"); /* sorted */
        assert_string_equal(p.qualifiers[1].key, "distro");
        assert_string_equal(purl_qualifier(&p, "distro"), "debian-12");
        assert_string_equal(p.subpath, "sub/dir/x");
        purl_free(&p);
}

static void test_purl_namespaces_and_decoding(void **state) {
        struct purl p;
        (void) state;
        assert_int_equal(purl_parse("pkg:npm/%40angular/core@16.0.0", &p, NULL), 0);
        assert_string_equal(p.namespace_, "@angular");
        assert_string_equal(p.name, "core");
        purl_free(&p);
        assert_int_equal(purl_parse("pkg:golang/github.com/gorilla/mux@v1.8.0", &p, NULL), 0);
        assert_string_equal(p.namespace_, "github.com/gorilla");
        assert_string_equal(p.name, "mux");
        assert_string_equal(p.version, "v1.8.0");
        purl_free(&p);
        assert_int_equal(purl_parse("pkg:generic/openssl@1.1.1w", &p, NULL), 0);
        assert_null(p.namespace_);
        assert_null(p.subpath);
        assert_int_equal(p.nqualifiers, 0);
        purl_free(&p);
        /* pypi: PEP 503 normalised name */
        assert_int_equal(purl_parse("pkg:pypi/Django_REST.framework@3.14.0", &p, NULL), 0);
        assert_string_equal(p.name, "django-rest-framework");
        purl_free(&p);
        /* "pkg://" tolerated; empty qualifier value dropped */
        assert_int_equal(purl_parse("pkg://maven/org.apache.logging.log4j/log4j-core@2.14.1?type=&classifier=sources", &p, NULL), 0);
        assert_string_equal(p.type, "maven");
        assert_int_equal(p.nqualifiers, 1);
        purl_free(&p);
        /* '@' in the version is kept: the rightmost '@' splits */
        assert_int_equal(purl_parse("pkg:generic/a%40b@1.0", &p, NULL), 0);
        assert_string_equal(p.name, "a@b");
        assert_string_equal(p.version, "1.0");
        purl_free(&p);
}

static void purl_bad(const char *s, const char *needle) {
        struct purl p;
        struct error err = {0};
        assert_int_equal(purl_parse(s, &p, &err), -1);
        if (!strstr(err.msg, needle)) fail_msg("purl %s: error \"%s\" does not say \"%s\"", s, err.msg, needle);
        assert_null(p.type);
        assert_null(p.name);
}

static void test_purl_errors(void **state) {
        (void) state;
        purl_bad("npm/foo@1", "scheme");
        purl_bad("pkg:foo", "no '/'");
        purl_bad("pkg:/foo@1", "type");
        purl_bad("pkg:1abc/foo@1", "type");
        purl_bad("pkg:np$m/foo", "type");
        purl_bad("pkg:npm/", "no name");
        purl_bad("pkg:npm/@1.0", "no name");
        purl_bad("pkg:npm/foo@", "not followed by a version");
        purl_bad("pkg:npm/fo%zzo", "two hex digits");
        purl_bad("pkg:npm/foo%2", "cut short");
        purl_bad("pkg:npm/foo%00", "NUL");
        purl_bad("pkg:npm/foo bar", "space");
        purl_bad("pkg:npm/f\xc3\xa9", "non-ASCII");
        purl_bad("pkg:npm/foo?arch", "no '='");
        purl_bad("pkg:npm/foo?1a=b", "not a valid key");
        purl_bad("pkg:npm/foo?a=1&A=2", "twice");
        purl_bad("pkg:npm/foo%2Fbar", "'/'");
        purl_bad("pkg:npm/a%2Fb/foo", "'/'");
        purl_bad("pkg:npm/foo?a=%g1", "qualifier");
}

static void test_purl_limits(void **state) {
        struct purl p;
        struct error err = {0};
        (void) state;
        char *big = malloc(PURL_MAX_LEN + 20);
        strcpy(big, "pkg:npm/");
        memset(big + 8, 'a', PURL_MAX_LEN);
        big[PURL_MAX_LEN + 8] = '\0';
        assert_int_equal(purl_parse(big, &p, &err), -1);
        assert_int_equal(err.kind, ERROR_TOO_LARGE);
        free(big);
        /* PURL_MAX_QUALIFIERS + 1 qualifiers */
        char q[2048] = "pkg:npm/foo?";
        for (int i = 0; i <= PURL_MAX_QUALIFIERS; i++) sprintf(q + strlen(q), "k%d=v&", i);
        assert_int_equal(purl_parse(q, &p, &err), -1);
        assert_non_null(strstr(err.msg, "more than"));
        assert_int_equal(purl_parse(NULL, &p, &err), -1);
}

static void test_cpe23(void **state) {
        struct cpe c;
        struct error err = {0};
        (void) state;
        assert_int_equal(cpe_parse("cpe:2.3:a:openssl:openssl:1.1.1w:*:*:*:*:*:*:*", &c, &err), 0);
        assert_int_equal(c.binding, 23);
        assert_string_equal(c.a[CPE_PART].value, "a");
        assert_string_equal(c.a[CPE_VENDOR].value, "openssl");
        assert_string_equal(c.a[CPE_VERSION].value, "1.1.1w");
        assert_int_equal(c.a[CPE_UPDATE].kind, CPE_AV_ANY);
        assert_false(c.unquoted);
        cpe_free(&c);
        /* quoting, NA, case */
        assert_int_equal(cpe_parse("cpe:2.3:A:Microsoft:Internet_Explorer:8\\.0\\.6001:beta:-:*:*:*:*:*", &c, &err), 0);
        assert_string_equal(c.a[CPE_PRODUCT].value, "internet_explorer");
        assert_string_equal(c.a[CPE_VERSION].value, "8.0.6001");
        assert_int_equal(c.a[CPE_EDITION].kind, CPE_AV_NA);
        cpe_free(&c);
        /* an escaped ':' does not split */
        assert_int_equal(cpe_parse("cpe:2.3:a:foo\\:bar:baz:1:*:*:*:*:*:*:*", &c, &err), 0);
        assert_string_equal(c.a[CPE_VENDOR].value, "foo:bar");
        cpe_free(&c);
        /* Yocto writes versions unquoted: accepted, flagged */
        assert_int_equal(cpe_parse("cpe:2.3:*:busybox:busybox:1.36.1+git:*:*:*:*:*:*:*", &c, &err), 0);
        assert_true(c.unquoted);
        assert_int_equal(c.a[CPE_PART].kind, CPE_AV_ANY);
        assert_string_equal(c.a[CPE_VERSION].value, "1.36.1+git");
        cpe_free(&c);
        /* wildcards at the edges keep the quoted form */
        assert_int_equal(cpe_parse("cpe:2.3:a:foo:bar:1.2*:*:*:*:*:*:*:*", &c, &err), 0);
        assert_true(c.a[CPE_VERSION].wild);
        assert_string_equal(c.a[CPE_VERSION].value, "1\\.2*");
        cpe_free(&c);
}

static void test_cpe22(void **state) {
        struct cpe c;
        struct error err = {0};
        (void) state;
        assert_int_equal(cpe_parse("cpe:/a:zlib:zlib:1.2.13", &c, &err), 0);
        assert_int_equal(c.binding, 22);
        assert_string_equal(c.a[CPE_PRODUCT].value, "zlib");
        assert_string_equal(c.a[CPE_VERSION].value, "1.2.13");
        assert_int_equal(c.a[CPE_UPDATE].kind, CPE_AV_ANY);
        assert_int_equal(c.a[CPE_TARGET_SW].kind, CPE_AV_ANY);
        cpe_free(&c);
        /* packed edition */
        assert_int_equal(cpe_parse("cpe:/a:hp:insight_diagnostics:7.4.0.1570:-:~~online~win2003~x64~", &c, &err), 0);
        assert_int_equal(c.a[CPE_UPDATE].kind, CPE_AV_NA);
        assert_int_equal(c.a[CPE_EDITION].kind, CPE_AV_ANY);
        assert_string_equal(c.a[CPE_SW_EDITION].value, "online");
        assert_string_equal(c.a[CPE_TARGET_SW].value, "win2003");
        assert_string_equal(c.a[CPE_TARGET_HW].value, "x64");
        assert_int_equal(c.a[CPE_OTHER].kind, CPE_AV_ANY);
        cpe_free(&c);
        /* percent-encoding */
        assert_int_equal(cpe_parse("cpe:/a:foo%21:bar", &c, &err), 0);
        assert_string_equal(c.a[CPE_VENDOR].value, "foo!");
        cpe_free(&c);
        assert_int_equal(cpe_parse("cpe:/o:linux:linux_kernel:5.10.1", &c, &err), 0);
        assert_string_equal(c.a[CPE_PART].value, "o");
        cpe_free(&c);
}

static void cpe_bad(const char *s, const char *needle) {
        struct cpe c;
        struct error err = {0};
        assert_int_equal(cpe_parse(s, &c, &err), -1);
        if (!strstr(err.msg, needle)) fail_msg("CPE %s: error \"%s\" does not say \"%s\"", s, err.msg, needle);
        assert_null(c.a[CPE_VENDOR].value);
}

static void test_cpe_errors(void **state) {
        (void) state;
        cpe_bad("cpe:2.2:a:foo:bar", "starts with neither");
        cpe_bad("openssl", "starts with neither");
        cpe_bad("cpe:2.3:a:openssl:openssl:1.0:*:*:*:*:*:*", "12 components");
        cpe_bad("cpe:2.3:a:openssl:openssl:1.0:*:*:*:*:*:*:*:*", "more than 13");
        cpe_bad("cpe:2.3:a::openssl:1.0:*:*:*:*:*:*:*", "vendor (component 4) is empty");
        cpe_bad("cpe:2.3:x:openssl:openssl:1.0:*:*:*:*:*:*:*", "part");
        cpe_bad("cpe:2.3:a:open*ssl:openssl:1.0:*:*:*:*:*:*:*", "'*'");
        cpe_bad("cpe:2.3:a:op?enssl:openssl:1.0:*:*:*:*:*:*:*", "'?'");
        cpe_bad("cpe:2.3:a:openssl:openssl:**:*:*:*:*:*:*:*", "'*'");
        cpe_bad("cpe:2.3:a:openssl:openssl:??:*:*:*:*:*:*:*", "only wildcards");
        cpe_bad("cpe:2.3:a:openssl:openssl:1.0\\", "backslash");
        cpe_bad("cpe:2.3:a:open ssl:openssl:1.0:*:*:*:*:*:*:*", "space");
        cpe_bad("cpe:/x:foo:bar", "part");
        cpe_bad("cpe:/a:foo:bar:1:2:3:4:5", "more than 7");
        cpe_bad("cpe:/a:foo:bar:1.0%2", "two hex digits");
        cpe_bad("cpe:/a:foo:bar:1.0%41", "not printable punctuation");
        cpe_bad("cpe:/a:foo!:bar", "percent-encode");
        cpe_bad("cpe:/a:foo:bar:1.0:-:~a~b~c", "fewer than 5");
        cpe_bad("cpe:/a:foo:bar:1.0:-:~a~b~c~d~e~f", "more than 5");
        cpe_bad("cpe:/a:f~oo:bar", "'~'");
        cpe_bad("cpe:/a:foo:b%01a", "wildcard");
}

static void test_cpe_limit(void **state) {
        struct cpe c;
        struct error err = {0};
        (void) state;
        char big[CPE_MAX_LEN + 40] = "cpe:2.3:a:";
        memset(big + 10, 'a', CPE_MAX_LEN);
        big[CPE_MAX_LEN + 10] = '\0';
        assert_int_equal(cpe_parse(big, &c, &err), -1);
        assert_int_equal(err.kind, ERROR_TOO_LARGE);
}

static void key_is(const char *kind, const char *v, const char *want) {
        char *key = (char *) 1;
        struct error err = {0};
        if (vuln_ident_match_key(kind, v, &key, &err) != 0) fail_msg("%s: %s", v, err.msg);
        if (!want) {
                if (key) fail_msg("%s: key %s, want none", v, key);
                return;
        }
        if (!key || strcmp(key, want) != 0) fail_msg("%s: key %s, want %s", v, key ? key : "(none)", want);
        free(key);
}

static void test_match_keys(void **state) {
        (void) state;
        key_is("purl", "pkg:deb/debian/curl@7.88.1-10?distro=debian-12", "deb/debian/curl");
        key_is("purl", "pkg:npm/%40Angular/core@16.0.0", "npm/@angular/core");
        key_is("purl", "pkg:generic/OpenSSL@1.1.1w", "generic/openssl");
        key_is("purl", "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1", "maven/org.apache.logging.log4j/log4j-core");
        /* syft's upstream qualifier: a binary package is keyed by its source */
        key_is("purl", "pkg:deb/debian/libssl3@3.0.11-1~deb12u2?distro=debian-12&upstream=openssl%403.0.11-1~deb12u2",
               "deb/debian/openssl");
        key_is("cpe", "cpe:2.3:a:OpenSSL:openssl:1.1.1w:*:*:*:*:*:*:*", "openssl:openssl");
        key_is("cpe", "cpe:/a:zlib:zlib:1.2.13", "zlib:zlib");
        key_is("cpe", "cpe:2.3:o:linux:linux_kernel:6.1.55:*:*:*:*:*:*:*", "linux:linux_kernel");
        /* a '*' or '-' vendor/product is never a key (DT #3178/#3146/#3268) */
        key_is("cpe", "cpe:2.3:a:*:busybox:1.36.1:*:*:*:*:*:*:*", NULL);
        key_is("cpe", "cpe:2.3:a:busybox:*:1.36.1:*:*:*:*:*:*:*", NULL);
        key_is("cpe", "cpe:2.3:a:-:-:*:*:*:*:*:*:*:*", NULL);
        key_is("cpe", "cpe:/a::busybox:1.36.1", NULL);
        key_is("cpe", "cpe:2.3:a:busy*:busybox:1.36.1:*:*:*:*:*:*:*", NULL);

        char *key = (char *) 1;
        struct error err = {0};
        assert_int_equal(vuln_ident_match_key("cpe", "cpe:2.3:a:x", &key, &err), -1);
        assert_null(key);
        assert_int_equal(vuln_ident_match_key("swid", "x", &key, &err), -1);
        assert_non_null(strstr(err.msg, "swid"));
        assert_int_equal(vuln_ident_match_key("purl", "pkg:", &key, &err), -1);
}

static void test_name_and_osv_keys(void **state) {
        char *k;
        struct error err = {0};
        (void) state;
        k = vuln_name_match_key("  BusyBox ");
        assert_string_equal(k, "busybox");
        free(k);
        assert_null(vuln_name_match_key(NULL));
        assert_int_equal(vuln_osv_package_match_key("Debian:12", "openssl", NULL, &k, &err), 0);
        assert_string_equal(k, "deb/debian/openssl");
        free(k);
        assert_int_equal(vuln_osv_package_match_key("Maven", "org.apache.logging.log4j:log4j-core", NULL, &k, &err), 0);
        assert_string_equal(k, "maven/org.apache.logging.log4j/log4j-core");
        free(k);
        assert_int_equal(vuln_osv_package_match_key("PyPI", "Django_REST", NULL, &k, &err), 0);
        assert_string_equal(k, "pypi/django-rest");
        free(k);
        assert_int_equal(vuln_osv_package_match_key("Go", "github.com/gorilla/mux", NULL, &k, &err), 0);
        assert_string_equal(k, "golang/github.com/gorilla/mux");
        free(k);
        /* the purl decides only when the ecosystem is unknown ... */
        assert_int_equal(vuln_osv_package_match_key("Nonesuch", "x", "pkg:npm/%40scope/x", &k, &err), 0);
        assert_string_equal(k, "npm/@scope/x");
        free(k);
        /* ... because real Alpine records carry "pkg:alpine/..." (type apk) */
        assert_int_equal(vuln_osv_package_match_key("Alpine:v3.16", "mariadb", "pkg:alpine/mariadb", &k, &err), 0);
        assert_string_equal(k, "apk/alpine/mariadb");
        free(k);
        assert_int_equal(vuln_osv_package_match_key("Linux", "Kernel", NULL, &k, &err), 0);
        assert_null(k);
        assert_int_equal(vuln_osv_package_match_key("Nonesuch", "x", NULL, &k, &err), -1);
        assert_non_null(strstr(err.msg, "Nonesuch"));
        assert_int_equal(vuln_osv_package_match_key("npm", NULL, NULL, &k, &err), -1);
}

static bool applies(const char *eco, const char *purl) {
        struct purl p;
        const char *why = NULL;
        if (purl_parse(purl, &p, NULL) != 0) fail_msg("bad test purl %s", purl);
        bool r = vuln_ecosystem_release_applies(eco, &p, &why);
        assert_non_null(why);
        purl_free(&p);
        return r;
}

/* "Debian:12" ranges apply to the component's distro release only (grype
 * PR #3129: the distribution's own fixed versions decide for its packages). */
static void test_ecosystem_release(void **state) {
        (void) state;
        assert_true(applies("Debian:12", "pkg:deb/debian/curl@1?distro=debian-12"));
        assert_true(applies("Debian:12", "pkg:deb/debian/curl@1?distro=bookworm"));
        assert_false(applies("Debian:12", "pkg:deb/debian/curl@1?distro=debian-11"));
        assert_false(applies("Debian:12", "pkg:deb/debian/curl@1?distro=bullseye"));
        assert_true(applies("Debian:7", "pkg:deb/debian/nginx@1?distro=wheezy"));
        assert_true(applies("Debian", "pkg:deb/debian/curl@1?distro=debian-11"));      /* no release named */
        assert_true(applies("Debian:12", "pkg:deb/debian/curl@1"));                    /* cannot tell: noted */
        assert_true(applies("Alpine:v3.18", "pkg:apk/alpine/zlib@1?distro=alpine-3.18.4"));
        assert_true(applies("Alpine:v3.18", "pkg:apk/alpine/zlib@1?distro=3.18.0"));
        assert_false(applies("Alpine:v3.18", "pkg:apk/alpine/zlib@1?distro=alpine-3.19.1"));
        assert_false(applies("Alpine:v3.1", "pkg:apk/alpine/zlib@1?distro=alpine-3.18.4"));
        assert_true(applies("Ubuntu:22.04:LTS", "pkg:deb/ubuntu/curl@1?distro=ubuntu-22.04"));
        assert_true(applies("Ubuntu:Pro:14.04:LTS", "pkg:deb/ubuntu/linux@1?distro=esm-infra-legacy/trusty"));
        assert_false(applies("Ubuntu:Pro:14.04:LTS", "pkg:deb/ubuntu/linux@1?distro=ubuntu-16.04"));
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_purl_full),
                cmocka_unit_test(test_purl_namespaces_and_decoding),
                cmocka_unit_test(test_purl_errors),
                cmocka_unit_test(test_purl_limits),
                cmocka_unit_test(test_cpe23),
                cmocka_unit_test(test_cpe22),
                cmocka_unit_test(test_cpe_errors),
                cmocka_unit_test(test_cpe_limit),
                cmocka_unit_test(test_match_keys),
                cmocka_unit_test(test_name_and_osv_keys),
                cmocka_unit_test(test_ecosystem_release),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Vulnerability feeds (issue 9 section 2): the streaming splitter, CVSS
 * scoring, and the import of each feed: real records from tests/data/feeds,
 * a test per way a feed can be wrong, alias merging (with findings),
 * idempotent re-import, withdrawn records, modified deltas, KEV and EPSS.
 */
#include "testutil-store.h"

#include "core/time.h"
#include "vuln/cvss.h"
#include "vuln/import.h"
#include "vuln/json-stream.h"

static const struct audit_actor so = {.name = "so-1", .role = "security-officer"};
#define NOW 1800000000

struct fx {
        struct tdir *t;
        struct store *s;
        int n;
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

static char *fixture(const char *name) {
        const char *root = getenv("CRADLE_SOURCE_ROOT");
        return str_printf("%s/tests/data/feeds/%s", root ? root : ".", name);
}

static char *write_tmp(struct fx *f, const char *text) {
        char name[32];
        snprintf(name, sizeof(name), "feed-%d.json", f->n++);
        char *p = tdir_path(f->t, name);
        FILE *fp = fopen(p, "wb");
        assert_non_null(fp);
        fwrite(text, 1, strlen(text), fp);
        fclose(fp);
        return p;
}

/* Imports a file; returns the summary (or NULL with *kind set on error). */
static json_t *import_path(struct fx *f, const char *path, const struct vuln_import_limits *lim,
                           enum error_kind *kind, char *msg) {
        struct error err = {0};
        json_t *sum = NULL;
        int rc = vuln_import_file(f->s, &so, path, NULL, lim, NOW, &sum, &err);
        if (kind)
                *kind = err.kind;
        if (msg)
                snprintf(msg, ERROR_MSG_MAX, "%s", err.msg);
        if (rc < 0 && !kind)
                fail_msg("import %s: %s", path, err.msg);
        return sum;
}

static json_t *import_fixture(struct fx *f, const char *name) {
        _cleanup_free_ char *p = fixture(name);
        return import_path(f, p, NULL, NULL, NULL);
}

static json_t *import_text(struct fx *f, const char *text) {
        _cleanup_free_ char *p = write_tmp(f, text);
        return import_path(f, p, NULL, NULL, NULL);
}

static enum error_kind import_text_fails(struct fx *f, const char *text, const struct vuln_import_limits *lim,
                                         char *msg) {
        _cleanup_free_ char *p = write_tmp(f, text);
        enum error_kind k = ERROR_NONE;
        json_t *sum = import_path(f, p, lim, &k, msg);
        if (sum)
                fail_msg("import should have failed: %s", text);
        return k;
}

static int64_t count(struct fx *f, const char *source, const char *what, json_t *sum) {
        (void) f;
        return json_integer_value(json_object_get(json_object_get(json_object_get(sum, "sources"), source), what));
}

/* The summary's notes as one string, kept for the test's duration. */
static const char *notes_of(json_t *sum) {
        static char buf[4096];
        char *d = json_dumps(json_object_get(sum, "notes"), 0);
        snprintf(buf, sizeof(buf), "%s", d ? d : "");
        free(d);
        return buf;
}

static int64_t q(struct fx *f, const char *sql) {
        return raw_int(f->t->db, sql);
}

static char *qs(struct fx *f, const char *sql) {
        sqlite3 *h = NULL;
        sqlite3_stmt *st = NULL;
        assert_int_equal(sqlite3_open_v2(f->t->db, &h, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
        assert_int_equal(sqlite3_prepare_v2(h, sql, -1, &st, NULL), SQLITE_OK);
        char *v = sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0)
                          ? str_dup((const char *) sqlite3_column_text(st, 0))
                          : NULL;
        sqlite3_finalize(st);
        sqlite3_close(h);
        return v;
}

/* ---- CVSS ---- */

static void test_cvss_spec_examples(void **state) {
        (void) state;
        /* FIRST CVSS v3.1 Examples document and the specification's scores */
        static const struct {
                const char *v;
                int score10;
        } cases[] = {
                {"CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N", 61},  /* CVE-2013-1937 phpMyAdmin XSS */
                {"CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:C/C:L/I:L/A:N", 64},  /* CVE-2013-0375 MySQL */
                {"CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:U/C:L/I:N/A:N", 31},  /* CVE-2014-3566 POODLE */
                {"CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:C/C:H/I:H/A:H", 99},  /* CVE-2012-1516 VMware */
                {"CVSS:3.1/AV:L/AC:L/PR:H/UI:N/S:U/C:L/I:L/A:L", 42},  /* CVE-2009-0783 Tomcat */
                {"CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H", 88},  /* CVE-2012-0384 Cisco IOS */
                {"CVSS:3.1/AV:L/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:H", 78},  /* CVE-2015-1098 Apple iWork */
                {"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N", 75},  /* CVE-2014-0160 Heartbleed */
                {"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 98},  /* CVE-2014-6271 Shellshock */
                {"CVSS:3.1/AV:P/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 68},  /* CVE-2014-2005 Sophos */
                {"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:L/I:N/A:N", 58},  /* CVE-2010-0467 Joomla */
                {"CVSS:3.1/AV:A/AC:L/PR:N/UI:N/S:C/C:N/I:H/A:H", 93},  /* CVE-2013-6014 Juniper */
                {"CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:U/C:H/I:H/A:N", 68},  /* CVE-2016-0128 Badlock */
                {"CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:N/I:N/A:L", 37},  /* CVE-2004-0230 TCP RST */
                {"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H", 100}, /* CVE-2024-3094 xz (NVD: 10.0) */
                {"CVSS:3.1/AV:L/AC:H/PR:L/UI:N/S:U/C:H/I:N/A:N", 47},  /* CVE-2018-5407 PortSmash (NVD: 4.7) */
                {"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N", 0},   /* no impact */
                {"CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/E:P/RL:O", 98}, /* temporal metrics accepted */
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                enum cvss_version ver;
                int score = -2;
                struct error err = {0};
                if (cvss_parse(cases[i].v, &ver, &score, &err) < 0)
                        fail_msg("%s: %s", cases[i].v, err.msg);
                if (score != cases[i].score10)
                        fail_msg("%s: got %d, expected %d", cases[i].v, score, cases[i].score10);
        }
        assert_string_equal(cvss_severity(100), "critical");
        assert_string_equal(cvss_severity(89), "high");
        assert_string_equal(cvss_severity(40), "medium");
        assert_string_equal(cvss_severity(1), "low");
        assert_string_equal(cvss_severity(0), "none");
}

static void test_cvss_refuses_bad_vectors(void **state) {
        (void) state;
        static const char *const bad[] = {
                "AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",                 /* no prefix */
                "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H",            /* A missing */
                "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/A:H",    /* twice */
                "CVSS:3.1/AV:Q/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",        /* bad value */
                "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/ZZ:X",   /* unknown metric */
                "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/",       /* trailing slash */
                "CVSS:4.0/AV:N/AC:L/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N", /* AT missing */
                "CVSS:2.0/AV:N/AC:L/Au:N/C:P/I:P/A:P",
        };
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                enum cvss_version ver;
                int score;
                struct error err = {0};
                if (cvss_parse(bad[i], &ver, &score, &err) == 0)
                        fail_msg("accepted %s", bad[i]);
                assert_int_equal(err.kind, ERROR_INVALID);
        }
        enum cvss_version ver;
        int score = 0;
        assert_int_equal(cvss_parse("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N", &ver, &score,
                                    NULL), 0);
        assert_int_equal(ver, CVSS_V40);
        assert_int_equal(score, -1);
}

/* ---- the splitter ---- */

struct collect {
        size_t elements;
        json_t *members;
};

static int on_el(void *u, json_t *el, size_t i, struct error *err) {
        (void) el;
        (void) i;
        (void) err;
        ((struct collect *) u)->elements++;
        return 0;
}

static int on_mem(void *u, const char *key, json_t *v, struct error *err) {
        (void) err;
        json_object_set(((struct collect *) u)->members, key, v);
        return 0;
}

static int split(const char *text, const struct vuln_json_stream_limits *lim, struct collect *c, struct error *err) {
        FILE *f = fmemopen((void *) text, strlen(text), "r");
        assert_non_null(f);
        struct vuln_json_stream_ops ops = {.array_key = "vulnerabilities", .on_member = on_mem, .on_element = on_el};
        c->elements = 0;
        json_decref(c->members);
        c->members = json_object();
        int rc = vuln_json_stream("test", f, lim, &ops, c, err);
        fclose(f);
        return rc;
}

static void test_split_good(void **state) {
        (void) state;
        struct collect c = {0};
        struct error err = {0};
        assert_int_equal(split(" {\"format\": \"NVD_CVE\", \"vulnerabilities\": [ {\"a\": \"]}\\\"[{\"}, {\"b\": [1, {}]} ],"
                               " \"after\": {\"x\": [true]} }\n", NULL, &c, &err), 0);
        assert_int_equal(c.elements, 2);
        assert_string_equal(json_string_value(json_object_get(c.members, "format")), "NVD_CVE");
        assert_non_null(json_object_get(c.members, "after"));
        assert_int_equal(split("{\"vulnerabilities\": []}", NULL, &c, &err), 0);
        assert_int_equal(c.elements, 0);
        json_decref(c.members);
}

static void test_split_faults(void **state) {
        (void) state;
        static const struct {
                const char *text;
                enum error_kind kind;
                const char *msg;
        } cases[] = {
                {"{\"vulnerabilities\": [{\"a\": 1}, {\"b\": ", ERROR_INVALID, "truncated"},
                {"{\"vulnerabilities\": [{\"a\": \"unterminated", ERROR_INVALID, "truncated"},
                {"{\"vulnerabilities\": [{\"a\": 1}]} x", ERROR_INVALID, "trailing data"},
                {"{\"vulnerabilities\": [{\"a\": 1} {\"b\": 2}]}", ERROR_INVALID, "expected ','"},
                {"{\"vulnerabilities\": [1, 2]}", ERROR_INVALID, "expected an object"},
                {"{\"vulnerabilities\": {\"a\": 1}}", ERROR_INVALID, "expected an array"},
                {"{\"vulnerabilities\": [], \"vulnerabilities\": []}", ERROR_INVALID, "twice"},
                {"{\"vulnerabilities\": [{\"a\": 1, \"a\": 2}]}", ERROR_INVALID, "duplicate"},
                {"{\"vulnerabilities\": [{\"a\": tru}]}", ERROR_INVALID, "element 0"},
                {"[{\"a\": 1}]", ERROR_INVALID, "top-level object"},
                {"", ERROR_INVALID, "empty"},
                {"{\"vulnerabilities\": [{\"a\": [[[[[[[[[[1]]]]]]]]]]}]}", ERROR_INVALID, "deeper"},
                {"{\"vulnerabilities\": [{\"a\": \"0123456789012345678901234567890123456789\"}]}", ERROR_TOO_LARGE,
                 "larger than"},
                {"{\"vulnerabilities\": [{}, {}, {}, {}]}", ERROR_TOO_LARGE, "more than 3"},
        };
        struct vuln_json_stream_limits lim = {.max_element = 32, .max_depth = 8, .max_elements = 3};
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                struct collect c = {0};
                struct error err = {0};
                if (split(cases[i].text, &lim, &c, &err) == 0)
                        fail_msg("accepted: %s", cases[i].text);
                json_decref(c.members);
                if (err.kind != cases[i].kind || !strstr(err.msg, cases[i].msg))
                        fail_msg("%s: got '%s' (kind %d)", cases[i].text, err.msg, err.kind);
                assert_non_null(strstr(err.msg, "test:"));
        }
}

/* ---- NVD ---- */

static void test_nvd_real_xz(void **state) {
        struct fx *f = *state;
        json_t *sum = import_fixture(f, "nvd-CVE-2024-3094.json");
        assert_string_equal(json_string_value(json_object_get(sum, "feed")), "nvd");
        assert_int_equal(count(f, "nvd", "added", sum), 1);
        json_decref(sum);
        _cleanup_free_ char *sev = qs(f, "SELECT severity FROM vulns WHERE name = 'CVE-2024-3094'");
        assert_string_equal(sev, "critical");
        assert_int_equal(q(f, "SELECT cvss_score10 FROM vulns WHERE name = 'CVE-2024-3094'"), 100);
        _cleanup_free_ char *key = qs(f, "SELECT match_key || '|' || name_key || '|' || kind FROM vuln_affected");
        assert_string_equal(key, "tukaani:xz|xz|cpe");
        assert_int_equal(q(f, "SELECT count(*) FROM vuln_affected"), 1);
        assert_int_equal(q(f, "SELECT count(*) FROM vuln_match_queue"), 1);
        assert_int_equal(q(f, "SELECT count(*) FROM audit_log WHERE action = 'vulns.import'"), 1);
        _cleanup_free_ char *summary = qs(f, "SELECT summary FROM vulns");
        assert_true(str_startswith(summary, "Malicious code was discovered in the upstream tarballs of xz"));
}

static void test_nvd_reimport_writes_nothing(void **state) {
        struct fx *f = *state;
        json_decref(import_fixture(f, "nvd-CVE-2023-4863.json"));
        /* the matcher drained the queue */
        raw_exec(f->t->db, "DELETE FROM vuln_match_queue");
        int64_t changes_before = q(f, "SELECT sum(imported_at) + sum(length(data)) FROM vuln_records");
        int64_t updated_before = q(f, "SELECT updated_at FROM vulns");
        struct error err = {0};
        json_t *sum = NULL;
        _cleanup_free_ char *p = fixture("nvd-CVE-2023-4863.json");
        assert_int_equal(vuln_import_file(f->s, &so, p, NULL, NULL, NOW + 3600, &sum, &err), 0);
        assert_int_equal(count(f, "nvd", "unchanged", sum), 1);
        assert_int_equal(count(f, "nvd", "added", sum) + count(f, "nvd", "updated", sum), 0);
        assert_int_equal(json_integer_value(json_object_get(sum, "queued")), 0);
        json_decref(sum);
        assert_int_equal(q(f, "SELECT count(*) FROM vuln_match_queue"), 0);
        assert_int_equal(q(f, "SELECT sum(imported_at) + sum(length(data)) FROM vuln_records"), changes_before);
        assert_int_equal(q(f, "SELECT updated_at FROM vulns"), updated_before);
        /* libwebp's six configurations: one row per vulnerable vendor:product */
        assert_int_equal(q(f, "SELECT count(*) FROM vuln_affected WHERE match_key = 'webmproject:libwebp'"), 1);
        assert_true(q(f, "SELECT count(DISTINCT data) FROM vuln_affected") >= 5);
        assert_int_equal(q(f, "SELECT count(*) FROM vuln_affected WHERE match_key = 'debian:debian_linux'"), 1);
        assert_int_equal(q(f, "SELECT count(*) FROM vuln_affected WHERE match_key = 'mozilla:firefox_esr'"), 1);
}

#define NVD_DOC(version, status, modified, configs)                                                             \
        "{\"format\": \"NVD_CVE\", \"version\": \"" version "\", \"vulnerabilities\": [{\"cve\": {\"id\": "    \
        "\"CVE-2099-1000\", \"published\": \"2099-01-01T00:00:00.000\", \"lastModified\": \"" modified "\", "  \
        "\"vulnStatus\": \"" status "\", \"descriptions\": [{\"lang\": \"en\", \"value\": \"A test flaw\"}], " \
        "\"metrics\": {\"cvssMetricV40\": [{\"source\": \"nvd@nist.gov\", \"type\": \"Primary\", "           \
        "\"cvssData\": {\"version\": \"4.0\", \"vectorString\": \"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/"    \
        "VI:H/VA:H/SC:N/SI:N/SA:N\", \"baseScore\": 9.3}}]}, \"configurations\": " configs "}}]}"
#define CONFIG(product)                                                                                          \
        "{\"nodes\": [{\"operator\": \"OR\", \"negate\": false, \"cpeMatch\": [{\"vulnerable\": true, "         \
        "\"criteria\": \"cpe:2.3:a:acme:" product ":*:*:*:*:*:*:*:*\", \"versionEndExcluding\": \"2.0\"}]}]}"

static void test_nvd_modified_delta_replaces(void **state) {
        struct fx *f = *state;
        json_decref(import_text(f, NVD_DOC("2.0", "Analyzed", "2099-01-02T00:00:00.000", "[" CONFIG("widget") "]")));
        assert_int_equal(q(f, "SELECT cvss_score10 FROM vulns"), 93); /* v4.0: NVD's score */
        raw_exec(f->t->db, "DELETE FROM vuln_match_queue");
        json_t *sum = import_text(f, NVD_DOC("2.0", "Modified", "2099-02-01T00:00:00.000",
                                             "[" CONFIG("gadget") ", " CONFIG("gizmo") "]"));
        assert_int_equal(count(f, "nvd", "updated", sum), 1);
        json_decref(sum);
        assert_int_equal(q(f, "SELECT count(*) FROM vuln_affected"), 2);
        assert_int_equal(q(f, "SELECT count(*) FROM vuln_affected WHERE match_key = 'acme:widget'"), 0);
        assert_int_equal(q(f, "SELECT count(*) FROM vuln_affected WHERE match_key = 'acme:gizmo'"), 1);
        assert_int_equal(q(f, "SELECT count(*) FROM vuln_match_queue"), 1);
        _cleanup_free_ char *mod = qs(f, "SELECT modified FROM vuln_records");
        assert_string_equal(mod, "2099-02-01T00:00:00.000");
        /* a change that leaves the configurations alone does not queue */
        raw_exec(f->t->db, "DELETE FROM vuln_match_queue");
        json_decref(import_text(f, NVD_DOC("2.0", "Analyzed", "2099-03-01T00:00:00.000",
                                           "[" CONFIG("gadget") ", " CONFIG("gizmo") "]")));
        assert_int_equal(q(f, "SELECT count(*) FROM vuln_match_queue"), 0);
        /* rejected: withdrawn, no rows left to match */
        sum = import_text(f, NVD_DOC("2.0", "Rejected", "2099-04-01T00:00:00.000", "[]"));
        assert_int_equal(count(f, "nvd", "withdrawn", sum), 1);
        json_decref(sum);
        assert_int_equal(q(f, "SELECT count(*) FROM vuln_affected"), 0);
        assert_true(q(f, "SELECT withdrawn_at FROM vulns") > 0);
        assert_int_equal(q(f, "SELECT count(*) FROM vuln_match_queue"), 1);
}

static void test_nvd_running_on_gets_no_key(void **state) {
        struct fx *f = *state;
        json_decref(import_text(f, NVD_DOC("2.0", "Analyzed", "2099-01-02T00:00:00.000",
                                           "[{\"operator\": \"AND\", \"nodes\": [{\"operator\": \"OR\", "
                                           "\"cpeMatch\": [{\"vulnerable\": true, \"criteria\": "
                                           "\"cpe:2.3:a:acme:fw:1.0:*:*:*:*:*:*:*\"}]}, {\"operator\": \"OR\", "
                                           "\"cpeMatch\": [{\"vulnerable\": false, \"criteria\": "
                                           "\"cpe:2.3:h:acme:board:-:*:*:*:*:*:*:*\"}, {\"vulnerable\": true, "
                                           "\"criteria\": \"cpe:2.3:a:*:*:*:*:*:*:*:*:*:*\"}]}]}]")));
        /* the vulnerable product only: the platform and the wildcard get no key */
        assert_int_equal(q(f, "SELECT count(*) FROM vuln_affected"), 1);
        _cleanup_free_ char *key = qs(f, "SELECT match_key FROM vuln_affected");
        assert_string_equal(key, "acme:fw");
        _cleanup_free_ char *data = qs(f, "SELECT data FROM vuln_affected");
        assert_non_null(strstr(data, "acme:board")); /* the whole configuration is kept for the matcher */
}

static void test_nvd_faults(void **state) {
        struct fx *f = *state;
        char msg[ERROR_MSG_MAX];
        /* unknown schema version */
        assert_int_equal(import_text_fails(f, NVD_DOC("3.0", "Analyzed", "2099-01-02T00:00:00", "[]"), NULL, msg),
                         ERROR_UNSUPPORTED);
        assert_non_null(strstr(msg, "version '3.0'"));
        /* NVD 1.1 */
        assert_int_equal(import_text_fails(f, "{\"CVE_data_type\": \"CVE\", \"CVE_Items\": []}", NULL, msg),
                         ERROR_UNSUPPORTED);
        /* truncated: nothing is written, not even the first record */
        const char *full = NVD_DOC("2.0", "Analyzed", "2099-01-02T00:00:00", "[]");
        char *cut = str_dup(full);
        cut[strlen(cut) - 40] = '\0';
        assert_int_equal(import_text_fails(f, cut, NULL, msg), ERROR_INVALID);
        assert_non_null(strstr(msg, "truncated"));
        free(cut);
        assert_int_equal(q(f, "SELECT count(*) FROM vulns"), 0);
        assert_int_equal(q(f, "SELECT count(*) FROM audit_log WHERE action = 'vulns.import'"), 0);
        /* over the record limit */
        struct vuln_import_limits lim = {.max_record = 200};
        assert_int_equal(import_text_fails(f, full, &lim, msg), ERROR_TOO_LARGE);
        /* wrong types: the record is skipped with its reason, the file imports */
        json_t *sum = import_text(f, "{\"format\": \"NVD_CVE\", \"version\": \"2.0\", \"vulnerabilities\": ["
                                     "{\"cve\": {\"id\": \"CVE-2099-0002\", \"lastModified\": \"2099-01-01T00:00:00\", "
                                     "\"configurations\": \"all\"}}, {\"cve\": {\"id\": 7}}, {\"nocve\": 1}, "
                                     "{\"cve\": {\"id\": \"CVE-2099-0003\", \"lastModified\": \"yesterday\"}}, "
                                     "{\"cve\": {\"id\": \"CVE-2099-0004\", \"lastModified\": \"2099-01-01T00:00:00\"}}]}");
        assert_int_equal(count(f, "nvd", "skipped", sum), 4);
        assert_int_equal(count(f, "nvd", "added", sum), 1);
        json_t *skipped = json_object_get(sum, "skipped");
        assert_int_equal(json_array_size(skipped), 4);
        assert_non_null(strstr(json_string_value(json_object_get(json_array_get(skipped, 0), "reason")),
                               "'configurations' has the wrong type"));
        assert_non_null(strstr(json_string_value(json_object_get(json_array_get(skipped, 3), "reason")),
                               "not a date"));
        json_decref(sum);
        /* not a feed at all */
        assert_int_equal(import_text_fails(f, "{\"hello\": \"world\"}", NULL, msg), ERROR_UNSUPPORTED);
        assert_int_equal(import_text_fails(f, "", NULL, msg), ERROR_INVALID);
}

static void test_nvd_chunks_and_partial_failure(void **state) {
        struct fx *f = *state;
        /* five records, chunks of two, cut inside the fifth */
        struct buf b = {0};
        buf_appendf(&b, "{\"format\": \"NVD_CVE\", \"version\": \"2.0\", \"vulnerabilities\": [");
        for (int i = 1; i <= 5; i++)
                buf_appendf(&b, "%s{\"cve\": {\"id\": \"CVE-2099-%04d\", \"lastModified\": \"2099-01-01T00:00:00\", "
                                "\"descriptions\": [{\"lang\": \"en\", \"value\": \"record %d\"}]}}",
                            i > 1 ? ", " : "", i, i);
        buf_appendf(&b, "]}");
        char *full = buf_steal(&b);
        char *cut = str_dup(full);
        cut[strlen(cut) - 30] = '\0';
        struct vuln_import_limits lim = {.chunk = 2};
        char msg[ERROR_MSG_MAX];
        assert_int_equal(import_text_fails(f, cut, &lim, msg), ERROR_INVALID);
        /* the two complete chunks stay, and the error and the audit say so */
        assert_int_equal(q(f, "SELECT count(*) FROM vulns"), 4);
        assert_non_null(strstr(msg, "truncated"));
        assert_non_null(strstr(msg, "the 4 records before it were imported"));
        assert_int_equal(q(f, "SELECT count(*) FROM audit_log WHERE action = 'vulns.import' AND details LIKE "
                              "'%\"failed\":%truncated%'"), 1);
        /* the complete file finishes the job: 1 added, 4 unchanged */
        json_t *sum = import_text(f, full);
        assert_int_equal(count(f, "nvd", "added", sum), 1);
        assert_int_equal(count(f, "nvd", "unchanged", sum), 4);
        json_decref(sum);
        assert_int_equal(q(f, "SELECT count(*) FROM vulns"), 5);
        free(cut);
        free(full);
}

/* ---- OSV and aliases ---- */

static void test_osv_real_records(void **state) {
        struct fx *f = *state;
        static const char *const files[] = {"osv-GHSA-9v2f-6vcg-3hgv.json", "osv-GO-2020-0001.json",
                                            "osv-PYSEC-2023-74.json", "osv-CVE-2018-5407.json",
                                            "osv-RHSA-2022_0216.json"};
        for (size_t i = 0; i < ELEMENTSOF(files); i++) {
                json_t *sum = import_fixture(f, files[i]);
                if (count(f, "osv", "added", sum) != 1)
                        fail_msg("%s: %s", files[i], notes_of(sum));
                json_decref(sum);
        }
        /* GHSA named by its CVE; every id resolves */
        assert_int_equal(q(f, "SELECT count(*) FROM vulns WHERE name = 'CVE-2024-39236'"), 1);
        assert_int_equal(q(f, "SELECT count(*) FROM vuln_aliases a JOIN vulns v ON v.id = a.vuln_id WHERE "
                              "a.alias = 'GHSA-9v2f-6vcg-3hgv' AND v.name = 'CVE-2024-39236'"), 1);
        assert_int_equal(q(f, "SELECT count(*) FROM vuln_affected WHERE match_key = 'pypi/gradio' AND name_key = "
                              "'gradio'"), 1);
        assert_int_equal(q(f, "SELECT count(*) FROM vuln_affected WHERE match_key = 'golang/github.com/gin-gonic/gin'"),
                         1);
        /* OSV severity vector scored in-tree: PortSmash 4.7 medium */
        assert_int_equal(q(f, "SELECT cvss_score10 FROM vulns WHERE name = 'CVE-2018-5407'"), 47);
        /* an advisory naming several CVEs (here as 'related', not aliases) stays its own */
        assert_int_equal(q(f, "SELECT count(*) FROM vulns WHERE name = 'RHSA-2022:0216'"), 1);
        /* GO-2020-0001 and PYSEC-2023-74 each bring a CVE and a GHSA */
        assert_int_equal(q(f, "SELECT count(*) FROM vulns"), 5);
}

static void test_osv_withdrawn(void **state) {
        struct fx *f = *state;
        json_t *sum = import_fixture(f, "osv-withdrawn-GHSA-35c4-f3rq-f9g3.json");
        assert_int_equal(count(f, "osv", "withdrawn", sum), 1);
        json_decref(sum);
        assert_true(q(f, "SELECT withdrawn_at FROM vulns WHERE name = 'CVE-2015-3227'") > 0);
        assert_int_equal(q(f, "SELECT count(*) FROM vuln_affected"), 0);
        /* another, live record of the same CVE: no longer withdrawn */
        json_decref(import_text(f, "{\"id\": \"OSV-TEST-1\", \"modified\": \"2024-01-01T00:00:00Z\", \"aliases\": "
                                   "[\"CVE-2015-3227\"], \"affected\": [{\"package\": {\"ecosystem\": \"RubyGems\", "
                                   "\"name\": \"activesupport\"}, \"versions\": [\"4.2.1\"]}]}"));
        assert_int_equal(q(f, "SELECT count(*) FROM vulns WHERE withdrawn_at IS NULL"), 1);
        assert_int_equal(q(f, "SELECT count(*) FROM vuln_affected"), 1);
}

#define OSV(id, aliases, modified) \
        "{\"schema_version\": \"1.6.0\", \"id\": \"" id "\", \"modified\": \"" modified "\", \"aliases\": " aliases "}"

static void finding(struct fx *f, int release, int component, const char *vuln, const char *state) {
        char *sql = sqlite3_mprintf(
                "INSERT INTO findings (release_id, component_id, vuln_id, confidence, explanation, state, "
                "first_seen_at, last_matched_at) VALUES (%d, %d, (SELECT vuln_id FROM vuln_aliases WHERE alias = %Q), "
                "'purl', '{}', %Q, 1, 1)", release, component, vuln, state);
        raw_exec(f->t->db, sql);
        sqlite3_free(sql);
}

static void test_alias_merge_keeps_findings(void **state) {
        struct fx *f = *state;
        json_decref(import_text(f, OSV("GHSA-aaaa-bbbb-cccc", "[]", "2024-01-01T00:00:00Z")));
        json_decref(import_text(f, OSV("PYSEC-2024-1", "[\"CVE-2024-0001\"]", "2024-01-01T00:00:00Z")));
        assert_int_equal(q(f, "SELECT count(*) FROM vulns"), 2);
        /* findings on both: release 1 component 1 on both (twins), one each elsewhere */
        finding(f, 1, 1, "GHSA-aaaa-bbbb-cccc", "not_affected");
        finding(f, 1, 1, "CVE-2024-0001", "in_triage");
        finding(f, 1, 2, "GHSA-aaaa-bbbb-cccc", "in_triage");
        finding(f, 2, 1, "CVE-2024-0001", "affected");
        raw_exec(f->t->db, "UPDATE findings SET justification = 'code_not_present' WHERE state = 'not_affected'");
        /* a CRA case (migration 11) names the GHSA's vuln and its twin finding */
        raw_exec(f->t->db, "INSERT INTO cases (reference, kind, title, summary, state, source, vuln_id, finding_id, "
                           "created_at, created_by, updated_at) VALUES ('CASE-1', 'vulnerability', 't', 's', "
                           "'triaging', 'finding', (SELECT vuln_id FROM vuln_aliases WHERE alias = "
                           "'GHSA-aaaa-bbbb-cccc'), (SELECT id FROM findings WHERE release_id = 1 AND component_id = 1 "
                           "AND vuln_id = (SELECT vuln_id FROM vuln_aliases WHERE alias = 'GHSA-aaaa-bbbb-cccc')), "
                           "1, 'x', 1)");
        raw_exec(f->t->db, "DELETE FROM vuln_match_queue");
        /* the GHSA's next revision names the CVE: one vulnerability now */
        json_t *sum = import_text(f, OSV("GHSA-aaaa-bbbb-cccc", "[\"CVE-2024-0001\"]", "2024-02-01T00:00:00Z"));
        assert_int_equal(count(f, "osv", "merged", sum), 1);
        json_decref(sum);
        assert_int_equal(q(f, "SELECT count(*) FROM vulns"), 1);
        _cleanup_free_ char *name = qs(f, "SELECT name FROM vulns");
        assert_string_equal(name, "CVE-2024-0001");
        assert_int_equal(q(f, "SELECT count(DISTINCT vuln_id) FROM vuln_aliases"), 1);
        assert_int_equal(q(f, "SELECT count(*) FROM vuln_records WHERE vuln_id = (SELECT id FROM vulns)"), 2);
        /* three findings remain, all on the survivor; the twin kept the triaged state */
        assert_int_equal(q(f, "SELECT count(*) FROM findings"), 3);
        assert_int_equal(q(f, "SELECT count(*) FROM findings WHERE vuln_id <> (SELECT id FROM vulns)"), 0);
        _cleanup_free_ char *st = qs(f, "SELECT state || '/' || justification FROM findings WHERE release_id = 1 AND "
                                        "component_id = 1");
        assert_string_equal(st, "not_affected/code_not_present");
        assert_int_equal(q(f, "SELECT count(*) FROM vuln_match_queue"), 1);
        /* the case follows: the survivor, and the finding that replaced its twin */
        assert_int_equal(q(f, "SELECT count(*) FROM cases WHERE vuln_id = (SELECT id FROM vulns) AND finding_id = "
                              "(SELECT id FROM findings WHERE release_id = 1 AND component_id = 1)"), 1);
        /* any alias resolves in show */
        struct error err = {0};
        json_t *out = NULL;
        assert_int_equal(vuln_show(f->s, "PYSEC-2024-1", &out, &err), 0);
        assert_string_equal(json_string_value(json_object_get(out, "name")), "CVE-2024-0001");
        assert_int_equal(json_array_size(json_object_get(out, "aliases")), 3);
        json_decref(out);
        assert_int_equal(vuln_show(f->s, "CVE-1999-0000", &out, &err), -1);
        assert_int_equal(err.kind, ERROR_NOT_FOUND);
}

static void test_osv_faults(void **state) {
        struct fx *f = *state;
        json_t *sum = import_text(f, "[" OSV("A-1", "[]", "2024-01-01T00:00:00Z") ", {\"schema_version\": \"2.0.0\", "
                                     "\"id\": \"A-2\", \"modified\": \"2024-01-01T00:00:00Z\"}, {\"id\": \"A-3\", "
                                     "\"modified\": \"2024-01-01T00:00:00Z\", \"aliases\": \"CVE-1\"}, {\"id\": "
                                     "\"A-4\", \"modified\": \"2024-01-01T00:00:00Z\", \"affected\": [\"x\"]}]");
        assert_int_equal(count(f, "osv", "added", sum), 1);
        assert_int_equal(count(f, "osv", "skipped", sum), 3);
        json_t *sk = json_object_get(sum, "skipped");
        assert_non_null(strstr(json_string_value(json_object_get(json_array_get(sk, 0), "reason")),
                               "schema_version '2.0.0'"));
        json_decref(sum);
}

/* ---- KEV ---- */

static void test_kev_marks_exploited(void **state) {
        struct fx *f = *state;
        json_decref(import_fixture(f, "nvd-CVE-2023-4863.json"));
        raw_exec(f->t->db, "DELETE FROM vuln_match_queue");
        assert_int_equal(q(f, "SELECT count(*) FROM vulns WHERE exploited_at IS NOT NULL"), 0);
        json_t *sum = import_fixture(f, "kev-trimmed.json");
        assert_string_equal(json_string_value(json_object_get(sum, "feed")), "kev");
        assert_int_equal(count(f, "kev", "added", sum), 3);
        json_decref(sum);
        int64_t t;
        assert_int_equal(time_parse_date("2023-09-13", &t, NULL), 0);
        assert_int_equal(q(f, "SELECT exploited_at FROM vulns WHERE name = 'CVE-2023-4863'"), t);
        _cleanup_free_ char *src = qs(f, "SELECT exploited_source FROM vulns WHERE name = 'CVE-2023-4863'");
        assert_string_equal(src, "cisa-kev");
        /* KEV queues: the findings engine raises the Art. 14 event */
        assert_int_equal(q(f, "SELECT count(*) FROM vuln_match_queue q JOIN vulns v ON v.id = q.vuln_id WHERE "
                              "v.name = 'CVE-2023-4863'"), 1);
        /* the NVD summary stays (KEV's name does not replace it) */
        _cleanup_free_ char *summary = qs(f, "SELECT summary FROM vulns WHERE name = 'CVE-2023-4863'");
        assert_true(str_startswith(summary, "Heap buffer overflow in libwebp"));
        /* re-import: nothing */
        raw_exec(f->t->db, "DELETE FROM vuln_match_queue");
        sum = import_fixture(f, "kev-trimmed.json");
        assert_int_equal(count(f, "kev", "unchanged", sum), 3);
        json_decref(sum);
        assert_int_equal(q(f, "SELECT count(*) FROM vuln_match_queue"), 0);
        /* list --exploited */
        json_t *out = NULL;
        assert_int_equal(vuln_list(f->s, NULL, true, 0, 0, &out, NULL), 0);
        assert_int_equal(json_array_size(json_object_get(out, "items")), 3);
        json_decref(out);
        assert_int_equal(vuln_list(f->s, "libwebp", false, 0, 0, &out, NULL), 0);
        assert_int_equal(json_array_size(json_object_get(out, "items")), 1);
        json_decref(out);
}

static void test_kev_faults(void **state) {
        struct fx *f = *state;
        char msg[ERROR_MSG_MAX];
        assert_int_equal(import_text_fails(f, "{\"title\": \"x\", \"cveID\": 1, \"vulnerabilities\": [{\"cveID\": "
                                              "\"CVE-2099-1\", \"dateAdded\": \"2099-01-01\"}]}", NULL, msg),
                         ERROR_INVALID);
        assert_non_null(strstr(msg, "catalogVersion"));
        json_t *sum = import_text(f, "{\"catalogVersion\": \"1\", \"vulnerabilities\": [{\"cveID\": \"CVE-2099-1\", "
                                     "\"dateAdded\": \"01/02/2099\"}, {\"cveID\": \"GHSA-x\", \"dateAdded\": "
                                     "\"2099-01-01\"}, {\"cveID\": \"CVE-2099-2\", \"dateAdded\": \"2099-01-01\", "
                                     "\"notes\": 5}]}");
        assert_int_equal(count(f, "kev", "skipped", sum), 3);
        json_decref(sum);
}

/* ---- EPSS ---- */

static void test_epss(void **state) {
        struct fx *f = *state;
        json_decref(import_fixture(f, "nvd-CVE-2024-3094.json"));
        json_t *sum = import_text(f, "#model_version:v2025.03.14,score_date:2025-08-25T00:00:00+0000\n"
                                     "cve,epss,percentile\nCVE-2024-3094,0.84193,0.99277\nCVE-1999-0001,0.01,0.5\n"
                                     "CVE-2024-3094x,1,1\nCVE-2024-0002,2.5,0.1\n");
        assert_string_equal(json_string_value(json_object_get(sum, "feed")), "epss");
        assert_int_equal(count(f, "epss", "added", sum), 1);
        assert_int_equal(count(f, "epss", "skipped", sum), 3);
        assert_non_null(strstr(notes_of(sum), "model_version:v2025.03.14"));
        json_decref(sum);
        _cleanup_free_ char *e = qs(f, "SELECT epss || '/' || epss_percentile FROM vulns");
        assert_string_equal(e, "0.84193/0.99277");
        /* EPSS never queues matching */
        raw_exec(f->t->db, "DELETE FROM vuln_match_queue");
        json_decref(import_text(f, "cve,epss,percentile\nCVE-2024-3094,0.9,0.99\n"));
        assert_int_equal(q(f, "SELECT count(*) FROM vuln_match_queue"), 0);
        char msg[ERROR_MSG_MAX];
        assert_int_equal(import_text_fails(f, "#model_version:v1\ncve,score\nCVE-1,0.1\n", NULL, msg), ERROR_INVALID);
        assert_non_null(strstr(msg, "header"));
}

/* ---- CSAF ---- */

static void test_csaf(void **state) {
        struct fx *f = *state;
        json_t *sum = import_fixture(f, "csaf-bsi-2022-0001.json");
        assert_string_equal(json_string_value(json_object_get(sum, "feed")), "csaf");
        assert_int_equal(count(f, "csaf", "added", sum), 1);
        json_decref(sum);
        assert_int_equal(q(f, "SELECT count(*) FROM vuln_records WHERE record_id = 'BSI-2022-0001#CVE-2022-27193'"), 1);
        assert_int_equal(q(f, "SELECT count(*) FROM vuln_affected WHERE kind = 'cpe' AND match_key = "
                              "'csaf-tools:cvrf-csaf-converter'"), 1);
        /* the five known_affected CPEs in one configuration; the fixed one is not in it */
        _cleanup_free_ char *data = qs(f, "SELECT data FROM vuln_affected");
        assert_non_null(strstr(data, "1.0.0-rc1"));
        assert_null(strstr(data, "1.0.0-rc2"));
        assert_int_equal(q(f, "SELECT cvss_score10 FROM vulns WHERE name = 'CVE-2022-27193'"), 61);
        /* Red Hat's: components without purl/cpe are said, not guessed */
        sum = import_fixture(f, "csaf-rhsa-2022_0011.json");
        assert_true(count(f, "csaf", "added", sum) >= 1);
        assert_non_null(strstr(notes_of(sum), "without a purl or cpe"));
        json_decref(sum);
        /* a purl product: versions for affected, a range for fixed-only */
        sum = import_text(f, "{\"document\": {\"csaf_version\": \"2.0\", \"category\": \"csaf_security_advisory\", "
                             "\"tracking\": {\"id\": \"ACME-1\", \"current_release_date\": \"2024-05-01T00:00:00Z\", "
                             "\"initial_release_date\": \"2024-05-01T00:00:00Z\", \"status\": \"final\"}}, "
                             "\"product_tree\": {\"branches\": [{\"category\": \"vendor\", \"name\": \"acme\", "
                             "\"branches\": [{\"category\": \"product_version\", \"name\": \"1.1\", \"product\": "
                             "{\"name\": \"fw 1.1\", \"product_id\": \"P1\", \"product_identification_helper\": "
                             "{\"purl\": \"pkg:generic/acme/fw@1.1\"}}}, {\"category\": \"product_version\", \"name\": "
                             "\"2.0\", \"product\": {\"name\": \"lib 2.0\", \"product_id\": \"P2\", "
                             "\"product_identification_helper\": {\"purl\": \"pkg:generic/acme/lib@2.0?arch=arm\"}}}]}]}, "
                             "\"vulnerabilities\": [{\"cve\": \"CVE-2099-7\", \"product_status\": {\"known_affected\": "
                             "[\"P1\"], \"fixed\": [\"P2\"]}}]}");
        assert_int_equal(count(f, "csaf", "added", sum), 1);
        json_decref(sum);
        _cleanup_free_ char *fw = qs(f, "SELECT data FROM vuln_affected WHERE match_key = 'generic/acme/fw'");
        assert_non_null(fw);
        assert_non_null(strstr(fw, "\"versions\":[\"1.1\"]"));
        _cleanup_free_ char *lib = qs(f, "SELECT data FROM vuln_affected WHERE match_key = 'generic/acme/lib'");
        assert_non_null(lib);
        assert_non_null(strstr(lib, "{\"fixed\":\"2.0\"}"));
        char msg[ERROR_MSG_MAX];
        assert_int_equal(import_text_fails(f, "{\"document\": {\"csaf_version\": \"2.1\", \"tracking\": {\"id\": \"x\", "
                                              "\"current_release_date\": \"2024-01-01T00:00:00Z\"}}}", NULL, msg),
                         ERROR_UNSUPPORTED);
        assert_int_equal(import_text_fails(f, "{\"document\": {\"csaf_version\": \"2.0\"}}", NULL, msg), ERROR_INVALID);
}

/* ---- EUVD ---- */

static void test_euvd(void **state) {
        struct fx *f = *state;
        json_decref(import_fixture(f, "nvd-CVE-2024-3094.json"));
        json_t *sum = import_text(f, "{\"items\": [{\"id\": \"EUVD-2024-0001\", \"enisaUuid\": \"u\", \"description\": "
                                     "\"xz backdoor\", \"datePublished\": \"Mar 29, 2024, 5:15:21 PM\", \"dateUpdated\": "
                                     "\"Apr 2, 2024, 12:00:00 AM\", \"baseScore\": 10, \"baseScoreVersion\": \"3.1\", "
                                     "\"baseScoreVector\": \"AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H\", \"references\": "
                                     "\"https://a.example/1\\nhttps://a.example/2\", \"aliases\": \"CVE-2024-3094\\n\", "
                                     "\"enisaIdProduct\": [{\"product\": {\"name\": \"xz\"}, \"product_version\": "
                                     "\"5.6.0 <5.6.2\"}]}, {\"id\": \"EUVD-2024-0002\", \"datePublished\": "
                                     "\"sometime\"}, {\"id\": \"NOPE\"}], \"total\": 3}");
        assert_string_equal(json_string_value(json_object_get(sum, "feed")), "euvd");
        assert_int_equal(count(f, "euvd", "added", sum), 1);
        assert_int_equal(count(f, "euvd", "skipped", sum), 2);
        assert_non_null(strstr(notes_of(sum), "free text"));
        json_decref(sum);
        /* merged under the CVE; the NVD summary wins; no affected rows from EUVD */
        assert_int_equal(q(f, "SELECT count(*) FROM vulns"), 1);
        assert_int_equal(q(f, "SELECT count(*) FROM vuln_aliases WHERE alias = 'EUVD-2024-0001'"), 1);
        assert_int_equal(q(f, "SELECT count(*) FROM vuln_affected a JOIN vuln_records r ON r.id = a.record_id "
                              "WHERE r.source = 'euvd'"), 0);
        _cleanup_free_ char *mod = qs(f, "SELECT modified FROM vuln_records WHERE source = 'euvd'");
        assert_string_equal(mod, "2024-04-02T00:00:00Z");
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_cvss_spec_examples),
                cmocka_unit_test(test_cvss_refuses_bad_vectors),
                cmocka_unit_test(test_split_good),
                cmocka_unit_test(test_split_faults),
                cmocka_unit_test_setup_teardown(test_nvd_real_xz, setup, teardown),
                cmocka_unit_test_setup_teardown(test_nvd_reimport_writes_nothing, setup, teardown),
                cmocka_unit_test_setup_teardown(test_nvd_modified_delta_replaces, setup, teardown),
                cmocka_unit_test_setup_teardown(test_nvd_running_on_gets_no_key, setup, teardown),
                cmocka_unit_test_setup_teardown(test_nvd_faults, setup, teardown),
                cmocka_unit_test_setup_teardown(test_nvd_chunks_and_partial_failure, setup, teardown),
                cmocka_unit_test_setup_teardown(test_osv_real_records, setup, teardown),
                cmocka_unit_test_setup_teardown(test_osv_withdrawn, setup, teardown),
                cmocka_unit_test_setup_teardown(test_alias_merge_keeps_findings, setup, teardown),
                cmocka_unit_test_setup_teardown(test_osv_faults, setup, teardown),
                cmocka_unit_test_setup_teardown(test_kev_marks_exploited, setup, teardown),
                cmocka_unit_test_setup_teardown(test_kev_faults, setup, teardown),
                cmocka_unit_test_setup_teardown(test_epss, setup, teardown),
                cmocka_unit_test_setup_teardown(test_csaf, setup, teardown),
                cmocka_unit_test_setup_teardown(test_euvd, setup, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

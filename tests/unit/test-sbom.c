/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The SBOM parsers (src/sbom): the real documents of tests/data/sbom
 * (Buildroot, syft, Yocto SPDX 2.2 and 3.0.1, the SPDX 2.3 tag-value
 * example) read into the normalised model with a sensible quality report,
 * and one refusal per way each format can be wrong, naming the file, the
 * place and the fault. XXE and entity expansion in XML are refused.
 */
#include <archive.h>
#include <archive_entry.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/cleanup.h"
#include "core/fileio.h"
#include "core/strutil.h"
#include "sbom/ingest.h"
#include "sbom/sbom.h"

static struct sbom_doc *load(const char *name) {
        const char *root = getenv("CRADLE_SOURCE_ROOT");
        if (!root)
                fail_msg("CRADLE_SOURCE_ROOT is not set");
        _cleanup_free_ char *path = str_printf("%s/tests/data/sbom/%s", root, name);
        struct sbom_doc *d = NULL;
        struct error err = { 0 };
        if (sbom_parse_file(name, path, NULL, &d, &err) < 0)
                fail_msg("%s: %s", name, err.msg);
        return d;
}

static const struct sbom_component *find(const struct sbom_doc *d, const char *name) {
        for (size_t i = 0; i < d->n_components; i++)
                if (strcmp(d->components[i].name, name) == 0)
                        return &d->components[i];
        fail_msg("no component %s", name);
        return NULL;
}

/* The count of the quality action for `check` (0 = no action). */
static json_int_t action(json_t *q, const char *check) {
        size_t i;
        json_t *a;
        json_array_foreach(json_object_get(q, "actions"), i, a) {
                if (str_eq(json_string_value(json_object_get(a, "check")), check))
                        return json_integer_value(json_object_get(a, "count"));
        }
        return 0;
}

static json_t *quality(const struct sbom_doc *d, int *score) {
        return sbom_quality(d, sbom_ident_valid, NULL, score);
}

/* ---- real documents ---- */

static void test_buildroot_cyclonedx(void **state) {
        (void) state;
        struct sbom_doc *d = load("buildroot.cdx.json");
        assert_int_equal(d->format, SBOM_FORMAT_CYCLONEDX_JSON);
        assert_string_equal(d->spec_version, "1.6");
        assert_string_equal(d->tool, "Buildroot generate-cyclonedx 2026.08-rc1");
        assert_int_equal(d->n_components, 7);
        const struct sbom_component *bb = find(d, "busybox");
        assert_string_equal(bb->version, "1.38.0");
        assert_int_equal(bb->purls.n, 0); /* Buildroot writes only a CPE */
        assert_string_equal(bb->cpes.v[0], "cpe:2.3:a:busybox:busybox:1.38.0:*:*:*:*:*:*:*");
        assert_string_equal(bb->licenses, "GPL-2.0 AND bzip2-1.0.6");
        /* pedigree.patches: the CVE a patch header names is what it resolves */
        assert_int_equal(json_array_size(bb->patches), 3);
        _cleanup_free_ char *p = json_dumps(bb->patches, JSON_COMPACT);
        assert_non_null(strstr(p, "\"CVE-2023-42366\""));
        assert_true(bb->top_level);
        assert_false(find(d, "libzlib")->top_level); /* libopenssl and dropbear depend on it */
        assert_true(find(d, "host-pkgconf")->build_only); /* BR_TYPE host */
        assert_int_equal(d->dangling_refs, 0);
        int score;
        _cleanup_json_ json_t *q = quality(d, &score);
        assert_int_equal(action(q, "supplier"), 7);      /* Buildroot names no supplier */
        assert_int_equal(action(q, "hash-sha512"), 5);   /* the 5 deployed ones; host tools are not */
        assert_int_equal(json_integer_value(json_object_get(q, "matchable")), 4); /* the four with a CPE */
        assert_true(score > 40 && score < 70);
        sbom_doc_free(d);
}

static void test_syft_spdx23(void **state) {
        (void) state;
        struct sbom_doc *d = load("syft-image.spdx.json");
        assert_int_equal(d->format, SBOM_FORMAT_SPDX2_JSON);
        assert_string_equal(d->spec_version, "2.3");
        assert_int_equal(d->n_components, 3);
        const struct sbom_component *p2 = find(d, "package-2");
        assert_string_equal(p2->purls.v[0], "pkg:deb/debian/package-2@2.0.1");
        assert_true(p2->top_level); /* the image CONTAINS it */
        assert_true(find(d, "user-image-input")->top_level); /* the described root */
        assert_string_equal(find(d, "package-1")->licenses, "MIT"); /* declared, concluded is NOASSERTION */
        assert_string_equal(json_string_value(json_object_get(find(d, "user-image-input")->hashes, "sha256")),
                            "2731251dc34951c0e50fcc643b4c5f74922dad1a5d98f302b504cf46cd5d9368");
        int score;
        _cleanup_json_ json_t *q = quality(d, &score);
        assert_int_equal(action(q, "supplier"), 3); /* NOASSERTION everywhere */
        assert_int_equal(action(q, "license"), 2);
        assert_int_equal(action(q, "dependencies"), 0);
        sbom_doc_free(d);
}

static void test_syft_cyclonedx_xml(void **state) {
        (void) state;
        struct sbom_doc *d = load("syft-elixir.cdx.xml");
        assert_int_equal(d->format, SBOM_FORMAT_CYCLONEDX_XML);
        assert_string_equal(d->spec_version, "1.4");
        assert_string_equal(d->tool, "syft 0.60.3");
        assert_string_equal(d->name, "elixir otp-25");
        assert_int_equal(d->n_components, 20);
        const struct sbom_component *apt = find(d, "apt");
        assert_string_equal(apt->version, "2.2.4");
        assert_string_equal(apt->supplier, "APT Development Team <deity@lists.debian.org>"); /* the publisher */
        assert_true(str_startswith(apt->purls.v[0], "pkg:deb/debian/apt@2.2.4"));
        int score;
        _cleanup_json_ json_t *q = quality(d, &score);
        assert_int_equal(json_integer_value(json_object_get(q, "matchable")), 20);
        assert_int_equal(action(q, "hash-sha512"), 20);
        assert_int_equal(action(q, "dependencies"), 20); /* syft 0.60 wrote no graph */
        sbom_doc_free(d);
}

static void test_spdx23_tag_value(void **state) {
        (void) state;
        struct sbom_doc *d = load("spdx-spec-example-v2.3.spdx");
        assert_int_equal(d->format, SBOM_FORMAT_SPDX2_TAG_VALUE);
        assert_string_equal(d->spec_version, "2.3");
        assert_string_equal(d->tool, "LicenseFind-1.0");
        assert_int_equal(d->n_components, 4); /* packages only: files and the snippet are not components */
        const struct sbom_component *g = find(d, "glibc");
        assert_string_equal(g->supplier, "Jane Doe");
        assert_string_equal(g->licenses, "(LGPL-2.0-only OR LicenseRef-3)");
        assert_true(g->build_only); /* PrimaryPackagePurpose: SOURCE */
        assert_non_null(json_object_get(g->hashes, "blake2b-384"));
        assert_string_equal(find(d, "Jena")->purls.v[0], "pkg:maven/org.apache.jena/apache-jena@3.12.0");
        assert_int_equal(d->n_edges, 1); /* glibc DYNAMIC_LINK Saxon; CONTAINS a file is skipped */
        assert_int_equal(d->dangling_refs, 0);
        sbom_doc_free(d);
}

static void test_yocto_spdx22(void **state) {
        (void) state;
        static const char *const files[] = { "yocto-recipe-shadow.spdx.json", "yocto-shadow.spdx.tar.zst" };
        for (size_t k = 0; k < 2; k++) {
                struct sbom_doc *d = load(files[k]);
                assert_int_equal(d->format, k ? SBOM_FORMAT_YOCTO_SPDX2_ARCHIVE : SBOM_FORMAT_SPDX2_JSON);
                assert_string_equal(sbom_format_name(d->format), "spdx2-json");
                assert_string_equal(d->spec_version, "2.2");
                assert_string_equal(d->tool, "OpenEmbedded Core create-spdx.bbclass");
                assert_int_equal(d->n_components, 2);
                const struct sbom_component *s = find(d, "shadow");
                assert_string_equal(s->version, "4.14.2");
                assert_string_equal(s->supplier, "OpenEmbedded");
                /* Yocto's CPE has a '*' vendor: valid, but no matcher may use it */
                assert_string_equal(s->cpes.v[0], "cpe:2.3:*:*:shadow:4.14.2:*:*:*:*:*:*:*");
                assert_false(sbom_ident_valid("cpe", s->cpes.v[0], NULL));
                assert_true(find(d, "shadow-source-1")->build_only);
                /* the build dependencies live in other documents */
                assert_int_equal(d->dangling_refs, 12);
                int score;
                _cleanup_json_ json_t *q = quality(d, &score);
                assert_int_equal(action(q, "matchable"), 2);
                assert_int_equal(action(q, "dependencies"), 12);
                if (k) {
                        assert_int_equal(d->members, 1);
                        assert_true(str_startswith(s->ref, "http://spdx.org/spdxdocs/recipe-shadow-"));
                }
                sbom_doc_free(d);
        }
}

static void test_yocto_spdx3(void **state) {
        (void) state;
        struct sbom_doc *d = load("yocto-shadow.spdx3.json");
        assert_int_equal(d->format, SBOM_FORMAT_SPDX3_JSONLD);
        assert_string_equal(d->spec_version, "3.0.1");
        assert_string_equal(d->tool, "oe-spdx-creator 1.0");
        assert_string_equal(d->name, "shadow");
        /* one software_Package; the extension objects, build_Build, licence
         * expressions and the vulnerability are skipped */
        assert_int_equal(d->n_components, 1);
        const struct sbom_component *c = &d->components[0];
        assert_string_equal(c->name, "shadow-4.14.2.tar.gz");
        assert_string_equal(c->type, "source");
        assert_string_equal(c->licenses, "BSD-3-Clause"); /* hasConcludedLicense */
        assert_string_equal(json_string_value(json_object_get(c->hashes, "sha256")),
                            "a305edf5d19bddbdf5e836d2d609fa8bff2d35458819de4d9f06306a1cf24342");
        int score;
        _cleanup_json_ json_t *q = quality(d, &score);
        assert_int_equal(action(q, "version"), 1);
        assert_int_equal(action(q, "matchable"), 1);
        sbom_doc_free(d);
}

/* ---- refusals ---- */

static void refused(const char *text, const char *media_type, enum error_kind kind, const char *msg) {
        struct sbom_doc *d = NULL;
        struct error err = { 0 };
        if (sbom_parse("t.json", (const uint8_t *) text, strlen(text), media_type, &d, &err) == 0) {
                sbom_doc_free(d);
                fail_msg("accepted: %s", text);
        }
        assert_null(d);
        if (!strstr(err.msg, msg))
                fail_msg("error \"%s\" does not contain \"%s\"", err.msg, msg);
        assert_true(str_startswith(err.msg, "t.json: "));
        assert_int_equal(err.kind, kind);
}

#define CDX "{\"bomFormat\": \"CycloneDX\", \"specVersion\": \"1.6\", "

static void test_cyclonedx_json_refusals(void **state) {
        (void) state;
        refused("{\"bomFormat\": \"CycloneDX\", \"specVersion\": \"1.6\",", NULL, ERROR_INVALID, "line 1");
        refused("{\"bomFormat\": \"SPDX\", \"specVersion\": \"1.6\"}", "application/vnd.cyclonedx+json", ERROR_INVALID,
                "/bomFormat: expected \"CycloneDX\"");
        refused("{\"bomFormat\": \"CycloneDX\", \"specVersion\": \"1.3\"}", NULL, ERROR_INVALID,
                "/specVersion: CycloneDX 1.3 is not supported");
        refused(CDX "\"components\": [{\"type\": \"library\", \"name\": \"a\"}, {\"type\": \"library\"}]}", NULL,
                ERROR_INVALID, "/components/1/name: required");
        refused(CDX "\"components\": [{\"type\": \"library\", \"name\": \"a\", \"version\": 2}]}", NULL, ERROR_INVALID,
                "/components/0/version: expected a string");
        refused(CDX "\"components\": {}}", NULL, ERROR_INVALID, "/components: expected an array");
        refused(CDX "\"components\": [{\"name\": \"a\", \"bom-ref\": \"x\"}, {\"name\": \"b\", \"bom-ref\": \"x\"}]}",
                NULL, ERROR_INVALID, "the reference 'x' names two components (a and b)");
        refused(CDX "\"components\": [{\"name\": \"a\", \"hashes\": [{\"alg\": \"SHA-256\"}]}]}", NULL, ERROR_INVALID,
                "/components/0/hashes/0: a hash needs alg and content");
        refused(CDX "\"components\": [{\"name\": \"a\", \"licenses\": [\"MIT\"]}]}", NULL, ERROR_INVALID,
                "/components/0/licenses/0: expected an object");
        refused(CDX "\"components\": [{\"name\": \"a\\u0001\"}]}", NULL, ERROR_INVALID, "control character");
        refused(CDX "\"dependencies\": [{\"ref\": \"a\", \"dependsOn\": [\"b\", 3]}]}", NULL, ERROR_INVALID,
                "/dependencies/0/dependsOn/1: expected a string");
        refused(CDX "\"dependencies\": [{\"dependsOn\": []}]}", NULL, ERROR_INVALID, "/dependencies/0/ref: required");
        refused(CDX "\"metadata\": []}", NULL, ERROR_INVALID, "/metadata: expected an object");
        /* nesting: components inside components beyond the depth limit */
        struct buf b = { 0 };
        buf_appendf(&b, CDX "\"components\": ");
        for (int i = 0; i < 40; i++)
                buf_appendf(&b, "[{\"name\": \"n%d\", \"components\": ", i);
        buf_appendf(&b, "[]");
        for (int i = 0; i < 40; i++)
                buf_appendf(&b, "}]");
        buf_appendf(&b, "}");
        _cleanup_free_ char *deep = buf_steal(&b);
        refused(deep, NULL, ERROR_INVALID, "nested deeper than 64 levels");
}

static void test_size_limit(void **state) {
        (void) state;
        struct sbom_doc *d = NULL;
        struct error err = { 0 };
        static const uint8_t one = '{';
        assert_int_equal(sbom_parse("big.json", &one, (size_t) SBOM_MAX_BYTES + 1, NULL, &d, &err), -1);
        assert_int_equal(err.kind, ERROR_TOO_LARGE);
        assert_int_equal(sbom_parse("empty.json", &one, 0, NULL, &d, &err), -1);
        assert_non_null(strstr(err.msg, "empty"));
}

static void test_too_many_components(void **state) {
        (void) state;
        struct buf b = { 0 };
        buf_appendf(&b, CDX "\"components\": [");
        for (int i = 0; i <= SBOM_MAX_COMPONENTS; i++)
                buf_appendf(&b, "%s{\"name\":\"c%d\"}", i ? "," : "", i);
        buf_appendf(&b, "]}");
        _cleanup_free_ char *text = buf_steal(&b);
        refused(text, NULL, ERROR_TOO_LARGE, "more than 100000 components");
}

#define XML_HEAD "<?xml version=\"1.0\"?>\n"
#define BOM16 "<bom xmlns=\"http://cyclonedx.org/schema/bom/1.6\" version=\"1\">\n"

static void test_cyclonedx_xml_refusals(void **state) {
        (void) state;
        /* XXE: an external entity that would read a local file */
        refused(XML_HEAD "<!DOCTYPE bom [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>\n" BOM16
                         "<components><component type=\"library\"><name>&xxe;</name></component></components></bom>",
                NULL, ERROR_INVALID, "DOCTYPE or ENTITY declaration");
        /* billion laughs: nested internal entities */
        refused(XML_HEAD "<!DOCTYPE lolz [<!ENTITY lol \"lol\"><!ENTITY lol2 \"&lol;&lol;&lol;&lol;&lol;&lol;\">"
                         "<!ENTITY lol3 \"&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;\">]>\n" BOM16
                         "<components><component type=\"library\"><name>&lol3;</name></component></components></bom>",
                NULL, ERROR_INVALID, "DOCTYPE or ENTITY declaration");
        /* the same in UTF-16 would dodge a byte scan: refused for its NULs */
        static const char utf16[] = "<\0b\0o\0m\0";
        struct sbom_doc *d = sbom_doc_new(SBOM_FORMAT_CYCLONEDX_XML);
        struct error err = { 0 };
        assert_int_equal(sbom_parse_cyclonedx_xml("t.xml", (const uint8_t *) utf16, sizeof(utf16) - 1, d, &err), -1);
        assert_non_null(strstr(err.msg, "NUL bytes"));
        sbom_doc_free(d);
        refused(XML_HEAD BOM16 "<components><component type=\"library\"><name>a</name></component>\n</bom>", NULL,
                ERROR_INVALID, "line 4: not well-formed XML");
        refused(XML_HEAD "<bom xmlns=\"http://cyclonedx.org/schema/bom/1.3\"><components/></bom>", NULL, ERROR_INVALID,
                "CycloneDX 1.3 is not supported");
        refused(XML_HEAD "<bomx xmlns=\"http://cyclonedx.org/schema/bom/1.6\"/>", NULL, ERROR_INVALID,
                "the root element must be <bom");
        refused(XML_HEAD BOM16 "<components>\n<component type=\"library\"><version>1</version></component>\n"
                               "</components></bom>",
                NULL, ERROR_INVALID, "component (line 4): <name> is required");
        refused(XML_HEAD BOM16 "<dependencies>\n<dependency><dependency ref=\"a\"/></dependency>\n</dependencies></bom>",
                NULL, ERROR_INVALID, "dependency (line 4): the ref attribute is required");
        refused(XML_HEAD BOM16 "<components><component type=\"library\"><name>a</name><hashes>\n<hash>00</hash>"
                               "</hashes></component></components></bom>",
                NULL, ERROR_INVALID, "hash (line 4): needs alg and content");
        refused(XML_HEAD "<svg xmlns=\"http://www.w3.org/2000/svg\"/>", NULL, ERROR_UNSUPPORTED,
                "not a CycloneDX BOM");
}

static void test_cyclonedx_xml_minimal(void **state) {
        (void) state;
        static const char x[] = XML_HEAD BOM16
                "<metadata><component bom-ref=\"root\" type=\"firmware\"><name>fw</name><version>2</version>"
                "</component></metadata>\n"
                "<components><component type=\"library\" bom-ref=\"z\"><name>zlib</name><version>1.3.1</version>"
                "<hashes><hash alg=\"SHA-512\">AB</hash></hashes><licenses><license><id>Zlib</id></license>"
                "</licenses><cpe>cpe:2.3:a:zlib:zlib:1.3.1:*:*:*:*:*:*:*</cpe>"
                "<pedigree><patches><patch type=\"backport\"><diff><url>https://x/p.patch</url></diff><resolves>"
                "<issue type=\"security\"><id>CVE-2023-45853</id></issue></resolves></patch></patches></pedigree>"
                "</component></components>\n"
                "<dependencies><dependency ref=\"root\"><dependency ref=\"z\"/></dependency></dependencies></bom>";
        struct sbom_doc *d = NULL;
        struct error err = { 0 };
        if (sbom_parse("m.xml", (const uint8_t *) x, strlen(x), NULL, &d, &err) < 0)
                fail_msg("%s", err.msg);
        assert_int_equal(d->n_components, 1);
        const struct sbom_component *z = &d->components[0];
        assert_true(z->top_level);
        assert_string_equal(json_string_value(json_object_get(z->hashes, "sha512")), "ab");
        assert_string_equal(z->licenses, "Zlib");
        _cleanup_free_ char *p = json_dumps(z->patches, JSON_COMPACT);
        assert_string_equal(p, "[{\"type\":\"backport\",\"resolves\":[\"CVE-2023-45853\"],\"url\":\"https://x/p.patch\"}]");
        sbom_doc_free(d);
}

#define S2 "{\"spdxVersion\": \"SPDX-2.3\", \"SPDXID\": \"SPDXRef-DOCUMENT\", "

static void test_spdx2_json_refusals(void **state) {
        (void) state;
        refused("{\"spdxVersion\": \"SPDX-2.1\"}", NULL, ERROR_INVALID, "/spdxVersion: SPDX-2.1 is not supported");
        refused(S2 "\"packages\": [{\"name\": \"a\"}]}", NULL, ERROR_INVALID, "/packages/0/SPDXID: required");
        refused(S2 "\"packages\": [{\"SPDXID\": \"SPDXRef-a\"}]}", NULL, ERROR_INVALID, "/packages/0/name: required");
        refused(S2 "\"packages\": [{\"SPDXID\": \"SPDXRef-a\", \"name\": \"a\", \"externalRefs\": {}}]}", NULL,
                ERROR_INVALID, "/packages/0/externalRefs: expected an array");
        refused(S2 "\"packages\": [{\"SPDXID\": \"SPDXRef-a\", \"name\": \"a\", \"versionInfo\": 1}]}", NULL,
                ERROR_INVALID, "/packages/0/versionInfo: expected a string");
        refused(S2 "\"relationships\": [{\"spdxElementId\": \"SPDXRef-a\"}]}", NULL, ERROR_INVALID,
                "/relationships/0: a relationship needs");
        refused(S2 "\"documentDescribes\": [1]}", NULL, ERROR_INVALID, "/documentDescribes/0: expected a string");
        struct sbom_doc *d = sbom_doc_new(SBOM_FORMAT_SPDX2_JSON);
        struct error err = { 0 };
        assert_int_equal(sbom_parse_spdx2_json("t.json", (const uint8_t *) "{}", 2, d, &err), -1);
        assert_non_null(strstr(err.msg, "/spdxVersion: required"));
        sbom_doc_free(d);
}

#define TV "SPDXVersion: SPDX-2.3\nSPDXID: SPDXRef-DOCUMENT\n"

static void test_spdx2_tag_value_refusals(void **state) {
        (void) state;
        refused(TV "PackageName: a\nthis line has no tag\n", NULL, ERROR_INVALID, "line 4: expected 'Tag: value'");
        refused(TV "PackageName: a\nSPDXID: SPDXRef-a\nPackageComment: <text>never closed\n", NULL, ERROR_INVALID,
                "line 5: a <text> value is never closed");
        refused(TV "Relationship: SPDXRef-a DEPENDS_ON\n", NULL, ERROR_INVALID,
                "line 3: Relationship: expected 'ELEMENT TYPE ELEMENT'");
        refused(TV "PackageName: a\nPackageVersion: 1\nPackageName: b\nSPDXID: SPDXRef-b\n", NULL, ERROR_INVALID,
                "line 3: no SPDXID for the package 'a'");
        refused(TV "PackageName: a\nSPDXID: SPDXRef-a\nPackageChecksum: deadbeef\n", NULL, ERROR_INVALID,
                "line 5: PackageChecksum: expected 'ALGORITHM: HEX'");
        refused(TV "PackageName: a\nSPDXID: SPDXRef-a\nExternalRef: SECURITY cpe23Type\n", NULL, ERROR_INVALID,
                "line 5: ExternalRef: expected 'CATEGORY TYPE LOCATOR'");
        refused(TV "PackageName: caf\xc3(\nSPDXID: SPDXRef-a\n", NULL, ERROR_INVALID, "line 3: not valid UTF-8");
        refused("SPDXVersion: SPDX-2.1\n", NULL, ERROR_INVALID, "/spdxVersion: SPDX-2.1 is not supported");
        struct sbom_doc *d = sbom_doc_new(SBOM_FORMAT_SPDX2_TAG_VALUE);
        struct error err = { 0 };
        static const char nover[] = "DocumentName: x\n";
        assert_int_equal(sbom_parse_spdx2_tag_value("t.spdx", (const uint8_t *) nover, strlen(nover), d, &err), -1);
        assert_non_null(strstr(err.msg, "no SPDXVersion line"));
        sbom_doc_free(d);
}

#define S3 "{\"@context\": \"https://spdx.org/rdf/3.0.1/spdx-context.jsonld\", "
#define CI "{\"type\": \"CreationInfo\", \"@id\": \"_:c\", \"specVersion\": \"3.0.1\", \"created\": \"2024-01-01T00:00:00Z\"}"

static void test_spdx3_refusals(void **state) {
        (void) state;
        refused(S3 "\"graph\": []}", NULL, ERROR_INVALID, "/@graph: required");
        refused("{\"@context\": \"https://example.com/other\", \"@graph\": []}", NULL, ERROR_INVALID,
                "/@context: expected the SPDX 3 context");
        refused(S3 "\"@graph\": [" CI ", {\"spdxId\": \"x\"}]}", NULL, ERROR_INVALID, "/@graph/1/type: required");
        refused(S3 "\"@graph\": [" CI ", {\"type\": \"software_Package\", \"spdxId\": \"p\"}]}", NULL, ERROR_INVALID,
                "/@graph/1/name: required");
        refused(S3 "\"@graph\": [{\"type\": \"software_Package\", \"spdxId\": \"p\", \"name\": \"a\"}]}", NULL,
                ERROR_INVALID, "no CreationInfo");
        refused(S3 "\"@graph\": [{\"type\": \"CreationInfo\", \"@id\": \"_:c\", \"specVersion\": \"2.3\"}]}", NULL,
                ERROR_INVALID, "/@graph/0/specVersion: SPDX 3.0.x is supported");
        refused(S3 "\"@graph\": [" CI ", {\"type\": \"software_Package\", \"spdxId\": \"p\", \"name\": \"a\", "
                   "\"externalIdentifier\": {}}]}",
                NULL, ERROR_INVALID, "/@graph/1/externalIdentifier: expected an array");
        refused(S3 "\"@graph\": [" CI ", {\"type\": \"Relationship\", \"from\": \"p\", \"relationshipType\": "
                   "\"contains\"}]}",
                NULL, ERROR_INVALID, "/@graph/1: a Relationship needs");
}

/* Extension objects and unknown element types are skipped; cpe23 and
 * packageUrl identifiers, suppliedBy, verifiedUsing and dependsOn are read. */
static void test_spdx3_yocto_shapes(void **state) {
        (void) state;
        static const char x[] =
                S3 "\"@graph\": [" CI ","
                   "{\"type\": \"Organization\", \"spdxId\": \"org\", \"name\": \"OpenEmbedded\"},"
                   "{\"type\": \"https://rdf.openembedded.org/spdx/3.0/id-alias\", \"spdxId\": \"ext\"},"
                   "{\"type\": \"SpdxDocument\", \"spdxId\": \"doc\", \"name\": \"core-image\", \"rootElement\": "
                   "[\"sbom\"]},"
                   "{\"type\": \"software_Sbom\", \"spdxId\": \"sbom\", \"rootElement\": [\"img\"]},"
                   "{\"type\": \"software_Package\", \"spdxId\": \"img\", \"name\": \"core-image\", "
                   "\"extension\": [{\"type\": \"https://rdf.openembedded.org/spdx/3.0/link-extension\"}]},"
                   "{\"type\": \"software_Package\", \"spdxId\": \"z\", \"name\": \"zlib\", "
                   "\"software_packageVersion\": \"1.3.1\", \"suppliedBy\": \"org\", "
                   "\"externalIdentifier\": [{\"type\": \"ExternalIdentifier\", \"externalIdentifierType\": "
                   "\"cpe23\", \"identifier\": \"cpe:2.3:a:zlib:zlib:1.3.1:*:*:*:*:*:*:*\"}, {\"type\": "
                   "\"ExternalIdentifier\", \"externalIdentifierType\": \"packageUrl\", \"identifier\": "
                   "\"pkg:generic/zlib@1.3.1\"}], \"verifiedUsing\": [{\"type\": \"Hash\", \"algorithm\": "
                   "\"sha512\", \"hashValue\": \"AA\"}]},"
                   "{\"type\": \"LifecycleScopedRelationship\", \"spdxId\": \"r\", \"from\": \"img\", "
                   "\"relationshipType\": \"contains\", \"to\": [\"z\"]},"
                   "{\"type\": \"Relationship\", \"spdxId\": \"r2\", \"from\": \"z\", "
                   "\"relationshipType\": \"dependsOn\", \"to\": [\"nowhere\"]},"
                   "{\"type\": \"security_Vulnerability\", \"spdxId\": \"v\"}]}";
        struct sbom_doc *d = NULL;
        struct error err = { 0 };
        if (sbom_parse("y.json", (const uint8_t *) x, strlen(x), "application/spdx+json", &d, &err) < 0)
                fail_msg("%s", err.msg);
        assert_int_equal(d->format, SBOM_FORMAT_SPDX3_JSONLD);
        assert_string_equal(d->name, "core-image");
        assert_int_equal(d->n_components, 2);
        const struct sbom_component *z = find(d, "zlib");
        assert_string_equal(z->supplier, "OpenEmbedded");
        assert_int_equal(z->cpes.n, 1);
        assert_string_equal(z->purls.v[0], "pkg:generic/zlib@1.3.1");
        assert_true(z->top_level);               /* the image contains it */
        assert_true(find(d, "core-image")->top_level); /* the root */
        assert_int_equal(d->dangling_refs, 1);
        sbom_doc_free(d);
}

/* A .tar.zst built in memory with libarchive. */
static void *make_archive(const char *const *names, const char *const *texts, size_t n, bool zstd, size_t *len) {
        struct archive *a = archive_write_new();
        archive_write_set_format_pax_restricted(a);
        if (zstd)
                archive_write_add_filter_zstd(a);
        size_t cap = 1 << 20;
        void *buf = xmalloc(cap);
        assert_int_equal(archive_write_open_memory(a, buf, cap, len), ARCHIVE_OK);
        for (size_t i = 0; i < n; i++) {
                struct archive_entry *e = archive_entry_new();
                archive_entry_set_pathname(e, names[i]);
                archive_entry_set_size(e, (la_int64_t) strlen(texts[i]));
                archive_entry_set_filetype(e, AE_IFREG);
                archive_entry_set_perm(e, 0644);
                archive_write_header(a, e);
                archive_write_data(a, texts[i], strlen(texts[i]));
                archive_entry_free(e);
        }
        archive_write_close(a);
        archive_write_free(a);
        return buf;
}

static void test_yocto_archive_merge_and_refusals(void **state) {
        (void) state;
        /* An image document refers to a recipe document: one merged set, the
         * image (referred to by none) is the root, the cross-document edge
         * resolves. */
        static const char *const names[] = { "core-image.spdx.json", "recipe-zlib.spdx.json", "index.json" };
        static const char *const texts[] = {
                "{\"spdxVersion\": \"SPDX-2.2\", \"SPDXID\": \"SPDXRef-DOCUMENT\", \"name\": \"core-image\", "
                "\"documentNamespace\": \"http://spdx.org/spdxdocs/core-image-1\", \"externalDocumentRefs\": "
                "[{\"externalDocumentId\": \"DocumentRef-zlib\", \"spdxDocument\": "
                "\"http://spdx.org/spdxdocs/recipe-zlib-1\"}], \"packages\": [{\"SPDXID\": \"SPDXRef-Image\", "
                "\"name\": \"core-image\"}], \"relationships\": [{\"spdxElementId\": \"SPDXRef-DOCUMENT\", "
                "\"relationshipType\": \"DESCRIBES\", \"relatedSpdxElement\": \"SPDXRef-Image\"}, "
                "{\"spdxElementId\": \"SPDXRef-Image\", \"relationshipType\": \"CONTAINS\", \"relatedSpdxElement\": "
                "\"DocumentRef-zlib:SPDXRef-Recipe-zlib\"}]}",
                "{\"spdxVersion\": \"SPDX-2.2\", \"SPDXID\": \"SPDXRef-DOCUMENT\", \"name\": \"recipe-zlib\", "
                "\"documentNamespace\": \"http://spdx.org/spdxdocs/recipe-zlib-1\", \"packages\": [{\"SPDXID\": "
                "\"SPDXRef-Recipe-zlib\", \"name\": \"zlib\", \"versionInfo\": \"1.3.1\"}], \"relationships\": "
                "[{\"spdxElementId\": \"SPDXRef-DOCUMENT\", \"relationshipType\": \"DESCRIBES\", "
                "\"relatedSpdxElement\": \"SPDXRef-Recipe-zlib\"}]}",
                "{\"not\": \"an spdx document; skipped by name\"}",
        };
        size_t len;
        _cleanup_free_ void *tz = make_archive(names, texts, 3, true, &len);
        struct sbom_doc *d = NULL;
        struct error err = { 0 };
        if (sbom_parse("image.spdx.tar.zst", tz, len, NULL, &d, &err) < 0)
                fail_msg("%s", err.msg);
        assert_int_equal(d->members, 2);
        assert_int_equal(d->n_components, 2);
        assert_int_equal(d->n_edges, 1);
        assert_int_equal(d->dangling_refs, 0);
        assert_true(find(d, "zlib")->top_level);
        sbom_doc_free(d);
        /* a bad member is named */
        static const char *const bad_names[] = { "recipe-bad.spdx.json" };
        static const char *const bad_texts[] = { "{\"spdxVersion\": \"SPDX-2.2\", \"packages\": [{}]}" };
        _cleanup_free_ void *tb = make_archive(bad_names, bad_texts, 1, true, &len);
        assert_int_equal(sbom_parse("image.spdx.tar.zst", tb, len, NULL, &d, &err), -1);
        assert_non_null(strstr(err.msg, "image.spdx.tar.zst: recipe-bad.spdx.json: /documentNamespace: required"));
        /* no SPDX document in it */
        static const char *const none_names[] = { "README" };
        static const char *const none_texts[] = { "hello" };
        _cleanup_free_ void *tn = make_archive(none_names, none_texts, 1, false, &len);
        assert_int_equal(sbom_parse("x.tar", tn, len, NULL, &d, &err), -1);
        assert_non_null(strstr(err.msg, "x.tar: the archive holds no *.spdx.json document"));
        /* zstd magic, then garbage */
        static const uint8_t junk[] = { 0x28, 0xb5, 0x2f, 0xfd, 1, 2, 3, 4, 5, 6, 7, 8 };
        assert_int_equal(sbom_parse("junk.tar.zst", junk, sizeof(junk), NULL, &d, &err), -1);
        assert_int_equal(err.kind, ERROR_INVALID);
        assert_true(str_startswith(err.msg, "junk.tar.zst: "));
}

static void test_detect(void **state) {
        (void) state;
        refused("hello world", NULL, ERROR_UNSUPPORTED, "not a recognised SBOM");
        refused("{\"name\": \"x\"}", NULL, ERROR_UNSUPPORTED, "neither CycloneDX");
        /* the media type decides: a JSON body sent as CycloneDX XML is read as XML */
        refused(CDX "\"components\": []}", "application/vnd.cyclonedx+xml; charset=utf-8", ERROR_INVALID,
                "not well-formed XML");
        enum sbom_format f;
        struct error err = { 0 };
        static const char s3[] = S3 "\"@graph\": []}";
        assert_int_equal(sbom_detect("x", (const uint8_t *) s3, strlen(s3), "application/spdx+json", &f, &err), 0);
        assert_int_equal(f, SBOM_FORMAT_SPDX3_JSONLD);
}

/* A graph without a root: the top level is what nothing depends on. */
static void test_top_level_without_root(void **state) {
        (void) state;
        static const char x[] = CDX "\"components\": [{\"name\": \"app\", \"bom-ref\": \"a\"}, {\"name\": \"lib\", "
                                    "\"bom-ref\": \"l\"}], \"dependencies\": [{\"ref\": \"a\", \"dependsOn\": "
                                    "[\"l\", \"gone\"]}]}";
        struct sbom_doc *d = NULL;
        struct error err = { 0 };
        if (sbom_parse("t.json", (const uint8_t *) x, strlen(x), NULL, &d, &err) < 0)
                fail_msg("%s", err.msg);
        assert_true(find(d, "app")->top_level);
        assert_false(find(d, "lib")->top_level);
        assert_int_equal(d->dangling_refs, 1);
        int score;
        _cleanup_json_ json_t *q = quality(d, &score);
        /* the root's edges are not stated: said so */
        _cleanup_free_ char *text = json_dumps(q, 0);
        assert_non_null(strstr(text, "the root component's direct dependencies are not stated"));
        sbom_doc_free(d);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_buildroot_cyclonedx),
                cmocka_unit_test(test_syft_spdx23),
                cmocka_unit_test(test_syft_cyclonedx_xml),
                cmocka_unit_test(test_spdx23_tag_value),
                cmocka_unit_test(test_yocto_spdx22),
                cmocka_unit_test(test_yocto_spdx3),
                cmocka_unit_test(test_cyclonedx_json_refusals),
                cmocka_unit_test(test_size_limit),
                cmocka_unit_test(test_too_many_components),
                cmocka_unit_test(test_cyclonedx_xml_refusals),
                cmocka_unit_test(test_cyclonedx_xml_minimal),
                cmocka_unit_test(test_spdx2_json_refusals),
                cmocka_unit_test(test_spdx2_tag_value_refusals),
                cmocka_unit_test(test_spdx3_refusals),
                cmocka_unit_test(test_spdx3_yocto_shapes),
                cmocka_unit_test(test_yocto_archive_merge_and_refusals),
                cmocka_unit_test(test_detect),
                cmocka_unit_test(test_top_level_without_root),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

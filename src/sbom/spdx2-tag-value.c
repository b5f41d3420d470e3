/* SPDX-License-Identifier: Apache-2.0 */
/*
 * SPDX 2.2 and 2.3 tag-value ("Tag: value" lines, multi-line values in
 * <text>...</text>). The lines are turned into the JSON document they
 * stand for and read by spdx2-json.c, so both forms mean the same; what is
 * wrong with the lines themselves (no colon, an unterminated <text>, a
 * package without a name, a malformed ExternalRef, Relationship or
 * checksum) is refused here with its line number.
 */
#include <stdio.h>
#include <string.h>

#include "core/cleanup.h"
#include "core/json.h"
#include "core/strutil.h"
#include "sbom/sbom-private.h"

#define TV_MAX_LINE (1024 * 1024)

struct tv {
        const char *label;
        struct error *err;
        json_t *doc, *ci, *pkgs, *files, *rels, *ext;
        json_t *pkg; /* the package being read, or NULL (document, file or snippet section) */
        unsigned pkg_line;
};

/* "LABEL: line N: WHAT 'ARG'" (ARG sanitised and cut; NULL = none). */
static int tv_fail(struct tv *t, unsigned line, const char *what, const char *arg) {
        if (!arg)
                return error_set(t->err, ERROR_INVALID, "%s: line %u: %s", t->label, line, what);
        char safe[80];
        str_sanitize(arg, strlen(arg), safe, sizeof(safe));
        return error_set(t->err, ERROR_INVALID, "%s: line %u: %s '%s'", t->label, line, what, safe);
}

/* Splits "a b c..." into n words (the last takes the rest); false when fewer. */
static bool words(const char *v, char *out[], size_t n, char *buf, size_t bufsz) {
        if (strlen(v) >= bufsz)
                return false;
        snprintf(buf, bufsz, "%s", v);
        char *p = buf;
        for (size_t i = 0; i < n; i++) {
                while (*p == ' ' || *p == '\t')
                        p++;
                if (!*p)
                        return false;
                out[i] = p;
                if (i + 1 < n) {
                        while (*p && *p != ' ' && *p != '\t')
                                p++;
                        if (!*p)
                                return false;
                        *p++ = 0;
                }
        }
        size_t len = strlen(out[n - 1]);
        while (len > 0 && (out[n - 1][len - 1] == ' ' || out[n - 1][len - 1] == '\t'))
                out[n - 1][--len] = 0;
        return true;
}

static int finish_package(struct tv *t) {
        if (!t->pkg)
                return 0;
        if (!json_object_get(t->pkg, "SPDXID"))
                return tv_fail(t, t->pkg_line, "no SPDXID for the package", cr_json_get_string(t->pkg, "name"));
        json_array_append_new(t->pkgs, t->pkg);
        t->pkg = NULL;
        return 0;
}

static int tag(struct tv *t, unsigned line, const char *k, const char *v, bool *in_file) {
        char buf[8192];
        char *w[3];
        if (strcmp(k, "PackageName") == 0) {
                if (finish_package(t) < 0)
                        return -1;
                if (!*v)
                        return tv_fail(t, line, "PackageName is empty", NULL);
                t->pkg = json_pack("{s:s}", "name", v);
                t->pkg_line = line;
                *in_file = false;
                return 0;
        }
        if (strcmp(k, "FileName") == 0 || strcmp(k, "SnippetSPDXID") == 0) {
                if (finish_package(t) < 0)
                        return -1;
                *in_file = true;
                if (strcmp(k, "SnippetSPDXID") == 0)
                        json_array_append_new(t->files, json_pack("{s:s}", "SPDXID", v));
                return 0;
        }
        if (strcmp(k, "Relationship") == 0) {
                if (!words(v, w, 3, buf, sizeof(buf)))
                        return tv_fail(t, line, "Relationship: expected 'ELEMENT TYPE ELEMENT', got", v);
                json_array_append_new(t->rels, json_pack("{s:s, s:s, s:s}", "spdxElementId", w[0], "relationshipType",
                                                         w[1], "relatedSpdxElement", w[2]));
                return 0;
        }
        if (strcmp(k, "ExternalDocumentRef") == 0) {
                if (!words(v, w, 3, buf, sizeof(buf)))
                        return tv_fail(t, line, "ExternalDocumentRef: expected 'DocumentRef-ID URI CHECKSUM', got", v);
                json_array_append_new(t->ext, json_pack("{s:s, s:s}", "externalDocumentId", w[0], "spdxDocument", w[1]));
                return 0;
        }
        if (strcmp(k, "SPDXID") == 0) {
                if (*in_file)
                        json_array_append_new(t->files, json_pack("{s:s}", "SPDXID", v));
                else if (t->pkg)
                        json_object_set_new(t->pkg, "SPDXID", json_string(v));
                else
                        json_object_set_new(t->doc, "SPDXID", json_string(v));
                return 0;
        }
        if (*in_file)
                return 0;
        if (!t->pkg) {
                static const char *const doc_tags[][2] = {
                        { "SPDXVersion", "spdxVersion" }, { "DocumentName", "name" },
                        { "DocumentNamespace", "documentNamespace" },
                };
                for (size_t i = 0; i < 3; i++)
                        if (strcmp(k, doc_tags[i][0]) == 0)
                                json_object_set_new(t->doc, doc_tags[i][1], json_string(v));
                if (strcmp(k, "Created") == 0)
                        json_object_set_new(t->ci, "created", json_string(v));
                if (strcmp(k, "Creator") == 0) {
                        json_t *c = json_object_get(t->ci, "creators");
                        if (!c)
                                json_object_set_new(t->ci, "creators", c = json_array());
                        json_array_append_new(c, json_string(v));
                }
                return 0;
        }
        static const char *const pkg_tags[][2] = {
                { "PackageVersion", "versionInfo" },           { "PackageSupplier", "supplier" },
                { "PackageOriginator", "originator" },         { "PackageLicenseConcluded", "licenseConcluded" },
                { "PackageLicenseDeclared", "licenseDeclared" }, { "PrimaryPackagePurpose", "primaryPackagePurpose" },
        };
        for (size_t i = 0; i < ELEMENTSOF(pkg_tags); i++)
                if (strcmp(k, pkg_tags[i][0]) == 0)
                        json_object_set_new(t->pkg, pkg_tags[i][1], json_string(v));
        if (strcmp(k, "PackageChecksum") == 0) {
                const char *colon = strchr(v, ':');
                if (!colon || colon == v)
                        return tv_fail(t, line, "PackageChecksum: expected 'ALGORITHM: HEX', got", v);
                char alg[32];
                size_t n = (size_t) (colon - v);
                if (n >= sizeof(alg))
                        return tv_fail(t, line, "PackageChecksum: unknown algorithm in", v);
                memcpy(alg, v, n);
                alg[n] = 0;
                const char *val = colon + 1;
                while (*val == ' ')
                        val++;
                json_t *arr = json_object_get(t->pkg, "checksums");
                if (!arr)
                        json_object_set_new(t->pkg, "checksums", arr = json_array());
                json_array_append_new(arr, json_pack("{s:s, s:s}", "algorithm", alg, "checksumValue", val));
        }
        if (strcmp(k, "ExternalRef") == 0) {
                if (!words(v, w, 3, buf, sizeof(buf)))
                        return tv_fail(t, line, "ExternalRef: expected 'CATEGORY TYPE LOCATOR', got", v);
                json_t *arr = json_object_get(t->pkg, "externalRefs");
                if (!arr)
                        json_object_set_new(t->pkg, "externalRefs", arr = json_array());
                json_array_append_new(arr, json_pack("{s:s, s:s, s:s}", "referenceCategory", w[0], "referenceType",
                                                     w[1], "referenceLocator", w[2]));
        }
        return 0;
}

int sbom_parse_spdx2_tag_value(const char *label, const uint8_t *data, size_t len, struct sbom_doc *d,
                               struct error *err) {
        struct tv t = { .label = label, .err = err };
        _cleanup_json_ json_t *doc = json_object();
        t.doc = doc;
        json_object_set_new(doc, "creationInfo", t.ci = json_object());
        json_object_set_new(doc, "packages", t.pkgs = json_array());
        json_object_set_new(doc, "files", t.files = json_array());
        json_object_set_new(doc, "relationships", t.rels = json_array());
        json_object_set_new(doc, "externalDocumentRefs", t.ext = json_array());
        bool in_file = false;
        size_t i = 0;
        unsigned line = 0;
        int rc = 0;
        struct buf value = { 0 };
        while (i < len && rc == 0) {
                line++;
                size_t start = i;
                while (i < len && data[i] != '\n')
                        i++;
                size_t end = i;
                if (i < len)
                        i++;
                if (end > start && data[end - 1] == '\r')
                        end--;
                if (end - start > TV_MAX_LINE - 1) {
                        rc = tv_fail(&t, line, "line longer than 1 MiB", NULL);
                        break;
                }
                if (memchr(data + start, 0, end - start)) {
                        rc = tv_fail(&t, line, "contains a NUL byte", NULL);
                        break;
                }
                const char *s = (const char *) data + start;
                size_t n = end - start;
                while (n > 0 && (*s == ' ' || *s == '\t')) {
                        s++;
                        n--;
                }
                if (n == 0 || *s == '#')
                        continue;
                const char *colon = memchr(s, ':', n);
                if (!colon) {
                        char tmp[64];
                        snprintf(tmp, sizeof(tmp), "%.*s", (int) (n < 40 ? n : 40), s);
                        rc = tv_fail(&t, line, "expected 'Tag: value', got", tmp);
                        break;
                }
                char key[64];
                size_t kn = (size_t) (colon - s);
                if (kn == 0 || kn >= sizeof(key)) {
                        rc = tv_fail(&t, line, "a tag must be 1 to 63 characters", NULL);
                        break;
                }
                memcpy(key, s, kn);
                key[kn] = 0;
                const char *v = colon + 1;
                size_t vn = n - kn - 1;
                while (vn > 0 && (*v == ' ' || *v == '\t')) {
                        v++;
                        vn--;
                }
                buf_free(&value);
                value = (struct buf) { 0 };
                unsigned tag_line = line;
                if (vn >= 6 && memcmp(v, "<text>", 6) == 0) {
                        /* A multi-line value: up to the matching </text>, possibly lines later. */
                        const uint8_t *rest = (const uint8_t *) v + 6;
                        size_t avail = len - (size_t) (rest - data);
                        const uint8_t *close = NULL;
                        for (size_t k = 0; k + 7 <= avail; k++)
                                if (rest[k] == '<' && memcmp(rest + k, "</text>", 7) == 0) {
                                        close = rest + k;
                                        break;
                                }
                        if (!close) {
                                rc = tv_fail(&t, line, "a <text> value is never closed by </text>: tag", key);
                                break;
                        }
                        if ((size_t) (close - rest) > SBOM_MAX_LICENSE * 4) {
                                rc = tv_fail(&t, line, "the <text> value is too long: tag", key);
                                break;
                        }
                        buf_append(&value, rest, (size_t) (close - rest));
                        for (const uint8_t *q = rest; q < close; q++)
                                if (*q == '\n')
                                        line++;
                        i = (size_t) (close - data) + 7;
                        while (i < len && data[i] != '\n')
                                i++;
                        if (i < len)
                                i++;
                } else {
                        while (vn > 0 && (v[vn - 1] == ' ' || v[vn - 1] == '\t'))
                                vn--;
                        buf_append(&value, v, vn);
                }
                _cleanup_free_ char *val = buf_steal(&value);
                value = (struct buf) { 0 };
                /* Everything read becomes JSON text: a value that is not UTF-8 is refused here,
                 * with its line, not dropped later. */
                if (!sbom_utf8_valid((const unsigned char *) key, strlen(key)) ||
                    !sbom_utf8_valid((const unsigned char *) val, strlen(val))) {
                        rc = tv_fail(&t, tag_line, "not valid UTF-8", NULL);
                        break;
                }
                rc = tag(&t, tag_line, key, val, &in_file);
        }
        buf_free(&value);
        if (rc == 0)
                rc = finish_package(&t);
        json_decref(t.pkg);
        if (rc < 0)
                return -1;
        if (!json_object_get(doc, "spdxVersion"))
                return error_set(err, ERROR_INVALID, "%s: no SPDXVersion line (not an SPDX tag-value document)", label);
        if (spdx2_json_read(label, doc, d, NULL, err) < 0)
                return -1;
        return sbom_doc_finish(d, label, err);
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Which format an SBOM is, and the one entry point that parses any of them.
 * A media type that names one format decides; a generic one
 * (application/json, application/octet-stream, text/plain, ...) leaves it to
 * the content: zstd or tar magic is a Yocto archive, '<' XML (CycloneDX
 * when its namespace says so), '{' JSON told apart by its marker member
 * (bomFormat, spdxVersion, @context/@graph), and "SPDXVersion:" tag-value.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/cleanup.h"
#include "core/fileio.h"
#include "core/strutil.h"
#include "sbom/sbom.h"

/* The leading part of a media type, without parameters, lowercased. */
static void media_base(const char *mt, char *out, size_t n) {
        size_t j = 0;
        for (; mt && *mt && *mt != ';' && j < n - 1; mt++)
                if (*mt != ' ')
                        out[j++] = (char) (*mt >= 'A' && *mt <= 'Z' ? *mt + 32 : *mt);
        out[j] = 0;
}

static bool contains(const uint8_t *data, size_t len, const char *needle) {
        size_t n = strlen(needle);
        if (len < n)
                return false;
        for (size_t i = 0; i + n <= len; i++)
                if (data[i] == (uint8_t) needle[0] && memcmp(data + i, needle, n) == 0)
                        return true;
        return false;
}

int sbom_detect(const char *label, const uint8_t *data, size_t len, const char *media_type, enum sbom_format *out,
                struct error *err) {
        char mt[128];
        media_base(media_type, mt, sizeof(mt));
        static const struct {
                const char *type;
                enum sbom_format f;
        } by_type[] = {
                { "application/vnd.cyclonedx+json", SBOM_FORMAT_CYCLONEDX_JSON },
                { "application/vnd.cyclonedx+xml", SBOM_FORMAT_CYCLONEDX_XML },
                { "application/spdx+json", SBOM_FORMAT_SPDX2_JSON }, /* SPDX 3 shares it: the content decides below */
                { "text/spdx", SBOM_FORMAT_SPDX2_TAG_VALUE },
                { "application/ld+json", SBOM_FORMAT_SPDX3_JSONLD },
                { "application/zstd", SBOM_FORMAT_YOCTO_SPDX2_ARCHIVE },
                { "application/x-tar", SBOM_FORMAT_YOCTO_SPDX2_ARCHIVE },
        };
        size_t head = len < 4096 ? len : 4096;
        /* An archive is told by its magic whatever the media type claims (a
         * client may name a .spdx.tar.zst text/spdx by its file name). */
        bool zstd = len >= 4 && data[0] == 0x28 && data[1] == 0xb5 && data[2] == 0x2f && data[3] == 0xfd;
        bool tar = len >= 262 && memcmp(data + 257, "ustar", 5) == 0;
        if (zstd || tar) {
                *out = SBOM_FORMAT_YOCTO_SPDX2_ARCHIVE;
                return 0;
        }
        for (size_t i = 0; i < ELEMENTSOF(by_type); i++)
                if (strcmp(mt, by_type[i].type) == 0) {
                        *out = by_type[i].f;
                        if (*out == SBOM_FORMAT_SPDX2_JSON && contains(data, head, "\"@graph\""))
                                *out = SBOM_FORMAT_SPDX3_JSONLD;
                        return 0;
                }
        size_t i = 0;
        if (len >= 3 && data[0] == 0xef && data[1] == 0xbb && data[2] == 0xbf)
                i = 3; /* a UTF-8 byte order mark */
        while (i < len && (data[i] == ' ' || data[i] == '\t' || data[i] == '\r' || data[i] == '\n'))
                i++;
        if (i < len && data[i] == '<') {
                if (contains(data, len < 65536 ? len : 65536, "http://cyclonedx.org/schema/bom/")) {
                        *out = SBOM_FORMAT_CYCLONEDX_XML;
                        return 0;
                }
                return error_set(err, ERROR_UNSUPPORTED,
                                 "%s: an XML document that is not a CycloneDX BOM (no "
                                 "http://cyclonedx.org/schema/bom/ namespace); SPDX RDF/XML is not supported",
                                 label);
        }
        if (i < len && data[i] == '{') {
                /* The marker members may come late in a large document; look at all of it. */
                if (contains(data, len, "\"bomFormat\"")) {
                        *out = SBOM_FORMAT_CYCLONEDX_JSON;
                        return 0;
                }
                if (contains(data, len, "\"@graph\"") || contains(data, len, "\"@context\"")) {
                        *out = SBOM_FORMAT_SPDX3_JSONLD;
                        return 0;
                }
                if (contains(data, len, "\"spdxVersion\"")) {
                        *out = SBOM_FORMAT_SPDX2_JSON;
                        return 0;
                }
                return error_set(err, ERROR_UNSUPPORTED,
                                 "%s: a JSON document that is neither CycloneDX (bomFormat), SPDX 2 (spdxVersion) "
                                 "nor SPDX 3 (@graph)",
                                 label);
        }
        if (contains(data, head, "SPDXVersion:")) {
                *out = SBOM_FORMAT_SPDX2_TAG_VALUE;
                return 0;
        }
        return error_set(err, ERROR_UNSUPPORTED,
                         "%s: not a recognised SBOM (CycloneDX JSON or XML, SPDX 2 JSON or tag-value, SPDX 3 "
                         "JSON-LD, or a Yocto .tar.zst of SPDX documents)",
                         label);
}

int sbom_parse(const char *label, const uint8_t *data, size_t len, const char *media_type, struct sbom_doc **out,
               struct error *err) {
        *out = NULL;
        if (!label)
                label = "SBOM";
        if (len > SBOM_MAX_BYTES)
                return error_set(err, ERROR_TOO_LARGE, "%s: larger than %u bytes", label, SBOM_MAX_BYTES);
        if (len == 0)
                return error_set(err, ERROR_INVALID, "%s: empty", label);
        enum sbom_format f;
        if (sbom_detect(label, data, len, media_type, &f, err) < 0)
                return -1;
        struct sbom_doc *d = sbom_doc_new(f);
        int rc = -1;
        switch (f) {
        case SBOM_FORMAT_CYCLONEDX_JSON: rc = sbom_parse_cyclonedx_json(label, data, len, d, err); break;
        case SBOM_FORMAT_CYCLONEDX_XML: rc = sbom_parse_cyclonedx_xml(label, data, len, d, err); break;
        case SBOM_FORMAT_SPDX2_JSON: rc = sbom_parse_spdx2_json(label, data, len, d, err); break;
        case SBOM_FORMAT_SPDX2_TAG_VALUE: rc = sbom_parse_spdx2_tag_value(label, data, len, d, err); break;
        case SBOM_FORMAT_SPDX3_JSONLD: rc = sbom_parse_spdx3_jsonld(label, data, len, d, err); break;
        case SBOM_FORMAT_YOCTO_SPDX2_ARCHIVE: rc = sbom_parse_yocto_archive(label, data, len, d, err); break;
        }
        if (rc < 0) {
                sbom_doc_free(d);
                return -1;
        }
        *out = d;
        return 0;
}

int sbom_parse_file(const char *label, const char *path, const char *media_type, struct sbom_doc **out,
                    struct error *err) {
        *out = NULL;
        _cleanup_free_ char *buf = NULL;
        size_t len = 0;
        if (file_read_all(path, SBOM_MAX_BYTES, &buf, &len, err) < 0)
                return error_prefix(err, "%s: ", label ? label : "SBOM");
        return sbom_parse(label, (const uint8_t *) buf, len, media_type, out, err);
}

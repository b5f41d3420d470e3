/* SPDX-License-Identifier: Apache-2.0 */
/* VEX documents out: the content-derived id shared by the three formats, BOM-Links, the dispatcher. */
#include <string.h>

#include "core/cleanup.h"
#include "core/json.h"
#include "core/strutil.h"
#include "crypto/hash.h"
#include "crypto/percent.h"
#include "vex/vex-internal.h"

#define BOM_LINK_PREFIX "urn:cdx:"

/* Percent-encodes everything but RFC 3986 unreserved characters, so a
 * bom-ref of any text is a valid IRI fragment. */
static void pct_encode(struct buf *b, const char *s) {
        for (const unsigned char *p = (const unsigned char *) s; *p; p++) {
                if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-' ||
                    *p == '.' || *p == '_' || *p == '~')
                        buf_append(b, p, 1);
                else
                        buf_appendf(b, "%%%02X", *p);
        }
}

char *vex_bom_link(const char *uuid, const char *ref) {
        struct buf b = {0};
        buf_appendf(&b, BOM_LINK_PREFIX "%s/1#", uuid);
        pct_encode(&b, ref);
        return buf_steal(&b);
}

char *vex_bom_link_ref(const char *iri) {
        if (!iri || !str_startswith(iri, BOM_LINK_PREFIX))
                return NULL;
        const char *hash = strchr(iri, '#');
        if (!hash || !hash[1])
                return NULL;
        char *out = NULL;
        if (percent_decode(hash + 1, strlen(hash + 1), &out) != 0) {
                free(out);
                return NULL;
        }
        return out;
}

/* The export's identity: SHA-256 over its content (components, findings,
 * product, release, time) as a sorted compact JSON, shaped as a UUID
 * (version 8, "custom"), so the same state always gives the same ids. */
static void vex_export_uuid(const struct vex_export *x, char uuid[37]) {
        _cleanup_json_ json_t *j = json_pack("{s:s?, s:s?, s:s?, s:I}", "product", x->product, "release", x->release,
                                             "author", x->author, "timestamp", (json_int_t) x->timestamp);
        json_t *comps = json_array(), *fs = json_array();
        json_object_set_new(j, "components", comps);
        json_object_set_new(j, "findings", fs);
        for (size_t i = 0; i < x->n_components; i++) {
                const struct vex_export_component *c = &x->components[i];
                json_array_append_new(comps, json_pack("{s:s?, s:s?, s:s?, s:s?, s:s?}", "ref", c->ref, "name",
                                                       c->name, "version", c->version, "purl", c->purl, "cpe", c->cpe));
        }
        for (size_t i = 0; i < x->n_findings; i++) {
                const struct vex_export_finding *f = &x->findings[i];
                json_t *aliases = json_array();
                for (size_t k = 0; k < f->n_aliases; k++)
                        json_array_append_new(aliases, json_string(f->aliases[k]));
                json_array_append_new(fs, json_pack("{s:s?, s:o, s:I, s:i, s:i, s:s?, s:s?, s:s?, s:i, s:s?}", "vuln",
                                                    f->vuln, "aliases", aliases, "component",
                                                    (json_int_t) f->component, "state", (int) f->state,
                                                    "justification", (int) f->justification, "action", f->action,
                                                    "detail", f->detail, "cvss", f->cvss_vector, "score",
                                                    f->cvss_score10, "severity", f->severity));
        }
        _cleanup_free_ char *text = cr_json_dump(j);
        uint8_t h[SHA256_LEN];
        hash_sha256(text, strlen(text), h);
        h[6] = (uint8_t) ((h[6] & 0x0f) | 0x80); /* version 8 */
        h[8] = (uint8_t) ((h[8] & 0x3f) | 0x80); /* RFC 9562 variant */
        snprintf(uuid, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", h[0], h[1], h[2],
                 h[3], h[4], h[5], h[6], h[7], h[8], h[9], h[10], h[11], h[12], h[13], h[14], h[15]);
}

const char *vex_cvss_version(const char *vector) {
        if (!vector)
                return NULL;
        if (str_startswith(vector, "CVSS:3.1/"))
                return "3.1";
        if (str_startswith(vector, "CVSS:3.0/"))
                return "3.0";
        if (str_startswith(vector, "CVSS:4.0/"))
                return "4.0";
        if (str_startswith(vector, "AV:"))
                return "2.0";
        return NULL;
}

char *vex_render(enum vex_format f, const struct vex_export *x, struct error *err) {
        char uuid[37];
        for (size_t i = 0; i < x->n_findings; i++)
                if (x->findings[i].component >= x->n_components)
                        return error_set(err, ERROR_INTERNAL, "VEX export: finding %zu names no component", i), NULL;
        vex_export_uuid(x, uuid);
        _cleanup_json_ json_t *doc = NULL;
        switch (f) {
        case VEX_FORMAT_CYCLONEDX: doc = vex_render_cyclonedx(x, uuid); break;
        case VEX_FORMAT_OPENVEX: doc = vex_render_openvex(x, uuid); break;
        case VEX_FORMAT_CSAF: doc = vex_render_csaf(x, uuid); break;
        }
        if (!doc) {
                error_set(err, ERROR_INTERNAL, "VEX export: cannot render %s", vex_format_name(f));
                return NULL;
        }
        /* Scores have one decimal; CSAF wants its keys sorted (its optional
         * test 6.2.13), the others read best in the order written. */
        size_t flags = JSON_INDENT(2) | JSON_REAL_PRECISION(4) |
                       (f == VEX_FORMAT_CSAF ? JSON_SORT_KEYS : JSON_PRESERVE_ORDER);
        char *text = json_dumps(doc, flags);
        if (!text)
                abort();
        char *out = str_printf("%s\n", text);
        free(text);
        return out;
}

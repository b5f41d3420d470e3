/* SPDX-License-Identifier: Apache-2.0 */
/*
 * CycloneDX 1.4-1.6 XML, read with libxml2 into the same model as the JSON
 * form. Outside XML is dangerous in known ways, so:
 *  - no network (XML_PARSE_NONET), no external DTD or entity loading (no
 *    XML_PARSE_DTDLOAD / XML_PARSE_NOENT);
 *  - a document with a DOCTYPE or an ENTITY declaration is refused before
 *    libxml2 sees it: CycloneDX needs neither, and that is where XXE and
 *    "billion laughs" live. Input with NUL bytes (UTF-16 and friends) is
 *    refused too, so that byte scan cannot be dodged by an encoding;
 *  - nesting is limited to SBOM_MAX_DEPTH while walking.
 * Places in errors are element paths with their line ("component (line 42)").
 */
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <stdio.h>
#include <string.h>

#include "core/cleanup.h"
#include "core/strutil.h"
#include "sbom/sbom.h"

#define NS_PREFIX "http://cyclonedx.org/schema/bom/"

struct cx {
        const char *label;
        struct sbom_doc *d;
        struct error *err;
};

static bool is(const xmlNode *n, const char *name) {
        return n && n->type == XML_ELEMENT_NODE && strcmp((const char *) n->name, name) == 0;
}

static xmlNode *child(const xmlNode *n, const char *name) {
        for (xmlNode *c = n ? n->children : NULL; c; c = c->next)
                if (is(c, name))
                        return c;
        return NULL;
}

/* The text of an element (a new string, caller frees; NULL when absent). */
static char *text_of(const xmlNode *n) {
        if (!n)
                return NULL;
        xmlChar *t = xmlNodeGetContent(n);
        if (!t)
                return NULL;
        /* Trim: pretty-printed XML surrounds values with whitespace. */
        char *s = (char *) t, *e = s + strlen(s);
        while (*s == ' ' || *s == '\n' || *s == '\r' || *s == '\t')
                s++;
        while (e > s && (e[-1] == ' ' || e[-1] == '\n' || e[-1] == '\r' || e[-1] == '\t'))
                e--;
        char *out = xmalloc((size_t) (e - s) + 1);
        memcpy(out, s, (size_t) (e - s));
        out[e - s] = 0;
        xmlFree(t);
        return out;
}

static char *attr(const xmlNode *n, const char *name) {
        xmlChar *v = xmlGetProp(n, (const xmlChar *) name);
        if (!v)
                return NULL;
        char *s = str_dup((const char *) v);
        xmlFree(v);
        return s;
}

static int set_text(struct cx *x, char **dst, const xmlNode *n, const char *what, size_t max) {
        _cleanup_free_ char *t = text_of(n);
        if (!t || !*t)
                return 0;
        char where[96];
        sbom_ptrf(where, sizeof(where), "%s (line %ld)", what, n ? xmlGetLineNo(n) : 0);
        return sbom_field(dst, t, max, x->label, where, x->err);
}

static int read_component(struct cx *x, xmlNode *n, unsigned depth);

static int read_components(struct cx *x, xmlNode *list, unsigned depth) {
        if (depth > SBOM_MAX_DEPTH)
                return error_set(x->err, ERROR_INVALID, "%s: components (line %ld): nested deeper than %d", x->label,
                                 xmlGetLineNo(list), SBOM_MAX_DEPTH);
        for (xmlNode *c = list->children; c; c = c->next)
                if (is(c, "component") && read_component(x, c, depth) < 0)
                        return -1;
        return 0;
}

static int read_licenses(struct cx *x, xmlNode *lics, struct sbom_component *c) {
        struct buf b = { 0 };
        size_t count = 0;
        for (xmlNode *l = lics ? lics->children : NULL; l; l = l->next)
                if (is(l, "license") || is(l, "expression"))
                        count++;
        for (xmlNode *l = lics ? lics->children : NULL; l; l = l->next) {
                _cleanup_free_ char *t = NULL;
                if (is(l, "expression"))
                        t = text_of(l);
                else if (is(l, "license")) {
                        t = text_of(child(l, "id"));
                        if (!t || !*t) {
                                free(t);
                                t = text_of(child(l, "name"));
                        }
                }
                if (!t || !*t)
                        continue;
                if (b.len)
                        buf_appendf(&b, " AND ");
                buf_appendf(&b, strchr(t, ' ') && count > 1 ? "(%s)" : "%s", t);
        }
        if (b.len > SBOM_MAX_LICENSE) {
                buf_free(&b);
                return error_set(x->err, ERROR_INVALID, "%s: licenses (line %ld): longer than %d bytes", x->label,
                                 xmlGetLineNo(lics), SBOM_MAX_LICENSE);
        }
        if (b.len)
                c->licenses = buf_steal(&b);
        return 0;
}

static void read_patches(xmlNode *ped, struct sbom_component *c) {
        xmlNode *patches = child(ped, "patches");
        if (!patches)
                return;
        c->patches = json_array();
        for (xmlNode *p = patches->children; p; p = p->next) {
                if (!is(p, "patch"))
                        continue;
                _cleanup_free_ char *type = attr(p, "type"), *url = text_of(child(child(p, "diff"), "url"));
                json_t *ids = json_array();
                for (xmlNode *i = child(p, "resolves") ? child(p, "resolves")->children : NULL; i; i = i->next) {
                        if (!is(i, "issue"))
                                continue;
                        _cleanup_free_ char *id = text_of(child(i, "id"));
                        if (!id || !*id) {
                                free(id);
                                id = text_of(child(i, "name"));
                        }
                        if (id && *id && strlen(id) <= 256)
                                json_array_append_new(ids, json_string(id));
                }
                json_t *o = json_pack("{s:s, s:o}", "type", type ? type : "unofficial", "resolves", ids);
                if (url && *url && strlen(url) <= SBOM_MAX_FIELD)
                        json_object_set_new(o, "url", json_string(url));
                json_array_append_new(c->patches, o);
        }
}

static int read_component(struct cx *x, xmlNode *n, unsigned depth) {
        long line = xmlGetLineNo(n);
        char where[64];
        sbom_ptrf(where, sizeof(where), "component (line %ld)", line);
        _cleanup_free_ char *name = text_of(child(n, "name")), *ref = attr(n, "bom-ref"), *type = attr(n, "type");
        if (!name || !*name)
                return error_set(x->err, ERROR_INVALID, "%s: %s: <name> is required", x->label, where);
        struct sbom_component *c = sbom_doc_add_component(x->d, x->label, where, x->err);
        if (!c)
                return -1;
        if (sbom_field(&c->name, name, SBOM_MAX_FIELD, x->label, where, x->err) < 0 ||
            sbom_field(&c->ref, ref && *ref ? ref : where, SBOM_MAX_FIELD, x->label, where, x->err) < 0 ||
            sbom_field(&c->type, type, 64, x->label, where, x->err) < 0 ||
            set_text(x, &c->version, child(n, "version"), "version", SBOM_MAX_FIELD) < 0)
                return -1;
        static const char *const who[] = { "supplier", "manufacturer" };
        for (size_t i = 0; i < 2 && !c->supplier; i++)
                if (set_text(x, &c->supplier, child(child(n, who[i]), "name"), who[i], SBOM_MAX_FIELD) < 0)
                        return -1;
        if (!c->supplier && (set_text(x, &c->supplier, child(n, "author"), "author", SBOM_MAX_FIELD) < 0 ||
                             (!c->supplier && set_text(x, &c->supplier, child(n, "publisher"), "publisher",
                                                       SBOM_MAX_FIELD) < 0)))
                return -1;
        _cleanup_free_ char *purl = text_of(child(n, "purl")), *cpe = text_of(child(n, "cpe")),
                            *scope = text_of(child(n, "scope"));
        if (sbom_component_add_ident(c, "purl", purl, x->label, where, x->err) < 0 ||
            sbom_component_add_ident(c, "cpe", cpe, x->label, where, x->err) < 0)
                return -1;
        c->build_only = str_eq(scope, "excluded");
        for (xmlNode *h = child(n, "hashes") ? child(n, "hashes")->children : NULL; h; h = h->next) {
                if (!is(h, "hash"))
                        continue;
                _cleanup_free_ char *alg = attr(h, "alg"), *val = text_of(h);
                if (!alg || !val || !*val)
                        return error_set(x->err, ERROR_INVALID, "%s: hash (line %ld): needs alg and content",
                                         x->label, xmlGetLineNo(h));
                sbom_component_add_hash(c, alg, val);
        }
        if (read_licenses(x, child(n, "licenses"), c) < 0)
                return -1;
        xmlNode *ped = child(n, "pedigree");
        if (ped)
                read_patches(ped, c);
        xmlNode *sub = child(n, "components");
        if (sub) {
                _cleanup_free_ char *parent = str_dup(c->ref); /* c moves when the array grows */
                if (read_components(x, sub, depth + 1) < 0)
                        return -1;
                for (xmlNode *k = sub->children; k; k = k->next) {
                        if (!is(k, "component"))
                                continue;
                        _cleanup_free_ char *kref = attr(k, "bom-ref");
                        char kw[64];
                        sbom_ptrf(kw, sizeof(kw), "component (line %ld)", xmlGetLineNo(k));
                        if (sbom_doc_add_edge_ref(x->d, parent, kref && *kref ? kref : kw, x->label, x->err) < 0)
                                return -1;
                }
        }
        return 0;
}

static bool has_bytes(const uint8_t *data, size_t len, const char *needle) {
        size_t n = strlen(needle);
        for (size_t i = 0; i + n <= len; i++)
                if (data[i] == (uint8_t) needle[0] && memcmp(data + i, needle, n) == 0)
                        return true;
        return false;
}

static void xml_doc_freep(xmlDoc **d) {
        if (*d)
                xmlFreeDoc(*d);
}

int sbom_parse_cyclonedx_xml(const char *label, const uint8_t *data, size_t len, struct sbom_doc *d,
                             struct error *err) {
        struct cx x = { .label = label, .d = d, .err = err };
        if (len > SBOM_MAX_BYTES)
                return error_set(err, ERROR_TOO_LARGE, "%s: larger than %u bytes", label, SBOM_MAX_BYTES);
        if (memchr(data, 0, len))
                return error_set(err, ERROR_INVALID,
                                 "%s: contains NUL bytes (only UTF-8 CycloneDX XML is accepted)", label);
        if (has_bytes(data, len, "<!DOCTYPE") || has_bytes(data, len, "<!ENTITY"))
                return error_set(err, ERROR_INVALID,
                                 "%s: has a DOCTYPE or ENTITY declaration; CycloneDX needs none, and DTDs and "
                                 "entities (XXE, entity expansion) are refused",
                                 label);
        xmlParserCtxtPtr ctxt = xmlNewParserCtxt();
        if (!ctxt)
                return error_set(err, ERROR_INTERNAL, "%s: out of memory for the XML parser", label);
        _cleanup_(xml_doc_freep) xmlDoc *doc =
                xmlCtxtReadMemory(ctxt, (const char *) data, (int) len, NULL, NULL,
                                  XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
        if (!doc) {
                const xmlError *e = &ctxt->lastError;
                char msg[200];
                str_sanitize(e->message ? e->message : "not well-formed", e->message ? strlen(e->message) : 15, msg,
                             sizeof(msg));
                size_t m = strlen(msg);
                while (m > 0 && (msg[m - 1] == ' ' || msg[m - 1] == '.'))
                        msg[--m] = 0;
                int line = e->line;
                xmlFreeParserCtxt(ctxt);
                return error_set(err, ERROR_INVALID, "%s: line %d: not well-formed XML: %s", label, line, msg);
        }
        xmlFreeParserCtxt(ctxt);
        if (doc->intSubset || doc->extSubset)
                return error_set(err, ERROR_INVALID, "%s: has a DTD; DTDs are refused", label);
        xmlNode *bom = xmlDocGetRootElement(doc);
        if (!is(bom, "bom") || !bom->ns || !bom->ns->href ||
            strncmp((const char *) bom->ns->href, NS_PREFIX, strlen(NS_PREFIX)) != 0)
                return error_set(err, ERROR_INVALID, "%s: line %ld: the root element must be <bom xmlns=\"%s1.x\">",
                                 label, bom ? xmlGetLineNo(bom) : 1L, NS_PREFIX);
        const char *spec = (const char *) bom->ns->href + strlen(NS_PREFIX);
        if (strcmp(spec, "1.4") != 0 && strcmp(spec, "1.5") != 0 && strcmp(spec, "1.6") != 0) {
                char safe[32];
                str_sanitize(spec, strlen(spec), safe, sizeof(safe));
                return error_set(err, ERROR_INVALID, "%s: line %ld: CycloneDX %s is not supported (1.4, 1.5 and 1.6 are)",
                                 label, xmlGetLineNo(bom), safe);
        }
        d->spec_version = str_dup(spec);
        xmlNode *meta = child(bom, "metadata");
        if (meta) {
                if (set_text(&x, &d->created, child(meta, "timestamp"), "timestamp", 64) < 0)
                        return -1;
                xmlNode *tools = child(meta, "tools");
                xmlNode *tool = child(tools, "tool");
                if (!tool)
                        tool = child(child(tools, "components"), "component");
                if (tool) {
                        _cleanup_free_ char *tn = text_of(child(tool, "name")), *tv = text_of(child(tool, "version"));
                        _cleanup_free_ char *t = tn && tv ? str_printf("%s %s", tn, tv) : str_dup(tn);
                        if (sbom_field(&d->tool, t, SBOM_MAX_FIELD, label, "tools", err) < 0)
                                return -1;
                }
                xmlNode *mc = child(meta, "component");
                if (mc) {
                        _cleanup_free_ char *n = text_of(child(mc, "name")), *v = text_of(child(mc, "version")),
                                            *ref = attr(mc, "bom-ref");
                        _cleanup_free_ char *title = n && v && *v ? str_printf("%s %s", n, v) : str_dup(n);
                        if (sbom_field(&d->name, title, SBOM_MAX_FIELD, label, "metadata component", err) < 0)
                                return -1;
                        if (ref && *ref)
                                sbom_doc_add_root_ref(d, ref);
                }
        }
        xmlNode *comps = child(bom, "components");
        if (comps && read_components(&x, comps, 0) < 0)
                return -1;
        for (xmlNode *dep = child(bom, "dependencies") ? child(bom, "dependencies")->children : NULL; dep;
             dep = dep->next) {
                if (!is(dep, "dependency"))
                        continue;
                _cleanup_free_ char *ref = attr(dep, "ref");
                if (!ref)
                        return error_set(err, ERROR_INVALID, "%s: dependency (line %ld): the ref attribute is required",
                                         label, xmlGetLineNo(dep));
                for (xmlNode *on = dep->children; on; on = on->next) {
                        if (!is(on, "dependency"))
                                continue;
                        _cleanup_free_ char *to = attr(on, "ref");
                        if (!to)
                                return error_set(err, ERROR_INVALID,
                                                 "%s: dependency (line %ld): the ref attribute is required", label,
                                                 xmlGetLineNo(on));
                        if (sbom_doc_add_edge_ref(d, ref, to, label, err) < 0)
                                return -1;
                }
        }
        return sbom_doc_finish(d, label, err);
}

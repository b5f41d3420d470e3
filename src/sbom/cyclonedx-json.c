/* SPDX-License-Identifier: Apache-2.0 */
/*
 * CycloneDX 1.4-1.6 JSON. Read: metadata (timestamp, tools in both the 1.4
 * array form and the 1.5+ object form, the root component), components
 * (nested ones too), their identifiers (purl, cpe), hashes, licences,
 * supplier (then manufacturer, author, publisher), pedigree.patches with
 * what each resolves (Buildroot's generate-cyclonedx writes them), and the
 * dependency graph. A host tool (Buildroot's BR_TYPE=host property) or a
 * component with scope "excluded" is marked build-only: it is not deployed.
 * Places in errors are JSON pointers ("/components/3/version").
 */
#include <stdio.h>
#include <string.h>

#include "core/cleanup.h"
#include "core/json.h"
#include "core/strutil.h"
#include "sbom/sbom.h"

struct cdx {
        const char *label;
        struct sbom_doc *d;
        struct error *err;
        char where[512];
};

static int fail_type(struct cdx *x, const char *ptr, const char *expected) {
        return error_set(x->err, ERROR_INVALID, "%s: %s: expected %s", x->label, ptr, expected);
}

/* An optional string member: absent or null is fine, another type is not. */
static int get_str(struct cdx *x, json_t *obj, const char *key, const char *ptr, const char **out) {
        *out = NULL;
        json_t *v = json_object_get(obj, key);
        if (!v || json_is_null(v))
                return 0;
        if (!json_is_string(v)) {
                char p[600];
                sbom_ptrf(p, sizeof(p), "%s/%s", ptr, key);
                return fail_type(x, p, "a string");
        }
        *out = json_string_value(v);
        return 0;
}

static int get_array(struct cdx *x, json_t *obj, const char *key, const char *ptr, json_t **out) {
        *out = NULL;
        json_t *v = json_object_get(obj, key);
        if (!v || json_is_null(v))
                return 0;
        if (!json_is_array(v)) {
                char p[600];
                sbom_ptrf(p, sizeof(p), "%s/%s", ptr, key);
                return fail_type(x, p, "an array");
        }
        *out = v;
        return 0;
}

static int set_field(struct cdx *x, char **dst, json_t *obj, const char *key, const char *ptr, size_t max) {
        const char *s;
        if (get_str(x, obj, key, ptr, &s) < 0)
                return -1;
        char p[600];
        sbom_ptrf(p, sizeof(p), "%s/%s", ptr, key);
        return sbom_field(dst, s, max, x->label, p, x->err);
}

/* An organizational entity ({name}) or, in 1.4's author, a plain string. */
static int entity_name(struct cdx *x, json_t *obj, const char *key, const char *ptr, char **dst) {
        json_t *v = json_object_get(obj, key);
        char p[600];
        sbom_ptrf(p, sizeof(p), "%s/%s", ptr, key);
        if (!v || json_is_null(v) || *dst)
                return 0;
        if (json_is_string(v))
                return sbom_field(dst, json_string_value(v), SBOM_MAX_FIELD, x->label, p, x->err);
        if (!json_is_object(v))
                return fail_type(x, p, "an object");
        const char *name;
        if (get_str(x, v, "name", p, &name) < 0)
                return -1;
        return sbom_field(dst, name, SBOM_MAX_FIELD, x->label, p, x->err);
}

static int parse_licenses(struct cdx *x, json_t *comp, const char *ptr, struct sbom_component *c) {
        json_t *arr;
        if (get_array(x, comp, "licenses", ptr, &arr) < 0)
                return -1;
        if (!arr)
                return 0;
        struct buf b = { 0 };
        size_t i;
        json_t *item;
        char p[600];
        json_array_foreach(arr, i, item) {
                sbom_ptrf(p, sizeof(p), "%s/licenses/%zu", ptr, i);
                if (!json_is_object(item)) {
                        buf_free(&b);
                        return fail_type(x, p, "an object with license or expression");
                }
                const char *text = NULL;
                if (get_str(x, item, "expression", p, &text) < 0) {
                        buf_free(&b);
                        return -1;
                }
                json_t *lic = json_object_get(item, "license");
                if (!text && lic) {
                        if (!json_is_object(lic)) {
                                buf_free(&b);
                                return fail_type(x, p, "license to be an object");
                        }
                        if (get_str(x, lic, "id", p, &text) < 0 || (!text && get_str(x, lic, "name", p, &text) < 0)) {
                                buf_free(&b);
                                return -1;
                        }
                }
                if (!text || !*text)
                        continue;
                if (b.len)
                        buf_appendf(&b, " AND ");
                bool compound = strchr(text, ' ') != NULL && json_array_size(arr) > 1;
                buf_appendf(&b, compound ? "(%s)" : "%s", text);
                if (b.len > SBOM_MAX_LICENSE) {
                        buf_free(&b);
                        return error_set(x->err, ERROR_INVALID, "%s: %s/licenses: longer than %d bytes", x->label,
                                         ptr, SBOM_MAX_LICENSE);
                }
        }
        if (b.len)
                c->licenses = buf_steal(&b);
        else
                buf_free(&b);
        return 0;
}

static int parse_hashes(struct cdx *x, json_t *comp, const char *ptr, struct sbom_component *c) {
        json_t *arr;
        if (get_array(x, comp, "hashes", ptr, &arr) < 0)
                return -1;
        size_t i;
        json_t *h;
        char p[600];
        json_array_foreach(arr, i, h) {
                sbom_ptrf(p, sizeof(p), "%s/hashes/%zu", ptr, i);
                const char *alg, *content;
                if (!json_is_object(h))
                        return fail_type(x, p, "an object {alg, content}");
                if (get_str(x, h, "alg", p, &alg) < 0 || get_str(x, h, "content", p, &content) < 0)
                        return -1;
                if (!alg || !content)
                        return error_set(x->err, ERROR_INVALID, "%s: %s: a hash needs alg and content", x->label,
                                         p);
                sbom_component_add_hash(c, alg, content);
        }
        return 0;
}

/* pedigree.patches: [{type, diff: {url?, text?}, resolves: [{type, id, name}]}].
 * The diff text is not kept (Buildroot inlines whole patches): the type,
 * its URL and what it resolves are what triage needs. */
static int parse_patches(struct cdx *x, json_t *comp, const char *ptr, struct sbom_component *c) {
        json_t *ped = json_object_get(comp, "pedigree");
        char p[600];
        if (!ped || json_is_null(ped))
                return 0;
        sbom_ptrf(p, sizeof(p), "%s/pedigree", ptr);
        if (!json_is_object(ped))
                return fail_type(x, p, "an object");
        json_t *arr;
        if (get_array(x, ped, "patches", p, &arr) < 0)
                return -1;
        if (!arr)
                return 0;
        c->patches = json_array();
        size_t i;
        json_t *pt;
        json_array_foreach(arr, i, pt) {
                char pp[640];
                sbom_ptrf(pp, sizeof(pp), "%s/patches/%zu", p, i);
                if (!json_is_object(pt))
                        return fail_type(x, pp, "an object");
                const char *type, *url = NULL;
                if (get_str(x, pt, "type", pp, &type) < 0)
                        return -1;
                json_t *diff = json_object_get(pt, "diff");
                if (diff && json_is_object(diff) && get_str(x, diff, "url", pp, &url) < 0)
                        return -1;
                json_t *res;
                if (get_array(x, pt, "resolves", pp, &res) < 0)
                        return -1;
                json_t *ids = json_array();
                size_t k;
                json_t *r;
                json_array_foreach(res, k, r) {
                        const char *id = NULL;
                        if (!json_is_object(r)) {
                                json_decref(ids);
                                char rp[700];
                                sbom_ptrf(rp, sizeof(rp), "%s/resolves/%zu", pp, k);
                                return fail_type(x, rp, "an object {type, id, name}");
                        }
                        if (get_str(x, r, "id", pp, &id) < 0 || (!id && get_str(x, r, "name", pp, &id) < 0)) {
                                json_decref(ids);
                                return -1;
                        }
                        if (id && strlen(id) <= 256)
                                json_array_append_new(ids, json_string(id));
                }
                json_t *o = json_pack("{s:s, s:o}", "type", type ? type : "unofficial", "resolves", ids);
                if (url && strlen(url) <= SBOM_MAX_FIELD)
                        json_object_set_new(o, "url", json_string(url));
                json_array_append_new(c->patches, o);
        }
        return 0;
}

static bool is_host_tool(json_t *comp) {
        json_t *props = json_object_get(comp, "properties");
        size_t i;
        json_t *pr;
        json_array_foreach(props, i, pr) {
                if (!json_is_object(pr))
                        continue;
                const char *n = cr_json_get_string(pr, "name"), *v = cr_json_get_string(pr, "value");
                if (str_eq(n, "BR_TYPE") && str_eq(v, "host"))
                        return true;
        }
        return false;
}

static int parse_components(struct cdx *x, json_t *arr, const char *ptr, unsigned depth);

static int parse_component(struct cdx *x, json_t *comp, const char *ptr, unsigned depth) {
        if (!json_is_object(comp))
                return fail_type(x, ptr, "a component object");
        struct sbom_component *c = sbom_doc_add_component(x->d, x->label, ptr, x->err);
        if (!c)
                return -1;
        const char *name, *ref, *purl, *cpe, *scope;
        if (get_str(x, comp, "name", ptr, &name) < 0 || get_str(x, comp, "bom-ref", ptr, &ref) < 0 ||
            get_str(x, comp, "purl", ptr, &purl) < 0 || get_str(x, comp, "cpe", ptr, &cpe) < 0 ||
            get_str(x, comp, "scope", ptr, &scope) < 0)
                return -1;
        if (!name || !*name)
                return error_set(x->err, ERROR_INVALID, "%s: %s/name: required (a component has a name)", x->label,
                                 ptr);
        char p[600];
        sbom_ptrf(p, sizeof(p), "%s/bom-ref", ptr);
        if (sbom_field(&c->name, name, SBOM_MAX_FIELD, x->label, ptr, x->err) < 0 ||
            sbom_field(&c->ref, ref && *ref ? ref : ptr, SBOM_MAX_FIELD, x->label, p, x->err) < 0 ||
            set_field(x, &c->version, comp, "version", ptr, SBOM_MAX_FIELD) < 0 ||
            set_field(x, &c->type, comp, "type", ptr, 64) < 0 ||
            entity_name(x, comp, "supplier", ptr, &c->supplier) < 0 ||
            entity_name(x, comp, "manufacturer", ptr, &c->supplier) < 0 ||
            entity_name(x, comp, "author", ptr, &c->supplier) < 0 ||
            entity_name(x, comp, "publisher", ptr, &c->supplier) < 0)
                return -1;
        if (c->version && !*c->version) {
                free(c->version);
                c->version = NULL;
        }
        sbom_ptrf(p, sizeof(p), "%s/purl", ptr);
        if (sbom_component_add_ident(c, "purl", purl, x->label, p, x->err) < 0)
                return -1;
        sbom_ptrf(p, sizeof(p), "%s/cpe", ptr);
        if (sbom_component_add_ident(c, "cpe", cpe, x->label, p, x->err) < 0)
                return -1;
        if (parse_licenses(x, comp, ptr, c) < 0 || parse_hashes(x, comp, ptr, c) < 0 ||
            parse_patches(x, comp, ptr, c) < 0)
                return -1;
        c->build_only = str_eq(scope, "excluded") || is_host_tool(comp);
        json_t *sub;
        if (get_array(x, comp, "components", ptr, &sub) < 0)
                return -1;
        if (sub) {
                /* A parent contains its children: an edge, so the graph holds the nesting. */
                char parent_ref[SBOM_MAX_FIELD + 1];
                sbom_ptrf(parent_ref, sizeof(parent_ref), "%s", c->ref);
                char sp[600];
                sbom_ptrf(sp, sizeof(sp), "%s/components", ptr);
                if (parse_components(x, sub, sp, depth + 1) < 0)
                        return -1;
                size_t i;
                json_t *child;
                json_array_foreach(sub, i, child) {
                        const char *cref = cr_json_get_string(child, "bom-ref");
                        char cp[640];
                        sbom_ptrf(cp, sizeof(cp), "%s/%zu", sp, i);
                        if (sbom_doc_add_edge_ref(x->d, parent_ref, cref && *cref ? cref : cp, x->label, x->err) < 0)
                                return -1;
                }
        }
        return 0;
}

static int parse_components(struct cdx *x, json_t *arr, const char *ptr, unsigned depth) {
        if (depth > SBOM_MAX_DEPTH)
                return error_set(x->err, ERROR_INVALID, "%s: %s: components nested deeper than %d", x->label, ptr,
                                 SBOM_MAX_DEPTH);
        size_t i;
        json_t *comp;
        json_array_foreach(arr, i, comp) {
                char p[600];
                sbom_ptrf(p, sizeof(p), "%s/%zu", ptr, i);
                if (parse_component(x, comp, p, depth) < 0)
                        return -1;
        }
        return 0;
}

static int parse_tools(struct cdx *x, json_t *meta) {
        json_t *tools = json_object_get(meta, "tools");
        json_t *list = NULL;
        if (!tools || json_is_null(tools))
                return 0;
        if (json_is_array(tools))
                list = tools; /* 1.4: [{vendor, name, version}] */
        else if (json_is_object(tools))
                list = json_object_get(tools, "components"); /* 1.5+: {components: [...], services: [...]} */
        else
                return fail_type(x, "/metadata/tools", "an array or an object");
        json_t *t = json_array_get(list, 0);
        if (!json_is_object(t))
                return 0;
        const char *n = cr_json_get_string(t, "name"), *v = cr_json_get_string(t, "version");
        if (!n)
                return 0;
        _cleanup_free_ char *tool = v ? str_printf("%s %s", n, v) : str_dup(n);
        return sbom_field(&x->d->tool, tool, SBOM_MAX_FIELD, x->label, "/metadata/tools", x->err);
}

int sbom_parse_cyclonedx_json(const char *label, const uint8_t *data, size_t len, struct sbom_doc *d,
                              struct error *err) {
        struct cdx x = { .label = label, .d = d, .err = err };
        _cleanup_json_ json_t *root =
                cr_json_parse(label, (const char *) data, len, SBOM_MAX_BYTES, SBOM_MAX_DEPTH, err);
        if (!root)
                return -1;
        if (!json_is_object(root))
                return fail_type(&x, "/", "a CycloneDX BOM object");
        const char *fmt, *spec;
        if (get_str(&x, root, "bomFormat", "", &fmt) < 0 || get_str(&x, root, "specVersion", "", &spec) < 0)
                return -1;
        if (!str_eq(fmt, "CycloneDX"))
                return error_set(err, ERROR_INVALID, "%s: /bomFormat: expected \"CycloneDX\"", label);
        if (!spec)
                return error_set(err, ERROR_INVALID, "%s: /specVersion: required", label);
        if (!str_eq(spec, "1.4") && !str_eq(spec, "1.5") && !str_eq(spec, "1.6")) {
                char safe[32];
                str_sanitize(spec, strlen(spec), safe, sizeof(safe));
                return error_set(err, ERROR_INVALID,
                                 "%s: /specVersion: CycloneDX %s is not supported (1.4, 1.5 and 1.6 are)", label,
                                 safe);
        }
        d->spec_version = str_dup(spec);
        json_t *meta = json_object_get(root, "metadata");
        if (meta && !json_is_object(meta))
                return fail_type(&x, "/metadata", "an object");
        if (meta) {
                const char *ts;
                if (get_str(&x, meta, "timestamp", "/metadata", &ts) < 0 ||
                    sbom_field(&d->created, ts, 64, label, "/metadata/timestamp", err) < 0 || parse_tools(&x, meta) < 0)
                        return -1;
                json_t *mc = json_object_get(meta, "component");
                if (mc && !json_is_object(mc))
                        return fail_type(&x, "/metadata/component", "an object");
                if (mc) {
                        const char *n, *v, *ref;
                        if (get_str(&x, mc, "name", "/metadata/component", &n) < 0 ||
                            get_str(&x, mc, "version", "/metadata/component", &v) < 0 ||
                            get_str(&x, mc, "bom-ref", "/metadata/component", &ref) < 0)
                                return -1;
                        _cleanup_free_ char *title = n && v ? str_printf("%s %s", n, v) : str_dup(n);
                        if (sbom_field(&d->name, title, SBOM_MAX_FIELD, label, "/metadata/component/name", err) < 0)
                                return -1;
                        if (ref && *ref)
                                sbom_doc_add_root_ref(d, ref);
                }
        }
        json_t *comps;
        if (get_array(&x, root, "components", "", &comps) < 0 || parse_components(&x, comps, "/components", 0) < 0)
                return -1;
        json_t *deps;
        if (get_array(&x, root, "dependencies", "", &deps) < 0)
                return -1;
        size_t i;
        json_t *dep;
        json_array_foreach(deps, i, dep) {
                char p[96];
                sbom_ptrf(p, sizeof(p), "/dependencies/%zu", i);
                if (!json_is_object(dep))
                        return fail_type(&x, p, "an object {ref, dependsOn}");
                const char *ref;
                json_t *on;
                if (get_str(&x, dep, "ref", p, &ref) < 0 || get_array(&x, dep, "dependsOn", p, &on) < 0)
                        return -1;
                if (!ref)
                        return error_set(err, ERROR_INVALID, "%s: %s/ref: required", label, p);
                size_t k;
                json_t *to;
                json_array_foreach(on, k, to) {
                        if (!json_is_string(to)) {
                                char q[128];
                                sbom_ptrf(q, sizeof(q), "%s/dependsOn/%zu", p, k);
                                return fail_type(&x, q, "a string (a bom-ref)");
                        }
                        if (sbom_doc_add_edge_ref(d, ref, json_string_value(to), label, err) < 0)
                                return -1;
                }
        }
        return sbom_doc_finish(d, label, err);
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * SPDX 3.0.1 JSON-LD, as Yocto's create-spdx (3.0) writes it: one "@graph"
 * of elements referring to each other by spdxId. Read: software_Package
 * (name, software_packageVersion, suppliedBy then originatedBy, purl from
 * software_packageUrl and externalIdentifier packageUrl, CPEs from
 * externalIdentifier cpe23/cpe22, verifiedUsing hashes,
 * software_primaryPurpose), the licences a package's hasConcludedLicense or
 * hasDeclaredLicense relationship points at, "contains" and "dependsOn"
 * relationships (LifecycleScopedRelationship too) as edges, and the root
 * from SpdxDocument/software_Sbom rootElement. Extension objects (Yocto's
 * https://rdf.openembedded.org/... ones) and element types not listed are
 * skipped. Places in errors are JSON pointers ("/@graph/12/name").
 */
#include <stdio.h>
#include <string.h>

#include "core/cleanup.h"
#include "core/json.h"
#include "core/strutil.h"
#include "sbom/sbom-private.h"

struct s3 {
        const char *label;
        struct sbom_doc *d;
        struct error *err;
        json_t *by_id; /* spdxId / @id -> element (borrowed from the graph) */
};

static int bad(struct s3 *x, const char *ptr, const char *what) {
        return error_set(x->err, ERROR_INVALID, "%s: %s: %s", x->label, ptr, what);
}

static const char *elem_id(json_t *e) {
        const char *id = cr_json_get_string(e, "spdxId");
        return id ? id : cr_json_get_string(e, "@id");
}

/* A reference is an spdxId string or an inline element with one. */
static json_t *deref(struct s3 *x, json_t *ref) {
        if (json_is_string(ref))
                return json_object_get(x->by_id, json_string_value(ref));
        if (json_is_object(ref))
                return ref;
        return NULL;
}

static const char *ref_id(json_t *ref) {
        return json_is_string(ref) ? json_string_value(ref) : json_is_object(ref) ? elem_id(ref) : NULL;
}

static int str_member(struct s3 *x, json_t *e, const char *key, const char *ptr, const char **out) {
        *out = NULL;
        json_t *v = json_object_get(e, key);
        if (!v || json_is_null(v))
                return 0;
        if (!json_is_string(v)) {
                char p[300];
                sbom_ptrf(p, sizeof(p), "%s/%s: expected a string", ptr, key);
                return error_set(x->err, ERROR_INVALID, "%s: %s", x->label, p);
        }
        *out = json_string_value(v);
        return 0;
}

static int read_package(struct s3 *x, json_t *e, const char *ptr) {
        const char *id = elem_id(e), *name, *version, *purl, *purpose;
        if (!id || !*id)
                return bad(x, ptr, "a software_Package needs an spdxId");
        if (str_member(x, e, "name", ptr, &name) < 0 || str_member(x, e, "software_packageVersion", ptr, &version) < 0 ||
            str_member(x, e, "software_packageUrl", ptr, &purl) < 0 ||
            str_member(x, e, "software_primaryPurpose", ptr, &purpose) < 0)
                return -1;
        if (!name || !*name) {
                char p[300];
                sbom_ptrf(p, sizeof(p), "%s/name", ptr);
                return bad(x, p, "required (a package has a name)");
        }
        struct sbom_component *c = sbom_doc_add_component(x->d, x->label, ptr, x->err);
        if (!c)
                return -1;
        if (sbom_field(&c->ref, id, SBOM_MAX_FIELD * 2, x->label, ptr, x->err) < 0 ||
            sbom_field(&c->name, name, SBOM_MAX_FIELD, x->label, ptr, x->err) < 0 ||
            (spdx2_value_given(version) && sbom_field(&c->version, version, SBOM_MAX_FIELD, x->label, ptr, x->err) < 0) ||
            sbom_field(&c->type, purpose, 64, x->label, ptr, x->err) < 0)
                return -1;
        c->build_only = str_eq(purpose, "source");
        char p[300];
        sbom_ptrf(p, sizeof(p), "%s/software_packageUrl", ptr);
        if (sbom_component_add_ident(c, "purl", purl, x->label, p, x->err) < 0)
                return -1;
        /* The supplier: suppliedBy, else the first originatedBy agent. */
        json_t *sup = json_object_get(e, "suppliedBy");
        if (!sup) {
                json_t *orig = json_object_get(e, "originatedBy");
                sup = json_is_array(orig) ? json_array_get(orig, 0) : orig;
        }
        json_t *agent = deref(x, sup);
        const char *aname = agent ? cr_json_get_string(agent, "name") : NULL;
        if (sbom_field(&c->supplier, aname, SBOM_MAX_FIELD, x->label, ptr, x->err) < 0)
                return -1;
        json_t *ids = json_object_get(e, "externalIdentifier");
        if (ids && !json_is_array(ids)) {
                sbom_ptrf(p, sizeof(p), "%s/externalIdentifier", ptr);
                return bad(x, p, "expected an array");
        }
        size_t i;
        json_t *ei;
        json_array_foreach(ids, i, ei) {
                sbom_ptrf(p, sizeof(p), "%s/externalIdentifier/%zu", ptr, i);
                const char *type, *ident;
                if (!json_is_object(ei))
                        return bad(x, p, "expected an ExternalIdentifier object");
                if (str_member(x, ei, "externalIdentifierType", p, &type) < 0 ||
                    str_member(x, ei, "identifier", p, &ident) < 0)
                        return -1;
                const char *kind = str_eq(type, "cpe23") || str_eq(type, "cpe22")           ? "cpe"
                                   : str_eq(type, "packageUrl") || str_eq(type, "purl") ? "purl"
                                                                                        : NULL;
                if (kind && sbom_component_add_ident(c, kind, ident, x->label, p, x->err) < 0)
                        return -1;
        }
        json_t *hashes = json_object_get(e, "verifiedUsing");
        if (hashes && !json_is_array(hashes)) {
                sbom_ptrf(p, sizeof(p), "%s/verifiedUsing", ptr);
                return bad(x, p, "expected an array");
        }
        json_array_foreach(hashes, i, ei) {
                sbom_ptrf(p, sizeof(p), "%s/verifiedUsing/%zu", ptr, i);
                const char *alg, *val;
                if (!json_is_object(ei))
                        return bad(x, p, "expected a Hash object");
                if (str_member(x, ei, "algorithm", p, &alg) < 0 || str_member(x, ei, "hashValue", p, &val) < 0)
                        return -1;
                sbom_component_add_hash(c, alg, val);
        }
        return 0;
}

static struct sbom_component *component_by_ref(struct sbom_doc *d, json_t *index, const char *id) {
        json_t *i = id ? json_object_get(index, id) : NULL;
        return i ? &d->components[json_integer_value(i)] : NULL;
}

static int read_relationship(struct s3 *x, json_t *e, const char *ptr, json_t *comp_index) {
        const char *type, *from;
        if (str_member(x, e, "relationshipType", ptr, &type) < 0)
                return -1;
        from = ref_id(json_object_get(e, "from"));
        json_t *to = json_object_get(e, "to");
        if (!type || !from || !json_is_array(to))
                return bad(x, ptr, "a Relationship needs from, relationshipType and a to array");
        size_t i;
        json_t *t;
        bool concluded = strcmp(type, "hasConcludedLicense") == 0;
        if (concluded || strcmp(type, "hasDeclaredLicense") == 0) {
                struct sbom_component *c = component_by_ref(x->d, comp_index, from);
                json_t *lic = deref(x, json_array_get(to, 0));
                const char *expr = lic ? cr_json_get_string(lic, "simplelicensing_licenseExpression") : NULL;
                if (c && expr && spdx2_value_given(expr) && (concluded || !c->licenses))
                        return sbom_field(&c->licenses, expr, SBOM_MAX_LICENSE, x->label, ptr, x->err);
                return 0;
        }
        bool edge = strcmp(type, "contains") == 0 || strcmp(type, "dependsOn") == 0;
        bool describes = strcmp(type, "describes") == 0;
        if (!edge && !describes)
                return 0;
        json_array_foreach(to, i, t) {
                const char *tid = ref_id(t);
                if (!tid)
                        continue;
                /* Files are not components: an edge to one says nothing here. */
                json_t *target = json_object_get(x->by_id, tid);
                const char *ttype = target ? cr_json_get_string(target, "type") : NULL;
                if (ttype && strcmp(ttype, "software_Package") != 0)
                        continue;
                if (describes) {
                        sbom_doc_add_root_ref(x->d, tid);
                        continue;
                }
                if (sbom_doc_add_edge_ref(x->d, from, tid, x->label, x->err) < 0)
                        return -1;
        }
        return 0;
}

/* SpdxDocument -> rootElement; a root that is a software_Sbom gives its own roots. */
static void read_roots(struct s3 *x, json_t *holder, unsigned depth) {
        json_t *roots = json_object_get(holder, "rootElement");
        size_t i;
        json_t *r;
        json_array_foreach(roots, i, r) {
                json_t *e = deref(x, r);
                const char *t = e ? cr_json_get_string(e, "type") : NULL;
                if (str_eq(t, "software_Sbom") || str_eq(t, "SpdxDocument") || str_eq(t, "Bom")) {
                        if (depth < 4)
                                read_roots(x, e, depth + 1);
                } else if (ref_id(r)) {
                        sbom_doc_add_root_ref(x->d, ref_id(r));
                }
        }
}

int sbom_parse_spdx3_jsonld(const char *label, const uint8_t *data, size_t len, struct sbom_doc *d,
                            struct error *err) {
        _cleanup_json_ json_t *root =
                cr_json_parse(label, (const char *) data, len, SBOM_MAX_BYTES, SBOM_MAX_DEPTH, err);
        if (!root)
                return -1;
        _cleanup_json_ json_t *by_id = json_object(), *comp_index = json_object();
        struct s3 x = { .label = label, .d = d, .err = err, .by_id = by_id };
        if (!json_is_object(root))
                return bad(&x, "/", "expected a JSON-LD object with @context and @graph");
        json_t *ctx = json_object_get(root, "@context");
        const char *cs = json_is_string(ctx)  ? json_string_value(ctx)
                         : json_is_array(ctx) ? json_string_value(json_array_get(ctx, 0))
                                              : NULL;
        if (!cs || !strstr(cs, "spdx.org/rdf/3.0"))
                return bad(&x, "/@context", "expected the SPDX 3 context (https://spdx.org/rdf/3.0.1/spdx-context.jsonld)");
        json_t *graph = json_object_get(root, "@graph");
        if (!json_is_array(graph))
                return bad(&x, "/@graph", "required: an array of elements");
        size_t i;
        json_t *e;
        json_array_foreach(graph, i, e) {
                char p[64];
                sbom_ptrf(p, sizeof(p), "/@graph/%zu", i);
                if (!json_is_object(e))
                        return bad(&x, p, "expected an element object");
                json_t *type = json_object_get(e, "type");
                if (!json_is_string(type)) {
                        char q[80];
                        sbom_ptrf(q, sizeof(q), "%s/type", p);
                        return bad(&x, q, "required: a string");
                }
                const char *id = elem_id(e);
                if (id)
                        json_object_set(by_id, id, e);
        }
        json_array_foreach(graph, i, e) {
                char p[64];
                sbom_ptrf(p, sizeof(p), "/@graph/%zu", i);
                const char *type = cr_json_get_string(e, "type");
                if (strcmp(type, "CreationInfo") == 0 && !d->spec_version) {
                        const char *sv, *created;
                        if (str_member(&x, e, "specVersion", p, &sv) < 0 || str_member(&x, e, "created", p, &created) < 0)
                                return -1;
                        if (!sv || !str_startswith(sv, "3.0.")) {
                                char q[80];
                                sbom_ptrf(q, sizeof(q), "%s/specVersion", p);
                                return bad(&x, q, "SPDX 3.0.x is supported (3.0.1 is what Yocto writes)");
                        }
                        d->spec_version = str_dup(sv);
                        if (sbom_field(&d->created, created, 64, label, p, err) < 0)
                                return -1;
                        json_t *tool = deref(&x, json_array_get(json_object_get(e, "createdUsing"), 0));
                        const char *tn = tool ? cr_json_get_string(tool, "name") : NULL;
                        if (sbom_field(&d->tool, tn, SBOM_MAX_FIELD, label, p, err) < 0)
                                return -1;
                } else if (strcmp(type, "SpdxDocument") == 0) {
                        if (!d->name && sbom_field(&d->name, cr_json_get_string(e, "name"), SBOM_MAX_FIELD, label, p, err) < 0)
                                return -1;
                        read_roots(&x, e, 0);
                } else if (strcmp(type, "software_Package") == 0) {
                        const char *id = elem_id(e);
                        if (id && json_object_get(comp_index, id))
                                continue; /* the same element twice (a merged graph): once */
                        if (read_package(&x, e, p) < 0)
                                return -1;
                        json_object_set_new(comp_index, id, json_integer((json_int_t) d->n_components - 1));
                }
        }
        if (!d->spec_version)
                return bad(&x, "/@graph", "no CreationInfo with specVersion (not an SPDX 3 document)");
        json_array_foreach(graph, i, e) {
                const char *type = cr_json_get_string(e, "type");
                if (strcmp(type, "Relationship") != 0 && strcmp(type, "LifecycleScopedRelationship") != 0)
                        continue;
                char p[64];
                sbom_ptrf(p, sizeof(p), "/@graph/%zu", i);
                if (read_relationship(&x, e, p, comp_index) < 0)
                        return -1;
        }
        return sbom_doc_finish(d, label, err);
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * SPDX 2.2 and 2.3 JSON. Read: the document (spdxVersion, name,
 * creationInfo), packages (SPDXID, name, versionInfo, supplier or
 * originator, concluded or declared licence, checksums, purl and CPE
 * external references, primaryPackagePurpose), documentDescribes and the
 * relationships that are dependency edges (spdx2-common.c). Files and
 * snippets are not components: edges to them are skipped, not counted as
 * dangling. Places in errors are JSON pointers ("/packages/2/name").
 */
#include <stdio.h>
#include <string.h>

#include "core/cleanup.h"
#include "core/json.h"
#include "core/strutil.h"
#include "sbom/sbom-private.h"

struct s2 {
        const char *label;
        struct sbom_doc *d;
        struct spdx2_member *m;
        json_t *ext;    /* DocumentRef-X -> namespace */
        json_t *skip;   /* file and snippet SPDXIDs */
        struct error *err;
};

static int type_error(struct s2 *x, const char *ptr, const char *expected) {
        return error_set(x->err, ERROR_INVALID, "%s: %s: expected %s", x->label, ptr, expected);
}

static int opt_str(struct s2 *x, json_t *o, const char *key, const char *ptr, const char **out) {
        *out = NULL;
        json_t *v = json_object_get(o, key);
        if (!v || json_is_null(v))
                return 0;
        if (!json_is_string(v)) {
                char p[300];
                sbom_ptrf(p, sizeof(p), "%s/%s", ptr, key);
                return type_error(x, p, "a string");
        }
        *out = json_string_value(v);
        return 0;
}

static int opt_array(struct s2 *x, json_t *o, const char *key, const char *ptr, json_t **out) {
        *out = json_object_get(o, key);
        if (!*out || json_is_null(*out)) {
                *out = NULL;
                return 0;
        }
        if (!json_is_array(*out)) {
                char p[300];
                sbom_ptrf(p, sizeof(p), "%s/%s", ptr, key);
                return type_error(x, p, "an array");
        }
        return 0;
}

/* The reference as stored: qualified by namespace when merging. NULL when
 * it names another document this one does not declare. */
static char *qualify(struct s2 *x, const char *id) {
        if (!x->m)
                return str_dup(id);
        const char *colon = strchr(id, ':');
        if (str_startswith(id, "DocumentRef-") && colon) {
                char doc[256];
                size_t n = (size_t) (colon - id);
                if (n >= sizeof(doc))
                        return NULL;
                memcpy(doc, id, n);
                doc[n] = 0;
                const char *ns = cr_json_get_string(x->ext, doc);
                return ns ? str_printf("%s#%s", ns, colon + 1) : NULL;
        }
        return str_printf("%s#%s", x->m->namespace, id);
}

static int read_package(struct s2 *x, json_t *p, const char *ptr) {
        if (!json_is_object(p))
                return type_error(x, ptr, "a package object");
        const char *id, *name, *version, *supplier, *originator, *concluded, *declared, *purpose;
        if (opt_str(x, p, "SPDXID", ptr, &id) < 0 || opt_str(x, p, "name", ptr, &name) < 0 ||
            opt_str(x, p, "versionInfo", ptr, &version) < 0 || opt_str(x, p, "supplier", ptr, &supplier) < 0 ||
            opt_str(x, p, "originator", ptr, &originator) < 0 ||
            opt_str(x, p, "licenseConcluded", ptr, &concluded) < 0 ||
            opt_str(x, p, "licenseDeclared", ptr, &declared) < 0 ||
            opt_str(x, p, "primaryPackagePurpose", ptr, &purpose) < 0)
                return -1;
        if (!id || !*id)
                return error_set(x->err, ERROR_INVALID, "%s: %s/SPDXID: required", x->label, ptr);
        if (!name || !*name)
                return error_set(x->err, ERROR_INVALID, "%s: %s/name: required (a package has a name)", x->label,
                                 ptr);
        struct sbom_component *c = sbom_doc_add_component(x->d, x->label, ptr, x->err);
        if (!c)
                return -1;
        _cleanup_free_ char *ref = qualify(x, id);
        _cleanup_free_ char *sup = spdx2_agent_name(supplier);
        if (!sup)
                sup = spdx2_agent_name(originator);
        char w[300];
        sbom_ptrf(w, sizeof(w), "%s/name", ptr);
        if (sbom_field(&c->ref, ref ? ref : id, SBOM_MAX_FIELD * 2, x->label, ptr, x->err) < 0 ||
            sbom_field(&c->name, name, SBOM_MAX_FIELD, x->label, w, x->err) < 0 ||
            (spdx2_value_given(version) &&
             sbom_field(&c->version, version, SBOM_MAX_FIELD, x->label, ptr, x->err) < 0) ||
            sbom_field(&c->supplier, sup, SBOM_MAX_FIELD, x->label, ptr, x->err) < 0)
                return -1;
        const char *lic = spdx2_value_given(concluded) ? concluded : spdx2_value_given(declared) ? declared : NULL;
        if (sbom_field(&c->licenses, lic, SBOM_MAX_LICENSE, x->label, ptr, x->err) < 0)
                return -1;
        if (purpose) {
                char t[64];
                size_t j = 0;
                for (const char *q = purpose; *q && j < sizeof(t) - 1; q++)
                        t[j++] = (char) (*q == '_' ? '-' : (*q >= 'A' && *q <= 'Z' ? *q + 32 : *q));
                t[j] = 0;
                c->type = str_dup(t);
        }
        /* Sources are inputs of the build, not what is deployed: SPDX 2.3's
         * SOURCE purpose, and the download packages Yocto's 2.2 writer adds. */
        c->build_only = str_eq(purpose, "SOURCE") || str_startswith(id, "SPDXRef-Download-");
        json_t *sums, *refs;
        if (opt_array(x, p, "checksums", ptr, &sums) < 0 || opt_array(x, p, "externalRefs", ptr, &refs) < 0)
                return -1;
        size_t i;
        json_t *s;
        json_array_foreach(sums, i, s) {
                char sp[300];
                sbom_ptrf(sp, sizeof(sp), "%s/checksums/%zu", ptr, i);
                const char *alg, *val;
                if (!json_is_object(s))
                        return type_error(x, sp, "an object {algorithm, checksumValue}");
                if (opt_str(x, s, "algorithm", sp, &alg) < 0 || opt_str(x, s, "checksumValue", sp, &val) < 0)
                        return -1;
                sbom_component_add_hash(c, alg, val);
        }
        json_array_foreach(refs, i, s) {
                char sp[300];
                sbom_ptrf(sp, sizeof(sp), "%s/externalRefs/%zu", ptr, i);
                const char *type, *loc;
                if (!json_is_object(s))
                        return type_error(x, sp, "an object {referenceCategory, referenceType, referenceLocator}");
                if (opt_str(x, s, "referenceType", sp, &type) < 0 || opt_str(x, s, "referenceLocator", sp, &loc) < 0)
                        return -1;
                const char *t = spdx2_ref_type(type);
                const char *kind = strcmp(t, "purl") == 0                                       ? "purl"
                                   : strcmp(t, "cpe23Type") == 0 || strcmp(t, "cpe22Type") == 0 ? "cpe"
                                                                                                 : NULL;
                if (kind && sbom_component_add_ident(c, kind, loc, x->label, sp, x->err) < 0)
                        return -1;
        }
        return 0;
}

static void strv_push(struct sbom_strv *s, const char *v) {
        s->v = xrealloc(s->v, (s->n + 1) * sizeof(char *));
        s->v[s->n++] = str_dup(v);
}

static int add_root(struct s2 *x, const char *id) {
        _cleanup_free_ char *q = qualify(x, id);
        if (!q)
                return 0;
        if (x->m)
                strv_push(&x->m->described, q);
        else
                sbom_doc_add_root_ref(x->d, q);
        return 0;
}

static int read_relationship(struct s2 *x, json_t *r, const char *ptr, const char *doc_id) {
        if (!json_is_object(r))
                return type_error(x, ptr, "a relationship object");
        const char *a, *type, *b;
        if (opt_str(x, r, "spdxElementId", ptr, &a) < 0 || opt_str(x, r, "relationshipType", ptr, &type) < 0 ||
            opt_str(x, r, "relatedSpdxElement", ptr, &b) < 0)
                return -1;
        if (!a || !type || !b)
                return error_set(x->err, ERROR_INVALID,
                                 "%s: %s: a relationship needs spdxElementId, relationshipType and "
                                 "relatedSpdxElement",
                                 x->label, ptr);
        if (strcmp(type, "DESCRIBES") == 0 && str_eq(a, doc_id))
                return add_root(x, b);
        if (strcmp(type, "DESCRIBED_BY") == 0 && str_eq(b, doc_id))
                return add_root(x, a);
        bool reverse;
        if (!spdx2_relationship_edge(type, &reverse))
                return 0;
        if (json_object_get(x->skip, a) || json_object_get(x->skip, b) || !spdx2_value_given(b))
                return 0;
        _cleanup_free_ char *qa = qualify(x, a), *qb = qualify(x, b);
        if (!qa || !qb) {
                x->d->dangling_refs++;
                return 0;
        }
        if (str_eq(a, doc_id) || str_eq(b, doc_id))
                return 0;
        return sbom_doc_add_edge_ref(x->d, reverse ? qb : qa, reverse ? qa : qb, x->label, x->err);
}

int spdx2_json_read(const char *label, json_t *root, struct sbom_doc *d, struct spdx2_member *member,
                    struct error *err) {
        _cleanup_json_ json_t *ext = json_object(), *skip = json_object();
        struct s2 x = { .label = label, .d = d, .m = member, .ext = ext, .skip = skip, .err = err };
        if (!json_is_object(root))
                return type_error(&x, "/", "an SPDX document object");
        const char *ver, *doc_id, *name, *ns;
        if (opt_str(&x, root, "spdxVersion", "", &ver) < 0 || opt_str(&x, root, "SPDXID", "", &doc_id) < 0 ||
            opt_str(&x, root, "name", "", &name) < 0 || opt_str(&x, root, "documentNamespace", "", &ns) < 0)
                return -1;
        if (!ver)
                return error_set(err, ERROR_INVALID, "%s: /spdxVersion: required", label);
        if (strcmp(ver, "SPDX-2.2") != 0 && strcmp(ver, "SPDX-2.3") != 0) {
                char safe[32];
                str_sanitize(ver, strlen(ver), safe, sizeof(safe));
                return error_set(err, ERROR_INVALID, "%s: /spdxVersion: %s is not supported (SPDX-2.2 and SPDX-2.3 are)",
                                 label, safe);
        }
        if (!doc_id)
                doc_id = "SPDXRef-DOCUMENT";
        if (member) {
                if (!ns || !*ns)
                        return error_set(err, ERROR_INVALID, "%s: /documentNamespace: required to merge documents",
                                         label);
                member->namespace = str_dup(ns);
        }
        if (!d->spec_version)
                d->spec_version = str_dup(ver + 5);
        if (!d->name && sbom_field(&d->name, name, SBOM_MAX_FIELD, label, "/name", err) < 0)
                return -1;
        json_t *ci = json_object_get(root, "creationInfo");
        if (ci && !json_is_object(ci))
                return type_error(&x, "/creationInfo", "an object");
        if (ci && !d->created) {
                const char *created;
                json_t *creators;
                if (opt_str(&x, ci, "created", "/creationInfo", &created) < 0 ||
                    sbom_field(&d->created, created, 64, label, "/creationInfo/created", err) < 0 ||
                    opt_array(&x, ci, "creators", "/creationInfo", &creators) < 0)
                        return -1;
                size_t i;
                json_t *c;
                json_array_foreach(creators, i, c) {
                        const char *s = json_string_value(c);
                        if (s && str_startswith(s, "Tool:") && !d->tool) {
                                _cleanup_free_ char *t = spdx2_agent_name(s);
                                if (sbom_field(&d->tool, t, SBOM_MAX_FIELD, label, "/creationInfo/creators", err) < 0)
                                        return -1;
                        }
                }
        }
        json_t *arr;
        size_t i;
        json_t *e;
        if (opt_array(&x, root, "externalDocumentRefs", "", &arr) < 0)
                return -1;
        json_array_foreach(arr, i, e) {
                const char *id = cr_json_get_string(e, "externalDocumentId"), *doc = cr_json_get_string(e, "spdxDocument");
                if (id && doc) {
                        json_object_set_new(ext, id, json_string(doc));
                        if (member)
                                strv_push(&member->refers_to, doc);
                }
        }
        static const char *const non_packages[] = { "files", "snippets" };
        for (size_t k = 0; k < 2; k++) {
                if (opt_array(&x, root, non_packages[k], "", &arr) < 0)
                        return -1;
                json_array_foreach(arr, i, e) {
                        const char *id = cr_json_get_string(e, "SPDXID");
                        if (id)
                                json_object_set_new(skip, id, json_true());
                }
        }
        if (opt_array(&x, root, "packages", "", &arr) < 0)
                return -1;
        json_array_foreach(arr, i, e) {
                char p[64];
                sbom_ptrf(p, sizeof(p), "/packages/%zu", i);
                if (read_package(&x, e, p) < 0)
                        return -1;
        }
        if (opt_array(&x, root, "documentDescribes", "", &arr) < 0)
                return -1;
        json_array_foreach(arr, i, e) {
                if (!json_is_string(e)) {
                        char p[64];
                        sbom_ptrf(p, sizeof(p), "/documentDescribes/%zu", i);
                        return type_error(&x, p, "a string (an SPDXID)");
                }
                add_root(&x, json_string_value(e));
        }
        if (opt_array(&x, root, "relationships", "", &arr) < 0)
                return -1;
        json_array_foreach(arr, i, e) {
                char p[64];
                sbom_ptrf(p, sizeof(p), "/relationships/%zu", i);
                if (read_relationship(&x, e, p, doc_id) < 0)
                        return -1;
        }
        return 0;
}

int sbom_parse_spdx2_json(const char *label, const uint8_t *data, size_t len, struct sbom_doc *d,
                          struct error *err) {
        _cleanup_json_ json_t *root =
                cr_json_parse(label, (const char *) data, len, SBOM_MAX_BYTES, SBOM_MAX_DEPTH, err);
        if (!root || spdx2_json_read(label, root, d, NULL, err) < 0)
                return -1;
        return sbom_doc_finish(d, label, err);
}

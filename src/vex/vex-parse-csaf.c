/* SPDX-License-Identifier: Apache-2.0 */
/*
 * CSAF 2.0 VEX in: the product_tree (full_product_names, branches,
 * relationships, product_groups) gives each product_id its component
 * (purl/CPE from product_identification_helper; a relationship's product is
 * its product_reference); each vulnerabilities[] entry (cve or ids[]) gives
 * one statement per product id of its product_status, with the flag label
 * (justification), remediations (action) and threats of category impact
 * (detail) that name the product or one of its groups.
 */
#include <string.h>

#include "core/cleanup.h"
#include "core/strutil.h"
#include "vex/vex-internal.h"

struct csaf_product {
        const char *id, *ref, *purl, *cpe;
};

struct csaf_tree {
        struct csaf_product *p;
        size_t n;
        json_t *groups; /* product_groups, or NULL */
};

static const struct csaf_product *csaf_find(const struct csaf_tree *t, const char *id) {
        for (size_t i = 0; i < t->n; i++)
                if (strcmp(t->p[i].id, id) == 0)
                        return &t->p[i];
        return NULL;
}

static int csaf_add(const char *what, const char *where, struct csaf_tree *t, const char *id, const char *ref,
                    const char *purl, const char *cpe, struct error *err) {
        char safe[96];
        if (csaf_find(t, id))
                return error_set(err, ERROR_INVALID, "%s: %s: product_id '%s' is defined twice", what, where,
                                 VEX_SAFE(safe, id));
        if (t->n >= VEX_MAX_PRODUCTS)
                return error_set(err, ERROR_TOO_LARGE, "%s: more than %u products", what, VEX_MAX_PRODUCTS);
        t->p = xrealloc(t->p, (t->n + 1) * sizeof(*t->p));
        t->p[t->n++] = (struct csaf_product){id, ref, purl, cpe};
        return 0;
}

/* A full_product_name object. */
static int csaf_full_name(const char *what, const char *where, json_t *fpn, struct csaf_tree *t,
                          struct error *err) {
        const char *id, *purl = NULL, *cpe = NULL;
        json_t *helper;
        if (!json_is_object(fpn))
                return error_set(err, ERROR_INVALID, "%s: %s: expected an object", what, where);
        if (vex_get_str(what, where, fpn, "product_id", true, VEX_MAX_ID, &id, err) < 0 ||
            vex_get_object(what, where, fpn, "product_identification_helper", false, &helper, err) < 0)
                return -1;
        if (helper) {
                char w[192];
                vex_where(w, sizeof(w), "%s.product_identification_helper", where);
                if (vex_get_str(what, w, helper, "purl", false, VEX_MAX_ID, &purl, err) < 0 ||
                    vex_get_str(what, w, helper, "cpe", false, VEX_MAX_ID, &cpe, err) < 0)
                        return -1;
        }
        return csaf_add(what, where, t, id, id, purl, cpe, err);
}

static int csaf_branches(const char *what, const char *where, json_t *branches, struct csaf_tree *t,
                         struct error *err) {
        size_t i;
        json_t *b;
        json_array_foreach(branches, i, b) {
                char w[192];
                vex_where(w, sizeof(w), "%s[%zu]", where, i);
                json_t *product, *sub;
                if (vex_get_object(what, w, b, "product", false, &product, err) < 0 ||
                    vex_get_array(what, w, b, "branches", false, VEX_MAX_PRODUCTS, &sub, err) < 0)
                        return -1;
                char pw[224];
                vex_where(pw, sizeof(pw), "%s.product", w);
                if (product && csaf_full_name(what, pw, product, t, err) < 0)
                        return -1;
                vex_where(pw, sizeof(pw), "%s.branches", w);
                if (sub && csaf_branches(what, pw, sub, t, err) < 0)
                        return -1;
        }
        return 0;
}

static int csaf_tree_read(const char *what, json_t *tree, struct csaf_tree *t, struct error *err) {
        json_t *fpns, *branches, *rels;
        if (vex_get_array(what, "product_tree", tree, "full_product_names", false, VEX_MAX_PRODUCTS, &fpns, err) <
                    0 ||
            vex_get_array(what, "product_tree", tree, "branches", false, VEX_MAX_PRODUCTS, &branches, err) < 0 ||
            vex_get_array(what, "product_tree", tree, "relationships", false, VEX_MAX_PRODUCTS, &rels, err) < 0 ||
            vex_get_array(what, "product_tree", tree, "product_groups", false, VEX_MAX_PRODUCTS, &t->groups, err) <
                    0)
                return -1;
        size_t i;
        json_t *x;
        json_array_foreach(fpns, i, x) {
                char w[128];
                vex_where(w, sizeof(w), "product_tree.full_product_names[%zu]", i);
                if (csaf_full_name(what, w, x, t, err) < 0)
                        return -1;
        }
        if (branches && csaf_branches(what, "product_tree.branches", branches, t, err) < 0)
                return -1;
        /* A relationship names a combined product (a component in a
         * product): Cradle's finding is about the component, so the combined
         * id resolves to its product_reference. */
        json_array_foreach(rels, i, x) {
                char w[128], safe[96];
                vex_where(w, sizeof(w), "product_tree.relationships[%zu]", i);
                json_t *fpn;
                const char *ref, *id;
                if (vex_get_object(what, w, x, "full_product_name", true, &fpn, err) < 0 ||
                    vex_get_str(what, w, x, "product_reference", true, VEX_MAX_ID, &ref, err) < 0)
                        return -1;
                char fw[128];
                vex_where(fw, sizeof(fw), "%s.full_product_name", w);
                if (vex_get_str(what, fw, fpn, "product_id", true, VEX_MAX_ID, &id, err) < 0)
                        return -1;
                const struct csaf_product *c = csaf_find(t, ref);
                if (!c)
                        return error_set(err, ERROR_INVALID, "%s: %s.product_reference: product_id '%s' is not "
                                         "defined in the product_tree", what, w, VEX_SAFE(safe, ref));
                struct csaf_product copy = *c;
                if (csaf_add(what, fw, t, id, copy.ref, copy.purl, copy.cpe, err) < 0)
                        return -1;
        }
        return 0;
}

/* Does `obj` (a flag, remediation or threat) name product `pid`, directly or
 * through one of its product_groups? */
static bool csaf_names(json_t *obj, const char *pid, json_t *groups) {
        json_t *ids = json_object_get(obj, "product_ids"), *gids = json_object_get(obj, "group_ids"), *x, *g;
        size_t i, k;
        json_array_foreach(ids, i, x) {
                if (str_eq(json_string_value(x), pid))
                        return true;
        }
        json_array_foreach(gids, i, x) {
                json_array_foreach(groups, k, g) {
                        if (!str_eq(json_string_value(json_object_get(g, "group_id")), json_string_value(x)))
                                continue;
                        size_t m;
                        json_t *p;
                        json_array_foreach(json_object_get(g, "product_ids"), m, p) {
                                if (str_eq(json_string_value(p), pid))
                                        return true;
                        }
                }
        }
        return false;
}

/* product_ids / group_ids of a flag, remediation or threat must be strings. */
static int csaf_check_ids(const char *what, const char *where, json_t *obj, struct error *err) {
        static const char *const keys[] = {"product_ids", "group_ids"};
        for (size_t k = 0; k < ELEMENTSOF(keys); k++) {
                json_t *arr;
                if (vex_get_array(what, where, obj, keys[k], false, VEX_MAX_PRODUCTS, &arr, err) < 0)
                        return -1;
                size_t i;
                json_t *x;
                json_array_foreach(arr, i, x) {
                        if (!json_is_string(x) || json_string_length(x) > VEX_MAX_ID)
                                return error_set(err, ERROR_INVALID, "%s: %s.%s[%zu]: expected a product id string",
                                                 what, where, keys[k], i);
                }
        }
        return 0;
}

static int csaf_vulnerability(const char *what, json_t *v, size_t idx, const struct csaf_tree *t,
                              struct vex_document *d, struct error *err) {
        char where[64], safe[96];
        vex_where(where, sizeof(where), "vulnerabilities[%zu]", idx);
        if (!json_is_object(v))
                return error_set(err, ERROR_INVALID, "%s: %s: expected an object", what, where);
        const char *cve;
        json_t *ids, *status, *flags, *remediations, *threats;
        if (vex_get_str(what, where, v, "cve", false, VEX_MAX_ID, &cve, err) < 0 ||
            vex_get_array(what, where, v, "ids", false, VEX_MAX_ALIASES, &ids, err) < 0 ||
            vex_get_object(what, where, v, "product_status", true, &status, err) < 0 ||
            vex_get_array(what, where, v, "flags", false, VEX_MAX_PRODUCTS, &flags, err) < 0 ||
            vex_get_array(what, where, v, "remediations", false, VEX_MAX_PRODUCTS, &remediations, err) < 0 ||
            vex_get_array(what, where, v, "threats", false, VEX_MAX_PRODUCTS, &threats, err) < 0)
                return -1;
        const char *name = cve;
        size_t i;
        json_t *x;
        json_array_foreach(ids, i, x) {
                char w[128];
                const char *text;
                vex_where(w, sizeof(w), "%s.ids[%zu]", where, i);
                if (vex_get_str(what, w, x, "text", true, VEX_MAX_ID, &text, err) < 0)
                        return -1;
                if (!name)
                        name = text;
        }
        if (!name)
                return error_set(err, ERROR_INVALID, "%s: %s: neither cve nor ids (CSAF 6.1.27.8)", what, where);
        json_array_foreach(flags, i, x) {
                char w[128];
                const char *label;
                enum finding_justification j;
                vex_where(w, sizeof(w), "%s.flags[%zu]", where, i);
                if (vex_get_str(what, w, x, "label", true, 128, &label, err) < 0 || csaf_check_ids(what, w, x, err) < 0)
                        return -1;
                if (vex_csaf_flag_in(label, &j) < 0)
                        return error_set(err, ERROR_INVALID, "%s: %s.label: unknown label '%s'", what, w,
                                         VEX_SAFE(safe, label));
        }
        json_array_foreach(remediations, i, x) {
                char w[128];
                const char *cat, *details;
                vex_where(w, sizeof(w), "%s.remediations[%zu]", where, i);
                if (vex_get_str(what, w, x, "category", true, 64, &cat, err) < 0 ||
                    vex_get_str(what, w, x, "details", true, VEX_MAX_TEXT, &details, err) < 0 ||
                    csaf_check_ids(what, w, x, err) < 0)
                        return -1;
                if (!str_eq(cat, "mitigation") && !str_eq(cat, "no_fix_planned") && !str_eq(cat, "none_available") &&
                    !str_eq(cat, "vendor_fix") && !str_eq(cat, "workaround"))
                        return error_set(err, ERROR_INVALID, "%s: %s.category: unknown category '%s'", what, w,
                                         VEX_SAFE(safe, cat));
        }
        json_array_foreach(threats, i, x) {
                char w[128];
                const char *cat, *details;
                vex_where(w, sizeof(w), "%s.threats[%zu]", where, i);
                if (vex_get_str(what, w, x, "category", true, 64, &cat, err) < 0 ||
                    vex_get_str(what, w, x, "details", true, VEX_MAX_TEXT, &details, err) < 0 ||
                    csaf_check_ids(what, w, x, err) < 0)
                        return -1;
        }

        size_t first = d->n_statements;
        const char *key;
        json_t *list;
        json_object_foreach(status, key, list) {
                char w[128];
                vex_where(w, sizeof(w), "%s.product_status", where);
                enum finding_state state;
                if (strcmp(key, "recommended") == 0)
                        continue; /* a recommendation, not a status of the finding */
                if (vex_csaf_status_in(key, &state) < 0)
                        return error_set(err, ERROR_INVALID, "%s: %s: unknown status '%s'", what, w,
                                         VEX_SAFE(safe, key));
                if (!json_is_array(list) || json_array_size(list) > VEX_MAX_PRODUCTS)
                        return error_set(err, ERROR_INVALID, "%s: %s.%s: expected an array of at most %u product ids",
                                         what, w, key, VEX_MAX_PRODUCTS);
                size_t k;
                json_t *pidj;
                json_array_foreach(list, k, pidj) {
                        const char *pid = json_string_value(pidj);
                        if (!pid)
                                return error_set(err, ERROR_INVALID, "%s: %s.%s[%zu]: expected a product id", what, w,
                                                 key, k);
                        const struct csaf_product *p = csaf_find(t, pid);
                        if (!p)
                                return error_set(err, ERROR_INVALID, "%s: %s.%s[%zu]: product_id '%s' is not defined in "
                                                 "the product_tree (CSAF 6.1.1)", what, w, key, k, VEX_SAFE(safe, pid));
                        for (size_t s = first; s < d->n_statements; s++)
                                if (strcmp(d->statements[s].products[0].ref, p->ref) == 0 &&
                                    d->statements[s].state != state)
                                        return error_set(err, ERROR_INVALID, "%s: %s: product_id '%s' has two "
                                                         "contradicting statuses (CSAF 6.1.6)", what, w,
                                                         VEX_SAFE(safe, pid));
                        if (d->n_statements - first >= VEX_MAX_PRODUCTS)
                                return error_set(err, ERROR_TOO_LARGE, "%s: %s: more than %u product statuses", what, w,
                                                 VEX_MAX_PRODUCTS);
                        struct vex_statement *st = vex_doc_add_statement(d, "%s.%s[%zu]", w, key, k);
                        st->vuln = str_dup(name);
                        st->state = state;
                        if (cve)
                                vex_statement_add_alias(st, cve);
                        size_t m;
                        json_array_foreach(ids, m, x) {
                                vex_statement_add_alias(st, json_string_value(json_object_get(x, "text")));
                        }
                        vex_statement_add_product(st, p->ref, p->purl, p->cpe);
                        json_array_foreach(flags, m, x) {
                                if (state == FINDING_NOT_AFFECTED && csaf_names(x, pid, t->groups))
                                        vex_csaf_flag_in(json_string_value(json_object_get(x, "label")),
                                                         &st->justification);
                        }
                        struct buf action = {0};
                        json_array_foreach(remediations, m, x) {
                                if (csaf_names(x, pid, t->groups))
                                        buf_appendf(&action, "%s%s", action.len ? "\n" : "",
                                                    json_string_value(json_object_get(x, "details")));
                        }
                        if (action.len && state == FINDING_AFFECTED)
                                st->action = buf_steal(&action);
                        buf_free(&action);
                        json_array_foreach(threats, m, x) {
                                if (!st->detail && str_eq(json_string_value(json_object_get(x, "category")), "impact") &&
                                    csaf_names(x, pid, t->groups))
                                        st->detail = str_dup(json_string_value(json_object_get(x, "details")));
                        }
                }
        }
        if (d->n_statements == first)
                return error_set(err, ERROR_INVALID, "%s: %s.product_status: names no product", what, where);
        return 0;
}

int vex_parse_csaf(const char *what, json_t *root, struct vex_document *d, struct error *err) {
        json_t *document, *tracking, *tree, *vulns;
        const char *version, *category, *tid;
        char safe[96];
        d->format = VEX_FORMAT_CSAF;
        if (vex_get_object(what, "", root, "document", true, &document, err) < 0 ||
            vex_get_str(what, "document", document, "csaf_version", true, 16, &version, err) < 0 ||
            vex_get_str(what, "document", document, "category", true, 128, &category, err) < 0 ||
            vex_get_object(what, "document", document, "tracking", true, &tracking, err) < 0 ||
            vex_get_str(what, "document.tracking", tracking, "id", true, VEX_MAX_ID, &tid, err) < 0)
                return -1;
        if (strcmp(version, "2.0") != 0)
                return error_set(err, ERROR_INVALID, "%s: document.csaf_version '%s': Cradle reads CSAF 2.0", what,
                                 VEX_SAFE(safe, version));
        if (vex_get_object(what, "", root, "product_tree", true, &tree, err) < 0 ||
            vex_get_array(what, "", root, "vulnerabilities", true, VEX_MAX_STATEMENTS, &vulns, err) < 0)
                return -1;
        d->spec_version = str_dup(version);
        d->id = str_dup(tid);
        struct csaf_tree t = {0};
        int r = csaf_tree_read(what, tree, &t, err);
        size_t i;
        json_t *v;
        if (r == 0)
                json_array_foreach(vulns, i, v) {
                        if ((r = csaf_vulnerability(what, v, i, &t, d, err)) < 0)
                                break;
                        if (d->n_statements > VEX_MAX_STATEMENTS * 4) {
                                r = error_set(err, ERROR_TOO_LARGE, "%s: more than %u product statuses", what,
                                              VEX_MAX_STATEMENTS * 4);
                                break;
                        }
                }
        free(t.p);
        return r;
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * CSAF 2.0 advisories (a supplier PSIRT's security_advisory or vex
 * document), read whole within the record limit. Each entry of
 * `vulnerabilities` becomes one record "<tracking.id>#<cve or index>" of
 * source "csaf" (modified = tracking.current_release_date), named by its
 * CVE and any GHSA/EUVD ids. The mapping to affected entries (also in
 * docs/vulnerabilities.md):
 *  - a product is found in product_tree (branches, full_product_names, and
 *    relationships, which stand for their product_reference: the component,
 *    never the platform it is installed on) and is usable only through its
 *    product_identification_helper purl or cpe; others are counted as
 *    skipped with the reason;
 *  - purl products group by the purl without version and qualifiers into
 *    one OSV affected object: known_affected / first_affected /
 *    last_affected versions go to `versions` (a purl without a version means
 *    every version: a range introduced "0"); when a package has fixed /
 *    first_fixed versions but no affected ones (the Red Hat style: "these
 *    builds fix it"), each fixed version gives a range introduced "0" fixed V;
 *  - cpe products that are known_affected / first_affected / last_affected
 *    become one NVD configuration (one OR node, each CPE vulnerable);
 *    fixed CPEs add nothing (a configuration cannot say "fixed");
 *  - known_not_affected and under_investigation add nothing (VEX statements
 *    are the VEX import's, issue 9 section 4).
 */
#include <stdlib.h>
#include <string.h>

#include "core/cleanup.h"
#include "core/strutil.h"
#include "vuln/feed.h"

#define CSAF_DEPTH_MAX 30
#define CSAF_PRODUCTS_MAX 200000

struct csaf {
        struct vuln_import *imp;
        const char *what;
        json_t *products;       /* product_id -> {name, version?, purl?, cpe?} */
        size_t count;
};

static int add_product(struct csaf *c, json_t *prod, const char *version, struct error *err) {
        const char *id = vuln_feed_str(prod, "product_id");
        if (!id)
                return 0;
        if (++c->count > CSAF_PRODUCTS_MAX)
                return error_set(err, ERROR_TOO_LARGE, "%s: more than %d products", c->what, CSAF_PRODUCTS_MAX);
        json_t *helper = json_object_get(prod, "product_identification_helper");
        json_t *p = json_pack("{s:s}", "name", vuln_feed_str(prod, "name") ? vuln_feed_str(prod, "name") : id);
        if (version)
                json_object_set_new(p, "version", json_string(version));
        if (vuln_feed_str(helper, "purl"))
                json_object_set_new(p, "purl", json_string(vuln_feed_str(helper, "purl")));
        if (vuln_feed_str(helper, "cpe"))
                json_object_set_new(p, "cpe", json_string(vuln_feed_str(helper, "cpe")));
        json_object_set_new(c->products, id, p);
        return 0;
}

static int walk_branches(struct csaf *c, json_t *branches, const char *version, int depth, struct error *err) {
        if (depth > CSAF_DEPTH_MAX)
                return error_set(err, ERROR_INVALID, "%s: product_tree branches nest deeper than %d", c->what,
                                 CSAF_DEPTH_MAX);
        size_t i;
        json_t *b;
        json_array_foreach(branches, i, b) {
                const char *cat = vuln_feed_str(b, "category");
                const char *v = str_eq(cat, "product_version") ? vuln_feed_str(b, "name") : version;
                json_t *prod = json_object_get(b, "product");
                if (json_is_object(prod) && add_product(c, prod, v, err) < 0)
                        return -1;
                if (walk_branches(c, json_object_get(b, "branches"), v, depth + 1, err) < 0)
                        return -1;
        }
        return 0;
}

static int collect_products(struct csaf *c, json_t *tree, struct error *err) {
        if (walk_branches(c, json_object_get(tree, "branches"), NULL, 0, err) < 0)
                return -1;
        size_t i;
        json_t *p;
        json_array_foreach(json_object_get(tree, "full_product_names"), i, p) if (add_product(c, p, NULL, err) <
                                                                                  0) return -1;
        /* a relationship names the component installed on a platform: it
         * stands for the component (its product_reference) */
        json_array_foreach(json_object_get(tree, "relationships"), i, p) {
                json_t *fpn = json_object_get(p, "full_product_name");
                const char *rid = vuln_feed_str(fpn, "product_id");
                json_t *comp = json_object_get(c->products, vuln_feed_str(p, "product_reference") ?: "");
                if (!rid || !comp)
                        continue;
                json_object_set(c->products, rid, comp);
        }
        return 0;
}

/* Splits "pkg:t/ns/name@1.2?q=1#sub" into the base "pkg:t/ns/name" and the version "1.2" (or NULL). */
static char *purl_base(const char *purl, char **version) {
        size_t n = strcspn(purl, "?#");
        char *base = xmalloc(n + 1);
        memcpy(base, purl, n);
        base[n] = '\0';
        char *at = strrchr(base, '@');
        *version = NULL;
        if (at && at > base + 4) {
                *at = '\0';
                if (at[1])
                        *version = str_dup(at + 1);
        }
        return base;
}

struct groups {
        json_t *purls;          /* base -> {name, affected: [...], all: bool, fixed: [...]} */
        json_t *cpes;           /* array of affected CPEs */
        size_t unusable;
};

static void add_status(struct csaf *c, struct groups *g, json_t *ids, bool affected) {
        size_t i;
        json_t *v;
        json_array_foreach(ids, i, v) {
                json_t *p = json_object_get(c->products, json_string_value(v) ?: "");
                const char *purl = vuln_feed_str(p, "purl"), *cpe = vuln_feed_str(p, "cpe");
                if (purl && str_startswith(purl, "pkg:")) {
                        char *ver = NULL;
                        _cleanup_free_ char *base = purl_base(purl, &ver);
                        json_t *grp = json_object_get(g->purls, base);
                        if (!grp) {
                                grp = json_pack("{s:s, s:[], s:[], s:b}", "name", vuln_feed_str(p, "name"), "affected",
                                                "fixed", "all", 0);
                                json_object_set_new(g->purls, base, grp);
                        }
                        if (!ver && affected)
                                json_object_set_new(grp, "all", json_true());
                        else if (ver)
                                vuln_feed_add_id(json_object_get(grp, affected ? "affected" : "fixed"), ver);
                        free(ver);
                } else if (cpe) {
                        if (affected)
                                vuln_feed_add_id(g->cpes, cpe);
                } else {
                        g->unusable++;
                }
        }
}

static json_t *build_affected(struct groups *g) {
        json_t *out = json_array();
        const char *base;
        json_t *grp;
        json_object_foreach(g->purls, base, grp) {
                json_t *aff = json_object_get(grp, "affected"), *fixed = json_object_get(grp, "fixed");
                bool all = json_is_true(json_object_get(grp, "all"));
                json_t *o = json_pack("{s:{s:s}}", "package", "purl", base);
                if (json_array_size(aff) > 0)
                        json_object_set(o, "versions", aff);
                json_t *ranges = json_array();
                if (all) {
                        json_array_append_new(ranges, json_pack("{s:s, s:[{s:s}]}", "type", "ECOSYSTEM", "events",
                                                                "introduced", "0"));
                } else if (json_array_size(aff) == 0) {
                        size_t i;
                        json_t *f;
                        json_array_foreach(fixed, i, f) json_array_append_new(
                                ranges, json_pack("{s:s, s:[{s:s}, {s:O}]}", "type", "ECOSYSTEM", "events",
                                                  "introduced", "0", "fixed", f));
                }
                if (json_array_size(ranges) > 0)
                        json_object_set_new(o, "ranges", ranges);
                else
                        json_decref(ranges);
                if (json_object_get(o, "versions") || json_object_get(o, "ranges"))
                        json_array_append_new(out, json_pack("{s:s, s:o}", "kind", "purl", "data", o));
                else
                        json_decref(o);
        }
        if (json_array_size(g->cpes) > 0) {
                json_t *matches = json_array();
                size_t i;
                json_t *cpe;
                json_array_foreach(g->cpes, i, cpe) json_array_append_new(
                        matches, json_pack("{s:b, s:O}", "vulnerable", 1, "criteria", cpe));
                json_array_append_new(out, json_pack("{s:s, s:{s:[{s:s, s:b, s:o}]}}", "kind", "cpe", "data", "nodes",
                                                     "operator", "OR", "negate", 0, "cpeMatch", matches));
        }
        return out;
}

static const char *note_text(json_t *v, const char *category) {
        size_t i;
        json_t *n;
        json_array_foreach(json_object_get(v, "notes"), i, n) if (str_eq(vuln_feed_str(n, "category"), category))
                return vuln_feed_str(n, "text");
        return NULL;
}

static int one_vulnerability(struct csaf *c, json_t *doc, json_t *v, size_t index, struct error *err) {
        json_t *tracking = json_object_get(json_object_get(doc, "document"), "tracking");
        const char *doc_id = vuln_feed_str(tracking, "id");
        const char *cve = vuln_feed_str(v, "cve");
        char rid[300];
        if (cve)
                snprintf(rid, sizeof(rid), "%.200s#%.64s", doc_id, cve);
        else
                snprintf(rid, sizeof(rid), "%.200s#%zu", doc_id, index);
        if (!json_is_object(v)) {
                vuln_import_skip(c->imp, "csaf", rid, "a vulnerability that is not an object");
                return 0;
        }
        json_t *status = json_object_get(v, "product_status");
        if (status && !json_is_object(status)) {
                vuln_import_skip(c->imp, "csaf", rid, "'product_status' is not an object");
                return 0;
        }
        _cleanup_json_ json_t *ids = json_array();
        vuln_feed_add_id(ids, cve);
        size_t i;
        json_t *x;
        json_array_foreach(json_object_get(v, "ids"), i, x) {
                const char *t = vuln_feed_str(x, "text");
                if (t && (str_startswith(t, "GHSA-") || str_startswith(t, "EUVD-") || str_startswith(t, "CVE-")))
                        vuln_feed_add_id(ids, t);
        }
        if (json_array_size(ids) == 0)
                vuln_feed_add_id(ids, rid); /* a supplier-only id: the record names itself */
        _cleanup_json_ json_t *data = json_object();
        const char *summary = note_text(v, "summary") ?: note_text(v, "description") ?: vuln_feed_str(v, "title");
        if (summary)
                json_object_set_new(data, "summary", json_string(summary));
        json_object_set_new(data, "advisory", json_string(doc_id));
        json_t *cwe = json_object_get(v, "cwe");
        json_object_set_new(data, "cwes", json_array());
        vuln_feed_add_id(json_object_get(data, "cwes"), vuln_feed_str(cwe, "id"));
        json_array_foreach(json_object_get(v, "scores"), i, x) {
                json_t *v3 = json_object_get(x, "cvss_v3");
                json_t *score = json_object_get(v3, "baseScore");
                if (v3 && vuln_feed_set_cvss(data, vuln_feed_str(v3, "vectorString"),
                                             json_is_number(score) ? json_number_value(score) : -1, "csaf"))
                        break;
        }
        json_t *refs = json_array();
        json_array_foreach(json_object_get(v, "references"), i, x) if (vuln_feed_str(x, "url") &&
                                                                        json_array_size(refs) < 64)
                json_array_append_new(refs, json_string(vuln_feed_str(x, "url")));
        json_object_set_new(data, "references", refs);
        struct groups g = {.purls = json_object(), .cpes = json_array()};
        static const char *const affected_lists[] = {"known_affected", "first_affected", "last_affected"};
        static const char *const fixed_lists[] = {"fixed", "first_fixed"};
        for (size_t k = 0; k < ELEMENTSOF(affected_lists); k++)
                add_status(c, &g, json_object_get(status, affected_lists[k]), true);
        for (size_t k = 0; k < ELEMENTSOF(fixed_lists); k++)
                add_status(c, &g, json_object_get(status, fixed_lists[k]), false);
        _cleanup_json_ json_t *affected = build_affected(&g);
        if (g.unusable > 0) {
                vuln_import_note(c->imp, "CSAF products without a purl or cpe identification helper cannot be "
                                         "matched and are left out of the affected entries");
                json_object_set_new(data, "products_without_identifier", json_integer((json_int_t) g.unusable));
        }
        json_decref(g.purls);
        json_decref(g.cpes);
        struct vuln_feed_record rec = {
                .source = "csaf", .record_id = rid, .modified = vuln_feed_str(tracking, "current_release_date"),
                .published = vuln_feed_str(tracking, "initial_release_date"), .ids = ids, .data = data,
                .affected = affected,
        };
        return vuln_import_record(c->imp, &rec, err);
}

int vuln_feed_csaf(struct vuln_import *imp, const char *what, json_t *doc, struct error *err) {
        json_t *document = json_object_get(doc, "document");
        const char *version = vuln_feed_str(document, "csaf_version");
        if (!json_is_object(document) || !version)
                return error_set(err, ERROR_INVALID, "%s: no document.csaf_version: not a CSAF document", what);
        if (strcmp(version, "2.0") != 0)
                return error_set(err, ERROR_UNSUPPORTED, "%s: CSAF version '%.16s' is not supported (only 2.0)", what,
                                 version);
        json_t *tracking = json_object_get(document, "tracking");
        if (!vuln_feed_str(tracking, "id") || !vuln_feed_str(tracking, "current_release_date"))
                return error_set(err, ERROR_INVALID, "%s: document.tracking needs 'id' and 'current_release_date'",
                                 what);
        if (str_eq(vuln_feed_str(tracking, "status"), "draft"))
                return error_set(err, ERROR_INVALID, "%s: a draft advisory (tracking.status 'draft') is not imported",
                                 what);
        json_t *vulns = json_object_get(doc, "vulnerabilities");
        if (vulns && !json_is_array(vulns))
                return error_set(err, ERROR_INVALID, "%s: 'vulnerabilities' is not an array", what);
        json_t *tree = json_object_get(doc, "product_tree");
        if (tree && !json_is_object(tree))
                return error_set(err, ERROR_INVALID, "%s: 'product_tree' is not an object", what);
        struct csaf c = {.imp = imp, .what = what, .products = json_object()};
        int rc = collect_products(&c, tree, err);
        size_t i;
        json_t *v;
        if (rc == 0)
                json_array_foreach(vulns, i, v) if ((rc = one_vulnerability(&c, doc, v, i, err)) < 0) break;
        json_decref(c.products);
        return rc;
}

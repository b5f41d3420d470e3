/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The quality report of one SBOM against BSI TR-03183-2 v2.1.0 (the
 * required fields of a component: creator/supplier, name, version, a
 * SHA-512 hash of the deployable component, licence, other unique
 * identifiers, and the dependencies) and the CRA's minimum (Annex I Part II
 * (1): the components, at least the top-level dependencies). One more check
 * is Cradle's own: can a matcher use the component at all (a valid purl or a
 * valid CPE)? A component without one is invisible to osv-scanner and trivy
 * and only name-matchable here, at low confidence.
 *
 * The score is the weighted share of passed checks (weights below, 100 in
 * all); each failed check gives one action with a count, what to fix and up
 * to five example components.
 */
#include <string.h>

#include "core/strutil.h"
#include "sbom/sbom.h"

enum {
        Q_SUPPLIER,
        Q_VERSION,
        Q_HASH,
        Q_LICENSE,
        Q_IDENT,
        Q_MATCHABLE,
        Q_DEPS,
        Q_DOCUMENT,
        Q_COUNT
};

static const struct {
        const char *id, *title;
        int weight;
        const char *fix;
} checks[Q_COUNT] = {
        [Q_SUPPLIER] = { "supplier", "component supplier (BSI TR-03183-2: creator of the component)", 15,
                         "name the supplier: CycloneDX supplier.name, SPDX 2 PackageSupplier, SPDX 3 suppliedBy" },
        [Q_VERSION] = { "version", "component version", 15,
                        "give the version: CycloneDX version, SPDX 2 PackageVersion, SPDX 3 software_packageVersion" },
        [Q_HASH] = { "hash-sha512", "SHA-512 hash of each deployable component (BSI TR-03183-2)", 10,
                     "add a SHA-512 hash of the deployed file or archive (CycloneDX hashes, SPDX checksums, SPDX 3 "
                     "verifiedUsing); other algorithms do not satisfy BSI TR-03183-2" },
        [Q_LICENSE] = { "license", "licence (SPDX expression)", 10,
                        "state the licence as an SPDX expression (concluded or declared)" },
        [Q_IDENT] = { "identifier", "unique identifier (purl or CPE)", 10,
                      "add a purl (pkg:...) or a CPE (cpe:2.3:...) to the component" },
        [Q_MATCHABLE] = { "matchable", "usable by a vulnerability matcher (a valid purl or a valid CPE)", 20,
                          "give a valid purl or CPE 2.3 with a real vendor and product (not '*'): without one, the "
                          "component is matched by name only, at low confidence, or not at all" },
        [Q_DEPS] = { "dependencies", "dependency completeness (the root's direct dependencies, every component in "
                                     "the graph)", 15,
                     "state the dependency graph: the root component's direct dependencies (CycloneDX "
                     "dependencies, SPDX DEPENDS_ON/CONTAINS from the described package) and every component "
                     "reachable in it" },
        [Q_DOCUMENT] = { "document", "document creator tool and timestamp", 5,
                         "record the tool that wrote the SBOM and when (CycloneDX metadata.tools/timestamp, SPDX "
                         "creationInfo)" },
};

static bool any_valid(const struct sbom_strv *v, const char *kind, sbom_ident_valid_fn fn, void *ctx) {
        for (size_t i = 0; i < v->n; i++)
                if (!fn || fn(kind, v->v[i], ctx))
                        return true;
        return false;
}

json_t *sbom_quality(const struct sbom_doc *d, sbom_ident_valid_fn ident_valid, void *ctx, int *score) {
        size_t passed[Q_COUNT] = { 0 }, total[Q_COUNT] = { 0 };
        json_t *examples[Q_COUNT];
        for (int k = 0; k < Q_COUNT; k++)
                examples[k] = json_array();
        bool *in_graph = xcalloc(d->n_components ? d->n_components : 1, sizeof(bool));
        for (size_t e = 0; e < d->n_edges; e++)
                in_graph[d->edges[e].to] = true;
        size_t matchable = 0;
        for (size_t i = 0; i < d->n_components; i++) {
                const struct sbom_component *c = &d->components[i];
                bool ok[Q_COUNT] = { 0 }, applies[Q_COUNT];
                for (int k = 0; k < Q_COUNT; k++)
                        applies[k] = k != Q_DOCUMENT;
                ok[Q_SUPPLIER] = c->supplier && *c->supplier;
                ok[Q_VERSION] = c->version && *c->version;
                applies[Q_HASH] = !c->build_only;
                ok[Q_HASH] = json_object_get(c->hashes, "sha512") != NULL;
                ok[Q_LICENSE] = c->licenses && *c->licenses;
                ok[Q_IDENT] = c->purls.n + c->cpes.n > 0;
                ok[Q_MATCHABLE] = any_valid(&c->purls, "purl", ident_valid, ctx) ||
                                  any_valid(&c->cpes, "cpe", ident_valid, ctx);
                ok[Q_DEPS] = d->has_graph && (c->top_level || in_graph[i]);
                if (ok[Q_MATCHABLE])
                        matchable++;
                for (int k = 0; k < Q_COUNT; k++) {
                        if (!applies[k])
                                continue;
                        total[k]++;
                        if (ok[k])
                                passed[k]++;
                        else if (json_array_size(examples[k]) < 5)
                                json_array_append_new(examples[k], json_string(c->name));
                }
        }
        free(in_graph);
        total[Q_DOCUMENT] = 2;
        passed[Q_DOCUMENT] = (d->tool && *d->tool ? 1 : 0) + (d->created && *d->created ? 1 : 0);
        if (!d->tool || !*d->tool)
                json_array_append_new(examples[Q_DOCUMENT], json_string("no creator tool"));
        if (!d->created || !*d->created)
                json_array_append_new(examples[Q_DOCUMENT], json_string("no timestamp"));
        json_t *list = json_array(), *actions = json_array();
        double sum = 0;
        for (int k = 0; k < Q_COUNT; k++) {
                size_t failed = total[k] - passed[k];
                json_array_append_new(list, json_pack("{s:s, s:s, s:I, s:I, s:i}", "id", checks[k].id, "title",
                                                      checks[k].title, "passed", (json_int_t) passed[k], "failed",
                                                      (json_int_t) failed, "weight", checks[k].weight));
                /* A check with nothing to apply to (no deployable component) is met. */
                sum += total[k] ? checks[k].weight * (double) passed[k] / (double) total[k] : checks[k].weight;
                if (failed) {
                        char msg[600];
                        if (k == Q_DOCUMENT)
                                snprintf(msg, sizeof(msg), "the document lacks its creator tool or timestamp: %s",
                                         checks[k].fix);
                        else
                                snprintf(msg, sizeof(msg), "%zu of %zu components fail \"%s\": %s", failed, total[k],
                                         checks[k].id, checks[k].fix);
                        json_array_append_new(actions, json_pack("{s:s, s:I, s:s, s:O}", "check", checks[k].id,
                                                                 "count", (json_int_t) failed, "message", msg,
                                                                 "examples", examples[k]));
                }
                json_decref(examples[k]);
        }
        if (!d->has_graph || !d->root_has_edges) {
                json_array_append_new(
                        actions,
                        json_pack("{s:s, s:I, s:s, s:[]}", "check", "dependencies", "count", (json_int_t) 1, "message",
                                  !d->has_graph ? "the document states no dependencies at all: the top level (CRA "
                                                  "Annex I Part II (1)) cannot be told from the rest"
                                                : "the root component's direct dependencies are not stated: the top "
                                                  "level is inferred as the components nothing depends on",
                                  "examples"));
        }
        if (d->dangling_refs)
                json_array_append_new(actions, json_pack("{s:s, s:I, s:s, s:[]}", "check", "dependencies", "count",
                                                         (json_int_t) d->dangling_refs, "message",
                                                         "dependencies name components the document does not "
                                                         "define (or other documents): those edges were skipped",
                                                         "examples"));
        int s = d->n_components ? (int) (sum + 0.5) : 0;
        if (s > 100)
                s = 100;
        if (!d->n_components)
                json_array_insert_new(actions, 0,
                                      json_pack("{s:s, s:I, s:s, s:[]}", "check", "components", "count", (json_int_t) 1,
                                                "message", "the SBOM lists no components", "examples"));
        *score = s;
        return json_pack("{s:i, s:s, s:I, s:I, s:I, s:I, s:o, s:o}", "score", s, "standard",
                         "BSI TR-03183-2 v2.1.0; CRA Annex I Part II (1)", "components",
                         (json_int_t) d->n_components, "matchable", (json_int_t) matchable, "unmatchable",
                         (json_int_t) (d->n_components - matchable), "dangling_refs", (json_int_t) d->dangling_refs,
                         "checks", list, "actions", actions);
}

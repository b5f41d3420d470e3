/* SPDX-License-Identifier: Apache-2.0 */
/*
 * NVD CVE API 2.0 configurations, evaluated for one component:
 *   {operator?: AND|OR, negate?, nodes: [{operator: AND|OR, negate?,
 *     cpeMatch: [{vulnerable, criteria, versionStart/End Including/Excluding}]}]}
 *
 * One component cannot show the whole system it runs in, so each condition
 * is three-valued: true, false, or unknown (a platform that may or may not be
 * on the device). A cpeMatch with vulnerable=true holds when the component's
 * CPE is inside it; one with vulnerable=false ("running on") holds when the
 * component is that platform and is unknown otherwise. AND/OR combine with
 * Kleene logic and negate swaps true and false. The component is affected
 * only when it satisfied a vulnerable=true cpeMatch itself and the whole
 * configuration is not false: being the platform a vulnerable application
 * runs on never makes a component vulnerable (grype #2770).
 *
 * A component CPE whose vendor or product is '*' or '-' is never compared: a
 * wildcard there would match every record (Dependency-Track #3178, #3146,
 * #3268). The criteria version '*' means "use the range fields" (all versions
 * when there are none); versions compare in the generic scheme (OpenSSL
 * letter releases, 2.8.123e vs 2.8.75).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/cleanup.h"
#include "core/strutil.h"
#include "vuln/match-internal.h"

enum tri { T_FALSE = 0, T_TRUE = 1, T_UNKNOWN = 2 };

static const char *const range_keys[] = {"versionStartIncluding", "versionStartExcluding", "versionEndIncluding",
                                         "versionEndExcluding"};

int vuln_nvd_config_check(const json_t *config, struct error *err) {
        if (!json_is_object(config)) return error_set(err, ERROR_INVALID, "NVD configuration: not a JSON object");
        json_t *op = json_object_get(config, "operator"), *neg = json_object_get(config, "negate");
        if (op && (!json_is_string(op) || (strcmp(json_string_value(op), "AND") && strcmp(json_string_value(op), "OR"))))
                return error_set(err, ERROR_INVALID, "NVD configuration: \"operator\" is not \"AND\" or \"OR\"");
        if (neg && !json_is_boolean(neg)) return error_set(err, ERROR_INVALID, "NVD configuration: \"negate\" is not a boolean");
        json_t *nodes = json_object_get(config, "nodes");
        if (!json_is_array(nodes) || !json_array_size(nodes))
                return error_set(err, ERROR_INVALID, "NVD configuration: \"nodes\" is missing or empty");
        if (json_array_size(nodes) > VULN_MATCH_MAX_NODES)
                return error_set(err, ERROR_TOO_LARGE, "NVD configuration: more than %d nodes", VULN_MATCH_MAX_NODES);
        size_t i;
        json_t *node;
        json_array_foreach(nodes, i, node) {
                if (!json_is_object(node)) return error_set(err, ERROR_INVALID, "NVD configuration: nodes[%zu] is not an object", i);
                op = json_object_get(node, "operator");
                neg = json_object_get(node, "negate");
                if (op && (!json_is_string(op) || (strcmp(json_string_value(op), "AND") && strcmp(json_string_value(op), "OR"))))
                        return error_set(err, ERROR_INVALID, "NVD configuration: nodes[%zu].operator is not \"AND\" or \"OR\"", i);
                if (neg && !json_is_boolean(neg))
                        return error_set(err, ERROR_INVALID, "NVD configuration: nodes[%zu].negate is not a boolean", i);
                if (json_object_get(node, "children"))
                        return error_set(err, ERROR_INVALID, "NVD configuration: nodes[%zu] has \"children\" (the NVD 1.1 "
                                                             "feed shape; CVE API 2.0 nodes are flat)", i);
                json_t *m = json_object_get(node, "cpeMatch");
                if (!json_is_array(m) || !json_array_size(m))
                        return error_set(err, ERROR_INVALID, "NVD configuration: nodes[%zu].cpeMatch is missing or empty", i);
                if (json_array_size(m) > VULN_MATCH_MAX_CPEMATCH)
                        return error_set(err, ERROR_TOO_LARGE, "NVD configuration: nodes[%zu] has more than %d cpeMatch", i,
                                         VULN_MATCH_MAX_CPEMATCH);
                size_t j;
                json_t *cm;
                json_array_foreach(m, j, cm) {
                        if (!json_is_object(cm))
                                return error_set(err, ERROR_INVALID, "NVD configuration: nodes[%zu].cpeMatch[%zu] is not an object", i, j);
                        if (!json_is_boolean(json_object_get(cm, "vulnerable")))
                                return error_set(err, ERROR_INVALID,
                                                 "NVD configuration: nodes[%zu].cpeMatch[%zu].vulnerable is missing or not a boolean", i, j);
                        json_t *crit = json_object_get(cm, "criteria");
                        if (!json_is_string(crit))
                                return error_set(err, ERROR_INVALID,
                                                 "NVD configuration: nodes[%zu].cpeMatch[%zu].criteria is missing or not a string", i, j);
                        struct cpe c;
                        struct error e2 = {0};
                        if (cpe_parse(json_string_value(crit), &c, &e2) < 0)
                                return error_set(err, ERROR_INVALID, "NVD configuration: nodes[%zu].cpeMatch[%zu].criteria: %s", i, j, e2.msg);
                        cpe_free(&c);
                        for (size_t k = 0; k < ELEMENTSOF(range_keys); k++) {
                                json_t *rv = json_object_get(cm, range_keys[k]);
                                if (rv && (!json_is_string(rv) || !json_string_length(rv)))
                                        return error_set(err, ERROR_INVALID, "NVD configuration: nodes[%zu].cpeMatch[%zu].%s is not a non-empty string",
                                                         i, j, range_keys[k]);
                        }
                        if (json_object_get(cm, "versionStartIncluding") && json_object_get(cm, "versionStartExcluding"))
                                return error_set(err, ERROR_INVALID, "NVD configuration: nodes[%zu].cpeMatch[%zu] has both versionStartIncluding and versionStartExcluding", i, j);
                        if (json_object_get(cm, "versionEndIncluding") && json_object_get(cm, "versionEndExcluding"))
                                return error_set(err, ERROR_INVALID, "NVD configuration: nodes[%zu].cpeMatch[%zu] has both versionEndIncluding and versionEndExcluding", i, j);
                }
        }
        return 0;
}

struct nvd_eval {
        const struct cpe *cpes;
        const char *const *cpe_texts;
        size_t ncpes;
        const char *name;               /* by_name: the component name, lowercased */
        const char *version;            /* the component's version when its CPE has none */
        bool by_name;
        json_t *expl;
        json_t *tried;                  /* one line per cpeMatch that named the component */
        bool contributed;               /* a vulnerable=true cpeMatch held for the component */
        bool unevaluable;
        char unevaluable_why[ERROR_MSG_MAX];
};

static bool criteria_names_product(const struct cpe *crit, const struct cpe *comp, const char **note) {
        const struct cpe_attr *cv = &comp->a[CPE_VENDOR], *cp = &comp->a[CPE_PRODUCT];
        *note = NULL;
        /* the component side is never a wildcard */
        if (cv->kind != CPE_AV_VALUE || cp->kind != CPE_AV_VALUE || cv->wild || cp->wild) return false;
        if (!cpe_attr_matches(&crit->a[CPE_VENDOR], cv) || !cpe_attr_matches(&crit->a[CPE_PRODUCT], cp)) return false;
        const struct cpe_attr *pc = &crit->a[CPE_PART], *pp = &comp->a[CPE_PART];
        if (pc->kind == CPE_AV_VALUE && pp->kind == CPE_AV_VALUE && strcmp(pc->value, pp->value)) {
                /* a vs o is a generator's guess (kernels are written both
                 * ways; grype #2365); hardware vs software is not */
                if (!strcmp(pc->value, "h") || !strcmp(pp->value, "h")) return false;
                *note = "the part differs (a/o); vendor and product decide";
        }
        return true;
}

/* Is version inside the cpeMatch (criteria version or range fields)? 1 yes,
 * 0 no, -1 not comparable (why). */
static int cpematch_version(const json_t *cm, const struct cpe *crit, const char *version, json_t *expl, char *why,
                            size_t whylen) {
        const struct cpe_attr *cv = &crit->a[CPE_VERSION];
        bool ranged = false;
        for (size_t k = 0; k < ELEMENTSOF(range_keys); k++) ranged |= json_object_get(cm, range_keys[k]) != NULL;
        struct error err = {0};
        if (cv->kind == CPE_AV_NA) {
                /* '-': the product has no versions; a versioned component is
                 * not it (CVE-2023-3079 marks linux_kernel:- this way) */
                vuln_expl_comparison(expl, version, "==", "- (no version)", false);
                return 0;
        }
        if (!vuln_version_valid(VULN_SCHEME_GENERIC, version, &err)) {
                snprintf(why, whylen, "%.300s", err.msg);
                return -1;
        }
        if (cv->kind == CPE_AV_VALUE) {
                if (cv->wild) {
                        struct cpe_attr lit = {.kind = CPE_AV_VALUE, .value = (char *) version};
                        bool m = cpe_attr_matches(cv, &lit);
                        vuln_expl_comparison(expl, version, "matches", cv->value, m);
                        return m;
                }
                int c = 1;
                if (vuln_version_compare(VULN_SCHEME_GENERIC, version, cv->value, &c, &err) < 0) {
                        /* the criteria version is not generic-comparable: exact text */
                        c = strcmp(version, cv->value);
                }
                vuln_expl_comparison(expl, version, "==", cv->value, c == 0);
                if (c != 0) return 0;
        }
        if (!ranged) {
                if (cv->kind == CPE_AV_ANY) vuln_expl_comparison(expl, version, "in", "* (every version: no range given)", true);
                return 1;
        }
        static const char *const ops[] = {">=", ">", "<=", "<"};
        for (size_t k = 0; k < ELEMENTSOF(range_keys); k++) {
                json_t *rv = json_object_get(cm, range_keys[k]);
                if (!rv) continue;
                const char *b = json_string_value(rv);
                int c = 0;
                if (vuln_version_compare(VULN_SCHEME_GENERIC, version, b, &c, &err) < 0) {
                        snprintf(why, whylen, "%s: %.300s", range_keys[k], err.msg);
                        return -1;
                }
                bool holds = k == 0 ? c >= 0 : k == 1 ? c > 0 : k == 2 ? c <= 0 : c < 0;
                vuln_expl_comparison(expl, version, ops[k], b, holds);
                if (!holds) return 0;
        }
        return 1;
}

/* Other attributes: the criteria's ANY matches anything. The update is
 * strict: criteria "6.8:rc1" names a pre-release, and a component written
 * "6.8:*" is the release itself, not its rc1. For the rest (edition,
 * sw_edition, target_sw, ...) an ANY in the component does not exclude:
 * SBOM generators rarely know them. */
static bool other_attrs_match(const struct cpe *crit, const struct cpe *comp) {
        for (int f = CPE_UPDATE; f < CPE_NFIELDS; f++) {
                const struct cpe_attr *p = &crit->a[f], *v = &comp->a[f];
                if (p->kind == CPE_AV_ANY) continue;
                if (v->kind == CPE_AV_ANY && f != CPE_UPDATE) continue;
                if (!cpe_attr_matches(p, v)) return false;
        }
        return true;
}

static enum tri eval_cpematch(struct nvd_eval *e, const json_t *cm, size_t node_i, size_t j, bool negated) {
        bool vulnerable = json_is_true(json_object_get(cm, "vulnerable"));
        const char *criteria = json_string_value(json_object_get(cm, "criteria"));
        struct cpe crit;
        if (cpe_parse(criteria, &crit, NULL) < 0) return T_FALSE; /* checked before */
        enum tri out = vulnerable ? T_FALSE : T_UNKNOWN;

        size_t n = e->by_name ? 1 : e->ncpes;
        for (size_t c = 0; c < n; c++) {
                const char *note = NULL;
                const char *version = NULL;
                if (e->by_name) {
                        const struct cpe_attr *pp = &crit.a[CPE_PRODUCT];
                        if (pp->kind != CPE_AV_VALUE || pp->wild || strcmp(pp->value, e->name) != 0) continue;
                        version = e->version;
                } else {
                        if (!criteria_names_product(&crit, &e->cpes[c], &note)) continue;
                        if (!other_attrs_match(&crit, &e->cpes[c])) continue;
                        const struct cpe_attr *v = &e->cpes[c].a[CPE_VERSION];
                        version = v->kind == CPE_AV_VALUE && !v->wild ? v->value : e->version;
                }
                json_t *line = json_object();
                json_object_set_new(line, "record_field", json_sprintf("nodes[%zu].cpeMatch[%zu]", node_i, j));
                json_object_set(line, "cpeMatch", (json_t *) cm);
                json_object_set_new(line, "identifier", json_string(e->by_name ? e->name : e->cpe_texts[c]));
                if (note) json_object_set_new(line, "note", json_string(note));
                if (!vulnerable)
                        json_object_set_new(line, "role", json_string("platform (vulnerable: false, \"running on\"): "
                                                                      "never makes the component vulnerable"));
                if (!version) {
                        json_object_set_new(line, "outcome", json_string("the component has no version"));
                        json_array_append_new(e->tried, line);
                        if (vulnerable && !negated && !e->unevaluable) {
                                e->unevaluable = true;
                                snprintf(e->unevaluable_why, sizeof e->unevaluable_why,
                                         "the component names the product of nodes[%zu].cpeMatch[%zu] but has no version", node_i, j);
                        }
                        if (out == T_FALSE) out = T_UNKNOWN;
                        continue;
                }
                char why[ERROR_MSG_MAX] = "";
                int in = cpematch_version(cm, &crit, version, line, why, sizeof why);
                if (in < 0) {
                        json_object_set_new(line, "outcome", json_sprintf("not comparable: %s", why));
                        if (vulnerable && !negated && !e->unevaluable) {
                                e->unevaluable = true;
                                snprintf(e->unevaluable_why, sizeof e->unevaluable_why, "nodes[%zu].cpeMatch[%zu]: %.300s", node_i, j, why);
                        }
                        if (out == T_FALSE) out = T_UNKNOWN;
                } else {
                        json_object_set_new(line, "outcome", json_string(in ? "inside" : "outside"));
                        if (in) {
                                out = T_TRUE;
                                if (vulnerable && !negated) {
                                        e->contributed = true;
                                        json_object_set(e->expl, "decided_by", line);
                                }
                        }
                }
                json_array_append_new(e->tried, line);
                if (out == T_TRUE) break;
        }
        cpe_free(&crit);
        return out;
}

static enum tri tri_not(enum tri t) {
        return t == T_UNKNOWN ? T_UNKNOWN : (t == T_TRUE ? T_FALSE : T_TRUE);
}

static enum tri combine(bool and, enum tri acc, enum tri t) {
        if (and) {
                if (acc == T_FALSE || t == T_FALSE) return T_FALSE;
                return (acc == T_UNKNOWN || t == T_UNKNOWN) ? T_UNKNOWN : T_TRUE;
        }
        if (acc == T_TRUE || t == T_TRUE) return T_TRUE;
        return (acc == T_UNKNOWN || t == T_UNKNOWN) ? T_UNKNOWN : T_FALSE;
}

static const char *tri_name(enum tri t) {
        return t == T_TRUE ? "true" : t == T_FALSE ? "false" : "unknown";
}

void vuln_nvd_evaluate(const json_t *config, const struct cpe *cpes, const char *const *cpe_texts, size_t ncpes,
                       const char *name, const char *version, bool by_name, enum vuln_match_result *result,
                       json_t *expl) {
        struct nvd_eval e = {.cpes = cpes, .cpe_texts = cpe_texts, .ncpes = ncpes, .name = name, .version = version,
                             .by_name = by_name, .expl = expl, .tried = json_array()};
        json_t *nodes = json_object_get(config, "nodes");
        bool cfg_and = str_eq(json_string_value(json_object_get(config, "operator")), "AND");
        bool cfg_neg = json_is_true(json_object_get(config, "negate"));
        enum tri cfg = cfg_and ? T_TRUE : T_FALSE;
        json_t *node_results = json_array();
        size_t i;
        json_t *node;

        json_array_foreach(nodes, i, node) {
                bool and = str_eq(json_string_value(json_object_get(node, "operator")), "AND");
                bool neg = json_is_true(json_object_get(node, "negate"));
                enum tri t = and ? T_TRUE : T_FALSE;
                size_t j;
                json_t *cm;
                json_array_foreach(json_object_get(node, "cpeMatch"), j, cm)
                        t = combine(and, t, eval_cpematch(&e, cm, i, j, neg != cfg_neg));
                if (neg) t = tri_not(t);
                json_array_append_new(node_results, json_string(tri_name(t)));
                cfg = combine(cfg_and, cfg, t);
        }
        if (cfg_neg) cfg = tri_not(cfg);
        json_object_set_new(expl, "nodes", node_results);
        json_object_set_new(expl, "configuration", json_string(tri_name(cfg)));
        if (json_array_size(e.tried)) json_object_set(expl, "cpe_matches_naming_component", e.tried);
        json_decref(e.tried);

        if (e.contributed && cfg != T_FALSE) {
                *result = by_name ? VULN_MATCH_NAME : VULN_MATCH_CPE;
                json_object_set_new(expl, "reason",
                                    cfg == T_TRUE
                                            ? json_string("the component is inside a vulnerable cpeMatch and the configuration holds")
                                            : json_string("the component is inside a vulnerable cpeMatch; the configuration's other "
                                                          "conditions (a platform it runs on) cannot be checked from one component "
                                                          "and are assumed to hold"));
                return;
        }
        if (e.unevaluable && cfg != T_FALSE) {
                *result = VULN_MATCH_UNEVALUABLE;
                json_object_set_new(expl, "reason", json_string(e.unevaluable_why));
                return;
        }
        *result = VULN_MATCH_NO;
        if (json_object_get(expl, "cpe_matches_naming_component") && e.contributed)
                json_object_set_new(expl, "reason", json_string("the component is inside a vulnerable cpeMatch but the "
                                                                "configuration as a whole is ruled out (AND/negate)"));
        else if (json_object_get(expl, "cpe_matches_naming_component"))
                json_object_set_new(expl, "reason", json_string("no vulnerable cpeMatch holds for the component: its version "
                                                                "is outside, or it only appears as a platform it runs on"));
        else
                json_object_set_new(expl, "reason", json_string("no cpeMatch names the component's vendor and product"));
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * vuln_match_entry (match.h): one component against one affected entry.
 *
 * Evidence in order:
 *  1. purl: a component purl whose key ("type/namespace/name") is the
 *     entry's package, in the entry's distribution release when it names one
 *     ("Debian:12" needs distro=debian-12 or bookworm), evaluated with the
 *     ecosystem's version scheme;
 *  2. CPE: the component's CPEs against an NVD configuration. A
 *     distribution package (deb, rpm, apk purl) is not evaluated against
 *     upstream CPE ranges: its version carries the distribution's backports
 *     ("1.1.1n-0+deb11u5" is fixed where upstream 1.1.1n is not), so its
 *     distribution's own records decide (grype PR #3129);
 *  3. name: only when the component has no usable identifier at all (no purl
 *     that parses, no CPE with a real vendor and product): its name against
 *     the entry's package name or CPE product, reported as VULN_MATCH_NAME,
 *     the low-confidence candidate (Dependency-Track #2984 never matches
 *     these at all).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/cleanup.h"
#include "core/strutil.h"
#include "vuln/ecosystem.h"
#include "vuln/match-internal.h"
#include "vuln/match-key.h"
#include "vuln/purl.h"

const char *vuln_match_result_name(enum vuln_match_result r) {
        switch (r) {
        case VULN_MATCH_NO: return "no";
        case VULN_MATCH_PURL: return "purl";
        case VULN_MATCH_CPE: return "cpe";
        case VULN_MATCH_NAME: return "name";
        case VULN_MATCH_UNEVALUABLE: return "unevaluable";
        }
        return "?";
}

#define VULN_COMPONENT_MAX_IDENTS 256

struct parsed_component {
        struct purl *purls;
        bool *purl_ok;
        struct cpe *cpes;               /* only the usable ones */
        const char **cpe_texts;
        size_t ncpes;
        bool usable;                    /* any usable purl or CPE */
        bool distro;                    /* a deb/rpm/apk purl */
        json_t *rejected;               /* identifiers that did not parse, and why */
};

static void parsed_free(struct parsed_component *p, const struct vuln_component *c) {
        for (size_t i = 0; i < c->npurls; i++)
                if (p->purl_ok[i]) purl_free(&p->purls[i]);
        for (size_t i = 0; i < p->ncpes; i++) cpe_free(&p->cpes[i]);
        free(p->purls);
        free(p->purl_ok);
        free(p->cpes);
        free(p->cpe_texts);
        json_decref(p->rejected);
}

static void component_parse(const struct vuln_component *c, struct parsed_component *p) {
        memset(p, 0, sizeof *p);
        p->rejected = json_array();
        p->purls = xcalloc(c->npurls ? c->npurls : 1, sizeof *p->purls);
        p->purl_ok = xcalloc(c->npurls ? c->npurls : 1, sizeof *p->purl_ok);
        p->cpes = xcalloc(c->ncpes ? c->ncpes : 1, sizeof *p->cpes);
        p->cpe_texts = xcalloc(c->ncpes ? c->ncpes : 1, sizeof *p->cpe_texts);
        for (size_t i = 0; i < c->npurls; i++) {
                struct error err = {0};
                if (purl_parse(c->purls[i], &p->purls[i], &err) == 0) {
                        p->purl_ok[i] = true;
                        p->usable = true;
                        if (vuln_purl_type_is_distro(p->purls[i].type)) p->distro = true;
                } else {
                        json_array_append_new(p->rejected, json_pack("{s:s, s:s}", "identifier", c->purls[i], "why", err.msg));
                }
        }
        for (size_t i = 0; i < c->ncpes; i++) {
                struct error err = {0};
                struct cpe cp;
                if (cpe_parse(c->cpes[i], &cp, &err) < 0) {
                        json_array_append_new(p->rejected, json_pack("{s:s, s:s}", "identifier", c->cpes[i], "why", err.msg));
                        continue;
                }
                _cleanup_free_ char *key = vuln_cpe_key(&cp);
                if (!key) {
                        json_array_append_new(p->rejected,
                                              json_pack("{s:s, s:s}", "identifier", c->cpes[i], "why",
                                                        "a '*' or '-' vendor or product is never a wildcard: this CPE "
                                                        "names no product and matches nothing"));
                        cpe_free(&cp);
                        continue;
                }
                p->cpes[p->ncpes] = cp;
                p->cpe_texts[p->ncpes++] = c->cpes[i];
                p->usable = true;
        }
}

static int match_purl_entry(const struct vuln_component *c, struct parsed_component *pc, const json_t *entry,
                            enum vuln_match_result *result, json_t *expl, struct error *err) {
        json_t *pkg = json_object_get(entry, "package");
        if (!json_is_object(pkg)) return error_set(err, ERROR_INVALID, "OSV affected entry: \"package\" is missing or not an object");
        const char *eco = json_string_value(json_object_get(pkg, "ecosystem"));
        const char *name = json_string_value(json_object_get(pkg, "name"));
        const char *epurl = json_string_value(json_object_get(pkg, "purl"));
        if (json_object_get(pkg, "ecosystem") && !eco) return error_set(err, ERROR_INVALID, "OSV affected entry: package.ecosystem is not a string");
        if (json_object_get(pkg, "name") && !name) return error_set(err, ERROR_INVALID, "OSV affected entry: package.name is not a string");
        if (json_object_get(pkg, "purl") && !epurl) return error_set(err, ERROR_INVALID, "OSV affected entry: package.purl is not a string");
        if (vuln_osv_affected_check(entry, err) < 0) return -1;
        if (epurl) { /* informative only, but a malformed one is a malformed entry */
                struct purl ep;
                struct error perr = {0};
                if (purl_parse(epurl, &ep, &perr) < 0)
                        return error_set(err, ERROR_INVALID, "OSV affected entry: package.purl: %.400s", perr.msg);
                purl_free(&ep);
        }
        _cleanup_free_ char *ekey = NULL;
        struct error kerr = {0};
        if (vuln_osv_package_match_key(eco, name, epurl, &ekey, &kerr) < 0) {
                /* an ecosystem this build does not know is not a malformed entry */
                if (!eco || !name || epurl) return error_set(err, ERROR_INVALID, "OSV affected entry: package: %s", kerr.msg);
        }
        json_object_set_new(expl, "entry_package", json_pack("{s:s?, s:s?, s:s?, s:s?}", "ecosystem", eco, "name", name, "purl",
                                                             epurl, "key", ekey));

        json_t *tried = json_array();
        for (size_t i = 0; ekey && i < c->npurls; i++) {
                if (!pc->purl_ok[i]) continue;
                const struct purl *p = &pc->purls[i];
                _cleanup_free_ char *k = vuln_purl_key(p);
                if (strcmp(k, ekey) != 0) {
                        json_array_append_new(tried, json_pack("{s:s, s:s, s:s}", "identifier", c->purls[i], "key", k, "outcome",
                                                               "another package"));
                        continue;
                }
                const char *why = NULL;
                if (eco && !vuln_ecosystem_release_applies(eco, p, &why)) {
                        json_array_append_new(tried, json_pack("{s:s, s:s, s:s}", "identifier", c->purls[i], "key", k, "outcome", why));
                        continue;
                }
                const char *tname, *tver;
                _cleanup_free_ char *buf = NULL;
                vuln_purl_tracked_name(p, &tname, &tver, &buf);
                if (!tver) tver = c->version;
                json_object_set_new(expl, "identifier", json_string(c->purls[i]));
                json_object_set_new(expl, "record_field", json_string("affected[].package"));
                if (why) json_object_set_new(expl, "release", json_string(why));
                json_object_set(expl, "purls_tried", tried);
                json_decref(tried);
                if (!tver) {
                        *result = VULN_MATCH_UNEVALUABLE;
                        json_object_set_new(expl, "reason", json_string("the purl names the entry's package but neither it nor the "
                                                                        "component has a version"));
                        return 0;
                }
                vuln_osv_evaluate(entry, eco, tver, result, expl);
                return 0;
        }
        if (json_array_size(tried)) json_object_set(expl, "purls_tried", tried);
        json_decref(tried);
        if (pc->usable) {
                *result = VULN_MATCH_NO;
                json_object_set_new(expl, "reason", json_string(ekey ? "no component purl names the entry's package (in its release)"
                                                                     : "the entry's ecosystem has no purl type; the component has "
                                                                       "identifiers, so it is not matched by name"));
                return 0;
        }
        /* 3. low confidence: name and version */
        _cleanup_free_ char *cname = vuln_name_match_key(c->name);
        _cleanup_free_ char *ename = vuln_name_match_key(name);
        if (!cname || !ename || strcmp(cname, ename) != 0) {
                *result = VULN_MATCH_NO;
                json_object_set_new(expl, "reason", json_string("the component has no usable identifier and its name is not the "
                                                                "entry's package name"));
                return 0;
        }
        json_object_set_new(expl, "confidence", json_string("low"));
        json_object_set_new(expl, "identifier", json_sprintf("name:%s", c->name));
        if (!c->version) {
                *result = VULN_MATCH_NO;
                json_object_set_new(expl, "reason", json_string("name only, and the component has no version: not a candidate"));
                return 0;
        }
        enum vuln_match_result r;
        vuln_osv_evaluate(entry, eco, c->version, &r, expl);
        *result = r == VULN_MATCH_PURL ? VULN_MATCH_NAME : VULN_MATCH_NO;
        if (r == VULN_MATCH_PURL)
                json_object_set_new(expl, "reason_confidence",
                                    json_string("low-confidence candidate: the component has no purl or usable CPE, and its "
                                                "name and version fall in this entry"));
        return 0;
}

static int match_cpe_entry(const struct vuln_component *c, struct parsed_component *pc, const json_t *entry,
                           enum vuln_match_result *result, json_t *expl, struct error *err) {
        if (vuln_nvd_config_check(entry, err) < 0) return -1;
        if (pc->distro) {
                *result = VULN_MATCH_NO;
                json_object_set_new(expl, "reason",
                                    json_string("a distribution package (deb/rpm/apk purl): its version carries the "
                                                "distribution's backported fixes, so upstream CPE ranges do not apply; its "
                                                "distribution's own records decide"));
                return 0;
        }
        if (pc->ncpes) {
                vuln_nvd_evaluate(entry, pc->cpes, pc->cpe_texts, pc->ncpes, NULL, c->version, false, result, expl);
                if (*result != VULN_MATCH_NO) {
                        json_t *d = json_object_get(expl, "decided_by");
                        json_object_set_new(expl, "record_field", json_string("configurations[].nodes[].cpeMatch[]"));
                        if (d) json_object_set(expl, "identifier", json_object_get(d, "identifier"));
                }
                return 0;
        }
        if (pc->usable) {
                *result = VULN_MATCH_NO;
                json_object_set_new(expl, "reason", json_string("the component has a purl but no usable CPE; it is not matched "
                                                                "against CPE configurations by name"));
                return 0;
        }
        _cleanup_free_ char *cname = vuln_name_match_key(c->name);
        if (!cname || !*cname || !c->version) {
                *result = VULN_MATCH_NO;
                json_object_set_new(expl, "reason", json_string("no usable identifier, and no name and version to try"));
                return 0;
        }
        json_object_set_new(expl, "confidence", json_string("low"));
        vuln_nvd_evaluate(entry, NULL, NULL, 0, cname, c->version, true, result, expl);
        if (*result == VULN_MATCH_UNEVALUABLE) *result = VULN_MATCH_NO;
        if (*result == VULN_MATCH_NAME) {
                json_object_set_new(expl, "identifier", json_sprintf("name:%s", c->name));
                json_object_set_new(expl, "reason_confidence",
                                    json_string("low-confidence candidate: the component has no purl or usable CPE; its name "
                                                "is the CPE product and its version is in range"));
        }
        return 0;
}

int vuln_match_entry(const struct vuln_component *c, const char *kind, const json_t *entry,
                     enum vuln_match_result *result, json_t **explanation, struct error *err) {
        *result = VULN_MATCH_NO;
        *explanation = NULL;
        if (!c) return error_set(err, ERROR_INVALID, "match: no component");
        if (c->npurls > VULN_COMPONENT_MAX_IDENTS || c->ncpes > VULN_COMPONENT_MAX_IDENTS)
                return error_set(err, ERROR_TOO_LARGE, "match: component \"%.60s\" has more than %d purls or CPEs",
                                 c->name ? c->name : "", VULN_COMPONENT_MAX_IDENTS);
        if (!str_eq(kind, "purl") && !str_eq(kind, "cpe"))
                return error_set(err, ERROR_INVALID, "match: entry kind \"%.20s\" is neither \"purl\" nor \"cpe\"", kind ? kind : "(null)");
        json_t *expl = json_object();
        struct parsed_component pc;
        component_parse(c, &pc);
        json_object_set_new(expl, "entry_kind", json_string(kind));
        json_object_set_new(expl, "component", json_pack("{s:s?, s:s?}", "name", c->name, "version", c->version));
        if (json_array_size(pc.rejected)) json_object_set(expl, "identifiers_rejected", pc.rejected);
        int r = str_eq(kind, "purl") ? match_purl_entry(c, &pc, entry, result, expl, err)
                                     : match_cpe_entry(c, &pc, entry, result, expl, err);
        parsed_free(&pc, c);
        if (r < 0) {
                json_decref(expl);
                *result = VULN_MATCH_NO;
                return -1;
        }
        json_object_set_new(expl, "result", json_string(vuln_match_result_name(*result)));
        *explanation = expl;
        return 0;
}

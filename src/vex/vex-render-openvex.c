/* SPDX-License-Identifier: Apache-2.0 */
/*
 * OpenVEX 0.2 out: one statement per vulnerability and analysis; its product
 * is the release and the findings' components are its subcomponents, each
 * named by a BOM-Link to its bom-ref (in the CycloneDX export of the same
 * state), with its purl/CPE as identifiers.
 */
#include <string.h>

#include "core/cleanup.h"
#include "core/strutil.h"
#include "core/time.h"
#include "vex/vex-internal.h"

static bool same_analysis(const struct vex_export_finding *a, const struct vex_export_finding *b) {
        return str_eq(a->vuln, b->vuln) && a->state == b->state && a->justification == b->justification &&
               str_eq(a->action, b->action) && str_eq(a->detail, b->detail);
}

static json_t *ovx_subcomponent(const struct vex_export_component *c, const char *uuid) {
        json_t *o = json_object();
        _cleanup_free_ char *link = vex_bom_link(uuid, c->ref);
        json_object_set_new(o, "@id", json_string(link));
        if (c->purl || c->cpe) {
                json_t *ids = json_object();
                if (c->purl)
                        json_object_set_new(ids, "purl", json_string(c->purl));
                if (c->cpe)
                        json_object_set_new(ids, str_startswith(c->cpe, "cpe:2.3:") ? "cpe23" : "cpe22",
                                            json_string(c->cpe));
                json_object_set_new(o, "identifiers", ids);
        }
        return o;
}

json_t *vex_render_openvex(const struct vex_export *x, const char *uuid) {
        char ts[TIME_RFC3339_LEN];
        time_format_rfc3339(x->timestamp, ts);
        json_t *doc = json_object();
        json_object_set_new(doc, "@context", json_string("https://openvex.dev/ns/v0.2.0"));
        json_object_set_new(doc, "@id", json_sprintf("urn:uuid:%s", uuid));
        json_object_set_new(doc, "author", json_string(x->author && *x->author ? x->author : "unknown"));
        json_object_set_new(doc, "role", json_string("manufacturer"));
        json_object_set_new(doc, "timestamp", json_string(ts));
        json_object_set_new(doc, "version", json_integer(1));
        json_object_set_new(doc, "tooling", json_string("Cradle"));
        _cleanup_free_ char *release = vex_bom_link(uuid, "cradle-release");
        json_t *statements = json_array();
        for (size_t i = 0; i < x->n_findings;) {
                const struct vex_export_finding *f = &x->findings[i];
                json_t *s = json_object();
                json_t *v = json_pack("{s:s}", "name", f->vuln);
                if (f->n_aliases) {
                        json_t *a = json_array();
                        for (size_t k = 0; k < f->n_aliases; k++)
                                json_array_append_new(a, json_string(f->aliases[k]));
                        json_object_set_new(v, "aliases", a);
                }
                json_object_set_new(s, "vulnerability", v);
                json_t *subs = json_array();
                size_t j = i;
                for (; j < x->n_findings && same_analysis(f, &x->findings[j]); j++)
                        json_array_append_new(subs, ovx_subcomponent(&x->components[x->findings[j].component], uuid));
                json_object_set_new(s, "products", json_pack("[{s:s, s:o}]", "@id", release, "subcomponents", subs));
                json_object_set_new(s, "status", json_string(vex_openvex_status_out(f->state)));
                const char *just = vex_openvex_justification_out(f->state, f->justification);
                if (just)
                        json_object_set_new(s, "justification", json_string(just));
                if (f->detail && *f->detail)
                        json_object_set_new(s, f->state == FINDING_NOT_AFFECTED || f->state == FINDING_FALSE_POSITIVE
                                                       ? "impact_statement"
                                                       : "status_notes",
                                            json_string(f->detail));
                if (f->state == FINDING_AFFECTED)
                        json_object_set_new(s, "action_statement", json_string(f->action ? f->action : ""));
                json_array_append_new(statements, s);
                i = j;
        }
        json_object_set_new(doc, "statements", statements);
        return doc;
}

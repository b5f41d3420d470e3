/* SPDX-License-Identifier: Apache-2.0 */
/*
 * CycloneDX 1.6 VEX out: the release as metadata.component, the components
 * the findings name (bom-ref, name, version, purl, cpe), and one
 * vulnerabilities[] entry per vulnerability and analysis, whose affects[]
 * refs the components.
 */
#include <string.h>

#include "core/cleanup.h"
#include "core/strutil.h"
#include "core/time.h"
#include "vex/vex-internal.h"

/* Where an id comes from, for references[].source (best effort by prefix). */
static json_t *cdx_source(const char *id) {
        if (str_startswith(id, "CVE-"))
                return json_pack("{s:s, s:s+}", "name", "NVD", "url", "https://nvd.nist.gov/vuln/detail/", id);
        if (str_startswith(id, "GHSA-"))
                return json_pack("{s:s, s:s+}", "name", "GitHub", "url", "https://github.com/advisories/", id);
        if (str_startswith(id, "EUVD-"))
                return json_pack("{s:s}", "name", "EUVD");
        return json_pack("{s:s, s:s+}", "name", "OSV", "url", "https://osv.dev/vulnerability/", id);
}

static bool same_analysis(const struct vex_export_finding *a, const struct vex_export_finding *b) {
        return str_eq(a->vuln, b->vuln) && a->state == b->state && a->justification == b->justification &&
               str_eq(a->action, b->action) && str_eq(a->detail, b->detail);
}

json_t *vex_render_cyclonedx(const struct vex_export *x, const char *uuid) {
        char ts[TIME_RFC3339_LEN];
        time_format_rfc3339(x->timestamp, ts);
        json_t *doc = json_object();
        json_object_set_new(doc, "bomFormat", json_string("CycloneDX"));
        json_object_set_new(doc, "specVersion", json_string("1.6"));
        json_object_set_new(doc, "serialNumber", json_sprintf("urn:uuid:%s", uuid));
        json_object_set_new(doc, "version", json_integer(1));
        json_t *meta = json_object();
        json_object_set_new(meta, "timestamp", json_string(ts));
        json_object_set_new(meta, "tools", json_pack("{s:[{s:s, s:s}]}", "components", "type", "application", "name",
                                                     "Cradle"));
        json_t *subject = json_pack("{s:s, s:s, s:s, s:s}", "type", "firmware", "bom-ref", "cradle-release", "name",
                                    x->product ? x->product : "", "version", x->release ? x->release : "");
        json_object_set_new(meta, "component", subject);
        if (x->author && *x->author)
                json_object_set_new(meta, "manufacturer", json_pack("{s:s}", "name", x->author));
        json_object_set_new(doc, "metadata", meta);

        /* Only the components some finding names, in the export's order. */
        json_t *comps = json_array();
        for (size_t c = 0; c < x->n_components; c++) {
                bool used = false;
                for (size_t i = 0; i < x->n_findings && !used; i++)
                        used = x->findings[i].component == c;
                if (!used)
                        continue;
                const struct vex_export_component *k = &x->components[c];
                json_t *o = json_pack("{s:s, s:s, s:s}", "type", "library", "bom-ref", k->ref, "name", k->name);
                if (k->version)
                        json_object_set_new(o, "version", json_string(k->version));
                if (k->cpe)
                        json_object_set_new(o, "cpe", json_string(k->cpe));
                if (k->purl)
                        json_object_set_new(o, "purl", json_string(k->purl));
                json_array_append_new(comps, o);
        }
        json_object_set_new(doc, "components", comps);

        json_t *vulns = json_array();
        for (size_t i = 0; i < x->n_findings;) {
                const struct vex_export_finding *f = &x->findings[i];
                json_t *v = json_object();
                json_object_set_new(v, "id", json_string(f->vuln));
                json_object_set_new(v, "source", cdx_source(f->vuln));
                if (f->n_aliases) {
                        json_t *refs = json_array();
                        for (size_t k = 0; k < f->n_aliases; k++)
                                json_array_append_new(refs, json_pack("{s:s, s:o}", "id", f->aliases[k], "source",
                                                                      cdx_source(f->aliases[k])));
                        json_object_set_new(v, "references", refs);
                }
                const char *cv = vex_cvss_version(f->cvss_vector);
                if (cv && f->cvss_score10 >= 0) {
                        const char *method = str_eq(cv, "3.1")   ? "CVSSv31"
                                             : str_eq(cv, "3.0") ? "CVSSv3"
                                             : str_eq(cv, "4.0") ? "CVSSv4"
                                                                 : "CVSSv2";
                        json_t *rating = json_pack("{s:f, s:s, s:s}", "score", f->cvss_score10 / 10.0, "method", method,
                                                   "vector", f->cvss_vector);
                        if (f->severity)
                                json_object_set_new(rating, "severity", json_string(f->severity));
                        json_object_set_new(v, "ratings", json_pack("[o]", rating));
                }
                if (f->state == FINDING_AFFECTED && f->action)
                        json_object_set_new(v, "recommendation", json_string(f->action));
                json_t *analysis = json_object();
                json_object_set_new(analysis, "state", json_string(vex_cdx_state_out(f->state)));
                if (f->state == FINDING_NOT_AFFECTED)
                        json_object_set_new(analysis, "justification",
                                            json_string(vex_cdx_justification_out(f->justification)));
                if (f->detail && *f->detail)
                        json_object_set_new(analysis, "detail", json_string(f->detail));
                json_object_set_new(v, "analysis", analysis);
                json_t *affects = json_array();
                size_t j = i;
                for (; j < x->n_findings && same_analysis(f, &x->findings[j]); j++)
                        json_array_append_new(affects,
                                              json_pack("{s:s}", "ref", x->components[x->findings[j].component].ref));
                json_object_set_new(v, "affects", affects);
                json_array_append_new(vulns, v);
                i = j;
        }
        json_object_set_new(doc, "vulnerabilities", vulns);
        return doc;
}

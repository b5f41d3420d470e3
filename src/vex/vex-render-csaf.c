/* SPDX-License-Identifier: Apache-2.0 */
/*
 * CSAF 2.0 VEX out (category csaf_vex): document with tracking, publisher,
 * notes; a product_tree of the findings' components (product_id = bom-ref,
 * product_identification_helper with purl/CPE); one vulnerabilities[] entry
 * per vulnerability with product_status, flags (not affected), threats of
 * category impact (the reason) and remediations (affected).
 */
#include <string.h>

#include "core/cleanup.h"
#include "core/strutil.h"
#include "core/time.h"
#include "vex/vex-internal.h"

static bool is_cve(const char *s) {
        if (!str_startswith(s, "CVE-") || strlen(s) < 13)
                return false;
        for (int i = 4; i < 8; i++)
                if (s[i] < '0' || s[i] > '9')
                        return false;
        if (s[8] != '-')
                return false;
        for (const char *p = s + 9; *p; p++)
                if (*p < '0' || *p > '9')
                        return false;
        return true;
}

static const char *id_system(const char *id) {
        if (str_startswith(id, "GHSA-"))
                return "GitHub Security Advisories";
        if (str_startswith(id, "EUVD-"))
                return "EU Vulnerability Database";
        if (str_startswith(id, "CVE-"))
                return "CVE";
        return "OSV";
}

/* Adds `pid` to the array under `key` of `obj` (created on first use). */
static void add_pid(json_t *obj, const char *key, const char *pid) {
        json_t *a = json_object_get(obj, key);
        if (!a) {
                a = json_array();
                json_object_set_new(obj, key, a);
        }
        json_array_append_new(a, json_string(pid));
}

/* The entry of `arr` whose `field` is `value` (flags by label, remediations
 * and threats by details), created with {field: value, extra...} if absent. */
static json_t *entry_for(json_t *arr, const char *field, const char *value, json_t *fresh) {
        size_t i;
        json_t *e;
        json_array_foreach(arr, i, e) {
                if (str_eq(json_string_value(json_object_get(e, field)), value)) {
                        json_decref(fresh);
                        return e;
                }
        }
        json_array_append_new(arr, fresh);
        return fresh;
}

static json_t *csaf_vulnerability(const struct vex_export *x, size_t from, size_t to) {
        const struct vex_export_finding *f0 = &x->findings[from];
        json_t *v = json_object();
        const char *cve = is_cve(f0->vuln) ? f0->vuln : NULL;
        for (size_t k = 0; !cve && k < f0->n_aliases; k++)
                if (is_cve(f0->aliases[k]))
                        cve = f0->aliases[k];
        if (cve)
                json_object_set_new(v, "cve", json_string(cve));
        json_t *ids = json_array();
        if (!str_eq(f0->vuln, cve))
                json_array_append_new(ids, json_pack("{s:s, s:s}", "system_name", id_system(f0->vuln), "text",
                                                     f0->vuln));
        for (size_t k = 0; k < f0->n_aliases; k++)
                if (!str_eq(f0->aliases[k], cve))
                        json_array_append_new(ids, json_pack("{s:s, s:s}", "system_name", id_system(f0->aliases[k]),
                                                             "text", f0->aliases[k]));
        if (json_array_size(ids))
                json_object_set_new(v, "ids", ids);
        else
                json_decref(ids);
        json_object_set_new(v, "notes", json_pack("[{s:s, s:s, s:s++}]", "category", "description", "title",
                                                  "Cradle triage", "text", "The triage state of ", f0->vuln,
                                                  " in the components of this release, as recorded in Cradle."));
        json_t *status = json_object(), *flags = json_array(), *threats = json_array(), *rems = json_array();
        for (size_t i = from; i < to; i++) {
                const struct vex_export_finding *f = &x->findings[i];
                const char *pid = x->components[f->component].ref;
                add_pid(status, vex_csaf_status_out(f->state), pid);
                const char *label = vex_csaf_flag_out(f->state, f->justification);
                if (label)
                        add_pid(entry_for(flags, "label", label, json_pack("{s:s}", "label", label)), "product_ids",
                                pid);
                if (f->detail && *f->detail)
                        add_pid(entry_for(threats, "details", f->detail,
                                          json_pack("{s:s, s:s}", "category", "impact", "details", f->detail)),
                                "product_ids", pid);
                if (f->state == FINDING_IN_TRIAGE) {
                        /* CSAF asks for a remediation of every product under
                         * investigation too (its optional test 6.2.2). */
                        static const char pending[] = "Under investigation: no remediation decided yet.";
                        add_pid(entry_for(rems, "details", pending,
                                          json_pack("{s:s, s:s}", "category", "none_available", "details", pending)),
                                "product_ids", pid);
                }
                if (f->state == FINDING_AFFECTED) {
                        const char *a = f->action ? f->action : "";
                        /* Cradle's action statement carries no category: it
                         * is written as a mitigation (docs/vulnerabilities.md). */
                        add_pid(entry_for(rems, "details", a,
                                          json_pack("{s:s, s:s}", "category", "mitigation", "details", a)),
                                "product_ids", pid);
                }
        }
        json_object_set_new(v, "product_status", status);
        /* The score, for the affected products only (CSAF 6.2.3 and 6.2.19);
         * CSAF 2.0 carries CVSS 2 and 3, not 4. */
        const char *cv = vex_cvss_version(f0->cvss_vector);
        json_t *affected = json_object_get(status, "known_affected");
        if (affected && f0->cvss_score10 >= 0 && cv && (str_eq(cv, "3.1") || str_eq(cv, "3.0"))) {
                json_t *cvss = json_pack("{s:s, s:s, s:f}", "version", cv, "vectorString", f0->cvss_vector,
                                         "baseScore", f0->cvss_score10 / 10.0);
                if (f0->severity) {
                        char sev[16];
                        size_t k = 0;
                        for (; f0->severity[k] && k < sizeof(sev) - 1; k++)
                                sev[k] = (char) (f0->severity[k] >= 'a' && f0->severity[k] <= 'z'
                                                         ? f0->severity[k] - 32
                                                         : f0->severity[k]);
                        sev[k] = '\0';
                        json_object_set_new(cvss, "baseSeverity", json_string(sev));
                }
                json_object_set_new(v, "scores", json_pack("[{s:O, s:o}]", "products", affected, "cvss_v3", cvss));
        }
        json_t *parts[] = {flags, threats, rems};
        const char *names[] = {"flags", "threats", "remediations"};
        for (size_t k = 0; k < 3; k++)
                if (json_array_size(parts[k]))
                        json_object_set_new(v, names[k], parts[k]);
                else
                        json_decref(parts[k]);
        return v;
}

/* A tracking id: letters, digits and . _ - of "<model>-<release>". */
static char *tracking_id(const struct vex_export *x, const char *uuid) {
        struct buf b = {0};
        buf_appendf(&b, "CRADLE-VEX-%s-%s-%.8s", x->product ? x->product : "", x->release ? x->release : "", uuid);
        for (size_t i = 0; i < b.len; i++) {
                char c = b.data[i];
                if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ||
                      c == '_' || c == '-'))
                        b.data[i] = '_';
        }
        return buf_steal(&b);
}

json_t *vex_csaf_full_product_name(const struct vex_csaf_product *p) {
        json_t *o = json_pack("{s:s, s:s}", "name", p->name, "product_id", p->product_id);
        json_t *h = json_object();
        if (p->cpe)
                json_object_set_new(h, "cpe", json_string(p->cpe));
        if (p->purl)
                json_object_set_new(h, "purl", json_string(p->purl));
        if (p->n_model_numbers) {
                json_t *m = json_array();
                for (size_t i = 0; i < p->n_model_numbers; i++)
                        json_array_append_new(m, json_string(p->model_numbers[i]));
                json_object_set_new(h, "model_numbers", m);
        }
        if (p->sha256 && p->filename)
                json_object_set_new(h, "hashes",
                                    json_pack("[{s:[{s:s, s:s}], s:s}]", "file_hashes", "algorithm", "sha256",
                                              "value", p->sha256, "filename", p->filename));
        if (json_object_size(h))
                json_object_set_new(o, "product_identification_helper", h);
        else
                json_decref(h);
        return o;
}

json_t *vex_render_csaf(const struct vex_export *x, const char *uuid) {
        char ts[TIME_RFC3339_LEN];
        time_format_rfc3339(x->timestamp, ts);
        _cleanup_free_ char *tid = tracking_id(x, uuid);
        const char *author = x->author && *x->author ? x->author : "unknown";
        json_t *doc = json_object(), *d = json_object();
        json_object_set_new(d, "category", json_string("csaf_vex"));
        json_object_set_new(d, "csaf_version", json_string("2.0"));
        json_object_set_new(d, "lang", json_string("en"));
        json_object_set_new(d, "title", json_sprintf("%s %s: vulnerability exploitability (VEX)",
                                                     x->product ? x->product : "", x->release ? x->release : ""));
        json_object_set_new(d, "publisher", json_pack("{s:s, s:s, s:s}", "category", "vendor", "name", author,
                                                      "namespace", x->namespace_uri ? x->namespace_uri : "urn:cradle"));
        json_object_set_new(d, "notes", json_pack("[{s:s, s:s, s:s}]", "category", "summary", "title", "Scope",
                                                  "text",
                                                  "The triage state of every known vulnerability finding in the "
                                                  "components of this release."));
        json_object_set_new(d, "tracking",
                            json_pack("{s:s, s:s, s:s, s:s, s:s, s:[{s:s, s:s, s:s}], s:{s:{s:s}}}", "id", tid,
                                      "status", "final", "version", "1", "initial_release_date", ts,
                                      "current_release_date", ts, "revision_history", "date", ts, "number", "1",
                                      "summary", "Exported by Cradle from the release's findings.", "generator",
                                      "engine", "name", "Cradle"));
        json_object_set_new(doc, "document", d);

        json_t *fpns = json_array();
        for (size_t c = 0; c < x->n_components; c++) {
                bool used = false;
                for (size_t i = 0; i < x->n_findings && !used; i++)
                        used = x->findings[i].component == c;
                if (!used)
                        continue;
                const struct vex_export_component *k = &x->components[c];
                _cleanup_free_ char *name = k->version ? str_printf("%s %s", k->name, k->version) : NULL;
                json_t *o = vex_csaf_full_product_name(&(struct vex_csaf_product){
                        .name = name ? name : k->name, .product_id = k->ref, .cpe = k->cpe, .purl = k->purl});
                json_array_append_new(fpns, o);
        }
        json_object_set_new(doc, "product_tree", json_pack("{s:o}", "full_product_names", fpns));

        json_t *vulns = json_array();
        for (size_t i = 0; i < x->n_findings;) {
                size_t j = i;
                while (j < x->n_findings && str_eq(x->findings[j].vuln, x->findings[i].vuln))
                        j++;
                json_array_append_new(vulns, csaf_vulnerability(x, i, j));
                i = j;
        }
        json_object_set_new(doc, "vulnerabilities", vulns);
        return doc;
}

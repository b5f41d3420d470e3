/* SPDX-License-Identifier: Apache-2.0 */
/* A release's findings as a VEX document. */
#include <string.h>

#include "core/cleanup.h"
#include "core/strutil.h"
#include "store/store-vex.h"
#include "vex/vex-release.h"

/* The namespace of the CSAF publisher: the manufacturer's contact when it
 * is an https URL, else a URN naming the product model. */
static char *publisher_namespace(const struct store_vex_release *r) {
        if (r->contact && str_startswith(r->contact, "https://") && !strpbrk(r->contact, " \t\"<>\\^`{|}"))
                return str_dup(r->contact);
        struct buf b = {0};
        buf_appendf(&b, "urn:cradle:product:");
        for (const char *p = r->model ? r->model : ""; *p; p++) {
                char ch = *p;
                if ((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '-' ||
                    ch == '.' || ch == '_')
                        buf_append(&b, p, 1);
                else
                        buf_appendf(&b, "%%%02X", (unsigned char) ch);
        }
        return buf_steal(&b);
}

int vex_export(struct store *s, int64_t release_id, enum vex_format format, char **out, struct error *err) {
        *out = NULL;
        struct store_vex_release rel;
        if (store_vex_release_get(s, release_id, &rel, err) < 0)
                return -1;
        struct store_vex_finding *fs = NULL;
        size_t n = 0;
        if (store_vex_release_findings(s, release_id, &fs, &n, err) < 0) {
                store_vex_release_clear(&rel);
                return -1;
        }
        struct vex_export_component *comps = xcalloc(n ? n : 1, sizeof(*comps));
        int64_t *comp_ids = xcalloc(n ? n : 1, sizeof(*comp_ids));
        char **refs = xcalloc(n ? n : 1, sizeof(*refs));
        struct vex_export_finding *xf = xcalloc(n ? n : 1, sizeof(*xf));
        size_t nc = 0;
        int64_t ts = rel.created_at;
        int r = 0;
        for (size_t i = 0; i < n && r == 0; i++) {
                struct store_vex_finding *f = &fs[i];
                size_t c = 0;
                while (c < nc && comp_ids[c] != f->component_id)
                        c++;
                if (c == nc) {
                        /* Two SBOM modules of one release may reuse a bom-ref:
                         * the export keeps refs unique by naming the second
                         * one with its component id. */
                        bool dup = false;
                        for (size_t k = 0; k < nc && !dup; k++)
                                dup = str_eq(comps[k].ref, f->ref);
                        refs[nc] = dup ? str_printf("%s#%lld", f->ref, (long long) f->component_id) : str_dup(f->ref);
                        comp_ids[nc] = f->component_id;
                        comps[nc] = (struct vex_export_component){refs[nc], f->name, f->version, f->purl, f->cpe};
                        nc++;
                }
                enum finding_state st;
                enum finding_justification j = FINDING_JUST_NONE;
                if (vex_cradle_state_in(f->state, &st) < 0 ||
                    (f->justification && vex_cradle_justification_in(f->justification, &j) < 0)) {
                        r = error_set(err, ERROR_DB, "finding %lld: stored state '%s' or justification is unknown",
                                      (long long) f->id, f->state);
                        break;
                }
                xf[i] = (struct vex_export_finding){
                        .vuln = f->vuln,
                        .aliases = (const char *const *) f->aliases,
                        .n_aliases = f->n_aliases,
                        .component = c,
                        .state = st,
                        .justification = st == FINDING_NOT_AFFECTED ? j : FINDING_JUST_NONE,
                        .action = f->action_statement,
                        .detail = f->state_reason,
                        .cvss_vector = f->cvss_vector,
                        .cvss_score10 = f->cvss_score10,
                        .severity = f->severity,
                };
                if (f->state_at > ts)
                        ts = f->state_at;
        }
        _cleanup_free_ char *ns = publisher_namespace(&rel);
        if (r == 0) {
                struct vex_export x = {
                        .product = rel.product,
                        .release = rel.version,
                        .author = rel.manufacturer,
                        .namespace_uri = ns,
                        .timestamp = ts,
                        .components = comps,
                        .n_components = nc,
                        .findings = xf,
                        .n_findings = n,
                };
                *out = vex_render(format, &x, err);
                if (!*out)
                        r = -1;
        }
        for (size_t k = 0; k < nc; k++)
                free(refs[k]);
        free(refs);
        free(comps);
        free(comp_ids);
        free(xf);
        store_vex_findings_free(fs, n);
        store_vex_release_clear(&rel);
        return r;
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * CycloneDX VEX in (JSON, specVersion 1.4-1.6): vulnerabilities[] with
 * analysis {state, justification, response[], detail}, recommendation,
 * workaround, references[] (aliases) and affects[].ref; components[] (also
 * nested, and metadata.component) give each bom-ref its purl and CPE.
 */
#include <string.h>

#include "core/cleanup.h"
#include "core/strutil.h"
#include "vex/vex-internal.h"

struct cdx_ref {
        const char *ref, *purl, *cpe;
};

struct cdx_refs {
        struct cdx_ref *v;
        size_t n;
};

static int cdx_collect(const char *what, json_t *components, const char *where, struct cdx_refs *refs,
                       struct error *err);

static int cdx_component(const char *what, json_t *c, const char *where, struct cdx_refs *refs,
                         struct error *err) {
        if (!json_is_object(c))
                return error_set(err, ERROR_INVALID, "%s: %s: expected an object", what, where);
        const char *ref, *purl, *cpe;
        if (vex_get_str(what, where, c, "bom-ref", false, VEX_MAX_ID, &ref, err) < 0 ||
            vex_get_str(what, where, c, "purl", false, VEX_MAX_ID, &purl, err) < 0 ||
            vex_get_str(what, where, c, "cpe", false, VEX_MAX_ID, &cpe, err) < 0)
                return -1;
        if (ref) {
                if (refs->n >= VEX_MAX_PRODUCTS)
                        return error_set(err, ERROR_TOO_LARGE, "%s: more than %u components", what,
                                         VEX_MAX_PRODUCTS);
                refs->v = xrealloc(refs->v, (refs->n + 1) * sizeof(*refs->v));
                refs->v[refs->n++] = (struct cdx_ref){ref, purl, cpe};
        }
        json_t *sub;
        char w[128];
        vex_where(w, sizeof(w), "%s.components", where);
        if (vex_get_array(what, where, c, "components", false, VEX_MAX_PRODUCTS, &sub, err) < 0)
                return -1;
        return sub ? cdx_collect(what, sub, w, refs, err) : 0;
}

static int cdx_collect(const char *what, json_t *components, const char *where, struct cdx_refs *refs,
                       struct error *err) {
        size_t i;
        json_t *c;
        json_array_foreach(components, i, c) {
                char w[128];
                vex_where(w, sizeof(w), "%s[%zu]", where, i);
                if (cdx_component(what, c, w, refs, err) < 0)
                        return -1;
        }
        return 0;
}

static const struct cdx_ref *cdx_find(const struct cdx_refs *refs, const char *ref) {
        for (size_t i = 0; i < refs->n; i++)
                if (strcmp(refs->v[i].ref, ref) == 0)
                        return &refs->v[i];
        return NULL;
}

static const char *const cdx_responses[] = {"can_not_fix", "will_not_fix", "update", "rollback",
                                            "workaround_available"};

static int cdx_vulnerability(const char *what, json_t *v, size_t idx, const struct cdx_refs *refs,
                             struct vex_document *d, struct error *err) {
        char where[64], safe[96];
        vex_where(where, sizeof(where), "vulnerabilities[%zu]", idx);
        if (!json_is_object(v))
                return error_set(err, ERROR_INVALID, "%s: %s: expected an object", what, where);
        const char *id, *recommendation, *workaround;
        json_t *analysis, *affects, *references;
        if (vex_get_str(what, where, v, "id", true, VEX_MAX_ID, &id, err) < 0 ||
            vex_get_str(what, where, v, "recommendation", false, VEX_MAX_TEXT, &recommendation, err) < 0 ||
            vex_get_str(what, where, v, "workaround", false, VEX_MAX_TEXT, &workaround, err) < 0 ||
            vex_get_object(what, where, v, "analysis", true, &analysis, err) < 0 ||
            vex_get_array(what, where, v, "affects", true, VEX_MAX_PRODUCTS, &affects, err) < 0 ||
            vex_get_array(what, where, v, "references", false, VEX_MAX_ALIASES, &references, err) < 0)
                return -1;
        char aw[96];
        vex_where(aw, sizeof(aw), "%s.analysis", where);
        const char *state, *justification, *detail;
        json_t *response;
        if (vex_get_str(what, aw, analysis, "state", true, 64, &state, err) < 0 ||
            vex_get_str(what, aw, analysis, "justification", false, 64, &justification, err) < 0 ||
            vex_get_str(what, aw, analysis, "detail", false, VEX_MAX_TEXT, &detail, err) < 0 ||
            vex_get_array(what, aw, analysis, "response", false, ELEMENTSOF(cdx_responses), &response, err) < 0)
                return -1;

        struct vex_statement *st = vex_doc_add_statement(d, "%s", where);
        st->vuln = str_dup(id);
        if (vex_cdx_state_in(state, &st->state) < 0)
                return error_set(err, ERROR_INVALID,
                                 "%s: %s.state: unknown state '%s' (expected resolved, resolved_with_pedigree, "
                                 "exploitable, in_triage, false_positive or not_affected)",
                                 what, aw, VEX_SAFE(safe, state));
        if (justification && vex_cdx_justification_in(justification, &st->justification) < 0)
                return error_set(err, ERROR_INVALID, "%s: %s.justification: unknown justification '%s'", what, aw,
                                 VEX_SAFE(safe, justification));
        if (st->state != FINDING_NOT_AFFECTED)
                st->justification = FINDING_JUST_NONE; /* CycloneDX ties it to not_affected only */
        st->detail = str_dup(detail);

        /* The action: the recommendation, else the workaround, else the responses. */
        struct buf resp = {0};
        size_t i;
        json_t *r;
        json_array_foreach(response, i, r) {
                const char *rv = json_string_value(r);
                bool known = false;
                for (size_t k = 0; rv && k < ELEMENTSOF(cdx_responses); k++)
                        known |= strcmp(rv, cdx_responses[k]) == 0;
                if (!known) {
                        buf_free(&resp);
                        return error_set(err, ERROR_INVALID, "%s: %s.response[%zu]: unknown response '%s'", what, aw,
                                         i, VEX_SAFE(safe, rv));
                }
                buf_appendf(&resp, "%s%s", resp.len ? ", " : "response: ", rv);
        }
        if (recommendation && *recommendation)
                st->action = str_dup(recommendation);
        else if (workaround && *workaround)
                st->action = str_dup(workaround);
        else if (resp.len)
                st->action = buf_steal(&resp);
        buf_free(&resp);

        json_t *ref;
        json_array_foreach(references, i, ref) {
                char w[128];
                const char *rid;
                vex_where(w, sizeof(w), "%s.references[%zu]", where, i);
                if (vex_get_str(what, w, ref, "id", true, VEX_MAX_ID, &rid, err) < 0)
                        return -1;
                vex_statement_add_alias(st, rid);
        }
        json_t *a;
        json_array_foreach(affects, i, a) {
                char w[128];
                const char *aref;
                vex_where(w, sizeof(w), "%s.affects[%zu]", where, i);
                if (vex_get_str(what, w, a, "ref", true, VEX_MAX_ID, &aref, err) < 0)
                        return -1;
                const struct cdx_ref *c = cdx_find(refs, aref);
                /* A ref to a component outside this document (a BOM-Link) is
                 * kept as written: import matches it as a bom-ref or purl. */
                vex_statement_add_product(st, aref, c ? c->purl : (str_startswith(aref, "pkg:") ? aref : NULL),
                                          c ? c->cpe : NULL);
        }
        return 0;
}

int vex_parse_cyclonedx(const char *what, json_t *root, struct vex_document *d, struct error *err) {
        const char *fmt, *spec, *serial;
        char safe[64];
        d->format = VEX_FORMAT_CYCLONEDX;
        if (vex_get_str(what, "", root, "bomFormat", true, 64, &fmt, err) < 0 ||
            vex_get_str(what, "", root, "specVersion", true, 16, &spec, err) < 0 ||
            vex_get_str(what, "", root, "serialNumber", false, VEX_MAX_ID, &serial, err) < 0)
                return -1;
        if (strcmp(fmt, "CycloneDX") != 0)
                return error_set(err, ERROR_INVALID, "%s: bomFormat '%s' is not CycloneDX", what,
                                 VEX_SAFE(safe, fmt));
        /* analysis.state, justification and response exist since 1.4. */
        if (strcmp(spec, "1.4") != 0 && strcmp(spec, "1.5") != 0 && strcmp(spec, "1.6") != 0)
                return error_set(err, ERROR_INVALID,
                                 "%s: specVersion '%s': Cradle reads CycloneDX VEX 1.4, 1.5 and 1.6", what,
                                 VEX_SAFE(safe, spec));
        d->spec_version = str_dup(spec);
        d->id = str_dup(serial);

        _cleanup_free_ struct cdx_ref *keep = NULL;
        struct cdx_refs refs = {0};
        json_t *components, *metadata, *vulns;
        int r = 0;
        if (vex_get_object(what, "", root, "metadata", false, &metadata, err) < 0 ||
            vex_get_array(what, "", root, "components", false, VEX_MAX_PRODUCTS, &components, err) < 0 ||
            vex_get_array(what, "", root, "vulnerabilities", true, VEX_MAX_STATEMENTS, &vulns, err) < 0)
                return -1;
        json_t *mc = metadata ? json_object_get(metadata, "component") : NULL;
        if (mc)
                r = cdx_component(what, mc, "metadata.component", &refs, err);
        if (r == 0 && components)
                r = cdx_collect(what, components, "components", &refs, err);
        keep = refs.v;
        if (r < 0)
                return -1;
        size_t i;
        json_t *v;
        json_array_foreach(vulns, i, v) {
                if (cdx_vulnerability(what, v, i, &refs, d, err) < 0)
                        return -1;
        }
        return 0;
}

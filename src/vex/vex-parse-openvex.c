/* SPDX-License-Identifier: Apache-2.0 */
/*
 * OpenVEX 0.2 in: statements[] with vulnerability {name, aliases}, products[]
 * ({@id, identifiers {purl, cpe22, cpe23}, subcomponents[]}), status,
 * justification, impact_statement, action_statement. A product with
 * subcomponents is a statement about those subcomponents inside it: they are
 * the components Cradle's findings name.
 */
#include <string.h>

#include "core/cleanup.h"
#include "core/strutil.h"
#include "vex/vex-internal.h"

#define OPENVEX_CONTEXT "https://openvex.dev/ns/v0.2"

static int ovx_component(const char *what, const char *where, json_t *p, struct vex_statement *st,
                         struct error *err) {
        if (!json_is_object(p))
                return error_set(err, ERROR_INVALID, "%s: %s: expected an object", what, where);
        const char *id, *purl = NULL, *cpe22 = NULL, *cpe23 = NULL;
        json_t *idents;
        if (vex_get_str(what, where, p, "@id", false, VEX_MAX_ID, &id, err) < 0 ||
            vex_get_object(what, where, p, "identifiers", false, &idents, err) < 0)
                return -1;
        if (idents) {
                char w[128];
                vex_where(w, sizeof(w), "%s.identifiers", where);
                if (vex_get_str(what, w, idents, "purl", false, VEX_MAX_ID, &purl, err) < 0 ||
                    vex_get_str(what, w, idents, "cpe22", false, VEX_MAX_ID, &cpe22, err) < 0 ||
                    vex_get_str(what, w, idents, "cpe23", false, VEX_MAX_ID, &cpe23, err) < 0)
                        return -1;
        }
        if (!id && !purl && !cpe22 && !cpe23)
                return error_set(err, ERROR_INVALID, "%s: %s: neither @id nor identifiers", what, where);
        if (!purl && id && str_startswith(id, "pkg:"))
                purl = id;
        if (st->n_products >= VEX_MAX_PRODUCTS)
                return error_set(err, ERROR_TOO_LARGE, "%s: %s: more than %u products", what, where,
                                 VEX_MAX_PRODUCTS);
        vex_statement_add_product(st, id, purl, cpe23 ? cpe23 : cpe22);
        return 0;
}

static int ovx_statement(const char *what, json_t *s, size_t idx, struct vex_document *d, struct error *err) {
        char where[64], safe[96];
        vex_where(where, sizeof(where), "statements[%zu]", idx);
        if (!json_is_object(s))
                return error_set(err, ERROR_INVALID, "%s: %s: expected an object", what, where);
        json_t *vuln, *products, *aliases;
        const char *status, *justification, *impact, *action, *notes;
        if (vex_get_object(what, where, s, "vulnerability", true, &vuln, err) < 0 ||
            vex_get_array(what, where, s, "products", true, VEX_MAX_PRODUCTS, &products, err) < 0 ||
            vex_get_str(what, where, s, "status", true, 64, &status, err) < 0 ||
            vex_get_str(what, where, s, "justification", false, 128, &justification, err) < 0 ||
            vex_get_str(what, where, s, "impact_statement", false, VEX_MAX_TEXT, &impact, err) < 0 ||
            vex_get_str(what, where, s, "action_statement", false, VEX_MAX_TEXT, &action, err) < 0 ||
            vex_get_str(what, where, s, "status_notes", false, VEX_MAX_TEXT, &notes, err) < 0)
                return -1;
        char vw[96];
        vex_where(vw, sizeof(vw), "%s.vulnerability", where);
        const char *name;
        if (vex_get_str(what, vw, vuln, "name", true, VEX_MAX_ID, &name, err) < 0 ||
            vex_get_array(what, vw, vuln, "aliases", false, VEX_MAX_ALIASES, &aliases, err) < 0)
                return -1;

        struct vex_statement *st = vex_doc_add_statement(d, "%s", where);
        st->vuln = str_dup(name);
        if (vex_openvex_status_in(status, &st->state) < 0)
                return error_set(err, ERROR_INVALID,
                                 "%s: %s.status: unknown status '%s' (expected not_affected, affected, fixed or "
                                 "under_investigation)",
                                 what, where, VEX_SAFE(safe, status));
        if (justification && vex_openvex_justification_in(justification, &st->justification) < 0)
                return error_set(err, ERROR_INVALID, "%s: %s.justification: unknown justification '%s'", what, where,
                                 VEX_SAFE(safe, justification));
        if (st->state != FINDING_NOT_AFFECTED)
                st->justification = FINDING_JUST_NONE;
        st->action = str_dup(action);
        st->detail = str_dup(impact ? impact : notes);
        size_t i;
        json_t *a;
        json_array_foreach(aliases, i, a) {
                if (!json_is_string(a) || json_string_length(a) > VEX_MAX_ID)
                        return error_set(err, ERROR_INVALID, "%s: %s.aliases[%zu]: expected a string of at most %u "
                                         "bytes", what, vw, i, VEX_MAX_ID);
                vex_statement_add_alias(st, json_string_value(a));
        }
        json_t *p;
        json_array_foreach(products, i, p) {
                char w[128];
                vex_where(w, sizeof(w), "%s.products[%zu]", where, i);
                json_t *subs;
                if (vex_get_array(what, w, p, "subcomponents", false, VEX_MAX_PRODUCTS, &subs, err) < 0)
                        return -1;
                if (!subs) {
                        if (ovx_component(what, w, p, st, err) < 0)
                                return -1;
                        continue;
                }
                size_t k;
                json_t *sc;
                json_array_foreach(subs, k, sc) {
                        char sw[192];
                        vex_where(sw, sizeof(sw), "%s.subcomponents[%zu]", w, k);
                        if (ovx_component(what, sw, sc, st, err) < 0)
                                return -1;
                }
        }
        return 0;
}

int vex_parse_openvex(const char *what, json_t *root, struct vex_document *d, struct error *err) {
        const char *context, *id, *author, *timestamp;
        char safe[96];
        d->format = VEX_FORMAT_OPENVEX;
        if (vex_get_str(what, "", root, "@context", true, 256, &context, err) < 0)
                return -1;
        /* "https://openvex.dev/ns/v0.2.0"; the namespace without a version is
         * the 0.0.x drafts, whose vulnerability is a bare string. */
        if (!str_startswith(context, OPENVEX_CONTEXT))
                return error_set(err, ERROR_INVALID, "%s: @context '%s': Cradle reads OpenVEX 0.2 (%s.0)", what,
                                 VEX_SAFE(safe, context), OPENVEX_CONTEXT);
        json_t *statements, *version = json_object_get(root, "version");
        if (vex_get_str(what, "", root, "@id", true, VEX_MAX_ID, &id, err) < 0 ||
            vex_get_str(what, "", root, "author", true, VEX_MAX_ID, &author, err) < 0 ||
            vex_get_str(what, "", root, "timestamp", true, 64, &timestamp, err) < 0 ||
            vex_get_array(what, "", root, "statements", true, VEX_MAX_STATEMENTS, &statements, err) < 0)
                return -1;
        if (!json_is_integer(version) || json_integer_value(version) < 1)
                return error_set(err, ERROR_INVALID, "%s: version: expected an integer of at least 1", what);
        d->spec_version = str_dup("0.2");
        d->id = str_dup(id);
        size_t i;
        json_t *s;
        json_array_foreach(statements, i, s) {
                if (ovx_statement(what, s, i, d, err) < 0)
                        return -1;
        }
        return 0;
}

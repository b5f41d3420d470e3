/* SPDX-License-Identifier: Apache-2.0 */
/* VEX documents in: format detection, the shared statement model and its checks. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/cleanup.h"
#include "core/json.h"
#include "core/strutil.h"
#include "vex/vex-internal.h"

void vex_where(char *out, size_t n, const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(out, n, fmt, ap);
        va_end(ap);
}

int vex_get_str(const char *what, const char *where, json_t *obj, const char *key, bool required, size_t max,
                const char **out, struct error *err) {
        json_t *v = json_is_object(obj) ? json_object_get(obj, key) : NULL;
        *out = NULL;
        if (!v || json_is_null(v)) {
                if (required)
                        return error_set(err, ERROR_INVALID, "%s: %s%s%s: missing", what, where, *where ? "." : "",
                                         key);
                return 0;
        }
        if (!json_is_string(v))
                return error_set(err, ERROR_INVALID, "%s: %s%s%s: expected a string", what, where, *where ? "." : "",
                                 key);
        size_t n = json_string_length(v);
        if (memchr(json_string_value(v), '\0', n))
                return error_set(err, ERROR_INVALID, "%s: %s%s%s: contains a NUL character", what, where,
                                 *where ? "." : "", key);
        if (n > max)
                return error_set(err, ERROR_TOO_LARGE, "%s: %s%s%s: longer than %zu bytes", what, where,
                                 *where ? "." : "", key, max);
        if (required && n == 0)
                return error_set(err, ERROR_INVALID, "%s: %s%s%s: empty", what, where, *where ? "." : "", key);
        *out = json_string_value(v);
        return 0;
}

int vex_get_array(const char *what, const char *where, json_t *obj, const char *key, bool required, size_t max,
                  json_t **out, struct error *err) {
        json_t *v = json_is_object(obj) ? json_object_get(obj, key) : NULL;
        *out = NULL;
        if (!v || json_is_null(v) || (json_is_array(v) && json_array_size(v) == 0)) {
                if (required)
                        return error_set(err, ERROR_INVALID, "%s: %s%s%s: missing or empty", what, where,
                                         *where ? "." : "", key);
                return 0;
        }
        if (!json_is_array(v))
                return error_set(err, ERROR_INVALID, "%s: %s%s%s: expected an array", what, where, *where ? "." : "",
                                 key);
        if (json_array_size(v) > max)
                return error_set(err, ERROR_TOO_LARGE, "%s: %s%s%s: more than %zu entries", what, where,
                                 *where ? "." : "", key, max);
        *out = v;
        return 0;
}

int vex_get_object(const char *what, const char *where, json_t *obj, const char *key, bool required,
                   json_t **out, struct error *err) {
        json_t *v = json_is_object(obj) ? json_object_get(obj, key) : NULL;
        *out = NULL;
        if (!v || json_is_null(v)) {
                if (required)
                        return error_set(err, ERROR_INVALID, "%s: %s%s%s: missing", what, where, *where ? "." : "",
                                         key);
                return 0;
        }
        if (!json_is_object(v))
                return error_set(err, ERROR_INVALID, "%s: %s%s%s: expected an object", what, where,
                                 *where ? "." : "", key);
        *out = v;
        return 0;
}

struct vex_statement *vex_doc_add_statement(struct vex_document *d, const char *where_fmt, ...) {
        d->statements = xrealloc(d->statements, (d->n_statements + 1) * sizeof(*d->statements));
        struct vex_statement *st = &d->statements[d->n_statements++];
        memset(st, 0, sizeof(*st));
        va_list ap;
        va_start(ap, where_fmt);
        vsnprintf(st->where, sizeof(st->where), where_fmt, ap);
        va_end(ap);
        return st;
}

void vex_statement_add_alias(struct vex_statement *st, const char *alias) {
        if (!alias || !*alias || str_eq(alias, st->vuln))
                return;
        for (size_t i = 0; i < st->n_aliases; i++)
                if (strcmp(st->aliases[i], alias) == 0)
                        return;
        st->aliases = xrealloc(st->aliases, (st->n_aliases + 1) * sizeof(*st->aliases));
        st->aliases[st->n_aliases++] = str_dup(alias);
}

struct vex_product *vex_statement_add_product(struct vex_statement *st, const char *ref, const char *purl,
                                              const char *cpe) {
        st->products = xrealloc(st->products, (st->n_products + 1) * sizeof(*st->products));
        struct vex_product *p = &st->products[st->n_products++];
        /* A CycloneDX BOM-Link (urn:cdx:<serial>/<version>#<bom-ref>) names
         * a component by its bom-ref: Cradle's OpenVEX and CSAF exports use
         * it for components that have no purl. */
        char *linked = vex_bom_link_ref(ref);
        p->ref = linked ? linked : str_dup(ref);
        p->purl = str_dup(purl);
        p->cpe = str_dup(cpe);
        return p;
}

void vex_statement_free(struct vex_statement *st) {
        free(st->vuln);
        for (size_t i = 0; i < st->n_aliases; i++)
                free(st->aliases[i]);
        free(st->aliases);
        for (size_t i = 0; i < st->n_products; i++) {
                free(st->products[i].ref);
                free(st->products[i].purl);
                free(st->products[i].cpe);
        }
        free(st->products);
        free(st->action);
        free(st->detail);
}

void vex_document_free(struct vex_document *d) {
        if (!d)
                return;
        for (size_t i = 0; i < d->n_statements; i++)
                vex_statement_free(&d->statements[i]);
        free(d->statements);
        free(d->spec_version);
        free(d->id);
        free(d);
}

int vex_statement_check(const char *what, const struct vex_statement *st, struct error *err) {
        if (!st->vuln || !*st->vuln)
                return error_set(err, ERROR_INVALID, "%s: %s: names no vulnerability", what, st->where);
        if (st->n_products == 0)
                return error_set(err, ERROR_INVALID, "%s: %s (%s): names no product or component", what, st->where,
                                 st->vuln);
        if (st->state == FINDING_NOT_AFFECTED && st->justification == FINDING_JUST_NONE)
                return error_set(err, ERROR_INVALID,
                                 "%s: %s (%s): not_affected without a justification Cradle can record (a free-text "
                                 "impact statement alone is not one)",
                                 what, st->where, st->vuln);
        if (st->state == FINDING_AFFECTED && (!st->action || !*st->action))
                return error_set(err, ERROR_INVALID, "%s: %s (%s): affected without an action statement", what,
                                 st->where, st->vuln);
        return 0;
}

/* -1: recognise the format; else that one. */
static int parse_common(int format, const char *what, const char *buf, size_t len, struct vex_document **out,
                        struct error *err) {
        *out = NULL;
        _cleanup_json_ json_t *root = cr_json_parse(what, buf, len, VEX_MAX_BYTES, VEX_MAX_DEPTH, err);
        if (!root)
                return -1;
        if (!json_is_object(root))
                return error_set(err, ERROR_INVALID, "%s: expected a JSON object", what);
        struct vex_document *d = xcalloc(1, sizeof(*d));
        int r;
        if (format == VEX_FORMAT_CYCLONEDX)
                r = vex_parse_cyclonedx(what, root, d, err);
        else if (format == VEX_FORMAT_OPENVEX)
                r = vex_parse_openvex(what, root, d, err);
        else if (format == VEX_FORMAT_CSAF)
                r = vex_parse_csaf(what, root, d, err);
        /* The three formats announce themselves: CycloneDX by bomFormat,
         * OpenVEX by its @context, CSAF by document.csaf_version. */
        else if (json_object_get(root, "bomFormat"))
                r = vex_parse_cyclonedx(what, root, d, err);
        else if (json_object_get(root, "@context"))
                r = vex_parse_openvex(what, root, d, err);
        else if (json_is_object(json_object_get(root, "document")))
                r = vex_parse_csaf(what, root, d, err);
        else
                r = error_set(err, ERROR_INVALID,
                              "%s: not a VEX document Cradle reads (no CycloneDX bomFormat, OpenVEX @context or CSAF "
                              "document)",
                              what);
        if (r < 0) {
                vex_document_free(d);
                return -1;
        }
        for (size_t i = 0; i < d->n_statements; i++)
                if (vex_statement_check(what, &d->statements[i], err) < 0) {
                        vex_document_free(d);
                        return -1;
                }
        *out = d;
        return 0;
}

int vex_parse(const char *what, const char *buf, size_t len, struct vex_document **out, struct error *err) {
        return parse_common(-1, what, buf, len, out, err);
}

int vex_parse_as(enum vex_format f, const char *what, const char *buf, size_t len, struct vex_document **out,
                 struct error *err) {
        return parse_common((int) f, what, buf, len, out, err);
}

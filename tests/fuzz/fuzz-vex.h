/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/*
 * The shared body of the three VEX fuzz targets (one per format). Beyond "no
 * crash": a refused document carries a user error (400 or 413, never a
 * 500); an accepted one holds only statements import can apply (a
 * vulnerability, a product, a justification for not_affected, an action for
 * affected), and rendering it in each of the three formats gives a document
 * that parses again or is refused as a user error.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/strutil.h"
#include "vex/vex.h"

static void fuzz_vex_check_error(const struct error *err) {
        if (err->kind != ERROR_INVALID && err->kind != ERROR_TOO_LARGE)
                abort();
}

static void fuzz_vex_render_again(const struct vex_document *d) {
        size_t n = 0;
        for (size_t i = 0; i < d->n_statements; i++)
                n += d->statements[i].n_products;
        struct vex_export_component *c = calloc(n ? n : 1, sizeof(*c));
        struct vex_export_finding *f = calloc(n ? n : 1, sizeof(*f));
        if (!c || !f)
                abort();
        size_t k = 0;
        for (size_t i = 0; i < d->n_statements; i++) {
                const struct vex_statement *st = &d->statements[i];
                for (size_t p = 0; p < st->n_products; p++, k++) {
                        const struct vex_product *pr = &st->products[p];
                        const char *ref = pr->ref ? pr->ref : pr->purl ? pr->purl : pr->cpe ? pr->cpe : "?";
                        c[k] = (struct vex_export_component){ref, ref, NULL, pr->purl, pr->cpe};
                        f[k] = (struct vex_export_finding){st->vuln, (const char *const *) st->aliases, st->n_aliases,
                                                           k, st->state, st->justification,
                                                           st->state == FINDING_AFFECTED ? st->action : NULL,
                                                           st->detail, NULL, -1, NULL};
                }
        }
        struct vex_export x = {"p", "1", "a", "urn:x", 0, c, n, f, n};
        for (int fmt = 0; fmt < VEX_FORMAT_COUNT; fmt++) {
                char *text = vex_render((enum vex_format) fmt, &x, NULL);
                if (!text)
                        abort();
                struct error err = {0};
                struct vex_document *again = NULL;
                if (vex_parse("again", text, strlen(text), &again, &err) < 0)
                        fuzz_vex_check_error(&err);
                vex_document_free(again);
                free(text);
        }
        free(c);
        free(f);
}

static int fuzz_vex_one(enum vex_format format, const uint8_t *data, size_t size) {
        struct error err = {0};
        struct vex_document *d = NULL;
        if (vex_parse_as(format, "fuzz.json", (const char *) data, size, &d, &err) < 0) {
                fuzz_vex_check_error(&err);
                return 0;
        }
        for (size_t i = 0; i < d->n_statements; i++) {
                const struct vex_statement *st = &d->statements[i];
                if (!st->vuln || !st->n_products || (st->state == FINDING_NOT_AFFECTED && !st->justification) ||
                    (st->state == FINDING_AFFECTED && (!st->action || !*st->action)))
                        abort();
        }
        /* Rendering is quadratic in the products of a vulnerability; keep
         * the property check to documents of a human size. */
        if (d->n_statements <= 64)
                fuzz_vex_render_again(d);
        vex_document_free(d);
        return 0;
}

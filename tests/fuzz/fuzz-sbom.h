/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/*
 * What the SBOM parser targets share: one parser on arbitrary bytes. Beyond
 * "no crash": a refusal is a user error (400/413/415) whose message names
 * the input; an accepted document is internally consistent (every edge
 * between existing components, no edge twice, every component named and
 * referenced) and its quality report scores 0..100.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/cleanup.h"
#include "sbom/sbom.h"

typedef int (*fuzz_sbom_parser)(const char *label, const uint8_t *data, size_t len, struct sbom_doc *d,
                                struct error *err);

static inline int fuzz_sbom_one(fuzz_sbom_parser parse, enum sbom_format f, const uint8_t *data, size_t size) {
        struct error err = { 0 };
        struct sbom_doc *d = sbom_doc_new(f);
        if (parse("fuzz.sbom", data, size, d, &err) < 0) {
                if (err.kind != ERROR_INVALID && err.kind != ERROR_TOO_LARGE && err.kind != ERROR_UNSUPPORTED)
                        abort();
                if (strncmp(err.msg, "fuzz.sbom", 9) != 0)
                        abort();
                sbom_doc_free(d);
                return 0;
        }
        for (size_t i = 0; i < d->n_components; i++) {
                const struct sbom_component *c = &d->components[i];
                if (!c->name || !c->ref)
                        abort();
                /* every string is JSON text (the store and the API render it) */
                const char *strs[] = { c->name, c->ref, c->version, c->supplier, c->licenses };
                for (size_t k = 0; k < sizeof(strs) / sizeof(strs[0]); k++) {
                        json_t *j = strs[k] ? json_string(strs[k]) : json_null();
                        if (!j)
                                abort();
                        json_decref(j);
                }
        }
        for (size_t e = 0; e < d->n_edges; e++) {
                if (d->edges[e].from >= d->n_components || d->edges[e].to >= d->n_components ||
                    d->edges[e].from == d->edges[e].to)
                        abort();
                if (e && d->edges[e].from == d->edges[e - 1].from && d->edges[e].to == d->edges[e - 1].to)
                        abort();
        }
        int score = -1;
        json_t *q = sbom_quality(d, NULL, NULL, &score);
        if (!q || score < 0 || score > 100)
                abort();
        json_decref(q);
        sbom_doc_free(d);
        return 0;
}

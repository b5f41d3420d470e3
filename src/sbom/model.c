/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The normalised SBOM model every parser fills: components with their
 * identifiers and hashes, dependency edges recorded by reference and
 * resolved once the whole document is read (a document may name a component
 * before it defines it), and the root whose direct dependencies are the
 * "top-level" components the CRA asks for at least.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/cleanup.h"
#include "core/strutil.h"
#include "sbom/sbom.h"

struct ref_edge {
        char *from; /* NULL = the root */
        char *to;
};

struct model_priv {
        struct ref_edge *edges;
        size_t n, cap;
        struct sbom_strv roots;
};

const char *sbom_format_name(enum sbom_format f) {
        switch (f) {
        case SBOM_FORMAT_CYCLONEDX_JSON: return "cyclonedx-json";
        case SBOM_FORMAT_CYCLONEDX_XML: return "cyclonedx-xml";
        case SBOM_FORMAT_SPDX2_JSON: return "spdx2-json";
        case SBOM_FORMAT_SPDX2_TAG_VALUE: return "spdx2-tag-value";
        case SBOM_FORMAT_SPDX3_JSONLD: return "spdx3-jsonld";
        case SBOM_FORMAT_YOCTO_SPDX2_ARCHIVE: return "spdx2-json";
        }
        return "unknown";
}

struct sbom_doc *sbom_doc_new(enum sbom_format f) {
        struct sbom_doc *d = xcalloc(1, sizeof(*d));
        d->format = f;
        d->priv = xcalloc(1, sizeof(struct model_priv));
        return d;
}

static void strv_free(struct sbom_strv *s) {
        for (size_t i = 0; i < s->n; i++)
                free(s->v[i]);
        free(s->v);
        s->v = NULL;
        s->n = 0;
}

static void strv_add(struct sbom_strv *s, const char *v) {
        s->v = xrealloc(s->v, (s->n + 1) * sizeof(char *));
        s->v[s->n++] = str_dup(v);
}

static void priv_free(struct model_priv *p) {
        if (!p)
                return;
        for (size_t i = 0; i < p->n; i++) {
                free(p->edges[i].from);
                free(p->edges[i].to);
        }
        free(p->edges);
        strv_free(&p->roots);
        free(p);
}

void sbom_doc_free(struct sbom_doc *d) {
        if (!d)
                return;
        for (size_t i = 0; i < d->n_components; i++) {
                struct sbom_component *c = &d->components[i];
                free(c->ref);
                free(c->name);
                free(c->version);
                free(c->supplier);
                free(c->type);
                free(c->licenses);
                json_decref(c->hashes);
                json_decref(c->patches);
                strv_free(&c->purls);
                strv_free(&c->cpes);
        }
        free(d->components);
        free(d->edges);
        free(d->spec_version);
        free(d->name);
        free(d->tool);
        free(d->created);
        priv_free(d->priv);
        free(d);
}

/* Well-formed UTF-8 (no overlongs, surrogates or code points past U+10FFFF):
 * tag-value input is raw bytes, and every stored string must be JSON text. */
bool sbom_utf8_valid(const unsigned char *p, size_t n) {
        size_t i = 0;
        while (i < n) {
                unsigned char c = p[i];
                size_t len;
                uint32_t cp;
                if (c < 0x80) {
                        i++;
                        continue;
                } else if ((c & 0xe0) == 0xc0) {
                        len = 2;
                        cp = c & 0x1f;
                } else if ((c & 0xf0) == 0xe0) {
                        len = 3;
                        cp = c & 0x0f;
                } else if ((c & 0xf8) == 0xf0) {
                        len = 4;
                        cp = c & 0x07;
                } else {
                        return false;
                }
                if (i + len > n)
                        return false;
                for (size_t k = 1; k < len; k++) {
                        if ((p[i + k] & 0xc0) != 0x80)
                                return false;
                        cp = (cp << 6) | (p[i + k] & 0x3f);
                }
                if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
                    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
                        return false;
                i += len;
        }
        return true;
}

int sbom_field(char **dst, const char *value, size_t max, const char *label, const char *where, struct error *err) {
        if (!value)
                return 0;
        size_t n = strlen(value);
        if (n > max)
                return error_set(err, ERROR_INVALID, "%s: %s: longer than %zu bytes", label, where, max);
        if (!sbom_utf8_valid((const unsigned char *) value, n))
                return error_set(err, ERROR_INVALID, "%s: %s: not valid UTF-8", label, where);
        for (size_t i = 0; i < n; i++) {
                unsigned char ch = (unsigned char) value[i];
                if (ch < 0x20 && ch != '\t' && ch != '\n' && ch != '\r')
                        return error_set(err, ERROR_INVALID, "%s: %s: contains a control character", label,
                                         where);
        }
        free(*dst);
        *dst = str_dup(value);
        return 0;
}

struct sbom_component *sbom_doc_add_component(struct sbom_doc *d, const char *label, const char *where,
                                              struct error *err) {
        if (d->n_components >= SBOM_MAX_COMPONENTS) {
                error_set(err, ERROR_TOO_LARGE, "%s: %s: more than %d components", label, where,
                          SBOM_MAX_COMPONENTS);
                return NULL;
        }
        if (d->n_components == d->cap_components) {
                d->cap_components = d->cap_components ? d->cap_components * 2 : 64;
                d->components = xrealloc(d->components, d->cap_components * sizeof(*d->components));
        }
        struct sbom_component *c = &d->components[d->n_components++];
        memset(c, 0, sizeof(*c));
        c->hashes = json_object();
        return c;
}

int sbom_doc_add_edge_ref(struct sbom_doc *d, const char *from, const char *to, const char *label,
                          struct error *err) {
        struct model_priv *p = d->priv;
        if (p->n >= SBOM_MAX_EDGES)
                return error_set(err, ERROR_TOO_LARGE, "%s: more than %d dependency edges", label, SBOM_MAX_EDGES);
        if (p->n == p->cap) {
                p->cap = p->cap ? p->cap * 2 : 128;
                p->edges = xrealloc(p->edges, p->cap * sizeof(*p->edges));
        }
        p->edges[p->n].from = str_dup(from);
        p->edges[p->n].to = str_dup(to);
        p->n++;
        return 0;
}

int sbom_doc_add_root_ref(struct sbom_doc *d, const char *ref) {
        struct model_priv *p = d->priv;
        for (size_t i = 0; i < p->roots.n; i++)
                if (strcmp(p->roots.v[i], ref) == 0)
                        return 0;
        strv_add(&p->roots, ref);
        return 0;
}

int sbom_component_add_ident(struct sbom_component *c, const char *kind, const char *value, const char *label,
                             const char *where, struct error *err) {
        if (!value || !*value)
                return 0;
        if (strlen(value) > SBOM_MAX_FIELD)
                return error_set(err, ERROR_INVALID, "%s: %s: identifier longer than %d bytes", label, where,
                                 SBOM_MAX_FIELD);
        if (!sbom_utf8_valid((const unsigned char *) value, strlen(value)))
                return error_set(err, ERROR_INVALID, "%s: %s: identifier is not valid UTF-8", label, where);
        struct sbom_strv *s = strcmp(kind, "purl") == 0 ? &c->purls : &c->cpes;
        for (size_t i = 0; i < s->n; i++)
                if (strcmp(s->v[i], value) == 0)
                        return 0;
        if (c->purls.n + c->cpes.n >= SBOM_MAX_IDENTS)
                return error_set(err, ERROR_INVALID, "%s: %s: more than %d identifiers on one component", label,
                                 where, SBOM_MAX_IDENTS);
        strv_add(s, value);
        return 0;
}

void sbom_component_add_hash(struct sbom_component *c, const char *alg, const char *content) {
        if (!alg || !content || !*alg || !*content || strlen(alg) > 32 || strlen(content) > 256)
                return;
        /* A hash is hex; anything else is not kept (the quality report then says it is missing). */
        for (const char *p = content; *p; p++)
                if (!isxdigit((unsigned char) *p))
                        return;
        for (const char *p = alg; *p; p++)
                if (!isalnum((unsigned char) *p) && *p != '-' && *p != '_')
                        return;
        char a[40], h[260];
        size_t j = 0;
        for (const char *p = alg; *p && j < sizeof(a) - 1; p++) {
                char ch = (char) tolower((unsigned char) *p);
                /* "SHA-256", "SHA256", "sha256" are one algorithm; "SHA3-256" keeps its dash. */
                if (ch == '-' && j == 3 && strncmp(a, "sha", 3) == 0)
                        continue;
                a[j++] = ch;
        }
        a[j] = 0;
        size_t k = 0;
        for (const char *p = content; *p && k < sizeof(h) - 1; p++)
                h[k++] = (char) tolower((unsigned char) *p);
        h[k] = 0;
        json_object_set_new(c->hashes, a, json_string(h));
}

/* ---- finishing: refs, edges, the top level ---- */

struct ref_map {
        size_t *slots; /* index + 1; 0 = empty */
        size_t cap;
        const struct sbom_doc *d;
};

static uint64_t ref_hash(const char *s) {
        uint64_t h = 1469598103934665603ULL;
        for (; *s; s++)
                h = (h ^ (unsigned char) *s) * 1099511628211ULL;
        return h;
}

/* Inserts component i; returns the index already holding its ref, or SIZE_MAX. */
static size_t ref_map_put(struct ref_map *m, size_t i) {
        const char *ref = m->d->components[i].ref;
        size_t at = ref_hash(ref) & (m->cap - 1);
        while (m->slots[at]) {
                size_t other = m->slots[at] - 1;
                if (strcmp(m->d->components[other].ref, ref) == 0)
                        return other;
                at = (at + 1) & (m->cap - 1);
        }
        m->slots[at] = i + 1;
        return SIZE_MAX;
}

static size_t ref_map_get(const struct ref_map *m, const char *ref) {
        if (!ref)
                return SIZE_MAX;
        size_t at = ref_hash(ref) & (m->cap - 1);
        while (m->slots[at]) {
                size_t i = m->slots[at] - 1;
                if (strcmp(m->d->components[i].ref, ref) == 0)
                        return i;
                at = (at + 1) & (m->cap - 1);
        }
        return SIZE_MAX;
}

static int edge_cmp(const void *a, const void *b) {
        const struct sbom_edge *x = a, *y = b;
        if (x->from != y->from)
                return x->from < y->from ? -1 : 1;
        if (x->to != y->to)
                return x->to < y->to ? -1 : 1;
        return 0;
}

static bool is_root_ref(const struct model_priv *p, const char *ref) {
        if (!ref)
                return true;
        for (size_t i = 0; i < p->roots.n; i++)
                if (strcmp(p->roots.v[i], ref) == 0)
                        return true;
        return false;
}

int sbom_doc_finish(struct sbom_doc *d, const char *label, struct error *err) {
        struct model_priv *p = d->priv;
        struct ref_map m = { .d = d, .cap = 64 };
        while (m.cap < d->n_components * 2 + 2)
                m.cap *= 2;
        m.slots = xcalloc(m.cap, sizeof(size_t));
        int rc = 0;
        for (size_t i = 0; i < d->n_components; i++) {
                size_t other = ref_map_put(&m, i);
                if (other != SIZE_MAX) {
                        char safe[128];
                        str_sanitize(d->components[i].ref, strlen(d->components[i].ref), safe, sizeof(safe));
                        rc = error_set(err, ERROR_INVALID,
                                       "%s: the reference '%s' names two components (%s and %s); references "
                                       "must be unique in a document",
                                       label, safe, d->components[other].name, d->components[i].name);
                        goto out;
                }
        }
        d->has_graph = p->n > 0;
        bool *incoming = xcalloc(d->n_components ? d->n_components : 1, sizeof(bool));
        bool *root_child = xcalloc(d->n_components ? d->n_components : 1, sizeof(bool));
        for (size_t e = 0; e < p->n; e++) {
                const struct ref_edge *re = &p->edges[e];
                size_t from = ref_map_get(&m, re->from), to = ref_map_get(&m, re->to);
                bool from_root = is_root_ref(p, re->from);
                if (to == SIZE_MAX) {
                        /* An edge to the root itself (a cycle through the product) says nothing. */
                        if (!is_root_ref(p, re->to))
                                d->dangling_refs++;
                        continue;
                }
                if (from_root) {
                        d->root_has_edges = true;
                        root_child[to] = true;
                }
                if (from == SIZE_MAX) {
                        if (!from_root)
                                d->dangling_refs++;
                        continue;
                }
                if (from == to)
                        continue;
                incoming[to] = true;
                if (d->n_edges == d->cap_edges) {
                        d->cap_edges = d->cap_edges ? d->cap_edges * 2 : 128;
                        d->edges = xrealloc(d->edges, d->cap_edges * sizeof(*d->edges));
                }
                d->edges[d->n_edges++] = (struct sbom_edge) { from, to };
        }
        if (d->n_edges > 1) {
                qsort(d->edges, d->n_edges, sizeof(*d->edges), edge_cmp);
                size_t w = 1;
                for (size_t r = 1; r < d->n_edges; r++)
                        if (edge_cmp(&d->edges[r], &d->edges[w - 1]) != 0)
                                d->edges[w++] = d->edges[r];
                d->n_edges = w;
        }
        /* The top level: a root that is a component (SPDX's described
         * packages) and what the root depends on directly; with a graph but
         * no root, what nothing depends on; with no graph at all, the flat
         * list is all the document says, so all of it. */
        bool any_root_component = false;
        for (size_t r = 0; r < p->roots.n; r++)
                if (ref_map_get(&m, p->roots.v[r]) != SIZE_MAX)
                        any_root_component = true;
        for (size_t i = 0; i < d->n_components; i++) {
                struct sbom_component *c = &d->components[i];
                bool root = is_root_ref(p, c->ref);
                if (root)
                        c->top_level = true; /* a described component is the top itself */
                else if (d->root_has_edges)
                        c->top_level = root_child[i];
                else if (any_root_component)
                        c->top_level = root;
                else if (d->has_graph)
                        c->top_level = !incoming[i];
                else
                        c->top_level = true;
        }
        free(incoming);
        free(root_child);
out:
        free(m.slots);
        return rc;
}

void sbom_ptrf(char *out, size_t n, const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(out, n, fmt, ap);
        va_end(ap);
}

/* SPDX-License-Identifier: Apache-2.0 */
#include "sched.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/strutil.h"

uint64_t fleetsim_rng_next(uint64_t *s) {
        uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        return z ^ (z >> 31);
}

double fleetsim_rng_unit(uint64_t *s) {
        return (double) (fleetsim_rng_next(s) >> 11) * (1.0 / 9007199254740992.0);
}

uint64_t fleetsim_rng_seed(uint64_t seed, const char *serial) {
        /* FNV-1a of the serial, mixed with the seed. */
        uint64_t h = 0xcbf29ce484222325ULL;
        for (const unsigned char *p = (const unsigned char *) serial; *p; p++) {
                h ^= *p;
                h *= 0x100000001b3ULL;
        }
        uint64_t s = seed ^ h;
        return fleetsim_rng_next(&s);
}

int64_t fleetsim_next_delay_us(uint64_t *rng, double interval_s, double jitter_pct) {
        double u = fleetsim_rng_unit(rng) * 2.0 - 1.0; /* [-1, 1) */
        double d = interval_s * (1.0 + u * jitter_pct / 100.0);
        int64_t us = (int64_t) (d * 1e6);
        return us < 1000 ? 1000 : us;
}

int64_t fleetsim_first_delay_us(uint64_t *rng, double interval_s) {
        return (int64_t) (fleetsim_rng_unit(rng) * interval_s * 1e6);
}

void fleetsim_heap_init(struct fleetsim_heap *h, size_t cap) {
        h->n = 0;
        h->cap = cap ? cap : 16;
        h->v = xcalloc(h->cap, sizeof(*h->v));
}

void fleetsim_heap_free(struct fleetsim_heap *h) {
        free(h->v);
        h->v = NULL;
        h->n = h->cap = 0;
}

static int before(const struct fleetsim_timer *a, const struct fleetsim_timer *b) {
        /* Ties broken by device index, so the order is deterministic. */
        return a->at_us < b->at_us || (a->at_us == b->at_us && a->device < b->device);
}

void fleetsim_heap_push(struct fleetsim_heap *h, int64_t at_us, uint32_t device) {
        if (h->n == h->cap) {
                h->cap *= 2;
                h->v = xrealloc(h->v, h->cap * sizeof(*h->v));
        }
        size_t i = h->n++;
        struct fleetsim_timer t = { at_us, device };
        while (i > 0) {
                size_t p = (i - 1) / 2;
                if (!before(&t, &h->v[p]))
                        break;
                h->v[i] = h->v[p];
                i = p;
        }
        h->v[i] = t;
}

const struct fleetsim_timer *fleetsim_heap_peek(const struct fleetsim_heap *h) {
        return h->n ? &h->v[0] : NULL;
}

void fleetsim_heap_pop(struct fleetsim_heap *h) {
        if (h->n == 0)
                return;
        struct fleetsim_timer last = h->v[--h->n];
        size_t i = 0;
        for (;;) {
                size_t l = 2 * i + 1, r = l + 1, m = i;
                const struct fleetsim_timer *best = &last;
                if (l < h->n && before(&h->v[l], best)) {
                        m = l;
                        best = &h->v[l];
                }
                if (r < h->n && before(&h->v[r], best))
                        m = r;
                if (m == i)
                        break;
                h->v[i] = h->v[m];
                i = m;
        }
        if (h->n)
                h->v[i] = last;
}

int fleetsim_rule_parse(const char *s, struct fleetsim_rule *out, struct error *err) {
        const char *colon = s ? strrchr(s, ':') : NULL;
        char *end = NULL;
        double p;
        if (!colon || colon == s || (size_t) (colon - s) > 64)
                return error_set(err, ERROR_INVALID, "'%s': expected RELEASE:PROBABILITY (release 1..64 bytes)",
                                 s ? s : "");
        p = strtod(colon + 1, &end);
        if (!colon[1] || *end || !(p >= 0.0 && p <= 1.0))
                return error_set(err, ERROR_INVALID, "'%s': the probability must be a number from 0 to 1", s);
        memcpy(out->release, s, (size_t) (colon - s));
        out->release[colon - s] = '\0';
        out->probability = p;
        return 0;
}

double fleetsim_rule_lookup(const struct fleetsim_rule *rules, size_t n, const char *release) {
        for (size_t i = 0; i < n; i++)
                if (strcmp(rules[i].release, release) == 0)
                        return rules[i].probability;
        return 0.0;
}


/* SPDX-License-Identifier: Apache-2.0 */
#include "stats.h"

#include <string.h>

size_t fleetsim_hist_index(uint64_t us) {
        if (us < FLEETSIM_HIST_SUB)
                return (size_t) us; /* exact below 32 µs */
        /* Octave o holds [32·2^(o-1), 32·2^o); each is cut into 32 steps. */
        unsigned top = 63u - (unsigned) __builtin_clzll(us); /* floor(log2(us)), >= 5 */
        unsigned octave = top - 4;                            /* 1 for [32, 64) */
        uint64_t sub = (us >> (top - 5)) & (FLEETSIM_HIST_SUB - 1);
        size_t i = (size_t) octave * FLEETSIM_HIST_SUB + (size_t) sub;
        return i < FLEETSIM_HIST_BUCKETS ? i : FLEETSIM_HIST_BUCKETS - 1;
}

uint64_t fleetsim_hist_upper(size_t i) {
        if (i < FLEETSIM_HIST_SUB)
                return i;
        unsigned octave = (unsigned) (i / FLEETSIM_HIST_SUB);
        uint64_t sub = i % FLEETSIM_HIST_SUB;
        unsigned shift = octave - 1; /* step width is 2^(octave-1) */
        return ((FLEETSIM_HIST_SUB + sub + 1) << shift) - 1;
}

void fleetsim_hist_add(struct fleetsim_hist *h, uint64_t us) {
        h->bucket[fleetsim_hist_index(us)]++;
        h->count++;
        h->sum_us += us;
        if (us > h->max_us)
                h->max_us = us;
}

void fleetsim_hist_merge(struct fleetsim_hist *into, const struct fleetsim_hist *from) {
        for (size_t i = 0; i < FLEETSIM_HIST_BUCKETS; i++)
                into->bucket[i] += from->bucket[i];
        into->count += from->count;
        into->sum_us += from->sum_us;
        if (from->max_us > into->max_us)
                into->max_us = from->max_us;
}

uint64_t fleetsim_hist_quantile(const struct fleetsim_hist *h, double q) {
        if (h->count == 0)
                return 0;
        if (q <= 0)
                q = 0;
        if (q > 1)
                q = 1;
        /* The rank of the q-quantile, 1-based, rounded up (nearest rank). */
        uint64_t rank = (uint64_t) (q * (double) h->count);
        if ((double) rank < q * (double) h->count)
                rank++;
        if (rank == 0)
                rank = 1;
        uint64_t seen = 0;
        for (size_t i = 0; i < FLEETSIM_HIST_BUCKETS; i++) {
                seen += h->bucket[i];
                if (seen >= rank) {
                        uint64_t up = fleetsim_hist_upper(i);
                        /* Never above the largest value seen. */
                        return up < h->max_us ? up : h->max_us;
                }
        }
        return h->max_us;
}

const char *fleetsim_error_name(enum fleetsim_error e) {
        switch (e) {
        case FLEETSIM_ERR_TLS: return "tls";
        case FLEETSIM_ERR_CONNECT: return "connect";
        case FLEETSIM_ERR_TIMEOUT: return "timeout";
        case FLEETSIM_ERR_HTTP_4XX: return "http-4xx";
        case FLEETSIM_ERR_HTTP_5XX: return "http-5xx";
        case FLEETSIM_ERR_PARSE: return "parse";
        case FLEETSIM_ERR_OTHER: return "other";
        case _FLEETSIM_ERR_MAX: break;
        }
        return "?";
}

bool fleetsim_error_from_status(long status, enum fleetsim_error *out) {
        if (status >= 200 && status <= 299)
                return false;
        if (status >= 400 && status <= 499)
                *out = FLEETSIM_ERR_HTTP_4XX;
        else if (status >= 500 && status <= 599)
                *out = FLEETSIM_ERR_HTTP_5XX;
        else
                *out = FLEETSIM_ERR_OTHER; /* 1xx/3xx as a final answer, or none */
        return true;
}

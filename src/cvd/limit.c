/* SPDX-License-Identifier: Apache-2.0 */
#include "limit.h"

#include <pthread.h>
#include <stdlib.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "core/strutil.h"

#define SOURCE_MAX 64

struct limit_entry {
        char source[SOURCE_MAX];
        int64_t window_start;
        unsigned count;
};

struct cvd_limit {
        pthread_mutex_t lock;
        unsigned max, capacity, n;
        int64_t window;
        struct limit_entry *e;
};

struct cvd_limit *cvd_limit_new(unsigned max, int64_t window, unsigned capacity) {
        struct cvd_limit *l = xcalloc(1, sizeof(*l));
        pthread_mutex_init(&l->lock, NULL);
        l->max = max;
        l->window = window > 0 ? window : 1;
        l->capacity = capacity ? capacity : 1;
        l->e = xcalloc(l->capacity, sizeof(*l->e));
        return l;
}

void cvd_limit_free(struct cvd_limit *l) {
        if (!l)
                return;
        pthread_mutex_destroy(&l->lock);
        free(l->e);
        free(l);
}

/* The source's entry with its window brought up to now; NULL if absent and
 * !create. Called with the lock held. */
static struct limit_entry *entry(struct cvd_limit *l, const char *source, int64_t now, int create) {
        char key[SOURCE_MAX];
        snprintf(key, sizeof(key), "%s", source ? source : "unknown");
        struct limit_entry *stalest = NULL;
        for (unsigned i = 0; i < l->n; i++) {
                struct limit_entry *x = &l->e[i];
                if (strcmp(x->source, key) == 0) {
                        if (now - x->window_start >= l->window) {
                                x->window_start = now;
                                x->count = 0;
                        }
                        return x;
                }
                if (!stalest || x->window_start < stalest->window_start)
                        stalest = x;
        }
        if (!create)
                return NULL;
        struct limit_entry *x = l->n < l->capacity ? &l->e[l->n++] : stalest;
        memset(x, 0, sizeof(*x));
        memcpy(x->source, key, sizeof(key));
        x->window_start = now;
        return x;
}

int64_t cvd_limit_check(struct cvd_limit *l, const char *source, int64_t now) {
        pthread_mutex_lock(&l->lock);
        struct limit_entry *x = entry(l, source, now, 0);
        int64_t wait = 0;
        if (x && x->count >= l->max)
                wait = x->window_start + l->window - now;
        pthread_mutex_unlock(&l->lock);
        return wait > 0 ? wait : 0;
}

void cvd_limit_count(struct cvd_limit *l, const char *source, int64_t now) {
        pthread_mutex_lock(&l->lock);
        struct limit_entry *x = entry(l, source, now, 1);
        if (x->count < UINT32_MAX)
                x->count++;
        pthread_mutex_unlock(&l->lock);
}

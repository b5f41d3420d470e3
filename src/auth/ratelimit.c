/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Failed-authentication throttling. A fixed table of `capacity` entries
 * (allocated up front, so a flood of sources cannot grow memory), found by a
 * chained hash over the source string and kept in least-recently-failed order;
 * a new source evicts the entry whose last failure is oldest.
 */
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include "auth/ratelimit.h"
#include "core/strutil.h"

#define RL_KEY_MAX 64 /* an IPv6 address with zone fits; longer sources are truncated */

struct rl_entry {
        char key[RL_KEY_MAX];
        unsigned failures;
        int64_t last_failure;
        int64_t locked_until;
        int bucket_next;        /* chain in the bucket, or the free list */
        int lru_prev, lru_next; /* -1 terminated; head = most recent failure */
};

struct auth_ratelimit {
        pthread_mutex_t lock;
        unsigned free_failures;
        int64_t window, max_delay;
        unsigned capacity, n_buckets;
        struct rl_entry *entries;
        int *buckets;
        int free_head;
        int lru_head, lru_tail;
};

static uint32_t rl_hash(const char *s) {
        uint32_t h = 2166136261u; /* FNV-1a */
        for (; *s; s++) {
                h ^= (unsigned char) *s;
                h *= 16777619u;
        }
        return h;
}

static void rl_key(const char *source, char out[RL_KEY_MAX]) {
        memset(out, 0, RL_KEY_MAX);
        if (source)
                memcpy(out, source, strnlen(source, RL_KEY_MAX - 1));
}

struct auth_ratelimit *auth_ratelimit_new(unsigned free_failures, int64_t window,
                                          int64_t max_delay, unsigned capacity) {
        struct auth_ratelimit *rl = xcalloc(1, sizeof(*rl));
        pthread_mutex_init(&rl->lock, NULL);
        rl->free_failures = free_failures;
        rl->window = window > 0 ? window : 1;
        rl->max_delay = max_delay > 0 ? max_delay : 1;
        rl->capacity = capacity > 0 ? capacity : 1;
        rl->n_buckets = 16;
        while (rl->n_buckets < rl->capacity && rl->n_buckets < (1u << 30))
                rl->n_buckets <<= 1;
        rl->entries = xcalloc(rl->capacity, sizeof(*rl->entries));
        rl->buckets = xmalloc(rl->n_buckets * sizeof(*rl->buckets));
        for (unsigned i = 0; i < rl->n_buckets; i++)
                rl->buckets[i] = -1;
        for (unsigned i = 0; i < rl->capacity; i++)
                rl->entries[i].bucket_next = i + 1 < rl->capacity ? (int) i + 1 : -1;
        rl->free_head = 0;
        rl->lru_head = rl->lru_tail = -1;
        return rl;
}

void auth_ratelimit_free(struct auth_ratelimit *rl) {
        if (!rl)
                return;
        pthread_mutex_destroy(&rl->lock);
        free(rl->entries);
        free(rl->buckets);
        free(rl);
}

static int rl_find(struct auth_ratelimit *rl, const char *key) {
        for (int i = rl->buckets[rl_hash(key) & (rl->n_buckets - 1)]; i >= 0; i = rl->entries[i].bucket_next)
                if (strcmp(rl->entries[i].key, key) == 0)
                        return i;
        return -1;
}

static void lru_unlink(struct auth_ratelimit *rl, int i) {
        struct rl_entry *e = &rl->entries[i];
        if (e->lru_prev >= 0)
                rl->entries[e->lru_prev].lru_next = e->lru_next;
        else
                rl->lru_head = e->lru_next;
        if (e->lru_next >= 0)
                rl->entries[e->lru_next].lru_prev = e->lru_prev;
        else
                rl->lru_tail = e->lru_prev;
        e->lru_prev = e->lru_next = -1;
}

static void lru_push_front(struct auth_ratelimit *rl, int i) {
        struct rl_entry *e = &rl->entries[i];
        e->lru_prev = -1;
        e->lru_next = rl->lru_head;
        if (rl->lru_head >= 0)
                rl->entries[rl->lru_head].lru_prev = i;
        rl->lru_head = i;
        if (rl->lru_tail < 0)
                rl->lru_tail = i;
}

static void bucket_unlink(struct auth_ratelimit *rl, int i) {
        int *link = &rl->buckets[rl_hash(rl->entries[i].key) & (rl->n_buckets - 1)];
        while (*link >= 0 && *link != i)
                link = &rl->entries[*link].bucket_next;
        if (*link == i)
                *link = rl->entries[i].bucket_next;
}

static void rl_remove(struct auth_ratelimit *rl, int i) {
        bucket_unlink(rl, i);
        lru_unlink(rl, i);
        rl->entries[i].bucket_next = rl->free_head;
        rl->free_head = i;
}

static int rl_insert(struct auth_ratelimit *rl, const char *key) {
        if (rl->free_head < 0)
                rl_remove(rl, rl->lru_tail); /* full: forget the oldest failure */
        int i = rl->free_head;
        struct rl_entry *e = &rl->entries[i];
        rl->free_head = e->bucket_next;
        memset(e, 0, sizeof(*e));
        memcpy(e->key, key, RL_KEY_MAX);
        unsigned b = rl_hash(key) & (rl->n_buckets - 1);
        e->bucket_next = rl->buckets[b];
        rl->buckets[b] = i;
        e->lru_prev = e->lru_next = -1;
        lru_push_front(rl, i);
        return i;
}

int64_t auth_ratelimit_check(struct auth_ratelimit *rl, const char *source, int64_t now) {
        char key[RL_KEY_MAX];
        rl_key(source, key);
        pthread_mutex_lock(&rl->lock);
        int64_t wait = 0;
        int i = rl_find(rl, key);
        if (i >= 0 && rl->entries[i].locked_until > now)
                wait = rl->entries[i].locked_until - now;
        pthread_mutex_unlock(&rl->lock);
        return wait;
}

void auth_ratelimit_failure(struct auth_ratelimit *rl, const char *source, int64_t now) {
        char key[RL_KEY_MAX];
        rl_key(source, key);
        pthread_mutex_lock(&rl->lock);
        int i = rl_find(rl, key);
        if (i < 0)
                i = rl_insert(rl, key);
        else {
                lru_unlink(rl, i);
                lru_push_front(rl, i);
        }
        struct rl_entry *e = &rl->entries[i];
        /* Quiet for a whole window after the last failure (and any lockout)? Forgiven. */
        int64_t quiet_since = e->last_failure > e->locked_until ? e->last_failure : e->locked_until;
        if (e->failures > 0 && now - quiet_since >= rl->window)
                e->failures = 0;
        if (e->failures < UINT32_MAX)
                e->failures++;
        e->last_failure = now;
        if (e->failures > rl->free_failures) {
                unsigned k = e->failures - rl->free_failures - 1; /* 0, 1, 2, ... */
                int64_t delay = k >= 62 ? rl->max_delay : (int64_t) 1 << k;
                if (delay > rl->max_delay)
                        delay = rl->max_delay;
                e->locked_until = now + delay;
        }
        pthread_mutex_unlock(&rl->lock);
}

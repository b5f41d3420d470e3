/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A fixed set of connections. SQLite connections are cheap but not free, and
 * a bound on them is a bound on concurrent database work: a request that finds
 * none free waits for one instead of opening more.
 */
#include <pthread.h>
#include <stdlib.h>
#include "core/strutil.h"
#include "store/store-private.h"

#define STORE_POOL_MAX 256

struct store_pool {
        pthread_mutex_t lock;
        pthread_cond_t freed;
        unsigned size;
        struct store **all;   /* every connection, for close */
        struct store **idle;  /* stack of free connections */
        unsigned n_idle;
};

int store_pool_open(const char *path, unsigned size, struct store_pool **out, struct error *err) {
        *out = NULL;
        if (size == 0 || size > STORE_POOL_MAX)
                return error_set(err, ERROR_INVALID, "store pool size %u is out of range (1..%d)",
                                 size, STORE_POOL_MAX);
        struct store_pool *p = xcalloc(1, sizeof(*p));
        p->all = xcalloc(size, sizeof(*p->all));
        p->idle = xcalloc(size, sizeof(*p->idle));
        pthread_mutex_init(&p->lock, NULL);
        pthread_cond_init(&p->freed, NULL);
        /* The first open migrates; the rest find the schema current. */
        for (unsigned i = 0; i < size; i++) {
                if (store_open(path, &p->all[i], err) < 0) {
                        store_pool_close(p);
                        return -1;
                }
                p->size++;
                p->idle[p->n_idle++] = p->all[i];
        }
        *out = p;
        return 0;
}

struct store *store_pool_acquire(struct store_pool *p) {
        pthread_mutex_lock(&p->lock);
        while (p->n_idle == 0)
                pthread_cond_wait(&p->freed, &p->lock);
        struct store *s = p->idle[--p->n_idle];
        pthread_mutex_unlock(&p->lock);
        return s;
}

void store_pool_release(struct store_pool *p, struct store *s) {
        if (!s)
                return;
        /* A handler that returned mid-transaction must not hand its locks (and
         * its half-done changes) to the next request. */
        store_read_end(s);
        store_tx_rollback(s);
        if (store_in_transaction(s))
                (void) sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
        pthread_mutex_lock(&p->lock);
        if (p->n_idle >= p->size)
                abort(); /* released more than acquired: a broken invariant */
        p->idle[p->n_idle++] = s;
        pthread_cond_signal(&p->freed);
        pthread_mutex_unlock(&p->lock);
}

/* All connections must have been released. */
void store_pool_close(struct store_pool *p) {
        if (!p)
                return;
        for (unsigned i = 0; i < p->size; i++)
                store_close(p->all[i]);
        pthread_cond_destroy(&p->freed);
        pthread_mutex_destroy(&p->lock);
        free(p->all);
        free(p->idle);
        free(p);
}

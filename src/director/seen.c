/* SPDX-License-Identifier: Apache-2.0 */
/* The pending set of last_seen times, flushed in one transaction (see seen.h). */
#include "director/seen.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include "core/cleanup.h"
#include "core/strutil.h"
#include "store/store-director.h"

/* Open addressing with linear probing over device ids (> 0; 0 = empty);
 * the table doubles at half load, up to what max_entries needs. */
struct director_seen {
        pthread_mutex_t lock;
        struct store_device_seen *slots;
        size_t cap;     /* power of two */
        size_t n;
        size_t max;
};

#define SEEN_INITIAL_CAP 1024

static size_t slot_of(int64_t id, size_t cap) {
        uint64_t h = (uint64_t) id * 0x9E3779B97F4A7C15ull;
        return (size_t) (h >> 17) & (cap - 1);
}

struct director_seen *director_seen_new(size_t max_entries) {
        struct director_seen *ds = xcalloc(1, sizeof(*ds));
        pthread_mutex_init(&ds->lock, NULL);
        ds->max = max_entries ? max_entries : DIRECTOR_SEEN_MAX;
        ds->cap = SEEN_INITIAL_CAP;
        ds->slots = xcalloc(ds->cap, sizeof(*ds->slots));
        return ds;
}

void director_seen_free(struct director_seen *ds) {
        if (!ds)
                return;
        pthread_mutex_destroy(&ds->lock);
        free(ds->slots);
        free(ds);
}

/* With the lock held. */
static void put(struct store_device_seen *slots, size_t cap, int64_t id, int64_t when, bool *added) {
        size_t i = slot_of(id, cap);
        while (slots[i].device_id != 0 && slots[i].device_id != id)
                i = (i + 1) & (cap - 1);
        *added = slots[i].device_id == 0;
        if (*added || slots[i].when < when)
                slots[i] = (struct store_device_seen) { .device_id = id, .when = when };
}

static bool find(const struct director_seen *ds, int64_t id) {
        size_t i = slot_of(id, ds->cap);
        while (ds->slots[i].device_id != 0) {
                if (ds->slots[i].device_id == id)
                        return true;
                i = (i + 1) & (ds->cap - 1);
        }
        return false;
}

static void grow(struct director_seen *ds) {
        size_t cap = ds->cap * 2;
        struct store_device_seen *slots = xcalloc(cap, sizeof(*slots));
        for (size_t i = 0; i < ds->cap; i++)
                if (ds->slots[i].device_id != 0) {
                        bool added;
                        put(slots, cap, ds->slots[i].device_id, ds->slots[i].when, &added);
                }
        free(ds->slots);
        ds->slots = slots;
        ds->cap = cap;
}

static bool note_locked(struct director_seen *ds, int64_t device_id, int64_t when) {
        if (ds->n >= ds->max && !find(ds, device_id))
                return false;
        if ((ds->n + 1) * 2 > ds->cap)
                grow(ds);
        bool added;
        put(ds->slots, ds->cap, device_id, when, &added);
        if (added)
                ds->n++;
        return true;
}

bool director_seen_note(struct director_seen *ds, int64_t device_id, int64_t when) {
        if (device_id <= 0)
                return true; /* nothing to record for a device that has no row */
        pthread_mutex_lock(&ds->lock);
        bool ok = note_locked(ds, device_id, when);
        pthread_mutex_unlock(&ds->lock);
        return ok;
}

size_t director_seen_pending(struct director_seen *ds) {
        pthread_mutex_lock(&ds->lock);
        size_t n = ds->n;
        pthread_mutex_unlock(&ds->lock);
        return n;
}

int director_seen_flush(struct director_seen *ds, struct store *s, size_t *written, struct error *err) {
        if (written)
                *written = 0;
        /* Take the entries and release the lock at once: polls keep noting
         * into a fresh set while this one is written. */
        pthread_mutex_lock(&ds->lock);
        size_t cap = ds->cap, n = ds->n;
        if (n == 0) {
                pthread_mutex_unlock(&ds->lock);
                return 0;
        }
        _cleanup_free_ struct store_device_seen *slots = ds->slots;
        ds->cap = SEEN_INITIAL_CAP;
        ds->slots = xcalloc(ds->cap, sizeof(*ds->slots));
        ds->n = 0;
        pthread_mutex_unlock(&ds->lock);

        _cleanup_free_ struct store_device_seen *rows = xcalloc(n, sizeof(*rows));
        size_t k = 0;
        for (size_t i = 0; i < cap; i++)
                if (slots[i].device_id != 0)
                        rows[k++] = slots[i];
        if (store_tx_begin(s, err) < 0)
                goto requeue;
        if (store_devices_seen_batch(s, rows, k, err) < 0) {
                store_tx_rollback(s);
                goto requeue;
        }
        if (store_tx_commit(s, err) < 0)
                goto requeue;
        if (written)
                *written = k;
        return 0;
requeue:
        /* Kept for the next flush, within the bound (a newer note wins). */
        pthread_mutex_lock(&ds->lock);
        for (size_t i = 0; i < k; i++)
                note_locked(ds, rows[i].device_id, rows[i].when);
        pthread_mutex_unlock(&ds->lock);
        return -1;
}

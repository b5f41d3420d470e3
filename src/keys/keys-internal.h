/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/* Shared by the key registry's files (never included outside src/keys). */
#include <stdbool.h>
#include "store/store.h"

/* Every registry change runs inside the caller's transaction when one is
 * open (a key is registered or retired with the operation that made or
 * replaced it; a failure is then the caller's to roll back, with whatever
 * it did before), else in a transaction of its own. */
struct keys_tx {
        bool own;
};

static inline int keys_tx_begin(struct store *s, struct keys_tx *t, struct error *err) {
        t->own = !store_in_transaction(s);
        return t->own ? store_tx_begin(s, err) : 0;
}

/* Commits (own) or passes on r; on r < 0 rolls back (own). */
static inline int keys_tx_end(struct store *s, struct keys_tx *t, int r, struct error *err) {
        if (!t->own)
                return r < 0 ? -1 : 0;
        if (r < 0) {
                store_tx_rollback(s);
                return -1;
        }
        return store_tx_commit(s, err);
}

static inline int keys_tx_commit(struct store *s, struct keys_tx *t, struct error *err) {
        return t->own ? store_tx_commit(s, err) : 0;
}

static inline void keys_tx_rollback(struct store *s, struct keys_tx *t) {
        if (t->own)
                store_tx_rollback(s);
}

/* SPDX-License-Identifier: Apache-2.0 */
#include "store/store-ota-encryption.h"

#include <stdlib.h>
#include <string.h>
#include "core/cleanup.h"
#include "store/store-identity-private.h"
#include "store/store-private.h"

int store_image_encryption_put(struct store *s, const struct store_image_encryption *e, struct error *err) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        if (store_prepare(s,
                          "INSERT INTO image_encryption (sha256, release_id, scheme, chunk_size, plain_sha256, "
                          "plain_length, content_key_sealed, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                          &st, err) < 0 ||
            store_bind_text(s, st, 1, e->sha256, err) < 0 || store_bind_int64(s, st, 2, e->release_id, err) < 0 ||
            store_bind_text(s, st, 3, e->scheme, err) < 0 || store_bind_int64(s, st, 4, e->chunk_size, err) < 0 ||
            store_bind_text(s, st, 5, e->plain_sha256, err) < 0 ||
            store_bind_int64(s, st, 6, e->plain_length, err) < 0 ||
            store_bind_text(s, st, 7, e->content_key_sealed, err) < 0 ||
            store_bind_int64(s, st, 8, e->created_at, err) < 0)
                return -1;
        return store_step_done(s, st, "recording an encrypted image", err);
}

int store_image_encryption_get(struct store *s, const char *sha256, struct store_image_encryption *out, bool *found,
                               struct error *err) {
        memset(out, 0, sizeof(*out));
        *found = false;
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        if (store_prepare(s,
                          "SELECT sha256, release_id, scheme, chunk_size, plain_sha256, plain_length, "
                          "content_key_sealed, created_at FROM image_encryption WHERE sha256 = ?1",
                          &st, err) < 0 ||
            store_bind_text(s, st, 1, sha256, err) < 0)
                return -1;
        int rc = store_step_row(s, st, "reading an encrypted image", err);
        if (rc <= 0)
                return rc;
        if (!store_column_fixed(st, 0, out->sha256, sizeof(out->sha256)) ||
            !store_column_fixed(st, 4, out->plain_sha256, sizeof(out->plain_sha256)))
                return error_set(err, ERROR_DB, "image_encryption row has a malformed hash");
        out->release_id = sqlite3_column_int64(st, 1);
        out->scheme = store_column_text(st, 2);
        out->chunk_size = sqlite3_column_int64(st, 3);
        out->plain_length = sqlite3_column_int64(st, 5);
        out->content_key_sealed = store_column_text(st, 6);
        out->created_at = sqlite3_column_int64(st, 7);
        *found = true;
        return 0;
}

void store_image_encryption_clear(struct store_image_encryption *e) {
        if (!e)
                return;
        free(e->scheme);
        free(e->content_key_sealed);
        memset(e, 0, sizeof(*e));
}

int store_image_encryption_list(struct store *s, char (**sha256s)[65], size_t *n, struct error *err) {
        *sha256s = NULL;
        *n = 0;
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        if (store_prepare(s, "SELECT sha256 FROM image_encryption ORDER BY created_at, sha256", &st, err) < 0)
                return -1;
        size_t cap = 0;
        for (;;) {
                int rc = store_step_row(s, st, "listing encrypted images", err);
                if (rc < 0) {
                        free(*sha256s);
                        *sha256s = NULL;
                        *n = 0;
                        return -1;
                }
                if (rc == 0)
                        return 0;
                if (*n == cap) {
                        cap = cap ? cap * 2 : 16;
                        *sha256s = realloc(*sha256s, cap * sizeof(**sha256s));
                        if (!*sha256s)
                                abort();
                }
                if (!store_column_fixed(st, 0, (*sha256s)[*n], 65)) {
                        free(*sha256s);
                        *sha256s = NULL;
                        *n = 0;
                        return error_set(err, ERROR_DB, "image_encryption row has a malformed hash");
                }
                (*n)++;
        }
}

int store_image_encryption_set_sealed(struct store *s, const char *sha256, const char *sealed, struct error *err) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        if (store_prepare(s, "UPDATE image_encryption SET content_key_sealed = ?2 WHERE sha256 = ?1", &st, err) < 0 ||
            store_bind_text(s, st, 1, sha256, err) < 0 || store_bind_text(s, st, 2, sealed, err) < 0)
                return -1;
        return store_step_done(s, st, "re-sealing a content key", err);
}

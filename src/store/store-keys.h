/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/* The key registry's rows (issue 11 section 2; keys/keys.h is the domain). */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "store/store.h"

struct store_key {
        int64_t id;
        char *class;
        char *purpose;
        char *algorithm;
        char *fingerprint;      /* lower-case hex SHA-256 of the SPKI DER, or a given id */
        char *tuf_keyid;        /* NULL unless the key appears in TUF metadata */
        char *storage;          /* pkcs11 | file | offline | sealed */
        char *ref;              /* NULL for offline and sealed */
        int64_t owner_user_id;  /* 0 = no owner yet */
        char *owner_name;       /* read only (joined); NULL without an owner */
        char *state;
        char *state_reason;     /* NULL unless a change gave one */
        int64_t created_at;
        char *created_by;
        int64_t activated_at;   /* 0 = never active */
        int64_t expires_at;     /* 0 = none */
        int64_t state_changed_at;
};

struct store_key_usage {
        int64_t day;            /* 00:00 UTC of the day, seconds since the epoch */
        char *what;
        int64_t count;
        int64_t first_at, last_at;
};

/* ERROR_CONFLICT when (class, fingerprint) exists already. */
int store_keys_insert(struct store *s, const struct store_key *k, int64_t *id_out, struct error *err);
/* 1 found, 0 not, -1 error. */
int store_keys_find(struct store *s, const char *class, const char *fingerprint, struct store_key *out,
                    struct error *err);
/* ERROR_NOT_FOUND. */
int store_keys_get(struct store *s, int64_t id, struct store_key *out, struct error *err);
/* By fingerprint (or a unique prefix of at least 8 hex digits) or TUF keyid:
 * ERROR_NOT_FOUND, ERROR_CONFLICT when more than one key matches. */
int store_keys_get_by_ref(struct store *s, const char *fp_or_keyid, struct store_key *out,
                          struct error *err);
/* Every key, oldest first. */
int store_keys_list(struct store *s, struct store_key **out, size_t *n_out, struct error *err);
/* Moves a key from `from` to `to` only if it is still in `from` (ERROR_CONFLICT
 * otherwise: another change won). activated_at is set to `when` when
 * `set_activated` and not set before. */
int store_keys_set_state(struct store *s, int64_t id, const char *from, const char *to, const char *reason,
                         int64_t when, bool set_activated, struct error *err);
int store_keys_set_owner(struct store *s, int64_t id, int64_t user_id, struct error *err);
int store_keys_set_tuf_keyid(struct store *s, int64_t id, const char *keyid, struct error *err);
/* Idempotent: a link that exists is left alone. */
int store_keys_product_link(struct store *s, int64_t key_id, int64_t product_id, struct error *err);
/* Models of the linked products, sorted. */
int store_keys_products(struct store *s, int64_t key_id, char ***out, size_t *n_out, struct error *err);
/* ERROR_CONFLICT when the user is a custodian already. */
int store_keys_custodian_add(struct store *s, int64_t key_id, int64_t user_id, int64_t when,
                             const char *by, struct error *err);
/* ERROR_CONFLICT when the user is not a custodian. */
int store_keys_custodian_remove(struct store *s, int64_t key_id, int64_t user_id, struct error *err);
/* User names of the custodians, sorted. */
int store_keys_custodians(struct store *s, int64_t key_id, char ***out, size_t *n_out, struct error *err);
/* Adds `count` uses of `what` on the day of `when` (one UPSERT). */
int store_keys_usage_add(struct store *s, int64_t key_id, const char *what, int64_t count, int64_t when,
                         struct error *err);
/* The newest days first, at most `limit` rows. */
int store_keys_usage_list(struct store *s, int64_t key_id, size_t limit, struct store_key_usage **out,
                          size_t *n_out, struct error *err);

void store_key_clear(struct store_key *k);
void store_keys_list_free(struct store_key *list, size_t n);
void store_key_usage_list_free(struct store_key_usage *list, size_t n);
void store_keys_names_free(char **names, size_t n);

/* The user a registration by `actor` belongs to: the user of the token named
 * `actor`, else the user named `actor`, else the first enabled user holding
 * the admin role; 0 when there is none. */
int store_keys_owner_for_actor(struct store *s, const char *actor, int64_t *user_id_out, struct error *err);
/* The reference (file path or pkcs11: URI) of an image repository's online
 * key by TUF keyid; *ref_out NULL when none has that keyid. */
int store_keys_online_ref(struct store *s, int64_t product_id, const char *keyid, char **ref_out,
                          struct error *err);

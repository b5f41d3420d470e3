/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/* Rows of the audit chain. The hashing and verification live in audit/. */
#include "store/store.h"

struct store_audit_entry {
        int64_t seq;          /* 1, 2, 3, ... */
        int64_t time;         /* seconds since the epoch */
        char *actor_name;
        char *actor_role;
        char *actor_user;     /* the user behind the token; NULL for system/device
                               * actors and for entries written before users */
        char *action;         /* "product.create" */
        char *object;         /* "product:12" */
        char *details;        /* canonical JSON text */
        char prev_hash[65];   /* hex; 64 zeros for the first entry */
        char hash[65];
};

struct store_audit_filter {
        const char *object;   /* exact match, or NULL */
        const char *actor;    /* exact actor_name, or NULL */
        int64_t since, until; /* inclusive time range; 0 = open */
        int64_t after_seq;    /* pagination cursor: entries with seq > after_seq */
        size_t limit;         /* 1..1000 */
};

/* found=false on an empty log. */
int store_audit_last(struct store *s, struct store_audit_entry *out, bool *found,
                     struct error *err);
int store_audit_insert(struct store *s, const struct store_audit_entry *e, struct error *err);
/* Ordered by seq ascending. */
int store_audit_list(struct store *s, const struct store_audit_filter *f,
                     struct store_audit_entry **out, size_t *n_out, struct error *err);
void store_audit_entry_clear(struct store_audit_entry *e);
void store_audit_list_free(struct store_audit_entry *list, size_t n);

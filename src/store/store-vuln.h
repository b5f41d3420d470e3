/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/*
 * vulns, vuln_aliases, vuln_records, vuln_affected and vuln_match_queue rows
 * (migration 10) as the feed import (vuln/import.h) writes and the vulns
 * routes read them. Optional integers read and bind as 0 for SQL NULL, except
 * cvss_score10 where -1 is NULL (0 is a score).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

struct store;

struct store_vuln {
        int64_t id;
        char *name;
        char *summary;
        char *cvss_vector;
        int cvss_score10;               /* -1: none */
        char *severity;
        int64_t published_at, modified_at, withdrawn_at;
        int64_t exploited_at;
        char *exploited_source;
        char *epss, *epss_percentile;
        int64_t updated_at;
};
void store_vuln_clear(struct store_vuln *v);
void store_vuln_list_free(struct store_vuln *list, size_t n);

/* 1 with *out filled, 0 when there is none. */
int store_vuln_get(struct store *s, int64_t id, struct store_vuln *out, struct error *err);
/* Through any alias (the canonical name is one too). */
int store_vuln_get_by_alias(struct store *s, const char *alias, struct store_vuln *out, struct error *err);
int store_vuln_create(struct store *s, const char *name, int64_t now, int64_t *id, struct error *err);
int store_vuln_rename(struct store *s, int64_t id, const char *name, int64_t now, struct error *err);
/* Writes the fields derived from the records (summary, cvss_*, severity,
 * published/modified/withdrawn/exploited) and updated_at. */
int store_vuln_update_derived(struct store *s, const struct store_vuln *v, struct error *err);
int store_vuln_set_epss(struct store *s, int64_t id, const char *epss, const char *percentile, int64_t now,
                        struct error *err);

struct store_vuln_filter {
        const char *q;          /* substring of the name, an alias or the summary (NULL: any) */
        bool exploited;         /* only those with exploited_at */
        int64_t after_id;
        size_t limit;           /* 0 or over 1000: 1000 */
};
int store_vuln_list(struct store *s, const struct store_vuln_filter *f, struct store_vuln **out, size_t *n,
                    struct error *err);

/* Aliases. find: 1 with *vuln_id, 0 when unknown. set inserts or re-points. */
int store_vuln_alias_find(struct store *s, const char *alias, int64_t *vuln_id, struct error *err);
int store_vuln_alias_set(struct store *s, const char *alias, int64_t vuln_id, struct error *err);
/* Heap array of heap strings, sorted. */
int store_vuln_aliases_of(struct store *s, int64_t vuln_id, char ***out, size_t *n, struct error *err);
void store_vuln_strv_free(char **v, size_t n);

struct store_vuln_record {
        int64_t id;
        int64_t vuln_id;
        char *source, *record_id, *modified, *withdrawn, *content_sha256, *data;
        int64_t imported_at;
};
void store_vuln_record_clear(struct store_vuln_record *r);
void store_vuln_record_list_free(struct store_vuln_record *list, size_t n);

/* The (source, record_id) row without its data: 1 found, 0 not. */
int store_vuln_record_find(struct store *s, const char *source, const char *record_id,
                           struct store_vuln_record *out, struct error *err);
/* Its data column (heap), or NULL with err. */
char *store_vuln_record_data(struct store *s, int64_t id, struct error *err);
int store_vuln_record_insert(struct store *s, const struct store_vuln_record *r, int64_t *id, struct error *err);
/* Rewrites every column but source and record_id. */
int store_vuln_record_update(struct store *s, const struct store_vuln_record *r, struct error *err);
/* Every record of a vulnerability, with data, ordered by id. */
int store_vuln_records_of(struct store *s, int64_t vuln_id, struct store_vuln_record **out, size_t *n,
                          struct error *err);

int store_vuln_affected_delete(struct store *s, int64_t record_id, struct error *err);
int store_vuln_affected_insert(struct store *s, int64_t record_id, const char *kind, const char *match_key,
                               const char *name_key, const char *data, struct error *err);

struct store_vuln_affected {
        char *source, *record_id, *kind, *match_key, *name_key, *data;
};
void store_vuln_affected_list_free(struct store_vuln_affected *list, size_t n);
int store_vuln_affected_of(struct store *s, int64_t vuln_id, struct store_vuln_affected **out, size_t *n,
                           struct error *err);

/* Queues a vulnerability for the matcher (kept once; the first time stays). */
int store_vuln_queue(struct store *s, int64_t vuln_id, int64_t now, struct error *err);

/* Folds vulnerability `from` into `into`: aliases and records move; a
 * finding of `from` moves, unless `into` has one for the same release and
 * component, in which case the triaged state wins (into's, unless into's is
 * still in_triage and from's is not), references to it (carried_from, a
 * case's finding_id) re-point and it goes; cases naming `from` name `into`;
 * EPSS is kept where `into` has none; `from`'s queue entry and row go. A
 * table added later that references vulns or findings must be re-pointed
 * here too, or a merge fails on its foreign key. */
int store_vuln_merge(struct store *s, int64_t from, int64_t into, struct error *err);

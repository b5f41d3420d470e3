/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/*
 * Findings rows (issue 9, migrations 10 and 11): what the findings engine
 * (src/vuln/findings-*.c) reads and writes. The engine decides; these
 * functions only move rows. Lists come back as arrays the caller frees with
 * the matching *_free.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "store/store.h"

/* ---- the match queues (filled by SBOM upload and feed import) ---- */

/* The oldest `limit` queued document ids / vulnerability ids. */
int store_finding_queue_documents(struct store *s, size_t limit, int64_t **ids, size_t *n, struct error *err);
int store_finding_queue_vulns(struct store *s, size_t limit, int64_t **ids, size_t *n, struct error *err);
/* Removes one entry, inside the transaction that applied its matches. */
int store_finding_queue_document_done(struct store *s, int64_t document_id, struct error *err);
int store_finding_queue_vuln_done(struct store *s, int64_t vuln_id, struct error *err);

/* ---- components, as the matcher needs them ---- */

struct store_finding_ident {
        char *kind;      /* "purl" | "cpe" */
        char *value;     /* as written */
        char *match_key; /* NULL: invalid, or a wildcard vendor/product */
};

struct store_finding_component {
        int64_t id, document_id, release_id, product_id;
        char *ref, *name, *version; /* version NULL when the SBOM has none */
        struct store_finding_ident *idents;
        size_t n_idents;
};
void store_finding_component_clear(struct store_finding_component *c);
void store_finding_components_free(struct store_finding_component *list, size_t n);

/* Every component of a document, with its identifiers. */
int store_finding_components_of_document(struct store *s, int64_t document_id,
                                         struct store_finding_component **out, size_t *n, struct error *err);
/* One component; 0 with ERROR_NOT_FOUND when there is none. */
int store_finding_component_get(struct store *s, int64_t component_id, struct store_finding_component *out,
                                struct error *err);
/* The components of a release named `name` (and `version`, NULL = any). */
int store_finding_components_by_name(struct store *s, int64_t release_id, const char *name, const char *version,
                                     int64_t **ids, size_t *n, struct error *err);
/* The components a changed vulnerability may concern: those with an
 * identifier keyed like one of its affected entries, those without any keyed
 * identifier whose lowercased name is an entry's name_key, and those it has
 * live findings on (so a narrowed range ends them). */
int store_finding_candidate_components(struct store *s, int64_t vuln_id, int64_t **ids, size_t *n,
                                       struct error *err);

/* ---- affected entries ---- */

struct store_finding_entry {
        int64_t affected_id, vuln_id;
        char *kind;       /* "purl" | "cpe" */
        char *data;       /* an OSV affected object or an NVD configuration (JSON) */
        char *source;     /* vuln_records.source */
        char *record_id;  /* the id inside that source */
        char *vuln_name;
        bool withdrawn;   /* the record or the whole vulnerability is withdrawn */
};
void store_finding_entries_free(struct store_finding_entry *list, size_t n);

/* Entries keyed (kind, match_key), or by name_key when kind is NULL;
 * vuln_id 0 = of every vulnerability. Withdrawn ones are included (flagged). */
int store_finding_entries_by_key(struct store *s, const char *kind, const char *key, int64_t vuln_id,
                                 struct store_finding_entry **out, size_t *n, struct error *err);
/* Every entry of one vulnerability (the explanation of a non-match). */
int store_finding_entries_of_vuln(struct store *s, int64_t vuln_id, struct store_finding_entry **out, size_t *n,
                                  struct error *err);

/* A vulnerability by its canonical name or any alias: 1 found, 0 not. */
int store_finding_vuln_resolve(struct store *s, const char *alias, int64_t *vuln_id, struct error *err);

/* ---- findings ---- */

struct store_finding {
        int64_t id, release_id, component_id, vuln_id;
        char *confidence;        /* "purl" | "cpe" | "name" */
        char *explanation;       /* JSON */
        char *state;             /* finding.h names */
        char *justification, *action_statement, *state_reason, *state_by;
        int64_t state_at, carried_from, first_seen_at, last_matched_at, gone_at, notified_at,
                exploited_notified_at; /* 0 = NULL */
        /* filled by reads that join (get, list): */
        int64_t product_id;
        char *product_model, *release_version, *release_status;
        char *component_ref, *component_name, *component_version;
        char *vuln_name, *severity;
        int64_t exploited_at;
};
void store_finding_clear(struct store_finding *f);
void store_finding_list_free(struct store_finding *list, size_t n);

/* 1 with *out filled, 0 when there is none. */
int store_finding_get(struct store *s, int64_t id, struct store_finding *out, struct error *err);
int store_finding_by_triple(struct store *s, int64_t release_id, int64_t component_id, int64_t vuln_id,
                            struct store_finding *out, struct error *err);
/* Inserts f (id ignored; the state fields as given); *id_out may be NULL. */
int store_finding_insert(struct store *s, const struct store_finding *f, int64_t *id_out, struct error *err);
/* The match holds again: new evidence, last_matched_at = now, gone_at cleared. */
int store_finding_rematch(struct store *s, int64_t id, const char *confidence, const char *explanation, int64_t now,
                          struct error *err);
/* The match no longer holds (the row stays). */
int store_finding_gone(struct store *s, int64_t id, int64_t now, struct error *err);
/* Live findings of a component: ids and their vuln ids (parallel arrays). */
int store_finding_live_of_component(struct store *s, int64_t component_id, int64_t **ids, int64_t **vuln_ids,
                                    size_t *n, struct error *err);
/* The state to carry into a new finding of (release, component, vuln): a
 * triaged finding of the same vulnerability on an earlier release of the same
 * product whose component has the same name, version and purls. 1 found. */
int store_finding_carry_source(struct store *s, int64_t release_id, int64_t component_id, int64_t vuln_id,
                               struct store_finding *out, struct error *err);
/* Writes the triage fields (state .. state_at) of f->id. */
int store_finding_set_state(struct store *s, const struct store_finding *f, struct error *err);
/* VEX import's lookup: the finding of (release, vulnerability, component by
 * ref or purl), live ones first. 1 found. */
int store_finding_find(struct store *s, int64_t release_id, int64_t vuln_id, const char *ref_or_purl,
                       int64_t *id, struct error *err);

struct store_finding_filter {
        bool only_new;          /* untriaged: in_triage, never set by anyone, not gone */
        bool include_gone;
        int64_t release_id;     /* 0 = any */
        int64_t vuln_id;        /* 0 = any */
        const char *state;      /* NULL = any */
        int64_t after_id;
        size_t limit;           /* 0 = 1000 */
};
int store_finding_list(struct store *s, const struct store_finding_filter *f, struct store_finding **out,
                       size_t *n, struct error *err);

/* ---- notifications ---- */

/* Live findings on released (ever published) releases whose own event has
 * not been raised, in id order (joined fields filled). */
int store_finding_pending_events(struct store *s, size_t limit, struct store_finding **out, size_t *n,
                                 struct error *err);
int store_finding_mark_notified(struct store *s, int64_t id, int64_t now, struct error *err);
/* Live, not dismissed (in_triage or affected) findings on released releases
 * of KEV-listed vulnerabilities whose exploited event has not been raised,
 * ordered by vulnerability, product and release (joined fields filled). */
int store_finding_pending_exploited(struct store *s, size_t limit, struct store_finding **out, size_t *n,
                                    struct error *err);
int store_finding_mark_exploited_notified(struct store *s, int64_t id, int64_t now, struct error *err);

/* ---- gauges ---- */

struct store_finding_count {
        char *state, *severity; /* severity "unknown" when the vulnerability has none */
        int64_t count;          /* live findings */
};
int store_finding_counts(struct store *s, struct store_finding_count **out, size_t *n, struct error *err);
void store_finding_counts_free(struct store_finding_count *list, size_t n);
/* Every finding ever made (rows are never deleted: a counter), and the live,
 * not dismissed ones on KEV-listed vulnerabilities. */
int store_finding_totals(struct store *s, int64_t *created, int64_t *exploited, struct error *err);

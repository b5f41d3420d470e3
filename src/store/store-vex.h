/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/*
 * The reads VEX import and export need (issue 9, section 4; tables of
 * migration 10): a release's findings with their component's bom-ref,
 * purl and CPE and their vulnerability's aliases; a finding's current
 * state; the releases whose SBOM components carry a purl.
 */
#include <stddef.h>
#include <stdint.h>
#include "store/store.h"

struct store_vex_release {
        char *product;          /* products.name */
        char *model;
        char *version;
        char *manufacturer;     /* products.manufacturer_name */
        char *contact;          /* products.manufacturer_contact */
        int64_t created_at;
};
/* ERROR_NOT_FOUND for an unknown release. */
int store_vex_release_get(struct store *s, int64_t release_id, struct store_vex_release *out, struct error *err);
void store_vex_release_clear(struct store_vex_release *r);

struct store_vex_finding {
        int64_t id;
        int64_t component_id;
        char *vuln;             /* vulns.name, the canonical id */
        char **aliases;         /* every other alias of it, sorted */
        size_t n_aliases;
        char *state;            /* findings.state */
        char *justification;    /* NULL unless not_affected */
        char *action_statement;
        char *state_reason;
        int64_t state_at;       /* 0 = never set */
        char *ref;              /* the component's bom-ref */
        char *name;
        char *version;
        char *purl;             /* its first valid purl (by value), or NULL */
        char *cpe;              /* its first valid CPE (by value), or NULL */
        char *cvss_vector;      /* vulns.cvss_vector, cvss_score10 (-1 = none), severity */
        int cvss_score10;
        char *severity;
};
/* The findings of a release whose match still holds (gone_at IS NULL),
 * ordered by vulnerability name, then bom-ref, then component id. At most
 * STORE_VEX_FINDINGS_MAX; more is ERROR_TOO_LARGE. */
#define STORE_VEX_FINDINGS_MAX 200000
int store_vex_release_findings(struct store *s, int64_t release_id, struct store_vex_finding **out, size_t *n,
                               struct error *err);
void store_vex_findings_free(struct store_vex_finding *list, size_t n);

/* A finding's current state fields (heap strings; justification and action
 * may be NULL). ERROR_NOT_FOUND for an unknown id. */
int store_vex_finding_state(struct store *s, int64_t finding_id, char **state, char **justification,
                            char **action_statement, struct error *err);

/* The releases (ids ascending, at most `max`) with a component that carries
 * this purl exactly. */
int store_vex_releases_with_purl(struct store *s, const char *purl, int64_t **ids, size_t *n, size_t max,
                                 struct error *err);

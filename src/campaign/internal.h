/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/* Helpers shared by the .c files of src/campaign (never included outside it). */
#include <jansson.h>
#include <stdbool.h>
#include "audit/audit.h"
#include "campaign/plan.h"
#include "campaign/selector.h"
#include "store/store-campaign.h"

/* The release as a campaign needs it. */
struct campaign_release {
        int64_t id;
        int64_t product_id;
        char *version;
        bool published;
        json_t *revisions;             /* array of strings (owned) */
        const char **rev_list;         /* points into revisions */
        size_t n_revs;
};

int campaign_release_load(struct store *s, int64_t id, struct campaign_release *out, struct error *err);
void campaign_release_clear(struct campaign_release *r);

/* Members of a campaign of an encrypted release (encrypted.c): checks the
 * pending members that joined at or after `since` for a key the director can
 * wrap to. refuse: any that cannot is ERROR_CONFLICT naming the first three
 * and the count (creation). Else each such member is refused (failed, never
 * offered) and its serial appended to `refused` (a dynamic join). Nothing to
 * do for a release without encrypted images. */
int campaign_check_member_keys(struct store *s, int64_t campaign_id, int64_t release_id, int64_t since, bool refuse,
                               int64_t now, json_t *refused, struct error *err);

/* The four rank keys from the 32-hex-digit seed. */
int campaign_rank_keys(const char *seed, struct store_campaign_rank_keys *out, struct error *err);

/* The store selector of a stored campaign (its selector JSON, product and
 * release revisions). `rel` must stay alive while `sel` is used. */
int campaign_selection_load(const struct store_campaign *c, const struct campaign_release *rel,
                            struct campaign_selector *sel, struct error *err);

/* Appends the audit entry of a change of campaign `id` (details may be NULL;
 * not stolen). */
int campaign_audit(struct store *s, const struct audit_actor *a, const char *action, int64_t id, json_t *details,
                   struct error *err);

/* Reads back every closed action of c's started waves (the evaluator's step
 * 1, unchunked), in the caller's transaction: a resume does it before it
 * re-offers, so a device whose report arrived since the last evaluation is
 * not taken for unfinished. */
int campaign_sync_all(struct store *s, const struct store_campaign *c, int64_t now, struct error *err);

/* The evaluator's actor: "system". */
extern const struct audit_actor campaign_system_actor;

static inline void campaign_row_clearp(struct store_campaign *c) { store_campaign_clear(c); }
#define _cleanup_campaign_ __attribute__((cleanup(campaign_row_clearp)))
static inline void campaign_release_clearp(struct campaign_release *r) { campaign_release_clear(r); }
#define _cleanup_campaign_release_ __attribute__((cleanup(campaign_release_clearp)))
static inline void campaign_selector_clearp(struct campaign_selector *s) { campaign_selector_clear(s); }
#define _cleanup_campaign_selector_ __attribute__((cleanup(campaign_selector_clearp)))

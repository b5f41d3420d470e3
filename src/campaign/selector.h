/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/*
 * The campaign selector: which devices a campaign is for (docs/campaigns.md,
 * "Selector"). A JSON object, stored with the campaign:
 *   "product": "MODEL"                              required
 *   "hardware_revisions": ["B", ...]                any of them
 *   "tags": {"any": [...]} or {"all": [...]}        device tags
 *   "serials": ["SN1", ...]                         explicit devices (<= 10000)
 *   "installed_version": {"exact": "1.0.0"}
 *                     or {"min": "1.0", "below": "2.0"}   (min inclusive,
 *                        below exclusive; core/version.h's comparison)
 *   "batches": ["2026-W01", ...]                    batch names
 *   "production_date": {"from": "YYYY-MM-DD", "to": "YYYY-MM-DD"} inclusive
 *   "member_states": ["DE", ...]                    the product is sold there
 *   "last_seen": {"after": RFC 3339, "before": RFC 3339}
 *   "affected_by": "CVE-2024-3094"                  devices exposed to it and not patched
 *                                                   (issue 9; vuln/exposure.h)
 * Every term narrows the selection (AND). Each bad input is refused with
 * ERROR_INVALID naming the field ("selector.tags.any[2]: ...").
 */
#include <jansson.h>
#include "core/version.h"
#include "store/store-campaign.h"

#define CAMPAIGN_SELECTOR_LIST_MAX 64
#define CAMPAIGN_SELECTOR_SERIALS_MAX 10000

struct campaign_selector {
        json_t *doc;                          /* the normalised selector (owned) */
        const char *product;                  /* points into doc */
        struct store_campaign_selector sel;   /* product_id and release_revisions are the caller's */
        const char **lists;                   /* storage for sel's lists (owned) */
        char version_min_key[VERSION_KEY_MAX];
        char version_below_key[VERSION_KEY_MAX];
};

/* Parses `in` (not stolen). */
int campaign_selector_parse(json_t *in, struct campaign_selector *out, struct error *err);
void campaign_selector_clear(struct campaign_selector *s);

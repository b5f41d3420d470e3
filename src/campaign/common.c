/* SPDX-License-Identifier: Apache-2.0 */
/* Helpers shared by the campaign files (internal.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "campaign/campaign.h"
#include "campaign/internal.h"
#include "core/cleanup.h"
#include "core/json.h"
#include "core/strutil.h"
#include "crypto/encoding.h"
#include "store/store-release.h"

const struct audit_actor campaign_system_actor = { .name = "system", .role = "system" };

int campaign_release_load(struct store *s, int64_t id, struct campaign_release *out, struct error *err) {
        struct store_release r = {0};
        memset(out, 0, sizeof(*out));
        if (store_release_get(s, id, &r, err) < 0)
                return -1;
        out->id = r.id;
        out->product_id = r.product_id;
        out->version = steal_ptr(r.version);
        out->published = r.status == STORE_RELEASE_PUBLISHED;
        out->revisions = r.hardware_revisions ? json_loads(r.hardware_revisions, 0, NULL) : NULL;
        store_release_clear(&r);
        if (!json_is_array(out->revisions)) {
                campaign_release_clear(out);
                return error_set(err, ERROR_INTERNAL, "release %lld: stored hardware revisions are not a list",
                                 (long long) id);
        }
        out->n_revs = json_array_size(out->revisions);
        out->rev_list = xcalloc(out->n_revs ? out->n_revs : 1, sizeof(*out->rev_list));
        for (size_t i = 0; i < out->n_revs; i++)
                out->rev_list[i] = json_string_value(json_array_get(out->revisions, i));
        return 0;
}

void campaign_release_clear(struct campaign_release *r) {
        if (!r)
                return;
        free(r->version);
        json_decref(r->revisions);
        free(r->rev_list);
        memset(r, 0, sizeof(*r));
}

/* Each key in [1, 2^31 - 2]: four bytes of the seed reduced. */
int campaign_rank_keys(const char *seed, struct store_campaign_rank_keys *out, struct error *err) {
        uint8_t b[16];
        if (!seed || strlen(seed) != 32 || hex_decode(seed, b, sizeof(b), NULL) < 0)
                return error_set(err, ERROR_INVALID, "field 'seed': expected 32 hexadecimal digits");
        int64_t k[4];
        for (size_t i = 0; i < 4; i++) {
                uint32_t v = (uint32_t) b[4 * i] << 24 | (uint32_t) b[4 * i + 1] << 16 | (uint32_t) b[4 * i + 2] << 8 |
                             b[4 * i + 3];
                k[i] = (int64_t) (v % 2147483646u) + 1;
        }
        *out = (struct store_campaign_rank_keys) { .a = k[0], .b = k[1], .c = k[2], .m = k[3] };
        return 0;
}

int campaign_selection_load(const struct store_campaign *c, const struct campaign_release *rel,
                            struct campaign_selector *sel, struct error *err) {
        _cleanup_json_ json_t *doc = cr_json_parse("stored campaign selector", c->selector, strlen(c->selector),
                                                   CAMPAIGN_BODY_MAX, 0, err);
        if (!doc || campaign_selector_parse(doc, sel, err) < 0)
                return -1;
        sel->sel.product_id = c->product_id;
        sel->sel.release_revisions = (struct store_strlist) { .v = rel->rev_list, .n = rel->n_revs };
        return 0;
}

int campaign_audit(struct store *s, const struct audit_actor *a, const char *action, int64_t id, json_t *details,
                   struct error *err) {
        char object[48];
        snprintf(object, sizeof(object), "campaign:%lld", (long long) id);
        return audit_append(s, a, action, object, details, err);
}

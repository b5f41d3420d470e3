/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Campaigns of encrypted releases (docs/campaigns.md, docs/ota.md "Encrypted
 * payloads"): every member needs a device key the director can wrap the
 * content key to. A direct assignment names a device without one and is
 * refused; a campaign does the same for the members it takes at creation,
 * and refuses late joiners of a dynamic campaign one by one (failed, never
 * offered), so no device is handed a release whose targets the director then
 * cannot build at each of its polls.
 */
#include <stdio.h>
#include <string.h>

#include "campaign/internal.h"
#include "core/cleanup.h"
#include "core/strutil.h"
#include "director/director.h"
#include "store/store-campaign.h"

#define KEYS_PAGE 500
#define KEYS_NAMED 3

int campaign_check_member_keys(struct store *s, int64_t campaign_id, int64_t release_id, int64_t since, bool refuse,
                               int64_t now, json_t *refused, struct error *err) {
        bool encrypted = false;
        if (director_release_has_encrypted_image(s, release_id, &encrypted, err) < 0)
                return -1;
        if (!encrypted)
                return 0;
        size_t bad = 0;
        char named[KEYS_NAMED * 200] = "";
        int64_t after = 0;
        for (;;) {
                struct store_campaign_member_cert *l = NULL;
                size_t n = 0;
                if (store_campaign_member_certs(s, campaign_id, since, after, KEYS_PAGE, &l, &n, err) < 0)
                        return -1;
                for (size_t i = 0; i < n; i++) {
                        struct error why = { 0 };
                        after = l[i].device_id;
                        /* Any reason counts, an unreadable stored certificate too:
                         * it is this member that cannot take the release, and
                         * the campaign must not stall on it. */
                        if (director_device_cert_wrappable(l[i].serial, l[i].pem, &why) == 0)
                                continue;
                        if (bad++ < KEYS_NAMED) {
                                size_t used = strlen(named);
                                snprintf(named + used, sizeof(named) - used, "%s%s", used ? "; " : "", why.msg);
                        }
                        if (!refuse && (store_campaign_member_refuse(s, campaign_id, l[i].device_id, now, err) < 0 ||
                                        json_array_append_new(refused, json_string(l[i].serial)) < 0)) {
                                store_campaign_member_certs_free(l, n);
                                return -1;
                        }
                }
                store_campaign_member_certs_free(l, n);
                if (n < KEYS_PAGE)
                        break;
        }
        if (refuse && bad > 0)
                return error_set(err, ERROR_CONFLICT,
                                 "release %lld has encrypted images and %zu device(s) the selector matches cannot "
                                 "receive them: %s%s (narrow the selector, or re-enroll those devices with P-256 or "
                                 "P-384 keys)",
                                 (long long) release_id, bad, named, bad > KEYS_NAMED ? "; ..." : "");
        return 0;
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The campaign bodies as the server receives them: a create (POST
 * /api/v1/campaigns: selector and plan) and the bodies of pause, resume and
 * abort, through the same limited JSON parser (1 MiB, depth 32), first
 * without a store (campaign_body_check), then against a real store in a
 * temporary directory holding one product, one device and one published
 * release. A created campaign is aborted again so the device stays free.
 * Beyond "no crash": a refused body always carries a user error, so no input
 * an operator can send becomes a 500.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "audit/audit.h"
#include "core/cleanup.h"
#include "core/json.h"
#include "core/strutil.h"
#include "campaign/campaign.h"
#include "product/product.h"
#include "store/store-identity.h"
#include "store/store-release.h"
#include "store/store.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Campaigns grow the database; start afresh now and then. */
#define RECREATE_EVERY 2000
#define FUZZ_SEED_NAME "fuzz-campaign"
#include "fuzz-store-fixture.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        struct harness *h = &the_harness;
        if (!h->store || ++h->runs % RECREATE_EVERY == 0) {
                harness_close(h);
                harness_open(h);
        }
        const struct audit_actor actor = { .name = "fuzz", .role = "release-manager" };
        struct error err = {0};
        _cleanup_json_ json_t *body =
                cr_json_parse("request body", (const char *) data, size, BODY_MAX, BODY_DEPTH, &err);
        if (!body) {
                if (!is_user_error(err.kind) || !err.msg[0])
                        abort();
                return 0;
        }
        error_clear(&err);
        if (campaign_body_check(body, &err) < 0 && (err.kind != ERROR_INVALID || !err.msg[0]))
                abort();

        json_t *out = NULL;
        error_clear(&err);
        int r = campaign_create(h->store, &actor, body, 1, &out, &err);
        expect("create", r, out, &err);
        if (r == 0) {
                int64_t id = json_integer_value(json_object_get(out, "id"));
                json_t *done = NULL;
                error_clear(&err);
                if (campaign_abort(h->store, &actor, id, NULL, 2, &done, &err) < 0)
                        die("abort a created campaign", &err);
                json_decref(done);
        }
        json_decref(out);

        static int (*const actions[])(struct store *, const struct audit_actor *, int64_t, json_t *, int64_t,
                                      json_t **, struct error *) = { campaign_pause, campaign_resume, campaign_abort,
                                                                      campaign_start, campaign_approve };
        for (size_t i = 0; i < sizeof(actions) / sizeof(actions[0]); i++) {
                out = NULL;
                error_clear(&err);
                r = actions[i](h->store, &actor, 1, json_is_object(body) ? body : NULL, 3, &out, &err);
                expect("action", r, out, &err);
                json_decref(out);
        }
        return 0;
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The director's request bodies as the server receives them: a device's
 * status report (POST /device/v1/status), an assignment (POST
 * /api/v1/assignments) and a tags update (POST /api/v1/devices/{serial}/tags),
 * through the same limited JSON parser (1 MiB, depth 32), against a real
 * store in a temporary directory holding one product, one device and one
 * published release. Beyond "no crash": a refused body always carries a user
 * error, so no input a client or device can send becomes a 500.
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
#include "director/assign.h"
#include "director/device-status.h"
#include "director/director.h"
#include "product/product.h"
#include "store/store-identity.h"
#include "store/store-release.h"
#include "store/store.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Reports and assignments grow the database; start afresh now and then. */
#define RECREATE_EVERY 2000
#define FUZZ_SEED_NAME "fuzz-director"
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
        struct director_ctx dc = { .store = h->store, .data_dir = h->dir };
        json_t *out = NULL;
        int r;

        error_clear(&err);
        r = director_status_report(&dc, "D1", body, &out, &err);
        expect("status report", r, out, &err);
        json_decref(out);
        out = NULL;

        error_clear(&err);
        r = director_assign(h->store, &actor, body, &out, &err);
        expect("assign", r, out, &err);
        json_decref(out);
        out = NULL;

        error_clear(&err);
        r = director_device_tags_set(h->store, &actor, "D1", body, &out, &err);
        expect("tags", r, out, &err);
        json_decref(out);
        return 0;
}

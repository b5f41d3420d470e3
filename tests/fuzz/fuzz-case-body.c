/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The case bodies as the server receives them (issue 10): the first byte
 * picks the operation -- create, edit, state, aware, link, an SRP report, a
 * submission, a report draft -- and the rest is the JSON body, through the
 * same limited parser (1 MiB, depth 32), against a real store in a temporary
 * directory holding one product, one device, one published release and one
 * case. Beyond "no crash": a refused body always carries a user error, so no
 * input an operator can send becomes a 500.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "audit/audit.h"
#include "case/case.h"
#include "case/report.h"
#include "core/cleanup.h"
#include "core/json.h"
#include "core/strutil.h"
#include "product/product.h"
#include "store/store-identity.h"
#include "store/store-release.h"
#include "store/store.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Cases, timelines and submissions grow the database; start afresh now and then. */
#define RECREATE_EVERY 1000
#define FUZZ_SEED_NAME "fuzz-case"
#include "fuzz-store-fixture.h"

static char case_ref[64];

static void seed_case(struct harness *h) {
        const struct audit_actor actor = { .name = "fuzz", .role = "security-officer" };
        struct error err = {0};
        _cleanup_json_ json_t *body = json_pack("{s:s, s:s, s:[{s:I}]}", "title", "Seed", "summary", "A seed case.",
                                                "affected", "product_id", (json_int_t) 1);
        _cleanup_json_ json_t *out = NULL;
        if (case_create_json(h->store, &actor, body, 7, 90, &out, &err) < 0)
                die("seed case", &err);
        snprintf(case_ref, sizeof(case_ref), "%s", json_string_value(json_object_get(out, "reference")));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        struct harness *h = &the_harness;
        if (size < 1)
                return 0;
        if (!h->store || ++h->runs % RECREATE_EVERY == 0) {
                harness_close(h);
                harness_open(h);
                seed_case(h);
        }
        const struct audit_actor actor = { .name = "fuzz", .role = "security-officer" };
        struct error err = {0};
        uint8_t op = data[0] % 8;
        _cleanup_json_ json_t *body =
                cr_json_parse("request body", (const char *) data + 1, size - 1, BODY_MAX, BODY_DEPTH, &err);
        if (!body) {
                if (!is_user_error(err.kind) || !err.msg[0])
                        abort();
                return 0;
        }
        error_clear(&err);
        json_t *out = NULL;
        int r;
        switch (op) {
        case 0: r = case_create_json(h->store, &actor, body, 7, 90, &out, &err); break;
        case 1: r = case_edit_json(h->store, &actor, case_ref, body, &out, &err); break;
        case 2: r = case_state_json(h->store, &actor, case_ref, body, &out, &err); break;
        case 3: r = case_aware_json(h->store, &actor, case_ref, body, &out, &err); break;
        case 4: r = case_link_json(h->store, &actor, case_ref, body, &out, &err); break;
        case 5: r = case_report_json(h->store, case_ref, body, &out, &err); break;
        case 6: r = case_submit_json(h->store, &actor, case_ref, body, &out, &err); break;
        default: r = case_report_draft_json(h->store, &actor, case_ref, body, 1, &out, &err); break;
        }
        expect("case body", r, out, &err);
        json_decref(out);
        return 0;
}

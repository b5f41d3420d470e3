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

#define BODY_MAX (1024 * 1024)
#define BODY_DEPTH 32
/* Campaigns grow the database; start afresh now and then. */
#define RECREATE_EVERY 2000

static const char product_seed[] =
        "{\"name\":\"Thermostat T1\",\"model\":\"T1-EU\",\"manufacturer\":{\"name\":\"Acme\","
        "\"address\":\"Hauptstr. 1, Berlin\",\"contact\":\"security@acme.example\"},"
        "\"support\":{\"start\":\"2026-01-01\",\"end\":\"2031-12-31\"},\"member_states\":[\"DE\"]}";

struct harness {
        char dir[256];
        char db[300];
        struct store *store;
        unsigned runs;
};

static struct harness the_harness;

static void harness_close(struct harness *h) {
        if (h->store)
                store_close(h->store);
        h->store = NULL;
        unlink(h->db);
        char side[320];
        snprintf(side, sizeof(side), "%s-wal", h->db);
        unlink(side);
        snprintf(side, sizeof(side), "%s-shm", h->db);
        unlink(side);
}

static void harness_remove(void) {
        harness_close(&the_harness);
        rmdir(the_harness.dir);
}

static void die(const char *what, const struct error *err) {
        fprintf(stderr, "%s: %s\n", what, err->msg);
        abort();
}

static void harness_open(struct harness *h) {
        struct error err = {0};
        if (!h->dir[0]) {
                const char *tmp = getenv("TMPDIR");
                snprintf(h->dir, sizeof(h->dir), "%s/fuzz-campaign-XXXXXX", tmp && *tmp ? tmp : "/tmp");
                if (!mkdtemp(h->dir))
                        abort();
                snprintf(h->db, sizeof(h->db), "%s/cradle.db", h->dir);
                atexit(harness_remove);
        }
        if (store_open(h->db, &h->store, &err) < 0)
                die("store_open", &err);
        const struct audit_actor actor = { .name = "fuzz", .role = "admin" };
        _cleanup_json_ json_t *body = json_loads(product_seed, 0, NULL);
        _cleanup_json_ json_t *out = NULL;
        if (product_create(h->store, &actor, body, &out, &err) < 0)
                die("seed product", &err);
        int64_t product_id = json_integer_value(json_object_get(out, "id")), id;
        const struct store_device d = {
                .serial = (char *) "D1", .product_id = product_id, .hardware_revision = (char *) "r2",
                .status = STORE_DEVICE_ACTIVE, .origin = STORE_DEVICE_FACTORY, .created_at = 1,
        };
        const struct store_release r = {
                .product_id = product_id, .version = (char *) "1.2.0", .security_version = 1,
                .hardware_revisions = (char *) "[\"r2\"]", .notes = (char *) "", .status = STORE_RELEASE_PUBLISHED,
                .created_at = 1, .created_by = (char *) "fuzz",
        };
        if (store_device_insert(h->store, &d, &id, &err) < 0 || store_release_insert(h->store, &r, &id, &err) < 0)
                die("seed rows", &err);
}

static bool is_user_error(enum error_kind k) {
        return k == ERROR_INVALID || k == ERROR_CONFLICT || k == ERROR_NOT_FOUND || k == ERROR_TOO_LARGE;
}

static void expect(const char *what, int r, json_t *out, const struct error *err) {
        if (r < 0) {
                if (!is_user_error(err->kind) || !err->msg[0]) {
                        fprintf(stderr, "%s: kind %d: %s\n", what, (int) err->kind, err->msg);
                        abort();
                }
                if (out)
                        abort();
        } else if (!json_is_object(out)) {
                abort();
        }
}

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

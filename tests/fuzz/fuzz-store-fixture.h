/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/*
 * The fixture of the fuzz targets that drive domain code against a real
 * store (fuzz-director-body, fuzz-campaign-body): a temporary directory
 * (FUZZ_SEED_NAME-XXXXXX under $TMPDIR) holding a database with one product
 * (T1-EU), one active device D1 of hardware revision r2 and one published
 * release 1.2.0 for r2; recreated every RECREATE_EVERY runs because the
 * targets grow it. Also the body limits the server applies (1 MiB, depth 32)
 * and expect(): a refusal must be a user error with a message and no output.
 * Include once, in the target's .c, after defining FUZZ_SEED_NAME and
 * RECREATE_EVERY.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "audit/audit.h"
#include "core/cleanup.h"
#include "core/json.h"
#include "product/product.h"
#include "store/store-identity.h"
#include "store/store-release.h"
#include "store/store.h"

#define BODY_MAX (1024 * 1024)
#define BODY_DEPTH 32

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
                snprintf(h->dir, sizeof(h->dir), "%s/%s-XXXXXX", tmp && *tmp ? tmp : "/tmp", FUZZ_SEED_NAME);
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


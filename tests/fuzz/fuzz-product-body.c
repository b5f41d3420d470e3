/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A product request body as POST /api/v1/products and PATCH
 * /api/v1/products/{id} receive it: the same limited JSON parser the server
 * uses (1 MiB, depth 32), then product_create and product_update against a
 * real store in a temporary directory. Beyond "no crash": a refused body
 * always carries a user error (never a server fault), so no input a client
 * can send becomes a 500.
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
#include "product/product.h"
#include "store/store.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define BODY_MAX (1024 * 1024)
#define BODY_DEPTH 32
/* Successful creates grow the database; start afresh now and then. */
#define RECREATE_EVERY 2000

static const char product_seed[] =
        "{\"name\":\"Thermostat T1\",\"model\":\"SEED-1\",\"manufacturer\":{\"name\":\"Acme\","
        "\"address\":\"Hauptstr. 1, Berlin\",\"contact\":\"security@acme.example\"},"
        "\"support\":{\"start\":\"2026-01-01\",\"end\":\"2031-12-31\"},\"member_states\":[\"DE\"]}";

struct harness {
        char dir[256];
        char db[300];
        struct store *store;
        int64_t seed_id;
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

static void harness_open(struct harness *h) {
        struct error err = {0};
        if (!h->dir[0]) {
                const char *tmp = getenv("TMPDIR");
                snprintf(h->dir, sizeof(h->dir), "%s/fuzz-product-XXXXXX", tmp && *tmp ? tmp : "/tmp");
                if (!mkdtemp(h->dir))
                        abort();
                snprintf(h->db, sizeof(h->db), "%s/cradle.db", h->dir);
                atexit(harness_remove);
        }
        if (store_open(h->db, &h->store, &err) < 0) {
                fprintf(stderr, "store_open: %s\n", err.msg);
                abort();
        }
        const struct audit_actor actor = { .name = "fuzz", .role = "admin" };
        _cleanup_json_ json_t *body = json_loads(product_seed, 0, NULL);
        _cleanup_json_ json_t *out = NULL;
        if (product_create(h->store, &actor, body, &out, &err) < 0) {
                fprintf(stderr, "seed product: %s\n", err.msg);
                abort();
        }
        h->seed_id = json_integer_value(json_object_get(out, "id"));
}

static bool is_user_error(enum error_kind k) {
        return k == ERROR_INVALID || k == ERROR_CONFLICT || k == ERROR_NOT_FOUND ||
               k == ERROR_TOO_LARGE;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        struct harness *h = &the_harness;
        if (!h->store || ++h->runs % RECREATE_EVERY == 0) {
                harness_close(h);
                harness_open(h);
        }
        const struct audit_actor actor = { .name = "fuzz", .role = "admin" };
        struct error err = {0};
        _cleanup_json_ json_t *body =
                cr_json_parse("request body", (const char *) data, size, BODY_MAX, BODY_DEPTH, &err);
        if (!body) {
                if (!is_user_error(err.kind) || !err.msg[0])
                        abort();
                return 0;
        }

        _cleanup_json_ json_t *created = NULL, *updated = NULL;
        error_clear(&err);
        if (product_create(h->store, &actor, body, &created, &err) < 0) {
                if (!is_user_error(err.kind) || !err.msg[0]) {
                        fprintf(stderr, "create: kind %d: %s\n", (int) err.kind, err.msg);
                        abort();
                }
        } else if (!json_is_integer(json_object_get(created, "id"))) {
                abort();
        }

        error_clear(&err);
        if (product_update(h->store, &actor, h->seed_id, body, &updated, &err) < 0) {
                if (!is_user_error(err.kind) || !err.msg[0]) {
                        fprintf(stderr, "update: kind %d: %s\n", (int) err.kind, err.msg);
                        abort();
                }
        } else if (json_integer_value(json_object_get(updated, "id")) != h->seed_id) {
                abort();
        }
        return 0;
}

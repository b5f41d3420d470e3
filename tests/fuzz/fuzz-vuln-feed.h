/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/*
 * The shared driver of the vulnerability feed targets (fuzz-vuln-<feed>.c):
 * the input is written to a file and imported with that feed's parser
 * forced (vuln_import_file_as), into a store recreated every RECREATE_EVERY
 * runs (imports grow it), with small limits so the size checks are reached.
 * A refusal must carry a message; a success a summary. Define FUZZ_FEED
 * before including.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/cleanup.h"
#include "store/store.h"
#include "vuln/import.h"

#define RECREATE_EVERY 200

static struct {
        char dir[256], db[300], file[300];
        struct store *store;
        unsigned runs;
} h;

static void close_store(void) {
        if (h.store)
                store_close(h.store);
        h.store = NULL;
        char side[320];
        unlink(h.db);
        snprintf(side, sizeof(side), "%s-wal", h.db);
        unlink(side);
        snprintf(side, sizeof(side), "%s-shm", h.db);
        unlink(side);
}

static void cleanup_all(void) {
        close_store();
        unlink(h.file);
        rmdir(h.dir);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        if (!h.dir[0]) {
                const char *t = getenv("TMPDIR");
                snprintf(h.dir, sizeof(h.dir), "%s/fuzz-vuln-XXXXXX", t && *t ? t : "/tmp");
                if (!mkdtemp(h.dir))
                        abort();
                snprintf(h.db, sizeof(h.db), "%s/cradle.db", h.dir);
                snprintf(h.file, sizeof(h.file), "%s/feed", h.dir);
                atexit(cleanup_all);
        }
        if (h.runs++ % RECREATE_EVERY == 0)
                close_store();
        if (!h.store && store_open(h.db, &h.store, NULL) < 0)
                abort();
        FILE *f = fopen(h.file, "wb");
        if (!f || fwrite(data, 1, size, f) != size || fclose(f) != 0)
                abort();
        static const struct audit_actor actor = {.name = "fuzz", .role = "security-officer"};
        struct vuln_import_limits lim = {.max_record = 64 * 1024, .max_records = 2000, .max_zip_entry = 64 * 1024};
        struct error err = {0};
        json_t *sum = NULL;
        int rc = vuln_import_file_as(h.store, &actor, h.file, "fuzz", FUZZ_FEED, &lim, 1800000000, &sum, &err);
        if (rc < 0 && (!err.msg[0] || sum))
                abort(); /* a refusal names its fault and produces nothing */
        if (rc == 0 && !json_is_object(sum))
                abort();
        json_decref(sum);
        return 0;
}

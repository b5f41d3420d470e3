/* SPDX-License-Identifier: Apache-2.0 */
#include "ota-maintenance.h"

#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/cleanup.h"
#include "core/fileio.h"
#include "core/log.h"
#include "core/strutil.h"
#include "periodic.h"
#include "release/ota.h"
#include "release/release.h"
#include "repo/repo.h"
#include "store/store.h"

struct ota_maintenance {
        struct periodic *worker;
        struct store_pool *pool;
        const char *data_dir;
        const struct ota_config *cfg;
        bool images_reconciled; /* image_reconcile ran (once, at start) */
};

int ota_upload_dir_prepare(const char *data_dir, char **dir_out, struct error *err) {
        *dir_out = NULL;
        _cleanup_free_ char *dir = path_join(data_dir, OTA_UPLOAD_DIR);
        if (dir_create(dir, 0700, err) < 0)
                return -1;
        DIR *d = opendir(dir);
        if (!d)
                return error_set_errno(err, ERROR_IO, errno, "opening %s", dir);
        struct dirent *e;
        unsigned removed = 0;
        while ((e = readdir(d))) {
                if (!str_startswith(e->d_name, RELEASE_UPLOAD_PREFIX))
                        continue;
                _cleanup_free_ char *p = path_join(dir, e->d_name);
                if (unlink(p) == 0)
                        removed++;
        }
        closedir(d);
        if (removed)
                log_info("removed %u unfinished upload(s) from %s", removed, dir);
        *dir_out = steal_ptr(dir);
        return 0;
}

static int maintain_pass(struct periodic *p, void *ctx, struct error *err) {
        (void) p;
        struct ota_maintenance *m = ctx;
        struct store *s = store_pool_acquire(m->pool);
        if (!s)
                return error_set(err, ERROR_DB, "no store connection");
        struct ota_ctx c = { .store = s, .data_dir = m->data_dir, .cfg = m->cfg };
        struct repo_maintain_report rep;
        /* At start: files and rows agree again after a crash (docs/ota.md,
         * "Files and rows"); the repositories are rolled forward below. */
        if (!m->images_reconciled) {
                unsigned removed = 0;
                struct error rerr = {0};
                if (image_reconcile(&c, &removed, &rerr) < 0)
                        log_error("image store reconciliation: %s", rerr.msg);
                else if (removed)
                        log_info("image store: removed %u file(s) without a live row", removed);
                m->images_reconciled = true;
        }
        int rc = repo_maintain(&c, &rep, err);
        store_pool_release(m->pool, s);
        return rc < 0 ? -1 : 0;
}

int ota_maintenance_start(struct store_pool *pool, const char *data_dir, const struct ota_config *cfg,
                          unsigned interval_s, struct ota_maintenance **out, struct error *err) {
        *out = NULL;
        struct ota_maintenance *m = xcalloc(1, sizeof(*m));
        m->pool = pool;
        m->data_dir = data_dir;
        m->cfg = cfg;
        if (periodic_start("image repository maintenance", interval_s ? interval_s : OTA_MAINTENANCE_INTERVAL_S,
                           maintain_pass, m, &m->worker, err) < 0) {
                free(m);
                return -1;
        }
        *out = m;
        return 0;
}

void ota_maintenance_stop(struct ota_maintenance *m) {
        if (!m)
                return;
        periodic_stop(m->worker);
        free(m);
}

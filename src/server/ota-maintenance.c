/* SPDX-License-Identifier: Apache-2.0 */
#include "ota-maintenance.h"

#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/cleanup.h"
#include "core/fileio.h"
#include "core/log.h"
#include "core/strutil.h"
#include "release/ota.h"
#include "release/release.h"
#include "repo/repo.h"
#include "store/store.h"

struct ota_maintenance {
        pthread_t thread;
        pthread_mutex_t lock;
        pthread_cond_t cond;
        bool stop;
        struct store_pool *pool;
        const char *data_dir;
        const struct ota_config *cfg;
        unsigned interval_s;
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
                if (!str_startswith(e->d_name, "upload-"))
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

static void maintain_once(struct ota_maintenance *m) {
        struct store *s = store_pool_acquire(m->pool);
        if (!s)
                return;
        struct ota_ctx c = { .store = s, .data_dir = m->data_dir, .cfg = m->cfg };
        struct repo_maintain_report rep;
        struct error err = {0};
        /* At start: files and rows agree again after a crash (docs/ota.md,
         * "Files and rows"); the repositories are rolled forward below. */
        if (!m->images_reconciled) {
                unsigned removed = 0;
                if (image_reconcile(&c, &removed, &err) < 0)
                        log_error("image store reconciliation: %s", err.msg);
                else if (removed)
                        log_info("image store: removed %u file(s) without a live row", removed);
                m->images_reconciled = true;
        }
        if (repo_maintain(&c, &rep, &err) < 0)
                log_error("image repository maintenance: %s", err.msg);
        store_pool_release(m->pool, s);
}

static void *maintenance_main(void *arg) {
        struct ota_maintenance *m = arg;
        pthread_mutex_lock(&m->lock);
        while (!m->stop) {
                pthread_mutex_unlock(&m->lock);
                maintain_once(m);
                pthread_mutex_lock(&m->lock);
                struct timespec until;
                clock_gettime(CLOCK_MONOTONIC, &until);
                until.tv_sec += m->interval_s;
                while (!m->stop) {
                        int rc = pthread_cond_timedwait(&m->cond, &m->lock, &until);
                        if (rc == ETIMEDOUT)
                                break;
                }
        }
        pthread_mutex_unlock(&m->lock);
        return NULL;
}

int ota_maintenance_start(struct store_pool *pool, const char *data_dir, const struct ota_config *cfg,
                          unsigned interval_s, struct ota_maintenance **out, struct error *err) {
        *out = NULL;
        struct ota_maintenance *m = xcalloc(1, sizeof(*m));
        m->pool = pool;
        m->data_dir = data_dir;
        m->cfg = cfg;
        m->interval_s = interval_s ? interval_s : OTA_MAINTENANCE_INTERVAL_S;
        pthread_condattr_t ca;
        pthread_condattr_init(&ca);
        pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
        pthread_cond_init(&m->cond, &ca);
        pthread_condattr_destroy(&ca);
        pthread_mutex_init(&m->lock, NULL);
        int rc = pthread_create(&m->thread, NULL, maintenance_main, m);
        if (rc != 0) {
                pthread_cond_destroy(&m->cond);
                pthread_mutex_destroy(&m->lock);
                free(m);
                return error_set_errno(err, ERROR_INTERNAL, rc, "cannot start the repository maintenance thread");
        }
        *out = m;
        return 0;
}

void ota_maintenance_stop(struct ota_maintenance *m) {
        if (!m)
                return;
        pthread_mutex_lock(&m->lock);
        m->stop = true;
        pthread_cond_signal(&m->cond);
        pthread_mutex_unlock(&m->lock);
        pthread_join(m->thread, NULL);
        pthread_cond_destroy(&m->cond);
        pthread_mutex_destroy(&m->lock);
        free(m);
}

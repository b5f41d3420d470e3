/* SPDX-License-Identifier: Apache-2.0 */
/* The scheduled feed import from [vuln] import_dir (vuln-importer.h). */
#include "vuln-importer.h"

#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "core/log.h"
#include "core/strutil.h"
#include "store/store.h"
#include "vuln/import.h"

#define SEEN_MAX 4096

struct seen {
        char *name;
        off_t size;
        struct timespec mtime;
};

struct vuln_importer {
        pthread_t thread;
        pthread_mutex_t lock;
        pthread_cond_t cond;
        bool stop;
        struct store_pool *pool;
        char *dir;
        unsigned interval_s;
        struct seen *seen;
        size_t n_seen;
};

static bool stopping(struct vuln_importer *v) {
        pthread_mutex_lock(&v->lock);
        bool s = v->stop;
        pthread_mutex_unlock(&v->lock);
        return s;
}

static struct seen *seen_of(struct vuln_importer *v, const char *name) {
        for (size_t i = 0; i < v->n_seen; i++)
                if (strcmp(v->seen[i].name, name) == 0)
                        return &v->seen[i];
        if (v->n_seen == SEEN_MAX)
                return NULL;
        v->seen = xrealloc(v->seen, (v->n_seen + 1) * sizeof(*v->seen));
        struct seen *s = &v->seen[v->n_seen++];
        memset(s, 0, sizeof(*s));
        s->name = str_dup(name);
        s->size = -1;
        return s;
}

static int cmp_names(const void *a, const void *b) {
        return strcmp(*(char *const *) a, *(char *const *) b);
}

static void import_one(struct vuln_importer *v, const char *name) {
        char *path = str_printf("%s/%s", v->dir, name);
        struct stat st;
        struct seen *s;
        if (stat(path, &st) < 0 || !S_ISREG(st.st_mode) || !(s = seen_of(v, name))) {
                free(path);
                return;
        }
        if (s->size == st.st_size && s->mtime.tv_sec == st.st_mtim.tv_sec && s->mtime.tv_nsec == st.st_mtim.tv_nsec) {
                free(path);
                return;
        }
        s->size = st.st_size;
        s->mtime = st.st_mtim;
        static const struct audit_actor system_actor = {.name = "system", .role = "system"};
        struct store *store = store_pool_acquire(v->pool);
        json_t *sum = NULL;
        struct error err = {0};
        if (vuln_import_file(store, &system_actor, path, name, NULL, 0, &sum, &err) < 0) {
                log_error("vulnerability feed %s/%s: %s", v->dir, name, err.msg);
        } else {
                char *text = json_dumps(json_object_get(sum, "sources"), JSON_COMPACT | JSON_SORT_KEYS);
                log_info("vulnerability feed %s imported (%s): %s", name,
                         json_string_value(json_object_get(sum, "feed")), text ? text : "");
                free(text);
        }
        json_decref(sum);
        store_pool_release(v->pool, store);
        free(path);
}

static void scan_once(struct vuln_importer *v) {
        DIR *d = opendir(v->dir);
        if (!d) {
                log_error("vulnerability feeds: cannot open [vuln] import_dir %s: %s", v->dir, strerror(errno));
                return;
        }
        char **names = NULL;
        size_t n = 0;
        struct dirent *e;
        while ((e = readdir(d)) && n < SEEN_MAX) {
                if (e->d_name[0] == '.')
                        continue;
                names = xrealloc(names, (n + 1) * sizeof(*names));
                names[n++] = str_dup(e->d_name);
        }
        closedir(d);
        if (n)
                qsort(names, n, sizeof(*names), cmp_names);
        for (size_t i = 0; i < n; i++) {
                if (!stopping(v))
                        import_one(v, names[i]);
                free(names[i]);
        }
        free(names);
}

static void *importer_main(void *arg) {
        struct vuln_importer *v = arg;
        pthread_mutex_lock(&v->lock);
        while (!v->stop) {
                pthread_mutex_unlock(&v->lock);
                scan_once(v);
                pthread_mutex_lock(&v->lock);
                struct timespec until;
                clock_gettime(CLOCK_MONOTONIC, &until);
                until.tv_sec += v->interval_s;
                while (!v->stop)
                        if (pthread_cond_timedwait(&v->cond, &v->lock, &until) == ETIMEDOUT)
                                break;
        }
        pthread_mutex_unlock(&v->lock);
        return NULL;
}

int vuln_importer_start(struct store_pool *pool, const char *dir, unsigned interval_s, struct vuln_importer **out,
                        struct error *err) {
        *out = NULL;
        struct stat st;
        if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode))
                return error_set(err, ERROR_INVALID, "[vuln] import_dir %s: not a directory", dir);
        struct vuln_importer *v = xcalloc(1, sizeof(*v));
        v->pool = pool;
        v->dir = str_dup(dir);
        v->interval_s = interval_s ? interval_s : 3600;
        pthread_condattr_t ca;
        pthread_condattr_init(&ca);
        pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
        pthread_cond_init(&v->cond, &ca);
        pthread_condattr_destroy(&ca);
        pthread_mutex_init(&v->lock, NULL);
        int rc = pthread_create(&v->thread, NULL, importer_main, v);
        if (rc != 0) {
                pthread_cond_destroy(&v->cond);
                pthread_mutex_destroy(&v->lock);
                free(v->dir);
                free(v);
                return error_set_errno(err, ERROR_INTERNAL, rc, "cannot start the vulnerability feed import thread");
        }
        *out = v;
        return 0;
}

void vuln_importer_stop(struct vuln_importer *v) {
        if (!v)
                return;
        pthread_mutex_lock(&v->lock);
        v->stop = true;
        pthread_cond_signal(&v->cond);
        pthread_mutex_unlock(&v->lock);
        pthread_join(v->thread, NULL);
        pthread_cond_destroy(&v->cond);
        pthread_mutex_destroy(&v->lock);
        for (size_t i = 0; i < v->n_seen; i++)
                free(v->seen[i].name);
        free(v->seen);
        free(v->dir);
        free(v);
}

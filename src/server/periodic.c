/* SPDX-License-Identifier: Apache-2.0 */
/* The shared interval loop of cradled's background threads (periodic.h). */
#include "periodic.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#include "core/log.h"
#include "core/strutil.h"

struct periodic {
        pthread_t thread;
        pthread_mutex_t lock;
        pthread_cond_t cond; /* on CLOCK_MONOTONIC: a wall-clock step neither hurries nor stalls it */
        bool stop;
        char *name;
        unsigned interval_s;
        periodic_pass_fn pass;
        void *ctx;
};

bool periodic_stopping(struct periodic *p) {
        pthread_mutex_lock(&p->lock);
        bool stop = p->stop;
        pthread_mutex_unlock(&p->lock);
        return stop;
}

static void *periodic_main(void *arg) {
        struct periodic *p = arg;
        pthread_mutex_lock(&p->lock);
        while (!p->stop) {
                pthread_mutex_unlock(&p->lock);
                struct error err = {0};
                if (p->pass(p, p->ctx, &err) < 0)
                        log_error("%s: %s (retried in %u s)", p->name, err.msg[0] ? err.msg : "failed", p->interval_s);
                pthread_mutex_lock(&p->lock);
                struct timespec until;
                clock_gettime(CLOCK_MONOTONIC, &until);
                until.tv_sec += p->interval_s;
                while (!p->stop)
                        if (pthread_cond_timedwait(&p->cond, &p->lock, &until) == ETIMEDOUT)
                                break;
        }
        pthread_mutex_unlock(&p->lock);
        return NULL;
}

int periodic_start(const char *name, unsigned interval_s, periodic_pass_fn pass, void *ctx, struct periodic **out,
                   struct error *err) {
        *out = NULL;
        struct periodic *p = xcalloc(1, sizeof(*p));
        p->name = str_dup(name);
        p->interval_s = interval_s ? interval_s : 60;
        p->pass = pass;
        p->ctx = ctx;
        pthread_condattr_t ca;
        pthread_condattr_init(&ca);
        pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
        pthread_cond_init(&p->cond, &ca);
        pthread_condattr_destroy(&ca);
        pthread_mutex_init(&p->lock, NULL);
        int rc = pthread_create(&p->thread, NULL, periodic_main, p);
        if (rc != 0) {
                pthread_cond_destroy(&p->cond);
                pthread_mutex_destroy(&p->lock);
                error_set_errno(err, ERROR_INTERNAL, rc, "cannot start the %s thread", p->name);
                free(p->name);
                free(p);
                return -1;
        }
        *out = p;
        return 0;
}

void periodic_stop(struct periodic *p) {
        if (!p)
                return;
        pthread_mutex_lock(&p->lock);
        p->stop = true;
        pthread_cond_signal(&p->cond);
        pthread_mutex_unlock(&p->lock);
        pthread_join(p->thread, NULL);
        pthread_cond_destroy(&p->cond);
        pthread_mutex_destroy(&p->lock);
        free(p->name);
        free(p);
}

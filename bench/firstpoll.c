/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Every device polls once: each bundle in DIR (<serial>/cert.pem, key.pem, as
 * `cradle provision --generate-keys` writes them) makes one request with its
 * own certificate on a new TLS connection, as cradle-agent does on a poll.
 * Workers share the bundles; the run ends when every device has been
 * answered. Used by bench/director-signahead.sh for "time to serve every
 * device's first poll after an assignment".
 *
 *   firstpoll --url URL --cacert CA --certs DIR [--workers N] [--expect TEXT]
 *
 * Prints one line:
 *   devices=N errors=N seconds=S polls_per_s=R p50_ms=X p99_ms=Y max_ms=Z [missing=N]
 * missing = answers without TEXT (e.g. a target path the device must be offered).
 */
#include <curl/curl.h>
#include <dirent.h>
#include <getopt.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct bundle {
        char dir[1024];
};

struct shared {
        const char *url, *cacert, *expect;
        struct bundle *bundles;
        size_t n;
        atomic_size_t next;
        double *lat;            /* per bundle, ms; < 0 = error */
        atomic_long missing;
};

struct body {
        char *p;
        size_t len;
};

static size_t collect(void *p, size_t s, size_t n, void *ud) {
        struct body *b = ud;
        char *q = realloc(b->p, b->len + s * n + 1);
        if (!q)
                return 0;
        memcpy(q + b->len, p, s * n);
        b->len += s * n;
        q[b->len] = '\0';
        b->p = q;
        return s * n;
}

static double now_s(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void *run(void *arg) {
        struct shared *sh = arg;
        for (;;) {
                size_t i = atomic_fetch_add(&sh->next, 1);
                if (i >= sh->n)
                        break;
                char cert[1100], key[1100];
                snprintf(cert, sizeof(cert), "%s/cert.pem", sh->bundles[i].dir);
                snprintf(key, sizeof(key), "%s/key.pem", sh->bundles[i].dir);
                CURL *c = curl_easy_init();
                if (!c)
                        abort();
                struct body b = {0};
                curl_easy_setopt(c, CURLOPT_URL, sh->url);
                curl_easy_setopt(c, CURLOPT_CAINFO, sh->cacert);
                curl_easy_setopt(c, CURLOPT_CAPATH, NULL);
                curl_easy_setopt(c, CURLOPT_SSLCERT, cert);
                curl_easy_setopt(c, CURLOPT_SSLKEY, key);
                curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
                curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
                curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
                curl_easy_setopt(c, CURLOPT_TIMEOUT, 300L);
                double t0 = now_s();
                CURLcode rc = curl_easy_perform(c);
                long status = 0;
                curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
                if (rc != CURLE_OK || status != 200) {
                        sh->lat[i] = -1;
                        fprintf(stderr, "firstpoll: %s: %s (HTTP %ld)\n", sh->bundles[i].dir, curl_easy_strerror(rc),
                                status);
                } else {
                        sh->lat[i] = (now_s() - t0) * 1000.0;
                        if (sh->expect && (!b.p || !strstr(b.p, sh->expect)))
                                atomic_fetch_add(&sh->missing, 1);
                }
                free(b.p);
                curl_easy_cleanup(c);
        }
        return NULL;
}

static int cmp_double(const void *a, const void *b) {
        double x = *(const double *) a, y = *(const double *) b;
        return (x > y) - (x < y);
}

int main(int argc, char **argv) {
        struct shared sh = {0};
        const char *certs = NULL;
        int workers = 4;
        static const struct option opts[] = {
                { "url", required_argument, NULL, 'u' },     { "cacert", required_argument, NULL, 'c' },
                { "certs", required_argument, NULL, 'd' },   { "workers", required_argument, NULL, 'w' },
                { "expect", required_argument, NULL, 'e' },  {}
        };
        int o;
        while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
                switch (o) {
                case 'u': sh.url = optarg; break;
                case 'c': sh.cacert = optarg; break;
                case 'd': certs = optarg; break;
                case 'w': workers = atoi(optarg); break;
                case 'e': sh.expect = optarg; break;
                default: return 2;
                }
        }
        if (!sh.url || !sh.cacert || !certs || workers < 1 || workers > 256) {
                fprintf(stderr, "usage: firstpoll --url URL --cacert CA --certs DIR [--workers N<=256] [--expect TEXT]\n");
                return 2;
        }
        DIR *d = opendir(certs);
        if (!d) {
                perror(certs);
                return 1;
        }
        size_t cap = 0;
        struct dirent *e;
        while ((e = readdir(d))) {
                if (e->d_name[0] == '.')
                        continue;
                if (sh.n == cap) {
                        cap = cap ? cap * 2 : 1024;
                        sh.bundles = realloc(sh.bundles, cap * sizeof(*sh.bundles));
                        if (!sh.bundles)
                                abort();
                }
                snprintf(sh.bundles[sh.n++].dir, sizeof(sh.bundles[0].dir), "%s/%s", certs, e->d_name);
        }
        closedir(d);
        if (sh.n == 0) {
                fprintf(stderr, "firstpoll: no bundles in %s\n", certs);
                return 1;
        }
        sh.lat = calloc(sh.n, sizeof(double));
        curl_global_init(CURL_GLOBAL_DEFAULT);
        pthread_t *t = calloc((size_t) workers, sizeof(*t));
        double t0 = now_s();
        for (int i = 0; i < workers; i++)
                pthread_create(&t[i], NULL, run, &sh);
        for (int i = 0; i < workers; i++)
                pthread_join(t[i], NULL);
        double secs = now_s() - t0;
        size_t ok = 0, errors = 0;
        for (size_t i = 0; i < sh.n; i++) {
                if (sh.lat[i] < 0)
                        errors++;
                else
                        sh.lat[ok++] = sh.lat[i];
        }
        qsort(sh.lat, ok, sizeof(double), cmp_double);
        printf("devices=%zu errors=%zu seconds=%.1f polls_per_s=%.0f p50_ms=%.1f p99_ms=%.1f max_ms=%.1f", sh.n, errors,
               secs, sh.n / secs, ok ? sh.lat[ok / 2] : 0.0, ok ? sh.lat[(size_t) (ok * 0.99)] : 0.0,
               ok ? sh.lat[ok - 1] : 0.0);
        if (sh.expect)
                printf(" missing=%ld", atomic_load(&sh.missing));
        printf("\n");
        free(t);
        free(sh.lat);
        free(sh.bundles);
        curl_global_cleanup();
        return errors ? 1 : 0;
}

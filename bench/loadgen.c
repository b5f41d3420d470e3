/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A small HTTPS load generator that presents a different client certificate
 * per worker, which wrk and ab cannot do. Each worker runs requests for a
 * fixed duration, either over one kept-alive connection or with a new TCP
 * connection and full TLS handshake per request (no session resumption),
 * or with a new TCP connection per request that resumes the worker's
 * previous TLS session when the server allows it (--resume).
 *
 * With --poll K, each connection carries K requests and then closes, as a
 * device's poll does (a full handshake per connection; with --resume the
 * previous session is offered).
 *
 *   loadgen --url URL --cacert CA --certs DIR --seconds S --workers N [--new-handshake|--resume] [--poll K]
 *
 * DIR holds <serial>/cert.pem and <serial>/key.pem bundles (as written by
 * `cradle provision`); worker i uses the i-th bundle. Prints one line:
 *   requests=N errors=N seconds=S rps=R p50_ms=X p99_ms=Y
 */
#include <curl/curl.h>
#include <dirent.h>
#include <getopt.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct worker {
        pthread_t thread;
        char cert[4096], key[4096];
        const char *url, *cacert;
        double seconds;
        bool new_handshake;
        bool resume;
        int poll;
        long requests, errors;
        double *lat; size_t n_lat, cap_lat;
};

static double now_s(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return ts.tv_sec + ts.tv_nsec / 1e9;
}

static size_t discard(void *p, size_t s, size_t n, void *ud) {
        (void) p; (void) ud;
        return s * n;
}

static void *run(void *arg) {
        struct worker *w = arg;
        CURL *c = curl_easy_init();
        if (!c)
                return NULL;
        curl_easy_setopt(c, CURLOPT_URL, w->url);
        curl_easy_setopt(c, CURLOPT_CAINFO, w->cacert);
        /* Only the given CA: libcurl would otherwise also load the system
         * bundle on every new connection, which dominates handshake timings. */
        curl_easy_setopt(c, CURLOPT_CAPATH, NULL);
        if (w->cert[0]) {
                curl_easy_setopt(c, CURLOPT_SSLCERT, w->cert);
                curl_easy_setopt(c, CURLOPT_SSLKEY, w->key);
        }
        curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
        curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
        if (w->new_handshake) {
                curl_easy_setopt(c, CURLOPT_FORBID_REUSE, 1L);
                curl_easy_setopt(c, CURLOPT_FRESH_CONNECT, 1L);
                curl_easy_setopt(c, CURLOPT_SSL_SESSIONID_CACHE, 0L);
        } else if (w->poll > 0) {
                if (!w->resume)
                        curl_easy_setopt(c, CURLOPT_SSL_SESSIONID_CACHE, 0L);
        } else if (w->resume) {
                /* A new connection each time; libcurl offers the session
                 * it kept from the previous one. */
                curl_easy_setopt(c, CURLOPT_FORBID_REUSE, 1L);
                curl_easy_setopt(c, CURLOPT_FRESH_CONNECT, 1L);
        }
        double end = now_s() + w->seconds;
        for (long i = 0; now_s() < end; i++) {
                double t0 = now_s();
                if (w->poll > 0) {
                        curl_easy_setopt(c, CURLOPT_FRESH_CONNECT, i % w->poll == 0 ? 1L : 0L);
                        curl_easy_setopt(c, CURLOPT_FORBID_REUSE, i % w->poll == w->poll - 1 ? 1L : 0L);
                }
                CURLcode rc = curl_easy_perform(c);
                long status = 0;
                curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
                if (rc != CURLE_OK || status != 200) {
                        w->errors++;
                        if (w->errors == 1)
                                fprintf(stderr, "loadgen: %s: %s (HTTP %ld)\n", w->url,
                                        curl_easy_strerror(rc), status);
                        continue;
                }
                w->requests++;
                if (w->n_lat == w->cap_lat) {
                        w->cap_lat = w->cap_lat ? w->cap_lat * 2 : 4096;
                        double *n = realloc(w->lat, w->cap_lat * sizeof(double));
                        if (!n)
                                abort();
                        w->lat = n;
                }
                w->lat[w->n_lat++] = (now_s() - t0) * 1000.0;
        }
        curl_easy_cleanup(c);
        return NULL;
}

static int cmp_double(const void *a, const void *b) {
        double x = *(const double *) a, y = *(const double *) b;
        return (x > y) - (x < y);
}

int main(int argc, char **argv) {
        const char *url = NULL, *cacert = NULL, *certs = NULL;
        double seconds = 10;
        int workers = 4;
        bool new_handshake = false, resume = false;
        int poll = 0;
        static const struct option opts[] = {
                { "url", required_argument, NULL, 'u' }, { "cacert", required_argument, NULL, 'c' },
                { "certs", required_argument, NULL, 'd' }, { "seconds", required_argument, NULL, 's' },
                { "workers", required_argument, NULL, 'w' }, { "new-handshake", no_argument, NULL, 'n' },
                { "resume", no_argument, NULL, 'r' }, { "poll", required_argument, NULL, 'p' },
                {}
        };
        int o;
        while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
                switch (o) {
                case 'u': url = optarg; break;
                case 'c': cacert = optarg; break;
                case 'd': certs = optarg; break;
                case 's': seconds = atof(optarg); break;
                case 'w': workers = atoi(optarg); break;
                case 'n': new_handshake = true; break;
                case 'r': resume = true; break;
                case 'p': poll = atoi(optarg); break;
                default: return 2;
                }
        }
        if (!url || !cacert || workers < 1 || workers > 256 || seconds <= 0 || seconds > 600 || poll < 0 || poll > 1000) {
                fprintf(stderr, "usage: loadgen --url URL --cacert CA [--certs DIR] [--seconds S<=600] [--workers N<=256] [--new-handshake|--resume] [--poll K<=1000]\n");
                return 2;
        }
        curl_global_init(CURL_GLOBAL_DEFAULT);
        struct worker *w = calloc(workers, sizeof(*w));
        if (!w)
                return 1;
        int n_bundles = 0;
        if (certs) {
                DIR *d = opendir(certs);
                if (!d) { perror(certs); return 1; }
                struct dirent *e;
                while ((e = readdir(d)) && n_bundles < workers) {
                        if (e->d_name[0] == '.')
                                continue;
                        snprintf(w[n_bundles].cert, sizeof(w[n_bundles].cert), "%s/%s/cert.pem", certs, e->d_name);
                        snprintf(w[n_bundles].key, sizeof(w[n_bundles].key), "%s/%s/key.pem", certs, e->d_name);
                        n_bundles++;
                }
                closedir(d);
                if (n_bundles < workers) {
                        fprintf(stderr, "loadgen: %s has %d bundles, need %d\n", certs, n_bundles, workers);
                        return 1;
                }
        }
        for (int i = 0; i < workers; i++) {
                w[i].url = url; w[i].cacert = cacert; w[i].seconds = seconds;
                w[i].new_handshake = new_handshake;
                w[i].resume = resume;
                w[i].poll = poll;
                pthread_create(&w[i].thread, NULL, run, &w[i]);
        }
        long req = 0, err = 0; size_t n = 0;
        for (int i = 0; i < workers; i++) {
                pthread_join(w[i].thread, NULL);
                req += w[i].requests; err += w[i].errors; n += w[i].n_lat;
        }
        double *all = malloc((n ? n : 1) * sizeof(double));
        size_t k = 0;
        for (int i = 0; i < workers; i++) {
                memcpy(all + k, w[i].lat, w[i].n_lat * sizeof(double));
                k += w[i].n_lat;
                free(w[i].lat);
        }
        qsort(all, n, sizeof(double), cmp_double);
        printf("requests=%ld errors=%ld seconds=%.1f rps=%.0f p50_ms=%.2f p99_ms=%.2f\n", req, err, seconds,
               req / seconds, n ? all[n / 2] : 0.0, n ? all[(size_t)(n * 0.99)] : 0.0);
        free(all); free(w);
        curl_global_cleanup();
        return 0;
}

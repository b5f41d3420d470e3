/* SPDX-License-Identifier: Apache-2.0 */
#include "agent/fetch.h"

#include <curl/curl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent/config.h"
#include "core/cleanup.h"
#include "core/strutil.h"
#include "cradle-version.h"
#include "crypto/key.h"

#define POST_RESPONSE_MAX (64 * 1024)

struct agent_http {
        CURL *curl;
        char errbuf[CURL_ERROR_SIZE];
};

void agent_http_options_from_config(const struct agent_config *cfg, struct agent_http_options *opt) {
        *opt = (struct agent_http_options) {
                .ca = cfg->server_ca,
                .cert = cfg->identity_cert,
                .key = cfg->identity_key,
                .low_speed_limit = (long) cfg->low_speed_limit,
                .low_speed_time = (long) cfg->low_speed_time,
                .connect_timeout = (long) cfg->connect_timeout,
                .timeout = (long) cfg->timeout,
        };
}

int agent_http_new(const struct agent_http_options *opt, struct agent_http **out, struct error *err) {
        _cleanup_free_ struct agent_http *h = xcalloc(1, sizeof(*h));
        CURL *c;

        if (opt->key && str_startswith(opt->key, "pkcs11:") && crypto_pkcs11_init(err) < 0)
                return error_prefix(err, "[identity] key: ");
        /* Reference-counted by libcurl (>= 7.84 thread-safe); undone in
         * agent_http_free. */
        if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
                return error_set(err, ERROR_INTERNAL, "cannot initialise libcurl");
        c = curl_easy_init();
        if (!c) {
                curl_global_cleanup();
                return error_set(err, ERROR_INTERNAL, "cannot create a libcurl handle");
        }
        h->curl = c;
        /* One handle for the agent's life: a poll's requests share its
         * connection, and libcurl offers the TLS session it kept on the next
         * poll's connection. The server issues tickets, but libcurl 7.88's
         * GnuTLS backend turns tickets off, so with it nothing is resumed
         * (docs/operations.md, "TLS and the device request path"). */
        curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(c, CURLOPT_ERRORBUFFER, h->errbuf);
        curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "https,http,file");
        curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
        curl_easy_setopt(c, CURLOPT_SSLVERSION, (long) CURL_SSLVERSION_TLSv1_2);
        curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
        curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
        if (opt->ca && *opt->ca) {
                curl_easy_setopt(c, CURLOPT_CAINFO, opt->ca);
                /* That CA only, not also libcurl's built-in CA directory. */
                curl_easy_setopt(c, CURLOPT_CAPATH, NULL);
        }
        if (opt->cert && *opt->cert) {
                curl_easy_setopt(c, CURLOPT_SSLCERT, opt->cert);
                curl_easy_setopt(c, CURLOPT_SSLCERTTYPE, "PEM");
        }
        if (opt->key && *opt->key)
                curl_easy_setopt(c, CURLOPT_SSLKEY, opt->key);
        curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, opt->connect_timeout > 0 ? opt->connect_timeout : 30L);
        curl_easy_setopt(c, CURLOPT_TIMEOUT, opt->timeout > 0 ? opt->timeout : 3600L);
        curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, opt->low_speed_limit > 0 ? opt->low_speed_limit : 1L);
        curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, opt->low_speed_time > 0 ? opt->low_speed_time : 60L);
        curl_easy_setopt(c, CURLOPT_USERAGENT, "cradle-agent/" CRADLE_VERSION);
        *out = steal_ptr(h);
        return 0;
}

void agent_http_free(struct agent_http *h) {
        if (!h)
                return;
        curl_easy_cleanup(h->curl);
        curl_global_cleanup();
        free(h);
}

/* What the libcurl failure means for the caller. */
static int curl_failure(struct agent_http *h, CURLcode rc, const char *url, bool too_large,
                        size_t max_len, struct error *err) {
        if (too_large)
                return error_set(err, ERROR_TOO_LARGE,
                                 "%s: more than the %zu bytes allowed (endless data attack?)", url, max_len);
        switch (rc) {
        case CURLE_OPERATION_TIMEDOUT:
                return error_set(err, ERROR_UNAVAILABLE, "%s: %s (slow retrieval?)", url,
                                 h->errbuf[0] ? h->errbuf : curl_easy_strerror(rc));
        case CURLE_FILESIZE_EXCEEDED:
                return error_set(err, ERROR_TOO_LARGE,
                                 "%s: larger than the %zu bytes allowed (endless data attack?)", url, max_len);
        case CURLE_FILE_COULDNT_READ_FILE:
                return error_set(err, ERROR_NOT_FOUND, "%s: no such file", url);
        case CURLE_SSL_CERTPROBLEM:
        case CURLE_SSL_CIPHER:
        case CURLE_PEER_FAILED_VERIFICATION:
        case CURLE_SSL_CACERT_BADFILE:
                return error_set(err, ERROR_UNAUTHENTICATED, "%s: TLS: %s", url,
                                 h->errbuf[0] ? h->errbuf : curl_easy_strerror(rc));
        default:
                return error_set(err, ERROR_UNAVAILABLE, "%s: %s", url,
                                 h->errbuf[0] ? h->errbuf : curl_easy_strerror(rc));
        }
}

static int status_failure(long status, const char *url, const char *body, struct error *err) {
        char safe[160];
        str_sanitize(body ? body : "", body ? strlen(body) : 0, safe, sizeof(safe));
        switch (status) {
        case 404:
        case 410:
                return error_set(err, ERROR_NOT_FOUND, "%s: HTTP %ld", url, status);
        case 401:
                return error_set(err, ERROR_UNAUTHENTICATED, "%s: HTTP 401 (is the device certificate "
                                 "valid and not revoked?) %s", url, safe);
        case 403:
                return error_set(err, ERROR_FORBIDDEN, "%s: HTTP 403 %s", url, safe);
        case 400:
        case 422:
                return error_set(err, ERROR_INVALID, "%s: HTTP %ld %s", url, status, safe);
        case 413:
                return error_set(err, ERROR_TOO_LARGE, "%s: HTTP 413 %s", url, safe);
        case 429:
                return error_set(err, ERROR_RATE_LIMITED, "%s: HTTP 429 (rate limited)", url);
        default:
                return error_set(err, ERROR_UNAVAILABLE, "%s: HTTP %ld %s", url, status, safe);
        }
}

struct mem_sink {
        struct buf b;
        size_t max;
        bool too_large;
};

static size_t on_mem(char *data, size_t size, size_t n, void *ud) {
        struct mem_sink *m = ud;
        size_t len = size * n;
        if (m->b.len + len > m->max) {
                m->too_large = true;
                return 0; /* abort: CURLE_WRITE_ERROR */
        }
        buf_append(&m->b, data, len);
        return len;
}

static void reset_request(CURL *c) {
        curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
        curl_easy_setopt(c, CURLOPT_HTTPHEADER, NULL);
        curl_easy_setopt(c, CURLOPT_RESUME_FROM_LARGE, (curl_off_t) 0);
        curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t) 0);
}

int agent_http_get(struct agent_http *h, const char *url, size_t max_len, char **out, size_t *len,
                   struct error *err) {
        struct mem_sink m = { .max = max_len };
        long status = 0;
        CURLcode rc;

        reset_request(h->curl);
        h->errbuf[0] = '\0';
        curl_easy_setopt(h->curl, CURLOPT_URL, url);
        curl_easy_setopt(h->curl, CURLOPT_WRITEFUNCTION, on_mem);
        curl_easy_setopt(h->curl, CURLOPT_WRITEDATA, &m);
        curl_easy_setopt(h->curl, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t) max_len);
        rc = curl_easy_perform(h->curl);
        curl_easy_getinfo(h->curl, CURLINFO_RESPONSE_CODE, &status);
        /* A 404 body larger than max_len must still read as "not found". */
        if (rc != CURLE_OK && !(status >= 400 && (m.too_large || rc == CURLE_FILESIZE_EXCEEDED))) {
                buf_free(&m.b);
                return curl_failure(h, rc, url, m.too_large, max_len, err);
        }
        if (status != 0 && (status < 200 || status > 299)) {
                buf_append(&m.b, "", 1);
                status_failure(status, url, m.b.data, err);
                buf_free(&m.b);
                return -1;
        }
        *len = m.b.len;
        *out = buf_steal(&m.b);
        return 0;
}

int agent_http_post_json(struct agent_http *h, const char *url, json_t *body, struct error *err) {
        _cleanup_free_ char *payload = json_dumps(body, JSON_COMPACT | JSON_SORT_KEYS);
        struct mem_sink m = { .max = POST_RESPONSE_MAX };
        struct curl_slist *headers = NULL;
        long status = 0;
        CURLcode rc;
        int r = 0;

        if (!payload)
                return error_set(err, ERROR_INTERNAL, "cannot serialise a request body");
        reset_request(h->curl);
        h->errbuf[0] = '\0';
        headers = curl_slist_append(headers, "Content-Type: application/json");
        curl_easy_setopt(h->curl, CURLOPT_URL, url);
        curl_easy_setopt(h->curl, CURLOPT_HTTPHEADER, headers);
        curl_easy_setopt(h->curl, CURLOPT_POSTFIELDS, payload);
        curl_easy_setopt(h->curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t) strlen(payload));
        curl_easy_setopt(h->curl, CURLOPT_WRITEFUNCTION, on_mem);
        curl_easy_setopt(h->curl, CURLOPT_WRITEDATA, &m);
        rc = curl_easy_perform(h->curl);
        curl_easy_getinfo(h->curl, CURLINFO_RESPONSE_CODE, &status);
        curl_easy_setopt(h->curl, CURLOPT_HTTPHEADER, NULL);
        curl_easy_setopt(h->curl, CURLOPT_POSTFIELDS, NULL);
        curl_slist_free_all(headers);
        if (rc != CURLE_OK && !m.too_large)
                r = curl_failure(h, rc, url, false, POST_RESPONSE_MAX, err);
        else if (status < 200 || status > 299) {
                buf_append(&m.b, "", 1);
                r = status_failure(status, url, m.b.data, err);
        }
        buf_free(&m.b);
        return r;
}

struct stream_ctx {
        const struct agent_http_sink *sink;
        CURL *curl;
        bool checked;
        bool aborted;
        long status;
};

static size_t on_stream(char *data, size_t size, size_t n, void *ud) {
        struct stream_ctx *s = ud;
        size_t len = size * n;

        if (!s->checked) {
                /* Error bodies never reach the sink. */
                curl_easy_getinfo(s->curl, CURLINFO_RESPONSE_CODE, &s->status);
                s->checked = true;
        }
        if (s->status != 0 && (s->status < 200 || s->status > 299))
                return len;
        if (!s->sink->write(s->sink->ud, data, len)) {
                s->aborted = true;
                return 0;
        }
        return len;
}

int agent_http_download(struct agent_http *h, const char *url, int64_t offset,
                        const struct agent_http_sink *sink, long *status, bool *resumed,
                        struct error *err) {
        struct stream_ctx s = { .sink = sink, .curl = h->curl };
        CURLcode rc;

        *status = 0;
        *resumed = false;
        reset_request(h->curl);
        h->errbuf[0] = '\0';
        curl_easy_setopt(h->curl, CURLOPT_URL, url);
        curl_easy_setopt(h->curl, CURLOPT_WRITEFUNCTION, on_stream);
        curl_easy_setopt(h->curl, CURLOPT_WRITEDATA, &s);
        curl_easy_setopt(h->curl, CURLOPT_RESUME_FROM_LARGE, (curl_off_t) offset);
        rc = curl_easy_perform(h->curl);
        curl_easy_getinfo(h->curl, CURLINFO_RESPONSE_CODE, status);
        curl_easy_setopt(h->curl, CURLOPT_RESUME_FROM_LARGE, (curl_off_t) 0);
        if (s.aborted)
                return -1; /* the sink set the reason */
        /* A server ignoring Range answers 200; libcurl then fails with
         * CURLE_RANGE_ERROR on HTTP. The caller restarts from 0. */
        if (rc == CURLE_RANGE_ERROR && *status == 200)
                return error_set(err, ERROR_CONFLICT, "%s: the server ignored the Range request", url);
        if (rc == CURLE_BAD_DOWNLOAD_RESUME)
                return error_set(err, ERROR_CONFLICT, "%s: cannot resume at byte %" PRId64, url, offset);
        if (*status == 416)
                return error_set(err, ERROR_CONFLICT, "%s: HTTP 416 (range not satisfiable at byte %" PRId64 ")",
                                 url, offset);
        if (rc != CURLE_OK && !(*status >= 300))
                return curl_failure(h, rc, url, false, 0, err);
        if (*status != 0 && (*status < 200 || *status > 299))
                return status_failure(*status, url, NULL, err);
        *resumed = offset > 0 && (*status == 206 || *status == 0);
        return 0;
}

static int fetch_cb(void *ud, const char *name, size_t max_len, char **out, size_t *len,
                    struct error *err) {
        struct agent_http_fetcher *f = ud;
        _cleanup_free_ char *url = str_printf("%s%s", f->base_url, name);
        return agent_http_get(f->http, url, max_len, out, len, err);
}

struct tuf_fetcher agent_http_fetcher(struct agent_http_fetcher *f) {
        return (struct tuf_fetcher) { .fetch = fetch_cb, .ud = f };
}

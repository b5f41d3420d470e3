/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/*
 * The agent's HTTP client over libcurl: mutual TLS with the device identity,
 * and limits on every transfer against the TUF "endless data" and "slow
 * retrieval" attacks:
 *  - a byte limit per fetch (the transfer is aborted as soon as it is passed);
 *  - CURLOPT_LOW_SPEED_LIMIT/TIME: a transfer slower than low_speed_limit
 *    bytes/s for low_speed_time seconds is aborted;
 *  - an overall timeout per transfer, and a connect timeout.
 * The device key may be a PEM file or a pkcs11: URI: libcurl's GnuTLS
 * backend hands CURLOPT_SSLKEY to gnutls_certificate_set_x509_key_file2,
 * which opens PKCS#11 URLs itself; the PIN comes from the PIN callback that
 * crypto_pkcs11_init installs (CRADLE_PKCS11_PIN / _PIN_FILE).
 *
 * agent_http_fetcher() adapts it to struct tuf_fetcher for tuf/client.h.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>
#include "core/error.h"
#include "tuf/fetcher.h"

struct agent_config;

struct agent_http_options {
        const char *ca;          /* PEM trust anchors, NULL/"": system store */
        const char *cert;        /* client certificate (PEM), NULL: none */
        const char *key;         /* PEM file or pkcs11: URI */
        long low_speed_limit;    /* bytes/s */
        long low_speed_time;     /* s */
        long connect_timeout;    /* s */
        long timeout;            /* s, whole transfer */
};

struct agent_http;

int agent_http_new(const struct agent_http_options *opt, struct agent_http **out, struct error *err);
/* The options of the agent's configuration. */
void agent_http_options_from_config(const struct agent_config *cfg, struct agent_http_options *opt);
void agent_http_free(struct agent_http *h);

/* GET url into memory, at most max_len bytes. 404/410 -> ERROR_NOT_FOUND;
 * more than max_len -> ERROR_TOO_LARGE; 401/403 -> ERROR_UNAUTHENTICATED /
 * ERROR_FORBIDDEN; 429 -> ERROR_RATE_LIMITED; other non-2xx, timeouts and
 * network failures -> ERROR_UNAVAILABLE. *out is heap, NUL-terminated. */
int agent_http_get(struct agent_http *h, const char *url, size_t max_len, char **out, size_t *len,
                   struct error *err);

/* POST a JSON document; the response body is read (at most 64 KiB) and
 * dropped. Status errors as for agent_http_get. */
int agent_http_post_json(struct agent_http *h, const char *url, json_t *body, struct error *err);

/* Streaming download: writes bytes [offset, ...) of url through `write`
 * (which returns false to abort). *status is the HTTP status (0 for file://);
 * *resumed is true when the server honoured the range (206, or a file://
 * URL). */
struct agent_http_sink {
        bool (*write)(void *ud, const void *data, size_t len);
        void *ud;
};
int agent_http_download(struct agent_http *h, const char *url, int64_t offset,
                        const struct agent_http_sink *sink, long *status, bool *resumed,
                        struct error *err);

/* A tuf_fetcher that fetches base_url + name. `base_url` must end in '/' and
 * outlive the fetcher. */
struct agent_http_fetcher {
        struct agent_http *http;
        const char *base_url;
};
struct tuf_fetcher agent_http_fetcher(struct agent_http_fetcher *f);

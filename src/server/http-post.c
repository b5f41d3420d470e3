/* SPDX-License-Identifier: Apache-2.0 */
/* Outgoing JSON POSTs of the server's notifications (http-post.h). */
#include "http-post.h"

#include <curl/curl.h>
#include <stdio.h>
#include <string.h>

static size_t discard(char *p, size_t size, size_t n, void *u) {
        (void) p;
        (void) u;
        return size * n;
}

int server_http_post_json(const char *url, const char *body, const char *const *headers, char *why,
                          size_t why_size) {
        CURL *c = curl_easy_init();
        if (!c) {
                snprintf(why, why_size, "curl_easy_init failed");
                return -1;
        }
        struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/json");
        for (size_t i = 0; headers && headers[i]; i++)
                h = curl_slist_append(h, headers[i]);
        curl_easy_setopt(c, CURLOPT_URL, url);
        curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long) strlen(body));
        curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
        curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
        curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 5L);
        curl_easy_setopt(c, CURLOPT_TIMEOUT, 15L);
        curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
        CURLcode rc = curl_easy_perform(c);
        long status = 0;
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
        curl_slist_free_all(h);
        curl_easy_cleanup(c);
        if (rc != CURLE_OK) {
                snprintf(why, why_size, "%s", curl_easy_strerror(rc));
                return -1;
        }
        if (status < 200 || status > 299) {
                snprintf(why, why_size, "HTTP %ld", status);
                return -1;
        }
        return 0;
}

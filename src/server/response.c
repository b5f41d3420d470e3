/* SPDX-License-Identifier: Apache-2.0 */
#include "response.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "core/json.h"
#include "core/strutil.h"
#include "crypto/ct.h"

static void body_free(struct http_response *r) {
        if (r->body && r->sensitive)
                ct_wipe(r->body, r->body_len);
        free(r->body);
        r->body = NULL;
        r->sensitive = false;
        if (r->has_fd && r->fd >= 0)
                close(r->fd);
        r->has_fd = false;
        r->fd = -1;
}

void http_response_set_body(struct http_response *r, unsigned status, const char *content_type,
                            char *body, size_t len) {
        body_free(r);
        r->status = status;
        r->content_type = content_type;
        r->body = body;
        r->body_len = body ? len : 0;
}

void http_response_set_file(struct http_response *r, unsigned status, const char *content_type, int fd,
                            uint64_t offset, uint64_t len) {
        body_free(r);
        r->status = status;
        r->content_type = content_type;
        r->has_fd = true;
        r->fd = fd;
        r->fd_offset = offset;
        r->fd_len = len;
}

void http_response_set_json(struct http_response *r, unsigned status, json_t *value) {
        char *text = cr_json_dump(value);
        if (!text)
                abort(); /* only fails on out of memory or a non-JSON value: both invariants */
        http_response_set_body(r, status, HTTP_CONTENT_TYPE_JSON, text, strlen(text));
}

void http_response_add_header(struct http_response *r, const char *name, const char *value) {
        if (r->n_headers >= HTTP_RESPONSE_MAX_HEADERS)
                abort();
        r->headers[r->n_headers].name = str_dup(name);
        r->headers[r->n_headers].value = str_dup(value);
        r->n_headers++;
}

const char *http_response_get_header(const struct http_response *r, const char *name) {
        for (size_t i = 0; i < r->n_headers; i++)
                if (strcasecmp(r->headers[i].name, name) == 0)
                        return r->headers[i].value;
        return NULL;
}

void http_response_clear(struct http_response *r) {
        body_free(r);
        for (size_t i = 0; i < r->n_headers; i++) {
                free(r->headers[i].name);
                free(r->headers[i].value);
        }
        memset(r, 0, sizeof(*r));
}

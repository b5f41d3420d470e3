/* SPDX-License-Identifier: Apache-2.0 */
#include "http.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <gnutls/gnutls.h>
#include <inttypes.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/fault.h"
#include "core/cleanup.h"
#include "core/log.h"
#include "core/strutil.h"
#include "core/time.h"
#include "conn-guard.h"
#include "crypto/ct.h"
#include "crypto/hash.h"
#include "framing.h"
#include "metrics.h"
#include "problem.h"
#include "request-id.h"
#include "request.h"
#include "response.h"
#include "router.h"

struct http_server {
        struct MHD_Daemon *daemon;
        MHD_socket quiesced_fd;
        const struct router *router;
        struct metrics *metrics;
        size_t max_body;
        char *stream_dir;
        uint64_t max_stream_body;
        atomic_uint in_flight;
        /* Deadlines and the pool policy libmicrohttpd lacks (conn-guard.h). */
        struct conn_guard *guard;
        /* Set on shutdown: requests not yet started are refused (503) and every
         * answer closes its connection. */
        atomic_bool draining;
        /* Set when the shutdown grace period is over: no handler starts any
         * more, so nothing is committed that could not be answered. */
        atomic_bool handlers_closed;
        atomic_uint handlers_running;
        /* TLS session tickets (see tls_session_setup): the master key, made
         * at start, in memory only. */
        gnutls_datum_t ticket_key;
};

/* One request, from its first access-handler call to its completion. */
struct exchange {
        struct http_server *server;
        struct conn_guard_conn *guarded;   /* the connection's guard entry (may be NULL) */
        char request_id[HTTP_REQUEST_ID_LEN + 1];
        int64_t start_usec;
        char *method;
        char *path;
        struct buf body;
        bool too_large;       /* body over max_body: discard the rest, answer 413 */
        size_t discarded;
        unsigned status;
        const char *route_label;
        /* A ROUTE_STREAM_BODY request: the body goes to a temp file, hashed
         * on the way, instead of into `body`. */
        bool streaming;
        bool stream_failed;   /* writing failed: answered at the end (507 when the disk is full, else 500) */
        int stream_errno;     /* why writing failed (errno), 0 when unknown */
        int stream_fd;
        char *stream_path;
        struct hash_sha256_ctx *stream_hash;
        uint64_t stream_len;
};

/* The documented header limit must fit the pool with room for the response. */
_Static_assert(HTTP_MAX_HEADER_BYTES + 8 * 1024 <= HTTP_CONNECTION_MEMORY_LIMIT,
               "HTTP_MAX_HEADER_BYTES does not fit libmicrohttpd's connection pool");

/* A body without Content-Length (chunked) that goes over the limit can only
 * be answered once it ends (libmicrohttpd 0.9.75 cannot queue a response in
 * the middle of an upload), so the rest is read and dropped -- up to this
 * many times the limit, after which the connection is simply closed. */
#define HTTP_DISCARD_LIMIT_FACTOR 8

static void stream_close(struct exchange *x) {
        if (x->stream_fd >= 0)
                close(x->stream_fd);
        x->stream_fd = -1;
        if (x->stream_hash) {
                uint8_t dummy[SHA256_LEN];
                hash_sha256_final(x->stream_hash, dummy);
                x->stream_hash = NULL;
        }
}

static void exchange_free(struct exchange *x) {
        if (!x)
                return;
        stream_close(x);
        if (x->stream_path) {
                /* The handler linked what it keeps; the temp file is ours. */
                if (unlink(x->stream_path) < 0 && errno != ENOENT)
                        log_warn("cannot remove the upload %s: %s", x->stream_path, strerror(errno));
                free(x->stream_path);
        }
        free(x->method);
        free(x->path);
        /* Bodies carry secrets (migration keys, shared credentials, claims). */
        if (x->body.data)
                ct_wipe(x->body.data, x->body.len);
        buf_free(&x->body);
        free(x);
}

/* The path as it may appear in a log line: printable ASCII, anything else
 * %-escaped, at most 256 characters. */
static char *path_for_log(const char *path) {
        struct buf b = {0};
        size_t n = 0;
        for (const unsigned char *p = (const unsigned char *) path; *p && n < 256; p++, n++) {
                if (*p <= 0x20 || *p >= 0x7f || *p == '"' || *p == '\\')
                        buf_appendf(&b, "%%%02X", *p);
                else
                        buf_append(&b, p, 1);
        }
        if (path[n])
                buf_append(&b, "...", 3);
        char *out = buf_steal(&b);
        return out ? out : str_dup("");
}

static void wipe_and_free(void *p) {
        if (p)
                ct_wipe(p, strlen(p));
        free(p);
}

static enum MHD_Result send_response(struct MHD_Connection *conn, struct exchange *x,
                                     struct http_response *resp) {
        struct MHD_Response *r;
        char *body = steal_ptr(resp->body);
        size_t len = resp->body_len;
        if (resp->has_fd && resp->fd_len > 0) {
                /* libmicrohttpd reads the file as it sends (and closes fd). */
                r = MHD_create_response_from_fd_at_offset64(resp->fd_len, resp->fd, resp->fd_offset);
                if (!r)
                        return MHD_NO; /* fd is closed by http_response_clear */
                resp->has_fd = false;
                free(body);
        } else if (!body)
                r = MHD_create_response_from_buffer(0, (void *) "", MHD_RESPMEM_PERSISTENT);
        else if (resp->sensitive)
                r = MHD_create_response_from_buffer_with_free_callback(len, body, wipe_and_free);
        else
                r = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
        if (!r) {
                if (resp->sensitive)
                        wipe_and_free(body);
                else
                        free(body);
                return MHD_NO;
        }
        if (resp->content_type)
                MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, resp->content_type);
        MHD_add_response_header(r, "X-Request-Id", x->request_id);
        if (!http_response_get_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL))
                MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
        MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
        for (size_t i = 0; i < resp->n_headers; i++)
                MHD_add_response_header(r, resp->headers[i].name, resp->headers[i].value);
        /* Shutting down: this answer is the connection's last. */
        if (atomic_load(&x->server->draining) && !http_response_get_header(resp, MHD_HTTP_HEADER_CONNECTION))
                MHD_add_response_header(r, MHD_HTTP_HEADER_CONNECTION, "close");
        x->status = resp->status;
        x->route_label = resp->route_label;
        conn_guard_request_handling(x->server->guard, x->guarded);
        enum MHD_Result ret = MHD_queue_response(conn, resp->status, r);
        MHD_destroy_response(r);
        return ret;
}

static enum MHD_Result respond_too_large(struct http_server *s, struct MHD_Connection *conn,
                                         struct exchange *x) {
        struct http_response resp = {0};
        struct error err = {0};
        if (x->streaming)
                error_set(&err, ERROR_TOO_LARGE,
                          "request body: larger than the limit of %" PRIu64 " bytes ([ota] max_image_size)",
                          s->max_stream_body);
        else
                error_set(&err, ERROR_TOO_LARGE, "request body: larger than the limit of %zu bytes",
                          s->max_body);
        problem_respond(&resp, &err, x->path, x->request_id);
        resp.route_label = router_route_label(s->router, x->method, x->path);
        /* The rest of the body is not read: the connection cannot be reused. */
        http_response_add_header(&resp, MHD_HTTP_HEADER_CONNECTION, "close");
        enum MHD_Result ret = send_response(conn, x, &resp);
        http_response_clear(&resp);
        return ret;
}

struct query_collect {
        struct http_query_param *params;
        size_t n;
        bool overflow;
};

static enum MHD_Result collect_query(void *cls, enum MHD_ValueKind kind, const char *key,
                                     const char *value) {
        struct query_collect *q = cls;
        (void) kind;
        if (q->n >= HTTP_MAX_QUERY_PARAMS) {
                q->overflow = true;
                return MHD_NO;
        }
        q->params[q->n++] = (struct http_query_param) { .key = key, .value = value };
        return MHD_YES;
}

static void client_address(struct MHD_Connection *conn, char *out, size_t len) {
        const union MHD_ConnectionInfo *ci =
                MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
        snprintf(out, len, "unknown");
        if (!ci || !ci->client_addr)
                return;
        const struct sockaddr *sa = ci->client_addr;
        if (sa->sa_family == AF_INET)
                inet_ntop(AF_INET, &((const struct sockaddr_in *) (const void *) sa)->sin_addr, out,
                          (socklen_t) len);
        else if (sa->sa_family == AF_INET6)
                inet_ntop(AF_INET6, &((const struct sockaddr_in6 *) (const void *) sa)->sin6_addr,
                          out, (socklen_t) len);
}

/* The client certificate chain the TLS client sent (DER, leaf first), not
 * verified in any way: the router authenticates it where a route asks for a
 * device. The data belongs to the TLS session. */
static const gnutls_datum_t *peer_chain(struct MHD_Connection *conn, size_t *n_out) {
        *n_out = 0;
        const union MHD_ConnectionInfo *ci =
                MHD_get_connection_info(conn, MHD_CONNECTION_INFO_GNUTLS_SESSION);
        if (!ci || !ci->tls_session)
                return NULL;
        gnutls_session_t session = (gnutls_session_t) ci->tls_session;
        if (gnutls_certificate_type_get(session) != GNUTLS_CRT_X509)
                return NULL;
        unsigned n = 0;
        const gnutls_datum_t *chain = gnutls_certificate_get_peers(session, &n);
        if (!chain || n == 0)
                return NULL;
        *n_out = n > HTTP_PEER_CHAIN_MAX ? HTTP_PEER_CHAIN_MAX : n;
        return chain;
}

/* The request as the router sees it (headers; the body when there is one). */
static void request_build(struct MHD_Connection *conn, struct exchange *x, struct http_query_param *params,
                          size_t n_params, char *client, size_t client_len, struct http_request *req) {
        client_address(conn, client, client_len);
        size_t n_peer = 0;
        const gnutls_datum_t *chain = peer_chain(conn, &n_peer);
        *req = (struct http_request) {
                .method = x->method,
                .path = x->path,
                .query = params,
                .n_query = n_params,
                .authorization = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION),
                .content_type = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE),
                .body = x->body.len ? x->body.data : NULL,
                .body_len = x->body.len,
                .client_ip = client,
                .request_id = x->request_id,
                .peer_chain = chain,
                .n_peer_chain = n_peer,
                .range = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_RANGE),
                .if_range = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_IF_RANGE),
                .if_none_match = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_IF_NONE_MATCH),
                .host = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_HOST),
        };
}

static enum MHD_Result dispatch(struct http_server *s, struct MHD_Connection *conn,
                                struct exchange *x) {
        struct http_query_param params[HTTP_MAX_QUERY_PARAMS];
        struct query_collect q = { .params = params };
        struct http_response resp = {0};
        char client[INET6_ADDRSTRLEN + 1];

        MHD_get_connection_values(conn, MHD_GET_ARGUMENT_KIND, collect_query, &q);
        if (q.overflow) {
                struct error err = {0};
                error_set(&err, ERROR_INVALID, "query string: more than %d parameters",
                          HTTP_MAX_QUERY_PARAMS);
                problem_respond(&resp, &err, x->path, x->request_id);
                resp.route_label = router_route_label(s->router, x->method, x->path);
        } else if (x->streaming && x->stream_failed) {
                struct error err = {0};
                /* error_set_errno turns ENOSPC/EDQUOT into ERROR_NO_SPACE (507). */
                if (x->stream_errno)
                        error_set_errno(&err, ERROR_INTERNAL, x->stream_errno, "the upload could not be written to disk");
                else
                        error_set(&err, ERROR_INTERNAL, "the upload could not be written to disk");
                problem_respond(&resp, &err, x->path, x->request_id);
                resp.route_label = router_route_label(s->router, x->method, x->path);
        } else {
                struct http_request req;
                struct http_stream_body sb = {0};
                request_build(conn, x, params, q.n, client, sizeof(client), &req);
                if (x->streaming) {
                        sb.path = x->stream_path;
                        sb.length = x->stream_len;
                        hash_sha256_final(x->stream_hash, sb.sha256);
                        x->stream_hash = NULL;
                        stream_close(x);
                        req.stream = &sb;
                }
                /* Counted before the flag is read, as in_flight is. */
                atomic_fetch_add(&s->handlers_running, 1);
                if (atomic_load(&s->handlers_closed)) {
                        struct error err = {0};
                        error_set(&err, ERROR_UNAVAILABLE, "the server is shutting down; the request was not carried out");
                        problem_respond(&resp, &err, x->path, x->request_id);
                        resp.route_label = router_route_label(s->router, x->method, x->path);
                } else {
                        router_dispatch(s->router, &req, &resp);
                }
                atomic_fetch_sub(&s->handlers_running, 1);
        }
        enum MHD_Result ret = send_response(conn, x, &resp);
        http_response_clear(&resp);
        return ret;
}

/* Answers right away (first call, before the body) and closes afterwards. */
static enum MHD_Result respond_early(struct MHD_Connection *conn, struct exchange *x, struct http_response *resp) {
        http_response_add_header(resp, MHD_HTTP_HEADER_CONNECTION, "close");
        enum MHD_Result ret = send_response(conn, x, resp);
        http_response_clear(resp);
        return ret;
}

/* First call of a ROUTE_STREAM_BODY request: the caller must be allowed
 * before a byte of the body is written anywhere. */
static enum MHD_Result stream_begin(struct http_server *s, struct MHD_Connection *conn, struct exchange *x,
                                    int64_t declared) {
        struct http_query_param params[HTTP_MAX_QUERY_PARAMS];
        struct query_collect q = { .params = params };
        struct http_response resp = {0};
        struct error err = {0};
        char client[INET6_ADDRSTRLEN + 1];
        x->streaming = true;

        MHD_get_connection_values(conn, MHD_GET_ARGUMENT_KIND, collect_query, &q);
        if (q.overflow) {
                error_set(&err, ERROR_INVALID, "query string: more than %d parameters", HTTP_MAX_QUERY_PARAMS);
                problem_respond(&resp, &err, x->path, x->request_id);
                resp.route_label = router_route_label(s->router, x->method, x->path);
                return respond_early(conn, x, &resp);
        }
        struct http_request req;
        request_build(conn, x, params, q.n, client, sizeof(client), &req);
        if (router_authorize(s->router, &req, &resp) < 0)
                return respond_early(conn, x, &resp);
        http_response_clear(&resp);
        if (declared >= 0 && (uint64_t) declared > s->max_stream_body)
                return respond_too_large(s, conn, x);
        if (!s->stream_dir) {
                error_set(&err, ERROR_INTERNAL, "streamed uploads are not configured");
                problem_respond(&resp, &err, x->path, x->request_id);
                resp.route_label = router_route_label(s->router, x->method, x->path);
                return respond_early(conn, x, &resp);
        }
        x->stream_path = str_printf("%s/upload-%s-XXXXXX", s->stream_dir, x->request_id);
        x->stream_fd = mkostemp(x->stream_path, O_CLOEXEC);
        if (x->stream_fd < 0) {
                int e = errno;
                log_error("cannot create an upload file in %s: %s", s->stream_dir, strerror(e));
                free(x->stream_path);
                x->stream_path = NULL;
                error_set_errno(&err, ERROR_INTERNAL, e, "cannot store the upload");
                problem_respond(&resp, &err, x->path, x->request_id);
                resp.route_label = router_route_label(s->router, x->method, x->path);
                return respond_early(conn, x, &resp);
        }
        x->stream_hash = hash_sha256_new();
        return MHD_YES;
}

static void stream_write(struct http_server *s, struct exchange *x, const char *data, size_t n) {
        if (x->stream_len + n > s->max_stream_body) {
                x->too_large = true;
                x->discarded = n;
                stream_close(x);
                return;
        }
        hash_sha256_update(x->stream_hash, data, n);
        x->stream_len += n;
        while (n > 0) {
                ssize_t w = write(x->stream_fd, data, n);
                if (w < 0 && errno == EINTR)
                        continue;
                if (w <= 0) {
                        x->stream_errno = w < 0 ? errno : ENOSPC; /* write() of 0 bytes: no room */
                        log_error("writing the upload %s: %s%s", x->stream_path, strerror(x->stream_errno),
                                  x->stream_errno == ENOSPC || x->stream_errno == EDQUOT ? " (DISK FULL)" : "");
                        x->stream_failed = true;
                        stream_close(x);
                        return;
                }
                data += w;
                n -= (size_t) w;
        }
}

struct field_collect {
        struct framing_field fields[HTTP_MAX_HEADER_FIELDS];
        size_t n;
        bool overflow;
};

static enum MHD_Result collect_field(void *cls, enum MHD_ValueKind kind, const char *key, const char *value) {
        struct field_collect *f = cls;
        (void) kind;
        if (f->n >= HTTP_MAX_HEADER_FIELDS) {
                f->overflow = true;
                return MHD_NO;
        }
        f->fields[f->n++] = (struct framing_field) { .name = key, .value = value };
        return MHD_YES;
}

/* The framing checks (framing.h) on the request's raw header fields, before
 * routing: a request whose body length is ambiguous gets 400 (501 for an
 * unknown transfer coding) and its connection is closed, so no byte after
 * its headers is ever read as another request. Returns true when answered. */
static bool refuse_bad_framing(struct http_server *s, struct MHD_Connection *conn, struct exchange *x,
                               const char *version, enum MHD_Result *ret) {
        struct field_collect *f = xcalloc(1, sizeof(*f));
        struct error err = {0};
        struct http_response resp = {0};
        enum framing_verdict v;
        MHD_get_connection_values(conn, MHD_HEADER_KIND, collect_field, f);
        if (f->overflow) {
                error_set(&err, ERROR_INVALID, "more than %d header fields", HTTP_MAX_HEADER_FIELDS);
                v = FRAMING_BAD_REQUEST;
        } else {
                v = framing_check(f->fields, f->n, version, &err);
        }
        free(f);
        if (v == FRAMING_OK)
                return false;
        if (v == FRAMING_NOT_IMPLEMENTED)
                problem_respond_not_implemented(&resp, err.msg, x->path, x->request_id);
        else
                problem_respond(&resp, &err, x->path, x->request_id);
        resp.route_label = router_route_label(s->router, x->method, x->path);
        *ret = respond_early(conn, x, &resp);
        return true;
}

/* Shutting down: a request that arrives now is not started. */
static enum MHD_Result refuse_draining(struct http_server *s, struct MHD_Connection *conn, struct exchange *x) {
        struct http_response resp = {0};
        struct error err = {0};
        error_set(&err, ERROR_UNAVAILABLE, "the server is shutting down; retry on a new connection");
        problem_respond(&resp, &err, x->path, x->request_id);
        resp.route_label = router_route_label(s->router, x->method, x->path);
        http_response_add_header(&resp, "Retry-After", "1");
        return respond_early(conn, x, &resp);
}

/* What the server keeps per connection (libmicrohttpd's socket context). */
struct http_conn {
        struct conn_guard_conn *guarded;   /* may be NULL */
        bool tls_counted;                  /* its TLS session is in the metrics */
};

static struct http_conn *conn_entry(struct MHD_Connection *conn) {
        const union MHD_ConnectionInfo *ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
        return ci ? ci->socket_context : NULL;
}

/* Counts the connection's TLS session, resumed or not, at its first request
 * (the handshake is over by then). */
static void count_tls_session(struct http_server *s, struct MHD_Connection *conn, struct http_conn *c) {
        if (!c || c->tls_counted || !s->metrics)
                return;
        c->tls_counted = true;
        const union MHD_ConnectionInfo *ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_GNUTLS_SESSION);
        if (ci && ci->tls_session)
                metrics_tls_session(s->metrics, gnutls_session_is_resumed((gnutls_session_t) ci->tls_session) != 0);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version,
                                  const char *upload_data, size_t *upload_data_size,
                                  void **con_cls) {
        struct http_server *s = cls;
        struct exchange *x = *con_cls;

        if (!x) {
                /* First call: headers are in, the body (if any) is not. */
                x = xcalloc(1, sizeof(*x));
                x->server = s;
                struct http_conn *c = conn_entry(conn);
                x->guarded = c ? c->guarded : NULL;
                count_tls_session(s, conn, c);
                x->start_usec = time_monotonic_usec();
                conn_guard_request_headers(s->guard, x->guarded, x->start_usec);
                request_id_generate(x->request_id);
                x->method = str_dup(method);
                x->path = str_dup(url);
                x->route_label = METRICS_ROUTE_UNMATCHED;
                x->stream_fd = -1;
                *con_cls = x;
                /* Counted before the draining flag is read: the shutdown, which
                 * sets the flag first, then waits for this request too. */
                atomic_fetch_add(&s->in_flight, 1);
                enum MHD_Result early;
                if (refuse_bad_framing(s, conn, x, version, &early))
                        return early;
                if (atomic_load(&s->draining))
                        return refuse_draining(s, conn, x);

                const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
                                                             MHD_HTTP_HEADER_CONTENT_LENGTH);
                int64_t declared = -1;
                if (cl && str_to_int64(cl, 0, INT64_MAX, &declared) < 0)
                        declared = -1;
                if (router_route_flags(s->router, method, url) & ROUTE_STREAM_BODY)
                        return stream_begin(s, conn, x, declared);
                if (declared >= 0 && (uint64_t) declared > s->max_body)
                        return respond_too_large(s, conn, x);
                return MHD_YES;
        }

        if (*upload_data_size > 0) {
                size_t n = *upload_data_size;
                *upload_data_size = 0;
                conn_guard_request_body(s->guard, x->guarded, n);
                if (x->too_large) {
                        x->discarded += n;
                        return x->discarded > s->max_body * HTTP_DISCARD_LIMIT_FACTOR ? MHD_NO : MHD_YES;
                }
                if (x->streaming) {
                        if (!x->stream_failed)
                                stream_write(s, x, upload_data, n);
                        return MHD_YES;
                }
                if (x->body.len + n > s->max_body) {
                        x->too_large = true;
                        x->discarded = x->body.len + n - s->max_body;
                        buf_free(&x->body);
                        memset(&x->body, 0, sizeof(x->body));
                        return MHD_YES;
                }
                buf_append(&x->body, upload_data, n);
                return MHD_YES;
        }

        /* The whole request is in: no deadline while it is handled. */
        conn_guard_request_handling(s->guard, x->guarded);
        if (x->too_large)
                return respond_too_large(s, conn, x);
        return dispatch(s, conn, x);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe) {
        struct http_server *s = cls;
        struct exchange *x = *con_cls;
        (void) conn;
        if (!x)
                return;
        *con_cls = NULL;
        conn_guard_request_done(s->guard, x->guarded, time_monotonic_usec());
        int64_t usec = time_monotonic_usec() - x->start_usec;
        if (s->metrics && x->status)
                metrics_observe_request(s->metrics, x->route_label, x->method, x->status, usec);
        /* A follow-up link's secret never reaches the log (ROUTE_SECRET_PATH). */
        _cleanup_free_ char *redacted = x->path ? router_path_for_log(s->router, x->path) : NULL;
        _cleanup_free_ char *path = path_for_log(redacted ? redacted : x->path);
        _cleanup_free_ char *method = path_for_log(x->method);
        if (x->status)
                log_msg(LOG_LEVEL_INFO, x->request_id, "%s %s %u %" PRId64 ".%03" PRId64 "ms%s",
                        method, path, x->status, usec / 1000, usec % 1000,
                        toe == MHD_REQUEST_TERMINATED_COMPLETED_OK ? "" : " (connection ended early)");
        else
                log_msg(LOG_LEVEL_INFO, x->request_id, "%s %s: no response (connection ended, code %d)",
                        method, path, (int) toe);
        exchange_free(x);
        atomic_fetch_sub(&s->in_flight, 1);
}

/*
 * Client certificates: every handshake asks for one, none is required.
 * Devices authenticate with their certificate and operators with a bearer
 * token on the same port, so a handshake without a certificate must succeed;
 * the router decides per route what a request needs.
 *
 * libmicrohttpd's own way (MHD_OPTION_HTTPS_MEM_TRUST) is not used: it fixes
 * the trusted CAs when the daemon starts and sends their names in the
 * CertificateRequest, and a TLS client that holds no certificate from a named
 * CA (GnuTLS, for one) then sends none -- so a device CA installed while the
 * server runs would not work until a restart. Instead the request is set on
 * each new session here, before its handshake (libmicrohttpd creates the
 * GnuTLS session before it notifies us, and handshakes later), with an empty
 * CA name list, so any client sends the certificate it has. The certificate is
 * not verified during the handshake (no trust list is configured; GnuTLS does
 * check the client's CertificateVerify signature, i.e. that the client holds
 * the key); the router verifies the chain against the device CAs in the store
 * at each request (identity_peer_authenticate).
 */
static void request_client_certificate(gnutls_session_t session) {
        gnutls_certificate_server_set_request(session, GNUTLS_CERT_REQUEST);
        gnutls_certificate_send_x509_rdn_sequence(session, 1);
}

/*
 * Session resumption. A device polls every few minutes on a new connection;
 * without resumption each poll pays a full handshake (an ECDHE exchange, the
 * server's signature, and the client certificate's). libmicrohttpd 0.9.75
 * has no option for it, but it hands us the GnuTLS session before the
 * handshake, so tickets (RFC 5077, and TLS 1.3's PSK tickets) are enabled
 * here with a master key made at start (GnuTLS derives the keys that seal
 * tickets from it); a ticket resumes for HTTP_TLS_TICKET_LIFETIME. A restart
 * forgets the key, so every device does one full handshake afterwards.
 *
 * A ticket carries the session's authentication data, the client's
 * certificate chain included, sealed under the key: on a resumed session
 * gnutls_certificate_get_peers returns the chain of the full handshake that
 * the ticket came from, so the router authenticates it at every request
 * exactly as on a fresh connection -- same chain verification, same
 * database reads of revocation and device state (identity_peer_authenticate).
 * A resumed session can therefore only ever speak as the device that did
 * the full handshake, and only while that device is still good.
 */
static void tls_session_setup(struct http_server *s, struct MHD_Connection *conn) {
        const union MHD_ConnectionInfo *ci =
                MHD_get_connection_info(conn, MHD_CONNECTION_INFO_GNUTLS_SESSION);
        if (!ci || !ci->tls_session)
                return;
        gnutls_session_t session = (gnutls_session_t) ci->tls_session;
        request_client_certificate(session);
        if (s->ticket_key.data) {
                gnutls_db_set_cache_expiration(session, HTTP_TLS_TICKET_LIFETIME);
                if (gnutls_session_ticket_enable_server(session, &s->ticket_key) < 0)
                        log_warn("TLS: cannot enable session tickets on a connection; it needs a full handshake");
        }
}

static void on_connection(void *cls, struct MHD_Connection *conn, void **socket_context,
                          enum MHD_ConnectionNotificationCode toe) {
        struct http_server *s = cls;
        if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
                tls_session_setup(s, conn);
                const union MHD_ConnectionInfo *fd = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
                const union MHD_ConnectionInfo *ad = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
                struct http_conn *c = xcalloc(1, sizeof(*c));
                if (fd)
                        c->guarded = conn_guard_open(s->guard, fd->connect_fd, ad ? ad->client_addr : NULL,
                                                     time_monotonic_usec());
                *socket_context = c;
        } else if (toe == MHD_CONNECTION_NOTIFY_CLOSED) {
                /* libmicrohttpd closes the socket after this call. */
                struct http_conn *c = *socket_context;
                if (c) {
                        conn_guard_close(s->guard, c->guarded);
                        free(c);
                }
                *socket_context = NULL;
        }
        if (!s->metrics)
                return;
        if (toe == MHD_CONNECTION_NOTIFY_STARTED)
                metrics_connection_opened(s->metrics);
        else if (toe == MHD_CONNECTION_NOTIFY_CLOSED)
                metrics_connection_closed(s->metrics);
}

__attribute__((format(printf, 2, 0)))
static void on_mhd_log(void *cls, const char *fmt, va_list ap) {
        char msg[512];
        (void) cls;
        vsnprintf(msg, sizeof(msg), fmt, ap);
        size_t len = strlen(msg);
        while (len > 0 && (msg[len - 1] == '\n' || msg[len - 1] == '\r'))
                msg[--len] = '\0';
        log_msg(LOG_LEVEL_WARN, NULL, "microhttpd: %s", msg);
}

/* Paths are percent-decoded by the router segment by segment (so "%2F" stays
 * inside a segment) and query values by their consumer (so a bad escape is
 * reported with the parameter's name). libmicrohttpd has already turned '+'
 * into ' ' in query arguments, which is all it should do. */
static size_t unescape_nothing(void *cls, struct MHD_Connection *c, char *s) {
        (void) cls;
        (void) c;
        return strlen(s);
}

static void guard_ended(void *cls, const char *reason) {
        metrics_connection_ended(cls, reason);
}

static void ticket_key_free(struct http_server *s) {
        if (s->ticket_key.data) {
                gnutls_memset(s->ticket_key.data, 0, s->ticket_key.size);
                gnutls_free(s->ticket_key.data);
        }
        s->ticket_key = (gnutls_datum_t) {0};
}

int http_server_start(const struct http_server_options *o, const struct router *router,
                      struct metrics *metrics, struct http_server **out, struct error *err) {
        struct sockaddr_in sin = {0};
        struct sockaddr_in6 sin6 = {0};
        const struct sockaddr *addr;
        /* poll(), not epoll: with epoll, libmicrohttpd 0.9.75 never learns that a
         * TLS handshake is waiting for the peer (GnuTLS reads the socket itself,
         * so the "read-ready" mark is not cleared on EAGAIN) and calls the
         * handshake in a busy loop until the client's next flight arrives --
         * a full core per pending handshake, starving the clients on a loaded
         * machine. poll() asks the kernel each turn. */
        unsigned flags = MHD_USE_TLS | MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL |
                         MHD_USE_ITC | MHD_USE_ERROR_LOG;

        if (inet_pton(AF_INET, o->listen, &sin.sin_addr) == 1) {
                sin.sin_family = AF_INET;
                sin.sin_port = htons(o->port);
                addr = (const struct sockaddr *) &sin;
        } else if (inet_pton(AF_INET6, o->listen, &sin6.sin6_addr) == 1) {
                sin6.sin6_family = AF_INET6;
                sin6.sin6_port = htons(o->port);
                addr = (const struct sockaddr *) &sin6;
                flags |= MHD_USE_IPv6;
        } else {
                return error_set(err, ERROR_INVALID, "listen: '%s' is not an IP address", o->listen);
        }

        struct http_server *s = xcalloc(1, sizeof(*s));
        s->router = router;
        s->metrics = metrics;
        s->max_body = o->max_body;
        s->stream_dir = str_dup(o->stream_dir);
        s->max_stream_body = o->max_stream_body ? o->max_stream_body : HTTP_MAX_STREAM_BODY_DEFAULT;
        s->quiesced_fd = MHD_INVALID_SOCKET;
        atomic_init(&s->in_flight, 0);
        atomic_init(&s->draining, false);
        atomic_init(&s->handlers_closed, false);
        atomic_init(&s->handlers_running, 0);
        struct conn_guard_limits gl = {
                .on_end = metrics ? guard_ended : NULL,
                .on_end_cls = metrics,
                .header_timeout_usec = (int64_t) (o->header_timeout ? o->header_timeout : HTTP_HEADER_TIMEOUT_DEFAULT) * 1000000,
                .min_body_rate = o->min_body_rate,
                .max_connections = o->max_connections,
                .sweep_interval_msec = HTTP_GUARD_SWEEP_MSEC,
        };
        s->guard = conn_guard_new(&gl);
        if (gnutls_session_ticket_key_generate(&s->ticket_key) < 0) {
                log_warn("TLS: cannot make a session ticket key; every connection needs a full handshake");
                s->ticket_key = (gnutls_datum_t) {0};
        }

        s->daemon = MHD_start_daemon(
                flags, o->port, NULL, NULL, on_request, s,
                /* First, so that messages about the other options reach our log. */
                MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, s,
                MHD_OPTION_SOCK_ADDR, addr,
                MHD_OPTION_HTTPS_MEM_CERT, o->cert_pem,
                MHD_OPTION_HTTPS_MEM_KEY, o->key_pem,
                MHD_OPTION_HTTPS_PRIORITIES, HTTP_TLS_PRIORITIES,
                MHD_OPTION_THREAD_POOL_SIZE, (unsigned int) (o->threads > 1 ? o->threads : 0),
                MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t) HTTP_CONNECTION_MEMORY_LIMIT,
                MHD_OPTION_CONNECTION_LIMIT, (unsigned int) o->max_connections,
                MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned int) o->max_connections_per_ip,
                MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int) o->connection_timeout,
                MHD_OPTION_NOTIFY_COMPLETED, on_completed, s,
                MHD_OPTION_NOTIFY_CONNECTION, on_connection, s,
                MHD_OPTION_UNESCAPE_CALLBACK, unescape_nothing, s,
                MHD_OPTION_STRICT_FOR_CLIENT, (int) 1,
                MHD_OPTION_END);
        if (!s->daemon) {
                ticket_key_free(s);
                conn_guard_free(s->guard);
                free(s->stream_dir);
                free(s);
                return error_set(err, ERROR_IO,
                                 "cannot start the HTTPS server on %s port %u (address in use, "
                                 "not permitted, or the TLS certificate or key was refused; "
                                 "see the microhttpd message above)",
                                 o->listen, (unsigned) o->port);
        }
        *out = s;
        return 0;
}

uint16_t http_server_port(const struct http_server *s) {
        const union MHD_DaemonInfo *di = MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_BIND_PORT);
        return di ? di->port : 0;
}

void http_server_quiesce(struct http_server *s) {
        /* The flag first: from here on no request starts (on_request reads it
         * after counting itself in flight). */
        atomic_store(&s->draining, true);
        /* Tests widen the window between the flag and the connection guard's
         * drain, where only the flag stops a request (tests/e2e/shutdown.sh). */
        fault_point("http.quiesce.guard", NULL);
        if (s->quiesced_fd == MHD_INVALID_SOCKET) {
                s->quiesced_fd = MHD_quiesce_daemon(s->daemon);
                /* libmicrohttpd's threads may still hold the descriptor, so it is
                 * closed only after they stop; shutting it down now makes new
                 * clients see a refusal at once instead of waiting in the backlog. */
                if (s->quiesced_fd != MHD_INVALID_SOCKET)
                        shutdown(s->quiesced_fd, SHUT_RDWR);
        }
        conn_guard_drain(s->guard);
}

void http_server_close_handlers(struct http_server *s) {
        atomic_store(&s->handlers_closed, true);
}

unsigned http_server_handlers_running(const struct http_server *s) {
        return atomic_load(&((struct http_server *) s)->handlers_running);
}

unsigned http_server_in_flight(const struct http_server *s) {
        return atomic_load(&((struct http_server *) s)->in_flight);
}

void http_server_stop(struct http_server *s) {
        if (!s)
                return;
        MHD_stop_daemon(s->daemon);
        /* After the daemon: it reports each connection closed to the guard. */
        conn_guard_free(s->guard);
        if (s->quiesced_fd != MHD_INVALID_SOCKET)
                close(s->quiesced_fd);
        ticket_key_free(s);
        free(s->stream_dir);
        free(s);
}

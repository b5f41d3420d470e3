/* SPDX-License-Identifier: Apache-2.0 */
#include "audit-query.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "core/cleanup.h"
#include "core/strutil.h"
#include "core/time.h"
#include "crypto/percent.h"

static const char *const audit_query_keys[] = { "object", "actor", "since", "until", "after", "limit" };

void audit_query_clear(struct audit_query *q) {
        free(q->object);
        free(q->actor);
        memset(q, 0, sizeof(*q));
}

static int decode_value(const char *key, const char *raw, char **out, struct error *err) {
        if (!raw || !raw[0])
                return error_set(err, ERROR_INVALID, "query parameter '%s': missing value", key);
        enum percent_result r = percent_decode(raw, strlen(raw), out);
        if (r != PERCENT_OK)
                return error_set(err, ERROR_INVALID, "query parameter '%s': %s", key,
                                 percent_result_describe(r));
        if (strlen(*out) > AUDIT_QUERY_MAX_VALUE) {
                free(steal_ptr(*out));
                return error_set(err, ERROR_INVALID, "query parameter '%s': longer than %d bytes",
                                 key, AUDIT_QUERY_MAX_VALUE);
        }
        return 0;
}

static int parse_time(const char *key, const char *v, int64_t *out, struct error *err) {
        struct error perr = {0};
        if (time_parse_rfc3339(v, out, &perr) < 0)
                return error_set(err, ERROR_INVALID,
                                 "query parameter '%s': expected an RFC 3339 time such as 2026-11-21T10:00:00Z (%s)",
                                 key, perr.msg);
        return 0;
}

static int apply(struct audit_query *q, const char *key, const char *v, struct error *err) {
        int64_t n;
        if (str_eq(key, "object")) {
                q->object = str_dup(v);
                q->filter.object = q->object;
        } else if (str_eq(key, "actor")) {
                q->actor = str_dup(v);
                q->filter.actor = q->actor;
        } else if (str_eq(key, "since")) {
                if (parse_time(key, v, &q->filter.since, err) < 0)
                        return -1;
        } else if (str_eq(key, "until")) {
                if (parse_time(key, v, &q->filter.until, err) < 0)
                        return -1;
        } else if (str_eq(key, "after")) {
                if (str_to_int64(v, 0, INT64_MAX, &n) < 0)
                        return error_set(err, ERROR_INVALID,
                                         "query parameter 'after': expected a sequence number >= 0, got '%s'", v);
                q->filter.after_seq = n;
        } else if (str_eq(key, "limit")) {
                if (str_to_int64(v, 1, AUDIT_QUERY_MAX_LIMIT, &n) < 0)
                        return error_set(err, ERROR_INVALID,
                                         "query parameter 'limit': expected an integer from 1 to %d, got '%s'",
                                         AUDIT_QUERY_MAX_LIMIT, v);
                q->filter.limit = (size_t) n;
        }
        return 0;
}

int audit_query_parse(const struct http_query_param *params, size_t n, struct audit_query *out,
                      struct error *err) {
        bool seen[ELEMENTSOF(audit_query_keys)] = {0};
        memset(out, 0, sizeof(*out));
        out->filter.limit = AUDIT_QUERY_DEFAULT_LIMIT;

        for (size_t i = 0; i < n; i++) {
                _cleanup_free_ char *key = NULL, *value = NULL;
                if (percent_decode(params[i].key, strlen(params[i].key), &key) != PERCENT_OK) {
                        audit_query_clear(out);
                        return error_set(err, ERROR_INVALID, "query parameter name %zu: %s", i + 1,
                                         "invalid percent-encoding or not valid text");
                }
                size_t k;
                for (k = 0; k < ELEMENTSOF(audit_query_keys); k++)
                        if (str_eq(key, audit_query_keys[k]))
                                break;
                if (k == ELEMENTSOF(audit_query_keys)) {
                        audit_query_clear(out);
                        return error_set(err, ERROR_INVALID,
                                         "unknown query parameter '%.64s'; allowed: object, actor, since, until, after, limit",
                                         key);
                }
                if (seen[k]) {
                        audit_query_clear(out);
                        return error_set(err, ERROR_INVALID, "query parameter '%s' given more than once",
                                         key);
                }
                seen[k] = true;
                if (decode_value(key, params[i].value, &value, err) < 0 ||
                    apply(out, key, value, err) < 0) {
                        audit_query_clear(out);
                        return -1;
                }
        }
        if (seen[2] && seen[3] && out->filter.until < out->filter.since) {
                audit_query_clear(out);
                return error_set(err, ERROR_INVALID,
                                 "query parameter 'until': earlier than 'since'");
        }
        return 0;
}

int http_query_split(char *buf, struct http_query_param **params_out, size_t *n_out,
                     size_t max_params, struct error *err) {
        struct http_query_param *params = NULL;
        size_t n = 0;
        char *p = buf;
        *params_out = NULL;
        *n_out = 0;
        while (p && *p) {
                char *amp = strchr(p, '&');
                if (amp)
                        *amp = '\0';
                if (*p) {
                        if (n >= max_params) {
                                free(params);
                                return error_set(err, ERROR_INVALID,
                                                 "query string: more than %zu parameters", max_params);
                        }
                        for (char *c = p; *c; c++)
                                if (*c == '+')
                                        *c = ' ';
                        char *eq = strchr(p, '=');
                        if (eq)
                                *eq = '\0';
                        params = xrealloc(params, (n + 1) * sizeof(*params));
                        params[n++] = (struct http_query_param) { .key = p, .value = eq ? eq + 1 : NULL };
                }
                p = amp ? amp + 1 : NULL;
        }
        *params_out = params;
        *n_out = n;
        return 0;
}

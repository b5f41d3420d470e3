/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "core/error.h"

/* Formats into a scratch buffer first: callers may pass err->msg itself as
 * an argument ("%s", err->msg), and vsnprintf into overlapping memory is
 * undefined. */
int error_setv(struct error *err, enum error_kind kind, const char *fmt, va_list ap) {
        char tmp[ERROR_MSG_MAX];

        if (!err)
                return -1;
        vsnprintf(tmp, sizeof(tmp), fmt, ap);
        err->kind = kind;
        memcpy(err->msg, tmp, sizeof(tmp));
        return -1;
}

int error_set(struct error *err, enum error_kind kind, const char *fmt, ...) {
        va_list ap;

        va_start(ap, fmt);
        error_setv(err, kind, fmt, ap);
        va_end(ap);
        return -1;
}

int error_set_errno(struct error *err, enum error_kind kind, int errnum, const char *fmt, ...) {
        char tmp[ERROR_MSG_MAX], ebuf[128];
        va_list ap;

        if (!err)
                return -1;
        va_start(ap, fmt);
        vsnprintf(tmp, sizeof(tmp), fmt, ap);
        va_end(ap);
        if (errnum < 0)
                errnum = -errnum;
        if (errnum == ENOSPC || errnum == EDQUOT)
                kind = ERROR_NO_SPACE;
        /* GNU strerror_r: thread-safe, returns a pointer that may not be ebuf. */
        const char *e = strerror_r(errnum, ebuf, sizeof(ebuf));
        return error_set(err, kind, "%s: %s", tmp, e);
}

int error_prefix(struct error *err, const char *fmt, ...) {
        char prefix[ERROR_MSG_MAX];
        va_list ap;

        if (!err)
                return -1;
        va_start(ap, fmt);
        vsnprintf(prefix, sizeof(prefix), fmt, ap);
        va_end(ap);
        if (err->kind == ERROR_NONE)
                err->kind = ERROR_INTERNAL; /* prefixing nothing is a caller bug */
        return error_set(err, err->kind, "%s%s", prefix, err->msg);
}

void error_clear(struct error *err) {
        if (!err)
                return;
        err->kind = ERROR_NONE;
        err->msg[0] = '\0';
}

bool error_is_set(const struct error *err) {
        return err && err->kind != ERROR_NONE;
}

const char *error_kind_name(enum error_kind kind) {
        /* These names are part of the API (problem type URNs, docs/openapi.json). */
        static const char *const names[_ERROR_KIND_MAX] = {
                [ERROR_NONE] = "none",
                [ERROR_INVALID] = "invalid",
                [ERROR_NOT_FOUND] = "not-found",
                [ERROR_CONFLICT] = "conflict",
                [ERROR_UNAUTHENTICATED] = "unauthenticated",
                [ERROR_FORBIDDEN] = "forbidden",
                [ERROR_TOO_LARGE] = "too-large",
                [ERROR_RATE_LIMITED] = "rate-limited",
                [ERROR_UNSUPPORTED] = "unsupported",
                [ERROR_IO] = "io",
                [ERROR_DB] = "db",
                [ERROR_CRYPTO] = "crypto",
                [ERROR_INTERNAL] = "internal",
                [ERROR_UNAVAILABLE] = "unavailable",
                [ERROR_NO_SPACE] = "insufficient-storage",
                [ERROR_GONE] = "gone",
        };

        if ((unsigned) kind >= _ERROR_KIND_MAX || !names[kind])
                return "internal";
        return names[kind];
}

/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/*
 * Errors that a person can act on. Every fallible libcradle function takes a
 * `struct error *` (may be NULL) and returns 0 or a negative value; on failure
 * the error holds a kind (which decides the HTTP status or exit code) and a
 * message that names the input and what is wrong with it.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

enum error_kind {
        ERROR_NONE = 0,
        ERROR_INVALID,          /* the caller's input is wrong (400) */
        ERROR_NOT_FOUND,        /* no such object (404) */
        ERROR_CONFLICT,         /* exists already / state does not allow it (409) */
        ERROR_UNAUTHENTICATED,  /* no or bad credential (401) */
        ERROR_FORBIDDEN,        /* credential valid, not allowed (403) */
        ERROR_TOO_LARGE,        /* input over a size limit (413) */
        ERROR_RATE_LIMITED,     /* slow down (429) */
        ERROR_UNSUPPORTED,      /* media type or feature not supported (415) */
        ERROR_IO,               /* file system */
        ERROR_DB,               /* database */
        ERROR_CRYPTO,           /* crypto library failure */
        ERROR_INTERNAL,         /* broken invariant that did not justify abort */
        ERROR_UNAVAILABLE,      /* temporarily unavailable (503) */
        ERROR_NO_SPACE,         /* the disk (file or database) is full: writes fail, reads work (507) */
        ERROR_GONE,             /* the object existed and is no longer available (410): a closed DDI action */
        _ERROR_KIND_MAX,
};

#define ERROR_MSG_MAX 512

struct error {
        enum error_kind kind;
        char msg[ERROR_MSG_MAX];
};

/* Sets kind and message (printf-style) and returns -1 so callers can
 * `return error_set(err, ERROR_INVALID, "...")`. `err` may be NULL. */
int error_set(struct error *err, enum error_kind kind, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));
int error_setv(struct error *err, enum error_kind kind, const char *fmt, va_list ap)
        __attribute__((format(printf, 3, 0)));

/* Like error_set, appending ": strerror(errnum)". ENOSPC and EDQUOT make the
 * kind ERROR_NO_SPACE whatever `kind` says: a full disk is one condition,
 * whichever write met it, and the operator must learn it is that. */
int error_set_errno(struct error *err, enum error_kind kind, int errnum, const char *fmt, ...)
        __attribute__((format(printf, 4, 5)));

/* Prepends context ("config.ini:12: ") to an error already set. Returns -1. */
int error_prefix(struct error *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

void error_clear(struct error *err);
bool error_is_set(const struct error *err);

/* Stable short name of a kind ("invalid", "not-found", ...), used in problem types. */
const char *error_kind_name(enum error_kind kind);

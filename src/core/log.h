/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/*
 * Logging: readable text when stderr is a terminal, one JSON object per line
 * for services (journald, log shippers). Callers never pass secrets; the
 * request id, when known, is carried in every line.
 */
#include <stdbool.h>
#include "core/error.h"

enum log_level { LOG_LEVEL_DEBUG, LOG_LEVEL_INFO, LOG_LEVEL_WARN, LOG_LEVEL_ERROR };
enum log_format { LOG_FORMAT_AUTO, LOG_FORMAT_TEXT, LOG_FORMAT_JSON };

/* Process-wide configuration, set once at start-up (the only global state). */
void log_setup(enum log_level min_level, enum log_format format);
int log_level_parse(const char *s, enum log_level *out, struct error *err);
int log_format_parse(const char *s, enum log_format *out, struct error *err);

/* request_id may be NULL. Message is printf-style. Thread-safe: each line is
 * written with a single write(2). */
void log_msg(enum log_level level, const char *request_id, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

#define log_debug(...) log_msg(LOG_LEVEL_DEBUG, NULL, __VA_ARGS__)
#define log_info(...) log_msg(LOG_LEVEL_INFO, NULL, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_LEVEL_WARN, NULL, __VA_ARGS__)
#define log_error(...) log_msg(LOG_LEVEL_ERROR, NULL, __VA_ARGS__)

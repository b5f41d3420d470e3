/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/*
 * Turning an HTTP error response into what the operator reads and the exit
 * code a script tests. RFC 9457 problem documents print as
 * "error: <title>: <detail>" plus the request id (to quote to whoever runs
 * the server); anything else prints the status and the URL.
 */
#include <stddef.h>

/* 4xx -> CLI_EXIT_REFUSED; 5xx and anything else -> CLI_EXIT_SERVER. */
int cli_problem_exit_code(long status);

/* Message lines (each ending in '\n') for a non-2xx response. `body` may be
 * NULL; `request_id_header` is X-Request-Id if the server sent one. Server
 * text is sanitised for the terminal. */
char *cli_problem_format(long status, const char *content_type, const char *body, size_t len,
                         const char *request_id_header, const char *method, const char *url);

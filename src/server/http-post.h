/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/*
 * One outgoing HTTP POST of a JSON body, for the server's own notifications:
 * case and end-of-support webhooks (case-reminders.c) and the audit
 * checkpoint witness URL (audit-checkpointer.c). The same rules for both:
 * http and https only, no redirects followed (a 3xx is a failure: a witness
 * or webhook that moved is reconfigured, not chased), 5 s to connect, 15 s
 * in all, the response body discarded. Callers keep their own retry queues.
 */
#include <stddef.h>

/* POSTs `body` (Content-Type: application/json) with the extra header lines
 * in `headers` (NULL-terminated, may be NULL). 0 on a 2xx answer; otherwise
 * -1 with why ("HTTP 503", curl's message) in why[why_size]. */
int server_http_post_json(const char *url, const char *body, const char *const *headers, char *why,
                          size_t why_size);

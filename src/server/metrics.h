/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/*
 * Request metrics in the Prometheus text exposition format (version 0.0.4):
 *   cradle_http_requests_total{route,method,status}       counter
 *   cradle_http_request_duration_seconds{route}            histogram
 *   cradle_http_open_connections                           gauge
 *   cradle_http_connections_ended_total{reason}            counter: closed by the
 *       server's connection guard (header_timeout, body_too_slow, evicted, drained)
 *   cradle_tls_sessions_total{resumed}                     counter: TLS connections that
 *       carried a request, by whether the session was resumed ("true") or
 *       came from a full handshake ("false")
 *   cradle_build_info{version}                             gauge, always 1
 *   cradle_campaigns{status}, cradle_campaign_devices{campaign,state},
 *   cradle_campaign_wave{campaign}                          gauges, set by the
 *       campaign evaluator each round (campaign/campaign.h)
 *   cradle_findings{state,severity}, cradle_findings_created_total,
 *   cradle_findings_exploited                            set by the vulnerability
 *       monitor each round (vuln/findings.h)
 * Labels come from bounded sets: `route` is a route pattern from the route
 * table (or "unmatched"), never a raw path; unknown methods are counted as
 * "OTHER". Owned by the server; all functions are thread-safe.
 */
#include <stdbool.h>
#include <stdint.h>

struct metrics;

#define METRICS_ROUTE_UNMATCHED "unmatched"
/* Caps that keep a misbehaving caller from growing the table without bound;
 * observations beyond them are dropped. */
#define METRICS_MAX_ROUTES 128
#define METRICS_MAX_SERIES 2048

struct metrics *metrics_new(const char *version);
void metrics_free(struct metrics *m);

void metrics_observe_request(struct metrics *m, const char *route, const char *method,
                             unsigned status, int64_t duration_usec);
void metrics_connection_opened(struct metrics *m);
void metrics_connection_closed(struct metrics *m);
/* The connection guard ended a connection; `reason` is one of the four above. */
void metrics_connection_ended(struct metrics *m, const char *reason);

/* A TLS connection's first request: was its session resumed? */
void metrics_tls_session(struct metrics *m, bool resumed);
/* Replaces the campaign gauges' exposition text (stolen; NULL = none). */
void metrics_set_campaigns(struct metrics *m, char *text);
/* Replaces the findings gauges' text (vuln/findings.h; stolen; NULL = none). */
void metrics_set_findings(struct metrics *m, char *text);
/* Replaces the Art. 14 clock gauges (cradle_case_clocks{status}; stolen; NULL = none). */
void metrics_set_cases(struct metrics *m, char *text);

/* Heap string with the whole exposition, series sorted by label values. */
char *metrics_render(struct metrics *m);

/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/* Time as the API shows it: RFC 3339 in UTC with a 'Z', second precision. */
#include <stdint.h>
#include "core/error.h"

#define TIME_RFC3339_LEN 21 /* "2026-11-21T10:00:00Z" + NUL */
#define TIME_DATE_LEN 11    /* "2026-11-21" + NUL */

int64_t time_now(void);              /* seconds since the epoch, UTC (CLOCK_REALTIME) */
int64_t time_monotonic_usec(void);   /* for durations */
/* Formats seconds since the epoch. */
void time_format_rfc3339(int64_t t, char out[TIME_RFC3339_LEN]);
void time_format_date(int64_t t, char out[TIME_DATE_LEN]);
/* Parses "YYYY-MM-DDTHH:MM:SS[.frac](Z|+hh:mm|-hh:mm)", validating every field
 * (month 1-12, day within month incl. leap years, hour < 24, ...). */
int time_parse_rfc3339(const char *s, int64_t *out, struct error *err);
/* Parses a calendar date "YYYY-MM-DD" to midnight UTC. */
int time_parse_date(const char *s, int64_t *out, struct error *err);
/* Adds whole calendar years to a date (Feb 29 -> Feb 28 when needed). */
int64_t time_add_years(int64_t t, int years);

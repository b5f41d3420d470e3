/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/*
 * The CRA Art. 14 clocks (issue 10 section 2). Pure arithmetic on UTC
 * epoch seconds: no store, no clock reads, so the table test pins every
 * edge (midnight, month ends, leap days) and reminders and reports agree.
 *
 * Two times per deadline:
 *  - due: the conservative one that drives reminders: exactly +24 h, +72 h,
 *    +14 days (x 86400 s) or one calendar month (same time of day; the last
 *    day of a shorter month);
 *  - latest: the last second still inside the period when counted under
 *    Regulation (EEC, Euratom) No 1182/71 Art. 3 (docs/reporting.md has the
 *    rule worked out): the hour or day of the event is not counted (3(1)), a
 *    period ends with the expiry of its last hour or day (3(2)), and a period
 *    in days or months whose last day is a Saturday or Sunday ends with the
 *    following Monday (3(4); public holidays are not known to Cradle and do
 *    not extend it, which keeps the figure on the safe side).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum case_clock_name {
        CASE_CLOCK_EARLY_WARNING = 0, /* Art. 14(2)(a) / 14(4)(a): 24 h */
        CASE_CLOCK_NOTIFICATION,      /* Art. 14(2)(b) / 14(4)(b): 72 h */
        CASE_CLOCK_FINAL,             /* Art. 14(2)(c): fix + 14 days; 14(4)(c): notification + 1 month */
        CASE_CLOCK_N,
};

enum case_clock_track { CASE_TRACK_VULNERABILITY = 0, CASE_TRACK_INCIDENT };

/* "early_warning", "notification", "final_report"; "vulnerability", "incident". */
const char *case_clock_name_str(enum case_clock_name c);
const char *case_clock_track_str(enum case_clock_track t);

/* What the clocks are computed from. Submission times are 0 when not yet submitted. */
struct case_clock_input {
        bool exploited;                  /* actively exploited vulnerability: the vulnerability track */
        bool severe_incident;            /* the incident track */
        int64_t aware_at;                /* 0: no clock runs */
        int64_t fix_available_at;        /* corrective or mitigating measure available (0: not yet) */
        int64_t submitted_at[CASE_CLOCK_N]; /* per report, when it was submitted */
};

struct case_clock {
        enum case_clock_track track;
        enum case_clock_name name;
        bool known;          /* false: cannot be computed yet (final report before a fix is available) */
        bool provisional;    /* incident final from the notification's due time: not yet submitted */
        int64_t start;       /* the event the period runs from */
        int64_t due;         /* conservative due time */
        int64_t latest;      /* last second inside the period under Reg. 1182/71 Art. 3 */
        int64_t submitted_at;
        const char *basis;   /* what it counts from, for people ("awareness + 24 h") */
};

/* Up to 2 x CASE_CLOCK_N clocks (a vulnerability track, then an incident
 * track) for the flags set; none without aware_at. Returns the count. */
size_t case_clocks_compute(const struct case_clock_input *in, struct case_clock out[2 * CASE_CLOCK_N]);

/* The earliest due time among clocks that are known and not submitted (0: none). */
int64_t case_clocks_next_due(const struct case_clock *c, size_t n, const struct case_clock **which);

/* Adds one calendar month at the same time of day; the last day of the
 * target month when it is shorter (31 Jan -> 28/29 Feb). */
int64_t case_clock_add_month(int64_t t);

/* The Art. 3 latest moment of a period of `hours` hours, or `days` days, or
 * `months` months (exactly one of them non-zero) from event time t. */
int64_t case_clock_latest_hours(int64_t t, int hours);
int64_t case_clock_latest_days(int64_t t, int days);
int64_t case_clock_latest_months(int64_t t, int months);

/* Seconds by which a submission missed its due time (0: on time or early);
 * submitted_at 0 means not submitted: then measured against `now`. */
int64_t case_clock_lateness(int64_t due, int64_t submitted_at, int64_t now);
/* "3 d 4 h 5 min", "45 s", "0 s". */
void case_clock_format_duration(int64_t seconds, char *out, size_t size);

/* How far through [start, due] `now` is, in per mille (0..1000, more when overdue). */
int case_clock_progress_permille(const struct case_clock *c, int64_t now);

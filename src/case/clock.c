/* SPDX-License-Identifier: Apache-2.0 */
/* The Art. 14 clocks (clock.h). All arithmetic in UTC on epoch seconds. */
#include "case/clock.h"

#include <stdio.h>

#define HOUR 3600
#define DAY 86400

const char *case_clock_name_str(enum case_clock_name c) {
        switch (c) {
        case CASE_CLOCK_EARLY_WARNING:
                return "early_warning";
        case CASE_CLOCK_NOTIFICATION:
                return "notification";
        case CASE_CLOCK_FINAL:
                return "final_report";
        default:
                return "?";
        }
}

const char *case_clock_track_str(enum case_clock_track t) {
        return t == CASE_TRACK_INCIDENT ? "incident" : "vulnerability";
}

/* Floor division: correct for times before 1970 too. */
static int64_t floor_to(int64_t t, int64_t unit) {
        int64_t q = t / unit;
        if (t % unit < 0)
                q--;
        return q * unit;
}

/* Civil date <-> days since 1970-01-01 (proleptic Gregorian; H. Hinnant's algorithms). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
        y -= m <= 2;
        int64_t era = (y >= 0 ? y : y - 399) / 400;
        unsigned yoe = (unsigned) (y - era * 400);
        unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
        unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        return era * 146097 + (int64_t) doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d) {
        z += 719468;
        int64_t era = (z >= 0 ? z : z - 146096) / 146097;
        unsigned doe = (unsigned) (z - era * 146097);
        unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
        int64_t yy = (int64_t) yoe + era * 400;
        unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        unsigned mp = (5 * doy + 2) / 153;
        *d = doy - (153 * mp + 2) / 5 + 1;
        *m = mp < 10 ? mp + 3 : mp - 9;
        *y = yy + (*m <= 2);
}

static unsigned days_in_month(int64_t y, unsigned m) {
        static const unsigned dm[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
        if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
                return 29;
        return dm[m - 1];
}

/* Same day-of-month `months` later (clamped to the month's last day), as days since the epoch. */
static int64_t day_add_months(int64_t day, int months) {
        int64_t y;
        unsigned m, d;
        civil_from_days(day, &y, &m, &d);
        int64_t mi = (int64_t) m - 1 + months;
        y += mi >= 0 ? mi / 12 : (mi - 11) / 12;
        mi = ((mi % 12) + 12) % 12;
        unsigned nm = (unsigned) mi + 1;
        unsigned dim = days_in_month(y, nm);
        return days_from_civil(y, nm, d > dim ? dim : d);
}

int64_t case_clock_add_month(int64_t t) {
        int64_t day0 = floor_to(t, DAY);
        return day_add_months(day0 / DAY, 1) * DAY + (t - day0);
}

/* Art. 3(4): a period in days/months ending on a Saturday or Sunday ends
 * with the next working day. 1970-01-01 was a Thursday. */
static int64_t skip_weekend(int64_t last_day) {
        int64_t wd = ((last_day % 7) + 7 + 3) % 7; /* 0 = Monday ... 5 = Saturday, 6 = Sunday */
        if (wd == 5)
                return last_day + 2;
        if (wd == 6)
                return last_day + 1;
        return last_day;
}

/* Art. 3(1) first subparagraph and 3(2)(a): the hour of the event is not
 * counted; the period starts at the next full hour and ends with the expiry
 * of its last hour. */
int64_t case_clock_latest_hours(int64_t t, int hours) {
        return floor_to(t, HOUR) + (int64_t) (hours + 1) * HOUR - 1;
}

/* Art. 3(1) second subparagraph, 3(2)(b) and 3(4): the day of the event is
 * not counted; the period ends with the expiry of the last hour of its last
 * day, moved past a weekend. */
int64_t case_clock_latest_days(int64_t t, int days) {
        int64_t last_day = floor_to(t, DAY) / DAY + days;
        return (skip_weekend(last_day) + 1) * DAY - 1;
}

/* Art. 3(2)(c): ends with the expiry of the last hour of the day in the last
 * month with the same date as the event's day, or the month's last day when
 * there is none; then 3(4). */
int64_t case_clock_latest_months(int64_t t, int months) {
        int64_t last_day = day_add_months(floor_to(t, DAY) / DAY, months);
        return (skip_weekend(last_day) + 1) * DAY - 1;
}

static struct case_clock clock_hours(enum case_clock_track track, enum case_clock_name name, int64_t aware,
                                     int hours, const char *basis) {
        return (struct case_clock){.track = track,
                                   .name = name,
                                   .known = true,
                                   .start = aware,
                                   .due = aware + (int64_t) hours * HOUR,
                                   .latest = case_clock_latest_hours(aware, hours),
                                   .basis = basis};
}

size_t case_clocks_compute(const struct case_clock_input *in, struct case_clock out[2 * CASE_CLOCK_N]) {
        size_t n = 0;
        if (!in->aware_at)
                return 0;
        if (in->exploited) {
                out[n++] = clock_hours(CASE_TRACK_VULNERABILITY, CASE_CLOCK_EARLY_WARNING, in->aware_at, 24,
                                       "awareness + 24 h");
                out[n++] = clock_hours(CASE_TRACK_VULNERABILITY, CASE_CLOCK_NOTIFICATION, in->aware_at, 72,
                                       "awareness + 72 h");
                /* Art. 14(2)(c): from the measure's availability, never from awareness. */
                struct case_clock f = {.track = CASE_TRACK_VULNERABILITY,
                                       .name = CASE_CLOCK_FINAL,
                                       .basis = "corrective or mitigating measure available + 14 days"};
                if (in->fix_available_at) {
                        f.known = true;
                        f.start = in->fix_available_at;
                        f.due = in->fix_available_at + 14 * DAY;
                        f.latest = case_clock_latest_days(in->fix_available_at, 14);
                }
                out[n++] = f;
        }
        if (in->severe_incident) {
                out[n++] = clock_hours(CASE_TRACK_INCIDENT, CASE_CLOCK_EARLY_WARNING, in->aware_at, 24,
                                       "awareness + 24 h");
                struct case_clock nt = clock_hours(CASE_TRACK_INCIDENT, CASE_CLOCK_NOTIFICATION, in->aware_at, 72,
                                                   "awareness + 72 h");
                out[n++] = nt;
                /* Art. 14(4)(c): one month after the notification was submitted; until
                 * then, provisionally from its due time. */
                int64_t from = in->submitted_at[CASE_CLOCK_NOTIFICATION];
                struct case_clock f = {.track = CASE_TRACK_INCIDENT,
                                       .name = CASE_CLOCK_FINAL,
                                       .known = true,
                                       .basis = "72 h notification submitted + 1 month"};
                if (!from) {
                        from = nt.due;
                        f.provisional = true;
                        f.basis = "72 h notification not yet submitted: provisional, its due time + 1 month";
                }
                f.start = from;
                f.due = case_clock_add_month(from);
                f.latest = case_clock_latest_months(from, 1);
                out[n++] = f;
        }
        for (size_t i = 0; i < n; i++)
                out[i].submitted_at = in->submitted_at[out[i].name];
        return n;
}

int64_t case_clocks_next_due(const struct case_clock *c, size_t n, const struct case_clock **which) {
        int64_t best = 0;
        if (which)
                *which = NULL;
        for (size_t i = 0; i < n; i++) {
                if (!c[i].known || c[i].submitted_at)
                        continue;
                if (!best || c[i].due < best) {
                        best = c[i].due;
                        if (which)
                                *which = &c[i];
                }
        }
        return best;
}

int64_t case_clock_lateness(int64_t due, int64_t submitted_at, int64_t now) {
        int64_t at = submitted_at ? submitted_at : now;
        return at > due ? at - due : 0;
}

void case_clock_format_duration(int64_t s, char *out, size_t size) {
        if (s < 0)
                s = -s;
        int64_t d = s / DAY, h = (s % DAY) / HOUR, m = (s % HOUR) / 60, sec = s % 60;
        if (d)
                snprintf(out, size, "%lld d %lld h %lld min", (long long) d, (long long) h, (long long) m);
        else if (h)
                snprintf(out, size, "%lld h %lld min", (long long) h, (long long) m);
        else if (m)
                snprintf(out, size, "%lld min %lld s", (long long) m, (long long) sec);
        else
                snprintf(out, size, "%lld s", (long long) sec);
}

int case_clock_progress_permille(const struct case_clock *c, int64_t now) {
        if (!c->known || now <= c->start)
                return 0;
        int64_t span = c->due - c->start;
        if (span <= 0)
                return 1000 + 1;
        int64_t p = (now - c->start) * 1000 / span;
        return p > 1000000 ? 1000000 : (int) p;
}

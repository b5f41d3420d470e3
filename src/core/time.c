/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Time in the one form the API uses: RFC 3339 in UTC, second precision. The
 * parser validates every field itself instead of trusting timegm(), which
 * silently normalises "February 30" to March 2.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/strutil.h"
#include "core/time.h"

/* The formatter's output has a fixed width; times outside these years are
 * clamped so the buffer can never overflow. */
#define YEAR_MIN 0
#define YEAR_MAX 9999

int64_t time_now(void) {
        struct timespec ts;

        if (clock_gettime(CLOCK_REALTIME, &ts) < 0)
                abort(); /* cannot fail with a valid clock id */
        return (int64_t) ts.tv_sec;
}

int64_t time_monotonic_usec(void) {
        struct timespec ts;

        if (clock_gettime(CLOCK_MONOTONIC, &ts) < 0)
                abort();
        return (int64_t) ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static bool is_leap_year(int y) {
        return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(int y, int m) {
        static const int days[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
        return m == 2 && is_leap_year(y) ? 29 : days[m - 1];
}

/* gmtime_r, with the result clamped to [0000-01-01, 9999-12-31T23:59:59]. */
static void to_tm_clamped(int64_t t, struct tm *tm) {
        /* 0000-01-01T00:00:00Z and 9999-12-31T23:59:59Z */
        const int64_t lo = -62167219200LL, hi = 253402300799LL;
        time_t tt;

        if (t < lo)
                t = lo;
        if (t > hi)
                t = hi;
        tt = (time_t) t;
        if (!gmtime_r(&tt, tm))
                abort(); /* in range by construction */
}

/* Writes v as exactly n decimal digits (v is within range by construction). */
static char *put_digits(char *p, int v, int n) {
        for (int i = n - 1; i >= 0; i--) {
                p[i] = (char) ('0' + v % 10);
                v /= 10;
        }
        return p + n;
}

/* strftime's %Y has no fixed width and snprintf cannot prove the output
 * fits, so the fixed layout is written by hand. */
static char *put_date(char *p, const struct tm *tm) {
        p = put_digits(p, tm->tm_year + 1900, 4);
        *p++ = '-';
        p = put_digits(p, tm->tm_mon + 1, 2);
        *p++ = '-';
        return put_digits(p, tm->tm_mday, 2);
}

void time_format_rfc3339(int64_t t, char out[TIME_RFC3339_LEN]) {
        struct tm tm;
        char *p;

        to_tm_clamped(t, &tm);
        p = put_date(out, &tm);
        *p++ = 'T';
        p = put_digits(p, tm.tm_hour, 2);
        *p++ = ':';
        p = put_digits(p, tm.tm_min, 2);
        *p++ = ':';
        p = put_digits(p, tm.tm_sec, 2);
        *p++ = 'Z';
        *p = '\0';
}

void time_format_date(int64_t t, char out[TIME_DATE_LEN]) {
        struct tm tm;

        to_tm_clamped(t, &tm);
        *put_date(out, &tm) = '\0';
}

/* Reads exactly n digits at *p; advances *p. */
static bool read_digits(const char **p, int n, int *out) {
        int v = 0;

        for (int i = 0; i < n; i++) {
                char c = (*p)[i];
                if (c < '0' || c > '9')
                        return false;
                v = v * 10 + (c - '0');
        }
        *p += n;
        *out = v;
        return true;
}

static bool expect(const char **p, char c) {
        if (**p != c)
                return false;
        (*p)++;
        return true;
}

static int invalid(struct error *err, const char *what, const char *s, const char *why) {
        char shown[48];

        str_sanitize(s, strlen(s), shown, sizeof(shown));
        return error_set(err, ERROR_INVALID, "invalid %s '%s': %s", what, shown, why);
}

/* Parses "YYYY-MM-DD" at *p and validates it. */
static int parse_date_part(const char **p, const char *what, const char *s, int *y, int *m,
                           int *d, struct error *err) {
        if (!read_digits(p, 4, y) || !expect(p, '-') || !read_digits(p, 2, m) ||
            !expect(p, '-') || !read_digits(p, 2, d))
                return invalid(err, what, s, "expected YYYY-MM-DD");
        if (*m < 1 || *m > 12)
                return invalid(err, what, s, "month must be 01-12");
        if (*d < 1 || *d > days_in_month(*y, *m)) {
                char why[64];
                snprintf(why, sizeof(why), "day %02d does not exist in %04d-%02d", *d, *y, *m);
                return invalid(err, what, s, why);
        }
        return 0;
}

static int64_t to_epoch(int y, int m, int d, int hh, int mm, int ss) {
        struct tm tm = {
                .tm_year = y - 1900, .tm_mon = m - 1, .tm_mday = d,
                .tm_hour = hh, .tm_min = mm, .tm_sec = ss,
        };
        /* Every field was validated, so timegm() has nothing to normalise. */
        return (int64_t) timegm(&tm);
}

int time_parse_rfc3339(const char *s, int64_t *out, struct error *err) {
        static const char what[] = "RFC 3339 time";
        const char *p = s;
        int y, mo, d, hh, mi, ss, off = 0;

        if (!s)
                return error_set(err, ERROR_INVALID, "missing %s", what);
        if (parse_date_part(&p, what, s, &y, &mo, &d, err) < 0)
                return -1;
        if (!expect(&p, 'T'))
                return invalid(err, what, s, "expected 'T' between date and time");
        if (!read_digits(&p, 2, &hh) || !expect(&p, ':') || !read_digits(&p, 2, &mi) ||
            !expect(&p, ':') || !read_digits(&p, 2, &ss))
                return invalid(err, what, s, "expected HH:MM:SS after 'T'");
        if (hh > 23)
                return invalid(err, what, s, "hour must be 00-23");
        if (mi > 59)
                return invalid(err, what, s, "minute must be 00-59");
        /* RFC 3339 allows :60 for a leap second, but POSIX time cannot
         * represent one, so such a time is refused rather than shifted. */
        if (ss > 59)
                return invalid(err, what, s, "second must be 00-59");

        if (*p == '.') {
                int n = 0;
                for (p++; *p >= '0' && *p <= '9'; p++)
                        n++;
                if (n == 0)
                        return invalid(err, what, s, "expected digits after '.'");
                if (n > 9)
                        return invalid(err, what, s, "more than 9 fractional digits");
                /* Second precision: the fraction is dropped (rounded down). */
        }

        if (*p == 'Z') {
                p++;
        } else if (*p == '+' || *p == '-') {
                int sign = *p == '-' ? -1 : 1, oh, om;
                p++;
                if (!read_digits(&p, 2, &oh) || !expect(&p, ':') || !read_digits(&p, 2, &om))
                        return invalid(err, what, s, "expected a zone offset +hh:mm or -hh:mm");
                if (oh > 23 || om > 59)
                        return invalid(err, what, s, "zone offset out of range");
                off = sign * (oh * 3600 + om * 60);
        } else {
                return invalid(err, what, s, "expected 'Z' or a zone offset after the time");
        }
        if (*p)
                return invalid(err, what, s, "unexpected characters after the time");

        *out = to_epoch(y, mo, d, hh, mi, ss) - off;
        return 0;
}

int time_parse_date(const char *s, int64_t *out, struct error *err) {
        static const char what[] = "date";
        const char *p = s;
        int y, m, d;

        if (!s)
                return error_set(err, ERROR_INVALID, "missing %s", what);
        if (parse_date_part(&p, what, s, &y, &m, &d, err) < 0)
                return -1;
        if (*p)
                return invalid(err, what, s, "unexpected characters after YYYY-MM-DD");
        *out = to_epoch(y, m, d, 0, 0, 0);
        return 0;
}

int64_t time_add_years(int64_t t, int years) {
        struct tm tm;
        time_t tt = (time_t) t;

        if (!gmtime_r(&tt, &tm))
                return t;
        tm.tm_year += years;
        /* A support period that starts on Feb 29 ends on Feb 28 in a common
         * year, not on March 1 as timegm() would normalise it. */
        if (tm.tm_mon == 1 && tm.tm_mday == 29 && !is_leap_year(tm.tm_year + 1900))
                tm.tm_mday = 28;
        return (int64_t) timegm(&tm);
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The Art. 14 clock table (issue 10 section 2): conservative due times and
 * the latest moments under Reg. 1182/71 Art. 3, in UTC. Expected values are
 * written out as text, worked out by hand (weekdays checked against a
 * calendar), not computed by the code under test.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "case/clock.h"
#include "core/time.h"

static int64_t T(const char *s) {
        int64_t t;
        struct error err = {0};
        if (time_parse_rfc3339(s, &t, &err) < 0)
                fail_msg("bad test time %s: %s", s, err.msg);
        return t;
}

static void assert_time(int64_t got, const char *want, const char *what) {
        char buf[TIME_RFC3339_LEN];
        time_format_rfc3339(got, buf);
        if (strcmp(buf, want) != 0)
                fail_msg("%s: got %s, want %s", what, buf, want);
}

struct row {
        const char *what;
        bool exploited, incident;
        const char *aware, *fix, *notified; /* notified: 72 h notification submitted (NULL: not yet) */
        /* per clock in the order computed: due, latest */
        const char *want[6][2];
        bool final_provisional;
};

static const struct row table[] = {
        {"awareness just before midnight on New Year's Eve; fix on a Saturday, 14 days end on a Saturday",
         true, false, "2026-12-31T23:59:30Z", "2027-01-02T10:00:00Z", NULL,
         {{"2027-01-01T23:59:30Z", "2027-01-01T23:59:59Z"},
          {"2027-01-03T23:59:30Z", "2027-01-03T23:59:59Z"},
          /* 2 Jan not counted; day 14 = Sat 16 Jan -> Art. 3(4): Monday 18 Jan */
          {"2027-01-16T10:00:00Z", "2027-01-18T23:59:59Z"}},
         false},
        {"month end: awareness on 31 January", true, false, "2026-01-31T10:15:00Z", NULL, NULL,
         {{"2026-02-01T10:15:00Z", "2026-02-01T10:59:59Z"},
          {"2026-02-03T10:15:00Z", "2026-02-03T10:59:59Z"}},
         false},
        {"incident: notification submitted 31 Jan 2027, one month ends 28 Feb (a Sunday)", false, true,
         "2027-01-29T12:00:00Z", NULL, "2027-01-31T12:00:00Z",
         {{"2027-01-30T12:00:00Z", "2027-01-30T12:59:59Z"},
          {"2027-02-01T12:00:00Z", "2027-02-01T12:59:59Z"},
          {"2027-02-28T12:00:00Z", "2027-03-01T23:59:59Z"}},
         false},
        {"incident: 31 Jan 2028 + 1 month is the leap day", false, true, "2028-01-29T08:00:00Z", NULL,
         "2028-01-31T07:00:00Z",
         {{"2028-01-30T08:00:00Z", "2028-01-30T08:59:59Z"},
          {"2028-02-01T08:00:00Z", "2028-02-01T08:59:59Z"},
          {"2028-02-29T07:00:00Z", "2028-02-29T23:59:59Z"}},
         false},
        {"leap day 2028-02-29: awareness the evening before, fix on the leap day", true, false,
         "2028-02-28T23:30:00Z", "2028-02-29T08:00:00Z", NULL,
         {{"2028-02-29T23:30:00Z", "2028-02-29T23:59:59Z"},
          {"2028-03-02T23:30:00Z", "2028-03-02T23:59:59Z"},
          {"2028-03-14T08:00:00Z", "2028-03-14T23:59:59Z"}},
         false},
        {"incident notified on the leap day", false, true, "2028-02-27T09:00:00Z", NULL, "2028-02-29T09:00:00Z",
         {{"2028-02-28T09:00:00Z", "2028-02-28T09:59:59Z"},
          {"2028-03-01T09:00:00Z", "2028-03-01T09:59:59Z"},
          {"2028-03-29T09:00:00Z", "2028-03-29T23:59:59Z"}},
         false},
        {"EU summer time starts 2026-03-29 01:00 UTC: still exactly 24 h / 72 h in UTC", true, false,
         "2026-03-28T01:30:00Z", NULL, NULL,
         {{"2026-03-29T01:30:00Z", "2026-03-29T01:59:59Z"},
          {"2026-03-31T01:30:00Z", "2026-03-31T01:59:59Z"}},
         false},
        {"EU summer time ends 2026-10-25 01:00 UTC", true, false, "2026-10-24T12:00:00Z", NULL, NULL,
         {{"2026-10-25T12:00:00Z", "2026-10-25T12:59:59Z"},
          {"2026-10-27T12:00:00Z", "2026-10-27T12:59:59Z"}},
         false},
        {"fix available before the 72 h notification: final from the fix, not from awareness", true, false,
         "2026-06-01T08:00:00Z", "2026-06-02T20:00:00Z", NULL,
         {{"2026-06-02T08:00:00Z", "2026-06-02T08:59:59Z"},
          {"2026-06-04T08:00:00Z", "2026-06-04T08:59:59Z"},
          {"2026-06-16T20:00:00Z", "2026-06-16T23:59:59Z"}},
         false},
        {"incident, notification not yet submitted: provisional final from its due time", false, true,
         "2026-09-11T06:00:00Z", NULL, NULL,
         {{"2026-09-12T06:00:00Z", "2026-09-12T06:59:59Z"},
          {"2026-09-14T06:00:00Z", "2026-09-14T06:59:59Z"},
          {"2026-10-14T06:00:00Z", "2026-10-14T23:59:59Z"}},
         true},
        {"awareness exactly on the hour: that hour is not counted either", true, false, "2026-07-01T10:00:00Z",
         NULL, NULL,
         {{"2026-07-02T10:00:00Z", "2026-07-02T10:59:59Z"},
          {"2026-07-04T10:00:00Z", "2026-07-04T10:59:59Z"}},
         false},
};

static void clock_table(void **state) {
        (void) state;
        for (size_t r = 0; r < sizeof(table) / sizeof(table[0]); r++) {
                const struct row *w = &table[r];
                struct case_clock_input in = {.exploited = w->exploited, .severe_incident = w->incident,
                                              .aware_at = T(w->aware)};
                if (w->fix)
                        in.fix_available_at = T(w->fix);
                if (w->notified)
                        in.submitted_at[CASE_CLOCK_NOTIFICATION] = T(w->notified);
                struct case_clock c[2 * CASE_CLOCK_N];
                size_t n = case_clocks_compute(&in, c);
                assert_int_equal(n, 3);
                for (size_t i = 0; i < n; i++) {
                        char what[300];
                        snprintf(what, sizeof(what), "%s: %s %s", w->what, case_clock_track_str(c[i].track),
                                 case_clock_name_str(c[i].name));
                        assert_int_equal(c[i].name, (enum case_clock_name) i);
                        if (!w->want[i][0]) {
                                /* a vulnerability's final report waits for the fix */
                                assert_int_equal(c[i].name, CASE_CLOCK_FINAL);
                                assert_false(c[i].known);
                                continue;
                        }
                        assert_true(c[i].known);
                        assert_time(c[i].due, w->want[i][0], what);
                        assert_time(c[i].latest, w->want[i][1], what);
                        assert_true(c[i].latest >= c[i].due);
                }
                assert_int_equal(c[2].provisional, w->final_provisional);
        }
}

static void final_counts_from_fix_not_awareness(void **state) {
        (void) state;
        struct case_clock_input in = {.exploited = true, .aware_at = T("2026-06-01T08:00:00Z"),
                                      .fix_available_at = T("2026-06-10T08:00:00Z")};
        struct case_clock c[6];
        assert_int_equal(case_clocks_compute(&in, c), 3);
        assert_time(c[2].due, "2026-06-24T08:00:00Z", "final");
        assert_true(c[2].due != in.aware_at + 14 * 86400);
}

static void exploited_only_after_triage(void **state) {
        (void) state;
        /* The case was opened on 1 May and triaged; nothing runs until exploitation is known. */
        struct case_clock_input in = {.exploited = false, .aware_at = 0};
        struct case_clock c[6];
        assert_int_equal(case_clocks_compute(&in, c), 0);
        in.aware_at = T("2026-05-01T00:00:00Z"); /* known, but not exploited: still no clock */
        assert_int_equal(case_clocks_compute(&in, c), 0);
        /* Exploitation learnt on 10 May: the clocks count from then, not from the case's creation. */
        in.exploited = true;
        in.aware_at = T("2026-05-10T14:20:00Z");
        assert_int_equal(case_clocks_compute(&in, c), 3);
        assert_time(c[0].due, "2026-05-11T14:20:00Z", "early warning");
        assert_time(c[1].due, "2026-05-13T14:20:00Z", "notification");
        assert_false(c[2].known);
        const struct case_clock *which;
        assert_int_equal(case_clocks_next_due(c, 3, &which), T("2026-05-11T14:20:00Z"));
        assert_int_equal(which->name, CASE_CLOCK_EARLY_WARNING);
        c[0].submitted_at = T("2026-05-11T09:00:00Z");
        assert_int_equal(case_clocks_next_due(c, 3, &which), T("2026-05-13T14:20:00Z"));
        assert_int_equal(which->name, CASE_CLOCK_NOTIFICATION);
}

static void both_tracks(void **state) {
        (void) state;
        struct case_clock_input in = {.exploited = true, .severe_incident = true,
                                      .aware_at = T("2026-12-05T03:00:00Z")};
        struct case_clock c[6];
        assert_int_equal(case_clocks_compute(&in, c), 6);
        assert_int_equal(c[0].track, CASE_TRACK_VULNERABILITY);
        assert_int_equal(c[3].track, CASE_TRACK_INCIDENT);
}

static void lateness(void **state) {
        (void) state;
        int64_t due = T("2026-09-14T06:00:00Z");
        assert_int_equal(case_clock_lateness(due, T("2026-09-14T05:00:00Z"), 0), 0);
        assert_int_equal(case_clock_lateness(due, due, 0), 0);
        assert_int_equal(case_clock_lateness(due, due + 1, 0), 1);
        assert_int_equal(case_clock_lateness(due, T("2026-09-15T10:00:00Z"), 0), 28 * 3600);
        /* not submitted: measured against now */
        assert_int_equal(case_clock_lateness(due, 0, due + 600), 600);
        char buf[64];
        case_clock_format_duration(28 * 3600, buf, sizeof(buf));
        assert_string_equal(buf, "1 d 4 h 0 min");
        case_clock_format_duration(45, buf, sizeof(buf));
        assert_string_equal(buf, "45 s");
        case_clock_format_duration(3 * 3600 + 120, buf, sizeof(buf));
        assert_string_equal(buf, "3 h 2 min");
}

static void month_arithmetic(void **state) {
        (void) state;
        assert_time(case_clock_add_month(T("2027-01-31T23:59:59Z")), "2027-02-28T23:59:59Z", "31 Jan 2027");
        assert_time(case_clock_add_month(T("2028-01-30T00:00:00Z")), "2028-02-29T00:00:00Z", "30 Jan 2028");
        assert_time(case_clock_add_month(T("2026-12-31T12:00:00Z")), "2027-01-31T12:00:00Z", "31 Dec");
        assert_time(case_clock_add_month(T("2026-03-31T12:00:00Z")), "2026-04-30T12:00:00Z", "31 Mar");
        assert_time(case_clock_add_month(T("2100-01-31T12:00:00Z")), "2100-02-28T12:00:00Z", "2100 no leap");
        assert_time(case_clock_add_month(T("2000-01-31T12:00:00Z")), "2000-02-29T12:00:00Z", "2000 leap");
}

static void progress(void **state) {
        (void) state;
        struct case_clock_input in = {.exploited = true, .aware_at = T("2026-06-01T00:00:00Z")};
        struct case_clock c[6];
        case_clocks_compute(&in, c);
        assert_int_equal(case_clock_progress_permille(&c[0], T("2026-06-01T12:00:00Z")), 500);
        assert_int_equal(case_clock_progress_permille(&c[0], T("2026-06-01T19:12:00Z")), 800);
        assert_int_equal(case_clock_progress_permille(&c[0], T("2026-06-02T00:00:00Z")), 1000);
        assert_true(case_clock_progress_permille(&c[0], T("2026-06-02T00:00:01Z")) > 1000 ||
                    case_clock_lateness(c[0].due, 0, T("2026-06-02T00:00:01Z")) == 1);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(clock_table),
                cmocka_unit_test(final_counts_from_fix_not_awareness),
                cmocka_unit_test(exploited_only_after_triage),
                cmocka_unit_test(both_tracks),
                cmocka_unit_test(lateness),
                cmocka_unit_test(month_arithmetic),
                cmocka_unit_test(progress),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

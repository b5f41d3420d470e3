/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/*
 * Art. 14 reminders (issue 10 section 3), evaluated by cradled's maintenance
 * thread (src/server/case-reminders.c), not when someone looks. For every
 * running clock (a case exploited or a severe incident, with awareness, not
 * closed/rejected/duplicate/not a vulnerability) and every configured point
 * (a share of the period between the clock's start and its conservative due
 * time, or "overdue" once the due time has passed), a reminder fires once:
 * a row in case_reminders, a security event "case.clock.reminder" (medium
 * below 80 %, high from 80 %, critical when overdue), a timeline entry, and,
 * when a webhook is configured, a pending delivery.
 */
#include <stdbool.h>
#include <stdint.h>

#include "core/error.h"
#include "store/store.h"

#define CASE_REMINDER_POINTS_MAX 8
#define CASE_REMINDER_POINTS_DEFAULT "50,80,overdue"

struct case_reminder_points {
        int percent[CASE_REMINDER_POINTS_MAX]; /* 1..99, ascending */
        size_t n;
        bool overdue;
};

/* "50,80,overdue": percentages 1-99 ascending, and/or "overdue". Errors name the item. */
int case_reminder_points_parse(const char *s, struct case_reminder_points *out, struct error *err);

struct case_reminder_report {
        int64_t fired;          /* reminders fired in this round */
        int64_t cases_due;      /* cases with a clock running, none overdue */
        int64_t cases_overdue;  /* cases with at least one overdue clock */
};

/* One round at `now`. webhook: queue a delivery for each reminder fired. */
int case_reminders_evaluate(struct store *s, const struct case_reminder_points *p, int64_t now, bool webhook,
                            struct case_reminder_report *rep, struct error *err);

/* The /metrics gauges (Prometheus text; heap):
 *   cradle_case_clocks{status="due"|"overdue"}  cases with a running clock */
char *case_reminder_metrics(const struct case_reminder_report *rep);

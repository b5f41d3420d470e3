/* SPDX-License-Identifier: Apache-2.0 */
/* Art. 14 reminders (reminder.h). */
#include "case/reminder.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "case/case-internal.h"
#include "case/clock.h"
#include "core/cleanup.h"
#include "core/strutil.h"
#include "core/time.h"
#include "identity/security-event.h"

int case_reminder_points_parse(const char *s, struct case_reminder_points *out, struct error *err) {
        memset(out, 0, sizeof(*out));
        if (!s || !*s)
                return error_set(err, ERROR_INVALID, "reminder points: empty (e.g. \"50,80,overdue\")");
        _cleanup_free_ char *copy = str_dup(s);
        char *save = NULL;
        int last = 0;
        for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
                while (*tok == ' ')
                        tok++;
                size_t len = strlen(tok);
                while (len && tok[len - 1] == ' ')
                        tok[--len] = '\0';
                if (len && tok[len - 1] == '%')
                        tok[--len] = '\0';
                if (strcmp(tok, "overdue") == 0) {
                        if (out->overdue)
                                return error_set(err, ERROR_INVALID, "reminder points: 'overdue' given twice");
                        out->overdue = true;
                        continue;
                }
                int64_t v;
                if (str_to_int64(tok, 1, 99, &v) < 0)
                        return error_set(err, ERROR_INVALID,
                                         "reminder points: '%s' is not a percentage 1-99 or 'overdue'", tok);
                if (v <= last)
                        return error_set(err, ERROR_INVALID, "reminder points: %lld is not above %d (ascending)",
                                         (long long) v, last);
                if (out->n == CASE_REMINDER_POINTS_MAX)
                        return error_set(err, ERROR_INVALID, "reminder points: more than %d",
                                         CASE_REMINDER_POINTS_MAX);
                out->percent[out->n++] = (int) v;
                last = (int) v;
        }
        if (!out->n && !out->overdue)
                return error_set(err, ERROR_INVALID, "reminder points: none given");
        return 0;
}

static json_t *time_json(int64_t t) {
        if (!t)
                return json_null();
        char buf[TIME_RFC3339_LEN];
        time_format_rfc3339(t, buf);
        return json_string(buf);
}

/* Fires one reminder (once): the row, the event, the timeline entry. */
static int fire(struct store *s, const struct case_info *c, const struct case_clock *cl, const char *point,
                const char *severity, int64_t now, bool webhook, bool *fired, struct error *err) {
        *fired = false;
        _cleanup_json_ json_t *body = json_pack(
                "{s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:o, s:o, s:s, s:b}", "event", "case.clock.reminder", "case",
                c->reference, "title", c->title, "track", case_clock_track_str(cl->track), "report",
                case_clock_name_str(cl->name), "point", point, "due", time_json(cl->due), "latest_reg_1182_71_art3",
                time_json(cl->latest), "fired_at", time_json(now), "basis", cl->basis, "provisional",
                cl->provisional);
        _cleanup_free_ char *text = json_dumps(body, JSON_COMPACT | JSON_SORT_KEYS);
        bool inserted;
        if (!text)
                return error_set(err, ERROR_INTERNAL, "reminder body cannot be serialised");
        if (store_case_reminder_insert(s, c->id, case_clock_track_str(cl->track), case_clock_name_str(cl->name),
                                       point, cl->due, now, text, webhook, &inserted, err) < 0)
                return -1;
        if (!inserted)
                return 0;
        const struct audit_actor sys = {.name = "system", .role = "system"};
        int64_t product = c->naffected ? c->affected[0].product_id : 0;
        if (identity_security_event_record(s, "case.clock.reminder", severity, product, NULL, "cases", body, err) < 0 ||
            case_timeline_append(s, c->id, &sys, "reminder", body, err) < 0)
                return -1;
        *fired = true;
        return 0;
}

static int evaluate_case(struct store *s, struct store_case *row, const struct case_reminder_points *p, int64_t now,
                         bool webhook, struct case_reminder_report *rep, struct error *err) {
        struct case_info c;
        if (case_load(s, row, &c, err) < 0)
                return -1;
        struct case_clock_input in;
        case_clock_input_of(&c, NULL, &in);
        struct case_clock cl[2 * CASE_CLOCK_N];
        size_t n = case_clocks_compute(&in, cl);
        bool running = false, overdue = false;
        int rc = 0;
        for (size_t i = 0; rc == 0 && i < n; i++) {
                if (!cl[i].known || cl[i].submitted_at)
                        continue;
                running = true;
                int pm = case_clock_progress_permille(&cl[i], now);
                bool late = now > cl[i].due;
                overdue = overdue || late;
                /* In order: the shares first, then overdue, so a round that
                 * catches up (a restart) fires them as they would have come. */
                for (size_t k = 0; rc == 0 && k < p->n; k++) {
                        if (pm < p->percent[k] * 10)
                                break;
                        char point[8];
                        snprintf(point, sizeof(point), "%d%%", p->percent[k]);
                        bool fired;
                        rc = fire(s, &c, &cl[i], point, p->percent[k] >= 80 ? "high" : "medium", now, webhook,
                                  &fired, err);
                        rep->fired += fired;
                }
                if (rc == 0 && p->overdue && late) {
                        bool fired;
                        rc = fire(s, &c, &cl[i], "overdue", "critical", now, webhook, &fired, err);
                        rep->fired += fired;
                }
        }
        if (running && overdue)
                rep->cases_overdue++;
        else if (running)
                rep->cases_due++;
        case_info_free(&c);
        return rc;
}

int case_reminders_evaluate(struct store *s, const struct case_reminder_points *p, int64_t now, bool webhook,
                            struct case_reminder_report *rep, struct error *err) {
        memset(rep, 0, sizeof(*rep));
        struct store_case *rows = NULL;
        size_t n = 0;
        if (store_case_list_clocked(s, &rows, &n, err) < 0)
                return -1;
        int rc = 0;
        /* One transaction per case: a failure leaves the others' reminders in place. */
        for (size_t i = 0; i < n; i++) {
                struct error e2 = {0};
                if (store_tx_begin(s, &e2) < 0 || evaluate_case(s, &rows[i], p, now, webhook, rep, &e2) < 0 ||
                    store_tx_commit(s, &e2) < 0) {
                        if (store_in_transaction(s))
                                store_tx_rollback(s);
                        if (rc == 0)
                                *err = e2;
                        rc = -1;
                }
        }
        store_case_list_free(rows, n);
        return rc;
}

char *case_reminder_metrics(const struct case_reminder_report *rep) {
        return str_printf("# HELP cradle_case_clocks Cases with a running CRA Art. 14 clock, by whether one is "
                          "overdue.\n"
                          "# TYPE cradle_case_clocks gauge\n"
                          "cradle_case_clocks{status=\"due\"} %lld\n"
                          "cradle_case_clocks{status=\"overdue\"} %lld\n",
                          (long long) rep->cases_due, (long long) rep->cases_overdue);
}

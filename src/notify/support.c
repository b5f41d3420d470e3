/* SPDX-License-Identifier: Apache-2.0 */
/* End-of-support publication and reminders (support.h). */
#include "notify/support.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/cleanup.h"
#include "core/json.h"
#include "core/strutil.h"
#include "core/time.h"
#include "identity/security-event.h"
#include "store/store-notify.h"
#include "store/store-product.h"

int notify_support_points_parse(const char *text, struct notify_support_points *out, struct error *err) {
        memset(out, 0, sizeof(*out));
        if (!text)
                return 0;
        if (strlen(text) > 128)
                return error_set(err, ERROR_INVALID, "'%.32s...': too long (at most 128 characters)", text);
        _cleanup_free_ char *copy = str_dup(text);
        char *save = NULL;
        for (char *item = strtok_r(copy, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
                while (*item == ' ')
                        item++;
                size_t len = strlen(item);
                while (len && item[len - 1] == ' ')
                        item[--len] = '\0';
                if (!len)
                        continue;
                int64_t m;
                if (item[len - 1] != 'm')
                        return error_set(err, ERROR_INVALID, "'%s': expected months before the end, e.g. '12m'", item);
                item[len - 1] = '\0';
                if (str_to_int64(item, 1, 120, &m) < 0)
                        return error_set(err, ERROR_INVALID, "'%sm': the months must be 1 to 120", item);
                if (out->n == NOTIFY_SUPPORT_POINTS_MAX)
                        return error_set(err, ERROR_INVALID, "at most %d points", NOTIFY_SUPPORT_POINTS_MAX);
                if (out->n && m >= out->months[out->n - 1])
                        return error_set(err, ERROR_INVALID, "'%lldm': the points must be in descending order",
                                         (long long) m);
                out->months[out->n++] = (int) m;
        }
        return 0;
}

static int days_in(int y, int m) {
        static const int d[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
        if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
                return 29;
        return d[m - 1];
}

int notify_support_date_minus_months(const char *date, int months, char out[11], struct error *err) {
        int64_t t;
        if (!date || time_parse_date(date, &t, err) < 0)
                return error_set(err, ERROR_INVALID, "support end '%s' is not a date (YYYY-MM-DD)",
                                 date ? date : "");
        int y, m, d;
        if (sscanf(date, "%4d-%2d-%2d", &y, &m, &d) != 3)
                return error_set(err, ERROR_INVALID, "support end '%s' is not a date (YYYY-MM-DD)", date);
        int total = y * 12 + (m - 1) - months;
        y = total / 12;
        m = total % 12 + 1;
        if (d > days_in(y, m))
                d = days_in(y, m);
        if (y < 1 || y > 9999)
                return error_set(err, ERROR_INVALID, "support end '%s' minus %d months is out of range", date, months);
        char buf[32];
        snprintf(buf, sizeof(buf), "%04d-%02d-%02d", y, m, d);
        memcpy(out, buf, 11);
        return 0;
}

int notify_support_json(struct store *s, int64_t now, json_t **out, struct error *err) {
        *out = NULL;
        struct store_product *l = NULL;
        size_t n = 0;
        if (store_product_list(s, &l, &n, err) < 0)
                return -1;
        char today[TIME_DATE_LEN], gen[TIME_RFC3339_LEN];
        time_format_date(now, today);
        time_format_rfc3339(now, gen);
        json_t *products = json_array();
        for (size_t i = 0; i < n; i++)
                json_array_append_new(products,
                                       json_pack("{s:s, s:s, s:s, s:s, s:s, s:b}", "model", l[i].model, "name",
                                                 l[i].name, "manufacturer", l[i].manufacturer_name, "support_start",
                                                 l[i].support_start, "support_end", l[i].support_end,
                                                 "support_ended", strcmp(today, l[i].support_end) > 0));
        store_product_list_free(l, n);
        *out = json_pack("{s:s, s:o}", "generated_at", gen, "products", products);
        return 0;
}

static int fire(struct store *s, const struct store_product *p, int months, int64_t now, bool webhook, bool *fired,
                struct error *err) {
        *fired = false;
        char point[8], at[TIME_RFC3339_LEN];
        snprintf(point, sizeof(point), "%dm", months);
        time_format_rfc3339(now, at);
        _cleanup_json_ json_t *body = json_pack("{s:s, s:s, s:s, s:s, s:s, s:i, s:s}", "event",
                                                "product.support.reminder", "product", p->model, "name", p->name,
                                                "support_end", p->support_end, "point", point, "months_before",
                                                months, "fired_at", at);
        _cleanup_free_ char *text = json_dumps(body, JSON_COMPACT | JSON_SORT_KEYS);
        if (!text)
                return error_set(err, ERROR_INTERNAL, "reminder body cannot be serialised");
        bool inserted;
        if (store_support_reminder_insert(s, p->id, point, p->support_end, now, text, &inserted, err) < 0)
                return -1;
        if (!inserted)
                return 0;
        if (identity_security_event_record(s, "product.support.reminder", months > 6 ? "medium" : "high", p->id,
                                           NULL, "support", body, err) < 0)
                return -1;
        if (webhook && store_webhook_outbox_add(s, "product.support.reminder", text, now, err) < 0)
                return -1;
        *fired = true;
        return 0;
}

int notify_support_reminders_evaluate(struct store *s, const struct notify_support_points *p, int64_t now,
                                      bool webhook, int64_t *fired, struct error *err) {
        *fired = 0;
        if (!p->n)
                return 0;
        struct store_product *l = NULL;
        size_t n = 0;
        if (store_product_list(s, &l, &n, err) < 0)
                return -1;
        char today[TIME_DATE_LEN];
        time_format_date(now, today);
        int rc = 0;
        for (size_t i = 0; i < n; i++) {
                if (strcmp(today, l[i].support_end) > 0)
                        continue; /* support has ended: nothing to remind of */
                struct error e2 = {0};
                int r = store_tx_begin(s, &e2);
                /* Largest first, so a round that catches up fires them in
                 * the order they would have come. */
                for (size_t k = 0; r == 0 && k < p->n; k++) {
                        char from[11];
                        r = notify_support_date_minus_months(l[i].support_end, p->months[k], from, &e2);
                        if (r == 0 && strcmp(today, from) >= 0) {
                                bool f;
                                r = fire(s, &l[i], p->months[k], now, webhook, &f, &e2);
                                *fired += f;
                        }
                }
                if (r == 0)
                        r = store_tx_commit(s, &e2);
                if (r < 0) {
                        if (store_in_transaction(s))
                                store_tx_rollback(s);
                        if (rc == 0)
                                *err = e2;
                        rc = -1;
                }
        }
        store_product_list_free(l, n);
        return rc;
}

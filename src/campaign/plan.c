/* SPDX-License-Identifier: Apache-2.0 */
/* Campaign plans: waves, retries, the maintenance window (plan.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "campaign/plan.h"
#include "core/cleanup.h"
#include "core/json.h"
#include "core/strutil.h"

#define SOAK_DEFAULT 3600
#define SOAK_SECURITY 300
#define STUCK_DEFAULT 3600
#define STUCK_SECURITY 1800
#define SECONDS_MAX (30 * 86400)
#define COUNT_MAX 100000000

static const int64_t default_sizes[] = { 1, 10, 50, 100 };

/* N or "P%". */
static int amount_parse(const char *what, json_t *v, bool allow_zero, struct campaign_amount *out, struct error *err) {
        if (json_is_integer(v)) {
                json_int_t n = json_integer_value(v);
                if (n < (allow_zero ? 0 : 1) || n > COUNT_MAX)
                        return error_set(err, ERROR_INVALID, "%s: a count must be %d..%d", what, allow_zero ? 0 : 1,
                                         COUNT_MAX);
                *out = (struct campaign_amount) { .percent = false, .value = n };
                return 0;
        }
        if (json_is_string(v)) {
                const char *s = json_string_value(v);
                size_t n = strlen(s);
                int64_t pct;
                char digits[8];
                if (n >= 2 && n <= 4 && s[n - 1] == '%') {
                        memcpy(digits, s, n - 1);
                        digits[n - 1] = '\0';
                        if (digits[0] != '+' && digits[0] != '-' && str_to_int64(digits, allow_zero ? 0 : 1, 100, &pct) == 0) {
                                *out = (struct campaign_amount) { .percent = true, .value = pct };
                                return 0;
                        }
                }
        }
        return error_set(err, ERROR_INVALID, "%s: expected a count (integer) or a percentage (\"%s..100%%\")", what,
                         allow_zero ? "0" : "1");
}

static json_t *amount_json(const struct campaign_amount *a) {
        if (!a->percent)
                return json_integer(a->value);
        char buf[16];
        snprintf(buf, sizeof(buf), "%lld%%", (long long) a->value);
        return json_string(buf);
}

static int seconds_parse(const char *what, json_t *v, int64_t min, int64_t *out, struct error *err) {
        if (!json_is_integer(v) || json_integer_value(v) < min || json_integer_value(v) > SECONDS_MAX)
                return error_set(err, ERROR_INVALID, "%s: expected seconds, %lld..%d", what, (long long) min,
                                 SECONDS_MAX);
        *out = json_integer_value(v);
        return 0;
}

static const struct cr_json_field wave_fields[] = {
        { .name = "size" },   /* type checked by amount_parse: listed so it is allowed */
        { .name = "soak", .type = CR_JSON_INTEGER },
        { .name = "success_threshold", .type = CR_JSON_INTEGER },
        { .name = "max_failures" },
        { .name = "stuck_after", .type = CR_JSON_INTEGER },
        { .name = "max_stuck" },
        { .name = "gate", .type = CR_JSON_STRING, .max_len = 16 },
};

/* Refuses unknown keys; size/max_* are checked by amount_parse. */
static int wave_keys_check(const char *what, json_t *w, struct error *err) {
        const char *key;
        json_t *v;
        if (!json_is_object(w))
                return error_set(err, ERROR_INVALID, "%s: expected an object", what);
        json_object_foreach(w, key, v) {
                size_t i = 0;
                while (i < ELEMENTSOF(wave_fields) && strcmp(wave_fields[i].name, key) != 0)
                        i++;
                if (i == ELEMENTSOF(wave_fields)) {
                        char safe[40];
                        str_sanitize(key, strlen(key), safe, sizeof(safe));
                        return error_set(err, ERROR_INVALID,
                                         "%s: unknown field '%s' (size, soak, success_threshold, max_failures, "
                                         "stuck_after, max_stuck, gate)",
                                         what, safe);
                }
        }
        return 0;
}

static void wave_defaults(struct campaign_wave_plan *w, size_t i, size_t n, bool security) {
        bool last = i + 1 == n;
        w->size = (struct campaign_amount) { .percent = true,
                                             .value = n == ELEMENTSOF(default_sizes) ? default_sizes[i] : 100 };
        w->soak = last ? 0 : security ? SOAK_SECURITY : SOAK_DEFAULT;
        w->success_threshold = 95;
        w->max_failures = i == 0 ? (struct campaign_amount) { false, 0 } : (struct campaign_amount) { true, 5 };
        w->stuck_after = security ? STUCK_SECURITY : STUCK_DEFAULT;
        w->max_stuck = w->max_failures;
        w->manual_gate = false;
}

static int wave_parse(json_t *in, size_t i, size_t n, bool security, struct campaign_wave_plan *w,
                      struct error *err) {
        char what[64];
        wave_defaults(w, i, n, security);
        snprintf(what, sizeof(what), "waves[%zu]", i);
        if (wave_keys_check(what, in, err) < 0)
                return -1;
        json_t *v;
        if ((v = json_object_get(in, "size"))) {
                snprintf(what, sizeof(what), "waves[%zu].size", i);
                if (amount_parse(what, v, false, &w->size, err) < 0)
                        return -1;
        } else if (n != ELEMENTSOF(default_sizes) && i + 1 < n)
                return error_set(err, ERROR_INVALID, "waves[%zu].size: is required (only the last wave may leave it "
                                 "out: it takes the rest)", i);
        if ((v = json_object_get(in, "soak"))) {
                snprintf(what, sizeof(what), "waves[%zu].soak", i);
                if (seconds_parse(what, v, 0, &w->soak, err) < 0)
                        return -1;
        }
        if ((v = json_object_get(in, "success_threshold"))) {
                if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > 100)
                        return error_set(err, ERROR_INVALID, "waves[%zu].success_threshold: expected a percentage, "
                                         "0..100", i);
                w->success_threshold = json_integer_value(v);
        }
        if ((v = json_object_get(in, "max_failures"))) {
                snprintf(what, sizeof(what), "waves[%zu].max_failures", i);
                if (amount_parse(what, v, true, &w->max_failures, err) < 0)
                        return -1;
                if (!json_object_get(in, "max_stuck"))
                        w->max_stuck = w->max_failures;
        }
        if ((v = json_object_get(in, "stuck_after"))) {
                snprintf(what, sizeof(what), "waves[%zu].stuck_after", i);
                if (seconds_parse(what, v, 1, &w->stuck_after, err) < 0)
                        return -1;
        }
        if ((v = json_object_get(in, "max_stuck"))) {
                snprintf(what, sizeof(what), "waves[%zu].max_stuck", i);
                if (amount_parse(what, v, true, &w->max_stuck, err) < 0)
                        return -1;
        }
        if ((v = json_object_get(in, "gate"))) {
                const char *g = json_string_value(v);
                if (!g || !(str_eq(g, "auto") || str_eq(g, "manual")))
                        return error_set(err, ERROR_INVALID, "waves[%zu].gate: expected \"auto\" or \"manual\"", i);
                w->manual_gate = str_eq(g, "manual");
        }
        return 0;
}

/* "HH:MM" -> minutes. */
static int clock_parse(const char *what, const char *s, int *out, struct error *err) {
        if (!s || strlen(s) != 5 || s[2] != ':' || s[0] < '0' || s[0] > '2' || s[1] < '0' || s[1] > '9' ||
            s[3] < '0' || s[3] > '5' || s[4] < '0' || s[4] > '9')
                return error_set(err, ERROR_INVALID, "%s: expected HH:MM (UTC, 00:00..23:59)", what);
        int h = (s[0] - '0') * 10 + (s[1] - '0');
        if (h > 23)
                return error_set(err, ERROR_INVALID, "%s: expected HH:MM (UTC, 00:00..23:59)", what);
        *out = h * 60 + (s[3] - '0') * 10 + (s[4] - '0');
        return 0;
}

int campaign_plan_parse(json_t *waves, json_t *retry, json_t *window, bool security, struct campaign_plan *out,
                        struct error *err) {
        memset(out, 0, sizeof(*out));
        if (waves) {
                size_t n = json_array_size(waves);
                if (!json_is_array(waves) || n == 0 || n > CAMPAIGN_WAVES_MAX)
                        return error_set(err, ERROR_INVALID, "field 'waves': expected an array of 1..%d waves",
                                         CAMPAIGN_WAVES_MAX);
                out->n_waves = n;
                for (size_t i = 0; i < n; i++)
                        if (wave_parse(json_array_get(waves, i), i, n, security, &out->waves[i], err) < 0)
                                return -1;
                /* Cumulative sizes in one unit must not go down. */
                for (size_t i = 1; i < n; i++) {
                        const struct campaign_amount *a = &out->waves[i - 1].size, *b = &out->waves[i].size;
                        if (a->percent == b->percent && b->value < a->value && i + 1 < n)
                                return error_set(err, ERROR_INVALID,
                                                 "waves[%zu].size: sizes are cumulative (devices reached by the end "
                                                 "of the wave); %lld is below the previous wave's %lld",
                                                 i, (long long) b->value, (long long) a->value);
                }
        } else {
                out->n_waves = ELEMENTSOF(default_sizes);
                for (size_t i = 0; i < out->n_waves; i++)
                        wave_defaults(&out->waves[i], i, out->n_waves, security);
        }
        out->waves[out->n_waves - 1].size = (struct campaign_amount) { .percent = true, .value = 100 };

        out->retry_limit = 1;
        out->retry_backoff = 600;
        if (retry) {
                static const struct cr_json_field fields[] = {
                        { .name = "limit", .type = CR_JSON_INTEGER },
                        { .name = "backoff", .type = CR_JSON_INTEGER },
                };
                if (cr_json_check_object("retry", retry, fields, ELEMENTSOF(fields), err) < 0)
                        return -1;
                json_t *v;
                if ((v = json_object_get(retry, "limit"))) {
                        if (json_integer_value(v) < 0 || json_integer_value(v) > CAMPAIGN_RETRY_LIMIT_MAX)
                                return error_set(err, ERROR_INVALID, "retry.limit: expected 0..%d",
                                                 CAMPAIGN_RETRY_LIMIT_MAX);
                        out->retry_limit = json_integer_value(v);
                }
                if ((v = json_object_get(retry, "backoff")) &&
                    seconds_parse("retry.backoff", v, 1, &out->retry_backoff, err) < 0)
                        return -1;
        }
        if (window) {
                static const struct cr_json_field fields[] = {
                        { .name = "start", .type = CR_JSON_STRING, .required = true, .max_len = 5 },
                        { .name = "end", .type = CR_JSON_STRING, .required = true, .max_len = 5 },
                };
                if (cr_json_check_object("window", window, fields, ELEMENTSOF(fields), err) < 0 ||
                    clock_parse("window.start", cr_json_get_string(window, "start"), &out->window_start, err) < 0 ||
                    clock_parse("window.end", cr_json_get_string(window, "end"), &out->window_end, err) < 0)
                        return -1;
                if (out->window_start == out->window_end)
                        return error_set(err, ERROR_INVALID, "window: start and end are equal (leave the window out "
                                         "to allow offers at any time)");
                out->has_window = true;
        }
        return 0;
}

json_t *campaign_plan_to_json(const struct campaign_plan *p) {
        json_t *waves = json_array();
        for (size_t i = 0; i < p->n_waves; i++) {
                const struct campaign_wave_plan *w = &p->waves[i];
                json_array_append_new(waves, json_pack("{s:o, s:I, s:I, s:o, s:I, s:o, s:s}", "size",
                                                       amount_json(&w->size), "soak", (json_int_t) w->soak,
                                                       "success_threshold", (json_int_t) w->success_threshold,
                                                       "max_failures", amount_json(&w->max_failures), "stuck_after",
                                                       (json_int_t) w->stuck_after, "max_stuck",
                                                       amount_json(&w->max_stuck), "gate",
                                                       w->manual_gate ? "manual" : "auto"));
        }
        json_t *out = json_pack("{s:o, s:{s:I, s:I}}", "waves", waves, "retry", "limit", (json_int_t) p->retry_limit,
                                "backoff", (json_int_t) p->retry_backoff);
        if (p->has_window) {
                char a[32], b[32];
                snprintf(a, sizeof(a), "%02d:%02d", p->window_start / 60, p->window_start % 60);
                snprintf(b, sizeof(b), "%02d:%02d", p->window_end / 60, p->window_end % 60);
                json_object_set_new(out, "window", json_pack("{s:s, s:s}", "start", a, "end", b));
        } else {
                json_object_set_new(out, "window", json_null());
        }
        return out;
}

int campaign_plan_from_json(const char *text, struct campaign_plan *out, struct error *err) {
        _cleanup_json_ json_t *doc = cr_json_parse("stored campaign plan", text, strlen(text), 1 << 20, 0, err);
        if (!doc)
                return -1;
        json_t *window = json_object_get(doc, "window");
        return campaign_plan_parse(json_object_get(doc, "waves"), json_object_get(doc, "retry"),
                                   json_is_null(window) ? NULL : window, false, out, err);
}

int64_t campaign_amount_of(const struct campaign_amount *a, int64_t size) {
        return a->percent ? size * a->value / 100 : a->value;
}

void campaign_plan_targets(const struct campaign_plan *p, int64_t total, int64_t targets[CAMPAIGN_WAVES_MAX]) {
        int64_t prev = 0;
        for (size_t i = 0; i < p->n_waves; i++) {
                const struct campaign_amount *a = &p->waves[i].size;
                /* Percentages round up, so a 1% canary of 50 devices is 1 device. */
                int64_t t = a->percent ? (total * a->value + 99) / 100 : a->value;
                if (t > total)
                        t = total;
                if (t < prev)
                        t = prev;
                if (i == 0 && total > 0 && t < 1)
                        t = 1;
                if (i + 1 == p->n_waves)
                        t = total;
                targets[i] = prev = t;
        }
}

bool campaign_plan_window_open(const struct campaign_plan *p, int64_t now) {
        if (!p->has_window)
                return true;
        int m = (int) ((now % 86400 + 86400) % 86400 / 60);
        if (p->window_start < p->window_end)
                return m >= p->window_start && m < p->window_end;
        return m >= p->window_start || m < p->window_end;
}

/* SPDX-License-Identifier: Apache-2.0 */
/* The key registry as JSON (list, show) and its gauges (keys.h). */
#include <string.h>
#include "core/cleanup.h"
#include "core/time.h"
#include "keys/keys.h"

#define KEYS_USAGE_SHOWN 30

static json_t *time_or_null(int64_t t) {
        if (!t)
                return json_null();
        char buf[TIME_RFC3339_LEN];
        time_format_rfc3339(t, buf);
        return json_string(buf);
}

static json_t *str_or_null(const char *v) {
        return v ? json_string(v) : json_null();
}

static json_t *names_json(char **names, size_t n) {
        json_t *a = json_array();
        for (size_t i = 0; i < n; i++)
                json_array_append_new(a, json_string(names[i]));
        return a;
}

/* One key with its products, custodians and rotation. */
static int key_json(struct store *s, const struct keys_policy *p, const struct store_key *k, int64_t now,
                    json_t **out, struct error *err) {
        char **products = NULL, **custodians = NULL;
        size_t n_products = 0, n_custodians = 0;
        if (store_keys_products(s, k->id, &products, &n_products, err) < 0)
                return -1;
        if (store_keys_custodians(s, k->id, &custodians, &n_custodians, err) < 0) {
                store_keys_names_free(products, n_products);
                return -1;
        }
        int64_t period = keys_policy_period(p, k->class), due = keys_rotation_due(p, k);
        json_t *rotation = json_pack("{s:I, s:o, s:b}", "period_days", (json_int_t) (period / 86400), "due_at",
                                     time_or_null(due), "overdue", due && due <= now);
        *out = json_pack("{s:I, s:s, s:s, s:s, s:s, s:o, s:s, s:o, s:o, s:o, s:o, s:s, s:o, s:o, s:s, s:o, s:o, "
                         "s:o, s:o}",
                         "id", (json_int_t) k->id, "class", k->class, "purpose", k->purpose, "algorithm",
                         k->algorithm, "fingerprint", k->fingerprint, "tuf_keyid", str_or_null(k->tuf_keyid),
                         "storage", k->storage, "ref", str_or_null(k->ref), "products",
                         names_json(products, n_products), "owner", str_or_null(k->owner_name), "custodians",
                         names_json(custodians, n_custodians), "state", k->state, "state_reason",
                         str_or_null(k->state_reason), "created_at", time_or_null(k->created_at), "created_by",
                         k->created_by ? k->created_by : "", "activated_at", time_or_null(k->activated_at),
                         "expires_at", time_or_null(k->expires_at), "state_changed_at",
                         time_or_null(k->state_changed_at), "rotation", rotation);
        store_keys_names_free(products, n_products);
        store_keys_names_free(custodians, n_custodians);
        return 0;
}

int keys_list_json(struct store *s, const struct keys_policy *p, const struct keys_list_filter *f, json_t **out,
                   struct error *err) {
        *out = NULL;
        if (f->class && !keys_class_known(f->class))
                return error_set(err, ERROR_INVALID, "class '%.64s' is not a key class", f->class);
        if (f->state && !keys_state_known(f->state))
                return error_set(err, ERROR_INVALID, "state '%.32s' is not a key state", f->state);
        if (f->due_within < 0)
                return error_set(err, ERROR_INVALID, "due_within must not be negative");
        struct store_key *list = NULL;
        size_t n = 0;
        if (store_keys_list(s, &list, &n, err) < 0)
                return -1;
        int64_t now = time_now();
        json_t *items = json_array();
        for (size_t i = 0; i < n; i++) {
                const struct store_key *k = &list[i];
                if ((f->class && strcmp(f->class, k->class) != 0) || (f->state && strcmp(f->state, k->state) != 0))
                        continue;
                if (f->due_within > 0) {
                        int64_t due = keys_rotation_due(p, k);
                        if (!due || due > now + f->due_within)
                                continue;
                }
                json_t *j = NULL;
                if (key_json(s, p, k, now, &j, err) < 0) {
                        json_decref(items);
                        store_keys_list_free(list, n);
                        return -1;
                }
                json_array_append_new(items, j);
        }
        store_keys_list_free(list, n);
        *out = json_pack("{s:o}", "items", items);
        return 0;
}

int keys_show_json(struct store *s, const struct keys_policy *p, int64_t id, json_t **out, struct error *err) {
        *out = NULL;
        struct store_key k;
        if (store_keys_get(s, id, &k, err) < 0)
                return -1;
        json_t *j = NULL;
        struct store_key_usage *usage = NULL;
        size_t n_usage = 0;
        int r = key_json(s, p, &k, time_now(), &j, err);
        store_key_clear(&k);
        if (r < 0)
                return -1;
        if (store_keys_usage_list(s, id, KEYS_USAGE_SHOWN, &usage, &n_usage, err) < 0) {
                json_decref(j);
                return -1;
        }
        json_t *uj = json_array();
        for (size_t i = 0; i < n_usage; i++) {
                char day[TIME_DATE_LEN];
                time_format_date(usage[i].day, day);
                json_array_append_new(uj, json_pack("{s:s, s:s, s:I, s:o, s:o}", "day", day, "what", usage[i].what,
                                                    "count", (json_int_t) usage[i].count, "first_at",
                                                    time_or_null(usage[i].first_at), "last_at",
                                                    time_or_null(usage[i].last_at)));
        }
        store_key_usage_list_free(usage, n_usage);
        json_object_set_new(j, "usage", uj);
        *out = j;
        return 0;
}

int keys_gauges_read(struct store *s, const struct keys_policy *p, int64_t now, struct keys_gauges *out,
                     struct error *err) {
        memset(out, 0, sizeof(*out));
        struct store_key *list = NULL;
        size_t n = 0;
        if (store_keys_list(s, &list, &n, err) < 0)
                return -1;
        for (size_t i = 0; i < n; i++) {
                for (size_t j = 0; j < ELEMENTSOF(keys_states); j++)
                        if (strcmp(keys_states[j], list[i].state) == 0)
                                out->by_state[j]++;
                int64_t due = keys_rotation_due(p, &list[i]);
                if (due && due <= now)
                        out->past_rotation++;
        }
        store_keys_list_free(list, n);
        return 0;
}

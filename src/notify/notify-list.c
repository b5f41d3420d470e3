/* SPDX-License-Identifier: Apache-2.0 */
/* The notification list of a case (notify-list.h). */
#include "notify/notify-list.h"

#include <stdlib.h>
#include <string.h>

#include "case/case.h"
#include "core/cleanup.h"
#include "core/json.h"
#include "core/strutil.h"
#include "core/time.h"
#include "notify/csv.h"
#include "store/store-case.h"
#include "store/store-exposure.h"
#include "store/store-notify.h"
#include "store/store-product.h"
#include "store/store-srp.h"

#define PAGE 500

struct group {
        char *owner; /* NULL: no owner reference */
        int64_t product_id;
        char *model;
        int64_t devices;
        const char *fix; /* the fixing version for this product, or NULL */
};

struct groups {
        struct group *g;
        size_t n, cap;
};

/* owner NULL sorts last; then by product model. */
static int group_cmp(const char *owner, const char *model, const struct group *g) {
        if (!owner != !g->owner)
                return owner ? -1 : 1;
        int c = owner ? strcmp(owner, g->owner) : 0;
        return c ? c : strcmp(model, g->model);
}

/* Counts one device into its (owner, product) group; binary search keeps
 * the array sorted, so a large fleet is not a quadratic scan. */
static void groups_add(struct groups *gs, const char *owner, int64_t product_id, const char *model,
                       const char *fix) {
        size_t lo = 0, hi = gs->n;
        while (lo < hi) {
                size_t mid = (lo + hi) / 2;
                int c = group_cmp(owner, model, &gs->g[mid]);
                if (c == 0) {
                        gs->g[mid].devices++;
                        return;
                }
                if (c < 0)
                        hi = mid;
                else
                        lo = mid + 1;
        }
        if (gs->n == gs->cap) {
                gs->cap = gs->cap ? 2 * gs->cap : 16;
                gs->g = xrealloc(gs->g, gs->cap * sizeof(*gs->g));
        }
        memmove(&gs->g[lo + 1], &gs->g[lo], (gs->n - lo) * sizeof(*gs->g));
        gs->g[lo] = (struct group) { .owner = owner ? str_dup(owner) : NULL, .product_id = product_id,
                                     .model = str_dup(model), .devices = 1, .fix = fix };
        gs->n++;
}

static void groups_free(struct groups *gs) {
        for (size_t i = 0; i < gs->n; i++) {
                free(gs->g[i].owner);
                free(gs->g[i].model);
        }
        free(gs->g);
}

static bool str_in(char **l, size_t n, const char *v) {
        for (size_t i = 0; i < n; i++)
                if (strcmp(l[i], v) == 0)
                        return true;
        return false;
}

/* The versions of product pid the case affects: all of them when the case
 * names the product whole, else the named releases'. */
static int affected_versions(struct store *s, const struct case_info *c, int64_t pid, char ***out, size_t *n,
                             struct error *err) {
        *out = NULL;
        *n = 0;
        for (size_t i = 0; i < c->naffected; i++)
                if (c->affected[i].product_id == pid && c->affected[i].release_id == 0)
                        return store_exposure_product_versions(s, pid, out, n, err);
        char **l = NULL;
        size_t k = 0;
        for (size_t i = 0; i < c->naffected; i++) {
                if (c->affected[i].product_id != pid)
                        continue;
                char *v = NULL;
                int64_t pub;
                if (store_srp_release_get(s, c->affected[i].release_id, &v, &pub, err) < 0) {
                        store_exposure_strings_free(l, k);
                        return -1;
                }
                if (!v || str_in(l, k, v)) {
                        free(v);
                        continue;
                }
                l = xrealloc(l, (k + 1) * sizeof(*l));
                l[k++] = v;
        }
        *out = l;
        *n = k;
        return 0;
}

static int count_product(struct store *s, const struct case_info *c, int64_t pid, const char *fix_version,
                         struct groups *gs, int64_t *total, int64_t *unowned, struct error *err) {
        struct store_product p = {0};
        if (store_product_get(s, pid, &p, err) < 0)
                return -1;
        char **vers = NULL;
        size_t nv = 0;
        int rc = affected_versions(s, c, pid, &vers, &nv, err);
        for (size_t j = 0; rc == 0 && j < nv; j++) {
                if (fix_version && strcmp(vers[j], fix_version) == 0)
                        continue; /* patched */
                int64_t after = 0;
                for (;;) {
                        struct store_exposure_device *d = NULL;
                        size_t n = 0;
                        if (store_exposure_devices(s, pid, vers[j], after, PAGE, false, &d, &n, err) < 0) {
                                rc = -1;
                                break;
                        }
                        for (size_t k = 0; k < n; k++) {
                                groups_add(gs, d[k].owner, pid, p.model, fix_version);
                                (*total)++;
                                if (!d[k].owner)
                                        (*unowned)++;
                        }
                        if (n)
                                after = d[n - 1].id;
                        store_exposure_devices_free(d, n);
                        if (n < PAGE)
                                break;
                }
        }
        store_exposure_strings_free(vers, nv);
        store_product_clear(&p);
        return rc;
}

static json_t *time_json(int64_t t) {
        char b[TIME_RFC3339_LEN];
        time_format_rfc3339(t, b);
        return json_string(b);
}

int notify_list_build(struct store *s, const char *case_ref, int64_t now, json_t **out, struct error *err) {
        *out = NULL;
        struct case_info c;
        if (case_get(s, case_ref, &c, err) < 0)
                return -1;
        _cleanup_free_ char *fix_version = NULL;
        int64_t fix_product = 0;
        int rc = 0;
        if (c.fix_release_id) {
                int64_t pub;
                bool exists;
                if (store_srp_release_get(s, c.fix_release_id, &fix_version, &pub, err) < 0 ||
                    store_case_ref_exists(s, "release", c.fix_release_id, &fix_product, &exists, err) < 0)
                        rc = -1;
        }
        struct groups gs = {0};
        int64_t total = 0, unowned = 0;
        /* Each product once, whether it is named whole or by release. */
        for (size_t i = 0; rc == 0 && i < c.naffected; i++) {
                int64_t pid = c.affected[i].product_id;
                bool seen = false;
                for (size_t k = 0; k < i; k++)
                        seen = seen || c.affected[k].product_id == pid;
                if (!seen)
                        rc = count_product(s, &c, pid, pid == fix_product ? fix_version : NULL, &gs, &total,
                                           &unowned, err);
        }
        json_t *fix = json_null();
        if (rc == 0 && fix_version && fix_product) {
                struct store_product fp = {0};
                if (store_product_get(s, fix_product, &fp, err) < 0)
                        rc = -1;
                else
                        fix = json_pack("{s:s, s:s}", "product", fp.model, "version", fix_version);
                store_product_clear(&fp);
        }
        if (rc == 0) {
                json_t *groups = json_array();
                for (size_t i = 0; i < gs.n; i++)
                        json_array_append_new(
                                groups, json_pack("{s:o, s:s, s:I, s:o}", "owner_ref",
                                                  gs.g[i].owner ? json_string(gs.g[i].owner) : json_null(), "product",
                                                  gs.g[i].model, "devices", (json_int_t) gs.g[i].devices,
                                                  "fixing_release",
                                                  gs.g[i].fix ? json_string(gs.g[i].fix) : json_null()));
                *out = json_pack("{s:s, s:s, s:o, s:o, s:o, s:I, s:I}", "case", c.reference, "title", c.title,
                                 "generated_at", time_json(now), "fixing_release", fix, "groups", groups,
                                 "devices_total", (json_int_t) total, "devices_without_owner", (json_int_t) unowned);
        } else {
                json_decref(fix);
        }
        groups_free(&gs);
        case_info_free(&c);
        return rc;
}

char *notify_list_csv(const json_t *list) {
        struct notify_csv c = {0};
        notify_csv_cell(&c, "owner_ref", 1);
        notify_csv_cell(&c, "product", 0);
        notify_csv_cell(&c, "devices", 0);
        notify_csv_cell(&c, "fixing_release", 0);
        notify_csv_row_end(&c);
        size_t i;
        json_t *g;
        json_array_foreach(json_object_get(list, "groups"), i, g) {
                char n[24];
                snprintf(n, sizeof(n), "%lld", (long long) json_integer_value(json_object_get(g, "devices")));
                notify_csv_cell(&c, json_string_value(json_object_get(g, "owner_ref")), 1);
                notify_csv_cell(&c, json_string_value(json_object_get(g, "product")), 0);
                notify_csv_cell(&c, n, 0);
                notify_csv_cell(&c, json_string_value(json_object_get(g, "fixing_release")), 0);
                notify_csv_row_end(&c);
        }
        return notify_csv_take(&c);
}

int notify_list_queue(struct store *s, const struct audit_actor *a, const char *case_ref, bool webhook, int64_t now,
                      json_t **out, struct error *err) {
        if (out)
                *out = NULL;
        if (!webhook)
                return error_set(err, ERROR_CONFLICT,
                                 "no webhook is configured ([cases] webhook_url): the list cannot be sent; export it "
                                 "with --format csv or json instead");
        /* Declared before the first goto: the cleanups run on every path. */
        _cleanup_json_ json_t *list = NULL, *summary = NULL;
        _cleanup_free_ char *text = NULL, *object = NULL;
        struct case_info c = {0};
        if (store_tx_begin(s, err) < 0)
                return -1;
        if (notify_list_build(s, case_ref, now, &list, err) < 0 || case_get(s, case_ref, &c, err) < 0)
                goto fail;
        json_t *body = json_deep_copy(list);
        json_object_set_new(body, "event", json_string("case.notify_list"));
        text = json_dumps(body, JSON_COMPACT | JSON_SORT_KEYS);
        json_decref(body);
        object = str_printf("case/%s", c.reference);
        summary = json_pack(
                "{s:I, s:I, s:I}", "groups", (json_int_t) json_array_size(json_object_get(list, "groups")),
                "devices_total", json_integer_value(json_object_get(list, "devices_total")), "devices_without_owner",
                json_integer_value(json_object_get(list, "devices_without_owner")));
        if (!text) {
                error_set(err, ERROR_INTERNAL, "the notification list cannot be serialised");
                goto fail;
        }
        if (store_webhook_outbox_add(s, "case.notify_list", text, now, err) < 0 ||
            case_timeline_append(s, c.id, a, "notify_list", summary, err) < 0 ||
            audit_append(s, a, "case.notify-list.sent", object, summary, err) < 0 || store_tx_commit(s, err) < 0)
                goto fail;
        case_info_free(&c);
        if (out)
                *out = json_incref(list);
        return 0;
fail:
        case_info_free(&c);
        store_tx_rollback(s);
        return -1;
}

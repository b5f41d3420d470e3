/* SPDX-License-Identifier: Apache-2.0 */
/* Exposure: from a vulnerability to devices (vuln/exposure.h). */
#include "vuln/exposure.h"

#include <stdlib.h>
#include <string.h>

#include "core/cleanup.h"
#include "core/strutil.h"
#include "core/time.h"
#include "core/version.h"
#include "store/store-exposure.h"
#include "store/store-product.h"

/* One affected product: its affected versions and the later, unaffected
 * ones its patched devices run. */
struct exposed_product {
        int64_t id;
        const char *model;
        const char **affected;
        size_t n_affected;
        char **versions; /* every release version of the product */
        size_t n_versions;
        const char **patched;
        size_t n_patched;
        char **member_states;
        size_t n_member_states;
        int64_t exposed, patched_count;
};

static void counter_add(json_t *map, const char *key, int64_t n) {
        json_t *v = json_object_get(map, key);
        json_object_set_new(map, key, json_integer((v ? json_integer_value(v) : 0) + n));
}

/* {"a\x1fb": n} -> [{k1: a, k2: b, "devices": n}] (keys split at \x1f). */
static json_t *counter_rows(json_t *map, const char *k1, const char *k2, const char *k3) {
        json_t *rows = json_array();
        const char *key;
        json_t *v;
        json_object_foreach(map, key, v) {
                json_t *row = json_object();
                const char *names[] = {k1, k2, k3};
                const char *p = key;
                for (size_t i = 0; i < 3 && names[i]; i++) {
                        const char *sep = strchr(p, '\x1f');
                        size_t len = sep ? (size_t) (sep - p) : strlen(p);
                        json_object_set_new(row, names[i], len ? json_stringn(p, len) : json_null());
                        p = sep ? sep + 1 : p + len;
                }
                json_object_set(row, "devices", v);
                json_array_append_new(rows, row);
        }
        return rows;
}

static char *key3(const char *a, const char *b, const char *c) {
        return str_printf("%s\x1f%s%s%s", a ? a : "", b ? b : "", c ? "\x1f" : "", c ? c : "");
}

static bool contains(const char *const *list, size_t n, const char *v) {
        for (size_t i = 0; i < n; i++)
                if (str_eq(list[i], v))
                        return true;
        return false;
}

/* The versions after the earliest affected one that are not affected. */
static void patched_versions(struct exposed_product *p) {
        char lo[VERSION_KEY_MAX] = "", k[VERSION_KEY_MAX];
        for (size_t i = 0; i < p->n_affected; i++)
                if (version_sort_key(p->affected[i], k, sizeof(k)) > 0 && (!*lo || strcmp(k, lo) < 0))
                        memcpy(lo, k, sizeof(k));
        p->patched = xcalloc(p->n_versions + 1, sizeof(*p->patched));
        for (size_t i = 0; i < p->n_versions; i++)
                if (!contains(p->affected, p->n_affected, p->versions[i]) &&
                    version_sort_key(p->versions[i], k, sizeof(k)) > 0 && *lo && strcmp(k, lo) > 0)
                        p->patched[p->n_patched++] = p->versions[i];
}

/* Counts the product's devices on its affected and patched versions in one
 * pass per STORE_EXPOSURE_VERSIONS_MAX versions. */
static int count_devices(struct store *s, struct exposed_product *p, json_t *by_release, json_t *patched_by_release,
                         json_t *by_hw, json_t *by_batch, struct error *err) {
        size_t nv = p->n_affected + p->n_patched;
        const char **vs = xcalloc(nv + 1, sizeof(*vs));
        for (size_t i = 0; i < p->n_affected; i++)
                vs[i] = p->affected[i];
        for (size_t i = 0; i < p->n_patched; i++)
                vs[p->n_affected + i] = p->patched[i];
        int rc = 0;
        for (size_t first = 0; rc == 0 && first < nv; first += STORE_EXPOSURE_VERSIONS_MAX) {
                size_t chunk = nv - first < STORE_EXPOSURE_VERSIONS_MAX ? nv - first : STORE_EXPOSURE_VERSIONS_MAX;
                struct store_exposure_group *gs = NULL;
                size_t n = 0;
                rc = store_exposure_count(s, p->id, vs + first, chunk, &gs, &n, err);
                for (size_t j = 0; rc == 0 && j < chunk; j++) {
                        bool exposed = first + j < p->n_affected;
                        int64_t total = 0;
                        for (size_t i = 0; i < n; i++) {
                                int64_t c = gs[i].counts[j];
                                total += c;
                                if (!exposed || !c)
                                        continue;
                                _cleanup_free_ char *kh = key3(p->model, gs[i].hardware_revision, NULL);
                                _cleanup_free_ char *kb = key3(p->model, gs[i].batch, NULL);
                                counter_add(by_hw, kh, c);
                                counter_add(by_batch, kb, c);
                        }
                        _cleanup_free_ char *kr = key3(p->model, vs[first + j], NULL);
                        counter_add(exposed ? by_release : patched_by_release, kr, total);
                        if (exposed)
                                p->exposed += total;
                        else
                                p->patched_count += total;
                }
                store_exposure_groups_free(gs, n);
        }
        free(vs);
        return rc;
}

/* A device of the page and the product it belongs to. */
struct page_row {
        const struct store_exposure_device *d;
        const char *model;
};

static int page_row_cmp(const void *a, const void *b) {
        const struct page_row *x = a, *y = b;
        return x->d->id < y->d->id ? -1 : x->d->id > y->d->id;
}

/* The page of devices over every (product, version) pair: each pair gives at
 * most `limit` devices after the cursor; the lowest `limit` ids win. */
static int device_page(struct store *s, struct exposed_product *ps, size_t np, bool patched, int64_t after,
                       size_t limit, json_t **out, struct error *err) {
        size_t npairs = 0;
        for (size_t i = 0; i < np; i++)
                npairs += patched ? ps[i].n_patched : ps[i].n_affected;
        struct store_exposure_device **lists = xcalloc(npairs + 1, sizeof(*lists));
        size_t *counts = xcalloc(npairs + 1, sizeof(*counts));
        const char **models = xcalloc(npairs + 1, sizeof(*models));
        size_t nl = 0, total = 0;
        int rc = 0;
        for (size_t i = 0; rc == 0 && i < np; i++) {
                const char **vs = patched ? ps[i].patched : ps[i].affected;
                size_t nv = patched ? ps[i].n_patched : ps[i].n_affected;
                for (size_t j = 0; rc == 0 && j < nv; j++) {
                        rc = store_exposure_devices(s, ps[i].id, vs[j], after, limit, patched, &lists[nl],
                                                    &counts[nl], err);
                        models[nl] = ps[i].model;
                        total += counts[nl++];
                }
        }
        json_t *items = json_array();
        int64_t next = 0;
        if (rc == 0) {
                struct page_row *rows = xcalloc(total + 1, sizeof(*rows));
                size_t k = 0;
                for (size_t i = 0; i < nl; i++)
                        for (size_t j = 0; j < counts[i]; j++)
                                rows[k++] = (struct page_row){&lists[i][j], models[i]};
                qsort(rows, k, sizeof(*rows), page_row_cmp);
                size_t shown = k < limit ? k : limit;
                for (size_t i = 0; i < shown; i++) {
                        const struct store_exposure_device *d = rows[i].d;
                        json_t *row = json_pack("{s:s, s:s, s:o, s:o, s:s}", "serial", d->serial, "product",
                                                rows[i].model, "hardware_revision",
                                                d->hardware_revision ? json_string(d->hardware_revision) : json_null(),
                                                "batch", d->batch ? json_string(d->batch) : json_null(), "version",
                                                d->version);
                        if (patched) {
                                char t[TIME_RFC3339_LEN];
                                time_format_rfc3339(d->since, t);
                                json_object_set_new(row, "since", d->since ? json_string(t) : json_null());
                        }
                        json_array_append_new(items, row);
                }
                if (k >= limit && shown)
                        next = rows[shown - 1].d->id;
                free(rows);
        }
        for (size_t i = 0; i < nl; i++)
                store_exposure_devices_free(lists[i], counts[i]);
        free(lists);
        free(counts);
        free(models);
        if (rc < 0) {
                json_decref(items);
                return -1;
        }
        *out = json_pack("{s:s, s:o, s:o}", "list", patched ? "patched" : "exposed", "items", items, "next_after_id",
                         next ? json_integer(next) : json_null());
        return 0;
}

static void products_free(struct exposed_product *ps, size_t np) {
        for (size_t i = 0; i < np; i++) {
                free(ps[i].affected);
                store_exposure_strings_free(ps[i].versions, ps[i].n_versions);
                free(ps[i].patched);
                store_exposure_strings_free(ps[i].member_states, ps[i].n_member_states);
        }
        free(ps);
}

static int product_member_states(struct store *s, struct exposed_product *p, struct error *err) {
        struct store_product sp;
        if (store_product_get(s, p->id, &sp, err) < 0)
                return -1;
        p->member_states = sp.member_states;
        p->n_member_states = sp.n_member_states;
        sp.member_states = NULL;
        sp.n_member_states = 0;
        store_product_clear(&sp);
        return 0;
}

int vuln_exposure(struct store *s, const struct vuln_exposure_query *q, json_t **out, struct error *err) {
        *out = NULL;
        size_t limit = q->limit ? q->limit : 100;
        if (limit > VULN_EXPOSURE_LIST_MAX)
                limit = VULN_EXPOSURE_LIST_MAX;
        int64_t vid = 0;
        _cleanup_free_ char *vname = NULL;
        int rc = store_exposure_vuln(s, q->vuln, &vid, &vname, err);
        if (rc <= 0)
                return rc < 0 ? -1 : error_set(err, ERROR_NOT_FOUND, "vulnerability '%s' is not known", q->vuln);
        struct store_exposure_finding *fs = NULL;
        size_t nf = 0;
        if (store_exposure_findings(s, vid, &fs, &nf, err) < 0)
                return -1;

        /* products and their affected releases (findings come ordered by product, release) */
        struct exposed_product *ps = xcalloc(nf + 1, sizeof(*ps));
        size_t np = 0;
        json_t *products = json_array();
        json_t *releases = NULL, *rel = NULL;
        for (size_t i = 0; i < nf; i++) {
                if (np == 0 || ps[np - 1].id != fs[i].product_id) {
                        ps[np].id = fs[i].product_id;
                        ps[np].model = fs[i].model;
                        ps[np].affected = xcalloc(nf + 1, sizeof(*ps[np].affected));
                        np++;
                        releases = json_array();
                        json_array_append_new(products, json_pack("{s:s, s:o}", "product", fs[i].model, "releases",
                                                                  releases));
                        rel = NULL;
                }
                struct exposed_product *p = &ps[np - 1];
                if (!contains(p->affected, p->n_affected, fs[i].version)) {
                        p->affected[p->n_affected++] = fs[i].version;
                        rel = json_pack("{s:s, s:s, s:[]}", "version", fs[i].version, "status", fs[i].release_status,
                                        "findings");
                        json_array_append_new(releases, rel);
                }
                json_array_append_new(json_object_get(rel, "findings"),
                                      json_pack("{s:I, s:s, s:s?, s:s}", "id", (json_int_t) fs[i].finding_id,
                                                "component", fs[i].component, "version", fs[i].component_version,
                                                "state", fs[i].state));
        }

        json_t *by_release = json_object(), *by_hw = json_object(), *by_batch = json_object(),
               *by_ms = json_object(), *patched_by_release = json_object(), *by_product = json_array();
        int64_t exposed = 0, patched = 0;
        rc = 0;
        for (size_t i = 0; rc == 0 && i < np; i++) {
                struct exposed_product *p = &ps[i];
                rc = store_exposure_product_versions(s, p->id, &p->versions, &p->n_versions, err);
                if (rc == 0)
                        rc = product_member_states(s, p, err);
                if (rc < 0)
                        break;
                patched_versions(p);
                rc = count_devices(s, p, by_release, patched_by_release, by_hw, by_batch, err);
                if (rc < 0)
                        break;
                json_t *ms = json_array();
                for (size_t j = 0; j < p->n_member_states; j++) {
                        json_array_append_new(ms, json_string(p->member_states[j]));
                        counter_add(by_ms, p->member_states[j], p->exposed);
                }
                json_t *pv = json_array();
                for (size_t j = 0; j < p->n_patched; j++)
                        json_array_append_new(pv, json_string(p->patched[j]));
                json_t *prod = json_array_get(products, i);
                json_object_set_new(prod, "member_states", json_copy(ms));
                json_object_set_new(prod, "exposed_devices", json_integer(p->exposed));
                json_object_set_new(prod, "patched_devices", json_integer(p->patched_count));
                json_object_set_new(prod, "patched_releases", pv);
                json_array_append_new(by_product, json_pack("{s:s, s:I, s:o}", "product", p->model, "devices",
                                                            (json_int_t) p->exposed, "member_states", ms));
                exposed += p->exposed;
                patched += p->patched_count;
        }
        json_t *page = NULL;
        if (rc == 0)
                rc = device_page(s, ps, np, q->list_patched, q->after_id, limit, &page, err);
        if (rc == 0)
                *out = json_pack("{s:s, s:s, s:o, s:{s:I, s:o, s:o, s:o, s:o, s:o}, s:{s:I, s:o}, s:o}",
                                 "vulnerability", vname, "query", q->vuln, "products", products,
                                 "exposed", "devices", (json_int_t) exposed, "by_product", by_product, "by_release",
                                 counter_rows(by_release, "product", "version", NULL), "by_hardware_revision",
                                 counter_rows(by_hw, "product", "hardware_revision", NULL), "by_member_state",
                                 counter_rows(by_ms, "member_state", NULL, NULL), "by_batch",
                                 counter_rows(by_batch, "product", "batch", NULL),
                                 "patched", "devices", (json_int_t) patched, "by_release",
                                 counter_rows(patched_by_release, "product", "version", NULL),
                                 "devices", page);
        else {
                json_decref(products);
                json_decref(by_product);
        }
        json_decref(by_release);
        json_decref(by_hw);
        json_decref(by_batch);
        json_decref(by_ms);
        json_decref(patched_by_release);
        products_free(ps, np);
        store_exposure_findings_free(fs, nf);
        return rc;
}

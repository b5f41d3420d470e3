/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What the renderer needs from the store for one case: the products and
 * releases it names (affected ones and the fix) with their images, and the
 * names of the categories. Shared by the draft and the publication.
 */
#include <string.h>
#include <strings.h>

#include "core/cleanup.h"
#include "core/strutil.h"
#include "csaf/csaf-internal.h"
#include "store/store-product.h"
#include "store/store-release.h"

const char *csaf_category_name(enum csaf_category c) {
        return c == CSAF_CATEGORY_VEX ? "vex" : "security_advisory";
}

const char *csaf_category_document(enum csaf_category c) {
        return c == CSAF_CATEGORY_VEX ? "csaf_vex" : "csaf_security_advisory";
}

int csaf_category_parse(const char *s, enum csaf_category *out, struct error *err) {
        if (str_eq(s, "security_advisory") || str_eq(s, "csaf_security_advisory"))
                *out = CSAF_CATEGORY_ADVISORY;
        else if (str_eq(s, "vex") || str_eq(s, "csaf_vex"))
                *out = CSAF_CATEGORY_VEX;
        else
                return error_set(err, ERROR_INVALID, "advisory type '%.32s': not one of security_advisory, vex",
                                 s ? s : "");
        return 0;
}

void csaf_case_input_free(struct csaf_case_input *x) {
        case_info_free(&x->c);
        store_product_list_free(x->products, x->n_products);
        for (size_t i = 0; i < x->n_releases; i++) {
                store_release_clear(&x->releases[i]);
                store_release_images_free(x->images[i], x->n_images[i]);
        }
        free(x->releases);
        free(x->images);
        free(x->n_images);
        free(x->rel_in);
        free(x->tracking_id);
        for (size_t i = 0; x->finding_details && i < x->n_releases; i++)
                free(x->finding_details[i]);
        free(x->finding_details);
        memset(x, 0, sizeof(*x));
}

static bool have_product(const struct csaf_case_input *x, int64_t id) {
        for (size_t i = 0; i < x->n_products; i++)
                if (x->products[i].id == id)
                        return true;
        return false;
}

static int add_product(struct store *s, struct csaf_case_input *x, int64_t id, struct error *err) {
        if (!id || have_product(x, id))
                return 0;
        x->products = xrealloc(x->products, (x->n_products + 1) * sizeof(*x->products));
        if (store_product_get(s, id, &x->products[x->n_products], err) < 0)
                return -1;
        x->n_products++;
        return 0;
}

static int add_release(struct store *s, struct csaf_case_input *x, int64_t id, struct error *err) {
        if (!id)
                return 0;
        for (size_t i = 0; i < x->n_releases; i++)
                if (x->releases[i].id == id)
                        return 0;
        size_t n = x->n_releases;
        x->releases = xrealloc(x->releases, (n + 1) * sizeof(*x->releases));
        x->images = xrealloc(x->images, (n + 1) * sizeof(*x->images));
        x->n_images = xrealloc(x->n_images, (n + 1) * sizeof(*x->n_images));
        x->images[n] = NULL;
        x->n_images[n] = 0;
        if (store_release_get(s, id, &x->releases[n], err) < 0)
                return -1;
        x->n_releases++;
        if (store_release_images(s, id, &x->images[n], &x->n_images[n], err) < 0)
                return -1;
        return add_product(s, x, x->releases[n].product_id, err);
}

int csaf_case_input_load(struct store *s, const char *ref, enum csaf_category cat, struct csaf_case_input *x,
                         struct error *err) {
        memset(x, 0, sizeof(*x));
        if (case_get(s, ref, &x->c, err) < 0)
                return -1;
        for (size_t i = 0; i < x->c.naffected; i++)
                if (add_product(s, x, x->c.affected[i].product_id, err) < 0 ||
                    add_release(s, x, x->c.affected[i].release_id, err) < 0)
                        return -1;
        if (add_release(s, x, x->c.fix_release_id, err) < 0)
                return -1;
        x->rel_in = xcalloc(x->n_releases ? x->n_releases : 1, sizeof(*x->rel_in));
        for (size_t i = 0; i < x->n_releases; i++)
                x->rel_in[i] = (struct csaf_release_in){
                        .release = &x->releases[i], .images = x->images[i], .n_images = x->n_images[i]};
        x->category = cat;
        x->tracking_id = cat == CSAF_CATEGORY_VEX ? str_printf("CRADLE-VEX-%s", x->c.reference)
                                                  : csaf_tracking_id(&x->c);
        return csaf_case_findings_load(s, x, err);
}

int csaf_case_input_fill(const struct csaf_case_input *x, const struct csaf_config *cfg, enum csaf_status status,
                         const char *tlp, const struct csaf_revision *revs, size_t n_revs, struct csaf_advisory_in *in,
                         char **canonical_base, struct error *err) {
        *canonical_base = NULL;
        if (!cfg || !cfg->base_url || !*cfg->base_url)
                return error_set(err, ERROR_INVALID,
                                 "CSAF: [csaf] base_url is not set in cradled.conf (the https URL the provider "
                                 "directory is reached at; it goes into every advisory)");
        const char *publisher = cfg->publisher_name && *cfg->publisher_name ? cfg->publisher_name : NULL;
        for (size_t i = 0; !publisher && i < x->n_products; i++)
                if (x->products[i].manufacturer_name && *x->products[i].manufacturer_name)
                        publisher = x->products[i].manufacturer_name;
        if (!publisher)
                return error_set(err, ERROR_INVALID,
                                 "CSAF: no publisher name: set [csaf] publisher_name or the product's manufacturer");
        *canonical_base = str_printf("%s%s/%s", cfg->base_url, CSAF_WELL_KNOWN, CSAF_PUBLIC);
        *in = (struct csaf_advisory_in){
                .c = &x->c,
                .products = x->products,
                .n_products = x->n_products,
                .releases = x->rel_in,
                .n_releases = x->n_releases,
                .publisher_name = publisher,
                .publisher_namespace = cfg->publisher_namespace && *cfg->publisher_namespace ? cfg->publisher_namespace
                                                                                              : cfg->base_url,
                .canonical_base = *canonical_base,
                .tlp = tlp,
                .status = status,
                .revisions = revs,
                .n_revisions = n_revs,
                .category = csaf_category_document(x->category),
                .tracking_id = x->tracking_id,
        };
        return 0;
}

char *csaf_document_bytes(json_t *doc) {
        char *text = json_dumps(doc, JSON_INDENT(2) | JSON_SORT_KEYS);
        if (!text)
                abort();
        char *out = str_printf("%s\n", text);
        free(text);
        return out;
}

int csaf_case_draft(struct store *s, const struct csaf_config *cfg, const char *ref, enum csaf_category cat,
                    int64_t now, char **doc, struct error *err) {
        *doc = NULL;
        struct csaf_case_input x;
        int rc = csaf_case_input_load(s, ref, cat, &x, err);
        struct store_csaf_revision *revs = NULL;
        size_t n = 0;
        if (rc == 0)
                rc = csaf_case_revisions(s, &x, &revs, &n, err);
        if (rc == 0) {
                struct csaf_revision *rv = xcalloc(n + 1, sizeof(*rv));
                for (size_t i = 0; i < n; i++)
                        rv[i] = (struct csaf_revision){revs[i].published_at, revs[i].summary};
                rv[n] = (struct csaf_revision){now, n ? "Draft of the next revision." : "Initial release (draft)."};
                const char *tlp = n ? revs[n - 1].tlp : "WHITE";
                struct csaf_advisory_in in;
                _cleanup_free_ char *base = NULL;
                _cleanup_json_ json_t *d = NULL;
                rc = csaf_case_input_fill(&x, cfg, CSAF_DRAFT, tlp, rv, n + 1, &in, &base, err);
                if (rc == 0)
                        rc = csaf_advisory_render(&in, &d, err);
                if (rc == 0)
                        *doc = csaf_document_bytes(d);
                free(rv);
        }
        store_csaf_revisions_free(revs, n);
        csaf_case_input_free(&x);
        return rc;
}

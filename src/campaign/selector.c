/* SPDX-License-Identifier: Apache-2.0 */
/* The campaign selector: JSON in, a store selector out (selector.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "campaign/selector.h"
#include "core/cleanup.h"
#include "core/json.h"
#include "core/strutil.h"
#include "core/time.h"

static const struct cr_json_field selector_fields[] = {
        { .name = "product", .type = CR_JSON_STRING, .required = true, .max_len = 64 },
        { .name = "hardware_revisions", .type = CR_JSON_STRING_ARRAY, .max_len = CAMPAIGN_SELECTOR_LIST_MAX },
        { .name = "tags", .type = CR_JSON_OBJECT },
        { .name = "serials", .type = CR_JSON_STRING_ARRAY, .max_len = CAMPAIGN_SELECTOR_SERIALS_MAX },
        { .name = "installed_version", .type = CR_JSON_OBJECT },
        { .name = "batches", .type = CR_JSON_STRING_ARRAY, .max_len = CAMPAIGN_SELECTOR_LIST_MAX },
        { .name = "production_date", .type = CR_JSON_OBJECT },
        { .name = "member_states", .type = CR_JSON_STRING_ARRAY, .max_len = CAMPAIGN_SELECTOR_LIST_MAX },
        { .name = "last_seen", .type = CR_JSON_OBJECT },
        { .name = "affected_by", .type = CR_JSON_STRING, .max_len = 64 }, /* issue 9 */
};

/* A list value: 1..64 visible ASCII characters, no duplicates in its list. */
static int item_check(const char *field, size_t i, const char *v, json_t *list, struct error *err) {
        size_t n = strlen(v);
        if (n == 0 || n > 64)
                return error_set(err, ERROR_INVALID, "selector.%s[%zu]: must be 1..64 characters", field, i);
        for (size_t k = 0; k < n; k++)
                if ((unsigned char) v[k] <= 0x20 || (unsigned char) v[k] >= 0x7f)
                        return error_set(err, ERROR_INVALID,
                                         "selector.%s[%zu]: only visible ASCII characters (no spaces)", field, i);
        for (size_t k = 0; k < i; k++)
                if (str_eq(json_string_value(json_array_get(list, k)), v))
                        return error_set(err, ERROR_INVALID, "selector.%s: '%s' is given twice", field, v);
        return 0;
}

/* Copies a string list into sel storage (lists are json-owned strings). */
static int take_list(struct campaign_selector *s, size_t *used, const char *field, json_t *list, bool member_states,
                     struct store_strlist *out, struct error *err) {
        size_t i, n = json_array_size(list);
        json_t *v;
        if (!list)
                return 0;
        if (n == 0)
                return error_set(err, ERROR_INVALID, "selector.%s: give at least one value or leave it out", field);
        json_array_foreach(list, i, v) {
                const char *str = json_string_value(v);
                if (item_check(field, i, str, list, err) < 0)
                        return -1;
                if (member_states && !(strlen(str) == 2 && str[0] >= 'A' && str[0] <= 'Z' && str[1] >= 'A' &&
                                       str[1] <= 'Z'))
                        return error_set(err, ERROR_INVALID,
                                         "selector.%s[%zu]: '%s' is not an ISO 3166-1 alpha-2 code (two capitals)",
                                         field, i, str);
                s->lists[*used + i] = str;
        }
        out->v = &s->lists[*used];
        out->n = n;
        *used += n;
        return 0;
}

static int tags_parse(struct campaign_selector *s, size_t *used, json_t *tags, struct error *err) {
        static const struct cr_json_field fields[] = {
                { .name = "any", .type = CR_JSON_STRING_ARRAY, .max_len = CAMPAIGN_SELECTOR_LIST_MAX },
                { .name = "all", .type = CR_JSON_STRING_ARRAY, .max_len = CAMPAIGN_SELECTOR_LIST_MAX },
        };
        if (!tags)
                return 0;
        if (cr_json_check_object("selector.tags", tags, fields, ELEMENTSOF(fields), err) < 0)
                return -1;
        json_t *any = json_object_get(tags, "any"), *all = json_object_get(tags, "all");
        if ((any != NULL) == (all != NULL))
                return error_set(err, ERROR_INVALID, "selector.tags: give either 'any' or 'all', not %s",
                                 any ? "both" : "neither");
        return any ? take_list(s, used, "tags.any", any, false, &s->sel.tags_any, err)
                   : take_list(s, used, "tags.all", all, false, &s->sel.tags_all, err);
}

static int version_parse(struct campaign_selector *s, json_t *v, struct error *err) {
        static const struct cr_json_field fields[] = {
                { .name = "exact", .type = CR_JSON_STRING, .max_len = 64 },
                { .name = "min", .type = CR_JSON_STRING, .max_len = 64 },
                { .name = "below", .type = CR_JSON_STRING, .max_len = 64 },
        };
        if (!v)
                return 0;
        if (cr_json_check_object("selector.installed_version", v, fields, ELEMENTSOF(fields), err) < 0)
                return -1;
        const char *exact = cr_json_get_string(v, "exact"), *min = cr_json_get_string(v, "min"),
                   *below = cr_json_get_string(v, "below");
        if (exact && (min || below))
                return error_set(err, ERROR_INVALID,
                                 "selector.installed_version: give 'exact', or a range with 'min' and/or 'below'");
        if (!exact && !min && !below)
                return error_set(err, ERROR_INVALID,
                                 "selector.installed_version: give 'exact', or a range with 'min' and/or 'below'");
        const struct {
                const char *name, *value;
                char *key;
        } parts[] = { { "exact", exact, NULL }, { "min", min, s->version_min_key }, { "below", below, s->version_below_key } };
        for (size_t i = 0; i < ELEMENTSOF(parts); i++) {
                if (!parts[i].value)
                        continue;
                char tmp[VERSION_KEY_MAX];
                size_t n = strlen(parts[i].value);
                bool ok = n > 0;
                for (size_t k = 0; k < n; k++)
                        if ((unsigned char) parts[i].value[k] <= 0x20 || (unsigned char) parts[i].value[k] >= 0x7f)
                                ok = false;
                if (!ok || version_sort_key(parts[i].value, parts[i].key ? parts[i].key : tmp, VERSION_KEY_MAX) == 0)
                        return error_set(err, ERROR_INVALID,
                                         "selector.installed_version.%s: a version is 1..64 visible ASCII characters",
                                         parts[i].name);
        }
        if (min && below && strcmp(s->version_min_key, s->version_below_key) >= 0)
                return error_set(err, ERROR_INVALID,
                                 "selector.installed_version: 'min' (%s) must be lower than 'below' (%s)", min, below);
        s->sel.version_exact = exact;
        s->sel.version_min_key = min ? s->version_min_key : NULL;
        s->sel.version_below_key = below ? s->version_below_key : NULL;
        return 0;
}

static int dates_parse(struct campaign_selector *s, json_t *v, struct error *err) {
        static const struct cr_json_field fields[] = {
                { .name = "from", .type = CR_JSON_STRING, .max_len = 10 },
                { .name = "to", .type = CR_JSON_STRING, .max_len = 10 },
        };
        if (!v)
                return 0;
        if (cr_json_check_object("selector.production_date", v, fields, ELEMENTSOF(fields), err) < 0)
                return -1;
        const char *from = cr_json_get_string(v, "from"), *to = cr_json_get_string(v, "to");
        int64_t tf = 0, tt = 0;
        struct error e2 = {0};
        if (!from && !to)
                return error_set(err, ERROR_INVALID, "selector.production_date: give 'from' and/or 'to'");
        if (from && time_parse_date(from, &tf, &e2) < 0)
                return error_set(err, ERROR_INVALID, "selector.production_date.from: expected YYYY-MM-DD");
        if (to && time_parse_date(to, &tt, &e2) < 0)
                return error_set(err, ERROR_INVALID, "selector.production_date.to: expected YYYY-MM-DD");
        if (from && to && tf > tt)
                return error_set(err, ERROR_INVALID, "selector.production_date: 'from' is after 'to'");
        s->sel.production_from = from;
        s->sel.production_to = to;
        return 0;
}

static int last_seen_parse(struct campaign_selector *s, json_t *v, struct error *err) {
        static const struct cr_json_field fields[] = {
                { .name = "after", .type = CR_JSON_STRING, .max_len = 40 },
                { .name = "before", .type = CR_JSON_STRING, .max_len = 40 },
        };
        if (!v)
                return 0;
        if (cr_json_check_object("selector.last_seen", v, fields, ELEMENTSOF(fields), err) < 0)
                return -1;
        const char *after = cr_json_get_string(v, "after"), *before = cr_json_get_string(v, "before");
        struct error e2 = {0};
        if (!after && !before)
                return error_set(err, ERROR_INVALID, "selector.last_seen: give 'after' and/or 'before'");
        if (after && (time_parse_rfc3339(after, &s->sel.last_seen_after, &e2) < 0 || s->sel.last_seen_after <= 0))
                return error_set(err, ERROR_INVALID, "selector.last_seen.after: expected an RFC 3339 time");
        if (before && (time_parse_rfc3339(before, &s->sel.last_seen_before, &e2) < 0 || s->sel.last_seen_before <= 0))
                return error_set(err, ERROR_INVALID, "selector.last_seen.before: expected an RFC 3339 time");
        if (after && before && s->sel.last_seen_after >= s->sel.last_seen_before)
                return error_set(err, ERROR_INVALID, "selector.last_seen: 'after' must be earlier than 'before'");
        return 0;
}

/* issue 9: a vulnerability id (CVE, GHSA, OSV, EUVD): visible ASCII. An
 * unknown one selects no device (it is resolved when the selector runs). */
static int affected_by_parse(struct campaign_selector *s, const char *v, struct error *err) {
        if (!v)
                return 0;
        size_t n = strlen(v);
        if (n == 0)
                return error_set(err, ERROR_INVALID, "selector.affected_by: give a vulnerability id, e.g. CVE-2024-3094");
        for (size_t k = 0; k < n; k++)
                if ((unsigned char) v[k] <= 0x20 || (unsigned char) v[k] >= 0x7f)
                        return error_set(err, ERROR_INVALID,
                                         "selector.affected_by: only visible ASCII characters (a vulnerability id)");
        s->sel.affected_by = v;
        return 0;
}

int campaign_selector_parse(json_t *in, struct campaign_selector *out, struct error *err) {
        memset(out, 0, sizeof(*out));
        if (!json_is_object(in))
                return error_set(err, ERROR_INVALID, "field 'selector': expected an object");
        out->doc = json_deep_copy(in);
        if (cr_json_check_object("selector", out->doc, selector_fields, ELEMENTSOF(selector_fields), err) < 0)
                goto fail;
        json_t *d = out->doc;
        size_t total = json_array_size(json_object_get(d, "hardware_revisions")) +
                       json_array_size(json_object_get(d, "serials")) + json_array_size(json_object_get(d, "batches")) +
                       json_array_size(json_object_get(d, "member_states")) + 2 * CAMPAIGN_SELECTOR_LIST_MAX;
        out->lists = xcalloc(total, sizeof(*out->lists));
        size_t used = 0;
        out->product = cr_json_get_string(d, "product");
        if (!*out->product) {
                error_set(err, ERROR_INVALID, "selector.product: must not be empty");
                goto fail;
        }
        if (take_list(out, &used, "hardware_revisions", json_object_get(d, "hardware_revisions"), false,
                      &out->sel.hardware_revisions, err) < 0 ||
            tags_parse(out, &used, json_object_get(d, "tags"), err) < 0 ||
            take_list(out, &used, "serials", json_object_get(d, "serials"), false, &out->sel.serials, err) < 0 ||
            version_parse(out, json_object_get(d, "installed_version"), err) < 0 ||
            take_list(out, &used, "batches", json_object_get(d, "batches"), false, &out->sel.batches, err) < 0 ||
            dates_parse(out, json_object_get(d, "production_date"), err) < 0 ||
            take_list(out, &used, "member_states", json_object_get(d, "member_states"), true,
                      &out->sel.member_states, err) < 0 ||
            last_seen_parse(out, json_object_get(d, "last_seen"), err) < 0 ||
            affected_by_parse(out, cr_json_get_string(d, "affected_by"), err) < 0)
                goto fail;
        return 0;
fail:
        campaign_selector_clear(out);
        return -1;
}

void campaign_selector_clear(struct campaign_selector *s) {
        if (!s)
                return;
        json_decref(s->doc);
        free(s->lists);
        memset(s, 0, sizeof(*s));
}

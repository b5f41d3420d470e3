/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Products. A request body is checked for shape (cr_json_check_object: types,
 * unknown fields), applied onto a draft (an empty one for create, the stored
 * product for update, so a PATCH merges field by field, also inside
 * manufacturer and support), and the whole draft is then validated. Validating
 * the merged result is what makes the five-year rule hold after a PATCH that
 * only moves support.end.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/cleanup.h"
#include "core/json.h"
#include "core/strutil.h"
#include "core/time.h"
#include "product/product.h"
#include "store/store-product.h"

#define PRODUCT_NAME_MAX 200
#define PRODUCT_MODEL_MAX 64
#define MANUFACTURER_NAME_MAX 200
#define MANUFACTURER_ADDRESS_MAX 1000
#define MANUFACTURER_CONTACT_MAX 320
#define JUSTIFICATION_MAX 4000
#define SUPPORT_MIN_YEARS 5

/* EU-27, ISO 3166-1 alpha-2, sorted. */
static const char *const eu_member_states[] = {
        "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU",
        "IE", "IT", "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK",
};
#define EU_MEMBER_STATES_N (sizeof(eu_member_states) / sizeof(eu_member_states[0]))

bool product_member_state_valid(const char *code) {
        if (!code)
                return false;
        for (size_t i = 0; i < EU_MEMBER_STATES_N; i++)
                if (strcmp(eu_member_states[i], code) == 0)
                        return true;
        return false;
}

static void product_clearp(struct store_product *p) {
        store_product_clear(p);
}
#define _cleanup_product_ _cleanup_(product_clearp)

/* ---- JSON out ---- */

static json_t *member_states_json(const struct store_product *p) {
        json_t *a = json_array();
        for (size_t i = 0; i < p->n_member_states; i++)
                json_array_append_new(a, json_string(p->member_states[i]));
        return a;
}

static json_t *product_to_json(const struct store_product *p) {
        char created[TIME_RFC3339_LEN], updated[TIME_RFC3339_LEN];
        time_format_rfc3339(p->created_at, created);
        time_format_rfc3339(p->updated_at, updated);
        return json_pack("{s:I, s:s, s:s, s:{s:s, s:s, s:s}, s:{s:s, s:s, s:o}, s:o, s:s, s:s}",
                         "id", (json_int_t) p->id,
                         "name", p->name,
                         "model", p->model,
                         "manufacturer",
                         "name", p->manufacturer_name,
                         "address", p->manufacturer_address,
                         "contact", p->manufacturer_contact,
                         "support",
                         "start", p->support_start,
                         "end", p->support_end,
                         "justification",
                         p->support_justification ? json_string(p->support_justification) : json_null(),
                         "member_states", member_states_json(p),
                         "created_at", created,
                         "updated_at", updated);
}

/* ---- shape of a request ---- */

static const char *const read_only_fields[] = {"id", "created_at", "updated_at"};

/* Byte limits here are 4 per character (the most UTF-8 needs), so the
 * character-count checks in validate() are the ones a user meets. */
static int check_shape(json_t *body, bool create, struct error *err) {
        if (!json_is_object(body))
                return error_set(err, ERROR_INVALID, "product: expected a JSON object");
        for (size_t i = 0; i < ELEMENTSOF(read_only_fields); i++)
                if (json_object_get(body, read_only_fields[i]))
                        return error_set(err, ERROR_INVALID, "%s: is set by the server and cannot be given",
                                         read_only_fields[i]);
        const struct cr_json_field top[] = {
                {"name", CR_JSON_STRING, create, 4 * PRODUCT_NAME_MAX, false},
                {"model", CR_JSON_STRING, create, 4 * PRODUCT_MODEL_MAX, false},
                {"manufacturer", CR_JSON_OBJECT, create, 0, false},
                {"support", CR_JSON_OBJECT, create, 0, false},
                {"member_states", CR_JSON_STRING_ARRAY, create, 64, false},
        };
        if (cr_json_check_object("product", body, top, ELEMENTSOF(top), err) < 0)
                return -1;
        json_t *m = json_object_get(body, "manufacturer");
        if (m) {
                const struct cr_json_field mf[] = {
                        {"name", CR_JSON_STRING, create, 4 * MANUFACTURER_NAME_MAX, false},
                        {"address", CR_JSON_STRING, create, 4 * MANUFACTURER_ADDRESS_MAX, false},
                        {"contact", CR_JSON_STRING, create, 4 * MANUFACTURER_CONTACT_MAX, false},
                };
                if (cr_json_check_object("manufacturer", m, mf, ELEMENTSOF(mf), err) < 0)
                        return -1;
        }
        json_t *s = json_object_get(body, "support");
        if (s) {
                const struct cr_json_field sf[] = {
                        {"start", CR_JSON_STRING, false, 0, false},
                        {"end", CR_JSON_STRING, create, 0, false},
                        {"justification", CR_JSON_STRING, false, 4 * JUSTIFICATION_MAX, true},
                };
                if (cr_json_check_object("support", s, sf, ELEMENTSOF(sf), err) < 0)
                        return -1;
        }
        return 0;
}

/* ---- applying a body onto a draft ---- */

/* Replaces *dst with the string at obj[key] if present. Refuses embedded NULs,
 * which a C string would silently cut. */
static int take_string(json_t *obj, const char *key, const char *field, char **dst,
                       struct error *err) {
        json_t *v = json_object_get(obj, key);
        if (!v)
                return 0;
        if (json_is_null(v)) {
                free(*dst);
                *dst = NULL;
                return 0;
        }
        const char *s = json_string_value(v);
        if (!s)
                return error_set(err, ERROR_INVALID, "%s: expected a string", field);
        if (strlen(s) != json_string_length(v))
                return error_set(err, ERROR_INVALID, "%s: contains a NUL character", field);
        free(*dst);
        *dst = str_dup(s);
        return 0;
}

static int apply_body(json_t *body, struct store_product *d, struct error *err) {
        json_t *m = json_object_get(body, "manufacturer");
        json_t *s = json_object_get(body, "support");
        if (take_string(body, "name", "name", &d->name, err) < 0 ||
            take_string(body, "model", "model", &d->model, err) < 0 ||
            (m && take_string(m, "name", "manufacturer.name", &d->manufacturer_name, err) < 0) ||
            (m && take_string(m, "address", "manufacturer.address", &d->manufacturer_address, err) < 0) ||
            (m && take_string(m, "contact", "manufacturer.contact", &d->manufacturer_contact, err) < 0) ||
            (s && take_string(s, "start", "support.start", &d->support_start, err) < 0) ||
            (s && take_string(s, "end", "support.end", &d->support_end, err) < 0) ||
            (s && take_string(s, "justification", "support.justification", &d->support_justification,
                              err) < 0))
                return -1;
        json_t *ms = json_object_get(body, "member_states");
        if (ms) {
                for (size_t i = 0; i < d->n_member_states; i++)
                        free(d->member_states[i]);
                free(d->member_states);
                d->n_member_states = json_array_size(ms);
                d->member_states = xcalloc(d->n_member_states ? d->n_member_states : 1, sizeof(char *));
                for (size_t i = 0; i < d->n_member_states; i++) {
                        json_t *v = json_array_get(ms, i);
                        if (strlen(json_string_value(v)) != json_string_length(v))
                                return error_set(err, ERROR_INVALID, "member_states: contains a NUL character");
                        d->member_states[i] = str_dup(json_string_value(v));
                }
        }
        return 0;
}

/* ---- validating a draft ---- */

static size_t utf8_chars(const char *s) {
        size_t n = 0;
        for (; *s; s++)
                if (((unsigned char) *s & 0xc0) != 0x80)
                        n++;
        return n;
}

/* Control characters: none at all, or only tab and line breaks (multi-line fields). */
static bool has_control(const char *s, bool multiline) {
        for (; *s; s++) {
                unsigned char c = (unsigned char) *s;
                if (multiline && (c == '\n' || c == '\r' || c == '\t'))
                        continue;
                if (c < 0x20 || c == 0x7f)
                        return true;
        }
        return false;
}

static int check_text(const char *field, const char *v, size_t max_chars, bool multiline,
                      struct error *err) {
        if (!v || !*v)
                return error_set(err, ERROR_INVALID, "%s: is required and must not be empty", field);
        size_t n = utf8_chars(v);
        if (n > max_chars)
                return error_set(err, ERROR_INVALID, "%s: is %zu characters long; at most %zu are allowed",
                                 field, n, max_chars);
        if (has_control(v, multiline))
                return error_set(err, ERROR_INVALID, "%s: '%.64s' contains a control character", field, v);
        return 0;
}

static bool model_valid(const char *m) {
        size_t n = strlen(m);
        if (n < 1 || n > PRODUCT_MODEL_MAX)
                return false;
        for (size_t i = 0; i < n; i++) {
                char c = m[i];
                if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                      c == '.' || c == '_' || c == '-'))
                        return false;
        }
        return true;
}

static bool host_char(char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
               c == '-' || c == '.';
}

/* A DNS name with at least two labels: "example.com". */
static bool domain_valid(const char *d, size_t n) {
        if (n < 3 || n > 253 || d[0] == '.' || d[n - 1] == '.' || d[0] == '-')
                return false;
        bool dot = false;
        for (size_t i = 0; i < n; i++) {
                if (!host_char(d[i]))
                        return false;
                if (d[i] == '.') {
                        if (d[i + 1] == '.')
                                return false;
                        dot = true;
                }
        }
        return dot;
}

static bool email_valid(const char *s) {
        const char *at = strchr(s, '@');
        if (!at || at == s || strchr(at + 1, '@'))
                return false;
        for (const char *p = s; p < at; p++)
                if ((unsigned char) *p <= 0x20 || *p == 0x7f || strchr("\"(),:;<>[\\]", *p))
                        return false;
        return domain_valid(at + 1, strlen(at + 1));
}

static bool url_valid(const char *s) {
        const char *rest;
        if (str_startswith(s, "https://"))
                rest = s + 8;
        else if (str_startswith(s, "http://"))
                rest = s + 7;
        else
                return false;
        size_t host = 0;
        if (rest[0] == '[') { /* IPv6 literal */
                const char *close = strchr(rest, ']');
                if (!close || close == rest + 1)
                        return false;
                host = (size_t) (close - rest) + 1;
        } else
                while (host_char(rest[host]))
                        host++;
        if (host == 0)
                return false;
        const char *p = rest + host;
        if (*p == ':') /* port */
                for (p++; *p >= '0' && *p <= '9'; p++)
                        ;
        if (*p && *p != '/' && *p != '?' && *p != '#')
                return false;
        for (; *p; p++)
                if ((unsigned char) *p <= 0x20 || *p == 0x7f)
                        return false;
        return true;
}

static bool contact_valid(const char *s) {
        if (str_startswith(s, "mailto:"))
                return email_valid(s + 7);
        return email_valid(s) || url_valid(s);
}

static int cmp_str(const void *a, const void *b) {
        return strcmp(*(char *const *) a, *(char *const *) b);
}

static bool is_lower_alpha2(const char *c) {
        return strlen(c) == 2 && c[0] >= 'a' && c[0] <= 'z' && c[1] >= 'a' && c[1] <= 'z';
}

static int check_member_state(const char *c, struct error *err) {
        if (product_member_state_valid(c))
                return 0;
        const char *hint = "";
        char upper[3] = {0};
        if (strcmp(c, "EL") == 0)
                hint = "; Greece is 'GR' in ISO 3166-1 ('EL' is the EU's own abbreviation)";
        else if (strcmp(c, "UK") == 0 || strcmp(c, "GB") == 0)
                hint = "; the United Kingdom is not an EU member state";
        else if (is_lower_alpha2(c)) {
                upper[0] = (char) (c[0] - 'a' + 'A');
                upper[1] = (char) (c[1] - 'a' + 'A');
                if (product_member_state_valid(upper))
                        return error_set(err, ERROR_INVALID, "member_states: '%s' is not an EU member state "
                                         "code (ISO 3166-1 alpha-2); codes are upper case: '%s'", c, upper);
        }
        return error_set(err, ERROR_INVALID,
                         "member_states: '%.16s' is not an EU member state code (ISO 3166-1 alpha-2)%s", c, hint);
}

static int check_member_states(struct store_product *d, struct error *err) {
        if (d->n_member_states == 0)
                return error_set(err, ERROR_INVALID, "member_states: at least one EU member state is required");
        for (size_t i = 0; i < d->n_member_states; i++)
                if (check_member_state(d->member_states[i], err) < 0)
                        return -1;
        qsort(d->member_states, d->n_member_states, sizeof(char *), cmp_str);
        for (size_t i = 1; i < d->n_member_states; i++)
                if (strcmp(d->member_states[i - 1], d->member_states[i]) == 0)
                        return error_set(err, ERROR_INVALID, "member_states: '%s' is listed more than once",
                                         d->member_states[i]);
        return 0;
}

/* Parses a date field and rewrites it in its canonical spelling. */
static int check_date(const char *field, char **v, int64_t *out, struct error *err) {
        if (!*v)
                return error_set(err, ERROR_INVALID, "%s: is required (a date, YYYY-MM-DD)", field);
        struct error e = {0};
        if (time_parse_date(*v, out, &e) < 0)
                return error_set(err, ERROR_INVALID, "%s: '%.32s' is not a date (YYYY-MM-DD): %s", field, *v,
                                 e.msg);
        char canon[TIME_DATE_LEN];
        time_format_date(*out, canon);
        free(*v);
        *v = str_dup(canon);
        return 0;
}

static bool blank(const char *s) {
        if (!s)
                return true;
        for (; *s; s++)
                if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r')
                        return false;
        return true;
}

static int validate(struct store_product *d, struct error *err) {
        if (check_text("name", d->name, PRODUCT_NAME_MAX, false, err) < 0)
                return -1;
        if (!d->model || !model_valid(d->model))
                return error_set(err, ERROR_INVALID, "model: '%.80s' must be 1..64 characters of "
                                 "A-Z a-z 0-9 . _ -", d->model ? d->model : "");
        if (check_text("manufacturer.name", d->manufacturer_name, MANUFACTURER_NAME_MAX, false, err) < 0 ||
            check_text("manufacturer.address", d->manufacturer_address, MANUFACTURER_ADDRESS_MAX, true, err) < 0 ||
            check_text("manufacturer.contact", d->manufacturer_contact, MANUFACTURER_CONTACT_MAX, false, err) < 0)
                return -1;
        if (!contact_valid(d->manufacturer_contact))
                return error_set(err, ERROR_INVALID, "manufacturer.contact: '%.80s' is neither an email "
                                 "address nor an http(s) URL", d->manufacturer_contact);
        int64_t start, end;
        if (check_date("support.start", &d->support_start, &start, err) < 0 ||
            check_date("support.end", &d->support_end, &end, err) < 0)
                return -1;
        if (end <= start)
                return error_set(err, ERROR_INVALID, "support.end: %s must be after support.start %s",
                                 d->support_end, d->support_start);
        if (d->support_justification) {
                if (!*d->support_justification) {
                        free(d->support_justification); /* "" means none */
                        d->support_justification = NULL;
                } else if (check_text("support.justification", d->support_justification, JUSTIFICATION_MAX,
                                      true, err) < 0)
                        return -1;
        }
        if (end < time_add_years(start, SUPPORT_MIN_YEARS) && blank(d->support_justification))
                return error_set(err, ERROR_INVALID,
                                 "support.justification: required because the support period %s to %s is "
                                 "shorter than five years; CRA Art. 13(8) allows that only when the product "
                                 "is expected to be in use for less time, and the reason must be recorded",
                                 d->support_start, d->support_end);
        return check_member_states(d, err);
}

/* ---- create ---- */

int product_create(struct store *s, const struct audit_actor *actor, json_t *body,
                   json_t **out, struct error *err) {
        *out = NULL;
        if (check_shape(body, true, err) < 0)
                return -1;
        _cleanup_product_ struct store_product d = {0};
        if (apply_body(body, &d, err) < 0)
                return -1;
        if (!d.support_start) {
                char today[TIME_DATE_LEN];
                time_format_date(time_now(), today);
                d.support_start = str_dup(today);
        }
        if (validate(&d, err) < 0)
                return -1;
        d.created_at = d.updated_at = time_now();

        if (store_tx_begin(s, err) < 0)
                return -1;
        int64_t id;
        _cleanup_product_ struct store_product stored = {0};
        _cleanup_json_ json_t *j = NULL;
        char object[32];
        if (store_product_insert(s, &d, &id, err) < 0 || store_product_get(s, id, &stored, err) < 0)
                goto fail;
        j = product_to_json(&stored);
        snprintf(object, sizeof(object), "product:%lld", (long long) id);
        if (!j) {
                error_set(err, ERROR_INTERNAL, "product %lld cannot be rendered as JSON", (long long) id);
                goto fail;
        }
        if (audit_append(s, actor, "product.create", object, j, err) < 0)
                goto fail;
        if (store_tx_commit(s, err) < 0)
                return -1;
        *out = steal_ptr(j);
        return 0;
fail:
        store_tx_rollback(s);
        return -1;
}

/* ---- update ---- */

static void change_add(json_t *changes, const char *field, json_t *from, json_t *to) {
        json_object_set_new(changes, field, json_pack("{s:o, s:o}", "from", from, "to", to));
}

static json_t *str_or_null(const char *s) {
        return s ? json_string(s) : json_null();
}

static void diff_string(json_t *changes, const char *field, const char *a, const char *b) {
        if (!str_eq(a, b))
                change_add(changes, field, str_or_null(a), str_or_null(b));
}

static json_t *diff(const struct store_product *a, const struct store_product *b) {
        json_t *c = json_object();
        diff_string(c, "name", a->name, b->name);
        diff_string(c, "model", a->model, b->model);
        diff_string(c, "manufacturer.name", a->manufacturer_name, b->manufacturer_name);
        diff_string(c, "manufacturer.address", a->manufacturer_address, b->manufacturer_address);
        diff_string(c, "manufacturer.contact", a->manufacturer_contact, b->manufacturer_contact);
        diff_string(c, "support.start", a->support_start, b->support_start);
        diff_string(c, "support.end", a->support_end, b->support_end);
        diff_string(c, "support.justification", a->support_justification, b->support_justification);
        bool same = a->n_member_states == b->n_member_states;
        for (size_t i = 0; same && i < a->n_member_states; i++)
                same = strcmp(a->member_states[i], b->member_states[i]) == 0;
        if (!same)
                change_add(c, "member_states", member_states_json(a), member_states_json(b));
        return c;
}

static void product_copy(struct store_product *dst, const struct store_product *src) {
        *dst = (struct store_product){
                .id = src->id,
                .name = str_dup(src->name),
                .model = str_dup(src->model),
                .manufacturer_name = str_dup(src->manufacturer_name),
                .manufacturer_address = str_dup(src->manufacturer_address),
                .manufacturer_contact = str_dup(src->manufacturer_contact),
                .support_start = str_dup(src->support_start),
                .support_end = str_dup(src->support_end),
                .support_justification = str_dup(src->support_justification),
                .n_member_states = src->n_member_states,
                .member_states = xcalloc(src->n_member_states ? src->n_member_states : 1, sizeof(char *)),
                .created_at = src->created_at,
                .updated_at = src->updated_at,
        };
        for (size_t i = 0; i < src->n_member_states; i++)
                dst->member_states[i] = str_dup(src->member_states[i]);
}

int product_update(struct store *s, const struct audit_actor *actor, int64_t id, json_t *body,
                   json_t **out, struct error *err) {
        *out = NULL;
        if (check_shape(body, false, err) < 0)
                return -1;
        if (store_tx_begin(s, err) < 0)
                return -1;
        _cleanup_product_ struct store_product old = {0};
        _cleanup_product_ struct store_product d = {0};
        _cleanup_product_ struct store_product stored = {0};
        _cleanup_json_ json_t *changes = NULL;
        _cleanup_json_ json_t *details = NULL;
        char object[32];
        if (store_product_get(s, id, &old, err) < 0)
                goto fail;
        product_copy(&d, &old);
        if (apply_body(body, &d, err) < 0 || validate(&d, err) < 0)
                goto fail;
        changes = diff(&old, &d);
        if (json_object_size(changes) == 0) {
                /* Nothing changed: nothing to write, nothing to audit. */
                store_tx_rollback(s);
                *out = product_to_json(&old);
                return *out ? 0 : error_set(err, ERROR_INTERNAL, "product %lld cannot be rendered", (long long) id);
        }
        d.updated_at = time_now();
        if (store_product_update(s, &d, err) < 0 || store_product_get(s, id, &stored, err) < 0)
                goto fail;
        details = json_pack("{s:O}", "changes", changes);
        snprintf(object, sizeof(object), "product:%lld", (long long) id);
        if (audit_append(s, actor, "product.update", object, details, err) < 0)
                goto fail;
        if (store_tx_commit(s, err) < 0)
                return -1;
        *out = product_to_json(&stored);
        return *out ? 0 : error_set(err, ERROR_INTERNAL, "product %lld cannot be rendered", (long long) id);
fail:
        store_tx_rollback(s);
        return -1;
}

/* ---- read ---- */

int product_get(struct store *s, int64_t id, json_t **out, struct error *err) {
        *out = NULL;
        _cleanup_product_ struct store_product p = {0};
        if (store_product_get(s, id, &p, err) < 0)
                return -1;
        *out = product_to_json(&p);
        return *out ? 0 : error_set(err, ERROR_INTERNAL, "product %lld cannot be rendered", (long long) id);
}

int product_list(struct store *s, json_t **out, struct error *err) {
        *out = NULL;
        struct store_product *list;
        size_t n;
        if (store_product_list(s, &list, &n, err) < 0)
                return -1;
        json_t *items = json_array();
        for (size_t i = 0; i < n; i++) {
                json_t *j = product_to_json(&list[i]);
                if (!j) {
                        json_decref(items);
                        int64_t bad = list[i].id;
                        store_product_list_free(list, n);
                        return error_set(err, ERROR_INTERNAL, "product %lld cannot be rendered", (long long) bad);
                }
                json_array_append_new(items, j);
        }
        store_product_list_free(list, n);
        *out = json_pack("{s:o}", "items", items);
        return 0;
}

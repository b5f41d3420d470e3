/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The audit chain. Entry n's hash covers entry n-1's hash, so changing,
 * removing or reordering any entry breaks every later link. What the chain
 * alone cannot show is the loss of its *newest* entries; that needs the last
 * hash kept somewhere else (an operator's copy of GET /api/v1/audit/verify).
 *
 * details are stored as compact JSON with sorted keys (jansson's escaping), not
 * as canonical JSON text: canonical JSON leaves control characters raw, which no
 * strict JSON parser reads back. The hash is always over the canonical form.
 */
#include <stdio.h>
#include <string.h>
#include "audit/audit.h"
#include "core/cleanup.h"
#include "core/json.h"
#include "core/log.h"
#include "core/strutil.h"
#include "core/time.h"
#include "crypto/hash.h"

#define AUDIT_DETAILS_MAX (1024 * 1024)
#define AUDIT_PAGE 1000

static json_t *details_parse(const char *text, struct error *err) {
        if (!text)
                return error_set(err, ERROR_INVALID, "details are missing"), NULL;
        return cr_json_parse("details", text, strlen(text), AUDIT_DETAILS_MAX,
                             CR_JSON_DEFAULT_MAX_DEPTH, err);
}

static int hash_over(const struct store_audit_entry *e, json_t *details, char out[65],
                     struct error *err) {
        char when[TIME_RFC3339_LEN];
        time_format_rfc3339(e->time, when);
        _cleanup_json_ json_t *doc = json_pack("{s:s, s:s, s:s, s:O, s:s, s:s, s:I, s:s}",
                                               "action", e->action ? e->action : "",
                                               "actor_name", e->actor_name ? e->actor_name : "",
                                               "actor_role", e->actor_role ? e->actor_role : "",
                                               "details", details,
                                               "object", e->object ? e->object : "",
                                               "prev_hash", e->prev_hash,
                                               "seq", (json_int_t) e->seq,
                                               "time", when);
        if (doc && e->actor_user)
                json_object_set_new(doc, "actor_user", json_string(e->actor_user));
        if (!doc)
                return error_set(err, ERROR_INTERNAL, "audit entry %lld: cannot build the hashed document",
                                 (long long) e->seq);
        size_t len;
        _cleanup_free_ char *canon = cr_json_canonical(doc, &len, err);
        if (!canon)
                return -1;
        hash_sha256_hex(canon, len, out);
        return 0;
}

int audit_entry_compute_hash(const struct store_audit_entry *e, char out[65], struct error *err) {
        _cleanup_json_ json_t *details = details_parse(e->details, err);
        if (!details)
                return error_prefix(err, "audit entry %lld: ", (long long) e->seq);
        return hash_over(e, details, out, err);
}

int audit_append(struct store *s, const struct audit_actor *actor, const char *action,
                 const char *object, json_t *details, struct error *err) {
        if (!store_in_transaction(s))
                return error_set(err, ERROR_INTERNAL, "audit_append outside a transaction (action %s)",
                                 action);
        if (!actor || !actor->name || !actor->role || !action || !object)
                return error_set(err, ERROR_INTERNAL, "audit_append: actor, action and object are required");
        _cleanup_json_ json_t *empty = NULL;
        if (!details)
                details = empty = json_object();
        if (!json_is_object(details))
                return error_set(err, ERROR_INTERNAL, "audit details for %s must be a JSON object", action);

        struct store_audit_entry last = {0};
        bool found = false;
        if (store_audit_last(s, &last, &found, err) < 0)
                return -1;
        struct store_audit_entry e = {
                .seq = found ? last.seq + 1 : 1,
                .time = time_now(),
                .actor_name = (char *) actor->name,
                .actor_role = (char *) actor->role,
                .actor_user = (char *) actor->user,
                .action = (char *) action,
                .object = (char *) object,
        };
        memcpy(e.prev_hash, found ? last.hash : AUDIT_GENESIS_HASH, sizeof(e.prev_hash));
        e.prev_hash[64] = '\0';
        store_audit_entry_clear(&last);

        _cleanup_free_ char *text = json_dumps(details, JSON_COMPACT | JSON_SORT_KEYS);
        if (!text)
                return error_set(err, ERROR_INTERNAL, "audit details for %s cannot be serialised", action);
        e.details = text;
        if (hash_over(&e, details, e.hash, err) < 0)
                return error_prefix(err, "audit details for %s: ", action);
        return store_audit_insert(s, &e, err);
}

void audit_verify_init(struct audit_verify_state *st) {
        memset(st, 0, sizeof(*st));
        memcpy(st->prev_hash, AUDIT_GENESIS_HASH, sizeof(st->prev_hash));
}

__attribute__((format(printf, 3, 4)))
static bool verify_break(struct audit_verify_state *st, int64_t seq, const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(st->reason, sizeof(st->reason), fmt, ap);
        va_end(ap);
        st->broken = true;
        st->bad_seq = seq;
        return false;
}

bool audit_verify_next(struct audit_verify_state *st, const struct store_audit_entry *e) {
        if (st->broken)
                return false;
        int64_t expect = st->last_seq + 1;
        /* A gap names the first missing seq; everything else names the entry. */
        if (e->seq != expect) {
                if (e->seq > expect)
                        return verify_break(st, expect, "entry %lld missing (expected seq %lld, found %lld)",
                                            (long long) expect, (long long) expect, (long long) e->seq);
                return verify_break(st, e->seq, "entry %lld out of order (expected seq %lld, found %lld)",
                                    (long long) e->seq, (long long) expect, (long long) e->seq);
        }
        if (strcmp(e->prev_hash, st->prev_hash) != 0) {
                if (e->seq == 1)
                        return verify_break(st, e->seq, "entry 1: prev_hash is not the genesis hash");
                return verify_break(st, e->seq, "entry %lld: prev_hash does not match the hash of entry %lld",
                                    (long long) e->seq, (long long) (e->seq - 1));
        }
        struct error err = {0};
        _cleanup_json_ json_t *details = details_parse(e->details, &err);
        if (!details)
                return verify_break(st, e->seq, "entry %lld: details are not valid JSON: %s",
                                    (long long) e->seq, err.msg);
        if (!json_is_object(details))
                return verify_break(st, e->seq, "entry %lld: details are not a JSON object",
                                    (long long) e->seq);
        char hash[65];
        if (hash_over(e, details, hash, &err) < 0)
                return verify_break(st, e->seq, "entry %lld: cannot recompute the hash: %s",
                                    (long long) e->seq, err.msg);
        if (strcmp(hash, e->hash) != 0)
                return verify_break(st, e->seq, "entry %lld: hash mismatch; the entry was modified",
                                    (long long) e->seq);
        st->checked++;
        st->last_seq = e->seq;
        memcpy(st->prev_hash, e->hash, sizeof(st->prev_hash));
        return true;
}

int audit_verify_store(struct store *s, struct audit_verify_state *st, struct error *err) {
        audit_verify_init(st);
        for (;;) {
                struct store_audit_filter f = {.after_seq = st->last_seq, .limit = AUDIT_PAGE};
                struct store_audit_entry *list;
                size_t n;
                if (store_audit_list(s, &f, &list, &n, err) < 0)
                        return -1;
                bool ok = true;
                for (size_t i = 0; i < n && ok; i++)
                        ok = audit_verify_next(st, &list[i]);
                store_audit_list_free(list, n);
                if (!ok || n < AUDIT_PAGE)
                        return 0;
        }
}

json_t *audit_entry_to_json(const struct store_audit_entry *e) {
        char when[TIME_RFC3339_LEN];
        time_format_rfc3339(e->time, when);
        /* A details column that no longer parses (tampering) is shown as the raw
         * string, so a client recomputing the chain sees the same break. */
        json_t *details = e->details ? json_loads(e->details, JSON_REJECT_DUPLICATES, NULL) : NULL;
        if (!details || !json_is_object(details)) {
                json_decref(details);
                details = json_string(e->details ? e->details : "");
        }
        return json_pack("{s:I, s:s, s:s, s:s, s:o, s:s, s:s, s:o, s:s, s:s}",
                         "seq", (json_int_t) e->seq,
                         "time", when,
                         "actor_name", e->actor_name ? e->actor_name : "",
                         "actor_role", e->actor_role ? e->actor_role : "",
                         "actor_user", e->actor_user ? json_string(e->actor_user) : json_null(),
                         "action", e->action ? e->action : "",
                         "object", e->object ? e->object : "",
                         "details", details ? details : json_null(),
                         "prev_hash", e->prev_hash,
                         "hash", e->hash);
}

static bool is_hex64(const char *s) {
        if (!s || strlen(s) != 64)
                return false;
        for (size_t i = 0; i < 64; i++)
                if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
                        return false;
        return true;
}

int audit_entry_from_json(json_t *j, struct store_audit_entry *out, struct error *err) {
        memset(out, 0, sizeof(*out));
        static const struct cr_json_field fields[] = {
                {"seq", CR_JSON_INTEGER, true, 0, false},
                {"time", CR_JSON_STRING, true, 0, false},
                {"actor_name", CR_JSON_STRING, true, 0, false},
                {"actor_role", CR_JSON_STRING, true, 0, false},
                {"action", CR_JSON_STRING, true, 0, false},
                {"object", CR_JSON_STRING, true, 0, false},
                {"prev_hash", CR_JSON_STRING, true, 0, false},
                {"hash", CR_JSON_STRING, true, 0, false},
        };
        /* details is an object (or, for an entry the server could not parse, a
         * string), so it is checked by hand rather than by the field table. */
        json_t *details = json_object_get(j, "details");
        json_t *user = json_object_get(j, "actor_user");
        if (user && !json_is_null(user) && !json_is_string(user))
                return error_set(err, ERROR_INVALID, "audit entry: field 'actor_user': expected a string or null");
        if (!json_is_object(j))
                return error_set(err, ERROR_INVALID, "audit entry: expected a JSON object");
        if (!details)
                return error_set(err, ERROR_INVALID, "audit entry: field 'details' is missing");
        if (!json_is_object(details) && !json_is_string(details))
                return error_set(err, ERROR_INVALID, "audit entry: field 'details': expected an object");
        _cleanup_json_ json_t *rest = json_copy(j);
        json_object_del(rest, "details");
        json_object_del(rest, "actor_user");
        if (cr_json_check_object("audit entry", rest, fields, ELEMENTSOF(fields), err) < 0)
                return -1;
        int64_t seq = cr_json_get_int(j, "seq", 0);
        if (seq < 1)
                return error_set(err, ERROR_INVALID, "audit entry: seq %lld is not positive", (long long) seq);
        int64_t t;
        if (time_parse_rfc3339(cr_json_get_string(j, "time"), &t, err) < 0)
                return error_prefix(err, "audit entry %lld: time: ", (long long) seq);
        const char *prev = cr_json_get_string(j, "prev_hash"), *hash = cr_json_get_string(j, "hash");
        if (!is_hex64(prev))
                return error_set(err, ERROR_INVALID, "audit entry %lld: prev_hash is not 64 lowercase hex digits",
                                 (long long) seq);
        if (!is_hex64(hash))
                return error_set(err, ERROR_INVALID, "audit entry %lld: hash is not 64 lowercase hex digits",
                                 (long long) seq);
        char *text = json_is_string(details) ? str_dup(json_string_value(details))
                                              : json_dumps(details, JSON_COMPACT | JSON_SORT_KEYS);
        if (!text)
                return error_set(err, ERROR_INVALID, "audit entry %lld: details cannot be serialised",
                                 (long long) seq);
        out->seq = seq;
        out->time = t;
        out->actor_name = str_dup(cr_json_get_string(j, "actor_name"));
        out->actor_role = str_dup(cr_json_get_string(j, "actor_role"));
        out->actor_user = json_is_string(user) ? str_dup(json_string_value(user)) : NULL;
        out->action = str_dup(cr_json_get_string(j, "action"));
        out->object = str_dup(cr_json_get_string(j, "object"));
        out->details = text;
        memcpy(out->prev_hash, prev, 65);
        memcpy(out->hash, hash, 65);
        return 0;
}

void audit_append_standalone(struct store *s, const struct audit_actor *a, const char *action,
                             const char *object, json_t *details) {
        if (store_in_transaction(s))
                store_tx_rollback(s);
        struct error e = {0};
        if (store_tx_begin(s, &e) < 0 || audit_append(s, a, action, object, details, &e) < 0) {
                store_tx_rollback(s);
                log_error("recording audit entry %s for %s failed: %s", action, object, e.msg);
                return;
        }
        if (store_tx_commit(s, &e) < 0)
                log_error("recording audit entry %s for %s failed: %s", action, object, e.msg);
}

/* SPDX-License-Identifier: Apache-2.0 */
/* The key registry's states, owners and custodians (keys.h). */
#include <string.h>
#include "core/cleanup.h"
#include "core/strutil.h"
#include "core/time.h"
#include "identity/security-event.h"
#include "keys/keys-internal.h"
#include "keys/keys.h"
#include "store/store-user.h"

#define KEYS_REASON_MAX 1024

const char *const keys_states[6] = {"planned", "active", "retiring", "retired", "compromised", "destroyed"};

bool keys_state_known(const char *state) {
        for (size_t i = 0; state && i < ELEMENTSOF(keys_states); i++)
                if (strcmp(keys_states[i], state) == 0)
                        return true;
        return false;
}

/* The one table of allowed moves. A key goes forward only: planned keys
 * are activated (or dropped); an active key is retired, gracefully
 * (retiring: verifies, signs nothing new) or at once; any key that still
 * exists can be found compromised; only a key no longer trusted for
 * anything may be destroyed. Nothing comes back from retired, compromised
 * or destroyed: reuse of such a key is a new decision, i.e. a new key. */
static const struct {
        const char *from, *to;
} allowed[] = {
        {"planned", "active"},      {"planned", "destroyed"},     {"planned", "compromised"},
        {"active", "retiring"},     {"active", "retired"},        {"active", "compromised"},
        {"retiring", "retired"},    {"retiring", "compromised"},
        {"retired", "destroyed"},   {"retired", "compromised"},
        {"compromised", "destroyed"},
};

bool keys_transition_allowed(const char *from, const char *to) {
        for (size_t i = 0; from && to && i < ELEMENTSOF(allowed); i++)
                if (strcmp(allowed[i].from, from) == 0 && strcmp(allowed[i].to, to) == 0)
                        return true;
        return false;
}

static int reason_check(const char *reason, bool required, struct error *err) {
        if (!reason || !*reason)
                return required ? error_set(err, ERROR_INVALID, "a reason is required") : 0;
        size_t n = strlen(reason);
        if (n > KEYS_REASON_MAX)
                return error_set(err, ERROR_INVALID, "reason is %zu bytes, at most %d are allowed", n, KEYS_REASON_MAX);
        for (size_t i = 0; i < n; i++)
                if ((unsigned char) reason[i] < 0x20 && reason[i] != '\n')
                        return error_set(err, ERROR_INVALID, "reason has a control character at byte %zu", i);
        return 0;
}

/* Inside an open transaction: check, write, audit. *k is the key as it was. */
static int transition_in_tx(struct store *s, const struct store_key *k, const char *to, const char *reason,
                            const struct audit_actor *by, struct error *err) {
        if (!keys_state_known(to))
                return error_set(err, ERROR_INVALID, "key state '%.32s' is not planned, active, retiring, retired, "
                                 "compromised or destroyed", to ? to : "");
        if (!keys_transition_allowed(k->state, to))
                return error_set(err, ERROR_CONFLICT, "key %lld is %s: it cannot become %s", (long long) k->id,
                                 k->state, to);
        if (store_keys_set_state(s, k->id, k->state, to, reason && *reason ? reason : NULL, time_now(),
                                 strcmp(to, "active") == 0, err) < 0)
                return -1;
        _cleanup_free_ char *object = str_printf("key:%lld", (long long) k->id);
        json_t *details = json_pack("{s:s, s:s, s:s, s:s}", "class", k->class, "fingerprint", k->fingerprint,
                                    "from", k->state, "to", to);
        if (reason && *reason)
                json_object_set_new(details, "reason", json_string(reason));
        int r = audit_append(s, by, "key.state", object, details, err);
        json_decref(details);
        return r;
}

int keys_transition(struct store *s, int64_t id, const char *to, const char *reason, const struct audit_actor *by,
                    struct error *err) {
        if (reason_check(reason, false, err) < 0)
                return -1;
        struct keys_tx t;
        if (keys_tx_begin(s, &t, err) < 0)
                return -1;
        struct store_key k;
        int r = store_keys_get(s, id, &k, err);
        if (r == 0) {
                r = transition_in_tx(s, &k, to, reason, by, err);
                store_key_clear(&k);
        }
        return keys_tx_end(s, &t, r, err);
}

int keys_compromised(struct store *s, const struct keys_policy *p, int64_t id, const char *reason,
                     const struct audit_actor *by, json_t **out, struct error *err) {
        *out = NULL;
        if (reason_check(reason, true, err) < 0)
                return -1;
        struct keys_tx t;
        if (keys_tx_begin(s, &t, err) < 0)
                return -1;
        struct store_key k;
        if (store_keys_get(s, id, &k, err) < 0) {
                keys_tx_rollback(s, &t);
                return -1;
        }
        json_t *actions = json_array();
        for (const char *const *a = keys_compromise_actions(k.class); a && *a; a++)
                json_array_append_new(actions, json_string(*a));
        _cleanup_free_ char *runbook = str_printf("docs/keys.md#%s", keys_runbook_anchor(k.class));
        json_t *details = json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:O}", "key_id", (json_int_t) k.id, "class",
                                    k.class, "fingerprint", k.fingerprint, "reason", reason, "reported_by",
                                    by->user ? by->user : by->name, "runbook", runbook, "actions", actions);
        char **products = NULL;
        size_t n_products = 0;
        int r = transition_in_tx(s, &k, "compromised", reason, by, err);
        if (r == 0)
                r = store_keys_products(s, k.id, &products, &n_products, err);
        if (r == 0) {
                json_t *pj = json_array();
                for (size_t i = 0; i < n_products; i++)
                        json_array_append_new(pj, json_string(products[i]));
                json_object_set_new(details, "products", pj);
                r = identity_security_event_record(s, "key.compromised", "critical", 0, NULL, "key-registry",
                                                   details, err);
        }
        store_keys_names_free(products, n_products);
        store_key_clear(&k);
        json_decref(details);
        if (keys_tx_end(s, &t, r, err) < 0) {
                json_decref(actions);
                return -1;
        }
        json_t *key = NULL;
        if (keys_show_json(s, p, id, &key, err) < 0) {
                json_decref(actions);
                return -1;
        }
        *out = json_pack("{s:o, s:o, s:s}", "key", key, "actions", actions, "runbook", runbook);
        return 0;
}

static int user_resolve(struct store *s, const char *user, int64_t *id_out, struct error *err) {
        if (!user || !*user)
                return error_set(err, ERROR_INVALID, "a user name is required");
        struct store_user u;
        if (store_user_get_by_name(s, user, &u, err) < 0)
                return -1;
        bool disabled = u.disabled_at != 0;
        *id_out = u.id;
        store_user_clear(&u);
        if (disabled)
                return error_set(err, ERROR_CONFLICT, "user '%s' is disabled", user);
        return 0;
}

/* One audited change to a key's people: begin, resolve, change, audit, commit. */
enum people_change { OWNER_SET, CUSTODIAN_ADD, CUSTODIAN_REMOVE };

static int people_change(struct store *s, int64_t id, const char *user, enum people_change what,
                         const struct audit_actor *by, struct error *err) {
        static const char *const actions[] = {"key.owner", "key.custodian-add", "key.custodian-remove"};
        struct keys_tx t;
        if (keys_tx_begin(s, &t, err) < 0)
                return -1;
        struct store_key k;
        int64_t uid = 0;
        if (store_keys_get(s, id, &k, err) < 0) {
                keys_tx_rollback(s, &t);
                return -1;
        }
        int r = user_resolve(s, user, &uid, err);
        if (r == 0 && what != CUSTODIAN_REMOVE &&
            (strcmp(k.state, "destroyed") == 0))
                r = error_set(err, ERROR_CONFLICT, "key %lld is destroyed: its people cannot change", (long long) id);
        if (r == 0) {
                switch (what) {
                case OWNER_SET:
                        r = store_keys_set_owner(s, id, uid, err);
                        break;
                case CUSTODIAN_ADD:
                        r = store_keys_custodian_add(s, id, uid, time_now(), by->name, err);
                        break;
                case CUSTODIAN_REMOVE:
                        r = store_keys_custodian_remove(s, id, uid, err);
                        break;
                }
        }
        if (r == 0) {
                _cleanup_free_ char *object = str_printf("key:%lld", (long long) id);
                json_t *details = json_pack("{s:s, s:s, s:s}", "class", k.class, "fingerprint", k.fingerprint,
                                            "user", user);
                if (what == OWNER_SET && k.owner_name)
                        json_object_set_new(details, "previous", json_string(k.owner_name));
                r = audit_append(s, by, actions[what], object, details, err);
                json_decref(details);
        }
        store_key_clear(&k);
        return keys_tx_end(s, &t, r, err);
}

int keys_set_owner(struct store *s, int64_t id, const char *user, const struct audit_actor *by, struct error *err) {
        return people_change(s, id, user, OWNER_SET, by, err);
}

int keys_custodian_add(struct store *s, int64_t id, const char *user, const struct audit_actor *by,
                       struct error *err) {
        return people_change(s, id, user, CUSTODIAN_ADD, by, err);
}

int keys_custodian_remove(struct store *s, int64_t id, const char *user, const struct audit_actor *by,
                          struct error *err) {
        return people_change(s, id, user, CUSTODIAN_REMOVE, by, err);
}

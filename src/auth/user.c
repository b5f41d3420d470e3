/* SPDX-License-Identifier: Apache-2.0 */
#include <stdio.h>
#include <string.h>
#include "auth/user.h"
#include "core/cleanup.h"
#include "core/strutil.h"
#include "core/time.h"

static const struct audit_actor system_actor = {.name = "system", .role = "system"};

int auth_name_check(const char *what, const char *name, struct error *err) {
        size_t n = name ? strlen(name) : 0;
        bool ok = n >= 1 && n <= AUTH_USER_NAME_MAX;
        for (size_t i = 0; ok && i < n; i++) {
                char c = name[i];
                ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                     c == '.' || c == '_' || c == '@' || c == '-';
        }
        if (!ok)
                return error_set(err, ERROR_INVALID, "name: '%.80s' is not a valid %s name "
                                 "(1..64 characters of A-Z a-z 0-9 . _ @ -)", name ? name : "", what);
        return 0;
}

static int contact_check(const char *contact, struct error *err) {
        size_t n = strlen(contact);
        if (n > AUTH_USER_CONTACT_MAX)
                return error_set(err, ERROR_INVALID, "contact: longer than %d characters",
                                 AUTH_USER_CONTACT_MAX);
        for (size_t i = 0; i < n; i++)
                if ((unsigned char) contact[i] < 0x20 || contact[i] == 0x7f)
                        return error_set(err, ERROR_INVALID, "contact: control character at offset %zu", i);
        return 0;
}

static json_t *roles_json(const struct store_user *u) {
        json_t *a = json_array();
        for (size_t i = 0; i < u->n_roles; i++)
                json_array_append_new(a, json_string(u->roles[i]));
        return a;
}

int auth_user_create(struct store *s, const struct audit_actor *by, const char *name,
                     const char *contact, unsigned roles, struct store_user *out, struct error *err) {
        if (!by)
                by = &system_actor;
        if (!contact)
                contact = "";
        if (auth_name_check("user", name, err) < 0 || contact_check(contact, err) < 0)
                return -1;
        if (!roles || (roles & ~(unsigned) ROLE_ALL))
                return error_set(err, ERROR_INVALID, "roles: a user needs one or more of admin, "
                                 "release-manager, security-officer, factory, auditor");
        const char *names[8];
        size_t n = 0;
        for (unsigned bit = 1; bit <= ROLE_AUDITOR; bit <<= 1)
                if (roles & bit)
                        names[n++] = role_name((enum role) bit);
        struct store_user u = {
                .name = (char *) name,
                .contact = (char *) contact,
                .created_at = time_now(),
                .created_by = (char *) by->name,
                .roles = (char **) names,
                .n_roles = n,
        };
        char object[16 + AUTH_USER_NAME_MAX];
        snprintf(object, sizeof(object), "user:%s", name);
        if (store_tx_begin(s, err) < 0)
                return -1;
        int64_t id;
        _cleanup_json_ json_t *details = json_pack("{s:s, s:o}", "contact", contact, "roles", roles_json(&u));
        if (store_user_insert(s, &u, &id, err) < 0 ||
            audit_append(s, by, "user.create", object, details, err) < 0) {
                store_tx_rollback(s);
                return -1;
        }
        if (store_tx_commit(s, err) < 0)
                return -1;
        return out ? store_user_get_by_id(s, id, out, err) : 0;
}

enum user_change { USER_ROLE_ADD, USER_ROLE_REMOVE, USER_DISABLE };

static int user_change(struct store *s, const struct audit_actor *by, const char *name,
                       enum user_change what, enum role role, struct store_user *out,
                       struct error *err) {
        if (!by)
                by = &system_actor;
        if (auth_name_check("user", name, err) < 0)
                return -1;
        const char *rname = role_name(role);
        if (what != USER_DISABLE && strcmp(rname, "unknown") == 0)
                return error_set(err, ERROR_INVALID, "role: %u is not a role", (unsigned) role);
        char object[16 + AUTH_USER_NAME_MAX];
        snprintf(object, sizeof(object), "user:%s", name);
        if (store_tx_begin(s, err) < 0)
                return -1;
        struct store_user u;
        if (store_user_get_by_name(s, name, &u, err) < 0) {
                store_tx_rollback(s);
                return -1;
        }
        int r = 0;
        const char *action = "user.disable";
        _cleanup_json_ json_t *details = NULL;
        if (what == USER_ROLE_ADD) {
                action = "user.role-add";
                details = json_pack("{s:s}", "role", rname);
                r = store_user_role_add(s, u.id, rname, err);
        } else if (what == USER_ROLE_REMOVE) {
                action = "user.role-remove";
                details = json_pack("{s:s}", "role", rname);
                if (store_user_has_role(&u, rname) && u.n_roles == 1)
                        r = error_set(err, ERROR_CONFLICT, "role '%s' is the last role of user '%s'; "
                                      "disable the user instead", rname, name);
                else
                        r = store_user_role_remove(s, u.id, rname, err);
        } else {
                r = store_user_disable(s, u.id, time_now(), err);
        }
        if (r < 0 && err && err->kind == ERROR_CONFLICT && what != USER_ROLE_REMOVE)
                error_prefix(err, "user '%s': ", name);
        int64_t id = u.id;
        store_user_clear(&u);
        if (r < 0 || audit_append(s, by, action, object, details, err) < 0) {
                store_tx_rollback(s);
                return -1;
        }
        if (store_tx_commit(s, err) < 0)
                return -1;
        return out ? store_user_get_by_id(s, id, out, err) : 0;
}

int auth_user_add_role(struct store *s, const struct audit_actor *by, const char *name, enum role role,
                       struct store_user *out, struct error *err) {
        return user_change(s, by, name, USER_ROLE_ADD, role, out, err);
}

int auth_user_remove_role(struct store *s, const struct audit_actor *by, const char *name,
                          enum role role, struct store_user *out, struct error *err) {
        return user_change(s, by, name, USER_ROLE_REMOVE, role, out, err);
}

int auth_user_disable(struct store *s, const struct audit_actor *by, const char *name,
                      struct store_user *out, struct error *err) {
        return user_change(s, by, name, USER_DISABLE, ROLE_ADMIN, out, err);
}

json_t *auth_user_to_json(const struct store_user *u, char **tokens, size_t n_tokens) {
        char created[TIME_RFC3339_LEN], disabled[TIME_RFC3339_LEN];
        time_format_rfc3339(u->created_at, created);
        if (u->disabled_at)
                time_format_rfc3339(u->disabled_at, disabled);
        json_t *j = json_pack("{s:I, s:s, s:s, s:o, s:s, s:s, s:o}",
                              "id", (json_int_t) u->id,
                              "name", u->name ? u->name : "",
                              "contact", u->contact ? u->contact : "",
                              "roles", roles_json(u),
                              "created_at", created,
                              "created_by", u->created_by ? u->created_by : "",
                              "disabled_at", u->disabled_at ? json_string(disabled) : json_null());
        if (tokens) {
                json_t *a = json_array();
                for (size_t i = 0; i < n_tokens; i++)
                        json_array_append_new(a, json_string(tokens[i]));
                json_object_set_new(j, "tokens", a);
        }
        return j;
}

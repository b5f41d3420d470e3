/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Operator tokens. The whole token is "cradle_" + public id (8 random bytes,
 * lowercase hex) + "_" + secret (32 random bytes, base64url without padding).
 * The database holds only SHA-256(secret bytes): a copy of the database does not
 * let anyone authenticate. The secret is high-entropy, so a plain hash (no
 * password KDF) is enough.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "auth/token.h"
#include "auth/user.h"
#include "core/cleanup.h"
#include "core/strutil.h"
#include "core/time.h"
#include "crypto/ct.h"
#include "crypto/encoding.h"
#include "crypto/hash.h"
#include "crypto/random.h"

#define TOKEN_PREFIX "cradle_"
#define TOKEN_PREFIX_LEN 7
#define TOKEN_PUBLIC_BYTES 8
#define TOKEN_SECRET_BYTES 32
#define TOKEN_SECRET_B64_LEN 43
#define TOKEN_LEN (TOKEN_PREFIX_LEN + STORE_TOKEN_PUBLIC_ID_LEN + 1 + TOKEN_SECRET_B64_LEN)
#define TOKEN_NAME_MAX 64

static const struct audit_actor system_actor = {.name = "system", .role = "system"};

static bool token_name_valid(const char *name) {
        size_t n = name ? strlen(name) : 0;
        if (n < 1 || n > TOKEN_NAME_MAX)
                return false;
        for (size_t i = 0; i < n; i++) {
                char c = name[i];
                if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                      c == '.' || c == '_' || c == '@' || c == '-'))
                        return false;
        }
        return true;
}

static int check_name(const char *name, struct error *err) {
        if (!token_name_valid(name))
                return error_set(err, ERROR_INVALID, "name: '%.80s' is not a valid token name "
                                 "(1..64 characters of A-Z a-z 0-9 . _ @ -)", name ? name : "");
        return 0;
}

static int b64url_value(char c) {
        if (c >= 'A' && c <= 'Z')
                return c - 'A';
        if (c >= 'a' && c <= 'z')
                return c - 'a' + 26;
        if (c >= '0' && c <= '9')
                return c - '0' + 52;
        if (c == '-')
                return 62;
        if (c == '_')
                return 63;
        return -1;
}

/* Decodes exactly 43 base64url characters to 32 bytes; the unused low bits of
 * the last character must be zero, so each secret has one spelling. */
static bool secret_decode(const char *in, uint8_t out[TOKEN_SECRET_BYTES]) {
        uint32_t acc = 0;
        int bits = 0;
        size_t o = 0;
        for (size_t i = 0; i < TOKEN_SECRET_B64_LEN; i++) {
                int v = b64url_value(in[i]);
                if (v < 0)
                        return false;
                acc = (acc << 6) | (uint32_t) v;
                bits += 6;
                if (bits >= 8) {
                        bits -= 8;
                        if (o < TOKEN_SECRET_BYTES)
                                out[o++] = (uint8_t) (acc >> bits);
                        acc &= (1u << bits) - 1;
                }
        }
        return o == TOKEN_SECRET_BYTES && bits == 2 && acc == 0;
}

static bool is_lower_hex(const char *s, size_t n) {
        for (size_t i = 0; i < n; i++)
                if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
                        return false;
        return true;
}

int auth_token_create(struct store *s, const struct audit_actor *by, const char *name,
                      enum role role, char **secret_out, struct store_token *rec_out,
                      struct error *err) {
        return auth_token_create_for(s, by, name, role, NULL, secret_out, rec_out, err);
}

/* Inside the caller's transaction: the user the new token belongs to, made
 * when none is named. */
static int token_user(struct store *s, const struct audit_actor *by, const char *token_name,
                      const char *rname, const char *user, int64_t *id_out, struct error *err) {
        if (!user) {
                char *roles[] = {(char *) rname};
                struct store_user u = {.name = (char *) token_name, .contact = "", .created_at = time_now(),
                                       .created_by = (char *) by->name, .roles = roles, .n_roles = 1};
                /* Recorded by the token.create entry ("user_created"), so creating
                 * a token stays one audit entry, as it was before users. */
                if (store_user_insert(s, &u, id_out, err) < 0) {
                        if (err && err->kind == ERROR_CONFLICT)
                                error_prefix(err, "the token would get a user of its own name, but ");
                        return -1;
                }
                return 0;
        }
        struct store_user u;
        if (store_user_get_by_name(s, user, &u, err) < 0)
                return error_prefix(err, "user: ");
        int r = 0;
        if (u.disabled_at)
                r = error_set(err, ERROR_CONFLICT, "user '%s' is disabled", user);
        else if (!store_user_has_role(&u, rname))
                r = error_set(err, ERROR_INVALID, "role: user '%s' does not hold role '%s' "
                              "(add it with cradle user add-role)", user, rname);
        *id_out = u.id;
        store_user_clear(&u);
        return r;
}

int auth_token_create_for(struct store *s, const struct audit_actor *by, const char *name,
                          enum role role, const char *user, char **secret_out,
                          struct store_token *rec_out, struct error *err) {
        *secret_out = NULL;
        if (!by)
                by = &system_actor;
        if (check_name(name, err) < 0 || (user && auth_name_check("user", user, err) < 0))
                return -1;
        const char *rname = role_name(role);
        if (strcmp(rname, "unknown") == 0)
                return error_set(err, ERROR_INVALID, "role: %u is not a role", (unsigned) role);

        uint8_t pub[TOKEN_PUBLIC_BYTES], secret[TOKEN_SECRET_BYTES];
        if (random_bytes(pub, sizeof(pub), err) < 0 || random_bytes(secret, sizeof(secret), err) < 0)
                return -1;
        struct store_token t = {
                .name = (char *) name,
                .role = (char *) rname,
                .created_at = time_now(),
                .created_by = (char *) by->name,
        };
        hex_encode(pub, sizeof(pub), t.public_id);
        hash_sha256(secret, sizeof(secret), t.secret_hash);
        _cleanup_secret_ char *secret_b64 = base64url_encode(secret, sizeof(secret));
        ct_wipe(secret, sizeof(secret));
        if (!secret_b64 || strlen(secret_b64) != TOKEN_SECRET_B64_LEN)
                return error_set(err, ERROR_INTERNAL, "encoding a token secret failed");

        char object[16 + TOKEN_NAME_MAX];
        snprintf(object, sizeof(object), "token:%s", name);
        _cleanup_json_ json_t *details = json_pack("{s:s, s:s, s:b}", "role", rname, "user", user ? user : name,
                                                   "user_created", !user);

        if (store_tx_begin(s, err) < 0)
                return -1;
        int64_t id;
        /* The token first, so a duplicate token name reads as that, not as a
         * duplicate user. */
        if (store_token_insert(s, &t, &id, err) < 0 ||
            token_user(s, by, name, rname, user, &t.user_id, err) < 0 ||
            store_token_set_user(s, id, t.user_id, err) < 0 ||
            audit_append(s, by, "token.create", object, details, err) < 0) {
                store_tx_rollback(s);
                return -1;
        }
        if (store_tx_commit(s, err) < 0)
                return -1;

        *secret_out = str_printf(TOKEN_PREFIX "%s_%s", t.public_id, secret_b64);
        if (rec_out) {
                *rec_out = t;
                rec_out->id = id;
                rec_out->name = str_dup(name);
                rec_out->role = str_dup(rname);
                rec_out->created_by = str_dup(t.created_by);
                rec_out->user_name = str_dup(user ? user : name);
        }
        ct_wipe(t.secret_hash, sizeof(t.secret_hash));
        return 0;
}

int auth_token_revoke(struct store *s, const struct audit_actor *by, const char *name,
                      struct store_token *rec_out, struct error *err) {
        if (!by)
                by = &system_actor;
        if (check_name(name, err) < 0)
                return -1;
        char object[16 + TOKEN_NAME_MAX];
        snprintf(object, sizeof(object), "token:%s", name);

        if (store_tx_begin(s, err) < 0)
                return -1;
        struct store_token t;
        if (store_token_get_by_name(s, name, &t, err) < 0) {
                store_tx_rollback(s);
                return -1;
        }
        if (t.revoked_at) {
                error_set(err, ERROR_CONFLICT, "token '%s' is already revoked", name);
                goto fail;
        }
        t.revoked_at = time_now();
        {
                _cleanup_json_ json_t *details = json_pack("{s:s}", "role", t.role);
                if (store_token_revoke(s, t.id, t.revoked_at, err) < 0 ||
                    audit_append(s, by, "token.revoke", object, details, err) < 0)
                        goto fail;
        }
        if (store_tx_commit(s, err) < 0) {
                store_token_clear(&t);
                return -1;
        }
        if (rec_out)
                *rec_out = t;
        else
                store_token_clear(&t);
        return 0;
fail:
        store_tx_rollback(s);
        store_token_clear(&t);
        return -1;
}

/* A token acts for its user, with its own role, only while that user is
 * enabled and still holds the role: removing a role from a person takes it
 * from every token they have. */
static int principal_user(struct store *s, const struct store_token *t, struct auth_principal *out,
                          struct error *err) {
        if (t->user_id <= 0)
                return error_set(err, ERROR_UNAUTHENTICATED, "token '%s' belongs to no user", t->name);
        struct store_user u;
        struct error lookup = {0};
        if (store_user_get_by_id(s, t->user_id, &u, &lookup) < 0) {
                if (lookup.kind == ERROR_NOT_FOUND)
                        return error_set(err, ERROR_UNAUTHENTICATED, "token '%s' belongs to no user", t->name);
                if (err)
                        *err = lookup;
                return -1;
        }
        int r = 0;
        if (u.disabled_at != 0) /* a disabled user acts with no token */
                r = error_set(err, ERROR_UNAUTHENTICATED, "user '%s' of token '%s' is disabled", u.name, t->name);
        else if (!store_user_has_role(&u, t->role))
                r = error_set(err, ERROR_UNAUTHENTICATED, "user '%s' of token '%s' no longer holds role '%s'",
                              u.name, t->name, t->role);
        else {
                out->user_id = u.id;
                snprintf(out->user_name, sizeof(out->user_name), "%s", u.name);
        }
        store_user_clear(&u);
        return r;
}

int auth_authenticate(struct store *s, const char *authorization, struct auth_principal *out,
                      struct error *err) {
        memset(out, 0, sizeof(*out));
        if (!authorization || !*authorization)
                return error_set(err, ERROR_UNAUTHENTICATED, "missing Authorization header");
        /* RFC 9110 11.1: the scheme is case-insensitive; one or more spaces follow it. */
        if (strncasecmp(authorization, "Bearer", 6) != 0 || authorization[6] != ' ')
                return error_set(err, ERROR_UNAUTHENTICATED, "Authorization is not a Bearer token");
        const char *tok = authorization + 6;
        while (*tok == ' ')
                tok++;

        static const char malformed[] =
                "malformed token (expected cradle_<16 hex digits>_<43 base64url characters>)";
        if (strlen(tok) != TOKEN_LEN || strncmp(tok, TOKEN_PREFIX, TOKEN_PREFIX_LEN) != 0)
                return error_set(err, ERROR_UNAUTHENTICATED, "%s", malformed);
        const char *pub = tok + TOKEN_PREFIX_LEN;
        if (!is_lower_hex(pub, STORE_TOKEN_PUBLIC_ID_LEN) || pub[STORE_TOKEN_PUBLIC_ID_LEN] != '_')
                return error_set(err, ERROR_UNAUTHENTICATED, "%s", malformed);
        uint8_t secret[TOKEN_SECRET_BYTES];
        if (!secret_decode(pub + STORE_TOKEN_PUBLIC_ID_LEN + 1, secret)) {
                ct_wipe(secret, sizeof(secret));
                return error_set(err, ERROR_UNAUTHENTICATED, "%s", malformed);
        }
        uint8_t hash[SHA256_LEN];
        hash_sha256(secret, sizeof(secret), hash);
        ct_wipe(secret, sizeof(secret));

        char public_id[STORE_TOKEN_PUBLIC_ID_LEN + 1];
        memcpy(public_id, pub, STORE_TOKEN_PUBLIC_ID_LEN);
        public_id[STORE_TOKEN_PUBLIC_ID_LEN] = '\0';
        struct store_token t;
        struct error lookup = {0};
        if (store_token_get_by_public_id(s, public_id, &t, &lookup) < 0) {
                if (lookup.kind == ERROR_NOT_FOUND)
                        return error_set(err, ERROR_UNAUTHENTICATED, "unknown token");
                if (err)
                        *err = lookup;
                return -1;
        }
        /* A wrong secret reads exactly like an unknown public id. */
        bool match = ct_equal(hash, t.secret_hash, SHA256_LEN);
        ct_wipe(hash, sizeof(hash));
        int r = 0;
        if (!match)
                r = error_set(err, ERROR_UNAUTHENTICATED, "unknown token");
        else if (t.revoked_at)
                r = error_set(err, ERROR_UNAUTHENTICATED, "token '%s' was revoked", t.name);
        else if (role_parse(t.role, &out->role, NULL) < 0)
                r = error_set(err, ERROR_INTERNAL, "token '%s' has an unknown role '%s'", t.name, t.role);
        else
                r = principal_user(s, &t, out, err);
        if (r == 0) {
                out->token_id = t.id;
                snprintf(out->name, sizeof(out->name), "%s", t.name);
        }
        store_token_clear(&t);
        if (r < 0)
                memset(out, 0, sizeof(*out));
        return r;
}

json_t *auth_token_to_json(const struct store_token *t) {
        char created[TIME_RFC3339_LEN], revoked[TIME_RFC3339_LEN];
        time_format_rfc3339(t->created_at, created);
        if (t->revoked_at)
                time_format_rfc3339(t->revoked_at, revoked);
        return json_pack("{s:I, s:s, s:s, s:o, s:s, s:s, s:o}",
                         "id", (json_int_t) t->id,
                         "name", t->name ? t->name : "",
                         "role", t->role ? t->role : "",
                         "user", t->user_name ? json_string(t->user_name) : json_null(),
                         "created_at", created,
                         "created_by", t->created_by ? t->created_by : "",
                         "revoked_at", t->revoked_at ? json_string(revoked) : json_null());
}

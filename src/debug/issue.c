/* SPDX-License-Identifier: Apache-2.0 */
/* Debug tokens on the server: request parameters, issuance, lists (issue.h). */
#include <stdio.h>
#include <string.h>

#include "core/cleanup.h"
#include "core/fileio.h"
#include "core/json.h"
#include "core/strutil.h"
#include "core/time.h"
#include "crypto/encoding.h"
#include "crypto/hash.h"
#include "crypto/key.h"
#include "crypto/random.h"
#include "debug/anchor-gnutls.h"
#include "debug/issue.h"
#include "debug/sign.h"
#include "debug/token.h"
#include "keys/keys.h"
#include "store/store-debug.h"
#include "store/store-identity.h"
#include "store/store-keys.h"

/* Base64 of a challenge is at most 4/3 of DEBUG_CHALLENGE_MAX. */
#define CHALLENGE_B64_MAX (((DEBUG_CHALLENGE_MAX + 2) / 3) * 4)

static char *bytes_str(struct debug_bytes b) {
        return str_printf("%.*s", (int) b.n, (const char *) b.p);
}

/* Decodes and parses; *raw (heap) holds the bytes c points into. */
static int challenge_decode(const char *b64, uint8_t **raw, size_t *len, struct debug_challenge *c,
                            struct error *err) {
        if (!b64 || !*b64)
                return error_set(err, ERROR_INVALID, "challenge: missing");
        if (strlen(b64) > CHALLENGE_B64_MAX)
                return error_set(err, ERROR_TOO_LARGE, "challenge: larger than %d bytes", DEBUG_CHALLENGE_MAX);
        if (base64_decode(b64, strlen(b64), raw, len, err) < 0)
                return error_prefix(err, "challenge: ");
        enum debug_status st = debug_challenge_parse(*raw, *len, c);
        if (st != DEBUG_OK)
                return error_set(err, ERROR_INVALID, "challenge: %s", debug_status_string(st));
        return 0;
}

static int device_check(struct store *s, const char *serial, struct error *err) {
        struct store_device d;
        if (store_device_get_by_serial(s, serial, &d, err) < 0)
                return error_prefix(err, "challenge: ");
        bool gone = d.decommissioned_at != 0;
        store_device_clear(&d);
        if (gone)
                return error_set(err, ERROR_CONFLICT, "challenge: device '%s' is decommissioned", serial);
        return 0;
}

int debug_request_params(struct store *s, const char *challenge_b64, json_t **params, struct error *err) {
        _cleanup_free_ uint8_t *raw = NULL;
        size_t len = 0;
        struct debug_challenge c;
        *params = NULL;
        if (challenge_decode(challenge_b64, &raw, &len, &c, err) < 0)
                return -1;
        _cleanup_free_ char *serial = bytes_str(c.serial), *uid = bytes_str(c.uid);
        if (device_check(s, serial, err) < 0)
                return -1;
        char hash[SHA256_HEX_LEN], scope[96];
        hash_sha256_hex(raw, len, hash);
        debug_scope_format(c.scope, scope, sizeof(scope));
        _cleanup_free_ char *canonical = base64_encode(raw, len);
        *params = json_pack("{s:s, s:s, s:s, s:s, s:s, s:I}", "challenge", canonical, "challenge_sha256", hash,
                            "serial", serial, "uid", uid, "scope", scope, "security_version",
                            (json_int_t) c.security_version);
        return 0;
}

/* The debug-auth key: loaded, or generated where the configuration says on
 * first use (a new file refuses to overwrite anything; a PKCS#11 label that
 * exists already is loaded, not replaced). */
static int key_open(const struct debug_config *cfg, struct crypto_key **out, struct error *err) {
        _cleanup_free_ char *ref = cfg->key_ref && *cfg->key_ref ? str_dup(cfg->key_ref)
                                                                 : path_join(cfg->data_dir, DEBUG_KEY_FILE);
        struct error gerr = { 0 };
        if (strncmp(ref, "pkcs11:", 7) == 0) {
                if (crypto_key_load(ref, out, NULL) == 0)
                        return 0;
                if (crypto_key_generate_pkcs11(ref, CRYPTO_KEY_EC_P256, &gerr) < 0 && gerr.kind != ERROR_CONFLICT) {
                        if (err)
                                *err = gerr;
                        return error_prefix(err, "debug-auth key: ");
                }
        } else if (!file_exists(ref) && crypto_key_generate_new_file(ref, CRYPTO_KEY_EC_P256, &gerr) < 0 &&
                   gerr.kind != ERROR_CONFLICT) { /* CONFLICT: another request made it first */
                if (err)
                        *err = gerr;
                return error_prefix(err, "debug-auth key: ");
        }
        if (crypto_key_load(ref, out, err) < 0)
                return error_prefix(err, "debug-auth key: ");
        gnutls_sign_algorithm_t algo;
        if (debug_sign_algorithm(crypto_key_pubkey(*out), &algo, err) < 0) {
                crypto_key_free(*out);
                *out = NULL;
                return -1;
        }
        return 0;
}

/* Enters the key in the registry (idempotent) and returns its id there. */
static int key_register(struct store *s, const struct crypto_key *k, const struct audit_actor *as, int64_t *id,
                        char fingerprint[65], struct error *err) {
        if (keys_fingerprint_pubkey(crypto_key_pubkey(k), fingerprint, err) < 0)
                return -1;
        const struct keys_new kn = {
                .class = "debug-auth",
                .purpose = "signs debug-authorisation tokens (challenge-response debug access to devices)",
                .pubkey = crypto_key_pubkey(k),
                .storage = crypto_key_is_pkcs11(k) ? "pkcs11" : "file",
                .ref = crypto_key_ref(k),
        };
        return keys_register(s, &kn, as->name, id, err);
}

/* Only a key the registry holds as usable signs: once marked compromised,
 * retired or destroyed (cradle key compromised|retire) the debug-auth key
 * issues nothing until it is replaced. */
static int key_usable(struct store *s, int64_t key_id, struct error *err) {
        struct store_key k;
        if (store_keys_get(s, key_id, &k, err) < 0)
                return -1;
        bool usable = strcmp(k.state, "active") == 0 || strcmp(k.state, "retiring") == 0;
        int r = usable ? 0
                       : error_set(err, ERROR_CONFLICT,
                                   "debug-auth key %s is %s in the key registry: it signs no debug token "
                                   "(replace it, docs/keys.md)", k.fingerprint, k.state);
        store_key_clear(&k);
        return r;
}

static const struct cr_json_field param_fields[] = {
        { .name = "challenge", .type = CR_JSON_STRING, .required = true, .max_len = CHALLENGE_B64_MAX },
        { .name = "challenge_sha256", .type = CR_JSON_STRING, .required = true, .max_len = 64 },
        { .name = "serial", .type = CR_JSON_STRING, .required = true, .max_len = DEBUG_SERIAL_MAX },
        { .name = "uid", .type = CR_JSON_STRING, .required = true, .max_len = DEBUG_UID_MAX },
        { .name = "scope", .type = CR_JSON_STRING, .required = true, .max_len = 95 },
        { .name = "security_version", .type = CR_JSON_INTEGER, .required = true },
};

int debug_issue(struct store *s, const struct debug_config *cfg, const struct audit_actor *as, int64_t approval_id,
                const char *approvers, json_t *params, json_t **result, struct error *err) {
        _cleanup_free_ uint8_t *raw = NULL;
        size_t raw_len = 0;
        struct debug_challenge c;
        *result = NULL;
        if (cr_json_check_object("debug.issue parameters", params, param_fields, ELEMENTSOF(param_fields), err) < 0 ||
            challenge_decode(cr_json_get_string(params, "challenge"), &raw, &raw_len, &c, err) < 0)
                return -1;
        _cleanup_free_ char *serial = bytes_str(c.serial), *uid = bytes_str(c.uid);
        if (device_check(s, serial, err) < 0)
                return -1;
        if (!approvers || !*approvers || strlen(approvers) > DEBUG_APPROVERS_MAX)
                return error_set(err, ERROR_INTERNAL, "debug token: approvers must be 1 to %d bytes",
                                 DEBUG_APPROVERS_MAX);

        _cleanup_crypto_key_ struct crypto_key *key = NULL;
        int64_t key_id = 0;
        char fingerprint[65];
        if (key_open(cfg, &key, err) < 0 || key_register(s, key, as, &key_id, fingerprint, err) < 0 ||
            key_usable(s, key_id, err) < 0)
                return -1;

        uint8_t hash[DEBUG_HASH_LEN], token_id[DEBUG_TOKEN_ID_LEN], buf[DEBUG_TOKEN_MAX];
        size_t len = 0;
        hash_sha256(raw, raw_len, hash);
        if (random_bytes(token_id, sizeof(token_id), err) < 0)
                return -1;
        int64_t now = time_now();
        int64_t validity = cfg->validity > 0 ? cfg->validity : DEBUG_VALIDITY_DEFAULT;
        struct debug_token t = {
                .token_id = { token_id, sizeof(token_id) },
                .challenge_hash = { hash, sizeof(hash) },
                .serial = c.serial,
                .uid = c.uid,
                .scope = c.scope,
                .not_before = now,
                .not_after = now + validity,
                /* The device may not run below the version it had when it asked. */
                .security_floor = c.security_version,
                .approvers = { (const uint8_t *) approvers, strlen(approvers) },
        };
        if (debug_token_sign(crypto_key_privkey(key), crypto_key_pubkey(key), &t, buf, sizeof(buf), &len, err) < 0)
                return -1;

        char id_hex[2 * DEBUG_TOKEN_ID_LEN + 1], hash_hex[SHA256_HEX_LEN], scope[96];
        hex_encode(token_id, sizeof(token_id), id_hex);
        hex_encode(hash, sizeof(hash), hash_hex);
        debug_scope_format(c.scope, scope, sizeof(scope));
        _cleanup_free_ char *b64 = base64_encode(buf, len);
        struct store_debug_token row = {
                .token_id = id_hex, .approval_id = approval_id, .device_serial = serial, .device_uid = uid,
                .scope = scope, .challenge_sha256 = hash_hex, .security_floor = (int64_t) c.security_version,
                .not_before = t.not_before, .not_after = t.not_after, .requester = (char *) (as->user ? as->user : as->name),
                .approvers = (char *) approvers, .key_fingerprint = fingerprint, .token = b64, .issued_at = now,
        };
        _cleanup_json_ json_t *details = json_pack("{s:s, s:s, s:s, s:I, s:I, s:s, s:s, s:I}", "token_id", id_hex,
                                                   "serial", serial, "scope", scope, "not_before",
                                                   (json_int_t) t.not_before, "not_after", (json_int_t) t.not_after,
                                                   "approvers", approvers, "key_fingerprint", fingerprint,
                                                   "approval_id", (json_int_t) approval_id);
        _cleanup_free_ char *object = str_printf("device:%s", serial);
        _cleanup_free_ char *use = str_printf("debug token %s for device %s, scope %s", id_hex, serial, scope);
        /* The token, its audit entry and the key's recorded use commit
         * together (keys_use_audited joins this transaction). */
        if (store_tx_begin(s, err) < 0)
                return -1;
        if (store_debug_token_insert(s, &row, NULL, err) < 0 ||
            audit_append(s, as, "debug.issue", object, details, err) < 0 ||
            keys_use_audited(s, key_id, use, as->name, err) < 0) {
                store_tx_rollback(s);
                return -1;
        }
        if (store_tx_commit(s, err) < 0)
                return -1;
        *result = json_pack("{s:s, s:s, s:s, s:I, s:I, s:s, s:s}", "token_id", id_hex, "serial", serial, "scope",
                            scope, "not_before", (json_int_t) t.not_before, "not_after", (json_int_t) t.not_after,
                            "approvers", approvers, "key_fingerprint", fingerprint);
        return 0;
}

static json_t *row_json(const struct store_debug_token *t, bool with_token) {
        char nb[TIME_RFC3339_LEN], na[TIME_RFC3339_LEN], at[TIME_RFC3339_LEN];
        time_format_rfc3339(t->not_before, nb);
        time_format_rfc3339(t->not_after, na);
        time_format_rfc3339(t->issued_at, at);
        json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:I, s:s, s:s, s:s, s:s, s:s, s:s}", "token_id", t->token_id,
                              "serial", t->device_serial, "uid", t->device_uid, "scope", t->scope,
                              "challenge_sha256", t->challenge_sha256, "security_floor",
                              (json_int_t) t->security_floor, "not_before", nb, "not_after", na, "requester",
                              t->requester, "approvers", t->approvers, "key_fingerprint", t->key_fingerprint,
                              "issued_at", at);
        json_object_set_new(o, "approval_id", t->approval_id ? json_integer(t->approval_id) : json_null());
        if (with_token)
                json_object_set_new(o, "token", json_string(t->token));
        return o;
}

int debug_token_get(struct store *s, int64_t approval_id, json_t **out, struct error *err) {
        struct store_debug_token t;
        if (store_debug_token_by_approval(s, approval_id, &t, err) < 0)
                return -1;
        *out = row_json(&t, true);
        store_debug_token_clear(&t);
        return 0;
}

int debug_token_list(struct store *s, const char *serial, json_t **out, struct error *err) {
        struct store_debug_token *l = NULL;
        size_t n = 0;
        if (store_debug_token_list(s, serial, 1000, &l, &n, err) < 0)
                return -1;
        json_t *items = json_array();
        for (size_t i = 0; i < n; i++)
                json_array_append_new(items, row_json(&l[i], false));
        store_debug_token_list_free(l, n);
        *out = json_pack("{s:o}", "items", items);
        return 0;
}

int debug_key_public_pem(struct store *s, const struct debug_config *cfg, const struct audit_actor *as, char **pem,
                         struct error *err) {
        _cleanup_crypto_key_ struct crypto_key *key = NULL;
        int64_t key_id = 0;
        char fingerprint[65];
        gnutls_datum_t d = { NULL, 0 };
        if (key_open(cfg, &key, err) < 0 || key_register(s, key, as, &key_id, fingerprint, err) < 0)
                return -1;
        int r = gnutls_pubkey_export2(crypto_key_pubkey(key), GNUTLS_X509_FMT_PEM, &d);
        if (r < 0)
                return error_set(err, ERROR_CRYPTO, "debug-auth key: %s", gnutls_strerror(r));
        *pem = str_printf("%.*s", (int) d.size, (const char *) d.data);
        gnutls_free(d.data);
        return 0;
}

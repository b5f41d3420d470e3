/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Producing TUF signatures. The signature algorithm is fixed by the key type
 * (tuf_key_sign_algorithm) rather than taken from crypto_key_sign_hash: TUF's
 * "ecdsa-sha2-nistp256" scheme means SHA-256 whatever GnuTLS would prefer.
 */
#include <string.h>

#include <gnutls/abstract.h>
#include <gnutls/gnutls.h>

#include "core/cleanup.h"
#include "core/json.h"
#include "core/strutil.h"
#include "crypto/encoding.h"
#include "tuf/sign.h"

int tuf_key_from_crypto_key(const struct crypto_key *key, struct tuf_key **out, struct error *err) {
        if (!key)
                return error_set(err, ERROR_INTERNAL, "no signing key");
        if (tuf_key_from_pubkey(crypto_key_pubkey(key), out, err) < 0)
                return error_prefix(err, "signing key '%s': ", crypto_key_ref(key));
        return 0;
}

char *tuf_signed_bytes(json_t *doc, size_t *len, struct error *err) {
        json_t *s = json_object_get(doc, "signed");

        if (!json_is_object(s)) {
                error_set(err, ERROR_INVALID, "metadata has no \"signed\" object");
                return NULL;
        }
        return cr_json_canonical(s, len, err);
}

int tuf_sign_bytes(const struct crypto_key *key, const void *data, size_t len,
                   char keyid[TUF_KEYID_HEX_LEN], char **sig_hex, struct error *err) {
        _cleanup_tuf_key_ struct tuf_key *tk = NULL;
        gnutls_datum_t d = { (unsigned char *) data, (unsigned) len };
        gnutls_datum_t sig = { 0 };
        char *hex;
        int rc;

        if (len > UINT32_MAX)
                return error_set(err, ERROR_TOO_LARGE, "data to sign is too large");
        if (tuf_key_from_crypto_key(key, &tk, err) < 0)
                return -1;
        rc = gnutls_privkey_sign_data2(crypto_key_privkey(key), tuf_key_sign_algorithm(tuf_key_type(tk)),
                                       0, &d, &sig);
        if (rc < 0)
                return error_set(err, ERROR_CRYPTO, "signing with key '%s' (%s) failed: %s",
                                 crypto_key_ref(key), crypto_key_describe(key), gnutls_strerror(rc));
        hex = xmalloc(2 * (size_t) sig.size + 1);
        hex_encode(sig.data, sig.size, hex);
        gnutls_free(sig.data);
        memcpy(keyid, tuf_key_id(tk), TUF_KEYID_HEX_LEN);
        *sig_hex = hex;
        return 0;
}

static bool already_signed(json_t *sigs, const char *keyid) {
        size_t i;
        json_t *s;

        json_array_foreach(sigs, i, s)
                if (str_eq(json_string_value(json_object_get(s, "keyid")), keyid))
                        return true;
        return false;
}

static int append_signature(json_t *doc, const char *keyid, const char *sig_hex, struct error *err) {
        json_t *sigs = json_object_get(doc, "signatures");

        if (!json_is_array(sigs))
                return error_set(err, ERROR_INVALID, "metadata has no \"signatures\" array");
        if (already_signed(sigs, keyid))
                return error_set(err, ERROR_CONFLICT,
                                 "key %s has already signed this metadata (one signature per key)",
                                 keyid);
        if (json_array_size(sigs) >= TUF_MAX_SIGNATURES)
                return error_set(err, ERROR_INVALID, "metadata already has %d signatures",
                                 TUF_MAX_SIGNATURES);
        json_array_append_new(sigs, json_pack("{s:s, s:s}", "keyid", keyid, "sig", sig_hex));
        return 0;
}

int tuf_sign(json_t *doc, const struct crypto_key *key, struct error *err) {
        _cleanup_free_ char *bytes = NULL, *sig = NULL;
        char keyid[TUF_KEYID_HEX_LEN];
        size_t len = 0;

        bytes = tuf_signed_bytes(doc, &len, err);
        if (!bytes)
                return -1;
        if (!json_is_array(json_object_get(doc, "signatures")))
                return error_set(err, ERROR_INVALID, "metadata has no \"signatures\" array");
        if (tuf_sign_bytes(key, bytes, len, keyid, &sig, err) < 0)
                return -1;
        return append_signature(doc, keyid, sig, err);
}

int tuf_sign_add_external(json_t *doc, const struct tuf_key *key, const char *keyid,
                          const char *sig_hex, struct error *err) {
        _cleanup_free_ char *bytes = NULL;
        char safe[80];
        size_t len = 0;

        if (!key || !keyid || !sig_hex)
                return error_set(err, ERROR_INVALID, "signature: keyid and sig are required");
        if (strcmp(keyid, tuf_key_id(key)) != 0)
                return error_set(err, ERROR_INVALID, "signature: keyid '%s' is not the key's (%s)",
                                 (str_sanitize(keyid, strlen(keyid), safe, sizeof(safe)), safe),
                                 tuf_key_id(key));
        bytes = tuf_signed_bytes(doc, &len, err);
        if (!bytes)
                return -1;
        if (tuf_key_verify(key, bytes, len, sig_hex, err) < 0)
                return error_prefix(err, "signature by key %s: ", keyid);
        return append_signature(doc, keyid, sig_hex, err);
}

int tuf_sign_add_external_for_role(json_t *doc, const struct tuf_metadata *root,
                                   enum tuf_role role, const char *keyid, const char *sig_hex,
                                   struct error *err) {
        const struct tuf_key *key;
        char safe[80];

        if (!keyid)
                return error_set(err, ERROR_INVALID, "signature: keyid is required");
        key = tuf_root_find_key(root, keyid);
        if (!key || !tuf_root_role_has_key(root, role, keyid))
                return error_set(err, ERROR_FORBIDDEN, "key %s is not a %s key in root version %lld",
                                 (str_sanitize(keyid, strlen(keyid), safe, sizeof(safe)), safe),
                                 tuf_role_name(role), root ? (long long) root->version : 0LL);
        return tuf_sign_add_external(doc, key, keyid, sig_hex, err);
}

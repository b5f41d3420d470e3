/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Raw PKCS#11 sessions through p11-kit (p11.h).
 */
#include "crypto/p11.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <p11-kit/p11-kit.h>
#include <p11-kit/uri.h>

#include "core/cleanup.h"
#include "core/strutil.h"
#include "crypto/ct.h"
#include "crypto/key.h"

struct crypto_p11 {
        char *ref;  /* the URI, for errors (never holds a PIN: refused) */
        char *what; /* "KEK", "device key" */
        P11KitUri *uri;
        CK_FUNCTION_LIST **modules; /* p11-kit's registered modules (NULL-terminated) */
        CK_FUNCTION_LIST *extra;    /* CRADLE_PKCS11_MODULE, when set */
        CK_FUNCTION_LIST *module;   /* the one holding the token: one of the above */
        CK_SESSION_HANDLE session;
        bool have_session;
};

const char *crypto_p11_rv_name(CK_RV rv) {
        switch (rv) {
        case CKR_OK: return "CKR_OK";
        case CKR_PIN_INCORRECT: return "CKR_PIN_INCORRECT (wrong PIN)";
        case CKR_PIN_LOCKED: return "CKR_PIN_LOCKED";
        case CKR_MECHANISM_INVALID: return "CKR_MECHANISM_INVALID (the token lacks the mechanism)";
        case CKR_MECHANISM_PARAM_INVALID: return "CKR_MECHANISM_PARAM_INVALID";
        case CKR_KEY_TYPE_INCONSISTENT: return "CKR_KEY_TYPE_INCONSISTENT";
        case CKR_KEY_FUNCTION_NOT_PERMITTED: return "CKR_KEY_FUNCTION_NOT_PERMITTED";
        case CKR_ENCRYPTED_DATA_INVALID: return "CKR_ENCRYPTED_DATA_INVALID";
        case CKR_ENCRYPTED_DATA_LEN_RANGE: return "CKR_ENCRYPTED_DATA_LEN_RANGE";
        case CKR_ATTRIBUTE_SENSITIVE: return "CKR_ATTRIBUTE_SENSITIVE";
        case CKR_ATTRIBUTE_VALUE_INVALID: return "CKR_ATTRIBUTE_VALUE_INVALID";
        case CKR_TEMPLATE_INCONSISTENT: return "CKR_TEMPLATE_INCONSISTENT";
        case CKR_DOMAIN_PARAMS_INVALID: return "CKR_DOMAIN_PARAMS_INVALID";
        case CKR_ARGUMENTS_BAD: return "CKR_ARGUMENTS_BAD";
        case CKR_SESSION_HANDLE_INVALID: return "CKR_SESSION_HANDLE_INVALID";
        case CKR_SESSION_CLOSED: return "CKR_SESSION_CLOSED";
        case CKR_USER_NOT_LOGGED_IN: return "CKR_USER_NOT_LOGGED_IN";
        case CKR_TOKEN_NOT_PRESENT: return "CKR_TOKEN_NOT_PRESENT";
        case CKR_DEVICE_REMOVED: return "CKR_DEVICE_REMOVED";
        case CKR_GENERAL_ERROR: return "CKR_GENERAL_ERROR";
        case CKR_FUNCTION_FAILED: return "CKR_FUNCTION_FAILED";
        default: return "a PKCS#11 error";
        }
}

CK_FUNCTION_LIST *crypto_p11_module(const struct crypto_p11 *p) {
        return p->module;
}

CK_SESSION_HANDLE crypto_p11_session(const struct crypto_p11 *p) {
        return p->session;
}

const CK_ATTRIBUTE *crypto_p11_uri_attr(const struct crypto_p11 *p, CK_ATTRIBUTE_TYPE type) {
        CK_ATTRIBUTE *a = p11_kit_uri_get_attribute(p->uri, type);
        return a && a->ulValueLen > 0 ? a : NULL;
}

void crypto_p11_close(struct crypto_p11 *p) {
        if (!p)
                return;
        if (p->have_session)
                p->module->C_CloseSession(p->session);
        if (p->extra) {
                p11_kit_module_finalize(p->extra);
                p11_kit_module_release(p->extra);
        }
        if (p->modules)
                p11_kit_modules_finalize_and_release(p->modules);
        if (p->uri)
                p11_kit_uri_free(p->uri);
        free(p->ref);
        free(p->what);
        free(p);
}

static int p11_parse_uri(struct crypto_p11 *p, const char *uri, struct error *err) {
        p->uri = p11_kit_uri_new();
        int rc = p11_kit_uri_parse(uri, P11_KIT_URI_FOR_OBJECT_ON_TOKEN_AND_MODULE, p->uri);
        if (rc != P11_KIT_URI_OK)
                return error_set(err, ERROR_INVALID, "%s '%.300s' is not a PKCS#11 URI: %s", p->what, uri,
                                 p11_kit_uri_message(rc));
        if (p11_kit_uri_get_pin_value(p->uri) || p11_kit_uri_get_pin_source(p->uri))
                return error_set(err, ERROR_INVALID,
                                 "%s URI: a PIN in the URI is refused (it ends up in config files and "
                                 "logs); use CRADLE_PKCS11_PIN or CRADLE_PKCS11_PIN_FILE",
                                 p->what);
        return 0;
}

static int p11_modules_load(struct crypto_p11 *p, struct error *err) {
        p->modules = p11_kit_modules_load_and_initialize(0);
        if (!p->modules)
                return error_set(err, ERROR_CRYPTO, "cannot load the PKCS#11 modules: %s",
                                 p11_kit_message() ? p11_kit_message() : "p11-kit failed");
        const char *extra = getenv("CRADLE_PKCS11_MODULE");
        if (extra && *extra) {
                CK_FUNCTION_LIST *m = p11_kit_module_load(extra, 0);
                if (!m)
                        return error_set(err, ERROR_CRYPTO,
                                         "cannot load the PKCS#11 module '%.300s' (CRADLE_PKCS11_MODULE): %s", extra,
                                         p11_kit_message() ? p11_kit_message() : "p11-kit failed");
                CK_RV rv = p11_kit_module_initialize(m);
                if (rv != CKR_OK && rv != CKR_CRYPTOKI_ALREADY_INITIALIZED) {
                        p11_kit_module_release(m);
                        return error_set(err, ERROR_CRYPTO, "cannot initialise the PKCS#11 module '%.300s': %s",
                                         extra, crypto_p11_rv_name(rv));
                }
                p->extra = m;
        }
        return 0;
}

/* The slot of the first token the URI matches: the extra module first. */
static int p11_find_token(struct crypto_p11 *p, CK_SLOT_ID *slot_out, struct error *err) {
        CK_FUNCTION_LIST *order[64];
        size_t n = 0;
        if (p->extra)
                order[n++] = p->extra;
        for (size_t i = 0; p->modules && p->modules[i] && n < ELEMENTSOF(order); i++)
                order[n++] = p->modules[i];
        for (size_t i = 0; i < n; i++) {
                CK_INFO info;
                if (order[i]->C_GetInfo(&info) != CKR_OK || !p11_kit_uri_match_module_info(p->uri, &info))
                        continue;
                CK_ULONG count = 0;
                if (order[i]->C_GetSlotList(CK_TRUE, NULL, &count) != CKR_OK || count == 0)
                        continue;
                _cleanup_free_ CK_SLOT_ID *slots = xcalloc(count, sizeof(*slots));
                if (order[i]->C_GetSlotList(CK_TRUE, slots, &count) != CKR_OK)
                        continue;
                for (CK_ULONG j = 0; j < count; j++) {
                        CK_TOKEN_INFO ti;
                        if (order[i]->C_GetTokenInfo(slots[j], &ti) != CKR_OK ||
                            !p11_kit_uri_match_token_info(p->uri, &ti))
                                continue;
                        p->module = order[i];
                        *slot_out = slots[j];
                        return 0;
                }
        }
        return error_set(err, ERROR_NOT_FOUND, "%s '%.300s': no PKCS#11 token matches the URI", p->what, p->ref);
}

static int p11_login(struct crypto_p11 *p, CK_SLOT_ID slot, bool rw, struct error *err) {
        CK_FLAGS flags = CKF_SERIAL_SESSION | (rw ? CKF_RW_SESSION : 0);
        CK_RV rv = p->module->C_OpenSession(slot, flags, NULL, NULL, &p->session);
        if (rv != CKR_OK)
                return error_set(err, ERROR_CRYPTO, "%s '%.300s': C_OpenSession: %s", p->what, p->ref,
                                 crypto_p11_rv_name(rv));
        p->have_session = true;
        char pin[256];
        if (crypto_pkcs11_pin(pin, sizeof(pin), err) < 0)
                return error_prefix(err, "%s '%.300s': ", p->what, p->ref);
        rv = p->module->C_Login(p->session, CKU_USER, (CK_UTF8CHAR_PTR) pin, strlen(pin));
        ct_wipe(pin, sizeof(pin));
        if (rv != CKR_OK && rv != CKR_USER_ALREADY_LOGGED_IN)
                return error_set(err, rv == CKR_PIN_INCORRECT ? ERROR_UNAUTHENTICATED : ERROR_CRYPTO,
                                 "%s '%.300s': login: %s", p->what, p->ref, crypto_p11_rv_name(rv));
        return 0;
}

int crypto_p11_open(const char *uri, const char *what, bool rw, struct crypto_p11 **out, struct error *err) {
        *out = NULL;
        if (!uri || strncasecmp(uri, "pkcs11:", 7) != 0)
                return error_set(err, ERROR_INVALID, "%s '%.300s' is not a pkcs11: URI", what, uri ? uri : "");
        if (strlen(uri) > CRYPTO_KEY_REF_MAX)
                return error_set(err, ERROR_INVALID, "%s URI is longer than %d bytes", what, CRYPTO_KEY_REF_MAX);
        _cleanup_crypto_p11_ struct crypto_p11 *p = xcalloc(1, sizeof(*p));
        p->ref = str_dup(uri);
        p->what = str_dup(what);
        CK_SLOT_ID slot;
        if (p11_parse_uri(p, uri, err) < 0 || p11_modules_load(p, err) < 0 || p11_find_token(p, &slot, err) < 0 ||
            p11_login(p, slot, rw, err) < 0)
                return -1;
        *out = steal_ptr(p);
        return 0;
}

int crypto_p11_find(struct crypto_p11 *p, CK_OBJECT_CLASS cls, const char *cls_name, CK_OBJECT_HANDLE *found,
                    CK_ULONG max, CK_ULONG *n_out, struct error *err) {
        *n_out = 0;
        CK_ATTRIBUTE tmpl[3];
        CK_ULONG t = 0;
        tmpl[t++] = (CK_ATTRIBUTE) { CKA_CLASS, &cls, sizeof(cls) };
        const CK_ATTRIBUTE *c = p11_kit_uri_get_attribute(p->uri, CKA_CLASS);
        if (c && (c->ulValueLen != sizeof(CK_OBJECT_CLASS) || *(const CK_OBJECT_CLASS *) c->pValue != cls))
                return error_set(err, ERROR_INVALID, "%s '%.300s': type= must be %s (or left out)", p->what, p->ref,
                                 cls == CKO_SECRET_KEY ? "secret-key" : cls == CKO_PRIVATE_KEY ? "private" : cls_name);
        const CK_ATTRIBUTE *label = crypto_p11_uri_attr(p, CKA_LABEL), *id = crypto_p11_uri_attr(p, CKA_ID);
        if (label)
                tmpl[t++] = *label;
        if (id)
                tmpl[t++] = *id;
        CK_RV rv = p->module->C_FindObjectsInit(p->session, tmpl, t);
        if (rv != CKR_OK)
                return error_set(err, ERROR_CRYPTO, "%s '%.300s': C_FindObjectsInit: %s", p->what, p->ref,
                                 crypto_p11_rv_name(rv));
        CK_ULONG n = 0;
        rv = p->module->C_FindObjects(p->session, found, max, &n);
        p->module->C_FindObjectsFinal(p->session);
        if (rv != CKR_OK)
                return error_set(err, ERROR_CRYPTO, "%s '%.300s': C_FindObjects: %s", p->what, p->ref,
                                 crypto_p11_rv_name(rv));
        *n_out = n;
        return 0;
}

int crypto_p11_find_one(struct crypto_p11 *p, CK_OBJECT_CLASS cls, const char *cls_name, CK_OBJECT_HANDLE *out,
                        struct error *err) {
        CK_OBJECT_HANDLE found[2];
        CK_ULONG n = 0;
        if (crypto_p11_find(p, cls, cls_name, found, ELEMENTSOF(found), &n, err) < 0)
                return -1;
        if (n == 0)
                return error_set(err, ERROR_NOT_FOUND, "%s '%.300s': no %s object matches on the token", p->what,
                                 p->ref, cls_name);
        if (n > 1)
                return error_set(err, ERROR_INVALID, "%s '%.300s' matches more than one %s; name one (object= and id=)",
                                 p->what, p->ref, cls_name);
        *out = found[0];
        return 0;
}

int crypto_p11_ecdh(struct crypto_p11 *p, CK_OBJECT_HANDLE priv, const uint8_t *peer, size_t peer_len, uint8_t *z_out,
                    size_t z_len, struct error *err) {
        CK_ECDH1_DERIVE_PARAMS params = {
                .kdf = CKD_NULL,
                .ulSharedDataLen = 0,
                .pSharedData = NULL,
                .ulPublicDataLen = peer_len,
                .pPublicData = (CK_BYTE_PTR) peer,
        };
        CK_MECHANISM mech = { CKM_ECDH1_DERIVE, &params, sizeof(params) };
        CK_OBJECT_CLASS cls = CKO_SECRET_KEY;
        CK_KEY_TYPE kt = CKK_GENERIC_SECRET;
        CK_ULONG len = z_len;
        CK_BBOOL yes = CK_TRUE, no = CK_FALSE;
        /* A session object the caller may read: the shared secret is the
         * input of the wrap's HKDF, which runs here, not on the token
         * (PKCS#11 2.40 tokens have no HKDF mechanism). */
        CK_ATTRIBUTE tmpl[] = {
                { CKA_CLASS, &cls, sizeof(cls) },      { CKA_KEY_TYPE, &kt, sizeof(kt) },
                { CKA_VALUE_LEN, &len, sizeof(len) },  { CKA_TOKEN, &no, sizeof(no) },
                { CKA_SENSITIVE, &no, sizeof(no) },    { CKA_EXTRACTABLE, &yes, sizeof(yes) },
        };
        CK_OBJECT_HANDLE secret = CK_INVALID_HANDLE;
        CK_RV rv = p->module->C_DeriveKey(p->session, &mech, priv, tmpl, ELEMENTSOF(tmpl), &secret);
        if (rv == CKR_KEY_FUNCTION_NOT_PERMITTED)
                return error_set(err, ERROR_UNSUPPORTED,
                                 "%s '%.300s' does not allow key agreement (its CKA_DERIVE is false): make the "
                                 "key with derive allowed to receive encrypted updates",
                                 p->what, p->ref);
        if (rv != CKR_OK)
                return error_set(err, rv == CKR_MECHANISM_INVALID ? ERROR_UNSUPPORTED : ERROR_CRYPTO,
                                 "%s '%.300s': ECDH (C_DeriveKey, CKM_ECDH1_DERIVE): %s", p->what, p->ref,
                                 crypto_p11_rv_name(rv));
        CK_ATTRIBUTE value = { CKA_VALUE, z_out, z_len };
        rv = p->module->C_GetAttributeValue(p->session, secret, &value, 1);
        p->module->C_DestroyObject(p->session, secret);
        if (rv != CKR_OK || value.ulValueLen != z_len) {
                ct_wipe(z_out, z_len);
                if (rv == CKR_ATTRIBUTE_SENSITIVE)
                        return error_set(err, ERROR_UNSUPPORTED,
                                         "%s '%.300s': the token derives the ECDH secret but will not let it be read "
                                         "(its policy makes derived keys sensitive)",
                                         p->what, p->ref);
                return error_set(err, ERROR_CRYPTO, "%s '%.300s': reading the ECDH secret: %s", p->what, p->ref,
                                 rv != CKR_OK ? crypto_p11_rv_name(rv) : "wrong length");
        }
        return 0;
}

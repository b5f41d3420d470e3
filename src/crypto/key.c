/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Keys behind gnutls_privkey_t: a PEM file or a PKCS#11 object.
 *
 * Why one abstraction: a CA key starts life as a file on a laptop and moves to
 * an HSM later; a device key lives in a TPM or secure element (tpm2-pkcs11).
 * Everything that signs takes a `struct crypto_key` and never learns which.
 *
 * PKCS#11 initialisation is process-wide in GnuTLS and
 * gnutls_pkcs11_add_provider is not thread-safe, so both happen exactly once
 * under pthread_once. The PIN never passes through our error messages or logs:
 * the callback copies it straight into GnuTLS's buffer and wipes its copy.
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gnutls/abstract.h>
#include <gnutls/gnutls.h>
#include <gnutls/pkcs11.h>
#include <gnutls/x509.h>

#include "core/cleanup.h"
#include "core/fileio.h"
#include "core/strutil.h"
#include "crypto/ct.h"
#include "crypto/key.h"
#include "crypto/percent.h"

#define KEY_FILE_MAX (64 * 1024)
#define PIN_FILE_MAX 4096
#define PIN_MAX 256

/* What the PIN callback saw, so the load can say why a login failed. */
enum pin_outcome { PIN_NOT_ASKED, PIN_GIVEN, PIN_MISSING, PIN_UNREADABLE, PIN_WRONG };

struct pin_state {
        enum pin_outcome outcome;
};

struct crypto_key {
        gnutls_privkey_t priv;
        gnutls_pubkey_t pub;
        char *ref;
        bool pkcs11;
        char desc[32];
        /* Heap so its address is stable: GnuTLS keeps a pointer to it for
         * re-logins during signing. */
        struct pin_state *pin;
};

/* ---- PKCS#11 set-up (once per process) ------------------------------------ */

static pthread_once_t pkcs11_once = PTHREAD_ONCE_INIT;
static int pkcs11_init_rc;
static char pkcs11_init_msg[ERROR_MSG_MAX];

/* Reads the PIN from the environment or the PIN file. Never logs it.
 * Returns 0 with the PIN in out, or an outcome saying why not. */
static enum pin_outcome pin_read(char *out, size_t out_size) {
        const char *env = getenv("CRADLE_PKCS11_PIN");
        if (env && *env) {
                size_t n = strlen(env);
                if (n >= out_size)
                        return PIN_UNREADABLE;
                memcpy(out, env, n + 1);
                return PIN_GIVEN;
        }
        const char *file = getenv("CRADLE_PKCS11_PIN_FILE");
        if (!file || !*file)
                return PIN_MISSING;
        if (file_check_private(file, NULL) < 0)
                return PIN_UNREADABLE;
        _cleanup_secret_ char *data = NULL;
        size_t len = 0;
        if (file_read_all(file, PIN_FILE_MAX, &data, &len, NULL) < 0)
                return PIN_UNREADABLE;
        size_t n = strcspn(data, "\r\n");
        if (n == 0 || n >= out_size)
                return PIN_UNREADABLE;
        memcpy(out, data, n);
        out[n] = '\0';
        return PIN_GIVEN;
}

/* gnutls_pin_callback_t. attempt > 0 or GNUTLS_PIN_WRONG means the PIN we gave
 * was refused: giving the same one again would only count down the token's
 * retry counter towards a lock-out, so we stop. */
static int pin_callback(void *userdata, int attempt, const char *token_url, const char *token_label,
                        unsigned int flags, char *pin, size_t pin_max) {
        struct pin_state *st = userdata;
        (void) token_url;
        (void) token_label;

        if (attempt > 0 || (flags & GNUTLS_PIN_WRONG)) {
                if (st)
                        st->outcome = PIN_WRONG;
                return GNUTLS_E_PKCS11_PIN_ERROR;
        }
        if (flags & GNUTLS_PIN_SO) {
                /* We never act as security officer. */
                if (st)
                        st->outcome = PIN_MISSING;
                return GNUTLS_E_PKCS11_PIN_ERROR;
        }
        char buf[PIN_MAX];
        enum pin_outcome o = pin_read(buf, sizeof(buf) < pin_max ? sizeof(buf) : pin_max);
        if (st)
                st->outcome = o;
        if (o != PIN_GIVEN) {
                ct_wipe(buf, sizeof(buf));
                return GNUTLS_E_PKCS11_PIN_ERROR;
        }
        size_t n = strlen(buf);
        memcpy(pin, buf, n + 1);
        ct_wipe(buf, sizeof(buf));
        return 0;
}

static void pkcs11_init_once(void) {
        /* AUTO: load the modules registered with p11-kit (HSM drivers,
         * tpm2-pkcs11), as every other GnuTLS program on the host does. */
        int rc = gnutls_pkcs11_init(GNUTLS_PKCS11_FLAG_AUTO, NULL);
        if (rc < 0) {
                pkcs11_init_rc = rc;
                snprintf(pkcs11_init_msg, sizeof(pkcs11_init_msg),
                         "cannot initialise PKCS#11: %s", gnutls_strerror(rc));
                return;
        }
        /* Fallback for callers that import pkcs11: URIs themselves (TLS keys). */
        gnutls_pkcs11_set_pin_function(pin_callback, NULL);

        const char *module = getenv("CRADLE_PKCS11_MODULE");
        if (module && *module) {
                rc = gnutls_pkcs11_add_provider(module, NULL);
                /* A module p11-kit already loaded (SoftHSM2 is registered on
                 * Debian) is not an error: the token is reachable either way. */
                if (rc < 0 && rc != GNUTLS_E_INT_RET_0) {
                        pkcs11_init_rc = rc;
                        snprintf(pkcs11_init_msg, sizeof(pkcs11_init_msg),
                                 "cannot load the PKCS#11 module '%.300s' (CRADLE_PKCS11_MODULE): %s",
                                 module, gnutls_strerror(rc));
                }
        }
}

int crypto_pkcs11_pin(char *out, size_t out_size, struct error *err) {
        switch (pin_read(out, out_size)) {
        case PIN_GIVEN:
                return 0;
        case PIN_MISSING:
                return error_set(err, ERROR_UNAUTHENTICATED,
                                 "no PKCS#11 PIN: set CRADLE_PKCS11_PIN or CRADLE_PKCS11_PIN_FILE");
        default:
                return error_set(err, ERROR_UNAUTHENTICATED,
                                 "the PKCS#11 PIN cannot be read (CRADLE_PKCS11_PIN too long, or "
                                 "CRADLE_PKCS11_PIN_FILE unreadable, empty or not mode 0600)");
        }
}

int crypto_pkcs11_init(struct error *err) {
        pthread_once(&pkcs11_once, pkcs11_init_once);
        if (pkcs11_init_rc < 0)
                return error_set(err, ERROR_CRYPTO, "%s", pkcs11_init_msg);
        return 0;
}

/* ---- descriptions and policy ---------------------------------------------- */

void crypto_pubkey_describe(gnutls_pubkey_t pub, char *out, size_t out_size) {
        unsigned bits = 0;
        int pk = gnutls_pubkey_get_pk_algorithm(pub, &bits);

        switch (pk) {
        case GNUTLS_PK_ECDSA: {
                gnutls_ecc_curve_t curve = GNUTLS_ECC_CURVE_INVALID;
                if (gnutls_pubkey_export_ecc_raw2(pub, &curve, NULL, NULL, 0) < 0)
                        curve = GNUTLS_ECC_CURVE_INVALID;
                switch (curve) {
                case GNUTLS_ECC_CURVE_SECP256R1:
                        snprintf(out, out_size, "ECDSA P-256");
                        break;
                case GNUTLS_ECC_CURVE_SECP384R1:
                        snprintf(out, out_size, "ECDSA P-384");
                        break;
                case GNUTLS_ECC_CURVE_SECP521R1:
                        snprintf(out, out_size, "ECDSA P-521");
                        break;
                default: {
                        const char *name = gnutls_ecc_curve_get_name(curve);
                        snprintf(out, out_size, "ECDSA %s", name ? name : "(unknown curve)");
                }
                }
                break;
        }
        case GNUTLS_PK_EDDSA_ED25519:
                snprintf(out, out_size, "Ed25519");
                break;
        case GNUTLS_PK_EDDSA_ED448:
                snprintf(out, out_size, "Ed448");
                break;
        case GNUTLS_PK_RSA:
                snprintf(out, out_size, "RSA %u", bits);
                break;
        case GNUTLS_PK_RSA_PSS:
                snprintf(out, out_size, "RSA-PSS %u", bits);
                break;
        case GNUTLS_PK_DSA:
                snprintf(out, out_size, "DSA %u", bits);
                break;
        default: {
                const char *name = pk >= 0 ? gnutls_pk_get_name((gnutls_pk_algorithm_t) pk) : NULL;
                snprintf(out, out_size, "%s", name ? name : "unknown key type");
        }
        }
}

static bool policy_refuse(char *why, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static bool policy_refuse(char *why, size_t size, const char *fmt, ...) {
        if (why && size) {
                va_list ap;
                va_start(ap, fmt);
                vsnprintf(why, size, fmt, ap);
                va_end(ap);
        }
        return false;
}

/* RSA: the modulus size, and the exponent exactly 65537 (0x010001). */
static bool rsa_in_policy(gnutls_pubkey_t pub, unsigned bits, char *why, size_t size) {
        char what[32];
        if (bits < 3072)
                return policy_refuse(why, size, "RSA modulus is %u bits, fewer than 3072", bits);
        gnutls_datum_t e = {0};
        if (gnutls_pubkey_export_rsa_raw2(pub, NULL, &e, GNUTLS_EXPORT_FLAG_NO_LZ) < 0)
                return policy_refuse(why, size, "%s", "RSA public exponent cannot be read");
        static const unsigned char f4[] = {0x01, 0x00, 0x01};
        bool ok = e.size == sizeof(f4) && memcmp(e.data, f4, sizeof(f4)) == 0;
        if (!ok) {
                uint64_t v = 0;
                for (unsigned i = 0; i < e.size && i < 8; i++)
                        v = v << 8 | e.data[i];
                if (e.size <= 8)
                        snprintf(what, sizeof(what), "%llu", (unsigned long long) v);
                else
                        snprintf(what, sizeof(what), "%u bytes long", e.size);
                policy_refuse(why, size, "RSA public exponent is %s, not 65537", what);
        }
        gnutls_free(e.data);
        return ok;
}

bool crypto_pubkey_in_policy(gnutls_pubkey_t pub, char *why, size_t size) {
        unsigned bits = 0;
        char desc[64];
        int pk = gnutls_pubkey_get_pk_algorithm(pub, &bits);
        if (why && size)
                why[0] = '\0';
        if (pk == GNUTLS_PK_EDDSA_ED25519)
                return true;
        if (pk == GNUTLS_PK_RSA)
                return rsa_in_policy(pub, bits, why, size);
        if (pk == GNUTLS_PK_ECDSA) {
                gnutls_ecc_curve_t curve = GNUTLS_ECC_CURVE_INVALID;
                if (gnutls_pubkey_export_ecc_raw2(pub, &curve, NULL, NULL, 0) == 0 &&
                    (curve == GNUTLS_ECC_CURVE_SECP256R1 || curve == GNUTLS_ECC_CURVE_SECP384R1))
                        return true;
        }
        crypto_pubkey_describe(pub, desc, sizeof(desc));
        return policy_refuse(why, size, "%s keys are not accepted", desc);
}

gnutls_digest_algorithm_t crypto_key_sign_hash(const struct crypto_key *k) {
        unsigned bits = 0;
        int pk = gnutls_pubkey_get_pk_algorithm(k->pub, &bits);
        if (pk == GNUTLS_PK_ECDSA) {
                gnutls_ecc_curve_t curve = GNUTLS_ECC_CURVE_INVALID;
                if (gnutls_pubkey_export_ecc_raw2(k->pub, &curve, NULL, NULL, 0) == 0 &&
                    curve == GNUTLS_ECC_CURVE_SECP384R1)
                        return GNUTLS_DIG_SHA384;
                return GNUTLS_DIG_SHA256;
        }
        if (pk == GNUTLS_PK_EDDSA_ED25519 || pk == GNUTLS_PK_EDDSA_ED448) {
                /* EdDSA hashes internally; GnuTLS wants the digest the
                 * algorithm is defined with (SHA-512 for Ed25519). */
                gnutls_digest_algorithm_t dig = GNUTLS_DIG_UNKNOWN;
                unsigned mand = 0;
                if (gnutls_pubkey_get_preferred_hash_algorithm(k->pub, &dig, &mand) < 0)
                        return GNUTLS_DIG_SHA512;
                return dig;
        }
        return GNUTLS_DIG_SHA256;
}

static const struct {
        enum crypto_key_type type;
        const char *name;
} type_names[] = {
        {CRYPTO_KEY_EC_P256, "p256"},
        {CRYPTO_KEY_EC_P384, "p384"},
        {CRYPTO_KEY_ED25519, "ed25519"},
        {CRYPTO_KEY_RSA3072, "rsa3072"},
};

int crypto_key_type_parse(const char *name, enum crypto_key_type *out, struct error *err) {
        for (size_t i = 0; name && i < ELEMENTSOF(type_names); i++)
                if (strcasecmp(name, type_names[i].name) == 0) {
                        *out = type_names[i].type;
                        return 0;
                }
        char safe[64];
        str_sanitize(name ? name : "", name ? strlen(name) : 0, safe, sizeof(safe));
        return error_set(err, ERROR_INVALID, "unknown key type '%s' (expected p256, p384, ed25519 or rsa3072)",
                         safe);
}

const char *crypto_key_type_name(enum crypto_key_type type) {
        for (size_t i = 0; i < ELEMENTSOF(type_names); i++)
                if (type_names[i].type == type)
                        return type_names[i].name;
        return NULL;
}

/* ---- loading ---------------------------------------------------------------- */

static void x509_privkey_freep(gnutls_x509_privkey_t *k) {
        if (*k)
                gnutls_x509_privkey_deinit(*k);
}

void crypto_key_free(struct crypto_key *k) {
        if (!k)
                return;
        if (k->pub)
                gnutls_pubkey_deinit(k->pub);
        if (k->priv)
                gnutls_privkey_deinit(k->priv);
        free(k->pin);
        free(k->ref);
        free(k);
}

static bool contains_ci(const char *s, const char *needle) {
        size_t n = strlen(needle);
        for (; *s; s++)
                if (strncasecmp(s, needle, n) == 0)
                        return true;
        return false;
}

/* The URI as it may appear in an error message: printable, bounded. */
static void ref_safe(const char *ref, char *out, size_t out_size) {
        str_sanitize(ref, strlen(ref), out, out_size);
}

static int load_pem(struct crypto_key *k, const char *path, const char *pem, size_t len, struct error *err) {
        int rc = gnutls_privkey_init(&k->priv);
        if (rc < 0)
                return error_set(err, ERROR_CRYPTO, "key '%s': %s", path, gnutls_strerror(rc));
        gnutls_datum_t d = {(unsigned char *) pem, (unsigned) len};
        /* No password: encrypted keys are refused (they would need a passphrase
         * prompt; store them on a token instead). */
        rc = gnutls_privkey_import_x509_raw(k->priv, &d, GNUTLS_X509_FMT_PEM, NULL, GNUTLS_PKCS_PLAIN);
        if (rc < 0)
                return error_set(err, ERROR_INVALID,
                                 "key file '%s' is not an unencrypted PEM private key (PKCS#8, SEC1 or "
                                 "PKCS#1): %s", path, gnutls_strerror(rc));
        rc = gnutls_pubkey_init(&k->pub);
        if (rc >= 0)
                rc = gnutls_pubkey_import_privkey(k->pub, k->priv, 0, 0);
        if (rc < 0)
                return error_set(err, ERROR_CRYPTO, "key '%s': cannot derive the public key: %s", path,
                                 gnutls_strerror(rc));
        return 0;
}

static int load_file(struct crypto_key *k, const char *path, struct error *err) {
        if (file_check_private(path, err) < 0)
                return error_prefix(err, "key file: ");
        _cleanup_secret_ char *pem = NULL;
        size_t len = 0;
        if (file_read_all(path, KEY_FILE_MAX, &pem, &len, err) < 0)
                return error_prefix(err, "key file: ");
        return load_pem(k, path, pem, len, err);
}

/* Replaces (or adds) the type= attribute of a PKCS#11 URI. Heap. */
static char *uri_with_type(const char *uri, const char *type) {
        struct buf b = {0};
        const char *p = uri + strlen("pkcs11:");
        buf_append(&b, "pkcs11:", 7);
        bool first = true;
        /* The path part ends at '?' (query attributes follow). */
        const char *end = strchr(p, '?');
        const char *path_end = end ? end : p + strlen(p);
        while (p < path_end) {
                const char *semi = memchr(p, ';', (size_t) (path_end - p));
                const char *stop = semi ? semi : path_end;
                if (!(stop - p >= 5 && strncasecmp(p, "type=", 5) == 0) && stop > p) {
                        if (!first)
                                buf_append(&b, ";", 1);
                        buf_append(&b, p, (size_t) (stop - p));
                        first = false;
                }
                p = semi ? semi + 1 : path_end;
        }
        buf_appendf(&b, "%stype=%s", first ? "" : ";", type);
        if (end)
                buf_append(&b, end, strlen(end));
        return buf_steal(&b);
}

static int load_pkcs11(struct crypto_key *k, const char *uri, struct error *err) {
        char safe[300];
        ref_safe(uri, safe, sizeof(safe));

        /* The URI lands in config files, argv and logs: a PIN inside it would
         * leak. RFC 7512 pin-value is therefore refused outright. */
        if (contains_ci(uri, "pin-value"))
                return error_set(err, ERROR_INVALID,
                                 "PKCS#11 URI contains a pin-value; give the PIN in CRADLE_PKCS11_PIN or "
                                 "CRADLE_PKCS11_PIN_FILE instead");
        if (crypto_pkcs11_init(err) < 0)
                return -1;

        k->pin = xcalloc(1, sizeof(*k->pin));
        int rc = gnutls_privkey_init(&k->priv);
        if (rc < 0)
                return error_set(err, ERROR_CRYPTO, "key '%s': %s", safe, gnutls_strerror(rc));
        gnutls_privkey_set_pin_function(k->priv, pin_callback, k->pin);
        rc = gnutls_privkey_import_url(k->priv, uri, 0);
        if (rc < 0) {
                switch (k->pin->outcome) {
                case PIN_WRONG:
                        return error_set(err, ERROR_UNAUTHENTICATED,
                                         "PKCS#11 key '%s': login failed: the PIN was refused by the token",
                                         safe);
                case PIN_MISSING:
                        return error_set(err, ERROR_UNAUTHENTICATED,
                                         "PKCS#11 key '%s': the token needs a PIN; set CRADLE_PKCS11_PIN or "
                                         "CRADLE_PKCS11_PIN_FILE", safe);
                case PIN_UNREADABLE:
                        return error_set(err, ERROR_UNAUTHENTICATED,
                                         "PKCS#11 key '%s': cannot use the PIN: CRADLE_PKCS11_PIN is too long, "
                                         "or the CRADLE_PKCS11_PIN_FILE is missing, empty, too long or "
                                         "accessible by group or others", safe);
                default:
                        break;
                }
                if (rc == GNUTLS_E_PARSING_ERROR || rc == GNUTLS_E_INVALID_REQUEST)
                        return error_set(err, ERROR_INVALID, "'%s' is not a valid PKCS#11 URI: %s", safe,
                                         gnutls_strerror(rc));
                return error_set(err, ERROR_NOT_FOUND, "PKCS#11 key '%s' not found: %s", safe,
                                 gnutls_strerror(rc));
        }

        /* The public key: from the private object when the token exposes its
         * public attributes, else from the matching public object. */
        rc = gnutls_pubkey_init(&k->pub);
        if (rc < 0)
                return error_set(err, ERROR_CRYPTO, "key '%s': %s", safe, gnutls_strerror(rc));
        rc = gnutls_pubkey_import_privkey(k->pub, k->priv, 0, 0);
        if (rc < 0) {
                gnutls_pubkey_deinit(k->pub);
                k->pub = NULL;
                _cleanup_free_ char *pub_uri = uri_with_type(uri, "public");
                rc = gnutls_pubkey_init(&k->pub);
                if (rc >= 0)
                        rc = gnutls_pubkey_import_url(k->pub, pub_uri, 0);
                if (rc < 0)
                        return error_set(err, ERROR_NOT_FOUND,
                                         "PKCS#11 key '%s': cannot find its public key: %s", safe,
                                         gnutls_strerror(rc));
        }
        return 0;
}

/* The policy check and description every loaded key gets. */
static int key_finish(struct crypto_key *k, const char *ref, struct error *err) {
        crypto_pubkey_describe(k->pub, k->desc, sizeof(k->desc));
        char why[96];
        if (!crypto_pubkey_in_policy(k->pub, why, sizeof(why))) {
                char safe[300];
                ref_safe(ref, safe, sizeof(safe));
                return error_set(err, ERROR_INVALID, "key '%s' is %s, outside policy (%s): %s", safe, k->desc,
                                 CRYPTO_KEY_POLICY, why);
        }
        return 0;
}

int crypto_key_load_pem(const char *label, const void *pem, size_t len, struct crypto_key **out,
                        struct error *err) {
        if (!label || !*label)
                label = "(in memory)";
        if (!pem || len == 0 || len > KEY_FILE_MAX)
                return error_set(err, ERROR_INVALID, "key '%s': empty or larger than %d bytes", label, KEY_FILE_MAX);
        _cleanup_crypto_key_ struct crypto_key *k = xcalloc(1, sizeof(*k));
        k->ref = str_dup(label);
        if (load_pem(k, label, pem, len, err) < 0 || key_finish(k, label, err) < 0)
                return -1;
        *out = steal_ptr(k);
        return 0;
}

int crypto_key_load(const char *ref, struct crypto_key **out, struct error *err) {
        if (!ref || !*ref)
                return error_set(err, ERROR_INVALID, "no key given (a file path or a pkcs11: URI)");
        if (strlen(ref) > CRYPTO_KEY_REF_MAX)
                return error_set(err, ERROR_INVALID, "key reference is too long (more than %d bytes)",
                                 CRYPTO_KEY_REF_MAX);
        _cleanup_crypto_key_ struct crypto_key *k = xcalloc(1, sizeof(*k));
        k->ref = str_dup(ref);
        k->pkcs11 = strncasecmp(ref, "pkcs11:", 7) == 0;
        if ((k->pkcs11 ? load_pkcs11(k, ref, err) : load_file(k, ref, err)) < 0)
                return -1;

        crypto_pubkey_describe(k->pub, k->desc, sizeof(k->desc));
        char why[96];
        if (!crypto_pubkey_in_policy(k->pub, why, sizeof(why))) {
                char safe[300];
                ref_safe(ref, safe, sizeof(safe));
                return error_set(err, ERROR_INVALID, "key '%s' is %s, outside policy (%s): %s", safe, k->desc,
                                 CRYPTO_KEY_POLICY, why);
        }
        *out = steal_ptr(k);
        return 0;
}

gnutls_privkey_t crypto_key_privkey(const struct crypto_key *k) {
        return k->priv;
}

gnutls_pubkey_t crypto_key_pubkey(const struct crypto_key *k) {
        return k->pub;
}

const char *crypto_key_describe(const struct crypto_key *k) {
        return k->desc;
}

const char *crypto_key_ref(const struct crypto_key *k) {
        return k->ref;
}

bool crypto_key_is_pkcs11(const struct crypto_key *k) {
        return k->pkcs11;
}

/* ---- generation ------------------------------------------------------------ */

static void datum_secret_freep(gnutls_datum_t *d) {
        if (d->data) {
                ct_wipe(d->data, d->size);
                gnutls_free(d->data);
        }
}

/* The GnuTLS algorithm and size of a key type. */
static int type_params(enum crypto_key_type type, gnutls_pk_algorithm_t *pk, unsigned *bits) {
        switch (type) {
        case CRYPTO_KEY_EC_P256:
                *pk = GNUTLS_PK_ECDSA;
                *bits = GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP256R1);
                return 0;
        case CRYPTO_KEY_EC_P384:
                *pk = GNUTLS_PK_ECDSA;
                *bits = GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP384R1);
                return 0;
        case CRYPTO_KEY_ED25519:
                *pk = GNUTLS_PK_EDDSA_ED25519;
                *bits = GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_ED25519);
                return 0;
        case CRYPTO_KEY_RSA3072:
                *pk = GNUTLS_PK_RSA;
                *bits = 3072;
                return 0;
        }
        return -1;
}

/* Generates a key in memory as unencrypted PKCS#8 PEM (wiped when freed). */
static int generate_pem(const char *path, enum crypto_key_type type, gnutls_datum_t *pem, struct error *err) {
        gnutls_pk_algorithm_t pk;
        unsigned bits;

        if (type_params(type, &pk, &bits) < 0)
                return error_set(err, ERROR_INVALID, "key '%s': unknown key type %d", path ? path : "",
                                 (int) type);
        if (!path || !*path)
                return error_set(err, ERROR_INVALID, "no key file path given");

        _cleanup_(x509_privkey_freep) gnutls_x509_privkey_t key = NULL;
        int rc = gnutls_x509_privkey_init(&key);
        if (rc >= 0)
                rc = gnutls_x509_privkey_generate(key, pk, bits, 0);
        if (rc < 0)
                return error_set(err, ERROR_CRYPTO, "key '%s': cannot generate a %s key: %s", path,
                                 crypto_key_type_name(type), gnutls_strerror(rc));
        rc = gnutls_x509_privkey_export2_pkcs8(key, GNUTLS_X509_FMT_PEM, NULL, GNUTLS_PKCS_PLAIN, pem);
        if (rc < 0)
                return error_set(err, ERROR_CRYPTO, "key '%s': cannot export: %s", path, gnutls_strerror(rc));
        return 0;
}

int crypto_key_generate_file(const char *path, enum crypto_key_type type, struct error *err) {
        _cleanup_(datum_secret_freep) gnutls_datum_t pem = {0};
        if (generate_pem(path, type, &pem, err) < 0)
                return -1;
        return file_write_atomic(path, pem.data, pem.size, 0600, err);
}

int crypto_key_generate_pem(enum crypto_key_type type, char **pem_out, size_t *len_out, struct error *err) {
        _cleanup_(datum_secret_freep) gnutls_datum_t pem = {0};
        if (generate_pem("(in memory)", type, &pem, err) < 0)
                return -1;
        char *copy = xmalloc(pem.size + 1);
        memcpy(copy, pem.data, pem.size);
        copy[pem.size] = '\0';
        *pem_out = copy;
        *len_out = pem.size;
        return 0;
}

int crypto_key_generate_new_file(const char *path, enum crypto_key_type type, struct error *err) {
        _cleanup_(datum_secret_freep) gnutls_datum_t pem = {0};
        /* Checked first only to spare a key generation; file_write_new is
         * what guarantees nothing is overwritten. */
        if (path && *path && file_exists(path))
                return error_set(err, ERROR_CONFLICT, "%s exists already; not overwriting it", path);
        if (generate_pem(path, type, &pem, err) < 0)
                return -1;
        return file_write_new(path, pem.data, pem.size, 0600, err);
}

/* ---- generation on a PKCS#11 token ------------------------------------------ */

/* Splits "pkcs11:token=T;object=L[;id=..][;type=..][?query]" into the token
 * URI (every attribute but object, id and type, plus the query) and the
 * decoded label. */
static int uri_split_object(const char *uri, char **token_uri, char **label, struct error *err) {
        char safe[300];
        ref_safe(uri, safe, sizeof(safe));
        struct buf b = {0};
        _cleanup_free_ char *lab = NULL;
        const char *p = uri + strlen("pkcs11:");
        const char *q = strchr(p, '?');
        const char *path_end = q ? q : p + strlen(p);
        bool first = true, has_token = false;

        buf_append(&b, "pkcs11:", 7);
        while (p < path_end) {
                const char *semi = memchr(p, ';', (size_t) (path_end - p));
                const char *stop = semi ? semi : path_end;
                size_t n = (size_t) (stop - p);
                if (n > 7 && strncasecmp(p, "object=", 7) == 0) {
                        free(lab);
                        /* RFC 7512 values are percent-encoded; a label must
                         * decode to clean text (no NUL, no control bytes). */
                        if (percent_decode(p + 7, n - 7, &lab) != PERCENT_OK) {
                                free(buf_steal(&b));
                                return error_set(err, ERROR_INVALID, "'%s': the object= value is not "
                                                 "properly percent-encoded", safe);
                        }
                } else if (!(n >= 3 && strncasecmp(p, "id=", 3) == 0) &&
                           !(n >= 5 && strncasecmp(p, "type=", 5) == 0) && n > 0) {
                        if (n > 6 && strncasecmp(p, "token=", 6) == 0)
                                has_token = true;
                        if (!first)
                                buf_append(&b, ";", 1);
                        buf_append(&b, p, n);
                        first = false;
                }
                p = semi ? semi + 1 : path_end;
        }
        if (q)
                buf_append(&b, q, strlen(q));
        if (!lab || !*lab || !has_token) {
                free(buf_steal(&b));
                return error_set(err, ERROR_INVALID,
                                 "'%s' must name the token and the new key's label, e.g. "
                                 "pkcs11:token=ceremony;object=root-1", safe);
        }
        *token_uri = buf_steal(&b);
        *label = steal_ptr(lab);
        return 0;
}

int crypto_key_generate_pkcs11(const char *uri, enum crypto_key_type type, struct error *err) {
        gnutls_pk_algorithm_t pk;
        unsigned bits;
        char safe[300];

        if (!uri || strncasecmp(uri, "pkcs11:", 7) != 0)
                return error_set(err, ERROR_INVALID, "not a pkcs11: URI");
        if (strlen(uri) > CRYPTO_KEY_REF_MAX)
                return error_set(err, ERROR_INVALID, "key reference is too long (more than %d bytes)",
                                 CRYPTO_KEY_REF_MAX);
        ref_safe(uri, safe, sizeof(safe));
        if (type_params(type, &pk, &bits) < 0)
                return error_set(err, ERROR_INVALID, "key '%s': unknown key type %d", safe, (int) type);
        if (contains_ci(uri, "pin-value"))
                return error_set(err, ERROR_INVALID,
                                 "PKCS#11 URI contains a pin-value; give the PIN in CRADLE_PKCS11_PIN or "
                                 "CRADLE_PKCS11_PIN_FILE instead");
        _cleanup_free_ char *token_uri = NULL, *label = NULL;
        if (uri_split_object(uri, &token_uri, &label, err) < 0)
                return -1;
        /* Say why up front rather than as a failed login. */
        char pin[PIN_MAX];
        enum pin_outcome po = pin_read(pin, sizeof(pin));
        ct_wipe(pin, sizeof(pin));
        if (po == PIN_MISSING)
                return error_set(err, ERROR_UNAUTHENTICATED,
                                 "PKCS#11 key '%s': the token needs a PIN; set CRADLE_PKCS11_PIN or "
                                 "CRADLE_PKCS11_PIN_FILE", safe);
        if (po == PIN_UNREADABLE)
                return error_set(err, ERROR_UNAUTHENTICATED,
                                 "PKCS#11 key '%s': cannot use the PIN: CRADLE_PKCS11_PIN is too long, or the "
                                 "CRADLE_PKCS11_PIN_FILE is missing, empty, too long or accessible by group or "
                                 "others", safe);
        if (crypto_pkcs11_init(err) < 0)
                return -1;

        /* A second object with the same label would make the URI ambiguous:
         * refuse, as a key file that exists is refused. */
        _cleanup_free_ char *lookup = uri_with_type(uri, "private");
        for (int pass = 0; pass < 2; pass++) {
                gnutls_pkcs11_obj_t *objs = NULL;
                unsigned n = 0;
                if (pass == 1) {
                        free(lookup);
                        lookup = uri_with_type(uri, "public");
                }
                int rc = gnutls_pkcs11_obj_list_import_url4(&objs, &n, lookup, GNUTLS_PKCS11_OBJ_FLAG_LOGIN);
                for (unsigned i = 0; i < n; i++)
                        gnutls_pkcs11_obj_deinit(objs[i]);
                gnutls_free(objs);
                if (rc == GNUTLS_E_PKCS11_PIN_ERROR)
                        return error_set(err, ERROR_UNAUTHENTICATED,
                                         "PKCS#11 token of '%s': login failed: the PIN was refused", safe);
                if (rc < 0 && rc != GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE)
                        return error_set(err, ERROR_NOT_FOUND, "PKCS#11 token of '%s' not usable: %s", safe,
                                         gnutls_strerror(rc));
                if (n > 0)
                        return error_set(err, ERROR_CONFLICT,
                                         "the token already holds an object labelled '%s' (%s); not "
                                         "generating a second one", label, safe);
        }

        gnutls_datum_t pub = {0};
        int rc = gnutls_pkcs11_privkey_generate3(token_uri, pk, bits, label, NULL, GNUTLS_X509_FMT_PEM, &pub,
                                                 GNUTLS_KEY_DIGITAL_SIGNATURE,
                                                 GNUTLS_PKCS11_OBJ_FLAG_LOGIN |
                                                         GNUTLS_PKCS11_OBJ_FLAG_MARK_SENSITIVE |
                                                         GNUTLS_PKCS11_OBJ_FLAG_MARK_PRIVATE);
        gnutls_free(pub.data);
        if (rc == GNUTLS_E_PKCS11_PIN_ERROR)
                return error_set(err, ERROR_UNAUTHENTICATED,
                                 "PKCS#11 token of '%s': login failed: the PIN was refused", safe);
        if (rc == GNUTLS_E_PKCS11_REQUESTED_OBJECT_NOT_AVAILBLE || rc == GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE)
                return error_set(err, ERROR_NOT_FOUND,
                                 "PKCS#11 key '%s': no such token (is its module registered with p11-kit or "
                                 "named by CRADLE_PKCS11_MODULE?)", safe);
        if (rc < 0)
                return error_set(err, ERROR_CRYPTO, "PKCS#11 key '%s': the token cannot generate a %s key: %s",
                                 safe, crypto_key_type_name(type), gnutls_strerror(rc));
        return 0;
}

/* SPDX-License-Identifier: Apache-2.0 */
/* Signed audit checkpoints: signed bytes, sign, verify, JSON lines, the chain comparison (checkpoint.h). */
#include "audit/checkpoint.h"

#include <gnutls/gnutls.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/cleanup.h"
#include "core/json.h"
#include "core/strutil.h"
#include "core/time.h"
#include "crypto/encoding.h"
#include "crypto/hash.h"
#include "crypto/key.h"

static bool is_hex64(const char *s) {
        if (!s || strlen(s) != 64)
                return false;
        for (size_t i = 0; i < 64; i++)
                if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
                        return false;
        return true;
}

int audit_checkpoint_signed_bytes(const struct store_audit_checkpoint *cp, char out[AUDIT_CHECKPOINT_SIGNED_MAX]) {
        if (cp->seq < 1 || cp->time < 0 || !is_hex64(cp->hash) || !is_hex64(cp->chain) || !is_hex64(cp->key))
                return -1;
        char when[TIME_RFC3339_LEN];
        time_format_rfc3339(cp->time, when);
        /* Keys in byte order and no whitespace: this is also the canonical JSON of the six fields. */
        int n = snprintf(out, AUDIT_CHECKPOINT_SIGNED_MAX,
                         "{\"chain\":\"%s\",\"format\":\"" AUDIT_CHECKPOINT_FORMAT "\",\"hash\":\"%s\","
                         "\"key\":\"%s\",\"seq\":%" PRId64 ",\"time\":\"%s\"}",
                         cp->chain, cp->hash, cp->key, cp->seq, when);
        if (n < 0 || n >= AUDIT_CHECKPOINT_SIGNED_MAX)
                return -1;
        return n;
}

/* The one signature scheme per key type (checkpoint.h). */
static gnutls_sign_algorithm_t sign_algorithm(gnutls_pubkey_t pub) {
        unsigned bits = 0;
        int pk = gnutls_pubkey_get_pk_algorithm(pub, &bits);
        if (pk == GNUTLS_PK_EDDSA_ED25519)
                return GNUTLS_SIGN_EDDSA_ED25519;
        if (pk == GNUTLS_PK_RSA)
                return GNUTLS_SIGN_RSA_SHA256;
        if (pk == GNUTLS_PK_ECDSA) {
                gnutls_ecc_curve_t curve = GNUTLS_ECC_CURVE_INVALID;
                if (gnutls_pubkey_export_ecc_raw(pub, &curve, NULL, NULL) < 0)
                        return GNUTLS_SIGN_UNKNOWN;
                if (curve == GNUTLS_ECC_CURVE_SECP256R1)
                        return GNUTLS_SIGN_ECDSA_SHA256;
                if (curve == GNUTLS_ECC_CURVE_SECP384R1)
                        return GNUTLS_SIGN_ECDSA_SHA384;
        }
        return GNUTLS_SIGN_UNKNOWN;
}

int audit_checkpoint_key_fingerprint(gnutls_pubkey_t pub, char out[65], struct error *err) {
        gnutls_datum_t der = {0};
        int rc = gnutls_pubkey_export2(pub, GNUTLS_X509_FMT_DER, &der);
        if (rc < 0)
                return error_set(err, ERROR_CRYPTO, "cannot export the public key: %s", gnutls_strerror(rc));
        hash_sha256_hex(der.data, der.size, out);
        gnutls_free(der.data);
        return 0;
}

int audit_checkpoint_sign(const struct crypto_key *key, int64_t seq, const char *hash, const char *chain,
                          int64_t time, struct store_audit_checkpoint *out, struct error *err) {
        memset(out, 0, sizeof(*out));
        gnutls_pubkey_t pub = crypto_key_pubkey(key);
        gnutls_sign_algorithm_t algo = sign_algorithm(pub);
        if (algo == GNUTLS_SIGN_UNKNOWN)
                return error_set(err, ERROR_INVALID, "audit checkpoint key %s (%s) is not of a supported type (" CRYPTO_KEY_POLICY ")",
                                 crypto_key_ref(key), crypto_key_describe(key));
        gnutls_datum_t der = {0};
        int rc = gnutls_pubkey_export2(pub, GNUTLS_X509_FMT_DER, &der);
        if (rc < 0)
                return error_set(err, ERROR_CRYPTO, "cannot export the audit checkpoint public key: %s",
                                 gnutls_strerror(rc));
        hash_sha256_hex(der.data, der.size, out->key);
        out->public_key = base64_encode(der.data, der.size);
        gnutls_free(der.data);
        out->seq = seq;
        out->time = time;
        snprintf(out->hash, sizeof(out->hash), "%s", hash ? hash : "");
        snprintf(out->chain, sizeof(out->chain), "%s", chain ? chain : "");
        out->algorithm = str_dup(crypto_key_describe(key));

        char msg[AUDIT_CHECKPOINT_SIGNED_MAX];
        int len = audit_checkpoint_signed_bytes(out, msg);
        if (len < 0) {
                store_audit_checkpoint_clear(out);
                return error_set(err, ERROR_INTERNAL, "audit checkpoint at seq %" PRId64 ": malformed seq, hash or chain",
                                 seq);
        }
        gnutls_datum_t d = {(unsigned char *) msg, (unsigned) len}, sig = {0};
        rc = gnutls_privkey_sign_data2(crypto_key_privkey(key), algo, 0, &d, &sig);
        if (rc < 0) {
                store_audit_checkpoint_clear(out);
                return error_set(err, ERROR_CRYPTO, "signing the audit checkpoint at seq %" PRId64 " with %s failed: %s",
                                 seq, crypto_key_ref(key), gnutls_strerror(rc));
        }
        out->signature = base64_encode(sig.data, sig.size);
        gnutls_free(sig.data);
        return 0;
}

int audit_checkpoint_verify(const struct store_audit_checkpoint *cp, const char *pinned_fp, struct error *err) {
        if (!pinned_fp || !is_hex64(pinned_fp))
                return error_set(err, ERROR_INVALID, "no pinned audit checkpoint key (64 lower-case hex digits)");
        _cleanup_free_ uint8_t *der = NULL, *sig = NULL;
        size_t der_len = 0, sig_len = 0;
        if (!cp->public_key ||
            base64_decode(cp->public_key, strlen(cp->public_key), &der, &der_len, err) < 0 || !der_len)
                return error_set(err, ERROR_INVALID, "checkpoint at seq %" PRId64 ": public_key is not base64", cp->seq);
        char fp[65];
        hash_sha256_hex(der, der_len, fp);
        if (strcmp(fp, cp->key) != 0)
                return error_set(err, ERROR_UNAUTHENTICATED,
                                 "checkpoint at seq %" PRId64 ": public_key does not have the fingerprint in \"key\"", cp->seq);
        if (strcmp(fp, pinned_fp) != 0)
                return error_set(err, ERROR_UNAUTHENTICATED,
                                 "checkpoint at seq %" PRId64 ": signed by key %s, not by the pinned audit checkpoint key %s",
                                 cp->seq, fp, pinned_fp);
        gnutls_pubkey_t pub = NULL;
        if (gnutls_pubkey_init(&pub) < 0)
                return error_set(err, ERROR_CRYPTO, "gnutls_pubkey_init failed");
        gnutls_datum_t dd = {der, (unsigned) der_len};
        int rc = gnutls_pubkey_import(pub, &dd, GNUTLS_X509_FMT_DER);
        gnutls_sign_algorithm_t algo = rc < 0 ? GNUTLS_SIGN_UNKNOWN : sign_algorithm(pub);
        if (algo == GNUTLS_SIGN_UNKNOWN) {
                gnutls_pubkey_deinit(pub);
                return error_set(err, ERROR_INVALID, "checkpoint at seq %" PRId64 ": public_key is not a key of a supported type",
                                 cp->seq);
        }
        char msg[AUDIT_CHECKPOINT_SIGNED_MAX];
        int len = audit_checkpoint_signed_bytes(cp, msg);
        if (len < 0 || !cp->signature ||
            base64_decode(cp->signature, strlen(cp->signature), &sig, &sig_len, NULL) < 0) {
                gnutls_pubkey_deinit(pub);
                return error_set(err, ERROR_INVALID, "checkpoint at seq %" PRId64 ": malformed fields or signature", cp->seq);
        }
        gnutls_datum_t d = {(unsigned char *) msg, (unsigned) len}, s = {sig, (unsigned) sig_len};
        rc = gnutls_pubkey_verify_data2(pub, algo, 0, &d, &s);
        gnutls_pubkey_deinit(pub);
        if (rc < 0)
                return error_set(err, ERROR_UNAUTHENTICATED,
                                 "checkpoint at seq %" PRId64 ": the signature does not verify (the checkpoint was altered or forged)",
                                 cp->seq);
        return 0;
}

json_t *audit_checkpoint_to_json(const struct store_audit_checkpoint *cp) {
        char when[TIME_RFC3339_LEN];
        time_format_rfc3339(cp->time, when);
        return json_pack("{s:s, s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:s}",
                         "format", AUDIT_CHECKPOINT_FORMAT,
                         "seq", (json_int_t) cp->seq,
                         "hash", cp->hash,
                         "time", when,
                         "chain", cp->chain,
                         "key", cp->key,
                         "public_key", cp->public_key ? cp->public_key : "",
                         "algorithm", cp->algorithm ? cp->algorithm : "",
                         "signature", cp->signature ? cp->signature : "");
}

int audit_checkpoint_from_json(json_t *j, struct store_audit_checkpoint *out, struct error *err) {
        static const struct cr_json_field fields[] = {
                {"format", CR_JSON_STRING, true, 64, false},
                {"seq", CR_JSON_INTEGER, true, 0, false},
                {"hash", CR_JSON_STRING, true, 64, false},
                {"time", CR_JSON_STRING, true, 64, false},
                {"chain", CR_JSON_STRING, true, 64, false},
                {"key", CR_JSON_STRING, true, 64, false},
                {"public_key", CR_JSON_STRING, true, AUDIT_CHECKPOINT_SPKI_MAX * 4 / 3 + 4, false},
                {"algorithm", CR_JSON_STRING, true, 64, false},
                {"signature", CR_JSON_STRING, true, AUDIT_CHECKPOINT_SIG_MAX * 4 / 3 + 4, false},
        };
        memset(out, 0, sizeof(*out));
        if (cr_json_check_object("checkpoint", j, fields, ELEMENTSOF(fields), err) < 0)
                return -1;
        const char *format = cr_json_get_string(j, "format");
        if (strcmp(format, AUDIT_CHECKPOINT_FORMAT) != 0)
                return error_set(err, ERROR_INVALID, "checkpoint: format '%.64s' is not " AUDIT_CHECKPOINT_FORMAT, format);
        int64_t seq = cr_json_get_int(j, "seq", 0);
        if (seq < 1)
                return error_set(err, ERROR_INVALID, "checkpoint: seq %" PRId64 " is not positive", seq);
        static const char *const hexes[] = {"hash", "chain", "key"};
        for (size_t i = 0; i < ELEMENTSOF(hexes); i++)
                if (!is_hex64(cr_json_get_string(j, hexes[i])))
                        return error_set(err, ERROR_INVALID, "checkpoint at seq %" PRId64 ": %s is not 64 lower-case hex digits",
                                         seq, hexes[i]);
        int64_t t;
        if (time_parse_rfc3339(cr_json_get_string(j, "time"), &t, err) < 0)
                return error_prefix(err, "checkpoint at seq %" PRId64 ": time: ", seq);
        out->seq = seq;
        out->time = t;
        memcpy(out->hash, cr_json_get_string(j, "hash"), 65);
        memcpy(out->chain, cr_json_get_string(j, "chain"), 65);
        memcpy(out->key, cr_json_get_string(j, "key"), 65);
        out->public_key = str_dup(cr_json_get_string(j, "public_key"));
        out->algorithm = str_dup(cr_json_get_string(j, "algorithm"));
        out->signature = str_dup(cr_json_get_string(j, "signature"));
        return 0;
}

static int by_seq(const void *a, const void *b) {
        const struct store_audit_checkpoint *x = a, *y = b;
        return (x->seq > y->seq) - (x->seq < y->seq);
}

int audit_checkpoint_file_parse(const char *text, size_t len, struct store_audit_checkpoint **out, size_t *n_out,
                                struct error *err) {
        *out = NULL;
        *n_out = 0;
        if (len > AUDIT_CHECKPOINT_FILE_MAX)
                return error_set(err, ERROR_TOO_LARGE, "checkpoint file: %zu bytes is over the limit of %d",
                                 len, AUDIT_CHECKPOINT_FILE_MAX);
        struct store_audit_checkpoint *list = NULL;
        size_t n = 0, cap = 0, line_no = 0;
        for (size_t pos = 0; pos < len;) {
                const char *nl = memchr(text + pos, '\n', len - pos);
                size_t end = nl ? (size_t) (nl - text) : len;
                size_t l = end - pos;
                const char *line = text + pos;
                pos = end + 1;
                line_no++;
                if (l && line[l - 1] == '\r')
                        l--;
                bool blank = true;
                for (size_t i = 0; i < l && blank; i++)
                        blank = line[i] == ' ' || line[i] == '\t';
                if (blank)
                        continue;
                if (l > AUDIT_CHECKPOINT_LINE_MAX) {
                        store_audit_checkpoint_list_free(list, n);
                        return error_set(err, ERROR_TOO_LARGE, "checkpoint file, line %zu: longer than %d bytes",
                                         line_no, AUDIT_CHECKPOINT_LINE_MAX);
                }
                if (n >= AUDIT_CHECKPOINT_FILE_LINES_MAX) {
                        store_audit_checkpoint_list_free(list, n);
                        return error_set(err, ERROR_TOO_LARGE, "checkpoint file: more than %d checkpoints",
                                         AUDIT_CHECKPOINT_FILE_LINES_MAX);
                }
                /* Depth 2 is enough for an object of scalars: anything nested is refused early. */
                _cleanup_json_ json_t *j = cr_json_parse("checkpoint", line, l, AUDIT_CHECKPOINT_LINE_MAX, 2, err);
                if (n == cap) {
                        cap = cap ? cap * 2 : 16;
                        list = xrealloc(list, cap * sizeof(*list));
                }
                if (!j || audit_checkpoint_from_json(j, &list[n], err) < 0) {
                        store_audit_checkpoint_list_free(list, n);
                        return error_prefix(err, "checkpoint file, line %zu: ", line_no);
                }
                n++;
        }
        if (!n) {
                free(list);
                return error_set(err, ERROR_INVALID, "checkpoint file: no checkpoint in it");
        }
        qsort(list, n, sizeof(*list), by_seq);
        *out = list;
        *n_out = n;
        return 0;
}

void audit_checkpoint_check_init(struct audit_checkpoint_check *c, const struct store_audit_checkpoint *cps, size_t n) {
        memset(c, 0, sizeof(*c));
        c->cps = cps;
        c->n = n;
}

__attribute__((format(printf, 3, 4)))
static bool check_fail(struct audit_checkpoint_check *c, int64_t seq, const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(c->reason, sizeof(c->reason), fmt, ap);
        va_end(ap);
        c->failed = true;
        c->bad_seq = seq;
        return false;
}

bool audit_checkpoint_check_entry(struct audit_checkpoint_check *c, const struct store_audit_entry *e) {
        if (c->failed)
                return false;
        if (e->seq == 1)
                for (size_t i = 0; i < c->n; i++)
                        if (strcmp(c->cps[i].chain, e->hash) != 0)
                                return check_fail(c, c->cps[i].seq,
                                                  "checkpoint at seq %" PRId64 " belongs to another chain (its entry 1 "
                                                  "hashes to %.16s..., this one's to %.16s...): a checkpoint of "
                                                  "another deployment, or entry 1 was rewritten",
                                                  c->cps[i].seq, c->cps[i].chain, e->hash);
        while (c->next < c->n && c->cps[c->next].seq == e->seq) {
                const struct store_audit_checkpoint *cp = &c->cps[c->next];
                if (strcmp(cp->hash, e->hash) != 0)
                        return check_fail(c, cp->seq,
                                          "checkpoint at seq %" PRId64 ": entry %" PRId64 " hashes to %.16s..., the "
                                          "checkpoint signed %.16s...: the log was rewritten at or before entry %" PRId64,
                                          cp->seq, e->seq, e->hash, cp->hash, e->seq);
                c->matched++;
                c->next++;
        }
        return true;
}

bool audit_checkpoint_check_end(struct audit_checkpoint_check *c, int64_t last_seq, bool chain_broken) {
        if (c->failed)
                return false;
        if (c->next >= c->n || chain_broken)
                return true;
        const struct store_audit_checkpoint *cp = &c->cps[c->next];
        if (cp->seq <= last_seq) /* cannot happen when every entry was fed */
                return check_fail(c, cp->seq, "checkpoint at seq %" PRId64 " was never compared", cp->seq);
        if (last_seq == 0)
                return check_fail(c, cp->seq,
                                  "checkpoint at seq %" PRId64 ": the log is empty: every entry up to %" PRId64
                                  " was removed (truncation)", cp->seq, cp->seq);
        return check_fail(c, cp->seq,
                          "checkpoint at seq %" PRId64 ": the log ends at entry %" PRId64 ": entries %" PRId64
                          "..%" PRId64 " were removed (truncation behind the checkpoint)",
                          cp->seq, last_seq, last_seq + 1, cp->seq);
}

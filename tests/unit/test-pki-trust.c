/* SPDX-License-Identifier: Apache-2.0 */
#include "testutil-pki.h"
#include "testutil-softhsm.h"

#include "core/time.h"

#include <gnutls/crypto.h>

struct fx {
        struct tdir *t;
        struct tpki p;
        struct crypto_key *dev;
        gnutls_x509_crt_t leaf;
        gnutls_datum_t chain[3]; /* leaf, device CA, root */
        struct pki_trust *trust; /* anchors: the root */
};

static int setup(void **state) {
        struct fx *f = calloc(1, sizeof(*f));
        f->t = tdir_new();
        tpki_init(&f->p, tkey_file(f->t, "root.key", CRYPTO_KEY_EC_P256), tkey_file(f->t, "ca.key", CRYPTO_KEY_EC_P256));
        f->dev = tkey_file(f->t, "dev.key", CRYPTO_KEY_EC_P256);
        f->leaf = tdevice(f->p.ca_key, f->p.ca, f->dev, "SN-1", 365);
        f->chain[0] = tder(f->leaf);
        f->chain[1] = tder(f->p.ca);
        f->chain[2] = tder(f->p.root);
        assert_int_equal(pki_trust_new(&f->trust, NULL), 0);
        assert_int_equal(pki_trust_add_pem(f->trust, f->p.root_pem, NULL), 0);
        *state = f;
        return 0;
}

static int teardown(void **state) {
        struct fx *f = *state;
        pki_trust_free(f->trust);
        for (size_t i = 0; i < ELEMENTSOF(f->chain); i++)
                gnutls_free(f->chain[i].data);
        gnutls_x509_crt_deinit(f->leaf);
        crypto_key_free(f->dev);
        tpki_free(&f->p);
        tdir_free(f->t);
        free(f);
        return 0;
}

static void expect_refusal(struct pki_trust *t, const gnutls_datum_t *chain, size_t n, int64_t now, const char *msg) {
        struct error err = {0};
        assert_int_equal(pki_trust_verify_chain(t, chain, n, now, &err), -1);
        assert_error(err, ERROR_UNAUTHENTICATED, msg);
}

static void test_valid_chains(void **state) {
        struct fx *f = *state;
        struct error err = {0};
        int64_t now = time_now();
        /* leaf + CA, anchor root; and with the root included. */
        if (pki_trust_verify_chain(f->trust, f->chain, 2, now, &err) < 0)
                fail_msg("%s", err.msg);
        assert_int_equal(pki_trust_verify_chain(f->trust, f->chain, 3, now, &err), 0);
        /* Just inside the validity window at both ends. */
        time_t nb = gnutls_x509_crt_get_activation_time(f->leaf), na = gnutls_x509_crt_get_expiration_time(f->leaf);
        assert_int_equal(pki_trust_verify_chain(f->trust, f->chain, 2, (int64_t) nb, &err), 0);
        assert_int_equal(pki_trust_verify_chain(f->trust, f->chain, 2, (int64_t) na, &err), 0);

        /* The device-issuing CA as the anchor: the leaf alone is enough. */
        struct pki_trust *t2 = NULL;
        assert_int_equal(pki_trust_new(&t2, &err), 0);
        _cleanup_free_ char *both = str_printf("%s%s", f->p.ca_pem, f->p.root_pem);
        assert_int_equal(pki_trust_add_pem(t2, both, &err), 0);
        assert_int_equal(pki_trust_count(t2), 2);
        assert_int_equal(pki_trust_verify_chain(t2, f->chain, 1, now, &err), 0);
        assert_int_equal(pki_trust_verify_chain(t2, f->chain, 2, now, &err), 0);
        pki_trust_free(t2);
        /* Without the CA certificate and with only the root trusted: unknown signer. */
        expect_refusal(f->trust, f->chain, 1, now, "certificate is not signed by a known device CA");
}

static void test_time(void **state) {
        struct fx *f = *state;
        time_t nb = gnutls_x509_crt_get_activation_time(f->leaf), na = gnutls_x509_crt_get_expiration_time(f->leaf);
        expect_refusal(f->trust, f->chain, 2, (int64_t) na + 1, "certificate expired at");
        expect_refusal(f->trust, f->chain, 2, (int64_t) na + 400LL * 86400, "certificate expired");
        expect_refusal(f->trust, f->chain, 2, (int64_t) nb - 1, "certificate is not yet valid");
        /* Far in the future the CA has expired too; the leaf is named first. */
        expect_refusal(f->trust, f->chain, 2, (int64_t) na + 20LL * 365 * 86400, "certificate expired");
}

/* The CA expires before the leaf: only possible for certificates not made by
 * us (we cut validity to the issuer's), so make one by hand. */
static void test_issuer_expired(void **state) {
        struct fx *f = *state;
        struct error err = {0};
        gnutls_x509_crq_t crq = tcsr(f->dev, "SN-2", "SN-2");
        gnutls_x509_crt_t c;
        assert_int_equal(gnutls_x509_crt_init(&c), 0);
        assert_int_equal(gnutls_x509_crt_set_crq(c, crq), 0);
        assert_int_equal(gnutls_x509_crt_set_version(c, 3), 0);
        assert_int_equal(gnutls_x509_crt_set_serial(c, "\x01\x02", 2), 0);
        time_t ca_end = gnutls_x509_crt_get_expiration_time(f->p.ca);
        assert_int_equal(gnutls_x509_crt_set_activation_time(c, time(NULL) - 60), 0);
        assert_int_equal(gnutls_x509_crt_set_expiration_time(c, ca_end + 10LL * 365 * 86400), 0);
        assert_int_equal(gnutls_x509_crt_set_basic_constraints(c, 0, -1), 0);
        assert_int_equal(gnutls_x509_crt_set_key_purpose_oid(c, GNUTLS_KP_TLS_WWW_CLIENT, 0), 0);
        assert_int_equal(gnutls_x509_crt_privkey_sign(c, f->p.ca, crypto_key_privkey(f->p.ca_key), GNUTLS_DIG_SHA256, 0),
                         0);
        gnutls_datum_t chain[2] = {tder(c), f->chain[1]};
        assert_int_equal(pki_trust_verify_chain(f->trust, chain, 2, time_now(), &err), 0);
        expect_refusal(f->trust, chain, 2, (int64_t) ca_end + 86400, "issuing CA certificate 'Example Device CA' expired");
        gnutls_free(chain[0].data);
        gnutls_x509_crt_deinit(c);
        gnutls_x509_crq_deinit(crq);
}

static void test_foreign_ca(void **state) {
        struct fx *f = *state;
        struct tpki other;
        tpki_init(&other, tkey_file(f->t, "o-root.key", CRYPTO_KEY_EC_P256), tkey_file(f->t, "o-ca.key", CRYPTO_KEY_EC_P256));
        gnutls_x509_crt_t leaf = tdevice(other.ca_key, other.ca, f->dev, "SN-1", 365);
        gnutls_datum_t chain[3] = {tder(leaf), tder(other.ca), tder(other.root)};
        expect_refusal(f->trust, chain, 2, time_now(), "certificate is not signed by a known device CA");
        /* Presenting the foreign root too does not help. */
        expect_refusal(f->trust, chain, 3, time_now(), "certificate is not signed by a known device CA");
        /* A foreign CA with the same name as ours: found by name, fails on the signature. */
        struct tpki twin;
        tpki_init(&twin, tkey_file(f->t, "t-root.key", CRYPTO_KEY_EC_P256), tkey_file(f->t, "t-ca.key", CRYPTO_KEY_EC_P256));
        /* Same subject and issuer names as ours, different keys. */
        gnutls_x509_crt_t tleaf = tdevice(twin.ca_key, twin.ca, f->dev, "SN-1", 365);
        gnutls_datum_t tchain[2] = {tder(tleaf), tder(twin.ca)};
        struct error err = {0};
        assert_int_equal(pki_trust_verify_chain(f->trust, tchain, 2, time_now(), &err), -1);
        assert_int_equal(err.kind, ERROR_UNAUTHENTICATED);
        assert_true(strstr(err.msg, "not signed by a known device CA") || strstr(err.msg, "signature does not verify"));
        for (size_t i = 0; i < 3; i++)
                gnutls_free(chain[i].data);
        gnutls_free(tchain[0].data);
        gnutls_free(tchain[1].data);
        gnutls_x509_crt_deinit(tleaf);
        gnutls_x509_crt_deinit(leaf);
        tpki_free(&twin);
        tpki_free(&other);
}

static void test_tampered_signature(void **state) {
        struct fx *f = *state;
        gnutls_datum_t chain[2] = {{malloc(f->chain[0].size), f->chain[0].size}, f->chain[1]};
        memcpy(chain[0].data, f->chain[0].data, chain[0].size);
        chain[0].data[chain[0].size - 4] ^= 0x01; /* inside the ECDSA signature */
        expect_refusal(f->trust, chain, 2, time_now(), "certificate signature does not verify");
        free(chain[0].data);
}

static void test_malformed_chains(void **state) {
        struct fx *f = *state;
        int64_t now = time_now();
        expect_refusal(f->trust, NULL, 0, now, "no client certificate");
        gnutls_datum_t junk[1] = {{(unsigned char *) "junk", 4}};
        expect_refusal(f->trust, junk, 1, now, "certificate 1 of the chain does not parse");
        /* Out of order. */
        gnutls_datum_t rev[2] = {f->chain[1], f->chain[0]};
        expect_refusal(f->trust, rev, 2, now, "certificate chain is not in order");
        gnutls_datum_t gap[2] = {f->chain[0], f->chain[2]};
        expect_refusal(f->trust, gap, 2, now, "not in order");
        /* A CA certificate presented as the client's. */
        expect_refusal(f->trust, &f->chain[1], 2, now, "certificate is a CA certificate");
        /* Too many certificates presented. */
        gnutls_datum_t five[5] = {f->chain[0], f->chain[1], f->chain[2], f->chain[2], f->chain[2]};
        expect_refusal(f->trust, five, 5, now, "chain too long");
        /* Non-CA anchors are refused when loading. */
        _cleanup_free_ char *leaf_pem = pki_cert_export_pem(f->leaf, NULL);
        struct error err = {0};
        assert_int_equal(pki_trust_add_pem(f->trust, leaf_pem, &err), -1);
        assert_error(err, ERROR_INVALID, "is not a CA certificate");
        error_clear(&err);
        assert_int_equal(pki_trust_add_pem(f->trust, "garbage", &err), -1);
        assert_true(err.kind == ERROR_INVALID);
}

/* Hand-made chains that our own issuing code would never produce. */
static gnutls_x509_crt_t raw_cert(gnutls_x509_privkey_t key, const char *cn, gnutls_x509_crt_t issuer,
                                  gnutls_x509_privkey_t issuer_key, bool ca, const char *purpose) {
        gnutls_x509_crt_t c;
        assert_int_equal(gnutls_x509_crt_init(&c), 0);
        assert_int_equal(gnutls_x509_crt_set_version(c, 3), 0);
        uint8_t serial[8];
        gnutls_rnd(GNUTLS_RND_NONCE, serial, sizeof(serial));
        serial[0] &= 0x7f;
        serial[0] |= 0x01;
        assert_int_equal(gnutls_x509_crt_set_serial(c, serial, sizeof(serial)), 0);
        assert_int_equal(gnutls_x509_crt_set_dn_by_oid(c, GNUTLS_OID_X520_COMMON_NAME, 0, cn, strlen(cn)), 0);
        assert_int_equal(gnutls_x509_crt_set_activation_time(c, time(NULL) - 3600), 0);
        assert_int_equal(gnutls_x509_crt_set_expiration_time(c, time(NULL) + 86400), 0);
        assert_int_equal(gnutls_x509_crt_set_key(c, key), 0);
        assert_int_equal(gnutls_x509_crt_set_basic_constraints(c, ca, -1), 0);
        if (ca)
                assert_int_equal(gnutls_x509_crt_set_key_usage(c, GNUTLS_KEY_KEY_CERT_SIGN | GNUTLS_KEY_CRL_SIGN), 0);
        else
                assert_int_equal(gnutls_x509_crt_set_key_usage(c, GNUTLS_KEY_DIGITAL_SIGNATURE | GNUTLS_KEY_KEY_CERT_SIGN), 0);
        if (purpose)
                assert_int_equal(gnutls_x509_crt_set_key_purpose_oid(c, purpose, 0), 0);
        uint8_t kid[64];
        size_t kl = sizeof(kid);
        assert_int_equal(gnutls_x509_crt_get_key_id(c, GNUTLS_KEYID_USE_SHA1, kid, &kl), 0);
        assert_int_equal(gnutls_x509_crt_set_subject_key_id(c, kid, kl), 0);
        if (issuer) {
                kl = sizeof(kid);
                unsigned crit;
                assert_int_equal(gnutls_x509_crt_get_subject_key_id(issuer, kid, &kl, &crit), 0);
                assert_int_equal(gnutls_x509_crt_set_authority_key_id(c, kid, kl), 0);
        }
        assert_int_equal(gnutls_x509_crt_sign2(c, issuer ? issuer : c, issuer ? issuer_key : key, GNUTLS_DIG_SHA256, 0),
                         0);
        /* Re-import so cached fields are right. */
        gnutls_datum_t d = tder(c);
        gnutls_x509_crt_deinit(c);
        assert_int_equal(gnutls_x509_crt_init(&c), 0);
        assert_int_equal(gnutls_x509_crt_import(c, &d, GNUTLS_X509_FMT_DER), 0);
        gnutls_free(d.data);
        return c;
}

static gnutls_x509_privkey_t raw_key(void) {
        gnutls_x509_privkey_t k;
        assert_int_equal(gnutls_x509_privkey_init(&k), 0);
        assert_int_equal(gnutls_x509_privkey_generate(k, GNUTLS_PK_ECDSA, GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP256R1), 0),
                         0);
        return k;
}

static void test_hand_made_chains(void **state) {
        (void) state;
        /* root -> i1 -> i2 -> i3 -> leaf, no path length limits anywhere. */
        gnutls_x509_privkey_t k[5];
        gnutls_x509_crt_t c[5];
        const char *names[] = {"Deep Root", "Deep I1", "Deep I2", "Deep I3", "deep-leaf"};
        for (int i = 0; i < 5; i++) {
                k[i] = raw_key();
                c[i] = raw_cert(k[i], names[i], i ? c[i - 1] : NULL, i ? k[i - 1] : NULL, i < 4,
                                i == 4 ? GNUTLS_KP_TLS_WWW_CLIENT : NULL);
        }
        gnutls_datum_t d[5];
        for (int i = 0; i < 5; i++)
                d[i] = tder(c[4 - i]); /* leaf first */
        struct pki_trust *t = NULL;
        assert_int_equal(pki_trust_new(&t, NULL), 0);
        _cleanup_free_ char *root_pem = pki_cert_export_pem(c[0], NULL);
        assert_int_equal(pki_trust_add_pem(t, root_pem, NULL), 0);
        int64_t now = time_now();
        /* Leaf + 3 intermediates + root anchor = 5 on the path: too long. */
        expect_refusal(t, d, 4, now, "chain too long (5 certificates to the trust anchor, at most 4)");
        expect_refusal(t, d, 5, now, "chain too long (5 certificates, at most 4)");
        /* Trusting I1 as well shortens the path to 4: accepted. */
        _cleanup_free_ char *i1_pem = pki_cert_export_pem(c[1], NULL);
        assert_int_equal(pki_trust_add_pem(t, i1_pem, NULL), 0);
        struct error err = {0};
        if (pki_trust_verify_chain(t, d, 3, now, &err) < 0)
                fail_msg("%s", err.msg);
        pki_trust_free(t);

        /* A leaf for the wrong purpose (serverAuth only). */
        gnutls_x509_privkey_t sk = raw_key();
        gnutls_x509_crt_t server = raw_cert(sk, "server", c[3], k[3], false, GNUTLS_KP_TLS_WWW_SERVER);
        gnutls_datum_t sd[1] = {tder(server)};
        assert_int_equal(pki_trust_new(&t, NULL), 0);
        _cleanup_free_ char *i3_pem = pki_cert_export_pem(c[3], NULL);
        assert_int_equal(pki_trust_add_pem(t, i3_pem, NULL), 0);
        expect_refusal(t, sd, 1, now, "not for TLS client authentication");

        /* A certificate issued by a non-CA (a device signing for another). */
        gnutls_x509_privkey_t dk = raw_key(), vk = raw_key();
        gnutls_x509_crt_t device = raw_cert(dk, "device-a", c[3], k[3], false, GNUTLS_KP_TLS_WWW_CLIENT);
        gnutls_x509_crt_t victim = raw_cert(vk, "child", device, dk, false, GNUTLS_KP_TLS_WWW_CLIENT);
        gnutls_datum_t vd[2] = {tder(victim), tder(device)};
        expect_refusal(t, vd, 2, now, "certificate issuer is not a CA");
        pki_trust_free(t);

        gnutls_free(vd[0].data);
        gnutls_free(vd[1].data);
        gnutls_x509_crt_deinit(device);
        gnutls_x509_privkey_deinit(dk);
        gnutls_x509_crt_deinit(victim);
        gnutls_x509_privkey_deinit(vk);
        gnutls_free(sd[0].data);
        gnutls_x509_crt_deinit(server);
        gnutls_x509_privkey_deinit(sk);
        for (int i = 0; i < 5; i++) {
                gnutls_free(d[i].data);
                gnutls_x509_crt_deinit(c[i]);
                gnutls_x509_privkey_deinit(k[i]);
        }
}

/* A whole PKI on the token: root and device CA keys in SoftHSM. */
static void test_pkcs11_pki(void **state) {
        (void) state;
        const struct softhsm *h = softhsm_get();
        if (!h)
                skip();
        struct tdir *t = tdir_new();
        struct tpki p;
        tpki_init(&p, tkey_load(h->p256_uri), h->have_ed25519 ? tkey_load(h->ed25519_uri) : tkey_file(t, "ca.key", CRYPTO_KEY_EC_P384));
        struct crypto_key *dev = tkey_file(t, "dev.key", CRYPTO_KEY_ED25519);
        gnutls_x509_crt_t leaf = tdevice(p.ca_key, p.ca, dev, "SN-HSM", 365);
        gnutls_datum_t chain[2] = {tder(leaf), tder(p.ca)};
        struct pki_trust *tr = NULL;
        struct error err = {0};
        assert_int_equal(pki_trust_new(&tr, &err), 0);
        assert_int_equal(pki_trust_add_pem(tr, p.root_pem, &err), 0);
        if (pki_trust_verify_chain(tr, chain, 2, time_now(), &err) < 0)
                fail_msg("%s", err.msg);
        /* certtool agrees. */
        if (tool_available("certtool")) {
                _cleanup_free_ char *leaf_pem = pki_cert_export_pem(leaf, NULL);
                _cleanup_free_ char *all = str_printf("%s%s%s", leaf_pem, p.ca_pem, p.root_pem);
                _cleanup_free_ char *path = tdir_path(t, "chain.pem");
                assert_int_equal(file_write_atomic(path, all, strlen(all), 0644, NULL), 0);
                char *argv[] = {"certtool", "--verify-chain", "--verify-purpose", GNUTLS_KP_TLS_WWW_CLIENT, "--infile",
                                path, NULL};
                _cleanup_free_ char *out = NULL;
                if (tool_run(argv, &out) != 0)
                        fail_msg("certtool: %s", out);
        }
        pki_trust_free(tr);
        gnutls_free(chain[0].data);
        gnutls_free(chain[1].data);
        gnutls_x509_crt_deinit(leaf);
        crypto_key_free(dev);
        tpki_free(&p);
        tdir_free(t);
}

static int group_setup(void **state) {
        (void) state;
        softhsm_get();
        return 0;
}

static int group_teardown(void **state) {
        (void) state;
        softhsm_cleanup();
        return 0;
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_valid_chains, setup, teardown),
                cmocka_unit_test_setup_teardown(test_time, setup, teardown),
                cmocka_unit_test_setup_teardown(test_issuer_expired, setup, teardown),
                cmocka_unit_test_setup_teardown(test_foreign_ca, setup, teardown),
                cmocka_unit_test_setup_teardown(test_tampered_signature, setup, teardown),
                cmocka_unit_test_setup_teardown(test_malformed_chains, setup, teardown),
                cmocka_unit_test(test_hand_made_chains),
                cmocka_unit_test(test_pkcs11_pki),
        };
        return cmocka_run_group_tests(tests, group_setup, group_teardown);
}

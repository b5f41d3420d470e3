/* SPDX-License-Identifier: Apache-2.0 */
/*
 * mTLS peer authentication. The chain is checked first (nothing in an
 * unverified certificate is worth looking up), then the row this server wrote
 * when it issued the certificate: the database, not the certificate, says
 * whether it is still good (revoked, superseded) and whether the device is.
 *
 * The trust list (active and retired device CAs with their chains) is cached
 * per CA generation, a counter the store bumps on every CA installation: one
 * indexed read per request tells whether the cached list is still right, so a
 * CA installed through another server instance is trusted without a restart.
 * Entries are reference-counted so a request verifying against an old list
 * never races the rebuild.
 *
 * Each entry also remembers chains it has verified (by SHA-256 of the whole
 * chain) for PEER_MEMO_SECONDS: a device on a kept-alive connection presents
 * the same chain on every request, and the signature checks were most of the
 * cost of a request (bench/identity.sh), and with each chain the leaf's
 * serial and fingerprint, so that a kept-alive or resumed connection does
 * not parse its certificate again (bench/device-path.sh). What can change quickly is still
 * read on every request from the database: revocation, supersession,
 * decommissioning and the leaf's validity dates. A new CA generation starts
 * with an empty memo.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/cleanup.h"
#include "core/strutil.h"
#include "crypto/ct.h"
#include "crypto/hash.h"
#include "identity/internal.h"
#include "identity/peer.h"
#include "pki/cert.h"
#include "pki/crl.h"
#include "pki/trust.h"

#define PEER_MEMO_SLOTS 1024
#define PEER_MEMO_SECONDS 300

/* The leaf's certificate serial (hex) and SHA-256 fingerprint: what the
 * database is asked about. */
struct peer_leaf_ids {
        char serial[41];
        char fingerprint[65];
};

struct peer_memo_slot {
        uint8_t digest[SHA256_LEN];
        int64_t verified_at; /* 0 = empty */
        /* Read from the leaf when the chain was verified: parsing the leaf
         * again (and re-encoding it for its fingerprint) was a third of a
         * kept-alive device request (perf, bench/device-path.sh). The slot
         * is keyed by the hash of the whole chain, so these are the same
         * bytes' serial and fingerprint. */
        struct peer_leaf_ids ids;
};

struct trust_entry {
        unsigned refs;
        int64_t generation;
        struct pki_trust *trust;
        struct peer_memo_slot memo[PEER_MEMO_SLOTS]; /* guarded by the cache mutex */
};

struct identity_trust_cache {
        pthread_mutex_t mu;
        struct trust_entry *cur;
};

struct identity_trust_cache *identity_trust_cache_new(void) {
        struct identity_trust_cache *c = xcalloc(1, sizeof(*c));
        pthread_mutex_init(&c->mu, NULL);
        return c;
}

static void entry_unref_locked(struct trust_entry *e) {
        if (e && --e->refs == 0) {
                pki_trust_free(e->trust);
                free(e);
        }
}

void identity_trust_cache_free(struct identity_trust_cache *c) {
        if (!c)
                return;
        entry_unref_locked(c->cur);
        pthread_mutex_destroy(&c->mu);
        free(c);
}

/* A trust list of every CA peers may chain to. */
static int trust_build(struct store *s, struct pki_trust **out, struct error *err) {
        *out = NULL;
        struct pki_trust *t = NULL;
        if (pki_trust_new(&t, err) < 0)
                return -1;
        struct store_device_ca *list;
        size_t n;
        if (store_device_ca_list(s, 0, true, &list, &n, err) < 0) {
                pki_trust_free(t);
                return -1;
        }
        for (size_t i = 0; i < n; i++) {
                if ((list[i].cert_pem && pki_trust_add_pem(t, list[i].cert_pem, err) < 0) ||
                    (list[i].chain_pem && pki_trust_add_pem(t, list[i].chain_pem, err) < 0)) {
                        error_prefix(err, "device CA '%s': ", list[i].name);
                        store_device_ca_list_free(list, n);
                        pki_trust_free(t);
                        return -1;
                }
        }
        store_device_ca_list_free(list, n);
        *out = t;
        return 0;
}

static int trust_acquire(struct identity_trust_cache *c, struct store *s, struct trust_entry **out,
                         struct error *err) {
        int64_t gen;
        if (store_device_ca_generation(s, &gen, err) < 0)
                return -1;
        pthread_mutex_lock(&c->mu);
        if (c->cur && c->cur->generation == gen) {
                c->cur->refs++;
                *out = c->cur;
                pthread_mutex_unlock(&c->mu);
                return 0;
        }
        pthread_mutex_unlock(&c->mu);

        struct trust_entry *e = xcalloc(1, sizeof(*e));
        e->generation = gen;
        if (trust_build(s, &e->trust, err) < 0) {
                free(e);
                return -1;
        }
        pthread_mutex_lock(&c->mu);
        if (c->cur && c->cur->generation >= gen) {
                /* another thread got there first (or saw a newer generation) */
                pki_trust_free(e->trust);
                free(e);
                e = c->cur;
        } else {
                e->refs = 1; /* the cache's reference */
                entry_unref_locked(c->cur);
                c->cur = e;
        }
        e->refs++;
        *out = e;
        pthread_mutex_unlock(&c->mu);
        return 0;
}

static void trust_release(struct identity_trust_cache *c, struct trust_entry *e) {
        pthread_mutex_lock(&c->mu);
        entry_unref_locked(e);
        pthread_mutex_unlock(&c->mu);
}

static void chain_digest(const gnutls_datum_t *chain, size_t n, uint8_t out[SHA256_LEN]) {
        struct hash_sha256_ctx *h = hash_sha256_new();
        for (size_t i = 0; i < n; i++) {
                /* length-prefixed, so two different splits of the same bytes differ */
                uint8_t len[4] = { chain[i].size >> 24, chain[i].size >> 16, chain[i].size >> 8, chain[i].size };
                hash_sha256_update(h, len, sizeof(len));
                hash_sha256_update(h, chain[i].data, chain[i].size);
        }
        hash_sha256_final(h, out);
}

static bool memo_lookup(struct identity_trust_cache *c, struct trust_entry *e, const uint8_t d[SHA256_LEN],
                        int64_t now, struct peer_leaf_ids *ids) {
        struct peer_memo_slot *slot = &e->memo[(d[0] | (d[1] << 8)) % PEER_MEMO_SLOTS];
        pthread_mutex_lock(&c->mu);
        bool hit = slot->verified_at != 0 && now >= slot->verified_at &&
                   now - slot->verified_at < PEER_MEMO_SECONDS && ct_equal(slot->digest, d, SHA256_LEN);
        if (hit)
                *ids = slot->ids;
        pthread_mutex_unlock(&c->mu);
        return hit;
}

static void memo_store(struct identity_trust_cache *c, struct trust_entry *e, const uint8_t d[SHA256_LEN],
                       int64_t now, const struct peer_leaf_ids *ids) {
        struct peer_memo_slot *slot = &e->memo[(d[0] | (d[1] << 8)) % PEER_MEMO_SLOTS];
        pthread_mutex_lock(&c->mu);
        memcpy(slot->digest, d, SHA256_LEN);
        slot->verified_at = now;
        slot->ids = *ids;
        pthread_mutex_unlock(&c->mu);
}

static int leaf_ids_read(const gnutls_datum_t *leaf_der, struct peer_leaf_ids *ids, struct error *err) {
        _cleanup_pki_crt_ gnutls_x509_crt_t leaf = NULL;
        if (pki_cert_import(leaf_der->data, leaf_der->size, &leaf, err) < 0)
                return -1;
        if (pki_cert_serial_hex(leaf, ids->serial) < 0 || pki_cert_fingerprint_sha256(leaf, ids->fingerprint) < 0)
                return error_set(err, ERROR_UNAUTHENTICATED, "client certificate cannot be read");
        return 0;
}

/* Verifies the chain and reads the leaf's serial and fingerprint. */
static int verify_chain(struct identity_ctx *ic, const gnutls_datum_t *chain, size_t n, int64_t now,
                        struct peer_leaf_ids *ids, struct error *err) {
        struct error e = {0};
        int r;
        if (ic->trust_cache) {
                struct trust_entry *entry;
                if (trust_acquire(ic->trust_cache, ic->store, &entry, err) < 0)
                        return -1;
                uint8_t digest[SHA256_LEN];
                chain_digest(chain, n, digest);
                if (memo_lookup(ic->trust_cache, entry, digest, now, ids)) {
                        r = 0;
                } else {
                        r = pki_trust_verify_chain(entry->trust, chain, n, now, &e);
                        if (r == 0 && leaf_ids_read(&chain[0], ids, err) < 0) {
                                trust_release(ic->trust_cache, entry);
                                return -1;
                        }
                        if (r == 0)
                                memo_store(ic->trust_cache, entry, digest, now, ids);
                }
                trust_release(ic->trust_cache, entry);
        } else {
                _cleanup_pki_trust_ struct pki_trust *t = NULL;
                if (trust_build(ic->store, &t, err) < 0)
                        return -1;
                r = pki_trust_verify_chain(t, chain, n, now, &e);
                if (r == 0)
                        return leaf_ids_read(&chain[0], ids, err);
        }
        if (r == 0)
                return 0;
        /* Whatever is wrong with what the peer presented is an authentication failure. */
        if (e.kind == ERROR_INVALID || e.kind == ERROR_TOO_LARGE || e.kind == ERROR_UNAUTHENTICATED ||
            e.kind == ERROR_CRYPTO)
                return error_set(err, ERROR_UNAUTHENTICATED, "%s", e.msg);
        return identity_error_pass(err, &e);
}

static int copy_field(char *dst, size_t size, const char *src, const char *what, struct error *err) {
        if (!src || strlen(src) >= size)
                return error_set(err, ERROR_INTERNAL, "peer %s does not fit", what);
        memcpy(dst, src, strlen(src) + 1);
        return 0;
}

int identity_peer_authenticate(struct identity_ctx *ic, const gnutls_datum_t *chain, size_t n,
                               struct identity_device_peer *out, struct error *err) {
        memset(out, 0, sizeof(*out));
        if (!chain || n == 0 || !chain[0].data || chain[0].size == 0)
                return error_set(err, ERROR_UNAUTHENTICATED, "no client certificate presented");
        int64_t now = identity_now(ic);
        struct peer_leaf_ids ids;
        if (verify_chain(ic, chain, n, now, &ids, err) < 0)
                return -1;
        const char *serial = ids.serial, *fp = ids.fingerprint;

        _cleanup_cert_row_ struct store_certificate c = {0};
        struct error e = {0};
        if (store_certificate_get_by_serial(ic->store, serial, &c, &e) < 0) {
                if (e.kind == ERROR_NOT_FOUND)
                        return error_set(err, ERROR_UNAUTHENTICATED, "certificate not issued by this server");
                return identity_error_pass(err, &e);
        }
        /* Same serial but other bytes: signed by a trusted CA key, but not by
         * this server (a stolen or escrowed CA key, or another issuer under a
         * trusted root). Named apart from an unknown serial, so that the test
         * and the log tell which check refused it. */
        if (strcmp(c.fingerprint, fp) != 0)
                return error_set(err, ERROR_UNAUTHENTICATED,
                                 "certificate not issued by this server: serial %s was issued with other "
                                 "contents (SHA-256 fingerprint differs)", serial);
        /* The device first: a decommissioned device is told so (403), although
         * decommissioning also revoked its certificates. */
        _cleanup_device_row_ struct store_device d = {0};
        if (store_device_get_identity(ic->store, c.device_id, &d, err) < 0)
                return -1;
        if (d.status == STORE_DEVICE_DECOMMISSIONED)
                return error_set(err, ERROR_FORBIDDEN, "device '%s' is decommissioned", d.serial);

        switch (c.status) {
        case STORE_CERT_REVOKED: {
                const char *reason = pki_crl_reason_name(c.revocation_reason);
                return error_set(err, ERROR_UNAUTHENTICATED, "certificate revoked (%s)",
                                 reason ? reason : "unspecified");
        }
        case STORE_CERT_SUPERSEDED:
                return error_set(err, ERROR_UNAUTHENTICATED,
                                 "certificate superseded by certificate %s; use the newer certificate",
                                 c.superseded_by_serial[0] ? c.superseded_by_serial : "(unknown)");
        case STORE_CERT_VALID:
                break;
        }
        if (now > c.not_after)
                return error_set(err, ERROR_UNAUTHENTICATED, "certificate expired");
        if (now < c.not_before)
                return error_set(err, ERROR_UNAUTHENTICATED, "certificate is not yet valid");

        out->device_id = d.id;
        out->cert_id = c.id;
        out->kind = c.kind == STORE_CERT_BIRTH ? PKI_CERT_BIRTH : PKI_CERT_OPERATIONAL;
        if (copy_field(out->serial, sizeof(out->serial), d.serial, "serial", err) < 0 ||
            copy_field(out->product_model, sizeof(out->product_model), d.product_model, "product", err) < 0 ||
            copy_field(out->cert_serial, sizeof(out->cert_serial), c.serial_hex, "certificate serial", err) < 0) {
                memset(out, 0, sizeof(*out));
                return -1;
        }
        return 0;
}

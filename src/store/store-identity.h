/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/*
 * Device identity rows (schema version 3): device-issuing CAs, production
 * batches, devices, their certificates, migration windows and claims, and
 * security events. Plain rows in, plain rows out; every rule about them lives
 * in src/identity/. Strings in rows are heap copies owned by the row (free with
 * the matching *_clear); NULL means SQL NULL.
 *
 * Errors: ERROR_NOT_FOUND ("no device with serial 'X'"), ERROR_CONFLICT on a
 * UNIQUE violation ("a device CA named 'X' already exists"), ERROR_DB /
 * ERROR_UNAVAILABLE from the database.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "store/store.h"

/* ---- enumerations (stored as their names) ---- */

enum store_ca_status { STORE_CA_PENDING, STORE_CA_ACTIVE, STORE_CA_RETIRED };
enum store_device_status { STORE_DEVICE_ACTIVE, STORE_DEVICE_DECOMMISSIONED };
enum store_device_origin { STORE_DEVICE_FACTORY, STORE_DEVICE_MIGRATION };
enum store_cert_kind { STORE_CERT_BIRTH, STORE_CERT_OPERATIONAL };
enum store_cert_status { STORE_CERT_VALID, STORE_CERT_SUPERSEDED, STORE_CERT_REVOKED };

const char *store_ca_status_name(enum store_ca_status v);          /* "pending" "active" "retired" */
const char *store_device_status_name(enum store_device_status v);  /* "active" "decommissioned" */
const char *store_device_origin_name(enum store_device_origin v);  /* "factory" "migration" */
const char *store_cert_kind_name(enum store_cert_kind v);          /* "birth" "operational" */
const char *store_cert_status_name(enum store_cert_status v);      /* "valid" "superseded" "revoked" */
/* Parse a name; -1 if unknown (no error set: callers name the field). */
int store_device_status_parse(const char *s, enum store_device_status *out);

/* Products are looked up by model (the EST label). ERROR_NOT_FOUND "no product with model 'X'". */
int store_identity_product_by_model(struct store *s, const char *model, int64_t *id_out,
                                    struct error *err);
/* The model of a product id (heap). ERROR_NOT_FOUND. */
int store_identity_product_model(struct store *s, int64_t id, char **model_out, struct error *err);

/* ---- device_cas ---- */

struct store_device_ca {
        int64_t id;
        char *name;                 /* unique, [A-Za-z0-9._-] */
        int64_t product_id;
        char *key_ref;              /* file path or pkcs11: URI; never key material */
        char *csr_pem;
        char *cert_pem;             /* NULL while pending */
        char *chain_pem;            /* issuer chain up to the root; NULL while pending */
        int64_t crl_number;         /* number of the stored CRL; 0 = none yet */
        uint8_t *crl_der;           /* NULL = none yet */
        size_t crl_len;
        int64_t crl_next_update;    /* 0 = none yet */
        enum store_ca_status status;
        int64_t created_at;
        int64_t activated_at;       /* 0 = never */
        int64_t retired_at;         /* 0 = not retired */
        char *product_model;        /* read only (joined) */
};

int store_device_ca_insert(struct store *s, const struct store_device_ca *ca, int64_t *id_out,
                           struct error *err);
int store_device_ca_get(struct store *s, int64_t id, struct store_device_ca *out, struct error *err);
int store_device_ca_get_by_name(struct store *s, const char *name, struct store_device_ca *out,
                                struct error *err);
/* The CA that issues for a product now. ERROR_NOT_FOUND when none is active. */
int store_device_ca_get_active(struct store *s, int64_t product_id, struct store_device_ca *out,
                               struct error *err);
/* product_id 0 = all; trusted_only = active and retired (the ones peers may chain to). By id. */
int store_device_ca_list(struct store *s, int64_t product_id, bool trusted_only,
                         struct store_device_ca **out, size_t *n_out, struct error *err);
/* pending -> active with its certificate; the product's previous active CA becomes retired,
 * and the CA generation counter is incremented (all in one atomic step).
 * ERROR_CONFLICT if the CA is not pending. */
int store_device_ca_activate(struct store *s, int64_t id, const char *cert_pem, const char *chain_pem,
                             int64_t when, struct error *err);
int store_device_ca_set_crl(struct store *s, int64_t id, int64_t crl_number, const uint8_t *der,
                            size_t len, int64_t next_update, struct error *err);
/* Changes whenever the set of trusted CAs changes (peer trust caches key on it). */
int store_device_ca_generation(struct store *s, int64_t *out, struct error *err);
void store_device_ca_clear(struct store_device_ca *ca);
void store_device_ca_list_free(struct store_device_ca *list, size_t n);

/* ---- batches ---- */

struct store_batch {
        int64_t id;
        int64_t product_id;
        char *name;                      /* unique per product */
        char *hardware_revision;
        char *production_date;           /* YYYY-MM-DD */
        char *station;                   /* NULL = not fixed per batch */
        char *initial_firmware_version;
        bool migration_key_set;          /* read only; the key itself: store_batch_migration_key */
        int64_t created_at;
        int64_t closed_at;               /* 0 = open */
        char *product_model;             /* read only (joined) */
};

int store_batch_insert(struct store *s, const struct store_batch *b, int64_t *id_out, struct error *err);
int store_batch_get(struct store *s, int64_t id, struct store_batch *out, struct error *err);
int store_batch_get_by_name(struct store *s, int64_t product_id, const char *name, struct store_batch *out,
                            struct error *err);
/* product_id 0 = all. Ordered by id. */
int store_batch_list(struct store *s, int64_t product_id, struct store_batch **out, size_t *n_out,
                     struct error *err);
/* ERROR_CONFLICT if already closed. */
int store_batch_close(struct store *s, int64_t id, int64_t when, struct error *err);
/* The batch's migration key as stored: sealed under the KEK
 * ("kek1:...", src/secret/kek.h; identity/batch.c seals and opens it) or, in a
 * database from before secrets at rest, 64 hex digits until cradled seals it
 * at start. Never logged. */
int store_batch_set_migration_key(struct store *s, int64_t id, const char *stored, struct error *err);
/* *stored_out (heap) is NULL when the batch has no key. */
int store_batch_migration_key(struct store *s, int64_t id, char **stored_out, struct error *err);
/* The ids of batches whose key is stored unsealed (legacy hex). */
int store_batch_migration_keys_unsealed(struct store *s, int64_t **ids_out, size_t *n_out, struct error *err);
/* The first batch whose key is sealed but does not start with sealed_prefix
 * ("kek1:<fingerprint>:"): sealed under another KEK. *id_out = 0 when none. */
int store_batch_migration_key_other_kek(struct store *s, const char *sealed_prefix, int64_t *id_out,
                                        struct error *err);
void store_batch_clear(struct store_batch *b);
void store_batch_list_free(struct store_batch *list, size_t n);

/* ---- devices ---- */

struct store_device {
        int64_t id;
        char *serial;                    /* unique */
        int64_t product_id;
        int64_t batch_id;                /* 0 = none */
        char *hardware_revision;
        char *production_date;
        char *station;
        char *initial_firmware_version;
        enum store_device_status status;
        enum store_device_origin origin;
        int64_t created_at;
        int64_t decommissioned_at;       /* 0 = not */
        /* read only (joined / computed) */
        char *product_model;
        char *batch_name;                /* NULL without batch */
        int64_t valid_until;             /* latest not_after of the device's valid certs; 0 = none */
        /* read only, from the director's tables (schema 5, store-director.h) */
        char *installed_version;         /* from the last successful update; NULL = none */
        int64_t security_version;        /* -1 = none */
        int64_t last_seen;               /* 0 = never */
        int64_t assigned_release_id;     /* 0 = none */
        char *tags;                      /* comma-separated, unordered; NULL = none */
};

struct store_device_filter {
        int64_t product_id;              /* 0 = any */
        int64_t batch_id;                /* 0 = any */
        const char *batch_name;          /* NULL = any (matched with product when given) */
        bool status_set;
        enum store_device_status status;
        int64_t valid_until_before;      /* 0 = no filter; else some valid cert's not_after <= this
                                            * (an operational cert due for renewal counts even
                                            * when the 20-year birth cert is far off) */
        int64_t after_id;                /* pagination cursor */
        size_t limit;                    /* 0 = 1000; at most 1000 */
};

int store_device_insert(struct store *s, const struct store_device *d, int64_t *id_out, struct error *err);
int store_device_get(struct store *s, int64_t id, struct store_device *out, struct error *err);
/* Only what authenticating a device needs: id, serial, product_id,
 * product_model, status, origin, created_at, decommissioned_at; the rest
 * stays 0/NULL. One join instead of seven, on every device request. */
int store_device_get_identity(struct store *s, int64_t id, struct store_device *out, struct error *err);
int store_device_get_by_serial(struct store *s, const char *serial, struct store_device *out,
                               struct error *err);
/* found=false instead of ERROR_NOT_FOUND. */
int store_device_find_by_serial(struct store *s, const char *serial, struct store_device *out, bool *found,
                                struct error *err);
int store_device_list(struct store *s, const struct store_device_filter *f, struct store_device **out,
                      size_t *n_out, struct error *err);
/* Re-provisioning: replaces batch, hardware revision, production date, station,
 * initial firmware version; status back to active. */
int store_device_reprovision(struct store *s, const struct store_device *d, struct error *err);
int store_device_decommission(struct store *s, int64_t id, int64_t when, struct error *err);
void store_device_clear(struct store_device *d);
void store_device_list_free(struct store_device *list, size_t n);

/* ---- certificates ---- */

struct store_certificate {
        int64_t id;
        char serial_hex[41];             /* lowercase hex, unique */
        int64_t device_id;
        int64_t ca_id;
        enum store_cert_kind kind;
        char fingerprint[65];            /* SHA-256 of the DER, hex */
        int64_t not_before, not_after;
        enum store_cert_status status;
        int64_t revoked_at;              /* 0 = not revoked */
        int revocation_reason;           /* RFC 5280 CRLReason; -1 = none */
        int64_t superseded_by;           /* certificate id; 0 = none */
        char *pem;
        int64_t issued_at;
        /* read only (joined) */
        char *device_serial;
        char *ca_name;
        char superseded_by_serial[41];   /* "" = none */
};

int store_certificate_insert(struct store *s, const struct store_certificate *c, int64_t *id_out,
                             struct error *err);
int store_certificate_get(struct store *s, int64_t id, struct store_certificate *out, struct error *err);
int store_certificate_get_by_serial(struct store *s, const char *serial_hex, struct store_certificate *out,
                                    struct error *err);
/* All of a device's certificates, newest first. */
int store_certificate_list_by_device(struct store *s, int64_t device_id, struct store_certificate **out,
                                     size_t *n_out, struct error *err);
/* Revoked certificates of one CA (what its CRL lists), by id. */
int store_certificate_list_revoked(struct store *s, int64_t ca_id, struct store_certificate **out,
                                   size_t *n_out, struct error *err);
/* valid -> superseded. ERROR_CONFLICT if the certificate is not valid. */
int store_certificate_supersede(struct store *s, int64_t id, int64_t by_id, struct error *err);
/* valid|superseded -> revoked. ERROR_CONFLICT if already revoked. */
int store_certificate_revoke(struct store *s, int64_t id, int64_t when, int reason, struct error *err);
void store_certificate_clear(struct store_certificate *c);
void store_certificate_list_free(struct store_certificate *list, size_t n);

/* ---- migration windows and claims ---- */

struct store_migration_window {
        int64_t product_id;
        char shared_credential_hash[65]; /* hex SHA-256 */
        int64_t opened_at;
        int64_t closed_at;               /* 0 = open */
};

/* Opens (or re-opens, replacing the hash and clearing closed_at). */
int store_migration_window_put(struct store *s, const struct store_migration_window *w, struct error *err);
/* ERROR_NOT_FOUND when never opened. */
int store_migration_window_get(struct store *s, int64_t product_id, struct store_migration_window *out,
                               struct error *err);
/* ERROR_NOT_FOUND if never opened, ERROR_CONFLICT if already closed. */
int store_migration_window_close(struct store *s, int64_t product_id, int64_t when, struct error *err);

struct store_migration_claim {
        int64_t id;
        char *device_serial;
        int64_t product_id;              /* 0 = unknown product */
        char *source;                    /* client address or station; NULL = unknown */
        int64_t time;
        char *result;                    /* "ok" or the refusal reason */
        int64_t cert_id;                 /* 0 = none */
};

int store_migration_claim_insert(struct store *s, const struct store_migration_claim *c, int64_t *id_out,
                                 struct error *err);
/* serial NULL = all. Ordered by id. */
int store_migration_claim_list(struct store *s, const char *serial, struct store_migration_claim **out,
                               size_t *n_out, struct error *err);
void store_migration_claim_clear(struct store_migration_claim *c);
void store_migration_claim_list_free(struct store_migration_claim *list, size_t n);

/* ---- security events ---- */

struct store_security_event {
        int64_t id;
        int64_t time;
        char *kind;                      /* "migration.duplicate-claim" */
        char *severity;                  /* "low" "medium" "high" "critical" */
        int64_t product_id;              /* 0 = none */
        char *device_serial;             /* NULL = none */
        char *source;                    /* NULL = none */
        char *details;                   /* JSON object text */
        char *product_model;             /* read only (joined) */
};

struct store_security_event_filter {
        const char *kind;                /* exact, NULL = any */
        int64_t since;                   /* time >= since; 0 = any */
        int64_t product_id;              /* 0 = any */
        int64_t after_id;                /* pagination cursor */
        size_t limit;                    /* 0 = 1000; at most 1000 */
};

int store_security_event_insert(struct store *s, const struct store_security_event *e, int64_t *id_out,
                                struct error *err);
/* Ordered by id. */
int store_security_event_list(struct store *s, const struct store_security_event_filter *f,
                              struct store_security_event **out, size_t *n_out, struct error *err);
void store_security_event_clear(struct store_security_event *e);
void store_security_event_list_free(struct store_security_event *list, size_t n);

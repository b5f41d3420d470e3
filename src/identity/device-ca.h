/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/*
 * Device-issuing CAs. One per product issues at a time (status active); a CA
 * replaced by a newer one is retired: it issues nothing more, but its
 * certificates stay verifiable (it stays in the peer trust list and keeps
 * publishing its CRL).
 *
 * Life cycle: identity_ca_create makes the key and a CSR (pending); the CSR is
 * signed offline by the root (pki_sign_intermediate, `cradle` CLI);
 * identity_ca_install takes the certificate and its chain (active).
 *
 * JSON shape (never key material beyond key_ref):
 * {"id", "name", "product", "key_ref", "status": "pending|active|retired",
 *  "csr": PEM, "certificate": PEM|null, "chain": PEM|null,
 *  "fingerprint_sha256": hex|null, "not_after": RFC 3339|null,
 *  "crl_number": n, "crl_next_update": RFC 3339|null,
 *  "created_at", "activated_at"|null, "retired_at"|null}
 */
#include <gnutls/gnutls.h>
#include <jansson.h>
#include "identity/identity.h"

/* CA names: 1..64 of [A-Za-z0-9._-] (a file name and a CRL URL part). */
#define IDENTITY_CA_NAME_MAX 64

/* key_ref NULL: generates an ECDSA P-256 key file <data_dir>/pki/<name>.key (0600);
 * else uses the given key ("pkcs11:..." URI or a key file path). The CSR's subject
 * is CN=<name>. ERROR_NOT_FOUND unknown product, ERROR_CONFLICT name taken (checked
 * before a key file is made), ERROR_INVALID bad name. Audited "device-ca.create". */
int identity_ca_create(struct store *s, const struct audit_actor *a, const char *product_model,
                       const char *name, const char *key_ref, const char *data_dir, json_t **out,
                       struct error *err);
/* Checks: the CA is pending; the certificate's public key is the CA key's; CA:TRUE
 * (and keyCertSign + cRLSign when key usage is present); it verifies against chain_pem
 * (the issuer chain up to the root, PEM bundle) now. Then: active, the product's
 * previous active CA retired, first CRL (number 1) generated. Audited "device-ca.install". */
int identity_ca_install(struct store *s, const struct audit_actor *a, const char *name,
                        const char *cert_pem, const char *chain_pem, json_t **out, struct error *err);
int identity_ca_get(struct store *s, const char *name, json_t **out, struct error *err);
int identity_ca_list(struct store *s, json_t **out, struct error *err); /* {"items": [...]} */

/* EST /cacerts: the active CA certificate(s) and their chains as DER, CA first,
 * without duplicates. product_model NULL = every product's active CA.
 * ERROR_NOT_FOUND when the product does not exist or has no active CA.
 * Free with pki_datum_array_free(*certs, *n). */
int identity_cacerts(struct store *s, const char *product_model, gnutls_datum_t **certs, size_t *n,
                     struct error *err);
/* The issuing chain for a product's devices as one PEM bundle (active CA cert, then
 * its chain) — what the migration claim answers with. Heap. */
int identity_ca_chain_pem(struct store *s, const char *product_model, char **pem_out, struct error *err);

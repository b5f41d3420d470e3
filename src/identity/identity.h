/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/*
 * Device identity: device-issuing CAs, production batches, enrollment (what
 * EST does, without HTTP), renewal, peer authentication, revocation and CRLs,
 * and the migration of fielded devices off shared credentials.
 *
 * Every rule of issue 3 is enforced here, not in HTTP, so the CLI, tests and
 * benchmarks reach the same behaviour. Every change runs in one transaction
 * together with its audit_append; a refusal that must be on record (a refused
 * enrollment, a migration claim) is written in a transaction of its own after
 * the failed one is rolled back.
 */
#include <stdint.h>
#include "audit/audit.h"
#include "store/store.h"

struct identity_trust_cache; /* peer.h */

/* Built by the server per request (cheap: pointers and numbers). */
struct identity_ctx {
        struct store *store;
        const char *data_dir;          /* device CA key files go to <data_dir>/pki/<name>.key */
        const char *crl_base_url;      /* CRL DP = <crl_base_url>/<ca name>.crl; NULL = no DP */
        unsigned birth_days;           /* 0 = PKI_BIRTH_DAYS_DEFAULT (7300) */
        unsigned operational_days;     /* 0 = PKI_OPERATIONAL_DAYS_DEFAULT (365) */
        struct identity_trust_cache *trust_cache; /* shared by threads; NULL = build per request */
        int64_t now;                   /* 0 = the clock; tests pin time (peer expiry, record times).
                                          CRLs always follow the wall clock. */
};

/* The actor recorded for what a device does itself (renewal, migration claim):
 * name "device:<serial>", role "device". */
#define IDENTITY_DEVICE_ROLE "device"

/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/*
 * Device records.
 * JSON: {"serial", "product", "batch"|null, "hardware_revision", "production_date",
 *        "station", "initial_firmware_version", "status": "active|decommissioned",
 *        "origin": "factory|migration", "created_at", "decommissioned_at"|null,
 *        "valid_until"|null,
 *        "tags": [...], "installed_version"|null, "security_version"|null,
 *        "last_seen"|null, "assigned_release_id"|null   (the director's records, issue 4),
 *        "owner_ref"|null, "owner_ref_from": "device|batch"|null   (get only; issue 10 section 6),
 *        "certificates": [ (get only, newest first)
 *          {"serial", "kind": "birth|operational", "status": "valid|superseded|revoked",
 *           "ca", "fingerprint_sha256", "not_before", "not_after", "issued_at",
 *           "revoked_at"|null, "revocation_reason"|null, "superseded_by"|null, "pem"}]}
 */
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include "identity/identity.h"

struct identity_device_filter {
        const char *product;           /* model; NULL = any */
        const char *batch;             /* batch name; NULL = any */
        const char *status;            /* "active" | "decommissioned"; NULL = any */
        bool expiring;                 /* apply expiring_within_days */
        unsigned expiring_within_days; /* newest valid certificate expires within N days
                                          (already expired included; devices without a
                                          valid certificate are not listed) */
        int64_t after_id;              /* pagination cursor */
        size_t limit;                  /* 0 = 1000 */
};

/* {"items": [...]} ERROR_INVALID for a bad status, ERROR_NOT_FOUND for an unknown product. */
int identity_devices_list(struct store *s, const struct identity_device_filter *f, json_t **out,
                          struct error *err);
int identity_device_get(struct store *s, const char *serial, json_t **out, struct error *err);
/* What a device learns about itself (GET /device/v1/whoami): the device
 * record as identity_device_get gives it, with "certificate" = the one it
 * presented (cert_serial, with its PEM) in place of the whole list. Reads
 * that one certificate only: a device may call this often. */
int identity_device_whoami(struct store *s, const char *serial, const char *cert_serial, json_t **out,
                           struct error *err);

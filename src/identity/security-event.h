/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/*
 * Security events: what the fleet and the server observe that an operator must
 * look at (duplicate migration claims, later: anomalies, telemetry alerts).
 * JSON: {"id", "time", "kind", "severity", "product"|null, "device_serial"|null,
 *        "source"|null, "details": {...}}
 */
#include <jansson.h>
#include <stdint.h>
#include "identity/identity.h"

struct identity_security_event_filter {
        const char *kind;       /* exact; NULL = any */
        int64_t since;          /* seconds since the epoch; 0 = any */
        const char *product;    /* model; NULL = any */
        int64_t after_id;       /* pagination cursor */
        size_t limit;           /* 0 = 1000 */
};

/* severity: "low" | "medium" | "high" | "critical". Runs inside the caller's
 * transaction if one is open. product_id 0 = none; details may be NULL. */
int identity_security_event_record(struct store *s, const char *kind, const char *severity,
                                   int64_t product_id, const char *device_serial, const char *source,
                                   json_t *details, struct error *err);
/* {"items": [...]} */
int identity_security_events_list(struct store *s, const struct identity_security_event_filter *f,
                                  json_t **out, struct error *err);

/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/*
 * Products: what the CRA obligations attach to. Domain logic only (no HTTP):
 * validates request JSON, writes through the store, audits every change.
 *
 * JSON shape (request and response):
 * {
 *   "id": 1,                                   (response only)
 *   "name": "Thermostat T1",                   (1..200 chars)
 *   "model": "T1-EU",                          (unique, [A-Za-z0-9._-], 1..64)
 *   "manufacturer": {"name": "...", "address": "...", "contact": "..."},
 *   "support": {"start": "2026-11-21", "end": "2031-11-21", "justification": null},
 *   "member_states": ["DE", "FR"],             (EU ISO 3166-1 alpha-2, >= 1)
 *   "created_at": "...", "updated_at": "..."   (response only)
 * }
 * support.start defaults to today. If end is earlier than start + 5 years,
 * justification (CRA Art. 13(8) expected use time) is required.
 */
#include <jansson.h>
#include <stdbool.h>
#include "audit/audit.h"

int product_create(struct store *s, const struct audit_actor *actor, json_t *body,
                   json_t **out, struct error *err);
/* Partial update: fields absent from body keep their value. */
int product_update(struct store *s, const struct audit_actor *actor, int64_t id, json_t *body,
                   json_t **out, struct error *err);
int product_get(struct store *s, int64_t id, json_t **out, struct error *err);
int product_list(struct store *s, json_t **out, struct error *err); /* {"items": [...]} */
bool product_member_state_valid(const char *code);

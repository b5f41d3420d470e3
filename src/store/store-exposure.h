/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/*
 * Exposure reads (issue 9): which releases a vulnerability affects and which
 * devices run them. A device runs its installed version (the last successful
 * update report), else its initial firmware, as the campaign selector says;
 * only active devices count. Each read goes through one (product, version)
 * at a time so it uses migration 12's indexes (devices by installed version,
 * devices by product and initial firmware) and reads only the devices that
 * run that version, never the whole fleet.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "store/store.h"

/* A live finding that is not dismissed (in_triage or affected), with its release. */
struct store_exposure_finding {
        int64_t finding_id, release_id, product_id;
        char *model, *version, *release_status, *component, *component_version, *state;
};
void store_exposure_findings_free(struct store_exposure_finding *list, size_t n);
/* Ordered by product, release, component. */
int store_exposure_findings(struct store *s, int64_t vuln_id, struct store_exposure_finding **out, size_t *n,
                            struct error *err);

/* Every release version of a product. */
int store_exposure_product_versions(struct store *s, int64_t product_id, char ***versions, size_t *n,
                                    struct error *err);
void store_exposure_strings_free(char **list, size_t n);

/* A product's active devices running each of `versions` (at most
 * STORE_EXPOSURE_VERSIONS_MAX), counted by hardware revision and batch in
 * one pass: counts[i] is the number running versions[i]. */
#define STORE_EXPOSURE_VERSIONS_MAX 64
struct store_exposure_group {
        char *hardware_revision; /* NULL when unknown */
        char *batch;             /* NULL when the device has none */
        int64_t *counts;         /* one per version */
};
void store_exposure_groups_free(struct store_exposure_group *list, size_t n);
int store_exposure_count(struct store *s, int64_t product_id, const char *const *versions, size_t n_versions,
                         struct store_exposure_group **out, size_t *n, struct error *err);

/* The first `limit` devices running (product, version) with id > after_id,
 * by id. with_since: since = the time of the last successful update to that
 * version (0 when the device runs it from the factory). */
struct store_exposure_device {
        int64_t id;
        char *serial, *hardware_revision, *batch, *version;
        int64_t since;
        char *owner; /* the device's owner reference, else its batch's; NULL when neither (migration 18) */
};
void store_exposure_devices_free(struct store_exposure_device *list, size_t n);
int store_exposure_devices(struct store *s, int64_t product_id, const char *version, int64_t after_id, size_t limit,
                           bool with_since, struct store_exposure_device **out, size_t *n, struct error *err);

/* A vulnerability by canonical name or alias: 1 with its id and canonical
 * name (caller frees), 0 when unknown. */
int store_exposure_vuln(struct store *s, const char *alias, int64_t *id, char **name, struct error *err);

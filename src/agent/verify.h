/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/*
 * Deciding what to install, from verified metadata only.
 *
 * 1. Image repository (<url>/repo/<model>/): the full TUF client workflow
 *    (tuf/client.h) with its trusted store in <state>/image-repo/.
 * 0. Before either is used, and for each new root of either chain before it
 *    is stored: key separation (agent/rootcheck.h). No root of one repository
 *    shares a key, by key material, with the other's trusted root; online
 *    keys are never offline keys; x-cradle-repository names the repository.
 * 2. Director (<url>/device/v1/director/): root chain (N+1.root.json signed by
 *    the old and the new root threshold, version exactly N+1, the final root
 *    not expired), then targets.json signed by the director root's targets
 *    threshold, not expired, version not lower than the highest accepted so
 *    far (replay). Trusted store in <state>/director/.
 * 3. Cross-check (agent_cross_check), each failure named:
 *    - the director target's custom serial is this device's ("metadata for
 *      another device"), custom hardware_id is "<model>/<revision>" ("image
 *      for another hardware id");
 *    - the image repository lists the same path with the same length and
 *      SHA-256 ("director and image repository disagree");
 *    - the image repository's custom: product is our model, our hardware
 *      revision is in hardware_revisions, security_version is present and
 *      not below the floor ("rollback"); where the director's custom repeats
 *      release or security_version it must agree;
 *    - the length is within [download] max_image_size.
 */
#include <stdbool.h>
#include <stdint.h>
#include <jansson.h>
#include "agent/config.h"
#include "agent/fetch.h"
#include "agent/state.h"
#include "core/error.h"
#include "tuf/metadata.h"

#define AGENT_DIRECTOR_ROOT_MAX (512u * 1024)
#define AGENT_DIRECTOR_MAX_ROTATIONS 256

struct agent_update {
        bool available;               /* false: the director assigns nothing */
        struct agent_image image;     /* version, security_version, path, length, sha256 */
        char *url;                    /* where to download it (heap) */
        int64_t director_version;     /* version of the accepted director targets */
};
void agent_update_clear(struct agent_update *u);

struct agent_cross_check_input {
        const char *serial, *model, *hardware_revision;
        int64_t floor;
        uint64_t max_image_size;      /* 0: no limit */
        const struct tuf_target *director_target;
        const struct tuf_target *image_target; /* NULL when the image repository lacks it */
};

/* The cross-check of point 3; fills *out (path, length, sha256, version,
 * security_version) when everything agrees. */
int agent_cross_check(const struct agent_cross_check_input *in, struct agent_image *out, struct error *err);

/* Picks the director target to install: the only one, or the one whose file
 * name is `image_name`. *out NULL when the director lists none. */
int agent_director_pick(const struct tuf_metadata *targets, const char *image_name,
                        const struct tuf_target **out, struct error *err);

/* Step 2 against a fetcher (base: the director URL). Keeps the trusted root
 * and targets in store_dir; min_version is the persisted replay baseline
 * (updated on success). now 0: the clock. rules (may be NULL: none): each
 * new root and the final trusted root must pass agent_root_check (key
 * separation from the image repository). *out: the verified targets;
 * *root_out (may be NULL): the trusted director root. */
struct agent_root_rules;
int agent_director_refresh(const struct tuf_fetcher *f, const char *store_dir, const char *trusted_root_file,
                           size_t targets_max, int64_t now, int64_t *min_version,
                           const struct agent_root_rules *rules, struct tuf_metadata **root_out,
                           struct tuf_metadata **out, struct error *err);

/* All three steps against the server; *out->available false when nothing is
 * assigned. */
int agent_verify_update(const struct agent_config *cfg, struct agent_http *http, struct agent_state *st,
                        struct agent_update *out, struct error *err);

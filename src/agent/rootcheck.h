/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/*
 * What the agent requires of every root it trusts, in either repository,
 * beyond TUF's own rules (docs/agent.md, "Roots"; docs/ota.md, threat model):
 *  1. it shares no key, by key material, with the other repository's trusted
 *     root (the director's root served as the image repository's
 *     N+1.root.json, or the reverse, is refused however it is signed);
 *  2. no key of an online role is also a key of an offline role (image
 *     repository: root and targets are offline; director: root is);
 *  3. its x-cradle-repository, when present, names this repository
 *     ("image:<model>" or "director"); once the trusted root states it, a
 *     new root without it is refused.
 * Applied to the installed roots on every cycle and to each new root of a
 * rotation before it is stored; a refusal leaves the trusted root as it was.
 */
#include "core/error.h"
#include "tuf/metadata.h"

struct agent_root_rules {
        const char *side;                 /* "image repository" or "director" */
        const char *repository;           /* the expected x-cradle-repository */
        unsigned offline_roles;           /* TUF_IMAGE_OFFLINE_ROLES or TUF_DIRECTOR_OFFLINE_ROLES */
        const struct tuf_metadata *other; /* the other repository's trusted root (NULL: not known yet) */
        const char *other_side;           /* "director" or "image repository" */
};

/* Checks `root` (named `name`, e.g. "2.root.json"). `current` is this side's
 * trusted root when `root` would replace it, NULL when `root` is the trusted
 * one itself. */
int agent_root_check(const struct agent_root_rules *rules, const char *name, const struct tuf_metadata *current,
                     const struct tuf_metadata *root, struct error *err);

/* The same shape as tuf_client_config.root_check (ud: struct agent_root_rules). */
int agent_root_check_hook(void *ud, const char *name, const struct tuf_metadata *current,
                          const struct tuf_metadata *next, struct error *err);

/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/*
 * The server's guard on key separation between the OTA repositories
 * (issue 7, finding 1; the agent's side is agent/rootcheck.h). Every root
 * the server installs — an image repository's (repo_create,
 * repo_rotate_root) or the director's (director_root_install) — passes:
 *  - it shares no key, by key material, with any root the other kind of
 *    repository has ever had: image roots of every product against every
 *    director root, and the reverse (a key that was the director's, even in
 *    a retired root, never becomes an image repository's; else a director
 *    root signed with it could be replayed as an image root);
 *  - across products' image repositories, a shared key is allowed only where
 *    every root lists it for offline roles alone (root, targets): one
 *    manufacturer may keep one set of offline keys for several products, but
 *    a product's online snapshot or timestamp key is never any other
 *    product's key (a stolen server key would reach across products);
 *  - inside the root, no online role's key is an offline role's key;
 *  - x-cradle-repository, when present, names this repository ("director",
 *    "image:<model>"), and it is present when the installed root has it.
 * Errors are ERROR_INVALID (400) and name the key and the other root.
 */
#include <stdbool.h>
#include <stdint.h>
#include "audit/audit.h"
#include "core/error.h"
#include "store/store.h"
#include "tuf/metadata.h"

/* For an image root of product `model` (id product_id). current: the
 * installed root being rotated from, NULL for a new repository. */
int repo_root_keys_check_image(struct store *s, int64_t product_id, const char *model,
                               const struct tuf_metadata *root, const struct tuf_metadata *current,
                               struct error *err);

/* For a director root. current: the installed director root, or NULL. */
int repo_root_keys_check_director(struct store *s, const struct tuf_metadata *root,
                                  const struct tuf_metadata *current, struct error *err);

/* Records a refused root (action "repo.root.refused" or
 * "director.root.refused") in its own transaction, after rolling back the
 * caller's: {version, message}. Failures are logged, never returned. */
void repo_root_keys_audit_refusal(struct store *s, const struct audit_actor *a, const char *action,
                                  const char *object, int64_t version, const char *message);

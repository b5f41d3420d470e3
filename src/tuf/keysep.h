/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/*
 * Key separation between Cradle's two TUF repositories and inside each root.
 *
 * Cradle runs two repositories per device: the image repository (offline root
 * and targets keys, online snapshot and timestamp keys) and the director
 * (offline root keys, one online key for targets, snapshot and timestamp).
 * TUF binds a root to nothing but the keys that signed it, so a key that
 * appears in both lets a root of one be accepted as a root of the other: the
 * director's root served as the image repository's N+1.root.json verifies
 * when the two share a root key, and then the director's online key signs
 * "image repository" targets (issue 7, finding 1). These checks are the
 * agent's and the server's defence:
 *  - two roots share no key, compared by key material (the SHA-256 of the
 *    SubjectPublicKeyInfo DER), so another keyid or spelling of one key is
 *    the same key;
 *  - inside one root, no online role's key is also an offline role's key;
 *  - a root that states its repository ("x-cradle-repository") states the
 *    expected one.
 * Keys of a type the client does not support have no known material: they
 * cannot be compared, and they never count toward a threshold either.
 */
#include <stdbool.h>
#include "core/error.h"
#include "tuf/metadata.h"

/* Bit for role r in a role mask. */
#define TUF_ROLE_BIT(r) (1u << (r))
/* The offline roles of each repository kind. */
#define TUF_IMAGE_OFFLINE_ROLES (TUF_ROLE_BIT(TUF_ROLE_ROOT) | TUF_ROLE_BIT(TUF_ROLE_TARGETS))
#define TUF_DIRECTOR_OFFLINE_ROLES (TUF_ROLE_BIT(TUF_ROLE_ROOT))

/* The first key of `a` that is also a key of `b`, by material; false when
 * none. *ka and *kb (either may be NULL) are the two spellings. Every key of
 * "keys" counts, whether or not a role lists it. */
bool tuf_roots_shared_key(const struct tuf_metadata *a, const struct tuf_metadata *b,
                          const struct tuf_key **ka, const struct tuf_key **kb);

/* The roles (a mask) that list `key` in root, by material. */
unsigned tuf_root_key_roles(const struct tuf_metadata *root, const struct tuf_key *key);

/* Writes "root, targets" for a role mask into buf. */
const char *tuf_role_mask_names(unsigned mask, char *buf, size_t size);

/* Refuses a root in which a key listed by an online role (one not in
 * offline_roles) is also listed by an offline role: a stolen online key
 * would then carry offline power. `what` names the root in the message. */
int tuf_root_check_role_separation(const char *what, const struct tuf_metadata *root,
                                   unsigned offline_roles, struct error *err);

/* Refuses a root whose x-cradle-repository is not `expected`, and, when
 * `required`, one without it. */
int tuf_root_check_repository(const char *what, const struct tuf_metadata *root, const char *expected,
                              bool required, struct error *err);

/* Refuses `root` when it shares a key with `other`; the message names both
 * keyids and the roles that list them in each. */
int tuf_root_check_disjoint(const char *what, const struct tuf_metadata *root, const char *other_what,
                            const struct tuf_metadata *other, struct error *err);

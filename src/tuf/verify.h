/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/*
 * Threshold signature verification (TUF specification 1.0, §5.3.4 and the
 * "arbitrary software attack" steps of §5.4-§5.6).
 *
 * A signature counts toward a role's threshold when its keyid is one of the
 * role's keyids in root, root holds that key, and the signature verifies over
 * the canonical JSON of "signed". Each keyid counts once however often it
 * appears; signatures by keys outside the role, malformed entries and
 * signatures that do not verify are skipped (never fatal on their own: a
 * document may carry more signatures than one client knows about).
 */
#include <stddef.h>
#include <jansson.h>
#include "core/error.h"
#include "tuf/metadata.h"

struct tuf_verify_result {
        unsigned valid;     /* distinct keyids of the role with a good signature */
        unsigned threshold; /* the role's threshold in root */
};

/* Counts the good signatures in `signatures` (an array of {"keyid","sig"};
 * anything else in it is skipped) over `data` for `role` as `root` defines it.
 * Returns 0 when valid >= threshold; otherwise -1 with ERROR_UNAUTHENTICATED
 * and "<role> signatures: 1 valid of threshold 2 (keyid 1a2b3c4d...: signature
 * does not verify)" — the first reason a signature did not count. result may
 * be NULL. */
int tuf_verify_signatures(const struct tuf_metadata *root, enum tuf_role role, const void *data,
                          size_t len, json_t *signatures, struct tuf_verify_result *result,
                          struct error *err);

/* The same over a parsed document (its canonical "signed" and "signatures").
 * `md` must be of type `role`. */
int tuf_verify_role(const struct tuf_metadata *root, enum tuf_role role,
                    const struct tuf_metadata *md, struct tuf_verify_result *result,
                    struct error *err);

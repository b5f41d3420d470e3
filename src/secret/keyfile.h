/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/*
 * Online signing key files sealed under the KEK (issue 11 section 6): the TUF
 * snapshot and timestamp keys, the director's online key and device CA keys
 * that cradled keeps as files when no HSM is used.
 *
 * Decision: they stay files (each role's key is still one file an operator
 * can move onto a token later), but the file's content is the sealed PEM, the
 * kek1: text of kek.h, bound to the context "key-file:<ref>" where <ref> is the
 * key's reference as the database or config stores it (so a sealed file copied
 * over another key's file does not open). A copy of the data directory then
 * holds no usable key without the KEK.
 *
 * Legacy plain PEM files still load (a deployment from before secrets at rest,
 * or one without a KEK); cradled seals them at start when a KEK is configured
 * (secret_seal_existing).
 */
#include <stdbool.h>

#include "core/error.h"
#include "crypto/key.h"

struct kek;

/* ref: a pkcs11: URI (loaded as crypto_key_load does) or the absolute path of
 * a key file, sealed (opened with kek_default() under "key-file:<context_ref>")
 * or plain PEM. */
int secret_key_load(const char *ref, const char *context_ref, struct crypto_key **out, struct error *err);
/* Generates a key into path (mode 0600, atomically replacing nothing that is
 * there: path must not exist): sealed under kek_default() when one is
 * configured, else plain PEM (cradled warned at start). */
int secret_key_generate_file(const char *path, const char *context_ref, enum crypto_key_type type,
                             struct error *err);
/* Seals a plain PEM key file in place under k (atomic rename, mode 0600).
 * *sealed_now = false when it was sealed already (idempotent). */
int secret_key_file_seal(const struct kek *k, const char *path, const char *context_ref, bool *sealed_now,
                         struct error *err);
/* Re-seals a key file under `to` (rotation): sealed under `from` -> opened and
 * sealed under `to`; plain PEM -> sealed under `to`; under `to` already ->
 * left alone (*changed = false). Sealed under a third KEK: ERROR_CRYPTO. */
int secret_key_file_reseal(const struct kek *from, const struct kek *to, const char *path, const char *context_ref,
                           bool *changed, struct error *err);

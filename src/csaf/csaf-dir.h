/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/* The provider directory's staging (csaf-directory.c), for csaf-publish.c. */
#include "csaf/csaf-internal.h"

struct pgp;

struct csaf_dir_stage {
        char **staged, **paths;
        size_t n;
};
/* Stages every file of the directory from the rows as they are in this
 * connection (inside the publication's transaction: with its new row).
 * current_key (may be NULL) is published beside the keys the documents
 * were signed with. */
int csaf_dir_stage(struct store *s, const struct csaf_config *cfg, const char *data_dir, struct pgp *keyring,
                   const char *current_key, struct csaf_dir_stage *st, struct error *err);
/* Renames the staged files into place in staging order; consumes st. */
int csaf_dir_switch(struct csaf_dir_stage *st, struct error *err);
void csaf_dir_abort(struct csaf_dir_stage *st);
/* Takes the directory's lock (flock on <data_dir>/csaf/.lock); *fd holds it
 * until closed. */
int csaf_dir_lock(const char *data_dir, int *fd, struct error *err);

/* Opens the keyring under data_dir and finds the signing key; with create,
 * generates one when there is none (*generated says so). *fpr NULL when
 * none and !create. */
int csaf_signing_key(const char *data_dir, const char *publisher, bool create, struct pgp **keyring, char **fpr,
                     bool *generated, struct error *err);

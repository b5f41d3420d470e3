/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/*
 * The CLI's early check of key separation (issue 7, finding 1): before the
 * offline keys sign anything, a new image repository root is compared with
 * the director's root, and a new director root with every product's image
 * root, by key material. The server checks the same (and every root version
 * ever installed, repo/root-keys.h): this check only saves a ceremony that
 * the server would refuse, and names the key file at fault.
 */
#include "cli/client.h"
#include "tuf/key.h"

struct cli_root_key {
        const struct tuf_key *key;
        const char *what;             /* "--root-key FILE", "the server's online snapshot key" */
};

/* side "image": against the installed director root (if any). side
 * "director": against the current root of every product's image repository.
 * Returns CLI_EXIT_OK, or prints which key is shared with which root and
 * returns CLI_EXIT_LOCAL; server errors as cli_client_request. */
int cli_root_keys_check(struct cli_client *client, const char *side, const struct cli_root_key *keys, size_t n);

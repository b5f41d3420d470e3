/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/* `cradled kek-rotate --data-dir DIR --to REF` (issue 11 section 6;
 * docs/keys.md "Backup and rotation of the KEK"). */
#include <stdio.h>

#include "core/error.h"

/* With cradled stopped: loads [kek] ref (the current KEK) and REF (the new
 * one; relative paths under DIR), re-seals every secret under the new KEK
 * (secret_rotate), then points [kek] ref in DIR/cradled.conf at REF. A run
 * cut short is finished by running it again. Prints what it did on out. */
int server_kek_rotate(const char *data_dir, const char *to_ref, FILE *out, struct error *err);

/* SPDX-License-Identifier: Apache-2.0 */
/* The kev parser of the vulnerability feed import (vuln/feed-*.c), through vuln_import_file_as. */
#include <stdint.h>
#define FUZZ_FEED "kev"
#include "fuzz-vuln-feed.h"

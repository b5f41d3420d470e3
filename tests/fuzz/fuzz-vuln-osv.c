/* SPDX-License-Identifier: Apache-2.0 */
/* The osv parser of the vulnerability feed import (vuln/feed-*.c), through vuln_import_file_as. */
#include <stdint.h>
#define FUZZ_FEED "osv"
#include "fuzz-vuln-feed.h"

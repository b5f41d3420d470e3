/* SPDX-License-Identifier: Apache-2.0 */
/* The osv-zip parser of the vulnerability feed import (vuln/feed-*.c), through vuln_import_file_as. */
#include <stdint.h>
#define FUZZ_FEED "osv-zip"
#include "fuzz-vuln-feed.h"

/* SPDX-License-Identifier: Apache-2.0 */
/* VEX documents read as cyclonedx (src/vex/vex-parse-cyclonedx.c); the checks are fuzz-vex.h's. */
#include "fuzz-vex.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        return fuzz_vex_one(VEX_FORMAT_CYCLONEDX, data, size);
}

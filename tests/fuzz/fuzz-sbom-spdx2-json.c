/* SPDX-License-Identifier: Apache-2.0 */
/* The SBOM parser for SPDX 2 JSON on arbitrary bytes (fuzz-sbom.h). */
#include "fuzz-sbom.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        return fuzz_sbom_one(sbom_parse_spdx2_json, SBOM_FORMAT_SPDX2_JSON, data, size);
}

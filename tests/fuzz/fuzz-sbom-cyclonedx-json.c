/* SPDX-License-Identifier: Apache-2.0 */
/* The SBOM parser for CycloneDX JSON on arbitrary bytes (fuzz-sbom.h). */
#include "fuzz-sbom.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        return fuzz_sbom_one(sbom_parse_cyclonedx_json, SBOM_FORMAT_CYCLONEDX_JSON, data, size);
}

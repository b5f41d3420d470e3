/* SPDX-License-Identifier: Apache-2.0 */
/* The SBOM parser for SPDX 3 JSON-LD on arbitrary bytes (fuzz-sbom.h). */
#include "fuzz-sbom.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        return fuzz_sbom_one(sbom_parse_spdx3_jsonld, SBOM_FORMAT_SPDX3_JSONLD, data, size);
}

/* SPDX-License-Identifier: Apache-2.0 */
/* The SBOM parser for CycloneDX XML (with the DOCTYPE/ENTITY refusal) on arbitrary bytes (fuzz-sbom.h). */
#include "fuzz-sbom.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        return fuzz_sbom_one(sbom_parse_cyclonedx_xml, SBOM_FORMAT_CYCLONEDX_XML, data, size);
}

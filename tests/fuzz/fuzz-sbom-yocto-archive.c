/* SPDX-License-Identifier: Apache-2.0 */
/* The SBOM parser for Yocto's tar/.tar.zst of SPDX 2.2 documents on arbitrary bytes (fuzz-sbom.h). */
#include "fuzz-sbom.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        return fuzz_sbom_one(sbom_parse_yocto_archive, SBOM_FORMAT_YOCTO_SPDX2_ARCHIVE, data, size);
}

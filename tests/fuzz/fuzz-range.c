/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The Range header parser against any bytes and file size: it must never
 * crash, and an OK result must lie inside the file (offset + length <= size,
 * length >= 1), whatever the header says.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "server/range.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        uint64_t file_size = 0;
        if (size >= 8) {
                memcpy(&file_size, data, 8);
                data += 8;
                size -= 8;
                if (file_size & 1)
                        file_size &= 0xffff; /* small files often: edges at 0 and 1 */
        }
        char *h = malloc(size + 1);
        if (!h)
                return 0;
        memcpy(h, data, size);
        h[size] = '\0';
        struct http_range r;
        if (http_range_parse(h, file_size, &r) == HTTP_RANGE_OK) {
                if (r.length == 0 || r.offset >= file_size || r.length > file_size - r.offset)
                        abort();
        }
        free(h);
        return 0;
}

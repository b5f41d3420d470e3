/* SPDX-License-Identifier: Apache-2.0 */
#include "request-id.h"

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>

#include "core/time.h"
#include "crypto/encoding.h"
#include "crypto/random.h"

void request_id_generate(char out[HTTP_REQUEST_ID_LEN + 1]) {
        uint8_t raw[HTTP_REQUEST_ID_LEN / 2];
        if (random_bytes(raw, sizeof(raw), NULL) == 0) {
                hex_encode(raw, sizeof(raw), out);
                return;
        }
        /* The id only correlates log lines; if the RNG ever fails (which shows
         * elsewhere soon enough) the monotonic clock still tells requests apart. */
        snprintf(out, HTTP_REQUEST_ID_LEN + 1, "%016" PRIx64, (uint64_t) time_monotonic_usec());
}

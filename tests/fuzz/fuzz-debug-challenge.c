/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The debug challenge parser (src/debug/token.h) against any bytes: never a
 * crash, never a read outside the input; a challenge that parses re-encodes to
 * exactly its input, and its scope names parse back to its scope.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "debug/token.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        struct debug_challenge c;
        if (debug_challenge_parse(data, size, &c) != DEBUG_OK)
                return 0;
        uint8_t buf[DEBUG_CHALLENGE_MAX];
        size_t len = 0;
        if (debug_challenge_encode(&c, buf, sizeof(buf), &len) != DEBUG_OK || len != size ||
            memcmp(buf, data, size) != 0)
                abort();
        char names[96];
        uint32_t back = 0;
        debug_scope_format(c.scope, names, sizeof(names));
        if (debug_scope_parse(names, &back) < 0 || back != c.scope)
                abort();
        return 0;
}

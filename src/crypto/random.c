/* SPDX-License-Identifier: Apache-2.0 */
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>

#include "crypto/random.h"

int random_bytes(void *out, size_t len, struct error *err) {
        int r;

        if (len == 0)
                return 0;
        /* GNUTLS_RND_KEY: the level meant for long-term keys and tokens. */
        r = gnutls_rnd(GNUTLS_RND_KEY, out, len);
        if (r < 0)
                return error_set(err, ERROR_CRYPTO, "cannot get %zu random bytes: %s", len,
                                 gnutls_strerror(r));
        return 0;
}

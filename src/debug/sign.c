/* SPDX-License-Identifier: Apache-2.0 */
/* Debug token signing (sign.h). */
#include <gnutls/gnutls.h>

#include "debug/anchor-gnutls.h"
#include "debug/sign.h"

int debug_token_sign(gnutls_privkey_t priv, gnutls_pubkey_t pub, const struct debug_token *t, uint8_t *buf,
                     size_t cap, size_t *len, struct error *err) {
        uint8_t key_id[DEBUG_KEY_ID_LEN];
        gnutls_sign_algorithm_t algo;
        struct debug_token tbs = *t;
        if (debug_sign_algorithm(pub, &algo, err) < 0 || debug_key_id(pub, key_id, err) < 0)
                return -1;
        tbs.key_id = (struct debug_bytes) { key_id, sizeof(key_id) };
        enum debug_status st = debug_token_encode_tbs(&tbs, buf, cap, len);
        if (st != DEBUG_OK)
                return error_set(err, ERROR_INVALID, "debug token: %s", debug_status_string(st));
        gnutls_datum_t data = { buf, (unsigned) *len }, sig = { NULL, 0 };
        int r = gnutls_privkey_sign_data2(priv, algo, 0, &data, &sig);
        if (r < 0)
                return error_set(err, ERROR_CRYPTO, "debug token: signing with the debug-auth key failed: %s",
                                 gnutls_strerror(r));
        st = debug_token_append_signature(buf, cap, len, sig.data, sig.size);
        gnutls_free(sig.data);
        if (st != DEBUG_OK)
                return error_set(err, ERROR_INTERNAL, "debug token: %s", debug_status_string(st));
        return 0;
}

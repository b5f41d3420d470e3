/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/*
 * The local CA that `cradled init` creates so the server speaks HTTPS from
 * the first start: an ECDSA P-256 CA (10 years) and a server certificate
 * (SAN: localhost, 127.0.0.1, ::1 and any extra names; 2 years).
 * Keys are written 0600, certificates 0644, all atomically.
 */
#include "core/error.h"

struct pki_localca_paths {
        const char *ca_cert, *ca_key;
        const char *server_cert, *server_key;
};

int pki_localca_create(const struct pki_localca_paths *paths, const char *const *extra_names,
                       struct error *err);

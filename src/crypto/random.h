/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
#include <stddef.h>
#include "core/error.h"
/* Key-grade randomness from GnuTLS (gnutls_rnd GNUTLS_RND_KEY). */
int random_bytes(void *out, size_t len, struct error *err);

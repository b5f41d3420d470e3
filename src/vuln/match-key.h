/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/* The lookup keys of parsed identifiers (see vuln_ident_match_key in match.h). */
#include "vuln/cpe.h"
#include "vuln/purl.h"

/* "type/namespace/name" lowercased; a distribution package with a syft-style
 * `upstream` qualifier is keyed by its source package. Caller frees. */
char *vuln_purl_key(const struct purl *p);
/* "vendor:product", or NULL for a '*'/'-'/wildcard vendor or product. */
char *vuln_cpe_key(const struct cpe *c);

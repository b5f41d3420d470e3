/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/*
 * CPE names (NISTIR 7695, CPE Naming 2.3) in both bindings, the 2.3
 * formatted string ("cpe:2.3:a:vendor:product:version:...", 13 components,
 * backslash quoting) and the 2.2 URI ("cpe:/a:vendor:product:version:update:
 * edition:language", percent-encoding, '~'-packed edition), unbound into one
 * well-formed name (WFN) of eleven attributes.
 *
 * Values are lowercased (CPE matching is case-insensitive) and held unquoted
 * ("1.0+git", not "1\.0\+git"). A value that carries a wildcard ('*' or '?'
 * at its start or end, 2.2's %01/%02) keeps NISTIR 7695's quoted form with
 * `wild` set, so a literal '*' stays distinguishable from a wildcard.
 *
 * One deliberate leniency: an unquoted punctuation character inside a 2.3
 * value ("1.0+git") is taken literally and flagged in `unquoted`, because
 * Yocto's cve-check and create-spdx write versions without quoting; refusing
 * them would leave exactly the components an embedded SBOM has unmatched.
 */
#include <stdbool.h>
#include <stddef.h>

#include "core/error.h"

#define CPE_MAX_LEN 1024

enum cpe_field {
        CPE_PART = 0,
        CPE_VENDOR,
        CPE_PRODUCT,
        CPE_VERSION,
        CPE_UPDATE,
        CPE_EDITION,
        CPE_LANGUAGE,
        CPE_SW_EDITION,
        CPE_TARGET_SW,
        CPE_TARGET_HW,
        CPE_OTHER,
        CPE_NFIELDS,
};

enum cpe_av {
        CPE_AV_ANY = 0,                 /* '*' (2.3), empty (2.2): any value */
        CPE_AV_NA,                      /* '-': not applicable, no value */
        CPE_AV_VALUE,
};

struct cpe_attr {
        enum cpe_av kind;
        char *value;                    /* CPE_AV_VALUE only */
        bool wild;                      /* value holds unquoted '*'/'?' wildcards (quoted form) */
};

struct cpe {
        int binding;                    /* 22 or 23: which form it was written in */
        bool unquoted;                  /* a 2.3 value had unquoted punctuation (accepted) */
        struct cpe_attr a[CPE_NFIELDS];
};

/* Parses either binding into *c (zeroed first). Returns 0, or -1 with err
 * naming the CPE, the component and the fault. */
int cpe_parse(const char *s, struct cpe *c, struct error *err);
void cpe_free(struct cpe *c);

const char *cpe_field_name(enum cpe_field f);   /* "part", "vendor", ... */

/* The attribute as text for messages: "*", "-" or the value. */
const char *cpe_attr_text(const struct cpe_attr *a);

/* Does `pattern` (a criteria attribute, may be ANY or hold wildcards) match
 * the literal `value`? Used for the attributes other than vendor, product and
 * version; those have their own rules in the matcher. */
bool cpe_attr_matches(const struct cpe_attr *pattern, const struct cpe_attr *value);

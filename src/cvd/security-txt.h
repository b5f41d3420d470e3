/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/*
 * /.well-known/security.txt (RFC 9116), generated from [cvd] of
 * cradled.conf. cvd_security_txt_check enforces the RFC's rules on the
 * settings, so cradled refuses at startup a configuration that would serve
 * an invalid file: at least one Contact (mailto:, https:// or tel: URIs; the
 * default is the intake form itself), exactly one Expires that is in the
 * future and less than a year ahead (a fixed RFC 3339 time, or a validity
 * period counted from each request), https:// URLs for Policy,
 * Acknowledgments and Encryption (or an openpgp4fpr: URI), language tags in
 * Preferred-Languages. Canonical is always <base URL>/.well-known/security.txt,
 * the URL it is served at, so the two cannot disagree; CSAF: names the
 * provider metadata under the same base.
 */
#include <stdbool.h>
#include <stdint.h>

#include "core/error.h"

#define CVD_SECURITY_TXT_PATH "/.well-known/security.txt"
#define CVD_CSAF_METADATA_PATH "/.well-known/csaf/provider-metadata.json"
#define CVD_REPORT_PATH "/cvd/report"
#define CVD_KEY_PATH "/cvd/openpgp-key.asc"
#define CVD_YEAR_SECONDS (365 * 86400)

struct cvd_security_txt {
        const char *contact;             /* comma-separated URIs; "" = <base>/cvd/report */
        const char *expires;             /* RFC 3339; "" = now + validity */
        int64_t validity;                /* seconds, when expires is "" */
        const char *policy;              /* "" = none */
        const char *preferred_languages; /* "en, de"; "" = none */
        const char *encryption;          /* "" = the contact key's URL when one is installed, else none */
        const char *acknowledgments;     /* "" = none */
        bool csaf;                       /* a CSAF: line */
};

/* The rules above, at time now. Errors name the key ("[cvd] expires: ..."). */
int cvd_security_txt_check(const struct cvd_security_txt *c, int64_t now, struct error *err);
/* The file for base_url ("https://host[:port]", no trailing slash) at time
 * now; key_installed: a contact key is served at CVD_KEY_PATH. Heap. */
char *cvd_security_txt_render(const struct cvd_security_txt *c, const char *base_url, bool key_installed,
                              int64_t now);
/* "https://host[:port]" without a path, query, blanks or trailing slash. */
int cvd_base_url_check(const char *url, struct error *err);

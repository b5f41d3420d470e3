/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/* The scheme comparators behind vuln_version_compare (version.c). Each
 * returns 0 with *cmp set, or -1 with err naming the version and the fault.
 * Inputs are non-NULL, NUL-terminated and within VULN_VERSION_MAX_LEN. */
#include <stddef.h>

#include "core/error.h"
#include "vuln/version.h"

int vuln_version_cmp_generic(const char *a, const char *b, int *cmp, struct error *err);
int vuln_version_cmp_semver(const char *a, const char *b, int *cmp, struct error *err);
int vuln_version_cmp_npm(const char *a, const char *b, int *cmp, struct error *err);
int vuln_version_cmp_go(const char *a, const char *b, int *cmp, struct error *err);
int vuln_version_cmp_debian(const char *a, const char *b, int *cmp, struct error *err);
int vuln_version_cmp_rpm(const char *a, const char *b, int *cmp, struct error *err);
int vuln_version_cmp_pep440(const char *a, const char *b, int *cmp, struct error *err);
int vuln_version_cmp_maven(const char *a, const char *b, int *cmp, struct error *err);
int vuln_version_cmp_alpine(const char *a, const char *b, int *cmp, struct error *err);

/* Compares two runs of decimal digits by value (any length, no overflow). */
int vuln_digits_cmp(const char *a, size_t alen, const char *b, size_t blen);

#define VERSION_FAIL(err, scheme, v, ...)                                                          \
        do {                                                                                       \
                char shown_[80];                                                                   \
                str_sanitize((v), strlen(v), shown_, sizeof shown_);                               \
                _cleanup_free_ char *why_ = str_printf(__VA_ARGS__);                               \
                return error_set((err), ERROR_INVALID, "%s version \"%s\": %s", (scheme), shown_, why_); \
        } while (0)

/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/*
 * A sortable key for a firmware version string, so that "installed version
 * in [min, below)" is one byte-wise comparison in SQL on every backend.
 *
 * The comparison ("semver-ish dotted numeric", docs/campaigns.md):
 *  - An optional leading 'v' is ignored. The leading run of dot-separated
 *    decimal numbers is compared number by number ("1.10" > "1.9"); leading
 *    zeros do not count and trailing ".0" components do not count
 *    ("1.2" == "1.2.0" == "01.2").
 *  - After the numbers, "-TEXT" is a pre-release: lower than the same
 *    numbers without it ("1.2.0-rc1" < "1.2.0"); pre-releases compare
 *    byte-wise among themselves. "+BUILD" is ignored. Any other tail
 *    ("1.2p1") sorts above the bare numbers, byte-wise among itself.
 *  - Fallback: a version that does not start with a number (or has a
 *    component longer than 18 digits, or more than 16 components) sorts
 *    above every numeric version, byte-wise among such versions.
 * The vulnerability work brings real per-ecosystem version schemes; this key
 * is the campaign selector's scheme only.
 */
#include <stddef.h>

#define VERSION_KEY_MAX 512

/* Writes the key of `version` (NUL-terminated) into out[size]; returns the
 * key's length, or 0 when `version` is empty or the key does not fit. */
size_t version_sort_key(const char *version, char *out, size_t size);

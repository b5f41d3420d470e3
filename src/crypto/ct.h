/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
#include <stdbool.h>
#include <stddef.h>
/* Constant-time equality: the time taken depends only on len. */
bool ct_equal(const void *a, const void *b, size_t len);
/* Overwrites memory in a way the compiler may not elide. */
void ct_wipe(void *p, size_t len);

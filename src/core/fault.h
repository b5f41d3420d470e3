/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/*
 * Fault injection for tests (docs/architecture.md, Tests). Compiled in only
 * when the build defines CRADLE_FAULT_INJECTION (meson option
 * fault_injection: on for -Dtests=enabled builds that are not release
 * builds); otherwise fault_point is an inline no-op.
 *
 * The environment variable CRADLE_FAULT="<point>:<action>" arms one named
 * point in the process:
 *   fail    fault_point returns -1 with an ERROR_DB error ("injected failure"),
 *           as a failing database commit would;
 *   enospc  it returns -1 with an ERROR_IO error for ENOSPC, as a full disk;
 *   exit    the process dies on the spot (_exit(FAULT_EXIT_STATUS)), as a
 *           crash or a power cut between two steps would leave it;
 *   sleep   fault_point waits one second and returns 0: it widens a race
 *           window so a test can land in it every time.
 */
#include "core/error.h"

#define FAULT_EXIT_STATUS 86

#ifdef CRADLE_FAULT_INJECTION
int fault_point(const char *point, struct error *err);
#else
static inline int fault_point(const char *point, struct error *err) {
        (void) point;
        (void) err;
        return 0;
}
#endif

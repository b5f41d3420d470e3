/* SPDX-License-Identifier: Apache-2.0 */
#include "core/fault.h"

#ifdef CRADLE_FAULT_INJECTION
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/log.h"
#include "core/strutil.h"

int fault_point(const char *point, struct error *err) {
        const char *spec = getenv("CRADLE_FAULT");
        size_t n = strlen(point);
        if (!spec || strncmp(spec, point, n) != 0 || spec[n] != ':')
                return 0;
        const char *action = spec + n + 1;
        if (str_eq(action, "exit")) {
                log_warn("fault injection: the process dies at %s", point);
                _exit(FAULT_EXIT_STATUS);
        }
        if (str_eq(action, "enospc"))
                return error_set_errno(err, ERROR_IO, ENOSPC, "%s: injected fault", point);
        if (str_eq(action, "sleep")) {
                log_warn("fault injection: one second's pause at %s", point);
                sleep(1);
                return 0;
        }
        if (str_eq(action, "fail"))
                return error_set(err, ERROR_DB, "%s: injected failure", point);
        return 0;
}
#else
/* ISO C wants at least one declaration in a translation unit. */
typedef int fault_injection_disabled;
#endif

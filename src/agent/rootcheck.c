/* SPDX-License-Identifier: Apache-2.0 */
#include "agent/rootcheck.h"

#include <inttypes.h>
#include <stdio.h>

#include "core/cleanup.h"
#include "core/strutil.h"
#include "tuf/keysep.h"

int agent_root_check(const struct agent_root_rules *rules, const char *name, const struct tuf_metadata *current,
                     const struct tuf_metadata *root, struct error *err) {
        _cleanup_free_ char *what = str_printf("%s %s (version %" PRId64 ")", rules->side, name, root->version);

        /* 1. The cross-repository rule first: it is what stops a root of one
         * repository from being accepted as a root of the other. */
        if (rules->other) {
                _cleanup_free_ char *other = str_printf("the trusted %s root (version %" PRId64 ")",
                                                        rules->other_side, rules->other->version);
                if (tuf_root_check_disjoint(what, root, other, rules->other, err) < 0)
                        return -1;
        }
        /* 2. Online keys never hold offline power. */
        if (tuf_root_check_role_separation(what, root, rules->offline_roles, err) < 0)
                return -1;
        /* 3. The root's own statement of its repository; once the trusted
         * root makes it, no later root may drop it. */
        return tuf_root_check_repository(what, root, rules->repository,
                                         current && current->root.repository != NULL, err);
}

int agent_root_check_hook(void *ud, const char *name, const struct tuf_metadata *current,
                          const struct tuf_metadata *next, struct error *err) {
        return agent_root_check(ud, name, current, next, err);
}

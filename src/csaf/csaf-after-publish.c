/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The step after a CSAF publication (csaf-publish.h): the hook where the
 * notification list of affected users (issue 10 section 6, CRA Art. 14(8))
 * is produced from the published advisory. Until that stream lands there
 * is nothing to do after a publication; the call site and its error
 * handling (logged, reported, the publication stands) are in place.
 */
#include "csaf/csaf-publish.h"

int csaf_after_publish(struct store *s, const struct audit_actor *actor, const struct csaf_published *p,
                       struct error *err) {
        (void) s;
        (void) actor;
        (void) p;
        (void) err;
        return 0;
}

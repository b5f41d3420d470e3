/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The step after a CSAF publication (csaf-publish.h), for work that must
 * follow every publication; its error is logged and reported, and the
 * publication stands. Nothing needs it today: the notification list of
 * impacted users (CRA Art. 14(8)) is sent only when the publisher asks
 * (`"notify": true`, src/server/routes-csaf.c), because it needs the
 * server's webhook, which this layer does not know.
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

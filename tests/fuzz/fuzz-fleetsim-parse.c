/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cradle-fleetsim's parsers of server answers (tools/fleetsim/parse.h) on
 * arbitrary bytes. Beyond "no crash", it checks what the simulator relies on:
 * every string it keeps is NUL-terminated within its limit and free of
 * control characters.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_str(const char *s, size_t max) {
        size_t n = strnlen(s, max + 1);
        if (n > max)
                abort();
        for (size_t i = 0; i < n; i++)
                if ((unsigned char) s[i] < 0x20 || s[i] == 0x7f)
                        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        const char *b = (const char *) data;
        struct error err = { 0 };
        struct fleetsim_offer o;
        struct fleetsim_ddi_base base;
        struct fleetsim_ddi_deployment dep;
        char v[FLEETSIM_VERSION_MAX + 1], id[FLEETSIM_ACTION_ID_MAX + 1], stop[FLEETSIM_ACTION_ID_MAX + 1];
        int64_t a, c;

        fleetsim_parse_tuf_version(b, size, &a, &err);
        if (fleetsim_parse_director_targets(b, size, &o, &err) == 0 && o.available) {
                check_str(o.release, FLEETSIM_VERSION_MAX);
                if (!o.release[0] || !o.path[0] || o.length < 0)
                        abort();
        }
        fleetsim_parse_timestamp(b, size, &a, &c, &err);
        fleetsim_parse_snapshot(b, size, &a, &err);
        if (fleetsim_parse_whoami(b, size, v, &a, &err) == 0)
                check_str(v, FLEETSIM_VERSION_MAX);
        if (fleetsim_ddi_parse_base(b, size, &base, &err) == 0) {
                check_str(base.deployment, FLEETSIM_HREF_MAX);
                check_str(base.cancel, FLEETSIM_HREF_MAX);
        }
        if (fleetsim_ddi_parse_deployment(b, size, &dep, &err) == 0) {
                check_str(dep.version, FLEETSIM_VERSION_MAX);
                check_str(dep.artifact, FLEETSIM_HREF_MAX);
                if (!dep.version[0] || !dep.id[0])
                        abort();
        }
        if (fleetsim_ddi_parse_cancel(b, size, id, stop, &err) == 0) {
                check_str(id, FLEETSIM_ACTION_ID_MAX);
                check_str(stop, FLEETSIM_ACTION_ID_MAX);
        }
        /* NUL-terminated copies for the string parser. */
        if (size < 64) {
                char s[64];
                memcpy(s, data, size);
                s[size] = '\0';
                fleetsim_ddi_parse_sleep(s);
        }
        return 0;
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * vuln_match_entry over arbitrary JSON: the input is
 *   {"kind": "purl"|"cpe", "entry": ANY, "component": {"name", "version", "purls": [...], "cpes": [...]}}
 * (anything else is used as an entry of both kinds against fixed components).
 * Never a crash; success always carries an explanation naming its result,
 * failure always a message.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "vuln/match.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void run(const struct vuln_component *c, const char *kind, const json_t *entry) {
        enum vuln_match_result r;
        json_t *expl = NULL;
        struct error err = {0};
        if (vuln_match_entry(c, kind, entry, &r, &expl, &err) == 0) {
                if (!expl) abort();
                const char *name = json_string_value(json_object_get(expl, "result"));
                if (!name || strcmp(name, vuln_match_result_name(r)) != 0) abort();
                json_decref(expl);
        } else if (expl || !err.msg[0]) {
                abort();
        }
}

static size_t strings(const json_t *arr, const char **out, size_t max) {
        size_t n = 0;
        for (size_t i = 0; i < json_array_size(arr) && n < max; i++) {
                const char *s = json_string_value(json_array_get(arr, i));
                if (s) out[n++] = s;
        }
        return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        json_t *j = json_loadb((const char *) data, size, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, NULL);
        if (!j) return 0;
        const json_t *comp = json_object_get(j, "component");
        const json_t *entry = json_object_get(j, "entry");
        const char *kind = json_string_value(json_object_get(j, "kind"));
        if (json_is_object(comp) && entry) {
                const char *purls[8], *cpes[8];
                struct vuln_component c = {
                        .name = json_string_value(json_object_get(comp, "name")),
                        .version = json_string_value(json_object_get(comp, "version")),
                        .purls = purls,
                        .cpes = cpes,
                };
                c.npurls = strings(json_object_get(comp, "purls"), purls, 8);
                c.ncpes = strings(json_object_get(comp, "cpes"), cpes, 8);
                run(&c, kind ? kind : "purl", entry);
        } else {
                static const char *const p[] = {"pkg:deb/debian/openssl@3.0.11-1~deb12u1?distro=debian-12"};
                static const char *const cp[] = {"cpe:2.3:a:openssl:openssl:1.1.1k:*:*:*:*:*:*:*"};
                struct vuln_component a = {"openssl", "1.1.1k", NULL, 0, cp, 1};
                struct vuln_component b = {"openssl", NULL, p, 1, NULL, 0};
                struct vuln_component n = {"curl", "8.3.0", NULL, 0, NULL, 0};
                run(&a, "cpe", j);
                run(&b, "purl", j);
                run(&n, "cpe", j);
                run(&n, "purl", j);
        }
        json_decref(j);
        return 0;
}

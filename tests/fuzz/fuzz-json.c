/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The JSON entry points on arbitrary bytes: the limited parser, the field
 * checker and canonical JSON. Beyond "no crash", it checks one property:
 * canonical JSON depends only on the value, so serialising and re-parsing a
 * document must not change its canonical form; and a second one:
 * cr_json_dump writes exactly what jansson's json_dumps writes.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/cleanup.h"
#include "core/json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct cr_json_field fields[] = {
        { "name", CR_JSON_STRING, true, 64, false },
        { "count", CR_JSON_INTEGER, false, 0, false },
        { "enabled", CR_JSON_BOOL, false, 0, false },
        { "tags", CR_JSON_STRING_ARRAY, false, 8, false },
        { "meta", CR_JSON_OBJECT, false, 0, true },
        { "list", CR_JSON_ARRAY, false, 0, false },
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        _cleanup_json_ json_t *j = NULL, *again = NULL;
        _cleanup_free_ char *canon = NULL, *canon2 = NULL, *dump = NULL;
        struct error err = { 0 };
        size_t len, len2;

        j = cr_json_parse("fuzz input", (const char *) data, size, 64 * 1024, 16, &err);
        if (!j) {
                if (!err.msg[0])
                        abort();
                return 0;
        }

        (void) cr_json_check_object("fuzz input", j, fields, ELEMENTSOF(fields), &err);
        (void) cr_json_get_string(j, "name");
        (void) cr_json_get_int(j, "count", 0);

        /* cr_json_dump writes jansson's text byte for byte (json-dump.c). */
        _cleanup_free_ char *ours = cr_json_dump(j);
        _cleanup_free_ char *theirs = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
        if (!theirs || strcmp(ours, theirs) != 0)
                abort();

        canon = cr_json_canonical(j, &len, &err);
        if (!canon)
                return 0; /* reals are refused */

        dump = cr_json_dump(j);
        again = cr_json_parse("dump", dump, strlen(dump), SIZE_MAX, 16, &err);
        if (!again)
                abort();
        canon2 = cr_json_canonical(again, &len2, &err);
        if (!canon2 || len != len2 || memcmp(canon, canon2, len) != 0)
                abort();
        return 0;
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The streaming JSON splitter (vuln/json-stream.h) alone: the first byte
 * picks the streamed key's shape (a top-level array, or the member
 * "vulnerabilities"), the rest is the document. Small limits, so the size
 * and depth checks are reached. Every element handed over must be an
 * object; a refusal must carry a message.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "vuln/json-stream.h"

static int on_element(void *user, json_t *el, size_t index, struct error *err) {
        (void) user;
        (void) index;
        (void) err;
        if (!json_is_object(el))
                abort();
        return 0;
}

static int on_member(void *user, const char *key, json_t *v, struct error *err) {
        (void) user;
        (void) err;
        if (!key || !v)
                abort();
        return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        if (size < 1)
                return 0;
        FILE *f = fmemopen((void *) (data + 1), size - 1, "r");
        if (!f)
                return 0;
        struct vuln_json_stream_limits lim = {.max_element = 4096, .max_member = 1024, .max_depth = 16,
                                              .max_elements = 64};
        struct vuln_json_stream_ops ops = {.array_key = (data[0] & 1) ? NULL : "vulnerabilities",
                                           .on_member = on_member, .on_element = on_element};
        struct error err = {0};
        if (vuln_json_stream("fuzz", f, &lim, &ops, NULL, &err) < 0 && !err.msg[0])
                abort();
        fclose(f);
        return 0;
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The CVD intake's form parser (src/cvd/form.c) against any bytes: it must
 * never crash or read past the body, and whatever it accepts holds only what
 * its contract promises (names of [a-z0-9_], values of valid UTF-8 without
 * control characters other than TAB, CR and LF, no name twice). Each
 * accepted value also goes through the HTML escaping, whose output must
 * never hold a raw '<', '>', '"' or '\''.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/strutil.h"
#include "cvd/form.h"
#include "cvd/html.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        char *body = malloc(size ? size : 1); /* exact size: a read past the end is ASan's */
        if (!body)
                return 0;
        if (size)
                memcpy(body, data, size);
        struct cvd_form f;
        if (cvd_form_parse(body, size, &f, NULL) == 0) {
                for (size_t i = 0; i < f.n; i++) {
                        const struct cvd_form_field *x = &f.fields[i];
                        if (!cvd_utf8_valid(x->value, x->value_len) || strlen(x->value) != x->value_len)
                                abort();
                        for (size_t k = 0; k < x->value_len; k++) {
                                unsigned char c = (unsigned char) x->value[k];
                                if ((c < 0x20 && c != '\t' && c != '\r' && c != '\n') || c == 0x7f)
                                        abort();
                        }
                        for (size_t j = 0; j < i; j++)
                                if (strcmp(f.fields[j].name, x->name) == 0)
                                        abort();
                        struct buf b = {0};
                        cvd_html_escape(&b, x->value);
                        char *e = buf_steal(&b);
                        if (strpbrk(e, "<>\"'"))
                                abort();
                        free(e);
                }
        }
        cvd_form_clear(&f);
        free(body);
        return 0;
}

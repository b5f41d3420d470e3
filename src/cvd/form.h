/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/*
 * A strict parser of application/x-www-form-urlencoded bodies (the WHATWG
 * URL standard's serialisation, as a browser sends an HTML form), for the
 * public CVD intake. Outside input: everything is bounded and every way the
 * body can be wrong is refused with a message naming the field:
 *   - the body is at most CVD_FORM_BODY_MAX bytes and has at most
 *     CVD_FORM_FIELDS_MAX fields;
 *   - a name is 1..CVD_FORM_NAME_MAX characters of [a-z0-9_] (our own
 *     forms' names; anything else is not from them);
 *   - '+' is a space, "%XY" must be two hex digits, a bare '%' is refused;
 *   - a decoded value must be valid UTF-8 (no overlong forms, no surrogates,
 *     nothing above U+10FFFF) and has no NUL and no control character
 *     except TAB, CR and LF;
 *   - a name given twice is refused (no "which one wins" ambiguity).
 */
#include <stdbool.h>
#include <stddef.h>

#include "core/error.h"

#define CVD_FORM_BODY_MAX (1024 * 1024)
#define CVD_FORM_FIELDS_MAX 16
#define CVD_FORM_NAME_MAX 32

struct cvd_form_field {
        char *name;
        char *value; /* decoded, NUL-terminated UTF-8 */
        size_t value_len;
};

struct cvd_form {
        struct cvd_form_field fields[CVD_FORM_FIELDS_MAX];
        size_t n;
};

/* Parses body[0..len) into *out (cleared first; free with cvd_form_clear
 * even on failure). ERROR_TOO_LARGE over the limits, ERROR_INVALID else. */
int cvd_form_parse(const char *body, size_t len, struct cvd_form *out, struct error *err);
void cvd_form_clear(struct cvd_form *f);
/* The value of a field, or NULL when absent. */
const char *cvd_form_get(const struct cvd_form *f, const char *name);

/* True when s[0..len) is valid UTF-8 (RFC 3629: shortest form only, no
 * surrogates, at most U+10FFFF). */
bool cvd_utf8_valid(const char *s, size_t len);

/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/* Helpers shared by the VEX parsers and renderers (never included outside src/vex/). */
#include <stdbool.h>

#include "vex/vex.h"

/* Reads obj[key] as a string of at most `max` bytes. Absent (or null): *out
 * NULL, an error only when `required`. Another type, a NUL or an oversized
 * string: ERROR_INVALID naming "<what>: <where>.<key>". */
int vex_get_str(const char *what, const char *where, json_t *obj, const char *key, bool required, size_t max,
                const char **out, struct error *err);
/* Reads obj[key] as an array of at most `max` elements (absent: *out NULL,
 * an error only when `required`; empty counts as absent when required). */
int vex_get_array(const char *what, const char *where, json_t *obj, const char *key, bool required, size_t max,
                  json_t **out, struct error *err);
/* obj[key] as an object, or NULL (an error when present and not an object). */
int vex_get_object(const char *what, const char *where, json_t *obj, const char *key, bool required,
                   json_t **out, struct error *err);

struct vex_statement *vex_doc_add_statement(struct vex_document *d, const char *where_fmt, ...)
        __attribute__((format(printf, 2, 3)));
void vex_statement_add_alias(struct vex_statement *st, const char *alias);
struct vex_product *vex_statement_add_product(struct vex_statement *st, const char *ref, const char *purl,
                                              const char *cpe);
void vex_statement_free(struct vex_statement *st);

/* The checks every format's statements share: a product, a justification
 * for not_affected, an action for affected, text within limits. */
int vex_statement_check(const char *what, const struct vex_statement *st, struct error *err);

/* The CVSS version of a vector: "3.1", "3.0", "4.0", "2.0" (a vector
 * without a "CVSS:" prefix), or NULL when it is none of these. */
const char *vex_cvss_version(const char *vector);

/* Formats a place in the document ("vulnerabilities[2].affects[0]") into
 * out, cut if it does not fit (a message stays readable). */
void vex_where(char *out, size_t n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* A quoted, printable copy of outside text for messages. */
#define VEX_SAFE(buf, s) (str_sanitize((s) ? (s) : "", (s) ? strlen(s) : 0, (buf), sizeof(buf)), (buf))

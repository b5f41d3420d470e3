/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/*
 * PROVISIONAL (until fix/vmatch's vuln_match_entry is merged): a matcher
 * double that decides an OSV entry by its `versions` list alone, so the
 * engine's tests do not depend on range semantics. Remove at merge.
 */
#include <jansson.h>
#include <string.h>
#include <strings.h>

#include "vuln/match.h"

const char *vuln_match_result_name(enum vuln_match_result r) {
        static const char *const n[] = {"no", "purl", "cpe", "name", "unevaluable"};
        return (unsigned) r < 5 ? n[r] : "no";
}

int vuln_match_entry(const struct vuln_component *c, const char *kind, const json_t *entry,
                     enum vuln_match_result *result, json_t **explanation, struct error *err) {
        (void) kind;
        *result = VULN_MATCH_NO;
        json_t *pkg = json_object_get(entry, "package");
        const char *purl = json_string_value(json_object_get(pkg, "purl"));
        const char *name = json_string_value(json_object_get(pkg, "name"));
        if (!purl || !name)
                return error_set(err, ERROR_INVALID, "entry without package");
        bool in = false;
        size_t i;
        json_t *v;
        json_array_foreach(json_object_get(entry, "versions"), i, v)
                if (c->version && strcmp(json_string_value(v), c->version) == 0)
                        in = true;
        for (size_t k = 0; k < c->npurls; k++)
                if (strncmp(c->purls[k], purl, strlen(purl)) == 0 && c->purls[k][strlen(purl)] == '@' && in)
                        *result = VULN_MATCH_PURL;
        if (!c->npurls && !c->ncpes && strcasecmp(c->name, name) == 0 && in)
                *result = VULN_MATCH_NAME;
        *explanation = json_pack("{s:s}", "double", vuln_match_result_name(*result));
        return 0;
}

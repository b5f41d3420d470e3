/* SPDX-License-Identifier: Apache-2.0 */
/* Lookup keys of affected entries (affected.h). */
#include "vuln/affected.h"

#include <stdlib.h>
#include <string.h>

#include "core/cleanup.h"
#include "core/strutil.h"
#include "vuln/match.h"

static void add_pair(json_t *keys, const char *match_key, const char *name_key) {
        size_t i;
        json_t *p;
        json_array_foreach(keys, i, p) if (strcmp(json_string_value(json_array_get(p, 0)), match_key) == 0) return;
        json_array_append_new(keys, json_pack("[s, s]", match_key, name_key));
}

static int purl_keys(json_t *data, json_t *keys, struct error *err) {
        json_t *pkg = json_object_get(data, "package");
        if (!json_is_object(pkg))
                return 0; /* a GIT-only entry: nothing to look it up by */
        const char *purl = json_string_value(json_object_get(pkg, "purl"));
        const char *name = json_string_value(json_object_get(pkg, "name"));
        const char *eco = json_string_value(json_object_get(pkg, "ecosystem"));
        _cleanup_free_ char *key = NULL;
        if (vuln_osv_package_match_key(eco, name, purl, &key, err) < 0)
                return -1;
        if (!key) {
                /* an ecosystem without a purl type (Linux, OSS-Fuzz): found by
                 * its name only, so the match key stays empty */
                if (!name || !*name)
                        return 0;
                key = str_dup("");
        }
        /* the name key: the package name, else the key's last segment */
        const char *last = strrchr(key, '/');
        _cleanup_free_ char *nk = vuln_name_match_key(name && *name ? name : last ? last + 1 : key);
        add_pair(keys, key, nk);
        return 0;
}

static int cpe_node_keys(json_t *node, json_t *keys, int depth, struct error *err) {
        if (depth > 8)
                return error_set(err, ERROR_INVALID, "configuration nests deeper than 8");
        json_t *matches = json_object_get(node, "cpeMatch");
        size_t i;
        json_t *m;
        json_array_foreach(matches, i, m) {
                if (!json_is_true(json_object_get(m, "vulnerable")))
                        continue;
                const char *criteria = json_string_value(json_object_get(m, "criteria"));
                if (!criteria)
                        return error_set(err, ERROR_INVALID, "cpeMatch without criteria");
                _cleanup_free_ char *key = NULL;
                if (vuln_ident_match_key("cpe", criteria, &key, err) < 0)
                        return -1;
                if (!key)
                        continue; /* a '*' vendor or product: never looked up */
                const char *colon = strchr(key, ':');
                _cleanup_free_ char *nk = vuln_name_match_key(colon ? colon + 1 : key);
                add_pair(keys, key, nk);
        }
        json_t *children = json_object_get(node, "children");
        json_array_foreach(children, i, m) if (cpe_node_keys(m, keys, depth + 1, err) < 0) return -1;
        return 0;
}

int vuln_affected_keys(const char *kind, json_t *data, json_t **keys, struct error *err) {
        *keys = json_array();
        if (!json_is_object(data))
                return error_set(err, ERROR_INVALID, "affected entry: expected an object");
        if (str_eq(kind, "purl"))
                return purl_keys(data, *keys, err);
        if (str_eq(kind, "cpe")) {
                size_t i;
                json_t *node;
                json_array_foreach(json_object_get(data, "nodes"), i, node) if (cpe_node_keys(node, *keys, 0, err) <
                                                                                 0) return -1;
                return 0;
        }
        return error_set(err, ERROR_INVALID, "affected entry: unknown kind '%s'", kind ? kind : "");
}

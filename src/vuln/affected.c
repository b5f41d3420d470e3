/* SPDX-License-Identifier: Apache-2.0 */
/* Lookup keys of affected entries (affected.h). */
#include "vuln/affected.h"

#include <stdlib.h>
#include <string.h>

#include "core/cleanup.h"
#include "core/strutil.h"
#include "vuln/match.h"

/* OSV ecosystem -> purl type and namespace (the purl spec's types; the
 * namespace is the distribution for Linux distributions). The part of the
 * ecosystem after ':' (a release, "Debian:12") is not part of the key. */
static const struct {
        const char *ecosystem, *type, *ns;
} ecosystems[] = {
        {"npm", "npm", NULL}, {"PyPI", "pypi", NULL}, {"Go", "golang", NULL}, {"Maven", "maven", NULL},
        {"crates.io", "cargo", NULL}, {"RubyGems", "gem", NULL}, {"NuGet", "nuget", NULL},
        {"Packagist", "composer", NULL}, {"Hex", "hex", NULL}, {"Pub", "pub", NULL},
        {"Hackage", "hackage", NULL}, {"CRAN", "cran", NULL}, {"SwiftURL", "swift", NULL},
        {"Debian", "deb", "debian"}, {"Ubuntu", "deb", "ubuntu"}, {"Alpine", "apk", "alpine"},
        {"Alpaquita", "apk", "alpaquita"}, {"Wolfi", "apk", "wolfi"}, {"Chainguard", "apk", "chainguard"},
        {"Rocky Linux", "rpm", "rocky-linux"}, {"AlmaLinux", "rpm", "almalinux"}, {"Red Hat", "rpm", "redhat"},
        {"openSUSE", "rpm", "opensuse"}, {"SUSE", "rpm", "suse"}, {"Mageia", "rpm", "mageia"},
        {"openEuler", "rpm", "openeuler"}, {"Photon OS", "rpm", "photon"}, {"Azure Linux", "rpm", "azure-linux"},
        {"Bitnami", "bitnami", NULL}, {"conan", "conan", NULL}, {"ConanCenter", "conan", NULL},
};

static void append_encoded(struct buf *b, const char *s, size_t n) {
        /* a purl segment: '@', '?', '#', '%' and spaces percent-encoded */
        for (size_t i = 0; i < n; i++) {
                unsigned char c = (unsigned char) s[i];
                if (c == '@' || c == '?' || c == '#' || c == '%' || c == ' ' || c < 0x20 || c >= 0x7f)
                        buf_appendf(b, "%%%02X", c);
                else
                        buf_append(b, &s[i], 1);
        }
}

char *vuln_affected_osv_purl(const char *ecosystem, const char *name) {
        if (!name || !*name)
                return NULL;
        size_t elen = ecosystem ? strcspn(ecosystem, ":") : 0;
        const char *type = "generic", *ns = NULL;
        for (size_t i = 0; i < ELEMENTSOF(ecosystems); i++)
                if (ecosystem && strlen(ecosystems[i].ecosystem) == elen &&
                    strncmp(ecosystems[i].ecosystem, ecosystem, elen) == 0) {
                        type = ecosystems[i].type;
                        ns = ecosystems[i].ns;
                        break;
                }
        struct buf b = {0};
        buf_appendf(&b, "pkg:%s/", type);
        if (ns)
                buf_appendf(&b, "%s/", ns);
        if (strcmp(type, "maven") == 0 && strchr(name, ':')) {
                /* Maven "group:artifact" -> namespace group, name artifact */
                const char *colon = strchr(name, ':');
                append_encoded(&b, name, (size_t) (colon - name));
                buf_append(&b, "/", 1);
                append_encoded(&b, colon + 1, strlen(colon + 1));
        } else if (strcmp(type, "generic") == 0) {
                append_encoded(&b, name, strlen(name));
        } else {
                /* Go module paths, npm scopes and Packagist vendors are
                 * namespace/name already; keep their slashes */
                const char *p = name;
                while (*p) {
                        size_t n = strcspn(p, "/");
                        append_encoded(&b, p, n);
                        p += n;
                        if (*p == '/') {
                                buf_append(&b, "/", 1);
                                p++;
                        }
                }
        }
        return buf_steal(&b);
}

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
        _cleanup_free_ char *derived = NULL;
        if (!purl) {
                derived = vuln_affected_osv_purl(json_string_value(json_object_get(pkg, "ecosystem")), name);
                purl = derived;
        }
        if (!purl)
                return 0;
        _cleanup_free_ char *key = NULL;
        if (vuln_ident_match_key("purl", purl, &key, err) < 0)
                return -1;
        if (!key)
                return 0;
        /* the name key: the package name, else the key's last segment */
        const char *last = strrchr(key, '/');
        _cleanup_free_ char *nk = vuln_name_match_key(name ? name : last ? last + 1 : key);
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

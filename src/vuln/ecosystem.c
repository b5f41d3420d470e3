/* SPDX-License-Identifier: Apache-2.0 */
#include "vuln/ecosystem.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "core/cleanup.h"
#include "core/strutil.h"

static const struct vuln_ecosystem vuln_ecosystems[] = {
        {"Debian", "deb", "debian", VULN_SCHEME_DEBIAN},
        {"Ubuntu", "deb", "ubuntu", VULN_SCHEME_DEBIAN},
        {"Alpine", "apk", "alpine", VULN_SCHEME_ALPINE},
        {"Wolfi", "apk", "wolfi", VULN_SCHEME_ALPINE},
        {"Chainguard", "apk", "chainguard", VULN_SCHEME_ALPINE},
        {"Rocky Linux", "rpm", "rocky", VULN_SCHEME_RPM},
        {"AlmaLinux", "rpm", "almalinux", VULN_SCHEME_RPM},
        {"Red Hat", "rpm", "redhat", VULN_SCHEME_RPM},
        {"openSUSE", "rpm", "opensuse", VULN_SCHEME_RPM},
        {"SUSE", "rpm", "suse", VULN_SCHEME_RPM},
        {"Mageia", "rpm", "mageia", VULN_SCHEME_RPM},
        {"Photon OS", "rpm", "photon", VULN_SCHEME_RPM},
        {"openEuler", "rpm", "openeuler", VULN_SCHEME_RPM},
        {"npm", "npm", NULL, VULN_SCHEME_NPM},
        {"PyPI", "pypi", NULL, VULN_SCHEME_PEP440},
        {"Go", "golang", NULL, VULN_SCHEME_GO},
        {"Maven", "maven", NULL, VULN_SCHEME_MAVEN},
        {"crates.io", "cargo", NULL, VULN_SCHEME_SEMVER},
        {"Hex", "hex", NULL, VULN_SCHEME_SEMVER},
        {"Pub", "pub", NULL, VULN_SCHEME_SEMVER},
        {"SwiftURL", "swift", NULL, VULN_SCHEME_SEMVER},
        {"Bitnami", "bitnami", NULL, VULN_SCHEME_SEMVER},
        {"NuGet", "nuget", NULL, VULN_SCHEME_GENERIC},
        {"RubyGems", "gem", NULL, VULN_SCHEME_GENERIC},
        {"Packagist", "composer", NULL, VULN_SCHEME_GENERIC},
        {"Hackage", "hackage", NULL, VULN_SCHEME_GENERIC},
        {"CRAN", "cran", NULL, VULN_SCHEME_GENERIC},
        {"GitHub Actions", "github", NULL, VULN_SCHEME_GENERIC},
        {"ConanCenter", "conan", NULL, VULN_SCHEME_GENERIC},
        {"Linux", NULL, NULL, VULN_SCHEME_GENERIC},
        {"OSS-Fuzz", NULL, NULL, VULN_SCHEME_GENERIC},
        {"Android", NULL, NULL, VULN_SCHEME_GENERIC},
        {"GIT", NULL, NULL, VULN_SCHEME_GENERIC},
};

const struct vuln_ecosystem *vuln_ecosystem_find(const char *ecosystem) {
        if (!ecosystem) return NULL;
        size_t n = strcspn(ecosystem, ":");
        for (size_t i = 0; i < ELEMENTSOF(vuln_ecosystems); i++)
                if (strlen(vuln_ecosystems[i].osv) == n && strncmp(vuln_ecosystems[i].osv, ecosystem, n) == 0)
                        return &vuln_ecosystems[i];
        return NULL;
}

int vuln_version_scheme_for_ecosystem(const char *ecosystem, enum vuln_version_scheme *s) {
        const struct vuln_ecosystem *e = vuln_ecosystem_find(ecosystem);
        if (!e) return -1;
        *s = e->scheme;
        return 0;
}

enum vuln_version_scheme vuln_version_scheme_for_purl_type(const char *type) {
        static const struct {
                const char *type;
                enum vuln_version_scheme s;
        } map[] = {
                {"deb", VULN_SCHEME_DEBIAN}, {"rpm", VULN_SCHEME_RPM},       {"apk", VULN_SCHEME_ALPINE},
                {"pypi", VULN_SCHEME_PEP440}, {"npm", VULN_SCHEME_NPM},      {"golang", VULN_SCHEME_GO},
                {"maven", VULN_SCHEME_MAVEN}, {"cargo", VULN_SCHEME_SEMVER}, {"hex", VULN_SCHEME_SEMVER},
                {"pub", VULN_SCHEME_SEMVER},  {"swift", VULN_SCHEME_SEMVER}, {"bitnami", VULN_SCHEME_SEMVER},
        };
        for (size_t i = 0; type && i < ELEMENTSOF(map); i++)
                if (strcmp(map[i].type, type) == 0) return map[i].s;
        return VULN_SCHEME_GENERIC;
}

bool vuln_purl_type_is_distro(const char *type) {
        return type && (strcmp(type, "deb") == 0 || strcmp(type, "rpm") == 0 || strcmp(type, "apk") == 0);
}

/* "12" == "12", "v3.18" == "3.18", "22.04" == "22.04"; a distro qualifier
 * "debian-12", "alpine-3.18", "ubuntu-22.04" or a codename that the table
 * below knows. */
static bool release_eq(const char *osv_release, size_t n, const char *q) {
        if (n && (osv_release[0] == 'v' || osv_release[0] == 'V')) osv_release++, n--;
        if (*q == 'v' || *q == 'V') q++;
        return strlen(q) == n && strncasecmp(osv_release, q, n) == 0;
}

static const struct {
        const char *codename, *release;
} debian_codenames[] = {
        {"wheezy", "7"}, {"jessie", "8"}, {"stretch", "9"}, {"buster", "10"}, {"bullseye", "11"}, {"bookworm", "12"}, {"trixie", "13"},
        {"trusty", "14.04"}, {"xenial", "16.04"}, {"bionic", "18.04"}, {"focal", "20.04"},
        {"jammy", "22.04"}, {"noble", "24.04"},
};

bool vuln_ecosystem_release_applies(const char *ecosystem, const struct purl *p, const char **why) {
        const char *colon = strchr(ecosystem, ':');
        if (!colon || !colon[1]) {
                *why = "the ecosystem names no release: it applies to every release";
                return true;
        }
        const char *rel = colon + 1;
        /* "Ubuntu:22.04:LTS", "Ubuntu:Pro:14.04:LTS": the release is the
         * first part that starts with a digit (or 'v' and a digit) */
        while (*rel && !isdigit((unsigned char) *rel) &&
               !((*rel == 'v' || *rel == 'V') && isdigit((unsigned char) rel[1]))) {
                const char *next = strchr(rel, ':');
                if (!next) break;
                rel = next + 1;
        }
        size_t n = strcspn(rel, ":");
        const char *distro = purl_qualifier(p, "distro");
        if (!distro) {
                *why = "the component's purl has no distro qualifier: the release could not be checked";
                return true;
        }
        /* "debian-12", "alpine-3.18", "ubuntu-22.04", "bookworm", "12" */
        const char *d = distro;
        for (const char *c = distro; *c; c++) /* "debian-12", "esm-infra-legacy/trusty" */
                if (*c == '-' || *c == '/') d = c + 1;
        for (size_t i = 0; i < ELEMENTSOF(debian_codenames); i++)
                if (strcasecmp(d, debian_codenames[i].codename) == 0) d = debian_codenames[i].release;
        if (release_eq(rel, n, d)) {
                *why = "the component's distro qualifier names this release";
                return true;
        }
        /* Alpine "3.18.4" is release "v3.18" */
        const char *r = (rel[0] == 'v' || rel[0] == 'V') ? rel + 1 : rel;
        size_t rn = n - (size_t) (r - rel);
        if (strcmp(p->type, "apk") == 0 && strncmp(d, r, rn) == 0 && d[rn] == '.') {
                *why = "the component's distro qualifier names a point release of this release";
                return true;
        }
        *why = "the component's distro qualifier names another release";
        return false;
}

void vuln_purl_tracked_name(const struct purl *p, const char **name, const char **version, char **buf) {
        *name = p->name;
        *version = p->version;
        *buf = NULL;
        const char *up = vuln_purl_type_is_distro(p->type) ? purl_qualifier(p, "upstream") : NULL;
        if (!up) up = vuln_purl_type_is_distro(p->type) ? purl_qualifier(p, "source") : NULL;
        if (!up || !*up) return;
        *buf = str_dup(up);
        char *at = strchr(*buf, '@');
        if (at) {
                *at = '\0';
                if (at[1]) *version = at + 1;
        }
        if (**buf) *name = *buf;
        for (char *c = *buf; *c && c != at; c++) *c = (char) tolower((unsigned char) *c);
}

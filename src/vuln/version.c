/* SPDX-License-Identifier: Apache-2.0 */
#include "vuln/version.h"

#include <stdlib.h>
#include <string.h>

#include "core/cleanup.h"
#include "core/strutil.h"
#include "vuln/version-internal.h"

static const char *const scheme_names[_VULN_SCHEME_MAX] = {
        "generic", "semver", "debian", "rpm", "pep440", "npm", "go", "maven", "alpine",
};

const char *vuln_version_scheme_name(enum vuln_version_scheme s) {
        return (unsigned) s < _VULN_SCHEME_MAX ? scheme_names[s] : "?";
}

int vuln_digits_cmp(const char *a, size_t alen, const char *b, size_t blen) {
        while (alen > 1 && *a == '0') a++, alen--;
        while (blen > 1 && *b == '0') b++, blen--;
        if (alen != blen) return alen < blen ? -1 : 1;
        int c = memcmp(a, b, alen);
        return c < 0 ? -1 : c > 0;
}

static int check_input(enum vuln_version_scheme s, const char *v, struct error *err) {
        const char *name = vuln_version_scheme_name(s);
        if (!v) return error_set(err, ERROR_INVALID, "%s version: missing", name);
        size_t n = strlen(v);
        if (n == 0) return error_set(err, ERROR_INVALID, "%s version: empty", name);
        if (n > VULN_VERSION_MAX_LEN) VERSION_FAIL(err, name, v, "longer than %d bytes", VULN_VERSION_MAX_LEN);
        for (size_t i = 0; i < n; i++)
                if ((unsigned char) v[i] <= ' ' || (unsigned char) v[i] >= 0x7f)
                        VERSION_FAIL(err, name, v, "has a space, control or non-ASCII byte at offset %zu", i);
        return 0;
}

int vuln_version_compare(enum vuln_version_scheme s, const char *a, const char *b, int *cmp,
                         struct error *err) {
        if ((unsigned) s >= _VULN_SCHEME_MAX) return error_set(err, ERROR_INVALID, "version scheme %d: unknown", (int) s);
        if (check_input(s, a, err) < 0 || check_input(s, b, err) < 0) return -1;
        switch (s) {
        case VULN_SCHEME_GENERIC: return vuln_version_cmp_generic(a, b, cmp, err);
        case VULN_SCHEME_SEMVER: return vuln_version_cmp_semver(a, b, cmp, err);
        case VULN_SCHEME_NPM: return vuln_version_cmp_npm(a, b, cmp, err);
        case VULN_SCHEME_GO: return vuln_version_cmp_go(a, b, cmp, err);
        case VULN_SCHEME_DEBIAN: return vuln_version_cmp_debian(a, b, cmp, err);
        case VULN_SCHEME_RPM: return vuln_version_cmp_rpm(a, b, cmp, err);
        case VULN_SCHEME_PEP440: return vuln_version_cmp_pep440(a, b, cmp, err);
        case VULN_SCHEME_MAVEN: return vuln_version_cmp_maven(a, b, cmp, err);
        case VULN_SCHEME_ALPINE: return vuln_version_cmp_alpine(a, b, cmp, err);
        default: break;
        }
        return error_set(err, ERROR_INTERNAL, "version scheme %d: no comparator", (int) s);
}

bool vuln_version_valid(enum vuln_version_scheme s, const char *v, struct error *err) {
        int cmp;
        return vuln_version_compare(s, v, v, &cmp, err) == 0;
}

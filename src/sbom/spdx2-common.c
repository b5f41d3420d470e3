/* SPDX-License-Identifier: Apache-2.0 */
/*
 * SPDX 2 conventions both readers (JSON and tag-value) share: which
 * relationship types are dependency edges and which way they point, agent
 * strings ("Organization: name (email)"), the NOASSERTION/NONE sentinels and
 * external reference types written as URIs (Yocto writes
 * "http://spdx.org/rdf/references/cpe23Type").
 */
#include <string.h>

#include "core/strutil.h"
#include "sbom/sbom-private.h"

bool spdx2_relationship_edge(const char *type, bool *reverse) {
        *reverse = false;
        if (!type)
                return false;
        static const char *const forward[] = {
                "DEPENDS_ON", "CONTAINS", "DYNAMIC_LINK", "STATIC_LINK", "HAS_PREREQUISITE",
        };
        static const char *const backward[] = {
                "DEPENDENCY_OF", "CONTAINED_BY", "RUNTIME_DEPENDENCY_OF", "BUILD_DEPENDENCY_OF",
                "DEV_DEPENDENCY_OF", "OPTIONAL_DEPENDENCY_OF", "PROVIDED_DEPENDENCY_OF", "TEST_DEPENDENCY_OF",
                "PREREQUISITE_FOR",
        };
        for (size_t i = 0; i < sizeof(forward) / sizeof(forward[0]); i++)
                if (strcmp(type, forward[i]) == 0)
                        return true;
        for (size_t i = 0; i < sizeof(backward) / sizeof(backward[0]); i++)
                if (strcmp(type, backward[i]) == 0) {
                        *reverse = true;
                        return true;
                }
        return false;
}

bool spdx2_value_given(const char *v) {
        return v && *v && strcmp(v, "NOASSERTION") != 0 && strcmp(v, "NONE") != 0;
}

char *spdx2_agent_name(const char *v) {
        if (!spdx2_value_given(v))
                return NULL;
        const char *p = v;
        if (str_startswith(p, "Organization:"))
                p += strlen("Organization:");
        else if (str_startswith(p, "Person:"))
                p += strlen("Person:");
        else if (str_startswith(p, "Tool:"))
                p += strlen("Tool:");
        while (*p == ' ')
                p++;
        size_t n = strlen(p);
        /* Drop a trailing "(email)", also the empty "()" Yocto writes. */
        const char *open = strrchr(p, '(');
        if (open && p[n - 1] == ')')
                n = (size_t) (open - p);
        while (n > 0 && p[n - 1] == ' ')
                n--;
        if (n == 0 || (n == 3 && strncmp(p, "N/A", 3) == 0))
                return NULL;
        char *out = xmalloc(n + 1);
        memcpy(out, p, n);
        out[n] = 0;
        return out;
}

const char *spdx2_ref_type(const char *t) {
        if (!t)
                return "";
        const char *slash = strrchr(t, '/');
        return slash ? slash + 1 : t;
}

void spdx2_member_clear(struct spdx2_member *m) {
        for (size_t i = 0; i < m->described.n; i++)
                free(m->described.v[i]);
        free(m->described.v);
        for (size_t i = 0; i < m->refers_to.n; i++)
                free(m->refers_to.v[i]);
        free(m->refers_to.v);
        free(m->namespace);
        memset(m, 0, sizeof(*m));
}

/* SPDX-License-Identifier: Apache-2.0 */
#include <string.h>
#include "auth/role.h"

static const struct {
        enum role role;
        const char *name;
} roles[] = {
        {ROLE_ADMIN, "admin"},
        {ROLE_RELEASE_MANAGER, "release-manager"},
        {ROLE_SECURITY_OFFICER, "security-officer"},
        {ROLE_FACTORY, "factory"},
        {ROLE_AUDITOR, "auditor"},
};

const char *role_name(enum role r) {
        for (size_t i = 0; i < sizeof(roles) / sizeof(roles[0]); i++)
                if (roles[i].role == r)
                        return roles[i].name;
        return "unknown";
}

int role_parse(const char *s, enum role *out, struct error *err) {
        if (!s)
                return error_set(err, ERROR_INVALID, "role is missing (expected admin, release-manager, "
                                 "security-officer, factory or auditor)");
        for (size_t i = 0; i < sizeof(roles) / sizeof(roles[0]); i++)
                if (strcmp(roles[i].name, s) == 0) {
                        *out = roles[i].role;
                        return 0;
                }
        return error_set(err, ERROR_INVALID, "role: '%.64s' is not a role (expected admin, release-manager, "
                         "security-officer, factory or auditor)", s);
}

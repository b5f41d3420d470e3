/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
#include "core/error.h"

/* Roles are bits so a route can name the set that may call it. */
enum role {
        ROLE_ADMIN = 1u << 0,
        ROLE_RELEASE_MANAGER = 1u << 1,
        ROLE_SECURITY_OFFICER = 1u << 2,
        ROLE_FACTORY = 1u << 3,
        ROLE_AUDITOR = 1u << 4, /* read-only */
};
#define ROLE_ALL (ROLE_ADMIN | ROLE_RELEASE_MANAGER | ROLE_SECURITY_OFFICER | ROLE_FACTORY | ROLE_AUDITOR)

const char *role_name(enum role r); /* "admin", "release-manager", ... */
int role_parse(const char *s, enum role *out, struct error *err);

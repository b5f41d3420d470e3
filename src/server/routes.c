/* SPDX-License-Identifier: Apache-2.0 */
#include "routes.h"

#include "auth/role.h"
#include "core/cleanup.h"

#define ROLES_AUDIT_READERS (ROLE_ADMIN | ROLE_AUDITOR | ROLE_SECURITY_OFFICER)
#define ROLES_PRODUCT_WRITERS (ROLE_ADMIN | ROLE_RELEASE_MANAGER)

/*     method    pattern                  handler                 roles                      name               query */
static const struct route routes[] = {
        { "GET",    "/healthz",              routes_health_get,      0,                         "health.get",      NULL },
        { "GET",    "/metrics",              routes_metrics_get,     0,                         "metrics.get",     NULL },
        { "GET",    "/api/v1/whoami",        routes_whoami_get,      ROLE_ALL,                  "whoami.get",      NULL },
        { "GET",    "/api/v1/tokens",        routes_tokens_list,     ROLE_ADMIN | ROLE_AUDITOR, "tokens.list",     NULL },
        { "POST",   "/api/v1/tokens",        routes_tokens_create,   ROLE_ADMIN,                "tokens.create",   NULL },
        { "DELETE", "/api/v1/tokens/{name}", routes_tokens_revoke,   ROLE_ADMIN,                "tokens.revoke",   NULL },
        { "GET",    "/api/v1/products",      routes_products_list,   ROLE_ALL,                  "products.list",   NULL },
        { "POST",   "/api/v1/products",      routes_products_create, ROLES_PRODUCT_WRITERS,     "products.create", NULL },
        { "GET",    "/api/v1/products/{id}", routes_products_get,    ROLE_ALL,                  "products.get",    NULL },
        { "PATCH",  "/api/v1/products/{id}", routes_products_update, ROLES_PRODUCT_WRITERS,     "products.update", NULL },
        { "GET",    "/api/v1/audit",         routes_audit_list,      ROLES_AUDIT_READERS,       "audit.list",
          "object,actor,since,until,after,limit" },
        { "GET",    "/api/v1/audit/verify",  routes_audit_verify,    ROLES_AUDIT_READERS,       "audit.verify",    NULL },
};

const struct route *routes_table(size_t *n_out) {
        *n_out = ELEMENTSOF(routes);
        return routes;
}

static const enum role all_roles[] = {
        ROLE_ADMIN, ROLE_RELEASE_MANAGER, ROLE_SECURITY_OFFICER, ROLE_FACTORY, ROLE_AUDITOR,
};

json_t *routes_roles_to_json(unsigned roles) {
        json_t *a = json_array();
        for (size_t i = 0; i < ELEMENTSOF(all_roles); i++)
                if (roles & all_roles[i])
                        json_array_append_new(a, json_string(role_name(all_roles[i])));
        return a;
}

json_t *routes_to_json(const struct route *table, size_t n) {
        json_t *a = json_array();
        for (size_t i = 0; i < n; i++)
                json_array_append_new(a, json_pack("{s:s, s:s, s:o}", "method", table[i].method,
                                                   "path", table[i].pattern, "roles",
                                                   routes_roles_to_json(table[i].roles)));
        return a;
}

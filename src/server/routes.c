/* SPDX-License-Identifier: Apache-2.0 */
#include "routes.h"

#include "auth/role.h"
#include "core/cleanup.h"

#define ROLES_AUDIT_READERS (ROLE_ADMIN | ROLE_AUDITOR | ROLE_SECURITY_OFFICER)
#define ROLES_PRODUCT_WRITERS (ROLE_ADMIN | ROLE_RELEASE_MANAGER)
#define ROLES_CA_READERS (ROLE_ADMIN | ROLE_AUDITOR)
#define ROLES_FACTORY (ROLE_ADMIN | ROLE_FACTORY)
#define ROLES_BATCH_READERS (ROLE_ADMIN | ROLE_FACTORY | ROLE_AUDITOR)
#define ROLES_REVOKERS (ROLE_ADMIN | ROLE_SECURITY_OFFICER)

#define PUBLIC ROUTE_AUTH_PUBLIC
#define BEARER ROUTE_AUTH_BEARER
#define DEVICE ROUTE_AUTH_DEVICE /* a device, by its client certificate (mTLS) */
#define CLAIM ROUTE_AUTH_CLAIM   /* public; the body's credential is checked, failures rate limited */

/*     method    pattern                  handler                 auth    roles                      name               query */
static const struct route routes[] = {
        { "GET",    "/healthz",              routes_health_get,      PUBLIC, 0,                         "health.get",      NULL },
        { "GET",    "/metrics",              routes_metrics_get,     PUBLIC, 0,                         "metrics.get",     NULL },
        { "GET",    "/api/v1/whoami",        routes_whoami_get,      BEARER, ROLE_ALL,                  "whoami.get",      NULL },
        { "GET",    "/api/v1/tokens",        routes_tokens_list,     BEARER, ROLE_ADMIN | ROLE_AUDITOR, "tokens.list",     NULL },
        { "POST",   "/api/v1/tokens",        routes_tokens_create,   BEARER, ROLE_ADMIN,                "tokens.create",   NULL },
        { "DELETE", "/api/v1/tokens/{name}", routes_tokens_revoke,   BEARER, ROLE_ADMIN,                "tokens.revoke",   NULL },
        { "GET",    "/api/v1/products",      routes_products_list,   BEARER, ROLE_ALL,                  "products.list",   NULL },
        { "POST",   "/api/v1/products",      routes_products_create, BEARER, ROLES_PRODUCT_WRITERS,     "products.create", NULL },
        { "GET",    "/api/v1/products/{id}", routes_products_get,    BEARER, ROLE_ALL,                  "products.get",    NULL },
        { "PATCH",  "/api/v1/products/{id}", routes_products_update, BEARER, ROLES_PRODUCT_WRITERS,     "products.update", NULL },
        { "GET",    "/api/v1/audit",         routes_audit_list,      BEARER, ROLES_AUDIT_READERS,       "audit.list",
          "object,actor,since,until,after,limit" },
        { "GET",    "/api/v1/audit/verify",  routes_audit_verify,    BEARER, ROLES_AUDIT_READERS,       "audit.verify",    NULL },

        /* Device identity (issue 3). EST, RFC 7030: the label is the product model. */
        { "GET",    "/.well-known/est/cacerts",                 routes_est_cacerts,          PUBLIC, 0,             "est.cacerts",        NULL },
        { "GET",    "/.well-known/est/{label}/cacerts",         routes_est_cacerts_label,    PUBLIC, 0,             "est.cacerts-label",  NULL },
        { "GET",    "/.well-known/est/{label}/csrattrs",        routes_est_csrattrs,         PUBLIC, 0,             "est.csrattrs",       NULL },
        { "POST",   "/.well-known/est/{label}/simpleenroll",    routes_est_simpleenroll,     BEARER, ROLES_FACTORY, "est.simpleenroll",
          "serial,batch,station,reprovision" },
        { "POST",   "/.well-known/est/{label}/simplereenroll",  routes_est_simplereenroll,   DEVICE, 0,             "est.simplereenroll", NULL },
        /* The device API: devices authenticate with their certificate. */
        { "GET",    "/device/v1/whoami",                        routes_device_whoami,        DEVICE, 0,             "device.whoami",      NULL },
        { "POST",   "/device/v1/claim",                         routes_device_claim,         CLAIM,  0,             "device.claim",        NULL },
        { "GET",    "/pki/crl/{file}",                          routes_pki_crl_get,          PUBLIC, 0,             "pki.crl",            NULL },
        /* Operators. */
        { "GET",    "/api/v1/device-cas",                       routes_device_cas_list,      BEARER, ROLES_CA_READERS,    "device-cas.list",    NULL },
        { "POST",   "/api/v1/device-cas",                       routes_device_cas_create,    BEARER, ROLE_ADMIN,          "device-cas.create",  NULL },
        { "GET",    "/api/v1/device-cas/{name}",                routes_device_cas_get,       BEARER, ROLES_CA_READERS,    "device-cas.get",     NULL },
        { "PUT",    "/api/v1/device-cas/{name}/certificate",    routes_device_cas_install,   BEARER, ROLE_ADMIN,          "device-cas.install", NULL },
        { "GET",    "/api/v1/batches",                          routes_batches_list,         BEARER, ROLES_BATCH_READERS, "batches.list",       "product" },
        { "POST",   "/api/v1/batches",                          routes_batches_create,       BEARER, ROLES_FACTORY,       "batches.create",     NULL },
        { "GET",    "/api/v1/batches/{id}",                     routes_batches_get,          BEARER, ROLES_BATCH_READERS, "batches.get",        NULL },
        { "POST",   "/api/v1/batches/{id}/close",               routes_batches_close,        BEARER, ROLE_ADMIN,          "batches.close",      NULL },
        { "PUT",    "/api/v1/batches/{id}/migration-key",       routes_batches_set_migration_key, BEARER, ROLE_ADMIN,     "batches.set-migration-key", NULL },
        { "GET",    "/api/v1/devices",                          routes_devices_list,         BEARER, ROLE_ALL,            "devices.list",
          "product,batch,status,expiring_within_days,after,limit" },
        { "GET",    "/api/v1/devices/{serial}",                 routes_devices_get,          BEARER, ROLE_ALL,            "devices.get",        NULL },
        { "POST",   "/api/v1/devices/{serial}/revoke",          routes_devices_revoke,       BEARER, ROLES_REVOKERS,      "devices.revoke",     NULL },
        { "POST",   "/api/v1/devices/{serial}/decommission",    routes_devices_decommission, BEARER, ROLES_REVOKERS,      "devices.decommission", NULL },
        { "POST",   "/api/v1/certificates/{serial}/revoke",     routes_certificates_revoke,  BEARER, ROLES_REVOKERS,      "certificates.revoke", NULL },
        { "POST",   "/api/v1/products/{id}/migration",          routes_migration_open,       BEARER, ROLE_ADMIN,          "migration.open",     NULL },
        { "DELETE", "/api/v1/products/{id}/migration",          routes_migration_close,      BEARER, ROLE_ADMIN,          "migration.close",    NULL },
        { "GET",    "/api/v1/security-events",                  routes_security_events_list, BEARER, ROLES_AUDIT_READERS, "security-events.list",
          "kind,since,product,after,limit" },
};

const struct route *routes_table(size_t *n_out) {
        *n_out = ELEMENTSOF(routes);
        return routes;
}

static const enum role all_roles[] = {
        ROLE_ADMIN, ROLE_RELEASE_MANAGER, ROLE_SECURITY_OFFICER, ROLE_FACTORY, ROLE_AUDITOR,
};

const char *route_auth_name(enum route_auth auth) {
        switch (auth) {
        case ROUTE_AUTH_PUBLIC:
                return "public";
        case ROUTE_AUTH_BEARER:
                return "bearer";
        case ROUTE_AUTH_DEVICE:
                return "device";
        case ROUTE_AUTH_CLAIM:
                return "claim";
        }
        return "unknown";
}

bool route_is_consistent(const struct route *r) {
        switch (r->auth) {
        case ROUTE_AUTH_BEARER:
                return r->roles != 0 && (r->roles & ~(unsigned) ROLE_ALL) == 0;
        case ROUTE_AUTH_PUBLIC:
        case ROUTE_AUTH_DEVICE:
        case ROUTE_AUTH_CLAIM:
                return r->roles == 0;
        }
        return false;
}

json_t *routes_roles_to_json(unsigned roles) {
        json_t *a = json_array();
        for (size_t i = 0; i < ELEMENTSOF(all_roles); i++)
                if (roles & all_roles[i])
                        json_array_append_new(a, json_string(role_name(all_roles[i])));
        return a;
}

json_t *routes_route_roles_to_json(const struct route *r) {
        if (r->auth == ROUTE_AUTH_DEVICE) {
                json_t *a = json_array();
                json_array_append_new(a, json_string(ROUTES_ROLE_DEVICE));
                return a;
        }
        return routes_roles_to_json(r->roles);
}

json_t *routes_to_json(const struct route *table, size_t n) {
        json_t *a = json_array();
        for (size_t i = 0; i < n; i++)
                json_array_append_new(a, json_pack("{s:s, s:s, s:o, s:s}", "method", table[i].method,
                                                   "path", table[i].pattern, "roles",
                                                   routes_route_roles_to_json(&table[i]), "auth",
                                                   route_auth_name(table[i].auth)));
        return a;
}

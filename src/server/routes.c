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
#define ROLES_WITHDRAWERS (ROLE_ADMIN | ROLE_RELEASE_MANAGER | ROLE_SECURITY_OFFICER)
#define ROLES_CAMPAIGN_RUNNERS (ROLE_ADMIN | ROLE_RELEASE_MANAGER)
#define ROLES_APPROVERS (ROLE_ADMIN | ROLE_RELEASE_MANAGER | ROLE_SECURITY_OFFICER) /* issue 11 */
#define ROLES_CAMPAIGN_READERS (ROLE_ADMIN | ROLE_RELEASE_MANAGER | ROLE_SECURITY_OFFICER | ROLE_AUDITOR)
#define ROLES_VULN_IMPORTERS (ROLE_ADMIN | ROLE_SECURITY_OFFICER)
#define ROLES_VULN_READERS (ROLE_ADMIN | ROLE_SECURITY_OFFICER | ROLE_AUDITOR | ROLE_RELEASE_MANAGER)
/* findings (issue 9): security officers own triage, auditors and release managers read */
#define ROLES_FINDINGS_READERS (ROLE_ADMIN | ROLE_RELEASE_MANAGER | ROLE_SECURITY_OFFICER | ROLE_AUDITOR)
#define ROLES_TRIAGERS (ROLE_ADMIN | ROLE_SECURITY_OFFICER)
#define ROLES_SBOM_READERS (ROLE_ADMIN | ROLE_RELEASE_MANAGER | ROLE_SECURITY_OFFICER | ROLE_AUDITOR)

#define ROLES_VEX_IMPORTERS (ROLE_ADMIN | ROLE_SECURITY_OFFICER)
#define ROLES_VEX_EXPORTERS (ROLE_ADMIN | ROLE_AUDITOR | ROLE_SECURITY_OFFICER)
#define ROLES_CASE_OWNERS (ROLE_ADMIN | ROLE_SECURITY_OFFICER)
#define ROLES_CASE_READERS (ROLE_ADMIN | ROLE_SECURITY_OFFICER | ROLE_AUDITOR)
/* the key registry (issue 11) */
#define ROLES_KEY_MANAGERS (ROLE_ADMIN | ROLE_SECURITY_OFFICER)
#define ROLES_KEY_READERS (ROLE_ADMIN | ROLE_SECURITY_OFFICER | ROLE_AUDITOR)
/* debug tokens (issue 11 section 4): whoever services devices asks; approvals decide */
#define ROLES_DEBUG_REQUESTERS (ROLE_ADMIN | ROLE_RELEASE_MANAGER | ROLE_SECURITY_OFFICER | ROLE_FACTORY)

#define PUBLIC ROUTE_AUTH_PUBLIC
#define BEARER ROUTE_AUTH_BEARER
#define DEVICE ROUTE_AUTH_DEVICE /* a device, by its client certificate (mTLS) */
#define CLAIM ROUTE_AUTH_CLAIM   /* public; the body's credential is checked, failures rate limited */
#define DDI ROUTE_AUTH_DDI       /* a DDI device: its certificate, or its TargetToken (route.h) */
#define DDI_BASE "/ddi/{tenant}/controller/v1/{controllerId}"

/* A row gives `flags` (after query) only when it sets one. */
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
#define STREAM ROUTE_STREAM_BODY /* the body is streamed to disk (uploads) */
#define SECRET ROUTE_SECRET_PATH /* the last segment is a credential: redacted in the access log */

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
        /* signed audit checkpoints (issue 11 section 6) */
        { "GET",    "/api/v1/audit/checkpoints", routes_audit_checkpoints, BEARER, ROLES_AUDIT_READERS, "audit.checkpoints",
          "after,limit" },

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
        { "PUT",    "/api/v1/device-cas/{name}/certificate",    routes_device_cas_install,   BEARER, ROLE_ADMIN,          "device-cas.install", "justification" },
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
        { "POST",   "/api/v1/products/{id}/migration",          routes_migration_open,       BEARER, ROLE_ADMIN,          "migration.open",     "justification" },
        { "DELETE", "/api/v1/products/{id}/migration",          routes_migration_close,      BEARER, ROLE_ADMIN,          "migration.close",    NULL },
        { "GET",    "/api/v1/security-events",                  routes_security_events_list, BEARER, ROLES_AUDIT_READERS, "security-events.list",
          "kind,since,product,after,limit" },

        /* Releases, their offline signing, and each product's TUF image repository (issue 4). */
        { "GET",    "/api/v1/releases",                         routes_releases_list,        BEARER, ROLE_ALL,              "releases.list",      "product,before,limit" },
        { "POST",   "/api/v1/releases",                         routes_releases_create,      BEARER, ROLES_PRODUCT_WRITERS, "releases.create",    NULL },
        { "GET",    "/api/v1/releases/{id}",                    routes_releases_get,         BEARER, ROLE_ALL,              "releases.get",       NULL },
        { "PUT",    "/api/v1/releases/{id}/images/{name}",      routes_releases_upload_image, BEARER, ROLES_PRODUCT_WRITERS, "releases.upload-image", "encrypt", STREAM },
        { "PUT",    "/api/v1/releases/{id}/sbom",               routes_releases_upload_sbom, BEARER, ROLES_PRODUCT_WRITERS, "releases.upload-sbom", "module", STREAM },
        { "POST",   "/api/v1/releases/{id}/prepare",            routes_releases_prepare,     BEARER, ROLES_PRODUCT_WRITERS, "releases.prepare",   NULL },
        { "GET",    "/api/v1/releases/{id}/targets-metadata",   routes_releases_targets_metadata, BEARER, ROLE_ALL,         "releases.targets-metadata", NULL },
        { "POST",   "/api/v1/releases/{id}/signatures",         routes_releases_sign,        BEARER, ROLES_PRODUCT_WRITERS, "releases.sign",      NULL },
        { "POST",   "/api/v1/releases/{id}/publish",            routes_releases_publish,     BEARER, ROLES_PRODUCT_WRITERS, "releases.publish",   NULL },
        { "POST",   "/api/v1/releases/{id}/withdraw",           routes_releases_withdraw,    BEARER, ROLES_WITHDRAWERS,     "releases.withdraw",  NULL },
        { "DELETE", "/api/v1/images/{sha256}",                  routes_images_delete,        BEARER, ROLE_ADMIN,            "images.delete",      "justification" },
        { "GET",    "/api/v1/repos",                            routes_repos_list,           BEARER, ROLE_ALL,              "repos.list",         NULL },
        { "POST",   "/api/v1/repos",                            routes_repos_create,         BEARER, ROLE_ADMIN,            "repos.create",       NULL },
        { "GET",    "/api/v1/repos/{model}",                    routes_repos_get,            BEARER, ROLE_ALL,              "repos.get",          NULL },
        { "GET",    "/api/v1/repos/{model}/online-keys",        routes_repos_online_keys,    BEARER, ROLE_ADMIN,            "repos.online-keys",  NULL },
        { "POST",   "/api/v1/repos/{model}/online-keys",        routes_repos_online_keys_next, BEARER, ROLE_ADMIN,          "repos.online-keys-next", NULL },
        { "POST",   "/api/v1/repos/{model}/root",               routes_repos_rotate_root,    BEARER, ROLE_ADMIN,            "repos.rotate-root",  NULL },
        /* The repositories as static files: public, HEAD, Range, ETag. */
        { "GET",    "/repo/{model}/{file}",                     routes_repo_file,            PUBLIC, 0,                     "repo.file",          NULL },
        { "GET",    "/repo/{model}/targets/{dir}/{file}",       routes_repo_target,          PUBLIC, 0,                     "repo.target",        NULL },

        /* The director, assignments and update traceability (issue 4). */
        { "GET",    "/api/v1/director",                         routes_director_get,         BEARER, ROLE_ALL,             "director.get",       NULL },
        { "GET",    "/api/v1/director/online-keys",             routes_director_online_keys, BEARER, ROLE_ADMIN,           "director.online-keys", NULL },
        { "POST",   "/api/v1/director/root",                    routes_director_root_install, BEARER, ROLE_ADMIN,          "director.root-install", NULL },
        { "POST",   "/api/v1/assignments",                      routes_assignments_create,   BEARER, ROLES_PRODUCT_WRITERS, "assignments.create", NULL },
        { "POST",   "/api/v1/devices/{serial}/tags",            routes_devices_tags_set,     BEARER, ROLES_PRODUCT_WRITERS, "devices.tags-set",   NULL },
        { "POST",   "/api/v1/devices/tags",                     routes_devices_tags_bulk,    BEARER, ROLES_PRODUCT_WRITERS, "devices.tags-bulk",  NULL },
        { "GET",    "/api/v1/devices/{serial}/history",         routes_devices_history,      BEARER, ROLE_ALL,             "devices.history",    "after,limit" },
        { "GET",    "/api/v1/devices/{serial}/actions",         routes_devices_actions,      BEARER, ROLE_ALL,             "devices.actions",    "before,limit" },
        { "GET",    "/device/v1/director/root.json",            routes_device_director_root, DEVICE, 0,                    "device.director-root", NULL },
        { "GET",    "/device/v1/director/{file}",               routes_device_director_root_version, DEVICE, 0,            "device.director-root-version", NULL },
        { "GET",    "/device/v1/director/targets.json",         routes_device_director_targets, DEVICE, 0,                 "device.director-targets", NULL },
        { "POST",   "/device/v1/status",                        routes_device_status,        DEVICE, 0,                    "device.status",      NULL },

        /* Rollout campaigns (issue 8): release managers run them, auditors and security officers read. */
        { "GET",    "/api/v1/campaigns",                        routes_campaigns_list,       BEARER, ROLES_CAMPAIGN_READERS, "campaigns.list",    "status,before,limit" },
        { "POST",   "/api/v1/campaigns",                        routes_campaigns_create,     BEARER, ROLES_CAMPAIGN_RUNNERS, "campaigns.create",  NULL },
        { "GET",    "/api/v1/campaigns/{id}",                   routes_campaigns_get,        BEARER, ROLES_CAMPAIGN_READERS, "campaigns.get",     NULL },
        { "POST",   "/api/v1/campaigns/{id}/start",             routes_campaigns_start,      BEARER, ROLES_CAMPAIGN_RUNNERS, "campaigns.start",   "justification" },
        { "POST",   "/api/v1/campaigns/{id}/pause",             routes_campaigns_pause,      BEARER, ROLES_CAMPAIGN_RUNNERS, "campaigns.pause",   NULL },
        { "POST",   "/api/v1/campaigns/{id}/resume",            routes_campaigns_resume,     BEARER, ROLES_CAMPAIGN_RUNNERS, "campaigns.resume",  NULL },
        { "POST",   "/api/v1/campaigns/{id}/approve",           routes_campaigns_approve,    BEARER, ROLES_CAMPAIGN_RUNNERS, "campaigns.approve", NULL },
        { "POST",   "/api/v1/campaigns/{id}/abort",             routes_campaigns_abort,      BEARER, ROLES_CAMPAIGN_RUNNERS, "campaigns.abort",   NULL },

        { "POST",   "/api/v1/devices/{serial}/actions/{id}/cancel", routes_devices_action_cancel, BEARER, ROLES_PRODUCT_WRITERS, "devices.action-cancel", NULL },

        /* hawkBit DDI (issue 8): tenant = product model, controllerId = device serial. */
        { "POST",   "/api/v1/devices/{serial}/ddi-token",       routes_devices_ddi_token_issue, BEARER, ROLE_ADMIN,        "devices.ddi-token-issue", NULL },
        { "DELETE", "/api/v1/devices/{serial}/ddi-token",       routes_devices_ddi_token_revoke, BEARER, ROLE_ADMIN,       "devices.ddi-token-revoke", NULL },
        { "GET",    "/api/v1/devices/{serial}/config-data",     routes_devices_config_data,  BEARER, ROLE_ALL,             "devices.config-data", NULL },
        { "GET",    DDI_BASE,                                   routes_ddi_base,             DDI,    0,                    "ddi.base",           NULL },
        { "GET",    DDI_BASE "/deploymentBase/{actionId}",      routes_ddi_deployment_base,  DDI,    0,                    "ddi.deployment-base", "c,actionHistory" },
        { "POST",   DDI_BASE "/deploymentBase/{actionId}/feedback", routes_ddi_deployment_feedback, DDI, 0,                "ddi.deployment-feedback", NULL },
        { "GET",    DDI_BASE "/installedBase/{actionId}",       routes_ddi_installed_base,   DDI,    0,                    "ddi.installed-base", "actionHistory" },
        { "GET",    DDI_BASE "/cancelAction/{actionId}",        routes_ddi_cancel_action,    DDI,    0,                    "ddi.cancel-action",  NULL },
        { "POST",   DDI_BASE "/cancelAction/{actionId}/feedback", routes_ddi_cancel_feedback, DDI,   0,                    "ddi.cancel-feedback", NULL },
        { "PUT",    DDI_BASE "/configData",                     routes_ddi_config_data,      DDI,    0,                    "ddi.config-data",    NULL },
        { "GET",    DDI_BASE "/softwaremodules/{moduleId}/artifacts/{fileName}", routes_ddi_artifact, DDI, 0,              "ddi.artifact",       NULL },

        /* Vulnerability feeds (issue 9 section 2): security officers import, auditors read. */
        { "POST",   "/api/v1/vulns/import",                     routes_vulns_import,         BEARER, ROLES_VULN_IMPORTERS, "vulns.import",       "name", STREAM },
        { "GET",    "/api/v1/vulns",                            routes_vulns_list,           BEARER, ROLES_VULN_READERS,   "vulns.list",         "q,exploited,after,limit" },
        { "GET",    "/api/v1/vulns/{id}",                       routes_vulns_get,            BEARER, ROLES_VULN_READERS,   "vulns.get",          NULL },
        /* VEX (issue 9): security officers import triage; auditors and security officers export it. */
        { "POST",   "/api/v1/vex",                              routes_vex_import,           BEARER, ROLES_VEX_IMPORTERS,  "vex.import",         "release,name" },
        { "GET",    "/api/v1/releases/{id}/vex",                routes_vex_export,           BEARER, ROLES_VEX_EXPORTERS,  "vex.export",         "format" },
        /* Findings, triage and exposure (issue 9): security officers triage, auditors read. */
        { "GET",    "/api/v1/findings",                         routes_findings_list,        BEARER, ROLES_FINDINGS_READERS, "findings.list",
          "new,gone,release,vuln,state,after,limit" },
        { "POST",   "/api/v1/findings/match",                   routes_findings_match,       BEARER, ROLES_TRIAGERS,         "findings.match",    NULL },
        { "GET",    "/api/v1/findings/{id}",                    routes_findings_get,         BEARER, ROLES_FINDINGS_READERS, "findings.get",      NULL },
        { "POST",   "/api/v1/findings/{id}/state",              routes_findings_set_state,   BEARER, ROLES_TRIAGERS,         "findings.set-state", NULL },
        { "GET",    "/api/v1/exposure/{vuln}",                  routes_exposure_get,         BEARER, ROLES_FINDINGS_READERS, "exposure.get",      "list,after,limit" },
        { "GET",    "/api/v1/vulns/{id}/explain",               routes_vulns_explain,        BEARER, ROLES_FINDINGS_READERS, "vulns.explain",     "component,release" },
        /* CRA reporting cases (issue 10 sections 1-2): security officers own them, auditors read */
        { "GET",    "/api/v1/cases",                            routes_cases_list,           BEARER, ROLES_CASE_READERS,   "cases.list",         "state,before,limit" },
        { "POST",   "/api/v1/cases",                            routes_cases_create,         BEARER, ROLES_CASE_OWNERS,    "cases.create",       NULL },
        { "GET",    "/api/v1/cases/{ref}",                      routes_cases_get,            BEARER, ROLES_CASE_READERS,   "cases.get",          NULL },
        { "PATCH",  "/api/v1/cases/{ref}",                      routes_cases_update,         BEARER, ROLES_CASE_OWNERS,    "cases.update",       NULL },
        { "POST",   "/api/v1/cases/{ref}/state",                routes_cases_state,          BEARER, ROLES_CASE_OWNERS,    "cases.state",        NULL },
        { "POST",   "/api/v1/cases/{ref}/aware",                routes_cases_aware,          BEARER, ROLES_CASE_OWNERS,    "cases.aware",        NULL },
        { "POST",   "/api/v1/cases/{ref}/link",                 routes_cases_link,           BEARER, ROLES_CASE_OWNERS,    "cases.link",         NULL },
        /* SBOM ingestion (issue 9, section 1): release managers attach, security
         * officers and auditors read. */
        { "GET",    "/api/v1/releases/{id}/sboms",              routes_sbom_release_list,    BEARER, ROLES_SBOM_READERS,    "sboms.list",         NULL },
        { "POST",   "/api/v1/releases/{id}/sboms",              routes_sbom_attach,          BEARER, ROLES_PRODUCT_WRITERS, "sboms.attach",       NULL },
        { "GET",    "/api/v1/releases/{id}/sbom/export",        routes_sbom_export,          BEARER, ROLES_SBOM_READERS,    "sboms.export",       NULL },
        { "GET",    "/api/v1/sboms/{id}",                       routes_sbom_get,             BEARER, ROLES_SBOM_READERS,    "sboms.get",          NULL },
        { "GET",    "/api/v1/sboms/{id}/quality",               routes_sbom_quality,         BEARER, ROLES_SBOM_READERS,    "sboms.quality",      NULL },
        { "GET",    "/api/v1/sboms/{id}/components",            routes_sbom_components,      BEARER, ROLES_SBOM_READERS,    "sboms.components",   "after,limit" },
        { "GET",    "/api/v1/components",                       routes_components_search,    BEARER, ROLES_SBOM_READERS,    "components.search",
          "name,purl,cpe,release,after,limit" },

        /* Operator users (issue 11). */
        { "GET",    "/api/v1/users",                      routes_users_list,        BEARER, ROLE_ADMIN | ROLE_AUDITOR, "users.list",        NULL },
        { "POST",   "/api/v1/users",                      routes_users_create,      BEARER, ROLE_ADMIN,                "users.create",      NULL },
        { "GET",    "/api/v1/users/{name}",               routes_users_get,         BEARER, ROLE_ADMIN | ROLE_AUDITOR, "users.get",         NULL },
        { "POST",   "/api/v1/users/{name}/roles",         routes_users_role_add,    BEARER, ROLE_ADMIN,                "users.role-add",    NULL },
        { "DELETE", "/api/v1/users/{name}/roles/{role}",  routes_users_role_remove, BEARER, ROLE_ADMIN,                "users.role-remove", NULL },
        { "DELETE", "/api/v1/users/{name}",               routes_users_disable,     BEARER, ROLE_ADMIN,                "users.disable",     NULL },

        /* M-of-N approvals (issue 11): who may vote on a request is the request's policy (approval.h). */
        { "GET",    "/api/v1/approvals",                  routes_approvals_list,    BEARER, ROLE_ALL,                  "approvals.list",    "state" },
        { "GET",    "/api/v1/approvals/{id}",             routes_approvals_get,     BEARER, ROLE_ALL,                  "approvals.get",     NULL },
        { "POST",   "/api/v1/approvals/{id}/approve",     routes_approvals_approve, BEARER, ROLES_APPROVERS,           "approvals.approve", NULL },
        { "POST",   "/api/v1/approvals/{id}/reject",      routes_approvals_reject,  BEARER, ROLES_APPROVERS,           "approvals.reject",  NULL },
        { "GET",    "/api/v1/approval-policies",          routes_approval_policies_list, BEARER, ROLE_ALL,             "approval-policies.list", NULL },
        { "PUT",    "/api/v1/approval-policies/{operation}", routes_approval_policies_set, BEARER, ROLE_ADMIN,         "approval-policies.set", "justification" },
        /* Debug-authorisation tokens (issue 11 section 4): engineers of any writing role ask (not the
         * read-only auditor); approvals go through /api/v1/approvals; everyone reads the per-device list. */
        { "POST",   "/api/v1/debug/requests",             routes_debug_request,     BEARER, ROLES_DEBUG_REQUESTERS,    "debug.request",     NULL },
        { "GET",    "/api/v1/debug/requests/{id}/token",  routes_debug_token_get,   BEARER, ROLES_DEBUG_REQUESTERS,    "debug.token",       NULL },
        { "GET",    "/api/v1/debug/tokens",               routes_debug_tokens_list, BEARER, ROLE_ALL,                  "debug.tokens",      "device" },
        { "GET",    "/api/v1/debug/key",                  routes_debug_key,         BEARER, ROLE_ALL,                  "debug.key",         NULL },
        /* SRP report packages (issue 10 section 3): producing one changes nothing, auditors may too */
        { "POST",   "/api/v1/cases/{ref}/report",               routes_cases_report,         BEARER, ROLES_CASE_READERS,   "cases.report",       NULL },
        { "POST",   "/api/v1/cases/{ref}/submissions",          routes_cases_submit,         BEARER, ROLES_CASE_OWNERS,    "cases.submit",       NULL },
        { "GET",    "/api/v1/cases/{ref}/submissions",          routes_cases_submissions,    BEARER, ROLES_CASE_READERS,   "cases.submissions",  NULL },
        /* informing users and end of support (issue 10 section 6): owner references are admin's */
        { "PUT",    "/api/v1/devices/{serial}/owner",           routes_devices_owner_set,    BEARER, ROLE_ADMIN,           "devices.owner-set",  NULL },
        { "PUT",    "/api/v1/batches/{id}/owner",               routes_batches_owner_set,    BEARER, ROLE_ADMIN,           "batches.owner-set",  NULL },
        { "GET",    "/api/v1/cases/{ref}/notify-list",          routes_cases_notify_list,    BEARER, ROLES_CASE_READERS,   "cases.notify-list",  "format" },
        { "POST",   "/api/v1/cases/{ref}/notify-list/send",     routes_cases_notify_list_send, BEARER, ROLES_CASE_OWNERS,  "cases.notify-list-send", NULL },
        { "GET",    "/.well-known/cradle/support.json",         routes_support_json,         PUBLIC, 0,                    "support.json",       NULL },
        /* SRP report drafts (issue 10 section 3): saved by case owners, read by case readers */
        { "PUT",    "/api/v1/cases/{ref}/report-draft",         routes_cases_report_draft_put, BEARER, ROLES_CASE_OWNERS,  "cases.report-draft-put", NULL },
        { "GET",    "/api/v1/cases/{ref}/report-draft",         routes_cases_report_draft_get, BEARER, ROLES_CASE_READERS, "cases.report-draft-get", "stage" },
        /* The key registry (issue 11 section 2): admins and security officers manage, auditors read. */
        { "GET",    "/api/v1/keys",                             routes_keys_list,            BEARER, ROLES_KEY_READERS,    "keys.list",          "class,state,due_within" },
        { "GET",    "/api/v1/keys/{key}",                       routes_keys_get,             BEARER, ROLES_KEY_READERS,    "keys.get",           NULL },
        { "PUT",    "/api/v1/keys/{key}/owner",                 routes_keys_set_owner,       BEARER, ROLES_KEY_MANAGERS,   "keys.set-owner",     NULL },
        { "POST",   "/api/v1/keys/{key}/custodians",            routes_keys_custodian_add,   BEARER, ROLES_KEY_MANAGERS,   "keys.custodian-add", NULL },
        { "DELETE", "/api/v1/keys/{key}/custodians/{user}",     routes_keys_custodian_remove, BEARER, ROLES_KEY_MANAGERS,  "keys.custodian-remove", NULL },
        { "POST",   "/api/v1/keys/{key}/state",                 routes_keys_set_state,       BEARER, ROLES_KEY_MANAGERS,   "keys.set-state",     NULL },
        { "POST",   "/api/v1/keys/{key}/compromised",           routes_keys_compromised,     BEARER, ROLES_KEY_MANAGERS,   "keys.compromised",   NULL },
        /* CSAF advisories (issue 10 section 5): a draft changes nothing (auditors may), publishing is the
         * security officer's; the provider directory is public (TLP:WHITE only) */
        { "GET",    "/api/v1/cases/{ref}/advisory",             routes_cases_advisory,       BEARER, ROLES_CASE_READERS,   "cases.advisory",     "type" },
        { "POST",   "/api/v1/cases/{ref}/publish",              routes_cases_publish,        BEARER, ROLES_CASE_OWNERS,    "cases.publish",      NULL },
        { "GET",    "/api/v1/cases/{ref}/advisory/revisions",   routes_cases_advisory_revisions, BEARER, ROLES_CASE_READERS, "cases.advisory-revisions", "type" },
        { "GET",    "/api/v1/cases/{ref}/advisory/revisions/{number}", routes_cases_advisory_revision, BEARER, ROLES_CASE_READERS, "cases.advisory-revision", "type" },
        { "GET",    "/.well-known/csaf/provider-metadata.json", routes_csaf_provider_metadata, PUBLIC, 0,                  "csaf.provider-metadata", NULL },
        { "GET",    "/.well-known/csaf/{dir}/{file}",           routes_csaf_file,            PUBLIC, 0,                    "csaf.file",          NULL },
        { "GET",    "/.well-known/csaf/{dir}/{year}/{file}",    routes_csaf_document,        PUBLIC, 0,                    "csaf.document",      NULL },
        /* The public CVD intake (issue 10 section 4): HTML without scripts, rate limited per
         * address; the follow-up link's secret is redacted from the access log (SECRET). */
        { "GET",    "/.well-known/security.txt",                routes_cvd_security_txt,     PUBLIC, 0,                    "cvd.security-txt",   NULL },
        { "GET",    "/cvd/openpgp-key.asc",                     routes_cvd_key,              PUBLIC, 0,                    "cvd.key",            NULL },
        { "GET",    "/cvd/report",                              routes_cvd_form,             PUBLIC, 0,                    "cvd.form",           NULL },
        { "POST",   "/cvd/report",                              routes_cvd_report,           PUBLIC, 0,                    "cvd.report",         NULL },
        { "GET",    "/cvd/follow/{ref}/{secret}",               routes_cvd_follow,           PUBLIC, 0,                    "cvd.follow",         NULL, SECRET },
        { "POST",   "/cvd/follow/{ref}/messages",               routes_cvd_follow_message,   PUBLIC, 0,                    "cvd.follow-message", NULL },
        { "GET",    "/api/v1/cases/{ref}/messages",             routes_cases_messages,       BEARER, ROLES_CASE_READERS,   "cases.messages",     NULL },
        { "POST",   "/api/v1/cases/{ref}/messages",             routes_cases_reply,          BEARER, ROLES_CASE_OWNERS,    "cases.reply",        NULL },
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
        case ROUTE_AUTH_DDI:
                return "ddi";
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
        case ROUTE_AUTH_DDI:
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
        if (r->auth == ROUTE_AUTH_DEVICE || r->auth == ROUTE_AUTH_DDI) {
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

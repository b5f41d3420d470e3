/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/*
 * The one route table of the operator API, and the handlers it names (one
 * routes-<resource>.c file per resource). docs/openapi.json describes exactly
 * this table; tests/unit/test-openapi.c keeps the two equal.
 */
#include <jansson.h>
#include "route.h"

const struct route *routes_table(size_t *n_out);

/* [{"method","path","roles":[...],"auth"}] in table order; roles in enum
 * role order; auth as route_auth_name. */
json_t *routes_to_json(const struct route *routes, size_t n);
/* JSON array of role names in a bitmask (enum role order). */
json_t *routes_roles_to_json(unsigned roles);
/* Who may call a route, as x-cradle-roles lists it: the bearer roles, or
 * ["device"] for a device route (ROUTES_ROLE_DEVICE); [] when public. */
#define ROUTES_ROLE_DEVICE "device"
json_t *routes_route_roles_to_json(const struct route *r);

/* routes-health.c */
int routes_health_get(struct route_ctx *ctx, struct http_response *resp, struct error *err);
int routes_metrics_get(struct route_ctx *ctx, struct http_response *resp, struct error *err);
/* routes-whoami.c */
int routes_whoami_get(struct route_ctx *ctx, struct http_response *resp, struct error *err);
/* routes-users.c (issue 11) */
int routes_users_list(struct route_ctx *ctx, struct http_response *resp, struct error *err);
int routes_users_create(struct route_ctx *ctx, struct http_response *resp, struct error *err);
int routes_users_get(struct route_ctx *ctx, struct http_response *resp, struct error *err);
int routes_users_role_add(struct route_ctx *ctx, struct http_response *resp, struct error *err);
int routes_users_role_remove(struct route_ctx *ctx, struct http_response *resp, struct error *err);
int routes_users_disable(struct route_ctx *ctx, struct http_response *resp, struct error *err);

/* routes-approvals.c (issue 11) */
int routes_approvals_list(struct route_ctx *ctx, struct http_response *resp, struct error *err);
int routes_approvals_get(struct route_ctx *ctx, struct http_response *resp, struct error *err);
int routes_approvals_approve(struct route_ctx *ctx, struct http_response *resp, struct error *err);
int routes_approvals_reject(struct route_ctx *ctx, struct http_response *resp, struct error *err);
int routes_approval_policies_list(struct route_ctx *ctx, struct http_response *resp, struct error *err);
int routes_approval_policies_set(struct route_ctx *ctx, struct http_response *resp, struct error *err);
/* A governed route asks first: 1 = the operation became an approval request
 * (202 with the request, ?justification= recorded), 0 = not governed, run it
 * now, -1 = error. params: the operation's exact parameters. */
int route_approval_gate(struct route_ctx *ctx, struct http_response *resp, const char *op, json_t *params,
                        struct error *err);

/* routes-debug.c (issue 11 section 4): debug-authorisation tokens */
int routes_debug_request(struct route_ctx *ctx, struct http_response *resp, struct error *err);
int routes_debug_token_get(struct route_ctx *ctx, struct http_response *resp, struct error *err);
int routes_debug_tokens_list(struct route_ctx *ctx, struct http_response *resp, struct error *err);
int routes_debug_key(struct route_ctx *ctx, struct http_response *resp, struct error *err);
/* The executor of an approved debug.issue request (routes-approvals.c calls it). */
struct audit_actor;
struct store;
int routes_debug_issue_run(struct route_ctx *ctx, struct store *s, const struct audit_actor *as, json_t *params,
                           json_t **result, struct error *err);

/* routes-tokens.c */
int routes_tokens_list(struct route_ctx *ctx, struct http_response *resp, struct error *err);
int routes_tokens_create(struct route_ctx *ctx, struct http_response *resp, struct error *err);
int routes_tokens_revoke(struct route_ctx *ctx, struct http_response *resp, struct error *err);
/* routes-products.c */
int routes_products_list(struct route_ctx *ctx, struct http_response *resp, struct error *err);
int routes_products_create(struct route_ctx *ctx, struct http_response *resp, struct error *err);
int routes_products_get(struct route_ctx *ctx, struct http_response *resp, struct error *err);
int routes_products_update(struct route_ctx *ctx, struct http_response *resp, struct error *err);
/* routes-audit.c */
int routes_audit_list(struct route_ctx *ctx, struct http_response *resp, struct error *err);
int routes_audit_verify(struct route_ctx *ctx, struct http_response *resp, struct error *err);
int routes_audit_checkpoints(struct route_ctx *ctx, struct http_response *resp, struct error *err);
/* routes-est.c */
int routes_est_cacerts(struct route_ctx *ctx, struct http_response *resp, struct error *err);
int routes_est_cacerts_label(struct route_ctx *ctx, struct http_response *resp, struct error *err);
int routes_est_csrattrs(struct route_ctx *ctx, struct http_response *resp, struct error *err);
int routes_est_simpleenroll(struct route_ctx *ctx, struct http_response *resp, struct error *err);
int routes_est_simplereenroll(struct route_ctx *ctx, struct http_response *resp, struct error *err);
/* routes-device.c */
int routes_device_whoami(struct route_ctx *ctx, struct http_response *resp, struct error *err);
int routes_device_claim(struct route_ctx *ctx, struct http_response *resp, struct error *err);
/* routes-pki.c */
int routes_pki_crl_get(struct route_ctx *ctx, struct http_response *resp, struct error *err);
/* routes-device-cas.c */
int routes_device_cas_list(struct route_ctx *ctx, struct http_response *resp, struct error *err);
int routes_device_cas_create(struct route_ctx *ctx, struct http_response *resp, struct error *err);
int routes_device_cas_get(struct route_ctx *ctx, struct http_response *resp, struct error *err);
int routes_device_cas_install(struct route_ctx *ctx, struct http_response *resp, struct error *err);
/* routes-batches.c */
int routes_batches_list(struct route_ctx *ctx, struct http_response *resp, struct error *err);
int routes_batches_create(struct route_ctx *ctx, struct http_response *resp, struct error *err);
int routes_batches_get(struct route_ctx *ctx, struct http_response *resp, struct error *err);
int routes_batches_close(struct route_ctx *ctx, struct http_response *resp, struct error *err);
int routes_batches_set_migration_key(struct route_ctx *ctx, struct http_response *resp,
                                     struct error *err);
/* routes-devices.c */
int routes_devices_list(struct route_ctx *ctx, struct http_response *resp, struct error *err);
int routes_devices_get(struct route_ctx *ctx, struct http_response *resp, struct error *err);
int routes_devices_revoke(struct route_ctx *ctx, struct http_response *resp, struct error *err);
int routes_devices_decommission(struct route_ctx *ctx, struct http_response *resp, struct error *err);
int routes_certificates_revoke(struct route_ctx *ctx, struct http_response *resp, struct error *err);
/* routes-migration.c */
int routes_migration_open(struct route_ctx *ctx, struct http_response *resp, struct error *err);
int routes_migration_close(struct route_ctx *ctx, struct http_response *resp, struct error *err);
/* routes-security-events.c */
int routes_security_events_list(struct route_ctx *ctx, struct http_response *resp, struct error *err);
/* routes-releases.c (issue 4: releases, signing flow, image repositories) */
int routes_releases_list(struct route_ctx *ctx, struct http_response *resp, struct error *err);
int routes_releases_create(struct route_ctx *ctx, struct http_response *resp, struct error *err);
int routes_releases_get(struct route_ctx *ctx, struct http_response *resp, struct error *err);
int routes_releases_upload_image(struct route_ctx *ctx, struct http_response *resp, struct error *err);
int routes_releases_upload_sbom(struct route_ctx *ctx, struct http_response *resp, struct error *err);
/* vulnerability feeds (issue 9 section 2): routes-vulns.c */
int routes_vulns_import(struct route_ctx *ctx, struct http_response *resp, struct error *err);
int routes_vulns_list(struct route_ctx *ctx, struct http_response *resp, struct error *err);
int routes_vulns_get(struct route_ctx *ctx, struct http_response *resp, struct error *err);
/* CRA reporting cases (issue 10) */
int routes_cases_list(struct route_ctx *ctx, struct http_response *resp, struct error *err);
int routes_cases_create(struct route_ctx *ctx, struct http_response *resp, struct error *err);
int routes_cases_get(struct route_ctx *ctx, struct http_response *resp, struct error *err);
int routes_cases_update(struct route_ctx *ctx, struct http_response *resp, struct error *err);
int routes_cases_state(struct route_ctx *ctx, struct http_response *resp, struct error *err);
int routes_cases_aware(struct route_ctx *ctx, struct http_response *resp, struct error *err);
int routes_cases_link(struct route_ctx *ctx, struct http_response *resp, struct error *err);
/* SRP report packages and submissions (issue 10 section 3) */
int routes_cases_report(struct route_ctx *ctx, struct http_response *resp, struct error *err);
/* CSAF advisories and the provider directory (issue 10 section 5; routes-csaf.c) */
int routes_cases_advisory(struct route_ctx *ctx, struct http_response *resp, struct error *err);
int routes_cases_publish(struct route_ctx *ctx, struct http_response *resp, struct error *err);
int routes_cases_advisory_revisions(struct route_ctx *ctx, struct http_response *resp, struct error *err);
int routes_cases_advisory_revision(struct route_ctx *ctx, struct http_response *resp, struct error *err);
int routes_csaf_provider_metadata(struct route_ctx *ctx, struct http_response *resp, struct error *err);
int routes_csaf_file(struct route_ctx *ctx, struct http_response *resp, struct error *err);
int routes_csaf_document(struct route_ctx *ctx, struct http_response *resp, struct error *err);
int routes_cases_submit(struct route_ctx *ctx, struct http_response *resp, struct error *err);
int routes_cases_submissions(struct route_ctx *ctx, struct http_response *resp, struct error *err);
/* informing users and end of support (issue 10 section 6; routes-notify.c) */
int routes_devices_owner_set(struct route_ctx *ctx, struct http_response *resp, struct error *err);
int routes_batches_owner_set(struct route_ctx *ctx, struct http_response *resp, struct error *err);
int routes_cases_notify_list(struct route_ctx *ctx, struct http_response *resp, struct error *err);
int routes_cases_notify_list_send(struct route_ctx *ctx, struct http_response *resp, struct error *err);
int routes_support_json(struct route_ctx *ctx, struct http_response *resp, struct error *err);
/* SRP report drafts (issue 10 section 3; routes-case-report.c) */
int routes_cases_report_draft_put(struct route_ctx *ctx, struct http_response *resp, struct error *err);
int routes_cases_report_draft_get(struct route_ctx *ctx, struct http_response *resp, struct error *err);
int routes_releases_prepare(struct route_ctx *ctx, struct http_response *resp, struct error *err);
int routes_releases_targets_metadata(struct route_ctx *ctx, struct http_response *resp, struct error *err);
int routes_releases_sign(struct route_ctx *ctx, struct http_response *resp, struct error *err);
int routes_releases_publish(struct route_ctx *ctx, struct http_response *resp, struct error *err);
int routes_releases_withdraw(struct route_ctx *ctx, struct http_response *resp, struct error *err);
int routes_images_delete(struct route_ctx *ctx, struct http_response *resp, struct error *err);
int routes_repos_list(struct route_ctx *ctx, struct http_response *resp, struct error *err);
int routes_repos_create(struct route_ctx *ctx, struct http_response *resp, struct error *err);
int routes_repos_get(struct route_ctx *ctx, struct http_response *resp, struct error *err);
int routes_repos_online_keys(struct route_ctx *ctx, struct http_response *resp, struct error *err);
int routes_repos_online_keys_next(struct route_ctx *ctx, struct http_response *resp, struct error *err);
int routes_repos_rotate_root(struct route_ctx *ctx, struct http_response *resp, struct error *err);
/* routes-repo.c (issue 4: the image repositories as static files) */
int routes_repo_file(struct route_ctx *ctx, struct http_response *resp, struct error *err);
int routes_repo_target(struct route_ctx *ctx, struct http_response *resp, struct error *err);
/* routes-director.c (issue 4: director, assignments, update traceability) */
int routes_director_get(struct route_ctx *ctx, struct http_response *resp, struct error *err);
int routes_director_online_keys(struct route_ctx *ctx, struct http_response *resp, struct error *err);
int routes_director_root_install(struct route_ctx *ctx, struct http_response *resp, struct error *err);
int routes_assignments_create(struct route_ctx *ctx, struct http_response *resp, struct error *err);
int routes_devices_tags_set(struct route_ctx *ctx, struct http_response *resp, struct error *err);
int routes_devices_tags_bulk(struct route_ctx *ctx, struct http_response *resp, struct error *err);
int routes_devices_history(struct route_ctx *ctx, struct http_response *resp, struct error *err);
int routes_devices_actions(struct route_ctx *ctx, struct http_response *resp, struct error *err);
int routes_device_director_root(struct route_ctx *ctx, struct http_response *resp, struct error *err);
int routes_device_director_root_version(struct route_ctx *ctx, struct http_response *resp, struct error *err);
int routes_device_director_targets(struct route_ctx *ctx, struct http_response *resp, struct error *err);
int routes_device_status(struct route_ctx *ctx, struct http_response *resp, struct error *err);
/* routes-campaigns.c (issue 8: rollout campaigns) */
int routes_campaigns_list(struct route_ctx *ctx, struct http_response *resp, struct error *err);
int routes_campaigns_create(struct route_ctx *ctx, struct http_response *resp, struct error *err);
int routes_campaigns_get(struct route_ctx *ctx, struct http_response *resp, struct error *err);
int routes_campaigns_start(struct route_ctx *ctx, struct http_response *resp, struct error *err);
int routes_campaigns_pause(struct route_ctx *ctx, struct http_response *resp, struct error *err);
int routes_campaigns_resume(struct route_ctx *ctx, struct http_response *resp, struct error *err);
int routes_campaigns_approve(struct route_ctx *ctx, struct http_response *resp, struct error *err);
int routes_campaigns_abort(struct route_ctx *ctx, struct http_response *resp, struct error *err);
/* routes-ddi.c (issue 8: hawkBit DDI, and the operator routes that go with it) */
int routes_ddi_base(struct route_ctx *ctx, struct http_response *resp, struct error *err);
int routes_ddi_deployment_base(struct route_ctx *ctx, struct http_response *resp, struct error *err);
int routes_ddi_deployment_feedback(struct route_ctx *ctx, struct http_response *resp, struct error *err);
int routes_ddi_installed_base(struct route_ctx *ctx, struct http_response *resp, struct error *err);
int routes_ddi_cancel_action(struct route_ctx *ctx, struct http_response *resp, struct error *err);
int routes_ddi_cancel_feedback(struct route_ctx *ctx, struct http_response *resp, struct error *err);
int routes_ddi_config_data(struct route_ctx *ctx, struct http_response *resp, struct error *err);
int routes_ddi_artifact(struct route_ctx *ctx, struct http_response *resp, struct error *err);
int routes_devices_ddi_token_issue(struct route_ctx *ctx, struct http_response *resp, struct error *err);
int routes_devices_ddi_token_revoke(struct route_ctx *ctx, struct http_response *resp, struct error *err);
int routes_devices_config_data(struct route_ctx *ctx, struct http_response *resp, struct error *err);
int routes_devices_action_cancel(struct route_ctx *ctx, struct http_response *resp, struct error *err);
/* routes-vex.c (issue 9: VEX import and export) */
int routes_vex_import(struct route_ctx *ctx, struct http_response *resp, struct error *err);
int routes_vex_export(struct route_ctx *ctx, struct http_response *resp, struct error *err);
/* routes-findings.c (issue 9: findings, triage, exposure) */
int routes_findings_list(struct route_ctx *ctx, struct http_response *resp, struct error *err);
int routes_findings_get(struct route_ctx *ctx, struct http_response *resp, struct error *err);
int routes_findings_set_state(struct route_ctx *ctx, struct http_response *resp, struct error *err);
int routes_findings_match(struct route_ctx *ctx, struct http_response *resp, struct error *err);
int routes_exposure_get(struct route_ctx *ctx, struct http_response *resp, struct error *err);
int routes_vulns_explain(struct route_ctx *ctx, struct http_response *resp, struct error *err);
/* routes-cvd.c (issue 10 section 4: the public CVD intake and the team's messages) */
int routes_cvd_security_txt(struct route_ctx *ctx, struct http_response *resp, struct error *err);
int routes_cvd_key(struct route_ctx *ctx, struct http_response *resp, struct error *err);
int routes_cvd_form(struct route_ctx *ctx, struct http_response *resp, struct error *err);
int routes_cvd_report(struct route_ctx *ctx, struct http_response *resp, struct error *err);
int routes_cvd_follow(struct route_ctx *ctx, struct http_response *resp, struct error *err);
int routes_cvd_follow_message(struct route_ctx *ctx, struct http_response *resp, struct error *err);
int routes_cases_messages(struct route_ctx *ctx, struct http_response *resp, struct error *err);
int routes_cases_reply(struct route_ctx *ctx, struct http_response *resp, struct error *err);
/* routes-sbom.c (issue 9: SBOM ingestion) */
int routes_sbom_attach(struct route_ctx *ctx, struct http_response *resp, struct error *err);
int routes_sbom_release_list(struct route_ctx *ctx, struct http_response *resp, struct error *err);
int routes_sbom_export(struct route_ctx *ctx, struct http_response *resp, struct error *err);
int routes_sbom_get(struct route_ctx *ctx, struct http_response *resp, struct error *err);
int routes_sbom_quality(struct route_ctx *ctx, struct http_response *resp, struct error *err);
int routes_sbom_components(struct route_ctx *ctx, struct http_response *resp, struct error *err);
int routes_components_search(struct route_ctx *ctx, struct http_response *resp, struct error *err);
/* routes-keys.c (issue 11 section 2: the key registry) */
int routes_keys_list(struct route_ctx *ctx, struct http_response *resp, struct error *err);
int routes_keys_get(struct route_ctx *ctx, struct http_response *resp, struct error *err);
int routes_keys_set_owner(struct route_ctx *ctx, struct http_response *resp, struct error *err);
int routes_keys_custodian_add(struct route_ctx *ctx, struct http_response *resp, struct error *err);
int routes_keys_custodian_remove(struct route_ctx *ctx, struct http_response *resp, struct error *err);
int routes_keys_set_state(struct route_ctx *ctx, struct http_response *resp, struct error *err);
int routes_keys_compromised(struct route_ctx *ctx, struct http_response *resp, struct error *err);

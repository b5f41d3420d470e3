/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/*
 * The findings engine (issue 9): continuous matching of every stored SBOM
 * component against every vulnerability, the events it raises, and the reads
 * the API and CLI give (docs/vulnerabilities.md, "Findings, monitoring and
 * exposure").
 *
 * Matching. An SBOM upload queues its document (sbom_match_queue), a feed
 * import the vulnerabilities it changed (vuln_match_queue). Draining a
 * document matches each of its components against the affected entries
 * keyed like one of its identifiers (purl "type/namespace/name", CPE
 * "vendor:product"); a component without any usable identifier is looked up
 * by its lowercased name (the matcher labels such a match low-confidence).
 * Draining a vulnerability re-matches every component it may concern, and
 * those it has live findings on. Each (component, vulnerability) keeps its
 * best evidence (purl over CPE over name) as a finding; a match that no
 * longer holds (a withdrawn record, a narrowed range) sets gone_at, and a
 * finding is never deleted. A new finding takes over the triage of the same
 * vulnerability on an earlier release of the same product when the
 * component's name, version and purls are unchanged (carried_from, audited
 * as "finding.carried").
 *
 * Events. A live finding on a released (ever published) release raises one
 * "vuln.finding" security event, its severity the vulnerability's CVSS
 * severity (none -> low); a KEV-listed one raises, once per vulnerability
 * and product, the critical "vuln.actively_exploited" event through
 * vuln_on_actively_exploited (vuln/exploited.h), also when the KEV flag
 * arrives after the finding.
 */
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "store/store-finding.h"
#include "store/store.h"

struct vuln_findings_report {
        int64_t documents, vulns;       /* queue entries drained */
        int64_t created, rematched, gone, carried;
        int64_t events, exploited_events;
};

/* Chunk of each queue a drain takes by default. */
#define VULN_FINDINGS_CHUNK 64

/* Matches one document's components / one vulnerability, in one transaction,
 * removing its queue entry (if any). Adds to *rep. */
int vuln_findings_match_document(struct store *s, int64_t document_id, int64_t now, struct vuln_findings_report *rep,
                                 struct error *err);
int vuln_findings_match_vuln(struct store *s, int64_t vuln_id, int64_t now, struct vuln_findings_report *rep,
                             struct error *err);
/* Raises the events of findings not yet notified (one transaction). */
int vuln_findings_notify(struct store *s, int64_t now, struct vuln_findings_report *rep, struct error *err);
/* Takes up to `chunk` entries of each queue (0 = VULN_FINDINGS_CHUNK), matches
 * each, then notifies. *more is set when a queue still has entries. */
int vuln_findings_drain(struct store *s, int64_t now, size_t chunk, struct vuln_findings_report *rep, bool *more,
                        struct error *err);
/* Drains until both queues are empty (tests, the CLI's synchronous path). */
int vuln_findings_drain_all(struct store *s, int64_t now, struct vuln_findings_report *rep, struct error *err);

/* ---- reads ---- */

/* {"items": [finding...], "next_after_id": N|null}. filter->vuln_id is set
 * from `vuln_alias` when given (unknown: ERROR_NOT_FOUND). */
int vuln_findings_list(struct store *s, struct store_finding_filter *filter, const char *vuln_alias, json_t **out,
                       struct error *err);
int vuln_finding_get(struct store *s, int64_t id, json_t **out, struct error *err);
json_t *vuln_finding_to_json(const struct store_finding *f);

/* `cradle vuln explain`: runs the matcher on every affected entry of the
 * vulnerability for one component and answers
 * {"component": {...}, "vulnerability": NAME, "matched": bool,
 *  "confidence": "purl"|"cpe"|"name"|null, "entries": [{record, result,
 *  explanation}...]}, non-matches included. The component is an id, or
 * NAME@VERSION with release_id. */
int vuln_findings_explain(struct store *s, const char *component, int64_t release_id, const char *vuln_alias,
                          json_t **out, struct error *err);

/* The /metrics text of the findings gauges:
 *   cradle_findings{state,severity}   live findings
 *   cradle_findings_created_total     every finding ever made (never deleted)
 *   cradle_findings_exploited         live, undismissed findings on KEV-listed vulnerabilities */
int vuln_findings_metrics_render(struct store *s, char **text, struct error *err);

/* POST /api/v1/findings/{id}/state: body {"state", "justification"?,
 * "action_statement"?, "reason"} (unknown fields refused), then
 * finding_set_state; *out is the finding as it is now. */
struct audit_actor;
int vuln_finding_set_state_json(struct store *s, const struct audit_actor *actor, int64_t id, json_t *body,
                                json_t **out, struct error *err);

/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/*
 * Vulnerability feed import (issue 9, docs/vulnerabilities.md "Vulnerability
 * feeds"). One entry point takes a file, detects its feed from its content
 * (OSV JSON record, array or ecosystem all.zip; NVD CVE API 2.0; CISA KEV;
 * EPSS CSV, plain or gzip; CSAF 2.0; EUVD), streams it record by record and
 * upserts each into the store:
 *  - every record names its vulnerability through ids (its own, aliases, the
 *    CVE); all records naming the same ids share one vulns row, named by the
 *    CVE when one is known; a record linking two existing vulns merges them
 *    (store_vuln_merge keeps findings consistent);
 *  - a record whose normalised content hash is unchanged writes nothing; a
 *    changed one replaces its affected rows; a withdrawn one keeps no
 *    affected rows, and a vuln all of whose records are withdrawn gets
 *    withdrawn_at;
 *  - a vuln whose matching-relevant data changed (affected rows, withdrawn,
 *    KEV, a merge) is queued in vuln_match_queue in the same transaction.
 * One file is one transaction and one audit entry ("vulns.import") with the
 * counts; a document that is malformed as a whole (truncated, wrong schema
 * version, over a limit) imports nothing and says why; a malformed record
 * inside a good document is skipped and counted with its reason.
 */
#include <jansson.h>
#include <stdint.h>

#include "audit/audit.h"
#include "core/error.h"

struct store;

struct vuln_import_limits {
        size_t max_record;      /* bytes of one record (0: 16 MiB) */
        size_t max_records;     /* records in one file (0: 10,000,000) */
        size_t max_zip_entry;   /* bytes of one file inside a zip (0: 16 MiB) */
};

/* Imports the feed file at `path`; `name` is what messages and the audit
 * entry call it (the uploaded file's name; NULL: path). `now` 0 = the
 * clock. On success *summary is
 *   {"file", "feed", "sources": {<source>: {"added", "updated", "unchanged",
 *    "withdrawn", "skipped", "merged"}}, "queued", "skipped": [{"source",
 *    "record", "reason"}] (the first 50), "notes": [...]}
 * and the caller owns it. */
int vuln_import_file(struct store *s, const struct audit_actor *actor, const char *path, const char *name,
                     const struct vuln_import_limits *limits, int64_t now, json_t **summary, struct error *err);

/* The same without detection: `feed` names the parser ("osv", "osv-array",
 * "osv-zip", "nvd", "kev", "epss", "csaf", "euvd"; the fuzz targets drive
 * each parser with it). */
int vuln_import_file_as(struct store *s, const struct audit_actor *actor, const char *path, const char *name,
                        const char *feed, const struct vuln_import_limits *limits, int64_t now, json_t **summary,
                        struct error *err);

/* One vulnerability as the API shows it, looked up by any alias:
 * name, aliases, summary, severity, CVSS, dates, KEV, EPSS, records (source,
 * id, modified, withdrawn) and affected entries. ERROR_NOT_FOUND names it. */
int vuln_show(struct store *s, const char *alias, json_t **out, struct error *err);

/* A page of vulnerabilities (id order): q a substring of a name, alias or
 * summary; exploited: KEV-listed only. {"items": [...], "next_after_id"}. */
int vuln_list(struct store *s, const char *q, bool exploited, int64_t after, size_t limit, json_t **out,
              struct error *err);

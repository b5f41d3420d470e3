/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/*
 * Between the feed parsers (feed-*.c) and the import (import.c): a parser
 * turns its source's records into vuln_feed_record and hands each to
 * vuln_import_record; the import owns detection, identity, hashing and the
 * store. Internal to src/vuln.
 */
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

#include "core/error.h"
#include "vuln/import.h"

struct vuln_import;

struct vuln_feed_record {
        const char *source;     /* "osv", "nvd", "kev", "csaf", "euvd" */
        const char *record_id;  /* unique within the source */
        const char *modified;   /* as written (required) */
        const char *published;  /* as written, or NULL */
        const char *withdrawn;  /* as written, or NULL */
        json_t *ids;            /* array of strings: every id naming the vulnerability (CVE, GHSA, OSV, EUVD) */
        json_t *data;           /* normalised object: summary, details, references, cwes, cvss {...}, ... */
        json_t *affected;       /* array of {"kind": "purl"|"cpe", "data": {...}} (may be NULL) */
        const char *exploited;  /* KEV: dateAdded, YYYY-MM-DD */
};

/* Upserts one record (import.h says how). A record that cannot be stored
 * as given (no id at all, an unparseable date) is skipped with its reason,
 * not an error; errors are the store's. */
int vuln_import_record(struct vuln_import *imp, const struct vuln_feed_record *r, struct error *err);
/* Counts a skipped record with its reason (printf-style). */
void vuln_import_skip(struct vuln_import *imp, const char *source, const char *record, const char *fmt, ...)
        __attribute__((format(printf, 4, 5)));
/* A note for the summary: what a source leaves out and why (once per text). */
void vuln_import_note(struct vuln_import *imp, const char *text);
/* EPSS for one CVE; a CVE no feed has named yet is counted as skipped. */
int vuln_import_epss(struct vuln_import *imp, const char *cve, const char *epss, const char *percentile,
                     struct error *err);
const struct vuln_import_limits *vuln_import_limits_of(const struct vuln_import *imp);

/* The feed parsers. `what` names the input in errors. */
int vuln_feed_osv_record(struct vuln_import *imp, const char *what, json_t *doc, struct error *err);
int vuln_feed_osv_array(struct vuln_import *imp, const char *what, FILE *f, struct error *err);
int vuln_feed_osv_zip(struct vuln_import *imp, const char *what, const char *path, struct error *err);
int vuln_feed_nvd(struct vuln_import *imp, const char *what, FILE *f, struct error *err);
int vuln_feed_kev(struct vuln_import *imp, const char *what, FILE *f, struct error *err);
int vuln_feed_epss(struct vuln_import *imp, const char *what, FILE *f, struct error *err);
int vuln_feed_csaf(struct vuln_import *imp, const char *what, json_t *doc, struct error *err);
int vuln_feed_euvd(struct vuln_import *imp, const char *what, FILE *f, struct error *err);

/* Shared helpers for the parsers (feed-common.c). */
/* A string field, or NULL when absent or not a string. */
const char *vuln_feed_str(json_t *obj, const char *key);
/* Appends `id` to the array unless already there (or NULL/empty). */
void vuln_feed_add_id(json_t *ids, const char *id);
/* Sets data.cvss from a vector (and a score given by the feed, or -1): the
 * v3.x score is computed when the feed gives none, and checked against
 * it when it does. false when the vector is malformed (nothing set). */
bool vuln_feed_set_cvss(json_t *data, const char *vector, double given_score, const char *source);
/* Parses the dates feeds write: "YYYY-MM-DD", "YYYY-MM-DDTHH:MM[:SS[.frac]]"
 * with "Z", an offset or nothing (UTC). 0 with *out, -1 otherwise. */
int vuln_feed_parse_time(const char *s, int64_t *out);

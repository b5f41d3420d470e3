/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The feed import (import.h): detection, one transaction per file, the
 * per-record upsert with alias merging, derived vulnerability fields, the
 * match queue and the summary.
 */
#include "vuln/import.h"

#include <archive.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "audit/audit.h"
#include "core/cleanup.h"
#include "core/json.h"
#include "core/strutil.h"
#include "core/time.h"
#include "crypto/hash.h"
#include "store/store-vuln.h"
#include "store/store.h"
#include "vuln/affected.h"
#include "vuln/feed.h"

#define SKIPPED_LISTED_MAX 50
#define PEEK_BYTES 65536

enum feed_kind { FEED_UNKNOWN, FEED_OSV, FEED_OSV_ARRAY, FEED_OSV_ZIP, FEED_NVD, FEED_KEV, FEED_EPSS, FEED_CSAF,
                 FEED_EUVD, FEED_NVD11 };

struct source_counts {
        const char *source;
        size_t added, updated, unchanged, withdrawn, skipped, merged;
};

static const char *const sources[] = {"osv", "nvd", "kev", "epss", "csaf", "euvd"};

struct vuln_import {
        struct store *s;
        int64_t now;
        struct vuln_import_limits limits;
        struct source_counts counts[6];
        json_t *skipped;        /* the first SKIPPED_LISTED_MAX */
        json_t *notes;
        size_t queued;
        enum feed_kind force;   /* vuln_import_file_as: no detection */
};

const struct vuln_import_limits *vuln_import_limits_of(const struct vuln_import *imp) {
        return &imp->limits;
}

static struct source_counts *counts_of(struct vuln_import *imp, const char *source) {
        for (size_t i = 0; i < ELEMENTSOF(sources); i++)
                if (strcmp(sources[i], source) == 0) {
                        imp->counts[i].source = sources[i];
                        return &imp->counts[i];
                }
        abort(); /* a parser named a source the schema does not have */
}

void vuln_import_skip(struct vuln_import *imp, const char *source, const char *record, const char *fmt, ...) {
        counts_of(imp, source)->skipped++;
        if (json_array_size(imp->skipped) >= SKIPPED_LISTED_MAX)
                return;
        char reason[ERROR_MSG_MAX];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(reason, sizeof(reason), fmt, ap);
        va_end(ap);
        json_array_append_new(imp->skipped, json_pack("{s:s, s:s, s:s}", "source", source, "record",
                                                      record ? record : "", "reason", reason));
}

void vuln_import_note(struct vuln_import *imp, const char *text) {
        size_t i;
        json_t *v;
        json_array_foreach(imp->notes, i, v) if (strcmp(json_string_value(v), text) == 0) return;
        json_array_append_new(imp->notes, json_string(text));
}

/* ---- identity ---- */

static bool is_cve(const char *id) {
        return str_startswith(id, "CVE-");
}

static size_t count_cves(json_t *ids) {
        size_t i, n = 0;
        json_t *v;
        json_array_foreach(ids, i, v) n += is_cve(json_string_value(v));
        return n;
}

/* The name a new vulnerability takes: its CVE, else a GHSA, else the first id. */
static const char *canonical_name(json_t *ids) {
        size_t i;
        json_t *v;
        json_array_foreach(ids, i, v) if (is_cve(json_string_value(v))) return json_string_value(v);
        json_array_foreach(ids, i, v) if (str_startswith(json_string_value(v), "GHSA-")) return json_string_value(v);
        return json_string_value(json_array_get(ids, 0));
}

static int queue(struct vuln_import *imp, int64_t vuln_id, struct error *err) {
        if (store_vuln_queue(imp->s, vuln_id, imp->now, err) < 0)
                return -1;
        imp->queued++;
        return 0;
}

/* Finds or creates the vulnerability the ids name, merging every other one
 * they name into it. *merged counts merges. */
static int resolve_vuln(struct vuln_import *imp, json_t *ids, int64_t existing, int64_t *out, size_t *merged,
                        bool *created, struct error *err) {
        *created = false;
        int64_t found[64];
        size_t nfound = 0;
        if (existing)
                found[nfound++] = existing;
        size_t i;
        json_t *v;
        json_array_foreach(ids, i, v) {
                int64_t id;
                int rc = store_vuln_alias_find(imp->s, json_string_value(v), &id, err);
                if (rc < 0)
                        return -1;
                if (rc == 0)
                        continue;
                bool dup = false;
                for (size_t k = 0; k < nfound; k++)
                        dup |= found[k] == id;
                if (!dup && nfound < ELEMENTSOF(found))
                        found[nfound++] = id;
        }
        int64_t target = 0;
        if (nfound == 0) {
                if (store_vuln_create(imp->s, canonical_name(ids), imp->now, &target, err) < 0)
                        return -1;
                *created = true;
        } else {
                /* the survivor: the one named by a CVE, else the oldest */
                target = found[0];
                bool target_cve = false;
                for (size_t k = 0; k < nfound; k++) {
                        struct store_vuln sv = {0};
                        int rc = store_vuln_get(imp->s, found[k], &sv, err);
                        if (rc <= 0) {
                                store_vuln_clear(&sv);
                                return rc < 0 ? -1 : error_set(err, ERROR_DB, "alias names a missing vulnerability");
                        }
                        bool cve = is_cve(sv.name);
                        store_vuln_clear(&sv);
                        if ((cve && !target_cve) || (cve == target_cve && found[k] < target)) {
                                target = found[k];
                                target_cve = cve;
                        }
                }
                for (size_t k = 0; k < nfound; k++) {
                        if (found[k] == target)
                                continue;
                        if (store_vuln_merge(imp->s, found[k], target, err) < 0)
                                return -1;
                        (*merged)++;
                }
        }
        json_array_foreach(ids, i, v) {
                if (store_vuln_alias_set(imp->s, json_string_value(v), target, err) < 0)
                        return -1;
        }
        *out = target;
        if (*created)
                return 0; /* named canonically just now */
        /* the name is always an alias; a CVE learned later renames */
        struct store_vuln sv = {0};
        int rc = store_vuln_get(imp->s, target, &sv, err);
        if (rc <= 0) {
                store_vuln_clear(&sv);
                return rc < 0 ? -1 : error_set(err, ERROR_DB, "vulnerability %lld vanished", (long long) target);
        }
        const char *want = canonical_name(ids);
        if (!is_cve(sv.name) && is_cve(want) && store_vuln_rename(imp->s, target, want, imp->now, err) < 0) {
                store_vuln_clear(&sv);
                return -1;
        }
        store_vuln_clear(&sv);
        *out = target;
        return 0;
}

/* ---- derived fields ---- */

static int source_rank(const char *source) {
        /* whose summary and score win: NVD, then the supplier (CSAF), OSV, EUVD */
        static const char *const order[] = {"nvd", "csaf", "osv", "euvd", "kev"};
        for (size_t i = 0; i < ELEMENTSOF(order); i++)
                if (strcmp(order[i], source) == 0)
                        return (int) i;
        return 99;
}

static int64_t time_or_zero(const char *s) {
        int64_t t = 0;
        if (!s || vuln_feed_parse_time(s, &t) < 0)
                return 0;
        return t;
}

/* Folds one record into the derived fields *d (live/dead count withdrawn
 * state: a vuln is withdrawn when it has records and all but KEV's are). */
struct derive_state {
        int best_summary, best_cvss;
        size_t live, dead;
        int64_t last_withdrawn;
};

static void derive(struct store_vuln *d, struct derive_state *ds, const char *source, json_t *data,
                   const char *modified, const char *withdrawn, int64_t imported_at) {
        int rank = source_rank(source);
        if (strcmp(source, "kev") == 0) {
                int64_t t = time_or_zero(vuln_feed_str(data, "dateAdded"));
                if (t && (!d->exploited_at || t < d->exploited_at)) {
                        d->exploited_at = t;
                        free(d->exploited_source);
                        d->exploited_source = str_dup("cisa-kev");
                }
                return;
        }
        if (withdrawn) {
                ds->dead++;
                int64_t t = time_or_zero(withdrawn);
                if (!t)
                        t = imported_at;
                if (t > ds->last_withdrawn)
                        ds->last_withdrawn = t;
        } else {
                ds->live++;
        }
        const char *summary = vuln_feed_str(data, "summary");
        if (summary && *summary && rank < ds->best_summary) {
                ds->best_summary = rank;
                free(d->summary);
                d->summary = str_dup(summary);
        }
        json_t *cvss = json_object_get(data, "cvss");
        if (json_is_object(cvss) && rank < ds->best_cvss) {
                ds->best_cvss = rank;
                free(d->cvss_vector);
                free(d->severity);
                d->cvss_vector = str_dup(vuln_feed_str(cvss, "vector"));
                d->cvss_score10 = (int) cr_json_get_int(cvss, "score10", -1);
                d->severity = str_dup(vuln_feed_str(cvss, "severity"));
        }
        int64_t p = time_or_zero(vuln_feed_str(data, "published"));
        if (p && (!d->published_at || p < d->published_at))
                d->published_at = p;
        int64_t m = time_or_zero(modified);
        if (m > d->modified_at)
                d->modified_at = m;
}

/* Writes *d when it differs from *v (the row as stored); *relevant is set
 * when withdrawn_at or exploited_at changed (the matcher must know). */
static int store_derived(struct vuln_import *imp, struct store_vuln *d, const struct derive_state *ds,
                         const struct store_vuln *v, bool *relevant, struct error *err) {
        if (ds->dead > 0 && ds->live == 0)
                d->withdrawn_at = ds->last_withdrawn;
        *relevant = (d->withdrawn_at != 0) != (v->withdrawn_at != 0) || d->exploited_at != v->exploited_at;
        bool same = str_eq(d->summary, v->summary) && str_eq(d->cvss_vector, v->cvss_vector) &&
                    d->cvss_score10 == v->cvss_score10 && str_eq(d->severity, v->severity) &&
                    d->published_at == v->published_at && d->modified_at == v->modified_at &&
                    d->withdrawn_at == v->withdrawn_at && d->exploited_at == v->exploited_at &&
                    str_eq(d->exploited_source, v->exploited_source);
        return same ? 0 : store_vuln_update_derived(imp->s, d, err);
}

/* Recomputes a vulnerability's fields from all its records. */
static int refresh_vuln(struct vuln_import *imp, int64_t vuln_id, bool *relevant, struct error *err) {
        struct store_vuln v = {0};
        struct store_vuln_record *recs = NULL;
        size_t n = 0;
        int rc = store_vuln_get(imp->s, vuln_id, &v, err);
        if (rc <= 0)
                return rc < 0 ? -1 : error_set(err, ERROR_DB, "vulnerability %lld vanished", (long long) vuln_id);
        if (store_vuln_records_of(imp->s, vuln_id, &recs, &n, err) < 0) {
                store_vuln_clear(&v);
                return -1;
        }
        struct store_vuln d = {.id = vuln_id, .cvss_score10 = -1, .updated_at = imp->now};
        struct derive_state ds = {.best_summary = 100, .best_cvss = 100};
        for (size_t i = 0; i < n; i++) {
                json_error_t je;
                _cleanup_json_ json_t *data = json_loads(recs[i].data, 0, &je);
                derive(&d, &ds, recs[i].source, data, recs[i].modified, recs[i].withdrawn, recs[i].imported_at);
        }
        rc = store_derived(imp, &d, &ds, &v, relevant, err);
        store_vuln_clear(&d);
        store_vuln_clear(&v);
        store_vuln_record_list_free(recs, n);
        return rc;
}

/* The same for a vulnerability created just now for this one record: its
 * fields come from the record in hand, against the new row's (all NULL). */
static int refresh_new_vuln(struct vuln_import *imp, int64_t vuln_id, const struct vuln_feed_record *r,
                            json_t *data, bool *relevant, struct error *err) {
        struct store_vuln v = {.id = vuln_id, .cvss_score10 = -1, .updated_at = imp->now};
        struct store_vuln d = {.id = vuln_id, .cvss_score10 = -1, .updated_at = imp->now};
        struct derive_state ds = {.best_summary = 100, .best_cvss = 100};
        derive(&d, &ds, r->source, data, r->modified, r->withdrawn, imp->now);
        int rc = store_derived(imp, &d, &ds, &v, relevant, err);
        store_vuln_clear(&d);
        return rc;
}

/* ---- one record ---- */

static char *dump_sorted(json_t *v) {
        return json_dumps(v, JSON_SORT_KEYS | JSON_COMPACT | JSON_ENCODE_ANY);
}

static void sha256_hex_of(const char *s, char out[65]) {
        hash_sha256_hex(s, strlen(s), out);
}

/* The stored data: the parser's data plus the record's dates and ids, and
 * the hash of its affected entries (a change there queues the vuln). */
static json_t *stored_data(const struct vuln_feed_record *r, const char *affected_sha) {
        json_t *d = r->data ? json_deep_copy(r->data) : json_object();
        json_object_set_new(d, "ids", json_deep_copy(r->ids));
        if (r->published)
                json_object_set_new(d, "published", json_string(r->published));
        if (r->exploited)
                json_object_set_new(d, "dateAdded", json_string(r->exploited));
        json_object_set_new(d, "affected_sha256", json_string(affected_sha));
        return d;
}

static int write_affected(struct vuln_import *imp, int64_t record_row, json_t *affected, size_t *rows,
                          struct error *err) {
        size_t i;
        json_t *a;
        json_array_foreach(affected, i, a) {
                const char *kind = vuln_feed_str(a, "kind");
                json_t *data = json_object_get(a, "data");
                json_t *keys = NULL;
                struct error kerr = {0};
                if (vuln_affected_keys(kind, data, &keys, &kerr) < 0) {
                        json_decref(keys);
                        continue; /* the parser already checked; an entry without keys never matches */
                }
                _cleanup_free_ char *text = dump_sorted(data);
                size_t k;
                json_t *pair;
                json_array_foreach(keys, k, pair) {
                        if (store_vuln_affected_insert(imp->s, record_row, kind,
                                                       json_string_value(json_array_get(pair, 0)),
                                                       json_string_value(json_array_get(pair, 1)), text, err) < 0) {
                                json_decref(keys);
                                return -1;
                        }
                        (*rows)++;
                }
                json_decref(keys);
        }
        return 0;
}

int vuln_import_record(struct vuln_import *imp, const struct vuln_feed_record *r, struct error *err) {
        struct source_counts *c = counts_of(imp, r->source);
        if (!r->record_id || !*r->record_id) {
                vuln_import_skip(imp, r->source, NULL, "a record without an id");
                return 0;
        }
        if (!r->modified || vuln_feed_parse_time(r->modified, &(int64_t){0}) < 0) {
                vuln_import_skip(imp, r->source, r->record_id, "modified time '%.40s' is missing or not a date",
                                 r->modified ? r->modified : "");
                return 0;
        }
        _cleanup_json_ json_t *ids = json_array();
        size_t i;
        json_t *v;
        json_array_foreach(r->ids, i, v) vuln_feed_add_id(ids, json_string_value(v));
        if (json_array_size(ids) == 0) {
                vuln_import_skip(imp, r->source, r->record_id, "names no vulnerability id (no CVE, alias or own id)");
                return 0;
        }
        if (count_cves(ids) > 1) {
                /* An advisory naming several CVEs is not one vulnerability:
                 * it stays its own, linked to none of them. */
                json_t *own = json_array();
                json_array_foreach(ids, i, v) if (!is_cve(json_string_value(v))) vuln_feed_add_id(own,
                                                                                         json_string_value(v));
                if (json_array_size(own) == 0)
                        vuln_feed_add_id(own, r->record_id);
                json_decref(ids);
                ids = own;
                vuln_import_note(imp, "a record naming several CVEs is kept as its own vulnerability, not merged "
                                      "with them");
        }
        /* affected entries: withdrawn records keep none (they must not match) */
        json_t *affected = r->withdrawn ? NULL : r->affected;
        _cleanup_free_ char *aff_text = affected ? dump_sorted(affected) : str_dup("[]");
        char aff_sha[65];
        sha256_hex_of(aff_text, aff_sha);
        _cleanup_json_ json_t *data = stored_data(r, aff_sha);
        /* the content hash: the stored data (which holds the ids, dates and
         * the affected entries' hash), modified and withdrawn */
        _cleanup_free_ char *data_text = dump_sorted(data);
        char content_sha[65];
        {
                struct hash_sha256_ctx *h = hash_sha256_new();
                hash_sha256_update(h, data_text, strlen(data_text));
                hash_sha256_update(h, "\n", 1);
                hash_sha256_update(h, r->modified, strlen(r->modified));
                hash_sha256_update(h, "\n", 1);
                if (r->withdrawn)
                        hash_sha256_update(h, r->withdrawn, strlen(r->withdrawn));
                uint8_t raw[32];
                hash_sha256_final(h, raw);
                for (size_t k = 0; k < 32; k++)
                        snprintf(content_sha + 2 * k, 3, "%02x", raw[k]);
        }

        struct store_vuln_record old = {0};
        int found = store_vuln_record_find(imp->s, r->source, r->record_id, &old, err);
        if (found < 0)
                return -1;
        if (found == 1 && str_eq(old.content_sha256, content_sha)) {
                c->unchanged++;
                store_vuln_record_clear(&old);
                return 0;
        }
        int rc = -1;
        bool relevant = false;
        size_t merged = 0;
        int64_t vuln_id;
        char *old_data = NULL;
        bool created;
        if (resolve_vuln(imp, ids, found == 1 ? old.vuln_id : 0, &vuln_id, &merged, &created, err) < 0)
                goto out;
        struct store_vuln_record nr = {
                .id = old.id, .vuln_id = vuln_id, .source = (char *) r->source, .record_id = (char *) r->record_id,
                .modified = (char *) r->modified, .withdrawn = (char *) r->withdrawn,
                .content_sha256 = content_sha, .data = data_text, .imported_at = imp->now,
        };
        bool affected_changed = true;
        if (found == 1) {
                old_data = store_vuln_record_data(imp->s, old.id, err);
                if (!old_data)
                        goto out;
                json_error_t je;
                _cleanup_json_ json_t *od = json_loads(old_data, 0, &je);
                affected_changed = !str_eq(vuln_feed_str(od, "affected_sha256"), aff_sha);
                if (store_vuln_record_update(imp->s, &nr, err) < 0)
                        goto out;
                if (affected_changed && store_vuln_affected_delete(imp->s, old.id, err) < 0)
                        goto out;
        } else {
                if (store_vuln_record_insert(imp->s, &nr, &nr.id, err) < 0)
                        goto out;
                affected_changed = json_array_size(affected) > 0;
        }
        size_t rows = 0;
        if (affected_changed && affected && write_affected(imp, nr.id, affected, &rows, err) < 0)
                goto out;
        if ((created ? refresh_new_vuln(imp, vuln_id, r, data, &relevant, err)
                     : refresh_vuln(imp, vuln_id, &relevant, err)) < 0)
                goto out;
        if ((affected_changed || relevant || merged > 0) && queue(imp, vuln_id, err) < 0)
                goto out;
        c->merged += merged;
        if (r->withdrawn && (found == 0 || !old.withdrawn))
                c->withdrawn++;
        else if (found == 1)
                c->updated++;
        else
                c->added++;
        rc = 0;
out:
        free(old_data);
        store_vuln_record_clear(&old);
        return rc;
}

int vuln_import_epss(struct vuln_import *imp, const char *cve, const char *epss, const char *percentile,
                     struct error *err) {
        struct source_counts *c = counts_of(imp, "epss");
        struct store_vuln v = {0};
        int rc = store_vuln_get_by_alias(imp->s, cve, &v, err);
        if (rc < 0)
                return -1;
        if (rc == 0) {
                c->skipped++;
                vuln_import_note(imp, "EPSS rows for CVEs no imported feed names are skipped (import EPSS after "
                                      "NVD or OSV)");
                return 0;
        }
        if (str_eq(v.epss, epss) && str_eq(v.epss_percentile, percentile)) {
                c->unchanged++;
        } else {
                bool first = v.epss == NULL;
                if (store_vuln_set_epss(imp->s, v.id, epss, percentile, imp->now, err) < 0) {
                        store_vuln_clear(&v);
                        return -1;
                }
                if (first)
                        c->added++;
                else
                        c->updated++;
        }
        store_vuln_clear(&v);
        return 0;
}

/* ---- detection ---- */


static const char *feed_name(enum feed_kind k) {
        static const char *const names[] = {"unknown", "osv", "osv", "osv-zip", "nvd", "kev", "epss", "csaf",
                                            "euvd", "nvd-1.1"};
        return names[k];
}

static bool has(const char *peek, size_t n, const char *needle) {
        return memmem(peek, n, needle, strlen(needle)) != NULL;
}

static enum feed_kind detect(const char *peek, size_t n) {
        if (n >= 4 && memcmp(peek, "PK\x03\x04", 4) == 0)
                return FEED_OSV_ZIP;
        if (n >= 2 && (unsigned char) peek[0] == 0x1f && (unsigned char) peek[1] == 0x8b)
                return FEED_UNKNOWN; /* the caller decompresses and asks again */
        size_t i = 0;
        if (n >= 3 && memcmp(peek, "\xEF\xBB\xBF", 3) == 0)
                i = 3;
        while (i < n && strchr(" \t\r\n", peek[i]))
                i++;
        if (i < n && peek[i] == '#' && has(peek, n, "model_version"))
                return FEED_EPSS;
        if (n - i >= 9 && strncmp(peek + i, "cve,epss,", 9) == 0)
                return FEED_EPSS;
        if (i >= n || (peek[i] != '{' && peek[i] != '['))
                return FEED_UNKNOWN;
        if (has(peek, n, "\"EUVD-") && (has(peek, n, "\"datePublished\"") || has(peek, n, "\"enisaUuid\"")))
                return FEED_EUVD;
        if (peek[i] == '[')
                return FEED_OSV_ARRAY;
        if (has(peek, n, "\"csaf_version\""))
                return FEED_CSAF;
        if (has(peek, n, "\"CVE_Items\"") || has(peek, n, "\"CVE_data_type\""))
                return FEED_NVD11;
        if (has(peek, n, "\"NVD_CVE\"") || (has(peek, n, "\"vulnerabilities\"") && has(peek, n, "\"cve\"")))
                return FEED_NVD;
        if (has(peek, n, "\"catalogVersion\"") || has(peek, n, "\"cveID\""))
                return FEED_KEV;
        if (has(peek, n, "\"schema_version\"") || has(peek, n, "\"modified\""))
                return FEED_OSV;
        return FEED_UNKNOWN;
}

/* A FILE over libarchive's decompressed stream (gzip, xz, bzip2, zstd). */
static ssize_t archive_cookie_read(void *cookie, char *buf, size_t size) {
        la_ssize_t n = archive_read_data(cookie, buf, size);
        return n < 0 ? -1 : (ssize_t) n;
}

static int archive_cookie_close(void *cookie) {
        archive_read_free(cookie);
        return 0;
}

static FILE *open_decompressed(const char *path, const char *what, struct error *err) {
        struct archive *a = archive_read_new();
        archive_read_support_filter_all(a);
        archive_read_support_format_raw(a);
        struct archive_entry *e;
        if (archive_read_open_filename(a, path, 65536) != ARCHIVE_OK || archive_read_next_header(a, &e) != ARCHIVE_OK) {
                error_set(err, ERROR_INVALID, "%s: cannot decompress: %s", what, archive_error_string(a));
                archive_read_free(a);
                return NULL;
        }
        cookie_io_functions_t io = {.read = archive_cookie_read, .close = archive_cookie_close};
        FILE *f = fopencookie(a, "r", io);
        if (!f) {
                archive_read_free(a);
                error_set_errno(err, ERROR_IO, errno, "%s: opening the decompressed stream", what);
        }
        return f;
}

static int read_whole(FILE *f, const char *what, size_t max, json_t **out, struct error *err) {
        struct buf b = {0};
        char chunk[65536];
        size_t n;
        while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
                if (b.len + n > max) {
                        buf_free(&b);
                        return error_set(err, ERROR_TOO_LARGE, "%s: larger than %zu bytes", what, max);
                }
                buf_append(&b, chunk, n);
        }
        if (ferror(f)) {
                buf_free(&b);
                return error_set(err, ERROR_IO, "%s: read error", what);
        }
        *out = cr_json_parse(what, b.data ? b.data : "", b.len, max, 0, err);
        buf_free(&b);
        return *out ? 0 : -1;
}

static enum feed_kind feed_by_name(const char *name) {
        static const struct {
                const char *name;
                enum feed_kind kind;
        } names[] = {{"osv", FEED_OSV}, {"osv-array", FEED_OSV_ARRAY}, {"osv-zip", FEED_OSV_ZIP},
                     {"nvd", FEED_NVD}, {"kev", FEED_KEV}, {"epss", FEED_EPSS}, {"csaf", FEED_CSAF},
                     {"euvd", FEED_EUVD}};
        for (size_t i = 0; i < ELEMENTSOF(names); i++)
                if (strcmp(names[i].name, name) == 0)
                        return names[i].kind;
        return FEED_UNKNOWN;
}

static int import_stream(struct vuln_import *imp, FILE *f, const char *path, const char *what,
                         enum feed_kind *kind_out, bool compressed, struct error *err) {
        char peek[PEEK_BYTES];
        size_t n = fread(peek, 1, sizeof(peek), f);
        if (n == 0)
                return error_set(err, ERROR_INVALID, "%s: empty file", what);
        enum feed_kind k = imp->force ? imp->force : detect(peek, n);
        if (k == FEED_UNKNOWN && !compressed && n >= 2 && (unsigned char) peek[0] == 0x1f &&
            (unsigned char) peek[1] == 0x8b) {
                FILE *z = open_decompressed(path, what, err);
                if (!z)
                        return -1;
                int rc = import_stream(imp, z, path, what, kind_out, true, err);
                fclose(z);
                return rc;
        }
        *kind_out = k;
        if (k == FEED_OSV_ZIP) {
                if (compressed)
                        return error_set(err, ERROR_INVALID, "%s: a zip inside a compressed file", what);
                return vuln_feed_osv_zip(imp, what, path, err);
        }
        if (k == FEED_UNKNOWN)
                return error_set(err, ERROR_UNSUPPORTED,
                                 "%s: not a feed this server reads (OSV, NVD CVE API 2.0, CISA KEV, EPSS CSV, CSAF "
                                 "2.0, EUVD JSON)", what);
        if (k == FEED_NVD11)
                return error_set(err, ERROR_UNSUPPORTED,
                                 "%s: an NVD 1.1 JSON feed (CVE_Items); NVD retired it - use the CVE API 2.0 feeds",
                                 what);
        /* give the peeked bytes back: a FILE over peek + the rest */
        FILE *cat = NULL;
        if (!compressed && fseek(f, 0, SEEK_SET) == 0) {
                cat = f;
        } else {
                /* not seekable (a decompressed stream): re-open it */
                cat = open_decompressed(path, what, err);
                if (!cat)
                        return -1;
        }
        int rc;
        size_t max = imp->limits.max_record;
        switch (k) {
        case FEED_OSV: {
                json_t *doc = NULL;
                rc = read_whole(cat, what, max, &doc, err);
                if (rc == 0)
                        rc = vuln_feed_osv_record(imp, what, doc, err);
                json_decref(doc);
                break;
        }
        case FEED_CSAF: {
                json_t *doc = NULL;
                rc = read_whole(cat, what, max, &doc, err);
                if (rc == 0)
                        rc = vuln_feed_csaf(imp, what, doc, err);
                json_decref(doc);
                break;
        }
        case FEED_OSV_ARRAY:
                rc = vuln_feed_osv_array(imp, what, cat, err);
                break;
        case FEED_NVD:
                rc = vuln_feed_nvd(imp, what, cat, err);
                break;
        case FEED_KEV:
                rc = vuln_feed_kev(imp, what, cat, err);
                break;
        case FEED_EPSS:
                rc = vuln_feed_epss(imp, what, cat, err);
                break;
        case FEED_EUVD:
                rc = vuln_feed_euvd(imp, what, cat, err);
                break;
        default:
                rc = error_set(err, ERROR_INTERNAL, "%s: unhandled feed kind", what);
        }
        if (cat != f)
                fclose(cat);
        return rc;
}

static json_t *summary_of(const struct vuln_import *imp, const char *what, enum feed_kind k) {
        json_t *srcs = json_object();
        for (size_t i = 0; i < ELEMENTSOF(sources); i++) {
                const struct source_counts *c = &imp->counts[i];
                if (!c->source)
                        continue;
                json_object_set_new(srcs, c->source,
                                    json_pack("{s:I, s:I, s:I, s:I, s:I, s:I}", "added", (json_int_t) c->added,
                                              "updated", (json_int_t) c->updated, "unchanged",
                                              (json_int_t) c->unchanged, "withdrawn", (json_int_t) c->withdrawn,
                                              "skipped", (json_int_t) c->skipped, "merged", (json_int_t) c->merged));
        }
        return json_pack("{s:s, s:s, s:o, s:I, s:O, s:O}", "file", what, "feed", feed_name(k), "sources", srcs,
                         "queued", (json_int_t) imp->queued, "skipped", imp->skipped, "notes", imp->notes);
}

int vuln_import_file(struct store *s, const struct audit_actor *actor, const char *path, const char *name,
                     const struct vuln_import_limits *limits, int64_t now, json_t **summary, struct error *err) {
        return vuln_import_file_as(s, actor, path, name, NULL, limits, now, summary, err);
}

int vuln_import_file_as(struct store *s, const struct audit_actor *actor, const char *path, const char *name,
                        const char *feed, const struct vuln_import_limits *limits, int64_t now, json_t **summary,
                        struct error *err) {
        const char *what = name ? name : path;
        struct vuln_import imp = {.s = s, .now = now ? now : time_now()};
        if (feed && (imp.force = feed_by_name(feed)) == FEED_UNKNOWN)
                return error_set(err, ERROR_INVALID, "unknown feed '%s'", feed);
        if (limits)
                imp.limits = *limits;
        if (!imp.limits.max_record)
                imp.limits.max_record = 16u << 20;
        if (!imp.limits.max_records)
                imp.limits.max_records = 10000000;
        if (!imp.limits.max_zip_entry)
                imp.limits.max_zip_entry = 16u << 20;
        _cleanup_fclose_ FILE *f = fopen(path, "rb");
        if (!f)
                return error_set_errno(err, ERROR_INVALID, errno, "%s: cannot open", what);
        imp.skipped = json_array();
        imp.notes = json_array();
        enum feed_kind k = FEED_UNKNOWN;
        int rc = store_tx_begin(s, err);
        if (rc == 0)
                rc = import_stream(&imp, f, path, what, &k, false, err);
        if (rc == 0) {
                json_t *sum = summary_of(&imp, what, k);
                if (audit_append(s, actor, "vulns.import", what, sum, err) < 0 || store_tx_commit(s, err) < 0) {
                        json_decref(sum);
                        rc = -1;
                } else {
                        *summary = sum;
                }
        }
        if (rc < 0 && store_in_transaction(s))
                store_tx_rollback(s);
        json_decref(imp.skipped);
        json_decref(imp.notes);
        return rc;
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A csaf_security_advisory from a case. One case is one vulnerability, so
 * the document has one vulnerabilities[] entry; its product_status comes
 * from the case state and the affected releases, the fixing release is
 * "fixed" and the vendor_fix remediation names it.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "core/cleanup.h"
#include "core/strutil.h"
#include "core/time.h"
#include "csaf/csaf.h"
#include "vex/vex.h"
#include "vuln/cvss.h"

const char *csaf_status_name(enum csaf_status s) {
        switch (s) {
        case CSAF_DRAFT: return "draft";
        case CSAF_INTERIM: return "interim";
        case CSAF_FINAL: return "final";
        }
        return "draft";
}

int csaf_status_parse(const char *s, enum csaf_status *out, struct error *err) {
        for (int i = CSAF_DRAFT; i <= CSAF_FINAL; i++)
                if (str_eq(s, csaf_status_name((enum csaf_status) i))) {
                        *out = (enum csaf_status) i;
                        return 0;
                }
        return error_set(err, ERROR_INVALID, "advisory status '%.32s': not one of draft, interim, final",
                         s ? s : "");
}

int csaf_tlp_parse(const char *s, const char **label, struct error *err) {
        static const char *const labels[] = {"WHITE", "GREEN", "AMBER", "RED"};
        for (size_t i = 0; s && i < sizeof(labels) / sizeof(labels[0]); i++)
                if (strcasecmp(s, labels[i]) == 0) {
                        *label = labels[i];
                        return 0;
                }
        return error_set(err, ERROR_INVALID, "TLP label '%.32s': not one of WHITE, GREEN, AMBER, RED", s ? s : "");
}

char *csaf_tracking_id(const struct case_info *c) {
        return str_printf("CRADLE-%s", c->reference);
}

char *csaf_file_name(const char *tracking_id) {
        struct buf b = {0};
        for (const char *p = tracking_id; *p; p++) {
                char ch = *p;
                if (ch >= 'A' && ch <= 'Z')
                        ch = (char) (ch - 'A' + 'a');
                if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '+' || ch == '-'))
                        ch = '_';
                buf_appendf(&b, "%c", ch);
        }
        buf_appendf(&b, ".json");
        return buf_steal(&b);
}

/* Product ids: letters, digits and - _ . only, so they read well in any tool. */
static char *product_id(const char *model, const char *version) {
        char *id = version ? str_printf("CSAFPID-%s-%s", model, version) : str_printf("CSAFPID-%s", model);
        for (char *p = id + 8; *p; p++)
                if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
                      *p == '.' || *p == '-'))
                        *p = '_';
        return id;
}

static const struct store_product *find_product(const struct csaf_advisory_in *in, int64_t id) {
        for (size_t i = 0; i < in->n_products; i++)
                if (in->products[i].id == id)
                        return &in->products[i];
        return NULL;
}

static const struct csaf_release_in *find_release(const struct csaf_advisory_in *in, int64_t id) {
        for (size_t i = 0; i < in->n_releases; i++)
                if (in->releases[i].release->id == id)
                        return &in->releases[i];
        return NULL;
}

static bool has_pid(json_t *arr, const char *pid) {
        size_t i;
        json_t *e;
        json_array_foreach(arr, i, e) if (str_eq(json_string_value(e), pid)) return true;
        return false;
}

/* Adds the product (release 0) or release to the tree once, returns its id. */
static int tree_add(const struct csaf_advisory_in *in, json_t *fpns, json_t *seen, int64_t product_id_,
                    int64_t release_id, char **pid_out, struct error *err) {
        const struct store_product *p = find_product(in, product_id_);
        if (!p)
                return error_set(err, ERROR_INVALID, "case %s: product %lld is not in the advisory input",
                                 in->c->reference, (long long) product_id_);
        const struct csaf_release_in *r = release_id ? find_release(in, release_id) : NULL;
        if (release_id && !r)
                return error_set(err, ERROR_INVALID, "case %s: release %lld is not in the advisory input",
                                 in->c->reference, (long long) release_id);
        char *pid = product_id(p->model, r ? r->release->version : NULL);
        *pid_out = pid;
        if (has_pid(seen, pid))
                return 0;
        json_array_append_new(seen, json_string(pid));
        _cleanup_free_ char *name = r ? str_printf("%s %s", p->name, r->release->version) : str_dup(p->name);
        const char *models[] = {p->model};
        /* The first image with a hash names the release's file (CSAF hashes
         * identify a product by a file it ships). */
        const struct store_release_image *img = r && r->n_images ? &r->images[0] : NULL;
        json_array_append_new(fpns, vex_csaf_full_product_name(&(struct vex_csaf_product){
                                            .name = name,
                                            .product_id = pid,
                                            .model_numbers = models,
                                            .n_model_numbers = 1,
                                            .sha256 = img ? img->sha256 : NULL,
                                            .filename = img ? img->name : NULL,
                                    }));
        return 0;
}

static void append_pid(json_t *status, const char *key, const char *pid) {
        json_t *a = json_object_get(status, key);
        if (!a) {
                a = json_array();
                json_object_set_new(status, key, a);
        }
        if (!has_pid(a, pid))
                json_array_append_new(a, json_string(pid));
}

/* The ids besides the first CVE. Further CVE ids go into *more_cves, not
 * ids: CSAF keeps CVE ids out of ids (its optional test 6.2.17), one CVE
 * per vulnerability, and a case is one vulnerability. */
static json_t *vulnerability_ids(const struct case_info *c, const char **cve, struct buf *more_cves) {
        json_t *ids = json_array();
        const char *key;
        json_t *vals;
        *cve = NULL;
        json_object_foreach(c->ids, key, vals) {
                if (str_eq(key, "cwe"))
                        continue;
                size_t i;
                json_t *v;
                json_array_foreach(vals, i, v) {
                        const char *s = json_string_value(v);
                        if (!s)
                                continue;
                        if (str_eq(key, "cve")) {
                                if (*cve)
                                        buf_appendf(more_cves, "%s%s", more_cves->len ? ", " : "", s);
                                else
                                        *cve = s;
                                continue;
                        }
                        const char *sys = str_eq(key, "euvd") ? "EU Vulnerability Database"
                                          : str_eq(key, "ghsa") ? "GitHub Security Advisories"
                                                                : key;
                        json_array_append_new(ids, json_pack("{s:s, s:s}", "system_name", sys, "text", s));
                }
        }
        return ids;
}

static json_t *cvss_v3(const char *vector) {
        enum cvss_version ver;
        int score10;
        struct error e = {0};
        if (!vector || cvss_parse(vector, &ver, &score10, &e) < 0)
                return NULL;
        const char *v = str_startswith(vector, "CVSS:3.1/") ? "3.1" : str_startswith(vector, "CVSS:3.0/") ? "3.0" : NULL;
        if (!v)
                return NULL;
        char sev[16];
        const char *s = cvss_severity(score10);
        size_t k = 0;
        for (; s && s[k] && k < sizeof(sev) - 1; k++)
                sev[k] = (char) (s[k] >= 'a' && s[k] <= 'z' ? s[k] - 32 : s[k]);
        sev[k] = '\0';
        return json_pack("{s:s, s:s, s:f, s:s}", "version", v, "vectorString", vector, "baseScore", score10 / 10.0,
                         "baseSeverity", sev);
}

int csaf_advisory_render(const struct csaf_advisory_in *in, json_t **out, struct error *err) {
        const struct case_info *c = in->c;
        if (in->n_revisions == 0)
                return error_set(err, ERROR_INVALID, "case %s: an advisory needs at least one revision", c->reference);
        if (c->naffected == 0)
                return error_set(err, ERROR_INVALID, "case %s: no affected product or release recorded",
                                 c->reference);
        const char *affected_key;
        switch (c->state) {
        case CASE_RECEIVED:
        case CASE_TRIAGING: affected_key = "under_investigation"; break;
        case CASE_NOT_A_VULNERABILITY: affected_key = "known_not_affected"; break;
        case CASE_REJECTED:
        case CASE_DUPLICATE:
                return error_set(err, ERROR_INVALID, "case %s: a %s case has no advisory", c->reference,
                                 case_state_name(c->state));
        default: affected_key = "known_affected"; break;
        }

        json_t *fpns = json_array(), *seen = json_array(), *status = json_object();
        json_t *threats = json_array(), *flags = json_array();
        int rc = 0;
        for (size_t i = 0; i < c->naffected && rc == 0; i++) {
                _cleanup_free_ char *pid = NULL;
                rc = tree_add(in, fpns, seen, c->affected[i].product_id, c->affected[i].release_id, &pid, err);
                if (rc < 0)
                        break;
                /* A release's findings of this vulnerability, where they
                 * exist and are decided, say more than the case state: the
                 * analysis was made on that release. One still in triage
                 * says nothing the case does not (a confirmed case is known
                 * affected, not "under investigation"). */
                const struct csaf_release_in *r =
                        c->affected[i].release_id ? find_release(in, c->affected[i].release_id) : NULL;
                const char *key = affected_key;
                const char *detail = c->state_reason ? c->state_reason : "Not a vulnerability.";
                if (r && r->has_finding && r->finding_state != FINDING_IN_TRIAGE) {
                        key = vex_csaf_status_out(r->finding_state);
                        if (!key)
                                key = affected_key;
                        detail = r->finding_detail && *r->finding_detail ? r->finding_detail
                                                                         : "Not affected, as analysed on this release.";
                        const char *label = str_eq(key, "known_not_affected")
                                                    ? vex_csaf_flag_out(r->finding_state, r->finding_justification)
                                                    : NULL;
                        if (label)
                                json_array_append_new(flags, json_pack("{s:s, s:[s]}", "label", label, "product_ids",
                                                                       pid));
                }
                append_pid(status, key, pid);
                if (str_eq(key, "known_not_affected"))
                        json_array_append_new(threats, json_pack("{s:s, s:s, s:[s]}", "category", "impact",
                                                                 "details", detail, "product_ids", pid));
        }
        _cleanup_free_ char *fix_pid = NULL, *fix_name = NULL;
        if (rc == 0 && c->fix_release_id && json_object_get(status, "known_affected")) {
                const struct csaf_release_in *fr = find_release(in, c->fix_release_id);
                if (!fr)
                        rc = error_set(err, ERROR_INVALID, "case %s: fix release %lld is not in the advisory input",
                                       c->reference, (long long) c->fix_release_id);
                else
                        rc = tree_add(in, fpns, seen, fr->release->product_id, fr->release->id, &fix_pid, err);
                if (rc == 0) {
                        append_pid(status, "fixed", fix_pid);
                        const struct store_product *p = find_product(in, fr->release->product_id);
                        fix_name = str_printf("%s %s", p->name, fr->release->version);
                }
        }
        json_decref(seen);
        if (rc < 0) {
                json_decref(fpns);
                json_decref(status);
                json_decref(threats);
                json_decref(flags);
                return rc;
        }

        json_t *v = json_object();
        const char *cve;
        struct buf more = {0};
        json_t *ids = vulnerability_ids(c, &cve, &more);
        if (cve)
                json_object_set_new(v, "cve", json_string(cve));
        if (json_array_size(ids))
                json_object_set_new(v, "ids", ids);
        else
                json_decref(ids);
        json_t *notes = json_pack("[{s:s, s:s, s:s}]", "category", "description", "title", "Description", "text",
                                  c->summary);
        /* CSAF's cwe object needs the catalogue name of the weakness, which
         * Cradle does not hold: the CWE ids go into a note instead. */
        json_t *cwes = json_object_get(c->ids, "cwe");
        if (json_array_size(cwes)) {
                struct buf b = {0};
                size_t i;
                json_t *w;
                json_array_foreach(cwes, i, w) buf_appendf(&b, "%s%s", i ? ", " : "", json_string_value(w));
                json_array_append_new(notes, json_pack("{s:s, s:s, s:s%}", "category", "other", "title",
                                                       "Weakness (CWE)", "text", b.data, b.len));
                free(b.data);
        }
        if (more.len)
                json_array_append_new(notes, json_pack("{s:s, s:s, s:s%}", "category", "other", "title",
                                                       "Further CVE ids of this vulnerability", "text", more.data,
                                                       more.len));
        free(more.data);
        json_object_set_new(v, "notes", notes);
        json_object_set_new(v, "product_status", status);

        json_t *affected = json_object_get(status, "known_affected");
        json_t *score = affected ? cvss_v3(c->cvss31_vector) : NULL;
        if (score)
                json_object_set_new(v, "scores", json_pack("[{s:O, s:o}]", "products", affected, "cvss_v3", score));

        json_t *rems = json_array();
        if (affected && fix_name)
                json_array_append_new(rems, json_pack("{s:s, s:s+, s:O}", "category", "vendor_fix", "details",
                                                      "Update to ", fix_name, "products", affected));
        else if (affected)
                json_array_append_new(rems, json_pack("{s:s, s:s, s:O}", "category", "none_available", "details",
                                                      "No fix is available yet.", "product_ids", affected));
        json_t *inv = json_object_get(status, "under_investigation");
        if (inv)
                json_array_append_new(rems, json_pack("{s:s, s:s, s:O}", "category", "none_available", "details",
                                                      "Under investigation: no remediation decided yet.",
                                                      "product_ids", inv));
        if (json_array_size(rems)) {
                /* vendor_fix names products; CSAF calls the field product_ids */
                size_t i;
                json_t *r;
                json_array_foreach(rems, i, r) {
                        json_t *pr = json_object_get(r, "products");
                        if (pr) {
                                json_object_set(r, "product_ids", pr);
                                json_object_del(r, "products");
                        }
                }
                json_object_set_new(v, "remediations", rems);
        } else
                json_decref(rems);
        if (json_array_size(flags))
                json_object_set_new(v, "flags", flags);
        else
                json_decref(flags);
        if (json_array_size(threats))
                json_object_set_new(v, "threats", threats);
        else
                json_decref(threats);
        if (c->reporter_credit && *c->reporter_credit)
                json_object_set_new(v, "acknowledgments",
                                    json_pack("[{s:[s], s:s}]", "names", c->reporter_credit, "summary",
                                              "Reported the vulnerability."));

        /* document */
        _cleanup_free_ char *tid = in->tracking_id ? str_dup(in->tracking_id) : csaf_tracking_id(c);
        _cleanup_free_ char *fname = csaf_file_name(tid);
        char first[TIME_RFC3339_LEN], last[TIME_RFC3339_LEN];
        time_format_rfc3339(in->revisions[0].date, first);
        time_format_rfc3339(in->revisions[in->n_revisions - 1].date, last);
        json_t *hist = json_array();
        for (size_t i = 0; i < in->n_revisions; i++) {
                char d[TIME_RFC3339_LEN];
                time_format_rfc3339(in->revisions[i].date, d);
                char num[24];
                snprintf(num, sizeof(num), "%zu", i + 1);
                json_array_append_new(hist, json_pack("{s:s, s:s, s:s}", "date", d, "number", num, "summary",
                                                      in->revisions[i].summary));
        }
        json_t *d = json_object();
        json_object_set_new(d, "category", json_string(in->category ? in->category : "csaf_security_advisory"));
        json_object_set_new(d, "csaf_version", json_string("2.0"));
        json_object_set_new(d, "lang", json_string("en"));
        json_object_set_new(d, "title", json_string(c->title));
        json_object_set_new(d, "distribution",
                            json_pack("{s:{s:s, s:s}}", "tlp", "label", in->tlp, "url", "https://www.first.org/tlp/"));
        json_object_set_new(d, "publisher", json_pack("{s:s, s:s, s:s}", "category", "vendor", "name",
                                                      in->publisher_name, "namespace", in->publisher_namespace));
        json_t *dnotes = json_pack("[{s:s, s:s, s:s}]", "category", "summary", "title", "Summary", "text", c->summary);
        /* End of support (CRA Art. 13(19); issue 10 section 6): CSAF 2.0's
         * product_tree has no notes, so each product's support end is a
         * document note naming the product (docs/reporting.md "End of support"). */
        for (size_t i = 0; i < in->n_products; i++) {
                const struct store_product *p = &in->products[i];
                if (!p->support_end)
                        continue;
                char *title = str_printf("End of support: %s", p->model);
                char *text = str_printf("%s (%s) receives security updates until %s, the end of its support "
                                        "period (CRA Art. 13(8)).",
                                        p->name, p->model, p->support_end);
                json_array_append_new(dnotes,
                                      json_pack("{s:s, s:s, s:s}", "category", "general", "title", title, "text", text));
                free(title);
                free(text);
        }
        json_object_set_new(d, "notes", dnotes);
        struct tm tm;
        time_t t0 = (time_t) in->revisions[0].date;
        gmtime_r(&t0, &tm);
        char year[16];
        snprintf(year, sizeof(year), "/%04d/", tm.tm_year + 1900);
        json_object_set_new(d, "references",
                            json_pack("[{s:s, s:s, s:s++}]", "category", "self", "summary", "Canonical URL", "url",
                                      in->canonical_base, year, fname));
        json_object_set_new(d, "tracking",
                            json_pack("{s:s, s:s, s:s, s:s, s:s, s:o, s:{s:{s:s}}}", "id", tid, "status",
                                      csaf_status_name(in->status), "version", "1", "initial_release_date", first,
                                      "current_release_date", last, "revision_history", hist, "generator", "engine",
                                      "name", "Cradle"));
        json_object_set_new(json_object_get(d, "tracking"), "version", json_sprintf("%zu", in->n_revisions));
        json_t *doc = json_object();
        json_object_set_new(doc, "document", d);
        json_object_set_new(doc, "product_tree", json_pack("{s:o}", "full_product_names", fpns));
        json_object_set_new(doc, "vulnerabilities", json_pack("[o]", v));
        *out = doc;
        return 0;
}

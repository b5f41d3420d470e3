/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Publishing a case's advisory as a new revision (csaf-publish.h): render
 * with the whole revision history, record the exact bytes with their hashes
 * and signature, stage the directory, commit, switch.
 */
#include <gnutls/crypto.h>
#include <string.h>
#include <time.h>

#include "core/cleanup.h"
#include "core/json.h"
#include "core/log.h"
#include "core/strutil.h"
#include "core/time.h"
#include "crypto/encoding.h"
#include "crypto/hash.h"
#include "csaf/csaf-dir.h"
#include "pgp/pgp.h"

int csaf_case_revisions(struct store *s, const struct csaf_case_input *x, struct store_csaf_revision **out,
                        size_t *n, struct error *err) {
        *out = NULL;
        *n = 0;
        struct store_csaf_advisory a;
        struct error e2 = {0};
        if (store_csaf_advisory_find(s, x->c.id, csaf_category_document(x->category), &a, &e2) < 0) {
                if (e2.kind == ERROR_NOT_FOUND)
                        return 0;
                if (err)
                        *err = e2;
                return -1;
        }
        int rc = store_csaf_revisions(s, a.id, out, n, err);
        store_csaf_advisory_clear(&a);
        return rc;
}

static void sha512_hex(const char *data, size_t len, char out[129]) {
        uint8_t d[64];
        if (gnutls_hash_fast(GNUTLS_DIG_SHA512, data, len, d) < 0)
                abort();
        hex_encode(d, sizeof d, out);
}

static char *revision_url(const struct csaf_config *cfg, const struct store_csaf_revision *r) {
        if (!str_eq(r->tlp, "WHITE") || !cfg || !cfg->base_url || !*cfg->base_url)
                return NULL;
        return str_printf("%s%s/%s/%04lld/%s", cfg->base_url, CSAF_WELL_KNOWN, CSAF_PUBLIC, (long long) r->year,
                          r->file_name);
}

static json_t *revision_json(const struct csaf_config *cfg, const struct store_csaf_revision *r) {
        char when[TIME_RFC3339_LEN];
        time_format_rfc3339(r->published_at, when);
        _cleanup_free_ char *url = revision_url(cfg, r);
        return json_pack("{s:s, s:s, s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s?}", "tracking_id", r->tracking_id,
                         "category", r->category, "number", (json_int_t) r->number, "status", r->status, "tlp", r->tlp,
                         "summary", r->summary, "published_at", when, "published_by", r->published_by, "sha256",
                         r->sha256, "sha512", r->sha512, "key_fingerprint", r->key_fingerprint, "url", url);
}

/* The checks a new revision must pass against the last one. */
static int revision_rules(const struct csaf_case_input *x, const struct store_csaf_revision *last,
                          const struct csaf_publish_req *req, const char *tlp, struct error *err) {
        const char *ref = x->c.reference;
        if (req->status != CSAF_INTERIM && req->status != CSAF_FINAL)
                return error_set(err, ERROR_INVALID,
                                 "case %s: status %s is not published (interim or final); "
                                 "'cradle case advisory' shows a draft", ref, csaf_status_name(req->status));
        if (!last) {
                if (req->summary && !*req->summary)
                        return error_set(err, ERROR_INVALID, "case %s: the revision summary is empty", ref);
                return 0;
        }
        if (!req->summary || !*req->summary)
                return error_set(err, ERROR_INVALID,
                                 "case %s: revision %lld needs a summary of what changed (--summary)", ref,
                                 (long long) last->number + 1);
        /* CSAF: a final document is not taken back to interim. */
        if (str_eq(last->status, "final") && req->status == CSAF_INTERIM)
                return error_set(err, ERROR_CONFLICT,
                                 "case %s: revision %lld is final; a later revision cannot be interim", ref,
                                 (long long) last->number);
        /* What was public cannot be made confidential again. */
        if (str_eq(last->tlp, "WHITE") && !str_eq(tlp, "WHITE"))
                return error_set(err, ERROR_CONFLICT,
                                 "case %s: revision %lld was published as TLP:WHITE; a later revision cannot be "
                                 "TLP:%s", ref, (long long) last->number, tlp);
        return 0;
}

int csaf_publish(struct store *s, const struct audit_actor *actor, const struct csaf_config *cfg,
                 const char *data_dir, const char *ref, const struct csaf_publish_req *req, int64_t now,
                 json_t **out, struct error *err) {
        *out = NULL;
        struct csaf_case_input x;
        struct store_csaf_revision *revs = NULL, *mine = NULL;
        size_t n = 0, nm = 0;
        struct pgp *keyring = NULL;
        /* Every cleanup variable is declared here, before the first goto. */
        _cleanup_free_ char *fpr = NULL, *base = NULL, *bytes = NULL, *sig = NULL, *url = NULL, *object = NULL;
        _cleanup_json_ json_t *doc = NULL;
        struct csaf_dir_stage st = {0};
        struct csaf_revision *rv = NULL;
        bool tx = false, generated = false;
        _cleanup_close_ int lock = -1;
        int rc = csaf_case_input_load(s, ref, req->category, &x, err);
        if (rc < 0)
                goto done;
        if ((rc = csaf_dir_lock(data_dir, &lock, err)) < 0)
                goto done;
        if ((rc = store_tx_begin(s, err)) < 0)
                goto done;
        tx = true;
        if ((rc = csaf_case_revisions(s, &x, &revs, &n, err)) < 0)
                goto done;
        const struct store_csaf_revision *last = n ? &revs[n - 1] : NULL;
        const char *tlp = NULL;
        if (req->tlp && (rc = csaf_tlp_parse(req->tlp, &tlp, err)) < 0)
                goto done;
        if (!tlp)
                tlp = last ? last->tlp : "WHITE";
        if ((rc = revision_rules(&x, last, req, tlp, err)) < 0)
                goto done;

        rv = xcalloc(n + 1, sizeof(*rv));
        for (size_t i = 0; i < n; i++)
                rv[i] = (struct csaf_revision){revs[i].published_at, revs[i].summary};
        /* Revision dates must not go backwards (CSAF 6.1.14 sorts by number). */
        int64_t date = last && now < last->published_at ? last->published_at : now;
        rv[n] = (struct csaf_revision){date, req->summary && *req->summary ? req->summary : "Initial release."};
        struct csaf_advisory_in in;
        if ((rc = csaf_case_input_fill(&x, cfg, req->status, tlp, rv, n + 1, &in, &base, err)) < 0 ||
            (rc = csaf_advisory_render(&in, &doc, err)) < 0)
                goto done;
        bytes = csaf_document_bytes(doc);

        /* The advisory row on the first publication (its year is the
         * folder for good, as the self URL in the document says). */
        struct store_csaf_advisory adv = {0};
        struct error e2 = {0};
        if (store_csaf_advisory_find(s, x.c.id, csaf_category_document(x.category), &adv, &e2) < 0) {
                if (e2.kind != ERROR_NOT_FOUND) {
                        if (err)
                                *err = e2;
                        rc = -1;
                        goto done;
                }
                struct tm tm;
                time_t t0 = (time_t) date;
                gmtime_r(&t0, &tm);
                adv = (struct store_csaf_advisory){.case_id = x.c.id,
                                                   .category = str_dup(csaf_category_document(x.category)),
                                                   .tracking_id = str_dup(x.tracking_id),
                                                   .file_name = csaf_file_name(x.tracking_id),
                                                   .year = tm.tm_year + 1900,
                                                   .created_at = now};
                if ((rc = store_csaf_advisory_insert(s, &adv, &adv.id, err)) < 0) {
                        store_csaf_advisory_clear(&adv);
                        goto done;
                }
        }
        int64_t advisory_id = adv.id;
        store_csaf_advisory_clear(&adv);

        if ((rc = csaf_signing_key(data_dir, in.publisher_name, true, &keyring, &fpr, &generated, err)) < 0)
                goto done;
        size_t sig_len = 0;
        if ((rc = pgp_sign_detached(keyring, fpr, bytes, strlen(bytes), &sig, &sig_len, err)) < 0)
                goto done;
        char h256[SHA256_HEX_LEN], h512[129];
        hash_sha256_hex(bytes, strlen(bytes), h256);
        sha512_hex(bytes, strlen(bytes), h512);
        const char *who = actor->user ? actor->user : actor->name;
        struct store_csaf_revision row = {
                .advisory_id = advisory_id,
                .number = (int64_t) n + 1,
                .status = (char *) csaf_status_name(req->status),
                .tlp = (char *) tlp,
                .summary = (char *) rv[n].summary,
                .published_at = date,
                .published_by = (char *) who,
                .document = bytes,
                .sha256 = h256,
                .sha512 = h512,
                .signature = sig,
                .key_fingerprint = fpr,
        };
        if ((rc = store_csaf_revision_insert(s, &row, NULL, err)) < 0)
                goto done;
        if ((rc = store_csaf_revisions(s, advisory_id, &mine, &nm, err)) < 0)
                goto done;
        *out = revision_json(cfg, &mine[nm - 1]);
        json_t *details = json_pack("{s:s, s:s, s:I, s:s, s:s, s:s, s:s, s:b}", "category", mine[nm - 1].category,
                                    "tracking_id", x.tracking_id, "revision", (json_int_t) n + 1, "status",
                                    row.status, "tlp", tlp, "sha256", h256, "key_fingerprint", fpr, "key_generated",
                                    generated);
        object = str_printf("case/%s", x.c.reference);
        rc = case_timeline_append(s, x.c.id, actor, "advisory-published", details, err) < 0 ||
                             audit_append(s, actor, "case.advisory-publish", object, details, err) < 0
                     ? -1
                     : 0;
        json_decref(details);
        if (rc < 0)
                goto done;
        /* Files staged before the commit and switched after it: a crash in
         * between leaves hidden temp files only, and csaf_directory_sync at
         * the next start writes what the rows say. */
        if ((rc = csaf_dir_stage(s, cfg, data_dir, keyring, fpr, &st, err)) < 0)
                goto done;
        if ((rc = store_tx_commit(s, err)) < 0)
                goto done;
        tx = false;
        if ((rc = csaf_dir_switch(&st, err)) < 0) {
                /* Committed: the rows are the truth; the next sync repairs. */
                log_error("CSAF: %s revision %zu committed, directory not switched: %s", x.tracking_id, n + 1,
                          err ? err->msg : "");
                goto done;
        }

        /* The one place the step after a publication runs (issue 10
         * section 6, the notification of affected users). */
        url = revision_url(cfg, &mine[nm - 1]);
        struct csaf_published p = {
                .case_reference = x.c.reference,
                .case_id = x.c.id,
                .category = mine[nm - 1].category,
                .tracking_id = x.tracking_id,
                .revision = (int64_t) n + 1,
                .status = row.status,
                .tlp = tlp,
                .url = url,
                .document = bytes,
        };
        struct error after = {0};
        if (csaf_after_publish(s, actor, &p, &after) < 0) {
                log_error("CSAF: %s revision %zu published; the step after it failed: %s", x.tracking_id, n + 1,
                          after.msg);
                json_object_set_new(*out, "after_publish", json_string(after.msg));
        }
done:
        if (rc < 0) {
                json_decref(*out);
                *out = NULL;
                csaf_dir_abort(&st);
        }
        if (tx)
                store_tx_rollback(s);
        pgp_close(keyring);
        free(rv);
        store_csaf_revisions_free(revs, n);
        store_csaf_revisions_free(mine, nm);
        if (x.c.reference || x.products)
                csaf_case_input_free(&x);
        return rc;
}

int csaf_publish_json(struct store *s, const struct audit_actor *actor, const struct csaf_config *cfg,
                      const char *data_dir, const char *ref, json_t *body, int64_t now, json_t **out,
                      struct error *err) {
        static const struct cr_json_field fields[] = {
                {"type", CR_JSON_STRING, false, 32, false},
                {"status", CR_JSON_STRING, true, 16, false},
                {"summary", CR_JSON_STRING, false, 1000, false},
                {"tlp", CR_JSON_STRING, false, 16, false},
        };
        if (cr_json_check_object("publish request", body, fields, ELEMENTSOF(fields), err) < 0)
                return -1;
        struct csaf_publish_req req = {0};
        const char *type = json_string_value(json_object_get(body, "type"));
        if ((type && csaf_category_parse(type, &req.category, err) < 0) ||
            csaf_status_parse(json_string_value(json_object_get(body, "status")), &req.status, err) < 0)
                return -1;
        req.summary = json_string_value(json_object_get(body, "summary"));
        req.tlp = json_string_value(json_object_get(body, "tlp"));
        return csaf_publish(s, actor, cfg, data_dir, ref, &req, now, out, err);
}

static int advisory_of(struct store *s, const char *ref, enum csaf_category cat, struct case_info *c,
                       struct store_csaf_advisory *a, struct error *err) {
        if (case_get(s, ref, c, err) < 0)
                return -1;
        if (store_csaf_advisory_find(s, c->id, csaf_category_document(cat), a, err) < 0) {
                if (err && err->kind == ERROR_NOT_FOUND)
                        error_set(err, ERROR_NOT_FOUND, "case %s has no published %s", c->reference,
                                  csaf_category_document(cat));
                case_info_free(c);
                return -1;
        }
        return 0;
}

int csaf_revisions_json(struct store *s, const struct csaf_config *cfg, const char *ref, enum csaf_category cat,
                        json_t **out, struct error *err) {
        *out = NULL;
        struct case_info c;
        struct store_csaf_advisory a;
        if (advisory_of(s, ref, cat, &c, &a, err) < 0)
                return -1;
        struct store_csaf_revision *revs = NULL;
        size_t n = 0;
        int rc = store_csaf_revisions(s, a.id, &revs, &n, err);
        if (rc == 0) {
                json_t *items = json_array();
                for (size_t i = 0; i < n; i++)
                        json_array_append_new(items, revision_json(cfg, &revs[i]));
                *out = json_pack("{s:o}", "items", items);
        }
        store_csaf_revisions_free(revs, n);
        store_csaf_advisory_clear(&a);
        case_info_free(&c);
        return rc;
}

int csaf_revision_document(struct store *s, const char *ref, enum csaf_category cat, int64_t number, char **doc,
                           size_t *len, struct error *err) {
        *doc = NULL;
        struct case_info c;
        struct store_csaf_advisory a;
        if (advisory_of(s, ref, cat, &c, &a, err) < 0)
                return -1;
        struct store_csaf_revision *revs = NULL;
        size_t n = 0;
        int rc = store_csaf_revisions(s, a.id, &revs, &n, err);
        if (rc == 0 && (number < 1 || (size_t) number > n))
                rc = error_set(err, ERROR_NOT_FOUND, "case %s: %s has no revision %lld (it has %zu)", c.reference,
                               a.tracking_id, (long long) number, n);
        if (rc == 0) {
                struct store_csaf_revision *r = &revs[number - 1];
                char h[SHA256_HEX_LEN];
                hash_sha256_hex(r->document, strlen(r->document), h);
                /* The bytes served must be the bytes published and signed. */
                if (!str_eq(h, r->sha256))
                        rc = error_set(err, ERROR_DB,
                                       "case %s: %s revision %lld: the stored document does not match its "
                                       "recorded SHA-256 (the row was altered)", c.reference, a.tracking_id,
                                       (long long) number);
                else {
                        *len = strlen(r->document);
                        *doc = steal_ptr(r->document);
                }
        }
        store_csaf_revisions_free(revs, n);
        store_csaf_advisory_clear(&a);
        case_info_free(&c);
        return rc;
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The CSAF provider directory on disk (CSAF 2.0 section 7), under
 * <data_dir>/csaf/ and served as /.well-known/csaf/ (routes-csaf.c):
 *
 *   provider-metadata.json           role csaf_trusted_provider (7.1.20)
 *   openpgp/<FINGERPRINT>.asc        the public signing key(s) (7.1.19)
 *   white/index.txt                  one line per document path (7.1.13)
 *   white/changes.csv                "path","current_release_date", newest first (7.1.14)
 *   white/<YYYY>/<file>.json         the latest revision of each TLP:WHITE advisory (7.1.11)
 *   white/<YYYY>/<file>.json.sha256  "<hex>  <file>", as sha256sum writes it (7.1.18)
 *   white/<YYYY>/<file>.json.sha512
 *   white/<YYYY>/<file>.json.asc     the detached signature (7.1.19)
 *
 * Every file is derived from the rows (csaf_revisions keeps the exact bytes
 * and the signature), so the directory can be rebuilt at any time. A
 * publication stages the files before its commit and switches them after
 * (csaf_dir_stage / csaf_dir_switch), documents first and the indexes
 * last, so an index never names a file that is not there yet.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#include "core/cleanup.h"
#include "core/fileio.h"
#include "core/log.h"
#include "core/strutil.h"
#include "core/time.h"
#include "csaf/csaf-dir.h"
#include "pgp/pgp.h"

bool csaf_file_name_valid(const char *name) {
        size_t n = name ? strlen(name) : 0;
        if (n == 0 || n > 255 || name[0] == '.')
                return false;
        for (size_t i = 0; i < n; i++) {
                char c = name[i];
                if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                      c == '_' || c == '+' || c == '-'))
                        return false;
        }
        return true;
}

/* Publications and the rebuild at start take turns: one process-wide
 * (and cross-process) lock on <data_dir>/csaf/.lock, held from before the
 * transaction until the files are switched, so that two publications
 * cannot switch their directories in the other order than they committed.
 * A dot name is never served (csaf_file_name_valid). */
int csaf_dir_lock(const char *data_dir, int *fd, struct error *err) {
        *fd = -1;
        _cleanup_free_ char *dir = path_join(data_dir, CSAF_DIR);
        if (dir_create(dir, 0755, err) < 0)
                return -1;
        _cleanup_free_ char *path = path_join(dir, ".lock");
        int f = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
        if (f < 0)
                return error_set_errno(err, ERROR_IO, errno, "opening %s", path);
        while (flock(f, LOCK_EX) < 0) {
                if (errno == EINTR)
                        continue;
                int e = errno;
                close(f);
                return error_set_errno(err, ERROR_IO, e, "locking %s", path);
        }
        *fd = f;
        return 0;
}

void csaf_dir_abort(struct csaf_dir_stage *st) {
        for (size_t i = 0; i < st->n; i++) {
                file_stage_abort(&st->staged[i]);
                free(st->paths[i]);
        }
        free(st->staged);
        free(st->paths);
        memset(st, 0, sizeof(*st));
}

static int stage_file(struct csaf_dir_stage *st, const char *root, const char *rel, const char *data, size_t len,
                      struct error *err) {
        _cleanup_free_ char *path = path_join(root, rel);
        _cleanup_free_ char *dir = str_dup(path);
        *strrchr(dir, '/') = '\0';
        if (dir_create(dir, 0755, err) < 0)
                return -1;
        char *staged = NULL;
        if (file_stage(path, data, len, 0644, &staged, err) < 0)
                return -1;
        st->staged = xrealloc(st->staged, (st->n + 1) * sizeof(*st->staged));
        st->paths = xrealloc(st->paths, (st->n + 1) * sizeof(*st->paths));
        st->staged[st->n] = staged;
        st->paths[st->n] = steal_ptr(path);
        st->n++;
        return 0;
}

int csaf_dir_switch(struct csaf_dir_stage *st, struct error *err) {
        int rc = 0;
        for (size_t i = 0; i < st->n; i++) {
                if (rc == 0) {
                        if (file_stage_switch(&st->staged[i], st->paths[i], err) < 0)
                                rc = -1;
                } else {
                        file_stage_abort(&st->staged[i]);
                }
        }
        csaf_dir_abort(st);
        return rc;
}

static int cmp_changes(const void *a, const void *b) {
        const struct store_csaf_revision *x = *(const struct store_csaf_revision *const *) a;
        const struct store_csaf_revision *y = *(const struct store_csaf_revision *const *) b;
        if (x->published_at != y->published_at)
                return x->published_at < y->published_at ? 1 : -1;
        return strcmp(x->file_name, y->file_name);
}

/* CSAF 7.1.20: what a reader needs to find and trust the documents. */
static json_t *provider_metadata(const struct csaf_config *cfg, const char *publisher, int64_t updated,
                                 char **fprs, size_t n_fprs) {
        char when[TIME_RFC3339_LEN];
        time_format_rfc3339(updated, when);
        json_t *keys = json_array();
        for (size_t i = 0; i < n_fprs; i++)
                json_array_append_new(keys, json_pack("{s:s, s:s+++}", "fingerprint", fprs[i], "url", cfg->base_url,
                                                      CSAF_WELL_KNOWN "/" CSAF_KEYS "/", fprs[i], ".asc"));
        return json_pack("{s:s++, s:[{s:s++}], s:s, s:b, s:s, s:b, s:o, s:{s:s, s:s, s:s}, s:s}",
                         "canonical_url", cfg->base_url, CSAF_WELL_KNOWN, "/provider-metadata.json",
                         "distributions", "directory_url", cfg->base_url, CSAF_WELL_KNOWN "/" CSAF_PUBLIC "/", "",
                         "last_updated", when,
                         "list_on_CSAF_aggregators", cfg->list_on_aggregators,
                         "metadata_version", "2.0",
                         "mirror_on_CSAF_aggregators", cfg->mirror_on_aggregators,
                         "public_openpgp_keys", keys,
                         "publisher", "category", "vendor", "name", publisher, "namespace",
                         cfg->publisher_namespace && *cfg->publisher_namespace ? cfg->publisher_namespace
                                                                               : cfg->base_url,
                         "role", "csaf_trusted_provider");
}

static bool listed(char **l, size_t n, const char *s) {
        for (size_t i = 0; i < n; i++)
                if (str_eq(l[i], s))
                        return true;
        return false;
}

/* The publisher as the documents name it (they all come from one config). */
static char *publisher_of(const struct store_csaf_revision *r) {
        json_error_t je;
        _cleanup_json_ json_t *d = json_loads(r->document, 0, &je);
        const char *name = json_string_value(json_object_get(
                json_object_get(json_object_get(d, "document"), "publisher"), "name"));
        return name ? str_dup(name) : NULL;
}

int csaf_dir_stage(struct store *s, const struct csaf_config *cfg, const char *data_dir, struct pgp *keyring,
                   const char *current_key, struct csaf_dir_stage *st, struct error *err) {
        memset(st, 0, sizeof(*st));
        if (!cfg || !cfg->base_url || !*cfg->base_url)
                return error_set(err, ERROR_INVALID, "CSAF: [csaf] base_url is not set in cradled.conf");
        _cleanup_free_ char *root = path_join(data_dir, CSAF_DIR);
        struct store_csaf_revision *revs = NULL;
        size_t n = 0;
        if (store_csaf_latest_revisions(s, &revs, &n, err) < 0)
                return -1;
        struct store_csaf_revision **pub = xcalloc(n ? n : 1, sizeof(*pub));
        size_t np = 0;
        char **fprs = xcalloc(n + 1, sizeof(*fprs));
        size_t nf = 0;
        if (current_key)
                fprs[nf++] = str_dup(current_key);
        struct buf index = {0}, changes = {0};
        int rc = 0;
        int64_t updated = 0;
        _cleanup_free_ char *publisher = NULL;
        for (size_t i = 0; i < n && rc == 0; i++) {
                struct store_csaf_revision *r = &revs[i];
                /* The public directory is for TLP:WHITE only; other labels
                 * stay with the operators (csaf-publish.h). */
                if (!str_eq(r->tlp, "WHITE"))
                        continue;
                if (!csaf_file_name_valid(r->file_name) || r->year < 1000 || r->year > 9999) {
                        rc = error_set(err, ERROR_DB, "CSAF advisory %s: stored file name or year is not valid",
                                       r->tracking_id);
                        break;
                }
                pub[np++] = r;
                if (!listed(fprs, nf, r->key_fingerprint))
                        fprs[nf++] = str_dup(r->key_fingerprint);
                if (r->published_at > updated)
                        updated = r->published_at;
                if (!publisher)
                        publisher = publisher_of(r);
                _cleanup_free_ char *rel = str_printf("%s/%04lld/%s", CSAF_PUBLIC, (long long) r->year, r->file_name);
                _cleanup_free_ char *h256 = str_printf("%s  %s\n", r->sha256, r->file_name);
                _cleanup_free_ char *h512 = str_printf("%s  %s\n", r->sha512, r->file_name);
                _cleanup_free_ char *p256 = str_printf("%s.sha256", rel), *p512 = str_printf("%s.sha512", rel),
                                    *pasc = str_printf("%s.asc", rel);
                if (stage_file(st, root, rel, r->document, strlen(r->document), err) < 0 ||
                    stage_file(st, root, p256, h256, strlen(h256), err) < 0 ||
                    stage_file(st, root, p512, h512, strlen(h512), err) < 0 ||
                    stage_file(st, root, pasc, r->signature, strlen(r->signature), err) < 0)
                        rc = -1;
                buf_appendf(&index, "%04lld/%s\n", (long long) r->year, r->file_name);
        }
        if (rc == 0) {
                qsort(pub, np, sizeof(*pub), cmp_changes);
                for (size_t i = 0; i < np; i++) {
                        char when[TIME_RFC3339_LEN];
                        time_format_rfc3339(pub[i]->published_at, when);
                        buf_appendf(&changes, "\"%04lld/%s\",\"%s\"\n", (long long) pub[i]->year, pub[i]->file_name,
                                    when);
                }
        }
        for (size_t i = 0; i < nf && rc == 0; i++) {
                _cleanup_free_ char *key = NULL;
                size_t klen = 0;
                _cleanup_free_ char *rel = str_printf("%s/%s.asc", CSAF_KEYS, fprs[i]);
                if (pgp_key_export_public(keyring, fprs[i], &key, &klen, err) < 0 ||
                    stage_file(st, root, rel, key, klen, err) < 0)
                        rc = -1;
        }
        if (rc == 0 && (stage_file(st, root, CSAF_PUBLIC "/index.txt", index.data ? index.data : "", index.len, err) < 0 ||
                        stage_file(st, root, CSAF_PUBLIC "/changes.csv", changes.data ? changes.data : "", changes.len,
                                   err) < 0))
                rc = -1;
        if (rc == 0) {
                const char *pname = publisher ? publisher
                                    : cfg->publisher_name && *cfg->publisher_name ? cfg->publisher_name
                                                                                   : "Cradle";
                _cleanup_json_ json_t *pm = provider_metadata(cfg, pname, updated ? updated : time_now(), fprs, nf);
                _cleanup_free_ char *text = csaf_document_bytes(pm);
                if (stage_file(st, root, "provider-metadata.json", text, strlen(text), err) < 0)
                        rc = -1;
        }
        buf_free(&index);
        buf_free(&changes);
        for (size_t i = 0; i < nf; i++)
                free(fprs[i]);
        free(fprs);
        free(pub);
        store_csaf_revisions_free(revs, n);
        if (rc < 0)
                csaf_dir_abort(st);
        return rc;
}

static int signing_key_find_or_make(struct pgp *keyring, const char *home, const char *publisher, bool create,
                                    char **fpr, bool *generated, struct error *err) {
        if (pgp_key_find_secret(keyring, CSAF_KEY_UID_MARK, fpr, err) < 0)
                return -1;
        if (*fpr || !create)
                return 0;
        _cleanup_free_ char *uid = str_printf("%s (" CSAF_KEY_UID_MARK ")", publisher ? publisher : "Cradle");
        if (pgp_key_generate(keyring, uid, PGP_KEY_SIGN, 0, fpr, err) < 0)
                return -1;
        if (generated)
                *generated = true;
        log_info("CSAF: generated the OpenPGP signing key %s in %s", *fpr, home);
        return 0;
}

int csaf_signing_key(const char *data_dir, const char *publisher, bool create, struct pgp **keyring, char **fpr,
                     bool *generated, struct error *err) {
        *keyring = NULL;
        *fpr = NULL;
        if (generated)
                *generated = false;
        _cleanup_free_ char *home = pgp_home_path(data_dir);
        if (pgp_open(home, keyring, err) < 0)
                return -1;
        if (signing_key_find_or_make(*keyring, home, publisher, create, fpr, generated, err) < 0) {
                pgp_close(*keyring);
                *keyring = NULL;
                return -1;
        }
        return 0;
}

int csaf_directory_sync(struct store *s, const struct csaf_config *cfg, const char *data_dir, struct error *err) {
        /* Nothing published: no directory, and no keyring opened for it. */
        struct store_csaf_revision *any = NULL;
        size_t n_any = 0;
        if (store_csaf_latest_revisions(s, &any, &n_any, err) < 0)
                return -1;
        store_csaf_revisions_free(any, n_any);
        if (n_any == 0)
                return 0;
        _cleanup_close_ int lock = -1;
        if (csaf_dir_lock(data_dir, &lock, err) < 0)
                return -1;
        struct pgp *keyring = NULL;
        _cleanup_free_ char *fpr = NULL;
        if (csaf_signing_key(data_dir, NULL, false, &keyring, &fpr, NULL, err) < 0)
                return -1;
        struct csaf_dir_stage st;
        int rc = store_read_begin(s, err);
        if (rc == 0) {
                rc = csaf_dir_stage(s, cfg, data_dir, keyring, fpr, &st, err);
                store_read_end(s);
        }
        if (rc == 0)
                rc = csaf_dir_switch(&st, err);
        pgp_close(keyring);
        return rc;
}

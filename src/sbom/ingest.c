/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Parsed SBOMs into the store, linked to releases, and read back. The
 * parse happens before the transaction (a refusal writes nothing); the
 * rows, the match-queue entry and the audit entry commit together.
 */
#include <stdio.h>
#include <string.h>

#include "core/cleanup.h"
#include "core/json.h"
#include "core/strutil.h"
#include "release/image-store.h"
#include "sbom/ingest.h"
#include "store/store-release.h"
#include "store/store-sbom.h"
#include "vuln/match.h"

bool sbom_module_valid(const char *module) {
        size_t n = module ? strlen(module) : 0;
        if (n > SBOM_MODULE_MAX)
                return false;
        for (size_t i = 0; i < n; i++) {
                char ch = module[i];
                if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '.' ||
                      ch == '_' || ch == '-'))
                        return false;
        }
        return true;
}

/* The one place identifiers meet the matcher's parser (src/vuln): validity
 * and the lookup key of migration 10. */
static int ident_key(const char *kind, const char *value, bool *valid, char **key) {
        *key = NULL;
        struct error e = { 0 };
        *valid = vuln_ident_match_key(kind, value, key, &e) == 0;
        return 0;
}

bool sbom_ident_valid(const char *kind, const char *value, void *ctx) {
        (void) ctx;
        bool valid;
        _cleanup_free_ char *key = NULL;
        ident_key(kind, value, &valid, &key);
        /* Usable by a matcher: parsed, and with a key (a '*' vendor never matches). */
        return valid && key != NULL;
}

static int store_idents(struct store *s, int64_t cid, const char *kind, const struct sbom_strv *v, struct error *err) {
        for (size_t i = 0; i < v->n; i++) {
                bool valid;
                _cleanup_free_ char *key = NULL;
                ident_key(kind, v->v[i], &valid, &key);
                if (store_sbom_ident_insert(s, cid, kind, v->v[i], valid, key, err) < 0)
                        return -1;
        }
        return 0;
}

int sbom_document_store(struct store *s, const struct audit_actor *a, int64_t release_id, const char *module,
                        const char *sha256, const char *media_type, const struct sbom_doc *d, int64_t now,
                        bool replace_ok, json_t **summary, struct error *err) {
        *summary = NULL;
        int64_t old = 0, dropped = 0, doc_id = 0;
        if (store_sbom_document_find(s, release_id, module, &old, err) < 0)
                return -1;
        if (old && !replace_ok)
                return error_set(err, ERROR_CONFLICT,
                                 "the release already has an SBOM for module '%s' and is published or withdrawn: "
                                 "its SBOMs are kept as they are",
                                 module);
        if (old && store_sbom_document_delete(s, old, &dropped, err) < 0)
                return -1;
        int score = 0;
        _cleanup_json_ json_t *quality = sbom_quality(d, sbom_ident_valid, NULL, &score);
        _cleanup_free_ char *qtext = cr_json_dump(quality);
        struct store_sbom_document row = {
                .release_id = release_id, .module = module, .sha256 = sha256,
                .media_type = media_type ? media_type : "application/octet-stream",
                .format = sbom_format_name(d->format), .spec_version = d->spec_version ? d->spec_version : "",
                .name = d->name, .tool = d->tool, .document_created = d->created,
                .component_count = (int64_t) d->n_components, .quality_score = score, .quality = qtext,
                .created_at = now, .created_by = a && a->name ? a->name : "system",
        };
        if (store_sbom_document_insert(s, &row, &doc_id, err) < 0)
                return -1;
        int64_t *ids = xcalloc(d->n_components ? d->n_components : 1, sizeof(int64_t));
        int rc = 0;
        for (size_t i = 0; i < d->n_components && rc == 0; i++) {
                const struct sbom_component *c = &d->components[i];
                _cleanup_free_ char *hashes = json_object_size(c->hashes) ? cr_json_dump(c->hashes) : NULL;
                _cleanup_free_ char *patches = c->patches ? cr_json_dump(c->patches) : NULL;
                struct store_sbom_component sc = {
                        .document_id = doc_id, .ref = c->ref, .name = c->name, .version = c->version,
                        .supplier = c->supplier, .type = c->type, .licenses = c->licenses, .hashes = hashes,
                        .patches = patches, .top_level = c->top_level,
                };
                rc = store_sbom_component_insert(s, &sc, &ids[i], err);
                if (rc == 0)
                        rc = store_idents(s, ids[i], "purl", &c->purls, err);
                if (rc == 0)
                        rc = store_idents(s, ids[i], "cpe", &c->cpes, err);
        }
        for (size_t e = 0; e < d->n_edges && rc == 0; e++)
                rc = store_sbom_dependency_insert(s, ids[d->edges[e].from], ids[d->edges[e].to], err);
        free(ids);
        if (rc < 0 || store_sbom_match_queue_put(s, doc_id, now, err) < 0)
                return -1;
        *summary = json_pack("{s:I, s:s, s:s, s:s, s:I, s:i, s:o, s:I}", "document_id", (json_int_t) doc_id, "module",
                             module, "format", sbom_format_name(d->format), "spec_version",
                             d->spec_version ? d->spec_version : "", "components", (json_int_t) d->n_components,
                             "quality_score", score, "replaced_document_id", old ? json_integer(old) : json_null(),
                             "findings_dropped", (json_int_t) dropped);
        return 0;
}

static const struct cr_json_field attach_fields[] = {
        { "sha256", CR_JSON_STRING, false, 64, false },
        { "module", CR_JSON_STRING, false, SBOM_MODULE_MAX, false },
        { "media_type", CR_JSON_STRING, false, RELEASE_MEDIA_TYPE_MAX, false },
};

int sbom_attach_stored(const struct ota_ctx *c, const struct audit_actor *a, int64_t release_id, json_t *body,
                       json_t **out, struct error *err) {
        *out = NULL;
        if (cr_json_check_object("request body", body, attach_fields, ELEMENTSOF(attach_fields), err) < 0)
                return -1;
        const char *module = cr_json_get_string(body, "module");
        if (!module)
                module = "";
        if (!sbom_module_valid(module))
                return error_set(err, ERROR_INVALID, "module: at most %d characters of A-Z a-z 0-9 . _ -",
                                 SBOM_MODULE_MAX);
        struct store *s = c->store;
        _cleanup_release_row_ struct store_release r = { 0 };
        if (store_release_get(s, release_id, &r, err) < 0)
                return -1;
        const char *sha = cr_json_get_string(body, "sha256"), *mt = cr_json_get_string(body, "media_type");
        if (!sha) {
                if (!r.sbom_sha256)
                        return error_set(err, ERROR_INVALID,
                                         "sha256: required (release %s of %s has no SBOM file of its own)", r.version,
                                         r.product_model);
                sha = r.sbom_sha256;
        }
        if (!image_sha256_hex_valid(sha))
                return error_set(err, ERROR_INVALID, "sha256: expected 64 lowercase hex digits");
        if (!mt && str_eq(sha, r.sbom_sha256))
                mt = r.sbom_media_type;
        struct store_image im;
        if (store_image_get(s, sha, &im, err) < 0)
                return -1;
        if (im.deleted_at)
                return error_set(err, ERROR_NOT_FOUND, "file %s was deleted", sha);
        if (r.status == STORE_RELEASE_WITHDRAWN)
                return error_set(err, ERROR_CONFLICT, "release %s of %s is withdrawn; SBOMs are not attached to it",
                                 r.version, r.product_model);
        _cleanup_free_ char *path = image_store_path(c->data_dir, sha);
        _cleanup_free_ char *label = str_printf("SBOM %.12s", sha);
        _cleanup_sbom_doc_ struct sbom_doc *d = NULL;
        if (sbom_parse_file(label, path, mt, &d, err) < 0)
                return -1;
        if (store_tx_begin(s, err) < 0)
                return -1;
        _cleanup_json_ json_t *summary = NULL;
        char object[48];
        snprintf(object, sizeof(object), "release:%lld", (long long) release_id);
        /* Once more under the write lock: the state decides whether a replace is allowed. */
        store_release_clear(&r);
        memset(&r, 0, sizeof(r));
        if (store_release_get(s, release_id, &r, err) < 0)
                goto fail;
        if (r.status == STORE_RELEASE_WITHDRAWN) {
                error_set(err, ERROR_CONFLICT, "release %s of %s is withdrawn", r.version, r.product_model);
                goto fail;
        }
        bool replace_ok = r.status == STORE_RELEASE_DRAFT || r.status == STORE_RELEASE_SIGNED;
        if (sbom_document_store(s, a, release_id, module, sha, mt, d, ota_now(c), replace_ok, &summary, err) < 0)
                goto fail;
        json_object_set_new(summary, "sha256", json_string(sha));
        if (audit_append(s, a, "sbom.attach", object, summary, err) < 0)
                goto fail;
        if (store_tx_commit(s, err) < 0)
                return -1;
        return store_sbom_document_json(s, json_integer_value(json_object_get(summary, "document_id")), true, out,
                                        err);
fail:
        store_tx_rollback(s);
        return -1;
}

int sbom_document_get(struct store *s, int64_t id, bool with_quality, json_t **out, struct error *err) {
        return store_sbom_document_json(s, id, with_quality, out, err);
}

int sbom_release_documents(struct store *s, int64_t release_id, json_t **out, struct error *err) {
        *out = NULL;
        _cleanup_release_row_ struct store_release r = { 0 };
        json_t *items;
        if (store_release_get(s, release_id, &r, err) < 0 || store_sbom_documents_json(s, release_id, &items, err) < 0)
                return -1;
        *out = json_pack("{s:o}", "items", items);
        return 0;
}

int sbom_components(struct store *s, const struct sbom_component_filter *f, json_t **out, struct error *err) {
        *out = NULL;
        size_t limit = f->limit ? f->limit : 100;
        if (limit > SBOM_COMPONENTS_PAGE_MAX)
                return error_set(err, ERROR_INVALID, "limit: at most %d", SBOM_COMPONENTS_PAGE_MAX);
        static const struct {
                const char *field;
                size_t max;
        } lens[] = { { "name", SBOM_MAX_FIELD }, { "purl", SBOM_MAX_FIELD }, { "cpe", SBOM_MAX_FIELD } };
        const char *vals[] = { f->name, f->purl, f->cpe };
        for (size_t i = 0; i < 3; i++)
                if (vals[i] && (!*vals[i] || strlen(vals[i]) > lens[i].max))
                        return error_set(err, ERROR_INVALID, "%s: 1 to %zu characters", lens[i].field, lens[i].max);
        /* A purl or CPE given as a query finds what shares its match key
         * (every version of the package), or exactly what was written when
         * it has none. */
        _cleanup_free_ char *purl_key = NULL, *cpe_key = NULL;
        bool valid;
        if (f->purl)
                ident_key("purl", f->purl, &valid, &purl_key);
        if (f->cpe)
                ident_key("cpe", f->cpe, &valid, &cpe_key);
        struct store_sbom_component_query q = {
                .document_id = f->document_id, .release_id = f->release_id, .name = f->name, .purl = f->purl,
                .purl_key = purl_key, .cpe = f->cpe, .cpe_key = cpe_key, .after = f->after, .limit = limit,
        };
        json_t *items;
        bool more;
        if (store_sbom_components_json(s, &q, &items, &more, err) < 0)
                return -1;
        json_t *last = json_array_get(items, json_array_size(items) - 1);
        *out = json_pack("{s:o, s:o}", "items", items, "next_after_id",
                         more && last ? json_integer(json_integer_value(json_object_get(last, "id"))) : json_null());
        return 0;
}

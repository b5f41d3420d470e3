/* SPDX-License-Identifier: Apache-2.0 */
/*
 * SBOM documents and components (issue 9, section 1): HTTP onto
 * sbom/ingest.h. Uploads go through PUT /api/v1/releases/{id}/sbom
 * (routes-releases.c, ?module= for a module's SBOM); here: attaching a
 * file already stored, reading documents, their quality report and
 * components, components across all releases, and the CycloneDX export.
 */
#include <string.h>

#include "core/cleanup.h"
#include "release/ota.h"
#include "route-io.h"
#include "routes.h"
#include "sbom/ingest.h"

int routes_sbom_attach(struct route_ctx *ctx, struct http_response *resp, struct error *err) {
        struct ota_ctx oc;
        int64_t id;
        _cleanup_json_ json_t *body = NULL, *out = NULL;
        if (route_param_id(ctx, "id", &id, err) < 0 || route_read_json_body(ctx, &body, err) < 0 ||
            route_ota(ctx, &oc, err) < 0)
                return -1;
        struct audit_actor actor = route_actor(ctx);
        if (sbom_attach_stored(&oc, &actor, id, body, &out, err) < 0)
                return -1;
        route_respond_created(resp, out, "/api/v1/sboms/%lld",
                              (long long) json_integer_value(json_object_get(out, "id")));
        return 0;
}

int routes_sbom_release_list(struct route_ctx *ctx, struct http_response *resp, struct error *err) {
        struct ota_ctx oc;
        int64_t id;
        _cleanup_json_ json_t *out = NULL;
        if (route_param_id(ctx, "id", &id, err) < 0 || route_ota(ctx, &oc, err) < 0 ||
            sbom_release_documents(oc.store, id, &out, err) < 0)
                return -1;
        route_respond_json(resp, 200, out);
        return 0;
}

int routes_sbom_export(struct route_ctx *ctx, struct http_response *resp, struct error *err) {
        struct ota_ctx oc;
        int64_t id;
        _cleanup_json_ json_t *out = NULL;
        if (route_param_id(ctx, "id", &id, err) < 0 || route_ota(ctx, &oc, err) < 0 ||
            sbom_export_cyclonedx(oc.store, id, &out, err) < 0)
                return -1;
        route_respond_json(resp, 200, out);
        return 0;
}

static int document(struct route_ctx *ctx, bool with_quality, json_t **out, struct error *err) {
        struct ota_ctx oc;
        int64_t id;
        return route_param_id(ctx, "id", &id, err) < 0 || route_ota(ctx, &oc, err) < 0 ||
                               sbom_document_get(oc.store, id, with_quality, out, err) < 0
                       ? -1
                       : 0;
}

int routes_sbom_get(struct route_ctx *ctx, struct http_response *resp, struct error *err) {
        _cleanup_json_ json_t *out = NULL;
        if (document(ctx, true, &out, err) < 0)
                return -1;
        route_respond_json(resp, 200, out);
        return 0;
}

int routes_sbom_quality(struct route_ctx *ctx, struct http_response *resp, struct error *err) {
        _cleanup_json_ json_t *out = NULL;
        if (document(ctx, true, &out, err) < 0)
                return -1;
        json_t *q = json_object_get(out, "quality");
        json_object_set(q, "document_id", json_object_get(out, "id"));
        route_respond_json(resp, 200, q);
        return 0;
}

/* The paging and filter parameters both component lists share. */
static int component_query(struct route_ctx *ctx, struct sbom_component_filter *f, char **name, char **purl,
                           char **cpe, struct error *err) {
        int64_t v;
        bool present;
        if (route_query_int(ctx, "after", 0, INT64_MAX, &v, &present, err) < 0)
                return -1;
        if (present)
                f->after = v;
        if (route_query_int(ctx, "limit", 1, SBOM_COMPONENTS_PAGE_MAX, &v, &present, err) < 0)
                return -1;
        if (present)
                f->limit = (size_t) v;
        if (name && (route_query_string(ctx, "name", name, err) < 0 || route_query_string(ctx, "purl", purl, err) < 0 ||
                     route_query_string(ctx, "cpe", cpe, err) < 0))
                return -1;
        if (name) {
                f->name = *name;
                f->purl = *purl;
                f->cpe = *cpe;
        }
        return 0;
}

int routes_sbom_components(struct route_ctx *ctx, struct http_response *resp, struct error *err) {
        struct ota_ctx oc;
        struct sbom_component_filter f = { 0 };
        _cleanup_json_ json_t *doc = NULL, *out = NULL;
        if (route_param_id(ctx, "id", &f.document_id, err) < 0 || component_query(ctx, &f, NULL, NULL, NULL, err) < 0 ||
            route_ota(ctx, &oc, err) < 0 || sbom_document_get(oc.store, f.document_id, false, &doc, err) < 0 ||
            sbom_components(oc.store, &f, &out, err) < 0)
                return -1;
        route_respond_json(resp, 200, out);
        return 0;
}

int routes_components_search(struct route_ctx *ctx, struct http_response *resp, struct error *err) {
        struct ota_ctx oc;
        struct sbom_component_filter f = { 0 };
        _cleanup_free_ char *name = NULL, *purl = NULL, *cpe = NULL;
        _cleanup_json_ json_t *out = NULL;
        int64_t rel;
        bool present;
        if (component_query(ctx, &f, &name, &purl, &cpe, err) < 0 ||
            route_query_int(ctx, "release", 1, INT64_MAX, &rel, &present, err) < 0)
                return -1;
        if (present)
                f.release_id = rel;
        if (route_ota(ctx, &oc, err) < 0 || sbom_components(oc.store, &f, &out, err) < 0)
                return -1;
        route_respond_json(resp, 200, out);
        return 0;
}

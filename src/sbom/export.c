/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A release's SBOM(s) as one CycloneDX 1.6 JSON BOM, whatever format they
 * came in. metadata.component is the release itself (type firmware); the
 * release depends on each document's top-level components; each
 * component keeps its name, version, supplier, licence (as an SPDX
 * expression), hashes the schema knows, one purl and one CPE (the others as
 * properties), Buildroot-style pedigree.patches with what they resolve, and
 * its dependencies. With several modules, bom-refs are prefixed
 * "module/" so they stay unique. The output validates against the official
 * bom-1.6 schema (tests/interop/cyclonedx).
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cradle-version.h"
#include "core/cleanup.h"
#include "core/strutil.h"
#include "core/time.h"
#include "crypto/hash.h"
#include "sbom/ingest.h"
#include "store/store-sbom.h"

static const char *cdx_type(const char *t) {
        static const char *const known[] = {
                "application", "framework", "library", "container", "platform", "operating-system", "device",
                "device-driver", "firmware", "file", "machine-learning-model", "data", "cryptographic-asset",
        };
        for (size_t i = 0; t && i < ELEMENTSOF(known); i++)
                if (strcmp(t, known[i]) == 0)
                        return t;
        if (str_eq(t, "source") || str_eq(t, "archive"))
                return "file";
        if (str_eq(t, "operating_system"))
                return "operating-system";
        return "library";
}

static bool hex_of_len(const char *s, size_t n) {
        if (strlen(s) != n)
                return false;
        for (size_t i = 0; i < n; i++)
                if (!isxdigit((unsigned char) s[i]))
                        return false;
        return true;
}

static json_t *cdx_hashes(json_t *hashes) {
        static const struct {
                const char *ours, *cdx;
                size_t hex;
        } map[] = {
                { "md5", "MD5", 32 },           { "sha1", "SHA-1", 40 },          { "sha256", "SHA-256", 64 },
                { "sha384", "SHA-384", 96 },    { "sha512", "SHA-512", 128 },     { "sha3-256", "SHA3-256", 64 },
                { "sha3-384", "SHA3-384", 96 }, { "sha3-512", "SHA3-512", 128 },  { "blake2b-256", "BLAKE2b-256", 64 },
                { "blake2b-384", "BLAKE2b-384", 96 }, { "blake2b-512", "BLAKE2b-512", 128 },
        };
        json_t *arr = json_array();
        for (size_t i = 0; i < ELEMENTSOF(map); i++) {
                const char *v = json_string_value(json_object_get(hashes, map[i].ours));
                if (v && hex_of_len(v, map[i].hex))
                        json_array_append_new(arr, json_pack("{s:s, s:s}", "alg", map[i].cdx, "content", v));
        }
        return arr;
}

static json_t *cdx_patches(json_t *patches) {
        json_t *arr = json_array();
        size_t i;
        json_t *p;
        json_array_foreach(patches, i, p) {
                const char *type = json_string_value(json_object_get(p, "type"));
                if (!str_eq(type, "unofficial") && !str_eq(type, "monkey") && !str_eq(type, "backport") &&
                    !str_eq(type, "cherry-pick"))
                        type = "unofficial";
                json_t *o = json_pack("{s:s}", "type", type);
                const char *url = json_string_value(json_object_get(p, "url"));
                if (url)
                        json_object_set_new(o, "diff", json_pack("{s:s}", "url", url));
                json_t *res = json_array();
                size_t k;
                json_t *id;
                json_array_foreach(json_object_get(p, "resolves"), k, id) {
                        if (json_is_string(id))
                                json_array_append_new(res, json_pack("{s:s, s:O}", "type", "security", "id", id));
                }
                if (json_array_size(res))
                        json_object_set_new(o, "resolves", res);
                else
                        json_decref(res);
                json_array_append_new(arr, o);
        }
        return arr;
}

/* The first valid identifier (else the first), and the rest as properties. */
static void cdx_ident(json_t *comp, json_t *props, json_t *list, const char *field, const char *prop) {
        size_t i, pick = SIZE_MAX;
        json_t *v;
        json_array_foreach(list, i, v) {
                if (json_is_true(json_object_get(v, "valid"))) {
                        pick = i;
                        break;
                }
        }
        if (pick == SIZE_MAX && json_array_size(list))
                pick = 0;
        json_array_foreach(list, i, v) {
                const char *s = json_string_value(json_object_get(v, "value"));
                if (!s)
                        continue;
                if (i == pick)
                        json_object_set_new(comp, field, json_string(s));
                else
                        json_array_append_new(props, json_pack("{s:s, s:s}", "name", prop, "value", s));
        }
}

static char *ref_of(const char *module, bool prefix, const char *ref) {
        return prefix ? str_printf("%s/%s", *module ? module : "release", ref) : str_dup(ref);
}

int sbom_export_cyclonedx(struct store *s, int64_t release_id, json_t **out, struct error *err) {
        *out = NULL;
        _cleanup_json_ json_t *docs = NULL;
        if (sbom_release_documents(s, release_id, &docs, err) < 0)
                return -1;
        json_t *items = json_object_get(docs, "items");
        if (json_array_size(items) == 0)
                return error_set(err, ERROR_NOT_FOUND, "release %lld has no parsed SBOM", (long long) release_id);
        json_t *first = json_array_get(items, 0);
        const char *model = json_string_value(json_object_get(first, "product")),
                   *version = json_string_value(json_object_get(first, "release"));
        bool prefix = json_array_size(items) > 1;
        char root_ref[48];
        snprintf(root_ref, sizeof(root_ref), "release:%lld", (long long) release_id);
        _cleanup_json_ json_t *components = json_array(), *deps = json_array(), *root_deps = json_array();
        struct hash_sha256_ctx *h = hash_sha256_new();
        size_t di;
        json_t *doc;
        json_array_foreach(items, di, doc) {
                int64_t doc_id = json_integer_value(json_object_get(doc, "id"));
                const char *module = json_string_value(json_object_get(doc, "module"));
                const char *sha = json_string_value(json_object_get(doc, "sha256"));
                hash_sha256_update(h, sha, strlen(sha));
                struct sbom_component_filter f = { .document_id = doc_id, .limit = SBOM_COMPONENTS_PAGE_MAX };
                for (;;) {
                        _cleanup_json_ json_t *page = NULL;
                        if (sbom_components(s, &f, &page, err) < 0) {
                                uint8_t dummy[SHA256_LEN];
                                hash_sha256_final(h, dummy);
                                return -1;
                        }
                        size_t i;
                        json_t *c;
                        json_array_foreach(json_object_get(page, "items"), i, c) {
                                _cleanup_free_ char *ref =
                                        ref_of(module, prefix, json_string_value(json_object_get(c, "ref")));
                                json_t *comp = json_pack("{s:s, s:s, s:O}", "type",
                                                         cdx_type(json_string_value(json_object_get(c, "type"))),
                                                         "bom-ref", ref, "name", json_object_get(c, "name"));
                                json_t *props = json_array();
                                if (json_is_string(json_object_get(c, "version")))
                                        json_object_set(comp, "version", json_object_get(c, "version"));
                                if (json_is_string(json_object_get(c, "supplier")))
                                        json_object_set_new(comp, "supplier",
                                                            json_pack("{s:O}", "name", json_object_get(c, "supplier")));
                                json_t *hs = cdx_hashes(json_object_get(c, "hashes"));
                                if (json_array_size(hs))
                                        json_object_set_new(comp, "hashes", hs);
                                else
                                        json_decref(hs);
                                if (json_is_string(json_object_get(c, "licenses")))
                                        json_object_set_new(comp, "licenses",
                                                            json_pack("[{s:O}]", "expression",
                                                                      json_object_get(c, "licenses")));
                                cdx_ident(comp, props, json_object_get(c, "cpes"), "cpe", "cradle:cpe");
                                cdx_ident(comp, props, json_object_get(c, "purls"), "purl", "cradle:purl");
                                if (json_is_array(json_object_get(c, "patches")))
                                        json_object_set_new(comp, "pedigree",
                                                            json_pack("{s:o}", "patches",
                                                                      cdx_patches(json_object_get(c, "patches"))));
                                if (*module)
                                        json_array_append_new(props, json_pack("{s:s, s:s}", "name", "cradle:module",
                                                                               "value", module));
                                if (json_array_size(props))
                                        json_object_set_new(comp, "properties", props);
                                else
                                        json_decref(props);
                                if (json_is_true(json_object_get(c, "top_level")))
                                        json_array_append_new(root_deps, json_string(ref));
                                json_array_append_new(components, comp);
                        }
                        json_t *next = json_object_get(page, "next_after_id");
                        if (!json_is_integer(next))
                                break;
                        f.after = json_integer_value(next);
                }
                _cleanup_json_ json_t *pairs = NULL;
                if (store_sbom_dependencies_json(s, doc_id, &pairs, err) < 0) {
                        uint8_t dummy[SHA256_LEN];
                        hash_sha256_final(h, dummy);
                        return -1;
                }
                /* Group the edges by their source (they come ordered by it). */
                json_t *cur = NULL;
                const char *cur_from = NULL;
                size_t i;
                json_t *pair;
                json_array_foreach(pairs, i, pair) {
                        _cleanup_free_ char *from = ref_of(module, prefix, json_string_value(json_array_get(pair, 0)));
                        _cleanup_free_ char *to = ref_of(module, prefix, json_string_value(json_array_get(pair, 1)));
                        if (!cur || !str_eq(cur_from, from)) {
                                cur = json_pack("{s:s, s:[]}", "ref", from, "dependsOn");
                                json_array_append_new(deps, cur);
                                cur_from = json_string_value(json_object_get(cur, "ref"));
                        }
                        json_array_append_new(json_object_get(cur, "dependsOn"), json_string(to));
                }
        }
        uint8_t digest[SHA256_LEN];
        hash_sha256_update(h, root_ref, strlen(root_ref));
        hash_sha256_final(h, digest);
        /* A name-based UUID (version 8 layout) from the documents' hashes: the
         * same SBOMs give the same serial number. */
        digest[6] = (uint8_t) ((digest[6] & 0x0f) | 0x80);
        digest[8] = (uint8_t) ((digest[8] & 0x3f) | 0x80);
        char serial[64];
        snprintf(serial, sizeof(serial),
                 "urn:uuid:%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", digest[0],
                 digest[1], digest[2], digest[3], digest[4], digest[5], digest[6], digest[7], digest[8], digest[9],
                 digest[10], digest[11], digest[12], digest[13], digest[14], digest[15]);
        char now[TIME_RFC3339_LEN];
        time_format_rfc3339((int64_t) time(NULL), now);
        json_array_insert_new(deps, 0, json_pack("{s:s, s:O}", "ref", root_ref, "dependsOn", root_deps));
        *out = json_pack("{s:s, s:s, s:s, s:s, s:i, s:{s:s, s:{s:[{s:s, s:s, s:s}]}, s:{s:s, s:s, s:s, s:s}}, s:O, "
                         "s:O}",
                         "$schema", "http://cyclonedx.org/schema/bom-1.6.schema.json", "bomFormat", "CycloneDX",
                         "specVersion", "1.6", "serialNumber", serial, "version", 1, "metadata", "timestamp", now,
                         "tools", "components", "type", "application", "name", "cradle", "version", CRADLE_VERSION,
                         "component", "type", "firmware", "bom-ref", root_ref, "name", model ? model : "release",
                         "version", version ? version : "", "components", components, "dependencies", deps);
        return 0;
}

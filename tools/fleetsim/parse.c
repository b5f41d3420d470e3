/* SPDX-License-Identifier: Apache-2.0 */
#include "parse.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/cleanup.h"
#include "core/json.h"

/* Copies a string field of 1..max bytes without control characters. */
static int copy_str(const char *what, json_t *v, char *out, size_t max, bool allow_empty, struct error *err) {
        const char *s = json_string_value(v);
        size_t n;
        if (!s)
                return error_set(err, ERROR_INVALID, "%s: expected a string", what);
        n = json_string_length(v);
        if ((!allow_empty && n == 0) || n > max)
                return error_set(err, ERROR_INVALID, "%s: must be %s..%zu bytes", what, allow_empty ? "0" : "1", max);
        for (size_t i = 0; i < n; i++)
                if ((unsigned char) s[i] < 0x20 || s[i] == 0x7f)
                        return error_set(err, ERROR_INVALID, "%s: contains a control character", what);
        memcpy(out, s, n);
        out[n] = '\0';
        return 0;
}

static json_t *parse(const char *what, const char *buf, size_t len, struct error *err) {
        json_t *j = cr_json_parse(what, buf, len, FLEETSIM_RESPONSE_MAX, 0, err);
        if (j && !json_is_object(j)) {
                json_decref(j);
                error_set(err, ERROR_INVALID, "%s: expected a JSON object", what);
                return NULL;
        }
        return j;
}

static int get_version(const char *what, json_t *obj, const char *key, int64_t *out, struct error *err) {
        json_t *v = json_object_get(obj, key);
        if (!json_is_integer(v) || json_integer_value(v) < 1)
                return error_set(err, ERROR_INVALID, "%s: '%s' must be an integer >= 1", what, key);
        *out = json_integer_value(v);
        return 0;
}

static json_t *signed_of(const char *what, json_t *doc, struct error *err) {
        json_t *s = json_object_get(doc, "signed");
        if (!json_is_object(s))
                error_set(err, ERROR_INVALID, "%s: no 'signed' object", what);
        return json_is_object(s) ? s : NULL;
}

int fleetsim_parse_tuf_version(const char *buf, size_t len, int64_t *version, struct error *err) {
        _cleanup_json_ json_t *doc = parse("TUF metadata", buf, len, err);
        json_t *s;
        if (!doc || !(s = signed_of("TUF metadata", doc, err)))
                return -1;
        return get_version("TUF metadata signed", s, "version", version, err);
}

int fleetsim_parse_director_targets(const char *buf, size_t len, struct fleetsim_offer *out, struct error *err) {
        _cleanup_json_ json_t *doc = parse("director targets.json", buf, len, err);
        json_t *s, *targets, *t = NULL, *v, *custom, *hashes;
        const char *key, *first = NULL;
        int64_t version;

        memset(out, 0, sizeof(*out));
        out->security_version = -1;
        if (!doc || !(s = signed_of("director targets.json", doc, err)) ||
            get_version("director targets.json", s, "version", &version, err) < 0)
                return -1;
        targets = json_object_get(s, "targets");
        if (!json_is_object(targets))
                return error_set(err, ERROR_INVALID, "director targets.json: 'targets' must be an object");
        json_object_foreach(targets, key, v) {
                if (!first || strcmp(key, first) < 0) {
                        first = key;
                        t = v;
                }
        }
        if (!first)
                return 0;
        if (strlen(first) == 0 || strlen(first) > FLEETSIM_PATH_MAX)
                return error_set(err, ERROR_INVALID, "director targets.json: a target path must be 1..%d bytes",
                                 FLEETSIM_PATH_MAX);
        if (!json_is_object(t))
                return error_set(err, ERROR_INVALID, "director targets.json: target '%s' is not an object", first);
        custom = json_object_get(t, "custom");
        if (!json_is_object(custom))
                return error_set(err, ERROR_INVALID, "director targets.json: target has no 'custom' object");
        if (copy_str("director target custom.release", json_object_get(custom, "release"), out->release,
                     FLEETSIM_VERSION_MAX, false, err) < 0)
                return -1;
        v = json_object_get(custom, "security_version");
        if (v) {
                if (!json_is_integer(v) || json_integer_value(v) < 0)
                        return error_set(err, ERROR_INVALID,
                                         "director target custom.security_version: expected an integer >= 0");
                out->security_version = json_integer_value(v);
        }
        v = json_object_get(t, "length");
        if (!json_is_integer(v) || json_integer_value(v) < 0)
                return error_set(err, ERROR_INVALID, "director target length: expected an integer >= 0");
        out->length = json_integer_value(v);
        hashes = json_object_get(t, "hashes");
        if (json_is_object(hashes) && json_object_get(hashes, "sha256")) {
                char hex[65];
                if (copy_str("director target hashes.sha256", json_object_get(hashes, "sha256"), hex, 64, false,
                             err) < 0)
                        return -1;
                if (strlen(hex) != 64 || strspn(hex, "0123456789abcdef") != 64)
                        return error_set(err, ERROR_INVALID,
                                         "director target hashes.sha256: expected 64 lowercase hex digits");
                memcpy(out->sha256, hex, sizeof(hex));
        }
        memcpy(out->path, first, strlen(first) + 1);
        out->available = true;
        return 0;
}

static int meta_version(const char *what, json_t *s, const char *name, int64_t *out, struct error *err) {
        json_t *meta = json_object_get(s, "meta");
        json_t *m = json_is_object(meta) ? json_object_get(meta, name) : NULL;
        if (!json_is_object(m))
                return error_set(err, ERROR_INVALID, "%s: no meta entry for %s", what, name);
        return get_version(what, m, "version", out, err);
}

int fleetsim_parse_timestamp(const char *buf, size_t len, int64_t *version, int64_t *snapshot_version,
                             struct error *err) {
        _cleanup_json_ json_t *doc = parse("timestamp.json", buf, len, err);
        json_t *s;
        if (!doc || !(s = signed_of("timestamp.json", doc, err)) ||
            get_version("timestamp.json", s, "version", version, err) < 0)
                return -1;
        return meta_version("timestamp.json", s, "snapshot.json", snapshot_version, err);
}

int fleetsim_parse_snapshot(const char *buf, size_t len, int64_t *targets_version, struct error *err) {
        _cleanup_json_ json_t *doc = parse("snapshot.json", buf, len, err);
        json_t *s;
        if (!doc || !(s = signed_of("snapshot.json", doc, err)))
                return -1;
        return meta_version("snapshot.json", s, "targets.json", targets_version, err);
}

int fleetsim_parse_whoami(const char *buf, size_t len, char version[FLEETSIM_VERSION_MAX + 1],
                          int64_t *security_version, struct error *err) {
        _cleanup_json_ json_t *doc = parse("whoami", buf, len, err);
        json_t *v;
        version[0] = '\0';
        *security_version = -1;
        if (!doc)
                return -1;
        v = json_object_get(doc, "installed_version");
        if (!json_is_string(v))
                v = json_object_get(doc, "initial_firmware_version");
        if (json_is_string(v) && copy_str("whoami version", v, version, FLEETSIM_VERSION_MAX, false, err) < 0)
                return -1;
        v = json_object_get(doc, "security_version");
        if (json_is_integer(v) && json_integer_value(v) >= 0)
                *security_version = json_integer_value(v);
        return 0;
}

/* ---- hawkBit DDI ---- */

int64_t fleetsim_ddi_parse_sleep(const char *s) {
        unsigned h, m, sec;
        char tail;
        if (!s || strlen(s) > 12 || sscanf(s, "%u:%2u:%2u%c", &h, &m, &sec, &tail) != 3 || m > 59 || sec > 59 ||
            h > 99999)
                return -1;
        return (int64_t) h * 3600 + m * 60 + sec;
}

static int link_href(json_t *links, const char *name, char *out, struct error *err) {
        json_t *l = json_object_get(links, name);
        char what[64];
        out[0] = '\0';
        if (!l)
                return 0;
        snprintf(what, sizeof(what), "_links.%s.href", name);
        if (!json_is_object(l))
                return error_set(err, ERROR_INVALID, "%s: expected an object", what);
        return copy_str(what, json_object_get(l, "href"), out, FLEETSIM_HREF_MAX, false, err);
}

int fleetsim_ddi_parse_base(const char *buf, size_t len, struct fleetsim_ddi_base *out, struct error *err) {
        _cleanup_json_ json_t *doc = parse("DDI base poll", buf, len, err);
        json_t *cfg, *polling, *sleep, *links;
        memset(out, 0, sizeof(*out));
        out->sleep_s = -1;
        if (!doc)
                return -1;
        cfg = json_object_get(doc, "config");
        polling = json_is_object(cfg) ? json_object_get(cfg, "polling") : NULL;
        sleep = json_is_object(polling) ? json_object_get(polling, "sleep") : NULL;
        if (sleep) {
                out->sleep_s = fleetsim_ddi_parse_sleep(json_string_value(sleep));
                if (out->sleep_s < 0)
                        return error_set(err, ERROR_INVALID, "config.polling.sleep: expected \"HH:MM:SS\"");
        }
        links = json_object_get(doc, "_links");
        if (!links)
                return 0;
        if (!json_is_object(links))
                return error_set(err, ERROR_INVALID, "_links: expected an object");
        if (link_href(links, "deploymentBase", out->deployment, err) < 0 ||
            link_href(links, "cancelAction", out->cancel, err) < 0)
                return -1;
        return 0;
}

/* hawkBit sends action ids as strings; some servers as numbers. */
static int action_id(const char *what, json_t *v, char out[FLEETSIM_ACTION_ID_MAX + 1], struct error *err) {
        if (json_is_integer(v)) {
                snprintf(out, FLEETSIM_ACTION_ID_MAX + 1, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
                return 0;
        }
        return copy_str(what, v, out, FLEETSIM_ACTION_ID_MAX, false, err);
}

static int ddi_mode(const char *what, json_t *v, enum fleetsim_ddi_mode *out, struct error *err) {
        const char *s = json_string_value(v);
        if (!v) {
                *out = FLEETSIM_DDI_FORCED;
                return 0;
        }
        if (s && strcmp(s, "forced") == 0)
                *out = FLEETSIM_DDI_FORCED;
        else if (s && strcmp(s, "attempt") == 0)
                *out = FLEETSIM_DDI_ATTEMPT;
        else if (s && strcmp(s, "skip") == 0)
                *out = FLEETSIM_DDI_SKIP;
        else
                return error_set(err, ERROR_INVALID, "%s: expected forced, attempt or skip", what);
        return 0;
}

int fleetsim_ddi_parse_deployment(const char *buf, size_t len, struct fleetsim_ddi_deployment *out,
                                  struct error *err) {
        _cleanup_json_ json_t *doc = parse("DDI deploymentBase", buf, len, err);
        json_t *dep, *chunks, *chunk, *arts, *art, *links;
        memset(out, 0, sizeof(*out));
        if (!doc || action_id("deploymentBase id", json_object_get(doc, "id"), out->id, err) < 0)
                return -1;
        dep = json_object_get(doc, "deployment");
        if (!json_is_object(dep))
                return error_set(err, ERROR_INVALID, "deploymentBase: 'deployment' must be an object");
        if (ddi_mode("deployment.download", json_object_get(dep, "download"), &out->download, err) < 0 ||
            ddi_mode("deployment.update", json_object_get(dep, "update"), &out->update, err) < 0)
                return -1;
        chunks = json_object_get(dep, "chunks");
        if (!json_is_array(chunks) || json_array_size(chunks) == 0)
                return error_set(err, ERROR_INVALID, "deployment.chunks: expected a non-empty array");
        chunk = json_array_get(chunks, 0);
        if (!json_is_object(chunk))
                return error_set(err, ERROR_INVALID, "deployment.chunks[0]: expected an object");
        if (copy_str("deployment.chunks[0].version", json_object_get(chunk, "version"), out->version,
                     FLEETSIM_VERSION_MAX, false, err) < 0)
                return -1;
        arts = json_object_get(chunk, "artifacts");
        if (arts && !json_is_array(arts))
                return error_set(err, ERROR_INVALID, "deployment.chunks[0].artifacts: expected an array");
        art = json_array_get(arts, 0);
        if (art) {
                links = json_is_object(art) ? json_object_get(art, "_links") : NULL;
                if (!json_is_object(links))
                        return error_set(err, ERROR_INVALID, "chunks[0].artifacts[0]._links: expected an object");
                if (link_href(links, "download-http", out->artifact, err) < 0)
                        return -1;
                if (!out->artifact[0] && link_href(links, "download", out->artifact, err) < 0)
                        return -1;
        }
        return 0;
}

int fleetsim_ddi_parse_cancel(const char *buf, size_t len, char id[FLEETSIM_ACTION_ID_MAX + 1],
                              char stop_id[FLEETSIM_ACTION_ID_MAX + 1], struct error *err) {
        _cleanup_json_ json_t *doc = parse("DDI cancelAction", buf, len, err);
        json_t *ca;
        if (!doc || action_id("cancelAction id", json_object_get(doc, "id"), id, err) < 0)
                return -1;
        ca = json_object_get(doc, "cancelAction");
        if (!json_is_object(ca))
                return error_set(err, ERROR_INVALID, "cancelAction: expected an object");
        return action_id("cancelAction.stopId", json_object_get(ca, "stopId"), stop_id, err);
}

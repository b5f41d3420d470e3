/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Parsing and building TUF metadata: every way a document can be wrong has a
 * case here, with the message a repository operator would read.
 */
#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/cleanup.h"
#include "core/json.h"
#include "core/strutil.h"
#include "crypto/encoding.h"
#include "crypto/hash.h"
#include "crypto/key.h"
#include "tuf/metadata.h"
#include "tuf/sign.h"

#define assert_ok(call, e)                                                                  \
        do {                                                                                \
                if ((call) < 0)                                                             \
                        fail_msg("%s failed: %s", #call, (e).msg);                          \
        } while (0)

/* The TUF specification's example key (keyid checked in test-tuf-key.c). */
#define PUB "72378e5bc588793e58f81c8533da64a2e8f1565c1fcc7f253496394ffc52542c"
#define KID "1bf1c6e3cdd3d3a8420b19199e27511999850f4b376c4547b2f32fba7e80fca3"
#define KID_LEGACY "506a349b85945d0d99c7289c3f0f1f6c550218089d1d38a3f64824db31e827ac"
#define OTHER_KID "135c2f50e57ff11e744d234a62cebad8c38daf399604a7655661cc9199c69164"
#define H64 "65b8c67f51c993d898250f40aa57a317d854900b3a04895464313e48785440da"
#define SIG "\"signatures\":[{\"keyid\":\"" KID "\",\"sig\":\"00ff\"}],"
#define COMMON(type) "\"_type\":\"" type "\",\"spec_version\":\"1.0.31\",\"version\":1," \
                     "\"expires\":\"2030-01-01T00:00:00Z\","
#define ROLE "{\"keyids\":[\"" KID "\"],\"threshold\":1}"

static const char root_doc[] =
        "{" SIG "\"signed\":{" COMMON("root") "\"consistent_snapshot\":true,"
        "\"keys\":{\"" KID "\":{\"keytype\":\"ed25519\",\"scheme\":\"ed25519\","
        "\"keyval\":{\"public\":\"" PUB "\"}}},"
        "\"roles\":{\"root\":" ROLE ",\"targets\":" ROLE ",\"snapshot\":" ROLE ",\"timestamp\":" ROLE
        "}}}";
static const char timestamp_doc[] =
        "{" SIG "\"signed\":{" COMMON("timestamp")
        "\"meta\":{\"snapshot.json\":{\"version\":3,\"length\":10,\"hashes\":{\"sha256\":\"" H64 "\"}}}}}";
static const char snapshot_doc[] =
        "{" SIG "\"signed\":{" COMMON("snapshot") "\"meta\":{\"targets.json\":{\"version\":2}}}}";
static const char targets_doc[] =
        "{" SIG "\"signed\":{" COMMON("targets")
        "\"targets\":{\"fw/a.bin\":{\"length\":3,\"hashes\":{\"sha256\":\"" H64 "\"},"
        "\"custom\":{\"hardware\":[\"rev-a\"]}}}}}";

static char tmpdir[64];

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
        (void) st, (void) flag, (void) ftw;
        return remove(path);
}

static int group_setup(void **state) {
        (void) state;
        snprintf(tmpdir, sizeof(tmpdir), "/tmp/cradle-tuf-md-XXXXXX");
        return mkdtemp(tmpdir) ? 0 : -1;
}

static int group_teardown(void **state) {
        (void) state;
        return nftw(tmpdir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static json_t *load(const char *text) {
        json_error_t jerr;
        json_t *j = json_loads(text, 0, &jerr);

        if (!j)
                fail_msg("bad test JSON: %s: %s", jerr.text, text);
        return j;
}

/* Sets (or with value NULL deletes) the member at a '/'-separated path;
 * "~1" stands for '/' inside a name, numbers index arrays. */
static void set_path(json_t *doc, const char *path, json_t *value) {
        _cleanup_free_ char *copy = str_dup(path);
        char *save = NULL, *seg = strtok_r(copy, "/", &save);
        json_t *cur = doc;

        while (seg) {
                char *next = strtok_r(NULL, "/", &save);
                _cleanup_free_ char *name = xcalloc(1, strlen(seg) + 1);

                for (char *s = seg, *d = name; *s; s++) {
                        if (s[0] == '~' && s[1] == '1') {
                                *d++ = '/';
                                s++;
                        } else {
                                *d++ = *s;
                        }
                }
                if (!next) {
                        if (json_is_array(cur)) {
                                size_t idx = (size_t) atoi(name);
                                if (value && idx == json_array_size(cur))
                                        json_array_append_new(cur, value);
                                else if (value)
                                        json_array_set_new(cur, idx, value);
                                else
                                        json_array_remove(cur, (size_t) atoi(name));
                        } else if (value) {
                                json_object_set_new(cur, name, value);
                        } else {
                                json_object_del(cur, name);
                        }
                        return;
                }
                cur = json_is_array(cur) ? json_array_get(cur, (size_t) atoi(name))
                                         : json_object_get(cur, name);
                assert_non_null(cur);
                seg = next;
        }
}

/* Any JSON value, scalars included. */
static json_t *scalar(const char *text) {
        json_t *j = json_loads(text, JSON_DECODE_ANY, NULL);

        if (!j)
                fail_msg("bad test JSON: %s", text);
        return j;
}

struct mutation {
        const char *doc;
        const char *path;
        const char *value; /* JSON text, NULL to delete */
        const char *msg;
};

static const struct mutation mutations[] = {
        /* the envelope */
        { root_doc, "signatures", NULL, "r.json: missing required field 'signatures'" },
        { root_doc, "signed", "[]", "r.json: field 'signed': expected an object" },
        { root_doc, "extra", "1", "r.json: unknown field 'extra'" },
        { root_doc, "signatures", "{}", "r.json: field 'signatures': expected an array" },
        /* common fields */
        { root_doc, "signed/_type", NULL, "r.json: signed: missing required field '_type'" },
        { root_doc, "signed/_type", "\"mirrors\"",
          "r.json: signed._type 'mirrors' is not a TUF role (root, targets, snapshot or timestamp)" },
        { root_doc, "signed/spec_version", "\"2.0.0\"",
          "r.json: signed.spec_version '2.0.0' is not supported (the major version must be 1)" },
        { root_doc, "signed/spec_version", "\"10.0\"", "is not supported (the major version must be 1)" },
        { root_doc, "signed/spec_version", "\"1\"",
          "r.json: signed.spec_version '1' is not a version (expected like \"1.0.31\")" },
        { root_doc, "signed/spec_version", "\"1.0.x\"", "is not a version" },
        { root_doc, "signed/spec_version", "\"1.0.0.0\"", "is not a version" },
        { root_doc, "signed/spec_version", "\"1..0\"", "is not a version" },
        { root_doc, "signed/spec_version", "1", "r.json: signed: field 'spec_version': expected a string" },
        { root_doc, "signed/version", "0", "r.json: signed.version: 0 is out of range (1 to 9007199254740991)" },
        { root_doc, "signed/version", "-3", "signed.version: -3 is out of range" },
        { root_doc, "signed/version", "9007199254740992", "signed.version: 9007199254740992 is out of range" },
        { root_doc, "signed/version", "\"1\"", "r.json: signed: field 'version': expected an integer" },
        { root_doc, "signed/version", "1.0", "r.json: signed: field 'version': expected an integer" },
        { root_doc, "signed/expires", "\"2030-01-01\"",
          "r.json: signed.expires '2030-01-01' is not of the form YYYY-MM-DDTHH:MM:SSZ" },
        { root_doc, "signed/expires", "\"2030-01-01T00:00:00+00:00\"", "is not of the form YYYY-MM-DDTHH:MM:SSZ" },
        { root_doc, "signed/expires", "\"2030-01-01T00:00:00.5Z\"", "is not of the form YYYY-MM-DDTHH:MM:SSZ" },
        { root_doc, "signed/expires", "\"2030-02-30T00:00:00Z\"", "r.json: signed.expires: " },
        { root_doc, "signed/colour", "\"blue\"", "r.json: signed: unknown field 'colour'" },
        /* root */
        { root_doc, "signed/consistent_snapshot", "\"yes\"",
          "r.json: signed: field 'consistent_snapshot': expected a boolean" },
        { root_doc, "signed/keys/" KID "/keyval/public",
          "\"68ead6e54a43f8f36f9717b10669d1ef0ebb38cee6b05317669341309f1069cb\"",
          "r.json: signed.keys." KID ": keyid does not match the key (its SHA-256 is " OTHER_KID ")" },
        { root_doc, "signed/keys/" KID_LEGACY,
          "{\"keytype\":\"ed25519\",\"scheme\":\"ed25519\",\"keyid_hash_algorithms\":[\"sha256\",\"sha512\"],"
          "\"keyval\":{\"public\":\"" PUB "\"}}",
          "r.json: signed.keys." KID_LEGACY ": the same public key as " KID " (a key must appear once)" },
        { root_doc, "signed/keys/ABC", "{}", "r.json: signed.keys: keyid 'ABC' is not 64 lowercase hex digits" },
        /* A key of an unsupported type is kept (issue 7): changing the
         * keytype of a listed key now fails on its keyid, as any edit does. */
        { root_doc, "signed/keys/" KID "/keytype", "\"rsa\"", "keyid does not match the key" },
        { root_doc, "signed/keys/" KID "/keytype", "7", "field 'keytype': expected a string" },
        { root_doc, "signed/roles/targets/keyids", "[\"" OTHER_KID "\"]",
          "r.json: signed.roles.targets: keyids: " OTHER_KID " is not in signed.keys" },
        { root_doc, "signed/roles/targets/keyids", "[\"" KID "\",\"" KID "\"]",
          "r.json: signed.roles.targets: keyids: " KID " is listed twice" },
        { root_doc, "signed/roles/targets/keyids", "[]",
          "r.json: signed.roles.targets: keyids: empty (the role needs a key)" },
        { root_doc, "signed/roles/targets/keyids", "[5]", "field 'keyids' element 0: expected a string" },
        { root_doc, "signed/roles/snapshot/threshold", "0",
          "r.json: signed.roles.snapshot: threshold must be at least 1, not 0" },
        { root_doc, "signed/roles/snapshot/threshold", "2",
          "r.json: signed.roles.snapshot: threshold 2 is more than the 1 keyids (never satisfiable)" },
        { root_doc, "signed/roles/timestamp", NULL, "r.json: signed.roles: missing required field 'timestamp'" },
        { root_doc, "signed/roles/delegated", ROLE, "r.json: signed.roles: unknown field 'delegated'" },
        { root_doc, "signed/roles/mirrors", "{\"keyids\":[],\"threshold\":1}",
          "r.json: signed.roles.mirrors: keyids: empty" },
        /* signatures */
        { root_doc, "signatures/1", "{\"keyid\":\"" KID "\",\"sig\":\"11\"}",
          "r.json: signatures[1]: keyid " KID " already signed in signatures[0] (one signature per key)" },
        { root_doc, "signatures/0/sig", "\"xyz\"",
          "r.json: signatures[0]: sig: expected a non-empty, even number of hex digits" },
        { root_doc, "signatures/0/sig", "\"\"", "expected a non-empty, even number of hex digits" },
        { root_doc, "signatures/0/keyid", "\"abc\"",
          "r.json: signatures[0]: keyid: keyid 'abc' is not 64 lowercase hex digits" },
        { root_doc, "signatures/0/method", "\"x\"", "r.json: signatures[0]: unknown field 'method'" },
        { root_doc, "signatures/0", "7", "r.json: signatures[0]: expected a JSON object" },
        /* timestamp */
        { timestamp_doc, "signed/meta/other.json", "{\"version\":1}",
          "r.json: signed.meta must list exactly \"snapshot.json\"" },
        { timestamp_doc, "signed/meta/snapshot.json", NULL, "signed.meta must list exactly" },
        { timestamp_doc, "signed/meta/snapshot.json/version", "0",
          "r.json: signed.meta.snapshot.json: version: 0 is out of range" },
        { timestamp_doc, "signed/meta/snapshot.json/version", NULL,
          "r.json: signed.meta.snapshot.json: missing required field 'version'" },
        { timestamp_doc, "signed/meta/snapshot.json/length", "-1",
          "r.json: signed.meta.snapshot.json: length: -1 is out of range" },
        { timestamp_doc, "signed/meta/snapshot.json/hashes", "{\"sha512\":\"abcd\"}",
          "r.json: signed.meta.snapshot.json.hashes: no sha256 hash (the only algorithm checked)" },
        { timestamp_doc, "signed/meta/snapshot.json/hashes", "{\"sha256\":\"abcd\"}",
          "r.json: signed.meta.snapshot.json.hashes.sha256: expected 64 hex digits, got 4" },
        { timestamp_doc, "signed/meta/snapshot.json/hashes", "{}", "r.json: signed.meta.snapshot.json.hashes: empty" },
        { timestamp_doc, "signed/meta/snapshot.json/hashes", "{\"sha256\":5}",
          "r.json: signed.meta.snapshot.json.hashes.sha256: expected a string" },
        { timestamp_doc, "signed/meta/snapshot.json/hashes/sha256", "\"" H64 "0\"",
          "hashes.sha256: expected an even number of hex digits" },
        { timestamp_doc, "signed/meta/snapshot.json/size", "1", "r.json: signed.meta.snapshot.json: unknown field 'size'" },
        { timestamp_doc, "signed/meta", "[]", "r.json: signed: field 'meta': expected an object" },
        /* snapshot */
        { snapshot_doc, "signed/meta/targets.json", NULL, "r.json: signed.meta does not list \"targets.json\"" },
        { snapshot_doc, "signed/meta/..~1x.json", "{\"version\":1}", "has an empty, '.' or '..' segment" },
        { snapshot_doc, "signed/meta/role1.txt", "{\"version\":1}",
          "r.json: signed.meta.role1.txt: a metadata name must end in .json" },
        { snapshot_doc, "signed/meta/~1abs.json", "{\"version\":1}", "must be relative (no leading '/')" },
        /* targets */
        { targets_doc, "signed/targets/~1etc~1passwd", "{\"length\":1,\"hashes\":{\"sha256\":\"" H64 "\"}}",
          "r.json: signed.targets./etc/passwd: path '/etc/passwd' must be relative (no leading '/')" },
        { targets_doc, "signed/targets/a~1~1b", "{\"length\":1,\"hashes\":{\"sha256\":\"" H64 "\"}}",
          "path 'a//b' has an empty, '.' or '..' segment" },
        { targets_doc, "signed/targets/a~1.~1b", "{\"length\":1,\"hashes\":{\"sha256\":\"" H64 "\"}}",
          "path 'a/./b' has an empty, '.' or '..' segment" },
        { targets_doc, "signed/targets/a~1", "{\"length\":1,\"hashes\":{\"sha256\":\"" H64 "\"}}",
          "path 'a/' has an empty, '.' or '..' segment" },
        { targets_doc, "signed/targets/a\\\\b", "{\"length\":1,\"hashes\":{\"sha256\":\"" H64 "\"}}",
          "contains a control character or a backslash" },
        { targets_doc, "signed/targets/a\tb", "{\"length\":1,\"hashes\":{\"sha256\":\"" H64 "\"}}",
          "contains a control character or a backslash" },
        { targets_doc, "signed/targets/fw~1a.bin/length", "-5",
          "r.json: signed.targets.fw/a.bin: length: -5 is out of range" },
        { targets_doc, "signed/targets/fw~1a.bin/hashes", NULL,
          "r.json: signed.targets.fw/a.bin: missing required field 'hashes'" },
        { targets_doc, "signed/targets/fw~1a.bin/custom", "\"x\"",
          "r.json: signed.targets.fw/a.bin: field 'custom': expected an object" },
        { targets_doc, "signed/targets/fw~1a.bin/hash", "{}", "r.json: signed.targets.fw/a.bin: unknown field 'hash'" },
        { targets_doc, "signed/targets", NULL, "r.json: signed: missing required field 'targets'" },
        { targets_doc, "signed/delegations", "{\"keys\":{},\"roles\":[{\"name\":\"x\"}]}",
          "r.json: signed.delegations: delegated targets roles are not supported; list every target "
          "in the top-level targets metadata" },
        { targets_doc, "signed/delegations", "{\"keys\":{}}",
          "r.json: signed.delegations: missing required field 'roles'" },
        { targets_doc, "signed/delegations", "{\"keys\":{},\"roles\":[],\"succinct_roles\":{}}",
          "delegated targets roles are not supported" },
        { targets_doc, "signed/delegations/keys", "{\"" OTHER_KID "\":{}}", "missing required field" },
};

static void test_mutations(void **state) {
        (void) state;
        for (size_t i = 0; i < ELEMENTSOF(mutations); i++) {
                const struct mutation *m = &mutations[i];
                _cleanup_json_ json_t *doc = load(m->doc);
                struct tuf_metadata *md = NULL;
                struct error err = { 0 };

                if (str_startswith(m->path, "signed/delegations/"))
                        set_path(doc, "signed/delegations", load("{\"keys\":{},\"roles\":[]}"));
                set_path(doc, m->path, m->value ? scalar(m->value) : NULL);
                if (tuf_metadata_from_json("r.json", doc, TUF_ROLE_ANY, &md, &err) == 0) {
                        tuf_metadata_free(md);
                        fail_msg("mutation %zu (%s = %s) accepted", i, m->path,
                                 m->value ? m->value : "(deleted)");
                }
                if (!strstr(err.msg, m->msg))
                        fail_msg("mutation %zu (%s): \"%s\" does not contain \"%s\"", i, m->path,
                                 err.msg, m->msg);
                assert_null(md);
        }
}

static void test_parse_valid(void **state) {
        _cleanup_(tuf_metadata_freep) struct tuf_metadata *root = NULL, *ts = NULL, *snap = NULL,
                                                           *tgt = NULL;
        struct error err = { 0 };
        const struct tuf_meta_file *mf;
        const struct tuf_target *t;
        uint8_t h[SHA256_LEN];

        (void) state;
        assert_ok(tuf_metadata_parse("root.json", root_doc, strlen(root_doc), 0, TUF_ROLE_ROOT, &root, &err), err);
        assert_int_equal(root->type, TUF_ROLE_ROOT);
        assert_int_equal(root->version, 1);
        assert_int_equal(root->expires, 1893456000); /* date -d 2030-01-01T00:00:00Z +%s */
        assert_string_equal(root->expires_str, "2030-01-01T00:00:00Z");
        assert_true(root->root.consistent_snapshot);
        assert_int_equal(root->root.n_keys, 1);
        assert_int_equal(root->root.roles[TUF_ROLE_TARGETS].threshold, 1);
        assert_non_null(tuf_root_find_key(root, KID));
        assert_null(tuf_root_find_key(root, OTHER_KID));
        assert_true(tuf_root_role_has_key(root, TUF_ROLE_SNAPSHOT, KID));
        assert_false(tuf_root_role_has_key(root, TUF_ROLE_SNAPSHOT, OTHER_KID));
        assert_true(tuf_root_role_equal(root, root, TUF_ROLE_TIMESTAMP));

        assert_ok(tuf_metadata_parse("timestamp.json", timestamp_doc, strlen(timestamp_doc), 0,
                                     TUF_ROLE_TIMESTAMP, &ts, &err), err);
        mf = tuf_metadata_find_meta(ts, "snapshot.json");
        assert_non_null(mf);
        assert_int_equal(mf->version, 3);
        assert_int_equal(mf->length, 10);
        assert_true(mf->has_sha256);
        assert_ok(hex_decode(H64, h, sizeof(h), &err), err);
        assert_memory_equal(mf->sha256, h, SHA256_LEN);

        assert_ok(tuf_metadata_parse("snapshot.json", snapshot_doc, strlen(snapshot_doc), 0,
                                     TUF_ROLE_ANY, &snap, &err), err);
        assert_int_equal(snap->type, TUF_ROLE_SNAPSHOT);
        mf = tuf_metadata_find_meta(snap, "targets.json");
        assert_int_equal(mf->version, 2);
        assert_int_equal(mf->length, -1);
        assert_false(mf->has_sha256);
        assert_null(tuf_metadata_find_meta(snap, "root.json"));

        assert_ok(tuf_metadata_parse("targets.json", targets_doc, strlen(targets_doc), 0,
                                     TUF_ROLE_TARGETS, &tgt, &err), err);
        t = tuf_metadata_find_target(tgt, "fw/a.bin");
        assert_non_null(t);
        assert_int_equal(t->length, 3);
        assert_memory_equal(t->sha256, h, SHA256_LEN);
        assert_string_equal(json_string_value(json_array_get(json_object_get(t->custom, "hardware"), 0)),
                            "rev-a");
        assert_null(tuf_metadata_find_target(tgt, "fw/b.bin"));
}

static void test_parse_tolerated(void **state) {
        struct error err = { 0 };

        (void) state;
        /* Things the specification allows that Cradle does not write. */
        const struct mutation ok[] = {
                { targets_doc, "signed/delegations", "{\"keys\":{},\"roles\":[]}", NULL },
                { targets_doc, "signed/targets/fw~1a.bin/hashes/sha512", "\"" H64 H64 "\"", NULL },
                { targets_doc, "signed/targets", "{}", NULL },
                { root_doc, "signed/consistent_snapshot", NULL, NULL },
                { root_doc, "signed/spec_version", "\"1.0\"", NULL },
                { root_doc, "signed/spec_version", "\"1.0.0\"", NULL },
                { root_doc, "signed/roles/mirrors", ROLE, NULL },
                { root_doc, "signatures", "[]", NULL },
                { snapshot_doc, "signed/meta/role1.json", "{\"version\":4,\"length\":0}", NULL },
                { root_doc, "signed/keys/" KID "/keyval/public", "\"" PUB "\"", NULL },
        };
        for (size_t i = 0; i < ELEMENTSOF(ok); i++) {
                _cleanup_json_ json_t *doc = load(ok[i].doc);
                _cleanup_(tuf_metadata_freep) struct tuf_metadata *md = NULL;

                set_path(doc, ok[i].path, ok[i].value ? scalar(ok[i].value) : NULL);
                if (tuf_metadata_from_json("ok.json", doc, TUF_ROLE_ANY, &md, &err) < 0)
                        fail_msg("case %zu (%s) refused: %s", i, ok[i].path, err.msg);
        }
}

static void test_parse_limits(void **state) {
        struct tuf_metadata *md = NULL;
        struct error err = { 0 };
        _cleanup_free_ char *deep = NULL;
        struct buf b = { 0 };

        (void) state;
        /* Expected role */
        assert_int_equal(tuf_metadata_parse("t.json", root_doc, strlen(root_doc), 0, TUF_ROLE_TIMESTAMP,
                                            &md, &err), -1);
        assert_string_equal(err.msg, "t.json: signed._type is 'root', expected 'timestamp'");
        /* Size */
        assert_int_equal(tuf_metadata_parse("t.json", root_doc, strlen(root_doc), 100, TUF_ROLE_ROOT,
                                            &md, &err), -1);
        assert_int_equal(err.kind, ERROR_TOO_LARGE);
        {
                _cleanup_free_ char *msg = str_printf("t.json: too large (%zu bytes, at most 100)",
                                                      strlen(root_doc));
                assert_string_equal(err.msg, msg);
        }
        /* Depth: a custom object nested 40 levels deep. */
        buf_appendf(&b, "{\"signatures\":[],\"signed\":{" COMMON("targets") "\"targets\":{\"a\":{\"length\":1,"
                        "\"hashes\":{\"sha256\":\"" H64 "\"},\"custom\":");
        for (int i = 0; i < 40; i++)
                buf_append(&b, "{\"x\":", 5);
        buf_append(&b, "1", 1);
        for (int i = 0; i < 40; i++)
                buf_append(&b, "}", 1);
        buf_append(&b, "}}}}", 4);
        deep = buf_steal(&b);
        assert_int_equal(tuf_metadata_parse("t.json", deep, strlen(deep), 0, TUF_ROLE_ANY, &md, &err), -1);
        assert_non_null(strstr(err.msg, "nested deeper than 32 levels"));
        /* Duplicate member names (a classic for parser differentials). */
        {
                const char dup[] = "{\"signatures\":[],\"signatures\":[],\"signed\":{}}";
                assert_int_equal(tuf_metadata_parse("t.json", dup, strlen(dup), 0, TUF_ROLE_ANY, &md, &err), -1);
                assert_non_null(strstr(err.msg, "duplicate object key"));
        }
        /* Trailing data, empty input, not an object. */
        assert_int_equal(tuf_metadata_parse("t.json", "{} {}", 5, 0, TUF_ROLE_ANY, &md, &err), -1);
        assert_int_equal(tuf_metadata_parse("t.json", "", 0, 0, TUF_ROLE_ANY, &md, &err), -1);
        assert_int_equal(tuf_metadata_parse("t.json", "[]", 2, 0, TUF_ROLE_ANY, &md, &err), -1);
        assert_string_equal(err.msg, "t.json: expected a JSON object");
        assert_null(md);
}

static void test_path_check(void **state) {
        struct error err = { 0 };
        char longp[TUF_PATH_MAX + 2];

        (void) state;
        assert_ok(tuf_path_check("p", "a", &err), err);
        assert_ok(tuf_path_check("p", "dir/sub/file-1.2.bin", &err), err);
        assert_ok(tuf_path_check("p", "..a/b..", &err), err);
        assert_int_equal(tuf_path_check("p", "", &err), -1);
        assert_string_equal(err.msg, "p: empty path");
        assert_int_equal(tuf_path_check("p", NULL, &err), -1);
        assert_int_equal(tuf_path_check("p", "..", &err), -1);
        assert_int_equal(tuf_path_check("p", "a/..", &err), -1);
        assert_int_equal(tuf_path_check("p", "./a", &err), -1);
        assert_int_equal(tuf_path_check("p", "a\nb", &err), -1);
        assert_string_equal(err.msg, "p: path 'a?b' contains a control character or a backslash");
        memset(longp, 'a', sizeof(longp) - 1);
        longp[sizeof(longp) - 1] = '\0';
        assert_int_equal(tuf_path_check("p", longp, &err), -1);
        assert_string_equal(err.msg, "p: path longer than 1024 bytes");
}

/* ---- builders ---------------------------------------------------------------- */

static struct tuf_key *gen_key(const char *name, enum crypto_key_type type) {
        _cleanup_free_ char *path = str_printf("%s/%s", tmpdir, name);
        _cleanup_crypto_key_ struct crypto_key *ck = NULL;
        struct tuf_key *k = NULL;
        struct error err = { 0 };

        assert_ok(crypto_key_generate_file(path, type, &err), err);
        assert_ok(crypto_key_load(path, &ck, &err), err);
        assert_ok(tuf_key_from_crypto_key(ck, &k, &err), err);
        return k;
}

static void test_build_root(void **state) {
        _cleanup_tuf_key_ struct tuf_key *ed = gen_key("b-ed.pem", CRYPTO_KEY_ED25519);
        _cleanup_tuf_key_ struct tuf_key *ec = gen_key("b-ec.pem", CRYPTO_KEY_EC_P256);
        _cleanup_json_ json_t *s = NULL, *doc = NULL, *reparsed = NULL;
        _cleanup_(tuf_metadata_freep) struct tuf_metadata *md = NULL;
        _cleanup_free_ char *bytes = NULL, *bytes2 = NULL, *canon = NULL, *signed_bytes = NULL;
        struct tuf_key *keys[] = { ed, ec };
        const char *both[] = { tuf_key_id(ed), tuf_key_id(ec) };
        const char *only_ec[] = { tuf_key_id(ec) };
        struct tuf_role_spec roles[_TUF_ROLE_MAX] = {
                [TUF_ROLE_ROOT] = { both, 2, 2 },
                [TUF_ROLE_TARGETS] = { both, 2, 1 },
                [TUF_ROLE_SNAPSHOT] = { only_ec, 1, 1 },
                [TUF_ROLE_TIMESTAMP] = { only_ec, 1, 1 },
        };
        struct error err = { 0 };
        size_t len, len2, clen, slen;

        (void) state;
        s = tuf_build_root(7, 1893456000, true, keys, 2, roles, &err);
        if (!s)
                fail_msg("tuf_build_root: %s", err.msg);
        doc = tuf_metadata_wrap(s);
        bytes = tuf_metadata_serialize(doc, &len, &err);
        assert_non_null(bytes);
        /* The published file is JSON any parser reads: the PEM's newlines
         * are escaped (canonical JSON proper would write them raw). */
        assert_non_null(strstr(bytes, "-----BEGIN PUBLIC KEY-----\\n"));
        assert_true(str_startswith(bytes, "{\"signatures\":[],\"signed\":{\"_type\":\"root\","
                                          "\"consistent_snapshot\":true,\"expires\":\"2030-01-01T00:00:00Z\","));
        assert_ok(tuf_metadata_parse("root.json", bytes, len, 0, TUF_ROLE_ROOT, &md, &err), err);
        assert_int_equal(md->version, 7);
        assert_int_equal(md->root.n_keys, 2);
        assert_int_equal(md->root.roles[TUF_ROLE_ROOT].threshold, 2);
        assert_int_equal(md->root.roles[TUF_ROLE_SNAPSHOT].n_keyids, 1);
        assert_string_equal(md->root.roles[TUF_ROLE_SNAPSHOT].keyids[0], tuf_key_id(ec));
        assert_string_equal(cr_json_get_string(md->signed_obj, "spec_version"), TUF_SPEC_VERSION);

        /* Serialising what was parsed gives the same bytes. */
        reparsed = json_loadb(bytes, len, 0, NULL);
        bytes2 = tuf_metadata_serialize(reparsed, &len2, &err);
        assert_int_equal(len, len2);
        assert_memory_equal(bytes, bytes2, len);

        /* What is signed is the canonical "signed", not the file. */
        canon = cr_json_canonical(json_object_get(doc, "signed"), &clen, &err);
        signed_bytes = tuf_metadata_signed_bytes(md, &slen, &err);
        assert_int_equal(clen, slen);
        assert_memory_equal(canon, signed_bytes, clen);
        assert_non_null(memchr(signed_bytes, '\n', slen));

        /* Builders refuse what the parser would. */
        roles[TUF_ROLE_SNAPSHOT].threshold = 2;
        assert_null(tuf_build_root(1, 1893456000, true, keys, 2, roles, &err));
        assert_string_equal(err.msg, "new root metadata: signed.roles.snapshot: threshold 2 is more "
                                     "than the 1 keyids (never satisfiable)");
        roles[TUF_ROLE_SNAPSHOT].threshold = 1;
        assert_null(tuf_build_root(1, 1893456000, true, keys, 1, roles, &err));
        assert_non_null(strstr(err.msg, "is not in signed.keys"));
        assert_null(tuf_build_root(0, 1893456000, true, keys, 2, roles, &err));
        assert_string_equal(err.msg, "root: version 0 is out of range (1 to 9007199254740991)");
}

static void test_build_others(void **state) {
        _cleanup_json_ json_t *t = NULL, *s = NULL, *ts = NULL, *custom = NULL;
        _cleanup_json_ json_t *tdoc = NULL, *sdoc = NULL, *tsdoc = NULL;
        _cleanup_(tuf_metadata_freep) struct tuf_metadata *tmd = NULL, *smd = NULL, *tsmd = NULL;
        _cleanup_free_ char *tbytes = NULL, *sbytes = NULL, *tsbytes = NULL;
        struct tuf_target_spec specs[2] = {
                { .path = "fw/image.bin", .length = 3 },
                { .path = "notes.txt", .length = 0 },
        };
        struct tuf_meta_file mf = { .name = "targets.json", .version = 5, .length = -1 };
        struct error err = { 0 };
        size_t tl, sl, tsl;

        (void) state;
        hash_sha256("abc", 3, specs[0].sha256);
        hash_sha256("", 0, specs[1].sha256);
        custom = json_pack("{s:i}", "security_version", 4);
        specs[0].custom = custom;
        t = tuf_build_targets(5, 1893456000, specs, 2, &err);
        assert_non_null(t);
        tdoc = tuf_metadata_wrap(t);
        tbytes = tuf_metadata_serialize(tdoc, &tl, &err);
        assert_ok(tuf_metadata_parse("targets.json", tbytes, tl, 0, TUF_ROLE_TARGETS, &tmd, &err), err);
        assert_int_equal(tmd->n_targets, 2);
        assert_int_equal(cr_json_get_int(tuf_metadata_find_target(tmd, "fw/image.bin")->custom,
                                         "security_version", 0), 4);
        /* SHA-256("abc") from FIPS 180-2. */
        assert_non_null(strstr(tbytes, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));

        tuf_meta_file_describe(&mf, tbytes, tl);
        assert_int_equal(mf.length, (int64_t) tl);
        s = tuf_build_snapshot(6, 1893456000, &mf, 1, &err);
        assert_non_null(s);
        sdoc = tuf_metadata_wrap(s);
        sbytes = tuf_metadata_serialize(sdoc, &sl, &err);
        assert_ok(tuf_metadata_parse("snapshot.json", sbytes, sl, 0, TUF_ROLE_SNAPSHOT, &smd, &err), err);
        assert_int_equal(tuf_metadata_find_meta(smd, "targets.json")->version, 5);
        assert_int_equal(tuf_metadata_find_meta(smd, "targets.json")->length, (int64_t) tl);

        mf = (struct tuf_meta_file) { .version = 6, .length = -1 };
        tuf_meta_file_describe(&mf, sbytes, sl);
        ts = tuf_build_timestamp(9, 1893456000, &mf, &err);
        assert_non_null(ts);
        tsdoc = tuf_metadata_wrap(ts);
        tsbytes = tuf_metadata_serialize(tsdoc, &tsl, &err);
        assert_ok(tuf_metadata_parse("timestamp.json", tsbytes, tsl, 0, TUF_ROLE_TIMESTAMP, &tsmd, &err), err);
        assert_int_equal(tsmd->version, 9);
        assert_int_equal(tuf_metadata_find_meta(tsmd, "snapshot.json")->version, 6);
        assert_true(tuf_metadata_find_meta(tsmd, "snapshot.json")->has_sha256);

        /* Refusals */
        specs[1].path = "../escape";
        assert_null(tuf_build_targets(5, 1893456000, specs, 2, &err));
        assert_string_equal(err.msg, "new targets metadata: signed.targets.../escape: path '../escape' "
                                     "has an empty, '.' or '..' segment");
        specs[1].path = "fw/image.bin";
        assert_null(tuf_build_targets(5, 1893456000, specs, 2, &err));
        assert_string_equal(err.msg, "new targets metadata: target 1: path listed twice");
        specs[1].path = "ok";
        specs[1].length = -1;
        assert_null(tuf_build_targets(5, 1893456000, specs, 2, &err));
        assert_non_null(strstr(err.msg, "length: -1 is out of range"));
        mf.name = "snapshot.json";
        assert_null(tuf_build_snapshot(1, 1893456000, &mf, 1, &err));
        assert_string_equal(err.msg, "new snapshot metadata: signed.meta does not list \"targets.json\"");
        /* An expiry past year 9999 cannot be written in the TUF form. */
        assert_null(tuf_build_timestamp(1, 253402300800LL, &mf, &err));
        assert_string_equal(err.msg, "timestamp: expiry 253402300800 is outside 1970-01-01T00:00:00Z "
                                     "to 9999-12-31T23:59:59Z");
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_mutations),
                cmocka_unit_test(test_parse_valid),
                cmocka_unit_test(test_parse_tolerated),
                cmocka_unit_test(test_parse_limits),
                cmocka_unit_test(test_path_check),
                cmocka_unit_test(test_build_root),
                cmocka_unit_test(test_build_others),
        };
        return cmocka_run_group_tests(tests, group_setup, group_teardown);
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Parsing and building TUF metadata. Everything here is about form; trust
 * (signatures, versions, expiry) is decided in verify.c and client.c.
 *
 * Every message starts with the document's name and the path of the field
 * inside it ("2.root.json: signed.roles.targets: threshold 3 is more than the
 * 2 keyids"), because the person reading it is debugging a repository.
 */
#include <string.h>

#include "core/cleanup.h"
#include "core/json.h"
#include "core/strutil.h"
#include "core/time.h"
#include "crypto/encoding.h"
#include "tuf/metadata.h"

/* JavaScript clients (tuf-js) hold numbers as doubles: a version or length
 * above 2^53 - 1 would silently change there, so it is refused here. It also
 * keeps "version + 1" from overflowing. */
#define TUF_INT_MAX ((int64_t) 9007199254740991LL)
/* 9999-12-31T23:59:59Z: the last time "YYYY-..." can spell. */
#define TUF_EXPIRES_MAX ((int64_t) 253402300799LL)

static const char *const role_names[_TUF_ROLE_MAX] = {
        [TUF_ROLE_ROOT] = "root",
        [TUF_ROLE_TARGETS] = "targets",
        [TUF_ROLE_SNAPSHOT] = "snapshot",
        [TUF_ROLE_TIMESTAMP] = "timestamp",
};

const char *tuf_role_name(enum tuf_role role) {
        if (role < 0 || role >= _TUF_ROLE_MAX)
                return "(unknown role)";
        return role_names[role];
}

static int role_from_name(const char *name, enum tuf_role *out) {
        for (int i = 0; i < _TUF_ROLE_MAX; i++)
                if (str_eq(name, role_names[i])) {
                        *out = (enum tuf_role) i;
                        return 0;
                }
        return -1;
}

/* Untrusted text shown inside a message. */
#define SAFE(buf, s) (str_sanitize((s), strlen(s), (buf), sizeof(buf)), (buf))

void tuf_metadata_free(struct tuf_metadata *md) {
        if (!md)
                return;
        for (size_t i = 0; i < md->root.n_keys; i++)
                tuf_key_free(md->root.keys[i]);
        free(md->root.keys);
        for (int r = 0; r < _TUF_ROLE_MAX; r++)
                free(md->root.roles[r].keyids);
        for (size_t i = 0; i < md->n_meta; i++)
                free(md->meta[i].name);
        free(md->meta);
        for (size_t i = 0; i < md->n_targets; i++)
                free(md->targets[i].path);
        free(md->targets);
        json_decref(md->doc);
        free(md);
}

/* ---- small validators -------------------------------------------------------- */

static bool is_lower_hex(const char *s, size_t len) {
        for (size_t i = 0; i < len; i++)
                if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
                        return false;
        return true;
}

static bool is_hex(const char *s, size_t len) {
        for (size_t i = 0; i < len; i++)
                if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f') ||
                      (s[i] >= 'A' && s[i] <= 'F')))
                        return false;
        return true;
}

static int check_keyid(const char *what, const char *field, const char *keyid, struct error *err) {
        char safe[80];

        if (strlen(keyid) != TUF_KEYID_HEX_LEN - 1 || !is_lower_hex(keyid, TUF_KEYID_HEX_LEN - 1))
                return error_set(err, ERROR_INVALID,
                                 "%s: %s: keyid '%s' is not 64 lowercase hex digits", what, field,
                                 SAFE(safe, keyid));
        return 0;
}

int tuf_path_check(const char *what, const char *path, struct error *err) {
        char safe[80];
        size_t len = path ? strlen(path) : 0;
        const char *seg;

        if (len == 0)
                return error_set(err, ERROR_INVALID, "%s: empty path", what);
        if (len > TUF_PATH_MAX)
                return error_set(err, ERROR_INVALID, "%s: path longer than %d bytes", what,
                                 TUF_PATH_MAX);
        for (size_t i = 0; i < len; i++) {
                unsigned char c = (unsigned char) path[i];
                if (c < 0x20 || c == 0x7f || c == '\\')
                        return error_set(err, ERROR_INVALID,
                                         "%s: path '%s' contains a control character or a backslash",
                                         what, SAFE(safe, path));
        }
        if (path[0] == '/')
                return error_set(err, ERROR_INVALID, "%s: path '%s' must be relative (no leading '/')",
                                 what, SAFE(safe, path));
        seg = path;
        for (;;) {
                size_t n = strcspn(seg, "/");
                if (n == 0 || (n == 1 && seg[0] == '.') || (n == 2 && seg[0] == '.' && seg[1] == '.'))
                        return error_set(err, ERROR_INVALID,
                                         "%s: path '%s' has an empty, '.' or '..' segment", what,
                                         SAFE(safe, path));
                if (seg[n] == '\0')
                        break;
                seg += n + 1;
        }
        return 0;
}

/* Object keys may hold a NUL when the tree was built in code. */
static int check_key_plain(const char *what, json_t *obj, const char *key, struct error *err) {
        void *it = json_object_key_to_iter(key);

        (void) obj;
        if (it && json_object_iter_key_len(it) != strlen(key))
                return error_set(err, ERROR_INVALID, "%s: a member name contains a NUL character",
                                 what);
        return 0;
}

static int check_int(const char *what, const char *field, json_t *v, int64_t min,
                     struct error *err) {
        json_int_t n = json_integer_value(v);

        if (n < min || n > TUF_INT_MAX)
                return error_set(err, ERROR_INVALID, "%s: %s: %lld is out of range (%lld to %lld)", what,
                                 field, (long long) n, (long long) min, (long long) TUF_INT_MAX);
        return 0;
}

static int parse_spec_version(const char *what, const char *s, struct error *err) {
        char safe[48];
        const char *p = s;
        int parts = 0;
        bool major_is_one = false;

        for (;;) {
                const char *start = p;
                while (*p >= '0' && *p <= '9')
                        p++;
                if (p == start || p - start > 9)
                        goto bad;
                if (parts == 0)
                        major_is_one = (p - start == 1 && *start == '1');
                parts++;
                if (*p == '\0')
                        break;
                if (*p != '.')
                        goto bad;
                p++;
        }
        if (parts < 2 || parts > 3)
                goto bad;
        if (!major_is_one)
                return error_set(err, ERROR_UNSUPPORTED,
                                 "%s: signed.spec_version '%s' is not supported (the major version "
                                 "must be 1)",
                                 what, SAFE(safe, s));
        return 0;
bad:
        return error_set(err, ERROR_INVALID,
                         "%s: signed.spec_version '%s' is not a version (expected like \"1.0.31\")",
                         what, SAFE(safe, s));
}

/* "YYYY-MM-DDTHH:MM:SSZ" exactly, then the calendar checks of core/time. */
static int parse_expires(const char *what, const char *s, int64_t *out, struct error *err) {
        static const char shape[] = "dddd-dd-ddTdd:dd:ddZ";
        char safe[48];
        struct error terr = { 0 };
        bool ok = strlen(s) == sizeof(shape) - 1;

        for (size_t i = 0; ok && i < sizeof(shape) - 1; i++)
                ok = shape[i] == 'd' ? (s[i] >= '0' && s[i] <= '9') : s[i] == shape[i];
        if (!ok)
                return error_set(err, ERROR_INVALID,
                                 "%s: signed.expires '%s' is not of the form YYYY-MM-DDTHH:MM:SSZ",
                                 what, SAFE(safe, s));
        if (time_parse_rfc3339(s, out, &terr) < 0)
                return error_set(err, ERROR_INVALID, "%s: signed.expires: %s", what, terr.msg);
        return 0;
}

/* hashes: {"sha256": "<64 hex>", ...}. sha256 is required; other algorithms
 * must look like hashes but are not checked. */
static int parse_hashes(const char *what, const char *field, json_t *hashes, bool *has_sha256,
                        uint8_t sha256[SHA256_LEN], struct error *err) {
        const char *alg;
        json_t *v;
        char safe[48];

        if (json_object_size(hashes) == 0)
                return error_set(err, ERROR_INVALID, "%s: %s.hashes: empty", what, field);
        if (json_object_size(hashes) > 8)
                return error_set(err, ERROR_INVALID, "%s: %s.hashes: more than 8 algorithms", what,
                                 field);
        *has_sha256 = false;
        json_object_foreach(hashes, alg, v) {
                const char *hex = json_string_value(v);
                size_t n = json_string_length(v);

                if (strlen(alg) == 0 || strlen(alg) > 32 || check_key_plain(what, hashes, alg, err) < 0)
                        return error_set(err, ERROR_INVALID, "%s: %s.hashes: bad algorithm name",
                                         what, field);
                if (!hex)
                        return error_set(err, ERROR_INVALID, "%s: %s.hashes.%s: expected a string",
                                         what, field, SAFE(safe, alg));
                if (n == 0 || n > TUF_HASH_HEX_MAX || n % 2 != 0 || strlen(hex) != n || !is_hex(hex, n))
                        return error_set(err, ERROR_INVALID,
                                         "%s: %s.hashes.%s: expected an even number of hex digits",
                                         what, field, SAFE(safe, alg));
                if (strcmp(alg, "sha256") == 0) {
                        if (n != 2 * SHA256_LEN)
                                return error_set(err, ERROR_INVALID,
                                                 "%s: %s.hashes.sha256: expected 64 hex digits, got %zu",
                                                 what, field, n);
                        if (hex_decode(hex, sha256, SHA256_LEN, err) < 0)
                                return error_prefix(err, "%s: %s.hashes.sha256: ", what, field);
                        *has_sha256 = true;
                }
        }
        if (!*has_sha256)
                return error_set(err, ERROR_UNSUPPORTED,
                                 "%s: %s.hashes: no sha256 hash (the only algorithm checked)", what,
                                 field);
        return 0;
}

/* ---- signatures ------------------------------------------------------------ */

static int parse_signatures(const char *what, json_t *sigs, struct error *err) {
        static const struct cr_json_field sig_fields[] = {
                { "keyid", CR_JSON_STRING, true, 128, false },
                { "sig", CR_JSON_STRING, true, TUF_SIG_HEX_MAX, false },
        };
        size_t i;
        json_t *s;

        json_array_foreach(sigs, i, s) {
                _cleanup_free_ char *w = str_printf("%s: signatures[%zu]", what, i);
                const char *keyid, *sig;
                size_t n;

                if (cr_json_check_object(w, s, sig_fields, ELEMENTSOF(sig_fields), err) < 0)
                        return -1;
                keyid = cr_json_get_string(s, "keyid");
                sig = cr_json_get_string(s, "sig");
                if (check_keyid(w, "keyid", keyid, err) < 0)
                        return -1;
                n = strlen(sig);
                if (n == 0 || n % 2 != 0 || !is_hex(sig, n))
                        return error_set(err, ERROR_INVALID,
                                         "%s: sig: expected a non-empty, even number of hex digits", w);
                for (size_t j = 0; j < i; j++)
                        if (str_eq(keyid, cr_json_get_string(json_array_get(sigs, j), "keyid")))
                                return error_set(err, ERROR_INVALID,
                                                 "%s: keyid %s already signed in signatures[%zu] "
                                                 "(one signature per key)",
                                                 w, keyid, j);
        }
        return 0;
}

/* ---- root ------------------------------------------------------------------ */

static int parse_role_keys(const char *what, const char *role_name, json_t *obj,
                           const struct tuf_root *root, struct tuf_role_keys *out,
                           struct error *err) {
        static const struct cr_json_field role_fields[] = {
                { "keyids", CR_JSON_STRING_ARRAY, true, TUF_MAX_ROLE_KEYIDS, false },
                { "threshold", CR_JSON_INTEGER, true, 0, false },
        };
        _cleanup_free_ char *w = str_printf("%s: signed.roles.%s", what, role_name);
        json_t *keyids;
        json_int_t threshold;
        size_t i, n;
        json_t *v;

        if (cr_json_check_object(w, obj, role_fields, ELEMENTSOF(role_fields), err) < 0)
                return -1;
        keyids = json_object_get(obj, "keyids");
        n = json_array_size(keyids);
        threshold = json_integer_value(json_object_get(obj, "threshold"));
        if (n == 0)
                return error_set(err, ERROR_INVALID, "%s: keyids: empty (the role needs a key)", w);
        if (threshold < 1)
                return error_set(err, ERROR_INVALID, "%s: threshold must be at least 1, not %lld", w,
                                 (long long) threshold);
        if ((uint64_t) threshold > n)
                return error_set(err, ERROR_INVALID,
                                 "%s: threshold %lld is more than the %zu keyids (never satisfiable)", w,
                                 (long long) threshold, n);

        out->keyids = xcalloc(n, sizeof(*out->keyids));
        json_array_foreach(keyids, i, v) {
                const char *keyid = json_string_value(v);
                bool known = false;

                if (check_keyid(w, "keyids", keyid, err) < 0)
                        return -1;
                for (size_t j = 0; j < i; j++)
                        if (strcmp(out->keyids[j], keyid) == 0)
                                return error_set(err, ERROR_INVALID, "%s: keyids: %s is listed twice",
                                                 w, keyid);
                for (size_t k = 0; k < root->n_keys && !known; k++)
                        known = strcmp(tuf_key_id(root->keys[k]), keyid) == 0;
                if (!known)
                        return error_set(err, ERROR_INVALID, "%s: keyids: %s is not in signed.keys", w,
                                         keyid);
                memcpy(out->keyids[i], keyid, TUF_KEYID_HEX_LEN);
                out->n_keyids = i + 1;
        }
        out->threshold = (unsigned) threshold;
        return 0;
}

/* Parses a "keys" object (root, or empty delegations) into keys/n_keys. */
static int parse_keys(const char *what, const char *field, json_t *keys, struct tuf_key ***out_keys,
                      size_t *out_n, struct error *err) {
        const char *keyid;
        json_t *v;
        size_t n = json_object_size(keys), i = 0;

        if (n > TUF_MAX_KEYS)
                return error_set(err, ERROR_INVALID, "%s: %s: more than %d keys", what, field,
                                 TUF_MAX_KEYS);
        *out_keys = xcalloc(n ? n : 1, sizeof(**out_keys));
        json_object_foreach(keys, keyid, v) {
                _cleanup_free_ char *w = NULL;
                struct tuf_key *k = NULL;

                if (check_key_plain(what, keys, keyid, err) < 0 || check_keyid(what, field, keyid, err) < 0)
                        return -1;
                w = str_printf("%s: %s.%s", what, field, keyid);
                /* A key of a type this client does not support is kept (its
                 * keyid is checked, it never counts toward a threshold), so a
                 * root that adds one beside supported keys still works. */
                if (tuf_key_from_json_any(w, v, &k, err) < 0)
                        return -1;
                (*out_keys)[i++] = k;
                *out_n = i;
                if (strcmp(tuf_key_id(k), keyid) != 0)
                        return error_set(err, ERROR_INVALID,
                                         "%s: keyid does not match the key (its SHA-256 is %s)", w,
                                         tuf_key_id(k));
                for (size_t j = 0; j + 1 < i; j++)
                        if (tuf_key_same_public((*out_keys)[j], k))
                                return error_set(err, ERROR_INVALID,
                                                 "%s: the same public key as %s (a key must appear "
                                                 "once)",
                                                 w, tuf_key_id((*out_keys)[j]));
        }
        return 0;
}

static int parse_root(const char *what, struct tuf_metadata *md, struct error *err) {
        static const struct cr_json_field roles_fields[] = {
                { "root", CR_JSON_OBJECT, true, 0, false },
                { "targets", CR_JSON_OBJECT, true, 0, false },
                { "snapshot", CR_JSON_OBJECT, true, 0, false },
                { "timestamp", CR_JSON_OBJECT, true, 0, false },
                { "mirrors", CR_JSON_OBJECT, false, 0, false },
        };
        json_t *s = md->signed_obj, *roles, *cs;
        _cleanup_free_ char *w = str_printf("%s: signed.roles", what);
        struct tuf_role_keys mirrors = { 0 };
        int r;

        cs = json_object_get(s, "consistent_snapshot");
        md->root.consistent_snapshot = json_is_true(cs);
        md->root.repository = cr_json_get_string(s, TUF_ROOT_REPOSITORY_FIELD);
        if (md->root.repository && tuf_root_repository_check(what, md->root.repository, err) < 0)
                return -1;
        if (parse_keys(what, "signed.keys", json_object_get(s, "keys"), &md->root.keys,
                       &md->root.n_keys, err) < 0)
                return -1;
        roles = json_object_get(s, "roles");
        if (cr_json_check_object(w, roles, roles_fields, ELEMENTSOF(roles_fields), err) < 0)
                return -1;
        for (int i = 0; i < _TUF_ROLE_MAX; i++)
                if (parse_role_keys(what, role_names[i], json_object_get(roles, role_names[i]),
                                    &md->root, &md->root.roles[i], err) < 0)
                        return -1;
        /* mirrors: allowed by the specification, checked, not used. */
        if (json_object_get(roles, "mirrors")) {
                r = parse_role_keys(what, "mirrors", json_object_get(roles, "mirrors"), &md->root,
                                    &mirrors, err);
                free(mirrors.keyids);
                if (r < 0)
                        return -1;
        }
        return 0;
}

/* ---- snapshot and timestamp ------------------------------------------------- */

static int parse_meta(const char *what, struct tuf_metadata *md, struct error *err) {
        static const struct cr_json_field entry_fields[] = {
                { "version", CR_JSON_INTEGER, true, 0, false },
                { "length", CR_JSON_INTEGER, false, 0, false },
                { "hashes", CR_JSON_OBJECT, false, 0, false },
        };
        json_t *meta = json_object_get(md->signed_obj, "meta");
        size_t n = json_object_size(meta), i = 0;
        const char *name;
        json_t *v;
        char safe[80];

        if (n > TUF_MAX_META)
                return error_set(err, ERROR_INVALID, "%s: signed.meta: more than %d entries", what,
                                 TUF_MAX_META);
        if (md->type == TUF_ROLE_TIMESTAMP) {
                if (n != 1 || !json_object_get(meta, "snapshot.json"))
                        return error_set(err, ERROR_INVALID,
                                         "%s: signed.meta must list exactly \"snapshot.json\"", what);
        } else if (!json_object_get(meta, "targets.json")) {
                return error_set(err, ERROR_INVALID, "%s: signed.meta does not list \"targets.json\"",
                                 what);
        }
        md->meta = xcalloc(n ? n : 1, sizeof(*md->meta));
        json_object_foreach(meta, name, v) {
                _cleanup_free_ char *w = NULL;
                struct tuf_meta_file *mf = &md->meta[i];
                json_t *len, *hashes;
                size_t nl;

                if (check_key_plain(what, meta, name, err) < 0)
                        return -1;
                w = str_printf("%s: signed.meta.%s", what, SAFE(safe, name));
                if (tuf_path_check(w, name, err) < 0)
                        return -1;
                nl = strlen(name);
                if (nl < 6 || strcmp(name + nl - 5, ".json") != 0)
                        return error_set(err, ERROR_INVALID, "%s: a metadata name must end in .json", w);
                if (cr_json_check_object(w, v, entry_fields, ELEMENTSOF(entry_fields), err) < 0)
                        return -1;
                mf->name = str_dup(name);
                md->n_meta = ++i;
                mf->version = json_integer_value(json_object_get(v, "version"));
                if (check_int(w, "version", json_object_get(v, "version"), 1, err) < 0)
                        return -1;
                len = json_object_get(v, "length");
                mf->length = -1;
                if (len) {
                        if (check_int(w, "length", len, 0, err) < 0)
                                return -1;
                        mf->length = json_integer_value(len);
                }
                hashes = json_object_get(v, "hashes");
                if (hashes) {
                        _cleanup_free_ char *field = str_printf("signed.meta.%s", safe);
                        if (parse_hashes(what, field, hashes, &mf->has_sha256, mf->sha256, err) < 0)
                                return -1;
                }
        }
        return 0;
}

/* ---- targets ----------------------------------------------------------------- */

static int parse_delegations(const char *what, json_t *d, struct error *err) {
        static const struct cr_json_field deleg_fields[] = {
                { "keys", CR_JSON_OBJECT, true, 0, false },
                { "roles", CR_JSON_ARRAY, true, 0, false },
                { "succinct_roles", CR_JSON_OBJECT, false, 0, false },
        };
        _cleanup_free_ char *w = str_printf("%s: signed.delegations", what);
        struct tuf_key **keys = NULL;
        size_t n_keys = 0;
        int r;

        if (json_is_object(d) && (json_object_get(d, "succinct_roles") ||
                                  json_array_size(json_object_get(d, "roles")) > 0))
                return error_set(err, ERROR_UNSUPPORTED,
                                 "%s: delegated targets roles are not supported; list every target "
                                 "in the top-level targets metadata",
                                 w);
        if (cr_json_check_object(w, d, deleg_fields, ELEMENTSOF(deleg_fields), err) < 0)
                return -1;
        r = parse_keys(what, "signed.delegations.keys", json_object_get(d, "keys"), &keys, &n_keys,
                       err);
        for (size_t i = 0; i < n_keys; i++)
                tuf_key_free(keys[i]);
        free(keys);
        return r;
}

static int parse_targets(const char *what, struct tuf_metadata *md, struct error *err) {
        static const struct cr_json_field target_fields[] = {
                { "length", CR_JSON_INTEGER, true, 0, false },
                { "hashes", CR_JSON_OBJECT, true, 0, false },
                { "custom", CR_JSON_OBJECT, false, 0, false },
        };
        json_t *targets = json_object_get(md->signed_obj, "targets");
        json_t *deleg = json_object_get(md->signed_obj, "delegations");
        size_t n = json_object_size(targets), i = 0;
        const char *path;
        json_t *v;
        char safe[80];

        if (deleg && parse_delegations(what, deleg, err) < 0)
                return -1;
        if (n > TUF_MAX_TARGETS)
                return error_set(err, ERROR_INVALID, "%s: signed.targets: more than %d targets", what,
                                 TUF_MAX_TARGETS);
        md->targets = xcalloc(n ? n : 1, sizeof(*md->targets));
        json_object_foreach(targets, path, v) {
                _cleanup_free_ char *w = NULL, *field = NULL;
                struct tuf_target *t = &md->targets[i];
                bool has_sha256;

                if (check_key_plain(what, targets, path, err) < 0)
                        return -1;
                SAFE(safe, path);
                w = str_printf("%s: signed.targets.%s", what, safe);
                field = str_printf("signed.targets.%s", safe);
                if (tuf_path_check(w, path, err) < 0 ||
                    cr_json_check_object(w, v, target_fields, ELEMENTSOF(target_fields), err) < 0)
                        return -1;
                t->path = str_dup(path);
                md->n_targets = ++i;
                if (check_int(w, "length", json_object_get(v, "length"), 0, err) < 0)
                        return -1;
                t->length = json_integer_value(json_object_get(v, "length"));
                if (parse_hashes(what, field, json_object_get(v, "hashes"), &has_sha256, t->sha256,
                                 err) < 0)
                        return -1;
                t->custom = json_object_get(v, "custom");
        }
        return 0;
}

/* ---- the document ------------------------------------------------------------ */

static const struct cr_json_field root_fields[] = {
        { "_type", CR_JSON_STRING, true, 16, false },
        { "spec_version", CR_JSON_STRING, true, 32, false },
        { "version", CR_JSON_INTEGER, true, 0, false },
        { "expires", CR_JSON_STRING, true, 32, false },
        { "consistent_snapshot", CR_JSON_BOOL, false, 0, false },
        { "keys", CR_JSON_OBJECT, true, 0, false },
        { "roles", CR_JSON_OBJECT, true, 0, false },
        /* Which Cradle repository the root belongs to (docs/tuf.md,
         * "Repository identity"). An extension field: the specification
         * lets metadata carry fields a client does not know, and tuf-js and
         * python-tuf keep them for the signature check. */
        { TUF_ROOT_REPOSITORY_FIELD, CR_JSON_STRING, false, TUF_ROOT_REPOSITORY_MAX, false },
};
static const struct cr_json_field targets_fields[] = {
        { "_type", CR_JSON_STRING, true, 16, false },
        { "spec_version", CR_JSON_STRING, true, 32, false },
        { "version", CR_JSON_INTEGER, true, 0, false },
        { "expires", CR_JSON_STRING, true, 32, false },
        { "targets", CR_JSON_OBJECT, true, 0, false },
        { "delegations", CR_JSON_OBJECT, false, 0, false },
};
static const struct cr_json_field meta_fields[] = {
        { "_type", CR_JSON_STRING, true, 16, false },
        { "spec_version", CR_JSON_STRING, true, 32, false },
        { "version", CR_JSON_INTEGER, true, 0, false },
        { "expires", CR_JSON_STRING, true, 32, false },
        { "meta", CR_JSON_OBJECT, true, 0, false },
};

int tuf_metadata_from_json(const char *what, json_t *doc, enum tuf_role expected,
                           struct tuf_metadata **out, struct error *err) {
        static const struct cr_json_field doc_fields[] = {
                { "signed", CR_JSON_OBJECT, true, 0, false },
                { "signatures", CR_JSON_ARRAY, true, TUF_MAX_SIGNATURES, false },
        };
        _cleanup_(tuf_metadata_freep) struct tuf_metadata *md = NULL;
        _cleanup_free_ char *signed_what = NULL;
        const char *type;
        char safe[48];
        enum tuf_role role;
        int r;

        if (!what)
                what = "metadata";
        if (cr_json_check_object(what, doc, doc_fields, ELEMENTSOF(doc_fields), err) < 0)
                return -1;
        md = xcalloc(1, sizeof(*md));
        md->doc = json_incref(doc);
        md->signed_obj = json_object_get(doc, "signed");
        md->signatures = json_object_get(doc, "signatures");

        type = cr_json_get_string(md->signed_obj, "_type");
        if (!type)
                return error_set(err, ERROR_INVALID, "%s: signed: missing required field '_type' (a string)",
                                 what);
        if (role_from_name(type, &role) < 0)
                return error_set(err, ERROR_INVALID,
                                 "%s: signed._type '%s' is not a TUF role (root, targets, snapshot or "
                                 "timestamp)",
                                 what, SAFE(safe, type));
        if (expected != TUF_ROLE_ANY && role != expected)
                return error_set(err, ERROR_INVALID, "%s: signed._type is '%s', expected '%s'", what,
                                 type, role_names[expected]);
        md->type = role;

        signed_what = str_printf("%s: signed", what);
        switch (role) {
        case TUF_ROLE_ROOT:
                r = cr_json_check_object(signed_what, md->signed_obj, root_fields,
                                         ELEMENTSOF(root_fields), err);
                break;
        case TUF_ROLE_TARGETS:
                r = cr_json_check_object(signed_what, md->signed_obj, targets_fields,
                                         ELEMENTSOF(targets_fields), err);
                break;
        default:
                r = cr_json_check_object(signed_what, md->signed_obj, meta_fields,
                                         ELEMENTSOF(meta_fields), err);
                break;
        }
        if (r < 0)
                return -1;
        if (parse_spec_version(what, cr_json_get_string(md->signed_obj, "spec_version"), err) < 0)
                return -1;
        if (check_int(what, "signed.version", json_object_get(md->signed_obj, "version"), 1, err) < 0)
                return -1;
        md->version = json_integer_value(json_object_get(md->signed_obj, "version"));
        if (parse_expires(what, cr_json_get_string(md->signed_obj, "expires"), &md->expires, err) < 0)
                return -1;
        snprintf(md->expires_str, sizeof(md->expires_str), "%s",
                 cr_json_get_string(md->signed_obj, "expires"));

        switch (role) {
        case TUF_ROLE_ROOT:
                r = parse_root(what, md, err);
                break;
        case TUF_ROLE_TARGETS:
                r = parse_targets(what, md, err);
                break;
        default:
                r = parse_meta(what, md, err);
                break;
        }
        if (r < 0)
                return -1;
        /* Signatures last: their keyids mean something only once the role
         * is known to be well formed. */
        if (parse_signatures(what, md->signatures, err) < 0)
                return -1;
        *out = steal_ptr(md);
        return 0;
}

int tuf_metadata_parse(const char *what, const char *buf, size_t len, size_t max_len,
                       enum tuf_role expected, struct tuf_metadata **out, struct error *err) {
        _cleanup_json_ json_t *doc = NULL;

        if (!what)
                what = "metadata";
        doc = cr_json_parse(what, buf, len, max_len ? max_len : TUF_METADATA_DEFAULT_MAX,
                            TUF_MAX_DEPTH, err);
        if (!doc)
                return -1;
        return tuf_metadata_from_json(what, doc, expected, out, err);
}

char *tuf_metadata_signed_bytes(const struct tuf_metadata *md, size_t *len, struct error *err) {
        return cr_json_canonical(md->signed_obj, len, err);
}

/* ---- lookups ------------------------------------------------------------------ */

const struct tuf_meta_file *tuf_metadata_find_meta(const struct tuf_metadata *md, const char *name) {
        for (size_t i = 0; md && i < md->n_meta; i++)
                if (str_eq(md->meta[i].name, name))
                        return &md->meta[i];
        return NULL;
}

const struct tuf_target *tuf_metadata_find_target(const struct tuf_metadata *md, const char *path) {
        for (size_t i = 0; md && i < md->n_targets; i++)
                if (str_eq(md->targets[i].path, path))
                        return &md->targets[i];
        return NULL;
}

const struct tuf_key *tuf_root_find_key(const struct tuf_metadata *root, const char *keyid) {
        if (!root || root->type != TUF_ROLE_ROOT || !keyid)
                return NULL;
        for (size_t i = 0; i < root->root.n_keys; i++)
                if (strcmp(tuf_key_id(root->root.keys[i]), keyid) == 0)
                        return root->root.keys[i];
        return NULL;
}

bool tuf_root_role_has_key(const struct tuf_metadata *root, enum tuf_role role, const char *keyid) {
        const struct tuf_role_keys *rk;

        if (!root || root->type != TUF_ROLE_ROOT || role < 0 || role >= _TUF_ROLE_MAX || !keyid)
                return false;
        rk = &root->root.roles[role];
        for (size_t i = 0; i < rk->n_keyids; i++)
                if (strcmp(rk->keyids[i], keyid) == 0)
                        return true;
        return false;
}

bool tuf_root_role_equal(const struct tuf_metadata *a, const struct tuf_metadata *b,
                         enum tuf_role role) {
        const struct tuf_role_keys *ra, *rb;

        if (role < 0 || role >= _TUF_ROLE_MAX)
                return false;
        ra = &a->root.roles[role];
        rb = &b->root.roles[role];
        if (ra->threshold != rb->threshold || ra->n_keyids != rb->n_keyids)
                return false;
        /* keyids are unique within a role and hash the key, so equal sets of
         * keyids are equal sets of keys. */
        for (size_t i = 0; i < ra->n_keyids; i++)
                if (!tuf_root_role_has_key(b, role, ra->keyids[i]))
                        return false;
        return true;
}

int tuf_root_repository_check(const char *what, const char *repository, struct error *err) {
        char safe[80];
        size_t n = strlen(repository);

        if (n == 0 || n > TUF_ROOT_REPOSITORY_MAX)
                return error_set(err, ERROR_INVALID, "%s: signed." TUF_ROOT_REPOSITORY_FIELD
                                 ": expected 1 to %d characters", what, TUF_ROOT_REPOSITORY_MAX);
        for (size_t i = 0; i < n; i++) {
                unsigned char c = (unsigned char) repository[i];
                if (c <= 0x20 || c >= 0x7f)
                        return error_set(err, ERROR_INVALID,
                                         "%s: signed." TUF_ROOT_REPOSITORY_FIELD
                                         " '%s' must be printable ASCII without spaces",
                                         what, SAFE(safe, repository));
        }
        return 0;
}

/* ---- builders ---------------------------------------------------------------- */

json_t *tuf_metadata_wrap(json_t *signed_obj) {
        json_t *doc = json_pack("{s:O, s:[]}", "signed", signed_obj, "signatures");

        if (!doc)
                abort();
        return doc;
}

/* Not cr_json_canonical: canonical JSON writes control characters raw, so
 * the newlines of a PEM key would make the file invalid JSON for every
 * parser (jansson, JSON.parse, Python's json). Compact JSON with sorted keys
 * is the canonical form except that such characters are escaped; it is what
 * signatures are NOT over (they are over the canonical "signed"). */
char *tuf_metadata_serialize(json_t *doc, size_t *len, struct error *err) {
        char *s;

        if (!json_is_object(doc)) {
                error_set(err, ERROR_INTERNAL, "serialize: metadata is not an object");
                return NULL;
        }
        s = json_dumps(doc, JSON_COMPACT | JSON_SORT_KEYS);
        if (!s) {
                error_set(err, ERROR_INVALID, "serialize: metadata cannot be written as JSON");
                return NULL;
        }
        if (len)
                *len = strlen(s);
        return s;
}

void tuf_meta_file_describe(struct tuf_meta_file *mf, const void *data, size_t len) {
        mf->length = (int64_t) len;
        hash_sha256(data, len, mf->sha256);
        mf->has_sha256 = true;
}

static json_t *common_signed(const char *type, int64_t version, int64_t expires,
                             struct error *err) {
        char when[TIME_RFC3339_LEN];
        json_t *s;

        if (version < 1 || version > TUF_INT_MAX) {
                error_set(err, ERROR_INVALID, "%s: version %lld is out of range (1 to %lld)", type,
                          (long long) version, (long long) TUF_INT_MAX);
                return NULL;
        }
        /* core/time clamps what it cannot write; a builder must not. */
        if (expires < 0 || expires > TUF_EXPIRES_MAX) {
                error_set(err, ERROR_INVALID,
                          "%s: expiry %lld is outside 1970-01-01T00:00:00Z to 9999-12-31T23:59:59Z",
                          type, (long long) expires);
                return NULL;
        }
        time_format_rfc3339(expires, when);
        s = json_pack("{s:s, s:s, s:I, s:s}", "_type", type, "spec_version", TUF_SPEC_VERSION,
                      "version", (json_int_t) version, "expires", when);
        if (!s)
                abort();
        return s;
}

/* Parses what a builder made; returns it, or NULL with err set. */
static json_t *checked(json_t *signed_obj, enum tuf_role role, struct error *err) {
        _cleanup_json_ json_t *doc = NULL;
        _cleanup_(tuf_metadata_freep) struct tuf_metadata *md = NULL;
        _cleanup_free_ char *what = NULL;

        if (!signed_obj)
                return NULL;
        doc = tuf_metadata_wrap(signed_obj);
        what = str_printf("new %s metadata", role_names[role]);
        if (tuf_metadata_from_json(what, doc, role, &md, err) < 0) {
                json_decref(signed_obj);
                return NULL;
        }
        return signed_obj;
}

static json_t *hashes_json(const uint8_t sha256[SHA256_LEN]) {
        char hex[SHA256_HEX_LEN];

        hex_encode(sha256, SHA256_LEN, hex);
        return json_pack("{s:s}", "sha256", hex);
}

json_t *tuf_build_root(int64_t version, int64_t expires, bool consistent_snapshot,
                       struct tuf_key *const *keys, size_t n_keys,
                       const struct tuf_role_spec roles[_TUF_ROLE_MAX], struct error *err) {
        json_t *s = common_signed("root", version, expires, err);
        json_t *keys_obj, *roles_obj;

        if (!s)
                return NULL;
        keys_obj = json_object();
        roles_obj = json_object();
        for (size_t i = 0; i < n_keys; i++)
                json_object_set_new(keys_obj, tuf_key_id(keys[i]), json_deep_copy(tuf_key_json(keys[i])));
        for (int r = 0; r < _TUF_ROLE_MAX; r++) {
                json_t *ids = json_array();

                for (size_t i = 0; i < roles[r].n_keyids; i++)
                        json_array_append_new(ids, json_string(roles[r].keyids[i] ? roles[r].keyids[i]
                                                                                  : ""));
                json_object_set_new(roles_obj, role_names[r],
                                    json_pack("{s:o, s:I}", "keyids", ids, "threshold",
                                              (json_int_t) roles[r].threshold));
        }
        json_object_set_new(s, "consistent_snapshot", json_boolean(consistent_snapshot));
        json_object_set_new(s, "keys", keys_obj);
        json_object_set_new(s, "roles", roles_obj);
        return checked(s, TUF_ROLE_ROOT, err);
}

int tuf_root_set_repository(json_t *signed_obj, const char *repository, struct error *err) {
        _cleanup_json_ json_t *doc = NULL;
        _cleanup_(tuf_metadata_freep) struct tuf_metadata *md = NULL;

        if (!json_is_object(signed_obj) || !repository)
                return error_set(err, ERROR_INTERNAL, "set repository: no root or no name");
        json_object_set_new(signed_obj, TUF_ROOT_REPOSITORY_FIELD, json_string(repository));
        doc = tuf_metadata_wrap(signed_obj);
        if (tuf_metadata_from_json("new root metadata", doc, TUF_ROLE_ROOT, &md, err) < 0) {
                json_object_del(signed_obj, TUF_ROOT_REPOSITORY_FIELD);
                return -1;
        }
        return 0;
}

json_t *tuf_build_targets(int64_t version, int64_t expires, const struct tuf_target_spec *targets,
                          size_t n_targets, struct error *err) {
        json_t *s = common_signed("targets", version, expires, err);
        json_t *obj;

        if (!s)
                return NULL;
        obj = json_object();
        for (size_t i = 0; i < n_targets; i++) {
                json_t *t;

                if (!targets[i].path || json_object_get(obj, targets[i].path)) {
                        json_decref(obj);
                        json_decref(s);
                        error_set(err, ERROR_INVALID, "new targets metadata: target %zu: %s", i,
                                  targets[i].path ? "path listed twice" : "no path");
                        return NULL;
                }
                t = json_pack("{s:I, s:o}", "length", (json_int_t) targets[i].length, "hashes",
                              hashes_json(targets[i].sha256));
                if (targets[i].custom)
                        json_object_set_new(t, "custom", json_deep_copy(targets[i].custom));
                json_object_set_new(obj, targets[i].path, t);
        }
        json_object_set_new(s, "targets", obj);
        return checked(s, TUF_ROLE_TARGETS, err);
}

static json_t *meta_entry(const struct tuf_meta_file *mf) {
        json_t *e = json_pack("{s:I}", "version", (json_int_t) mf->version);

        if (mf->length >= 0)
                json_object_set_new(e, "length", json_integer(mf->length));
        if (mf->has_sha256)
                json_object_set_new(e, "hashes", hashes_json(mf->sha256));
        return e;
}

json_t *tuf_build_snapshot(int64_t version, int64_t expires, const struct tuf_meta_file *meta,
                           size_t n_meta, struct error *err) {
        json_t *s = common_signed("snapshot", version, expires, err);
        json_t *obj;

        if (!s)
                return NULL;
        obj = json_object();
        for (size_t i = 0; i < n_meta; i++) {
                if (!meta[i].name || json_object_get(obj, meta[i].name)) {
                        json_decref(obj);
                        json_decref(s);
                        error_set(err, ERROR_INVALID, "new snapshot metadata: meta %zu: %s", i,
                                  meta[i].name ? "name listed twice" : "no name");
                        return NULL;
                }
                json_object_set_new(obj, meta[i].name, meta_entry(&meta[i]));
        }
        json_object_set_new(s, "meta", obj);
        return checked(s, TUF_ROLE_SNAPSHOT, err);
}

json_t *tuf_build_timestamp(int64_t version, int64_t expires,
                            const struct tuf_meta_file *snapshot_meta, struct error *err) {
        json_t *s = common_signed("timestamp", version, expires, err);

        if (!s)
                return NULL;
        json_object_set_new(s, "meta",
                            json_pack("{s:o}", "snapshot.json", meta_entry(snapshot_meta)));
        return checked(s, TUF_ROLE_TIMESTAMP, err);
}

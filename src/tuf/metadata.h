/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/*
 * TUF 1.0 metadata: parsing with strict validation, and builders.
 *
 * A metadata document is {"signed": ROLE, "signatures": [{"keyid","sig"}...]}.
 * The parser checks every field of the four top-level roles (root, targets,
 * snapshot, timestamp) and refuses anything it does not know, with a message
 * that names the file and the field ("timestamp.json: signed.meta: ...").
 * It does not check signatures, versions against other metadata, or expiry
 * against a clock: that is tuf/verify.h and tuf/client.h.
 *
 * What the parser refuses beyond the specification's own rules, and why:
 *  - unknown fields anywhere except inside a target's "custom" object and
 *    root's "x-cradle-repository" (Cradle's own extension, see below)
 *    (a misspelt field must not be ignored silently; a future field comes
 *    with a new spec_version);
 *  - a spec_version whose major version is not 1;
 *  - "expires" other than "YYYY-MM-DDTHH:MM:SSZ" (the specification's form;
 *    python-tuf refuses the others too);
 *  - keyids that are not the SHA-256 of the key object (the specification
 *    says clients MUST compute them) and one public key under two keyids (so
 *    a key can never count twice toward a threshold);
 *  - the same keyid twice in "signatures" or in a role's "keyids";
 *  - a threshold above the number of the role's keys (never satisfiable);
 *  - delegated targets roles: "delegations" with any role is refused, an
 *    empty {"keys": {}, "roles": []} is accepted (see docs/tuf.md);
 *  - hashes without "sha256" (the one algorithm Cradle checks; others are
 *    tolerated beside it but not checked);
 *  - target and metadata paths that are empty, absolute, contain "." or ".."
 *    segments, empty segments, backslashes or control characters: they end up
 *    in file names and URLs.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>
#include "core/error.h"
#include "crypto/hash.h"
#include "tuf/key.h"

/* The spec_version Cradle writes (what python-tuf and tuf-js write too). */
#define TUF_SPEC_VERSION "1.0.31"

/* Structural limits, beyond the byte limit the caller gives. */
#define TUF_MAX_DEPTH 32            /* JSON nesting */
#define TUF_MAX_KEYS 64             /* keys in root */
#define TUF_MAX_ROLE_KEYIDS 64      /* keyids per role */
#define TUF_MAX_SIGNATURES 64       /* signatures per document */
#define TUF_MAX_META 4096           /* entries in snapshot meta */
#define TUF_MAX_TARGETS 100000      /* targets in one targets document */
#define TUF_PATH_MAX 1024           /* target or metadata path, bytes */
#define TUF_HASH_HEX_MAX 256        /* any hash value, hex digits */
/* The default byte limit of tuf_metadata_parse when max_len is 0. */
#define TUF_METADATA_DEFAULT_MAX (16u * 1024 * 1024)

enum tuf_role {
        TUF_ROLE_ROOT,
        TUF_ROLE_TARGETS,
        TUF_ROLE_SNAPSHOT,
        TUF_ROLE_TIMESTAMP,
        _TUF_ROLE_MAX,
        TUF_ROLE_ANY = -1, /* for tuf_metadata_parse: whatever _type says */
};

/* "root", "targets", "snapshot", "timestamp". */
const char *tuf_role_name(enum tuf_role role);

/* A role's keys in root. */
struct tuf_role_keys {
        char (*keyids)[TUF_KEYID_HEX_LEN];
        size_t n_keyids;
        unsigned threshold;
};

/* The root's statement of which Cradle repository it is (docs/tuf.md,
 * "Repository identity"): "director", or "image:<product model>". */
#define TUF_ROOT_REPOSITORY_FIELD "x-cradle-repository"
#define TUF_ROOT_REPOSITORY_MAX 96
#define TUF_ROOT_REPOSITORY_DIRECTOR "director"
#define TUF_ROOT_REPOSITORY_IMAGE_PREFIX "image:"

struct tuf_root {
        bool consistent_snapshot;
        const char *repository;  /* signed.x-cradle-repository (borrowed); NULL when absent */
        struct tuf_key **keys;
        size_t n_keys;
        struct tuf_role_keys roles[_TUF_ROLE_MAX];
};

/* An entry of snapshot or timestamp "meta" (METAFILES). */
struct tuf_meta_file {
        char *name;         /* "snapshot.json", "targets.json" */
        int64_t version;
        int64_t length;     /* -1 when absent */
        bool has_sha256;
        uint8_t sha256[SHA256_LEN];
};

struct tuf_target {
        char *path;
        int64_t length;
        uint8_t sha256[SHA256_LEN];
        json_t *custom;     /* borrowed from the document; NULL when absent */
};

struct tuf_metadata {
        enum tuf_role type;
        json_t *doc;        /* the whole document (owned) */
        json_t *signed_obj; /* doc["signed"] (borrowed) */
        json_t *signatures; /* doc["signatures"] (borrowed) */
        int64_t version;
        int64_t expires;    /* seconds since the epoch */
        char expires_str[24];
        /* Filled for the matching type only. */
        struct tuf_root root;
        struct tuf_meta_file *meta; /* snapshot and timestamp */
        size_t n_meta;
        struct tuf_target *targets;
        size_t n_targets;
};

/* Parses and validates a metadata document of `len` bytes (at most max_len;
 * 0 means TUF_METADATA_DEFAULT_MAX). expected is the role the caller asked
 * for, or TUF_ROLE_ANY. `what` names the input ("3.root.json"). */
int tuf_metadata_parse(const char *what, const char *buf, size_t len, size_t max_len,
                       enum tuf_role expected, struct tuf_metadata **out, struct error *err);
/* The same over a document already parsed (takes a new reference to doc). */
int tuf_metadata_from_json(const char *what, json_t *doc, enum tuf_role expected,
                           struct tuf_metadata **out, struct error *err);
void tuf_metadata_free(struct tuf_metadata *md);

/* The canonical bytes of doc["signed"]: what signatures are over. */
char *tuf_metadata_signed_bytes(const struct tuf_metadata *md, size_t *len, struct error *err);

/* Lookups (NULL when absent). */
const struct tuf_meta_file *tuf_metadata_find_meta(const struct tuf_metadata *md, const char *name);
const struct tuf_target *tuf_metadata_find_target(const struct tuf_metadata *md, const char *path);
/* A key of root by keyid (NULL when root has no such key). */
const struct tuf_key *tuf_root_find_key(const struct tuf_metadata *root, const char *keyid);
/* True when `keyid` is one of role's keyids in root. */
bool tuf_root_role_has_key(const struct tuf_metadata *root, enum tuf_role role, const char *keyid);
/* True when two roots give `role` the same keys and threshold. */
bool tuf_root_role_equal(const struct tuf_metadata *a, const struct tuf_metadata *b,
                         enum tuf_role role);

/* Checks the form of an x-cradle-repository value (printable ASCII, no
 * spaces, at most TUF_ROOT_REPOSITORY_MAX). */
int tuf_root_repository_check(const char *what, const char *repository, struct error *err);

/* Checks a TUF target or metadata path (rules above). `what` names it. */
int tuf_path_check(const char *what, const char *path, struct error *err);

/* ---- builders ---------------------------------------------------------------
 * Each returns a new "signed" object, or NULL with err set. The result is
 * checked by the parser before it is returned, so a builder never produces
 * metadata a client would refuse for its form. `expires` is seconds since the
 * epoch (written as "YYYY-MM-DDTHH:MM:SSZ"); version >= 1. */

struct tuf_role_spec {
        const char *const *keyids;
        size_t n_keyids;
        unsigned threshold;
};

/* roles is indexed by enum tuf_role. keys are the keys of all roles (each
 * once). */
json_t *tuf_build_root(int64_t version, int64_t expires, bool consistent_snapshot,
                       struct tuf_key *const *keys, size_t n_keys,
                       const struct tuf_role_spec roles[_TUF_ROLE_MAX], struct error *err);

/* Adds "x-cradle-repository": repository to a root "signed" object made by
 * tuf_build_root (before it is signed) and checks the result parses. */
int tuf_root_set_repository(json_t *signed_obj, const char *repository, struct error *err);

struct tuf_target_spec {
        const char *path;
        int64_t length;
        uint8_t sha256[SHA256_LEN];
        json_t *custom; /* borrowed; may be NULL */
};

json_t *tuf_build_targets(int64_t version, int64_t expires, const struct tuf_target_spec *targets,
                          size_t n_targets, struct error *err);

/* meta: version required; length (>= 0) and sha256 written when given. */
json_t *tuf_build_snapshot(int64_t version, int64_t expires, const struct tuf_meta_file *meta,
                           size_t n_meta, struct error *err);
/* snapshot_meta->name is ignored: a timestamp lists "snapshot.json" only. */
json_t *tuf_build_timestamp(int64_t version, int64_t expires,
                            const struct tuf_meta_file *snapshot_meta, struct error *err);

/* Fills length and sha256 of a METAFILES entry from a metadata file's bytes
 * (name and version are left to the caller). */
void tuf_meta_file_describe(struct tuf_meta_file *mf, const void *data, size_t len);

/* Wraps a "signed" object into {"signed": signed, "signatures": []}, taking
 * a new reference to signed. */
json_t *tuf_metadata_wrap(json_t *signed_obj);

/* The bytes Cradle publishes: the whole document as compact JSON with sorted
 * keys. That is canonical JSON except that control characters in strings
 * (the newlines of PEM keys) are escaped, as JSON requires: canonical JSON
 * proper is only what signatures are computed over, never a file. */
char *tuf_metadata_serialize(json_t *doc, size_t *len, struct error *err);

static inline void tuf_metadata_freep(struct tuf_metadata **md) {
        if (*md)
                tuf_metadata_free(*md);
}
#define _cleanup_tuf_metadata_ __attribute__((cleanup(tuf_metadata_freep)))

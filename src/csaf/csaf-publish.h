/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/*
 * CSAF advisories of a case, stored and published (issue 10 section 5; CRA
 * Art. 14(8), Annex I Part II (4)). docs/reporting.md "CSAF advisories".
 *
 * - A draft (csaf_case_draft) renders the case as it is now, with the
 *   revisions already published and one more; it stores and publishes
 *   nothing.
 * - A publication (csaf_publish) adds a revision: the document is rendered
 *   with every earlier revision in its history, its exact bytes, SHA-256,
 *   SHA-512 and detached OpenPGP signature are recorded in csaf_revisions
 *   (rows never change), and the provider directory under
 *   <data_dir>/csaf/ is rewritten: files staged, the database committed,
 *   then switched by rename (DESIGN: files that must agree with database
 *   rows). csaf_directory_sync rebuilds the files from the rows (at start).
 * - Only TLP:WHITE revisions go into the public directory (white/); a
 *   revision under another label is recorded and signed but served only to
 *   operators (csaf_revision_document), for distribution by hand.
 */
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "audit/audit.h"
#include "core/error.h"
#include "csaf/csaf.h"
#include "store/store.h"

struct csaf_config {
        const char *base_url;            /* https://host[:port]; "" or NULL = not configured */
        const char *publisher_name;      /* "" = the first affected product's manufacturer */
        const char *publisher_namespace; /* "" = base_url */
        bool list_on_aggregators, mirror_on_aggregators;
};

enum csaf_category { CSAF_CATEGORY_ADVISORY = 0, CSAF_CATEGORY_VEX };
/* "security_advisory" / "vex" (the CLI and API names), and the document
 * category "csaf_security_advisory" / "csaf_vex". */
const char *csaf_category_name(enum csaf_category c);
const char *csaf_category_document(enum csaf_category c);
int csaf_category_parse(const char *s, enum csaf_category *out, struct error *err);

/* The directory's layout under the data directory, and its URL paths. */
#define CSAF_DIR "csaf"
#define CSAF_PUBLIC "white"
#define CSAF_KEYS "openpgp"
#define CSAF_WELL_KNOWN "/.well-known/csaf"
/* The signing key is the keyring's (pgp.h) first usable secret key whose
 * user id contains this; generated on the first publication when none. */
#define CSAF_KEY_UID_MARK "CSAF signing"

/* The draft (heap string, the bytes a publication would give now). */
int csaf_case_draft(struct store *s, const struct csaf_config *cfg, const char *ref, enum csaf_category cat,
                    int64_t now, char **doc, struct error *err);

struct csaf_publish_req {
        enum csaf_category category;
        enum csaf_status status;   /* interim or final */
        const char *summary;       /* required from the second revision on */
        const char *tlp;           /* NULL = the previous revision's, else WHITE */
};

/* What a publication made, for the step after it (csaf_after_publish). */
struct csaf_published {
        const char *case_reference;
        int64_t case_id;
        const char *category;      /* csaf_security_advisory, csaf_vex */
        const char *tracking_id;
        int64_t revision;
        const char *status, *tlp;
        const char *url;           /* the document's URL; NULL when not public */
        const char *document;      /* the exact bytes */
};

/* Publishes a revision (security officer; audited "case.advisory-publish",
 * timeline "advisory-published"). Refuses, naming it: no [csaf] base_url, a
 * draft status, final -> interim, TLP:WHITE -> another label, a missing
 * summary after the first revision, anything the renderer refuses. *out:
 * the revision as csaf_revisions_json lists it. */
int csaf_publish(struct store *s, const struct audit_actor *actor, const struct csaf_config *cfg,
                 const char *data_dir, const char *ref, const struct csaf_publish_req *req, int64_t now,
                 json_t **out, struct error *err);
/* The same from an API body {"type", "status", "summary", "tlp"}. */
int csaf_publish_json(struct store *s, const struct audit_actor *actor, const struct csaf_config *cfg,
                      const char *data_dir, const char *ref, json_t *body, int64_t now, json_t **out,
                      struct error *err);

/* The step after a publication, once the files are switched: the one place
 * where the Art. 14(8) notification of affected users (issue 10 section 6)
 * hooks in. Its failure does not undo the publication; it is logged and
 * reported in the answer ("after_publish"). */
int csaf_after_publish(struct store *s, const struct audit_actor *actor, const struct csaf_published *p,
                       struct error *err);

/* {"items": [...]}: the revisions of a case's advisory, oldest first
 * (number, status, tlp, summary, published_at, published_by, sha256, sha512,
 * key_fingerprint, url). */
int csaf_revisions_json(struct store *s, const struct csaf_config *cfg, const char *ref, enum csaf_category cat,
                        json_t **out, struct error *err);
/* The exact published bytes of one revision (heap), checked against the
 * recorded SHA-256 (ERROR_DB when they differ: the row was altered). */
int csaf_revision_document(struct store *s, const char *ref, enum csaf_category cat, int64_t number, char **doc,
                           size_t *len, struct error *err);

/* Rewrites the directory files from the rows (staged, switched). */
int csaf_directory_sync(struct store *s, const struct csaf_config *cfg, const char *data_dir, struct error *err);

/* Whether a name may be served from the directory (no path, no leading dot,
 * [A-Za-z0-9._+-], at most 255 bytes). */
bool csaf_file_name_valid(const char *name);

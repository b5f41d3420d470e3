/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/*
 * The public CVD intake (issue 10 section 4; docs/reporting.md, "CVD
 * intake"): anyone may report a vulnerability through cradled's form; the
 * report becomes a case (source cvd, state received) with the acknowledgement
 * and disclosure clocks of [cases], and the reporter gets the case reference
 * and a secret follow-up link through which they read the status and
 * exchange messages with the security team.
 *
 * The follow-up secret is 256 bits from the key-grade generator, shown once
 * as 64 hex digits, stored only as its SHA-256, and compared in constant
 * time against the stored hash of the case the link names. A wrong reference
 * and a wrong secret get the same answer (ERROR_NOT_FOUND), so the link
 * tells nothing about other cases.
 *
 * Reporter text is untrusted: it is stored as given (CRLF made LF) and only
 * ever rendered through cvd_html_escape (html.h) or as JSON strings. An
 * ASCII-armoured OpenPGP message is checked (pgp_armour_check, and it must
 * be encrypted) and stored as is, marked encrypted; the server never holds
 * the key to read it (docs/reporting.md, "CVD intake").
 */
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "audit/audit.h"
#include "core/error.h"
#include "cvd/security-txt.h"
#include "store/store.h"

#define CVD_SECRET_HEX_LEN 64       /* 256 bits */
#define CVD_FIELD_MAX 255           /* title, product, contact, credit (characters) */
#define CVD_REPORT_MAX_DEFAULT 65536
#define CVD_MESSAGE_MAX_DEFAULT 65536

/* The actor of everything a reporter does: no token, no user. */
extern const struct audit_actor cvd_reporter_actor;

struct cvd_report_in {
        const char *title;   /* required */
        const char *details; /* required: text, or an armoured OpenPGP message */
        const char *product, *contact, *credit; /* may be NULL or "" */
};

struct cvd_limits {
        size_t max_report;   /* bytes of details; 0 = CVD_REPORT_MAX_DEFAULT */
        size_t max_message;  /* bytes of a message; 0 = CVD_MESSAGE_MAX_DEFAULT */
        int ack_days, disclosure_days; /* 0 = the case defaults (7, 90) */
};

/* The contact key as the data directory holds it (cradled cvd-key import)
 * and its keyring: public keys only. */
#define CVD_KEY_FILE "cvd/openpgp-key.asc"
#define CVD_GNUPG_DIR "cvd/gnupg"

/* Imports the contact's armoured PUBLIC key into the keyring under
 * data_dir (CVD_GNUPG_DIR, 0700) and writes the armoured export to
 * CVD_KEY_FILE, which cradled serves and security.txt names. A private key
 * is refused (ERROR_INVALID): the server never holds the key that decrypts
 * reports. *fingerprint: 40 hex digits (heap). */
int cvd_contact_key_import(const char *data_dir, const char *armoured, size_t len, char **fingerprint,
                           struct error *err);

/* What cradled serves the intake with ([cvd] and [cases] of cradled.conf). */
struct cvd_settings {
        const char *base_url;            /* "" or NULL = https://<Host> */
        struct cvd_security_txt txt;
        struct cvd_limits limits;
        const char *key_path;            /* the armoured contact key (may not exist) */
};

struct cvd_receipt {
        char reference[32];
        char secret[CVD_SECRET_HEX_LEN + 1]; /* shown once; wipe after use */
};

/* Creates the case, its follow-up secret and the first message (the
 * details) in one transaction, audited ("cvd.report"). Errors name the
 * field: ERROR_INVALID, ERROR_TOO_LARGE. */
int cvd_report_submit(struct store *s, const struct cvd_report_in *in, const struct cvd_limits *lim,
                      struct cvd_receipt *out, struct error *err);

struct cvd_message {
        int64_t id;
        char *author;      /* "reporter" | "team" */
        char *author_name; /* the team member's token (and user); NULL for the reporter */
        char *body;
        bool encrypted;    /* an armoured OpenPGP message, stored as is */
        int64_t created_at;
};
void cvd_messages_free(struct cvd_message *m, size_t n);

/* What the follow-up link shows: the case (its own only) and its messages. */
struct cvd_follow {
        char *reference, *title, *state, *reporter_credit;
        int64_t created_at, ack_due_at, acknowledged_at, disclosure_target_at, disclosed_at;
        struct cvd_message *messages;
        size_t n_messages;
};
void cvd_follow_clear(struct cvd_follow *f);

/* True when text (after leading blanks) starts with the BEGIN line of an
 * armoured OpenPGP message: the intake then takes it for one and checks it. */
bool cvd_looks_armoured(const char *text);
/* The armour is well formed (src/pgp) and the message is encrypted (its
 * first packet is a public-key or symmetric session key): a signed or plain
 * message pasted as "encrypted" is refused. */
int cvd_encrypted_check(const char *text, struct error *err);

/* True when secret (64 hex digits) hashes to stored_sha256 (64 hex digits);
 * the comparison is constant time. */
bool cvd_secret_matches(const char *secret, const char *stored_sha256_hex);

/* Opens the case `reference` with its follow-up secret. Any mismatch (no
 * such case, not a CVD case, wrong secret, malformed secret) is the same
 * ERROR_NOT_FOUND. */
int cvd_follow_open(struct store *s, const char *reference, const char *secret, struct cvd_follow *out,
                    struct error *err);
/* The reporter's message, after the same check; audited ("cvd.message"). */
int cvd_follow_post(struct store *s, const char *reference, const char *secret, const char *body,
                    const struct cvd_limits *lim, struct error *err);

/* The team's side (security officers write, auditors read): a CVD case's
 * messages, and a reply, audited ("cvd.reply") with the actor. */
int cvd_messages_list(struct store *s, const char *ref, struct cvd_message **out, size_t *n, struct error *err);
int cvd_team_reply(struct store *s, const struct audit_actor *actor, const char *ref, const char *body,
                   const struct cvd_limits *lim, struct cvd_message *out, struct error *err);
json_t *cvd_message_to_json(const struct cvd_message *m);
/* {"reference": ..., "items": [...]} */
int cvd_messages_json(struct store *s, const char *ref, json_t **out, struct error *err);

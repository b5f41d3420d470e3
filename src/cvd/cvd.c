/* SPDX-License-Identifier: Apache-2.0 */
#include "cvd.h"

#include <stdlib.h>
#include <string.h>

#include "case/case.h"
#include "core/cleanup.h"
#include "core/strutil.h"
#include "core/time.h"
#include "crypto/ct.h"
#include "crypto/encoding.h"
#include "crypto/hash.h"
#include "crypto/random.h"
#include "form.h"
#include "pgp/pgp.h"
#include "store/store-cvd.h"

#define CVD_SUMMARY_MAX 4000 /* the case summary's limit (the SRP's) */

const struct audit_actor cvd_reporter_actor = { .name = "cvd-intake", .role = "public", .user = NULL };

static const char NOT_FOUND_MSG[] = "no report matches this link (check that it was copied whole)";

static size_t utf8_chars(const char *s) {
        size_t n = 0;
        for (; *s; s++)
                n += ((unsigned char) *s & 0xc0) != 0x80;
        return n;
}

/* Line ends as LF: browsers send CR LF from a textarea. Heap. */
static char *crlf_to_lf(const char *in) {
        size_t len = strlen(in);
        char *out = xmalloc(len + 1), *o = out;
        for (size_t i = 0; i < len; i++) {
                if (in[i] == '\r') {
                        *o++ = '\n';
                        if (in[i + 1] == '\n')
                                i++;
                } else {
                        *o++ = in[i];
                }
        }
        *o = 0;
        return out;
}

/* One reporter field: valid UTF-8, no control characters (TAB and LF too
 * when multiline), at most max_chars characters. */
static int field_check(const char *field, const char *v, size_t max_chars, bool required, bool multiline,
                       struct error *err) {
        if (!v || !*v)
                return required ? error_set(err, ERROR_INVALID, "%s: is required", field) : 0;
        size_t len = strlen(v);
        if (!cvd_utf8_valid(v, len))
                return error_set(err, ERROR_INVALID, "%s: not valid UTF-8", field);
        for (size_t i = 0; i < len; i++) {
                unsigned char c = (unsigned char) v[i];
                if ((c < 0x20 || c == 0x7f) && !(multiline && (c == '\n' || c == '\t')))
                        return error_set(err, ERROR_INVALID, "%s: contains a control character%s", field,
                                         multiline ? "" : " (it is one line)");
        }
        if (max_chars && utf8_chars(v) > max_chars)
                return error_set(err, ERROR_INVALID, "%s: longer than %zu characters", field, max_chars);
        return 0;
}

/* A message body: required, at most max bytes, text or an armoured
 * OpenPGP message (checked). *out is the body with LF line ends. */
static int body_check(const char *field, const char *raw, size_t max, char **out, bool *encrypted,
                      struct error *err) {
        if (!raw || !*raw)
                return error_set(err, ERROR_INVALID, "%s: is required", field);
        if (strlen(raw) > max)
                return error_set(err, ERROR_TOO_LARGE, "%s: larger than this server accepts (%zu bytes at most); "
                                 "shorten it, or send the rest in a follow-up message", field, max);
        _cleanup_free_ char *b = crlf_to_lf(raw);
        if (field_check(field, b, 0, true, true, err) < 0)
                return -1;
        *encrypted = cvd_looks_armoured(b);
        if (*encrypted && cvd_encrypted_check(b, err) < 0)
                return error_prefix(err, "%s: ", field);
        *out = steal_ptr(b);
        return 0;
}

bool cvd_looks_armoured(const char *text) {
        if (!text)
                return false;
        while (*text == ' ' || *text == '\t' || *text == '\r' || *text == '\n')
                text++;
        return str_startswith(text, "-----BEGIN PGP MESSAGE-----");
}

int cvd_encrypted_check(const char *text, struct error *err) {
        struct pgp_armour_info info = {0};
        if (pgp_armour_check(text, strlen(text), PGP_ARMOUR_MESSAGE, &info, err) < 0)
                return -1;
        if (!info.encrypted)
                return error_set(err, ERROR_INVALID, "OpenPGP message: not encrypted (its first packet is tag %u, "
                                 "not an encrypted session key): encrypt it to the contact key", info.first_tag);
        return 0;
}

bool cvd_secret_matches(const char *secret, const char *stored_sha256_hex) {
        if (!secret || !stored_sha256_hex || strlen(secret) != CVD_SECRET_HEX_LEN ||
            strlen(stored_sha256_hex) != SHA256_LEN * 2)
                return false;
        uint8_t got[SHA256_LEN], want[SHA256_LEN];
        hash_sha256(secret, CVD_SECRET_HEX_LEN, got);
        if (hex_decode(stored_sha256_hex, want, sizeof(want), NULL) < 0)
                return false;
        return ct_equal(got, want, SHA256_LEN);
}

static bool secret_well_formed(const char *s) {
        if (!s || strlen(s) != CVD_SECRET_HEX_LEN)
                return false;
        for (size_t i = 0; i < CVD_SECRET_HEX_LEN; i++)
                if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
                        return false;
        return true;
}

static size_t lim_report(const struct cvd_limits *l) {
        return l && l->max_report ? l->max_report : CVD_REPORT_MAX_DEFAULT;
}

static size_t lim_message(const struct cvd_limits *l) {
        return l && l->max_message ? l->max_message : CVD_MESSAGE_MAX_DEFAULT;
}

/* The case summary: the product line and the start of the report, cut at a
 * character boundary within CVD_SUMMARY_MAX characters. Heap. */
static char *summary_of(const char *product, const char *details, bool encrypted) {
        if (encrypted)
                return str_dup("Encrypted report (OpenPGP): the security team decrypts it offline from the "
                               "case's first CVD message.");
        static const char cut[] = "\n[cut: the whole report is the case's first CVD message]";
        struct buf b = {0};
        if (product && *product)
                buf_appendf(&b, "Product: %s\n\n", product);
        size_t room = CVD_SUMMARY_MAX - utf8_chars(b.data ? b.data : "") - (sizeof(cut) - 1);
        size_t chars = utf8_chars(details);
        if (chars <= room + sizeof(cut) - 1) {
                buf_append(&b, details, strlen(details));
                return buf_steal(&b);
        }
        const char *p = details;
        for (size_t n = 0; *p && n < room; p++)
                if ((((unsigned char) p[1]) & 0xc0) != 0x80)
                        n++;
        buf_append(&b, details, (size_t) (p - details));
        buf_append(&b, cut, sizeof(cut) - 1);
        return buf_steal(&b);
}

int cvd_report_submit(struct store *s, const struct cvd_report_in *in, const struct cvd_limits *lim,
                      struct cvd_receipt *out, struct error *err) {
        memset(out, 0, sizeof(*out));
        _cleanup_free_ char *details = NULL;
        bool encrypted = false;
        if (field_check("title", in->title, CVD_FIELD_MAX, true, false, err) < 0 ||
            field_check("product", in->product, CVD_FIELD_MAX, false, false, err) < 0 ||
            field_check("contact", in->contact, CVD_FIELD_MAX, false, false, err) < 0 ||
            field_check("credit", in->credit, CVD_FIELD_MAX, false, false, err) < 0 ||
            body_check("details", in->details, lim_report(lim), &details, &encrypted, err) < 0)
                return -1;
        uint8_t raw[CVD_SECRET_HEX_LEN / 2];
        if (random_bytes(raw, sizeof(raw), err) < 0)
                return -1;
        hex_encode(raw, sizeof(raw), out->secret);
        ct_wipe(raw, sizeof(raw));
        char secret_hash[SHA256_HEX_LEN];
        hash_sha256_hex(out->secret, CVD_SECRET_HEX_LEN, secret_hash);

        _cleanup_free_ char *summary = summary_of(in->product, details, encrypted);
        const struct case_new n = {
                .kind = CASE_VULNERABILITY,
                .source = CASE_SOURCE_CVD,
                .title = in->title,
                .summary = summary,
                .reporter_credit = in->credit && *in->credit ? in->credit : NULL,
        };
        int64_t now = time_now(), mid;
        struct case_info c = {0};
        _cleanup_free_ char *object = NULL;
        _cleanup_json_ json_t *audit = NULL;
        if (store_tx_begin(s, err) < 0)
                goto wipe;
        if (case_create(s, &cvd_reporter_actor, &n, lim ? lim->ack_days : 0, lim ? lim->disclosure_days : 0, &c,
                        err) < 0)
                goto fail;
        const struct store_cvd_report r = {
                .case_id = c.id, .secret_sha256 = secret_hash, .product = (char *) in->product,
                .contact = (char *) in->contact, .created_at = now,
        };
        const struct store_cvd_message m = {
                .case_id = c.id, .author = "reporter", .body = details, .encrypted = encrypted, .created_at = now,
        };
        if (store_cvd_report_insert(s, &r, err) < 0 || store_cvd_message_insert(s, &m, &mid, err) < 0)
                goto fail;
        object = str_printf("case/%s", c.reference);
        audit = json_pack("{s:s, s:I, s:b, s:b, s:b}", "reference", c.reference, "message_id",
                                                 (json_int_t) mid, "encrypted", encrypted, "contact_given",
                                                 in->contact && *in->contact, "credit_given",
                                                 in->credit && *in->credit);
        if (audit_append(s, &cvd_reporter_actor, "cvd.report", object, audit, err) < 0 ||
            store_tx_commit(s, err) < 0)
                goto fail;
        snprintf(out->reference, sizeof(out->reference), "%s", c.reference);
        case_info_free(&c);
        return 0;
fail:
        store_tx_rollback(s);
        case_info_free(&c);
wipe:
        ct_wipe(out->secret, sizeof(out->secret));
        return -1;
}

void cvd_messages_free(struct cvd_message *m, size_t n) {
        for (size_t i = 0; m && i < n; i++) {
                free(m[i].author);
                free(m[i].author_name);
                free(m[i].body);
        }
        free(m);
}

void cvd_follow_clear(struct cvd_follow *f) {
        free(f->reference);
        free(f->title);
        free(f->state);
        free(f->reporter_credit);
        cvd_messages_free(f->messages, f->n_messages);
        memset(f, 0, sizeof(*f));
}

static int messages_load(struct store *s, int64_t case_id, struct cvd_message **out, size_t *n, struct error *err) {
        struct store_cvd_message *rows = NULL;
        size_t k = 0;
        if (store_cvd_messages(s, case_id, &rows, &k, err) < 0)
                return -1;
        struct cvd_message *m = k ? xcalloc(k, sizeof(*m)) : NULL;
        for (size_t i = 0; i < k; i++) {
                m[i] = (struct cvd_message) {
                        .id = rows[i].id, .author = steal_ptr(rows[i].author),
                        .author_name = steal_ptr(rows[i].author_name), .body = steal_ptr(rows[i].body),
                        .encrypted = rows[i].encrypted, .created_at = rows[i].created_at,
                };
        }
        store_cvd_messages_free(rows, k);
        *out = m;
        *n = k;
        return 0;
}

/* The case a follow-up link names, if the secret is its own. Every
 * mismatch is the same ERROR_NOT_FOUND. */
static int follow_check(struct store *s, const char *reference, const char *secret, struct case_info *c,
                        struct error *err) {
        memset(c, 0, sizeof(*c));
        struct error e = {0};
        if (!reference || !secret_well_formed(secret))
                return error_set(err, ERROR_NOT_FOUND, NOT_FOUND_MSG);
        if (case_get(s, reference, c, &e) < 0) {
                if (e.kind != ERROR_NOT_FOUND && e.kind != ERROR_INVALID) {
                        if (err)
                                *err = e;
                        return -1;
                }
                return error_set(err, ERROR_NOT_FOUND, NOT_FOUND_MSG);
        }
        struct store_cvd_report r = {0};
        if (c->source != CASE_SOURCE_CVD || store_cvd_report_get(s, c->id, &r, &e) < 0) {
                case_info_free(c);
                if (e.kind && e.kind != ERROR_NOT_FOUND) {
                        if (err)
                                *err = e;
                        return -1;
                }
                return error_set(err, ERROR_NOT_FOUND, NOT_FOUND_MSG);
        }
        bool ok = cvd_secret_matches(secret, r.secret_sha256);
        store_cvd_report_clear(&r);
        if (!ok) {
                case_info_free(c);
                return error_set(err, ERROR_NOT_FOUND, NOT_FOUND_MSG);
        }
        return 0;
}

int cvd_follow_open(struct store *s, const char *reference, const char *secret, struct cvd_follow *out,
                    struct error *err) {
        memset(out, 0, sizeof(*out));
        struct case_info c;
        if (follow_check(s, reference, secret, &c, err) < 0)
                return -1;
        *out = (struct cvd_follow) {
                .reference = steal_ptr(c.reference), .title = steal_ptr(c.title),
                .state = str_dup(case_state_name(c.state)), .reporter_credit = steal_ptr(c.reporter_credit),
                .created_at = c.created_at, .ack_due_at = c.ack_due_at, .acknowledged_at = c.acknowledged_at,
                .disclosure_target_at = c.disclosure_target_at, .disclosed_at = c.disclosed_at,
        };
        int rc = messages_load(s, c.id, &out->messages, &out->n_messages, err);
        case_info_free(&c);
        if (rc < 0)
                cvd_follow_clear(out);
        return rc;
}

/* Records one message of a CVD case in one transaction, audited. */
static int message_add(struct store *s, const struct audit_actor *actor, const struct case_info *c,
                       const char *author, const char *author_name, const char *body, bool encrypted,
                       const char *action, struct cvd_message *out, struct error *err) {
        int64_t now = time_now(), id;
        const struct store_cvd_message m = {
                .case_id = c->id, .author = (char *) author, .author_name = (char *) author_name,
                .body = (char *) body, .encrypted = encrypted, .created_at = now,
        };
        _cleanup_free_ char *object = str_printf("case/%s", c->reference);
        _cleanup_json_ json_t *d = NULL;
        if (store_tx_begin(s, err) < 0)
                return -1;
        if (store_cvd_message_insert(s, &m, &id, err) < 0)
                goto fail;
        d = json_pack("{s:I, s:s, s:b}", "message_id", (json_int_t) id, "author", author,
                                             "encrypted", encrypted);
        if (case_timeline_append(s, c->id, actor, action, d, err) < 0 ||
            audit_append(s, actor, action, object, d, err) < 0 || store_tx_commit(s, err) < 0)
                goto fail;
        if (out)
                *out = (struct cvd_message) {
                        .id = id, .author = str_dup(author), .author_name = str_dup(author_name),
                        .body = str_dup(body), .encrypted = encrypted, .created_at = now,
                };
        return 0;
fail:
        store_tx_rollback(s);
        return -1;
}

int cvd_follow_post(struct store *s, const char *reference, const char *secret, const char *body,
                    const struct cvd_limits *lim, struct error *err) {
        struct case_info c;
        if (follow_check(s, reference, secret, &c, err) < 0)
                return -1;
        _cleanup_free_ char *text = NULL;
        bool encrypted = false;
        int rc = body_check("message", body, lim_message(lim), &text, &encrypted, err);
        if (rc == 0)
                rc = message_add(s, &cvd_reporter_actor, &c, "reporter", NULL, text, encrypted, "cvd.message", NULL,
                                 err);
        case_info_free(&c);
        return rc;
}

/* A case of the intake, for the team: ERROR_NOT_FOUND names it, a case from
 * elsewhere is ERROR_CONFLICT (it has no reporter to talk to). */
static int team_case(struct store *s, const char *ref, struct case_info *c, struct error *err) {
        if (case_get(s, ref, c, err) < 0)
                return -1;
        struct store_cvd_report r = {0};
        if (c->source != CASE_SOURCE_CVD || store_cvd_report_get(s, c->id, &r, NULL) < 0) {
                error_set(err, ERROR_CONFLICT, "case %s: did not come through the CVD intake (no reporter to "
                          "exchange messages with)", c->reference);
                case_info_free(c);
                return -1;
        }
        store_cvd_report_clear(&r);
        return 0;
}

int cvd_messages_list(struct store *s, const char *ref, struct cvd_message **out, size_t *n, struct error *err) {
        struct case_info c;
        *out = NULL;
        *n = 0;
        if (team_case(s, ref, &c, err) < 0)
                return -1;
        int rc = messages_load(s, c.id, out, n, err);
        case_info_free(&c);
        return rc;
}

int cvd_team_reply(struct store *s, const struct audit_actor *actor, const char *ref, const char *body,
                   const struct cvd_limits *lim, struct cvd_message *out, struct error *err) {
        struct case_info c;
        if (team_case(s, ref, &c, err) < 0)
                return -1;
        _cleanup_free_ char *text = NULL, *who = NULL;
        bool encrypted = false;
        int rc = body_check("message", body, lim_message(lim), &text, &encrypted, err);
        if (rc == 0) {
                who = actor && actor->user ? str_printf("%s (%s)", actor->user, actor->name)
                                           : str_dup(actor && actor->name ? actor->name : "system");
                rc = message_add(s, actor, &c, "team", who, text, encrypted, "cvd.reply", out, err);
        }
        case_info_free(&c);
        return rc;
}

json_t *cvd_message_to_json(const struct cvd_message *m) {
        char t[TIME_RFC3339_LEN];
        time_format_rfc3339(m->created_at, t);
        return json_pack("{s:I, s:s, s:s?, s:s, s:b, s:s}", "id", (json_int_t) m->id, "author", m->author,
                         "author_name", m->author_name, "body", m->body, "encrypted", m->encrypted, "created_at", t);
}

int cvd_messages_json(struct store *s, const char *ref, json_t **out, struct error *err) {
        struct cvd_message *m = NULL;
        size_t n = 0;
        struct case_info c;
        if (team_case(s, ref, &c, err) < 0)
                return -1;
        if (messages_load(s, c.id, &m, &n, err) < 0) {
                case_info_free(&c);
                return -1;
        }
        json_t *items = json_array();
        for (size_t i = 0; i < n; i++)
                json_array_append_new(items, cvd_message_to_json(&m[i]));
        cvd_messages_free(m, n);
        *out = json_pack("{s:s, s:o}", "reference", c.reference, "items", items);
        case_info_free(&c);
        return 0;
}

/* SPDX-License-Identifier: Apache-2.0 */
/* Applies a parsed VEX document to a release's findings, all or nothing. */
#include <string.h>

#include "core/cleanup.h"
#include "core/strutil.h"
#include "store/store-vex.h"
#include "vex/vex-release.h"
#include "vuln/finding.h"

#define VEX_UNMATCHED_LIST_MAX 100
#define VEX_RELEASES_PER_PURL_MAX 1000
/* finding_set_state takes a reason of at most 1000 bytes without control
 * characters: the document's detail is cut to fit, on a UTF-8 boundary. */
#define VEX_REASON_MAX 1000

void vex_import_result_clear(struct vex_import_result *r) {
        json_decref(r->unmatched_list);
        memset(r, 0, sizeof(*r));
}

json_t *vex_import_result_to_json(const struct vex_import_result *r) {
        return json_pack("{s:s, s:I, s:I, s:I, s:I, s:O}", "format", vex_format_name(r->format), "statements",
                         (json_int_t) r->statements, "applied", (json_int_t) r->applied, "unchanged",
                         (json_int_t) r->unchanged, "unmatched", (json_int_t) r->unmatched, "unmatched_statements",
                         r->unmatched_list ? r->unmatched_list : json_array());
}

/* What one import has set so far: two statements must not disagree. */
struct applied {
        int64_t finding;
        const struct vex_statement *by;
};

struct import_ctx {
        struct store *s;
        const struct audit_actor *actor;
        const struct vex_document *doc;
        const char *doc_name;
        struct vex_import_result *res;
        struct applied *seen;
        size_t n_seen;
};

static void unmatched(struct import_ctx *c, const struct vex_statement *st, const struct vex_product *p,
                      const char *reason) {
        c->res->unmatched++;
        if (json_array_size(c->res->unmatched_list) >= VEX_UNMATCHED_LIST_MAX)
                return;
        json_array_append_new(c->res->unmatched_list,
                              json_pack("{s:s, s:s, s:s?, s:s?, s:s}", "statement", st->where, "vulnerability",
                                        st->vuln, "ref", p->ref, "purl", p->purl, "reason", reason));
}

static bool same_fields(const struct vex_statement *a, const struct vex_statement *b) {
        return a->state == b->state && a->justification == b->justification &&
               (a->state != FINDING_AFFECTED || str_eq(a->action, b->action));
}

/* Looks up the finding of (release, any id of the statement, ref or purl).
 * by_purl_only: the release was found by the purl, so a bom-ref (which may
 * name another component there) is not used. */
static int find_one(struct import_ctx *c, int64_t release, bool by_purl_only, const struct vex_statement *st,
                    const struct vex_product *p, int64_t *fid, struct error *err) {
        const char *keys[2] = {by_purl_only ? NULL : p->ref,
                               str_eq(p->purl, p->ref) && !by_purl_only ? NULL : p->purl};
        for (size_t a = 0; a <= st->n_aliases; a++) {
                const char *vid = a == 0 ? st->vuln : st->aliases[a - 1];
                for (size_t k = 0; k < 2; k++) {
                        if (!keys[k])
                                continue;
                        struct error e = {0};
                        if (finding_find(c->s, release, vid, keys[k], fid, &e) == 0)
                                return 1;
                        if (e.kind != ERROR_NOT_FOUND) {
                                if (err)
                                        *err = e;
                                return -1;
                        }
                }
        }
        return 0;
}

static int apply_one(struct import_ctx *c, int64_t fid, const struct vex_statement *st, struct error *err) {
        for (size_t i = 0; i < c->n_seen; i++) {
                if (c->seen[i].finding != fid)
                        continue;
                if (!same_fields(c->seen[i].by, st))
                        return error_set(err, ERROR_INVALID,
                                         "%s: %s and %s give finding %lld different states (%s, %s)", c->doc_name,
                                         c->seen[i].by->where, st->where, (long long) fid,
                                         vex_cradle_state_name(c->seen[i].by->state), vex_cradle_state_name(st->state));
                c->res->unchanged++; /* the same statement twice */
                return 0;
        }
        c->seen = xrealloc(c->seen, (c->n_seen + 1) * sizeof(*c->seen));
        c->seen[c->n_seen++] = (struct applied){fid, st};

        _cleanup_free_ char *state = NULL, *just = NULL, *action = NULL;
        if (store_vex_finding_state(c->s, fid, &state, &just, &action, err) < 0)
                return -1;
        enum finding_state cur;
        enum finding_justification curj = FINDING_JUST_NONE;
        if (vex_cradle_state_in(state, &cur) == 0 && (!just || vex_cradle_justification_in(just, &curj) == 0) &&
            cur == st->state && curj == st->justification &&
            (st->state != FINDING_AFFECTED || str_eq(action, st->action))) {
                c->res->unchanged++;
                return 0;
        }
        struct buf reason = {0};
        buf_appendf(&reason, "VEX %s %s", vex_format_name(c->doc->format), c->doc_name);
        if (c->doc->id)
                buf_appendf(&reason, " (%s)", c->doc->id);
        buf_appendf(&reason, " %s", st->where);
        if (st->detail && *st->detail)
                buf_appendf(&reason, ": %s", st->detail);
        _cleanup_free_ char *reason_text = buf_steal(&reason);
        size_t len = strlen(reason_text);
        if (len > VEX_REASON_MAX) {
                len = VEX_REASON_MAX;
                while (len > 0 && ((unsigned char) reason_text[len] & 0xC0) == 0x80)
                        len--;
                reason_text[len] = '\0';
        }
        for (char *q = reason_text; *q; q++)
                if ((unsigned char) *q < 0x20 && *q != '\n' && *q != '\t')
                        *q = ' ';
        struct finding_state_change ch = {
                .state = st->state,
                .justification = st->state == FINDING_NOT_AFFECTED ? st->justification : FINDING_JUST_NONE,
                .action_statement = st->state == FINDING_AFFECTED ? st->action : NULL,
                .reason = reason_text,
        };
        if (finding_set_state(c->s, c->actor, fid, &ch, err) < 0)
                return error_prefix(err, "%s: %s: ", c->doc_name, st->where);
        c->res->applied++;
        return 0;
}

static int import_statement(struct import_ctx *c, int64_t release_id, const struct vex_statement *st,
                            struct error *err) {
        for (size_t i = 0; i < st->n_products; i++) {
                const struct vex_product *p = &st->products[i];
                _cleanup_free_ int64_t *releases = NULL;
                size_t n_rel = 0;
                int64_t one = release_id;
                const int64_t *rel = &one;
                if (release_id > 0) {
                        n_rel = 1;
                } else if (p->purl) {
                        if (store_vex_releases_with_purl(c->s, p->purl, &releases, &n_rel, VEX_RELEASES_PER_PURL_MAX,
                                                         err) < 0)
                                return -1;
                        rel = releases;
                } else {
                        unmatched(c, st, p, "names its component by bom-ref only; a bom-ref is only unique inside "
                                            "one release: import with a release");
                        continue;
                }
                bool matched = false;
                for (size_t r = 0; r < n_rel; r++) {
                        int64_t fid;
                        int found = find_one(c, rel[r], release_id == 0, st, p, &fid, err);
                        if (found < 0)
                                return -1;
                        if (found == 0)
                                continue;
                        matched = true;
                        if (apply_one(c, fid, st, err) < 0)
                                return -1;
                }
                if (!matched)
                        unmatched(c, st, p,
                                  n_rel ? "no finding of this vulnerability (by any of its ids) on this component"
                                        : "no release carries a component with this purl");
        }
        return 0;
}

int vex_import(struct store *s, const struct audit_actor *actor, const struct vex_document *doc,
               const char *doc_name, int64_t release_id, struct vex_import_result *out, struct error *err) {
        memset(out, 0, sizeof(*out));
        out->format = doc->format;
        out->statements = doc->n_statements;
        if (release_id > 0) {
                struct store_vex_release rel;
                if (store_vex_release_get(s, release_id, &rel, err) < 0)
                        return -1;
                store_vex_release_clear(&rel);
        }
        out->unmatched_list = json_array();
        if (store_tx_begin(s, err) < 0)
                return -1;
        struct import_ctx c = {s, actor, doc, doc_name, out, NULL, 0};
        int r = 0;
        for (size_t i = 0; i < doc->n_statements && r == 0; i++)
                r = import_statement(&c, release_id, &doc->statements[i], err);
        free(c.seen);
        if (r == 0) {
                _cleanup_free_ char *object = release_id > 0 ? str_printf("release/%lld", (long long) release_id)
                                                             : str_dup("vex");
                _cleanup_json_ json_t *details =
                        json_pack("{s:s, s:s, s:s?, s:I, s:I, s:I, s:I}", "document", doc_name, "format",
                                  vex_format_name(doc->format), "document_id", doc->id, "statements",
                                  (json_int_t) out->statements, "applied", (json_int_t) out->applied, "unchanged",
                                  (json_int_t) out->unchanged, "unmatched", (json_int_t) out->unmatched);
                r = audit_append(s, actor, "vex.import", object, details, err);
        }
        if (r == 0)
                r = store_tx_commit(s, err);
        if (r < 0) {
                store_tx_rollback(s);
                vex_import_result_clear(out);
                return -1;
        }
        return 0;
}

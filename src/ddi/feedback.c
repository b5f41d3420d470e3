/* SPDX-License-Identifier: Apache-2.0 */
/*
 * DDI feedback: the lenient parser, the mapping onto the update history, and
 * applying it through the director's report path.
 *
 * Mapping (docs/ddi.md, "Feedback"):
 *   closed + success          success (security version: the action's release);
 *                             but a report whose details say "Skipped Update."
 *                             (suricatta's answer to update=skip) is recorded
 *                             as rejected: nothing was installed
 *   closed + failure          failure, reason = the detail lines joined
 *   closed + none             400: a closed action needs a result
 *   canceled                  canceled          rejected    rejected
 *   proceeding, scheduled, resumed, download, downloaded:
 *     installing when execution is "downloaded" or progress says a part is
 *     done (of >= 1 and cnt >= 1), else downloading
 * cancelAction feedback: closed + success or canceled -> canceled (the
 * action closes "canceled"); rejected or closed + failure: the device
 * refuses to cancel, audited, the action stays canceling; anything else is
 * acknowledged and not recorded.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "audit/audit.h"
#include "core/cleanup.h"
#include "core/json.h"
#include "core/strutil.h"
#include "core/time.h"
#include "ddi/ddi.h"
#include "director/action.h"
#include "director/device-status.h"
#include "director/offer.h"
#include "store/store-ddi.h"
#include "store/store-identity.h"

#define DDI_REASON_MAX 1024
#define DDI_SKIPPED "Skipped Update."

static const char *const exec_names[] = {
        [DDI_EXEC_CLOSED] = "closed",       [DDI_EXEC_PROCEEDING] = "proceeding", [DDI_EXEC_CANCELED] = "canceled",
        [DDI_EXEC_SCHEDULED] = "scheduled", [DDI_EXEC_REJECTED] = "rejected",     [DDI_EXEC_RESUMED] = "resumed",
        [DDI_EXEC_DOWNLOAD] = "download",   [DDI_EXEC_DOWNLOADED] = "downloaded",
};
static const char *const finished_names[] = {
        [DDI_FINISHED_NONE] = "none", [DDI_FINISHED_SUCCESS] = "success", [DDI_FINISHED_FAILURE] = "failure",
};

static int enum_lookup(const char *field, const char *v, const char *const *names, size_t n, const char *list,
                       int *out, struct error *err) {
        for (size_t i = 0; i < n; i++)
                if (str_eq(names[i], v)) {
                        *out = (int) i;
                        return 0;
                }
        char safe[40];
        str_sanitize(v, strlen(v), safe, sizeof(safe));
        return error_set(err, ERROR_INVALID, "field '%s': '%s' is not one of %s", field, safe, list);
}

/* A non-negative integer given as a number (or, for "id", a digit string). */
static int int_field(const char *field, json_t *v, bool string_ok, int64_t *out, bool *present, struct error *err) {
        *present = false;
        if (!v || json_is_null(v))
                return 0;
        if (json_is_integer(v)) {
                if (json_integer_value(v) < 0)
                        return error_set(err, ERROR_INVALID, "field '%s': must not be negative", field);
                *out = json_integer_value(v);
                *present = true;
                return 0;
        }
        if (string_ok && json_is_string(v)) {
                const char *s = json_string_value(v);
                if (!*s)
                        return 0; /* suricatta's configData sends "id": "" */
                int64_t n = 0;
                for (const char *p = s; *p; p++) {
                        if (*p < '0' || *p > '9' || p - s >= 18)
                                return error_set(err, ERROR_INVALID,
                                                 "field '%s': expected an action id (a number or a string of digits)",
                                                 field);
                        n = n * 10 + (*p - '0');
                }
                *out = n;
                *present = true;
                return 0;
        }
        return error_set(err, ERROR_INVALID, "field '%s': expected %s", field,
                         string_ok ? "a number or a string of digits" : "a non-negative integer");
}

int ddi_feedback_check(json_t *doc, const struct ddi_config *cfg, struct ddi_feedback_doc *out, struct error *err) {
        struct ddi_config dflt;
        if (!cfg) {
                ddi_config_defaults(&dflt);
                cfg = &dflt;
        }
        memset(out, 0, sizeof(*out));
        if (!json_is_object(doc))
                return error_set(err, ERROR_INVALID, "feedback: must be a JSON object");
        /* Unknown members are ignored (clients add their own, as hawkBit's
         * own model does); the ones DDI defines are checked. */
        if (int_field("id", json_object_get(doc, "id"), true, &out->id, &out->has_id, err) < 0)
                return -1;
        json_t *time = json_object_get(doc, "time");
        if (time && !json_is_string(time) && !json_is_null(time))
                return error_set(err, ERROR_INVALID, "field 'time': expected a string");
        json_t *status = json_object_get(doc, "status");
        if (!json_is_object(status))
                return error_set(err, ERROR_INVALID, "field 'status': %s",
                                 status ? "expected an object" : "is required");
        json_t *exec = json_object_get(status, "execution");
        if (!json_is_string(exec))
                return error_set(err, ERROR_INVALID, "field 'status.execution': %s",
                                 exec ? "expected a string" : "is required");
        int e = 0;
        if (enum_lookup("status.execution", json_string_value(exec), exec_names, ELEMENTSOF(exec_names),
                        "closed, proceeding, canceled, scheduled, rejected, resumed, download, downloaded", &e,
                        err) < 0)
                return -1;
        out->execution = (enum ddi_execution) e;
        json_t *result = json_object_get(status, "result");
        out->finished = DDI_FINISHED_NONE;
        if (result && !json_is_null(result)) {
                if (!json_is_object(result))
                        return error_set(err, ERROR_INVALID, "field 'status.result': expected an object");
                json_t *fin = json_object_get(result, "finished");
                if (fin && !json_is_null(fin)) {
                        if (!json_is_string(fin))
                                return error_set(err, ERROR_INVALID, "field 'status.result.finished': expected a string");
                        int f = 0;
                        if (enum_lookup("status.result.finished", json_string_value(fin), finished_names,
                                        ELEMENTSOF(finished_names), "success, failure, none", &f, err) < 0)
                                return -1;
                        out->finished = (enum ddi_finished) f;
                }
                json_t *progress = json_object_get(result, "progress");
                if (progress && !json_is_null(progress)) {
                        bool have_cnt, have_of;
                        if (!json_is_object(progress))
                                return error_set(err, ERROR_INVALID, "field 'status.result.progress': expected an object");
                        if (int_field("status.result.progress.cnt", json_object_get(progress, "cnt"), false, &out->cnt,
                                      &have_cnt, err) < 0 ||
                            int_field("status.result.progress.of", json_object_get(progress, "of"), false, &out->of,
                                      &have_of, err) < 0)
                                return -1;
                        out->has_progress = have_cnt || have_of;
                }
        }
        json_t *code = json_object_get(status, "code");
        if (code && !json_is_integer(code) && !json_is_null(code))
                return error_set(err, ERROR_INVALID, "field 'status.code': expected an integer");
        json_t *details = json_object_get(status, "details");
        if (details && !json_is_null(details)) {
                if (!json_is_array(details))
                        return error_set(err, ERROR_INVALID, "field 'status.details': expected an array of strings");
                size_t n = json_array_size(details);
                if ((int64_t) n > cfg->feedback_lines_max)
                        return error_set(err, ERROR_TOO_LARGE,
                                         "field 'status.details': %zu lines; at most %lld in one feedback ([ddi] "
                                         "feedback_lines_max)",
                                         n, (long long) cfg->feedback_lines_max);
                for (size_t i = 0; i < n; i++) {
                        json_t *line = json_array_get(details, i);
                        if (!json_is_string(line))
                                return error_set(err, ERROR_INVALID, "field 'status.details' line %zu: expected a string",
                                                 i + 1);
                        if ((int64_t) json_string_length(line) > cfg->feedback_line_max)
                                return error_set(err, ERROR_TOO_LARGE,
                                                 "field 'status.details' line %zu: %zu bytes; at most %lld ([ddi] "
                                                 "feedback_line_max)",
                                                 i + 1, json_string_length(line), (long long) cfg->feedback_line_max);
                }
                out->details = details;
                out->n_details = n;
        }
        if (out->execution == DDI_EXEC_CLOSED && out->finished == DDI_FINISHED_NONE)
                return error_set(err, ERROR_INVALID,
                                 "field 'status.result.finished': a closed action needs 'success' or 'failure'");
        return 0;
}

static bool details_say_skipped(const struct ddi_feedback_doc *f) {
        for (size_t i = 0; i < f->n_details; i++) {
                const char *line = json_string_value(json_array_get(f->details, i));
                while (line && (*line == ' ' || *line == '\t'))
                        line++;
                if (line && strncmp(line, DDI_SKIPPED, strlen(DDI_SKIPPED)) == 0)
                        return true;
        }
        return false;
}

/* The detail lines as one reason: joined with " | ", control characters
 * escaped, at most DDI_REASON_MAX bytes. */
static char *details_reason(const struct ddi_feedback_doc *f, const char *fallback) {
        struct buf b = {0};
        for (size_t i = 0; i < f->n_details; i++) {
                const char *line = json_string_value(json_array_get(f->details, i));
                if (!line || !*line || str_eq(line, " "))
                        continue;
                if (b.len)
                        buf_appendf(&b, " | ");
                buf_appendf(&b, "%s", line);
                if (b.len > 4 * DDI_REASON_MAX)
                        break;
        }
        _cleanup_free_ char *joined = b.data ? buf_steal(&b) : NULL;
        return ddi_text_escape(joined ? joined : fallback, DDI_REASON_MAX);
}

void ddi_feedback_map(const struct ddi_feedback_doc *f, enum ddi_feedback_kind kind,
                      struct ddi_feedback_mapping *out) {
        memset(out, 0, sizeof(*out));
        if (kind == DDI_FEEDBACK_CANCEL) {
                if ((f->execution == DDI_EXEC_CLOSED && f->finished == DDI_FINISHED_SUCCESS) ||
                    f->execution == DDI_EXEC_CANCELED) {
                        out->stage = out->result = "canceled";
                        out->reason = details_reason(f, "the device confirmed the cancel");
                        out->closes = true;
                }
                return;
        }
        switch (f->execution) {
        case DDI_EXEC_CLOSED:
                if (f->finished == DDI_FINISHED_SUCCESS && details_say_skipped(f)) {
                        out->stage = out->result = "rejected";
                        out->reason = str_dup("the device skipped the update (\"" DDI_SKIPPED "\"): nothing was "
                                              "installed");
                } else if (f->finished == DDI_FINISHED_SUCCESS) {
                        out->stage = out->result = "success";
                } else {
                        out->stage = out->result = "failure";
                        out->reason = details_reason(f, "the device reported a failure without details");
                }
                out->closes = true;
                return;
        case DDI_EXEC_CANCELED:
                out->stage = out->result = "canceled";
                out->reason = details_reason(f, "the device canceled the update");
                out->closes = true;
                return;
        case DDI_EXEC_REJECTED:
                out->stage = out->result = "rejected";
                out->reason = details_reason(f, "the device rejected the update");
                out->closes = true;
                return;
        case DDI_EXEC_DOWNLOADED:
                out->stage = "installing";
                break;
        case DDI_EXEC_PROCEEDING:
        case DDI_EXEC_SCHEDULED:
        case DDI_EXEC_RESUMED:
        case DDI_EXEC_DOWNLOAD:
                out->stage = f->has_progress && f->of >= 1 && f->cnt >= 1 ? "installing" : "downloading";
                break;
        }
        out->result = "in-progress";
}

static int64_t ddi_now(const struct ddi_ctx *c) {
        return c->now ? c->now : time_now();
}

/* The first lines of a report, escaped and cut, for the audit entry (the
 * rest are counted against the quota only). */
static json_t *details_excerpt(const struct ddi_feedback_doc *f) {
        json_t *a = json_array();
        for (size_t i = 0; i < f->n_details && i < 8; i++) {
                _cleanup_free_ char *line = ddi_text_escape(json_string_value(json_array_get(f->details, i)), 256);
                json_array_append_new(a, json_string(line));
        }
        return a;
}

static inline void offer_clearp(struct director_offer *o) { director_offer_clear(o); }

static int feedback_apply(struct ddi_ctx *c, const struct store_device *d, int64_t action_id,
                          enum ddi_feedback_kind kind, const struct ddi_feedback_doc *f, json_t **out,
                          struct error *err) {
        const struct ddi_config *cfg = c->cfg;
        struct store *s = c->store;
        __attribute__((cleanup(offer_clearp))) struct director_offer act = {0};
        struct ddi_feedback_mapping m;
        ddi_feedback_map(f, kind, &m);
        _cleanup_free_ char *reason = m.reason;
        _cleanup_json_ json_t *extra = NULL;
        int64_t now = ddi_now(c);
        if (store_tx_begin(s, err) < 0)
                return -1;
        if (director_offer_action(s, d, action_id, &act, err) < 0)
                goto fail;
        bool active = str_eq(act.status, DIRECTOR_ACTION_OPEN) || str_eq(act.status, DIRECTOR_ACTION_CANCELING);
        if (!active) {
                error_set(err, ERROR_GONE, "update action %lld is closed (%s); its feedback is no longer recorded",
                          (long long) action_id, act.status);
                goto fail;
        }
        if (kind == DDI_FEEDBACK_CANCEL && !str_eq(act.status, DIRECTOR_ACTION_CANCELING)) {
                error_set(err, ERROR_CONFLICT, "update action %lld is not being canceled; send its feedback to "
                          "deploymentBase/%lld/feedback", (long long) action_id, (long long) action_id);
                goto fail;
        }
        int64_t n_feedback, n_lines;
        if (store_ddi_quota_get(s, action_id, &n_feedback, &n_lines, err) < 0)
                goto fail;
        /* Quotas bound what one action can make the server store; a report
         * that closes the action is always taken (losing a success or a
         * failure would be worse than a long log). */
        if (!m.closes && (n_feedback + 1 > cfg->action_feedback_max ||
                          n_lines + (int64_t) f->n_details > cfg->action_lines_max)) {
                error_set(err, ERROR_TOO_LARGE,
                          "update action %lld: quota reached (%lld feedback reports, %lld detail lines; at most %lld "
                          "and %lld: [ddi] action_feedback_max, action_lines_max); only a closing report is taken now",
                          (long long) action_id, (long long) n_feedback, (long long) n_lines,
                          (long long) cfg->action_feedback_max, (long long) cfg->action_lines_max);
                goto fail;
        }
        if (store_ddi_quota_add(s, action_id, 1, (int64_t) f->n_details, err) < 0)
                goto fail;
        extra = json_pack("{s:s, s:s, s:s, s:o}", "via", "ddi", "execution",
                                                 exec_names[f->execution], "finished", finished_names[f->finished],
                                                 "details", details_excerpt(f));
        if (m.stage) {
                const struct director_report r = {
                        .stage = m.stage, .result = m.result, .from_version = d->installed_version,
                        .to_version = act.version,
                        .security_version = str_eq(m.result, "success") ? act.security_version : -1,
                        .reason = reason,
                };
                int64_t applied;
                if (director_report_record(s, d, &r, now, extra, &applied, err) < 0)
                        goto fail;
                if (applied != action_id) {
                        /* The same transaction just read it as active: a broken invariant. */
                        error_set(err, ERROR_INTERNAL, "DDI feedback for action %lld applied to action %lld",
                                  (long long) action_id, (long long) applied);
                        goto fail;
                }
        } else if (kind == DDI_FEEDBACK_CANCEL &&
                   (f->execution == DDI_EXEC_REJECTED || f->finished == DDI_FINISHED_FAILURE)) {
                char actor_name[96], object[96];
                snprintf(actor_name, sizeof(actor_name), "device:%s", d->serial);
                snprintf(object, sizeof(object), "device:%s", d->serial);
                const struct audit_actor actor = { .name = actor_name, .role = "device" };
                json_object_set_new(extra, "action_id", json_integer(action_id));
                if (audit_append(s, &actor, "device.update.cancel-refused", object, extra, err) < 0)
                        goto fail;
        }
        if (store_tx_commit(s, err) < 0)
                return -1;
        *out = json_pack("{s:I, s:s, s:o}", "action_id", (json_int_t) action_id, "execution",
                         exec_names[f->execution], "recorded", m.stage ? json_string(m.stage) : json_null());
        return 0;
fail:
        store_tx_rollback(s);
        return -1;
}

int ddi_feedback(struct ddi_ctx *c, const struct store_device *d, int64_t action_id, enum ddi_feedback_kind kind,
                 const char *body, size_t len, json_t **out, struct error *err) {
        struct ddi_config dflt;
        struct ddi_ctx cc = *c;
        if (!cc.cfg) {
                ddi_config_defaults(&dflt);
                cc.cfg = &dflt;
        }
        *out = NULL;
        _cleanup_json_ json_t *doc = ddi_json_parse("feedback", body, len, err);
        if (!doc)
                return -1;
        struct ddi_feedback_doc f;
        if (ddi_feedback_check(doc, cc.cfg, &f, err) < 0)
                return -1;
        if (f.has_id && f.id != action_id)
                return error_set(err, ERROR_INVALID, "field 'id': %lld is not the action of this URL (%lld)",
                                 (long long) f.id, (long long) action_id);
        return feedback_apply(&cc, d, action_id, kind, &f, out, err);
}

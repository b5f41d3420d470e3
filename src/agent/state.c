/* SPDX-License-Identifier: Apache-2.0 */
#include "agent/state.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/cleanup.h"
#include "core/fileio.h"
#include "core/json.h"
#include "core/log.h"
#include "core/strutil.h"

#define STATE_FORMAT 1
#define MAX_SAFE_INT ((int64_t) 9007199254740991LL)

static const char *const phase_names[_AGENT_PHASE_MAX] = {
        [AGENT_PHASE_IDLE] = "idle",
        [AGENT_PHASE_DOWNLOADING] = "downloading",
        [AGENT_PHASE_INSTALLING] = "installing",
        [AGENT_PHASE_ACTIVATING] = "activating",
        [AGENT_PHASE_AWAITING_REBOOT] = "awaiting-reboot",
        [AGENT_PHASE_CONFIRMING] = "confirming",
        [AGENT_PHASE_ROLLING_BACK] = "rolling-back",
};

const char *agent_phase_name(enum agent_phase p) {
        return p < _AGENT_PHASE_MAX ? phase_names[p] : "?";
}

static json_t *image_to_json(const struct agent_image *im) {
        json_t *o = json_pack("{s:s, s:I, s:s, s:I, s:s}", "version", im->version, "security_version",
                              (json_int_t) im->security_version, "path", im->path, "length",
                              (json_int_t) im->length, "sha256", im->sha256);
        /* Encrypted targets only, so the state of a plain one reads as before. */
        if (o && im->plain_sha256[0]) {
                json_object_set_new(o, "plain_sha256", json_string(im->plain_sha256));
                json_object_set_new(o, "plain_length", json_integer(im->plain_length));
                json_object_set_new(o, "encryption_key", json_string(im->encryption_key));
        }
        return o;
}

json_t *agent_state_to_json(const struct agent_state *st) {
        json_t *o = json_pack("{s:i, s:s, s:o, s:o, s:I, s:I, s:s, s:I, s:s, s:s, s:o}", "format",
                              STATE_FORMAT, "phase", agent_phase_name(st->phase), "current",
                              image_to_json(&st->current), "target", image_to_json(&st->target),
                              "floor", (json_int_t) st->floor, "director_version",
                              (json_int_t) st->director_version, "activated_boot_id",
                              st->activated_boot_id, "boot_attempts", (json_int_t) st->boot_attempts,
                              "failed_sha256", st->failed_sha256, "last_error", st->last_error,
                              "reports", st->reports ? json_incref(st->reports) : json_array());
        return o;
}

static int copy_str(const char *field, json_t *v, char *out, size_t size, struct error *err) {
        const char *s = json_string_value(v);
        if (!s)
                return error_set(err, ERROR_INVALID, "%s: expected a string", field);
        if (strlen(s) >= size)
                return error_set(err, ERROR_INVALID, "%s: longer than %zu bytes", field, size - 1);
        memcpy(out, s, strlen(s) + 1);
        return 0;
}

static int get_int(const char *field, json_t *v, int64_t *out, struct error *err) {
        if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > MAX_SAFE_INT)
                return error_set(err, ERROR_INVALID, "%s: expected a non-negative integer", field);
        *out = json_integer_value(v);
        return 0;
}

static bool sha_ok(const char *s) {
        if (!*s)
                return true;
        if (strlen(s) != 64)
                return false;
        for (const char *p = s; *p; p++)
                if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
                        return false;
        return true;
}

static int image_from_json(const char *what, json_t *o, struct agent_image *im, struct error *err) {
        static const struct cr_json_field fields[] = {
                { "version", CR_JSON_STRING, true, AGENT_VERSION_MAX, false },
                { "security_version", CR_JSON_INTEGER, true, 0, false },
                { "path", CR_JSON_STRING, true, AGENT_TARGET_PATH_MAX, false },
                { "length", CR_JSON_INTEGER, true, 0, false },
                { "sha256", CR_JSON_STRING, true, 64, false },
                { "plain_sha256", CR_JSON_STRING, false, 64, false },
                { "plain_length", CR_JSON_INTEGER, false, 0, false },
                { "encryption_key", CR_JSON_STRING, false, AGENT_ENCRYPTION_KEY_MAX, false },
        };
        if (cr_json_check_object(what, o, fields, ELEMENTSOF(fields), err) < 0)
                return -1;
        if (json_object_get(o, "plain_sha256")) {
                if (copy_str("plain_sha256", json_object_get(o, "plain_sha256"), im->plain_sha256,
                             sizeof(im->plain_sha256), err) < 0 ||
                    get_int("plain_length", json_object_get(o, "plain_length"), &im->plain_length, err) < 0 ||
                    copy_str("encryption_key", json_object_get(o, "encryption_key"), im->encryption_key,
                             sizeof(im->encryption_key), err) < 0)
                        return error_prefix(err, "%s: ", what);
                if (!sha_ok(im->plain_sha256))
                        return error_set(err, ERROR_INVALID, "%s: plain_sha256 is not 64 lowercase hex digits", what);
        }
        if (copy_str("version", json_object_get(o, "version"), im->version, sizeof(im->version), err) < 0 ||
            get_int("security_version", json_object_get(o, "security_version"), &im->security_version,
                    err) < 0 ||
            copy_str("path", json_object_get(o, "path"), im->path, sizeof(im->path), err) < 0 ||
            get_int("length", json_object_get(o, "length"), &im->length, err) < 0 ||
            copy_str("sha256", json_object_get(o, "sha256"), im->sha256, sizeof(im->sha256), err) < 0)
                return error_prefix(err, "%s: ", what);
        if (!sha_ok(im->sha256))
                return error_set(err, ERROR_INVALID, "%s: sha256 is not 64 lowercase hex digits", what);
        return 0;
}

static int state_from_json(json_t *o, struct agent_state *st, struct error *err) {
        static const struct cr_json_field fields[] = {
                { "format", CR_JSON_INTEGER, true, 0, false },
                { "phase", CR_JSON_STRING, true, 32, false },
                { "current", CR_JSON_OBJECT, true, 0, false },
                { "target", CR_JSON_OBJECT, true, 0, false },
                { "floor", CR_JSON_INTEGER, true, 0, false },
                { "director_version", CR_JSON_INTEGER, true, 0, false },
                { "activated_boot_id", CR_JSON_STRING, true, AGENT_BOOT_ID_MAX, false },
                { "boot_attempts", CR_JSON_INTEGER, true, 0, false },
                { "failed_sha256", CR_JSON_STRING, true, 64, false },
                { "last_error", CR_JSON_STRING, true, 511, false },
                { "reports", CR_JSON_ARRAY, true, AGENT_REPORTS_MAX, false },
        };
        const char *phase;
        bool found = false;

        if (cr_json_check_object("state", o, fields, ELEMENTSOF(fields), err) < 0)
                return -1;
        if (json_integer_value(json_object_get(o, "format")) != STATE_FORMAT)
                return error_set(err, ERROR_INVALID, "state: format %" JSON_INTEGER_FORMAT " is not %d",
                                 json_integer_value(json_object_get(o, "format")), STATE_FORMAT);
        phase = json_string_value(json_object_get(o, "phase"));
        for (int p = 0; p < _AGENT_PHASE_MAX; p++)
                if (strcmp(phase, phase_names[p]) == 0) {
                        st->phase = (enum agent_phase) p;
                        found = true;
                }
        if (!found)
                return error_set(err, ERROR_INVALID, "state: unknown phase");
        if (image_from_json("state: current", json_object_get(o, "current"), &st->current, err) < 0 ||
            image_from_json("state: target", json_object_get(o, "target"), &st->target, err) < 0 ||
            get_int("state: floor", json_object_get(o, "floor"), &st->floor, err) < 0 ||
            get_int("state: director_version", json_object_get(o, "director_version"),
                    &st->director_version, err) < 0 ||
            copy_str("state: activated_boot_id", json_object_get(o, "activated_boot_id"),
                     st->activated_boot_id, sizeof(st->activated_boot_id), err) < 0 ||
            get_int("state: boot_attempts", json_object_get(o, "boot_attempts"), &st->boot_attempts,
                    err) < 0 ||
            copy_str("state: failed_sha256", json_object_get(o, "failed_sha256"), st->failed_sha256,
                     sizeof(st->failed_sha256), err) < 0 ||
            copy_str("state: last_error", json_object_get(o, "last_error"), st->last_error,
                     sizeof(st->last_error), err) < 0)
                return -1;
        if (!sha_ok(st->failed_sha256))
                return error_set(err, ERROR_INVALID, "state: failed_sha256 is not a SHA-256");
        if (st->phase != AGENT_PHASE_IDLE && (!st->target.sha256[0] || !st->target.path[0]))
                return error_set(err, ERROR_INVALID, "state: phase %s without a target",
                                 agent_phase_name(st->phase));
        json_t *reports = json_object_get(o, "reports");
        size_t i;
        json_t *r;
        json_array_foreach(reports, i, r) if (!json_is_object(r)) return error_set(
                err, ERROR_INVALID, "state: reports[%zu] is not an object", i);
        st->reports = json_incref(reports);
        return 0;
}

/* The floor file: one decimal number. Unreadable counts as 0 (state.json
 * still has its copy); it is rewritten at the next raise. */
static int64_t floor_file_read(const char *dir) {
        _cleanup_free_ char *path = path_join(dir, AGENT_FLOOR_FILE);
        _cleanup_free_ char *data = NULL;
        size_t len = 0;
        int64_t v = 0;

        if (file_read_all(path, 64, &data, &len, NULL) < 0)
                return 0;
        data[strcspn(data, "\n")] = '\0';
        if (str_to_int64(data, 0, MAX_SAFE_INT, &v) < 0) {
                log_warn("%s: not a number; ignored", path);
                return 0;
        }
        return v;
}

static void state_reset(struct agent_state *st) {
        memset(st, 0, sizeof(*st));
        st->reports = json_array();
}

int agent_state_load(const char *dir, struct agent_state *st, struct error *err) {
        _cleanup_free_ char *path = path_join(dir, AGENT_STATE_FILE);
        _cleanup_free_ char *data = NULL;
        _cleanup_json_ json_t *doc = NULL;
        struct error perr = { 0 };
        size_t len = 0;
        int64_t floor_copy;

        state_reset(st);
        if (dir_create(dir, 0700, err) < 0)
                return -1;
        floor_copy = floor_file_read(dir);
        if (file_read_all(path, AGENT_STATE_MAX, &data, &len, &perr) < 0) {
                if (perr.kind == ERROR_NOT_FOUND || !file_exists(path)) {
                        st->floor = floor_copy;
                        return 0; /* first start */
                }
        } else {
                doc = cr_json_parse(path, data, len, AGENT_STATE_MAX, 8, &perr);
                if (doc) {
                        json_decref(st->reports);
                        st->reports = NULL;
                        if (state_from_json(doc, st, &perr) == 0) {
                                if (floor_copy > st->floor)
                                        st->floor = floor_copy;
                                return 0;
                        }
                }
        }

        /* Corrupt: keep the evidence, fall back to the safe state. */
        _cleanup_free_ char *aside = str_printf("%s.corrupt", path);
        if (rename(path, aside) < 0)
                log_warn("cannot move %s aside: %s", path, strerror(errno));
        agent_state_free(st);
        state_reset(st);
        st->floor = floor_copy;
        st->recovered = true;
        snprintf(st->last_error, sizeof(st->last_error),
                 "state file was unreadable (%.300s); moved to %s.corrupt, fell back to a safe state",
                 perr.msg, AGENT_STATE_FILE);
        log_error("%s", st->last_error);
        return 0;
}

int agent_state_save(const char *dir, const struct agent_state *st, struct error *err) {
        _cleanup_free_ char *path = path_join(dir, AGENT_STATE_FILE);
        _cleanup_json_ json_t *doc = agent_state_to_json(st);
        _cleanup_free_ char *bytes = NULL;

        if (st->floor > floor_file_read(dir)) {
                _cleanup_free_ char *fpath = path_join(dir, AGENT_FLOOR_FILE);
                _cleanup_free_ char *num = str_printf("%" PRId64 "\n", st->floor);
                if (file_write_atomic(fpath, num, strlen(num), 0600, err) < 0)
                        return -1;
        }
        bytes = json_dumps(doc, JSON_COMPACT | JSON_SORT_KEYS);
        if (!bytes)
                return error_set(err, ERROR_INTERNAL, "cannot serialise the agent state");
        return file_write_atomic(path, bytes, strlen(bytes), 0600, err);
}

void agent_state_free(struct agent_state *st) {
        json_decref(st->reports);
        st->reports = NULL;
}

void agent_state_raise_floor(struct agent_state *st, int64_t security_version) {
        if (security_version > st->floor)
                st->floor = security_version;
}

void agent_state_queue_report(struct agent_state *st, json_t *report) {
        if (!st->reports)
                st->reports = json_array();
        while (json_array_size(st->reports) >= AGENT_REPORTS_MAX)
                json_array_remove(st->reports, 0);
        json_array_append_new(st->reports, report);
}

void agent_state_set_error(struct agent_state *st, const char *msg) {
        snprintf(st->last_error, sizeof(st->last_error), "%s", msg ? msg : "");
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * OSV range evaluation, as the OSV schema (ossf/osv-schema, "Evaluation")
 * defines it:
 *  - a version listed in versions[] is affected;
 *  - per SEMVER or ECOSYSTEM range, the events are sorted by version
 *    (introduced "0" first) and walked: introduced (or "0") at or below the
 *    version makes it vulnerable, a fixed at or below it makes it not, a
 *    last_affected strictly below it makes it not;
 *  - when a range has limit events, the version must also be below one of
 *    them ("*" is no limit);
 *  - GIT ranges name commits, not versions: they are reported as not
 *    evaluable with the reason, never dropped.
 * SEMVER ranges compare as SemVer whatever the ecosystem (a leading 'v' is
 * tolerated, Go writes one); ECOSYSTEM ranges with the ecosystem's scheme.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/cleanup.h"
#include "core/strutil.h"
#include "vuln/ecosystem.h"
#include "vuln/match-internal.h"

static const char *const event_kinds[] = {"introduced", "fixed", "last_affected", "limit"};

void vuln_expl_comparison(json_t *expl, const char *a, const char *op, const char *b, bool holds) {
        json_t *arr = json_object_get(expl, "comparisons");
        if (!arr) {
                arr = json_array();
                json_object_set_new(expl, "comparisons", arr);
        }
        if (json_array_size(arr) >= VULN_MATCH_MAX_COMPARISONS) {
                json_object_set_new(expl, "comparisons_truncated", json_true());
                return;
        }
        json_array_append_new(arr, json_pack("{s:s, s:s, s:s, s:b}", "a", a, "op", op, "b", b, "holds", holds));
}

/* The kind and version of one event object, or -1. */
static int event_parse(const json_t *ev, const char **kind, const char **ver) {
        if (!json_is_object(ev) || json_object_size(ev) != 1) return -1;
        for (size_t k = 0; k < ELEMENTSOF(event_kinds); k++) {
                json_t *v = json_object_get(ev, event_kinds[k]);
                if (v) {
                        if (!json_is_string(v) || !json_string_length(v)) return -1;
                        *kind = event_kinds[k];
                        *ver = json_string_value(v);
                        return 0;
                }
        }
        return -1;
}

int vuln_osv_affected_check(const json_t *a, struct error *err) {
        if (!json_is_object(a)) return error_set(err, ERROR_INVALID, "OSV affected entry: not a JSON object");
        json_t *ranges = json_object_get(a, "ranges"), *versions = json_object_get(a, "versions");
        if (ranges && !json_is_array(ranges)) return error_set(err, ERROR_INVALID, "OSV affected entry: \"ranges\" is not an array");
        if (versions && !json_is_array(versions))
                return error_set(err, ERROR_INVALID, "OSV affected entry: \"versions\" is not an array");
        if (json_array_size(ranges) > VULN_MATCH_MAX_RANGES)
                return error_set(err, ERROR_TOO_LARGE, "OSV affected entry: more than %d ranges", VULN_MATCH_MAX_RANGES);
        if (json_array_size(versions) > VULN_MATCH_MAX_VERSIONS)
                return error_set(err, ERROR_TOO_LARGE, "OSV affected entry: more than %d versions", VULN_MATCH_MAX_VERSIONS);
        size_t i;
        json_t *v;
        json_array_foreach(versions, i, v) {
                if (!json_is_string(v)) return error_set(err, ERROR_INVALID, "OSV affected entry: versions[%zu] is not a string", i);
        }
        json_t *r;
        json_array_foreach(ranges, i, r) {
                json_t *type = json_object_get(r, "type"), *events = json_object_get(r, "events");
                if (!json_is_object(r)) return error_set(err, ERROR_INVALID, "OSV affected entry: ranges[%zu] is not an object", i);
                if (!json_is_string(type))
                        return error_set(err, ERROR_INVALID, "OSV affected entry: ranges[%zu].type is missing or not a string", i);
                const char *t = json_string_value(type);
                if (strcmp(t, "SEMVER") && strcmp(t, "ECOSYSTEM") && strcmp(t, "GIT"))
                        return error_set(err, ERROR_INVALID, "OSV affected entry: ranges[%zu].type \"%.20s\" is not SEMVER, ECOSYSTEM or GIT", i, t);
                if (!json_is_array(events) || !json_array_size(events))
                        return error_set(err, ERROR_INVALID, "OSV affected entry: ranges[%zu].events is missing or empty", i);
                if (json_array_size(events) > VULN_MATCH_MAX_EVENTS)
                        return error_set(err, ERROR_TOO_LARGE, "OSV affected entry: ranges[%zu] has more than %d events", i,
                                         VULN_MATCH_MAX_EVENTS);
                size_t j;
                json_t *ev;
                bool introduced = false, fixed = false, last = false;
                json_array_foreach(events, j, ev) {
                        const char *k, *ver;
                        if (event_parse(ev, &k, &ver) < 0)
                                return error_set(err, ERROR_INVALID,
                                                 "OSV affected entry: ranges[%zu].events[%zu] is not one of "
                                                 "{introduced|fixed|last_affected|limit: non-empty string}", i, j);
                        introduced |= !strcmp(k, "introduced");
                        fixed |= !strcmp(k, "fixed");
                        last |= !strcmp(k, "last_affected");
                }
                if (!introduced)
                        return error_set(err, ERROR_INVALID, "OSV affected entry: ranges[%zu] has no \"introduced\" event", i);
                if (fixed && last)
                        return error_set(err, ERROR_INVALID,
                                         "OSV affected entry: ranges[%zu] has both \"fixed\" and \"last_affected\" (the schema forbids it)", i);
        }
        return 0;
}

struct event {
        const char *kind, *ver;
        size_t pos;
};

struct sort_ctx {
        enum vuln_version_scheme scheme;
        bool failed;
        char why[ERROR_MSG_MAX];
};

/* qsort has no context argument; the evaluator is not re-entrant across
 * threads through this, so it carries it per call in thread-local storage. */
static _Thread_local struct sort_ctx *sort_ctx;

static int event_cmp(const void *pa, const void *pb) {
        const struct event *a = pa, *b = pb;
        bool za = !strcmp(a->kind, "introduced") && !strcmp(a->ver, "0");
        bool zb = !strcmp(b->kind, "introduced") && !strcmp(b->ver, "0");
        if (za || zb) return za == zb ? (a->pos < b->pos ? -1 : 1) : (za ? -1 : 1);
        bool la = !strcmp(a->kind, "limit") && !strcmp(a->ver, "*"), lb = !strcmp(b->kind, "limit") && !strcmp(b->ver, "*");
        if (la || lb) return la == lb ? (a->pos < b->pos ? -1 : 1) : (la ? 1 : -1);
        int c = 0;
        struct error err = {0};
        if (vuln_version_compare(sort_ctx->scheme, a->ver, b->ver, &c, &err) < 0) {
                if (!sort_ctx->failed) snprintf(sort_ctx->why, sizeof sort_ctx->why, "%s", err.msg);
                sort_ctx->failed = true;
                c = 0;
        }
        if (c) return c;
        return a->pos < b->pos ? -1 : 1;
}

/* One SEMVER/ECOSYSTEM range: 1 affected, 0 not, -1 not evaluable (why). */
static int range_evaluate(const json_t *range, enum vuln_version_scheme scheme, const char *version, json_t *expl,
                          char *why, size_t whylen) {
        json_t *events = json_object_get(range, "events");
        size_t n = json_array_size(events);
        struct event *ev = xcalloc(n, sizeof *ev);
        struct sort_ctx ctx = {.scheme = scheme};
        struct error err = {0};

        for (size_t i = 0; i < n; i++) {
                event_parse(json_array_get(events, i), &ev[i].kind, &ev[i].ver);
                ev[i].pos = i;
        }
        /* The component's version must be one of the scheme's first. */
        if (!vuln_version_valid(scheme, version, &err)) {
                snprintf(why, whylen, "%s", err.msg);
                free(ev);
                return -1;
        }
        /* Every event's version must be one of the scheme's too: a single
         * event is never compared while sorting, and a failed comparison must
         * not read as "at or above introduced". */
        for (size_t i = 0; i < n; i++) {
                if (!strcmp(ev[i].ver, "0") && !strcmp(ev[i].kind, "introduced")) continue;
                if (!strcmp(ev[i].ver, "*") && !strcmp(ev[i].kind, "limit")) continue;
                if (!vuln_version_valid(scheme, ev[i].ver, &err)) {
                        snprintf(why, whylen, "events[%zu] (%s): %.300s", ev[i].pos, ev[i].kind, err.msg);
                        free(ev);
                        return -1;
                }
        }
        sort_ctx = &ctx;
        qsort(ev, n, sizeof *ev, event_cmp);
        sort_ctx = NULL;
        if (ctx.failed) {
                snprintf(why, whylen, "the range's own versions do not compare: %.300s", ctx.why);
                free(ev);
                return -1;
        }
        bool vulnerable = false, has_limit = false, below_limit = false;
        for (size_t i = 0; i < n; i++) {
                int c = 0;
                const char *k = ev[i].kind, *v = ev[i].ver;
                if (!strcmp(k, "limit")) {
                        has_limit = true;
                        if (!strcmp(v, "*")) {
                                below_limit = true;
                                continue;
                        }
                        vuln_version_compare(scheme, version, v, &c, NULL);
                        vuln_expl_comparison(expl, version, "<", v, c < 0);
                        if (c < 0) below_limit = true;
                        continue;
                }
                if (!strcmp(k, "introduced")) {
                        if (!strcmp(v, "0")) {
                                vulnerable = true;
                                vuln_expl_comparison(expl, version, ">=", "0 (introduced: every version)", true);
                                continue;
                        }
                        vuln_version_compare(scheme, version, v, &c, NULL);
                        vuln_expl_comparison(expl, version, ">=", v, c >= 0);
                        if (c >= 0) vulnerable = true;
                } else if (!strcmp(k, "fixed")) {
                        vuln_version_compare(scheme, version, v, &c, NULL);
                        vuln_expl_comparison(expl, version, ">=", v, c >= 0);
                        if (c >= 0) vulnerable = false;
                } else { /* last_affected */
                        vuln_version_compare(scheme, version, v, &c, NULL);
                        vuln_expl_comparison(expl, version, ">", v, c > 0);
                        if (c > 0) vulnerable = false;
                }
        }
        free(ev);
        if (has_limit && !below_limit) return 0;
        return vulnerable ? 1 : 0;
}

void vuln_osv_evaluate(const json_t *affected, const char *ecosystem, const char *version,
                       enum vuln_match_result *result, json_t *expl) {
        json_t *versions = json_object_get(affected, "versions"), *ranges = json_object_get(affected, "ranges");
        enum vuln_version_scheme eco_scheme = VULN_SCHEME_GENERIC;
        bool eco_known = ecosystem && vuln_version_scheme_for_ecosystem(ecosystem, &eco_scheme) == 0;
        size_t i;
        json_t *v;

        json_object_set_new(expl, "version", json_string(version));
        json_array_foreach(versions, i, v) {
                const char *s = json_string_value(v);
                int c = 1;
                bool eq = !strcmp(s, version) ||
                          (eco_known && vuln_version_compare(eco_scheme, s, version, &c, NULL) == 0 && c == 0);
                if (eq) {
                        json_object_set_new(expl, "record_field", json_sprintf("versions[%zu]", i));
                        vuln_expl_comparison(expl, version, "==", s, true);
                        json_object_set_new(expl, "reason", json_sprintf("version %s is listed in versions[]", version));
                        *result = VULN_MATCH_PURL;
                        return;
                }
        }
        json_t *git = json_array(), *unevaluable = json_array();
        json_t *r;
        json_array_foreach(ranges, i, r) {
                const char *type = json_string_value(json_object_get(r, "type"));
                if (!strcmp(type, "GIT")) {
                        json_array_append_new(git, json_integer((json_int_t) i));
                        continue;
                }
                enum vuln_version_scheme s = VULN_SCHEME_NPM; /* SEMVER: SemVer, 'v' tolerated */
                if (!strcmp(type, "ECOSYSTEM")) {
                        if (!eco_known) {
                                json_array_append_new(unevaluable, json_sprintf("ranges[%zu]: ecosystem \"%s\" has no known version scheme",
                                                                                i, ecosystem ? ecosystem : "(none)"));
                                continue;
                        }
                        s = eco_scheme;
                }
                char why[ERROR_MSG_MAX] = "";
                json_t *rexpl = json_object();
                int a = range_evaluate(r, s, version, rexpl, why, sizeof why);
                if (a == 1) {
                        json_object_set_new(expl, "record_field", json_sprintf("ranges[%zu]", i));
                        json_object_set(expl, "range", (json_t *) r);
                        json_object_set_new(expl, "scheme", json_string(vuln_version_scheme_name(s)));
                        json_object_set(expl, "comparisons", json_object_get(rexpl, "comparisons"));
                        json_object_set_new(expl, "reason",
                                            json_sprintf("version %s is inside ranges[%zu] (%s, compared as %s)", version, i,
                                                         type, vuln_version_scheme_name(s)));
                        json_decref(rexpl);
                        json_decref(git);
                        json_decref(unevaluable);
                        *result = VULN_MATCH_PURL;
                        return;
                }
                if (a < 0) json_array_append_new(unevaluable, json_sprintf("ranges[%zu]: %s", i, why));
                else {
                        json_t *outside = json_object_get(expl, "ranges_outside");
                        if (!outside) json_object_set_new(expl, "ranges_outside", outside = json_array());
                        json_array_append_new(outside, json_pack("{s:I, s:s, s:O}", "range", (json_int_t) i, "scheme",
                                                                 vuln_version_scheme_name(s), "comparisons",
                                                                 json_object_get(rexpl, "comparisons") ? json_object_get(rexpl, "comparisons") : json_null()));
                }
                json_decref(rexpl);
        }
        if (json_array_size(git)) json_object_set(expl, "git_ranges_not_evaluated", git);
        if (json_array_size(unevaluable)) json_object_set(expl, "unevaluable", unevaluable);
        bool any_evaluated = json_object_get(expl, "ranges_outside") != NULL;
        if (!any_evaluated && (json_array_size(git) || json_array_size(unevaluable))) {
                *result = VULN_MATCH_UNEVALUABLE;
                json_object_set_new(expl, "reason",
                                    json_array_size(git)
                                            ? json_sprintf("the entry's ranges are GIT commit ranges, which a version cannot be "
                                                           "placed in, and versions[] does not list %s: not evaluable", version)
                                            : json_sprintf("no range could be evaluated for version %s: %s", version,
                                                           json_string_value(json_array_get(unevaluable, 0))));
        } else {
                *result = VULN_MATCH_NO;
                json_object_set_new(expl, "reason",
                                    json_sprintf("version %s is in no range and not listed in versions[]", version));
        }
        json_decref(git);
        json_decref(unevaluable);
}

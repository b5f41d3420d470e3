/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The findings of a case's vulnerability (issue 9) on each affected release,
 * folded into one state per release for the advisory's product status. A
 * release is as bad as its worst component: affected if any finding is,
 * else under investigation if any is still in triage, else fixed if any is,
 * else not affected (with the first justification given).
 */
#include <string.h>

#include "core/cleanup.h"
#include "core/strutil.h"
#include "csaf/csaf-internal.h"
#include "vex/vex.h"

static int rank(enum finding_state s) {
        switch (s) {
        case FINDING_AFFECTED: return 4;
        case FINDING_IN_TRIAGE: return 3;
        case FINDING_FIXED: return 2;
        case FINDING_NOT_AFFECTED: return 1;
        case FINDING_FALSE_POSITIVE: return 0;
        }
        return 4;
}

int csaf_case_findings_load(struct store *s, struct csaf_case_input *x, struct error *err) {
        if (!x->c.vuln_id)
                return 0;
        x->finding_details = xcalloc(x->n_releases ? x->n_releases : 1, sizeof(char *));
        for (size_t i = 0; i < x->n_releases; i++) {
                if (x->releases[i].id == x->c.fix_release_id)
                        continue;
                struct store_csaf_finding *fs = NULL;
                size_t n = 0;
                if (store_csaf_findings(s, x->releases[i].id, x->c.vuln_id, &fs, &n, err) < 0)
                        return -1;
                struct csaf_release_in *r = &x->rel_in[i];
                for (size_t k = 0; k < n; k++) {
                        enum finding_state st;
                        enum finding_justification j = FINDING_JUST_NONE;
                        if (vex_cradle_state_in(fs[k].state, &st) < 0 ||
                            (fs[k].justification && vex_cradle_justification_in(fs[k].justification, &j) < 0)) {
                                store_csaf_findings_free(fs, n);
                                return error_set(err, ERROR_DB, "release %lld: a finding has the unknown state '%s'",
                                                 (long long) x->releases[i].id, fs[k].state);
                        }
                        if (!r->has_finding || rank(st) > rank(r->finding_state)) {
                                r->has_finding = true;
                                r->finding_state = st;
                                r->finding_justification = j;
                                free(x->finding_details[i]);
                                x->finding_details[i] = str_dup(fs[k].reason);
                                r->finding_detail = x->finding_details[i];
                        }
                }
                store_csaf_findings_free(fs, n);
        }
        return 0;
}

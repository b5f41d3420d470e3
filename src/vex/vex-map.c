/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The vocabulary mapping between Cradle's finding states and justifications
 * and the three VEX formats: ONE table. A row says "this format value means
 * this Cradle value"; the row marked `out` is what Cradle writes for that
 * Cradle value. Every format value reads back to a Cradle value whose `out`
 * row is that same format value again, so export -> import -> export is
 * stable in every format (tests/unit/test-vex.c checks the whole table).
 * docs/vulnerabilities.md "## VEX" explains each lossy row.
 */
#include <string.h>

#include "core/cleanup.h"
#include "core/strutil.h"
#include "vex/vex.h"

enum map_kind { MAP_STATE, MAP_JUST, MAP_CRADLE };

struct map_row {
        enum map_kind kind;
        int format;          /* enum vex_format; -1 for the Cradle names */
        const char *value;
        int cradle;          /* enum finding_state or enum finding_justification */
        bool out;            /* Cradle writes this value for `cradle` */
};

#define CDX VEX_FORMAT_CYCLONEDX
#define OVX VEX_FORMAT_OPENVEX
#define CSAF VEX_FORMAT_CSAF

static const struct map_row map[] = {
        /* Cradle's own names (findings.state, findings.justification). */
        {MAP_CRADLE, -1, "in_triage", FINDING_IN_TRIAGE, true},
        {MAP_CRADLE, -1, "affected", FINDING_AFFECTED, true},
        {MAP_CRADLE, -1, "not_affected", FINDING_NOT_AFFECTED, true},
        {MAP_CRADLE, -1, "fixed", FINDING_FIXED, true},
        {MAP_CRADLE, -1, "false_positive", FINDING_FALSE_POSITIVE, true},

        /* CycloneDX 1.4-1.6 vulnerabilities[].analysis.state */
        {MAP_STATE, CDX, "in_triage", FINDING_IN_TRIAGE, true},
        {MAP_STATE, CDX, "exploitable", FINDING_AFFECTED, true},
        {MAP_STATE, CDX, "not_affected", FINDING_NOT_AFFECTED, true},
        {MAP_STATE, CDX, "resolved", FINDING_FIXED, true},
        /* Buildroot writes it for a CVE a patch in its tree resolves; the
         * evidence (pedigree.patches) stays in the SBOM, the state is fixed. */
        {MAP_STATE, CDX, "resolved_with_pedigree", FINDING_FIXED, false},
        {MAP_STATE, CDX, "false_positive", FINDING_FALSE_POSITIVE, true},
        /* OpenVEX 0.2 statements[].status */
        {MAP_STATE, OVX, "under_investigation", FINDING_IN_TRIAGE, true},
        {MAP_STATE, OVX, "affected", FINDING_AFFECTED, true},
        {MAP_STATE, OVX, "not_affected", FINDING_NOT_AFFECTED, true},
        {MAP_STATE, OVX, "fixed", FINDING_FIXED, true},
        /* (false_positive has no OpenVEX status: written as not_affected,
         * vulnerable_code_not_present; read back as not_affected.) */
        {MAP_STATE, OVX, "not_affected", FINDING_FALSE_POSITIVE, true},
        /* CSAF 2.0 vulnerabilities[].product_status.* */
        {MAP_STATE, CSAF, "under_investigation", FINDING_IN_TRIAGE, true},
        {MAP_STATE, CSAF, "known_affected", FINDING_AFFECTED, true},
        {MAP_STATE, CSAF, "first_affected", FINDING_AFFECTED, false},
        {MAP_STATE, CSAF, "last_affected", FINDING_AFFECTED, false},
        {MAP_STATE, CSAF, "known_not_affected", FINDING_NOT_AFFECTED, true},
        {MAP_STATE, CSAF, "fixed", FINDING_FIXED, true},
        {MAP_STATE, CSAF, "first_fixed", FINDING_FIXED, false},
        {MAP_STATE, CSAF, "known_not_affected", FINDING_FALSE_POSITIVE, true},

        /* Cradle's justification names */
        {MAP_CRADLE, -2, "component_not_present", FINDING_JUST_COMPONENT_NOT_PRESENT, true},
        {MAP_CRADLE, -2, "code_not_present", FINDING_JUST_CODE_NOT_PRESENT, true},
        {MAP_CRADLE, -2, "code_not_reachable", FINDING_JUST_CODE_NOT_REACHABLE, true},
        {MAP_CRADLE, -2, "requires_configuration", FINDING_JUST_REQUIRES_CONFIGURATION, true},
        {MAP_CRADLE, -2, "requires_dependency", FINDING_JUST_REQUIRES_DEPENDENCY, true},
        {MAP_CRADLE, -2, "requires_environment", FINDING_JUST_REQUIRES_ENVIRONMENT, true},
        {MAP_CRADLE, -2, "protected_by_compiler", FINDING_JUST_PROTECTED_BY_COMPILER, true},
        {MAP_CRADLE, -2, "protected_at_runtime", FINDING_JUST_PROTECTED_AT_RUNTIME, true},
        {MAP_CRADLE, -2, "protected_at_perimeter", FINDING_JUST_PROTECTED_AT_PERIMETER, true},
        {MAP_CRADLE, -2, "protected_by_mitigating_control", FINDING_JUST_PROTECTED_BY_MITIGATING_CONTROL, true},
        {MAP_CRADLE, -2, "cannot_be_controlled_by_adversary", FINDING_JUST_CANNOT_BE_CONTROLLED_BY_ADVERSARY, true},
        {MAP_CRADLE, -2, "inline_mitigations_exist", FINDING_JUST_INLINE_MITIGATIONS_EXIST, true},

        /* CycloneDX analysis.justification: its nine values are Cradle's own. */
        {MAP_JUST, CDX, "code_not_present", FINDING_JUST_CODE_NOT_PRESENT, true},
        {MAP_JUST, CDX, "code_not_reachable", FINDING_JUST_CODE_NOT_REACHABLE, true},
        {MAP_JUST, CDX, "requires_configuration", FINDING_JUST_REQUIRES_CONFIGURATION, true},
        {MAP_JUST, CDX, "requires_dependency", FINDING_JUST_REQUIRES_DEPENDENCY, true},
        {MAP_JUST, CDX, "requires_environment", FINDING_JUST_REQUIRES_ENVIRONMENT, true},
        {MAP_JUST, CDX, "protected_by_compiler", FINDING_JUST_PROTECTED_BY_COMPILER, true},
        {MAP_JUST, CDX, "protected_at_runtime", FINDING_JUST_PROTECTED_AT_RUNTIME, true},
        {MAP_JUST, CDX, "protected_at_perimeter", FINDING_JUST_PROTECTED_AT_PERIMETER, true},
        {MAP_JUST, CDX, "protected_by_mitigating_control", FINDING_JUST_PROTECTED_BY_MITIGATING_CONTROL, true},
        /* Lossy into CycloneDX: the three OpenVEX/CSAF-only values. */
        {MAP_JUST, CDX, "code_not_present", FINDING_JUST_COMPONENT_NOT_PRESENT, true},
        {MAP_JUST, CDX, "requires_environment", FINDING_JUST_CANNOT_BE_CONTROLLED_BY_ADVERSARY, true},
        {MAP_JUST, CDX, "protected_by_mitigating_control", FINDING_JUST_INLINE_MITIGATIONS_EXIST, true},

        /* OpenVEX justification and CSAF flags[].label share the five labels
         * of CISA's "VEX Status Justifications" (2022); Cradle has all five. */
        {MAP_JUST, OVX, "component_not_present", FINDING_JUST_COMPONENT_NOT_PRESENT, true},
        {MAP_JUST, OVX, "vulnerable_code_not_present", FINDING_JUST_CODE_NOT_PRESENT, true},
        {MAP_JUST, OVX, "vulnerable_code_not_in_execute_path", FINDING_JUST_CODE_NOT_REACHABLE, true},
        {MAP_JUST, OVX, "vulnerable_code_cannot_be_controlled_by_adversary",
         FINDING_JUST_CANNOT_BE_CONTROLLED_BY_ADVERSARY, true},
        {MAP_JUST, OVX, "inline_mitigations_already_exist", FINDING_JUST_INLINE_MITIGATIONS_EXIST, true},
        /* Lossy into OpenVEX: CycloneDX's finer values collapse. */
        {MAP_JUST, OVX, "vulnerable_code_cannot_be_controlled_by_adversary", FINDING_JUST_REQUIRES_CONFIGURATION,
         true},
        {MAP_JUST, OVX, "vulnerable_code_cannot_be_controlled_by_adversary", FINDING_JUST_REQUIRES_DEPENDENCY, true},
        {MAP_JUST, OVX, "vulnerable_code_cannot_be_controlled_by_adversary", FINDING_JUST_REQUIRES_ENVIRONMENT, true},
        {MAP_JUST, OVX, "vulnerable_code_cannot_be_controlled_by_adversary", FINDING_JUST_PROTECTED_AT_PERIMETER,
         true},
        {MAP_JUST, OVX, "inline_mitigations_already_exist", FINDING_JUST_PROTECTED_BY_COMPILER, true},
        {MAP_JUST, OVX, "inline_mitigations_already_exist", FINDING_JUST_PROTECTED_AT_RUNTIME, true},
        {MAP_JUST, OVX, "inline_mitigations_already_exist", FINDING_JUST_PROTECTED_BY_MITIGATING_CONTROL, true},

        {MAP_JUST, CSAF, "component_not_present", FINDING_JUST_COMPONENT_NOT_PRESENT, true},
        {MAP_JUST, CSAF, "vulnerable_code_not_present", FINDING_JUST_CODE_NOT_PRESENT, true},
        {MAP_JUST, CSAF, "vulnerable_code_not_in_execute_path", FINDING_JUST_CODE_NOT_REACHABLE, true},
        {MAP_JUST, CSAF, "vulnerable_code_cannot_be_controlled_by_adversary",
         FINDING_JUST_CANNOT_BE_CONTROLLED_BY_ADVERSARY, true},
        {MAP_JUST, CSAF, "inline_mitigations_already_exist", FINDING_JUST_INLINE_MITIGATIONS_EXIST, true},
        {MAP_JUST, CSAF, "vulnerable_code_cannot_be_controlled_by_adversary", FINDING_JUST_REQUIRES_CONFIGURATION,
         true},
        {MAP_JUST, CSAF, "vulnerable_code_cannot_be_controlled_by_adversary", FINDING_JUST_REQUIRES_DEPENDENCY,
         true},
        {MAP_JUST, CSAF, "vulnerable_code_cannot_be_controlled_by_adversary", FINDING_JUST_REQUIRES_ENVIRONMENT,
         true},
        {MAP_JUST, CSAF, "vulnerable_code_cannot_be_controlled_by_adversary", FINDING_JUST_PROTECTED_AT_PERIMETER,
         true},
        {MAP_JUST, CSAF, "inline_mitigations_already_exist", FINDING_JUST_PROTECTED_BY_COMPILER, true},
        {MAP_JUST, CSAF, "inline_mitigations_already_exist", FINDING_JUST_PROTECTED_AT_RUNTIME, true},
        {MAP_JUST, CSAF, "inline_mitigations_already_exist", FINDING_JUST_PROTECTED_BY_MITIGATING_CONTROL, true},
};

/* What Cradle writes for a Cradle value: the first `out` row. */
static const char *map_out(enum map_kind kind, int format, int cradle) {
        for (size_t i = 0; i < ELEMENTSOF(map); i++)
                if (map[i].kind == kind && map[i].format == format && map[i].cradle == cradle && map[i].out)
                        return map[i].value;
        return NULL;
}

/* What a format value means: the FIRST row with that value (a later row with
 * the same value is a lossy way out only). */
static int map_in(enum map_kind kind, int format, const char *value, int *cradle) {
        if (!value)
                return -1;
        for (size_t i = 0; i < ELEMENTSOF(map); i++)
                if (map[i].kind == kind && map[i].format == format && strcmp(map[i].value, value) == 0) {
                        *cradle = map[i].cradle;
                        return 0;
                }
        return -1;
}

const char *vex_format_name(enum vex_format f) {
        switch (f) {
        case VEX_FORMAT_CYCLONEDX: return "cyclonedx";
        case VEX_FORMAT_OPENVEX: return "openvex";
        case VEX_FORMAT_CSAF: return "csaf";
        }
        return "?";
}

int vex_format_parse(const char *s, enum vex_format *out, struct error *err) {
        for (int f = 0; f < VEX_FORMAT_COUNT; f++)
                if (str_eq(s, vex_format_name((enum vex_format) f))) {
                        *out = (enum vex_format) f;
                        return 0;
                }
        char safe[64];
        str_sanitize(s ? s : "", s ? strlen(s) : 0, safe, sizeof(safe));
        return error_set(err, ERROR_INVALID, "VEX format '%s': expected cyclonedx, openvex or csaf", safe);
}

const char *vex_cradle_state_name(enum finding_state s) {
        const char *v = map_out(MAP_CRADLE, -1, (int) s);
        return v ? v : "?";
}

const char *vex_cradle_justification_name(enum finding_justification j) {
        const char *v = map_out(MAP_CRADLE, -2, (int) j);
        return v ? v : "none";
}

const char *vex_cdx_state_out(enum finding_state s) {
        return map_out(MAP_STATE, CDX, (int) s);
}

const char *vex_cdx_justification_out(enum finding_justification j) {
        return map_out(MAP_JUST, CDX, (int) j);
}

const char *vex_openvex_status_out(enum finding_state s) {
        return map_out(MAP_STATE, OVX, (int) s);
}

/* A false positive is "not affected, the vulnerable code is not present" in
 * the formats that have no false_positive. */
const char *vex_openvex_justification_out(enum finding_state s, enum finding_justification j) {
        if (s == FINDING_FALSE_POSITIVE)
                return map_out(MAP_JUST, OVX, FINDING_JUST_CODE_NOT_PRESENT);
        return s == FINDING_NOT_AFFECTED ? map_out(MAP_JUST, OVX, (int) j) : NULL;
}

const char *vex_csaf_status_out(enum finding_state s) {
        return map_out(MAP_STATE, CSAF, (int) s);
}

const char *vex_csaf_flag_out(enum finding_state s, enum finding_justification j) {
        if (s == FINDING_FALSE_POSITIVE)
                return map_out(MAP_JUST, CSAF, FINDING_JUST_CODE_NOT_PRESENT);
        return s == FINDING_NOT_AFFECTED ? map_out(MAP_JUST, CSAF, (int) j) : NULL;
}

#define MAP_IN(fn, kind, fmt, type)                                 \
        int fn(const char *v, type *out) {                          \
                int c;                                              \
                if (map_in(kind, fmt, v, &c) < 0)                   \
                        return -1;                                  \
                *out = (type) c;                                    \
                return 0;                                           \
        }
int vex_cradle_state_in(const char *v, enum finding_state *out) {
        int c;
        if (map_in(MAP_CRADLE, -1, v, &c) < 0)
                return -1;
        *out = (enum finding_state) c;
        return 0;
}
int vex_cradle_justification_in(const char *v, enum finding_justification *out) {
        int c;
        if (map_in(MAP_CRADLE, -2, v, &c) < 0)
                return -1;
        *out = (enum finding_justification) c;
        return 0;
}
MAP_IN(vex_cdx_state_in, MAP_STATE, CDX, enum finding_state)
MAP_IN(vex_cdx_justification_in, MAP_JUST, CDX, enum finding_justification)
MAP_IN(vex_openvex_status_in, MAP_STATE, OVX, enum finding_state)
MAP_IN(vex_openvex_justification_in, MAP_JUST, OVX, enum finding_justification)
MAP_IN(vex_csaf_status_in, MAP_STATE, CSAF, enum finding_state)
MAP_IN(vex_csaf_flag_in, MAP_JUST, CSAF, enum finding_justification)

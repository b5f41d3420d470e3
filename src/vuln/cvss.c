/* SPDX-License-Identifier: Apache-2.0 */
/* CVSS v3.0/v3.1 base scores and v4.0 vector validation (cvss.h). */
#include "vuln/cvss.h"

#include <stdlib.h>
#include <string.h>

#include "core/strutil.h"

struct metric {
        const char *name;
        const char *values;     /* the letters it accepts */
        bool base;              /* mandatory */
};

/* v3.x: base, then temporal and environmental (accepted, not scored). */
static const struct metric v3_metrics[] = {
        {"AV", "NALP", true}, {"AC", "LH", true}, {"PR", "NLH", true}, {"UI", "NR", true},
        {"S", "UC", true},    {"C", "HLN", true}, {"I", "HLN", true},  {"A", "HLN", true},
        {"E", "XHFPU", false}, {"RL", "XUWTO", false}, {"RC", "XCRU", false},
        {"CR", "XHML", false}, {"IR", "XHML", false}, {"AR", "XHML", false},
        {"MAV", "XNALP", false}, {"MAC", "XLH", false}, {"MPR", "XNLH", false}, {"MUI", "XNR", false},
        {"MS", "XUC", false}, {"MC", "XHLN", false}, {"MI", "XHLN", false}, {"MA", "XHLN", false},
};

/* v4.0 (specification section 7): base, threat, environmental, supplemental. */
static const struct metric v4_metrics[] = {
        {"AV", "NALP", true}, {"AC", "LH", true}, {"AT", "NP", true}, {"PR", "NLH", true},
        {"UI", "NPA", true},  {"VC", "HLN", true}, {"VI", "HLN", true}, {"VA", "HLN", true},
        {"SC", "HLN", true},  {"SI", "HLN", true}, {"SA", "HLN", true},
        {"E", "XAPU", false},
        {"CR", "XHML", false}, {"IR", "XHML", false}, {"AR", "XHML", false},
        {"MAV", "XNALP", false}, {"MAC", "XLH", false}, {"MAT", "XNP", false}, {"MPR", "XNLH", false},
        {"MUI", "XNPA", false}, {"MVC", "XHLN", false}, {"MVI", "XHLN", false}, {"MVA", "XHLN", false},
        {"MSC", "XHLN", false}, {"MSI", "XSHLN", false}, {"MSA", "XSHLN", false},
        {"S", "XNP", false}, {"AU", "XNY", false}, {"R", "XAUI", false}, {"V", "XDC", false},
        {"RE", "XLMH", false}, {"U", "X", false},
};

#define MAX_METRICS 40

/* The v3.1 Roundup (Appendix A): the smallest one-decimal number >= x,
 * computed on integers so that floating-point noise never rounds up. */
/* libm-free helpers: the scores need only these two operations */
static long round_half_up(double x) {
        return (long) (x + 0.5);
}

static double pow15(double x) {
        double r = 1.0;
        for (int i = 0; i < 15; i++)
                r *= x;
        return r;
}

static int roundup31(double x) {
        long i = round_half_up(x * 100000.0);
        if (i % 10000 == 0)
                return (int) (i / 10000);
        return (int) (i / 10000) + 1;
}

/* v3.0 rounds up to one decimal directly. */
static int roundup30(double x) {
        long i = (long) (x * 10.0 - 1e-9);
        return (double) i < x * 10.0 - 1e-9 ? (int) i + 1 : (int) i;
}

static double v3_weight(const char *name, char v, bool scope_changed) {
        switch (name[0]) {
        case 'A':
                if (strcmp(name, "AV") == 0)
                        return v == 'N' ? 0.85 : v == 'A' ? 0.62 : v == 'L' ? 0.55 : 0.2;
                if (strcmp(name, "AC") == 0)
                        return v == 'L' ? 0.77 : 0.44;
                break;
        case 'P':
                if (v == 'N')
                        return 0.85;
                if (v == 'L')
                        return scope_changed ? 0.68 : 0.62;
                return scope_changed ? 0.5 : 0.27;
        case 'U':
                return v == 'N' ? 0.85 : 0.62;
        default:
                break;
        }
        /* C, I, A */
        return v == 'H' ? 0.56 : v == 'L' ? 0.22 : 0.0;
}

static int v3_score(const char *vals[], bool v30) {
        /* vals index as v3_metrics: AV AC PR UI S C I A */
        bool changed = vals[4][0] == 'C';
        double iss = 1.0 - (1.0 - v3_weight("C", vals[5][0], changed)) * (1.0 - v3_weight("I", vals[6][0], changed)) *
                                   (1.0 - v3_weight("A", vals[7][0], changed));
        double impact = changed ? 7.52 * (iss - 0.029) - 3.25 * pow15(iss - 0.02) : 6.42 * iss;
        double expl = 8.22 * v3_weight("AV", vals[0][0], changed) * v3_weight("AC", vals[1][0], changed) *
                      v3_weight("PR", vals[2][0], changed) * v3_weight("UI", vals[3][0], changed);
        if (impact <= 0)
                return 0;
        double sum = changed ? 1.08 * (impact + expl) : impact + expl;
        if (sum > 10.0)
                sum = 10.0;
        return v30 ? roundup30(sum) : roundup31(sum);
}

int cvss_parse(const char *vector, enum cvss_version *version, int *score10, struct error *err) {
        const struct metric *table;
        size_t n_table;
        if (!vector || strlen(vector) > 256)
                return error_set(err, ERROR_INVALID, "CVSS vector: missing or longer than 256 bytes");
        if (str_startswith(vector, "CVSS:3.1/")) {
                *version = CVSS_V31;
                table = v3_metrics;
                n_table = sizeof(v3_metrics) / sizeof(v3_metrics[0]);
        } else if (str_startswith(vector, "CVSS:3.0/")) {
                *version = CVSS_V30;
                table = v3_metrics;
                n_table = sizeof(v3_metrics) / sizeof(v3_metrics[0]);
        } else if (str_startswith(vector, "CVSS:4.0/")) {
                *version = CVSS_V40;
                table = v4_metrics;
                n_table = sizeof(v4_metrics) / sizeof(v4_metrics[0]);
        } else {
                return error_set(err, ERROR_INVALID, "CVSS vector '%.80s': not CVSS:3.0, 3.1 or 4.0", vector);
        }
        const char *vals[MAX_METRICS] = {0};
        const char *p = vector + 9;
        while (*p) {
                const char *colon = strchr(p, ':');
                const char *slash = strchr(p, '/');
                if (!slash)
                        slash = p + strlen(p);
                if (!colon || colon > slash || slash - colon != 2)
                        return error_set(err, ERROR_INVALID, "CVSS vector '%.80s': malformed metric at '%.16s'", vector, p);
                size_t nlen = (size_t) (colon - p);
                size_t i;
                for (i = 0; i < n_table; i++)
                        if (strlen(table[i].name) == nlen && strncmp(table[i].name, p, nlen) == 0)
                                break;
                if (i == n_table)
                        return error_set(err, ERROR_INVALID, "CVSS vector '%.80s': unknown metric '%.*s'", vector,
                                         (int) nlen, p);
                if (vals[i])
                        return error_set(err, ERROR_INVALID, "CVSS vector '%.80s': metric '%s' given twice", vector,
                                         table[i].name);
                if (!strchr(table[i].values, colon[1]))
                        return error_set(err, ERROR_INVALID, "CVSS vector '%.80s': metric '%s' has no value '%c'",
                                         vector, table[i].name, colon[1]);
                vals[i] = colon + 1;
                p = *slash ? slash + 1 : slash;
                if (*slash && !*p)
                        return error_set(err, ERROR_INVALID, "CVSS vector '%.80s': ends with '/'", vector);
        }
        for (size_t i = 0; i < n_table; i++)
                if (table[i].base && !vals[i])
                        return error_set(err, ERROR_INVALID, "CVSS vector '%.80s': base metric '%s' missing", vector,
                                         table[i].name);
        *score10 = *version == CVSS_V40 ? -1 : v3_score(vals, *version == CVSS_V30);
        return 0;
}

const char *cvss_severity(int score10) {
        if (score10 <= 0)
                return "none";
        if (score10 < 40)
                return "low";
        if (score10 < 70)
                return "medium";
        if (score10 < 90)
                return "high";
        return "critical";
}

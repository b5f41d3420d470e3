/* SPDX-License-Identifier: Apache-2.0 */
/* CVSS v4.0 scores (cvss4.h). Levels are kept in tenths as integers so the
 * severity distances are exact; only the final interpolation is floating. */
#include "vuln/cvss4.h"

#include <stdbool.h>
#include <string.h>

#include "vuln/cvss.h"

/* The specification's MacroVector scores x10, indexed by
 * (((((eq1*2+eq2)*3+eq3)*3+eq4)*3+eq5)*2+eq6); -1: no such MacroVector
 * (EQ3=2 exists only with EQ6=1). One row per (eq1, eq2, eq3): eq4, eq5, eq6. */
#define X -1
static const signed char macro_scores[18][18] = {
        /* 000 */ {100, 99, 98, 95, 95, 92, 100, 96, 93, 87, 91, 81, 93, 90, 89, 80, 81, 68},
        /* 001 */ {98, 95, 95, 92, 90, 84, 93, 92, 89, 81, 81, 65, 88, 80, 78, 70, 69, 48},
        /* 002 */ {X, 92, X, 82, X, 72, X, 79, X, 69, X, 50, X, 69, X, 55, X, 27},
        /* 010 */ {99, 97, 95, 92, 92, 85, 95, 91, 90, 83, 84, 71, 92, 81, 82, 71, 72, 53},
        /* 011 */ {95, 93, 92, 85, 85, 73, 92, 82, 80, 72, 70, 59, 84, 70, 71, 52, 50, 30},
        /* 012 */ {X, 86, X, 75, X, 52, X, 71, X, 52, X, 29, X, 63, X, 29, X, 17},
        /* 100 */ {98, 95, 94, 87, 91, 81, 94, 89, 86, 74, 77, 64, 87, 75, 74, 63, 63, 49},
        /* 101 */ {94, 89, 88, 77, 76, 67, 86, 76, 74, 58, 59, 50, 72, 57, 57, 52, 52, 25},
        /* 102 */ {X, 83, X, 70, X, 54, X, 65, X, 58, X, 26, X, 53, X, 21, X, 13},
        /* 110 */ {95, 90, 88, 76, 76, 70, 90, 77, 75, 62, 61, 53, 77, 66, 68, 59, 52, 30},
        /* 111 */ {89, 78, 76, 67, 62, 58, 74, 59, 57, 57, 47, 23, 61, 52, 57, 29, 24, 16},
        /* 112 */ {X, 71, X, 59, X, 30, X, 58, X, 26, X, 15, X, 23, X, 13, X, 6},
        /* 200 */ {93, 87, 86, 72, 75, 58, 86, 74, 74, 61, 56, 34, 70, 54, 52, 40, 40, 22},
        /* 201 */ {85, 75, 74, 55, 62, 51, 72, 57, 55, 41, 46, 19, 53, 36, 34, 19, 19, 8},
        /* 202 */ {X, 64, X, 51, X, 20, X, 47, X, 21, X, 11, X, 24, X, 9, X, 4},
        /* 210 */ {88, 75, 73, 53, 60, 50, 73, 55, 59, 40, 41, 20, 54, 43, 45, 22, 20, 11},
        /* 211 */ {75, 55, 58, 45, 40, 21, 61, 51, 48, 18, 20, 9, 46, 18, 17, 7, 8, 2},
        /* 212 */ {X, 53, X, 24, X, 14, X, 24, X, 12, X, 5, X, 10, X, 3, X, 1},
};
#undef X

/* Score x10 of MacroVector e[0..5], or -1 when it does not exist. */
static int macro_score(const int e[6]) {
        if (e[0] < 0 || e[0] > 2 || e[1] < 0 || e[1] > 1 || e[2] < 0 || e[2] > 2 || e[3] < 0 || e[3] > 2 ||
            e[4] < 0 || e[4] > 2 || e[5] < 0 || e[5] > 1)
                return -1;
        return macro_scores[(e[0] * 2 + e[1]) * 3 + e[2]][(e[3] * 3 + e[4]) * 2 + e[5]];
}

enum { AV, AC, AT, PR, UI, VC, VI, VA, SC, SI, SA, E, CR, IR, AR, N_METRICS };
static const char *const names[N_METRICS] = {"AV", "AC", "AT", "PR", "UI", "VC", "VI", "VA",
                                              "SC", "SI", "SA", "E",  "CR", "IR", "AR"};

/* The effective value of each metric: the modified one (M<metric>) when
 * given and not X; E, CR, IR, AR default to their worst case (A, H, H, H). */
static int effective(const char *vector, char out[N_METRICS]) {
        char modified[N_METRICS] = {0};
        memset(out, 0, N_METRICS);
        const char *p = strchr(vector, '/');
        while (p && *p == '/') {
                p++;
                const char *colon = strchr(p, ':');
                if (!colon)
                        return -1;
                size_t len = (size_t) (colon - p);
                char val = colon[1];
                bool mod = len > 1 && p[0] == 'M';
                for (int i = 0; i < N_METRICS; i++) {
                        if (!mod && strlen(names[i]) == len && strncmp(p, names[i], len) == 0)
                                out[i] = val;
                        if (mod && strlen(names[i]) == len - 1 && strncmp(p + 1, names[i], len - 1) == 0)
                                modified[i] = val;
                }
                p = strchr(colon, '/');
        }
        for (int i = 0; i < N_METRICS; i++)
                if (modified[i] && modified[i] != 'X')
                        out[i] = modified[i];
        if (!out[E] || out[E] == 'X')
                out[E] = 'A';
        for (int i = CR; i <= AR; i++)
                if (!out[i] || out[i] == 'X')
                        out[i] = 'H';
        return 0;
}

/* Severity levels in tenths (the specification's 0.0, 0.1, ...). */
static int level(int metric, char v) {
        static const char *const order[N_METRICS] = {
                [AV] = "NALP", [AC] = "LH", [AT] = "NP", [PR] = "NLH", [UI] = "NPA", [VC] = "HLN", [VI] = "HLN",
                [VA] = "HLN", [SC] = "?HLN", [SI] = "SHLN", [SA] = "SHLN", [E] = "APU", [CR] = "HML",
                [IR] = "HML", [AR] = "HML"};
        const char *pos = strchr(order[metric], v);
        return pos ? (int) (pos - order[metric]) : 0;
}

static void macro_vector(const char *m, int e[6]) {
        bool avn = m[AV] == 'N', prn = m[PR] == 'N', uin = m[UI] == 'N';
        e[0] = avn && prn && uin ? 0 : (avn || prn || uin) && m[AV] != 'P' ? 1 : 2;
        e[1] = m[AC] == 'L' && m[AT] == 'N' ? 0 : 1;
        e[2] = m[VC] == 'H' && m[VI] == 'H' ? 0 : (m[VC] == 'H' || m[VI] == 'H' || m[VA] == 'H') ? 1 : 2;
        e[3] = m[SI] == 'S' || m[SA] == 'S' ? 0 : (m[SC] == 'H' || m[SI] == 'H' || m[SA] == 'H') ? 1 : 2;
        e[4] = m[E] == 'A' ? 0 : m[E] == 'P' ? 1 : 2;
        e[5] = (m[CR] == 'H' && m[VC] == 'H') || (m[IR] == 'H' && m[VI] == 'H') || (m[AR] == 'H' && m[VA] == 'H')
                       ? 0
                       : 1;
}

/* The highest-severity vectors of each EQ level (the specification's
 * "max composed" table), as metric values. */
struct part {
        const char *metrics; /* metric indices as letters: 'a' + AV, ... ('a' AV, 'd' PR, 'e' UI, 'f' VC, 'm' CR) */
        const char *values;
};
static const struct part eq1_max[3][3] = {
        {{"ade", "NNN"}},
        {{"ade", "ANN"}, {"ade", "NLN"}, {"ade", "NNP"}},
        {{"ade", "PNN"}, {"ade", "ALP"}},
};
static const struct part eq2_max[2][2] = {
        {{"bc", "LN"}},
        {{"bc", "HN"}, {"bc", "LP"}},
};
/* [eq3][eq6] */
static const struct part eq36_max[3][2][5] = {
        {{{"fghmno", "HHHHHH"}}, {{"fghmno", "HHLMMH"}, {"fghmno", "HHHMMM"}}},
        {{{"fghmno", "LHHHHH"}, {"fghmno", "HLHHHH"}},
         {{"fghmno", "LHLHMH"}, {"fghmno", "LHHHMM"}, {"fghmno", "HLHMHM"}, {"fghmno", "HLLMHH"},
          {"fghmno", "LLHHHM"}}},
        {{{0}}, {{"fghmno", "LLLHHH"}}},
};
static const struct part eq4_max[3][1] = {{{"ijk", "HSS"}}, {{"ijk", "HHH"}}, {{"ijk", "LLL"}}};
static const struct part eq5_max[3][1] = {{{"l", "A"}}, {{"l", "P"}}, {{"l", "U"}}};

static size_t count_parts(const struct part *p, size_t cap) {
        size_t n = 0;
        while (n < cap && p[n].metrics)
                n++;
        return n;
}

static void apply(const struct part *p, char max[N_METRICS]) {
        for (size_t i = 0; p->metrics[i]; i++)
                max[p->metrics[i] - 'a'] = p->values[i];
}

int cvss40_score(const char *vector, int *score10, struct error *err) {
        *score10 = -1;
        enum cvss_version v;
        int ignored;
        if (cvss_parse(vector, &v, &ignored, err) < 0)
                return -1;
        if (v != CVSS_V40)
                return error_set(err, ERROR_INVALID, "'%s' is not a CVSS 4.0 vector", vector);
        char m[N_METRICS];
        if (effective(vector, m) < 0)
                return error_set(err, ERROR_INVALID, "'%s': a metric without a value", vector);
        /* No impact at all on the vulnerable or subsequent systems: 0. */
        if (m[VC] == 'N' && m[VI] == 'N' && m[VA] == 'N' && m[SC] == 'N' && m[SI] == 'N' && m[SA] == 'N') {
                *score10 = 0;
                return 0;
        }
        int e[6];
        macro_vector(m, e);
        int value = macro_score(e);
        if (value < 0)
                return error_set(err, ERROR_INTERNAL, "'%s': no MacroVector score", vector);

        /* The next lower MacroVector per EQ (EQ3 and EQ6 move together). */
        int lower[5];
        for (int i = 0; i < 5; i++)
                lower[i] = -1;
        int t[6];
        memcpy(t, e, sizeof(t));
        t[0]++, lower[0] = macro_score(t), t[0]--;
        t[1]++, lower[1] = macro_score(t), t[1]--;
        if (e[2] == 0 && e[5] == 0) {
                int left[6], right[6];
                memcpy(left, e, sizeof(left));
                memcpy(right, e, sizeof(right));
                left[5]++;
                right[2]++;
                int l = macro_score(left), r = macro_score(right);
                lower[2] = l > r ? l : r;
        } else if (e[2] == 1 && e[5] == 0) {
                t[5]++, lower[2] = macro_score(t), t[5]--;
        } else if (e[2] <= 1 && e[5] == 1) {
                t[2]++, lower[2] = macro_score(t), t[2]--;
        } else {
                t[2]++, t[5]++, lower[2] = macro_score(t), t[2]--, t[5]--;
        }
        t[3]++, lower[3] = macro_score(t), t[3]--;
        t[4]++, lower[4] = macro_score(t), t[4]--;

        /* The first highest-severity vector of the MacroVector that the
         * vector does not exceed in any metric gives the distances. */
        const struct part *p1 = eq1_max[e[0]], *p2 = eq2_max[e[1]], *p36 = eq36_max[e[2]][e[5]],
                          *p4 = eq4_max[e[3]], *p5 = eq5_max[e[4]];
        size_t n1 = count_parts(p1, 3), n2 = count_parts(p2, 2), n36 = count_parts(p36, 5);
        int dist[N_METRICS] = {0};
        bool found = false;
        for (size_t a = 0; a < n1 && !found; a++)
                for (size_t b = 0; b < n2 && !found; b++)
                        for (size_t c = 0; c < n36 && !found; c++) {
                                char max[N_METRICS] = {0};
                                apply(&p1[a], max);
                                apply(&p2[b], max);
                                apply(&p36[c], max);
                                apply(&p4[0], max);
                                apply(&p5[0], max);
                                bool ok = true;
                                for (int k = 0; k < N_METRICS; k++) {
                                        if (k == E)
                                                continue;
                                        dist[k] = level(k, m[k]) - level(k, max[k]);
                                        ok = ok && dist[k] >= 0;
                                }
                                found = ok;
                        }
        /* As the specification's reference code: without a fitting one, the
         * last candidate's distances stand. */
        int cur[5] = {
                dist[AV] + dist[PR] + dist[UI],
                dist[AC] + dist[AT],
                dist[VC] + dist[VI] + dist[VA] + dist[CR] + dist[IR] + dist[AR],
                dist[SC] + dist[SI] + dist[SA],
                0,
        };
        /* The depth of each MacroVector (the specification's max severity), in tenths. */
        static const int depth_eq1[3] = {1, 4, 5}, depth_eq2[2] = {1, 2}, depth_eq4[3] = {6, 5, 4};
        static const int depth_eq36[3][2] = {{7, 6}, {8, 8}, {0, 10}};
        int depth[5] = {depth_eq1[e[0]], depth_eq2[e[1]], depth_eq36[e[2]][e[5]], depth_eq4[e[3]], 1};
        double sum = 0;
        int existing = 0;
        for (int i = 0; i < 5; i++) {
                if (lower[i] < 0)
                        continue;
                existing++;
                double available = (value - lower[i]) / 10.0;
                sum += available * ((double) cur[i] / depth[i]);
        }
        double score = value / 10.0 - (existing ? sum / existing : 0);
        if (score < 0)
                score = 0;
        if (score > 10)
                score = 10;
        /* Half up to one decimal, lifted by a tiny epsilon so that an x.x5
         * that floating point lands just below still rounds up. */
        *score10 = (int) ((score + 1e-6) * 10 + 0.5); /* score >= 0: truncation is floor */
        return 0;
}

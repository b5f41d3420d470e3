/* SPDX-License-Identifier: Apache-2.0 */
/*
 * FIRST's EPSS scores (CSV, as published daily, plain or gzip): an optional
 * "#model_version:...,score_date:..." comment line, the header
 * "cve,epss,percentile", then one row per CVE. The probability and
 * percentile are kept as written (decimal strings in [0, 1]) on the
 * vulnerability; EPSS adds no record and never queues matching. A CVE that
 * no feed has named yet is skipped and counted (EPSS alone does not make a
 * vulnerability known).
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "core/strutil.h"
#include "vuln/feed.h"

#define EPSS_LINE_MAX 256

static bool probability(const char *s) {
        /* "0", "1", "0.00043", "1.0", "1e-05" (older files) */
        if (!*s)
                return false;
        char *end;
        double d = strtod(s, &end);
        if (*end || d < 0.0 || d > 1.0)
                return false;
        for (const char *p = s; *p; p++)
                if (!isdigit((unsigned char) *p) && *p != '.' && *p != 'e' && *p != 'E' && *p != '-' && *p != '+')
                        return false;
        return true;
}

static bool cve_like(const char *s) {
        if (!str_startswith(s, "CVE-") || strlen(s) < 13 || strlen(s) > 24)
                return false;
        for (const char *p = s + 4; *p; p++)
                if (!isdigit((unsigned char) *p) && *p != '-')
                        return false;
        return true;
}

int vuln_feed_epss(struct vuln_import *imp, const char *what, FILE *f, struct error *err) {
        char line[EPSS_LINE_MAX + 2];
        size_t lineno = 0, rows = 0;
        bool header = false;
        const size_t max_rows = vuln_import_limits_of(imp)->max_records;
        while (fgets(line, sizeof(line), f)) {
                lineno++;
                size_t n = strlen(line);
                if (n > 0 && line[n - 1] != '\n' && !feof(f))
                        return error_set(err, ERROR_INVALID, "%s: line %zu is longer than %d bytes", what, lineno,
                                         EPSS_LINE_MAX);
                while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
                        line[--n] = '\0';
                if (n == 0)
                        continue;
                if (line[0] == '#') {
                        if (lineno == 1 && strstr(line, "model_version")) {
                                char note[EPSS_LINE_MAX + 32];
                                snprintf(note, sizeof(note), "EPSS %s", line + 1);
                                vuln_import_note(imp, note);
                        }
                        continue;
                }
                if (!header) {
                        if (strcmp(line, "cve,epss,percentile") != 0)
                                return error_set(err, ERROR_INVALID, "%s: line %zu: expected the header "
                                                 "'cve,epss,percentile'", what, lineno);
                        header = true;
                        continue;
                }
                if (++rows > max_rows)
                        return error_set(err, ERROR_TOO_LARGE, "%s: more than %zu rows", what, max_rows);
                char *c1 = strchr(line, ',');
                char *c2 = c1 ? strchr(c1 + 1, ',') : NULL;
                char where[48];
                snprintf(where, sizeof(where), "line %zu", lineno);
                if (!c1 || !c2 || strchr(c2 + 1, ',')) {
                        vuln_import_skip(imp, "epss", where, "expected three fields: cve,epss,percentile");
                        continue;
                }
                *c1 = *c2 = '\0';
                if (!cve_like(line)) {
                        vuln_import_skip(imp, "epss", where, "'%.30s' is not a CVE id", line);
                        continue;
                }
                if (!probability(c1 + 1) || !probability(c2 + 1)) {
                        vuln_import_skip(imp, "epss", line, "epss and percentile must be numbers in [0, 1]");
                        continue;
                }
                if (vuln_import_epss(imp, line, c1 + 1, c2 + 1, err) < 0)
                        return -1;
        }
        if (ferror(f))
                return error_set(err, ERROR_IO, "%s: read error", what);
        if (!header)
                return error_set(err, ERROR_INVALID, "%s: no 'cve,epss,percentile' header", what);
        return 0;
}

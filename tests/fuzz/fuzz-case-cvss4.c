/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Outside input of the case domain (issue 10) that is not JSON: a CVSS 4.0
 * vector (cvss40_score) and the reminder points of the configuration
 * (case_reminder_points_parse). Never a crash; a score is within 0..100; a
 * parsed points list is ascending within 1..99.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "case/reminder.h"
#include "vuln/cvss4.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        if (size > 4096)
                return 0;
        char *s = malloc(size + 1);
        if (!s)
                return 0;
        memcpy(s, data, size);
        s[size] = '\0';
        int score;
        struct error err = {0};
        if (cvss40_score(s, &score, &err) == 0 && (score < 0 || score > 100))
                abort();
        struct case_reminder_points p;
        if (case_reminder_points_parse(s, &p, &err) == 0) {
                for (size_t i = 0; i < p.n; i++)
                        if (p.percent[i] < 1 || p.percent[i] > 99 || (i && p.percent[i] <= p.percent[i - 1]))
                                abort();
        }
        free(s);
        return 0;
}

/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/*
 * CVSS v4.0 scoring (issue 10), following the FIRST CVSS v4.0 specification
 * (section 8): a vector falls into a MacroVector (six equivalence classes
 * EQ1..EQ6), whose score comes from the specification's lookup table; the
 * vector's score is that minus the mean proportional severity distance to
 * the MacroVector's highest-severity vectors, rounded half up to one
 * decimal. Threat (E) and environmental metrics are honoured (CVSS-BTE);
 * supplemental metrics do not change the score. Scores are x10 integers, as
 * in cvss.h.
 */
#include "core/error.h"

/* Parses (cvss_parse's checks) and scores a "CVSS:4.0/..." vector. */
int cvss40_score(const char *vector, int *score10, struct error *err);

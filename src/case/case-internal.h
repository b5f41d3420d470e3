/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/* Shared inside src/case/ (not a contract for other modules). */
#include "case/case.h"
#include "store/store-case.h"

#define CASE_TITLE_MAX 255          /* the SRP glossary's limit */
#define CASE_SUMMARY_MAX 4000       /* idem */
#define CASE_OWNER_MAX 200
#define CASE_VERSION_RANGE_MAX 500
#define CASE_CREDIT_MAX 500
#define CASE_REASON_MAX 2000
#define CASE_HOW_MAX 500
#define CASE_IMPACT_MAX 2000
#define CASE_IDS_MAX 64             /* per kind */
#define CASE_AFFECTED_MAX 256
#define CASE_ACK_DAYS_DEFAULT 7
#define CASE_DISCLOSURE_DAYS_DEFAULT 90

int case_text_check(const char *field, const char *v, size_t max_chars, bool required, bool multiline,
                    struct error *err);
/* Builds a case_info from a row (moving its strings) plus its ids and affected rows. */
int case_load(struct store *s, struct store_case *row, struct case_info *out, struct error *err);
/* One timeline entry ("<what>") and one audit entry ("case.<what>", "case/<reference>"),
 * inside the caller's transaction. */
int case_record_change(struct store *s, const struct audit_actor *actor, const struct case_info *c,
                       const char *what, json_t *details, struct error *err);
#include "case/clock.h"
void case_clock_input_of(const struct case_info *c, const int64_t submitted[CASE_CLOCK_N],
                         struct case_clock_input *in);

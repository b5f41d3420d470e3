/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/* The public CVD intake (issue 10 section 4): cvd_reports (a case's
 * follow-up secret hash and the reporter's contact) and cvd_messages. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "store/store.h"

struct store_cvd_report {
        int64_t case_id;
        char *secret_sha256, *product, *contact;
        int64_t created_at;
};
void store_cvd_report_clear(struct store_cvd_report *r);
int store_cvd_report_insert(struct store *s, const struct store_cvd_report *r, struct error *err);
/* ERROR_NOT_FOUND when the case has no intake row. */
int store_cvd_report_get(struct store *s, int64_t case_id, struct store_cvd_report *out, struct error *err);

struct store_cvd_message {
        int64_t id, case_id;
        char *author, *author_name, *body;
        bool encrypted;
        int64_t created_at;
};
int store_cvd_message_insert(struct store *s, const struct store_cvd_message *m, int64_t *id, struct error *err);
/* A case's messages in order (oldest first). */
int store_cvd_messages(struct store *s, int64_t case_id, struct store_cvd_message **out, size_t *n,
                       struct error *err);
void store_cvd_messages_free(struct store_cvd_message *l, size_t n);

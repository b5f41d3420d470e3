/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/*
 * The public CVD intake's HTML: the report form, the receipt, the reporter's
 * follow-up view and the error pages. Plain HTML5 without JavaScript, with a
 * lang attribute, labels and fieldsets.
 *
 * Everything that did not come from this file (a reporter's or the team's
 * text, a case title, a reference, a URL) goes through cvd_html_escape, the
 * one escaping function of every view, so it is shown as text and never
 * interpreted. Pages are served as text/html; charset=utf-8 (and declare it
 * in a meta element), so no browser sniffs another charset such as UTF-7.
 */
#include <stddef.h>
#include <stdint.h>

#include "core/strutil.h"

/* Appends s with & < > " ' replaced by character references (safe in text
 * and in quoted attribute values). NULL appends nothing. */
void cvd_html_escape(struct buf *b, const char *s);

struct cvd_message;

/* The report form. error (may be NULL) is shown above it. */
char *cvd_html_form_page(const char *error, size_t max_report);
/* After a report: the reference and the secret follow-up link. */
char *cvd_html_receipt_page(const char *reference, const char *follow_url);

struct cvd_html_follow {
        const char *reference, *title, *state;
        int64_t received_at, ack_due_at, acknowledged_at, disclosure_target_at, disclosed_at;
        const char *reporter_credit;
        const struct cvd_message *messages;
        size_t n_messages;
        const char *post_url; /* where the reply form posts (no secret in it) */
        const char *secret;   /* sent back in a hidden field */
        const char *notice;   /* may be NULL: "Your message was sent." */
};
char *cvd_html_follow_page(const struct cvd_html_follow *v);
/* An error page: a heading from the status and the message. */
char *cvd_html_error_page(unsigned status, const char *message);

/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/*
 * The ENISA CRA Single Reporting Platform field set (issue 10 section 3), in
 * ONE versioned table (srp-fields.c): per field its glossary name, the track
 * it belongs to, per stage whether it is required, its length limit and its
 * position in the platform's form. Nothing else in Cradle names SRP fields.
 *
 * Provenance: the glossary itself could not be retrieved in this session.
 * The field names and limits are those the issue lists (marked "issue" in the
 * table); the per-stage requirement follows CRA Art. 14(2)/(4) for what each
 * report must contain. See docs/reporting.md "SRP report packages".
 */
#include <stdbool.h>
#include <stddef.h>

enum srp_stage { SRP_EARLY_WARNING = 0, SRP_NOTIFICATION, SRP_INTERMEDIATE, SRP_FINAL, SRP_STAGE_N };
enum srp_track { SRP_TRACK_VULNERABILITY = 0, SRP_TRACK_INCIDENT };
enum srp_glossary { SRP_GLOSSARY_V1_1 = 0, SRP_GLOSSARY_V1_3, SRP_GLOSSARY_N };
#define SRP_GLOSSARY_DEFAULT SRP_GLOSSARY_V1_3

/* Which tracks a field belongs to. */
#define SRP_COMMON 3u
#define SRP_VULN 1u
#define SRP_INC 2u

struct srp_field {
        const char *name;        /* glossary field name (JSON key) */
        const char *label;       /* the form's label (Markdown) */
        unsigned tracks;         /* SRP_COMMON, SRP_VULN, SRP_INC */
        unsigned required;       /* bit per enum srp_stage */
        size_t max_len;          /* characters (UTF-8 code points); 0 = no limit */
        unsigned glossaries;     /* bit per enum srp_glossary the field exists in */
        const char *source;      /* "issue": name taken from the issue text */
};

/* "early-warning", "notification", "intermediate", "final"; "v1.1", "v1.3". */
const char *srp_stage_name(enum srp_stage s);
int srp_stage_parse(const char *s, enum srp_stage *out);
const char *srp_glossary_name(enum srp_glossary g);
int srp_glossary_parse(const char *s, enum srp_glossary *out);

/* The fields of (glossary, track) in the form's order; *n their count. */
const struct srp_field *srp_fields(size_t *n);
bool srp_field_applies(const struct srp_field *f, enum srp_glossary g, enum srp_track t);
bool srp_field_required(const struct srp_field *f, enum srp_stage s);
const struct srp_field *srp_field_find(const char *name);

/* SPDX-License-Identifier: Apache-2.0 */
/* The SRP field table (srp-fields.h). Order = the form's order. */
#include "case/srp-fields.h"

#include <string.h>

#define EW (1u << SRP_EARLY_WARNING)
#define NO (1u << SRP_NOTIFICATION)
#define IM (1u << SRP_INTERMEDIATE)
#define FI (1u << SRP_FINAL)
#define ALL (EW | NO | IM | FI)
#define LATER (NO | IM | FI)
#define G11 (1u << SRP_GLOSSARY_V1_1)
#define G13 (1u << SRP_GLOSSARY_V1_3)
#define GB (G11 | G13)

/* Required sets follow Art. 14: the early warning (14(2)(a), 14(4)(a)) names
 * the product and the Member States and, for incidents, whether suspected
 * malicious; the notification (14(2)(b), 14(4)(b)) adds the nature, the
 * measures taken and those users can take, and sensitivity; the final report
 * (14(2)(c), 14(4)(c)) adds severity and impact, the malicious actor (where
 * known: not required) and the security update / root cause. v1.1 had no
 * EUVD id field (the EUVD opened after it); v1.3 adds it. That is the one
 * difference Cradle models; others could not be established here. */
static const struct srp_field fields[] = {
        {"notification_type", "Notification type", SRP_COMMON, ALL, 0, GB, "issue"},
        {"title", "Title", SRP_COMMON, ALL, 255, GB, "issue"},
        {"summary", "Summary", SRP_COMMON, ALL, 4000, GB, "issue"},
        {"manufacturer", "Manufacturer", SRP_COMMON, ALL, 255, GB, "issue"},
        {"member_states", "Member States concerned / CSIRT", SRP_COMMON, ALL, 0, GB, "issue"},
        {"product_name", "Product name", SRP_COMMON, ALL, 255, GB, "issue"},
        {"product_version", "Product version or range", SRP_COMMON, ALL, 255, GB, "issue"},
        {"product_type", "Product type (default, important, critical)", SRP_COMMON, LATER, 0, GB, "issue"},
        {"product_class", "Product class", SRP_COMMON, 0, 0, GB, "issue"},
        {"category", "Category", SRP_COMMON, LATER, 255, GB, "issue"},
        {"end_of_support", "End of support", SRP_COMMON, LATER, 0, GB, "issue"},
        {"component_name", "Component name", SRP_COMMON, 0, 255, GB, "issue"},
        {"mitigation_expected_shortly", "Mitigation expected shortly", SRP_COMMON, LATER, 0, GB, "issue"},
        {"user_action", "User action", SRP_COMMON, LATER, 2000, GB, "issue"},
        {"sensitivity", "Sensitivity of the information", SRP_COMMON, LATER, 0, GB, "issue"},
        {"measures_taken", "Measures taken", SRP_COMMON, LATER, 2000, GB, "issue"},
        {"measures_users_can_take", "Measures users can take", SRP_COMMON, LATER, 2000, GB, "issue"},
        {"attack_vector", "Attack vector", SRP_COMMON, 0, 255, GB, "issue"},
        {"affected_units", "Affected units (devices)", SRP_COMMON, 0, 0, GB, "cradle"},
        {"patched_units", "Patched units (devices)", SRP_COMMON, 0, 0, GB, "cradle"},
        {"campaign_progress", "Update campaign progress", SRP_COMMON, 0, 0, GB, "cradle"},
        {"cve_id", "CVE id", SRP_VULN, 0, 0, GB, "issue"},
        {"euvd_id", "EUVD id", SRP_VULN, 0, 0, G13, "issue"},
        {"general_information", "General information", SRP_VULN, LATER, 4000, GB, "issue"},
        {"measure_available_date", "Date the measure became available", SRP_VULN, FI, 0, GB, "issue"},
        {"update_details", "Security update details", SRP_VULN, FI, 2000, GB, "issue"},
        {"severity_impact", "Severity and impact", SRP_VULN, FI, 2000, GB, "issue"},
        {"awareness_time", "Awareness time (UTC)", SRP_VULN, ALL, 0, GB, "issue"},
        {"malicious_actor", "Malicious actor", SRP_VULN, 0, 100, GB, "issue"},
        {"exceptional_circumstances", "Art. 16(2) exceptional circumstances", SRP_VULN, 0, 0, GB, "issue"},
        {"delay_reason", "Reason for delay", SRP_VULN, 0, 2000, GB, "issue"},
        {"further_information", "Further information", SRP_VULN, 0, 4000, GB, "issue"},
        {"suspected_malicious", "Suspected malicious (yes, no, unknown)", SRP_INC, ALL, 0, GB, "issue"},
        {"nature", "Nature of the incident", SRP_INC, LATER, 2000, GB, "issue"},
        {"mitigation", "Mitigation", SRP_INC, LATER, 2000, GB, "issue"},
        {"severity_impact_incident", "Severity and impact", SRP_INC, FI, 2000, GB, "issue"},
        {"threat_root_cause", "Threat / root cause", SRP_INC, FI, 2000, GB, "issue"},
        {"awareness_time_incident", "Awareness time (UTC)", SRP_INC, ALL, 0, GB, "issue"},
        {"occurrence_time", "Occurrence time (UTC)", SRP_INC, 0, 0, GB, "issue"},
        {"initial_assessment", "Initial assessment", SRP_INC, NO, 2000, GB, "issue"},
};

static const char *stage_names[SRP_STAGE_N] = {"early-warning", "notification", "intermediate", "final"};
static const char *glossary_names[SRP_GLOSSARY_N] = {"v1.1", "v1.3"};

const char *srp_stage_name(enum srp_stage s) {
        return (unsigned) s < SRP_STAGE_N ? stage_names[s] : "?";
}

int srp_stage_parse(const char *s, enum srp_stage *out) {
        for (unsigned i = 0; s && i < SRP_STAGE_N; i++)
                if (strcmp(s, stage_names[i]) == 0) {
                        *out = (enum srp_stage) i;
                        return 0;
                }
        return -1;
}

const char *srp_glossary_name(enum srp_glossary g) {
        return (unsigned) g < SRP_GLOSSARY_N ? glossary_names[g] : "?";
}

int srp_glossary_parse(const char *s, enum srp_glossary *out) {
        for (unsigned i = 0; s && i < SRP_GLOSSARY_N; i++)
                if (strcmp(s, glossary_names[i]) == 0) {
                        *out = (enum srp_glossary) i;
                        return 0;
                }
        return -1;
}

const struct srp_field *srp_fields(size_t *n) {
        *n = sizeof(fields) / sizeof(fields[0]);
        return fields;
}

bool srp_field_applies(const struct srp_field *f, enum srp_glossary g, enum srp_track t) {
        return (f->glossaries & (1u << g)) && (f->tracks & (t == SRP_TRACK_INCIDENT ? SRP_INC : SRP_VULN));
}

bool srp_field_required(const struct srp_field *f, enum srp_stage s) {
        return (f->required & (1u << s)) != 0;
}

const struct srp_field *srp_field_find(const char *name) {
        for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
                if (strcmp(fields[i].name, name) == 0)
                        return &fields[i];
        return NULL;
}

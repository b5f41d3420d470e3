/* SPDX-License-Identifier: Apache-2.0 */
/* cradle vuln: the vulnerability group (issue 9). Each stream adds its leaves. */
#include "cli/command.h"

static const struct cli_command *const vuln_subs[] = {
        &cli_cmd_vuln_explain,
        NULL,
};

const struct cli_command cli_cmd_vuln = {
        .name = "vuln",
        .summary = "Vulnerabilities: why a component matches",
        .subs = vuln_subs,
};

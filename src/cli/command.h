/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/*
 * The command tree: git-style `cradle <command> [<subcommand>] [options]`.
 * A group has subcommands; a leaf has a run function that parses its own
 * options with getopt_long (argv[0] is the leaf's name) and returns the exit
 * code. Every node has help text, printed by --help at its level.
 */
#include <stdio.h>

#include "cli/cli.h"

struct cli_command {
        const char *name;
        const char *summary;    /* one line, for the parent's list */
        const char *usage;      /* leaf: "--name NAME --role ROLE" (after the path) */
        const char *help;       /* leaf: description and options, ends in '\n' */
        int (*run)(struct cli_ctx *ctx, int argc, char **argv);
        const struct cli_command *const *subs; /* group: NULL-terminated */
};

/* The top-level commands, NULL-terminated. */
extern const struct cli_command *const cli_commands[];

extern const struct cli_command cli_cmd_whoami;
extern const struct cli_command cli_cmd_token;
extern const struct cli_command cli_cmd_user;     /* issue 11 */
extern const struct cli_command cli_cmd_approval; /* issue 11 */
extern const struct cli_command cli_cmd_kek;      /* issue 11 section 6 */
extern const struct cli_command cli_cmd_debug; /* issue 11 section 4 */
extern const struct cli_command cli_cmd_product;
extern const struct cli_command cli_cmd_audit;
extern const struct cli_command cli_cmd_audit_verify;
extern const struct cli_command cli_cmd_audit_checkpoints;
extern const struct cli_command cli_cmd_key;
extern const struct cli_command cli_cmd_pki;
extern const struct cli_command cli_cmd_ca;
extern const struct cli_command cli_cmd_batch;
extern const struct cli_command cli_cmd_provision;
extern const struct cli_command cli_cmd_device;
extern const struct cli_command cli_cmd_cert;
extern const struct cli_command cli_cmd_migration;
extern const struct cli_command cli_cmd_security_events;
extern const struct cli_command cli_cmd_release;
extern const struct cli_command cli_cmd_vuln;
extern const struct cli_command cli_cmd_repo;
extern const struct cli_command cli_cmd_director;
extern const struct cli_command cli_cmd_campaign;
/* issue 9: findings, exposure, vuln explain */
extern const struct cli_command cli_cmd_findings;
extern const struct cli_command cli_cmd_exposure;
extern const struct cli_command cli_cmd_vuln_explain;
extern const struct cli_command cli_cmd_sbom;
extern const struct cli_command cli_cmd_vex;
extern const struct cli_command cli_cmd_case; /* CRA reporting cases (issue 10) */
/* issue 10 section 3: SRP report packages (subcommands of case) */
extern const struct cli_command cli_cmd_case_report;
extern const struct cli_command cli_cmd_case_submitted;
/* issue 10 section 6: informing users (cmd-notify.c; subcommands of device, batch, case) */
extern const struct cli_command cli_cmd_device_set_owner;
extern const struct cli_command cli_cmd_batch_set_owner;
extern const struct cli_command cli_cmd_case_notify_list;
extern const struct cli_command cli_cmd_case_advisory;
extern const struct cli_command cli_cmd_case_publish;
extern const struct cli_command cli_cmd_cvd; /* the public CVD intake (issue 10 section 4) */

/* Prints the help of `cmd` (NULL: the program's) reached by `path`. */
void cli_help_print(FILE *f, const struct cli_command *cmd, const char *path);
void cli_version_print(FILE *f);

/* Runs argv[0] (a name in `table`) with the rest; parent_path is "cradle" or
 * "cradle token". */
int cli_dispatch(struct cli_ctx *ctx, const struct cli_command *const *table,
                 const char *parent_path, int argc, char **argv);

/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/* The device subcommands of cmd-ddi.c, listed in cmd-device.c's group. */
#include "cli/command.h"

extern const struct cli_command cli_cmd_device_ddi_token;
extern const struct cli_command cli_cmd_device_cancel;
extern const struct cli_command cli_cmd_device_config_data;

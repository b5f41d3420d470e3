/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/*
 * cradle-agent debug challenge|verify (issue 11, section 4; docs/agent.md
 * "Debug access"): the device's half of debug authorisation, over the
 * allocation-free verifier of src/debug.
 *
 * The outstanding challenge lives in <state dir>/debug-challenge (0600,
 * written atomically), the simulation of the device's immutable secure
 * storage: one challenge at a time (a new one replaces it), and `verify`
 * erases it (unlink, then fsync of the directory) before it checks the token,
 * so whatever happens next, a token is checked at most once against a nonce.
 */
#include <stdint.h>
#include "agent/config.h"
#include "core/error.h"

#define AGENT_DEBUG_CHALLENGE_FILE "debug-challenge"

/* Makes a fresh challenge for `scope` ("jtag,uart-console"), stores it, and
 * writes it to out_path (raw bytes), or to stdout in base64 when out_path is NULL. */
int agent_debug_challenge(const struct agent_config *cfg, const char *scope, const char *out_path,
                          struct error *err);
/* Checks the token in token_path at time now. 0: valid (*summary, heap, says
 * what it allows); -1 with err naming the reason. */
int agent_debug_verify(const struct agent_config *cfg, const char *token_path, int64_t now, char **summary,
                       struct error *err);

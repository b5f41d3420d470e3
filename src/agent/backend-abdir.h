/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/*
 * The ab-dir backend: a faithful simulation of an A/B device in a directory,
 * used by the tests and the power-loss suite.
 *
 *   slotA, slotB   the two slot images
 *   active         "A" or "B": the confirmed slot (A when missing)
 *   pending        "A" or "B": the slot to try at the next boots (absent: none)
 *   boot_count     boots of the pending slot so far
 *   booted         the slot the simulated bootloader started last
 *   boot_seq       a counter bumped at every simulated boot (the boot id)
 *   fallback       present after the bootloader gave up on a pending slot: why
 *
 * Every marker is written atomically. `cradle-agent boot` plays the
 * bootloader (agent_abdir_boot): with a pending slot and boot_count below
 * max_boot_attempts it boots the pending slot and increments boot_count;
 * once boot_count reached the maximum it drops pending, writes fallback and
 * boots the active slot; without a pending slot it boots the active one.
 */
#include <stdint.h>
#include "core/error.h"

struct agent_abdir_status {
        char active, pending, booted; /* 'A', 'B', or 0 for none */
        int64_t boot_count;
        int64_t boot_seq;
        char fallback[256];           /* "" when none */
};

int agent_abdir_read(const char *dir, struct agent_abdir_status *st, struct error *err);
/* One simulated boot; *booted is the slot started. */
int agent_abdir_boot(const char *dir, int64_t max_boot_attempts, char *booted, struct error *err);

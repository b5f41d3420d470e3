/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/*
 * One background thread that runs a pass every interval: the loop the
 * maintenance threads of cradled share (repository re-signing, the campaign
 * evaluator, the vulnerability monitor, the Art. 14 and end-of-support
 * reminders). The first pass runs at start. A pass that fails is logged with
 * the worker's name and runs again at the next interval; nothing else is
 * retried early, so a broken store is not hammered. periodic_stop wakes the
 * thread at once (it never waits out an interval) and joins it, so shutdown
 * stays prompt; a long pass can ask periodic_stopping between its chunks.
 */
#include <stdbool.h>

#include "core/error.h"

struct periodic;

/* One pass. Returns 0, or -1 with err set (logged by the worker). */
typedef int (*periodic_pass_fn)(struct periodic *p, void *ctx, struct error *err);

/* name is copied (for the log); ctx must outlive the worker. */
int periodic_start(const char *name, unsigned interval_s, periodic_pass_fn pass, void *ctx, struct periodic **out,
                   struct error *err);
/* True once periodic_stop was called: a pass in chunks ends early. */
bool periodic_stopping(struct periodic *p);
/* Wakes the thread, waits for the pass in progress and frees. NULL is fine. */
void periodic_stop(struct periodic *p);

/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/*
 * The server-side feed import job (issue 9 section 2): every [vuln]
 * import_interval, each regular file in [vuln] import_dir (name order;
 * dot-files ignored) whose size or modification time changed since this
 * thread last saw it is imported with vuln_import_file, as actor "system".
 * Feeds are dropped there by whatever mirrors them (rsync, a cron job with
 * curl, a removable medium): cradled itself fetches nothing. The memory of
 * what was seen is in-process: after a restart each file is imported once
 * more, which writes nothing for unchanged records. A file that fails is
 * logged and retried only when it changes. Stops promptly on shutdown
 * (between two files).
 */
#include "core/error.h"

struct store_pool;
struct vuln_importer;

/* dir must exist; pool must outlive it. */
int vuln_importer_start(struct store_pool *pool, const char *dir, unsigned interval_s, struct vuln_importer **out,
                        struct error *err);
/* NULL is fine. */
void vuln_importer_stop(struct vuln_importer *v);

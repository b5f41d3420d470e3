/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/*
 * Where a TUF client gets its files from. The client names a file relative to
 * a base ("timestamp.json", "4.snapshot.json", "fw/<sha256>.image.bin") and
 * gives the most bytes it accepts; the fetcher does the transport (HTTP with
 * timeouts against slow retrieval, a local directory, a USB stick...).
 *
 * The contract:
 *  - return 0 with *out (heap, free()) and *len; a NUL after the data is
 *    welcome but not required;
 *  - more than max_len bytes: stop reading, return -1 with ERROR_TOO_LARGE
 *    (the client checks the length again anyway);
 *  - no such file: -1 with ERROR_NOT_FOUND (this is how the root chain ends);
 *  - anything else: -1 with the kind that fits and a message naming the file.
 */
#include <stddef.h>
#include "core/error.h"

struct tuf_fetcher {
        int (*fetch)(void *ud, const char *name, size_t max_len, char **out, size_t *len,
                     struct error *err);
        void *ud;
};

/* A fetcher over a local directory: `name` is resolved under base_dir after
 * tuf_path_check() (no absolute paths, no ".."). The fetcher keeps a pointer
 * to base_dir; it must outlive the fetcher. */
struct tuf_dir_fetcher {
        const char *base_dir;
};
struct tuf_fetcher tuf_dir_fetcher(struct tuf_dir_fetcher *dir);

/* SPDX-License-Identifier: Apache-2.0 */
/* The directory fetcher: a repository on a local file system. */
#include "core/cleanup.h"
#include "core/fileio.h"
#include "tuf/fetcher.h"
#include "tuf/metadata.h"

static int dir_fetch(void *ud, const char *name, size_t max_len, char **out, size_t *len,
                     struct error *err) {
        struct tuf_dir_fetcher *d = ud;
        _cleanup_free_ char *path = NULL;

        if (!d || !d->base_dir)
                return error_set(err, ERROR_INTERNAL, "directory fetcher has no base directory");
        if (tuf_path_check("fetch", name, err) < 0)
                return -1;
        path = path_join(d->base_dir, name);
        return file_read_all(path, max_len, out, len, err);
}

struct tuf_fetcher tuf_dir_fetcher(struct tuf_dir_fetcher *dir) {
        return (struct tuf_fetcher) { .fetch = dir_fetch, .ud = dir };
}

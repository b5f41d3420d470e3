/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/* Files that survive a power cut: write to a temp file in the same directory,
 * fsync, rename over the target, fsync the directory. */
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include "core/error.h"

int file_write_atomic(const char *path, const void *data, size_t len, mode_t mode,
                      struct error *err);
/* Creates a new file with this content and mode, never replacing anything:
 * written to a temp file in the same directory, fsynced, then link()ed to
 * path, so the name appears only with the complete content and an existing
 * file (or symlink) at path is refused with ERROR_CONFLICT. For keys. */
int file_write_new(const char *path, const void *data, size_t len, mode_t mode, struct error *err);
/* Reads a whole file, refusing more than max bytes. Adds a NUL after the data. */
int file_read_all(const char *path, size_t max, char **out, size_t *len_out, struct error *err);
/* Refuses a file readable or writable by group or others (for keys, tokens). */
int file_check_private(const char *path, struct error *err);
int dir_fsync(const char *dir, struct error *err);
/* mkdir -p with mode for every created component. */
int dir_create(const char *path, mode_t mode, struct error *err);
bool file_exists(const char *path);
/* Joins two path parts into a heap string. */
char *path_join(const char *a, const char *b);

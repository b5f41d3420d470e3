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
/* file_write_atomic in two steps, for files that must switch only after
 * something else (a database commit) succeeded: file_stage writes and fsyncs
 * the content under a hidden name beside path (".<name>.XXXXXX", *staged,
 * heap); file_stage_switch renames it over path and fsyncs the directory
 * (*staged is consumed, also on failure); file_stage_abort removes it. */
int file_stage(const char *path, const void *data, size_t len, mode_t mode, char **staged,
               struct error *err);
int file_stage_switch(char **staged, const char *path, struct error *err);
void file_stage_abort(char **staged);
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

/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/*
 * Downloading a target image to a partial file, resumable, checked while it
 * streams:
 *  - an existing partial file is resumed with a Range request from its size;
 *    its prefix is hashed again first (the hash covers the whole image);
 *  - a server that ignores Range (200) restarts the download from byte 0;
 *  - never more than the expected length is written: the transfer is aborted
 *    at the first byte beyond it (endless data);
 *  - at the end, the length must be exact and the SHA-256 must match; a wrong
 *    hash deletes the partial file (it can never become right by resuming)
 *    and fails with ERROR_INVALID;
 *  - an interrupted transfer (network, slow retrieval, timeout) keeps the
 *    partial file and fails with ERROR_UNAVAILABLE: the next attempt resumes.
 * The file is fsynced before success is returned.
 */
#include <stdint.h>
#include "agent/fetch.h"
#include "core/error.h"
#include "crypto/hash.h"

struct agent_download_result {
        int64_t resumed_from;   /* bytes already there when the transfer started */
        int64_t fetched;        /* bytes transferred now */
};

int agent_download(struct agent_http *http, const char *url, const char *part_path, int64_t length,
                   const uint8_t sha256[SHA256_LEN], struct agent_download_result *res,
                   struct error *err);

/* Hashes a whole file (at most `max` bytes; more is an error) — used to check
 * a completed download again before it is installed. */
int agent_file_sha256(const char *path, int64_t max, uint8_t out[SHA256_LEN], int64_t *len,
                      struct error *err);

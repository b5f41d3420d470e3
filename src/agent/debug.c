/* SPDX-License-Identifier: Apache-2.0 */
/* cradle-agent debug challenge|verify (debug.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "agent/debug.h"
#include "agent/state.h"
#include "core/cleanup.h"
#include "core/fileio.h"
#include "core/strutil.h"
#include "core/time.h"
#include "crypto/encoding.h"
#include "crypto/random.h"
#include "debug/anchor-gnutls.h"
#include "debug/token.h"
#include "debug/verify.h"

/* The device-unique id: the first line of the configured file. */
static int read_uid(const struct agent_config *cfg, char out[DEBUG_UID_MAX + 1], struct error *err) {
        _cleanup_free_ char *data = NULL;
        size_t len = 0;
        if (file_read_all(cfg->debug_uid_file, 4096, &data, &len, err) < 0)
                return error_prefix(err, "[debug] device_uid_file: ");
        size_t n = strcspn(data, "\r\n");
        if (n == 0 || n > DEBUG_UID_MAX)
                return error_set(err, ERROR_INVALID, "[debug] device_uid_file '%s': the id must be 1 to %d bytes",
                                 cfg->debug_uid_file, DEBUG_UID_MAX);
        for (size_t i = 0; i < n; i++)
                if (data[i] < 0x21 || data[i] > 0x7e)
                        return error_set(err, ERROR_INVALID,
                                         "[debug] device_uid_file '%s': the id must be printable ASCII",
                                         cfg->debug_uid_file);
        memcpy(out, data, n);
        out[n] = 0;
        return 0;
}

/* The security version of the firmware the device runs. */
static int read_security_version(const struct agent_config *cfg, uint64_t *out, struct error *err) {
        struct agent_state st;
        if (agent_state_load(cfg->state_dir, &st, err) < 0)
                return -1;
        *out = st.current.security_version > 0 ? (uint64_t) st.current.security_version : 0;
        agent_state_free(&st);
        return 0;
}

int agent_debug_challenge(const struct agent_config *cfg, const char *scope, const char *out_path,
                          struct error *err) {
        uint8_t nonce[DEBUG_NONCE_LEN], buf[DEBUG_CHALLENGE_MAX];
        char uid[DEBUG_UID_MAX + 1];
        uint32_t bits = 0;
        uint64_t sv = 0;
        size_t len = 0;
        if (debug_scope_parse(scope, &bits) < 0)
                return error_set(err, ERROR_INVALID,
                                 "--scope '%.64s': expected a comma-separated list of jtag, uart-console, "
                                 "root-shell, factory-unlock", scope ? scope : "");
        if (read_uid(cfg, uid, err) < 0 || read_security_version(cfg, &sv, err) < 0 ||
            random_bytes(nonce, sizeof(nonce), err) < 0)
                return -1;
        struct debug_challenge c = {
                .nonce = { nonce, sizeof(nonce) },
                .serial = { (const uint8_t *) cfg->serial, strlen(cfg->serial) },
                .uid = { (const uint8_t *) uid, strlen(uid) },
                .scope = bits,
                .security_version = sv,
        };
        enum debug_status st = debug_challenge_encode(&c, buf, sizeof(buf), &len);
        if (st != DEBUG_OK)
                return error_set(err, ERROR_INVALID, "debug challenge for serial '%.64s': %s", cfg->serial,
                                 debug_status_string(st));
        /* Stored first: a challenge handed out is always one the device knows. */
        _cleanup_free_ char *path = path_join(cfg->state_dir, AGENT_DEBUG_CHALLENGE_FILE);
        if (dir_create(cfg->state_dir, 0700, err) < 0 || file_write_atomic(path, buf, len, 0600, err) < 0)
                return -1;
        if (out_path)
                return file_write_atomic(out_path, buf, len, 0644, err);
        _cleanup_free_ char *b64 = base64_encode(buf, len);
        printf("%s\n", b64);
        return fflush(stdout) == 0 ? 0 : error_set(err, ERROR_IO, "stdout: %s", strerror(errno));
}

/* Reads the outstanding challenge and erases it from storage: after this the
 * device knows no challenge, whatever the token turns out to be. */
static int take_challenge(const struct agent_config *cfg, uint8_t *buf, size_t cap, size_t *len,
                          struct error *err) {
        _cleanup_free_ char *path = path_join(cfg->state_dir, AGENT_DEBUG_CHALLENGE_FILE);
        _cleanup_free_ char *data = NULL;
        struct error rerr = { 0 };
        *len = 0;
        if (file_read_all(path, cap, &data, len, &rerr) < 0) {
                if (!file_exists(path))
                        return 0; /* none outstanding */
                *len = 0;        /* unreadable or oversized: erased below, and no challenge */
        } else {
                memcpy(buf, data, *len);
        }
        if (unlink(path) < 0 && errno != ENOENT)
                return error_set(err, ERROR_IO, "%s: cannot erase the outstanding challenge: %s", path,
                                 strerror(errno));
        return dir_fsync(cfg->state_dir, err);
}

int agent_debug_verify(const struct agent_config *cfg, const char *token_path, int64_t now, char **summary,
                       struct error *err) {
        uint8_t challenge[DEBUG_CHALLENGE_MAX];
        size_t challenge_len = 0, token_len = 0;
        _cleanup_free_ char *token = NULL;
        char uid[DEBUG_UID_MAX + 1];
        uint64_t sv = 0;
        gnutls_pubkey_t pub = NULL;
        struct debug_anchor anchor;
        struct debug_token t;

        if (!cfg->debug_trust_anchor || !*cfg->debug_trust_anchor)
                return error_set(err, ERROR_INVALID, "[debug] trust_anchor is not set: no debug token can be "
                                                     "accepted");
        /* Everything that can fail for local reasons fails before the
         * challenge is consumed; from take_challenge on, the nonce is spent. */
        if (file_read_all(token_path, DEBUG_TOKEN_MAX, &token, &token_len, err) < 0)
                return error_prefix(err, "debug token: ");
        if (read_uid(cfg, uid, err) < 0 || read_security_version(cfg, &sv, err) < 0 ||
            debug_pubkey_load(cfg->debug_trust_anchor, &pub, err) < 0)
                return -1;
        if (debug_anchor_from_pubkey(pub, &anchor, err) < 0 ||
            take_challenge(cfg, challenge, sizeof(challenge), &challenge_len, err) < 0) {
                gnutls_pubkey_deinit(pub);
                return -1;
        }
        struct debug_device dev = {
                .challenge = challenge_len ? challenge : NULL, .challenge_len = challenge_len,
                .serial = cfg->serial, .uid = (const uint8_t *) uid, .uid_len = strlen(uid),
                .security_version = sv, .now = now, .max_validity = cfg->debug_max_validity,
        };
        enum debug_status st = debug_token_verify((const uint8_t *) token, token_len, &dev, &anchor, &t);
        gnutls_pubkey_deinit(pub);
        if (st != DEBUG_OK)
                return error_set(err, ERROR_FORBIDDEN, "debug token '%s' refused: %s", token_path,
                                 debug_status_string(st));
        char scope[96], until[TIME_RFC3339_LEN], id[2 * DEBUG_TOKEN_ID_LEN + 1];
        debug_scope_format(t.scope, scope, sizeof(scope));
        time_format_rfc3339(t.not_after, until);
        hex_encode(t.token_id.p, t.token_id.n, id);
        *summary = str_printf("debug token %s valid: scope %s until %s, approved by %.*s", id, scope, until,
                              (int) t.approvers.n, (const char *) t.approvers.p);
        return 0;
}

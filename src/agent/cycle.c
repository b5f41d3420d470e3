/* SPDX-License-Identifier: Apache-2.0 */
#include "agent/cycle.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "agent/boot.h"
#include "agent/download.h"
#include "agent/report.h"
#include "agent/spawn.h"
#include "agent/verify.h"
#include "core/cleanup.h"
#include "core/log.h"
#include "crypto/ct.h"
#include "crypto/encoding.h"
#include "crypto/key.h"
#include "crypto/ota-wrap.h"

static void drop_download(struct agent *a) {
        _cleanup_free_ char *part = agent_download_path(a);
        unlink(part);
}

static void to_idle(struct agent *a) {
        a->st.phase = AGENT_PHASE_IDLE;
        memset(&a->st.target, 0, sizeof(a->st.target));
        a->st.activated_boot_id[0] = '\0';
        a->st.boot_attempts = 0;
}

/* An update that failed before activation: report, forget, back off. The
 * inactive slot may hold a partial image; nothing points at it. */
static int fail_update(struct agent *a, const char *what, struct error *err) {
        char why[sizeof(a->st.last_error)];
        struct error serr = { 0 };

        snprintf(why, sizeof(why), "%s: %.400s", what, err->msg);
        agent_report(a, "failure", why);
        drop_download(a);
        to_idle(a);
        agent_state_set_error(&a->st, why);
        agent_save(a, &serr);
        return error_set(err, err->kind ? err->kind : ERROR_INTERNAL, "%s", why);
}

static int step_verify_and_download(struct agent *a, struct error *err) {
        struct agent_http *http;
        struct agent_update up;
        struct agent_download_result res;
        _cleanup_free_ char *part = agent_download_path(a);
        uint8_t sha[SHA256_LEN];
        int r;

        if (agent_http(a, &http, err) < 0)
                return -1;
        if (agent_verify_update(a->cfg, http, &a->st, &up, err) < 0) {
                /* Refused metadata never changes the state, except for
                 * recording why. */
                struct error serr = { 0 };
                agent_state_set_error(&a->st, err->msg);
                agent_save(a, &serr);
                return -1;
        }
        a->st.director_version = up.director_version;
        if (!up.available || strcmp(up.image.sha256, a->st.current.sha256) == 0 ||
            strcmp(up.image.sha256, a->st.failed_sha256) == 0) {
                if (up.available && strcmp(up.image.sha256, a->st.failed_sha256) == 0)
                        log_info("%s was rolled back on this device before; not retried", up.image.version);
                else
                        log_info("up to date (%s)", a->st.current.version[0] ? a->st.current.version : "no update assigned");
                if (a->st.phase == AGENT_PHASE_DOWNLOADING) {
                        drop_download(a);
                        to_idle(a);
                }
                a->st.last_error[0] = '\0';
                agent_update_clear(&up);
                return agent_save(a, err);
        }
        if (a->st.phase == AGENT_PHASE_DOWNLOADING && strcmp(a->st.target.sha256, up.image.sha256) != 0) {
                log_info("the assignment changed from %s to %s; restarting the download", a->st.target.version,
                         up.image.version);
                drop_download(a);
        }
        if (a->st.phase != AGENT_PHASE_DOWNLOADING || strcmp(a->st.target.sha256, up.image.sha256) != 0) {
                a->st.target = up.image;
                a->st.phase = AGENT_PHASE_DOWNLOADING;
                a->st.boot_attempts = 0;
                if (agent_save(a, err) < 0) {
                        agent_update_clear(&up);
                        return -1;
                }
                agent_report(a, "downloading", "");
        }
        if (hex_decode(a->st.target.sha256, sha, SHA256_LEN, err) < 0) {
                agent_update_clear(&up);
                return -1;
        }
        log_info("downloading %s (%" PRId64 " bytes) from %s", a->st.target.path, a->st.target.length, up.url);
        r = agent_download(http, up.url, part, a->st.target.length, sha, &res, err);
        agent_update_clear(&up);
        if (r < 0) {
                struct error serr = { 0 };
                if (err->kind == ERROR_INVALID || err->kind == ERROR_TOO_LARGE)
                        return fail_update(a, "download refused", err);
                /* Interrupted: keep the partial file, resume next time. */
                agent_state_set_error(&a->st, err->msg);
                agent_save(a, &serr);
                return -1;
        }
        if (res.resumed_from > 0)
                log_info("download resumed at byte %" PRId64 " and complete", res.resumed_from);
        a->st.phase = AGENT_PHASE_INSTALLING;
        return agent_save(a, err);
}

/* An install this process did not verify itself (a power cut or restart
 * while `installing`) is not resumed on the strength of metadata verified
 * back then: a release withdrawn or an assignment changed meanwhile must not
 * reach a slot. So the metadata is verified again first (docs/agent.md,
 * "Interrupted installs"):
 *  - it verifies and still assigns the same image: the install goes on;
 *  - it verifies and assigns another image or none: the download is dropped,
 *    a "failure" is reported and the agent is idle (the next step takes up
 *    whatever is assigned now);
 *  - it cannot be verified (server unreachable, metadata refused): nothing
 *    changes, the slots stay as they are and the next cycle tries again. */
static int step_reverify(struct agent *a, struct error *err) {
        struct agent_http *http;
        struct agent_update up;
        bool same;

        if (agent_http(a, &http, err) < 0)
                return -1;
        if (agent_verify_update(a->cfg, http, &a->st, &up, err) < 0) {
                struct error serr = { 0 };
                error_prefix(err, "resuming the install of %s: metadata not verified, the slots are left as "
                                  "they are: ",
                             a->st.target.version);
                agent_state_set_error(&a->st, err->msg);
                agent_save(a, &serr);
                return -1;
        }
        a->st.director_version = up.director_version;
        same = up.available && strcmp(up.image.sha256, a->st.target.sha256) == 0 &&
               up.image.length == a->st.target.length &&
               up.image.security_version == a->st.target.security_version;
        agent_update_clear(&up);
        if (same)
                return 0;
        {
                char why[sizeof(a->st.last_error)];
                struct error serr = { 0 };

                snprintf(why, sizeof(why), "install of %s abandoned: the verified metadata no longer assigns it "
                                           "(withdrawn or reassigned while the install was interrupted)",
                         a->st.target.version);
                log_warn("%s", why);
                agent_report(a, "failure", why);
                drop_download(a);
                to_idle(a);
                agent_state_set_error(&a->st, why);
                return agent_save(a, err ? err : &serr);
        }
}

/* The content key of the encrypted target, unwrapped with the identity key
 * (a file, or a PKCS#11 object: the ECDH then runs on the token,
 * crypto/ota-wrap.h). */
static int unwrap_content_key(struct agent *a, uint8_t key[OTA_CRYPT_KEY_LEN], struct error *err) {
        _cleanup_crypto_key_ struct crypto_key *k = NULL;
        json_error_t jerr;
        if (crypto_key_load(a->cfg->identity_key, &k, err) < 0)
                return error_prefix(err, "[identity] key: ");
        json_t *wk = json_loads(a->st.target.encryption_key, 0, &jerr);
        if (!wk)
                return error_set(err, ERROR_INVALID, "the wrapped content key of %s is not JSON", a->st.target.path);
        int r = ota_unwrap_key(k, a->cfg->serial, a->st.target.path, wk, key, err);
        json_decref(wk);
        return r;
}

static int step_install(struct agent *a, struct error *err) {
        _cleanup_free_ char *part = agent_download_path(a);
        uint8_t got[SHA256_LEN], want[SHA256_LEN];
        int64_t len = 0;

        agent_report(a, "installing", "");
        /* The file was checked while it streamed; check it again now, right
         * before it is handed to the backend (it sat on disk meanwhile). */
        if (hex_decode(a->st.target.sha256, want, SHA256_LEN, err) < 0)
                return -1;
        if (agent_file_sha256(part, a->st.target.length, got, &len, err) < 0 || len != a->st.target.length ||
            !ct_equal(got, want, SHA256_LEN)) {
                if (!error_is_set(err) || err->kind == ERROR_NONE)
                        error_set(err, ERROR_INVALID, "the downloaded image no longer matches the target");
                return fail_update(a, "install refused", err);
        }
        if (a->st.target.plain_sha256[0]) {
                /* Encrypted: unwrap the content key with the device key, then
                 * the backend decrypts on the way into the slot. */
                uint8_t key[OTA_CRYPT_KEY_LEN];
                if (unwrap_content_key(a, key, err) < 0)
                        return fail_update(a, "install refused", err);
                a->backend->content_key = key;
                int r = agent_backend_install(a->backend, part, &a->st.target, err);
                a->backend->content_key = NULL;
                ct_wipe(key, sizeof(key));
                if (r < 0)
                        return fail_update(a, "install failed", err);
        } else if (agent_backend_install(a->backend, part, &a->st.target, err) < 0)
                return fail_update(a, "install failed", err);
        a->st.phase = AGENT_PHASE_ACTIVATING;
        if (agent_backend_boot_id(a->backend, a->st.activated_boot_id, sizeof(a->st.activated_boot_id), err) < 0)
                return -1;
        return agent_save(a, err);
}

static int step_activate(struct agent *a, struct error *err) {
        char boot_id[AGENT_BOOT_ID_MAX + 1];

        if (agent_backend_boot_id(a->backend, boot_id, sizeof(boot_id), err) < 0)
                return -1;
        if (strcmp(boot_id, a->st.activated_boot_id) != 0) {
                /* Rebooted while activating: the post-boot logic decides
                 * whether the activation took effect. */
                const char *outcome;
                if (agent_boot_confirm(a, &outcome, err) < 0)
                        return -1;
                if (a->st.phase != AGENT_PHASE_ACTIVATING)
                        return 0;
                snprintf(a->st.activated_boot_id, sizeof(a->st.activated_boot_id), "%s", boot_id);
                if (agent_save(a, err) < 0)
                        return -1;
        }
        if (a->backend->ops->activate(a->backend, &a->st.target, err) < 0) {
                struct error rerr = { 0 };
                char why[sizeof(a->st.last_error)];
                snprintf(why, sizeof(why), "activation failed: %.400s", err->msg);
                if (agent_boot_rollback(a, why, &rerr) < 0)
                        log_error("rollback after a failed activation: %s", rerr.msg);
                return -1;
        }
        a->st.phase = AGENT_PHASE_AWAITING_REBOOT;
        a->st.boot_attempts = 0;
        if (agent_save(a, err) < 0)
                return -1;
        drop_download(a);
        agent_report(a, "awaiting-reboot", "");
        if (a->cfg->reboot_command && *a->cfg->reboot_command) {
                struct error rerr = { 0 };
                log_info("rebooting into %s", a->st.target.version);
                if (agent_spawn_command("[install] reboot_command", a->cfg->reboot_command, NULL, NULL, 300,
                                        &rerr) < 0)
                        log_error("%s", rerr.msg);
        }
        return 0;
}

int agent_cycle(struct agent *a, struct error *err) {
        struct error ferr = { 0 };
        /* True once this cycle verified the metadata for the target it is
         * about to install. */
        bool verified = false;

        agent_report_flush(a, &ferr);
        for (int guard = 0; guard < 8; guard++) {
                switch (a->st.phase) {
                case AGENT_PHASE_IDLE:
                case AGENT_PHASE_DOWNLOADING:
                        if (step_verify_and_download(a, err) < 0)
                                return -1;
                        if (a->st.phase == AGENT_PHASE_IDLE)
                                return 0;
                        verified = true;
                        break;
                case AGENT_PHASE_INSTALLING:
                        if (!verified) {
                                if (step_reverify(a, err) < 0)
                                        return -1;
                                if (a->st.phase != AGENT_PHASE_INSTALLING)
                                        break; /* abandoned: idle, take up what is assigned now */
                                verified = true;
                        }
                        if (step_install(a, err) < 0)
                                return -1;
                        break;
                case AGENT_PHASE_ACTIVATING:
                        if (step_activate(a, err) < 0)
                                return -1;
                        if (a->st.phase == AGENT_PHASE_ACTIVATING)
                                return 0;
                        break;
                case AGENT_PHASE_AWAITING_REBOOT:
                case AGENT_PHASE_CONFIRMING:
                case AGENT_PHASE_ROLLING_BACK: {
                        const char *outcome = NULL;
                        if (agent_boot_confirm(a, &outcome, err) < 0)
                                return -1;
                        /* Waiting for the reboot, or done for this cycle. */
                        return 0;
                }
                case _AGENT_PHASE_MAX:
                        return error_set(err, ERROR_INTERNAL, "bad phase");
                }
        }
        return 0;
}

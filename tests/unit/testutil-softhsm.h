/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/*
 * A throw-away SoftHSM2 token for tests of the PKCS#11 path.
 *
 *   const struct softhsm *h = softhsm_get();   // in a group setup; NULL: tools missing
 *   ... crypto_key_load(h->p256_uri, ...) ...
 *   softhsm_cleanup();                          // in the group teardown
 *
 * softhsm_get() makes, once per process, a temp directory with a softhsm2.conf
 * (tokens in <dir>/tokens), initialises the token "cradle-test" (SO PIN 1234,
 * user PIN 5678) and generates, with OpenSC's pkcs11-tool:
 *   - an ECDSA P-256 key pair   label "ca-key", id 01
 *   - an Ed25519 key pair      label "ed-key", id 02 (EC:edwards25519; works
 *     with Debian 12's OpenSC 0.23 + SoftHSM 2.6; have_ed25519 says if it did)
 * and sets, for the library under test:
 *   SOFTHSM2_CONF          the temp config (SoftHSM reads it when PKCS#11 starts)
 *   CRADLE_PKCS11_MODULE   /usr/lib/softhsm/libsofthsm2.so
 *   CRADLE_PKCS11_PIN      5678
 *
 * Once per process, because GnuTLS initialises PKCS#11 once per process and
 * SoftHSM reads SOFTHSM2_CONF only then: call softhsm_get() before the first
 * pkcs11: key is loaded. PINs on the tools' command lines are test fixtures;
 * the library only ever gets the PIN from the environment.
 *
 * Header-only, no dependency beyond libc, so any test (unit or agent) can use it.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1
#endif
#include <fcntl.h>
#include <ftw.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gnutls/pkcs11.h>

#define SOFTHSM_MODULE "/usr/lib/softhsm/libsofthsm2.so"
#define SOFTHSM_TOKEN "cradle-test"
#define SOFTHSM_SO_PIN "1234"
#define SOFTHSM_PIN "5678"
#define SOFTHSM_P256_URI "pkcs11:token=" SOFTHSM_TOKEN ";object=ca-key;type=private"
#define SOFTHSM_ED25519_URI "pkcs11:token=" SOFTHSM_TOKEN ";object=ed-key;type=private"

struct softhsm {
        char dir[256];
        char conf[1024];
        const char *p256_uri;
        const char *ed25519_uri; /* NULL when the token could not make an Ed25519 key */
        bool have_ed25519;
};

extern char **environ;

/* SoftHSM 2.6 leaks a little inside C_SignInit for EdDSA keys (OpenSSL
 * ASN.1 objects it never frees). Not ours: tell LeakSanitizer, which looks
 * this hook up by name, to ignore those. Cradle itself never calls OpenSSL's
 * libcrypto (GnuTLS uses nettle), so everything allocated there comes from
 * SoftHSM; the fast unwinder often stops inside libcrypto, hence both. */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void) {
        return "leak:libsofthsm2.so\nleak:libcrypto.so\n";
}

/* Runs argv[0] (from PATH) without a shell; output goes to <dir>/tools.log.
 * Returns the exit status, or -1 when it could not run. */
static inline int softhsm_run(const char *log_path, char *const argv[]) {
        posix_spawn_file_actions_t fa;
        posix_spawn_file_actions_init(&fa);
        posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, log_path, O_WRONLY | O_CREAT | O_APPEND, 0600);
        posix_spawn_file_actions_adddup2(&fa, STDOUT_FILENO, STDERR_FILENO);
        pid_t pid;
        int rc = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
        posix_spawn_file_actions_destroy(&fa);
        if (rc != 0)
                return -1;
        int status;
        while (waitpid(pid, &status, 0) < 0)
                ;
        return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static inline int softhsm_rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
        (void) st;
        (void) flag;
        (void) ftw;
        return remove(path);
}

static struct softhsm softhsm_state;
static int softhsm_ready; /* 0 not tried, 1 ready, -1 unavailable */

static inline void softhsm_cleanup(void) {
        /* Unloads the modules (C_Finalize), so SoftHSM frees what it holds
         * before LeakSanitizer looks. */
        gnutls_pkcs11_deinit();
        if (softhsm_ready == 1)
                nftw(softhsm_state.dir, softhsm_rm_one, 16, FTW_DEPTH | FTW_PHYS);
        softhsm_ready = 0;
}

static inline const struct softhsm *softhsm_get(void) {
        if (softhsm_ready)
                return softhsm_ready > 0 ? &softhsm_state : NULL;
        softhsm_ready = -1;
        struct softhsm *h = &softhsm_state;
        if (access(SOFTHSM_MODULE, R_OK) != 0) {
                fprintf(stderr, "# softhsm: %s missing (apt install softhsm2)\n", SOFTHSM_MODULE);
                return NULL;
        }
        const char *base = getenv("TMPDIR");
        int len = snprintf(h->dir, sizeof(h->dir), "%s/cradle-softhsm-XXXXXX", base && *base ? base : "/tmp");
        if (len < 0 || (size_t) len >= sizeof(h->dir) || !mkdtemp(h->dir))
                return NULL;
        char tokens[1024], log_path[1024];
        if (snprintf(tokens, sizeof(tokens), "%s/tokens", h->dir) >= (int) sizeof(tokens) ||
            snprintf(log_path, sizeof(log_path), "%s/tools.log", h->dir) >= (int) sizeof(log_path) ||
            snprintf(h->conf, sizeof(h->conf), "%s/softhsm2.conf", h->dir) >= (int) sizeof(h->conf))
                return NULL;
        if (mkdir(tokens, 0700) != 0)
                return NULL;
        FILE *f = fopen(h->conf, "w");
        if (!f)
                return NULL;
        fprintf(f, "directories.tokendir = %s\nobjectstore.backend = file\nlog.level = ERROR\n", tokens);
        fclose(f);
        setenv("SOFTHSM2_CONF", h->conf, 1);
        softhsm_ready = 1; /* from here on, cleanup removes the directory */

        char *init[] = {"softhsm2-util", "--init-token", "--free", "--label", SOFTHSM_TOKEN,
                        "--so-pin", SOFTHSM_SO_PIN, "--pin", SOFTHSM_PIN, NULL};
        char *p256[] = {"pkcs11-tool", "--module", SOFTHSM_MODULE, "--login", "--pin", SOFTHSM_PIN,
                        "--keypairgen", "--key-type", "EC:prime256v1", "--label", "ca-key", "--id", "01", NULL};
        char *ed[] = {"pkcs11-tool", "--module", SOFTHSM_MODULE, "--login", "--pin", SOFTHSM_PIN,
                      "--keypairgen", "--key-type", "EC:edwards25519", "--label", "ed-key", "--id", "02", NULL};
        if (softhsm_run(log_path, init) != 0 || softhsm_run(log_path, p256) != 0) {
                fprintf(stderr, "# softhsm: token set-up failed (softhsm2-util / pkcs11-tool)\n");
                softhsm_cleanup();
                softhsm_ready = -1;
                return NULL;
        }
        h->p256_uri = SOFTHSM_P256_URI;
        h->have_ed25519 = softhsm_run(log_path, ed) == 0;
        h->ed25519_uri = h->have_ed25519 ? SOFTHSM_ED25519_URI : NULL;
        if (!h->have_ed25519)
                fprintf(stderr, "# softhsm: pkcs11-tool could not generate an Ed25519 key (see %s)\n", log_path);
        setenv("CRADLE_PKCS11_MODULE", SOFTHSM_MODULE, 1);
        setenv("CRADLE_PKCS11_PIN", SOFTHSM_PIN, 1);
        unsetenv("CRADLE_PKCS11_PIN_FILE");
        return h;
}

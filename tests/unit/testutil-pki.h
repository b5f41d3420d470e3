/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/*
 * Helpers for the PKI unit tests: keys, CSRs and chains in a temp directory,
 * and a way to run the interop tools (openssl, certtool) on what we wrote.
 * Builds on testutil-store.h for tdir, read_file_bytes and assert_error.
 */
#include "testutil-store.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>

#include <gnutls/abstract.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "core/fileio.h"
#include "crypto/key.h"
#include "pki/ca.h"
#include "pki/cert.h"
#include "pki/csr.h"
#include "pki/issue.h"
#include "pki/trust.h"

extern char **environ;

/* Generates a key file of the given type in t and loads it. */
static inline struct crypto_key *tkey_file(struct tdir *t, const char *name, enum crypto_key_type type) {
        struct error err = {0};
        _cleanup_free_ char *path = tdir_path(t, name);
        if (crypto_key_generate_file(path, type, &err) < 0)
                fail_msg("generate %s: %s", name, err.msg);
        struct crypto_key *k = NULL;
        if (crypto_key_load(path, &k, &err) < 0)
                fail_msg("load %s: %s", name, err.msg);
        return k;
}

static inline struct crypto_key *tkey_load(const char *ref) {
        struct error err = {0};
        struct crypto_key *k = NULL;
        if (crypto_key_load(ref, &k, &err) < 0)
                fail_msg("load %s: %s", ref, err.msg);
        return k;
}

/* A verified CSR for key. */
static inline gnutls_x509_crq_t tcsr(const struct crypto_key *k, const char *cn, const char *serial) {
        struct error err = {0};
        _cleanup_free_ char *pem = NULL;
        if (pki_csr_create(k, cn, serial, &pem, &err) < 0)
                fail_msg("csr: %s", err.msg);
        gnutls_x509_crq_t crq = NULL;
        struct pki_csr_info info;
        if (pki_csr_parse(pem, strlen(pem), &crq, &info, &err) < 0)
                fail_msg("csr parse: %s", err.msg);
        return crq;
}

static inline gnutls_x509_crt_t tcrt(const char *pem) {
        struct error err = {0};
        gnutls_x509_crt_t c = NULL;
        if (pki_cert_import(pem, strlen(pem), &c, &err) < 0)
                fail_msg("import: %s", err.msg);
        return c;
}

static inline gnutls_datum_t tder(gnutls_x509_crt_t c) {
        gnutls_datum_t d = {0};
        assert_int_equal(gnutls_x509_crt_export2(c, GNUTLS_X509_FMT_DER, &d), 0);
        return d;
}

static inline char *troot(const struct crypto_key *k, const char *cn) {
        struct error err = {0};
        char *pem = NULL;
        if (pki_root_create(k, cn, "Example Devices Ltd", 3650, &pem, &err) < 0)
                fail_msg("root: %s", err.msg);
        return pem;
}

static inline char *tintermediate(const struct crypto_key *root_key, gnutls_x509_crt_t root,
                                  const struct crypto_key *k, const char *cn, unsigned days) {
        struct error err = {0};
        gnutls_x509_crq_t crq = tcsr(k, cn, NULL);
        char *pem = NULL;
        if (pki_sign_intermediate(root_key, root, crq, days, &pem, &err) < 0)
                fail_msg("intermediate: %s", err.msg);
        gnutls_x509_crq_deinit(crq);
        return pem;
}

static inline gnutls_x509_crt_t tdevice(const struct crypto_key *ca_key, gnutls_x509_crt_t ca,
                                        const struct crypto_key *dev_key, const char *serial, unsigned days) {
        struct error err = {0};
        gnutls_x509_crq_t crq = tcsr(dev_key, serial, serial);
        struct pki_device_profile p = {
                .kind = PKI_CERT_OPERATIONAL,
                .product_model = "sensor-x1",
                .device_serial = serial,
                .validity_days = days,
                .crl_url = "https://cradle.example.com/pki/crl/sensor-ca.crl",
        };
        gnutls_x509_crt_t crt = NULL;
        if (pki_issue_device_cert(ca_key, ca, crq, &p, &crt, &err) < 0)
                fail_msg("issue: %s", err.msg);
        gnutls_x509_crq_deinit(crq);
        return crt;
}

/* A three-level PKI: root -> device-issuing CA -> (devices). */
struct tpki {
        struct crypto_key *root_key, *ca_key;
        char *root_pem, *ca_pem;
        gnutls_x509_crt_t root, ca;
};

static inline void tpki_init(struct tpki *p, struct crypto_key *root_key, struct crypto_key *ca_key) {
        p->root_key = root_key;
        p->ca_key = ca_key;
        p->root_pem = troot(root_key, "Example Root CA");
        p->root = tcrt(p->root_pem);
        p->ca_pem = tintermediate(root_key, p->root, ca_key, "Example Device CA", 1825);
        p->ca = tcrt(p->ca_pem);
}

static inline void tpki_free(struct tpki *p) {
        crypto_key_free(p->root_key);
        crypto_key_free(p->ca_key);
        free(p->root_pem);
        free(p->ca_pem);
        if (p->root)
                gnutls_x509_crt_deinit(p->root);
        if (p->ca)
                gnutls_x509_crt_deinit(p->ca);
        memset(p, 0, sizeof(*p));
}

/* Writes a certificate as PEM into t; returns the path (heap). */
static inline char *twrite_pem(struct tdir *t, const char *name, gnutls_x509_crt_t c) {
        char *path = tdir_path(t, name);
        _cleanup_free_ char *pem = pki_cert_export_pem(c, NULL);
        assert_non_null(pem);
        assert_int_equal(file_write_atomic(path, pem, strlen(pem), 0644, NULL), 0);
        return path;
}

/* Runs a tool (no shell); returns its exit status (-1: could not run, 127: not
 * installed) and, when out is given, its stdout+stderr (heap). */
static inline int tool_run(char *const argv[], char **out) {
        int fds[2];
        assert_int_equal(pipe(fds), 0);
        posix_spawn_file_actions_t fa;
        posix_spawn_file_actions_init(&fa);
        posix_spawn_file_actions_adddup2(&fa, fds[1], STDOUT_FILENO);
        posix_spawn_file_actions_adddup2(&fa, fds[1], STDERR_FILENO);
        posix_spawn_file_actions_addclose(&fa, fds[0]);
        pid_t pid;
        int rc = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
        posix_spawn_file_actions_destroy(&fa);
        close(fds[1]);
        struct buf b = {0};
        if (rc == 0) {
                char chunk[4096];
                ssize_t n;
                while ((n = read(fds[0], chunk, sizeof(chunk))) > 0)
                        buf_append(&b, chunk, (size_t) n);
        }
        close(fds[0]);
        int status = -1;
        if (rc == 0) {
                while (waitpid(pid, &status, 0) < 0)
                        ;
                status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
        } else {
                status = 127;
        }
        if (out)
                *out = buf_steal(&b);
        else
                buf_free(&b);
        return status;
}

static inline bool tool_available(const char *name) {
        _cleanup_free_ char *cmd = str_printf("command -v %s >/dev/null 2>&1", name);
        return system(cmd) == 0;
}

/* RFC 4514 text of the subject (or issuer): last RDN first, "CN=..,O=..". */
static inline void tdn(gnutls_x509_crt_t c, bool issuer, char *out, size_t out_size) {
        gnutls_datum_t d = {0};
        assert_int_equal(issuer ? gnutls_x509_crt_get_issuer_dn3(c, &d, 0) : gnutls_x509_crt_get_dn3(c, &d, 0), 0);
        snprintf(out, out_size, "%s", (const char *) d.data);
        gnutls_free(d.data);
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `cradle-fleetsim enroll`: N devices through EST (RFC 7030 simpleenroll),
 * --parallel at a time over one libcurl multi handle, as a factory line with
 * several stations would. Each device gets a P-256 key made here (the key
 * cradle-agent devices use most) and a CSR whose subject is CN=<serial>,
 * serialNumber=<serial> (what src/identity/enroll.c requires); the birth
 * certificate goes to DIR/<serial>/cert.pem. A device whose cert.pem exists is
 * skipped, so an enrolled fleet is reused by later runs; a key without a
 * certificate (an interrupted run) is reused for the new CSR.
 */
#include "enroll.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/cleanup.h"
#include "core/fileio.h"
#include "core/strutil.h"
#include "cradle-version.h"
#include "crypto/key.h"
#include "devices.h"
#include "pki/cert.h"
#include "pki/csr.h"
#include "pki/pkcs7.h"

#define ENROLL_ERRORS_SHOWN 10
#define ENROLL_RESPONSE_MAX (256 * 1024)

struct enroll_job {
        CURL *easy;
        char serial[FLEETSIM_SERIAL_MAX + 1];
        char *body;
        struct buf resp;
        bool too_large;
};

static size_t on_resp(char *data, size_t size, size_t n, void *ud) {
        struct enroll_job *j = ud;
        size_t len = size * n;
        if (j->resp.len + len > ENROLL_RESPONSE_MAX) {
                j->too_large = true;
                return 0;
        }
        buf_append(&j->resp, data, len);
        return len;
}

/* The serial of device i (1-based): PREFIX and i, zero-padded to the width
 * of COUNT (at least 6 digits), so byte order is enrollment order. */
int fleetsim_enroll_serial(const char *prefix, size_t i, size_t count, char *out, size_t size) {
        int width = 6;
        for (size_t c = count; c >= 1000000; c /= 10)
                width++;
        int n = snprintf(out, size, "%s%0*zu", prefix, width, i);
        return n < 0 || (size_t) n >= size || (size_t) n > FLEETSIM_SERIAL_MAX ? -1 : 0;
}

/* Key (made or reused) and the base64 CSR for one device. */
static int make_csr(const struct fleetsim_enroll_config *cfg, const char *serial, char **b64, struct error *err) {
        _cleanup_free_ char *dir = path_join(cfg->dir, serial);
        _cleanup_free_ char *key_path = fleetsim_device_path(cfg->dir, serial, "key.pem");
        _cleanup_crypto_key_ struct crypto_key *key = NULL;
        _cleanup_free_ char *pem = NULL;
        _cleanup_free_ uint8_t *der = NULL;
        size_t len = 0;

        if (dir_create(dir, 0700, err) < 0)
                return -1;
        if (!file_exists(key_path) && crypto_key_generate_file(key_path, CRYPTO_KEY_EC_P256, err) < 0)
                return -1;
        if (crypto_key_load(key_path, &key, err) < 0 || pki_csr_create(key, serial, serial, &pem, err) < 0 ||
            pki_csr_pem_to_der(pem, &der, &len, err) < 0)
                return error_prefix(err, "%s: ", serial);
        *b64 = pki_est_encode_body(der, len);
        return 0;
}

/* The issued certificate out of the EST answer, written as cert.pem. */
static int store_cert(const struct fleetsim_enroll_config *cfg, struct enroll_job *j, struct error *err) {
        _cleanup_free_ uint8_t *der = NULL;
        _cleanup_free_ char *pem = NULL;
        _cleanup_free_ char *path = fleetsim_device_path(cfg->dir, j->serial, "cert.pem");
        gnutls_datum_t *certs = NULL;
        size_t len = 0, n = 0;
        int r = -1;

        if (pki_est_decode_body(j->resp.data, j->resp.len, PKI_PKCS7_MAX_DER, &der, &len, err) < 0 ||
            pki_pkcs7_parse_certs(der, len, &certs, &n, err) < 0)
                return error_prefix(err, "%s: the EST answer: ", j->serial);
        for (size_t i = 0; i < n && r < 0; i++) {
                _cleanup_pki_crt_ gnutls_x509_crt_t crt = NULL;
                char subject_serial[FLEETSIM_SERIAL_MAX + 8];
                if (pki_cert_import(certs[i].data, certs[i].size, &crt, NULL) < 0 ||
                    pki_cert_subject_serial(crt, subject_serial, sizeof(subject_serial)) < 0 ||
                    strcmp(subject_serial, j->serial) != 0)
                        continue;
                if (!(pem = pki_cert_export_pem(crt, err)))
                        break;
                r = file_write_atomic(path, pem, strlen(pem), 0644, err);
                if (r < 0)
                        break;
        }
        pki_pkcs7_certs_free(certs, n);
        if (r < 0 && !error_is_set(err))
                error_set(err, ERROR_INVALID, "%s: the EST answer holds no certificate for this serial", j->serial);
        return r;
}

static void job_free(struct enroll_job *j) {
        if (!j)
                return;
        curl_easy_cleanup(j->easy);
        free(j->body);
        buf_free(&j->resp);
        free(j);
}

int fleetsim_enroll(const struct fleetsim_enroll_config *cfg, struct fleetsim_enroll_result *res, struct error *err) {
        _cleanup_free_ char *auth = NULL;
        _cleanup_free_ char *product_path = path_join(cfg->dir, "product");
        struct curl_slist *headers = NULL;
        CURLM *multi = NULL;
        size_t next = 1, inflight = 0;
        int r = -1;

        memset(res, 0, sizeof(*res));
        if (dir_create(cfg->dir, 0700, err) < 0)
                return -1;
        {
                _cleanup_free_ char *line = str_printf("%s\n", cfg->label);
                if (file_write_atomic(product_path, line, strlen(line), 0644, err) < 0)
                        return -1;
        }
        if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
                return error_set(err, ERROR_INTERNAL, "cannot initialise libcurl");
        multi = curl_multi_init();
        if (!multi) {
                error_set(err, ERROR_INTERNAL, "cannot create a libcurl multi handle");
                goto out;
        }
        /* The token travels in a header built here, never on a command line. */
        auth = str_printf("Authorization: Bearer %s", cfg->token);
        headers = curl_slist_append(headers, auth);
        headers = curl_slist_append(headers, "Content-Type: application/pkcs10");
        headers = curl_slist_append(headers, "Accept: application/pkcs7-mime, application/problem+json");

        while (next <= cfg->count || inflight > 0) {
                int running = 0, left = 0;
                CURLMsg *m;

                while (inflight < cfg->parallel && next <= cfg->count) {
                        struct enroll_job *j = xcalloc(1, sizeof(*j));
                        _cleanup_free_ char *cert = NULL, *url = NULL, *q_batch = NULL;
                        struct error e = { 0 };
                        size_t i = next++;

                        if (fleetsim_enroll_serial(cfg->prefix, i, cfg->count, j->serial, sizeof(j->serial)) < 0) {
                                job_free(j);
                                error_set(err, ERROR_INVALID, "--prefix '%s': serials would exceed %d characters",
                                          cfg->prefix, FLEETSIM_SERIAL_MAX);
                                goto out;
                        }
                        cert = fleetsim_device_path(cfg->dir, j->serial, "cert.pem");
                        if (file_exists(cert)) {
                                res->skipped++;
                                job_free(j);
                                continue;
                        }
                        if (make_csr(cfg, j->serial, &j->body, &e) < 0) {
                                if (res->failed++ < ENROLL_ERRORS_SHOWN)
                                        fprintf(stderr, "cradle-fleetsim: %s\n", e.msg);
                                job_free(j);
                                continue;
                        }
                        j->easy = curl_easy_init();
                        if (!j->easy) {
                                job_free(j);
                                error_set(err, ERROR_INTERNAL, "cannot create a libcurl handle");
                                goto out;
                        }
                        q_batch = curl_easy_escape(j->easy, cfg->batch, 0);
                        url = str_printf("%s/.well-known/est/%s/simpleenroll?serial=%s&batch=%s", cfg->url, cfg->label,
                                         j->serial, q_batch);
                        curl_easy_setopt(j->easy, CURLOPT_URL, url);
                        curl_easy_setopt(j->easy, CURLOPT_PRIVATE, j);
                        curl_easy_setopt(j->easy, CURLOPT_NOSIGNAL, 1L);
                        curl_easy_setopt(j->easy, CURLOPT_PROTOCOLS_STR, "https,http");
                        curl_easy_setopt(j->easy, CURLOPT_CAINFO, cfg->cacert);
                        curl_easy_setopt(j->easy, CURLOPT_CAPATH, NULL);
                        curl_easy_setopt(j->easy, CURLOPT_HTTPHEADER, headers);
                        curl_easy_setopt(j->easy, CURLOPT_POSTFIELDS, j->body);
                        curl_easy_setopt(j->easy, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t) strlen(j->body));
                        curl_easy_setopt(j->easy, CURLOPT_WRITEFUNCTION, on_resp);
                        curl_easy_setopt(j->easy, CURLOPT_WRITEDATA, j);
                        curl_easy_setopt(j->easy, CURLOPT_TIMEOUT, 120L);
                        curl_easy_setopt(j->easy, CURLOPT_USERAGENT, "cradle-fleetsim/" CRADLE_VERSION);
                        curl_multi_add_handle(multi, j->easy);
                        inflight++;
                        curl_free(q_batch);
                        q_batch = NULL;
                }
                if (inflight == 0)
                        break;
                curl_multi_perform(multi, &running);
                while ((m = curl_multi_info_read(multi, &left))) {
                        struct enroll_job *j = NULL;
                        long status = 0;
                        struct error e = { 0 };
                        if (m->msg != CURLMSG_DONE)
                                continue;
                        curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **) &j);
                        curl_easy_getinfo(m->easy_handle, CURLINFO_RESPONSE_CODE, &status);
                        curl_multi_remove_handle(multi, m->easy_handle);
                        inflight--;
                        if (m->data.result != CURLE_OK) {
                                res->failed++;
                                res->unreachable++;
                                if (res->failed <= ENROLL_ERRORS_SHOWN)
                                        fprintf(stderr, "cradle-fleetsim: %s: %s\n", j->serial,
                                                j->too_large ? "answer too large" : curl_easy_strerror(m->data.result));
                        } else if (status != 200) {
                                char detail[240];
                                buf_append(&j->resp, "", 1);
                                str_sanitize(j->resp.data, strlen(j->resp.data), detail, sizeof(detail));
                                res->failed++;
                                if (res->failed <= ENROLL_ERRORS_SHOWN)
                                        fprintf(stderr, "cradle-fleetsim: %s: HTTP %ld %s\n", j->serial, status, detail);
                        } else if (store_cert(cfg, j, &e) < 0) {
                                res->failed++;
                                if (res->failed <= ENROLL_ERRORS_SHOWN)
                                        fprintf(stderr, "cradle-fleetsim: %s\n", e.msg);
                        } else {
                                res->enrolled++;
                        }
                        job_free(j);
                }
                if (inflight > 0)
                        curl_multi_poll(multi, NULL, 0, 1000, NULL);
        }
        if (res->failed > ENROLL_ERRORS_SHOWN)
                fprintf(stderr, "cradle-fleetsim: ... and %zu more failures\n", res->failed - ENROLL_ERRORS_SHOWN);
        r = 0;
out:
        curl_slist_free_all(headers);
        if (auth)
                explicit_bzero(auth, strlen(auth));
        curl_multi_cleanup(multi);
        curl_global_cleanup();
        return r;
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cradle provision: enrolls a list of serials the way a factory station
 * does, over EST (RFC 7030 simpleenroll) with the factory token. For each
 * serial of the CSV: a P-256 key generated here (--generate-keys) and a CSR,
 * or the CSR the device made (--csr-dir); the birth certificate goes to
 * OUT/<serial>/cert.pem with the issuing chain in chain.pem (and key.pem,
 * 0600, when generated here). A refused serial does not stop the others: the
 * summary lists every serial with the server's reason.
 *
 * A serial whose cert.pem exists is skipped, so a re-run after fixing what
 * failed picks up the rest.
 *
 * Exit status: 0 all enrolled (or skipped); 3 some refused by the server; 1 only local
 * failures (a missing CSR, an unwritable directory); 4 the server could not
 * be reached or failed (the serials after that are not attempted).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/client.h"
#include "cli/cmd-common.h"
#include "cli/command.h"
#include "cli/output.h"
#include "cli/provision-csv.h"
#include "core/cleanup.h"
#include "core/fileio.h"
#include "core/strutil.h"
#include "crypto/key.h"
#include "pki/cert.h"
#include "pki/csr.h"
#include "pki/pkcs7.h"

#define EST_ACCEPT "application/pkcs7-mime, application/problem+json"
#define CSR_FILE_MAX (64 * 1024)

enum {
        OPT_PRODUCT = CLI_OPT_LOCAL_BASE,
        OPT_BATCH,
        OPT_SERIALS,
        OPT_OUT,
        OPT_GENERATE_KEYS,
        OPT_CSR_DIR,
        OPT_STATION,
};

enum outcome { OUT_NOT_ATTEMPTED, OUT_ENROLLED, OUT_SKIPPED, OUT_REFUSED, OUT_LOCAL, OUT_SERVER, OUT_MAX };

static const char *outcome_name(enum outcome o) {
        switch (o) {
        case OUT_ENROLLED: return "enrolled";
        case OUT_SKIPPED: return "skipped";
        case OUT_REFUSED: return "refused";
        case OUT_LOCAL: return "failed";
        case OUT_SERVER: return "server error";
        case OUT_NOT_ATTEMPTED: return "not attempted";
        case OUT_MAX: break;
        }
        return "?";
}

struct result {
        enum outcome outcome;
        long status;             /* HTTP status when the server answered */
        char *detail;            /* reason, or the certificate serial when enrolled */
};

struct provision_args {
        const char *product, *batch, *serials, *out, *csr_dir, *station;
        bool generate_keys;
};

/* The certificates of a base64 certs-only PKCS#7 EST answer (caller frees
 * with pki_pkcs7_certs_free). */
static int est_certs(const struct cli_raw_response *resp, gnutls_datum_t **certs, size_t *n,
                     struct error *err) {
        _cleanup_free_ uint8_t *der = NULL;
        size_t len = 0;
        if (!resp->body)
                return error_set(err, ERROR_INVALID, "the answer is empty");
        if (pki_est_decode_body(resp->body, resp->len, PKI_PKCS7_MAX_DER, &der, &len, err) < 0 ||
            pki_pkcs7_parse_certs(der, len, certs, n, err) < 0)
                return -1;
        if (*n == 0) {
                pki_pkcs7_certs_free(*certs, *n);
                return error_set(err, ERROR_INVALID, "the PKCS#7 holds no certificate");
        }
        return 0;
}

static char *certs_pem(const gnutls_datum_t *certs, size_t n, struct error *err) {
        struct buf b = {0};
        for (size_t i = 0; i < n; i++) {
                _cleanup_pki_crt_ gnutls_x509_crt_t crt = NULL;
                _cleanup_free_ char *pem = NULL;
                if (pki_cert_import(certs[i].data, certs[i].size, &crt, err) < 0 ||
                    !(pem = pki_cert_export_pem(crt, err))) {
                        buf_free(&b);
                        return NULL;
                }
                buf_append(&b, pem, strlen(pem));
        }
        return buf_steal(&b);
}

static void report_http_failure(const char *what, const struct cli_raw_response *resp) {
        _cleanup_free_ char *why = cli_raw_response_reason(resp);
        fprintf(stderr, "error: %s: %s\n", what, why);
        if (resp->request_id) {
                _cleanup_free_ char *id = cli_text_sanitize(resp->request_id, false);
                fprintf(stderr, "request id: %s\n", id);
        }
}

/* GET cacerts: the chain every device of the product gets in chain.pem. */
static int fetch_chain(struct cli_client *client, const char *model, char **chain_pem) {
        _cleanup_free_ char *label = cli_client_escape(model);
        _cleanup_free_ char *path = str_printf("/.well-known/est/%s/cacerts", label);
        struct cli_raw_response resp;
        struct error err = {0};
        int r;
        if ((r = cli_client_request_raw(client, "GET", path, NULL, NULL, 0, EST_ACCEPT, &resp)) != CLI_EXIT_OK)
                return r;
        if (resp.status < 200 || resp.status > 299) {
                _cleanup_free_ char *what = str_printf("GET %s", path);
                report_http_failure(what, &resp);
                r = resp.status >= 400 && resp.status < 500 ? CLI_EXIT_REFUSED : CLI_EXIT_SERVER;
                cli_raw_response_clear(&resp);
                return r;
        }
        gnutls_datum_t *certs = NULL;
        size_t n = 0;
        r = est_certs(&resp, &certs, &n, &err);
        cli_raw_response_clear(&resp);
        if (r < 0)
                return cli_error(CLI_EXIT_SERVER, "GET %s: the answer is not a certs-only PKCS#7: %s", path, err.msg);
        *chain_pem = certs_pem(certs, n, &err);
        pki_pkcs7_certs_free(certs, n);
        if (!*chain_pem)
                return cli_error(CLI_EXIT_SERVER, "GET %s: %s", path, err.msg);
        return CLI_EXIT_OK;
}

/* The CSR (DER) for one serial: made here with a new key, or read from
 * --csr-dir. Local failures set *detail. */
static int serial_csr(const struct provision_args *a, const char *serial, const char *dir,
                      bool *key_made, uint8_t **der, size_t *len, char **detail) {
        struct error err = {0};
        *key_made = false;
        if (a->generate_keys) {
                _cleanup_free_ char *key_path = path_join(dir, "key.pem");
                if (crypto_key_generate_file(key_path, CRYPTO_KEY_EC_P256, &err) < 0) {
                        *detail = str_printf("generating %s: %s", key_path, err.msg);
                        return -1;
                }
                *key_made = true;
                _cleanup_crypto_key_ struct crypto_key *key = NULL;
                _cleanup_free_ char *pem = NULL;
                if (crypto_key_load(key_path, &key, &err) < 0 ||
                    pki_csr_create(key, serial, serial, &pem, &err) < 0 ||
                    pki_csr_pem_to_der(pem, der, len, &err) < 0) {
                        *detail = str_printf("making the CSR: %s", err.msg);
                        return -1;
                }
                return 0;
        }
        _cleanup_free_ char *name = str_printf("%s.csr", serial);
        _cleanup_free_ char *csr_path = path_join(a->csr_dir, name);
        _cleanup_free_ char *data = NULL;
        size_t data_len = 0;
        if (file_read_all(csr_path, CSR_FILE_MAX, &data, &data_len, &err) < 0) {
                *detail = str_printf("%s", err.msg);
                return -1;
        }
        if (data_len >= 10 && memcmp(data, "-----BEGIN", 10) == 0) {
                if (pki_csr_pem_to_der(data, der, len, &err) < 0) {
                        *detail = str_printf("%s: %s", csr_path, err.msg);
                        return -1;
                }
                return 0;
        }
        *der = (uint8_t *) steal_ptr(data);
        *len = data_len;
        return 0;
}

/* Undoes what a failed serial left behind: a key made for a certificate
 * that was not issued would only confuse the next run. */
static void serial_cleanup(const char *dir, bool key_made, bool dir_made) {
        if (key_made) {
                _cleanup_free_ char *key_path = path_join(dir, "key.pem");
                unlink(key_path);
        }
        if (dir_made)
                rmdir(dir);
}

/* Enrolls one serial. Returns CLI_EXIT_SERVER when the run must stop. */
static int provision_one(struct cli_client *client, const struct provision_args *a,
                         const struct provision_row *row, const char *chain_pem, struct result *res) {
        struct error err = {0};
        _cleanup_free_ char *dir = path_join(a->out, row->serial);
        _cleanup_free_ char *cert_path = path_join(dir, "cert.pem");
        _cleanup_free_ char *chain_path = path_join(dir, "chain.pem");
        bool dir_made = false, key_made = false;

        if (file_exists(cert_path)) {
                /* Provisioned by an earlier run: a re-run picks up where it failed. */
                res->outcome = OUT_SKIPPED;
                res->detail = str_printf("%s exists already", cert_path);
                return CLI_EXIT_OK;
        }
        if (mkdir(dir, 0700) == 0) {
                dir_made = true;
        } else if (errno != EEXIST) {
                res->outcome = OUT_LOCAL;
                res->detail = str_printf("cannot create %s: %s", dir, strerror(errno));
                return CLI_EXIT_OK;
        }
        if (a->generate_keys) {
                _cleanup_free_ char *key_path = path_join(dir, "key.pem");
                if (file_exists(key_path)) {
                        res->outcome = OUT_LOCAL;
                        res->detail = str_printf("%s exists already; not replacing a key", key_path);
                        return CLI_EXIT_OK;
                }
        }

        _cleanup_free_ uint8_t *der = NULL;
        size_t der_len = 0;
        if (serial_csr(a, row->serial, dir, &key_made, &der, &der_len, &res->detail) < 0) {
                res->outcome = OUT_LOCAL;
                serial_cleanup(dir, key_made, dir_made);
                return CLI_EXIT_OK;
        }
        _cleanup_free_ char *body = pki_est_encode_body(der, der_len);
        _cleanup_free_ char *label = cli_client_escape(a->product);
        _cleanup_free_ char *serial_q = cli_client_escape(row->serial);
        _cleanup_free_ char *batch_q = cli_client_escape(a->batch);
        const char *station = row->station[0] ? row->station : a->station;
        _cleanup_free_ char *station_q = station ? cli_client_escape(station) : NULL;
        _cleanup_free_ char *path = str_printf("/.well-known/est/%s/simpleenroll?serial=%s&batch=%s%s%s", label,
                                               serial_q, batch_q, station_q ? "&station=" : "",
                                               station_q ? station_q : "");
        struct cli_raw_response resp;
        int r = cli_client_request_raw(client, "POST", path, "application/pkcs10", body, strlen(body), EST_ACCEPT,
                                       &resp);
        if (r != CLI_EXIT_OK) {
                res->outcome = OUT_SERVER;
                res->detail = str_dup("the server could not be reached (see above)");
                serial_cleanup(dir, key_made, dir_made);
                return CLI_EXIT_SERVER;
        }
        res->status = resp.status;
        if (resp.status < 200 || resp.status > 299) {
                res->detail = cli_raw_response_reason(&resp);
                res->outcome = resp.status >= 400 && resp.status < 500 ? OUT_REFUSED : OUT_SERVER;
                if (res->outcome == OUT_SERVER && resp.request_id) {
                        _cleanup_free_ char *id = cli_text_sanitize(resp.request_id, false);
                        char *d = str_printf("%s (request id %s)", res->detail, id);
                        free(res->detail);
                        res->detail = d;
                }
                cli_raw_response_clear(&resp);
                serial_cleanup(dir, key_made, dir_made);
                return res->outcome == OUT_SERVER ? CLI_EXIT_SERVER : CLI_EXIT_OK;
        }
        gnutls_datum_t *certs = NULL;
        size_t n = 0;
        r = est_certs(&resp, &certs, &n, &err);
        cli_raw_response_clear(&resp);
        if (r < 0) {
                res->outcome = OUT_SERVER;
                res->detail = str_printf("the answer is not a certs-only PKCS#7: %s", err.msg);
                serial_cleanup(dir, key_made, dir_made);
                return CLI_EXIT_SERVER;
        }
        /* simpleenroll answers with the issued certificate alone. */
        _cleanup_pki_crt_ gnutls_x509_crt_t leaf = NULL;
        _cleanup_free_ char *leaf_pem = NULL;
        char cert_serial[41] = "";
        if (pki_cert_import(certs[0].data, certs[0].size, &leaf, &err) < 0 ||
            !(leaf_pem = pki_cert_export_pem(leaf, &err))) {
                pki_pkcs7_certs_free(certs, n);
                res->outcome = OUT_SERVER;
                res->detail = str_printf("the issued certificate does not parse: %s", err.msg);
                serial_cleanup(dir, key_made, dir_made);
                return CLI_EXIT_SERVER;
        }
        pki_pkcs7_certs_free(certs, n);
        pki_cert_serial_hex(leaf, cert_serial);
        /* The certificate is issued: from here on nothing is removed, so a
         * write failure leaves the key for the operator to recover with. */
        if (file_write_atomic(chain_path, chain_pem, strlen(chain_pem), 0644, &err) < 0 ||
            file_write_atomic(cert_path, leaf_pem, strlen(leaf_pem), 0644, &err) < 0) {
                res->outcome = OUT_LOCAL;
                res->detail = str_printf("issued (certificate %s) but not saved: %s", cert_serial, err.msg);
                return CLI_EXIT_OK;
        }
        res->outcome = OUT_ENROLLED;
        res->detail = str_printf("certificate %s", cert_serial);
        return CLI_EXIT_OK;
}

static int print_summary(const struct cli_ctx *ctx, const struct provision_csv *csv, const struct result *res,
                         size_t counts[OUT_MAX]) {
        if (ctx->flags.json) {
                _cleanup_json_ json_t *items = json_array();
                for (size_t i = 0; i < csv->n_rows; i++) {
                        json_t *o = json_pack("{s:s, s:I, s:s}", "serial", csv->rows[i].serial, "line",
                                              (json_int_t) csv->rows[i].line, "result",
                                              outcome_name(res[i].outcome));
                        if (res[i].status)
                                json_object_set_new(o, "status", json_integer(res[i].status));
                        if (res[i].detail)
                                json_object_set_new(o, "detail", json_string(res[i].detail));
                        json_array_append_new(items, o);
                }
                _cleanup_json_ json_t *doc = json_pack(
                        "{s:O, s:I, s:I, s:I, s:I, s:I, s:I}", "items", items, "enrolled",
                        (json_int_t) counts[OUT_ENROLLED], "skipped", (json_int_t) counts[OUT_SKIPPED],
                        "refused", (json_int_t) counts[OUT_REFUSED], "failed", (json_int_t) counts[OUT_LOCAL],
                        "server_errors", (json_int_t) counts[OUT_SERVER],
                        "not_attempted", (json_int_t) counts[OUT_NOT_ATTEMPTED]);
                return cli_emit_json(doc);
        }
        static const char *const headers[] = { "SERIAL", "LINE", "RESULT", "DETAIL" };
        struct cli_table *t = cli_table_new(ELEMENTSOF(headers), headers);
        for (size_t i = 0; i < csv->n_rows; i++) {
                char line[24];
                snprintf(line, sizeof(line), "%zu", csv->rows[i].line);
                _cleanup_free_ char *detail = res[i].detail ? cli_text_sanitize(res[i].detail, false) : NULL;
                const char *cells[] = { csv->rows[i].serial, line, outcome_name(res[i].outcome), detail };
                cli_table_add_row(t, cells);
        }
        char *text = cli_table_render(t);
        cli_table_free(t);
        cli_emit_text(text);
        printf("\n%zu enrolled, %zu skipped, %zu refused, %zu failed locally, %zu server errors, "
               "%zu not attempted\n",
               counts[OUT_ENROLLED], counts[OUT_SKIPPED], counts[OUT_REFUSED], counts[OUT_LOCAL],
               counts[OUT_SERVER], counts[OUT_NOT_ATTEMPTED]);
        return CLI_EXIT_OK;
}

static int provision_run(struct cli_ctx *ctx, int argc, char **argv) {
        static const struct option options[] = {
                CLI_GLOBAL_LONG_OPTIONS,
                { "product", required_argument, NULL, OPT_PRODUCT },
                { "batch", required_argument, NULL, OPT_BATCH },
                { "serials", required_argument, NULL, OPT_SERIALS },
                { "out", required_argument, NULL, OPT_OUT },
                { "generate-keys", no_argument, NULL, OPT_GENERATE_KEYS },
                { "csr-dir", required_argument, NULL, OPT_CSR_DIR },
                { "station", required_argument, NULL, OPT_STATION },
                { 0 },
        };
        struct provision_args a = {0};
        struct error err = {0};
        int c, r;

        while ((c = getopt_long(argc, argv, CLI_GLOBAL_SHORT_OPTIONS, options, NULL)) != -1) {
                switch (c) {
                case OPT_PRODUCT: a.product = optarg; break;
                case OPT_BATCH: a.batch = optarg; break;
                case OPT_SERIALS: a.serials = optarg; break;
                case OPT_OUT: a.out = optarg; break;
                case OPT_GENERATE_KEYS: a.generate_keys = true; break;
                case OPT_CSR_DIR: a.csr_dir = optarg; break;
                case OPT_STATION: a.station = optarg; break;
                default:
                        if ((r = cli_option_common(ctx, c, argc, argv)) != CLI_CONTINUE)
                                return r;
                }
        }
        if ((r = cli_positional(ctx, argc, argv, 0, "")) != CLI_CONTINUE ||
            (r = cli_require(ctx, a.product, "--product MODEL")) != CLI_CONTINUE ||
            (r = cli_require(ctx, a.batch, "--batch NAME")) != CLI_CONTINUE ||
            (r = cli_require(ctx, a.serials, "--serials FILE.csv")) != CLI_CONTINUE ||
            (r = cli_require(ctx, a.out, "--out DIR")) != CLI_CONTINUE)
                return r;
        if (a.generate_keys == (a.csr_dir != NULL))
                return cli_usage_error(ctx, "give either --generate-keys (keys made here) or --csr-dir DIR "
                                            "(CSRs the devices made, DIR/<serial>.csr)");
        if (a.station && provision_name_check("--station", a.station, &err) < 0)
                return cli_usage_error(ctx, "%s", err.msg);

        _cleanup_free_ char *data = NULL;
        size_t len = 0;
        if ((r = cli_read_file("--serials", a.serials, PROVISION_CSV_MAX_BYTES, &data, &len)) != CLI_EXIT_OK)
                return r;
        struct provision_csv csv;
        if (provision_csv_parse(data, len, &csv, &err) < 0)
                return cli_error(CLI_EXIT_LOCAL, "--serials: %s: %s", a.serials, err.msg);
        if (dir_create(a.out, 0755, &err) < 0) {
                provision_csv_free(&csv);
                return cli_error(CLI_EXIT_LOCAL, "--out: %s", err.msg);
        }

        struct cli_client *client;
        _cleanup_free_ char *chain_pem = NULL;
        if ((r = cli_ctx_client(ctx, &client)) != CLI_EXIT_OK ||
            (r = fetch_chain(client, a.product, &chain_pem)) != CLI_EXIT_OK) {
                provision_csv_free(&csv);
                return r;
        }

        struct result *res = xcalloc(csv.n_rows, sizeof(*res));
        for (size_t i = 0; i < csv.n_rows; i++)
                if (provision_one(client, &a, &csv.rows[i], chain_pem, &res[i]) == CLI_EXIT_SERVER)
                        break;

        size_t counts[OUT_MAX] = {0};
        for (size_t i = 0; i < csv.n_rows; i++)
                counts[res[i].outcome]++;
        print_summary(ctx, &csv, res, counts);
        for (size_t i = 0; i < csv.n_rows; i++)
                free(res[i].detail);
        free(res);
        provision_csv_free(&csv);

        if (counts[OUT_SERVER] > 0)
                return CLI_EXIT_SERVER;
        if (counts[OUT_REFUSED] > 0)
                return CLI_EXIT_REFUSED;
        if (counts[OUT_LOCAL] > 0)
                return CLI_EXIT_LOCAL;
        return CLI_EXIT_OK;
}

const struct cli_command cli_cmd_provision = {
        .name = "provision",
        .summary = "Enroll a list of devices over EST (factory)",
        .usage = "--product MODEL --batch NAME --serials FILE.csv --out DIR "
                 "(--generate-keys | --csr-dir DIR) [--station STATION]",
        .help = "Enrolls every serial of FILE.csv as a factory station does: one EST\n"
                "simpleenroll per serial (POST /.well-known/est/MODEL/simpleenroll; factory,\n"
                "admin). Writes DIR/<serial>/cert.pem (the birth certificate), chain.pem (the\n"
                "issuing CA and its chain) and, with --generate-keys, key.pem (mode 0600).\n"
                "A refused serial does not stop the others; the summary gives each serial's\n"
                "result and the server's reason. A serial whose cert.pem exists is skipped.\n\n"
                "FILE.csv: a header line naming the columns, one of them 'serial'; an optional\n"
                "'station' column overrides --station per row; other columns are ignored.\n"
                "Serials are 1-64 characters of [A-Za-z0-9._-], each listed once; at most\n"
                "100000 rows of at most 1024 bytes.\n\n"
                "Options:\n"
                "  --product MODEL      the product (the EST label)\n"
                "  --batch NAME         an open batch of the product\n"
                "  --serials FILE.csv   the serials ('-' = stdin)\n"
                "  --out DIR            where to write (created if missing)\n"
                "  --generate-keys      make an ECDSA P-256 key and CSR here for each serial\n"
                "  --csr-dir DIR        use the devices' own CSRs, DIR/<serial>.csr (PEM or\n"
                "                       DER; subject serialNumber = the serial)\n"
                "  --station STATION    factory station recorded with each device\n\n"
                "Exit status: 0 all enrolled or skipped; 3 some refused; 1 only local failures;\n"
                "4 the server failed or could not be reached (later serials not attempted).\n",
        .run = provision_run,
};

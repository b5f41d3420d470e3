/* SPDX-License-Identifier: Apache-2.0 */
/*
 * EST (RFC 7030) on the wire: what a request body must be (media type,
 * base64 with or without line breaks, size), what the answers look like
 * (certs-only PKCS#7 in base64 lines, application/csrattrs), and the EST
 * routes end to end through the router against a store with an active CA:
 * a factory enrolls, an EST client reads cacerts, refusals are problems.
 */
#include "testutil-identity.h"
#include "testutil-pki.h"

#include "auth/ratelimit.h"
#include "auth/role.h"
#include "auth/token.h"
#include "crypto/encoding.h"
#include "est.h"
#include "pki/pkcs7.h"
#include "request.h"
#include "response.h"
#include "route-io.h"
#include "router.h"
#include "routes.h"
#include "store/store.h"

/* ---- pure functions ---- */

static void test_media_type(void **state) {
        (void) state;
        assert_true(est_media_type_is("application/pkcs10", EST_MEDIA_PKCS10));
        assert_true(est_media_type_is("Application/PKCS10", EST_MEDIA_PKCS10));
        assert_true(est_media_type_is("  application/pkcs10 ; charset=x", EST_MEDIA_PKCS10));
        assert_true(est_media_type_is("application/pkcs10;", EST_MEDIA_PKCS10));
        assert_false(est_media_type_is(NULL, EST_MEDIA_PKCS10));
        assert_false(est_media_type_is("", EST_MEDIA_PKCS10));
        assert_false(est_media_type_is("application/pkcs10x", EST_MEDIA_PKCS10));
        assert_false(est_media_type_is("application/pkcs", EST_MEDIA_PKCS10));
        assert_false(est_media_type_is("application/json", EST_MEDIA_PKCS10));
        assert_false(est_media_type_is("text/plain; x=application/pkcs10", EST_MEDIA_PKCS10));
}

/* A real CSR as DER, and its base64 in the shapes clients send. */
struct csr_fx {
        struct tdir *t;
        uint8_t *der;
        size_t len;
};

static int csr_setup(void **state) {
        struct csr_fx *f = calloc(1, sizeof(*f));
        f->t = tdir_new();
        _cleanup_free_ char *key = tdir_path(f->t, "dev.key");
        struct error err = {0};
        if (crypto_key_generate_file(key, CRYPTO_KEY_EC_P256, &err) < 0)
                fail_msg("%s", err.msg);
        idfx_csr_for_key(key, "SN-1", "SN-1", &f->der, &f->len);
        *state = f;
        return 0;
}

static int csr_teardown(void **state) {
        struct csr_fx *f = *state;
        free(f->der);
        tdir_free(f->t);
        free(f);
        return 0;
}

/* base64 of der with `eol` after every `width` characters (0: one line). */
static char *b64_wrapped(const uint8_t *der, size_t len, size_t width, const char *eol) {
        _cleanup_free_ char *flat = base64_encode(der, len);
        if (!width)
                return str_dup(flat);
        struct buf b = {0};
        size_t n = strlen(flat);
        for (size_t i = 0; i < n; i += width) {
                buf_append(&b, flat + i, n - i < width ? n - i : width);
                buf_append(&b, eol, strlen(eol));
        }
        return buf_steal(&b);
}

static void test_read_csr_accepts_base64_shapes(void **state) {
        struct csr_fx *f = *state;
        struct { size_t width; const char *eol; } shapes[] = {
                { 0, "" }, { 64, "\r\n" }, { 64, "\n" }, { 76, "\r\n" }, { 4, "\n" },
        };
        for (size_t i = 0; i < ELEMENTSOF(shapes); i++) {
                _cleanup_free_ char *body = b64_wrapped(f->der, f->len, shapes[i].width, shapes[i].eol);
                uint8_t *der = NULL;
                size_t len = 0;
                struct error err = {0};
                if (est_read_csr("application/pkcs10", body, strlen(body), &der, &len, &err) < 0)
                        fail_msg("shape %zu: %s", i, err.msg);
                assert_int_equal(len, f->len);
                assert_memory_equal(der, f->der, len);
                free(der);
        }
}

static void test_read_csr_refusals(void **state) {
        struct csr_fx *f = *state;
        _cleanup_free_ char *good = b64_wrapped(f->der, f->len, 64, "\r\n");
        uint8_t *der = NULL;
        size_t len = 0;
        struct error err = {0};

        /* The media type comes first: a JSON client gets 415, not a base64 complaint. */
        assert_int_equal(est_read_csr("application/json", good, strlen(good), &der, &len, &err), -1);
        assert_error(err, ERROR_UNSUPPORTED, "application/pkcs10");
        assert_non_null(strstr(err.msg, "'application/json'"));
        assert_null(der);
        error_clear(&err);
        assert_int_equal(est_read_csr(NULL, good, strlen(good), &der, &len, &err), -1);
        assert_error(err, ERROR_UNSUPPORTED, "got none");
        error_clear(&err);

        const char *empties[] = { "", "\r\n", "  \n\t" };
        for (size_t i = 0; i < ELEMENTSOF(empties); i++) {
                error_clear(&err);
                assert_int_equal(est_read_csr("application/pkcs10", empties[i], strlen(empties[i]), &der, &len, &err), -1);
                assert_error(err, ERROR_INVALID, "empty");
        }
        error_clear(&err);
        assert_int_equal(est_read_csr("application/pkcs10", NULL, 0, &der, &len, &err), -1);
        assert_error(err, ERROR_INVALID, "empty");

        /* Raw DER (a client that ignored RFC 7030's base64) and other junk. */
        const char *bad[] = { "not base64!", "MIIB*AAA", "====", "MII" };
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                error_clear(&err);
                assert_int_equal(est_read_csr("application/pkcs10", bad[i], strlen(bad[i]), &der, &len, &err), -1);
                assert_error(err, ERROR_INVALID, "base64");
        }
        error_clear(&err);
        assert_int_equal(est_read_csr("application/pkcs10", (const char *) f->der, f->len, &der, &len, &err), -1);
        assert_error(err, ERROR_INVALID, "not a base64-encoded DER PKCS#10");
        assert_null(der);

        /* Over the CSR limit. */
        size_t big_len = PKI_CSR_MAX_DER + 3;
        uint8_t *big = calloc(1, big_len);
        _cleanup_free_ char *big_b64 = base64_encode(big, big_len);
        free(big);
        error_clear(&err);
        assert_int_equal(est_read_csr("application/pkcs10", big_b64, strlen(big_b64), &der, &len, &err), -1);
        assert_error(err, ERROR_TOO_LARGE, "larger than");
}

static void test_base64_lines(void **state) {
        (void) state;
        uint8_t data[200];
        for (size_t i = 0; i < sizeof(data); i++)
                data[i] = (uint8_t) (i * 7);
        _cleanup_free_ char *empty = est_base64_lines(data, 0);
        assert_string_equal(empty, "");
        _cleanup_free_ char *one = est_base64_lines(data, 48); /* exactly 64 characters */
        assert_int_equal(strlen(one), 65);
        assert_int_equal(one[64], '\n');
        _cleanup_free_ char *two = est_base64_lines(data, 49);
        assert_int_equal(strlen(two), 64 + 1 + 4 + 1);
        _cleanup_free_ char *many = est_base64_lines(data, sizeof(data));
        /* Every line at most 64 characters, LF only, and it decodes back. */
        for (const char *p = many; *p;) {
                const char *nl = strchr(p, '\n');
                assert_non_null(nl);
                assert_true(nl - p <= EST_BASE64_LINE && nl > p);
                assert_null(memchr(p, '\r', (size_t) (nl - p)));
                p = nl + 1;
        }
        uint8_t *back = NULL;
        size_t back_len = 0;
        assert_int_equal(base64_decode(many, strlen(many), &back, &back_len, NULL), 0);
        assert_int_equal(back_len, sizeof(data));
        assert_memory_equal(back, data, sizeof(data));
        free(back);
}

/* Decodes an EST certs answer into its certificates. */
static gnutls_datum_t *answer_certs(const struct http_response *resp, size_t *n) {
        assert_int_equal(resp->status, 200);
        assert_string_equal(resp->content_type, "application/pkcs7-mime; smime-type=certs-only");
        assert_string_equal(http_response_get_header(resp, "Content-Transfer-Encoding"), "base64");
        uint8_t *der = NULL;
        size_t len = 0;
        struct error err = {0};
        if (base64_decode(resp->body, resp->body_len, &der, &len, &err) < 0)
                fail_msg("answer is not base64: %s", err.msg);
        gnutls_datum_t *certs = NULL;
        if (pki_pkcs7_parse_certs(der, len, &certs, n, &err) < 0)
                fail_msg("answer is not certs-only PKCS#7: %s", err.msg);
        free(der);
        return certs;
}

static void test_respond_certs_and_csrattrs(void **state) {
        (void) state;
        struct tdir *t = tdir_new();
        struct crypto_key *k = tkey_file(t, "root.key", CRYPTO_KEY_EC_P256);
        _cleanup_free_ char *pem = troot(k, "Test Root");
        gnutls_x509_crt_t crt = tcrt(pem);
        gnutls_datum_t der = tder(crt);
        struct http_response resp = {0};
        struct error err = {0};

        assert_int_equal(est_respond_certs(&resp, &der, 1, &err), 0);
        size_t n = 0;
        gnutls_datum_t *certs = answer_certs(&resp, &n);
        assert_int_equal(n, 1);
        assert_int_equal(certs[0].size, der.size);
        assert_memory_equal(certs[0].data, der.data, der.size);
        pki_pkcs7_certs_free(certs, n);
        http_response_clear(&resp);

        est_respond_csrattrs(&resp);
        assert_int_equal(resp.status, 200);
        assert_string_equal(resp.content_type, "application/csrattrs");
        assert_string_equal(http_response_get_header(&resp, "Content-Transfer-Encoding"), "base64");
        uint8_t *attrs = NULL;
        size_t attrs_len = 0;
        assert_int_equal(base64_decode(resp.body, resp.body_len, &attrs, &attrs_len, NULL), 0);
        assert_true(attrs_len > 2);
        assert_int_equal(attrs[0], 0x30); /* SEQUENCE */
        free(attrs);
        http_response_clear(&resp);

        gnutls_free(der.data);
        gnutls_x509_crt_deinit(crt);
        crypto_key_free(k);
        tdir_free(t);
}

/* ---- the EST routes through the router ---- */

struct est_fx {
        struct idfx *id;
        struct store_pool *pool;
        struct router router;
        char *factory;    /* "Bearer ..." */
        char *auditor;
        char *admin;
};

static char *bearer(struct store *s, const char *name, enum role role) {
        char *secret = NULL;
        struct error err = {0};
        const struct audit_actor root = { .name = "test", .role = "system" };
        if (auth_token_create(s, &root, name, role, &secret, NULL, &err) < 0)
                fail_msg("token: %s", err.msg);
        char *h = str_printf("Bearer %s", secret);
        free_secret(secret);
        return h;
}

static int est_setup(void **state) {
        struct est_fx *f = calloc(1, sizeof(*f));
        struct error err = {0};
        f->id = idfx_new();
        f->factory = bearer(f->id->s, "station-1", ROLE_FACTORY);
        f->auditor = bearer(f->id->s, "auditor-1", ROLE_AUDITOR);
        f->admin = bearer(f->id->s, "admin-1", ROLE_ADMIN);
        if (store_pool_open(f->id->t->db, 2, &f->pool, &err) < 0)
                fail_msg("pool: %s", err.msg);
        f->router = (struct router) {
                .pool = f->pool,
                .max_body = 1024 * 1024,
                .data_dir = f->id->data_dir,
                .crl_base_url = IDFX_CRL_BASE,
        };
        f->router.routes = routes_table(&f->router.n_routes);
        *state = f;
        return 0;
}

static int est_teardown(void **state) {
        struct est_fx *f = *state;
        store_pool_close(f->pool);
        free(f->factory);
        free(f->auditor);
        free(f->admin);
        idfx_free(f->id);
        free(f);
        return 0;
}

static void enroll(struct est_fx *f, const char *auth, const char *content_type, const char *body,
                   const char *serial, struct http_response *resp) {
        struct http_query_param q[] = { { "serial", serial }, { "batch", IDFX_BATCH } };
        struct http_request req = {
                .method = "POST",
                .path = "/.well-known/est/" IDFX_MODEL "/simpleenroll",
                .query = q,
                .n_query = ELEMENTSOF(q),
                .authorization = auth,
                .content_type = content_type,
                .body = body,
                .body_len = body ? strlen(body) : 0,
                .client_ip = "192.0.2.20",
                .request_id = "00000000000000e5",
        };
        memset(resp, 0, sizeof(*resp));
        router_dispatch(&f->router, &req, resp);
}

static void test_simpleenroll_through_router(void **state) {
        struct est_fx *f = *state;
        uint8_t *der = NULL;
        size_t len = 0;
        idfx_csr(f->id, "SN-100", &der, &len, NULL);
        _cleanup_free_ char *body = b64_wrapped(der, len, 64, "\r\n");
        free(der);
        struct http_response resp;

        /* Who may: factory and admin; an auditor is refused before the body is read. */
        enroll(f, f->auditor, "application/pkcs10", body, "SN-100", &resp);
        assert_int_equal(resp.status, 403);
        http_response_clear(&resp);
        enroll(f, NULL, "application/pkcs10", body, "SN-100", &resp);
        assert_int_equal(resp.status, 401);
        http_response_clear(&resp);

        /* A JSON body is a 415 naming the EST media type. */
        enroll(f, f->factory, "application/json", "{}", "SN-100", &resp);
        assert_int_equal(resp.status, 415);
        assert_non_null(strstr(resp.body, "application/pkcs10"));
        http_response_clear(&resp);

        enroll(f, f->factory, "application/pkcs10", body, "SN-100", &resp);
        size_t n = 0;
        gnutls_datum_t *certs = answer_certs(&resp, &n);
        assert_int_equal(n, 1);
        gnutls_x509_crt_t crt = NULL;
        assert_int_equal(pki_cert_import(certs[0].data, certs[0].size, &crt, NULL), 0);
        char sn[65];
        assert_int_equal(pki_cert_subject_serial(crt, sn, sizeof(sn)), 0);
        assert_string_equal(sn, "SN-100");
        gnutls_x509_crt_deinit(crt);
        pki_pkcs7_certs_free(certs, n);
        http_response_clear(&resp);

        /* The same serial again: 409, as a problem document with the reason. */
        enroll(f, f->factory, "application/pkcs10", body, "SN-100", &resp);
        assert_int_equal(resp.status, 409);
        assert_string_equal(resp.content_type, "application/problem+json");
        assert_non_null(strstr(resp.body, "SN-100"));
        http_response_clear(&resp);

        /* The CSR names another serial: 400. */
        enroll(f, f->factory, "application/pkcs10", body, "SN-101", &resp);
        assert_int_equal(resp.status, 400);
        http_response_clear(&resp);

        /* Not base64. */
        enroll(f, f->factory, "application/pkcs10", "%%%", "SN-102", &resp);
        assert_int_equal(resp.status, 400);
        assert_non_null(strstr(resp.body, "base64"));
        http_response_clear(&resp);
}

static void test_query_parameters(void **state) {
        struct est_fx *f = *state;
        struct http_query_param q[] = { { "serial", "A" }, { "serial", "B" }, { "batch", IDFX_BATCH } };
        struct http_request req = {
                .method = "POST", .path = "/.well-known/est/" IDFX_MODEL "/simpleenroll", .query = q,
                .n_query = ELEMENTSOF(q), .authorization = f->factory, .content_type = "application/pkcs10",
                .body = "AAAA", .body_len = 4, .client_ip = "192.0.2.21", .request_id = "00000000000000e6",
        };
        struct http_response resp = {0};
        router_dispatch(&f->router, &req, &resp);
        assert_int_equal(resp.status, 400);
        assert_non_null(strstr(resp.body, "more than once"));
        http_response_clear(&resp);

        struct http_query_param q2[] = { { "serial", "A" }, { "reprovision", "maybe" } };
        req.query = q2;
        req.n_query = ELEMENTSOF(q2);
        router_dispatch(&f->router, &req, &resp);
        assert_int_equal(resp.status, 400);
        assert_non_null(strstr(resp.body, "reprovision"));
        http_response_clear(&resp);

        struct http_query_param q3[] = { { "serial", "A" }, { "colour", "red" } };
        req.query = q3;
        req.n_query = ELEMENTSOF(q3);
        router_dispatch(&f->router, &req, &resp);
        assert_int_equal(resp.status, 400);
        assert_non_null(strstr(resp.body, "serial,batch,station,reprovision"));
        http_response_clear(&resp);
}

static void get(struct est_fx *f, const char *path, struct http_response *resp) {
        struct http_request req = {
                .method = "GET", .path = path, .client_ip = "192.0.2.22", .request_id = "00000000000000e7",
        };
        memset(resp, 0, sizeof(*resp));
        router_dispatch(&f->router, &req, resp);
}

static void test_cacerts_csrattrs_crl(void **state) {
        struct est_fx *f = *state;
        struct http_response resp;
        size_t n = 0;

        /* CA and root, public. */
        get(f, "/.well-known/est/" IDFX_MODEL "/cacerts", &resp);
        gnutls_datum_t *certs = answer_certs(&resp, &n);
        assert_int_equal(n, 2);
        pki_pkcs7_certs_free(certs, n);
        http_response_clear(&resp);
        get(f, "/.well-known/est/cacerts", &resp);
        certs = answer_certs(&resp, &n);
        assert_int_equal(n, 2);
        pki_pkcs7_certs_free(certs, n);
        http_response_clear(&resp);

        get(f, "/.well-known/est/NO-SUCH/cacerts", &resp);
        assert_int_equal(resp.status, 404);
        http_response_clear(&resp);

        get(f, "/.well-known/est/" IDFX_MODEL "/csrattrs", &resp);
        assert_int_equal(resp.status, 200);
        assert_string_equal(resp.content_type, "application/csrattrs");
        http_response_clear(&resp);
        get(f, "/.well-known/est/NO-SUCH/csrattrs", &resp);
        assert_int_equal(resp.status, 404);
        http_response_clear(&resp);

        get(f, "/pki/crl/" IDFX_CA ".crl", &resp);
        assert_int_equal(resp.status, 200);
        assert_string_equal(resp.content_type, "application/pkix-crl");
        assert_true(resp.body_len > 0 && (unsigned char) resp.body[0] == 0x30);
        http_response_clear(&resp);
        const char *missing[] = { "/pki/crl/" IDFX_CA, "/pki/crl/.crl", "/pki/crl/nope.crl", "/pki/crl/" IDFX_CA ".pem" };
        for (size_t i = 0; i < ELEMENTSOF(missing); i++) {
                get(f, missing[i], &resp);
                if (resp.status != 404)
                        fail_msg("%s: %u", missing[i], resp.status);
                http_response_clear(&resp);
        }
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_media_type),
                cmocka_unit_test_setup_teardown(test_read_csr_accepts_base64_shapes, csr_setup, csr_teardown),
                cmocka_unit_test_setup_teardown(test_read_csr_refusals, csr_setup, csr_teardown),
                cmocka_unit_test(test_base64_lines),
                cmocka_unit_test(test_respond_certs_and_csrattrs),
                cmocka_unit_test_setup_teardown(test_simpleenroll_through_router, est_setup, est_teardown),
                cmocka_unit_test_setup_teardown(test_query_parameters, est_setup, est_teardown),
                cmocka_unit_test_setup_teardown(test_cacerts_csrattrs_crl, est_setup, est_teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

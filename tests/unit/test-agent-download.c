/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Downloads as a device sees them: resumed with Range from the partial
 * file's size (the prefix hashed again), a server ignoring Range, a cut
 * connection kept for the next attempt, a wrong hash deleting the partial
 * file, endless data aborted at the listed length, slow retrieval aborted by
 * the low-speed limit, and the metadata fetcher's limits. A forked local
 * HTTP server (testutil-agent.h) plays the server; file:// URLs resume too.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "agent/download.h"
#include "agent/fetch.h"
#include "core/time.h"
#include "crypto/hash.h"
#include "testutil-agent.h"

#define IMAGE_LEN (300 * 1024 + 17)

struct fixture {
        char *dir;
        struct tu_httpd *httpd;
        struct agent_http *http;
        char *image;
        uint8_t sha[SHA256_LEN];
        char *part;
        char *url;
};

static int setup(void **state) {
        struct fixture *f = xcalloc(1, sizeof(*f));
        struct agent_http_options opt = { .low_speed_limit = 1000, .low_speed_time = 2, .connect_timeout = 5,
                                          .timeout = 60 };
        struct error err = { 0 };

        f->dir = tu_tmpdir("agent-download");
        f->image = xmalloc(IMAGE_LEN);
        for (size_t i = 0; i < IMAGE_LEN; i++)
                f->image[i] = (char) (i * 7 + i / 251);
        hash_sha256(f->image, IMAGE_LEN, f->sha);
        tu_write(f->dir, "www/repo/T1/targets/1.0/abc.rootfs.img", f->image, IMAGE_LEN, 0644);
        f->httpd = tu_httpd_start(f->dir);
        f->url = str_printf("%s/repo/T1/targets/1.0/abc.rootfs.img", f->httpd->url);
        f->part = path_join(f->dir, "download.part");
        if (agent_http_new(&opt, &f->http, &err) < 0)
                fail_msg("%s", err.msg);
        *state = f;
        return 0;
}

static int teardown(void **state) {
        struct fixture *f = *state;
        tu_httpd_stop(f->httpd);
        agent_http_free(f->http);
        tu_rmtree(f->dir);
        free(f->dir);
        free(f->image);
        free(f->part);
        free(f->url);
        free(f);
        return 0;
}

static void assert_part_is_image(struct fixture *f) {
        size_t len = 0;
        _cleanup_free_ char *got = tu_read(f->dir, "download.part", &len);
        assert_non_null(got);
        assert_int_equal(len, IMAGE_LEN);
        assert_memory_equal(got, f->image, IMAGE_LEN);
}

static void full_download(void **state) {
        struct fixture *f = *state;
        struct agent_download_result res;
        struct error err = { 0 };
        struct stat st;

        assert_ok(agent_download(f->http, f->url, f->part, IMAGE_LEN, f->sha, &res, &err), err);
        assert_int_equal(res.resumed_from, 0);
        assert_int_equal(res.fetched, IMAGE_LEN);
        assert_part_is_image(f);
        assert_int_equal(stat(f->part, &st), 0);
        assert_int_equal(st.st_mode & 0777, 0600);
}

static void resume_with_range_from_partial_size(void **state) {
        struct fixture *f = *state;
        struct agent_download_result res;
        struct error err = { 0 };
        _cleanup_free_ char *log = NULL;

        tu_write(f->dir, "download.part", f->image, 100000, 0600);
        assert_ok(agent_download(f->http, f->url, f->part, IMAGE_LEN, f->sha, &res, &err), err);
        assert_int_equal(res.resumed_from, 100000);
        assert_int_equal(res.fetched, IMAGE_LEN - 100000);
        assert_part_is_image(f);
        log = tu_httpd_requests(f->httpd);
        assert_non_null(strstr(log, "range=100000"));
}

static void interrupted_transfer_keeps_partial_then_resumes(void **state) {
        struct fixture *f = *state;
        struct agent_download_result res;
        struct error err = { 0 };
        struct stat st;
        _cleanup_free_ char *log = NULL;

        tu_httpd_mode(f->httpd, "cut=50000");
        assert_int_equal(agent_download(f->http, f->url, f->part, IMAGE_LEN, f->sha, &res, &err), -1);
        assert_int_equal(err.kind, ERROR_UNAVAILABLE);
        assert_int_equal(stat(f->part, &st), 0);
        assert_int_equal(st.st_size, 50000);

        tu_httpd_mode(f->httpd, "");
        error_clear(&err);
        assert_ok(agent_download(f->http, f->url, f->part, IMAGE_LEN, f->sha, &res, &err), err);
        assert_int_equal(res.resumed_from, 50000);
        assert_part_is_image(f);
        log = tu_httpd_requests(f->httpd);
        assert_non_null(strstr(log, "range=50000"));
}

static void server_ignoring_range_restarts_from_zero(void **state) {
        struct fixture *f = *state;
        struct agent_download_result res;
        struct error err = { 0 };

        tu_write(f->dir, "download.part", f->image, 4096, 0600);
        tu_httpd_mode(f->httpd, "ignore-range");
        assert_ok(agent_download(f->http, f->url, f->part, IMAGE_LEN, f->sha, &res, &err), err);
        assert_int_equal(res.resumed_from, 0);
        assert_part_is_image(f);
}

static void wrong_hash_deletes_partial(void **state) {
        struct fixture *f = *state;
        struct error err = { 0 };
        uint8_t other[SHA256_LEN];

        hash_sha256("something else", 14, other);
        assert_int_equal(agent_download(f->http, f->url, f->part, IMAGE_LEN, other, NULL, &err), -1);
        assert_int_equal(err.kind, ERROR_INVALID);
        assert_error_contains(err, "does not match");
        assert_error_contains(err, "partial file deleted");
        assert_false(tu_exists(f->dir, "download.part"));
}

static void corrupt_prefix_is_caught_on_resume(void **state) {
        struct fixture *f = *state;
        struct error err = { 0 };
        _cleanup_free_ char *bad = xmalloc(20000);

        memcpy(bad, f->image, 20000);
        bad[1234] ^= 1;
        tu_write(f->dir, "download.part", bad, 20000, 0600);
        assert_int_equal(agent_download(f->http, f->url, f->part, IMAGE_LEN, f->sha, NULL, &err), -1);
        assert_int_equal(err.kind, ERROR_INVALID);
        assert_false(tu_exists(f->dir, "download.part"));
        /* The next attempt starts clean and succeeds. */
        error_clear(&err);
        assert_ok(agent_download(f->http, f->url, f->part, IMAGE_LEN, f->sha, NULL, &err), err);
        assert_part_is_image(f);
}

static void endless_data_is_cut_at_the_listed_length(void **state) {
        struct fixture *f = *state;
        struct error err = { 0 };
        uint8_t sha[SHA256_LEN];

        /* The metadata lists 1000 bytes; the server sends the whole file
         * and 4 MiB more. */
        hash_sha256(f->image, 1000, sha);
        tu_httpd_mode(f->httpd, "extra");
        assert_int_equal(agent_download(f->http, f->url, f->part, 1000, sha, NULL, &err), -1);
        assert_int_equal(err.kind, ERROR_TOO_LARGE);
        assert_error_contains(err, "endless data");
        assert_false(tu_exists(f->dir, "download.part"));
}

static void slow_retrieval_is_aborted(void **state) {
        struct fixture *f = *state;
        struct error err = { 0 };
        int64_t t0 = time_monotonic_usec();

        tu_httpd_mode(f->httpd, "trickle");
        assert_int_equal(agent_download(f->http, f->url, f->part, IMAGE_LEN, f->sha, NULL, &err), -1);
        assert_int_equal(err.kind, ERROR_UNAVAILABLE);
        assert_error_contains(err, "slow retrieval");
        /* low_speed_time is 2 s: aborted well before the 8 hours a
         * trickle of this image would take. */
        assert_true(time_monotonic_usec() - t0 < 20 * 1000000LL);
}

static void server_error_status_fails_without_touching_partial(void **state) {
        struct fixture *f = *state;
        struct error err = { 0 };
        struct stat st;

        tu_write(f->dir, "download.part", f->image, 777, 0600);
        tu_httpd_mode(f->httpd, "status=503");
        assert_int_equal(agent_download(f->http, f->url, f->part, IMAGE_LEN, f->sha, NULL, &err), -1);
        assert_int_equal(err.kind, ERROR_UNAVAILABLE);
        assert_error_contains(err, "HTTP 503");
        assert_int_equal(stat(f->part, &st), 0);
        assert_int_equal(st.st_size, 777);
}

static void partial_longer_than_target_starts_over(void **state) {
        struct fixture *f = *state;
        struct error err = { 0 };
        _cleanup_free_ char *big = xcalloc(1, IMAGE_LEN + 10);

        tu_write(f->dir, "download.part", big, IMAGE_LEN + 10, 0600);
        assert_ok(agent_download(f->http, f->url, f->part, IMAGE_LEN, f->sha, NULL, &err), err);
        assert_part_is_image(f);
}

static void complete_partial_needs_no_transfer(void **state) {
        struct fixture *f = *state;
        struct agent_download_result res;
        struct error err = { 0 };
        _cleanup_free_ char *log = NULL;

        tu_write(f->dir, "download.part", f->image, IMAGE_LEN, 0600);
        assert_ok(agent_download(f->http, f->url, f->part, IMAGE_LEN, f->sha, &res, &err), err);
        assert_int_equal(res.fetched, 0);
        log = tu_httpd_requests(f->httpd);
        assert_null(strstr(log, "abc.rootfs.img"));
}

static void file_url_resumes(void **state) {
        struct fixture *f = *state;
        struct agent_download_result res;
        struct error err = { 0 };
        _cleanup_free_ char *url = str_printf("file://%s/www/repo/T1/targets/1.0/abc.rootfs.img", f->dir);

        tu_write(f->dir, "download.part", f->image, 65536, 0600);
        assert_ok(agent_download(f->http, url, f->part, IMAGE_LEN, f->sha, &res, &err), err);
        assert_int_equal(res.resumed_from, 65536);
        assert_int_equal(res.fetched, IMAGE_LEN - 65536);
        assert_part_is_image(f);
}

static void metadata_get_limits(void **state) {
        struct fixture *f = *state;
        struct error err = { 0 };
        _cleanup_free_ char *missing = str_printf("%s/repo/T1/9.root.json", f->httpd->url);
        char *out = NULL;
        size_t len = 0;

        tu_write_str(f->dir, "www/repo/T1/timestamp.json", "{\"small\": true}");
        {
                _cleanup_free_ char *url = str_printf("%s/repo/T1/timestamp.json", f->httpd->url);
                assert_ok(agent_http_get(f->http, url, 1024, &out, &len, &err), err);
                assert_int_equal(len, 15);
                assert_string_equal(out, "{\"small\": true}");
                free(out);
                out = NULL;
                /* Endless data: more than the limit. */
                assert_int_equal(agent_http_get(f->http, f->url, 1024, &out, &len, &err), -1);
                assert_int_equal(err.kind, ERROR_TOO_LARGE);
                assert_error_contains(err, "endless data");
        }
        error_clear(&err);
        assert_int_equal(agent_http_get(f->http, missing, 1024, &out, &len, &err), -1);
        assert_int_equal(err.kind, ERROR_NOT_FOUND);
        error_clear(&err);
        tu_httpd_mode(f->httpd, "status=500");
        assert_int_equal(agent_http_get(f->http, missing, 1024, &out, &len, &err), -1);
        assert_int_equal(err.kind, ERROR_UNAVAILABLE);
        assert_error_contains(err, "HTTP 500");
        error_clear(&err);
        tu_httpd_mode(f->httpd, "status=429");
        assert_int_equal(agent_http_get(f->http, missing, 1024, &out, &len, &err), -1);
        assert_int_equal(err.kind, ERROR_RATE_LIMITED);
}

static void tuf_fetcher_maps_names_to_urls(void **state) {
        struct fixture *f = *state;
        _cleanup_free_ char *base = str_printf("%s/repo/T1/", f->httpd->url);
        struct agent_http_fetcher hf = { f->http, base };
        struct tuf_fetcher tf = agent_http_fetcher(&hf);
        struct error err = { 0 };
        char *out = NULL;
        size_t len = 0;

        tu_write_str(f->dir, "www/repo/T1/1.root.json", "{}");
        assert_ok(tf.fetch(tf.ud, "1.root.json", 512, &out, &len, &err), err);
        assert_int_equal(len, 2);
        free(out);
        assert_int_equal(tf.fetch(tf.ud, "2.root.json", 512, &out, &len, &err), -1);
        assert_int_equal(err.kind, ERROR_NOT_FOUND);
}

static void unreachable_server_is_unavailable(void **state) {
        struct fixture *f = *state;
        struct error err = { 0 };
        char *out = NULL;
        size_t len = 0;
        (void) f;

        /* Port 1 on loopback: connection refused at once. */
        assert_int_equal(agent_http_get(f->http, "http://127.0.0.1:1/x", 10, &out, &len, &err), -1);
        assert_int_equal(err.kind, ERROR_UNAVAILABLE);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(full_download, setup, teardown),
                cmocka_unit_test_setup_teardown(resume_with_range_from_partial_size, setup, teardown),
                cmocka_unit_test_setup_teardown(interrupted_transfer_keeps_partial_then_resumes, setup, teardown),
                cmocka_unit_test_setup_teardown(server_ignoring_range_restarts_from_zero, setup, teardown),
                cmocka_unit_test_setup_teardown(wrong_hash_deletes_partial, setup, teardown),
                cmocka_unit_test_setup_teardown(corrupt_prefix_is_caught_on_resume, setup, teardown),
                cmocka_unit_test_setup_teardown(endless_data_is_cut_at_the_listed_length, setup, teardown),
                cmocka_unit_test_setup_teardown(slow_retrieval_is_aborted, setup, teardown),
                cmocka_unit_test_setup_teardown(server_error_status_fails_without_touching_partial, setup, teardown),
                cmocka_unit_test_setup_teardown(partial_longer_than_target_starts_over, setup, teardown),
                cmocka_unit_test_setup_teardown(complete_partial_needs_no_transfer, setup, teardown),
                cmocka_unit_test_setup_teardown(file_url_resumes, setup, teardown),
                cmocka_unit_test_setup_teardown(metadata_get_limits, setup, teardown),
                cmocka_unit_test_setup_teardown(tuf_fetcher_maps_names_to_urls, setup, teardown),
                cmocka_unit_test_setup_teardown(unreachable_server_is_unavailable, setup, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

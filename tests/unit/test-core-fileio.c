/* SPDX-License-Identifier: Apache-2.0 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/cleanup.h"
#include "core/fileio.h"
#include "core/strutil.h"

static int setup_dir(void **state) {
        char *dir = str_dup("/tmp/cradle-test-fileio-XXXXXX");

        if (!mkdtemp(dir)) {
                free(dir);
                return -1;
        }
        *state = dir;
        return 0;
}

static void remove_tree(const char *path) {
        DIR *d = opendir(path);
        struct dirent *de;

        if (!d) {
                (void) unlink(path);
                return;
        }
        while ((de = readdir(d))) {
                if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
                        continue;
                _cleanup_free_ char *p = path_join(path, de->d_name);
                remove_tree(p);
        }
        closedir(d);
        (void) rmdir(path);
}

static int teardown_dir(void **state) {
        remove_tree(*state);
        free(*state);
        return 0;
}

static int count_entries(const char *dir) {
        DIR *d = opendir(dir);
        struct dirent *de;
        int n = 0;

        assert_non_null(d);
        while ((de = readdir(d)))
                if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
                        n++;
        closedir(d);
        return n;
}

static void test_atomic_write_creates_and_replaces(void **state) {
        const char *dir = *state;
        _cleanup_free_ char *path = path_join(dir, "state.json");
        _cleanup_free_ char *data = NULL;
        struct error err = { 0 };
        struct stat st;
        size_t len;

        assert_int_equal(file_write_atomic(path, "first version", 13, 0640, &err), 0);
        assert_int_equal(stat(path, &st), 0);
        assert_int_equal(st.st_mode & 07777, 0640);
        assert_int_equal(file_read_all(path, 1024, &data, &len, &err), 0);
        assert_string_equal(data, "first version");
        free(steal_ptr(data));

        /* Shorter content replaces, not overwrites in place. */
        assert_int_equal(file_write_atomic(path, "v2", 2, 0600, &err), 0);
        assert_int_equal(file_read_all(path, 1024, &data, &len, &err), 0);
        assert_int_equal(len, 2);
        assert_string_equal(data, "v2");
        assert_int_equal(stat(path, &st), 0);
        assert_int_equal(st.st_mode & 07777, 0600);

        /* No temp file left behind. */
        assert_int_equal(count_entries(dir), 1);
}

/* file_write_new: the name appears with the whole content and the mode, and
 * nothing that exists (a file, a symlink, even a dangling one) is replaced. */
static void test_write_new_never_replaces(void **state) {
        const char *dir = *state;
        _cleanup_free_ char *path = path_join(dir, "op.key");
        _cleanup_free_ char *data = NULL;
        struct error err = { 0 };
        struct stat st;
        size_t len;

        mode_t old = umask(0);
        assert_int_equal(file_write_new(path, "secret one", 10, 0600, &err), 0);
        umask(old);
        assert_int_equal(stat(path, &st), 0);
        assert_int_equal(st.st_mode & 07777, 0600);

        assert_int_equal(file_write_new(path, "secret two", 10, 0600, &err), -1);
        assert_int_equal(err.kind, ERROR_CONFLICT);
        assert_non_null(strstr(err.msg, "op.key exists already"));
        assert_int_equal(file_read_all(path, 1024, &data, &len, NULL), 0);
        assert_string_equal(data, "secret one");

        _cleanup_free_ char *target = path_join(dir, "target");
        _cleanup_free_ char *link_path = path_join(dir, "link");
        assert_int_equal(symlink(target, link_path), 0);
        error_clear(&err);
        assert_int_equal(file_write_new(link_path, "x", 1, 0600, &err), -1);
        assert_int_equal(err.kind, ERROR_CONFLICT);
        assert_int_equal(access(target, F_OK), -1);

        /* Only op.key and the link: no temp file is left behind. */
        assert_int_equal(count_entries(dir), 2);

        _cleanup_free_ char *missing = path_join(dir, "no/such/dir/f");
        error_clear(&err);
        assert_int_equal(file_write_new(missing, "x", 1, 0600, &err), -1);
        assert_int_equal(err.kind, ERROR_IO);
}

static void test_atomic_write_empty_and_large(void **state) {
        const char *dir = *state;
        _cleanup_free_ char *path = path_join(dir, "big");
        _cleanup_free_ char *big = xmalloc(3 * 1024 * 1024);
        _cleanup_free_ char *data = NULL;
        size_t len;

        for (size_t i = 0; i < 3 * 1024 * 1024; i++)
                big[i] = (char) (i * 7);
        assert_int_equal(file_write_atomic(path, big, 3 * 1024 * 1024, 0600, NULL), 0);
        assert_int_equal(file_read_all(path, 4 * 1024 * 1024, &data, &len, NULL), 0);
        assert_int_equal(len, 3 * 1024 * 1024);
        assert_memory_equal(data, big, len);
        free(steal_ptr(data));

        assert_int_equal(file_write_atomic(path, NULL, 0, 0600, NULL), 0);
        assert_int_equal(file_read_all(path, 10, &data, &len, NULL), 0);
        assert_int_equal(len, 0);
        assert_string_equal(data, "");
        assert_int_equal(count_entries(dir), 1);
}

static void test_atomic_write_missing_dir(void **state) {
        const char *dir = *state;
        _cleanup_free_ char *path = str_printf("%s/no/such/dir/file", dir);
        _cleanup_free_ char *expected = NULL;
        struct error err = { 0 };

        assert_int_equal(file_write_atomic(path, "x", 1, 0600, &err), -1);
        assert_int_equal(err.kind, ERROR_IO);
        expected = str_printf("%s: cannot create a temporary file in '%s/no/such/dir': "
                              "No such file or directory", path, dir);
        assert_string_equal(err.msg, expected);
        assert_int_equal(count_entries(dir), 0);
}

static void test_atomic_write_failure_removes_temp(void **state) {
        const char *dir = *state;
        _cleanup_free_ char *target = path_join(dir, "target");
        _cleanup_free_ char *inner = path_join(target, "keep");
        struct error err = { 0 };

        /* The target is a non-empty directory: rename() fails after the temp
         * file was written, which must be removed again. */
        assert_int_equal(mkdir(target, 0700), 0);
        assert_int_equal(mkdir(inner, 0700), 0);
        assert_int_equal(file_write_atomic(target, "data", 4, 0600, &err), -1);
        assert_int_equal(err.kind, ERROR_IO);
        assert_non_null(strstr(err.msg, "cannot rename"));
        assert_int_equal(count_entries(dir), 1);

        assert_int_equal(file_write_atomic("", "x", 1, 0600, &err), -1);
        assert_int_equal(err.kind, ERROR_INVALID);
        _cleanup_free_ char *slash = str_printf("%s/", dir);
        assert_int_equal(file_write_atomic(slash, "x", 1, 0600, &err), -1);
        assert_int_equal(err.kind, ERROR_INVALID);
}

static void test_read_all_limits(void **state) {
        const char *dir = *state;
        _cleanup_free_ char *path = path_join(dir, "f");
        _cleanup_free_ char *missing = path_join(dir, "missing");
        _cleanup_free_ char *data = NULL;
        struct error err = { 0 };
        size_t len = 99;

        assert_int_equal(file_write_atomic(path, "0123456789", 10, 0600, &err), 0);
        assert_int_equal(file_read_all(path, 10, &data, &len, &err), 0);
        assert_int_equal(len, 10);
        free(steal_ptr(data));

        assert_int_equal(file_read_all(path, 9, &data, &len, &err), -1);
        assert_int_equal(err.kind, ERROR_TOO_LARGE);
        assert_non_null(strstr(err.msg, "is too large (10 bytes, at most 9)"));
        assert_null(data);

        assert_int_equal(file_read_all(missing, 10, &data, &len, &err), -1);
        assert_int_equal(err.kind, ERROR_NOT_FOUND);
        assert_non_null(strstr(err.msg, "No such file or directory"));

        assert_int_equal(file_read_all(dir, 10, &data, &len, &err), -1);
        assert_non_null(strstr(err.msg, "is a directory"));

        /* A file without a known size is still limited. */
        assert_int_equal(file_read_all("/dev/zero", 100, &data, &len, &err), -1);
        assert_int_equal(err.kind, ERROR_TOO_LARGE);
}

static void test_check_private(void **state) {
        const char *dir = *state;
        _cleanup_free_ char *path = path_join(dir, "key");
        struct error err = { 0 };

        assert_int_equal(file_write_atomic(path, "secret", 6, 0600, &err), 0);
        assert_int_equal(file_check_private(path, &err), 0);
        assert_int_equal(chmod(path, 0640), 0);
        assert_int_equal(file_check_private(path, &err), -1);
        assert_non_null(strstr(err.msg, "mode 0640"));
        assert_non_null(strstr(err.msg, "chmod 600"));
        assert_int_equal(chmod(path, 0604), 0);
        assert_int_equal(file_check_private(path, &err), -1);
        assert_int_equal(unlink(path), 0);
        assert_int_equal(file_check_private(path, &err), -1);
        assert_int_equal(err.kind, ERROR_NOT_FOUND);
}

static void test_dir_create_and_fsync(void **state) {
        const char *dir = *state;
        _cleanup_free_ char *deep = str_printf("%s/a/b/c", dir);
        _cleanup_free_ char *file = path_join(dir, "plain");
        _cleanup_free_ char *under_file = path_join(file, "sub");
        struct error err = { 0 };
        struct stat st;

        assert_int_equal(dir_create(deep, 0750, &err), 0);
        assert_int_equal(stat(deep, &st), 0);
        assert_true(S_ISDIR(st.st_mode));
        assert_int_equal(dir_create(deep, 0750, &err), 0); /* exists: fine */
        assert_int_equal(dir_fsync(deep, &err), 0);

        assert_int_equal(file_write_atomic(file, "x", 1, 0600, &err), 0);
        assert_int_equal(dir_create(file, 0700, &err), -1);
        assert_non_null(strstr(err.msg, "exists and is not a directory"));
        assert_int_equal(dir_create(under_file, 0700, &err), -1);
        assert_int_equal(dir_create("", 0700, &err), -1);

        assert_int_equal(dir_fsync(under_file, &err), -1);
        assert_int_equal(err.kind, ERROR_IO);
        assert_true(file_exists(deep));
        assert_false(file_exists(under_file));
        assert_false(file_exists(NULL));
}

static void test_path_join(void **state) {
        static const struct {
                const char *a, *b, *expected;
        } cases[] = {
                { "/var/lib", "x", "/var/lib/x" },
                { "/var/lib/", "x", "/var/lib/x" },
                { "/var/lib//", "/x", "/var/lib/x" },
                { "/", "x", "/x" },
                { "", "x", "x" },
                { "rel", "a/b", "rel/a/b" },
        };

        (void) state;
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                _cleanup_free_ char *p = path_join(cases[i].a, cases[i].b);
                assert_string_equal(p, cases[i].expected);
        }
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_atomic_write_creates_and_replaces, setup_dir, teardown_dir),
                cmocka_unit_test_setup_teardown(test_write_new_never_replaces, setup_dir, teardown_dir),
                cmocka_unit_test_setup_teardown(test_atomic_write_empty_and_large, setup_dir, teardown_dir),
                cmocka_unit_test_setup_teardown(test_atomic_write_missing_dir, setup_dir, teardown_dir),
                cmocka_unit_test_setup_teardown(test_atomic_write_failure_removes_temp, setup_dir, teardown_dir),
                cmocka_unit_test_setup_teardown(test_read_all_limits, setup_dir, teardown_dir),
                cmocka_unit_test_setup_teardown(test_check_private, setup_dir, teardown_dir),
                cmocka_unit_test_setup_teardown(test_dir_create_and_fsync, setup_dir, teardown_dir),
                cmocka_unit_test(test_path_join),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

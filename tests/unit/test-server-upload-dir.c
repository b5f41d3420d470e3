/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The upload directory at start (src/server/ota-maintenance.c): what an
 * earlier run left in <data>/tmp, a streamed body or an encryption container
 * cut short by a crash, is removed; anything else there is left alone.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/cleanup.h"
#include "core/fileio.h"
#include "core/strutil.h"
#include "ota-maintenance.h"
#include "release/encrypt.h"

static char *make_file(const char *dir, const char *name) {
        char *p = path_join(dir, name);
        struct error err = { 0 };
        assert_int_equal(file_write_atomic(p, "x", 1, 0600, &err), 0);
        return p;
}

static void leftovers_removed_others_kept(void **state) {
        (void) state;
        char base[] = "/tmp/cradle-upload-dir-XXXXXX";
        assert_non_null(mkdtemp(base));
        _cleanup_free_ char *tmp = path_join(base, OTA_UPLOAD_DIR);
        assert_int_equal(mkdir(tmp, 0700), 0);
        /* The names the two writers use (http.c's streamed bodies, release
         * encryption's containers). */
        _cleanup_free_ char *body = make_file(tmp, "upload-req42-AbC123");
        _cleanup_free_ char *container = make_file(tmp, RELEASE_ENCRYPT_TEMP_PREFIX "Zy9x8W");
        _cleanup_free_ char *other = make_file(tmp, "operator-notes.txt");
        _cleanup_free_ char *dir = NULL;
        struct error err = { 0 };
        assert_int_equal(ota_upload_dir_prepare(base, &dir, &err), 0);
        assert_string_equal(dir, tmp);
        assert_int_equal(access(body, F_OK), -1);
        assert_int_equal(access(container, F_OK), -1);
        assert_int_equal(access(other, F_OK), 0);
        unlink(other);
        rmdir(tmp);
        rmdir(base);
}

int main(void) {
        const struct CMUnitTest tests[] = { cmocka_unit_test(leftovers_removed_others_kept) };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

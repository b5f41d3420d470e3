/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The agent's state file: atomic, private, round-trips every field, and a
 * truncated or garbage file is detected and replaced by the safe state
 * (idle, the floor kept from the separate floor file, the bad file moved
 * aside). The floor is never lowered by any of this.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "agent/state.h"
#include "core/log.h"
#include "testutil-agent.h"

static int setup(void **state) {
        *state = tu_tmpdir("agent-state");
        return *state ? 0 : -1;
}

static int teardown(void **state) {
        tu_rmtree(*state);
        free(*state);
        return 0;
}

static void fill(struct agent_state *st) {
        st->phase = AGENT_PHASE_AWAITING_REBOOT;
        snprintf(st->current.version, sizeof(st->current.version), "1.0.0");
        st->current.security_version = 3;
        snprintf(st->target.version, sizeof(st->target.version), "1.2.0");
        st->target.security_version = 7;
        snprintf(st->target.path, sizeof(st->target.path), "1.2.0/rootfs.img");
        st->target.length = 123456;
        snprintf(st->target.sha256, sizeof(st->target.sha256), "%064d", 0);
        st->target.sha256[0] = 'a';
        st->floor = 3;
        st->director_version = 12;
        snprintf(st->activated_boot_id, sizeof(st->activated_boot_id), "boot-1");
        st->boot_attempts = 2;
        snprintf(st->last_error, sizeof(st->last_error), "something");
}

static void missing_file_is_a_fresh_idle_state(void **state) {
        const char *dir = *state;
        _cleanup_free_ char *sub = path_join(dir, "new/state");
        struct agent_state st;
        struct error err = { 0 };
        struct stat s;

        assert_ok(agent_state_load(sub, &st, &err), err);
        assert_int_equal(st.phase, AGENT_PHASE_IDLE);
        assert_int_equal(st.floor, 0);
        assert_false(st.recovered);
        assert_int_equal(stat(sub, &s), 0);
        assert_int_equal(s.st_mode & 0777, 0700);
        agent_state_free(&st);
}

static void round_trip(void **state) {
        const char *dir = *state;
        struct agent_state st = { 0 }, back;
        struct error err = { 0 };
        _cleanup_free_ char *path = path_join(dir, AGENT_STATE_FILE);
        struct stat s;

        st.reports = json_array();
        fill(&st);
        agent_state_queue_report(&st, json_pack("{s:s}", "stage", "downloading"));
        assert_ok(agent_state_save(dir, &st, &err), err);
        assert_int_equal(stat(path, &s), 0);
        assert_int_equal(s.st_mode & 0777, 0600);

        assert_ok(agent_state_load(dir, &back, &err), err);
        assert_false(back.recovered);
        assert_int_equal(back.phase, AGENT_PHASE_AWAITING_REBOOT);
        assert_string_equal(back.current.version, "1.0.0");
        assert_int_equal(back.current.security_version, 3);
        assert_string_equal(back.target.version, "1.2.0");
        assert_string_equal(back.target.path, "1.2.0/rootfs.img");
        assert_int_equal(back.target.length, 123456);
        assert_string_equal(back.target.sha256, st.target.sha256);
        assert_int_equal(back.floor, 3);
        assert_int_equal(back.director_version, 12);
        assert_string_equal(back.activated_boot_id, "boot-1");
        assert_int_equal(back.boot_attempts, 2);
        assert_string_equal(back.last_error, "something");
        assert_int_equal(json_array_size(back.reports), 1);
        agent_state_free(&st);
        agent_state_free(&back);
}

static void check_recovers(const char *dir, const char *content, size_t len, int64_t want_floor) {
        struct agent_state st;
        struct error err = { 0 };

        tu_write(dir, AGENT_STATE_FILE, content, len, 0600);
        assert_ok(agent_state_load(dir, &st, &err), err);
        assert_true(st.recovered);
        assert_int_equal(st.phase, AGENT_PHASE_IDLE);
        assert_int_equal(st.floor, want_floor);
        assert_non_null(strstr(st.last_error, "fell back to a safe state"));
        assert_true(tu_exists(dir, AGENT_STATE_FILE ".corrupt"));
        assert_false(tu_exists(dir, AGENT_STATE_FILE));
        agent_state_free(&st);
}

static void truncated_file_falls_back_keeping_the_floor(void **state) {
        const char *dir = *state;
        struct agent_state st = { 0 };
        struct error err = { 0 };
        _cleanup_free_ char *full = NULL;
        size_t len = 0;

        st.reports = json_array();
        fill(&st);
        st.floor = 5;
        assert_ok(agent_state_save(dir, &st, &err), err);
        full = tu_read(dir, AGENT_STATE_FILE, &len);
        /* Every prefix of the real file is detected. */
        for (size_t cut = 0; cut < len; cut += 37) {
                check_recovers(dir, full, cut, 5);
        }
        agent_state_free(&st);
}

static void garbage_falls_back(void **state) {
        const char *dir = *state;
        static const char *bad[] = {
                "\x00\x01\x02garbage",
                "[]",
                "{\"format\": 1}",
                "{\"format\": 2, \"phase\": \"idle\"}",
                /* unknown phase */
                "{\"format\":1,\"phase\":\"flying\",\"current\":{\"version\":\"\",\"security_version\":0,\"path\":\"\","
                "\"length\":0,\"sha256\":\"\"},\"target\":{\"version\":\"\",\"security_version\":0,\"path\":\"\","
                "\"length\":0,\"sha256\":\"\"},\"floor\":0,\"director_version\":0,\"activated_boot_id\":\"\","
                "\"boot_attempts\":0,\"failed_sha256\":\"\",\"last_error\":\"\",\"reports\":[]}",
                /* a phase with work in progress but no target */
                "{\"format\":1,\"phase\":\"installing\",\"current\":{\"version\":\"\",\"security_version\":0,\"path\":"
                "\"\",\"length\":0,\"sha256\":\"\"},\"target\":{\"version\":\"\",\"security_version\":0,\"path\":\"\","
                "\"length\":0,\"sha256\":\"\"},\"floor\":0,\"director_version\":0,\"activated_boot_id\":\"\","
                "\"boot_attempts\":0,\"failed_sha256\":\"\",\"last_error\":\"\",\"reports\":[]}",
                /* a negative floor */
                "{\"format\":1,\"phase\":\"idle\",\"current\":{\"version\":\"\",\"security_version\":0,\"path\":\"\","
                "\"length\":0,\"sha256\":\"\"},\"target\":{\"version\":\"\",\"security_version\":0,\"path\":\"\","
                "\"length\":0,\"sha256\":\"\"},\"floor\":-4,\"director_version\":0,\"activated_boot_id\":\"\","
                "\"boot_attempts\":0,\"failed_sha256\":\"\",\"last_error\":\"\",\"reports\":[]}",
                /* a sha256 that is not one */
                "{\"format\":1,\"phase\":\"idle\",\"current\":{\"version\":\"\",\"security_version\":0,\"path\":\"\","
                "\"length\":0,\"sha256\":\"xyz\"},\"target\":{\"version\":\"\",\"security_version\":0,\"path\":\"\","
                "\"length\":0,\"sha256\":\"\"},\"floor\":0,\"director_version\":0,\"activated_boot_id\":\"\","
                "\"boot_attempts\":0,\"failed_sha256\":\"\",\"last_error\":\"\",\"reports\":[]}",
        };
        tu_write_str(dir, AGENT_FLOOR_FILE, "4\n");
        for (size_t i = 0; i < ELEMENTSOF(bad); i++)
                check_recovers(dir, bad[i], i == 0 ? 10 : strlen(bad[i]), 4);
}

static void floor_file_wins_when_larger(void **state) {
        const char *dir = *state;
        struct agent_state st = { 0 }, back;
        struct error err = { 0 };

        st.reports = json_array();
        st.floor = 3;
        assert_ok(agent_state_save(dir, &st, &err), err);
        tu_write_str(dir, AGENT_FLOOR_FILE, "9\n");
        assert_ok(agent_state_load(dir, &back, &err), err);
        assert_int_equal(back.floor, 9);
        agent_state_free(&st);
        agent_state_free(&back);
}

static void raising_the_floor_writes_the_floor_file_and_never_lowers(void **state) {
        const char *dir = *state;
        struct agent_state st = { 0 };
        struct error err = { 0 };
        _cleanup_free_ char *f1 = NULL, *f2 = NULL;

        st.reports = json_array();
        agent_state_raise_floor(&st, 6);
        agent_state_raise_floor(&st, 2);
        assert_int_equal(st.floor, 6);
        assert_ok(agent_state_save(dir, &st, &err), err);
        f1 = tu_read(dir, AGENT_FLOOR_FILE, NULL);
        assert_string_equal(f1, "6\n");
        /* A state saying less never lowers the floor file. */
        st.floor = 1;
        assert_ok(agent_state_save(dir, &st, &err), err);
        f2 = tu_read(dir, AGENT_FLOOR_FILE, NULL);
        assert_string_equal(f2, "6\n");
        agent_state_free(&st);
        {
                struct agent_state back;
                assert_ok(agent_state_load(dir, &back, &err), err);
                assert_int_equal(back.floor, 6);
                agent_state_free(&back);
        }
}

static void report_queue_is_bounded(void **state) {
        struct agent_state st = { 0 };
        (void) state;

        st.reports = json_array();
        for (int i = 0; i < AGENT_REPORTS_MAX + 10; i++)
                agent_state_queue_report(&st, json_pack("{s:i}", "n", i));
        assert_int_equal(json_array_size(st.reports), AGENT_REPORTS_MAX);
        /* The oldest went. */
        assert_int_equal(json_integer_value(json_object_get(json_array_get(st.reports, 0), "n")), 10);
        agent_state_free(&st);
}

static void save_leaves_no_temp_files(void **state) {
        const char *dir = *state;
        struct agent_state st = { 0 };
        struct error err = { 0 };
        DIR *d;
        struct dirent *de;
        int n = 0;

        st.reports = json_array();
        for (int i = 0; i < 20; i++) {
                st.boot_attempts = i;
                assert_ok(agent_state_save(dir, &st, &err), err);
        }
        d = opendir(dir);
        while ((de = readdir(d)))
                if (de->d_name[0] != '.')
                        n++;
        closedir(d);
        assert_int_equal(n, 1); /* state.json only (floor 0 writes no floor file) */
        agent_state_free(&st);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(missing_file_is_a_fresh_idle_state, setup, teardown),
                cmocka_unit_test_setup_teardown(round_trip, setup, teardown),
                cmocka_unit_test_setup_teardown(truncated_file_falls_back_keeping_the_floor, setup, teardown),
                cmocka_unit_test_setup_teardown(garbage_falls_back, setup, teardown),
                cmocka_unit_test_setup_teardown(floor_file_wins_when_larger, setup, teardown),
                cmocka_unit_test_setup_teardown(raising_the_floor_writes_the_floor_file_and_never_lowers, setup,
                                                teardown),
                cmocka_unit_test_setup_teardown(report_queue_is_bounded, setup, teardown),
                cmocka_unit_test_setup_teardown(save_leaves_no_temp_files, setup, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

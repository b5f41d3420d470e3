/* SPDX-License-Identifier: Apache-2.0 */
/* The connection guard (conn-guard.h): header deadline, body rate, pool
 * eviction and draining, on socket pairs with a fake clock. */
#include <errno.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "conn-guard.h"

#define SEC 1000000LL
#define MAXC 16

struct pair {
        int fd[2];
};

static struct pair pairs[MAXC + 4];

static int setup(void **state) {
        (void) state;
        for (size_t i = 0; i < MAXC + 4; i++)
                assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, pairs[i].fd), 0);
        return 0;
}

static int teardown(void **state) {
        (void) state;
        for (size_t i = 0; i < MAXC + 4; i++) {
                close(pairs[i].fd[0]);
                close(pairs[i].fd[1]);
        }
        return 0;
}

/* True once the guard has shut the reading side of server end i down. */
static bool ended(size_t i) {
        char c;
        ssize_t r = recv(pairs[i].fd[0], &c, 1, MSG_DONTWAIT);
        return r == 0;
}

/* True when the client end of pair i sees the end of the stream (SHUT_RDWR). */
static bool peer_sees_end(size_t i) {
        char c;
        return recv(pairs[i].fd[1], &c, 1, MSG_DONTWAIT) == 0;
}

static struct sockaddr_in addr4(uint8_t last) {
        struct sockaddr_in a = { .sin_family = AF_INET };
        uint8_t b[4] = { 127, 0, 0, last };
        memcpy(&a.sin_addr, b, 4);
        return a;
}

static struct conn_guard *guard(void) {
        struct conn_guard_limits l = {
                .header_timeout_usec = 2 * SEC, .min_body_rate = 1000, .max_connections = MAXC,
        };
        return conn_guard_new(&l);
}

static void test_header_deadline_is_total(void **state) {
        (void) state;
        struct conn_guard *g = guard();
        struct sockaddr_in a = addr4(1);
        struct conn_guard_conn *c = conn_guard_open(g, pairs[0].fd[0], (struct sockaddr *) &a, 0);
        /* Activity does not matter: only the time since accept does. */
        assert_int_equal(conn_guard_sweep(g, 1 * SEC), 0);
        assert_false(ended(0));
        assert_int_equal(conn_guard_sweep(g, 2 * SEC + 1), 1);
        assert_true(ended(0));
        assert_true(peer_sees_end(0));
        struct conn_guard_stats st;
        conn_guard_stats(g, &st);
        assert_int_equal(st.header_timeouts, 1);
        assert_int_equal(conn_guard_open_count(g), 0);
        conn_guard_close(g, c);
        conn_guard_free(g);
}

static void test_keepalive_waits_from_previous_answer(void **state) {
        (void) state;
        struct conn_guard *g = guard();
        struct conn_guard_conn *c = conn_guard_open(g, pairs[0].fd[0], NULL, 0);
        conn_guard_request_headers(g, c, 1 * SEC);
        conn_guard_request_handling(g, c);
        /* A long handler or a long answer has no deadline here. */
        assert_int_equal(conn_guard_sweep(g, 100 * SEC), 0);
        conn_guard_request_done(g, c, 100 * SEC);
        assert_int_equal(conn_guard_sweep(g, 101 * SEC), 0);
        assert_int_equal(conn_guard_sweep(g, 102 * SEC + 1), 1);
        assert_true(ended(0));
        conn_guard_close(g, c);
        conn_guard_free(g);
}

static void test_body_rate(void **state) {
        (void) state;
        struct conn_guard *g = guard();
        struct conn_guard_conn *slow = conn_guard_open(g, pairs[0].fd[0], NULL, 0);
        struct conn_guard_conn *fast = conn_guard_open(g, pairs[1].fd[0], NULL, 0);
        conn_guard_request_headers(g, slow, 0);
        conn_guard_request_headers(g, fast, 0);
        /* 5000 bytes at 1000 B/s earn 5 s on top of the 2 s grace. */
        conn_guard_request_body(g, slow, 5000);
        conn_guard_request_body(g, fast, 5000);
        assert_int_equal(conn_guard_sweep(g, 6 * SEC), 0);
        conn_guard_request_body(g, fast, 100000);
        assert_int_equal(conn_guard_sweep(g, 7 * SEC + 1), 1);
        assert_true(ended(0));
        assert_false(ended(1));
        struct conn_guard_stats st;
        conn_guard_stats(g, &st);
        assert_int_equal(st.body_too_slow, 1);
        conn_guard_close(g, slow);
        conn_guard_close(g, fast);
        conn_guard_free(g);
}

static void test_pool_evicts_waiting_connection_of_busiest_address(void **state) {
        (void) state;
        struct conn_guard *g = guard();
        struct conn_guard_conn *c[MAXC + 2];
        size_t n = 0;
        /* soft limit 14: 3 from .1 (oldest), 8 from .2, 3 from .3 */
        for (int i = 0; i < 3; i++, n++) {
                struct sockaddr_in a = addr4(1);
                c[n] = conn_guard_open(g, pairs[n].fd[0], (struct sockaddr *) &a, (int64_t) n * SEC);
        }
        for (int i = 0; i < 8; i++, n++) {
                struct sockaddr_in a = addr4(2);
                c[n] = conn_guard_open(g, pairs[n].fd[0], (struct sockaddr *) &a, (int64_t) n * SEC);
        }
        for (int i = 0; i < 3; i++, n++) {
                struct sockaddr_in a = addr4(3);
                c[n] = conn_guard_open(g, pairs[n].fd[0], (struct sockaddr *) &a, (int64_t) n * SEC);
        }
        assert_int_equal(conn_guard_soft_limit(MAXC), 14);
        assert_int_equal(conn_guard_open_count(g), 14);
        for (size_t i = 0; i < n; i++)
                assert_false(ended(i));
        /* .2's oldest (index 3) is in the middle of a request: never evicted. */
        conn_guard_request_headers(g, c[3], 20 * SEC);
        struct sockaddr_in a = addr4(9);
        c[n] = conn_guard_open(g, pairs[n].fd[0], (struct sockaddr *) &a, 30 * SEC);
        n++;
        for (size_t i = 0; i < n; i++)
                if (i == 4)
                        assert_true(ended(i));
                else if (ended(i))
                        fail_msg("connection %zu was evicted, expected only 4", i);
        assert_int_equal(conn_guard_open_count(g), 14);
        struct conn_guard_stats st;
        conn_guard_stats(g, &st);
        assert_int_equal(st.evicted, 1);
        for (size_t i = 0; i < n; i++)
                conn_guard_close(g, c[i]);
        conn_guard_free(g);
}

static void test_drain(void **state) {
        (void) state;
        struct conn_guard *g = guard();
        struct conn_guard_conn *idle = conn_guard_open(g, pairs[0].fd[0], NULL, 0);
        struct conn_guard_conn *busy = conn_guard_open(g, pairs[1].fd[0], NULL, 0);
        conn_guard_request_headers(g, busy, 0);
        conn_guard_request_handling(g, busy);
        conn_guard_drain(g);
        assert_true(ended(0));
        /* Only the reading side: an answer could still be written. */
        assert_false(peer_sees_end(0));
        assert_false(ended(1));
        conn_guard_request_done(g, busy, 1 * SEC);
        assert_true(ended(1));
        struct conn_guard_conn *late = conn_guard_open(g, pairs[2].fd[0], NULL, 2 * SEC);
        assert_true(ended(2));
        struct conn_guard_stats st;
        conn_guard_stats(g, &st);
        assert_int_equal(st.drained, 3);
        conn_guard_close(g, idle);
        conn_guard_close(g, busy);
        conn_guard_close(g, late);
        conn_guard_free(g);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_header_deadline_is_total, setup, teardown),
                cmocka_unit_test_setup_teardown(test_keepalive_waits_from_previous_answer, setup, teardown),
                cmocka_unit_test_setup_teardown(test_body_rate, setup, teardown),
                cmocka_unit_test_setup_teardown(test_pool_evicts_waiting_connection_of_busiest_address, setup, teardown),
                cmocka_unit_test_setup_teardown(test_drain, setup, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

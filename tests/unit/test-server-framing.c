/* SPDX-License-Identifier: Apache-2.0 */
/* HTTP/1.1 framing checks (framing.h): each ambiguous framing is refused,
 * plain requests pass. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "framing.h"

#define F(n, v) { .name = (n), .value = (v) }
#define N(a) (sizeof(a) / sizeof((a)[0]))

static void expect(const struct framing_field *f, size_t n, const char *version, enum framing_verdict want,
                   const char *msg_part) {
        struct error err = {0};
        enum framing_verdict v = framing_check(f, n, version, &err);
        if (v != want)
                fail_msg("verdict %d, expected %d (%s)", (int) v, (int) want, err.msg);
        if (msg_part && !strstr(err.msg, msg_part))
                fail_msg("message '%s' does not mention '%s'", err.msg, msg_part);
}

static void test_plain_requests_pass(void **state) {
        (void) state;
        const struct framing_field none[] = { F("Host", "x") };
        expect(none, N(none), "HTTP/1.1", FRAMING_OK, NULL);
        const struct framing_field cl[] = { F("Host", "x"), F("Content-Length", "5") };
        expect(cl, N(cl), "HTTP/1.1", FRAMING_OK, NULL);
        const struct framing_field same[] = { F("Content-Length", "5"), F("content-length", "005") };
        expect(same, N(same), "HTTP/1.1", FRAMING_OK, NULL);
        const struct framing_field te[] = { F("Transfer-Encoding", "Chunked") };
        expect(te, N(te), "HTTP/1.1", FRAMING_OK, NULL);
}

static void test_content_length(void **state) {
        (void) state;
        const struct framing_field two[] = { F("Content-Length", "5"), F("Content-Length", "30") };
        expect(two, N(two), "HTTP/1.1", FRAMING_BAD_REQUEST, "two different values (5 and 30)");
        const struct framing_field list[] = { F("Content-Length", "5, 5") };
        expect(list, N(list), "HTTP/1.1", FRAMING_BAD_REQUEST, "not a number");
        const struct framing_field sign[] = { F("Content-Length", "+5") };
        expect(sign, N(sign), "HTTP/1.1", FRAMING_BAD_REQUEST, "'+5'");
        const struct framing_field empty[] = { F("Content-Length", "") };
        expect(empty, N(empty), "HTTP/1.1", FRAMING_BAD_REQUEST, "Content-Length");
}

static void test_transfer_encoding(void **state) {
        (void) state;
        const struct framing_field both[] = { F("Content-Length", "5"), F("Transfer-Encoding", "chunked") };
        expect(both, N(both), "HTTP/1.1", FRAMING_BAD_REQUEST, "together");
        const struct framing_field both2[] = { F("Transfer-Encoding", "chunked"), F("Content-Length", "5") };
        expect(both2, N(both2), "HTTP/1.1", FRAMING_BAD_REQUEST, "together");
        const struct framing_field gzip[] = { F("Transfer-Encoding", "gzip") };
        expect(gzip, N(gzip), "HTTP/1.1", FRAMING_NOT_IMPLEMENTED, "'gzip'");
        const struct framing_field chain[] = { F("Transfer-Encoding", "gzip, chunked") };
        expect(chain, N(chain), "HTTP/1.1", FRAMING_NOT_IMPLEMENTED, "'gzip'");
        const struct framing_field twice[] = { F("Transfer-Encoding", "chunked"), F("Transfer-Encoding", "chunked") };
        expect(twice, N(twice), "HTTP/1.1", FRAMING_BAD_REQUEST, "more than once");
        const struct framing_field empty[] = { F("Transfer-Encoding", " ") };
        expect(empty, N(empty), "HTTP/1.1", FRAMING_BAD_REQUEST, "empty");
        const struct framing_field old[] = { F("Transfer-Encoding", "chunked") };
        expect(old, N(old), "HTTP/1.0", FRAMING_BAD_REQUEST, "HTTP/1.0");
}

static void test_field_names(void **state) {
        (void) state;
        const struct framing_field space[] = { F("Transfer-Encoding ", "chunked") };
        expect(space, N(space), "HTTP/1.1", FRAMING_BAD_REQUEST, "whitespace");
        const struct framing_field tab[] = { F("Content-Length\t", "5") };
        expect(tab, N(tab), "HTTP/1.1", FRAMING_BAD_REQUEST, "whitespace");
        const struct framing_field ctl[] = { F("X\001Y", "1") };
        expect(ctl, N(ctl), "HTTP/1.1", FRAMING_BAD_REQUEST, "0x01");
        const struct framing_field empty[] = { F("", "1") };
        expect(empty, N(empty), "HTTP/1.1", FRAMING_BAD_REQUEST, "empty name");
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_plain_requests_pass),
                cmocka_unit_test(test_content_length),
                cmocka_unit_test(test_transfer_encoding),
                cmocka_unit_test(test_field_names),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

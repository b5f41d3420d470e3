/* SPDX-License-Identifier: Apache-2.0 */
/*
 * RPM versions, [epoch:]version[-release], ordered the way rpm's rpmvercmp
 * does (rules restated from rpm's documentation, code written here):
 *  - epoch by value (missing = 0), then version, then release when both
 *    sides have one (a range bound without a release covers every release);
 *  - a string is cut into alphanumeric segments; other characters only
 *    separate;
 *  - '~' sorts before anything, even the end (1.0~rc1 < 1.0);
 *  - '^' sorts after the end but before anything else (1.0 < 1.0^git1 <
 *    1.0.1);
 *  - a numeric segment is newer than an alphabetic one; numbers compare by
 *    value, letters by ASCII;
 *  - when one string runs out, the one with segments left is newer.
 */
#include <ctype.h>
#include <stdbool.h>
#include <string.h>

#include "core/cleanup.h"
#include "core/strutil.h"
#include "vuln/version-internal.h"

static int rpm_segcmp(const char *a, size_t an, const char *b, size_t bn) {
        size_t i = 0, j = 0;
        while (i < an || j < bn) {
                while (i < an && !isalnum((unsigned char) a[i]) && a[i] != '~' && a[i] != '^') i++;
                while (j < bn && !isalnum((unsigned char) b[j]) && b[j] != '~' && b[j] != '^') j++;
                char ca = i < an ? a[i] : 0, cb = j < bn ? b[j] : 0;
                if (ca == '~' || cb == '~') {
                        if (ca != '~') return 1;
                        if (cb != '~') return -1;
                        i++, j++;
                        continue;
                }
                if (ca == '^' || cb == '^') {
                        if (!ca) return -1;
                        if (!cb) return 1;
                        if (ca != '^') return 1;
                        if (cb != '^') return -1;
                        i++, j++;
                        continue;
                }
                if (!ca || !cb) break;
                bool num = isdigit((unsigned char) ca);
                size_t si = i, sj = j;
                if (num) {
                        while (i < an && isdigit((unsigned char) a[i])) i++;
                        while (j < bn && isdigit((unsigned char) b[j])) j++;
                } else {
                        while (i < an && isalpha((unsigned char) a[i])) i++;
                        while (j < bn && isalpha((unsigned char) b[j])) j++;
                }
                if (j == sj) return num ? 1 : -1; /* segments of different kinds */
                int c;
                if (num) {
                        c = vuln_digits_cmp(a + si, i - si, b + sj, j - sj);
                } else {
                        size_t la = i - si, lb = j - sj, n = la < lb ? la : lb;
                        c = memcmp(a + si, b + sj, n);
                        c = c ? (c < 0 ? -1 : 1) : (la == lb ? 0 : (la < lb ? -1 : 1));
                }
                if (c) return c;
        }
        bool ra = i < an, rb = j < bn;
        if (!ra && !rb) return 0;
        return ra ? 1 : -1;
}

struct rpmver {
        const char *epoch, *ver, *rel;
        size_t epoch_len, ver_len, rel_len;
};

static int rpm_parse(const char *v, struct rpmver *r, struct error *err) {
        memset(r, 0, sizeof *r);
        const char *colon = strchr(v, ':');
        r->ver = v;
        if (colon) {
                r->epoch = v;
                r->epoch_len = (size_t) (colon - v);
                if (!r->epoch_len) VERSION_FAIL(err, "rpm", v, "the epoch before ':' is empty");
                for (size_t i = 0; i < r->epoch_len; i++)
                        if (!isdigit((unsigned char) v[i])) VERSION_FAIL(err, "rpm", v, "the epoch is not a number");
                r->ver = colon + 1;
        }
        if (strchr(r->ver, ':')) VERSION_FAIL(err, "rpm", v, "has more than one ':'");
        const char *dash = strrchr(r->ver, '-');
        if (dash) {
                r->ver_len = (size_t) (dash - r->ver);
                r->rel = dash + 1;
                r->rel_len = strlen(r->rel);
                if (!r->rel_len) VERSION_FAIL(err, "rpm", v, "the release after '-' is empty");
        } else {
                r->ver_len = strlen(r->ver);
        }
        if (!r->ver_len) VERSION_FAIL(err, "rpm", v, "the version is empty");
        bool alnum = false;
        for (size_t i = 0; i < r->ver_len; i++)
                if (isalnum((unsigned char) r->ver[i])) alnum = true;
        if (!alnum) VERSION_FAIL(err, "rpm", v, "the version has no letter or digit");
        return 0;
}

int vuln_version_cmp_rpm(const char *a, const char *b, int *cmp, struct error *err) {
        struct rpmver x, y;
        if (rpm_parse(a, &x, err) < 0 || rpm_parse(b, &y, err) < 0) return -1;
        int c = vuln_digits_cmp(x.epoch ? x.epoch : "0", x.epoch ? x.epoch_len : 1, y.epoch ? y.epoch : "0",
                                y.epoch ? y.epoch_len : 1);
        if (!c) c = rpm_segcmp(x.ver, x.ver_len, y.ver, y.ver_len);
        if (!c && x.rel && y.rel) c = rpm_segcmp(x.rel, x.rel_len, y.rel, y.rel_len);
        *cmp = c;
        return 0;
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Debian versions, [epoch:]upstream_version[-debian_revision], ordered by the
 * algorithm of Debian Policy §5.6.12 (written here from the policy text, not
 * taken from dpkg):
 *  - epochs compare as numbers (a missing one is 0);
 *  - upstream_version, then debian_revision, compare by alternating a
 *    non-digit part (character by character, where '~' sorts before
 *    everything, even the end of the part; letters before non-letters) and a
 *    digit part (by value, an empty one is 0);
 *  - the revision is what follows the last '-'; a missing one equals "0".
 * So 1.0~rc1 < 1.0 < 1.0+deb12u1, and 1:0.9 > 2.0.
 */
#include <ctype.h>
#include <stdbool.h>
#include <string.h>

#include "core/cleanup.h"
#include "core/strutil.h"
#include "vuln/version-internal.h"

struct debver {
        const char *epoch;
        size_t epoch_len;
        const char *up;
        size_t up_len;
        const char *rev;
        size_t rev_len;
};

static int debian_parse(const char *v, struct debver *d, struct error *err) {
        const char *colon = strchr(v, ':');
        const char *dash = strrchr(v, '-');
        memset(d, 0, sizeof *d);
        if (colon) {
                d->epoch = v;
                d->epoch_len = (size_t) (colon - v);
                if (!d->epoch_len) VERSION_FAIL(err, "debian", v, "the epoch before ':' is empty");
                for (size_t i = 0; i < d->epoch_len; i++)
                        if (!isdigit((unsigned char) v[i])) VERSION_FAIL(err, "debian", v, "the epoch is not a number");
                d->up = colon + 1;
        } else {
                d->up = v;
        }
        if (dash && dash > d->up) {
                d->up_len = (size_t) (dash - d->up);
                d->rev = dash + 1;
                d->rev_len = strlen(d->rev);
                if (!d->rev_len) VERSION_FAIL(err, "debian", v, "the revision after the last '-' is empty");
        } else {
                d->up_len = strlen(d->up);
        }
        if (!d->up_len) VERSION_FAIL(err, "debian", v, "the upstream version is empty");
        if (!isdigit((unsigned char) d->up[0])) VERSION_FAIL(err, "debian", v, "the upstream version does not start with a digit");
        for (size_t i = 0; i < d->up_len; i++) {
                char c = d->up[i];
                if (!isalnum((unsigned char) c) && !strchr(".+-~", c))
                        VERSION_FAIL(err, "debian", v, "the upstream version has '%c'", c);
        }
        for (size_t i = 0; i < d->rev_len; i++) {
                char c = d->rev[i];
                if (!isalnum((unsigned char) c) && !strchr(".+~", c))
                        VERSION_FAIL(err, "debian", v, "the revision has '%c'", c);
        }
        return 0;
}

/* The sort weight of a character in a non-digit part; 0 is the end. */
static int order(int c) {
        if (c == '~') return -1;
        if (c == 0 || isdigit(c)) return 0;
        if (isalpha(c)) return c;
        return c + 256;
}

static int debian_part_cmp(const char *a, size_t an, const char *b, size_t bn) {
        size_t i = 0, j = 0;
        while (i < an || j < bn) {
                /* non-digit part */
                while ((i < an && !isdigit((unsigned char) a[i])) || (j < bn && !isdigit((unsigned char) b[j]))) {
                        int ca = i < an ? order((unsigned char) a[i]) : 0;
                        int cb = j < bn ? order((unsigned char) b[j]) : 0;
                        if (i < an && isdigit((unsigned char) a[i])) ca = 0;
                        if (j < bn && isdigit((unsigned char) b[j])) cb = 0;
                        if (ca != cb) return ca < cb ? -1 : 1;
                        if (i < an && !isdigit((unsigned char) a[i])) i++;
                        if (j < bn && !isdigit((unsigned char) b[j])) j++;
                }
                /* digit part */
                size_t si = i, sj = j;
                while (i < an && isdigit((unsigned char) a[i])) i++;
                while (j < bn && isdigit((unsigned char) b[j])) j++;
                int c = vuln_digits_cmp(i > si ? a + si : "0", i > si ? i - si : 1, j > sj ? b + sj : "0",
                                        j > sj ? j - sj : 1);
                if (c) return c;
        }
        return 0;
}

int vuln_version_cmp_debian(const char *a, const char *b, int *cmp, struct error *err) {
        struct debver x, y;
        if (debian_parse(a, &x, err) < 0 || debian_parse(b, &y, err) < 0) return -1;
        int c = vuln_digits_cmp(x.epoch ? x.epoch : "0", x.epoch ? x.epoch_len : 1, y.epoch ? y.epoch : "0",
                                y.epoch ? y.epoch_len : 1);
        if (!c) c = debian_part_cmp(x.up, x.up_len, y.up, y.up_len);
        if (!c) c = debian_part_cmp(x.rev ? x.rev : "0", x.rev ? x.rev_len : 1, y.rev ? y.rev : "0",
                                    y.rev ? y.rev_len : 1);
        *cmp = c;
        return 0;
}

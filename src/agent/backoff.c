/* SPDX-License-Identifier: Apache-2.0 */
#include "agent/backoff.h"

int64_t agent_backoff_delay(const struct agent_config *cfg, unsigned consecutive_failures, double u) {
        double base, d;

        if (consecutive_failures == 0) {
                base = (double) cfg->poll_interval;
        } else {
                base = (double) cfg->backoff_min;
                for (unsigned i = 1; i < consecutive_failures && base < (double) cfg->backoff_max; i++)
                        base *= 2;
                if (base > (double) cfg->backoff_max)
                        base = (double) cfg->backoff_max;
        }
        d = base * (1.0 + cfg->poll_jitter * (2.0 * u - 1.0));
        if (d < 1.0)
                d = 1.0;
        return (int64_t) d;
}

/* SPDX-License-Identifier: Apache-2.0 */
#include "agent/agent.h"

#include <string.h>

#include "core/fileio.h"
#include "core/log.h"

int agent_open(const struct agent_config *cfg, struct agent *a, struct error *err) {
        memset(a, 0, sizeof(*a));
        a->cfg = cfg;
        if (agent_state_load(cfg->state_dir, &a->st, err) < 0)
                return error_prefix(err, "[state] dir: ");
        if (a->st.recovered && agent_state_save(cfg->state_dir, &a->st, err) < 0) {
                agent_state_free(&a->st);
                return -1;
        }
        if (agent_backend_open(cfg, &a->backend, err) < 0) {
                agent_state_free(&a->st);
                return -1;
        }
        return 0;
}

void agent_close(struct agent *a) {
        agent_http_free(a->http);
        agent_backend_free(a->backend);
        agent_state_free(&a->st);
        memset(a, 0, sizeof(*a));
}

int agent_save(struct agent *a, struct error *err) {
        if (agent_state_save(a->cfg->state_dir, &a->st, err) < 0) {
                log_error("cannot save the agent state: %s", err->msg);
                return -1;
        }
        return 0;
}

int agent_http(struct agent *a, struct agent_http **out, struct error *err) {
        if (!a->http) {
                struct agent_http_options opt;
                agent_http_options_from_config(a->cfg, &opt);
                if (agent_http_new(&opt, &a->http, err) < 0)
                        return -1;
        }
        *out = a->http;
        return 0;
}

char *agent_download_path(const struct agent *a) {
        return path_join(a->cfg->state_dir, "download.part");
}

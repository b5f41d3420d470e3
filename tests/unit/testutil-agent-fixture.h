/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/*
 * The fixture of the whole-cycle agent tests (test-agent-cycle.c,
 * test-agent-encrypted.c): a temp directory with a TUF image repository and
 * a director built by testutil-agent-repo.h, served over HTTP by
 * testutil-agent.h's server, an ab-dir device with slot A holding a factory
 * image, a health script whose exit code set_health() picks, and the agent
 * opened on a config that points at all of it. Define SERIAL (the device's
 * serial) and include testutil-agent.h and testutil-agent-repo.h first.
 *
 *   static int setup(void **state) { return tu_agent_fixture_setup(state, "NAME"); }
 *   ... cmocka_unit_test_setup_teardown(test_x, setup, teardown) ...
 */
#ifndef SERIAL
#error "define SERIAL before including testutil-agent-fixture.h"
#endif

struct fixture {
        char *dir;
        struct tu_repo *repo;
        struct tu_httpd *httpd;
        struct agent_config cfg;
        struct agent a;
        bool open;
        int64_t director_version;
};

static inline void write_config(struct fixture *f, const char *url) {
        _cleanup_free_ char *text = str_printf(
                "[server]\nurl = %s\n"
                "[identity]\ncert = %s/device.pem\nkey = %s/device.key\n"
                "[product]\nmodel = T1-EU\nhardware_revision = r2\nserial = " SERIAL "\n"
                "[trust]\nimage_root = %s/trust/image-root.json\ndirector_root = %s/trust/director-root.json\n"
                "[state]\ndir = %s/state\n"
                "[poll]\nbackoff_min = 1\n"
                "[download]\nlow_speed_limit = 100\nlow_speed_time = 5\ntimeout = 60\nconnect_timeout = 5\n"
                "[install]\nbackend = ab-dir\n[ab-dir]\ndir = %s/slots\n"
                "[health]\ncommand = %s/health.sh\ntimeout = 5\nmax_boot_attempts = 3\n",
                url, f->dir, f->dir, f->dir, f->dir, f->dir, f->dir, f->dir);
        struct error err = { 0 };

        if (f->open) {
                agent_close(&f->a);
                agent_config_free(&f->cfg);
                f->open = false;
        }
        assert_ok(agent_config_parse("agent.conf", text, strlen(text), &f->cfg, &err), err);
        assert_ok(agent_open(&f->cfg, &f->a, &err), err);
        f->open = true;
}

static inline void set_health(struct fixture *f, int code) {
        _cleanup_free_ char *body = str_printf("#!/bin/sh\necho \"health $CRADLE_VERSION\" >> %s/health.log\nexit %d\n",
                                               f->dir, code);
        tu_write(f->dir, "health.sh", body, strlen(body), 0755);
}

static inline int tu_agent_fixture_setup(void **state, const char *name) {
        struct fixture *f = xcalloc(1, sizeof(*f));

        f->dir = tu_tmpdir(name);
        f->repo = tu_repo_new(f->dir);
        tu_publish_image_root(f->repo);
        tu_publish_director_root(f->repo);
        tu_write_str(f->dir, "slots/slotA", "factory image 1.0.0");
        set_health(f, 0);
        f->httpd = tu_httpd_start(f->dir);
        write_config(f, f->httpd->url);
        *state = f;
        return 0;
}

static inline int teardown(void **state) {
        struct fixture *f = *state;
        if (f->open) {
                agent_close(&f->a);
                agent_config_free(&f->cfg);
        }
        tu_httpd_stop(f->httpd);
        tu_repo_free(f->repo);
        tu_rmtree(f->dir);
        free(f->dir);
        free(f);
        return 0;
}

/* SPDX-License-Identifier: Apache-2.0 */
#include "agent/config.h"

#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/cleanup.h"
#include "core/fileio.h"
#include "core/log.h"
#include "core/strutil.h"
#include "pki/cert.h"

#define K(section, key, type, field, min, max, def, doc) \
        { section, key, type, offsetof(struct agent_config, field), min, max, def, doc }

static const struct config_key schema[] = {
        K("server", "url", CONFIG_STRING, server_url, 0, 0, NULL,
          "base URL of cradled (https://host:port); the image repository is <url>/repo/<model>/, "
          "the director <url>/device/v1/director/"),
        K("server", "ca", CONFIG_STRING, server_ca, 0, 0, "",
          "PEM file of the CA(s) that issued the server's TLS certificate (empty: the system store)"),
        K("identity", "cert", CONFIG_STRING, identity_cert, 0, 0, NULL,
          "the device certificate (PEM), presented for mutual TLS"),
        K("identity", "key", CONFIG_STRING, identity_key, 0, 0, NULL,
          "the device key: a PEM file (mode 0600) or a pkcs11: URI (PIN from CRADLE_PKCS11_PIN or "
          "CRADLE_PKCS11_PIN_FILE)"),
        K("product", "model", CONFIG_STRING, model, 0, 0, NULL, "product model, e.g. T1-EU"),
        K("product", "hardware_revision", CONFIG_STRING, hardware_revision, 0, 0, NULL,
          "hardware revision of this unit, e.g. r2 (hardware id = <model>/<revision>)"),
        K("product", "serial", CONFIG_STRING, serial, 0, 0, "",
          "device serial number (empty: the subject serialNumber of [identity] cert)"),
        K("trust", "image_root", CONFIG_STRING, image_root, 0, 0, NULL,
          "trusted root.json of the product's image repository, installed with the agent"),
        K("trust", "director_root", CONFIG_STRING, director_root, 0, 0, NULL,
          "trusted root.json of the director, installed with the agent"),
        K("state", "dir", CONFIG_STRING, state_dir, 0, 0, "/var/lib/cradle-agent",
          "directory for the agent's state, trusted metadata and downloads (created 0700)"),
        K("state", "boot_id_file", CONFIG_STRING, boot_id_file, 0, 0,
          "/proc/sys/kernel/random/boot_id",
          "file whose content changes at every boot (how the agent knows a reboot happened)"),
        K("poll", "interval", CONFIG_DURATION, poll_interval, 1, 30 * 86400, "300",
          "time between two update checks"),
        K("poll", "jitter", CONFIG_STRING, poll_jitter_str, 0, 0, "0.2",
          "random spread of every wait, a fraction in [0, 1): 0.2 waits 80%..120%"),
        K("poll", "backoff_min", CONFIG_DURATION, backoff_min, 1, 86400, "30",
          "wait after a first failure; it doubles with each further failure"),
        K("poll", "backoff_max", CONFIG_DURATION, backoff_max, 1, 30 * 86400, "6h",
          "longest wait after repeated failures (server down, 4xx, 5xx, refused metadata)"),
        K("download", "max_image_size", CONFIG_SIZE, max_image_size, 1, 0, "4G",
          "largest image the agent downloads; a target listed larger is refused"),
        K("download", "max_metadata_size", CONFIG_SIZE, max_metadata_size, 1024, 1024 * 1024 * 1024,
          "16M", "largest metadata document fetched (timestamp: 16K, root: 512K at most)"),
        K("download", "low_speed_limit", CONFIG_INT, low_speed_limit, 1, 0, "1024",
          "bytes per second below which a transfer counts as stalled (slow retrieval)"),
        K("download", "low_speed_time", CONFIG_DURATION, low_speed_time, 1, 86400, "60",
          "a transfer stalled this long is aborted (and resumed at the next cycle)"),
        K("download", "connect_timeout", CONFIG_DURATION, connect_timeout, 1, 3600, "30",
          "TCP and TLS connection set-up"),
        K("download", "timeout", CONFIG_DURATION, timeout, 1, 7 * 86400, "6h",
          "longest whole transfer of one file (an image resumes where it stopped)"),
        K("install", "backend", CONFIG_STRING, backend_name, 0, 0, "ab-dir",
          "ab-dir, uboot, script or rauc (each has its section)"),
        K("install", "reboot_command", CONFIG_STRING, reboot_command, 0, 0, "",
          "run (no shell) after activation and after a rollback; empty: the agent does not reboot"),
        K("install", "image", CONFIG_STRING, image_name, 0, 0, "",
          "image name to install when a release has several (e.g. rootfs.img); empty: the release "
          "must have exactly one"),
        K("ab-dir", "dir", CONFIG_STRING, abdir_dir, 0, 0, "",
          "directory with slotA, slotB and the active/pending/boot_count markers"),
        K("uboot", "config", CONFIG_STRING, uboot_config, 0, 0, "/etc/fw_env.config",
          "libubootenv configuration (device, offset, size of the environment)"),
        K("uboot", "slot_variable", CONFIG_STRING, uboot_slot_var, 0, 0, "boot_slot",
          "environment variable naming the slot U-Boot boots"),
        K("uboot", "slot_a", CONFIG_STRING, uboot_slot_a, 0, 0, "A", "value of slot_variable for slot A"),
        K("uboot", "slot_b", CONFIG_STRING, uboot_slot_b, 0, 0, "B", "value of slot_variable for slot B"),
        K("uboot", "device_a", CONFIG_STRING, uboot_device_a, 0, 0, "",
          "block device (or file) the image of slot A is written to"),
        K("uboot", "device_b", CONFIG_STRING, uboot_device_b, 0, 0, "",
          "block device (or file) the image of slot B is written to"),
        K("uboot", "bootlimit", CONFIG_INT, uboot_bootlimit, 1, 100, "3",
          "written to bootlimit: U-Boot runs altbootcmd when bootcount exceeds it"),
        K("script", "install", CONFIG_STRING, script_install, 0, 0, "",
          "hook run as: install <image file> (writes the inactive slot)"),
        K("script", "activate", CONFIG_STRING, script_activate, 0, 0, "",
          "hook run as: activate (boots the new slot once, on trial)"),
        K("script", "confirm", CONFIG_STRING, script_confirm, 0, 0, "",
          "hook run as: confirm (makes the running trial slot permanent)"),
        K("script", "rollback", CONFIG_STRING, script_rollback, 0, 0, "",
          "hook run as: rollback <reason> (returns to the previous slot)"),
        K("script", "timeout", CONFIG_DURATION, script_timeout, 1, 86400, "1h",
          "a hook still running after this is killed and counts as failed"),
        K("rauc", "command", CONFIG_STRING, rauc_command, 0, 0, "rauc",
          "the rauc program (searched in PATH when it has no '/')"),
        K("rauc", "timeout", CONFIG_DURATION, rauc_timeout, 1, 86400, "1h",
          "a rauc call still running after this is killed and counts as failed"),
        K("health", "command", CONFIG_STRING, health_command, 0, 0, "",
          "health check after an update boots (no shell; exit 0 = healthy; empty: always healthy)"),
        K("health", "timeout", CONFIG_DURATION, health_timeout, 1, 86400, "120",
          "a health check still running after this is killed and counts as failed"),
        K("health", "max_boot_attempts", CONFIG_INT, max_boot_attempts, 1, 100, "3",
          "boots of a new slot on trial before the bootloader falls back"),
        K("log", "level", CONFIG_STRING, log_level, 0, 0, "info", "debug, info, warn or error"),
        /* Debug-authorisation tokens (issue 11; docs/agent.md "Debug access"). */
        K("debug", "trust_anchor", CONFIG_STRING, debug_trust_anchor, 0, 0, "",
          "PEM public key of the server's debug-auth key (cradle debug key); empty: debug verify refuses"),
        K("debug", "device_uid_file", CONFIG_STRING, debug_uid_file, 0, 0, "/etc/machine-id",
          "file holding the device-unique id (first line, printable, at most 64 bytes), e.g. a fused "
          "chip id exported by the kernel"),
        K("debug", "max_validity", CONFIG_DURATION, debug_max_validity, 60, 30 * 86400, "24h",
          "longest validity window (not-after minus not-before) of a debug token the device accepts"),
};

const struct config_key *agent_config_schema(size_t *n_out) {
        *n_out = ELEMENTSOF(schema);
        return schema;
}

const char *agent_backend_kind_name(enum agent_backend_kind k) {
        switch (k) {
        case AGENT_BACKEND_ABDIR:
                return "ab-dir";
        case AGENT_BACKEND_UBOOT:
                return "uboot";
        case AGENT_BACKEND_SCRIPT:
                return "script";
        case AGENT_BACKEND_RAUC:
                return "rauc";
        }
        return "?";
}

static bool empty(const char *s) {
        return !s || !*s;
}

static int require(const char *what, const char *v, struct error *err) {
        if (empty(v))
                return error_set(err, ERROR_INVALID, "%s: required (see docs/agent.md)", what);
        return 0;
}

/* Model and revision end up in URLs and in the hardware id. */
static int check_name(const char *what, const char *v, struct error *err) {
        if (strlen(v) > 100)
                return error_set(err, ERROR_INVALID, "%s: longer than 100 characters", what);
        for (const char *p = v; *p; p++)
                if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
                      *p == '-' || *p == '_' || *p == '.'))
                        return error_set(err, ERROR_INVALID,
                                         "%s: '%.100s' may only contain letters, digits, '-', '_' and '.'",
                                         what, v);
        if (strcmp(v, ".") == 0 || strcmp(v, "..") == 0)
                return error_set(err, ERROR_INVALID, "%s: '%s' is not a name", what, v);
        return 0;
}

static int derive_serial(struct agent_config *cfg, struct error *err) {
        _cleanup_free_ char *pem = NULL;
        size_t len = 0;
        gnutls_x509_crt_t crt = NULL;
        char serial[256] = "";

        if (file_read_all(cfg->identity_cert, 1024 * 1024, &pem, &len, err) < 0)
                return error_prefix(err, "[identity] cert: ");
        if (pki_cert_import(pem, len, &crt, err) < 0)
                return error_prefix(err, "[identity] cert '%s': ", cfg->identity_cert);
        pki_cert_subject_serial(crt, serial, sizeof(serial));
        gnutls_x509_crt_deinit(crt);
        if (!serial[0])
                return error_set(err, ERROR_INVALID,
                                 "[product] serial is empty and the certificate '%s' has no subject "
                                 "serialNumber: set serial",
                                 cfg->identity_cert);
        free(cfg->serial);
        cfg->serial = str_dup(serial);
        return 0;
}

int agent_config_check(struct agent_config *cfg, struct error *err) {
        static const struct {
                const char *name;
                enum agent_backend_kind kind;
        } backends[] = {
                { "ab-dir", AGENT_BACKEND_ABDIR },
                { "uboot", AGENT_BACKEND_UBOOT },
                { "script", AGENT_BACKEND_SCRIPT },
                { "rauc", AGENT_BACKEND_RAUC },
        };
        enum log_level level;
        bool found = false;
        char *end = NULL;

        if (require("[server] url", cfg->server_url, err) < 0 ||
            require("[identity] cert", cfg->identity_cert, err) < 0 ||
            require("[identity] key", cfg->identity_key, err) < 0 ||
            require("[product] model", cfg->model, err) < 0 ||
            require("[product] hardware_revision", cfg->hardware_revision, err) < 0 ||
            require("[trust] image_root", cfg->image_root, err) < 0 ||
            require("[trust] director_root", cfg->director_root, err) < 0 ||
            require("[state] dir", cfg->state_dir, err) < 0)
                return -1;
        if (!str_startswith(cfg->server_url, "https://") && !str_startswith(cfg->server_url, "http://"))
                return error_set(err, ERROR_INVALID, "[server] url: '%.100s' is not an https:// URL",
                                 cfg->server_url);
        if (strlen(cfg->server_url) > 1024)
                return error_set(err, ERROR_INVALID, "[server] url: longer than 1024 characters");
        while (strlen(cfg->server_url) > 8 && cfg->server_url[strlen(cfg->server_url) - 1] == '/')
                cfg->server_url[strlen(cfg->server_url) - 1] = '\0';
        if (check_name("[product] model", cfg->model, err) < 0 ||
            check_name("[product] hardware_revision", cfg->hardware_revision, err) < 0)
                return -1;

        errno = 0;
        cfg->poll_jitter = strtod(cfg->poll_jitter_str ? cfg->poll_jitter_str : "", &end);
        if (errno || !end || end == cfg->poll_jitter_str || *end || !isfinite(cfg->poll_jitter) ||
            cfg->poll_jitter < 0 || cfg->poll_jitter >= 1)
                return error_set(err, ERROR_INVALID,
                                 "[poll] jitter: '%.40s' is not a fraction in [0, 1) (e.g. 0.2)",
                                 cfg->poll_jitter_str ? cfg->poll_jitter_str : "");
        if (cfg->backoff_min > cfg->backoff_max)
                return error_set(err, ERROR_INVALID, "[poll] backoff_min is larger than backoff_max");
        if (log_level_parse(cfg->log_level, &level, err) < 0)
                return error_prefix(err, "[log] level: ");

        for (size_t i = 0; i < ELEMENTSOF(backends); i++)
                if (str_eq(cfg->backend_name, backends[i].name)) {
                        cfg->backend = backends[i].kind;
                        found = true;
                }
        if (!found)
                return error_set(err, ERROR_INVALID,
                                 "[install] backend: '%.40s' is not one of ab-dir, uboot, script, rauc",
                                 cfg->backend_name ? cfg->backend_name : "");
        switch (cfg->backend) {
        case AGENT_BACKEND_ABDIR:
                if (require("[ab-dir] dir (backend ab-dir)", cfg->abdir_dir, err) < 0)
                        return -1;
                break;
        case AGENT_BACKEND_UBOOT:
                if (require("[uboot] config", cfg->uboot_config, err) < 0 ||
                    require("[uboot] slot_variable", cfg->uboot_slot_var, err) < 0 ||
                    require("[uboot] slot_a", cfg->uboot_slot_a, err) < 0 ||
                    require("[uboot] slot_b", cfg->uboot_slot_b, err) < 0 ||
                    require("[uboot] device_a (backend uboot)", cfg->uboot_device_a, err) < 0 ||
                    require("[uboot] device_b (backend uboot)", cfg->uboot_device_b, err) < 0)
                        return -1;
                if (strcmp(cfg->uboot_slot_a, cfg->uboot_slot_b) == 0)
                        return error_set(err, ERROR_INVALID, "[uboot] slot_a and slot_b are the same");
                break;
        case AGENT_BACKEND_SCRIPT:
                if (require("[script] install (backend script)", cfg->script_install, err) < 0 ||
                    require("[script] activate (backend script)", cfg->script_activate, err) < 0 ||
                    require("[script] confirm (backend script)", cfg->script_confirm, err) < 0 ||
                    require("[script] rollback (backend script)", cfg->script_rollback, err) < 0)
                        return -1;
                break;
        case AGENT_BACKEND_RAUC:
                if (require("[rauc] command", cfg->rauc_command, err) < 0)
                        return -1;
                break;
        }
        if (empty(cfg->serial) && derive_serial(cfg, err) < 0)
                return -1;
        if (strlen(cfg->serial) > 128)
                return error_set(err, ERROR_INVALID, "[product] serial: longer than 128 characters");
        return 0;
}

int agent_config_parse(const char *name, const char *buf, size_t len, struct agent_config *cfg,
                       struct error *err) {
        memset(cfg, 0, sizeof(*cfg));
        if (config_parse_buffer(name, buf, len, schema, ELEMENTSOF(schema), cfg, err) < 0)
                return -1;
        if (agent_config_check(cfg, err) < 0) {
                agent_config_free(cfg);
                return error_prefix(err, "%s: ", name);
        }
        return 0;
}

int agent_config_load(const char *path, struct agent_config *cfg, struct error *err) {
        memset(cfg, 0, sizeof(*cfg));
        if (config_load(path, schema, ELEMENTSOF(schema), cfg, err) < 0)
                return -1;
        if (agent_config_check(cfg, err) < 0) {
                agent_config_free(cfg);
                return error_prefix(err, "%s: ", path);
        }
        return 0;
}

void agent_config_free(struct agent_config *cfg) {
        config_free(schema, ELEMENTSOF(schema), cfg);
}

/* SPDX-License-Identifier: Apache-2.0 */
/* The audit checkpoint thread and its witnesses (audit-checkpointer.h). */
#include "audit-checkpointer.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <syslog.h>
#include <unistd.h>

#include "audit/checkpoint.h"
#include "core/cleanup.h"
#include "core/fileio.h"
#include "core/log.h"
#include "core/strutil.h"
#include "core/time.h"
#include "crypto/key.h"
#include "http-post.h"
#include "keys/keys.h"
#include "periodic.h"
#include "store/store-audit-checkpoint.h"
#include "store/store.h"

#define WITNESS_BATCH 100
static const char *const WITNESS_HEADERS[] = { "X-Cradle-Event: audit.checkpoint", NULL };

struct audit_checkpointer {
        struct periodic *worker;
        struct store_pool *pool;
        struct crypto_key *key;
        struct keys_new reg;  /* its key registry entry, registered with the first checkpoint */
        struct audit_checkpoint_policy policy;
        unsigned wake_s;
        char *witness_file; /* absolute, or NULL */
        char *witness_url;  /* or NULL */
        bool witness_syslog;
        bool syslog_down; /* the last pass found no syslog socket (logged once per outage) */
};

int64_t audit_witness_backoff(int64_t attempts) {
        int64_t b = AUDIT_WITNESS_BACKOFF_S;
        for (int64_t k = 1; k < attempts && b < 3600; k++)
                b *= 2;
        return b > 3600 ? 3600 : b;
}

static char *resolve(const char *data_dir, const char *path) {
        return path[0] == '/' ? str_dup(path) : path_join(data_dir, path);
}

/* The key as configured; made when absent (a file, or an object on the token). */
static int load_key(const struct audit_checkpointer_config *cfg, struct crypto_key **out, struct error *err) {
        enum crypto_key_type type;
        if (crypto_key_type_parse(cfg->key_type, &type, err) < 0)
                return error_prefix(err, "[audit] checkpoint_key_type: ");
        if (strncmp(cfg->key_ref, "pkcs11:", 7) == 0) {
                struct error e = {0};
                if (crypto_key_load(cfg->key_ref, out, &e) == 0)
                        return 0;
                if (e.kind != ERROR_NOT_FOUND) {
                        *err = e;
                        return error_prefix(err, "[audit] checkpoint_key: ");
                }
                if (crypto_key_generate_pkcs11(cfg->key_ref, type, err) < 0)
                        return error_prefix(err, "[audit] checkpoint_key: making the key on the token: ");
                log_info("audit checkpoints: made a %s key on the PKCS#11 token", crypto_key_type_name(type));
                return crypto_key_load(cfg->key_ref, out, err) < 0 ? error_prefix(err, "[audit] checkpoint_key: ") : 0;
        }
        _cleanup_free_ char *path = resolve(cfg->data_dir, cfg->key_ref);
        if (!file_exists(path)) {
                _cleanup_free_ char *copy = str_dup(path);
                if (dir_create(dirname(copy), 0700, err) < 0 || crypto_key_generate_new_file(path, type, err) < 0)
                        return error_prefix(err, "[audit] checkpoint_key: making %s: ", path);
                log_info("audit checkpoints: made a %s key in %s", crypto_key_type_name(type), path);
        }
        if (crypto_key_load(path, out, err) < 0)
                return error_prefix(err, "[audit] checkpoint_key: ");
        return 0;
}

static char *checkpoint_line(const struct store_audit_checkpoint *cp) {
        _cleanup_json_ json_t *j = audit_checkpoint_to_json(cp);
        return j ? json_dumps(j, JSON_COMPACT) : NULL;
}

/* Appends the lines and fsyncs: 0 when all of them are on disk. */
static int file_append_lines(const char *path, const char *text, size_t len, struct error *err) {
        int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
        if (fd < 0)
                return error_set_errno(err, ERROR_IO, errno, "witness file %s", path);
        size_t done = 0;
        while (done < len) {
                ssize_t w = write(fd, text + done, len - done);
                if (w < 0 && errno == EINTR)
                        continue;
                if (w < 0) {
                        int e = errno;
                        close(fd);
                        return error_set_errno(err, ERROR_IO, e, "writing witness file %s", path);
                }
                done += (size_t) w;
        }
        if (fsync(fd) < 0) {
                int e = errno;
                close(fd);
                return error_set_errno(err, ERROR_IO, e, "fsync of witness file %s", path);
        }
        close(fd);
        return 0;
}

static void deliver_file(struct audit_checkpointer *c, struct store *s) {
        struct store_audit_checkpoint *l = NULL;
        size_t n = 0;
        struct error err = {0};
        if (store_audit_checkpoint_due(s, STORE_AUDIT_WITNESS_FILE, 0, 0, WITNESS_BATCH, &l, &n, &err) < 0) {
                log_error("audit checkpoints: witness file queue: %s", err.msg);
                return;
        }
        struct buf b = {0};
        for (size_t i = 0; i < n; i++) {
                _cleanup_free_ char *line = checkpoint_line(&l[i]);
                buf_appendf(&b, "%s\n", line ? line : "");
        }
        _cleanup_free_ char *text = buf_steal(&b);
        /* All or nothing per batch: a line is marked only once fsync said it is on disk. */
        if (n && file_append_lines(c->witness_file, text, strlen(text), &err) < 0)
                log_error("audit checkpoints: %s (retried next round)", err.msg);
        else
                for (size_t i = 0; i < n; i++)
                        if (store_audit_checkpoint_delivered(s, STORE_AUDIT_WITNESS_FILE, l[i].seq, &err) < 0)
                                log_error("audit checkpoints: %s", err.msg);
        store_audit_checkpoint_list_free(l, n);
}

/* Whether a syslog daemon listens on _PATH_LOG (/dev/log). syslog(3) says
 * nothing when none does, and a checkpoint handed to it then is lost; so the
 * batch waits for the next pass instead, as for a witness URL that fails. */
static bool syslog_listening(void) {
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        if (strlen(_PATH_LOG) >= sizeof(sa.sun_path))
                return false;
        memcpy(sa.sun_path, _PATH_LOG, strlen(_PATH_LOG) + 1);
        static const int types[] = { SOCK_DGRAM, SOCK_STREAM };
        for (size_t i = 0; i < ELEMENTSOF(types); i++) {
                int fd = socket(AF_UNIX, types[i] | SOCK_CLOEXEC, 0);
                if (fd < 0)
                        continue;
                bool ok = connect(fd, (const struct sockaddr *) &sa, sizeof(sa)) == 0;
                close(fd);
                if (ok)
                        return true;
        }
        return false;
}

static void deliver_syslog(struct audit_checkpointer *c, struct store *s) {
        struct store_audit_checkpoint *l = NULL;
        size_t n = 0;
        struct error err = {0};
        if (store_audit_checkpoint_due(s, STORE_AUDIT_WITNESS_SYSLOG, 0, 0, WITNESS_BATCH, &l, &n, &err) < 0) {
                log_error("audit checkpoints: syslog queue: %s", err.msg);
                return;
        }
        if (n > 0 && !syslog_listening()) {
                if (!c->syslog_down)
                        log_error("audit checkpoints: witness_syslog is on, but no syslog daemon listens on %s; "
                                  "%zu checkpoint(s) wait for it",
                                  _PATH_LOG, n);
                c->syslog_down = true;
                store_audit_checkpoint_list_free(l, n);
                return;
        }
        if (n > 0 && c->syslog_down) {
                log_info("audit checkpoints: the syslog daemon is back; delivering what waited");
                c->syslog_down = false;
        }
        for (size_t i = 0; i < n; i++) {
                _cleanup_free_ char *line = checkpoint_line(&l[i]);
                syslog(LOG_AUTH | LOG_NOTICE, "audit checkpoint %s", line ? line : "");
                if (store_audit_checkpoint_delivered(s, STORE_AUDIT_WITNESS_SYSLOG, l[i].seq, &err) < 0)
                        log_error("audit checkpoints: %s", err.msg);
        }
        store_audit_checkpoint_list_free(l, n);
}

static void deliver_url(struct audit_checkpointer *c, struct store *s, int64_t now) {
        struct store_audit_checkpoint *l = NULL;
        size_t n = 0;
        struct error err = {0};
        if (store_audit_checkpoint_due(s, STORE_AUDIT_WITNESS_URL, now, AUDIT_WITNESS_ATTEMPTS_MAX, WITNESS_BATCH, &l,
                                       &n, &err) < 0) {
                log_error("audit checkpoints: witness URL queue: %s", err.msg);
                return;
        }
        for (size_t i = 0; i < n; i++) {
                _cleanup_free_ char *line = checkpoint_line(&l[i]);
                char why[256] = "";
                if (line && server_http_post_json(c->witness_url, line, WITNESS_HEADERS, why, sizeof(why)) == 0) {
                        if (store_audit_checkpoint_delivered(s, STORE_AUDIT_WITNESS_URL, l[i].seq, &err) < 0)
                                log_error("audit checkpoints: %s", err.msg);
                        continue;
                }
                int64_t attempts = l[i].url_attempts + 1;
                int64_t next = now + audit_witness_backoff(attempts);
                if (attempts >= AUDIT_WITNESS_ATTEMPTS_MAX)
                        log_error("audit checkpoints: witness URL: checkpoint at seq %" PRId64 " given up after %" PRId64
                                  " attempts: %s", l[i].seq, attempts, why);
                else
                        log_warn("audit checkpoints: witness URL: checkpoint at seq %" PRId64 ", attempt %" PRId64
                                 " failed (%s); next in %" PRId64 " s", l[i].seq, attempts, why, next - now);
                if (store_audit_checkpoint_url_failed(s, l[i].seq, attempts, next, why, &err) < 0)
                        log_error("audit checkpoints: %s", err.msg);
                /* The rest would most likely fail the same way: they wait for the next round. */
                break;
        }
        store_audit_checkpoint_list_free(l, n);
}

static int checkpointer_pass(struct periodic *p, void *ctx, struct error *err) {
        (void) p;
        struct audit_checkpointer *c = ctx;
        struct store *s = store_pool_acquire(c->pool);
        if (!s)
                return error_set(err, ERROR_UNAVAILABLE, "audit checkpoints: no database connection");
        int64_t now = time_now();
        struct store_audit_checkpoint cp;
        bool made = false;
        int rc = audit_checkpoint_run(s, c->key, &c->reg, &c->policy, now, &cp, &made, err);
        if (rc == 0 && made)
                log_info("audit checkpoint signed at seq %" PRId64 " (hash %s)", cp.seq, cp.hash);
        store_audit_checkpoint_clear(&cp);
        if (c->witness_file)
                deliver_file(c, s);
        if (c->witness_url)
                deliver_url(c, s, now);
        if (c->witness_syslog)
                deliver_syslog(c, s);
        store_pool_release(c->pool, s);
        return rc;
}

static void checkpointer_free(struct audit_checkpointer *c) {
        crypto_key_free(c->key);
        free(c->witness_file);
        free(c->witness_url);
        free(c);
}

int audit_checkpointer_start(const struct audit_checkpointer_config *cfg, struct audit_checkpointer **out,
                             struct error *err) {
        *out = NULL;
        struct audit_checkpointer *c = xcalloc(1, sizeof(*c));
        c->pool = cfg->pool;
        c->policy = (struct audit_checkpoint_policy) {.every = cfg->every, .interval = cfg->interval};
        c->wake_s = cfg->interval < AUDIT_CHECKPOINTER_WAKE_S ? (unsigned) (cfg->interval > 0 ? cfg->interval : 1)
                                                              : AUDIT_CHECKPOINTER_WAKE_S;
        if (load_key(cfg, &c->key, err) < 0) {
                checkpointer_free(c);
                return -1;
        }
        char fp[65];
        if (audit_checkpoint_key_fingerprint(crypto_key_pubkey(c->key), fp, err) < 0) {
                checkpointer_free(c);
                return -1;
        }
        /* The fingerprint auditors pin (cradle audit verify --key-fingerprint). */
        log_info("audit checkpoints signed with %s key %s (fingerprint %s)", crypto_key_describe(c->key),
                 crypto_key_ref(c->key), fp);
        if (cfg->witness_file && *cfg->witness_file)
                c->witness_file = resolve(cfg->data_dir, cfg->witness_file);
        if (cfg->witness_url && *cfg->witness_url)
                c->witness_url = str_dup(cfg->witness_url);
        c->witness_syslog = cfg->witness_syslog;
        if (c->witness_syslog)
                openlog("cradled-audit", LOG_PID, LOG_AUTH);
        c->reg = (struct keys_new) {
                .class = "audit-checkpoint",
                .purpose = "signs the audit checkpoints ({seq, hash, time} of the audit chain; docs/security.md)",
                .pubkey = crypto_key_pubkey(c->key),
                .storage = crypto_key_is_pkcs11(c->key) ? "pkcs11" : "file",
                .ref = crypto_key_ref(c->key),
        };
        /* Listed in the key registry from the start (`cradle key list` in a fresh
         * deployment); the first checkpoint registers it too, should this fail.
         * The registry lists keys, it does not gate their use: a failure is logged. */
        struct store *s = store_pool_acquire(c->pool);
        struct error e = {0};
        if (s && keys_register(s, &c->reg, "system", NULL, &e) < 0)
                log_warn("key registry: registering the audit checkpoint key: %s", e.msg);
        if (s)
                store_pool_release(c->pool, s);
        if (periodic_start("audit checkpoints", c->wake_s, checkpointer_pass, c, &c->worker, err) < 0) {
                checkpointer_free(c);
                return -1;
        }
        *out = c;
        return 0;
}

void audit_checkpointer_stop(struct audit_checkpointer *c) {
        if (!c)
                return;
        periodic_stop(c->worker);
        checkpointer_free(c);
}

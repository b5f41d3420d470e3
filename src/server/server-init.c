/* SPDX-License-Identifier: Apache-2.0 */
#include "server-init.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "auth/role.h"
#include "auth/token.h"
#include "core/cleanup.h"
#include "core/fileio.h"
#include "core/strutil.h"
#include "pki/localca.h"
#include "secret/kek.h"
#include "server-config.h"
#include "store/store.h"

#define INIT_MAX_CREATED 16

/* Everything this run created, so a failure can take it back. */
struct created {
        char *files[INIT_MAX_CREATED];
        size_t n_files;
        char *dirs[4];
        size_t n_dirs;
};

static void created_file(struct created *c, const char *path) {
        if (c->n_files < INIT_MAX_CREATED)
                c->files[c->n_files++] = str_dup(path);
}

static void created_undo(struct created *c) {
        for (size_t i = c->n_files; i > 0; i--)
                (void) unlink(c->files[i - 1]);
        for (size_t i = c->n_dirs; i > 0; i--)
                (void) rmdir(c->dirs[i - 1]);
}

static void created_free(struct created *c) {
        for (size_t i = 0; i < c->n_files; i++)
                free(c->files[i]);
        for (size_t i = 0; i < c->n_dirs; i++)
                free(c->dirs[i]);
        memset(c, 0, sizeof(*c));
}

static int ensure_dir(struct created *c, const char *path, struct error *err) {
        struct stat st;
        if (stat(path, &st) == 0) {
                if (!S_ISDIR(st.st_mode))
                        return error_set(err, ERROR_INVALID, "%s exists and is not a directory", path);
                return 0;
        }
        if (errno != ENOENT)
                return error_set_errno(err, ERROR_IO, errno, "%s", path);
        if (mkdir(path, 0700) < 0)
                return error_set_errno(err, ERROR_IO, errno, "cannot create %s", path);
        c->dirs[c->n_dirs++] = str_dup(path);
        return 0;
}

/* The URL a client on this machine uses to reach the listen address. */
static char *client_url(const char *listen, int64_t port) {
        const char *host = listen;
        if (str_eq(listen, "0.0.0.0"))
                host = "127.0.0.1";
        else if (str_eq(listen, "::"))
                host = "::1";
        if (strchr(host, ':'))
                return str_printf("https://[%s]:%" PRId64, host, port);
        return str_printf("https://%s:%" PRId64, host, port);
}

static int create_admin_token(const char *db, char **secret_out, struct error *err) {
        struct store *s = NULL;
        struct store_token rec = {0};
        const struct audit_actor by = { .name = "cradled-init", .role = "system" };
        /* Token hashes and the audit trail are nobody else's business: create
         * the file 0600 first (SQLite gives its -wal and -shm the same mode). */
        int fd = open(db, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        if (fd < 0)
                return error_set_errno(err, ERROR_IO, errno, "cannot create %s", db);
        close(fd);
        if (store_open(db, &s, err) < 0)
                return -1;
        int r = auth_token_create(s, &by, SERVER_INIT_ADMIN_NAME, ROLE_ADMIN, secret_out, &rec, err);
        store_token_clear(&rec);
        store_close(s);
        return r;
}

static void print_report(FILE *out, const struct server_init_options *o, const char *ca, const char *url,
                         const char *secret) {
        const char *program = o->program && *o->program ? o->program : "cradled";
        fprintf(out,
                "Initialised %s\n"
                "\n"
                "Admin token (shown only this once; it cannot be recovered):\n"
                "%s\n"
                "\n"
                "Save it in a file only you can read (paste the token, Enter, then Ctrl-D):\n"
                "  (umask 077; cat > \"$HOME/.cradle-token\")\n"
                "and point the cradle CLI at this server (in every new shell):\n"
                "  export CRADLE_URL=%s CRADLE_CA=%s\n"
                "  export CRADLE_TOKEN_FILE=\"$HOME/.cradle-token\"\n"
                "\n"
                "Secrets at rest are sealed under the key-encryption key %s/" SERVER_INIT_KEK_FILE ".\n"
                "Back it up apart from the database, and keep it out of the database's backups\n"
                "(or move it onto a token: docs/keys.md, \"Secrets at rest\").\n"
                "\n",
                o->data_dir, secret, url, ca, o->data_dir);
        if (o->then_run)
                fprintf(out,
                        "The server starts now on %s (Ctrl-C stops it). Start it again later with:\n"
                        "  %s run --data-dir %s\n",
                        url, program, o->data_dir);
        else
                fprintf(out,
                        "Start the server with:\n"
                        "  %s run --data-dir %s\n",
                        program, o->data_dir);
        fflush(out);
}

int server_init(const struct server_init_options *o, FILE *out, struct error *err) {
        struct server_config cfg;
        struct created c = {0};
        int r = -1;

        if (server_config_defaults(&cfg, err) < 0)
                return -1;
        if (o->listen) {
                free(cfg.listen);
                cfg.listen = str_dup(o->listen);
        }
        if (o->port >= 0)
                cfg.port = o->port;

        _cleanup_free_ char *conf = path_join(o->data_dir, SERVER_CONFIG_FILE);
        _cleanup_free_ char *db = server_config_path(o->data_dir, cfg.store_path);
        _cleanup_free_ char *cert = server_config_path(o->data_dir, cfg.tls_cert);
        _cleanup_free_ char *key = server_config_path(o->data_dir, cfg.tls_key);
        _cleanup_free_ char *ca = server_config_path(o->data_dir, cfg.tls_ca);
        _cleanup_free_ char *ca_key = path_join(o->data_dir, "tls/ca.key");
        _cleanup_free_ char *kek = path_join(o->data_dir, SERVER_INIT_KEK_FILE);
        _cleanup_free_ char *tls_dir = path_join(o->data_dir, "tls");
        _cleanup_free_ char *url = client_url(cfg.listen, cfg.port);
        _cleanup_free_ char *wal = str_printf("%s-wal", db);
        _cleanup_free_ char *shm = str_printf("%s-shm", db);
        _cleanup_free_ char *journal = str_printf("%s-journal", db);
        _cleanup_free_ char *text = NULL;
        _cleanup_secret_ char *secret = NULL;

        const char *const existing[] = { conf, db, ca_key, ca, cert, key, kek };
        for (size_t i = 0; i < ELEMENTSOF(existing); i++)
                if (file_exists(existing[i])) {
                        error_set(err, ERROR_CONFLICT,
                                  "%s is already initialised (found %s); refusing to overwrite",
                                  o->data_dir, existing[i]);
                        goto out;
                }

        text = server_config_text(o->listen, o->port, err);
        if (!text)
                goto out;
        if (ensure_dir(&c, o->data_dir, err) < 0 || ensure_dir(&c, tls_dir, err) < 0)
                goto fail;

        const struct pki_localca_paths paths = {
                .ca_cert = ca, .ca_key = ca_key, .server_cert = cert, .server_key = key,
        };
        created_file(&c, ca);
        created_file(&c, ca_key);
        created_file(&c, cert);
        created_file(&c, key);
        if (pki_localca_create(&paths, o->extra_names, err) < 0)
                goto fail;

        /* The KEK (issue 11 section 6): secrets never go into the database in
         * clear from the first day. A file beside the database still travels
         * with a copy of the whole directory: docs/keys.md says to move it out
         * of the backups, or onto a token. */
        created_file(&c, kek);
        if (kek_generate_file(kek, err) < 0)
                goto fail;

        created_file(&c, db);
        created_file(&c, wal);
        created_file(&c, shm);
        created_file(&c, journal);
        if (create_admin_token(db, &secret, err) < 0)
                goto fail;

        created_file(&c, conf);
        if (file_write_atomic(conf, text, strlen(text), 0600, err) < 0)
                goto fail;

        print_report(out, o, ca, url, secret);
        r = 0;
        goto out;
fail:
        created_undo(&c);
out:
        created_free(&c);
        server_config_free(&cfg);
        return r;
}

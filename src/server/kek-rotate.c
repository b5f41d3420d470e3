/* SPDX-License-Identifier: Apache-2.0 */
/* KEK rotation, the cradled subcommand (kek-rotate.h). */
#include "kek-rotate.h"

#include <stdbool.h>
#include <string.h>

#include "core/cleanup.h"
#include "core/fileio.h"
#include "core/strutil.h"
#include "secret/kek.h"
#include "secret/seal-existing.h"
#include "server-config.h"
#include "store/store.h"

#define CONFIG_MAX (1024 * 1024)

static char *ref_path(const char *data_dir, const char *ref) {
        return strncmp(ref, "pkcs11:", 7) == 0 || ref[0] == '/' ? str_dup(ref) : path_join(data_dir, ref);
}

/* Replaces the value of `ref` in the [kek] section of the config text. Heap;
 * NULL when the file has no such line (then the operator edits it). */
static char *config_set_kek_ref(const char *text, const char *ref) {
        bool in_kek = false;
        for (const char *line = text; *line;) {
                const char *end = strchr(line, '\n');
                size_t len = end ? (size_t) (end - line) : strlen(line);
                if (len > 0 && line[0] == '[')
                        in_kek = len == 5 && strncmp(line, "[kek]", 5) == 0;
                else if (in_kek && len > 3 && strncmp(line, "ref", 3) == 0) {
                        size_t k = 3;
                        while (k < len && (line[k] == ' ' || line[k] == '\t'))
                                k++;
                        if (k < len && line[k] == '=')
                                return str_printf("%.*sref = %s%s", (int) (line - text), text, ref, end ? end : "\n");
                }
                if (!end)
                        break;
                line = end + 1;
        }
        return NULL;
}

int server_kek_rotate(const char *data_dir, const char *to_ref, FILE *out, struct error *err) {
        _cleanup_free_ char *conf = path_join(data_dir, SERVER_CONFIG_FILE);
        struct server_config cfg;
        if (server_config_load(conf, &cfg, err) < 0)
                return -1;
        int r = -1;
        struct kek *from = NULL, *to = NULL;
        struct store *s = NULL;
        /* All declared before the first goto (a jump past a _cleanup_
         * declaration would free an uninitialised pointer). */
        _cleanup_free_ char *text = NULL, *updated = NULL, *db = NULL;
        if (!cfg.kek_ref || !cfg.kek_ref[0]) {
                error_set(err, ERROR_INVALID, "[kek] ref is empty: there is no KEK to rotate from; set [kek] ref "
                          "and start cradled once, which seals what is in clear");
                goto out;
        }
        {
                _cleanup_free_ char *from_path = ref_path(data_dir, cfg.kek_ref);
                _cleanup_free_ char *to_path = ref_path(data_dir, to_ref);
                if (kek_load(from_path, &from, err) < 0) {
                        error_prefix(err, "the current KEK ([kek] ref): ");
                        goto out;
                }
                if (kek_load(to_path, &to, err) < 0) {
                        error_prefix(err, "the new KEK (--to): ");
                        goto out;
                }
        }
        db = server_config_path(data_dir, cfg.store_path);
        if (store_open(db, &s, err) < 0)
                goto out;
        struct secret_rotate_report rep;
        if (secret_rotate(s, from, to, data_dir, cfg.director_key, &rep, err) < 0) {
                error_prefix(err, "rotation stopped (run it again to finish; [kek] ref is unchanged): ");
                goto out;
        }
        size_t len = 0;
        if (file_read_all(conf, CONFIG_MAX, &text, &len, err) < 0)
                goto out;
        updated = config_set_kek_ref(text, to_ref);
        if (updated && file_write_atomic(conf, updated, strlen(updated), 0600, err) < 0)
                goto out;
        fprintf(out, "re-sealed under KEK %s (was %s): %zu migration key(s), %zu key file(s), %zu content key(s)\n",
                kek_fingerprint(to), kek_fingerprint(from), rep.migration_keys, rep.key_files, rep.content_keys);
        if (updated)
                fprintf(out, "%s: [kek] ref = %s\n", conf, to_ref);
        else
                fprintf(out, "set [kek] ref = %s in %s before starting cradled\n", to_ref, conf);
        fprintf(out, "keep the old KEK until backups made before now have expired\n");
        r = 0;
out:
        if (s)
                store_close(s);
        kek_free(from);
        kek_free(to);
        server_config_free(&cfg);
        return r;
}

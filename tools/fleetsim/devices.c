/* SPDX-License-Identifier: Apache-2.0 */
#include "devices.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/cleanup.h"
#include "core/fileio.h"
#include "core/strutil.h"

char *fleetsim_device_path(const char *dir, const char *serial, const char *file) {
        return str_printf("%s/%s/%s", dir, serial, file);
}

static int cmp(const void *a, const void *b) {
        return strcmp(*(char *const *) a, *(char *const *) b);
}

int fleetsim_devices_list(const char *dir, char ***serials, size_t *n, struct error *err) {
        DIR *d = opendir(dir);
        struct dirent *e;
        char **v = NULL;
        size_t cap = 0;
        *serials = NULL;
        *n = 0;
        if (!d)
                return error_set(err, errno == ENOENT ? ERROR_NOT_FOUND : ERROR_IO, "%s: %s", dir, strerror(errno));
        while ((e = readdir(d))) {
                if (e->d_name[0] == '.' || strlen(e->d_name) > FLEETSIM_SERIAL_MAX)
                        continue;
                _cleanup_free_ char *cert = fleetsim_device_path(dir, e->d_name, "cert.pem");
                _cleanup_free_ char *key = fleetsim_device_path(dir, e->d_name, "key.pem");
                if (!file_exists(cert) || !file_exists(key))
                        continue;
                if (*n == cap) {
                        cap = cap ? cap * 2 : 256;
                        v = xrealloc(v, cap * sizeof(*v));
                }
                v[(*n)++] = str_dup(e->d_name);
        }
        closedir(d);
        if (*n)
                qsort(v, *n, sizeof(*v), cmp);
        *serials = v;
        return 0;
}

void fleetsim_devices_free(char **serials, size_t n) {
        for (size_t i = 0; i < n; i++)
                free(serials[i]);
        free(serials);
}

char *fleetsim_product_read(const char *dir, struct error *err) {
        _cleanup_free_ char *path = path_join(dir, "product");
        char *data = NULL;
        size_t len = 0;
        if (file_read_all(path, 256, &data, &len, err) < 0)
                return NULL;
        while (len > 0 && (data[len - 1] == '\n' || data[len - 1] == '\r' || data[len - 1] == ' '))
                data[--len] = '\0';
        if (len == 0) {
                free(data);
                error_set(err, ERROR_INVALID, "%s: empty; give --product", path);
                return NULL;
        }
        return data;
}

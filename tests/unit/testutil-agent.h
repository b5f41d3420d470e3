/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/*
 * Helpers for the cradle-agent unit tests (header-only; each test includes it
 * once after <cmocka.h>):
 *  - a temp directory per test, removed afterwards;
 *  - small file helpers;
 *  - a tiny HTTP/1.1 server in a forked child that serves a directory, with
 *    Range, and can misbehave on request: ignore Range, trickle bytes (slow
 *    retrieval), send more than it should (endless data), cut the transfer,
 *    answer a fixed status. It logs every request line (and POST bodies) so
 *    tests can check what the agent asked for.
 *
 * The server's behaviour is read from <dir>/mode at every request:
 *   ""               serve files, honour Range
 *   "ignore-range"   always 200 with the whole file
 *   "trickle"        10 bytes per second          (target files only)
 *   "extra"          the file, then 4 MiB more, no Content-Length (target files only)
 *   "cut=N"          announce the full length, send N bytes, close (target files only)
 *   "status=N"       answer status N with a short body
 * URL paths map to files under <dir>/www; POSTs are answered 200 "{}".
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/cleanup.h"
#include "core/fileio.h"
#include "core/strutil.h"

#define assert_error_contains(e, s)                                                         \
        do {                                                                                \
                if (!strstr((e).msg, (s)))                                                  \
                        fail_msg("error \"%s\" does not contain \"%s\"", (e).msg, (s));     \
        } while (0)

#define assert_ok(call, e)                                                                  \
        do {                                                                                \
                if ((call) < 0)                                                             \
                        fail_msg("%s failed: %s", #call, (e).msg);                          \
        } while (0)

static inline char *tu_tmpdir(const char *name) {
        char *dir = str_printf("/tmp/cradle-test-%s-XXXXXX", name);
        if (!mkdtemp(dir)) {
                free(dir);
                return NULL;
        }
        return dir;
}

static inline void tu_rmtree(const char *path) {
        DIR *d = opendir(path);
        struct dirent *de;

        if (!d) {
                (void) unlink(path);
                return;
        }
        while ((de = readdir(d))) {
                if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
                        continue;
                _cleanup_free_ char *p = path_join(path, de->d_name);
                struct stat st;
                if (lstat(p, &st) == 0 && S_ISDIR(st.st_mode))
                        tu_rmtree(p);
                else
                        (void) unlink(p);
        }
        closedir(d);
        (void) rmdir(path);
}

/* Writes dir/name (creating parent directories). */
static inline void tu_write(const char *dir, const char *name, const void *data, size_t len, mode_t mode) {
        _cleanup_free_ char *path = path_join(dir, name);
        _cleanup_free_ char *parent = str_dup(path);
        struct error err = { 0 };

        *strrchr(parent, '/') = '\0';
        if (dir_create(parent, 0755, &err) < 0)
                fail_msg("mkdir %s: %s", parent, err.msg);
        if (file_write_atomic(path, data, len, mode, &err) < 0)
                fail_msg("write %s: %s", path, err.msg);
}

static inline void tu_write_str(const char *dir, const char *name, const char *s) {
        tu_write(dir, name, s, strlen(s), 0644);
}

/* Reads dir/name; NULL when missing. */
static inline char *tu_read(const char *dir, const char *name, size_t *len) {
        _cleanup_free_ char *path = path_join(dir, name);
        char *data = NULL;
        size_t l = 0;
        if (file_read_all(path, 256 * 1024 * 1024, &data, &l, NULL) < 0)
                return NULL;
        if (len)
                *len = l;
        return data;
}

static inline bool tu_exists(const char *dir, const char *name) {
        _cleanup_free_ char *path = path_join(dir, name);
        return file_exists(path);
}

/* ---- the HTTP server ------------------------------------------------------ */

struct tu_httpd {
        pid_t pid;
        int port;
        char *dir;   /* mode, requests.log, www/ */
        char *url;   /* http://127.0.0.1:PORT */
};

static inline void tu_httpd_mode(struct tu_httpd *h, const char *mode) {
        tu_write_str(h->dir, "mode", mode);
}

static inline void tu_httpd_log(struct tu_httpd *h, const char *line) {
        _cleanup_free_ char *path = path_join(h->dir, "requests.log");
        int fd = open(path, O_WRONLY | O_CREAT | O_APPEND, 0644);
        if (fd >= 0) {
                ssize_t w = write(fd, line, strlen(line));
                (void) w;
                close(fd);
        }
}

static inline void tu_send(int fd, const void *data, size_t len) {
        const char *p = data;
        while (len > 0) {
                ssize_t w = send(fd, p, len, MSG_NOSIGNAL);
                if (w <= 0)
                        return;
                p += w;
                len -= (size_t) w;
        }
}

static inline void tu_httpd_handle(struct tu_httpd *h, int fd) {
        char req[16384];
        size_t n = 0;
        char *end = NULL;
        char method[8] = "", path[1024] = "";
        long long range = -1;
        long long content_length = 0;
        _cleanup_free_ char *mode = tu_read(h->dir, "mode", NULL);
        char head[512];

        while (n < sizeof(req) - 1) {
                ssize_t r = recv(fd, req + n, sizeof(req) - 1 - n, 0);
                if (r <= 0)
                        return;
                n += (size_t) r;
                req[n] = '\0';
                if ((end = strstr(req, "\r\n\r\n")))
                        break;
        }
        if (!end || sscanf(req, "%7s %1023s", method, path) != 2)
                return;
        const char *rh = strcasestr(req, "\r\nRange: bytes=");
        if (rh)
                range = atoll(rh + strlen("\r\nRange: bytes="));
        const char *cl = strcasestr(req, "\r\nContent-Length: ");
        if (cl)
                content_length = atoll(cl + strlen("\r\nContent-Length: "));

        if (strcmp(method, "POST") == 0) {
                struct buf body = { 0 };
                size_t have = n - (size_t) (end + 4 - req);
                buf_append(&body, end + 4, have);
                while ((long long) body.len < content_length) {
                        char tmp[4096];
                        ssize_t r = recv(fd, tmp, sizeof(tmp), 0);
                        if (r <= 0)
                                break;
                        buf_append(&body, tmp, (size_t) r);
                }
                buf_append(&body, "", 1);
                _cleanup_free_ char *line = str_printf("POST %s %s\n", path, body.data);
                tu_httpd_log(h, line);
                buf_free(&body);
                if (mode && str_startswith(mode, "status=")) {
                        snprintf(head, sizeof(head),
                                 "HTTP/1.1 %s Oops\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", mode + 7);
                        tu_send(fd, head, strlen(head));
                        return;
                }
                const char *ok = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n"
                                 "Connection: close\r\n\r\n{}";
                tu_send(fd, ok, strlen(ok));
                return;
        }

        {
                _cleanup_free_ char *line = str_printf("GET %s range=%lld\n", path, range);
                tu_httpd_log(h, line);
        }
        if (mode && str_startswith(mode, "status=")) {
                snprintf(head, sizeof(head),
                         "HTTP/1.1 %s Oops\r\nContent-Length: 5\r\nConnection: close\r\n\r\noops!", mode + 7);
                tu_send(fd, head, strlen(head));
                return;
        }
        _cleanup_free_ char *www = path_join(h->dir, "www");
        size_t len = 0;
        _cleanup_free_ char *data = strstr(path, "..") ? NULL : tu_read(www, path + 1, &len);
        if (!data) {
                const char *nf = "HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\nConnection: close\r\n\r\nnot found";
                tu_send(fd, nf, strlen(nf));
                return;
        }
        /* Misbehaviour aimed at images: metadata is served normally. */
        if (mode && !strstr(path, "/targets/") &&
            (strcmp(mode, "extra") == 0 || strcmp(mode, "trickle") == 0 || str_startswith(mode, "cut="))) {
                free(mode);
                mode = NULL;
        }
        if (mode && strcmp(mode, "extra") == 0) {
                snprintf(head, sizeof(head), "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n");
                tu_send(fd, head, strlen(head));
                tu_send(fd, data, len);
                char junk[4096];
                memset(junk, 'x', sizeof(junk));
                for (int i = 0; i < 1024; i++)
                        tu_send(fd, junk, sizeof(junk));
                return;
        }
        size_t from = 0;
        if (range >= 0 && !(mode && strcmp(mode, "ignore-range") == 0)) {
                if ((size_t) range >= len) {
                        snprintf(head, sizeof(head),
                                 "HTTP/1.1 416 Range Not Satisfiable\r\nContent-Range: bytes */%zu\r\n"
                                 "Content-Length: 0\r\nConnection: close\r\n\r\n",
                                 len);
                        tu_send(fd, head, strlen(head));
                        return;
                }
                from = (size_t) range;
                snprintf(head, sizeof(head),
                         "HTTP/1.1 206 Partial Content\r\nContent-Range: bytes %zu-%zu/%zu\r\n"
                         "Content-Length: %zu\r\nConnection: close\r\n\r\n",
                         from, len - 1, len, len - from);
        } else {
                snprintf(head, sizeof(head), "HTTP/1.1 200 OK\r\nContent-Length: %zu\r\nConnection: close\r\n\r\n",
                         len);
        }
        tu_send(fd, head, strlen(head));
        if (mode && strcmp(mode, "trickle") == 0) {
                for (size_t i = from; i < len; i++) {
                        tu_send(fd, data + i, 1);
                        struct timespec ts = { 0, 100 * 1000 * 1000 };
                        nanosleep(&ts, NULL);
                }
                return;
        }
        if (mode && str_startswith(mode, "cut=")) {
                size_t cut = (size_t) atoll(mode + 4);
                if (from + cut < len)
                        len = from + cut;
        }
        tu_send(fd, data + from, len - from);
}

static inline struct tu_httpd *tu_httpd_start(const char *dir) {
        struct tu_httpd *h = xcalloc(1, sizeof(*h));
        struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
        socklen_t alen = sizeof(a);
        int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        int one = 1;

        assert_true(s >= 0);
        setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
        assert_int_equal(bind(s, (struct sockaddr *) &a, sizeof(a)), 0);
        assert_int_equal(listen(s, 16), 0);
        assert_int_equal(getsockname(s, (struct sockaddr *) &a, &alen), 0);
        h->port = ntohs(a.sin_port);
        h->dir = str_dup(dir);
        h->url = str_printf("http://127.0.0.1:%d", h->port);
        tu_httpd_mode(h, "");
        h->pid = fork();
        assert_true(h->pid >= 0);
        if (h->pid == 0) {
                signal(SIGTERM, SIG_DFL);
                signal(SIGPIPE, SIG_IGN);
                for (;;) {
                        int c = accept(s, NULL, NULL);
                        if (c < 0)
                                continue;
                        tu_httpd_handle(h, c);
                        shutdown(c, SHUT_WR);
                        close(c);
                }
        }
        close(s);
        return h;
}

static inline void tu_httpd_stop(struct tu_httpd *h) {
        if (!h)
                return;
        kill(h->pid, SIGKILL);
        waitpid(h->pid, NULL, 0);
        free(h->dir);
        free(h->url);
        free(h);
}

/* The request log so far ("" when none). */
static inline char *tu_httpd_requests(struct tu_httpd *h) {
        char *s = tu_read(h->dir, "requests.log", NULL);
        return s ? s : str_dup("");
}

static inline void tu_httpd_clear_log(struct tu_httpd *h) {
        _cleanup_free_ char *path = path_join(h->dir, "requests.log");
        unlink(path);
}

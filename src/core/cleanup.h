/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/*
 * Scope-bound cleanup in the style of systemd's _cleanup_: the error paths stay
 * obvious because nothing has to be freed by hand before each return.
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define _cleanup_(f) __attribute__((cleanup(f)))

#define DEFINE_CLEANUP_FUNC(type, func)                 \
        static inline void func##p(type *p) {           \
                if (*p) func(*p);                       \
        }

static inline void freep(void *p) { free(*(void **) p); }
#define _cleanup_free_ _cleanup_(freep)

static inline void fclosep(FILE **f) { if (*f) fclose(*f); }
#define _cleanup_fclose_ _cleanup_(fclosep)

static inline void closep(int *fd) { if (*fd >= 0) close(*fd); }
#define _cleanup_close_ _cleanup_(closep)

/* Hands ownership out of a cleanup-scoped variable. */
#define steal_ptr(p) ({ __typeof__(p) _tmp = (p); (p) = NULL; _tmp; })
#define steal_fd(fd) ({ int _tmp = (fd); (fd) = -1; _tmp; })

/* jansson (>= 2.11) already defines json_decrefp() for its json_auto_t;
 * reuse it rather than redefine it. */
#include <jansson.h>
#define _cleanup_json_ _cleanup_(json_decrefp)

/* Wipes a secret before freeing it. */
void free_secret(char *s);
static inline void free_secretp(char **s) { free_secret(*s); }
#define _cleanup_secret_ _cleanup_(free_secretp)

#define ELEMENTSOF(x) (sizeof(x) / sizeof((x)[0]))

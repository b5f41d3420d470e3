/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/*
 * Strict INI configuration. A program describes its keys in a schema table
 * (section, key, type, where to store it, range, default, doc); config_load
 * fills a struct from it. Unknown sections or keys, bad values and duplicate
 * keys are refused with "file:line: what is wrong".
 */
#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include "core/error.h"

enum config_type {
        CONFIG_STRING,   /* char *, heap-allocated (freed by config_free) */
        CONFIG_INT,      /* int64_t, within [min, max] */
        CONFIG_BOOL,     /* bool: true/false/yes/no/on/off/1/0 */
        CONFIG_SIZE,     /* uint64_t bytes, suffixes K, M, G (powers of 1024) */
        CONFIG_DURATION, /* int64_t seconds, suffixes s, m, h, d */
};

struct config_key {
        const char *section;
        const char *key;
        enum config_type type;
        size_t offset;          /* offsetof in the target struct */
        int64_t min, max;       /* for INT, SIZE, DURATION (max 0 = unbounded) */
        const char *default_value; /* parsed like a file value; NULL = none */
        const char *doc;        /* one line; printed by --help-config */
};

#define CONFIG_MAX_FILE_SIZE (256 * 1024)

/* Applies defaults then parses the file. `name` appears in messages. */
int config_load(const char *path, const struct config_key *schema, size_t n_keys,
                void *target, struct error *err);
int config_parse_buffer(const char *name, const char *buf, size_t len,
                        const struct config_key *schema, size_t n_keys,
                        void *target, struct error *err);
/* Applies only the defaults. */
int config_apply_defaults(const struct config_key *schema, size_t n_keys, void *target,
                          struct error *err);
/* Frees the CONFIG_STRING members. */
void config_free(const struct config_key *schema, size_t n_keys, void *target);
/* Writes a commented INI of every key with its default and doc. */
int config_write_defaults(const struct config_key *schema, size_t n_keys, char **out);

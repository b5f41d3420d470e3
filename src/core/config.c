/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Strict INI configuration over libinih. A typo in a daemon's configuration
 * must stop it at start-up with the file and line, not be ignored until the
 * setting matters: unknown sections and keys, keys outside a section,
 * duplicates, malformed and out-of-range values are all refused.
 *
 * libinih does the tokenising; a line reader of our own feeds it so that we
 * know the line number (Debian's libinih does not pass it to the handler),
 * refuse over-long lines instead of having them split, and check section
 * headers in full (libinih truncates section names to 49 bytes).
 */
#include <ctype.h>
#include <errno.h>
#include <ini.h>
#include <inttypes.h>
#include <string.h>
#include <strings.h>

#include "core/cleanup.h"
#include "core/config.h"
#include "core/fileio.h"
#include "core/strutil.h"

#define VALUE_SHOWN_MAX 80

struct parse_ctx {
        const char *name;
        const struct config_key *schema;
        size_t n_keys;
        void *target;
        struct error *err;

        const char *pos;
        size_t left;
        int line;
        const char *section; /* the schema's spelling of the current [section] */

        int *key_line;     /* per schema entry: line where the file set it */
        int *section_line; /* per schema entry (first of its section): header line */
        int fail_line;     /* 0 = no error so far */
};

static bool is_blank(char c) {
        return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

static int64_t effective_max(const struct config_key *k) {
        return k->max == 0 ? INT64_MAX : k->max;
}

/* Parses digits followed by an optional one-letter unit. */
static int parse_with_unit(const char *value, const char *units, const uint64_t *factors,
                           uint64_t *out, char *bad_unit) {
        const char *p = value;
        uint64_t v = 0;

        if (*p < '0' || *p > '9')
                return -EINVAL;
        for (; *p >= '0' && *p <= '9'; p++) {
                if (v > (UINT64_MAX - (uint64_t) (*p - '0')) / 10)
                        return -ERANGE;
                v = v * 10 + (uint64_t) (*p - '0');
        }
        if (*p) {
                const char *u = strchr(units, *p);
                if (!u || p[1]) {
                        *bad_unit = 1;
                        return -EINVAL;
                }
                uint64_t f = factors[u - units];
                if (v > UINT64_MAX / f)
                        return -ERANGE;
                v *= f;
        }
        *out = v;
        return 0;
}

static void *field_ptr(const struct config_key *k, void *target) {
        return (char *) target + k->offset;
}

/* Parses one value into the target. On failure writes the reason to why. */
static int parse_value(const struct config_key *k, const char *value, void *target, char *why,
                       size_t why_size) {
        int64_t lo = k->min, hi = effective_max(k);

        switch (k->type) {
        case CONFIG_STRING: {
                for (const char *p = value; *p; p++)
                        if ((unsigned char) *p < 0x20 && *p != '\t') {
                                snprintf(why, why_size, "contains a control character");
                                return -1;
                        }
                char **s = field_ptr(k, target);
                free(*s);
                *s = str_dup(value);
                return 0;
        }
        case CONFIG_INT: {
                int64_t v;
                int r = str_to_int64(value, lo, hi, &v);
                if (r == -EINVAL) {
                        snprintf(why, why_size, "not an integer");
                        return -1;
                }
                if (r < 0) {
                        if (k->max == 0)
                                snprintf(why, why_size, "out of range (at least %" PRId64 ")", lo);
                        else
                                snprintf(why, why_size, "out of range (%" PRId64 "..%" PRId64 ")",
                                         lo, hi);
                        return -1;
                }
                *(int64_t *) field_ptr(k, target) = v;
                return 0;
        }
        case CONFIG_BOOL: {
                static const char *const yes[] = { "true", "yes", "on", "1" };
                static const char *const no[] = { "false", "no", "off", "0" };
                for (size_t i = 0; i < ELEMENTSOF(yes); i++) {
                        if (strcasecmp(value, yes[i]) == 0) {
                                *(bool *) field_ptr(k, target) = true;
                                return 0;
                        }
                        if (strcasecmp(value, no[i]) == 0) {
                                *(bool *) field_ptr(k, target) = false;
                                return 0;
                        }
                }
                snprintf(why, why_size, "not a boolean (use true/false, yes/no, on/off or 1/0)");
                return -1;
        }
        case CONFIG_SIZE:
        case CONFIG_DURATION: {
                static const uint64_t size_f[] = { 1024, 1024 * 1024, 1024 * 1024 * 1024 };
                static const uint64_t dur_f[] = { 1, 60, 3600, 86400 };
                bool size = k->type == CONFIG_SIZE;
                char bad_unit = 0;
                uint64_t v;
                int r = parse_with_unit(value, size ? "KMG" : "smhd", size ? size_f : dur_f, &v,
                                        &bad_unit);
                if (r == -EINVAL && bad_unit) {
                        snprintf(why, why_size, size ? "bad size suffix (use K, M or G)"
                                                     : "bad duration suffix (use s, m, h or d)");
                        return -1;
                }
                if (r == -EINVAL) {
                        snprintf(why, why_size, size ? "not a size (e.g. 512, 64K, 10M, 1G)"
                                                     : "not a duration (e.g. 30s, 5m, 12h, 7d)");
                        return -1;
                }
                uint64_t ulo = lo < 0 ? 0 : (uint64_t) lo, uhi = (uint64_t) hi;
                if (r < 0 || v < ulo || v > uhi || v > INT64_MAX) {
                        const char *unit = size ? "bytes" : "seconds";
                        if (k->max == 0)
                                snprintf(why, why_size, "out of range (at least %" PRIu64 " %s)",
                                         ulo, unit);
                        else
                                snprintf(why, why_size,
                                         "out of range (%" PRIu64 "..%" PRIu64 " %s)", ulo, uhi,
                                         unit);
                        return -1;
                }
                if (size)
                        *(uint64_t *) field_ptr(k, target) = v;
                else
                        *(int64_t *) field_ptr(k, target) = (int64_t) v;
                return 0;
        }
        }
        snprintf(why, why_size, "unknown key type %d", (int) k->type);
        return -1;
}

int config_apply_defaults(const struct config_key *schema, size_t n_keys, void *target,
                          struct error *err) {
        for (size_t i = 0; i < n_keys; i++) {
                const struct config_key *k = &schema[i];
                char why[128];

                if (!k->default_value)
                        continue;
                /* A bad default is the program's bug, not the operator's. */
                if (parse_value(k, k->default_value, target, why, sizeof(why)) < 0)
                        return error_set(err, ERROR_INTERNAL, "default for [%s] %s = '%s': %s",
                                         k->section, k->key, k->default_value, why);
        }
        return 0;
}

void config_free(const struct config_key *schema, size_t n_keys, void *target) {
        for (size_t i = 0; i < n_keys; i++) {
                if (schema[i].type != CONFIG_STRING)
                        continue;
                char **s = field_ptr(&schema[i], target);
                free(*s);
                *s = NULL;
        }
}

/* Schema index of the first key of a section, or -1 when no key has it. */
static ssize_t section_index(const struct parse_ctx *c, const char *section, size_t len) {
        for (size_t i = 0; i < c->n_keys; i++)
                if (strlen(c->schema[i].section) == len &&
                    memcmp(c->schema[i].section, section, len) == 0)
                        return (ssize_t) i;
        return -1;
}

static int fail(struct parse_ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(struct parse_ctx *c, const char *fmt, ...) {
        char msg[ERROR_MSG_MAX];
        va_list ap;

        va_start(ap, fmt);
        vsnprintf(msg, sizeof(msg), fmt, ap);
        va_end(ap);
        c->fail_line = c->line;
        return error_set(c->err, ERROR_INVALID, "%s:%d: %s", c->name, c->line, msg);
}

/* Validates a "[section]" line (leading blanks already skipped). */
static int check_section_line(struct parse_ctx *c, const char *line, size_t len) {
        char shown[VALUE_SHOWN_MAX];
        const char *close = memchr(line, ']', len);

        if (!close)
                return fail(c, "expected ']' at the end of the section name");
        for (const char *p = close + 1; p < line + len; p++) {
                if (*p == ';' || *p == '#')
                        break;
                if (!is_blank(*p))
                        return fail(c, "unexpected text after ']'");
        }

        size_t name_len = (size_t) (close - line - 1);
        ssize_t idx = section_index(c, line + 1, name_len);
        str_sanitize(line + 1, name_len, shown, sizeof(shown));
        if (idx < 0)
                return fail(c, "unknown section [%s]", shown);
        if (c->section_line[idx])
                return fail(c, "section [%s] appears twice (first on line %d)", shown,
                            c->section_line[idx]);
        c->section_line[idx] = c->line;
        c->section = c->schema[idx].section;
        return 0;
}

/*
 * The fgets()-like reader libinih calls once per line. Returning NULL ends the
 * parse, which is how an error found here or in the handler stops it.
 */
static char *reader(char *str, int num, void *stream) {
        struct parse_ctx *c = stream;
        const char *nl, *line;
        size_t len, next;

        if (c->fail_line || c->left == 0 || num < 2)
                return NULL;

        c->line++;
        nl = memchr(c->pos, '\n', c->left);
        len = nl ? (size_t) (nl - c->pos) : c->left;
        next = nl ? len + 1 : len;
        line = c->pos;
        c->pos += next;
        c->left -= next;

        if (c->line == 1 && len >= 3 && memcmp(line, "\xef\xbb\xbf", 3) == 0) {
                line += 3;
                len -= 3;
        }
        /* Dropping leading blanks means libinih never sees an indented line,
         * so its Python-style continuation lines (which would look like
         * duplicate keys) cannot occur: an indented line is an ordinary one. */
        while (len > 0 && is_blank(*line)) {
                line++;
                len--;
        }
        while (len > 0 && is_blank(line[len - 1]))
                len--;

        if (len + 1 > (size_t) num) {
                fail(c, "line is too long (at most %d characters)", num - 1);
                return NULL;
        }
        if (len > 0 && line[0] == '[' && check_section_line(c, line, len) < 0)
                return NULL;

        memcpy(str, line, len);
        str[len] = '\0';
        return str;
}

static int handler(void *user, const char *inih_section, const char *name, const char *value) {
        struct parse_ctx *c = user;
        char shown_name[VALUE_SHOWN_MAX], shown_value[VALUE_SHOWN_MAX], why[128];
        const struct config_key *k = NULL;
        size_t idx = 0;

        (void) inih_section; /* truncated by libinih; ours is checked and complete */
        if (c->fail_line)
                return 0;
        str_sanitize(name, strlen(name), shown_name, sizeof(shown_name));
        if (!value)
                return fail(c, "key '%s' has no value", shown_name), 0;
        str_sanitize(value, strlen(value), shown_value, sizeof(shown_value));

        if (!c->section)
                return fail(c, "key '%s' is outside any section (add a [section] line above it)",
                            shown_name), 0;
        for (idx = 0; idx < c->n_keys; idx++)
                if (strcmp(c->schema[idx].section, c->section) == 0 &&
                    strcmp(c->schema[idx].key, name) == 0) {
                        k = &c->schema[idx];
                        break;
                }
        if (!k)
                return fail(c, "unknown key '%s' in section [%s]", shown_name, c->section), 0;
        if (c->key_line[idx])
                return fail(c, "duplicate key '%s' in section [%s] (first set on line %d)",
                            shown_name, c->section, c->key_line[idx]), 0;
        c->key_line[idx] = c->line;

        if (parse_value(k, value, c->target, why, sizeof(why)) < 0)
                return fail(c, "[%s] %s = '%s': %s", c->section, k->key, shown_value, why), 0;
        return 1;
}

int config_parse_buffer(const char *name, const char *buf, size_t len,
                        const struct config_key *schema, size_t n_keys, void *target,
                        struct error *err) {
        _cleanup_free_ int *key_line = NULL, *section_line = NULL;
        const char *nul;
        int r;

        if (!name)
                name = "configuration";
        if (len > CONFIG_MAX_FILE_SIZE)
                return error_set(err, ERROR_TOO_LARGE, "%s: file is too large (%zu bytes, at most %d)",
                                 name, len, CONFIG_MAX_FILE_SIZE);
        nul = buf ? memchr(buf, '\0', len) : NULL;
        if (nul) {
                int line = 1;
                for (const char *p = buf; p < nul; p++)
                        line += *p == '\n';
                return error_set(err, ERROR_INVALID, "%s:%d: contains a NUL byte", name, line);
        }
        if (config_apply_defaults(schema, n_keys, target, err) < 0)
                return -1;

        key_line = xcalloc(n_keys, sizeof(int));
        section_line = xcalloc(n_keys, sizeof(int));
        struct parse_ctx c = {
                .name = name,
                .schema = schema,
                .n_keys = n_keys,
                .target = target,
                .err = err,
                .pos = buf,
                .left = buf ? len : 0,
                .key_line = key_line,
                .section_line = section_line,
        };

        r = ini_parse_stream(reader, &c, handler, &c);
        if (r > 0 && (!c.fail_line || r < c.fail_line)) {
                /* libinih found a line it cannot tokenise before any error of ours. */
                error_set(err, ERROR_INVALID,
                          "%s:%d: syntax error (expected '[section]' or 'key = value')", name, r);
                c.fail_line = r;
        } else if (r < 0 && !c.fail_line) {
                error_set(err, ERROR_INTERNAL, "%s: INI parser failed (%d)", name, r);
                c.fail_line = -1;
        }
        if (c.fail_line) {
                /* No half-applied configuration: the caller gets nothing. */
                config_free(schema, n_keys, target);
                return -1;
        }
        return 0;
}

int config_load(const char *path, const struct config_key *schema, size_t n_keys, void *target,
                struct error *err) {
        _cleanup_free_ char *data = NULL;
        size_t len;

        if (file_read_all(path, CONFIG_MAX_FILE_SIZE, &data, &len, err) < 0)
                return -1;
        return config_parse_buffer(path, data, len, schema, n_keys, target, err);
}

static const char *type_doc(enum config_type t) {
        switch (t) {
        case CONFIG_STRING:
                return "string";
        case CONFIG_INT:
                return "integer";
        case CONFIG_BOOL:
                return "boolean";
        case CONFIG_SIZE:
                return "size in bytes, suffix K, M or G";
        case CONFIG_DURATION:
                return "duration in seconds, suffix s, m, h or d";
        }
        return "value";
}

int config_write_defaults(const struct config_key *schema, size_t n_keys, char **out) {
        struct buf b = { 0 };

        buf_appendf(&b, "# Every key with its default value, commented out.\n");
        for (size_t i = 0; i < n_keys; i++) {
                bool first = true;

                /* Sections in order of first appearance, each written once. */
                for (size_t j = 0; j < i && first; j++)
                        first = strcmp(schema[j].section, schema[i].section) != 0;
                if (!first)
                        continue;

                buf_appendf(&b, "\n[%s]\n", schema[i].section);
                for (size_t j = i; j < n_keys; j++) {
                        const struct config_key *k = &schema[j];

                        if (strcmp(k->section, schema[i].section) != 0)
                                continue;
                        if (k->doc)
                                buf_appendf(&b, "# %s\n", k->doc);
                        buf_appendf(&b, "# (%s", type_doc(k->type));
                        if (k->type == CONFIG_INT || k->type == CONFIG_SIZE ||
                            k->type == CONFIG_DURATION) {
                                if (k->max)
                                        buf_appendf(&b, ", %" PRId64 "..%" PRId64, k->min, k->max);
                                else if (k->min)
                                        buf_appendf(&b, ", at least %" PRId64, k->min);
                        }
                        buf_appendf(&b, ")\n#%s = %s\n", k->key, k->default_value ?: "");
                }
        }
        *out = buf_steal(&b);
        return 0;
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Yocto's SPDX 2.2 output for an image: a .tar.zst (create-spdx's
 * IMAGE.spdx.tar.zst) of per-recipe, per-package and image documents that
 * refer to each other through externalDocumentRefs. Every *.spdx.json
 * member is read in merge mode (spdx2-json.c) into one component set; the
 * roots are what the documents no other member refers to describe (the
 * image). Limits: SBOM_MAX_ARCHIVE_MEMBERS members, each at most
 * SBOM_MAX_BYTES, SBOM_MAX_ARCHIVE_EXPANDED in all (a zstd bomb stops
 * there). Places in errors are the member's name.
 */
#include <archive.h>
#include <archive_entry.h>
#include <stdio.h>
#include <string.h>

#include "core/cleanup.h"
#include "core/json.h"
#include "core/strutil.h"
#include "sbom/sbom-private.h"

static void archive_freep(struct archive **a) {
        if (*a)
                archive_read_free(*a);
}

static bool ends_with(const char *s, const char *suffix) {
        size_t n = strlen(s), m = strlen(suffix);
        return n >= m && strcmp(s + n - m, suffix) == 0;
}

int sbom_parse_yocto_archive(const char *label, const uint8_t *data, size_t len, struct sbom_doc *d,
                             struct error *err) {
        _cleanup_(archive_freep) struct archive *a = archive_read_new();
        archive_read_support_filter_zstd(a);
        archive_read_support_filter_none(a);
        archive_read_support_format_tar(a);
        if (archive_read_open_memory(a, data, len) != ARCHIVE_OK)
                return error_set(err, ERROR_INVALID, "%s: not a tar or .tar.zst archive: %s", label,
                                 archive_error_string(a) ? archive_error_string(a) : "unreadable");
        struct spdx2_member *members = NULL;
        size_t n_members = 0, expanded = 0, seen = 0;
        int rc = 0;
        struct archive_entry *e;
        for (;;) {
                int r = archive_read_next_header(a, &e);
                if (r == ARCHIVE_EOF)
                        break;
                if (r != ARCHIVE_OK && r != ARCHIVE_WARN) {
                        rc = error_set(err, ERROR_INVALID, "%s: after %zu members: the archive is damaged: %s", label,
                                       seen, archive_error_string(a) ? archive_error_string(a) : "read error");
                        break;
                }
                seen++;
                const char *name = archive_entry_pathname(e);
                char safe[200];
                str_sanitize(name ? name : "?", name ? strlen(name) : 1, safe, sizeof(safe));
                if (archive_entry_filetype(e) != AE_IFREG || !name || !ends_with(name, ".spdx.json"))
                        continue;
                if (n_members >= SBOM_MAX_ARCHIVE_MEMBERS) {
                        rc = error_set(err, ERROR_TOO_LARGE, "%s: more than %d SPDX documents", label,
                                       SBOM_MAX_ARCHIVE_MEMBERS);
                        break;
                }
                /* The declared size is only a claim: read with a cap. */
                struct buf b = { 0 };
                char chunk[65536];
                ssize_t got;
                while ((got = archive_read_data(a, chunk, sizeof(chunk))) > 0) {
                        expanded += (size_t) got;
                        if (b.len + (size_t) got > SBOM_MAX_BYTES || expanded > SBOM_MAX_ARCHIVE_EXPANDED) {
                                got = -2;
                                break;
                        }
                        buf_append(&b, chunk, (size_t) got);
                }
                if (got == -2) {
                        buf_free(&b);
                        rc = error_set(err, ERROR_TOO_LARGE,
                                       "%s: %s: too large (a member at most %u bytes, all at most %u bytes)", label,
                                       safe, SBOM_MAX_BYTES, SBOM_MAX_ARCHIVE_EXPANDED);
                        break;
                }
                if (got < 0) {
                        buf_free(&b);
                        rc = error_set(err, ERROR_INVALID, "%s: %s: cannot be read: %s", label, safe,
                                       archive_error_string(a) ? archive_error_string(a) : "read error");
                        break;
                }
                _cleanup_free_ char *member_label = str_printf("%s: %s", label, safe);
                _cleanup_free_ char *text = buf_steal(&b);
                _cleanup_json_ json_t *root =
                        cr_json_parse(member_label, text, strlen(text), SBOM_MAX_BYTES, SBOM_MAX_DEPTH, err);
                members = xrealloc(members, (n_members + 1) * sizeof(*members));
                memset(&members[n_members], 0, sizeof(*members));
                n_members++;
                if (!root || spdx2_json_read(member_label, root, d, &members[n_members - 1], err) < 0) {
                        rc = -1;
                        break;
                }
        }
        if (rc == 0 && n_members == 0)
                rc = error_set(err, ERROR_INVALID, "%s: the archive holds no *.spdx.json document (%zu members)", label,
                               seen);
        if (rc == 0) {
                d->members = n_members;
                _cleanup_json_ json_t *referred = json_object();
                for (size_t j = 0; j < n_members; j++)
                        for (size_t k = 0; k < members[j].refers_to.n; k++)
                                if (!str_eq(members[j].refers_to.v[k], members[j].namespace))
                                        json_object_set_new(referred, members[j].refers_to.v[k], json_true());
                for (size_t i = 0; i < n_members; i++) {
                        if (json_object_get(referred, members[i].namespace))
                                continue;
                        for (size_t k = 0; k < members[i].described.n; k++)
                                sbom_doc_add_root_ref(d, members[i].described.v[k]);
                }
                rc = sbom_doc_finish(d, label, err);
        }
        for (size_t i = 0; i < n_members; i++)
                spdx2_member_clear(&members[i]);
        free(members);
        return rc;
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The TUF metadata parser on arbitrary bytes, as every role type and as
 * "whatever _type says". Beyond "no crash, no leak, an error message on
 * refusal", it checks two properties of what is accepted:
 *  - the document Cradle would publish for it (tuf_metadata_serialize)
 *    parses again, to the same canonical "signed" bytes: what a client
 *    verifies does not depend on how the file was spelt;
 *  - a root's signatures can be counted against itself without crashing,
 *    whatever they contain.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/cleanup.h"
#include "tuf/metadata.h"
#include "tuf/verify.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_round_trip(const struct tuf_metadata *md) {
        _cleanup_free_ char *bytes = NULL, *signed1 = NULL, *signed2 = NULL;
        _cleanup_(tuf_metadata_freep) struct tuf_metadata *again = NULL;
        struct error err = { 0 };
        size_t len = 0, l1 = 0, l2 = 0;

        bytes = tuf_metadata_serialize(md->doc, &len, &err);
        if (!bytes)
                abort();
        if (tuf_metadata_parse("again", bytes, len, SIZE_MAX, md->type, &again, &err) < 0)
                abort();
        signed1 = tuf_metadata_signed_bytes(md, &l1, &err);
        signed2 = tuf_metadata_signed_bytes(again, &l2, &err);
        if (!signed1 || !signed2 || l1 != l2 || memcmp(signed1, signed2, l1) != 0)
                abort();
        if (again->version != md->version || again->expires != md->expires ||
            again->n_meta != md->n_meta || again->n_targets != md->n_targets)
                abort();
}

static void exercise(const struct tuf_metadata *md) {
        struct tuf_verify_result res;
        struct error err = { 0 };

        (void) tuf_metadata_find_meta(md, "snapshot.json");
        (void) tuf_metadata_find_meta(md, "targets.json");
        for (size_t i = 0; i < md->n_targets; i++)
                if (tuf_metadata_find_target(md, md->targets[i].path) != &md->targets[i])
                        abort();
        if (md->type == TUF_ROLE_ROOT) {
                (void) tuf_verify_role(md, TUF_ROLE_ROOT, md, &res, &err);
                if (!tuf_root_role_equal(md, md, TUF_ROLE_TARGETS))
                        abort();
        }
        check_round_trip(md);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        static const enum tuf_role roles[] = { TUF_ROLE_ANY, TUF_ROLE_ROOT, TUF_ROLE_TARGETS,
                                               TUF_ROLE_SNAPSHOT, TUF_ROLE_TIMESTAMP };
        bool parsed_any = false;

        for (size_t i = 0; i < sizeof(roles) / sizeof(roles[0]); i++) {
                _cleanup_(tuf_metadata_freep) struct tuf_metadata *md = NULL;
                struct error err = { 0 };

                if (tuf_metadata_parse("fuzz.json", (const char *) data, size, 256 * 1024, roles[i], &md,
                                       &err) < 0) {
                        if (!err.msg[0] || md)
                                abort();
                        continue;
                }
                /* A role-specific parse accepts exactly what ANY accepts with
                 * that _type. */
                if (roles[i] != TUF_ROLE_ANY && md->type != roles[i])
                        abort();
                if (roles[i] == TUF_ROLE_ANY) {
                        parsed_any = true;
                        exercise(md);
                } else if (!parsed_any) {
                        abort();
                }
        }
        return 0;
}

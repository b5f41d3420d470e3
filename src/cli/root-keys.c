/* SPDX-License-Identifier: Apache-2.0 */
#include "cli/root-keys.h"

#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "core/cleanup.h"
#include "core/json.h"
#include "core/strutil.h"
#include "tuf/keysep.h"
#include "tuf/metadata.h"

/* Refuses the first key of `keys` that `root` (named `what`) holds. */
static int against(const json_t *doc, const char *what, const struct cli_root_key *keys, size_t n) {
        _cleanup_tuf_metadata_ struct tuf_metadata *md = NULL;
        struct error err = { 0 };
        char roles[64];

        if (tuf_metadata_from_json(what, (json_t *) doc, TUF_ROLE_ROOT, &md, &err) < 0)
                return cli_error(CLI_EXIT_SERVER, "%s: %s", what, err.msg);
        for (size_t i = 0; i < n; i++)
                for (size_t j = 0; j < md->root.n_keys; j++)
                        if (tuf_key_same_public(keys[i].key, md->root.keys[j]))
                                return cli_error(CLI_EXIT_LOCAL,
                                                 "%s: key %s is a key of %s (%s, version %lld): the image "
                                                 "repository and the director must never share a key",
                                                 keys[i].what, tuf_key_id(keys[i].key), what,
                                                 tuf_role_mask_names(tuf_root_key_roles(md, md->root.keys[j]),
                                                                     roles, sizeof(roles)),
                                                 (long long) md->version);
        return CLI_EXIT_OK;
}

int cli_root_keys_check(struct cli_client *client, const char *side, const struct cli_root_key *keys, size_t n) {
        int r;

        if (str_eq(side, "image")) {
                _cleanup_json_ json_t *status = NULL;
                if ((r = cli_client_request(client, "GET", "/api/v1/director", NULL, &status)) != CLI_EXIT_OK)
                        return r;
                json_t *doc = json_object_get(json_object_get(status, "root"), "document");
                return json_is_object(doc) ? against(doc, "the director root", keys, n) : CLI_EXIT_OK;
        }
        _cleanup_json_ json_t *list = NULL;
        size_t i;
        json_t *item;
        if ((r = cli_client_request(client, "GET", "/api/v1/repos", NULL, &list)) != CLI_EXIT_OK)
                return r;
        json_array_foreach(json_object_get(list, "items"), i, item) {
                const char *model = json_string_value(json_object_get(item, "product"));
                if (!model)
                        continue;
                _cleanup_free_ char *esc = cli_client_escape(model);
                _cleanup_free_ char *path = str_printf("/repo/%s/root.json", esc);
                _cleanup_free_ char *what = str_printf("the image repository root of %s", model);
                _cleanup_json_ json_t *doc = NULL;
                if ((r = cli_client_request(client, "GET", path, NULL, &doc)) != CLI_EXIT_OK ||
                    (r = against(doc, what, keys, n)) != CLI_EXIT_OK)
                        return r;
        }
        return CLI_EXIT_OK;
}

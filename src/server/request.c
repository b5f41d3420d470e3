/* SPDX-License-Identifier: Apache-2.0 */
#include "request.h"

#include <string.h>
#include <strings.h>

bool http_content_type_is_json(const char *content_type) {
        static const char json[] = "application/json";
        if (!content_type)
                return false;
        while (*content_type == ' ' || *content_type == '\t')
                content_type++;
        if (strncasecmp(content_type, json, sizeof(json) - 1) != 0)
                return false;
        const char *rest = content_type + sizeof(json) - 1;
        while (*rest == ' ' || *rest == '\t')
                rest++;
        return *rest == '\0' || *rest == ';';
}

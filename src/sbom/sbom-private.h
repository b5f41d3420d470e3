/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/*
 * What the SPDX 2 readers share inside src/sbom: the relationship mapping,
 * the supplier and licence conventions, and the merge mode the Yocto
 * archive reader uses (references qualified by document namespace).
 */
#include <jansson.h>
#include <stdbool.h>

#include "sbom/sbom.h"

/* One SPDX 2 document merged into a larger set: every SPDXID becomes
 * "<documentNamespace>#<SPDXID>" and "DocumentRef-X:SPDXRef-Y" is resolved
 * through the document's externalDocumentRefs. The document's described
 * elements (qualified) and the namespaces it refers to are returned so the
 * archive reader can tell the image document (referred to by none) from the
 * recipe and package documents. */
struct spdx2_member {
        struct sbom_strv described;
        struct sbom_strv refers_to;
        char *namespace;
};
void spdx2_member_clear(struct spdx2_member *m);

/* Reads one parsed SPDX 2 JSON document into d (without finishing it).
 * member NULL = a standalone document. */
int spdx2_json_read(const char *label, json_t *root, struct sbom_doc *d, struct spdx2_member *member,
                    struct error *err);

/* "A DEPENDS_ON B" and friends, as a dependency edge: returns true with
 * *reverse set when the type is one (B_DEPENDENCY_OF A reverses). CONTAINS
 * counts: an image contains its packages. */
bool spdx2_relationship_edge(const char *type, bool *reverse);
/* "Organization: ACME (x@y)" -> "ACME"; NOASSERTION/NONE -> NULL (caller frees). */
char *spdx2_agent_name(const char *v);
/* NOASSERTION / NONE / empty -> false. */
bool spdx2_value_given(const char *v);
/* "http://spdx.org/rdf/references/cpe23Type" -> "cpe23Type" */
const char *spdx2_ref_type(const char *t);

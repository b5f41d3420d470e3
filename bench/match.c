/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Matching benchmark (issue 9 §6; not a test, prints figures): one SBOM of
 * 2,000 components against a synthetic set of 250,000 affected entries held
 * in memory, shaped like the feeds: 200,000 NVD 2.0 configurations (one OR
 * node of 1-4 cpeMatch with version ranges, the odd AND with a "running on"
 * platform) over 20,000 vendor:product keys with a skewed popularity (one
 * key, linux:linux_kernel, gets 5% of them as in the real feed), and 50,000
 * OSV affected entries (ECOSYSTEM/SEMVER ranges) over 10,000 purl keys.
 * Candidates come from a key index, as the store's (kind, match_key) index
 * gives them; each candidate pair goes through vuln_match_entry with its
 * explanation built and freed. The store-backed figure is the findings
 * engine's benchmark, not this one.
 *   bench-match [--entries N] [--components N] [--dump FILE]
 * --dump writes the entries as JSON lines (the bytes bench/match.sh hashes
 * as its reference).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "core/cleanup.h"
#include "core/strutil.h"
#include "vuln/match.h"

static uint64_t rng = 0x9e3779b97f4a7c15ull;
static uint32_t rnd(void) {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        return (uint32_t) (rng >> 16);
}
static double now(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}
/* CPU time too: on a shared machine the wall clock measures the neighbours */
static double cpu(void) {
        struct timespec ts;
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
        return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}
/* skewed: low indexes are popular */
static unsigned skewed(unsigned n) {
        double u = (double) rnd() / 65536.0 / 65536.0;
        return (unsigned) (n * u * u * u) % n;
}

#define NVD_KEYS 20000
#define OSV_KEYS 10000

static char *version3(unsigned major_max) {
        return str_printf("%u.%u.%u", rnd() % major_max, rnd() % 20, rnd() % 40);
}

static json_t *nvd_config(unsigned key) {
        _cleanup_free_ char *vendor = key == 0 ? str_dup("linux") : str_printf("vendor%u", key);
        _cleanup_free_ char *product = key == 0 ? str_dup("linux_kernel") : str_printf("product%u", key);
        json_t *matches = json_array();
        unsigned n = 1 + rnd() % 4;
        for (unsigned i = 0; i < n; i++) {
                _cleanup_free_ char *crit = str_printf("cpe:2.3:%c:%s:%s:*:*:*:*:*:*:*:*", key == 0 ? 'o' : 'a', vendor, product);
                _cleanup_free_ char *lo = version3(6), *hi = str_printf("%u.%u.%u", 6 + rnd() % 3, rnd() % 20, rnd() % 40);
                json_array_append_new(matches, json_pack("{s:b, s:s, s:s, s:s}", "vulnerable", 1, "criteria", crit,
                                                         "versionStartIncluding", lo, "versionEndExcluding", hi));
        }
        json_t *nodes = json_pack("[{s:s, s:b, s:o}]", "operator", "OR", "negate", 0, "cpeMatch", matches);
        if (rnd() % 10 == 0) /* a "running on" platform */
                json_array_append_new(nodes, json_pack("{s:s, s:b, s:[{s:b, s:s}]}", "operator", "OR", "negate", 0, "cpeMatch",
                                                       "vulnerable", 0, "criteria", "cpe:2.3:h:acme:board:-:*:*:*:*:*:*:*"));
        return json_array_size(nodes) > 1 ? json_pack("{s:s, s:o}", "operator", "AND", "nodes", nodes)
                                          : json_pack("{s:o}", "nodes", nodes);
}

static const char *const ecosystems[] = {"Debian:12", "PyPI", "npm", "Go", "Maven", "Alpine:v3.19"};
static const char *const purl_types[] = {"deb/debian", "pypi", "npm", "golang/example.com", "maven/org.example", "apk/alpine"};

static json_t *osv_affected(unsigned key) {
        unsigned e = key % 6;
        _cleanup_free_ char *name = str_printf("pkg%u", key);
        _cleanup_free_ char *intro = version3(3), *fixed = str_printf("%u.%u.%u", 3 + rnd() % 3, rnd() % 20, rnd() % 40);
        if (e == 0) { /* Debian revision */
                char *f2 = str_printf("%s-%u+deb12u%u", fixed, 1 + rnd() % 3, 1 + rnd() % 5);
                free(fixed);
                fixed = f2;
        } else if (e == 5) {
                char *f2 = str_printf("%s-r%u", fixed, rnd() % 5);
                free(fixed);
                fixed = f2;
        }
        if (e == 4) {
                char *n2 = str_printf("org.example:%s", name);
                free(name);
                name = n2;
        } else if (e == 3) {
                char *n2 = str_printf("example.com/%s", name);
                free(name);
                name = n2;
        }
        return json_pack("{s:{s:s, s:s}, s:[{s:s, s:[{s:s}, {s:s}]}]}", "package", "ecosystem", ecosystems[e], "name", name,
                         "ranges", "type", e == 3 ? "SEMVER" : "ECOSYSTEM", "events", "introduced", intro, "fixed", fixed);
}

int main(int argc, char **argv) {
        unsigned n_entries = 250000, n_components = 2000;
        const char *dump = NULL;
        for (int i = 1; i < argc; i++) {
                if (!strcmp(argv[i], "--entries") && i + 1 < argc) n_entries = (unsigned) atoi(argv[++i]);
                else if (!strcmp(argv[i], "--components") && i + 1 < argc) n_components = (unsigned) atoi(argv[++i]);
                else if (!strcmp(argv[i], "--dump") && i + 1 < argc) dump = argv[++i];
                else {
                        fprintf(stderr, "usage: bench-match [--entries N] [--components N] [--dump FILE]\n");
                        return 2;
                }
        }
        unsigned n_osv = n_entries / 5, n_nvd = n_entries - n_osv;

        double t0 = now();
        json_t **entries = xcalloc(n_entries, sizeof *entries);
        const char **kinds = xcalloc(n_entries, sizeof *kinds);
        json_t *index = json_object(); /* "kind|key" -> [entry numbers] */
        for (unsigned i = 0; i < n_entries; i++) {
                bool nvd = i < n_nvd;
                unsigned key = nvd ? (rnd() % 20 == 0 ? 0 : 1 + skewed(NVD_KEYS - 1)) : skewed(OSV_KEYS);
                entries[i] = nvd ? nvd_config(key) : osv_affected(key);
                kinds[i] = nvd ? "cpe" : "purl";
                _cleanup_free_ char *k = NULL;
                if (nvd) {
                        k = key == 0 ? str_dup("cpe|linux:linux_kernel") : str_printf("cpe|vendor%u:product%u", key, key);
                } else {
                        json_t *pkg = json_object_get(entries[i], "package");
                        char *mk = NULL;
                        if (vuln_osv_package_match_key(json_string_value(json_object_get(pkg, "ecosystem")),
                                                       json_string_value(json_object_get(pkg, "name")), NULL, &mk, NULL) != 0)
                                abort();
                        k = str_printf("purl|%s", mk);
                        free(mk);
                }
                json_t *list = json_object_get(index, k);
                if (!list) json_object_set_new(index, k, list = json_array());
                json_array_append_new(list, json_integer(i));
        }
        double t1 = now();
        if (dump) {
                FILE *f = fopen(dump, "w");
                if (!f) {
                        perror(dump);
                        return 1;
                }
                for (unsigned i = 0; i < n_entries; i++) {
                        json_dumpf(entries[i], f, JSON_COMPACT);
                        fputc('\n', f);
                }
                fclose(f);
        }

        /* The SBOM: Buildroot/Yocto-like CPE components (60%, one of them the
         * kernel), distro and language purls (30%), name-only (10%). */
        struct vuln_component *comps = xcalloc(n_components, sizeof *comps);
        char **owned = xcalloc(n_components * 3, sizeof *owned);
        for (unsigned i = 0; i < n_components; i++) {
                unsigned r = rnd() % 10;
                char **o = &owned[i * 3];
                if (i == 0 || r < 6) {
                        unsigned key = i == 0 ? 0 : 1 + skewed(NVD_KEYS - 1);
                        o[0] = version3(9);
                        o[1] = key == 0 ? str_printf("cpe:2.3:o:linux:linux_kernel:%s:*:*:*:*:*:*:*", o[0])
                                        : str_printf("cpe:2.3:a:vendor%u:product%u:%s:*:*:*:*:*:*:*", key, key, o[0]);
                        comps[i].name = key == 0 ? "linux" : "component";
                        comps[i].cpes = (const char *const *) &o[1];
                        comps[i].ncpes = 1;
                } else if (r < 9) {
                        unsigned key = skewed(OSV_KEYS), e = key % 6;
                        o[0] = version3(6);
                        if (e == 0) {
                                char *v = str_printf("%s-%u+deb12u%u", o[0], 1 + rnd() % 3, rnd() % 5);
                                free(o[0]);
                                o[0] = v;
                        } else if (e == 5) {
                                char *v = str_printf("%s-r%u", o[0], rnd() % 5);
                                free(o[0]);
                                o[0] = v;
                        }
                        o[1] = str_printf("pkg:%s/pkg%u@%s%s", purl_types[e], key, e == 3 ? "v" : "", o[0]);
                        if (e == 0) {
                                char *p = str_printf("%s?distro=debian-12", o[1]);
                                free(o[1]);
                                o[1] = p;
                        } else if (e == 5) {
                                char *p = str_printf("%s?distro=alpine-3.19.1", o[1]);
                                free(o[1]);
                                o[1] = p;
                        }
                        comps[i].name = "package";
                        comps[i].purls = (const char *const *) &o[1];
                        comps[i].npurls = 1;
                } else {
                        unsigned key = 1 + skewed(NVD_KEYS - 1);
                        o[0] = version3(9);
                        o[2] = str_printf("product%u", key);
                        comps[i].name = o[2];
                }
                comps[i].version = o[0];
        }

        double t2 = now(), c2 = cpu();
        unsigned long pairs = 0, matched = 0, by_name = 0, unevaluable = 0, errors = 0;
        for (unsigned i = 0; i < n_components; i++) {
                const struct vuln_component *c = &comps[i];
                char *keys[2] = {NULL, NULL};
                if (c->ncpes) {
                        char *k = NULL;
                        if (vuln_ident_match_key("cpe", c->cpes[0], &k, NULL) == 0 && k) keys[0] = str_printf("cpe|%s", k);
                        free(k);
                } else if (c->npurls) {
                        char *k = NULL;
                        if (vuln_ident_match_key("purl", c->purls[0], &k, NULL) == 0 && k) keys[0] = str_printf("purl|%s", k);
                        free(k);
                } else {
                        /* name_key lookup: the CPE product (vuln_affected.name_key) */
                        char *n = vuln_name_match_key(c->name);
                        unsigned key = (unsigned) atoi(n + strlen("product"));
                        keys[0] = str_printf("cpe|vendor%u:%s", key, n);
                        free(n);
                }
                for (int k = 0; k < 2 && keys[k]; k++) {
                        json_t *list = json_object_get(index, keys[k]);
                        size_t j;
                        json_t *ix;
                        json_array_foreach(list, j, ix) {
                                size_t e = (size_t) json_integer_value(ix);
                                enum vuln_match_result r;
                                json_t *expl = NULL;
                                pairs++;
                                if (vuln_match_entry(c, kinds[e], entries[e], &r, &expl, NULL) != 0) {
                                        errors++;
                                        continue;
                                }
                                if (r == VULN_MATCH_PURL || r == VULN_MATCH_CPE || r == VULN_MATCH_NAME) matched++;
                                if (r == VULN_MATCH_NAME) by_name++;
                                if (r == VULN_MATCH_UNEVALUABLE) unevaluable++;
                                json_decref(expl);
                        }
                        free(keys[k]);
                }
        }
        double t3 = now(), c3 = cpu();

        printf("entries: %u (%u NVD configurations, %u OSV affected), built and indexed in %.2f s, %zu keys\n", n_entries,
               n_nvd, n_osv, t1 - t0, json_object_size(index));
        printf("sbom: %u components; %lu candidate pairs evaluated, %lu matches (%lu low-confidence by name), "
               "%lu unevaluable, %lu errors\n", n_components, pairs, matched, by_name, unevaluable, errors);
        printf("matching: %.3f s wall, %.3f s CPU for the SBOM: %.0f components/s, %.0f candidate pairs/s per CPU second "
               "(each with its explanation)\n",
               t3 - t2, c3 - c2, n_components / (c3 - c2), pairs / (c3 - c2));

        for (unsigned i = 0; i < n_entries; i++) json_decref(entries[i]);
        for (unsigned i = 0; i < n_components * 3; i++) free(owned[i]);
        free(owned);
        free(comps);
        free(entries);
        free(kinds);
        json_decref(index);
        return errors ? 1 : 0;
}

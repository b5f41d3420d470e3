#!/usr/bin/env python3
"""Writes a synthetic NVD CVE API 2.0 feed of N records (bench/vuln-import.sh).

Shaped like the real yearly files: the same header (format NVD_CVE, version
2.0), and per CVE an English and a Spanish description, a Primary CVSS v3.1
metric, a CWE, one or two configurations (one with a "running on" AND node),
and references. Written record by record, so the generator's own memory stays
small. Deterministic for a given N and --seed.

  bench/gen-nvd.py N OUT [--seed S] [--modified-suffix X]
"""
import json
import random
import sys


def record(i, rng, modified):
    vendor = "vendor%d" % (i % 5000)
    product = "product%d" % (i % 20000)
    cve = "CVE-%d-%05d" % (2000 + i % 25, i)
    av = rng.choice("NALP")
    c, ii, a = rng.choice("HLN"), rng.choice("HLN"), rng.choice("HLN")
    vector = "CVSS:3.1/AV:%s/AC:L/PR:N/UI:N/S:U/C:%s/I:%s/A:%s" % (av, c, ii, a)
    configs = [{"nodes": [{"operator": "OR", "negate": False, "cpeMatch": [
        {"vulnerable": True, "criteria": "cpe:2.3:a:%s:%s:*:*:*:*:*:*:*:*" % (vendor, product),
         "versionStartIncluding": "1.%d" % (i % 7), "versionEndExcluding": "2.%d.%d" % (i % 9, i % 13),
         "matchCriteriaId": "%08X-0000-4000-8000-%012X" % (i, i)}]}]}]
    if i % 3 == 0:
        configs.append({"operator": "AND", "nodes": [
            {"operator": "OR", "negate": False, "cpeMatch": [
                {"vulnerable": True, "criteria": "cpe:2.3:o:%s:%s_firmware:-:*:*:*:*:*:*:*" % (vendor, product),
                 "matchCriteriaId": "%08X-0001-4000-8000-%012X" % (i, i)}]},
            {"operator": "OR", "negate": False, "cpeMatch": [
                {"vulnerable": False, "criteria": "cpe:2.3:h:%s:%s:-:*:*:*:*:*:*:*" % (vendor, product),
                 "matchCriteriaId": "%08X-0002-4000-8000-%012X" % (i, i)}]}]})
    return {"cve": {
        "id": cve, "sourceIdentifier": "cve@mitre.org",
        "published": "2024-%02d-%02dT10:15:%02d.123" % (1 + i % 12, 1 + i % 28, i % 60),
        "lastModified": modified, "vulnStatus": "Analyzed", "cveTags": [],
        "descriptions": [
            {"lang": "en", "value": "A buffer overflow in %s %s before 2.%d allows remote attackers to execute "
                                     "arbitrary code via a crafted request (synthetic record %d)." % (vendor, product, i % 9, i)},
            {"lang": "es", "value": "Un desbordamiento de b\u00fafer en %s %s (registro sint\u00e9tico %d)." % (vendor, product, i)}],
        "metrics": {"cvssMetricV31": [{"source": "nvd@nist.gov", "type": "Primary", "cvssData": {
            "version": "3.1", "vectorString": vector, "baseScore": 7.5, "baseSeverity": "HIGH",
            "attackVector": "NETWORK", "attackComplexity": "LOW", "privilegesRequired": "NONE",
            "userInteraction": "NONE", "scope": "UNCHANGED", "confidentialityImpact": "HIGH",
            "integrityImpact": "NONE", "availabilityImpact": "NONE"},
            "exploitabilityScore": 3.9, "impactScore": 3.6}]},
        "weaknesses": [{"source": "nvd@nist.gov", "type": "Primary",
                        "description": [{"lang": "en", "value": "CWE-%d" % (20 + i % 800)}]}],
        "configurations": configs,
        "references": [{"url": "https://%s.example/advisories/%d" % (vendor, i), "source": "cve@mitre.org",
                        "tags": ["Vendor Advisory"]},
                       {"url": "https://github.com/%s/%s/commit/%040x" % (vendor, product, i), "source": "cve@mitre.org",
                        "tags": ["Patch"]}]}}


def main():
    args = sys.argv[1:]
    seed, suffix = 1, ""
    if "--seed" in args:
        k = args.index("--seed"); seed = int(args[k + 1]); del args[k:k + 2]
    if "--modified-suffix" in args:
        k = args.index("--modified-suffix"); suffix = args[k + 1]; del args[k:k + 2]
    n, out = int(args[0]), args[1]
    rng = random.Random(seed)
    with open(out, "w", encoding="utf-8") as f:
        f.write('{\n  "resultsPerPage": %d,\n  "startIndex": 0,\n  "totalResults": %d,\n  "format": "NVD_CVE",\n'
                '  "version": "2.0",\n  "timestamp": "2026-12-05T00:00:00.000",\n  "vulnerabilities": [\n' % (n, n))
        for i in range(n):
            if i:
                f.write(",\n")
            f.write("    " + json.dumps(record(i, rng, "2026-11-30T12:00:00.000" + suffix), ensure_ascii=False))
        f.write("\n  ]\n}\n")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Counts the components each CycloneDX SBOM identifies correctly against the truth: the Maven coordinates
(group:artifact:version) of the jars in the war's WEB-INF/lib, as `mvn dependency:list` resolved them for the
project that built it. A component counts when its purl names one of them exactly (qualifiers ignored).

usage: sbom-compare.py DEPENDENCY-LIST.txt WAR NAME=BOM.json...
"""
import json
import re
import sys
import urllib.parse
import zipfile


def truth(dependency_list, war):
    coords = {}
    for line in open(dependency_list, encoding="utf-8"):
        m = re.match(r"^\s+([\w.\-]+):([\w.\-]+):(jar|war)(?::([\w.\-]+))?:([\w.\-+]+):(compile|runtime)\b", line)
        if m:
            g, a, _, classifier, v, _ = m.groups()
            coords[(a, v, classifier)] = (g, a, v)
    libs = [n for n in zipfile.ZipFile(war).namelist() if n.startswith("WEB-INF/lib/") and n.endswith(".jar")]
    expected = set()
    for lib in libs:
        file = lib.rsplit("/", 1)[1][:-4]
        hit = [c for (a, v, cl), c in coords.items() if file == f"{a}-{v}" + (f"-{cl}" if cl else "")]
        if not hit:
            sys.exit(f"{lib} is not in the dependency list: the truth is incomplete")
        expected.add(hit[0])
    return expected, len(libs)


def identified(bom_path):
    bom = json.load(open(bom_path, encoding="utf-8"))
    found = set()

    def walk(components):
        for c in components or []:
            purl = c.get("purl", "")
            m = re.match(r"^pkg:maven/([^/]+)/([^@?]+)@([^?#]+)", purl)
            if m:
                found.add(tuple(urllib.parse.unquote(x) for x in m.groups()))
            walk(c.get("components"))

    walk(bom.get("components"))
    return found


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    expected, jars = truth(sys.argv[1], sys.argv[2])
    print(f"truth: {jars} jars in WEB-INF/lib, {len(expected)} distinct Maven coordinates")
    print("| tool | components with a Maven purl | correctly identified jars | missed |")
    print("|---|---|---|---|")
    for arg in sys.argv[3:]:
        name, path = arg.split("=", 1)
        found = identified(path)
        hits = expected & found
        missed = sorted(":".join(c) for c in expected - found)
        print(f"| {name} | {len(found)} | {len(hits)} / {len(expected)} | {len(missed)}"
              + (f" (e.g. {', '.join(missed[:3])})" if missed else "") + " |")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Recall and false positives of secretlint's findings on `git log -p` of the labelled corpus.

usage: secrets-compare.py LABELS LOG.patch SECRETLINT.json
A secretlint message is a true positive when the line it is on carries a planted secret (literally, or in a base64
token that decodes to a line carrying it); any other message is a false positive (counted once per line)."""
import base64
import json
import re
import sys

labels_file, log_file, report_file = sys.argv[1:4]
plants = []
for line in open(labels_file, encoding="utf-8"):
    kind, path, fp, value = line.rstrip("\n").split("\t")
    # a private key's first body line; at most 16 characters, as git truncates the text of hunk headers
    first = value.split("\\n")[0][:16]
    plants.append((kind, path, fp, first))
lines = open(log_file, encoding="utf-8", errors="replace").read().split("\n")
b64 = re.compile(r"[A-Za-z0-9+/]{24,}={0,2}")
on_line = {}
for i, text in enumerate(lines, 1):
    # any line of the log: added, removed, context and hunk-header lines all repeat the planted text
    decoded = []
    for tok in b64.findall(text):
        try:
            decoded.append(base64.b64decode(tok + "=" * (-len(tok) % 4)).decode("utf-8"))
        except Exception:
            pass
    for n, (_, _, _, value) in enumerate(plants):
        if value in text or any(value in d for d in decoded):
            on_line.setdefault(i, set()).add(n)
report = json.load(open(report_file, encoding="utf-8"))
found, fp_lines = set(), set()
for result in report:
    for m in result.get("messages", []):
        line = m.get("loc", {}).get("start", {}).get("line")
        if line is None:
            continue
        hits = on_line.get(line)
        # a multi-line match (a private key) starts on the BEGIN line: the body is on the next one
        if not hits and line + 1 in on_line and "PRIVATE KEY" in lines[line - 1]:
            hits = on_line[line + 1]
        if hits:
            found |= hits
        else:
            fp_lines.add(line)
kinds_missed = sorted({plants[n][0] for n in range(len(plants)) if n not in found})
print("bench=secretlint planted=%d found=%d recall=%.3f false_positives=%d missed_kinds=%s"
      % (len(plants), len(found), len(found) / len(plants), len(fp_lines), ",".join(kinds_missed)))

#!/usr/bin/env python3
"""Writes a git fast-import stream of a large, realistically shaped history to stdout.

Shape: Conventional Commits with scopes, bodies, ticket footers and PR numbers; a pull request merged
with a merge commit every 20 commits; an annotated release tag every 250 commits except in the last
UNRELEASED commits; several authors. Deterministic for a given seed.
Usage: gen-history.py COMMITS [UNRELEASED] [SEED] | git fast-import
"""
import random
import sys

n = int(sys.argv[1])
unreleased = int(sys.argv[2]) if len(sys.argv) > 2 else 2000
rnd = random.Random(int(sys.argv[3]) if len(sys.argv) > 3 else 42)
next_tag = 250
types = [("feat", 20), ("fix", 30), ("chore", 12), ("docs", 8), ("refactor", 10), ("test", 10), ("perf", 5), ("ci", 5)]
scopes = ["api", "ledger", "store", "auth", "billing", "ui", "build", "deps", None, None]
words = ("add handle reject retry cache stream parse render validate refund settle audit rotate index compact "
         "timeout limit currency amount ledger token session export import report schema").split()
authors = [("Alice Example", "alice@example.com"), ("Bob Example", "bob@example.com"),
           ("Carol Example", "carol@example.com"), ("Dan Example", "dan@example.com")]
out = sys.stdout.buffer
t = 1_600_000_000


def data(s):
    b = s.encode()
    out.write(b"data %d\n" % len(b))
    out.write(b)
    out.write(b"\n")


def message(i):
    typ = rnd.choices([t for t, _ in types], [w for _, w in types])[0]
    scope = rnd.choice(scopes)
    breaking = "!" if rnd.random() < 0.01 else ""
    desc = " ".join(rnd.choice(words) for _ in range(rnd.randint(3, 8)))
    head = f"{typ}({scope}){breaking}: {desc}" if scope else f"{typ}{breaking}: {desc}"
    if rnd.random() < 0.3:
        head += f" (#{1000 + i})"
    body = "\n".join(" ".join(rnd.choice(words) for _ in range(10)) for _ in range(rnd.randint(0, 3)))
    footers = [f"Refs: PAY-{rnd.randint(1, 9999)}"]
    if rnd.random() < 0.05:
        footers.append("Risk: medium")
    if breaking:
        footers.append("BREAKING CHANGE: " + desc)
    return head + ("\n\n" + body if body else "") + "\n\n" + "\n".join(footers) + "\n"


mark = 0
main = None
version = [1, 0, 0]
i = 0
while i < n:
    t += rnd.randint(60, 7200)
    name, email = rnd.choice(authors)
    if i % 20 == 19 and main is not None:
        # a pull request: one commit on a side branch, then a merge commit on main
        mark += 1
        side = mark
        out.write(b"commit refs/heads/pr\nmark :%d\n" % side)
        out.write(f"author {name} <{email}> {t} +0000\ncommitter {name} <{email}> {t} +0000\n".encode())
        data(message(i))
        out.write(b"from :%d\n" % main)
        out.write(f"M 644 inline src/file{i % 500}.txt\n".encode())
        data(f"change {i}\n")
        i += 1
        mark += 1
        out.write(b"commit refs/heads/main\nmark :%d\n" % mark)
        out.write(f"author {name} <{email}> {t + 1} +0000\ncommitter {name} <{email}> {t + 1} +0000\n".encode())
        data(f"Merge pull request #{2000 + i} from team/pr-{i}\n")
        out.write(b"from :%d\nmerge :%d\n" % (main, side))
        main = mark
        i += 1
    else:
        mark += 1
        out.write(b"commit refs/heads/main\nmark :%d\n" % mark)
        out.write(f"author {name} <{email}> {t} +0000\ncommitter {name} <{email}> {t} +0000\n".encode())
        data(message(i))
        if main is not None:
            out.write(b"from :%d\n" % main)
        out.write(f"M 644 inline src/file{i % 500}.txt\n".encode())
        data(f"change {i}\n")
        main = mark
        i += 1
    if i >= next_tag and i <= n - unreleased:
        next_tag += 250
        version[1] += 1
        out.write(f"tag v{version[0]}.{version[1]}.{version[2]}\nfrom :{main}\n".encode())
        out.write(f"tagger Release CI <ci@example.com> {t + 2} +0000\n".encode())
        data(f"release v{version[0]}.{version[1]}.{version[2]}\n")
out.write(b"reset refs/heads/pr\nfrom 0000000000000000000000000000000000000000\n")

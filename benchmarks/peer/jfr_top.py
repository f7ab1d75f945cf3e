#!/usr/bin/env python3
"""Summarises a JFR recording's execution samples: top frames by self time and by inclusive time.

usage: jfr_top.py RECORDING.jfr [--top 12] [--filter org.deqsweep]
Runs `jfr print --json --events jdk.ExecutionSample` and counts, per method, the samples where it is
the top frame (self) and the samples where it appears anywhere in the stack (inclusive).
"""
import argparse
import collections
import json
import subprocess
import sys


def main(argv):
    ap = argparse.ArgumentParser()
    ap.add_argument("jfr")
    ap.add_argument("--top", type=int, default=12)
    ap.add_argument("--filter", default="org.deqsweep", help="prefix of frames listed in the inclusive table")
    a = ap.parse_args(argv)
    raw = subprocess.run(["jfr", "print", "--json", "--stack-depth", "64", "--events", "jdk.ExecutionSample", a.jfr],
                         check=True, capture_output=True, text=True).stdout
    events = json.loads(raw)["recording"]["events"]
    self_c = collections.Counter()
    incl = collections.Counter()
    total = 0
    for e in events:
        frames = e["values"]["stackTrace"]["frames"] if e["values"].get("stackTrace") else []
        if not frames:
            continue
        total += 1
        names = [f["method"]["type"]["name"].replace("/", ".") + "." + f["method"]["name"] for f in frames]
        self_c[names[0]] += 1
        for nm in set(names):
            if nm.startswith(a.filter):
                incl[nm] += 1
    print("samples: %d" % total)
    print("\n| self % | top frame |\n|---:|---|")
    for nm, c in self_c.most_common(a.top):
        print("| %.1f | `%s` |" % (100.0 * c / total, nm))
    print("\n| inclusive %% | %s frame |\n|---:|---|" % a.filter)
    for nm, c in incl.most_common(a.top):
        print("| %.1f | `%s` |" % (100.0 * c / total, nm))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

#!/usr/bin/env python3
"""`forge-ls check` of two (or more) builds on one folder, run in turn, so that a machine whose
speed drifts from minute to minute slows them alike. Prints, per build, the wall-clock time (min,
first quartile, median) and the CPU time (user + system, min and median) of N runs each.

  usage: tests/bench/check-ab.py DIR BIN_A BIN_B [BIN...]   (RUNS=N, default 15)

Run it in DIR's parent or anywhere: `check` is given DIR as is. The output of `check` is discarded;
compare it separately (`cmp`) when a change must not alter the findings.
"""
import os
import resource
import statistics
import subprocess
import sys
import time


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    folder, bins = sys.argv[1], sys.argv[2:]
    runs = int(os.environ.get("RUNS", "15"))
    wall = {b: [] for b in bins}
    cpu = {b: [] for b in bins}
    for _ in range(runs):
        for b in bins:
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            start = time.perf_counter()
            subprocess.run([b, "check", "--format", "json", folder],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            wall[b].append(time.perf_counter() - start)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu[b].append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    for b in bins:
        w, c = sorted(wall[b]), sorted(cpu[b])
        print(f"{b}: wall min {w[0]:.3f} s, p25 {w[len(w) // 4]:.3f} s, median "
              f"{statistics.median(w):.3f} s | cpu min {c[0]:.3f} s, median {statistics.median(c):.3f} s")


if __name__ == "__main__":
    main()

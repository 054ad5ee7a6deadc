#!/usr/bin/env python3
"""The cost of the default run id and checkpoint (issue 17).

Runs the same `assay eval` (schema-drift + cost-per-row, input and result
file) in interleaved rounds: the default (a fresh run id, its checkpoint and
the history), `--no-history` (no state file touched), and `--no-history
--run-id ID` (the checkpoint alone). Prints each variant's median wall time,
the ratios, and the load average before and after.

Build first: `cargo build --release && target/release/assay judge build --all`.
Usage: bench/resume.py --input IN --output OUT [--pairs 5] [--dir /tmp/resume-bench]
"""

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED = os.environ.get("ASSAY_SHARED", os.path.join(os.path.dirname(ROOT), "shared", "bench"))


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--input", required=True)
    ap.add_argument("--output", required=True)
    ap.add_argument("--pairs", type=int, default=5)
    ap.add_argument("--dir", default="/tmp/resume-bench")
    a = ap.parse_args()
    shutil.rmtree(a.dir, ignore_errors=True)
    os.makedirs(a.dir)
    exe = os.path.join(ROOT, "target", "release", "assay")
    env = dict(os.environ, ASSAY_CACHE_DIR=os.path.join(a.dir, "cache"))
    env.pop("ASSAY_STATE", None)
    base = [
        exe, "eval", "--input", a.input, "--results", a.output,
        "--judge", "schema-drift",
        "--set", "schema-drift.schema=@" + os.path.join(SHARED, "schema.json"),
        "--judge", "cost-per-row",
        "--plugin-dir", os.path.join(ROOT, "target", "judges"),
        "--quiet", "--format", "json",
        "--state", os.path.join(a.dir, "state.db"),
    ]
    n = [0]

    def variants():
        n[0] += 1
        return {
            "default": [],
            "no-history": ["--no-history"],
            "checkpoint only": ["--no-history", "--run-id", f"bench-{n[0]}"],
        }

    def run(extra):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t = time.perf_counter()
        p = subprocess.run(base + extra, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        took = time.perf_counter() - t
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        if p.returncode not in (0, 1):
            sys.exit(f"assay exited {p.returncode}: {p.stderr.decode()[-2000:]}")
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        return took, cpu

    for extra in variants().values():  # warm the compile cache and page cache
        run(extra)
    load_before = os.getloadavg()
    times = {k: [] for k in variants()}
    cpus = {k: [] for k in variants()}
    for _ in range(a.pairs):
        for k, extra in variants().items():
            took, cpu = run(extra)
            times[k].append(took)
            cpus[k].append(cpu)
    load_after = os.getloadavg()
    med = {k: statistics.median(v) for k, v in times.items()}
    cmed = {k: statistics.median(v) for k, v in cpus.items()}
    for k, v in times.items():
        print(f"{k:16} wall median {med[k]:.3f} s, cpu (user+sys) median {cmed[k]:.3f} s; "
              f"wall {' '.join(f'{x:.3f}' for x in v)}")
    for k in ("default", "checkpoint only"):
        print(f"{k} / no-history: wall {med[k] / med['no-history']:.3f}, "
              f"cpu {cmed[k] / cmed['no-history']:.3f}")
    print(f"load average before {load_before[0]:.2f} {load_before[1]:.2f} {load_before[2]:.2f}, "
          f"after {load_after[0]:.2f} {load_after[1]:.2f} {load_after[2]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

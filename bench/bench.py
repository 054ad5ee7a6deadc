#!/usr/bin/env python3
"""assay benchmark: rows/s and peak RSS of `assay eval` against the two Python
baselines in ../shared/bench/peers, on the same synthetic files, in the same run.

Usage: bench/bench.py [--rows 100000,1000000] [--repeat 3] [--skip-plain-above 200000]

Figures are reported as ratios against the baselines measured in this run,
because absolute times drift between (shared, noisy) machines.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
SHARED = os.environ.get("ASSAY_SHARED", os.path.join(os.path.dirname(ROOT), "shared", "bench"))
OUT = os.path.join(HERE, "out")
ASSAY = os.path.join(ROOT, "target", "release", "assay")


def run(cmd, **kw):
    """Runs cmd, returns (wall seconds, peak RSS MiB, stdout)."""
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kw)
    out = p.stdout.read()
    err = p.stderr.read()
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.perf_counter() - t0
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 1):
        sys.exit("command failed (%d): %s\n%s" % (code, " ".join(cmd), err.decode(errors="replace")[-2000:]))
    return wall, ru.ru_maxrss / 1024.0, out


def median_run(cmd, repeat):
    runs = [run(cmd) for _ in range(repeat)]
    walls = [r[0] for r in runs]
    rss = max(r[1] for r in runs)
    return statistics.median(walls), rss, runs[-1][2]


def ensure_files(n):
    os.makedirs(OUT, exist_ok=True)
    out = os.path.join(OUT, "out_%d.jsonl" % n)
    inp = os.path.join(OUT, "in_%d.jsonl" % n)
    if not (os.path.exists(out) and os.path.exists(inp)):
        subprocess.check_call([sys.executable, os.path.join(SHARED, "gen_openai_batch.py"),
                               "-n", str(n), "--seed", "1", "-o", out, "-i", inp])
    return inp, out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", default="100000,1000000")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--skip-plain-above", type=int, default=200000,
                    help="the plain baseline takes ~25 s per 1M rows; skip it above this size")
    ap.add_argument("--json", help="also write the figures here")
    a = ap.parse_args()
    schema = os.path.join(SHARED, "schema.json")
    prices = os.path.join(SHARED, "prices.json")
    results = []
    for n in [int(x) for x in a.rows.split(",")]:
        inp, out = ensure_files(n)
        mb = os.path.getsize(out) / 1e6
        assay_cmd = [ASSAY, "eval", "--provider", "openai", "--input", inp, "--results", out,
                     "--judge", "schema-drift", "--set", "schema-drift.schema=@" + schema,
                     "--judge", "cost-per-row", "--set", "cost-per-row.prices=@" + prices,
                     "--format", "json", "--max-bad-lines", "1000000"]
        run(assay_cmd)  # warm the compile cache and the page cache
        row = {"rows": n, "output_mb": round(mb, 1)}
        wall, rss, stdout = median_run(assay_cmd, a.repeat)
        summary = json.loads(stdout)
        row["assay"] = {"wall_s": round(wall, 3), "rows_per_s": round(n / wall), "peak_rss_mib": round(rss, 1),
                        "pass_rate": summary["judges"]["schema-drift"]["pass_rate"]}
        fast = [sys.executable, os.path.join(SHARED, "peers", "baseline_fast.py"), out]
        wall, rss, _ = median_run(fast, a.repeat)
        row["python_fast"] = {"wall_s": round(wall, 3), "rows_per_s": round(n / wall), "peak_rss_mib": round(rss, 1)}
        if n <= a.skip_plain_above:
            plain = [sys.executable, os.path.join(SHARED, "peers", "baseline_plain.py"), out]
            wall, rss, _ = median_run(plain, 1 if n > 100000 else a.repeat)
            row["python_plain"] = {"wall_s": round(wall, 3), "rows_per_s": round(n / wall), "peak_rss_mib": round(rss, 1)}
        # The same job in Anthropic Message Batches form: reader parity.
        a_in = os.path.join(OUT, "anthropic_in_%d.jsonl" % n)
        a_out = os.path.join(OUT, "anthropic_out_%d.jsonl" % n)
        if not (os.path.exists(a_in) and os.path.exists(a_out)):
            subprocess.check_call([sys.executable, os.path.join(HERE, "to_anthropic.py"), inp, out, a_in, a_out])
        a_cmd = list(assay_cmd)
        a_cmd[a_cmd.index(inp)] = a_in
        a_cmd[a_cmd.index(out)] = a_out
        a_cmd[a_cmd.index("openai")] = "anthropic"
        run(a_cmd)
        wall, rss, _ = median_run(a_cmd, a.repeat)
        row["assay_anthropic"] = {"wall_s": round(wall, 3), "rows_per_s": round(n / wall), "peak_rss_mib": round(rss, 1)}
        row["anthropic_vs_openai_rows_per_s"] = round(row["assay"]["wall_s"] / wall, 2)
        row["speedup_vs_fast"] = round(row["python_fast"]["wall_s"] / row["assay"]["wall_s"], 2)
        if "python_plain" in row:
            row["speedup_vs_plain"] = round(row["python_plain"]["wall_s"] / row["assay"]["wall_s"], 2)
        results.append(row)
        print(json.dumps(row), flush=True)
    print("\n%-9s %7s %11s %8s %11s %8s %8s %8s %12s" % (
        "rows", "MB", "assay r/s", "RSS MiB", "fast r/s", "RSS MiB", "x fast", "x plain", "anthr/openai"))
    for r in results:
        print("%-9d %7.1f %11d %8.1f %11d %8.1f %8.2f %8s %12.2f" % (
            r["rows"], r["output_mb"], r["assay"]["rows_per_s"], r["assay"]["peak_rss_mib"],
            r["python_fast"]["rows_per_s"], r["python_fast"]["peak_rss_mib"], r["speedup_vs_fast"],
            r.get("speedup_vs_plain", "-"), r["anthropic_vs_openai_rows_per_s"]))
    if a.json:
        with open(a.json, "w") as f:
            json.dump(results, f, indent=1)


if __name__ == "__main__":
    main()

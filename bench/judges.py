#!/usr/bin/env python3
"""Per-row cost of judges by language: the Rust `contains` judge, the JavaScript
`length-format` and the Python `mentions-competitor` examples, measured in the same
run on the same synthetic batch, reported as ratios to Rust.

Usage: bench/judges.py --plugin-dir DIR [--rows 20000] [--repeat 3] [--workers 2]
  DIR holds the staged example judges (bench/judges.sh builds them); the built-in
  judges are found next to target/release/assay.

Three measurements per judge:
  eval       `assay eval` on N rows with the judge minus the same run without a judge,
             divided by N: the judge's per-row cost inside a real run (median of --repeat).
  steady     `assay judge test --chunk-rows 256 --timing`: one scorer, as one eval
             worker has; the first chunk pays for the instance and `init` (the
             interpreter's start-up), later chunks reuse the instance.
  compile    `assay judge test` on the golden rows with --no-cache vs a warm cache.
"""
import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
ASSAY = os.path.join(ROOT, "target", "release", "assay")
ROWS = os.path.join(ROOT, "examples", "judges", "rows")

# name -> (language, eval --set, judge test --set, golden rows, golden expect)
JUDGES = {
    "contains": ("Rust", "contains.not-contains=acme", "not-contains=acme", None, None),
    "length-format": ("JavaScript", "length-format.max-chars=500", "max-chars=500",
                      "length_rows.jsonl", "length_expect.jsonl"),
    "mentions-competitor": ("Python", "mentions-competitor.competitors=acme,globex",
                            "competitors=acme,globex", "competitor_rows.jsonl", "competitor_expect.jsonl"),
}


def timed(cmd, env=None):
    t0 = time.perf_counter()
    p = subprocess.run(cmd, capture_output=True, text=True, env=env)
    wall = time.perf_counter() - t0
    if p.returncode not in (0, 1):
        sys.exit("command failed (%d): %s\n%s" % (p.returncode, " ".join(cmd), p.stderr[-2000:]))
    return wall, p


def batch(n, out):
    """A synthetic OpenAI batch of n completed rows, and the same responses as golden rows."""
    d = os.path.join(out, "judges_%d" % n)
    if not os.path.exists(os.path.join(d, "golden.jsonl")):
        os.makedirs(d, exist_ok=True)
        subprocess.check_call([sys.executable, os.path.join(ROOT, "examples", "judges", "tools", "gen_bench.py"),
                               str(n), d])
        with open(os.path.join(d, "out.jsonl")) as f, open(os.path.join(d, "golden.jsonl"), "w") as g:
            for line in f:
                o = json.loads(line)
                text = o["response"]["body"]["choices"][0]["message"]["content"]
                g.write(json.dumps({"id": o["custom_id"], "response": text}) + "\n")
    return d


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--plugin-dir", required=True)
    ap.add_argument("--rows", type=int, default=20000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--json", help="also write the figures here")
    ap.add_argument("--assay", default=ASSAY, help="the assay binary (default: target/release/assay)")
    a = ap.parse_args()
    assay = a.assay
    d = batch(a.rows, os.path.join(HERE, "out"))
    env = dict(os.environ, ASSAY_CACHE_DIR=tempfile.mkdtemp(prefix="assay-bench-cache-"))
    base = [assay, "eval", "--provider", "openai", "--input", os.path.join(d, "in.jsonl"),
            "--results", os.path.join(d, "out.jsonl"), "--plugin-dir", a.plugin_dir,
            "--workers", str(a.workers), "--format", "json", "--no-history"]

    def median_eval(extra):
        timed(base + extra, env)  # warm the compile cache and the page cache
        return statistics.median(timed(base + extra, env)[0] for _ in range(a.repeat))

    no_judge = median_eval([])
    results = {}
    for name, (lang, eval_set, test_set, rows, expect) in JUDGES.items():
        r = {"language": lang}
        # Compile cache: first test of a build (cold, --no-cache) vs later tests (warm cache).
        if rows:
            test = [assay, "judge", "test", name, "--plugin-dir", a.plugin_dir, "--set", test_set,
                    "--rows", os.path.join(ROWS, rows), "--expect", os.path.join(ROWS, expect)]
            r["test_cold_s"] = round(timed(test + ["--no-cache"], env)[0], 3)
            timed(test, env)
            r["test_warm_s"] = round(statistics.median(timed(test, env)[0] for _ in range(a.repeat)), 3)
        wall = median_eval(["--judge", name, "--set", eval_set])
        r["eval_wall_s"] = round(wall, 3)
        r["eval_us_per_row"] = round(max(wall - no_judge, 0.0) * 1e6 / a.rows, 2)
        wall1 = median_eval(["--judge", name, "--set", eval_set, "--chunk-rows", "1"])
        r["eval_chunk1_us_per_row"] = round(max(wall1 - no_judge, 0.0) * 1e6 / a.rows, 2)
        # One scorer, 256-row chunks: first chunk (instance + init + 256 rows) vs the rest.
        _, p = timed([assay, "judge", "test", name, "--plugin-dir", a.plugin_dir, "--set", test_set,
                      "--rows", os.path.join(d, "golden.jsonl"), "--chunk-rows", "256", "--timing"], env)
        first = re.search(r"first chunk \(instance \+ init \+ (\d+) rows\) ([\d.]+) ms", p.stderr)
        steady = re.search(r"= ([\d.]+) us/row \(steady state\); restarts (\d+)", p.stderr)
        if not (first and steady):
            sys.exit("unexpected --timing output:\n" + p.stderr)
        r["steady_us_per_row"] = float(steady.group(1))
        r["first_chunk_ms"] = float(first.group(2))
        r["first_chunk_overhead_ms"] = round(float(first.group(2)) - int(first.group(1)) * r["steady_us_per_row"] / 1e3, 2)
        r["restarts"] = int(steady.group(2))
        results[name] = r
        print(json.dumps({name: r}), flush=True)
    rust = results["contains"]
    print("\n%d rows, %d workers; no-judge eval %.3f s (median of %d)" % (a.rows, a.workers, no_judge, a.repeat))
    print("%-20s %-10s %10s %7s %10s %10s %7s %12s %10s %10s" % (
        "judge", "language", "eval us/r", "x Rust", "chunk1 us", "steady us", "x Rust",
        "1st chunk +ms", "test cold", "test warm"))
    for name, r in results.items():
        print("%-20s %-10s %10.2f %7.1f %10.2f %10.2f %7.1f %12.2f %10s %10s" % (
            name, r["language"], r["eval_us_per_row"], r["eval_us_per_row"] / max(rust["eval_us_per_row"], 0.01),
            r["eval_chunk1_us_per_row"], r["steady_us_per_row"],
            r["steady_us_per_row"] / max(rust["steady_us_per_row"], 0.01), r["first_chunk_overhead_ms"],
            r.get("test_cold_s", "-"), r.get("test_warm_s", "-")))
    if a.json:
        with open(a.json, "w") as f:
            json.dump(results, f, indent=1)


if __name__ == "__main__":
    main()

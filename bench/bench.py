#!/usr/bin/env python3
"""assay benchmark: every figure of issue 16 beside its baseline, in one run.

Usage: bench/bench.py [--rows 100000,1000000] [--repeat 3] [--quick] [--json FILE]
                      [--skip-plain-above 1000000] [--no-reader-judge] [--reader-rows N,...]
                      [--small-reader-rounds 9] [--large-reader-rounds 5]
                      [--no-plugin-start | --start-judges NAME,...] [--assay BIN]
       bench/bench.py --report-from FILE

The machine is shared and noisy, so every figure that can be is a ratio of two
measurements taken in the same run, on the same files, interleaved: each round runs
every tool once, one after the other, and a figure is the median over --repeat
rounds. Before the rounds every assay command runs once unmeasured (it fills the
compile cache and the page cache), and before each measured run the .jsonl files the
command reads are read through once, unmeasured: on this machine kind the
hypervisor's balloon takes page cache back within minutes (10.4 GB cached fell to
9.9 GB in 45 idle seconds), and a run that found its files evicted read them from
disk (2.4 s per GB) while its pair did not. The load average (os.getloadavg) is printed at
the start and end, and after each size. assay runs with its own compile cache and
state database (a fresh temporary ASSAY_CACHE_DIR and ASSAY_STATE), never the
user's: each run is recorded in a history nobody else reads.

Files: ../shared/bench/gen_openai_batch.py -n ROWS --seed 1 writes the OpenAI job
(cached in bench/out/, or in $ASSAY_BENCH_OUT when set: 10M rows are 16 GB);
bench/convert.py turns it, row for row, into the same job in the Azure OpenAI,
Anthropic, Bedrock, Vertex and Gemini formats (cached in providers-vN-ROWS/ beside it).

Figures, per size unless said otherwise:

1. Speed. `assay eval --provider openai` with `schema-drift` and `cost-per-row`,
   reading the input and the result file, against ../shared/bench/peers/
   baseline_fast.py (orjson + jsonschema-rs) and baseline_plain.py (json +
   jsonschema; only at sizes <= --skip-plain-above, 1M by default, where the
   target is set: it takes ~25 s per 1M rows), which read the result file only
   (above 100k rows the plain one runs in the first round only). Wall time -> rows/s; "x fast" and "x plain" are
   the baseline's median wall time over assay's (targets: >= 4 and >= 25 at 1M).
   "x fast CPU" is the same ratio of CPU seconds (user + system of the child,
   from wait4), which load from other processes disturbs less than wall time;
   assay uses both cores, the baselines one, so it is not a speed-up.
2. Memory. Peak RSS (getrusage ru_maxrss of the child: the largest of the rounds)
   of the same assay run, of `assay eval` with no judge, and of the fast baseline.
   Memory per row = (peak RSS at the largest size - at the smallest) / (row
   difference), in bytes per row, with judges and without (target: <= 48 B and
   <= 100 MB at 1M). The judges' share is the with-judges RSS minus the no-judge
   RSS at the same size.
3. Plugin start, per built-in judge (once, not per size): `assay judge test NAME
   --chunk-rows 1 --timing` on the judge's golden rows prints the load time (from
   the compile cache, after one unmeasured run filled it) and the first chunk's
   time (a fresh instance, the judge's `init`, and one row). Start = load + first
   chunk; flagged when over 50 ms (the target). Medians of --repeat rounds, judges
   interleaved. Cold compile = the load time with --no-cache (the component
   compiled from the .wasm), once per judge: it costs seconds of CPU. Judges that
   import the `llm` capability run under a policy that grants it (they make no
   call on load).
4. Readers. rows/s of `assay eval --provider P` with no judge (read, join and
   classify both files) for each provider's copy of the job, measured in pairs with
   OpenAI: each round runs OpenAI then P, and the ratio is OpenAI's median wall time
   over P's (target: every reader >= 0.8), printed also as a ratio of CPU
   seconds. Again with `schema-drift` (unless
   --no-reader-judge). Each provider's run must report 0 bad lines and the same
   rows submitted, status counts and truncated count as OpenAI's, and with the
   judge the same rows scored and passed and no judge error: the script stops
   otherwise.

5. Sandbox price. The same `assay eval` as in 1, run by the bench-only native build
   (target/bench-native/assay: `cargo build --release --features bench-native`, with
   ASSAY_BENCH_NATIVE=1: schema-drift and cost-per-row compiled into the host, the rest of
   the pipeline the same) in the same rounds. Price = the sandboxed run's median wall
   time over the native run's, and the same with CPU seconds (target: <= 1.5). The
   script stops unless the two summaries are equal but for fuel and timings.
   Skipped (--no-native, or no native binary) with a note.

--json FILE writes every figure above (and the load averages) as one JSON object;
--report-from FILE prints the report of such a file again.
"""
import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def shared_dir():
    """$ASSAY_SHARED, else ../shared/bench beside the checkout, else beside the main
    checkout when this one is a git worktree."""
    if os.environ.get("ASSAY_SHARED"):
        return os.environ["ASSAY_SHARED"]
    here = os.path.join(os.path.dirname(ROOT), "shared", "bench")
    if os.path.isdir(here):
        return here
    try:
        common = subprocess.run(["git", "-C", ROOT, "rev-parse", "--path-format=absolute", "--git-common-dir"],
                                capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return here
    main = os.path.join(os.path.dirname(os.path.dirname(common)), "shared", "bench")
    return main if os.path.isdir(main) else here


SHARED = shared_dir()
OUT = os.environ.get("ASSAY_BENCH_OUT") or os.path.join(HERE, "out")
ASSAY = os.path.join(ROOT, "target", "release", "assay")
ASSAY_NATIVE = os.path.join(ROOT, "target", "bench-native", "assay")
GOLDEN = os.path.join(ROOT, "tests", "fixtures", "golden")
START_TARGET_MS = 50.0

sys.path.insert(0, HERE)
import convert  # noqa: E402  (the provider converters beside this file)

# Bump when convert.py writes different files, so cached copies are not reused.
CONVERT_VERSION = 1


def run(cmd, env=None):
    """Runs cmd, returns (wall seconds, peak RSS MiB, stdout). Exit 1 (a failed
    gate) is a normal outcome of `assay eval`; anything else stops the bench."""
    wall, rss, out, _, _ = run_full(cmd, env)
    return wall, rss, out


def run_full(cmd, env=None):
    """run, plus stderr and the child's CPU seconds (user + system); stderr is read
    on a thread so neither pipe can fill and block the child, and the child is
    reaped with wait4 for its own peak RSS and CPU time."""
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    err = []
    t = threading.Thread(target=lambda: err.append(p.stderr.read()))
    t.start()
    out = p.stdout.read()
    t.join()
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.perf_counter() - t0
    p.returncode = code = os.waitstatus_to_exitcode(status)
    p.stdout.close()
    p.stderr.close()
    err = err[0].decode(errors="replace")
    if code not in (0, 1):
        sys.exit("command failed (%d): %s\n%s" % (code, " ".join(cmd), err[-2000:]))
    return wall, ru.ru_maxrss / 1024.0, out, err, ru.ru_utime + ru.ru_stime


def ensure_files(n):
    """The OpenAI job of n rows (input, results), generated once into OUT."""
    os.makedirs(OUT, exist_ok=True)
    out = os.path.join(OUT, "out_%d.jsonl" % n)
    inp = os.path.join(OUT, "in_%d.jsonl" % n)
    if not (os.path.exists(out) and os.path.exists(inp)):
        subprocess.check_call([sys.executable, os.path.join(SHARED, "gen_openai_batch.py"),
                               "-n", str(n), "--seed", "1", "-o", out + ".tmp", "-i", inp + ".tmp"])
        os.replace(inp + ".tmp", inp)
        os.replace(out + ".tmp", out)
    return inp, out


def ensure_providers(n, inp, out):
    """{provider: eval arguments} for the same job in every provider's format."""
    d = os.path.join(OUT, "providers-v%d-%d" % (CONVERT_VERSION, n))
    want = [p for p in convert.PROVIDERS if not os.path.exists(os.path.join(d, p + "_out.jsonl"))]
    if want:
        print("converting the %d-row job for %s ..." % (n, ", ".join(want)), flush=True)
        convert.convert(inp, out, d, want)
    f = lambda name: os.path.join(d, name)  # noqa: E731
    args = {"openai": ["--provider", "openai", "--input", inp, "--results", out]}
    for p in convert.PROVIDERS:
        args[p] = ["--provider", p, "--input", f(p + "_in.jsonl"), "--results", f(p + "_out.jsonl")]
    args["azure"][-1] += "," + f("azure_errors.jsonl")
    args["vertex"] += ["--id-path", "request.labels.custom_id"]
    return args


def size_mb(args):
    paths = [args[args.index("--input") + 1]] + args[args.index("--results") + 1].split(",")
    return sum(os.path.getsize(p) for p in paths) / 1e6


def load():
    return [round(x, 2) for x in os.getloadavg()]


def files_of(cmd):
    """The .jsonl files a command reads (comma-separated --results lists included)."""
    return [f for arg in cmd for f in arg.split(",") if f.endswith(".jsonl") and os.path.isfile(f)]


def read_through(paths, buf=bytearray(8 << 20)):
    """Reads each file through (into one reused buffer), so the next run finds it cached."""
    for path in paths:
        with open(path, "rb", buffering=0) as f:
            while f.readinto(buf):
                pass


class Rounds:
    """Named commands run in interleaved rounds; keeps every wall time and RSS.
    Each measured run is preceded by an unmeasured read of the files it reads."""

    def __init__(self, env):
        self.env, self.cmds, self.walls, self.rss, self.cpu, self.stdout = env, {}, {}, {}, {}, {}

    def add(self, name, cmd, warm=True, every=1):
        self.cmds[name] = (cmd, warm, every)
        self.walls[name], self.rss[name], self.cpu[name] = [], [], []

    def go(self, repeat):
        for name, (cmd, warm, _) in self.cmds.items():
            if warm:
                self.stdout[name] = run(cmd, self.env)[2]
        for r in range(repeat):
            for name, (cmd, _, every) in self.cmds.items():
                if r % every:
                    continue
                read_through(files_of(cmd))
                wall, rss, out, _, cpu = run_full(cmd, self.env)
                self.walls[name].append(wall)
                self.rss[name].append(rss)
                self.cpu[name].append(cpu)
                self.stdout.setdefault(name, out)

    def fig(self, name, n):
        wall = statistics.median(self.walls[name])
        return {"wall_s": round(wall, 3), "rows_per_s": round(n / wall), "peak_rss_mib": round(max(self.rss[name]), 1),
                "cpu_s": round(statistics.median(self.cpu[name]), 3), "runs": len(self.walls[name])}


def summary(stdout, what):
    try:
        return json.loads(stdout)
    except ValueError:
        sys.exit("%s: assay printed no JSON summary:\n%s" % (what, stdout[:2000]))


def parity(s, ref, provider, judge):
    """What every reader must agree on with the OpenAI reader; a list of differences."""
    def pick(x):
        v = {"rows_submitted": x.get("rows_submitted"), "status_counts": x.get("status_counts"),
             "bad_lines": (x.get("bad_lines") or {}).get("count", 0),
             "truncated": (x.get("flags") or {}).get("truncated")}
        if judge:
            v.update({k: x["judges"][judge][k] for k in ("scored", "passed", "judge_errors")})
        return v
    got, want = pick(s), pick(ref)
    if got["bad_lines"]:
        return ["%s: %s bad lines" % (provider, got["bad_lines"])]
    return ["%s: %s %s, OpenAI %s" % (provider, k, got[k], want[k]) for k in want if got[k] != want[k]]


# ---- per size ---------------------------------------------------------------------

def bench_size(n, a, env):
    inp, out = ensure_files(n)
    readers_here = n in a.reader_sizes
    prov = ensure_providers(n, inp, out) if readers_here else {"openai": ["--provider", "openai", "--input", inp,
                                                                         "--results", out]}
    schema = ["--judge", "schema-drift", "--set", "schema-drift.schema=@" + os.path.join(SHARED, "schema.json")]
    cost = ["--judge", "cost-per-row", "--set", "cost-per-row.prices=@" + os.path.join(SHARED, "prices.json")]
    tail = ["--format", "json", "--max-bad-lines", "1000000"]
    ev = [a.assay, "eval"]
    row = {"rows": n, "results_mb": round(os.path.getsize(out) / 1e6, 1),
           "input_mb": round(os.path.getsize(inp) / 1e6, 1), "load_before": load()}

    # 1 + 2: assay against the Python baselines, and assay with no judge.
    r = Rounds(env)
    r.add("assay", ev + prov["openai"] + schema + cost + tail)
    r.add("assay_no_judge", ev + prov["openai"] + tail)
    r.add("python_fast", [sys.executable, os.path.join(SHARED, "peers", "baseline_fast.py"), out], warm=False)
    if n <= a.skip_plain_above:
        # Above 100k rows the plain baseline runs in the first round only (~25 s per 1M rows).
        r.add("python_plain", [sys.executable, os.path.join(SHARED, "peers", "baseline_plain.py"), out], warm=False,
              every=a.repeat if n > 100000 else 1)
    if a.native:
        # 5: the same command, judges compiled into the host (exec'd by env, same process).
        r.add("assay_native", ["env", "ASSAY_BENCH_NATIVE=1", a.native, "eval"] + prov["openai"] + schema + cost + tail)
    r.go(a.repeat)
    for name in r.cmds:
        row[name] = r.fig(name, n)
    if a.native:
        row["sandbox_price"] = sandbox_price(row, r)
    row["assay"]["pass_rate"] = summary(r.stdout["assay"], "assay")["judges"]["schema-drift"]["pass_rate"]
    row["x_fast"] = round(row["python_fast"]["wall_s"] / row["assay"]["wall_s"], 2)
    row["x_fast_cpu"] = round(row["python_fast"]["cpu_s"] / row["assay"]["cpu_s"], 2)
    if "python_plain" in row:
        row["x_plain"] = round(row["python_plain"]["wall_s"] / row["assay"]["wall_s"], 2)
    row["judges_rss_mib"] = round(row["assay"]["peak_rss_mib"] - row["assay_no_judge"]["peak_rss_mib"], 1)

    if not readers_here:
        row["load_after"] = load()
        return row
    # 4: every reader in pairs with OpenAI, no judge and with schema-drift.
    readers = {"openai": {"mb": round(size_mb(prov["openai"]), 1)}}
    modes = [("", [])] + ([] if a.no_reader_judge else [("schema-drift", schema)])
    ref = {}
    for p in convert.PROVIDERS:
        r = Rounds(env)
        for judge, extra in modes:
            r.add("openai" + judge, ev + prov["openai"] + extra + tail)
            r.add(p + judge, ev + prov[p] + extra + tail)
        # A reader pair at 100k rows takes about 0.2 s a run, where three
        # rounds move a cell by about 0.1 (bench/RESULTS.md): more rounds there.
        # At 1M rows three rounds once put Vertex at 0.72 where 7 and 9 rounds
        # right after gave 0.80 (bench/RESULTS.md, twenty-first session).
        r.go(max(a.repeat, a.small_reader_rounds if n <= 100000 else a.large_reader_rounds))
        fig = {"mb": round(size_mb(prov[p]), 1)}
        for judge, _ in modes:
            s_ref = ref.setdefault(judge, summary(r.stdout["openai" + judge], "openai"))
            bad = parity(summary(r.stdout[p + judge], p), s_ref, p, judge)
            if bad:
                sys.exit("reader parity failed at %d rows%s:\n  %s" % (
                    n, " with " + judge if judge else "", "\n  ".join(bad)))
            key = "with_judge" if judge else "no_judge"
            mine, base = r.fig(p + judge, n), r.fig("openai" + judge, n)
            fig[key] = dict(mine, openai_rows_per_s=base["rows_per_s"],
                            vs_openai=round(base["wall_s"] / mine["wall_s"], 2),
                            vs_openai_cpu=round(base["cpu_s"] / mine["cpu_s"], 2))
            readers["openai"].setdefault(key + "_walls", []).extend(r.walls["openai" + judge])
            readers["openai"].setdefault(key + "_cpu", []).extend(r.cpu["openai" + judge])
        readers[p] = fig
        print("  reader %-9s %s" % (p, json.dumps({k: fig[k].get("vs_openai") if isinstance(fig[k], dict) else fig[k]
                                                    for k in fig})), flush=True)
    for key in ("no_judge", "with_judge"):
        walls = readers["openai"].pop(key + "_walls", None)
        cpu = readers["openai"].pop(key + "_cpu", None)
        if walls:
            readers["openai"][key] = {"wall_s": round(statistics.median(walls), 3),
                                      "rows_per_s": round(n / statistics.median(walls)), "runs": len(walls),
                                      "cpu_s": round(statistics.median(cpu), 3), "vs_openai": 1.0}
    row["readers"] = readers
    row["load_after"] = load()
    return row


def sandbox_price(row, r):
    """Sandboxed over native, wall and CPU; stops unless both summaries agree."""
    def same(x):
        x = summary(x, "assay")
        x.pop("elapsed_ms", None)
        for j in x.get("judges", {}).values():
            j.pop("fuel_used", None)
        return x
    if same(r.stdout["assay"]) != same(r.stdout["assay_native"]):
        sys.exit("sandbox price: the native build's summary differs from the sandboxed one's")
    sb, nat = row["assay"], row["assay_native"]
    return {"wall": round(sb["wall_s"] / nat["wall_s"], 2), "cpu": round(sb["cpu_s"] / nat["cpu_s"], 2)}


# ---- plugin start -----------------------------------------------------------------

def start_cases(a, tmp):
    """(judge, judge test arguments) for every built-in judge, on golden rows."""
    metrics = os.path.join(GOLDEN, "metrics_rows.jsonl")
    bsd = os.path.join(ROOT, "plugins", "batch-sync-drift", "golden")
    schema = "schema=@" + os.path.join(SHARED, "schema.json")
    policy = os.path.join(tmp, "llm-policy.toml")
    with open(policy, "w") as f:
        for j in ("batch-sync-drift-llm", "cluster-explain"):
            f.write('[llm.%s]\nmodels = ["bench-model"]\n' % j)
    special = {
        "schema-drift": [metrics, [schema]],
        "cost-per-row": [os.path.join(GOLDEN, "cost-per-row_rows.jsonl"),
                         ["prices=@" + os.path.join(SHARED, "prices.json")]],
        "batch-sync-drift": [os.path.join(bsd, "rows.jsonl"), ["schema=@" + os.path.join(bsd, "schema.json")]],
        "batch-sync-drift-llm": [os.path.join(bsd, "rows.jsonl"), [], policy],
        "cluster-explain": [metrics, [], policy],
        "length": [metrics, ["max-words=5"]],
        "contains": [metrics, ["contains=cat"]],
        "regex": [metrics, ["pattern=^The"]],
    }
    plugins = os.path.join(ROOT, "plugins")
    names = sorted(d for d in os.listdir(plugins) if os.path.exists(os.path.join(plugins, d, "judge.toml")))
    if a.start_judges:
        unknown = set(a.start_judges.split(",")) - set(names)
        if unknown:
            sys.exit("--start-judges: no built-in judge %s (built-in: %s)" % (", ".join(sorted(unknown)), ", ".join(names)))
        names = [j for j in names if j in a.start_judges.split(",")]
    cases = {}
    for name in names:
        rows, sets, *pol = special.get(name, [metrics, []])
        cmd = [a.assay, "judge", "test", name, "--rows", rows, "--chunk-rows", "1", "--timing"]
        for s in sets:
            cmd += ["--set", s]
        if pol:
            cmd += ["--policy", pol[0]]
        cases[name] = cmd
    return cases


TIMING_LOAD = re.compile(r"timing: load \(cache or compile\) ([\d.]+) ms")
TIMING_FIRST = re.compile(r"timing: first chunk \(instance \+ init \+ (\d+) rows\) ([\d.]+) ms")


def timing(cmd, env):
    err = run_full(cmd, env)[3]
    load_ms, first = TIMING_LOAD.search(err), TIMING_FIRST.search(err)
    if not (load_ms and first):
        sys.exit("unexpected --timing output from %s:\n%s" % (" ".join(cmd), err[-2000:]))
    return float(load_ms.group(1)), float(first.group(2))


def bench_start(a, env, tmp):
    cases = start_cases(a, tmp)
    warm = {j: ([], []) for j in cases}
    cold = {j: [] for j in cases}
    for j, cmd in cases.items():
        timing(cmd, env)  # fills the compile cache
        # One cold compile per judge: seconds of CPU each, so not repeated.
        cold[j].append(timing(cmd + ["--no-cache"], env)[0])
    for _ in range(a.repeat):
        for j, cmd in cases.items():
            load_ms, first_ms = timing(cmd, env)
            warm[j][0].append(load_ms)
            warm[j][1].append(first_ms)
    out = {}
    for j in cases:
        load_ms, first_ms = statistics.median(warm[j][0]), statistics.median(warm[j][1])
        out[j] = {"cache_load_ms": round(load_ms, 2), "instance_init_ms": round(first_ms, 2),
                  "start_ms": round(load_ms + first_ms, 2), "over_target": load_ms + first_ms > START_TARGET_MS,
                  "cold_compile_ms": round(statistics.median(cold[j]), 1)}
    return out


# ---- report -----------------------------------------------------------------------

def print_report(res):
    print("\nmachine: %d cores; load average (1, 5, 15 min) at start %s, at end %s" % (
        os.cpu_count(), res["load_start"], res["load_end"]))
    print("medians of %d interleaved rounds; assay %s" % (res["repeat"], res["assay"]))
    sizes = res["sizes"]
    print("\n1. speed: assay eval (openai, schema-drift + cost-per-row, input + results) vs Python (results only)")
    print("%-10s %8s %11s %11s %11s %11s %8s %8s %12s %9s   %s" % (
        "rows", "MB", "assay r/s", "no-judge", "fast r/s", "plain r/s", "x fast", "x plain",
        "CPU s a/fast", "x fast CPU", "load before/after"))
    for r in sizes:
        print("%-10d %8.1f %11d %11d %11d %11s %8.2f %8s %12s %9.2f   %s / %s" % (
            r["rows"], r["results_mb"] + r["input_mb"], r["assay"]["rows_per_s"],
            r["assay_no_judge"]["rows_per_s"], r["python_fast"]["rows_per_s"],
            r.get("python_plain", {}).get("rows_per_s", "-"), r["x_fast"], r.get("x_plain", "-"),
            "%.2f/%.2f" % (r["assay"]["cpu_s"], r["python_fast"]["cpu_s"]), r["x_fast_cpu"],
            r["load_before"][0], r["load_after"][0]))
    for r in sizes:
        p = r.get("sandbox_price")
        print("   sandbox price at %d rows: sandboxed / native (bench-native build) wall %s, CPU %s (target <= 1.5);"
              " native %s s wall, %s s CPU" % (r["rows"], p["wall"], p["cpu"], r["assay_native"]["wall_s"],
                                              r["assay_native"]["cpu_s"]) if p else
              "   sandbox price at %d rows: not measured (no bench-native build)" % r["rows"])
    print("   x = the baseline's wall time over assay's (targets at 1M: x fast >= 4, x plain >= 25);"
          " x fast CPU = the same with CPU\n   seconds (user + system), which other load on the machine"
          " disturbs less (assay uses both cores, the baselines one)")

    print("\n2. memory: peak RSS MiB")
    print("%-10s %10s %10s %12s %10s" % ("rows", "assay", "no judge", "judges' share", "fast"))
    for r in sizes:
        print("%-10d %10.1f %10.1f %12.1f %10.1f" % (
            r["rows"], r["assay"]["peak_rss_mib"], r["assay_no_judge"]["peak_rss_mib"], r["judges_rss_mib"],
            r["python_fast"]["peak_rss_mib"]))
    m = res.get("memory_per_row")
    if m:
        print("   memory per row (%d -> %d rows): with judges %.1f B/row, no judge %.1f B/row (target <= 48 B;"
              " <= 100 MiB at 1M)" % (m["from_rows"], m["to_rows"], m["assay_bytes_per_row"],
                                      m["no_judge_bytes_per_row"]))

    st = res.get("plugin_start")
    if st:
        print("\n3. plugin start per built-in judge (judge test --chunk-rows 1 --timing), ms")
        print("%-22s %10s %14s %10s %14s" % ("judge", "cache load", "instance+init", "start", "cold compile"))
        for j, f in st.items():
            print("%-22s %10.2f %14.2f %10.2f %14.1f %s" % (
                j, f["cache_load_ms"], f["instance_init_ms"], f["start_ms"], f["cold_compile_ms"],
                "  OVER 50 ms" if f["over_target"] else ""))

    print("\n4. readers: rows/s of assay eval --provider P beside OpenAI's in the same rounds (pairs);"
          " target P / OpenAI >= 0.80")
    for r in sizes:
        if "readers" not in r:
            continue
        rd = r["readers"]
        modes = [("no_judge", "no judge")] + ([("with_judge", "schema-drift")] if "with_judge" in rd["azure"] else [])
        for key, label in modes:
            o = rd["openai"][key]
            print("%d rows, %s: OpenAI %d rows/s over %d runs (%.1f MB)" % (
                r["rows"], label, o["rows_per_s"], o["runs"], rd["openai"]["mb"]))
            print("  %-10s %8s %11s %14s %11s %11s" % (
                "provider", "MB", "rows/s", "OpenAI rows/s", "P / OpenAI", "same, CPU"))
            for p, f in rd.items():
                if p == "openai":
                    continue
                x = f[key]
                print("  %-10s %8.1f %11d %14d %11.2f %11.2f%s" % (
                    p, f["mb"], x["rows_per_s"], x["openai_rows_per_s"], x["vs_openai"], x["vs_openai_cpu"],
                    "  BELOW 0.80" if x["vs_openai"] < 0.8 else ""))
    print("   P / OpenAI = OpenAI's median wall time over P's; same, CPU = with CPU seconds (user + system)")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", default="100000,1000000", help="comma-separated sizes")
    ap.add_argument("--repeat", type=int, default=3, help="interleaved rounds; figures are medians")
    ap.add_argument("--quick", action="store_true", help="100k rows, one round")
    ap.add_argument("--skip-plain-above", type=int, default=1000000,
                    help="the plain baseline takes ~25 s per 1M rows; skip it above this size")
    ap.add_argument("--small-reader-rounds", type=int, default=9,
                    help="interleaved rounds of each reader pair at 100k rows or fewer (at least --repeat)")
    ap.add_argument("--large-reader-rounds", type=int, default=5,
                    help="interleaved rounds of each reader pair above 100k rows (at least --repeat)")
    ap.add_argument("--no-reader-judge", action="store_true", help="reader table with no judge only")
    ap.add_argument("--reader-rows", help="sizes for the reader table (default: every size of --rows); the"
                    " converted copies take about 9 GB per 1M rows")
    ap.add_argument("--no-plugin-start", action="store_true", help="skip the plugin start table")
    ap.add_argument("--start-judges", help="plugin start for these built-in judges only (comma-separated)")
    ap.add_argument("--assay", default=ASSAY, help="the assay binary (default: target/release/assay)")
    ap.add_argument("--assay-native", default=ASSAY_NATIVE,
                    help="the bench-native build (default: target/bench-native/assay)")
    ap.add_argument("--no-native", action="store_true", help="skip the sandbox price")
    ap.add_argument("--json", help="also write the figures here")
    ap.add_argument("--report-from", metavar="FILE", help="print the report of an earlier run's --json FILE; run nothing")
    a = ap.parse_args()
    if a.report_from:
        with open(a.report_from) as f:
            print_report(json.load(f))
        return
    if a.quick:
        a.rows, a.repeat, a.small_reader_rounds, a.large_reader_rounds = "100000", 1, 1, 1
    a.native = None if a.no_native or not os.path.exists(a.assay_native) else a.assay_native
    if not a.native:
        print("no bench-native build (%s): no sandbox price" % ("--no-native" if a.no_native else a.assay_native))
    sizes = sorted({int(x) for x in a.rows.split(",")})
    a.reader_sizes = {int(x) for x in a.reader_rows.split(",")} if a.reader_rows else set(sizes)
    tmp = tempfile.mkdtemp(prefix="assay-bench-")
    # Its own compile cache and state database: the runs' history records go
    # there, not into the user's history.
    env = dict(os.environ, ASSAY_CACHE_DIR=os.path.join(tmp, "cache"), ASSAY_STATE=os.path.join(tmp, "state.db"))
    res = {"repeat": a.repeat, "assay": a.assay, "cores": os.cpu_count(), "load_start": load(), "sizes": []}
    try:
        for n in sizes:
            print("== %d rows" % n, flush=True)
            res["sizes"].append(bench_size(n, a, env))
            print(json.dumps({k: v for k, v in res["sizes"][-1].items() if k != "readers"}), flush=True)
        if len(sizes) > 1:
            lo, hi = res["sizes"][0], res["sizes"][-1]
            per = lambda k: round((hi[k]["peak_rss_mib"] - lo[k]["peak_rss_mib"]) * 1048576 / (hi["rows"] - lo["rows"]), 1)  # noqa: E731
            res["memory_per_row"] = {"from_rows": lo["rows"], "to_rows": hi["rows"],
                                     "assay_bytes_per_row": per("assay"), "no_judge_bytes_per_row": per("assay_no_judge")}
        if not a.no_plugin_start:
            print("== plugin start", flush=True)
            res["plugin_start"] = bench_start(a, env, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    res["load_end"] = load()
    print_report(res)
    if a.json:
        with open(a.json, "w") as f:
            json.dump(res, f, indent=1)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Per-row cost of traces: `assay eval` on the same synthetic job with and
without `--otlp-endpoint`, the exporter pointed at a local sink (a loopback
HTTP server in this script that accepts OTLP/HTTP requests and discards them).

Usage: bench/traces.py [--rows 100000] [--repeat 3] [--assay target/release/assay]
       [--no-content]

Prints µs per row with traces off and on, and the ratio, measured in one run.
The machine is shared and noisy: read the ratio.
"""
import argparse
import http.server
import json
import os
import statistics
import sys
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench  # noqa: E402  (the same file generator and timing as bench.py)


class Sink(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    requests = 0
    bytes = 0

    def do_POST(self):
        n = int(self.headers.get("content-length", 0))
        body = self.rfile.read(n)
        Sink.requests += 1
        Sink.bytes += len(body)
        self.send_response(200)
        self.send_header("content-type", "application/x-protobuf")
        self.send_header("content-length", "0")
        self.end_headers()

    def log_message(self, *a):
        pass


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, default=100000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--assay", default=bench.ASSAY)
    ap.add_argument("--no-content", action="store_true", help="traces without prompts and responses")
    args = ap.parse_args()

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Sink)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = "http://127.0.0.1:%d" % server.server_address[1]

    inp, out = bench.ensure_files(args.rows)
    base = [args.assay, "eval", "--provider", "openai", "--input", inp, "--results", out,
            "--judge", "schema-drift", "--set", "schema-drift.schema=@" + os.path.join(bench.SHARED, "schema.json"),
            "--judge", "cost-per-row", "--set", "cost-per-row.prices=@" + os.path.join(bench.SHARED, "prices.json"),
            "--format", "json", "--quiet", "--no-history"]
    traced = base + ["--otlp-endpoint", url] + (["--otlp-no-content"] if args.no_content else [])
    env = {k: v for k, v in os.environ.items() if not k.startswith("OTEL_")}
    # Interleave the two so that load from other processes hits both alike.
    off, on, report = [], [], None
    for _ in range(args.repeat):
        off.append(bench.run(base, env=env)[0])
        wall, _, stdout = bench.run(traced, env=env)
        on.append(wall)
        report = json.loads(stdout)["traces"]
    off_us = statistics.median(off) / args.rows * 1e6
    on_us = statistics.median(on) / args.rows * 1e6
    print("rows %d, %d runs each (median); sink got %d requests, %.1f MB" % (
        args.rows, args.repeat, Sink.requests, Sink.bytes / 1e6))
    print("traces off: %.2f us/row   traces on: %.2f us/row   on/off: %.2fx   traces cost %.2f us/row" % (
        off_us, on_us, on_us / off_us, on_us - off_us))
    print("last traced run: %d spans, %d exported, %d dropped" % (
        report["spans"], report["exported"], report["dropped"]))


if __name__ == "__main__":
    main()

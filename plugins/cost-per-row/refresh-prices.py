#!/usr/bin/env python3
"""Refresh cost-per-row's built-in price table from LiteLLM's price map.

Downloads the `litellm` wheel from PyPI with `pip download --no-deps` (nothing is
installed), checks that its metadata declares the MIT license, reads
`litellm/model_prices_and_context_window_backup.json` from it and writes a filtered
copy to `litellm-prices.json` beside this script: only OpenAI, Azure, Anthropic,
Bedrock, Vertex AI and Gemini chat/responses/embedding entries whose key the judge's
lookup can reach, and only the price fields the judge reads. The copy keeps LiteLLM's
format (USD per token), so `--set cost-per-row.prices=@file` reads it and the full
file alike. Python standard library only (plus `pip` for the download).

    python3 plugins/cost-per-row/refresh-prices.py                  # default version
    python3 plugins/cost-per-row/refresh-prices.py --version 1.110.2
    python3 plugins/cost-per-row/refresh-prices.py --wheel litellm-….whl   # offline
"""

import argparse
import datetime
import email.parser
import hashlib
import json
import pathlib
import subprocess
import sys
import tempfile
import zipfile

DEFAULT_VERSION = "1.110.2"
MEMBER = "litellm/model_prices_and_context_window_backup.json"
OUT = pathlib.Path(__file__).resolve().parent / "litellm-prices.json"
PROVIDERS = {
    "openai",
    "azure",
    "anthropic",
    "bedrock",
    "bedrock_converse",
    "vertex_ai",
    "vertex_ai-language-models",
    "vertex_ai-anthropic_models",
    "gemini",
}
MODES = {"chat", "responses", "embedding"}
FIELDS = [
    "input_cost_per_token",
    "output_cost_per_token",
    "cache_read_input_token_cost",
    "cache_creation_input_token_cost",
    "input_cost_per_token_batches",
    "output_cost_per_token_batches",
    "cache_read_input_token_cost_batches",
    "cache_creation_input_token_cost_batches",
]
# Routing prefixes the judge tries before a bare name (see README "Model lookup").
LOOKUP_PREFIXES = ("azure/", "vertex_ai/", "gemini/")


def reachable(key):
    """Whether the judge's lookup can ever produce `key` (region/commitment routes cannot)."""
    if "/" not in key:
        return True
    prefix, rest = key.split("/", 1)
    return prefix + "/" in LOOKUP_PREFIXES and "/" not in rest


def download(version, workdir):
    cmd = [sys.executable, "-m", "pip", "download", f"litellm=={version}", "--no-deps", "-d", str(workdir)]
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    wheels = sorted(workdir.glob(f"litellm-{version}-*.whl"))
    if not wheels:
        sys.exit(f"pip download left no litellm-{version} wheel in {workdir}")
    return wheels[0]


def license_of(wheel):
    with zipfile.ZipFile(wheel) as z:
        meta = next((n for n in z.namelist() if n.endswith(".dist-info/METADATA")), None)
        if meta is None:
            sys.exit(f"{wheel}: no .dist-info/METADATA")
        headers = email.parser.Parser().parsestr(z.read(meta).decode("utf-8"), headersonly=True)
    return headers.get("License-Expression") or headers.get("License") or "", headers.get("Version", "")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--version", default=DEFAULT_VERSION, help="litellm version on PyPI")
    ap.add_argument("--wheel", type=pathlib.Path, help="use this wheel instead of downloading")
    ap.add_argument("--out", type=pathlib.Path, default=OUT)
    args = ap.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        wheel = args.wheel or download(args.version, pathlib.Path(tmp))
        lic, version = license_of(wheel)
        if lic.strip() != "MIT":
            sys.exit(f"{wheel.name}: license is {lic!r}, not MIT: refusing to bundle it")
        with zipfile.ZipFile(wheel) as z:
            raw = z.read(MEMBER)
    full = json.loads(raw)

    table = {}
    for key, entry in full.items():
        if not isinstance(entry, dict) or not reachable(key):
            continue
        if entry.get("litellm_provider") not in PROVIDERS or entry.get("mode") not in MODES:
            continue
        kept = {f: entry[f] for f in FIELDS if isinstance(entry.get(f), (int, float))}
        if "input_cost_per_token" not in kept or "output_cost_per_token" not in kept:
            continue
        kept["litellm_provider"] = entry["litellm_provider"]
        table[key] = kept

    meta = {
        "source": f"LiteLLM {version} price map ({MEMBER})",
        "origin": f"{wheel.name} from PyPI; https://github.com/BerriAI/litellm",
        "license": "MIT, Copyright (c) 2023 Berri AI (from the wheel's metadata and LICENSE)",
        "as_of": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d"),
        "sha256": hashlib.sha256(raw).hexdigest(),
        "note": "Filtered by plugins/cost-per-row/refresh-prices.py: "
        f"{len(table)} of {len(full)} entries (OpenAI, Azure, Anthropic, Bedrock, Vertex AI and Gemini "
        "chat/responses/embedding models the lookup can reach), price fields only. USD per token.",
    }
    lines = [f'  "_assay_table": {json.dumps(meta, sort_keys=True)}']
    lines += [f"  {json.dumps(k)}: {json.dumps(table[k], sort_keys=True)}" for k in sorted(table)]
    args.out.write_text("{\n" + ",\n".join(lines) + "\n}\n", encoding="utf-8")
    print(f"{args.out}: {len(table)} entries from litellm {version} ({lic})")


if __name__ == "__main__":
    main()

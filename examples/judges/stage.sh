#!/usr/bin/env bash
# stage.sh JUDGE_SRC_DIR WASM OUT_DIR: copies WASM and JUDGE_SRC_DIR/judge.toml into
# OUT_DIR/<name>/, with `sha256 = "<hex>"` as the last top-level key (before the first
# [table]), as `assay judge build` does for Rust judges.
set -euo pipefail
src=$1 wasm=$2 out=$3
name=$(sed -n 's/^name *= *"\(.*\)".*/\1/p' "$src/judge.toml" | head -1)
component=$(sed -n 's/^component *= *"\(.*\)".*/\1/p' "$src/judge.toml" | head -1)
sha=$(sha256sum "$wasm" | cut -d' ' -f1)
dest="$out/$name"
mkdir -p "$dest"
cp "$wasm" "$dest/$component"
awk -v sha="$sha" '
  /^[ \t]*sha256[ \t]*=/ { next }
  /^[ \t]*\[/ && !done { print "sha256 = \"" sha "\""; done = 1 }
  { print }
  END { if (!done) print "sha256 = \"" sha "\"" }
' "$src/judge.toml" > "$dest/judge.toml"
echo "staged $name -> $dest ($(stat -c %s "$dest/$component") bytes, sha256 $sha)"

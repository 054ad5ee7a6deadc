#!/usr/bin/env bash
# build.sh [OUT_DIR]: builds {{name}} with componentize-py and stages it into
# OUT_DIR/{{name}}/ (default OUT_DIR: ./staged) with its sha256.
#
# Needs: python3 -m pip install componentize-py==0.25.1, and `assay` on PATH
# (or ASSAY=/path/to/assay). COMPONENTIZE_PY overrides the componentize-py command.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=$(mkdir -p "${1:-$here/staged}" && cd "${1:-$here/staged}" && pwd)
cpy=${COMPONENTIZE_PY:-componentize-py}
mkdir -p "$here/build/entry"
# The component's entry module wraps src/app.py's Meta, Scorer and Aggregator:
# an uncaught exception is logged through host.log (type, message, and the
# file, line and function of each frame) before it traps. With --stub-wasi
# the runtime has no stderr, so this is how the exception's text reaches
# --judge-log and the row's failure detail. A raised Err(...) is a result
# value, not an exception: it passes untouched.
cat > "$here/build/entry/assay_entry.py" <<'PY'
import app
from componentize_py_types import Err
from wit_world.imports import host


def _text(e):
    # Frames by hand: the traceback module would read source lines (opening
    # files traps here) and adds a megabyte to the component.
    frames = []
    tb = e.__traceback__.tb_next  # past this wrapper's own frame
    while tb is not None:
        code = tb.tb_frame.f_code
        frames.append('  File "%s", line %s, in %s' % (code.co_filename, tb.tb_lineno, code.co_name))
        tb = tb.tb_next
    said = str(e)
    lines = [type(e).__name__ + (": " + said if said else "")]
    lines.append("Traceback (most recent call first):")
    lines.extend(reversed(frames))
    return "\n".join(lines)


def _logged(method):
    def call(*args, **kwargs):
        try:
            return method(*args, **kwargs)
        except Err:
            raise
        except BaseException as e:
            host.log(host.Level.ERROR, _text(e))
            raise
    return call


def _wrapped(cls):
    names = ("describe", "init", "score_batch", "begin", "observe", "finish")
    found = {n: _logged(getattr(cls, n)) for n in names if hasattr(cls, n)}
    return type(cls.__name__, (cls,), found)


Meta = _wrapped(app.Meta)
Scorer = _wrapped(app.Scorer)
Aggregator = _wrapped(app.Aggregator)
PY
# Run from build/ so only src/ and the entry module (given with -p) are bundled.
# --stub-wasi: the CPython runtime imports wasi:sockets, which assay refuses.
(cd "$here/build" && "$cpy" -d "$here/wit" -w judge \
    componentize --stub-wasi -p "$here/src" -p "$here/build/entry" assay_entry \
    -o "$here/build/{{crate}}.wasm")
"${ASSAY:-assay}" judge stage "$here" --wasm "$here/build/{{crate}}.wasm" --out "$out"

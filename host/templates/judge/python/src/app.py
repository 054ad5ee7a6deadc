"""{{name}}: an assay judge written in Python (componentize-py), against the
WIT in ../wit (assay:judge@0.1.0, world `judge`).

Fails a completed row whose response is empty (label "empty") or longer than
config `max-chars` (default 100, in characters; label "too-long"), and passes
it otherwise. A row without response text is a judge-error (invalid-input),
not an exception: an uncaught exception traps, and a trap means the host
stopped the judge.

Built with `--stub-wasi`: every WASI call traps, so never print(), open
files, read clocks or os.urandom() at run time. Log with `host.log`.
"""
from typing import List, Tuple

from componentize_py_types import Err, Ok
from wit_world import exports
from wit_world.imports import host, types
from wit_world.imports.types import (
    Descriptor,
    JudgeError_Config,
    JudgeError_InvalidInput,
    Needs,
    Report,
    Verdict,
)

# Set by init; module state lives as long as the instance, across many chunks.
_max_chars = 100


class Meta(exports.Meta):
    def describe(self) -> Descriptor:
        return Descriptor(
            name="{{name}}",
            version="0.1.0",
            description="Fails empty responses and responses longer than max-chars",
            scores=True,
            aggregates=False,
            quality=True,
            # Needs.PROMPT / Needs.METADATA only if the judge reads them.
            needs=Needs(0),
            config_keys=[("max-chars", "longest acceptable response, in characters (default 100)")],
        )

    def init(self, config: List[Tuple[str, str]]) -> None:
        global _max_chars
        for key, value in config:
            if key == "max-chars":
                try:
                    _max_chars = int(value.strip())
                except ValueError:
                    raise Err(JudgeError_Config(f"max-chars must be a number, got '{value}'"))
            else:
                raise Err(JudgeError_Config(f"unknown config key '{key}'"))
        host.log(host.Level.DEBUG, f"max-chars = {_max_chars}")


def _verdict(text: str) -> Verdict:
    if not text.strip():
        return Verdict(score=0.0, label="empty", passed=False, details=None)
    n = len(text)  # code points, like Rust's chars().count()
    if n > _max_chars:
        return Verdict(score=0.0, label="too-long", passed=False,
                       details=f"{n} characters, above max-chars {_max_chars}")
    return Verdict(score=1.0, label=None, passed=True, details=None)


class Scorer(exports.Scorer):
    def score_batch(self, rows: List[types.Row]):
        # One result per row, in order.
        return [
            Err(JudgeError_InvalidInput("no response text")) if row.response is None else Ok(_verdict(row.response))
            for row in rows
        ]


class Aggregator(exports.Aggregator):
    # The world requires the aggregator exports; this judge aggregates nothing.
    def begin(self, info: types.RunInfo) -> None:
        return None

    def observe(self, batch: List[types.Observation]) -> None:
        return None

    def finish(self) -> Report:
        return Report(metrics=[], alarms=[])

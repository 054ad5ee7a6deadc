"""{{name}}: an assay judge in Python (componentize-py), against the WIT in
../wit (assay:judge@0.1.0, world `judge`), with the helpers in assay_judge.py.

Fails a completed row whose response is empty (label "empty") or longer than
config `max-chars` (default 100, in characters; label "too-long"). A row
without response text is a judge-error (invalid-input), not an exception: an
uncaught exception traps, and a trap means the host stopped the judge. The
aggregator reports the pass rate per segment and alarms when a segment drops;
rows this judge did not score reach it with no verdict.

The config keys are declared once, in judge.toml: the host refuses any other
key before init. Built with `--stub-wasi`: never print(), open files, read
clocks or os.urandom() at run time; log with `assay_judge.log`.
"""
from typing import List

from componentize_py_types import Err, Ok
from wit_world import exports
from wit_world.imports import types
from wit_world.imports.types import Descriptor, JudgeError_InvalidInput, Needs, Verdict

import assay_judge as aj

# Set by init; module state lives as long as the instance, across many chunks.
_max_chars = 100
_rates = aj.SegmentPassRate()


class Meta(exports.Meta):
    def describe(self) -> Descriptor:
        return Descriptor(
            name="{{name}}",
            version="0.1.0",
            description="Fails empty responses and responses longer than max-chars",
            scores=True,
            aggregates=True,
            quality=True,
            needs=Needs(0),  # Needs.PROMPT / Needs.METADATA only if the judge reads them
            config_keys=[],  # judge.toml's [config] is the list; the host enforces it
        )

    def init(self, config) -> None:
        global _max_chars, _rates
        with aj.config_errors():
            cfg = aj.Config(config)
            _max_chars = cfg.int("max-chars", 100)
            _rates = aj.SegmentPassRate(cfg.float("alarm-points", 10.0), cfg.int("min-segment-rows", 20))
        aj.log("debug", f"max-chars = {_max_chars}")


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
    def begin(self, info: types.RunInfo) -> None:
        _rates.begin(info)

    def observe(self, batch: List[types.Observation]) -> None:
        for obs in batch:
            _rates.observe(obs)

    def finish(self) -> types.Report:
        return aj.to_report(*_rates.report())

"""mentions-competitor: an assay judge written in Python (componentize-py).

Fails a completed row whose response mentions any name from config
`competitors` (comma-separated, case-insensitive) with label
"competitor:<name>"; passes it otherwise. Scores only; the aggregator
exports exist because the world requires them, and do nothing.
"""
from typing import List, Tuple

from componentize_py_types import Err, Ok
from wit_world import exports
from wit_world.imports import types
from wit_world.imports.types import (
    Descriptor,
    JudgeError_Config,
    JudgeError_InvalidInput,
    Needs,
    Report,
    Verdict,
)

# Lower-cased names, set by init; module state lives as long as the instance.
_competitors: List[str] = []


class Meta(exports.Meta):
    def describe(self) -> Descriptor:
        return Descriptor(
            name="mentions-competitor",
            version="0.1.0",
            description="Fails responses that mention a competitor by name",
            scores=True,
            aggregates=False,
            quality=True,
            needs=Needs(0),
            config_keys=[
                ("competitors", "comma-separated names no response may mention (case-insensitive)"),
            ],
        )

    def init(self, config: List[Tuple[str, str]]) -> None:
        global _competitors
        names: List[str] = []
        seen = False
        for key, value in config:
            if key == "competitors":
                seen = True
                names = [n.strip().lower() for n in value.split(",") if n.strip()]
            else:
                raise Err(JudgeError_Config(f"unknown config key '{key}'"))
        if not seen or not names:
            raise Err(JudgeError_Config("competitors is required: a comma-separated list of names"))
        _competitors = names


class Scorer(exports.Scorer):
    def score_batch(self, rows: List[types.Row]):
        out = []
        for row in rows:
            text = row.response
            if text is None:
                out.append(Err(JudgeError_InvalidInput("no response text")))
                continue
            low = text.lower()
            hit = next((n for n in _competitors if n in low), None)
            if hit is None:
                out.append(Ok(Verdict(score=1.0, label=None, passed=True, details=None)))
            else:
                out.append(Ok(Verdict(score=0.0, label=f"competitor:{hit}"[:128], passed=False,
                                      details=None)))
        return out


class Aggregator(exports.Aggregator):
    def begin(self, info: types.RunInfo) -> None:
        return None

    def observe(self, batch: List[types.Observation]) -> None:
        return None

    def finish(self) -> Report:
        return Report(metrics=[], alarms=[])

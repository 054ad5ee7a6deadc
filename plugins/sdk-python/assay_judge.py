"""Helpers for assay judges written in Python (componentize-py, world
`assay:judge@0.1.0`): typed config values, host logging, UTF-8 truncation and
aggregator building blocks -- a per-segment pass rate with a drop alarm, score
means and quantiles, counts by label.

One file, no dependencies: `assay judge new --lang python` copies it into the
judge's `src/`, where componentize-py bundles it. The same metric names,
alarm kind and message as the Rust SDK (`assay_judge_sdk::agg`), so a judge's
report does not depend on its language.

Invariants: aggregator state is O(segments x labels), never O(rows) (scores
go into 1,000 bins over [0, 1]); a row that reaches the aggregator with no
verdict (not completed, a judge error, or stopped by the host) is seen, never
scored. Only `config_errors`, `log` and `to_report` touch the generated
bindings (imported when called), so the rest runs in plain Python tests.
"""

import contextlib

MAX_LABELS = 64
_EPSILON_POINTS = 1e-9
_BINS = 1000


class ConfigError(ValueError):
    """A config value that cannot be used; the message names the key."""


class Config:
    """The `init` pairs. The host has already refused keys judge.toml does not
    declare, so a judge only reads the keys it knows. Last value wins."""

    def __init__(self, pairs):
        self._values = {}
        for key, value in pairs:
            self._values[key] = value

    def get(self, key, default=None):
        return self._values.get(key, default)

    def require(self, key):
        if key not in self._values:
            raise ConfigError(f"missing required config key '{key}'")
        return self._values[key]

    def int(self, key, default):
        value = self._values.get(key)
        if value is None:
            return default
        try:
            return int(value.strip())
        except ValueError:
            raise ConfigError(f"{key} must be a whole number, got '{value}'") from None

    def float(self, key, default):
        value = self._values.get(key)
        if value is None:
            return default
        try:
            f = float(value.strip())
        except ValueError:
            raise ConfigError(f"{key} must be a number, got '{value}'") from None
        if f != f or f in (float("inf"), float("-inf")):
            raise ConfigError(f"{key} must be a finite number, got '{value}'")
        return f

    def list(self, key, default=()):
        """A comma-separated value, items stripped, empty items dropped."""
        value = self._values.get(key)
        if value is None:
            return list(default)
        return [item.strip() for item in value.split(",") if item.strip()]


@contextlib.contextmanager
def config_errors():
    """Inside `init`: turns a ConfigError into the WIT `judge-error.config`."""
    try:
        yield
    except ConfigError as e:
        from componentize_py_types import Err
        from wit_world.imports.types import JudgeError_Config

        raise Err(JudgeError_Config(str(e))) from None


def log(level, message):
    """Logs through the host ('trace', 'debug', 'info', 'warn' or 'error'); see
    the lines with `--judge-log`."""
    from wit_world.imports import host

    host.log(getattr(host.Level, level.upper()), message)


def truncate_utf8(text, max_bytes):
    """`text` cut to at most `max_bytes` UTF-8 bytes on a character boundary,
    ending with an ellipsis when cut (labels: 128 bytes, details: 16 KiB)."""
    data = text.encode("utf-8")
    if len(data) <= max_bytes:
        return text
    ellipsis = "\u2026"
    room = max(max_bytes - len(ellipsis.encode("utf-8")), 0)
    cut = data[:room].decode("utf-8", errors="ignore")
    return cut + ellipsis if max_bytes >= 3 else cut


class LabelCounts:
    """Counts by label, at most MAX_LABELS distinct ones (the rest as 'other')."""

    def __init__(self):
        self.counts = {}

    def add(self, label):
        if label in self.counts:
            self.counts[label] += 1
        elif len(self.counts) < MAX_LABELS:
            self.counts[label] = 1
        else:
            self.counts["other"] = self.counts.get("other", 0) + 1

    def get(self, label):
        return self.counts.get(label, 0)

    def most_common(self):
        """(label, count) of the most frequent label, ties to the first by name."""
        if not self.counts:
            return None
        return min(self.counts.items(), key=lambda kv: (-kv[1], kv[0]))

    def metrics(self, prefix):
        return [(f"{prefix}{label}", None, float(n)) for label, n in sorted(self.counts.items())]


class Scores:
    """Count, mean, range and quantiles (to 0.001) of scores in [0, 1]."""

    def __init__(self):
        self.count = 0
        self._sum = 0.0
        self._min = float("inf")
        self._max = float("-inf")
        self._bins = [0] * (_BINS + 1)

    def add(self, score):
        if score is None or score != score:
            return
        s = min(max(float(score), 0.0), 1.0)
        self.count += 1
        self._sum += s
        self._min = min(self._min, s)
        self._max = max(self._max, s)
        self._bins[int(s * _BINS + 0.5)] += 1

    def mean(self):
        return self._sum / self.count if self.count else None

    def quantile(self, q):
        """Nearest-rank q-quantile, q in [0, 1]."""
        if not self.count:
            return None
        import math

        rank = max(math.ceil(min(max(q, 0.0), 1.0) * self.count), 1)
        seen = 0
        for i, n in enumerate(self._bins):
            seen += n
            if seen >= rank:
                return min(max(i / _BINS, self._min), self._max)
        return self._max

    def metrics(self, prefix):
        out = [(f"{prefix}count", None, float(self.count))]
        if self.count:
            out.append((f"{prefix}mean", None, self.mean()))
            for name, q in (("p50", 0.5), ("p90", 0.9), ("p99", 0.99)):
                out.append((f"{prefix}{name}", None, self.quantile(q)))
        return out


class _Segment:
    def __init__(self):
        self.seen = 0
        self.scored = 0
        self.passed = 0
        self.fail_labels = LabelCounts()


class SegmentPassRate:
    """Pass rate per segment and run-wide; a segment with at least
    `min_segment_rows` scored rows alarms (kind 'segment-drift') when its rate
    is more than `alarm_points` percentage points below the run's."""

    def __init__(self, alarm_points=10.0, min_segment_rows=20):
        self.alarm_points = alarm_points
        self.min_segment_rows = min_segment_rows
        self._shape = None
        self.segments = {}

    def begin(self, info):
        """`info` is the WIT run-info (segment_size, rows_submitted)."""
        self._shape = (info.segment_size, info.rows_submitted)

    def observe(self, obs):
        """One WIT observation; `obs.verdict` is None when this judge did not score the row."""
        v = obs.verdict
        self.add(obs.segment, None if v is None else v.passed, None if v is None else v.label)

    def add(self, segment, passed, label=None):
        """One row of `segment`; `passed` None for a row without a verdict."""
        seg = self.segments.setdefault(segment, _Segment())
        seg.seen += 1
        if passed is None:
            return
        seg.scored += 1
        if passed:
            seg.passed += 1
        else:
            seg.fail_labels.add(label if label is not None else "unlabelled")

    def totals(self):
        return (sum(s.scored for s in self.segments.values()), sum(s.passed for s in self.segments.values()))

    def _rows(self, segment):
        if not self._shape or self._shape[0] <= 0:
            return ""
        size, submitted = self._shape
        first = segment * size
        last = first + size - 1
        if submitted > first:
            last = min(last, submitted - 1)
        return f" (rows {first}-{last})"

    def report(self, what="pass rate"):
        """(metrics, alarms): metrics as (name, segment or None, value), alarms
        as (kind, segment, message), in the Rust SDK's order."""
        scored, passed = self.totals()
        metrics = [("scored", None, float(scored)), ("passed", None, float(passed))]
        alarms = []
        if scored == 0:
            return metrics, alarms
        run_rate = passed / scored
        metrics.append(("pass_rate", None, run_rate))
        for sid in sorted(self.segments):
            seg = self.segments[sid]
            metrics.append(("segment_scored", sid, float(seg.scored)))
            if seg.scored == 0:
                continue
            rate = seg.passed / seg.scored
            metrics.append(("segment_pass_rate", sid, rate))
            drop = (run_rate - rate) * 100.0
            if seg.scored >= self.min_segment_rows and drop > self.alarm_points + _EPSILON_POINTS:
                worst = seg.fail_labels.most_common()
                worst = f"; most broken: {worst[0]} ({worst[1]} rows)" if worst else ""
                message = (
                    f"segment {sid}{self._rows(sid)}: {what} {rate * 100:.1f}% vs "
                    f"{run_rate * 100:.1f}% batch-wide ({(rate - run_rate) * 100:+.1f} points){worst}"
                )
                alarms.append(("segment-drift", sid, message))
        return metrics, alarms


def to_report(metrics, alarms=()):
    """The WIT `report` from (name, segment, value) metrics and (kind, segment, message) alarms."""
    from wit_world.imports.types import Alarm, Metric, Report

    return Report(
        metrics=[Metric(name=n, value=v, segment=s) for n, s, v in metrics],
        alarms=[Alarm(kind=k, segment=s, message=m) for k, s, m in alarms],
    )

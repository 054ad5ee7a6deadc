// Helpers for assay judges written in JavaScript (ComponentizeJS, world
// `assay:judge@0.1.0`): typed config values, judge errors, UTF-8 truncation and
// aggregator building blocks -- a per-segment pass rate with a drop alarm,
// score means and quantiles, counts by label.
//
// One ES module, no imports: `assay judge new --lang js` copies it into the
// judge's `src/`, where ComponentizeJS bundles it (`import ... from
// './assay_judge.js'`). The same metric names, alarm kind and message as the
// Rust SDK (`assay_judge_sdk::agg`), so a judge's report does not depend on
// its language.
//
// Invariants: aggregator state is O(segments x labels), never O(rows) (scores
// go into 1,000 bins over [0, 1]); a row that reaches the aggregator with no
// verdict (not completed, a judge error, or stopped by the host) is seen,
// never scored.

export const MAX_LABELS = 64;
const EPSILON_POINTS = 1e-9;
const BINS = 1000;

/** An Error carrying a WIT `judge-error`: throw it from an export. */
export function judgeError(tag, message) {
  const e = new Error(message);
  e.payload = { tag, val: message };
  return e;
}

/** The `init` pairs. The host has already refused keys judge.toml does not
 * declare, so a judge only reads the keys it knows. Last value wins; every
 * error is a `config` judge-error naming the key. */
export class Config {
  constructor(pairs) {
    this.values = new Map(pairs);
  }

  get(key, fallback = undefined) {
    return this.values.has(key) ? this.values.get(key) : fallback;
  }

  require(key) {
    if (!this.values.has(key)) throw judgeError('config', `missing required config key '${key}'`);
    return this.values.get(key);
  }

  int(key, fallback) {
    if (!this.values.has(key)) return fallback;
    const value = this.values.get(key);
    const n = Number(value.trim());
    if (value.trim() === '' || !Number.isInteger(n)) {
      throw judgeError('config', `${key} must be a whole number, got '${value}'`);
    }
    return n;
  }

  float(key, fallback) {
    if (!this.values.has(key)) return fallback;
    const value = this.values.get(key);
    const n = Number(value.trim());
    if (value.trim() === '' || !Number.isFinite(n)) {
      throw judgeError('config', `${key} must be a finite number, got '${value}'`);
    }
    return n;
  }

  /** A comma-separated value, items trimmed, empty items dropped. */
  list(key, fallback = []) {
    if (!this.values.has(key)) return [...fallback];
    return this.values.get(key).split(',').map((s) => s.trim()).filter((s) => s !== '');
  }
}

/** `text` cut to at most `maxBytes` UTF-8 bytes on a character boundary,
 * ending with an ellipsis when cut (labels: 128 bytes, details: 16 KiB). */
export function truncateUtf8(text, maxBytes) {
  let bytes = 0;
  const room = Math.max(maxBytes - 3, 0);
  let end = 0;
  let cutAt = -1;
  for (const ch of text) {
    const cp = ch.codePointAt(0);
    const n = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    if (cutAt < 0 && bytes + n > room) cutAt = end;
    bytes += n;
    end += ch.length;
    if (bytes > maxBytes) return text.slice(0, cutAt) + (maxBytes >= 3 ? '\u2026' : '');
  }
  return text;
}

/** Counts by label, at most MAX_LABELS distinct ones (the rest as 'other'). */
export class LabelCounts {
  constructor() {
    this.counts = new Map();
  }

  add(label) {
    if (this.counts.has(label)) this.counts.set(label, this.counts.get(label) + 1);
    else if (this.counts.size < MAX_LABELS) this.counts.set(label, 1);
    else this.counts.set('other', (this.counts.get('other') ?? 0) + 1);
  }

  get(label) {
    return this.counts.get(label) ?? 0;
  }

  /** [label, count] of the most frequent label, ties to the first by name. */
  mostCommon() {
    let best;
    for (const [label, n] of this.counts) {
      if (!best || n > best[1] || (n === best[1] && label < best[0])) best = [label, n];
    }
    return best;
  }

  metrics(prefix) {
    return [...this.counts.keys()].sort().map((label) => ({ name: `${prefix}${label}`, value: this.counts.get(label), segment: undefined }));
  }
}

/** Count, mean, range and quantiles (to 0.001) of scores in [0, 1]. */
export class Scores {
  constructor() {
    this.count = 0;
    this.sum = 0;
    this.min = Infinity;
    this.max = -Infinity;
    this.bins = new Array(BINS + 1).fill(0);
  }

  add(score) {
    if (score === undefined || score === null || Number.isNaN(score)) return;
    const s = Math.min(Math.max(score, 0), 1);
    this.count += 1;
    this.sum += s;
    this.min = Math.min(this.min, s);
    this.max = Math.max(this.max, s);
    this.bins[Math.round(s * BINS)] += 1;
  }

  mean() {
    return this.count ? this.sum / this.count : undefined;
  }

  /** Nearest-rank q-quantile, q in [0, 1]. */
  quantile(q) {
    if (!this.count) return undefined;
    const rank = Math.max(Math.ceil(Math.min(Math.max(q, 0), 1) * this.count), 1);
    let seen = 0;
    for (let i = 0; i < this.bins.length; i++) {
      seen += this.bins[i];
      if (seen >= rank) return Math.min(Math.max(i / BINS, this.min), this.max);
    }
    return this.max;
  }

  metrics(prefix) {
    const out = [{ name: `${prefix}count`, value: this.count, segment: undefined }];
    if (this.count) {
      out.push({ name: `${prefix}mean`, value: this.mean(), segment: undefined });
      for (const [name, q] of [['p50', 0.5], ['p90', 0.9], ['p99', 0.99]]) {
        out.push({ name: `${prefix}${name}`, value: this.quantile(q), segment: undefined });
      }
    }
    return out;
  }
}

/** One decimal as Rust's `{:.1}` and Python's `:.1f` write it: the nearest
 * value, an exact tie to the even digit (toFixed sends a tie up: 0.25 -> 0.3). */
export function fixed1(x) {
  const a = Math.abs(x);
  let s = a.toFixed(1);
  // toFixed(100) is the exact binary value: a tie ends in 5 and then zeros.
  const exact = a.toFixed(100);
  if (/^\d+\.\d50*$/.test(exact) && Number(exact[exact.indexOf('.') + 1]) % 2 === 0) {
    s = exact.slice(0, exact.indexOf('.') + 2);
  }
  return x < 0 ? `-${s}` : s;
}

function signed(x) {
  const s = fixed1(x);
  return s.startsWith('-') ? s : `+${s}`;
}

/** Pass rate per segment and run-wide; a segment with at least
 * `minSegmentRows` scored rows alarms (kind 'segment-drift') when its rate is
 * more than `alarmPoints` percentage points below the run's. */
export class SegmentPassRate {
  constructor(alarmPoints = 10, minSegmentRows = 20) {
    this.alarmPoints = alarmPoints;
    this.minSegmentRows = minSegmentRows;
    this.shape = undefined;
    this.segments = new Map();
  }

  /** `info` is the WIT run-info (segmentSize, rowsSubmitted as bigint). */
  begin(info) {
    this.shape = [Number(info.segmentSize), Number(info.rowsSubmitted)];
  }

  /** One WIT observation; `obs.verdict` is undefined when this judge did not score the row. */
  observe(obs) {
    const v = obs.verdict;
    this.add(obs.segment, v === undefined ? undefined : v.passed, v === undefined ? undefined : v.label);
  }

  /** One row of `segment`; `passed` undefined for a row without a verdict. */
  add(segment, passed, label = undefined) {
    let seg = this.segments.get(segment);
    if (!seg) {
      seg = { seen: 0, scored: 0, passed: 0, failLabels: new LabelCounts() };
      this.segments.set(segment, seg);
    }
    seg.seen += 1;
    if (passed === undefined) return;
    seg.scored += 1;
    if (passed) seg.passed += 1;
    else seg.failLabels.add(label ?? 'unlabelled');
  }

  totals() {
    let scored = 0;
    let passed = 0;
    for (const s of this.segments.values()) {
      scored += s.scored;
      passed += s.passed;
    }
    return [scored, passed];
  }

  rows(segment) {
    if (!this.shape || this.shape[0] <= 0) return '';
    const [size, submitted] = this.shape;
    const first = segment * size;
    let last = first + size - 1;
    if (submitted > first) last = Math.min(last, submitted - 1);
    return ` (rows ${first}-${last})`;
  }

  /** The WIT report ({ metrics, alarms }), in the Rust SDK's order. */
  report(what = 'pass rate') {
    const [scored, passed] = this.totals();
    const metrics = [
      { name: 'scored', value: scored, segment: undefined },
      { name: 'passed', value: passed, segment: undefined },
    ];
    const alarms = [];
    if (scored === 0) return { metrics, alarms };
    const runRate = passed / scored;
    metrics.push({ name: 'pass_rate', value: runRate, segment: undefined });
    for (const id of [...this.segments.keys()].sort((a, b) => a - b)) {
      const seg = this.segments.get(id);
      metrics.push({ name: 'segment_scored', value: seg.scored, segment: id });
      if (seg.scored === 0) continue;
      const rate = seg.passed / seg.scored;
      metrics.push({ name: 'segment_pass_rate', value: rate, segment: id });
      const drop = (runRate - rate) * 100;
      if (seg.scored >= this.minSegmentRows && drop > this.alarmPoints + EPSILON_POINTS) {
        const worst = seg.failLabels.mostCommon();
        const tail = worst ? `; most broken: ${worst[0]} (${worst[1]} rows)` : '';
        const message =
          `segment ${id}${this.rows(id)}: ${what} ${fixed1(rate * 100)}% vs ` +
          `${fixed1(runRate * 100)}% batch-wide (${signed((rate - runRate) * 100)} points)${tail}`;
        alarms.push({ kind: 'segment-drift', segment: id, message });
      }
    }
    return { metrics, alarms };
  }
}

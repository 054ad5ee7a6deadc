// Plain-Node tests of assay_judge.js (run: node --test test/).
import assert from 'node:assert/strict';
import test from 'node:test';

import { Config, LabelCounts, MAX_LABELS, Scores, SegmentPassRate, fixed1, truncateUtf8 } from '../assay_judge.js';

test('config values are typed and errors name the key', () => {
  const c = new Config([['n', ' 5 '], ['f', '0.5'], ['l', 'a, b,,c'], ['n', '7']]);
  assert.equal(c.int('n', 1), 7);
  assert.equal(c.int('absent', 1), 1);
  assert.equal(c.float('f', 0), 0.5);
  assert.deepEqual(c.list('l'), ['a', 'b', 'c']);
  assert.throws(() => c.int('f', 0), (e) => e.payload.tag === 'config' && e.payload.val === "f must be a whole number, got '0.5'");
  assert.throws(() => c.require('x'), (e) => e.payload.val === "missing required config key 'x'");
  assert.throws(() => new Config([['f', 'NaN']]).float('f', 0), (e) => e.payload.val.includes('finite'));
});

test('truncation cuts on a character boundary', () => {
  const s = truncateUtf8('ééééé', 6);
  assert.ok(Buffer.byteLength(s) <= 6 && s.endsWith('\u2026'), s);
  assert.equal(truncateUtf8('short', 6), 'short');
});

function feed(s, segment, passes, fails, label) {
  for (let i = 0; i < passes; i++) s.add(segment, true);
  for (let i = 0; i < fails; i++) s.add(segment, false, label);
}

test('same report as the Rust SDK', () => {
  // The case of plugins/sdk/src/agg/tests.rs, byte for byte.
  const s = new SegmentPassRate(5, 20);
  s.begin({ segmentSize: 100, rowsSubmitted: 350n });
  feed(s, 0, 95, 5, 'type');
  feed(s, 1, 95, 5, 'type');
  feed(s, 2, 95, 5, 'type');
  feed(s, 3, 30, 20, 'required');
  const r = s.report();
  assert.deepEqual(r.metrics.find((m) => m.name === 'scored'), { name: 'scored', value: 350, segment: undefined });
  assert.equal(r.metrics.find((m) => m.name === 'segment_pass_rate' && m.segment === 3).value, 0.6);
  assert.deepEqual(r.alarms, [{
    kind: 'segment-drift',
    segment: 3,
    message: 'segment 3 (rows 300-349): pass rate 60.0% vs 90.0% batch-wide (-30.0 points); most broken: required (20 rows)',
  }]);
});

test('rows without a verdict are seen, not scored', () => {
  const s = new SegmentPassRate(5, 1);
  s.observe({ segment: 0, verdict: undefined });
  s.observe({ segment: 0, verdict: { passed: true, label: undefined } });
  assert.deepEqual([s.segments.get(0).seen, s.segments.get(0).scored], [2, 1]);
  const empty = new SegmentPassRate();
  empty.add(4, undefined);
  assert.deepEqual(empty.report().metrics.map((m) => m.name), ['scored', 'passed']);
  const t = new SegmentPassRate(10, 1);
  feed(t, 0, 10, 0, '');
  feed(t, 1, 8, 2, 'x');
  assert.deepEqual(t.report().alarms, [], 'exactly at the threshold');
});

test('scores and labels', () => {
  const s = new Scores();
  assert.equal(s.quantile(0.5), undefined);
  for (let i = 0; i <= 100; i++) s.add(i / 100);
  s.add(NaN);
  s.add(7);
  assert.equal(s.count, 102);
  assert.ok(Math.abs(s.mean() - 51.5 / 102) < 1e-12);
  assert.deepEqual([s.quantile(0), s.quantile(0.5), s.quantile(1)], [0, 0.5, 1]);
  assert.deepEqual(s.metrics('score_').map((m) => m.name), ['score_count', 'score_mean', 'score_p50', 'score_p90', 'score_p99']);
  const l = new LabelCounts();
  for (let i = 0; i < MAX_LABELS + 10; i++) l.add(`l${String(i).padStart(3, '0')}`);
  l.add('l000');
  assert.deepEqual([l.get('other'), l.get('l000')], [10, 2]);
  assert.deepEqual(l.mostCommon(), ['other', 10]);
});

test('one decimal as Rust and Python write it (exact ties to even)', () => {
  // format!("{:.1}", x) and f"{x:.1f}" for each x.
  const cases = [[0.25, '0.2'], [0.75, '0.8'], [12.25, '12.2'], [2.5, '2.5'], [-0.25, '-0.2'], [0.35, '0.3'], [33.349999, '33.3'], [66.66666666666667, '66.7']];
  for (const [x, want] of cases) assert.equal(fixed1(x), want, String(x));
});

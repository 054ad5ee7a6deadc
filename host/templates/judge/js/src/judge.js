// {{name}}: an assay judge in JavaScript (ComponentizeJS), against the WIT in
// ../wit (assay:judge@0.1.0, world `judge`), with the helpers in assay_judge.js.
//
// Fails a completed row whose response is empty (label "empty") or longer
// than config `max-chars` (default 100, in Unicode code points; label
// "too-long"). A row without response text is a judge-error (invalid-input),
// not a thrown exception: an uncaught exception traps, and a trap means the
// host stopped the judge. The aggregator reports the pass rate per segment and
// alarms when a segment drops; rows this judge did not score reach it with no
// verdict.
//
// The config keys are declared once, in judge.toml: the host refuses any other
// key before init. Binding conventions: records are objects with camelCase
// fields, variants are { tag, val }, option<T> is T | undefined, and a
// `result<_, E>` export fails by throwing an Error whose `payload` is E. Built
// with random and clocks disabled: no Math.random() or Date.now(). console.*
// and an uncaught exception's stack reach --judge-log and the row's failure
// detail; log with the host's `log` too.

import { log } from 'assay:judge/host@0.1.0';
import { Config, SegmentPassRate } from './assay_judge.js';

// Set by init; module state lives as long as the instance, across many chunks.
let maxChars = 100;
let rates = new SegmentPassRate();

export const meta = {
  describe() {
    return {
      name: '{{name}}',
      version: '0.1.0',
      description: 'Fails empty responses and responses longer than max-chars',
      scores: true,
      aggregates: true,
      quality: true,
      needs: { prompt: false, metadata: false }, // true only for fields the judge reads
      configKeys: [], // judge.toml's [config] is the list; the host enforces it
    };
  },
  init(pairs) {
    const config = new Config(pairs);
    maxChars = config.int('max-chars', 100);
    rates = new SegmentPassRate(config.float('alarm-points', 10), config.int('min-segment-rows', 20));
    log('debug', `max-chars = ${maxChars}`);
  },
};

// Plain index loops: the engine is an interpreter inside wasm, so they are
// much cheaper than regexes or for...of over a string.
function isBlank(text) {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c !== 32 && c !== 9 && c !== 10 && c !== 13) return false;
  }
  return true;
}

function codePoints(text) {
  let n = text.length;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xdc00 && c <= 0xdfff) n--; // low half of a surrogate pair
  }
  return n;
}

function verdict(text) {
  if (isBlank(text)) return { score: 0, label: 'empty', passed: false, details: undefined };
  const n = text.length > maxChars ? codePoints(text) : text.length;
  if (n > maxChars) {
    return { score: 0, label: 'too-long', passed: false, details: `${n} characters, above max-chars ${maxChars}` };
  }
  return { score: 1, label: undefined, passed: true, details: undefined };
}

export const scorer = {
  // One result per row, in order.
  scoreBatch(rows) {
    return rows.map((row) =>
      row.response === undefined || row.response === null
        ? { tag: 'err', val: { tag: 'invalid-input', val: 'no response text' } }
        : { tag: 'ok', val: verdict(row.response) },
    );
  },
};

export const aggregator = {
  begin(info) {
    rates.begin(info);
  },
  observe(batch) {
    for (const obs of batch) rates.observe(obs);
  },
  finish() {
    return rates.report();
  },
};

// length-format: an assay judge written in JavaScript (ComponentizeJS / jco).
//
// Fails a completed row whose response is longer than config `max-chars`
// (default 500, counted in Unicode code points) or does not end in sentence
// punctuation (. ! ? …, optionally followed by a closing quote or bracket).
// Scores only; the aggregator exports exist because the world requires them.
//
// Binding conventions (jco): records are objects with camelCase fields,
// variants are { tag, val }, option<T> is T | undefined, flags are objects
// of booleans, and a `result<_, E>` export reports an error by throwing
// { payload: E }.

let maxChars = 500;

function configError(message) {
  const e = new Error(message);
  e.payload = { tag: 'config', val: message };
  return e;
}

export const meta = {
  describe() {
    return {
      name: 'length-format',
      version: '0.1.0',
      description: 'Fails responses longer than max-chars or not ending in sentence punctuation',
      scores: true,
      aggregates: false,
      quality: true,
      needs: { prompt: false, metadata: false },
      configKeys: [
        ['max-chars', 'longest acceptable response, in characters (default 500)'],
      ],
    };
  },
  init(config) {
    for (const [key, value] of config) {
      if (key === 'max-chars') {
        const n = Number(value.trim());
        if (!Number.isInteger(n) || n <= 0) {
          throw configError(`max-chars must be a positive integer, got '${value}'`);
        }
        maxChars = n;
      } else {
        throw configError(`unknown config key '${key}'`);
      }
    }
  },
};

const SENTENCE_END = new Set(['.', '!', '?', '\u2026']);
const CLOSERS = new Set(['"', "'", '\u201d', '\u2019', ')', ']']);

// Plain loops rather than a regex or `for...of`: the engine runs as an
// interpreter inside wasm, where a `...$` regex tries every position.
function endsLikeASentence(text) {
  let i = text.length - 1;
  while (i >= 0 && /\s/.test(text[i])) i--;
  while (i >= 0 && CLOSERS.has(text[i])) i--;
  return i >= 0 && SENTENCE_END.has(text[i]);
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
  // UTF-16 length is an upper bound on code points: count only when it matters.
  const chars = text.length > maxChars ? codePoints(text) : text.length;
  if (chars > maxChars) {
    return {
      score: 0,
      label: 'too-long',
      passed: false,
      details: `${chars} characters, above max-chars ${maxChars}`,
    };
  }
  if (!endsLikeASentence(text)) {
    return { score: 0, label: 'no-final-punctuation', passed: false, details: undefined };
  }
  return { score: 1, label: undefined, passed: true, details: undefined };
}

export const scorer = {
  scoreBatch(rows) {
    return rows.map((row) =>
      row.response === undefined || row.response === null
        ? { tag: 'err', val: { tag: 'invalid-input', val: 'no response text' } }
        : { tag: 'ok', val: verdict(row.response) },
    );
  },
};

export const aggregator = {
  begin(_info) {},
  observe(_batch) {},
  finish() {
    return { metrics: [], alarms: [] };
  },
};

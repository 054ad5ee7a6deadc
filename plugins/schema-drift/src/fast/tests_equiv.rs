//! Equivalence: thousands of deterministic mutations of valid responses; the fast
//! path may pass only what the slow path passes, and `score` must equal the slow
//! path's verdict on every input.

use super::tests::{BENCH, key};
use crate::SchemaCheck;

/// Exercises the keywords the benchmark's schemas leave out.
const WIDE: &str = r#"{
  "type": "object",
  "properties": {
    "id": {"type": "integer", "minimum": 1, "exclusiveMaximum": 1000000},
    "kind": {"const": "x"},
    "flag": {"type": ["boolean", "null"]},
    "scores": {"type": "array", "items": {"type": "number", "exclusiveMinimum": -1, "maximum": 9007199254740992},
               "minItems": 1, "maxItems": 3},
    "meta": {"type": "object", "properties": {"k": {"enum": ["a", "b", null, false]}}, "additionalProperties": true},
    "any": true
  },
  "required": ["id", "kind", "extra"]
}"#;

const SEEDS_SCHEMA: &[&str] = &[
    r#"{"label": "neutral", "confidence": 0.5, "tags": ["a"]}"#,
    r#"{"label":"positive","confidence":1}"#,
    r#"{"confidence":0,"label":"negative","tags":[]}"#,
    r#"{"label":"neutral","confidence":0.25,"tags":["x","y\n","\u00e9"]}"#,
];
const SEEDS_BENCH: &[&str] = &[
    r#"{"label":"negative","confidence":0.83,"rationale":"Delivery laggy the comfortable happy 5★ responsive."}"#,
    r#"{"label":"positive","confidence":1,"rationale":"a"}"#,
    r#"{"rationale":"mixed \"quotes\" and \\ slashes","label":"neutral","confidence":0.0}"#,
];
const SEEDS_WIDE: &[&str] = &[
    r#"{"id":7,"kind":"x","extra":[1,{"a":null}],"flag":null,"scores":[0.5,-0.5,3]}"#,
    r#"{"id":999999,"kind":"x","extra":"e","meta":{"k":"a","z":[true]},"any":{"b":1}}"#,
    r#"{"extra":0,"kind":"x","id":1.0,"flag":true,"meta":{"k":false}}"#,
];

const ALPHABET: &[&str] = &[
    "{", "}", "[", "]", "\"", ":", ",", "0", "1", "9", ".", "-", "e", "E", " ", "\\", "n", "t", "é", "x", "\n", "\u{0}",
];
const NUMBERS: &[&str] = &[
    "1e400",
    "-0",
    "1.0",
    "0",
    "1",
    "-1",
    "18446744073709551616",
    "18446744073709551615",
    "-9223372036854775809",
    "-9223372036854775808",
    "9007199254740993",
    "9007199254740992",
    "1e-400",
    "0.9999999999999999999",
    "1.0000000000000001",
    "1E0",
    "0e5",
    "-0.0",
    "01",
    ".5",
    "1.",
    "+1",
    "NaN",
    "2",
    "999999",
    "1000000",
    "1e6",
    "0.5",
    "-1.0",
    "3.0e0",
];
const STRINGS: &[&str] = &[
    "\"\\u0070ositive\"",
    "\"posit\\u0069ve\"",
    "\"\\u0050ositive\"",
    "\"positive\\u0000\"",
    "\"\\ud83d\\ude00\"",
    "\"\\ud800\"",
    "\"neutral\"",
    "\"negative \"",
    "\"\"",
    "\"x\"",
    "\"\\u0078\"",
    "null",
    "true",
    "[]",
    "{}",
];
const KEYS: &[&str] = &[
    "label",
    "confidence",
    "rationale",
    "tags",
    "id",
    "kind",
    "extra",
    "meta",
    "k",
    "x",
    "",
];

/// xorshift64: deterministic, no dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick<'a>(&mut self, from: &[&'a str]) -> &'a str {
        from[self.below(from.len())]
    }
}

/// A char boundary at or before a random byte offset.
fn boundary(text: &str, rng: &mut Rng) -> usize {
    let mut at = rng.below(text.len() + 1);
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

/// Byte ranges of the JSON number tokens and string tokens in `text` (roughly: good enough to aim at).
fn tokens(text: &str, strings: bool) -> Vec<(usize, usize)> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'"' {
            let start = i;
            i += 1;
            while i < b.len() && b[i] != b'"' {
                i += if b[i] == b'\\' { 2 } else { 1 };
            }
            i = (i + 1).min(b.len());
            if strings {
                out.push((start, i));
            }
        } else if !strings && (b[i] == b'-' || b[i].is_ascii_digit()) {
            let start = i;
            while i < b.len() && (b"+-.eE".contains(&b[i]) || b[i].is_ascii_digit()) {
                i += 1;
            }
            out.push((start, i));
        } else {
            i += 1;
        }
    }
    out
}

fn replace_token(text: &mut String, rng: &mut Rng, strings: bool, with: &str) {
    let found = tokens(text, strings);
    if found.is_empty() {
        return;
    }
    let (start, end) = found[rng.below(found.len())];
    if text.is_char_boundary(start) && text.is_char_boundary(end) {
        text.replace_range(start..end, with);
    }
}

fn mutate(text: &mut String, rng: &mut Rng) {
    match rng.below(15) {
        0 if !text.is_empty() => {
            let at = boundary(text, rng);
            if at < text.len() {
                text.remove(at);
            }
        }
        1 => {
            let at = boundary(text, rng);
            let piece = rng.pick(ALPHABET);
            text.insert_str(at, piece);
        }
        2 => {
            let at = boundary(text, rng);
            if at < text.len() {
                text.remove(at);
            }
            let piece = rng.pick(ALPHABET);
            text.insert_str(at, piece);
        }
        3 => {
            let key = format!("\"{}\"", rng.pick(KEYS));
            replace_token(text, rng, true, &key);
        }
        4 => {
            let values = [NUMBERS, STRINGS][rng.below(2)];
            let member = format!("\"{}\":{},", rng.pick(KEYS), rng.pick(values));
            if let Some(at) = text.find('{') {
                text.insert_str(at + 1, &member);
            }
        }
        5 => {
            let n = rng.pick(NUMBERS);
            replace_token(text, rng, false, n);
        }
        6 => {
            let s = rng.pick(STRINGS);
            replace_token(text, rng, true, s);
        }
        7 => *text = format!("[{text}]"),
        8 => text.push_str(rng.pick(&[" ", "\n", "x", "}", " {}", ",", "\u{feff}", "]"])),
        9 => text.insert_str(0, rng.pick(&[" ", "\u{feff}", "\t\r\n", "x"])),
        10 => {
            // A string of a length near the bench schema's limits, multi-byte or not.
            let n = [0, 1, 2, 1999, 2000, 2001][rng.below(6)];
            let c = ["a", "é", "日", "😀", "\\u00e9", "\\\""][rng.below(6)];
            let s = format!("\"{}\"", c.repeat(n));
            replace_token(text, rng, true, &s);
        }
        11 => {
            let depth = [2, 127, 128, 129, 200][rng.below(5)];
            let v = format!("{}1{}", "[".repeat(depth), "]".repeat(depth));
            replace_token(text, rng, false, &v);
        }
        12 => {
            // Duplicate an existing member (first string token with what follows up to a comma or brace).
            if let Some(start) = text.find('"') {
                let end = text[start..].find([',', '}']).map_or(text.len(), |e| start + e);
                let member = text[start..end].to_string();
                if let Some(close) = text.rfind('}') {
                    text.insert_str(close, &format!(",{member}"));
                }
            }
        }
        13 => {
            // Remove a member: a name token followed by `:`, through its value and one comma.
            let names: Vec<_> = tokens(text, true)
                .into_iter()
                .filter(|&(_, e)| text[e..].starts_with(':'))
                .collect();
            if !names.is_empty() {
                let (start, end) = names[rng.below(names.len())];
                let stop = text[end..].find([',', '}']).map_or(text.len(), |e| end + e);
                let stop = if text[stop..].starts_with(',') { stop + 1 } else { stop };
                text.replace_range(start..stop, "");
            }
        }
        _ => {
            let v = ["[1]", "[\"a\",2]", "{\"a\":1}", "[]", "{}", "true", "null"][rng.below(7)];
            let strings = rng.below(2) == 0;
            replace_token(text, rng, strings, v);
        }
    }
}

/// Runs `rounds` mutated inputs through `check`; returns how many the fast path passed.
fn equivalent(schema: &str, seeds: &[&str], rounds: usize, seed: u64) -> usize {
    let check = SchemaCheck::new(schema).expect("schema compiles");
    let mut rng = Rng(seed);
    let mut fast_passes = 0;
    for round in 0..rounds {
        let mut text = seeds[round % seeds.len()].to_string();
        for _ in 0..=rng.below(3) {
            mutate(&mut text, &mut rng);
        }
        let fast = check.fast_passes(&text).expect("schema has a fast path");
        let slow = check.slow_score(Some(&text));
        assert!(
            !fast || slow.passed,
            "fast path passed, slow path failed: {text:?} -> {slow:?}"
        );
        assert_eq!(
            key(&check.score(Some(&text))),
            key(&slow),
            "verdicts differ on {text:?}"
        );
        fast_passes += usize::from(fast);
    }
    fast_passes
}

#[test]
fn fast_path_agrees_with_slow_path_on_mutations() {
    let runs = [
        (crate::check::tests::SCHEMA, SEEDS_SCHEMA, 0x9e37_79b9_7f4a_7c15),
        (BENCH, SEEDS_BENCH, 0x2545_f491_4f6c_dd1d),
        (WIDE, SEEDS_WIDE, 0x1234_5678_9abc_def1),
    ];
    for (schema, seeds, seed) in runs {
        // Unmutated seeds pass the fast path.
        let check = SchemaCheck::new(schema).expect("schema compiles");
        for s in seeds {
            assert_eq!(check.fast_passes(s), Some(true), "{s}");
        }
        let passed = equivalent(schema, seeds, 4000, seed);
        // The mutations must leave a good share of inputs passing, or the test proves little.
        assert!(passed > 200, "only {passed} fast passes");
    }
}

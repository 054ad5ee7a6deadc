use super::super::Scan;
use super::{SEEN, clear, keep, offer};
use crate::json::scan::mutate::mutated;

/// Where one value at the start of `line` ends, if the scan passes it.
fn skip(line: &[u8]) -> Option<usize> {
    let text = std::str::from_utf8(line).ok()?;
    let mut s = Scan::new(text)?;
    s.value()?;
    Some(s.i)
}

/// How many entries a thread keeps now.
fn kept() -> usize {
    SEEN.with(|s| s.borrow().entries.iter().filter(|e| !e.text.is_empty()).count())
}

const FILTERS: &str = r#"{"hate":{"filtered":false,"severity":"safe"},"self_harm":{"filtered":false,"severity":"safe"},"jailbreak":{"filtered":false,"detected":false}}"#;
const PROMPTS: &str =
    r#"[{"prompt_index":0,"content_filter_results":{"sexual":{"filtered":false,"severity":"safe"}}}]"#;

#[test]
fn a_kept_value_answers_exactly_as_the_walk_does() {
    let corpus: Vec<String> = [FILTERS, PROMPTS]
        .iter()
        .flat_map(|v| [v.to_string(), format!("{v},1"), format!("{v}}}"), format!("  {v}")])
        .collect();
    let (mut passed, mut tried) = (0, 0);
    for line in mutated(&corpus, 0x5eed, 20_000) {
        let walked = walked(&line);
        // Warm: both values kept (each met twice), then the line again.
        clear();
        for _ in 0..2 {
            assert!(skip(FILTERS.as_bytes()).is_some() && skip(PROMPTS.as_bytes()).is_some());
        }
        // FILTERS and the object in PROMPTS (an array's element; arrays
        // are not kept whole).
        assert_eq!(kept(), 2);
        let warm = skip(&line);
        assert_eq!(warm, walked, "{}", String::from_utf8_lossy(&line));
        passed += usize::from(walked.is_some());
        tried += 1;
    }
    // The mutations leave some values whole and break others.
    assert!(passed > tried / 20 && passed < tried, "{passed} of {tried}");
}

/// An array is skipped element by element, never looked up or kept whole:
/// only its object element is kept, however often the array repeats.
#[test]
fn an_array_is_kept_element_by_element_never_whole() {
    clear();
    for _ in 0..4 {
        assert_eq!(skip(PROMPTS.as_bytes()), Some(PROMPTS.len()));
    }
    let texts: Vec<Vec<u8>> = SEEN.with(|s| s.borrow().entries.iter().map(|e| e.text.clone()).collect());
    let texts: Vec<&[u8]> = texts.iter().map(Vec::as_slice).filter(|t| !t.is_empty()).collect();
    assert_eq!(texts, [&PROMPTS.as_bytes()[1..PROMPTS.len() - 1]]);
    clear();
}

/// Text the walk refuses: a scan passes it only while it is kept.
const BROKEN: &[u8] = br#"{"filtered":tru,"severity":"safe"}"#;

#[test]
fn a_kept_text_is_skipped_without_a_walk() {
    clear();
    assert_eq!(skip(BROKEN), None);
    // Kept on purpose against the module's invariant: the only way a scan
    // passes it is the comparison.
    keep(BROKEN);
    assert_eq!(skip(BROKEN), Some(BROKEN.len()));
    clear();
}

#[test]
fn a_value_that_repeats_outlives_values_that_do_not() {
    clear();
    keep(BROKEN);
    for n in 0..1000 {
        // Each line: the repeating value, then one seen only once.
        assert_eq!(skip(BROKEN), Some(BROKEN.len()), "line {n}");
        let once = format!(r#"{{"id":"row-{n}","tokens":[{n},{n},{n}]}}"#);
        assert_eq!(skip(once.as_bytes()), Some(once.len()));
    }
    clear();
}

#[test]
fn a_value_that_stopped_repeating_gives_way() {
    clear();
    keep(BROKEN);
    for _ in 0..1000 {
        assert!(skip(BROKEN).is_some());
    }
    for n in 0..40 {
        keep(format!(r#"{{"id":"row-{n}","tokens":[{n},{n},{n}]}}"#).as_bytes());
    }
    assert_eq!(skip(BROKEN), None);
    clear();
}

#[test]
fn a_value_is_kept_the_second_time_it_is_met() {
    clear();
    assert_eq!(skip(FILTERS.as_bytes()), Some(FILTERS.len()));
    assert_eq!(kept(), 0);
    assert_eq!(skip(FILTERS.as_bytes()), Some(FILTERS.len()));
    assert_eq!(kept(), 1);
    clear();
}

#[test]
fn values_that_differ_on_every_line_are_never_kept_but_their_repeating_elements_are() {
    clear();
    for n in 0..1000 {
        // A message list: the same system prompt, another review each line.
        const WORDS: [&str; 8] = ["fine", "broke", "late", "great", "cheap", "loud", "ok", "returned"];
        let review: Vec<&str> = (0..5 + n % 13).map(|j| WORDS[(n * 7 + j * 3 + n / 8) % 8]).collect();
        let messages = format!(
            r#"[{{"role":"system","content":"Classify."}},{{"role":"user","content":"{}"}}]"#,
            review.join(" ")
        );
        assert_eq!(skip(messages.as_bytes()), Some(messages.len()));
    }
    // Only the system message, an element that repeats.
    let system = br#"{"role":"system","content":"Classify."}"#;
    let texts: Vec<Vec<u8>> = SEEN.with(|s| s.borrow().entries.iter().map(|e| e.text.clone()).collect());
    let texts: Vec<&[u8]> = texts.iter().map(Vec::as_slice).filter(|t| !t.is_empty()).collect();
    assert_eq!(texts, [&system[..]]);
    clear();
}

#[test]
fn short_long_deep_and_scalar_values_are_not_kept() {
    clear();
    let mut long = b"[".to_vec();
    long.extend(std::iter::repeat_n(b'1', 1100));
    long.push(b']');
    let deep = format!("{}1{}", "[".repeat(super::DEEPEST + 1), "]".repeat(super::DEEPEST + 1));
    for _ in 0..2 {
        offer(deep.as_bytes());
        for text in [
            &b"{\"a\":1}"[..],
            b"\"a string of some length\"",
            &[b' '; 200][..],
            &long,
        ] {
            offer(text);
        }
    }
    assert_eq!(kept(), 0);
}

/// Where the walk alone, with nothing kept, ends the value at the start
/// of `line`.
fn walked(line: &[u8]) -> Option<usize> {
    let text = std::str::from_utf8(line).ok()?;
    let mut s = Scan::new(text)?;
    s.walk_value(super::super::MAX_DEPTH)?;
    Some(s.i)
}

#[test]
fn an_array_read_element_by_element_passes_what_the_walk_passes() {
    let nested = |d: usize| format!("{}1{}", "[".repeat(d), "]".repeat(d));
    let corpus: Vec<String> = [
        PROMPTS.to_string(),
        format!("[{FILTERS},{PROMPTS},1,\"x\",{FILTERS}]"),
        format!(
            r#"[{{"role":"system","content":"Say \"hi\"."}},{{"role":"user","content":"{}"}}]"#,
            "w ".repeat(40)
        ),
        "[]".to_string(),
        "[ ]".to_string(),
        "[[],{},[1,[2,{\"a\":[3]}]]]".to_string(),
        nested(127),
        nested(128),
        nested(129),
        format!("[1,{}]", nested(127)),
        format!("[1,{}]", nested(128)),
    ]
    .to_vec();
    let (mut passed, mut tried) = (0, 0);
    for line in corpus
        .iter()
        .map(|l| l.as_bytes().to_vec())
        .chain(mutated(&corpus, 0xa11a, 20_000))
    {
        for warm in [false, true] {
            clear();
            if warm {
                for l in &corpus {
                    skip(l.as_bytes());
                    skip(l.as_bytes());
                }
            }
            assert_eq!(
                skip(&line),
                walked(&line),
                "warm {warm}: {}",
                String::from_utf8_lossy(&line)
            );
        }
        passed += usize::from(walked(&line).is_some());
        tried += 1;
    }
    assert_eq!(walked(nested(128).as_bytes()), Some(257));
    assert_eq!(walked(nested(129).as_bytes()), None);
    assert!(passed > tried / 20 && passed < tried, "{passed} of {tried}");
    clear();
}

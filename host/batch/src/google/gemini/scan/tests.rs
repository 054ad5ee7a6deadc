//! The quick Gemini scans against serde: the same answer on every line.

use super::super::RawResult;
use super::super::{parse_input, parse_input_serde, parse_result, parse_result_serde};
use super::result_into;
use crate::json::scan::mutate::{edited, lines_of, mutated};
use crate::provider::RawLine;
use crate::row::ProviderOptions;

/// Whether the quick scan reads `text` (into a fresh record).
fn result(text: &str) -> Option<()> {
    result_into(text, &mut RawResult::default())
}

/// The bench's result line, shortened.
const LINE: &str = r#"{"response":{"candidates":[{"content":{"role":"model","parts":[{"text":"{\"label\":\"negative\",\"confidence\":0.55}"}]},"finishReason":"STOP","avgLogprobs":-0.21}],"usageMetadata":{"promptTokenCount":192,"candidatesTokenCount":90,"totalTokenCount":282},"modelVersion":"gemini-2.0-flash-001"},"key":"row-1"}"#;

/// The bench's request line, shortened.
const REQUEST: &str = r#"{"key":"row-0","request":{"contents":[{"role":"user","parts":[{"text":"Classify: \"fine\" \u00e9."}]}],"generationConfig":{"maxOutputTokens":256}}}"#;

/// Every fixture line, the bench's lines, and forms of them the scans read
/// or leave to serde.
fn corpus() -> Vec<Vec<u8>> {
    let files: [&[u8]; 2] = [
        include_bytes!("../../../../tests/fixtures/google/gemini_input.jsonl"),
        include_bytes!("../../../../tests/fixtures/google/gemini_output.jsonl"),
    ];
    let mut lines = lines_of(&files);
    lines.push(LINE.as_bytes().to_vec());
    lines.push(REQUEST.as_bytes().to_vec());
    lines.extend(edited(
        LINE,
        &[
            (r#""key":"row-1""#, r#""key":"row\u0031""#),
            (r#""key":"row-1""#, r#""key":17"#),
            (r#""key":"row-1""#, r#""key":-1.5e3"#),
            (r#""key":"row-1""#, r#""key":null"#),
            (r#""key":"row-1""#, r#""key":true"#),
            (r#""key":"row-1""#, r#""key":"a","key":"b""#),
            (r#""key":"row-1""#, r#""x":1"#),
            (r#"{"response":{"#, r#"{"response":null,"r":{"#),
            (r#"{"response":{"#, r#"{"response":7,"r":{"#),
            (
                r#"{"response":{"#,
                r#"{"error":{"code":429,"message":"slow","status":"RESOURCE_EXHAUSTED"},"response":{"#,
            ),
            (r#"{"response":{"#, r#"{"error":{"code":"x"},"response":{"#),
            (r#"{"response":{"#, r#"{"error":null,"response":{"#),
            (r#""finishReason":"STOP""#, r#""finishReason":"MAX_TOKENS""#),
            (r#""finishReason":"STOP""#, r#""finishReason":"SAFETY""#),
            (r#""finishReason":"STOP""#, r#""finish_reason":"STOP""#),
            (r#""modelVersion":"gemini-2.0-flash-001""#, r#""modelVersion":7"#),
            (r#""promptTokenCount":192"#, r#""promptTokenCount":"192""#),
            (
                r#""promptTokenCount":192"#,
                r#""promptTokenCount":192,"promptTokenCount":1"#,
            ),
            (r#""candidates":["#, r#""embedding":{"values":[1]},"candidates":["#),
        ],
    ));
    lines.extend(edited(
        REQUEST,
        &[
            (r#""key":"row-0""#, r#""key":0"#),
            (r#""key":"row-0""#, r#""key":null"#),
            (r#""key":"row-0""#, r#""key":"a","key":"b""#),
            (r#""request":{"#, r#""request":{"model":"models/gemini-2.0-flash","#),
            (r#""request":{"#, r#""request":{"model":7,"#),
            (r#""request":{"#, r#""request":{"model":"a","model":"b","#),
            (r#""request":{"#, r#""request":null,"r":{"#),
            (r#""request":{"#, r#""r":{"#),
        ],
    ));
    lines
}

fn both(line: &[u8]) -> [String; 4] {
    let o = ProviderOptions::default();
    [
        format!("{:?}", parse_input(RawLine::from(line), &o)),
        format!("{:?}", parse_input_serde(RawLine::from(line))),
        format!("{:?}", parse_result(RawLine::from(line), &o)),
        format!("{:?}", parse_result_serde(RawLine::from(line))),
    ]
}

/// Every fixture line and odd form reads the same by both forms; the usual
/// lines take the quick path.
#[test]
fn the_quick_gemini_scans_read_what_serde_reads() {
    for line in corpus() {
        let [quick_in, serde_in, quick_out, serde_out] = both(&line);
        let text = String::from_utf8_lossy(&line);
        assert_eq!(quick_in, serde_in, "{text}");
        assert_eq!(quick_out, serde_out, "{text}");
    }
    assert!(result(LINE).is_some(), "the usual result line takes the quick path");
    assert!(
        crate::json::scan::input_line(REQUEST, &super::super::INPUT_KEYS).is_some(),
        "the usual request takes the quick path"
    );
}

/// Mutated lines (a fixed seed): both forms agree on every one.
#[test]
fn the_quick_gemini_scans_accept_no_line_serde_refuses() {
    let lines = corpus();
    let (mut scanned, mut tried) = (0, 0);
    for b in mutated(&lines, 0x3c6e_f372_fe94_f82b_u64, 30_000) {
        let Ok(text) = std::str::from_utf8(&b) else { continue };
        tried += 1;
        scanned += usize::from(result(text).is_some());
        let [quick_in, serde_in, quick_out, serde_out] = both(&b);
        assert_eq!(quick_in, serde_in, "{text}");
        assert_eq!(quick_out, serde_out, "{text}");
    }
    assert!(tried > 20_000 && scanned > 3_000, "{tried} {scanned}");
}

/// Every member serde reads from a line is read or refused by the scan,
/// never skipped: a name added to the serde form and not to the scan would
/// make the two forms differ.
#[test]
fn the_gemini_scan_skips_no_member_serde_reads() {
    use super::super::RawResult;
    use crate::json::serde_fields::serde_fields;
    let names = serde_fields::<RawResult<'static>>();
    assert!(names.contains(&"key") && names.contains(&"response"), "{names:?}");
    // An array is no value the scan reads for any of these names.
    for name in names {
        let text = format!(r#"{{"{name}":[7]}}"#);
        assert!(result(&text).is_none(), "{text}");
    }
}

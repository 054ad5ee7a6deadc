//! The quick Anthropic scans against serde: the same answer on every line.

use super::super::{parse_input, parse_input_serde, parse_result, parse_result_serde};
use super::result;
use crate::json::scan::mutate::{edited, lines_of, mutated};
use crate::provider::RawLine;
use crate::row::ProviderOptions;

const CONTENT: &str = r#""content":[{"type":"text","text":"{\"label\":\"negative\",\"confidence\":0.83}"}]"#;
const USAGE: &str =
    r#""usage":{"input_tokens":343,"output_tokens":86,"cache_read_input_tokens":0,"cache_creation_input_tokens":0}"#;

/// The bench's result line.
const LINE: &str = r#"{"custom_id":"row-0","result":{"type":"succeeded","message":{"id":"msg_0","type":"message","role":"assistant","model":"claude-haiku-4-5-20251001","content":[{"type":"text","text":"{\"label\":\"negative\",\"confidence\":0.83}"}],"stop_reason":"end_turn","stop_sequence":null,"usage":{"input_tokens":343,"output_tokens":86,"cache_read_input_tokens":0,"cache_creation_input_tokens":0}}}}"#;

/// Every fixture line (requests and results), the bench's line, and forms
/// of it the scan reads or leaves to serde.
fn corpus() -> Vec<Vec<u8>> {
    let files: [&[u8]; 2] = [
        include_bytes!("../../../tests/fixtures/anthropic/requests.jsonl"),
        include_bytes!("../../../tests/fixtures/anthropic/results.jsonl"),
    ];
    let mut lines = lines_of(&files);
    lines.push(LINE.as_bytes().to_vec());
    lines.extend(edited(
        LINE,
        &[
        (r#""custom_id":"row-0""#, r#""custom_id":"row\u0030""#),
        (r#""custom_id":"row-0""#, r#""custom_id":7"#),
        (r#""custom_id":"row-0""#, r#""custom_id":null"#),
        (r#""custom_id":"row-0""#, r#""custom_id":"a","custom_id":"b""#),
        (r#""custom_id":"row-0""#, r#""custom_id":"a","params":{"model":"m"}"#),
        (r#""result":{"#, r#""result":null,"x":{"#),
        (r#""result":{"#, r#""result":{"type":"errored","#),
        (r#""type":"succeeded""#, r#""type":"expired""#),
        (r#""type":"succeeded""#, r#""type":"canceled""#),
        (r#""type":"succeeded""#, r#""type":"weird""#),
        (r#""type":"succeeded""#, r#""type":null"#),
        (r#""type":"succeeded""#, r#""type":"succeeded","type":"succeeded""#),
        (
            r#""type":"succeeded""#,
            r#""type":"errored","error":{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}"#,
        ),
        (
            r#""type":"succeeded""#,
            r#""type":"errored","error":{"type":"rate_limit_error","message":"slow"}"#,
        ),
        (r#""type":"succeeded""#, r#""type":"errored","error":7"#),
        (r#""message":{"#, r#""message":null,"m":{"#),
        (r#""message":{"#, r#""message":7,"m":{"#),
        (r#""stop_reason":"end_turn""#, r#""stop_reason":"max_tokens""#),
        (r#""stop_reason":"end_turn""#, r#""stop_reason":"refusal""#),
        (r#""stop_reason":"end_turn""#, r#""stop_reason":7"#),
        (r#""model":"claude-haiku-4-5-20251001""#, r#""model":null"#),
        (r#""model":"claude-haiku-4-5-20251001""#, r#""model":"a","model":"b""#),
        (CONTENT, r#""content":"plain \"text\"""#),
        (CONTENT, r#""content":null"#),
        (CONTENT, r#""content":[]"#),
        (CONTENT, r#""content":{"type":"text"}"#),
        (
            CONTENT,
            r#""content":[{"type":"thinking","thinking":"hm"},{"text":"a"},{"type":"text","text":"b\u00e9"}]"#,
        ),
        (
            CONTENT,
            r#""content":[{"type":"tool_use","id":"t","name":"f","input":{"a":1}},{"type":"text","text":"x"}]"#,
        ),
        (
            CONTENT,
            r#""content":[{"type":"tool_use","id":"t","name":"f","input":{"a":1}}]"#,
        ),
        (CONTENT, r#""content":[{"type":"text","type":"text","text":"x"}]"#),
        (CONTENT, r#""content":[{"type":7,"text":"x"}]"#),
        (CONTENT, r#""content":[{"type":"text","text":null}]"#),
        (CONTENT, r#""content":[{"type":"text","text":"x"}],"content":[]"#),
        (USAGE, r#""usage":null"#),
        (
            USAGE,
            r#""usage":{"input_tokens":3,"output_tokens":4,"cache_read_input_tokens":null,"cache_creation_input_tokens":5}"#,
        ),
        (USAGE, r#""usage":{"input_tokens":3,"input_tokens":4}"#),
        (USAGE, r#""usage":{"input_tokens":3.0}"#),
        (USAGE, r#""usage":{"input_tokens":"3"}"#),
        (
            USAGE,
            r#""usage":{"input_tokens":-0,"server_tool_use":{"web_search_requests":0}}"#,
        ),
        (USAGE, r#""usage":{"cache_creation":{"ephemeral_5m_input_tokens":0}}"#),
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
/// result line takes the quick path.
#[test]
fn the_quick_anthropic_scans_read_what_serde_reads() {
    for line in corpus() {
        let [quick_in, serde_in, quick_out, serde_out] = both(&line);
        let text = String::from_utf8_lossy(&line);
        assert_eq!(quick_in, serde_in, "{text}");
        assert_eq!(quick_out, serde_out, "{text}");
    }
    assert!(result(LINE).is_some(), "the usual line takes the quick path");
    let request = include_str!("../../../tests/fixtures/anthropic/requests.jsonl");
    let first = request.lines().next().expect("a request");
    let keys = &super::super::INPUT_KEYS;
    assert!(
        crate::json::scan::input_line(first, keys).is_some(),
        "the usual request takes the quick path"
    );
}

/// Mutated lines (a fixed seed): both forms agree on every one.
#[test]
fn the_quick_anthropic_scans_accept_no_line_serde_refuses() {
    let lines = corpus();
    let (mut scanned, mut tried) = (0, 0);
    for b in mutated(&lines, 0xbb67_ae85_84ca_a73b_u64, 30_000) {
        let Ok(text) = std::str::from_utf8(&b) else { continue };
        tried += 1;
        scanned += usize::from(result(text).is_some());
        let [quick_in, serde_in, quick_out, serde_out] = both(&b);
        assert_eq!(quick_in, serde_in, "{text}");
        assert_eq!(quick_out, serde_out, "{text}");
    }
    assert!(tried > 20_000 && scanned > 3_000, "{tried} {scanned}");
}

/// Member names a serde form reads, and a value that puts one of them where
/// the scan must refuse it.
type Names = (&'static [&'static str], fn(&str) -> String);

/// Every member serde reads from a line, its `result`, a message or its
/// usage is read or refused by the scan, never skipped: a name added to a
/// serde form and not to the scan would make the two forms differ.
#[test]
fn the_anthropic_scan_skips_no_member_serde_reads() {
    use super::super::message::scan::message;
    use super::super::message::{ClaudeUsage, Message};
    use super::super::{RawBatchResult, RawResult};
    use crate::json::scan::Scan;
    use crate::json::serde_fields::serde_fields;
    // An array is no value the scan reads for any of these names, nor a
    // string for a usage count, so each must end the quick read.
    let line: [Names; 2] = [
        (serde_fields::<RawResult<'static>>(), |n| format!(r#"{{"{n}":[7]}}"#)),
        (serde_fields::<RawBatchResult<'static>>(), |n| {
            format!(r#"{{"custom_id":"a","result":{{"{n}":[7]}}}}"#)
        }),
    ];
    let msg: [Names; 2] = [
        (serde_fields::<Message<'static>>(), |n| format!(r#"{{"{n}":[7]}}"#)),
        (serde_fields::<ClaudeUsage>(), |n| {
            format!(r#"{{"usage":{{"{n}":"7"}}}}"#)
        }),
    ];
    for (names, text) in line {
        assert!(!names.is_empty());
        for name in names {
            let text = text(name);
            assert!(result(&text).is_none(), "{text}");
        }
    }
    for (names, text) in msg {
        assert!(!names.is_empty());
        for name in names {
            let text = text(name);
            assert!(message(&mut Scan::new(&text).expect("scan")).is_none(), "{text}");
        }
    }
}

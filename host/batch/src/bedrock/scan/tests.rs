//! The quick Bedrock scans against serde: the same answer on every line.

use super::super::input::{parse_input_line, parse_input_line_serde};
use super::super::results::{RawOutput, RawResult};
use super::super::results::{parse_result_line, parse_result_line_serde};
use super::{claude, result_into};
use crate::json::scan::Scan;
use crate::json::scan::mutate::{edited, lines_of, mutated};
use crate::row::ProviderOptions;

/// Whether the quick scan reads `text` (into a fresh record).
fn result(text: &str) -> Option<()> {
    result_into(text, &mut RawResult::default())
}

/// Records of every model family the fixtures hold, and the bench's shape.
fn corpus() -> Vec<Vec<u8>> {
    let files: [&[u8]; 2] = [
        include_bytes!("../../../tests/fixtures/bedrock/input.jsonl"),
        include_bytes!("../../../tests/fixtures/bedrock/input.jsonl.out"),
    ];
    let mut lines = lines_of(&files);
    lines.push(CLAUDE.as_bytes().to_vec());
    lines.extend(edited(
        CLAUDE,
        &[
        (r#""recordId":"row-0""#, r#""recordId":"row\u0030""#),
        (r#""recordId":"row-0""#, r#""recordId":7"#),
        (
            r#""recordId":"row-0""#,
            r#""recordId":"row-0","url":"/v1/x","custom_id":"c""#,
        ),
        (r#""recordId":"row-0""#, r#""recordId":"a","recordId":"b""#),
        (r#""modelOutput":{"#, r#""modelOutput":null,"x":{"#),
        (
            r#""modelOutput":{"#,
            r#""error":{"errorCode":400,"errorMessage":"bad"},"modelOutput":{"#,
        ),
        (r#""modelOutput":{"#, r#""modelOutput":{"content":7,"#),
        (r#""stop_reason":"end_turn""#, r#""stop_reason":"max_tokens""#),
        (r#""input_tokens":343"#, r#""input_tokens":-1"#),
        (r#""model":"claude-3-5-haiku-20241022""#, r#""model":null"#),
        // Content and usage forms the Claude scan reads, or leaves to serde.
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
        (CONTENT, r#""content":[{"toolUse":{"input":[1]}}]"#),
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
        (USAGE, r#""usage":{"inputTokens":3,"outputTokens":4}"#),
        (USAGE, r#""usage":{"input_tokens":3.0}"#),
        (
            USAGE,
            r#""usage":{"input_tokens":-0,"server_tool_use":{"web_search_requests":0}}"#,
        ),
        (r#""stop_reason":"end_turn""#, r#""stopReason":"end_turn""#),
        (
            r#""stop_reason":"end_turn""#,
            r#""stop_reason":"end_turn","choices":[]"#,
        ),
        ],
    ));
    lines
}

const CONTENT: &str = r#""content":[{"type":"text","text":"{\"label\":\"neutral\"}"}]"#;
const USAGE: &str = r#""usage":{"input_tokens":343,"output_tokens":86}"#;

/// The bench's Claude record: a long echoed `modelInput`, then the output.
const CLAUDE: &str = r#"{"recordId":"row-0","modelInput":{"anthropic_version":"bedrock-2023-05-31","max_tokens":256,"system":"Reply with \"label\" only.","messages":[{"role":"user","content":[{"type":"text","text":"Classify: it's fine \u00e9."}]}]},"modelOutput":{"id":"msg_0","type":"message","role":"assistant","model":"claude-3-5-haiku-20241022","content":[{"type":"text","text":"{\"label\":\"neutral\"}"}],"stop_reason":"end_turn","stop_sequence":null,"usage":{"input_tokens":343,"output_tokens":86}}}"#;

fn both(line: &[u8]) -> [String; 4] {
    let o = ProviderOptions::default();
    [
        format!("{:?}", parse_input_line(line, &o)),
        format!("{:?}", parse_input_line_serde(line)),
        format!("{:?}", parse_result_line(line, &o)),
        format!("{:?}", parse_result_line_serde(line)),
    ]
}

/// Every fixture record and odd form reads the same by both forms; the
/// usual record takes the quick path.
#[test]
fn the_quick_bedrock_scans_read_what_serde_reads() {
    for line in corpus() {
        let [quick_in, serde_in, quick_out, serde_out] = both(&line);
        let text = String::from_utf8_lossy(&line);
        assert_eq!(quick_in, serde_in, "{text}");
        assert_eq!(quick_out, serde_out, "{text}");
    }
    assert!(result(CLAUDE).is_some(), "the usual record takes the quick path");
    let output = &CLAUDE[CLAUDE.find(r#""modelOutput":"#).expect("output") + 14..CLAUDE.len() - 1];
    let mut s = Scan::new(output).expect("scan");
    assert!(
        claude(&mut s, &mut RawOutput::default()).is_some() && s.end().is_some(),
        "the Claude scan reads its output"
    );
}

/// Mutated records (a fixed seed): both forms agree on every one.
#[test]
fn the_quick_bedrock_scans_accept_no_line_serde_refuses() {
    let lines = corpus();
    let (mut scanned, mut tried) = (0, 0);
    for b in mutated(&lines, 0x6a09_e667_f3bc_c908_u64, 20_000) {
        let Ok(text) = std::str::from_utf8(&b) else { continue };
        tried += 1;
        scanned += usize::from(result(text).is_some());
        let [quick_in, serde_in, quick_out, serde_out] = both(&b);
        assert_eq!(quick_in, serde_in, "{text}");
        assert_eq!(quick_out, serde_out, "{text}");
    }
    assert!(tried > 12_000 && scanned > 2_000, "{tried} {scanned}");
}

/// Every member serde reads from a `modelOutput` or its `usage` is read or
/// refused by the Claude scan, never skipped: a name added to the serde
/// form and not to the scan would make the two forms differ.
#[test]
fn the_claude_scan_skips_no_member_serde_reads() {
    use super::super::results::RawUsage;
    use crate::json::serde_fields::serde_fields;
    let output = serde_fields::<RawOutput<'static>>();
    let usage = serde_fields::<RawUsage>();
    assert!(
        output.contains(&"content") && usage.contains(&"input_tokens"),
        "{output:?} {usage:?}"
    );
    // A number is no value the scan reads for any of these names, so each
    // must end the quick read; a skipped member would let it through.
    for name in output {
        let text = format!(r#"{{"{name}":7}}"#);
        let mut out = RawOutput::default();
        assert!(
            claude(&mut Scan::new(&text).expect("scan"), &mut out).is_none(),
            "{name}"
        );
    }
    for name in usage
        .iter()
        .chain(&["cacheReadInputTokenCount", "cacheWriteInputTokenCount"])
    {
        let text = format!(r#"{{"usage":{{"{name}":"7"}}}}"#);
        let mut out = RawOutput::default();
        assert!(
            claude(&mut Scan::new(&text).expect("scan"), &mut out).is_none(),
            "usage.{name}"
        );
    }
}

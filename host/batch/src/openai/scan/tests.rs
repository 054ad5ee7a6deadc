//! The quick input scan against serde: the same answer wherever it answers.

use super::super::{INPUT_KEYS, parse_input_line_serde, parse_result_line, parse_result_line_serde};
use super::result;
use crate::json::scan::input_line;
use crate::json::scan::mutate::mutated;

fn input(text: &str) -> Option<crate::row::InputLine<'_>> {
    input_line(text, &INPUT_KEYS)
}

/// Input lines as providers and users write them, and odd ones.
fn corpus() -> Vec<String> {
    let mut lines: Vec<String> = [
        r#"{"custom_id":"request-1","method":"POST","url":"/v1/chat/completions","body":{"model":"gpt-4o-mini","messages":[{"role":"system","content":"You are a helpful assistant."},{"role":"user","content":"Hello world!"}],"max_tokens":1000}}"#,
        r#"{"custom_id": "task-0", "method": "POST", "url": "/v1/chat/completions", "body": {"model": "gpt-4o", "temperature": 0.1, "response_format": {"type": "json_object"}, "messages": [{"role": "user", "content": "Say \"hi\" \\ then\nstop \u00e9 \ud83d\ude00"}]}}"#,
        r#"{"custom_id":"r2","method":"POST","url":"/v1/responses","body":{"model":"o4-mini","instructions":"be brief","input":[{"role":"user","content":[{"type":"input_text","text":"x"}]}]}}"#,
        r#"{"custom_id":"emb-1","method":"POST","url":"/v1/embeddings","body":{"model":"text-embedding-3-small","input":"The food was delicious"}}"#,
        r#"{"custom_id":"azure-1","method":"POST","url":"/chat/completions","body":{"model":"gpt-4o-batch","messages":[]}}"#,
        r#"  {"body":{"messages":[],"model":"m"},"custom_id":"order"}  "#,
        r#"{"custom_id":"esc\"aped\u0041","body":{"model":"m\/x"},"url":"\/v1\/chat"}"#,
        r#"{"custom_id":"é-ü-漢字","body":{"model":null},"url":null}"#,
        r#"{"custom_id":"n","body":{"n":[1,-2,3.5,1e10,-0.0e-5,0,true,false,null,{},[],{"a":[{"b":{}}]}]}}"#,
        r#"{"custom_id":"no-model","body":{}}"#,
        r#"{"custom_id":"dup","custom_id":"twice","body":{}}"#,
        r#"{"custom_id":"dupm","body":{"model":"a","model":"b"}}"#,
        r#"{"custom_id":"nullbody","body":null}"#,
        r#"{"custom_id":"arraybody","body":["m"]}"#,
        r#"{"custom_id":7,"body":{}}"#,
        r#"{"custom_id":"x","body":{"model":3}}"#,
        r#"{"custom_id":null,"body":{}}"#,
        r#"{"body":{}}"#,
        r#"{"custom_id":"tab","body":{	"model":"m"}}"#,
        r#"{"custom_id":"lone","body":{"model":"\ud800"}}"#,
        r#"{"custom_id":"bad","body":{"messages":[1,]}}"#,
        r#"{"custom_id":"trail","body":{}} x"#,
        r#"{"custom_id":"deep","body":{"x":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}}"#,
        r#"{"custom_id":"big","body":{"max_tokens":1e400,"seed":123456789012345678901234567890}}"#,
        r#"{"custom_id":"ctrl\u0001","body":{"model":"m\u0000"}}"#,
        r#"[1,2]"#,
        r#""just a string""#,
        r#"{}"#,
    ]
    .map(String::from)
    .to_vec();
    let deep = format!(
        r#"{{"custom_id":"d","body":{{"x":{}1{}}}}}"#,
        "[".repeat(200),
        "]".repeat(200)
    );
    lines.push(deep);
    lines
}

fn show(r: Result<crate::row::InputLine<'_>, crate::error::LineError>) -> String {
    format!(
        "{:?}",
        r.map(|l| (
            l.custom_id.into_owned(),
            l.model.map(|m| m.into_owned()),
            l.url.map(|u| u.into_owned())
        ))
    )
}

/// Every line the scan answers, serde reads to the same id, model and url;
/// the usual lines are answered by the scan, the odd ones left to serde.
#[test]
fn the_quick_input_scan_reads_what_serde_reads() {
    let mut scanned = 0;
    for line in corpus() {
        let Some(quick) = input(&line) else { continue };
        scanned += 1;
        assert_eq!(show(Ok(quick)), show(parse_input_line_serde(line.as_bytes())), "{line}");
    }
    assert_eq!(scanned, 13, "all but the odd lines take the quick path");
    for (line, why) in [
        (
            r#"{"custom_id":"dup","custom_id":"twice","body":{}}"#,
            "a repeated member",
        ),
        (r#"{"custom_id":"nullbody","body":null}"#, "no body"),
        (
            r#"{"custom_id":"arraybody","body":["m"]}"#,
            "a body serde reads as a sequence",
        ),
        (r#"{"custom_id":7,"body":{}}"#, "an id that is not a string"),
        (r#"{"custom_id":"tab","body":{	"model":"m"}}"#, "a tab"),
        (r#"{"custom_id":"bad","body":{"messages":[1,]}}"#, "bad JSON"),
    ] {
        assert!(input(line).is_none(), "{why}: {line}");
    }
}

/// The corpus with bytes changed, dropped and added at random (a fixed
/// seed): wherever the scan reads a mutated line, serde reads it too, to
/// the same result.
#[test]
fn the_quick_input_scan_accepts_no_line_serde_refuses() {
    let lines = corpus();
    let (mut scanned, mut tried) = (0, 0);
    for b in mutated(&lines, 0x2545_f491_4f6c_dd1d_u64, 30_000) {
        let Ok(text) = std::str::from_utf8(&b) else { continue };
        tried += 1;
        let Some(quick) = input(text) else { continue };
        scanned += 1;
        assert_eq!(show(Ok(quick)), show(parse_input_line_serde(&b)), "{text}");
    }
    assert!(tried > 20_000 && scanned > 3_000, "{tried} {scanned}");
}

/// A usual chat line, with escapes, non-ASCII text and token details.
const CHAT: &str = r#"{"id":"b1","custom_id":"r","response":{"status_code":200,"request_id":"q","body":{"id":"c","object":"chat.completion","created":1711678946,"model":"gpt-4o-mini-2024-07-18","choices":[{"index":0,"message":{"role":"assistant","content":"{\"label\":\"neg\"} \u00e9\ud83d\ude00","refusal":null},"logprobs":null,"finish_reason":"stop"}],"usage":{"prompt_tokens":343,"completion_tokens":86,"total_tokens":429,"prompt_tokens_details":{"cached_tokens":null},"completion_tokens_details":{"reasoning_tokens":5}},"system_fingerprint":"fp_44709d6fcb"}},"error":null}"#;

/// Result and error lines: the fixtures of every OpenAI and Azure test (chat,
/// Responses, embeddings, errors, statuses, filters, retries, malformed),
/// the bundled example, and odd forms.
fn result_corpus() -> Vec<Vec<u8>> {
    let files: [&[u8]; 11] = [
        include_bytes!("../../../tests/fixtures/openai/statuses_output.jsonl"),
        include_bytes!("../../../tests/fixtures/openai/statuses_errors.jsonl"),
        include_bytes!("../../../tests/fixtures/openai/responses_output.jsonl"),
        include_bytes!("../../../tests/fixtures/openai/responses_errors.jsonl"),
        include_bytes!("../../../tests/fixtures/openai/embeddings_output.jsonl"),
        include_bytes!("../../../tests/fixtures/openai/malformed_output.jsonl"),
        include_bytes!("../../../tests/fixtures/openai/retry_attempt1.jsonl"),
        include_bytes!("../../../tests/fixtures/openai/retry_attempt2.jsonl"),
        include_bytes!("../../../tests/fixtures/azure/output.jsonl"),
        include_bytes!("../../../tests/fixtures/azure/errors.jsonl"),
        include_bytes!("../../../../../examples/data/openai_errors.jsonl"),
    ];
    let example = include_bytes!("../../../../../examples/data/openai_output.jsonl");
    let mut lines: Vec<Vec<u8>> = files
        .iter()
        .flat_map(|f| f.split(|&b| b == b'\n'))
        .chain(example.split(|&b| b == b'\n').take(150))
        .filter(|l| !l.trim_ascii().is_empty())
        .map(<[u8]>::to_vec)
        .collect();
    let ok = CHAT;
    lines.push(ok.as_bytes().to_vec());
    for (from, to) in [
        (r#""finish_reason":"stop""#, r#""finish_reason":"length""#),
        (r#""finish_reason":"stop""#, r#""finish_reason":"content_filter""#),
        (r#""finish_reason":"stop""#, r#""finish_reason":null"#),
        (r#""content":"{"#, r#""content":null,"x":"{"#),
        (r#""content":"{"#, r#""content":"","y":"{"#),
        (r#""refusal":null"#, r#""tool_calls":[{"function":{"arguments":"{}"}}]"#),
        (r#""refusal":null"#, r#""tool_calls":null"#),
        (
            r#""content":"{"#,
            r#""content":"","tool_calls":[{"function":{"arguments":"{}"}}],"z":"{"#,
        ),
        (r#""created":1711678946"#, r#""created_at":7,"created":1711678946"#),
        (r#""created":1711678946"#, r#""created":1711678946,"created_at":7"#),
        (r#""status_code":200"#, r#""status_code":500"#),
        (r#""status_code":200"#, r#""status_code":null"#),
        (r#""status_code":200"#, r#""status_code":70000"#),
        (r#""created":1711678946"#, r#""created":1.5"#),
        (r#""created":1711678946"#, r#""created_at":"now""#),
        (r#""created":1711678946"#, r#""created":1,"created":2"#),
        (r#""model":"gpt-4o-mini-2024-07-18""#, r#""model":7"#),
        (r#""model":"gpt-4o-mini-2024-07-18""#, r#""model":"a\"b""#),
        (r#""custom_id":"r""#, r#""custom_id":"r\u0041""#),
        (r#""custom_id":"r""#, r#""custom_id":null"#),
        (r#""custom_id":"r""#, r#""custom_id":"r","custom_id":"s""#),
        (r#""choices":[{"#, r#""choices":[],"c":[{"#),
        (
            r#""logprobs":null,"finish_reason":"stop"}]"#,
            r#""logprobs":null,"finish_reason":"stop"},{"index":1},[1,{"a":"\n"}]]"#,
        ),
        (r#""choices":[{"#, r#""choices":null,"c":[{"#),
        (r#""usage":{"prompt_tokens":343"#, r#""usage":{"prompt_tokens":-3"#),
        (r#""usage":{"prompt_tokens":343"#, r#""usage":{"prompt_tokens":1e3"#),
        (r#""usage":{"#, r#""usage":null,"u":{"#),
        (r#""usage":{"prompt_tokens":343"#, r#""usage":{"prompt_tokens":0"#),
        (r#""usage":{"prompt_tokens":343"#, r#""usage":{"prompt_tokens":0343"#),
        (r#""usage":{"prompt_tokens":343"#, r#""usage":{"prompt_tokens":343.0"#),
        (r#""usage":{"prompt_tokens":343"#, r#""usage":{"prompt_tokens":null"#),
        (r#""usage":{"prompt_tokens":343"#, r#""usage":{"prompt_tokens":"343""#),
        (
            r#""usage":{"prompt_tokens":343"#,
            r#""usage":{"prompt_tokens":18446744073709551615"#,
        ),
        (
            r#""usage":{"prompt_tokens":343"#,
            r#""usage":{"prompt_tokens":18446744073709551616"#,
        ),
        (
            r#""usage":{"prompt_tokens":343"#,
            r#""usage":{"prompt_tokens":1,"prompt_tokens":2"#,
        ),
        (
            r#""usage":{"prompt_tokens":343"#,
            r#""usage":{"total_tokens":[1,{"a":2}],"prompt_tokens":343"#,
        ),
        (
            r#""usage":{"prompt_tokens":343"#,
            r#""usage":{"prompt_tokens_details":{"cached_tokens":7},"prompt_tokens":343"#,
        ),
        (
            r#""usage":{"prompt_tokens":343"#,
            r#""usage":{"completion_tokens_details":{"reasoning_tokens":null},"prompt_tokens":343"#,
        ),
        (r#""usage":{"prompt_tokens":343"#, r#""usage":{"prompt_tokens" : 343 "#),
        (r#""usage":{"#, r#""usage":[],"u":{"#),
        (r#""status_code":200"#, r#""status_code":0200"#),
        (r#""status_code":200"#, r#""status_code":200.0"#),
        (r#""status_code":200"#, r#""status_code":65535"#),
        (r#""status_code":200"#, r#""status_code":65536"#),
        (r#""created":1711678946"#, r#""created":9223372036854775808"#),
        (r#""created":1711678946"#, r#""created":-5"#),
        (r#""created":1711678946"#, r#""created":null"#),
        (r#""error":null}"#, r#""error":{"code":"x","message":"y"}}"#),
        (
            r#""system_fingerprint":"fp_44709d6fcb"}"#,
            r#""system_fingerprint":"fp","error":{"message":"m"}}"#,
        ),
        (r#""body":{"id""#, r#""body":null,"b":{"id""#),
        (r#""response":{"#, r#""response":null,"r":{"#),
        (r#""message":{"#, r#""message":null,"m":{"#),
        (r#""message":{"#, r#""message":["x"],"m":{"#),
        (r#""content":"{"#, r#""content":[{"type":"text"}],"z":"{"#),
        (r#""content":"{"#, r#""content":"\udc00","z":"{"#),
    ] {
        assert!(ok.contains(from), "{from}");
        lines.push(ok.replacen(from, to, 1).into_bytes());
    }
    lines
}

/// Every result line the scan answers, serde reads to the same row; the
/// usual chat lines are answered by the scan.
#[test]
fn the_quick_result_scan_reads_what_serde_reads() {
    let (mut scanned, mut lines) = (0, 0);
    for line in result_corpus() {
        lines += 1;
        let text = String::from_utf8_lossy(&line);
        assert_eq!(parse_result_line(&line), parse_result_line_serde(&line), "{text}");
        scanned += usize::from(std::str::from_utf8(&line).ok().and_then(result).is_some());
    }
    assert!(lines > 250 && scanned > 150, "{lines} {scanned}");
    assert!(result(CHAT).is_some(), "the usual line takes the quick path");
}

/// Mutated result lines (a fixed seed): the scan and serde agree on every
/// one, whether the line is read or refused.
#[test]
fn the_quick_result_scan_accepts_no_line_serde_refuses() {
    let lines = result_corpus();
    let (mut scanned, mut tried) = (0, 0);
    for b in mutated(&lines, 0x9e37_79b9_7f4a_7c15_u64, 30_000) {
        let Ok(text) = std::str::from_utf8(&b) else { continue };
        tried += 1;
        scanned += usize::from(result(text).is_some());
        assert_eq!(parse_result_line(&b), parse_result_line_serde(&b), "{text}");
    }
    assert!(tried > 20_000 && scanned > 3_000, "{tried} {scanned}");
}

/// Every member serde reads from a result line, at every level the scan
/// walks, is read or refused by the scan, never skipped: a name added to the
/// serde form and not to the scan would make the two forms differ. Each
/// name is set, in the usual chat line, to values of every kind; wherever
/// the scan answers, the row must be serde's.
#[test]
fn the_result_scan_skips_no_member_serde_reads() {
    use super::super::{
        CompletionDetails, PromptDetails, RawBody, RawChoice, RawMessage, RawResponse, RawResult, RawUsage,
    };
    use crate::json::serde_fields::{every_kind, serde_fields, with_member};
    let levels: [(&[&str], &[&str]); 8] = [
        (serde_fields::<RawResult<'static>>(), &[]),
        (serde_fields::<RawResponse<'static>>(), &["response"]),
        (serde_fields::<RawBody<'static>>(), &["response", "body"]),
        (
            serde_fields::<RawChoice<'static>>(),
            &["response", "body", "choices", "0"],
        ),
        (
            serde_fields::<RawMessage<'static>>(),
            &["response", "body", "choices", "0", "message"],
        ),
        (serde_fields::<RawUsage>(), &["response", "body", "usage"]),
        (
            serde_fields::<PromptDetails>(),
            &["response", "body", "usage", "prompt_tokens_details"],
        ),
        (
            serde_fields::<CompletionDetails>(),
            &["response", "body", "usage", "completion_tokens_details"],
        ),
    ];
    let chat: serde_json::Value = serde_json::from_str(CHAT).expect("CHAT is JSON");
    let mut scanned = 0;
    for (fields, path) in &levels {
        assert!(!fields.is_empty(), "{path:?}");
        for name in *fields {
            for v in &every_kind() {
                let text = with_member(&chat, path, name, v);
                scanned += usize::from(result(&text).is_some());
                let b = text.as_bytes();
                assert_eq!(parse_result_line(b), parse_result_line_serde(b), "{text}");
            }
        }
    }
    assert!(scanned > 50, "{scanned}");
}

//! The response scan against serde: wherever the scan reads a response,
//! serde reads it to the same outcome; the usual responses are scanned.

use super::*;
use crate::google::classify_response;
use crate::json::scan::Scan;
use crate::json::scan::mutate::mutated;
use crate::row::Outcome;
use crate::status::Status;

/// The outcome of `text` read by the scan, or `None` where it is unsure.
fn quick(text: &str) -> Option<String> {
    let mut s = Scan::new(text)?;
    let mut r = None;
    s.or_null_in(&mut r, response)?;
    s.end()?;
    Some(format!("{:?}", r.map(classified)))
}

/// The outcome of `text` read by serde, or its error.
fn full(text: &str) -> Result<String, String> {
    serde_json::from_str::<Option<RawResponse<'_>>>(text)
        .map(|r| format!("{:?}", r.map(classified)))
        .map_err(|e| e.to_string())
}

/// The outcome of a response read either way.
fn classified(mut r: RawResponse<'_>) -> Outcome<'_> {
    let mut o = Outcome::new(Status::Completed);
    classify_response(&mut r, &mut o);
    o
}

const USUAL: &str = r#"{"candidates":[{"content":{"parts":[{"text":"{\"label\": \"ok\"}"}],"role":"model"},"finishReason":"STOP","avgLogprobs":-0.1,"safetyRatings":[{"category":"HARM","probability":"NEGLIGIBLE"}]}],"usageMetadata":{"promptTokenCount":5,"candidatesTokenCount":2,"totalTokenCount":7,"trafficType":"ON_DEMAND"},"modelVersion":"gemini-2.0-flash-001","createTime":"2026-01-01T00:00:00Z","responseId":"r1"}"#;

/// Responses in many shapes, good and bad.
fn corpus() -> Vec<String> {
    let mut v: Vec<String> = [
        USUAL,
        "null",
        "{}",
        r#"{"candidates":[]}"#,
        r#"{"candidates":null,"modelVersion":null}"#,
        r#"{"candidates":[{}]}"#,
        r#"{"candidates":[null]}"#,
        r#"{"candidates":[{"content":null,"finishReason":"SAFETY"}]}"#,
        r#"{"candidates":[{"content":{"parts":null}}]}"#,
        r#"{"candidates":[{"content":{"parts":[]},"finishReason":"MAX_TOKENS"}]}"#,
        r#"{"candidates":[{"content":{"parts":[{"text":"a"},{"text":"b\n"},{"functionCall":{"name":"f"}},{"text":"c"}]}}]}"#,
        r#"{"candidates":[{"content":{"parts":[{"text":"think","thought":true},{"thought":false,"text":"said"}]}}]}"#,
        r#"{"candidates":[{"content":{"parts":[{"thought":true,"text":"think"},{"text":"x","thought":null}]}}]}"#,
        r#"{"candidates":[{"content":{"parts":[{"text":"a","thought":1}]}}]}"#,
        r#"{"candidates":[{"content":{"parts":[{"text":5}]}}]}"#,
        r#"{"candidates":[{"content":{"parts":[{"text":null}]}}]}"#,
        r#"{"candidates":[{"content":{"parts":[{"text":"a","text":"b"}]}}]}"#,
        r#"{"candidates":[{"content":{"parts":[["a",true]]}}]}"#,
        r#"{"candidates":[{"content":{"parts":{"text":"a"}}}]}"#,
        r#"{"candidates":[{"finishReason":"STOP","finish_reason":"SAFETY"}]}"#,
        r#"{"candidates":[{"finish_reason":"SAFETY","finish_message":"blocked"}]}"#,
        r#"{"candidates":[{"finishReason":"OTHER","finishMessage":"why"},{"finishReason":"STOP"}]}"#,
        r#"{"candidates":[{"finishReason":7}]}"#,
        r#"{"candidates":[{"finishReason":"ST\u004fP"}]}"#,
        r#"{"candidates":[{"content":{"parts":[{"text":"\u00e9\"\\"}]}}]}"#,
        r#"{"candidates":[{"content":{"parts":[{"text":"bad \x escape"}]}}]}"#,
        r#"{"candidates":[{"content":{"parts":[{"text":"\ud800"}]}}]}"#,
        r#"{"candidates":{"content":{}}}"#,
        r#"{"candidates":[],"promptFeedback":{"blockReason":"SAFETY","blockReasonMessage":"no"}}"#,
        r#"{"prompt_feedback":{"block_reason":"OTHER"}}"#,
        r#"{"promptFeedback":{"blockReason":"SAFETY"},"prompt_feedback":null}"#,
        r#"{"candidates":[],"usageMetadata":{"promptTokenCount":"12","thoughtsTokenCount":3,"cachedContentTokenCount":2,"toolUsePromptTokenCount":1}}"#,
        r#"{"candidates":[],"usage_metadata":{"prompt_token_count":4},"model_version":"g-1"}"#,
        r#"{"usageMetadata":{"promptTokenCount":null}}"#,
        r#"{"usageMetadata":{"promptTokenCount":-1}}"#,
        r#"{"usageMetadata":{},"usage_metadata":{}}"#,
        r#"{"usageMetadata":{"promptTokenCount":1,"prompt_token_count":2}}"#,
        r#"{"usageMetadata":{"candidatesTokenCount":3,"candidatesTokenCount":3}}"#,
        r#"{"usageMetadata":{"promptTokenCount":01}}"#,
        r#"{"usageMetadata":{"promptTokenCount":1.0}}"#,
        r#"{"usageMetadata":{"promptTokenCount":1e2}}"#,
        r#"{"usageMetadata":{"promptTokenCount":18446744073709551615,"thoughts_token_count":0}}"#,
        r#"{"usageMetadata":{"promptTokenCount":18446744073709551616}}"#,
        r#"{"usageMetadata":{"cached_content_token_count":7,"tool_use_prompt_token_count":2,"totalTokenCount":"x"}}"#,
        r#"{"usageMetadata":null}"#,
        r#"{"usageMetadata":[]}"#,
        r#"{"usageMetadata":{"promptTokenCount":true}}"#,
        r#"{"modelVersion":"a","model_version":"b"}"#,
        r#"{"modelVersion":5}"#,
        r#"{"embedding":{"values":[0.1,0.2]},"tokenCount":"3"}"#,
        r#"{"embeddings":[{"values":[1]}]}"#,
        r#"{"candidates":[{"content":{"parts":[{"text":"a"}]}}],"candidates":[]}"#,
        r#"{"cand\u0069dates":[]}"#,
        r#"[]"#,
        r#""x""#,
        r#"{"candidates":[{"content":{"parts":[{"text":"a"}],"parts":[]}}]}"#,
        r#" { "candidates" : [ { "content" : { "parts" : [ { "text" : "a" } ] } } ] } "#,
        r#"{"candidates":[{"content":{"parts":[{"text":"a"}]}},]}"#,
        r#"{"candidates":[{"content":{"parts":[{"text":"a"},]}}]}"#,
    ]
    .map(String::from)
    .to_vec();
    v.push(USUAL.replace(
        r#""role":"model""#,
        r#""role":"model","x":[1,{"y":[true,false,null,-1.5e3]}]"#,
    ));
    v
}

#[test]
fn the_scan_reads_what_serde_reads() {
    let mut scanned = 0;
    for text in corpus() {
        if let Some(q) = quick(&text) {
            assert_eq!(Ok(q), full(&text), "{text}");
            scanned += 1;
        }
    }
    assert!(scanned >= 20, "{scanned}");
    for usual in [
        USUAL,
        "null",
        r#"{"candidates":[{"content":{"parts":[{"text":"a"},{"text":"b"}]}}]}"#,
    ] {
        assert!(quick(usual).is_some(), "{usual}");
    }
}

/// Members serde refuses or reads another way are left to it.
#[test]
fn the_scan_leaves_repeats_embeddings_and_odd_values_to_serde() {
    for text in [
        r#"{"candidates":[{"finishReason":"STOP","finish_reason":"SAFETY"}]}"#,
        r#"{"modelVersion":"a","model_version":"b"}"#,
        r#"{"embedding":{"values":[0.1,0.2]},"tokenCount":"3"}"#,
        r#"{"candidates":[{"content":{"parts":[["a",true]]}}]}"#,
        r#"{"candidates":[{"content":{"parts":[{"text":"a","thought":1}]}}]}"#,
        r#"{"cand\u0069dates":[]}"#,
    ] {
        assert_eq!(quick(text), None, "{text}");
    }
}

/// The corpus with bytes changed, dropped and added at random (a fixed
/// seed): wherever the scan reads a mutated response, serde reads it too,
/// to the same outcome.
#[test]
fn the_scan_accepts_no_response_serde_refuses() {
    let lines = corpus();
    let (mut tried, mut scanned) = (0, 0);
    for b in mutated(&lines, 0x2545_f491_4f6c_dd1d_u64, 30_000) {
        let Ok(text) = std::str::from_utf8(&b) else { continue };
        tried += 1;
        if let Some(q) = quick(text) {
            assert_eq!(Ok(q), full(text), "{text}");
            scanned += 1;
        }
    }
    assert!(tried > 20_000 && scanned > 5_000, "{tried} {scanned}");
}

/// Every member serde reads from a response, at every level the scan walks,
/// is read or refused by the scan, never skipped: a name added to the serde
/// form and not to the scan would make the two forms differ. Each name (as
/// serde's derive names it; aliases are not among them) is set, in the usual
/// response, to values of every kind; wherever the scan answers, the outcome
/// must be serde's.
#[test]
fn the_scan_skips_no_member_serde_reads() {
    use super::super::{RawCandidate, RawContent, RawPart, RawUsage};
    use crate::json::serde_fields::{every_kind, serde_fields, with_member};
    let levels: [(&[&str], &[&str]); 5] = [
        (serde_fields::<RawResponse<'static>>(), &[]),
        (serde_fields::<RawUsage>(), &["usageMetadata"]),
        (serde_fields::<RawCandidate<'static>>(), &["candidates", "0"]),
        (serde_fields::<RawContent<'static>>(), &["candidates", "0", "content"]),
        (
            serde_fields::<RawPart<'static>>(),
            &["candidates", "0", "content", "parts", "0"],
        ),
    ];
    let usual: serde_json::Value = serde_json::from_str(USUAL).expect("USUAL is JSON");
    let mut scanned = 0;
    for (fields, path) in &levels {
        assert!(!fields.is_empty(), "{path:?}");
        for name in *fields {
            for v in &every_kind() {
                let text = with_member(&usual, path, name, v);
                if let Some(q) = quick(&text) {
                    scanned += 1;
                    assert_eq!(Ok(q), full(&text), "{text}");
                }
            }
        }
    }
    assert!(scanned > 20, "{scanned}");
}

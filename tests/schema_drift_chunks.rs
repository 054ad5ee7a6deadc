//! The built-in `schema-drift` component, sandboxed: its fast path reads
//! strings sixteen bytes at a time with WebAssembly SIMD, a code path the
//! native unit tests never run. Quotes, backslashes, escapes and raw control
//! bytes at every position around those chunks must give the verdicts the
//! schema and serde_json give.

use crate::support;

use serde_json::{Value, json};
use support::{assay, data, json as summary, stderr, write_lines};

/// Response texts with one special piece at offsets 0..40 of the rationale,
/// plus escapes in a member name and in an `enum` value.
fn responses() -> Vec<String> {
    let specials = [
        "\\\"",
        "\\\\",
        "\\n",
        "\\u00e9",
        "\\ud83d\\ude00",
        "\u{1}",
        "\"",
        "\\x",
        "\\u12",
        "\\ud800",
        "★",
    ];
    let mut out = Vec::new();
    for special in specials {
        for k in 0..40 {
            let rationale = format!("{}{special}{}", "a".repeat(k), "b".repeat(40 - k));
            out.push(format!(
                r#"{{"label":"positive","confidence":0.5,"rationale":"{rationale}"}}"#
            ));
        }
    }
    out.push(r#"{"lab\u0065l":"posi\u0074ive","confidence":1,"rationale":"x"}"#.into());
    out.push(r#"{"label":"positive","confidence":0.5,"rationale":""}"#.into());
    out
}

/// What the schema says of `text`: a pass, or a failure (the fixed responses
/// vary only in whether they are JSON and whether the rationale is empty).
fn expected(text: &str) -> bool {
    let Ok(v) = serde_json::from_str::<Value>(text) else {
        return false;
    };
    v["rationale"].as_str().is_some_and(|r| !r.is_empty())
}

#[test]
fn special_bytes_around_every_chunk_boundary_get_the_schemas_verdict() {
    let tmp = tempfile::tempdir().expect("tmp");
    let texts = responses();
    let (mut input, mut output) = (Vec::new(), Vec::new());
    for (i, text) in texts.iter().enumerate() {
        let id = format!("r{i}");
        input.push(
            json!({"custom_id": id, "method": "POST", "url": "/v1/chat/completions",
            "body": {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "x"}]}})
            .to_string(),
        );
        output.push(
            json!({"id": format!("b{i}"), "custom_id": id, "error": null,
            "response": {"status_code": 200, "request_id": "q", "body": {
                "id": "c", "object": "chat.completion", "created": 1, "model": "gpt-4o-mini",
                "choices": [{"index": 0, "message": {"role": "assistant", "content": text},
                             "finish_reason": "stop"}],
                "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}}}})
            .to_string(),
        );
    }
    let input = write_lines(tmp.path(), "input.jsonl", &input);
    let results = write_lines(tmp.path(), "output.jsonl", &output);
    let rows = tmp.path().join("rows.jsonl");
    let (input, results, rows_arg) = (
        input.display().to_string(),
        results.display().to_string(),
        rows.display().to_string(),
    );
    // The example job's schema: label enum, confidence in [0, 1], rationale of 1-2000 characters.
    let schema_arg = format!("schema-drift.schema=@{}", data("schema.json").display());
    let o = assay(&[
        "eval",
        "--provider",
        "openai",
        "--input",
        &input,
        "--results",
        &results,
        "--judge",
        "schema-drift",
        "--set",
        &schema_arg,
        "--format",
        "json",
        "--no-history",
        "--rows-out",
        &rows_arg,
    ]);
    assert!(matches!(o.status.code(), Some(0 | 1)), "stderr: {}", stderr(&o));
    let s = summary(&o);
    assert_eq!(s["judges"]["schema-drift"]["scored"].as_u64(), Some(texts.len() as u64));
    let rows = std::fs::read_to_string(&rows).expect("rows-out");
    let (mut passes, mut fails) = (0, 0);
    for line in rows.lines() {
        let row: Value = serde_json::from_str(line).expect("row JSON");
        let i: usize = row["id"].as_str().and_then(|id| id[1..].parse().ok()).expect("row id");
        let verdict = &row["verdicts"]["schema-drift"];
        let want = expected(&texts[i]);
        assert_eq!(verdict["passed"].as_bool(), Some(want), "{:?}: {verdict}", texts[i]);
        if want {
            passes += 1;
        } else {
            fails += 1;
            let label = verdict["label"].as_str().unwrap_or_default();
            assert!(
                label == "json_parse" || label == "minLength@/rationale",
                "{:?}: {label}",
                texts[i]
            );
        }
    }
    assert!(passes > 200 && fails > 100, "{passes} passes, {fails} failures");
}

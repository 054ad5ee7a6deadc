//! Every provider's files through `assay eval --provider auto`: exact status
//! counts that add up to the rows submitted, reconciliation against the
//! provider's own batch object, snapshot rotation, gzip, and refusals.

use crate::support;

use std::io::Write;
use std::path::PathBuf;

use serde_json::Value;
use support::{assay, json, stderr};

fn fx(p: &str) -> String {
    support::root()
        .join("host/batch/tests/fixtures")
        .join(p)
        .display()
        .to_string()
}

fn eval(args: &[&str]) -> (Option<i32>, Value, String) {
    let mut all = vec!["eval", "--format", "json", "--max-bad-lines", "10"];
    all.extend_from_slice(args);
    let o = assay(&all);
    let err = stderr(&o);
    let v = if o.stdout.is_empty() { Value::Null } else { json(&o) };
    (o.status.code(), v, err)
}

const STATUSES: [&str; 8] = [
    "completed",
    "provider_error",
    "content_filter",
    "timeout",
    "expired",
    "canceled",
    "retry_exhausted",
    "missing",
];

/// Asserts the non-zero status counts exactly, and that all add up.
fn assert_counts(s: &Value, provider: &str, rows: u64, want: &[(&str, u64)]) {
    assert_eq!(s["provider"], provider);
    assert_eq!(s["rows_submitted"], rows);
    let mut total = 0;
    for k in STATUSES {
        let got = s["status_counts"][k].as_u64().unwrap_or(u64::MAX);
        let expected = want.iter().find(|(n, _)| *n == k).map_or(0, |(_, v)| *v);
        assert_eq!(got, expected, "{provider}: status {k}");
        total += got;
    }
    assert_eq!(total, rows, "{provider}: counts must add up to rows submitted");
}

#[test]
fn anthropic_body_and_jsonl_inputs_give_the_same_counts() {
    let want = [
        ("completed", 7),
        ("provider_error", 10),
        ("content_filter", 1),
        ("timeout", 1),
        ("expired", 1),
        ("canceled", 1),
        ("missing", 2),
    ];
    for input in ["anthropic/requests_body.json", "anthropic/requests.jsonl"] {
        let (code, s, err) = eval(&["--input", &fx(input), "--results", &fx("anthropic/results.jsonl")]);
        assert_eq!(code, Some(0), "{input}: {err}");
        assert_counts(&s, "anthropic", 23, &want);
        assert_eq!(s["flags"]["duplicate"], 1);
        assert_eq!(s["flags"]["unexpected"], 1);
        assert_eq!(s["flags"]["truncated"], 2);
        let bad = &s["bad_lines"]["lines"][0]["reason"];
        assert!(
            bad.as_str()
                .is_some_and(|r| r.contains("unknown result type \"deferred\"")),
            "{bad}"
        );
    }
}

#[test]
fn bedrock_records_and_manifest_reconciliation() {
    let (code, s, err) = eval(&[
        "--input",
        &fx("bedrock/input.jsonl"),
        "--results",
        &fx("bedrock/input.jsonl.out"),
        "--batch-object",
        &fx("bedrock/manifest.json.out"),
    ]);
    assert_eq!(code, Some(0), "{err}");
    let want = [
        ("completed", 12),
        ("provider_error", 4),
        ("content_filter", 4),
        ("timeout", 2),
        ("missing", 1),
    ];
    assert_counts(&s, "bedrock", 23, &want);
    assert_eq!(s["flags"]["truncated"], 3);
    // Titan, Llama and Mistral outputs name no model: most completed rows
    // are served by an unnamed model, not by one called "".
    let majority = &s["snapshots"]["majority"];
    assert_eq!(majority["model"], Value::Null, "{majority}");
    assert_eq!(s["snapshots"]["distinct_models"], 1);
    let names = s["snapshots"]["segments"][0]["models"].to_string();
    assert!(!names.contains("[\"\","), "{names}");
    let r = &s["reconciliation"][0];
    assert_eq!(r["ok"], false);
    let total = r["checks"]
        .as_array()
        .and_then(|c| c.iter().find(|c| c["name"] == "total"))
        .cloned();
    let total = total.unwrap_or(Value::Null);
    assert_eq!(
        (total["provider"].as_u64(), total["files"].as_u64()),
        (Some(24), Some(23))
    );
    assert_eq!(
        total["message"],
        "provider reports 24 requests, the input file holds 23 rows"
    );
}

#[test]
fn the_terminal_says_when_the_results_name_no_model() {
    let o = assay(&[
        "eval",
        "--input",
        &fx("bedrock/input.jsonl"),
        "--results",
        &fx("bedrock/input.jsonl.out"),
    ]);
    let out = String::from_utf8_lossy(&o.stdout);
    let line = out.lines().find(|l| l.starts_with("served by:")).unwrap_or_default();
    assert!(
        line.starts_with("served by: a model the results do not name (") && line.ends_with("; 1 model, 0 snapshots)"),
        "{out}"
    );
}

#[test]
fn strict_reconcile_turns_a_disagreement_into_a_failed_gate() {
    let args = [
        "--input",
        &fx("bedrock/input.jsonl"),
        "--results",
        &fx("bedrock/input.jsonl.out"),
        "--batch-object",
        &fx("bedrock/manifest.json.out"),
        "--strict-reconcile",
    ];
    let (code, s, _) = eval(&args.iter().map(|s| s.as_ref()).collect::<Vec<&str>>());
    assert_eq!(code, Some(1));
    assert!(
        s["gates"]
            .as_array()
            .is_some_and(|g| g.iter().any(|g| g["name"] == "reconciliation" && g["passed"] == false))
    );
}

/// (arguments, provider, rows submitted, non-zero status counts)
type Case = (Vec<String>, &'static str, u64, Vec<(&'static str, u64)>);

#[test]
fn google_azure_and_openai_variants() {
    let cases: Vec<Case> = vec![
        (
            vec![
                "--input".into(),
                fx("google/gemini_input.jsonl"),
                "--results".into(),
                fx("google/gemini_output.jsonl"),
            ],
            "gemini",
            12,
            vec![
                ("completed", 4),
                ("provider_error", 4),
                ("content_filter", 2),
                ("timeout", 1),
                ("missing", 1),
            ],
        ),
        (
            vec![
                "--input".into(),
                fx("google/vertex_input.jsonl"),
                "--results".into(),
                fx("google/vertex_output.jsonl"),
            ],
            "vertex",
            8,
            vec![
                ("completed", 3),
                ("provider_error", 3),
                ("content_filter", 1),
                ("missing", 1),
            ],
        ),
        (
            vec![
                "--input".into(),
                fx("google/vertex_labels_input.jsonl"),
                "--results".into(),
                fx("google/vertex_labels_output.jsonl"),
                "--id-path".into(),
                "request.labels.custom_id".into(),
            ],
            "vertex",
            4,
            vec![("completed", 2), ("timeout", 1), ("missing", 1)],
        ),
        (
            vec![
                "--provider".into(),
                "azure".into(),
                "--input".into(),
                fx("azure/input.jsonl"),
                "--results".into(),
                format!("{},{}", fx("azure/output.jsonl"), fx("azure/errors.jsonl")),
            ],
            "azure",
            11,
            vec![
                ("completed", 4),
                ("provider_error", 2),
                ("content_filter", 3),
                ("expired", 1),
                ("missing", 1),
            ],
        ),
        (
            vec![
                "--input".into(),
                fx("openai/responses_input.jsonl"),
                "--results".into(),
                format!(
                    "{},{}",
                    fx("openai/responses_output.jsonl"),
                    fx("openai/responses_errors.jsonl")
                ),
            ],
            "openai",
            10,
            vec![
                ("completed", 2),
                ("provider_error", 3),
                ("content_filter", 2),
                ("expired", 1),
                ("canceled", 1),
                ("missing", 1),
            ],
        ),
    ];
    for (args, provider, rows, want) in cases {
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        let (code, s, err) = eval(&refs);
        assert_eq!(code, Some(0), "{provider}: {err}");
        assert_counts(&s, provider, rows, &want);
    }
}

#[test]
fn retry_attempts_mark_retried_and_retry_exhausted() {
    let (code, s, err) = eval(&[
        "--input",
        &fx("openai/retry_input.jsonl"),
        "--results",
        &fx("openai/retry_attempt1.jsonl"),
        "--results",
        &fx("openai/retry_attempt2.jsonl"),
    ]);
    assert_eq!(code, Some(0), "{err}");
    assert_counts(
        &s,
        "openai",
        5,
        &[("completed", 2), ("provider_error", 1), ("retry_exhausted", 2)],
    );
    assert_eq!(s["flags"]["retried"], 1);
}

#[test]
fn embeddings_skip_quality_judges_with_a_note() {
    let schema = support::data("schema.json").display().to_string();
    let (code, s, err) = eval(&[
        "--input",
        &fx("openai/embeddings_input.jsonl"),
        "--results",
        &fx("openai/embeddings_output.jsonl"),
        "--judge",
        "schema-drift",
        "--set",
        &format!("schema-drift.schema=@{schema}"),
    ]);
    assert_eq!(code, Some(0), "{err}");
    let j = &s["judges"]["schema-drift"];
    assert_eq!(j["scored"], 0);
    assert!(j["skipped"].as_str().is_some_and(|m| m.contains("embeddings")), "{j}");
}

#[test]
fn mixed_providers_are_refused_with_what_was_seen() {
    let (code, _, err) = eval(&[
        "--input",
        &fx("openai/statuses_input.jsonl"),
        "--results",
        &fx("anthropic/results.jsonl"),
    ]);
    assert_eq!(code, Some(3));
    assert!(
        err.contains("line 1 has the anthropic result shape, not the openai result shape"),
        "{err}"
    );
    let (code, _, err) = eval(&[
        "--provider",
        "bedrock",
        "--input",
        &fx("openai/statuses_input.jsonl"),
        "--results",
        &fx("openai/statuses_output.jsonl"),
    ]);
    assert_eq!(code, Some(3));
    assert!(
        err.contains("has the openai input shape, not the bedrock input shape"),
        "{err}"
    );
}

fn gz(path: &str, out: &PathBuf) {
    let bytes = std::fs::read(path).expect("read fixture");
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(&bytes).expect("compress");
    std::fs::write(out, e.finish().expect("finish")).expect("write");
}

#[test]
fn gzip_files_are_read_transparently() {
    let tmp = tempfile::tempdir().expect("tmp");
    let (input, output) = (tmp.path().join("in.jsonl.gz"), tmp.path().join("out.jsonl.gz"));
    gz(&fx("bedrock/input.jsonl"), &input);
    gz(&fx("bedrock/input.jsonl.out"), &output);
    let (code, s, err) = eval(&[
        "--input",
        &input.display().to_string(),
        "--results",
        &output.display().to_string(),
    ]);
    assert_eq!(code, Some(0), "{err}");
    assert_counts(
        &s,
        "bedrock",
        23,
        &[
            ("completed", 12),
            ("provider_error", 4),
            ("content_filter", 4),
            ("timeout", 2),
            ("missing", 1),
        ],
    );
}

fn chat_line(id: &str, fingerprint: &str) -> String {
    format!(
        r#"{{"custom_id":"{id}","response":{{"status_code":200,"body":{{"model":"gpt-4o-mini-2024-07-18","system_fingerprint":"{fingerprint}","choices":[{{"index":0,"message":{{"role":"assistant","content":"ok"}},"finish_reason":"stop"}}],"usage":{{"prompt_tokens":3,"completion_tokens":1,"total_tokens":4}}}}}},"error":null}}"#
    )
}

#[test]
fn snapshot_rotation_is_flagged_per_segment() {
    let tmp = tempfile::tempdir().expect("tmp");
    let mut input = String::new();
    let mut output = String::new();
    for i in 0..400 {
        let id = format!("r{i}");
        input.push_str(&format!(
            r#"{{"custom_id":"{id}","method":"POST","url":"/v1/chat/completions","body":{{"model":"gpt-4o-mini"}}}}"#
        ));
        input.push('\n');
        // segment 3 (rows 300-399) is served by another snapshot
        let fp = if i >= 300 { "fp_new" } else { "fp_old" };
        output.push_str(&chat_line(&id, fp));
        output.push('\n');
    }
    let (ip, op) = (tmp.path().join("in.jsonl"), tmp.path().join("out.jsonl"));
    std::fs::write(&ip, input).expect("write");
    std::fs::write(&op, output).expect("write");
    let (code, s, err) = eval(&[
        "--input",
        &ip.display().to_string(),
        "--results",
        &op.display().to_string(),
        "--segment-size",
        "100",
    ]);
    assert_eq!(code, Some(0), "{err}");
    let snap = &s["snapshots"];
    assert_eq!(snap["majority"]["snapshot"], "fp_old");
    assert_eq!(snap["majority"]["share"].as_f64(), Some(0.75));
    assert_eq!(snap["rotated_segments"], serde_json::json!([3]));
    assert_eq!(snap["segments"][3]["snapshots"][0][0], "fp_new");
}

#[test]
fn prompts_and_metadata_reach_judges_that_ask_even_from_gzip_input() {
    let tmp = tempfile::tempdir().expect("tmp");
    let input = r#"{"custom_id":"a","method":"POST","url":"/v1/chat/completions","body":{"model":"m","metadata":{"team":"search"},"messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"日本語で答えて"}]}}"#;
    let output = r#"{"custom_id":"a","response":{"status_code":200,"body":{"model":"m","choices":[{"index":0,"message":{"role":"assistant","content":"echo-prompt"},"finish_reason":"stop"}],"usage":{"prompt_tokens":3,"completion_tokens":1,"total_tokens":4}}},"error":null}"#;
    let plain = tmp.path().join("in.jsonl");
    std::fs::write(&plain, format!("{input}\n")).expect("write");
    let packed = tmp.path().join("in.jsonl.gz");
    gz(&plain.display().to_string(), &packed);
    let out = tmp.path().join("out.jsonl");
    std::fs::write(&out, format!("{output}\n")).expect("write");
    for input in [&plain, &packed] {
        let rows = tmp.path().join("rows.jsonl");
        let (code, _, err) = eval(&[
            "--input",
            &input.display().to_string(),
            "--results",
            &out.display().to_string(),
            "--judge",
            "hostile",
            "--rows-out",
            &rows.display().to_string(),
        ]);
        assert_eq!(code, Some(0), "{err}");
        let line: Value = serde_json::from_str(std::fs::read_to_string(&rows).expect("rows").trim()).expect("json");
        assert_eq!(
            line["verdicts"]["hostile"]["details"],
            "system: Be brief. / user: 日本語で答えて | team=search",
            "{}",
            input.display()
        );
    }
}

#[test]
fn prompts_and_metadata_reach_judges_from_an_anthropic_requests_body() {
    let tmp = tempfile::tempdir().expect("tmp");
    // The second element is longer than the re-read buffer: its padding (a
    // request field no judge sees) makes the scan refill before the element ends.
    let pad = vec!["0"; 12_000].join(",");
    let body = format!(
        r#"{{"requests": [
  {{"custom_id":"a","params":{{"model":"m","max_tokens":8,"system":"Be brief.","metadata":{{"user_id":"u-1"}},"messages":[{{"role":"user","content":"hi"}}]}}}},
  {{"custom_id":"b","params":{{"model":"m","max_tokens":8,"pad":[{pad}],"metadata":{{"user_id":"u-2"}},"messages":[{{"role":"user","content":"ho"}}]}}}}
]}}"#
    );
    let result = |id: &str| {
        format!(
            r#"{{"custom_id":"{id}","result":{{"type":"succeeded","message":{{"id":"msg","type":"message","role":"assistant","model":"m","content":[{{"type":"text","text":"echo-prompt"}}],"stop_reason":"end_turn","usage":{{"input_tokens":3,"output_tokens":1}}}}}}}}"#
        )
    };
    let input = tmp.path().join("requests.json");
    std::fs::write(&input, body).expect("write");
    let out = tmp.path().join("results.jsonl");
    std::fs::write(&out, format!("{}\n{}\n", result("b"), result("a"))).expect("write");
    let rows = tmp.path().join("rows.jsonl");
    let (code, _, err) = eval(&[
        "--input",
        &input.display().to_string(),
        "--results",
        &out.display().to_string(),
        "--judge",
        "hostile",
        "--rows-out",
        &rows.display().to_string(),
    ]);
    assert_eq!(code, Some(0), "{err}");
    let details: Vec<String> = std::fs::read_to_string(&rows)
        .expect("rows")
        .lines()
        .map(|l| {
            let v: Value = serde_json::from_str(l).expect("json");
            v["verdicts"]["hostile"]["details"]
                .as_str()
                .unwrap_or_default()
                .to_owned()
        })
        .collect();
    assert_eq!(
        details,
        ["system: Be brief. / user: hi | user_id=u-1", "user: ho | user_id=u-2"]
    );
}

#[test]
fn an_openai_input_whose_first_line_is_over_64_kib_is_not_taken_for_an_anthropic_body() {
    let tmp = tempfile::tempdir().expect("tmp");
    let long = "x".repeat(100 << 10);
    let input = format!(
        "{{\"custom_id\":\"a\",\"method\":\"POST\",\"url\":\"/v1/chat/completions\",\"body\":{{\"model\":\"m\",\"messages\":[{{\"role\":\"user\",\"content\":\"{long}\"}}]}}}}\n{{\"custom_id\":\"b\",\"method\":\"POST\",\"url\":\"/v1/chat/completions\",\"body\":{{\"model\":\"m\"}}}}\n"
    );
    let output = format!("{}\n{}\n", chat_line_with_id("a"), chat_line_with_id("b"));
    let (ip, op) = (tmp.path().join("in.jsonl"), tmp.path().join("out.jsonl"));
    std::fs::write(&ip, input).expect("write");
    std::fs::write(&op, output).expect("write");
    let (code, s, err) = eval(&[
        "--input",
        &ip.display().to_string(),
        "--results",
        &op.display().to_string(),
    ]);
    assert_eq!(code, Some(0), "{err}");
    assert_counts(&s, "openai", 2, &[("completed", 2)]);
}

fn chat_line_with_id(id: &str) -> String {
    chat_line(id, "fp").replacen('{', &format!("{{\"id\":\"batch_req_{id}\","), 1)
}

#[test]
fn azure_files_are_detected_as_azure_and_a_named_provider_stands() {
    let files = [
        "--input".to_string(),
        fx("azure/input.jsonl"),
        "--results".to_string(),
        format!("{},{}", fx("azure/output.jsonl"), fx("azure/errors.jsonl")),
    ];
    let args: Vec<&str> = files.iter().map(String::as_str).collect();
    let want = [
        ("completed", 4),
        ("provider_error", 2),
        ("content_filter", 3),
        ("expired", 1),
        ("missing", 1),
    ];
    let (code, s, err) = eval(&args);
    assert_eq!(code, Some(0), "{err}");
    assert_counts(&s, "azure", 11, &want);
    let mut named = vec!["--provider", "openai"];
    named.extend_from_slice(&args);
    let (code, s, err) = eval(&named);
    assert_eq!(code, Some(0), "{err}");
    assert_counts(&s, "openai", 11, &want);
    // OpenAI's own files (every result line has an `id`, no filter results) stay openai.
    let (code, s, err) = eval(&[
        "--input",
        &fx("openai/retry_input.jsonl"),
        "--results",
        &fx("openai/retry_attempt2.jsonl"),
    ]);
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(s["provider"], "openai");
}

#[test]
fn a_line_with_another_providers_shape_past_the_sniff_window_is_a_refusal() {
    let tmp = tempfile::tempdir().expect("tmp");
    let mut input = String::new();
    let mut output = String::new();
    for i in 1..=120 {
        input.push_str(&format!(
            "{{\"custom_id\":\"r{i}\",\"method\":\"POST\",\"url\":\"/v1/chat/completions\",\"body\":{{\"model\":\"m\"}}}}\n"
        ));
        if i == 100 {
            output.push_str(&format!(
                "{{\"custom_id\":\"r{i}\",\"result\":{{\"type\":\"canceled\"}}}}\n"
            ));
        } else {
            output.push_str(&chat_line_with_id(&format!("r{i}")));
            output.push('\n');
        }
    }
    let (ip, op) = (tmp.path().join("in.jsonl"), tmp.path().join("out.jsonl"));
    std::fs::write(&ip, &input).expect("write");
    std::fs::write(&op, output).expect("write");
    let (code, _, err) = eval(&[
        "--input",
        &ip.display().to_string(),
        "--results",
        &op.display().to_string(),
    ]);
    assert_eq!(code, Some(3), "{err}");
    assert!(
        err.contains(&format!(
            "{}: line 100 has the anthropic result shape, not the openai result shape",
            op.display()
        )),
        "{err}"
    );
    // The same in an input file (results now all OpenAI's).
    let mut mixed = input.clone();
    mixed.push_str("{\"recordId\":\"x\",\"modelInput\":{}}\n");
    std::fs::write(&ip, mixed).expect("write");
    let fixed: String = (1..=120).map(|i| chat_line_with_id(&format!("r{i}")) + "\n").collect();
    std::fs::write(&op, fixed).expect("write");
    let (code, _, err) = eval(&[
        "--input",
        &ip.display().to_string(),
        "--results",
        &op.display().to_string(),
    ]);
    assert_eq!(code, Some(3), "{err}");
    assert!(
        err.contains("line 121 has the bedrock input shape, not the openai input shape"),
        "{err}"
    );
    // An Anthropic request line (custom_id + params, no body) at line 100.
    let anthropic: String = input
        .lines()
        .enumerate()
        .map(|(n, l)| match n + 1 {
            100 => {
                "{\"custom_id\":\"r100\",\"params\":{\"model\":\"m\",\"max_tokens\":8,\"messages\":[]}}\n".to_owned()
            }
            _ => format!("{l}\n"),
        })
        .collect();
    std::fs::write(&ip, anthropic).expect("write");
    let (code, _, err) = eval(&[
        "--input",
        &ip.display().to_string(),
        "--results",
        &op.display().to_string(),
    ]);
    assert_eq!(code, Some(3), "{err}");
    assert!(
        err.contains("line 100 has the anthropic input shape, not the openai input shape"),
        "{err}"
    );
}

#[test]
fn a_vertex_hash_join_that_joins_nothing_says_so_and_points_to_id_path() {
    let tmp = tempfile::tempdir().expect("tmp");
    let req = |q: &str| format!(r#"{{"contents":[{{"role":"user","parts":[{{"text":"{q}"}}]}}]}}"#);
    let input = format!("{{\"request\":{}}}\n{{\"request\":{}}}\n", req("a"), req("b"));
    // The echo differs from what was submitted (here: other text), so no hash joins.
    let line = |q: &str| {
        format!(
            r#"{{"status":"","processed_time":"t","request":{},"response":{{"candidates":[{{"content":{{"parts":[{{"text":"ok"}}]}},"finishReason":"STOP"}}]}}}}"#,
            req(q)
        )
    };
    let output = format!("{}\n{}\n", line("A"), line("B"));
    let (ip, op) = (tmp.path().join("in.jsonl"), tmp.path().join("out.jsonl"));
    std::fs::write(&ip, input).expect("write");
    std::fs::write(&op, output).expect("write");
    let (code, _, err) = eval(&[
        "--input",
        &ip.display().to_string(),
        "--results",
        &op.display().to_string(),
    ]);
    assert_eq!(code, Some(3), "{err}");
    assert!(err.contains("no result line joined any of the 2 input rows"), "{err}");
    assert!(err.contains("--id-path"), "{err}");
}

#[test]
fn one_bad_line_gets_one_record_and_never_completes_its_row() {
    let tmp = tempfile::tempdir().expect("tmp");
    let mut input = String::new();
    for i in 0..6 {
        input.push_str(&format!(
            "{{\"custom_id\":\"r{i}\",\"method\":\"POST\",\"url\":\"/v1/chat/completions\",\"body\":{{\"model\":\"m\"}}}}\n"
        ));
    }
    let mut out: Vec<u8> = Vec::new();
    out.extend(format!("{}\n", chat_line_with_id("r0")).as_bytes());
    // Too long for --max-line-bytes 900.
    let long = chat_line_with_id("r1").replace("\"ok\"", &format!("\"{}\"", "x".repeat(2000)));
    out.extend(format!("{long}\n").as_bytes());
    // Invalid UTF-8 inside a string the parser would skip.
    let ignored = chat_line_with_id("r2").replace("\"model\"", "\"ignored\":\"A_B\",\"model\"");
    out.extend(
        ignored
            .replace("A_B", "A\u{1}B")
            .as_bytes()
            .iter()
            .map(|&b| if b == 1 { 0xff } else { b }),
    );
    out.push(b'\n');
    out.extend(format!("{}\n", chat_line_with_id("r3")).as_bytes());
    // The last line is cut inside a UTF-8 sequence.
    let cut = chat_line_with_id("r4");
    out.extend(&cut.as_bytes()[..cut.len() - 3]);
    out.push(0xc3);
    let (ip, op) = (tmp.path().join("in.jsonl"), tmp.path().join("out.jsonl"));
    std::fs::write(&ip, input).expect("write");
    std::fs::write(&op, out).expect("write");
    let (code, s, err) = eval(&[
        "--input",
        &ip.display().to_string(),
        "--results",
        &op.display().to_string(),
        "--max-line-bytes",
        "900",
    ]);
    assert_eq!(code, Some(0), "{err}");
    assert_counts(&s, "openai", 6, &[("completed", 2), ("missing", 4)]);
    let lines: Vec<u64> = s["bad_lines"]["lines"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|b| b["line"].as_u64())
        .collect();
    assert_eq!(lines, vec![2, 3, 5], "{}", s["bad_lines"]);
    assert_eq!(s["bad_lines"]["count"], 3);
}

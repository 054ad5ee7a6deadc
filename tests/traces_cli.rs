//! `assay eval --otlp-endpoint`: per-row spans sent over OTLP/HTTP protobuf to
//! a loopback receiver, redacted before they leave, and counted in the summary.

#[path = "support/otlp_receiver.rs"]
mod otlp_receiver;
use crate::support;

use std::path::{Path, PathBuf};

use otlp_receiver::{Receiver, attr};

const CREATED: i64 = 1711738702;

/// A four-row OpenAI job whose prompts and answers carry personal data.
fn job(dir: &Path) -> (PathBuf, PathBuf) {
    let prompt = |i: usize, extra: &str| {
        format!(
            r#"{{"custom_id":"row-{i}","method":"POST","url":"/v1/chat/completions","body":{{"model":"gpt-4o-mini","messages":[{{"role":"user","content":"Summarize for jane.doe@example.com {extra}"}}]}}}}"#
        )
    };
    let answer = |i: usize, text: &str| {
        format!(
            r#"{{"id":"b{i}","custom_id":"row-{i}","response":{{"status_code":200,"body":{{"created":{},"model":"gpt-4o-mini-2024-07-18","choices":[{{"finish_reason":"stop","message":{{"content":{}}}}}],"usage":{{"prompt_tokens":10,"completion_tokens":{i},"total_tokens":{}}}}}}},"error":null}}"#,
            CREATED + i as i64,
            serde_json::Value::from(text),
            10 + i
        )
    };
    let input = support::write_lines(
        dir,
        "input.jsonl",
        &[
            prompt(0, "card 4111 1111 1111 1111"),
            prompt(1, "order ACME-12345"),
            prompt(2, "key sk-abcdefghijklmnopqrstuvwx"),
            prompt(3, "please"),
        ],
    );
    let output = support::write_lines(
        dir,
        "output.jsonl",
        &[
            answer(0, r#"{"ok": true}"#),
            answer(1, "call me at +1 555-123-4567"),
            answer(2, r#"{"ok": false}"#),
            r#"{"id":"b3","custom_id":"row-3","response":null,"error":{"code":"server_error","message":"The server had an error"}}"#.to_owned(),
        ],
    );
    (input, output)
}

fn eval(input: &Path, output: &Path, extra: &[&str]) -> std::process::Output {
    let mut args = vec![
        "eval",
        "--provider",
        "openai",
        "--input",
        input.to_str().unwrap(),
        "--results",
        output.to_str().unwrap(),
        "--judge",
        "json-valid",
        "--format",
        "json",
    ];
    args.extend_from_slice(extra);
    support::assay(&args)
}

const SECRETS: [&str; 6] = [
    "jane.doe@example.com",
    "4111 1111 1111 1111",
    "ACME-12345",
    "sk-abcdefghijklmnopqrstuvwx",
    "555-123-4567",
    "example.com",
];

#[test]
fn each_row_is_a_span_under_the_job_with_its_verdicts_and_redacted_values_never_reach_the_receiver() {
    let dir = tempfile::tempdir().unwrap();
    let (input, output) = job(dir.path());
    let rx = Receiver::start();
    let out = eval(
        &input,
        &output,
        &[
            "--otlp-endpoint",
            &rx.url,
            "--otlp-project",
            "t1",
            "--redact",
            "ACME-[0-9]+",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", support::stderr(&out));
    let summary = support::json(&out);
    let t = &summary["traces"];
    // 1 job + 4 rows + 3 verdicts (json-valid scores the completed rows).
    assert_eq!(
        (t["spans"].as_u64(), t["exported"].as_u64(), t["dropped"].as_u64()),
        (Some(8), Some(8), Some(0)),
        "{t}"
    );
    assert!(t["redactions"].as_u64().unwrap() >= 6, "{t}");

    let raw = rx.raw();
    for s in SECRETS {
        assert!(
            memchr::memmem::find(&raw, s.as_bytes()).is_none(),
            "{s} reached the receiver"
        );
    }

    let spans = rx.spans();
    assert_eq!(spans.len(), 8);
    let kind = |s: &opentelemetry_proto::tonic::trace::v1::Span| {
        attr(&s.attributes, "openinference.span.kind").unwrap_or_default()
    };
    let (resource, job) = spans.iter().find(|(_, s)| kind(s) == "CHAIN").expect("job span");
    assert!(
        resource.contains(&("openinference.project.name".into(), "t1".into())),
        "{resource:?}"
    );
    assert!(job.parent_span_id.is_empty());
    for (k, v) in [
        ("batch.provider", "openai"),
        ("batch.row_count", "4"),
        ("batch.status.completed", "3"),
        ("batch.status.provider_error", "1"),
        ("batch.completion_rate", "0.75"),
    ] {
        assert_eq!(attr(&job.attributes, k).as_deref(), Some(v), "{k}");
    }
    assert!(attr(&job.attributes, "batch.wall_time_ms").is_some());

    let rows: Vec<_> = spans.iter().map(|(_, s)| s).filter(|s| kind(s) == "LLM").collect();
    assert_eq!(rows.len(), 4);
    for r in &rows {
        assert_eq!(r.parent_span_id, job.span_id);
        assert_eq!(r.trace_id, job.trace_id);
    }
    let row = |id: &str| {
        *rows
            .iter()
            .find(|s| attr(&s.attributes, "batch.row_id").as_deref() == Some(id))
            .unwrap()
    };
    let r1 = row("row-1");
    assert_eq!(
        r1.start_time_unix_nano,
        (CREATED as u64 + 1) * 1_000_000_000,
        "the provider's created time"
    );
    for (k, v) in [
        ("batch.row_status", "completed"),
        ("batch.segment", "0"),
        ("batch.attempt", "1"),
        ("llm.model_name", "gpt-4o-mini-2024-07-18"),
        ("llm.token_count.prompt", "10"),
        ("llm.token_count.completion", "1"),
        ("llm.token_count.total", "11"),
        ("gen_ai.usage.input_tokens", "10"),
        ("gen_ai.usage.output_tokens", "1"),
        ("output.value", "call me at [REDACTED:phone]"),
    ] {
        assert_eq!(attr(&r1.attributes, k).as_deref(), Some(v), "{k}");
    }
    let input_value = attr(&r1.attributes, "input.value").unwrap();
    assert!(
        input_value.contains("[REDACTED:email]") && input_value.contains("[REDACTED:custom]"),
        "{input_value}"
    );
    let ev = &r1.events[0];
    assert_eq!(ev.name, "gen_ai.evaluation.result");
    assert_eq!(
        attr(&ev.attributes, "gen_ai.evaluation.name").as_deref(),
        Some("json-valid")
    );
    assert_eq!(
        attr(&ev.attributes, "batch.evaluation.passed").as_deref(),
        Some("false")
    );
    let judge = spans
        .iter()
        .map(|(_, s)| s)
        .find(|s| kind(s) == "EVALUATOR" && s.parent_span_id == r1.span_id)
        .expect("an EVALUATOR span under the row");
    assert_eq!(
        attr(&judge.attributes, "gen_ai.evaluation.name").as_deref(),
        Some("json-valid")
    );
    assert!(attr(&judge.attributes, "gen_ai.evaluation.score.label").is_some());

    let failed = row("row-3");
    assert_eq!(
        attr(&failed.attributes, "batch.row_status").as_deref(),
        Some("provider_error")
    );
    assert_eq!(
        attr(&failed.attributes, "batch.error_code").as_deref(),
        Some("server_error")
    );
    assert!(failed.events.is_empty());
    let status = failed.status.as_ref().expect("status");
    assert_eq!(status.code, 2, "ERROR");
}

#[test]
fn no_content_leaves_prompts_and_responses_off() {
    let dir = tempfile::tempdir().unwrap();
    let (input, output) = job(dir.path());
    let rx = Receiver::start();
    let out = eval(&input, &output, &["--otlp-endpoint", &rx.url, "--otlp-no-content"]);
    assert_eq!(out.status.code(), Some(0), "{}", support::stderr(&out));
    let spans = rx.spans();
    assert_eq!(spans.len(), 8);
    for (_, s) in &spans {
        for k in ["input.value", "output.value", "gen_ai.evaluation.explanation"] {
            assert!(attr(&s.attributes, k).is_none(), "{k} on {}", s.name);
        }
    }
}

#[test]
fn an_unreachable_receiver_counts_every_span_dropped_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let (input, output) = job(dir.path());
    // A port that was just free: nothing listens there.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("http://127.0.0.1:{port}");
    let out = eval(&input, &output, &["--otlp-endpoint", &url]);
    assert_eq!(out.status.code(), Some(0), "{}", support::stderr(&out));
    let t = &support::json(&out)["traces"];
    assert_eq!(
        (t["spans"].as_u64(), t["exported"].as_u64(), t["dropped"].as_u64()),
        (Some(8), Some(0), Some(8)),
        "{t}"
    );
    assert!(t["first_error"].as_str().is_some(), "{t}");
    assert!(
        support::stderr(&out).contains("8 of 8 spans were not exported"),
        "{}",
        support::stderr(&out)
    );
}

#[test]
fn a_bad_redact_pattern_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    let (input, output) = job(dir.path());
    let out = eval(
        &input,
        &output,
        &["--otlp-endpoint", "http://127.0.0.1:9", "--redact", "(unclosed"],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        support::stderr(&out).contains("--redact \"(unclosed\""),
        "{}",
        support::stderr(&out)
    );
}

#[test]
fn the_standard_endpoint_variable_turns_traces_on() {
    let dir = tempfile::tempdir().unwrap();
    let (input, output) = job(dir.path());
    let rx = Receiver::start();
    let out = support::assay_with_env(
        &[
            "eval",
            "--provider",
            "openai",
            "--input",
            input.to_str().unwrap(),
            "--results",
            output.to_str().unwrap(),
            "--format",
            "json",
        ],
        &[("OTEL_EXPORTER_OTLP_ENDPOINT", &rx.url)],
    );
    assert_eq!(out.status.code(), Some(0), "{}", support::stderr(&out));
    // No judge: the job span and one span per row.
    assert_eq!(support::json(&out)["traces"]["exported"].as_u64(), Some(5));
    assert_eq!(rx.spans().len(), 5);
}

#[test]
fn ctrl_c_while_spans_are_sent_flushes_reports_and_exits_130() {
    let dir = tempfile::tempdir().unwrap();
    // 20,000 rows, no judge: 40 batches of spans, each answered after 150 ms.
    let n = 20_000;
    let input: Vec<String> = (0..n)
        .map(|i| format!(r#"{{"custom_id":"r{i}","method":"POST","url":"/v1/chat/completions","body":{{"model":"m","messages":[]}}}}"#))
        .collect();
    let output: Vec<String> = (0..n)
        .map(|i| format!(r#"{{"custom_id":"r{i}","response":{{"status_code":200,"body":{{"model":"m","choices":[{{"finish_reason":"stop","message":{{"content":"ok"}}}}]}}}}}}"#))
        .collect();
    let input = support::write_lines(dir.path(), "in.jsonl", &input);
    let output = support::write_lines(dir.path(), "out.jsonl", &output);
    let rx = Receiver::start_with_delay(std::time::Duration::from_millis(150));
    support::builtin_judges();
    let child = std::process::Command::new(env!("CARGO_BIN_EXE_assay"))
        .args([
            "eval",
            "--provider",
            "openai",
            "--input",
            input.to_str().unwrap(),
            "--results",
        ])
        .arg(&output)
        .args(["--otlp-endpoint", &rx.url, "--format", "json"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Wait until the first batch arrived: the run is sending spans.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while rx.requests.lock().unwrap().is_empty() {
        assert!(std::time::Instant::now() < deadline, "no span arrived");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let killed = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let out = child.wait_with_output().unwrap();
    let err = support::stderr(&out);
    assert_eq!(out.status.code(), Some(130), "{err}");
    assert!(err.contains("interrupted"), "{err}");
    let line = err
        .lines()
        .find(|l| l.starts_with("assay: traces:"))
        .unwrap_or_else(|| panic!("{err}"));
    let num = |word: &str| -> u64 {
        let before = line.split(word).next().unwrap();
        before
            .trim_end()
            .rsplit(' ')
            .next()
            .unwrap()
            .trim_start_matches(',')
            .parse()
            .unwrap()
    };
    let (spans, exported, dropped) = (num(" spans"), num(" exported"), num(" dropped"));
    assert_eq!(exported + dropped, spans, "{line}");
    assert!(spans < n + 1, "stopped early: {line}");
    // What was exported includes the job span, marked interrupted.
    let got = rx.spans();
    assert_eq!(got.len() as u64, exported, "{line}");
    let job = got
        .iter()
        .map(|(_, s)| s)
        .find(|s| attr(&s.attributes, "openinference.span.kind").as_deref() == Some("CHAIN"));
    let job = job.unwrap_or_else(|| panic!("no job span among {} exported: {line}", got.len()));
    assert!(
        job.status
            .as_ref()
            .is_some_and(|s| s.code == 2 && s.message.contains("interrupted")),
        "{:?}",
        job.status
    );
}

/// Every file under `dir`, recursively.
fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(files_under(&p));
        } else {
            out.push(p);
        }
    }
    out
}

/// Issue 17: a secret in the host's environment reaches no output, log,
/// trace, report or database, and markup and terminal escapes a judge writes
/// into its labels, details and log are neutralized in the terminal, the
/// judge log, JUnit and the HTML report.
#[test]
fn no_host_secret_reaches_any_artifact_and_judge_markup_is_neutralized_everywhere() {
    const SECRET: &str = "hostsecret-7f3a9c1e55d0";
    const MARKUP: &str = "<script>alert(1)</script>\u{1b}[31mRED\u{1b}]0;pwned\u{7}";
    let dir = tempfile::tempdir().unwrap();
    let input = support::write_lines(
        dir.path(),
        "input.jsonl",
        &(0..3)
            .map(|i| {
                format!(
                    r#"{{"custom_id":"row-{i}","method":"POST","url":"/v1/chat/completions","body":{{"model":"gpt-4o-mini","messages":[{{"role":"user","content":"q{i}"}}]}}}}"#
                )
            })
            .collect::<Vec<_>>(),
    );
    let answer = |i: usize, text: &str| {
        format!(
            r#"{{"id":"b{i}","custom_id":"row-{i}","response":{{"status_code":200,"body":{{"created":{CREATED},"model":"gpt-4o-mini","choices":[{{"finish_reason":"stop","message":{{"content":{}}}}}],"usage":{{"prompt_tokens":1,"completion_tokens":1,"total_tokens":2}}}}}},"error":null}}"#,
            serde_json::Value::from(text)
        )
    };
    let output = support::write_lines(
        dir.path(),
        "output.jsonl",
        &[answer(0, "env"), answer(1, &format!("echo:{MARKUP}")), answer(2, "fs")],
    );
    let rx = Receiver::start();
    let d = |f: &str| dir.path().join(f).display().to_string();
    let (input, output) = (input.display().to_string(), output.display().to_string());
    let (rows_out, junit, report, state) = (d("rows.jsonl"), d("junit.xml"), d("report.html"), d("state.db"));
    let args = [
        "eval",
        "--provider",
        "openai",
        "--input",
        &input,
        "--results",
        &output,
        "--judge",
        "hostile",
        "--judge-log",
        "--rows-out",
        &rows_out,
        "--junit",
        &junit,
        "--report",
        &report,
        "--history",
        &state,
        "--otlp-endpoint",
        &rx.url,
    ];
    let env = [
        ("ASSAY_SECRET_PROBE", SECRET),
        ("OPENAI_API_KEY", SECRET),
        ("ANTHROPIC_API_KEY", SECRET),
        ("AWS_SECRET_ACCESS_KEY", SECRET),
    ];
    let out = support::assay_with_env(&args, &env);
    assert_eq!(out.status.code(), Some(0), "{}", support::stderr(&out));
    let history = support::assay_with_env(&["history", "--history", &state, "--format", "json"], &env);
    let (stdout, stderr) = (support::stdout(&out), support::stderr(&out));

    // The secret: nowhere.
    let mut artifacts: Vec<(String, Vec<u8>)> = vec![
        ("stdout".into(), out.stdout.clone()),
        ("stderr".into(), out.stderr.clone()),
        ("history".into(), history.stdout.clone()),
        ("traces".into(), rx.raw()),
    ];
    for f in files_under(dir.path()) {
        artifacts.push((f.display().to_string(), std::fs::read(&f).unwrap()));
    }
    assert!(
        artifacts.len() >= 8,
        "{:?}",
        artifacts.iter().map(|a| &a.0).collect::<Vec<_>>()
    );
    for (name, bytes) in &artifacts {
        assert!(
            memchr::memmem::find(bytes, SECRET.as_bytes()).is_none(),
            "the host's secret reached {name}"
        );
    }
    // The guest saw no environment at all.
    let rows = std::fs::read_to_string(dir.path().join("rows.jsonl")).unwrap();
    assert!(rows.contains("row-0"), "{rows}");

    // The markup: escaped in the HTML, no raw escape byte in any text output.
    let html = std::fs::read_to_string(dir.path().join("report.html")).unwrap();
    assert!(
        html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "the label is shown, escaped"
    );
    assert!(!html.contains("<script>alert(1)"), "raw markup in the report");
    let junit = std::fs::read_to_string(dir.path().join("junit.xml")).unwrap();
    for (name, text) in [
        ("stdout", &stdout),
        ("judge log", &stderr),
        ("report", &html),
        ("junit", &junit),
    ] {
        assert!(
            !text.contains('\u{1b}') && !text.contains('\u{7}'),
            "a raw escape reached the {name}"
        );
    }
    assert!(
        stderr.contains("[hostile]") && stderr.contains("RED"),
        "the log line is shown: {stderr}"
    );
    assert!(!junit.contains("<script>"), "raw markup in JUnit");
}

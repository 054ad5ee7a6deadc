//! `assay eval` end to end on files: the summary's contract, gates, exit
//! codes, bad input, rows-out and determinism.

use crate::support;

use serde_json::Value;
use support::{assay, data, input_line, json, ok_line, stderr, write_lines};

fn example_args() -> Vec<String> {
    [
        "eval",
        "--provider",
        "openai",
        "--input",
        data("openai_input.jsonl").to_str().unwrap_or_default(),
        "--results",
        &format!(
            "{},{}",
            data("openai_output.jsonl").display(),
            data("openai_errors.jsonl").display()
        ),
        "--judge",
        "schema-drift",
        "--set",
        &format!("schema-drift.schema=@{}", data("schema.json").display()),
        "--judge",
        "cost-per-row",
        "--set",
        &format!("cost-per-row.prices=@{}", data("prices.json").display()),
        "--segment-size",
        "250",
        "--format",
        "json",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect()
}

fn run(extra: &[&str]) -> std::process::Output {
    let mut args = example_args();
    args.extend(extra.iter().map(|s| s.to_string()));
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    assay(&refs)
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

#[test]
fn example_summary_has_the_documented_shape_and_exact_counts() {
    let out = run(&[]);
    assert_eq!(out.status.code(), Some(0), "stderr: {}", stderr(&out));
    let s = json(&out);
    assert_eq!(s["rows_submitted"], 2000);
    let counts = &s["status_counts"];
    for k in STATUSES {
        assert!(counts.get(k).is_some(), "status {k} missing from status_counts");
    }
    let total: u64 = STATUSES.iter().map(|k| counts[*k].as_u64().unwrap_or(0)).sum();
    assert_eq!(total, 2000, "status counts must add up to rows submitted");
    // The generator's truth for seed 7: 1830 completed + 52 schema failures + 23 truncated
    // are completed; 75 provider errors; 20 content filtered.
    assert_eq!(counts["completed"], 1905);
    assert_eq!(counts["provider_error"], 75);
    assert_eq!(counts["content_filter"], 20);
    assert_eq!(counts["missing"], 0);
    assert_eq!(s["flags"]["truncated"], 23);
    assert_eq!(s["completion_rate"].as_f64(), Some(1905.0 / 2000.0));
    let sd = &s["judges"]["schema-drift"];
    assert_eq!(sd["scored"], 1905);
    // truncated rows are cut mid-JSON and fail, as do the 52 schema failures
    assert_eq!(sd["passed"], 1905 - 52 - 23);
    assert!(sd["metrics"]["pass_rate"].as_f64().is_some());
    assert!(
        sd["alarms"].as_array().is_some_and(|a| !a.is_empty()),
        "the last 20% of rows drift: expect an alarm"
    );
    let cost = &s["judges"]["cost-per-row"]["metrics"];
    assert!(cost["batch_cost_usd"].as_f64().is_some_and(|c| c > 0.0));
    assert!(cost["cost_per_validated_row_usd"].as_f64().is_some());
}

/// The judges' compiled code is named for `perf` only when asked, in the
/// file `perf` reads (`/tmp/perf-<pid>.map`, which wasmtime writes).
#[test]
fn perf_map_names_the_judges_functions_only_when_asked() {
    let args = example_args();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    for asked in [false, true] {
        let mut c = support::command(&args);
        if asked {
            c.env("ASSAY_PERF_MAP", "1");
        } else {
            c.env_remove("ASSAY_PERF_MAP");
        }
        let child = c.stdout(std::process::Stdio::null()).spawn().expect("spawn assay");
        let map = std::path::PathBuf::from(format!("/tmp/perf-{}.map", child.id()));
        let status = child.wait_with_output().expect("wait for assay").status;
        assert_eq!(status.code(), Some(0));
        let text = std::fs::read_to_string(&map).unwrap_or_default();
        let _ = std::fs::remove_file(&map);
        assert_eq!(
            text.contains("schema_drift") && text.contains("score-packed"),
            asked,
            "asked: {asked}; {} bytes in {}",
            text.len(),
            map.display()
        );
    }
}

#[test]
fn results_are_identical_across_worker_counts_and_chunk_sizes() {
    let strip = |mut v: Value| {
        v["elapsed_ms"] = Value::Null;
        for (_, j) in v["judges"].as_object_mut().into_iter().flatten() {
            j["fuel_used"] = Value::Null;
        }
        v
    };
    let a = strip(json(&run(&["--workers", "1", "--chunk-rows", "7"])));
    let b = strip(json(&run(&["--workers", "2", "--chunk-rows", "256"])));
    assert_eq!(a, b);
}

#[test]
fn min_pass_rate_gate_fails_with_exit_1() {
    let out = run(&["--min-pass-rate", "0.99"]);
    assert_eq!(out.status.code(), Some(1), "stderr: {}", stderr(&out));
    let s = json(&out);
    assert_eq!(s["exit_code"], 1);
    assert_eq!(s["gates"][0]["passed"], false);
    let ok = run(&["--min-completion", "0.9"]);
    assert_eq!(ok.status.code(), Some(0));
}

#[test]
fn rows_out_has_one_line_per_submitted_row() {
    let tmp = tempfile::tempdir().expect("tmp");
    let path = tmp.path().join("rows.jsonl");
    let out = run(&["--rows-out", path.to_str().unwrap_or_default()]);
    assert_eq!(out.status.code(), Some(0), "stderr: {}", stderr(&out));
    let text = std::fs::read_to_string(&path).expect("rows-out written");
    let lines: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).expect("json line"))
        .collect();
    assert_eq!(lines.len(), 2000);
    assert_eq!(lines[0]["id"], "row-0");
    assert_eq!(lines[1999]["index"], 1999);
    let failed = lines
        .iter()
        .find(|l| l["verdicts"]["schema-drift"]["passed"] == false)
        .expect("some row fails the schema");
    assert!(failed["verdicts"]["schema-drift"]["label"].is_string());
    let errored = lines
        .iter()
        .find(|l| l["status"] == "provider_error")
        .expect("a provider error");
    assert!(
        errored["verdicts"].as_object().is_some_and(|v| v.is_empty()),
        "failed rows are never scored"
    );
}

fn small_job(dir: &std::path::Path, results: Vec<String>) -> (String, String) {
    let ids: Vec<String> = (0..4).map(|i| format!("r{i}")).collect();
    let input = write_lines(dir, "in.jsonl", &ids.iter().map(|i| input_line(i)).collect::<Vec<_>>());
    let out = write_lines(dir, "out.jsonl", &results);
    (input.display().to_string(), out.display().to_string())
}

#[test]
fn malformed_result_line_is_named_and_fails_the_run() {
    let tmp = tempfile::tempdir().expect("tmp");
    let (input, out) = small_job(
        tmp.path(),
        vec![ok_line("r0"), "{not json".into(), ok_line("r2"), ok_line("r3")],
    );
    let o = assay(&["eval", "--input", &input, "--results", &out, "--format", "json"]);
    assert_eq!(o.status.code(), Some(3), "stderr: {}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains(&format!("{out}:2:")),
        "error must name file and line: {err}"
    );
    let s = json(&o);
    assert_eq!(s["bad_lines"]["count"], 1);
    assert_eq!(
        s["status_counts"]["missing"], 1,
        "the unreadable row is missing, not dropped"
    );
    let tolerated = assay(&[
        "eval",
        "--input",
        &input,
        "--results",
        &out,
        "--format",
        "json",
        "--max-bad-lines",
        "1",
    ]);
    assert_eq!(tolerated.status.code(), Some(0));
}

/// `assay eval … 2>&1 | head`: a reader that stops before the error is
/// written costs the message, never the exit code (a panic would make it 101).
#[test]
fn a_closed_stderr_keeps_the_exit_code_of_the_error() {
    let tmp = tempfile::tempdir().expect("tmp");
    let (input, out) = small_job(tmp.path(), vec![ok_line("r0"), "{not json".into()]);
    let (reader, writer) = std::io::pipe().expect("pipe");
    drop(reader);
    let status = support::command(&["eval", "--input", &input, "--results", &out])
        .stdout(std::process::Stdio::null())
        .stderr(writer)
        .status()
        .expect("run assay");
    assert_eq!(status.code(), Some(3));
}

/// `assay judges --format json | head -1`, with the reader gone before the
/// first write: the listing ends quietly with exit 0, no panic.
#[test]
fn a_closed_stdout_ends_the_judge_listing_quietly() {
    for format in ["json", "text"] {
        let (reader, writer) = std::io::pipe().expect("pipe");
        drop(reader);
        let o = support::command(&["judges", "--format", format])
            .stdout(writer)
            .output()
            .expect("run assay");
        assert_eq!(o.status.code(), Some(0), "{format}: {}", stderr(&o));
        assert!(!stderr(&o).contains("panicked"), "{format}: {}", stderr(&o));
    }
}

#[test]
fn empty_result_file_is_an_error_not_a_pass() {
    let tmp = tempfile::tempdir().expect("tmp");
    let (input, _) = small_job(tmp.path(), vec![ok_line("r0")]);
    let empty = tmp.path().join("empty.jsonl");
    std::fs::write(&empty, "").expect("write");
    let o = assay(&[
        "eval",
        "--input",
        &input,
        "--results",
        empty.to_str().unwrap_or_default(),
    ]);
    assert_eq!(o.status.code(), Some(3), "stderr: {}", stderr(&o));
    assert!(stderr(&o).contains("no rows"), "{}", stderr(&o));
}

#[test]
fn unknown_judge_is_a_judge_error_naming_it() {
    let tmp = tempfile::tempdir().expect("tmp");
    let (input, out) = small_job(tmp.path(), vec![ok_line("r0")]);
    let o = assay(&["eval", "--input", &input, "--results", &out, "--judge", "no-such-judge"]);
    assert_eq!(o.status.code(), Some(4));
    assert!(stderr(&o).contains("no judge named 'no-such-judge'"), "{}", stderr(&o));
}

/// The input is indexed while the judges load; an input the index refuses
/// (every line bad, a zstd file, a missing file) is reported only after the
/// judges loaded, so a judge that cannot load is still the error named.
#[test]
fn a_judge_that_cannot_load_is_named_before_a_bad_input() {
    let tmp = tempfile::tempdir().expect("tmp");
    let (_, out) = small_job(tmp.path(), vec![ok_line("r0")]);
    let bad_lines = write_lines(tmp.path(), "bad.jsonl", &["{not json".to_string(), "[]".to_string()]);
    let zstd = tmp.path().join("in.jsonl.zst");
    std::fs::write(&zstd, [0x28, 0xb5, 0x2f, 0xfd, 0, 0, 0, 0]).expect("write");
    let missing = tmp.path().join("missing.jsonl");
    for input in [bad_lines, zstd, missing] {
        let input = input.display().to_string();
        let args = ["eval", "--provider", "openai", "--input", &input, "--results", &out];
        let o = assay(&[&args[..], &["--judge", "length", "--judge", "no-such-judge"]].concat());
        assert_eq!(o.status.code(), Some(4), "{input}: {}", stderr(&o));
        assert!(
            stderr(&o).contains("no judge named 'no-such-judge'"),
            "{input}: {}",
            stderr(&o)
        );
        assert!(!stderr(&o).contains(&input), "{input}: {}", stderr(&o));
        // With the judges fine, the same input is the error.
        let o = assay(&[&args[..], &["--judge", "length"]].concat());
        assert_eq!(o.status.code(), Some(3), "{input}: {}", stderr(&o));
        assert!(stderr(&o).contains(&input), "{input}: {}", stderr(&o));
    }
}

/// Judges are prepared side by side; the error reported is the first judge's
/// in the order given, whichever thread finished first.
#[test]
fn of_several_bad_judges_the_first_given_is_named() {
    let tmp = tempfile::tempdir().expect("tmp");
    let (input, out) = small_job(tmp.path(), vec![ok_line("r0")]);
    let args = ["eval", "--input", &input, "--results", &out, "--judge", "length"];
    let o = assay(&[&args[..], &["--judge", "first-missing", "--judge", "second-missing"]].concat());
    assert_eq!(o.status.code(), Some(4), "{}", stderr(&o));
    assert!(stderr(&o).contains("no judge named 'first-missing'"), "{}", stderr(&o));
    assert!(!stderr(&o).contains("second-missing"), "{}", stderr(&o));
}

#[test]
fn a_judge_given_twice_is_a_usage_error() {
    let tmp = tempfile::tempdir().expect("tmp");
    let (input, out) = small_job(tmp.path(), vec![ok_line("r0")]);
    let args = ["eval", "--input", &input, "--results", &out, "--judge", "length"];
    let o = assay(&[&args[..], &["--judge", "length"]].concat());
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("--judge length given twice"), "{}", stderr(&o));
}

#[test]
fn judge_failures_past_the_threshold_abort_the_run() {
    let tmp = tempfile::tempdir().expect("tmp");
    let (input, out) = small_job(
        tmp.path(),
        vec![ok_line("r0"), ok_line("r1"), ok_line("r2"), ok_line("r3")],
    );
    // hostile panics on rows whose response is "panic": make r1 such a row
    let text = std::fs::read_to_string(&out).expect("read");
    let text = text.replacen(
        r#"{\"label\":\"positive\",\"confidence\":0.9,\"rationale\":\"fine\"}"#,
        "panic",
        2,
    );
    std::fs::write(&out, text).expect("write");
    let o = assay(&[
        "eval",
        "--input",
        &input,
        "--results",
        &out,
        "--judge",
        "hostile",
        "--format",
        "json",
    ]);
    assert_eq!(o.status.code(), Some(4), "stderr: {}", stderr(&o));
    // Counted as it happens: the first failure past the allowed 0 stops the judge.
    assert!(
        stderr(&o).contains("was stopped by the host on 1 rows, more than the allowed 0"),
        "{}",
        stderr(&o)
    );

    let policy = tmp.path().join("policy.toml");
    std::fs::write(&policy, "max-judge-error-rate = 0.5\n").expect("write");
    let o = assay(&[
        "eval",
        "--input",
        &input,
        "--results",
        &out,
        "--judge",
        "hostile",
        "--format",
        "json",
        "--policy",
        policy.to_str().unwrap_or_default(),
    ]);
    assert_eq!(o.status.code(), Some(0), "stderr: {}", stderr(&o));
    let s = json(&o);
    assert_eq!(s["judges"]["hostile"]["failures"]["panic"], 2);
    assert_eq!(s["judges"]["hostile"]["passed"], 2);
}

#[test]
fn judges_lists_builtins_from_manifests() {
    let o = assay(&["judges", "--format", "json"]);
    assert_eq!(o.status.code(), Some(0));
    let v = json(&o);
    let names: Vec<&str> = v["judges"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|j| j["name"].as_str())
        .collect();
    assert!(
        names.contains(&"schema-drift") && names.contains(&"cost-per-row"),
        "{names:?}"
    );
}

#[test]
fn judge_test_diffs_golden_verdicts() {
    let golden = support::root().join("tests/fixtures/golden");
    let rows = golden.join("hostile_rows.jsonl").display().to_string();
    let expect = golden.join("hostile_expect.jsonl").display().to_string();
    let o = assay(&["judge", "test", "hostile", "--rows", &rows, "--expect", &expect]);
    assert_eq!(o.status.code(), Some(0), "{}{}", support::stdout(&o), stderr(&o));
    assert!(
        support::stdout(&o).contains("4 passed, 0 failed"),
        "{}",
        support::stdout(&o)
    );

    let tmp = tempfile::tempdir().expect("tmp");
    let wrong = tmp.path().join("expect.jsonl");
    std::fs::write(
        &wrong,
        "{\"id\": \"ok\", \"passed\": false}\n{\"id\": \"gone\", \"passed\": true}\n",
    )
    .expect("write");
    let o = assay(&[
        "judge",
        "test",
        "hostile",
        "--rows",
        &rows,
        "--expect",
        wrong.to_str().unwrap_or_default(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    let out = support::stdout(&o);
    assert!(
        out.contains("MISMATCH ok") && out.contains("EXPECTED BUT NO ROW") && out.contains("NO EXPECTATION for panics"),
        "{out}"
    );

    let o = assay(&["judge", "test", "hostile", "--rows", &rows]);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(support::stdout(&o).lines().count(), 4, "one verdict line per row");
}

/// The local-metric judges, through the real loader and sandbox, on shared
/// golden rows (references and contexts in row metadata).
#[test]
fn local_metric_judges_match_their_golden_verdicts() {
    let golden = support::root().join("tests/fixtures/golden");
    let rows = golden.join("metrics_rows.jsonl").display().to_string();
    let cases: [(&str, &[&str]); 10] = [
        ("json-valid", &[]),
        ("exact-match", &[]),
        ("levenshtein", &[]),
        ("bleu", &[]),
        ("rouge-l", &[]),
        ("refusal", &[]),
        ("groundedness-lite", &[]),
        ("length", &["--set", "max-words=5"]),
        ("contains", &["--set", "contains=cat"]),
        ("regex", &["--set", "pattern=^The"]),
    ];
    for (judge, extra) in cases {
        let expect = golden.join(format!("{judge}_expect.jsonl")).display().to_string();
        let mut args = vec!["judge", "test", judge, "--rows", &rows, "--expect", &expect];
        args.extend_from_slice(extra);
        let o = assay(&args);
        assert_eq!(
            o.status.code(),
            Some(0),
            "{judge}: {}{}",
            support::stdout(&o),
            stderr(&o)
        );
        assert!(
            support::stdout(&o).contains("5 passed, 0 failed"),
            "{judge}: {}",
            support::stdout(&o)
        );
    }
}

/// `batch-sync-drift` on its golden pairs (sync answers in the `assay.sync.*`
/// metadata the host adds), through the real loader and sandbox.
#[test]
fn batch_sync_drift_matches_its_golden_verdicts() {
    let golden = support::root().join("plugins/batch-sync-drift/golden");
    let path = |f: &str| golden.join(f).display().to_string();
    let (rows, expect) = (path("rows.jsonl"), path("expect.jsonl"));
    let schema = format!("schema=@{}", path("schema.json"));
    let tool = format!("tool-schema=@{}", path("tool-schema.json"));
    let o = assay(&[
        "judge",
        "test",
        "batch-sync-drift",
        "--rows",
        &rows,
        "--expect",
        &expect,
        "--set",
        &schema,
        "--set",
        &tool,
    ]);
    assert_eq!(o.status.code(), Some(0), "{}{}", support::stdout(&o), stderr(&o));
    let lines = std::fs::read_to_string(golden.join("rows.jsonl"))
        .expect("rows")
        .lines()
        .count();
    assert!(
        support::stdout(&o).contains(&format!("{lines} passed, 0 failed")),
        "{}",
        support::stdout(&o)
    );
}

#[test]
fn an_input_whose_every_line_is_bad_is_an_input_error_even_within_max_bad_lines() {
    let tmp = tempfile::tempdir().expect("tmp");
    let input = write_lines(tmp.path(), "in.jsonl", &["{not json".to_owned(), "[1,2".to_owned()]);
    let o = assay(&[
        "eval",
        "--provider",
        "openai",
        "--input",
        input.to_str().unwrap_or_default(),
        "--results",
        data("openai_output.jsonl").to_str().unwrap_or_default(),
        "--max-bad-lines",
        "10",
        "--format",
        "json",
    ]);
    assert_eq!(o.status.code(), Some(3), "stderr: {}", stderr(&o));
    assert!(
        stderr(&o).contains("no valid row: all 2 lines are bad"),
        "{}",
        stderr(&o)
    );
    assert!(o.stdout.is_empty(), "no summary passed off as a result");
}

#[test]
fn a_batch_object_that_is_not_a_regular_file_is_refused_without_reading_it() {
    let started = std::time::Instant::now();
    let o = run(&["--batch-object", "/dev/zero"]);
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("/dev/zero: not a batch object: not a regular file"),
        "{}",
        stderr(&o)
    );
    // The message proves the refusal came before any read; the bound only
    // catches a read of the endless device, so it leaves room for a loaded
    // machine compiling the run's judges (60 s was seen to be too tight).
    assert!(started.elapsed() < std::time::Duration::from_secs(300));
}

#[test]
fn provider_error_codes_reach_rows_out_and_the_summary() {
    let tmp = tempfile::tempdir().expect("tmp");
    let rows_out = tmp.path().join("rows.jsonl");
    let o = run(&["--rows-out", rows_out.to_str().unwrap_or_default()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let s = json(&o);
    assert_eq!(
        s["error_codes"]["provider_error"][0],
        serde_json::json!({"code": "server_error", "rows": 75})
    );
    assert_eq!(s["error_codes"]["content_filter"][0]["code"], "content_filter");
    let text = std::fs::read_to_string(&rows_out).expect("rows-out");
    let rows: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).expect("json line"))
        .collect();
    let failed = rows
        .iter()
        .find(|r| r["status"] == "provider_error")
        .expect("a provider_error row");
    assert_eq!(failed["error_code"], "server_error");
    let message = failed["error_message"].as_str().expect("a message");
    assert!(!message.is_empty() && message.len() <= 512, "{message}");
    let done = rows
        .iter()
        .find(|r| r["status"] == "completed")
        .expect("a completed row");
    assert!(done["error_code"].is_null() && done["error_message"].is_null());
}

#[test]
fn a_pass_rate_gate_that_selects_no_judge_is_a_usage_error() {
    // cost-per-row is not a quality judge: a bare --min-pass-rate finds nothing to gate.
    let o = assay(&[
        "eval",
        "--input",
        data("openai_input.jsonl").to_str().unwrap_or_default(),
        "--results",
        data("openai_output.jsonl").to_str().unwrap_or_default(),
        "--judge",
        "cost-per-row",
        "--min-pass-rate",
        "0.9",
        "--format",
        "json",
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("no --judge selects one"), "{}", stderr(&o));
}

#[test]
fn a_gzip_input_past_max_unpacked_bytes_is_an_input_error() {
    use std::io::Write;
    let tmp = tempfile::tempdir().expect("tmp");
    let gz = tmp.path().join("in.jsonl.gz");
    let mut enc =
        flate2::write::GzEncoder::new(std::fs::File::create(&gz).expect("create"), flate2::Compression::fast());
    enc.write_all(&std::fs::read(data("openai_input.jsonl")).expect("read"))
        .expect("gzip");
    enc.finish().expect("finish");
    // exact-match scores from metadata, so the gzip input is unpacked for re-reads.
    let o = assay(&[
        "eval",
        "--input",
        gz.to_str().unwrap_or_default(),
        "--results",
        data("openai_output.jsonl").to_str().unwrap_or_default(),
        "--judge",
        "exact-match",
        "--max-unpacked-bytes",
        "1000",
        "--format",
        "json",
    ]);
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("decompresses to more than --max-unpacked-bytes 1000"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn a_fifo_and_stdin_are_each_read_once_and_lose_no_row() {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let tmp = tempfile::tempdir().expect("tmp");
    let fifo = tmp.path().join("out.fifo");
    assert!(Command::new("mkfifo").arg(&fifo).status().expect("mkfifo").success());
    let writer = {
        let fifo = fifo.clone();
        std::thread::spawn(move || {
            let text = std::fs::read(data("openai_output.jsonl")).expect("read");
            std::fs::write(fifo, text).expect("write fifo");
        })
    };
    support::builtin_judges();
    let mut child = Command::new(env!("CARGO_BIN_EXE_assay"))
        .args(["eval", "--provider", "openai", "--input", "-", "--results"])
        .arg(format!("{},{}", fifo.display(), data("openai_errors.jsonl").display()))
        .args(["--judge", "json-valid", "--format", "json"])
        .env("ASSAY_PLUGIN_PATH", support::hostile_judges())
        .env("ASSAY_CACHE_DIR", support::root().join("target").join("test-cache"))
        .env("ASSAY_STATE", support::test_state())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let input = std::fs::read(data("openai_input.jsonl")).expect("read");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(&input)
        .expect("feed stdin");
    let o = child.wait_with_output().expect("wait");
    writer.join().expect("writer");
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let s = json(&o);
    assert_eq!(s["input"], "-");
    assert_eq!(s["attempts"][0][0], fifo.display().to_string());
    assert_eq!(s["status_counts"]["completed"], 1905);
    assert_eq!(s["status_counts"]["missing"], 0);
    assert_eq!(s["bad_lines"]["count"], 0);
}

/// An error about a stream names it as given (`-`), never the copy the run
/// read it through.
#[test]
fn an_empty_stream_is_refused_by_the_name_given() {
    use std::process::{Command, Stdio};
    let input = data("openai_input.jsonl");
    let o = Command::new(env!("CARGO_BIN_EXE_assay"))
        .args(["eval", "--provider", "openai", "--input"])
        .arg(&input)
        .args(["--results", "-", "--format", "json"])
        .env("ASSAY_STATE", support::test_state())
        .stdin(Stdio::null())
        .output()
        .expect("run");
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("hold no rows (-)"), "{err}");
    assert!(!err.contains("/proc/self/fd"), "{err}");
}

/// Metadata values that are not strings reach a judge as their JSON text
/// (`42`, `true`), so `exact-match` against a numeric reference passes.
#[test]
fn non_string_metadata_reaches_the_judge_as_json_text() {
    let tmp = tempfile::tempdir().expect("tmp");
    let cases = [
        ("n", "42", "42"),
        ("b", "true", "true"),
        ("l", r#"[1, "a"]"#, r#"[1, "a"]"#),
    ];
    let input: Vec<String> = cases
        .iter()
        .map(|(id, meta, _)| {
            format!(
                r#"{{"custom_id":"{id}","method":"POST","url":"/v1/chat/completions","body":{{"model":"gpt-4o-mini","messages":[{{"role":"user","content":"hi"}}],"metadata":{{"reference":{meta}}}}}}}"#
            )
        })
        .collect();
    let output: Vec<String> = cases
        .iter()
        .map(|(id, _, answer)| {
            let content = serde_json::to_string(answer).expect("json string");
            format!(
                r#"{{"id":"b_{id}","custom_id":"{id}","response":{{"status_code":200,"request_id":"r","body":{{"model":"gpt-4o-mini","choices":[{{"index":0,"message":{{"role":"assistant","content":{content}}},"finish_reason":"stop"}}],"usage":{{"prompt_tokens":1,"completion_tokens":1,"total_tokens":2}}}}}},"error":null}}"#
            )
        })
        .collect();
    let i = write_lines(tmp.path(), "in.jsonl", &input);
    let r = write_lines(tmp.path(), "out.jsonl", &output);
    let o = assay(&[
        "eval",
        "--input",
        i.to_str().unwrap_or_default(),
        "--results",
        r.to_str().unwrap_or_default(),
        "--judge",
        "exact-match",
        "--format",
        "json",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let s = json(&o);
    assert_eq!(s["judges"]["exact-match"]["scored"], 3, "{s}");
    assert_eq!(s["judges"]["exact-match"]["passed"], 3, "{s}");
}

/// A judge-error count comes with its first instance: the row id, the kind
/// and the judge's message, in the terminal view and in the JSON summary.
#[test]
fn judge_errors_are_shown_with_the_first_row_and_its_reason() {
    let (input, output) = (data("openai_input.jsonl"), data("openai_output.jsonl"));
    let args = [
        "eval",
        "--input",
        input.to_str().unwrap_or_default(),
        "--results",
        output.to_str().unwrap_or_default(),
        "--judge",
        "exact-match",
    ];
    let o = assay(&args);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let text = support::stdout(&o);
    assert!(
        text.contains("judge errors 1905  stopped by host 0\n")
            && text.contains("first judge error: row row-0: invalid_input: no `reference` in row metadata"),
        "{text}"
    );
    assert!(!text.contains("[]"), "no empty failure list: {text}");
    let mut json_args = args.to_vec();
    json_args.extend(["--format", "json"]);
    let s = json(&assay(&json_args));
    assert_eq!(
        s["judges"]["exact-match"]["first_judge_error"],
        "row row-0: invalid_input: no `reference` in row metadata"
    );
}

/// Issue 10 item 7: the summary names, for each judge, where it was loaded
/// from and its sha256 (the same data `assay judges` shows), in JSON, on the
/// terminal and in JUnit.
#[test]
fn the_summary_names_each_judges_origin_and_sha256() {
    let listed = json(&assay(&["judges", "--format", "json"]));
    let entry = listed["judges"]
        .as_array()
        .and_then(|a| {
            a.iter()
                .find(|j| j["name"] == "schema-drift" && j["origin"] == "built-in")
        })
        .cloned()
        .expect("schema-drift is listed");
    let manifest = entry["manifest"].as_str().expect("manifest path");
    let sha = entry["sha256"].as_str().expect("sha256");

    let s = json(&run(&[]));
    let sd = &s["judges"]["schema-drift"];
    assert_eq!(sd["origin"], "built-in");
    assert_eq!(sd["sha256"], sha);
    let component = sd["component"].as_str().expect("component path");
    let dir = std::path::Path::new(manifest).parent().expect("manifest dir");
    assert!(
        component.ends_with(".wasm") && std::path::Path::new(component).starts_with(dir),
        "{component} is not beside {manifest}"
    );

    let mut args = example_args();
    let n = args.len();
    args[n - 1] = "text".into();
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    let text = support::stdout(&assay(&refs));
    assert!(
        text.contains(&format!("from built-in {component}  sha256 {sha}")),
        "{text}"
    );

    let tmp = tempfile::tempdir().expect("tmp");
    let junit = tmp.path().join("junit.xml");
    let page = tmp.path().join("report.html");
    let out = run(&[
        "--junit",
        junit.to_str().unwrap_or_default(),
        "--report",
        page.to_str().unwrap_or_default(),
    ]);
    assert_eq!(out.status.code(), Some(0), "stderr: {}", stderr(&out));
    let xml = std::fs::read_to_string(&junit).expect("junit written");
    assert!(xml.contains(sha), "{xml}");
    let html = std::fs::read_to_string(&page).expect("report written");
    assert!(
        html.contains(sha) && html.contains("built-in"),
        "the report names no origin"
    );
}

/// `ASSAY_CACHE_MAX_MIB` caps the compile cache: with 0 nothing compiled is
/// kept; without it both judges' entries stay; a value that is not a number
/// is reported and the default cap used.
#[test]
fn the_compile_cache_cap_follows_assay_cache_max_mib() {
    let (input, output) = (data("openai_input.jsonl"), data("openai_output.jsonl"));
    let args = [
        "eval",
        "--input",
        input.to_str().unwrap_or_default(),
        "--results",
        output.to_str().unwrap_or_default(),
        "--judge",
        "length",
        "--judge",
        "refusal",
        "--quiet",
    ];
    let entries = |dir: &std::path::Path| {
        std::fs::read_dir(dir.join("components")).map_or(0, |rd| {
            rd.flatten()
                .filter(|e| e.path().extension().is_some_and(|x| x == "cwasm"))
                .count()
        })
    };
    let run = |cap: Option<&str>| {
        let tmp = tempfile::tempdir().expect("tmp");
        let dir = tmp.path().to_str().unwrap_or_default().to_owned();
        let mut env = vec![("ASSAY_CACHE_DIR", dir.as_str())];
        if let Some(c) = cap {
            env.push(("ASSAY_CACHE_MAX_MIB", c));
        }
        let o = support::assay_with_env(&args, &env);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        (entries(tmp.path()), stderr(&o))
    };
    assert_eq!(run(None).0, 2);
    assert_eq!(run(Some("0")).0, 0);
    let (kept, err) = run(Some("lots"));
    assert_eq!(kept, 2);
    assert!(
        err.contains("ASSAY_CACHE_MAX_MIB=lots is not a whole number of MiB"),
        "{err}"
    );
}

//! Run history end to end: `assay eval` records every run in the state
//! database, `assay history` lists the runs, `assay trend` draws them and flags
//! a regression; concurrent runs lose nothing; a data directory that cannot be
//! made costs a warning, never the run.

use crate::support;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use support::{assay, assay_with_env, json, stderr, stdout, write_lines};

/// A 10-row OpenAI job: rows below `completed` completed (their answer is JSON
/// when below `valid`), the rest have no result line (missing).
fn job(dir: &Path, name: &str, completed: usize, valid: usize) -> (PathBuf, PathBuf) {
    let input: Vec<String> = (0..10)
        .map(|i| {
            format!(
                r#"{{"custom_id":"r{i}","method":"POST","url":"/v1/chat/completions","body":{{"model":"gpt-4o-mini","messages":[{{"role":"user","content":"q{i}"}}]}}}}"#
            )
        })
        .collect();
    let output: Vec<String> = (0..completed)
        .map(|i| {
            let content = if i < valid { r#"{\"ok\":true}"# } else { "not json" };
            format!(
                r#"{{"id":"b{i}","custom_id":"r{i}","response":{{"status_code":200,"request_id":"q{i}","body":{{"id":"c{i}","object":"chat.completion","model":"gpt-4o-mini-2024-07-18","system_fingerprint":"fp_1","choices":[{{"index":0,"message":{{"role":"assistant","content":"{content}"}},"finish_reason":"stop"}}],"usage":{{"prompt_tokens":5,"completion_tokens":3,"total_tokens":8}}}}}},"error":null}}"#
            )
        })
        .collect();
    (
        write_lines(dir, &format!("{name}_in.jsonl"), &input),
        write_lines(dir, &format!("{name}_out.jsonl"), &output),
    )
}

fn eval_args(input: &Path, output: &Path, extra: &[&str]) -> Vec<String> {
    let mut a: Vec<String> = ["eval", "--provider", "openai", "--input"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    a.push(input.display().to_string());
    a.push("--results".into());
    a.push(output.display().to_string());
    a.extend(
        ["--judge", "json-valid", "--format", "json"]
            .iter()
            .map(|s| s.to_string()),
    );
    a.extend(extra.iter().map(|s| s.to_string()));
    a
}

fn eval(dir: &Path, name: &str, completed: usize, valid: usize, extra: &[&str]) -> std::process::Output {
    let (input, output) = job(dir, name, completed, valid);
    let args = eval_args(&input, &output, extra);
    assay(&args.iter().map(String::as_str).collect::<Vec<_>>())
}

fn history_json(path: &Path, extra: &[&str]) -> serde_json::Value {
    let p = path.display().to_string();
    let mut args = vec!["history", "--history", &p, "--format", "json"];
    args.extend(extra);
    let o = assay(&args);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    json(&o)
}

#[test]
fn eval_records_each_run_and_history_lists_it_newest_first() {
    let tmp = tempfile::tempdir().expect("tmp");
    let h = tmp.path().join("state.db");
    let hs = h.display().to_string();
    let o = eval(tmp.path(), "a", 8, 6, &["--history", &hs, "--tag", "nightly"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let o = eval(tmp.path(), "b", 10, 10, &["--history", &hs]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));

    let v = history_json(&h, &[]);
    let runs = v["runs"].as_array().expect("runs");
    assert_eq!(runs.len(), 2, "{v}");
    assert!(runs[0]["run"].as_i64() > runs[1]["run"].as_i64(), "newest first");
    let r = &runs[1];
    assert_eq!(r["kind"], "eval");
    assert_eq!(r["tag"], "nightly");
    assert_eq!(r["job_id"], serde_json::Value::Null);
    assert_eq!(r["provider"], "openai");
    assert_eq!(r["rows_submitted"], 10);
    assert_eq!(r["status_counts"]["completed"], 8);
    assert_eq!(r["status_counts"]["missing"], 2);
    assert_eq!(r["completion_rate"], 0.8);
    assert_eq!(r["models"][0], serde_json::json!(["gpt-4o-mini-2024-07-18", 8]));
    assert_eq!(r["snapshots"][0], serde_json::json!(["fp_1", 8]));
    assert_eq!(r["exit_code"], 0);
    let j = &r["judges"]["json-valid"];
    assert_eq!(j["pass_rate"], 0.75);
    assert_eq!(j["sha256"].as_str().map(str::len), Some(64), "{j}");
    assert!(r["started_at"].as_i64().unwrap_or(0) > 1_700_000_000_000, "{r}");

    let tagged = history_json(&h, &["--tag", "nightly"]);
    assert_eq!(tagged["runs"].as_array().map(Vec::len), Some(1));
    let limited = history_json(&h, &["--limit", "1"]);
    assert_eq!(limited["runs"][0]["run"], runs[0]["run"]);

    let o = assay(&["history", "--history", &hs]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let text = stdout(&o);
    assert!(
        text.contains("nightly") && text.contains("json-valid 75.00%") && text.contains("80.00%"),
        "{text}"
    );
}

#[test]
fn state_and_history_name_the_same_file_and_no_history_records_nothing() {
    let tmp = tempfile::tempdir().expect("tmp");
    let (input, output) = job(tmp.path(), "a", 10, 10);
    let run = |extra: &[&str], env: &[(&str, &str)]| {
        let args = eval_args(&input, &output, extra);
        let o = assay_with_env(&args.iter().map(String::as_str).collect::<Vec<_>>(), env);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    };
    let env_db = tmp.path().join("env").join("state.db");
    run(&[], &[("ASSAY_STATE", env_db.to_str().unwrap_or_default())]);
    assert_eq!(history_json(&env_db, &[])["runs"].as_array().map(Vec::len), Some(1));
    let state_db = tmp.path().join("state").join("state.db");
    run(&["--state", state_db.to_str().unwrap_or_default()], &[]);
    assert_eq!(history_json(&state_db, &[])["runs"].as_array().map(Vec::len), Some(1));
    let o = assay(&[
        "history",
        "--state",
        state_db.to_str().unwrap_or_default(),
        "--format",
        "json",
    ]);
    assert_eq!(
        json(&o)["runs"].as_array().map(Vec::len),
        Some(1),
        "--state is accepted by history too"
    );

    let off = tmp.path().join("off").join("state.db");
    run(&["--no-history"], &[("ASSAY_STATE", off.to_str().unwrap_or_default())]);
    assert!(
        !off.exists() && !tmp.path().join("off").exists(),
        "--no-history writes nothing"
    );

    let args = eval_args(&input, &output, &["--history", "a.db", "--state", "b.db"]);
    let o = assay(&args.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(o.status.code(), Some(2), "two different files: {}", stderr(&o));
    assert!(
        stderr(&o).contains("--history") && stderr(&o).contains("--state"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn a_data_directory_that_cannot_be_made_is_a_one_line_warning_and_the_run_still_succeeds() {
    let tmp = tempfile::tempdir().expect("tmp");
    // A directory cannot be made under a regular file, whoever runs the test.
    let file = tmp.path().join("a-file");
    std::fs::write(&file, "x").expect("write");
    let (input, output) = job(tmp.path(), "a", 10, 10);
    let args = eval_args(&input, &output, &[]);
    let xdg = file.join("data");
    let o = assay_with_env(
        &args.iter().map(String::as_str).collect::<Vec<_>>(),
        &[("ASSAY_STATE", ""), ("XDG_DATA_HOME", xdg.to_str().unwrap_or_default())],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(json(&o)["status_counts"]["completed"], 10, "the summary is printed");
    let err = stderr(&o);
    let warnings: Vec<&str> = err.lines().filter(|l| l.contains("history")).collect();
    assert_eq!(warnings.len(), 1, "{err}");
    assert!(
        warnings[0].starts_with("warning: run not recorded in the history") && warnings[0].contains("a-file"),
        "{err}"
    );
}

/// A history file that SQLite cannot use (here: bytes that are not a
/// database) costs the same one-line warning: the summary is printed, the exit
/// code is the run's own (0), and the file is left as it was.
#[test]
fn an_unusable_history_database_is_a_one_line_warning_and_the_run_still_succeeds() {
    let tmp = tempfile::tempdir().expect("tmp");
    let h = tmp.path().join("junk.db");
    let junk: Vec<u8> = (0..5000u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    std::fs::write(&h, &junk).expect("write");
    let hs = h.display().to_string();
    let o = eval(tmp.path(), "a", 10, 10, &["--history", &hs]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(json(&o)["status_counts"]["completed"], 10, "the summary is printed");
    let err = stderr(&o);
    let warnings: Vec<&str> = err.lines().filter(|l| l.contains("history")).collect();
    assert_eq!(warnings.len(), 1, "{err}");
    assert!(
        warnings[0].starts_with("warning: run not recorded in the history") && warnings[0].contains("junk.db"),
        "{err}"
    );
    assert_eq!(
        std::fs::read(&h).expect("read"),
        junk,
        "the file is not ours: left untouched"
    );
}

#[test]
fn two_evals_at_once_are_both_recorded_and_the_database_stays_intact() {
    let tmp = tempfile::tempdir().expect("tmp");
    let h = tmp.path().join("fresh").join("state.db");
    support::builtin_judges();
    let children: Vec<_> = (0..2)
        .map(|k| {
            let (input, output) = job(tmp.path(), &format!("c{k}"), 10 - k, 10 - k);
            let mut args = eval_args(&input, &output, &["--history", h.to_str().unwrap_or_default()]);
            args.extend(["--tag".into(), format!("run{k}")]);
            // Both processes are started before either is waited for.
            Command::new(env!("CARGO_BIN_EXE_assay"))
                .args(&args)
                .env("ASSAY_CACHE_DIR", support::root().join("target").join("test-cache"))
                .env_remove("ASSAY_POLICY")
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .expect("start assay")
        })
        .collect();
    for c in children {
        let o = c.wait_with_output().expect("run assay");
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        assert!(!stderr(&o).contains("warning"), "{}", stderr(&o));
    }
    let v = history_json(&h, &[]);
    let mut tags: Vec<&str> = v["runs"]
        .as_array()
        .expect("runs")
        .iter()
        .filter_map(|r| r["tag"].as_str())
        .collect();
    tags.sort_unstable();
    assert_eq!(tags, vec!["run0", "run1"]);
    let conn = rusqlite::Connection::open(&h).expect("open");
    let check: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .expect("integrity_check");
    assert_eq!(check, "ok");
}

#[test]
fn trend_draws_completion_quality_and_flags_the_newest_run_when_it_regresses() {
    let tmp = tempfile::tempdir().expect("tmp");
    let h = tmp.path().join("state.db");
    let hs = h.display().to_string();
    for (k, (completed, valid)) in [(10, 10), (10, 9), (10, 10), (6, 6)].into_iter().enumerate() {
        let o = eval(
            tmp.path(),
            &format!("r{k}"),
            completed,
            valid,
            &["--history", &hs, "--tag", "t"],
        );
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    }
    // Another tag's run, which the trend of `t` must not read.
    let o = eval(tmp.path(), "other", 1, 1, &["--history", &hs, "--tag", "other"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));

    let o = assay(&["trend", "--history", &hs, "--tag", "t", "--window", "3"]);
    assert_eq!(o.status.code(), Some(1), "the newest run regresses: {}", stderr(&o));
    let text = stdout(&o);
    let line = text
        .lines()
        .find(|l| l.trim_start().starts_with("completion"))
        .unwrap_or_else(|| panic!("{text}"));
    assert!(line.contains("███▁"), "{line}");
    assert!(text.contains("pass rate json-valid"), "{text}");
    assert!(
        text.contains("REGRESSION") && text.contains("completion 60.00% vs median 100.00%"),
        "{text}"
    );

    let o = assay(&[
        "trend",
        "--history",
        &hs,
        "--tag",
        "t",
        "--window",
        "3",
        "--format",
        "json",
    ]);
    assert_eq!(o.status.code(), Some(1));
    let v = json(&o);
    assert_eq!(v["newest_regressed"], true);
    assert_eq!(v["runs"].as_array().map(Vec::len), Some(4));
    let completion = &v["series"][0];
    assert_eq!(completion["name"], "completion");
    assert_eq!(completion["values"][3]["baseline"], 1.0);
    assert_eq!(completion["values"][3]["regressed"], true);

    let o = assay(&["trend", "--history", &hs, "--tag", "t", "--band", "50"]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "40 points is within a 50-point band: {}",
        stdout(&o)
    );

    let none = tmp.path().join("none.db");
    let o = assay(&["trend", "--history", none.to_str().unwrap_or_default()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stdout(&o).contains("no runs recorded"), "{}", stdout(&o));
    assert!(!none.exists(), "reading creates nothing");

    let o = assay(&["trend", "--history", &hs, "--band", "-1"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
}

/// A judge whose component changed under the same name (new bytes, re-pinned
/// sha256): the run warns once that the judge changed since the last recorded
/// run; each run records the sha256 it ran, so the history keeps both and the
/// change is visible next to the pass rates.
#[test]
fn a_judge_changed_under_the_same_name_keeps_both_sha256s_in_the_history() {
    let tmp = tempfile::tempdir().expect("tmp");
    let h = tmp.path().join("state.db");
    let hs = h.display().to_string();
    let plugins = tmp.path().join("plugins");
    let dst = plugins.join("hostile");
    std::fs::create_dir_all(&dst).expect("mkdir");
    let src = support::hostile_judges().join("hostile");
    for e in std::fs::read_dir(&src).expect("read dir").flatten() {
        std::fs::copy(e.path(), dst.join(e.file_name())).expect("copy");
    }
    let manifest = dst.join("judge.toml");
    // This directory alone on the search path: the staged hostile judge stays untouched.
    let pd = plugins.display().to_string();
    let (input, output) = job(tmp.path(), "a", 4, 4);
    let run = || {
        let mut args = eval_args(&input, &output, &["--history", &hs]);
        let j = args.iter().position(|a| a == "json-valid").expect("judge arg");
        args[j] = "hostile".into();
        let o = assay_with_env(
            &args.iter().map(String::as_str).collect::<Vec<_>>(),
            &[("ASSAY_PLUGIN_PATH", &pd)],
        );
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        stderr(&o)
    };
    let first = run();
    assert!(!first.contains("changed since"), "{first}");
    // The same judge name, other bytes: a custom section appended, re-pinned.
    let wasm = dst.join("hostile.wasm");
    let mut bytes = std::fs::read(&wasm).expect("wasm");
    bytes.extend_from_slice(&[0, 6, 5, b'n', b'o', b't', b'e', b's']);
    std::fs::write(&wasm, &bytes).expect("write");
    let sha = assay::jobs::key::file_sha256(&wasm).expect("hash");
    let text = std::fs::read_to_string(&manifest).expect("read");
    let repinned: String = text
        .lines()
        .map(|l| {
            if l.starts_with("sha256 = ") {
                format!("sha256 = \"{sha}\"\n")
            } else {
                format!("{l}\n")
            }
        })
        .collect();
    std::fs::write(&manifest, repinned).expect("write");
    let second = run();
    let warned: Vec<&str> = second.lines().filter(|l| l.contains("changed since")).collect();
    assert_eq!(warned.len(), 1, "{second}");
    assert!(
        warned[0].starts_with("warning: judge 'hostile' changed since run ") && warned[0].contains(&sha[..12]),
        "{second}"
    );

    let v = history_json(&h, &[]);
    let runs = v["runs"].as_array().expect("runs");
    assert_eq!(runs.len(), 2, "{v}");
    let newest = runs[0]["judges"]["hostile"]["sha256"].as_str().unwrap_or_default();
    let oldest = runs[1]["judges"]["hostile"]["sha256"].as_str().unwrap_or_default();
    assert_eq!(newest, sha, "{v}");
    assert_eq!(oldest.len(), 64, "{v}");
    assert_ne!(newest, oldest, "both components are kept apart: {v}");
    for r in runs {
        assert_eq!(r["judges"]["hostile"]["pass_rate"], 1.0, "{r}");
    }
}

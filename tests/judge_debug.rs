//! Issue 15, items 1-3: what a judge author sees when a judge goes wrong. An
//! exception's text reaches `--judge-log` and the row's failure detail; a run
//! stopped at the judge-error ceiling still prints the captured log, each line
//! tagged with its row, and says how to reproduce the first failing row; a
//! chunk answered with the wrong number of verdicts fails every row of that
//! chunk, with the real counts, instead of being hidden by the row-by-row replay.

use crate::support;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use assay::judge::engine::JudgeEngine;
use assay::judge::load::load;
use assay::judge::manifest::Manifest;
use assay::judge::runner::Scorer;
use assay::judge::state::RunContext;
use assay::judge::{FailureKind, JudgePre, Policy, RowResult};

const RUN: RunContext = RunContext { seed: 7 };

fn load_test_judge(name: &str) -> Arc<JudgePre> {
    let engine: &'static JudgeEngine = Box::leak(Box::new(JudgeEngine::new().expect("engine")));
    let entry = Manifest::read(&support::hostile_judges().join(name).join("judge.toml")).expect("manifest");
    load(engine, None, &Policy::default(), entry).expect("loads")
}

/// Golden rows `r0`, `r1`, ... with these responses.
fn golden(dir: &Path, responses: &[&str]) -> PathBuf {
    let lines: Vec<String> = responses
        .iter()
        .enumerate()
        .map(|(i, r)| serde_json::json!({"id": format!("r{i}"), "response": r}).to_string())
        .collect();
    support::write_lines(dir, "rows.jsonl", &lines)
}

fn path(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

#[test]
fn a_chunk_with_the_wrong_verdict_count_is_invalid_output_for_its_rows_with_the_real_counts() {
    let judge = load_test_judge("miscount");
    let ids: Vec<String> = (0..64).map(|i| format!("row-{i}")).collect();
    let rows: Vec<_> = ids
        .iter()
        .enumerate()
        .map(|(i, id)| support::row(i, id, "ok"))
        .collect();
    for (count, got) in [("one", 1), ("none", 0), ("extra", 65)] {
        let config = Arc::new(vec![("count".to_owned(), count.to_owned())]);
        let (results, restarts) = support::runtime().block_on(async {
            let mut scorer = Scorer::new(judge.clone(), config, RUN);
            let r = scorer.score(&rows).await.expect("scores");
            (r, scorer.restarts)
        });
        assert_eq!(results.len(), 64, "{count}");
        let want = format!("returned {got} verdicts for 64 rows");
        for r in &results {
            match r {
                RowResult::Failed(f) => {
                    assert_eq!(f.kind, FailureKind::InvalidOutput, "{count}: {f}");
                    assert_eq!(f.message, want, "{count}");
                }
                other => panic!("{count}: a miscounted chunk's row must fail, got {other:?}"),
            }
        }
        // Not replayed row by row: one row per call would hide the bug.
        assert_eq!(restarts, 0, "{count}");
    }
}

#[test]
fn judge_test_fails_a_judge_that_answers_a_chunk_with_one_verdict() {
    let tmp = tempfile::tempdir().expect("tmp");
    let rows = golden(tmp.path(), &["a", "b", "c"]);
    let expect: Vec<String> = (0..3)
        .map(|i| serde_json::json!({"id": format!("r{i}"), "passed": true}).to_string())
        .collect();
    let expect = support::write_lines(tmp.path(), "expect.jsonl", &expect);
    let out = support::assay(&[
        "judge",
        "test",
        "miscount",
        "--rows",
        path(&rows),
        "--expect",
        path(&expect),
    ]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}{}",
        support::stdout(&out),
        support::stderr(&out)
    );
    let text = format!("{}{}", support::stdout(&out), support::stderr(&out));
    assert!(text.contains("returned 1 verdicts for 3 rows"), "{text}");
}

/// A Rust panic's message, with its file and line, reaches the row's failure
/// detail (`--rows-out`, `judge test`) and `--judge-log`, tagged with its row.
#[test]
fn a_rust_panic_message_with_file_and_line_reaches_the_failure_detail_and_the_judge_log() {
    let tmp = tempfile::tempdir().expect("tmp");
    let rows = golden(tmp.path(), &["ok", "panic", "ok"]);
    let out = support::assay(&["judge", "test", "hostile", "--rows", path(&rows), "--judge-log"]);
    let stdout = support::stdout(&out);
    let failed = stdout
        .lines()
        .find(|l| l.contains("\"id\":\"r1\""))
        .unwrap_or_else(|| panic!("{stdout}"));
    assert!(failed.contains("\"failure\":\"panic\""), "{failed}");
    // The panic message and where it was raised, before the wasm backtrace.
    assert!(failed.contains("stderr: thread"), "{failed}");
    assert!(failed.contains("panicked at hostile/src/acts.rs:"), "{failed}");
    assert!(failed.contains("boom"), "{failed}");
    let stderr = support::stderr(&out);
    assert!(
        stderr
            .lines()
            .any(|l| l.starts_with("[hostile] stderr (row r1): ") && l.contains("boom")),
        "{stderr}"
    );
}

/// Past the captured stderr's 64 KiB and the log's cap, the call's last stderr
/// bytes and its last `error` line still reach the failure detail.
#[test]
fn the_exception_text_survives_a_flood_of_output_and_log_lines() {
    let tmp = tempfile::tempdir().expect("tmp");
    let rows = golden(tmp.path(), &["flood-then-panic"]);
    let out = support::assay(&["judge", "test", "hostile", "--rows", path(&rows)]);
    let stdout = support::stdout(&out);
    assert!(stdout.contains("\"failure\":\"panic\""), "{stdout}");
    assert!(stdout.contains("panic after the flood"), "{stdout}");
    assert!(stdout.contains("| log: the last error line |"), "{stdout}");
}

/// `assay eval` on the bundled job with one judge and extra arguments.
fn eval_bundled(judge: &str, extra: &[&str]) -> std::process::Output {
    let results = format!(
        "{},{}",
        support::data("openai_output.jsonl").display(),
        support::data("openai_errors.jsonl").display()
    );
    let input = support::data("openai_input.jsonl");
    let mut args = vec![
        "eval",
        "--provider",
        "openai",
        "--input",
        path(&input),
        "--results",
        &results,
        "--judge",
        judge,
        "--workers",
        "1",
    ];
    args.extend_from_slice(extra);
    support::assay(&args)
}

/// The replay file named in a stop message (`... written to PATH`).
fn replay_file(stderr: &str) -> PathBuf {
    let line = stderr
        .lines()
        .find(|l| l.contains(" written to "))
        .unwrap_or_else(|| panic!("no replay file named: {stderr}"));
    PathBuf::from(line.rsplit(" written to ").next().expect("path").trim())
}

#[test]
fn a_stopped_run_prints_the_judge_log_tagged_with_rows_and_how_to_replay_the_first_failing_row() {
    let out = eval_bundled("hostile", &["--set", "hostile.act=panic", "--judge-log"]);
    let stderr = support::stderr(&out);
    assert_eq!(out.status.code(), Some(4), "{stderr}");
    assert!(stderr.contains("was stopped by the host on"), "{stderr}");
    // The captured log is printed although the run stopped, each line of a
    // call tagged with its row; the panic text is there.
    let tagged: Vec<&str> = stderr
        .lines()
        .filter(|l| l.starts_with("[hostile] stderr (row ") && l.contains("boom"))
        .collect();
    assert!(tagged.len() > 20, "{stderr}");
    // The stop message names the first failing row, the reason and the replay.
    assert!(stderr.contains("first failing row: row "), "{stderr}");
    assert!(stderr.contains(": panic: "), "{stderr}");
    let cmd = stderr
        .lines()
        .find_map(|l| l.trim().strip_prefix("reproduce: "))
        .unwrap_or_else(|| panic!("{stderr}"));
    let file = replay_file(&stderr);
    assert!(
        cmd.starts_with(&format!("assay judge test hostile --rows {} ", file.display())),
        "{cmd}"
    );
    assert!(cmd.contains(" --set act=panic"), "{cmd}");
    // The command, as printed, reproduces the failure.
    let words: Vec<&str> = cmd.split_whitespace().skip(1).collect();
    let replay = support::assay(&words);
    let text = support::stdout(&replay);
    assert!(
        text.contains("\"failure\":\"panic\"") && text.contains("boom"),
        "{text}"
    );
    assert!(
        support::stderr(&replay).contains("[hostile] stderr (row "),
        "{}",
        support::stderr(&replay)
    );
    std::fs::remove_file(&file).expect("remove the replay file");
}

#[test]
fn a_run_stopped_by_a_miscounted_chunk_says_so_and_replays_the_whole_chunk() {
    let out = eval_bundled("miscount", &["--chunk-rows", "16"]);
    let stderr = support::stderr(&out);
    assert_eq!(out.status.code(), Some(4), "{stderr}");
    assert!(
        stderr.contains("invalid_output: returned 1 verdicts for 16 rows"),
        "{stderr}"
    );
    assert!(
        stderr.contains("the 16 rows of the call it failed in written to"),
        "{stderr}"
    );
    let file = replay_file(&stderr);
    let replay = support::assay(&["judge", "test", "miscount", "--rows", path(&file)]);
    let text = support::stdout(&replay);
    assert_eq!(text.matches("returned 1 verdicts for 16 rows").count(), 16, "{text}");
    std::fs::remove_file(&file).expect("remove the replay file");
}

/// ComponentizeJS for the JavaScript scaffold's build.sh: `$COMPONENTIZE_JS`
/// (set by `.ci/run`), else the example judge's `npm ci` install. `None`
/// skips the test with a note, unless `ASSAY_REQUIRE_LANG_JUDGES` is set
/// (`.ci/run` sets it), where a missing toolchain fails.
fn componentize_js() -> Option<PathBuf> {
    let found = std::env::var_os("COMPONENTIZE_JS").map(PathBuf::from).or_else(|| {
        let local = support::root().join("examples/judges/js-length/node_modules/.bin/componentize-js");
        local.is_file().then_some(local)
    });
    if found.is_none() {
        assert!(
            std::env::var_os("ASSAY_REQUIRE_LANG_JUDGES").is_none(),
            "ASSAY_REQUIRE_LANG_JUDGES is set but ComponentizeJS is not installed \
             (set COMPONENTIZE_JS or run `npm ci` in examples/judges/js-length)"
        );
        eprintln!(
            "SKIPPED: ComponentizeJS not installed (set COMPONENTIZE_JS or `npm ci` in examples/judges/js-length)"
        );
    }
    found
}

/// componentize-py for the Python scaffold's build.sh: `$COMPONENTIZE_PY`,
/// else `componentize-py` on PATH; skipped or required as `componentize_js`.
fn componentize_py() -> Option<PathBuf> {
    let cmd = std::env::var_os("COMPONENTIZE_PY").map_or_else(|| PathBuf::from("componentize-py"), PathBuf::from);
    let works = std::process::Command::new(&cmd)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !works {
        assert!(
            std::env::var_os("ASSAY_REQUIRE_LANG_JUDGES").is_none(),
            "ASSAY_REQUIRE_LANG_JUDGES is set but componentize-py does not run \
             (python3 -m pip install componentize-py==0.25.1, or set COMPONENTIZE_PY)"
        );
        eprintln!("SKIPPED: componentize-py not installed (python3 -m pip install componentize-py==0.25.1)");
        return None;
    }
    Some(cmd)
}

/// Makes a scaffold `name` in `lang`, replaces its source `src` with the
/// fixture `fixture`, builds it with its own build.sh (`env` names the
/// toolchain) and runs `judge test` on rows ok, boom, ok with `--judge-log`.
fn scaffold_judge_test(name: &str, lang: &str, src: &str, fixture: &str, env: (&str, &Path)) -> std::process::Output {
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = tmp.path().join(name);
    let new = support::assay(&["judge", "new", name, "--lang", lang, "--dir", path(&dir)]);
    assert!(new.status.success(), "{}", support::stderr(&new));
    std::fs::copy(support::fixture(fixture), dir.join(src)).expect("copy the judge");
    let staged = tmp.path().join("staged");
    let build = std::process::Command::new(dir.join("build.sh"))
        .arg(&staged)
        .env("ASSAY", env!("CARGO_BIN_EXE_assay"))
        .env(env.0, env.1)
        .output()
        .expect("run build.sh");
    assert!(
        build.status.success(),
        "{}{}",
        support::stdout(&build),
        support::stderr(&build)
    );
    let rows = golden(tmp.path(), &["ok", "boom", "ok"]);
    support::assay(&[
        "judge",
        "test",
        name,
        "--plugin-dir",
        path(&staged),
        "--rows",
        path(&rows),
        "--judge-log",
    ])
}

/// A Python judge built by the scaffold's own build.sh (default flags, with
/// `--stub-wasi`, so no stderr): the entry module build.sh writes logs an
/// uncaught KeyError with its file and line before the trap, and that text
/// reaches the row's failure detail and `--judge-log`.
#[test]
fn a_python_exception_with_file_and_line_reaches_the_failure_detail_and_the_judge_log() {
    let Some(cpy) = componentize_py() else { return };
    let out = scaffold_judge_test(
        "throws-py",
        "python",
        "src/app.py",
        "lang/throws.py",
        ("COMPONENTIZE_PY", &cpy),
    );
    let stdout = support::stdout(&out);
    let failed = stdout
        .lines()
        .find(|l| l.contains("\"id\":\"r1\""))
        .unwrap_or_else(|| panic!("{stdout}{}", support::stderr(&out)));
    assert!(failed.contains("\"failure\":\"panic\""), "{failed}");
    assert!(failed.contains("log: KeyError: 'missing-key'"), "{failed}");
    assert!(
        failed.contains(r#"File \"/0/app.py\", line 33, in _lookup"#),
        "{failed}"
    );
    assert!(failed.contains(r#"line 40, in score_batch"#), "{failed}");
    for r in ["r0", "r2"] {
        assert!(
            stdout.contains(&format!("{{\"id\":\"{r}\",\"label\":null,\"passed\":true")),
            "{stdout}"
        );
    }
    let stderr = support::stderr(&out);
    assert!(
        stderr
            .lines()
            .any(|l| l.starts_with("[throws-py] error (row r1): KeyError: 'missing-key'") && l.contains("app.py")),
        "{stderr}"
    );
}

/// A JavaScript judge built by the scaffold's own build.sh (default flags):
/// an uncaught TypeError's message and stack, with file, line and column,
/// reach the row's failure detail and `--judge-log`, and so does console.log.
#[test]
fn a_javascript_exception_with_file_and_line_reaches_the_failure_detail_and_the_judge_log() {
    let Some(cjs) = componentize_js() else { return };
    let out = scaffold_judge_test(
        "throws-js",
        "js",
        "src/judge.js",
        "lang/throws.js",
        ("COMPONENTIZE_JS", &cjs),
    );
    let stdout = support::stdout(&out);
    let failed = stdout
        .lines()
        .find(|l| l.contains("\"id\":\"r1\""))
        .unwrap_or_else(|| panic!("{stdout}"));
    assert!(failed.contains("\"failure\":\"panic\""), "{failed}");
    assert!(failed.contains("stderr: "), "{failed}");
    assert!(failed.contains("missing is undefined"), "{failed}");
    assert!(failed.contains("src/judge.js:24:"), "{failed}");
    for r in ["r0", "r2"] {
        assert!(
            stdout.contains(&format!("{{\"id\":\"{r}\",\"label\":null,\"passed\":true")),
            "{stdout}"
        );
    }
    let stderr = support::stderr(&out);
    assert!(
        stderr
            .lines()
            .any(|l| l.starts_with("[throws-js] stderr (row r1): ") && l.contains("missing is undefined")),
        "{stderr}"
    );
    assert!(
        stderr.contains("[throws-js] stdout (row r1): scoring 1 rows"),
        "{stderr}"
    );
}

/// An aggregator's panic message reaches the judge's `aggregator_error`.
#[test]
fn an_aggregator_panic_message_reaches_the_aggregator_error() {
    let out = eval_bundled("hostile", &["--set", "hostile.agg-trap=true", "--format", "json"]);
    let s = support::json(&out);
    let error = s["judges"]["hostile"]["aggregator_error"].as_str().unwrap_or_default();
    assert!(error.starts_with("panic: "), "{error}");
    assert!(
        error.contains("stderr: thread") && error.contains("agg-trap requested"),
        "{error}"
    );
}

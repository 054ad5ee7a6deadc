//! The hostile matrix of issue 10: judges that attack the host's memory,
//! output, names, grants and time. Each test asserts the exact outcome, and the
//! memory and slow-failure cases also a wall-clock and RSS bound. The table in
//! docs/hostile-matrix.md names the test for each case.

use crate::support;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use assay::judge::bindings::types::RunInfo;
use assay::judge::budget::RunBudget;
use assay::judge::engine::JudgeEngine;
use assay::judge::load::load;
use assay::judge::manifest::Manifest;
use assay::judge::runner::Scorer;
use assay::judge::state::RunContext;
use assay::judge::{FailureKind, JudgeInstance, JudgePre, LoadError, Policy, Role, RowResult, StartError};
use sha2::{Digest, Sha256};

const RUN: RunContext = RunContext { seed: 7 };

fn fast_policy() -> Policy {
    let mut p = Policy::default();
    p.defaults.call_timeout_base = Duration::from_millis(300);
    p.defaults.call_timeout_per_row = Duration::from_millis(100);
    p
}

fn load_named(policy: &Policy, name: &str) -> Arc<JudgePre> {
    let engine = JudgeEngine::new().expect("engine");
    let entry = Manifest::read(&support::hostile_judges().join(name).join("judge.toml")).expect("manifest");
    // The engine must outlive the judge's stores: leak one per test (tests are short).
    let engine: &'static JudgeEngine = Box::leak(Box::new(engine));
    load(engine, None, policy, entry).expect("loads")
}

fn rows<'a>(ids: &'a [String], responses: &'a [&'a str]) -> Vec<assay::judge::bindings::types::Row<'a>> {
    responses
        .iter()
        .enumerate()
        .map(|(i, r)| support::row(i, &ids[i], r))
        .collect()
}

fn ids(n: usize) -> Vec<String> {
    (0..n).map(|i| format!("row-{i}")).collect()
}

/// Runs `assay` with `args`, sampling the child's peak RSS (VmHWM) until it
/// exits. Returns (output, peak RSS in KiB, wall time).
fn run_measured(args: &[&str]) -> (std::process::Output, u64, Duration) {
    support::builtin_judges();
    let hostile = support::hostile_judges();
    let t = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_assay"))
        .args(args)
        .env("ASSAY_PLUGIN_PATH", hostile)
        .env("ASSAY_CACHE_DIR", support::root().join("target").join("test-cache"))
        .env("ASSAY_STATE", support::test_state())
        .env_remove("ASSAY_POLICY")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn assay");
    let status = format!("/proc/{}/status", child.id());
    let mut peak = 0u64;
    // Drain the pipes on threads so a chatty child cannot block on a full pipe.
    let mut out_pipe = child.stdout.take().expect("stdout");
    let mut err_pipe = child.stderr.take().expect("stderr");
    let out_t = std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = std::io::Read::read_to_end(&mut out_pipe, &mut v);
        v
    });
    let err_t = std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = std::io::Read::read_to_end(&mut err_pipe, &mut v);
        v
    });
    let code = loop {
        if let Ok(text) = std::fs::read_to_string(&status)
            && let Some(kib) = text
                .lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        {
            peak = peak.max(kib);
        }
        if let Some(code) = child.try_wait().expect("wait") {
            break code;
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    let output = std::process::Output {
        status: code,
        stdout: out_t.join().unwrap_or_default(),
        stderr: err_t.join().unwrap_or_default(),
    };
    (output, peak, t.elapsed())
}

fn golden(dir: &Path, responses: &[&str]) -> PathBuf {
    let lines: Vec<String> = responses
        .iter()
        .enumerate()
        .map(|(i, r)| serde_json::json!({"id": format!("r{i}"), "response": r}).to_string())
        .collect();
    support::write_lines(dir, "rows.jsonl", &lines)
}

/// Item 1: 48 MiB `log` messages on every row, half of them followed by a
/// panic that retires the instance. The host cuts each message in guest memory
/// and bounds what retired instances leave behind.
#[test]
fn log_bombs_are_cut_in_guest_memory_and_host_rss_stays_bounded() {
    let tmp = tempfile::tempdir().expect("tmp");
    let mut responses = vec!["log-bomb"; 8];
    responses.extend(["log-bomb-panic"; 8]);
    let rows = golden(tmp.path(), &responses);
    let rows = rows.to_str().expect("utf-8 path");
    let (out, peak_kib, took) = run_measured(&[
        "judge",
        "test",
        "hostile",
        "--rows",
        rows,
        "--chunk-rows",
        "1",
        "--judge-log",
    ]);
    let stdout = support::stdout(&out);
    let stderr = support::stderr(&out);
    assert_eq!(out.status.code(), Some(0), "{stdout}\n{stderr}");
    assert_eq!(stdout.matches("\"passed\":true").count(), 8, "{stdout}");
    assert_eq!(stdout.matches("\"failure\":\"panic\"").count(), 8, "{stdout}");
    // 32 messages of 48 MiB were logged; none is kept past 1 KiB.
    let longest = stderr.lines().map(str::len).max().unwrap_or(0);
    assert!(longest < 2048, "a log line of {longest} bytes reached --judge-log");
    assert!(stderr.contains("dropped"), "the drop is not reported: {stderr}");
    // The guest's own 128 MiB linear memory plus the engine; the whole
    // messages (1.5 GiB) must never be on the host.
    assert!(peak_kib < 512 * 1024, "peak RSS {} MiB", peak_kib / 1024);
    assert!(took < Duration::from_secs(60), "took {took:?}");
}

/// Item 3: printing far past the stdout/stderr cap never fails a row, and the
/// verdicts are the same for every chunk size.
#[test]
fn stdout_past_its_cap_is_dropped_not_a_trap_for_every_chunk_size() {
    let tmp = tempfile::tempdir().expect("tmp");
    let mut responses = vec!["print-flood"; 6];
    responses.push("ok");
    let rows = golden(tmp.path(), &responses);
    let rows = rows.to_str().expect("utf-8 path");
    let mut seen = Vec::new();
    for chunk in ["1", "3", "64"] {
        let out = support::assay(&[
            "judge",
            "test",
            "hostile",
            "--rows",
            rows,
            "--chunk-rows",
            chunk,
            "--judge-log",
        ]);
        let stdout = support::stdout(&out);
        assert_eq!(out.status.code(), Some(0), "{}", support::stderr(&out));
        assert_eq!(stdout.matches("\"passed\":true").count(), 7, "chunk {chunk}: {stdout}");
        assert!(
            support::stderr(&out).contains("bytes of stdout dropped"),
            "chunk {chunk}"
        );
        seen.push(stdout);
    }
    assert!(seen.windows(2).all(|w| w[0] == w[1]), "verdicts differ by chunk size");
}

/// Item 2: a judge-error message is capped like verdict details, and says so.
#[test]
fn a_huge_judge_error_message_is_capped_and_marked() {
    let judge = load_named(&fast_policy(), "hostile");
    let out = support::runtime().block_on(async {
        let mut scorer = Scorer::new(judge, Arc::new(Vec::new()), RUN);
        let ids = ids(2);
        let out = scorer.score(&rows(&ids, &["huge-error", "ok"])).await.expect("scores");
        scorer.close();
        out
    });
    let RowResult::JudgeError { kind, message } = &out[0] else {
        panic!("expected a judge error, got {:?}", out[0]);
    };
    assert_eq!(*kind, "failed");
    assert!(message.len() < 1100, "{} bytes kept", message.len());
    assert!(message.ends_with("[cut from 262144 bytes]"), "{message}");
    assert!(out[1].passed());
}

async fn aggregate(judge: &Arc<JudgePre>, config: Vec<(String, String)>) -> assay::judge::bindings::types::Report {
    let mut inst = JudgeInstance::start(judge, &config, RUN, Role::Aggregator)
        .await
        .expect("starts");
    let info = RunInfo {
        rows_submitted: 0,
        segment_size: 100,
        provider: "openai",
        models: &[],
        snapshots: &[],
    };
    inst.begin(info).await.expect("begin");
    inst.finish().await.expect("finish")
}

/// Item 2: a report of 5,000 metrics and alarms keeps 1,000 of each and one
/// `host-cap` alarm that says how many were dropped.
#[test]
fn a_flooded_report_is_capped_and_says_what_was_dropped() {
    let judge = load_named(&fast_policy(), "hostile");
    let report = support::runtime().block_on(aggregate(&judge, vec![("agg-flood".into(), "5000".into())]));
    assert_eq!(report.metrics.len(), 1000);
    assert_eq!(report.alarms.len(), 1001);
    let cap = report.alarms.last().expect("host-cap alarm");
    assert_eq!(cap.kind, "host-cap");
    assert!(
        cap.message.contains("4001 metric(s) and 4000 alarm(s) dropped"),
        "{}",
        cap.message
    );
}

/// Item 8: metric names and alarm kinds outside their character sets are
/// dropped and counted, alarm messages and judge errors arrive as one visible
/// line, and a descriptor whose version carries escapes is refused.
#[test]
fn forged_terminal_text_is_refused_or_escaped_at_the_boundary() {
    let judge = load_named(&fast_policy(), "hostile-text");
    let (report, error, described, init) = support::runtime().block_on(async {
        let report = aggregate(&judge, Vec::new()).await;
        let mut scorer = Scorer::new(judge.clone(), Arc::new(Vec::new()), RUN);
        let ids = ids(1);
        let error = scorer.score(&rows(&ids, &["x"])).await.expect("scores");
        let mut inst = JudgeInstance::start(&judge, &[], RUN, Role::Scorer)
            .await
            .expect("starts");
        let described = inst.describe().await;
        let bad = vec![("fail-init".to_owned(), "true".to_owned())];
        let init = JudgeInstance::start(&judge, &bad, RUN, Role::Scorer).await.err();
        (report, error, described, init)
    });
    let names: Vec<&str> = report.metrics.iter().map(|m| m.name.as_str()).collect();
    assert_eq!(names, ["pass_rate"]);
    let kinds: Vec<&str> = report.alarms.iter().map(|a| a.kind.as_str()).collect();
    assert_eq!(kinds, ["drift", "host-cap"]);
    for a in &report.alarms {
        assert!(!a.message.chars().any(char::is_control), "{:?}", a.message);
    }
    assert!(
        report.alarms[0].message.contains("\\n\\u{1b}[2K"),
        "{}",
        report.alarms[0].message
    );
    let RowResult::JudgeError { message, .. } = &error[0] else {
        panic!("{:?}", error[0])
    };
    assert!(!message.chars().any(char::is_control), "{message:?}");
    let failure = described.expect_err("a version with escapes is refused");
    assert_eq!(failure.kind, FailureKind::InvalidOutput);
    assert!(!failure.message.chars().any(char::is_control), "{}", failure.message);
    let init = init.expect("init fails").to_string();
    assert!(
        init.len() < 1200 && !init.contains('\n') && !init.contains('\x1b'),
        "{init:?}"
    );
}

/// Item 9: a judge that times out on every row is stopped as soon as its
/// failures pass the allowed fraction, not when a block comes back.
#[test]
fn a_judge_failing_slowly_is_stopped_at_its_failure_ceiling() {
    let judge = load_named(&fast_policy(), "hostile");
    let t = Instant::now();
    let (scored, err) = support::runtime().block_on(async {
        // 200 rows at 1%: two failures are allowed, the third stops the judge.
        let budget = Arc::new(RunBudget::new(0.01, 200, Duration::from_secs(600)));
        let mut scorer = Scorer::new(judge, Arc::new(Vec::new()), RUN).with_budget(budget);
        let ids = ids(4);
        let mut scored = 0;
        loop {
            match scorer.score(&rows(&ids, &["sleep"; 4])).await {
                Ok(r) => scored += r.len(),
                Err(e) => return (scored, e),
            }
        }
    });
    assert!(matches!(err, StartError::Stopped { .. }), "{err}");
    assert!(
        err.to_string()
            .contains("was stopped by the host on 3 rows, more than the allowed 2 (1% of 200 rows)"),
        "{err}"
    );
    assert!(scored <= 4, "{scored} rows scored before the stop");
    assert!(t.elapsed() < Duration::from_secs(10), "took {:?}", t.elapsed());
}

/// Item 9: one sleeping row cannot hold its chunk past the chunk cap; its
/// neighbours still score.
#[test]
fn one_slow_row_holds_its_chunk_no_longer_than_the_chunk_cap() {
    let mut policy = fast_policy();
    policy.defaults.call_timeout_per_row = Duration::from_secs(1);
    policy.defaults.chunk_timeout_max = Duration::from_secs(1);
    let judge = load_named(&policy, "hostile");
    let t = Instant::now();
    let out = support::runtime().block_on(async {
        let mut scorer = Scorer::new(judge, Arc::new(Vec::new()), RUN);
        let ids = ids(32);
        let mut responses = vec!["ok"; 32];
        responses[7] = "sleep";
        scorer.score(&rows(&ids, &responses)).await.expect("scores")
    });
    // Without the cap: 0.3 s + 32 × 1 s before the replay even starts.
    assert!(t.elapsed() < Duration::from_secs(8), "took {:?}", t.elapsed());
    for (i, r) in out.iter().enumerate() {
        match i {
            7 => assert!(
                matches!(r, RowResult::Failed(f) if f.kind == FailureKind::Timeout),
                "{r:?}"
            ),
            _ => assert!(r.passed(), "row {i}: {r:?}"),
        }
    }
}

/// Item 9: the run-level time budget stops a judge whose calls take too long
/// in all, even when every failure is allowed.
#[test]
fn a_judge_past_its_run_time_budget_is_stopped() {
    let judge = load_named(&fast_policy(), "hostile");
    let err = support::runtime().block_on(async {
        let budget = Arc::new(RunBudget::new(1.0, 1000, Duration::from_secs(1)));
        let mut scorer = Scorer::new(judge, Arc::new(Vec::new()), RUN).with_budget(budget);
        let ids = ids(1);
        for _ in 0..20 {
            if let Err(e) = scorer.score(&rows(&ids, &["sleep"])).await {
                return e;
            }
        }
        panic!("20 timeouts of 0.4 s did not exhaust a 1 s budget");
    });
    assert!(
        err.to_string().contains("past the policy's run-budget-s of 1 s"),
        "{err}"
    );
}

/// A judge directory whose component is whatever `make` puts there.
fn judge_with(dir: &Path, bytes_sha: &str, make: impl FnOnce(&Path)) -> Manifest {
    let m = dir.join("judge.toml");
    std::fs::write(
        &m,
        format!(
            "name = \"odd\"\nversion = \"0.1.0\"\nwit = \"assay:judge@0.1.0\"\ncomponent = \"odd.wasm\"\nsha256 = \"{bytes_sha}\"\n"
        ),
    )
    .expect("manifest");
    make(&dir.join("odd.wasm"));
    Manifest::read(&m).expect("manifest").manifest
}

fn load_dir(dir: &Path) -> Result<Arc<JudgePre>, LoadError> {
    let engine: &'static JudgeEngine = Box::leak(Box::new(JudgeEngine::new().expect("engine")));
    load(
        engine,
        None,
        &fast_policy(),
        Manifest::read(&dir.join("judge.toml")).expect("manifest"),
    )
}

/// Item 4: a component that is a device or a FIFO is refused at once, before
/// any read.
#[test]
fn a_component_that_is_a_device_or_fifo_is_refused_at_once() {
    let zeros = "0".repeat(64);
    let tmp = tempfile::tempdir().expect("tmp");
    judge_with(tmp.path(), &zeros, |p| {
        std::os::unix::fs::symlink("/dev/zero", p).expect("symlink")
    });
    let t = Instant::now();
    let err = load_dir(tmp.path()).err().expect("refused");
    assert!(err.to_string().contains("is not a regular file"), "{err}");
    let fifo = tempfile::tempdir().expect("tmp");
    judge_with(fifo.path(), &zeros, |p| {
        let ok = Command::new("mkfifo").arg(p).status().expect("mkfifo").success();
        assert!(ok, "mkfifo");
    });
    let err = load_dir(fifo.path()).err().expect("refused");
    assert!(err.to_string().contains("is not a regular file"), "{err}");
    assert!(t.elapsed() < Duration::from_secs(2), "took {:?}", t.elapsed());
}

/// Item 11: a core module and arbitrary bytes are each named for what they
/// are, with what a judge must be.
#[test]
fn a_core_module_or_garbage_is_named_for_what_it_is() {
    for (bytes, want) in [
        (&b"\0asm\x01\0\0\0"[..], "a core WebAssembly module, not a component"),
        (&b"MZ\x90\0 not wasm at all"[..], "not WebAssembly"),
    ] {
        let tmp = tempfile::tempdir().expect("tmp");
        let sha = hex::encode(Sha256::digest(bytes));
        judge_with(tmp.path(), &sha, |p| std::fs::write(p, bytes).expect("write"));
        let err = load_dir(tmp.path()).err().expect("refused").to_string();
        assert!(err.contains(want), "{err}");
    }
}

/// Copies a staged hostile judge under a new name into `dir`.
fn rename_judge(dir: &Path, from: &str, to: &str) {
    let src = support::hostile_judges().join(from);
    let dst = dir.join(to);
    std::fs::create_dir_all(&dst).expect("mkdir");
    for e in std::fs::read_dir(&src).expect("read dir").flatten() {
        std::fs::copy(e.path(), dst.join(e.file_name())).expect("copy");
    }
    let m = dst.join("judge.toml");
    let text = std::fs::read_to_string(&m).expect("read");
    std::fs::write(
        &m,
        text.replacen(&format!("name = \"{from}\""), &format!("name = \"{to}\""), 1),
    )
    .expect("write");
}

/// Items 6 and 7: a plugin-dir judge named like a built-in is refused (so it
/// can inherit neither the name's results nor its grants), `assay judges`
/// reports it with where each judge came from and its sha256.
#[test]
fn a_plugin_dir_judge_cannot_take_a_built_in_name() {
    let tmp = tempfile::tempdir().expect("tmp");
    rename_judge(tmp.path(), "hostile", "schema-drift");
    let dir = tmp.path().to_str().expect("utf-8");
    let rows = golden(tmp.path(), &["ok"]);
    let out = support::assay(&[
        "judge",
        "test",
        "schema-drift",
        "--plugin-dir",
        dir,
        "--rows",
        rows.to_str().expect("utf-8"),
    ]);
    assert_ne!(out.status.code(), Some(0));
    let err = support::stderr(&out);
    assert!(err.contains("has the name of the built-in judge"), "{err}");
    let out = support::assay(&["judges", "--plugin-dir", dir, "--format", "json"]);
    let v = support::json(&out);
    let errors = v["errors"].to_string();
    assert!(errors.contains("has the name of the built-in judge"), "{errors}");
    let judges = v["judges"].as_array().expect("judges");
    let built_in = judges
        .iter()
        .find(|j| j["name"] == "schema-drift" && j["origin"] == "built-in")
        .expect("the built-in is listed");
    assert_eq!(built_in["sha256"].as_str().map(str::len), Some(64));
    assert!(
        judges
            .iter()
            .any(|j| j["name"] == "schema-drift" && j["origin"] == "--plugin-dir")
    );
}

/// Item 7: two manifests with one name in one directory are reported, not
/// settled by sorted order.
#[test]
fn a_judge_name_defined_twice_is_reported() {
    let tmp = tempfile::tempdir().expect("tmp");
    rename_judge(tmp.path(), "hostile", "twin");
    let other = tmp.path().join("twin-2");
    std::fs::create_dir_all(&other).expect("mkdir");
    for e in std::fs::read_dir(tmp.path().join("twin")).expect("read").flatten() {
        std::fs::copy(e.path(), other.join(e.file_name())).expect("copy");
    }
    let dir = tmp.path().to_str().expect("utf-8");
    let rows = golden(tmp.path(), &["ok"]);
    let out = support::assay(&[
        "judge",
        "test",
        "twin",
        "--plugin-dir",
        dir,
        "--rows",
        rows.to_str().expect("utf-8"),
    ]);
    assert_ne!(out.status.code(), Some(0));
    let err = support::stderr(&out);
    assert!(err.contains("judge 'twin' is defined more than once"), "{err}");
}

/// Issue 9, item 16: a `--set` key the judge does not declare is a usage
/// error (exit 2) naming the closest key, for `eval` and `judge test` alike.
#[test]
fn an_unknown_set_key_is_a_usage_error_with_a_suggestion() {
    let tmp = tempfile::tempdir().expect("tmp");
    let rows = golden(tmp.path(), &["ok"]);
    let input = support::data("openai_input.jsonl");
    let results = support::data("openai_output.jsonl");
    for args in [
        vec![
            "judge",
            "test",
            "hostile",
            "--rows",
            rows.to_str().expect("utf-8"),
            "--set",
            "fail-int=true",
        ],
        vec![
            "eval",
            "--provider",
            "openai",
            "--input",
            input.to_str().expect("utf-8"),
            "--results",
            results.to_str().expect("utf-8"),
            "--judge",
            "hostile",
            "--set",
            "hostile.fail-int=true",
        ],
    ] {
        let out = support::assay(&args);
        let err = support::stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(
            err.contains("judge 'hostile' has no config key 'fail-int' (did you mean 'fail-init'?)"),
            "{args:?}: {err}"
        );
    }
}

/// Issue 9, item 15: `--policy` and `--set key=@file` read regular files only,
/// each under a cap; `/dev/zero` is refused at once instead of read until the
/// host runs out of memory.
#[test]
fn policy_and_set_files_must_be_regular_files() {
    let tmp = tempfile::tempdir().expect("tmp");
    let rows = golden(tmp.path(), &["ok"]);
    let rows = rows.to_str().expect("utf-8");
    let t = Instant::now();
    for args in [
        vec!["judge", "test", "hostile", "--rows", rows, "--policy", "/dev/zero"],
        vec![
            "judge",
            "test",
            "hostile",
            "--rows",
            rows,
            "--set",
            "fail-init=@/dev/zero",
        ],
    ] {
        let out = support::assay(&args);
        let err = support::stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(
            err.contains("/dev/zero") && err.contains("is not a regular file"),
            "{args:?}: {err}"
        );
    }
    assert!(t.elapsed() < Duration::from_secs(20), "took {:?}", t.elapsed());
}

/// Issue 9, item 10: a compile-cache entry that was edited, or copied from
/// another judge, fails its HMAC and is recompiled, never loaded.
#[test]
fn a_tampered_or_foreign_cache_entry_is_recompiled_not_loaded() {
    use assay::judge::cache::CompileCache;
    let tmp = tempfile::tempdir().expect("tmp");
    let cache = CompileCache::open(tmp.path().join("components")).expect("cache");
    let engine: &'static JudgeEngine = Box::leak(Box::new(JudgeEngine::new().expect("engine")));
    let entry =
        |name: &str| Manifest::read(&support::hostile_judges().join(name).join("judge.toml")).expect("manifest");
    let policy = fast_policy();
    load(engine, Some(&cache), &policy, entry("hostile")).expect("compiles and stores");
    load(engine, Some(&cache), &policy, entry("hostile-text")).expect("compiles and stores");
    let entries = |prefix: &str| {
        let sha = entry(prefix).manifest.sha256.expect("pinned");
        std::fs::read_dir(tmp.path().join("components"))
            .expect("dir")
            .flatten()
            .map(|e| e.path())
            .find(|p| {
                p.file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| n.starts_with(&sha))
            })
            .expect("entry")
    };
    let (mine, foreign) = (entries("hostile"), entries("hostile-text"));
    let describe = |judge: Arc<JudgePre>| {
        support::runtime().block_on(async {
            let mut inst = JudgeInstance::start(&judge, &[], RUN, Role::Scorer)
                .await
                .expect("starts");
            inst.describe().await.map(|d| d.name)
        })
    };
    // A flipped bit in the code: the tag fails, the judge is recompiled.
    let mut bytes = std::fs::read(&mine).expect("read");
    let mid = bytes.len() / 2;
    bytes[mid] ^= 0x01;
    std::fs::write(&mine, &bytes).expect("write");
    let judge = load(engine, Some(&cache), &policy, entry("hostile")).expect("recompiled");
    assert_eq!(describe(judge).expect("describes"), "hostile");
    assert_ne!(std::fs::read(&mine).expect("read"), bytes, "the entry was rewritten");
    // Another judge's valid entry copied over this one's name: refused too.
    std::fs::copy(&foreign, &mine).expect("copy");
    let judge = load(engine, Some(&cache), &policy, entry("hostile")).expect("recompiled");
    assert_eq!(describe(judge).expect("describes"), "hostile");
}

/// Issue 8: a trap's whole error chain (the trap, then the wasm backtrace)
/// reaches `--judge-log`, as one visible line.
#[test]
fn a_traps_whole_error_chain_reaches_the_judge_log() {
    let tmp = tempfile::tempdir().expect("tmp");
    let rows = golden(tmp.path(), &["panic", "ok"]);
    let out = support::assay(&[
        "judge",
        "test",
        "hostile",
        "--rows",
        rows.to_str().expect("utf-8"),
        "--judge-log",
    ]);
    let err = support::stderr(&out);
    let line = err
        .lines()
        .find(|l| l.contains("row r0: panic"))
        .unwrap_or_else(|| panic!("{err}"));
    assert!(line.contains("wasm `unreachable` instruction executed"), "{line}");
    assert!(line.contains("wasm backtrace"), "{line}");
}

/// Issue 10, item 5: a component that imports what the host does not grant is
/// refused from its binary, before it is compiled, and nothing is cached.
#[test]
fn an_ungranted_import_is_refused_before_compiling() {
    use assay::judge::cache::CompileCache;
    let tmp = tempfile::tempdir().expect("tmp");
    let cache = CompileCache::open(tmp.path().join("components")).expect("cache");
    let engine: &'static JudgeEngine = Box::leak(Box::new(JudgeEngine::new().expect("engine")));
    let entry = Manifest::read(&support::hostile_judges().join("hostile-net").join("judge.toml")).expect("manifest");
    let err = load(engine, Some(&cache), &fast_policy(), entry)
        .err()
        .expect("refused");
    assert!(matches!(err, LoadError::Ungranted { .. }), "{err}");
    assert!(err.to_string().contains("wasi:sockets"), "{err}");
    let cached = std::fs::read_dir(tmp.path().join("components"))
        .expect("dir")
        .flatten()
        .filter(|e| e.path().extension().is_some_and(|x| x == "cwasm"))
        .count();
    assert_eq!(cached, 0, "a refused component must not be cached");
}

/// The example job scored by `hostile` with `act = random`: every row reads
/// `wasi:random` and the wall clock. Returns the `--rows-out` file's bytes.
fn random_rows_out(dir: &Path, seed: &str, workers: &str, chunk: &str) -> String {
    let path = dir.join(format!("rows-{seed}-{workers}-{chunk}.jsonl"));
    let results = format!(
        "{},{}",
        support::data("openai_output.jsonl").display(),
        support::data("openai_errors.jsonl").display()
    );
    let out = support::assay(&[
        "eval",
        "--provider",
        "openai",
        "--input",
        support::data("openai_input.jsonl").to_str().expect("utf-8 path"),
        "--results",
        &results,
        "--judge",
        "hostile",
        "--set",
        "hostile.act=random",
        "--seed",
        seed,
        "--workers",
        workers,
        "--chunk-rows",
        chunk,
        "--rows-out",
        path.to_str().expect("utf-8 path"),
        "--format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", support::stderr(&out));
    std::fs::read_to_string(&path).expect("rows-out written")
}

/// Item 10: `--seed` makes randomness reproducible. Each row's `wasi:random`
/// stream comes from the seed, the judge and the row id only, so verdicts are
/// byte-identical for every `--workers` / `--chunk-rows`; the values do not
/// repeat; the wall clock is one fixed instant; another seed gives others.
#[test]
fn seeded_randomness_and_the_clock_do_not_depend_on_workers_or_chunks() {
    let tmp = tempfile::tempdir().expect("tmp");
    let base = random_rows_out(tmp.path(), "11", "1", "1");
    for (workers, chunk) in [("1", "7"), ("2", "64"), ("2", "256")] {
        let other = random_rows_out(tmp.path(), "11", workers, chunk);
        assert!(
            other == base,
            "--workers {workers} --chunk-rows {chunk} changed the verdicts"
        );
    }
    let mut values = std::collections::HashSet::new();
    let mut walls = std::collections::HashSet::new();
    let mut seeds = std::collections::HashSet::new();
    let mut rows = 0;
    for line in base.lines() {
        let v: serde_json::Value = serde_json::from_str(line).expect("json line");
        let Some(details) = v["verdicts"]["hostile"]["details"].as_str() else {
            continue;
        };
        rows += 1;
        for field in details.split(' ') {
            let (key, value) = field.split_once('=').expect("key=value");
            match key {
                "u64" | "insecure" => values.extend(value.split(',').map(str::to_owned)),
                "bytes" => {
                    values.insert(value.to_owned());
                }
                "seed" => {
                    seeds.insert(value.to_owned());
                }
                "wall_ns" => {
                    walls.insert(value.to_owned());
                }
                _ => panic!("unexpected field {field}"),
            }
        }
    }
    assert_eq!(rows, 1905, "every completed row read randomness");
    // 8 + 2 u64s and one 16-byte string per row, none repeated anywhere.
    assert_eq!(values.len(), rows * 11, "random values repeat");
    assert_eq!(walls.len(), 1, "the wall clock moved: {walls:?}");
    assert!(walls.contains("946684800000000000"), "{walls:?}");
    assert_eq!(seeds.len(), 1, "insecure-seed is one value per judge and seed");
    let reseeded = random_rows_out(tmp.path(), "12", "2", "64");
    assert!(reseeded != base, "--seed 12 gave the same values as --seed 11");
}

/// Item 10 at the scorer: the same rows in one chunk of five and one row per
/// call give the same verdicts; a judge that reads randomness inside a
/// multi-row call is scored one row per call from then on, without a
/// restart counted against it.
#[test]
fn a_chunk_of_random_reading_rows_scores_as_rows_one_by_one() {
    let judge = load_named(&fast_policy(), "hostile");
    let ids = ids(5);
    let responses = ["random"; 5];
    let (chunked, one_by_one, restarts) = support::runtime().block_on(async {
        let mut a = Scorer::new(judge.clone(), Arc::new(Vec::new()), RUN);
        let chunked = a.score(&rows(&ids, &responses)).await.expect("scores");
        let mut b = Scorer::new(judge, Arc::new(Vec::new()), RUN);
        let mut one = Vec::new();
        for r in rows(&ids, &responses) {
            one.extend(b.score(&[r]).await.expect("scores"));
        }
        (chunked, one, a.restarts)
    });
    assert_eq!(format!("{chunked:?}"), format!("{one_by_one:?}"));
    assert!(chunked.iter().all(RowResult::passed), "{chunked:?}");
    assert_eq!(restarts, 0, "reading randomness is not a failure");
}

/// Item 5: a component is compiled under a budget. A function body above
/// `max-function-kib` is refused before compiling; a compile past
/// `compile-timeout-s` is abandoned at the deadline. Both name the limit.
#[test]
fn a_component_past_the_compile_budget_is_refused_naming_the_limit() {
    let engine: &'static JudgeEngine = Box::leak(Box::new(JudgeEngine::new().expect("engine")));
    let entry = || Manifest::read(&support::hostile_judges().join("hostile").join("judge.toml")).expect("manifest");
    let refusal = |policy: &Policy| match load(engine, None, policy, entry()) {
        Ok(_) => panic!("loaded past the compile budget"),
        Err(e) => e.to_string(),
    };

    let mut small_functions = fast_policy();
    small_functions.defaults.max_function_bytes = 64;
    let msg = refusal(&small_functions);
    assert!(
        msg.contains("judge 'hostile'") && msg.contains("above the 64 byte compile limit (max-function-kib"),
        "{msg}"
    );

    let mut short = fast_policy();
    short.defaults.compile_timeout = Duration::from_millis(1);
    let t = Instant::now();
    let msg = refusal(&short);
    assert!(
        msg.contains("did not compile within the 0.001 s compile limit (compile-timeout-s"),
        "{msg}"
    );
    assert!(
        t.elapsed() < Duration::from_secs(2),
        "the deadline did not hold: {:?}",
        t.elapsed()
    );

    // The default budget compiles it.
    assert!(load(engine, None, &fast_policy(), entry()).is_ok());
}

//! The sandbox holds against hostile judges: one guest behaviour per limit,
//! each test asserting the exact outcome and that the neighbouring rows
//! still scored.

use crate::support;

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use assay::judge::bindings::types::Row;
use assay::judge::engine::JudgeEngine;
use assay::judge::load::load;
use assay::judge::manifest::Manifest;
use assay::judge::runner::Scorer;
use assay::judge::state::RunContext;
use assay::judge::{FailureKind, JudgePre, LoadError, Policy, RowResult, StartError};

const RUN: RunContext = RunContext { seed: 7 };

/// Short deadlines so timeouts cost little test time, small memory so a bomb
/// is caught quickly.
fn test_policy() -> Policy {
    let mut p = Policy::default();
    p.defaults.call_timeout_base = Duration::from_millis(300);
    p.defaults.call_timeout_per_row = Duration::from_millis(100);
    p.defaults.memory_bytes = 32 * 1024 * 1024;
    p
}

fn load_judge(engine: &JudgeEngine, policy: &Policy, name: &str) -> Result<Arc<JudgePre>, LoadError> {
    let entry = Manifest::read(&support::hostile_judges().join(name).join("judge.toml")).expect("manifest");
    load(engine, None, policy, entry)
}

/// Scores `responses` as ONE chunk with the hostile judge.
fn score_with(policy: Policy, config: Vec<(String, String)>, responses: &[&str]) -> (Vec<RowResult>, Scorer) {
    support::runtime().block_on(async {
        let engine = JudgeEngine::new().expect("engine");
        let judge = load_judge(&engine, &policy, "hostile").expect("hostile loads");
        let mut scorer = Scorer::new(judge, Arc::new(config), RUN);
        let ids: Vec<String> = (0..responses.len()).map(|i| format!("row-{i}")).collect();
        let rows: Vec<Row<'_>> = responses
            .iter()
            .enumerate()
            .map(|(i, r)| support::row(i, &ids[i], r))
            .collect();
        let out = scorer.score(&rows).await.expect("scorer starts");
        scorer.close();
        (out, scorer)
    })
}

fn score(responses: &[&str]) -> Vec<RowResult> {
    score_with(test_policy(), Vec::new(), responses).0
}

fn assert_neighbours_scored(out: &[RowResult], bad: usize) {
    for (i, r) in out.iter().enumerate() {
        if i != bad {
            assert!(r.passed(), "row {i} should still pass, got {r:?}");
        }
    }
}

fn failure_kind(r: &RowResult) -> FailureKind {
    match r {
        RowResult::Failed(f) => f.kind,
        other => panic!("expected a host failure, got {other:?}"),
    }
}

#[test]
fn infinite_loop_runs_out_of_fuel() {
    let out = score(&["ok", "loop", "ok"]);
    assert_eq!(out.len(), 3);
    assert_eq!(failure_kind(&out[1]), FailureKind::Fuel);
    assert_neighbours_scored(&out, 1);
}

#[test]
fn sleep_forever_is_stopped_by_the_wall_clock_deadline() {
    let t = Instant::now();
    let out = score(&["ok", "sleep", "ok"]);
    assert_eq!(failure_kind(&out[1]), FailureKind::Timeout);
    assert_neighbours_scored(&out, 1);
    // chunk deadline (0.3 s + 3 × 0.1 s) + replay deadline for the row (0.4 s), plus slack
    assert!(t.elapsed() < Duration::from_secs(10), "took {:?}", t.elapsed());
}

#[test]
fn max_memory_size_violated() {
    let out = score(&["ok", "grow", "ok"]);
    assert_eq!(failure_kind(&out[1]), FailureKind::Memory);
    assert_neighbours_scored(&out, 1);
}

#[test]
fn ignoring_a_failed_memory_grow_still_traps() {
    let out = score(&["ok", "grow-raw", "ok"]);
    assert_eq!(failure_kind(&out[1]), FailureKind::Memory);
    assert_neighbours_scored(&out, 1);
}

#[test]
fn deep_recursion_overflows_the_stack() {
    let out = score(&["ok", "recurse", "ok"]);
    assert_eq!(failure_kind(&out[1]), FailureKind::Stack);
    assert_neighbours_scored(&out, 1);
}

#[test]
fn panic_is_reported_as_panic() {
    let out = score(&["ok", "panic", "ok"]);
    assert_eq!(failure_kind(&out[1]), FailureKind::Panic);
    assert_neighbours_scored(&out, 1);
}

/// `exit(1)` (WASI `exit`) ends only that row's call: the row fails as a
/// trap naming the exit status, the host keeps running and the next rows score.
#[test]
fn exit_in_a_guest_fails_its_row_not_the_host() {
    let out = score(&["ok", "exit", "ok"]);
    assert_eq!(out.len(), 3);
    assert_eq!(failure_kind(&out[1]), FailureKind::Trap, "{:?}", out[1]);
    assert!(format!("{:?}", out[1]).contains("exit status 1"), "{:?}", out[1]);
    assert_neighbours_scored(&out, 1);
}

/// A verdict whose label bytes are not UTF-8 cannot be lifted: the row fails
/// (a trap, the instance is replaced), nothing of it is decoded lossily, and
/// the neighbours score.
#[test]
fn a_non_utf8_string_from_the_guest_fails_its_row() {
    let out = score(&["ok", "bad-utf8", "ok"]);
    assert_eq!(out.len(), 3);
    assert_eq!(failure_kind(&out[1]), FailureKind::Trap, "{:?}", out[1]);
    assert!(
        format!("{:?}", out[1]).contains("invalid utf-8 sequence"),
        "{:?}",
        out[1]
    );
    assert_neighbours_scored(&out, 1);
}

#[test]
fn huge_details_are_rejected_as_invalid_output() {
    let out = score(&["ok", "huge", "ok"]);
    assert_eq!(failure_kind(&out[1]), FailureKind::InvalidOutput);
    let RowResult::Failed(f) = &out[1] else { unreachable!() };
    assert!(
        f.message.contains("details are 1048576 bytes; the limit is 16384"),
        "{}",
        f.message
    );
    assert_neighbours_scored(&out, 1);
}

#[test]
fn over_long_label_is_rejected() {
    let out = score(&["ok", "huge-label", "ok"]);
    assert_eq!(failure_kind(&out[1]), FailureKind::InvalidOutput);
    assert_neighbours_scored(&out, 1);
}

#[test]
fn nan_infinite_and_out_of_range_scores_are_rejected() {
    let out = score(&["nan", "ok", "inf", "range"]);
    for i in [0, 2, 3] {
        assert_eq!(failure_kind(&out[i]), FailureKind::InvalidOutput, "row {i}");
    }
    assert!(out[1].passed());
}

#[test]
fn a_judge_error_is_a_value_not_a_trap() {
    let (out, scorer) = score_with(test_policy(), Vec::new(), &["ok", "error", "ok"]);
    assert_eq!(
        out[1],
        RowResult::JudgeError {
            kind: "invalid_input",
            message: "asked to fail".into()
        }
    );
    assert_neighbours_scored(&out, 1);
    assert_eq!(scorer.restarts, 0, "a returned error must not restart the instance");
}

#[test]
fn a_trap_mid_chunk_fails_only_its_row() {
    let mut responses = vec!["ok"; 11];
    responses[5] = "panic";
    let (out, scorer) = score_with(test_policy(), Vec::new(), &responses);
    assert_eq!(out.len(), 11);
    assert_eq!(failure_kind(&out[5]), FailureKind::Panic);
    assert_neighbours_scored(&out, 5);
    assert!(scorer.restarts >= 1);
}

fn details(r: &RowResult) -> String {
    match r {
        RowResult::Verdict(v) => v.details.clone().unwrap_or_default(),
        other => panic!("expected a verdict, got {other:?}"),
    }
}

#[test]
fn no_environment_arguments_or_files_reach_the_guest() {
    // The host's own environment (PATH, HOME, cargo's CARGO_* for a test run),
    // read, never set: this binary runs other tests on other threads.
    let host: Vec<String> = std::env::vars().map(|(name, _)| name).collect();
    assert!(host.iter().any(|n| n == "PATH"), "a test process has PATH");
    let out = score(&["env", "fs"]);
    let env = details(&out[0]);
    for name in &host {
        assert!(!env.contains(&format!("{name}=")), "environment leaked ({name}): {env}");
    }
    let fs = details(&out[1]);
    assert!(!fs.contains("root:"), "file system leaked: {fs}");
}

#[test]
fn clock_and_randomness_are_deterministic() {
    let a = details(&score(&["clock"])[0]);
    let b = details(&score(&["clock"])[0]);
    assert_eq!(a, b);
    assert!(!a.is_empty());
}

#[test]
fn log_flood_is_capped() {
    let (out, scorer) = score_with(test_policy(), Vec::new(), &["log"]);
    assert!(out[0].passed());
    let bytes: usize = scorer.log.iter().map(|l| l.message.len()).sum();
    assert!(bytes <= 64 * 1024 + 1100, "captured {bytes} bytes of log");
    assert!(!scorer.log.is_empty());
}

#[test]
fn init_error_stops_the_judge_before_any_row() {
    let err = support::runtime().block_on(async {
        let engine = JudgeEngine::new().expect("engine");
        let judge = load_judge(&engine, &test_policy(), "hostile").expect("loads");
        let cfg = Arc::new(vec![("fail-init".to_owned(), "true".to_owned())]);
        let mut scorer = Scorer::new(judge, cfg, RUN);
        let id = "r".to_owned();
        scorer
            .score(&[support::row(0, &id, "ok")])
            .await
            .expect_err("init must fail")
    });
    assert!(matches!(err, StartError::Config { .. }), "{err}");
    assert!(err.to_string().contains("fail-init requested"), "{err}");
}

/// A component holding more core instances, memories or tables than the
/// policy's counts is refused when it is instantiated, before any row: the
/// hostile guest (a few instances, one memory, one table) is started under
/// caps one below what it holds.
#[test]
fn more_instances_memories_or_tables_than_the_caps_fail_at_instantiate() {
    let start = |edit: fn(&mut Policy)| {
        support::runtime().block_on(async {
            let mut policy = test_policy();
            edit(&mut policy);
            let engine = JudgeEngine::new().expect("engine");
            let judge = load_judge(&engine, &policy, "hostile").expect("loads");
            let mut scorer = Scorer::new(judge, Arc::new(Vec::new()), RUN);
            let id = "r".to_owned();
            scorer.score(&[support::row(0, &id, "ok")]).await.map(|_| ())
        })
    };
    for (what, edit) in [
        (
            "instance count too high",
            (|p: &mut Policy| p.defaults.max_instances = 1) as fn(&mut Policy),
        ),
        ("memory count too high", |p: &mut Policy| p.defaults.max_memories = 0),
        ("table count too high", |p: &mut Policy| p.defaults.max_tables = 0),
    ] {
        let err = start(edit).expect_err(what);
        assert!(matches!(err, StartError::Trapped { .. }), "{what}: {err}");
        let msg = err.to_string();
        assert!(
            msg.contains("judge 'hostile' failed to start")
                && msg.contains("resource limit exceeded")
                && msg.contains(what),
            "{what}: {msg}"
        );
    }
    // Under the default caps the same component starts and scores.
    assert!(start(|_| {}).is_ok());
}

#[test]
fn forbidden_import_is_refused_at_load_time() {
    let engine = JudgeEngine::new().expect("engine");
    let err = load_judge(&engine, &test_policy(), "hostile-net")
        .err()
        .expect("must be refused");
    let msg = err.to_string();
    assert!(
        msg.contains("judge 'hostile-net'") && msg.contains("wasi:sockets"),
        "{msg}"
    );
}

/// Copies the hostile judge to a temp dir so a test can tamper with it.
fn copy_judge(dir: &Path) -> std::path::PathBuf {
    let src = support::hostile_judges().join("hostile");
    let dst = dir.join("hostile");
    std::fs::create_dir_all(&dst).expect("mkdir");
    for e in std::fs::read_dir(&src).expect("read dir").flatten() {
        std::fs::copy(e.path(), dst.join(e.file_name())).expect("copy");
    }
    dst.join("judge.toml")
}

#[test]
fn tampered_component_fails_the_sha256_check() {
    let tmp = tempfile::tempdir().expect("tmp");
    let manifest = copy_judge(tmp.path());
    let wasm = manifest.with_file_name("hostile.wasm");
    let mut bytes = std::fs::read(&wasm).expect("wasm");
    if let Some(b) = bytes.last_mut() {
        *b ^= 0xff;
    }
    std::fs::write(&wasm, bytes).expect("write");
    let engine = JudgeEngine::new().expect("engine");
    let err = load(
        &engine,
        None,
        &test_policy(),
        Manifest::read(&manifest).expect("manifest"),
    )
    .err()
    .expect("refused");
    assert!(err.to_string().contains("sha256 mismatch"), "{err}");
}

/// A component built against another version of the judge interface
/// (`assay:judge/host@0.9.0` instead of `@0.1.0`), correctly pinned, is
/// refused at load naming that import: nothing compiles or runs.
#[test]
fn a_wrong_wit_version_import_is_refused_at_load_naming_it() {
    let tmp = tempfile::tempdir().expect("tmp");
    let manifest = copy_judge(tmp.path());
    let wasm = manifest.with_file_name("hostile.wasm");
    let bytes = std::fs::read(&wasm).expect("wasm");
    let (from, to) = (b"assay:judge/host@0.1.0", b"assay:judge/host@0.9.0");
    let mut out = Vec::with_capacity(bytes.len());
    let (mut i, mut swapped) = (0, 0);
    while i < bytes.len() {
        if bytes[i..].starts_with(from) {
            out.extend_from_slice(to);
            i += from.len();
            swapped += 1;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    assert!(swapped > 0, "the hostile guest imports the host interface");
    std::fs::write(&wasm, &out).expect("write");
    let sha = assay::jobs::key::file_sha256(&wasm).expect("hash");
    let text = std::fs::read_to_string(&manifest).expect("read");
    let pinned: String = text
        .lines()
        .map(|l| {
            if l.starts_with("sha256 = ") {
                format!("sha256 = \"{sha}\"\n")
            } else {
                format!("{l}\n")
            }
        })
        .collect();
    std::fs::write(&manifest, pinned).expect("write");
    let engine = JudgeEngine::new().expect("engine");
    let err = load(
        &engine,
        None,
        &test_policy(),
        Manifest::read(&manifest).expect("manifest"),
    )
    .err()
    .expect("refused");
    let msg = err.to_string();
    assert!(
        msg.contains("judge 'hostile'") && msg.contains("assay:judge/host@0.9.0"),
        "{msg}"
    );
}

#[test]
fn oversized_component_is_refused_before_compiling() {
    let mut policy = test_policy();
    policy.defaults.max_wasm_bytes = 1024;
    let engine = JudgeEngine::new().expect("engine");
    let err = load_judge(&engine, &policy, "hostile").err().expect("refused");
    assert!(err.to_string().contains("above the 1024 byte limit"), "{err}");
}

#[test]
fn manifest_cannot_exceed_the_policy_ceiling() {
    let tmp = tempfile::tempdir().expect("tmp");
    let manifest = copy_judge(tmp.path());
    let text = std::fs::read_to_string(&manifest).expect("read");
    let text = text.replace("fuel-per-row = 100000000", "fuel-per-row = 99000000000");
    assert!(
        text.contains("99000000000"),
        "the hostile manifest must ask for fuel-per-row"
    );
    std::fs::write(&manifest, text).expect("write");
    let engine = JudgeEngine::new().expect("engine");
    let err = load(
        &engine,
        None,
        &test_policy(),
        Manifest::read(&manifest).expect("manifest"),
    )
    .err()
    .expect("refused");
    assert!(err.to_string().contains("above the policy ceiling"), "{err}");
}

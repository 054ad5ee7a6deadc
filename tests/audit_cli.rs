//! `assay drift-audit` end to end against `assay emulate`: both paths
//! (a small batch through the job commands, and sync calls), the drift score
//! moving with the emulator's batch-vs-sync quality gap, audits stored with
//! their job; and the crash cases of the outer loop (a fetch killed
//! mid-download, a submit killed after the batch was created).

use crate::support;

use std::time::{Duration, Instant};

use serde_json::Value;
use support::rehearsal::{Rehearsal, no_key};

fn json(s: &str) -> Value {
    serde_json::from_str(s).unwrap_or_else(|e| panic!("not JSON ({e}): {s}"))
}

fn metric(a: &Value, k: &str) -> f64 {
    a["metrics"][k].as_f64().unwrap_or_else(|| panic!("no metric {k}: {a}"))
}

/// A live audit: `pairs` rows of a 40-row input, through both paths.
fn live_audit(r: &Rehearsal, input: &std::path::Path, pairs: &str, seed: &str) -> Value {
    json(&r.ok(&[
        "drift-audit",
        "--provider",
        "openai",
        "--input",
        input.to_str().unwrap(),
        "--pairs",
        pairs,
        "--seed",
        seed,
        "--segment-size",
        "20",
        "--interval-ms",
        "20",
        "--format",
        "json",
    ]))
}

#[test]
fn drift_audit_is_equivalent_on_a_healthy_provider_and_a_regression_under_a_quality_gap() {
    let healthy = Rehearsal::new("process_ms = 100\n");
    let input = healthy.input("in.jsonl", 40, "/v1/chat/completions", "gpt-4o-mini");
    let a = live_audit(&healthy, &input, "20", "4");
    assert_eq!(a["pairs"], 20, "{a}");
    assert_eq!(a["mean_score"], 0.5, "{a}");
    assert_eq!(a["band"], "none", "{a}");
    assert_eq!(metric(&a, "equivalent"), 20.0);
    // The batch path was a real batch of the 20 sampled rows, recorded as a job.
    let list = healthy.emu.get("/v1/batches", "k");
    assert_eq!(list.matches("\"object\":\"batch\"").count(), 1, "{list}");
    assert!(list.contains("\"total\":20"), "{list}");
    let job = a["job"].as_i64().unwrap().to_string();
    let jobs = json(&healthy.ok(&["jobs", "--format", "json"]));
    assert_eq!(jobs[0]["id"].to_string(), job);
    assert_eq!(jobs[0]["fetched"], true);

    let gap = Rehearsal::new("process_ms = 100\nquality_gap = 0.4\n");
    let input = gap.input("in.jsonl", 40, "/v1/chat/completions", "gpt-4o-mini");
    let b = live_audit(&gap, &input, "20", "4");
    assert_eq!(b["pairs"], 20, "{b}");
    let worse = metric(&b, "worse");
    assert!(worse >= 4.0, "a 40% gap makes several batch answers worse: {b}");
    let mean = b["mean_score"].as_f64().unwrap();
    assert!((mean - 0.5 * (20.0 - worse) / 20.0).abs() < 1e-9, "{b}");
    assert!(mean < 0.45, "{b}");
    assert_eq!(b["band"], "regression", "{b}");

    // The same sample again reuses its job (nothing submitted twice); another
    // seed is another sample and another job. Every audit is kept.
    let again = live_audit(&gap, &input, "20", "4");
    assert_eq!(again["job"], b["job"]);
    assert_eq!(again["mean_score"], b["mean_score"]);
    let other = live_audit(&gap, &input, "10", "9");
    assert_ne!(other["job"], b["job"]);
    assert_eq!(other["pairs"], 10);
    let list = gap.emu.get("/v1/batches", "k");
    assert_eq!(list.matches("\"object\":\"batch\"").count(), 2, "{list}");
    let audits = json(&gap.ok(&["drift-audit", "--list", "--format", "json"]));
    let audits = audits.as_array().unwrap();
    assert_eq!(audits.len(), 3, "{audits:?}");
    assert_eq!(audits[0]["id"], b["audit"]);
    assert_eq!(audits[0]["job"], b["job"]);
    assert_eq!(audits[0]["band"], "regression");
    assert_eq!(audits[0]["mean_score"], b["mean_score"]);
    assert_eq!(audits[2]["pairs"], 10);
    let text = gap.ok(&["drift-audit", "--list"]);
    assert!(text.contains("regression"), "{text}");
    gap.key_stored_nowhere();
    healthy.key_stored_nowhere();
}

#[test]
fn drift_audit_works_on_a_fetched_job_and_on_files_and_refuses_an_unfetched_job() {
    let r = Rehearsal::new("process_ms = 100\nquality_gap = 0.4\nserver_error_rows = [1]\n");
    let input = r.input("in.jsonl", 40, "/v1/chat/completions", "gpt-4o-mini");
    let job = r.submit("openai", &input);
    let early = r.run(&["drift-audit", "--provider", "openai", "--job", &job, "--pairs", "5"]);
    assert_eq!(early.status.code(), Some(2), "{}", support::stderr(&early));
    assert!(
        support::stderr(&early).contains("not fetched"),
        "{}",
        support::stderr(&early)
    );
    r.ok(&["watch", &job, "--interval-ms", "20"]);
    r.ok(&["fetch", &job]);

    // On a fetched job: a seeded sample of the rows the batch completed goes
    // through the sync API only.
    let a = json(&r.ok(&[
        "drift-audit",
        "--provider",
        "openai",
        "--job",
        &job,
        "--pairs",
        "24",
        "--seed",
        "2",
        "--format",
        "json",
    ]));
    assert_eq!(a["job"].to_string(), job);
    assert_eq!(a["pairs"], 24, "{a}");
    assert_eq!(a["band"], "regression", "{a}");
    let list = r.emu.get("/v1/batches", "k");
    assert_eq!(list.matches("\"object\":\"batch\"").count(), 1, "no new batch: {list}");
    let sync: Vec<String> = a["sync_results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap().to_owned())
        .collect();
    let lines: usize = sync
        .iter()
        .map(|p| std::fs::read_to_string(p).unwrap().lines().count())
        .sum();
    assert_eq!(lines, 24);

    // On files already fetched: no provider call, the same pairs and score.
    let dir = r.job_dir(&job);
    let results = format!(
        "{},{}",
        dir.join("output.jsonl").display(),
        dir.join("errors.jsonl").display()
    );
    let mut args = vec![
        "drift-audit",
        "--input",
        input.to_str().unwrap(),
        "--results",
        &results,
        "--format",
        "json",
    ];
    for s in &sync {
        args.extend(["--sync-results", s.as_str()]);
    }
    let b = json(&r.ok(&args));
    assert_eq!(b["job"], Value::Null);
    assert_eq!(
        (&b["pairs"], &b["mean_score"], &b["band"]),
        (&a["pairs"], &a["mean_score"], &a["band"])
    );

    let audits = json(&r.ok(&["drift-audit", "--list", "--format", "json"]));
    assert_eq!(audits.as_array().unwrap().len(), 2);
    assert_eq!(audits[0]["job"].to_string(), job);
    assert_eq!(audits[1]["job"], Value::Null);

    for bad in [
        vec!["drift-audit", "--provider", "openai", "--job", &job, "--pairs", "0"],
        vec!["drift-audit", "--provider", "openai", "--pairs", "3"],
    ] {
        let o = r.run(&bad);
        assert_eq!(o.status.code(), Some(2), "{bad:?}: {}", support::stderr(&o));
        no_key(&o);
    }
    // Refusals record nothing.
    let audits = json(&r.ok(&["drift-audit", "--list", "--format", "json"]));
    assert_eq!(audits.as_array().unwrap().len(), 2);
    r.key_stored_nowhere();
}

/// Polls `cond` every 20 ms for up to 30 s.
fn wait_for(what: &str, mut cond: impl FnMut() -> bool) {
    let start = Instant::now();
    while !cond() {
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "timed out waiting for {what}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn names(dir: &std::path::Path) -> Vec<String> {
    std::fs::read_dir(dir).map_or(Vec::new(), |rd| {
        rd.map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect()
    })
}

#[test]
fn a_fetch_killed_mid_download_leaves_nothing_eval_would_read_and_a_rerun_completes() {
    // The first download sends 300 bytes of the output file and then stalls.
    let r = Rehearsal::new(
        "process_ms = 50\n[[http]]\nroute = \"GET /v1/files/*/content\"\nreset_after_bytes = 300\nstall_ms = 60000\n",
    );
    let input = r.input("in.jsonl", 20, "/v1/chat/completions", "gpt-4o-mini");
    let job = r.submit("openai", &input);
    r.ok(&["watch", &job, "--interval-ms", "20"]);
    let dir = r.job_dir(&job);
    let mut fetch = r.spawn(&["fetch", &job]);
    wait_for("300 bytes in a partial download", || {
        names(&dir)
            .iter()
            .any(|n| n.starts_with(".part-") && std::fs::metadata(dir.join(n)).is_ok_and(|m| m.len() >= 300))
    });
    fetch.kill().unwrap(); // SIGKILL
    fetch.wait().unwrap();
    let left = names(&dir);
    for whole in ["output.jsonl", "errors.jsonl", "batch.json"] {
        assert!(
            !left.iter().any(|n| n == whole),
            "{whole} exists after the kill: {left:?}"
        );
    }
    let jobs = json(&r.ok(&["jobs", "--format", "json"]));
    assert_eq!(jobs[0]["fetched"], false);
    let e = r.run(&["eval", "--job", &job]);
    assert_eq!(e.status.code(), Some(2), "{}", support::stderr(&e));
    assert!(support::stderr(&e).contains("not fetched"), "{}", support::stderr(&e));

    r.ok(&["fetch", &job]);
    let left = names(&dir);
    assert!(
        !left.iter().any(|n| n.starts_with(".part-")),
        "the killed run's partial file is cleared: {left:?}"
    );
    let out = std::fs::read_to_string(dir.join("output.jsonl")).unwrap();
    assert_eq!(out.lines().count(), 20);
    let s = json(&r.ok(&["eval", "--job", &job, "--format", "json"]));
    assert_eq!(s["status_counts"]["completed"], 20);
}

#[test]
fn a_submit_killed_after_the_batch_was_created_is_rerun_without_a_second_batch() {
    // The batch is created, then its answer never comes: the client waits
    // until the test kills it.
    let r = Rehearsal::new("[[http]]\nroute = \"POST /v1/batches\"\nreset_after_bytes = 0\nstall_ms = 60000\n");
    let input = r.input("in.jsonl", 5, "/v1/chat/completions", "gpt-4o-mini");
    let mut submit = r.spawn(&["submit", "--provider", "openai", "--input", input.to_str().unwrap()]);
    wait_for("the batch at the provider", || {
        r.emu.get("/v1/batches", "k").contains("\"object\":\"batch\"")
    });
    submit.kill().unwrap();
    submit.wait().unwrap();
    let jobs = json(&r.ok(&["jobs", "--format", "json"]));
    assert_eq!(jobs[0]["batch_id"], Value::Null, "killed before recording: {jobs}");
    let job = r.submit("openai", &input);
    assert_eq!(job, jobs[0]["id"].to_string());
    let list = r.emu.get("/v1/batches", "k");
    assert_eq!(list.matches("\"object\":\"batch\"").count(), 1, "{list}");
    let st = json(&r.ok(&["status", &job, "--format", "json"]));
    assert_eq!(st["batch"], "batch_emu000001");
}

#[test]
fn canary_and_recovery_use_the_responses_and_embeddings_endpoints_their_input_names() {
    let r = Rehearsal::new("process_ms = 100\nserver_error_rows = [2]\n");
    let input = r.input("resp.jsonl", 20, "/v1/responses", "gpt-4.1-mini");
    let out = r.dir.path().join("canary");
    let s = json(&r.ok(&[
        "canary",
        "--provider",
        "openai",
        "--input",
        input.to_str().unwrap(),
        "--sample",
        "50%",
        "--seed",
        "1",
        "--out",
        out.to_str().unwrap(),
        "--judge",
        "exact-match",
        "--gate",
        "0.9",
        "--format",
        "json",
    ]));
    assert_eq!(s["rows_submitted"], 10);
    assert_eq!(s["status_counts"]["completed"], 10);
    assert_eq!(s["judges"]["exact-match"]["pass_rate"], 1.0, "{s}");
    let first = std::fs::read_to_string(out.join("canary_output.jsonl")).unwrap();
    let first: Value = json(first.lines().next().unwrap());
    assert_eq!(first["response"]["body"]["object"], "response", "{first}");

    // A responses batch whose failed row is recovered through sync /v1/responses.
    let job = r.submit("openai", &input);
    r.ok(&["watch", &job, "--interval-ms", "20"]);
    r.ok(&["fetch", &job]);
    let rec = json(&r.ok(&["recover", &job, "--strategy", "retry-sync", "--format", "json"]));
    assert_eq!(rec["status_counts"]["completed"], 20, "{rec}");
    assert_eq!(rec["sync"]["recovered_by_sync"], 1);

    // Embeddings: no text to judge, but every sampled row answered.
    let emb = r.input("emb.jsonl", 6, "/v1/embeddings", "text-embedding-3-small");
    let out = r.dir.path().join("canary-emb");
    let s = json(&r.ok(&[
        "canary",
        "--provider",
        "openai",
        "--input",
        emb.to_str().unwrap(),
        "--sample",
        "3",
        "--out",
        out.to_str().unwrap(),
        "--format",
        "json",
    ]));
    assert_eq!(s["status_counts"]["completed"], 3, "{s}");
}

//! `assay cluster --explain`: one fix note per failure cluster from the built-in
//! `cluster-explain` judge, through the granted `llm` capability (a loopback
//! server answers; nothing here needs the internet), falling back to the
//! cluster's shape without a grant or when the token budget is spent; notes
//! are stored with the job and shown in the report. Uses the planted batch of
//! `support::planted`.

use crate::support;

use std::path::PathBuf;

use assay::jobs::JobStore;
use serde_json::Value;
use support::llm_server::LlmServer;
use support::planted::{Batch, args, batch};
use support::{assay_with_env, json as json_of, stderr, stdout};

/// A planted batch recorded as a fetched job in a private state database.
struct Setup {
    dir: tempfile::TempDir,
    batch: Batch,
    state: PathBuf,
    job: i64,
}

impl Setup {
    fn new() -> Setup {
        let dir = tempfile::tempdir().expect("tmp");
        let batch = batch(dir.path());
        let state = dir.path().join("state").join("state.db");
        let store = JobStore::open(&state).expect("store");
        let sha = assay::jobs::key::file_sha256(&batch.input).expect("sha");
        let job = store
            .insert("planted", "openai", "http://127.0.0.1:9/v1", &batch.input, &sha)
            .expect("job");
        store.set_batch(job.id, "batch_planted", "completed").expect("batch");
        let jd = store.job_dir(job.id);
        std::fs::create_dir_all(&jd).expect("job dir");
        std::fs::copy(&batch.output, jd.join("output.jsonl")).expect("output");
        std::fs::copy(&batch.errors, jd.join("errors.jsonl")).expect("errors");
        std::fs::write(
            jd.join("batch.json"),
            r#"{"id":"batch_planted","object":"batch","status":"completed"}"#,
        )
        .expect("batch object");
        store.set_fetched(job.id).expect("fetched");
        Setup {
            dir,
            batch,
            state,
            job: job.id,
        }
    }

    fn file(&self, name: &str, text: &str) -> String {
        let p = self.dir.path().join(name);
        std::fs::write(&p, text).expect("write");
        p.display().to_string()
    }

    fn cache(&self) -> String {
        self.dir.path().join("llm-cache").display().to_string()
    }

    /// `assay cluster` (or `eval`) on the planted files plus `extra`.
    fn run(&self, cmd: &str, extra: &[&str]) -> std::process::Output {
        let a = args(cmd, &self.batch, extra);
        let refs: Vec<&str> = a.iter().map(String::as_str).collect();
        self.raw(&refs)
    }

    fn raw(&self, a: &[&str]) -> std::process::Output {
        assay_with_env(a, &[("ASSAY_STATE", self.state.to_str().unwrap_or_default())])
    }

    /// `assay cmd --job J` with the planted batch's judge and segments, plus `extra`.
    fn job(&self, cmd: &str, extra: &[&str]) -> std::process::Output {
        let schema = format!("schema-drift.schema=@{}", support::data("schema.json").display());
        let job = self.job.to_string();
        let mut a = vec![
            cmd,
            "--job",
            &job,
            "--judge",
            "schema-drift",
            "--set",
            &schema,
            "--segment-size",
            "50",
        ];
        a.extend(extra);
        self.raw(&a)
    }

    fn notes(&self) -> Vec<assay::jobs::ClusterNote> {
        JobStore::open(&self.state)
            .expect("store")
            .cluster_notes(self.job)
            .expect("notes")
    }
}

fn grant(s: &Setup, extra: &str) -> String {
    s.file(
        "policy.toml",
        &format!("[llm.cluster-explain]\nmodels = [\"judge-small\"]\n{extra}"),
    )
}

fn clusters(v: &Value) -> &Vec<Value> {
    v["clusters"].as_array().unwrap_or_else(|| panic!("no clusters: {v:#}"))
}

fn ok(o: std::process::Output) -> Value {
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    json_of(&o)
}

#[test]
fn explain_with_a_grant_asks_the_model_once_per_cluster_stores_the_notes_and_caches_the_answers() {
    let s = Setup::new();
    let server = LlmServer::start();
    let policy = grant(&s, "");
    let cache = s.cache();
    let job = s.job.to_string();
    let granted = [
        "--explain",
        "--redact",
        "Classify the sentiment",
        "--policy",
        &policy,
        "--judge-endpoint",
        &server.url,
        "--judge-cache",
        &cache,
        "--format",
        "json",
    ];
    let v = ok(s.job("cluster", &granted));
    let cs = clusters(&v);
    assert!(cs.len() >= 3, "the three planted clusters at least: {v:#}");
    for c in cs {
        let shape = c["shape"].as_str().expect("shape");
        let note = &c["note"];
        assert_eq!(note["source"], "llm", "{c:#}");
        assert_eq!(note["text"], format!("loopback fix for Shape: {shape}"), "{c:#}");
        assert_eq!(note["cached"], false, "{c:#}");
    }
    assert_eq!(server.requests(), cs.len() as u64, "one call per cluster");
    // What the model saw: each cluster in words with example rows, redacted as traces are.
    let sent = server.seen.user_messages.lock().expect("lock").clone();
    for (m, c) in sent.iter().zip(cs) {
        assert!(
            m.starts_with(&format!("Shape: {}\n", c["shape"].as_str().unwrap_or_default())),
            "{m}"
        );
        let first = c["examples"][0].as_str().unwrap_or_default();
        assert!(m.contains(&format!("- {first} (segment ")), "{m}");
        assert!(m.contains("  prompt: "), "{m}");
        assert!(!m.contains("Classify the sentiment"), "--redact applies: {m}");
    }
    assert!(sent.iter().any(|m| m.contains("[REDACTED:custom]")), "{sent:#?}");
    assert!(
        sent.iter().any(|m| m.contains("  response: {\"label\":\"negative\"")),
        "answers are quoted: {sent:#?}"
    );
    assert!(
        sent.iter().any(|m| m.contains("  error: context_length_exceeded: ")),
        "provider errors are quoted: {sent:#?}"
    );
    let e = &v["explain"];
    assert_eq!(e["judge"], "cluster-explain", "{e:#}");
    assert_eq!(e["granted"], true, "{e:#}");
    assert_eq!(e["llm_notes"], cs.len(), "{e:#}");
    assert_eq!(e["shape_notes"], 0, "{e:#}");
    assert_eq!(e["llm"]["calls"], cs.len(), "{e:#}");
    assert_eq!(e["stored_with_job"], s.job, "{e:#}");

    let stored = s.notes();
    assert_eq!(stored.len(), cs.len());
    for (n, c) in stored.iter().zip(cs) {
        assert_eq!(Some(n.cluster), c["id"].as_i64());
        assert_eq!(Some(n.rows), c["size"].as_i64());
        assert_eq!(n.shape, c["shape"].as_str().unwrap_or_default());
        assert_eq!(n.note, c["note"]["text"].as_str().unwrap_or_default());
        assert_eq!(n.source, "llm");
        assert_eq!(n.run, None, "assay cluster records no run");
    }

    // The second run is answered from the cache: no call, the same notes, stored once.
    let again = ok(s.job("cluster", &granted));
    assert_eq!(
        server.requests(),
        cs.len() as u64,
        "the rerun asked the endpoint nothing"
    );
    for (a, b) in clusters(&again).iter().zip(cs) {
        assert_eq!(a["note"]["text"], b["note"]["text"]);
        assert_eq!(a["note"]["source"], "llm");
        assert_eq!(a["note"]["cached"], true, "{a:#}");
    }
    assert_eq!(again["explain"]["llm"]["cached"], cs.len());
    assert_eq!(again["explain"]["llm"]["calls"], 0);
    assert_eq!(s.notes().len(), cs.len(), "the job's notes are replaced, not added to");

    // The text view shows each note under its cluster.
    // The same flags without --format json: the text view.
    let text = stdout(&s.job("cluster", &granted[..granted.len() - 2]));
    let fix = text
        .lines()
        .find(|l| l.contains("every Japanese-text row") && l.starts_with("    fix "))
        .unwrap_or_else(|| panic!("no note for the Japanese cluster: {text}"));
    assert!(
        fix.starts_with("    fix (llm, cached): loopback fix for Shape: "),
        "{text}"
    );
    assert!(text.contains(&format!("fix notes stored with job {job}")), "{text}");

    // The next eval of the job shows the stored notes in its report, without explaining.
    let report = s.dir.path().join("report.html");
    let v = ok(s.job(
        "eval",
        &["--report", report.to_str().unwrap_or_default(), "--format", "json"],
    ));
    assert_eq!(v["fix_notes"]["job"], s.job, "{:#}", v["fix_notes"]);
    assert_eq!(v["fix_notes"]["notes"].as_array().map(Vec::len), Some(cs.len()));
    let html = std::fs::read_to_string(&report).expect("report");
    assert!(
        html.contains(&format!("Fix notes of job {job}")),
        "the report has the section"
    );
    for n in &stored {
        assert!(
            html.contains(&n.note.replace('&', "&amp;")),
            "{} missing from the report",
            n.note
        );
    }
    assert_eq!(server.requests(), cs.len() as u64);
}

#[test]
fn explain_without_a_grant_falls_back_to_the_shape_and_calls_nothing() {
    let s = Setup::new();
    let server = LlmServer::start();
    let cache = s.cache();
    let o = s.run(
        "cluster",
        &[
            "--explain",
            "--judge-endpoint",
            &server.url,
            "--judge-cache",
            &cache,
            "--format",
            "json",
        ],
    );
    let v = ok(o);
    for c in clusters(&v) {
        assert_eq!(c["note"]["source"], "shape", "{c:#}");
        assert_eq!(c["note"]["text"], c["shape"], "{c:#}");
        let reason = c["note"]["reason"].as_str().unwrap_or_default();
        assert!(reason.contains("no [llm.cluster-explain] grant"), "{reason}");
    }
    assert_eq!(v["explain"]["granted"], false);
    assert_eq!(v["explain"]["llm_notes"], 0);
    assert!(
        v["explain"]["stored_with_job"].is_null(),
        "files without a job: printed only"
    );
    assert_eq!(server.requests(), 0);

    // `eval --cluster --explain` carries the same notes in its summary and report.
    let report = s.dir.path().join("r.html");
    let o = s.run(
        "eval",
        &[
            "--cluster",
            "--explain",
            "--format",
            "json",
            "--report",
            report.to_str().unwrap_or_default(),
        ],
    );
    let v = ok(o);
    let cs = clusters(&v["clusters"]);
    assert!(cs.iter().all(|c| c["note"]["source"] == "shape"), "{cs:#?}");
    let html = std::fs::read_to_string(&report).expect("report");
    assert!(html.contains("<th>fix note</th>"), "the cluster table has the notes");
    assert!(
        html.contains("shape: no [llm.cluster-explain] grant"),
        "the fallback says so"
    );
    assert_eq!(server.requests(), 0);
    assert!(s.notes().is_empty());
}

#[test]
fn an_exhausted_token_budget_falls_back_and_is_reported() {
    let s = Setup::new();
    let server = LlmServer::start();
    let policy = grant(&s, "token-budget = 100\n");
    let cache = s.cache();
    let base = [
        "--explain",
        "--policy",
        &policy,
        "--judge-endpoint",
        &server.url,
        "--judge-cache",
        &cache,
    ];
    let v = ok(s.job("cluster", &[&base[..], &["--format", "json"]].concat()));
    let cs = clusters(&v);
    for c in cs {
        assert_eq!(c["note"]["source"], "shape", "{c:#}");
        assert_eq!(c["note"]["text"], c["shape"]);
        let reason = c["note"]["reason"].as_str().unwrap_or_default();
        assert!(reason.starts_with("budget-exhausted: "), "{reason}");
    }
    assert_eq!(
        v["explain"]["llm"]["errors"]["budget-exhausted"],
        cs.len(),
        "{:#}",
        v["explain"]
    );
    assert_eq!(server.requests(), 0);
    assert!(s.notes().iter().all(|n| n.source == "shape"));
    let text = stdout(&s.job("cluster", &base));
    assert!(text.contains("    fix (shape; budget-exhausted: "), "{text}");
    assert!(
        text.contains(&format!(
            "{} of {} notes are the shape: the model gave none (budget-exhausted {})",
            cs.len(),
            cs.len(),
            cs.len()
        )),
        "{text}"
    );
}

#[test]
fn explain_takes_its_config_from_set_and_refuses_an_unknown_key() {
    let s = Setup::new();
    let server = LlmServer::start();
    let policy = s.file(
        "policy.toml",
        "[llm.cluster-explain]\nmodels = [\"judge-small\", \"judge-large\"]\n",
    );
    let cache = s.cache();
    let granted = [
        "--explain",
        "--policy",
        &policy,
        "--judge-endpoint",
        &server.url,
        "--judge-cache",
        &cache,
    ];
    let with = |set: &str| {
        let mut a = granted.to_vec();
        a.extend(["--set", set, "--format", "json"]);
        s.run("cluster", &a)
    };
    let v = ok(with("cluster-explain.model=judge-large"));
    assert!(clusters(&v).iter().all(|c| c["note"]["source"] == "llm"), "{v:#}");
    assert_eq!(
        server.seen.last_model.lock().expect("lock").as_deref(),
        Some("judge-large")
    );
    let o = with("cluster-explain.temperature=1");
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("temperature"), "{}", stderr(&o));
    let o = s.run("cluster", &["--set", "cluster-explain.model=judge-large"]);
    assert_eq!(o.status.code(), Some(2), "without --explain: {}", stderr(&o));
}

#[test]
fn a_grant_without_an_endpoint_falls_back_and_says_so() {
    let s = Setup::new();
    let policy = grant(&s, "");
    let cache = s.cache();
    let v = ok(s.run(
        "cluster",
        &[
            "--explain",
            "--policy",
            &policy,
            "--judge-cache",
            &cache,
            "--format",
            "json",
        ],
    ));
    let eval = ok(s.job(
        "eval",
        &[
            "--explain",
            "--policy",
            &policy,
            "--judge-cache",
            &cache,
            "--format",
            "json",
        ],
    ));
    assert_eq!(
        eval["clusters"]["clusters"], v["clusters"],
        "eval --explain gives the same notes"
    );
    let stored = s.notes();
    assert_eq!(stored.len(), clusters(&v).len());
    assert!(
        stored.iter().all(|n| n.run.is_some()),
        "an eval recorded in the same state database links its notes to its run: {stored:?}"
    );
    for c in clusters(&v) {
        assert_eq!(c["note"]["source"], "shape", "{c:#}");
        let reason = c["note"]["reason"].as_str().unwrap_or_default();
        assert!(
            reason.starts_with("not-granted: this run has no --judge-endpoint"),
            "{reason}"
        );
    }
    assert_eq!(v["explain"]["granted"], true);
    assert_eq!(v["explain"]["llm"]["errors"]["not-granted"], clusters(&v).len());
}

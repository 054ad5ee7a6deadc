//! The feedback loop end to end against `assay emulate`: a canary's scores
//! kept with the job submitted from its input, `eval --job` raising
//! `canary-drift` when the batch answers degrade against the sync canary
//! (and not when they do not), and `submit --gate-on-last` refusing the next
//! submission, `--force` overriding it, and `assay trend` marking both.

use crate::support;

use serde_json::Value;
use support::rehearsal::Rehearsal;

fn json(s: &str) -> Value {
    serde_json::from_str(s).unwrap_or_else(|e| panic!("not JSON ({e}): {s}"))
}

fn canary(r: &Rehearsal, input: &std::path::Path) -> std::process::Output {
    r.run(&[
        "canary",
        "--provider",
        "openai",
        "--input",
        input.to_str().unwrap(),
        "--sample",
        "10%",
        "--segment-size",
        "100",
        "--judge",
        "exact-match",
        "--out",
        r.dir.path().join("canary").to_str().unwrap(),
    ])
}

/// Submits with `extra` flags; returns the JSON answer.
fn submit(r: &Rehearsal, input: &std::path::Path, extra: &[&str]) -> Value {
    let mut args = vec![
        "submit",
        "--provider",
        "openai",
        "--input",
        input.to_str().unwrap(),
        "--format",
        "json",
    ];
    args.extend_from_slice(extra);
    json(&r.ok(&args))
}

/// Watches, fetches and evaluates `job` with exact-match; returns the summary.
fn eval_job(r: &Rehearsal, job: &str, extra: &[&str]) -> (Value, i32) {
    r.ok(&["watch", job, "--interval-ms", "20"]);
    r.ok(&["fetch", job]);
    let mut args = vec![
        "eval",
        "--job",
        job,
        "--judge",
        "exact-match",
        "--segment-size",
        "100",
        "--format",
        "json",
    ];
    args.extend_from_slice(extra);
    let o = r.run(&args);
    (json(&support::stdout(&o)), o.status.code().unwrap_or(-1))
}

fn batches(r: &Rehearsal) -> usize {
    r.emu.get("/v1/batches", "k").matches("\"object\":\"batch\"").count()
}

#[test]
fn a_batch_that_degrades_against_its_canary_raises_canary_drift_and_the_gate_refuses_the_next_submission() {
    let r = Rehearsal::new("process_ms = 50\nquality_gap = 0.4\n");
    let input = r.input("in.jsonl", 400, "/v1/chat/completions", "gpt-4o-mini");
    let c = canary(&r, &input);
    assert_eq!(c.status.code(), Some(0), "{}", support::stderr(&c));
    assert!(
        support::stderr(&c).contains("canary 1 stored"),
        "{}",
        support::stderr(&c)
    );

    let s = submit(&r, &input, &["--tag", "nightly"]);
    assert_eq!(s["canary"], 1, "the job carries the canary of its input: {s}");
    let job = s["job"].to_string();
    let report = r.dir.path().join("report.html");
    let (e, code) = eval_job(&r, &job, &["--report", report.to_str().unwrap()]);
    assert_eq!(code, 0, "an alarm is not a gate: {e}");
    let cmp = &e["canary"]["judges"]["exact-match"];
    assert_eq!(cmp["canary_scored"], 40, "{cmp}");
    assert_eq!(cmp["canary_pass_rate"], 1.0, "sync answers are never degraded: {cmp}");
    assert_eq!(cmp["batch_scored"], 400, "{cmp}");
    let batch_rate = cmp["batch_pass_rate"].as_f64().unwrap();
    assert!(batch_rate < 0.75, "a 40% gap degrades the batch: {cmp}");
    assert!(cmp["interval_points"][0].as_f64().unwrap() > 5.0, "{cmp}");
    assert_eq!(cmp["drifted"], true);
    let alarms = e["judges"]["exact-match"]["alarms"].as_array().unwrap();
    let drift: Vec<&Value> = alarms.iter().filter(|a| a["kind"] == "canary-drift").collect();
    assert_eq!(drift.len(), 1, "{alarms:?}");
    let m = drift[0]["message"].as_str().unwrap();
    for part in [
        "exact-match",
        "(n=400)",
        "100.00% on the canary (n=40)",
        "95% interval",
        "lowest segments",
    ] {
        assert!(m.contains(part), "{part} missing from {m}");
    }
    let html = std::fs::read_to_string(&report).unwrap();
    assert!(html.contains("Canary against batch") && html.contains("<strong>canary-drift</strong>"));

    // The next submission with the same tag is refused: nothing is sent and
    // no job is recorded; the refusal names the job, the run, the alarm and
    // the commands to see it and to override it.
    let next = r.input("next.jsonl", 200, "/v1/chat/completions", "gpt-4o-mini");
    let args = [
        "submit",
        "--provider",
        "openai",
        "--input",
        next.to_str().unwrap(),
        "--tag",
        "nightly",
        "--gate-on-last",
    ];
    let refused = r.run(&args);
    assert_eq!(refused.status.code(), Some(1), "{}", support::stderr(&refused));
    let err = support::stderr(&refused);
    for part in [
        &format!("job {job} (run "),
        "tag \"nightly\"",
        "canary-drift: exact-match",
        "assay history --tag nightly",
        &format!("assay eval --job {job}"),
        "--force",
    ] {
        assert!(err.contains(part), "{part} missing from {err}");
    }
    assert_eq!(batches(&r), 1, "a refused submission sends nothing");
    let jobs = json(&r.ok(&["jobs", "--format", "json"]));
    assert_eq!(jobs.as_array().unwrap().len(), 1, "and records no job: {jobs}");

    // The input already sent is not sent again, so it is not gated either.
    let again = submit(&r, &input, &["--tag", "nightly", "--gate-on-last"]);
    assert_eq!(
        (again["existing"].as_bool(), again["gate"].clone()),
        (Some(true), Value::Null),
        "{again}"
    );
    assert_eq!(batches(&r), 1);

    let forced = submit(&r, &next, &["--tag", "nightly", "--gate-on-last", "--force"]);
    assert_eq!(forced["gate"], "forced", "{forced}");
    assert_eq!(forced["last"]["job"].to_string(), job);
    assert_eq!(forced["canary"], Value::Null, "no canary sampled this input");
    assert_eq!(batches(&r), 2);

    // The trend marks the run that blocked, with one refusal and one override.
    let t = r.ok(&["trend", "--tag", "nightly"]);
    assert!(t.contains("gates the next submission"), "{t}");
    assert!(
        t.contains("blocks submit --gate-on-last: canary-drift; 1 refused, 1 forced"),
        "{t}"
    );
    let t = json(&r.ok(&["trend", "--tag", "nightly", "--format", "json"]));
    let n = &t["runs"][0]["next_submission"];
    assert_eq!((n["refused"].as_u64(), n["forced"].as_u64()), (Some(1), Some(1)), "{t}");
    // The forced job's report draws the same mark on its trend.
    let report2 = r.dir.path().join("report2.html");
    let (_, _) = eval_job(&r, &forced["job"].to_string(), &["--report", report2.to_str().unwrap()]);
    let html = std::fs::read_to_string(&report2).unwrap();
    assert!(
        html.contains(&format!(
            "(job {job}) blocks the next submission: canary-drift; 1 refused, 1 forced"
        )),
        "the report's trend lists the gating run"
    );
    assert!(html.contains("class=\"gate\""), "and draws it on the chart");
    r.key_stored_nowhere();
}

#[test]
fn a_healthy_batch_matches_its_canary_and_the_next_submission_goes_through() {
    let r = Rehearsal::new("process_ms = 50\n");
    let input = r.input("in.jsonl", 400, "/v1/chat/completions", "gpt-4o-mini");
    assert_eq!(canary(&r, &input).status.code(), Some(0));
    let s = submit(&r, &input, &["--tag", "t"]);
    let (e, code) = eval_job(&r, &s["job"].to_string(), &[]);
    assert_eq!(code, 0, "{e}");
    let cmp = &e["canary"]["judges"]["exact-match"];
    assert_eq!(
        (cmp["canary_pass_rate"].as_f64(), cmp["batch_pass_rate"].as_f64()),
        (Some(1.0), Some(1.0))
    );
    assert_eq!(cmp["drifted"], false);
    assert!(
        e["judges"]["exact-match"]["alarms"].as_array().unwrap().is_empty(),
        "{e}"
    );
    let next = r.input("next.jsonl", 100, "/v1/chat/completions", "gpt-4o-mini");
    let ok = submit(&r, &next, &["--tag", "t", "--gate-on-last"]);
    assert_eq!(ok["gate"], "clear", "{ok}");
    assert_eq!(ok["last"]["job"], s["job"]);
    let t = r.ok(&["trend", "--tag", "t"]);
    assert!(!t.contains("gates the next submission"), "{t}");
}

#[test]
fn without_a_tag_a_failed_gate_blocks_the_next_submission_of_the_same_shape_only() {
    let r = Rehearsal::new("process_ms = 50\ninvalid_rows = [3]\n");
    let input = r.input("in.jsonl", 100, "/v1/chat/completions", "gpt-4o-mini");
    let job = submit(&r, &input, &[])["job"].to_string();
    let (e, code) = eval_job(&r, &job, &["--min-completion", "1"]);
    assert_eq!(code, 1, "{e}");
    assert_eq!(e["canary"], Value::Null, "no canary, no comparison");

    let same = r.input("same.jsonl", 50, "/v1/chat/completions", "gpt-4o-mini");
    let refused = r.run(&[
        "submit",
        "--provider",
        "openai",
        "--input",
        same.to_str().unwrap(),
        "--gate-on-last",
    ]);
    assert_eq!(refused.status.code(), Some(1));
    let err = support::stderr(&refused);
    assert!(err.contains("shape \"openai chat completion gpt-4o-mini\""), "{err}");
    assert!(
        err.contains("gate: completion was 0.99, below its threshold 1"),
        "{err}"
    );

    let other = r.input("other.jsonl", 50, "/v1/chat/completions", "gpt-4o");
    let ok = submit(&r, &other, &["--gate-on-last"]);
    assert_eq!(ok["gate"], "clear", "another model is another shape: {ok}");
    assert_eq!(ok["last"], Value::Null);
}

#[test]
fn eval_with_a_canary_of_another_input_is_refused() {
    let r = Rehearsal::new("process_ms = 50\n");
    let input = r.input("in.jsonl", 100, "/v1/chat/completions", "gpt-4o-mini");
    assert_eq!(canary(&r, &input).status.code(), Some(0));
    let other = r.input("other.jsonl", 100, "/v1/chat/completions", "gpt-4o");
    let o = r.run(&[
        "eval",
        "--input",
        other.to_str().unwrap(),
        "--results",
        input.to_str().unwrap(),
        "--canary",
        "1",
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", support::stderr(&o));
    assert!(support::stderr(&o).contains("--canary 1 sampled another input"));
}

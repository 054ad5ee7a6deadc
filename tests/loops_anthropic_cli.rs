//! Both loops with `--provider anthropic`, end to end against `assay emulate`
//! on 127.0.0.1: Message Batches for the batch loop, sync Messages for the
//! canary, recovery and the drift audit's sync side.

use crate::support;

use std::time::{Duration, Instant};

use support::emulator::Emulator;

const KEY: &str = "sk-ant-loops-test-7d2e91c4a6";

/// An emulator, a private job store and a 20-row `{custom_id, params}` input.
struct Rehearsal {
    emu: Emulator,
    dir: tempfile::TempDir,
}

fn line(i: usize, expected: &str) -> String {
    serde_json::json!({"custom_id": format!("r{i}"), "params": {"model": "claude-emu", "max_tokens": 64,
        "messages": [{"role": "user", "content": format!("q{i}")}],
        "metadata": {"reference": format!("answer {i}"), "expected": expected}}})
    .to_string()
        + "\n"
}

impl Rehearsal {
    fn new(profile: &str) -> Rehearsal {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("profile.toml");
        std::fs::write(&p, profile).unwrap();
        let emu = Emulator::start(11, Some(&p));
        let input: String = (0..20).map(|i| line(i, &format!("answer {i}"))).collect();
        std::fs::write(dir.path().join("in.jsonl"), input).unwrap();
        Rehearsal { emu, dir }
    }

    fn env(&self) -> Vec<(String, String)> {
        vec![
            ("ANTHROPIC_API_KEY".into(), KEY.into()),
            ("ANTHROPIC_BASE_URL".into(), format!("http://{}", self.emu.addr)),
            (
                "ASSAY_STATE".into(),
                self.dir.path().join("state").join("state.db").display().to_string(),
            ),
        ]
    }

    /// `assay` with the judges on its path, in the rehearsal's directory.
    fn run(&self, args: &[&str]) -> std::process::Output {
        let env = self.env();
        let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let abs: Vec<String> = args
            .iter()
            .map(|a| match *a {
                "in.jsonl" | "canary_in.jsonl" => self.dir.path().join(a).display().to_string(),
                _ => (*a).to_owned(),
            })
            .collect();
        let o = support::assay_with_env(&abs.iter().map(String::as_str).collect::<Vec<_>>(), &env);
        no_key(&o);
        o
    }

    fn submit(&self) -> (String, String) {
        let o = self.run(&["submit", "--provider", "anthropic", "--input", "in.jsonl"]);
        assert_eq!(o.status.code(), Some(0), "{}", support::stderr(&o));
        let out = support::stdout(&o);
        (out.lines().last().unwrap().to_owned(), out)
    }

    /// `GET /v1/messages/batches` straight from the emulator.
    fn batches(&self) -> serde_json::Value {
        self.batches_with("k")
    }

    fn batches_with(&self, key: &str) -> serde_json::Value {
        let mut s = std::net::TcpStream::connect(&self.emu.addr).unwrap();
        std::io::Write::write_all(
            &mut s,
            format!(
                "GET /v1/messages/batches?limit=100 HTTP/1.1\r\nHost: {}\r\nx-api-key: {key}\r\nanthropic-version: 2023-06-01\r\nConnection: close\r\n\r\n",
                self.emu.addr
            )
            .as_bytes(),
        )
        .unwrap();
        let mut out = String::new();
        std::io::Read::read_to_string(&mut s, &mut out).unwrap();
        let body = out.split("\r\n\r\n").nth(1).unwrap();
        serde_json::from_str(body).unwrap()
    }

    fn job_file(&self, job: &str, name: &str) -> String {
        std::fs::read_to_string(self.dir.path().join("state/jobs").join(job).join(name)).unwrap()
    }

    /// Every file under the state directory, the database included.
    fn assert_no_key_in_state(&self) {
        fn walk(d: &std::path::Path) {
            for e in std::fs::read_dir(d).unwrap() {
                let p = e.unwrap().path();
                if p.is_dir() {
                    walk(&p);
                } else {
                    let bytes = std::fs::read(&p).unwrap();
                    assert!(
                        !String::from_utf8_lossy(&bytes).contains(KEY),
                        "the key is in {}",
                        p.display()
                    );
                }
            }
        }
        walk(&self.dir.path().join("state"));
    }
}

fn no_key(o: &std::process::Output) {
    let all = format!("{}{}", support::stdout(o), support::stderr(o));
    assert!(!all.contains(KEY), "the key leaked: {all}");
}

#[test]
fn anthropic_submit_watch_fetch_eval_and_recover_add_up_through_429_529_and_503_faults() {
    let r = Rehearsal::new(
        "server_error_rows = [3]\nrate_limit_rows = [4]\ninvalid_rows = [6]\nmissing_rows = [5]\ncontent_filter_rows = [7]\n\
         expire_from = 18\nduplicate_rows = [0]\nshuffle = true\nprocess_ms = 100\n\
         [[http]]\nroute = \"GET /v1/messages/batches/*\"\nstatus = 429\nretry_after = \"1\"\n\
         [[http]]\nroute = \"GET /v1/messages/batches/*/results\"\nstatus = 503\n\
         [[http]]\nroute = \"POST /v1/messages\"\nstatus = 529\n",
    );
    let (job, first) = r.submit();
    assert!(
        first.contains("submitted: batch msgbatch_emu000001 (in_progress)"),
        "{first}"
    );
    let (again, second) = r.submit();
    assert_eq!(job, again);
    assert!(second.contains("already submitted"), "{second}");
    assert_eq!(r.batches()["data"].as_array().unwrap().len(), 1, "submitted once");

    let t = Instant::now();
    let w = r.run(&["watch", &job, "--interval-ms", "50"]);
    assert_eq!(w.status.code(), Some(0), "{}", support::stderr(&w));
    assert!(
        t.elapsed() >= Duration::from_secs(1),
        "the 429's Retry-After was honoured"
    );
    assert!(
        support::stdout(&w).contains("ended: 20 of 20 done (15 completed, 5 failed)"),
        "{}",
        support::stdout(&w)
    );
    let f = r.run(&["fetch", &job, "--format", "json"]);
    assert_eq!(f.status.code(), Some(0), "{}", support::stderr(&f));
    let fj: serde_json::Value = serde_json::from_slice(&f.stdout).unwrap();
    // 15 succeeded minus the missing row plus a duplicate, 3 errored, 2 expired.
    assert_eq!((fj["lines"].as_u64(), fj["answered"].as_u64()), (Some(20), Some(20)));
    let batch: serde_json::Value = serde_json::from_str(&r.job_file(&job, "batch.json")).unwrap();
    assert_eq!(batch["type"], "message_batch");

    let e = r.run(&["eval", "--job", &job, "--judge", "exact-match", "--format", "json"]);
    assert_eq!(e.status.code(), Some(0), "{}", support::stderr(&e));
    let s = support::json(&e);
    let c = &s["status_counts"];
    assert_eq!(s["rows_submitted"], 20);
    assert_eq!(
        [
            &c["completed"],
            &c["provider_error"],
            &c["content_filter"],
            &c["expired"],
            &c["missing"]
        ],
        [13, 3, 1, 2, 1],
        "{s}"
    );
    let sum: u64 = c
        .as_object()
        .unwrap()
        .values()
        .filter_map(serde_json::Value::as_u64)
        .sum();
    assert_eq!(sum, 20);
    assert_eq!(s["judges"]["exact-match"]["pass_rate"], 1.0, "{s}");
    let rec = s["reconciliation"][0]["checks"].to_string();
    assert!(rec.contains("1 row lost"), "{rec}");

    let halt = r.run(&["recover", &job, "--strategy", "halt"]);
    assert_eq!(halt.status.code(), Some(1));
    assert_eq!(
        support::stdout(&halt),
        "r3\tprovider_error\nr4\tprovider_error\nr5\tmissing\nr6\tprovider_error\nr7\tcontent_filter\nr18\texpired\nr19\texpired\n"
    );
    let retry = r.run(&[
        "recover",
        &job,
        "--strategy",
        "retry-sync",
        "--judge",
        "exact-match",
        "--format",
        "json",
    ]);
    assert_eq!(retry.status.code(), Some(0), "{}", support::stderr(&retry));
    let s = support::json(&retry);
    // The invalid request and the refusal are not retryable; the other five
    // come back through sync Messages (the first after a 529).
    assert_eq!(s["status_counts"]["completed"], 18, "{s}");
    assert_eq!(s["sync"]["recovered_by_sync"], 5, "{s}");
    assert_eq!(s["judges"]["exact-match"]["pass_rate"], 1.0, "{s}");
    let err = support::stderr(&retry);
    assert!(err.contains("5 sent, 5 answered now"), "{err}");
    assert!(
        err.contains("before recovery 13/20 (0.650), after 18/20 (0.900)"),
        "{err}"
    );
    let sync = r.job_file(&job, "sync_results.jsonl");
    assert_eq!(sync.lines().count(), 5);
    assert!(sync.lines().all(|l| l.contains("\"type\":\"succeeded\"")), "{sync}");

    let again = r.run(&["recover", &job, "--strategy", "retry-sync", "--format", "json"]);
    assert!(
        support::stderr(&again).contains("0 sent"),
        "{}",
        support::stderr(&again)
    );
    assert_eq!(support::json(&again)["status_counts"]["completed"], 18);
    let e2 = r.run(&[
        "eval",
        "--job",
        &job,
        "--sync-results",
        &r.dir
            .path()
            .join("state/jobs")
            .join(&job)
            .join("sync_results.jsonl")
            .display()
            .to_string(),
        "--format",
        "json",
    ]);
    assert_eq!(e2.status.code(), Some(0), "{}", support::stderr(&e2));
    assert_eq!(support::json(&e2)["status_counts"]["completed"], 18);

    let jobs = r.run(&["jobs", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&jobs.stdout).unwrap();
    assert_eq!(
        (
            v[0]["provider"].as_str(),
            v[0]["status"].as_str(),
            v[0]["fetched"].as_bool()
        ),
        (Some("anthropic"), Some("ended"), Some(true))
    );
    r.assert_no_key_in_state();
}

#[test]
fn the_anthropic_canary_gate_passes_on_good_sync_answers_and_fails_below_the_gate() {
    let r = Rehearsal::new("");
    let input: String = (0..40)
        .map(|i| {
            line(
                i,
                &if i % 2 == 0 {
                    format!("answer {i}")
                } else {
                    "something else".into()
                },
            )
        })
        .collect();
    std::fs::write(r.dir.path().join("canary_in.jsonl"), input).unwrap();
    let canary = |key: &str, out: &str| {
        let out = r.dir.path().join(out).display().to_string();
        let set = format!("exact-match.reference-key={key}");
        r.run(&[
            "canary",
            "--provider",
            "anthropic",
            "--input",
            "canary_in.jsonl",
            "--sample",
            "25%",
            "--segment-size",
            "20",
            "--seed",
            "3",
            "--out",
            &out,
            "--judge",
            "exact-match",
            "--set",
            &set,
            "--gate",
            "0.9",
            "--format",
            "json",
        ])
    };
    let pass = canary("reference", "c1");
    assert_eq!(pass.status.code(), Some(0), "{}", support::stderr(&pass));
    let s = support::json(&pass);
    assert_eq!(s["rows_submitted"], 10, "25% of each 20-row segment");
    assert_eq!(s["status_counts"]["completed"], 10);
    let answers = std::fs::read_to_string(r.dir.path().join("c1/canary_output.jsonl")).unwrap();
    assert_eq!(answers.lines().count(), 10);
    assert!(
        answers.lines().all(|l| l.contains("\"type\":\"succeeded\"")),
        "{answers}"
    );
    let fail = canary("expected", "c2");
    assert_eq!(fail.status.code(), Some(1), "{}", support::stderr(&fail));
    let rate = support::json(&fail)["judges"]["exact-match"]["pass_rate"]
        .as_f64()
        .unwrap();
    assert!(rate < 0.9, "{rate}");
    assert_eq!(
        std::fs::read_to_string(r.dir.path().join("c1/canary_input.jsonl")).unwrap(),
        std::fs::read_to_string(r.dir.path().join("c2/canary_input.jsonl")).unwrap()
    );
}

#[test]
fn an_anthropic_create_answer_lost_after_the_provider_acted_is_found_again_not_submitted_twice() {
    let r = Rehearsal::new("[[http]]\nroute = \"POST /v1/messages/batches\"\nreset_after_bytes = 0\n");
    let (job, _) = r.submit();
    assert_eq!(r.batches()["data"].as_array().unwrap().len(), 1);
    let st = r.run(&["status", &job, "--format", "json"]);
    assert_eq!(st.status.code(), Some(0), "{}", support::stderr(&st));
    let v: serde_json::Value = serde_json::from_slice(&st.stdout).unwrap();
    assert_eq!(v["batch"], "msgbatch_emu000001");
    let (again, _) = r.submit();
    assert_eq!(job, again);
    assert_eq!(r.batches()["data"].as_array().unwrap().len(), 1);
}

#[test]
fn anthropic_refusals_name_the_key_variable_the_bad_line_or_the_refused_key_without_showing_it() {
    let r = Rehearsal::new("api_key = \"sk-ant-the-only-valid-key\"\n");
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_assay"))
        .args(["submit", "--provider", "anthropic", "--input", "in.jsonl"])
        .current_dir(r.dir.path())
        .envs(r.env())
        .env_remove("ANTHROPIC_API_KEY")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(
        support::stderr(&o).contains("ANTHROPIC_API_KEY"),
        "{}",
        support::stderr(&o)
    );
    let o = r.run(&["submit", "--provider", "anthropic", "--input", "in.jsonl"]);
    assert_eq!(o.status.code(), Some(7), "{}", support::stderr(&o));
    assert!(support::stderr(&o).contains("API key"), "{}", support::stderr(&o));
    let openai_line =
        serde_json::json!({"custom_id": "x", "method": "POST", "url": "/v1/chat/completions", "body": {}});
    std::fs::write(
        r.dir.path().join("in.jsonl"),
        format!("{}{openai_line}\n", line(0, "a")),
    )
    .unwrap();
    let o = r.run(&["submit", "--provider", "anthropic", "--input", "in.jsonl"]);
    assert_eq!(o.status.code(), Some(3), "{}", support::stderr(&o));
    let err = support::stderr(&o);
    assert!(err.contains("in.jsonl:2:") && err.contains("OpenAI"), "{err}");
    let list = r.batches_with("sk-ant-the-only-valid-key");
    assert_eq!(list["data"].as_array().unwrap().len(), 0, "nothing was sent: {list}");
}

#[test]
fn an_anthropic_drift_audit_is_equivalent_when_healthy_and_a_regression_under_a_quality_gap() {
    let audit = |profile: &str| {
        let r = Rehearsal::new(profile);
        let o = r.run(&[
            "drift-audit",
            "--provider",
            "anthropic",
            "--input",
            "in.jsonl",
            "--pairs",
            "10",
            "--seed",
            "1",
            "--interval-ms",
            "20",
            "--format",
            "json",
        ]);
        assert_eq!(o.status.code(), Some(0), "{}", support::stderr(&o));
        let a: serde_json::Value = serde_json::from_str(&support::stdout(&o)).unwrap();
        // The audit's sample went through one Message Batch of its own.
        let batches = r.batches();
        assert_eq!(batches["data"].as_array().unwrap().len(), 1, "{batches}");
        assert_eq!(batches["data"][0]["request_counts"]["succeeded"], 10, "{batches}");
        r.assert_no_key_in_state();
        (r, a)
    };
    let (r, healthy) = audit("process_ms = 100\n");
    assert_eq!(healthy["pairs"], 10, "{healthy}");
    assert_eq!(healthy["band"], "none", "{healthy}");
    assert_eq!(healthy["mean_score"], 0.5, "{healthy}");
    // The audit on the fetched job: sync Messages only, no second batch.
    let job = healthy["job"].to_string();
    let o = r.run(&["drift-audit", "--job", &job, "--pairs", "4", "--format", "json"]);
    assert_eq!(o.status.code(), Some(0), "{}", support::stderr(&o));
    let on_job: serde_json::Value = serde_json::from_str(&support::stdout(&o)).unwrap();
    assert_eq!(
        (&on_job["pairs"], &on_job["band"]),
        (&4.into(), &"none".into()),
        "{on_job}"
    );
    assert_eq!(r.batches()["data"].as_array().unwrap().len(), 1);
    let (_, gap) = audit("process_ms = 100\nquality_gap = 0.4\n");
    assert_eq!(gap["pairs"], 10, "{gap}");
    assert_eq!(gap["band"], "regression", "{gap}");
    assert!(gap["mean_score"].as_f64().unwrap() < 0.45, "{gap}");
}
